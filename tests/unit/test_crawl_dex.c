/* Tests of the chain crawl's DexScreener source (intel/crawl.h) against a
 * fake DexScreener and Helius on loopback, answering with the recorded
 * real bodies (tests/fixtures/real/SOURCES.md):
 *
 *   - the success rule on the recorded pump.fun pair (a faded token:
 *     today 0.66x its launch market cap, $166 of liquidity: not a winner),
 *     and on the same pair with its market cap and liquidity raised (a
 *     winner), the age and the SOL-quote conditions;
 *   - the source: one search (the recorded /latest/dex envelope, with the
 *     two pump.fun pairs added), one lookup of its new mints, only the
 *     winner becomes a token (source "dexscreener") and is crawled; the
 *     requests are counted with Helius's in the store;
 *   - the budget stops it between the search and the lookup, a 429 is
 *     retried, a malformed search answer is counted and adds nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"
#include "../support/tmpstore.c"

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "intel/crawl.h"
#include "store/store.h"

#define LOSER  "HsKDKwGhR9wKh62CUHmUUXmb2jBwoFkfsbCUKtCppump" /* the recorded pair's */
#define WINNER "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"
#define WSOL   "So11111111111111111111111111111111111111112"

static char *history, *pair_loser, *pair_winner, *search_body, *tokens_body;
static size_t history_len;
static int search_429, search_bad;

/* s with every `from` replaced by `to` (malloc'd). */
static char *replaced(const char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + nf, from))
        n++;
    char *out = malloc(strlen(s) + n * nt + 1), *o = out;
    for (const char *p; (p = strstr(s, from)) != NULL; s = p + nf) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        memcpy(o, to, nt);
        o += nt;
    }
    memcpy(o, s, strlen(s) + 1);
    return out;
}

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    resp->status = 200;
    if (strncmp(req->url, "/latest/dex/search?q=", 21) == 0) {
        if (search_429 && search_429--) {
            resp->status = 429;
            resp->retry_after = "1";
            resp->body = "{}";
        } else {
            resp->body = search_bad ? "{\"schemaVersion\":\"1.0.0\",\"pairs\":7}" : search_body;
        }
    } else if (strncmp(req->url, "/tokens/v1/solana/", 18) == 0) {
        resp->body = tokens_body;
    } else if (strncmp(req->url, "/v0/addresses/", 14) == 0) {
        resp->body = history;
        resp->body_len = history_len;
        return;
    } else {
        resp->status = 404;
        resp->body = "{}";
    }
    resp->body_len = strlen(resp->body);
}

static struct fakesrv srv;
static char dir[64];
static struct store *st;

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_ERROR);
    size_t n;
    history = fixture_read("real/helius_enhanced_address_history_response_50tx.json", &history_len);
    char *env = fixture_read("real/dexscreener_latest_dex_tokens_wsol_truncated.json", &n);
    pair_loser = fixture_read("real/dexscreener_pair_pump_token_raydium_clmm.json", &n);
    if (!history || !env || !pair_loser)
        return -1;
    /* The winner: the recorded pair under another mint, its market cap
     * $150,000 (1,107 SOL at the pair's SOL price: 39.6x pump.fun's launch
     * market cap) and $25,000 of liquidity. */
    char *a = replaced(pair_loser, LOSER, WINNER);
    char *b = replaced(a, "2507", "150000");
    pair_winner = replaced(b, "166.33", "25000");
    free(a);
    free(b);
    /* The search answer: the recorded envelope (a wSOL/USDT pair) with the
     * two pump.fun pairs appended to its pairs. */
    char *end = strrchr(env, ']');
    if (!end)
        return -1;
    *end = '\0';
    size_t sz = strlen(env) + strlen(pair_loser) + strlen(pair_winner) + 16;
    search_body = malloc(sz);
    snprintf(search_body, sz, "%s,%s,%s]}", env, pair_loser, pair_winner);
    free(env);
    sz = strlen(pair_loser) + strlen(pair_winner) + 8;
    tokens_body = malloc(sz);
    snprintf(tokens_body, sz, "[%s,%s]", pair_loser, pair_winner);
    return fakesrv_start(&srv, handler, NULL);
}

/* Every test on a store of its own. */
static int store_up(void **state)
{
    (void)state;
    return tmpstore_open(dir, &st);
}

static int store_down(void **state)
{
    (void)state;
    return tmpstore_close(dir, st);
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&srv);
    free(history);
    free(pair_loser);
    free(pair_winner);
    free(search_body);
    free(tokens_body);
    return 0;
}

static void opts(struct crawl_opts *o)
{
    crawl_opts_default(o);
    o->helius_url = srv.url;
    o->helius_key = "k";
    o->dex_url = srv.url;
    o->dex_queries = "pump";
    o->dex_max_age_hours = 0; /* the recorded pairs are from 2025 */
    o->rps = 0;
    o->dex_rps = 0;
    o->backoff_ms = 1;
}

/* The pair of mint in a /tokens/v1 body. */
static struct dex_token token_of(const char *body, const char *mint)
{
    struct pubkey k;
    assert_int_equal(pubkey_parse(mint, &k), 0);
    struct dex_token t;
    char err[256];
    assert_int_equal(dex_parse_pairs(body, strlen(body), &k, 1, 0, &t, err, sizeof err), 0);
    return t;
}

static void test_success_rule(void **state)
{
    (void)state;
    struct crawl_opts o;
    crawl_opts_default(&o);
    o.dex_max_age_hours = 0;
    double mult;
    /* the recorded pair: today 18.5 SOL of market cap, under its launch */
    struct dex_token lo = token_of(tokens_body, LOSER);
    assert_false(crawl_dex_success(&lo, &o, 0, &mult));
    assert_true(mult > 0.6 && mult < 0.7);
    struct dex_token win = token_of(tokens_body, WINNER);
    assert_true(crawl_dex_success(&win, &o, 0, &mult));
    assert_true(mult > 39 && mult < 40.5);
    /* discovery's thresholds: the multiple, else the market cap */
    o.disc.min_multiple = 50;
    assert_false(crawl_dex_success(&win, &o, 0, NULL));
    o.disc.min_mcap_sol = 1000;
    assert_true(crawl_dex_success(&win, &o, 0, NULL));
    o.disc.min_mcap_sol = 0;
    o.dex_min_multiple = 30; /* the DexScreener threshold wins over discovery's */
    assert_true(crawl_dex_success(&win, &o, 0, NULL));
    o.dex_min_liquidity_usd = 30000;
    assert_false(crawl_dex_success(&win, &o, 0, NULL));
    o.dex_min_liquidity_usd = 10000;
    /* age: pairCreatedAt 1741884031000 */
    o.dex_max_age_hours = 72;
    assert_true(crawl_dex_success(&win, &o, 1741884031000 + 71 * MS_PER_HOUR, NULL));
    assert_false(crawl_dex_success(&win, &o, 1741884031000 + 73 * MS_PER_HOUR, NULL));
    /* a token not priced in SOL has no SOL market cap: wSOL itself here,
     * the base of a USDT pair */
    size_t n;
    char *env = fixture_read("real/dexscreener_latest_dex_tokens_wsol_truncated.json", &n);
    char *s = strstr(env, "\"pairs\"");
    assert_non_null(s);
    s = strchr(s, '[');
    char *e = strrchr(s, ']');
    e[1] = '\0';
    struct dex_token sol = token_of(s, WSOL);
    assert_true(sol.found);
    o.dex_max_age_hours = 0;
    o.dex_min_liquidity_usd = 0;
    assert_false(crawl_dex_success(&sol, &o, 0, &mult));
    assert_true(mult == 0);
    free(env);
}

static void test_source_adds_only_winners(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    struct crawl_opts o;
    opts(&o);
    struct crawl_progress p;
    char err[256];
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(p.dex_listed, 3); /* wSOL, the loser, the winner */
    assert_int_equal(p.dex_added, 1);
    struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", WINNER, &it), 0);
    assert_string_equal(it.source, "dexscreener");
    assert_string_equal(it.state, "done"); /* and crawled: one 50-transaction page */
    assert_int_equal(store_crawl_get(st, "token", LOSER, &it), WT_ENOTFOUND);
    assert_int_equal(store_crawl_get(st, "token", WSOL, &it), WT_ENOTFOUND);
    /* the search, one lookup of its three new mints, then Helius */
    assert_true(fakesrv_count(&srv) >= 3);
    assert_string_equal(srv.recorded[0].url, "/latest/dex/search?q=pump");
    assert_string_equal(srv.recorded[1].url, "/tokens/v1/solana/" WSOL "," LOSER "," WINNER);
    assert_int_equal(strncmp(srv.recorded[2].url, "/v0/addresses/" WINNER, 14 + 44), 0);
    int64_t stored;
    assert_int_equal(store_crawl_counter(st, "requests", &stored), 0);
    assert_int_equal(stored, fakesrv_count(&srv));
    assert_int_equal(p.requests, fakesrv_count(&srv));

    /* again: the winner is known, so only the loser and wSOL are looked up */
    fakesrv_reset(&srv);
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(p.dex_added, 0);
    assert_int_equal(fakesrv_count(&srv), 2);
    assert_string_equal(srv.recorded[1].url, "/tokens/v1/solana/" WSOL "," LOSER);
}

static void test_budget_429_and_malformed(void **state)
{
    (void)state;
    struct crawl_opts o;
    opts(&o);
    struct crawl_progress p;
    char err[256];
    /* the budget: the search only */
    fakesrv_reset(&srv);
    o.budget = 1;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_true(p.budget_exhausted);
    assert_int_equal(fakesrv_count(&srv), 1);
    assert_int_equal(p.dex_added, 0);
    struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", WINNER, &it), WT_ENOTFOUND);
    int64_t stored;
    assert_int_equal(store_crawl_counter(st, "requests", &stored), 0);
    assert_int_equal(stored, 1);
    /* a 429 is retried */
    fakesrv_reset(&srv);
    o.budget = 0;
    search_429 = 1;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(p.r429, 1);
    assert_int_equal(p.retries, 1);
    assert_int_equal(p.dex_added, 1);
    assert_string_equal(srv.recorded[1].url, "/latest/dex/search?q=pump");
    /* a malformed answer is counted and adds nothing */
    o.dex_queries = "other, query";
    search_bad = 1;
    fakesrv_reset(&srv);
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    search_bad = 0;
    assert_int_equal(p.malformed, 2);
    assert_int_equal(p.dex_listed, 0);
    assert_int_equal(fakesrv_count(&srv), 2);
    assert_string_equal(srv.recorded[0].url, "/latest/dex/search?q=other");
    assert_string_equal(srv.recorded[1].url, "/latest/dex/search?q=query");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_rule),
        cmocka_unit_test_setup_teardown(test_source_adds_only_winners, store_up, store_down),
        cmocka_unit_test_setup_teardown(test_budget_429_and_malformed, store_up, store_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
