/* `walltrack clusters list | show ID | blacklist ID [--lift]`: the wallet
 * graph's clusters from the database (built by `walltrack graph build` or
 * the scheduled rebuild in `serve`; docs/intelligence.md, "Wallet graph
 * and clusters"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

static const struct cli_opt opts[] = {
    {"--sort", "KEY", NULL, "list: size (default), insider, pnl, tokens or updated"},
    {"--limit", "N", NULL, "list: at most N clusters (1-1000, default 50)"},
    {"--min-insider", "X", NULL, "list: only clusters with an insider likelihood of at least X"},
    {"--blacklisted", NULL, NULL, "list: only blacklisted clusters"},
    {"--lift", NULL, NULL, "blacklist: lift the cluster's blacklist instead"},
    {0},
};

static const struct cli_spec spec = {
    .name = "clusters",
    .args = "list | show ID | blacklist ID",
    .summary = "The wallet graph's clusters: list them, show one, blacklist one.",
    .details = "list prints id, label, size, leader (and the rule that picked it), insider "
               "likelihood, tokens traded together, combined PnL and the blacklist flag, largest "
               "first (--sort). show prints one cluster with its members. blacklist sets the "
               "cluster's flag in the database: every member's signals are blocked, and "
               "members that join it at later rebuilds too. A running daemon applies it at its "
               "next graph rebuild or restart; POST /v1/blacklist/clusters applies it at once.",
    .min_pos = 1,
    .max_pos = 2,
    .opts = opts,
};

static void print_row(const struct cluster_row *c)
{
    printf("%6lld  %-12s %4d  %-44s %-12s %7.2f %6d %10.3f  %s\n", (long long)c->id, c->label,
           c->size, c->leader, c->leader_rule, c->insider, c->tokens, c->pnl_sol,
           c->blacklisted ? "blacklisted" : "");
}

static int do_list(struct cli_args *a, struct store *st)
{
    struct cluster_filter f = {.sort = CLUSTER_SORT_SIZE, .page = 1, .limit = 50};
    const char *v;
    if ((v = cli_opt_value(&spec, a, "--sort")) != NULL) {
        static const char *const sorts[] = {"size", "insider", "pnl", "tokens", "updated"};
        size_t i;
        for (i = 0; i < 5 && strcmp(v, sorts[i]) != 0; i++)
            ;
        if (i == 5)
            return cli_usage_error("clusters", "--sort: size, insider, pnl, tokens or updated");
        f.sort = (enum cluster_sort)i;
    }
    if ((v = cli_opt_value(&spec, a, "--limit")) != NULL) {
        int64_t x;
        if (str_to_i64(v, &x) != 0 || x < 1 || x > 1000)
            return cli_usage_error("clusters", "--limit: a number from 1 to 1000");
        f.limit = (uint32_t)x;
    }
    if ((v = cli_opt_value(&spec, a, "--min-insider")) != NULL) {
        char *end = NULL;
        double x = strtod(v, &end);
        if (!*v || *end || !(x >= 0 && x <= 1))
            return cli_usage_error("clusters", "--min-insider: a number from 0 to 1");
        f.min_insider = x;
    }
    if (cli_opt_given(&spec, a, "--blacklisted")) {
        f.has_blacklisted = true;
        f.blacklisted = true;
    }
    struct cluster_row *rows = xcalloc(f.limit, sizeof *rows);
    size_t n = 0;
    int64_t total = 0;
    int rc = store_clusters_query(st, &f, rows, &n, &total);
    if (rc != 0) {
        fprintf(stderr, "walltrack clusters: %s\n", wt_strerror(rc));
        free(rows);
        return 1;
    }
    printf("%6s  %-12s %4s  %-44s %-12s %7s %6s %10s\n", "id", "label", "size", "leader", "rule",
           "insider", "tokens", "pnl_sol");
    for (size_t i = 0; i < n; i++)
        print_row(&rows[i]);
    printf("%zu of %lld clusters\n", n, (long long)total);
    free(rows);
    return 0;
}

static int on_member(void *ctx, int64_t cluster_id, const char *wallet)
{
    const struct cluster_row *c = ctx;
    if (cluster_id == c->id)
        printf("  %-44s %s\n", wallet, strcmp(wallet, c->leader) == 0 ? "leader" : "follower");
    return 0;
}

static int parse_id(const char *s, int64_t *id)
{
    if (str_to_i64(s, id) != 0 || *id <= 0)
        return cli_usage_error("clusters", "a cluster id is a positive integer, got '%s'", s);
    return 0;
}

static int do_show(struct store *st, const char *idtext)
{
    int64_t id;
    int rc = parse_id(idtext, &id);
    if (rc != 0)
        return rc;
    struct cluster_row c;
    rc = store_cluster_get(st, id, &c);
    if (rc != 0) {
        fprintf(stderr, "walltrack clusters show: %s\n",
                rc == WT_ENOTFOUND ? "no such cluster" : wt_strerror(rc));
        return 1;
    }
    printf("cluster %lld (%s): %d wallets, leader %s (%s), cohesion %.3f, insider likelihood "
           "%.2f, %d tokens together, combined PnL %.3f SOL%s\n",
           (long long)c.id, c.label, c.size, c.leader, c.leader_rule, c.cohesion, c.insider,
           c.tokens, c.pnl_sol, c.blacklisted ? ", BLACKLISTED" : "");
    rc = store_cluster_members_scan(st, false, on_member, &c);
    return rc == 0 ? 0 : 1;
}

static int do_blacklist(struct cli_args *a, struct store *st, const char *idtext)
{
    int64_t id;
    int rc = parse_id(idtext, &id);
    if (rc != 0)
        return rc;
    struct clock clk;
    clock_init_real(&clk);
    bool on = !cli_opt_given(&spec, a, "--lift");
    rc = store_cluster_blacklist(st, id, on, clock_now_ms(&clk));
    if (rc != 0) {
        fprintf(stderr, "walltrack clusters blacklist: %s\n",
                rc == WT_ENOTFOUND ? "no such cluster" : wt_strerror(rc));
        return 1;
    }
    printf("cluster %lld %s (a running daemon applies it at its next graph rebuild or restart)\n",
           (long long)id, on ? "blacklisted" : "no longer blacklisted");
    return 0;
}

static int run_clusters(struct cli_args *a)
{
    int rc = 0;
    const char *sub = a->pos[0];
    struct store *st = NULL;
    if (cli_setup_logging(&a->cfg) != 0) {
        rc = 1;
    } else if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 &&
               strcmp(sub, "blacklist") != 0) {
        rc = cli_usage_error("clusters", "unknown subcommand '%s' (list, show, blacklist)", sub);
    } else if ((strcmp(sub, "list") == 0) != (a->npos == 1)) {
        rc = cli_usage_error("clusters", "%s",
                             strcmp(sub, "list") == 0 ? "list takes no argument"
                                                      : "needs a cluster ID");
    } else if (cli_open_store(&a->cfg, &st) != 0) {
        rc = 1;
    } else if (strcmp(sub, "list") == 0) {
        rc = do_list(a, st);
    } else if (strcmp(sub, "show") == 0) {
        rc = do_show(st, a->pos[1]);
    } else {
        rc = do_blacklist(a, st, a->pos[1]);
    }
    store_close(st);
    return rc;
}

int cmd_clusters(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_clusters);
}
