/* DexScreener client: market data of Solana tokens (price, liquidity, fdv,
 * market cap, pair age, trade counts and volume) for the engine's filters
 * and position marks.
 *
 *   GET /tokens/v1/solana/{a1,a2,...}   at most 30 addresses; the answer is
 *                                       a bare JSON array of pair objects
 *
 * A token usually trades in several pairs; the client picks the most liquid
 * one (highest liquidity.usd) among the pairs that contain the token, on
 * either side.
 *
 * Cache: every answer is cached per mint (tokens DexScreener does not list
 * as well, so an unlisted mint costs one request per TTL). A fresh entry
 * (younger than ttl_ms) is served without a request. When a request fails
 * (network error, 5xx, 429) or the rate limiter refuses it, entries up to
 * stale_max_ms old are served with stale = true, so an outage degrades to
 * old marks rather than none; older than that, the token has no answer.
 *
 * Rate limit: DexScreener allows 300 requests per minute on this endpoint.
 * A sliding window over the last 60 s of the injected clock allows at most
 * max_per_minute requests (default 280); past that the client does not
 * send and treats the request as failed (stale data or WT_EBUSY). It never
 * sleeps.
 *
 * Threads: a struct dexscreener belongs to one thread at a time; calls
 * block for the requests they make. The clock is read, never set. */
#ifndef WT_MARKET_DEXSCREENER_H
#define WT_MARKET_DEXSCREENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "net/httpc.h"
#include "solana/pubkey.h"

/* Most addresses per request (DexScreener's limit). */
#define DEX_BATCH 30

enum dex_window { DEX_M5, DEX_H1, DEX_H6, DEX_H24, DEX__WINDOWS };

struct dex_activity {
    uint32_t buys;
    uint32_t sells;
    double volume_usd;
};

/* What the client knows of one token. When found is false the other
 * fields are zero (DexScreener lists no pair for it, or there was no
 * answer: see dexscreener_get's return). */
struct dex_token {
    struct pubkey mint;
    bool found;
    bool stale;         /* served from the cache after a failed request */
    int64_t fetched_ms; /* when the data was fetched (clock time) */
    struct pubkey pair;
    struct pubkey quote_mint; /* the pair's other token */
    char dex_id[24];          /* "raydium", "pumpswap", ... */
    double price_native;      /* token price in quote_mint units */
    double price_sol;         /* token price in SOL when quote_mint is wSOL, else 0 */
    double price_usd;         /* 0 when DexScreener gives none */
    double liquidity_usd;
    double fdv_usd;     /* 0 when absent */
    double mcap_usd;    /* 0 when absent */
    int64_t created_ms; /* pairCreatedAt; 0 when absent */
    struct dex_activity act[DEX__WINDOWS];
};

struct dexscreener_opts {
    int64_t ttl_ms;          /* fresh for this long; default 30000 */
    int64_t stale_max_ms;    /* served stale up to this age; default 600000 */
    uint32_t max_per_minute; /* default 280 (DexScreener allows 300) */
    size_t cache_max;        /* entries kept; default 10000, oldest evicted */
};

/* Counters for /metrics and tests. */
struct dexscreener_stats {
    uint64_t requests;   /* requests sent */
    uint64_t failures;   /* requests that failed (network, 5xx, 429, bad body) */
    uint64_t limited;    /* requests the rate limiter held back */
    uint64_t hits;       /* tokens served fresh (cached or just fetched) */
    uint64_t stale;      /* tokens served stale */
    uint64_t unanswered; /* tokens with no answer at all */
};

void dexscreener_opts_default(struct dexscreener_opts *o);

/* Creates a client for base_url (copied; "https://api.dexscreener.com").
 * clock must outlive the client. opts and http may be NULL for the
 * defaults. Never NULL. */
struct dexscreener *dexscreener_new(const char *base_url, const struct clock *clock,
                                    const struct dexscreener_opts *opts,
                                    const struct httpc_opts *http);
void dexscreener_free(struct dexscreener *d);

/* Market data of n mints into out[0..n), in the same order, from the cache
 * or in requests of at most DEX_BATCH mints. Returns 0 when every mint got
 * an answer (fresh, stale, or "not listed": found == false); otherwise the
 * error of the failed request (WT_ENET, WT_ETIMEOUT, WT_EREMOTE, WT_EPARSE,
 * or WT_EBUSY when the rate limiter held it back), with the mints it could
 * not answer left found == false and the others filled. */
int dexscreener_get(struct dexscreener *d, const struct pubkey *mints, size_t n,
                    struct dex_token *out);

/* The message of the last failure ("" if none). */
const char *dexscreener_errmsg(const struct dexscreener *d);
void dexscreener_stats(const struct dexscreener *d, struct dexscreener_stats *out);

/* Picks, for each of n mints, the most liquid pair in a /tokens/v1 body
 * (a JSON array of pairs) and fills out[i] (found false when no pair has
 * the mint). fetched_ms is set to now_ms. Returns 0 or WT_EPARSE with a
 * message naming the JSON path in err. Pure; any thread. */
int dex_parse_pairs(const char *body, size_t len, const struct pubkey *mints, size_t n,
                    int64_t now_ms, struct dex_token *out, char *err, size_t errsize);

/* The distinct base-token mints of the Solana pairs in a search answer
 * (GET /latest/dex/search?q=...: {"schemaVersion": ..., "pairs": [pair,
 * ...]}, the envelope of /latest/dex/tokens), in the answer's order, at
 * most max into out (*n: how many). Pairs of other chains are left out.
 * Returns 0 or WT_EPARSE with the reason in err. Pure; any thread. */
int dex_parse_search(const char *body, size_t len, struct pubkey *out, size_t max, size_t *n,
                     char *err, size_t errsize);

#endif
