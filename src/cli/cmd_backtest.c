/* `walltrack backtest`: replays stored events through the trading engine
 * with a scenario's settings and keeps the result (FR47, FR61-FR63;
 * docs/backtest.md).
 *
 *   backtest run --from T --to T [--scenario NAME] [--set NAME=VALUE ...]
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

#include "backtest/replay.h"
#include "backtest/runs.h"
#include "backtest/scenario.h"
#include "backtest/tape.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"
#include "trade/engine_store.h"

static const struct cli_opt opts[] = {
    {"--from", "TIME", NULL, "run: start of the window (ISO 8601 date or time, UTC)"},
    {"--to", "TIME", NULL, "run: end of the window, excluded"},
    {"--scenario", "NAME", NULL, "run: the scenario (default: default)"},
    {"--json", NULL, NULL, "print JSON (every read command)"},
    {"--quiet", NULL, NULL, "run: no progress bar"},
    {0},
};

static const struct cli_spec spec = {
    .name = "backtest",
    .args = "run | list | show ID | compare ID... | delete ID | scenario ...",
    .summary = "Replay stored events through the engine with a scenario's settings.",
    .details =
        "run --from T --to T [--scenario NAME] [--set NAME=VALUE]...: replays the stored swaps of "
        "the window through the trading engine (paper executor, the events' clock, the "
        "watchlist of the database) and saves the run: its signals, trades, mark-to-market "
        "equity curve and metrics, with the scenario, every setting and the window. Settings: "
        "the configuration, then the scenario's, then --set. list, show ID, compare ID ID..., "
        "delete ID: the saved runs. scenario list | show NAME | create NAME [NAME=VALUE]... | "
        "edit NAME NAME=VALUE... | unset NAME SETTING... | copy FROM TO: named settings; conservative, default "
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

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

static void progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
    char bar[41];
    unsigned n = pct * 40 / 100;
    for (unsigned i = 0; i < 40; i++)
        bar[i] = i < n ? '#' : '.';
    bar[40] = '\0';
    fprintf(stderr, "\rbacktest [%s] %3u%% %zu/%zu events", bar, pct, done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
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

/* ---- run -------------------------------------------------------------------- */

static int do_run(struct cli_args *a, struct store *st, bool json)
{
    const char *from_s = cli_opt_value(&spec, a, "--from"), *to_s = cli_opt_value(&spec, a, "--to");
    const char *scen = cli_opt_value(&spec, a, "--scenario");
    int64_t from, to;
    if (!from_s || !to_s)
        return cli_usage_error("backtest", "run needs --from and --to");
    if (bt_time_parse(from_s, &from) != 0)
        return cli_usage_error("backtest",
                               "--from: '%s' is not an ISO 8601 date or time (2026-11-01 or "
                               "2026-11-01T12:00:00Z)",
                               from_s);
    if (bt_time_parse(to_s, &to) != 0)
        return cli_usage_error("backtest",
                               "--to: '%s' is not an ISO 8601 date or time (2026-11-01 or "
                               "2026-11-01T12:00:00Z)",
                               to_s);
    if (to <= from)
        return cli_usage_error("backtest",
                               "empty or inverted window: --from %s is not before --to %s", from_s,
                               to_s);
    char err[512];
    struct bt_scenario sc, sets;
    if (bt_scenario_load(st, scen ? scen : "default", &sc, NULL, err, sizeof err) != 0)
        return cli_usage_error("backtest", "%s", err);
    cli_sets(&a->cfg, &sets);
    struct bt_setup setup;
    bt_setup_init(&setup);
    size_t n_exits;
    if (engine_store_exits_load(st, &setup.engine.book, &n_exits, err, sizeof err) != 0)
        return cli_usage_error("backtest", "%s", err);
    struct config cfg;
    const struct bt_scenario *lists[2] = {&sc, &sets};
    if (bt_settings(&a->cfg, lists, 2, &cfg, &setup, err, sizeof err) != 0)
        return cli_usage_error("backtest", "%s", err);

    int rc = 1;
    struct bt_tape tape;
    struct bt_watchlist wl = {0};
    struct bt_plan plan = {0};
    struct bt_result res;
    bt_tape_init(&tape);
    bt_result_init(&res);
    int64_t warm = config_int(&cfg, CFG_BT_WARMUP_DAYS) * MS_PER_DAY;
    int64_t started = now_ms();
    int r;
    if ((r = bt_watchlist_from_store(&wl, st)) != 0 ||
        (r = bt_tape_from_store(&tape, st, from - warm, to)) != 0) {
        fprintf(stderr, "walltrack backtest: reading the database: %s\n", wt_strerror(r));
        goto out;
    }
    bt_plan_build(&plan, &tape, &wl, from, to, true);
    if (!json)
        fprintf(stderr,
                "backtest: scenario %s, %zu watched or blacklisted wallets, %zu events in the "
                "window (%zu skipped: they cannot affect this run), %zu to warm up\n",
                sc.name, wl.v.len, plan.idx.len - plan.n_warm, plan.skipped, plan.n_warm);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    struct bt_run_opts ro = {.cancel = &cancelled};
    if (!json && !cli_opt_given(&spec, a, "--quiet") && isatty(2))
        ro.progress = progress;
    r = bt_replay(&tape, &plan, &setup, &wl, &ro, &res, err, sizeof err);
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
    struct bt_run_info info = {.scenario = &sc,
                               .sets = &sets,
                               .settings = &cfg,
                               .from_ms = from,
                               .to_ms = to,
                               .started_ms = started,
                               .finished_ms = now_ms(),
                               .sample = "full"};
    int64_t id = 0;
    if ((r = bt_run_save(st, &info, &tape, &res, &id)) != 0) {
        fprintf(stderr, "walltrack backtest: saving the run: %s\n", wt_strerror(r));
        goto out;
    }
    if (json) {
        struct buf b;
        buf_init(&b, 0);
        if (bt_run_json(st, id, false, &b) == 0)
            printf("%s\n", b.data);
        buf_release(&b);
    } else {
        const struct bt_metrics *m = &res.m;
        printf("run %" PRId64 ": scenario %s, %s to %s\n", id, sc.name, from_s, to_s);
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
    bt_watchlist_release(&wl);
    bt_tape_release(&tape);
    config_release(&cfg);
    return rc;
}

/* ---- list, show, compare, delete ------------------------------------------- */

struct lister {
    struct store *st;
    bool json;
    struct buf *out;
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
    char name[BT_NAME_MAX];
    bt_scenario_name_of(l->st, r->scenario_id, name, sizeof name);
    struct json_doc *d = json_doc_new(8);
    struct json_val res, m;
    int64_t from = 0, to = 0;
    double ret = 0;
    const char *sample = "full";
    if (json_parse(d, r->results, strlen(r->results), 0, &res) == 0) {
        json_get_i64(&res, "from_ms", &from);
        json_get_i64(&res, "to_ms", &to);
        json_opt_str(&res, "sample", &sample, NULL);
        if (json_find(&res, "metrics", &m) == 0)
            json_get_double(&m, "return_pct", &ret);
    }
    char f[32], t[32];
    iso(from, f);
    iso(to, t);
    if (l->json) {
        buf_printf(l->out,
                   "%s{\"id\":%" PRId64 ",\"scenario\":\"%s\",\"from_ms\":%" PRId64
                   ",\"to_ms\":%" PRId64 ",\"sample\":\"%s\",\"return_pct\":%.6g,\"trades\":%d,"
                   "\"win_rate\":%.6g,\"max_drawdown_pct\":%.6g,\"pnl_sol\":%.9g}",
                   l->n ? "," : "", r->id, name, from, to, sample, ret, (int)r->trades,
                   r->win_rate, r->max_drawdown, r->pnl_sol);
    } else {
        if (l->n == 0)
            printf("%-6s %-16s %-24s %-24s %-13s %9s %7s %8s %8s\n", "id", "scenario", "from",
                   "to", "sample", "return", "trades", "win", "max dd");
        printf("%-6" PRId64 " %-16s %-24s %-24s %-13s %+8.2f%% %7d %7.1f%% %7.2f%%\n", r->id, name,
               f, t, sample, ret, (int)r->trades, 100 * r->win_rate, r->max_drawdown);
    }
    l->n++;
    json_doc_free(d);
    return 0;
}

static int do_list(struct store *st, bool json)
{
    struct buf b;
    buf_init(&b, 0);
    struct lister l = {.st = st, .json = json, .out = &b};
    buf_puts(&b, "[");
    int r = bt_run_each(st, list_one, &l);
    buf_puts(&b, "]");
    if (r) {
        fprintf(stderr, "walltrack backtest: %s\n", wt_strerror(r));
    } else if (json) {
        printf("%s\n", b.data);
    } else if (l.n == 0) {
        printf("no backtest runs yet (walltrack backtest run --from T --to T)\n");
    }
    buf_release(&b);
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

/* ---- scenarios -------------------------------------------------------------- */

static void scenario_print(const struct bt_scenario *sc, bool json)
{
    if (json) {
        struct buf b;
        buf_init(&b, 0);
        bt_scenario_params_json(sc, &b);
        printf("{\"name\":\"%s\",\"builtin\":%s,\"params\":%s}\n", sc->name,
               sc->builtin ? "true" : "false", b.data);
        buf_release(&b);
        return;
    }
    printf("%s%s\n", sc->name, sc->builtin ? " (built in)" : "");
    if (sc->n == 0)
        printf("  (no overrides: the configuration as it is)\n");
    for (size_t i = 0; i < sc->n; i++)
        printf("  %s = %s\n", sc->o[i].name, sc->o[i].value);
}

struct slist {
    VEC(struct backtest_scenario_row) v;
};

static int scenario_cmd(struct store *st, int n, char **pos, bool json)
{
    const char *sub = n > 0 ? pos[0] : "list";
    char err[512];
    struct bt_scenario sc;
    if (strcmp(sub, "list") == 0) {
        if (json)
            printf("[");
        int k = 0;
        for (const char *const *b = bt_builtin_names; *b; b++, k++) {
            bt_scenario_builtin(*b, &sc);
            if (json) {
                if (k)
                    printf(",");
                struct buf p;
                buf_init(&p, 0);
                bt_scenario_params_json(&sc, &p);
                printf("{\"name\":\"%s\",\"builtin\":true,\"params\":%s}", sc.name, p.data);
                buf_release(&p);
            } else {
                printf("%-24s built in, %zu settings\n", sc.name, sc.n);
            }
        }
        struct backtest_scenario_row *rows = xcalloc(100, sizeof *rows);
        int64_t after = 0;
        int r = 0;
        for (;;) {
            struct row_query q = {.after_id = after, .limit = 100};
            size_t got = 0;
            if ((r = store_list_scenario(st, &q, rows, &got)))
                break;
            for (size_t i = 0; i < got; i++) {
                if (bt_scenario_builtin(rows[i].name, &sc) == 0)
                    continue; /* a preset's row, kept for its runs */
                if (json)
                    printf("%s{\"name\":\"%s\",\"builtin\":false,\"params\":%s}", k++ ? "," : "",
                           rows[i].name, rows[i].params);
                else
                    printf("%-24s %s\n", rows[i].name, rows[i].params);
            }
            if (got < 100)
                break;
            after = rows[got - 1].id;
        }
        free(rows);
        if (json)
            printf("]\n");
        if (r)
            fprintf(stderr, "walltrack backtest: %s\n", wt_strerror(r));
        return r ? 1 : 0;
    }
    if (n < 2)
        return cli_usage_error("backtest", "scenario %s needs a NAME", sub);
    const char *name = pos[1];
    if (strcmp(sub, "show") == 0) {
        if (bt_scenario_load(st, name, &sc, NULL, err, sizeof err) != 0)
            return cli_usage_error("backtest", "%s", err);
        scenario_print(&sc, json);
        return 0;
    }
    bool create = strcmp(sub, "create") == 0, copy = strcmp(sub, "copy") == 0,
         unset = strcmp(sub, "unset") == 0, edit = unset || strcmp(sub, "edit") == 0;
    if (!create && !edit && !copy)
        return cli_usage_error("backtest",
                               "scenario: unknown '%s' (list, show, create, edit, unset, copy)", sub);
    const char *target = copy ? (n > 2 ? pos[2] : NULL) : name;
    if (!target)
        return cli_usage_error("backtest", "scenario copy needs FROM and TO");
    if (!bt_name_valid(target))
        return cli_usage_error("backtest",
                               "'%s' is not a scenario name (1 to 63 of a-z 0-9 _ - .)", target);
    struct bt_scenario tmp;
    if (bt_scenario_builtin(target, &tmp) == 0)
        return cli_usage_error("backtest", "'%s' is built in and read-only; copy it to change it",
                               target);
    bool exists = bt_scenario_load(st, target, &tmp, NULL, err, sizeof err) == 0;
    if (create && exists)
        return cli_usage_error("backtest", "a scenario called '%s' exists; use edit", target);
    if (copy && exists)
        return cli_usage_error("backtest", "a scenario called '%s' exists", target);
    if (edit && !exists)
        return cli_usage_error("backtest", "no scenario called '%s' (create it first)", target);
    if (copy) {
        if (bt_scenario_load(st, name, &sc, NULL, err, sizeof err) != 0)
            return cli_usage_error("backtest", "%s", err);
    } else if (edit) {
        sc = tmp;
    } else {
        memset(&sc, 0, sizeof sc);
    }
    str_copy(sc.name, sizeof sc.name, target);
    sc.builtin = false;
    for (int i = copy ? 3 : 2; i < n; i++) {
        if (unset) {
            if (bt_scenario_unset(&sc, pos[i]) != 0)
                return cli_usage_error("backtest", "'%s' is not set in '%s'", pos[i], target);
            continue;
        }
        if (bt_scenario_set_arg(&sc, pos[i], err, sizeof err) != 0)
            return cli_usage_error("backtest", "%s", err);
    }
    int r = bt_scenario_save(st, &sc, now_ms(), NULL);
    if (r) {
        fprintf(stderr, "walltrack backtest: saving the scenario: %s\n", wt_strerror(r));
        return 1;
    }
    if (json)
        scenario_print(&sc, true);
    else
        printf("scenario %s saved\n", sc.name);
    return 0;
}

int cmd_backtest(int argc, char **argv)
{
    struct cli_args a;
    int rc;
    if (!cli_parse(argc, argv, &spec, &a, &rc))
        return rc;
    const char *sub = a.pos[0];
    bool json = cli_opt_given(&spec, &a, "--json");
    static const char *const subs[] = {"run",    "list",     "show", "compare",
                                       "delete", "scenario", NULL};
    bool known = false;
    for (const char *const *s = subs; *s; s++)
        known |= strcmp(*s, sub) == 0;
    if (!known) {
        rc = cli_usage_error("backtest",
                             "unknown '%s' (run, list, show, compare, delete, scenario)", sub);
        cli_args_release(&a);
        return rc;
    }
    struct store *st;
    if ((rc = cli_open_store(&a.cfg, &st)) != 0) {
        cli_args_release(&a);
        return rc;
    }
    cli_apply_stored_settings(&a.cfg, st);
    if (strcmp(sub, "run") == 0) {
        rc = a.npos == 1 ? do_run(&a, st, json)
                         : cli_usage_error("backtest", "run takes no positional arguments");
    } else if (strcmp(sub, "list") == 0) {
        rc = do_list(st, json);
    } else if (strcmp(sub, "show") == 0) {
        rc = a.npos == 2 ? do_compare(st, 1, a.pos + 1, json, true)
                         : cli_usage_error("backtest", "show needs one run ID");
    } else if (strcmp(sub, "compare") == 0) {
        rc = a.npos >= 3 ? do_compare(st, a.npos - 1, a.pos + 1, json, false)
                         : cli_usage_error("backtest", "compare needs two or more run IDs");
    } else if (strcmp(sub, "delete") == 0) {
        int64_t id;
        if (a.npos != 2 || parse_id(a.pos[1], &id) != 0) {
            rc = cli_usage_error("backtest", "delete needs one run ID");
        } else {
            int r = store_backtest_delete(st, id);
            rc = r ? show_err(r, a.pos[1]) : 0;
            if (r == 0 && !json)
                printf("run %" PRId64 " deleted\n", id);
            else if (r == 0)
                printf("{\"deleted\":%" PRId64 "}\n", id);
        }
    } else {
        rc = scenario_cmd(st, a.npos - 1, a.pos + 1, json);
    }
    store_close(st);
    cli_args_release(&a);
    return rc;
}
