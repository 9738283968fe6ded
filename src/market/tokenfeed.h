/* The token feed: DexScreener's token facts as price events for the engine.
 *
 * The engine never does I/O (DESIGN §1). When a signal waits for token
 * facts it asks through its output (engine_out token_request); in `serve`
 * the runner hands the mint to tokenfeed_request. The feed's thread
 * gathers the mints asked for (a short linger, 50 ms, lets several
 * signals share one request; at most DEX_BATCH = 30 per request), looks
 * them up with the DexScreener client (market/dexscreener.h: cached,
 * rate-limited, stale answers during an outage) and posts one EVENT_PRICE
 * per listed token (source "DEXSCREENER": price, liquidity, market cap,
 * pool creation; time = when DexScreener answered) through the sink,
 * which queues it for the engine (runner_post). A token DexScreener does
 * not list gets no event: its waiting signals are scored when their wait
 * expires.
 *
 * Every refresh_ms (30 s) the mints of the open positions are looked up
 * too, so exits have marks when nobody trades the token: serve's scheduler
 * (base/sched.h, tokenfeed_schedule) asks for it with tokenfeed_refresh;
 * the feed keeps no timer of its own.
 *
 * The engine thread only ever takes the feed's lock to add a mint to a
 * bounded set (tokenfeed_request never waits on the network).
 *
 * Threads: tokenfeed_new/_start/_stop/_free from the owner;
 * tokenfeed_request, tokenfeed_refresh and tokenfeed_health from any
 * thread. */
#ifndef WT_MARKET_TOKENFEED_H
#define WT_MARKET_TOKENFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/sched.h"
#include "event/event.h"
#include "market/dexscreener.h"
#include "net/httpc.h"

struct tokenfeed_opts {
    const char *base_url;        /* DexScreener, e.g. "https://api.dexscreener.com" (copied) */
    struct dexscreener_opts dex; /* cache TTL, stale limit, rate limit */
    struct httpc_opts http;      /* 4 s per attempt, no retry: the next request retries */
    unsigned linger_ms;          /* wait for more mints after the first (50) */
    unsigned refresh_ms;         /* tokenfeed_schedule's period (30000; 0 off) */
    size_t max_pending;          /* mints waiting for a lookup (1024); more are dropped */
    const struct clock *clock;   /* the client's clock and the health times; NULL: real */
};

void tokenfeed_opts_default(struct tokenfeed_opts *o);

/* Where the feed's answers go, and what it refreshes. */
struct tokenfeed_sink {
    /* Hands on the price events of one lookup, n >= 1 (in serve: stored
     * through the inbox, which passes them to the engine once committed);
     * may wait. Returns 0 or an error (closed, the store refused). */
    int (*post)(void *ctx, const struct event *ev, size_t n);
    /* Fills out[0..max) with the mints of the open positions; returns how
     * many. May be NULL (no refresh). */
    size_t (*open_mints)(void *ctx, struct pubkey *out, size_t max);
    void *ctx;
};

/* What /v1/status shows. Counters since the start. */
struct tokenfeed_health {
    bool running;
    uint64_t requested;  /* mints asked for (engine requests and refreshes) */
    uint64_t dropped;    /* asked for while max_pending mints were waiting */
    uint64_t lookups;    /* dexscreener_get calls */
    uint64_t posted;     /* price events posted */
    uint64_t not_listed; /* tokens DexScreener lists no pair for */
    uint64_t failures;   /* lookups that left tokens unanswered */
    uint64_t stale;      /* tokens answered from the cache during an outage */
    int64_t last_ok_ms;  /* end of the last lookup that answered every token, 0 never */
    int64_t last_failure_ms;
    bool last_failed;     /* the last lookup left tokens unanswered */
    bool last_stale;      /* the last lookup served stale answers */
    char last_error[160]; /* of the last failure ("" none) */
    struct dexscreener_stats dex;
};

enum tokenfeed_state {
    TOKENFEED_CONFIGURED, /* running, nothing looked up yet */
    TOKENFEED_OK,         /* the last lookup answered everything, fresh */
    TOKENFEED_DEGRADED,   /* the last lookup answered from the cache during an outage */
    TOKENFEED_DOWN,       /* the last lookup left tokens unanswered */
};

/* A stopped feed for o (base_url copied). Never NULL. */
struct tokenfeed *tokenfeed_new(const struct tokenfeed_opts *o);
/* Starts the thread, which posts through sink (copied). Returns 0 or
 * WT_EIO. Mints requested before the start wait for it. */
int tokenfeed_start(struct tokenfeed *f, const struct tokenfeed_sink *sink);
/* Stops the thread after its lookup in flight (bounded by the HTTP
 * timeout). Mints still waiting are dropped. Idempotent. */
void tokenfeed_stop(struct tokenfeed *f);
/* Stops and frees. NULL is allowed. */
void tokenfeed_free(struct tokenfeed *f);

/* Asks the feed's thread to look up the open positions' mints (the sink's
 * open_mints) as soon as it can. Never waits on the network. Any thread. */
void tokenfeed_refresh(struct tokenfeed *f);
/* Adds the refresh to the scheduler s (not started yet): tokenfeed_refresh
 * every refresh_ms, an inline job (it only hands the work to the feed's
 * thread). None when refresh_ms is 0. Returns 0 or WT_EINVAL (s already
 * started). Free s before the feed. */
int tokenfeed_schedule(struct tokenfeed *f, struct sched *s);

/* Asks for mint's facts: added to the set of mints to look up unless it
 * is there already. Never waits on the network. Any thread. */
void tokenfeed_request(struct tokenfeed *f, const struct pubkey *mint);

void tokenfeed_health(struct tokenfeed *f, struct tokenfeed_health *out);
/* The state of h, with a sentence for the operator in detail (times are
 * given relative to now_ms, on the feed's clock). */
enum tokenfeed_state tokenfeed_state(const struct tokenfeed_health *h, int64_t now_ms, char *detail,
                                     size_t detailsize);
/* "configured", "ok", "degraded", "down". */
const char *tokenfeed_state_name(enum tokenfeed_state s);

/* The price event of one DexScreener answer (found must be true): time =
 * when it was fetched, source "DEXSCREENER", market cap = mcap_usd or
 * else fdv_usd. Pure; any thread. */
void tokenfeed_price_event(const struct dex_token *t, struct event *out);

#endif
