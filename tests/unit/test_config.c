/* Tests of the configuration table and its layers (base/config.h):
 * defaults, file, environment, command line; validation that changes
 * nothing on bad input; secrets; and docs/config.md kept in step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/err.h"
#include "base/log.h"

static char tmpdir[] = "/tmp/wt-config-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    log_close();
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text, mode_t mode)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    chmod(path, mode);
    return path;
}

static void test_defaults_are_valid(void **state)
{
    (void)state;
    struct config c;
    config_init(&c); /* aborts if any default fails its own row */
    for (int i = 0; i < CFG_COUNT; i++) {
        const struct config_def *d = config_def_of((enum config_id)i);
        assert_non_null(d->help);
        assert_true(strlen(d->help) > 10);
        assert_int_equal(config_source_of(&c, (enum config_id)i), CONFIG_SRC_DEFAULT);
        /* every name is unique */
        enum config_id id;
        assert_ptr_equal(config_def_find(d->name, &id), d);
        assert_int_equal(id, i);
    }
    assert_string_equal(config_str(&c, CFG_LISTEN), "127.0.0.1:8080");
    assert_int_equal(config_int(&c, CFG_WEBHOOK_MAX_BODY), 10485760);
    assert_false(config_bool(&c, CFG_LIVE_ENABLED));
    config_release(&c);
}

static void test_set_validates(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    assert_int_equal(config_set(&c, "server.threads", "8", CONFIG_SRC_CLI), 0);
    assert_int_equal(config_int(&c, CFG_HTTP_THREADS), 8);
    assert_int_equal(config_source_of(&c, CFG_HTTP_THREADS), CONFIG_SRC_CLI);
    /* out of bounds, not a number, unknown: each refused, value unchanged */
    assert_int_equal(config_set(&c, "server.threads", "0", CONFIG_SRC_CLI), WT_ERANGE);
    assert_non_null(strstr(config_errmsg(&c), "server.threads"));
    assert_non_null(strstr(config_errmsg(&c), "out of range"));
    assert_int_equal(config_set(&c, "server.threads", "65", CONFIG_SRC_CLI), WT_ERANGE);
    assert_int_equal(config_set(&c, "server.threads", "four", CONFIG_SRC_CLI), WT_EPARSE);
    assert_int_equal(config_set(&c, "server.threads", "99999999999999999999", CONFIG_SRC_CLI),
                     WT_ERANGE);
    assert_int_equal(config_int(&c, CFG_HTTP_THREADS), 8);
    assert_int_equal(config_set(&c, "no.such", "1", CONFIG_SRC_CLI), WT_ENOTFOUND);
    assert_non_null(strstr(config_errmsg(&c), "no.such"));
    assert_int_equal(config_set(&c, "live.enabled", "maybe", CONFIG_SRC_CLI), WT_EPARSE);
    assert_int_equal(config_set(&c, "live.enabled", "YES", CONFIG_SRC_CLI), 0);
    assert_true(config_bool(&c, CFG_LIVE_ENABLED));
    assert_string_equal(config_str(&c, CFG_LIVE_ENABLED), "true");
    config_release(&c);
}

static void test_secret_rules(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    /* never from the command line */
    assert_int_equal(config_set(&c, "api.token", "hunter2hunter2", CONFIG_SRC_CLI), WT_EAUTH);
    assert_string_equal(config_str(&c, CFG_API_TOKEN), "");
    /* from the environment: stored, masked when shown */
    assert_int_equal(config_set(&c, "api.token", "hunter2hunter2", CONFIG_SRC_ENV), 0);
    assert_string_equal(config_str(&c, CFG_API_TOKEN), "hunter2hunter2");
    assert_string_equal(config_display(&c, CFG_API_TOKEN), "********");
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(config_print(&c, &out), 0);
    assert_null(strstr(out.data, "hunter2"));
    assert_non_null(strstr(out.data, "api.token"));
    buf_release(&out);
    config_release(&c);
}

static void test_file_layer(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    const char *p = write_file("ok.conf",
                               "# walltrack\n\nserver.listen = \"0.0.0.0:9000\"  # public\n"
                               "server.threads=2\n",
                               0644);
    assert_int_equal(config_load_file(&c, p), 0);
    assert_string_equal(config_str(&c, CFG_LISTEN), "0.0.0.0:9000");
    assert_int_equal(config_int(&c, CFG_HTTP_THREADS), 2);
    assert_int_equal(config_source_of(&c, CFG_LISTEN), CONFIG_SRC_FILE);

    /* A bad line 4 rejects the whole file: line 3's change is not kept. */
    p = write_file("bad.conf", "\n# x\nserver.threads = 7\nserver.threads = 100\n", 0644);
    assert_int_equal(config_load_file(&c, p), WT_ERANGE);
    assert_non_null(strstr(config_errmsg(&c), "bad.conf:4:"));
    assert_int_equal(config_int(&c, CFG_HTTP_THREADS), 2);

    p = write_file("noeq.conf", "server.threads 7\n", 0644);
    assert_int_equal(config_load_file(&c, p), WT_EPARSE);
    assert_non_null(strstr(config_errmsg(&c), "noeq.conf:1:"));

    p = write_file("unknown.conf", "serve.listen = x\n", 0644);
    assert_int_equal(config_load_file(&c, p), WT_ENOTFOUND);
    assert_non_null(strstr(config_errmsg(&c), "serve.listen"));

    /* A secret in a file others can read is refused; 0600 is fine. */
    p = write_file("secret.conf", "api.token = abcdefgh\n", 0644);
    assert_int_equal(config_load_file(&c, p), WT_EAUTH);
    assert_non_null(strstr(config_errmsg(&c), "chmod 600"));
    assert_string_equal(config_str(&c, CFG_API_TOKEN), "");
    p = write_file("secret600.conf", "api.token = abcdefgh\n", 0600);
    assert_int_equal(config_load_file(&c, p), 0);
    assert_string_equal(config_str(&c, CFG_API_TOKEN), "abcdefgh");

    char missing[600];
    snprintf(missing, sizeof missing, "%s/absent.conf", tmpdir);
    assert_int_equal(config_load_file(&c, missing), WT_EIO);
    config_release(&c);
}

static const char *fake_env[][2] = {
    {"WALLTRACK_LISTEN", "127.0.0.1:7000"},
    {"WALLTRACK_WEBHOOK_SECRET_FILE", NULL}, /* filled by the test */
    {NULL, NULL},
};

static const char *fake_getenv(const char *name)
{
    for (int i = 0; fake_env[i][0]; i++)
        if (strcmp(fake_env[i][0], name) == 0)
            return fake_env[i][1];
    return NULL;
}

static void test_env_layer(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    static char path[512];
    snprintf(path, sizeof path, "%s", write_file("whsecret", "s3cret-value\n", 0600));
    fake_env[1][1] = path;
    assert_int_equal(config_load_env(&c, fake_getenv), 0);
    assert_string_equal(config_str(&c, CFG_LISTEN), "127.0.0.1:7000");
    assert_int_equal(config_source_of(&c, CFG_LISTEN), CONFIG_SRC_ENV);
    assert_string_equal(config_str(&c, CFG_WEBHOOK_SECRET), "s3cret-value");

    /* The same file readable by others is refused, nothing changes. */
    struct config d;
    config_init(&d);
    chmod(path, 0644);
    assert_int_equal(config_load_env(&d, fake_getenv), WT_EAUTH);
    assert_string_equal(config_str(&d, CFG_LISTEN), "127.0.0.1:8080");
    assert_string_equal(config_str(&d, CFG_WEBHOOK_SECRET), "");
    config_release(&d);
    config_release(&c);
}

static void test_secret_redacted_in_log(void **state)
{
    (void)state;
    char logpath[512];
    snprintf(logpath, sizeof logpath, "%s/log.txt", tmpdir);
    assert_int_equal(log_open(logpath, LOG_DEBUG), 0);
    struct config c;
    config_init(&c);
    assert_int_equal(config_set(&c, "helius.api_key", "key-1234-abcd", CONFIG_SRC_ENV), 0);
    log_info("test", "calling https://api.helius.xyz/v0/x?api-key=%s now",
             config_str(&c, CFG_HELIUS_API_KEY));
    log_close();
    FILE *fp = fopen(logpath, "r");
    char line[1024] = {0};
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    assert_null(strstr(line, "key-1234-abcd"));
    assert_non_null(strstr(line, "api-key=[REDACTED] now"));
    config_release(&c);
}

/* Enumerated settings accept only their listed values, in any case, and
 * keep the listed spelling; anything else is refused naming the setting
 * and what it accepts, and changes nothing (API, file, environment and
 * command line all go through this). */
static void test_choices(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    static const char *const bad[][2] = {
        {"alert.min_severity", "bogus"}, {"alert.min_severity", ""},
        {"alert.min_severity", "warn "}, {"log.level", "anything"},
        {"log.level", "warning"},        {"log.level", ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *before = config_str(&c, CFG_ALERT_MIN_SEVERITY);
        char keep[32];
        snprintf(keep, sizeof keep, "%s", before);
        assert_int_equal(config_set(&c, bad[i][0], bad[i][1], CONFIG_SRC_DB), WT_EINVAL);
        assert_non_null(strstr(config_errmsg(&c), bad[i][0]));
        assert_non_null(strstr(config_errmsg(&c), "one of"));
        assert_string_equal(config_str(&c, CFG_ALERT_MIN_SEVERITY), keep);
        assert_string_equal(config_str(&c, CFG_LOG_LEVEL), "info");
    }
    assert_non_null(strstr(config_errmsg(&c), "debug, info, warn, error"));
    assert_int_equal(config_set(&c, "alert.min_severity", "Critical", CONFIG_SRC_DB), 0);
    assert_string_equal(config_str(&c, CFG_ALERT_MIN_SEVERITY), "critical");
    assert_int_equal(config_set(&c, "log.level", "WARN", CONFIG_SRC_CLI), 0);
    assert_string_equal(config_str(&c, CFG_LOG_LEVEL), "warn");
    /* a config file with a bad value is refused whole */
    const char *f =
        write_file("choices.conf", "log.level = debug\nalert.min_severity = loud\n", 0600);
    assert_int_equal(config_load_file(&c, f), WT_EINVAL);
    assert_non_null(strstr(config_errmsg(&c), ":2: alert.min_severity"));
    assert_string_equal(config_str(&c, CFG_LOG_LEVEL), "warn");
    config_release(&c);
}

/* URL settings that carry keys in their path are secret URLs: each URL of
 * a list is redacted in the log, not only the whole list. */
static void test_secret_url_settings(void **state)
{
    (void)state;
    static const enum config_id ids[] = {CFG_RPC_URLS, CFG_ALERT_WEBHOOK_URL, CFG_ALERT_NTFY_URL};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        assert_true((config_def_of(ids[i])->flags & (CONFIG_SECRET | CONFIG_SECRET_URL)) ==
                    (CONFIG_SECRET | CONFIG_SECRET_URL));
    char logpath[512];
    snprintf(logpath, sizeof logpath, "%s/urls.txt", tmpdir);
    assert_int_equal(log_open(logpath, LOG_DEBUG), 0);
    struct config c;
    config_init(&c);
    assert_int_equal(config_set(&c, "rpc.urls",
                                "https://x.quiknode.pro/qn0123456789abcdef/,"
                                "https://solana-mainnet.g.alchemy.com/v2/alc0123456789abc",
                                CONFIG_SRC_ENV),
                     0);
    log_warn("http", "POST https://solana-mainnet.g.alchemy.com/v2/alc0123456789abc: refused");
    log_warn("http", "POST https://x.quiknode.pro/qn0123456789abcdef/: refused");
    log_close();
    FILE *fp = fopen(logpath, "r");
    char text[2048] = {0};
    assert_true(fread(text, 1, sizeof text - 1, fp) > 0);
    fclose(fp);
    assert_null(strstr(text, "alc0123456789abc"));
    assert_null(strstr(text, "qn0123456789abcdef"));
    /* `walltrack config` shows where they point, not the keys */
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(config_print(&c, &out), 0);
    assert_null(strstr(out.data, "alc0123456789abc"));
    assert_null(strstr(out.data, "qn0123456789abcdef"));
    buf_release(&out);
    config_release(&c);
}

/* docs/config.md is generated from the table; fail when they drift. */
static void test_docs_match_table(void **state)
{
    (void)state;
    struct buf want;
    buf_init(&want, 0);
    assert_int_equal(config_markdown(&want), 0);
    FILE *fp = fopen(WT_SOURCE_DIR "/docs/config.md", "r");
    assert_non_null(fp);
    struct buf have;
    buf_init(&have, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&have, chunk, n);
    fclose(fp);
    if (have.len != want.len || memcmp(have.data, want.data, want.len) != 0)
        fail_msg("docs/config.md is out of date: run "
                 "`./build/walltrack config --markdown > docs/config.md`");
    buf_release(&want);
    buf_release(&have);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_valid),  cmocka_unit_test(test_set_validates),
        cmocka_unit_test(test_secret_rules),        cmocka_unit_test(test_file_layer),
        cmocka_unit_test(test_env_layer),           cmocka_unit_test(test_secret_redacted_in_log),
        cmocka_unit_test(test_docs_match_table),    cmocka_unit_test(test_choices),
        cmocka_unit_test(test_secret_url_settings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
