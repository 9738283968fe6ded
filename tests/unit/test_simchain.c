/* Tests of the simulated chain (sim/chain.h) through the production
 * clients over real HTTP on loopback: Helius history paged back to a
 * token's creation (and the search-period error of a type filter followed
 * by the client), the parse endpoint, RPC getSignaturesForAddress paged
 * with before/until, getTransaction decoding to exactly the events of the
 * enhanced form, DexScreener pairs read by the DexScreener client, the
 * webhook endpoints driven by the webhook sync, answers shaped like the
 * recorded real bodies (key sets), request counting and injected faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fixture.c"
#include "../support/tmpstore.c"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "ingest/helius.h"
#include "ingest/helius_api.h"
#include "ingest/hooksync.h"
#include "intel/crawl.h"
#include "intel/discovery.h"
#include "intel/profile.h"
#include "market/dexscreener.h"
#include "sim/chain.h"
#include "solana/base58.h"
#include "solana/pubkey.h"
#include "solana/rpc.h"
#include "store/store.h"

static struct simchain *chain;
static char url[64];
static struct json_doc *truth_doc;
static struct json_val truth;
static struct buf truth_body;

static struct httpc_opts no_retry(void)
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.retries = 0;
    return o;
}

static int get(const char *path, struct buf *out)
{
    struct httpc_opts o = no_retry();
    const char *u = url;
    struct httpc *h = httpc_new(&u, 1, &o);
    struct httpc_req req = {.method = "GET", .path = path, .retries = -1};
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = httpc_do(h, &req, &resp);
    long status = resp.status;
    buf_reset(out);
    if (rc == 0)
        buf_append(out, resp.body.data ? resp.body.data : "", resp.body.len);
    buf_reserve(out, JSON_PADDING);
    httpc_resp_release(&resp);
    httpc_free(h);
    return rc ? -1 : (int)status;
}

static int setup(void **state)
{
    (void)state;
    struct scenario sc;
    scenario_default(&sc);
    char err[256];
    if (scenario_set(&sc, "seed", "11", err, sizeof err) ||
        scenario_set(&sc, "tokens_per_day", "80", err, sizeof err))
        return -1;
    scenario_scale_wallets(&sc, 600);
    struct simchain_opts o = {.api_key = "sim-key", .search_window = 5, .threads = 2};
    if (simchain_start(&sc, &o, "127.0.0.1", 0, &chain, err, sizeof err) != 0)
        return -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%u", simchain_port(chain));
    buf_init(&truth_body, 0);
    if (get("/sim/truth", &truth_body) != 200)
        return -1;
    truth_doc = json_doc_new(0);
    return json_parse(truth_doc, truth_body.data, truth_body.len, truth_body.cap, &truth);
}

static int teardown(void **state)
{
    (void)state;
    simchain_stop(chain);
    json_doc_free(truth_doc);
    buf_release(&truth_body);
    return 0;
}

/* The first token of the truth with at least min swaps (and graduated when
 * asked): its mint, launch time (s) and swap count. */
static bool picked_graduated;

/* The first token of the truth file with at least min_swaps swaps (and
 * graduated, or traded for at least min_life_s, when asked). */
static void pick_token_life(int64_t min_swaps, bool graduated, int64_t min_life_s,
                            char mint[BASE58_KEY_MAX], int64_t *launch, int64_t *swaps);

static void pick_token(int64_t min_swaps, bool graduated, char mint[BASE58_KEY_MAX],
                       int64_t *launch, int64_t *swaps)
{
    pick_token_life(min_swaps, graduated, 0, mint, launch, swaps);
}

static void pick_token_life(int64_t min_swaps, bool graduated, int64_t min_life_s,
                            char mint[BASE58_KEY_MAX], int64_t *launch, int64_t *swaps)
{
    struct json_val toks, t;
    assert_int_equal(json_get(&truth, "tokens", &toks), 0);
    for (size_t i = 0; i < json_size(&toks); i++) {
        bool g = false;
        const char *m;
        size_t n;
        assert_int_equal(json_index(&toks, i, &t), 0);
        assert_int_equal(json_get_i64(&t, "swaps", swaps), 0);
        json_opt_bool(&t, "graduated", &g);
        if (*swaps < min_swaps || (graduated && !g))
            continue;
        int64_t last = 0;
        assert_int_equal(json_get_i64(&t, "launch_time", launch), 0);
        json_get_i64(&t, "last_trade_time", &last);
        if (last - *launch < min_life_s)
            continue;
        assert_int_equal(json_get_str(&t, "mint", &m, &n), 0);
        memcpy(mint, m, n);
        mint[n] = '\0';
        picked_graduated = g;
        return;
    }
    fail_msg("no token with %lld swaps", (long long)min_swaps);
}

/* Pages a mint's history newest first, limit a page, calling fn with
 * each transaction; returns the transactions. */
typedef void (*history_fn)(void *ctx, const struct json_val *tx);

static int64_t page_history(const char *mint, unsigned limit, history_fn fn, void *ctx)
{
    struct httpc_opts o = no_retry();
    struct helius_api *h = helius_api_new(url, "sim-key", &o);
    struct buf body;
    buf_init(&body, 0);
    char before[BASE58_SIG_MAX] = "", next[BASE58_SIG_MAX];
    struct json_doc *d = json_doc_new(0);
    int64_t total = 0;
    for (int page = 0; page < 1000; page++) {
        struct helius_history_query q = {
            .address = mint, .before = before[0] ? before : NULL, .limit = limit};
        size_t n;
        assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), 0);
        struct json_val root, tx;
        assert_int_equal(json_parse(d, body.data, body.len, body.cap, &root), 0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(json_index(&root, i, &tx), 0);
            fn(ctx, &tx);
        }
        total += (int64_t)n;
        if (n == 0 || !next[0])
            break;
        memcpy(before, next, sizeof before);
    }
    json_doc_free(d);
    buf_release(&body);
    helius_api_free(h);
    return total;
}

struct times_seen {
    int64_t oldest, prev_ts;
};

static void check_newest_first(void *ctx, const struct json_val *tx)
{
    struct times_seen *t = ctx;
    int64_t ts;
    assert_int_equal(json_get_i64(tx, "timestamp", &ts), 0);
    assert_true(ts <= t->prev_ts); /* newest first, across pages too */
    t->prev_ts = ts;
    t->oldest = ts < t->oldest ? ts : t->oldest;
}

static void test_helius_history_pages_back_to_creation(void **state)
{
    (void)state;
    char mint[BASE58_KEY_MAX];
    int64_t launch, swaps;
    pick_token(40, false, mint, &launch, &swaps);
    struct times_seen seen = {INT64_MAX, INT64_MAX};
    int64_t total = page_history(mint, 9, check_newest_first, &seen);
    int64_t oldest = seen.oldest;
    struct httpc_opts o = no_retry();
    struct helius_api *h = helius_api_new(url, "sim-key", &o);
    struct buf body;
    buf_init(&body, 0);
    char before[BASE58_SIG_MAX] = "", next[BASE58_SIG_MAX];
    /* every swap of the token, and its migration, down to its launch */
    assert_int_equal(total, swaps + picked_graduated);
    assert_int_equal(oldest, launch);

    /* a type the mint never has: the search-period error after 5 scanned,
     * which the client turns into "continue before <sig>", down to empty */
    size_t pages = 0, n;
    before[0] = '\0';
    for (;; pages++) {
        struct helius_history_query q = {
            .address = mint, .before = before[0] ? before : NULL, .type = "TRANSFER"};
        assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), 0);
        assert_int_equal(n, 0);
        if (!next[0])
            break;
        memcpy(before, next, sizeof before);
    }
    /* one per window of 5 */
    assert_int_equal(pages, (size_t)((swaps + picked_graduated) / 5));

    /* the wrong key is refused as Helius does */
    helius_api_free(h);
    h = helius_api_new(url, "wrong-key", &o);
    struct helius_history_query q = {.address = mint};
    assert_int_equal(helius_api_history_page(h, &q, &body, &n, next), WT_EREMOTE);
    assert_non_null(strstr(helius_api_errmsg(h), "401"));
    buf_release(&body);
    helius_api_free(h);
}

/* Decodes a body into one transaction's events. */
static size_t decode(struct helius_decoder *dec, struct buf *b, struct helius_out *out)
{
    helius_out_clear(out);
    buf_reserve(b, JSON_PADDING);
    assert_int_equal(helius_decode(dec, b->data, b->len, b->cap, out, NULL), 0);
    return out->events.len;
}

static void test_rpc_paging_and_raw_equals_enhanced(void **state)
{
    (void)state;
    char mint[BASE58_KEY_MAX];
    int64_t launch, swaps;
    pick_token(40, true, mint, &launch, &swaps); /* graduated: curve and pool venues */
    struct httpc_opts o = no_retry();
    const char *u = url;
    struct rpc *r = rpc_new(&u, 1, &o);
    struct pubkey key;
    assert_int_equal(pubkey_parse(mint, &key), 0);
    struct rpc_sig_list all = {0}, page = {0};
    char before[BASE58_SIG_MAX] = "";
    for (;;) {
        struct rpc_sigs_query q = {.limit = 7, .before = before[0] ? before : NULL};
        page.len = 0;
        assert_int_equal(rpc_get_signatures_for_address(r, &key, &q, &page), 0);
        if (page.len == 0)
            break;
        for (size_t i = 0; i < page.len; i++) {
            struct rpc_sig_info *x = &page.v[i];
            if (all.len == all.cap) {
                all.cap = all.cap ? 2 * all.cap : 64;
                all.v = realloc(all.v, all.cap * sizeof *all.v);
            }
            all.v[all.len++] = *x;
        }
        memcpy(before, page.v[page.len - 1].signature, sizeof before);
    }
    assert_int_equal(all.len, (size_t)swaps + 1); /* its swaps and its migration */
    assert_int_equal(all.v[all.len - 1].block_time, launch);
    assert_true(all.v[0].block_time >= all.v[all.len - 1].block_time);

    /* until: only what is newer than the given signature */
    struct rpc_sigs_query q = {.until = all.v[10].signature};
    page.len = 0;
    assert_int_equal(rpc_get_signatures_for_address(r, &key, &q, &page), 0);
    assert_int_equal(page.len, 10);
    assert_string_equal(page.v[9].signature, all.v[9].signature);

    /* every transaction: the raw form decodes to the enhanced form's events */
    struct helius_api *h = helius_api_new(url, "sim-key", &o);
    struct helius_decoder *dec = helius_decoder_new();
    struct helius_out eo = {0}, ro = {0};
    struct buf eb, rb;
    buf_init(&eb, 0);
    buf_init(&rb, 0);
    size_t curve = 0, pool = 0, migrations = 0;
    for (size_t i = 0; i < all.len; i++) {
        const char *sig = all.v[i].signature;
        assert_int_equal(helius_api_transactions(h, &sig, 1, &eb), 0);
        struct httpc_resp resp;
        httpc_resp_init(&resp);
        assert_int_equal(rpc_get_transaction(r, sig, RPC_CONFIRMED, &resp), 0);
        buf_reset(&rb);
        buf_append(&rb, resp.body.data, resp.body.len);
        httpc_resp_release(&resp);
        size_t ne = decode(dec, &eb, &eo), nr = decode(dec, &rb, &ro);
        if (strstr(eb.data, "\"feePayer\":\"39azUYFWPz3VHgKCf3VChUwbpURdCHRxjWVowf5jUJjg\"")) {
            /* the migration: no swap either way (the reserves' moves may
             * come out as transfers) */
            for (size_t k = 0; k < ne; k++)
                assert_int_not_equal(eo.events.v[k].kind, EVENT_SWAP);
            for (size_t k = 0; k < nr; k++)
                assert_int_not_equal(ro.events.v[k].kind, EVENT_SWAP);
            migrations++;
            continue;
        }
        assert_int_equal(ne, 1);
        assert_int_equal(nr, 1);
        assert_true(ro.txs.v[0].raw);
        const struct swap_event *a = &eo.events.v[0].u.swap, *b = &ro.events.v[0].u.swap;
        assert_int_equal(eo.events.v[0].kind, ro.events.v[0].kind);
        assert_memory_equal(a->sig.b, b->sig.b, 64);
        assert_memory_equal(a->wallet.b, b->wallet.b, 32);
        assert_memory_equal(a->mint.b, b->mint.b, 32);
        assert_int_equal(a->side, b->side);
        assert_int_equal(a->token_amount, b->token_amount);
        assert_int_equal(a->quote_amount, b->quote_amount);
        assert_int_equal(a->fee_lamports, b->fee_lamports);
        assert_int_equal(a->ts_ms, b->ts_ms);
        assert_int_equal(a->slot, b->slot);
        assert_string_equal(a->source, b->source);
        if (strcmp(a->source, "PUMP_FUN") == 0)
            curve++;
        else
            pool++;
    }
    assert_true(curve > 0 && pool > 0);
    assert_int_equal(migrations, 1);
    /* an unknown signature: null, as RPC answers */
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    assert_int_equal(rpc_get_transaction(r,
                                         "5h6xBEauJ3PK6SWCZ1PGjBvj8vDdWG3KpwATGy1ARAXFSDwt8GFXM7"
                                         "W5Ncn16wmqokgpiKRLuS83KUxyZyv2sUYv",
                                         RPC_CONFIRMED, &resp),
                     WT_ENOTFOUND);
    httpc_resp_release(&resp);
    helius_out_release(&eo);
    helius_out_release(&ro);
    helius_decoder_free(dec);
    buf_release(&eb);
    buf_release(&rb);
    helius_api_free(h);
    free(all.v);
    free(page.v);
    rpc_free(r);
}

/* Every key of a's object also is a key of b's. */
static void keys_within(const struct json_val *a, const struct json_val *b, const char *what)
{
    struct json_iter it;
    struct json_val k;
    assert_int_equal(json_iter_init(a, &it), 0);
    while (json_iter_next(&it, &k)) {
        struct json_val x;
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)k.keylen, k.key);
        if (json_find(b, key, &x) != 0)
            fail_msg("%s: key '%s' is not in the recorded real body", what, key);
    }
}

/* Parses a fixture into d; root is its value. */
static void load_fixture(const char *name, struct json_doc *d, struct json_val *root, char **keep)
{
    size_t len;
    *keep = fixture_read(name, &len);
    assert_non_null(*keep);
    assert_int_equal(json_parse(d, *keep, len, 0, root), 0);
}

static void test_shapes_match_the_recorded_bodies(void **state)
{
    (void)state;
    char mint[BASE58_KEY_MAX];
    int64_t launch, swaps;
    pick_token(40, true, mint, &launch, &swaps);
    struct json_doc *dr = json_doc_new(0), *ds = json_doc_new(0);
    struct json_val real, sim, rx, sx, rm, sm;
    char *keep;
    struct buf b;
    buf_init(&b, 0);

    /* getSignaturesForAddress: the same keys both ways */
    load_fixture("real/rpc_getSignaturesForAddress_response_docs.json", dr, &real, &keep);
    char body[256];
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getSignaturesForAddress\","
             "\"params\":[\"%s\",{\"limit\":1}]}",
             mint);
    struct httpc_opts o = no_retry();
    const char *u = url;
    struct httpc *h = httpc_new(&u, 1, &o);
    struct httpc_header hd = {"Content-Type", "application/json"};
    struct httpc_req req = {.method = "POST",
                            .path = "/",
                            .headers = &hd,
                            .n_headers = 1,
                            .body = body,
                            .body_len = strlen(body),
                            .retries = -1};
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    assert_int_equal(httpc_do(h, &req, &resp), 0);
    buf_append(&b, resp.body.data, resp.body.len);
    buf_reserve(&b, JSON_PADDING);
    assert_int_equal(json_parse(ds, b.data, b.len, b.cap, &sim), 0);
    keys_within(&sim, &real, "getSignaturesForAddress");
    keys_within(&real, &sim, "getSignaturesForAddress (real in sim)");
    assert_int_equal(json_get(&real, "result", &rx), 0);
    assert_int_equal(json_get(&sim, "result", &sx), 0);
    assert_int_equal(json_index(&rx, 0, &rm), 0);
    assert_int_equal(json_index(&sx, 0, &sm), 0);
    keys_within(&sm, &rm, "signature info");
    keys_within(&rm, &sm, "signature info (real in sim)");
    const char *sig;
    size_t sn;
    assert_int_equal(json_get_str(&sm, "signature", &sig, &sn), 0);
    char sigs[BASE58_SIG_MAX];
    memcpy(sigs, sig, sn);
    sigs[sn] = '\0';
    free(keep);

    /* getTransaction: result, meta, message keys as the real v0 answer */
    load_fixture("real/rpc_getTransaction_json_v0_agavesim_1.json", dr, &real, &keep);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getTransaction\",\"params\":[\"%s\","
             "{\"encoding\":\"json\",\"maxSupportedTransactionVersion\":0}]}",
             sigs);
    req.body_len = strlen(body);
    httpc_resp_release(&resp);
    httpc_resp_init(&resp);
    assert_int_equal(httpc_do(h, &req, &resp), 0);
    buf_reset(&b);
    buf_append(&b, resp.body.data, resp.body.len);
    buf_reserve(&b, JSON_PADDING);
    assert_int_equal(json_parse(ds, b.data, b.len, b.cap, &sim), 0);
    assert_int_equal(json_get(&real, "result", &rx), 0);
    assert_int_equal(json_get(&sim, "result", &sx), 0);
    keys_within(&sx, &rx, "getTransaction result");
    keys_within(&rx, &sx, "getTransaction result (real in sim)");
    assert_int_equal(json_get(&rx, "meta", &rm), 0);
    assert_int_equal(json_get(&sx, "meta", &sm), 0);
    keys_within(&sm, &rm, "meta");
    struct json_val rt, st, rmsg, smsg;
    assert_int_equal(json_get(&rx, "transaction", &rt), 0);
    assert_int_equal(json_get(&sx, "transaction", &st), 0);
    assert_int_equal(json_get(&rt, "message", &rmsg), 0);
    assert_int_equal(json_get(&st, "message", &smsg), 0);
    keys_within(&smsg, &rmsg, "message");
    keys_within(&rmsg, &smsg, "message (real in sim)");
    free(keep);

    /* a history page's transactions: keys of the real Helius page */
    load_fixture("real/helius_enhanced_address_history_response_50tx.json", dr, &real, &keep);
    char path[256];
    snprintf(path, sizeof path, "/v0/addresses/%s/transactions?api-key=sim-key&limit=3", mint);
    assert_int_equal(get(path, &b), 200);
    assert_int_equal(json_parse(ds, b.data, b.len, b.cap, &sim), 0);
    assert_int_equal(json_size(&sim), 3);
    assert_int_equal(json_index(&real, 0, &rx), 0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(json_index(&sim, i, &sx), 0);
        keys_within(&sx, &rx, "enhanced transaction");
    }
    free(keep);

    /* DexScreener: pair keys within the real pair; the client reads it */
    load_fixture("real/dexscreener_pair_pump_token_raydium_clmm.json", dr, &real, &keep);
    snprintf(path, sizeof path, "/tokens/v1/solana/%s", mint);
    assert_int_equal(get(path, &b), 200);
    assert_int_equal(json_parse(ds, b.data, b.len, b.cap, &sim), 0);
    assert_int_equal(json_size(&sim), 1);
    assert_int_equal(json_index(&sim, 0, &sx), 0);
    keys_within(&sx, &real, "DexScreener pair");
    free(keep);
    struct clock clk;
    clock_init_real(&clk);
    struct dexscreener *dx = dexscreener_new(url, &clk, NULL, &o);
    struct dex_token t;
    struct pubkey key;
    assert_int_equal(pubkey_parse(mint, &key), 0);
    assert_int_equal(dexscreener_get(dx, &key, 1, &t), 0);
    assert_true(t.found);
    assert_true(t.price_sol > 0);
    assert_true(t.liquidity_usd > 0); /* graduated: a pool */
    assert_true(strcmp(t.dex_id, "raydium") == 0 || strcmp(t.dex_id, "pumpswap") == 0);
    assert_true(t.created_ms > launch * 1000);
    dexscreener_free(dx);

    httpc_resp_release(&resp);
    httpc_free(h);
    buf_release(&b);
    json_doc_free(dr);
    json_doc_free(ds);
}

static void test_webhooks_through_the_sync_and_counting(void **state)
{
    (void)state;
    struct simchain_counts c0, c1;
    simchain_counts(chain, &c0);
    char dir[64];
    struct store *st;
    assert_int_equal(tmpstore_open(dir, &st), 0);
    struct wallet w;
    memset(&w, 0, sizeof w);
    snprintf(w.address, sizeof w.address, "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY");
    snprintf(w.chain, sizeof w.chain, "solana");
    w.status = WALLET_WATCH;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
    struct httpc_opts o = no_retry();
    struct hooksync_opts ho = {.api_url = url,
                               .api_key = "sim-key",
                               .webhook_url = "https://x.example.org/webhooks/helius",
                               .http = &o};
    struct hooksync *hs = hooksync_new(st, &ho);
    assert_int_equal(hooksync_run(hs), 0); /* list, create, list */
    assert_int_equal(hooksync_run(hs), 0); /* list */
    struct hooksync_status s;
    hooksync_status(hs, &s);
    assert_int_equal(s.registered, 1);
    assert_int_equal(s.updates, 1);
    hooksync_free(hs);
    assert_int_equal(tmpstore_close(dir, st), 0);
    simchain_counts(chain, &c1);
    assert_int_equal(c1.webhooks - c0.webhooks, 4);
    assert_int_equal(c1.total - c0.total, 4);

    /* /sim/stats says the same, and is not counted itself */
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(get("/sim/stats", &b), 200);
    char want[64];
    snprintf(want, sizeof want, "\"helius_webhooks\":%llu", (unsigned long long)c1.webhooks);
    assert_non_null(strstr(b.data, want));
    simchain_counts(chain, &c0);
    assert_int_equal(c0.total, c1.total);
    buf_release(&b);
}

static void test_faults_are_injected_and_counted(void **state)
{
    (void)state;
    struct scenario sc;
    scenario_default(&sc);
    char err[256];
    assert_int_equal(scenario_set(&sc, "tokens_per_day", "20", err, sizeof err), 0);
    scenario_scale_wallets(&sc, 300);
    struct simchain_opts o = {.p429 = 1.0};
    struct simchain *c;
    assert_int_equal(simchain_start(&sc, &o, "127.0.0.1", 0, &c, err, sizeof err), 0);
    char u[64];
    snprintf(u, sizeof u, "http://127.0.0.1:%u", simchain_port(c));
    struct httpc_opts ho = no_retry();
    struct helius_api *h = helius_api_new(u, "k", &ho);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(helius_api_webhook_list(h, &body), WT_EREMOTE);
    assert_non_null(strstr(helius_api_errmsg(h), "429"));
    helius_api_free(h);
    struct simchain_counts n;
    simchain_counts(c, &n);
    assert_int_equal(n.r429, 1);
    assert_int_equal(n.total, 1);
    simchain_stop(c);

    o = (struct simchain_opts){.p5xx = 1.0};
    assert_int_equal(simchain_start(&sc, &o, "127.0.0.1", 0, &c, err, sizeof err), 0);
    snprintf(u, sizeof u, "http://127.0.0.1:%u", simchain_port(c));
    const char *uu = u;
    struct rpc *r = rpc_new(&uu, 1, &ho);
    struct pubkey key = {{1}};
    struct rpc_sig_list l = {0};
    struct rpc_sigs_query q = {.limit = 1};
    assert_int_not_equal(rpc_get_signatures_for_address(r, &key, &q, &l), 0);
    rpc_free(r);
    free(l.v);
    simchain_counts(c, &n);
    assert_int_equal(n.r5xx, 1);
    assert_int_equal(n.rpc_signatures, 1);
    simchain_stop(c);
    buf_release(&body);

    /* bad options are refused */
    o = (struct simchain_opts){.p429 = 0.7, .p5xx = 0.7};
    assert_int_equal(simchain_start(&sc, &o, "127.0.0.1", 0, &c, err, sizeof err), WT_EINVAL);
}

/* DexScreener's search: the recorded envelope's keys, at most 30 pairs,
 * the most liquid first; then the crawl's DexScreener source through it:
 * a search and one lookup, and the tokens it adds are the pairs of the
 * search that pass the rule (read again here with the client's parser). */
static void test_dex_search_and_the_crawl_source(void **state)
{
    (void)state;
    struct json_doc *dr = json_doc_new(0), *ds = json_doc_new(0);
    struct json_val real, sim, pairs, px;
    char *keep;
    struct buf b;
    buf_init(&b, 0);
    load_fixture("real/dexscreener_latest_dex_tokens_wsol_truncated.json", dr, &real, &keep);
    assert_int_equal(get("/latest/dex/search?q=sim%20token", &b), 200);
    assert_int_equal(json_parse(ds, b.data, b.len, b.cap, &sim), 0);
    keys_within(&sim, &real, "DexScreener search envelope");
    assert_int_equal(json_get(&sim, "pairs", &pairs), 0);
    assert_int_equal(json_size(&pairs), 30);
    double prev = 1e300;
    bool pools_done = false;
    for (size_t i = 0; i < json_size(&pairs); i++) {
        struct json_val liq, bt;
        double usd = 0;
        assert_int_equal(json_index(&pairs, i, &px), 0);
        assert_int_equal(json_get(&px, "baseToken", &bt), 0);
        const char *name;
        assert_int_equal(json_get_str(&bt, "name", &name, NULL), 0);
        assert_int_equal(strncmp(name, "Sim Token ", 10), 0);
        if (json_get(&px, "liquidity", &liq) == 0) {
            assert_false(pools_done);
            assert_int_equal(json_get_double(&liq, "usd", &usd), 0);
            assert_true(usd <= prev);
            prev = usd;
        } else {
            pools_done = true; /* curves after the pools */
        }
    }
    free(keep);
    assert_int_equal(get("/latest/dex/search?q=no-such-token", &b), 200);
    assert_int_equal(json_parse(ds, b.data, b.len, b.cap, &sim), 0);
    assert_int_equal(json_get(&sim, "pairs", &pairs), 0);
    assert_int_equal(json_size(&pairs), 0);

    /* the crawl's source */
    char dir[64], err[256];
    struct store *st;
    assert_int_equal(tmpstore_open(dir, &st), 0);
    struct crawl_opts o;
    crawl_opts_default(&o);
    o.helius_url = url;
    o.helius_key = "sim-key";
    o.dex_url = url;
    o.dex_queries = "sim";
    o.dex_min_multiple = 1;
    o.dex_min_liquidity_usd = 1; /* pools pass, curves (no liquidity) do not */
    o.dex_max_age_hours = 0;
    o.rps = o.dex_rps = 0;
    o.budget = 2; /* DexScreener's two requests; no token is crawled */
    struct simchain_counts before, after;
    simchain_counts(chain, &before);
    struct crawl_progress p;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    simchain_counts(chain, &after);
    assert_int_equal(after.dex - before.dex, 2);
    assert_int_equal(after.total - before.total, 2);
    assert_int_equal(p.dex_listed, 30);
    assert_true(p.dex_added >= 1);
    /* the same rule over the search answer's own pairs */
    assert_int_equal(get("/latest/dex/search?q=sim", &b), 200);
    struct pubkey mints[30];
    size_t n;
    assert_int_equal(dex_parse_search(b.data, b.len, mints, 30, &n, err, sizeof err), 0);
    assert_int_equal(n, 30);
    struct dex_token toks[30];
    struct buf path;
    buf_init(&path, 0);
    buf_puts(&path, "/tokens/v1/solana/");
    for (size_t i = 0; i < n; i++) {
        char k[BASE58_KEY_MAX];
        buf_printf(&path, "%s%s", i ? "," : "", pubkey_format(&mints[i], k));
    }
    assert_int_equal(get(path.data, &b), 200);
    assert_int_equal(dex_parse_pairs(b.data, b.len, mints, n, 0, toks, err, sizeof err), 0);
    size_t winners = 0;
    for (size_t i = 0; i < n; i++) {
        char k[BASE58_KEY_MAX];
        struct crawl_item it;
        bool win = crawl_dex_success(&toks[i], &o, 0, NULL);
        winners += win;
        int grc = store_crawl_get(st, "token", pubkey_format(&mints[i], k), &it);
        assert_int_equal(grc, win ? 0 : WT_ENOTFOUND);
        if (win)
            assert_string_equal(it.source, "dexscreener");
    }
    assert_int_equal(winners, p.dex_added);
    assert_true(winners < n); /* and some did not pass */
    buf_release(&path);
    assert_int_equal(tmpstore_close(dir, st), 0);
    buf_release(&b);
    json_doc_free(dr);
    json_doc_free(ds);
}

struct mint_swaps {
    struct pubkey mint;
    VEC(struct signature) sigs; /* distinct, in store order */
};

static int collect_mint_swaps(void *ctx, const struct stored_swap *s)
{
    struct mint_swaps *m = ctx;
    if (pubkey_eq(&s->swap.mint, &m->mint) &&
        (!m->sigs.len || memcmp(m->sigs.v[m->sigs.len - 1].b, s->swap.sig.b, 64) != 0))
        vec_push(&m->sigs, s->swap.sig);
    return 0;
}

/* The crawl's RPC-only path through the simulated chain: a token with
 * more than one page of history paged to its creation, stored exactly as
 * the Helius path stores it (the same swaps and transfers), every request
 * counted by the chain. */
static int64_t crawl_token_order(const char *mint, bool rpc, uint32_t window_h,
                                 struct crawl_item *it, int64_t *swaps, int64_t *transfers,
                                 struct mint_swaps *order)
{
    char dir[64], err[256];
    struct store *st;
    assert_int_equal(tmpstore_open(dir, &st), 0);
    assert_int_equal(store_crawl_add(st, "token", mint, "operator", 1, NULL), 0);
    struct crawl_opts o;
    crawl_opts_default(&o);
    o.helius_url = url;
    o.helius_key = rpc ? "" : "sim-key";
    o.rpc_urls = url;
    o.rps = o.rpc_rps = 0;
    o.disc.min_hits = 1000000; /* no wallet qualifies: the token only */
    o.token_window_hours = window_h;
    struct simchain_counts before, after;
    simchain_counts(chain, &before);
    struct crawl_progress p;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    simchain_counts(chain, &after);
    assert_int_equal(after.total - before.total, p.requests);
    assert_int_equal(store_crawl_get(st, "token", mint, it), 0);
    int64_t prices;
    assert_int_equal(store_count_events(st, swaps, transfers, &prices), 0);
    if (order) {
        assert_int_equal(pubkey_parse(mint, &order->mint), 0);
        assert_int_equal(store_swaps_scan(st, INT64_MIN, INT64_MAX, collect_mint_swaps, order), 0);
    }
    assert_int_equal(tmpstore_close(dir, st), 0);
    return rpc ? (int64_t)(after.rpc_signatures - before.rpc_signatures)
               : (int64_t)(after.history - before.history);
}

/* The same, the store's order not asked for. */
static int64_t crawl_token(const char *mint, bool rpc, uint32_t window_h, struct crawl_item *it,
                           int64_t *swaps, int64_t *transfers)
{
    return crawl_token_order(mint, rpc, window_h, it, swaps, transfers, NULL);
}

static void test_rpc_crawl_equals_helius_crawl(void **state)
{
    (void)state;
    char mint[BASE58_KEY_MAX];
    int64_t launch, swaps;
    pick_token(150, false, mint, &launch, &swaps);
    struct crawl_item hi, ri;
    int64_t hs, ht, rs, rt;
    int64_t hpages = crawl_token(mint, false, 0, &hi, &hs, &ht);
    int64_t rpages = crawl_token(mint, true, 0, &ri, &rs, &rt);
    assert_string_equal(ri.state, "done");
    assert_true(rpages >= 2); /* paged back with before */
    assert_true(hpages >= 2);
    assert_int_equal(ri.first_ts, hi.first_ts); /* to its creation */
    assert_true(ri.first_ts <= launch);
    assert_int_equal(ri.newest_ts, hi.newest_ts);
    assert_true(rs >= swaps); /* every swap of the token, and the same as Helius's */
    assert_int_equal(rs, hs);
    assert_int_equal(rt, ht);
    /* Signatures first, then a window: one covering the whole history
     * stores the same, a one-hour one less. On a token that trades for more
     * than two hours (most launches die within the hour on the calibrated
     * market, and then both store the same). */
    pick_token_life(150, false, 2 * 3600, mint, &launch, &swaps);
    crawl_token(mint, true, 0, &ri, &rs, &rt);
    assert_string_equal(ri.state, "done");
    struct crawl_item wi;
    int64_t ws, wt;
    crawl_token(mint, true, 100000, &wi, &ws, &wt);
    assert_string_equal(wi.state, "done");
    assert_int_equal(ws, rs);
    assert_int_equal(wt, rt);
    assert_int_equal(wi.first_ts, ri.first_ts);
    assert_int_equal(wi.newest_ts, ri.newest_ts);
    crawl_token(mint, true, 1, &wi, &ws, &wt);
    assert_true(ws > 0 && ws < rs);
    assert_int_equal(wi.newest_ts, ri.newest_ts);
}

/* Crawls the graduations into a new store (min_hits: the discovery rule
 * that picks the candidates to backfill; a huge one picks none). */
static struct store *crawl_graduations_into(char dir[64], uint32_t min_hits)
{
    struct store *st;
    char err[256];
    assert_int_equal(tmpstore_open(dir, &st), 0);
    struct crawl_opts o;
    crawl_opts_default(&o);
    o.helius_url = url;
    o.helius_key = "sim-key";
    o.rps = 0;
    o.graduation_hours = 100000;
    o.disc.min_hits = min_hits;
    struct crawl_progress p;
    assert_int_equal(crawl_run(st, &o, &p, err, sizeof err), 0);
    assert_true(p.graduations > 0);
    return st;
}

/* The candidates a store's swaps give discovery's default rules. */
static void candidates_of(struct store *st, struct discovery_result *res)
{
    struct profile_params pp;
    profile_params_default(&pp);
    struct profile_state *ps = NULL;
    assert_int_equal(profile_load(st, &pp.intel, &ps), 0);
    struct discovery_params dp;
    discovery_params_default(&dp);
    assert_int_equal(discovery_find(ps, &dp, ps->last_ms, res), 0);
    profile_state_free(ps);
}

/* Every early buyer with a hit on a crawled winner gets its history
 * backfilled, also one that its winning buys alone would call a bot, a
 * copy-trader or a late buyer: those rules are shares and means over the
 * whole history, which is what the backfill fetches (the crawl used to
 * drop such wallets before their backfill, and discovery never saw the
 * history that clears most of them). */
static void test_crawl_backfills_every_early_buyer_with_a_hit(void **state)
{
    (void)state;
    char tdir[64], cdir[64];
    struct store *tokens_only = crawl_graduations_into(tdir, 1000000);
    struct discovery_result pre = {0};
    candidates_of(tokens_only, &pre);
    struct store *st = crawl_graduations_into(cdir, 1);
    struct discovery_params dp;
    discovery_params_default(&dp);
    size_t with_hit = 0, judged_early = 0;
    for (size_t i = 0; i < pre.c.len; i++) {
        const struct discovery_candidate *d = &pre.c.v[i];
        if (d->early == 0 || d->hits < 1)
            continue;
        with_hit++;
        judged_early += d->bot > dp.max_bot || d->follow > dp.max_follow ||
                        (dp.max_entry_ms > 0 &&
                         d->entry_age_min * (double)MS_PER_MINUTE > (double)dp.max_entry_ms);
        struct crawl_item it;
        assert_int_equal(store_crawl_get(st, "wallet", d->address, &it), 0);
        assert_string_equal(it.state, "done");
        assert_true(it.pages >= 1);
    }
    assert_true(with_hit > 0);
    /* the case that was dropped: present on this chain */
    assert_true(judged_early > 0);
    discovery_result_release(&pre);
    assert_int_equal(tmpstore_close(tdir, tokens_only), 0);
    assert_int_equal(tmpstore_close(cdir, st), 0);
}

struct chain_sigs {
    VEC(struct signature) v;
    size_t ties; /* transactions at the block time of the one before */
    int64_t prev_ts;
};

static void collect_sig(void *ctx, const struct json_val *tx)
{
    struct chain_sigs *c = ctx;
    const char *sig;
    size_t len;
    int64_t ts;
    assert_int_equal(json_get_str(tx, "signature", &sig, &len), 0);
    assert_int_equal(json_get_i64(tx, "timestamp", &ts), 0);
    c->ties += ts == c->prev_ts;
    c->prev_ts = ts;
    struct signature sg;
    assert_int_equal(base58_decode(sig, len, sg.b, 64), 0);
    vec_push(&c->v, sg);
}

/* A crawl stores a token's transactions in the chain's order: the pages
 * come newest first, and the store replays a block time's swaps in the
 * order they were stored, so a page stored as listed put the launch
 * slot's last buy first (the first trade, whose price is the launch
 * price discovery measures a token's multiple against: on the session-5
 * market a winner then looked like a 9x, and its early buyers lost the
 * hit). Both paths: Helius and RPC. */
static void test_crawl_stores_the_chain_order(void **state)
{
    (void)state;
    char mint[BASE58_KEY_MAX];
    int64_t launch, swaps;
    pick_token(150, true, mint, &launch, &swaps);
    /* the chain's order: the history paged newest first, reversed */
    struct chain_sigs cs = {0};
    page_history(mint, 100, collect_sig, &cs);
    size_t ties = cs.ties;
    assert_true(ties > 0); /* transactions sharing a block time: the case */
    for (int rpc = 0; rpc < 2; rpc++) {
        struct mint_swaps ms = {0};
        struct crawl_item it;
        int64_t sw, tr;
        crawl_token_order(mint, rpc, 0, &it, &sw, &tr, &ms);
        /* every stored transaction in the chain's order (oldest first) */
        size_t k = cs.v.len;
        for (size_t i = 0; i < ms.sigs.len; i++) {
            while (k > 0 && memcmp(cs.v.v[k - 1].b, ms.sigs.v[i].b, 64) != 0)
                k--;
            assert_true(k > 0); /* found further on in the chain's order */
            k--;
        }
        assert_true(ms.sigs.len >= (size_t)swaps / 2);
        vec_free(&ms.sigs);
    }
    vec_free(&cs.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helius_history_pages_back_to_creation),
        cmocka_unit_test(test_rpc_paging_and_raw_equals_enhanced),
        cmocka_unit_test(test_shapes_match_the_recorded_bodies),
        cmocka_unit_test(test_webhooks_through_the_sync_and_counting),
        cmocka_unit_test(test_faults_are_injected_and_counted),
        cmocka_unit_test(test_dex_search_and_the_crawl_source),
        cmocka_unit_test(test_rpc_crawl_equals_helius_crawl),
        cmocka_unit_test(test_crawl_backfills_every_early_buyer_with_a_hit),
        cmocka_unit_test(test_crawl_stores_the_chain_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
