/* The token feed in the real daemon: `walltrack serve` with
 * dexscreener.api_url pointed at a fake DexScreener on loopback that
 * answers the recorded pair of a pump token
 * (tests/fixtures/real/dexscreener_pair_pump_token_raydium_clmm.json:
 * 166.33 USD of liquidity, pool created 2025-03-13).
 *
 * A watched wallet buys that token on pump.fun through the webhook. Scored
 * at once, the bonding curve would imply ~30 SOL of liquidity and pass the
 * liquidity gate; the daemon waits for DexScreener (signal.token_wait_ms
 * defaults to 1500 ms with a feed), whose report (0.55 SOL a side at 150
 * USD/SOL) fails it. GET /v1/signals shows the reported liquidity and age
 * in the signal's token detail, and GET /v1/status reports DexScreener
 * ok. The report is stored (the prices table) like every other event, and
 * is not counted as a webhook delivery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "store/store.h"
#include "harness.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#define SECRET "whsec-tokenfeed-test"
#define AUTH   "Authorization: " SECRET
#define PUMP   "HsKDKwGhR9wKh62CUHmUUXmb2jBwoFkfsbCUKtCppump"
#define WALLET "Cy3Aq97i7jZXU3ftFVwXVvxsd9S4YgJ1pkL1UjDx4kqa"

struct dex {
    char *body; /* [pair] */
    size_t len;
};

static void dex_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    struct dex *d = s->ud;
    if (strncmp(req->url, "/tokens/v1/solana/", 18) != 0) {
        resp->status = 404;
        resp->body = "not found";
        resp->body_len = 9;
        return;
    }
    resp->status = 200;
    resp->body = d->body;
    resp->body_len = d->len;
}

/* A pump.fun buy of 35,000,000 PUMP for 1 SOL by WALLET at unix time ts
 * (the shape of tests/unit/test_helius.c's native pump.fun buy). */
static void buy_body(char *out, size_t n, long long ts)
{
    snprintf(
        out, n,
        "[{\"signature\":\"3A6AA1o5aF7qdVEyUaKqR4cwPJuG5KFRAyu1tcc7LsfKZEvyaTs75QMG611y5Nkgb82"
        "fM6GgA7yGXHq99UHvkfDh\",\"slot\":7,\"timestamp\":%lld,\"fee\":5000,\"feePayer\":\"" WALLET
        "\",\"type\":\"SWAP\",\"source\":\"PUMP_FUN\",\"transactionError\":null,\"events\":{},"
        "\"accountData\":[{\"account\":\"" WALLET
        "\",\"nativeBalanceChange\":-1002044280,\"tokenBalanceChanges\":[]},"
        "{\"account\":\"46dExdsFZVPG2xXwrUryHjvUKoGEnzt5Ac6PhG4nxkaS\",\"nativeBalanceChange\":"
        "2039280,\"tokenBalanceChanges\":[{\"userAccount\":\"" WALLET
        "\",\"tokenAccount\":\"46dExdsFZVPG2xXwrUryHjvUKoGEnzt5Ac6PhG4nxkaS\",\"mint\":\"" PUMP
        "\",\"rawTokenAmount\":{\"tokenAmount\":\"35000000000000\",\"decimals\":6}}]},"
        "{\"account\":\"E5tLAoEfH9LSYtw2x8i82JuDj5Gd2S6ZZFx4KB4xWqE\",\"nativeBalanceChange\":"
        "1000000000,\"tokenBalanceChanges\":[]}],"
        "\"nativeTransfers\":[{\"fromUserAccount\":\"" WALLET
        "\",\"toUserAccount\":\"E5tLAoEfH9LSYtw2x8i82JuDj5Gd2S6ZZFx4KB4xWqE\",\"amount\":"
        "1000000000}],"
        "\"tokenTransfers\":[{\"fromUserAccount\":\"E5tLAoEfH9LSYtw2x8i82JuDj5Gd2S6ZZFx4KB4xWqE\","
        "\"toUserAccount\":\"" WALLET
        "\",\"fromTokenAccount\":\"HP8gsJmz2VypZRqzS8tVJ8PTra4ZLPkbRt9LUBWxkUAc\","
        "\"toTokenAccount\":\"46dExdsFZVPG2xXwrUryHjvUKoGEnzt5Ac6PhG4nxkaS\",\"mint\":\"" PUMP
        "\",\"tokenAmount\":35000000}]}]",
        ts);
}

/* The newest signal, once there is one (at most 10 s). */
static void wait_signal(unsigned port, struct buf *body)
{
    for (int i = 0; i < 200; i++) {
        buf_reset(body);
        long st = http_request(port, "GET", "/v1/signals?limit=1", NULL, NULL, 0, body);
        assert_int_equal(st, 200);
        if (strstr(body->data, "\"wallet\":\"" WALLET "\""))
            return;
        struct timespec t = {0, 50000000};
        nanosleep(&t, NULL);
    }
    fail_msg("no signal: %s", body->data);
}

/* GET /v1/status until it contains want (the engine publishes its state
 * after its batches: at most a tick behind). */
static void wait_status(unsigned port, const char *want, struct buf *body)
{
    for (int i = 0; i < 100; i++) {
        buf_reset(body);
        assert_int_equal(http_request(port, "GET", "/v1/status", NULL, NULL, 0, body), 200);
        if (strstr(body->data, want))
            return;
        struct timespec t = {0, 50000000};
        nanosleep(&t, NULL);
    }
    fail_msg("status without %s: %s", want, body->data);
}

static void test_signal_uses_reported_liquidity(void **state)
{
    (void)state;
    size_t plen;
    char *pair = fixture_read("real/dexscreener_pair_pump_token_raydium_clmm.json", &plen);
    struct dex dx;
    dx.len = plen + 2;
    dx.body = malloc(dx.len + 1);
    snprintf(dx.body, dx.len + 1, "[%s]", pair);
    free(pair);
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, dex_handler, &dx), 0);
    char urlenv[128];
    snprintf(urlenv, sizeof urlenv, "WALLTRACK_DEXSCREENER_API_URL=%s", srv.url);
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, urlenv, NULL};

    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    struct buf body;
    buf_init(&body, 0);
    /* Nothing asked yet. */
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"dexscreener\":{\"status\":\"configured\""));
    assert_non_null(strstr(body.data, "\"wait_ms\":1500"));

    const char *watch = "{\"wallet\":\"" WALLET "\",\"score\":90}";
    buf_reset(&body);
    assert_int_equal(
        http_request(d.port, "POST", "/v1/watchlist", NULL, watch, strlen(watch), &body), 200);
    char tx[4096];
    buy_body(tx, sizeof tx, (long long)time(NULL));
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "POST", "/webhooks/helius", AUTH, tx, strlen(tx), &body),
                     200);

    wait_signal(d.port, &body);
    struct json_doc *doc = json_doc_new(64);
    struct json_val root, arr, sig, det, fac, td;
    assert_int_equal(json_parse(doc, body.data, body.len, 0, &root), 0);
    assert_int_equal(json_get(&root, "signals", &arr), 0);
    assert_int_equal(json_index(&arr, 0, &sig), 0);
    const char *s;
    size_t n;
    assert_int_equal(json_get_str(&sig, "reason", &s, &n), 0);
    assert_string_equal(s, "token_gate_failed");
    assert_int_equal(json_get(&sig, "details", &det), 0);
    assert_int_equal(json_get_str(&det, "detail", &s, &n), 0);
    assert_string_equal(s, "token gate: liquidity");
    assert_int_equal(json_get(&det, "factors", &fac), 0);
    assert_int_equal(json_get(&fac, "token_detail", &td), 0);
    assert_int_equal(json_get_str(&td, "liquidity_source", &s, &n), 0);
    assert_string_equal(s, "reported");
    double liq;
    assert_int_equal(json_get_double(&td, "liquidity_sol", &liq), 0);
    assert_true(liq > 0.5544 && liq < 0.5545); /* 166.33 / 2 / 150 */
    assert_int_equal(json_get_str(&td, "age_source", &s, &n), 0);
    assert_string_equal(s, "reported");
    int64_t age, waited;
    assert_int_equal(json_get_i64(&td, "age_ms", &age), 0);
    assert_true(age > (int64_t)(time(NULL) - 1741884031LL - 60) * 1000);
    assert_int_equal(json_get_i64(&td, "waited_ms", &waited), 0);
    assert_true(waited >= 0 && waited < 1500);
    json_doc_free(doc);

    /* One lookup of the mint, and the feed reports ok. */
    assert_true(fakesrv_count(&srv) >= 1);
    assert_non_null(strstr(srv.recorded[0].url, "/tokens/v1/solana/" PUMP));
    wait_status(d.port, "\"released_reported\":1", &body);
    assert_non_null(strstr(body.data, "\"dexscreener\":{\"status\":\"ok\""));
    assert_non_null(strstr(body.data, "\"posted\":1"));
    /* The webhook delivered one swap; the feed's price is not one of its. */
    assert_non_null(strstr(body.data, "\"events\":1,\"duplicates\":0"));

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    /* Stored: the swap of the webhook and the feed's price. */
    char dbdir[512];
    snprintf(dbdir, sizeof dbdir, "%s/data", d.dir);
    struct store *st = NULL;
    char err[256];
    assert_int_equal(store_open(dbdir, NULL, &st, err, sizeof err), 0);
    int64_t swaps = -1, transfers = -1, prices = -1;
    assert_int_equal(store_count_events(st, &swaps, &transfers, &prices), 0);
    assert_int_equal(swaps, 1);
    assert_int_equal(prices, 1);
    store_close(st);
    harness_rmdir(d.dir);
    buf_release(&body);
    fakesrv_stop(&srv);
    free(dx.body);
}

/* Without dexscreener.api_url (the harness's default, as in the demo) the
 * feed is off and the status says why. */
static void test_not_configured(void **state)
{
    (void)state;
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"dexscreener\":{\"status\":\"not configured\""));
    assert_non_null(strstr(body.data, "\"wait_ms\":0"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
    buf_release(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signal_uses_reported_liquidity),
        cmocka_unit_test(test_not_configured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
