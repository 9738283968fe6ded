/* Integration tests of reload without restart (cli/serve_reload.h): the
 * real daemon, its secrets in WALLTRACK_*_FILE files and a config file.
 * Rotating the API token and the webhook secret and sending SIGHUP makes
 * the old ones fail and the new ones work for the next requests; a bad
 * value (rpc.urls not http) is refused with the reason and the old one
 * stays; a setting that needs a restart is named; a config file that does
 * not parse changes nothing; `walltrack reload` reports the same through
 * POST /v1/reload; in live mode a changed trading keypair is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "solana/base58.h"
#include "solana/keypair.h"
#include "solana/pubkey.h"

#define TOK1 "Bearer token-one-0123456789abcdef"
#define TOK2 "Bearer token-two-0123456789abcdef"

static void write_secret(const char *path, const char *text)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(tmp, 0600), 0);
    assert_int_equal(rename(tmp, path), 0);
}

static int count_in_log(const struct daemon *d, const char *needle)
{
    struct buf log;
    buf_init(&log, 0);
    daemon_log(d, &log);
    int n = 0;
    for (const char *p = log.data; p && (p = strstr(p, needle)); p++)
        n++;
    buf_release(&log);
    return n;
}

/* Sends SIGHUP and waits (at most 15 s) for the reload's "done" line. */
static void sighup(const struct daemon *d)
{
    int before = count_in_log(d, "reload: done");
    assert_int_equal(kill(d->pid, SIGHUP), 0);
    for (int i = 0;
         i < 300 &&
         count_in_log(d, "reload: done") + count_in_log(d, "reload: refused, nothing") <= before;
         i++) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static long get_status(unsigned port, const char *auth)
{
    char h[200];
    snprintf(h, sizeof h, "Authorization: %s", auth);
    return http_request(port, "GET", "/v1/status", h, NULL, 0, NULL);
}

static long post_webhook(unsigned port, const char *secret, unsigned first)
{
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(harness_swap_body(&body, first, 1), 0);
    char h[200];
    snprintf(h, sizeof h, "Authorization: %s", secret);
    long st = http_request(port, "POST", "/webhooks/helius", h, body.data, body.len, NULL);
    buf_release(&body);
    return st;
}

static void test_sighup_rotates_secrets(void **state)
{
    (void)state;
    char dir[256], tok[512], sec[512], conf[512];
    harness_tmpdir(dir, sizeof dir);
    snprintf(tok, sizeof tok, "%s/api_token", dir);
    snprintf(sec, sizeof sec, "%s/webhook_secret", dir);
    snprintf(conf, sizeof conf, "%s/walltrack.conf", dir);
    write_secret(tok, "token-one-0123456789abcdef\n");
    write_secret(sec, "secret-one\n");
    write_secret(conf, "alert.probe_s = 0\n");
    char etok[600], esec[600];
    snprintf(etok, sizeof etok, "WALLTRACK_API_TOKEN_FILE=%s", tok);
    snprintf(esec, sizeof esec, "WALLTRACK_WEBHOOK_SECRET_FILE=%s", sec);
    const char *env[] = {etok, esec, NULL};
    const char *args[] = {"--config", conf, NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);
    assert_int_equal(get_status(d.port, TOK1), 200);
    assert_int_equal(post_webhook(d.port, "secret-one", 1), 200);

    /* Rotate both, SIGHUP: the next requests use the new ones. */
    write_secret(tok, "token-two-0123456789abcdef\n");
    write_secret(sec, "secret-two\n");
    sighup(&d);
    assert_int_equal(get_status(d.port, TOK1), 401);
    assert_int_equal(get_status(d.port, TOK2), 200);
    assert_int_equal(post_webhook(d.port, "secret-one", 2), 401);
    assert_int_equal(post_webhook(d.port, "secret-two", 3), 200);
    assert_int_equal(count_in_log(&d, "api.token: the new value is in use"), 1);
    /* Secrets never reach the log, only their names. */
    assert_int_equal(count_in_log(&d, "token-two"), 0);
    assert_int_equal(count_in_log(&d, "secret-two"), 0);

    /* A refused value keeps the old one and says why; a setting that needs
     * a restart is named; both through `walltrack reload`. */
    write_secret(conf, "alert.probe_s = 0\nrpc.urls = ftp://example.invalid\n"
                       "server.threads = 3\n");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", d.port);
    const char *rl[] = {"reload", "--url", url, NULL};
    const char *cenv[] = {"WALLTRACK_API_TOKEN=token-two-0123456789abcdef", NULL};
    struct buf out;
    buf_init(&out, 0);
    int rrc = harness_run(d.dir, rl, cenv, 30, &out);
    if (rrc != 1)
        fail_msg("reload exited %d: %s", rrc, out.data ? out.data : "");
    if (!strstr(out.data, "rpc.urls: not a comma-separated list of http(s) URLs"))
        fail_msg("%s", out.data);
    assert_non_null(strstr(out.data, "server.threads"));
    assert_null(strstr(out.data, "example.invalid"));
    buf_reset(&out);
    assert_int_equal(
        http_request(d.port, "POST", "/v1/reload", "Authorization: " TOK2, "{}", 2, &out), 200);
    assert_non_null(strstr(out.data, "\"refused\":[{\"name\":\"rpc.urls\""));
    assert_non_null(strstr(out.data, "\"restart_needed\":[\"server.threads\"]"));

    /* A file that does not parse: nothing changes. */
    write_secret(conf, "this is not a setting\n");
    write_secret(tok, "token-three-0123456789abcdef\n");
    sighup(&d);
    assert_int_equal(count_in_log(&d, "reload: refused, nothing changed"), 1);
    assert_int_equal(get_status(d.port, TOK2), 200);
    assert_int_equal(get_status(d.port, "Bearer token-three-0123456789abcdef"), 401);

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&out);
    harness_rmdir(d.dir);
    harness_rmdir(dir);
}

static void test_live_keypair_is_not_reloaded(void **state)
{
    (void)state;
    char dir[256], conf[512];
    harness_tmpdir(dir, sizeof dir);
    snprintf(conf, sizeof conf, "%s/walltrack.conf", dir);
    write_secret(conf, "alert.probe_s = 0\n");
    /* A keypair made from a fixed seed, as test_live_cli does. */
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
    char b58[BASE58_SIG_MAX], key_env[200];
    base58_encode(secret, 64, b58, sizeof b58);
    snprintf(key_env, sizeof key_env, "WALLTRACK_KEYPAIR=%s", b58);
    const char *env[] = {"WALLTRACK_LIVE_ENABLED=true", key_env,
                         "WALLTRACK_RPC_URLS=http://127.0.0.1:9", NULL};
    const char *args[] = {"--config", conf, "--live", NULL};
    struct daemon d;
    if (daemon_start(&d, args, env) != 0) {
        struct buf log;
        buf_init(&log, 0);
        daemon_log(&d, &log);
        fail_msg("live daemon did not start: %s", log.data ? log.data : "");
    }
    char keyfile[512];
    snprintf(keyfile, sizeof keyfile, "%s/other.json", dir);
    write_secret(keyfile, "[1,2,3]\n");
    char text[700];
    snprintf(text, sizeof text, "alert.probe_s = 0\nlive.keypair_path = %s\n", keyfile);
    write_secret(conf, text);
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(http_request(d.port, "POST", "/v1/reload", NULL, "{}", 2, &out), 200);
    assert_non_null(strstr(out.data, "\"name\":\"live.keypair_path\""));
    assert_non_null(strstr(out.data, "not reloaded in live mode"));
    assert_null(strstr(out.data, "other.json"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&out);
    harness_rmdir(d.dir);
    harness_rmdir(dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sighup_rotates_secrets),
        cmocka_unit_test(test_live_keypair_is_not_reloaded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
