/* Scheduled backups: every interval, a consistent copy of the database
 * (store_backup) goes to <dir>/walltrack-YYYYMMDD-HHMMSS.db, and only the
 * newest `keep` such files are kept. A job of serve's scheduler
 * (base/sched.h) on a worker of its own, so a long copy delays no other
 * job; a failed backup is logged and retried at the next interval.
 *
 * Threads: start/free from the owner (free after the scheduler is freed);
 * the job only calls the store's thread-safe backup. */
#ifndef WT_STORE_AUTOBACKUP_H
#define WT_STORE_AUTOBACKUP_H

#include <stdint.h>

#include "base/sched.h"
#include "store/store.h"

struct autobackup;

/* Adds the backup job to s (not started yet): the first backup runs one
 * interval after the scheduler starts. dir is created when missing.
 * Returns 0, WT_EINVAL (interval 0 or keep 0, or s already started) or
 * WT_EIO. */
int autobackup_start(struct sched *s, struct store *st, const char *dir, int64_t interval_ms,
                     unsigned keep, struct autobackup **out);
/* Frees b (NULL is fine); its scheduler must be freed first. */
void autobackup_free(struct autobackup *b);
/* Runs one backup now (and the pruning). Returns 0 or the store's error.
 * The file name it wrote goes to path when not NULL. */
int autobackup_run(struct autobackup *b, char *path, size_t pathsize);
/* Backups made and failed since the start. */
void autobackup_counts(struct autobackup *b, uint64_t *made, uint64_t *failed);

#endif
