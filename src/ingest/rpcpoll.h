/* RPC polling: the fallback when the Helius webhook falls silent.
 *
 * While no webhook delivery has arrived for `silence_s` seconds, every
 * `interval_s` the poller asks Solana RPC for the watched wallets' new
 * signatures (getSignaturesForAddress with `until` = the newest one it has
 * seen), fetches each new successful transaction (getTransaction, json
 * encoding, maxSupportedTransactionVersion 0) and hands the response to the
 * inbox, whose decoder reads the raw format through the same net-balance
 * rules as webhook deliveries. Duplicates of what the webhook already
 * delivered are ignored by the store, so overlap is harmless.
 *
 * Threads: rpcpoll_start() runs one polling thread; rpcpoll_once() runs a
 * poll on the caller's thread (the tests); do not mix both on one poller at
 * the same time. */
#ifndef WT_INGEST_RPCPOLL_H
#define WT_INGEST_RPCPOLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/inbox.h"
#include "store/store.h"

struct rpcpoll;

struct rpcpoll_opts {
    const char *const *rpc_urls; /* failover list */
    size_t n_urls;
    unsigned silence_s;   /* poll only after this long without a delivery (0: never; forced rounds
                             still run) */
    unsigned interval_s;  /* between polls while silent */
    unsigned first_limit; /* signatures taken the first time a wallet is polled (0: 20) */
};

struct rpcpoll_stats {
    uint64_t polls;          /* poll rounds run */
    uint64_t wallets;        /* wallet polls */
    uint64_t transactions;   /* transactions fetched and handed to the inbox */
    uint64_t failed_skipped; /* signatures skipped because the transaction failed */
    uint64_t errors;         /* RPC or inbox errors */
    int64_t last_poll_ms;    /* wall time of the last round, 0 if none */
    bool forced;             /* polling regardless of webhook silence */
};

/* Creates a poller (no thread yet). st and ib must outlive it. */
struct rpcpoll *rpcpoll_new(struct store *st, struct inbox *ib, const struct rpcpoll_opts *o);
void rpcpoll_free(struct rpcpoll *p);

/* Polls the given wallets (base58) once. Returns 0, or the first error
 * (the round continues with the next wallet after an error). */
int rpcpoll_wallets(struct rpcpoll *p, const char *const *wallets, size_t n);
/* Polls every wallet with status watch in the store once. */
int rpcpoll_once(struct rpcpoll *p);

/* Starts / stops the background thread described above. */
int rpcpoll_start(struct rpcpoll *p);
void rpcpoll_stop(struct rpcpoll *p);

void rpcpoll_get_stats(struct rpcpoll *p, struct rpcpoll_stats *out);

/* While on, the thread polls the watched wallets every interval whether or
 * not the webhook is silent: the daemon turns it on while the Helius
 * webhook's addresses are not in line with the watchlist (ingest/hooksync.h),
 * so a wallet Helius does not know of is still followed. Turning it on
 * wakes the thread for a round at once. Any thread. */
void rpcpoll_set_forced(struct rpcpoll *p, bool on);

/* New endpoints (a reload of rpc.urls; urls copied): the polling thread
 * takes them before its next round, so a round in progress finishes on
 * the old ones. Any thread. */
void rpcpoll_set_urls(struct rpcpoll *p, const char *const *urls, size_t n);

#endif
