/* SQLite is single-node: a second `walltrack serve` on the same data
 * folder stops at once, naming the running daemon's pid and PostgreSQL as
 * the way to run several, and touches nothing; the first keeps serving.
 * The lock dies with its process: after a kill -9 the next start gets it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static void test_second_daemon_refused(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    char data[512], dir2[256];
    snprintf(data, sizeof data, "%s/data", d.dir);
    harness_tmpdir(dir2, sizeof dir2);
    const char *argv[] = {"serve", "--data", data, "--listen", "127.0.0.1:0", NULL};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(dir2, argv, NULL, 30, &out), 1);
    char want[128];
    snprintf(want, sizeof want, "another walltrack daemon (pid %ld)", (long)d.pid);
    assert_non_null(strstr(out.data, want));
    assert_non_null(strstr(out.data, "SQLite is single-node"));
    assert_null(strstr(out.data, "listening on"));
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);

    /* kill -9: no stale lock. */
    assert_int_equal(kill(d.pid, SIGKILL), 0);
    assert_int_equal(waitpid(d.pid, NULL, 0), d.pid);
    assert_int_equal(daemon_restart(&d, NULL, NULL), 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&out);
    harness_rmdir(dir2);
    harness_rmdir(d.dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_daemon_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
