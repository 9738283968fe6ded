/* JSON views of the engine's published snapshot (see snap_json.h). */
#include "api/snap_json.h"

#include "solana/pubkey.h"
#include "trade/engine_out.h"

void snap_json_status(struct jw *w, const struct runner_snap *snap)
{
    const struct engine_status *s = &snap->status;
    const struct engine_params *p = &snap->params;
    jw_obj_begin(w);
    jw_kstr(w, "mode", trade_mode_name(s->mode));
    jw_kstr(w, "state", snap->standby ? "standby" : snap->paused ? "paused" : "running");
    jw_kbool(w, "entries_allowed", s->entries_allowed);
    jw_kbool(w, "size_reduced", s->size_reduced);
    jw_ki64(w, "now_ms", s->now_ms);
    jw_kobj_begin(w, "equity");
    jw_ku64(w, "equity_lamports", s->equity_lamports);
    jw_ku64(w, "peak_equity_lamports", s->peak_equity_lamports);
    jw_ku64(w, "cash_lamports", s->cash_lamports);
    jw_ku64(w, "reserved_lamports", s->reserved_lamports);
    jw_ku64(w, "open_value_lamports", s->open_value_lamports);
    jw_ku64(w, "open_cost_lamports", s->open_cost_lamports);
    jw_ku64(w, "capital_lamports", p->capital_lamports);
    jw_ki64(w, "realized_pnl_lamports", s->c.realized_pnl_lamports);
    jw_obj_end(w);
    jw_kobj_begin(w, "breakers");
    for (int k = 0; k < BREAKER_KIND_COUNT; k++) {
        jw_key(w, breaker_kind_name((enum breaker_kind)k));
        jw_obj_begin(w);
        jw_kbool(w, "active", snap->breaker_active[k]);
        jw_ki64(w, "since_ms", snap->breaker_since_ms[k]);
        jw_kstr(w, "reason", snap->breaker_reason[k]);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_kobj_begin(w, "positions");
    jw_ku64(w, "open", s->open_positions);
    jw_ku64(w, "max", p->sizing.max_positions);
    jw_ku64(w, "pending_orders", s->pending_orders);
    jw_obj_end(w);
    jw_kobj_begin(w, "watchlist");
    jw_ku64(w, "watched", s->watched);
    jw_ku64(w, "blacklisted", s->blacklisted);
    jw_ku64(w, "cluster_blacklisted", s->cluster_blacklisted);
    jw_obj_end(w);
    jw_kobj_begin(w, "scoring");
    jw_kdouble(w, "threshold", p->signal.threshold);
    jw_kobj_begin(w, "weights");
    for (int i = 0; i < SF_COUNT; i++)
        jw_kdouble(w, signal_factor_name((enum signal_factor)i), p->signal.weight[i]);
    jw_obj_end(w);
    jw_kbool(w, "cluster_available", p->signal.cluster_available);
    if (!p->signal.cluster_available)
        jw_kstr(w, "cluster_note",
                "the cluster factor is off: its weight is shared out among wallet, "
                "token and context in proportion to their weights");
    jw_obj_end(w);
    jw_kobj_begin(w, "token_wait");
    jw_ki64(w, "wait_ms", p->token_wait_ms);
    jw_ki64(w, "fresh_ms", p->token_fresh_ms);
    jw_ku64(w, "parked", s->parked);
    jw_ku64(w, "waits", s->c.token_waits);
    jw_ku64(w, "released_reported", s->c.released_reported);
    jw_ku64(w, "released_expired", s->c.released_expired);
    jw_ku64(w, "dropped", s->c.waits_dropped);
    jw_ku64(w, "full", s->c.waits_full);
    jw_obj_end(w);
    jw_kobj_begin(w, "counters");
    jw_ku64(w, "events", s->c.events);
    jw_ku64(w, "swaps", s->c.swaps);
    jw_ku64(w, "transfers", s->c.transfers);
    jw_ku64(w, "prices", s->c.prices);
    jw_ku64(w, "fills", s->c.fills);
    jw_ku64(w, "ticks", s->c.ticks);
    jw_ku64(w, "commands", s->c.commands);
    jw_ku64(w, "signals", s->c.signals);
    jw_ku64(w, "traded", s->c.traded);
    jw_ku64(w, "orders", s->c.orders);
    jw_ku64(w, "fills_failed", s->c.fills_failed);
    jw_ku64(w, "failed_fee_lamports", s->c.failed_fee_lamports);
    jw_ku64(w, "positions_opened", s->c.positions_opened);
    jw_ku64(w, "positions_closed", s->c.positions_closed);
    jw_ku64(w, "wins", s->c.wins);
    jw_ku64(w, "losses", s->c.losses);
    jw_ku64(w, "alerts", s->c.alerts);
    jw_ki64(w, "last_event_ms", s->c.last_event_ms);
    jw_ki64(w, "last_signal_ms", s->c.last_signal_ms);
    jw_kobj_begin(w, "reasons");
    for (int r = 0; r < SR_COUNT; r++)
        jw_ku64(w, signal_reason_name((enum signal_reason)r), s->c.reasons[r]);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

void snap_json_positions(struct jw *w, const struct runner_snap *s)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < s->n_positions; i++)
        engine_position_write(&s->positions[i], w);
    jw_arr_end(w);
}

void snap_json_watch_entry(struct jw *w, const struct engine_watch *x)
{
    char addr[BASE58_KEY_MAX];
    jw_obj_begin(w);
    jw_kstr(w, "wallet", pubkey_format(&x->wallet, addr));
    jw_kdouble(w, "prior_score", x->prior_score);
    jw_ku64(w, "copy_trades", x->copy_trades);
    jw_ku64(w, "copy_wins", x->copy_wins);
    jw_obj_end(w);
}
