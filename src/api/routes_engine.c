/* The operator API over the trading engine: status, signals, positions,
 * trades, performance, alerts and the controls (pause, resume, breaker
 * reset, a position's strategy, a manual close). Shapes in docs/api.md,
 * "Operator API".
 *
 * Reads of the engine's live state come from its published snapshot
 * (trade/runner.h), never from the engine itself; history (signals,
 * trades, alerts, performance) comes from the store's read connections.
 * Controls are commands to the engine: the handler waits until the engine
 * has applied the command and published the snapshot that shows it, so
 * the response (and any later GET) reflects the change. */
#include "api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/snap_json.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "ingest/hooksync.h"
#include "market/tokenfeed.h"
#include "store/store.h"
#include "trade/engine_store.h"
#include "trade/perf.h"
#include "trade/runner.h"

/* ---- status ------------------------------------------------------------------ */

static void input(struct jw *w, const char *name, const char *status, const char *detail)
{
    jw_kobj_begin(w, name);
    jw_kstr(w, "status", status);
    jw_kstr(w, "detail", detail);
    jw_obj_end(w);
}

/* inputs.dexscreener: the token feed's health, or why there is none. */
static void write_dexscreener(struct api_ctx *ctx, struct jw *w)
{
    struct tokenfeed *f = ctx->env->tokenfeed;
    if (!f) {
        input(w, "dexscreener", "not configured",
              "dexscreener.api_url is empty: token facts (liquidity, market cap, age) are "
              "implied from observed swaps");
        return;
    }
    struct tokenfeed_health h;
    tokenfeed_health(f, &h);
    char detail[400];
    enum tokenfeed_state st = tokenfeed_state(&h, api_now_ms(), detail, sizeof detail);
    jw_kobj_begin(w, "dexscreener");
    jw_kstr(w, "status", tokenfeed_state_name(st));
    jw_kstr(w, "detail", detail);
    jw_ku64(w, "requested", h.requested);
    jw_ku64(w, "lookups", h.lookups);
    jw_ku64(w, "posted", h.posted);
    jw_ku64(w, "not_listed", h.not_listed);
    jw_ku64(w, "failures", h.failures);
    jw_ku64(w, "stale", h.stale);
    jw_ku64(w, "dropped", h.dropped);
    jw_ku64(w, "rate_limited", h.dex.limited);
    jw_ki64(w, "last_ok_ms", h.last_ok_ms);
    jw_ki64(w, "last_failure_ms", h.last_failure_ms);
    jw_obj_end(w);
}

/* The status: the engine's published fields, then the server's. */
/* The Helius webhook's registration against the watchlist
 * (ingest/hooksync.h): registered vs watched, and why a sync failed. */
static void write_hooksync(struct api_ctx *ctx, struct jw *w)
{
    jw_kobj_begin(w, "helius_webhook");
    if (!ctx->env->hooksync) {
        jw_kstr(w, "status", "off");
        jw_kstr(w, "detail",
                "the webhook's addresses are not managed (needs helius.api_key, "
                "helius.webhook_url and helius.webhook_sync)");
        jw_obj_end(w);
        return;
    }
    struct hooksync_status s;
    hooksync_status(ctx->env->hooksync, &s);
    jw_kstr(w, "status",
            s.standby   ? "standby"
            : !s.ran    ? "pending"
            : s.in_sync ? "in_sync"
                        : "failing");
    jw_ku64(w, "watched", s.watched);
    jw_ku64(w, "registered", s.registered);
    jw_kstr(w, "webhook_id", s.webhook_id);
    jw_ki64(w, "last_run_ms", s.last_run_ms);
    jw_ki64(w, "last_ok_ms", s.last_ok_ms);
    jw_ku64(w, "runs", s.runs);
    jw_ku64(w, "failures", s.failures);
    jw_ku64(w, "updates", s.updates);
    jw_ku64(w, "requests", s.requests);
    if (s.error[0])
        jw_kstr(w, "error", s.error);
    jw_obj_end(w);
}

/* warmup: the engine's warm-up, in the background or not. */
static void write_warmup(struct jw *w, const struct runner_health *h)
{
    jw_kobj_begin(w, "warmup");
    const char *state = h->warm_failed ? "failed"
                        : h->warming   ? (h->warm_held ? "held" : "warming")
                                       : "done";
    jw_kstr(w, "state", state);
    jw_kbool(w, "background", h->warm_started_ms != 0);
    jw_ku64(w, "swaps_replayed", h->warm_done);
    jw_ku64(w, "swaps_total", h->warming || h->warm_started_ms ? h->warm_total : h->warm_done);
    jw_ki64(w, "fence_id", h->warm_fence);
    jw_ki64(w, "started_ms", h->warm_started_ms);
    jw_ki64(w, "ended_ms", h->warming ? 0 : h->warm_ended_ms);
    jw_ku64(w, "backlog", h->backlog);
    jw_ku64(w, "backlog_high", h->backlog_high);
    jw_ku64(w, "backlog_replayed", h->backlog_replayed);
    if (h->warm_failed)
        jw_kstr(w, "error", h->warm_error);
    jw_obj_end(w);
}

static void write_status(struct api_ctx *ctx, struct buf *out)
{
    struct runner *r = ctx->env->runner;
    const struct runner_snap *s = runner_snapshot(r);
    struct runner_health h;
    runner_health(r, &h);
    /* The engine's object without its closing brace, then ours. The
     * snapshot is released at once: nothing of it is read after this. */
    struct buf eb;
    buf_init(&eb, 0);
    struct jw ew;
    jw_init(&ew, &eb);
    snap_json_status(&ew, s);
    int64_t published_ms = s->published_ms;
    runner_snapshot_release(r, s);
    if (jw_finish(&ew) == 0 && eb.len > 0)
        buf_append(out, eb.data, eb.len - 1);
    else
        buf_puts(out, "{\"engine\":null");
    buf_release(&eb);
    size_t brace_at = out->len;
    int64_t now = api_now_ms();
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w); /* a throwaway level so keys can follow the raw object */
    jw_kstr(&w, "version", WT_VERSION);
    jw_ki64(&w, "uptime_s", (clock_mono_ns() - ctx->start_ns) / NS_PER_SECOND);
    jw_ki64(&w, "published_ms", published_ms);
    jw_kobj_begin(&w, "inputs");
    jw_kobj_begin(&w, "webhook");
    const char *st = "no events yet";
    if (!ctx->env->inbox)
        st = "disabled";
    else if (h.webhook_last_wall_ms && now - h.webhook_last_wall_ms <= 600000)
        st = "ok";
    else if (h.webhook_last_wall_ms)
        st = "idle";
    jw_kstr(&w, "status", st);
    jw_kbool(&w, "secret_configured", config_str(ctx->env->cfg, CFG_WEBHOOK_SECRET)[0] != '\0');
    jw_ki64(&w, "last_event_ms", h.webhook_last_event_ms);
    jw_ki64(&w, "last_received_ms", h.webhook_last_wall_ms);
    jw_ku64(&w, "events", h.webhook_events);
    jw_ku64(&w, "duplicates", h.webhook_duplicates);
    jw_obj_end(&w);
    /* What each outside service does in this daemon, from its settings. */
    bool live = strcmp(ctx->env->mode, "live") == 0;
    bool rpc = config_str(ctx->env->cfg, CFG_RPC_URLS)[0] != '\0';
    if (rpc)
        input(&w, "rpc", "configured",
              live ? "polling fallback for a silent webhook, and live swaps (send, confirm)"
                   : "polling fallback for a silent webhook");
    else
        input(&w, "rpc", "not configured",
              "set rpc.urls for the polling fallback and live trading");
    write_dexscreener(ctx, &w);
    write_hooksync(ctx, &w);
    input(&w, "jupiter", live ? "configured" : "not used",
          live ? "quotes and swap transactions of the live executor"
               : "paper trading fills from observed prices; Jupiter is used only in live mode");
    jw_obj_end(&w);
    jw_kobj_begin(&w, "queue");
    jw_ku64(&w, "queued", h.queued);
    jw_ku64(&w, "high_water", h.queue_high);
    jw_ku64(&w, "capacity", h.queue_cap);
    jw_ku64(&w, "handled", h.handled);
    jw_ki64(&w, "last_batch_ms", h.last_batch_wall_ms);
    jw_obj_end(&w);
    if (ctx->env->store != NULL) {
        /* The store as the webhook sees it: the outcome of its last write. */
        struct store_health sh;
        (void)store_health(ctx->env->store, &sh);
        jw_kobj_begin(&w, "store");
        jw_kstr(&w, "status", sh.ok ? "ok" : "failing");
        jw_kstr(&w, "backend", store_backend(ctx->env->store));
        jw_kbool(&w, "reachable", sh.reachable);
        jw_ki64(&w, "last_commit_ms", sh.last_commit_ms);
        jw_ki64(&w, "last_failure_ms", sh.last_failure_ms);
        if (!sh.ok)
            jw_kstr(&w, "error", sh.error);
        jw_obj_end(&w);
    }
    /* Several daemons on one PostgreSQL: who trades (store/leader.h). */
    struct leader_status ls;
    api_cluster_status(ctx, &ls);
    jw_kobj_begin(&w, "cluster");
    jw_kstr(&w, "role", leader_role_name(ls.role));
    if (ls.role != LEADER_SINGLE) {
        jw_kstr(&w, "node_id", ls.node_id);
        jw_kstr(&w, "leader", ls.leader_id);
        jw_ki64(&w, "since_ms", ls.since_ms);
        jw_ku64(&w, "promotions", ls.promotions);
        jw_ku64(&w, "demotions", ls.demotions);
        jw_ku64(&w, "forwarded", ls.sent);
        jw_ku64(&w, "received", ls.received);
        jw_ku64(&w, "forward_dropped", ls.dropped);
        if (ls.error[0])
            jw_kstr(&w, "error", ls.error);
    }
    jw_obj_end(&w);
    jw_kobj_begin(&w, "restore");
    jw_kbool(&w, "state_found", h.restore.state_found);
    jw_ku64(&w, "positions", h.restore.positions);
    jw_ku64(&w, "trades", h.restore.trades);
    jw_ku64(&w, "orders_cancelled", h.restore.orders_cancelled);
    jw_ku64(&w, "swaps_warmed", h.restore.swaps_warmed);
    jw_obj_end(&w);
    write_warmup(&w, &h);
    jw_obj_end(&w);
    jw_finish(&w);
    /* Splice: drop the throwaway object's opening brace, join with a comma. */
    out->data[brace_at] = ',';
}

void routes_status(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!ctx->env->runner) { /* a standby answers too: its role and the leader */
        httpd_resp_error(resp, 503, "the trading engine is not running");
        return;
    }
    write_status(ctx, &resp->body);
    resp->status = 200;
}

/* ---- controls ------------------------------------------------------------------ */

static void command_and_status(struct api_ctx *ctx, struct httpd_resp *resp,
                               const struct command_event *c)
{
    char msg[256];
    int rc = runner_command(ctx->env->runner, c, COMMAND_WAIT_MS, msg, sizeof msg);
    if (!api_command_result(resp, rc, msg))
        return;
    write_status(ctx, &resp->body);
    resp->status = 200;
}

void routes_control(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!api_need_runner(ctx, resp))
        return;
    const char *what = req->path + strlen("/v1/control/");
    struct json_val root;
    struct json_doc *d = api_body_object(req, resp, true, &root);
    if (!d)
        return;
    struct command_event c;
    memset(&c, 0, sizeof c);
    const char *s;
    size_t len;
    if (strcmp(what, "pause") == 0) {
        c.kind = CMD_PAUSE;
        if (json_opt_str(&root, "reason", &s, &len) == 0)
            str_copy(c.text, sizeof c.text, s);
    } else if (strcmp(what, "resume") == 0) {
        c.kind = CMD_RESUME;
    } else if (strcmp(what, "breakers/reset") == 0) {
        c.kind = CMD_BREAKER_RESET;
        if (json_opt_str(&root, "breaker", &s, &len) == 0)
            if (str_copy(c.text, sizeof c.text, s) != 0)
                c.text[0] = '?';
    } else {
        httpd_resp_error(resp, 404, "no such control: %s (pause, resume, breakers/reset)", what);
        json_doc_free(d);
        return;
    }
    json_doc_free(d);
    command_and_status(ctx, resp, &c);
}

/* POST /v1/positions/{id}/close, PUT /v1/positions/{id}/strategy. */
void routes_position_action(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!api_need_runner(ctx, resp))
        return;
    const char *p = req->path + strlen("/v1/positions/");
    const char *slash = strchr(p, '/');
    int64_t id;
    if (!slash || str_to_i64_n(p, (size_t)(slash - p), &id) != 0 || id <= 0) {
        httpd_resp_error(resp, 404, "expected /v1/positions/<id>/close or /strategy");
        return;
    }
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.id = (uint64_t)id;
    if (strcmp(slash, "/close") == 0 && strcmp(req->method, "POST") == 0) {
        c.kind = CMD_CLOSE_POSITION;
    } else if (strcmp(slash, "/strategy") == 0 && strcmp(req->method, "PUT") == 0) {
        struct json_val root;
        struct json_doc *d = api_body_object(req, resp, false, &root);
        if (!d)
            return;
        const char *s;
        size_t len;
        if (json_get_str(&root, "strategy", &s, &len) != 0 ||
            str_copy(c.name, sizeof c.name, s) != 0) {
            httpd_resp_error(resp, 400, "expected {\"strategy\": \"<name>\"}");
            json_doc_free(d);
            return;
        }
        json_doc_free(d);
        c.kind = CMD_SET_STRATEGY;
    } else {
        httpd_resp_error(resp, 404, "expected POST .../close or PUT .../strategy");
        return;
    }
    char msg[256];
    int rc = runner_command(ctx->env->runner, &c, COMMAND_WAIT_MS, msg, sizeof msg);
    if (!api_command_result(resp, rc, msg))
        return;
    routes_positions(ctx, req, resp);
}

/* ---- positions -------------------------------------------------------------------- */

void routes_positions(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!api_need_runner(ctx, resp))
        return;
    const struct runner_snap *s = runner_snapshot(ctx->env->runner);
    struct jw w;
    api_json_begin(&w, resp);
    jw_kstr(&w, "mode", ctx->env->mode);
    jw_ki64(&w, "published_ms", s->published_ms);
    jw_key(&w, "positions");
    snap_json_positions(&w, s);
    jw_obj_end(&w);
    runner_snapshot_release(ctx->env->runner, s);
    api_finish(&w, resp);
}

/* ---- history ------------------------------------------------------------------------ */

static bool need_store(struct api_ctx *ctx, struct httpd_resp *resp)
{
    if (ctx->env->store)
        return true;
    httpd_resp_error(resp, 503, "no database");
    return false;
}

/* A JSON column written as a value (an object), or null when empty. */
static void raw_json(struct jw *w, const char *key, const char *text)
{
    jw_key(w, key);
    if (text[0] == '{' || text[0] == '[')
        jw_raw(w, text, strlen(text));
    else
        jw_null(w);
}

static const char *opt_text(struct httpd_req *req, const char *name)
{
    const char *v = httpd_query(req, name);
    return v && v[0] ? v : NULL;
}

/* The id-cursor paging of the history lists: limit (1 to 1000, default
 * 100), before (an id; 0, the default: from the newest) and, unless since
 * is NULL, since (Unix ms, default 0). false after answering 400. */
static bool cursor_params(struct httpd_req *req, struct httpd_resp *resp, int64_t *limit,
                          int64_t *since, int64_t *before)
{
    return api_query_i64(req, resp, "limit", 100, 1, 1000, limit) &&
           (!since || api_query_i64(req, resp, "since", 0, 0, INT64_MAX, since)) &&
           api_query_i64(req, resp, "before", 0, 0, INT64_MAX, before);
}

/* Whether a history read (rc) succeeded; if not, frees rows and answers
 * 500 "reading the <what> failed". */
static bool read_ok(struct httpd_resp *resp, int rc, void *rows, const char *what)
{
    if (rc == 0)
        return true;
    free(rows);
    httpd_resp_error(resp, 500, "reading the %s failed: %s", what, wt_strerror(rc));
    return false;
}

void routes_signals(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!need_store(ctx, resp))
        return;
    int64_t limit, since, before;
    if (!cursor_params(req, resp, &limit, &since, &before))
        return;
    struct signal_query q = {
        .wallet = opt_text(req, "wallet"),
        .decision = opt_text(req, "decision"),
        .reason = opt_text(req, "reason"),
        .mode = opt_text(req, "mode"),
        .since_ms = since,
        .before_id = before,
        .limit = (uint32_t)limit,
    };
    if (q.decision && strcmp(q.decision, "trade") != 0 && strcmp(q.decision, "skip") != 0 &&
        strcmp(q.decision, "blocked") != 0) {
        httpd_resp_error(resp, 400, "decision: expected trade, skip or blocked");
        return;
    }
    enum signal_reason sr;
    if (q.reason && signal_reason_parse(q.reason, &sr) != 0) {
        httpd_resp_error(resp, 400, "reason: '%s' is not a signal reason", q.reason);
        return;
    }
    struct signal_row *rows = xcalloc((size_t)limit, sizeof *rows);
    size_t n = 0;
    int rc = store_signals_query(ctx->env->store, &q, rows, &n);
    if (!read_ok(resp, rc, rows, "signals"))
        return;
    struct jw w;
    api_list_begin(&w, resp, "signals");
    for (size_t i = 0; i < n; i++) {
        const struct signal_row *r = &rows[i];
        jw_obj_begin(&w);
        jw_ki64(&w, "id", r->id);
        jw_ki64(&w, "ts_ms", r->ts_ms);
        jw_kstr(&w, "mode", r->mode);
        jw_kstr(&w, "wallet", r->wallet);
        jw_kstr(&w, "mint", r->mint);
        jw_kstr(&w, "swap_sig", r->swap_sig);
        jw_kdouble(&w, "score", r->score);
        jw_kobj_begin(&w, "factors");
        jw_kdouble(&w, "wallet", r->wallet_factor);
        jw_kdouble(&w, "cluster", r->cluster_factor);
        jw_kdouble(&w, "token", r->token_factor);
        jw_kdouble(&w, "context", r->context_factor);
        jw_obj_end(&w);
        jw_kstr(&w, "decision", r->decision);
        jw_kstr(&w, "reason", r->reason);
        raw_json(&w, "details", r->factors);
        jw_obj_end(&w);
    }
    api_list_end_cursor(&w, n, limit, n ? rows[n - 1].id : 0);
    free(rows);
    api_finish(&w, resp);
}

void routes_trades(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!need_store(ctx, resp))
        return;
    int64_t limit, since, before;
    if (!cursor_params(req, resp, &limit, &since, &before))
        return;
    struct trade_query q = {
        .mode = opt_text(req, "mode") ? opt_text(req, "mode") : ctx->env->mode,
        .wallet = opt_text(req, "wallet"),
        .since_ms = since,
        .before_id = before,
        .limit = (uint32_t)limit,
    };
    struct closed_trade_row *rows = xcalloc((size_t)limit, sizeof *rows);
    size_t n = 0;
    int rc = store_closed_trades_query(ctx->env->store, &q, rows, &n);
    if (!read_ok(resp, rc, rows, "trades"))
        return;
    struct jw w;
    api_list_begin(&w, resp, "trades");
    for (size_t i = 0; i < n; i++) {
        const struct closed_trade_row *r = &rows[i];
        jw_obj_begin(&w);
        jw_ki64(&w, "id", r->id);
        jw_kstr(&w, "mode", r->mode);
        jw_ki64(&w, "position_id", r->position_id);
        jw_ki64(&w, "signal_id", r->signal_id);
        jw_kstr(&w, "mint", r->mint);
        jw_kstr(&w, "wallet", r->wallet);
        jw_kstr(&w, "strategy", r->strategy);
        jw_ki64(&w, "opened_ms", r->opened_ms);
        jw_ki64(&w, "closed_ms", r->closed_ms);
        jw_ki64(&w, "duration_ms", r->closed_ms - r->opened_ms);
        jw_kdouble(&w, "entry_price_sol", r->entry_price_sol);
        jw_kdouble(&w, "exit_price_sol", r->exit_price_sol);
        jw_ku64(&w, "cost_lamports", r->entry_lamports);
        jw_ku64(&w, "proceeds_lamports", r->exit_lamports);
        jw_kdouble(&w, "pnl_sol", r->pnl_sol);
        jw_kdouble(&w, "pnl_pct", r->pnl_pct);
        jw_kstr(&w, "exit_reason", r->exit_reason);
        jw_kdouble(&w, "score", r->score);
        raw_json(&w, "factors", r->factors);
        jw_obj_end(&w);
    }
    api_list_end_cursor(&w, n, limit, n ? rows[n - 1].id : 0);
    free(rows);
    api_finish(&w, resp);
}

static int add_trade(void *ctx, const struct closed_trade_row *r)
{
    struct perf_trade t;
    perf_trade_from_row(r, &t);
    perf_add(ctx, &t);
    return 0;
}

/* The equity now and the engine's clock, from the snapshot (-1 when it
 * cannot be read; *now_ms keeps its value then). The engine's clock is the
 * time of its newest event: the market's time, ahead of the wall clock on
 * a simulated market. */
static double equity_now(struct runner *r, int64_t *now_ms)
{
    const struct runner_snap *s = runner_snapshot(r);
    double x = (double)s->status.equity_lamports / 1e9;
    if (s->status.now_ms > 0)
        *now_ms = s->status.now_ms;
    runner_snapshot_release(r, s);
    return x;
}

void routes_performance(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!need_store(ctx, resp) || !api_need_runner(ctx, resp))
        return;
    int64_t since, points;
    if (!api_query_i64(req, resp, "since", 0, 0, INT64_MAX, &since) ||
        !api_query_i64(req, resp, "points", 500, 2, 100000, &points))
        return;
    struct engine_params p;
    runner_params(ctx->env->runner, &p);
    struct perf *pf = perf_new((double)p.capital_lamports / 1e9);
    int rc = store_closed_trades_scan(ctx->env->store, ctx->env->mode, since, add_trade, pf);
    if (rc) {
        perf_free(pf);
        httpd_resp_error(resp, 500, "reading the trades failed: %s", wt_strerror(rc));
        return;
    }
    /* The mark-to-market samples, then the equity now as the last one. */
    rc = engine_store_marks_load(ctx->env->store, ctx->env->mode, since, pf);
    if (rc) {
        perf_free(pf);
        httpd_resp_error(resp, 500, "reading the equity marks failed: %s", wt_strerror(rc));
        return;
    }
    int64_t now = api_now_ms();
    double eq_now = since ? -1 : equity_now(ctx->env->runner, &now);
    if (eq_now >= 0)
        perf_mark(pf, now, eq_now);
    struct jw w;
    api_json_begin(&w, resp);
    jw_kstr(&w, "mode", ctx->env->mode);
    jw_ki64(&w, "since_ms", since);
    jw_key(&w, "performance");
    perf_write(pf, eq_now, now, (unsigned)points, &w);
    jw_obj_end(&w);
    perf_free(pf);
    api_finish(&w, resp);
}

void routes_alerts(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!need_store(ctx, resp))
        return;
    int64_t limit, before;
    if (!cursor_params(req, resp, &limit, NULL, &before))
        return;
    struct alert_row *rows = xcalloc((size_t)limit, sizeof *rows);
    size_t n = 0;
    int rc = store_alerts_recent(ctx->env->store, opt_text(req, "kind"), before, (uint32_t)limit,
                                 rows, &n);
    if (!read_ok(resp, rc, rows, "alerts"))
        return;
    struct jw w;
    api_list_begin(&w, resp, "alerts");
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(&w);
        jw_ki64(&w, "id", rows[i].id);
        jw_ki64(&w, "ts_ms", rows[i].ts_ms);
        jw_kstr(&w, "kind", rows[i].kind);
        jw_kstr(&w, "severity", rows[i].severity);
        jw_kstr(&w, "mode", rows[i].mode);
        jw_kstr(&w, "message", rows[i].message);
        raw_json(&w, "data", rows[i].data);
        jw_ki64(&w, "acked_ms", rows[i].acked_ms);
        jw_obj_end(&w);
    }
    api_list_end_cursor(&w, n, limit, n ? rows[n - 1].id : 0);
    free(rows);
    api_finish(&w, resp);
}
