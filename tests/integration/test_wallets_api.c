/* Integration tests of the smart-money API against the real daemon on a
 * populated SQLite file: a small simulated market generated, imported and
 * discovered with the real CLI, then `walltrack serve` over real HTTP.
 *
 * Checks the list's exact shape, every sort key in both directions with
 * its tie-break, every filter against the full listing, pagination
 * (pages partition the list, a page past the end is empty), every bad
 * parameter (400 naming it), the detail, trades, performance and patterns
 * routes, curation over HTTP and the CLI, that curation persists across a
 * restart and a new discovery run, the API token, and GET /v1/openapi.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "harness.h"

static struct daemon d;
static int64_t n_wallets;   /* wallets in the store */
static char watched[3][64]; /* three watched wallets, best first */
static const char *const base = "/v1/smart-money/wallets";

/* ------------------------------------------------------------ helpers */

struct reply {
    long status;
    struct buf body;
    struct json_doc *doc;
    struct json_val root;
};

static void request(struct reply *r, const char *method, const char *path, const char *body)
{
    buf_init(&r->body, 0);
    r->status = http_request(d.port, method, path, NULL, body, body ? strlen(body) : 0, &r->body);
    r->doc = json_doc_new(0);
    if (json_parse(r->doc, r->body.data ? r->body.data : "", r->body.len, 0, &r->root) != 0)
        fail_msg("%s %s: not JSON: %.300s", method, path, r->body.data ? r->body.data : "");
}

static void get(struct reply *r, const char *path)
{
    request(r, "GET", path, NULL);
}

static void release(struct reply *r)
{
    json_doc_free(r->doc);
    buf_release(&r->body);
}

static int run_cli(const char *const *argv, struct buf *out)
{
    return harness_run(d.dir, argv, NULL, 120, out);
}

/* A number at a dotted path of an object ("performance.roiAllTime"). */
static double num_at(const struct json_val *o, const char *path)
{
    char key[64];
    const char *dot = strchr(path, '.');
    struct json_val v;
    if (dot) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
        assert_int_equal(json_get(o, key, &v), 0);
        return num_at(&v, dot + 1);
    }
    double x;
    assert_int_equal(json_get_double(o, path, &x), 0);
    return x;
}

static const char *str_at(const struct json_val *o, const char *key)
{
    const char *s;
    assert_int_equal(json_get_str(o, key, &s, NULL), 0);
    return s;
}

/* Checks that an object has exactly these keys, in this order. */
static void exact_keys(const struct json_val *o, const char *const *keys)
{
    struct json_iter it;
    struct json_val v;
    assert_int_equal(json_iter_init(o, &it), 0);
    size_t i = 0;
    while (json_iter_next(&it, &v)) {
        assert_non_null(keys[i]);
        if (strlen(keys[i]) != v.keylen || memcmp(keys[i], v.key, v.keylen) != 0)
            fail_msg("key %zu is '%.*s', expected '%s'", i, (int)v.keylen, v.key, keys[i]);
        i++;
    }
    assert_null(keys[i]);
}

static void expect_bad(const char *query, const char *param)
{
    char path[512];
    snprintf(path, sizeof path, "%s?%s", base, query);
    struct reply r;
    get(&r, path);
    if (r.status != 400)
        fail_msg("%s: status %ld, expected 400", path, r.status);
    assert_string_equal(str_at(&r.root, "parameter"), param);
    assert_non_null(strstr(str_at(&r.root, "error"), param));
    release(&r);
}

/* ------------------------------------------------------------ fixture */

static int setup(void **state)
{
    (void)state;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    struct buf out;
    buf_init(&out, 0);
    /* The bull market: the fixture needs ten watched wallets, and a
     * calibrated day of 100 launches has about one winner to find them by. */
    const char *gen[] = {
        "sim", "generate", "--seed", "9",     "--wallets", "500", "--tokens-per-day",
        "100", "--preset", "bull",   "--out", "sim",       NULL};
    const char *imp[] = {"import", "--data", "data", "sim/transactions.ndjson", NULL};
    const char *disc[] = {"discover", "--data", "data", "--top-k", "10", NULL};
    if (run_cli(gen, &out) != 0 || run_cli(imp, &out) != 0 || run_cli(disc, &out) != 0) {
        fprintf(stderr, "%s\n", out.data);
        return -1;
    }
    /* The three best watched wallets, from the CLI. */
    buf_reset(&out);
    const char *list[] = {"wallets", "list", "--status", "watch", "--json", "--data", "data", NULL};
    if (run_cli(list, &out) != 0)
        return -1;
    struct json_doc *doc = json_doc_new(0);
    struct json_val root, ws, w;
    const char *a;
    int rc = json_parse(doc, out.data, out.len, 0, &root) || json_get(&root, "wallets", &ws) ||
             json_size(&ws) != 10;
    for (size_t i = 0; rc == 0 && i < 3; i++) {
        rc = json_index(&ws, i, &w) || json_get_str(&w, "walletAddress", &a, NULL);
        if (rc == 0)
            snprintf(watched[i], sizeof watched[i], "%s", a);
    }
    json_doc_free(doc);
    buf_release(&out);
    if (rc != 0)
        return -1;
    const char *args[] = {"--set", "discovery.interval_min=0", NULL};
    return daemon_restart(&d, args, NULL);
}

static int teardown(void **state)
{
    (void)state;
    int rc = daemon_stop(&d, SIGTERM);
    harness_rmdir(d.dir);
    return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ list */

static void test_list_shape_and_default_order(void **state)
{
    (void)state;
    struct reply r;
    get(&r, base);
    assert_int_equal(r.status, 200);
    static const char *const top[] = {"wallets", "pagination", NULL};
    exact_keys(&r.root, top);
    struct json_val pag, ws, w, sub;
    assert_int_equal(json_get(&r.root, "pagination", &pag), 0);
    static const char *const pk[] = {"page", "limit", "total", NULL};
    exact_keys(&pag, pk);
    assert_int_equal((int)num_at(&pag, "page"), 1);
    assert_int_equal((int)num_at(&pag, "limit"), 20);
    n_wallets = (int64_t)num_at(&pag, "total");
    assert_true(n_wallets > 200);
    assert_int_equal(json_get(&r.root, "wallets", &ws), 0);
    assert_int_equal(json_size(&ws), 20);
    static const char *const item[] = {"walletAddress", "chainId", "walletName",  "walletType",
                                       "verified",      "scoring", "performance", "activity",
                                       "behavioral",    NULL};
    static const char *const scoring[] = {"smartMoneyScore", "confidenceLevel", NULL};
    static const char *const perf[] = {"totalPnl",
                                       "roiAllTime",
                                       "winRate",
                                       "sharpeRatio",
                                       "maxDrawdown",
                                       "realizedPnl",
                                       "unrealizedPnl",
                                       "unrealizedPriceTimestamp",
                                       "maxDrawdownSol",
                                       "copierEv",
                                       "copierPnl",
                                       "copierBuys",
                                       NULL};
    static const char *const act[] = {"totalTrades", "avgTradeSize", "avgHoldingPeriodDays",
                                      "lastTradeTimestamp", NULL};
    static const char *const beh[] = {"tradingStyle", "riskProfile", "preferredTokens",
                                      "preferredProtocols", NULL};
    double prev = 101;
    for (size_t i = 0; i < json_size(&ws); i++) {
        assert_int_equal(json_index(&ws, i, &w), 0);
        exact_keys(&w, item);
        assert_int_equal(json_get(&w, "scoring", &sub), 0);
        exact_keys(&sub, scoring);
        assert_int_equal(json_get(&w, "performance", &sub), 0);
        exact_keys(&sub, perf);
        /* docs/metrics.md: total = realized + unrealized; a win rate
         * under 5 round trips and a Sharpe under 7 active days are null
         * (the simulated market is 1 day long: every Sharpe is null). */
        double total = num_at(&sub, "totalPnl");
        assert_true(fabs(total - num_at(&sub, "realizedPnl") - num_at(&sub, "unrealizedPnl")) <
                    1e-6 * (1 + fabs(total)));
        struct json_val wr, sh;
        assert_int_equal(json_get(&sub, "winRate", &wr), 0);
        assert_int_equal(json_get(&sub, "sharpeRatio", &sh), 0);
        assert_int_equal(json_type_of(&sh), JSON_NULL);
        /* copier expectancy: SOL per copied buy, null without one */
        struct json_val cb;
        assert_int_equal(json_get(&sub, "copierBuys", &cb), 0);
        double buys = num_at(&sub, "copierBuys");
        if (buys > 0)
            assert_true(fabs(num_at(&sub, "copierEv") * buys - num_at(&sub, "copierPnl")) <
                        1e-6 * (1 + fabs(num_at(&sub, "copierPnl"))));
        double trades = num_at(&w, "activity.totalTrades");
        if (trades < 5)
            assert_int_equal(json_type_of(&wr), JSON_NULL);
        else
            assert_int_not_equal(json_type_of(&wr), JSON_NULL);
        assert_int_equal(json_get(&w, "activity", &sub), 0);
        exact_keys(&sub, act);
        assert_int_equal(json_get(&w, "behavioral", &sub), 0);
        exact_keys(&sub, beh);
        struct json_val arr;
        assert_int_equal(json_get(&sub, "preferredTokens", &arr), 0);
        assert_int_equal(json_type_of(&arr), JSON_ARRAY);
        assert_string_equal(str_at(&w, "chainId"), "solana");
        double s = num_at(&w, "scoring.smartMoneyScore");
        assert_true(s <= prev && s >= 0 && s <= 100);
        prev = s;
    }
    release(&r);
}

/* Every sort key, both directions: the key is monotonic, ties by address
 * ascending. */
static void test_sorting(void **state)
{
    (void)state;
    static const char *const keys[] = {"score", "roi", "pnl", "trades", "copierEv"};
    static const char *const field[] = {"scoring.smartMoneyScore", "performance.roiAllTime",
                                        "performance.totalPnl", "activity.totalTrades",
                                        "performance.copierEv"};
    for (int k = 0; k < 5; k++)
        for (int asc = 0; asc < 2; asc++) {
            char path[256];
            snprintf(path, sizeof path, "%s?sortBy=%s&sortOrder=%s&limit=100", base, keys[k],
                     asc ? "asc" : "desc");
            struct reply r;
            get(&r, path);
            assert_int_equal(r.status, 200);
            struct json_val ws, w;
            assert_int_equal(json_get(&r.root, "wallets", &ws), 0);
            assert_int_equal(json_size(&ws), 100);
            double prev = 0;
            char prev_addr[64] = "";
            for (size_t i = 0; i < json_size(&ws); i++) {
                assert_int_equal(json_index(&ws, i, &w), 0);
                /* copierEv is null without a copied buy, stored (and
                 * sorted) as 0 */
                struct json_val perf, ev;
                double v;
                if (k == 4) {
                    assert_int_equal(json_get(&w, "performance", &perf), 0);
                    assert_int_equal(json_get(&perf, "copierEv", &ev), 0);
                    v = json_type_of(&ev) == JSON_NULL ? 0 : num_at(&w, field[k]);
                } else {
                    v = num_at(&w, field[k]);
                }
                const char *a = str_at(&w, "walletAddress");
                if (i > 0) {
                    if (asc ? v < prev : v > prev)
                        fail_msg("%s: %s out of order at %zu", path, field[k], i);
                    if (v == prev)
                        assert_true(strcmp(prev_addr, a) < 0);
                }
                prev = v;
                snprintf(prev_addr, sizeof prev_addr, "%s", a);
            }
            release(&r);
        }
}

/* Collects every address of a listing, page by page. */
static size_t collect(const char *query, int limit, char (*out)[64], size_t cap, int64_t *total)
{
    size_t n = 0;
    for (int page = 1;; page++) {
        char path[512];
        snprintf(path, sizeof path, "%s?%s%slimit=%d&page=%d", base, query, query[0] ? "&" : "",
                 limit, page);
        struct reply r;
        get(&r, path);
        assert_int_equal(r.status, 200);
        struct json_val ws, w;
        assert_int_equal(json_get(&r.root, "wallets", &ws), 0);
        *total = (int64_t)num_at(&r.root, "pagination.total");
        size_t got = json_size(&ws);
        for (size_t i = 0; i < got && n < cap; i++) {
            assert_int_equal(json_index(&ws, i, &w), 0);
            snprintf(out[n++], 64, "%s", str_at(&w, "walletAddress"));
        }
        release(&r);
        if (got < (size_t)limit)
            break;
    }
    return n;
}

static void test_pagination(void **state)
{
    (void)state;
    static char small[2000][64], big[2000][64];
    int64_t t1, t2;
    size_t a = collect("sortBy=pnl", 7, small, 2000, &t1);
    size_t b = collect("sortBy=pnl", 100, big, 2000, &t2);
    assert_int_equal(t1, n_wallets);
    assert_int_equal(t2, n_wallets);
    assert_int_equal(a, (size_t)n_wallets);
    assert_int_equal(b, (size_t)n_wallets);
    for (size_t i = 0; i < a; i++)
        assert_string_equal(small[i], big[i]); /* pages partition the same order */
    /* a page past the end: empty, same total */
    char path[256];
    snprintf(path, sizeof path, "%s?limit=100&page=%lld", base, (long long)(n_wallets / 100 + 2));
    struct reply r;
    get(&r, path);
    assert_int_equal(r.status, 200);
    struct json_val ws;
    assert_int_equal(json_get(&r.root, "wallets", &ws), 0);
    assert_int_equal(json_size(&ws), 0);
    assert_int_equal((int64_t)num_at(&r.root, "pagination.total"), n_wallets);
    release(&r);
}

static void test_filters(void **state)
{
    (void)state;
    /* Mark some wallets through the CLI: two verified, one a fund. */
    struct buf out;
    buf_init(&out, 0);
    const char *v1[] = {"wallets", "verify", watched[0], "--data", "data", NULL};
    const char *v2[] = {"wallets", "verify", watched[1], "--data", "data", NULL};
    const char *nm[] = {"wallets", "name",   watched[2], "Fund X", "--type",
                        "fund",    "--data", "data",     NULL};
    assert_int_equal(run_cli(v1, &out), 0);
    assert_int_equal(run_cli(v2, &out), 0);
    assert_int_equal(run_cli(nm, &out), 0);
    buf_release(&out);

    static char all[2000][64], sel[2000][64];
    int64_t total;
    collect("", 100, all, 2000, &total);

    /* minScore: every listed wallet scores at least that, and it is exactly
     * the wallets of the full listing that do. */
    struct reply r;
    char path[256];
    snprintf(path, sizeof path, "%s?minScore=55.5&limit=100&sortBy=score", base);
    get(&r, path);
    assert_int_equal(r.status, 200);
    int64_t n55 = (int64_t)num_at(&r.root, "pagination.total");
    release(&r);
    int64_t count = 0;
    for (int page = 1; page * 100 <= n_wallets + 100; page++) {
        snprintf(path, sizeof path, "%s?limit=100&page=%d", base, page);
        get(&r, path);
        struct json_val ws, w;
        assert_int_equal(json_get(&r.root, "wallets", &ws), 0);
        for (size_t i = 0; i < json_size(&ws); i++) {
            assert_int_equal(json_index(&ws, i, &w), 0);
            count += num_at(&w, "scoring.smartMoneyScore") >= 55.5;
        }
        release(&r);
    }
    assert_int_equal(n55, count);
    assert_true(n55 > 0 && n55 < n_wallets);
    size_t k = collect("minScore=55.5", 50, sel, 2000, &total);
    assert_int_equal((int64_t)k, n55);

    /* verified */
    k = collect("verified=true", 10, sel, 2000, &total);
    assert_int_equal(k, 2);
    assert_int_equal(total, 2);
    k = collect("verified=false", 100, sel, 2000, &total);
    assert_int_equal(total, n_wallets - 2);
    /* walletType */
    k = collect("walletType=fund", 10, sel, 2000, &total);
    assert_int_equal(k, 1);
    assert_string_equal(sel[0], watched[2]);
    k = collect("walletType=protocol", 10, sel, 2000, &total);
    assert_int_equal(total, 0);
    /* chains: comma-separated, repeated, unknown */
    collect("chains=solana", 100, sel, 2000, &total);
    assert_int_equal(total, n_wallets);
    collect("chains=ethereum", 100, sel, 2000, &total);
    assert_int_equal(total, 0);
    collect("chains=ethereum,solana", 100, sel, 2000, &total);
    assert_int_equal(total, n_wallets);
    collect("chains=ethereum&chains=solana", 100, sel, 2000, &total);
    assert_int_equal(total, n_wallets);
    /* combined */
    collect("chains=solana&verified=true&minScore=0&sortBy=trades&sortOrder=asc", 10, sel, 2000,
            &total);
    assert_int_equal(total, 2);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    expect_bad("chains=", "chains");
    expect_bad("chains=solana,", "chains");
    expect_bad("chains=Sol!", "chains");
    expect_bad("chains=a,b,c,d,e,f,g,h,i", "chains");
    expect_bad("minScore=abc", "minScore");
    expect_bad("minScore=-1", "minScore");
    expect_bad("minScore=100.5", "minScore");
    expect_bad("minScore=nan", "minScore");
    expect_bad("verified=yes", "verified");
    expect_bad("verified=", "verified");
    expect_bad("walletType=bank", "walletType");
    expect_bad("sortBy=volume", "sortBy");
    expect_bad("sortOrder=up", "sortOrder");
    expect_bad("page=0", "page");
    expect_bad("page=x", "page");
    expect_bad("page=1.5", "page");
    expect_bad("limit=0", "limit");
    expect_bad("limit=101", "limit");
    expect_bad("limit=-3", "limit");
    expect_bad("foo=1", "foo");
    expect_bad("page=1&page=2", "page");
    expect_bad("min_score=50", "min_score");
}

/* ------------------------------------------------------------ one wallet */

static void test_detail_trades_performance_patterns(void **state)
{
    (void)state;
    char path[256];
    struct reply r;
    snprintf(path, sizeof path, "%s/%s", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r.root, "walletAddress"), watched[0]);
    assert_string_equal(str_at(&r.root, "status"), "watch");
    assert_string_equal(str_at(&r.root, "discoveryMethod"), "algorithm");
    struct json_val pos;
    assert_int_equal(json_get(&r.root, "openPositions", &pos), 0);
    assert_int_equal(json_type_of(&pos), JSON_ARRAY);
    int64_t swaps = (int64_t)num_at(&r.root, "swaps");
    assert_true(swaps > 0);
    release(&r);

    /* trades: newest first, paginated over every swap */
    snprintf(path, sizeof path, "%s/%s/trades?limit=3&page=1", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 200);
    assert_int_equal((int64_t)num_at(&r.root, "pagination.total"), swaps);
    struct json_val ts, t0, t1;
    assert_int_equal(json_get(&r.root, "trades", &ts), 0);
    assert_int_equal(json_size(&ts), swaps < 3 ? (size_t)swaps : 3u);
    assert_int_equal(json_index(&ts, 0, &t0), 0);
    if (swaps > 1) {
        assert_int_equal(json_index(&ts, 1, &t1), 0);
        assert_true(strcmp(str_at(&t0, "timestamp"), str_at(&t1, "timestamp")) >= 0);
    }
    const char *tt = str_at(&t0, "tradeType");
    assert_true(strcmp(tt, "buy") == 0 || strcmp(tt, "sell") == 0);
    release(&r);

    snprintf(path, sizeof path, "%s/%s/performance", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 200);
    struct json_val snaps, s0;
    assert_int_equal(json_get(&r.root, "snapshots", &snaps), 0);
    assert_true(json_size(&snaps) >= 1);
    assert_int_equal(json_index(&snaps, 0, &s0), 0);
    assert_true(num_at(&s0, "trades30d") >= 0);
    release(&r);

    snprintf(path, sizeof path, "%s/%s/patterns?limit=1000", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 200);
    struct json_val pats, next;
    assert_int_equal(json_get(&r.root, "patterns", &pats), 0);
    assert_int_equal(json_type_of(&pats), JSON_ARRAY);
    assert_int_equal(json_get(&r.root, "next", &next), 0);
    assert_true(json_is_null(&next));
    release(&r);

    /* errors: bad address, unknown wallet, unknown sub-resource, bad query */
    snprintf(path, sizeof path, "%s/not-an-address", base);
    get(&r, path);
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "address");
    release(&r);
    snprintf(path, sizeof path, "%s/11111111111111111111111111111111/trades", base);
    get(&r, path);
    assert_int_equal(r.status, 404);
    release(&r);
    snprintf(path, sizeof path, "%s/%s/holdings", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 404);
    release(&r);
    snprintf(path, sizeof path, "%s/%s/trades?limit=501", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "limit");
    release(&r);
    snprintf(path, sizeof path, "%s/%s/patterns?type=pump", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "type");
    release(&r);
    snprintf(path, sizeof path, "%s/%s/performance?after=-1", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "after");
    release(&r);
    snprintf(path, sizeof path, "%s/%s?x=1", base, watched[0]);
    get(&r, path);
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "x");
    release(&r);
}

/* ------------------------------------------------------------ curation */

static void post(const char *addr, const char *action, const char *body, long want,
                 const char *status)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/%s", base, addr, action);
    struct reply r;
    request(&r, strcmp(action, "name") == 0 ? "PUT" : "POST", path, body);
    if (r.status != want)
        fail_msg("%s %s: %ld %s", action, addr, r.status, r.body.data);
    if (status)
        assert_string_equal(str_at(&r.root, "status"), status);
    release(&r);
}

static void test_curation_persists(void **state)
{
    (void)state;
    const char *fresh = "7YttLkHDoNj9wyDur5pM1ejNaAvT9X4eqaYcHQqtj2G5";
    post(fresh, "watch", NULL, 200, "watch");
    post(watched[0], "unwatch", NULL, 200, "removed");
    post(watched[1], "blacklist", NULL, 200, "blacklisted");
    post(watched[1], "verify", "{\"verified\": false}", 200, "blacklisted");
    post(watched[2], "name", "{\"name\": \"Renamed\", \"walletType\": \"whale\"}", 200, NULL);
    /* bad input: named, nothing changed */
    char path[256];
    struct reply r;
    snprintf(path, sizeof path, "%s/%s/name", base, watched[2]);
    request(&r, "PUT", path, "{\"name\": 7}");
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "name");
    release(&r);
    request(&r, "PUT", path, "{\"name\": \"ok\", \"walletType\": \"bank\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "walletType");
    release(&r);
    request(&r, "PUT", path, "not json");
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "body");
    release(&r);
    snprintf(path, sizeof path, "%s/%s/verify", base, watched[2]);
    request(&r, "POST", path, "{\"verified\": \"yes\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(str_at(&r.root, "parameter"), "verified");
    release(&r);
    post("11111111111111111111111111111111", "unwatch", NULL, 404, NULL);
    post("11111111111111111111111111111111", "verify", NULL, 404, NULL);
    post("zzz", "watch", NULL, 400, NULL);
    snprintf(path, sizeof path, "%s/%s/follow", base, watched[2]);
    request(&r, "POST", path, NULL);
    assert_int_equal(r.status, 404);
    release(&r);

    /* Restart the daemon and run discovery again: the decisions hold. */
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf out;
    buf_init(&out, 0);
    const char *disc[] = {"discover", "--data", "data", "--top-k", "10", NULL};
    assert_int_equal(run_cli(disc, &out), 0);
    buf_release(&out);
    const char *args[] = {"--set", "discovery.interval_min=0", NULL};
    assert_int_equal(daemon_restart(&d, args, NULL), 0);

    snprintf(path, sizeof path, "%s/%s", base, fresh);
    get(&r, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r.root, "status"), "watch");
    assert_string_equal(str_at(&r.root, "discoveryMethod"), "manual");
    release(&r);
    snprintf(path, sizeof path, "%s/%s", base, watched[0]);
    get(&r, path);
    assert_string_equal(str_at(&r.root, "status"), "removed");
    release(&r);
    snprintf(path, sizeof path, "%s/%s", base, watched[1]);
    get(&r, path);
    assert_string_equal(str_at(&r.root, "status"), "blacklisted");
    bool v = true;
    assert_int_equal(json_get_bool(&r.root, "verified", &v), 0);
    assert_false(v);
    release(&r);
    snprintf(path, sizeof path, "%s/%s", base, watched[2]);
    get(&r, path);
    assert_string_equal(str_at(&r.root, "walletName"), "Renamed");
    assert_string_equal(str_at(&r.root, "walletType"), "whale");
    release(&r);

    /* The CLI sees the same. */
    buf_init(&out, 0);
    const char *list[] = {"wallets", "list",   "--status", "blacklisted",
                          "--json",  "--data", "data",     NULL};
    assert_int_equal(run_cli(list, &out), 0);
    assert_non_null(strstr(out.data, watched[1]));
    buf_release(&out);
}

static void test_token_and_openapi(void **state)
{
    (void)state;
    struct reply r;
    get(&r, "/v1/openapi.json");
    assert_int_equal(r.status, 200);
    const char *ver = str_at(&r.root, "openapi");
    assert_true(strncmp(ver, "3.", 2) == 0);
    struct json_val paths, p;
    assert_int_equal(json_get(&r.root, "paths", &paths), 0);
    assert_int_equal(json_get(&paths, "/v1/smart-money/wallets", &p), 0);
    release(&r);

    /* With a token, the smart-money routes need it. */
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    const char *args[] = {"--set", "discovery.interval_min=0", NULL};
    const char *env[] = {"WALLTRACK_API_TOKEN=s3cret-token", NULL};
    assert_int_equal(daemon_restart(&d, args, env), 0);
    assert_int_equal(http_request(d.port, "GET", base, NULL, NULL, 0, NULL), 401);
    assert_int_equal(
        http_request(d.port, "POST", "/v1/smart-money/wallets/x/watch", NULL, NULL, 0, NULL), 401);
    assert_int_equal(
        http_request(d.port, "GET", base, "Authorization: Bearer s3cret-token", NULL, 0, NULL),
        200);
    assert_int_equal(http_request(d.port, "GET", "/v1/openapi.json",
                                  "Authorization: Bearer s3cret-token", NULL, 0, NULL),
                     200);
}

/* The scheduled run inside serve: a freshly imported market (never
 * discovered) gets profiled and a watchlist without any command. */
static void test_scheduled_discovery_in_serve(void **state)
{
    (void)state;
    struct daemon s;
    memset(&s, 0, sizeof s);
    harness_tmpdir(s.dir, sizeof s.dir);
    struct buf out;
    buf_init(&out, 0);
    const char *gen[] = {"sim", "generate", "--seed", "4", "--wallets", "400", "--tokens-per-day",
                         "60",  "--out",    "sim",    NULL};
    const char *imp[] = {"import", "--data", "data", "sim/transactions.ndjson", NULL};
    assert_int_equal(harness_run(s.dir, gen, NULL, 120, &out), 0);
    assert_int_equal(harness_run(s.dir, imp, NULL, 120, &out), 0);
    buf_release(&out);
    const char *args[] = {"--set", "discovery.interval_min=60", "--set", "discovery.on_start=true",
                          "--set", "discovery.top_k=5",         NULL};
    assert_int_equal(daemon_restart(&s, args, NULL), 0);
    bool done = false;
    for (int i = 0; i < 300 && !done; i++) {
        struct buf b;
        buf_init(&b, 0);
        long st = http_request(s.port, "GET", "/v1/smart-money/wallets?limit=1", NULL, NULL, 0, &b);
        done = st == 200 && strstr(b.data, "\"total\":0}") == NULL;
        buf_release(&b);
        if (!done) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    assert_true(done);
    assert_int_equal(daemon_stop(&s, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&s, &log);
    assert_non_null(strstr(log.data, "discovery: scheduled run:"));
    assert_non_null(strstr(log.data, "watchlist 5 (+5 added"));
    buf_release(&log);
    harness_rmdir(s.dir);
}

/* ------------------------------------------------------------ similar */

/* GET .../{address}/similar and `walltrack wallets similar`: the nearest
 * wallets by behaviour, nearest first, never the wallet itself; the same
 * answer from the CLI; bad input refused. */
static void test_similar_wallets(void **state)
{
    (void)state;
    char path[256];
    struct reply r;
    snprintf(path, sizeof path, "%s?sortBy=trades&limit=1", base);
    get(&r, path);
    struct json_val ws, w;
    assert_int_equal(json_get(&r.root, "wallets", &ws), 0);
    assert_int_equal(json_index(&ws, 0, &w), 0);
    char busy[64];
    snprintf(busy, sizeof busy, "%s", str_at(&w, "walletAddress"));
    assert_true(num_at(&w, "activity.totalTrades") >= 3);
    release(&r);

    snprintf(path, sizeof path, "%s/%s/similar?limit=5", base, busy);
    get(&r, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r.root, "walletAddress"), busy);
    assert_true(num_at(&r.root, "candidates") > 5);
    struct json_val feats, sim, e, x;
    assert_int_equal(json_get(&r.root, "features", &feats), 0);
    assert_int_equal(json_size(&feats), 18);
    assert_int_equal(json_get(&r.root, "similar", &sim), 0);
    assert_int_equal(json_size(&sim), 5);
    double prev = 0;
    char api_order[5][64];
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(json_index(&sim, i, &e), 0);
        double dist = num_at(&e, "distance");
        assert_true(dist >= prev);
        prev = dist;
        assert_int_equal(json_get(&e, "wallet", &x), 0);
        snprintf(api_order[i], sizeof api_order[i], "%s", str_at(&x, "walletAddress"));
        assert_string_not_equal(api_order[i], busy);
    }
    release(&r);

    /* the CLI gives the same wallets in the same order */
    struct buf out;
    buf_init(&out, 0);
    const char *cli[] = {"wallets", "similar", busy,   "--limit", "5",
                         "--json",  "--data",  "data", NULL};
    assert_int_equal(run_cli(cli, &out), 0);
    const char *at = out.data;
    for (size_t i = 0; i < 5; i++) {
        const char *hit = strstr(at, api_order[i]);
        if (!hit)
            fail_msg("CLI similar: %s missing or out of order", api_order[i]);
        at = hit + 1;
    }
    buf_release(&out);

    /* bad input: limit out of range, unknown wallet, too few round trips */
    snprintf(path, sizeof path, "%s/%s/similar?limit=0", base, busy);
    get(&r, path);
    assert_int_equal(r.status, 400);
    release(&r);
    snprintf(path, sizeof path, "%s/%s/similar?limit=51", base, busy);
    get(&r, path);
    assert_int_equal(r.status, 400);
    release(&r);
    snprintf(path, sizeof path, "%s/11111111111111111111111111111112/similar", base);
    get(&r, path);
    assert_int_equal(r.status, 404);
    release(&r);
    snprintf(path, sizeof path, "%s?sortBy=trades&sortOrder=asc&limit=1", base);
    get(&r, path);
    assert_int_equal(json_get(&r.root, "wallets", &ws), 0);
    assert_int_equal(json_index(&ws, 0, &w), 0);
    char thin[64];
    snprintf(thin, sizeof thin, "%s", str_at(&w, "walletAddress"));
    assert_true(num_at(&w, "activity.totalTrades") < 3);
    release(&r);
    snprintf(path, sizeof path, "%s/%s/similar", base, thin);
    get(&r, path);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(str_at(&r.root, "error"), "behaviour vector"));
    release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_shape_and_default_order),
        cmocka_unit_test(test_sorting),
        cmocka_unit_test(test_pagination),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_detail_trades_performance_patterns),
        cmocka_unit_test(test_curation_persists),
        cmocka_unit_test(test_similar_wallets),
        cmocka_unit_test(test_token_and_openapi),
        cmocka_unit_test(test_scheduled_discovery_in_serve),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
