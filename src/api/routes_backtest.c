/* Backtests over the API (docs/api.md, "Backtests"): the saved runs and
 * the scenarios, the same JSON as `walltrack backtest ... --json`.
 *
 *   GET    /v1/backtest/runs              every run, oldest first
 *   GET    /v1/backtest/runs/{id}         one run whole (signals, trades, curve, perf)
 *   DELETE /v1/backtest/runs/{id}         a run and its details, in one transaction
 *   GET    /v1/backtest/scenarios         presets and stored scenarios
 *   PUT    /v1/backtest/scenarios/{name}  create or replace: {"params": {"name": "value"}}
 *   GET    /v1/backtests                  the jobs kept in memory, newest first
 *   POST   /v1/backtests                  start a run, batch or grid search: 202 {job}
 *   GET    /v1/backtests/{id}             a job's state and progress (and a grid's result)
 *   DELETE /v1/backtests/{id}             cancel a running job: nothing of it is saved
 *
 * A job's body takes the command's parameters and gets its checks
 * (backtest/request.h): bad input is a 400 naming the problem and starts
 * nothing. Jobs run on their own threads (backtest/jobs.h), at most
 * backtest.max_jobs at once (429 beyond), and announce their state and
 * progress as `backtest` events on GET /v1/stream. Reads run on the HTTP
 * pool threads through the store's read connections. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/routes.h"
#include "backtest/jobs.h"
#include "backtest/request.h"
#include "backtest/runs.h"
#include "backtest/scenario.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"
#include "net/sse.h"

#define RUNS_PREFIX      "/v1/backtest/runs/"
#define SCENARIOS_PREFIX "/v1/backtest/scenarios/"

static bool need_store(struct api_ctx *ctx, struct httpd_resp *resp)
{
    if (ctx->env->store)
        return true;
    httpd_resp_error(resp, 503, "no database");
    return false;
}

/* The id at the end of the path (after prefix), with a store to read it
 * from: false after answering 404 (not an id; what names the thing) or
 * 503. */
static bool path_id(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp,
                    const char *prefix, const char *what, int64_t *id)
{
    if (str_to_i64(req->path + strlen(prefix), id) != 0 || *id <= 0) {
        httpd_resp_error(resp, 404, "expected %s{id}, a %s id", prefix, what);
        return false;
    }
    return need_store(ctx, resp);
}

static void store_error(struct httpd_resp *resp, int rc)
{
    httpd_resp_error(resp, rc == WT_ENOTFOUND ? 404 : 500, "%s",
                     rc == WT_ENOTFOUND ? "no such run" : wt_strerror(rc));
}

/* The answer a function wrote into the body: 200 when rc is 0, else the
 * body dropped and store_error's answer. */
static void answer_written(struct httpd_resp *resp, int rc)
{
    if (rc) {
        buf_reset(&resp->body);
        store_error(resp, rc);
        return;
    }
    resp->status = 200;
}

void routes_backtest_runs(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!need_store(ctx, resp))
        return;
    (void)req;
    answer_written(resp, bt_runs_list_json(ctx->env->store, &resp->body));
}

void routes_backtest_run(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    int64_t id;
    if (!path_id(ctx, req, resp, RUNS_PREFIX, "run", &id))
        return;
    int rc;
    if (strcmp(req->method, "DELETE") == 0) {
        rc = store_backtest_delete(ctx->env->store, id);
        if (rc == 0)
            buf_printf(&resp->body, "{\"deleted\":%" PRId64 "}", id);
    } else {
        rc = bt_run_json(ctx->env->store, id, true, &resp->body);
    }
    answer_written(resp, rc);
}

void routes_backtest_scenarios(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!need_store(ctx, resp))
        return;
    answer_written(resp, bt_scenarios_list_json(ctx->env->store, &resp->body));
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

/* ---- jobs: POST /v1/backtests ------------------------------------------------ */

#define JOBS_PREFIX    "/v1/backtests/"
#define BATCH_MAX      64 /* scenarios of one batch */
#define CANCEL_WAIT_MS 10000

static void jobs_notify(void *ctx, const char *event, const char *data, size_t len)
{
    const struct api_ctx *c = ctx;
    if (c->env->hub)
        sse_hub_publish(c->env->hub, event, data, len);
}

void routes_backtest_jobs_start(struct api_ctx *ctx)
{
    if (ctx->env->store)
        ctx->bt_jobs = bt_jobs_new(ctx->env->store, jobs_notify, ctx);
}

void routes_backtest_jobs_stop(struct api_ctx *ctx)
{
    bt_jobs_free(ctx->bt_jobs);
    ctx->bt_jobs = NULL;
}

static const char *const job_fields[] = {
    "kind",      "from",       "to",           "scenario", "scenarios", "set", "axes",
    "objective", "min_trades", "max_drawdown", "folds",    "in_sample", NULL};

/* Only for some kinds: the field and the kinds ("gb": grid, batch...). */
static const struct {
    const char *field, *kinds;
} field_kinds[] = {
    {"scenario", "rg"},  {"scenarios", "b"},    {"axes", "g"},  {"objective", "g"},
    {"min_trades", "g"}, {"max_drawdown", "g"}, {"folds", "g"}, {"in_sample", "g"},
};

/* An optional string field: 0 (absent: *s NULL), or WT_ETYPE with err. */
static int opt_string(const struct json_val *root, const char *key, const char **s, char *err,
                      size_t n)
{
    struct json_val v;
    *s = NULL;
    if (json_find(root, key, &v) != 0)
        return 0;
    if (json_str(&v, s, NULL) != 0) {
        snprintf(err, n, "%s: expected a string", key);
        return WT_ETYPE;
    }
    return 0;
}

/* An optional number field (def when absent). */
static int opt_number(const struct json_val *root, const char *key, double def, double *x,
                      char *err, size_t n)
{
    struct json_val v;
    *x = def;
    if (json_find(root, key, &v) != 0)
        return 0;
    if (json_double(&v, x) != 0) {
        snprintf(err, n, "%s: expected a number", key);
        return WT_ETYPE;
    }
    return 0;
}

/* The strings of an optional array field, at most max of them, into
 * out[] (pointers into the document); *n their count. */
static int opt_strings(const struct json_val *root, const char *key, const char **out, size_t max,
                       size_t *n, char *err, size_t errsize)
{
    struct json_val arr, v;
    struct json_iter it;
    *n = 0;
    if (json_find(root, key, &arr) != 0)
        return 0;
    if (json_type_of(&arr) != JSON_ARRAY || json_iter_init(&arr, &it) != 0) {
        snprintf(err, errsize, "%s: expected an array of strings", key);
        return WT_ETYPE;
    }
    while (json_iter_next(&it, &v)) {
        if (*n == max) {
            snprintf(err, errsize, "%s: at most %zu", key, max);
            return WT_ERANGE;
        }
        if (json_str(&v, &out[*n], NULL) != 0) {
            snprintf(err, errsize, "%s: expected an array of strings", key);
            return WT_ETYPE;
        }
        (*n)++;
    }
    return 0;
}

/* The body of POST /v1/backtests into a validated request, with the
 * command's own checks (backtest/request.h). Returns 0, or an error with
 * err naming the problem (jr then released). */
static int parse_job(struct api_ctx *ctx, const struct json_val *root, struct bt_job_req *jr,
                     char *err, size_t errsize)
{
    memset(jr, 0, sizeof *jr);
    struct json_iter it;
    struct json_val v;
    json_iter_init(root, &it);
    while (json_iter_next(&it, &v)) {
        bool known = false;
        for (const char *const *f = job_fields; *f && !known; f++)
            known = strlen(*f) == v.keylen && memcmp(*f, v.key, v.keylen) == 0;
        if (!known) {
            snprintf(err, errsize,
                     "unknown field '%.*s' (kind, from, to, scenario, scenarios, set, axes, "
                     "objective, min_trades, max_drawdown, folds, in_sample)",
                     (int)(v.keylen > 64 ? 64 : v.keylen), v.key);
            return WT_EINVAL;
        }
    }
    const char *kind, *from, *to, *scenario, *objective;
    int rc;
    if ((rc = opt_string(root, "kind", &kind, err, errsize)) != 0 ||
        (rc = opt_string(root, "from", &from, err, errsize)) != 0 ||
        (rc = opt_string(root, "to", &to, err, errsize)) != 0 ||
        (rc = opt_string(root, "scenario", &scenario, err, errsize)) != 0 ||
        (rc = opt_string(root, "objective", &objective, err, errsize)) != 0)
        return rc;
    if (!kind || strcmp(kind, "run") == 0) {
        jr->kind = BT_KIND_RUN;
    } else if (strcmp(kind, "batch") == 0) {
        jr->kind = BT_KIND_BATCH;
    } else if (strcmp(kind, "grid") == 0) {
        jr->kind = BT_KIND_GRID;
    } else {
        snprintf(err, errsize, "kind: '%s' is not run, batch or grid", kind);
        return WT_EINVAL;
    }
    char kc = "rbg"[jr->kind];
    for (size_t i = 0; i < sizeof field_kinds / sizeof field_kinds[0]; i++) {
        if (json_find(root, field_kinds[i].field, &v) == 0 && !strchr(field_kinds[i].kinds, kc)) {
            snprintf(err, errsize, "%s: not a field of a %s", field_kinds[i].field,
                     kind ? kind : "run");
            return WT_EINVAL;
        }
    }
    str_copy(jr->from_s, sizeof jr->from_s, from ? from : "");
    str_copy(jr->to_s, sizeof jr->to_s, to ? to : "");
    struct bt_scenario sets;
    memset(&sets, 0, sizeof sets);
    str_copy(sets.name, sizeof sets.name, "--set");
    if (json_find(root, "set", &v) == 0) {
        if (json_type_of(&v) != JSON_OBJECT) {
            snprintf(err, errsize, "set: expected an object of setting name: value");
            return WT_ETYPE;
        }
        char e2[400];
        if ((rc = bt_scenario_params_from(&sets, &v, e2, sizeof e2)) != 0) {
            snprintf(err, errsize, "set: %s", e2);
            return rc;
        }
    }
    const char *names[BATCH_MAX];
    size_t nnames = 0;
    if (jr->kind == BT_KIND_BATCH) {
        if ((rc = opt_strings(root, "scenarios", names, BATCH_MAX, &nnames, err, errsize)) != 0)
            return rc;
        if (nnames == 0) {
            snprintf(err, errsize, "scenarios: a batch needs one or more scenario names");
            return WT_EINVAL;
        }
    } else {
        names[0] = scenario;
        nnames = 1;
    }
    struct config base;
    pthread_mutex_lock(&ctx->cfg_mu);
    config_copy(&base, &ctx->cfg);
    pthread_mutex_unlock(&ctx->cfg_mu);
    jr->preps = xcalloc(nnames, sizeof *jr->preps);
    for (size_t i = 0; i < nnames && rc == 0; i++, jr->n++) {
        rc = bt_prep_validate(ctx->env->store, &base, "", from, to, names[i], &sets, &jr->preps[i],
                              err, errsize);
        jr->preps[i].from_s = jr->from_s; /* from and to live in the document */
        jr->preps[i].to_s = jr->to_s;
    }
    config_release(&base);
    if (rc == 0 && jr->kind == BT_KIND_GRID) {
        const char *axes[BT_AXES_MAX + 1];
        size_t na;
        double min_trades, max_dd, folds;
        bool in_sample = false;
        if ((rc = opt_strings(root, "axes", axes, BT_AXES_MAX + 1, &na, err, errsize)) != 0 ||
            (rc = opt_number(root, "min_trades", 0, &min_trades, err, errsize)) != 0 ||
            (rc = opt_number(root, "max_drawdown", 0, &max_dd, err, errsize)) != 0 ||
            (rc = opt_number(root, "folds", -1, &folds, err, errsize)) != 0)
            return rc;
        if (json_find(root, "in_sample", &v) == 0 && json_bool(&v, &in_sample) != 0) {
            snprintf(err, errsize, "in_sample: expected true or false");
            return WT_ETYPE;
        }
        if (folds == -1 && json_find(root, "folds", &v) == 0)
            folds = 0; /* -1 given: refused like 0 */
        rc = bt_grid_req_parse(axes, na, objective, min_trades, max_dd, folds, in_sample,
                               &jr->preps[0].cfg, "", &jr->grid, err, errsize);
    }
    return rc;
}

void routes_backtest_jobs(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!need_store(ctx, resp))
        return;
    if (strcmp(req->method, "GET") == 0) {
        bt_jobs_list_json(ctx->bt_jobs, &resp->body);
        resp->status = 200;
        return;
    }
    struct json_val root;
    struct json_doc *d = api_body_object(req, resp, false, &root);
    if (!d)
        return;
    struct bt_job_req jr;
    char err[512];
    int rc = parse_job(ctx, &root, &jr, err, sizeof err);
    json_doc_free(d);
    if (rc) {
        bt_job_req_release(&jr);
        httpd_resp_error(resp, 400, "%s", err);
        return;
    }
    pthread_mutex_lock(&ctx->cfg_mu);
    unsigned max = (unsigned)config_int(&ctx->cfg, CFG_BT_MAX_JOBS);
    pthread_mutex_unlock(&ctx->cfg_mu);
    int64_t id;
    rc = bt_jobs_start(ctx->bt_jobs, &jr, max, &id);
    if (rc) {
        bt_job_req_release(&jr);
        if (rc == WT_EBUSY) {
            httpd_resp_header(resp, "Retry-After", "5");
            httpd_resp_error(resp, 429,
                             "%u backtest job%s running already (backtest.max_jobs); wait for "
                             "one to end or cancel it with DELETE /v1/backtests/{id}",
                             max, max == 1 ? " is" : "s are");
        } else {
            httpd_resp_error(resp, 500, "starting the job: %s", wt_strerror(rc));
        }
        return;
    }
    char loc[64];
    snprintf(loc, sizeof loc, JOBS_PREFIX "%" PRId64, id);
    httpd_resp_header(resp, "Location", loc);
    bt_jobs_json(ctx->bt_jobs, id, false, &resp->body);
    resp->status = 202;
}

void routes_backtest_job(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    int64_t id;
    if (!path_id(ctx, req, resp, JOBS_PREFIX, "job", &id))
        return;
    int rc;
    if (strcmp(req->method, "DELETE") == 0) {
        rc = bt_jobs_cancel(ctx->bt_jobs, id, CANCEL_WAIT_MS, &resp->body);
        if (rc == WT_ESTATE) {
            buf_reset(&resp->body);
            httpd_resp_error(resp, 409,
                             "job %" PRId64 " has already ended; its saved runs are deleted "
                             "with DELETE /v1/backtest/runs/{id}",
                             id);
            return;
        }
    } else {
        rc = bt_jobs_json(ctx->bt_jobs, id, true, &resp->body);
    }
    if (rc) {
        buf_reset(&resp->body);
        httpd_resp_error(resp, 404, "no backtest job %" PRId64 " (jobs are forgotten at restart)",
                         id);
        return;
    }
    resp->status = 200;
}
