/* The engine's signal path: a watched wallet's buy becomes a scored
 * signal (factors, score, decision, reason) and, when traded, a sized buy
 * order; and the token-wait parking that holds a signal until a feed
 * report on its mint or its deadline (signal.token_wait_ms).
 *
 * Kept apart from the event dispatch (engine.c) because it is the one
 * decision the engine makes about entering a trade, with its own state
 * (the parked list, the per-wallet intel cache) and its own rules. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/vec.h"
#include "trade/amount.h"
#include "trade/engine_impl.h"

/* ---- signals -------------------------------------------------------------- */

/* Intel's view of a wallet, cached: rebuilt when a round trip closed (at
 * most every rescore_min_ms) or once it is rescore_ms old. A profile costs
 * O(the wallet's positions and trips); a wallet trading all day would
 * otherwise pay it on every signal. */
static void wallet_view(struct engine *e, uint32_t wid, const struct pubkey *k)
{
    struct ewallet *w = &e->w.v[wid];
    struct ledger *l = intel_ledger(e->intel);
    if (w->lid == LEDGER_NONE)
        w->lid = ledger_wallet_id(l, k);
    uint32_t trips = w->lid != LEDGER_NONE ? (uint32_t)ledger_wallet(l, w->lid)->trips.len : 0;
    int64_t age = e->now - w->cache_ms;
    if (w->cached && age < e->p.rescore_ms &&
        (trips == w->cache_trips || age < e->p.rescore_min_ms))
        return;
    w->cached = true;
    w->cache_trips = trips;
    w->cache_ms = e->now;
    w->score = 0;
    w->trips = w->form_n = w->form_wins = 0;
    w->flagged = false;
    if (w->lid == LEDGER_NONE)
        return;
    struct intel_profile *pr = xmalloc(sizeof *pr);
    intel_score_holds(e->intel, w->lid, e->now, &w->holds, pr);
    w->score = pr->score.score / 100.0;
    w->trips = pr->metrics.trades;
    w->form_n = pr->decay.n;
    w->form_wins = score_decay_wins(&pr->decay);
    w->flagged = pr->decay.flagged;
    free(pr);
}

int engine_utc_hour(int64_t ms)
{
    int64_t h = (ms / MS_PER_HOUR) % 24;
    return (int)(h < 0 ? h + 24 : h);
}

static void recent_wins(const struct breakers *b, uint32_t *n, uint32_t *wins)
{
    uint32_t k = b->n_recent < RECENT_CONTEXT ? b->n_recent : RECENT_CONTEXT;
    *n = k;
    *wins = 0;
    for (uint32_t i = b->n_recent - k; i < b->n_recent; i++)
        *wins += b->recent[i];
}

static void breakers_detail(const struct breakers *b, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (int k = 0; k < BREAKER_KIND_COUNT; k++) {
        if (!b->active[k] || k == BREAKER_LOSS_STREAK || k == BREAKER_SILENCE)
            continue;
        int r = snprintf(out + len, n - len, "%s%s: %s", len ? "; " : "",
                         breaker_kind_name((enum breaker_kind)k), b->reason[k]);
        if (r < 0 || (size_t)r >= n - len)
            break;
        len += (size_t)r;
    }
}

/* The cluster inputs (FR12): the watched buys of the mint within the
 * window up to this one, counted by owner (a cluster once), whether this
 * wallet's leader or other members of its cluster are among them, and
 * whether its cluster made the mint's first trade. */
static void cluster_inputs(const struct engine *e, uint32_t wid, uint32_t mid, int64_t ts,
                           struct signal_inputs *in)
{
    const struct emint *em = &e->m.v[mid];
    const struct ewallet *me = &e->w.v[wid];
    uint32_t owners[MINT_RECENT + 1];
    uint32_t n = 0;
    owners[n++] = me->cluster ? 0x80000000u | me->cluster : wid;
    for (uint32_t i = 0; i < em->n_recent; i++) {
        const struct ebuy *b = &em->recent[i];
        if (b->ts > ts || ts - b->ts > e->p.signal.cluster_window_ms || b->wid >= e->w.len)
            continue;
        const struct ewallet *o = &e->w.v[b->wid];
        uint32_t own = o->cluster ? 0x80000000u | o->cluster : b->wid;
        bool seen = false;
        for (uint32_t k = 0; k < n && !seen; k++)
            seen = owners[k] == own;
        if (!seen)
            owners[n++] = own;
        if (b->wid != wid && me->cluster && o->cluster == me->cluster) {
            in->members_together = true;
            if (o->cluster_leader && !me->cluster_leader)
                in->leader_followed = true;
        }
    }
    in->cluster_owners = n;
    in->in_cluster = me->cluster != 0;
    uint32_t first = em->first_wid1;
    in->insider_token = me->cluster != 0 && first != 0 && first - 1 < e->w.len &&
                        e->w.v[first - 1].cluster == me->cluster;
}

void engine_handle_signal(struct engine *e, uint32_t wid, uint32_t mid, const struct swap_event *ev,
                          int64_t waited_ms)
{
    struct ewallet *w = &e->w.v[wid];
    const struct market_mint *mm = market_mint(e->market, mid);
    struct signal_inputs in;
    memset(&in, 0, sizeof in);
    wallet_view(e, wid, &ev->wallet);
    w = &e->w.v[wid];
    in.intel_score = w->score;
    in.intel_trips = w->trips;
    in.prior_score = w->prior;
    in.form_n = w->form_n;
    in.form_wins = w->form_wins;
    in.copy_n = w->copy_n;
    in.copy_wins = w->copy_wins;
    in.flagged = w->flagged;

    double price = ev->price_sol > 0 ? ev->price_sol : mm ? mm->last_price_sol : 0;
    in.waited_ms = waited_ms;
    in.liquidity_source = market_liq_source_name(mm ? mm->liq_source : MARKET_LIQ_NONE);
    if (mm) {
        in.age_ms = market_age_ms(mm, e->now, &in.age_reported);
        in.liquidity_sol = mm->liquidity_sol;
        in.mcap_sol = market_mcap_sol(e->market, mm);
        in.concentration = market_concentration(mm);
        in.holders = mm->holders;
        double entry = market_entry_price(e->market, mid, wid);
        in.move = entry > 0 && price > 0 ? price / entry - 1 : 0;
    }
    in.hour = engine_utc_hour(e->now);
    in.hour_n = e->hour_n[in.hour];
    in.hour_wins = e->hour_wins[in.hour];
    recent_wins(&e->br, &in.recent_n, &in.recent_wins);
    uint64_t eq = engine_equity(e);
    in.exposure = eq ? (double)(e->open_cost + e->reserved) / (double)eq : 1;
    cluster_inputs(e, wid, mid, ev->ts_ms, &in);

    struct signal_factors f;
    signal_evaluate(&e->p.signal, &in, &f);
    if (!(price > 0))
        f.gate = SIGNAL_GATE_NO_PRICE;

    char detail[2 * BREAKER_REASON_MAX] = "";
    enum signal_reason r = SR_TRADED;
    struct sizing_result sz = {0};
    struct emint *em = &e->m.v[mid];
    uint32_t open = (uint32_t)e->pos.len;
    uint32_t pending_buys = 0;
    for (size_t i = 0; i < e->orders.len; i++)
        pending_buys += e->orders.v[i].side == SIDE_BUY;
    uint64_t cap = amount_frac(eq, e->p.max_exposure);
    uint64_t committed = e->open_cost + e->reserved;

    if (w->blacklisted)
        r = SR_BLACKLISTED_WALLET;
    else if (w->cluster_bl)
        r = SR_BLACKLISTED_CLUSTER;
    else if (f.gate == SIGNAL_GATE_NO_PRICE)
        r = SR_NO_PRICE;
    else if (f.gate != SIGNAL_GATE_OK) {
        r = SR_TOKEN_GATE_FAILED;
        snprintf(detail, sizeof detail, "token gate: %s", signal_gate_name(f.gate));
    } else if (f.score < e->p.signal.threshold) {
        r = SR_BELOW_THRESHOLD;
    } else if (!breakers_entries_allowed(&e->br)) {
        r = SR_BREAKER_ACTIVE;
        breakers_detail(&e->br, detail, sizeof detail);
    } else if (em->pos) {
        r = SR_TOKEN_ALREADY_HELD;
    } else if (em->buy_pending) {
        r = SR_ORDER_PENDING;
    } else if (open + pending_buys >= e->p.sizing.max_positions) {
        r = SR_MAX_POSITIONS;
    } else if (committed >= cap) {
        r = SR_EXPOSURE_CAP;
    } else {
        uint64_t avail = e->cash - e->reserved;
        avail = avail > e->p.fee_reserve_lamports ? avail - e->p.fee_reserve_lamports : 0;
        struct sizing_input si = {
            .score = f.score,
            .capital_lamports = eq,
            .available_lamports = avail,
            .open_positions = open + pending_buys,
            .token_exposure_lamports = 0, /* one position per token: nothing held here */
            .size_reduced = breakers_size_reduced(&e->br),
        };
        sizing_compute(&e->p.sizing, &si, &sz);
        switch (sz.reason) {
        case SIZING_OK:
            break;
        case SIZING_INVALID_SCORE:
        case SIZING_BELOW_THRESHOLD:
            r = SR_BELOW_THRESHOLD;
            break;
        case SIZING_MAX_POSITIONS:
            r = SR_MAX_POSITIONS;
            break;
        case SIZING_TOKEN_CAP:
            r = SR_TOKEN_EXPOSURE_CAP;
            break;
        case SIZING_NO_CAPITAL:
            r = SR_NO_CAPITAL;
            break;
        case SIZING_BELOW_MIN_ORDER:
            r = SR_BELOW_MIN_ORDER;
            break;
        }
        if (r == SR_TRADED && sz.size_lamports > cap - committed) {
            sz.size_lamports = cap - committed; /* the room under the total exposure cap */
            sz.capped = true;
            if (sz.size_lamports < e->p.sizing.min_order_lamports) {
                r = SR_EXPOSURE_CAP;
                sz.size_lamports = 0;
            }
        }
    }

    uint64_t sid = ++e->next_signal;
    struct eorder o;
    memset(&o, 0, sizeof o);
    if (r == SR_TRADED) {
        o.id = ++e->next_order;
        o.side = SIDE_BUY;
        o.signal_id = sid;
        o.mint = mid;
        o.wallet = wid;
        o.mint_key = ev->mint;
        o.wallet_key = ev->wallet;
        o.decimals = ev->decimals;
        o.amount_in = sz.size_lamports;
        o.ref_price = price;
        o.ts = e->now;
        o.score = f.score;
        memcpy(o.f, f.f, sizeof o.f);
        snprintf(o.reason, sizeof o.reason, "entry");
        vec_push(&e->orders, o);
        e->reserved += o.amount_in;
        em->buy_pending++;
        int rc = engine_submit(e, &o);
        if (rc != 0) {
            size_t idx;
            if (engine_order_by_id(e, o.id, &idx))
                engine_order_remove(e, idx);
            e->reserved -= o.amount_in;
            em = &e->m.v[mid];
            em->buy_pending--;
            r = SR_EXECUTOR_REFUSED;
            snprintf(detail, sizeof detail, "executor: %s", wt_strerror(rc));
            if (rc != WT_EEXIST)
                e->next_order--; /* the id was never used (WT_EEXIST: the store holds it) */
            o.id = 0;
        }
    }
    if (r == SR_TRADED && sz.capped && !detail[0])
        snprintf(detail, sizeof detail, "size capped to the room under the exposure caps");

    e->c.signals++;
    e->c.reasons[r]++;
    e->c.last_signal_ms = e->now;
    if (r == SR_TRADED) {
        e->c.traded++;
        e->c.orders++;
    }
    struct engine_signal s = {
        .id = sid,
        .ts_ms = e->now,
        .mode = e->p.mode,
        .wallet = ev->wallet,
        .mint = ev->mint,
        .swap_sig = ev->sig,
        .price_sol = price,
        .in = &in,
        .f = &f,
        .reason = r,
        .detail = detail,
        .size_lamports = r == SR_TRADED ? sz.size_lamports : 0,
        .multiplier = r == SR_TRADED ? sz.multiplier : 0,
        .order_id = r == SR_TRADED ? o.id : 0,
    };
    if (e->out && e->out->ops->signal)
        e->out->ops->signal(e->out, &s);
    if (r == SR_TRADED)
        engine_emit_order(e, &o, ORDER_SENT, NULL);

    struct breaker_alerts al = {0};
    breakers_on_signal(&e->br, e->now, &al);
    engine_emit_breaker_alerts(e, &al);
}

/* ---- waiting for token facts ---------------------------------------------- */

/* Whether a feed reported on the mint recently enough to score at once. */
bool engine_fresh_report(const struct engine *e, uint32_t mid)
{
    const struct market_mint *mm = market_mint(e->market, mid);
    return mm && mm->reported_ms > 0 && e->now - mm->reported_ms <= e->p.token_fresh_ms;
}

/* Parks a watched wallet's buy and, unless a signal of the same mint
 * already waits (its request is out), asks for the mint's facts. */
void engine_park(struct engine *e, uint32_t wid, uint32_t mid, const struct swap_event *s)
{
    if (e->parked.len >= PARKED_MAX) {
        e->c.waits_full++;
        engine_handle_signal(e, wid, mid, s, 0);
        return;
    }
    uint32_t same = 0;
    for (size_t i = 0; i < e->parked.len; i++)
        same += e->parked.v[i].mid == mid;
    struct parked pk = {.wid = wid,
                        .mid = mid,
                        .parked_ms = e->now,
                        .deadline_ms = e->now + e->p.token_wait_ms,
                        .ev = *s};
    vec_push(&e->parked, pk);
    e->c.token_waits++;
    if (same)
        return;
    struct engine_token_request r = {
        .ts_ms = e->now, .mint = s->mint, .deadline_ms = pk.deadline_ms, .parked = 1};
    if (e->out && e->out->ops->token_request)
        e->out->ops->token_request(e->out, &r);
}

/* Scores the parked signal at index i with what the engine knows now: the
 * market, the watchlist, the blacklists, the breakers (an operator pause),
 * the positions and the settings of the moment of release. A wallet no
 * longer watched gives no signal (as a buy by an unwatched wallet). */
static void release(struct engine *e, size_t i, bool reported)
{
    struct parked pk = e->parked.v[i];
    memmove(&e->parked.v[i], &e->parked.v[i + 1], (e->parked.len - i - 1) * sizeof pk);
    e->parked.len--;
    if (!e->w.v[pk.wid].watched) {
        e->c.waits_dropped++;
        return;
    }
    if (reported)
        e->c.released_reported++;
    else
        e->c.released_expired++;
    engine_handle_signal(e, pk.wid, pk.mid, &pk.ev, e->now - pk.parked_ms);
}

/* The parked signals of mint mid, in parking order (a feed reported). */
void engine_release_mint(struct engine *e, uint32_t mid)
{
    for (size_t i = 0; i < e->parked.len;)
        if (e->parked.v[i].mid == mid)
            release(e, i, true);
        else
            i++;
}

/* The parked signals whose wait is over at the engine's clock. */
void engine_release_expired(struct engine *e)
{
    for (size_t i = 0; i < e->parked.len;)
        if (e->parked.v[i].deadline_ms <= e->now)
            release(e, i, false);
        else
            i++;
}
