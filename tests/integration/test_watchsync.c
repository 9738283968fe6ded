/* Integration tests of what ties discovery and curation to the running
 * engine: POST /v1/discovery/run fills the watchlist and the engine follows
 * it; blacklisting through the smart-money API reaches the engine at once;
 * GET /v1/wallet shows the trading wallet's public key and never a secret.
 * The real daemon on a SQLite file holding a simulated, imported market. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "harness.h"
#include "solana/base58.h"
#include "solana/keypair.h"

static char key_env[160], pub58[BASE58_KEY_MAX], secret58[BASE58_SIG_MAX];

static void make_key(void)
{
    uint8_t seed[32], secret[64];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(i * 7 + 3);
    struct keypair *kp;
    assert_int_equal(keypair_from_seed(seed, &kp), 0);
    struct pubkey pk;
    keypair_pubkey(kp, &pk);
    keypair_free(kp);
    memcpy(secret, seed, 32);
    memcpy(secret + 32, pk.b, 32);
    base58_encode(secret, 64, secret58, sizeof secret58);
    snprintf(key_env, sizeof key_env, "WALLTRACK_KEYPAIR=%s", secret58);
    pubkey_format(&pk, pub58);
}

static int64_t get_i64(const char *json, const char *obj, const char *key)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, o;
    int64_t v = -1;
    if (json_parse(d, json, strlen(json), 0, &root) == 0) {
        if (obj && json_get(&root, obj, &o) == 0)
            json_get_i64(&o, key, &v);
        else if (!obj)
            json_get_i64(&root, key, &v);
    }
    json_doc_free(d);
    return v;
}

static void test_discovery_and_curation_reach_the_engine(void **state)
{
    (void)state;
    make_key();
    struct daemon d;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    const char *gen[] = {"sim", "generate",         "--out", "sim", "--seed", "31", "--wallets",
                         "400", "--tokens-per-day", "60",    NULL};
    assert_int_equal(harness_run(d.dir, gen, NULL, 120, NULL), 0);
    const char *imp[] = {"import", "--quiet", "--data", "data", "sim/transactions.ndjson", NULL};
    assert_int_equal(harness_run(d.dir, imp, NULL, 120, NULL), 0);
    const char *env[] = {key_env, NULL};
    assert_int_equal(daemon_restart(&d, NULL, env), 0);

    struct buf body;
    buf_init(&body, 0);
    /* Nothing is watched before discovery. */
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_int_equal(get_i64(body.data, "watchlist", "watched"), 0);

    buf_reset(&body);
    assert_int_equal(http_request(d.port, "POST", "/v1/discovery/run", NULL, "{}", 2, &body), 200);
    int64_t watchlist = get_i64(body.data, NULL, "watchlist");
    assert_true(watchlist > 0);
    /* The engine follows: the sync is queued before the answer, and the
     * status reflects it once the engine has handled the commands. */
    int64_t watched = -1;
    for (int i = 0; i < 100 && watched != watchlist; i++) {
        buf_reset(&body);
        assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
        watched = get_i64(body.data, "watchlist", "watched");
        if (watched != watchlist) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(watched, watchlist);

    /* Blacklisting a watched wallet through the smart-money API reaches the
     * engine: one fewer watched, one blacklisted. */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/watchlist", NULL, NULL, 0, &body), 200);
    const char *w = strstr(body.data, "\"wallet\":\"");
    assert_non_null(w);
    char addr[BASE58_KEY_MAX] = {0};
    memcpy(addr, w + 10, strcspn(w + 10, "\""));
    char path[200];
    snprintf(path, sizeof path, "/v1/smart-money/wallets/%s/blacklist", addr);
    assert_int_equal(http_request(d.port, "POST", path, NULL, "{}", 2, NULL), 200);
    int64_t black = -1;
    for (int i = 0; i < 100 && black != 1; i++) {
        buf_reset(&body);
        assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
        black = get_i64(body.data, "watchlist", "blacklisted");
        if (black != 1) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(black, 1);
    assert_int_equal(get_i64(body.data, "watchlist", "watched"), watchlist - 1);

    /* The trading wallet: public key only; no rpc.urls, so no balance. */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/wallet", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"configured\":true"));
    assert_non_null(strstr(body.data, pub58));
    assert_non_null(strstr(body.data, "\"balance_sol\":null"));
    assert_non_null(strstr(body.data, "no rpc.urls"));
    assert_null(strstr(body.data, secret58));

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_null(strstr(log.data, secret58));
    assert_non_null(strstr(log.data, "synced the engine with the store"));
    buf_release(&log);
    buf_release(&body);
    harness_rmdir(d.dir);
}

static void test_wallet_without_key(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(d.port, "GET", "/v1/wallet", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"configured\":false"));
    assert_non_null(strstr(body.data, "\"pubkey\":null"));
    assert_non_null(strstr(body.data, "no trading keypair"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discovery_and_curation_reach_the_engine),
        cmocka_unit_test(test_wallet_without_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
