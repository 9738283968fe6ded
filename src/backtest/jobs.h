/* Backtest jobs inside the daemon (POST /v1/backtests): a validated run,
 * batch or grid search (backtest/request.h, the command's own checks)
 * runs on its own thread; its state and progress can be read at any time
 * and are announced through a callback (the API publishes them on the
 * event stream); it can be cancelled.
 *
 * Cancelling: the replay stops at its next progress check and the job
 * ends "cancelled" with nothing saved: runs are saved only after the whole
 * job has computed (each in one transaction), and a cancel that arrives
 * before saving starts wins. A cancel that arrives while the runs are
 * being saved comes too late: the job ends "done".
 *
 * Jobs live in memory: the last BT_JOBS_KEEP finished ones are kept, and
 * a restart forgets them (their saved runs stay in backtest_runs).
 *
 * Threads: every function is thread-safe; the callback runs on the job's
 * thread (never under the manager's lock). */
#ifndef WT_BACKTEST_JOBS_H
#define WT_BACKTEST_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backtest/request.h"
#include "base/buf.h"
#include "store/store.h"

#define BT_JOBS_KEEP 32

enum bt_kind { BT_KIND_RUN, BT_KIND_BATCH, BT_KIND_GRID };

/* A validated request (every prep through bt_prep_validate, the grid
 * through bt_grid_req_parse). preps: one for run and grid, one per
 * scenario for batch (xcalloc'd). */
struct bt_job_req {
    enum bt_kind kind;
    struct bt_prep *preps;
    size_t n;
    struct bt_grid_req grid;
    char from_s[64], to_s[64]; /* the window as asked */
};

void bt_job_req_release(struct bt_job_req *r);

struct bt_jobs;

/* notify(ctx, "backtest", json, len) on every change of state and every
 * percent of progress: json is the job's summary (bt_jobs_json without
 * the result). st must outlive the manager. */
struct bt_jobs *bt_jobs_new(struct store *st,
                            void (*notify)(void *ctx, const char *event, const char *data,
                                           size_t len),
                            void *notify_ctx);
/* Cancels every running job, waits for their threads, frees everything. */
void bt_jobs_free(struct bt_jobs *j);

/* Starts req on a new thread unless max_running jobs already run.
 * Returns 0 with *id (req taken: its contents now belong to the job and
 * req is zeroed), WT_EBUSY (too many running) or WT_EIO (no thread could
 * be started); req untouched on failure. */
int bt_jobs_start(struct bt_jobs *j, struct bt_job_req *req, unsigned max_running, int64_t *id);

/* The job as JSON (docs/api.md, "Backtest jobs"); with result, a done
 * grid's search result too. Returns 0 or WT_ENOTFOUND. */
int bt_jobs_json(struct bt_jobs *j, int64_t id, bool result, struct buf *out);
/* Every job kept, newest first, as a JSON array of summaries. */
void bt_jobs_list_json(struct bt_jobs *j, struct buf *out);
/* Cancels a queued or running job and waits up to wait_ms for it to end;
 * the job's JSON then goes to out. Returns 0, WT_ENOTFOUND, or WT_ESTATE
 * (it had already ended: nothing to cancel; its JSON is in out). */
int bt_jobs_cancel(struct bt_jobs *j, int64_t id, int64_t wait_ms, struct buf *out);

#endif
