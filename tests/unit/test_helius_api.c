/* Tests of the Helius REST client (ingest/helius_api.h) against a real
 * HTTP server on loopback answering with the real recorded bodies:
 * history pagination (including the "search period" error body), the
 * transactions endpoint, webhook management, errors and key masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#include "base/err.h"
#include "base/json.h"
#include "ingest/helius_api.h"

#define KEY  "test-key-5c1e0f"
#define ADDR "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"
/* Last signature of the 50-transaction page (helius_enhanced_address_history_response_50tx). */
#define PAGE1_LAST                                                                                 \
    "2pbH7kRDnaix5trE5xhP1gpDS4i79ve8bYn1ZNjKKE9McMeeL1Q1wteWtiN98yHZ78uUBRU1H2sPULv9juqbEWu6"
/* The signature named by helius_enhanced_api_error_search_period.json. */
#define SEARCH_SIG                                                                                 \
    "2UKbsu95YzxGjUGYRg2znozmmVADVgmnhHqzDxq8Xfb3V5bf2NHUkaXGPrUpQnRFVHVKbawdQXtm4xJt9njMDHvg"

static char *page1, *search_err, *swap;
static size_t page1_len, search_err_len, swap_len;
static const char webhook_answer[] =
    "{\"webhookID\":\"wh-7d3c\",\"wallet\":\"x\",\"webhookURL\":\"https://example.org/hook\","
    "\"transactionTypes\":[\"SWAP\",\"TRANSFER\"],\"accountAddresses\":[\"" ADDR "\"],"
    "\"webhookType\":\"enhanced\"}";

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    if (!strstr(req->url, "api-key=" KEY)) {
        resp->status = 401;
        resp->body = "{\"error\":\"invalid api key\"}";
        resp->body_len = strlen(resp->body);
        return;
    }
    if (strncmp(req->url, "/v0/addresses/", 14) == 0) {
        if (strstr(req->url, "before-signature=" SEARCH_SIG)) {
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
    } else if (strncmp(req->url, "/v0/transactions", 16) == 0) {
        resp->body = swap;
        resp->body_len = swap_len;
        return;
    } else if (strcmp(req->method, "POST") == 0 && strncmp(req->url, "/v0/webhooks?", 13) == 0) {
        resp->body = webhook_answer;
    } else if (strcmp(req->method, "GET") == 0 && strncmp(req->url, "/v0/webhooks?", 13) == 0) {
        resp->body = "[]";
    } else if (strcmp(req->method, "DELETE") == 0 &&
               strncmp(req->url, "/v0/webhooks/wh-7d3c?", 21) == 0) {
        resp->body = "";
    } else {
        resp->status = 404;
        resp->body = "{\"error\":\"not found\"}";
    }
    resp->body_len = strlen(resp->body);
}

static struct fakesrv srv;

static int setup(void **state)
{
    (void)state;
    page1 = fixture_read("real/helius_enhanced_address_history_response_50tx.json", &page1_len);
    search_err = fixture_read("real/helius_enhanced_api_error_search_period.json", &search_err_len);
    swap = fixture_read("real/helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json", &swap_len);
    return fakesrv_start(&srv, handler, NULL);
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&srv);
    free(page1);
    free(search_err);
    free(swap);
    return 0;
}

static struct helius_api *client(const char *key)
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.retries = 0;
    return helius_api_new(srv.url, key, &o);
}

static void test_history_pagination(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    struct helius_api *h = client(KEY);
    struct buf body;
    buf_init(&body, 0);
    size_t n;
    char next[BASE58_SIG_MAX];
    struct helius_history_query q = {.address = ADDR, .type = "SWAP", .limit = 50};

    /* page 1: the real 50-transaction page; continue from its last tx */
    assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), 0);
    assert_int_equal(n, 50);
    assert_string_equal(next, PAGE1_LAST);
    assert_true(body.cap >= body.len + JSON_PADDING);
    assert_int_equal(body.len, page1_len);

    /* page 2: the search-period error is followed, not a failure */
    q.before = next;
    char next2[BASE58_SIG_MAX];
    assert_int_equal(helius_api_history_page(h, &q, &body, &n, next2), 0);
    assert_int_equal(n, 0);
    assert_string_equal(next2, SEARCH_SIG);
    assert_string_equal(body.data, "[]");

    /* page 3: empty, history exhausted */
    q.before = next2;
    assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), 0);
    assert_int_equal(n, 0);
    assert_string_equal(next, "");

    /* what went over the wire */
    assert_int_equal(fakesrv_count(&srv), 3);
    assert_non_null(strstr(srv.recorded[0].url, "/v0/addresses/" ADDR "/transactions?"));
    assert_non_null(strstr(srv.recorded[0].url, "type=SWAP"));
    assert_non_null(strstr(srv.recorded[0].url, "limit=50"));
    assert_null(strstr(srv.recorded[0].url, "before-signature"));
    assert_non_null(strstr(srv.recorded[2].url, "before-signature=" SEARCH_SIG));
    buf_release(&body);
    helius_api_free(h);
}

static void test_history_bad_input_and_errors(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    struct helius_api *h = client(KEY);
    struct buf body;
    buf_init(&body, 0);
    size_t n;
    char next[BASE58_SIG_MAX];
    struct helius_history_query q = {.address = "bad&address=x"};
    assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), WT_EINVAL);
    q.address = ADDR;
    q.limit = 101;
    assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), WT_EINVAL);
    assert_int_equal(fakesrv_count(&srv), 0); /* nothing sent */
    helius_api_free(h);

    /* a wrong key: the error names the status and Helius's message, and
     * never the key itself */
    h = client("wrong-key-123456");
    q.limit = 10;
    assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), WT_EREMOTE);
    assert_non_null(strstr(helius_api_errmsg(h), "401"));
    assert_non_null(strstr(helius_api_errmsg(h), "invalid api key"));
    assert_null(strstr(helius_api_errmsg(h), "wrong-key-123456"));
    buf_release(&body);
    helius_api_free(h);
}

static void test_transactions_by_signature(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    struct helius_api *h = client(KEY);
    struct buf body;
    buf_init(&body, 0);
    const char *sigs[] = {PAGE1_LAST, SEARCH_SIG};
    assert_int_equal(helius_api_transactions(h, sigs, 2, &body), 0);
    assert_int_equal(body.len, swap_len);
    assert_int_equal(fakesrv_count(&srv), 1);
    assert_string_equal(srv.recorded[0].method, "POST");
    assert_string_equal(srv.recorded[0].body,
                        "{\"transactions\":[\"" PAGE1_LAST "\",\"" SEARCH_SIG "\"]}");
    assert_int_equal(helius_api_transactions(h, sigs, 0, &body), WT_EINVAL);
    buf_release(&body);
    helius_api_free(h);
}

static void test_webhooks(void **state)
{
    (void)state;
    fakesrv_reset(&srv);
    struct helius_api *h = client(KEY);
    struct buf body;
    buf_init(&body, 0);
    const char *addrs[] = {ADDR};
    struct helius_webhook_spec spec = {.url = "https://example.org/hook",
                                       .addresses = addrs,
                                       .n_addresses = 1,
                                       .auth_header = "whsec-abc"};
    char id[128];
    assert_int_equal(helius_api_webhook_create(h, &spec, id, &body), 0);
    assert_string_equal(id, "wh-7d3c");
    /* the request body, parsed back */
    struct json_doc *doc = json_doc_new(0);
    struct json_val root, v, item;
    const char *s;
    const char *sent = srv.recorded[0].body;
    assert_int_equal(json_parse(doc, sent, strlen(sent), 0, &root), 0);
    assert_int_equal(json_get_str(&root, "webhookType", &s, NULL), 0);
    assert_string_equal(s, "enhanced");
    assert_int_equal(json_get_str(&root, "authHeader", &s, NULL), 0);
    assert_string_equal(s, "whsec-abc");
    assert_int_equal(json_get(&root, "transactionTypes", &v), 0);
    assert_int_equal(json_size(&v), 2);
    assert_int_equal(json_get(&root, "accountAddresses", &v), 0);
    assert_int_equal(json_index(&v, 0, &item), 0);
    assert_int_equal(json_str(&item, &s, NULL), 0);
    assert_string_equal(s, ADDR);
    json_doc_free(doc);

    assert_int_equal(helius_api_webhook_list(h, &body), 0);
    assert_string_equal(body.data, "[]");
    assert_int_equal(helius_api_webhook_delete(h, "wh-7d3c"), 0);
    assert_int_equal(helius_api_webhook_delete(h, "wh-unknown"), WT_EREMOTE);
    assert_int_equal(helius_api_webhook_delete(h, "../x"), WT_EINVAL);

    /* bad specs are refused before anything is sent */
    int before = fakesrv_count(&srv);
    const char *bad[] = {"not-a-key"};
    struct helius_webhook_spec b = spec;
    b.addresses = bad;
    assert_int_equal(helius_api_webhook_create(h, &b, id, &body), WT_EINVAL);
    b = spec;
    b.n_addresses = 0;
    assert_int_equal(helius_api_webhook_create(h, &b, id, &body), WT_EINVAL);
    b = spec;
    b.url = "ftp://x";
    assert_int_equal(helius_api_webhook_create(h, &b, id, &body), WT_EINVAL);
    assert_int_equal(fakesrv_count(&srv), before);
    buf_release(&body);
    helius_api_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_pagination),
        cmocka_unit_test(test_history_bad_input_and_errors),
        cmocka_unit_test(test_transactions_by_signature),
        cmocka_unit_test(test_webhooks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
