/* Tests of market/dexscreener.h: pair selection on the recorded pair
 * objects (dexscreener_pair_pump_token_raydium_clmm.json, a full pair;
 * dexscreener_latest_dex_tokens_wsol_truncated.json, whose pairs array is
 * what /tokens/v1 returns bare), the cache's TTL, the stale path during an
 * outage and its limit, and the rate limiter, all on a virtual clock
 * against a real HTTP server on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "market/dexscreener.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#define PUMP "HsKDKwGhR9wKh62CUHmUUXmb2jBwoFkfsbCUKtCppump"

/* The pump pair, plus the same pair with 10x less liquidity and another
 * address and price: the client must pick the liquid one. */
static struct buf g_array;

static void build_array(void)
{
    size_t plen, wlen;
    char *pair = fixture_read("real/dexscreener_pair_pump_token_raydium_clmm.json", &plen);
    char *wsol = fixture_read("real/dexscreener_latest_dex_tokens_wsol_truncated.json", &wlen);
    /* The bare array of /tokens/v1: the pairs of the envelope fixture. */
    char *arr = strstr(wsol, "\"pairs\": [");
    assert_non_null(arr);
    arr += strlen("\"pairs\": [");
    char *end = strrchr(wsol, ']');
    assert_non_null(end);
    buf_init(&g_array, 0);
    buf_puts(&g_array, "[");
    /* A thin copy of the pump pair first, then the real one. */
    char *thin = strdup(pair);
    char *liq = strstr(thin, "\"usd\": 166.33");
    assert_non_null(liq);
    memcpy(liq, "\"usd\": 16.633", 13);
    char *addr = strstr(thin, "5VnERYyP8sMDjc7kQiseQG149WqN68n3rFZz5qTSNqQf");
    memcpy(addr, "6", 1);
    char *price = strstr(thin, "\"priceNative\": \"0.00000001850\"");
    memcpy(price + strlen("\"priceNative\": \"0.0000000"), "9", 1);
    buf_puts(&g_array, thin);
    buf_puts(&g_array, ",");
    buf_puts(&g_array, pair);
    buf_puts(&g_array, ",");
    buf_append(&g_array, arr, (size_t)(end - arr));
    buf_puts(&g_array, "]");
    buf_reserve(&g_array, JSON_PADDING);
    free(thin);
    free(pair);
    free(wsol);
}

static void test_parse_pick_most_liquid(void **state)
{
    (void)state;
    build_array();
    struct pubkey mints[4];
    pubkey_parse(PUMP, &mints[0]);
    pubkey_parse(MINT_WSOL, &mints[1]);
    pubkey_parse(MINT_USDT, &mints[2]);
    pubkey_parse(MINT_USDC, &mints[3]);
    struct dex_token out[4];
    char err[256];
    assert_int_equal(
        dex_parse_pairs(g_array.data, g_array.len, mints, 4, 1000, out, err, sizeof err), 0);
    /* pump: the liquid pair (166.33 USD), not the thin one. */
    assert_true(out[0].found);
    struct pubkey pair, wsol;
    pubkey_parse("5VnERYyP8sMDjc7kQiseQG149WqN68n3rFZz5qTSNqQf", &pair);
    pubkey_parse(MINT_WSOL, &wsol);
    assert_true(pubkey_eq(&out[0].pair, &pair));
    assert_true(pubkey_eq(&out[0].quote_mint, &wsol));
    assert_string_equal(out[0].dex_id, "raydium");
    assert_true(out[0].price_native == 0.00000001850);
    assert_true(out[0].price_sol == 0.00000001850);
    assert_true(out[0].price_usd == 0.000002506);
    assert_true(out[0].liquidity_usd == 166.33);
    assert_true(out[0].fdv_usd == 2507);
    assert_true(out[0].mcap_usd == 2507);
    assert_int_equal(out[0].created_ms, 1741884031000);
    assert_int_equal(out[0].act[DEX_H24].buys, 322);
    assert_int_equal(out[0].act[DEX_H24].sells, 371);
    assert_int_equal(out[0].act[DEX_M5].buys, 1);
    assert_true(out[0].act[DEX_H1].volume_usd == 28.62);
    assert_int_equal(out[0].fetched_ms, 1000);
    /* wSOL is the base of SOL/USDT: priced directly; no fdv in this body. */
    assert_true(out[1].found);
    assert_true(out[1].price_usd == 84.18);
    assert_true(out[1].price_sol == 0); /* quoted in USDT, not SOL */
    assert_true(out[1].fdv_usd == 0);
    /* USDT is the quote side: its price is the inverse. */
    assert_true(out[2].found);
    assert_true(out[2].price_native > 0.011878 && out[2].price_native < 0.011879);
    assert_true(out[2].price_usd > 0.9999 && out[2].price_usd < 1.0001);
    /* USDC is in no pair. */
    assert_false(out[3].found);

    /* Not an array; a pair with a broken address. */
    assert_int_equal(dex_parse_pairs("{\"pairs\":[]}", 12, mints, 1, 0, out, err, sizeof err),
                     WT_EPARSE);
    assert_non_null(strstr(err, "array"));
    const char *bad =
        "[{\"chainId\":\"solana\",\"pairAddress\":\"x\",\"baseToken\":{\"address\":\"0OIl\"},"
        "\"quoteToken\":{\"address\":\"" MINT_WSOL "\"}}]";
    assert_int_equal(dex_parse_pairs(bad, strlen(bad), mints, 1, 0, out, err, sizeof err),
                     WT_EPARSE);
    assert_non_null(strstr(err, "$[0]"));
    buf_release(&g_array);
}

struct dfake {
    const char *body;
    size_t len;
    unsigned status;
};

static void dhandler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)req;
    struct dfake *f = s->ud;
    resp->status = f->status;
    resp->body = f->body;
    resp->body_len = f->len;
}

static struct httpc_opts fast_opts(void)
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.retries = 0;
    o.backoff_ms = 1;
    o.cooldown_ms = 0;
    return o;
}

static void test_cache_ttl_and_outage(void **state)
{
    (void)state;
    build_array();
    struct dfake f = {g_array.data, g_array.len, 200};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, dhandler, &f), 0);
    struct clock clk;
    clock_init_virtual(&clk, 1000000);
    struct dexscreener_opts o;
    dexscreener_opts_default(&o);
    o.ttl_ms = 30000;
    o.stale_max_ms = 120000;
    struct httpc_opts h = fast_opts();
    struct dexscreener *d = dexscreener_new(s.url, &clk, &o, &h);
    struct pubkey m[2];
    pubkey_parse(PUMP, &m[0]);
    pubkey_parse(MINT_USDC, &m[1]);
    struct dex_token out[2];

    assert_int_equal(dexscreener_get(d, m, 2, out), 0);
    assert_int_equal(fakesrv_count(&s), 1);
    assert_non_null(strstr(s.recorded[0].url, "/tokens/v1/solana/" PUMP "," MINT_USDC));
    assert_true(out[0].found && !out[0].stale);
    assert_false(out[1].found); /* not listed: an answer, cached too */

    /* Within the TTL: no request. */
    clock_advance_ms(&clk, 29999);
    assert_int_equal(dexscreener_get(d, m, 2, out), 0);
    assert_int_equal(fakesrv_count(&s), 1);
    assert_true(out[0].found && !out[0].stale);

    /* Past the TTL, DexScreener is down (500): stale data is served. */
    f.status = 500;
    f.body = "oops";
    f.len = 4;
    clock_advance_ms(&clk, 1);
    assert_int_equal(dexscreener_get(d, m, 2, out), 0);
    assert_int_equal(fakesrv_count(&s), 2);
    assert_true(out[0].found && out[0].stale);
    assert_int_equal(out[0].fetched_ms, 1000000);
    assert_true(out[0].liquidity_usd == 166.33);

    /* Past the stale limit: no answer, and the error says why. */
    clock_advance_ms(&clk, 120000);
    assert_int_equal(dexscreener_get(d, m, 2, out), WT_EREMOTE);
    assert_false(out[0].found);
    assert_true(pubkey_eq(&out[0].mint, &m[0]));
    assert_non_null(strstr(dexscreener_errmsg(d), "HTTP 500"));

    /* Back up: fresh again. */
    f.status = 200;
    f.body = g_array.data;
    f.len = g_array.len;
    assert_int_equal(dexscreener_get(d, m, 2, out), 0);
    assert_true(out[0].found && !out[0].stale);
    assert_int_equal(out[0].fetched_ms, clock_now_ms(&clk));

    /* A garbage body counts as a failure and serves stale. */
    f.body = "<html>";
    f.len = 6;
    clock_advance_ms(&clk, 31000);
    assert_int_equal(dexscreener_get(d, m, 1, out), 0);
    assert_true(out[0].stale);
    struct dexscreener_stats st;
    dexscreener_stats(d, &st);
    assert_int_equal(st.requests, 5);
    assert_int_equal(st.failures, 3);
    assert_int_equal(st.stale, 3); /* both mints in the outage, then one */

    dexscreener_free(d);
    fakesrv_stop(&s);
    buf_release(&g_array);
}

static void test_batches_of_30(void **state)
{
    (void)state;
    static const char empty[] = "[]";
    struct dfake f = {empty, 2, 200};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, dhandler, &f), 0);
    struct clock clk;
    clock_init_virtual(&clk, 5000);
    struct httpc_opts h = fast_opts();
    struct dexscreener *d = dexscreener_new(s.url, &clk, NULL, &h);
    /* The recorded URL is truncated past 1 KiB, so the batch size shows in
     * the request counts: 30 mints take one request, 31 two, 65 three. */
    enum { N = 65 };
    struct pubkey m[N];
    struct dex_token out[N];
    for (int i = 0; i < N; i++) {
        memset(&m[i], 0, sizeof m[i]);
        m[i].b[0] = (uint8_t)(i + 1);
    }
    assert_int_equal(dexscreener_get(d, m, 30, out), 0);
    assert_int_equal(fakesrv_count(&s), 1);
    clock_advance_ms(&clk, 3600000);
    assert_int_equal(dexscreener_get(d, m, 31, out), 0);
    assert_int_equal(fakesrv_count(&s), 3);
    clock_advance_ms(&clk, 3600000);
    assert_int_equal(dexscreener_get(d, m, N, out), 0);
    assert_int_equal(fakesrv_count(&s), 6);
    for (int i = 0; i < N; i++)
        assert_true(pubkey_eq(&out[i].mint, &m[i]) && !out[i].found);
    dexscreener_free(d);
    fakesrv_stop(&s);
}

static void test_rate_limiter(void **state)
{
    (void)state;
    static const char empty[] = "[]";
    struct dfake f = {empty, 2, 200};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, dhandler, &f), 0);
    struct clock clk;
    clock_init_virtual(&clk, 0);
    struct dexscreener_opts o;
    dexscreener_opts_default(&o);
    o.ttl_ms = 1; /* every call goes to the network */
    o.stale_max_ms = 60000;
    o.max_per_minute = 5;
    struct httpc_opts h = fast_opts();
    struct dexscreener *d = dexscreener_new(s.url, &clk, &o, &h);
    struct pubkey m;
    memset(&m, 3, sizeof m);
    struct dex_token out;
    for (int i = 0; i < 5; i++) {
        clock_advance_ms(&clk, 1000);
        assert_int_equal(dexscreener_get(d, &m, 1, &out), 0);
    }
    assert_int_equal(fakesrv_count(&s), 5);
    /* The sixth within the minute is held back; the cached answer is stale. */
    clock_advance_ms(&clk, 1000);
    assert_int_equal(dexscreener_get(d, &m, 1, &out), 0);
    assert_true(out.stale);
    assert_int_equal(fakesrv_count(&s), 5);
    struct dexscreener_stats st;
    dexscreener_stats(d, &st);
    assert_int_equal(st.limited, 1);
    /* A mint never seen gets no answer while limited. */
    struct pubkey other;
    memset(&other, 4, sizeof other);
    assert_int_equal(dexscreener_get(d, &other, 1, &out), WT_EBUSY);
    assert_non_null(strstr(dexscreener_errmsg(d), "rate limit"));
    /* 60 s after the first request, one slot frees up. */
    clock_set_ms(&clk, 61000);
    assert_int_equal(dexscreener_get(d, &other, 1, &out), 0);
    assert_int_equal(fakesrv_count(&s), 6);
    assert_int_equal(dexscreener_get(d, &m, 1, &out), 0);
    assert_true(out.stale);
    assert_int_equal(fakesrv_count(&s), 6);
    dexscreener_free(d);
    fakesrv_stop(&s);
}

static void test_cache_eviction(void **state)
{
    (void)state;
    static const char empty[] = "[]";
    struct dfake f = {empty, 2, 200};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, dhandler, &f), 0);
    struct clock clk;
    clock_init_virtual(&clk, 0);
    struct dexscreener_opts o;
    dexscreener_opts_default(&o);
    o.cache_max = 100;
    struct httpc_opts h = fast_opts();
    struct dexscreener *d = dexscreener_new(s.url, &clk, &o, &h);
    struct pubkey m;
    struct dex_token out;
    for (int i = 0; i < 250; i++) {
        memset(&m, 0, sizeof m);
        m.b[0] = (uint8_t)i;
        m.b[5] = (uint8_t)(i >> 8);
        clock_advance_ms(&clk, 10);
        assert_int_equal(dexscreener_get(d, &m, 1, &out), 0);
    }
    int n = fakesrv_count(&s);
    /* The newest is still cached, the oldest was evicted. */
    assert_int_equal(dexscreener_get(d, &m, 1, &out), 0);
    assert_int_equal(fakesrv_count(&s), n);
    memset(&m, 0, sizeof m);
    assert_int_equal(dexscreener_get(d, &m, 1, &out), 0);
    assert_int_equal(fakesrv_count(&s), n + 1);
    dexscreener_free(d);
    fakesrv_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_pick_most_liquid), cmocka_unit_test(test_cache_ttl_and_outage),
        cmocka_unit_test(test_batches_of_30),          cmocka_unit_test(test_rate_limiter),
        cmocka_unit_test(test_cache_eviction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
