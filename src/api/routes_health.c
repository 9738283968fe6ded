/* GET /healthz: liveness for load balancers, scripts and the dashboard.
 * 200 {"status":"ok"} while the store is healthy; 503 {"status":
 * "unhealthy"} with the store's last failure (store_health) while it cannot
 * be reached, its last write failed, or (SQLite) its database file was
 * deleted or replaced under the daemon. */
#include "api/routes.h"

#include "base/clock.h"
#include "base/jw.h"
#include "store/store.h"

void routes_healthz(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    struct store_health h = {.ok = true};
    if (ctx->env->store != NULL)
        (void)store_health(ctx->env->store, &h);
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_kstr(&w, "status", h.ok ? "ok" : "unhealthy");
    jw_kstr(&w, "version", WT_VERSION);
    jw_ki64(&w, "uptime_s", (clock_mono_ns() - ctx->start_ns) / NS_PER_SECOND);
    jw_kstr(&w, "mode", ctx->env->mode);
    if (ctx->env->store != NULL) {
        jw_key(&w, "store");
        jw_obj_begin(&w);
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
