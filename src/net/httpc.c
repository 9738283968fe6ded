/* HTTP client: libcurl easy handles with walltrack's retry, backoff and
 * endpoint failover policy.
 *
 * Every external service walltrack calls is unreliable in the same ways
 * (rate limits, overloaded nodes, dropped connections), so the policy lives
 * here once instead of in every client: retry network errors, 429 and 5xx
 * with exponential backoff and jitter, honour Retry-After, and rotate
 * through a list of base URLs keeping a failed one at the back for a
 * cooldown. libcurl does the transfer; one easy handle per client is reused
 * so connections stay alive between requests. Log lines carry the masked
 * URL only, never headers or bodies. */
#include "net/httpc.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"

#define DEFAULT_MAX_BODY ((size_t)16 << 20)

/* Invariant: fail_until_ns is 0 or the monotonic time until which the
 * endpoint goes after the healthy ones. */
struct endpoint {
    char *base;
    int64_t fail_until_ns;
    uint32_t consecutive_failures;
};

struct httpc {
    const char *service; /* for /metrics; NULL: "other" */
    CURL *curl;
    struct httpc_opts opts;
    struct endpoint *eps;
    size_t n_eps;
    uint64_t rng; /* xorshift64 state for jitter, never 0 */
    char user_agent[64];
};

/* What one attempt gave. */
struct attempt {
    int rc;           /* 0 = HTTP response, else WT_E* */
    bool retryable;   /* network error, 429 or 5xx */
    long retry_after; /* ms from Retry-After, or -1 */
    char errmsg[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_global(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void httpc_opts_default(struct httpc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = 10000;
    o->connect_timeout_ms = 3000;
    o->max_body = DEFAULT_MAX_BODY;
    o->retries = 2;
    o->backoff_ms = 200;
    o->backoff_max_ms = 10000;
    o->cooldown_ms = 30000;
}

struct httpc *httpc_new(const char *const *base_urls, size_t n, const struct httpc_opts *opts)
{
    pthread_once(&curl_once, curl_global);
    struct httpc *c = xcalloc(1, sizeof *c);
    if (opts)
        c->opts = *opts;
    else
        httpc_opts_default(&c->opts);
    if (c->opts.max_body == 0)
        c->opts.max_body = DEFAULT_MAX_BODY;
    if (c->opts.retries < 0)
        c->opts.retries = 0;
    snprintf(c->user_agent, sizeof c->user_agent, "%s",
             c->opts.user_agent ? c->opts.user_agent : "walltrack/" WT_VERSION);
    c->curl = curl_easy_init();
    if (!c->curl) {
        fprintf(stderr, "fatal: curl_easy_init failed\n");
        abort();
    }
    c->n_eps = n;
    c->eps = n ? xcalloc(n, sizeof *c->eps) : NULL;
    for (size_t i = 0; i < n; i++) {
        /* Strip trailing slashes so base + "/path" has one. */
        size_t len = strlen(base_urls[i]);
        while (len > 0 && base_urls[i][len - 1] == '/')
            len--;
        c->eps[i].base = xstrndup(base_urls[i], len);
    }
    c->rng = (uint64_t)clock_mono_ns() ^ (uint64_t)(uintptr_t)c ^ 0x9e3779b97f4a7c15ULL;
    if (!c->rng)
        c->rng = 1;
    return c;
}

void httpc_free(struct httpc *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    for (size_t i = 0; i < c->n_eps; i++)
        free(c->eps[i].base);
    free(c->eps);
    free(c);
}

size_t httpc_endpoint_count(const struct httpc *c)
{
    return c->n_eps;
}

bool httpc_endpoint_healthy(const struct httpc *c, size_t i)
{
    return i < c->n_eps && c->eps[i].fail_until_ns <= clock_mono_ns();
}

void httpc_resp_init(struct httpc_resp *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->body, 0);
}

void httpc_resp_release(struct httpc_resp *r)
{
    buf_release(&r->body);
    r->status = 0;
}

static bool secret_param(const char *name, size_t len)
{
    static const char *const names[] = {"api-key", "api_key",      "apikey", "key",
                                        "token",   "access_token", "auth"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0)
            return true;
    return false;
}

char *httpc_mask_url(const char *url, char *out, size_t outsize)
{
    if (!outsize)
        return out;
    size_t o = 0;
    const char *q = strchr(url, '?');
    size_t head = q ? (size_t)(q - url) + 1 : strlen(url);
#define PUT(p, n)                                                                                  \
    do {                                                                                           \
        size_t n_ = (n);                                                                           \
        if (n_ > outsize - 1 - o)                                                                  \
            n_ = outsize - 1 - o;                                                                  \
        memcpy(out + o, (p), n_);                                                                  \
        o += n_;                                                                                   \
    } while (0)
    PUT(url, head);
    if (q) {
        const char *p = q + 1;
        while (*p) {
            const char *amp = strchr(p, '&');
            const char *frag = strchr(p, '#');
            const char *end = amp ? amp : p + strlen(p);
            if (frag && frag < end)
                end = frag;
            const char *eq = memchr(p, '=', (size_t)(end - p));
            if (eq && secret_param(p, (size_t)(eq - p))) {
                PUT(p, (size_t)(eq - p) + 1);
                PUT("***", 3);
            } else {
                PUT(p, (size_t)(end - p));
            }
            if (*end == '&') {
                PUT("&", 1);
                p = end + 1;
            } else {
                PUT(end, strlen(end)); /* fragment, kept as is */
                break;
            }
        }
    }
#undef PUT
    out[o] = '\0';
    return out;
}

/* How a request's URL appears in the log. A base URL comes from the
 * configuration, where providers put their keys in the path (QuickNode's
 * /<key>/, Alchemy's /v2/<key>), so only its scheme and host are named,
 * followed by the request's own path with secret query values masked.
 * Without a base the whole URL came from the configuration (notifiers): it
 * is named by scheme and host only. */
static const char *log_url(const struct httpc *c, size_t ep, const char *path, char *out,
                           size_t size)
{
    if (!c->n_eps)
        return log_url_origin(path, out, size);
    char origin[256];
    log_url_origin(c->eps[ep].base, origin, sizeof origin);
    size_t n = strlen(origin);
    if (n + 1 >= size)
        return log_url_origin(c->eps[ep].base, out, size);
    memcpy(out, origin, n + 1);
    httpc_mask_url(path, out + n, size - n);
    return out;
}

static bool secret_header(const char *name)
{
    return strcasecmp(name, "x-api-key") == 0 || strcasecmp(name, "authorization") == 0 ||
           strcasecmp(name, "api-key") == 0 || strcasecmp(name, "cookie") == 0;
}

struct sink {
    struct buf *body;
    size_t max;
    bool too_big;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb;
    if (n > s->max - s->body->len || buf_append(s->body, p, n) != 0) {
        s->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

static uint64_t next_rand(struct httpc *c)
{
    uint64_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c->rng = x;
    return x;
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / MS_PER_SECOND, (ms % MS_PER_SECOND) * NS_PER_MS};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Endpoint order for one request: healthy ones in configured order, then
 * the ones in cooldown, soonest back first. */
static void order_endpoints(const struct httpc *c, size_t *order)
{
    int64_t now = clock_mono_ns();
    size_t k = 0;
    for (size_t i = 0; i < c->n_eps; i++)
        if (c->eps[i].fail_until_ns <= now)
            order[k++] = i;
    size_t first_sick = k;
    for (size_t i = 0; i < c->n_eps; i++)
        if (c->eps[i].fail_until_ns > now)
            order[k++] = i;
    for (size_t i = first_sick + 1; i < k; i++) /* insertion sort, n is tiny */
        for (size_t j = i;
             j > first_sick && c->eps[order[j]].fail_until_ns < c->eps[order[j - 1]].fail_until_ns;
             j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

static void one_attempt(struct httpc *c, const struct httpc_req *req, const char *url,
                        struct curl_slist *headers, size_t max_body, long timeout_ms,
                        struct httpc_resp *resp, struct attempt *at)
{
    CURL *h = c->curl;
    struct sink sink = {&resp->body, max_body, false};
    buf_reset(&resp->body);
    resp->status = 0;
    at->rc = 0;
    at->retryable = false;
    at->retry_after = -1;
    at->errmsg[0] = '\0';

    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, at->errmsg);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
    const char *method = req->method ? req->method : "GET";
    if (strcmp(method, "GET") == 0 && req->body_len == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        if (!at->errmsg[0])
            snprintf(at->errmsg, sizeof at->errmsg, "%s", curl_easy_strerror(cc));
        if (sink.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
            at->rc = WT_ETOOBIG;
            snprintf(at->errmsg, sizeof at->errmsg, "response body above %zu bytes", max_body);
        } else if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL) {
            at->rc = WT_EINVAL;
        } else {
            at->rc = cc == CURLE_OPERATION_TIMEDOUT ? WT_ETIMEOUT : WT_ENET;
            at->retryable = true;
        }
        return;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (resp->status == 429 || resp->status >= 500) {
        at->retryable = true;
        curl_off_t ra = -1;
        if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
            at->retry_after = ra > 86400 ? (long)MS_PER_DAY : (long)ra * (long)MS_PER_SECOND;
        snprintf(at->errmsg, sizeof at->errmsg, "HTTP %ld", resp->status);
    }
    /* Room for simdjson's padding after the body. */
    if (buf_reserve(&resp->body, JSON_PADDING) != 0) {
        at->rc = WT_ETOOBIG;
        at->retryable = false;
        snprintf(at->errmsg, sizeof at->errmsg, "response body above %zu bytes", max_body);
        return;
    }
    memset(resp->body.data + resp->body.len, 0, JSON_PADDING);
}

/* Requests by service and outcome, process-wide. */
#define SVC_MAX 16
enum { OUT_OK, OUT_4XX, OUT_5XX, OUT_TIMEOUT, OUT_NET, OUT_ERR, OUT_N };
static const char *const out_names[OUT_N] = {"ok",      "http_4xx", "http_5xx",
                                             "timeout", "network",  "error"};
static pthread_mutex_t svc_mu = PTHREAD_MUTEX_INITIALIZER;
static const char *svc_names[SVC_MAX];
static uint64_t svc_counts[SVC_MAX][OUT_N];
static size_t n_svc;

void httpc_set_service(struct httpc *c, const char *service)
{
    c->service = service;
}

static void count_outcome(const char *service, int rc, long status)
{
    int o = rc == WT_ETIMEOUT        ? OUT_TIMEOUT
            : rc == WT_ENET          ? OUT_NET
            : rc != 0 && status == 0 ? OUT_ERR
            : status >= 500          ? OUT_5XX
            : status >= 400          ? OUT_4XX
            : rc == 0                ? OUT_OK
                                     : OUT_ERR;
    pthread_mutex_lock(&svc_mu);
    size_t i = 0;
    while (i < n_svc && strcmp(svc_names[i], service) != 0)
        i++;
    if (i == n_svc && n_svc < SVC_MAX)
        svc_names[n_svc++] = service;
    if (i < n_svc)
        svc_counts[i][o]++;
    pthread_mutex_unlock(&svc_mu);
}

int httpc_metrics(struct buf *out)
{
    int rc = buf_printf(out, "# HELP walltrack_external_requests_total Requests to external "
                             "services by outcome (after retries)\n"
                             "# TYPE walltrack_external_requests_total counter\n");
    pthread_mutex_lock(&svc_mu);
    for (size_t i = 0; rc == 0 && i < n_svc; i++)
        for (int o = 0; rc == 0 && o < OUT_N; o++)
            rc = buf_printf(out,
                            "walltrack_external_requests_total{service=\"%s\",outcome=\"%s\"} "
                            "%llu\n",
                            svc_names[i], out_names[o], (unsigned long long)svc_counts[i][o]);
    pthread_mutex_unlock(&svc_mu);
    return rc;
}

int httpc_do(struct httpc *c, const struct httpc_req *req, struct httpc_resp *resp)
{
    const char *method = req->method ? req->method : "GET";
    size_t max_body = req->max_body ? req->max_body : c->opts.max_body;
    long timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : c->opts.timeout_ms;
    int retries = req->retries >= 0 ? req->retries : c->opts.retries;
    size_t n_eps = c->n_eps ? c->n_eps : 1;
    size_t order[64];
    struct curl_slist *headers = NULL;
    struct buf url;
    struct attempt at = {0};
    char masked[512];
    int rc = 0;

    buf_init(&url, 16384);
    buf_release(&resp->body);
    buf_init(&resp->body, max_body + JSON_PADDING);
    resp->status = 0;
    resp->attempts = 0;
    resp->endpoint = 0;
    if (n_eps > sizeof order / sizeof *order || !req->path) {
        rc = WT_EINVAL;
        goto out;
    }
    for (const char *m = method; *m; m++)
        if (*m < 'A' || *m > 'Z') {
            rc = WT_EINVAL;
            goto out;
        }
    for (size_t i = 0; i < req->n_headers; i++) {
        const struct httpc_header *hd = &req->headers[i];
        if (strpbrk(hd->name, ":\r\n") || strpbrk(hd->value, "\r\n")) {
            rc = WT_EINVAL; /* header injection */
            goto out;
        }
        if (secret_header(hd->name))
            log_add_secret(hd->value);
        struct buf line;
        buf_init(&line, 16384);
        if (buf_printf(&line, "%s: %s", hd->name, hd->value) != 0) {
            buf_release(&line);
            rc = WT_EINVAL;
            goto out;
        }
        struct curl_slist *nh = curl_slist_append(headers, line.data);
        mem_wipe(line.data, line.len); /* may hold an API key */
        buf_release(&line);
        if (!nh) {
            fprintf(stderr, "fatal: out of memory\n");
            abort();
        }
        headers = nh;
    }
    /* curl would otherwise wait for "100 Continue" on larger bodies. */
    headers = curl_slist_append(headers, "Expect:");

    if (c->n_eps)
        order_endpoints(c, order);
    else
        order[0] = 0;
    int64_t delay = c->opts.backoff_ms > 0 ? c->opts.backoff_ms : 1;
    for (int attempt = 0; attempt <= retries; attempt++) {
        size_t ep = order[(size_t)attempt % n_eps];
        /* A new round over the endpoints waits first. */
        if (attempt > 0 && (size_t)attempt % n_eps == 0) {
            long wait = (long)(delay / 2 + (int64_t)(next_rand(c) % (uint64_t)(delay / 2 + 1)));
            if (at.retry_after >= 0)
                wait = at.retry_after;
            if (wait > c->opts.backoff_max_ms)
                wait = c->opts.backoff_max_ms;
            sleep_ms(wait);
            delay = delay * 2 > c->opts.backoff_max_ms ? c->opts.backoff_max_ms : delay * 2;
        }
        buf_reset(&url);
        if (c->n_eps ? buf_printf(&url, "%s%s", c->eps[ep].base, req->path)
                     : buf_puts(&url, req->path)) {
            rc = WT_EINVAL;
            goto out;
        }
        one_attempt(c, req, url.data, headers, max_body, timeout_ms, resp, &at);
        resp->attempts = attempt + 1;
        resp->endpoint = ep;
        rc = at.rc;
        if (!at.retryable) {
            if (c->n_eps && rc == 0) {
                c->eps[ep].fail_until_ns = 0;
                c->eps[ep].consecutive_failures = 0;
            }
            break;
        }
        if (c->n_eps) {
            c->eps[ep].fail_until_ns = clock_mono_ns() + (int64_t)c->opts.cooldown_ms * NS_PER_MS;
            c->eps[ep].consecutive_failures++;
        }
        log_warn("http", "%s %s: attempt %d of %d failed: %s", method,
                 log_url(c, ep, req->path, masked, sizeof masked), attempt + 1, retries + 1,
                 at.errmsg);
    }
    if (rc && rc != WT_ENET && rc != WT_ETIMEOUT)
        log_warn("http", "%s %s: %s", method,
                 log_url(c, resp->endpoint, req->path, masked, sizeof masked), at.errmsg);
out:
    count_outcome(c->service ? c->service : "other", rc, resp->status);
    curl_slist_free_all(headers);
    buf_release(&url);
    if (rc)
        buf_reset(&resp->body);
    return rc;
}
