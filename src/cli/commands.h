/* Entry points of the commands in the table of cli.c, one per
 * cmd_<name>.c. Each takes the arguments after `walltrack` (argv[0] is the
 * command name) and returns the exit status. */
#ifndef WT_CLI_COMMANDS_H
#define WT_CLI_COMMANDS_H

#include <stdbool.h>

int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_helius(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_backfill(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_wallet(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_wallets(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_clusters(int argc, char **argv);
int cmd_sim_evaluate(int argc, char **argv); /* `sim evaluate`, dispatched by cmd_sim */
int cmd_sim_chain(int argc, char **argv);    /* `sim chain`, dispatched by cmd_sim */
int cmd_sim_stats(int argc, char **argv);    /* `sim stats`, dispatched by cmd_sim */
struct cli_spec;
struct cli_args;
struct scenario;
/* The scenario the options of `sim generate` describe, shared by `sim` and
 * `sim chain`: the defaults, then --preset, --scenario FILE, --wallets,
 * --seed, --days and --tokens-per-day, validated. Returns 0, or 2 after
 * printing the usage error under spec's name (cmd_sim.c). */
int cli_scenario_opts(const struct cli_spec *spec, const struct cli_args *a, struct scenario *sc);
/* The rows of those options, for the option table of a command that reads
 * them with cli_scenario_opts (needs sim/scenario.h for SCENARIO_PRESETS). */
/* clang-format off */
#define CLI_SCENARIO_OPTS                                                                      \
    {"--seed", "S", NULL, "seed of the simulation (default 1)"},                               \
    {"--days", "D", NULL, "simulated days (default 1)"},                                       \
    {"--preset", "NAME", NULL,                                                                 \
     "market regime the scenario starts from: " SCENARIO_PRESETS " (default calibrated)"},     \
    {"--scenario", "FILE", NULL, "scenario file of `key = value` lines (docs/simulator.md)"},  \
    {"--wallets", "N", NULL,                                                                   \
     "trading wallets in all; typed groups scale with it (default 2000)"},                     \
    {"--tokens-per-day", "N", NULL, "token launches per day (default 300)"}
/* clang-format on */
struct store;
/* `backtest scenario`, dispatched by cmd_backtest: pos[0..n) after the word. */
int cmd_backtest_scenario(struct store *st, int n, char **pos, bool json);

struct discovery_result;
/* Writes every candidate of r with its evidence to path as CSV (used by
 * `discover --csv` and `sim evaluate --csv`). Returns 0 or -1. */
int discover_write_csv(const char *path, const struct discovery_result *r);
int cmd_status(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_exits(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_recalibrate(int argc, char **argv);
int cmd_backtest(int argc, char **argv);

#endif
