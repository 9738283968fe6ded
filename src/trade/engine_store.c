/* The engine's batched store writer and its restore at start (see
 * engine_store.h).
 *
 * Why batched: an engine handles thousands of events per second and most
 * of them change a position's price; one transaction per decision would
 * cost a commit each. Decisions are copied into a pending list as they are
 * made, positions are coalesced by id (the last state wins), and the whole
 * list, the positions whose state changed and the state row go in one
 * transaction at each flush. The state row and the positions are therefore
 * always consistent with each other in the database: a restart reads one
 * moment of the engine.
 *
 * Why the engine's own ids for signals, orders and positions: the engine
 * refers to them before any database is involved (an order names its
 * signal, a fill its order, a position its signal) and a backtest has no
 * database at all; keeping them as row ids makes the references in the
 * store the engine's references. */
#include "trade/engine_store.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "solana/base58.h"
#include "trade/clustersync.h"
#include "trade/perf.h"

const char *engine_store_state_key(enum trade_mode m)
{
    return m == TRADE_LIVE ? "engine.live" : "engine.paper";
}

/* ---- rows -------------------------------------------------------------------- */

/* The rows the engine writes: X(table, union member, struct). The tag and
 * the member of a pending row are set together by its typed push_<member>
 * and read together by write_of (through store_write_<member>), both
 * generated from this list; the members are named as in STORE_ROW_TYPES, so a row
 * cannot be queued under another table's tag. */
#define ENGINE_ROWS(X)                                                                             \
    X(STORE_T_SIGNALS, signal, struct signal_row)                                                  \
    X(STORE_T_ORDERS, order, struct order_row)                                                     \
    X(STORE_T_FILLS, fill, struct fill_row)                                                        \
    X(STORE_T_POSITIONS, position, struct position_row)                                            \
    X(STORE_T_CLOSED_TRADES, closed_trade, struct closed_trade_row)                                \
    X(STORE_T_ALERTS, alert, struct alert_row)                                                     \
    X(STORE_T_EQUITY_MARKS, equity_mark, struct equity_mark_row)

struct pending {
    enum store_table t;
    bool keep_id;
    union {
#define ENGINE_ROW_MEMBER_(T, m, S) S m;
        ENGINE_ROWS(ENGINE_ROW_MEMBER_)
#undef ENGINE_ROW_MEMBER_
    } u;
};

struct writer {
    struct engine_out base;
    struct store *st;
    VEC(struct pending) q;
    struct buf state;
    struct buf tmp;
    uint64_t failures;
    int64_t next_mark_ms; /* engine time of the next equity mark */
    char node[64];        /* written on each order: the node that placed it */
};

/* A mark-to-market equity sample at most once a minute of engine time. */
#define EQUITY_MARK_MS MS_PER_MINUTE

static void b58key(const struct pubkey *k, char *out, size_t n)
{
    char s[BASE58_KEY_MAX];
    str_copy(out, n, pubkey_format(k, s));
}

static void copy_text(char *dst, size_t n, const char *src)
{
    /* Truncation keeps the row valid; the fields here are bounded anyway. */
    if (str_copy(dst, n, src ? src : "") != 0 && n)
        dst[n - 1] = '\0';
}

static struct pending *push(struct writer *w, enum store_table t, bool keep_id)
{
    if (w->q.len >= ENGINE_STORE_MAX_PENDING) {
        log_error("engine", "store writer: %zu rows pending, dropping the oldest", w->q.len);
        memmove(&w->q.v[0], &w->q.v[1], (w->q.len - 1) * sizeof w->q.v[0]);
        w->q.len--;
    }
    struct pending *p = vec_push_zero(&w->q);
    p->t = t;
    p->keep_id = keep_id;
    return p;
}

#define ENGINE_ROW_PUSH_(T, m, S)                                                                  \
    static S *push_##m(struct writer *w, bool keep_id)                                             \
    {                                                                                              \
        return &push(w, T, keep_id)->u.m;                                                          \
    }
ENGINE_ROWS(ENGINE_ROW_PUSH_)
#undef ENGINE_ROW_PUSH_

/* The store write of a pending row, through the table's typed wrapper. */
static struct store_write write_of(const struct pending *p)
{
    switch (p->t) {
#define ENGINE_ROW_WRITE_(T, m, S)                                                                 \
    case T:                                                                                        \
        return store_write_##m(&p->u.m, p->keep_id);
        ENGINE_ROWS(ENGINE_ROW_WRITE_)
#undef ENGINE_ROW_WRITE_
    default:
        break;
    }
    assert(!"a pending row of a table the engine does not write");
    return (struct store_write){.table = STORE_T_COUNT_};
}

static void w_signal(struct engine_out *o, const struct engine_signal *s)
{
    struct writer *w = (struct writer *)o;
    struct signal_row *r = push_signal(w, true);
    r->id = (int64_t)s->id;
    r->ts_ms = s->ts_ms;
    b58key(&s->wallet, r->wallet, sizeof r->wallet);
    b58key(&s->mint, r->mint, sizeof r->mint);
    static const struct signature zero;
    if (memcmp(&s->swap_sig, &zero, sizeof zero) != 0)
        base58_encode(s->swap_sig.b, sizeof s->swap_sig.b, r->swap_sig, sizeof r->swap_sig);
    r->score = s->f->score;
    r->wallet_factor = s->f->f[SF_WALLET];
    r->cluster_factor = s->f->f[SF_CLUSTER];
    r->token_factor = s->f->f[SF_TOKEN];
    r->context_factor = s->f->f[SF_CONTEXT];
    copy_text(r->decision, sizeof r->decision, signal_decision_name(s->reason));
    copy_text(r->reason, sizeof r->reason, signal_reason_name(s->reason));
    copy_text(r->mode, sizeof r->mode, trade_mode_name(s->mode));
    /* The factors column: every factor, component and input, and what the
     * decision did (detail, size, order). */
    buf_reset(&w->tmp);
    struct jw j;
    jw_init(&j, &w->tmp);
    jw_obj_begin(&j);
    jw_key(&j, "factors");
    signal_factors_write(s->in, s->f, &j);
    jw_kstr(&j, "detail", s->detail ? s->detail : "");
    jw_ku64(&j, "size_lamports", s->size_lamports);
    jw_kdouble(&j, "multiplier", s->multiplier);
    jw_ku64(&j, "order_id", s->order_id);
    jw_kdouble(&j, "price_sol", s->price_sol);
    jw_obj_end(&j);
    if (jw_finish(&j) != 0 || w->tmp.len >= sizeof r->factors) {
        /* Keep the row valid: the scalar factors are in their columns. */
        snprintf(r->factors, sizeof r->factors, "{\"truncated\":true}");
        log_warn("engine", "signal %llu: factors JSON of %zu bytes truncated",
                 (unsigned long long)s->id, w->tmp.len);
    } else {
        memcpy(r->factors, w->tmp.data, w->tmp.len + 1);
    }
}

static void w_order(struct engine_out *o, const struct engine_order *x)
{
    struct writer *w = (struct writer *)o;
    /* A status change of an order still pending in this batch replaces it. */
    for (size_t i = w->q.len; i-- > 0;)
        if (w->q.v[i].t == STORE_T_ORDERS && w->q.v[i].u.order.id == (int64_t)x->id) {
            struct order_row *r = &w->q.v[i].u.order;
            copy_text(r->status, sizeof r->status, engine_order_status_name(x->status));
            copy_text(r->error, sizeof r->error, x->error);
            r->updated_ms = x->updated_ms;
            return;
        }
    struct order_row *r = push_order(w, true);
    r->id = (int64_t)x->id;
    copy_text(r->node, sizeof r->node, w->node);
    copy_text(r->mode, sizeof r->mode, trade_mode_name(x->mode));
    r->signal_id = (int64_t)x->signal_id;
    r->ts_ms = x->ts_ms;
    b58key(&x->mint, r->mint, sizeof r->mint);
    r->side = x->side;
    r->amount_in = x->amount_in;
    r->min_out = 0;
    r->slippage_bps = x->slippage_bps;
    copy_text(r->status, sizeof r->status, engine_order_status_name(x->status));
    copy_text(r->error, sizeof r->error, x->error);
    r->updated_ms = x->updated_ms;
}

static void w_fill(struct engine_out *o, const struct engine_fill *f)
{
    struct writer *w = (struct writer *)o;
    struct fill_row *r = push_fill(w, false);
    const struct fill_event *x = f->fill;
    r->order_id = (int64_t)x->order_id;
    copy_text(r->mode, sizeof r->mode, trade_mode_name(f->mode));
    r->ts_ms = x->ts_ms;
    r->amount_in = x->side == SIDE_BUY ? x->sol_amount : x->token_amount;
    r->amount_out = x->side == SIDE_BUY ? x->token_amount : x->sol_amount;
    r->price_sol = isfinite(x->price_sol) ? x->price_sol : 0;
    r->fee_lamports = x->fee_lamports;
    static const struct signature zero;
    if (memcmp(&x->sig, &zero, sizeof zero) != 0)
        base58_encode(x->sig.b, sizeof x->sig.b, r->tx_sig, sizeof r->tx_sig);
}

int engine_store_position_json(const struct position *p, double score, const double f[SF_COUNT],
                               struct buf *out)
{
    size_t start = out->len;
    int rc = position_format(p, out);
    if (rc)
        return rc;
    /* Splice the signal's score and factors into the object. */
    if (out->len == start || out->data[out->len - 1] != '}')
        return WT_EINVAL;
    buf_truncate(out, out->len - 1);
    char num[32];
    buf_puts(out, ",\"signal_score\":");
    jw_format_double(score, num);
    buf_puts(out, num);
    buf_puts(out, ",\"signal_factors\":[");
    for (int i = 0; i < SF_COUNT; i++) {
        jw_format_double(f ? f[i] : 0, num);
        buf_printf(out, "%s%s", i ? "," : "", num);
    }
    return buf_puts(out, "]}");
}

int engine_store_position_parse(const char *json, size_t len, struct position *p, double *score,
                                double f[SF_COUNT], char *err, size_t errsize)
{
    int rc = position_parse(json, len, p, err, errsize);
    if (rc)
        return rc;
    struct json_doc *d = json_doc_new(16);
    struct json_val o, arr, x;
    *score = 0;
    for (int i = 0; i < SF_COUNT; i++)
        f[i] = 0;
    rc = json_parse(d, json, len, 0, &o);
    if (rc == 0 && json_opt_double(&o, "signal_score", score) == WT_ETYPE)
        rc = WT_ETYPE;
    if (rc == 0 && json_find(&o, "signal_factors", &arr) == 0)
        for (int i = 0; i < SF_COUNT && json_index(&arr, (size_t)i, &x) == 0; i++)
            if ((rc = json_double(&x, &f[i])))
                break;
    if (rc && err && errsize)
        snprintf(err, errsize, "%s", json_errmsg(d));
    json_doc_free(d);
    return rc;
}

static void position_row_of(struct writer *w, struct position_row *r, const struct position *p,
                            double score, const double f[SF_COUNT])
{
    r->id = (int64_t)p->id;
    copy_text(r->mode, sizeof r->mode, trade_mode_name(p->mode));
    b58key(&p->mint, r->mint, sizeof r->mint);
    r->signal_id = (int64_t)p->signal_id;
    r->exit_strategy_id = 0;
    copy_text(r->status, sizeof r->status,
              p->closed        ? "closed"
              : p->pending_raw ? "closing"
                               : "open");
    r->opened_ms = p->entry_ts_ms;
    r->closed_ms = p->closed ? p->exit_ts_ms : 0;
    r->entry_lamports = p->cost_lamports;
    r->tokens = p->remaining_raw;
    r->tokens_initial = p->amount_raw;
    r->entry_price_sol = p->entry_price;
    r->peak_price_sol = p->peak_price;
    r->stop_price_sol =
        p->strategy.stop_loss > 0 ? p->entry_price * (1 - p->strategy.stop_loss) : 0;
    r->moonbag = position_locked_raw(p) > 0;
    r->realized_sol = (double)p->realized_pnl_lamports / 1e9;
    r->updated_ms = p->last_ts_ms;
    buf_reset(&w->tmp);
    if (engine_store_position_json(p, score, f, &w->tmp) != 0 || w->tmp.len >= sizeof r->state) {
        log_error("engine", "position %llu: state JSON of %zu bytes does not fit",
                  (unsigned long long)p->id, w->tmp.len);
        snprintf(r->state, sizeof r->state, "{}");
    } else {
        memcpy(r->state, w->tmp.data, w->tmp.len + 1);
    }
}

/* The pending row of position id, or a new one. */
static struct position_row *position_slot(struct writer *w, uint64_t id)
{
    for (size_t i = w->q.len; i-- > 0;)
        if (w->q.v[i].t == STORE_T_POSITIONS && w->q.v[i].u.position.id == (int64_t)id)
            return &w->q.v[i].u.position;
    return push_position(w, true);
}

static void w_position(struct engine_out *o, const struct position *p, enum engine_pos_change c)
{
    (void)c;
    struct writer *w = (struct writer *)o;
    /* The score and factors are not in the position: keep what a pending
     * row had, else they are filled at flush from the engine (open
     * positions) or stay 0 (a position opened and closed in one batch:
     * its closed trade carries them). */
    struct position_row *r = position_slot(w, p->id);
    double score = 0, f[SF_COUNT] = {0};
    if (r->state[0]) {
        struct position tmp;
        engine_store_position_parse(r->state, strlen(r->state), &tmp, &score, f, NULL, 0);
    }
    position_row_of(w, r, p, score, f);
}

static void w_trade(struct engine_out *o, const struct engine_trade *x)
{
    struct writer *w = (struct writer *)o;
    struct closed_trade_row *r = push_closed_trade(w, false);
    const struct closed_trade *t = x->t;
    char reason[EXIT_REASON_MAX];
    copy_text(r->mode, sizeof r->mode, trade_mode_name(t->mode));
    r->position_id = (int64_t)t->position_id;
    b58key(&t->mint, r->mint, sizeof r->mint);
    b58key(&t->wallet, r->wallet, sizeof r->wallet);
    r->opened_ms = t->entry_ts_ms;
    r->closed_ms = t->exit_ts_ms;
    r->entry_price_sol = t->entry_price;
    r->exit_price_sol = isfinite(t->exit_price) ? t->exit_price : 0;
    r->entry_lamports = t->cost_lamports;
    r->exit_lamports = t->proceeds_lamports > 0 ? (uint64_t)t->proceeds_lamports : 0;
    r->pnl_sol = t->pnl_sol;
    r->pnl_pct = t->pnl_pct;
    copy_text(r->exit_reason, sizeof r->exit_reason,
              exit_reason_format(t->reason, t->tp_level, reason));
    r->signal_id = (int64_t)t->signal_id;
    copy_text(r->strategy, sizeof r->strategy, t->strategy);
    r->score = x->score;
    char num[4][32];
    for (int i = 0; i < SF_COUNT; i++)
        jw_format_double(x->f[i], num[i]);
    snprintf(r->factors, sizeof r->factors,
             "{\"wallet\":%s,\"cluster\":%s,\"token\":%s,\"context\":%s,\"entry_hour\":%d}", num[0],
             num[1], num[2], num[3], x->entry_hour);
}

static void w_alert(struct engine_out *o, const struct engine_alert *a)
{
    struct writer *w = (struct writer *)o;
    struct alert_row *r = push_alert(w, false);
    r->ts_ms = a->ts_ms;
    copy_text(r->kind, sizeof r->kind, a->kind);
    copy_text(r->severity, sizeof r->severity, a->severity);
    copy_text(r->mode, sizeof r->mode, trade_mode_name(a->mode));
    copy_text(r->message, sizeof r->message, a->message);
    buf_reset(&w->tmp);
    struct jw j;
    jw_init(&j, &w->tmp);
    jw_obj_begin(&j);
    jw_kstr(&j, "breaker", a->breaker ? a->breaker : "");
    jw_kstr(&j, "action", a->action ? a->action : "");
    jw_obj_end(&j);
    if (jw_finish(&j) == 0 && w->tmp.len < sizeof r->data)
        memcpy(r->data, w->tmp.data, w->tmp.len + 1);
    else
        snprintf(r->data, sizeof r->data, "{}");
}

static void w_flush(struct engine_out *o, struct engine *e)
{
    struct writer *w = (struct writer *)o;
    /* Open positions whose state moved (a price, a fill) since the last
     * flush, with their signal's score and factors. */
    struct engine_status s;
    engine_status(e, &s);
    for (size_t i = 0; i < s.open_positions; i++) {
        bool dirty;
        double score, f[SF_COUNT];
        const struct position *p = engine_position_at(e, i, &dirty, &score, f);
        struct position_row *r = NULL;
        for (size_t k = w->q.len; k-- > 0;)
            if (w->q.v[k].t == STORE_T_POSITIONS && w->q.v[k].u.position.id == (int64_t)p->id)
                r = &w->q.v[k].u.position;
        if (!dirty && !r)
            continue;
        if (!r)
            r = push_position(w, true);
        position_row_of(w, r, p, score, f);
    }
    if (s.now_ms >= w->next_mark_ms) {
        struct equity_mark_row *m = push_equity_mark(w, false);
        copy_text(m->mode, sizeof m->mode, trade_mode_name(s.mode));
        m->ts_ms = s.now_ms;
        m->equity_lamports = s.equity_lamports;
        m->cash_lamports = s.cash_lamports;
        w->next_mark_ms = (s.now_ms / EQUITY_MARK_MS + 1) * EQUITY_MARK_MS;
    }
    buf_reset(&w->state);
    if (engine_state_format(e, &w->state) != 0)
        return;
    size_t n = w->q.len;
    struct store_write *sw = xcalloc(n + 1, sizeof *sw);
    for (size_t i = 0; i < n; i++)
        sw[i] = write_of(&w->q.v[i]);
    sw[n] = (struct store_write){.table = STORE_W_STATE,
                                 .key = engine_store_state_key(s.mode),
                                 .value = w->state.data,
                                 .ts_ms = s.now_ms};
    int rc = store_write_batch(w->st, sw, n + 1);
    free(sw);
    if (rc != 0) {
        if (w->failures++ % 100 == 0)
            log_error("engine",
                      "writing %zu decisions to the store failed (%s): kept for the "
                      "next flush",
                      n, wt_strerror(rc));
        return;
    }
    w->q.len = 0;
}

static void w_free(struct engine_out *o)
{
    struct writer *w = (struct writer *)o;
    if (w->q.len)
        log_error("engine", "store writer closed with %zu rows not written", w->q.len);
    vec_free(&w->q);
    buf_release(&w->state);
    buf_release(&w->tmp);
    free(w);
}

static const struct engine_out_ops writer_ops = {
    .signal = w_signal,
    .order = w_order,
    .fill = w_fill,
    .position = w_position,
    .trade = w_trade,
    .alert = w_alert,
    .flush = w_flush,
    .free = w_free,
};

void engine_store_writer_node(struct engine_out *o, const char *node)
{
    struct writer *w = (struct writer *)o;
    copy_text(w->node, sizeof w->node, node);
}

struct engine_out *engine_store_writer_new(struct store *st)
{
    struct writer *w = xcalloc(1, sizeof *w);
    w->base.ops = &writer_ops;
    w->st = st;
    buf_init(&w->state, 0);
    buf_init(&w->tmp, 0);
    return &w->base;
}

/* ---- restore ------------------------------------------------------------------ */

struct warming {
    struct engine *e;
    const struct engine_warm *w;
    size_t *count;
};

static int warm_one(void *ctx, const struct stored_swap *s)
{
    struct warming *a = ctx;
    if (s->id > a->w->max_id)
        return 0; /* stored after the fence: it comes as an event */
    engine_warm_swap(a->e, &s->swap);
    size_t n = ++*a->count;
    if (a->w->progress)
        __atomic_store_n(a->w->progress, n, __ATOMIC_RELAXED);
    if (a->w->stop && n % 4096 == 0 && a->w->stop(a->w->stop_ctx))
        return WT_ECLOSED;
    return 0;
}

static int trade_one(void *ctx, const struct closed_trade_row *t)
{
    void **a = ctx;
    struct pubkey wallet;
    if (pubkey_parse(t->wallet, &wallet) == 0) {
        engine_restore_trade(a[0], &wallet, t->opened_ms,
                             t->pnl_sol > 0   ? 1
                             : t->pnl_sol < 0 ? -1
                                              : 0);
        (*(size_t *)a[1])++;
    }
    return 0;
}

static int apply_watch(struct engine *e, enum command_kind k, const char *address, double score,
                       const char *text)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_COMMAND;
    ev.u.command.kind = k;
    ev.u.command.ts_ms = 0; /* the engine's clock stays where it is */
    ev.u.command.value = score;
    if (text)
        copy_text(ev.u.command.text, sizeof ev.u.command.text, text);
    if (pubkey_parse(address, &ev.u.command.wallet) != 0)
        return WT_EINVAL;
    return engine_handle(e, &ev);
}

static int add_watch_row(void *ctx, const struct wallet *w)
{
    struct watch_rows *l = ctx;
    if (strcmp(w->chain, "solana") != 0)
        return 0;
    struct watch_row *x = vec_push_zero(&l->v);
    memcpy(x->address, w->address, sizeof x->address);
    x->score = w->score;
    return 0;
}

static int cmp_watch_row(const void *a, const void *b)
{
    const struct watch_row *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->address, y->address);
}

int engine_store_wallets_ranked(struct store *st, enum wallet_status status, struct watch_rows *out)
{
    struct wallet_filter f;
    memset(&f, 0, sizeof f);
    f.status = status;
    int rc = store_wallet_scan(st, &f, add_watch_row, out);
    if (rc == 0 && out->v.len > 1)
        qsort(out->v.v, out->v.len, sizeof *out->v.v, cmp_watch_row);
    return rc;
}

/* One scan of the store (one read transaction), applied after it. */
static int load_wallets(struct engine *e, struct store *st, enum wallet_status status,
                        size_t *count)
{
    struct watch_rows l = {0};
    int rc = engine_store_wallets_ranked(st, status, &l);
    for (size_t i = 0; rc == 0 && i < l.v.len; i++) {
        const struct watch_row *w = &l.v.v[i];
        if (status == WALLET_WATCH) {
            if (apply_watch(e, CMD_WATCH, w->address, w->score, NULL) == 0)
                (*count)++;
        } else if (apply_watch(e, CMD_BLACKLIST, w->address, -1, NULL) == 0) {
            (*count)++;
        }
    }
    vec_free(&l.v);
    return rc;
}

/* Every cluster membership (the cluster factor) and the blacklists of
 * blacklisted clusters, as the commands clustersync posts after a rebuild. */
static int apply_cluster_cmd(void *ctx, const struct command_event *c)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_COMMAND;
    ev.u.command = *c;
    ev.u.command.ts_ms = 0; /* the engine's clock stays where it is */
    (void)engine_handle(ctx, &ev);
    return 0;
}

static int load_clusters(struct engine *e, struct store *st, size_t *count)
{
    struct clustersync_stats cs;
    int rc = clustersync_commands(st, false, apply_cluster_cmd, e, &cs);
    *count += cs.blacklisted;
    return rc;
}

int engine_store_restore(struct engine *e, struct store *st, bool warm,
                         struct engine_restore_stats *stats, char *err, size_t errsize)
{
    struct engine_warm w = {.on = warm, .max_id = INT64_MAX};
    return engine_store_restore_from(e, st, &w, stats, err, errsize);
}

int engine_store_restore_from(struct engine *e, struct store *st, const struct engine_warm *w,
                              struct engine_restore_stats *stats, char *err, size_t errsize)
{
    struct engine_restore_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    enum trade_mode mode = engine_params_of(e)->mode;
    const char *mname = trade_mode_name(mode);
    int rc;

    /* 1. The history: intel and the market, before anything asks them. */
    if (w->on) {
        struct warming a = {e, w, &stats->swaps_warmed};
        if ((rc = store_swaps_scan(st, INT64_MIN, INT64_MAX, warm_one, &a))) {
            snprintf(err, errsize, "%s: %s",
                     rc == WT_ECLOSED ? "stopped during the warm-up" : "reading the stored swaps",
                     wt_strerror(rc));
            return rc;
        }
    }

    /* 2. The state row. */
    struct buf state;
    buf_init(&state, 0);
    rc = store_state_get(st, engine_store_state_key(mode), &state);
    if (rc == 0) {
        stats->state_found = true;
        rc = engine_restore_state(e, state.data, state.len, err, errsize);
    } else if (rc == WT_ENOTFOUND) {
        rc = 0; /* a fresh account */
    } else {
        snprintf(err, errsize, "reading the engine state: %s", wt_strerror(rc));
    }
    buf_release(&state);
    if (rc)
        return rc;

    /* Order ids a previous process claimed (store_order_claim) but whose
     * state it never wrote are not used again. */
    int64_t max_order = 0;
    if ((rc = store_orders_max_id(st, &max_order)) != 0) {
        snprintf(err, errsize, "reading the orders: %s", wt_strerror(rc));
        return rc;
    }
    engine_order_ids_past(e, (uint64_t)max_order);

    /* 3. Open positions. */
    size_t cap = 4096, n = 0;
    struct position_row *rows = xcalloc(cap, sizeof *rows);
    rc = store_positions_open(st, mname, rows, cap, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct position p;
        double score, f[SF_COUNT];
        char why[EXIT_ERR_MAX];
        rc = engine_store_position_parse(rows[i].state, strlen(rows[i].state), &p, &score, f, why,
                                         sizeof why);
        if (rc) {
            snprintf(err, errsize, "position %lld: %s", (long long)rows[i].id, why);
            break;
        }
        rc = engine_restore_position(e, &p, score, f);
        if (rc) {
            snprintf(err, errsize, "position %lld: cannot be restored (%s)", (long long)rows[i].id,
                     wt_strerror(rc));
            break;
        }
        stats->positions++;
    }
    free(rows);
    if (rc)
        return rc;

    /* 4. Orders that were in flight died with the previous process. */
    struct order_row *orders = xcalloc(1000, sizeof *orders);
    rc = store_orders_pending(st, mname, orders, 1000, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        copy_text(orders[i].status, sizeof orders[i].status, "cancelled");
        copy_text(orders[i].error, sizeof orders[i].error, "the process stopped before it filled");
        rc = store_update_order(st, &orders[i]);
        stats->orders_cancelled += rc == 0;
    }
    free(orders);
    if (rc) {
        snprintf(err, errsize, "cancelling pending orders: %s", wt_strerror(rc));
        return rc;
    }

    /* 5. The feedback statistics (per copied wallet, per hour). */
    void *a[2] = {e, &stats->trades};
    if ((rc = store_closed_trades_scan(st, mname, 0, trade_one, a))) {
        snprintf(err, errsize, "reading the closed trades: %s", wt_strerror(rc));
        return rc;
    }

    /* 6. The watchlist and the blacklists. */
    if ((rc = load_wallets(e, st, WALLET_WATCH, &stats->watched)) ||
        (rc = load_wallets(e, st, WALLET_BLACKLISTED, &stats->blacklisted)) ||
        (rc = load_clusters(e, st, &stats->cluster_members))) {
        snprintf(err, errsize, "reading the watchlist: %s", wt_strerror(rc));
        return rc;
    }
    return 0;
}

/* ---- exit strategies ----------------------------------------------------------- */

int engine_store_exit_put(struct store *st, const struct exit_strategy *s, int64_t ts_ms,
                          const char *actor)
{
    struct buf json;
    buf_init(&json, 1024);
    int rc = exit_strategy_format(s, &json);
    if (rc == 0)
        rc = json.len < SETTING_VALUE_MAX
                 ? store_exit_strategy_put(st, s->name, json.data, ts_ms, actor)
                 : WT_EFULL;
    buf_release(&json);
    return rc;
}

int engine_store_exit_delete(struct store *st, const char *name, int64_t ts_ms, const char *actor)
{
    return store_exit_strategy_delete(st, name, ts_ms, actor);
}

struct exits_load {
    struct exit_book *b;
    size_t *loaded;
    char *err;
    size_t errsize;
};

static int exit_one(void *ctx, const char *name, const char *params)
{
    struct exits_load *l = ctx;
    struct exit_strategy s;
    char why[EXIT_ERR_MAX] = "";
    if (exit_strategy_parse(params, strlen(params), &s, why, sizeof why) != 0 ||
        strcmp(s.name, name) != 0) {
        log_warn("engine", "ignoring the stored exit strategy %s: %s", name,
                 why[0] ? why : "the name in its JSON differs");
        return 0;
    }
    int rc = exit_book_put(l->b, &s, l->err, l->errsize);
    if (rc == 0)
        (*l->loaded)++;
    return rc;
}

int engine_store_exits_load(struct store *st, struct exit_book *b, size_t *loaded, char *err,
                            size_t errsize)
{
    *loaded = 0;
    if (err && errsize)
        err[0] = '\0';
    struct exits_load l = {b, loaded, err, errsize};
    int rc = store_exit_strategies_scan(st, exit_one, &l);
    if (rc && err && errsize && !err[0])
        snprintf(err, errsize, "reading the stored exit strategies: %s", wt_strerror(rc));
    return rc;
}

int engine_store_marks_thin(struct store *st, int64_t now_ms, int full_days, int64_t *from_ms,
                            int64_t *deleted)
{
    *deleted = 0;
    if (full_days <= 0)
        return 0;
    int64_t before = (now_ms - (int64_t)full_days * MS_PER_DAY) / MS_PER_HOUR * MS_PER_HOUR;
    if (before <= *from_ms)
        return 0;
    static const char *const modes[] = {"paper", "live"};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        int64_t n = 0;
        int rc = store_equity_marks_thin(st, modes[i], *from_ms, before, MS_PER_HOUR, &n);
        if (rc != 0)
            return rc;
        *deleted += n;
    }
    *from_ms = before;
    return 0;
}

int engine_store_marks_load(struct store *st, const char *mode, int64_t since_ms, struct perf *p)
{
    enum { PAGE = 1000 };
    struct equity_mark_row *rows = xcalloc(PAGE, sizeof *rows);
    struct row_query q = {.key = mode, .after_id = 0, .limit = PAGE};
    int rc;
    for (;;) {
        size_t n = 0;
        rc = store_list_equity_mark(st, &q, rows, &n);
        if (rc != 0 || n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (rows[i].ts_ms >= since_ms)
                perf_mark(p, rows[i].ts_ms, (double)rows[i].equity_lamports / 1e9);
        q.after_id = rows[n - 1].id;
        if (n < PAGE)
            break;
    }
    free(rows);
    return rc;
}
