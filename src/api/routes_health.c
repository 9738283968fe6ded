/* GET /healthz and POST /v1/reload.
 *
 * GET /healthz: liveness for load balancers, scripts and the dashboard.
 * 200 {"status":"ok"} while the store is healthy; 503 {"status":
 * "unhealthy"} with the store's last failure (store_health) while it cannot
 * be reached, its last write failed, or (SQLite) its database file was
 * deleted or replaced under the daemon. */
#include "api/routes.h"

#include <stdio.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "store/store.h"

void routes_healthz(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    struct store_health h = {.ok = true};
    if (ctx->env->store != NULL)
        (void)store_health(ctx->env->store, &h);
    struct jw w;
    api_json_begin(&w, resp);
    jw_kstr(&w, "status", h.ok ? "ok" : "unhealthy");
    jw_kstr(&w, "version", WT_VERSION);
    jw_ki64(&w, "uptime_s", (clock_mono_ns() - ctx->start_ns) / NS_PER_SECOND);
    jw_kstr(&w, "mode", ctx->env->mode);
    if (ctx->env->store != NULL) {
        jw_kobj_begin(&w, "store");
        jw_kstr(&w, "status", h.ok ? "ok" : "failing");
        jw_kbool(&w, "reachable", h.reachable);
        jw_ki64(&w, "last_commit_ms", h.last_commit_ms);
        if (!h.ok)
            jw_kstr(&w, "error", h.error);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    resp->status = jw_finish(&w) == 0 ? (h.ok ? 200 : 503) : 500;
}

/* POST /v1/reload: the daemon re-reads its settings (serve's reload, the
 * same as SIGHUP) and answers what changed, what was refused and why. */
void routes_reload(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!ctx->env->reload) {
        httpd_resp_error(resp, 503, "this server cannot reload its settings");
        return;
    }
    buf_reset(&resp->body);
    /* A failure leaves {"error": why} (a config file that does not parse:
     * 400) or a sentence (starting or stopping: 503). */
    int rc = ctx->env->reload(ctx->env->reload_ctx, &resp->body);
    if (rc == WT_ESTATE) {
        char why[256];
        snprintf(why, sizeof why, "%s", resp->body.data ? resp->body.data : "");
        buf_reset(&resp->body);
        httpd_resp_error(resp, 503, "%s", why);
        return;
    }
    resp->status = rc == 0 ? 200 : 400;
}
