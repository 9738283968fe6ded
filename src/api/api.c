/* Routing and authentication for the REST API. See api.h.
 *
 * Routes are a table: method, exact path or prefix, whether the API token
 * is required, and the handler. Adding an endpoint is adding a row and a
 * handler in a routes_<area>.c file. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "api/routes.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/json.h"
#include "base/err.h"
#include "base/log.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "net/httpd.h"
#include "trade/runner.h"

struct api {
    struct httpd *httpd;
    struct api_ctx ctx;
};

/* Who may call a route. */
enum route_auth {
    AUTH_TOKEN,   /* the API token, when one is configured */
    AUTH_PUBLIC,  /* anyone (liveness) */
    AUTH_WEBHOOK, /* the Helius webhook secret in Authorization, always */
};

struct route {
    const char *method;
    const char *path; /* exact, or a prefix when it ends with '/' (but "/" is exact) */
    enum route_auth auth;
    size_t max_body; /* 0: the server's default (helius.webhook_max_body) */
    api_handler_fn fn;
    bool dashboard; /* the dashboard's static files: not part of the API or openapi.json */
    /* The query parameters the route accepts, space-separated, each at
     * most once; anything else is a 400 naming it before the handler runs
     * (docs/api.md: a typo must never silently mean "no filter"). Q_ANY:
     * the handler checks them itself (the smart-money routes, where
     * `chains` may repeat) or they mean nothing (static files' cache
     * busting, the webhook). */
    const char *params;
};

#define Q_ANY NULL

#define API_TOKEN_MIN 16          /* characters of an API token on a non-loopback address */
#define SMALL_BODY    (64 * 1024) /* API requests carry small JSON documents */

static const struct route routes[] = {
    {"GET", "/healthz", AUTH_PUBLIC, SMALL_BODY, routes_healthz, false, ""},
    {"GET", "/metrics", AUTH_TOKEN, SMALL_BODY, routes_metrics, false, ""},
    {"GET", "/v1/config", AUTH_TOKEN, SMALL_BODY, routes_config_get, false, ""},
    /* Any query: Helius posts to whatever URL the operator registered. */
    {"POST", "/webhooks/helius", AUTH_WEBHOOK, 0, routes_webhook_helius, false, Q_ANY},
    /* The dashboard's static files: no token (the page holds none; its API
     * calls carry it). */
    {"GET", "/", AUTH_PUBLIC, SMALL_BODY, routes_static_web, true, Q_ANY},
    {"GET", "/index.html", AUTH_PUBLIC, SMALL_BODY, routes_static_web, true, Q_ANY},
    {"GET", "/app/", AUTH_PUBLIC, SMALL_BODY, routes_static_web, true, Q_ANY},
    {"GET", "/vendor/", AUTH_PUBLIC, SMALL_BODY, routes_static_vendor, true, Q_ANY},
    {"GET", "/v1/openapi.json", AUTH_TOKEN, SMALL_BODY, routes_openapi, false, ""},
    {"GET", "/v1/smart-money/wallets", AUTH_TOKEN, SMALL_BODY, routes_wallets_list, false, Q_ANY},
    {"GET", "/v1/smart-money/wallets/", AUTH_TOKEN, SMALL_BODY, routes_wallets_get, false, Q_ANY},
    {"POST", "/v1/smart-money/wallets/", AUTH_TOKEN, SMALL_BODY, routes_wallets_post, false, Q_ANY},
    {"PUT", "/v1/smart-money/wallets/", AUTH_TOKEN, SMALL_BODY, routes_wallets_put, false, Q_ANY},
    {"PUT", "/v1/config", AUTH_TOKEN, SMALL_BODY, routes_config_put, false, ""},
    /* The operator API (docs/api.md, "Operator API"). */
    {"GET", "/v1/status", AUTH_TOKEN, SMALL_BODY, routes_status, false, ""},
    {"GET", "/v1/signals", AUTH_TOKEN, SMALL_BODY, routes_signals, false,
     "limit since before wallet decision reason mode"},
    {"GET", "/v1/positions", AUTH_TOKEN, SMALL_BODY, routes_positions, false, ""},
    {"POST", "/v1/positions/", AUTH_TOKEN, SMALL_BODY, routes_position_action, false, ""},
    {"PUT", "/v1/positions/", AUTH_TOKEN, SMALL_BODY, routes_position_action, false, ""},
    {"GET", "/v1/trades", AUTH_TOKEN, SMALL_BODY, routes_trades, false,
     "limit since before mode wallet"},
    {"GET", "/v1/performance", AUTH_TOKEN, SMALL_BODY, routes_performance, false, "since points"},
    {"GET", "/v1/alerts", AUTH_TOKEN, SMALL_BODY, routes_alerts, false, "limit before kind"},
    {"POST", "/v1/alerts/", AUTH_TOKEN, SMALL_BODY, routes_alert_ack, false, ""},
    {"GET", "/v1/config/history", AUTH_TOKEN, SMALL_BODY, routes_config_history, false,
     "limit name"},
    {"GET", "/v1/exits", AUTH_TOKEN, SMALL_BODY, routes_exits_get, false, ""},
    {"PUT", "/v1/exits/strategies/", AUTH_TOKEN, SMALL_BODY, routes_exits_strategy, false, ""},
    {"DELETE", "/v1/exits/strategies/", AUTH_TOKEN, SMALL_BODY, routes_exits_strategy, false, ""},
    {"POST", "/v1/control/", AUTH_TOKEN, SMALL_BODY, routes_control, false, ""},
    {"GET", "/v1/watchlist", AUTH_TOKEN, SMALL_BODY, routes_watchlist, false, ""},
    {"POST", "/v1/watchlist", AUTH_TOKEN, SMALL_BODY, routes_watchlist, false, ""},
    {"DELETE", "/v1/watchlist/", AUTH_TOKEN, SMALL_BODY, routes_watchlist_item, false, ""},
    {"GET", "/v1/blacklist", AUTH_TOKEN, SMALL_BODY, routes_blacklist, false, ""},
    {"POST", "/v1/blacklist/", AUTH_TOKEN, SMALL_BODY, routes_blacklist_item, false, ""},
    {"DELETE", "/v1/blacklist/", AUTH_TOKEN, SMALL_BODY, routes_blacklist_item, false, ""},
    {"GET", "/v1/stream", AUTH_TOKEN, SMALL_BODY, routes_stream, false, ""},
    {"GET", "/v1/clusters", AUTH_TOKEN, SMALL_BODY, routes_clusters, false,
     "minSize minInsider blacklisted member sortBy sortOrder page limit"},
    {"GET", "/v1/clusters/", AUTH_TOKEN, SMALL_BODY, routes_clusters, false, ""},
    /* For the setup wizard. */
    {"GET", "/v1/wallet", AUTH_TOKEN, SMALL_BODY, routes_wallet_get, false, ""},
    {"GET", "/v1/discovery", AUTH_TOKEN, SMALL_BODY, routes_discovery_get, false, ""},
    {"POST", "/v1/discovery/run", AUTH_TOKEN, SMALL_BODY, routes_discovery_run, false, ""},
    {"POST", "/v1/reload", AUTH_TOKEN, SMALL_BODY, routes_reload, false, ""},
    /* Backtests (routes_backtest.c). */
    {"GET", "/v1/backtest/runs", AUTH_TOKEN, SMALL_BODY, routes_backtest_runs, false, ""},
    {"GET", "/v1/backtest/runs/", AUTH_TOKEN, SMALL_BODY, routes_backtest_run, false, ""},
    {"DELETE", "/v1/backtest/runs/", AUTH_TOKEN, SMALL_BODY, routes_backtest_run, false, ""},
    {"GET", "/v1/backtest/scenarios", AUTH_TOKEN, SMALL_BODY, routes_backtest_scenarios, false, ""},
    {"PUT", "/v1/backtest/scenarios/", AUTH_TOKEN, SMALL_BODY, routes_backtest_scenario, false, ""},
    {"GET", "/v1/backtests", AUTH_TOKEN, SMALL_BODY, routes_backtest_jobs, false, ""},
    {"POST", "/v1/backtests", AUTH_TOKEN, SMALL_BODY, routes_backtest_jobs, false, ""},
    {"GET", "/v1/backtests/", AUTH_TOKEN, SMALL_BODY, routes_backtest_job, false, ""},
    {"DELETE", "/v1/backtests/", AUTH_TOKEN, SMALL_BODY, routes_backtest_job, false, ""},
};

#define NROUTES (sizeof routes / sizeof routes[0])

bool api_route_at(size_t i, const char **method, const char **path)
{
    /* The i-th route of the API proper, skipping the dashboard's files. */
    for (size_t k = 0; k < NROUTES; k++) {
        if (routes[k].dashboard)
            continue;
        if (i-- == 0) {
            *method = routes[k].method;
            *path = routes[k].path;
            return true;
        }
    }
    return false;
}

const char *api_route_params(size_t i)
{
    for (size_t k = 0; k < NROUTES; k++) {
        if (routes[k].dashboard)
            continue;
        if (i-- == 0)
            return routes[k].params;
    }
    return NULL;
}

static const struct route *match(const char *method, const char *path, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < NROUTES; i++) {
        const struct route *r = &routes[i];
        size_t n = strlen(r->path);
        /* "/" alone is the exact root, not a prefix of everything. */
        bool prefix = n > 1 && r->path[n - 1] == '/';
        bool hit = prefix ? strncmp(path, r->path, n) == 0 : strcmp(path, r->path) == 0;
        if (!hit)
            continue;
        *path_known = true;
        if (strcmp(method, r->method) == 0)
            return r;
    }
    return NULL;
}

/* The query check of the route table: the first parameter not in the
 * route's list, or named twice. */
struct qcheck {
    const char *allowed;
    bool format; /* a GET of the API: ?format=json|csv is accepted too */
    const char *bad;
    const char *problem;
    const char *seen[16];
    unsigned nseen;
};

static bool in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return true;
        p += len;
        while (*p == ' ')
            p++;
    }
    return false;
}

static int qcheck_cb(void *ctx, const char *name, const char *value)
{
    (void)value;
    struct qcheck *q = ctx;
    if (!in_list(q->allowed, name) && !(q->format && strcmp(name, "format") == 0)) {
        q->bad = name;
        q->problem = q->allowed[0] ? "unknown query parameter"
                                   : "this route takes no query "
                                     "parameter, got";
        return 1;
    }
    for (unsigned i = 0; i < q->nseen; i++) {
        if (strcmp(q->seen[i], name) == 0) {
            q->bad = name;
            q->problem = "query parameter given more than once:";
            return 1;
        }
    }
    if (q->nseen < sizeof q->seen / sizeof q->seen[0])
        q->seen[q->nseen++] = name;
    return 0;
}

/* 400 {"error", "parameter"} for a query the route does not accept. */
static int check_query(const struct route *r, struct httpd_req *req, struct httpd_resp *resp)
{
    if (r->params == Q_ANY)
        return 0;
    struct qcheck q = {.allowed = r->params,
                       .format = strcmp(r->method, "GET") == 0 && !r->dashboard};
    httpd_query_each(req, qcheck_cb, &q);
    if (!q.bad)
        return 0;
    char name[96];
    str_copy(name, sizeof name, q.bad);
    char msg[256];
    if (r->params[0])
        snprintf(msg, sizeof msg, "%s '%s' (accepted: %s)", q.problem, name, r->params);
    else
        snprintf(msg, sizeof msg, "%s '%s'", q.problem, name);
    api_param_error(resp, name, msg);
    return 400;
}

/* 429 while the peer is locked out after too many failed authentications:
 * checked before the credentials, so a right guess during the lockout is
 * refused like a wrong one and guessing gains nothing. */
static int check_throttle(struct httpd_req *req, struct httpd_resp *resp)
{
    unsigned wait = httpd_auth_retry_after_s(req);
    if (!wait)
        return 0;
    char secs[16];
    snprintf(secs, sizeof secs, "%u", wait);
    httpd_resp_header(resp, "Retry-After", secs);
    httpd_resp_error(resp, 429,
                     "too many failed authentications from this address: try again in %u s", wait);
    return 429;
}

/* Constant-time check of "Bearer <token>". */
static bool bearer_ok(const char *header, const char *token)
{
    if (!header || strncmp(header, "Bearer ", 7) != 0)
        return false;
    const char *got = header + 7;
    return str_ct_equal(got, strlen(got), token, strlen(token));
}

static int on_headers(void *user, struct httpd_req *req, struct httpd_resp *resp)
{
    struct api *a = user;
    bool known;
    const struct route *r = match(req->method, req->path, &known);
    if (!r) {
        if (known) {
            httpd_resp_error(resp, 405, "method %s not allowed on %s", req->method, req->path);
            return 405;
        }
        httpd_resp_error(resp, 404, "no such endpoint: %s", req->path);
        return 404;
    }
    /* The token and the webhook secret as of the last reload (api_reload),
     * copied under the lock: a reload may replace them meanwhile. */
    char token[512], secret[512];
    pthread_mutex_lock(&a->ctx.cfg_mu);
    snprintf(token, sizeof token, "%s", config_str(&a->ctx.cfg, CFG_API_TOKEN));
    snprintf(secret, sizeof secret, "%s", config_str(&a->ctx.cfg, CFG_WEBHOOK_SECRET));
    pthread_mutex_unlock(&a->ctx.cfg_mu);
    int status;
    if (r->auth == AUTH_TOKEN && token[0]) {
        if ((status = check_throttle(req, resp)) != 0)
            return status;
        const char *got = httpd_header(req, "Authorization");
        if (!bearer_ok(got, token)) {
            if (got) /* a guess; a request without credentials is not one */
                httpd_auth_failed(req);
            httpd_resp_header(resp, "WWW-Authenticate", "Bearer");
            httpd_resp_error(resp, 401, "missing or wrong API token (Authorization: Bearer ...)");
            return 401;
        }
    }
    if (r->auth == AUTH_WEBHOOK) {
        /* Checked before a byte of the body is read (DESIGN §9). Helius
         * sends the configured authHeader verbatim. */
        const char *got = httpd_header(req, "Authorization");
        if (!secret[0]) {
            httpd_resp_error(resp, 401,
                             "no webhook secret is configured "
                             "(WALLTRACK_WEBHOOK_SECRET); refusing deliveries");
            return 401;
        }
        if ((status = check_throttle(req, resp)) != 0)
            return status;
        if (!got || !str_ct_equal(got, strlen(got), secret, strlen(secret))) {
            if (got)
                httpd_auth_failed(req);
            httpd_resp_error(resp, 401, "missing or wrong Authorization for the webhook");
            return 401;
        }
        if (!a->ctx.env->inbox) {
            httpd_resp_error(resp, 503, "the webhook inbox is not running");
            return 503;
        }
    }
    if ((status = check_query(r, req, resp)) != 0)
        return status;
    if (r->max_body)
        httpd_set_max_body(req, r->max_body);
    req->state = (void *)r;
    return 0;
}

/* ?format=csv on a GET of the API: the route's JSON answer as CSV
 * (base/csv.h: the rows of its list, same filters), with its Content-Type
 * and a filename named after the path. */
static void to_csv(struct httpd_req *req, struct httpd_resp *resp)
{
    if (resp->status != 200 ||
        (resp->content_type && strncmp(resp->content_type, "application/json", 16) != 0))
        return;
    struct buf csv;
    buf_init(&csv, 0);
    char err[256];
    buf_reserve(&resp->body, JSON_PADDING);
    int rc = csv_from_json(resp->body.data ? resp->body.data : "", resp->body.len, resp->body.cap,
                           &csv, err, sizeof err);
    buf_reset(&resp->body);
    if (rc) {
        buf_release(&csv);
        httpd_resp_error(resp, 400, "no CSV form of %s: %s", req->path, err);
        return;
    }
    buf_append(&resp->body, csv.data ? csv.data : "", csv.len);
    buf_release(&csv);
    resp->content_type = "text/csv; charset=utf-8";
    /* walltrack-<path>.csv: /v1/smart-money/wallets -> walltrack-smart-money-wallets.csv */
    char name[128] = "walltrack";
    size_t n = strlen(name);
    const char *p = strncmp(req->path, "/v1/", 4) == 0 ? req->path + 3 : req->path;
    for (; *p && n + 6 < sizeof name; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (ok)
            name[n++] = c;
        else if (n && name[n - 1] != '-')
            name[n++] = '-';
    }
    while (n && name[n - 1] == '-')
        n--;
    snprintf(name + n, sizeof name - n, ".csv");
    char disp[200];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
    httpd_resp_header(resp, "Content-Disposition", disp);
}

static void on_request(void *user, struct httpd_req *req, struct httpd_resp *resp)
{
    struct api *a = user;
    const struct route *r = req->state;
    const char *fmt =
        strcmp(r->method, "GET") == 0 && !r->dashboard ? httpd_query(req, "format") : NULL;
    if (fmt && strcmp(fmt, "json") != 0 && strcmp(fmt, "csv") != 0) {
        httpd_resp_error(resp, 400, "format: expected json or csv, not '%s'", fmt);
        return;
    }
    bool csv = fmt && strcmp(fmt, "csv") == 0;
    if (csv && (r->fn == routes_stream || r->fn == routes_metrics)) {
        httpd_resp_error(resp, 400, "%s has no CSV form", req->path);
        return;
    }
    r->fn(&a->ctx, req, resp);
    if (csv)
        to_csv(req, resp);
}

int api_parse_listen(const char *listen, char *host, size_t hostsize, unsigned *port)
{
    const char *colon;
    const char *hstart = listen;
    size_t hlen;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':')
            return WT_EINVAL;
        hstart = listen + 1;
        hlen = (size_t)(close - hstart);
        colon = close + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon)
            return WT_EINVAL;
        hlen = (size_t)(colon - listen);
    }
    if (hlen == 0 || hlen >= hostsize)
        return WT_EINVAL;
    uint64_t p;
    if (str_to_u64(colon + 1, &p) != 0 || p > 65535)
        return WT_EINVAL;
    memcpy(host, hstart, hlen);
    host[hlen] = '\0';
    *port = (unsigned)p;
    return 0;
}

/* Whether a token may guard a public address: long enough not to be
 * guessed, and only visible ASCII (HTTP trims spaces around a header
 * value, so a token with them could never match; blank is no token). */
static bool token_strong(const char *token)
{
    size_t n = strlen(token);
    if (n < API_TOKEN_MIN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (token[i] <= ' ' || token[i] > '~')
            return false;
    return true;
}

/* Every connection is a file descriptor: raises the soft RLIMIT_NOFILE to
 * the hard limit and returns how many connections fit in it, keeping
 * FD_RESERVE for the database, logs, backups and outgoing HTTP. */
#define FD_RESERVE 256
static unsigned conn_limit(unsigned wanted)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return wanted;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit up = {rl.rlim_max, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl.rlim_cur = rl.rlim_max;
    }
    if (rl.rlim_cur == RLIM_INFINITY)
        return wanted;
    rlim_t room = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : rl.rlim_cur / 2;
    if ((rlim_t)wanted > room) {
        log_warn("api",
                 "server.max_connections %u lowered to %llu to fit the file limit (%llu open "
                 "files; raise it with ulimit -n or LimitNOFILE=)",
                 wanted, (unsigned long long)room, (unsigned long long)rl.rlim_cur);
        return (unsigned)room;
    }
    return wanted;
}

int api_check_token(const char *host, const char *token, char *err, size_t errsize)
{
    bool loopback;
    if (httpd_host_is_loopback(host, &loopback) != 0) {
        snprintf(err, errsize, "'%s' is not an IP address", host);
        return WT_EINVAL;
    }
    if (!loopback && !token[0]) {
        snprintf(err, errsize,
                 "refusing to listen on %s without an API token: set WALLTRACK_API_TOKEN, "
                 "or listen on 127.0.0.1",
                 host);
        return WT_EAUTH;
    }
    if (!loopback && !token_strong(token)) {
        snprintf(err, errsize,
                 "refusing to listen on %s with a weak API token: WALLTRACK_API_TOKEN must be "
                 "at least %d characters of printable ASCII without spaces (e.g. `openssl rand "
                 "-hex 24`), or listen on 127.0.0.1",
                 host, API_TOKEN_MIN);
        return WT_EAUTH;
    }
    return 0;
}

void api_config_copy(struct api *a, struct config *out)
{
    pthread_mutex_lock(&a->ctx.cfg_mu);
    config_copy(out, &a->ctx.cfg);
    pthread_mutex_unlock(&a->ctx.cfg_mu);
}

int api_reload(struct api *a, const struct config *fresh, const enum config_id *ids, size_t n)
{
    int rc = 0;
    pthread_mutex_lock(&a->ctx.cfg_mu);
    for (size_t i = 0; i < n; i++) {
        const struct config_def *d = config_def_of(ids[i]);
        int r = config_set(&a->ctx.cfg, d->name, config_str(fresh, ids[i]),
                           config_source_of(fresh, ids[i]));
        if (r && !rc)
            rc = r;
    }
    pthread_mutex_unlock(&a->ctx.cfg_mu);
    return rc;
}

int api_start(const struct api_env *env, const char *host, unsigned port, struct api **out,
              char *err, size_t errsize)
{
    bool loopback;
    if (httpd_host_is_loopback(host, &loopback) != 0) {
        snprintf(err, errsize, "'%s' is not an IP address", host);
        return WT_EINVAL;
    }
    int trc = api_check_token(host, config_str(env->cfg, CFG_API_TOKEN), err, errsize);
    if (trc)
        return trc;
    struct api *a = xcalloc(1, sizeof *a);
    a->ctx.env = env;
    a->ctx.start_ns = clock_mono_ns();
    pthread_mutex_init(&a->ctx.cfg_mu, NULL);
    pthread_mutex_init(&a->ctx.discovery_mu, NULL);
    config_copy(&a->ctx.cfg, env->cfg);
    routes_backtest_jobs_start(&a->ctx);
    struct httpd_opts o = {
        .host = host,
        .port = port,
        .threads = (unsigned)config_int(env->cfg, CFG_HTTP_THREADS),
        .max_body = (size_t)config_int(env->cfg, CFG_WEBHOOK_MAX_BODY),
        .max_conns = conn_limit((unsigned)config_int(env->cfg, CFG_HTTP_MAX_CONNS)),
        .max_conns_per_addr = (unsigned)config_int(env->cfg, CFG_HTTP_MAX_CONNS_PER_IP),
        .request_timeout_s = (unsigned)config_int(env->cfg, CFG_HTTP_REQUEST_TIMEOUT),
        .max_auth_failures = (unsigned)config_int(env->cfg, CFG_HTTP_MAX_AUTH_FAILURES),
        .on_headers = on_headers,
        .on_request = on_request,
        .user = a,
    };
    int rc = httpd_start(&o, &a->httpd, err, errsize);
    if (rc) {
        routes_backtest_jobs_stop(&a->ctx);
        config_release(&a->ctx.cfg);
        pthread_mutex_destroy(&a->ctx.cfg_mu);
        pthread_mutex_destroy(&a->ctx.discovery_mu);
        free(a);
        return rc;
    }
    *out = a;
    return 0;
}

unsigned api_port(const struct api *a)
{
    return httpd_port(a->httpd);
}

void api_stop(struct api *a)
{
    if (!a)
        return;
    httpd_stop(a->httpd);
    routes_backtest_jobs_stop(&a->ctx); /* cancels and joins the running jobs */
    config_release(&a->ctx.cfg);
    pthread_mutex_destroy(&a->ctx.cfg_mu);
    pthread_mutex_destroy(&a->ctx.discovery_mu);
    free(a);
}

/* ---- helpers of the handlers ------------------------------------------------ */

int64_t api_now_ms(void)
{
    struct clock c;
    clock_init_real(&c);
    return clock_now_ms(&c);
}

bool api_query_i64(struct httpd_req *req, struct httpd_resp *resp, const char *name, int64_t def,
                   int64_t min, int64_t max, int64_t *out)
{
    const char *v = httpd_query(req, name);
    if (!v || !v[0]) {
        *out = def;
        return true;
    }
    int64_t x;
    if (str_to_i64(v, &x) != 0 || x < min || x > max) {
        httpd_resp_error(resp, 400, "query parameter %s: expected an integer in [%lld, %lld]", name,
                         (long long)min, (long long)max);
        return false;
    }
    *out = x;
    return true;
}

struct json_doc *api_body_object(struct httpd_req *req, struct httpd_resp *resp, bool allow_empty,
                                 struct json_val *root)
{
    struct json_doc *d = json_doc_new(16);
    const char *body = req->body.data ? req->body.data : "";
    size_t len = req->body.len;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len && allow_empty) {
        body = "{}";
        len = 2;
    }
    if (json_parse(d, body, len, body == req->body.data ? req->body.cap : 0, root) != 0) {
        httpd_resp_error(resp, 400, "the body is not JSON: %s", json_errmsg(d));
        json_doc_free(d);
        return NULL;
    }
    if (json_type_of(root) != JSON_OBJECT) {
        httpd_resp_error(resp, 400, "the body must be a JSON object");
        json_doc_free(d);
        return NULL;
    }
    return d;
}

void api_param_error(struct httpd_resp *resp, const char *param, const char *msg)
{
    struct jw w;
    buf_reset(&resp->body);
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_kstr(&w, "error", msg);
    jw_kstr(&w, "parameter", param);
    jw_obj_end(&w);
    jw_finish(&w);
    resp->content_type = "application/json";
    resp->status = 400;
}

bool api_int_arg(struct httpd_resp *resp, const char *name, const char *v, int64_t lo, int64_t hi,
                 int64_t def, int64_t *out)
{
    *out = def;
    if (!v)
        return true;
    int64_t x;
    if (str_to_i64(v, &x) != 0 || x < lo || x > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s must be an integer from %lld to %lld, got '%.40s'", name,
                 (long long)lo, (long long)hi, v);
        api_param_error(resp, name, msg);
        return false;
    }
    *out = x;
    return true;
}

void api_store_unavailable(struct httpd_resp *resp, const char *what, int rc)
{
    log_error("api", "%s: store error %s", what, wt_strerror(rc));
    httpd_resp_error(resp, 503, "the database is unavailable, retry later");
}

void api_list_begin(struct jw *w, struct httpd_resp *resp, const char *key)
{
    jw_init(w, &resp->body);
    jw_obj_begin(w);
    jw_karr_begin(w, key);
}

void api_list_end_page(struct jw *w, uint64_t page, uint64_t limit, int64_t total)
{
    jw_arr_end(w);
    jw_kobj_begin(w, "pagination");
    jw_ku64(w, "page", page);
    jw_ku64(w, "limit", limit);
    jw_ki64(w, "total", total);
    jw_obj_end(w);
    jw_obj_end(w);
}

void api_list_end_cursor(struct jw *w, size_t n, int64_t limit, int64_t last_id)
{
    jw_arr_end(w);
    jw_key(w, "next_before");
    if (n == (size_t)limit)
        jw_i64(w, last_id);
    else
        jw_null(w);
    jw_obj_end(w);
}

void api_json_begin(struct jw *w, struct httpd_resp *resp)
{
    jw_init(w, &resp->body);
    jw_obj_begin(w);
}

void api_json_end(struct jw *w, struct httpd_resp *resp)
{
    jw_obj_end(w);
    api_finish(w, resp);
}

void api_finish(struct jw *w, struct httpd_resp *resp)
{
    if (jw_finish(w) == 0)
        resp->status = 200;
    else
        httpd_resp_error(resp, 500, "response too large");
}

void api_cluster_status(struct api_ctx *ctx, struct leader_status *out)
{
    memset(out, 0, sizeof *out);
    out->role = LEADER_SINGLE;
    if (ctx->env->cluster)
        ctx->env->cluster(ctx->env->cluster_ctx, out);
}

bool api_need_runner(struct api_ctx *ctx, struct httpd_resp *resp)
{
    if (ctx->env->runner && runner_active(ctx->env->runner)) {
        struct runner_health h;
        runner_health(ctx->env->runner, &h);
        if (h.warming) {
            httpd_resp_error(resp, 503,
                             "the trading engine is warming up: %zu of %zu stored swaps replayed%s "
                             "(deliveries are stored meanwhile; GET /v1/status shows the progress)",
                             h.warm_done, h.warm_total,
                             h.warm_held ? ", held by the hold file" : "");
            return false;
        }
        if (h.warm_failed) {
            httpd_resp_error(resp, 503, "the trading engine did not start: its warm-up failed (%s)",
                             h.warm_error);
            return false;
        }
        return true;
    }
    if (ctx->env->runner) {
        struct leader_status ls;
        api_cluster_status(ctx, &ls);
        httpd_resp_error(resp, 503,
                         "this node (%s) is a standby: the trading engine runs on the leader%s%s "
                         "(several daemons on one PostgreSQL; docs/operations.md)",
                         ls.node_id, ls.leader_id[0] ? ", " : "", ls.leader_id);
        return false;
    }
    httpd_resp_error(resp, 503, "the trading engine is not running");
    return false;
}

bool api_command_result(struct httpd_resp *resp, int rc, const char *msg)
{
    switch (rc) {
    case 0:
        return true;
    case WT_ENOTFOUND:
        httpd_resp_error(resp, 404, "%s", msg && msg[0] ? msg : "not found");
        break;
    case WT_ESTATE:
        httpd_resp_error(resp, 409, "%s", msg && msg[0] ? msg : "not possible now");
        break;
    case WT_ETIMEOUT:
        httpd_resp_error(resp, 504, "the engine did not apply the command in time");
        break;
    case WT_ECLOSED:
        httpd_resp_error(resp, 503, "the engine is stopping");
        break;
    case WT_EBUSY: /* warming up (runner_command) */
        httpd_resp_error(resp, 503, "%s", msg && msg[0] ? msg : "the engine is busy");
        break;
    default:
        httpd_resp_error(resp, 400, "%s", msg && msg[0] ? msg : wt_strerror(rc));
        break;
    }
    return false;
}
