/* HTTP client for the external services (Solana RPC, Jupiter, DexScreener,
 * Helius): libcurl with our own retry, backoff and failover policy.
 *
 *     const char *urls[] = {"https://rpc-a.example", "https://rpc-b.example"};
 *     struct httpc_opts o;
 *     httpc_opts_default(&o);
 *     struct httpc *c = httpc_new(urls, 2, &o);
 *     struct httpc_header h[] = {{"Content-Type", "application/json"}};
 *     struct httpc_req req = {.method = "POST", .path = "/", .headers = h,
 *                             .n_headers = 1, .body = json, .body_len = n};
 *     struct httpc_resp resp;
 *     httpc_resp_init(&resp);
 *     if (httpc_do(c, &req, &resp) == 0 && resp.status == 200)
 *         json_parse(doc, resp.body.data, resp.body.len, resp.body.cap, &root);
 *     httpc_resp_release(&resp);
 *
 * Retries: a network error (connection refused, reset, timeout, TLS), an
 * HTTP 429 or any 5xx is retried up to `retries` more times with
 * exponential backoff and full jitter; a Retry-After header (seconds or an
 * HTTP date) replaces the computed delay, capped at backoff_max_ms.
 *
 * Failover: the client holds a list of base URLs. Each request tries the
 * healthy ones in configured order; an endpoint that fails (as above) is
 * put at the back of the list for cooldown_ms, so a dead RPC node costs one
 * failed attempt per cooldown rather than one per request. A retry moves on
 * to the next endpoint at once and only sleeps once every endpoint has
 * been tried in this request.
 *
 * Secrets: header values of x-api-key, authorization, api-key and cookie
 * are registered with log_add_secret() before the request. A base URL
 * is logged by its scheme and host only (log_url_origin: providers put
 * keys in its path), followed by the request's path through
 * httpc_mask_url(), which blanks api-key / token style query parameters;
 * a request without base URLs (a full URL from the configuration) is
 * logged by scheme and host only. Nothing here logs a request or response
 * body.
 *
 * Threads: synchronous. A struct httpc belongs to one thread at a time (the
 * I/O thread); it blocks that thread for the request, including backoff
 * sleeps. Separate clients may run in parallel. A curl multi front end can
 * drive the same policy later without changing callers' view of it. */
#ifndef WT_NET_HTTPC_H
#define WT_NET_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct httpc_opts {
    long timeout_ms;         /* whole attempt; default 10000 */
    long connect_timeout_ms; /* default 3000 */
    size_t max_body;         /* response body cap; default 16 MiB */
    int retries;             /* extra attempts after the first; default 2 */
    long backoff_ms;         /* delay before the first retry round; default 200 */
    long backoff_max_ms;     /* cap on any delay, Retry-After included; default 10000 */
    long cooldown_ms;        /* how long a failed endpoint goes last; default 30000 */
    const char *user_agent;  /* default "walltrack/<version>" */
};

struct httpc;

/* Counts every request of c under service (a literal: "rpc", "jupiter",
 * "dexscreener", "helius", "alerts"; "other" until set) for /metrics.
 * Owner thread of c. */
void httpc_set_service(struct httpc *c, const char *service);
/* Appends walltrack_external_requests_total{service,outcome} (outcome:
 * ok (2xx/3xx), http_4xx, http_5xx, timeout, network, error) for every
 * service seen so far. Returns 0 or the buf error. Any thread. */
int httpc_metrics(struct buf *out);

struct httpc_header {
    const char *name;
    const char *value;
};

struct httpc_req {
    const char *method; /* "GET", "POST", ...; NULL means GET */
    /* Appended to the endpoint's base URL; the whole URL when the client was
     * made without endpoints. May carry a query string. */
    const char *path;
    const struct httpc_header *headers;
    size_t n_headers;
    const void *body; /* sent when body_len > 0 or method is POST */
    size_t body_len;
    long timeout_ms; /* 0: the client's */
    size_t max_body; /* 0: the client's */
    int retries;     /* < 0: the client's */
};

/* A response. body holds the bytes with at least JSON_PADDING readable
 * bytes after body.len (body.cap >= body.len + JSON_PADDING), so
 * json_parse(doc, body.data, body.len, body.cap, ...) parses in place. */
struct httpc_resp {
    long status;
    struct buf body;
    int attempts;    /* how many attempts were made */
    size_t endpoint; /* index of the endpoint that gave this response */
};

/* Fills o with the defaults above. */
void httpc_opts_default(struct httpc_opts *o);

/* Creates a client for n base URLs (copied; n may be 0, see httpc_req.path).
 * opts may be NULL for the defaults. Never NULL. Call from one thread before
 * others start the first time (libcurl global init). */
struct httpc *httpc_new(const char *const *base_urls, size_t n, const struct httpc_opts *opts);
void httpc_free(struct httpc *c);

/* Number of endpoints, and whether endpoint i is in its failure cooldown. */
size_t httpc_endpoint_count(const struct httpc *c);
bool httpc_endpoint_healthy(const struct httpc *c, size_t i);

void httpc_resp_init(struct httpc_resp *r);
void httpc_resp_release(struct httpc_resp *r);

/* Performs the request with retries and failover. Returns 0 when an HTTP
 * response arrived: resp->status says which (a 5xx or 429 is returned with
 * its body once retries are exhausted). Otherwise: WT_ENET (no connection
 * or a broken transfer on every attempt), WT_ETIMEOUT (the last attempt
 * timed out), WT_ETOOBIG (the body passed the cap; not retried),
 * WT_EINVAL (bad URL or method). resp is reset first. */
int httpc_do(struct httpc *c, const struct httpc_req *req, struct httpc_resp *resp);

/* Copies url into out with the values of secret query parameters (api-key,
 * api_key, apikey, key, token, access_token, auth) replaced by "***".
 * Returns out. Any thread. */
char *httpc_mask_url(const char *url, char *out, size_t outsize);

#endif
