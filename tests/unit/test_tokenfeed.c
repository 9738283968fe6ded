/* Tests of market/tokenfeed.h against a real HTTP server on loopback
 * answering the recorded DexScreener bodies (the pump token's pair and
 * the wSOL pairs of tests/fixtures/real):
 *
 *   * mints asked for together share one request (the linger), a mint
 *     asked twice is looked up once, 35 mints take two requests (30 + 5);
 *   * each listed token becomes one EVENT_PRICE with DexScreener's price,
 *     liquidity, market cap and pool creation, at its fetch time; an
 *     unlisted token gets none;
 *   * health: ok, degraded while stale answers are served in an outage,
 *     down when tokens go unanswered (with DexScreener's error), ok again;
 *   * the open positions' mints are looked up every refresh_ms, asked by
 *     the scheduler's job (tokenfeed_schedule). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "market/tokenfeed.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#define PUMP "HsKDKwGhR9wKh62CUHmUUXmb2jBwoFkfsbCUKtCppump"

/* The bare array /tokens/v1 answers: the pump pair, then the pairs of the
 * wSOL envelope fixture. */
static void build_array(struct buf *b)
{
    size_t plen, wlen;
    char *pair = fixture_read("real/dexscreener_pair_pump_token_raydium_clmm.json", &plen);
    char *wsol = fixture_read("real/dexscreener_latest_dex_tokens_wsol_truncated.json", &wlen);
    char *arr = strstr(wsol, "\"pairs\": [");
    assert_non_null(arr);
    arr += strlen("\"pairs\": [");
    char *end = strrchr(wsol, ']');
    assert_non_null(end);
    buf_init(b, 0);
    buf_puts(b, "[");
    buf_puts(b, pair);
    buf_puts(b, ",");
    buf_append(b, arr, (size_t)(end - arr));
    buf_puts(b, "]");
    buf_reserve(b, JSON_PADDING);
    free(pair);
    free(wsol);
}

struct dfake {
    const char *body;
    size_t len;
    unsigned status;
};

static void dhandler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)req;
    struct dfake *f = s->ud;
    resp->status = f->status;
    resp->body = f->body;
    resp->body_len = f->len;
}

/* The sink: the posted events, and the open positions' mints. */
struct sink {
    pthread_mutex_t mu;
    struct event ev[256];
    size_t n;
    size_t posts; /* hand-overs: one per answer */
    struct pubkey open[4];
    size_t n_open;
};

static int sink_post(void *ctx, const struct event *ev, size_t n)
{
    struct sink *s = ctx;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < n && s->n < 256; i++)
        s->ev[s->n++] = ev[i];
    s->posts++;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static size_t sink_open(void *ctx, struct pubkey *out, size_t max)
{
    struct sink *s = ctx;
    pthread_mutex_lock(&s->mu);
    size_t n = s->n_open < max ? s->n_open : max;
    memcpy(out, s->open, n * sizeof *out);
    pthread_mutex_unlock(&s->mu);
    return n;
}

static size_t posted(struct sink *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Waits (at most 10 s) until the feed has made `lookups` lookups. */
static void wait_lookups(struct tokenfeed *f, uint64_t lookups, struct tokenfeed_health *h)
{
    for (int i = 0; i < 1000; i++) {
        tokenfeed_health(f, h);
        if (h->lookups >= lookups)
            return;
        fake_sleep_ms(10);
    }
    fail_msg("the feed made %llu lookups, not %llu", (unsigned long long)h->lookups,
             (unsigned long long)lookups);
}

static struct tokenfeed *new_feed(const char *url, const struct clock *clk, unsigned refresh_ms)
{
    struct tokenfeed_opts o;
    tokenfeed_opts_default(&o);
    o.base_url = url;
    o.clock = clk;
    o.refresh_ms = refresh_ms;
    o.dex.ttl_ms = 30000;
    o.dex.stale_max_ms = 600000;
    o.http.backoff_ms = 1;
    o.http.cooldown_ms = 0;
    return tokenfeed_new(&o);
}

static void test_batch_events_and_health(void **state)
{
    (void)state;
    struct buf arr;
    build_array(&arr);
    struct dfake df = {arr.data, arr.len, 200};
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, dhandler, &df), 0);
    struct clock clk;
    clock_init_virtual(&clk, 1000000);
    struct sink sk = {.n = 0};
    pthread_mutex_init(&sk.mu, NULL);
    struct tokenfeed *f = new_feed(srv.url, &clk, 0);
    struct tokenfeed_sink ts = {.post = sink_post, .open_mints = NULL, .ctx = &sk};
    char detail[400];
    struct tokenfeed_health h;
    tokenfeed_health(f, &h);
    assert_int_equal(tokenfeed_state(&h, 0, detail, sizeof detail), TOKENFEED_CONFIGURED);

    /* Asked before the start: they wait for it. Three mints, one twice,
     * one request. */
    struct pubkey m[3];
    assert_int_equal(pubkey_parse(PUMP, &m[0]), 0);
    assert_int_equal(pubkey_parse(MINT_WSOL, &m[1]), 0);
    assert_int_equal(pubkey_parse(MINT_USDC, &m[2]), 0);
    tokenfeed_request(f, &m[0]);
    tokenfeed_request(f, &m[1]);
    tokenfeed_request(f, &m[0]);
    tokenfeed_request(f, &m[2]);
    assert_int_equal(tokenfeed_start(f, &ts), 0);
    wait_lookups(f, 1, &h);
    assert_int_equal(fakesrv_count(&srv), 1);
    assert_non_null(
        strstr(srv.recorded[0].url, "/tokens/v1/solana/" PUMP "," MINT_WSOL "," MINT_USDC));
    assert_int_equal(h.requested, 4);
    assert_int_equal(h.posted, 2);
    assert_int_equal(h.not_listed, 1); /* USDC is in no pair */
    assert_int_equal(posted(&sk), 2);
    pthread_mutex_lock(&sk.mu);
    assert_int_equal(sk.posts, 1); /* the answer's events in one hand-over */
    pthread_mutex_unlock(&sk.mu);
    const struct price_event *p = &sk.ev[0].u.price;
    assert_int_equal(sk.ev[0].kind, EVENT_PRICE);
    assert_true(pubkey_eq(&p->mint, &m[0]));
    assert_int_equal(p->ts_ms, 1000000);
    assert_true(p->price_sol == 0.00000001850);
    assert_true(p->liquidity_usd == 166.33);
    assert_true(p->mcap_usd == 2507);
    assert_int_equal(p->pair_created_ms, 1741884031000);
    assert_string_equal(p->source, "DEXSCREENER");
    /* wSOL trades against USDT: no SOL price, its USD price. */
    assert_true(sk.ev[1].u.price.price_sol == 0);
    assert_true(sk.ev[1].u.price.price_usd == 84.18);
    assert_int_equal(tokenfeed_state(&h, 1005000, detail, sizeof detail), TOKENFEED_OK);
    assert_non_null(strstr(detail, "last answer 5s ago; 2 price events posted"));

    /* An outage past the TTL: the cached answer, marked degraded. */
    df.status = 500;
    df.body = "oops";
    df.len = 4;
    clock_advance_ms(&clk, 31000);
    tokenfeed_request(f, &m[0]);
    wait_lookups(f, 2, &h);
    assert_int_equal(fakesrv_count(&srv), 2);
    assert_int_equal(posted(&sk), 3);
    assert_int_equal(sk.ev[2].u.price.ts_ms, 1000000); /* the answer's own time */
    assert_int_equal(h.stale, 1);
    assert_int_equal(tokenfeed_state(&h, clock_now_ms(&clk), detail, sizeof detail),
                     TOKENFEED_DEGRADED);
    assert_non_null(strstr(detail, "HTTP 500"));

    /* Past the stale limit: unanswered, down, with DexScreener's error. */
    clock_advance_ms(&clk, 600000);
    tokenfeed_request(f, &m[0]);
    wait_lookups(f, 3, &h);
    assert_int_equal(posted(&sk), 3);
    assert_int_equal(h.failures, 1);
    assert_int_equal(tokenfeed_state(&h, clock_now_ms(&clk), detail, sizeof detail),
                     TOKENFEED_DOWN);
    assert_non_null(strstr(detail, "HTTP 500"));
    assert_non_null(strstr(detail, "600s ago"));

    /* Back: ok again. */
    df.status = 200;
    df.body = arr.data;
    df.len = arr.len;
    tokenfeed_request(f, &m[0]);
    wait_lookups(f, 4, &h);
    assert_int_equal(posted(&sk), 4);
    assert_int_equal(tokenfeed_state(&h, clock_now_ms(&clk), detail, sizeof detail), TOKENFEED_OK);
    assert_string_equal(tokenfeed_state_name(TOKENFEED_DEGRADED), "degraded");

    tokenfeed_free(f);
    fakesrv_stop(&srv);
    pthread_mutex_destroy(&sk.mu);
    buf_release(&arr);
}

static void test_batches_of_30_and_refresh(void **state)
{
    (void)state;
    static const char empty[] = "[]";
    struct dfake df = {empty, 2, 200};
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, dhandler, &df), 0);
    struct clock clk;
    clock_init_virtual(&clk, 5000);
    struct sink sk = {.n = 0};
    pthread_mutex_init(&sk.mu, NULL);
    struct tokenfeed *f = new_feed(srv.url, &clk, 0);
    struct tokenfeed_sink ts = {.post = sink_post, .ctx = &sk};
    assert_int_equal(tokenfeed_start(f, &ts), 0);
    enum { N = 35 };
    for (int i = 0; i < N; i++) {
        struct pubkey k;
        memset(&k, 0, sizeof k);
        k.b[0] = (uint8_t)(i + 1);
        tokenfeed_request(f, &k);
    }
    struct tokenfeed_health h;
    wait_lookups(f, 2, &h);
    assert_int_equal(fakesrv_count(&srv), 2); /* 30, then 5 */
    assert_int_equal(h.not_listed, N);
    assert_int_equal(posted(&sk), 0);
    tokenfeed_free(f);

    /* Refresh: the open positions' mints every 100 ms, with no request
     * from the engine (served from the cache within the TTL: events
     * still go out, one request only). */
    struct buf arr;
    build_array(&arr);
    df.body = arr.data;
    df.len = arr.len;
    int before = fakesrv_count(&srv);
    assert_int_equal(pubkey_parse(PUMP, &sk.open[0]), 0);
    sk.n_open = 1;
    f = new_feed(srv.url, &clk, 100);
    ts.open_mints = sink_open;
    assert_int_equal(tokenfeed_start(f, &ts), 0);
    struct sched *sc = sched_new(NULL);
    assert_int_equal(tokenfeed_schedule(f, sc), 0);
    assert_int_equal(sched_start(sc), 0);
    wait_lookups(f, 3, &h);
    sched_free(sc);
    assert_true(posted(&sk) >= 3);
    assert_true(pubkey_eq(&sk.ev[2].u.price.mint, &sk.open[0]));
    assert_int_equal(fakesrv_count(&srv) - before, 1);
    tokenfeed_free(f);

    fakesrv_stop(&srv);
    pthread_mutex_destroy(&sk.mu);
    buf_release(&arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_events_and_health),
        cmocka_unit_test(test_batches_of_30_and_refresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
