/* Helius REST client: history pages, transactions by signature, webhooks.
 * See helius_api.h. Request bodies are written with base/jw.h, answers
 * checked with base/json.h; the bodies themselves go back to the caller. */
#include "ingest/helius_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"

struct helius_api {
    struct httpc *http;
    char *key;
    struct json_doc *doc;
    long last_status;
    char err[512];
};

static void seterr(struct helius_api *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void seterr(struct helius_api *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->err, sizeof h->err, fmt, ap);
    va_end(ap);
    log_redact(h->err, sizeof h->err);
}

struct helius_api *helius_api_new(const char *base_url, const char *api_key,
                                  const struct httpc_opts *opts)
{
    struct helius_api *h = xcalloc(1, sizeof *h);
    h->http = httpc_new(&base_url, 1, opts);
    httpc_set_service(h->http, "helius");
    h->key = xstrdup(api_key);
    h->doc = json_doc_new(0);
    log_add_secret(api_key);
    return h;
}

void helius_api_free(struct helius_api *h)
{
    if (!h)
        return;
    httpc_free(h->http);
    mem_wipe(h->key, strlen(h->key));
    free(h->key);
    json_doc_free(h->doc);
    free(h);
}

const char *helius_api_errmsg(const struct helius_api *h)
{
    return h->err;
}

long helius_api_last_status(const struct helius_api *h)
{
    return h->last_status;
}

/* Characters that may stand unescaped in a query value: addresses,
 * signatures and type names only use these, anything else is refused
 * rather than encoded, since no valid argument needs it. */
static bool query_safe(const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Performs a request; a non-2xx answer becomes WT_EREMOTE with Helius's
 * "error" message when it sent one. */
static int call(struct helius_api *h, const char *method, const char *path, const char *body,
                size_t body_len, struct httpc_resp *resp)
{
    struct httpc_header hdr = {"Content-Type", "application/json"};
    struct httpc_req req = {.method = method,
                            .path = path,
                            .headers = body ? &hdr : NULL,
                            .n_headers = body ? 1 : 0,
                            .body = body,
                            .body_len = body_len,
                            .retries = -1};
    int rc = httpc_do(h->http, &req, resp);
    h->last_status = rc ? 0 : resp->status;
    if (rc) {
        seterr(h, "%s %s: %s", method, "helius", wt_strerror(rc));
        return rc;
    }
    if (resp->status >= 200 && resp->status < 300)
        return 0;
    struct json_val root;
    const char *msg = NULL;
    if (json_parse(h->doc, resp->body.data, resp->body.len, resp->body.cap, &root) == 0 &&
        json_type_of(&root) == JSON_OBJECT)
        json_opt_str(&root, "error", &msg, NULL);
    seterr(h, "Helius answered %ld to %s: %s", resp->status, method,
           msg ? msg : "(no error message)");
    return WT_EREMOTE;
}

/* Moves the response body into *out. */
static void take_body(struct httpc_resp *resp, struct buf *out)
{
    buf_release(out);
    *out = resp->body;
    buf_init(&resp->body, out->max);
}

/* Finds the signature in Helius's "search period" error message: the
 * base58 word after "set to ". */
static bool search_period_signature(const char *msg, char out[BASE58_SIG_MAX])
{
    if (!strstr(msg, "Failed to find events within the search period"))
        return false;
    const char *p = strstr(msg, "set to ");
    if (!p)
        return false;
    p += 7;
    size_t n = 0;
    while (p[n] && n + 1 < BASE58_SIG_MAX &&
           strchr("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijk"
                  "mnopqrstuvwxyz",
                  p[n]))
        n++;
    uint8_t sig[64];
    if (base58_decode(p, n, sig, 64) != 0)
        return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

int helius_api_history_page(struct helius_api *h, const struct helius_history_query *q,
                            struct buf *body, size_t *count, char next_before[BASE58_SIG_MAX])
{
    next_before[0] = '\0';
    *count = 0;
    unsigned limit = q->limit ? q->limit : 100;
    if (!q->address || !query_safe(q->address) || (q->before && !query_safe(q->before)) ||
        (q->type && !query_safe(q->type)) || limit > 100 || q->gte_time_s < 0) {
        seterr(h, "invalid history query (address, before, type must be base58/words; "
                  "limit 1..100)");
        return WT_EINVAL;
    }
    struct buf path;
    buf_init(&path, 4096);
    buf_printf(&path, "/v0/addresses/%s/transactions?api-key=%s&limit=%u", q->address, h->key,
               limit);
    if (q->before)
        buf_printf(&path, "&before-signature=%s", q->before);
    if (q->type)
        buf_printf(&path, "&type=%s", q->type);
    if (q->gte_time_s)
        buf_printf(&path, "&gte-time=%lld", (long long)q->gte_time_s);

    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = call(h, "GET", path.data, NULL, 0, &resp);
    /* The docs do not say which status carries the search-period error, so
     * look for it in any answer that is not an array. */
    bool is_array = false;
    if (rc == 0) {
        struct json_val r0;
        is_array = json_parse(h->doc, resp.body.data, resp.body.len, resp.body.cap, &r0) == 0 &&
                   json_type_of(&r0) == JSON_ARRAY;
    }
    if (rc == WT_EREMOTE || (rc == 0 && !is_array)) {
        /* The search-period error is an answer, not a failure. */
        struct json_val root;
        const char *msg;
        if (json_parse(h->doc, resp.body.data, resp.body.len, resp.body.cap, &root) == 0 &&
            json_type_of(&root) == JSON_OBJECT && json_get_str(&root, "error", &msg, NULL) == 0 &&
            search_period_signature(msg, next_before)) {
            buf_reset(body);
            buf_puts(body, "[]");
            buf_reserve(body, JSON_PADDING);
            h->err[0] = '\0';
            rc = 0;
        } else if (rc == 0) {
            seterr(h, "history page is not a JSON array");
            rc = WT_EPARSE;
        }
        goto out;
    }
    if (rc)
        goto out;
    struct json_val root, last;
    if (json_parse(h->doc, resp.body.data, resp.body.len, resp.body.cap, &root) != 0 ||
        json_type_of(&root) != JSON_ARRAY) {
        seterr(h, "history page is not a JSON array: %s", json_errmsg(h->doc));
        rc = WT_EPARSE;
        goto out;
    }
    *count = json_size(&root);
    if (*count > 0) {
        const char *sig;
        size_t n;
        if (json_index(&root, *count - 1, &last) != 0 ||
            json_get_str(&last, "signature", &sig, &n) != 0 || n >= BASE58_SIG_MAX) {
            seterr(h, "history page: %s", json_errmsg(h->doc));
            rc = WT_EPARSE;
            goto out;
        }
        memcpy(next_before, sig, n + 1);
    }
    take_body(&resp, body);
out:
    httpc_resp_release(&resp);
    mem_wipe(path.data, path.len);
    buf_release(&path);
    return rc;
}

int helius_api_transactions(struct helius_api *h, const char *const *sigs, size_t n,
                            struct buf *body)
{
    if (n == 0 || n > 100) {
        seterr(h, "between 1 and 100 signatures per request, got %zu", n);
        return WT_EINVAL;
    }
    struct buf req;
    buf_init(&req, 0);
    struct jw w;
    jw_init(&w, &req);
    jw_obj_begin(&w);
    jw_karr_begin(&w, "transactions");
    for (size_t i = 0; i < n; i++)
        jw_str(&w, sigs[i]);
    jw_arr_end(&w);
    jw_obj_end(&w);
    char path[512];
    snprintf(path, sizeof path, "/v0/transactions?api-key=%s", h->key);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = jw_finish(&w);
    if (rc == 0)
        rc = call(h, "POST", path, req.data, req.len, &resp);
    if (rc == 0)
        take_body(&resp, body);
    httpc_resp_release(&resp);
    buf_release(&req);
    mem_wipe(path, sizeof path);
    return rc;
}

static int webhook_body(const struct helius_webhook_spec *spec, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_kstr(&w, "webhookURL", spec->url);
    jw_karr_begin(&w, "transactionTypes");
    jw_str(&w, "SWAP");
    jw_str(&w, "TRANSFER");
    jw_arr_end(&w);
    jw_karr_begin(&w, "accountAddresses");
    for (size_t i = 0; i < spec->n_addresses; i++)
        jw_str(&w, spec->addresses[i]);
    jw_arr_end(&w);
    jw_kstr(&w, "webhookType", "enhanced");
    if (spec->auth_header && spec->auth_header[0])
        jw_kstr(&w, "authHeader", spec->auth_header);
    jw_obj_end(&w);
    return jw_finish(&w);
}

static int webhook_send(struct helius_api *h, const char *method, const char *id,
                        const struct helius_webhook_spec *spec, char idout[128], struct buf *body)
{
    if (!spec->url || strncmp(spec->url, "http", 4) != 0 || spec->n_addresses == 0 ||
        (id && !query_safe(id))) {
        seterr(h, "a webhook needs an http(s) URL and at least one address");
        return WT_EINVAL;
    }
    for (size_t i = 0; i < spec->n_addresses; i++) {
        uint8_t k[32];
        if (base58_decode(spec->addresses[i], strlen(spec->addresses[i]), k, 32) != 0) {
            seterr(h, "'%s' is not a Solana address", spec->addresses[i]);
            return WT_EINVAL;
        }
    }
    struct buf req;
    buf_init(&req, 0);
    char path[512];
    if (id)
        snprintf(path, sizeof path, "/v0/webhooks/%s?api-key=%s", id, h->key);
    else
        snprintf(path, sizeof path, "/v0/webhooks?api-key=%s", h->key);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = webhook_body(spec, &req);
    if (rc == 0)
        rc = call(h, method, path, req.data, req.len, &resp);
    if (rc == 0 && idout) {
        struct json_val root;
        const char *wid;
        size_t n;
        if (json_parse(h->doc, resp.body.data, resp.body.len, resp.body.cap, &root) != 0 ||
            json_get_str(&root, "webhookID", &wid, &n) != 0 || n >= 128) {
            seterr(h, "webhook answer without webhookID: %s", json_errmsg(h->doc));
            rc = WT_EPARSE;
        } else {
            memcpy(idout, wid, n + 1);
        }
    }
    if (rc == 0 && body)
        take_body(&resp, body);
    httpc_resp_release(&resp);
    buf_release(&req);
    mem_wipe(path, sizeof path);
    return rc;
}

int helius_api_webhook_create(struct helius_api *h, const struct helius_webhook_spec *spec,
                              char id[128], struct buf *body)
{
    return webhook_send(h, "POST", NULL, spec, id, body);
}

int helius_api_webhook_update(struct helius_api *h, const char *id,
                              const struct helius_webhook_spec *spec, struct buf *body)
{
    return webhook_send(h, "PUT", id, spec, NULL, body);
}

int helius_api_webhook_list(struct helius_api *h, struct buf *body)
{
    char path[512];
    snprintf(path, sizeof path, "/v0/webhooks?api-key=%s", h->key);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = call(h, "GET", path, NULL, 0, &resp);
    if (rc == 0)
        take_body(&resp, body);
    httpc_resp_release(&resp);
    mem_wipe(path, sizeof path);
    return rc;
}

int helius_api_webhook_delete(struct helius_api *h, const char *id)
{
    if (!id || !*id || !query_safe(id)) {
        seterr(h, "invalid webhook id");
        return WT_EINVAL;
    }
    char path[512];
    snprintf(path, sizeof path, "/v0/webhooks/%s?api-key=%s", id, h->key);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = call(h, "DELETE", path, NULL, 0, &resp);
    httpc_resp_release(&resp);
    mem_wipe(path, sizeof path);
    return rc;
}
