/* Why a decoded transaction produced no event.
 *
 * Every transaction the decoders see either yields events or exactly one
 * of these reasons, so that `walltrack decode`, the import summary and the
 * /metrics counters can say where input went. Pure functions, any thread. */
#ifndef WT_INGEST_SKIP_H
#define WT_INGEST_SKIP_H

enum skip_reason {
    SKIP_NONE = 0,
    SKIP_FAILED,            /* transactionError / meta.err is not null */
    SKIP_MALFORMED,         /* a required field is missing or has the wrong type */
    SKIP_NO_BALANCE_CHANGE, /* the wallet paid only the network fee */
    SKIP_NOT_A_SWAP,        /* balances moved, but neither a swap nor a transfer */
    SKIP_AMBIGUOUS,         /* more legs than one swap explains */
    SKIP_UNSUPPORTED_QUOTE, /* token-to-token with no SOL/USDC/USDT through the route */
    SKIP_NFT,               /* an NFT trade (0 decimals or an NFT_* type) */
    SKIP__COUNT,
};

/* "failed", "malformed", ... ("none" for SKIP_NONE, "?" out of range).
 * Static strings. */
const char *skip_reason_name(enum skip_reason r);

#endif
