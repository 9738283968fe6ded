/* The daemon behind `walltrack serve` and `walltrack demo`.
 *
 * serve_daemon() starts everything `serve` runs (store, alerts, engine,
 * inbox, RPC poller, API, backups, discovery schedule), waits for SIGINT or
 * SIGTERM, and shuts it all down in order. The hooks let `demo` load a
 * simulated history before the engine starts (so the engine warms up from
 * it and loads the watchlist discovery made) and feed a live simulated
 * market once the server listens. Start-up code: may exit through its
 * return value only. */
#ifndef WT_CLI_SERVE_H
#define WT_CLI_SERVE_H

#include <stdbool.h>

#include "base/config.h"

struct store;

struct serve_hooks {
    /* The store is open, the engine not started yet. Returns 0 to go on. */
    int (*before_engine)(void *ctx, struct store *st, const struct config *cfg);
    /* The API listens on port. Returns 0 to go on. */
    int (*listening)(void *ctx, unsigned port, const struct config *cfg);
    /* A stop signal arrived; called before anything shuts down. */
    void (*stopping)(void *ctx);
    void *ctx;
};

/* Runs the daemon with the configuration cfg until a stop signal. live:
 * the --live flag (refused unless armed). hooks may be NULL. Returns the
 * exit status: 0 after a clean stop, 1 on a start-up failure, 2 on a bad
 * setting. */
int serve_daemon(struct config *cfg, bool live, const struct serve_hooks *hooks);

#endif
