/* Tests of net/httpc.h against real HTTP servers on 127.0.0.1: request
 * shape, retries on 5xx / 429 with backoff and Retry-After, network errors,
 * timeouts, the body cap, endpoint failover and health, and that secrets
 * (x-api-key values, api-key query parameters) never reach the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "net/httpc.h"

#include "../support/fakesrv.c"

/* What the fake does: the first `fail_first` requests get fail_status (or
 * a delay), the rest get body with status 200. */
struct plan {
    int fail_first;
    unsigned fail_status;
    const char *retry_after;
    unsigned delay_ms;
    const char *body;
    int served;
};

static void plan_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)req;
    struct plan *p = s->ud;
    pthread_mutex_lock(&s->lock);
    int k = p->served++;
    pthread_mutex_unlock(&s->lock);
    if (k < p->fail_first) {
        resp->status = p->fail_status;
        resp->body = "{\"error\":\"busy\"}";
        resp->body_len = strlen(resp->body);
        resp->retry_after = p->retry_after;
        if (p->delay_ms)
            resp->delay_ms = p->delay_ms;
        return;
    }
    resp->status = 200;
    resp->body = p->body ? p->body : "{\"ok\":true}";
    resp->body_len = strlen(resp->body);
}

static struct httpc_opts fast_opts(void)
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.timeout_ms = 2000;
    o.connect_timeout_ms = 1000;
    o.retries = 2;
    o.backoff_ms = 20;
    o.backoff_max_ms = 2000;
    o.cooldown_ms = 60000;
    return o;
}

static int64_t now_ms(void)
{
    return clock_mono_ns() / 1000000;
}

static void test_get_post_and_padding(void **state)
{
    (void)state;
    struct plan p = {.body = "{\"result\":{\"value\":18446744073709551615}}"};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, plan_handler, &p), 0);
    const char *urls[] = {s.url};
    struct httpc_opts o = fast_opts();
    struct httpc *c = httpc_new(urls, 1, &o);
    struct httpc_resp resp;
    httpc_resp_init(&resp);

    struct httpc_header h[] = {{"x-api-key", "k-123456"}, {"Accept", "application/json"}};
    struct httpc_req get = {.method = "GET",
                            .path = "/quote?inputMint=So1&amount=100",
                            .headers = h,
                            .n_headers = 2,
                            .retries = -1};
    assert_int_equal(httpc_do(c, &get, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 1);
    assert_string_equal(resp.body.data, p.body);
    assert_true(resp.body.cap >= resp.body.len + JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, res;
    assert_int_equal(json_parse(d, resp.body.data, resp.body.len, resp.body.cap, &root), 0);
    assert_int_equal(json_get(&root, "result", &res), 0);
    uint64_t v;
    assert_int_equal(json_get_u64(&res, "value", &v), 0);
    assert_true(v == UINT64_MAX);
    json_doc_free(d);

    assert_int_equal(fakesrv_count(&s), 1);
    assert_string_equal(s.recorded[0].method, "GET");
    assert_string_equal(s.recorded[0].url, "/quote?inputMint=So1&amount=100");
    assert_string_equal(s.recorded[0].api_key, "k-123456");

    const char *body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getHealth\"}";
    struct httpc_header ct[] = {{"Content-Type", "application/json"}};
    struct httpc_req post = {.method = "POST",
                             .path = "/",
                             .headers = ct,
                             .n_headers = 1,
                             .body = body,
                             .body_len = strlen(body),
                             .retries = -1};
    assert_int_equal(httpc_do(c, &post, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(fakesrv_count(&s), 2);
    assert_string_equal(s.recorded[1].method, "POST");
    assert_string_equal(s.recorded[1].body, body);
    assert_string_equal(s.recorded[1].content_type, "application/json");

    /* Header injection and bad methods are refused before any request. */
    struct httpc_header bad[] = {{"X-A", "v\r\nX-Injected: 1"}};
    struct httpc_req inj = {.path = "/", .headers = bad, .n_headers = 1, .retries = -1};
    assert_int_equal(httpc_do(c, &inj, &resp), WT_EINVAL);
    struct httpc_req badm = {.method = "GE T", .path = "/", .retries = -1};
    assert_int_equal(httpc_do(c, &badm, &resp), WT_EINVAL);
    assert_int_equal(fakesrv_count(&s), 2);

    httpc_resp_release(&resp);
    httpc_free(c);
    fakesrv_stop(&s);
}

static void test_retry_5xx_then_success(void **state)
{
    (void)state;
    struct plan p = {.fail_first = 2, .fail_status = 502};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, plan_handler, &p), 0);
    const char *urls[] = {s.url};
    struct httpc_opts o = fast_opts();
    o.backoff_ms = 40;
    struct httpc *c = httpc_new(urls, 1, &o);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    struct httpc_req req = {.path = "/x", .retries = -1};
    int64_t t0 = now_ms();
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    int64_t dt = now_ms() - t0;
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 3);
    assert_int_equal(fakesrv_count(&s), 3);
    /* Backoff with jitter: [20,40] then [40,80] ms, so at least 60 ms.
     * (No upper bound: the machine may be busy; speed is for bench/.) */
    assert_true(dt >= 60);

    /* Exhausted: the last 5xx comes back with its body. */
    p.served = 0;
    p.fail_first = 100;
    p.fail_status = 503;
    req.retries = 1;
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    assert_int_equal(resp.status, 503);
    assert_int_equal(resp.attempts, 2);
    assert_string_equal(resp.body.data, "{\"error\":\"busy\"}");

    /* A 4xx other than 429 is an answer, not retried. */
    p.served = 0;
    p.fail_status = 404;
    req.retries = -1;
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    assert_int_equal(resp.status, 404);
    assert_int_equal(resp.attempts, 1);
    httpc_resp_release(&resp);
    httpc_free(c);
    fakesrv_stop(&s);
}

static void test_429_retry_after(void **state)
{
    (void)state;
    struct plan p = {.fail_first = 1, .fail_status = 429, .retry_after = "1"};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, plan_handler, &p), 0);
    const char *urls[] = {s.url};
    struct httpc_opts o = fast_opts();
    o.backoff_ms = 10; /* without Retry-After the wait would be <= 10 ms */
    struct httpc *c = httpc_new(urls, 1, &o);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    struct httpc_req req = {.path = "/", .retries = -1};
    int64_t t0 = now_ms();
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    int64_t dt = now_ms() - t0;
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 2);
    assert_true(dt >= 950);

    /* Retry-After is capped by backoff_max_ms. */
    httpc_free(c);
    o.backoff_max_ms = 100;
    c = httpc_new(urls, 1, &o);
    p.served = 0;
    p.retry_after = "30";
    t0 = now_ms();
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    dt = now_ms() - t0;
    assert_int_equal(resp.status, 200);
    /* Waited the cap, not the 30 s asked: far below 30 s even on a busy
     * machine. */
    assert_true(dt >= 95 && dt < 15000);
    httpc_resp_release(&resp);
    httpc_free(c);
    fakesrv_stop(&s);
}

static void test_network_errors_timeout_and_cap(void **state)
{
    (void)state;
    char refused[64];
    fake_refused_url(refused, sizeof refused);
    const char *urls[] = {refused};
    struct httpc_opts o = fast_opts();
    struct httpc *c = httpc_new(urls, 1, &o);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    struct httpc_req req = {.path = "/", .retries = -1};
    assert_int_equal(httpc_do(c, &req, &resp), WT_ENET);
    assert_int_equal(resp.attempts, 3);
    assert_int_equal(resp.status, 0);
    assert_false(httpc_endpoint_healthy(c, 0));
    httpc_free(c);

    /* Timeout: the server answers after 600 ms, the client waits 150. */
    struct plan p = {.fail_first = 100, .fail_status = 200, .delay_ms = 600};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, plan_handler, &p), 0);
    const char *u2[] = {s.url};
    c = httpc_new(u2, 1, &o);
    struct httpc_req slow = {.path = "/", .timeout_ms = 150, .retries = 0};
    /* WT_ETIMEOUT, not the answer: the client gave up before 600 ms. */
    assert_int_equal(httpc_do(c, &slow, &resp), WT_ETIMEOUT);
    assert_int_equal(resp.attempts, 1);

    /* Body cap: 10 KB answer, 1 KB cap; not retried. */
    static char big[10241];
    memset(big, 'a', sizeof big - 1);
    p.served = 0;
    p.fail_first = 0;
    p.delay_ms = 0;
    p.body = big;
    struct httpc_req capped = {.path = "/", .max_body = 1024, .retries = -1};
    assert_int_equal(httpc_do(c, &capped, &resp), WT_ETOOBIG);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(resp.body.len, 0);
    /* The same answer fits the default cap. */
    capped.max_body = 0;
    assert_int_equal(httpc_do(c, &capped, &resp), 0);
    assert_int_equal(resp.body.len, sizeof big - 1);
    httpc_resp_release(&resp);
    httpc_free(c);
    fakesrv_stop(&s);
}

static void test_failover_and_health(void **state)
{
    (void)state;
    char refused[64];
    fake_refused_url(refused, sizeof refused);
    struct plan bad = {.fail_first = 1000, .fail_status = 500};
    struct plan good = {.body = "{\"who\":\"good\"}"};
    struct fakesrv sbad, sgood;
    assert_int_equal(fakesrv_start(&sbad, plan_handler, &bad), 0);
    assert_int_equal(fakesrv_start(&sgood, plan_handler, &good), 0);
    struct httpc_opts o = fast_opts();
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    struct httpc_req req = {.path = "/rpc", .retries = -1};

    /* Connection refused on the first endpoint: the second answers. */
    const char *u1[] = {refused, sgood.url};
    /* A retry's backoff would be at least 3 s: failover to the next
     * endpoint must not wait it (a wide margin, not a speed check). */
    o.backoff_ms = 3000;
    o.backoff_max_ms = 3000;
    struct httpc *c = httpc_new(u1, 2, &o);
    int64_t t0 = now_ms();
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    assert_true(now_ms() - t0 < 2900);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.endpoint, 1);
    assert_int_equal(resp.attempts, 2);
    assert_false(httpc_endpoint_healthy(c, 0));
    assert_true(httpc_endpoint_healthy(c, 1));
    /* In cooldown the failed endpoint goes last: one attempt now. */
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    assert_int_equal(resp.attempts, 1);
    assert_int_equal(resp.endpoint, 1);
    assert_int_equal(fakesrv_count(&sgood), 2);
    httpc_free(c);

    /* A 500 from the first endpoint: the second answers. */
    const char *u2[] = {sbad.url, sgood.url};
    c = httpc_new(u2, 2, &o);
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body.data, "{\"who\":\"good\"}");
    assert_int_equal(resp.endpoint, 1);
    assert_int_equal(fakesrv_count(&sbad), 1);
    assert_string_equal(sbad.recorded[0].url, "/rpc");
    httpc_free(c);

    /* After the cooldown the first endpoint is tried first again. */
    o.cooldown_ms = 50;
    c = httpc_new(u2, 2, &o);
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    assert_int_equal(resp.endpoint, 1);
    assert_false(httpc_endpoint_healthy(c, 0));
    fake_sleep_ms(80);
    assert_true(httpc_endpoint_healthy(c, 0));
    assert_int_equal(httpc_do(c, &req, &resp), 0);
    assert_int_equal(resp.attempts, 2);
    assert_int_equal(fakesrv_count(&sbad), 3);
    httpc_free(c);

    httpc_resp_release(&resp);
    fakesrv_stop(&sbad);
    fakesrv_stop(&sgood);
}

static void test_mask_url(void **state)
{
    (void)state;
    char out[256];
    assert_string_equal(
        httpc_mask_url("https://mainnet.helius-rpc.com/?api-key=abc-123", out, sizeof out),
        "https://mainnet.helius-rpc.com/?api-key=***");
    assert_string_equal(httpc_mask_url("https://x.io/v0/tx?limit=10&API_KEY=s3cr3t&before=abc#frag",
                                       out, sizeof out),
                        "https://x.io/v0/tx?limit=10&API_KEY=***&before=abc#frag");
    assert_string_equal(httpc_mask_url("https://x.io/a?token=t&apikey=u&keys=v", out, sizeof out),
                        "https://x.io/a?token=***&apikey=***&keys=v");
    assert_string_equal(httpc_mask_url("https://x.io/plain", out, sizeof out),
                        "https://x.io/plain");
    char small[16];
    assert_string_equal(httpc_mask_url("https://x.io/?api-key=abcdef", small, sizeof small),
                        "https://x.io/?a");
}

static void test_secrets_never_logged(void **state)
{
    (void)state;
    char path[] = "/tmp/wt_httpc_log_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(log_open(path, LOG_DEBUG), 0);
    char refused[64], base[160];
    fake_refused_url(refused, sizeof refused);
    snprintf(base, sizeof base, "%s", refused);
    const char *urls[] = {base};
    struct httpc_opts o = fast_opts();
    o.retries = 1;
    struct httpc *c = httpc_new(urls, 1, &o);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    struct httpc_header h[] = {{"X-API-Key", "hdr-secret-value-42"}};
    struct httpc_req req = {.path = "/v0/addresses?api-key=query-secret-77&limit=5",
                            .headers = h,
                            .n_headers = 1,
                            .retries = -1};
    assert_int_equal(httpc_do(c, &req, &resp), WT_ENET);
    /* Even a caller that logs the header value is redacted. */
    log_warn("test", "caller logged %s", "hdr-secret-value-42");
    log_close();
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    assert_non_null(strstr(text, "api-key=***&limit=5"));
    assert_non_null(strstr(text, "attempt 2 of 2"));
    assert_null(strstr(text, "query-secret-77"));
    assert_null(strstr(text, "hdr-secret-value-42"));
    httpc_resp_release(&resp);
    httpc_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_post_and_padding),
        cmocka_unit_test(test_retry_5xx_then_success),
        cmocka_unit_test(test_429_retry_after),
        cmocka_unit_test(test_network_errors_timeout_and_cap),
        cmocka_unit_test(test_failover_and_health),
        cmocka_unit_test(test_mask_url),
        cmocka_unit_test(test_secrets_never_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
