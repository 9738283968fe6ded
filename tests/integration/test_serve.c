/* Integration tests of `walltrack serve` and the CLI: the real binary, real
 * HTTP on loopback. Checks /healthz, the API token rule on a non-loopback
 * bind, clean shutdown on SIGTERM and SIGINT, and the CLI's usage errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "harness.h"

static void test_healthz_and_clean_stop(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, &body), 200);

    struct json_doc *doc = json_doc_new(0);
    struct json_val root;
    assert_int_equal(json_parse(doc, body.data, body.len, 0, &root), 0);
    const char *s;
    assert_int_equal(json_get_str(&root, "status", &s, NULL), 0);
    assert_string_equal(s, "ok");
    assert_int_equal(json_get_str(&root, "mode", &s, NULL), 0);
    assert_string_equal(s, "paper");
    assert_int_equal(json_get_str(&root, "version", &s, NULL), 0);
    assert_string_equal(s, WT_VERSION);
    int64_t up;
    assert_int_equal(json_get_i64(&root, "uptime_s", &up), 0);
    assert_true(up >= 0 && up < 60);
    json_doc_free(doc);

    /* Unknown paths and methods get JSON errors; with no token configured
     * on loopback, API routes are open. */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/nope", NULL, NULL, 0, &body), 404);
    assert_non_null(strstr(body.data, "\"error\""));
    assert_int_equal(http_request(d.port, "POST", "/healthz", NULL, "{}", 2, NULL), 405);
    assert_int_equal(http_request(d.port, "GET", "/v1/config", NULL, NULL, 0, NULL), 200);

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_non_null(strstr(log.data, "listening on http://127.0.0.1:"));
    assert_non_null(strstr(log.data, "stopped cleanly"));
    buf_release(&log);
    buf_release(&body);
    harness_rmdir(d.dir);
}

static void test_sigint_stops_cleanly(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    assert_int_equal(daemon_stop(&d, SIGINT), 0);
    harness_rmdir(d.dir);
}

static void test_public_bind_needs_token(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    const char *argv[] = {"serve", "--listen", "0.0.0.0:0", "--data", "data", NULL};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(dir, argv, NULL, 15, &out), 2);
    assert_non_null(strstr(out.data, "refusing to listen on 0.0.0.0 without an API token"));
    buf_release(&out);
    harness_rmdir(dir);
}

static void test_token_required_everywhere_but_healthz(void **state)
{
    (void)state;
    const char *token = "tok-9f8e7d6c5b4a";
    const char *env[] = {"WALLTRACK_API_TOKEN=tok-9f8e7d6c5b4a", NULL};
    const char *args[] = {"--listen", "0.0.0.0:0", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    assert_int_equal(http_request(d.port, "GET", "/v1/config", NULL, NULL, 0, &body), 401);
    assert_null(strstr(body.data, token));
    assert_int_equal(http_request(d.port, "GET", "/v1/config",
                                  "Authorization: Bearer tok-wrong-wrong", NULL, 0, NULL),
                     401);
    assert_int_equal(http_request(d.port, "GET", "/v1/config",
                                  "Authorization: Bearer tok-9f8e7d6c5b4", NULL, 0, NULL),
                     401); /* a prefix of the token is not the token */
    assert_int_equal(
        http_request(d.port, "GET", "/v1/config", "Authorization: tok-9f8e7d6c5b4a", NULL, 0, NULL),
        401); /* the Bearer scheme is required */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/config",
                                  "Authorization: Bearer tok-9f8e7d6c5b4a", NULL, 0, &body),
                     200);
    /* the configuration is served, the secret is not */
    assert_non_null(strstr(body.data, "\"name\":\"api.token\""));
    assert_null(strstr(body.data, token));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_null(strstr(log.data, token));
    buf_release(&log);
    buf_release(&body);
    harness_rmdir(d.dir);
}

/* Off loopback a token must resist guessing: a 1-character, a blank and a
 * 15-character token are refused with a clear message (exit 2); 16
 * characters start. */
static void test_public_bind_needs_strong_token(void **state)
{
    (void)state;
    const char *weak[] = {"WALLTRACK_API_TOKEN=x", "WALLTRACK_API_TOKEN=                    ",
                          "WALLTRACK_API_TOKEN=abcdefghijklmno",
                          "WALLTRACK_API_TOKEN=abcdefgh ijklmnopq", NULL};
    for (int i = 0; weak[i]; i++) {
        char dir[256];
        harness_tmpdir(dir, sizeof dir);
        const char *argv[] = {"serve", "--listen", "0.0.0.0:0", "--data", "data", NULL};
        const char *env[] = {weak[i], NULL};
        struct buf out;
        buf_init(&out, 0);
        int rc = harness_run(dir, argv, env, 15, &out);
        if (rc != 2 || !strstr(out.data ? out.data : "", "weak API token"))
            fail_msg("%s: exit %d, output:\n%s", weak[i], rc, out.data ? out.data : "");
        assert_non_null(strstr(out.data, "at least 16 characters"));
        buf_release(&out);
        harness_rmdir(dir);
    }
    /* On loopback any token is the operator's business. */
    struct daemon d;
    const char *short_env[] = {"WALLTRACK_API_TOKEN=x", NULL};
    assert_int_equal(daemon_start(&d, NULL, short_env), 0);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
    const char *ok_env[] = {"WALLTRACK_API_TOKEN=abcdefghijklmnop", NULL};
    const char *args[] = {"--listen", "0.0.0.0:0", NULL};
    assert_int_equal(daemon_start(&d, args, ok_env), 0);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

/* Repeated wrong credentials from one address: the first ten are 401,
 * then every authenticated route answers 429 with Retry-After, even with
 * the right token (a right guess during the lockout gains nothing);
 * /healthz stays open. Requests without credentials are not guesses and
 * do not count (the dashboard makes several before its token is typed). */
static void test_auth_failures_throttled(void **state)
{
    (void)state;
    const char *env[] = {"WALLTRACK_API_TOKEN=throttle-test-token-1234",
                         "WALLTRACK_WEBHOOK_SECRET=throttle-hook-secret", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    for (int i = 0; i < 15; i++)
        assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, NULL), 401);
    for (int i = 0; i < 10; i++) {
        char h[64];
        snprintf(h, sizeof h, "Authorization: Bearer guess-%d", i);
        assert_int_equal(http_request(d.port, "GET", "/v1/status", h, NULL, 0, NULL), 401);
    }
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(
        http_request(d.port, "GET", "/v1/status", "Authorization: Bearer guess-10", NULL, 0, &body),
        429);
    assert_non_null(strstr(body.data, "\"error\""));
    assert_non_null(strstr(body.data, "too many failed authentications"));
    assert_int_equal(http_request(d.port, "GET", "/v1/status",
                                  "Authorization: Bearer throttle-test-token-1234", NULL, 0, NULL),
                     429);
    /* The webhook's secret is guarded by the same count. */
    assert_int_equal(http_request(d.port, "POST", "/webhooks/helius",
                                  "Authorization: throttle-hook-secret", "[]", 2, NULL),
                     429);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    harness_rmdir(d.dir);

    /* The limit is a setting; with 0 nothing is throttled. */
    const char *args[] = {"--set", "server.max_auth_failures=0", NULL};
    assert_int_equal(daemon_start(&d, args, env), 0);
    for (int i = 0; i < 12; i++)
        assert_int_equal(
            http_request(d.port, "GET", "/v1/status", "Authorization: Bearer nope", NULL, 0, NULL),
            401);
    assert_int_equal(http_request(d.port, "GET", "/v1/status",
                                  "Authorization: Bearer throttle-test-token-1234", NULL, 0, NULL),
                     200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

static void expect_usage_error(const char *const *argv, const char *needle)
{
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    struct buf out;
    buf_init(&out, 0);
    int rc = harness_run(dir, argv, NULL, 15, &out);
    if (rc != 2 || !strstr(out.data ? out.data : "", needle))
        fail_msg("walltrack %s: exit %d, output:\n%s\n(wanted exit 2 and '%s')", argv[0], rc,
                 out.data ? out.data : "", needle);
    buf_release(&out);
    harness_rmdir(dir);
}

static void test_cli_errors(void **state)
{
    (void)state;
    expect_usage_error((const char *[]){"frobnicate", NULL}, "unknown command 'frobnicate'");
    expect_usage_error((const char *[]){"serve", "--frob", NULL}, "unknown option '--frob'");
    expect_usage_error((const char *[]){"serve", "--listen", NULL}, "needs a value");
    /* An option where its value should be: refused, nothing created. */
    expect_usage_error((const char *[]){"db", "migrate", "--db", "--help", NULL},
                       "option '--db' needs a value");
    expect_usage_error((const char *[]){"serve", "--listen", "nonsense", NULL},
                       "'nonsense' is not HOST:PORT");
    expect_usage_error((const char *[]){"serve", "--set", "server.threads=0", NULL},
                       "out of range");
    expect_usage_error((const char *[]){"serve", "--set", "api.token=abcdef", NULL}, "is a secret");
    expect_usage_error((const char *[]){"config", "extra", NULL}, "unexpected argument 'extra'");
    expect_usage_error((const char *[]){"version", "x", NULL}, "unexpected argument");
}

static void test_cli_version_help_config(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(dir, (const char *[]){"version", NULL}, NULL, 15, &out), 0);
    assert_string_equal(out.data, "walltrack " WT_VERSION "\n");
    buf_reset(&out);
    assert_int_equal(harness_run(dir, (const char *[]){"help", NULL}, NULL, 15, &out), 0);
    assert_non_null(strstr(out.data, "serve"));
    buf_reset(&out);
    assert_int_equal(harness_run(dir, (const char *[]){"serve", "--help", NULL}, NULL, 15, &out),
                     0);
    assert_non_null(strstr(out.data, "--listen HOST:PORT"));
    buf_reset(&out);
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=whsec-123456", "WALLTRACK_LISTEN=127.0.0.1:9",
                         NULL};
    const char *argv[] = {"config", "--set", "server.threads=3", NULL};
    assert_int_equal(harness_run(dir, argv, env, 15, &out), 0);
    assert_non_null(strstr(out.data, "server.threads               = 3  # command line"));
    assert_non_null(strstr(out.data, "server.listen                = \"127.0.0.1:9\"  # env"));
    assert_non_null(strstr(out.data, "helius.webhook_secret        = \"********\"  # env"));
    assert_non_null(strstr(out.data, "log.level                    = \"info\"  # default"));
    assert_null(strstr(out.data, "whsec-123456"));
    buf_release(&out);
    harness_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_and_clean_stop),
        cmocka_unit_test(test_sigint_stops_cleanly),
        cmocka_unit_test(test_public_bind_needs_token),
        cmocka_unit_test(test_token_required_everywhere_but_healthz),
        cmocka_unit_test(test_public_bind_needs_strong_token),
        cmocka_unit_test(test_auth_failures_throttled),
        cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_cli_version_help_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
