/* store_url_validate (what names a database, and that its refusals never quote
 * a password) and store_health on a SQLite store (a failed commit makes it
 * unhealthy, the next commit healthy again). The PostgreSQL side of
 * store_health (unreachable while the server is down) is tested against a
 * real server restart in tests/integration/test_pg_restart.c. */
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

#include "base/err.h"
#include "base/log.h"
#include "store/store.h"

static void expect_refused(const char *s, const char *secret)
{
    char err[512] = "";
    bool pw = true;
    assert_int_equal(store_url_validate(s, &pw, err, sizeof err), WT_EINVAL);
    assert_false(pw);
    assert_true(err[0] != '\0');
    if (secret != NULL && strstr(err, secret) != NULL)
        fail_msg("the refusal of '%s' quotes its secret: %s", s, err);
}

static void expect_accepted(const char *s, bool has_password)
{
    char err[512] = "";
    bool pw = !has_password;
    if (store_url_validate(s, &pw, err, sizeof err) != 0)
        fail_msg("'%s' refused: %s", s, err);
    assert_int_equal(pw, has_password);
}

static void test_url_check(void **state)
{
    (void)state;
    expect_refused("", NULL);
    expect_refused(NULL, NULL);
    /* libpq keyword/value strings */
    expect_refused("host=db.example password=hunter2 dbname=wt", "hunter2");
    expect_refused("  dbname = walltrack", NULL);
    expect_refused("password=hunter2", "hunter2");
    /* other schemes */
    expect_refused("sqlite:///var/lib/walltrack.db", NULL);
    expect_refused("mysql://u:hunter2@h/db", "hunter2");
    /* a malformed percent-encoding: libpq's message would quote it */
    expect_refused("postgresql://u:hunter2%zz@localhost/db", "hunter2");
    expect_refused("postgres://u@localhost/db?password=hunter2%zz", "hunter2");

    expect_accepted("postgresql://u:hunter2@localhost:5432/db", true);
    expect_accepted("postgres://u@localhost/db?password=hunter2", true);
    expect_accepted("postgresql://walltrack@/postgres?host=/tmp&port=5432", false);
    expect_accepted("/var/lib/walltrack/walltrack.db", false);
    expect_accepted("walltrack.db", false);
    expect_accepted("data", false);
    expect_accepted("a=b.db", false); /* "a" is not a libpq keyword */
}

static int fail_commit(void *ctx, enum store_fault_point p, uint64_t nrow)
{
    (void)ctx;
    (void)nrow;
    return p == STORE_FAULT_COMMIT;
}

static void test_health_follows_commits(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_health_XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);

    struct store_health h;
    assert_int_equal(store_health(st, &h), 0);
    assert_true(h.ok);
    assert_true(h.reachable);

    assert_int_equal(store_setting_set(st, "k", "1", 1000, "test"), 0);
    assert_int_equal(store_health(st, &h), 0);
    assert_true(h.last_commit_ms > 0);
    int64_t first_commit = h.last_commit_ms;

    /* A write that fails: unhealthy, with the reason. */
    store_set_fault_hook(st, fail_commit, NULL);
    assert_int_equal(store_setting_set(st, "k", "2", 2000, "test"), WT_ESTORE);
    assert_int_equal(store_health(st, &h), WT_ESTORE);
    assert_false(h.ok);
    assert_true(h.last_failure_ms > 0);
    assert_true(h.error[0] != '\0');
    assert_int_equal(h.last_commit_ms, first_commit);

    /* Bad input is not a store failure. */
    store_set_fault_hook(st, NULL, NULL);
    assert_int_equal(store_setting_set(st, "", "2", 2000, "test"), WT_EINVAL);
    assert_int_equal(store_health(st, &h), WT_ESTORE);

    /* The next commit: healthy again. */
    assert_int_equal(store_setting_set(st, "k", "3", 3000, "test"), 0);
    assert_int_equal(store_health(st, &h), 0);
    assert_true(h.ok);
    assert_string_equal(h.error, "");
    store_close(st);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    log_open(NULL, LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_check),
        cmocka_unit_test(test_health_follows_commits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
