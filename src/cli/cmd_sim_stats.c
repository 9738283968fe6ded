/* `walltrack sim stats DIR [--json]`: the calibration targets of
 * docs/simulator.md beside what the generated market in DIR shows (read
 * from DIR/truth.json), and the truth behind them (per fate, per wallet
 * type). Exit status 0 whether or not the targets are met; the output says
 * which are. */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/jw.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "sim/calib.h"
#include "sim/sim.h"

static const struct cli_opt opts[] = {
    CLI_JSON_OPT,
    {0},
};

static const struct cli_spec spec = {
    .name = "sim stats",
    .args = "DIR",
    .summary = "Compare a generated market (DIR/truth.json) with the calibration targets.",
    .details = "Typical use: walltrack sim generate --seed S --days 3 --out DIR && walltrack sim "
               "stats DIR. Each target of docs/simulator.md (graduation rate, share of active "
               "wallets losing money, large winners, launches dying on their launch day, the tail "
               "of peak multiples, bots among the first buyers, insiders' and copy-traders' "
               "results) beside the market's value and whether it is met; then the truth: "
               "tokens and graduations per fate, and results per wallet type.",
    .min_pos = 1,
    .max_pos = 1,
    .opts = opts,
};

static int read_truth(const char *dir, struct buf *b)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/truth.json", dir) >= sizeof path) {
        fprintf(stderr, "walltrack sim stats: %s: path too long\n", dir);
        return -1;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "walltrack sim stats: cannot open %s\n", path);
        return -1;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(b, chunk, got);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        fprintf(stderr, "walltrack sim stats: read error on %s\n", path);
        return -1;
    }
    return 0;
}

static void print_text(const struct sim_calib *c)
{
    printf("market: seed %llu, %u day(s), %llu launches, %llu graduated, %llu trading wallets\n\n",
           (unsigned long long)c->seed, c->days, (unsigned long long)c->tokens,
           (unsigned long long)c->graduated, (unsigned long long)c->traded);
    printf("%-22s %-70s %12s  %s\n", "target", "wanted", "market", "met");
    for (int i = 0; i < SC_NTARGETS; i++) {
        enum sim_calib_target t = (enum sim_calib_target)i;
        char val[32];
        if (t == SC_TAIL)
            snprintf(val, sizeof val, "%.1f", c->value[i]);
        else if (t == SC_INSIDERS_WIN || t == SC_COPY_LOSE)
            snprintf(val, sizeof val, "%+.1f SOL", c->value[i]);
        else
            snprintf(val, sizeof val, "%.2f%%", 100 * c->value[i]);
        printf("%-22s %-70s %12s  %s\n", sim_calib_name(t), sim_calib_range(t), val,
               c->met[i] ? "yes" : "NO");
    }
    printf("\npeak multiple: median %.2f, p90 %.2f, p99 %.2f, top 1%% mean %.1f, max %.1f\n",
           c->peak_median, c->peak_p90, c->peak_p99, c->peak_top1, c->peak_max);
    printf("wallets with >= %d swaps: %llu, losing %llu\n", SIM_CALIB_MIN_SWAPS,
           (unsigned long long)c->active, (unsigned long long)c->active_losing);
    printf("\ntruth: fates\n");
    for (int f = 0; f < SIM_NFATES; f++)
        printf("  %-10s %6llu launches, %4llu graduated\n", sim_fate_name((enum sim_fate)f),
               (unsigned long long)c->fates[f], (unsigned long long)c->fates_graduated[f]);
    printf("truth: wallet types (PnL = SOL received + open positions at the last price - SOL "
           "paid - fees)\n");
    for (int t = 0; t < SIM_NTYPES; t++) {
        const struct sim_calib_type *T = &c->types[t];
        if (t == SIM_EXCHANGE || T->wallets == 0)
            continue;
        printf("  %-12s %5u wallets, %5u traded, %5u with >= %d swaps (%5.1f%% losing), PnL "
               "%+10.1f SOL (mean %+.2f)\n",
               sim_wallet_type_name((enum sim_wallet_type)t), T->wallets, T->traded, T->active,
               SIM_CALIB_MIN_SWAPS, T->active ? 100.0 * T->active_losing / T->active : 0.0,
               T->pnl_sol, T->traded ? T->pnl_sol / T->traded : 0.0);
    }
    printf("\n%s\n", sim_calib_all_met(c) ? "every target met" : "some targets NOT met");
}

static int run_sim_stats(struct cli_args *a)
{
    int rc = 0;
    struct buf b;
    buf_init(&b, 0);
    rc = 1;
    if (read_truth(a->pos[0], &b) != 0)
        goto out;
    struct sim_calib c;
    char err[512];
    if (sim_calib_measure((const char *)b.data, b.len, &c, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack sim stats: %s/truth.json: %s\n", a->pos[0], err);
        goto out;
    }
    if (cli_opt_given(&spec, a, "--json")) {
        struct buf o;
        struct jw w;
        cli_json_begin(&w, &o);
        sim_calib_write_json(&c, &w);
        (void)cli_json_print(&w, &o);
    } else {
        print_text(&c);
    }
    rc = 0;
out:
    buf_release(&b);
    return rc;
}

int cmd_sim_stats(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_sim_stats);
}
