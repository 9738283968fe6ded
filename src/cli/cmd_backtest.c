/* `walltrack backtest`: replays stored events through the trading engine
 * with a scenario's settings and keeps the result (FR47, FR61-FR63;
 * docs/backtest.md).
 *
 *   backtest run --from T --to T [--scenario NAME] [--set NAME=VALUE ...]
 *   backtest batch --from T --to T SCENARIO...
 *   backtest grid --from T --to T [--scenario NAME] [--objective O] [--min-trades N]
 *                 [--max-drawdown PCT] [--folds K] [--in-sample] NAME=SPEC...
 *   backtest apply ID [--yes]
 *   backtest list | show ID | compare ID ID... | delete ID
 *   backtest scenario list | show NAME | create NAME [NAME=VALUE ...]
 *                    | edit NAME NAME=VALUE... | unset NAME SETTING... | copy FROM TO
 *
 * Runs read the database directly (no daemon needed). Every input is
 * checked before anything runs: the window, the scenario, each setting
 * against its bounds, the whole against the engine's rules. Ctrl-C stops a
 * run and nothing is saved. */
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backtest/batch.h"
#include "backtest/grid.h"
#include "backtest/replay.h"
#include "backtest/request.h"
#include "backtest/runs.h"
#include "backtest/scenario.h"
#include "backtest/recorded.h"
#include "backtest/tape.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "net/httpc.h"
#include "store/store.h"
#include "trade/engine_store.h"

static const struct cli_opt opts[] = {
    {"--from", "TIME", NULL, "run: start of the window (ISO 8601 date or time, UTC)"},
    {"--to", "TIME", NULL, "run: end of the window, excluded"},
    {"--scenario", "NAME", NULL, "run: the scenario (default: default)"},
    {"--as-recorded", NULL, NULL,
     "run: replay the window as the daemon's engine saw it (its journal: settings, watchlist and "
     "every change at its time) instead of a scenario"},
    {"--json", NULL, NULL, "print JSON (every read command)"},
    {"--quiet", NULL, NULL, "run, batch, grid: no progress (a bar on a terminal, lines otherwise)"},
    {"--objective", "NAME", NULL, "grid: return (default), sharpe, profit_factor or expectancy"},
    {"--min-trades", "N", NULL, "grid: a point needs at least N closed trades"},
    {"--max-drawdown", "PCT", NULL, "grid: a point's drawdown must stay under PCT percent"},
    {"--folds", "K", NULL, "grid: walk-forward folds (default backtest.folds)"},
    {"--in-sample", NULL, NULL, "grid: choose and report on the whole window (labelled in-sample)"},
    {"--yes", NULL, NULL, "apply: really apply"},
    {"--url", "URL", NULL, "apply: the daemon's base URL (default: http://<server.listen>)"},
    {0},
};

static const struct cli_spec spec = {
    .name = "backtest",
    .args = "run | batch SCENARIO... | grid NAME=SPEC... | list | show ID | compare ID... | "
            "delete ID | apply ID | scenario ...",
    .summary = "Replay stored events through the engine with a scenario's settings.",
    .details =
        "run --from T --to T [--scenario NAME] [--set NAME=VALUE]...: replays the stored swaps of "
        "the window through the trading engine (paper executor, the events' clock, the "
        "watchlist of the database) and saves the run: its signals, trades, mark-to-market "
        "equity curve and metrics, with the scenario, every setting and the window. Settings: "
        "the configuration, then the scenario's, then --set. run --from T --to T --as-recorded: "
        "the window of a recorded serve run replayed exactly as its engine took it (settings, "
        "watchlist, changes, ticks, events in its order), with its orders. batch --from T --to T "
        "SCENARIO...: "
        "several scenarios over the same data on every core, saved and compared. grid --from "
        "T --to T NAME=a,b,c|NAME=lo:hi:step...: every combination (at most "
        "backtest.max_grid_points), walk-forward by default: each of --folds folds chooses by "
        "--objective (return, sharpe, profit_factor, expectancy) among the points meeting "
        "--min-trades and --max-drawdown on its first part and reports on the held-out rest; "
        "--in-sample chooses and reports on the whole window, labelled so. apply ID --yes: the "
        "run's settings through the daemon's PUT /v1/config, with history. list, show ID, "
        "compare ID ID..., delete ID: the saved runs. scenario list | show NAME | create NAME "
        "[NAME=VALUE]... | "
        "edit NAME NAME=VALUE... | unset NAME SETTING... | copy FROM TO: named settings; "
        "conservative, default "
        "and aggressive are built in.",
    .min_pos = 1,
    .max_pos = -1,
    .opts = opts,
};

static atomic_int cancelled;

static void on_sigint(int sig)
{
    (void)sig;
    atomic_store(&cancelled, 1);
}

/* Progress on stderr: a bar redrawn in place on a terminal, a plain line
 * at each tenth otherwise (a log or a pipe gets no carriage returns). */
static void show_progress(const char *unit, size_t done, size_t total)
{
    static int last_tenth = -1;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
    if (!isatty(2)) {
        int tenth = (int)(pct / 10);
        if (tenth != last_tenth || done == total)
            fprintf(stderr, "backtest: %3u%% %zu/%zu %s\n", pct, done, total, unit);
        last_tenth = done == total ? -1 : tenth;
        return;
    }
    char bar[41];
    unsigned n = pct * 40 / 100;
    for (unsigned i = 0; i < 40; i++)
        bar[i] = i < n ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\rbacktest [%s] %3u%% %zu/%zu %s", bar, pct, done, total, unit);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static void progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    show_progress("events", done, total);
}

static int parse_id(const char *s, int64_t *id)
{
    return str_to_i64(s, id) == 0 && *id > 0 ? 0 : WT_EPARSE;
}

/* The --set values that are scenario settings, as a list of overrides. */
static void cli_sets(const struct config *cfg, struct bt_scenario *sets)
{
    memset(sets, 0, sizeof *sets);
    str_copy(sets->name, sizeof sets->name, "--set");
    for (int i = 0; i < CFG_COUNT; i++) {
        const struct config_def *d = config_def_of((enum config_id)i);
        if (config_source_of(cfg, (enum config_id)i) != CONFIG_SRC_CLI ||
            !bt_setting_known(d->name) || sets->n == BT_OVERRIDES_MAX)
            continue;
        str_copy(sets->o[sets->n].name, BT_NAME_MAX, d->name);
        str_copy(sets->o[sets->n].value, BT_VALUE_MAX, config_str(cfg, (enum config_id)i));
        sets->n++;
    }
}

/* ---- run, batch, grid ------------------------------------------------------ */

/* The window, the scenario (NULL: --scenario or default) and the
 * settings: every check (backtest/request.h), nothing read yet but
 * scenarios. Returns 0 or the exit status (message printed). */
static int prep_validate(struct cli_args *a, struct store *st, const char *scenario,
                         struct bt_prep *p)
{
    if (!scenario)
        scenario = cli_opt_value(&spec, a, "--scenario");
    struct bt_scenario sets;
    cli_sets(&a->cfg, &sets);
    char err[512];
    if (bt_prep_validate(st, &a->cfg, "--", cli_opt_value(&spec, a, "--from"),
                         cli_opt_value(&spec, a, "--to"), scenario, &sets, p, err, sizeof err) != 0)
        return cli_usage_error("backtest", "%s: %s", a->pos[0], err);
    return 0;
}

/* The data: the watchlist and the tape (through its cache). */
static int prep_load(struct store *st, struct bt_prep *p, bool json)
{
    const char *how;
    int r = bt_prep_load(st, p, &how);
    if (r) {
        fprintf(stderr, "walltrack backtest: reading the database: %s\n", wt_strerror(r));
        return 1;
    }
    if (!json)
        fprintf(stderr, "backtest: %zu watched or blacklisted wallets; tape %s (%zu swaps)\n",
                p->wl.v.len, how, p->tape.recs.len);
    return 0;
}

static void on_sigint_install(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, old);
}

static void batch_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    show_progress("runs", done, total);
}

static int do_run_recorded(struct cli_args *a, struct store *st, bool json);

/* The exit status after a run returned r (0: go on), its message printed. */
static int run_status(int r, const char *err)
{
    if (r == WT_ECLOSED) {
        fprintf(stderr, "\nwalltrack backtest: cancelled; nothing was saved\n");
        return 130;
    }
    if (r != 0) {
        fprintf(stderr, "walltrack backtest: %s\n", err);
        return 1;
    }
    return 0;
}

/* Prints stored run id as JSON (whole with details) and a newline; nothing
 * when it cannot be read. */
static void print_run_json(struct store *st, int64_t id, bool details)
{
    struct buf b;
    buf_init(&b, 0);
    if (bt_run_json(st, id, details, &b) == 0)
        printf("%s\n", b.data);
    buf_release(&b);
}

/* Saves a run and, with json, prints it (whole with details). Returns 0
 * or 1 (message printed). */
static int save_run(struct store *st, const struct bt_run_info *info, const struct bt_tape *t,
                    const struct bt_result *res, bool json, bool details, int64_t *id)
{
    int r = bt_run_save(st, info, t, res, id);
    if (r != 0) {
        fprintf(stderr, "walltrack backtest: saving the run: %s\n", wt_strerror(r));
        return 1;
    }
    if (json)
        print_run_json(st, *id, details);
    return 0;
}

static int do_run(struct cli_args *a, struct store *st, bool json)
{
    if (cli_opt_given(&spec, a, "--as-recorded"))
        return do_run_recorded(a, st, json);
    struct bt_prep p;
    int rc = prep_validate(a, st, NULL, &p);
    if (rc) {
        bt_prep_release(&p);
        return rc;
    }
    rc = 1;
    struct bt_plan plan = {0};
    struct bt_result res;
    bt_result_init(&res);
    char err[512];
    if (prep_load(st, &p, json) != 0)
        goto out;
    bt_plan_build(&plan, &p.tape, &p.wl, p.from - p.warm, p.from, p.to, true);
    if (!json)
        fprintf(stderr,
                "backtest: scenario %s, %zu events in the window (%zu skipped: they cannot "
                "affect this run), %zu to warm up\n",
                p.sc.name, plan.idx.len - plan.n_warm, plan.skipped, plan.n_warm);
    struct sigaction old;
    on_sigint_install(&old);
    struct bt_run_opts ro = {.cancel = &cancelled};
    if (!json && !cli_opt_given(&spec, a, "--quiet"))
        ro.progress = progress;
    int r = bt_replay(&p.tape, &plan, &p.setup, &p.wl, &ro, &res, err, sizeof err);
    sigaction(SIGINT, &old, NULL);
    if (r == WT_ECLOSED) {
        fprintf(stderr, "\nwalltrack backtest: cancelled; nothing was saved\n");
        rc = 130;
        goto out;
    }
    if (r != 0) {
        fprintf(stderr, "walltrack backtest: %s\n", err);
        goto out;
    }
    int64_t id = 0;
    if ((r = bt_save_run(st, &p, &p.tape, &res, 0, &id)) != 0) {
        fprintf(stderr, "walltrack backtest: saving the run: %s\n", wt_strerror(r));
        goto out;
    }
    if (json) {
        print_run_json(st, id, false);
    } else {
        const struct bt_metrics *m = &res.m;
        printf("run %" PRId64 ": scenario %s, %s to %s\n", id, p.sc.name, p.from_s, p.to_s);
        printf("  return %+.2f%% (equity %.4f SOL of %.4f), max drawdown %.2f%%\n", m->return_pct,
               m->final_equity_sol, m->capital_sol, m->max_drawdown_pct);
        printf("  %" PRIu64 " signals, %" PRIu64 " traded, %" PRIu64 " closed trades, win rate "
               "%.1f%%, expectancy %+.5f SOL/trade, %" PRIu64 " still open\n",
               m->signals, m->traded, m->trades, 100 * m->win_rate, m->expectancy_sol,
               m->open_positions);
    }
    rc = 0;
out:
    bt_plan_release(&plan);
    bt_result_release(&res);
    bt_prep_release(&p);
    return rc;
}

static int do_compare(struct store *st, int n, char **ids, bool json, bool details);
static int show_err(int r, const char *what);

/* run --as-recorded: the engine journal's window (backtest/recorded.h). */
static int do_run_recorded(struct cli_args *a, struct store *st, bool json)
{
    const char *from_s = cli_opt_value(&spec, a, "--from"), *to_s = cli_opt_value(&spec, a, "--to");
    int64_t from, to;
    if (!from_s || !to_s)
        return cli_usage_error("backtest", "run needs --from and --to");
    if (bt_time_parse(from_s, &from) != 0 || bt_time_parse(to_s, &to) != 0)
        return cli_usage_error("backtest",
                               "--from / --to: '%s' / '%s' is not an ISO 8601 date or time "
                               "(2026-11-01 or 2026-11-01T12:00:00Z)",
                               from_s, to_s);
    if (to <= from)
        return cli_usage_error(
            "backtest", "empty or inverted window: --from %s is not before --to %s", from_s, to_s);
    struct bt_scenario sets;
    cli_sets(&a->cfg, &sets);
    if (cli_opt_given(&spec, a, "--scenario") || sets.n)
        return cli_usage_error("backtest", "--as-recorded replays the recorded settings: it takes "
                                           "no --scenario and no --set");
    struct bt_scenario sc;
    char err[512];
    if (bt_scenario_builtin("default", &sc) != 0)
        return 1;
    struct bt_tape keys;
    bt_tape_init(&keys);
    struct bt_result res;
    bt_result_init(&res);
    struct config cfg;
    struct bt_recorded_info info;
    struct sigaction old;
    on_sigint_install(&old);
    struct bt_run_opts ro = {.cancel = &cancelled};
    int64_t started = clock_wall_ms();
    int r = bt_recorded_run(st, from, to, &ro, &keys, &res, &cfg, &info, err, sizeof err);
    sigaction(SIGINT, &old, NULL);
    int rc = run_status(r, err);
    if (rc != 0)
        goto out;
    rc = 1;
    fprintf(stderr,
            "backtest: the serve run recorded from journal row %" PRId64 ": %zu ticks, %zu "
            "commands (%zu setting changes), %zu stored events (%zu handed on out of time "
            "order)\n",
            info.start_row, info.ticks, info.commands, info.settings, info.events,
            info.out_of_order);
    struct bt_run_info ri = {.scenario = &sc,
                             .settings = &cfg,
                             .from_ms = from,
                             .to_ms = to,
                             .started_ms = started,
                             .finished_ms = clock_wall_ms(),
                             .sample = "as-recorded",
                             .orders = true};
    int64_t id = 0;
    if (save_run(st, &ri, &keys, &res, json, true, &id) != 0)
        goto out;
    if (!json) {
        const struct bt_metrics *m = &res.m;
        printf("run %" PRId64 ": as recorded, %s to %s\n", id, from_s, to_s);
        printf("  %" PRIu64 " signals, %" PRIu64 " traded, %zu orders, %" PRIu64
               " closed trades, PnL %+.6f SOL, %" PRIu64 " still open\n",
               m->signals, m->traded, res.orders.len, m->trades, m->pnl_sol, m->open_positions);
    }
    rc = 0;
out:
    config_release(&cfg);
    bt_result_release(&res);
    bt_tape_release(&keys);
    return rc;
}

/* batch SCENARIO...: several scenarios over the same data, saved, then
 * compared. */
static int do_batch(struct cli_args *a, struct store *st, bool json)
{
    int ns = a->npos - 1;
    if (ns < 1)
        return cli_usage_error("backtest", "batch needs one or more scenario names");
    if (cli_opt_given(&spec, a, "--scenario"))
        return cli_usage_error("backtest",
                               "batch takes its scenarios as arguments, not --scenario");
    struct bt_prep *p = xcalloc((size_t)ns, sizeof *p);
    struct bt_job *jobs = xcalloc((size_t)ns, sizeof *jobs);
    char **ids = xcalloc((size_t)ns, sizeof *ids);
    int rc = 0, nprep = 0;
    for (int i = 0; i < ns && rc == 0; i++, nprep++)
        rc = prep_validate(a, st, a->pos[1 + i], &p[i]);
    struct bt_plan plan = {0};
    if (rc == 0 && prep_load(st, &p[0], json) != 0)
        rc = 1;
    if (rc == 0) {
        for (int i = 0; i < ns; i++)
            jobs[i].setup = p[i].setup;
        bt_plan_build(&plan, &p[0].tape, &p[0].wl, p[0].from - p[0].warm, p[0].from, p[0].to, true);
        struct sigaction old;
        on_sigint_install(&old);
        int r =
            bt_batch_run(&p[0].tape, &plan, &p[0].wl, jobs, (size_t)ns,
                         (unsigned)config_int(&p[0].cfg, CFG_BT_THREADS), false, &cancelled,
                         json || cli_opt_given(&spec, a, "--quiet") ? NULL : batch_progress, NULL);
        sigaction(SIGINT, &old, NULL);
        if (r == WT_ECLOSED) {
            fprintf(stderr, "\nwalltrack backtest: cancelled; nothing was saved\n");
            rc = 130;
        }
    }
    int64_t batch = p[0].started;
    for (int i = 0; rc == 0 && i < ns; i++) {
        if (jobs[i].rc != 0) {
            fprintf(stderr, "walltrack backtest: scenario %s: %s\n", p[i].sc.name, jobs[i].err);
            rc = 1;
            break;
        }
    }
    for (int i = 0; rc == 0 && i < ns; i++) {
        int64_t id = 0;
        int r = bt_save_run(st, &p[i], &p[0].tape, &jobs[i].result, batch, &id);
        if (r) {
            fprintf(stderr, "walltrack backtest: saving the run: %s\n", wt_strerror(r));
            rc = 1;
            break;
        }
        ids[i] = xmalloc(24);
        snprintf(ids[i], 24, "%" PRId64, id);
    }
    if (rc == 0)
        rc = do_compare(st, ns, ids, json, false);
    for (int i = 0; i < ns; i++) {
        free(ids[i]);
        bt_result_release(&jobs[i].result);
    }
    for (int i = 0; i < nprep; i++)
        bt_prep_release(&p[i]);
    bt_plan_release(&plan);
    free(ids);
    free(jobs);
    free(p);
    return rc;
}

static double opt_double(struct cli_args *a, const char *name, double def, bool *bad)
{
    const char *v = cli_opt_value(&spec, a, name);
    if (!v)
        return def;
    char *end;
    double x = strtod(v, &end);
    if (!v[0] || *end || !(x >= 0))
        *bad = true;
    return x;
}

static void point_text(const struct bt_axis *ax, size_t n, size_t i, struct buf *out)
{
    struct bt_scenario sc;
    memset(&sc, 0, sizeof sc);
    bt_grid_point(ax, n, i, &sc);
    for (size_t k = 0; k < sc.n; k++)
        buf_printf(out, "%s%s=%s", k ? " " : "", sc.o[k].name, sc.o[k].value);
}

/* grid NAME=SPEC...: every combination, walk-forward unless --in-sample. */
static int do_grid(struct cli_args *a, struct store *st, bool json)
{
    size_t na = (size_t)(a->npos - 1);
    if (na < 1 || na > BT_AXES_MAX)
        return cli_usage_error("backtest", "grid needs 1 to %d axes NAME=a,b,c or NAME=lo:hi:step",
                               BT_AXES_MAX);
    struct bt_prep p;
    int rc = prep_validate(a, st, NULL, &p);
    if (rc) {
        bt_prep_release(&p);
        return rc;
    }
    char err[512];
    bool bad = false;
    double min_trades = opt_double(a, "--min-trades", 0, &bad);
    double max_dd = opt_double(a, "--max-drawdown", 0, &bad);
    double folds = opt_double(a, "--folds", -1, &bad);
    struct bt_grid_req gr;
    if (bt_grid_req_parse((const char *const *)a->pos + 1, na,
                          cli_opt_value(&spec, a, "--objective"), min_trades, max_dd,
                          bad ? 0 : folds, cli_opt_given(&spec, a, "--in-sample"), &p.cfg, "--",
                          &gr, err, sizeof err) != 0)
        rc = cli_usage_error("backtest", "%s", err);
    struct bt_grid_opts o = gr.o;
    o.cancel = &cancelled;
    const struct bt_axis *axes = gr.axes;
    size_t points = gr.points;
    struct bt_grid_result g = {0};
    if (rc == 0 && prep_load(st, &p, json) != 0)
        rc = 1;
    if (rc == 0) {
        if (!json)
            fprintf(stderr, "backtest: grid of %zu points, %s, objective %s\n", points,
                    o.in_sample ? "IN-SAMPLE (asked for)" : "walk-forward",
                    bt_objective_name(o.objective));
        if (!json && !cli_opt_given(&spec, a, "--quiet"))
            o.progress = batch_progress;
        struct sigaction old;
        on_sigint_install(&old);
        int r = bt_grid_run(&p.tape, &p.wl, &p.cfg, &p.setup, axes, na, p.from, p.to, &o, &g, err,
                            sizeof err);
        sigaction(SIGINT, &old, NULL);
        if (r == WT_ECLOSED) {
            fprintf(stderr, "\nwalltrack backtest: cancelled; nothing was saved\n");
            rc = 130;
        } else if (r) {
            fprintf(stderr, "walltrack backtest: %s\n", err);
            rc = 1;
        }
    }
    /* Saved: each fold's out-of-sample run, with the chosen values. */
    int64_t batch = p.started;
    int64_t *fold_ids = xcalloc(g.folds + 1, sizeof *fold_ids);
    int sr;
    if (rc == 0 && (sr = bt_save_grid(st, &p, &gr, &g, batch, fold_ids)) != 0) {
        fprintf(stderr, "walltrack backtest: saving a fold: %s\n", wt_strerror(sr));
        rc = 1;
    }
    if (rc == 0 && json) {
        struct buf b;
        buf_init(&b, 0);
        bt_grid_json(&gr, &g, batch, fold_ids, &b);
        printf("%s\n", b.data);
        buf_release(&b);
    } else if (rc == 0) {
        struct buf t;
        buf_init(&t, 0);
        if (!g.in_sample) {
            printf("walk-forward, %u folds, objective %s; chosen on the in-sample part, "
                   "reported on the held-out part:\n",
                   g.folds, bt_objective_name(o.objective));
            for (unsigned k = 0; k < g.folds; k++) {
                const struct bt_fold *f = &g.fold[k];
                char a1[32], a2[32], a3[32];
                clock_format_iso(f->is_to, a1, sizeof a1);
                clock_format_iso(f->oos_from, a2, sizeof a2);
                clock_format_iso(f->oos_to, a3, sizeof a3);
                if (f->chosen == SIZE_MAX) {
                    printf("  fold %u: in-sample to %s: no point met the constraints\n", k + 1, a1);
                    continue;
                }
                buf_reset(&t);
                point_text(axes, na, f->chosen, &t);
                printf("  fold %u: chosen on [from, %s): %s (in-sample %+.2f%%, %" PRIu64
                       " trades)\n          out-of-sample [%s, %s): %+.2f%%, %" PRIu64
                       " trades, max dd %.2f%% (run %" PRId64 ")\n",
                       k + 1, a1, t.data, f->is.return_pct, f->is.trades, a2, a3, f->oos.return_pct,
                       f->oos.trades, f->oos.max_drawdown_pct, fold_ids[k]);
            }
            printf("OUT-OF-SAMPLE, all folds: return %+.2f%%, %" PRIu64 " trades, win rate %.1f%%, "
                   "expectancy %+.5f SOL/trade, worst drawdown %.2f%%\n",
                   g.oos.return_pct, g.oos.trades, 100 * g.oos.win_rate, g.oos.expectancy_sol,
                   g.oos.max_drawdown_pct);
        } else {
            printf("IN-SAMPLE (asked for; chosen and measured on the same data, optimistic): "
                   "return %+.2f%%, %" PRIu64 " trades, max drawdown %.2f%%\n",
                   g.oos.return_pct, g.oos.trades, g.oos.max_drawdown_pct);
        }
        buf_reset(&t);
        if (g.recommended != SIZE_MAX)
            point_text(axes, na, g.recommended, &t);
        printf("recommended: %s\n",
               g.recommended == SIZE_MAX ? "(none met the constraints)" : t.data);
        if (na == 2) {
            printf("\n%s (rows) x %s (columns): %s over the whole window (in-sample)\n",
                   axes[0].name, axes[1].name, bt_objective_name(o.objective));
            printf("%12s", "");
            for (size_t c = 0; c < axes[1].n; c++)
                printf(" %10s", axes[1].values[c]);
            printf("\n");
            for (size_t r = 0; r < axes[0].n; r++) {
                printf("%12s", axes[0].values[r]);
                for (size_t c = 0; c < axes[1].n; c++) {
                    const struct bt_metrics *m = &g.full[r + c * axes[0].n];
                    if (bt_constraints_met(m, &o.constraints))
                        printf(" %10.3g", bt_objective_value(m, o.objective));
                    else
                        printf(" %10s", "-");
                }
                printf("\n");
            }
        }
        buf_release(&t);
    }
    free(fold_ids);
    bt_grid_result_release(&g);
    bt_grid_req_release(&gr);
    bt_prep_release(&p);
    return rc;
}

/* apply ID: the run's settings through the daemon's PUT /v1/config (the
 * dashboard's path: validated, applied, kept with their history). */
static int do_apply(struct cli_args *a, struct store *st)
{
    int64_t id;
    if (a->npos != 2 || parse_id(a->pos[1], &id) != 0)
        return cli_usage_error("backtest", "apply needs one run ID");
    struct buf b;
    buf_init(&b, 0);
    int r = bt_run_json(st, id, false, &b);
    if (r) {
        buf_release(&b);
        return show_err(r, a->pos[1]);
    }
    struct json_doc *d = json_doc_new(16);
    struct json_val root, ov, v;
    struct json_iter it;
    int rc = 1;
    if (json_parse(d, b.data, b.len, 0, &root) != 0 || json_find(&root, "overrides", &ov) != 0 ||
        json_iter_init(&ov, &it) != 0) {
        fprintf(stderr, "walltrack backtest: run %" PRId64 " has no settings to apply\n", id);
        goto out;
    }
    struct buf body;
    buf_init(&body, 0);
    struct jw w;
    jw_init(&w, &body);
    jw_obj_begin(&w);
    size_t n = 0;
    printf("run %" PRId64 " would set:\n", id);
    while (json_iter_next(&it, &v)) {
        const char *val;
        char name[BT_NAME_MAX];
        if (json_str(&v, &val, NULL) != 0 || v.keylen >= sizeof name)
            continue;
        memcpy(name, v.key, v.keylen);
        name[v.keylen] = '\0';
        printf("  %s = %s\n", name, val);
        jw_kstr(&w, name, val);
        n++;
    }
    jw_obj_end(&w);
    jw_finish(&w);
    if (n == 0) {
        printf("  (nothing: the run used the configuration as it is)\n");
        rc = 0;
    } else if (!cli_opt_given(&spec, a, "--yes")) {
        printf("add --yes to apply them to the running daemon (PUT /v1/config)\n");
        rc = 1;
    } else {
        struct httpc_resp resp;
        httpc_resp_init(&resp);
        rc = cli_daemon_call(&spec, a, "PUT", "/v1/config", body.data, &resp);
        if (rc == 0)
            printf("applied: %s\n", resp.body.data);
        httpc_resp_release(&resp);
    }
    buf_release(&body);
out:
    json_doc_free(d);
    buf_release(&b);
    return rc;
}

/* ---- list, show, compare, delete ------------------------------------------- */

struct lister {
    struct store *st;
    size_t n;
};

static void iso(int64_t ms, char *out)
{
    clock_format_iso(ms, out, 32);
}

/* One line (or JSON object) of a run from its row. */
static int list_one(void *ctx, const struct backtest_run_row *r)
{
    struct lister *l = ctx;
    struct bt_run_headline h;
    bt_run_headline_of(l->st, r, &h);
    char f[32], t[32];
    iso(h.from_ms, f);
    iso(h.to_ms, t);
    if (l->n == 0)
        printf("%-6s %-16s %-24s %-24s %-17s %9s %7s %8s %8s\n", "id", "scenario", "from", "to",
               "sample", "return", "trades", "win", "max dd");
    printf("%-6" PRId64 " %-16s %-24s %-24s %-17s %+8.2f%% %7d %7.1f%% %7.2f%%\n", r->id,
           h.scenario, f, t, h.sample, h.return_pct, (int)r->trades, 100 * r->win_rate,
           r->max_drawdown);
    l->n++;
    return 0;
}

static int do_list(struct store *st, bool json)
{
    if (json) {
        struct buf b;
        buf_init(&b, 0);
        return cli_print_doc("backtest", bt_runs_list_json(st, &b), &b);
    }
    struct lister l = {.st = st};
    int r = bt_run_each(st, list_one, &l);
    if (r) {
        fprintf(stderr, "walltrack backtest: %s\n", wt_strerror(r));
    } else if (l.n == 0) {
        printf("no backtest runs yet (walltrack backtest run --from T --to T)\n");
    }
    return r ? 1 : 0;
}

static int show_err(int r, const char *what)
{
    if (r == WT_ENOTFOUND)
        fprintf(stderr, "walltrack backtest: no run %s\n", what);
    else
        fprintf(stderr, "walltrack backtest: run %s: %s\n", what, wt_strerror(r));
    return 1;
}

/* compare: the metrics of several runs side by side (and their curves in
 * JSON). */
static int do_compare(struct store *st, int n, char **ids, bool json, bool details)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = 0;
    if (json && n > 1)
        buf_puts(&b, "[");
    if (!json)
        printf("%-6s %-16s %9s %7s %7s %8s %12s %8s %7s\n", "id", "scenario", "return", "trades",
               "win", "PF", "expectancy", "max dd", "Sharpe");
    for (int i = 0; i < n && rc == 0; i++) {
        int64_t id;
        if (parse_id(ids[i], &id) != 0) {
            rc = cli_usage_error("backtest", "'%s' is not a run id", ids[i]);
            break;
        }
        struct buf one;
        buf_init(&one, 0);
        int r = bt_run_json(st, id, details || (json && n > 1), &one);
        if (r) {
            rc = show_err(r, ids[i]);
            buf_release(&one);
            break;
        }
        if (json) {
            if (i)
                buf_puts(&b, ",");
            buf_append(&b, one.data, one.len);
        } else {
            struct json_doc *d = json_doc_new(16);
            struct json_val root, m;
            const char *scen = "?";
            double ret = 0, wr = 0, pf = 0, ex = 0, dd = 0, sh = 0;
            uint64_t tr = 0;
            bool shv = false, pfinf = false;
            if (json_parse(d, one.data, one.len, 0, &root) == 0 &&
                json_find(&root, "metrics", &m) == 0) {
                json_get_str(&root, "scenario", &scen, NULL);
                json_get_double(&m, "return_pct", &ret);
                json_get_u64(&m, "trades", &tr);
                json_get_double(&m, "win_rate", &wr);
                const char *s;
                if (json_get_str(&m, "profit_factor", &s, NULL) == 0)
                    pfinf = true;
                else
                    json_get_double(&m, "profit_factor", &pf);
                json_get_double(&m, "expectancy_sol", &ex);
                json_get_double(&m, "max_drawdown_pct", &dd);
                shv = json_get_double(&m, "sharpe", &sh) == 0;
            }
            char pfs[16], shs[16];
            snprintf(pfs, sizeof pfs, pfinf ? "inf" : "%.2f", pf);
            snprintf(shs, sizeof shs, shv ? "%.2f" : "n/a", sh);
            printf("%-6" PRId64 " %-16s %+8.2f%% %7" PRIu64 " %6.1f%% %8s %+12.5f %7.2f%% %7s\n",
                   id, scen, ret, tr, 100 * wr, pfs, ex, dd, shs);
            json_doc_free(d);
        }
        buf_release(&one);
    }
    if (json && n > 1)
        buf_puts(&b, "]");
    if (rc == 0 && json)
        printf("%s\n", b.data);
    buf_release(&b);
    return rc;
}

static int run_backtest(struct cli_args *a)
{
    const char *sub = a->pos[0];
    bool json = cli_opt_given(&spec, a, "--json");
    static const char *const subs[] = {"run",     "batch",  "grid",  "list",     "show",
                                       "compare", "delete", "apply", "scenario", NULL};
    bool known = false;
    for (const char *const *s = subs; *s; s++)
        known |= strcmp(*s, sub) == 0;
    if (!known)
        return cli_usage_error("backtest",
                               "unknown '%s' (run, batch, grid, list, show, compare, delete, "
                               "apply, scenario)",
                               sub);
    struct store *st;
    int rc = cli_open_store(&a->cfg, &st);
    if (rc != 0)
        return rc;
    cli_apply_stored_settings(&a->cfg, st);
    if (strcmp(sub, "run") == 0) {
        rc = a->npos == 1 ? do_run(a, st, json)
                          : cli_usage_error("backtest", "run takes no positional arguments");
    } else if (strcmp(sub, "batch") == 0) {
        rc = do_batch(a, st, json);
    } else if (strcmp(sub, "grid") == 0) {
        rc = do_grid(a, st, json);
    } else if (strcmp(sub, "apply") == 0) {
        rc = do_apply(a, st);
    } else if (strcmp(sub, "list") == 0) {
        rc = do_list(st, json);
    } else if (strcmp(sub, "show") == 0) {
        rc = a->npos == 2 ? do_compare(st, 1, a->pos + 1, json, true)
                          : cli_usage_error("backtest", "show needs one run ID");
    } else if (strcmp(sub, "compare") == 0) {
        rc = a->npos >= 3 ? do_compare(st, a->npos - 1, a->pos + 1, json, false)
                          : cli_usage_error("backtest", "compare needs two or more run IDs");
    } else if (strcmp(sub, "delete") == 0) {
        int64_t id;
        if (a->npos != 2 || parse_id(a->pos[1], &id) != 0) {
            rc = cli_usage_error("backtest", "delete needs one run ID");
        } else {
            int r = store_backtest_delete(st, id);
            rc = r ? show_err(r, a->pos[1]) : 0;
            if (r == 0 && !json)
                printf("run %" PRId64 " deleted\n", id);
            else if (r == 0)
                printf("{\"deleted\":%" PRId64 "}\n", id);
        }
    } else {
        rc = cmd_backtest_scenario(st, a->npos - 1, a->pos + 1, json);
    }
    store_close(st);
    return rc;
}

int cmd_backtest(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_backtest);
}
