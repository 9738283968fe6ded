/* The engine's state outside the event loop: the JSON state line that a
 * restart restores (engine_state_format, engine_restore_state), the
 * restore of open positions and closed trades from the store, the
 * read-only accessors, and the status, positions and watchlist writers
 * the API serves.
 *
 * Kept apart from the event dispatch (engine.c) because none of it
 * decides anything: it reads or reloads what the event path built, and
 * is called by the runner between events, never from inside one. */

#include "base/err.h"
#include <string.h>

#include "base/buf.h"
#include "base/intern.h"
#include "base/mem.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/vec.h"
#include "solana/pubkey.h"
#include "trade/engine_impl.h"

/* ---- warm-up and restart -------------------------------------------------------- */

/* k: NULL, or the swap is market-only (engine_warm_market_only). */
static void warm(struct engine *e, const struct swap_event *s, const struct engine_swap_known *k)
{
    if (s->token_amount == 0 || (s->side != SIDE_BUY && s->side != SIDE_SELL))
        return;
    uint32_t mid = engine_mint_id(e, &s->mint);
    if (k) {
        market_on_swap_held(e->market, mid, s, k->held_before, k->market_buyer);
        intel_observe(e->intel, s, k->first_buy);
    } else {
        market_on_swap(e->market, mid, engine_wallet_id(e, &s->wallet), s);
        intel_apply(e->intel, s);
    }
    if (s->ts_ms > e->c.last_event_ms)
        e->c.last_event_ms = s->ts_ms;
}

void engine_warm_swap(struct engine *e, const struct swap_event *s)
{
    warm(e, s, NULL);
}

void engine_warm_market_only(struct engine *e, const struct swap_event *s,
                             const struct engine_swap_known *known)
{
    warm(e, s, known);
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
    jw_kobj_begin(&w, "counters");
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
        wt_set_err(err, errsize, rc, json_errmsg(d));
        goto out;
    }
    if (strcmp(mode, trade_mode_name(e->p.mode)) != 0) {
        rc = wt_set_err(err, errsize, WT_EINVAL, "the stored engine state is of the other mode");
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
    if (engine_position_by_id(e, p->id))
        return WT_EEXIST;
    uint32_t mid = engine_mint_id(e, &p->mint);
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
    engine_revalue(e, np);
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
    engine_feedback(e, &t);
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
    o->equity_lamports = engine_equity(e);
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

size_t engine_watchlist(const struct engine *e, struct engine_watch **out)
{
    size_t n = 0;
    for (size_t i = 0; i < e->w.len; i++) {
        const struct ewallet *x = &e->w.v[i];
        n += x->watched || x->blacklisted || x->cluster_bl;
    }
    *out = NULL;
    if (n == 0)
        return 0;
    struct engine_watch *v = xcalloc(n, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < e->w.len; i++) {
        const struct ewallet *x = &e->w.v[i];
        if (!x->watched && !x->blacklisted && !x->cluster_bl)
            continue;
        memcpy(v[k].wallet.b, intern_key(&e->wallets, (uint32_t)i), 32);
        v[k].watched = x->watched;
        v[k].blacklisted = x->blacklisted;
        v[k].cluster_blacklisted = x->cluster_bl;
        v[k].prior_score = x->prior >= 0 ? x->prior * 100 : -1;
        v[k].copy_trades = x->copy_n;
        v[k].copy_wins = x->copy_wins;
        k++;
    }
    *out = v;
    return n;
}

void engine_order_ids_past(struct engine *e, uint64_t id)
{
    if (e->next_order < id)
        e->next_order = id;
}
