/* GET /healthz: liveness for load balancers, scripts and the dashboard. */
#include "api/routes.h"

#include "base/clock.h"
#include "base/jw.h"

void routes_healthz(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_kstr(&w, "status", "ok");
    jw_kstr(&w, "version", WT_VERSION);
    jw_ki64(&w, "uptime_s", (clock_mono_ns() - ctx->start_ns) / 1000000000);
    jw_kstr(&w, "mode", ctx->env->mode);
    jw_obj_end(&w);
    resp->status = jw_finish(&w) == 0 ? 200 : 500;
}
