/* `walltrack demo`: the whole system on a simulated market, with no API
 * keys. It is `serve` (engine, webhook, API, dashboard) on a fresh SQLite
 * file in <data>/demo, plus a simulator playing both sides of the
 * outside world:
 *
 *   1. before the engine starts: the first --history-days of a simulated
 *      market are served as a chain (sim/chain.h: the Helius API shapes
 *      on loopback) and crawled through the production clients exactly as
 *      `walltrack discover --chain` crawls Helius (pump.fun graduations,
 *      their histories, the early buyers' backfill), then discovery runs,
 *      so the engine starts warmed up with a watchlist; the daemon keeps
 *      the chain's Helius webhook registration in line with it
 *      (ingest/hooksync.h), as it would with a real key;
 *   2. once the server listens: the rest of the same market (same seed) is
 *      POSTed into walltrack's own webhook in simulated real time, --speed
 *      times faster, with a webhook secret generated for the run.
 *
 * Within a minute at the default speed, watched wallets buy, signals are
 * scored and paper positions open and close; the dashboard shows it live.
 * The demo keeps serving after the simulated market ends, until Ctrl-C. */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/serve.h"
#include "ingest/loader.h"
#include "intel/crawl.h"
#include "intel/discovery.h"
#include "intel/profile.h"
#include "sim/chain.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/stream.h"
#include "store/store.h"
#include "api/api.h"

static const struct cli_opt opts[] = {
    {"--listen", "HOST:PORT", "server.listen", "address to listen on (default 127.0.0.1:8080)"},
    {"--port-file", "FILE", "server.port_file", "write the bound port to FILE once listening"},
    {"--speed", "X", NULL, "simulated seconds per second for the live market (default 60)"},
    {"--seed", "S", NULL, "seed of the simulated market (default 1)"},
    {"--preset", "NAME", NULL,
     "market regime: " SCENARIO_PRESETS " (default calibrated; docs/simulator.md)"},
    {"--history-days", "D", NULL, "simulated days loaded before the start (default 2)"},
    {"--live-days", "D", NULL, "simulated days streamed live after the start (default 2)"},
    {"--wallets", "N", NULL, "trading wallets in the market (default 2000)"},
    {"--tokens-per-day", "N", NULL, "token launches per simulated day (default 300)"},
    {"--keep", NULL, NULL, "keep <data>/demo from an earlier run instead of starting fresh"},
    {0},
};

static const struct cli_spec spec = {
    .name = "demo",
    .args = "",
    .summary = "Run walltrack on a simulated market: no API keys, paper trading, dashboard.",
    .details = "Starts the daemon (as `walltrack serve`) on a fresh database in <data>/demo, "
               "crawls a simulated history through the Helius API shapes (a simulated chain on "
               "loopback, the production clients), runs discovery, keeps the chain's webhook "
               "registration in line with the watchlist, then streams the rest of the same "
               "simulated market into its own webhook. Open the printed URL. Stop with Ctrl-C.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

struct demo {
    struct scenario sc;
    int64_t live_from_ms;
    double speed;
    char secret[64];
    pthread_t stream;
    bool streaming;
    struct waiter stop; /* the stream's pacing sleeps on it */
    struct sim_stream_stats st;
    struct simchain *chain; /* the history, served as Helius */
};

static void crawl_progress_line(void *ctx, const struct crawl_progress *p)
{
    const char **last = ctx;
    if (*last == p->phase)
        return;
    *last = p->phase;
    printf("walltrack demo: crawl %s (tokens %zu/%zu, wallets %zu/%zu, %llu requests)\n", p->phase,
           p->tokens_done, p->tokens, p->wallets_done, p->wallets, (unsigned long long)p->requests);
    fflush(stdout);
}

static int load_history(void *ctx, struct store *st, const struct config *cfg)
{
    struct demo *d = ctx;
    printf("walltrack demo: crawling %.0f simulated day(s) of history through the Helius API "
           "(simulated chain on %s)...\n",
           (double)(d->live_from_ms / 1000 - d->sc.start_time) / 86400.0,
           config_str(cfg, CFG_HELIUS_API_URL));
    fflush(stdout);
    struct crawl_opts o;
    crawl_opts_default(&o);
    crawl_opts_from_config(&o, cfg);
    o.graduation_hours = (uint32_t)((d->live_from_ms / 1000 - d->sc.start_time) / 3600 + 1);
    o.rps = 0; /* loopback */
    const char *last = NULL;
    o.progress = crawl_progress_line;
    o.ctx = &last;
    struct crawl_progress p;
    char err[512];
    if (crawl_run(st, &o, &p, err, sizeof err) != 0) {
        log_error("demo", "crawling the simulated chain failed: %s", err);
        return 1;
    }
    printf("walltrack demo: crawled %zu graduated token(s) and %zu early buyer(s) in %llu "
           "requests; running discovery...\n",
           p.tokens_done, p.wallets_done, (unsigned long long)p.requests);
    fflush(stdout);

    struct discovery_params dp;
    discovery_params_from_config(cfg, &dp);
    struct profile_params pp;
    profile_params_from_config(cfg, &pp);
    struct discovery_report rep;
    if (discovery_run(st, &dp, &pp, 0, &rep, NULL, NULL) != 0) {
        log_error("demo", "discovery failed");
        return 1;
    }
    printf("walltrack demo: %zu wallets profiled, %u of %u tokens succeeded; %zu wallets on the "
           "watchlist\n",
           rep.profile.wallets, rep.success_tokens, rep.tokens, rep.apply.watchlist);
    fflush(stdout);
    return 0;
}

struct stream_arg {
    struct demo *d;
    char url[320];
};

static void *run_stream(void *arg)
{
    struct stream_arg *sa = arg;
    struct demo *d = sa->d;
    struct sim *s;
    char err[512];
    if (sim_new(&d->sc, &s, err, sizeof err) != 0) {
        log_error("demo", "simulator: %s", err);
        free(sa);
        return NULL;
    }
    struct sim_stream_opts o = {
        .url = sa->url,
        .secret = d->secret,
        .speed = d->speed,
        .live_from_ms = d->live_from_ms,
        .stop = &d->stop,
    };
    int rc = sim_stream_run(s, &o, &d->st, err, sizeof err);
    if (rc)
        log_error("demo", "the simulated market stopped: %s", err);
    else if (!waiter_stopping(&d->stop))
        log_info("demo",
                 "the simulated market is over (%llu transactions streamed); still "
                 "serving until Ctrl-C",
                 (unsigned long long)d->st.posted_txs);
    sim_free(s);
    free(sa);
    return NULL;
}

static int start_stream(void *ctx, unsigned port, const struct config *cfg)
{
    struct demo *d = ctx;
    char host[256];
    unsigned p;
    if (api_parse_listen(config_str(cfg, CFG_LISTEN), host, sizeof host, &p) != 0)
        return 1;
    /* The stream talks to the server over loopback whatever it listens on. */
    const char *h = strcmp(host, "0.0.0.0") == 0 || strchr(host, ':') ? "127.0.0.1" : host;
    struct stream_arg *sa = xcalloc(1, sizeof *sa);
    sa->d = d;
    snprintf(sa->url, sizeof sa->url, "http://%s:%u/webhooks/helius", h, port);
    if (pthread_create(&d->stream, NULL, run_stream, sa) != 0) {
        free(sa);
        return 1;
    }
    d->streaming = true;
    printf("\nwalltrack demo is running (paper trading on a simulated market, %gx):\n"
           "  dashboard      http://%s:%u/\n"
           "  engine status  http://%s:%u/v1/status\n"
           "  signals        http://%s:%u/v1/signals\n"
           "  smart money    http://%s:%u/v1/smart-money/wallets\n"
           "Stop with Ctrl-C.\n\n",
           d->speed, h, port, h, port, h, port, h, port);
    fflush(stdout);
    return 0;
}

static void stop_stream(void *ctx)
{
    struct demo *d = ctx;
    waiter_stop(&d->stop);
    if (d->streaming)
        pthread_join(d->stream, NULL);
    d->streaming = false;
}

/* Removes the files of an earlier demo database. */
static int fresh_dir(const char *dir)
{
    static const char *const files[] = {"walltrack.db", "walltrack.db-wal", "walltrack.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            return -1;
    }
    return 0;
}

static int set_num(struct scenario *sc, const char *opt, const char *key, const char *v)
{
    char err[256];
    if (v && scenario_set(sc, key, v, err, sizeof err) != 0)
        return cli_usage_error("demo", "%s: %s", opt, err);
    return 0;
}

static int run_demo(struct cli_args *a)
{
    int rc = 0;
    struct demo *d = xcalloc(1, sizeof *d);
    if (waiter_init(&d->stop) != 0)
        abort(); /* out of resources, like xmalloc */
    rc = 2;
    scenario_default(&d->sc);
    const char *v;
    uint64_t hist = 2, livedays = 2, n;
    if ((v = cli_opt_value(&spec, a, "--preset")) && scenario_preset(&d->sc, v) != 0) {
        rc = cli_usage_error("demo", "--preset: unknown preset '%s' (expected %s)", v,
                             SCENARIO_PRESETS);
        goto out;
    }
    if ((v = cli_opt_value(&spec, a, "--history-days")) &&
        (str_to_u64(v, &hist) != 0 || hist < 1 || hist > 30)) {
        rc = cli_usage_error("demo", "--history-days: bad value '%s' (1 to 30)", v);
        goto out;
    }
    if ((v = cli_opt_value(&spec, a, "--live-days")) &&
        (str_to_u64(v, &livedays) != 0 || livedays < 1 || livedays > 365)) {
        rc = cli_usage_error("demo", "--live-days: bad value '%s' (1 to 365)", v);
        goto out;
    }
    if ((v = cli_opt_value(&spec, a, "--wallets"))) {
        if (str_to_u64(v, &n) != 0 || n < scenario_min_wallets(&d->sc) || n > 1000000) {
            rc = cli_usage_error("demo", "--wallets: bad value '%s' (%llu to 1000000)", v,
                                 (unsigned long long)scenario_min_wallets(&d->sc));
            goto out;
        }
        scenario_scale_wallets(&d->sc, (uint32_t)n);
    }
    char days[32];
    snprintf(days, sizeof days, "%llu", (unsigned long long)(hist + livedays));
    if (set_num(&d->sc, "--seed", "seed", cli_opt_value(&spec, a, "--seed")) ||
        set_num(&d->sc, "--tokens-per-day", "tokens_per_day",
                cli_opt_value(&spec, a, "--tokens-per-day")) ||
        set_num(&d->sc, "--live-days", "days", days))
        goto out;
    char err[256];
    if (scenario_validate(&d->sc, err, sizeof err) != 0) {
        rc = cli_usage_error("demo", "%s", err);
        goto out;
    }
    d->speed = 60;
    if ((v = cli_opt_value(&spec, a, "--speed")) &&
        (str_to_double(v, &d->speed) != 0 || d->speed <= 0 || d->speed > 100000)) {
        rc = cli_usage_error("demo", "--speed: bad value '%s' (a number above 0)", v);
        goto out;
    }
    /* Anchor the market so that its live part starts now: the history is
     * the real past days, and the dashboard's times read as today's. */
    d->sc.start_time = (int64_t)time(NULL) - (int64_t)hist * 86400;
    d->live_from_ms = (d->sc.start_time + (int64_t)hist * 86400) * 1000;

    /* The demo's own database, and settings that suit a simulated run. */
    rc = 1;
    if (sodium_init() < 0)
        goto out;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/demo", config_str(&a->cfg, CFG_DATA_DIR));
    if (cli_make_dirs(dir) != 0 || (!cli_opt_given(&spec, a, "--keep") && fresh_dir(dir) != 0)) {
        fprintf(stderr, "walltrack demo: cannot prepare %s: %s\n", dir, strerror(errno));
        goto out;
    }
    uint8_t raw[24];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(d->secret, sizeof d->secret, raw, sizeof raw);
    /* The simulated market runs --speed times faster than real time, so its
     * block times run ahead of the wall clock by up to its whole length. */
    char future[24];
    int64_t ahead_s = ((int64_t)d->sc.days + 1) * 86400;
    snprintf(future, sizeof future, "%lld", (long long)(ahead_s < 31536000 ? ahead_s : 31536000));
    if (config_set(&a->cfg, "data.dir", dir, CONFIG_SRC_CLI) != 0 ||
        config_set(&a->cfg, "db.url", "", CONFIG_SRC_ENV) != 0 ||
        config_set(&a->cfg, "helius.webhook_secret", d->secret, CONFIG_SRC_ENV) != 0 ||
        config_set(&a->cfg, "discovery.interval_min", "2", CONFIG_SRC_CLI) != 0 ||
        config_set(&a->cfg, "backup.interval_h", "0", CONFIG_SRC_CLI) != 0 ||
        config_set(&a->cfg, "ingest.max_future_s", future, CONFIG_SRC_CLI) != 0 ||
        /* A simulated market's tokens exist nowhere else: no DexScreener
         * (and no network) in the demo. */
        config_set(&a->cfg, "dexscreener.api_url", "", CONFIG_SRC_CLI) != 0) {
        fprintf(stderr, "walltrack demo: %s\n", config_errmsg(&a->cfg));
        goto out;
    }
    /* The history as a chain behind the Helius API shapes, on loopback. */
    struct simchain_opts co = {.until_ms = d->live_from_ms, .api_key = d->secret, .threads = 2};
    char cerr[256];
    printf("walltrack demo: simulating the history...\n");
    fflush(stdout);
    if (simchain_start(&d->sc, &co, "127.0.0.1", 0, &d->chain, cerr, sizeof cerr) != 0) {
        fprintf(stderr, "walltrack demo: simulated chain: %s\n", cerr);
        goto out;
    }
    char chain_url[64];
    snprintf(chain_url, sizeof chain_url, "http://127.0.0.1:%u", simchain_port(d->chain));
    if (config_set(&a->cfg, "helius.api_url", chain_url, CONFIG_SRC_CLI) != 0 ||
        config_set(&a->cfg, "helius.api_key", d->secret, CONFIG_SRC_ENV) != 0 ||
        /* identifies the demo's webhook on the simulated chain */
        config_set(&a->cfg, "helius.webhook_url", "http://127.0.0.1/webhooks/helius",
                   CONFIG_SRC_CLI) != 0 ||
        config_set(&a->cfg, "helius.webhook_sync_debounce_ms", "500", CONFIG_SRC_CLI) != 0) {
        fprintf(stderr, "walltrack demo: %s\n", config_errmsg(&a->cfg));
        goto out;
    }
    struct serve_hooks hooks = {
        .before_engine = load_history,
        .listening = start_stream,
        .stopping = stop_stream,
        .ctx = d,
    };
    rc = serve_daemon(&a->cfg, false, &hooks);
out:
    simchain_stop(d->chain);
    waiter_release(&d->stop);
    free(d);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_demo);
}
