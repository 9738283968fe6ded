/* `walltrack sim generate|stream`: writes a simulated market (the Helius
 * webhook bodies as NDJSON, and truth.json) into a folder, or streams it
 * into a webhook in simulated real time. The scenario comes from the
 * defaults, a scenario file and command-line overrides. The model lives in
 * src/sim; this file only turns options into a scenario. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/stream.h"

static const struct cli_opt opts[] = {
    {"--out", "DIR", NULL, "generate: folder for transactions.ndjson and truth.json (required)"},
    {"--to", "URL", NULL,
     "stream: webhook to POST to (default http://127.0.0.1:8080/webhooks/helius)"},
    {"--speed", "X", NULL, "stream: simulated seconds per second (default 60; 0: no waiting)"},
    CLI_SCENARIO_OPTS,
    {0},
};

static const struct cli_spec spec = {
    .name = "sim",
    .args =
        "generate --out DIR | stream [--to URL] [--speed X] | evaluate --truth FILE | stats DIR "
        "| chain",
    .summary = "Generate a simulated memecoin market with its ground truth.",
    .details = "generate: writes DIR/transactions.ndjson (one Helius enhanced-transaction webhook "
               "body per line, in time order) and DIR/truth.json (wallet types, clusters, token "
               "fates and peaks). The same options give the same bytes. stream: POSTs the same "
               "bodies to a webhook, X times faster than simulated time, with "
               "helius.webhook_secret as the Authorization header; transactions due together "
               "share one body. Command-line options override the scenario file. See "
               "docs/simulator.md. The scenario starts from --preset (calibrated, the default, "
               "matches published figures of the real market; bull is the generous market of "
               "earlier releases; bear is rug-heavy), then the scenario file, then the options. "
               "evaluate: see `walltrack sim evaluate --help`; stats: `walltrack sim stats "
               "--help`; chain: `walltrack sim chain --help`.",
    .min_pos = 1,
    .max_pos = 1,
    .opts = opts,
};

static int run_stream(const struct cli_args *a, const struct scenario *sc, double speed)
{
    const char *url = cli_opt_value(&spec, a, "--to");
    if (!url)
        url = "http://127.0.0.1:8080/webhooks/helius";
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return cli_usage_error("sim", "--to: '%s' is not an http(s) URL", url);
    if (cli_setup_logging(&a->cfg) != 0)
        return 1;
    struct sim *s;
    char err[512];
    if (sim_new(sc, &s, err, sizeof err)) {
        fprintf(stderr, "walltrack sim: %s\n", err);
        return 1;
    }
    struct sim_stream_opts o = {
        .url = url,
        .secret = config_str(&a->cfg, CFG_WEBHOOK_SECRET),
        .speed = speed,
        .live_from_ms = INT64_MIN,
    };
    fprintf(stderr, "streaming the simulated market to %s at %gx\n", url, speed);
    struct sim_stream_stats st;
    int rc = sim_stream_run(s, &o, &st, err, sizeof err);
    sim_free(s);
    printf("posted %llu transactions in %llu bodies\n", (unsigned long long)st.posted_txs,
           (unsigned long long)st.bodies);
    if (rc) {
        fprintf(stderr, "walltrack sim: %s\n", err);
        return 1;
    }
    return 0;
}

static int run_sim(struct cli_args *a)
{
    int rc = 2;
    bool stream = strcmp(a->pos[0], "stream") == 0;
    if (!stream && strcmp(a->pos[0], "generate") != 0) {
        rc = cli_usage_error("sim", "unknown subcommand '%s' (expected generate or stream)",
                             a->pos[0]);
        goto out;
    }
    const char *dir = cli_opt_value(&spec, a, "--out");
    if (!stream && (!dir || !*dir)) {
        rc = cli_usage_error("sim", "--out DIR is required");
        goto out;
    }
    double speed = 60;
    const char *sp = cli_opt_value(&spec, a, "--speed");
    if (sp && (str_to_double(sp, &speed) != 0 || speed < 0 || speed > 1e9)) {
        rc = cli_usage_error("sim", "--speed: bad value '%s' (a number >= 0)", sp);
        goto out;
    }
    struct scenario sc;
    if (cli_scenario_opts(&spec, a, &sc) != 0)
        goto out;
    if (stream) {
        rc = run_stream(a, &sc, speed);
        goto out;
    }
    struct sim_stats st;
    char err[512];
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
    return rc;
}

int cmd_sim(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "evaluate") == 0)
        return cmd_sim_evaluate(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "chain") == 0)
        return cmd_sim_chain(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "stats") == 0)
        return cmd_sim_stats(argc - 1, argv + 1);
    return cli_run(argc, argv, &spec, run_sim);
}
