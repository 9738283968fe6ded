/* Storage of backtest runs (see runs.h): the row, the details cut into
 * pieces that fit the items table, and the JSON read back. */
#include "backtest/runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/jw.h"
#include "base/str.h"
#include "base/vec.h"
#include "signal/signal.h"
#include "solana/base58.h"
#include "trade/engine_out.h"

#define PIECE (ROW_JSON - 1)

struct items {
    VEC(struct backtest_item_row) v;
};

static void add_kind(struct items *it, const char *kind, const struct buf *json)
{
    int32_t seq = 0;
    for (size_t off = 0; off < json->len || seq == 0; off += PIECE) {
        struct backtest_item_row *x = vec_push_zero(&it->v);
        str_copy(x->kind, sizeof x->kind, kind);
        x->seq = seq++;
        size_t n = json->len - off < PIECE ? json->len - off : PIECE;
        memcpy(x->data, json->data + off, n);
        x->data[n] = '\0';
        if (json->len == 0)
            break;
    }
}

static void key58(const struct bt_tape *t, uint32_t id, char out[BASE58_KEY_MAX])
{
    if (id == INTERN_NONE) {
        out[0] = '\0';
        return;
    }
    base58_encode(bt_tape_key(t, id), 32, out, BASE58_KEY_MAX);
}

static void signals_json(const struct bt_tape *t, const struct bt_result *r, struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    jw_arr_begin(&w);
    char k[BASE58_KEY_MAX];
    for (size_t i = 0; i < r->signals.len; i++) {
        const struct bt_signal *s = &r->signals.v[i];
        jw_obj_begin(&w);
        jw_ki64(&w, "ts_ms", s->ts_ms);
        key58(t, s->wallet, k);
        jw_kstr(&w, "wallet", k);
        key58(t, s->mint, k);
        jw_kstr(&w, "mint", k);
        jw_kdouble(&w, "score", s->score);
        jw_kstr(&w, "reason", signal_reason_name((enum signal_reason)s->reason));
        jw_kdouble(&w, "size_sol", (double)s->size_lamports / 1e9);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_finish(&w);
}

static void trades_json(const struct bt_tape *t, const struct bt_result *r, struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    jw_arr_begin(&w);
    char k[BASE58_KEY_MAX];
    for (size_t i = 0; i < r->trades.len; i++) {
        const struct bt_trade *x = &r->trades.v[i];
        jw_obj_begin(&w);
        jw_ki64(&w, "opened_ms", x->opened_ms);
        jw_ki64(&w, "closed_ms", x->closed_ms);
        key58(t, x->wallet, k);
        jw_kstr(&w, "wallet", k);
        key58(t, x->mint, k);
        jw_kstr(&w, "mint", k);
        jw_kdouble(&w, "cost_sol", x->cost_sol);
        jw_kdouble(&w, "pnl_sol", x->pnl_sol);
        jw_kdouble(&w, "pnl_pct", x->pnl_pct);
        jw_kdouble(&w, "score", x->score);
        jw_kstr(&w, "exit_reason", x->exit_reason);
        jw_kstr(&w, "strategy", x->strategy);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_finish(&w);
}

static void orders_json(const struct bt_tape *t, const struct bt_result *r, struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    jw_arr_begin(&w);
    char k[BASE58_KEY_MAX];
    for (size_t i = 0; i < r->orders.len; i++) {
        const struct bt_order *x = &r->orders.v[i];
        jw_obj_begin(&w);
        jw_ku64(&w, "id", x->id);
        jw_ku64(&w, "signal_id", x->signal_id);
        jw_ki64(&w, "ts_ms", x->ts_ms);
        jw_ki64(&w, "updated_ms", x->updated_ms);
        key58(t, x->mint, k);
        jw_kstr(&w, "mint", k);
        jw_kstr(&w, "side", x->side == SIDE_BUY ? "buy" : "sell");
        jw_ku64(&w, "amount_in", x->amount_in);
        jw_ki64(&w, "slippage_bps", x->slippage_bps);
        jw_kstr(&w, "status", engine_order_status_name((enum engine_order_status)x->status));
        jw_kstr(&w, "error", x->error);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_finish(&w);
}

static void curve_json(const struct bt_result *r, struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    jw_arr_begin(&w);
    for (size_t i = 0; i < r->curve.len; i++) {
        jw_arr_begin(&w);
        jw_i64(&w, r->curve.v[i].ts_ms);
        jw_double(&w, r->curve.v[i].equity_sol);
        jw_arr_end(&w);
    }
    jw_arr_end(&w);
    jw_finish(&w);
}

int bt_run_save(struct store *st, const struct bt_run_info *info, const struct bt_tape *t,
                const struct bt_result *r, int64_t *id)
{
    int64_t sid = 0;
    int rc = bt_scenario_row_id(st, info->scenario, info->started_ms, &sid);
    if (rc)
        return rc;
    struct backtest_run_row *row = xcalloc(1, sizeof *row);
    struct items it = {0};
    struct buf b, m;
    buf_init(&b, 0);
    buf_init(&m, 0);
    if (!row) {
        rc = WT_ENOMEM;
        goto out;
    }
    row->scenario_id = sid;
    row->started_ms = info->started_ms;
    row->finished_ms = info->finished_ms;
    str_copy(row->status, sizeof row->status, "done");
    bt_settings_json(info->settings, &b);
    add_kind(&it, "settings", &b);
    str_copy(row->params, sizeof row->params, b.len < sizeof row->params ? b.data : "{}");
    buf_reset(&b);
    /* The overrides: the scenario's, then the command line's. */
    struct bt_scenario all = *info->scenario;
    char err[256];
    for (size_t i = 0; info->sets && i < info->sets->n; i++)
        bt_scenario_set(&all, info->sets->o[i].name, info->sets->o[i].value, err, sizeof err);
    bt_scenario_params_json(&all, &b);
    add_kind(&it, "overrides", &b);
    buf_reset(&b);
    bt_metrics_json(&r->m, &m);
    struct jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "scenario", info->scenario->name);
    jw_ki64(&w, "from_ms", info->from_ms);
    jw_ki64(&w, "to_ms", info->to_ms);
    jw_kstr(&w, "sample", info->sample ? info->sample : "full");
    jw_ki64(&w, "batch_id", info->batch_id);
    jw_key(&w, "metrics");
    jw_raw(&w, m.data, m.len);
    jw_obj_end(&w);
    jw_finish(&w);
    if (b.len >= sizeof row->results) {
        rc = WT_EFULL;
        goto out;
    }
    memcpy(row->results, b.data, b.len + 1);
    row->pnl_sol = r->m.pnl_sol;
    row->win_rate = r->m.win_rate;
    row->max_drawdown = r->m.max_drawdown_pct;
    row->trades = (int32_t)r->m.trades;
    buf_reset(&b);
    signals_json(t, r, &b);
    add_kind(&it, "signals", &b);
    buf_reset(&b);
    trades_json(t, r, &b);
    add_kind(&it, "trades", &b);
    buf_reset(&b);
    curve_json(r, &b);
    add_kind(&it, "curve", &b);
    if (info->orders) {
        buf_reset(&b);
        orders_json(t, r, &b);
        add_kind(&it, "orders", &b);
    }
    add_kind(&it, "perf", &r->perf);
    rc = store_backtest_put(st, row, it.v.v, it.v.len, id);
out:
    free(row);
    vec_free(&it.v);
    buf_release(&b);
    buf_release(&m);
    return rc;
}

void bt_scenario_name_of(struct store *st, int64_t id, char *out, size_t n)
{
    struct backtest_scenario_row *row = xcalloc(1, sizeof *row);
    if (row && store_get_scenario(st, id, row) == 0)
        str_copy(out, n, row->name);
    else
        str_copy(out, n, "?");
    free(row);
}

/* The pieces of run id, concatenated per kind: kinds[k] into outs[k]. */
static int read_items(struct store *st, int64_t id, const char *const *kinds, struct buf *outs,
                      size_t nk)
{
    enum { PAGE = 200 };
    struct backtest_item_row *rows = xcalloc(PAGE, sizeof *rows);
    if (!rows)
        return WT_ENOMEM;
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        struct row_query q = {.key_id = id, .after_id = after, .limit = PAGE};
        size_t n = 0;
        if ((rc = store_list_backtest_item(st, &q, rows, &n)))
            break;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < nk; k++)
                if (strcmp(rows[i].kind, kinds[k]) == 0)
                    buf_puts(&outs[k], rows[i].data);
        if (n < PAGE)
            break;
        after = rows[n - 1].id;
    }
    free(rows);
    return rc;
}

int bt_run_json(struct store *st, int64_t id, bool details, struct buf *out)
{
    struct backtest_run_row *row = xcalloc(1, sizeof *row);
    if (!row)
        return WT_ENOMEM;
    int rc = store_get_backtest_run(st, id, row);
    if (rc) {
        free(row);
        return rc;
    }
    static const char *const kinds[] = {"settings", "overrides", "signals", "trades",
                                        "curve",    "perf",      "orders"};
    enum { NK = 7 };
    struct buf parts[NK];
    for (int k = 0; k < NK; k++)
        buf_init(&parts[k], 0);
    rc = read_items(st, id, kinds, parts, details ? NK : 2);
    struct json_doc *d = json_doc_new(16);
    struct json_val res;
    if (rc == 0 && json_parse(d, row->results, strlen(row->results), 0, &res) != 0)
        rc = WT_EPARSE;
    if (rc == 0) {
        char name[BT_NAME_MAX];
        bt_scenario_name_of(st, row->scenario_id, name, sizeof name);
        struct jw w;
        jw_init(&w, out);
        jw_obj_begin(&w);
        jw_ki64(&w, "id", row->id);
        jw_kstr(&w, "scenario", name);
        jw_kstr(&w, "status", row->status);
        jw_ki64(&w, "started_ms", row->started_ms);
        jw_ki64(&w, "finished_ms", row->finished_ms);
        const char *sample = "full";
        int64_t from = 0, to = 0, batch = 0;
        json_get_i64(&res, "from_ms", &from);
        json_get_i64(&res, "to_ms", &to);
        json_opt_i64(&res, "batch_id", &batch);
        json_opt_str(&res, "sample", &sample, NULL);
        jw_ki64(&w, "from_ms", from);
        jw_ki64(&w, "to_ms", to);
        jw_kstr(&w, "sample", sample);
        jw_ki64(&w, "batch_id", batch);
        /* The metrics object as stored: the last member of results. */
        const char *mk = strstr(row->results, "\"metrics\":");
        jw_key(&w, "metrics");
        if (mk) {
            const char *ms = mk + strlen("\"metrics\":");
            size_t ml = strlen(ms);
            jw_raw(&w, ms, ml ? ml - 1 : 0); /* without the closing brace of results */
        } else {
            jw_null(&w);
        }
        for (int k = 0; k < (details ? NK : 2); k++) {
            jw_key(&w, kinds[k]);
            if (parts[k].len)
                jw_raw(&w, parts[k].data, parts[k].len);
            else
                jw_null(&w);
        }
        jw_obj_end(&w);
        if (jw_finish(&w))
            rc = WT_EFULL;
    }
    json_doc_free(d);
    for (int k = 0; k < NK; k++)
        buf_release(&parts[k]);
    free(row);
    return rc;
}

int bt_run_each(struct store *st, int (*fn)(void *ctx, const struct backtest_run_row *r), void *ctx)
{
    enum { PAGE = 100 };
    struct backtest_run_row *rows = xcalloc(PAGE, sizeof *rows);
    if (!rows)
        return WT_ENOMEM;
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        struct row_query q = {.after_id = after, .limit = PAGE};
        size_t n = 0;
        if ((rc = store_list_backtest_run(st, &q, rows, &n)))
            break;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = fn(ctx, &rows[i]);
        if (rc || n < PAGE)
            break;
        after = rows[n - 1].id;
    }
    free(rows);
    return rc;
}

struct lister {
    struct store *st;
    struct jw *w;
};

void bt_run_headline_of(struct store *st, const struct backtest_run_row *r,
                        struct bt_run_headline *h)
{
    memset(h, 0, sizeof *h);
    bt_scenario_name_of(st, r->scenario_id, h->scenario, sizeof h->scenario);
    const char *sample = "full";
    struct json_doc *d = json_doc_new(8);
    struct json_val res, m;
    if (json_parse(d, r->results, strlen(r->results), 0, &res) == 0) {
        json_get_i64(&res, "from_ms", &h->from_ms);
        json_get_i64(&res, "to_ms", &h->to_ms);
        json_opt_i64(&res, "batch_id", &h->batch_id);
        json_opt_str(&res, "sample", &sample, NULL);
        if (json_find(&res, "metrics", &m) == 0)
            json_get_double(&m, "return_pct", &h->return_pct);
    }
    snprintf(h->sample, sizeof h->sample, "%s", sample);
    json_doc_free(d);
}

static int list_one(void *ctx, const struct backtest_run_row *r)
{
    struct lister *l = ctx;
    struct bt_run_headline h;
    bt_run_headline_of(l->st, r, &h);
    struct jw *w = l->w;
    jw_obj_begin(w);
    jw_ki64(w, "id", r->id);
    jw_kstr(w, "scenario", h.scenario);
    jw_ki64(w, "from_ms", h.from_ms);
    jw_ki64(w, "to_ms", h.to_ms);
    jw_kstr(w, "sample", h.sample);
    jw_ki64(w, "batch_id", h.batch_id);
    jw_ki64(w, "started_ms", r->started_ms);
    jw_ki64(w, "finished_ms", r->finished_ms);
    jw_kdouble(w, "return_pct", h.return_pct);
    jw_ki64(w, "trades", r->trades);
    jw_kdouble(w, "win_rate", r->win_rate);
    jw_kdouble(w, "max_drawdown_pct", r->max_drawdown);
    jw_kdouble(w, "pnl_sol", r->pnl_sol);
    jw_obj_end(w);
    return 0;
}

int bt_runs_list_json(struct store *st, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_arr_begin(&w);
    struct lister l = {.st = st, .w = &w};
    int rc = bt_run_each(st, list_one, &l);
    jw_arr_end(&w);
    if (jw_finish(&w) && rc == 0)
        rc = WT_EFULL;
    return rc;
}

int bt_scenarios_list_json(struct store *st, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_arr_begin(&w);
    struct bt_scenario sc;
    struct buf p;
    buf_init(&p, 0);
    for (const char *const *b = bt_builtin_names; *b; b++) {
        bt_scenario_builtin(*b, &sc);
        buf_reset(&p);
        bt_scenario_params_json(&sc, &p);
        jw_obj_begin(&w);
        jw_kstr(&w, "name", sc.name);
        jw_kbool(&w, "builtin", true);
        jw_key(&w, "params");
        jw_raw(&w, p.data, p.len);
        jw_obj_end(&w);
    }
    buf_release(&p);
    enum { PAGE = 100 };
    struct backtest_scenario_row *rows = xcalloc(PAGE, sizeof *rows);
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        struct row_query q = {.after_id = after, .limit = PAGE};
        size_t got = 0;
        if ((rc = store_list_scenario(st, &q, rows, &got)))
            break;
        for (size_t i = 0; i < got; i++) {
            if (bt_scenario_builtin(rows[i].name, &sc) == 0)
                continue; /* a preset's row, kept for its runs */
            jw_obj_begin(&w);
            jw_kstr(&w, "name", rows[i].name);
            jw_kbool(&w, "builtin", false);
            jw_key(&w, "params");
            jw_raw(&w, rows[i].params, strlen(rows[i].params));
            jw_obj_end(&w);
        }
        if (got < PAGE)
            break;
        after = rows[got - 1].id;
    }
    free(rows);
    jw_arr_end(&w);
    if (jw_finish(&w) && rc == 0)
        rc = WT_EFULL;
    return rc;
}
