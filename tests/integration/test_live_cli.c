/* The real binary's live-trading commands: `serve --live` refuses to start
 * unarmed and names why, reports mode "live" on /healthz only when armed;
 * `wallet check` and `wallet show` against a fake RPC answering with the
 * recorded bodies (getLatestBlockhash, getTokenAccountsByOwner; getBalance
 * in the documentation's shape, no capture exists). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "solana/base58.h"
#include "solana/keypair.h"
#include "harness.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

static char g_key_env[160]; /* WALLTRACK_KEYPAIR=<base58 of the 64 bytes> */
static char g_pub58[BASE58_KEY_MAX];

static void make_key(void)
{
    uint8_t seed[32], secret[64];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(i * 13 + 5);
    struct keypair *kp;
    assert_int_equal(keypair_from_seed(seed, &kp), 0);
    struct pubkey pk;
    keypair_pubkey(kp, &pk);
    keypair_free(kp);
    memcpy(secret, seed, 32);
    memcpy(secret + 32, pk.b, 32);
    char b58[BASE58_SIG_MAX];
    base58_encode(secret, 64, b58, sizeof b58);
    snprintf(g_key_env, sizeof g_key_env, "WALLTRACK_KEYPAIR=%s", b58);
    pubkey_format(&pk, g_pub58);
}

static void test_serve_live_refuses_unarmed(void **state)
{
    (void)state;
    make_key();
    char dir[256], data[300];
    harness_tmpdir(dir, sizeof dir);
    snprintf(data, sizeof data, "%s/data", dir);
    const char *argv[] = {"serve", "--live", "--listen", "127.0.0.1:0", "--data", data, NULL};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(dir, argv, NULL, 30, &out), 1);
    assert_non_null(strstr(out.data, "refusing to start live: live.enabled is false"));

    const char *env0[] = {"WALLTRACK_LIVE_ENABLED=true", NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, argv, env0, 30, &out), 1);
    assert_non_null(strstr(out.data, "rpc.urls is empty"));

    const char *env1[] = {"WALLTRACK_LIVE_ENABLED=true",
                          "WALLTRACK_KEYPAIR=", "WALLTRACK_RPC_URLS=http://127.0.0.1:9", NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, argv, env1, 30, &out), 1);
    assert_non_null(strstr(out.data, "no keypair"));

    const char *env2[] = {"WALLTRACK_LIVE_ENABLED=true", g_key_env,
                          "WALLTRACK_LIVE_MAX_DAILY_SOL=0", "WALLTRACK_RPC_URLS=http://127.0.0.1:9",
                          NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, argv, env2, 30, &out), 1);
    assert_non_null(strstr(out.data, "max_daily_sol"));
    buf_release(&out);
    harness_rmdir(dir);
}

static void test_serve_live_armed_reports_live(void **state)
{
    (void)state;
    make_key();
    struct daemon d;
    struct buf body;
    buf_init(&body, 0);
    const char *env[] = {"WALLTRACK_LIVE_ENABLED=true", g_key_env,
                         "WALLTRACK_RPC_URLS=http://127.0.0.1:9", NULL};
    const char *live[] = {"--live", NULL};
    assert_int_equal(daemon_start(&d, live, env), 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"mode\":\"live\""));
    /* Not only the label: the engine itself trades live (live executor). */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"mode\":\"live\""));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf elog;
    buf_init(&elog, 0);
    daemon_log(&d, &elog);
    assert_non_null(strstr(elog.data, "engine (live) restored"));
    buf_release(&elog);
    /* Enabled and keyed, but no --live: paper. */
    buf_reset(&body);
    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"mode\":\"paper\""));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_null(strstr(log.data, g_key_env + strlen("WALLTRACK_KEYPAIR=")));
    buf_release(&log);
    buf_release(&body);
    harness_rmdir(d.dir);
}

struct node {
    char *blockhash, *tokens;
    size_t lb, lt;
    const char *balance;
};

static void node_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    struct node *n = s->ud;
    resp->status = 200;
    if (strstr(req->body, "getLatestBlockhash")) {
        resp->body = n->blockhash;
        resp->body_len = n->lb;
    } else if (strstr(req->body, "getTokenAccountsByOwner")) {
        resp->body = n->tokens;
        resp->body_len = n->lt;
    } else if (strstr(req->body, "getBalance")) {
        resp->body = n->balance;
        resp->body_len = strlen(n->balance);
    } else {
        resp->status = 400;
    }
}

static void test_wallet_check_and_show(void **state)
{
    (void)state;
    make_key();
    struct node n = {0};
    n.blockhash = fixture_read("real/rpc_getLatestBlockhash_response_helius_example.json", &n.lb);
    n.tokens =
        fixture_read("real/rpc_getTokenAccountsByOwner_jsonParsed_response_docs.json", &n.lt);
    n.balance = "{\"jsonrpc\":\"2.0\",\"result\":{\"context\":{\"slot\":1},\"value\":1000000},"
                "\"id\":1}";
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, node_handler, &n), 0);
    char dir[256], rpc_env[128], dead[64], two_env[256];
    harness_tmpdir(dir, sizeof dir);
    snprintf(rpc_env, sizeof rpc_env, "WALLTRACK_RPC_URLS=%s", s.url);
    const char *env[] = {g_key_env, rpc_env, NULL};
    const char *check[] = {"wallet", "check", NULL};
    struct buf out;
    buf_init(&out, 0);
    /* 0.001 SOL < the default minimum 0.05. */
    assert_int_equal(harness_run(dir, check, env, 30, &out), 1);
    assert_non_null(strstr(out.data, "ok    key"));
    assert_non_null(strstr(out.data, g_pub58));
    assert_non_null(strstr(out.data, "ok    rpc"));
    assert_non_null(strstr(out.data, "FAIL  balance  0.001000000 SOL < live.min_balance_sol"));
    /* Enough balance, and the first endpoint is dead: failover. */
    n.balance = "{\"jsonrpc\":\"2.0\",\"result\":{\"context\":{\"slot\":1},\"value\":2500000000},"
                "\"id\":1}";
    fake_refused_url(dead, sizeof dead);
    snprintf(two_env, sizeof two_env, "WALLTRACK_RPC_URLS=%s,%s", dead, s.url);
    const char *env2[] = {g_key_env, two_env, NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, check, env2, 30, &out), 0);
    assert_non_null(strstr(out.data, "ok    balance  2.500000000 SOL"));
    /* No key at all. */
    const char *env3[] = {"WALLTRACK_KEYPAIR=", rpc_env, NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, check, env3, 30, &out), 1);
    assert_non_null(strstr(out.data, "FAIL  key"));
    /* RPC unreachable. */
    char dead_env[128];
    snprintf(dead_env, sizeof dead_env, "WALLTRACK_RPC_URLS=%s", dead);
    const char *env4[] = {g_key_env, dead_env, NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, check, env4, 30, &out), 1);
    assert_non_null(strstr(out.data, "FAIL  rpc"));

    const char *show[] = {"wallet", "show", NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, show, env, 30, &out), 0);
    assert_non_null(strstr(out.data, "SOL     2.500000000 (2500000000 lamports"));
    /* The documented token account, once per program asked. */
    assert_non_null(strstr(out.data, "2cHr7QS3xfuSV8wdxo3ztuF4xbiarF6Nrgx3qpx3HzXR"));
    assert_non_null(strstr(out.data, "420000000.000000  (raw 420000000000000, 6 decimals, token"));
    assert_true(fakesrv_count(&s) > 0);
    buf_release(&out);
    fakesrv_stop(&s);
    free(n.blockhash);
    free(n.tokens);
    harness_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_live_refuses_unarmed),
        cmocka_unit_test(test_serve_live_armed_reports_live),
        cmocka_unit_test(test_wallet_check_and_show),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
