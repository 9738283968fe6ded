/* The engine and the store: the batched writer of its decisions, and the
 * restore of its state at start.
 *
 * Writer: an engine_out that turns every decision into a row (signals,
 * orders and positions keep the engine's own ids; fills, closed trades and
 * alerts get the database's) and, at each engine_flush, writes them with
 * the open positions that changed, the engine's state row and, about once
 * a minute of engine time, a mark-to-market equity sample (equity_marks)
 * in ONE transaction (store_write_batch). A failed write is kept and retried at
 * the next flush, so a passing database hiccup loses nothing; past
 * ENGINE_STORE_MAX_PENDING rows the oldest are dropped with an error
 * logged.
 *
 * Restore (engine_store_restore), on the engine thread before it takes
 * events: the state row of the engine's mode (cash, id counters, breakers),
 * the open positions (their full JSON, pending sales cancelled), the
 * feedback statistics from the closed trades, the orders that were in
 * flight (marked cancelled), the stored swaps into intel and the market
 * (warm-up, optional), and the watchlist: wallets with status watch or
 * blacklisted, and the members of blacklisted clusters, applied as
 * commands. */
#ifndef WT_TRADE_ENGINE_STORE_H
#define WT_TRADE_ENGINE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/vec.h"
#include "solana/base58.h"
#include "store/store.h"
#include "trade/engine.h"

#define ENGINE_STORE_MAX_PENDING 200000

/* The store key of the engine state of a mode: "engine.paper", "engine.live". */
const char *engine_store_state_key(enum trade_mode m);

/* A writer on st (which must outlive it). Runs on the engine thread. */
struct engine_out *engine_store_writer_new(struct store *st);
/* Names the node whose engine this is on every order it writes
 * (cluster.node_id; "" by default, a single node). */
void engine_store_writer_node(struct engine_out *o, const char *node);

/* What a restore found. */
struct engine_restore_stats {
    bool state_found;
    size_t positions;
    size_t trades;
    size_t orders_cancelled;
    size_t swaps_warmed;
    size_t watched, blacklisted, cluster_members;
};

struct perf;
/* Feeds the stored mark-to-market equity samples of mode (equity_marks,
 * written by the writer about once a minute of engine time) with ts_ms >=
 * since_ms to p (perf_mark), oldest first. Returns 0 or a store error. */
int engine_store_marks_load(struct store *st, const char *mode, int64_t since_ms, struct perf *p);

/* The retention of the mark-to-market samples (engine.equity_marks_full_days):
 * both modes' samples older than full_days before now_ms, rounded down to
 * the hour, are thinned to each hour's lowest and highest
 * (store_equity_marks_thin). *from_ms is where the last call stopped (0 at
 * first: from the beginning) and is advanced; full_days 0 does nothing.
 * *deleted gets the rows removed. Returns 0 or a store error. */
int engine_store_marks_thin(struct store *st, int64_t now_ms, int full_days, int64_t *from_ms,
                            int64_t *deleted);

/* Restores e from st as described above (warm: replay the stored swaps).
 * Returns 0, or a store error / WT_EPARSE with a message in err (the
 * engine may then be partly restored: do not run it). */
/* How the warm-up of engine_store_restore_from reads the stored swaps. */
struct engine_warm {
    bool on;        /* replay the stored swaps at all */
    int64_t max_id; /* only swaps with id <= max_id (INT64_MAX: every
                     * one): those stored before the fence a background
                     * warm-up took; later ones reach the engine as events */
    /* Optional: the swaps replayed so far, stored (relaxed) as it goes,
     * for a progress report read by other threads. */
    size_t *progress;
    /* Optional: asked every few thousand swaps; true stops the restore
     * with WT_ECLOSED (a stop during a background warm-up). */
    bool (*stop)(void *ctx);
    void *stop_ctx;
};
/* engine_store_restore with the warm-up's fence, progress and stop. */
int engine_store_restore_from(struct engine *e, struct store *st, const struct engine_warm *w,
                              struct engine_restore_stats *stats, char *err, size_t errsize);
int engine_store_restore(struct engine *e, struct store *st, bool warm,
                         struct engine_restore_stats *stats, char *err, size_t errsize);

/* The JSON kept in a position row's `state` column: the position
 * (position_format) with its signal's score and factors. And back. */
/* Exit strategies created or edited by the operator: the exit_strategies
 * table, one row per strategy (its JSON), each change kept in
 * settings_history under "exits.strategy.<name>" (store.h). */

/* Stores s with its history. Returns 0, WT_EFULL (too long), WT_ESTORE. */
int engine_store_exit_put(struct store *st, const struct exit_strategy *s, int64_t ts_ms,
                          const char *actor);
/* Removes the strategy called name. Returns 0, WT_ENOTFOUND, WT_ESTORE. */
int engine_store_exit_delete(struct store *st, const char *name, int64_t ts_ms, const char *actor);
/* Adds every stored strategy to b (replacing a built-in one of the same
 * name). A stored value that no longer parses is skipped with a warning
 * in the log; *loaded counts those added. Returns 0, WT_ESTORE or WT_EFULL
 * (more strategies than a book holds), with a message in err. */
int engine_store_exits_load(struct store *st, struct exit_book *b, size_t *loaded, char *err,
                            size_t errsize);

/* The stored wallets of one status on Solana, read by one scan (one read
 * transaction) and ranked best score first, ties by address: the order the
 * engine loads its watchlist in (and the ranking discovery gives). The
 * caller frees out->v with vec_free, also after an error. */
struct watch_row {
    char address[BASE58_KEY_MAX];
    double score;
};
struct watch_rows {
    VEC(struct watch_row) v;
};
int engine_store_wallets_ranked(struct store *st, enum wallet_status status,
                                struct watch_rows *out);

int engine_store_position_json(const struct position *p, double score, const double f[SF_COUNT],
                               struct buf *out);
int engine_store_position_parse(const char *json, size_t len, struct position *p, double *score,
                                double f[SF_COUNT], char *err, size_t errsize);

#endif
