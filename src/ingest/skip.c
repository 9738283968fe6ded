/* Names of the skip reasons, as printed by `walltrack decode` and exported
 * as metric labels. Kept in one table so that the names never drift from
 * the enum. */
#include "ingest/skip.h"

static const char *const names[SKIP__COUNT] = {
    [SKIP_NONE] = "none",
    [SKIP_FAILED] = "failed",
    [SKIP_MALFORMED] = "malformed",
    [SKIP_NO_BALANCE_CHANGE] = "no_balance_change",
    [SKIP_NOT_A_SWAP] = "not_a_swap",
    [SKIP_AMBIGUOUS] = "ambiguous",
    [SKIP_UNSUPPORTED_QUOTE] = "unsupported_quote",
    [SKIP_NFT] = "nft",
};

const char *skip_reason_name(enum skip_reason r)
{
    if ((unsigned)r >= SKIP__COUNT)
        return "?";
    return names[r];
}
