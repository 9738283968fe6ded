/* Tests of solana/rpc.h through the production client code against a real
 * HTTP server on 127.0.0.1 that answers with the real recorded bodies in
 * tests/fixtures/real/rpc_*.json (error bodies included), checks what the
 * client sent, and a failover test where the first endpoint refuses
 * connections or answers 500. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/json.h"
#include "base/vec.h"
#include "solana/rpc.h"
#include "solana/tx.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

/* Fixture bodies, read once. */
static struct {
    const char *name;
    char *body;
    size_t len;
} fx[] = {
    {"real/rpc_getLatestBlockhash_response_helius_example.json", NULL, 0},
    {"real/rpc_getTokenAccountsByOwner_jsonParsed_response_docs.json", NULL, 0},
    {"real/rpc_simulateTransaction_response_docs.json", NULL, 0},
    {"real/rpc_sendTransaction_response_helius_example.json", NULL, 0},
    {"real/rpc_getSignatureStatuses_response_docs.json", NULL, 0},
    {"real/rpc_getSignaturesForAddress_response_docs.json", NULL, 0},
    {"real/rpc_getTransaction_json_v0_agavesim_1.json", NULL, 0},
    {"real/rpc_error_preflight_blockhash_not_found.json", NULL, 0},
    {"real/rpc_error_preflight_instruction_error_jupiter.json", NULL, 0},
    {"real/rpc_error_invalid_params_helius_example.json", NULL, 0},
    {"real/rpc_getTransaction_json_v0_with_alt_agavesim_3.json", NULL, 0},
};
enum {
    F_BLOCKHASH,
    F_TOKENS,
    F_SIMULATE,
    F_SEND,
    F_STATUSES,
    F_SIGS,
    F_GETTX,
    F_ERR_BLOCKHASH,
    F_ERR_INSTR,
    F_ERR_PARAMS,
    F_GETTX_ALT,
};

/* The fake node's behaviour for sendTransaction / getTransaction. */
struct node {
    int send_fixture; /* F_SEND or an error fixture */
    unsigned send_status;
    bool tx_missing;
    bool garbage;
};

/* getBalance has no recorded body in the fixture set; this is the shape of
 * the Solana RPC documentation's example. */
static const char BALANCE_BODY[] =
    "{\"jsonrpc\":\"2.0\",\"result\":{\"context\":{\"slot\":1},\"value\":18446744073709551615},"
    "\"id\":1}";
static const char EMPTY_TOKENS_BODY[] =
    "{\"jsonrpc\":\"2.0\",\"result\":{\"context\":{\"slot\":5},\"value\":[]},\"id\":1}";
static const char NULL_RESULT_BODY[] = "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}";

static void node_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    struct node *n = s->ud;
    resp->status = 200;
    if (n->garbage) {
        resp->body = "<html>oops</html>";
        resp->body_len = strlen(resp->body);
        return;
    }
    struct json_doc *d = json_doc_new(0);
    struct json_val root;
    const char *method = "";
    if (json_parse(d, req->body, req->body_len, 0, &root) != 0 ||
        json_get_str(&root, "method", &method, NULL) != 0) {
        resp->status = 400;
        resp->body = "bad request";
        resp->body_len = 11;
        json_doc_free(d);
        return;
    }
    int f = -1;
    if (strcmp(method, "getBalance") == 0) {
        resp->body = BALANCE_BODY;
        resp->body_len = strlen(BALANCE_BODY);
    } else if (strcmp(method, "getTokenAccountsByOwner") == 0) {
        if (strstr(req->body, TOKEN_2022_PROGRAM_ID)) {
            resp->body = EMPTY_TOKENS_BODY;
            resp->body_len = strlen(EMPTY_TOKENS_BODY);
        } else {
            f = F_TOKENS;
        }
    } else if (strcmp(method, "getLatestBlockhash") == 0) {
        f = F_BLOCKHASH;
    } else if (strcmp(method, "simulateTransaction") == 0) {
        f = F_SIMULATE;
    } else if (strcmp(method, "sendTransaction") == 0) {
        f = n->send_fixture;
        resp->status = n->send_status;
    } else if (strcmp(method, "getSignatureStatuses") == 0) {
        f = F_STATUSES;
    } else if (strcmp(method, "getSignaturesForAddress") == 0) {
        f = F_SIGS;
    } else if (strcmp(method, "getTransaction") == 0) {
        if (n->tx_missing) {
            resp->body = NULL_RESULT_BODY;
            resp->body_len = strlen(NULL_RESULT_BODY);
        } else {
            f = F_GETTX;
        }
    } else {
        f = F_ERR_PARAMS;
        resp->status = 400;
    }
    if (f >= 0) {
        resp->body = fx[f].body;
        resp->body_len = fx[f].len;
    }
    json_doc_free(d);
}

static struct fakesrv srv;
static struct node node;
static struct json_doc *doc;

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fx / sizeof *fx; i++)
        fx[i].body = fixture_read(fx[i].name, &fx[i].len);
    node.send_fixture = F_SEND;
    node.send_status = 200;
    doc = json_doc_new(0);
    return fakesrv_start(&srv, node_handler, &node);
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&srv);
    for (size_t i = 0; i < sizeof fx / sizeof *fx; i++)
        free(fx[i].body);
    json_doc_free(doc);
    return 0;
}

static struct rpc *client(void)
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.timeout_ms = 3000;
    o.backoff_ms = 10;
    const char *urls[] = {srv.url};
    fakesrv_reset(&srv);
    return rpc_new(urls, 1, &o);
}

/* Parses the last request the fake received; returns its params. */
static void last_params(struct json_val *root, struct json_val *params, const char *method)
{
    int n = fakesrv_count(&srv);
    assert_true(n > 0 && n <= FAKE_MAX_RECORDED);
    const struct fake_req *q = &srv.recorded[n - 1];
    assert_string_equal(q->content_type, "application/json");
    assert_int_equal(json_parse(doc, q->body, q->body_len, 0, root), 0);
    const char *s;
    assert_int_equal(json_get_str(root, "jsonrpc", &s, NULL), 0);
    assert_string_equal(s, "2.0");
    assert_int_equal(json_get_str(root, "method", &s, NULL), 0);
    assert_string_equal(s, method);
    uint64_t id;
    assert_int_equal(json_get_u64(root, "id", &id), 0);
    assert_int_equal(json_get(root, "params", params), 0);
}

static void expect_param_str(const struct json_val *params, size_t i, const char *want)
{
    struct json_val v;
    const char *s;
    assert_int_equal(json_index(params, i, &v), 0);
    assert_int_equal(json_str(&v, &s, NULL), 0);
    assert_string_equal(s, want);
}

static void test_balance_and_blockhash(void **state)
{
    (void)state;
    struct rpc *r = client();
    struct pubkey pk;
    assert_int_equal(pubkey_parse("4kg8oh3jdNtn7j2wcS7TrUua31AgbLzDVkBZgTAe44aF", &pk), 0);
    uint64_t lamports = 0, slot = 0;
    assert_int_equal(rpc_get_balance(r, &pk, RPC_CONFIRMED, &lamports, &slot), 0);
    assert_true(lamports == UINT64_MAX); /* exact, not via double */
    assert_int_equal(slot, 1);
    struct json_val root, params, cfg;
    last_params(&root, &params, "getBalance");
    expect_param_str(&params, 0, "4kg8oh3jdNtn7j2wcS7TrUua31AgbLzDVkBZgTAe44aF");
    assert_int_equal(json_index(&params, 1, &cfg), 0);
    const char *s;
    assert_int_equal(json_get_str(&cfg, "commitment", &s, NULL), 0);
    assert_string_equal(s, "confirmed");

    /* The recorded answer has the id as a string "1". */
    uint8_t hash[32], want[32];
    uint64_t lvbh = 0;
    assert_int_equal(rpc_get_latest_blockhash(r, RPC_FINALIZED, hash, &lvbh, &slot), 0);
    assert_int_equal(base58_decode("EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N", 44, want, 32),
                     0);
    assert_memory_equal(hash, want, 32);
    assert_int_equal(lvbh, 3090);
    assert_int_equal(slot, 2792);
    last_params(&root, &params, "getLatestBlockhash");
    rpc_free(r);
}

static void test_token_accounts_both_programs(void **state)
{
    (void)state;
    struct rpc *r = client();
    struct pubkey owner;
    assert_int_equal(pubkey_parse("A1TMhSGzQxMr1TboBKtgixKz1sS6REASMxPo1qsyTSJd", &owner), 0);
    struct rpc_token_list list = {0};
    int before = fakesrv_count(&srv);
    assert_int_equal(rpc_get_token_accounts(r, &owner, NULL, RPC_CONFIRMED, &list), 0);
    assert_int_equal(fakesrv_count(&srv), before + 2);
    /* Both programs were asked, with jsonParsed. */
    const char *b1 = srv.recorded[before].body, *b2 = srv.recorded[before + 1].body;
    assert_non_null(strstr(b1, "\"programId\":\"" TOKEN_PROGRAM_ID "\""));
    assert_non_null(strstr(b2, "\"programId\":\"" TOKEN_2022_PROGRAM_ID "\""));
    assert_non_null(strstr(b1, "\"encoding\":\"jsonParsed\""));
    assert_int_equal(list.len, 1);
    const struct rpc_token_account *a = &list.v[0];
    char s[BASE58_KEY_MAX];
    assert_string_equal(pubkey_format(&a->address, s),
                        "BGocb4GEpbTFm8UFV2VsDSaBXHELPfAXrvd4vtt8QWrA");
    assert_string_equal(pubkey_format(&a->mint, s), "2cHr7QS3xfuSV8wdxo3ztuF4xbiarF6Nrgx3qpx3HzXR");
    assert_string_equal(pubkey_format(&a->owner, s),
                        "A1TMhSGzQxMr1TboBKtgixKz1sS6REASMxPo1qsyTSJd");
    assert_string_equal(pubkey_format(&a->program, s), TOKEN_PROGRAM_ID);
    assert_true(a->amount == 420000000000000ULL);
    assert_int_equal(a->decimals, 6);
    assert_int_equal(a->lamports, 2039280);
    assert_true(a->rent_epoch == UINT64_MAX);
    assert_false(a->is_native);
    assert_false(a->frozen);

    /* One program only. */
    list.len = 0;
    assert_int_equal(rpc_get_token_accounts(r, &owner, TOKEN_2022_PROGRAM_ID, RPC_CONFIRMED, &list),
                     0);
    assert_int_equal(list.len, 0);
    free(list.v);
    rpc_free(r);
}

static void signed_vector_wire(uint8_t *wire, size_t *len, char *b64, size_t b64size)
{
    size_t tlen;
    char *text = fixture_read("real/solana_wire_test_vectors.json", &tlen);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, t;
    const char *s;
    size_t n;
    assert_int_equal(json_parse(d, text, tlen, tlen + JSON_PADDING, &root), 0);
    assert_int_equal(json_get(&root, "transactions", &arr), 0);
    assert_int_equal(json_index(&arr, 0, &t), 0);
    assert_int_equal(json_get_str(&t, "wire_base64", &s, &n), 0);
    assert_true(n < b64size);
    snprintf(b64, b64size, "%s", s);
    assert_int_equal(base64_decode(s, n, wire, TX_MAX_SIZE, len), 0);
    json_doc_free(d);
    free(text);
}

static void test_simulate_and_send(void **state)
{
    (void)state;
    struct rpc *r = client();
    uint8_t wire[TX_MAX_SIZE];
    size_t len;
    char b64[2048];
    signed_vector_wire(wire, &len, b64, sizeof b64);

    struct rpc_sim_result sim;
    buf_init(&sim.logs, 0);
    assert_int_equal(rpc_simulate(r, wire, len, true, false, RPC_PROCESSED, &sim), 0);
    assert_false(sim.err.set);
    assert_true(sim.has_units);
    assert_int_equal(sim.units_consumed, 2366);
    assert_int_equal(sim.slot, 218);
    assert_non_null(strstr(sim.logs.data, "consumed 2366 of 1400000 compute units\n"));
    assert_non_null(
        strstr(sim.logs.data, "83astBRguLMdt2h5U1Tpdq5tjFoJ6noeGwaY3mDLVcri success\n"));
    buf_release(&sim.logs);
    struct json_val root, params, cfg;
    last_params(&root, &params, "simulateTransaction");
    expect_param_str(&params, 0, b64); /* the exact wire, as base64 */
    assert_int_equal(json_index(&params, 1, &cfg), 0);
    const char *s;
    bool b;
    assert_int_equal(json_get_str(&cfg, "encoding", &s, NULL), 0);
    assert_string_equal(s, "base64");
    assert_int_equal(json_get_bool(&cfg, "sigVerify", &b), 0);
    assert_true(b);

    struct rpc_send_opts so = {.skip_preflight = true, .max_retries = 0};
    char sig[BASE58_SIG_MAX];
    assert_int_equal(rpc_send_transaction(r, wire, len, &so, sig), 0);
    assert_string_equal(
        sig,
        "2id3YC2jK9G5Wo2phDx4gJVAew8DcY5NAojnVuao8rkxwPYPe8cSwE5GzhEgJA2y8fVjDEo6iR6ykBvDxrTQrtpb");
    last_params(&root, &params, "sendTransaction");
    expect_param_str(&params, 0, b64);
    assert_int_equal(json_index(&params, 1, &cfg), 0);
    uint64_t mr = 99;
    assert_int_equal(json_get_bool(&cfg, "skipPreflight", &b), 0);
    assert_true(b);
    assert_int_equal(json_get_u64(&cfg, "maxRetries", &mr), 0);
    assert_int_equal(mr, 0);
    assert_int_equal(json_get_str(&cfg, "encoding", &s, NULL), 0);
    assert_string_equal(s, "base64");
    /* max_retries < 0 leaves the field out. */
    so.max_retries = -1;
    assert_int_equal(rpc_send_transaction(r, wire, len, &so, sig), 0);
    last_params(&root, &params, "sendTransaction");
    assert_int_equal(json_index(&params, 1, &cfg), 0);
    assert_int_equal(json_opt_u64(&cfg, "maxRetries", &mr), WT_ENOTFOUND);

    /* Bad lengths are refused before any request. */
    int n = fakesrv_count(&srv);
    assert_int_equal(rpc_send_transaction(r, wire, 0, &so, sig), WT_EINVAL);
    assert_int_equal(rpc_send_transaction(r, wire, TX_MAX_SIZE + 1, &so, sig), WT_EINVAL);
    assert_int_equal(fakesrv_count(&srv), n);
    rpc_free(r);
}

static void test_error_bodies(void **state)
{
    (void)state;
    struct rpc *r = client();
    uint8_t wire[TX_MAX_SIZE];
    size_t len;
    char b64[2048], sig[BASE58_SIG_MAX] = "unchanged";
    signed_vector_wire(wire, &len, b64, sizeof b64);
    struct rpc_send_opts so = {.skip_preflight = false, .max_retries = 2};

    /* data.err is a string. */
    node.send_fixture = F_ERR_BLOCKHASH;
    assert_int_equal(rpc_send_transaction(r, wire, len, &so, sig), WT_EREMOTE);
    assert_string_equal(sig, "unchanged");
    const struct rpc_error *e = rpc_last_error(r);
    assert_int_equal(e->code, -32002);
    assert_string_equal(e->message, "Transaction simulation failed: Blockhash not found");
    assert_true(e->err.set);
    assert_string_equal(e->err.text, "BlockhashNotFound");
    assert_int_equal(e->err.instr_index, -1);
    assert_int_equal(e->logs.len, 0);
    assert_true(e->has_units);
    assert_int_equal(e->units_consumed, 0);

    /* data.err is {"InstructionError":[2,{"Custom":6022}]} with logs. */
    node.send_fixture = F_ERR_INSTR;
    assert_int_equal(rpc_send_transaction(r, wire, len, &so, sig), WT_EREMOTE);
    e = rpc_last_error(r);
    assert_int_equal(e->code, -32002);
    assert_non_null(strstr(e->message, "custom program error: 0x1786"));
    assert_true(e->err.set);
    assert_int_equal(e->err.instr_index, 2);
    assert_string_equal(e->err.instr_err, "Custom");
    assert_true(e->err.has_custom);
    assert_int_equal(e->err.custom, 6022);
    assert_string_equal(e->err.text, "{\"InstructionError\":[2,{\"Custom\":6022}]}");
    assert_non_null(strstr(e->logs.data, "JUP4Fb2cqiRUcaTHdrPC8h2gNsA2ETXiPDD33WcGuJB failed"));
    assert_int_equal(e->units_consumed, 20724);

    /* A plain JSON-RPC error with HTTP 400. */
    node.send_fixture = F_ERR_PARAMS;
    node.send_status = 400;
    assert_int_equal(rpc_send_transaction(r, wire, len, &so, sig), WT_EREMOTE);
    e = rpc_last_error(r);
    assert_int_equal(e->http_status, 400);
    assert_int_equal(e->code, -32602);
    assert_string_equal(e->message, "Invalid params");
    assert_false(e->err.set);

    /* A success after errors clears the last error. */
    node.send_fixture = F_SEND;
    node.send_status = 200;
    assert_int_equal(rpc_send_transaction(r, wire, len, &so, sig), 0);
    assert_int_equal(rpc_last_error(r)->code, 0);

    /* Not JSON at all. */
    node.garbage = true;
    uint8_t hash[32];
    uint64_t h;
    assert_int_equal(rpc_get_latest_blockhash(r, RPC_FINALIZED, hash, &h, NULL), WT_EPARSE);
    assert_non_null(strstr(rpc_last_error(r)->message, "invalid JSON-RPC response"));
    node.garbage = false;

    /* A result of the wrong shape: sendTransaction answered with an object. */
    rpc_free(r);
    r = client();
    node.send_fixture = F_TOKENS;
    assert_int_equal(rpc_send_transaction(r, wire, len, &so, sig), WT_ETYPE);
    assert_non_null(strstr(rpc_last_error(r)->message, "unexpected result"));
    node.send_fixture = F_SEND;
    rpc_free(r);
}

static void test_statuses_and_signatures(void **state)
{
    (void)state;
    struct rpc *r = client();
    const char *sigs[] = {
        "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW",
        "5j7s6NiJS3JAkvgkoc18WVAsiSaci2pxB2A6ueCJP4tprA2TFg9wSyTLeYouxPBJEMzJinENTkpA52YStRW5Dia7"};
    struct rpc_sig_status st[2];
    assert_int_equal(rpc_get_signature_statuses(r, sigs, 2, true, st), 0);
    assert_true(st[0].found);
    assert_int_equal(st[0].slot, 48);
    assert_false(st[0].has_confirmations);
    assert_false(st[0].err.set);
    assert_int_equal(st[0].status, RPC_CONF_FINALIZED);
    assert_false(st[1].found);
    struct json_val root, params, arr, cfg;
    last_params(&root, &params, "getSignatureStatuses");
    assert_int_equal(json_index(&params, 0, &arr), 0);
    expect_param_str(&arr, 1, sigs[1]);
    assert_int_equal(json_index(&params, 1, &cfg), 0);
    bool b = false;
    assert_int_equal(json_get_bool(&cfg, "searchTransactionHistory", &b), 0);
    assert_true(b);
    /* The node answered 2 statuses; asking for 1 is a mismatch. */
    assert_int_equal(rpc_get_signature_statuses(r, sigs, 1, false, st), WT_EPARSE);
    assert_int_equal(rpc_get_signature_statuses(r, sigs, 0, false, st), WT_EINVAL);

    struct pubkey addr;
    pubkey_parse("Vote111111111111111111111111111111111111111", &addr);
    struct rpc_sig_list list = {0};
    struct rpc_sigs_query q = {.limit = 1, .before = sigs[0]};
    assert_int_equal(rpc_get_signatures_for_address(r, &addr, &q, &list), 0);
    assert_int_equal(list.len, 1);
    assert_string_equal(
        list.v[0].signature,
        "5h6xBEauJ3PK6SWCZ1PGjBvj8vDdWG3KpwATGy1ARAXFSDwt8GFXM7W5Ncn16wmqokgpiKRLuS83KUxyZyv2sUYv");
    assert_int_equal(list.v[0].slot, 114);
    assert_false(list.v[0].has_block_time);
    assert_false(list.v[0].err.set);
    assert_int_equal(list.v[0].status, RPC_CONF_FINALIZED);
    last_params(&root, &params, "getSignaturesForAddress");
    expect_param_str(&params, 0, "Vote111111111111111111111111111111111111111");
    assert_int_equal(json_index(&params, 1, &cfg), 0);
    uint64_t limit;
    assert_int_equal(json_get_u64(&cfg, "limit", &limit), 0);
    assert_int_equal(limit, 1);
    const char *s;
    assert_int_equal(json_get_str(&cfg, "before", &s, NULL), 0);
    assert_string_equal(s, sigs[0]);
    free(list.v);
    rpc_free(r);
}

static void test_get_transaction_raw(void **state)
{
    (void)state;
    struct rpc *r = client();
    struct httpc_resp body;
    httpc_resp_init(&body);
    const char *sig =
        "5h6xBEauJ3PK6SWCZ1PGjBvj8vDdWG3KpwATGy1ARAXFSDwt8GFXM7W5Ncn16wmqokgpiKRLuS83KUxyZyv2sUYv";
    assert_int_equal(rpc_get_transaction(r, sig, RPC_CONFIRMED, &body), 0);
    /* The raw body, byte for byte, padded for an in-place parse. */
    assert_int_equal(body.body.len, fx[F_GETTX].len);
    assert_memory_equal(body.body.data, fx[F_GETTX].body, body.body.len);
    assert_true(body.body.cap >= body.body.len + JSON_PADDING);
    struct json_val root, res, meta, params, cfg;
    struct json_doc *d = json_doc_new(0);
    assert_int_equal(json_parse(d, body.body.data, body.body.len, body.body.cap, &root), 0);
    assert_int_equal(json_get(&root, "result", &res), 0);
    assert_int_equal(json_get(&res, "meta", &meta), 0);
    uint64_t fee;
    assert_int_equal(json_get_u64(&meta, "fee", &fee), 0);
    assert_int_equal(fee, 6500);
    json_doc_free(d);
    last_params(&root, &params, "getTransaction");
    expect_param_str(&params, 0, sig);
    assert_int_equal(json_index(&params, 1, &cfg), 0);
    const char *s;
    uint64_t v = 9;
    assert_int_equal(json_get_str(&cfg, "encoding", &s, NULL), 0);
    assert_string_equal(s, "json");
    assert_int_equal(json_get_u64(&cfg, "maxSupportedTransactionVersion", &v), 0);
    assert_int_equal(v, 0);

    node.tx_missing = true;
    assert_int_equal(rpc_get_transaction(r, sig, RPC_CONFIRMED, &body), WT_ENOTFOUND);
    node.tx_missing = false;
    httpc_resp_release(&body);
    rpc_free(r);
}

static void always_500(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    (void)req;
    resp->status = 500;
    resp->body =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"Internal\"},\"id\":1}";
    resp->body_len = strlen(resp->body);
}

static void test_failover(void **state)
{
    (void)state;
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.backoff_ms = 10;
    uint8_t hash[32];
    uint64_t h = 0, slot = 0;

    /* First endpoint refuses connections. */
    char refused[64];
    fake_refused_url(refused, sizeof refused);
    const char *u1[] = {refused, srv.url};
    struct rpc *r = rpc_new(u1, 2, &o);
    assert_int_equal(rpc_get_latest_blockhash(r, RPC_FINALIZED, hash, &h, &slot), 0);
    assert_int_equal(h, 3090);
    assert_false(httpc_endpoint_healthy(rpc_http(r), 0));
    assert_true(httpc_endpoint_healthy(rpc_http(r), 1));
    rpc_free(r);

    /* First endpoint answers 500. */
    struct fakesrv bad;
    assert_int_equal(fakesrv_start(&bad, always_500, NULL), 0);
    const char *u2[] = {bad.url, srv.url};
    r = rpc_new(u2, 2, &o);
    h = 0;
    assert_int_equal(rpc_get_latest_blockhash(r, RPC_FINALIZED, hash, &h, &slot), 0);
    assert_int_equal(h, 3090);
    assert_int_equal(fakesrv_count(&bad), 1);
    rpc_free(r);

    /* Only the failing endpoint: its JSON-RPC error comes through. */
    const char *u3[] = {bad.url};
    o.retries = 1;
    r = rpc_new(u3, 1, &o);
    assert_int_equal(rpc_get_latest_blockhash(r, RPC_FINALIZED, hash, &h, &slot), WT_EREMOTE);
    assert_int_equal(rpc_last_error(r)->code, -32603);
    assert_int_equal(rpc_last_error(r)->http_status, 500);
    assert_int_equal(fakesrv_count(&bad), 3);
    rpc_free(r);
    fakesrv_stop(&bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balance_and_blockhash),
        cmocka_unit_test(test_token_accounts_both_programs),
        cmocka_unit_test(test_simulate_and_send),
        cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_statuses_and_signatures),
        cmocka_unit_test(test_get_transaction_raw),
        cmocka_unit_test(test_failover),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
