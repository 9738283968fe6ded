/* The market model of the simulator: who trades what, when, and why.
 *
 * A discrete-event simulation. A binary heap holds future actions ordered
 * by (time, sequence number): funding transfers, launches, the crowd's
 * next trade on a token, planned buys and sells, and periodic checks of
 * managed positions. sim_next pops actions until one produces a
 * transaction, so the stream comes out in time order at the cost of one
 * heap operation per action. All randomness comes from one seeded
 * xoshiro256** stream consumed in event order, which makes a run a pure
 * function of its scenario.
 *
 * Prices are never drawn: each token's hidden fate sets the crowd's demand
 * (trade rate, buy/sell mix, its peak and decay), typed wallets add their
 * own orders, and every order moves the curve or the pool. The truth file
 * then records the peaks the trades actually produced.
 *
 * Building a run from its scenario (the population, the tokens, the first
 * actions) and the accessors are in sim_setup.c; the action kinds and
 * units both files use are in sim_impl.h. */
#include "sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/vec.h"
#include "sim/sim_impl.h"

uint64_t sim_lamports_of(double sol)
{
    return sol <= 0 ? 0 : (uint64_t)(sol * (double)SOL);
}

/* ---- event heap ---- */

static bool ev_before(const struct ev *a, const struct ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void sim_push(struct sim *s, int64_t t, int64_t now, uint8_t kind, uint32_t a, uint32_t b,
              uint64_t x)
{
    struct ev e = {.t = t < now ? now : t, .seq = s->seq++, .x = x, .a = a, .b = b, .kind = kind};
    vec_push(&s->heap, e);
    size_t i = s->heap.len - 1;
    struct ev *h = s->heap.v;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_before(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static bool pop(struct sim *s, struct ev *out)
{
    if (s->heap.len == 0)
        return false;
    struct ev *h = s->heap.v;
    *out = h[0];
    struct ev last = h[--s->heap.len];
    size_t n = s->heap.len, i = 0;
    if (n == 0)
        return true;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ev_before(&h[c + 1], &h[c]))
            c++;
        if (!ev_before(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return true;
}

/* ---- (wallet, token) -> holding: open addressing, linear probing ---- */

static uint64_t map_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static uint32_t map_get(const struct sim *s, uint32_t w, uint32_t t)
{
    uint64_t key = ((uint64_t)w << 32 | t) + 1;
    if (s->map_cap == 0)
        return SIM_NONE;
    size_t mask = s->map_cap - 1;
    for (size_t i = map_hash(key) & mask;; i = (i + 1) & mask) {
        if (s->map_keys[i] == key)
            return s->map_vals[i];
        if (s->map_keys[i] == 0)
            return SIM_NONE;
    }
}

static void map_insert(uint64_t *keys, uint32_t *vals, size_t cap, uint64_t key, uint32_t val)
{
    size_t mask = cap - 1;
    size_t i = map_hash(key) & mask;
    while (keys[i] != 0)
        i = (i + 1) & mask;
    keys[i] = key;
    vals[i] = val;
}

static void map_put(struct sim *s, uint32_t w, uint32_t t, uint32_t val)
{
    if (2 * (s->map_len + 1) > s->map_cap) {
        size_t cap = s->map_cap ? 2 * s->map_cap : 1024;
        uint64_t *keys = xcalloc(cap, sizeof *keys);
        uint32_t *vals = xcalloc(cap, sizeof *vals);
        for (size_t i = 0; i < s->map_cap; i++)
            if (s->map_keys[i])
                map_insert(keys, vals, cap, s->map_keys[i], s->map_vals[i]);
        free(s->map_keys);
        free(s->map_vals);
        s->map_keys = keys;
        s->map_vals = vals;
        s->map_cap = cap;
    }
    map_insert(s->map_keys, s->map_vals, s->map_cap, ((uint64_t)w << 32 | t) + 1, val);
    s->map_len++;
}

/* Deletion with backward shift, so probe chains stay unbroken. */
static void map_del(struct sim *s, uint32_t w, uint32_t t)
{
    uint64_t key = ((uint64_t)w << 32 | t) + 1;
    if (s->map_cap == 0)
        return;
    size_t mask = s->map_cap - 1;
    size_t i = map_hash(key) & mask;
    while (s->map_keys[i] != key) {
        if (s->map_keys[i] == 0)
            return;
        i = (i + 1) & mask;
    }
    size_t j = i;
    for (;;) {
        s->map_keys[i] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (s->map_keys[j] == 0) {
                s->map_len--;
                return;
            }
            size_t home = map_hash(s->map_keys[j]) & mask;
            /* Move j back to i unless its home lies cyclically in (i, j]. */
            bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays)
                break;
        }
        s->map_keys[i] = s->map_keys[j];
        s->map_vals[i] = s->map_vals[j];
        i = j;
    }
}

static uint32_t holding_new(struct sim *s, uint32_t w, uint32_t t)
{
    uint32_t h;
    if (s->free_holdings.len) {
        h = s->free_holdings.v[--s->free_holdings.len];
    } else {
        vec_push_zero(&s->holdings);
        h = (uint32_t)(s->holdings.len - 1);
    }
    struct holding *H = &s->holdings.v[h];
    memset(H, 0, sizeof *H);
    H->wallet = w;
    H->token = t;
    struct token *T = &s->tokens.v[t];
    H->vpos = (uint32_t)T->holders.len;
    vec_push(&T->holders, h);
    map_put(s, w, t, h);
    return h;
}

static void holding_drop(struct sim *s, uint32_t h)
{
    struct holding *H = &s->holdings.v[h];
    struct token *T = &s->tokens.v[H->token];
    uint32_t last = T->holders.v[--T->holders.len];
    if (last != h) {
        T->holders.v[H->vpos] = last;
        s->holdings.v[last].vpos = H->vpos;
    }
    map_del(s, H->wallet, H->token);
    H->amount = 0;
    vec_push(&s->free_holdings, h);
}

/* ---- helpers ---- */

uint64_t sim_slot_of(const struct sim *s, int64_t t)
{
    return s->sc.start_slot + (uint64_t)((t - s->start_ms) / 400);
}

static double token_price(const struct token *T)
{
    return T->venue == SIM_PUMP_FUN ? curve_price(&T->curve) : pool_price(&T->pool);
}

static void begin_tx(struct sim *s, struct sim_tx *tx, enum sim_tx_kind kind, int64_t t, uint32_t w,
                     uint64_t fee)
{
    memset(tx, 0, sizeof *tx);
    tx->kind = kind;
    for (int i = 0; i < 8; i++) {
        uint64_t r = rng_next(&s->rng);
        memcpy(tx->sig.b + 8 * i, &r, 8);
    }
    tx->ts_ms = t;
    tx->slot = sim_slot_of(s, t);
    tx->wallet = w;
    tx->to = SIM_NONE;
    tx->token = SIM_NONE;
    tx->fee = fee;
}

/* begin_tx for a swap of wallet w on token tok that has just traded tr on
 * the token's venue: the trade, and the venue's reserves and price after
 * it. */
static void begin_swap(struct sim *s, struct sim_tx *tx, int64_t t, uint32_t w, uint64_t fee,
                       uint32_t tok, enum side side, enum sim_reason reason, const struct trade *tr)
{
    const struct token *T = &s->tokens.v[tok];
    begin_tx(s, tx, SIM_TX_SWAP, t, w, fee);
    tx->token = tok;
    tx->side = side;
    tx->venue = (enum sim_venue)T->venue;
    tx->reason = reason;
    tx->sol = tr->sol;
    tx->tokens = tr->tokens;
    tx->dex_fee = tr->fee;
    if (T->venue == SIM_PUMP_FUN) {
        tx->reserve_sol = T->curve.virtual_sol;
        tx->reserve_tokens = T->curve.virtual_tokens;
    } else {
        tx->reserve_sol = T->pool.sol;
        tx->reserve_tokens = T->pool.tokens;
    }
    tx->price = token_price(T);
}

static void request_topup(struct sim *s, int64_t t, uint32_t w)
{
    struct sim_wallet *W = &s->wallets.v[w];
    if (W->topup_pending || W->type == SIM_EXCHANGE || W->source == SIM_NONE)
        return;
    W->topup_pending = true;
    int64_t delay = W->type == SIM_INSIDER
                        ? (int64_t)rng_range(&s->rng, 5 * MS_PER_SECOND, 60 * MS_PER_SECOND)
                        : (int64_t)rng_range(&s->rng, MS_PER_MINUTE, 10 * MS_PER_MINUTE);
    sim_push(s, t + delay, t, EV_FUND, W->source, w, W->funding);
}

static int do_transfer(struct sim *s, int64_t t, uint32_t from, uint32_t to, uint64_t amount,
                       enum sim_reason reason, struct sim_tx *tx)
{
    struct sim_wallet *F = &s->wallets.v[from], *T = &s->wallets.v[to];
    uint64_t fee = BASE_FEE;
    if (amount == 0 || F->lamports < amount + fee)
        return 0;
    F->lamports -= amount + fee;
    T->lamports += amount;
    begin_tx(s, tx, SIM_TX_TRANSFER, t, from, fee);
    tx->to = to;
    tx->sol = amount;
    tx->reason = reason;
    return 1;
}

static void after_trade(struct token *T, int64_t t, double price)
{
    T->last_trade_ms = t;
    T->swaps++;
    if (price > T->peak_price) {
        T->peak_price = price;
        T->peak_ms = t;
    }
}

static void graduate(struct sim *s, struct token *T, int64_t t)
{
    T->graduated = true;
    T->grad_ms = t;
    T->venue = rng_chance(&s->rng, s->sc.pump_amm_share) ? SIM_PUMP_AMM : SIM_RAYDIUM;
    pool_from_curve(&T->pool, &T->curve);
    T->pool_sol0 = T->pool.sol;
    T->pool_tokens0 = T->pool.tokens;
    s->stats.graduated++;
}

static int64_t check_interval(struct sim *s, const struct token *T, int64_t t)
{
    if (t - T->last_trade_ms > 10 * MS_PER_MINUTE)
        return 5 * MS_PER_MINUTE;
    return (int64_t)rng_range(&s->rng, 15 * MS_PER_SECOND, 45 * MS_PER_SECOND);
}

static int do_buy(struct sim *s, int64_t t, uint32_t w, uint32_t tok, uint64_t gross,
                  enum sim_reason reason, struct sim_tx *tx)
{
    struct sim_wallet *W = &s->wallets.v[w];
    struct token *T = &s->tokens.v[tok];
    uint64_t fee = BASE_FEE + W->prio;
    if (!T->launched || gross == 0)
        return 0;
    if (W->lamports < gross + fee + KEEP_LAMPORTS) {
        if (W->lamports >= fee + KEEP_LAMPORTS + SOL / 100) {
            gross = W->lamports - fee - KEEP_LAMPORTS;
        } else {
            request_topup(s, t, w);
            s->stats.skipped++;
            return 0;
        }
    }
    struct trade tr;
    enum sim_venue venue = (enum sim_venue)T->venue;
    int rc =
        venue == SIM_PUMP_FUN ? curve_buy(&T->curve, gross, &tr) : pool_buy(&T->pool, gross, &tr);
    if (rc) {
        s->stats.skipped++;
        return 0;
    }
    W->lamports -= tr.sol + fee;
    uint32_t h = map_get(s, w, tok);
    bool fresh = h == SIM_NONE;
    if (fresh)
        h = holding_new(s, w, tok);
    struct holding *H = &s->holdings.v[h];
    H->amount += tr.tokens;
    double fill = (double)tr.sol / (double)tr.tokens * 1e-3;
    if (fresh) {
        H->entry_price = fill;
        H->entry_ms = t;
    }
    begin_swap(s, tx, t, w, fee, tok, SIDE_BUY, reason, &tr);
    if (venue == SIM_PUMP_FUN && T->curve.complete) {
        tx->graduated = true;
        graduate(s, T, t);
    }
    after_trade(T, t, tx->price);
    if (tx->price > H->max_price)
        H->max_price = tx->price;

    /* What this buy sets in motion. */
    switch (reason) {
    case SIM_R_SNIPE:
        sim_push(s, t + (int64_t)rng_range(&s->rng, 5 * MS_PER_SECOND, 4 * MS_PER_MINUTE), t,
                 EV_SELL, w, tok, PPM | (uint64_t)SIM_R_EXIT << REASON_SHIFT);
        break;
    case SIM_R_BAIT:
        T->bait_until_ms = t + (int64_t)rng_range(&s->rng, 2 * MS_PER_MINUTE, 5 * MS_PER_MINUTE);
        sim_push(s, t + (int64_t)rng_range(&s->rng, 2 * MS_PER_MINUTE, 8 * MS_PER_MINUTE), t,
                 EV_SELL, w, tok, PPM | (uint64_t)SIM_R_EXIT << REASON_SHIFT);
        break;
    case SIM_R_INSIDER: {
        int64_t at =
            T->pump_end_ms + (int64_t)rng_range(&s->rng, -90 * MS_PER_SECOND, 60 * MS_PER_SECOND);
        if (at <= t)
            at = t + (int64_t)rng_range(&s->rng, 5 * MS_PER_SECOND, 30 * MS_PER_SECOND);
        sim_push(s, at, t, EV_SELL, w, tok, PPM | (uint64_t)SIM_R_EXIT << REASON_SHIFT);
        if (W->funder != SIM_NONE && rng_chance(&s->rng, 0.6))
            sim_push(s, at + (int64_t)rng_range(&s->rng, 10 * MS_PER_MINUTE, 60 * MS_PER_MINUTE), t,
                     EV_SWEEP, w, W->funder, 0);
        break;
    }
    case SIM_R_ENTRY:
        if (!H->checking) {
            H->checking = true;
            sim_push(s, t + check_interval(s, T, t), t, EV_CHECK, w, tok, 0);
        }
        break;
    default:
        break;
    }
    if (W->fol_n && reason != SIM_R_COPY) {
        for (uint32_t i = 0; i < W->fol_n; i++) {
            uint32_t f = s->followers.v[W->fol_off + i];
            struct sim_wallet *Fw = &s->wallets.v[f];
            int64_t d = (int64_t)((double)Fw->delay_ms * rng_range(&s->rng, 0.7, 1.3));
            uint64_t sz = sim_lamports_of(Fw->size_sol * rng_lognormal(&s->rng, 1.0, 0.3));
            sim_push(s, t + d, t, EV_BUY, f, tok, sz | (uint64_t)SIM_R_COPY << REASON_SHIFT);
        }
    }
    return 1;
}

static int do_sell(struct sim *s, int64_t t, uint32_t w, uint32_t tok, uint64_t ppm,
                   enum sim_reason reason, struct sim_tx *tx)
{
    struct sim_wallet *W = &s->wallets.v[w];
    struct token *T = &s->tokens.v[tok];
    uint32_t h = map_get(s, w, tok);
    if (h == SIM_NONE)
        return 0;
    struct holding *H = &s->holdings.v[h];
    uint64_t amount = ppm >= PPM ? H->amount : (uint64_t)((unsigned __int128)H->amount * ppm / PPM);
    if (amount == 0 || H->amount - amount < 1000) /* no dust left behind */
        amount = H->amount;
    uint64_t fee = BASE_FEE + W->prio;
    if (W->lamports < fee) {
        request_topup(s, t, w);
        s->stats.skipped++;
        return 0;
    }
    struct trade tr;
    enum sim_venue venue = (enum sim_venue)T->venue;
    int rc = venue == SIM_PUMP_FUN ? curve_sell(&T->curve, amount, &tr)
                                   : pool_sell(&T->pool, amount, &tr);
    if (rc) {
        s->stats.skipped++;
        return 0;
    }
    W->lamports = W->lamports - fee + tr.sol;
    uint64_t held = H->amount;
    H->amount -= amount;
    begin_swap(s, tx, t, w, fee, tok, SIDE_SELL, reason, &tr);
    after_trade(T, t, tx->price);
    if (H->amount == 0)
        holding_drop(s, h);
    if (W->fol_n && reason != SIM_R_COPY) {
        uint64_t frac = H->amount == 0 ? PPM : (uint64_t)((double)amount / (double)held * PPM);
        for (uint32_t i = 0; i < W->fol_n; i++) {
            uint32_t f = s->followers.v[W->fol_off + i];
            int64_t d = (int64_t)((double)s->wallets.v[f].delay_ms * rng_range(&s->rng, 0.7, 1.3));
            sim_push(s, t + d, t, EV_SELL, f, tok, frac | (uint64_t)SIM_R_COPY << REASON_SHIFT);
        }
    }
    return 1;
}

/* ---- handlers ---- */

static int on_fund(struct sim *s, const struct ev *e, struct sim_tx *tx)
{
    struct sim_wallet *F = &s->wallets.v[e->a];
    if (F->lamports < e->x + BASE_FEE && F->type == SIM_FUNDER) {
        /* The funder refills from its exchange first, then pays. */
        sim_push(s, e->t + (int64_t)rng_range(&s->rng, 2 * MS_PER_SECOND, 20 * MS_PER_SECOND), e->t,
                 EV_FUND, e->a, e->b, e->x);
        return do_transfer(s, e->t, F->source, e->a, F->funding, SIM_R_FUND, tx);
    }
    s->wallets.v[e->b].topup_pending = false;
    return do_transfer(s, e->t, e->a, e->b, e->x, SIM_R_FUND, tx);
}

static void schedule_launch(struct sim *s, uint32_t tok, int64_t t)
{
    struct token *T = &s->tokens.v[tok];
    const struct scenario *sc = &s->sc;
    int64_t slot_start = s->start_ms + (int64_t)(T->launch_slot - sc->start_slot) * 400;

    for (size_t i = 0; i < s->snipers.len; i++)
        if (rng_chance(&s->rng, sc->sniper_rate)) {
            uint32_t w = s->snipers.v[i];
            uint64_t sz = sim_lamports_of(s->wallets.v[w].size_sol * rng_range(&s->rng, 0.5, 1.5));
            sim_push(s, slot_start + (int64_t)rng_range(&s->rng, 60, 399), t, EV_BUY, w, tok,
                     sz | (uint64_t)SIM_R_SNIPE << REASON_SHIFT);
        }

    if (T->fate == SIM_PUMP_DUMP) {
        uint32_t c = (uint32_t)T->cluster;
        for (uint32_t i = s->cluster_off.v[c]; i < s->cluster_off.v[c + 1]; i++) {
            uint32_t w = s->cluster_members.v[i];
            if (w == T->creator)
                continue;
            double late = s->sc.insider_delay_ms;
            sim_push(s, t + (int64_t)rng_range(&s->rng, late / 10, late), t, EV_BUY, w, tok,
                     sim_lamports_of(rng_range(&s->rng, 1.0, 4.0)) | (uint64_t)SIM_R_INSIDER
                                                                         << REASON_SHIFT);
        }
    }

    /* Skilled and fading wallets: entry odds tilted towards runners. */
    double p_runner = s->fate_cum[SIM_RUNNER] - s->fate_cum[SIM_RUNNER - 1];
    for (size_t i = 0; i < s->skilled.len; i++) {
        uint32_t w = s->skilled.v[i];
        const struct sim_wallet *W = &s->wallets.v[w];
        double skill = (W->type == SIM_FADING && t >= W->fade_ms) ? 0.0 : W->skill;
        double up = 1 + 9 * skill, down = 1 - 0.8 * skill;
        double base = sc->skilled_entries_per_day / sc->tokens_per_day /
                      (p_runner * up + (1 - p_runner) * down);
        double p = base * (T->fate == SIM_RUNNER ? up : down);
        if (rng_chance(&s->rng, p)) {
            uint64_t sz = sim_lamports_of(W->size_sol * rng_lognormal(&s->rng, 1.0, 0.3));
            sim_push(s, t + (int64_t)rng_range(&s->rng, 20 * MS_PER_SECOND, 10 * MS_PER_MINUTE), t,
                     EV_BUY, w, tok, sz | (uint64_t)SIM_R_ENTRY << REASON_SHIFT);
        }
    }

    double p_bait = sc->baiter_entries_per_day / sc->tokens_per_day;
    for (size_t i = 0; i < s->baiters.len; i++)
        if (rng_chance(&s->rng, p_bait)) {
            uint32_t w = s->baiters.v[i];
            uint64_t sz = sim_lamports_of(s->wallets.v[w].size_sol * rng_range(&s->rng, 0.6, 1.4));
            sim_push(s, t + (int64_t)rng_range(&s->rng, MS_PER_MINUTE, 10 * MS_PER_MINUTE), t,
                     EV_BUY, w, tok, sz | (uint64_t)SIM_R_BAIT << REASON_SHIFT);
        }

    /* The creator's exit. */
    uint64_t exit = (uint64_t)SIM_R_EXIT << REASON_SHIFT;
    switch (T->fate) {
    case SIM_RUG:
    case SIM_PUMP_DUMP:
        sim_push(s, T->pump_end_ms, t, EV_SELL, T->creator, tok, PPM | exit);
        break;
    case SIM_FIZZLE:
        if (rng_chance(&s->rng, 0.5))
            sim_push(s, t + (int64_t)rng_range(&s->rng, MS_PER_MINUTE, 30 * MS_PER_MINUTE), t,
                     EV_SELL, T->creator, tok, PPM | exit);
        break;
    case SIM_RUNNER:
        sim_push(s, t + (int64_t)rng_range(&s->rng, 30 * MS_PER_MINUTE, 3 * MS_PER_HOUR), t,
                 EV_SELL, T->creator, tok, PPM / 2 | exit);
        break;
    }
    if (T->hype > 0) /* a dead-on-arrival fizzle has no crowd */
        sim_push(s, t + (int64_t)rng_range(&s->rng, 3 * MS_PER_SECOND, 60 * MS_PER_SECOND), t,
                 EV_FLOW, tok, 0, 0);
    sim_push(s, T->death_ms + 2 * MS_PER_DAY, t, EV_GC, tok, 0, 0);
}

static int on_launch(struct sim *s, const struct ev *e, struct sim_tx *tx)
{
    struct token *T = &s->tokens.v[e->a];
    T->launched = true;
    curve_init(&T->curve);
    T->launch_price = T->peak_price = T->ref_price = curve_price(&T->curve);
    T->peak_ms = T->last_trade_ms = e->t;
    s->stats.tokens++;
    double dev;
    switch (T->fate) {
    case SIM_RUG:
        dev = rng_range(&s->rng, 0.375 * s->sc.rug_dev_buy_sol, s->sc.rug_dev_buy_sol);
        break;
    case SIM_PUMP_DUMP:
        dev = rng_range(&s->rng, 0.5, 2.0);
        break;
    default:
        dev = rng_range(&s->rng, 0.1, 1.0);
        break;
    }
    schedule_launch(s, e->a, e->t);
    return do_buy(s, e->t, T->creator, e->a, sim_lamports_of(dev), SIM_R_LAUNCH, tx);
}

/* The crowd's trading rate on a token, in trades per minute. */
static double flow_rate(const struct sim *s, const struct token *T, int64_t t)
{
    double lam;
    if (t < T->pump_end_ms) {
        double f = (double)(t - T->launch_ms) / (double)(T->pump_end_ms - T->launch_ms);
        lam = T->hype * (1 + T->growth * f);
    } else {
        lam = T->hype * (1 + T->growth) * exp(-(double)(t - T->pump_end_ms) / T->decay_ms);
    }
    if (t < T->bait_until_ms)
        lam *= 3;
    return lam * s->sc.speed;
}

static int on_flow(struct sim *s, const struct ev *e, struct sim_tx *tx)
{
    uint32_t tok = e->a;
    struct token *T = &s->tokens.v[tok];
    int64_t t = e->t;
    if (t >= T->death_ms)
        return 0;
    double lam = flow_rate(s, T, t);
    if (t > T->pump_end_ms && lam < 0.02)
        return 0; /* the crowd has left */
    int64_t gap = (int64_t)rng_exp(&s->rng, (double)MS_PER_MINUTE / lam);
    sim_push(s, t + (gap < 400 ? 400 : gap), t, EV_FLOW, tok, 0, 0);

    double price = token_price(T);
    double mom = price / T->ref_price - 1;
    T->ref_price = 0.9 * T->ref_price + 0.1 * price;
    mom = mom > 1 ? 1 : mom < -1 ? -1 : mom;
    bool pumping = t < T->pump_end_ms;
    double pb;
    switch (T->fate) {
    case SIM_RUNNER:
        pb = pumping ? 0.66 : 0.42;
        break;
    case SIM_PUMP_DUMP:
        pb = pumping ? 0.68 : 0.3;
        break;
    case SIM_RUG:
        pb = pumping ? 0.62 : 0.25;
        break;
    default:
        pb = pumping ? 0.56 : 0.3;
        break;
    }
    pb += 0.15 * mom; /* FOMO on the way up, panic on the way down */
    /* A price-sensitive crowd: the more a token has already made since
     * launch, the fewer newcomers still buy it. A runner is the token whose
     * demand outlasts its price: that is what its fate means. */
    if (T->fate != SIM_RUNNER && s->sc.crowd_price_sensitivity > 0 && price > T->launch_price)
        pb -= s->sc.crowd_price_sensitivity * log(price / T->launch_price);
    if (price < 0.5 * T->peak_price)
        pb -= 0.1;
    pb = pb < 0.05 ? 0.05 : pb > 0.95 ? 0.95 : pb;

    if (rng_chance(&s->rng, pb) || T->holders.len == 0) {
        uint32_t w = s->retail.v[rng_below(&s->rng, s->retail.len)];
        double fomo = 1 + (mom > 0 ? 2 * mom : 0);
        if (T->fate == SIM_RUNNER && pumping)
            fomo *= 1 + (double)(t - T->launch_ms) / (double)(T->pump_end_ms - T->launch_ms);
        uint64_t sz =
            sim_lamports_of(s->wallets.v[w].size_sol * rng_lognormal(&s->rng, 1.0, 0.5) * fomo);
        return do_buy(s, t, w, tok, sz, SIM_R_CROWD, tx);
    }
    for (int tries = 0; tries < 6; tries++) {
        uint32_t h = T->holders.v[rng_below(&s->rng, T->holders.len)];
        const struct holding *H = &s->holdings.v[h];
        if (s->wallets.v[H->wallet].type != SIM_RETAIL)
            continue;
        uint64_t ppm;
        double r = price / H->entry_price;
        if (r < 0.6)
            ppm = PPM; /* panic */
        else if (r > 2)
            ppm = (uint64_t)rng_range(&s->rng, 0.3 * PPM, 0.7 * PPM);
        else
            ppm = rng_chance(&s->rng, 0.5) ? PPM : (uint64_t)rng_range(&s->rng, 0.3 * PPM, PPM);
        return do_sell(s, t, H->wallet, tok, ppm, SIM_R_CROWD, tx);
    }
    return 0;
}

/* Managed exits of skilled wallets (and fading ones, sloppily after their
 * fade date): stop-loss, a first take-profit of half, a trailing stop on the
 * rest, and a time limit. */
static int on_check(struct sim *s, const struct ev *e, struct sim_tx *tx)
{
    uint32_t w = e->a, tok = e->b;
    uint32_t h = map_get(s, w, tok);
    if (h == SIM_NONE)
        return 0;
    struct holding *H = &s->holdings.v[h];
    const struct sim_wallet *W = &s->wallets.v[w];
    struct token *T = &s->tokens.v[tok];
    int64_t t = e->t;
    double price = token_price(T);
    if (price > H->max_price)
        H->max_price = price;
    bool sloppy = W->type == SIM_FADING && t >= W->fade_ms;
    double tp = sloppy ? 8.0 : 2.0 + W->skill, sl = sloppy ? 0.85 : 0.35,
           trail = sloppy ? 0.6 : 0.3;
    int64_t max_hold = sloppy ? 36 * MS_PER_HOUR : 8 * MS_PER_HOUR;
    double r = price / H->entry_price;
    uint64_t ppm = 0;
    if (r <= 1 - sl || t - H->entry_ms >= max_hold)
        ppm = PPM;
    else if (H->stage == 0 && r >= tp)
        ppm = PPM / 2, H->stage = 1;
    else if (H->stage == 1 && price <= H->max_price * (1 - trail))
        ppm = PPM;
    if (ppm != PPM)
        sim_push(s, t + check_interval(s, T, t), t, EV_CHECK, w, tok, 0);
    else
        H->checking = false;
    if (ppm == 0)
        return 0;
    int rc = do_sell(s, t, w, tok, ppm, SIM_R_EXIT, tx);
    if (!rc && ppm == PPM) /* could not sell now: try again later */
        sim_push(s, t + check_interval(s, T, t), t, EV_CHECK, w, tok, 0);
    return rc;
}

static int on_sweep(struct sim *s, const struct ev *e, struct sim_tx *tx)
{
    struct sim_wallet *W = &s->wallets.v[e->a];
    if (W->lamports <= 2 * SOL)
        return 0;
    return do_transfer(s, e->t, e->a, e->b, W->lamports - SOL, SIM_R_SWEEP, tx);
}

static void on_gc(struct sim *s, uint32_t tok)
{
    struct token *T = &s->tokens.v[tok];
    while (T->holders.len)
        holding_drop(s, T->holders.v[T->holders.len - 1]);
    vec_free(&T->holders);
}

/* Keeps each wallet's outcome (truth.json) and counts the bots among a
 * token's first buyers. A first buy is the one that opened the holding
 * with nothing before it (the amount bought is the whole holding). */
static void account_swap(struct sim *s, const struct sim_tx *tx)
{
    struct sim_wallet *W = &s->wallets.v[tx->wallet];
    struct token *T = &s->tokens.v[tx->token];
    W->swaps++;
    W->fees += tx->fee;
    if (tx->side == SIDE_SELL) {
        W->received += tx->sol;
        return;
    }
    W->spent += tx->sol;
    if (tx->wallet == T->creator || T->early_buyers >= SIM_EARLY)
        return;
    uint32_t h = map_get(s, tx->wallet, tx->token);
    if (h == SIM_NONE || s->holdings.v[h].amount != tx->tokens)
        return; /* not this wallet's first buy of the token */
    T->early_buyers++;
    if (W->type == SIM_SNIPER || W->type == SIM_INSIDER)
        T->early_bots++;
}

int sim_next(struct sim *s, struct sim_tx *tx)
{
    struct ev e;
    while (pop(s, &e)) {
        if (e.t >= s->end_ms) {
            vec_clear(&s->heap);
            return 0;
        }
        int r = 0;
        enum sim_reason reason = (enum sim_reason)(e.x >> REASON_SHIFT);
        switch (e.kind) {
        case EV_FUND:
            r = on_fund(s, &e, tx);
            break;
        case EV_LAUNCH:
            r = on_launch(s, &e, tx);
            break;
        case EV_FLOW:
            r = on_flow(s, &e, tx);
            break;
        case EV_BUY:
            r = do_buy(s, e.t, e.a, e.b, e.x & AMOUNT_MASK, reason, tx);
            break;
        case EV_SELL:
            r = do_sell(s, e.t, e.a, e.b, e.x & AMOUNT_MASK, reason, tx);
            break;
        case EV_CHECK:
            r = on_check(s, &e, tx);
            break;
        case EV_SWEEP:
            r = on_sweep(s, &e, tx);
            break;
        case EV_GC:
            on_gc(s, e.a);
            break;
        }
        if (r) {
            if (tx->kind == SIM_TX_SWAP) {
                s->stats.swaps++;
                account_swap(s, tx);
            } else
                s->stats.transfers++;
            return 1;
        }
    }
    return 0;
}
