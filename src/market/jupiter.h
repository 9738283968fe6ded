/* Jupiter client: swap quotes, swap transactions and USD prices.
 *
 *   GET  /swap/v1/quote   ExactIn quote (string amounts parsed exactly)
 *   POST /swap/v1/swap    the unsigned v0 transaction for a quote
 *   GET  /price/v3?ids=   USD prices, at most 50 mints per request
 *
 * Paths are appended to the configured base URL (jupiter.api_url:
 * https://lite-api.jup.ag without a key, https://api.jup.ag with one);
 * the x-api-key header goes on every request when a key is configured
 * (httpc registers it with the log's redaction).
 *
 * Errors: every call returns 0 or a negative WT_E* code. WT_EREMOTE means
 * Jupiter answered with an error; jupiter_last_error() then says which, with
 * the errorCode mapped to a kind the executor acts on (no route, token not
 * tradable, rate limited, ...). WT_EPARSE means the answer did not have the
 * documented shape (the message names the JSON path). Network failures pass
 * through from httpc.
 *
 * Threads: a struct jupiter belongs to one thread at a time (the live
 * executor's I/O thread, or a command); calls block for the request. */
#ifndef WT_MARKET_JUPITER_H
#define WT_MARKET_JUPITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/httpc.h"
#include "solana/pubkey.h"
#include "solana/tx.h"

/* Most mints per price request (Jupiter's limit). */
#define JUP_PRICE_BATCH 50

enum jup_err_kind {
    JUP_ERR_NONE = 0,
    JUP_ERR_NO_ROUTE,     /* NO_ROUTES_FOUND, COULD_NOT_FIND_ANY_ROUTE, ... */
    JUP_ERR_NOT_TRADABLE, /* TOKEN_NOT_TRADABLE, MARKET_NOT_FOUND */
    JUP_ERR_BAD_REQUEST,  /* other 4xx answers: our request was wrong */
    JUP_ERR_UNAUTHORIZED, /* 401/403: missing or wrong API key */
    JUP_ERR_RATE_LIMITED, /* 429 after httpc's retries */
    JUP_ERR_SERVER,       /* 5xx after httpc's retries */
    JUP_ERR_SIMULATION,   /* /swap answered with a simulationError */
    JUP_ERR_OTHER,        /* an error body we could not classify */
};

struct jup_error {
    long http_status;
    enum jup_err_kind kind;
    char code[64];     /* Jupiter's errorCode ("" when none) */
    char message[256]; /* Jupiter's error text, or ours */
};

struct jup_quote_req {
    struct pubkey input_mint;
    struct pubkey output_mint;
    uint64_t amount; /* raw units of input_mint */
    uint16_t slippage_bps;
};

/* A quote. raw is the quote object verbatim (owned, NUL-terminated); the
 * swap request sends it back as quoteResponse. Release with
 * jup_quote_release. */
struct jup_quote {
    struct pubkey input_mint;
    struct pubkey output_mint;
    uint64_t in_amount;
    uint64_t out_amount;
    uint64_t other_amount_threshold; /* least out_amount after slippage */
    uint16_t slippage_bps;
    double price_impact_pct;
    uint64_t context_slot;
    uint32_t route_hops; /* routePlan entries */
    char *raw;
    size_t raw_len;
};

struct jup_swap_req {
    struct pubkey user;         /* userPublicKey: the fee payer and signer */
    bool wrap_unwrap_sol;       /* wrapAndUnwrapSol */
    bool dynamic_cu_limit;      /* dynamicComputeUnitLimit */
    uint64_t priority_fee_max;  /* maxLamports of the priority fee; 0: Jupiter's default */
    const char *priority_level; /* "medium", "high", "veryHigh"; NULL: "veryHigh" */
};

/* The swap transaction Jupiter built: unsigned (zero signature slots). */
struct jup_swap {
    uint8_t wire[TX_MAX_SIZE];
    size_t len;
    uint64_t last_valid_block_height;
    uint64_t priority_fee_lamports;
    uint64_t compute_unit_limit;
};

struct jup_price {
    struct pubkey mint;
    bool found; /* false when Jupiter has no price for the mint */
    double usd_price;
    uint64_t block_id;
    uint8_t decimals;
    double price_change_24h;
};

/* Creates a client. base_url is copied; api_key may be NULL or "" for none
 * (copied). opts may be NULL for httpc's defaults. Never NULL. */
struct jupiter *jupiter_new(const char *base_url, const char *api_key,
                            const struct httpc_opts *opts);
void jupiter_free(struct jupiter *j);

/* The last failure of j (valid until the next call on j). */
const struct jup_error *jupiter_last_error(const struct jupiter *j);
/* A static name of a kind ("no_route", ...). */
const char *jup_err_kind_name(enum jup_err_kind k);

/* Asks for an ExactIn quote with restrictIntermediateTokens. On success q
 * is filled (the caller releases it); on failure q is empty. */
int jupiter_quote(struct jupiter *j, const struct jup_quote_req *req, struct jup_quote *q);
void jup_quote_release(struct jup_quote *q);

/* Parses a quote body (the whole JSON object) into q, copying it into
 * q->raw. Returns 0 or WT_EPARSE (err says where). Any thread. */
int jup_quote_parse(const char *body, size_t len, struct jup_quote *q, char *err, size_t errsize);

/* Asks for the swap transaction of quote q. On success *out holds the
 * decoded wire bytes (base64 checked, at most TX_MAX_SIZE) and the last
 * valid block height. A simulationError in the answer is WT_EREMOTE with
 * kind JUP_ERR_SIMULATION. */
int jupiter_swap(struct jupiter *j, const struct jup_quote *q, const struct jup_swap_req *req,
                 struct jup_swap *out);

/* Prices of n mints into out[0..n) (in the same order), in requests of at
 * most JUP_PRICE_BATCH mints. A mint Jupiter does not know has found ==
 * false. On error the entries of later batches are left not found. */
int jupiter_prices(struct jupiter *j, const struct pubkey *mints, size_t n, struct jup_price *out);

#endif
