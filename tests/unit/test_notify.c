/* Tests of the push-alert notifiers and the alerter (alert/notify.h)
 * against loopback fake receivers: the request each service gets, retries
 * after a server error, failure reporting, severity filtering, and that no
 * token reaches the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"

#include "alert/notify.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"

#define TG_TOKEN "123456:AAE-test-bot-token"
static int fail_next; /* answer 500 this many times first */

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    if (fail_next > 0) {
        fail_next--;
        resp->status = 500;
        resp->body = "{\"error\":\"try later\"}";
    } else if (strncmp(req->url, "/bot" TG_TOKEN "/sendMessage", 8 + strlen(TG_TOKEN) + 4) == 0) {
        resp->body = "{\"ok\":true,\"result\":{\"message_id\":7}}";
    } else if (strncmp(req->url, "/botBAD", 7) == 0) {
        resp->body = "{\"ok\":false,\"error_code\":400,\"description\":\"chat not found\"}";
    } else {
        resp->body = "{}";
    }
    resp->body_len = strlen(resp->body);
}

static struct fakesrv srv;
static char logpath[] = "/tmp/wt-notify-log-XXXXXX";

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(logpath);
    if (fd < 0)
        return -1;
    close(fd);
    log_open(logpath, LOG_DEBUG);
    return fakesrv_start(&srv, handler, NULL);
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&srv);
    log_close();
    unlink(logpath);
    return 0;
}

static struct httpc_opts quick(void)
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.backoff_ms = 10;
    o.retries = 2;
    return o;
}

static const struct alert_msg breaker = {
    .kind = "breaker",
    .severity = ALERT_CRITICAL,
    .title = "Circuit breaker: drawdown",
    .text = "Drawdown 21.4% from peak equity > 20%: entries paused.",
    .ts_ms = 1765000000000,
    .mode = "paper",
};

static void test_webhook_json(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    char url[128], err[256];
    snprintf(url, sizeof url, "%s/hooks/alerts", srv.url);
    struct httpc_opts o = quick();
    struct notifier *n = notifier_webhook_new(url, &o);
    assert_int_equal(notifier_send(n, &breaker, err, sizeof err), 0);
    assert_int_equal(fakesrv_count(&srv), 1);
    assert_string_equal(srv.recorded[0].url, "/hooks/alerts");
    struct json_doc *d = json_doc_new(0);
    struct json_val root;
    const char *s;
    int64_t ts;
    assert_int_equal(json_parse(d, srv.recorded[0].body, srv.recorded[0].body_len, 0, &root), 0);
    assert_int_equal(json_get_str(&root, "kind", &s, NULL), 0);
    assert_string_equal(s, "breaker");
    assert_int_equal(json_get_str(&root, "severity", &s, NULL), 0);
    assert_string_equal(s, "critical");
    assert_int_equal(json_get_str(&root, "text", &s, NULL), 0);
    assert_string_equal(s, breaker.text);
    assert_int_equal(json_get_i64(&root, "ts_ms", &ts), 0);
    assert_int_equal(ts, 1765000000000);
    json_doc_free(d);
    notifier_free(n);
}

static void test_telegram(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    char err[256];
    struct httpc_opts o = quick();
    struct notifier *n = notifier_telegram_new(srv.url, TG_TOKEN, "-100200300", &o);
    fail_next = 1; /* one 500, then success through the retry */
    assert_int_equal(notifier_send(n, &breaker, err, sizeof err), 0);
    assert_int_equal(fakesrv_count(&srv), 2);
    assert_string_equal(srv.recorded[1].url, "/bot" TG_TOKEN "/sendMessage");
    assert_non_null(strstr(srv.recorded[1].body, "\"chat_id\":\"-100200300\""));
    assert_non_null(strstr(srv.recorded[1].body, "[paper] Circuit breaker: drawdown (critical)"));
    notifier_free(n);

    /* {"ok":false} with a 200 is a failure */
    n = notifier_telegram_new(srv.url, "BAD", "1", &o);
    assert_int_equal(notifier_send(n, &breaker, err, sizeof err), WT_EREMOTE);
    notifier_free(n);
}

static void test_ntfy_headers(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    char url[128], err[256];
    snprintf(url, sizeof url, "%s/wt-topic-secret", srv.url);
    struct httpc_opts o = quick();
    struct notifier *n = notifier_ntfy_new(url, "tk_ntfytoken123", &o);
    assert_int_equal(notifier_send(n, &breaker, err, sizeof err), 0);
    const struct fake_req *r = &srv.recorded[0];
    assert_string_equal(r->url, "/wt-topic-secret");
    assert_string_equal(r->body, breaker.text);
    assert_string_equal(r->title, "walltrack paper: Circuit breaker: drawdown");
    assert_string_equal(r->priority, "urgent");
    assert_string_equal(r->tags, "breaker");
    assert_string_equal(r->authorization, "Bearer tk_ntfytoken123");
    notifier_free(n);
}

static void test_alerter_fans_out_and_filters(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    char url[128];
    snprintf(url, sizeof url, "%s/hooks/alerts", srv.url);
    struct httpc_opts o = quick();
    struct notifier *ns[2] = {notifier_webhook_new(url, &o),
                              notifier_telegram_new(srv.url, TG_TOKEN, "42", &o)};
    struct alerter *a;
    assert_int_equal(alerter_start_with(ns, 2, ALERT_WARN, &a), 0);
    struct alert_msg info = breaker;
    info.severity = ALERT_INFO;
    alerter_post(a, &info); /* below the minimum: logged, not pushed */
    alerter_post(a, &breaker);
    alerter_stop(a); /* drains the queue */
    assert_int_equal(fakesrv_count(&srv), 2);

    /* tokens never reach the log */
    FILE *fp = fopen(logpath, "r");
    char line[2048];
    while (fgets(line, sizeof line, fp)) {
        assert_null(strstr(line, TG_TOKEN));
        assert_null(strstr(line, "tk_ntfytoken123"));
    }
    fclose(fp);
}

static void test_config_errors(void **state)
{
    (void)state;
    struct config c;
    config_init(&c);
    char err[256];
    struct alerter *a;
    assert_int_equal(config_set(&c, "alert.telegram_token", "99:tok-abcdef", CONFIG_SRC_ENV), 0);
    assert_int_equal(alerter_start(&c, &a, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "telegram_chat_id"));
    config_release(&c);
    config_init(&c);
    /* a severity that is not one is refused by the configuration itself */
    assert_int_equal(config_set(&c, "alert.min_severity", "loud", CONFIG_SRC_CLI), WT_EINVAL);
    assert_string_equal(config_str(&c, CFG_ALERT_MIN_SEVERITY), "warn");
    /* nothing configured: a valid alerter that only logs */
    assert_int_equal(config_set(&c, "alert.min_severity", "info", CONFIG_SRC_CLI), 0);
    assert_int_equal(alerter_start(&c, &a, err, sizeof err), 0);
    assert_int_equal(alerter_notifier_count(a), 0);
    alerter_stop(a);
    config_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_json),  cmocka_unit_test(test_telegram),
        cmocka_unit_test(test_ntfy_headers),  cmocka_unit_test(test_alerter_fans_out_and_filters),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
