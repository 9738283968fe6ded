/* GET /v1/stream: the engine's decisions as server-sent events (signal,
 * order, fill, position, trade, alert; docs/api.md). The connection is
 * parked between messages (net/sse.h), so an idle client costs nothing. */
#include "api/routes.h"

#include "net/sse.h"

void routes_stream(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!ctx->env->hub) {
        httpd_resp_error(resp, 503, "the event stream is not running");
        return;
    }
    sse_hub_attach(ctx->env->hub, resp);
}
