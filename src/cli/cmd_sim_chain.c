/* `walltrack sim chain`: serves a simulated market through the API shapes
 * of Helius, Solana RPC and DexScreener (sim/chain.h), so the crawler and
 * the daemon can be pointed at it as if it were those services. Runs
 * until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "sim/chain.h"
#include "sim/scenario.h"

static const struct cli_opt opts[] = {
    {"--listen", "HOST:PORT", NULL, "address to serve on (default 127.0.0.1:8899; port 0: any)"},
    {"--port-file", "FILE", NULL, "write the bound port to FILE once listening"},
    CLI_SCENARIO_OPTS,
    {"--latency-ms", "MS", NULL, "added to every answer (default 0)"},
    {"--p429", "P", NULL, "probability of a 429 per request (default 0)"},
    {"--p5xx", "P", NULL, "probability of a 503 per request (default 0)"},
    {"--fault-seed", "N", NULL, "seed of the fault draws (default 1)"},
    {"--api-key", "KEY", NULL, "Helius paths require this api-key (default: any)"},
    {"--search-window", "N", NULL,
     "type-filtered history scans this many transactions before the search-period error "
     "(default 500)"},
    {0},
};

static const struct cli_spec spec = {
    .name = "sim chain",
    .args = "",
    .summary = "Serve a simulated market through the Helius, RPC and DexScreener APIs.",
    .details = "Simulates the scenario (the options of `sim generate`), then answers: Helius "
               "GET /v0/addresses/{a}/transactions, POST /v0/transactions, webhooks "
               "(/v0/webhooks); Solana RPC (POST, any other path) getSignaturesForAddress, "
               "getTransaction, getHealth, getSlot; DexScreener GET /tokens/v1/solana/{mints}, "
               "/token-pairs/v1/solana/{mint} and /latest/dex/search?q=; and GET /sim/stats "
               "(requests counted per "
               "endpoint, faults injected) and /sim/truth (truth.json). Point helius.api_url, "
               "rpc.urls and dexscreener.api_url at it. See docs/simulator.md.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

static int bad(const char *opt, const char *v, const char *what)
{
    return cli_usage_error("sim chain", "%s: bad value '%s' (%s)", opt, v, what);
}

/* Reads a probability option. Returns 0 or the usage error's status. */
static int prob(const struct cli_args *a, const char *opt, double *out)
{
    const char *v = cli_opt_value(&spec, a, opt);
    *out = 0;
    if (v && (str_to_double(v, out) != 0 || !(*out >= 0 && *out <= 1)))
        return bad(opt, v, "a number from 0 to 1");
    return 0;
}

static int run_sim_chain(struct cli_args *a)
{
    int rc = 2;
    struct simchain *c = NULL;
    struct scenario sc;
    char err[512];
    if (cli_scenario_opts(&spec, a, &sc) != 0)
        goto out;
    struct simchain_opts o = {.fault_seed = 1};
    const char *v;
    uint64_t u;
    if ((v = cli_opt_value(&spec, a, "--latency-ms")) &&
        (str_to_u64(v, &u) || u > (uint64_t)MS_PER_MINUTE)) {
        rc = bad("--latency-ms", v, "0 to 60000");
        goto out;
    }
    o.latency_ms = v ? (unsigned)u : 0;
    if ((v = cli_opt_value(&spec, a, "--fault-seed")) && str_to_u64(v, &o.fault_seed)) {
        rc = bad("--fault-seed", v, "an integer");
        goto out;
    }
    if ((v = cli_opt_value(&spec, a, "--search-window")) &&
        (str_to_u64(v, &u) || u < 1 || u > 1000000)) {
        rc = bad("--search-window", v, "1 to 1000000");
        goto out;
    }
    o.search_window = v ? (unsigned)u : 0;
    if ((rc = prob(a, "--p429", &o.p429)) || (rc = prob(a, "--p5xx", &o.p5xx)))
        goto out;
    rc = 2;
    if (o.p429 + o.p5xx > 1) {
        rc = cli_usage_error("sim chain", "--p429 plus --p5xx must not pass 1");
        goto out;
    }
    o.api_key = cli_opt_value(&spec, a, "--api-key");
    const char *listen = cli_opt_value(&spec, a, "--listen");
    char host[256];
    unsigned port;
    if (api_parse_listen(listen ? listen : "127.0.0.1:8899", host, sizeof host, &port) != 0) {
        rc = cli_usage_error("sim chain", "--listen: '%s' is not HOST:PORT", listen);
        goto out;
    }
    if (cli_setup_logging(&a->cfg) != 0) {
        rc = 1;
        goto out;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    fprintf(stderr, "simulating %u day(s), seed %llu ...\n", (unsigned)sc.days,
            (unsigned long long)sc.seed);
    if (simchain_start(&sc, &o, host, port, &c, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack sim chain: %s\n", err);
        rc = 1;
        goto out;
    }
    unsigned bound = simchain_port(c);
    const char *pf = cli_opt_value(&spec, a, "--port-file");
    if (pf) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", pf);
        FILE *fp = fopen(tmp, "w");
        if (!fp || fprintf(fp, "%u\n", bound) < 0 || fclose(fp) != 0 || rename(tmp, pf) != 0) {
            fprintf(stderr, "walltrack sim chain: cannot write %s\n", pf);
            rc = 1;
            goto out;
        }
    }
    fprintf(stderr, "simulated chain on http://%s:%u: %zu transactions\n", host, bound,
            simchain_tx_count(c));
    for (;;) {
        int sig = 0;
        if (sigwait(&stop, &sig) == 0 && (sig == SIGINT || sig == SIGTERM))
            break;
    }
    struct simchain_counts n;
    simchain_counts(c, &n);
    fprintf(stderr, "stopped after %llu requests (%llu 429s, %llu 5xx injected)\n",
            (unsigned long long)n.total, (unsigned long long)n.r429, (unsigned long long)n.r5xx);
    rc = 0;
out:
    simchain_stop(c);
    return rc;
}

int cmd_sim_chain(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_sim_chain);
}
