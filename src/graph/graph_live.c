/* The incremental edge build of graph_live.h. Each rule of graph.h is
 * applied per event, in the form that does not depend on arrival order:
 *
 *   FUNDED_BY  a transfer counts once, when it arrives (the recipient has
 *              not traded after it, or bought within the window after
 *              it) or when a later buy of the recipient falls within the
 *              window after it; a funder that becomes a hub (its fan-out
 *              passes hub_fanout) loses every FUNDED_BY and SWEEP edge it
 *              had, as in the full build where hubs are global;
 *   SWEEP      when the transfer back arrives;
 *   SYNCED_BUY a new first buy of (wallet, mint) pairs with every first
 *              buy of the mint within sync_ms either side, seen at the
 *              later of the two times: order-free;
 *   CO_EARLY   a new first buy that lands among a mint's first early_n
 *              pairs with the others there.
 *
 * What the per-event form cannot absorb sets `replay`; graph_live_changes
 * then rebuilds the evidence from the kept events in (time, arrival)
 * order (swaps at one time by wallet key), which is the order the full
 * build reads them in. */
#include "graph/graph_live.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/intern.h"
#include "base/mem.h"
#include "graph/graph_impl.h"
#include "graph/pairmap.h"

#define NO_MINT UINT32_MAX

struct gl_swap {
    uint32_t w, mint; /* mint NO_MINT: a sell */
    int64_t ts;
};

/* One transfer, or `mult` identical ones (same from, to, time, amount
 * and kind) that the rules treat alike: see merge_xfer. */
struct gl_xfer {
    uint32_t from, to;
    int64_t ts;
    uint64_t amount;
    uint32_t mult;   /* transfers this record stands for */
    uint32_t fan_at; /* the sender's fan-out when it was last applied */
    bool sol;
    bool back;    /* a transfer the other way had been seen */
    bool elig;    /* big enough, and not money going back */
    bool counted; /* in the FUNDED_BY evidence */
    bool swept;   /* in the SWEEP evidence */
};

/* An open-addressing index of record numbers (UINT32_MAX: empty) for
 * finding an identical swap or transfer already kept. */
struct gl_index {
    uint32_t *slot;
    uint32_t mask; /* capacity - 1; 0 with slot NULL: empty */
    uint32_t len;
};

struct gl_first {
    int64_t ts;
    uint32_t w;
};

struct gl_mint {
    VEC(struct gl_first) fb; /* first buys by (ts, wallet key) */
};

struct gl_wallet {
    int64_t first;     /* first trade, INT64_MAX: none */
    int64_t last_xfer; /* latest transfer in or out, INT64_MIN: none */
    uint32_t nm, ne;   /* distinct mints bought; mints bought among the first early_n */
    uint32_t fan;      /* distinct recipients */
    bool hub, listed, dirty;
    VEC(int64_t) buys; /* every buy time, sorted */
    VEC(uint32_t) in;  /* incoming transfers (indices), by (ts, arrival) */
};

struct graph_live {
    struct graph_params p;
    char *hubs;
    struct pubkey *listed;
    size_t nlisted;
    struct intern wallets, mints;
    VEC(struct gl_wallet) w;
    VEC(struct gl_mint) m;
    VEC(struct gl_swap) swaps; /* distinct (wallet, mint, time) */
    VEC(struct gl_xfer) xfers;
    struct gl_index swap_ix, xfer_ix;
    size_t swaps_seen, xfers_seen; /* events given, repeats included */
    struct pair_map firstbuy;      /* (wallet, mint) -> first_ms: the first buy */
    struct pair_map sent;          /* (from, to) -> transfers */
    struct pair_map acc[GK_COUNT];
    struct pair_map written[GK_COUNT]; /* what the last changes call gave (count 0: none) */
    VEC(uint64_t) touched[GK_COUNT];
    VEC(uint32_t) dirty; /* wallets whose nm or ne changed */
    /* Swaps at the latest time seen, held until a later event: buyers at
     * one time enter a mint's first early_n by key, whatever their
     * arrival order (block times are in seconds: launches tie). */
    VEC(uint32_t) pending;
    int64_t pending_ts;
    bool replay, all;
    size_t replays;
    int64_t cutoff; /* events before it are not kept (graph_live_set_cutoff) */
    int64_t latest; /* the latest swap time given, INT64_MIN: none */
    size_t too_old; /* events given before the cutoff */
    size_t compactions;
};

static const int pair_kind[2] = {GK_SYNCED_BUY, GK_CO_EARLY};

static int cmp_pubkey(const void *x, const void *y)
{
    return graph_key_cmp(((const struct pubkey *)x)->b, ((const struct pubkey *)y)->b);
}

struct graph_live *graph_live_new(const struct graph_params *p, int *rc)
{
    struct pubkey *listed;
    size_t n;
    *rc = graph_hubs_parse(p->hubs, &listed, &n);
    if (*rc != 0)
        return NULL;
    struct graph_live *gl = xcalloc(1, sizeof *gl);
    gl->p = *p;
    gl->hubs = xstrdup(p->hubs ? p->hubs : "");
    gl->p.hubs = gl->hubs;
    if (n > 1)
        qsort(listed, n, sizeof *listed, cmp_pubkey);
    gl->listed = listed;
    gl->nlisted = n;
    intern_init(&gl->wallets, 1024);
    intern_init(&gl->mints, 1024);
    gl->cutoff = INT64_MIN;
    gl->latest = INT64_MIN;
    pm_init(&gl->firstbuy, 1024);
    pm_init(&gl->sent, 1024);
    for (int k = 0; k < GK_COUNT; k++) {
        pm_init(&gl->acc[k], 256);
        pm_init(&gl->written[k], 256);
    }
    return gl;
}

static void wallet_clear(struct gl_wallet *w, bool release)
{
    if (release) {
        vec_free(&w->buys);
        vec_free(&w->in);
    } else {
        vec_clear(&w->buys);
        vec_clear(&w->in);
    }
    w->first = INT64_MAX;
    w->last_xfer = INT64_MIN;
    w->nm = w->ne = w->fan = 0;
    w->hub = w->listed;
    w->dirty = false;
}

void graph_live_free(struct graph_live *gl)
{
    if (!gl)
        return;
    for (size_t i = 0; i < gl->w.len; i++)
        wallet_clear(&gl->w.v[i], true);
    for (size_t i = 0; i < gl->m.len; i++)
        vec_free(&gl->m.v[i].fb);
    vec_free(&gl->w);
    vec_free(&gl->m);
    vec_free(&gl->swaps);
    vec_free(&gl->xfers);
    free(gl->swap_ix.slot);
    free(gl->xfer_ix.slot);
    pm_free(&gl->firstbuy);
    pm_free(&gl->sent);
    for (int k = 0; k < GK_COUNT; k++) {
        pm_free(&gl->acc[k]);
        pm_free(&gl->written[k]);
        vec_free(&gl->touched[k]);
    }
    vec_free(&gl->dirty);
    vec_free(&gl->pending);
    intern_release(&gl->wallets);
    intern_release(&gl->mints);
    free(gl->listed);
    free(gl->hubs);
    free(gl);
}

const uint8_t *graph_live_key(const struct graph_live *gl, uint32_t w)
{
    return intern_key(&gl->wallets, w);
}

static uint32_t wallet_id(struct graph_live *gl, const struct pubkey *k)
{
    uint32_t id = intern_put(&gl->wallets, k->b);
    while (gl->w.len <= id) {
        struct gl_wallet *w = vec_push_zero(&gl->w);
        w->listed = gl->nlisted > 0 &&
                    bsearch(k, gl->listed, gl->nlisted, sizeof *gl->listed, cmp_pubkey) != NULL;
        wallet_clear(w, false);
    }
    return id;
}

static int key_cmp(const struct graph_live *gl, uint32_t a, uint32_t b)
{
    return a == b ? 0 : graph_key_cmp(intern_key(&gl->wallets, a), intern_key(&gl->wallets, b));
}

static void touch(struct graph_live *gl, int kind, uint32_t a, uint32_t b)
{
    vec_push(&gl->touched[kind], pm_key(a, b));
}

/* ------------------------------------------------------------ rules */

/* Whether wallet w bought within [t, t + window]. */
static bool buy_within(const struct gl_wallet *w, int64_t t, int64_t window)
{
    size_t lo = 0, hi = w->buys.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->buys.v[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->buys.len && w->buys.v[lo] - t <= window;
}

/* A wallet became a hub: it never funds, nor receives sweeps. */
static void make_hub(struct graph_live *gl, uint32_t h)
{
    gl->w.v[h].hub = true;
    for (int k = GK_FUNDED_BY; k <= GK_SWEEP; k++) {
        struct pair_map *m = &gl->acc[k];
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i] != PM_EMPTY && (uint32_t)m->keys[i] == h && m->vals[i].count > 0) {
                m->vals[i].count = 0;
                m->vals[i].first_ms = INT64_MAX;
                m->vals[i].last_ms = INT64_MIN;
                vec_push(&gl->touched[k], m->keys[i]);
            }
    }
}

static void fund(struct graph_live *gl, uint32_t xi)
{
    struct gl_xfer *x = &gl->xfers.v[xi];
    x->counted = true;
    pm_hit(&gl->acc[GK_FUNDED_BY], x->to, x->from, x->ts)->count += x->mult - 1;
    touch(gl, GK_FUNDED_BY, x->to, x->from);
}

/* Inserts v into a sorted array of distinct int64 (mostly at the end):
 * buy_within asks only whether there is one. */
static void insert_i64(struct gl_wallet *w, int64_t v)
{
    size_t i = w->buys.len;
    while (i > 0 && w->buys.v[i - 1] > v)
        i--;
    if (i > 0 && w->buys.v[i - 1] == v)
        return;
    vec_push(&w->buys, v);
    i = w->buys.len - 1;
    while (i > 0 && w->buys.v[i - 1] > v) {
        w->buys.v[i] = w->buys.v[i - 1];
        i--;
    }
    w->buys.v[i] = v;
}

static void pair_hit(struct graph_live *gl, int slot, uint32_t a, uint32_t b, int64_t ts)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    int kind = pair_kind[slot];
    pm_hit(&gl->acc[kind], lo, hi, ts);
    touch(gl, kind, lo, hi);
}

static void mark_dirty(struct graph_live *gl, uint32_t w)
{
    if (!gl->w.v[w].dirty) {
        gl->w.v[w].dirty = true;
        vec_push(&gl->dirty, w);
    }
}

/* One swap. With check, an order the rules cannot absorb sets replay
 * and returns false (the state is then rebuilt). */
static bool apply_swap(struct graph_live *gl, const struct gl_swap *s, bool check)
{
    struct gl_wallet *w = &gl->w.v[s->w];
    if (check && s->ts < w->first && s->ts < w->last_xfer)
        return false; /* earlier FUNDED_BY (before the first trade) and SWEEP calls change */
    if (s->ts < w->first)
        w->first = s->ts;
    if (s->mint == NO_MINT)
        return true;
    struct pair_val *fbv = pm_get(&gl->firstbuy, pm_key(s->w, s->mint), false);
    if (fbv && check && s->ts < fbv->first_ms)
        return false; /* an earlier first buy replaces one already paired */
    struct gl_mint *m = &gl->m.v[s->mint];
    size_t pos = m->fb.len;
    if (!fbv) {
        while (pos > 0 &&
               (m->fb.v[pos - 1].ts > s->ts ||
                (m->fb.v[pos - 1].ts == s->ts && key_cmp(gl, m->fb.v[pos - 1].w, s->w) > 0)))
            pos--;
        if (check && pos < gl->p.early_n && m->fb.len >= gl->p.early_n)
            return false; /* it pushes a buyer out of the first early_n */
    }
    /* FUNDED_BY: transfers into w within the window before this buy. */
    insert_i64(w, s->ts);
    for (size_t i = w->in.len; i > 0; i--) {
        uint32_t xi = w->in.v[i - 1];
        const struct gl_xfer *x = &gl->xfers.v[xi];
        if (x->ts > s->ts)
            continue;
        if (x->ts < s->ts - gl->p.fund_window_ms)
            break;
        if (!x->counted && x->elig && !gl->w.v[x->from].hub)
            fund(gl, xi);
    }
    if (fbv)
        return true;
    pm_get(&gl->firstbuy, pm_key(s->w, s->mint), true)->first_ms = s->ts;
    struct gl_first nf = {s->ts, s->w};
    vec_push(&m->fb, nf);
    memmove(&m->fb.v[pos + 1], &m->fb.v[pos], (m->fb.len - 1 - pos) * sizeof *m->fb.v);
    m->fb.v[pos] = nf;
    w = &gl->w.v[s->w];
    w->nm++;
    mark_dirty(gl, s->w);
    /* SYNCED_BUY: every first buy within sync_ms either side. */
    for (size_t i = pos; i > 0 && s->ts - m->fb.v[i - 1].ts <= gl->p.sync_ms; i--)
        pair_hit(gl, 0, s->w, m->fb.v[i - 1].w, s->ts);
    for (size_t i = pos + 1; i < m->fb.len && m->fb.v[i].ts - s->ts <= gl->p.sync_ms; i++)
        pair_hit(gl, 0, s->w, m->fb.v[i].w, m->fb.v[i].ts);
    /* CO_EARLY: among the first early_n (then all of them are). */
    if (pos < gl->p.early_n) {
        size_t ne = m->fb.len < gl->p.early_n ? m->fb.len : gl->p.early_n;
        for (size_t i = 0; i < ne; i++) {
            if (i == pos)
                continue;
            int64_t t = m->fb.v[i].ts > s->ts ? m->fb.v[i].ts : s->ts;
            pair_hit(gl, 1, s->w, m->fb.v[i].w, t);
        }
        gl->w.v[s->w].ne++;
    }
    return true;
}

static void insert_in(struct graph_live *gl, struct gl_wallet *w, uint32_t xi)
{
    vec_push(&w->in, xi);
    size_t i = w->in.len - 1;
    int64_t t = gl->xfers.v[xi].ts;
    while (i > 0 && gl->xfers.v[w->in.v[i - 1]].ts > t) {
        w->in.v[i] = w->in.v[i - 1];
        i--;
    }
    w->in.v[i] = xi;
}

static bool apply_xfer(struct graph_live *gl, uint32_t xi, bool check)
{
    struct gl_xfer *x = &gl->xfers.v[xi];
    const struct graph_params *p = &gl->p;
    const struct pair_val *bv = pm_get(&gl->sent, pm_key(x->to, x->from), false);
    if (check && bv && bv->last_ms > x->ts)
        return false; /* a later transfer the other way was taken as no return */
    bool back = bv != NULL;
    x->back = back;
    struct gl_wallet *from = &gl->w.v[x->from], *to = &gl->w.v[x->to];
    if (x->ts > from->last_xfer)
        from->last_xfer = x->ts;
    if (x->ts > to->last_xfer)
        to->last_xfer = x->ts;
    if (pm_get(&gl->sent, pm_key(x->from, x->to), false) == NULL && ++from->fan > p->hub_fanout &&
        !from->hub)
        make_hub(gl, x->from);
    pm_hit(&gl->sent, x->from, x->to, x->ts);
    x->fan_at = from->fan;
    insert_in(gl, to, xi);
    x->elig = (!x->sol || x->amount >= p->fund_min_lamports) && !back;
    if (x->elig && !from->hub && (x->ts <= to->first || buy_within(to, x->ts, p->fund_window_ms)))
        fund(gl, xi);
    x->swept =
        x->sol && !to->hub && x->amount >= p->sweep_min_lamports && from->first < x->ts && back;
    if (x->swept) {
        pm_hit(&gl->acc[GK_SWEEP], x->from, x->to, x->ts)->count += x->mult - 1;
        touch(gl, GK_SWEEP, x->from, x->to);
    }
    return true;
}

static void swap_now(struct graph_live *gl, const struct gl_swap *x)
{
    if (!gl->replay && !apply_swap(gl, x, true)) {
        gl->replay = true;
        gl->replays++;
    }
}

/* Applies the held swaps, by wallet key. */
static void release_pending(struct graph_live *gl)
{
    uint32_t *v = gl->pending.v;
    for (size_t i = 1; i < gl->pending.len; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && key_cmp(gl, gl->swaps.v[v[j - 1]].w, gl->swaps.v[x].w) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    for (size_t i = 0; i < gl->pending.len; i++)
        swap_now(gl, &gl->swaps.v[v[i]]);
    vec_clear(&gl->pending);
}

/* ------------------------------------------------------------ repeats
 *
 * Memory follows distinct evidence, not events. A swap with the (wallet,
 * mint, time) of one kept already changes nothing, in any order: the
 * first made the wallet's first trade, first buy and buy time what they
 * are, and funded every transfer within the window before it; it is not
 * kept. A transfer identical to a kept one (from, to, time, amount, kind)
 * whose rules come out the same (no transfer the other way since, the
 * sender's fan-out unchanged, the same FUNDED_BY and SWEEP outcome) is
 * folded into it: it adds to the record's multiplicity and to the counts
 * the record added to. The rules read a folded record as that many
 * consecutive copies (a copy after the first finds the same state), and
 * a replay applies it at the first copy's place, which is where the
 * others would fall: transfers at one time go by arrival, and none that
 * arrived between could change a copy's outcome (checked above). */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static uint64_t swap_hash(const struct gl_swap *x)
{
    return mix64(((uint64_t)x->w << 32 | x->mint) ^ mix64((uint64_t)x->ts));
}

static uint64_t xfer_hash(const struct gl_xfer *x)
{
    return mix64(((uint64_t)x->from << 32 | x->to) ^
                 mix64((uint64_t)x->ts ^ mix64(x->amount + (uint64_t)x->sol)));
}

static bool swap_same(const struct gl_swap *a, const struct gl_swap *b)
{
    return a->w == b->w && a->mint == b->mint && a->ts == b->ts;
}

static bool xfer_same(const struct gl_xfer *a, const struct gl_xfer *b)
{
    return a->from == b->from && a->to == b->to && a->ts == b->ts && a->amount == b->amount &&
           a->sol == b->sol;
}

static void index_put(struct gl_index *ix, uint64_t h, uint32_t rec);

static void index_grow(struct gl_index *ix, const struct graph_live *gl, bool swaps)
{
    struct gl_index old = *ix;
    uint32_t cap = old.slot ? (old.mask + 1) * 2 : 1024;
    ix->slot = xmalloc((size_t)cap * sizeof *ix->slot);
    memset(ix->slot, 0xff, (size_t)cap * sizeof *ix->slot);
    ix->mask = cap - 1;
    ix->len = 0;
    for (uint32_t i = 0; old.slot && i <= old.mask; i++)
        if (old.slot[i] != UINT32_MAX)
            index_put(ix,
                      swaps ? swap_hash(&gl->swaps.v[old.slot[i]])
                            : xfer_hash(&gl->xfers.v[old.slot[i]]),
                      old.slot[i]);
    free(old.slot);
}

static void index_put(struct gl_index *ix, uint64_t h, uint32_t rec)
{
    uint32_t i = (uint32_t)h & ix->mask;
    while (ix->slot[i] != UINT32_MAX)
        i = (i + 1) & ix->mask;
    ix->slot[i] = rec;
    ix->len++;
}

/* Records its record number under h after the caller checked there is
 * no equal one (a fuller index is doubled first). */
static void index_add(struct gl_index *ix, const struct graph_live *gl, bool swaps, uint64_t h,
                      uint32_t rec)
{
    if (!ix->slot || (size_t)(ix->len + 1) * 2 > (size_t)ix->mask + 1)
        index_grow(ix, gl, swaps);
    index_put(ix, h, rec);
}

static uint32_t swap_find(const struct graph_live *gl, const struct gl_swap *x, uint64_t h)
{
    const struct gl_index *ix = &gl->swap_ix;
    if (!ix->slot)
        return UINT32_MAX;
    for (uint32_t i = (uint32_t)h & ix->mask; ix->slot[i] != UINT32_MAX; i = (i + 1) & ix->mask)
        if (swap_same(&gl->swaps.v[ix->slot[i]], x))
            return ix->slot[i];
    return UINT32_MAX;
}

/* The kept record that x can fold into (the latest of its equals), or
 * UINT32_MAX. */
static uint32_t xfer_find(const struct graph_live *gl, const struct gl_xfer *x, uint64_t h)
{
    const struct gl_index *ix = &gl->xfer_ix;
    uint32_t best = UINT32_MAX;
    if (!ix->slot)
        return best;
    for (uint32_t i = (uint32_t)h & ix->mask; ix->slot[i] != UINT32_MAX; i = (i + 1) & ix->mask)
        if (xfer_same(&gl->xfers.v[ix->slot[i]], x) && (best == UINT32_MAX || ix->slot[i] > best))
            best = ix->slot[i];
    return best;
}

/* Whether a copy of kept record r, arriving now, would come out as r did;
 * if so it is folded in (its counts added) and true returned. */
static bool fold_xfer(struct graph_live *gl, uint32_t ri)
{
    struct gl_xfer *r = &gl->xfers.v[ri];
    const struct graph_params *p = &gl->p;
    const struct pair_val *bv = pm_get(&gl->sent, pm_key(r->to, r->from), false);
    const struct gl_wallet *from = &gl->w.v[r->from], *to = &gl->w.v[r->to];
    if ((bv != NULL) != r->back || from->fan != r->fan_at || (bv && bv->last_ms > r->ts))
        return false;
    bool count =
        r->elig && !from->hub && (r->ts <= to->first || buy_within(to, r->ts, p->fund_window_ms));
    if (count != r->counted)
        return false;
    bool sweep =
        r->sol && !to->hub && r->amount >= p->sweep_min_lamports && from->first < r->ts && r->back;
    if (sweep != r->swept || r->mult == UINT32_MAX)
        return false;
    r->mult++;
    if (count) {
        pm_hit(&gl->acc[GK_FUNDED_BY], r->to, r->from, r->ts);
        touch(gl, GK_FUNDED_BY, r->to, r->from);
    }
    if (sweep) {
        pm_hit(&gl->acc[GK_SWEEP], r->from, r->to, r->ts);
        touch(gl, GK_SWEEP, r->from, r->to);
    }
    return true;
}

void graph_live_add_swap(struct graph_live *gl, const struct swap_event *s)
{
    gl->swaps_seen++;
    if (s->ts_ms > gl->latest)
        gl->latest = s->ts_ms;
    if (s->ts_ms < gl->cutoff) {
        gl->too_old++;
        return;
    }
    struct gl_swap x = {wallet_id(gl, &s->wallet), NO_MINT, s->ts_ms};
    if (s->side == SIDE_BUY) {
        x.mint = intern_put(&gl->mints, s->mint.b);
        while (gl->m.len <= x.mint)
            (void)vec_push_zero(&gl->m);
    }
    uint64_t h = swap_hash(&x);
    if (swap_find(gl, &x, h) != UINT32_MAX)
        return; /* changes nothing (see "repeats") */
    vec_push(&gl->swaps, x);
    index_add(&gl->swap_ix, gl, true, h, (uint32_t)(gl->swaps.len - 1));
    if (gl->replay)
        return;
    if (gl->pending.len > 0 && x.ts != gl->pending_ts)
        release_pending(gl);
    if (gl->pending.len == 0 || x.ts == gl->pending_ts) {
        if (gl->pending.len == 0 && gl->swaps.len > 1 && x.ts < gl->pending_ts) {
            swap_now(gl, &x); /* out of order: at once, checked */
            return;
        }
        gl->pending_ts = x.ts;
        vec_push(&gl->pending, (uint32_t)(gl->swaps.len - 1));
    }
}

void graph_live_add_transfer(struct graph_live *gl, const struct transfer_event *t)
{
    static const uint8_t zero[32];
    if (t->amount == 0 || memcmp(t->from.b, t->to.b, 32) == 0)
        return; /* as graph_add_transfer */
    gl->xfers_seen++;
    if (t->ts_ms < gl->cutoff) {
        gl->too_old++;
        return;
    }
    struct gl_xfer x = {
        .from = wallet_id(gl, &t->from),
        .to = wallet_id(gl, &t->to),
        .ts = t->ts_ms,
        .amount = t->amount,
        .mult = 1,
        .sol = memcmp(t->mint.b, zero, 32) == 0,
    };
    if (!gl->replay && gl->pending.len > 0 && x.ts > gl->pending_ts)
        release_pending(gl);
    uint64_t h = xfer_hash(&x);
    uint32_t ri = gl->replay ? UINT32_MAX : xfer_find(gl, &x, h);
    if (ri != UINT32_MAX && fold_xfer(gl, ri))
        return;
    vec_push(&gl->xfers, x);
    index_add(&gl->xfer_ix, gl, false, h, (uint32_t)(gl->xfers.len - 1));
    if (!gl->replay && !apply_xfer(gl, (uint32_t)(gl->xfers.len - 1), true)) {
        gl->replay = true;
        gl->replays++;
    }
}

/* ------------------------------------------------------------ replay */

struct ord {
    int64_t ts;
    uint32_t rank; /* swaps: the wallet's rank by key; transfers: 0 */
    uint32_t idx;  /* arrival index within its kind */
};

static int cmp_ord(const void *x, const void *y)
{
    const struct ord *a = x, *b = y;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static _Thread_local const struct intern *rank_keys;

static int cmp_id_key(const void *x, const void *y)
{
    return graph_key_cmp(intern_key(rank_keys, *(const uint32_t *)x),
                         intern_key(rank_keys, *(const uint32_t *)y));
}

static void do_replay(struct graph_live *gl)
{
    for (size_t i = 0; i < gl->w.len; i++)
        wallet_clear(&gl->w.v[i], false);
    for (size_t i = 0; i < gl->m.len; i++)
        vec_clear(&gl->m.v[i].fb);
    pm_free(&gl->firstbuy);
    pm_init(&gl->firstbuy, gl->swaps.len);
    pm_free(&gl->sent);
    pm_init(&gl->sent, gl->xfers.len);
    for (int k = 0; k < GK_COUNT; k++) {
        pm_free(&gl->acc[k]);
        pm_init(&gl->acc[k], 256);
        vec_clear(&gl->touched[k]);
    }
    vec_clear(&gl->dirty);
    uint32_t nw = gl->wallets.count;
    uint32_t *byk = xmalloc(((size_t)nw + 1) * sizeof *byk),
             *rank = xmalloc(((size_t)nw + 1) * sizeof *byk);
    for (uint32_t i = 0; i < nw; i++)
        byk[i] = i;
    rank_keys = &gl->wallets;
    qsort(byk, nw, sizeof *byk, cmp_id_key);
    rank_keys = NULL;
    for (uint32_t i = 0; i < nw; i++)
        rank[byk[i]] = i;
    free(byk);
    size_t ns = gl->swaps.len, nx = gl->xfers.len;
    struct ord *os = xmalloc((ns + 1) * sizeof *os), *ox = xmalloc((nx + 1) * sizeof *ox);
    for (size_t i = 0; i < ns; i++)
        os[i] = (struct ord){gl->swaps.v[i].ts, rank[gl->swaps.v[i].w], (uint32_t)i};
    for (size_t i = 0; i < nx; i++) {
        ox[i] = (struct ord){gl->xfers.v[i].ts, 0, (uint32_t)i};
        gl->xfers.v[i].counted = gl->xfers.v[i].elig = false;
    }
    free(rank);
    qsort(os, ns, sizeof *os, cmp_ord);
    qsort(ox, nx, sizeof *ox, cmp_ord);
    size_t i = 0, j = 0;
    while (i < ns || j < nx) {
        if (j >= nx || (i < ns && os[i].ts <= ox[j].ts))
            (void)apply_swap(gl, &gl->swaps.v[os[i++].idx], false);
        else
            (void)apply_xfer(gl, ox[j++].idx, false);
    }
    free(os);
    free(ox);
    vec_clear(&gl->pending);
    gl->replay = false;
    gl->all = true;
}

/* ------------------------------------------------------------ window */

int64_t graph_live_latest(const struct graph_live *gl)
{
    return gl->latest;
}

int64_t graph_live_cutoff(const struct graph_live *gl)
{
    return gl->cutoff;
}

/* The kept records at or after the cutoff move to a new graph_live (new
 * wallet and mint ids: only what is still referenced is interned again),
 * whose evidence the next changes call rebuilds from them (a replay);
 * then the two swap contents and the old one is freed. */
void graph_live_set_cutoff(struct graph_live *gl, int64_t cutoff_ms)
{
    if (cutoff_ms <= gl->cutoff)
        return;
    int rc;
    struct graph_live *n = graph_live_new(&gl->p, &rc);
    if (!n)
        abort(); /* the hubs parsed when gl was made */
    struct pubkey k;
    for (size_t i = 0; i < gl->swaps.len; i++) {
        const struct gl_swap *s = &gl->swaps.v[i];
        if (s->ts < cutoff_ms)
            continue;
        memcpy(k.b, intern_key(&gl->wallets, s->w), 32);
        struct gl_swap x = {wallet_id(n, &k), NO_MINT, s->ts};
        if (s->mint != NO_MINT) {
            x.mint = intern_put(&n->mints, intern_key(&gl->mints, s->mint));
            while (n->m.len <= x.mint)
                (void)vec_push_zero(&n->m);
        }
        vec_push(&n->swaps, x);
        index_add(&n->swap_ix, n, true, swap_hash(&x), (uint32_t)(n->swaps.len - 1));
    }
    for (size_t i = 0; i < gl->xfers.len; i++) {
        const struct gl_xfer *r = &gl->xfers.v[i];
        if (r->ts < cutoff_ms)
            continue;
        struct gl_xfer x = {.ts = r->ts, .amount = r->amount, .mult = r->mult, .sol = r->sol};
        memcpy(k.b, intern_key(&gl->wallets, r->from), 32);
        x.from = wallet_id(n, &k);
        memcpy(k.b, intern_key(&gl->wallets, r->to), 32);
        x.to = wallet_id(n, &k);
        vec_push(&n->xfers, x);
        index_add(&n->xfer_ix, n, false, xfer_hash(&x), (uint32_t)(n->xfers.len - 1));
    }
    n->cutoff = cutoff_ms;
    n->latest = gl->latest;
    n->swaps_seen = gl->swaps_seen;
    n->xfers_seen = gl->xfers_seen;
    n->too_old = gl->too_old;
    n->replays = gl->replays;
    n->compactions = gl->compactions + 1;
    n->replay = true; /* every rule applied again, in time order */
    struct graph_live old = *gl;
    *gl = *n;
    *n = old;
    graph_live_free(n);
}

/* ------------------------------------------------------------ changes */

/* The edge (kind, key) would be now; false when there is none. */
static bool current(const struct graph_live *gl, int kind, uint64_t key, struct graph_edge *e)
{
    struct pair_val *v = pm_get((struct pair_map *)&gl->acc[kind], key, false);
    if (!v || v->count == 0)
        return false;
    uint32_t a = (uint32_t)(key >> 32), b = (uint32_t)key;
    *e = (struct graph_edge){a, b, (uint8_t)kind, v->count, 1.0, v->first_ms, v->last_ms};
    if (kind == GK_SYNCED_BUY || kind == GK_CO_EARLY) {
        const struct gl_wallet *wa = &gl->w.v[a], *wb = &gl->w.v[b];
        double sa = kind == GK_SYNCED_BUY ? wa->nm : wa->ne;
        double sb = kind == GK_SYNCED_BUY ? wb->nm : wb->ne;
        double uni = sa + sb - (double)v->count;
        e->weight = uni > 0 ? (double)v->count / uni : 0;
        uint32_t min = kind == GK_SYNCED_BUY ? gl->p.sync_min : gl->p.early_min;
        double jmin = kind == GK_SYNCED_BUY ? gl->p.sync_jaccard : gl->p.early_jaccard;
        if (v->count < min || e->weight < jmin)
            return false;
        if (key_cmp(gl, a, b) > 0) {
            e->a = b;
            e->b = a;
        }
    }
    return true;
}

static void diff_one(struct graph_live *gl, int kind, uint64_t key,
                     struct graph_live_change_vec *out)
{
    struct graph_edge e;
    bool now = current(gl, kind, key, &e);
    struct pair_val *w = pm_get(&gl->written[kind], key, now);
    bool was = w && w->count > 0;
    if (!now && !was)
        return;
    if (now && was && w->count == e.count && w->weight == e.weight && w->first_ms == e.first_ms &&
        w->last_ms == e.last_ms)
        return;
    struct graph_live_change *c = vec_push_zero(out);
    if (now) {
        c->e = e;
        w->count = e.count;
        w->weight = e.weight;
        w->first_ms = e.first_ms;
        w->last_ms = e.last_ms;
    } else {
        /* Gone: the written orientation (undirected kinds by key). */
        uint32_t a = (uint32_t)(key >> 32), b = (uint32_t)key;
        bool swap = (kind == GK_SYNCED_BUY || kind == GK_CO_EARLY) && key_cmp(gl, a, b) > 0;
        c->e = (struct graph_edge){swap ? b : a, swap ? a : b, (uint8_t)kind, w->count,
                                   w->weight,    w->first_ms,  w->last_ms};
        c->removed = true;
        w->count = 0;
    }
}

void graph_live_changes(struct graph_live *gl, struct graph_live_change_vec *out)
{
    release_pending(gl);
    if (gl->replay)
        do_replay(gl);
    if (gl->all) {
        for (int k = 0; k < GK_COUNT; k++) {
            struct pair_map *m = &gl->acc[k];
            for (size_t i = 0; i < m->cap; i++)
                if (m->keys[i] != PM_EMPTY)
                    diff_one(gl, k, m->keys[i], out);
            struct pair_map *w = &gl->written[k];
            for (size_t i = 0; i < w->cap; i++)
                if (w->keys[i] != PM_EMPTY && w->vals[i].count > 0)
                    diff_one(gl, k, w->keys[i], out);
        }
    } else {
        for (int k = 0; k < GK_COUNT; k++)
            for (size_t i = 0; i < gl->touched[k].len; i++)
                diff_one(gl, k, gl->touched[k].v[i], out);
        /* A wallet's new mint lowers the Jaccard weight of its pairs whose
         * count did not change (those that did were touched): only an
         * edge already written can change that way, by its weight or by
         * falling under the bar. */
        for (int k = 0; k < 2 && gl->dirty.len > 0; k++) {
            struct pair_map *wm = &gl->written[pair_kind[k]];
            for (size_t i = 0; i < wm->cap; i++) {
                if (wm->keys[i] == PM_EMPTY || wm->vals[i].count == 0)
                    continue;
                uint32_t a = (uint32_t)(wm->keys[i] >> 32), b = (uint32_t)wm->keys[i];
                if (gl->w.v[a].dirty || gl->w.v[b].dirty)
                    diff_one(gl, pair_kind[k], wm->keys[i], out);
            }
        }
    }
    for (int k = 0; k < GK_COUNT; k++)
        vec_clear(&gl->touched[k]);
    for (size_t i = 0; i < gl->dirty.len; i++)
        gl->w.v[gl->dirty.v[i]].dirty = false;
    vec_clear(&gl->dirty);
    gl->all = false;
}

static _Thread_local const struct graph_live *edge_gl;

static int cmp_edge_key(const void *x, const void *y)
{
    const struct graph_edge *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = key_cmp(edge_gl, a->a, b->a);
    return c != 0 ? c : key_cmp(edge_gl, a->b, b->b);
}

void graph_live_edges(struct graph_live *gl, struct graph_edge_vec *out)
{
    release_pending(gl);
    if (gl->replay)
        do_replay(gl);
    vec_clear(out);
    for (int k = 0; k < GK_COUNT; k++) {
        const struct pair_map *m = &gl->acc[k];
        for (size_t i = 0; i < m->cap; i++) {
            struct graph_edge e;
            if (m->keys[i] != PM_EMPTY && current(gl, k, m->keys[i], &e))
                vec_push(out, e);
        }
    }
    edge_gl = gl;
    if (out->len > 1)
        qsort(out->v, out->len, sizeof *out->v, cmp_edge_key);
    edge_gl = NULL;
}

void graph_live_stats(const struct graph_live *gl, struct graph_live_stats *out)
{
    memset(out, 0, sizeof *out);
    out->swaps = gl->swaps_seen;
    out->transfers = gl->xfers_seen;
    out->swaps_kept = gl->swaps.len;
    out->transfers_kept = gl->xfers.len;
    out->wallets = gl->wallets.count;
    out->replays = gl->replays;
    out->too_old = gl->too_old;
    out->compactions = gl->compactions;
    size_t b = gl->swaps.cap * sizeof *gl->swaps.v + gl->xfers.cap * sizeof *gl->xfers.v +
               ((size_t)gl->swap_ix.mask + (size_t)gl->xfer_ix.mask + 2) * sizeof(uint32_t) +
               gl->pending.cap * sizeof *gl->pending.v + gl->w.cap * sizeof *gl->w.v +
               gl->m.cap * sizeof *gl->m.v;
    for (size_t i = 0; i < gl->w.len; i++) {
        const struct gl_wallet *w = &gl->w.v[i];
        b += w->buys.cap * 8 + w->in.cap * 4;
    }
    for (size_t i = 0; i < gl->m.len; i++)
        b += gl->m.v[i].fb.cap * sizeof(struct gl_first);
    size_t slot = sizeof(uint64_t) + sizeof(struct pair_val);
    b += (gl->firstbuy.cap + gl->sent.cap) * slot;
    for (int k = 0; k < GK_COUNT; k++)
        b += (gl->acc[k].cap + gl->written[k].cap) * slot;
    b += (size_t)gl->wallets.key_cap * 32 + ((size_t)gl->wallets.mask + 1) * 4;
    b += (size_t)gl->mints.key_cap * 32 + ((size_t)gl->mints.mask + 1) * 4;
    out->bytes = b;
}
