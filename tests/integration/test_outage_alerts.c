/* Integration test of the outage alerts (alert/outage.h) in the running
 * daemon, with fake services on loopback: the alert webhook receiver, a
 * Solana RPC endpoint that goes down and comes back. The webhook falls
 * silent while a wallet is watched (one alert), a delivery ends it (one
 * recovery); the RPC goes down (one alert however many probes see it) and
 * comes back (one recovery); the alerts are also in GET /v1/alerts; a data
 * folder under alert.disk_min_free_mb raises a critical store alert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#include <signal.h>
#include <string.h>

#include "harness.h"

#define SECRET "whsec-outage-test"
#define AUTH   "Authorization: " SECRET
#define W1     "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"

static void ok_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    (void)req;
    resp->body = "{}";
    resp->body_len = 2;
}

struct rpcfake {
    bool down;
    char *body;
    size_t len;
};

static void rpc_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)req;
    struct rpcfake *r = s->ud;
    if (__atomic_load_n(&r->down, __ATOMIC_SEQ_CST)) {
        resp->status = 502;
        resp->body = "bad gateway";
        resp->body_len = strlen(resp->body);
        resp->content_type = "text/plain";
        return;
    }
    resp->body = r->body;
    resp->body_len = r->len;
}

/* How many alerts the receiver got whose body holds needle. */
static int alerts_with(struct fakesrv *s, const char *needle)
{
    int n = 0;
    pthread_mutex_lock(&s->lock);
    int total = s->n_requests < FAKE_MAX_RECORDED ? s->n_requests : FAKE_MAX_RECORDED;
    for (int i = 0; i < total; i++)
        if (s->recorded[i].body && strstr(s->recorded[i].body, needle))
            n++;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* Waits (at most 20 s: a bound against a hang) for an alert holding needle. */
static void wait_alert(struct fakesrv *s, const char *needle)
{
    for (int i = 0; i < 400; i++) {
        if (alerts_with(s, needle) > 0)
            return;
        fake_sleep_ms(50);
    }
    fail_msg("no alert with '%s'", needle);
}

static void wait_requests(struct fakesrv *s, int n)
{
    for (int i = 0; i < 400 && fakesrv_count(s) < n; i++)
        fake_sleep_ms(50);
    assert_true(fakesrv_count(s) >= n);
}

static void test_webhook_silence_and_rpc_outage(void **state)
{
    (void)state;
    struct fakesrv al, rpc;
    assert_int_equal(fakesrv_start(&al, ok_handler, NULL), 0);
    struct rpcfake rf = {0};
    rf.body = fixture_read("real/rpc_getLatestBlockhash_response_helius_example.json", &rf.len);
    assert_int_equal(fakesrv_start(&rpc, rpc_handler, &rf), 0);
    char hook[160], rpcs[160];
    snprintf(hook, sizeof hook, "WALLTRACK_ALERT_WEBHOOK_URL=%s/alerts", al.url);
    snprintf(rpcs, sizeof rpcs, "WALLTRACK_RPC_URLS=%s", rpc.url);
    const char *env[] = {hook, rpcs, "WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};
    const char *args[] = {"--set", "alert.min_severity=info",   "--set", "alert.probe_s=1",
                          "--set", "alert.webhook_silence_s=1", "--set", "ingest.poll_silence_s=0",
                          "--set", "alert.disk_min_free_mb=0",  NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);

    /* Probes run; nothing is watched and the RPC answers: no alert. */
    wait_requests(&rpc, 3);
    assert_int_equal(alerts_with(&al, "input_outage"), 0);

    /* A watched wallet and no delivery: the webhook is silent. */
    const char *req = "{\"wallet\":\"" W1 "\"}";
    assert_int_equal(http_request(d.port, "POST", "/v1/watchlist", "Content-Type: application/json",
                                  req, strlen(req), NULL),
                     200);
    wait_alert(&al, "Webhook silent");
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(harness_swap_body(&body, 900, 2), 0);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len, NULL), 200);
    wait_alert(&al, "Webhook deliveries resumed");
    assert_int_equal(alerts_with(&al, "Webhook silent"), 1);
    /* (With a 1 s threshold it falls silent again below: a new outage.) */

    /* The RPC goes down: one alert, however many probes see it. */
    __atomic_store_n(&rf.down, true, __ATOMIC_SEQ_CST);
    wait_alert(&al, "Solana RPC down");
    int seen = fakesrv_count(&rpc);
    wait_requests(&rpc, seen + 3);
    assert_int_equal(alerts_with(&al, "Solana RPC down"), 1);
    assert_int_equal(alerts_with(&al, "\"severity\":\"critical\""), 1);
    __atomic_store_n(&rf.down, false, __ATOMIC_SEQ_CST);
    wait_alert(&al, "Solana RPC answers again");
    seen = fakesrv_count(&rpc);
    wait_requests(&rpc, seen + 2);
    assert_int_equal(alerts_with(&al, "Solana RPC answers again"), 1);
    assert_int_equal(alerts_with(&al, "Solana RPC down"), 1);

    /* Also in the alerts table the dashboard reads. */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/alerts", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "Solana RPC down"));
    assert_non_null(strstr(body.data, "input_outage"));

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    harness_rmdir(d.dir);
    fakesrv_stop(&al);
    fakesrv_stop(&rpc);
    free(rf.body);
}

static void test_disk_space_threshold(void **state)
{
    (void)state;
    struct fakesrv al;
    assert_int_equal(fakesrv_start(&al, ok_handler, NULL), 0);
    char hook[160];
    snprintf(hook, sizeof hook, "WALLTRACK_ALERT_WEBHOOK_URL=%s/alerts", al.url);
    const char *env[] = {hook, NULL};
    /* No disk has a petabyte free. */
    const char *args[] = {"--set", "alert.disk_min_free_mb=1073741824", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);
    wait_alert(&al, "Disk space low");
    assert_int_equal(alerts_with(&al, "\"kind\":\"store\""), 1);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
    fakesrv_stop(&al);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_silence_and_rpc_outage),
        cmocka_unit_test(test_disk_space_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
