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
#include <string.h>
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

    /* The operator acknowledges the first alert; an unknown id is 404. */
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(d.port, "POST", "/v1/alerts/1/ack", NULL, "{}", 2, &body), 200);
    assert_non_null(strstr(body.data, "\"id\":1"));
    assert_int_equal(http_request(d.port, "POST", "/v1/alerts/999/ack", NULL, "{}", 2, NULL), 404);
    assert_int_equal(http_request(d.port, "POST", "/v1/alerts/x/ack", NULL, "{}", 2, NULL), 404);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/alerts", NULL, NULL, 0, &body), 200);
    assert_null(strstr(body.data, "\"id\":1,\"acked_ms\":0"));
    assert_non_null(strstr(body.data, "\"acked_ms\":0")); /* the second one is not acked */

    /* Settings changes are kept with their history, newest first. */
    const char *c1 = "{\"settings\":{\"signal.threshold\":0.75}}";
    const char *c2 = "{\"settings\":{\"signal.threshold\":0.8}}";
    assert_int_equal(http_request(d.port, "PUT", "/v1/config", NULL, c1, strlen(c1), NULL), 200);
    assert_int_equal(http_request(d.port, "PUT", "/v1/config", NULL, c2, strlen(c2), NULL), 200);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/config/history?name=signal.threshold", NULL,
                                  NULL, 0, &body),
                     200);
    const char *first = strstr(body.data, "\"value\":\"0.8\"");
    const char *second = strstr(body.data, "\"value\":\"0.75\"");
    assert_non_null(first);
    assert_non_null(second);
    assert_true(first < second);
    assert_int_equal(
        http_request(d.port, "GET", "/v1/config/history?name=no.such", NULL, NULL, 0, NULL), 400);
    buf_release(&body);
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
