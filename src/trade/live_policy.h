/* The live executor's security policy: the checks a swap transaction
 * built by Jupiter, and the quote it answers, must pass before the
 * trading key signs it (DESIGN §9; docs/live.md has the rules in detail).
 *
 * Both functions are pure: no I/O, no state, no allocation; any thread
 * may call them. On refusal they write one sentence saying what is wrong
 * into msg (truncated to msgsize, always NUL-terminated when msgsize > 0)
 * and return false; on acceptance they return true and leave msg alone.
 * The executor (exec_live.c) turns a refusal into a failed fill carrying
 * that sentence. */
#ifndef WT_TRADE_LIVE_POLICY_H
#define WT_TRADE_LIVE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "market/jupiter.h"
#include "solana/pubkey.h"
#include "solana/tx.h"
#include "trade/executor.h"

/* Whether the decoded swap transaction tx, built for quote q, may be
 * signed by the key me. It must have exactly one signer, me, as the fee
 * payer; call only the Compute Budget, Memo, System (CreateAccount and
 * Transfer), Associated Token (accounts of me for the quote's two mints),
 * Token (SyncNative, CloseAccount back to me) and Jupiter programs, from
 * static keys; hold exactly one Jupiter instruction, whose recognised
 * route data spends q->in_amount and accepts no less than
 * q->other_amount_threshold; and move no more lamports out of me (or out
 * of an account it names through a lookup table) through the System
 * program than the swapped amount (buy, else 0) plus the rent of the
 * token accounts it opens. An unrecognised Jupiter instruction is
 * accepted on the quote's amounts alone, with a warning in the log. */
bool live_policy_tx_allowed(const struct tx *tx, const struct pubkey *me, const struct jup_quote *q,
                            bool buy, char *msg, size_t msgsize);

/* Whether quote q is acceptable for order o: its out amount is no less
 * than what the engine's reference price (o->ref_price_sol) gives for the
 * order's input, less slip basis points. An order without a reference
 * price (ref_price_sol <= 0) accepts any quote. */
bool live_policy_quote_allowed(const struct exec_order *o, const struct jup_quote *q, uint16_t slip,
                               char *msg, size_t msgsize);

#endif
