/* GET /metrics beyond ingest: what an operator graphs (docs/grafana.json).
 *
 *   walltrack_engine_*            events, signals by decision, orders,
 *                                 fills, positions, equity, cash, breakers
 *                                 (0/1), the watchlist, the queue
 *   walltrack_*_seconds           latency histograms (base/hist.h): webhook
 *                                 ack, store commit, signal to order
 *   walltrack_external_requests_total{service,outcome}   (net/httpc.h)
 *   walltrack_db_bytes{file}      SQLite: the database and its WAL file;
 *                                 PostgreSQL: the database (file="db")
 *   walltrack_db_writer_cache_bytes{kind}   SQLite: the writer's page
 *                                 cache at its last commit, and its bound
 *   walltrack_job_runs_total{job} and walltrack_job_skipped_total{job,reason}
 *                                 the periodic jobs (base/sched.h): runs,
 *                                 due times missed ("busy": still running or
 *                                 fell behind) or not run on this node
 *                                 ("standby": another node leads)
 *   and what env->metrics adds (serve: cli/serve_metrics.h)
 *
 * All in the Prometheus text format 0.0.4: one # TYPE per family, counters
 * end in _total, gauges are plain. Read from the engine's last published
 * snapshot, so scraping never waits on the engine. */
#include "api/routes.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/hist.h"
#include "base/sched.h"
#include "net/httpc.h"
#include "signal/signal.h"
#include "trade/breakers.h"
#include "trade/runner.h"

static int engine_metrics(struct runner *r, struct buf *out)
{
    const struct runner_snap *s = runner_snapshot(r);
    if (!s)
        return 0;
    const struct engine_status *st = &s->status;
    const struct engine_counters *c = &st->c;
    int rc = buf_printf(
        out,
        "# TYPE walltrack_engine_events_total counter\n"
        "walltrack_engine_events_total{kind=\"swap\"} %llu\n"
        "walltrack_engine_events_total{kind=\"transfer\"} %llu\n"
        "walltrack_engine_events_total{kind=\"price\"} %llu\n"
        "walltrack_engine_events_total{kind=\"fill\"} %llu\n"
        "# TYPE walltrack_engine_signals_total counter\n"
        "walltrack_engine_signals_total %llu\n"
        "# TYPE walltrack_engine_orders_total counter\n"
        "walltrack_engine_orders_total %llu\n"
        "# TYPE walltrack_engine_fills_failed_total counter\n"
        "walltrack_engine_fills_failed_total %llu\n"
        "# TYPE walltrack_engine_positions_total counter\n"
        "walltrack_engine_positions_total{change=\"opened\"} %llu\n"
        "walltrack_engine_positions_total{change=\"closed\"} %llu\n"
        "# TYPE walltrack_engine_trades_total counter\n"
        "walltrack_engine_trades_total{result=\"win\"} %llu\n"
        "walltrack_engine_trades_total{result=\"loss\"} %llu\n"
        "# TYPE walltrack_engine_open_positions gauge\n"
        "walltrack_engine_open_positions %u\n"
        "# TYPE walltrack_engine_pending_orders gauge\n"
        "walltrack_engine_pending_orders %u\n"
        "# TYPE walltrack_engine_equity_sol gauge\n"
        "walltrack_engine_equity_sol %.9f\n"
        "# TYPE walltrack_engine_cash_sol gauge\n"
        "walltrack_engine_cash_sol %.9f\n"
        "# TYPE walltrack_engine_realized_pnl_sol gauge\n"
        "walltrack_engine_realized_pnl_sol %.9f\n"
        "# TYPE walltrack_engine_watched_wallets gauge\n"
        "walltrack_engine_watched_wallets %u\n"
        "# TYPE walltrack_engine_paused gauge\n"
        "walltrack_engine_paused %d\n",
        (unsigned long long)c->swaps, (unsigned long long)c->transfers,
        (unsigned long long)c->prices, (unsigned long long)c->fills, (unsigned long long)c->signals,
        (unsigned long long)c->orders, (unsigned long long)c->fills_failed,
        (unsigned long long)c->positions_opened, (unsigned long long)c->positions_closed,
        (unsigned long long)c->wins, (unsigned long long)c->losses, st->open_positions,
        st->pending_orders, (double)st->equity_lamports / 1e9, (double)st->cash_lamports / 1e9,
        (double)c->realized_pnl_lamports / 1e9, st->watched, s->paused ? 1 : 0);
    if (rc == 0)
        rc = buf_printf(out, "# TYPE walltrack_engine_signal_decisions_total counter\n");
    for (int i = 0; rc == 0 && i < SR_COUNT; i++)
        rc = buf_printf(out, "walltrack_engine_signal_decisions_total{decision=\"%s\"} %llu\n",
                        signal_reason_name((enum signal_reason)i),
                        (unsigned long long)c->reasons[i]);
    if (rc == 0)
        rc = buf_printf(out, "# TYPE walltrack_engine_breaker_active gauge\n");
    for (int k = 0; rc == 0 && k < BREAKER_KIND_COUNT; k++)
        rc = buf_printf(out, "walltrack_engine_breaker_active{breaker=\"%s\"} %d\n",
                        breaker_kind_name((enum breaker_kind)k), s->breaker_active[k] ? 1 : 0);
    runner_snapshot_release(r, s);
    struct runner_health h;
    runner_health(r, &h);
    if (rc == 0)
        rc = buf_printf(out,
                        "# TYPE walltrack_engine_queue_events gauge\n"
                        "walltrack_engine_queue_events %zu\n"
                        "# TYPE walltrack_engine_queue_capacity gauge\n"
                        "walltrack_engine_queue_capacity %zu\n"
                        "# TYPE walltrack_engine_handled_total counter\n"
                        "walltrack_engine_handled_total %llu\n",
                        h.queued, h.queue_cap, (unsigned long long)h.handled);
    return rc;
}

/* SQLite's files in the data folder and its writer's page cache;
 * PostgreSQL's database size (pg_database_size, one query a scrape; left
 * out while the server does not answer). */
static int db_metrics(const struct config *cfg, struct store *store, struct buf *out)
{
    if (config_str(cfg, CFG_DB_URL)[0]) {
        int64_t size;
        if (!store || store_db_size(store, &size) != 0)
            return 0;
        return buf_printf(out,
                          "# TYPE walltrack_db_bytes gauge\nwalltrack_db_bytes{file=\"db\"} %lld\n",
                          (long long)size);
    }
    if (store) {
        int64_t used, limit;
        store_writer_cache(store, &used, &limit);
        int rc = buf_printf(out,
                            "# TYPE walltrack_db_writer_cache_bytes gauge\n"
                            "walltrack_db_writer_cache_bytes{kind=\"used\"} %lld\n"
                            "walltrack_db_writer_cache_bytes{kind=\"limit\"} %lld\n",
                            (long long)used, (long long)limit);
        if (rc)
            return rc;
    }
    const char *data = config_str(cfg, CFG_DATA_DIR);
    const char *files[][2] = {{"db", "walltrack.db"}, {"wal", "walltrack.db-wal"}};
    int rc = buf_printf(out, "# TYPE walltrack_db_bytes gauge\n");
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", data, files[i][1]);
        long long size = stat(path, &st) == 0 ? (long long)st.st_size : 0;
        rc = buf_printf(out, "walltrack_db_bytes{file=\"%s\"} %lld\n", files[i][0], size);
    }
    return rc;
}

static int job_metrics(struct sched *s, struct buf *out)
{
    size_t n = s ? sched_jobs(s) : 0;
    if (n == 0)
        return 0;
    int rc = buf_printf(out, "# TYPE walltrack_job_runs_total counter\n");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct sched_job_stats st;
        sched_job_stats(s, (int)i, &st);
        rc = buf_printf(out, "walltrack_job_runs_total{job=\"%s\"} %llu\n",
                        sched_job_name(s, (int)i), (unsigned long long)st.runs);
    }
    if (rc == 0)
        rc = buf_printf(out, "# TYPE walltrack_job_skipped_total counter\n");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct sched_job_stats st;
        sched_job_stats(s, (int)i, &st);
        const char *name = sched_job_name(s, (int)i);
        rc = buf_printf(out,
                        "walltrack_job_skipped_total{job=\"%s\",reason=\"busy\"} %llu\n"
                        "walltrack_job_skipped_total{job=\"%s\",reason=\"standby\"} %llu\n",
                        name, (unsigned long long)st.skipped, name, (unsigned long long)st.gated);
    }
    return rc;
}

int routes_metrics_service(struct api_ctx *ctx, struct buf *out)
{
    int rc = 0;
    if (ctx->env->runner)
        rc = engine_metrics(ctx->env->runner, out);
    if (rc == 0)
        rc = hist_write_all(out);
    if (rc == 0)
        rc = httpc_metrics(out);
    if (rc == 0)
        rc = db_metrics(ctx->env->cfg, ctx->env->store, out);
    if (rc == 0)
        rc = job_metrics(ctx->env->sched, out);
    if (rc == 0) {
        /* Several daemons on one PostgreSQL: 1 on the node that trades (a
         * single node always does). */
        struct leader_status ls;
        api_cluster_status(ctx, &ls);
        rc = buf_printf(out,
                        "# HELP walltrack_cluster_leader 1 when this node runs the trading engine\n"
                        "# TYPE walltrack_cluster_leader gauge\n"
                        "walltrack_cluster_leader %d\n",
                        ls.role != LEADER_STANDBY);
    }
    if (rc == 0 && ctx->env->metrics)
        rc = ctx->env->metrics(ctx->env->metrics_ctx, out);
    return rc;
}
