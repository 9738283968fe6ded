/* Tests of trade/live_policy.h: the checks between the swap transaction
 * Jupiter builds and the trading key's signature, and the quote check.
 *
 * The transactions are decoded structs built here, in the shape of the
 * real Jupiter v6 swap (tests/unit/test_exec_live.c builds the same one
 * on the wire and drives it through the whole executor): keys [me, our
 * wSOL account, our token account, System, ComputeBudget, JUP6, Token,
 * ATA, the token mint, the wSOL mint], instructions compute budget x2,
 * ATA create (wSOL), System transfer (the buy's lamports into wSOL),
 * SyncNative, ATA create (token), the Jupiter route, CloseAccount (wSOL
 * back to us). Account indexes from 10 up are the lookup table's.
 *
 * Each refusal test changes one thing in an accepted transaction and
 * asserts the refusal and its sentence, so each one fails if the rule it
 * names were dropped; the boundary tests assert the last accepted value
 * next to the first refused one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "solana/pubkey.h"
#include "solana/rpc.h"
#include "solana/tx.h"
#include "trade/live_policy.h"

#define MINT_TOKEN "8k1DvnFBsbuWJw2t4JqTibR7cAgqadMveqiykMr1pump"
#define ME         "G2341KGbNxuSAfCfqNuPhfLQtPB94hPfgyVPC89Faor4"
#define OTHER      "J5hkNQTVhxvLh8KkrvPR7Yy2CKbkBvWjM5zrHEpBbvX5"
#define RENT       10000000ull /* the rent allowance live_policy.c grants */
#define IN_AMOUNT  3882999ull
#define QUOTED_OUT 4374143343ull

enum { K_ME, K_WSOL_ATA, K_TOKEN_ATA, K_SYSTEM, K_BUDGET, K_JUP, K_TOKEN, K_ATA, K_MINT, K_WSOL };
enum { I_CB1, I_CB2, I_ATA_W, I_XFER, I_SYNC, I_ATA_T, I_ROUTE, I_CLOSE, N_INSTRS };

/* A decoded swap and the storage it points into. */
struct fx {
    struct tx tx;
    struct pubkey me;
    struct jup_quote q;
    uint8_t keys[12 * 32];
    uint8_t cb1[5], cb2[9], ata_create[1], sync[1], close_[1], transfer[12];
    uint8_t route[8 + 4 + 4 + 19];
    uint8_t a_ata_w[6], a_ata_t[6], a_xfer[2], a_sync[1], a_close[3], a_route[9];
    uint8_t extra_data[12], extra_acc[4];
    char msg[128];
};

static struct fx F;

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_key(int slot, const char *b58)
{
    struct pubkey k;
    assert_int_equal(pubkey_parse(b58, &k), 0);
    memcpy(F.keys + 32 * slot, k.b, 32);
}

static void set_route(uint64_t in_amount, uint64_t quoted_out, uint16_t slip)
{
    static const uint8_t disc[8] = {0xe5, 0x17, 0xcb, 0x97, 0x7a, 0xe3, 0xad, 0x2a};
    memset(F.route, 0, sizeof F.route);
    memcpy(F.route, disc, 8);
    F.route[8] = 1;     /* plan length (u32 LE) */
    F.route[12] = 0x39; /* swap kind */
    F.route[13] = 100;  /* percent */
    F.route[15] = 1;    /* output index */
    put_u64(F.route + 16, in_amount);
    put_u64(F.route + 24, quoted_out);
    F.route[32] = (uint8_t)(slip & 0xff);
    F.route[33] = (uint8_t)(slip >> 8);
}

/* An accepted buy of IN_AMOUNT lamports quoted at QUOTED_OUT with 1%
 * slippage, or its sell mirror (no lamports transferred in). */
static void build(bool buy)
{
    memset(&F, 0, sizeof F);
    assert_int_equal(pubkey_parse(ME, &F.me), 0);
    put_key(K_ME, ME);
    memset(F.keys + 32 * K_WSOL_ATA, 0x41, 32);
    memset(F.keys + 32 * K_TOKEN_ATA, 0x42, 32);
    put_key(K_SYSTEM, "11111111111111111111111111111111");
    put_key(K_BUDGET, "ComputeBudget111111111111111111111111111111");
    put_key(K_JUP, "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4");
    put_key(K_TOKEN, TOKEN_PROGRAM_ID);
    put_key(K_ATA, "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
    put_key(K_MINT, MINT_TOKEN);
    put_key(K_WSOL, MINT_WSOL);

    assert_int_equal(pubkey_parse(buy ? MINT_WSOL : MINT_TOKEN, &F.q.input_mint), 0);
    assert_int_equal(pubkey_parse(buy ? MINT_TOKEN : MINT_WSOL, &F.q.output_mint), 0);
    F.q.in_amount = IN_AMOUNT;
    F.q.out_amount = QUOTED_OUT;
    F.q.slippage_bps = 100;
    F.q.other_amount_threshold = QUOTED_OUT / 10000 * 9900 + QUOTED_OUT % 10000 * 9900 / 10000;

    memcpy(F.cb1, (uint8_t[]){2, 0x31, 0xdf, 6, 0}, 5);
    memcpy(F.cb2, (uint8_t[]){3, 0x7e, 0xe1, 1, 0, 0, 0, 0, 0}, 9);
    F.ata_create[0] = 1;
    F.sync[0] = 17;
    F.close_[0] = 9;
    F.transfer[0] = 2;
    put_u64(F.transfer + 4, buy ? IN_AMOUNT : 0);
    set_route(IN_AMOUNT, QUOTED_OUT, 100);
    /* payer, ata, owner, mint, System, Token */
    memcpy(F.a_ata_w, (uint8_t[]){K_ME, K_WSOL_ATA, K_ME, K_WSOL, K_SYSTEM, K_TOKEN}, 6);
    memcpy(F.a_ata_t, (uint8_t[]){K_ME, K_TOKEN_ATA, K_ME, K_MINT, K_SYSTEM, K_TOKEN}, 6);
    memcpy(F.a_xfer, (uint8_t[]){K_ME, K_WSOL_ATA}, 2);
    F.a_sync[0] = K_WSOL_ATA;
    memcpy(F.a_close, (uint8_t[]){K_WSOL_ATA, K_ME, K_ME}, 3);
    memcpy(F.a_route,
           (uint8_t[]){K_TOKEN, K_ME, K_WSOL_ATA, K_TOKEN_ATA, 10, K_MINT, K_WSOL, 11, 12}, 9);

    struct tx *t = &F.tx;
    t->n_sigs = 1;
    t->version = TX_V0;
    t->n_required = 1;
    t->n_keys = 10;
    t->keys = F.keys;
    t->n_looked_up = 3;
    t->n_instrs = N_INSTRS;
    t->instrs[I_CB1] = (struct tx_instr){K_BUDGET, 0, sizeof F.cb1, NULL, F.cb1};
    t->instrs[I_CB2] = (struct tx_instr){K_BUDGET, 0, sizeof F.cb2, NULL, F.cb2};
    t->instrs[I_ATA_W] = (struct tx_instr){K_ATA, 6, 1, F.a_ata_w, F.ata_create};
    t->instrs[I_XFER] = (struct tx_instr){K_SYSTEM, 2, 12, F.a_xfer, F.transfer};
    t->instrs[I_SYNC] = (struct tx_instr){K_TOKEN, 1, 1, F.a_sync, F.sync};
    t->instrs[I_ATA_T] = (struct tx_instr){K_ATA, 6, 1, F.a_ata_t, F.ata_create};
    t->instrs[I_ROUTE] = (struct tx_instr){K_JUP, 9, sizeof F.route, F.a_route, F.route};
    t->instrs[I_CLOSE] = (struct tx_instr){K_TOKEN, 3, 1, F.a_close, F.close_};
}

/* Adds a System transfer of lamports from account index from. */
static void add_transfer(uint8_t from, uint64_t lamports)
{
    memset(F.extra_data, 0, sizeof F.extra_data);
    F.extra_data[0] = 2;
    put_u64(F.extra_data + 4, lamports);
    F.extra_acc[0] = from;
    F.extra_acc[1] = K_WSOL_ATA;
    F.tx.instrs[F.tx.n_instrs++] = (struct tx_instr){K_SYSTEM, 2, 12, F.extra_acc, F.extra_data};
}

static bool tx_ok(bool buy)
{
    return live_policy_tx_allowed(&F.tx, &F.me, &F.q, buy, F.msg, sizeof F.msg);
}

/* Asserts a refusal whose sentence contains what. */
static void assert_refused(bool buy, const char *what)
{
    F.msg[0] = '\0';
    assert_false(tx_ok(buy));
    if (strstr(F.msg, what) == NULL)
        fail_msg("refusal \"%s\" does not say \"%s\"", F.msg, what);
}

/* ---- the accepted shapes ---------------------------------------------------- */

static void test_real_shapes_accepted(void **state)
{
    (void)state;
    build(true);
    snprintf(F.msg, sizeof F.msg, "untouched");
    assert_true(tx_ok(true));
    assert_string_equal(F.msg, "untouched");
    build(false);
    assert_true(tx_ok(false));
    /* Token-2022 tokens: the same unwrap through the 2022 program. */
    build(true);
    put_key(K_TOKEN, TOKEN_2022_PROGRAM_ID);
    assert_true(tx_ok(true));
    /* A Memo instruction is harmless. */
    build(true);
    put_key(K_BUDGET, "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
    assert_true(tx_ok(true));
}

/* ---- signers and fee payer ---------------------------------------------------- */

static void test_signers_and_fee_payer(void **state)
{
    (void)state;
    build(true);
    F.tx.n_required = 2;
    F.tx.n_sigs = 2;
    assert_refused(true, "2 signers");
    build(true);
    F.tx.n_sigs = 2; /* one signer declared, two signature slots */
    assert_refused(true, "signers");
    build(true);
    put_key(K_ME, OTHER);
    assert_refused(true, "fee payer is not our key");
}

/* ---- programs ----------------------------------------------------------------- */

static void test_programs(void **state)
{
    (void)state;
    build(true);
    put_key(K_BUDGET, OTHER);
    assert_refused(true, "unexpected program");
    /* A program the runtime would load from a lookup table. */
    build(true);
    F.tx.instrs[I_CB1].program_index = 10;
    assert_refused(true, "lookup table");
    /* Exactly one Jupiter instruction. */
    build(true);
    F.tx.instrs[I_CB1] = F.tx.instrs[I_ROUTE];
    assert_refused(true, "2 Jupiter instructions");
    build(true);
    F.tx.instrs[I_ROUTE] = F.tx.instrs[I_CB1];
    assert_refused(true, "0 Jupiter instructions");
}

/* ---- System: what may leave the wallet -------------------------------------- */

static void test_system_instructions(void **state)
{
    (void)state;
    /* Only CreateAccount (0) and Transfer (2), with their lamports. */
    build(true);
    F.transfer[0] = 3; /* Assign */
    assert_refused(true, "unexpected System instruction 3");
    build(true);
    F.tx.instrs[I_XFER].data_len = 11;
    assert_refused(true, "unexpected System instruction 2");
    build(true);
    F.transfer[0] = 0; /* CreateAccount with the same lamports */
    assert_true(tx_ok(true));
}

static void test_lamports_out_bounded(void **state)
{
    (void)state;
    /* A buy may move its amount plus the rent allowance, not a lamport more. */
    build(true);
    add_transfer(K_ME, RENT);
    assert_true(tx_ok(true));
    build(true);
    add_transfer(K_ME, RENT + 1);
    assert_refused(true, "lamports out of the wallet");
    /* A sell moves no SOL out beyond rent. */
    build(false);
    add_transfer(K_ME, RENT);
    assert_true(tx_ok(false));
    build(false);
    add_transfer(K_ME, RENT + 1);
    assert_refused(false, "lamports out of the wallet");
    /* A transfer from an account we cannot see (lookup table) counts as ours. */
    build(false);
    add_transfer(10, RENT + 1);
    assert_refused(false, "lamports out of the wallet");
    /* One from another static account is not ours and does not count. */
    build(false);
    add_transfer(K_WSOL_ATA, 1000 * RENT);
    assert_true(tx_ok(false));
}

/* ---- token accounts ---------------------------------------------------------- */

static void test_token_accounts(void **state)
{
    (void)state;
    build(true);
    F.a_ata_t[2] = K_MINT; /* the owner: any static key but ours */
    assert_refused(true, "token account for another wallet");
    build(true);
    F.a_ata_t[3] = K_SYSTEM; /* the mint: neither of the quote's */
    assert_refused(true, "token account for an unexpected mint");
    /* Owner and mint from a lookup table cannot be read: accepted. */
    build(true);
    F.a_ata_t[2] = 10;
    F.a_ata_t[3] = 11;
    assert_true(tx_ok(true));
}

static void test_token_instructions(void **state)
{
    (void)state;
    build(true);
    F.a_close[1] = K_MINT; /* close our wSOL account to someone else */
    assert_refused(true, "closes a token account to another wallet");
    build(true);
    F.sync[0] = 4; /* Approve: a delegation of our tokens */
    assert_refused(true, "unexpected token instruction 4");
    build(true);
    F.sync[0] = 6; /* SetAuthority */
    assert_refused(true, "unexpected token instruction 6");
    build(true);
    F.tx.instrs[I_SYNC].data_len = 0;
    assert_refused(true, "unexpected token instruction 255");
}

/* ---- the Jupiter route's amounts ------------------------------------------------ */

static void test_route_amounts(void **state)
{
    (void)state;
    build(true);
    set_route(IN_AMOUNT + 1, QUOTED_OUT, 100);
    assert_refused(true, "swap spends 3883000, the quote 3882999");
    /* The floor the program enforces must reach the quote's threshold. */
    build(true);
    set_route(IN_AMOUNT, QUOTED_OUT, 101);
    assert_refused(true, "less than the quote's minimum");
    build(true);
    set_route(IN_AMOUNT, QUOTED_OUT - 1, 100);
    assert_refused(true, "less than the quote's minimum");
    build(true);
    set_route(IN_AMOUNT, QUOTED_OUT, 99);
    assert_true(tx_ok(true));
    build(true);
    set_route(IN_AMOUNT, QUOTED_OUT, 10001);
    F.q.other_amount_threshold = 0;
    assert_refused(true, "less than the quote's minimum");
    /* An instruction without the known discriminators is checked on the
     * quote only (and logged); it is still the one Jupiter instruction. */
    build(true);
    F.route[0] ^= 0xff;
    assert_true(tx_ok(true));
    build(true);
    F.tx.instrs[I_ROUTE].data_len = 8 + 18; /* too short for the amounts */
    assert_true(tx_ok(true));
}

/* ---- the quote against the engine's price ------------------------------------- */

static struct exec_order order(enum side side)
{
    struct exec_order o;
    memset(&o, 0, sizeof o);
    o.side = side;
    o.decimals = 6;
    o.sol_in = 1000000000;  /* buy 1 SOL... */
    o.token_in = 4000000;   /* ...or sell 4 tokens */
    o.ref_price_sol = 0.25; /* exact in binary, so the bounds are exact */
    return o;
}

static void test_quote(void **state)
{
    (void)state;
    char msg[128];
    struct jup_quote q;
    memset(&q, 0, sizeof q);
    /* A buy of 1 SOL at 0.25 SOL expects 4 tokens (4e6 raw); with 2500
     * bps the least is 3e6. */
    struct exec_order b = order(SIDE_BUY);
    q.out_amount = 3000000;
    assert_true(live_policy_quote_allowed(&b, &q, 2500, msg, sizeof msg));
    q.out_amount = 2999999;
    assert_false(live_policy_quote_allowed(&b, &q, 2500, msg, sizeof msg));
    assert_non_null(strstr(msg, "quote 2999999 below 3000000"));
    assert_non_null(strstr(msg, "2500 bps"));
    /* A sell of 4 tokens at 0.25 SOL expects 1 SOL; the least 0.75 SOL. */
    struct exec_order s = order(SIDE_SELL);
    q.out_amount = 750000000;
    assert_true(live_policy_quote_allowed(&s, &q, 2500, msg, sizeof msg));
    q.out_amount = 749999999;
    assert_false(live_policy_quote_allowed(&s, &q, 2500, msg, sizeof msg));
    /* No reference price: any quote. */
    s.ref_price_sol = 0;
    q.out_amount = 0;
    assert_true(live_policy_quote_allowed(&s, &q, 2500, msg, sizeof msg));
}

static void test_message_bounded(void **state)
{
    (void)state;
    build(true);
    put_key(K_BUDGET, OTHER);
    char small[8];
    memset(small, 'x', sizeof small);
    assert_false(live_policy_tx_allowed(&F.tx, &F.me, &F.q, true, small, sizeof small));
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, "swap ca", sizeof small);
}

int main(void)
{
    log_set_level(LOG_OFF); /* the unrecognised-route warning */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_shapes_accepted),
        cmocka_unit_test(test_signers_and_fee_payer),
        cmocka_unit_test(test_programs),
        cmocka_unit_test(test_system_instructions),
        cmocka_unit_test(test_lamports_out_bounded),
        cmocka_unit_test(test_token_accounts),
        cmocka_unit_test(test_token_instructions),
        cmocka_unit_test(test_route_amounts),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_message_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
