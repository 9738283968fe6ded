/* Output of the simulator: Helius enhanced-transaction JSON for each
 * simulated transaction, truth.json, and sim_generate which writes both
 * into a folder.
 *
 * The transaction shape follows the real payloads in tests/fixtures/real:
 * a pump.fun trade moves native SOL between the trader, the bonding curve
 * and the fee account; a pool trade wraps SOL into a temporary wSOL account
 * and moves wSOL to or from the pool's vault, as Raydium and PumpSwap
 * transactions do. In both, the fee payer's nativeBalanceChange is exactly
 * -(SOL paid) - fee on a buy and +(SOL received) - fee on a sell, so a
 * decoder that works from net balance changes recovers the amounts. PUMP_AMM
 * transactions carry no events.swap, like the real ones.
 *
 * Addresses are derived from (seed, kind, index) with splitmix64 and
 * printed with solana/base58.c's word-wise encoder. */
#include "sim/sim.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/bulkfile.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "sim/sim_impl.h"
#include "solana/pubkey.h"

#define PUMP_PROGRAM     "6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P"
#define PUMP_FEE_ACCOUNT "CebN5WGQ4jvEPvsVU4EoHEpgzq1VV7AbicfhtW4xC9iM"
#define RAYDIUM_PROGRAM  "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8"
#define PUMP_AMM_PROGRAM "pAMMBay6oceH9fJKBRHGP5D4bD4sWpmSwMn52FMfXEA"
#define SYSTEM_PROGRAM   "11111111111111111111111111111111"

/* The fixed addresses in the form the writer copies. */
static const struct b58addr A_PUMP_PROGRAM = {sizeof PUMP_PROGRAM - 1, PUMP_PROGRAM};
static const struct b58addr A_PUMP_FEE = {sizeof PUMP_FEE_ACCOUNT - 1, PUMP_FEE_ACCOUNT};
static const struct b58addr A_RAYDIUM = {sizeof RAYDIUM_PROGRAM - 1, RAYDIUM_PROGRAM};
static const struct b58addr A_PUMP_AMM = {sizeof PUMP_AMM_PROGRAM - 1, PUMP_AMM_PROGRAM};
static const struct b58addr A_SYSTEM = {sizeof SYSTEM_PROGRAM - 1, SYSTEM_PROGRAM};
static const struct b58addr A_WSOL = {sizeof MINT_WSOL - 1, MINT_WSOL};

void sim_derive_address(const struct sim *s, uint64_t domain, uint64_t a, uint64_t b,
                        struct b58addr *out)
{
    uint64_t st = s->sc.seed ^ (domain * 0xd1342543de82ef95ULL) ^ (a * 0x9e3779b97f4a7c15ULL) ^
                  (b * 0xc2b2ae3d27d4eb4fULL);
    uint8_t key[32];
    for (int i = 0; i < 4; i++) {
        uint64_t v = rng_splitmix64(&st);
        for (int k = 0; k < 8; k++)
            key[8 * i + k] = (uint8_t)(v >> (56 - 8 * k));
    }
    memset(out, 0, sizeof *out);
    out->len = (uint8_t)base58_encode(key, 32, out->s, sizeof out->s);
}

/* Transactions are written straight into space reserved in the output
 * buffer, without jw: each key with its punctuation is one literal copied
 * by memcpy, and every value we print is one we generated (base58
 * addresses, digits, fixed words), so nothing needs escaping. This is about
 * seven times faster than emitting one token at a time through jw
 * (docs/performance.md, "Simulator"). The bytes are the ones jw wrote
 * before; test_sim_decode parses every transaction back. */

/* Space sim_tx_json reserves for one transaction. The largest (a pool
 * swap) is under 4 KB: some 2 KB of literals, about 40 addresses of at
 * most 44 characters, an 88-character signature and a dozen numbers of at
 * most 20 digits. Writes are still bounds-checked. */
#define TX_JSON_RESERVE 16384

/* Invariant: p <= end; over is set, and p == end, once a write did not
 * fit; nothing is written after that. Bytes in [p, end) may hold scratch
 * from fixed-size copies (addresses, the signature). */
struct emit {
    char *p, *end;
    bool over;
};

static inline void put(struct emit *e, const char *s, size_t n)
{
    if ((size_t)(e->end - e->p) < n) {
        e->over = true;
        e->p = e->end;
        return;
    }
    memcpy(e->p, s, n);
    e->p += n;
}

/* A string literal: its length is known at compile time. */
#define LIT(e, s) put((e), "" s, sizeof(s) - 1)

static inline void str(struct emit *e, const char *s)
{
    put(e, s, strlen(s));
}

/* An address: the whole array is copied, a fixed size the compiler does
 * in a few moves instead of strlen and a call to memcpy (together a fifth
 * of the rendering time), and p moves by its length; what lies past it is
 * overwritten by the next write or left beyond out->len. */
static inline void addr(struct emit *e, const struct b58addr *a)
{
    if ((size_t)(e->end - e->p) < sizeof a->s) {
        put(e, a->s, a->len);
        return;
    }
    memcpy(e->p, a->s, sizeof a->s);
    e->p += a->len;
}

static const char DIGITS2[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                              "34353637383940414243444546474849505152535455565758596061626364656667"
                              "6869707172737475767778798081828384858687888990919293949596979899";

/* Decimal digits of v, ending at end; returns where they start. */
static char *digits(uint64_t v, char *end)
{
    char *q = end;
    while (v >= 100) {
        q -= 2;
        memcpy(q, DIGITS2 + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        q -= 2;
        memcpy(q, DIGITS2 + 2 * v, 2);
    } else {
        *--q = (char)('0' + v);
    }
    return q;
}

static void u64(struct emit *e, uint64_t v)
{
    char tmp[20];
    char *q = digits(v, tmp + sizeof tmp);
    put(e, q, (size_t)(tmp + sizeof tmp - q));
}

static void i64(struct emit *e, int64_t v)
{
    char tmp[21];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *q = digits(u, tmp + sizeof tmp);
    if (v < 0)
        *--q = '-';
    put(e, q, (size_t)(tmp + sizeof tmp - q));
}

/* Exact decimal form of raw / 10^dec (dec <= 19), trailing zeros trimmed:
 * what Helius prints as a UI amount. */
static void ui(struct emit *e, uint64_t raw, int dec)
{
    uint64_t p = 1;
    for (int i = 0; i < dec; i++)
        p *= 10;
    uint64_t ip = raw / p, fp = raw % p;
    char tmp[48];
    char *end = tmp + sizeof tmp;
    if (fp) {
        while (fp % 10 == 0) {
            fp /= 10;
            dec--;
        }
        char *q = digits(fp, end);
        while (q > end - dec) /* leading zeros of the fraction */
            *--q = '0';
        *--q = '.';
        end = q;
    }
    char *q = digits(ip, end);
    put(e, q, (size_t)(tmp + sizeof tmp - q));
}

static void token_transfer(struct emit *e, const struct b58addr *from_ta,
                           const struct b58addr *to_ta, const struct b58addr *from_user,
                           const struct b58addr *to_user, uint64_t raw, int dec,
                           const struct b58addr *mint)
{
    LIT(e, "{\"fromTokenAccount\":\"");
    addr(e, from_ta);
    LIT(e, "\",\"toTokenAccount\":\"");
    addr(e, to_ta);
    LIT(e, "\",\"fromUserAccount\":\"");
    addr(e, from_user);
    LIT(e, "\",\"toUserAccount\":\"");
    addr(e, to_user);
    LIT(e, "\",\"tokenAmount\":");
    ui(e, raw, dec);
    LIT(e, ",\"mint\":\"");
    addr(e, mint);
    LIT(e, "\",\"tokenStandard\":\"Fungible\"}");
}

static void native_transfer(struct emit *e, const struct b58addr *from, const struct b58addr *to,
                            uint64_t amount)
{
    LIT(e, "{\"fromUserAccount\":\"");
    addr(e, from);
    LIT(e, "\",\"toUserAccount\":\"");
    addr(e, to);
    LIT(e, "\",\"amount\":");
    u64(e, amount);
    LIT(e, "}");
}

/* A tokenBalanceChanges entry, also the shape of events.swap's token
 * legs. */
static void token_change(struct emit *e, const struct b58addr *user, const struct b58addr *ta,
                         int64_t tokens, int dec, const struct b58addr *mint)
{
    LIT(e, "{\"userAccount\":\"");
    addr(e, user);
    LIT(e, "\",\"tokenAccount\":\"");
    addr(e, ta);
    LIT(e, "\",\"rawTokenAmount\":{\"tokenAmount\":\"");
    i64(e, tokens);
    LIT(e, "\",\"decimals\":");
    u64(e, (uint64_t)dec);
    LIT(e, "},\"mint\":\"");
    addr(e, mint);
    LIT(e, "\"}");
}

/* One accountData entry; user == NULL means no token balance change. */
static void account(struct emit *e, const struct b58addr *acct, int64_t native,
                    const struct b58addr *user, int64_t tokens, int dec, const struct b58addr *mint)
{
    LIT(e, "{\"account\":\"");
    addr(e, acct);
    LIT(e, "\",\"nativeBalanceChange\":");
    i64(e, native);
    LIT(e, ",\"tokenBalanceChanges\":[");
    if (user)
        token_change(e, user, acct, tokens, dec, mint);
    LIT(e, "]}");
}

/* The signature in base58, encoded straight into the output. */
static void signature(struct emit *e, const struct sim_tx *tx)
{
    if ((size_t)(e->end - e->p) < BASE58_SIG_MAX) {
        char sig[BASE58_SIG_MAX];
        int n = base58_encode(tx->sig.b, sizeof tx->sig.b, sig, sizeof sig);
        put(e, sig, (size_t)n);
        return;
    }
    int n = base58_encode(tx->sig.b, sizeof tx->sig.b, e->p, BASE58_SIG_MAX);
    e->p += n;
}

/* From "description" to "timestamp"; the description is written by the
 * caller between the two parts. */
static void header_start(struct emit *e)
{
    LIT(e, "[{\"description\":\"");
}

static void header_end(struct emit *e, const struct sim_tx *tx, const char *type,
                       const char *source, const struct b58addr *payer)
{
    LIT(e, "\",\"type\":\"");
    str(e, type);
    LIT(e, "\",\"source\":\"");
    str(e, source);
    LIT(e, "\",\"fee\":");
    u64(e, tx->fee);
    LIT(e, ",\"feePayer\":\"");
    addr(e, payer);
    LIT(e, "\",\"signature\":\"");
    signature(e, tx);
    LIT(e, "\",\"slot\":");
    u64(e, tx->slot);
    LIT(e, ",\"timestamp\":");
    i64(e, tx->ts_ms / 1000);
}

/* From "transactionError" to the end of "instructions". */
static void instruction(struct emit *e, const struct b58addr *program,
                        const struct b58addr *const *accts, int n)
{
    LIT(e, ",\"transactionError\":null,\"instructions\":[{\"accounts\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            LIT(e, ",");
        LIT(e, "\"");
        addr(e, accts[i]);
        LIT(e, "\"");
    }
    LIT(e, "],\"data\":\"\",\"programId\":\"");
    addr(e, program);
    LIT(e, "\",\"innerInstructions\":[]}]");
}

static void write_transfer(const struct sim *s, const struct sim_tx *tx, struct emit *e)
{
    const struct b58addr *from = &s->wallets.v[tx->wallet].addr, *to = &s->wallets.v[tx->to].addr;
    header_start(e);
    addr(e, from);
    LIT(e, " transferred ");
    ui(e, tx->sol, 9);
    LIT(e, " SOL to ");
    addr(e, to);
    LIT(e, ".");
    header_end(e, tx, "TRANSFER", "SYSTEM_PROGRAM", from);
    LIT(e, ",\"tokenTransfers\":[],\"nativeTransfers\":[");
    native_transfer(e, from, to, tx->sol);
    LIT(e, "],\"accountData\":[");
    account(e, from, -(int64_t)(tx->sol + tx->fee), NULL, 0, 0, NULL);
    LIT(e, ",");
    account(e, to, (int64_t)tx->sol, NULL, 0, 0, NULL);
    LIT(e, ",");
    account(e, &A_SYSTEM, 0, NULL, 0, 0, NULL);
    LIT(e, "]");
    const struct b58addr *accts[] = {from, to};
    instruction(e, &A_SYSTEM, accts, 2);
    LIT(e, ",\"events\":{}}]");
}

/* events.swap's nativeInput or nativeOutput. */
static void native_leg(struct emit *e, bool set, const struct b58addr *user, int64_t lamports)
{
    if (!set) {
        LIT(e, "null");
        return;
    }
    LIT(e, "{\"account\":\"");
    addr(e, user);
    LIT(e, "\",\"amount\":\"");
    i64(e, lamports);
    LIT(e, "\"}");
}

static void write_swap(const struct sim *s, const struct sim_tx *tx, struct emit *e)
{
    const struct token *T = &s->tokens.v[tx->token];
    const struct b58addr *user = &s->wallets.v[tx->wallet].addr, *mint = &T->mint;
    bool buy = tx->side == SIDE_BUY;
    struct b58addr ata;
    const struct b58addr *uta = &ata;
    sim_derive_address(s, SIM_DOMAIN_ATA, tx->wallet, tx->token, &ata);
    header_start(e);
    addr(e, user);
    LIT(e, " swapped ");
    if (buy) {
        ui(e, tx->sol, 9);
        LIT(e, " SOL for ");
        ui(e, tx->tokens, CURVE_TOKEN_DECIMALS);
        LIT(e, " ");
        addr(e, mint);
    } else {
        ui(e, tx->tokens, CURVE_TOKEN_DECIMALS);
        LIT(e, " ");
        addr(e, mint);
        LIT(e, " for ");
        ui(e, tx->sol, 9);
        LIT(e, " SOL");
    }
    header_end(e, tx, "SWAP", sim_venue_name(tx->venue), user);
    int64_t tokens = (int64_t)tx->tokens, lamports = (int64_t)tx->sol;
    int64_t payer = buy ? -lamports - (int64_t)tx->fee : lamports - (int64_t)tx->fee;

    if (tx->venue == SIM_PUMP_FUN) {
        const struct b58addr *curve = &T->curve_acct, *vault = &T->curve_vault;
        int64_t fee = (int64_t)tx->dex_fee;
        LIT(e, ",\"tokenTransfers\":[");
        if (buy)
            token_transfer(e, vault, uta, curve, user, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
        else
            token_transfer(e, uta, vault, user, curve, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
        LIT(e, "],\"nativeTransfers\":[");
        if (buy) {
            native_transfer(e, user, curve, tx->sol - tx->dex_fee);
            LIT(e, ",");
            native_transfer(e, user, &A_PUMP_FEE, tx->dex_fee);
        } else {
            native_transfer(e, curve, user, tx->sol);
            LIT(e, ",");
            native_transfer(e, curve, &A_PUMP_FEE, tx->dex_fee);
        }
        LIT(e, "],\"accountData\":[");
        account(e, user, payer, NULL, 0, 0, NULL);
        LIT(e, ",");
        account(e, uta, 0, user, buy ? tokens : -tokens, CURVE_TOKEN_DECIMALS, mint);
        LIT(e, ",");
        account(e, curve, buy ? lamports - fee : -(lamports + fee), NULL, 0, 0, NULL);
        LIT(e, ",");
        account(e, vault, 0, curve, buy ? -tokens : tokens, CURVE_TOKEN_DECIMALS, mint);
        LIT(e, ",");
        account(e, &A_PUMP_FEE, fee, NULL, 0, 0, NULL);
        LIT(e, ",");
        account(e, &A_PUMP_PROGRAM, 0, NULL, 0, 0, NULL);
        LIT(e, "]");
        const struct b58addr *accts[] = {user, curve, vault, uta, mint};
        instruction(e, &A_PUMP_PROGRAM, accts, 5);
    } else {
        const struct b58addr *pool = &T->pool_acct, *vault = &T->pool_vault, *wsolv = &T->pool_wsol;
        struct b58addr wsoltmp;
        const struct b58addr *tmp = &wsoltmp;
        sim_derive_address(s, SIM_DOMAIN_WSOLTMP, tx->wallet, tx->token, &wsoltmp);
        LIT(e, ",\"tokenTransfers\":[");
        if (buy) {
            token_transfer(e, tmp, wsolv, user, pool, tx->sol, 9, &A_WSOL);
            LIT(e, ",");
            token_transfer(e, vault, uta, pool, user, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
        } else {
            token_transfer(e, uta, vault, user, pool, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
            LIT(e, ",");
            token_transfer(e, wsolv, tmp, pool, user, tx->sol, 9, &A_WSOL);
        }
        LIT(e, "],\"nativeTransfers\":[");
        if (buy)
            native_transfer(e, user, tmp, tx->sol);
        else
            native_transfer(e, tmp, user, tx->sol);
        LIT(e, "],\"accountData\":[");
        account(e, user, payer, NULL, 0, 0, NULL);
        LIT(e, ",");
        account(e, tmp, 0, NULL, 0, 0, NULL);
        LIT(e, ",");
        account(e, uta, 0, user, buy ? tokens : -tokens, CURVE_TOKEN_DECIMALS, mint);
        LIT(e, ",");
        account(e, wsolv, buy ? lamports : -lamports, pool, buy ? lamports : -lamports, 9, &A_WSOL);
        LIT(e, ",");
        account(e, vault, 0, pool, buy ? -tokens : tokens, CURVE_TOKEN_DECIMALS, mint);
        LIT(e, ",");
        const struct b58addr *program = tx->venue == SIM_RAYDIUM ? &A_RAYDIUM : &A_PUMP_AMM;
        account(e, program, 0, NULL, 0, 0, NULL);
        LIT(e, "]");
        const struct b58addr *accts[] = {user, pool, vault, wsolv, uta, tmp, mint};
        instruction(e, program, accts, 7);
    }

    if (tx->venue == SIM_PUMP_AMM) { /* PumpSwap trades arrive without events.swap */
        LIT(e, ",\"events\":{}}]");
        return;
    }
    LIT(e, ",\"events\":{\"swap\":{\"nativeInput\":");
    native_leg(e, buy, user, lamports);
    LIT(e, ",\"nativeOutput\":");
    native_leg(e, !buy, user, lamports);
    LIT(e, ",\"tokenInputs\":[");
    if (!buy)
        token_change(e, user, uta, tokens, CURVE_TOKEN_DECIMALS, mint);
    LIT(e, "],\"tokenOutputs\":[");
    if (buy)
        token_change(e, user, uta, tokens, CURVE_TOKEN_DECIMALS, mint);
    LIT(e, "],\"nativeFees\":[],\"tokenFees\":[],\"innerSwaps\":[]}}}]");
}

int sim_tx_json(const struct sim *s, const struct sim_tx *tx, struct buf *out)
{
    /* Reserve the usual bound; near out's cap, whatever room is left (the
     * bounds check then reports a transaction that does not fit). */
    size_t room = TX_JSON_RESERVE;
    if (buf_reserve(out, room) != 0) {
        room = out->max - out->len;
        if (buf_reserve(out, room) != 0)
            return WT_EFULL;
    }
    struct emit e = {out->data + out->len, out->data + out->len + room, false};
    if (tx->kind == SIM_TX_TRANSFER)
        write_transfer(s, tx, &e);
    else
        write_swap(s, tx, &e);
    if (e.over) {
        out->data[out->len] = '\0';
        return WT_EFULL;
    }
    out->len = (size_t)(e.p - out->data);
    out->data[out->len] = '\0';
    return 0;
}

static void kaddr_or_null(struct jw *w, const char *key, const struct sim *s, uint32_t wallet)
{
    jw_kstr(w, key, wallet == SIM_NONE ? NULL : s->wallets.v[wallet].addr.s);
}

static void ktime_or_null(struct jw *w, const char *key, int64_t ms, bool set)
{
    jw_key(w, key);
    if (set)
        jw_i64(w, ms / 1000);
    else
        jw_null(w);
}

int sim_truth_json(const struct sim *s, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_kstr(&w, "format", "walltrack-sim-truth");
    jw_ku64(&w, "version", 1);
    jw_ku64(&w, "seed", s->sc.seed);
    jw_key(&w, "scenario");
    scenario_write_json(&s->sc, &w);
    jw_ki64(&w, "start_time", s->start_ms / 1000);
    jw_ki64(&w, "end_time", s->end_ms / 1000);
    jw_ku64(&w, "start_slot", s->sc.start_slot);
    jw_kobj_begin(&w, "stats");
    jw_ku64(&w, "swaps", s->stats.swaps);
    jw_ku64(&w, "transfers", s->stats.transfers);
    jw_ku64(&w, "tokens_launched", s->stats.tokens);
    jw_ku64(&w, "graduated", s->stats.graduated);
    jw_ku64(&w, "skipped_orders", s->stats.skipped);
    jw_obj_end(&w);
    jw_kobj_begin(&w, "accounts");
    jw_kstr(&w, "pump_fun_program", PUMP_PROGRAM);
    jw_kstr(&w, "pump_fun_fee_account", PUMP_FEE_ACCOUNT);
    jw_kstr(&w, "raydium_program", RAYDIUM_PROGRAM);
    jw_kstr(&w, "pump_amm_program", PUMP_AMM_PROGRAM);
    jw_obj_end(&w);

    /* Open positions at each token's last price (SOL per whole token, 6
     * decimals), per wallet. */
    double *open = xcalloc(s->wallets.len ? s->wallets.len : 1, sizeof *open);
    for (size_t i = 0; i < s->holdings.len; i++) {
        const struct holding *H = &s->holdings.v[i];
        if (H->amount == 0)
            continue;
        const struct token *T = &s->tokens.v[H->token];
        double price = T->venue == SIM_PUMP_FUN ? curve_price(&T->curve) : pool_price(&T->pool);
        open[H->wallet] += (double)H->amount / 1e6 * price * 1e9;
    }
    jw_karr_begin(&w, "wallets");
    for (size_t i = 0; i < s->wallets.len; i++) {
        const struct sim_wallet *W = &s->wallets.v[i];
        jw_obj_begin(&w);
        jw_kstr(&w, "address", W->addr.s);
        jw_kstr(&w, "type", sim_wallet_type_name((enum sim_wallet_type)W->type));
        jw_key(&w, "cluster");
        if (W->cluster >= 0)
            jw_i64(&w, W->cluster);
        else
            jw_null(&w);
        kaddr_or_null(&w, "funder", s, W->funder);
        kaddr_or_null(&w, "funded_by", s, W->source);
        jw_kdouble(&w, "skill", W->type == SIM_SKILLED || W->type == SIM_FADING ? W->skill : 0);
        ktime_or_null(&w, "fade_time", W->fade_ms, W->type == SIM_FADING);
        jw_karr_begin(&w, "follows");
        for (uint32_t j = 0; j < W->nleaders; j++)
            jw_str(&w, s->wallets.v[W->leader[j]].addr.s);
        jw_arr_end(&w);
        jw_ku64(&w, "initial_lamports", W->type == SIM_EXCHANGE ? 100000000ULL * 1000000000ULL : 0);
        jw_ku64(&w, "swaps", W->swaps);
        jw_ku64(&w, "spent_lamports", W->spent);
        jw_ku64(&w, "received_lamports", W->received);
        jw_ku64(&w, "fees_lamports", W->fees);
        jw_ku64(&w, "open_value_lamports", (uint64_t)open[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    free(open);

    jw_karr_begin(&w, "clusters");
    for (size_t c = 0; c < s->cluster_funder.len; c++) {
        jw_obj_begin(&w);
        jw_ku64(&w, "id", c);
        jw_kstr(&w, "funder", s->wallets.v[s->cluster_funder.v[c]].addr.s);
        jw_karr_begin(&w, "members");
        for (uint32_t i = s->cluster_off.v[c]; i < s->cluster_off.v[c + 1]; i++)
            jw_str(&w, s->wallets.v[s->cluster_members.v[i]].addr.s);
        jw_arr_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);

    jw_karr_begin(&w, "tokens");
    for (size_t i = 0; i < s->tokens.len; i++) {
        const struct token *T = &s->tokens.v[i];
        if (!T->launched)
            continue;
        jw_obj_begin(&w);
        jw_kstr(&w, "mint", T->mint.s);
        jw_kstr(&w, "fate", sim_fate_name((enum sim_fate)T->fate));
        jw_kstr(&w, "creator", s->wallets.v[T->creator].addr.s);
        jw_key(&w, "cluster");
        if (T->cluster >= 0)
            jw_i64(&w, T->cluster);
        else
            jw_null(&w);
        jw_ki64(&w, "launch_time", T->launch_ms / 1000);
        jw_ku64(&w, "launch_slot", T->launch_slot);
        jw_kdouble(&w, "launch_price_sol", T->launch_price);
        jw_ki64(&w, "peak_time", T->peak_ms / 1000);
        jw_kdouble(&w, "peak_price_sol", T->peak_price);
        jw_kdouble(&w, "peak_multiple", T->peak_price / T->launch_price);
        jw_ki64(&w, "pump_end_time", T->pump_end_ms / 1000);
        jw_ki64(&w, "last_trade_time", T->last_trade_ms / 1000);
        jw_ku64(&w, "swaps", T->swaps);
        jw_ku64(&w, "early_buyers", T->early_buyers);
        jw_ku64(&w, "early_bots", T->early_bots);
        jw_kstr(&w, "bonding_curve", T->curve_acct.s);
        jw_kbool(&w, "graduated", T->graduated);
        ktime_or_null(&w, "graduation_time", T->grad_ms, T->graduated);
        jw_key(&w, "pool");
        if (T->graduated) {
            jw_obj_begin(&w);
            jw_kstr(&w, "source", sim_venue_name((enum sim_venue)T->venue));
            jw_kstr(&w, "address", T->pool_acct.s);
            jw_kstr(&w, "token_vault", T->pool_vault.s);
            jw_kstr(&w, "wsol_vault", T->pool_wsol.s);
            jw_ku64(&w, "initial_sol", T->pool_sol0);
            jw_ku64(&w, "initial_tokens", T->pool_tokens0);
            jw_obj_end(&w);
        } else {
            jw_null(&w);
        }
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    return jw_finish(&w);
}

static int write_all(FILE *f, const struct buf *b)
{
    return fwrite(b->data, 1, b->len, f) == b->len ? 0 : WT_EIO;
}

int sim_generate(const struct scenario *sc, const char *dir, struct sim_stats *stats, char *err,
                 size_t errsize)
{
    struct sim *s = NULL;
    struct bulkfile *bf = NULL;
    FILE *f = NULL;
    struct buf b;
    buf_init(&b, 0);
    char path[4096];
    int rc = sim_new(sc, &s, err, errsize);
    if (rc)
        goto out;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errsize, "cannot create %s: %s", dir, strerror(errno));
        rc = WT_EIO;
        goto out;
    }
    if (snprintf(path, sizeof path, "%s/transactions.ndjson", dir) >= (int)sizeof path) {
        snprintf(err, errsize, "output folder name too long");
        rc = WT_EINVAL;
        goto out;
    }
    /* Hundreds of megabytes: bulkfile skips the page-cache copy. */
    if (bulkfile_open(path, 0, &bf) != 0) {
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno));
        rc = WT_EIO;
        goto out;
    }
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1) {
        buf_reset(&b);
        if ((rc = sim_tx_json(s, &tx, &b)) || (rc = buf_putc(&b, '\n')) ||
            (rc = bulkfile_write(bf, b.data, b.len)))
            goto io;
    }
    rc = bulkfile_close(bf);
    bf = NULL;
    if (rc)
        goto io;
    buf_reset(&b);
    snprintf(path, sizeof path, "%s/truth.json", dir);
    if ((rc = sim_truth_json(s, &b)) || (rc = buf_putc(&b, '\n')))
        goto io;
    f = fopen(path, "wb");
    if (!f || (rc = write_all(f, &b))) {
        rc = WT_EIO;
        goto io;
    }
    rc = fclose(f) == 0 ? 0 : WT_EIO;
    f = NULL;
    if (rc)
        goto io;
    if (stats)
        sim_stats(s, stats);
    goto out;
io:
    snprintf(err, errsize, "writing %s: %s", path,
             rc == WT_EIO ? strerror(errno) : wt_strerror(rc));
out:
    if (f)
        fclose(f);
    bulkfile_close(bf);
    buf_release(&b);
    sim_free(s);
    return rc;
}
