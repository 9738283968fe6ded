/* `walltrack sim generate`: writes a simulated market (the Helius webhook
 * bodies as NDJSON, and truth.json) into a folder, from the default
 * scenario, a scenario file and command-line overrides. The model lives in
 * src/sim; this file only turns options into a scenario. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "sim/scenario.h"
#include "sim/sim.h"

static const struct cli_opt opts[] = {
    {"--out", "DIR", NULL, "folder to write transactions.ndjson and truth.json into (required)"},
    {"--seed", "S", NULL, "seed of the simulation (default 1)"},
    {"--days", "D", NULL, "simulated days (default 1)"},
    {"--scenario", "FILE", NULL, "scenario file of `key = value` lines (docs/simulator.md)"},
    {"--wallets", "N", NULL, "trading wallets in all; typed groups scale with it (default 2000)"},
    {"--tokens-per-day", "N", NULL, "token launches per day (default 300)"},
    {0},
};

static const struct cli_spec spec = {
    .name = "sim",
    .args = "generate",
    .summary = "Generate a simulated memecoin market with its ground truth.",
    .details = "generate: writes DIR/transactions.ndjson (one Helius enhanced-transaction webhook "
               "body per line, in time order) and DIR/truth.json (wallet types, clusters, token "
               "fates and peaks). The same options give the same bytes. Command-line options "
               "override the scenario file. See docs/simulator.md.",
    .min_pos = 1,
    .max_pos = 1,
    .opts = opts,
};

static int set_param(struct scenario *sc, const char *opt, const char *key, const char *val)
{
    char err[256];
    if (scenario_set(sc, key, val, err, sizeof err))
        return cli_usage_error("sim", "%s: %s", opt, err);
    return 0;
}

int cmd_sim(int argc, char **argv)
{
    struct cli_args a;
    int rc;
    if (!cli_parse(argc, argv, &spec, &a, &rc))
        return rc;
    rc = 2;
    if (strcmp(a.pos[0], "generate") != 0) {
        rc = cli_usage_error("sim", "unknown subcommand '%s' (expected generate)", a.pos[0]);
        goto out;
    }
    const char *dir = cli_opt_value(&spec, &a, "--out");
    if (!dir || !*dir) {
        rc = cli_usage_error("sim", "--out DIR is required");
        goto out;
    }
    struct scenario sc;
    char err[512];
    scenario_default(&sc);
    const char *v = cli_opt_value(&spec, &a, "--scenario");
    if (v && scenario_load(&sc, v, err, sizeof err)) {
        rc = cli_usage_error("sim", "--scenario: %s", err);
        goto out;
    }
    if ((v = cli_opt_value(&spec, &a, "--wallets")) != NULL) {
        uint64_t n;
        if (str_to_u64(v, &n) || n < 1 || n > 10000000) {
            rc = cli_usage_error("sim", "--wallets: bad value '%s' (an integer from 1 to 10000000)",
                                 v);
            goto out;
        }
        scenario_scale_wallets(&sc, (uint32_t)n);
    }
    if (((v = cli_opt_value(&spec, &a, "--seed")) && set_param(&sc, "--seed", "seed", v)) ||
        ((v = cli_opt_value(&spec, &a, "--days")) && set_param(&sc, "--days", "days", v)) ||
        ((v = cli_opt_value(&spec, &a, "--tokens-per-day")) &&
         set_param(&sc, "--tokens-per-day", "tokens_per_day", v)))
        goto out;
    if (scenario_check(&sc, err, sizeof err)) {
        rc = cli_usage_error("sim", "%s", err);
        goto out;
    }
    struct sim_stats st;
    if (sim_generate(&sc, dir, &st, err, sizeof err)) {
        fprintf(stderr, "walltrack sim: %s\n", err);
        rc = 1;
        goto out;
    }
    printf("wrote %s/transactions.ndjson (%llu swaps, %llu transfers; %llu tokens, %llu "
           "graduated) and %s/truth.json\n",
           dir, (unsigned long long)st.swaps, (unsigned long long)st.transfers,
           (unsigned long long)st.tokens, (unsigned long long)st.graduated, dir);
    rc = 0;
out:
    cli_args_release(&a);
    return rc;
}
