/* FIFO ledgers of every observed wallet, fed one swap at a time.
 *
 * Why this exists: every statistic walltrack keeps about a wallet (PnL, win
 * rate, holding time, timing) depends on pairing each sell with the buys it
 * closes. This module does that pairing once, incrementally and in time
 * order, so the engine can feed it live swaps and the metrics read plain
 * records (fills and round trips) instead of re-deriving lots.
 *
 * Shape: wallets and mints are interned (base/intern.h) to dense ids; a
 * position is one (wallet, mint) pair found through a small open-addressing
 * index keyed by (wallet << 32 | mint); positions of one wallet form a
 * singly linked list, newest first, and their ids are also kept in an
 * array per wallet (4 bytes each), so a walk over all of them (a score
 * rebuild, ledger_pos_at) can read ahead instead of waiting for each
 * position's line to find the next. A position is one cache line: what outlives its
 * round trips (first buy, rank, volume bought, dust residue). The open
 * round trip's state, with its lots as a FIFO array with a head index,
 * lives in a pool slot that is returned when the trip closes, so closed
 * positions (most of them) cost 64 bytes and lots buffers are reused. Values are lamports in
 * 128-bit integers while they are summed, and turn into doubles of SOL only in the records handed
 * out. The rules for fees, dust, stablecoin legs and sells without lots are in docs/metrics.md
 * ("Ledger rules").
 *
 * Files: the types and the small shared helpers are in intel/ledger_impl.h
 * (private to the ledger), applying swaps one at a time is here, in
 * batches (several threads, in the background) in intel/ledger_batch.c,
 * reading the ledger (ids, records, position views, memory use, the
 * invariant check) is in intel/ledger_read.c. */
#include "intel/ledger.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "base/err.h"
#include "base/intern.h"
#include "base/mem.h"
#include "base/par.h"
#include "intel/ledger_impl.h"

void ledger_params_default(struct ledger_params *p)
{
    memset(p, 0, sizeof *p);
    p->dust_frac = 0.001;
    p->dust_lamports = 1000000;
    p->sol_usd = 0;
    p->keep_fills = true;
    p->batch_threads = 0;
}

void ledger_map_grow(struct ledger *l)
{
    uint32_t old_n = l->map_mask + 1, n = old_n * 2;
    struct map_slot *old = l->map;
    l->map = xcalloc(n, sizeof *l->map);
    l->map_mask = n - 1;
    for (uint32_t i = 0; i < old_n; i++) {
        if (!old[i].key)
            continue;
        uint32_t s = map_hash(old[i].key) & l->map_mask;
        while (l->map[s].key)
            s = (s + 1) & l->map_mask;
        l->map[s] = old[i];
    }
    free(old);
}

/* Returns the position of (wallet, mint), creating it. With a worker, the
 * index slot is claimed by compare-and-swap (the threads insert disjoint
 * wallets, and the index and the positions were sized beforehand). */
static uint32_t pos_get(struct ledger *l, uint32_t wallet, uint32_t mint, struct worker *wk)
{
    uint64_t k = ((uint64_t)wallet << 32 | mint) + 1;
    uint32_t s = map_hash(k) & l->map_mask;
    for (;; s = (s + 1) & l->map_mask) {
        uint64_t sk = __atomic_load_n(&l->map[s].key, __ATOMIC_RELAXED);
        if (sk == k)
            return l->map[s].val;
        if (sk)
            continue;
        uint64_t empty = 0;
        if (!wk || __atomic_compare_exchange_n(&l->map[s].key, &empty, k, false, __ATOMIC_RELAXED,
                                               __ATOMIC_RELAXED))
            break; /* else another thread's key took it: probe on */
    }
    uint32_t id;
    struct pos *p;
    if (wk) {
        id = (uint32_t)__atomic_fetch_add(wk->pos_len, 1, __ATOMIC_RELAXED);
        assert(id < l->pos.cap);
        p = memset(&l->pos.v[id], 0, sizeof *p);
    } else {
        id = (uint32_t)l->pos.len;
        p = vec_push_zero(&l->pos);
        l->map[s].key = k;
    }
    p->wallet = wallet;
    p->mint = mint;
    p->buy_rank = LEDGER_NONE;
    p->open = LEDGER_NONE;
    struct ledger_wallet *w = &l->wallets.v[wallet];
    p->next = w->first_pos;
    w->first_pos = id;
    w->n_pos++;
    vec_push(&w->pos_ids, id);
    l->map[s].val = id;
    if (!wk && (uint64_t)l->pos.len * 2 > (uint64_t)l->map_mask + 1)
        ledger_map_grow(l);
    return id;
}

struct ledger *ledger_new(const struct ledger_params *p, uint32_t wallets)
{
    struct ledger *l = xcalloc(1, sizeof *l);
    if (p)
        l->p = *p;
    else
        ledger_params_default(&l->p);
    intern_init(&l->wallet_ids, wallets);
    intern_init(&l->mint_ids, wallets / 4 + 16);
    uint32_t n = 1024;
    while (n < wallets * 4u && n < (1u << 30))
        n *= 2;
    l->map = xcalloc(n, sizeof *l->map);
    l->map_mask = n - 1;
    l->open_free = LEDGER_NONE;
    int rc = pubkey_parse(MINT_WSOL, &l->wsol) | pubkey_parse(MINT_USDC, &l->usdc) |
             pubkey_parse(MINT_USDT, &l->usdt);
    assert(rc == 0);
    (void)rc;
    return l;
}

void ledger_free(struct ledger *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->wallets.len; i++) {
        vec_free(&l->wallets.v[i].trips);
        vec_free(&l->wallets.v[i].fills);
        vec_free(&l->wallets.v[i].pos_ids);
    }
    for (size_t i = 0; i < l->open.len; i++)
        free(l->open.v[i].lots);
    vec_free(&l->wallets);
    vec_free(&l->mints);
    vec_free(&l->pos);
    vec_free(&l->open);
    free(l->map);
    intern_release(&l->wallet_ids);
    intern_release(&l->mint_ids);
    free(l);
}

static uint32_t mint_put(struct ledger *l, const struct pubkey *mint)
{
    uint32_t id = intern_put(&l->mint_ids, mint->b);
    assert(id != INTERN_NONE);
    if (id == l->mints.len) {
        struct ledger_mint *m = vec_push_zero(&l->mints);
        m->launch_ms = INT64_MIN;
    }
    return id;
}

static uint8_t source_id(struct ledger *l, const char *src)
{
    size_t n = strnlen(src, EVENT_SOURCE_MAX);
    for (uint32_t i = 0; i < l->n_sources; i++)
        if (strncmp(l->sources[i], src, EVENT_SOURCE_MAX) == 0)
            return (uint8_t)i;
    if (l->n_sources == LEDGER_SOURCE_MAX)
        return LEDGER_SOURCE_MAX - 1;
    memcpy(l->sources[l->n_sources], src, n);
    l->sources[l->n_sources][n < EVENT_SOURCE_MAX ? n : EVENT_SOURCE_MAX - 1] = 0;
    return (uint8_t)l->n_sources++;
}

/* a * b / c without overflow; a, b, c < 2^64 and b <= c give a result <= a. */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
    return (uint64_t)((u128)a * b / c);
}

/* Signed magnitude form of muldiv for net proceeds (|net| < 2^64). */
static i128 smuldiv(i128 net, uint64_t b, uint64_t c)
{
    if (net >= 0)
        return (i128)muldiv((uint64_t)net, b, c);
    return -(i128)muldiv((uint64_t)(-net), b, c);
}

static uint64_t sol_to_lamports(double sol)
{
    double v = sol * LAMPORTS_PER_SOL;
    if (!(v > 0))
        return 0;
    if (v >= 18446744073709549568.0)
        return UINT64_MAX;
    return (uint64_t)llround(v);
}

/* Values the quote leg of ev. Returns false when it cannot be valued in
 * SOL; *usd is NAN when no USD value is known. */
static bool value_leg(const struct ledger *l, const struct swap_event *ev, uint64_t *lamports,
                      double *usd, double *rate, uint16_t *flags)
{
    double r =
        (ev->price_usd > 0 && ev->price_sol > 0) ? ev->price_usd / ev->price_sol : l->p.sol_usd;
    *rate = r > 0 ? r : 0;
    *usd = NAN;
    if (ev->quote_amount > 0 && pubkey_eq(&ev->quote_mint, &l->wsol)) {
        *lamports = ev->quote_amount;
        if (*rate > 0)
            *usd = (double)ev->quote_amount / LAMPORTS_PER_SOL * *rate;
        return true;
    }
    if (ev->quote_amount > 0 &&
        (pubkey_eq(&ev->quote_mint, &l->usdc) || pubkey_eq(&ev->quote_mint, &l->usdt))) {
        *flags |= LEDGER_FILL_USD_QUOTE;
        *usd = (double)ev->quote_amount / pow10_of(ev->quote_decimals);
        if (!(*rate > 0))
            return false;
        *lamports = sol_to_lamports(*usd / *rate);
        return true;
    }
    if (ev->price_sol > 0) { /* unknown or exotic quote: value at the price */
        double sol = (double)ev->token_amount / pow10_of(ev->decimals) * ev->price_sol;
        *lamports = sol_to_lamports(sol);
        if (*rate > 0)
            *usd = sol * *rate;
        return true;
    }
    return false;
}

/* Takes a free trip_state slot (or a new one) for a trip that opens; its
 * lots buffer, if any, is kept from the last trip that used it. Returns
 * its index; may move l->open.v (never with a worker: its fresh slots
 * were reserved). */
static uint32_t trip_state_get(struct ledger *l, struct worker *wk)
{
    uint32_t *free_head = wk ? &wk->open_free : &l->open_free;
    uint32_t id = *free_head;
    if (id != LEDGER_NONE) {
        *free_head = l->open.v[id].next_free;
    } else if (wk) {
        id = (uint32_t)__atomic_fetch_add(wk->open_len, 1, __ATOMIC_RELAXED);
        assert(id < l->open.cap);
        memset(&l->open.v[id], 0, sizeof l->open.v[id]);
    } else {
        id = (uint32_t)l->open.len;
        vec_push_zero(&l->open);
    }
    struct trip_state *t = &l->open.v[id];
    struct lot *lots = t->lots;
    uint32_t cap = t->cap;
    memset(t, 0, sizeof *t);
    t->lots = lots;
    t->cap = cap;
    t->next_free = LEDGER_NONE;
    if (wk)
        wk->n_open++;
    else
        l->n_open++;
    return id;
}

static void trip_state_put(struct ledger *l, uint32_t id, struct worker *wk)
{
    uint32_t *free_head = wk ? &wk->open_free : &l->open_free;
    l->open.v[id].next_free = *free_head;
    *free_head = id;
    if (wk)
        wk->n_open--;
    else
        l->n_open--;
}

/* Room for one more lot at the end. */
static void lots_room(struct trip_state *p)
{
    if (p->len == p->cap) {
        if (p->head > p->cap / 2) { /* compact instead of growing */
            memmove(p->lots, p->lots + p->head, (p->len - p->head) * sizeof *p->lots);
            p->len -= p->head;
            p->head = 0;
        } else {
            p->cap = p->cap ? p->cap * 2 : 2;
            p->lots = xreallocarray(p->lots, p->cap, sizeof *p->lots);
        }
    }
}

static void lots_push(struct trip_state *p, struct lot lt, bool separate)
{
    if (p->head > 0 && p->head == p->len)
        p->head = p->len = 0;
    struct lot *last = p->len > p->head ? &p->lots[p->len - 1] : NULL;
    if (!separate && last && last->qty == lt.qty && last->cost == lt.cost &&
        last->ts_ms == lt.ts_ms && last->unknown == lt.unknown && last->n < UINT32_MAX) {
        last->n++;
        return;
    }
    lots_room(p);
    lt.n = 1;
    p->lots[p->len++] = lt;
}

/* Splits the first lot of the head run off as a lot of its own, so that a
 * sell can take part of it. */
static void lots_split_head(struct trip_state *p)
{
    if (p->head == 0) {
        lots_room(p); /* compacts only when head > 0: not here */
        memmove(p->lots + 1, p->lots, p->len * sizeof *p->lots);
        p->len++;
    } else {
        p->head--;
        p->lots[p->head] = p->lots[p->head + 1];
    }
    p->lots[p->head].n = 1;
    p->lots[p->head + 1].n--;
}

/* Closes the open trip of p (state o): writes off remaining lots as dust
 * and appends the round trip. The caller frees the slot. Returns the cost
 * written off (lamports). */
static uint64_t trip_close(struct pos *pp, struct trip_state *p, struct ledger_wallet *w,
                           int64_t ts, uint32_t *trip_index)
{
    u128 wo = 0;
    bool dust = p->head < p->len;
    for (uint32_t i = p->head; i < p->len; i++) {
        wo += (u128)p->lots[i].cost * p->lots[i].n;
        if (p->lots[i].unknown)
            p->trip_unknown = 1;
    }
    pp->residual += p->qty;
    p->qty = 0;
    p->head = p->len = 0;
    struct ledger_trip t = {0};
    t.open_ms = p->trip_open_ms;
    t.close_ms = ts;
    t.cost_sol = ldsol(p->trip_cost);
    t.proceeds_sol = ldsol(p->trip_proceeds);
    t.pnl_sol = ldsol(p->trip_proceeds - p->trip_cost);
    t.wallet = pp->wallet;
    t.mint = pp->mint;
    t.n_buys = p->n_buys;
    t.n_sells = p->n_sells;
    if (p->trip_usd) {
        t.flags |= LEDGER_TRIP_USD;
        t.cost_usd = p->trip_cost_usd;
        t.pnl_usd = p->trip_proceeds_usd - p->trip_cost_usd;
    }
    if (p->trip_unknown)
        t.flags |= LEDGER_TRIP_UNKNOWN_BASIS;
    if (dust)
        t.flags |= LEDGER_TRIP_DUST;
    *trip_index = (uint32_t)w->trips.len;
    vec_push(&w->trips, t);
    return wo > UINT64_MAX ? UINT64_MAX : (uint64_t)wo;
}

/* The mint's part of norm_swap (wid: the wallet's id, or LEDGER_NONE). */
static void norm_mint(struct ledger *l, const struct swap_event *ev, uint32_t wid, struct norm *n)
{
    uint32_t mid = mint_put(l, &ev->mint);
    struct ledger_mint *m = &l->mints.v[mid];
    n->ts_ms = ev->ts_ms;
    n->slot = ev->slot;
    n->qty = ev->token_amount;
    n->wallet = wid;
    n->mint = mid;
    n->side = (uint8_t)ev->side;
    n->source = source_id(l, ev->source);
    n->decimals = ev->decimals;
    n->leg = ev->leg > 0;
    n->flags = 0;
    if (strncmp(ev->source, "PUMP_FUN", EVENT_SOURCE_MAX) == 0)
        n->flags |= LEDGER_FILL_BONDING;

    m->decimals = ev->decimals;
    if (m->launch_ms == INT64_MIN) {
        m->launch_ms = ev->ts_ms;
        m->launch_slot = ev->slot;
    }
    if (m->launch_slot != 0 && ev->slot == m->launch_slot)
        n->flags |= LEDGER_FILL_FIRST_SLOT;

    n->value = 0;
    bool valued = value_leg(l, ev, &n->value, &n->usd, &n->rate, &n->flags);
    if (!valued)
        n->flags |= LEDGER_FILL_NO_VALUE;
    n->fee = ev->fee_lamports;
    memcpy(&n->sig8, ev->sig.b, sizeof n->sig8);
    double tokens = (double)ev->token_amount / pow10_of(ev->decimals);
    double price = ev->price_sol > 0 ? ev->price_sol
                                     : (valued ? (double)n->value / LAMPORTS_PER_SOL / tokens : 0);
    n->price = price;
    if (price > 0) {
        m->last_price_sol = price;
        m->last_price_ms = ev->ts_ms;
        if (price > m->peak_price_sol) {
            m->peak_price_sol = price;
            m->peak_ms = ev->ts_ms;
        }
        if (n->rate > 0)
            m->last_price_usd = price * n->rate;
    }
}

/* The market-wide part of an apply, in tape order: interns the wallet
 * (wid: its id, or INTERN_NONE when new) and the mint, and updates the
 * mint's facts (launch, decimals, prices). The caller has validated ev. */
void ledger_norm_swap(struct ledger *l, const struct swap_event *ev, uint32_t wid, struct norm *n)
{
    if (wid == INTERN_NONE) {
        wid = intern_put(&l->wallet_ids, ev->wallet.b);
        assert(wid == l->wallets.len);
        struct ledger_wallet *nw = vec_push_zero(&l->wallets);
        nw->first_pos = LEDGER_NONE;
        nw->first_ms = ev->ts_ms;
    }
    norm_mint(l, ev, wid, n);
}

/* The wallet's part of an apply. A first buy takes the next rank among the
 * mint's buyers, unless defer_pos is not NULL: then the position's rank is
 * left LEDGER_PENDING, the fill's LEDGER_NONE, and the position's id is
 * written to *defer_pos (the batch gives ranks in tape order). Returns
 * the fill: the one appended to the wallet's fills when they are kept,
 * else scratch. */
const struct ledger_fill *ledger_apply_norm(struct ledger *l, const struct norm *n,
                                            struct ledger_fill *scratch, uint32_t *defer_pos,
                                            struct worker *wk)
{
    uint32_t pid = pos_get(l, n->wallet, n->mint, wk); /* may move l->pos.v: index first */
    struct pos *p = &l->pos.v[pid];
    struct ledger_wallet *w = &l->wallets.v[n->wallet];
    bool valued = !(n->flags & LEDGER_FILL_NO_VALUE);
    uint64_t value = n->value;
    double usd = n->usd, rate = n->rate, price = n->price;

    /* The fill is written where it stays (the wallet's vector) or in
     * scratch: building it on the stack and copying it costs store-forward
     * stalls on its narrow fields. */
    struct ledger_fill *f = scratch;
    if (l->p.keep_fills) {
        vec_reserve(&w->fills, w->fills.len + 1);
        f = &w->fills.v[w->fills.len];
    }
    memset(f, 0, sizeof *f);
    f->ts_ms = n->ts_ms;
    f->slot = n->slot;
    f->qty = n->qty;
    f->wallet = n->wallet;
    f->mint = n->mint;
    f->trip = LEDGER_NONE;
    f->buy_rank = LEDGER_NONE;
    f->side = n->side;
    f->source = n->source;
    f->flags = n->flags;

    uint64_t fee = n->fee;
    if (n->leg && w->n_swaps > 0 && n->sig8 == w->last_sig) {
        fee = 0;
        f->flags |= LEDGER_FILL_FEE_SHARED;
    }
    f->value_sol = valued ? (double)value / LAMPORTS_PER_SOL : 0;
    f->fee_sol = (double)fee / LAMPORTS_PER_SOL;
    f->price_sol = price;
    double fee_usd = rate > 0 ? f->fee_sol * rate : NAN;

    if (n->side == SIDE_BUY) {
        if (p->buy_rank == LEDGER_NONE) {
            if (defer_pos) {
                p->buy_rank = LEDGER_PENDING;
                *defer_pos = pid;
            } else {
                p->buy_rank = l->mints.v[n->mint].n_buyers++;
                f->buy_rank = p->buy_rank;
            }
            p->first_buy_ms = n->ts_ms;
            p->first_buy_price = price;
            f->flags |= LEDGER_FILL_FIRST_BUY;
        }
        if (p->open == LEDGER_NONE) {
            uint32_t id = trip_state_get(l, wk);
            p->open = id;
            struct trip_state *o = &l->open.v[id];
            o->trip_open_ms = n->ts_ms;
            o->trip_usd = 1;
            f->flags |= LEDGER_FILL_OPENED;
        }
        struct trip_state *o = &l->open.v[p->open];
        u128 c = (u128)value + fee;
        struct lot lt = {n->qty, c > UINT64_MAX ? UINT64_MAX : (uint64_t)c, n->ts_ms, !valued, 1};
        lots_push(o, lt, l->p.separate_lots);
        o->qty += n->qty;
        if (o->qty > o->peak_qty)
            o->peak_qty = o->qty;
        o->trip_cost += (i128)lt.cost;
        if (o->n_buys < UINT16_MAX)
            o->n_buys++;
        if (!valued)
            o->trip_unknown = 1;
        if (isnan(usd) || isnan(fee_usd))
            o->trip_usd = 0;
        else
            o->trip_cost_usd += usd + fee_usd;
        w->n_buys++;
        w->buy_volume_sol += f->value_sol;
        p->bought_sol += f->value_sol;
    } else {
        uint64_t q = n->qty;
        i128 net = (i128)value - (i128)fee;
        /* 1. dust residue of an earlier close, at zero cost */
        uint64_t take_r = p->residual < q ? (uint64_t)p->residual : q;
        p->residual -= take_r;
        /* 2. FIFO lots; a position without an open trip holds none */
        struct trip_state *o = p->open != LEDGER_NONE ? &l->open.v[p->open] : NULL;
        uint64_t rem = q - take_r, known = 0;
        u128 consumed = 0;
        bool touched_unknown = false;
        while (o && rem > 0 && o->head < o->len) {
            struct lot *lt = &o->lots[o->head];
            if (lt->n > 1 && rem >= lt->qty) { /* whole lots of a run */
                uint64_t k = rem / lt->qty < lt->n ? rem / lt->qty : lt->n;
                consumed += (u128)lt->cost * k;
                rem -= k * lt->qty;
                known += k * lt->qty;
                touched_unknown |= lt->unknown != 0;
                lt->n -= (uint32_t)k;
                if (lt->n == 0)
                    o->head++;
                continue;
            }
            if (lt->n > 1) { /* part of its first lot */
                lots_split_head(o);
                lt = &o->lots[o->head];
            }
            uint64_t t = rem < lt->qty ? rem : lt->qty;
            uint64_t c = t == lt->qty ? lt->cost : muldiv(lt->cost, t, lt->qty);
            lt->cost -= c;
            lt->qty -= t;
            rem -= t;
            known += t;
            consumed += c;
            touched_unknown |= lt->unknown != 0;
            if (lt->qty == 0)
                o->head++;
        }
        if (o)
            o->qty -= known;
        /* 3. proceeds split pro rata between residue, lots and unknown basis */
        i128 p_lot = valued ? smuldiv(net, known, q) : 0;
        i128 p_res = valued ? smuldiv(net, take_r, q) : 0;
        i128 p_unk = valued ? net - p_lot - p_res : 0;
        double realized = 0;
        if (known > 0) {
            assert(o);
            f->basis_sol = ldsol((i128)consumed);
            if (valued && !touched_unknown)
                realized = ldsol(p_lot - (i128)consumed);
            o->trip_proceeds += p_lot;
            if (o->n_sells < UINT16_MAX)
                o->n_sells++;
            if (!valued || touched_unknown)
                o->trip_unknown = 1;
            if (isnan(usd) || isnan(fee_usd))
                o->trip_usd = 0;
            else
                o->trip_proceeds_usd += (usd - fee_usd) * (double)known / (double)q;
        }
        realized += ldsol(p_res);
        if (rem > 0) {
            f->flags |= LEDGER_FILL_UNKNOWN_BASIS;
            w->n_unknown_sells++;
            w->unknown_proceeds_sol += ldsol(p_unk);
        }
        /* 4. close the round trip when flat or dust */
        if (o) {
            bool close = o->qty == 0;
            if (!close && (long double)o->qty <= (long double)o->peak_qty * l->p.dust_frac)
                close = true;
            if (!close && price > 0 &&
                (long double)o->qty / pow10_of(n->decimals) * price * 1e9L <=
                    (long double)l->p.dust_lamports)
                close = true;
            if (close) {
                uint64_t wo = trip_close(p, o, w, n->ts_ms, &f->trip);
                trip_state_put(l, p->open, wk);
                p->open = LEDGER_NONE;
                f->flags |= LEDGER_FILL_CLOSED;
                f->basis_sol += (double)wo / LAMPORTS_PER_SOL;
                if (!(w->trips.v[f->trip].flags & LEDGER_TRIP_UNKNOWN_BASIS))
                    realized -= (double)wo / LAMPORTS_PER_SOL;
            }
        }
        f->realized_sol = realized;
        w->realized_sol += realized;
        w->n_sells++;
        w->sell_volume_sol += f->value_sol;
    }
    w->fees_sol += f->fee_sol;
    w->n_swaps++;
    w->last_ms = n->ts_ms;
    w->last_sig = n->sig8;
    if (l->p.keep_fills)
        w->fills.len++;
    return f;
}

/* Debug builds assert ledger_ok() where the ledger changes: after
 * applied swaps, each time their count passes a power of two, so the
 * O(size) check costs O(1) per swap amortised. Compiled out under NDEBUG. */
void ledger_debug_assert(struct ledger *l, uint64_t applied)
{
#ifndef NDEBUG
    uint64_t old = l->n_applied;
    l->n_applied += applied;
    if (applied > 0 && (old == 0 || __builtin_clzll(l->n_applied) < __builtin_clzll(old))) {
        l->n_checked++;
        assert(ledger_ok(l));
    }
#else
    (void)l;
    (void)applied;
#endif
}

uint64_t ledger_debug_checks(const struct ledger *l)
{
    return l->n_checked;
}

uint64_t ledger_parallel_flushes(const struct ledger *l)
{
    return l->n_parallel;
}

int ledger_apply(struct ledger *l, const struct swap_event *ev, struct ledger_fill *out)
{
    if (ev->token_amount == 0 || (ev->side != SIDE_BUY && ev->side != SIDE_SELL))
        return WT_EINVAL;
    uint32_t wid = intern_find(&l->wallet_ids, ev->wallet.b);
    if (wid != INTERN_NONE && l->wallets.v[wid].n_swaps > 0 &&
        ev->ts_ms < l->wallets.v[wid].last_ms)
        return WT_ESTATE;
    l->n_direct++;
    struct norm n;
    ledger_norm_swap(l, ev, wid, &n);
    struct ledger_fill scratch;
    const struct ledger_fill *f = ledger_apply_norm(l, &n, out ? out : &scratch, NULL, NULL);
    if (out && f != out)
        *out = *f;
    ledger_debug_assert(l, 1);
    return 0;
}

int ledger_observe(struct ledger *l, const struct swap_event *ev, bool first_buy)
{
    if (ev->token_amount == 0 || (ev->side != SIDE_BUY && ev->side != SIDE_SELL))
        return WT_EINVAL;
    struct norm n;
    norm_mint(l, ev, LEDGER_NONE, &n);
    if (first_buy && n.side == SIDE_BUY)
        l->mints.v[n.mint].n_buyers++;
    return 0;
}

void ledger_set_sol_usd(struct ledger *l, double sol_usd)
{
    l->p.sol_usd = sol_usd > 0 ? sol_usd : 0;
}

void ledger_note_price(struct ledger *l, const struct price_event *ev)
{
    uint32_t id = mint_put(l, &ev->mint); /* may move l->mints.v: index first */
    struct ledger_mint *m = &l->mints.v[id];
    if (ev->price_sol > 0) {
        m->last_price_sol = ev->price_sol;
        m->last_price_ms = ev->ts_ms;
        if (ev->price_sol > m->peak_price_sol) {
            m->peak_price_sol = ev->price_sol;
            m->peak_ms = ev->ts_ms;
        }
    }
    if (ev->price_usd > 0)
        m->last_price_usd = ev->price_usd;
    if (ev->mcap_usd > 0)
        m->mcap_usd = ev->mcap_usd;
}

void ledger_set_launch(struct ledger *l, const struct pubkey *mint, int64_t ts_ms, uint64_t slot)
{
    uint32_t id = mint_put(l, mint); /* may move l->mints.v: index first */
    struct ledger_mint *m = &l->mints.v[id];
    m->launch_ms = ts_ms;
    m->launch_slot = slot;
}
