/* The engine in `serve`: its thread, its queue, its timer and what it
 * publishes for the API (DESIGN §2).
 *
 *   inbox commit thread --after_commit--> evq --> engine thread --> store (batched)
 *   timer thread ---------- ticks ------->  |          |        --> SSE hub
 *   HTTP pool ------------- commands ---->  |          +--> snapshot (status, positions,
 *   live executor --------- fills ------->  +               watchlist) for the API
 *   token feed ------------ prices ------>  +   (the engine's token requests go to
 *                                                the feed through token_request)
 *
 * runner_start builds the engine (paper executor inside unless a live one
 * is given), restores it from the store on the calling thread (state,
 * positions, breakers, warm-up, watchlist; engine_store.h), then starts
 * the engine and timer threads. The engine thread takes events in batches,
 * handles each, flushes the batch to the store in one transaction, then
 * publishes an immutable snapshot and acknowledges the commands of the
 * batch. Only newly stored events (not a webhook's retried duplicates)
 * reach the engine.
 *
 * Threads: runner_start/runner_stop from the owner; everything else from
 * any thread. */
#ifndef WT_TRADE_RUNNER_H
#define WT_TRADE_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "store/store.h"
#include "trade/engine.h"
#include "trade/engine_store.h"
#include "trade/executor.h"
#include "trade/paper.h"

struct sse_hub;
struct runner;

struct runner_opts {
    struct engine_params params;
    struct paper_params paper;
    struct store *store; /* required; must outlive the runner */
    struct sse_hub *hub; /* optional: decisions as server-sent events */
    bool warm;           /* replay the stored swaps into intel at start */
    unsigned tick_ms;    /* timer tick (0: 1000) */
    /* How far past the wall clock an event may move the engine's clock
     * (ingest.max_future_s); a later event is handled at wall + this, and
     * a restored clock beyond it is moved back. 0: 60 s. */
    int64_t max_future_ms;
    size_t queue_size; /* events (0: 65536) */
    /* Optional live executor: given a thread-safe sink for its fills.
     * NULL: the paper executor inside the engine. */
    struct executor *(*executor_new)(void *ctx, struct exec_sink sink);
    void *executor_ctx;
    /* Optional: builds one more output for every decision (push alerts),
     * each time an engine starts (the engine owns what it returns). */
    struct engine_out *(*extra_out_new)(void *ctx);
    void *extra_ctx;
    /* A standby (several daemons on one PostgreSQL, store/leader.h): no
     * engine until runner_promote. */
    bool standby;
    /* With several daemons: this node's id, written on its orders, and
     * each order's id is claimed in the store before it reaches the
     * executor (store_order_claim), so no two engines place the same
     * order. NULL: a single node, no claims. */
    const char *node_id;
    /* Optional: called on the engine thread with each mint the engine asks
     * facts for (engine_out token_request); must not wait on I/O
     * (tokenfeed_request). NULL: requests are dropped and parked signals
     * wait out signal.token_wait_ms. */
    void (*token_request)(void *ctx, const struct pubkey *mint);
    void *token_ctx;
    /* Record the engine's inputs in the store's engine journal
     * (trade/journal.h): a start row with journal_settings (a JSON object
     * of the run's settings, name -> value text; NULL: {}), the exit book,
     * the state the restore reads, then every input besides the stored
     * events, written with a batch that carries a command, else once a
     * second, and a stop row at runner_stop. For as-recorded backtests. */
    bool journal;
    const char *journal_settings;
    /* Warm up in the background (runner_start only; a promotion warms
     * first): runner_start returns once the engine is built and the store
     * read for the fence (the largest swap id now); the engine thread then
     * restores (the warm-up replays the swaps up to the fence), and the
     * events that arrive meanwhile wait in a backlog of at most
     * warm_backlog events (then producers wait, as on a full queue), to be
     * handled in order once it is done: each exactly once, as events.
     * Ticks are skipped and runner_command answers WT_EBUSY until then. */
    bool warm_background;
    size_t warm_backlog; /* events (0: 262,144) */
    /* Optional: while this file exists the background warm-up waits
     * before it starts (tests show what happens meanwhile). */
    const char *warm_hold_file;
};

/* Builds, restores and starts. Returns 0 and *out, or an error with a
 * message in err (nothing left running). */
int runner_start(const struct runner_opts *o, struct runner **out, char *err, size_t errsize);
/* Stops the timer, lets the engine handle what is queued, flushes to the
 * store, frees everything. NULL is allowed. */
void runner_stop(struct runner *r);

/* ---- standby and leader (several daemons on one PostgreSQL) ---------------- */

/* A standby runner has no engine: producers get WT_ECLOSED (events are
 * dropped: the store has them), the snapshot is an empty one. The owner's
 * thread only (the cluster's thread in `serve`). */
bool runner_active(struct runner *r);
/* Builds the engine and restores it from the store as a background
 * start does, whatever warm_background says: behind a fence (the largest
 * stored swap id), the replay on the engine thread, events posted
 * meanwhile in the backlog and handled once after it. With
 * warm_background it returns once the warm-up has begun; without, once
 * it has ended (a failed warm-up: demoted again, an error). runner_active
 * is true from the start (deliveries are no longer forwarded). Returns 0
 * (also when already active) or an error with err. */
int runner_promote(struct runner *r, char *err, size_t errsize);
/* Stops trading at once: the engine handles no further event and writes
 * nothing more (its unwritten decisions are dropped, as in a crash), its
 * executor is freed, producers get WT_ECLOSED. The last snapshot stays
 * readable. No-op when not active. */
void runner_demote(struct runner *r);

/* The inbox hook (store/gcommit.h after_commit; ctx is the runner): queues
 * the newly stored events, waiting while the queue is full. */
void runner_after_commit(void *ctx, const struct event *ev, size_t n, const uint8_t *inserted);
/* Events another node stored and announced (several nodes on one
 * PostgreSQL, cli/serve_cluster.c): as runner_after_commit, every one new.
 * After a promotion, a notification still on its way when the warm-up
 * read its fence can be about swaps the warm-up replayed; while warming
 * they are checked with the backlog, and for RUNNER_NOTIFY_GRACE_MS after
 * the warm-up ended each notification's swaps are looked up too, and
 * those stored at or below the fence dropped (counted in
 * backlog_replayed). Later notifications are handed on unchecked. */
#define RUNNER_NOTIFY_GRACE_MS 30000
void runner_after_notify(struct runner *r, const struct event *ev, size_t n);
/* Queues one event (market, tick), waiting while the queue is full.
 * Returns 0 or WT_ECLOSED. */
int runner_post(struct runner *r, const struct event *ev);
/* Queues a command and waits (at most timeout_ms) until the engine has
 * applied it and published the snapshot that shows it. Returns the
 * engine's result (0, WT_EINVAL, WT_ENOTFOUND, ...) with its message in
 * msg, WT_ETIMEOUT, or WT_ECLOSED. The command's ts_ms is set to now. */
int runner_command(struct runner *r, const struct command_event *c, int timeout_ms, char *msg,
                   size_t msgsize);
/* Queues a command without waiting for it (discovery and curation posting
 * watch / unwatch / blacklist as they decide). The command's ts_ms is set
 * to now. Returns 0 or WT_ECLOSED. */
int runner_post_command(struct runner *r, const struct command_event *c);
/* A sink for a live executor's fills (thread-safe). */
struct exec_sink runner_exec_sink(struct runner *r);

/* What the engine thread published after its last batch, as data: the
 * API serialises it (api/snap_json.h), watchsync and the routes read its
 * fields. Immutable; hold it with runner_snapshot and give it back with
 * runner_snapshot_release. */
struct runner_snap {
    struct engine_status status;
    /* The parameters the status shows (mode, capital, max positions,
     * scoring, token wait). */
    struct engine_params params;
    bool paused; /* the operator breaker is active */
    bool standby;
    /* With several daemons: this node's id, written on its orders, and
     * each order's id is claimed in the store before it reaches the
     * executor (store_order_claim), so no two engines place the same
     * order. NULL: a single node, no claims. */
    const char *node_id; /* no engine runs here (another node trades): the rest is empty */
    bool breaker_active[BREAKER_KIND_COUNT];
    int64_t breaker_since_ms[BREAKER_KIND_COUNT];
    char breaker_reason[BREAKER_KIND_COUNT][BREAKER_REASON_MAX];
    const struct position *positions; /* open positions, in opening order */
    size_t n_positions;
    const struct engine_watch *watchlist; /* engine_watchlist */
    size_t n_watchlist;
    int64_t published_ms; /* wall clock */
    int refs;             /* under the runner's lock */
};

const struct runner_snap *runner_snapshot(struct runner *r);
void runner_snapshot_release(struct runner *r, const struct runner_snap *s);

/* A snapshot of e now (refs 1), on the engine's thread; the watchlist is
 * copied from prev when prev is given (it changes only by command), else
 * built from e. runner_snap_free frees one nobody else holds (NULL is
 * allowed); the runner publishes with these, tests build their own. */
struct runner_snap *runner_snap_build(const struct engine *e, const struct runner_snap *prev);
void runner_snap_free(struct runner_snap *s);

/* The inputs' health as the engine sees it. */
struct runner_health {
    uint64_t webhook_events;       /* newly stored events received from the inbox */
    uint64_t webhook_duplicates;   /* committed again (retries): not handed on */
    int64_t webhook_last_event_ms; /* block time of the last one, 0 never */
    int64_t webhook_last_wall_ms;  /* when it arrived, 0 never */
    uint64_t handled;              /* events the engine handled */
    size_t queued, queue_high, queue_cap;
    int64_t last_batch_wall_ms;
    struct engine_restore_stats restore;
    /* The background warm-up (runner_opts.warm_background). */
    bool warming;                           /* not done yet: engine reads and commands wait */
    bool warm_held;                         /* waiting for warm_hold_file to go */
    bool warm_failed;                       /* the restore failed: no engine runs (warm_error) */
    size_t warm_done;                       /* swaps replayed so far */
    size_t warm_total;                      /* swaps stored at the fence */
    int64_t warm_fence;                     /* the largest swap id replayed into intel */
    int64_t warm_started_ms, warm_ended_ms; /* wall clock, 0: not yet */
    size_t backlog, backlog_high;           /* events waiting for the warm-up */
    size_t backlog_replayed;                /* a promotion's backlog swaps, and swaps of other
                                               nodes' notifications in the grace after the
                                               warm-up, found stored at or below the fence
                                               (replayed): dropped */
    char warm_error[256];
};

void runner_health(struct runner *r, struct runner_health *out);

/* The engine's parameters now (a copy taken at the last publish). */
void runner_params(struct runner *r, struct engine_params *out);

/* The mints of the open positions at the last publish, in opening order,
 * into out[0..max). Returns how many were written. Any thread (the token
 * feed refreshes their marks). */
size_t runner_open_mints(struct runner *r, struct pubkey *out, size_t max);

#endif
