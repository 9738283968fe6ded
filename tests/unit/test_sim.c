/* Tests of the market simulator (src/sim): the curve and pool arithmetic,
 * scenario parsing, determinism (same seed, same bytes), and a replay of a
 * whole small market from its JSON output that checks every invariant the
 * simulator promises: valid Helius-shaped transactions, balances that never
 * go negative, no sell without tokens, exact fee-payer balance changes,
 * prices that follow an independently coded curve and pool, graduation at
 * the threshold, and ground truth that agrees with the trades. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/intern.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/vec.h"
#include "sim/curve.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/sim_impl.h"
#include "solana/base58.h"
#include "solana/pubkey.h"

typedef unsigned __int128 u128;

/* A small but complete market: every wallet type, enough runners. */
static void small_scenario(struct scenario *sc, uint64_t seed)
{
    scenario_default(sc);
    sc->seed = seed;
    sc->wallets = 320;
    sc->tokens_per_day = 70;
    sc->insider_clusters = 4;
    sc->cluster_size_min = 3;
    sc->cluster_size_max = 5;
    sc->skilled = 24;
    sc->fading = 6;
    sc->snipers = 10;
    sc->copy_traders = 16;
    sc->baiters = 6;
    sc->creators = 20;
    sc->odds_runner = 0.15;
    sc->skilled_entries_per_day = 8;
}

static void test_b58_matches_reference(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 42);
    for (int i = 0; i < 2000; i++) {
        uint8_t in[64];
        for (int k = 0; k < 64; k++)
            in[k] = (uint8_t)rng_next(&r);
        int zeros = i % 7; /* leading zero bytes print as '1' */
        memset(in, 0, (size_t)zeros);
        size_t n = (i & 1) ? 64 : 32;
        char a[100], b[100];
        int la = base58_encode(in, n, a, sizeof a);
        int lb = base58_encode_bytewise(in, n, b, sizeof b);
        assert_int_equal(la, lb);
        assert_string_equal(a, b);
    }
}

static void test_curve_graduates_at_threshold(void **state)
{
    (void)state;
    struct curve c;
    curve_init(&c);
    assert_true(curve_price(&c) > 2.79e-8 && curve_price(&c) < 2.8e-8); /* 30 / 1.073e9 */
    struct trade t;
    assert_int_equal(curve_buy(&c, 1000000000, &t), 0);
    assert_int_equal(t.sol, 1000000000);
    assert_int_equal(t.fee, 10000000);
    /* 990000000 lamports net against 30 SOL / 1.073e15 raw */
    uint64_t expect =
        (uint64_t)((u128)CURVE_VIRTUAL_TOKENS0 * 990000000 / (30000000000ULL + 990000000));
    assert_int_equal(t.tokens, expect);
    uint64_t got = t.tokens;
    /* Selling back returns less than was paid (fees both ways, floors). */
    assert_int_equal(curve_sell(&c, got, &t), 0);
    assert_true(t.sol < 990000000 && t.sol > 970000000);
    assert_int_equal(c.real_tokens, CURVE_REAL_TOKENS0);
    /* Cannot sell tokens the curve never sold. */
    assert_int_equal(curve_sell(&c, 1, &t), WT_EINVAL);
    /* A huge buy takes exactly the remaining tokens and completes. */
    assert_int_equal(curve_buy(&c, 500ULL * 1000000000ULL, &t), 0);
    assert_int_equal(t.tokens, CURVE_REAL_TOKENS0);
    assert_true(c.complete);
    assert_int_equal(c.real_tokens, 0);
    assert_true(c.real_sol > 84000000000ULL && c.real_sol < 86000000000ULL);
    assert_true(t.sol < 90ULL * 1000000000ULL); /* charged the cost, not the offer */
    assert_int_equal(curve_buy(&c, 1000000000, &t), WT_ESTATE);
    assert_int_equal(curve_sell(&c, 1000, &t), WT_ESTATE);
    struct pool p;
    pool_from_curve(&p, &c);
    assert_int_equal(p.sol, c.real_sol - CURVE_MIGRATION_FEE);
    assert_int_equal(p.tokens, CURVE_TOTAL_SUPPLY - CURVE_REAL_TOKENS0);
    double before = pool_price(&p);
    assert_int_equal(pool_buy(&p, 5000000000ULL, &t), 0);
    assert_true(pool_price(&p) > before);
    uint64_t k0 = t.tokens;
    assert_int_equal(pool_sell(&p, k0, &t), 0);
    assert_true(t.sol < 5000000000ULL);
}

static void test_scenario_parsing(void **state)
{
    (void)state;
    struct scenario sc, orig;
    char err[512];
    scenario_default(&sc);
    assert_int_equal(scenario_validate(&sc, err, sizeof err), 0);
    assert_int_equal(sc.wallets, 2000);
    assert_int_equal(sc.tokens_per_day, 300);
    assert_int_equal(scenario_set(&sc, "days", "3", err, sizeof err), 0);
    assert_int_equal(sc.days, 3);
    assert_int_equal(scenario_set(&sc, "speed", "2.5", err, sizeof err), 0);
    assert_true(sc.speed == 2.5);
    orig = sc;
    assert_int_equal(scenario_set(&sc, "days", "0", err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "days"));
    assert_int_equal(scenario_set(&sc, "days", "3x", err, sizeof err), WT_EINVAL);
    assert_int_equal(scenario_set(&sc, "nope", "1", err, sizeof err), WT_ENOTFOUND);
    assert_non_null(strstr(err, "nope"));
    assert_memory_equal(&sc, &orig, sizeof sc);

    char path[] = "/tmp/wt_sim_scenario_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a scenario\n\nseed = 7\n  tokens_per_day=50  \nodds_runner = 0.2\n", f);
    fclose(f);
    assert_int_equal(scenario_load(&sc, path, err, sizeof err), 0);
    assert_int_equal(sc.seed, 7);
    assert_int_equal(sc.tokens_per_day, 50);
    assert_true(sc.odds_runner == 0.2);

    f = fopen(path, "w");
    fputs("seed = 9\ndays = 2\nspeed = fast\n", f);
    fclose(f);
    orig = sc;
    assert_int_equal(scenario_load(&sc, path, err, sizeof err), WT_EPARSE);
    assert_non_null(strstr(err, ":3:"));
    assert_non_null(strstr(err, "speed"));
    assert_memory_equal(&sc, &orig, sizeof sc); /* nothing applied */

    f = fopen(path, "w");
    fputs("seed 9\n", f);
    fclose(f);
    assert_int_equal(scenario_load(&sc, path, err, sizeof err), WT_EPARSE);
    assert_non_null(strstr(err, ":1:"));
    unlink(path);
    assert_int_equal(scenario_load(&sc, path, err, sizeof err), WT_EIO);

    sc.skill_min = 0.9;
    sc.skill_max = 0.5;
    assert_int_equal(scenario_validate(&sc, err, sizeof err), WT_EINVAL);
    scenario_default(&sc);
    sc.wallets = 100;
    assert_int_equal(scenario_validate(&sc, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "wallets"));
    scenario_default(&sc);
    scenario_scale_wallets(&sc, 500); /* a quarter of the default market */
    assert_int_equal(sc.wallets, 500);
    assert_int_equal(scenario_validate(&sc, err, sizeof err), 0);
    assert_true(sc.skilled == 30 && sc.snipers == 15 && sc.insider_clusters == 6);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct buf b;
    buf_init(&b, 0);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        assert_int_equal(buf_append(&b, tmp, n), 0);
    fclose(f);
    return buf_detach(&b, len);
}

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ULL;
    return h;
}

static void gen_hashes(const struct scenario *sc, uint64_t *tx_hash, uint64_t *truth_hash,
                       size_t *tx_len)
{
    char dir[] = "/tmp/wt_sim_gen_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[256], path[256];
    struct sim_stats st;
    assert_int_equal(sim_generate(sc, dir, &st, err, sizeof err), 0);
    assert_true(st.swaps > 1000);
    size_t n;
    snprintf(path, sizeof path, "%s/transactions.ndjson", dir);
    char *d = slurp(path, &n);
    *tx_hash = fnv1a(d, n);
    *tx_len = n;
    free(d);
    unlink(path);
    snprintf(path, sizeof path, "%s/truth.json", dir);
    d = slurp(path, &n);
    *truth_hash = fnv1a(d, n);
    free(d);
    unlink(path);
    rmdir(dir);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    struct scenario sc;
    small_scenario(&sc, 11);
    uint64_t a, b, ta, tb;
    size_t la, lb;
    gen_hashes(&sc, &a, &ta, &la);
    gen_hashes(&sc, &b, &tb, &lb);
    assert_int_equal(la, lb);
    assert_true(a == b);
    assert_true(ta == tb);
    small_scenario(&sc, 12);
    gen_hashes(&sc, &b, &tb, &lb);
    assert_true(a != b);
    assert_true(ta != tb);
}

static void test_bad_scenario_and_folder(void **state)
{
    (void)state;
    struct scenario sc;
    small_scenario(&sc, 1);
    sc.wallets = 10;
    char err[256] = "";
    struct sim *s = NULL;
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), WT_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err, "wallets"));
    small_scenario(&sc, 1);
    assert_int_equal(sim_generate(&sc, "/nonexistent/dir/x", NULL, err, sizeof err), WT_EIO);
    assert_non_null(strstr(err, "/nonexistent/dir/x"));
}

/* ---- replay of a whole market from its JSON ---- */

struct replay {
    struct json_doc *doc;
    struct intern ids;           /* every address seen */
    VEC(int64_t) lamports;       /* by id */
    VEC(uint8_t) is_wallet;      /* by id */
    VEC(uint8_t) is_vault;       /* pool wSOL vaults: funded at migration */
    struct intern holdings;      /* (wallet, mint) */
    VEC(int64_t) tokens;         /* by holding id */
    VEC(int64_t) first_buy_slot; /* by holding id, -1 none */
    /* per sim token */
    uint64_t *vs, *vt, *real_tokens, *ps, *pt;
    uint8_t *grad;
};

static uint32_t addr_id(struct replay *r, const char *s)
{
    struct pubkey k;
    assert_int_equal(pubkey_parse(s, &k), 0); /* a valid 32-byte key */
    uint32_t id = intern_put(&r->ids, k.b);
    while (r->lamports.len <= id) {
        vec_push(&r->lamports, 0);
        vec_push(&r->is_wallet, 0);
        vec_push(&r->is_vault, 0);
    }
    return id;
}

static uint32_t holding_id(struct replay *r, const char *wallet, const char *mint)
{
    struct pubkey a, b;
    assert_int_equal(pubkey_parse(wallet, &a), 0);
    assert_int_equal(pubkey_parse(mint, &b), 0);
    uint8_t key[32];
    memcpy(key, a.b, 16);
    memcpy(key + 16, b.b, 16);
    uint32_t id = intern_put(&r->holdings, key);
    while (r->tokens.len <= id) {
        vec_push(&r->tokens, 0);
        vec_push(&r->first_buy_slot, -1);
    }
    return id;
}

static const char *get_str(const struct json_val *o, const char *key)
{
    const char *s;
    assert_int_equal(json_get_str(o, key, &s, NULL), 0);
    return s;
}

static uint64_t get_u64(const struct json_val *o, const char *key)
{
    uint64_t v;
    assert_int_equal(json_get_u64(o, key, &v), 0);
    return v;
}

static int64_t get_i64(const struct json_val *o, const char *key)
{
    int64_t v;
    assert_int_equal(json_get_i64(o, key, &v), 0);
    return v;
}

static int64_t raw_of(const struct json_val *leg)
{
    struct json_val raw;
    assert_int_equal(json_get(leg, "rawTokenAmount", &raw), 0);
    const char *s = get_str(&raw, "tokenAmount"); /* a string, as Helius sends */
    assert_true(get_u64(&raw, "decimals") == 6 || get_u64(&raw, "decimals") == 9);
    char *end;
    long long v = strtoll(s, &end, 10);
    assert_true(*end == '\0' && end != s);
    return v;
}

/* Checks one transaction against its struct and applies it to the
 * replayed balances and reserves. */
static void replay_tx(struct replay *r, const struct sim *s, const struct sim_tx *tx,
                      const struct buf *json)
{
    struct json_val root, t, arr, el, ev, swap, x;
    assert_int_equal(json_parse(r->doc, json->data, json->len, 0, &root), 0);
    assert_int_equal(json_type_of(&root), JSON_ARRAY);
    assert_int_equal(json_size(&root), 1);
    assert_int_equal(json_index(&root, 0, &t), 0);
    const char *payer = get_str(&t, "feePayer");
    assert_string_equal(payer, sim_wallet_address(s, tx->wallet));
    assert_int_equal(get_u64(&t, "fee"), tx->fee);
    assert_int_equal(get_u64(&t, "slot"), tx->slot);
    assert_int_equal(get_i64(&t, "timestamp"), tx->ts_ms / 1000);
    uint8_t sig[64];
    const char *sigs = get_str(&t, "signature");
    assert_int_equal(base58_decode(sigs, strlen(sigs), sig, 64), 0);
    assert_memory_equal(sig, tx->sig.b, 64);
    assert_true(strlen(get_str(&t, "description")) > 0);
    assert_int_equal(json_get(&t, "transactionError", &x), 0);
    assert_true(json_is_null(&x));
    assert_int_equal(json_get(&t, "instructions", &x), 0);
    assert_true(json_size(&x) >= 1);
    assert_int_equal(json_get(&t, "events", &ev), 0);
    assert_int_equal(json_type_of(&ev), JSON_OBJECT);
    uint32_t pid = addr_id(r, payer);

    /* accountData: apply every native change; token changes of wallets. */
    int64_t payer_native = 0, payer_tokens = 0;
    const char *mint = tx->kind == SIM_TX_SWAP ? sim_token_mint(s, tx->token) : NULL;
    assert_int_equal(json_get(&t, "accountData", &arr), 0);
    struct json_iter it;
    assert_int_equal(json_iter_init(&arr, &it), 0);
    while (json_iter_next(&it, &el)) {
        uint32_t id = addr_id(r, get_str(&el, "account"));
        int64_t nbc = get_i64(&el, "nativeBalanceChange");
        r->lamports.v[id] += nbc;
        if (id == pid)
            payer_native += nbc;
        struct json_val tbc, c;
        assert_int_equal(json_get(&el, "tokenBalanceChanges", &tbc), 0);
        struct json_iter it2;
        assert_int_equal(json_iter_init(&tbc, &it2), 0);
        while (json_iter_next(&it2, &c)) {
            const char *user = get_str(&c, "userAccount");
            const char *m = get_str(&c, "mint");
            assert_string_equal(get_str(&c, "tokenAccount"), get_str(&el, "account"));
            int64_t amt = raw_of(&c);
            if (strcmp(m, MINT_WSOL) == 0) {
                r->is_vault.v[id] = 1;
                continue;
            }
            uint32_t uid = addr_id(r, user);
            if (!r->is_wallet.v[uid])
                continue; /* curve and pool vaults */
            uint32_t h = holding_id(r, user, m);
            r->tokens.v[h] += amt;
            assert_true(r->tokens.v[h] >= 0); /* no sell without tokens bought before */
            if (amt > 0 && r->first_buy_slot.v[h] < 0)
                r->first_buy_slot.v[h] = (int64_t)tx->slot;
            if (uid == pid && mint && strcmp(m, mint) == 0)
                payer_tokens += amt;
        }
        if (!r->is_vault.v[id])
            assert_true(r->lamports.v[id] >= 0); /* no negative balance or reserve */
    }

    uint64_t to_payer = 0, from_payer = 0;
    assert_int_equal(json_get(&t, "nativeTransfers", &arr), 0);
    assert_int_equal(json_iter_init(&arr, &it), 0);
    while (json_iter_next(&it, &el)) {
        uint64_t a = get_u64(&el, "amount");
        if (strcmp(get_str(&el, "fromUserAccount"), payer) == 0)
            from_payer += a;
        if (strcmp(get_str(&el, "toUserAccount"), payer) == 0)
            to_payer += a;
    }

    if (tx->kind == SIM_TX_TRANSFER) {
        assert_string_equal(get_str(&t, "type"), "TRANSFER");
        assert_string_equal(get_str(&t, "source"), "SYSTEM_PROGRAM");
        assert_int_equal(payer_native, -(int64_t)(tx->sol + tx->fee));
        assert_int_equal(from_payer, tx->sol);
        return;
    }
    assert_string_equal(get_str(&t, "type"), "SWAP");
    assert_string_equal(get_str(&t, "source"), sim_venue_name(tx->venue));
    bool buy = tx->side == SIDE_BUY;
    /* The fee payer's net changes give the exact amounts. */
    assert_int_equal(payer_native, buy ? -(int64_t)tx->sol - (int64_t)tx->fee
                                       : (int64_t)tx->sol - (int64_t)tx->fee);
    assert_int_equal(payer_tokens, buy ? (int64_t)tx->tokens : -(int64_t)tx->tokens);
    assert_int_equal(buy ? from_payer : to_payer, tx->sol);
    /* UI amounts agree with raw amounts. */
    assert_int_equal(json_get(&t, "tokenTransfers", &arr), 0);
    assert_int_equal(json_iter_init(&arr, &it), 0);
    int seen_token = 0;
    while (json_iter_next(&it, &el)) {
        double ui;
        assert_int_equal(json_get_double(&el, "tokenAmount", &ui), 0);
        assert_string_equal(get_str(&el, "tokenStandard"), "Fungible");
        get_str(&el, "fromTokenAccount");
        get_str(&el, "toTokenAccount");
        if (strcmp(get_str(&el, "mint"), mint) == 0) {
            seen_token++;
            double want = (double)tx->tokens / 1e6;
            assert_true(ui >= want * (1 - 1e-12) && ui <= want * (1 + 1e-12));
        }
    }
    assert_int_equal(seen_token, 1);
    /* events.swap agrees, except on PUMP_AMM where Helius leaves it out. */
    if (tx->venue == SIM_PUMP_AMM) {
        assert_int_equal(json_find(&ev, "swap", &swap), WT_ENOTFOUND);
    } else {
        assert_int_equal(json_get(&ev, "swap", &swap), 0);
        assert_int_equal(json_get(&swap, buy ? "nativeInput" : "nativeOutput", &x), 0);
        assert_string_equal(get_str(&x, "account"), payer);
        assert_int_equal(get_u64(&x, "amount"), tx->sol);
        assert_int_equal(json_get(&swap, buy ? "nativeOutput" : "nativeInput", &x), 0);
        assert_true(json_is_null(&x));
        assert_int_equal(json_get(&swap, buy ? "tokenOutputs" : "tokenInputs", &arr), 0);
        assert_int_equal(json_size(&arr), 1);
        assert_int_equal(json_index(&arr, 0, &el), 0);
        assert_int_equal(raw_of(&el), (int64_t)tx->tokens);
        assert_string_equal(get_str(&el, "mint"), mint);
    }

    /* Independent replay of the curve and the pool. */
    uint32_t k = tx->token;
    if (r->vs[k] == 0) {
        r->vs[k] = 30000000000ULL;
        r->vt[k] = 1073000000000000ULL;
        r->real_tokens[k] = 793100000000000ULL;
    }
    double price;
    if (tx->venue == SIM_PUMP_FUN) {
        assert_false(r->grad[k]);
        if (buy) {
            uint64_t fee = tx->sol / 100, net = tx->sol - fee;
            uint64_t out = (uint64_t)((u128)r->vt[k] * net / ((u128)r->vs[k] + net));
            assert_int_equal(tx->dex_fee, fee);
            if (out >= r->real_tokens[k]) {
                assert_int_equal(tx->tokens, r->real_tokens[k]);
                assert_true(tx->graduated);
            } else {
                assert_int_equal(tx->tokens, out);
                assert_false(tx->graduated);
            }
            r->vs[k] += net;
            r->vt[k] -= tx->tokens;
            r->real_tokens[k] -= tx->tokens;
        } else {
            uint64_t gross =
                (uint64_t)((u128)r->vs[k] * tx->tokens / ((u128)r->vt[k] + tx->tokens));
            assert_int_equal(tx->sol, gross - gross / 100);
            r->vs[k] -= gross;
            r->vt[k] += tx->tokens;
            r->real_tokens[k] += tx->tokens;
            assert_true(r->vs[k] >= 30000000000ULL);
        }
        price = (double)r->vs[k] / (double)r->vt[k] * 1e-3;
        if (r->real_tokens[k] == 0) {
            /* Graduation at the threshold: about 85 SOL of real reserves. */
            uint64_t real_sol = r->vs[k] - 30000000000ULL;
            assert_true(real_sol > 84000000000ULL && real_sol < 86000000000ULL);
            r->grad[k] = 1;
            r->ps[k] = real_sol - 6000000000ULL;
            r->pt[k] = 206900000000000ULL;
        }
    } else {
        assert_true(r->grad[k]);
        if (buy) {
            uint64_t in = tx->sol - tx->sol * 25 / 10000;
            assert_int_equal(tx->tokens, (uint64_t)((u128)r->pt[k] * in / ((u128)r->ps[k] + in)));
            r->ps[k] += tx->sol;
            r->pt[k] -= tx->tokens;
        } else {
            uint64_t in = tx->tokens - tx->tokens * 25 / 10000;
            assert_int_equal(tx->sol, (uint64_t)((u128)r->ps[k] * in / ((u128)r->pt[k] + in)));
            r->ps[k] -= tx->sol;
            r->pt[k] += tx->tokens;
        }
        price = (double)r->ps[k] / (double)r->pt[k] * 1e-3;
    }
    assert_true(tx->price >= price * (1 - 1e-12) && tx->price <= price * (1 + 1e-12));
}

/* An entry within 15 minutes of the launch (slots last 400 ms). */
#define EARLY_SLOTS (15 * 60 * 1000 / 400)

struct xfer {
    uint32_t from, to;
    uint64_t slot;
};

static void test_replay_invariants_and_truth(void **state)
{
    (void)state;
    struct scenario sc;
    small_scenario(&sc, 5);
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);
    struct replay r;
    memset(&r, 0, sizeof r);
    r.doc = json_doc_new(0);
    intern_init(&r.ids, 4096);
    intern_init(&r.holdings, 4096);
    uint32_t ntok = sim_token_count(s);
    r.vs = xcalloc(ntok, 8), r.vt = xcalloc(ntok, 8), r.real_tokens = xcalloc(ntok, 8);
    r.ps = xcalloc(ntok, 8), r.pt = xcalloc(ntok, 8), r.grad = xcalloc(ntok, 1);
    for (uint32_t w = 0; w < sim_wallet_count(s); w++) {
        uint32_t id = addr_id(&r, sim_wallet_address(s, w));
        assert_int_equal(id, w);
        r.is_wallet.v[id] = 1;
        if (sim_wallet_type(s, w) == SIM_EXCHANGE)
            r.lamports.v[id] = 100000000LL * 1000000000LL;
    }
    VEC(struct xfer) xfers = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    int64_t last_ts = 0;
    uint64_t swaps = 0, graduations = 0, venues[3] = {0};
    while (sim_next(s, &tx) == 1) {
        assert_true(tx.ts_ms >= last_ts);
        last_ts = tx.ts_ms;
        buf_reset(&json);
        assert_int_equal(sim_tx_json(s, &tx, &json), 0);
        replay_tx(&r, s, &tx, &json);
        if (tx.kind == SIM_TX_TRANSFER) {
            struct xfer x = {tx.wallet, tx.to, tx.slot};
            vec_push(&xfers, x);
        } else {
            swaps++;
            graduations += tx.graduated;
            venues[tx.venue]++;
        }
    }
    assert_true(swaps > 5000);
    assert_true(graduations >= 2);
    assert_true(venues[SIM_RAYDIUM] + venues[SIM_PUMP_AMM] > 100);

    /* Ground truth, from the truth file itself. */
    buf_reset(&json);
    assert_int_equal(sim_truth_json(s, &json), 0);
    struct json_doc *td = json_doc_new(0);
    struct json_val root, arr, el, mem, m;
    assert_int_equal(json_parse(td, json.data, json.len, 0, &root), 0);
    assert_int_equal(get_u64(&root, "seed"), 5);
    struct json_iter it, it2;

    /* Each cluster's insiders share its funder, whose transfer to each of
     * them comes before that insider's first buy. */
    size_t checked_insiders = 0;
    assert_int_equal(json_get(&root, "clusters", &arr), 0);
    assert_int_equal(json_size(&arr), 4);
    assert_int_equal(json_iter_init(&arr, &it), 0);
    while (json_iter_next(&it, &el)) {
        uint32_t funder = addr_id(&r, get_str(&el, "funder"));
        assert_int_equal(json_get(&el, "members", &mem), 0);
        assert_true(json_size(&mem) >= 3);
        assert_int_equal(json_iter_init(&mem, &it2), 0);
        while (json_iter_next(&it2, &m)) {
            const char *addr;
            assert_int_equal(json_str(&m, &addr, NULL), 0);
            uint32_t w = addr_id(&r, addr);
            assert_int_equal(sim_wallet_type(s, w), SIM_INSIDER);
            int64_t first_buy = -1;
            for (size_t h = 0; h < r.holdings.count; h++)
                if (memcmp(intern_key(&r.holdings, (uint32_t)h), intern_key(&r.ids, w), 16) == 0 &&
                    r.first_buy_slot.v[h] >= 0 &&
                    (first_buy < 0 || r.first_buy_slot.v[h] < first_buy))
                    first_buy = r.first_buy_slot.v[h];
            if (first_buy < 0)
                continue;
            int64_t funded = -1;
            for (size_t i = 0; i < xfers.len; i++)
                if (xfers.v[i].from == funder && xfers.v[i].to == w) {
                    funded = (int64_t)xfers.v[i].slot;
                    break;
                }
            assert_true(funded >= 0 && funded < first_buy);
            checked_insiders++;
        }
    }
    assert_true(checked_insiders >= 6);

    /* Wallet entries by type: snipers buy in the launch slot; skilled
     * wallets pick runners far more often than retail does. */
    assert_int_equal(json_get(&root, "tokens", &arr), 0);
    assert_int_equal(json_size(&arr), ntok);
    size_t sniper_entries = 0, runners = 0;
    size_t entries[SIM_NTYPES] = {0}, runner_entries[SIM_NTYPES] = {0};
    for (uint32_t k = 0; k < ntok; k++) {
        assert_int_equal(json_index(&arr, k, &el), 0);
        const char *mint = get_str(&el, "mint");
        assert_string_equal(mint, sim_token_mint(s, k));
        bool runner = strcmp(get_str(&el, "fate"), "runner") == 0;
        runners += runner;
        assert_true(strcmp(get_str(&el, "fate"), sim_fate_name(sim_token_fate(s, k))) == 0);
        int64_t launch_slot = (int64_t)get_u64(&el, "launch_slot");
        bool graduated;
        assert_int_equal(json_get_bool(&el, "graduated", &graduated), 0);
        assert_int_equal(graduated, r.grad[k]);
        double peak;
        assert_int_equal(json_get_double(&el, "peak_price_sol", &peak), 0);
        assert_true(peak >= 2.79e-8);
        for (uint32_t w = 0; w < sim_wallet_count(s); w++) {
            enum sim_wallet_type ty = sim_wallet_type(s, w);
            if (ty != SIM_SNIPER && ty != SIM_SKILLED && ty != SIM_RETAIL)
                continue;
            struct pubkey a, b;
            pubkey_parse(sim_wallet_address(s, w), &a);
            pubkey_parse(mint, &b);
            uint8_t key[32];
            memcpy(key, a.b, 16);
            memcpy(key + 16, b.b, 16);
            uint32_t h = intern_find(&r.holdings, key);
            if (h == INTERN_NONE || r.first_buy_slot.v[h] < 0)
                continue;
            if (r.first_buy_slot.v[h] - launch_slot > EARLY_SLOTS)
                continue; /* count early entries only */
            entries[ty]++;
            runner_entries[ty] += runner;
            if (ty == SIM_SNIPER) {
                assert_int_equal(r.first_buy_slot.v[h], launch_slot);
                sniper_entries++;
            }
        }
    }
    assert_true(sniper_entries > 20);
    assert_true(entries[SIM_SKILLED] > 30 && entries[SIM_RETAIL] > 100);
    double skilled_share = (double)runner_entries[SIM_SKILLED] / (double)entries[SIM_SKILLED];
    double retail_share = (double)runner_entries[SIM_RETAIL] / (double)entries[SIM_RETAIL];
    double base = (double)runners / ntok;
    print_message(
        "runner share of early entries: skilled %.2f retail %.2f (runners %.2f of tokens)\n",
        skilled_share, retail_share, base);
    assert_true(skilled_share > 1.5 * retail_share);
    assert_true(skilled_share > 2 * base);

    /* Wallet records: types and funders as the simulator has them. */
    assert_int_equal(json_get(&root, "wallets", &arr), 0);
    assert_int_equal(json_size(&arr), sim_wallet_count(s));
    assert_int_equal(json_iter_init(&arr, &it), 0);
    uint32_t w = 0;
    while (json_iter_next(&it, &el)) {
        assert_string_equal(get_str(&el, "address"), sim_wallet_address(s, w));
        assert_string_equal(get_str(&el, "type"), sim_wallet_type_name(sim_wallet_type(s, w)));
        struct json_val f;
        assert_int_equal(json_get(&el, "funder", &f), 0);
        assert_true(json_is_null(&f) == (sim_wallet_type(s, w) != SIM_INSIDER));
        w++;
    }

    json_doc_free(td);
    buf_release(&json);
    vec_free(&xfers);
    free(r.vs), free(r.vt), free(r.real_tokens), free(r.ps), free(r.pt), free(r.grad);
    vec_free(&r.lamports);
    vec_free(&r.is_wallet);
    vec_free(&r.is_vault);
    vec_free(&r.tokens);
    vec_free(&r.first_buy_slot);
    intern_release(&r.ids);
    intern_release(&r.holdings);
    json_doc_free(r.doc);
    sim_free(s);
}

static void test_stream_equals_file(void **state)
{
    (void)state;
    struct scenario sc;
    small_scenario(&sc, 3);
    sc.tokens_per_day = 20;
    char dir[] = "/tmp/wt_sim_stream_XXXXXX", err[256], path[256];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(sim_generate(&sc, dir, NULL, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/transactions.ndjson", dir);
    size_t n;
    char *file = slurp(path, &n);
    struct sim *s;
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);
    struct buf b;
    buf_init(&b, 0);
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1) {
        assert_int_equal(sim_tx_json(s, &tx, &b), 0);
        buf_putc(&b, '\n');
    }
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, file, n);
    buf_release(&b);
    free(file);
    sim_free(s);
    unlink(path);
    snprintf(path, sizeof path, "%s/truth.json", dir);
    unlink(path);
    rmdir(dir);
}

/* sim_tx_json writes into space it reserves up front: a transaction that
 * fits exactly in a capped buffer is written whole, one byte less gives
 * WT_EFULL and leaves what the buffer held untouched. */
static void test_tx_json_at_buffer_cap(void **state)
{
    (void)state;
    struct scenario sc;
    small_scenario(&sc, 11);
    sc.days = 2; /* enough graduations for both pools (one day may draw none to Raydium) */
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);
    struct buf full;
    buf_init(&full, 0);
    struct sim_tx tx;
    int kinds = 0;
    while (sim_next(s, &tx) == 1) {
        buf_reset(&full);
        assert_int_equal(sim_tx_json(s, &tx, &full), 0);
        assert_true(full.len > 1000);
        assert_int_equal(full.data[full.len], '\0');
        kinds |= 1 << (tx.kind == SIM_TX_TRANSFER ? 0 : 1 + tx.venue);
        for (size_t extra = 0; extra < 2; extra++) {
            struct buf capped;
            buf_init(&capped, 3 + full.len - 1 + extra);
            assert_int_equal(buf_puts(&capped, "ab,"), 0);
            int rc = sim_tx_json(s, &tx, &capped);
            if (extra) {
                assert_int_equal(rc, 0);
                assert_int_equal(capped.len, 3 + full.len);
                assert_memory_equal(capped.data + 3, full.data, full.len + 1);
            } else {
                assert_int_equal(rc, WT_EFULL);
                assert_int_equal(capped.len, 3);
                assert_string_equal(capped.data, "ab,");
            }
            buf_release(&capped);
        }
    }
    assert_int_equal(kinds, 15); /* transfers and swaps on all three venues */
    buf_release(&full);
    sim_free(s);
}

/* ---- copying on the calibrated market (docs/simulator.md) ---- */

struct launch_seen {
    int64_t ts_ms;
    uint64_t slot;
    double price; /* after the creator's opening buy */
    uint64_t sol; /* what the creator paid */
};

/* Runs sc to its end, calling fn on every swap with the token's launch. */
static void each_swap(const struct scenario *sc,
                      void (*fn)(void *ctx, const struct sim *s, const struct sim_tx *tx,
                                 const struct launch_seen *l),
                      void *ctx)
{
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(sc, &s, err, sizeof err), 0);
    VEC(struct launch_seen) seen = {0};
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1) {
        if (tx.kind != SIM_TX_SWAP)
            continue;
        while (seen.len <= tx.token)
            vec_push(&seen, (struct launch_seen){0});
        struct launch_seen *l = &seen.v[tx.token];
        if (tx.reason == SIM_R_LAUNCH)
            *l = (struct launch_seen){tx.ts_ms, tx.slot, tx.price, tx.sol};
        if (l->slot)
            fn(ctx, s, &tx, l);
    }
    vec_free(&seen);
    sim_free(s);
}

struct crowd_mix {
    uint64_t buys, sells;
};

static void count_crowd_high(void *ctx, const struct sim *s, const struct sim_tx *tx,
                             const struct launch_seen *l)
{
    struct crowd_mix *m = ctx;
    if (tx->reason != SIM_R_CROWD || sim_token_fate(s, tx->token) == SIM_RUNNER ||
        tx->price < 1.5 * l->price)
        return;
    if (tx->side == SIDE_BUY)
        m->buys++;
    else
        m->sells++;
}

/* The price-sensitive crowd: on a token that has already made 1.5x since
 * the creator's opening buy, fewer of the crowd's trades are buys with the
 * calibrated sensitivity than with none, on the same seed; runners are
 * exempt by design. */
static void test_crowd_price_sensitive(void **state)
{
    (void)state;
    struct crowd_mix m[2] = {{0}};
    const double k[2] = {0, 0.4}; /* none, and the calibrated default */
    for (int i = 0; i < 2; i++) {
        struct scenario sc;
        small_scenario(&sc, 21);
        sc.days = 2;
        sc.crowd_price_sensitivity = k[i];
        each_swap(&sc, count_crowd_high, &m[i]);
        assert_true(m[i].buys + m[i].sells > 50);
    }
    double share0 = (double)m[0].buys / (double)(m[0].buys + m[0].sells);
    double share1 = (double)m[1].buys / (double)(m[1].buys + m[1].sells);
    print_message("crowd buys above 1.5x: %.3f without sensitivity, %.3f with 0.4\n", share0,
                  share1);
    assert_true(share1 < share0 - 0.1);
}

struct bundle_check {
    uint64_t insider_buys, same_slot, rug_launches, rug_in_range;
    double lo_sol, hi_sol;
};

static void check_bundles(void *ctx, const struct sim *s, const struct sim_tx *tx,
                          const struct launch_seen *l)
{
    struct bundle_check *b = ctx;
    if (tx->reason == SIM_R_INSIDER && tx->side == SIDE_BUY) {
        b->insider_buys++;
        b->same_slot += tx->slot == l->slot;
    }
    if (tx->reason == SIM_R_LAUNCH && sim_token_fate(s, tx->token) == SIM_RUG) {
        b->rug_launches++;
        double sol = (double)tx->sol / 1e9; /* the 1% curve fee included */
        b->rug_in_range += sol >= b->lo_sol && sol <= b->hi_sol * 1.011;
    }
}

/* Calibrated: insiders buy in their launch's slot, ahead of any copier,
 * and a rug's creator opens with 4.5-12 SOL; bull keeps the earlier
 * market (0.4-4 s after the launch, 1.5-4 SOL). */
static void test_insiders_bundle_and_rug_dev_buys(void **state)
{
    (void)state;
    struct scenario sc;
    small_scenario(&sc, 22);
    struct bundle_check cal = {.lo_sol = 4.5, .hi_sol = 12};
    each_swap(&sc, check_bundles, &cal);
    assert_true(cal.insider_buys > 20);
    assert_int_equal(cal.same_slot, cal.insider_buys);
    assert_true(cal.rug_launches > 5);
    assert_int_equal(cal.rug_in_range, cal.rug_launches);

    struct scenario bull;
    assert_int_equal(scenario_preset(&bull, "bull"), 0);
    bull.seed = 22;
    bull.wallets = sc.wallets;
    bull.tokens_per_day = sc.tokens_per_day;
    bull.insider_clusters = sc.insider_clusters;
    bull.cluster_size_min = sc.cluster_size_min;
    bull.cluster_size_max = sc.cluster_size_max;
    bull.skilled = sc.skilled;
    bull.fading = sc.fading;
    bull.snipers = sc.snipers;
    bull.copy_traders = sc.copy_traders;
    bull.baiters = sc.baiters;
    bull.creators = sc.creators;
    struct bundle_check old = {.lo_sol = 1.5, .hi_sol = 4};
    each_swap(&bull, check_bundles, &old);
    assert_true(old.insider_buys > 20);
    assert_int_equal(old.same_slot, 0);
    assert_true(old.rug_launches > 5);
    assert_int_equal(old.rug_in_range, old.rug_launches);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b58_matches_reference),
        cmocka_unit_test(test_curve_graduates_at_threshold),
        cmocka_unit_test(test_scenario_parsing),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_bad_scenario_and_folder),
        cmocka_unit_test(test_stream_equals_file),
        cmocka_unit_test(test_tx_json_at_buffer_cap),
        cmocka_unit_test(test_crowd_price_sensitive),
        cmocka_unit_test(test_insiders_bundle_and_rug_dev_buys),
        cmocka_unit_test(test_replay_invariants_and_truth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
