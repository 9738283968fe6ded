/* GET /healthz: liveness for load balancers, scripts and the dashboard.
 *
 * Healthy means the daemon can keep its promise to the webhook: the store's
 * last write transaction succeeded and the database is still the file it
 * opened (store_health). Otherwise 503 with the reason, so a load balancer
 * or a monitor sees the failure that every delivery is getting. */
#include "api/routes.h"

#include "base/clock.h"
#include "base/jw.h"
#include "store/store.h"

void routes_healthz(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    struct store_health sh = {.ok = true};
    if (ctx->env->store != NULL)
        store_health(ctx->env->store, &sh);
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_kstr(&w, "status", sh.ok ? "ok" : "unhealthy");
    jw_kstr(&w, "version", WT_VERSION);
    jw_ki64(&w, "uptime_s", (clock_mono_ns() - ctx->start_ns) / 1000000000);
    jw_kstr(&w, "mode", ctx->env->mode);
    if (ctx->env->store != NULL) {
        jw_key(&w, "store");
        jw_obj_begin(&w);
        jw_kstr(&w, "status", sh.ok ? "ok" : "failing");
        jw_ki64(&w, "last_commit_ms", sh.last_commit_ms);
        if (!sh.ok)
            jw_kstr(&w, "problem", sh.problem);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    resp->status = jw_finish(&w) != 0 ? 500 : sh.ok ? 200 : 503;
}
