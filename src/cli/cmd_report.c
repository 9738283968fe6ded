/* `walltrack report` and `walltrack recalibrate`: the feedback loop read
 * from the database.
 *
 * report: our closed trades (paper or live) as the performance view sees
 * them (trade/perf.h), printed for a person: totals, which factors and
 * which hours of entry separate winners from losers, the win rate week by
 * week, results by exit reason. recalibrate: a logistic regression of
 * winning on the factors of the traded signals (signal/recal.h); it
 * proposes weights and a threshold and prints the PUT /v1/config body that
 * would apply them, but applies nothing. Both read the store only, so
 * they run beside a serving daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "signal/recal.h"
#include "store/store.h"
#include "trade/engine.h"
#include "trade/engine_config.h"
#include "trade/engine_store.h"
#include "trade/perf.h"

static const struct cli_opt opts[] = {
    {"--mode", "paper|live", NULL, "whose trades (default paper)"},
    {"--days", "N", NULL, "only trades closed in the last N days"},
    {"--json", NULL, NULL, "print the JSON instead of the summary"},
    {0},
};

static const struct cli_spec report_spec = {
    .name = "report",
    .args = "",
    .summary = "Show what separates winning trades from losing ones: factors, hours, exits.",
    .details = "Reads the closed trades from the database (the daemon may be running): totals, "
               "profit ratio, drawdown and Sharpe; the mean of each signal factor among winners "
               "and losers with its correlation with winning; win rate by UTC hour of entry and "
               "week by week; results by exit reason.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

static const struct cli_spec recal_spec = {
    .name = "recalibrate",
    .args = "",
    .summary = "Fit a logistic regression of wins on the signal factors and propose weights.",
    .details = "liblinear, L2-regularised, on the factors of the traded signals and their "
               "outcomes. Prints the proposed weights and threshold beside the current ones, "
               "the cross-validated accuracy beside always guessing the majority, and the "
               "PUT /v1/config body that would apply them. Applies nothing.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

struct load {
    struct perf *perf;
    VEC(struct recal_sample) samples;
};

static int add(void *ctx, const struct closed_trade_row *r)
{
    struct load *l = ctx;
    struct perf_trade t;
    perf_trade_from_row(r, &t);
    if (l->perf)
        perf_add(l->perf, &t);
    if (t.has_factors) {
        struct recal_sample s = {.win = t.pnl_sol > 0};
        memcpy(s.f, t.f, sizeof s.f);
        vec_push(&l->samples, s);
    }
    return 0;
}

/* Shared start: options, store, engine parameters, the trades. Returns 0
 * to go on, an exit status to stop with, or -1 after --help (exit 0). */
static int load(const struct cli_spec *spec, int argc, char **argv, struct cli_args *args,
                struct store **st, struct engine_params *ep, struct load *l, bool *json)
{
    int rc;
    if (!cli_parse(argc, argv, spec, args, &rc))
        return rc ? rc : -1;
    const char *mode = cli_opt_value(spec, args, "--mode");
    if (!mode)
        mode = "paper";
    if (strcmp(mode, "paper") != 0 && strcmp(mode, "live") != 0) {
        rc = cli_usage_error(spec->name, "--mode: expected paper or live, not '%s'", mode);
        goto fail;
    }
    int64_t since = 0;
    const char *days = cli_opt_value(spec, args, "--days");
    if (days) {
        char *end;
        double dd = strtod(days, &end);
        if (*end || !(dd > 0)) {
            rc = cli_usage_error(spec->name, "--days: expected a positive number, not '%s'", days);
            goto fail;
        }
        since = clock_wall_ms() - (int64_t)(dd * (double)MS_PER_DAY);
    }
    *json = cli_opt_given(spec, args, "--json");
    engine_params_default(ep);
    char err[256];
    if ((rc = cli_open_store(&args->cfg, st)) != 0)
        goto fail;
    /* The stored exit strategies, which the settings may name; then the
     * configuration; then the live settings stored by the API, the ones
     * in force. */
    size_t n_exits;
    if (engine_store_exits_load(*st, &ep->book, &n_exits, err, sizeof err) != 0 ||
        engine_params_from_config(&args->cfg, ep, err, sizeof err) != 0) {
        rc = cli_usage_error(spec->name, "%s", err);
        goto fail;
    }
    for (int i = 0; i < CFG_COUNT; i++) {
        const struct config_def *d = config_def_of((enum config_id)i);
        char v[SETTING_VALUE_MAX];
        if (engine_param_known(d->name) && store_setting_get(*st, d->name, v, sizeof v) == 0)
            engine_params_set(ep, d->name, v, false, NULL, 0);
    }
    l->perf = perf_new((double)ep->capital_lamports / 1e9);
    int r = store_closed_trades_scan(*st, mode, since, add, l);
    if (r == 0)
        r = engine_store_marks_load(*st, mode, since, l->perf);
    if (r) {
        fprintf(stderr, "walltrack %s: reading the trades failed: %s\n", spec->name,
                wt_strerror(r));
        rc = 1;
        goto fail;
    }
    return 0;
fail:
    cli_args_release(args);
    return rc;
}

static void print_report(const char *json)
{
    struct json_doc *d = json_doc_new(32);
    struct json_val o, arr, e;
    if (json_parse(d, json, strlen(json), 0, &o) != 0) {
        printf("%s\n", json);
        json_doc_free(d);
        return;
    }
    double x[16];
    const char *k[] = {"trades",           "wins",          "win_rate",
                       "pnl_sol",          "capital_sol",   "return_pct",
                       "profit_ratio",     "profit_factor", "max_drawdown_sol",
                       "max_drawdown_pct", "sharpe",        "sharpe_days"};
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (json_get_double(&o, k[i], &x[i]) != 0)
            x[i] = 0;
    if (x[0] == 0) {
        printf("No closed trades yet.\n");
        json_doc_free(d);
        return;
    }
    printf("%.0f closed trades, %.0f won (%.1f%%), PnL %+.4f SOL (%+.2f%% of %.4g SOL)\n", x[0],
           x[1], 100 * x[2], x[3], x[5], x[4]);
    /* A ratio that is not defined yet says so rather than 0. */
    bool pr_ok = false, pf_ok = false, sh_ok = false;
    json_get_bool(&o, "profit_ratio_valid", &pr_ok);
    json_get_bool(&o, "profit_factor_valid", &pf_ok);
    json_get_bool(&o, "sharpe_valid", &sh_ok);
    char pr[32] = "n/a", pf[32] = "n/a", sh[32] = "n/a";
    if (pr_ok)
        snprintf(pr, sizeof pr, "%.2f", x[6]);
    if (pf_ok)
        snprintf(pf, sizeof pf, "%.2f", x[7]);
    if (sh_ok)
        snprintf(sh, sizeof sh, "%.2f", x[10]);
    double ex = 0, ddm = 0, ddmp = 0, marks = 0;
    json_get_double(&o, "expectancy_sol", &ex);
    json_get_double(&o, "max_drawdown_mtm_sol", &ddm);
    json_get_double(&o, "max_drawdown_mtm_pct", &ddmp);
    json_get_double(&o, "mtm_samples", &marks);
    printf("profit ratio %s, profit factor %s, expectancy %+.4f SOL per trade, Sharpe %s over "
           "%.0f days\n",
           pr, pf, ex, sh, x[11]);
    printf("max drawdown, realized (closed trades only): %.4f SOL (%.1f%%)\n", x[8], x[9]);
    if (marks > 0)
        printf("max drawdown, mark-to-market (open positions at their last price, %.0f "
               "samples): %.4f SOL (%.1f%%)\n\n",
               marks, ddm, ddmp);
    else
        printf("max drawdown, mark-to-market: no equity samples stored yet (the engine records "
               "one about once a minute)\n\n");

    printf("What separates winners from losers (mean of each factor; r = correlation with "
           "winning):\n");
    printf("  %-8s %9s %9s %9s %7s\n", "factor", "winners", "losers", "diff", "r");
    if (json_get(&o, "separation", &arr) == 0)
        for (size_t i = 0; json_index(&arr, i, &e) == 0; i++) {
            const char *f;
            double mw = 0, ml = 0, df = 0, r = 0;
            json_get_str(&e, "factor", &f, NULL);
            json_get_double(&e, "mean_winners", &mw);
            json_get_double(&e, "mean_losers", &ml);
            json_get_double(&e, "difference", &df);
            json_get_double(&e, "correlation", &r);
            printf("  %-8s %9.3f %9.3f %+9.3f %+7.2f\n", f, mw, ml, df, r);
        }

    printf("\nHours of entry (UTC) with trades:\n  %4s %7s %9s %11s\n", "hour", "trades",
           "win rate", "PnL SOL");
    if (json_get(&o, "by_hour", &arr) == 0)
        for (size_t i = 0; json_index(&arr, i, &e) == 0; i++) {
            double h = 0, n = 0, wr = 0, pnl = 0;
            json_get_double(&e, "hour", &h);
            json_get_double(&e, "trades", &n);
            json_get_double(&e, "win_rate", &wr);
            json_get_double(&e, "pnl_sol", &pnl);
            if (n > 0)
                printf("  %4.0f %7.0f %8.1f%% %+11.4f\n", h, n, 100 * wr, pnl);
        }

    printf("\nWin rate week by week (signal accuracy over time):\n");
    if (json_get(&o, "by_week", &arr) == 0)
        for (size_t i = 0; json_index(&arr, i, &e) == 0; i++) {
            double n = 0, wr = 0, pnl = 0;
            json_get_double(&e, "trades", &n);
            json_get_double(&e, "win_rate", &wr);
            json_get_double(&e, "pnl_sol", &pnl);
            printf("  week %zu: %4.0f trades, %5.1f%% won, %+.4f SOL\n", i + 1, n, 100 * wr, pnl);
        }

    printf("\nBy exit reason:\n");
    if (json_get(&o, "by_exit_reason", &arr) == 0)
        for (size_t i = 0; json_index(&arr, i, &e) == 0; i++) {
            const char *r;
            double n = 0, wr = 0, pnl = 0;
            json_get_str(&e, "exit_reason", &r, NULL);
            json_get_double(&e, "trades", &n);
            json_get_double(&e, "win_rate", &wr);
            json_get_double(&e, "pnl_sol", &pnl);
            printf("  %-16s %5.0f trades, %5.1f%% won, %+.4f SOL\n", r, n, 100 * wr, pnl);
        }
    json_doc_free(d);
}

/* The shape of both commands: load (the arguments, the store and the
 * closed trades), body on what was loaded, then release it all. Returns
 * the exit status (0 after --help). */
static int run_loaded(const struct cli_spec *spec, int argc, char **argv,
                      void (*body)(const struct load *l, const struct engine_params *ep, bool json))
{
    struct cli_args args;
    struct store *st = NULL;
    struct engine_params ep;
    struct load l = {0};
    bool json = false;
    int rc = load(spec, argc, argv, &args, &st, &ep, &l, &json);
    if (rc == 0) {
        body(&l, &ep, json);
        cli_args_release(&args);
    }
    perf_free(l.perf);
    vec_free(&l.samples);
    store_close(st);
    return rc < 0 ? 0 : rc;
}

static void report(const struct load *l, const struct engine_params *ep, bool json)
{
    (void)ep;
    struct buf b;
    struct jw w;
    cli_json_begin(&w, &b);
    perf_write(l->perf, -1, 0, 200, &w);
    if (jw_finish(&w) == 0) {
        if (json)
            printf("%s\n", b.data);
        else
            print_report(b.data);
    }
    buf_release(&b);
}

int cmd_report(int argc, char **argv)
{
    return run_loaded(&report_spec, argc, argv, report);
}

static void recalibrate(const struct load *l, const struct engine_params *ep, bool json)
{
    struct recal_result r;
    recal_fit(l->samples.v, l->samples.len, &r);
    if (json) {
        struct buf b;
        struct jw w;
        cli_json_begin(&w, &b);
        recal_write(&r, &ep->signal, &w);
        (void)cli_json_print(&w, &b);
    } else {
        printf("%zu closed trades with factors, %zu won.\n", r.n, r.wins);
        if (!r.ok) {
            printf("No proposal: %s.\n", r.why);
        } else {
            printf("\n  %-8s %8s %9s %12s\n", "factor", "current", "proposed", "coefficient");
            for (int f = 0; f < SF_COUNT; f++) {
                printf("  %-8s %8.3f %9.3f ", signal_factor_name((enum signal_factor)f),
                       ep->signal.weight[f], r.proposed[f]);
                if (r.used[f])
                    printf("%+12.3f\n", r.coef[f]);
                else
                    printf("%12s\n", "(constant)");
            }
            printf("  %-8s %8.3f %9.3f\n", "threshold", ep->signal.threshold, r.proposed_threshold);
            printf("\ncross-validated accuracy %.1f%% (always guessing the majority: %.1f%%)\n",
                   100 * r.cv_accuracy, 100 * r.baseline_accuracy);
            printf("\nNothing was applied. To apply, PUT /v1/config with:\n  {");
            for (int f = 0; f < SF_COUNT; f++)
                printf("\"signal.weight_%s\": %.3f, ", signal_factor_name((enum signal_factor)f),
                       r.proposed[f]);
            printf("\"signal.threshold\": %.3f}\n", r.proposed_threshold);
        }
    }
}

int cmd_recalibrate(int argc, char **argv)
{
    return run_loaded(&recal_spec, argc, argv, recalibrate);
}
