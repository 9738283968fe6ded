/* The smart-money API: GET /v1/smart-money/wallets (the spec's filters,
 * sorting and pagination), a wallet's detail with open positions, its
 * trades, performance snapshots and trade patterns, and the operator's
 * curation (watch, unwatch, verify, blacklist, name).
 *
 * Every parameter is checked before anything is read: an unknown, repeated
 * or malformed one gets 400 with {"error": ..., "parameter": name}; an
 * address that is not a public key 400 with parameter "address"; a wallet
 * the store does not know 404. Reads go to the store's reader pool; the
 * curation actions are single statements (intel/curation.h). docs/api.md
 * and docs/openapi.json describe every route. */
#include "api/routes.h"
#include "trade/watchsync.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/wallet_json.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "ingest/hooksync.h"
#include "intel/curation.h"
#include "intel/profile.h"
#include "intel/similar.h"
#include "solana/pubkey.h"
#include "store/store.h"

#define PREFIX         "/v1/smart-money/wallets/"
#define LIST_LIMIT_MAX 100
#define LIST_LIMIT_DEF 20
#define PAGE_MAX       1000000
#define TRADES_LIMIT   500
#define ROWS_LIMIT     1000

/* 400 naming the bad parameter. */
static void bad_param(struct httpd_resp *resp, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void bad_param(struct httpd_resp *resp, const char *param, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    api_param_error(resp, param, msg);
}

static void store_failed(struct httpd_resp *resp, int rc)
{
    api_store_unavailable(resp, "smart-money API", rc);
}

/* ------------------------------------------------------------ parameters */

/* The query string, checked against a list of known parameters: unknown
 * names and repeats (except `repeatable`) are errors. */
#define MAX_PARAMS 16

struct params {
    const char *const *known;
    const char *repeatable;
    const char *name[MAX_PARAMS];
    const char *value[MAX_PARAMS];
    unsigned n;
    const char *bad;     /* first offending name */
    const char *problem; /* "unknown" or "repeated" */
};

static int collect(void *ctx, const char *name, const char *value)
{
    struct params *p = ctx;
    if (strcmp(name, "format") == 0) /* ?format=json|csv: api.c's, checked there */
        return 0;
    bool known = false;
    for (const char *const *k = p->known; *k; k++)
        if (strcmp(*k, name) == 0)
            known = true;
    if (!known) {
        p->bad = name;
        p->problem = "unknown parameter";
        return 1;
    }
    if (!p->repeatable || strcmp(name, p->repeatable) != 0)
        for (unsigned i = 0; i < p->n; i++)
            if (strcmp(p->name[i], name) == 0) {
                p->bad = name;
                p->problem = "parameter given more than once";
                return 1;
            }
    if (p->n == MAX_PARAMS) {
        p->bad = name;
        p->problem = "too many parameters";
        return 1;
    }
    p->name[p->n] = name;
    p->value[p->n++] = value ? value : "";
    return 0;
}

static bool read_params(struct httpd_req *req, struct httpd_resp *resp, struct params *p)
{
    httpd_query_each(req, collect, p);
    if (p->bad) {
        char shown[64];
        str_copy(shown, sizeof shown, p->bad);
        bad_param(resp, shown, "%s '%s'", p->problem, shown);
        return false;
    }
    return true;
}

static const char *param(const struct params *p, const char *name)
{
    for (unsigned i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}

/* An integer parameter in [lo, hi]; def when absent. */
static bool int_param(const struct params *p, struct httpd_resp *resp, const char *name, int64_t lo,
                      int64_t hi, int64_t def, int64_t *out)
{
    return api_int_arg(resp, name, param(p, name), lo, hi, def, out);
}

/* A parameter that is one of two words: *out is true for yes, false for
 * no, unchanged when absent. Returns 1 when given, 0 when absent, -1 with
 * 400 written for any other word. */
static int word_param(const struct params *p, struct httpd_resp *resp, const char *name,
                      const char *yes, const char *no, bool *out)
{
    const char *v = param(p, name);
    if (v == NULL)
        return 0;
    if (strcmp(v, yes) != 0 && strcmp(v, no) != 0) {
        bad_param(resp, name, "%s must be %s or %s, got '%.40s'", name, yes, no, v);
        return -1;
    }
    *out = strcmp(v, yes) == 0;
    return 1;
}

/* ------------------------------------------------------------ list */

static const char *const list_params[] = {
    "chains", "minScore", "verified", "walletType", "sortBy", "sortOrder", "page", "limit", NULL};

#define CHAIN_BUF 256

void routes_wallets_list(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    struct params p = {.known = list_params, .repeatable = "chains"};
    if (!read_params(req, resp, &p))
        return;
    struct wallet_filter f;
    memset(&f, 0, sizeof f);
    f.sort = WALLET_SORT_SCORE;
    f.ascending = false;

    /* chains: comma-separated and/or repeated. */
    char chains[CHAIN_BUF];
    size_t used = 0;
    for (unsigned i = 0; i < p.n; i++) {
        if (strcmp(p.name[i], "chains") != 0)
            continue;
        const char *v = p.value[i];
        if (!*v) {
            bad_param(resp, "chains", "chains must list chain ids separated by commas");
            return;
        }
        while (*v) {
            const char *comma = strchr(v, ',');
            size_t len = comma ? (size_t)(comma - v) : strlen(v);
            if (len == 0 || len >= WALLET_CHAIN_MAX || used + len + 1 > sizeof chains) {
                bad_param(resp, "chains", "chains: empty or too long chain id");
                return;
            }
            if (f.nchains == WALLET_FILTER_CHAINS_MAX) {
                bad_param(resp, "chains", "chains: at most %d chains", WALLET_FILTER_CHAINS_MAX);
                return;
            }
            for (size_t k = 0; k < len; k++)
                if (!((v[k] >= 'a' && v[k] <= 'z') || (v[k] >= '0' && v[k] <= '9') || v[k] == '-' ||
                      v[k] == '_')) {
                    bad_param(resp, "chains",
                              "chains: chain ids are lower-case letters, digits, '-' and '_'");
                    return;
                }
            memcpy(chains + used, v, len);
            chains[used + len] = '\0';
            f.chains[f.nchains++] = chains + used;
            used += len + 1;
            v += len;
            if (*v == ',') {
                v++;
                if (!*v) {
                    bad_param(resp, "chains", "chains: empty chain id after ','");
                    return;
                }
            }
        }
    }
    const char *v;
    if ((v = param(&p, "minScore")) != NULL) {
        double x;
        if (str_to_double(v, &x) != 0 || !(x >= 0 && x <= 100)) {
            bad_param(resp, "minScore", "minScore must be a number from 0 to 100, got '%.40s'", v);
            return;
        }
        f.has_min_score = true;
        f.min_score = x;
    }
    int given = word_param(&p, resp, "verified", "true", "false", &f.verified);
    if (given < 0)
        return;
    f.has_verified = given > 0;
    if ((v = param(&p, "walletType")) != NULL) {
        if (!curation_type_ok(v)) {
            bad_param(resp, "walletType",
                      "walletType must be whale, fund, trader or protocol, got '%.40s'", v);
            return;
        }
        str_copy(f.type, sizeof f.type, v);
    }
    if ((v = param(&p, "sortBy")) != NULL) {
        static const char *const sorts[] = {"score", "roi", "pnl", "trades", "copierEv"};
        bool ok = false;
        for (int i = 0; i < 5; i++)
            if (strcmp(v, sorts[i]) == 0) {
                f.sort = (enum wallet_sort)i;
                ok = true;
            }
        if (!ok) {
            bad_param(resp, "sortBy",
                      "sortBy must be score, roi, pnl, trades or copierEv, got '%.40s'", v);
            return;
        }
    }
    if (word_param(&p, resp, "sortOrder", "asc", "desc", &f.ascending) < 0)
        return;
    int64_t page, limit;
    if (!int_param(&p, resp, "page", 1, PAGE_MAX, 1, &page) ||
        !int_param(&p, resp, "limit", 1, LIST_LIMIT_MAX, LIST_LIMIT_DEF, &limit))
        return;
    f.page = (uint32_t)page;
    f.limit = (uint32_t)limit;

    struct wallet_page pg;
    int rc = store_wallet_list(ctx->env->store, &f, &pg);
    if (rc != 0) {
        store_failed(resp, rc);
        return;
    }
    struct jw w;
    jw_init(&w, &resp->body);
    wallet_json_page(&w, &pg, f.page, f.limit);
    wallet_page_release(&pg);
    api_finish(&w, resp);
}

/* ------------------------------------------------------------ one wallet */

/* Splits PREFIX<address>[/<sub>] into address and sub ("" when none).
 * Returns false (404 written) for anything else. */
static bool split_path(const char *path, struct httpd_resp *resp, char *address, size_t asize,
                       char *sub, size_t ssize)
{
    const char *rest = path + strlen(PREFIX);
    const char *slash = strchr(rest, '/');
    size_t alen = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *s = slash ? slash + 1 : "";
    if (alen >= asize || strlen(s) >= ssize || strchr(s, '/')) {
        httpd_resp_error(resp, 404, "no such endpoint: %.200s", path);
        return false;
    }
    memcpy(address, rest, alen);
    address[alen] = '\0';
    str_copy(sub, ssize, s);
    return true;
}

static bool address_ok(const char *address, struct httpd_resp *resp, struct pubkey *out)
{
    if (pubkey_parse(address, out) != 0) {
        bad_param(resp, "address", "'%.60s' is not a wallet address (a base58 public key)",
                  address);
        return false;
    }
    return true;
}

/* The checks every request on one wallet passes, in this order: the
 * address is a public key (into *k), then the query names only p->known
 * parameters (into *p). Returns false with 400 written. */
static bool wallet_request_ok(struct httpd_req *req, struct httpd_resp *resp, const char *address,
                              struct pubkey *k, struct params *p)
{
    return address_ok(address, resp, k) && read_params(req, resp, p);
}

/* Reads the wallet or answers 404 / 503. */
static bool load_wallet(struct api_ctx *ctx, const char *address, struct httpd_resp *resp,
                        struct wallet *out)
{
    int rc = store_wallet_get(ctx->env->store, address, out);
    if (rc == WT_ENOTFOUND) {
        httpd_resp_error(resp, 404, "unknown wallet %s", address);
        return false;
    }
    if (rc != 0) {
        store_failed(resp, rc);
        return false;
    }
    return true;
}

static const char *const no_params[] = {NULL};

/* The wallet's replayed history (release it). Returns false with 503
 * written when the store fails. */
static bool load_history(struct api_ctx *ctx, const struct pubkey *k, struct wallet_history *h,
                         struct httpd_resp *resp)
{
    int rc = profile_wallet_history(ctx->env->store, k, h);
    if (rc != 0)
        store_failed(resp, rc);
    return rc == 0;
}

static void get_detail(struct api_ctx *ctx, const struct wallet *x, const struct pubkey *k,
                       struct httpd_resp *resp)
{
    struct wallet_history h;
    if (!load_history(ctx, k, &h, resp))
        return;
    struct jw w;
    jw_init(&w, &resp->body);
    wallet_json_detail_begin(&w, x);
    int rc = wallet_json_positions(&w, ctx->env->store, &h);
    jw_ku64(&w, "swaps", h.swaps.len);
    if (rc == 0) /* the wallet graph: its cluster and edges */
        rc = routes_clusters_of_wallet(&w, ctx->env->store, x->address);
    jw_obj_end(&w);
    wallet_history_release(&h);
    if (rc != 0) {
        buf_reset(&resp->body);
        store_failed(resp, rc);
        return;
    }
    api_finish(&w, resp);
}

static const char *const trade_params[] = {"page", "limit", NULL};

static void get_trades(struct api_ctx *ctx, const struct pubkey *k, const struct params *p,
                       struct httpd_resp *resp)
{
    int64_t page, limit;
    if (!int_param(p, resp, "page", 1, PAGE_MAX, 1, &page) ||
        !int_param(p, resp, "limit", 1, TRADES_LIMIT, 50, &limit))
        return;
    struct wallet_history h;
    if (!load_history(ctx, k, &h, resp))
        return;
    struct jw w;
    api_list_begin(&w, resp, "trades");
    size_t total = h.swaps.len;
    uint64_t skip = (uint64_t)(page - 1) * (uint64_t)limit;
    for (uint64_t i = skip; i < total && i < skip + (uint64_t)limit; i++)
        wallet_json_trade(&w, &h, total - 1 - i); /* newest first */
    api_list_end_page(&w, (uint64_t)page, (uint64_t)limit, (int64_t)total);
    wallet_history_release(&h);
    api_finish(&w, resp);
}

static const char *const rows_params[] = {"after", "limit", NULL};
static const char *const pattern_params[] = {"after", "limit", "type", NULL};

static void get_rows(struct api_ctx *ctx, enum store_table t, const char *address,
                     const struct params *p, struct httpd_resp *resp)
{
    int64_t after, limit;
    if (!int_param(p, resp, "after", 0, INT64_MAX, 0, &after) ||
        !int_param(p, resp, "limit", 1, ROWS_LIMIT, 100, &limit))
        return;
    const char *type = param(p, "type");
    if (type && strcmp(type, "accumulation") != 0 && strcmp(type, "distribution") != 0 &&
        strcmp(type, "rotation") != 0 && strcmp(type, "arbitrage") != 0) {
        bad_param(resp, "type",
                  "type must be accumulation, distribution, rotation or arbitrage, got '%.40s'",
                  type);
        return;
    }
    size_t rs = store_row_size(t);
    void *rows = xcalloc((size_t)limit, rs);
    struct row_query q = {.key = address, .after_id = after, .limit = (uint32_t)limit};
    size_t n = 0;
    int rc = store_row_list(ctx->env->store, t, &q, rows, &n);
    if (rc != 0) {
        free(rows);
        store_failed(resp, rc);
        return;
    }
    struct jw w;
    api_json_begin(&w, resp);
    jw_key(&w, t == STORE_T_SNAPSHOTS ? "snapshots" : "patterns");
    jw_arr_begin(&w);
    int64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        if (t == STORE_T_SNAPSHOTS) {
            const struct wallet_snapshot_row *s = (const struct wallet_snapshot_row *)rows + i;
            wallet_json_snapshot(&w, s);
            last = s->id;
        } else {
            const struct trade_pattern_row *r = (const struct trade_pattern_row *)rows + i;
            last = r->id;
            if (!type || strcmp(type, r->type) == 0)
                wallet_json_pattern(&w, r);
        }
    }
    jw_arr_end(&w);
    jw_key(&w, "next");
    if (n == (size_t)limit)
        jw_i64(&w, last); /* pass as `after` for the next page */
    else
        jw_null(&w);
    jw_obj_end(&w);
    free(rows);
    api_finish(&w, resp);
}

static const char *const similar_params[] = {"limit", NULL};

/* GET .../{address}/similar: the wallets that trade most like it
 * (intel/similar.h). */
static void get_similar(struct api_ctx *ctx, const char *address, struct params *p,
                        struct httpd_resp *resp)
{
    int64_t limit;
    if (!int_param(p, resp, "limit", 1, 50, 10, &limit))
        return;
    struct wallet *rows = xcalloc((size_t)limit, sizeof *rows);
    double dist[50];
    size_t n = 0, cands = 0;
    int rc = similar_from_store(ctx->env->store, address, (size_t)limit, rows, dist, &n, &cands);
    if (rc == WT_ESTATE) {
        httpd_resp_error(resp, 409,
                         "wallet %s has no behaviour vector: it needs %d closed round trips and "
                         "a discovery run since this version",
                         address, SIMILAR_MIN_TRIPS);
        free(rows);
        return;
    }
    if (rc != 0) {
        store_failed(resp, rc);
        free(rows);
        return;
    }
    struct jw w;
    api_json_begin(&w, resp);
    jw_kstr(&w, "walletAddress", address);
    jw_ku64(&w, "candidates", cands);
    jw_karr_begin(&w, "features");
    for (int i = 0; i < SIMILAR_DIMS; i++)
        jw_str(&w, similar_feature_names[i]);
    jw_arr_end(&w);
    wallet_json_similar(&w, rows, dist, n);
    jw_obj_end(&w);
    free(rows);
    api_finish(&w, resp);
}

/* The GET routes below /v1/smart-money/wallets/{address}: the word after
 * the address ("" for the wallet itself) and the query parameters each
 * takes. */
struct wallet_get {
    const char *sub;
    enum { DETAIL, TRADES, PERF, PATTERNS, SIMILAR } what;
    const char *const *known;
};

static const struct wallet_get wallet_gets[] = {
    {"", DETAIL, no_params},
    {"trades", TRADES, trade_params},
    {"performance", PERF, rows_params},
    {"patterns", PATTERNS, pattern_params},
    {"similar", SIMILAR, similar_params},
};

void routes_wallets_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    char address[BASE58_KEY_MAX + 8], sub[24];
    if (!split_path(req->path, resp, address, sizeof address, sub, sizeof sub))
        return;
    const struct wallet_get *g = NULL;
    for (size_t i = 0; i < sizeof wallet_gets / sizeof *wallet_gets && !g; i++)
        if (strcmp(wallet_gets[i].sub, sub) == 0)
            g = &wallet_gets[i];
    if (!g) {
        httpd_resp_error(resp, 404, "no such endpoint: %.200s", req->path);
        return;
    }
    struct pubkey k;
    struct params p = {.known = g->known};
    if (!wallet_request_ok(req, resp, address, &k, &p))
        return;
    struct wallet x;
    if (!load_wallet(ctx, address, resp, &x))
        return;
    switch (g->what) {
    case DETAIL:
        get_detail(ctx, &x, &k, resp);
        break;
    case TRADES:
        get_trades(ctx, &k, &p, resp);
        break;
    case PERF:
        get_rows(ctx, STORE_T_SNAPSHOTS, address, &p, resp);
        break;
    case PATTERNS:
        get_rows(ctx, STORE_T_PATTERNS, address, &p, resp);
        break;
    case SIMILAR:
        get_similar(ctx, address, &p, resp);
        break;
    }
}

/* ------------------------------------------------------------ curation */

/* The request body as a JSON object; an empty body is an empty object
 * when allow_empty. Returns the doc (free it) and the root, or NULL with
 * 400 written. */
static struct json_doc *body_object(struct httpd_req *req, struct httpd_resp *resp,
                                    struct json_val *root, bool allow_empty)
{
    const char *b = req->body.data ? req->body.data : "";
    size_t n = req->body.len;
    size_t i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
        i++;
    size_t cap = req->body.cap;
    if (i == n && allow_empty) {
        b = "{}";
        n = 2;
        cap = 0;
    }
    struct json_doc *d = json_doc_new(8);
    if ((i < n || allow_empty) && json_parse(d, b, n, cap, root) == 0 &&
        json_type_of(root) == JSON_OBJECT)
        return d;
    json_doc_free(d);
    bad_param(resp, "body", "the request body must be a JSON object");
    return NULL;
}

/* A curation request names a wallet and takes no query parameters.
 * Returns false with 400 written. */
static bool curation_request_ok(struct httpd_req *req, struct httpd_resp *resp, const char *address)
{
    struct pubkey k;
    struct params p = {.known = no_params};
    return wallet_request_ok(req, resp, address, &k, &p);
}

static void answer_curation(struct api_ctx *ctx, const char *address, const struct curation *c,
                            struct httpd_resp *resp)
{
    struct wallet x;
    const char *what = NULL;
    struct clock clk;
    clock_init_real(&clk);
    int rc = curation_apply(ctx->env->store, address, c, clock_now_ms(&clk), &x, &what);
    if (rc == WT_EINVAL) {
        bad_param(resp, what ? what : "body", "invalid %s", what ? what : "request");
        return;
    }
    if (rc == WT_ENOTFOUND) {
        httpd_resp_error(resp, 404, "unknown wallet %s", address);
        return;
    }
    if (rc != 0) {
        store_failed(resp, rc);
        return;
    }
    /* The engine learns of the decision now, not at its next start. */
    if (ctx->env->runner && watchsync_run(ctx->env->runner, ctx->env->store, NULL) != 0)
        log_warn("api", "curation of %s stored, but the engine's watchlist sync failed", address);
    hooksync_notify(ctx->env->hooksync); /* Helius follows, after the debounce */
    struct jw w;
    jw_init(&w, &resp->body);
    wallet_json_detail_begin(&w, &x);
    api_json_end(&w, resp);
}

void routes_wallets_post(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    char address[BASE58_KEY_MAX + 8], sub[24];
    if (!split_path(req->path, resp, address, sizeof address, sub, sizeof sub))
        return;
    static const struct {
        const char *sub;
        enum curation_action action;
    } posts[] = {{"watch", CURATE_WATCH},
                 {"unwatch", CURATE_UNWATCH},
                 {"verify", CURATE_VERIFY},
                 {"blacklist", CURATE_BLACKLIST}};
    struct curation c = {0}; /* action 0: no such route */
    for (size_t i = 0; i < sizeof posts / sizeof *posts; i++)
        if (strcmp(posts[i].sub, sub) == 0)
            c.action = posts[i].action;
    if (c.action == 0) {
        httpd_resp_error(resp, 404, "no such endpoint: POST %.200s", req->path);
        return;
    }
    if (!curation_request_ok(req, resp, address))
        return;
    c.verified = true;
    if (c.action == CURATE_VERIFY) {
        struct json_val root;
        struct json_doc *d = body_object(req, resp, &root, true);
        if (!d)
            return;
        int rc = json_opt_bool(&root, "verified", &c.verified);
        json_doc_free(d);
        if (rc != 0 && rc != WT_ENOTFOUND) {
            bad_param(resp, "verified", "verified must be true or false");
            return;
        }
    }
    answer_curation(ctx, address, &c, resp);
}

void routes_wallets_put(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    char address[BASE58_KEY_MAX + 8], sub[24];
    if (!split_path(req->path, resp, address, sizeof address, sub, sizeof sub))
        return;
    if (strcmp(sub, "name") != 0) {
        httpd_resp_error(resp, 404, "no such endpoint: PUT %.200s", req->path);
        return;
    }
    if (!curation_request_ok(req, resp, address))
        return;
    struct json_val root;
    struct json_doc *d = body_object(req, resp, &root, false);
    if (!d)
        return;
    const char *name = NULL, *type = NULL;
    char namebuf[WALLET_NAME_MAX], typebuf[WALLET_WORD_MAX];
    if (json_get_str(&root, "name", &name, NULL) != 0 || !curation_name_ok(name)) {
        json_doc_free(d);
        bad_param(resp, "name",
                  "name must be a string of at most %d bytes without control characters",
                  WALLET_NAME_MAX - 1);
        return;
    }
    str_copy(namebuf, sizeof namebuf, name);
    int rc = json_opt_str(&root, "walletType", &type, NULL);
    if ((rc != 0 && rc != WT_ENOTFOUND) || (rc == 0 && !curation_type_ok(type))) {
        json_doc_free(d);
        bad_param(resp, "walletType", "walletType must be whale, fund, trader or protocol");
        return;
    }
    if (rc == 0)
        str_copy(typebuf, sizeof typebuf, type);
    json_doc_free(d);
    struct curation c = {.action = CURATE_NAME, .name = namebuf, .type = rc == 0 ? typebuf : NULL};
    answer_curation(ctx, address, &c, resp);
}
