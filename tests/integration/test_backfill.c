/* Integration test of `walltrack backfill`: the real binary against a
 * loopback fake of the Helius API answering with the real recorded history
 * page and the real "search period" error body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#include "harness.h"
#include "store/store.h"

#define ADDR "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"
#define PAGE1_LAST                                                                                 \
    "2pbH7kRDnaix5trE5xhP1gpDS4i79ve8bYn1ZNjKKE9McMeeL1Q1wteWtiN98yHZ78uUBRU1H2sPULv9juqbEWu6"
#define SEARCH_SIG                                                                                 \
    "2UKbsu95YzxGjUGYRg2znozmmVADVgmnhHqzDxq8Xfb3V5bf2NHUkaXGPrUpQnRFVHVKbawdQXtm4xJt9njMDHvg"

static char *page1, *search_err;
static size_t page1_len, search_err_len;

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    if (!strstr(req->url, "api-key=bf-key-123456")) {
        resp->status = 401;
        resp->body = "{\"error\":\"bad key\"}";
    } else if (strstr(req->url, "before-signature=" SEARCH_SIG)) {
        resp->body = "[]";
    } else if (strstr(req->url, "before-signature=" PAGE1_LAST)) {
        resp->status = 404;
        resp->body = search_err;
        resp->body_len = search_err_len;
        return;
    } else {
        resp->body = page1;
        resp->body_len = page1_len;
        return;
    }
    resp->body_len = strlen(resp->body);
}

static void test_backfill_follows_pages(void **state)
{
    (void)state;
    page1 = fixture_read("real/helius_enhanced_address_history_response_50tx.json", &page1_len);
    search_err = fixture_read("real/helius_enhanced_api_error_search_period.json", &search_err_len);
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, handler, NULL), 0);
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    char urlenv[128];
    snprintf(urlenv, sizeof urlenv, "WALLTRACK_HELIUS_API_URL=%s", srv.url);
    const char *env[] = {urlenv, "WALLTRACK_HELIUS_API_KEY=bf-key-123456", NULL};
    const char *argv[] = {"backfill", "--data", "data", "--days", "3", ADDR, NULL};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(dir, argv, env, 60, &out), 0);
    assert_non_null(strstr(out.data, ADDR ": 3 page(s)"));
    assert_non_null(strstr(out.data, "backfilled 50 transactions: 7 swaps and 21 transfers"));
    assert_null(strstr(out.data, "bf-key-123456"));
    /* three requests: first page, the search-period continuation, the end */
    assert_int_equal(fakesrv_count(&srv), 3);
    assert_non_null(strstr(srv.recorded[0].url, "gte-time="));
    assert_null(strstr(srv.recorded[0].url, "before-signature"));
    assert_non_null(strstr(srv.recorded[1].url, "before-signature=" PAGE1_LAST));
    assert_non_null(strstr(srv.recorded[2].url, "before-signature=" SEARCH_SIG));

    char db[600];
    snprintf(db, sizeof db, "%s/data", dir);
    struct store *st;
    char err[256];
    assert_int_equal(store_open(db, NULL, &st, err, sizeof err), 0);
    int64_t swaps, transfers, prices;
    assert_int_equal(store_count_events(st, &swaps, &transfers, &prices), 0);
    assert_int_equal(swaps, 7);
    assert_int_equal(transfers, 21);
    store_close(st);

    /* bad input: not an address, no key */
    buf_reset(&out);
    const char *bad[] = {"backfill", "--data", "data", "not-an-address", NULL};
    assert_int_equal(harness_run(dir, bad, env, 60, &out), 2);
    assert_non_null(strstr(out.data, "'not-an-address' is not a Solana address"));
    buf_reset(&out);
    const char *nokey_env[] = {urlenv, NULL};
    assert_int_equal(harness_run(dir, argv, nokey_env, 60, &out), 1);
    assert_non_null(strstr(out.data, "no Helius API key"));
    buf_release(&out);
    fakesrv_stop(&srv);
    harness_rmdir(dir);
    free(page1);
    free(search_err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backfill_follows_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
