/* Tests of the chain crawl's RPC-only path (intel/crawl_rpc.c) against a
 * fake Solana RPC on loopback answering with the recorded real bodies
 * (tests/fixtures/real/SOURCES.md): getSignaturesForAddress pages built
 * from the documented item shape (rpc_getSignaturesForAddress_response_docs
 * .json) naming the two recorded mainnet transactions and a failed one,
 * and getTransaction answering those transactions' recorded bodies.
 *
 *   - with no Helius key and rpc_urls set, a token's history is paged
 *     and every successful transaction fetched once (the failed one is
 *     not), stored as the loader stores the same bodies;
 *   - the budget stops it mid-page and the next run goes on from the last
 *     stored signature (`before`), fetching no transaction twice;
 *   - a 429 and a 503 are retried, a malformed page skips the token;
 *   - the graduations source reads a migration's mint from its token
 *     balances. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"
#include "../support/tmpstore.c"

#include "base/err.h"
#include "base/log.h"
#include "ingest/loader.h"
#include "intel/crawl.h"
#include "store/store.h"

#define TOKEN  "8k1DvnFBsbuWJw2t4JqTibR7cAgqadMveqiykMr1pump" /* the second body's mint */
#define BADTOK "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"
#define MIGR   "39azUYFWPz3VHgKCf3VChUwbpURdCHRxjWVowf5jUJjg"
#define SIG1                                                                                       \
    "2cd7QQSByKy6Y6eddUmQzVwZp5hfrbyhz4osnsf9gmi2EhoScvBoCs5hgJ8WpADH7zhxtQqUcCwBok49KWJ4iJPw"
#define SIG3                                                                                       \
    "2zNeSn8cJpTAW51NR8ZUHEXc5wVwerumVEk4iJFyAYdTHMjy49wumkZvWLkaeB8CD5YmjuJ3AjcbrBYBzAVKdEdD"
#define SIGF                                                                                       \
    "5h6xBEauJ3PK6SWCZ1PGjBvj8vDdWG3KpwATGy1ARAXFSDwt8GFXM7W5Ncn16wmqokgpiKRLuS83KUxyZyv2sUYv"

static char *tx1, *tx3;
static const char *page_all, *page_after1;
static size_t tx1_len, tx3_len;
static int tx_429, tx_503;

/* One item of the documented shape. */
#define ITEM(sig, slot, err, t)                                                                    \
    "{\"signature\":\"" sig "\",\"slot\":" #slot ",\"err\":" err                                   \
    ",\"memo\":null,\"blockTime\":" #t ",\"confirmationStatus\":\"finalized\"}"
#define FAILED_ERR "{\"InstructionError\":[0,{\"Custom\":1}]}"

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    resp->status = 200;
    const char *b = req->body ? req->body : "";
    if (strstr(b, "getSignaturesForAddress")) {
        if (strstr(b, BADTOK))
            resp->body = "{\"jsonrpc\":\"2.0\",\"result\":{\"not\":\"a list\"},\"id\":1}";
        else if (strstr(b, "\"before\":\"" SIG1 "\""))
            resp->body = page_after1;
        else if (strstr(b, "\"before\""))
            resp->body = "{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":1}";
        else
            resp->body = page_all;
    } else if (strstr(b, "getTransaction")) {
        if (tx_429 && tx_429--) {
            resp->status = 429;
            resp->retry_after = "1";
            resp->body = "{}";
        } else if (tx_503 && tx_503--) {
            resp->status = 503;
            resp->body = "{}";
        } else if (strstr(b, SIG1)) {
            resp->body = tx1;
            resp->body_len = tx1_len;
            return;
        } else if (strstr(b, SIG3)) {
            resp->body = tx3;
            resp->body_len = tx3_len;
            return;
        } else {
            resp->body = "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}";
        }
    } else {
        resp->status = 404;
        resp->body = "{}";
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
    tx1 = fixture_read("real/rpc_getTransaction_json_v0_agavesim_1.json", &tx1_len);
    tx3 = fixture_read("real/rpc_getTransaction_json_v0_with_alt_agavesim_3.json", &tx3_len);
    /* newest first: tx1 (1761676473), tx3 (1761670504), a failed one */
    page_all = "{\"jsonrpc\":\"2.0\",\"result\":[" ITEM(SIG1, 3, "null", 1761676473) "," ITEM(
        SIG3, 2, "null", 1761670504) "," ITEM(SIGF, 1, FAILED_ERR, 1761670000) "],\"id\":1}";
    page_after1 = "{\"jsonrpc\":\"2.0\",\"result\":[" ITEM(SIG3, 2, "null", 1761670504) "," ITEM(
        SIGF, 1, FAILED_ERR, 1761670000) "],\"id\":1}";
    return fakesrv_start(&srv, handler, NULL);
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&srv);
    free(tx1);
    free(tx3);
    return 0;
}

static int store_up(void **state)
{
    (void)state;
    return tmpstore_open(dir, &st);
}

static int store_down(void **state)
{
    (void)state;
    return tmpstore_close(dir, st);
}

static void opts(struct crawl_opts *o)
{
    crawl_opts_default(o);
    o->helius_key = ""; /* no Helius: the RPC path */
    o->rpc_urls = srv.url;
    o->rpc_rps = 0;
    o->backoff_ms = 1;
}

static int count_method(const char *method, const char *arg)
{
    int n = 0;
    for (int i = 0; i < fakesrv_count(&srv) && i < FAKE_MAX_RECORDED; i++) {
        const char *b = srv.recorded[i].body ? srv.recorded[i].body : "";
        n += strstr(b, method) && (!arg || strstr(b, arg));
    }
    return n;
}

/* The events the loader stores from the two recorded bodies. */
static void expected_events(int64_t *swaps, int64_t *transfers)
{
    char d2[64], err[256];
    struct store *ref;
    assert_int_equal(tmpstore_open(d2, &ref), 0);
    struct loader ld;
    loader_init(&ld, ref, 0);
    assert_int_equal(loader_add(&ld, tx1, tx1_len, tx1_len + JSON_PADDING, err, sizeof err), 0);
    assert_int_equal(loader_add(&ld, tx3, tx3_len, tx3_len + JSON_PADDING, err, sizeof err), 0);
    assert_int_equal(loader_flush(&ld), 0);
    loader_release(&ld);
    int64_t prices;
    assert_int_equal(store_count_events(ref, swaps, transfers, &prices), 0);
    assert_int_equal(tmpstore_close(d2, ref), 0);
}

static void test_pages_and_stores_like_the_loader(void **state)
{
    (void)state;
    assert_int_equal(store_crawl_add(st, "token", TOKEN, "operator", 1, NULL), 0);
    fakesrv_reset(&srv);
    struct crawl_opts o;
    opts(&o);
    struct crawl_progress p;
    char err[256];
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", TOKEN, &it), 0);
    assert_string_equal(it.state, "done");     /* 3 signatures < 100: the last page */
    assert_int_equal(it.first_ts, 1761670000); /* the failed one is history too */
    assert_int_equal(it.newest_ts, 1761676473);
    assert_int_equal(count_method("getTransaction", SIG1), 1);
    assert_int_equal(count_method("getTransaction", SIG3), 1);
    assert_int_equal(count_method("getTransaction", SIGF), 0); /* failed: not fetched */
    int64_t sw, tr, pr, esw, etr;
    assert_int_equal(store_count_events(st, &sw, &tr, &pr), 0);
    expected_events(&esw, &etr);
    assert_true(sw + tr > 0);
    assert_int_equal(sw, esw);
    assert_int_equal(tr, etr);
    /* every request counted, here and in the store */
    int64_t stored;
    assert_int_equal(store_crawl_counter(st, "requests", &stored), 0);
    assert_int_equal(stored, fakesrv_count(&srv));
    assert_int_equal(p.requests, fakesrv_count(&srv));
    /* a dry run on RPC: a page costs at most 101 requests, not 1 */
    assert_int_equal(store_crawl_add(st, "token", BADTOK, "operator", 1, NULL), 0);
    fakesrv_reset(&srv);
    o.dry_run = true;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    uint64_t rpc_est = p.estimate;
    o.helius_key = "k";
    o.helius_url = srv.url;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(fakesrv_count(&srv), 0);
    assert_true(p.estimate > 0);
    assert_true(rpc_est > p.estimate * 100 && rpc_est <= p.estimate * 101);
    opts(&o);
    /* again: nothing sent for the finished token */
    fakesrv_reset(&srv);
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(count_method("getSignaturesForAddress", TOKEN), 0);
    assert_int_equal(count_method("getTransaction", NULL), 0);
}

static void test_budget_mid_page_then_resume(void **state)
{
    (void)state;
    assert_int_equal(store_crawl_add(st, "token", TOKEN, "operator", 1, NULL), 0);
    fakesrv_reset(&srv);
    struct crawl_opts o;
    opts(&o);
    o.budget = 2; /* the page and the first transaction */
    struct crawl_progress p;
    char err[256];
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_true(p.budget_exhausted);
    assert_int_equal(fakesrv_count(&srv), 2);
    struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", TOKEN, &it), 0);
    assert_string_equal(it.state, "pending");
    assert_string_equal(it.cursor, SIG1);
    /* the next run: before the stored signature, the other transaction */
    o.budget = 0;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(store_crawl_get(st, "token", TOKEN, &it), 0);
    assert_string_equal(it.state, "done");
    assert_int_equal(count_method("getTransaction", SIG1), 1);
    assert_int_equal(count_method("getTransaction", SIG3), 1);
    assert_int_equal(count_method("getSignaturesForAddress", "\"before\":\"" SIG1 "\""), 1);
    int64_t sw, tr, pr, esw, etr;
    assert_int_equal(store_count_events(st, &sw, &tr, &pr), 0);
    expected_events(&esw, &etr);
    assert_int_equal(sw, esw);
    assert_int_equal(tr, etr);
    int64_t stored;
    assert_int_equal(store_crawl_counter(st, "requests", &stored), 0);
    assert_int_equal(stored, fakesrv_count(&srv));
}

static void test_errors_and_graduations(void **state)
{
    (void)state;
    assert_int_equal(store_crawl_add(st, "token", TOKEN, "operator", 1, NULL), 0);
    assert_int_equal(store_crawl_add(st, "token", BADTOK, "operator", 1, NULL), 0);
    fakesrv_reset(&srv);
    struct crawl_opts o;
    opts(&o);
    tx_429 = 1;
    tx_503 = 1;
    struct crawl_progress p;
    char err[256];
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(p.r429, 1);
    assert_int_equal(p.r5xx, 1);
    assert_int_equal(p.retries, 2);
    assert_int_equal(p.malformed, 1);
    struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", BADTOK, &it), 0);
    assert_string_equal(it.state, "skipped");
    assert_int_equal(store_crawl_get(st, "token", TOKEN, &it), 0);
    assert_string_equal(it.state, "done");

    /* graduations: the migration account's page names the same two
     * transactions; each one's mint (the first non-wSOL token balance)
     * becomes a token */
    fakesrv_reset(&srv);
    o.graduation_hours = 24;
    o.migration_account = MIGR;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(count_method("getSignaturesForAddress", MIGR), 1);
    assert_int_equal(p.graduations, 1); /* TOKEN was known; the other mint is new */
    assert_int_equal(
        store_crawl_get(st, "token", "7eR1yv7pUzhaqQneKJ2fmVTRuzY61ja5KwfbBrLsq1Gu", &it), 0);
    assert_string_equal(it.source, "graduation");
}

/* Signatures first, then only the early window: with a 1-hour window from
 * the creation (the failed transaction, 1761670000), tx3 (504 s later) is
 * fetched and tx1 (1.7 hours later) is not. */
static void test_token_window(void **state)
{
    (void)state;
    assert_int_equal(store_crawl_add(st, "token", TOKEN, "operator", 1, NULL), 0);
    fakesrv_reset(&srv);
    struct crawl_opts o;
    opts(&o);
    o.token_window_hours = 1;
    o.budget = 1; /* the signatures only: nothing fetched, left pending */
    struct crawl_progress p;
    char err[256];
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_true(p.budget_exhausted);
    struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", TOKEN, &it), 0);
    assert_string_equal(it.state, "pending");
    assert_int_equal(count_method("\"limit\":1000", NULL), 1); /* a full signatures page */
    o.budget = 0;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_int_equal(store_crawl_get(st, "token", TOKEN, &it), 0);
    assert_string_equal(it.state, "done");
    assert_int_equal(it.first_ts, 1761670000);
    assert_int_equal(it.newest_ts, 1761676473); /* the chain's "now" all the same */
    assert_string_equal(it.cursor, SIG3);
    assert_int_equal(count_method("getTransaction", SIG3), 1);
    assert_int_equal(count_method("getTransaction", SIG1), 0);
    assert_int_equal(count_method("getTransaction", SIGF), 0);
    int64_t sw, tr, pr;
    assert_int_equal(store_count_events(st, &sw, &tr, &pr), 0);
    int64_t esw, etr;
    expected_events(&esw, &etr);
    assert_true(sw + tr > 0 && sw + tr < esw + etr); /* tx3's only */
    int64_t stored;
    assert_int_equal(store_crawl_counter(st, "requests", &stored), 0);
    assert_int_equal(stored, fakesrv_count(&srv));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pages_and_stores_like_the_loader, store_up,
                                        store_down),
        cmocka_unit_test_setup_teardown(test_budget_mid_page_then_resume, store_up, store_down),
        cmocka_unit_test_setup_teardown(test_errors_and_graduations, store_up, store_down),
        cmocka_unit_test_setup_teardown(test_token_window, store_up, store_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
