/* Tests of trade/exec_live.h through the production clients (Jupiter, RPC,
 * the ingest decoder) against two fake servers on loopback:
 *
 * - fake Jupiter: quotes in the shape of the real capture
 *   jupiter_quote_sol_usdc_100lamports_real.json, and swap answers made
 *   from the real jupiter_swap_response_real_full_tx.json with its
 *   swapTransaction replaced by an unsigned v0 transaction built here with
 *   tx.h, whose fee payer is the test key (the real one's fee payer is
 *   J5hkNQTV…, which we cannot sign for) and whose accounts and
 *   instructions follow the real Jupiter transaction (compute budget, ATA
 *   creates, wrap, route, unwrap, one address lookup table);
 * - fake RPC: the real recorded bodies (getLatestBlockhash,
 *   simulateTransaction, sendTransaction, getSignatureStatuses) with the
 *   signature it received, and for getTransaction the real pump.fun AMM buy
 *   rpc_getTransaction_json_v0_with_alt_agavesim_3.json with its fee payer
 *   and signature replaced by ours (the sell is its mirror image,
 *   tests/fixtures/derived/). On sendTransaction it decodes the
 *   transaction and verifies the fee payer's Ed25519 signature over the
 *   message bytes with libsodium directly.
 *
 * Then: a whole buy and sell, RPC failover, expiry followed by a fresh
 * quote, caps, arming, bad keypair files, and a search of the debug log
 * and of every request body for the secret key in hex, base58 and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "solana/base58.h"
#include "solana/keypair.h"
#include "solana/tx.h"
#include "trade/exec_live.h"

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#define MINT_PUMP  "8k1DvnFBsbuWJw2t4JqTibR7cAgqadMveqiykMr1pump"
#define REAL_PAYER "G2341KGbNxuSAfCfqNuPhfLQtPB94hPfgyVPC89Faor4"
#define REAL_SIG                                                                                   \
    "2zNeSn8cJpTAW51NR8ZUHEXc5wVwerumVEk4iJFyAYdTHMjy49wumkZvWLkaeB8CD5YmjuJ3AjcbrBYBzAVKdEdD"
#define BUY_LAMPORTS  3882999ull    /* what the real buy spent */
#define BUY_TOKENS    4374143343ull /* what it received */
#define SELL_LAMPORTS 3957701ull    /* what the mirrored sell receives */

static uint8_t g_seed[32];
static uint8_t g_secret[64]; /* seed || public key: what must never leak */
static struct pubkey g_pub;
static char g_pub58[BASE58_KEY_MAX];

/* ---- the unsigned swap transaction ---------------------------------------- */

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Builds an unsigned v0 Jupiter-like swap: keys [me, wsol ata, token ata,
 * System, ComputeBudget, JUP6, Token, ATA, token mint, wSOL mint], 8
 * instructions, one lookup table. Returns the wire length. */
static size_t build_swap_tx(const struct pubkey *payer, bool buy, uint64_t in_amount,
                            uint64_t quoted_out, uint16_t slip, const char *extra_program,
                            int nonce, uint8_t *wire, size_t cap)
{
    static uint8_t keys[11 * 32];
    static uint8_t sig0[64];
    static uint8_t bh[32], table[32];
    static uint8_t cb1[5] = {2, 0x31, 0xdf, 6, 0}, cb2[9] = {3, 0x7e, 0xe1, 1, 0, 0, 0, 0, 0};
    static uint8_t ata_create[1] = {1}, sync[1] = {17}, close_[1] = {9}, transfer[12];
    static uint8_t route[8 + 4 + 4 + 19];
    static uint8_t a_ata_w[6] = {0, 1, 0, 9, 3, 6}, a_ata_t[6] = {0, 2, 0, 8, 3, 6};
    static uint8_t a_xfer[2] = {0, 1}, a_sync[1] = {1}, a_close[3] = {1, 0, 0};
    static uint8_t a_route[9] = {6, 0, 1, 2, 5, 8, 9, 11, 12};
    static uint8_t lk_w[2] = {3, 7}, lk_r[1] = {4};
    const char *fixed[] = {"11111111111111111111111111111111",
                           "ComputeBudget111111111111111111111111111111",
                           "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4",
                           "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
                           "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL",
                           MINT_PUMP,
                           MINT_WSOL};
    struct pubkey k;
    memcpy(keys, payer->b, 32);
    memset(keys + 32, 0x41, 32); /* our wSOL account */
    memset(keys + 64, 0x42, 32); /* our token account */
    for (int i = 0; i < 7; i++) {
        pubkey_parse(fixed[i], &k);
        memcpy(keys + 32 * (3 + i), k.b, 32);
    }
    int n_keys = 10;
    if (extra_program) {
        pubkey_parse(extra_program, &k);
        memcpy(keys + 32 * 10, k.b, 32);
        n_keys = 11;
    }
    memset(bh, 0x77, 32);
    bh[0] = (uint8_t)nonce; /* each swap answer has a fresh blockhash */
    memset(table, 0x55, 32);
    memset(transfer, 0, sizeof transfer);
    transfer[0] = 2;
    put_u64(transfer + 4, buy ? in_amount : 0);
    /* route: discriminator, a 1-step plan, in, quoted out, slippage, fee */
    static const uint8_t disc[8] = {0xe5, 0x17, 0xcb, 0x97, 0x7a, 0xe3, 0xad, 0x2a};
    memcpy(route, disc, 8);
    route[8] = 1;     /* plan length (u32 LE) */
    route[12] = 0x39; /* swap kind */
    route[13] = 100;  /* percent */
    route[14] = 0;    /* input index */
    route[15] = 1;    /* output index */
    put_u64(route + 16, in_amount);
    put_u64(route + 24, quoted_out);
    route[32] = (uint8_t)(slip & 0xff);
    route[33] = (uint8_t)(slip >> 8);
    route[34] = 0;

    struct tx *t = calloc(1, sizeof *t);
    t->n_sigs = 1;
    t->sigs = sig0;
    t->version = TX_V0;
    t->n_required = 1;
    t->n_readonly_signed = 0;
    t->n_readonly_unsigned = (uint8_t)(n_keys - 3);
    t->n_keys = (uint16_t)n_keys;
    t->keys = keys;
    t->blockhash = bh;
    struct tx_instr ins[9] = {
        {4, 0, sizeof cb1, NULL, cb1},
        {4, 0, sizeof cb2, NULL, cb2},
        {7, 6, 1, a_ata_w, ata_create},
        {3, 2, 12, a_xfer, transfer},
        {6, 1, 1, a_sync, sync},
        {7, 6, 1, a_ata_t, ata_create},
        {5, 9, sizeof route, a_route, route},
        {6, 3, 1, a_close, close_},
        {10, 0, 0, NULL, NULL},
    };
    t->n_instrs = extra_program ? 9 : 8;
    memcpy(t->instrs, ins, sizeof ins);
    t->n_lookups = 1;
    t->lookups[0] = (struct tx_lookup){table, 2, 1, lk_w, lk_r};
    t->n_looked_up = 3;
    size_t len = 0;
    assert_int_equal(tx_encode(t, wire, cap, &len), 0);
    free(t);
    struct tx check;
    assert_int_equal(tx_decode(wire, len, &check), 0);
    return len;
}

/* ---- fakes ------------------------------------------------------------------ */

struct world {
    pthread_mutex_t mu;
    /* Jupiter */
    bool buy_next; /* which swap the next /swap builds */
    uint64_t quote_in, quote_out;
    uint16_t slip;
    uint64_t lvbh_first, lvbh_later; /* per swap request number */
    int n_swaps;
    const char *extra_program;
    char *swap_fixture;
    size_t swap_fixture_len;
    struct buf jup_body;
    /* RPC */
    char *fx_blockhash, *fx_sim, *fx_send, *fx_statuses, *fx_buy, *fx_sell;
    size_t l_blockhash, l_sim, l_send, l_statuses, l_buy, l_sell;
    int n_sent;
    int bad_sigs;
    int unconfirmed_first; /* statuses of the first sent tx say null */
    char last_sig[BASE58_SIG_MAX];
    struct buf rpc_body;
};

static struct world W;

static char *replace_all(const char *s, const char *from, const char *to)
{
    struct buf b;
    buf_init(&b, 0);
    size_t fl = strlen(from);
    for (const char *p = s;;) {
        const char *hit = strstr(p, from);
        if (!hit) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(hit - p));
        buf_puts(&b, to);
        p = hit + fl;
    }
    size_t n;
    return buf_detach(&b, &n);
}

static void answer(struct buf *b, struct fake_resp *resp, const char *text)
{
    buf_reset(b);
    buf_puts(b, text);
    resp->status = 200;
    resp->body = b->data;
    resp->body_len = b->len;
}

static void jup_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    pthread_mutex_lock(&W.mu);
    char tmp[2048];
    if (strstr(req->url, "/swap/v1/quote")) {
        /* The real capture's keys and shape, our mints and amounts. */
        bool buy = strstr(req->url, "inputMint=" MINT_WSOL) != NULL;
        uint64_t thr = W.quote_out / 10000 * (10000u - W.slip) +
                       W.quote_out % 10000 * (10000u - W.slip) / 10000;
        snprintf(tmp, sizeof tmp,
                 "{\"inputMint\":\"%s\",\"inAmount\":\"%llu\",\"outputMint\":\"%s\","
                 "\"outAmount\":\"%llu\",\"otherAmountThreshold\":\"%llu\",\"swapMode\":"
                 "\"ExactIn\",\"slippageBps\":%u,\"platformFee\":null,\"priceImpactPct\":\"0\","
                 "\"routePlan\":[{\"swapInfo\":{\"ammKey\":"
                 "\"BQR6JJFyMWxnUERqbCRCCy1ietW2yq8RTKDx9odzruha\",\"label\":\"Pump.fun Amm\","
                 "\"inputMint\":\"%s\",\"outputMint\":\"%s\",\"inAmount\":\"%llu\",\"outAmount\":"
                 "\"%llu\",\"feeAmount\":\"0\",\"feeMint\":\"%s\"},\"percent\":100}],"
                 "\"scoreReport\":null,\"contextSlot\":322287008,\"timeTaken\":0.000851243,"
                 "\"swapUsdValue\":\"0.5\",\"simplerRouteUsed\":false}",
                 buy ? MINT_WSOL : MINT_PUMP, (unsigned long long)W.quote_in,
                 buy ? MINT_PUMP : MINT_WSOL, (unsigned long long)W.quote_out,
                 (unsigned long long)thr, W.slip, buy ? MINT_WSOL : MINT_PUMP,
                 buy ? MINT_PUMP : MINT_WSOL, (unsigned long long)W.quote_in,
                 (unsigned long long)W.quote_out, buy ? MINT_PUMP : MINT_WSOL);
        W.buy_next = buy;
        answer(&W.jup_body, resp, tmp);
    } else if (strstr(req->url, "/swap/v1/swap")) {
        uint8_t wire[TX_MAX_SIZE];
        size_t len = build_swap_tx(&g_pub, W.buy_next, W.quote_in, W.quote_out, W.slip,
                                   W.extra_program, W.n_swaps, wire, sizeof wire);
        char b64[2048], lv[32];
        base64_encode(wire, len, b64, sizeof b64);
        uint64_t lvbh = W.n_swaps++ == 0 ? W.lvbh_first : W.lvbh_later;
        snprintf(lv, sizeof lv, "%llu", (unsigned long long)lvbh);
        /* The real answer with our transaction and block height. */
        const char *start = strstr(W.swap_fixture, "\"swapTransaction\": \"") + 20;
        const char *end = strchr(start, '"');
        struct buf b;
        buf_init(&b, 0);
        buf_append(&b, W.swap_fixture, (size_t)(start - W.swap_fixture));
        buf_puts(&b, b64);
        buf_puts(&b, end);
        char *t1 = replace_all(b.data, "301043236", lv);
        answer(&W.jup_body, resp, t1);
        free(t1);
        buf_release(&b);
    } else {
        resp->status = 404;
    }
    pthread_mutex_unlock(&W.mu);
}

/* Verifies the fee payer's signature of the transaction in a
 * sendTransaction body with libsodium. Writes the base58 id into sig. */
static bool verify_sent(const struct fake_req *req, char sig[BASE58_SIG_MAX])
{
    struct json_doc *doc = json_doc_new(0);
    struct json_val root, params, p0;
    const char *b64 = NULL;
    size_t n = 0, len = 0;
    bool ok = false;
    uint8_t wire[TX_MAX_SIZE + 8];
    struct tx *t = malloc(sizeof *t);
    if (json_parse(doc, req->body, req->body_len, 0, &root) == 0 &&
        json_get(&root, "params", &params) == 0 && json_index(&params, 0, &p0) == 0 &&
        json_str(&p0, &b64, &n) == 0 && base64_decode(b64, n, wire, sizeof wire, &len) == 0 &&
        tx_decode(wire, len, t) == 0 && t->n_sigs == 1 && memcmp(tx_key(t, 0), g_pub.b, 32) == 0) {
        ok = crypto_sign_verify_detached(t->sigs, t->msg, t->msg_len, g_pub.b) == 0;
        base58_encode(t->sigs, 64, sig, BASE58_SIG_MAX);
    }
    free(t);
    json_doc_free(doc);
    return ok;
}

static void rpc_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    pthread_mutex_lock(&W.mu);
    const char *b = req->body;
    if (strstr(b, "\"getLatestBlockhash\"")) {
        answer(&W.rpc_body, resp, W.fx_blockhash);
    } else if (strstr(b, "\"simulateTransaction\"")) {
        answer(&W.rpc_body, resp, W.fx_sim);
    } else if (strstr(b, "\"sendTransaction\"")) {
        char sig[BASE58_SIG_MAX] = "";
        if (!verify_sent(req, sig)) {
            W.bad_sigs++;
            answer(&W.rpc_body, resp,
                   "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32003,\"message\":\"Transaction "
                   "signature verification failure\"},\"id\":1}");
        } else {
            W.n_sent++;
            snprintf(W.last_sig, sizeof W.last_sig, "%s", sig);
            char *t =
                replace_all(W.fx_send,
                            "2id3YC2jK9G5Wo2phDx4gJVAew8DcY5NAojnVuao8rkxwPYPe8cSwE5GzhEgJA2y8f"
                            "VjDEo6iR6ykBvDxrTQrtpb",
                            sig);
            answer(&W.rpc_body, resp, t);
            free(t);
        }
    } else if (strstr(b, "\"getSignatureStatuses\"")) {
        if (W.unconfirmed_first == 2 || (W.unconfirmed_first && W.n_sent == 1)) {
            answer(&W.rpc_body, resp,
                   "{\"jsonrpc\":\"2.0\",\"result\":{\"context\":{\"slot\":82},\"value\":[null]},"
                   "\"id\":1}");
        } else {
            char *t = replace_all(W.fx_statuses, "\"finalized\"", "\"confirmed\"");
            answer(&W.rpc_body, resp, t);
            free(t);
        }
    } else if (strstr(b, "\"getTransaction\"")) {
        const char *fx = W.buy_next ? W.fx_buy : W.fx_sell;
        char *t1 = replace_all(fx, REAL_PAYER, g_pub58);
        char *t2 = replace_all(t1, REAL_SIG, W.last_sig);
        answer(&W.rpc_body, resp, t2);
        free(t1);
        free(t2);
    } else {
        resp->status = 400;
        resp->body = "{}";
        resp->body_len = 2;
    }
    pthread_mutex_unlock(&W.mu);
}

/* ---- the sink ---------------------------------------------------------------- */

struct sink {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fill_event got[16];
    int n;
};

static void sink_emit(void *ctx, const struct event *e)
{
    struct sink *s = ctx;
    assert_int_equal(e->kind, EVENT_FILL);
    pthread_mutex_lock(&s->mu);
    if (s->n < 16)
        s->got[s->n] = e->u.fill;
    s->n++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void sink_wait(struct sink *s, int n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 20;
    pthread_mutex_lock(&s->mu);
    while (s->n < n)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) != 0)
            break;
    int got = s->n;
    pthread_mutex_unlock(&s->mu);
    assert_int_equal(got, n);
}

/* ---- set-up -------------------------------------------------------------------- */

static struct fakesrv g_jup, g_rpc;
static struct clock g_clock;

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 32; i++)
        g_seed[i] = (uint8_t)(0xA0 + i * 7);
    struct keypair *kp;
    assert_int_equal(keypair_from_seed(g_seed, &kp), 0);
    keypair_pubkey(kp, &g_pub);
    keypair_free(kp);
    memcpy(g_secret, g_seed, 32);
    memcpy(g_secret + 32, g_pub.b, 32);
    pubkey_format(&g_pub, g_pub58);
    memset(&W, 0, sizeof W);
    pthread_mutex_init(&W.mu, NULL);
    buf_init(&W.jup_body, 0);
    buf_init(&W.rpc_body, 0);
    W.swap_fixture =
        fixture_read("real/jupiter_swap_response_real_full_tx.json", &W.swap_fixture_len);
    W.fx_blockhash =
        fixture_read("real/rpc_getLatestBlockhash_response_helius_example.json", &W.l_blockhash);
    W.fx_sim = fixture_read("real/rpc_simulateTransaction_response_docs.json", &W.l_sim);
    W.fx_send = fixture_read("real/rpc_sendTransaction_response_helius_example.json", &W.l_send);
    char *st = fixture_read("real/rpc_getSignatureStatuses_response_docs.json", &W.l_statuses);
    /* One signature asked, one status: drop the fixture's second (null) entry. */
    char *comma_null = strstr(st, "},\n      null");
    assert_non_null(comma_null);
    memmove(comma_null + 1, comma_null + strlen("},\n      null"),
            strlen(comma_null + strlen("},\n      null")) + 1);
    W.fx_statuses = st;
    W.fx_buy = fixture_read("real/rpc_getTransaction_json_v0_with_alt_agavesim_3.json", &W.l_buy);
    W.fx_sell =
        fixture_read("derived/rpc_getTransaction_sell_mirror_of_agavesim_3.json", &W.l_sell);
    assert_int_equal(fakesrv_start(&g_jup, jup_handler, NULL), 0);
    assert_int_equal(fakesrv_start(&g_rpc, rpc_handler, NULL), 0);
    clock_init_virtual(&g_clock, 1761670504000);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&g_jup);
    fakesrv_stop(&g_rpc);
    free(W.swap_fixture);
    free(W.fx_blockhash);
    free(W.fx_sim);
    free(W.fx_send);
    free(W.fx_statuses);
    free(W.fx_buy);
    free(W.fx_sell);
    buf_release(&W.jup_body);
    buf_release(&W.rpc_body);
    pthread_mutex_destroy(&W.mu);
    return 0;
}

static void world_reset(void)
{
    fakesrv_reset(&g_jup);
    fakesrv_reset(&g_rpc);
    pthread_mutex_lock(&W.mu);
    W.n_swaps = 0;
    W.n_sent = 0;
    W.bad_sigs = 0;
    W.unconfirmed_first = 0;
    W.lvbh_first = W.lvbh_later = 5000; /* the fixture's height is 3090 - 150 */
    W.slip = 300;
    W.extra_program = NULL;
    pthread_mutex_unlock(&W.mu);
}

static struct httpc_opts g_http;

static struct executor *start(struct sink *s, const char *const *urls, size_t n, uint64_t max_trade,
                              uint64_t max_daily)
{
    httpc_opts_default(&g_http);
    g_http.retries = 1;
    g_http.backoff_ms = 1;
    struct exec_live_opts o = {.rpc_urls = urls,
                               .n_rpc = n,
                               .jupiter_url = g_jup.url,
                               .jupiter_key = "jup-key-abcdef",
                               .max_trade_lamports = max_trade,
                               .max_daily_lamports = max_daily,
                               .slippage_bps = 300,
                               .priority_fee_max = 100000,
                               .retries = 2,
                               .simulate = true,
                               .skip_preflight = false,
                               .send_max_retries = 3,
                               .confirm_poll_ms = 1,
                               .max_polls = 50,
                               .clock = &g_clock,
                               .http = &g_http};
    struct keypair *kp;
    assert_int_equal(keypair_from_seed(g_seed, &kp), 0);
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    struct executor *x = NULL;
    char err[256];
    assert_int_equal(exec_live_new(&o, kp, (struct exec_sink){sink_emit, s}, &x, err, sizeof err),
                     0);
    assert_string_equal(x->ops->name, "live");
    return x;
}

static void stop(struct executor *x, struct sink *s)
{
    executor_free(x);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

static struct exec_order buy_order(uint64_t id, uint64_t lamports)
{
    struct exec_order o = {.id = id,
                           .side = SIDE_BUY,
                           .decimals = 6,
                           .sol_in = lamports,
                           .ref_price_sol = 8.877164499453396e-07,
                           .slippage_bps = 300};
    pubkey_parse(MINT_PUMP, &o.mint);
    return o;
}

static struct exec_order sell_order(uint64_t id)
{
    struct exec_order o = {.id = id,
                           .side = SIDE_SELL,
                           .decimals = 6,
                           .token_in = BUY_TOKENS,
                           .ref_price_sol = 9.0e-07,
                           .slippage_bps = 300};
    pubkey_parse(MINT_PUMP, &o.mint);
    return o;
}

static void set_quote(uint64_t in, uint64_t out)
{
    pthread_mutex_lock(&W.mu);
    W.quote_in = in;
    W.quote_out = out;
    pthread_mutex_unlock(&W.mu);
}

/* ---- tests ------------------------------------------------------------------------ */

static void hex_of(const uint8_t *p, size_t n, char *out, bool upper)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, upper ? "%02X" : "%02x", p[i]);
}

/* Fails when any form of the secret appears in text. */
static void assert_no_secret(const char *text, const char *where)
{
    char hex[129], HEX[129], seedhex[65], b58[BASE58_SIG_MAX], seed58[BASE58_KEY_MAX];
    char json[64 * 4 + 3], json_sp[64 * 5 + 3];
    hex_of(g_secret, 64, hex, false);
    hex_of(g_secret, 64, HEX, true);
    hex_of(g_seed, 32, seedhex, false);
    base58_encode(g_secret, 64, b58, sizeof b58);
    base58_encode(g_seed, 32, seed58, sizeof seed58);
    size_t a = 0, c = 0;
    a += (size_t)snprintf(json + a, sizeof json - a, "[");
    c += (size_t)snprintf(json_sp + c, sizeof json_sp - c, "[");
    for (int i = 0; i < 64; i++) {
        a += (size_t)snprintf(json + a, sizeof json - a, i ? ",%u" : "%u", g_secret[i]);
        c += (size_t)snprintf(json_sp + c, sizeof json_sp - c, i ? ", %u" : "%u", g_secret[i]);
    }
    /* The seed's first 16 values as a JSON fragment catch partial dumps. */
    char frag[128];
    size_t f = 0;
    for (int i = 0; i < 16; i++)
        f += (size_t)snprintf(frag + f, sizeof frag - f, i ? ",%u" : "%u", g_seed[i]);
    const char *forms[] = {hex, HEX, seedhex, b58, seed58, json, json_sp, frag};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strstr(text, forms[i]))
            fail_msg("secret key (form %zu) found in %s", i, where);
}

static void test_buy_then_sell_signed_and_no_leak(void **state)
{
    (void)state;
    world_reset();
    char logpath[] = "/tmp/wt_exec_live_log_XXXXXX";
    int fd = mkstemp(logpath);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(log_open(logpath, LOG_DEBUG), 0);

    struct sink s;
    const char *urls[] = {g_rpc.url};
    struct executor *x = start(&s, urls, 1, 10000000, 50000000);
    set_quote(BUY_LAMPORTS, BUY_TOKENS);
    struct exec_order b = buy_order(1, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b), 0);
    sink_wait(&s, 1);
    const struct fill_event *f = &s.got[0];
    if (f->status != FILL_FILLED)
        fail_msg("buy failed: %s", f->error);
    assert_int_equal(f->order_id, 1);
    assert_true(f->live);
    assert_int_equal(f->side, SIDE_BUY);
    assert_int_equal(f->token_amount, BUY_TOKENS);
    assert_int_equal(f->sol_amount, BUY_LAMPORTS);
    assert_int_equal(f->fee_lamports, 37351);
    assert_true(f->price_sol > 8.87e-7 && f->price_sol < 8.88e-7);
    char sig58[BASE58_SIG_MAX];
    base58_encode(f->sig.b, 64, sig58, sizeof sig58);
    assert_string_equal(sig58, W.last_sig);
    assert_int_equal(exec_live_spent_today(x), BUY_LAMPORTS);

    set_quote(BUY_TOKENS, SELL_LAMPORTS);
    struct exec_order sl = sell_order(2);
    assert_int_equal(executor_submit(x, &sl), 0);
    sink_wait(&s, 2);
    f = &s.got[1];
    if (f->status != FILL_FILLED)
        fail_msg("sell failed: %s", f->error);
    assert_int_equal(f->side, SIDE_SELL);
    assert_int_equal(f->token_amount, BUY_TOKENS);
    assert_int_equal(f->sol_amount, SELL_LAMPORTS);
    assert_int_equal(exec_live_spent_today(x), BUY_LAMPORTS); /* sells are not capped */
    stop(x, &s);

    /* Two transactions went out and the fake RPC verified both signatures. */
    assert_int_equal(W.n_sent, 2);
    assert_int_equal(W.bad_sigs, 0);
    /* The quote asked for what the order said; the swap for our key. */
    int nj = fakesrv_count(&g_jup);
    assert_int_equal(nj, 4);
    assert_non_null(strstr(g_jup.recorded[0].url, "amount=3882999"));
    assert_non_null(strstr(g_jup.recorded[0].url, "slippageBps=300"));
    assert_non_null(strstr(g_jup.recorded[1].body, g_pub58));
    assert_non_null(strstr(g_jup.recorded[1].body, "\"maxLamports\":100000"));
    assert_string_equal(g_jup.recorded[1].api_key, "jup-key-abcdef");
    /* RPC: simulate, send, statuses, getTransaction per trade. */
    bool saw_sim = false;
    for (int i = 0; i < fakesrv_count(&g_rpc) && i < FAKE_MAX_RECORDED; i++)
        saw_sim = saw_sim || strstr(g_rpc.recorded[i].body, "simulateTransaction");
    assert_true(saw_sim);

    /* Nothing secret anywhere: log file, request bodies, URLs. */
    log_close();
    struct buf logtext;
    buf_init(&logtext, 0);
    FILE *fp = fopen(logpath, "r");
    assert_non_null(fp);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&logtext, chunk, n);
    fclose(fp);
    assert_non_null(strstr(logtext.data, "confirmed")); /* the log did record the run */
    assert_null(strstr(logtext.data, "jup-key-abcdef"));
    assert_no_secret(logtext.data, "the debug log");
    buf_release(&logtext);
    unlink(logpath);
    for (int i = 0; i < fakesrv_count(&g_rpc) && i < FAKE_MAX_RECORDED; i++) {
        assert_no_secret(g_rpc.recorded[i].body, "an RPC request body");
        assert_no_secret(g_rpc.recorded[i].url, "an RPC URL");
    }
    for (int i = 0; i < fakesrv_count(&g_jup) && i < FAKE_MAX_RECORDED; i++) {
        assert_no_secret(g_jup.recorded[i].body, "a Jupiter request body");
        assert_no_secret(g_jup.recorded[i].url, "a Jupiter URL");
    }
}

static void test_failover_first_rpc_down(void **state)
{
    (void)state;
    world_reset();
    char dead[64];
    fake_refused_url(dead, sizeof dead);
    const char *urls[] = {dead, g_rpc.url};
    struct sink s;
    struct executor *x = start(&s, urls, 2, 10000000, 50000000);
    set_quote(BUY_LAMPORTS, BUY_TOKENS);
    struct exec_order b = buy_order(7, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b), 0);
    sink_wait(&s, 1);
    if (s.got[0].status != FILL_FILLED)
        fail_msg("buy failed: %s", s.got[0].error);
    assert_int_equal(W.n_sent, 1);
    stop(x, &s);
}

static void test_expiry_then_fresh_quote(void **state)
{
    (void)state;
    world_reset();
    pthread_mutex_lock(&W.mu);
    W.unconfirmed_first = 1;
    W.lvbh_first = 100; /* long past: current height is 3090 - 150 */
    pthread_mutex_unlock(&W.mu);
    const char *urls[] = {g_rpc.url};
    struct sink s;
    struct executor *x = start(&s, urls, 1, 10000000, 50000000);
    set_quote(BUY_LAMPORTS, BUY_TOKENS);
    struct exec_order b = buy_order(9, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b), 0);
    sink_wait(&s, 1);
    if (s.got[0].status != FILL_FILLED)
        fail_msg("buy failed: %s", s.got[0].error);
    assert_int_equal(W.n_sent, 2);
    assert_int_equal(W.n_swaps, 2);
    /* Two quotes: the retry asked Jupiter again. */
    int quotes = 0;
    for (int i = 0; i < fakesrv_count(&g_jup); i++)
        quotes += strstr(g_jup.recorded[i].url, "/swap/v1/quote") != NULL;
    assert_int_equal(quotes, 2);
    stop(x, &s);

    /* Every attempt expires: a FAILED fill with the reason, after 1 + retries. */
    world_reset();
    pthread_mutex_lock(&W.mu);
    W.unconfirmed_first = 2; /* never confirms */
    W.lvbh_first = W.lvbh_later = 100;
    pthread_mutex_unlock(&W.mu);
    x = start(&s, urls, 1, 10000000, 50000000);
    assert_int_equal(executor_submit(x, &b), 0);
    sink_wait(&s, 1);
    assert_int_equal(s.got[0].status, FILL_FAILED);
    assert_non_null(strstr(s.got[0].error, "expired"));
    assert_int_equal(W.n_swaps, 3);
    stop(x, &s);
}

static void test_caps_and_checks(void **state)
{
    (void)state;
    world_reset();
    const char *urls[] = {g_rpc.url};
    struct sink s;
    /* 0.005 SOL per trade, 0.006 per day. */
    struct executor *x = start(&s, urls, 1, 5000000, 6000000);
    set_quote(BUY_LAMPORTS, BUY_TOKENS);
    struct exec_order big = buy_order(1, 5000001);
    assert_int_equal(executor_submit(x, &big), 0);
    sink_wait(&s, 1);
    assert_int_equal(s.got[0].status, FILL_FAILED);
    assert_non_null(strstr(s.got[0].error, "per-trade cap"));
    assert_int_equal(fakesrv_count(&g_jup), 0); /* refused before any request */

    struct exec_order b = buy_order(2, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b), 0);
    sink_wait(&s, 2);
    assert_int_equal(s.got[1].status, FILL_FILLED);
    struct exec_order b2 = buy_order(3, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b2), 0);
    sink_wait(&s, 3);
    assert_int_equal(s.got[2].status, FILL_FAILED);
    assert_non_null(strstr(s.got[2].error, "daily cap"));
    /* A new UTC day resets the counter. */
    clock_advance_ms(&g_clock, 86400000);
    struct exec_order b3 = buy_order(4, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b3), 0);
    sink_wait(&s, 4);
    assert_int_equal(s.got[3].status, FILL_FILLED);

    /* A quote far below the engine's price is a slippage failure. */
    set_quote(BUY_LAMPORTS, BUY_TOKENS / 2);
    clock_advance_ms(&g_clock, 86400000);
    int sent = W.n_sent;
    struct exec_order b4 = buy_order(5, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b4), 0);
    sink_wait(&s, 5);
    assert_int_equal(s.got[4].status, FILL_FAILED);
    assert_non_null(strstr(s.got[4].error, "quote"));
    assert_int_equal(W.n_sent, sent);

    /* A transaction calling a program we did not ask for is never signed. */
    set_quote(BUY_LAMPORTS, BUY_TOKENS);
    pthread_mutex_lock(&W.mu);
    W.extra_program = "DeadbeefDeadbeefDeadbeefDeadbeefDeadbeef111";
    pthread_mutex_unlock(&W.mu);
    struct exec_order b5 = buy_order(6, BUY_LAMPORTS);
    assert_int_equal(executor_submit(x, &b5), 0);
    sink_wait(&s, 6);
    assert_int_equal(s.got[5].status, FILL_FAILED);
    assert_non_null(strstr(s.got[5].error, "unexpected program"));
    assert_int_equal(W.n_sent, sent);
    stop(x, &s);
}

static void test_stop_fails_queued_orders(void **state)
{
    (void)state;
    world_reset();
    const char *urls[] = {g_rpc.url};
    struct sink s;
    struct executor *x = start(&s, urls, 1, 1, 1); /* every buy is over the cap */
    for (uint64_t i = 1; i <= 50; i++) {
        struct exec_order b = buy_order(i, BUY_LAMPORTS);
        assert_int_equal(executor_submit(x, &b), 0);
    }
    executor_free(x);
    /* Exactly one fill per order, processed or failed at stop. */
    assert_int_equal(s.n, 50);
    for (int i = 0; i < 16; i++)
        assert_int_equal(s.got[i].status, FILL_FAILED);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
}

/* ---- arming and keypair files --------------------------------------------------------- */

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    chmod(path, mode);
}

static void test_arming_and_keypair_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_exec_live_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], json[512];
    snprintf(path, sizeof path, "%s/id.json", dir);
    size_t a = 0;
    a += (size_t)snprintf(json + a, sizeof json - a, "[");
    for (int i = 0; i < 64; i++)
        a += (size_t)snprintf(json + a, sizeof json - a, i ? ",%u" : "%u", g_secret[i]);
    snprintf(json + a, sizeof json - a, "]");
    write_file(path, json, 0600);
    unsetenv(EXEC_LIVE_KEY_ENV);

    struct config cfg;
    config_init(&cfg);
    char why[256];
    /* Unarmed, one missing condition at a time. */
    assert_int_equal(exec_live_arm_validate(&cfg, false, why, sizeof why), WT_ESTATE);
    assert_non_null(strstr(why, "--live"));
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), WT_ESTATE);
    assert_non_null(strstr(why, "live.enabled"));
    assert_int_equal(config_set(&cfg, "live.enabled", "true", CONFIG_SRC_CLI), 0);
    /* rpc.urls has no default: live trading names its endpoints. */
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), WT_ESTATE);
    assert_non_null(strstr(why, "rpc.urls is empty"));
    assert_int_equal(config_set(&cfg, "rpc.urls", "http://127.0.0.1:9", CONFIG_SRC_ENV), 0);
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), WT_ENOTFOUND);
    assert_non_null(strstr(why, "no keypair"));
    assert_int_equal(config_set(&cfg, "live.keypair_path", path, CONFIG_SRC_ENV), 0);
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), 0);
    assert_int_equal(config_set(&cfg, "live.max_trade_sol", "0", CONFIG_SRC_CLI), 0);
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), WT_ESTATE);
    assert_non_null(strstr(why, "max_trade_sol"));
    assert_int_equal(config_set(&cfg, "live.max_trade_sol", "0.1", CONFIG_SRC_CLI), 0);

    /* Bad files: too open, mismatched public half, short, missing. */
    chmod(path, 0644);
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), WT_EAUTH);
    assert_non_null(strstr(why, "live.keypair_path"));
    assert_no_secret(why, "the arming reason");
    uint8_t bad[64];
    memcpy(bad, g_secret, 64);
    bad[40] ^= 1;
    a = 0;
    a += (size_t)snprintf(json + a, sizeof json - a, "[");
    for (int i = 0; i < 64; i++)
        a += (size_t)snprintf(json + a, sizeof json - a, i ? ",%u" : "%u", bad[i]);
    snprintf(json + a, sizeof json - a, "]");
    write_file(path, json, 0600);
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), WT_ECRYPTO);
    assert_no_secret(why, "the arming reason");
    write_file(path, "[1,2,3]", 0600);
    assert_int_not_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), 0);
    unlink(path);
    assert_int_not_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), 0);

    /* The key itself from the environment when no path is set. */
    assert_int_equal(config_set(&cfg, "live.keypair_path", "", CONFIG_SRC_ENV), 0);
    char b58[BASE58_SIG_MAX];
    base58_encode(g_secret, 64, b58, sizeof b58);
    setenv(EXEC_LIVE_KEY_ENV, b58, 1);
    struct keypair *kp = NULL;
    assert_int_equal(exec_live_load_keypair(&cfg, &kp, why, sizeof why), 0);
    struct pubkey pk;
    keypair_pubkey(kp, &pk);
    assert_true(pubkey_eq(&pk, &g_pub));
    keypair_free(kp);
    assert_int_equal(exec_live_arm_validate(&cfg, true, why, sizeof why), 0);
    unsetenv(EXEC_LIVE_KEY_ENV);
    config_release(&cfg);
    rmdir(dir);

    /* URL lists. */
    struct exec_live_urls u;
    assert_int_equal(exec_live_urls_parse(" http://a , ,http://b,", &u), 0);
    assert_int_equal(u.n, 2);
    assert_string_equal(u.v[0], "http://a");
    assert_string_equal(u.v[1], "http://b");
    exec_live_urls_release(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buy_then_sell_signed_and_no_leak),
        cmocka_unit_test(test_failover_first_rpc_down),
        cmocka_unit_test(test_expiry_then_fresh_quote),
        cmocka_unit_test(test_caps_and_checks),
        cmocka_unit_test(test_stop_fails_queued_orders),
        cmocka_unit_test(test_arming_and_keypair_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
