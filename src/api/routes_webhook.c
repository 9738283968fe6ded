/* POST /webhooks/helius and GET /metrics: the ingest side of the API.
 *
 * Authentication and the body size limit are enforced in api.c before the
 * body is read; here the body is handed to the durable inbox and the answer
 * says what became of it. A delivery Helius will retry (storage failure)
 * gets 503; a body that can never succeed (not a Helius payload) gets 400
 * so Helius stops retrying it. */
#include "api/routes.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/hist.h"
#include "base/jw.h"
#include "base/log.h"
#include "ingest/inbox.h"

void routes_webhook_helius(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    int64_t t0 = clock_mono_ns();
    /* Helius always delivers a JSON array; the decoder also takes single
     * objects (for `walltrack import`), the webhook does not. */
    const char *p = req->body.data ? req->body.data : "";
    const char *end = p + req->body.len;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    if (p == end || *p != '[') {
        httpd_resp_error(resp, 400, "a webhook body is a JSON array of transactions");
        return;
    }
    struct inbox_result res;
    char err[256];
    int rc = inbox_submit(ctx->env->inbox, req->body.data ? req->body.data : "", req->body.len,
                          req->body.cap, &res, err, sizeof err);
    if (rc == WT_EPARSE || rc == WT_EREMOTE) {
        httpd_resp_error(resp, 400, "not a Helius payload: %s", err);
        return;
    }
    if (rc) {
        log_error("webhook", "delivery not stored: %s", err);
        httpd_resp_error(resp, 503, "not stored, retry later: %s", err);
        return;
    }
    struct jw w;
    api_json_begin(&w, resp);
    jw_ku64(&w, "transactions", res.txs);
    jw_ku64(&w, "events", res.events);
    jw_ku64(&w, "inserted", res.inserted);
    jw_ku64(&w, "duplicates", res.duplicates);
    jw_ku64(&w, "skipped", res.skipped);
    api_json_end(&w, resp);
    hist_observe_ns(HIST_WEBHOOK_ACK, clock_mono_ns() - t0);
}

void routes_metrics(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    resp->content_type = "text/plain; version=0.0.4";
    int rc = buf_printf(&resp->body, "# TYPE walltrack_up gauge\nwalltrack_up 1\n");
    if (rc == 0 && ctx->env->inbox)
        rc = inbox_metrics(ctx->env->inbox, &resp->body);
    if (rc == 0)
        rc = routes_metrics_service(ctx, &resp->body); /* routes_metrics.c */
    resp->status = rc == 0 ? 200 : 500;
}
