/* Handlers of the REST API, one routes_<area>.c per area, registered in
 * the route table of api.c. A handler fills resp from req; it runs on an
 * HTTP pool thread and may only use thread-safe state. */
#ifndef WT_API_ROUTES_H
#define WT_API_ROUTES_H

#include <pthread.h>
#include <stdint.h>

#include "api/api.h"
#include "base/config.h"
#include "net/httpd.h"
#include "store/leader.h"

struct bt_jobs;
struct json_doc;
struct json_val;

/* Shared context of every handler: read-only except the live
 * configuration, which PUT /v1/config changes under cfg_mu. */
struct api_ctx {
    const struct api_env *env;
    int64_t start_ns; /* monotonic time the server started */
    pthread_mutex_t cfg_mu;
    struct config cfg;            /* env->cfg plus the live changes since start */
    pthread_mutex_t discovery_mu; /* one POST /v1/discovery/run at a time */
    struct bt_jobs *bt_jobs;      /* POST /v1/backtests; NULL without a store */
};

typedef void (*api_handler_fn)(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* GET /healthz: {"status","version","uptime_s","mode"}; needs no token. */
void routes_healthz(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* GET /v1/config: every setting, secrets masked (only whether set). */
void routes_config_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* PUT /v1/config: live settings, validated, applied, kept with history. */
void routes_config_put(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* The operator API (routes_engine.c, routes_watch.c, routes_stream.c); see
 * docs/api.md, "Operator API". */
void routes_status(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_signals(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_positions(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_position_action(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_trades(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_performance(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_alerts(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_control(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_watchlist(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_watchlist_item(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_blacklist(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_blacklist_item(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_stream(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* The wallet graph's clusters (routes_clusters.c): GET /v1/clusters and
 * GET /v1/clusters/{id}; and the "cluster" and "edges" keys of a wallet's
 * detail, written into an open object. Returns 0 or a store error. */
void routes_clusters(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
struct jw;
struct store;
int routes_clusters_of_wallet(struct jw *w, struct store *st, const char *address);
/* The exit book (routes_exits.c): GET /v1/exits, PUT and DELETE
 * /v1/exits/strategies/{name}. */
void routes_exits_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_exits_strategy(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* Backtests (routes_backtest.c): GET /v1/backtest/runs, GET and DELETE
 * /v1/backtest/runs/{id}, GET /v1/backtest/scenarios, PUT
 * /v1/backtest/scenarios/{name}. */
void routes_backtest_runs(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_backtest_run(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_backtest_scenarios(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_backtest_scenario(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* Backtest jobs (routes_backtest.c): GET and POST /v1/backtests, GET and
 * DELETE /v1/backtests/{id}; and the manager's start and stop (api.c). */
void routes_backtest_jobs(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_backtest_job(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_backtest_jobs_start(struct api_ctx *ctx);
void routes_backtest_jobs_stop(struct api_ctx *ctx);

/* How long a handler waits for the engine to apply its command: the one
 * wait every runner_command() caller passes. */
#define COMMAND_WAIT_MS 5000

/* Helpers of the handlers (api.c). */

/* The wall clock, Unix ms. */
int64_t api_now_ms(void);

/* An integer query argument: def when absent; 400 naming it and false when
 * it is not an integer in [min, max]. */
bool api_query_i64(struct httpd_req *req, struct httpd_resp *resp, const char *name, int64_t def,
                   int64_t min, int64_t max, int64_t *out);
/* Parses the request body as a JSON object (an empty body is {} when
 * allow_empty). Returns the doc (free it) and the root, or NULL after
 * answering 400. */
struct json_doc *api_body_object(struct httpd_req *req, struct httpd_resp *resp, bool allow_empty,
                                 struct json_val *root);
/* 400 with the body {"error": msg, "parameter": param}: a query argument
 * the route cannot use (the smart-money API's error shape). */
void api_param_error(struct httpd_resp *resp, const char *param, const char *msg);
/* An integer argument of the smart-money routes: v is its text (NULL when
 * absent: *out = def); outside [lo, hi] or not an integer, 400 with
 * "<name> must be an integer from lo to hi, got '<v>'" (api_param_error)
 * and false. */
bool api_int_arg(struct httpd_resp *resp, const char *name, const char *v, int64_t lo, int64_t hi,
                 int64_t def, int64_t *out);
/* Logs rc under `what` (the route family) and answers 503 "the database is
 * unavailable, retry later": the client may retry; the log says why. */
void api_store_unavailable(struct httpd_resp *resp, const char *what, int rc);
struct jw;
/* The list responses: api_list_begin starts {"<key>": [ in resp's body
 * (the caller writes the items), and one of the ends closes it:
 * api_list_end_page adds "pagination": {"page", "limit", "total"} (page
 * numbers), api_list_end_cursor adds "next_before": last_id when the page
 * is full (n == limit; last_id is the id of its last row), else null (id
 * cursors, newest first). Any handler thread. */
void api_list_begin(struct jw *w, struct httpd_resp *resp, const char *key);
void api_list_end_page(struct jw *w, uint64_t page, uint64_t limit, int64_t total);
void api_list_end_cursor(struct jw *w, size_t n, int64_t limit, int64_t last_id);
/* Finishes w: 200, or 500 "response too large" when it overflowed. */
void api_finish(struct jw *w, struct httpd_resp *resp);
/* An object answer: api_json_begin starts w on resp's body and opens the
 * object; api_json_end closes it and finishes as api_finish. */
void api_json_begin(struct jw *w, struct httpd_resp *resp);
void api_json_end(struct jw *w, struct httpd_resp *resp);
/* 503 when the engine is not running; returns whether it is. */
bool api_need_runner(struct api_ctx *ctx, struct httpd_resp *resp);
/* This node's role among several on one PostgreSQL (store/leader.h);
 * role LEADER_SINGLE without a cluster. */
void api_cluster_status(struct api_ctx *ctx, struct leader_status *out);
/* Answers a runner_command result: 200 with the body the caller wrote
 * (status 0), or 400/404/409/503/504 with the message. Returns rc == 0. */
bool api_command_result(struct httpd_resp *resp, int rc, const char *msg);

/* POST /v1/reload: env->reload's report (200), or 503 without one. */
void routes_reload(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* GET /metrics: counters in Prometheus text format. */
/* The metrics beyond ingest (routes_metrics.c): the engine, breakers,
 * latency histograms, external calls, outages, database size. Appends to
 * out; returns 0 or the buf error. */
int routes_metrics_service(struct api_ctx *ctx, struct buf *out);
void routes_metrics(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* POST /webhooks/helius: a Helius delivery (auth checked before). Answers
 * 200 only after the events are durable; 400 for a body that is not a
 * Helius payload (nothing stored); 503 when storing failed (Helius
 * retries). */
void routes_webhook_helius(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* GET /, /index.html and /app/…: the dashboard's files from api_web_dir()
 * (web.dir, else the installed or build-staged copy). GET /vendor/…: the
 * whitelisted npm files from <that folder>/vendor/, or web.modules_dir
 * when set.
 * 404 for anything else, including any path with "..", a hidden segment or
 * a byte outside [A-Za-z0-9._/-]; no token needed. */
void routes_static_web(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_static_vendor(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* Whether rel (a path relative to a served folder) is safe to serve: 0,
 * or WT_EINVAL. Pure; any thread. */
int routes_static_path_ok(const char *rel);
/* The Content-Type for a file name by extension, or NULL (not served). */
const char *routes_static_type(const char *path);
/* GET /v1/smart-money/wallets: the smart-money spec's list (chains,
 * minScore, verified, walletType, sortBy, sortOrder, page, limit). */
void routes_wallets_list(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* GET /v1/smart-money/wallets/{address}[/trades|/performance|/patterns]. */
void routes_wallets_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* POST /v1/smart-money/wallets/{address}/watch|unwatch|verify|blacklist. */
void routes_wallets_post(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* PUT /v1/smart-money/wallets/{address}/name with {"name", "walletType"?}. */
void routes_wallets_put(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* GET /v1/openapi.json: docs/openapi.json, embedded at build time. */
void routes_openapi(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

/* POST /v1/alerts/{id}/ack: {"id", "acked_ms"}; 404 for an unknown id. */
void routes_alert_ack(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* GET /v1/config/history[?name=&limit=]: {"changes": [{"name", "old_value",
 * "value", "ts_ms", "actor"}]} newest first, over the live-editable
 * settings or the one named. */
void routes_config_history(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* GET /v1/wallet: {"configured", "pubkey", "balance_sol", "mode",
 * "detail"}; the public key only, never the secret. */
void routes_wallet_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
/* POST /v1/discovery/run: a discovery run now, then the engine's watchlist
 * synced; {"watchlist", "candidates", "added", "ms"}. */
void routes_discovery_run(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);
void routes_discovery_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp);

#endif
