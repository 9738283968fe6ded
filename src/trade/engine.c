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
 * promised to buys in flight.
 *
 * This file holds the dispatch (one event in, its handler, then the
 * internal fills), the helpers every part shares (ids, equity, alerts,
 * order submission) and the engine's lifecycle. The rest is cut along
 * its seams, sharing engine_impl.h: engine_signal.c (signals and
 * token-wait parking), engine_fill.c (exits, fills, closing),
 * engine_cmd.c (parameters and commands), engine_state.c (state line,
 * restore, status). */
#include "trade/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/intern.h"
#include "base/mem.h"
#include "base/vec.h"
#include "trade/engine_impl.h"
#include "trade/exec_paper.h"

/* ---- helpers ------------------------------------------------------------- */

uint64_t engine_equity(const struct engine *e)
{
    return e->cash + e->open_value;
}

uint32_t engine_wallet_id(struct engine *e, const struct pubkey *k)
{
    uint32_t id = intern_put(&e->wallets, k->b);
    while (e->w.len <= id) {
        struct ewallet *w = vec_push_zero(&e->w);
        w->prior = -1;
        w->lid = LEDGER_NONE;
    }
    return id;
}

uint32_t engine_mint_id(struct engine *e, const struct pubkey *k)
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

void engine_emit_breaker_alerts(struct engine *e, const struct breaker_alerts *al)
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
    breakers_on_equity(&e->br, engine_equity(e), e->now, &al);
    engine_emit_breaker_alerts(e, &al);
}

void engine_emit_position(struct engine *e, const struct position *p, enum engine_pos_change c)
{
    if (e->out && e->out->ops->position)
        e->out->ops->position(e->out, p, c);
}

void engine_emit_order(struct engine *e, const struct eorder *o, enum engine_order_status st,
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
void engine_revalue(struct engine *e, struct epos *ep)
{
    uint64_t v = position_value_lamports(&ep->p, ep->p.last_price);
    uint64_t b = ep->p.cost_lamports - ep->p.basis_sold_lamports;
    e->open_value = e->open_value - ep->value + v;
    e->open_cost = e->open_cost - ep->basis + b;
    ep->value = v;
    ep->basis = b;
    ep->dirty = true;
}

struct epos *engine_position_by_id(struct engine *e, uint64_t id)
{
    for (size_t i = 0; i < e->pos.len; i++)
        if (e->pos.v[i].p.id == id)
            return &e->pos.v[i];
    return NULL;
}

void engine_reindex_positions(struct engine *e)
{
    for (size_t i = 0; i < e->pos.len; i++)
        e->m.v[e->pos.v[i].mint].pos = (uint32_t)i + 1;
}

struct eorder *engine_order_by_id(struct engine *e, uint64_t id, size_t *idx)
{
    for (size_t i = 0; i < e->orders.len; i++)
        if (e->orders.v[i].id == id) {
            *idx = i;
            return &e->orders.v[i];
        }
    return NULL;
}

void engine_order_remove(struct engine *e, size_t idx)
{
    memmove(&e->orders.v[idx], &e->orders.v[idx + 1],
            (e->orders.len - idx - 1) * sizeof e->orders.v[0]);
    e->orders.len--;
}

int engine_submit(struct engine *e, const struct eorder *o)
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

/* k: NULL, or the swap is market-only (engine_handle_market_only). */
static void handle_swap(struct engine *e, const struct event *ev, const struct engine_swap_known *k)
{
    const struct swap_event *s = &ev->u.swap;
    e->c.swaps++;
    e->c.last_event_ms = s->ts_ms;
    if (s->token_amount == 0 || (s->side != SIDE_BUY && s->side != SIDE_SELL)) {
        e->c.skipped_swaps++;
        return;
    }
    uint32_t mid = engine_mint_id(e, &s->mint);
    /* A known wallet is not watched: its id only names a mint's first
     * trader. */
    uint32_t wid = k && e->m.v[mid].first_wid1 != 0 ? INTERN_NONE : engine_wallet_id(e, &s->wallet);
    if (k)
        market_on_swap_held(e->market, mid, s, k->held_before, k->market_buyer);
    else
        market_on_swap(e->market, mid, wid, s);
    if (e->m.v[mid].first_wid1 == 0)
        e->m.v[mid].first_wid1 = wid + 1;
    bool watched = wid != INTERN_NONE && e->w.v[wid].watched;
    /* an out-of-order swap is refused by the ledger: nothing to do */
    if (k)
        intel_observe(e->intel, s, k->first_buy);
    else
        intel_apply(e->intel, s);
    if (e->x)
        executor_observe(e->x, ev);
    bool held = e->m.v[mid].pos != 0;
    if (held)
        engine_price_positions(e, mid, s->price_sol, s->side == SIDE_SELL ? s : NULL);
    if (s->side == SIDE_BUY && watched) {
        struct emint *em = &e->m.v[mid];
        em->recent[em->head] = (struct ebuy){wid, s->ts_ms};
        em->head = (uint8_t)((em->head + 1) % MINT_RECENT);
        if (em->n_recent < MINT_RECENT)
            em->n_recent++;
        if (e->p.token_wait_ms > 0 && !engine_fresh_report(e, mid))
            engine_park(e, wid, mid, s);
        else
            engine_handle_signal(e, wid, mid, s, 0);
    }
}

static void handle_price(struct engine *e, const struct event *ev)
{
    const struct price_event *p = &ev->u.price;
    e->c.prices++;
    e->c.last_event_ms = p->ts_ms;
    uint32_t mid = engine_mint_id(e, &p->mint);
    bool taken = market_on_price(e->market, mid, p);
    if (e->x)
        executor_observe(e->x, ev);
    if (taken && e->m.v[mid].pos)
        engine_price_positions(e, mid, p->price_sol, NULL);
    if (p->liquidity_usd > 0 || p->mcap_usd > 0 || p->pair_created_ms > 0)
        engine_release_mint(e, mid);
}

static void handle_tick(struct engine *e, const struct event *ev)
{
    e->c.ticks++;
    struct breaker_alerts al = {0};
    breakers_on_tick(&e->br, e->now, &al);
    engine_emit_breaker_alerts(e, &al);
    if (e->x) {
        /* An old tick is a tick at the engine's clock. */
        struct event t = *ev;
        t.u.tick.ts_ms = e->now;
        executor_observe(e->x, &t);
    }
    for (size_t i = 0; i < e->pos.len; i++)
        engine_run_exits(e, i, TRIG_TIME, 0, NULL);
}

/* ---- the loop --------------------------------------------------------------- */

static int dispatch(struct engine *e, const struct event *ev, const struct engine_swap_known *k)
{
    int64_t ts = event_ts_ms(ev);
    if (ts > e->now)
        e->now = ts;
    e->c.events++;
    /* Waits that ended before this event are decided before it changes
     * anything (ticks included: they are what ends a wait in a quiet
     * market). */
    if (e->parked.len)
        engine_release_expired(e);
    int rc = 0;
    switch (ev->kind) {
    case EVENT_SWAP:
        handle_swap(e, ev, k);
        break;
    case EVENT_TRANSFER:
        e->c.transfers++;
        e->c.last_event_ms = ev->u.transfer.ts_ms;
        break;
    case EVENT_PRICE:
        handle_price(e, ev);
        break;
    case EVENT_FILL:
        engine_handle_fill(e, ev);
        break;
    case EVENT_TICK:
        handle_tick(e, ev);
        break;
    case EVENT_COMMAND:
        rc = engine_handle_command(e, &ev->u.command);
        break;
    }
    /* The drawdown breaker sees every change of equity, once per event. */
    if (engine_equity(e) != e->br.equity_lamports)
        note_equity(e);
    return rc;
}

static int handle(struct engine *e, const struct event *ev, const struct engine_swap_known *k)
{
    e->err[0] = '\0';
    if (e->input_hook)
        e->input_hook(e->input_ctx, ev);
    int rc = dispatch(e, ev, k);
    /* Fills of a synchronous executor, in the order they were emitted
     * (handling one may emit more). */
    for (size_t i = 0; i < e->internal.len; i++) {
        struct event f = e->internal.v[i];
        dispatch(e, &f, NULL);
    }
    e->internal.len = 0;
    return rc;
}

int engine_handle(struct engine *e, const struct event *ev)
{
    return handle(e, ev, NULL);
}

int engine_handle_market_only(struct engine *e, const struct event *ev,
                              const struct engine_swap_known *known)
{
    return handle(e, ev, known);
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

void engine_set_input_hook(struct engine *e, void (*fn)(void *ctx, const struct event *ev),
                           void *ctx)
{
    e->input_hook = fn;
    e->input_ctx = ctx;
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
    for (size_t i = 0; i < e->w.len; i++)
        intel_holds_free(&e->w.v[i].holds);
    vec_free(&e->w);
    vec_free(&e->m);
    vec_free(&e->pos);
    vec_free(&e->orders);
    vec_free(&e->internal);
    vec_free(&e->parked);
    free(e);
}
