/* The live executor's security policy: what a swap transaction built by
 * Jupiter, and the quote it comes from, must look like before the trading
 * key signs anything.
 *
 * Why in its own file: Jupiter builds the transaction we sign, so a bug
 * or a compromise there could make us sign something else (another fee
 * payer, a second signer, a transfer of our SOL, a delegation of our
 * tokens, a swap into another mint, a worse price than quoted). These
 * checks are the one line between that and our money; they are pure
 * functions of the decoded transaction, the quote and the order, with no
 * I/O, so they can be read, reviewed and tested on their own
 * (tests/unit/test_live_policy.c) apart from the executor's threads and
 * retries (exec_live.c). What lives in address lookup tables cannot be
 * read from the wire bytes and is not checked; docs/live.md says so. */
#include "trade/live_policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "solana/pubkey.h"
#include "solana/rpc.h"
#include "solana/tx.h"

#define LAMPORTS_PER_SOL 1000000000ull
/* Lamports a swap may move out of the wallet through the System program
 * beyond the swapped amount: rent of the token accounts it opens. */
#define RENT_ALLOWANCE 10000000ull

static const char *const PROGRAM_SYSTEM = "11111111111111111111111111111111";
static const char *const PROGRAM_COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111";
static const char *const PROGRAM_ATA = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";
static const char *const PROGRAM_JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";
static const char *const PROGRAM_MEMO = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";

/* Anchor discriminators (sha256("global:<name>")[0..8]) of the Jupiter v6
 * instructions whose data ends with in_amount u64, quoted_out_amount u64,
 * slippage_bps u16, platform_fee_bps u8. */
static const uint8_t DISC_ROUTE[8] = {0xe5, 0x17, 0xcb, 0x97, 0x7a, 0xe3, 0xad, 0x2a};
static const uint8_t DISC_SHARED_ROUTE[8] = {0xc1, 0x20, 0x9b, 0x33, 0x41, 0xd6, 0x9c, 0x81};

static void why(char *msg, size_t msgsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void why(char *msg, size_t msgsize, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msgsize, fmt, ap);
    va_end(ap);
}

static bool key_is(const uint8_t *k, const char *b58)
{
    struct pubkey p;
    return pubkey_parse(b58, &p) == 0 && memcmp(p.b, k, 32) == 0;
}

static uint64_t rd_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

bool live_policy_tx_allowed(const struct tx *tx, const struct pubkey *me, const struct jup_quote *q,
                            bool buy, char *msg, size_t msgsize)
{
    uint64_t sys_out = 0;
    int n_jup = 0;
    if (tx->n_required != 1 || tx->n_sigs != 1) {
        why(msg, msgsize, "swap transaction wants %u signers, expected only ours", tx->n_required);
        return false;
    }
    if (memcmp(tx_key(tx, 0), me->b, 32) != 0) {
        why(msg, msgsize, "swap transaction's fee payer is not our key");
        return false;
    }
    for (uint16_t i = 0; i < tx->n_instrs; i++) {
        const struct tx_instr *in = &tx->instrs[i];
        /* The runtime loads programs from the static keys only. */
        if (in->program_index >= tx->n_keys) {
            why(msg, msgsize, "instruction %u calls a program from a lookup table", i);
            return false;
        }
        const uint8_t *prog = tx_key(tx, in->program_index);
        /* acct(k): static key of the k-th account, or NULL (looked up). */
#define ACCT(k)                                                                                    \
    ((k) < in->n_accounts && in->accounts[(k)] < tx->n_keys ? tx_key(tx, in->accounts[(k)]) : NULL)
        if (key_is(prog, PROGRAM_COMPUTE_BUDGET) || key_is(prog, PROGRAM_MEMO))
            continue;
        if (key_is(prog, PROGRAM_SYSTEM)) {
            uint32_t kind = in->data_len >= 4
                                ? (uint32_t)in->data[0] | (uint32_t)in->data[1] << 8 |
                                      (uint32_t)in->data[2] << 16 | (uint32_t)in->data[3] << 24
                                : UINT32_MAX;
            /* CreateAccount (0) and Transfer (2) carry lamports at 4..12. */
            if ((kind != 0 && kind != 2) || in->data_len < 12) {
                why(msg, msgsize, "unexpected System instruction %u", kind);
                return false;
            }
            const uint8_t *from = ACCT(0);
            if (!from || memcmp(from, me->b, 32) == 0)
                sys_out += rd_u64(in->data + 4);
            continue;
        }
        if (key_is(prog, PROGRAM_ATA)) {
            /* Create / CreateIdempotent: payer, ata, owner, mint, ... */
            const uint8_t *owner = ACCT(2), *mint = ACCT(3);
            if (owner && memcmp(owner, me->b, 32) != 0) {
                why(msg, msgsize, "swap opens a token account for another wallet");
                return false;
            }
            if (mint && memcmp(mint, q->input_mint.b, 32) != 0 &&
                memcmp(mint, q->output_mint.b, 32) != 0) {
                why(msg, msgsize, "swap opens a token account for an unexpected mint");
                return false;
            }
            continue;
        }
        if (key_is(prog, TOKEN_PROGRAM_ID) || key_is(prog, TOKEN_2022_PROGRAM_ID)) {
            uint8_t op = in->data_len ? in->data[0] : 255;
            /* SyncNative (17) and CloseAccount (9) to ourselves are what
             * Jupiter uses to wrap and unwrap SOL; a delegation or
             * authority change of our tokens is never part of a swap. */
            if (op == 17)
                continue;
            if (op == 9) {
                const uint8_t *dest = ACCT(1);
                if (dest && memcmp(dest, me->b, 32) != 0) {
                    why(msg, msgsize, "swap closes a token account to another wallet");
                    return false;
                }
                continue;
            }
            why(msg, msgsize, "unexpected token instruction %u at top level", op);
            return false;
        }
        if (key_is(prog, PROGRAM_JUPITER)) {
            n_jup++;
            if (in->data_len >= 8 + 19 && (memcmp(in->data, DISC_ROUTE, 8) == 0 ||
                                           memcmp(in->data, DISC_SHARED_ROUTE, 8) == 0)) {
                const uint8_t *t = in->data + in->data_len - 19;
                uint64_t in_amount = rd_u64(t), quoted = rd_u64(t + 8);
                uint16_t slip = (uint16_t)(t[16] | t[17] << 8);
                /* The program enforces out >= quoted * (1 - slip). */
                uint64_t keep = slip <= 10000 ? 10000u - slip : 0;
                uint64_t floor_out = quoted / 10000 * keep + quoted % 10000 * keep / 10000;
                if (in_amount != q->in_amount) {
                    why(msg, msgsize, "swap spends %llu, the quote %llu",
                        (unsigned long long)in_amount, (unsigned long long)q->in_amount);
                    return false;
                }
                if (slip > 10000 || floor_out < q->other_amount_threshold) {
                    why(msg, msgsize, "swap accepts less than the quote's minimum");
                    return false;
                }
            } else {
                log_warn("live", "unrecognised Jupiter instruction: amounts checked on the "
                                 "quote only");
            }
            continue;
        }
#undef ACCT
        char p58[BASE58_KEY_MAX];
        struct pubkey pk;
        memcpy(pk.b, prog, 32);
        why(msg, msgsize, "swap calls an unexpected program %.12s…", pubkey_format(&pk, p58));
        return false;
    }
    if (n_jup != 1) {
        why(msg, msgsize, "swap has %d Jupiter instructions, expected 1", n_jup);
        return false;
    }
    if (sys_out > (buy ? q->in_amount : 0) + RENT_ALLOWANCE) {
        why(msg, msgsize, "swap moves %llu lamports out of the wallet, more than it should",
            (unsigned long long)sys_out);
        return false;
    }
    return true;
}

bool live_policy_quote_allowed(const struct exec_order *o, const struct jup_quote *q, uint16_t slip,
                               char *msg, size_t msgsize)
{
    if (!(o->ref_price_sol > 0))
        return true;
    double scale = pow(10.0, o->decimals);
    double expect = o->side == SIDE_BUY
                        ? (double)o->sol_in / (double)LAMPORTS_PER_SOL / o->ref_price_sol * scale
                        : (double)o->token_in / scale * o->ref_price_sol * (double)LAMPORTS_PER_SOL;
    double least = expect * (10000.0 - slip) / 10000.0;
    if ((double)q->out_amount < least) {
        why(msg, msgsize, "quote %llu below %.0f (price moved beyond %u bps)",
            (unsigned long long)q->out_amount, least, slip);
        return false;
    }
    return true;
}
