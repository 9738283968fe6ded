/* Net-balance rules: one transaction's balance changes in, swap and
 * transfer events out.
 *
 * Both Helius formats (enhanced transactions and raw/RPC transactions) are
 * first loaded into a struct netbal_tx: string slices pointing into the
 * parsed JSON document, plus the native (lamport) and token balance changes
 * of every account. netbal_decide then applies the rules of DESIGN §5 and
 * docs/internals/ingest.md: direction and amounts come from the fee payer's
 * net changes (fee added back, rent moved into the wallet's own token
 * accounts netted out, wSOL counted through the lamports of those
 * accounts), never from the transaction's `type` or `events.swap`.
 *
 * Threads: a netbal_tx belongs to one thread. No allocation happens per
 * field: the vectors are cleared and reused from one transaction to the
 * next, so they only grow to the largest transaction seen. */
#ifndef WT_INGEST_NETBAL_H
#define WT_INGEST_NETBAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/vec.h"
#include "event/event.h"
#include "ingest/skip.h"

/* A string slice into the parsed document; p == NULL or n == 0: absent. */
struct nb_str {
    const char *p;
    size_t n;
};

/* The lamport change of one account over the transaction. */
struct nb_native {
    struct nb_str account;
    int64_t delta;
};

/* The change of one token account's balance. Invariant: mag > 0 (zero
 * changes are not stored); neg says the balance went down. */
struct nb_token {
    struct nb_str account; /* the token account */
    struct nb_str owner;   /* the wallet that owns it */
    struct nb_str mint;
    uint64_t mag;
    bool neg;
    uint8_t decimals;
};

/* A transfer as Helius lists it (enhanced format only). For native
 * transfers mint is absent and amount is exact lamports; for token
 * transfers amount is 0 (Helius gives only a float) and the exact amount
 * is looked up in the balance changes of to_acct. */
struct nb_xfer {
    struct nb_str from, to;           /* user accounts */
    struct nb_str from_acct, to_acct; /* token accounts (token transfers) */
    struct nb_str mint;
    uint64_t amount;
    bool native;
};

struct netbal_tx {
    struct nb_str sig;
    struct nb_str fee_payer;
    struct nb_str type;   /* enhanced "type" ("" for raw) */
    struct nb_str source; /* enhanced "source", or derived from program ids */
    uint64_t slot;
    int64_t ts_ms;
    uint64_t fee;
    bool failed;
    bool has_xfer_lists; /* xfers comes from nativeTransfers/tokenTransfers */
    bool helius_swap;    /* type SWAP or an events.swap object is present */
    /* events.swap cross-check: +1 it says the fee payer received SOL,
     * -1 spent SOL, 0 it says nothing about the fee payer's SOL. */
    int xcheck_sol;
    /* The DEX whose program appears among the accounts (netbal_dex_note),
     * a static string or NULL; used when `source` names no DEX. */
    const char *dex;
    int dex_rank;
    VEC(struct nb_native) natives;
    VEC(struct nb_token) tokens;
    VEC(struct nb_xfer) xfers;
};

/* What netbal_decide concluded. */
struct netbal_result {
    enum skip_reason skip; /* SKIP_NONE when events were appended */
    uint16_t n_swaps;
    uint16_t n_transfers;
    bool xcheck_mismatch; /* events.swap disagrees with the balances */
};

/* Empties t for the next transaction, keeping the vectors' storage. */
void netbal_tx_clear(struct netbal_tx *t);
/* Frees the vectors. */
void netbal_tx_release(struct netbal_tx *t);

/* Applies the rules to t and appends the events (legs numbered from 0 in
 * the order appended) to *events. Returns 0, or WT_EPARSE when a key that
 * must become an event (signature, wallet, mint) is not valid base58 of
 * the right size; then nothing is appended and res->skip is
 * SKIP_MALFORMED. */
struct event_vec {
    struct event *v;
    size_t len, cap;
};
int netbal_decide(const struct netbal_tx *t, struct event_vec *events, struct netbal_result *res);

/* Bounds of a plausible transaction (docs/internals/ingest.md, "Bounds").
 * A value outside them is hostile or corrupt input: the transaction is
 * skipped as malformed, never stored, never handed to the engine.
 *
 * NETBAL_GENESIS_MS: 2020-03-16T00:00:00Z, the day of Solana mainnet-beta's
 * genesis block; no block time is earlier.
 * NETBAL_MAX_LAMPORTS: 1e18 lamports = 1 billion SOL, about 1.6 times the
 * total supply today (~6e17); inflation (under 5 % a year, falling to
 * 1.5 %) does not reach it for decades, and it keeps the sum of a few such
 * values far from the int64 limit (9.2e18). No balance change, transfer or
 * SOL quote can be larger.
 * NETBAL_MAX_FEE: 1e12 lamports = 1,000 SOL; the base fee is 5,000
 * lamports a signature and the largest priority fees paid are a few SOL,
 * so a larger fee is not a fee.
 * NETBAL_SLOTS_PER_S: slots are 400 ms (2.5 a second) by design and have
 * never been faster; a slot number above 10 a second since genesis (four
 * times the design rate) cannot exist yet. */
#define NETBAL_GENESIS_MS   1584316800000LL
#define NETBAL_MAX_LAMPORTS 1000000000000000000ULL
#define NETBAL_MAX_FEE      1000000000000ULL
#define NETBAL_SLOTS_PER_S  10

struct netbal_limits {
    int64_t now_ms;        /* the wall clock (Unix ms) */
    int64_t max_future_ms; /* how far past now_ms a block time may be */
};

/* Checks the loaded fields of t against the bounds above: block time (when
 * present) in [genesis, now + max_future], slot below 2^63 and below the
 * highest slot that can exist at now + max_future, fee <= NETBAL_MAX_FEE,
 * every lamport change and native transfer <= NETBAL_MAX_LAMPORTS in
 * magnitude, one number of decimals per mint. Returns 0, or WT_ERANGE with
 * the field and the problem in err. */
int netbal_validate(const struct netbal_tx *t, const struct netbal_limits *lim, char *err,
                    size_t errsize);

/* Checks the events netbal_decide appended (from index `first`): a SOL
 * quote, a native transfer and the fee within NETBAL_MAX_LAMPORTS /
 * NETBAL_MAX_FEE (a sum of bounded changes can still exceed the supply).
 * Returns 0 or WT_ERANGE with the problem in err. */
int netbal_validate_events(const struct event_vec *events, size_t first, char *err, size_t errsize);

/* Loaders call this for every account key: when key is a known DEX
 * program (Jupiter, pump.fun, PumpSwap, Raydium, Meteora, Orca), t->dex
 * becomes its label unless a higher-priority one (the aggregator) is
 * already there. */
void netbal_dex_note(struct netbal_tx *t, struct nb_str key);

/* Slice helpers shared by the loaders. */
bool nb_eq(struct nb_str a, struct nb_str b);
bool nb_eqz(struct nb_str a, const char *z);

#endif
