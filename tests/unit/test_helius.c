/* Tests of the Helius decoder (ingest/helius.c, helius_raw.c, netbal.c).
 *
 * Every real fixture decodes to the events computed by hand from its
 * balance changes (the arithmetic is in the comment above each check);
 * small hand-written transactions cover the rules no recorded payload
 * shows (pump.fun native SOL, token-to-token, stablecoin quotes, inverted
 * events.swap, ambiguous and malformed input); truncated, corrupted and
 * byte-flipped bodies never crash and never yield an event that breaks
 * the event invariants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "ingest/helius.h"
#include "solana/base58.h"
#include "solana/pubkey.h"

#define FIX WT_FIXTURES "/real/"

struct ctx {
    struct helius_decoder *d;
    struct helius_out out;
    struct helius_counters c;
};

static char *load(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", FIX, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + JSON_PADDING);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    memset(b + n, 0, JSON_PADDING);
    *len = (size_t)n;
    return b;
}

static int setup(void **state)
{
    struct ctx *x = calloc(1, sizeof *x);
    x->d = helius_decoder_new();
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *x = *state;
    helius_out_release(&x->out);
    helius_decoder_free(x->d);
    free(x);
    return 0;
}

static int decode_file(struct ctx *x, const char *name)
{
    size_t len;
    char *b = load(name, &len);
    helius_out_clear(&x->out);
    int rc = helius_decode(x->d, b, len, len + JSON_PADDING, &x->out, &x->c);
    free(b);
    return rc;
}

static int decode_str(struct ctx *x, const char *s)
{
    helius_out_clear(&x->out);
    return helius_decode(x->d, s, strlen(s), 0, &x->out, &x->c);
}

static void assert_key(const struct pubkey *k, const char *b58)
{
    char s[BASE58_KEY_MAX];
    assert_string_equal(pubkey_format(k, s), b58);
}

static const struct swap_event *swap_at(struct ctx *x, size_t i)
{
    assert_true(i < x->out.events.len);
    assert_int_equal(x->out.events.v[i].kind, EVENT_SWAP);
    return &x->out.events.v[i].u.swap;
}

static const struct transfer_event *xfer_at(struct ctx *x, size_t i)
{
    assert_true(i < x->out.events.len);
    assert_int_equal(x->out.events.v[i].kind, EVENT_TRANSFER);
    return &x->out.events.v[i].u.transfer;
}

static void assert_close(double got, double want)
{
    double d = got - want;
    if (d < 0)
        d = -d;
    if (d > want * 1e-9) {
        print_error("got %.17g want %.17g\n", got, want);
        fail();
    }
}

#define FCHT "FCHTRYx6npkQCogtpZtEFLJeevAFGbDHhJyvqvT6F4kX"

/* ---- real fixtures ------------------------------------------------------ */

static void test_jupiter_sol_to_usdc_multihop(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json"), 0);
    /* Fee payer FCHT: nativeBalanceChange -1452577233 + fee 45998 =
     * -1452531235 lamports; its USDC account 46dE +238630695 (6 dec); the
     * route's wSOL -> 85VBFQ -> USDC hops are other owners' accounts and
     * do not count. So: SOL sold against USDC; price_usd =
     * 238.630695 / 1.452531235 = 164.28610225... */
    assert_int_equal(x->out.txs.len, 1);
    assert_int_equal(x->out.events.len, 1);
    const struct swap_event *s = swap_at(x, 0);
    assert_key(&s->wallet, FCHT);
    assert_int_equal(s->side, SIDE_SELL);
    assert_key(&s->mint, MINT_WSOL);
    assert_int_equal(s->token_amount, 1452531235);
    assert_int_equal(s->decimals, 9);
    assert_key(&s->quote_mint, MINT_USDC);
    assert_int_equal(s->quote_amount, 238630695);
    assert_int_equal(s->quote_decimals, 6);
    assert_close(s->price_usd, 238.630695 / 1.452531235);
    assert_close(s->price_sol, 1.0);
    assert_int_equal(s->fee_lamports, 45998);
    assert_int_equal(s->slot, 269731980);
    assert_int_equal(s->ts_ms, 1717460657000LL);
    assert_string_equal(s->source, "JUPITER");
    assert_int_equal(s->leg, 0);
    assert_false(x->out.txs.v[0].xcheck_mismatch);
}

static void test_jupiter_usdc_to_sol(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(
        decode_file(x, "helius_enhanced_swap_jupiter_usdc_to_sol_via_raydium_clmm.json"), 0);
    /* FCHT native +99940015 + fee 59985 = +100000000 (the temporary wSOL
     * account 7nGR got 2039280 rent and returned 102039280); USDC
     * -13279846. SOL bought with USDC at 13.279846 / 0.1 = 132.79846. The
     * intermediate USDT hop belongs to pools. */
    assert_int_equal(x->out.events.len, 1);
    const struct swap_event *s = swap_at(x, 0);
    assert_key(&s->wallet, FCHT);
    assert_int_equal(s->side, SIDE_BUY);
    assert_key(&s->mint, MINT_WSOL);
    assert_int_equal(s->token_amount, 100000000);
    assert_key(&s->quote_mint, MINT_USDC);
    assert_int_equal(s->quote_amount, 13279846);
    assert_close(s->price_usd, 132.79846);
    assert_string_equal(s->source, "JUPITER");
    assert_false(x->out.txs.v[0].xcheck_mismatch); /* nativeOutput is FCHT: agrees */
}

static void test_meteora_dbc_transfer_typed_buy(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_enhanced_meteora_dbc_buy_unparsed_as_transfer.json"),
                     0);
    /* type TRANSFER, source SYSTEM_PROGRAM, events: [] -- still a buy.
     * 5awo native -202119280 + fee 80000 = -202039280; its new token
     * account FPmr holds the 2039280 rent (netted out) -> -200000000
     * lamports. GLZPY8 +322281812767019 raw (6 dec).
     * price_sol = 0.2 / 322281812.767019 = 6.2057488842...e-10.
     * Source comes from the DBC program id dbcij3... -> METEORA. */
    assert_int_equal(x->out.events.len, 1);
    const struct swap_event *s = swap_at(x, 0);
    assert_key(&s->wallet, "5awoNsCULYySQaxHsGYxd9Xm7cr3GjyTZj8FmU4zsVEf");
    assert_int_equal(s->side, SIDE_BUY);
    assert_key(&s->mint, "GLZPY8BKvz4SskptWRpNZ29UJPmS9BYx1enRHUa9oSDx");
    assert_int_equal(s->token_amount, 322281812767019ULL);
    assert_int_equal(s->decimals, 6);
    assert_key(&s->quote_mint, MINT_WSOL);
    assert_int_equal(s->quote_amount, 200000000);
    assert_close(s->price_sol, 0.2 / 322281812.767019);
    assert_true(s->price_usd == 0);
    assert_string_equal(s->source, "METEORA");
}

static void test_failed_are_skipped(void **state)
{
    struct ctx *x = *state;
    /* transactionError {"InstructionError":[2,{"Custom":30}]} */
    assert_int_equal(decode_file(x, "helius_enhanced_swap_raydium_failed_instruction_error.json"),
                     0);
    assert_int_equal(x->out.events.len, 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_FAILED);
    /* transactionError {"InsufficientFundsForRent":...} with a nativeTransfer
     * that never happened: no transfer event. */
    assert_int_equal(decode_file(x, "helius_enhanced_transfer_failed_insufficient_rent.json"), 0);
    assert_int_equal(x->out.events.len, 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_FAILED);
    assert_int_equal(x->c.skipped[SKIP_FAILED], 2);
}

static void test_sol_transfers(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_enhanced_transfer_sol_system_program.json"), 0);
    /* FCHT -> CNcD 15000000 lamports (0.015 SOL). */
    assert_int_equal(x->out.events.len, 1);
    const struct transfer_event *t = xfer_at(x, 0);
    assert_key(&t->from, FCHT);
    assert_key(&t->to, "CNcD57kV79EfHqqRRLbFWBEWpht8LLR5M58WmFwP96qx");
    assert_true(pubkey_is_zero(&t->mint));
    assert_int_equal(t->amount, 15000000);
    assert_int_equal(t->decimals, 9);

    assert_int_equal(decode_file(x, "helius_enhanced_transfer_sol_multiple_recipients.json"), 0);
    /* Habp -> ctih 100 and Habp -> FCHT 100; fee 5011 is not a transfer. */
    assert_int_equal(x->out.events.len, 2);
    assert_key(&xfer_at(x, 0)->to, "ctihJyJPnGQDx4EFrmDCv6NUZLBofBQyPx7c3KeggC2");
    assert_int_equal(xfer_at(x, 0)->amount, 100);
    assert_int_equal(xfer_at(x, 0)->leg, 0);
    assert_key(&xfer_at(x, 1)->to, FCHT);
    assert_int_equal(xfer_at(x, 1)->leg, 1);
}

static void test_spl_transfer(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_enhanced_transfer_spl_token.json"), 0);
    /* tokenTransfers says 2 (a float); the exact amount is the +2000000 of
     * the destination account 9C6z (6 decimals). */
    assert_int_equal(x->out.events.len, 1);
    const struct transfer_event *t = xfer_at(x, 0);
    assert_key(&t->from, FCHT);
    assert_key(&t->to, "CNcD57kV79EfHqqRRLbFWBEWpht8LLR5M58WmFwP96qx");
    assert_key(&t->mint, "SENDdRQtYMWaQrBroBrJ2Q53fgVuq95CV9UPGEvpCxa");
    assert_int_equal(t->amount, 2000000);
    assert_int_equal(t->decimals, 6);
}

static void test_nft_sale_both_formats(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_webhook_enhanced_nft_sale_docs.json"), 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_NFT); /* type NFT_SALE */
    assert_int_equal(decode_file(x, "helius_webhook_raw_nft_sale_docs.json"), 0);
    /* Raw: CKs1 -72938049280 + 10000 + 2039280 (its new token account) =
     * -72936000000 lamports for 1 unit of a 0-decimal mint: an NFT. */
    assert_true(x->out.txs.v[0].raw);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_NFT);
    assert_string_equal(
        x->out.txs.v[0].sig,
        "5nNtjezQMYBHvgSQmoRmJPiXGsPAWmJPoGSa64xanqrauogiVzFyGQhKeFataHGXq51jR2hjbzNTkPUpP787HAmL");
}

/* Inserts text right after the first occurrence of anchor in fixture name
 * and decodes the result. */
static int decode_patched(struct ctx *x, const char *name, const char *anchor, const char *text)
{
    size_t len;
    char *b = load(name, &len);
    char *at = strstr(b, anchor);
    assert_non_null(at);
    size_t head = (size_t)(at - b) + strlen(anchor), tn = strlen(text);
    char *p = malloc(len + tn + JSON_PADDING);
    memcpy(p, b, head);
    memcpy(p + head, text, tn);
    memcpy(p + head + tn, b + head, len - head);
    helius_out_clear(&x->out);
    int rc = helius_decode(x->d, p, len + tn, len + tn + JSON_PADDING, &x->out, &x->c);
    free(p);
    free(b);
    return rc;
}

static void test_raw_recognised_by_shape(void **state)
{
    struct ctx *x = *state;
    /* The enhanced loader's pass notices `meta` and `transaction`; members
     * that an enhanced transaction would have of the wrong type, before
     * them, must not stop a raw transaction from being recognised. */
    assert_int_equal(decode_patched(x, "rpc_getTransaction_json_v0_agavesim_1.json",
                                    "\"result\": {", "\"signature\":5,\"timestamp\":-1,"),
                     0);
    assert_int_equal(x->out.txs.len, 1);
    assert_true(x->out.txs.v[0].raw);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_NONE);
    assert_string_equal(x->out.txs.v[0].detail, "");
    assert_int_equal(x->out.events.len, 1);
    assert_key(&swap_at(x, 0)->wallet, "98QXkwe6DThTsTq7tukKF4g9Wc6WnRbZyTBZ1iBupY39");
    /* One of the two keys is not enough: still an enhanced transaction. */
    assert_int_equal(decode_patched(x, "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json",
                                    "{", "\"meta\":{},"),
                     0);
    assert_int_equal(x->out.txs.len, 1);
    assert_false(x->out.txs.v[0].raw);
    assert_int_equal(x->out.events.len, 1);
}

static void test_rpc_raw_v0(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "rpc_getTransaction_json_v0_agavesim_1.json"), 0);
    /* Key 0 98QX: pre-post lamports -300006500 + fee 6500 = -300000000.
     * Its token account (index 3) 7eR1: 1665238200087 -> 2473007728728 =
     * +807769528641 raw (6 dec). price_sol = 0.3 / 807769.528641. Raydium
     * CLMM program CAMMCzo5 among the keys -> RAYDIUM. */
    assert_int_equal(x->out.events.len, 1);
    const struct swap_event *s = swap_at(x, 0);
    assert_true(x->out.txs.v[0].raw);
    assert_key(&s->wallet, "98QXkwe6DThTsTq7tukKF4g9Wc6WnRbZyTBZ1iBupY39");
    assert_int_equal(s->side, SIDE_BUY);
    assert_key(&s->mint, "7eR1yv7pUzhaqQneKJ2fmVTRuzY61ja5KwfbBrLsq1Gu");
    assert_int_equal(s->token_amount, 807769528641ULL);
    assert_int_equal(s->quote_amount, 300000000);
    assert_close(s->price_sol, 0.3 / 807769.528641);
    assert_int_equal(s->slot, 376411673);
    assert_int_equal(s->ts_ms, 1761676473000LL);
    assert_string_equal(s->source, "RAYDIUM");

    assert_int_equal(decode_file(x, "rpc_getTransaction_json_v0_with_alt_agavesim_3.json"), 0);
    /* 11 static keys + 8 writable + 11 readonly loaded addresses = 30
     * balances. G234: -5959630 + fee 37351 + 2039280 (rent of its new
     * token account DybuC, index 2) = -3882999 lamports, which went to the
     * PumpSwap pool vault (+3615608), fee accounts (+34280, +31305, +1805),
     * CyL8 (+200000) and a wSOL dust (+1). Token 8k1D: 0 -> 4374143343.
     * price_sol = 0.003882999 / 4374.143343. pAMMBay6 -> PUMP_AMM. */
    assert_int_equal(x->out.events.len, 1);
    s = swap_at(x, 0);
    assert_key(&s->wallet, "G2341KGbNxuSAfCfqNuPhfLQtPB94hPfgyVPC89Faor4");
    assert_int_equal(s->side, SIDE_BUY);
    assert_key(&s->mint, "8k1DvnFBsbuWJw2t4JqTibR7cAgqadMveqiykMr1pump");
    assert_int_equal(s->token_amount, 4374143343ULL);
    assert_int_equal(s->quote_amount, 3882999);
    assert_close(s->price_sol, 0.003882999 / 4374.143343);
    assert_string_equal(s->source, "PUMP_AMM");
}

static void test_history_page_50(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_enhanced_address_history_response_50tx.json"), 0);
    assert_int_equal(x->out.txs.len, 50);
    /* By hand from the page: 7 swaps (six USDC<->SOL by FCHT, plus the
     * TOKEN_MINT-typed U1dH19 that is a SOL->USDC swap); 21 transfer
     * events; skipped: 12 compressed-NFT mints, 8 fee-only (0-SOL
     * transfers, unstakes), 7 SOL moves with no transfer list (stake and
     * withdraw). */
    size_t swaps = 0, xfers = 0;
    for (size_t i = 0; i < x->out.events.len; i++)
        x->out.events.v[i].kind == EVENT_SWAP ? swaps++ : xfers++;
    assert_int_equal(swaps, 7);
    assert_int_equal(xfers, 21);
    assert_int_equal(x->c.swaps, 7);
    assert_int_equal(x->c.transfers, 21);
    assert_int_equal(x->c.skipped[SKIP_NFT], 12);
    assert_int_equal(x->c.skipped[SKIP_NO_BALANCE_CHANGE], 8);
    assert_int_equal(x->c.skipped[SKIP_NOT_A_SWAP], 7);
    assert_int_equal(x->c.skipped[SKIP_FAILED], 0);
    assert_int_equal(x->c.skipped[SKIP_MALFORMED], 0);
    assert_int_equal(x->c.txs, 50);

    /* U1dH19 (type TOKEN_MINT): FCHT -1698615989 + fee 565000 =
     * -1698050989 lamports; USDC +258619727 (net of a 2.085642 USDC
     * platform fee it paid). */
    bool seen_mint_typed = false, seen_airdrop = false;
    for (size_t i = 0; i < x->out.txs.len; i++) {
        const struct helius_tx *r = &x->out.txs.v[i];
        if (strncmp(r->sig, "U1dH19", 6) == 0) {
            const struct swap_event *s = swap_at(x, r->first_event);
            assert_int_equal(s->side, SIDE_SELL);
            assert_key(&s->mint, MINT_WSOL);
            assert_int_equal(s->token_amount, 1698050989);
            assert_int_equal(s->quote_amount, 258619727);
            seen_mint_typed = true;
        }
        /* 2Zg4jT (UNKNOWN): FCHT receives 1500 SEND from GuZS and pays
         * 1948800 lamports of rent to 9QWW: nobody it paid paid it back, so
         * this is an airdrop claim (two transfers), not a buy. */
        if (strncmp(r->sig, "2Zg4jT", 6) == 0) {
            assert_int_equal(r->n_events, 2);
            const struct transfer_event *t0 = xfer_at(x, r->first_event);
            const struct transfer_event *t1 = xfer_at(x, r->first_event + 1);
            assert_int_equal(t0->amount, 1948800);
            assert_key(&t1->from, "GuZSNFXk7rScK1ywZekHsBRPCwJjAHo52hEdXZ9HBLJ1");
            assert_int_equal(t1->amount, 1500000000);
            seen_airdrop = true;
        }
    }
    assert_true(seen_mint_typed);
    assert_true(seen_airdrop);
}

static void test_error_bodies(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_enhanced_api_error_search_period.json"), WT_EREMOTE);
    assert_non_null(strstr(helius_errmsg(x->d), "before-signature"));
    assert_int_equal(x->out.txs.len, 0);
    assert_int_equal(decode_str(x, "42"), WT_EPARSE);
    assert_int_equal(decode_str(x, "[1,"), WT_EPARSE);
    assert_int_equal(decode_str(x, "[]"), 0);
    assert_int_equal(x->out.txs.len, 0);
    assert_int_equal(decode_str(x, "{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":1}"), 0);
    assert_int_equal(x->out.txs.len, 0);
}

/* ---- hand-written transactions ---------------------------------------- */

#define SIG                                                                                        \
    "\"3A6AA1o5aF7qdVEyUaKqR4cwPJuG5KFRAyu1tcc7LsfKZEvyaTs75QMG611y5Nkgb82fM6GgA7yGXHq99UHvkfDh\""
#define W     "\"" FCHT "\""
#define TOKA  "\"85VBFQZC9TZkfaptBWjvUw7YbZjy52A6mjtPGjstQAmQ\""
#define TOKB  "\"GLZPY8BKvz4SskptWRpNZ29UJPmS9BYx1enRHUa9oSDx\""
#define POOL1 "\"E5tLAoEfH9LSYtw2x8i82JuDj5Gd2S6ZZFx4KB4xWqE\""
#define POOL2 "\"DhcC4fxr85JBRG3kV2gTGNTMnhsXfzM6zJ8xbRjEPF98\""
#define ACC1  "\"46dExdsFZVPG2xXwrUryHjvUKoGEnzt5Ac6PhG4nxkaS\""
#define ACC2  "\"HP8gsJmz2VypZRqzS8tVJ8PTra4ZLPkbRt9LUBWxkUAc\""
#define ACC3  "\"FhsLxcgRGY5KD4Ch3BNWKQtq5Ca4igQSL7n4k1DUoRK2\""
#define ACC4  "\"GpTp6vQnJahFeUm7z3dRHVqYZ6CLsdUKpp64JZjxw6UF\""
#define WSOL  "\"" MINT_WSOL "\""
#define USDC  "\"" MINT_USDC "\""
#define HEAD(type, source)                                                                         \
    "[{\"signature\":" SIG ",\"slot\":7,\"timestamp\":1700000000,\"fee\":5000,\"feePayer\":" W     \
    ",\"type\":\"" type "\",\"source\":\"" source "\",\"transactionError\":null,"
#define TBC(owner, acct, mint, amt, dec)                                                           \
    "{\"userAccount\":" owner ",\"tokenAccount\":" acct ",\"mint\":" mint                          \
    ",\"rawTokenAmount\":{\"tokenAmount\":\"" amt "\",\"decimals\":" dec "}}"

static void test_pump_fun_native_buy(void **state)
{
    struct ctx *x = *state;
    /* A pump.fun buy pays native lamports straight to the bonding curve
     * (POOL1), opens the token account ACC1 (rent 2039280) and has no
     * events.swap. W: -(1000000000 + 5000 + 2039280) + 5000 + 2039280 =
     * -1000000000 lamports for 35000000000000 raw (6 dec): price_sol =
     * 1 / 35000000 = 2.857142857e-8. */
    const char *body = HEAD(
        "SWAP",
        "PUMP_FUN") "\"events\":{},"
                    "\"accountData\":[{\"account\":" W
                    ",\"nativeBalanceChange\":-1002044280,\"tokenBalanceChanges\":[]},"
                    "{\"account\":" ACC1
                    ",\"nativeBalanceChange\":2039280,\"tokenBalanceChanges\":[" TBC(
                        W, ACC1, TOKA, "35000000000000",
                        "6") "]},"
                             "{\"account\":" POOL1
                             ",\"nativeBalanceChange\":1000000000,\"tokenBalanceChanges\":[]}],"
                             "\"nativeTransfers\":[{\"fromUserAccount\":" W
                             ",\"toUserAccount\":" POOL1 ",\"amount\":1000000000}],"
                             "\"tokenTransfers\":[{\"fromUserAccount\":" POOL1
                             ",\"toUserAccount\":" W ",\"fromTokenAccount\":" ACC2
                             ",\"toTokenAccount\":" ACC1 ",\"mint\":" TOKA
                             ",\"tokenAmount\":35000000}]}]";
    assert_int_equal(decode_str(x, body), 0);
    assert_int_equal(x->out.events.len, 1);
    const struct swap_event *s = swap_at(x, 0);
    assert_int_equal(s->side, SIDE_BUY);
    assert_int_equal(s->token_amount, 35000000000000ULL);
    assert_int_equal(s->quote_amount, 1000000000);
    assert_close(s->price_sol, 1.0 / 35000000.0);
    assert_string_equal(s->source, "PUMP_FUN");
}

static void test_inverted_swap_event_counted(void **state)
{
    struct ctx *x = *state;
    /* A sell: W gives 1000000 raw TOKA (6 dec) and gets +499995000 + 5000 =
     * 500000000 lamports. events.swap claims nativeInput from W (SOL spent),
     * the inverted shape: the balances win and the mismatch is counted. */
    const char *body =
        HEAD("SWAP", "PUMP_AMM") "\"events\":{\"swap\":{\"nativeInput\":{\"account\":" W
                                 ",\"amount\":\"500000000\"},\"nativeOutput\":null}},"
                                 "\"accountData\":[{\"account\":" W
                                 ",\"nativeBalanceChange\":499995000,\"tokenBalanceChanges\":[]},"
                                 "{\"account\":" ACC1
                                 ",\"nativeBalanceChange\":0,\"tokenBalanceChanges\":[" TBC(
                                     W, ACC1, TOKA, "-1000000",
                                     "6") "]}],"
                                          "\"nativeTransfers\":[],\"tokenTransfers\":[]}]";
    uint64_t before = x->c.xcheck_mismatch;
    assert_int_equal(decode_str(x, body), 0);
    const struct swap_event *s = swap_at(x, 0);
    assert_int_equal(s->side, SIDE_SELL);
    assert_int_equal(s->token_amount, 1000000);
    assert_int_equal(s->quote_amount, 500000000);
    assert_close(s->price_sol, 0.5); /* 0.5 SOL / 1 token */
    assert_true(x->out.txs.v[0].xcheck_mismatch);
    assert_int_equal(x->c.xcheck_mismatch, before + 1);
}

static void test_usdc_quoted_buy(void **state)
{
    struct ctx *x = *state;
    /* W pays 25000000 USDC raw (25 USDC) for 50000000000 raw TOKA (6 dec =
     * 50000 tokens): price_usd = 25 / 50000 = 0.0005; price_sol unknown.
     * The wallet's SOL moved only by the fee (and a 1000-lamport tip,
     * ignored because a stablecoin leg is preferred). */
    const char *body =
        HEAD("SWAP", "RAYDIUM") "\"events\":[],"
                                "\"accountData\":[{\"account\":" W
                                ",\"nativeBalanceChange\":-6000},"
                                "{\"account\":" ACC1
                                ",\"nativeBalanceChange\":0,\"tokenBalanceChanges\":[" TBC(
                                    W, ACC1, TOKA, "50000000000",
                                    "6") "]},"
                                         "{\"account\":" ACC2
                                         ",\"nativeBalanceChange\":0,\"tokenBalanceChanges\":[" TBC(
                                             W, ACC2, USDC, "-25000000", "6") "]}]}]";
    assert_int_equal(decode_str(x, body), 0);
    const struct swap_event *s = swap_at(x, 0);
    assert_int_equal(s->side, SIDE_BUY);
    assert_key(&s->quote_mint, MINT_USDC);
    assert_int_equal(s->quote_amount, 25000000);
    assert_close(s->price_usd, 0.0005);
    assert_true(s->price_sol == 0);
}

static void test_token_to_token_two_legs(void **state)
{
    struct ctx *x = *state;
    /* W sells 1000000 raw TOKA (6 dec) and receives 4000000000 raw TOKB (6
     * dec) through wSOL: pool 1's wSOL vault ACC3 paid out 300000000, pool
     * 2's vault ACC4 took in 299000000. Leg 0: sell TOKA for 0.3 SOL
     * (0.3 SOL/token); leg 1: buy TOKB for 0.299 SOL (0.299/4000 =
     * 7.475e-5 SOL/token). */
    const char *body =
        HEAD("SWAP",
             "JUPITER") "\"events\":{},"
                        "\"accountData\":[{\"account\":" W ",\"nativeBalanceChange\":-5000},"
                        "{\"account\":" ACC1 ",\"tokenBalanceChanges\":[" TBC(
                            W, ACC1, TOKA, "-1000000",
                            "6") "]},"
                                 "{\"account\":" ACC2 ",\"tokenBalanceChanges\":[" TBC(
                                     W, ACC2, TOKB, "4000000000",
                                     "6") "]},"
                                          "{\"account\":" ACC3 ",\"tokenBalanceChanges\":[" TBC(
                                              POOL1, ACC3, WSOL, "-300000000",
                                              "9") "]},"
                                                   "{\"account\":" ACC4
                                                   ",\"tokenBalanceChanges\":[" TBC(
                                                       POOL2, ACC4, WSOL, "299000000", "9") "]}]}]";
    assert_int_equal(decode_str(x, body), 0);
    assert_int_equal(x->out.events.len, 2);
    const struct swap_event *a = swap_at(x, 0), *b = swap_at(x, 1);
    assert_int_equal(a->leg, 0);
    assert_int_equal(a->side, SIDE_SELL);
    assert_key(&a->mint, "85VBFQZC9TZkfaptBWjvUw7YbZjy52A6mjtPGjstQAmQ");
    assert_int_equal(a->quote_amount, 300000000);
    assert_close(a->price_sol, 0.3);
    assert_int_equal(b->leg, 1);
    assert_int_equal(b->side, SIDE_BUY);
    assert_key(&b->mint, "GLZPY8BKvz4SskptWRpNZ29UJPmS9BYx1enRHUa9oSDx");
    assert_int_equal(b->token_amount, 4000000000ULL);
    assert_int_equal(b->quote_amount, 299000000);
    assert_close(b->price_sol, 0.299 / 4000.0);
}

static void test_token_to_token_unpriced_and_ambiguous(void **state)
{
    struct ctx *x = *state;
    /* Same trade with no quote asset moving anywhere: unsupported_quote. */
    const char *body =
        HEAD("SWAP", "ORCA") "\"events\":{},"
                             "\"accountData\":[{\"account\":" W ",\"nativeBalanceChange\":-5000},"
                             "{\"account\":" ACC1 ",\"tokenBalanceChanges\":[" TBC(
                                 W, ACC1, TOKA, "-1000000",
                                 "6") "]},"
                                      "{\"account\":" ACC2 ",\"tokenBalanceChanges\":[" TBC(
                                          W, ACC2, TOKB, "4000000000", "6") "]}]}]";
    assert_int_equal(decode_str(x, body), 0);
    assert_int_equal(x->out.events.len, 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_UNSUPPORTED_QUOTE);
    /* Three tokens, mixed directions, SOL paid: ambiguous. */
    const char *body3 = HEAD(
        "SWAP", "ORCA") "\"events\":{},"
                        "\"accountData\":[{\"account\":" W ",\"nativeBalanceChange\":-100005000},"
                        "{\"account\":" ACC1 ",\"tokenBalanceChanges\":[" TBC(
                            W, ACC1, TOKA, "-1000000",
                            "6") "]},"
                                 "{\"account\":" ACC2 ",\"tokenBalanceChanges\":[" TBC(
                                     W, ACC2, TOKB, "4000000000",
                                     "6") "]},"
                                          "{\"account\":" ACC3 ",\"tokenBalanceChanges\":[" TBC(
                                              W, ACC3,
                                              "\"SENDdRQtYMWaQrBroBrJ2Q53fgVuq95CV9UPGEvpCxa\"",
                                              "7", "6") "]}]}]";
    assert_int_equal(decode_str(x, body3), 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_AMBIGUOUS);
}

static void test_error_string_and_malformed(void **state)
{
    struct ctx *x = *state;
    const char *failed = HEAD("SWAP", "RAYDIUM");
    char body[2048];
    /* transactionError as a plain string (after the null in HEAD: the last
     * member wins in our one-pass reader, as in any JSON object reader). */
    snprintf(body, sizeof body, "%s\"transactionError\":\"BlockhashNotFound\",\"accountData\":[]}]",
             failed);
    assert_int_equal(decode_str(x, body), 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_FAILED);

    /* A raw amount that is not an integer string. */
    const char *bad_amount =
        HEAD("SWAP", "RAYDIUM") "\"accountData\":[{\"account\":" W ",\"nativeBalanceChange\":-5000,"
                                "\"tokenBalanceChanges\":[" TBC(W, ACC1, TOKA, "12x", "6") "]}]}]";
    assert_int_equal(decode_str(x, bad_amount), 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_MALFORMED);
    assert_non_null(strstr(x->out.txs.v[0].detail, "tokenAmount"));

    /* fee as a string of letters; missing feePayer; a non-object element. */
    assert_int_equal(decode_str(x, "[{\"signature\":" SIG ",\"fee\":\"abc\",\"feePayer\":" W
                                   ",\"accountData\":[]},"
                                   "{\"signature\":" SIG ",\"fee\":5000,\"accountData\":[]}, 17]"),
                     0);
    assert_int_equal(x->out.txs.len, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(x->out.txs.v[i].skip, SKIP_MALFORMED);
    assert_non_null(strstr(x->out.txs.v[0].detail, "fee"));
    assert_non_null(strstr(x->out.txs.v[1].detail, "feePayer"));

    /* A signature that is not base58: the swap cannot become an event. */
    const char *bad_sig =
        "[{\"signature\":\"0OIl\",\"fee\":5000,\"feePayer\":" W ",\"type\":\"SWAP\","
        "\"accountData\":[{\"account\":" W ",\"nativeBalanceChange\":-100005000},"
        "{\"account\":" ACC1 ",\"tokenBalanceChanges\":[" TBC(W, ACC1, TOKA, "1000", "6") "]}]}]";
    assert_int_equal(decode_str(x, bad_sig), 0);
    assert_int_equal(x->out.events.len, 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_MALFORMED);
}

/* A real fixture with one field's text replaced (the first occurrence of
 * `from`), padded for the in-place parse. */
static char *mutated(const char *name, const char *from, const char *to, size_t *len)
{
    size_t n;
    char *b = load(name, &n);
    char *at = strstr(b, from);
    assert_non_null(at);
    size_t nf = strlen(from), nt = strlen(to);
    char *m = malloc(n - nf + nt + JSON_PADDING);
    size_t pre = (size_t)(at - b);
    memcpy(m, b, pre);
    memcpy(m + pre, to, nt);
    memcpy(m + pre + nt, at + nf, n - pre - nf);
    *len = n - nf + nt;
    memset(m + *len, 0, JSON_PADDING);
    free(b);
    return m;
}

/* The transaction of a fixture as text: the inside of a one-element
 * array, or the result of a JSON-RPC response ({"jsonrpc","result":{..},
 * "id"}, the last member). */
static void tx_text(const char *b, const char **p, size_t *n)
{
    const char *r = strstr(b, "\"result\":");
    if (r) {
        *p = strchr(r, '{');
        const char *id = strstr(r, "\"id\":");
        assert_non_null(id);
        while (id[-1] != '}')
            id--;
        *n = (size_t)(id - *p);
    } else {
        *p = strchr(b, '[') + 1;
        *n = (size_t)(strrchr(b, ']') - *p);
    }
}

/* Decodes `name` with one field mutated, followed (in the same body) by a
 * good real transaction: the mutated one is skipped as malformed with a
 * detail naming `why`, the good one still gives its event. */
static void expect_bounded(struct ctx *x, const char *name, const char *from, const char *to,
                           const char *why)
{
    size_t len, glen, mn, gn;
    const char *mp, *gp;
    char *m = mutated(name, from, to, &len);
    char *g = load("helius_enhanced_transfer_sol_system_program.json", &glen);
    tx_text(m, &mp, &mn);
    tx_text(g, &gp, &gn);
    char *body = malloc(mn + gn + 3 + JSON_PADDING);
    size_t k = 0;
    body[k++] = '[';
    memcpy(body + k, mp, mn);
    k += mn;
    body[k++] = ',';
    memcpy(body + k, gp, gn);
    k += gn;
    body[k++] = ']';
    memset(body + k, 0, JSON_PADDING);
    helius_out_clear(&x->out);
    assert_int_equal(helius_decode(x->d, body, k, k + JSON_PADDING, &x->out, &x->c), 0);
    assert_int_equal(x->out.txs.len, 2);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_MALFORMED);
    assert_int_equal(x->out.txs.v[0].n_events, 0);
    if (strstr(x->out.txs.v[0].detail, why) == NULL)
        fail_msg("detail \"%s\" does not name \"%s\"", x->out.txs.v[0].detail, why);
    assert_int_equal(x->out.txs.v[1].skip, SKIP_NONE);
    assert_true(x->out.txs.v[1].n_events > 0);
    assert_int_equal(x->out.events.len, x->out.txs.v[1].n_events);
    free(body);
    free(g);
    free(m);
}

/* Issue 13 item 9: values that parse but cannot be true, in real bodies. */
static void test_out_of_range_values_skipped(void **state)
{
    struct ctx *x = *state;
    const char *jup = "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json";
    const char *raw = "rpc_getTransaction_json_v0_agavesim_1.json";
    /* Year 9999; before genesis; zero is "no time" and stays accepted. */
    expect_bounded(x, jup, "\"timestamp\": 1717460657", "\"timestamp\": 253402300799", "future");
    expect_bounded(x, jup, "\"timestamp\": 1717460657", "\"timestamp\": 1500000000", "genesis");
    expect_bounded(x, raw, "\"blockTime\": 1761676473", "\"blockTime\": 253402300799", "future");
    /* Slot 2^63 and 2^64 - 1; and one far beyond 10 a second since genesis. */
    expect_bounded(x, jup, "\"slot\": 269731980", "\"slot\": 9223372036854775808", "slot");
    expect_bounded(x, jup, "\"slot\": 269731980", "\"slot\": 18446744073709551615", "slot");
    expect_bounded(x, raw, "\"slot\": 376411673", "\"slot\": 900000000000", "slot");
    /* nativeBalanceChange -2^63 (was stored as a 9.2-billion-SOL trade),
     * and +2e18 (beyond the supply). */
    expect_bounded(x, jup, "\"nativeBalanceChange\": -1452577233",
                   "\"nativeBalanceChange\": -9223372036854775808", "supply");
    expect_bounded(x, jup, "\"nativeBalanceChange\": -1452577233",
                   "\"nativeBalanceChange\": 2000000000000000000", "supply");
    /* A native transfer of 2^64 - 1 lamports. */
    expect_bounded(x, jup, "\"amount\": 1452531235", "\"amount\": 18446744073709551615", "supply");
    /* Fees: 2^64 - 1 and 2,000 SOL, enhanced and raw. */
    expect_bounded(x, jup, "\"fee\": 45998", "\"fee\": 18446744073709551615", "fee");
    expect_bounded(x, jup, "\"fee\": 45998", "\"fee\": 2000000000000", "fee");
    expect_bounded(x, raw, "\"fee\": 6500", "\"fee\": 18446744073709551615", "fee");
    /* Raw lamports: a post balance of 2^63 - 1 makes a change beyond the
     * supply (the loader already refuses >= 2^63). */
    expect_bounded(x, raw, "\"postBalances\": [\n        2825202304,",
                   "\"postBalances\": [\n        9223372036854775807,", "supply");
}

/* The tolerance is a setting: a block time up to max_future past the
 * clock is accepted, further is not; the clock can be a virtual one. */
static void test_future_tolerance(void **state)
{
    struct ctx *x = *state;
    struct clock clk;
    clock_init_virtual(&clk, 1717460657000LL - 30000); /* fixture time - 30 s */
    helius_decoder_set_limits(x->d, 60000, &clk);
    assert_int_equal(decode_file(x, "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json"), 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_NONE);
    helius_decoder_set_limits(x->d, 10000, &clk);
    assert_int_equal(decode_file(x, "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json"), 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_MALFORMED);
    assert_non_null(strstr(x->out.txs.v[0].detail, "future"));
    assert_int_equal(x->out.events.len, 0);
    /* Slots are bounded by the same clock: 10 a second since genesis. */
    clock_init_virtual(&clk, NETBAL_GENESIS_MS + 1000);
    helius_decoder_set_limits(x->d, 0, &clk);
    assert_int_equal(decode_file(x, "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json"), 0);
    assert_int_equal(x->out.txs.v[0].skip, SKIP_MALFORMED);
}

static void test_jsonl_output(void **state)
{
    struct ctx *x = *state;
    assert_int_equal(decode_file(x, "helius_enhanced_meteora_dbc_buy_unparsed_as_transfer.json"),
                     0);
    assert_int_equal(decode_file(x, "helius_enhanced_meteora_dbc_buy_unparsed_as_transfer.json"),
                     0);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(helius_write_jsonl(&x->out, 0, &b), 0);
    assert_non_null(strstr(b.data, "\"kind\":\"swap\""));
    assert_non_null(strstr(b.data, "\"side\":\"buy\""));
    assert_non_null(strstr(b.data, "\"token_amount\":\"322281812767019\""));
    assert_non_null(strstr(b.data, "\"quote_amount\":\"200000000\""));
    assert_non_null(strstr(b.data, "\"source\":\"METEORA\""));
    assert_non_null(strstr(b.data, "\"price_usd\":null"));
    assert_int_equal(b.data[b.len - 1], '\n');
    buf_reset(&b);
    assert_int_equal(decode_file(x, "helius_enhanced_swap_raydium_failed_instruction_error.json"),
                     0);
    assert_int_equal(helius_write_jsonl(&x->out, 0, &b), 0);
    assert_non_null(strstr(b.data, "\"skipped\":true,\"reason\":\"failed\""));
    buf_reset(&b);
    assert_int_equal(helius_counters_write(&x->c, "wt_decode", &b), 0);
    assert_non_null(strstr(b.data, "wt_decode_skipped_total{reason=\"failed\"} 1\n"));
    assert_non_null(strstr(b.data, "wt_decode_swaps_total 2\n"));
    buf_release(&b);
}

/* ---- hostile input --------------------------------------------------- */

static void check_invariants(struct ctx *x)
{
    size_t sum = 0;
    for (size_t i = 0; i < x->out.txs.len; i++) {
        const struct helius_tx *r = &x->out.txs.v[i];
        assert_true((r->n_events == 0) == (r->skip != SKIP_NONE));
        assert_int_equal(r->first_event, sum);
        sum += r->n_events;
    }
    assert_int_equal(sum, x->out.events.len);
    for (size_t i = 0; i < x->out.events.len; i++) {
        const struct event *e = &x->out.events.v[i];
        if (e->kind == EVENT_SWAP) {
            const struct swap_event *s = &e->u.swap;
            assert_true(s->side == SIDE_BUY || s->side == SIDE_SELL);
            assert_true(s->token_amount > 0 && s->quote_amount > 0);
            assert_true(s->price_sol > 0 || s->price_usd > 0);
            assert_false(pubkey_is_zero(&s->wallet));
        } else {
            assert_int_equal(e->kind, EVENT_TRANSFER);
            assert_true(e->u.transfer.amount > 0);
        }
    }
}

static void test_every_prefix_is_refused(void **state)
{
    struct ctx *x = *state;
    static const char *const files[] = {"helius_enhanced_meteora_dbc_buy_unparsed_as_transfer.json",
                                        "rpc_getTransaction_json_v0_agavesim_1.json"};
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        char *b = load(files[f], &len);
        /* Trim trailing whitespace: a prefix missing only that is whole. */
        while (len && (b[len - 1] == '\n' || b[len - 1] == ' '))
            len--;
        for (size_t n = 0; n < len; n++) {
            helius_out_clear(&x->out);
            char *p = malloc(n + JSON_PADDING);
            memcpy(p, b, n);
            int rc = helius_decode(x->d, p, n, n + JSON_PADDING, &x->out, &x->c);
            free(p);
            assert_int_not_equal(rc, 0);
            assert_int_equal(x->out.txs.len, 0);
            assert_int_equal(x->out.events.len, 0);
        }
        free(b);
    }
}

static void test_byte_flips_and_corruption(void **state)
{
    struct ctx *x = *state;
    size_t len;
    char *b = load("helius_enhanced_swap_jupiter_usdc_to_sol_via_raydium_clmm.json", &len);
    char *p = malloc(len + JSON_PADDING);
    size_t ok = 0, refused = 0;
    static const char repl[] = {'\0', '"', '-', '9', '{', ']', 'x', ',', (char)0xff};
    for (size_t i = 0; i < len; i += 3) {
        memcpy(p, b, len);
        memset(p + len, 0, JSON_PADDING);
        p[i] = repl[i % sizeof repl];
        helius_out_clear(&x->out);
        int rc = helius_decode(x->d, p, len, len + JSON_PADDING, &x->out, &x->c);
        if (rc) {
            refused++;
            assert_int_equal(x->out.txs.len, 0);
        } else {
            ok++;
            check_invariants(x);
        }
        /* And a single bit flip at the same place. */
        memcpy(p, b, len);
        p[i] = (char)(p[i] ^ (1 << (i % 8)));
        helius_out_clear(&x->out);
        if (helius_decode(x->d, p, len, len + JSON_PADDING, &x->out, &x->c) == 0)
            check_invariants(x);
    }
    /* Both outcomes happen: the test exercises refusal and decoding. */
    assert_true(ok > 0 && refused > 0);
    free(p);
    free(b);
}

static void test_fast_base58_matches_reference(void **state)
{
    (void)state;
    /* Every quoted string of 32..90 characters in the history page (keys,
     * signatures, and non-base58 text alike), decoded as 32 and as 64
     * bytes, gives the same result code and bytes as base58_decode. */
    size_t len;
    char *b = load("helius_enhanced_address_history_response_50tx.json", &len);
    size_t checked = 0, decoded = 0;
    for (size_t i = 0; i < len; i++) {
        if (b[i] != '"')
            continue;
        size_t j = i + 1;
        while (j < len && b[j] != '"')
            j++;
        size_t n = j - i - 1;
        if (n >= 32 && n <= 90) {
            static const size_t wants[] = {32, 64};
            for (size_t w = 0; w < 2; w++) {
                uint8_t x[64], y[64];
                memset(x, 0xaa, sizeof x);
                memset(y, 0xaa, sizeof y);
                int r1 = base58_decode(b + i + 1, n, x, wants[w]);
                int r2 = base58_decode_bytewise(b + i + 1, n, y, wants[w]);
                assert_int_equal(r1, r2);
                if (r1 == 0) {
                    assert_memory_equal(x, y, wants[w]);
                    decoded++;
                }
                checked++;
            }
        }
        i = j;
    }
    /* Edge cases: leading '1's (zero bytes), all ones, too long, bad char. */
    static const char *const edge[] = {"11111111111111111111111111111111", MINT_WSOL,
                                       "1111111111111111111111111111111111111111111",
                                       "0OIl" MINT_WSOL};
    for (size_t e = 0; e < 4; e++) {
        uint8_t x[32], y[32];
        int r1 = base58_decode(edge[e], strlen(edge[e]), x, 32);
        int r2 = base58_decode_bytewise(edge[e], strlen(edge[e]), y, 32);
        assert_int_equal(r1, r2);
        if (!r1)
            assert_memory_equal(x, y, 32);
    }
    assert_true(decoded > 500 && checked > decoded);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_jupiter_sol_to_usdc_multihop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jupiter_usdc_to_sol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meteora_dbc_transfer_typed_buy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sol_transfers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spl_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nft_sale_both_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rpc_raw_v0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_page_50, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pump_fun_native_buy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inverted_swap_event_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usdc_quoted_buy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_to_token_two_legs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_to_token_unpriced_and_ambiguous, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_error_string_and_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range_values_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_future_tolerance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonl_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_prefix_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_flips_and_corruption, setup, teardown),
        cmocka_unit_test(test_fast_base58_matches_reference),
        cmocka_unit_test_setup_teardown(test_raw_recognised_by_shape, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
