/* Tests of market/jupiter.h through the production client against a real
 * HTTP server on 127.0.0.1 answering with the recorded Jupiter bodies:
 *   jupiter_quote_sol_usdc_100lamports_real.json  real capture
 *   jupiter_quote_v1_sol_usdc_docs.json           docs sample
 *   jupiter_swap_response_real_full_tx.json       real capture (full tx)
 *   jupiter_swap_v1_response_docs_truncated_tx.json docs sample; its
 *       swapTransaction is elided with "......", so it is shape-only: the
 *       client must refuse it as not base64
 *   jupiter_price_v3_docs.json / _openapi_example.json  docs samples
 * Error bodies have the shape Jupiter answers with on 400
 * ({"error": text, "errorCode": CODE}); no recorded capture exists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "market/jupiter.h"
#include "solana/tx.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

struct jfake {
    const char *body;
    size_t len;
    unsigned status;
};

static void jhandler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)req;
    struct jfake *f = s->ud;
    resp->status = f->status;
    resp->body = f->body;
    resp->body_len = f->len;
}

static struct httpc_opts fast_opts(void)
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.retries = 0;
    o.backoff_ms = 1;
    return o;
}

static void test_quote_real_and_docs(void **state)
{
    (void)state;
    size_t len;
    char *real = fixture_read("real/jupiter_quote_sol_usdc_100lamports_real.json", &len);
    struct jfake f = {real, len, 200};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, jhandler, &f), 0);
    struct httpc_opts o = fast_opts();
    struct jupiter *j = jupiter_new(s.url, "k-secret-123", &o);
    struct jup_quote_req qr = {.amount = 100, .slippage_bps = 100};
    pubkey_parse(MINT_WSOL, &qr.input_mint);
    pubkey_parse(MINT_USDC, &qr.output_mint);
    struct jup_quote q;
    assert_int_equal(jupiter_quote(j, &qr, &q), 0);
    assert_int_equal(q.in_amount, 100);
    assert_int_equal(q.out_amount, 66);
    assert_int_equal(q.other_amount_threshold, 66);
    assert_int_equal(q.slippage_bps, 100);
    assert_int_equal(q.context_slot, 322287008);
    assert_int_equal(q.route_hops, 1);
    assert_true(pubkey_eq(&q.output_mint, &qr.output_mint));
    assert_int_equal(q.raw_len, len);
    assert_memory_equal(q.raw, real, len);
    /* What went over the wire. */
    assert_int_equal(fakesrv_count(&s), 1);
    const struct fake_req *r = &s.recorded[0];
    assert_string_equal(r->method, "GET");
    assert_non_null(strstr(r->url, "/swap/v1/quote?"));
    assert_non_null(strstr(r->url, "inputMint=" MINT_WSOL));
    assert_non_null(strstr(r->url, "outputMint=" MINT_USDC));
    assert_non_null(strstr(r->url, "amount=100"));
    assert_non_null(strstr(r->url, "slippageBps=100"));
    assert_non_null(strstr(r->url, "swapMode=ExactIn"));
    assert_non_null(strstr(r->url, "restrictIntermediateTokens=true"));
    assert_string_equal(r->api_key, "k-secret-123");
    jup_quote_release(&q);

    /* The docs sample: a quote for a different amount than asked is refused. */
    size_t dlen;
    char *docs = fixture_read("real/jupiter_quote_v1_sol_usdc_docs.json", &dlen);
    f.body = docs;
    f.len = dlen;
    assert_int_equal(jupiter_quote(j, &qr, &q), WT_EPARSE);
    assert_null(q.raw);
    qr.amount = 100000000;
    qr.slippage_bps = 50;
    assert_int_equal(jupiter_quote(j, &qr, &q), 0);
    assert_int_equal(q.out_amount, 16198753);
    assert_int_equal(q.other_amount_threshold, 16117760);
    assert_int_equal(q.slippage_bps, 50);
    jup_quote_release(&q);

    /* Bad requests never reach the network. */
    int before = fakesrv_count(&s);
    qr.amount = 0;
    assert_int_equal(jupiter_quote(j, &qr, &q), WT_EINVAL);
    assert_int_equal(fakesrv_count(&s), before);

    jupiter_free(j);
    fakesrv_stop(&s);
    free(real);
    free(docs);
}

static void test_no_key_no_header(void **state)
{
    (void)state;
    size_t len;
    char *real = fixture_read("real/jupiter_quote_sol_usdc_100lamports_real.json", &len);
    struct jfake f = {real, len, 200};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, jhandler, &f), 0);
    struct httpc_opts o = fast_opts();
    struct jupiter *j = jupiter_new(s.url, "", &o);
    struct jup_quote_req qr = {.amount = 100, .slippage_bps = 100};
    pubkey_parse(MINT_WSOL, &qr.input_mint);
    pubkey_parse(MINT_USDC, &qr.output_mint);
    struct jup_quote q;
    assert_int_equal(jupiter_quote(j, &qr, &q), 0);
    assert_string_equal(s.recorded[0].api_key, "");
    jup_quote_release(&q);
    jupiter_free(j);
    fakesrv_stop(&s);
    free(real);
}

static void test_route_errors(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        unsigned status;
        enum jup_err_kind kind;
        const char *code;
    } cases[] = {
        {"{\"error\":\"Could not find any route\",\"errorCode\":\"COULD_NOT_FIND_ANY_ROUTE\"}", 400,
         JUP_ERR_NO_ROUTE, "COULD_NOT_FIND_ANY_ROUTE"},
        {"{\"error\":\"No routes found\",\"errorCode\":\"NO_ROUTES_FOUND\"}", 400, JUP_ERR_NO_ROUTE,
         "NO_ROUTES_FOUND"},
        {"{\"error\":\"No routes found\"}", 400, JUP_ERR_NO_ROUTE, ""},
        {"{\"error\":\"The token X is not tradable\",\"errorCode\":\"TOKEN_NOT_TRADABLE\"}", 400,
         JUP_ERR_NOT_TRADABLE, "TOKEN_NOT_TRADABLE"},
        {"{\"error\":\"Invalid amount\"}", 400, JUP_ERR_BAD_REQUEST, ""},
        {"{\"message\":\"Unauthorized\"}", 401, JUP_ERR_UNAUTHORIZED, ""},
        {"Too Many Requests", 429, JUP_ERR_RATE_LIMITED, ""},
        {"<html>bad gateway</html>", 502, JUP_ERR_SERVER, ""},
    };
    struct jfake f = {0};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, jhandler, &f), 0);
    struct httpc_opts o = fast_opts();
    struct jupiter *j = jupiter_new(s.url, NULL, &o);
    struct jup_quote_req qr = {.amount = 5, .slippage_bps = 100};
    pubkey_parse(MINT_WSOL, &qr.input_mint);
    pubkey_parse(MINT_USDC, &qr.output_mint);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        f.body = cases[i].body;
        f.len = strlen(cases[i].body);
        f.status = cases[i].status;
        struct jup_quote q;
        assert_int_equal(jupiter_quote(j, &qr, &q), WT_EREMOTE);
        const struct jup_error *e = jupiter_last_error(j);
        assert_int_equal(e->kind, cases[i].kind);
        assert_int_equal(e->http_status, cases[i].status);
        assert_string_equal(e->code, cases[i].code);
        assert_null(q.raw);
    }
    /* A 200 that is not a quote. */
    f.body = "{\"inputMint\":\"nope\"}";
    f.len = strlen(f.body);
    f.status = 200;
    struct jup_quote q;
    assert_int_equal(jupiter_quote(j, &qr, &q), WT_EPARSE);
    assert_non_null(strstr(jupiter_last_error(j)->message, "bad quote"));
    jupiter_free(j);
    fakesrv_stop(&s);
}

static void test_swap_real_full_tx(void **state)
{
    (void)state;
    size_t qlen, slen;
    char *quote = fixture_read("real/jupiter_quote_sol_usdc_100lamports_real.json", &qlen);
    char *swap = fixture_read("real/jupiter_swap_response_real_full_tx.json", &slen);
    struct jfake f = {swap, slen, 200};
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, jhandler, &f), 0);
    struct httpc_opts o = fast_opts();
    struct jupiter *j = jupiter_new(s.url, "kk-key-1", &o);
    struct jup_quote q;
    char err[256];
    assert_int_equal(jup_quote_parse(quote, qlen, &q, err, sizeof err), 0);
    struct jup_swap_req sr = {
        .wrap_unwrap_sol = true, .dynamic_cu_limit = true, .priority_fee_max = 1000000};
    pubkey_parse("J5hkNQTVi18NCEMSGBsMY9mdtHfb5JFpUc4bHE7D89ft", &sr.user);
    struct jup_swap out;
    int rc = jupiter_swap(j, &q, &sr, &out);
    if (rc)
        fail_msg("%s", jupiter_last_error(j)->message);
    assert_int_equal(out.last_valid_block_height, 301043236);
    assert_int_equal(out.priority_fee_lamports, 55511);
    assert_int_equal(out.compute_unit_limit, 450353);
    struct tx tx;
    assert_int_equal(tx_decode(out.wire, out.len, &tx), 0);
    assert_int_equal(tx.version, TX_V0);
    assert_int_equal(tx.n_lookups, 1);
    struct pubkey payer;
    memcpy(payer.b, tx_key(&tx, 0), 32);
    assert_true(pubkey_eq(&payer, &sr.user));

    /* The request body: quoteResponse carried back verbatim, and the rest. */
    const struct fake_req *r = &s.recorded[0];
    assert_string_equal(r->method, "POST");
    assert_non_null(strstr(r->url, "/swap/v1/swap"));
    assert_string_equal(r->api_key, "kk-key-1");
    struct json_doc *doc = json_doc_new(0);
    struct json_val root, v, p, m;
    assert_int_equal(json_parse(doc, r->body, r->body_len, 0, &root), 0);
    assert_int_equal(json_get(&root, "quoteResponse", &v), 0);
    const char *str;
    assert_int_equal(json_get_str(&v, "outAmount", &str, NULL), 0);
    assert_string_equal(str, "66");
    assert_int_equal(json_get_str(&v, "swapUsdValue", &str, NULL), 0);
    assert_string_equal(str, "0.0000171469275295053183424833");
    assert_int_equal(json_get_str(&root, "userPublicKey", &str, NULL), 0);
    assert_string_equal(str, "J5hkNQTVi18NCEMSGBsMY9mdtHfb5JFpUc4bHE7D89ft");
    bool b = false;
    assert_int_equal(json_get_bool(&root, "wrapAndUnwrapSol", &b), 0);
    assert_true(b);
    assert_int_equal(json_get_bool(&root, "dynamicComputeUnitLimit", &b), 0);
    assert_true(b);
    assert_int_equal(json_get(&root, "prioritizationFeeLamports", &p), 0);
    assert_int_equal(json_get(&p, "priorityLevelWithMaxLamports", &m), 0);
    uint64_t max = 0;
    assert_int_equal(json_get_u64(&m, "maxLamports", &max), 0);
    assert_int_equal(max, 1000000);
    json_doc_free(doc);

    /* The docs sample's transaction is elided ("......"): shape-only, refused. */
    size_t tlen;
    char *trunc = fixture_read("real/jupiter_swap_v1_response_docs_truncated_tx.json", &tlen);
    f.body = trunc;
    f.len = tlen;
    assert_int_equal(jupiter_swap(j, &q, &sr, &out), WT_EPARSE);
    assert_non_null(strstr(jupiter_last_error(j)->message, "not base64"));
    assert_int_equal(out.len, 0);

    /* A simulationError is an error of its own kind. */
    static const char simerr[] =
        "{\"swapTransaction\":\"AQ==\",\"lastValidBlockHeight\":1,\"simulationError\":"
        "{\"errorCode\":\"TRANSACTION_ERROR\",\"error\":\"Slippage tolerance exceeded\"}}";
    f.body = simerr;
    f.len = strlen(simerr);
    assert_int_equal(jupiter_swap(j, &q, &sr, &out), WT_EREMOTE);
    assert_int_equal(jupiter_last_error(j)->kind, JUP_ERR_SIMULATION);
    assert_string_equal(jupiter_last_error(j)->code, "TRANSACTION_ERROR");

    jup_quote_release(&q);
    jupiter_free(j);
    fakesrv_stop(&s);
    free(quote);
    free(swap);
    free(trunc);
}

/* Answers price requests with a recorded body. */
struct pfake {
    char *body;
    size_t len;
};

static void phandler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    struct pfake *f = s->ud;
    assert_non_null(strstr(req->url, "/price/v3?ids="));
    resp->status = 200;
    resp->body = f->body;
    resp->body_len = f->len;
}

static void test_prices_batches(void **state)
{
    (void)state;
    struct pfake f = {0};
    f.body = fixture_read("real/jupiter_price_v3_docs.json", &f.len);
    struct fakesrv s;
    assert_int_equal(fakesrv_start(&s, phandler, &f), 0);
    struct httpc_opts o = fast_opts();
    struct jupiter *j = jupiter_new(s.url, NULL, &o);
    enum { N = 120 };
    struct pubkey mints[N];
    struct jup_price out[N];
    for (int i = 0; i < N; i++) {
        memset(&mints[i], 0, sizeof mints[i]);
        mints[i].b[0] = (uint8_t)(i + 1);
        mints[i].b[1] = 7;
    }
    pubkey_parse(MINT_WSOL, &mints[3]);
    pubkey_parse("JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN", &mints[77]);
    /* The recorded URL is truncated past 1 KiB, so the batch size shows in
     * the request counts: 50 mints take one request, 51 two, 120 three. */
    assert_int_equal(jupiter_prices(j, mints, 50, out), 0);
    assert_int_equal(fakesrv_count(&s), 1);
    assert_int_equal(jupiter_prices(j, mints, 51, out), 0);
    assert_int_equal(fakesrv_count(&s), 3);
    assert_int_equal(jupiter_prices(j, mints, N, out), 0);
    assert_int_equal(fakesrv_count(&s), 6);
    assert_true(out[3].found);
    assert_true(out[3].usd_price > 147.478 && out[3].usd_price < 147.480);
    assert_int_equal(out[3].decimals, 9);
    assert_int_equal(out[3].block_id, 348004023);
    assert_true(out[77].found);
    assert_int_equal(out[77].decimals, 6);
    assert_false(out[0].found);
    assert_false(out[119].found);
    assert_true(pubkey_eq(&out[119].mint, &mints[119]));
    jupiter_free(j);
    fakesrv_stop(&s);
    free(f.body);

    /* The OpenAPI example (extra createdAt, liquidity keys). */
    f.body = fixture_read("real/jupiter_price_v3_openapi_example.json", &f.len);
    assert_int_equal(fakesrv_start(&s, phandler, &f), 0);
    j = jupiter_new(s.url, NULL, &o);
    struct pubkey two[2];
    pubkey_parse(MINT_USDC, &two[0]);
    pubkey_parse(MINT_WSOL, &two[1]);
    assert_int_equal(jupiter_prices(j, two, 2, out), 0);
    assert_true(out[0].found && out[1].found);
    assert_true(out[0].usd_price > 0.9998 && out[0].usd_price < 1.0);
    assert_non_null(strstr(s.recorded[0].url, "ids=" MINT_USDC "," MINT_WSOL));
    jupiter_free(j);
    fakesrv_stop(&s);
    free(f.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_real_and_docs), cmocka_unit_test(test_no_key_no_header),
        cmocka_unit_test(test_route_errors),        cmocka_unit_test(test_swap_real_full_tx),
        cmocka_unit_test(test_prices_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
