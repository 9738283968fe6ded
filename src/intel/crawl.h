/* The chain crawl: discovery's data collected from Helius on a budget.
 *
 * Discovery (intel/discovery.h) finds smart money in the swaps the store
 * holds. On the real chain the store starts empty, so the crawl fills it:
 *
 *   0. graduations: the history of pump.fun's migration account (the fee
 *      payer of every migration of a completed bonding curve to a pool)
 *      is listed back discovery.graduation_hours from its newest
 *      transaction, and every mint a migration moved becomes a pending
 *      token (a later run lists only what is newer);
 *   1. tokens: every pending token of the crawl (graduations and an
 *      operator's list, `walltrack discover --tokens FILE`) has its whole
 *      history paged
 *      from Helius (GET /v0/addresses/{mint}/transactions, 100 a page,
 *      `before-signature` from the newest back to its creation; a page of
 *      fewer than 100 is the last, as no type filter is used), decoded
 *      by the webhook's decoder and stored like any swap (ingest/loader),
 *      each page oldest first (the chain's order, which the store replays);
 *   2. candidates: discovery's own rules run over what is stored (early
 *      buyers: discovery.early_buyers / early_minutes; a hit: a successful
 *      token bought early and sold in profit), and every early buyer with
 *      at least discovery.min_hits hits becomes a pending wallet (the
 *      other rules need the history its backfill fetches);
 *   3. backfill: each pending wallet's history is paged back
 *      discovery.backfill_days from the newest block time crawled; a
 *      wallet backfilled before is only topped up (paging stops at the
 *      newest transaction it already has), and only when the chain moved
 *      on since;
 *   4. discovery_run over the store, as `walltrack discover` does.
 *
 * Every page's cursor and the requests it cost are written to the store
 * (crawl_items, crawl_counters) in one transaction after its swaps are
 * committed, so a killed crawl resumes at the page it was on: finished
 * tokens and wallets are never fetched again, and at most the one page in
 * flight at the kill is fetched twice.
 *
 * Requests: at most `budget` per run (0: no limit), sent no faster than
 * `rps` a second; a 429 or a 5xx (or no answer) is retried after an
 * exponential backoff with jitter, up to max_retries times; Helius's
 * search-period answer continues with the next window (helius_api); a
 * malformed page is counted, logged, and its item skipped. Every request
 * sent counts against the budget, retries included.
 *
 * DexScreener (dex_queries set): after the graduations, each
 * comma-separated query is one GET /latest/dex/search?q=...; the Solana
 * mints of its pairs that are not crawl tokens yet are looked up 30 a
 * request with GET /tokens/v1/solana/{mints} (market/dexscreener.h), and
 * every one that passes crawl_dex_success becomes a pending token (source
 * "dexscreener"). DexScreener's requests count in the same budget, at
 * their own rate (dex_rps).
 *
 * RPC only (no helius_key, rpc_urls set): the same phases over Solana
 * RPC (intel/crawl_rpc.c): getSignaturesForAddress pages of 100 from the
 * newest back (`before`), and a getTransaction for every successful
 * signature, decoded by the raw-format decoder the RPC poller's bodies go
 * through; the graduations read each migration's mint from its token
 * balances. One request a transaction: far more requests than Helius's
 * 100 a page (docs/intelligence.md has the numbers).
 *
 * With token_window_hours, a token's signatures are paged first and only
 * its early window fetched (crawl_rpc.c). Not done (planned): the same on
 * the Helius path (signatures, then the parse endpoint in batches of 100). `serve` runs it before
 * each scheduled discovery (discovery.chain_crawl; intel/discovery.c). */
#ifndef WT_INTEL_CRAWL_H
#define WT_INTEL_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/discovery.h"
#include "market/dexscreener.h"
#include "net/httpc.h"
#include "store/store.h"

struct crawl_progress {
    /* "graduations", "dexscreener", "tokens", "candidates", "wallets", "done", "budget" */
    const char *phase;
    size_t graduations; /* new tokens the graduations source added this run */
    size_t dex_listed;  /* mints DexScreener's search answers named this run */
    size_t dex_added;   /* new tokens the DexScreener source added this run */
    size_t tokens, tokens_done, wallets, wallets_done;
    uint64_t requests;       /* sent this run (retries included) */
    uint64_t budget;         /* 0: none */
    int64_t requests_stored; /* crawl_counters.requests: every run's */
    uint64_t r429, r5xx, retries, malformed, failed;
    bool budget_exhausted;
    double elapsed_s, eta_s; /* eta_s < 0: unknown */
    uint64_t estimate;       /* dry run: requests the crawl would need */
};

struct crawl_opts {
    const char *helius_url, *helius_key;
    const struct httpc_opts *http; /* NULL: defaults (retries are the crawl's own) */
    uint64_t budget;
    bool dry_run; /* estimate and return without a request */
    struct discovery_params disc;
    uint32_t backfill_days;
    /* Graduations: the history of pump.fun's migration account, from the
     * newest back graduation_hours (0: off), each migrated mint a token;
     * a later run lists only what is newer than what it saw. */
    const char *migration_account;
    uint32_t graduation_hours;
    /* DexScreener: each comma-separated query (NULL or "": the source is
     * off) is one search; its mints pass crawl_dex_success or are left. */
    const char *dex_url, *dex_queries;
    double dex_min_multiple;      /* 0: disc.min_multiple */
    double dex_min_liquidity_usd; /* 0: any */
    uint32_t dex_max_age_hours;   /* pair created at most this long ago; 0: any age */
    double dex_rps;               /* DexScreener requests per second; 0: no limit */
    double rps;                   /* Helius requests per second; 0: no limit */
    /* The RPC-only path: without a Helius key, rpc_urls (comma-separated,
     * tried in order) at rpc_rps requests a second (0: no limit). */
    const char *rpc_urls;
    double rpc_rps;
    /* RPC only: a token's signatures are paged to its creation first
     * (1,000 a request) and only the transactions of its first
     * token_window_hours are fetched; 0: its whole history. */
    uint32_t token_window_hours;
    unsigned max_retries; /* per request (429, 5xx, no answer) */
    unsigned backoff_ms;  /* first backoff; doubles each retry, +-50% jitter */
    uint64_t jitter_seed;
    /* Called after every request and phase change, on the caller's
     * thread. May be NULL. */
    void (*progress)(void *ctx, const struct crawl_progress *p);
    void *ctx;
};

/* Sets the defaults: budget 0, rps 10, 5 retries from 500 ms, 30 days of
 * backfill, discovery's default parameters; DexScreener off (dex_rps 4,
 * $10,000 liquidity, 72 hours). */
void crawl_opts_default(struct crawl_opts *o);

/* The market cap of a pump.fun token at launch, in SOL: its bonding curve
 * starts at 30 virtual SOL for 1,073,000,000 virtual tokens of a
 * 1,000,000,000 supply (sim/curve.h has the same curve). */
#define CRAWL_PUMP_LAUNCH_MCAP_SOL (30.0 * 1e9 / 1073000000.0)

/* DexScreener's pair data has no peak price, so its success rule reads
 * what it has. The market cap in SOL is marketCap (else fdv) in USD
 * converted at the pair's own SOL price (priceUsd / priceNative, a SOL
 * quote only); over CRAWL_PUMP_LAUNCH_MCAP_SOL it is a lower bound of the
 * multiple from launch to peak (the peak was at least today's price).
 * A token succeeds, as in discovery (intel/discovery.h), when that
 * multiple reaches dex_min_multiple (0: disc.min_multiple; when either
 * is not 0) or its market cap
 * reaches disc.min_mcap_sol (when not 0); and besides, its pair has at
 * least dex_min_liquidity_usd of liquidity and was created at most
 * dex_max_age_hours before now_ms (pairCreatedAt; not after it). A token
 * priced in anything but SOL, or with no market cap, fails. *multiple
 * (may be NULL) gets the lower bound (0 when unknown). */
bool crawl_dex_success(const struct dex_token *t, const struct crawl_opts *o, int64_t now_ms,
                       double *multiple);

struct config;
/* Fills o from the settings (helius.*, discovery.*, dexscreener.api_url):
 * its strings point into cfg, which must outlive o. Leaves dry_run,
 * progress and ctx as they were. */
void crawl_opts_from_config(struct crawl_opts *o, const struct config *cfg);

/* Adds the mints of a file (one base58 address a line; blank lines and
 * lines from '#' on are ignored) as pending tokens. A line that is not an
 * address fails the whole file before anything is added: WT_EINVAL with
 * the line in err. Returns 0 (*added: new ones), WT_EIO, WT_ESTORE. */
int crawl_add_tokens_file(struct store *st, const char *path, size_t *added, char *err,
                          size_t errsize);

/* Runs the crawl (see above). Returns 0 (also when the budget stopped it:
 * out->budget_exhausted), WT_EINVAL (options), WT_ESTORE, or the error
 * that stopped it; err says why. out may be NULL. */
int crawl_run(struct store *st, const struct crawl_opts *o, struct crawl_progress *out, char *err,
              size_t errsize);

/* The progress of the newest crawl run, as it writes it to the store
 * (crawl_counters "run_*": at each phase change, at most once a second
 * between, and at its end), so any process on the same store can show it
 * (GET /v1/discovery). */
#define CRAWL_LIVE_STALE_MS (10 * 60 * 1000) /* "running" unchanged this long: interrupted */
struct crawl_live {
    /* "idle" (never ran), "running", "done", "budget" (stopped at its
     * budget), "failed", "interrupted" (running, but not updated for
     * CRAWL_LIVE_STALE_MS: the process died) */
    const char *state;
    const char *phase;        /* crawl_progress.phase; "" never ran */
    int64_t requests, budget; /* this run's; budget 0: none */
    int64_t eta_ms;           /* < 0: unknown */
    int64_t tokens, tokens_done, wallets, wallets_done;
    int64_t started_ms, updated_ms; /* 0: never ran */
};

/* Reads the newest run's progress. Returns 0 or WT_ESTORE. */
int crawl_live_read(struct store *st, struct crawl_live *out);

#endif
