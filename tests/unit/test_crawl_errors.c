/* Tests of the chain crawl (intel/crawl.h) against a fake Helius on
 * loopback answering with the real recorded 50-transaction history page:
 * every error answer the crawl must survive (429 and 5xx retried with
 * backoff, a malformed body counted and its token skipped, a refusal left
 * pending for the next run), the request counter in the store equal to
 * what the server saw, and the budget stopping the crawl at exactly its
 * number of requests with the rest left pending. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#include "base/err.h"
#include "base/log.h"
#include "intel/crawl.h"
#include "store/store.h"

/* Four tokens, each with its own behaviour (valid base58 keys). */
#define T_429  "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"
#define T_5XX  "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
#define T_BAD  "CuieVDEDtLo7FypA9SbLM9saXFdb1dsshEkyErMqkRQq"
#define T_DENY "So11111111111111111111111111111111111111112"

static char *page;
static size_t page_len;
static int hits_429, hits_5xx;

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    resp->status = 200;
    if (strstr(req->url, T_429) && hits_429++ == 0) {
        resp->status = 429;
        resp->retry_after = "1";
        resp->body = "{\"error\":\"rate limited\"}";
    } else if (strstr(req->url, T_5XX) && hits_5xx++ < 2) {
        resp->status = 503;
        resp->body = "{\"error\":\"unavailable\"}";
    } else if (strstr(req->url, T_BAD)) {
        resp->body = "{\"this is\": not json";
    } else if (strstr(req->url, T_DENY)) {
        resp->status = 401;
        resp->body = "{\"error\":\"invalid api key\"}";
    } else {
        resp->body = page; /* 50 transactions: fewer than asked, the last page */
        resp->body_len = page_len;
        return;
    }
    resp->body_len = strlen(resp->body);
}

static struct fakesrv srv;
static char dir[64];
static struct store *st;

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_ERROR);
    page = fixture_read("real/helius_enhanced_address_history_response_50tx.json", &page_len);
    snprintf(dir, sizeof dir, "/tmp/wt-crawl-XXXXXX");
    if (!page || !mkdtemp(dir))
        return -1;
    char err[256];
    if (store_open(dir, NULL, &st, err, sizeof err) != 0)
        return -1;
    return fakesrv_start(&srv, handler, NULL);
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&srv);
    store_close(st);
    free(page);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void add_tokens(void)
{
    const char *t[] = {T_429, T_5XX, T_BAD, T_DENY};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(store_crawl_add(st, "token", t[i], "operator", 1, NULL), 0);
}

static void opts(struct crawl_opts *o)
{
    crawl_opts_default(o);
    o->helius_url = srv.url;
    o->helius_key = "k";
    o->rps = 0;
    o->backoff_ms = 1;
}

static const char *state_of(const char *key)
{
    static struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", key, &it), 0);
    return it.state;
}

static void test_every_error_answer(void **state)
{
    (void)state;
    struct crawl_live live;
    assert_int_equal(crawl_live_read(st, &live), 0);
    assert_string_equal(live.state, "idle"); /* no crawl ran yet */
    assert_int_equal(live.started_ms, 0);
    add_tokens();
    fakesrv_reset(&srv);
    struct crawl_opts o;
    opts(&o);
    struct crawl_progress p;
    char err[256];
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    /* the run's progress is in the store for any process to read */
    assert_int_equal(crawl_live_read(st, &live), 0);
    assert_string_equal(live.state, "done");
    assert_string_equal(live.phase, "done");
    assert_int_equal(live.requests, fakesrv_count(&srv));
    assert_int_equal(live.budget, 0);
    assert_int_equal(live.tokens, 4);
    assert_int_equal(live.tokens_done, 3);
    assert_true(live.started_ms > 0 && live.updated_ms >= live.started_ms);
    /* 429 once, then the page; 503 twice, then the page; malformed once;
     * 401 once, not retried */
    assert_int_equal(p.r429, 1);
    assert_int_equal(p.r5xx, 2);
    assert_int_equal(p.retries, 3);
    assert_int_equal(p.malformed, 1);
    assert_int_equal(p.failed, 1);
    assert_string_equal(state_of(T_429), "done");
    assert_string_equal(state_of(T_5XX), "done");
    assert_string_equal(state_of(T_BAD), "skipped");
    assert_string_equal(state_of(T_DENY), "pending"); /* the next run tries again */
    /* every request counted, in the store too */
    int64_t stored;
    assert_int_equal(store_crawl_counter(st, "requests", &stored), 0);
    assert_int_equal(p.requests, (uint64_t)fakesrv_count(&srv));
    assert_int_equal(stored, fakesrv_count(&srv));
    /* the pages were stored through the decoder */
    int64_t swaps, transfers, prices;
    assert_int_equal(store_count_events(st, &swaps, &transfers, &prices), 0);
    assert_true(swaps > 0);

    /* again: only the refused token is asked for */
    fakesrv_reset(&srv);
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(fakesrv_count(&srv), 1);
    assert_non_null(strstr(srv.recorded[0].url, T_DENY));
}

static void test_budget_stops_cleanly(void **state)
{
    (void)state;
    hits_429 = hits_5xx = 0;
    add_tokens();
    fakesrv_reset(&srv);
    struct crawl_opts o;
    opts(&o);
    o.budget = 3; /* the 429 and its retry, then the first 503 */
    struct crawl_progress p;
    char err[256];
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_true(p.budget_exhausted);
    assert_int_equal(fakesrv_count(&srv), 3);
    assert_int_equal(p.requests, 3);
    assert_string_equal(state_of(T_429), "done");
    assert_string_equal(state_of(T_5XX), "pending");
    assert_string_equal(state_of(T_BAD), "pending");
    int64_t stored;
    assert_int_equal(store_crawl_counter(st, "requests", &stored), 0);
    assert_int_equal(stored, 3);
    struct crawl_live live;
    assert_int_equal(crawl_live_read(st, &live), 0);
    assert_string_equal(live.state, "budget");
    assert_int_equal(live.requests, 3);
    assert_int_equal(live.budget, 3);
    /* "requests" (every run's) is never overwritten by the live progress */
    const char *names[] = {"requests"};
    int64_t vals[] = {0};
    assert_int_equal(store_crawl_set_counters(st, names, vals, 1), WT_EINVAL);

    /* a dry run sends nothing and estimates from what was crawled */
    fakesrv_reset(&srv);
    o.dry_run = true;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(fakesrv_count(&srv), 0);
    assert_true(p.estimate >= 3); /* three tokens pending, a page each at least */
    assert_int_equal(crawl_live_read(st, &live), 0);
    assert_string_equal(live.state, "budget"); /* a dry run is not a run */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_error_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_stops_cleanly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
