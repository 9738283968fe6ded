/* Applying swaps to the ledger in batches (intel/ledger.h, "Batches"):
 * swaps are validated and normalised in tape order as they are added,
 * then applied wallet by wallet, on several threads when the chunk is
 * large enough (base/par.h), and in the background while the next chunk
 * is added. One swap at a time is in ledger.c; the types they share are
 * in intel/ledger_impl.h. */
#include "intel/ledger.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/par.h"
#include "intel/ledger_impl.h"

/* ------------------------------------------------------------ batch */

/* Swaps accepted and not yet applied, in tape order. Invariant: wallet.len
 * == v.len; count covers wallets [0, count.len) (each one's swaps in v;
 * wallets past it have none); buys counts the buys in v. */
struct pending {
    VEC(struct norm) v;
    VEC(uint32_t) wallet; /* v[i].wallet: the grouping reads 4 bytes, not the 88 of a norm */
    VEC(uint32_t) count;
    size_t buys;
};

/* A batch: the swaps being added (cur) and, while a flush runs in the
 * background (running), the ones it applies (flying). Invariant:
 * last_ms/seen cover wallets [0, last_ms.len) and tell, for validation,
 * the time of each wallet's last accepted swap, pending and flying ones
 * included; wallets past len have no swap in this batch and the ledger's
 * own state is current. They stay valid across flushes while the ledger
 * changes only through this batch (direct == l->n_direct). While running,
 * the adding thread changes only what the flush does not read: interning,
 * mint facts other than launch_ms and n_buyers, new wallets and mints
 * (and it waits for the flush before those vectors grow). */
struct ledger_batch {
    struct ledger *l;
    struct pending cur, flying;
    VEC(int64_t) last_ms;
    VEC(uint8_t) seen;
    uint64_t direct;
    bool running;
    size_t flying_n; /* swaps the running flush applies */
    pthread_t th;
    void (*on_fill)(void *ctx, const struct ledger_fill *f);
    void *ctx;
};

struct ledger_batch *ledger_batch_new(struct ledger *l)
{
    struct ledger_batch *b = xcalloc(1, sizeof *b);
    b->l = l;
    b->direct = l->n_direct;
    return b;
}

static void pending_clear(struct pending *pd)
{
    vec_clear(&pd->v);
    vec_clear(&pd->wallet);
    vec_clear(&pd->count);
    pd->buys = 0;
}

static void pending_free(struct pending *pd)
{
    vec_free(&pd->v);
    vec_free(&pd->wallet);
    vec_free(&pd->count);
}

void ledger_batch_free(struct ledger_batch *b)
{
    if (!b)
        return;
    ledger_batch_wait(b);
    pending_free(&b->cur);
    pending_free(&b->flying);
    vec_free(&b->last_ms);
    vec_free(&b->seen);
    free(b);
}

size_t ledger_batch_pending(const struct ledger_batch *b)
{
    return b->cur.v.len;
}

int ledger_batch_add(struct ledger_batch *b, const struct swap_event *ev, double *price)
{
    struct ledger *l = b->l;
    if (ev->token_amount == 0 || (ev->side != SIDE_BUY && ev->side != SIDE_SELL))
        return WT_EINVAL;
    if (b->direct != l->n_direct) { /* ledger_apply since: the ledger's state is current */
        ledger_batch_wait(b);
        vec_clear(&b->last_ms);
        vec_clear(&b->seen);
        b->direct = l->n_direct;
    }
    uint32_t wid = intern_find(&l->wallet_ids, ev->wallet.b);
    if (wid != INTERN_NONE) {
        bool seen = wid < b->seen.len ? b->seen.v[wid] != 0 : l->wallets.v[wid].n_swaps > 0;
        int64_t last = wid < b->seen.len ? b->last_ms.v[wid] : l->wallets.v[wid].last_ms;
        if (seen && ev->ts_ms < last)
            return WT_ESTATE;
    }
    /* a new wallet or mint may move the vectors a running flush reads */
    if (b->running && (l->wallets.len == l->wallets.cap || l->mints.len == l->mints.cap))
        ledger_batch_wait(b);
    struct pending *pd = &b->cur;
    struct norm *n = vec_push_zero(&pd->v);
    ledger_norm_swap(l, ev, wid, n);
    while (b->seen.len <= n->wallet) {
        const struct ledger_wallet *w = &l->wallets.v[b->seen.len];
        vec_push(&b->seen, (uint8_t)(w->n_swaps > 0));
        vec_push(&b->last_ms, w->last_ms);
    }
    while (pd->count.len <= n->wallet)
        vec_push(&pd->count, 0);
    vec_push(&pd->wallet, n->wallet);
    pd->count.v[n->wallet]++;
    pd->buys += n->side == SIDE_BUY;
    b->seen.v[n->wallet] = 1;
    b->last_ms.v[n->wallet] = n->ts_ms;
    if (price)
        *price = n->price;
    return 0;
}

/* How far ahead ledger_batch_flush fetches a swap, its index slot and its
 * position (in swaps; each stage needs the one before it in cache). */
#define PF_NORM 24
#define PF_SLOT 16
#define PF_POS  8

/* One thread's share of a flush: the swaps order[k0, k1) (whole wallets;
 * parallel: allocating through wk, see struct worker). */
struct flush_job {
    struct ledger *l;
    const struct norm *v;
    const uint32_t *order;
    size_t k0, k1;
    uint32_t *rank_pos, *rank_fill, *rank; /* rank: the mint, then the rank given */
    void (*on_fill)(void *ctx, const struct ledger_fill *f);
    void *ctx;
    struct worker wk;
    bool parallel;
};

static void flush_range(struct flush_job *j)
{
    struct ledger *l = j->l;
    const uint32_t *order = j->order;
    size_t k1 = j->k1;
    for (size_t k = j->k0; k < k1; k++) {
        /* The swaps of a wallet are far apart in the tape and its
         * positions are spread over the index: fetch ahead, in stages (the
         * swap, then its index slot, then its position). */
        if (k + PF_NORM < k1) {
            const char *x = (const char *)&j->v[order[k + PF_NORM]];
            __builtin_prefetch(x);
            __builtin_prefetch(x + sizeof(struct norm) - 1);
        }
        if (k + PF_SLOT < k1) {
            const struct norm *x = &j->v[order[k + PF_SLOT]];
            __builtin_prefetch(&l->map[map_slot_of(l, x->wallet, x->mint)]);
        }
        if (k + PF_POS < k1) {
            const struct norm *x = &j->v[order[k + PF_POS]];
            uint32_t pid = map_find(l, x->wallet, x->mint);
            if (pid != LEDGER_NONE)
                __builtin_prefetch(&l->pos.v[pid]);
        }
        uint32_t i = order[k];
        const struct norm *x = &j->v[i];
        struct ledger_fill scratch;
        uint32_t dp = LEDGER_NONE;
        const struct ledger_fill *f =
            ledger_apply_norm(l, x, &scratch, &dp, j->parallel ? &j->wk : NULL);
        if (dp != LEDGER_NONE) {
            j->rank_pos[i] = dp;
            j->rank[i] = x->mint;
            j->rank_fill[i] =
                l->p.keep_fills ? (uint32_t)l->wallets.v[x->wallet].fills.len - 1 : LEDGER_NONE;
        }
        if (j->on_fill)
            j->on_fill(j->ctx, f);
    }
}

static void flush_part(void *ctx, unsigned part)
{
    flush_range((struct flush_job *)ctx + part);
}

/* Writes the ranks given into the first buys' positions and kept fills of
 * the job's wallets (wallet by wallet: each wallet's fills in order). */
static void rank_part(void *ctx, unsigned part)
{
    struct flush_job *j = (struct flush_job *)ctx + part;
    struct ledger *l = j->l;
    for (size_t k = j->k0; k < j->k1; k++) {
        uint32_t i = j->order[k];
        if (j->rank_pos[i] == LEDGER_NONE)
            continue;
        struct pos *p = &l->pos.v[j->rank_pos[i]];
        assert(p->buy_rank == LEDGER_PENDING);
        p->buy_rank = j->rank[i];
        if (j->rank_fill[i] != LEDGER_NONE)
            l->wallets.v[p->wallet].fills.v[j->rank_fill[i]].buy_rank = p->buy_rank;
    }
}

/* Below this many pending swaps per thread a flush runs on one thread
 * (starting one costs about as much as applying a few hundred swaps). */
#define FLUSH_MIN_PER_THREAD 256

/* How many threads flush n pending swaps: batch_threads (0: one per online
 * core, see par_threads), and at least FLUSH_MIN_PER_THREAD swaps each. */
static unsigned flush_threads(const struct ledger *l, size_t n)
{
    unsigned t = par_threads(l->p.batch_threads);
    while (t > 1 && n / t < FLUSH_MIN_PER_THREAD)
        t--;
    return t;
}

/* Sizes the index, the positions and the trip-state slots for n more
 * swaps, `buys` of them buys, so the threads of a flush never move them:
 * each swap creates at most one position, each buy opens at most one
 * trip. */
static void flush_reserve(struct ledger *l, size_t n, size_t buys)
{
    while ((uint64_t)(l->pos.len + n) * 2 > (uint64_t)l->map_mask + 1)
        ledger_map_grow(l);
    vec_reserve(&l->pos, l->pos.len + n);
    vec_reserve(&l->open, l->open.len + buys);
}

/* After a parallel flush: the lengths the threads reached, the slots
 * they hold, their free lists chained into the ledger's, and the
 * trip-state slots trimmed to those in use (the reserve was for the
 * worst case; ledger_mem_usage counts capacity). */
static void flush_merge(struct ledger *l, struct flush_job *jobs, unsigned t, size_t pos_len,
                        size_t open_len)
{
    l->pos.len = pos_len;
    l->open.len = open_len;
    uint32_t head = LEDGER_NONE;
    for (unsigned i = t; i-- > 0;) {
        l->n_open = (uint32_t)((int64_t)l->n_open + jobs[i].wk.n_open);
        uint32_t f = jobs[i].wk.open_free;
        if (f == LEDGER_NONE)
            continue;
        while (l->open.v[f].next_free != LEDGER_NONE)
            f = l->open.v[f].next_free;
        l->open.v[f].next_free = head;
        head = jobs[i].wk.open_free;
    }
    l->open_free = head;
    if (l->open.cap > l->open.len) {
        size_t c = l->open.len ? l->open.len : 1;
        l->open.v = xreallocarray(l->open.v, c, sizeof *l->open.v);
        l->open.cap = c;
    }
}

/* Applies the swaps of pd (see ledger_batch_flush) and clears it; the
 * caller asserts the ledger afterwards, on the adding thread. Reads of the
 * ledger's wallet and mint vectors go through their element pointers only
 * (a running flush shares them with the adding thread). */
static void flush_pending(struct ledger *l, struct pending *pd,
                          void (*on_fill)(void *ctx, const struct ledger_fill *f), void *ctx)
{
    size_t n = pd->v.len;
    if (n == 0)
        return;
    assert(n < LEDGER_PENDING);
    /* Group by wallet, keeping tape order within each (counting sort). */
    uint32_t nw = (uint32_t)pd->count.len;
    uint32_t *off = xcalloc((size_t)nw + 1, sizeof *off);
    uint32_t *order = xmalloc(n * sizeof *order);
    for (size_t w = 0; w < nw; w++)
        off[w + 1] = pd->count.v[w];
    for (uint32_t w = 0; w < nw; w++)
        off[w + 1] += off[w];
    /* Thread i takes the wallets whose swaps start in [n*i/t, n*(i+1)/t)
     * of the grouped order: about n/t swaps each, whole wallets. */
    unsigned t = flush_threads(l, n);
    size_t cut[PAR_MAX + 1] = {0};
    for (unsigned i = 1, w = 0; i < t; i++) {
        while (w < nw && off[w] < n * i / t)
            w++;
        cut[i] = off[w];
    }
    cut[t] = n;
    for (size_t i = 0; i < n; i++)
        order[off[pd->wallet.v[i]]++] = (uint32_t)i;
    free(off);
    /* Per tape index: the position of a first buy waiting for its rank,
     * and the index of its fill. */
    uint32_t *rank_pos = xmalloc(n * sizeof *rank_pos);
    uint32_t *rank_fill = xmalloc(n * sizeof *rank_fill);
    uint32_t *rank = xmalloc(n * sizeof *rank);
    memset(rank_pos, 0xff, n * sizeof *rank_pos);
    if (t > 1)
        flush_reserve(l, n, pd->buys);
    size_t pos_len = l->pos.len, open_len = l->open.len;
    struct flush_job jobs[PAR_MAX];
    for (unsigned i = 0; i < t; i++) {
        jobs[i] = (struct flush_job){.l = l,
                                     .v = pd->v.v,
                                     .order = order,
                                     .k0 = cut[i],
                                     .k1 = cut[i + 1],
                                     .rank_pos = rank_pos,
                                     .rank_fill = rank_fill,
                                     .rank = rank,
                                     .on_fill = on_fill,
                                     .ctx = ctx,
                                     .wk = {&pos_len, &open_len, LEDGER_NONE, 0},
                                     .parallel = t > 1};
    }
    if (t > 1) {
        jobs[0].wk.open_free = l->open_free; /* the ledger's free slots go to thread 0 */
        par_run(t, flush_part, jobs);
        flush_merge(l, jobs, t, pos_len, open_len);
        l->n_parallel++;
    } else {
        flush_range(&jobs[0]);
    }
    /* Ranks among each mint's buyers, given in tape order as ledger_apply
     * gives them (reading the 4-byte mint of each first buy), then written
     * into the positions and fills wallet by wallet, on the same threads. */
    for (size_t i = 0; i < n; i++)
        if (rank_pos[i] != LEDGER_NONE)
            rank[i] = l->mints.v[rank[i]].n_buyers++;
    if (t > 1)
        par_run(t, rank_part, jobs);
    else
        rank_part(jobs, 0);
    free(rank_pos);
    free(rank_fill);
    free(rank);
    free(order);
    pending_clear(pd);
}

void ledger_batch_flush(struct ledger_batch *b,
                        void (*on_fill)(void *ctx, const struct ledger_fill *f), void *ctx)
{
    ledger_batch_wait(b);
    size_t n = b->cur.v.len;
    flush_pending(b->l, &b->cur, on_fill, ctx);
    ledger_debug_assert(b->l, n);
}

static void *flight_main(void *arg)
{
    struct ledger_batch *b = arg;
    flush_pending(b->l, &b->flying, b->on_fill, b->ctx);
    return NULL;
}

void ledger_batch_flush_start(struct ledger_batch *b,
                              void (*on_fill)(void *ctx, const struct ledger_fill *f), void *ctx)
{
    ledger_batch_wait(b);
    if (b->cur.v.len == 0)
        return;
    struct pending t = b->flying; /* cleared: its buffers are reused */
    b->flying = b->cur;
    b->cur = t;
    b->on_fill = on_fill;
    b->ctx = ctx;
    b->flying_n = b->flying.v.len;
    /* batch_threads 1: everything on the caller's thread */
    b->running =
        par_threads(b->l->p.batch_threads) > 1 && pthread_create(&b->th, NULL, flight_main, b) == 0;
    if (!b->running) { /* no thread: apply here */
        flush_pending(b->l, &b->flying, on_fill, ctx);
        ledger_debug_assert(b->l, b->flying_n);
    }
}

void ledger_batch_wait(struct ledger_batch *b)
{
    if (!b->running)
        return;
    pthread_join(b->th, NULL);
    b->running = false;
    ledger_debug_assert(b->l, b->flying_n);
}
