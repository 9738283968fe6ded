/* `walltrack serve`: the daemon. Starts the trading engine (restored from
 * the database), the durable webhook inbox feeding it, and the HTTP API on
 * server.listen; runs until SIGINT or SIGTERM, then shuts down cleanly:
 * the API stops taking requests, the inbox commits what it has, the engine
 * handles what is queued and flushes to the database.
 *
 * Signals are blocked in every thread before any thread starts and are
 * received here with sigwait(), so no handler runs asynchronously. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "ingest/inbox.h"
#include "alert/engine_alerts.h"
#include "alert/notify.h"
#include "alert/smartmoney.h"
#include "ingest/hooksync.h"
#include "alert/outage.h"
#include "ingest/rpcpoll.h"
#include "store/autobackup.h"
#include "trade/clustersync.h"
#include "trade/watchsync.h"
#include "graph/graph.h"
#include "graph/graph_live.h"
#include "intel/discovery.h"
#include "market/tokenfeed.h"
#include "net/sse.h"
#include "store/store.h"
#include "trade/exec_live.h"
#include "base/err.h"
#include "base/log.h"
#include "base/sched.h"
#include "base/sdnotify.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/serve.h"
#include "cli/serve_cluster.h"
#include "cli/serve_metrics.h"
#include "cli/serve_reload.h"
#include "base/clock.h"
#include "solana/keypair.h"
#include "trade/engine_config.h"
#include "trade/engine_store.h"
#include "trade/runner.h"
#include "backtest/scenario.h"

static const struct cli_opt opts[] = {
    {"--listen", "HOST:PORT", "server.listen", "address to listen on (default 127.0.0.1:8080)"},
    {"--port-file", "FILE", "server.port_file", "write the bound port to FILE once listening"},
    {"--live", NULL, NULL, "trade live (needs live.enabled, a keypair and caps; see docs/live.md)"},
    {0},
};

static const struct cli_spec spec = {
    .name = "serve",
    .args = "",
    .summary = "Run the daemon: the trading engine, the webhook and the HTTP API.",
    .details = "Listens on 127.0.0.1:8080 unless told otherwise. A non-loopback address "
               "needs an API token of at least 16 characters (WALLTRACK_API_TOKEN), which "
               "every request except /healthz and the dashboard's static files must then "
               "carry as `Authorization: Bearer <token>`. Stops cleanly "
               "on SIGINT or SIGTERM. Paper trading unless --live is given and live trading "
               "is armed (live.enabled, a keypair, caps); an unarmed --live refuses to start.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

static int write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp)
        return -1;
    fprintf(fp, "%u\n", port);
    if (fclose(fp) != 0)
        return -1;
    return rename(tmp, path); /* readers never see a half-written file */
}

struct sync_ctx {
    struct runner *runner;
    struct store *store;
    struct smartmoney *sm;
    struct hooksync *hooksync;   /* NULL when the webhook is not managed */
    struct graph_livesync *live; /* NULL when graph.live_s is 0 */
};

/* After each graph rebuild: the engine learns the new clusters (the
 * cluster factor, and blacklisted clusters' new members). */
static void after_graph(void *ctx)
{
    struct sync_ctx *s = ctx;
    struct clustersync_stats st;
    if (!s->runner || !runner_active(s->runner))
        return; /* a standby: the leader's engine syncs after its own rebuild */
    if (clustersync_run(s->runner, s->store, &st) != 0)
        log_warn("serve", "the engine's clusters could not be synced after the graph rebuild");
    graph_livesync_rebuilt(s->live); /* the rebuild rewrote graph_edges */
}

/* After each scheduled discovery run: the engine follows the new watchlist. */
static void after_discovery(void *ctx, const struct discovery_report *rep)
{
    (void)rep;
    struct sync_ctx *c = ctx;
    if (runner_active(c->runner) && watchsync_run(c->runner, c->store, NULL) != 0)
        log_warn("serve", "the engine's watchlist could not be synced after discovery");
    hooksync_notify(c->hooksync); /* and Helius, after the debounce */
}

/* The Helius webhook sync's outcome flipped: an alert, and RPC polling
 * covers the watched wallets while Helius does not hold them all. */
struct hook_ctx {
    struct alerter *alerter;
    struct rpcpoll *poll; /* NULL without rpc.urls */
    const char *mode;
};

static void hook_state(void *ctx, const struct hooksync_status *s)
{
    struct hook_ctx *hc = ctx;
    if (hc->poll)
        rpcpoll_set_forced(hc->poll, !s->in_sync);
    if (s->in_sync && s->runs == 1)
        return; /* the first run went well: nothing to announce */
    struct alert_msg m;
    memset(&m, 0, sizeof m);
    snprintf(m.kind, sizeof m.kind, "webhook_sync");
    m.severity = s->in_sync ? ALERT_INFO : ALERT_CRITICAL;
    snprintf(m.title, sizeof m.title, "%s",
             s->in_sync ? "Helius webhook in line with the watchlist again"
                        : "Helius webhook not in line with the watchlist");
    if (s->in_sync)
        snprintf(m.text, sizeof m.text, "%zu watched wallet(s) registered on webhook %s.",
                 s->registered, s->webhook_id);
    else
        snprintf(m.text, sizeof m.text, "%s. %s", s->error,
                 hc->poll ? "RPC polling covers the watched wallets until a sync succeeds."
                          : "No rpc.urls: wallets Helius does not hold are not followed.");
    struct clock clk;
    clock_init_real(&clk);
    m.ts_ms = clock_now_ms(&clk);
    snprintf(m.mode, sizeof m.mode, "%s", hc->mode);
    alerter_post(hc->alerter, &m);
}

/* Newly stored events go to the engine and to the smart-money alerts
 * (alert/smartmoney.h), which see every swap whatever the engine does. */
struct commit_fanout {
    struct runner *runner;
    struct smartmoney *sm;
    struct serve_cluster *cluster; /* NULL: single node */
    struct graph_livesync *live;
};

static void fanout_after_commit(void *ctx, const struct event *ev, size_t n,
                                const uint8_t *inserted)
{
    struct commit_fanout *f = ctx;
    serve_cluster_after_commit(f->cluster, f->runner, ev, n, inserted);
    sm_after_commit(f->sm, ev, n, inserted);
    graph_livesync_after_commit(f->live, ev, n, inserted);
}

/* The smart-money alerts follow the watchlist (and the clusters). */
static void sm_refresh_job(void *ctx)
{
    struct sync_ctx *c = ctx;
    if (sm_refresh(c->sm, c->store) != 0)
        log_warn("serve", "smart-money alerts: the watchlist could not be reloaded");
}

/* The token feed between the engine and DexScreener (market/tokenfeed.h). */
static void feed_request(void *ctx, const struct pubkey *mint)
{
    tokenfeed_request(ctx, mint);
}

/* The feed's price events are stored like every other event, and reach
 * the engine from the inbox once committed (a restart or a backtest then
 * sees the same token facts the engine did). */
struct feed_ctx {
    struct inbox *inbox;
    struct runner *runner;
};

static int feed_post(void *ctx, const struct event *ev, size_t n)
{
    const struct feed_ctx *c = ctx;
    return inbox_submit_events(c->inbox, ev, n, NULL);
}

static size_t feed_open_mints(void *ctx, struct pubkey *out, size_t max)
{
    const struct feed_ctx *c = ctx;
    return runner_open_mints(c->runner, out, max);
}

/* Builds the token feed when dexscreener.api_url is set (not started).
 * A signal waits 1500 ms for its facts unless signal.token_wait_ms was
 * set somewhere (file, environment, command line, a live change). Returns
 * 0, or 2 on a bad URL. */
static int setup_tokenfeed(struct config *cfg, struct tokenfeed **out)
{
    *out = NULL;
    const char *url = config_str(cfg, CFG_DEXSCREENER_API_URL);
    if (!url[0]) {
        log_info("serve", "DexScreener off (dexscreener.api_url is empty): token facts are "
                          "implied from observed swaps");
        return 0;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        log_error("serve", "dexscreener.api_url: '%s' is not an http:// or https:// URL", url);
        return 2;
    }
    if (config_source_of(cfg, CFG_SIG_TOKEN_WAIT) == CONFIG_SRC_DEFAULT &&
        config_set(cfg, "signal.token_wait_ms", "1500", CONFIG_SRC_DEFAULT) != 0) {
        log_error("serve", "signal.token_wait_ms: %s", config_errmsg(cfg));
        return 2;
    }
    struct tokenfeed_opts o;
    tokenfeed_opts_default(&o);
    o.base_url = url;
    o.dex.ttl_ms = config_int(cfg, CFG_DEXSCREENER_TTL_MS);
    o.dex.stale_max_ms = config_int(cfg, CFG_DEXSCREENER_STALE_MAX_MS);
    *out = tokenfeed_new(&o);
    log_info("serve", "DexScreener token feed on (%s): signals wait up to %lld ms for token facts",
             url, (long long)config_int(cfg, CFG_SIG_TOKEN_WAIT));
    return 0;
}

static int run_serve(struct cli_args *args)
{
    return serve_daemon(&args->cfg, cli_opt_given(&spec, args, "--live"), NULL);
}

int cmd_serve(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_serve);
}

/* The push alerts of each engine started (runner_opts.extra_out_new). */
static struct engine_out *alerts_out(void *alerter)
{
    return engine_alerts_new(alerter);
}

/* Builds the live executor for the runner (runner_opts.executor_new). */
struct live_ctx {
    const struct config *cfg;
    struct clock clock;
    struct exec_live_urls urls;
};

static struct executor *make_live_executor(void *ctx, struct exec_sink sink)
{
    struct live_ctx *lc = ctx;
    struct keypair *kp = NULL;
    char err[256];
    if (exec_live_load_keypair(lc->cfg, &kp, err, sizeof err) != 0) {
        log_error("serve", "live executor: %s", err);
        return NULL;
    }
    struct exec_live_opts o;
    memset(&o, 0, sizeof o);
    exec_live_opts_from_config(lc->cfg, &o);
    o.rpc_urls = lc->urls.v;
    o.n_rpc = lc->urls.n;
    o.jupiter_url = config_str(lc->cfg, CFG_JUPITER_API_URL);
    o.jupiter_key = config_str(lc->cfg, CFG_JUPITER_API_KEY);
    o.clock = &lc->clock;
    struct executor *x = NULL;
    if (exec_live_new(&o, kp, sink, &x, err, sizeof err) != 0) {
        log_error("serve", "live executor: %s", err);
        return NULL;
    }
    return x;
}

/* The store-health watch, a job of the scheduler once a second: when the
 * store starts failing (a write failed, the database file was deleted or
 * replaced) a critical alert goes out, and another when it recovers, so an
 * operator hears of it even though /healthz is only read when someone
 * asks. */
struct health_ctx {
    struct store *store;
    struct alerter *alerter;
    const char *mode;
    bool was_ok;
};

/* The mark-to-market samples' retention (engine.equity_marks_full_days):
 * once a day, hours older than that keep their lowest and highest sample. */
struct marks_ctx {
    struct store *store;
    int full_days;
    int64_t from_ms; /* where the last run stopped (the job's thread only) */
};

static void marks_job(void *arg)
{
    struct marks_ctx *m = arg;
    int64_t deleted = 0;
    int rc =
        engine_store_marks_thin(m->store, clock_wall_ms(), m->full_days, &m->from_ms, &deleted);
    if (rc != 0)
        log_warn("serve", "thinning the old equity marks failed (%s); tried again tomorrow",
                 wt_strerror(rc));
    else if (deleted > 0)
        log_info("serve",
                 "equity marks older than %d days thinned to each hour's lowest and highest: %lld "
                 "removed",
                 m->full_days, (long long)deleted);
}

static void health_job(void *arg)
{
    struct health_ctx *hc = arg;
    struct store_health h;
    (void)store_health(hc->store, &h);
    if (h.ok == hc->was_ok)
        return;
    hc->was_ok = h.ok;
    struct alert_msg m;
    memset(&m, 0, sizeof m);
    snprintf(m.kind, sizeof m.kind, "store");
    m.severity = h.ok ? ALERT_INFO : ALERT_CRITICAL;
    snprintf(m.title, sizeof m.title, "%s",
             h.ok ? "Database writes work again" : "Database writes are failing");
    snprintf(m.text, sizeof m.text, "%s",
             h.ok ? "The last write succeeded; webhook deliveries are stored again." : h.error);
    struct clock clk;
    clock_init_real(&clk);
    m.ts_ms = clock_now_ms(&clk); /* a wall-clock reading for the alert, not a wait */
    snprintf(m.mode, sizeof m.mode, "%s", hc->mode);
    if (h.ok)
        log_info("serve", "the store works again");
    else
        log_error("serve", "the store is failing: %s", h.error);
    alerter_post(hc->alerter, &m);
}

/* The systemd watchdog (base/sdnotify.h), a job of the scheduler at half
 * the period systemd asked for: WATCHDOG=1 proves the scheduler's thread
 * runs, and it is withheld while the engine has queued events and handled
 * none for a whole period (a hung engine), so systemd kills and restarts
 * the daemon (Restart=on-failure) instead of leaving it hung. */
struct watchdog_ctx {
    struct runner *runner;
    int64_t period_ms;
    int64_t stuck_ms; /* how long the engine has had work and made no progress */
    uint64_t last_handled;
    bool warned;
};

static void watchdog_job(void *arg)
{
    struct watchdog_ctx *wc = arg;
    struct runner_health rh;
    runner_health(wc->runner, &rh);
    if (rh.queued > 0 && rh.handled == wc->last_handled)
        wc->stuck_ms += wc->period_ms / 2;
    else
        wc->stuck_ms = 0;
    wc->last_handled = rh.handled;
    if (wc->stuck_ms >= wc->period_ms) {
        if (!wc->warned)
            log_error("serve",
                      "the engine has handled nothing for %lld ms with %zu events queued: "
                      "withholding the watchdog keep-alive (the supervisor restarts us)",
                      (long long)wc->stuck_ms, rh.queued);
        wc->warned = true;
        return;
    }
    wc->warned = false;
    int rc = sdnotify_send("WATCHDOG=1");
    if (rc)
        log_warn("serve", "watchdog keep-alive to $NOTIFY_SOCKET failed: %s", wt_strerror(rc));
}

/* POST /v1/reload (api_env.reload). */
static int reload_from_api(void *ctx, struct buf *out)
{
    return serve_reload_run(ctx, out);
}

/* Waits for SIGINT or SIGTERM and returns it; a SIGHUP meanwhile reloads
 * the settings (serve_reload.h). */
static int wait_for_stop(const sigset_t *stop, struct serve_reload *reload)
{
    for (;;) {
        int sig = 0;
        if (sigwait(stop, &sig) != 0)
            continue;
        if (sig == SIGINT || sig == SIGTERM)
            return sig;
        if (sig == SIGHUP) {
            log_info("serve", "received SIGHUP: reloading the settings");
            struct buf report;
            buf_init(&report, 0);
            (void)serve_reload_run(reload, &report);
            buf_release(&report);
        }
    }
}

/* SQLite is single-node: one daemon per database file. The daemon holds a
 * POSIX write lock on <data>/walltrack.lock (holding its pid) for its
 * life; the kernel drops it when the process ends however it ends (kill
 * -9 included), so a restart never finds a stale lock. A second daemon on
 * the same folder stops with a message instead of running a second engine
 * over the same database. Returns the lock's descriptor, or -1 (logged). */
static int single_node_lock(const char *data)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/walltrack.lock", data);
    if (cli_make_dirs(data) != 0) {
        log_error("serve", "cannot create the data folder %s: %s", data, strerror(errno));
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("serve", "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        long pid = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : 0;
        log_error("serve",
                  "another walltrack daemon (pid %ld) is running on %s: SQLite is single-node, "
                  "one daemon per database; for several daemons use PostgreSQL (db.url; "
                  "docs/operations.md)",
                  pid, data);
        close(fd);
        return -1;
    }
    char pidtext[32];
    int n = snprintf(pidtext, sizeof pidtext, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pidtext, (size_t)n, 0) != n)
        log_warn("serve", "cannot write the pid to %s", path);
    return fd;
}

/* The engine's settings stored through the API may not fit the rest any
 * more (the command line or the file changed one of a pair, or the stored
 * default strategy was deleted): then they are set aside for this run,
 * each with a warning, and unstored's values used, rather than keep the
 * daemon from starting. Returns whether there was any to set aside. */
static bool drop_stored_engine_settings(struct config *cfg, const struct config *unstored,
                                        const char *why)
{
    bool any = false;
    for (int i = 0; i < CFG_COUNT; i++) {
        enum config_id id = (enum config_id)i;
        const struct config_def *d = config_def_of(id);
        if (config_source_of(cfg, id) != CONFIG_SRC_DB || !engine_param_known(d->name))
            continue;
        log_warn("serve", "ignoring the stored setting %s = %s for this run (%s); using '%s'",
                 d->name, config_str(cfg, id), why, config_str(unstored, id));
        if (config_set(cfg, d->name, config_str(unstored, id), config_source_of(unstored, id)) == 0)
            any = true;
    }
    return any;
}

int serve_daemon(struct config *cfg_rw, bool live, const struct serve_hooks *hooks)
{
    const struct config *cfg = cfg_rw;
    int rc;
    struct live_ctx lc = {.cfg = cfg};
    clock_init_real(&lc.clock);
    struct api *api = NULL;
    struct store *store = NULL;
    struct inbox *inbox = NULL;
    struct rpcpoll *poll = NULL;
    struct hooksync *hooksync = NULL;
    struct hook_ctx hook_ctx = {0};
    char *rpc_list = NULL;
    struct discovery_sched *disc = NULL;
    struct graph_sched *graph = NULL;
    struct sched *sched = NULL; /* the periodic jobs (base/sched.h) */
    struct runner *runner = NULL;
    struct serve_cluster *cluster = NULL; /* several daemons on one PostgreSQL */
    struct sse_hub *hub = NULL;
    struct alerter *alerter = NULL;
    struct autobackup *backup = NULL;
    struct tokenfeed *feed = NULL;
    struct outage_watch *outage = NULL;
    struct serve_metrics metrics; /* /metrics of the outage watch and discovery */
    serve_metrics_init(&metrics);
    struct feed_ctx feed_ctx = {0};
    struct smartmoney *sm = NULL;
    struct commit_fanout fanout = {0};
    struct config unstored; /* cfg before the database's values */
    memset(&unstored, 0, sizeof unstored);
    struct buf journal_settings; /* the engine journal's start settings */
    buf_init(&journal_settings, 0);
    struct serve_reload reload;
    serve_reload_init(&reload);
    int lock_fd = -1; /* SQLite: the single-node lock (single_node_lock) */
    reload.live = live;
    rc = 1;
    if (cli_setup_logging(cfg) != 0)
        goto out;

    char host[256];
    unsigned port;
    if (api_parse_listen(config_str(cfg, CFG_LISTEN), host, sizeof host, &port) != 0) {
        rc = cli_usage_error("serve", "server.listen: '%s' is not HOST:PORT",
                             config_str(cfg, CFG_LISTEN));
        goto out;
    }
    const char *data = config_str(cfg, CFG_DATA_DIR);
    const char *mode = "paper";
    if (live) {
        char why[256];
        if (exec_live_arm_validate(cfg, true, why, sizeof why) != 0) {
            log_error("serve", "refusing to start live: %s (docs/live.md)", why);
            goto out;
        }
        mode = "live";
    } else if (config_bool(cfg, CFG_LIVE_ENABLED)) {
        log_info("serve", "live.enabled is set but --live was not given: paper trading");
    }

    /* Block the stop signals before any thread exists, so every thread
     * inherits the mask and only sigwait() below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP); /* a reload, not a stop */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    if (!config_str(cfg, CFG_DB_URL)[0] && (lock_fd = single_node_lock(data)) < 0)
        goto out;
    if (cli_open_store(cfg, &store) != 0)
        goto out;
    /* Live settings changed through the API win over the file (they are in
     * the database with their history), not over the command line. */
    config_copy(&unstored, cfg_rw);
    cli_apply_stored_settings(cfg_rw, store);

    /* The token feed first: it may set the wait of the engine's signals. */
    if ((rc = setup_tokenfeed(cfg_rw, &feed)) != 0)
        goto out;
    rc = 1;

    /* The engine: parameters from the configuration, paper execution. */
    struct runner_opts ro;
    memset(&ro, 0, sizeof ro);
    engine_params_default(&ro.params);
    /* The operator's exit strategies first: the default and the overrides
     * of the configuration may name them. */
    size_t n_exits = 0;
    if (engine_store_exits_load(store, &ro.params.book, &n_exits, err, sizeof err) != 0) {
        log_error("serve", "exit strategies: %s", err);
        rc = 2;
        goto out;
    }
    if (n_exits)
        log_info("serve", "%zu stored exit strateg%s", n_exits, n_exits == 1 ? "y" : "ies");
    if (engine_params_from_config(cfg, &ro.params, err, sizeof err) != 0 &&
        (!drop_stored_engine_settings(cfg_rw, &unstored, err) ||
         engine_params_from_config(cfg, &ro.params, err, sizeof err) != 0)) {
        log_error("serve", "engine settings: %s", err);
        rc = 2;
        goto out;
    }
    paper_params_from_config(cfg, &ro.paper);
    /* Push alerts (alert.*): breaker triggers, health, failed orders. */
    if (alerter_start(cfg, &alerter, err, sizeof err) != 0) {
        log_error("serve", "alerts: %s", err);
        rc = 2;
        goto out;
    }
    ro.extra_out_new = alerts_out;
    ro.extra_ctx = alerter;
    log_info("serve", "push alerts: %zu notifier(s) configured", alerter_notifier_count(alerter));
    hub = sse_hub_new(0, 0);
    ro.store = store;
    ro.hub = hub;
    ro.warm = config_bool(cfg, CFG_ENGINE_WARMUP);
    ro.warm_background = config_bool(cfg, CFG_ENGINE_WARMUP_BG);
    ro.warm_backlog = (size_t)config_int(cfg, CFG_ENGINE_WARMUP_BACKLOG);
    ro.warm_hold_file = config_str(cfg, CFG_ENGINE_WARMUP_HOLD);
    ro.tick_ms = (unsigned)config_int(cfg, CFG_ENGINE_TICK_MS);
    ro.max_future_ms = config_int(cfg, CFG_INGEST_MAX_FUTURE_S) * 1000;
    ro.queue_size = (size_t)config_int(cfg, CFG_ENGINE_QUEUE);
    /* The engine journal: what as-recorded backtests replay. */
    bt_settings_json(cfg, &journal_settings);
    ro.journal = config_bool(cfg, CFG_ENGINE_JOURNAL);
    ro.journal_settings = journal_settings.data;
    if (feed) {
        ro.token_request = feed_request;
        ro.token_ctx = feed;
    }
    if (live) {
        /* Armed (checked above): real swaps through Jupiter. */
        if (exec_live_urls_parse(config_str(cfg, CFG_RPC_URLS), &lc.urls) != 0 || lc.urls.n == 0) {
            log_error("serve", "rpc.urls: no usable endpoint for live trading");
            goto out;
        }
        ro.params.mode = TRADE_LIVE;
        ro.executor_new = make_live_executor;
        ro.executor_ctx = &lc;
    }
    if (hooks && hooks->before_engine && hooks->before_engine(hooks->ctx, store, cfg) != 0)
        goto out;
    /* On PostgreSQL the engine starts only on the node that takes the
     * trading lock (cli/serve_cluster.h). */
    ro.standby = serve_cluster_wanted(cfg);
    char node_id[64];
    if (ro.standby) {
        serve_cluster_node_id(cfg, node_id, sizeof node_id);
        ro.node_id = node_id; /* on its orders, each claimed before it is placed */
    }
    if (runner_start(&ro, &runner, err, sizeof err) != 0) {
        log_error("serve", "cannot start the trading engine: %s", err);
        goto out;
    }
    if (!ro.standby)
        serve_log_restored(runner, mode);
    else if ((rc = serve_cluster_start(cfg, store, runner, mode, &cluster)) != 0)
        goto out;
    rc = 1;
    /* Smart-money activity alerts (alert.smart_*), beside the engine. */
    struct sm_params smp;
    if (sm_params_from_config(cfg, &smp, err, sizeof err) != 0) {
        log_error("serve", "%s", err);
        rc = 2;
        goto out;
    }
    sm = sm_new(&smp, alerter, hub);
    if (sm_refresh(sm, store) != 0)
        log_warn("serve", "smart-money alerts: cannot load the watchlist yet");
    fanout.runner = runner;
    fanout.sm = sm;
    fanout.cluster = cluster;
    /* The graph's edges kept current from the stream (graph.live_s):
     * loaded before the inbox feeds it. */
    int lrc = graph_livesync_new(store, cfg, &fanout.live);
    if (lrc != 0) {
        log_error("serve", "cannot load the events for the live graph edges: %s", wt_strerror(lrc));
        goto out;
    }
    char archive[4096];
    snprintf(archive, sizeof archive, "%s/archive", data);
    struct inbox_opts io = {
        .commit_delay_ms = (unsigned)config_int(cfg, CFG_COMMIT_DELAY_MS),
        .commit_max_rows = (size_t)config_int(cfg, CFG_COMMIT_MAX_ROWS),
        .archive_dir = config_bool(cfg, CFG_ARCHIVE_BODIES) ? archive : NULL,
        .max_future_ms = config_int(cfg, CFG_INGEST_MAX_FUTURE_S) * 1000,
        .after_commit = fanout_after_commit,
        .after_ctx = &fanout,
    };
    if (inbox_start(store, &io, &inbox) != 0) {
        log_error("serve", "cannot start the inbox (archive folder %s)", archive);
        goto out;
    }
    if (feed) {
        feed_ctx.inbox = inbox;
        feed_ctx.runner = runner;
        struct tokenfeed_sink sink = {
            .post = feed_post, .open_mints = feed_open_mints, .ctx = &feed_ctx};
        if (tokenfeed_start(feed, &sink) != 0) {
            log_error("serve", "cannot start the token feed");
            goto out;
        }
    }
    /* The RPC-polling fallback, when RPC endpoints are configured. */
    const char *rpc_urls[16];
    size_t n_rpc = 0;
    rpc_list = xstrdup(config_str(cfg, CFG_RPC_URLS));
    for (char *tok, *save = NULL, *s = rpc_list; n_rpc < 16 && (tok = strtok_r(s, ", ", &save));
         s = NULL)
        rpc_urls[n_rpc++] = tok;
    /* Also with ingest.poll_silence_s = 0: the webhook sync may force it. */
    if (n_rpc) {
        struct rpcpoll_opts po = {
            .rpc_urls = rpc_urls,
            .n_urls = n_rpc,
            .silence_s = (unsigned)config_int(cfg, CFG_POLL_SILENCE_S),
            .interval_s = (unsigned)config_int(cfg, CFG_POLL_INTERVAL_S),
        };
        poll = rpcpoll_new(store, inbox, &po);
        if (rpcpoll_start(poll) != 0) {
            log_error("serve", "cannot start the RPC poller");
            goto out;
        }
        log_info("serve",
                 "RPC polling fallback on (%zu endpoint(s), after %llds of webhook "
                 "silence; 0 = only while the webhook sync fails)",
                 n_rpc, (long long)po.silence_s);
    }
    /* The Helius webhook follows the watchlist (ingest/hooksync.h). */
    if (config_bool(cfg, CFG_HOOKSYNC_ON) && config_str(cfg, CFG_HELIUS_API_KEY)[0] &&
        config_str(cfg, CFG_HELIUS_WEBHOOK_URL)[0]) {
        hook_ctx = (struct hook_ctx){.alerter = alerter, .poll = poll, .mode = mode};
        struct hooksync_opts ho = {
            .api_url = config_str(cfg, CFG_HELIUS_API_URL),
            .api_key = config_str(cfg, CFG_HELIUS_API_KEY),
            .webhook_url = config_str(cfg, CFG_HELIUS_WEBHOOK_URL),
            .auth_header = config_str(cfg, CFG_WEBHOOK_SECRET),
            .debounce_ms = (unsigned)config_int(cfg, CFG_HOOKSYNC_DEBOUNCE_MS),
            .interval_s = (unsigned)config_int(cfg, CFG_HOOKSYNC_INTERVAL_S),
            .retry_s = (unsigned)config_int(cfg, CFG_HOOKSYNC_RETRY_S),
            .on_state = hook_state,
            .ctx = &hook_ctx,
            /* Several nodes share one webhook: the leader keeps it. */
            .may_run = cluster ? serve_cluster_leads : NULL,
            .gate_ctx = cluster,
        };
        hooksync = hooksync_new(store, &ho);
        if (hooksync_start(hooksync) != 0) {
            log_error("serve", "cannot start the Helius webhook sync");
            goto out;
        }
        log_info("serve", "Helius webhook sync on: its addresses follow the watchlist");
    } else if (config_str(cfg, CFG_HELIUS_API_KEY)[0]) {
        log_info("serve", "Helius webhook sync off (needs helius.webhook_url and "
                          "helius.webhook_sync): register the watchlist with `walltrack helius "
                          "webhook sync`");
    }
    if (!config_str(cfg, CFG_WEBHOOK_SECRET)[0])
        log_warn("serve", "no webhook secret (WALLTRACK_WEBHOOK_SECRET): POST /webhooks/helius "
                          "refuses every delivery");
    /* The periodic jobs run on one scheduler (started below); the API's
     * /metrics reads its counts. */
    sched = sched_new(NULL);
    struct api_env env = {.cfg = cfg,
                          .mode = mode,
                          .store = store,
                          .inbox = inbox,
                          .runner = runner,
                          .hub = hub,
                          .tokenfeed = feed,
                          .hooksync = hooksync,
                          .reload = reload_from_api,
                          .reload_ctx = &reload,
                          .cluster = cluster ? serve_cluster_status : NULL,
                          .cluster_ctx = cluster,
                          .sched = sched,
                          .metrics = serve_metrics_write,
                          .metrics_ctx = &metrics};
    int arc = api_start(&env, host, port, &api, err, sizeof err);
    if (arc) {
        log_error("serve", "%s", err);
        rc = arc == WT_EAUTH ? 2 : 1;
        goto out;
    }
    unsigned bound = api_port(api);
    pthread_mutex_lock(&reload.mu); /* a POST /v1/reload may already run */
    reload.boot = cfg;
    reload.api = api;
    reload.alerter = alerter;
    reload.poll = poll;
    reload.hooksync = hooksync;
    snprintf(reload.host, sizeof reload.host, "%s", host);
    pthread_mutex_unlock(&reload.mu);
    log_info("serve", "walltrack %s listening on http://%s%s%s:%u (mode %s, data %s)", WT_VERSION,
             strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", bound, env.mode,
             data);
    char webdir[4096];
    if (api_web_dir(cfg, webdir, sizeof webdir) == 0)
        log_info("serve", "dashboard files from %s", webdir);
    else
        log_warn("serve", "no dashboard files (web.dir is empty and none are installed beside "
                          "the binary): / answers 404");
    const char *pf = config_str(cfg, CFG_PORT_FILE);
    if (pf[0] && write_port_file(pf, bound) != 0) {
        log_error("serve", "cannot write the port file %s: %s", pf, strerror(errno));
        goto out;
    }

    /* The periodic jobs, on one scheduler thread and the monotonic clock:
     * the store-health watch and the token refresh inline (short: a check,
     * a hand-over to the feed's thread), backups and discovery each on a
     * worker of their own so a long run delays no other job. */
    struct health_ctx health = {.store = store, .alerter = alerter, .mode = mode, .was_ok = true};
    (void)sched_add(sched, "store health", 1000, 1000, SCHED_INLINE, health_job, &health);
    struct marks_ctx marks = {.store = store,
                              .full_days = (int)config_int(cfg, CFG_ENGINE_MARKS_FULL_DAYS)};
    if (marks.full_days > 0) /* the first a second after the start, then daily */
        (void)sched_add(sched, "equity marks", 1000, MS_PER_DAY, SCHED_WORKER, marks_job, &marks);
    uint64_t wd_usec = sdnotify_watchdog_usec();
    struct watchdog_ctx wd = {.runner = runner, .period_ms = (int64_t)(wd_usec / 1000)};
    if (wd.period_ms >= 2) {
        (void)sched_add(sched, "watchdog", 0, wd.period_ms / 2, SCHED_INLINE, watchdog_job, &wd);
        log_info("serve", "systemd watchdog: a keep-alive every %lld ms",
                 (long long)wd.period_ms / 2);
    }
    if (feed)
        (void)tokenfeed_schedule(feed, sched);
    /* Outage alerts (alert/outage.h): webhook silence, RPC, DexScreener,
     * Jupiter in live mode, disk space. */
    struct outage_opts oo = {
        .alerter = alerter,
        .store = store,
        .runner = runner,
        .feed = feed,
        .rpc_urls = rpc_urls,
        .n_rpc = n_rpc,
        .jupiter_url = config_str(cfg, CFG_JUPITER_API_URL),
        .jupiter_key = config_str(cfg, CFG_JUPITER_API_KEY),
        .live = live,
        .mode = mode,
        .data_dir = data,
        .webhook_silence_ms = config_int(cfg, CFG_ALERT_WEBHOOK_SILENCE_S) * 1000,
        .disk_min_free = (uint64_t)config_int(cfg, CFG_ALERT_DISK_MIN_FREE_MB) << 20,
        .probe_ms = config_int(cfg, CFG_ALERT_PROBE_S) * 1000,
    };
    outage = outage_new(&oo);
    (void)outage_schedule(outage, sched);
    serve_metrics_set(&metrics, outage, NULL);
    pthread_mutex_lock(&reload.mu);
    reload.outage = outage;
    pthread_mutex_unlock(&reload.mu);
    /* Scheduled backups (backup.interval_h; 0 = off). */
    if (config_int(cfg, CFG_BACKUP_INTERVAL_H) > 0) {
        char bdir[4096];
        snprintf(bdir, sizeof bdir, "%s/backups", data);
        if (autobackup_start(sched, store, bdir,
                             config_int(cfg, CFG_BACKUP_INTERVAL_H) * MS_PER_HOUR,
                             (unsigned)config_int(cfg, CFG_BACKUP_KEEP), &backup) != 0) {
            log_error("serve", "cannot schedule backups into %s", bdir);
            goto out;
        }
    }
    /* Scheduled discovery (discovery.interval_min; 0 = off). */
    struct sync_ctx sync = {
        .runner = runner, .store = store, .sm = sm, .hooksync = hooksync, .live = fanout.live};
    (void)sched_add(sched, "smart-money watchlist", 30000, 30000, SCHED_WORKER, sm_refresh_job,
                    &sync);
    if (discovery_sched_start(sched, store, cfg, after_discovery, &sync, &disc) != 0 ||
        graph_sched_start(sched, store, cfg, after_graph, &sync, &graph) != 0 ||
        graph_livesync_schedule(fanout.live, sched) != 0) {
        log_error("serve", "cannot start the scheduler");
        goto out;
    }
    serve_metrics_set(&metrics, outage, disc);
    /* Several nodes on one PostgreSQL: the jobs that write the same rows or
     * spend the same API credits run on the node that holds the trading
     * lock only (a job not scheduled here is not found: fine). */
    if (cluster) {
        static const char *const leader_jobs[] = {"discovery", "graph", "backup", "equity marks"};
        for (size_t i = 0; i < sizeof leader_jobs / sizeof leader_jobs[0]; i++)
            (void)sched_gate(sched, leader_jobs[i], serve_cluster_leads, cluster);
    }
    if (sched_start(sched) != 0) {
        log_error("serve", "cannot start the scheduler");
        goto out;
    }

    if (hooks && hooks->listening && hooks->listening(hooks->ctx, bound, cfg) != 0)
        goto out;

    /* Type=notify: systemd (or any supervisor of the protocol) counts the
     * service as started only now that it listens and runs its jobs. */
    char ready[256];
    snprintf(ready, sizeof ready, "READY=1\nSTATUS=serving on port %u (mode %s)\nMAINPID=%ld",
             bound, mode, (long)getpid());
    int nrc = sdnotify_send(ready);
    if (nrc)
        log_warn("serve", "cannot notify $NOTIFY_SOCKET that we are ready: %s", wt_strerror(nrc));

    int sig = wait_for_stop(&stop, &reload);
    log_info("serve", "received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    (void)sdnotify_send("STOPPING=1\nSTATUS=shutting down");
    rc = 0;
out:
    if (hooks && hooks->stopping)
        hooks->stopping(hooks->ctx);
    /* Stop the scheduler, end the event streams, stop taking requests,
     * drain the inbox into the engine, let the engine finish and flush,
     * then the store. */
    sched_stop(sched);              /* waits for a discovery run or a backup in progress */
    pthread_mutex_lock(&reload.mu); /* no reload may use what goes now */
    reload.outage = NULL;
    reload.poll = NULL;
    reload.hooksync = NULL;
    reload.api = NULL;
    pthread_mutex_unlock(&reload.mu);
    serve_metrics_set(&metrics, NULL, NULL); /* /metrics stops reading them */
    outage_free(outage);
    discovery_sched_free(disc);
    graph_sched_free(graph);
    autobackup_free(backup);
    sse_hub_close(hub);
    api_stop(api);
    sched_free(sched);       /* /metrics read its counts until now */
    hooksync_free(hooksync); /* before the poller it may force */
    rpcpoll_free(poll);      /* stops its thread before the inbox goes */
    free(rpc_list);
    tokenfeed_stop(feed); /* it posts into the inbox: stopped before it */
    inbox_stop(inbox);
    serve_cluster_stop(cluster); /* no promotion or demotion from now on; the lock is kept */
    runner_stop(runner);
    serve_cluster_free(cluster);      /* after the engine's last write: the lock goes */
    sm_free(sm);                      /* after the inbox, whose commit thread feeds it */
    graph_livesync_free(fanout.live); /* the same, and after the scheduler */
    tokenfeed_free(feed);  /* after the engine: its last requests land in a stopped feed */
    alerter_stop(alerter); /* after the engine: its last alerts still go out */
    sse_hub_free(hub);
    store_close(store);
    if (lock_fd >= 0)
        close(lock_fd); /* after the store: the next daemon may open it now */
    config_release(&unstored);
    buf_release(&journal_settings);
    serve_reload_release(&reload);
    serve_metrics_destroy(&metrics);
    exec_live_urls_release(&lc.urls);
    if (rc == 0)
        log_info("serve", "stopped cleanly");
    log_close();
    return rc;
}
