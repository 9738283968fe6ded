/* The exit book over HTTP (FR49-FR51): GET /v1/exits lists the engine's
 * exit strategies with its default and score overrides; PUT
 * /v1/exits/strategies/{name} creates or replaces one, DELETE removes one.
 *
 * A strategy is checked whole (exit_strategy_from_json: every field, no
 * unknown one, the invariants of docs/exits.md) before the engine sees it;
 * the engine then applies it as a command (CMD_EXIT_PUT / CMD_EXIT_DELETE)
 * and may still refuse (a full book, removing the default). Only what the
 * engine accepted is stored, as the setting exits.strategy.<name> with its
 * history, and loaded again at the next start. The default and the
 * overrides are the settings trade.default_strategy and
 * trade.exit_overrides (PUT /v1/config). */
#include "api/routes.h"

#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/str.h"
#include "trade/engine_store.h"
#include "trade/exits.h"
#include "trade/runner.h"

#define STRATEGIES_PREFIX "/v1/exits/strategies/"

/* {"default","overrides":[{"min_score","strategy"}],"strategies":[{...,
 * "builtin","default","override_scores":[...]}]} of the engine's book. */
static void write_book(struct api_ctx *ctx, struct httpd_resp *resp)
{
    struct engine_params p;
    runner_params(ctx->env->runner, &p);
    const struct exit_book *b = &p.book;
    char overrides[EXIT_OVERRIDE_MAX * (EXIT_NAME_MAX + 32)];
    if (exit_overrides_format(b, overrides, sizeof overrides) != 0)
        overrides[0] = '\0';
    struct jw w;
    api_json_begin(&w, resp);
    jw_kstr(&w, "default", b->default_name);
    jw_kstr(&w, "overrides_setting", overrides);
    jw_karr_begin(&w, "overrides");
    for (uint32_t i = 0; i < b->n_overrides; i++) {
        jw_obj_begin(&w);
        jw_kdouble(&w, "min_score", b->overrides[i].min_score);
        jw_kstr(&w, "strategy", b->overrides[i].strategy);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_karr_begin(&w, "strategies");
    for (uint32_t i = 0; i < b->n; i++) {
        const struct exit_strategy *s = &b->s[i];
        /* The strategy's own fields, then what refers to it. */
        jw_obj_begin(&w);
        jw_key(&w, "strategy");
        exit_strategy_write(s, &w);
        jw_kbool(&w, "builtin", exit_strategy_builtin(s->name));
        jw_kbool(&w, "default", strcmp(b->default_name, s->name) == 0);
        jw_karr_begin(&w, "override_scores");
        for (uint32_t k = 0; k < b->n_overrides; k++)
            if (strcmp(b->overrides[k].strategy, s->name) == 0)
                jw_double(&w, b->overrides[k].min_score);
        jw_arr_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_ku64(&w, "capacity", EXIT_BOOK_MAX);
    api_json_end(&w, resp);
}

void routes_exits_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (strcmp(req->path, "/v1/exits") != 0) {
        httpd_resp_error(resp, 404, "no such endpoint: %s (GET /v1/exits)", req->path);
        return;
    }
    if (api_need_runner(ctx, resp))
        write_book(ctx, resp);
}

void routes_exits_strategy(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (strncmp(req->path, STRATEGIES_PREFIX, strlen(STRATEGIES_PREFIX)) != 0) {
        httpd_resp_error(resp, 404,
                         "no such endpoint: %s (PUT or DELETE /v1/exits/strategies/{name})",
                         req->path);
        return;
    }
    const char *name = req->path + strlen(STRATEGIES_PREFIX);
    if (!name[0] || strlen(name) >= EXIT_NAME_MAX || strchr(name, '/')) {
        httpd_resp_error(resp, 404,
                         "expected /v1/exits/strategies/{name}, a name of 1 to %d "
                         "characters",
                         EXIT_NAME_MAX - 1);
        return;
    }
    if (!api_need_runner(ctx, resp))
        return;
    bool put = strcmp(req->method, "PUT") == 0;
    struct command_event c;
    struct exit_strategy s;
    if (put) {
        struct json_val root;
        struct json_doc *d = api_body_object(req, resp, false, &root);
        if (!d)
            return;
        char why[EXIT_ERR_MAX];
        int rc = exit_strategy_from_json(&root, &s, why, sizeof why);
        json_doc_free(d);
        if (rc) {
            httpd_resp_error(resp, 400, "%s", why);
            return;
        }
        if (strcmp(s.name, name) != 0) {
            httpd_resp_error(resp, 400, "name: '%s' differs from the strategy in the path ('%s')",
                             s.name, name);
            return;
        }
        engine_command_exit_put(&c, &s);
    } else {
        memset(&c, 0, sizeof c);
        c.kind = CMD_EXIT_DELETE;
        str_copy(c.name, sizeof c.name, name);
    }
    char msg[256];
    int rc = runner_command(ctx->env->runner, &c, COMMAND_WAIT_MS, msg, sizeof msg);
    if (!api_command_result(resp, rc, msg))
        return;
    /* Applied: keep it for the next start, with its history. */
    if (ctx->env->store) {
        int64_t now = api_now_ms();
        int src = put ? engine_store_exit_put(ctx->env->store, &s, now, "api")
                      : engine_store_exit_delete(ctx->env->store, name, now, "api");
        if (src)
            log_error("api", "exit strategy %s %s but not stored: %s", name,
                      put ? "applied" : "removed", wt_strerror(src));
    }
    log_info("api", "exit strategy %s %s", name, put ? "saved" : "removed");
    write_book(ctx, resp);
}
