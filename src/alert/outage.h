/* The outage watch (FR44, NFR R2): the inputs walltrack depends on, checked
 * on the scheduler, each raising one `input_outage` alert when it goes
 * down and one recovery notice when it comes back, never one per check.
 *
 *   webhook   no delivery for alert.webhook_silence_s while the engine
 *             watches wallets (warn)
 *   rpc       rpc.urls probed with getLatestBlockhash every alert.probe_s:
 *             some endpoints down = failing over (warn), all = down
 *             (critical)
 *   dex       the DexScreener token feed degraded (answers from its cache,
 *             warn) or down (tokens left unanswered, critical)
 *   jupiter   live mode only: a small SOL->USDC quote every alert.probe_s;
 *             refused = critical (live orders cannot be placed)
 *   disk      free space of the data folder under alert.disk_min_free_mb
 *             (critical; kind "store", as the store's own failures)
 *
 * Database write failures are watched by `serve`'s store-health job
 * (kind "store"). Each condition has a level (0 ok, 1 degraded, 2 down);
 * an alert goes out on every change of level: up = raised with the
 * level's severity, back to 0 = recovered (info), 2 -> 1 = partly
 * recovered. Alerts go to the alerter (push) and to the alerts table
 * (the dashboard and GET /v1/alerts).
 *
 * Threads: the local checks (webhook, dex, disk) run inline on the
 * scheduler each second; the network probes (rpc, jupiter) on a worker of
 * their own, so a slow endpoint delays no other job. outage_level and
 * outage_check_* may be called from any thread. */
#ifndef WT_ALERT_OUTAGE_H
#define WT_ALERT_OUTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/notify.h"

struct store;
struct runner;
struct tokenfeed;
struct sched;

enum outage_cond { OUTAGE_WEBHOOK, OUTAGE_RPC, OUTAGE_DEX, OUTAGE_JUPITER, OUTAGE_DISK, OUTAGE_N };

struct outage_opts {
    struct alerter *alerter;     /* required */
    struct store *store;         /* alerts are also stored when not NULL */
    struct runner *runner;       /* webhook silence and the watchlist; NULL: not checked */
    struct tokenfeed *feed;      /* NULL: DexScreener not configured */
    const char *const *rpc_urls; /* probed; copied */
    size_t n_rpc;
    const char *jupiter_url; /* probed when live; copied */
    const char *jupiter_key; /* may be NULL; copied */
    bool live;
    const char *mode;           /* "paper" or "live", for the alerts */
    const char *data_dir;       /* disk space; copied */
    int64_t webhook_silence_ms; /* 0: off */
    uint64_t disk_min_free;     /* bytes; 0: off */
    int64_t probe_ms;           /* rpc/jupiter probe period; 0: no probes */
    int64_t probe_timeout_ms;   /* one probe's HTTP timeout; 0: 5000 */
    /* The data folder's free bytes (statvfs when NULL); tests inject. */
    int (*disk_free)(void *ctx, const char *dir, uint64_t *out);
    void *disk_ctx;
};

struct outage_watch;

/* A watch for o (nothing scheduled yet). Never NULL. */
struct outage_watch *outage_new(const struct outage_opts *o);
/* Adds the local and the probe jobs to s (not started). Returns 0 or
 * WT_EINVAL. Free s before the watch. */
int outage_schedule(struct outage_watch *w, struct sched *s);
void outage_free(struct outage_watch *w);

/* One round of the local checks / of the probes (what the jobs run), for
 * tests and the first check at start. */
void outage_check_local(struct outage_watch *w);
void outage_check_probes(struct outage_watch *w);

/* New rpc.urls (a reload; copied): the next probe round uses them. Any
 * thread. The probe job must have been scheduled at start (rpc.urls set
 * then) for probes to run at all. */
void outage_set_rpc_urls(struct outage_watch *w, const char *const *urls, size_t n);

/* The level of c now: 0 ok, 1 degraded, 2 down. */
int outage_level(struct outage_watch *w, enum outage_cond c);
/* "webhook", "rpc", "dex", "jupiter", "disk". */
const char *outage_cond_name(enum outage_cond c);

/* The state machine of one condition, pure: given the level it was at and
 * the level now, whether an alert goes out and its severity and whether
 * it is a recovery. Returns false when the level did not change. */
bool outage_transition(int was, int now, enum alert_severity *sev, bool *recovered);

#endif
