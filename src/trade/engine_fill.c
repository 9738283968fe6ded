/* The engine's exits, fills and closing: sales decided by the exit rules,
 * what a buy or a sell fill does to cash, positions and orders, and a
 * closed position becoming a closed trade that feeds the breakers and the
 * per-wallet, per-hour feedback.
 *
 * Kept apart from the event dispatch (engine.c) because this is where the
 * money moves: every lamport of cash, reserve, basis and open value is
 * changed here or in the order submission of engine.c, and the
 * invariants of engine_impl.h are easiest to check in one place. */

#include "base/err.h"
#include <math.h>
#include <string.h>

#include "base/vec.h"
#include "solana/pubkey.h"
#include "trade/amount.h"
#include "trade/engine_impl.h"

/* ---- exits ---------------------------------------------------------------- */

/* Sends the sale a decision asks for. */
void engine_sell(struct engine *e, struct epos *ep, const struct exit_decision *d)
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
    engine_emit_order(e, &o, ORDER_SENT, NULL);
    vec_push(&e->orders, o);
    int rc = engine_submit(e, &o);
    if (rc != 0) {
        size_t idx;
        struct epos *again = engine_position_by_id(e, o.position_id);
        if (again) {
            position_cancel_pending(&again->p);
            again->sale_order = 0;
        }
        if (engine_order_by_id(e, o.id, &idx))
            engine_order_remove(e, idx);
        e->c.fills_failed++;
        engine_emit_order(e, &o, ORDER_FAILED, wt_strerror(rc));
    }
}

/* Runs the exit rules of the position at index i and sends a sale if one
 * is decided. The position may move in e->pos (vector growth never
 * happens here), so callers re-read by index. */
void engine_run_exits(struct engine *e, size_t i, enum exit_trigger trig, double price,
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
    engine_revalue(e, ep);
    if (d.reason != EXIT_NONE)
        engine_sell(e, ep, &d);
}

/* ---- re-pricing ----------------------------------------------------------- */

/* Re-prices the position of mint mid (if held) and runs its exits. */
void engine_price_positions(struct engine *e, uint32_t mid, double price,
                            const struct swap_event *sell_by)
{
    uint32_t pi = e->m.v[mid].pos;
    if (!pi)
        return;
    size_t i = pi - 1;
    if (sell_by && pubkey_eq(&sell_by->wallet, &e->pos.v[i].p.wallet))
        engine_run_exits(e, i, TRIG_WALLET_SELL, price, &sell_by->wallet);
    else if (price > 0)
        engine_run_exits(e, i, TRIG_PRICE, price, NULL);
}

/* ---- fills ------------------------------------------------------------------ */

void engine_feedback(struct engine *e, const struct closed_trade *t)
{
    bool win = t->pnl_lamports > 0;
    uint32_t wid = engine_wallet_id(e, &t->wallet); /* may grow e->w */
    e->w.v[wid].copy_n++;
    e->w.v[wid].copy_wins += win;
    int h = engine_utc_hour(t->entry_ts_ms);
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
    engine_feedback(e, t);
    struct engine_trade tr = {
        .t = t, .score = ep->score, .entry_hour = engine_utc_hour(t->entry_ts_ms)};
    memcpy(tr.f, ep->f, sizeof tr.f);
    engine_emit_position(e, &ep->p, POS_CLOSED);
    if (e->out && e->out->ops->trade)
        e->out->ops->trade(e->out, &tr);
    struct breaker_alerts al = {0};
    breakers_on_trade(&e->br, t->pnl_lamports, t->reason == EXIT_STOP_LOSS, e->now, &al);
    engine_emit_breaker_alerts(e, &al);
    e->m.v[ep->mint].pos = 0;
    memmove(&e->pos.v[i], &e->pos.v[i + 1], (e->pos.len - i - 1) * sizeof e->pos.v[0]);
    e->pos.len--;
    engine_reindex_positions(e);
}

static void buy_filled(struct engine *e, struct eorder *o, const struct fill_event *f)
{
    struct emint *em = &e->m.v[o->mint];
    e->reserved -= o->amount_in;
    if (em->buy_pending)
        em->buy_pending--;
    if (f->status != FILL_FILLED) {
        /* A transaction that failed on chain still paid its fees. */
        e->cash = e->cash > f->fee_lamports ? e->cash - f->fee_lamports : 0;
        e->c.failed_fee_lamports += f->fee_lamports;
        e->c.fills_failed++;
        engine_emit_order(e, o, ORDER_FAILED, f->error);
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
        engine_emit_order(e, o, ORDER_FAILED, "fill could not open a position");
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
    engine_revalue(e, &e->pos.v[i]);
    e->c.positions_opened++;
    o->position_id = a.id;
    engine_emit_order(e, o, ORDER_FILLED, NULL);
    struct engine_fill ef = {.fill = f, .mode = e->p.mode, .position_id = a.id};
    if (e->out && e->out->ops->fill)
        e->out->ops->fill(e->out, &ef);
    engine_emit_position(e, &e->pos.v[i].p, POS_OPENED);
    /* The price may already be past a stop by the time we hold it. */
    double last =
        market_mint(e->market, o->mint) ? market_mint(e->market, o->mint)->last_price_sol : 0;
    engine_run_exits(e, i, last > 0 ? TRIG_PRICE : TRIG_TIME, last, NULL);
}

static void sell_filled(struct engine *e, struct eorder *o, const struct fill_event *f)
{
    struct epos *ep = engine_position_by_id(e, o->position_id);
    if (!ep)
        return;
    size_t i = (size_t)(ep - e->pos.v);
    ep->sale_order = 0;
    if (f->status != FILL_FILLED) {
        /* The position stays open for the next exit decision; the fees
         * of a failed sale are paid from cash and count in its PnL. */
        position_cancel_pending(&ep->p);
        if (f->fee_lamports) {
            e->cash = e->cash > f->fee_lamports ? e->cash - f->fee_lamports : 0;
            e->c.failed_fee_lamports += f->fee_lamports;
            position_charge_fee(&ep->p, f->fee_lamports);
        }
        ep->dirty = true;
        e->c.fills_failed++;
        engine_emit_order(e, o, ORDER_FAILED, f->error);
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
        engine_emit_order(e, o, ORDER_FAILED, "fill could not be applied to the position");
        return;
    }
    if (proceeds >= 0)
        e->cash += (uint64_t)proceeds;
    else
        e->cash = e->cash > (uint64_t)-proceeds ? e->cash - (uint64_t)-proceeds : 0;
    engine_emit_order(e, o, ORDER_FILLED, NULL);
    struct engine_fill ef = {.fill = f, .mode = e->p.mode, .position_id = ep->p.id};
    if (e->out && e->out->ops->fill)
        e->out->ops->fill(e->out, &ef);
    if (closed) {
        close_position(e, i, &t);
        return;
    }
    engine_revalue(e, ep);
    engine_emit_position(e, &ep->p, POS_UPDATED);
    engine_run_exits(e, i, TRIG_TIME, 0, NULL); /* one price can take several levels */
}

void engine_handle_fill(struct engine *e, const struct event *ev)
{
    const struct fill_event *f = &ev->u.fill;
    e->c.fills++;
    size_t idx;
    struct eorder *po = engine_order_by_id(e, f->order_id, &idx);
    if (!po)
        return; /* not ours, or already settled */
    struct eorder o = *po;
    engine_order_remove(e, idx);
    if (o.side == SIDE_BUY)
        buy_filled(e, &o, f);
    else
        sell_filled(e, &o, f);
}
