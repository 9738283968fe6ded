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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/jw.h"
#include "sim/sim_impl.h"
#include "solana/pubkey.h"

#define PUMP_PROGRAM     "6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P"
#define PUMP_FEE_ACCOUNT "CebN5WGQ4jvEPvsVU4EoHEpgzq1VV7AbicfhtW4xC9iM"
#define RAYDIUM_PROGRAM  "675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8"
#define PUMP_AMM_PROGRAM "pAMMBay6oceH9fJKBRHGP5D4bD4sWpmSwMn52FMfXEA"
#define SYSTEM_PROGRAM   "11111111111111111111111111111111"

void sim_derive_address(const struct sim *s, uint64_t domain, uint64_t a, uint64_t b,
                        char out[BASE58_KEY_MAX])
{
    uint64_t st = s->sc.seed ^ (domain * 0xd1342543de82ef95ULL) ^ (a * 0x9e3779b97f4a7c15ULL) ^
                  (b * 0xc2b2ae3d27d4eb4fULL);
    uint8_t key[32];
    for (int i = 0; i < 4; i++) {
        uint64_t v = rng_splitmix64(&st);
        for (int k = 0; k < 8; k++)
            key[8 * i + k] = (uint8_t)(v >> (56 - 8 * k));
    }
    base58_encode(key, 32, out, BASE58_KEY_MAX);
}

/* Exact decimal form of raw / 10^dec, trailing zeros trimmed. */
static size_t fmt_ui(uint64_t raw, int dec, char *out)
{
    uint64_t p = 1;
    for (int i = 0; i < dec; i++)
        p *= 10;
    uint64_t ip = raw / p, fp = raw % p;
    char tmp[24];
    size_t n = 0, len = 0;
    do {
        tmp[n++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    while (n)
        out[len++] = tmp[--n];
    if (fp) {
        out[len++] = '.';
        for (int i = dec - 1; i >= 0; i--) {
            out[len + (size_t)i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        len += (size_t)dec;
        while (out[len - 1] == '0')
            len--;
    }
    out[len] = '\0';
    return len;
}

static size_t fmt_i64(int64_t v, char *out)
{
    char tmp[24];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}

/* Writes key and a string we generated ourselves (base58 addresses,
 * descriptions of base58, digits, spaces and dots): nothing in it needs
 * escaping, so it goes out quoted as it is, skipping jw's escape scan on
 * most of the bytes of a transaction. */
static void kplain(struct jw *w, const char *key, const char *s)
{
    char tmp[320];
    size_t n = strlen(s);
    if (n + 2 > sizeof tmp) {
        jw_kstr(w, key, s);
        return;
    }
    tmp[0] = '"';
    memcpy(tmp + 1, s, n);
    tmp[n + 1] = '"';
    jw_key(w, key);
    jw_raw(w, tmp, n + 2);
}

static void ui_number(struct jw *w, const char *key, uint64_t raw, int dec)
{
    char num[48];
    size_t n = fmt_ui(raw, dec, num);
    jw_key(w, key);
    jw_raw(w, num, n);
}

static void raw_amount(struct jw *w, int64_t v, int dec)
{
    char num[24];
    fmt_i64(v, num);
    jw_key(w, "rawTokenAmount");
    jw_obj_begin(w);
    kplain(w, "tokenAmount", num);
    jw_ku64(w, "decimals", (uint64_t)dec);
    jw_obj_end(w);
}

static void token_transfer(struct jw *w, const char *from_ta, const char *to_ta,
                           const char *from_user, const char *to_user, uint64_t raw, int dec,
                           const char *mint)
{
    jw_obj_begin(w);
    kplain(w, "fromTokenAccount", from_ta);
    kplain(w, "toTokenAccount", to_ta);
    kplain(w, "fromUserAccount", from_user);
    kplain(w, "toUserAccount", to_user);
    ui_number(w, "tokenAmount", raw, dec);
    kplain(w, "mint", mint);
    jw_kstr(w, "tokenStandard", "Fungible");
    jw_obj_end(w);
}

static void native_transfer(struct jw *w, const char *from, const char *to, uint64_t amount)
{
    jw_obj_begin(w);
    kplain(w, "fromUserAccount", from);
    kplain(w, "toUserAccount", to);
    jw_ku64(w, "amount", amount);
    jw_obj_end(w);
}

/* One accountData entry; user == NULL means no token balance change. */
static void account(struct jw *w, const char *acct, int64_t native, const char *user,
                    int64_t tokens, int dec, const char *mint)
{
    jw_obj_begin(w);
    kplain(w, "account", acct);
    jw_ki64(w, "nativeBalanceChange", native);
    jw_key(w, "tokenBalanceChanges");
    jw_arr_begin(w);
    if (user) {
        jw_obj_begin(w);
        kplain(w, "userAccount", user);
        kplain(w, "tokenAccount", acct);
        raw_amount(w, tokens, dec);
        kplain(w, "mint", mint);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
}

static void swap_leg(struct jw *w, const char *user, const char *ta, uint64_t raw, const char *mint)
{
    jw_obj_begin(w);
    kplain(w, "userAccount", user);
    kplain(w, "tokenAccount", ta);
    raw_amount(w, (int64_t)raw, CURVE_TOKEN_DECIMALS);
    kplain(w, "mint", mint);
    jw_obj_end(w);
}

static void header(struct jw *w, const struct sim_tx *tx, const char *desc, const char *type,
                   const char *source, const char *payer)
{
    char sig[BASE58_SIG_MAX];
    base58_encode(tx->sig.b, sizeof tx->sig.b, sig, sizeof sig);
    kplain(w, "description", desc);
    kplain(w, "type", type);
    kplain(w, "source", source);
    jw_ku64(w, "fee", tx->fee);
    kplain(w, "feePayer", payer);
    kplain(w, "signature", sig);
    jw_ku64(w, "slot", tx->slot);
    jw_ki64(w, "timestamp", tx->ts_ms / 1000);
}

static void instruction(struct jw *w, const char *program, const char *const *accts, int n)
{
    jw_key(w, "instructions");
    jw_arr_begin(w);
    jw_obj_begin(w);
    jw_key(w, "accounts");
    jw_arr_begin(w);
    for (int i = 0; i < n; i++)
        jw_str(w, accts[i]);
    jw_arr_end(w);
    jw_kstr(w, "data", "");
    kplain(w, "programId", program);
    jw_key(w, "innerInstructions");
    jw_arr_begin(w);
    jw_arr_end(w);
    jw_obj_end(w);
    jw_arr_end(w);
}

static void write_transfer(const struct sim *s, const struct sim_tx *tx, struct jw *w)
{
    const char *from = s->wallets.v[tx->wallet].addr, *to = s->wallets.v[tx->to].addr;
    char desc[160], sol[32];
    fmt_ui(tx->sol, 9, sol);
    snprintf(desc, sizeof desc, "%s transferred %s SOL to %s.", from, sol, to);
    header(w, tx, desc, "TRANSFER", "SYSTEM_PROGRAM", from);
    jw_key(w, "tokenTransfers");
    jw_arr_begin(w);
    jw_arr_end(w);
    jw_key(w, "nativeTransfers");
    jw_arr_begin(w);
    native_transfer(w, from, to, tx->sol);
    jw_arr_end(w);
    jw_key(w, "accountData");
    jw_arr_begin(w);
    account(w, from, -(int64_t)(tx->sol + tx->fee), NULL, 0, 0, NULL);
    account(w, to, (int64_t)tx->sol, NULL, 0, 0, NULL);
    account(w, SYSTEM_PROGRAM, 0, NULL, 0, 0, NULL);
    jw_arr_end(w);
    jw_key(w, "transactionError");
    jw_null(w);
    const char *accts[] = {from, to};
    instruction(w, SYSTEM_PROGRAM, accts, 2);
    jw_key(w, "events");
    jw_obj_begin(w);
    jw_obj_end(w);
}

static void write_swap(const struct sim *s, const struct sim_tx *tx, struct jw *w)
{
    const struct token *T = &s->tokens.v[tx->token];
    const char *user = s->wallets.v[tx->wallet].addr, *mint = T->mint;
    bool buy = tx->side == SIDE_BUY;
    char uta[BASE58_KEY_MAX], sol[32], tok[32], desc[256];
    sim_derive_address(s, SIM_DOMAIN_ATA, tx->wallet, tx->token, uta);
    fmt_ui(tx->sol, 9, sol);
    fmt_ui(tx->tokens, CURVE_TOKEN_DECIMALS, tok);
    if (buy)
        snprintf(desc, sizeof desc, "%s swapped %s SOL for %s %s", user, sol, tok, mint);
    else
        snprintf(desc, sizeof desc, "%s swapped %s %s for %s SOL", user, tok, mint, sol);
    const char *source = sim_venue_name(tx->venue);
    header(w, tx, desc, "SWAP", source, user);
    int64_t tokens = (int64_t)tx->tokens, lamports = (int64_t)tx->sol;
    int64_t payer = buy ? -lamports - (int64_t)tx->fee : lamports - (int64_t)tx->fee;

    if (tx->venue == SIM_PUMP_FUN) {
        const char *curve = T->curve_acct, *vault = T->curve_vault;
        int64_t fee = (int64_t)tx->dex_fee;
        jw_key(w, "tokenTransfers");
        jw_arr_begin(w);
        if (buy)
            token_transfer(w, vault, uta, curve, user, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
        else
            token_transfer(w, uta, vault, user, curve, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
        jw_arr_end(w);
        jw_key(w, "nativeTransfers");
        jw_arr_begin(w);
        if (buy) {
            native_transfer(w, user, curve, tx->sol - tx->dex_fee);
            native_transfer(w, user, PUMP_FEE_ACCOUNT, tx->dex_fee);
        } else {
            native_transfer(w, curve, user, tx->sol);
            native_transfer(w, curve, PUMP_FEE_ACCOUNT, tx->dex_fee);
        }
        jw_arr_end(w);
        jw_key(w, "accountData");
        jw_arr_begin(w);
        account(w, user, payer, NULL, 0, 0, NULL);
        account(w, uta, 0, user, buy ? tokens : -tokens, CURVE_TOKEN_DECIMALS, mint);
        account(w, curve, buy ? lamports - fee : -(lamports + fee), NULL, 0, 0, NULL);
        account(w, vault, 0, curve, buy ? -tokens : tokens, CURVE_TOKEN_DECIMALS, mint);
        account(w, PUMP_FEE_ACCOUNT, fee, NULL, 0, 0, NULL);
        account(w, PUMP_PROGRAM, 0, NULL, 0, 0, NULL);
        jw_arr_end(w);
        jw_key(w, "transactionError");
        jw_null(w);
        const char *accts[] = {user, curve, vault, uta, mint};
        instruction(w, PUMP_PROGRAM, accts, 5);
    } else {
        const char *pool = T->pool_acct, *vault = T->pool_vault, *wsolv = T->pool_wsol;
        char tmp[BASE58_KEY_MAX];
        sim_derive_address(s, SIM_DOMAIN_WSOLTMP, tx->wallet, tx->token, tmp);
        jw_key(w, "tokenTransfers");
        jw_arr_begin(w);
        if (buy) {
            token_transfer(w, tmp, wsolv, user, pool, tx->sol, 9, MINT_WSOL);
            token_transfer(w, vault, uta, pool, user, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
        } else {
            token_transfer(w, uta, vault, user, pool, tx->tokens, CURVE_TOKEN_DECIMALS, mint);
            token_transfer(w, wsolv, tmp, pool, user, tx->sol, 9, MINT_WSOL);
        }
        jw_arr_end(w);
        jw_key(w, "nativeTransfers");
        jw_arr_begin(w);
        if (buy)
            native_transfer(w, user, tmp, tx->sol);
        else
            native_transfer(w, tmp, user, tx->sol);
        jw_arr_end(w);
        jw_key(w, "accountData");
        jw_arr_begin(w);
        account(w, user, payer, NULL, 0, 0, NULL);
        account(w, tmp, 0, NULL, 0, 0, NULL);
        account(w, uta, 0, user, buy ? tokens : -tokens, CURVE_TOKEN_DECIMALS, mint);
        account(w, wsolv, buy ? lamports : -lamports, pool, buy ? lamports : -lamports, 9,
                MINT_WSOL);
        account(w, vault, 0, pool, buy ? -tokens : tokens, CURVE_TOKEN_DECIMALS, mint);
        const char *program = tx->venue == SIM_RAYDIUM ? RAYDIUM_PROGRAM : PUMP_AMM_PROGRAM;
        account(w, program, 0, NULL, 0, 0, NULL);
        jw_arr_end(w);
        jw_key(w, "transactionError");
        jw_null(w);
        const char *accts[] = {user, pool, vault, wsolv, uta, tmp, mint};
        instruction(w, program, accts, 7);
    }

    jw_key(w, "events");
    jw_obj_begin(w);
    if (tx->venue != SIM_PUMP_AMM) { /* PumpSwap trades arrive without events.swap */
        char amt[24];
        fmt_i64(lamports, amt);
        jw_key(w, "swap");
        jw_obj_begin(w);
        jw_key(w, "nativeInput");
        if (buy) {
            jw_obj_begin(w);
            kplain(w, "account", user);
            kplain(w, "amount", amt);
            jw_obj_end(w);
        } else {
            jw_null(w);
        }
        jw_key(w, "nativeOutput");
        if (!buy) {
            jw_obj_begin(w);
            kplain(w, "account", user);
            kplain(w, "amount", amt);
            jw_obj_end(w);
        } else {
            jw_null(w);
        }
        jw_key(w, "tokenInputs");
        jw_arr_begin(w);
        if (!buy)
            swap_leg(w, user, uta, tx->tokens, mint);
        jw_arr_end(w);
        jw_key(w, "tokenOutputs");
        jw_arr_begin(w);
        if (buy)
            swap_leg(w, user, uta, tx->tokens, mint);
        jw_arr_end(w);
        jw_key(w, "nativeFees");
        jw_arr_begin(w);
        jw_arr_end(w);
        jw_key(w, "tokenFees");
        jw_arr_begin(w);
        jw_arr_end(w);
        jw_key(w, "innerSwaps");
        jw_arr_begin(w);
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_obj_end(w);
}

int sim_tx_json(const struct sim *s, const struct sim_tx *tx, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_arr_begin(&w);
    jw_obj_begin(&w);
    if (tx->kind == SIM_TX_TRANSFER)
        write_transfer(s, tx, &w);
    else
        write_swap(s, tx, &w);
    jw_obj_end(&w);
    jw_arr_end(&w);
    return jw_finish(&w);
}

static void kaddr_or_null(struct jw *w, const char *key, const struct sim *s, uint32_t wallet)
{
    jw_kstr(w, key, wallet == SIM_NONE ? NULL : s->wallets.v[wallet].addr);
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
    jw_key(&w, "stats");
    jw_obj_begin(&w);
    jw_ku64(&w, "swaps", s->stats.swaps);
    jw_ku64(&w, "transfers", s->stats.transfers);
    jw_ku64(&w, "tokens_launched", s->stats.tokens);
    jw_ku64(&w, "graduated", s->stats.graduated);
    jw_ku64(&w, "skipped_orders", s->stats.skipped);
    jw_obj_end(&w);
    jw_key(&w, "accounts");
    jw_obj_begin(&w);
    jw_kstr(&w, "pump_fun_program", PUMP_PROGRAM);
    jw_kstr(&w, "pump_fun_fee_account", PUMP_FEE_ACCOUNT);
    jw_kstr(&w, "raydium_program", RAYDIUM_PROGRAM);
    jw_kstr(&w, "pump_amm_program", PUMP_AMM_PROGRAM);
    jw_obj_end(&w);

    jw_key(&w, "wallets");
    jw_arr_begin(&w);
    for (size_t i = 0; i < s->wallets.len; i++) {
        const struct wallet *W = &s->wallets.v[i];
        jw_obj_begin(&w);
        jw_kstr(&w, "address", W->addr);
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
        jw_key(&w, "follows");
        jw_arr_begin(&w);
        for (uint32_t j = 0; j < W->nleaders; j++)
            jw_str(&w, s->wallets.v[W->leader[j]].addr);
        jw_arr_end(&w);
        jw_ku64(&w, "initial_lamports", W->type == SIM_EXCHANGE ? 100000000ULL * 1000000000ULL : 0);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);

    jw_key(&w, "clusters");
    jw_arr_begin(&w);
    for (size_t c = 0; c < s->cluster_funder.len; c++) {
        jw_obj_begin(&w);
        jw_ku64(&w, "id", c);
        jw_kstr(&w, "funder", s->wallets.v[s->cluster_funder.v[c]].addr);
        jw_key(&w, "members");
        jw_arr_begin(&w);
        for (uint32_t i = s->cluster_off.v[c]; i < s->cluster_off.v[c + 1]; i++)
            jw_str(&w, s->wallets.v[s->cluster_members.v[i]].addr);
        jw_arr_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);

    jw_key(&w, "tokens");
    jw_arr_begin(&w);
    for (size_t i = 0; i < s->tokens.len; i++) {
        const struct token *T = &s->tokens.v[i];
        if (!T->launched)
            continue;
        jw_obj_begin(&w);
        jw_kstr(&w, "mint", T->mint);
        jw_kstr(&w, "fate", sim_fate_name((enum sim_fate)T->fate));
        jw_kstr(&w, "creator", s->wallets.v[T->creator].addr);
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
        jw_kstr(&w, "bonding_curve", T->curve_acct);
        jw_kbool(&w, "graduated", T->graduated);
        ktime_or_null(&w, "graduation_time", T->grad_ms, T->graduated);
        jw_key(&w, "pool");
        if (T->graduated) {
            jw_obj_begin(&w);
            jw_kstr(&w, "source", sim_venue_name((enum sim_venue)T->venue));
            jw_kstr(&w, "address", T->pool_acct);
            jw_kstr(&w, "token_vault", T->pool_vault);
            jw_kstr(&w, "wsol_vault", T->pool_wsol);
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
    f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno));
        rc = WT_EIO;
        goto out;
    }
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1) {
        if ((rc = sim_tx_json(s, &tx, &b)) || (rc = buf_putc(&b, '\n')))
            goto io;
        if (b.len >= (1u << 22)) {
            if ((rc = write_all(f, &b)))
                goto io;
            buf_reset(&b);
        }
    }
    if ((rc = write_all(f, &b)))
        goto io;
    if (fclose(f) != 0) {
        f = NULL;
        rc = WT_EIO;
        goto io;
    }
    f = NULL;
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
    buf_release(&b);
    sim_free(s);
    return rc;
}
