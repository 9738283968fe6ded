/* Integration test: push alerts from the running daemon. The engine's
 * breaker alert for an operator pause reaches a loopback webhook receiver
 * configured through the alert.* settings; a clear follows the resume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"

#include <signal.h>
#include <time.h>

#include "harness.h"

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    (void)req;
    resp->body = "{}";
    resp->body_len = 2;
}

static void test_pause_is_pushed(void **state)
{
    (void)state;
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, handler, NULL), 0);
    char hook[128];
    snprintf(hook, sizeof hook, "WALLTRACK_ALERT_WEBHOOK_URL=%s/alerts", srv.url);
    const char *env[] = {hook, NULL};
    const char *args[] = {"--set", "alert.min_severity=info", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);
    assert_int_equal(http_request(d.port, "POST", "/v1/control/pause", NULL, "{}", 2, NULL), 200);
    assert_int_equal(http_request(d.port, "POST", "/v1/control/resume", NULL, "{}", 2, NULL), 200);
    for (int i = 0; i < 100 && fakesrv_count(&srv) < 2; i++) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(fakesrv_count(&srv), 2);
    assert_string_equal(srv.recorded[0].url, "/alerts");
    assert_non_null(strstr(srv.recorded[0].body, "\"kind\":\"breaker\""));
    assert_non_null(strstr(srv.recorded[0].body, "paused by the operator"));
    assert_non_null(strstr(srv.recorded[0].body, "\"mode\":\"paper\""));
    assert_non_null(strstr(srv.recorded[1].body, "resumed by the operator"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_non_null(strstr(log.data, "push alerts: 1 notifier(s) configured"));
    /* the webhook URL is a secret: never in the log */
    assert_null(strstr(log.data, srv.url));
    buf_release(&log);
    fakesrv_stop(&srv);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_is_pushed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
