/* Tests of alert/outage.h against fake services on loopback that go down
 * and come back: two Solana RPC endpoints (one down = failing over, both =
 * down), Jupiter in live mode (refused quotes; no probe at all in paper
 * mode), DexScreener through a real token feed, and the disk through an
 * injected free-space reading. Each outage gives exactly one alert however
 * many checks see it, and one recovery notice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/notify.h"
#include "alert/outage.h"
#include "base/buf.h"
#include "base/json.h"
#include "market/tokenfeed.h"
#include "solana/pubkey.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

/* A notifier that records what the alerter sends. */
struct rec {
    struct notifier base;
    pthread_mutex_t mu;
    struct alert_msg m[32];
    size_t n;
};

static int rec_send(struct notifier *n, const struct alert_msg *m, char *err, size_t errsize)
{
    (void)err;
    (void)errsize;
    struct rec *r = (struct rec *)n;
    pthread_mutex_lock(&r->mu);
    if (r->n < 32)
        r->m[r->n++] = *m;
    pthread_mutex_unlock(&r->mu);
    return 0;
}

static void rec_free(struct notifier *n)
{
    (void)n; /* the test owns it */
}

static const struct notifier_ops rec_ops = {"rec", rec_send, rec_free};

static struct alerter *rec_alerter(struct rec *r)
{
    memset(r, 0, sizeof *r);
    r->base.ops = &rec_ops;
    pthread_mutex_init(&r->mu, NULL);
    struct notifier *ns[] = {&r->base};
    struct alerter *a = NULL;
    assert_int_equal(alerter_start_with(ns, 1, ALERT_INFO, &a), 0);
    return a;
}

/* A fake that answers body, or 503 while down. */
struct svc {
    bool down;
    const char *body;
    size_t len;
};

static void svc_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)req;
    struct svc *v = s->ud;
    if (__atomic_load_n(&v->down, __ATOMIC_SEQ_CST)) {
        resp->status = 503;
        resp->body = "{\"error\":\"unavailable\"}";
        resp->body_len = strlen(resp->body);
        return;
    }
    resp->status = 200;
    resp->body = v->body;
    resp->body_len = v->len;
}

static void set_down(struct svc *v, bool down)
{
    __atomic_store_n(&v->down, down, __ATOMIC_SEQ_CST);
}

static void test_transition(void **state)
{
    (void)state;
    enum alert_severity sev;
    bool rec;
    assert_false(outage_transition(0, 0, &sev, &rec));
    assert_false(outage_transition(2, 2, &sev, &rec));
    assert_true(outage_transition(0, 1, &sev, &rec));
    assert_int_equal(sev, ALERT_WARN);
    assert_false(rec);
    assert_true(outage_transition(1, 2, &sev, &rec));
    assert_int_equal(sev, ALERT_CRITICAL);
    assert_true(outage_transition(2, 1, &sev, &rec));
    assert_int_equal(sev, ALERT_WARN);
    assert_true(rec);
    assert_true(outage_transition(2, 0, &sev, &rec));
    assert_int_equal(sev, ALERT_INFO);
    assert_true(rec);
}

static void test_rpc_failover_down_and_back(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("real/rpc_getLatestBlockhash_response_helius_example.json", &len);
    struct svc a = {.body = body, .len = len}, b = {.body = body, .len = len};
    struct fakesrv sa, sb;
    assert_int_equal(fakesrv_start(&sa, svc_handler, &a), 0);
    assert_int_equal(fakesrv_start(&sb, svc_handler, &b), 0);
    struct rec r;
    struct alerter *al = rec_alerter(&r);
    const char *urls[] = {sa.url, sb.url};
    struct outage_opts o = {.alerter = al,
                            .rpc_urls = urls,
                            .n_rpc = 2,
                            .mode = "paper",
                            .probe_ms = 1000,
                            .probe_timeout_ms = 2000};
    struct outage_watch *w = outage_new(&o);

    outage_check_probes(w);
    outage_check_probes(w);
    assert_int_equal(outage_level(w, OUTAGE_RPC), 0);
    set_down(&a, true);
    for (int i = 0; i < 3; i++) /* seen three times, raised once */
        outage_check_probes(w);
    assert_int_equal(outage_level(w, OUTAGE_RPC), 1);
    set_down(&b, true);
    outage_check_probes(w);
    outage_check_probes(w);
    assert_int_equal(outage_level(w, OUTAGE_RPC), 2);
    set_down(&a, false);
    outage_check_probes(w);
    assert_int_equal(outage_level(w, OUTAGE_RPC), 1);
    set_down(&b, false);
    outage_check_probes(w);
    outage_check_probes(w);
    assert_int_equal(outage_level(w, OUTAGE_RPC), 0);
    /* Every probe reached the endpoints: 10 rounds each. */
    assert_int_equal(fakesrv_count(&sa), 10);
    assert_int_equal(fakesrv_count(&sb), 10);

    alerter_stop(al); /* sends what is queued */
    assert_int_equal(r.n, 4);
    const char *titles[] = {"Solana RPC failing over", "Solana RPC down", "Solana RPC failing over",
                            "Solana RPC answers again"};
    enum alert_severity sevs[] = {ALERT_WARN, ALERT_CRITICAL, ALERT_WARN, ALERT_INFO};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(r.m[i].kind, "input_outage");
        assert_string_equal(r.m[i].title, titles[i]);
        assert_int_equal(r.m[i].severity, sevs[i]);
    }
    assert_non_null(strstr(r.m[0].text, "1 of 2 RPC endpoints fail"));
    assert_non_null(strstr(r.m[1].text, "every RPC endpoint fails"));
    outage_free(w);
    fakesrv_stop(&sa);
    fakesrv_stop(&sb);
    free(body);
}

static void test_jupiter_live_only(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("real/jupiter_quote_sol_usdc_100lamports_real.json", &len);
    struct svc j = {.body = body, .len = len};
    struct fakesrv sj;
    assert_int_equal(fakesrv_start(&sj, svc_handler, &j), 0);
    struct rec r;
    struct alerter *al = rec_alerter(&r);

    /* Paper: Jupiter is not probed. */
    struct outage_opts o = {.alerter = al,
                            .jupiter_url = sj.url,
                            .live = false,
                            .mode = "paper",
                            .probe_ms = 1000,
                            .probe_timeout_ms = 2000};
    struct outage_watch *w = outage_new(&o);
    outage_check_probes(w);
    assert_int_equal(fakesrv_count(&sj), 0);
    outage_free(w);

    o.live = true;
    o.mode = "live";
    w = outage_new(&o);
    outage_check_probes(w);
    assert_int_equal(fakesrv_count(&sj), 1);
    assert_non_null(strstr(sj.recorded[0].url, "/swap/v1/quote"));
    assert_int_equal(outage_level(w, OUTAGE_JUPITER), 0);
    set_down(&j, true);
    outage_check_probes(w);
    outage_check_probes(w);
    assert_int_equal(outage_level(w, OUTAGE_JUPITER), 2);
    set_down(&j, false);
    outage_check_probes(w);
    assert_int_equal(outage_level(w, OUTAGE_JUPITER), 0);
    alerter_stop(al);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.m[0].title, "Jupiter refuses quotes");
    assert_int_equal(r.m[0].severity, ALERT_CRITICAL);
    assert_string_equal(r.m[0].mode, "live");
    assert_non_null(strstr(r.m[0].text, "HTTP 503"));
    assert_string_equal(r.m[1].title, "Jupiter quotes again");
    outage_free(w);
    fakesrv_stop(&sj);
    free(body);
}

static uint64_t disk_bytes;

static int fake_disk(void *ctx, const char *dir, uint64_t *out)
{
    (void)ctx;
    (void)dir;
    *out = disk_bytes;
    return 0;
}

static void test_disk_low_and_back(void **state)
{
    (void)state;
    struct rec r;
    struct alerter *al = rec_alerter(&r);
    struct outage_opts o = {.alerter = al,
                            .mode = "paper",
                            .data_dir = "/data",
                            .disk_min_free = 100 << 20,
                            .disk_free = fake_disk};
    struct outage_watch *w = outage_new(&o);
    disk_bytes = 5000ull << 20;
    outage_check_local(w);
    disk_bytes = 50ull << 20;
    outage_check_local(w);
    outage_check_local(w);
    assert_int_equal(outage_level(w, OUTAGE_DISK), 2);
    disk_bytes = 101ull << 20;
    outage_check_local(w);
    assert_int_equal(outage_level(w, OUTAGE_DISK), 0);
    alerter_stop(al);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.m[0].kind, "store");
    assert_string_equal(r.m[0].title, "Disk space low");
    assert_non_null(strstr(r.m[0].text, "50 MB free in the data folder /data"));
    assert_int_equal(r.m[0].severity, ALERT_CRITICAL);
    assert_string_equal(r.m[1].title, "Disk space sufficient again");
    outage_free(w);
}

static int sink_post(void *ctx, const struct event *ev, size_t n)
{
    (void)ctx;
    (void)ev;
    (void)n;
    return 0;
}

static void wait_lookups(struct tokenfeed *f, uint64_t n)
{
    struct tokenfeed_health h;
    for (int i = 0; i < 1000; i++) {
        tokenfeed_health(f, &h);
        if (h.lookups >= n)
            return;
        fake_sleep_ms(10);
    }
    fail_msg("the feed made %llu lookups, not %llu", (unsigned long long)h.lookups,
             (unsigned long long)n);
}

static void test_dexscreener_down_and_back(void **state)
{
    (void)state;
    size_t len;
    char *pair = fixture_read("real/dexscreener_pair_pump_token_raydium_clmm.json", &len);
    struct buf arr;
    buf_init(&arr, 0);
    buf_puts(&arr, "[");
    buf_puts(&arr, pair);
    buf_puts(&arr, "]");
    buf_reserve(&arr, JSON_PADDING);
    struct svc d = {.body = arr.data, .len = arr.len, .down = true};
    struct fakesrv sd;
    assert_int_equal(fakesrv_start(&sd, svc_handler, &d), 0);
    struct tokenfeed_opts to;
    tokenfeed_opts_default(&to);
    to.base_url = sd.url;
    to.http.backoff_ms = 1;
    to.http.cooldown_ms = 0;
    struct tokenfeed *f = tokenfeed_new(&to);
    struct tokenfeed_sink sink = {.post = sink_post};
    assert_int_equal(tokenfeed_start(f, &sink), 0);
    struct rec r;
    struct alerter *al = rec_alerter(&r);
    struct outage_opts o = {.alerter = al, .feed = f, .mode = "paper"};
    struct outage_watch *w = outage_new(&o);
    outage_check_local(w); /* configured, nothing looked up: fine */
    assert_int_equal(outage_level(w, OUTAGE_DEX), 0);
    struct pubkey m;
    assert_int_equal(pubkey_parse("HsKDKwGhR9wKh62CUHmUUXmb2jBwoFkfsbCUKtCppump", &m), 0);
    tokenfeed_request(f, &m);
    wait_lookups(f, 1);
    outage_check_local(w);
    outage_check_local(w);
    assert_int_equal(outage_level(w, OUTAGE_DEX), 2);
    set_down(&d, false);
    tokenfeed_request(f, &m);
    wait_lookups(f, 2);
    outage_check_local(w);
    assert_int_equal(outage_level(w, OUTAGE_DEX), 0);
    alerter_stop(al);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.m[0].title, "DexScreener down");
    assert_int_equal(r.m[0].severity, ALERT_CRITICAL);
    assert_string_equal(r.m[1].title, "DexScreener answers again");
    outage_free(w);
    tokenfeed_free(f);
    fakesrv_stop(&sd);
    buf_release(&arr);
    free(pair);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transition),
        cmocka_unit_test(test_rpc_failover_down_and_back),
        cmocka_unit_test(test_jupiter_live_only),
        cmocka_unit_test(test_disk_low_and_back),
        cmocka_unit_test(test_dexscreener_down_and_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
