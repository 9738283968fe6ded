/* The families of /metrics that come from parts `serve` starts after the
 * API (the outage watch, the discovery schedule): the API calls
 * serve_metrics_write through its env (api.h, `metrics`), and serve hands
 * the parts over as it creates them and takes them back before it frees
 * them.
 *
 *   walltrack_input_level{input}            0 ok, 1 degraded, 2 down, per
 *                                           outage condition (alert/outage.h)
 *   walltrack_discovery_runs_total{result}  scheduled discovery runs, ok / failed
 *   walltrack_discovery_watchlist_changes_total{change}
 *                                           added, dropped, flagged, rewatched
 *   walltrack_discovery_crawl_requests_total  the scheduled crawls' requests
 *   walltrack_discovery_last_success_timestamp_seconds, _last_run_seconds,
 *   _swaps, _wallets_profiled, _candidates, _eligible, _watchlist
 *                                           the last successful run
 *
 * The discovery families are written only when discovery is scheduled,
 * the input levels only once the watch exists. */
#ifndef WT_CLI_SERVE_METRICS_H
#define WT_CLI_SERVE_METRICS_H

#include <pthread.h>

#include "base/buf.h"

struct outage_watch;
struct discovery_sched;

struct serve_metrics {
    pthread_mutex_t mu;
    struct outage_watch *outage;  /* NULL until created, and again before it is freed */
    struct discovery_sched *disc; /* the same */
};

void serve_metrics_init(struct serve_metrics *m);
void serve_metrics_destroy(struct serve_metrics *m);
/* Hand a part over (NULL: take it back). Any thread. */
void serve_metrics_set(struct serve_metrics *m, struct outage_watch *outage,
                       struct discovery_sched *disc);
/* The families above; ctx is a struct serve_metrics. Returns 0 or buf's
 * error. Any thread (an HTTP thread). */
int serve_metrics_write(void *ctx, struct buf *out);

#endif
