/* Integration test: smart-money activity alerts end to end through the
 * daemon (alert/smartmoney.h). Three hours of a simulated market are
 * posted as Helius webhook bodies to `serve` with its engine paused (the
 * alerts must not depend on trading); the skilled wallets are on the
 * watchlist. Every token that at least 2 of them buy within 30 minutes
 * must be pushed exactly once (cooldown longer than the run) to a
 * loopback webhook receiver with kind "smart_money", and sent on
 * GET /v1/stream as `event: smart_money`; no other token may be. The
 * expected tokens are computed here, from the simulator's own record of
 * the swaps, independently of the daemon's code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/sse_reader.c"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "sim/sim.h"

#include "../support/sim_market.c"

#define SECRET "whsec-smart-money-test"
#define AUTH   "Authorization: " SECRET

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    (void)req;
    resp->body = "{}";
    resp->body_len = 2;
}

/* smart_money events whose data line holds needle. */
static size_t sse_count_sm(struct sse *s, const char *needle)
{
    static const char ev[] = "event: smart_money\ndata: ";
    pthread_mutex_lock(&s->mu);
    size_t n = 0;
    for (const char *p = s->data.data; p && (p = strstr(p, ev)); p++) {
        const char *data = p + sizeof ev - 1, *end = strchr(data, '\n');
        if (!end)
            break;
        const char *hit = strstr(data, needle);
        n += hit != NULL && hit < end;
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- the market ---- */

static int64_t wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct rec {
    int64_t ts_ms;
    uint32_t wallet, token;
    enum side side;
};

/* Posts the NDJSON lines ("[{...}]" each) in bodies of up to 40. */
static void post_all(unsigned port, const struct buf *txs)
{
    struct buf b, body;
    buf_init(&b, 0);
    buf_init(&body, 0);
    const char *p = txs->data;
    size_t in_body = 0;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p);
        buf_putc(&b, in_body ? ',' : '[');
        buf_append(&b, p + 1, len - 2);
        in_body++;
        p = nl + 1;
        if (in_body == 40 || !*p) {
            buf_putc(&b, ']');
            buf_reset(&body);
            long st = http_request(port, "POST", "/webhooks/helius", AUTH, b.data, b.len, &body);
            if (st != 200)
                fail_msg("webhook: %ld %s", st, body.data);
            buf_reset(&b);
            in_body = 0;
        }
    }
    buf_release(&b);
    buf_release(&body);
}

enum { MAX_TOKENS = 4096, N_MIN = 2 };
#define WINDOW_MS (30 * 60 * 1000LL)

static void test_group_buys_pushed_and_streamed(void **state)
{
    (void)state;
    int64_t now = wall_ms();
    struct sim *s = sim_market_now(now);
    struct buf txs, one;
    buf_init(&txs, 0);
    buf_init(&one, 0);
    size_t nrec = 0, caprec = 1024;
    struct rec *recs = malloc(caprec * sizeof *recs);
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1 && tx.ts_ms <= now + 3 * 3600 * 1000) {
        buf_reset(&one);
        assert_int_equal(sim_tx_json(s, &tx, &one), 0);
        buf_append(&txs, one.data, one.len);
        buf_putc(&txs, '\n');
        if (tx.kind != SIM_TX_SWAP)
            continue;
        if (nrec == caprec)
            recs = realloc(recs, (caprec *= 2) * sizeof *recs);
        /* block times are whole seconds on the wire */
        recs[nrec++] = (struct rec){tx.ts_ms / 1000 * 1000, tx.wallet, tx.token, tx.side};
    }

    /* The expected alerts, computed from the record: per token the
     * watched (skilled) buyers of the last 30 min; an alert when 2
     * distinct ones are in it, once per token. */
    bool *alerted = calloc(MAX_TOKENS, sizeof *alerted);
    size_t n_expected = 0;
    for (size_t i = 0; i < nrec; i++) {
        const struct rec *r = &recs[i];
        if (r->side != SIDE_BUY || sim_wallet_type(s, r->wallet) != SIM_SKILLED ||
            r->token >= MAX_TOKENS || alerted[r->token])
            continue;
        uint32_t seen[16];
        size_t k = 0;
        for (size_t j = 0; j <= i && k < 16; j++) {
            const struct rec *q = &recs[j];
            if (q->token != r->token || q->side != SIDE_BUY || q->ts_ms <= r->ts_ms - WINDOW_MS ||
                sim_wallet_type(s, q->wallet) != SIM_SKILLED)
                continue;
            bool dup = false;
            for (size_t m = 0; m < k; m++)
                dup |= seen[m] == q->wallet;
            if (!dup)
                seen[k++] = q->wallet;
        }
        if (k >= N_MIN) {
            alerted[r->token] = true;
            n_expected++;
        }
    }
    print_message("smart money: %zu swaps, %zu tokens expected to alert\n", nrec, n_expected);
    assert_true(n_expected >= 1);
    assert_true(n_expected < FAKE_MAX_RECORDED - 4);

    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, handler, NULL), 0);
    char hook[128];
    snprintf(hook, sizeof hook, "WALLTRACK_ALERT_WEBHOOK_URL=%s/alerts", srv.url);
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, hook, NULL};
    const char *args[] = {
        "--set", "ingest.max_future_s=86400",       "--set", "alert.smart_min_wallets=2",
        "--set", "alert.smart_window_min=30",       "--set", "alert.smart_big_buy_sol=0",
        "--set", "alert.smart_cooldown_min=100000", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);
    struct buf body;
    buf_init(&body, 0);
    size_t watched = sim_watch(d.port, s, false);
    /* The alerts load the watchlist at start (and every 30 s after). */
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(daemon_restart(&d, args, env), 0);
    /* The engine paused: the alerts do not depend on its trading. */
    assert_int_equal(http_request(d.port, "POST", "/v1/control/pause", NULL, "{}", 2, NULL), 200);
    struct sse sse;
    sse_start(&sse, d.port);
    post_all(d.port, &txs);

    /* Wait for the pushes: the breaker (pause) alert is not one of them. */
    size_t got = 0;
    for (int i = 0; i < 200; i++) {
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        got = 0;
        for (size_t r = 0; r < (size_t)fakesrv_count(&srv); r++)
            got += strstr(srv.recorded[r].body, "\"kind\":\"smart_money\"") != NULL;
        if (got >= n_expected && sse_count(&sse, "event: smart_money") >= n_expected)
            break;
    }
    nanosleep(&(struct timespec){0, 300000000}, NULL); /* nothing more should come */
    got = 0;
    for (size_t r = 0; r < (size_t)fakesrv_count(&srv); r++)
        got += strstr(srv.recorded[r].body, "\"kind\":\"smart_money\"") != NULL;
    print_message("smart money: %zu watched, %zu pushed, %zu streamed\n", watched, got,
                  sse_count(&sse, "event: smart_money"));
    assert_int_equal(got, n_expected);
    assert_int_equal(sse_count(&sse, "event: smart_money"), n_expected);
    /* Each expected token exactly once, in the push and on the stream. */
    for (uint32_t t = 0; t < sim_token_count(s) && t < MAX_TOKENS; t++) {
        if (!alerted[t])
            continue;
        const char *mint = sim_token_mint(s, t);
        size_t pushed = 0;
        for (size_t r = 0; r < (size_t)fakesrv_count(&srv); r++)
            pushed += strstr(srv.recorded[r].body, mint) != NULL &&
                      strstr(srv.recorded[r].body, "\"kind\":\"smart_money\"") != NULL;
        if (pushed != 1)
            fail_msg("token %s pushed %zu times", mint, pushed);
        char needle[128];
        snprintf(needle, sizeof needle, "\"mint\":\"%s\"", mint);
        assert_int_equal(sse_count_sm(&sse, needle), 1);
    }
    sse_stop(&sse);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_null(strstr(log.data, srv.url)); /* the webhook URL is a secret */
    buf_release(&log);
    buf_release(&body);
    buf_release(&txs);
    buf_release(&one);
    free(alerted);
    free(recs);
    sim_free(s);
    fakesrv_stop(&srv);
    harness_rmdir(d.dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_buys_pushed_and_streamed),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
