/* The trading engine (see engine.h for what one event does).
 *
 * Why one struct and one entry point: DESIGN §1 makes the engine a
 * deterministic function of its configuration and the ordered events, so
 * that serve, backtests and tests are the same code and a recorded stream
 * replays to the same decisions. Everything here is therefore driven by
 * the event's time (e->now, the largest event time seen), iterates in a
 * fixed order (positions in opening order, orders in submission order),
 * and leaves through the output vtable.
 *
 * Wallets and mints are interned to dense ids; per-id state lives in
 * arrays. Open positions are few (max_positions, tens) and kept in opening
 * order in a vector, with a per-mint index. Orders in flight are a short
 * vector too. A synchronous executor's fills go to `internal`, a FIFO
 * drained after each event.
 *
 * Money: cash and costs are integer lamports. equity = cash + the market
 * value of the open positions (position_value_lamports at each one's last
 * price), kept incrementally and exactly; reserved is the part of cash
 * promised to buys in flight. */
#include "trade/engine.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/intern.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "trade/amount.h"
#include "trade/exec_paper.h"

#define HOUR_MS        3600000LL
#define RECENT_CONTEXT 20   /* trades behind the context factor's recent win rate */
#define PARKED_MAX     1024 /* signals waiting for token facts; past it, scored at once */

struct ewallet {
    bool watched, blacklisted, cluster_bl;
    double prior; /* stored score in [0, 1], or -1 */
    uint32_t lid; /* intel ledger id, LEDGER_NONE until seen there */
    /* The cached intel view; rebuilt when a trip closes or it is old. */
    bool cached;
    uint32_t cache_trips;
    int64_t cache_ms;
    double score;
    uint32_t trips, form_n, form_wins;
    bool flagged;
    /* Feedback: our own closed trades copying this wallet. */
    uint32_t copy_n, copy_wins;
};

struct emint {
    uint32_t pos;         /* index + 1 in e->pos, 0 when not held */
    uint32_t buy_pending; /* buys in flight */
};

struct epos {
    struct position p;
    uint32_t mint;
    uint64_t value;      /* market value at p.last_price */
    uint64_t basis;      /* cost not yet sold: p.cost - p.basis_sold */
    uint64_t sale_order; /* order id of the sale in flight, 0 none */
    double score;
    double f[SF_COUNT];
    bool dirty;
};

struct eorder {
    uint64_t id;
    enum side side;
    uint64_t signal_id, position_id;
    uint32_t mint, wallet;
    struct pubkey mint_key, wallet_key;
    uint8_t decimals;
    uint64_t amount_in;
    double ref_price;
    int64_t ts;
    double score;
    double f[SF_COUNT];
    struct exit_decision d;
    char reason[EXIT_REASON_MAX];
};

/* A signal waiting for token facts: the watched wallet's buy as it came,
 * scored when a price event reports on the mint or at deadline_ms. */
struct parked {
    uint32_t wid, mid;
    int64_t parked_ms, deadline_ms;
    struct swap_event ev;
};

struct engine {
    struct engine_params p;
    struct engine_params staged; /* CMD_SET run in progress (staging) */
    bool staging;
    struct engine_out *out;
    struct executor *x;
    struct intel *intel;
    struct market *market;
    struct intern wallets, mints;
    VEC(struct ewallet) w;
    VEC(struct emint) m;
    VEC(struct epos) pos;
    VEC(struct eorder) orders;
    VEC(struct event) internal;
    VEC(struct parked) parked; /* in parking order; released in that order */
    struct breakers br;
    int64_t now;
    uint64_t cash, reserved, open_value, open_cost;
    uint64_t next_signal, next_order, next_position;
    uint32_t hour_n[24], hour_wins[24];
    uint32_t n_watched, n_bl, n_cbl;
    struct engine_counters c;
    char err[256];
};

/* ---- parameters ----------------------------------------------------------- */

void engine_params_default(struct engine_params *p)
{
    memset(p, 0, sizeof *p);
    p->mode = TRADE_PAPER;
    p->capital_lamports = 10ULL * 1000000000ULL;
    p->fee_reserve_lamports = 10000000;
    p->max_exposure = 0.5;
    p->slippage_bps = 300;
    p->dust_fraction = 0.001;
    p->rescore_ms = HOUR_MS;
    p->rescore_min_ms = 5 * 60000;
    p->token_wait_ms = 0;
    p->token_fresh_ms = 60000;
    exit_book_init_default(&p->book);
    signal_params_default(&p->signal);
    sizing_params_default(&p->sizing);
    p->sizing.threshold = p->signal.threshold;
    breaker_params_default(&p->breakers);
    market_params_default(&p->market);
    intel_params_default(&p->intel);
    p->intel.ledger.keep_fills = false; /* patterns are discovery's, not the engine's */
}

static int set_err(char *err, size_t errsize, int rc, const char *msg)
{
    if (err && errsize)
        snprintf(err, errsize, "%s", msg);
    return rc;
}

/* The exit book, with messages that name the setting to change. */
static int book_check(const struct exit_book *b, char *err, size_t errsize)
{
    char names[EXIT_BOOK_MAX * (EXIT_NAME_MAX + 2)] = "";
    for (uint32_t i = 0; i < b->n && i < EXIT_BOOK_MAX; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%.*s", i ? ", " : "",
                 EXIT_NAME_MAX, b->s[i].name);
    if (!exit_book_find(b, b->default_name)) {
        if (err && errsize)
            snprintf(err, errsize,
                     "exit strategy '%.*s' (trade.default_strategy) is not in the book, which "
                     "has: %s",
                     EXIT_NAME_MAX, b->default_name, names);
        return WT_EINVAL;
    }
    for (uint32_t i = 0; i < b->n_overrides && i < EXIT_OVERRIDE_MAX; i++)
        if (!exit_book_find(b, b->overrides[i].strategy)) {
            if (err && errsize)
                snprintf(err, errsize,
                         "exit strategy '%.*s' (trade.exit_overrides) is not in the book, which "
                         "has: %s",
                         EXIT_NAME_MAX, b->overrides[i].strategy, names);
            return WT_EINVAL;
        }
    return exit_book_validate(b, err, errsize);
}

int engine_params_validate(const struct engine_params *p, char *err, size_t errsize)
{
    int rc;
    if (p->mode != TRADE_PAPER && p->mode != TRADE_LIVE)
        return set_err(err, errsize, WT_EINVAL, "mode must be paper or live");
    if (p->capital_lamports == 0)
        return set_err(err, errsize, WT_EINVAL, "trade.paper_capital_sol must be positive");
    if (!(p->max_exposure > 0 && p->max_exposure <= 1))
        return set_err(err, errsize, WT_EINVAL, "trade.max_exposure must be in (0, 1]");
    if (!(p->dust_fraction >= 0 && p->dust_fraction < 1))
        return set_err(err, errsize, WT_EINVAL, "dust_fraction must be in [0, 1)");
    if (p->slippage_bps == 0 || p->slippage_bps >= 10000)
        return set_err(err, errsize, WT_EINVAL, "trade.slippage_bps must be in [1, 9999]");
    if (p->token_wait_ms < 0 || p->token_wait_ms > 60000)
        return set_err(err, errsize, WT_EINVAL, "signal.token_wait_ms must be in [0, 60000]");
    if (p->token_fresh_ms <= 0)
        return set_err(err, errsize, WT_EINVAL, "token_fresh_ms must be positive");
    if ((rc = signal_params_validate(&p->signal, err, errsize)) ||
        (rc = sizing_params_validate(&p->sizing, err, errsize)) ||
        (rc = breaker_params_validate(&p->breakers, err, errsize)))
        return rc;
    if (p->sizing.threshold != p->signal.threshold)
        return set_err(err, errsize, WT_EINVAL, "sizing and signal thresholds differ");
    return book_check(&p->book, err, errsize);
}

/* ---- helpers ------------------------------------------------------------- */

static uint64_t equity(const struct engine *e)
{
    return e->cash + e->open_value;
}

static uint32_t wallet_id(struct engine *e, const struct pubkey *k)
{
    uint32_t id = intern_put(&e->wallets, k->b);
    while (e->w.len <= id) {
        struct ewallet *w = vec_push_zero(&e->w);
        w->prior = -1;
        w->lid = LEDGER_NONE;
    }
    return id;
}

static uint32_t mint_id(struct engine *e, const struct pubkey *k)
{
    uint32_t id = intern_put(&e->mints, k->b);
    while (e->m.len <= id)
        vec_push_zero(&e->m);
    return id;
}

static void emit_alert(struct engine *e, const char *kind, const char *severity,
                       const char *breaker, const char *action, const char *msg)
{
    e->c.alerts++;
    struct engine_alert a = {.ts_ms = e->now,
                             .mode = e->p.mode,
                             .kind = kind,
                             .severity = severity,
                             .breaker = breaker,
                             .action = action,
                             .message = msg};
    if (e->out && e->out->ops->alert)
        e->out->ops->alert(e->out, &a);
}

static void emit_breaker_alerts(struct engine *e, const struct breaker_alerts *al)
{
    for (uint32_t i = 0; i < al->n; i++) {
        const struct breaker_alert *a = &al->a[i];
        bool trip = a->action == BREAKER_TRIP;
        const char *sev = "info";
        if (trip && (a->kind == BREAKER_DRAWDOWN || a->kind == BREAKER_WIN_RATE))
            sev = "critical";
        else if (trip && (a->kind == BREAKER_LOSS_STREAK || a->kind == BREAKER_SILENCE))
            sev = "warn";
        emit_alert(e, a->kind == BREAKER_SILENCE ? "health" : "circuit_breaker", sev,
                   breaker_kind_name(a->kind), trip ? "trip" : "clear", a->reason);
    }
}

static void note_equity(struct engine *e)
{
    struct breaker_alerts al = {0};
    breakers_on_equity(&e->br, equity(e), e->now, &al);
    emit_breaker_alerts(e, &al);
}

static void emit_position(struct engine *e, const struct position *p, enum engine_pos_change c)
{
    if (e->out && e->out->ops->position)
        e->out->ops->position(e->out, p, c);
}

static void emit_order(struct engine *e, const struct eorder *o, enum engine_order_status st,
                       const char *error)
{
    struct engine_order r = {
        .id = o->id,
        .mode = e->p.mode,
        .side = o->side,
        .signal_id = o->signal_id,
        .position_id = o->position_id,
        .mint = o->mint_key,
        .ts_ms = o->ts,
        .updated_ms = e->now,
        .amount_in = o->amount_in,
        .ref_price_sol = o->ref_price,
        .slippage_bps = e->p.slippage_bps,
        .status = st,
        .reason = o->reason,
        .error = error ? error : "",
    };
    if (e->out && e->out->ops->order)
        e->out->ops->order(e->out, &r);
}

/* Re-reads the market value and remaining basis of a position into the
 * running totals. */
static void revalue(struct engine *e, struct epos *ep)
{
    uint64_t v = position_value_lamports(&ep->p, ep->p.last_price);
    uint64_t b = ep->p.cost_lamports - ep->p.basis_sold_lamports;
    e->open_value = e->open_value - ep->value + v;
    e->open_cost = e->open_cost - ep->basis + b;
    ep->value = v;
    ep->basis = b;
    ep->dirty = true;
}

static struct epos *position_by_id(struct engine *e, uint64_t id)
{
    for (size_t i = 0; i < e->pos.len; i++)
        if (e->pos.v[i].p.id == id)
            return &e->pos.v[i];
    return NULL;
}

static void reindex_positions(struct engine *e)
{
    for (size_t i = 0; i < e->pos.len; i++)
        e->m.v[e->pos.v[i].mint].pos = (uint32_t)i + 1;
}

static struct eorder *order_by_id(struct engine *e, uint64_t id, size_t *idx)
{
    for (size_t i = 0; i < e->orders.len; i++)
        if (e->orders.v[i].id == id) {
            *idx = i;
            return &e->orders.v[i];
        }
    return NULL;
}

static void order_remove(struct engine *e, size_t idx)
{
    memmove(&e->orders.v[idx], &e->orders.v[idx + 1],
            (e->orders.len - idx - 1) * sizeof e->orders.v[0]);
    e->orders.len--;
}

static int submit(struct engine *e, const struct eorder *o)
{
    if (!e->x)
        return WT_ESTATE;
    struct exec_order xo = {
        .id = o->id,
        .side = o->side,
        .mint = o->mint_key,
        .decimals = o->decimals,
        .sol_in = o->side == SIDE_BUY ? o->amount_in : 0,
        .token_in = o->side == SIDE_SELL ? o->amount_in : 0,
        .ref_price_sol = o->ref_price,
        .slippage_bps = e->p.slippage_bps,
        .ts_ms = o->ts,
    };
    return executor_submit(e->x, &xo);
}

/* ---- exits ---------------------------------------------------------------- */

/* Sends the sale a decision asks for. */
static void sell(struct engine *e, struct epos *ep, const struct exit_decision *d)
{
    if (position_mark_pending(&ep->p, d) != 0)
        return;
    struct eorder o = {
        .id = ++e->next_order,
        .side = SIDE_SELL,
        .signal_id = ep->p.signal_id,
        .position_id = ep->p.id,
        .mint = ep->mint,
        .mint_key = ep->p.mint,
        .wallet_key = ep->p.wallet,
        .decimals = ep->p.decimals,
        .amount_in = d->amount_raw,
        .ref_price = d->price,
        .ts = e->now,
        .score = ep->score,
        .d = *d,
    };
    memcpy(o.f, ep->f, sizeof o.f);
    exit_reason_format(d->reason, d->tp_level, o.reason);
    ep->sale_order = o.id;
    ep->dirty = true;
    e->c.orders++;
    emit_order(e, &o, ORDER_SENT, NULL);
    vec_push(&e->orders, o);
    int rc = submit(e, &o);
    if (rc != 0) {
        size_t idx;
        struct epos *again = position_by_id(e, o.position_id);
        if (again) {
            position_cancel_pending(&again->p);
            again->sale_order = 0;
        }
        if (order_by_id(e, o.id, &idx))
            order_remove(e, idx);
        e->c.fills_failed++;
        emit_order(e, &o, ORDER_FAILED, wt_strerror(rc));
    }
}

enum exit_trigger { TRIG_PRICE, TRIG_TIME, TRIG_WALLET_SELL };

/* Runs the exit rules of the position at index i and sends a sale if one
 * is decided. The position may move in e->pos (vector growth never
 * happens here), so callers re-read by index. */
static void run_exits(struct engine *e, size_t i, enum exit_trigger trig, double price,
                      const struct pubkey *seller)
{
    struct epos *ep = &e->pos.v[i];
    struct exit_decision d;
    int64_t ts = e->now > ep->p.last_ts_ms ? e->now : ep->p.last_ts_ms;
    int rc;
    if (trig == TRIG_WALLET_SELL)
        rc = position_on_wallet_sell(&ep->p, seller, price > 0 ? price : ep->p.last_price, ts, &d);
    else if (trig == TRIG_PRICE && price > 0)
        rc = position_on_price(&ep->p, price, ts, &d);
    else
        rc = position_on_time(&ep->p, ts, &d);
    if (rc != 0)
        return;
    revalue(e, ep);
    if (d.reason != EXIT_NONE)
        sell(e, ep, &d);
}

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
    intel_profile(e->intel, w->lid, e->now, pr);
    w->score = pr->score.score / 100.0;
    w->trips = pr->metrics.trades;
    w->form_n = pr->decay.n;
    w->form_wins = score_decay_wins(&pr->decay);
    w->flagged = pr->decay.flagged;
    free(pr);
}

static int utc_hour(int64_t ms)
{
    int64_t h = (ms / HOUR_MS) % 24;
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

static void handle_signal(struct engine *e, uint32_t wid, uint32_t mid, const struct swap_event *ev,
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
    in.hour = utc_hour(e->now);
    in.hour_n = e->hour_n[in.hour];
    in.hour_wins = e->hour_wins[in.hour];
    recent_wins(&e->br, &in.recent_n, &in.recent_wins);
    uint64_t eq = equity(e);
    in.exposure = eq ? (double)(e->open_cost + e->reserved) / (double)eq : 1;

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
        int rc = submit(e, &o);
        if (rc != 0) {
            size_t idx;
            if (order_by_id(e, o.id, &idx))
                order_remove(e, idx);
            e->reserved -= o.amount_in;
            em = &e->m.v[mid];
            em->buy_pending--;
            r = SR_EXECUTOR_REFUSED;
            snprintf(detail, sizeof detail, "executor: %s", wt_strerror(rc));
            e->next_order--; /* the id was never used */
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
        emit_order(e, &o, ORDER_SENT, NULL);

    struct breaker_alerts al = {0};
    breakers_on_signal(&e->br, e->now, &al);
    emit_breaker_alerts(e, &al);
}

/* ---- waiting for token facts ---------------------------------------------- */

/* Whether a feed reported on the mint recently enough to score at once. */
static bool fresh_report(const struct engine *e, uint32_t mid)
{
    const struct market_mint *mm = market_mint(e->market, mid);
    return mm && mm->reported_ms > 0 && e->now - mm->reported_ms <= e->p.token_fresh_ms;
}

/* Parks a watched wallet's buy and, unless a signal of the same mint
 * already waits (its request is out), asks for the mint's facts. */
static void park(struct engine *e, uint32_t wid, uint32_t mid, const struct swap_event *s)
{
    if (e->parked.len >= PARKED_MAX) {
        e->c.waits_full++;
        handle_signal(e, wid, mid, s, 0);
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
    handle_signal(e, pk.wid, pk.mid, &pk.ev, e->now - pk.parked_ms);
}

/* The parked signals of mint mid, in parking order (a feed reported). */
static void release_mint(struct engine *e, uint32_t mid)
{
    for (size_t i = 0; i < e->parked.len;)
        if (e->parked.v[i].mid == mid)
            release(e, i, true);
        else
            i++;
}

/* The parked signals whose wait is over at the engine's clock. */
static void release_expired(struct engine *e)
{
    for (size_t i = 0; i < e->parked.len;)
        if (e->parked.v[i].deadline_ms <= e->now)
            release(e, i, false);
        else
            i++;
}

/* ---- market events -------------------------------------------------------- */

/* Re-prices the position of mint mid (if held) and runs its exits. */
static void price_positions(struct engine *e, uint32_t mid, double price,
                            const struct swap_event *sell_by)
{
    uint32_t pi = e->m.v[mid].pos;
    if (!pi)
        return;
    size_t i = pi - 1;
    if (sell_by && pubkey_eq(&sell_by->wallet, &e->pos.v[i].p.wallet))
        run_exits(e, i, TRIG_WALLET_SELL, price, &sell_by->wallet);
    else if (price > 0)
        run_exits(e, i, TRIG_PRICE, price, NULL);
}

static void handle_swap(struct engine *e, const struct event *ev)
{
    const struct swap_event *s = &ev->u.swap;
    e->c.swaps++;
    e->c.last_event_ms = s->ts_ms;
    if (s->token_amount == 0 || (s->side != SIDE_BUY && s->side != SIDE_SELL)) {
        e->c.skipped_swaps++;
        return;
    }
    uint32_t wid = wallet_id(e, &s->wallet);
    uint32_t mid = mint_id(e, &s->mint);
    market_on_swap(e->market, mid, wid, s);
    intel_apply(e->intel, s); /* an out-of-order swap is refused by the ledger: nothing to do */
    if (e->x)
        executor_observe(e->x, ev);
    bool held = e->m.v[mid].pos != 0;
    if (held)
        price_positions(e, mid, s->price_sol, s->side == SIDE_SELL ? s : NULL);
    if (s->side == SIDE_BUY && e->w.v[wid].watched) {
        if (e->p.token_wait_ms > 0 && !fresh_report(e, mid))
            park(e, wid, mid, s);
        else
            handle_signal(e, wid, mid, s, 0);
    }
}

static void handle_price(struct engine *e, const struct event *ev)
{
    const struct price_event *p = &ev->u.price;
    e->c.prices++;
    e->c.last_event_ms = p->ts_ms;
    uint32_t mid = mint_id(e, &p->mint);
    bool taken = market_on_price(e->market, mid, p);
    if (e->x)
        executor_observe(e->x, ev);
    if (taken && e->m.v[mid].pos)
        price_positions(e, mid, p->price_sol, NULL);
    if (p->liquidity_usd > 0 || p->mcap_usd > 0 || p->pair_created_ms > 0)
        release_mint(e, mid);
}

static void handle_tick(struct engine *e, const struct event *ev)
{
    e->c.ticks++;
    struct breaker_alerts al = {0};
    breakers_on_tick(&e->br, e->now, &al);
    emit_breaker_alerts(e, &al);
    if (e->x) {
        /* An old tick is a tick at the engine's clock. */
        struct event t = *ev;
        t.u.tick.ts_ms = e->now;
        executor_observe(e->x, &t);
    }
    for (size_t i = 0; i < e->pos.len; i++)
        run_exits(e, i, TRIG_TIME, 0, NULL);
}

/* ---- fills ------------------------------------------------------------------ */

static void feedback(struct engine *e, const struct closed_trade *t)
{
    bool win = t->pnl_lamports > 0;
    uint32_t wid = wallet_id(e, &t->wallet); /* may grow e->w */
    e->w.v[wid].copy_n++;
    e->w.v[wid].copy_wins += win;
    int h = utc_hour(t->entry_ts_ms);
    e->hour_n[h]++;
    e->hour_wins[h] += win;
}

static void close_position(struct engine *e, size_t i, const struct closed_trade *t)
{
    struct epos *ep = &e->pos.v[i];
    e->open_value -= ep->value;
    e->open_cost -= ep->basis;
    e->c.positions_closed++;
    e->c.realized_pnl_lamports += t->pnl_lamports;
    if (t->pnl_lamports > 0)
        e->c.wins++;
    else
        e->c.losses++;
    feedback(e, t);
    struct engine_trade tr = {.t = t, .score = ep->score, .entry_hour = utc_hour(t->entry_ts_ms)};
    memcpy(tr.f, ep->f, sizeof tr.f);
    emit_position(e, &ep->p, POS_CLOSED);
    if (e->out && e->out->ops->trade)
        e->out->ops->trade(e->out, &tr);
    struct breaker_alerts al = {0};
    breakers_on_trade(&e->br, t->pnl_lamports, t->reason == EXIT_STOP_LOSS, e->now, &al);
    emit_breaker_alerts(e, &al);
    e->m.v[ep->mint].pos = 0;
    memmove(&e->pos.v[i], &e->pos.v[i + 1], (e->pos.len - i - 1) * sizeof e->pos.v[0]);
    e->pos.len--;
    reindex_positions(e);
}

static void buy_filled(struct engine *e, struct eorder *o, const struct fill_event *f)
{
    struct emint *em = &e->m.v[o->mint];
    e->reserved -= o->amount_in;
    if (em->buy_pending)
        em->buy_pending--;
    if (f->status != FILL_FILLED) {
        e->c.fills_failed++;
        emit_order(e, o, ORDER_FAILED, f->error);
        return;
    }
    const struct exit_strategy *strat = exit_book_select(&e->p.book, o->score);
    uint64_t cost = f->sol_amount + f->fee_lamports;
    double price = f->price_sol;
    if (!(price > 0) && f->token_amount)
        price = ((double)f->sol_amount / 1e9) / ((double)f->token_amount / pow(10, o->decimals));
    struct position_open_args a = {
        .id = e->next_position + 1,
        .signal_id = o->signal_id,
        .mode = e->p.mode,
        .mint = o->mint_key,
        .wallet = o->wallet_key,
        .decimals = o->decimals,
        .ts_ms = f->ts_ms,
        .price = price,
        .cost_lamports = cost,
        .amount_raw = f->token_amount,
        .dust_raw = amount_frac(f->token_amount, e->p.dust_fraction),
        .strategy = strat,
    };
    struct epos ep;
    memset(&ep, 0, sizeof ep);
    if (em->pos || position_open(&ep.p, &a) != 0) {
        /* Bought but cannot track it (a second position in the mint, or a
         * fill without tokens): account the cash, report it. */
        e->cash = e->cash > cost ? e->cash - cost : 0;
        e->c.fills_failed++;
        emit_order(e, o, ORDER_FAILED, "fill could not open a position");
        return;
    }
    e->next_position++;
    ep.mint = o->mint;
    ep.score = o->score;
    memcpy(ep.f, o->f, sizeof ep.f);
    e->cash = e->cash > cost ? e->cash - cost : 0;
    vec_push(&e->pos, ep);
    size_t i = e->pos.len - 1;
    e->m.v[o->mint].pos = (uint32_t)e->pos.len;
    revalue(e, &e->pos.v[i]);
    e->c.positions_opened++;
    o->position_id = a.id;
    emit_order(e, o, ORDER_FILLED, NULL);
    struct engine_fill ef = {.fill = f, .mode = e->p.mode, .position_id = a.id};
    if (e->out && e->out->ops->fill)
        e->out->ops->fill(e->out, &ef);
    emit_position(e, &e->pos.v[i].p, POS_OPENED);
    /* The price may already be past a stop by the time we hold it. */
    double last =
        market_mint(e->market, o->mint) ? market_mint(e->market, o->mint)->last_price_sol : 0;
    run_exits(e, i, last > 0 ? TRIG_PRICE : TRIG_TIME, last, NULL);
}

static void sell_filled(struct engine *e, struct eorder *o, const struct fill_event *f)
{
    struct epos *ep = position_by_id(e, o->position_id);
    if (!ep)
        return;
    size_t i = (size_t)(ep - e->pos.v);
    ep->sale_order = 0;
    if (f->status != FILL_FILLED) {
        position_cancel_pending(&ep->p);
        ep->dirty = true;
        e->c.fills_failed++;
        emit_order(e, o, ORDER_FAILED, f->error);
        return;
    }
    uint64_t sold = f->token_amount < ep->p.remaining_raw ? f->token_amount : ep->p.remaining_raw;
    int64_t proceeds = (int64_t)f->sol_amount - (int64_t)f->fee_lamports;
    bool closed = false;
    struct closed_trade t;
    int64_t ts = f->ts_ms > ep->p.last_ts_ms ? f->ts_ms : ep->p.last_ts_ms;
    if (sold == 0 || position_apply_fill(&ep->p, &o->d, sold, proceeds, ts, &closed, &t) != 0) {
        position_cancel_pending(&ep->p);
        e->c.fills_failed++;
        emit_order(e, o, ORDER_FAILED, "fill could not be applied to the position");
        return;
    }
    if (proceeds >= 0)
        e->cash += (uint64_t)proceeds;
    else
        e->cash = e->cash > (uint64_t)-proceeds ? e->cash - (uint64_t)-proceeds : 0;
    emit_order(e, o, ORDER_FILLED, NULL);
    struct engine_fill ef = {.fill = f, .mode = e->p.mode, .position_id = ep->p.id};
    if (e->out && e->out->ops->fill)
        e->out->ops->fill(e->out, &ef);
    if (closed) {
        close_position(e, i, &t);
        return;
    }
    revalue(e, ep);
    emit_position(e, &ep->p, POS_UPDATED);
    run_exits(e, i, TRIG_TIME, 0, NULL); /* one price can take several levels */
}

static void handle_fill(struct engine *e, const struct event *ev)
{
    const struct fill_event *f = &ev->u.fill;
    e->c.fills++;
    size_t idx;
    struct eorder *po = order_by_id(e, f->order_id, &idx);
    if (!po)
        return; /* not ours, or already settled */
    struct eorder o = *po;
    order_remove(e, idx);
    if (o.side == SIDE_BUY)
        buy_filled(e, &o, f);
    else
        sell_filled(e, &o, f);
}

/* ---- commands --------------------------------------------------------------- */

_Static_assert(sizeof(struct exit_strategy) <= COMMAND_PAYLOAD_MAX,
               "a CMD_EXIT_PUT command carries a whole exit strategy");

void engine_command_exit_put(struct command_event *c, const struct exit_strategy *s)
{
    memset(c, 0, sizeof *c);
    c->kind = CMD_EXIT_PUT;
    memcpy(c->payload, s, sizeof *s);
}

static int cmd_fail(struct engine *e, int rc, const char *fmt, const char *arg)
{
    snprintf(e->err, sizeof e->err, fmt, arg);
    return rc;
}

static void apply_params(struct engine *e, const struct engine_params *np)
{
    e->p = *np;
    /* Breakers keep their state; a shorter window keeps the newest trades. */
    struct breakers *b = &e->br;
    b->p = np->breakers;
    if (b->n_recent > b->p.win_rate_window) {
        uint32_t drop = b->n_recent - b->p.win_rate_window;
        for (uint32_t i = 0; i < drop; i++)
            b->wins -= b->recent[i];
        memmove(b->recent, b->recent + drop, b->n_recent - drop);
        b->n_recent -= drop;
    }
}

static int handle_command(struct engine *e, const struct command_event *c)
{
    e->c.commands++;
    struct breaker_alerts al = {0};
    int rc = 0;
    switch (c->kind) {
    case CMD_PAUSE:
        breakers_pause(&e->br, e->now, c->text, &al);
        break;
    case CMD_RESUME:
        breakers_resume(&e->br, e->now, &al);
        break;
    case CMD_BREAKER_RESET: {
        enum breaker_kind k = BREAKER_KIND_COUNT;
        if (c->text[0] && strcmp(c->text, "all") != 0) {
            int i;
            for (i = 0; i < BREAKER_KIND_COUNT; i++)
                if (strcmp(c->text, breaker_kind_name((enum breaker_kind)i)) == 0)
                    break;
            if (i == BREAKER_KIND_COUNT)
                return cmd_fail(e, WT_EINVAL,
                                "no breaker named '%s' (drawdown, win_rate, loss_streak, "
                                "signal_silence, operator, all)",
                                c->text);
            k = (enum breaker_kind)i;
        }
        breakers_reset(&e->br, k, e->now, &al);
        break;
    }
    case CMD_WATCH:
    case CMD_UNWATCH:
    case CMD_BLACKLIST:
    case CMD_UNBLACKLIST:
    case CMD_CLUSTER_BLACKLIST:
    case CMD_CLUSTER_UNBLACKLIST: {
        uint32_t wid = wallet_id(e, &c->wallet); /* may grow e->w */
        struct ewallet *w = &e->w.v[wid];
        bool *flag = c->kind <= CMD_UNWATCH       ? &w->watched
                     : c->kind <= CMD_UNBLACKLIST ? &w->blacklisted
                                                  : &w->cluster_bl;
        uint32_t *count = c->kind <= CMD_UNWATCH       ? &e->n_watched
                          : c->kind <= CMD_UNBLACKLIST ? &e->n_bl
                                                       : &e->n_cbl;
        bool on =
            c->kind == CMD_WATCH || c->kind == CMD_BLACKLIST || c->kind == CMD_CLUSTER_BLACKLIST;
        if (*flag != on)
            *count += on ? 1 : (uint32_t)-1;
        *flag = on;
        if (c->kind == CMD_WATCH && c->value >= 0 && c->value <= 100)
            w->prior = c->value / 100.0;
        break;
    }
    case CMD_SET: {
        /* Settings valid only together come as a run of CMD_SET, all but
         * the last with value 1: staged, then validated and applied at
         * once with the last, or all refused. */
        struct engine_params np = e->staging ? e->staged : e->p;
        bool more = c->value == 1;
        rc = engine_params_set(&np, c->name, c->text, !more, e->err, sizeof e->err);
        if (rc || more) {
            e->staging = rc == 0;
            e->staged = np;
            return rc;
        }
        e->staging = false;
        apply_params(e, &np);
        break;
    }
    case CMD_SET_STRATEGY:
    case CMD_CLOSE_POSITION: {
        char idtext[24];
        snprintf(idtext, sizeof idtext, "%llu", (unsigned long long)c->id);
        struct epos *ep = position_by_id(e, c->id);
        if (!ep)
            return cmd_fail(e, WT_ENOTFOUND, "no open position %s", idtext);
        size_t i = (size_t)(ep - e->pos.v);
        if (c->kind == CMD_SET_STRATEGY) {
            const struct exit_strategy *s = exit_book_find(&e->p.book, c->name);
            if (!s)
                return cmd_fail(e, WT_ENOTFOUND, "no exit strategy named '%s'", c->name);
            rc = position_set_strategy(&ep->p, s, e->err, sizeof e->err);
            if (rc)
                return rc;
            ep->dirty = true;
            emit_position(e, &ep->p, POS_UPDATED);
            run_exits(e, i, TRIG_TIME, 0, NULL);
        } else {
            struct exit_decision d;
            rc = position_manual_exit(&ep->p, ep->p.last_price, e->now, &d);
            if (rc)
                return cmd_fail(e, rc, "position %s has a sale in flight", idtext);
            revalue(e, ep);
            sell(e, ep, &d);
        }
        break;
    }
    case CMD_EXIT_PUT:
    case CMD_EXIT_DELETE: {
        /* The book's strategies; a staged CMD_SET run sees the change too.
         * Open positions keep their own copy of their strategy. */
        struct exit_book nb = e->p.book;
        if (c->kind == CMD_EXIT_PUT) {
            struct exit_strategy s;
            memcpy(&s, c->payload, sizeof s);
            rc = exit_book_put(&nb, &s, e->err, sizeof e->err);
        } else {
            rc = exit_book_remove(&nb, c->name, e->err, sizeof e->err);
        }
        if (rc)
            return rc;
        if (e->staging) {
            struct exit_book sb = e->staged.book;
            memcpy(sb.s, nb.s, sizeof sb.s);
            sb.n = nb.n;
            if (book_check(&sb, NULL, 0) == 0)
                e->staged.book = sb;
        }
        e->p.book = nb;
        break;
    }
    default:
        return cmd_fail(e, WT_EINVAL, "unknown command%s", "");
    }
    emit_breaker_alerts(e, &al);
    return rc;
}

/* ---- the loop --------------------------------------------------------------- */

static int dispatch(struct engine *e, const struct event *ev)
{
    int64_t ts = event_ts_ms(ev);
    if (ts > e->now)
        e->now = ts;
    e->c.events++;
    /* Waits that ended before this event are decided before it changes
     * anything (ticks included: they are what ends a wait in a quiet
     * market). */
    if (e->parked.len)
        release_expired(e);
    int rc = 0;
    switch (ev->kind) {
    case EVENT_SWAP:
        handle_swap(e, ev);
        break;
    case EVENT_TRANSFER:
        e->c.transfers++;
        e->c.last_event_ms = ev->u.transfer.ts_ms;
        break;
    case EVENT_PRICE:
        handle_price(e, ev);
        break;
    case EVENT_FILL:
        handle_fill(e, ev);
        break;
    case EVENT_TICK:
        handle_tick(e, ev);
        break;
    case EVENT_COMMAND:
        rc = handle_command(e, &ev->u.command);
        break;
    }
    /* The drawdown breaker sees every change of equity, once per event. */
    if (equity(e) != e->br.equity_lamports)
        note_equity(e);
    return rc;
}

int engine_handle(struct engine *e, const struct event *ev)
{
    e->err[0] = '\0';
    int rc = dispatch(e, ev);
    /* Fills of a synchronous executor, in the order they were emitted
     * (handling one may emit more). */
    for (size_t i = 0; i < e->internal.len; i++) {
        struct event f = e->internal.v[i];
        dispatch(e, &f);
    }
    e->internal.len = 0;
    return rc;
}

const char *engine_last_error(const struct engine *e)
{
    return e->err;
}

static void internal_emit(void *ctx, const struct event *ev)
{
    struct engine *e = ctx;
    vec_push(&e->internal, *ev);
}

struct exec_sink engine_exec_sink(struct engine *e)
{
    return (struct exec_sink){.emit = internal_emit, .ctx = e};
}

void engine_set_executor(struct engine *e, struct executor *x)
{
    if (e->x && e->x != x)
        executor_free(e->x);
    e->x = x;
}

static int paper_pool(void *ctx, const struct pubkey *mint, double price, uint8_t decimals,
                      struct paper_pool *out)
{
    struct engine *e = ctx;
    uint32_t mid = intern_find(&e->mints, mint->b);
    const struct market_mint *mm = mid != INTERN_NONE ? market_mint(e->market, mid) : NULL;
    double sol = mm && mm->liquidity_sol > 0 ? mm->liquidity_sol : e->p.market.default_pool_sol;
    double lamports = floor(sol * 1e9);
    if (!(lamports >= 1) || lamports >= 1.8e19)
        return WT_EINVAL;
    return paper_pool_from_price((uint64_t)lamports, price, decimals, out);
}

struct executor *engine_paper_executor(struct engine *e, const struct paper_params *pp)
{
    return exec_paper_new(pp, engine_exec_sink(e), paper_pool, e);
}

void engine_flush(struct engine *e)
{
    if (e->out && e->out->ops->flush)
        e->out->ops->flush(e->out, e);
    for (size_t i = 0; i < e->pos.len; i++)
        e->pos.v[i].dirty = false;
}

/* ---- lifecycle ---------------------------------------------------------------- */

struct engine *engine_new(const struct engine_params *p, struct engine_out *out, int64_t start_ms,
                          char *err, size_t errsize)
{
    if (engine_params_validate(p, err, errsize) != 0) {
        engine_out_free(out);
        return NULL;
    }
    struct engine *e = xcalloc(1, sizeof *e);
    e->p = *p;
    e->out = out;
    e->intel = intel_new(&p->intel, 1024);
    e->market = market_new(&p->market, 1024);
    intern_init(&e->wallets, 1024);
    intern_init(&e->mints, 1024);
    breakers_init(&e->br, &p->breakers, p->capital_lamports, start_ms, NULL, 0);
    e->now = start_ms;
    e->cash = p->capital_lamports;
    return e;
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    executor_free(e->x);
    engine_out_free(e->out);
    intel_free(e->intel);
    market_free(e->market);
    intern_release(&e->wallets);
    intern_release(&e->mints);
    vec_free(&e->w);
    vec_free(&e->m);
    vec_free(&e->pos);
    vec_free(&e->orders);
    vec_free(&e->internal);
    vec_free(&e->parked);
    free(e);
}

/* ---- warm-up and restart -------------------------------------------------------- */

void engine_warm_swap(struct engine *e, const struct swap_event *s)
{
    if (s->token_amount == 0 || (s->side != SIDE_BUY && s->side != SIDE_SELL))
        return;
    uint32_t wid = wallet_id(e, &s->wallet);
    uint32_t mid = mint_id(e, &s->mint);
    market_on_swap(e->market, mid, wid, s);
    intel_apply(e->intel, s);
    if (s->ts_ms > e->c.last_event_ms)
        e->c.last_event_ms = s->ts_ms;
}

int engine_state_format(const struct engine *e, struct buf *out)
{
    struct buf br;
    buf_init(&br, 0);
    int rc = breakers_format(&e->br, &br);
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_kstr(&w, "mode", trade_mode_name(e->p.mode));
    jw_ki64(&w, "now_ms", e->now);
    jw_ku64(&w, "cash_lamports", e->cash);
    jw_ku64(&w, "next_signal_id", e->next_signal);
    jw_ku64(&w, "next_order_id", e->next_order);
    jw_ku64(&w, "next_position_id", e->next_position);
    jw_kstr(&w, "breakers", br.data ? br.data : "{}");
    jw_key(&w, "counters");
    jw_obj_begin(&w);
    jw_ku64(&w, "signals", e->c.signals);
    jw_ku64(&w, "traded", e->c.traded);
    jw_ku64(&w, "orders", e->c.orders);
    jw_ku64(&w, "positions_opened", e->c.positions_opened);
    jw_ku64(&w, "positions_closed", e->c.positions_closed);
    jw_ku64(&w, "wins", e->c.wins);
    jw_ku64(&w, "losses", e->c.losses);
    jw_ki64(&w, "realized_pnl_lamports", e->c.realized_pnl_lamports);
    jw_ki64(&w, "last_signal_ms", e->c.last_signal_ms);
    jw_obj_end(&w);
    jw_obj_end(&w);
    int r2 = jw_finish(&w);
    buf_release(&br);
    return rc ? rc : r2;
}

bool engine_clock_limit(struct engine *e, int64_t max_ms)
{
    if (e->now <= max_ms)
        return false;
    e->now = max_ms;
    if (e->c.last_signal_ms > max_ms)
        e->c.last_signal_ms = max_ms;
    if (e->br.last_signal_ms > max_ms)
        e->br.last_signal_ms = max_ms;
    return true;
}

int engine_restore_state(struct engine *e, const char *json, size_t len, char *err, size_t errsize)
{
    struct json_doc *d = json_doc_new(16);
    struct json_val o, c;
    const char *mode, *brjson;
    size_t mlen, blen;
    uint64_t cash, ns, no, np;
    int64_t now;
    struct breakers b;
    int rc;
    if ((rc = json_parse(d, json, len, 0, &o)) || (rc = json_get_str(&o, "mode", &mode, &mlen)) ||
        (rc = json_get_i64(&o, "now_ms", &now)) ||
        (rc = json_get_u64(&o, "cash_lamports", &cash)) ||
        (rc = json_get_u64(&o, "next_signal_id", &ns)) ||
        (rc = json_get_u64(&o, "next_order_id", &no)) ||
        (rc = json_get_u64(&o, "next_position_id", &np)) ||
        (rc = json_get_str(&o, "breakers", &brjson, &blen))) {
        set_err(err, errsize, rc, json_errmsg(d));
        goto out;
    }
    if (strcmp(mode, trade_mode_name(e->p.mode)) != 0) {
        rc = set_err(err, errsize, WT_EINVAL, "the stored engine state is of the other mode");
        goto out;
    }
    if ((rc = breakers_parse(&b, &e->p.breakers, brjson, blen, err, errsize)))
        goto out;
    e->br = b;
    e->cash = cash;
    e->next_signal = ns;
    e->next_order = no;
    e->next_position = np;
    if (now > e->now)
        e->now = now;
    if (json_find(&o, "counters", &c) == 0) {
        json_opt_u64(&c, "signals", &e->c.signals);
        json_opt_u64(&c, "traded", &e->c.traded);
        json_opt_u64(&c, "orders", &e->c.orders);
        json_opt_u64(&c, "positions_opened", &e->c.positions_opened);
        json_opt_u64(&c, "positions_closed", &e->c.positions_closed);
        json_opt_u64(&c, "wins", &e->c.wins);
        json_opt_u64(&c, "losses", &e->c.losses);
        json_opt_i64(&c, "realized_pnl_lamports", &e->c.realized_pnl_lamports);
        json_opt_i64(&c, "last_signal_ms", &e->c.last_signal_ms);
    }
    rc = 0;
out:
    json_doc_free(d);
    return rc;
}

int engine_restore_position(struct engine *e, const struct position *p, double score,
                            const double f[SF_COUNT])
{
    if (p->closed || p->mode != e->p.mode)
        return WT_EINVAL;
    if (position_by_id(e, p->id))
        return WT_EEXIST;
    uint32_t mid = mint_id(e, &p->mint);
    if (e->m.v[mid].pos)
        return WT_EEXIST;
    struct epos ep;
    memset(&ep, 0, sizeof ep);
    ep.p = *p;
    position_cancel_pending(&ep.p); /* the sale died with the previous process */
    ep.mint = mid;
    ep.score = score;
    if (f)
        memcpy(ep.f, f, sizeof ep.f);
    vec_push(&e->pos, ep);
    e->m.v[mid].pos = (uint32_t)e->pos.len;
    struct epos *np = &e->pos.v[e->pos.len - 1];
    np->value = 0;
    np->basis = 0;
    revalue(e, np);
    np->dirty = false;
    if (p->id > e->next_position)
        e->next_position = p->id;
    if (p->last_ts_ms > e->now)
        e->now = p->last_ts_ms;
    /* Equity and its peak come back with the breakers' state. */
    return 0;
}

void engine_restore_trade(struct engine *e, const struct pubkey *wallet, int64_t entry_ts_ms,
                          int64_t pnl_lamports)
{
    struct closed_trade t;
    memset(&t, 0, sizeof t);
    t.wallet = *wallet;
    t.entry_ts_ms = entry_ts_ms;
    t.pnl_lamports = pnl_lamports;
    feedback(e, &t);
}

/* ---- state ---------------------------------------------------------------------- */

void engine_status(const struct engine *e, struct engine_status *o)
{
    memset(o, 0, sizeof *o);
    o->mode = e->p.mode;
    o->now_ms = e->now;
    o->cash_lamports = e->cash;
    o->reserved_lamports = e->reserved;
    o->open_value_lamports = e->open_value;
    o->open_cost_lamports = e->open_cost;
    o->equity_lamports = equity(e);
    o->peak_equity_lamports = e->br.peak_equity_lamports;
    o->open_positions = (uint32_t)e->pos.len;
    o->pending_orders = (uint32_t)e->orders.len;
    o->watched = e->n_watched;
    o->blacklisted = e->n_bl;
    o->cluster_blacklisted = e->n_cbl;
    o->parked = (uint32_t)e->parked.len;
    o->entries_allowed = breakers_entries_allowed(&e->br);
    o->size_reduced = breakers_size_reduced(&e->br);
    o->c = e->c;
}

const struct breakers *engine_breakers(const struct engine *e)
{
    return &e->br;
}

struct intel *engine_intel(struct engine *e)
{
    return e->intel;
}

const struct engine_params *engine_params_of(const struct engine *e)
{
    return &e->p;
}

const struct exit_book *engine_exit_book(const struct engine *e)
{
    return &e->p.book;
}

const struct position *engine_position_at(const struct engine *e, size_t i, bool *dirty,
                                          double *score, double f[SF_COUNT])
{
    if (i >= e->pos.len)
        return NULL;
    const struct epos *ep = &e->pos.v[i];
    if (dirty)
        *dirty = ep->dirty;
    if (score)
        *score = ep->score;
    if (f)
        memcpy(f, ep->f, sizeof ep->f);
    return &ep->p;
}

void engine_status_write(const struct engine *e, struct jw *w)
{
    struct engine_status s;
    engine_status(e, &s);
    jw_obj_begin(w);
    jw_kstr(w, "mode", trade_mode_name(s.mode));
    jw_kstr(w, "state", e->br.active[BREAKER_OPERATOR] ? "paused" : "running");
    jw_kbool(w, "entries_allowed", s.entries_allowed);
    jw_kbool(w, "size_reduced", s.size_reduced);
    jw_ki64(w, "now_ms", s.now_ms);
    jw_key(w, "equity");
    jw_obj_begin(w);
    jw_ku64(w, "equity_lamports", s.equity_lamports);
    jw_ku64(w, "peak_equity_lamports", s.peak_equity_lamports);
    jw_ku64(w, "cash_lamports", s.cash_lamports);
    jw_ku64(w, "reserved_lamports", s.reserved_lamports);
    jw_ku64(w, "open_value_lamports", s.open_value_lamports);
    jw_ku64(w, "open_cost_lamports", s.open_cost_lamports);
    jw_ku64(w, "capital_lamports", e->p.capital_lamports);
    jw_ki64(w, "realized_pnl_lamports", s.c.realized_pnl_lamports);
    jw_obj_end(w);
    jw_key(w, "breakers");
    jw_obj_begin(w);
    for (int k = 0; k < BREAKER_KIND_COUNT; k++) {
        jw_key(w, breaker_kind_name((enum breaker_kind)k));
        jw_obj_begin(w);
        jw_kbool(w, "active", e->br.active[k]);
        jw_ki64(w, "since_ms", e->br.since_ms[k]);
        jw_kstr(w, "reason", e->br.reason[k]);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_key(w, "positions");
    jw_obj_begin(w);
    jw_ku64(w, "open", s.open_positions);
    jw_ku64(w, "max", e->p.sizing.max_positions);
    jw_ku64(w, "pending_orders", s.pending_orders);
    jw_obj_end(w);
    jw_key(w, "watchlist");
    jw_obj_begin(w);
    jw_ku64(w, "watched", s.watched);
    jw_ku64(w, "blacklisted", s.blacklisted);
    jw_ku64(w, "cluster_blacklisted", s.cluster_blacklisted);
    jw_obj_end(w);
    jw_key(w, "scoring");
    jw_obj_begin(w);
    jw_kdouble(w, "threshold", e->p.signal.threshold);
    jw_key(w, "weights");
    jw_obj_begin(w);
    for (int i = 0; i < SF_COUNT; i++)
        jw_kdouble(w, signal_factor_name((enum signal_factor)i), e->p.signal.weight[i]);
    jw_obj_end(w);
    jw_kbool(w, "cluster_available", e->p.signal.cluster_available);
    if (!e->p.signal.cluster_available)
        jw_kstr(w, "cluster_note",
                "the cluster factor is not built yet: its weight is shared out among wallet, "
                "token and context in proportion to their weights");
    jw_obj_end(w);
    jw_key(w, "token_wait");
    jw_obj_begin(w);
    jw_ki64(w, "wait_ms", e->p.token_wait_ms);
    jw_ki64(w, "fresh_ms", e->p.token_fresh_ms);
    jw_ku64(w, "parked", s.parked);
    jw_ku64(w, "waits", s.c.token_waits);
    jw_ku64(w, "released_reported", s.c.released_reported);
    jw_ku64(w, "released_expired", s.c.released_expired);
    jw_ku64(w, "dropped", s.c.waits_dropped);
    jw_ku64(w, "full", s.c.waits_full);
    jw_obj_end(w);
    jw_key(w, "counters");
    jw_obj_begin(w);
    jw_ku64(w, "events", s.c.events);
    jw_ku64(w, "swaps", s.c.swaps);
    jw_ku64(w, "transfers", s.c.transfers);
    jw_ku64(w, "prices", s.c.prices);
    jw_ku64(w, "fills", s.c.fills);
    jw_ku64(w, "ticks", s.c.ticks);
    jw_ku64(w, "commands", s.c.commands);
    jw_ku64(w, "signals", s.c.signals);
    jw_ku64(w, "traded", s.c.traded);
    jw_ku64(w, "orders", s.c.orders);
    jw_ku64(w, "fills_failed", s.c.fills_failed);
    jw_ku64(w, "positions_opened", s.c.positions_opened);
    jw_ku64(w, "positions_closed", s.c.positions_closed);
    jw_ku64(w, "wins", s.c.wins);
    jw_ku64(w, "losses", s.c.losses);
    jw_ku64(w, "alerts", s.c.alerts);
    jw_ki64(w, "last_event_ms", s.c.last_event_ms);
    jw_ki64(w, "last_signal_ms", s.c.last_signal_ms);
    jw_key(w, "reasons");
    jw_obj_begin(w);
    for (int r = 0; r < SR_COUNT; r++)
        jw_ku64(w, signal_reason_name((enum signal_reason)r), s.c.reasons[r]);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

void engine_positions_write(const struct engine *e, struct jw *w)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < e->pos.len; i++)
        engine_position_write(&e->pos.v[i].p, w);
    jw_arr_end(w);
}

void engine_watchlist_write(const struct engine *e, struct jw *w)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < e->w.len; i++) {
        const struct ewallet *x = &e->w.v[i];
        if (!x->watched && !x->blacklisted && !x->cluster_bl)
            continue;
        struct pubkey k;
        memcpy(k.b, intern_key(&e->wallets, (uint32_t)i), 32);
        char s[BASE58_KEY_MAX];
        jw_obj_begin(w);
        jw_kstr(w, "wallet", pubkey_format(&k, s));
        jw_kbool(w, "watched", x->watched);
        jw_kbool(w, "blacklisted", x->blacklisted);
        jw_kbool(w, "cluster_blacklisted", x->cluster_bl);
        jw_kdouble(w, "prior_score", x->prior >= 0 ? x->prior * 100 : -1);
        jw_ku64(w, "copy_trades", x->copy_n);
        jw_ku64(w, "copy_wins", x->copy_wins);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}
