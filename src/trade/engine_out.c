/* Engine outputs: the JSON of each decision record, the recorder and the
 * tee (see engine_out.h).
 *
 * The JSON written here is the one shape every consumer sees: the
 * recorder's lines, the server-sent events of GET /v1/stream and the
 * positions of the API all come from these functions, so the dashboard
 * and the tests read the same fields (docs/api.md, "Operator API"). */
#include "trade/engine_out.h"

#include <stdlib.h>
#include <string.h>

#include "base/jw.h"
#include "base/mem.h"
#include "solana/base58.h"

void engine_out_free(struct engine_out *o)
{
    if (o && o->ops->free)
        o->ops->free(o);
}

static void kkey(struct jw *w, const char *k, const struct pubkey *pk)
{
    char s[BASE58_KEY_MAX];
    jw_kstr(w, k, pubkey_format(pk, s));
}

static void ksig(struct jw *w, const char *k, const struct signature *sig)
{
    static const struct signature zero;
    if (memcmp(sig, &zero, sizeof zero) == 0) {
        jw_kstr(w, k, "");
        return;
    }
    char s[BASE58_SIG_MAX];
    base58_encode(sig->b, sizeof sig->b, s, sizeof s);
    jw_kstr(w, k, s);
}

void engine_signal_write(const struct engine_signal *s, struct jw *w)
{
    jw_obj_begin(w);
    jw_ku64(w, "id", s->id);
    jw_ki64(w, "ts_ms", s->ts_ms);
    jw_kstr(w, "mode", trade_mode_name(s->mode));
    kkey(w, "wallet", &s->wallet);
    kkey(w, "mint", &s->mint);
    ksig(w, "swap_sig", &s->swap_sig);
    jw_kdouble(w, "price_sol", s->price_sol);
    jw_kstr(w, "decision", signal_decision_name(s->reason));
    jw_kstr(w, "reason", signal_reason_name(s->reason));
    jw_kstr(w, "detail", s->detail ? s->detail : "");
    jw_ku64(w, "size_lamports", s->size_lamports);
    jw_kdouble(w, "multiplier", s->multiplier);
    jw_ku64(w, "order_id", s->order_id);
    jw_key(w, "factors");
    signal_factors_write(s->in, s->f, w);
    jw_obj_end(w);
}

const char *engine_order_status_name(enum engine_order_status s)
{
    switch (s) {
    case ORDER_SENT:
        return "sent";
    case ORDER_FILLED:
        return "filled";
    case ORDER_FAILED:
        return "failed";
    case ORDER_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

const char *engine_pos_change_name(enum engine_pos_change c)
{
    switch (c) {
    case POS_OPENED:
        return "opened";
    case POS_UPDATED:
        return "updated";
    case POS_CLOSED:
        return "closed";
    }
    return "unknown";
}

void engine_order_write(const struct engine_order *o, struct jw *w)
{
    jw_obj_begin(w);
    jw_ku64(w, "id", o->id);
    jw_kstr(w, "mode", trade_mode_name(o->mode));
    jw_kstr(w, "side", o->side == SIDE_BUY ? "buy" : "sell");
    jw_ku64(w, "signal_id", o->signal_id);
    jw_ku64(w, "position_id", o->position_id);
    kkey(w, "mint", &o->mint);
    jw_ki64(w, "ts_ms", o->ts_ms);
    jw_ki64(w, "updated_ms", o->updated_ms);
    jw_ku64(w, "amount_in", o->amount_in);
    jw_kdouble(w, "ref_price_sol", o->ref_price_sol);
    jw_ku64(w, "slippage_bps", o->slippage_bps);
    jw_kstr(w, "status", engine_order_status_name(o->status));
    jw_kstr(w, "reason", o->reason ? o->reason : "");
    jw_kstr(w, "error", o->error ? o->error : "");
    jw_obj_end(w);
}

void engine_fill_write(const struct engine_fill *f, struct jw *w)
{
    const struct fill_event *x = f->fill;
    jw_obj_begin(w);
    jw_ku64(w, "order_id", x->order_id);
    jw_ku64(w, "position_id", f->position_id);
    jw_kstr(w, "mode", trade_mode_name(f->mode));
    jw_ki64(w, "ts_ms", x->ts_ms);
    jw_kstr(w, "side", x->side == SIDE_BUY ? "buy" : "sell");
    kkey(w, "mint", &x->mint);
    jw_ku64(w, "token_amount", x->token_amount);
    jw_ku64(w, "sol_amount", x->sol_amount);
    jw_ku64(w, "fee_lamports", x->fee_lamports);
    jw_kdouble(w, "price_sol", x->price_sol);
    ksig(w, "tx_sig", &x->sig);
    jw_obj_end(w);
}

void engine_position_write(const struct position *p, struct jw *w)
{
    char reason[EXIT_REASON_MAX];
    uint64_t value = position_value_lamports(p, p->last_price);
    uint64_t basis_left = p->cost_lamports - p->basis_sold_lamports;
    jw_obj_begin(w);
    jw_ku64(w, "id", p->id);
    jw_ku64(w, "signal_id", p->signal_id);
    jw_kstr(w, "mode", trade_mode_name(p->mode));
    jw_kstr(w, "status", p->closed ? "closed" : p->pending_raw ? "closing" : "open");
    kkey(w, "mint", &p->mint);
    kkey(w, "wallet", &p->wallet);
    jw_kstr(w, "strategy", p->strategy.name);
    jw_ki64(w, "entry_ts_ms", p->entry_ts_ms);
    jw_kdouble(w, "entry_price", p->entry_price);
    jw_ku64(w, "cost_lamports", p->cost_lamports);
    jw_ku64(w, "amount_raw", p->amount_raw);
    jw_ku64(w, "remaining_raw", p->remaining_raw);
    jw_ku64(w, "pending_raw", p->pending_raw);
    jw_ku64(w, "decimals", p->decimals);
    jw_kdouble(w, "last_price", p->last_price);
    jw_ki64(w, "last_ts_ms", p->last_ts_ms);
    jw_kdouble(w, "peak_price", p->peak_price);
    jw_ku64(w, "value_lamports", value);
    jw_ki64(w, "realized_pnl_lamports", p->realized_pnl_lamports);
    jw_ki64(w, "unrealized_pnl_lamports", (int64_t)value - (int64_t)basis_left);
    jw_ku64(w, "locked_raw", position_locked_raw(p));
    jw_ku64(w, "n_sales", p->n_sales);
    jw_kstr(w, "last_exit", exit_reason_format(p->last_reason, p->last_tp_level, reason));
    if (p->closed)
        jw_ki64(w, "exit_ts_ms", p->exit_ts_ms);
    jw_obj_end(w);
}

void engine_trade_write(const struct engine_trade *x, struct jw *w)
{
    const struct closed_trade *t = x->t;
    char reason[EXIT_REASON_MAX];
    jw_obj_begin(w);
    jw_ku64(w, "position_id", t->position_id);
    jw_ku64(w, "signal_id", t->signal_id);
    jw_kstr(w, "mode", trade_mode_name(t->mode));
    kkey(w, "mint", &t->mint);
    kkey(w, "wallet", &t->wallet);
    jw_kstr(w, "strategy", t->strategy);
    jw_ki64(w, "entry_ts_ms", t->entry_ts_ms);
    jw_ki64(w, "exit_ts_ms", t->exit_ts_ms);
    jw_ki64(w, "duration_ms", t->duration_ms);
    jw_kdouble(w, "entry_price", t->entry_price);
    jw_kdouble(w, "exit_price", t->exit_price);
    jw_ku64(w, "cost_lamports", t->cost_lamports);
    jw_ki64(w, "proceeds_lamports", t->proceeds_lamports);
    jw_ki64(w, "pnl_lamports", t->pnl_lamports);
    jw_kdouble(w, "pnl_pct", t->pnl_pct);
    jw_kstr(w, "exit_reason", exit_reason_format(t->reason, t->tp_level, reason));
    jw_ku64(w, "n_sales", t->n_sales);
    jw_kdouble(w, "score", x->score);
    jw_kobj_begin(w, "factors");
    for (int i = 0; i < SF_COUNT; i++)
        jw_kdouble(w, signal_factor_name((enum signal_factor)i), x->f[i]);
    jw_obj_end(w);
    jw_ki64(w, "entry_hour", x->entry_hour);
    jw_obj_end(w);
}

void engine_alert_write(const struct engine_alert *a, struct jw *w)
{
    jw_obj_begin(w);
    jw_ki64(w, "ts_ms", a->ts_ms);
    jw_kstr(w, "mode", trade_mode_name(a->mode));
    jw_kstr(w, "kind", a->kind);
    jw_kstr(w, "severity", a->severity);
    jw_kstr(w, "breaker", a->breaker ? a->breaker : "");
    jw_kstr(w, "action", a->action ? a->action : "");
    jw_kstr(w, "message", a->message);
    jw_obj_end(w);
}

void engine_token_request_write(const struct engine_token_request *r, struct jw *w)
{
    jw_obj_begin(w);
    jw_ki64(w, "ts_ms", r->ts_ms);
    kkey(w, "mint", &r->mint);
    jw_ki64(w, "deadline_ms", r->deadline_ms);
    jw_ku64(w, "parked", r->parked);
    jw_obj_end(w);
}

/* ---- JSON outputs ---------------------------------------------------------- */

static void w_signal(const void *a, struct jw *w)
{
    engine_signal_write(a, w);
}
static void w_order(const void *a, struct jw *w)
{
    engine_order_write(a, w);
}
static void w_fill(const void *a, struct jw *w)
{
    engine_fill_write(a, w);
}
static void w_position(const void *a, struct jw *w)
{
    engine_position_write(a, w);
}
static void w_trade(const void *a, struct jw *w)
{
    engine_trade_write(a, w);
}
static void w_alert(const void *a, struct jw *w)
{
    engine_alert_write(a, w);
}
static void w_token_request(const void *a, struct jw *w)
{
    engine_token_request_write(a, w);
}

static void emit(struct engine_out *o, const char *type, void (*write)(const void *, struct jw *),
                 const void *rec, const char *change)
{
    struct engine_json_out *e = (struct engine_json_out *)o;
    e->emit(e, type, write, rec, change);
}

static void j_signal(struct engine_out *o, const struct engine_signal *s)
{
    emit(o, "signal", w_signal, s, NULL);
}
static void j_order(struct engine_out *o, const struct engine_order *x)
{
    emit(o, "order", w_order, x, NULL);
}
static void j_fill(struct engine_out *o, const struct engine_fill *f)
{
    emit(o, "fill", w_fill, f, NULL);
}
static void j_position(struct engine_out *o, const struct position *p, enum engine_pos_change c)
{
    emit(o, "position", w_position, p, engine_pos_change_name(c));
}
static void j_trade(struct engine_out *o, const struct engine_trade *t)
{
    emit(o, "trade", w_trade, t, NULL);
}
static void j_alert(struct engine_out *o, const struct engine_alert *a)
{
    emit(o, "alert", w_alert, a, NULL);
}
static void j_token_request(struct engine_out *o, const struct engine_token_request *r)
{
    if (((struct engine_json_out *)o)->token_requests)
        emit(o, "token_request", w_token_request, r, NULL);
}
static void j_free(struct engine_out *o)
{
    struct engine_json_out *e = (struct engine_json_out *)o;
    e->release(e);
}

static const struct engine_out_ops json_out_ops = {
    .signal = j_signal,
    .order = j_order,
    .fill = j_fill,
    .position = j_position,
    .trade = j_trade,
    .alert = j_alert,
    .token_request = j_token_request,
    .flush = NULL,
    .free = j_free,
};

void engine_json_out_init(struct engine_json_out *e, bool token_requests,
                          void (*emit_fn)(struct engine_json_out *e, const char *type,
                                          void (*write)(const void *rec, struct jw *w),
                                          const void *rec, const char *change),
                          void (*release)(struct engine_json_out *e))
{
    e->base.ops = &json_out_ops;
    e->token_requests = token_requests;
    e->emit = emit_fn;
    e->release = release;
}

/* ---- recorder ------------------------------------------------------------ */

struct recorder {
    struct engine_json_out base;
    struct buf *out;
};

/* One line: {"type": type, ["change": change,] "data": the record}. */
static void rec_line(struct engine_json_out *e, const char *type,
                     void (*write)(const void *, struct jw *), const void *rec, const char *change)
{
    struct recorder *r = (struct recorder *)e;
    struct jw w;
    jw_init(&w, r->out);
    jw_obj_begin(&w);
    jw_kstr(&w, "type", type);
    if (change)
        jw_kstr(&w, "change", change);
    jw_key(&w, "data");
    write(rec, &w);
    jw_obj_end(&w);
    jw_finish(&w);
    buf_putc(r->out, '\n');
}

static void rec_free(struct engine_json_out *e)
{
    free(e);
}

struct engine_out *engine_recorder_new(struct buf *out)
{
    struct recorder *r = xcalloc(1, sizeof *r);
    engine_json_out_init(&r->base, true, rec_line, rec_free);
    r->out = out;
    return &r->base.base;
}

/* ---- tee ------------------------------------------------------------------ */

#define TEE_MAX 4

struct tee {
    struct engine_out base;
    struct engine_out *outs[TEE_MAX];
    unsigned n;
};

static void tee_signal(struct engine_out *o, const struct engine_signal *s)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->signal)
            t->outs[i]->ops->signal(t->outs[i], s);
}
static void tee_order(struct engine_out *o, const struct engine_order *x)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->order)
            t->outs[i]->ops->order(t->outs[i], x);
}
static void tee_fill(struct engine_out *o, const struct engine_fill *f)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->fill)
            t->outs[i]->ops->fill(t->outs[i], f);
}
static void tee_position(struct engine_out *o, const struct position *p, enum engine_pos_change c)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->position)
            t->outs[i]->ops->position(t->outs[i], p, c);
}
static void tee_trade(struct engine_out *o, const struct engine_trade *x)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->trade)
            t->outs[i]->ops->trade(t->outs[i], x);
}
static void tee_alert(struct engine_out *o, const struct engine_alert *a)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->alert)
            t->outs[i]->ops->alert(t->outs[i], a);
}
static void tee_token_request(struct engine_out *o, const struct engine_token_request *r)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->token_request)
            t->outs[i]->ops->token_request(t->outs[i], r);
}
static void tee_flush(struct engine_out *o, struct engine *e)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        if (t->outs[i]->ops->flush)
            t->outs[i]->ops->flush(t->outs[i], e);
}
static void tee_free(struct engine_out *o)
{
    struct tee *t = (struct tee *)o;
    for (unsigned i = 0; i < t->n; i++)
        engine_out_free(t->outs[i]);
    free(t);
}

static const struct engine_out_ops tee_ops = {
    .signal = tee_signal,
    .order = tee_order,
    .fill = tee_fill,
    .position = tee_position,
    .trade = tee_trade,
    .alert = tee_alert,
    .token_request = tee_token_request,
    .flush = tee_flush,
    .free = tee_free,
};

struct engine_out *engine_tee_new(struct engine_out *const *outs, unsigned n)
{
    struct tee *t = xcalloc(1, sizeof *t);
    t->base.ops = &tee_ops;
    for (unsigned i = 0; i < n && i < TEE_MAX; i++)
        if (outs[i])
            t->outs[t->n++] = outs[i];
    return &t->base;
}
