/* The supervisor contract of `walltrack serve` (the systemd unit of
 * dist/walltrack.service: Type=notify, WatchdogSec=, Restart=on-failure),
 * checked with a fake supervisor since the test machine has no systemd as
 * PID 1: the daemon says READY=1 (with its MAINPID) only once it answers
 * HTTP, sends WATCHDOG=1 at half the period in $WATCHDOG_USEC, says
 * STOPPING=1 on SIGTERM and then exits 0 (so on-failure does not restart
 * it); a start-up failure exits non-zero without READY; after a crash
 * (SIGSEGV) the supervisor's restart comes up READY again on the same
 * data, with every acknowledged webhook delivery still there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define SECRET "whsec-supervisor-test"
#define AUTH   "Authorization: " SECRET

/* The supervisor's notification socket in dir; recv waits at most 20 s
 * (a bound against a hang, not a speed check). */
static int notify_socket(const char *dir, char *name, size_t size)
{
    snprintf(name, size, "%s/notify", dir);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(name) < sizeof sa.sun_path);
    memcpy(sa.sun_path, name, strlen(name));
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {.tv_sec = 20};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    return fd;
}

/* Receives datagrams until one holds `want`; returns it in out. Fails the
 * test when none came within 20 s or 200 other datagrams (keep-alives
 * keep coming while READY never does). */
static void wait_for(int fd, const char *want, char *out, size_t size)
{
    for (int i = 0; i < 200; i++) {
        ssize_t r = recv(fd, out, size - 1, 0);
        if (r < 0)
            fail_msg("no '%s' from the daemon (%s)", want, strerror(errno));
        out[r] = '\0';
        if (strstr(out, want))
            return;
    }
    fail_msg("no '%s' from the daemon among 200 datagrams", want);
}

static void drain(int fd)
{
    char b[512];
    while (recv(fd, b, sizeof b, MSG_DONTWAIT) > 0)
        ;
}

static void test_notify_restart_contract(void **state)
{
    (void)state;
    char sup[256], name[512], env_notify[600], msg[512];
    harness_tmpdir(sup, sizeof sup);
    int fd = notify_socket(sup, name, sizeof name);
    snprintf(env_notify, sizeof env_notify, "NOTIFY_SOCKET=%s", name);
    const char *env[] = {env_notify, "WATCHDOG_USEC=400000", "WALLTRACK_WEBHOOK_SECRET=" SECRET,
                         NULL};

    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    wait_for(fd, "READY=1", msg, sizeof msg);
    char mainpid[64];
    snprintf(mainpid, sizeof mainpid, "MAINPID=%ld", (long)d.pid);
    assert_non_null(strstr(msg, mainpid));
    /* READY means serving. */
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    /* Keep-alives keep coming. */
    wait_for(fd, "WATCHDOG=1", msg, sizeof msg);
    wait_for(fd, "WATCHDOG=1", msg, sizeof msg);

    /* An acknowledged delivery, then a crash. */
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(harness_swap_body(&body, 700, 5), 0);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len, NULL), 200);
    assert_int_equal(kill(d.pid, SIGSEGV), 0);
    int status;
    assert_int_equal(waitpid(d.pid, &status, 0), d.pid);
    /* Restart=on-failure restarts what did not exit 0: killed by the signal
     * (or, under AddressSanitizer, which catches SIGSEGV, aborted). */
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    drain(fd);
    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    wait_for(fd, "READY=1", msg, sizeof msg);
    snprintf(mainpid, sizeof mainpid, "MAINPID=%ld", (long)d.pid);
    assert_non_null(strstr(msg, mainpid));
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);

    /* A clean stop: STOPPING=1, then exit 0 (no restart). */
    assert_int_equal(kill(d.pid, SIGTERM), 0);
    wait_for(fd, "STOPPING=1", msg, sizeof msg);
    assert_int_equal(waitpid(d.pid, &status, 0), d.pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Nothing acknowledged was lost across the crash. */
    char data[512];
    snprintf(data, sizeof data, "%s/data", d.dir);
    struct harness_sigset set;
    assert_int_equal(harness_sigset_load(&set, data), 0);
    for (unsigned i = 700; i < 705; i++) {
        char sig[BASE58_SIG_MAX];
        harness_sig(i, sig);
        assert_true(harness_sigset_has(&set, sig));
    }
    harness_sigset_release(&set);

    /* A start-up failure: non-zero, and never READY. */
    drain(fd);
    const char *bad[] = {"serve", "--data", data, "--listen", "not-an-address", NULL};
    assert_int_not_equal(harness_run(d.dir, bad, env, 30, NULL), 0);
    char b[64];
    assert_true(recv(fd, b, sizeof b, MSG_DONTWAIT) < 0);

    buf_release(&body);
    close(fd);
    harness_rmdir(d.dir);
    harness_rmdir(sup);
}

/* Without $NOTIFY_SOCKET (not under systemd) nothing changes: it starts,
 * serves and stops as before, and says nothing about a watchdog. */
static void test_without_a_supervisor(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_null(strstr(log.data, "watchdog"));
    assert_null(strstr(log.data, "NOTIFY_SOCKET"));
    buf_release(&log);
    harness_rmdir(d.dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify_restart_contract),
        cmocka_unit_test(test_without_a_supervisor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
