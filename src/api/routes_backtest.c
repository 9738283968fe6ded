/* Backtests over the API (docs/api.md, "Backtests"): the saved runs and
 * the scenarios, the same JSON as `walltrack backtest ... --json`.
 *
 *   GET    /v1/backtest/runs              every run, oldest first
 *   GET    /v1/backtest/runs/{id}         one run whole (signals, trades, curve, perf)
 *   DELETE /v1/backtest/runs/{id}         a run and its details, in one transaction
 *   GET    /v1/backtest/scenarios         presets and stored scenarios
 *   PUT    /v1/backtest/scenarios/{name}  create or replace: {"params": {"name": "value"}}
 *
 * Runs are started from the CLI; starting them here, with progress and
 * cancellation, is planned. Read on the HTTP pool threads through the
 * store's read connections. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/routes.h"
#include "backtest/runs.h"
#include "backtest/scenario.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"

#define RUNS_PREFIX      "/v1/backtest/runs/"
#define SCENARIOS_PREFIX "/v1/backtest/scenarios/"

static bool need_store(struct api_ctx *ctx, struct httpd_resp *resp)
{
    if (ctx->env->store)
        return true;
    httpd_resp_error(resp, 503, "no database");
    return false;
}

static void store_error(struct httpd_resp *resp, int rc)
{
    httpd_resp_error(resp, rc == WT_ENOTFOUND ? 404 : 500, "%s",
                     rc == WT_ENOTFOUND ? "no such run" : wt_strerror(rc));
}

void routes_backtest_runs(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!need_store(ctx, resp))
        return;
    int rc = bt_runs_list_json(ctx->env->store, &resp->body);
    if (rc) {
        buf_reset(&resp->body);
        store_error(resp, rc);
        return;
    }
    (void)req;
    resp->status = 200;
}

void routes_backtest_run(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    const char *idtext = req->path + strlen(RUNS_PREFIX);
    int64_t id;
    if (str_to_i64(idtext, &id) != 0 || id <= 0) {
        httpd_resp_error(resp, 404, "expected /v1/backtest/runs/{id}, a run id");
        return;
    }
    if (!need_store(ctx, resp))
        return;
    int rc;
    if (strcmp(req->method, "DELETE") == 0) {
        rc = store_backtest_delete(ctx->env->store, id);
        if (rc == 0)
            buf_printf(&resp->body, "{\"deleted\":%" PRId64 "}", id);
    } else {
        rc = bt_run_json(ctx->env->store, id, true, &resp->body);
    }
    if (rc) {
        buf_reset(&resp->body);
        store_error(resp, rc);
        return;
    }
    resp->status = 200;
}

void routes_backtest_scenarios(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!need_store(ctx, resp))
        return;
    int rc = bt_scenarios_list_json(ctx->env->store, &resp->body);
    if (rc) {
        buf_reset(&resp->body);
        store_error(resp, rc);
        return;
    }
    resp->status = 200;
}

void routes_backtest_scenario(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    const char *name = req->path + strlen(SCENARIOS_PREFIX);
    if (!bt_name_valid(name)) {
        httpd_resp_error(resp, 404,
                         "expected /v1/backtest/scenarios/{name}, 1 to 63 of a-z 0-9 _ - .");
        return;
    }
    struct bt_scenario sc;
    if (bt_scenario_builtin(name, &sc) == 0) {
        httpd_resp_error(resp, 400, "'%s' is built in and read-only; copy it under another name",
                         name);
        return;
    }
    if (!need_store(ctx, resp))
        return;
    struct json_val root, params;
    struct json_doc *d = api_body_object(req, resp, false, &root);
    if (!d)
        return;
    memset(&sc, 0, sizeof sc);
    str_copy(sc.name, sizeof sc.name, name);
    char err[512];
    struct buf b;
    buf_init(&b, 0);
    if (json_find(&root, "params", &params) != 0) {
        httpd_resp_error(resp, 400, "params: required, an object of setting name: value");
        goto out;
    }
    if (bt_scenario_params_from(&sc, &params, err, sizeof err) != 0) {
        httpd_resp_error(resp, 400, "params: %s", err);
        goto out;
    }
    int rc = bt_scenario_save(ctx->env->store, &sc, api_now_ms(), NULL);
    if (rc) {
        httpd_resp_error(resp, 500, "saving the scenario: %s", wt_strerror(rc));
        goto out;
    }
    bt_scenario_params_json(&sc, &b);
    buf_printf(&resp->body, "{\"name\":\"%s\",\"builtin\":false,\"params\":%s}", sc.name, b.data);
    resp->status = 200;
out:
    buf_release(&b);
    json_doc_free(d);
}
