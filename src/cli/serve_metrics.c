/* serve's part of /metrics: serve_metrics.h. */
#include "cli/serve_metrics.h"

#include "alert/outage.h"
#include "intel/discovery.h"

void serve_metrics_init(struct serve_metrics *m)
{
    pthread_mutex_init(&m->mu, NULL);
    m->outage = NULL;
    m->disc = NULL;
}

void serve_metrics_destroy(struct serve_metrics *m)
{
    pthread_mutex_destroy(&m->mu);
}

void serve_metrics_set(struct serve_metrics *m, struct outage_watch *outage,
                       struct discovery_sched *disc)
{
    pthread_mutex_lock(&m->mu);
    m->outage = outage;
    m->disc = disc;
    pthread_mutex_unlock(&m->mu);
}

static int input_levels(struct outage_watch *w, struct buf *out)
{
    int rc = buf_printf(out, "# HELP walltrack_input_level 0 ok, 1 degraded, 2 down\n"
                             "# TYPE walltrack_input_level gauge\n");
    for (int c = 0; rc == 0 && c < OUTAGE_N; c++)
        rc =
            buf_printf(out, "walltrack_input_level{input=\"%s\"} %d\n",
                       outage_cond_name((enum outage_cond)c), outage_level(w, (enum outage_cond)c));
    return rc;
}

static int discovery(struct discovery_sched *d, struct buf *out)
{
    struct discovery_sched_stats s;
    discovery_sched_stats(d, &s);
    const struct discovery_report *r = &s.last;
    return buf_printf(
        out,
        "# TYPE walltrack_discovery_runs_total counter\n"
        "walltrack_discovery_runs_total{result=\"ok\"} %llu\n"
        "walltrack_discovery_runs_total{result=\"failed\"} %llu\n"
        "# TYPE walltrack_discovery_watchlist_changes_total counter\n"
        "walltrack_discovery_watchlist_changes_total{change=\"added\"} %llu\n"
        "walltrack_discovery_watchlist_changes_total{change=\"dropped\"} %llu\n"
        "walltrack_discovery_watchlist_changes_total{change=\"flagged\"} %llu\n"
        "walltrack_discovery_watchlist_changes_total{change=\"rewatched\"} %llu\n"
        "# TYPE walltrack_discovery_crawl_requests_total counter\n"
        "walltrack_discovery_crawl_requests_total %llu\n"
        "# HELP walltrack_discovery_last_success_timestamp_seconds 0 before the first\n"
        "# TYPE walltrack_discovery_last_success_timestamp_seconds gauge\n"
        "walltrack_discovery_last_success_timestamp_seconds %.3f\n"
        "# TYPE walltrack_discovery_last_run_seconds gauge\n"
        "walltrack_discovery_last_run_seconds %.3f\n"
        "# TYPE walltrack_discovery_swaps gauge\n"
        "walltrack_discovery_swaps %zu\n"
        "# TYPE walltrack_discovery_wallets_profiled gauge\n"
        "walltrack_discovery_wallets_profiled %zu\n"
        "# TYPE walltrack_discovery_candidates gauge\n"
        "walltrack_discovery_candidates %zu\n"
        "# TYPE walltrack_discovery_eligible gauge\n"
        "walltrack_discovery_eligible %zu\n"
        "# TYPE walltrack_discovery_watchlist gauge\n"
        "walltrack_discovery_watchlist %zu\n",
        (unsigned long long)(s.runs - s.failures), (unsigned long long)s.failures,
        (unsigned long long)s.added, (unsigned long long)s.dropped, (unsigned long long)s.flagged,
        (unsigned long long)s.rewatched, (unsigned long long)s.crawl_requests,
        (double)s.last_ok_ms / 1000.0, r->seconds, r->swaps, r->profile.wallets, r->candidates,
        r->eligible, r->apply.watchlist);
}

int serve_metrics_write(void *ctx, struct buf *out)
{
    struct serve_metrics *m = ctx;
    pthread_mutex_lock(&m->mu); /* held while writing: the parts are not freed meanwhile */
    int rc = m->outage ? input_levels(m->outage, out) : 0;
    if (rc == 0 && m->disc)
        rc = discovery(m->disc, out);
    pthread_mutex_unlock(&m->mu);
    return rc;
}
