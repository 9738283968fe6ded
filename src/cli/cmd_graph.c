/* `walltrack graph build | evaluate --truth FILE`: the wallet graph.
 *
 * build rebuilds the edges and clusters from every stored swap and transfer
 * (what the scheduled job in `serve` does; src/graph/graph_run.c).
 * evaluate scores the stored clusters against a simulator truth file:
 * adjusted Rand index and pairwise precision/recall over the wallets the
 * truth places in clusters, insider recall, and the share of skilled,
 * fading and retail wallets put in a cluster (docs/intelligence.md, "Wallet
 * graph and clusters"). The graph never reads the truth file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "graph/graph.h"
#include "graph/graph_export.h"
#include "sim/sim.h"
#include "store/store.h"

static const struct cli_opt opts[] = {
    CLI_JSON_OPT,
    {"--truth", "FILE", NULL, "evaluate: truth.json written by `walltrack sim generate`"},
    {"--format", "F", NULL, "export: graphml or neo4j-csv"},
    {"--out", "PATH", NULL, "export: the GraphML file, or the folder of the neo4j CSV files"},
    {0},
};

static const struct cli_spec spec = {
    .name = "graph",
    .args = "build | evaluate --truth FILE | export --format graphml|neo4j-csv --out PATH",
    .summary = "The wallet graph: rebuild edges and clusters, or score them against a truth file.",
    .details =
        "build: reads every stored swap and transfer, builds the FUNDED_BY, SWEEP, SYNCED_BUY "
        "and CO_EARLY edges, runs Leiden and saves the clusters (ids carried over by member "
        "overlap; blacklists kept). Settings: the graph.* rows of `walltrack config`. "
        "evaluate: compares the stored clusters with a simulator truth file (adjusted Rand "
        "index, pairwise precision and recall, insider recall, wrong placements). "
        "export: writes the stored graph as GraphML, or as the nodes and relationships CSV "
        "files of `neo4j-admin database import full`. "
        "docs/intelligence.md, \"Wallet graph and clusters\".",
    .min_pos = 1,
    .max_pos = 1,
    .opts = opts,
};

static void print_build(const struct graph_report *r, bool json)
{
    if (!json) {
        char since[40] = "the first stored event";
        if (r->cutoff_ms != INT64_MIN)
            clock_format_iso(r->cutoff_ms, since, sizeof since);
        printf("graph: %zu swaps, %zu transfers, %zu wallets, %zu hubs (events since %s)\n",
               r->swaps, r->transfers, r->wallets, r->hubs, since);
        printf("edges: %zu FUNDED_BY, %zu SWEEP, %zu SYNCED_BUY, %zu CO_EARLY\n",
               r->edges[GK_FUNDED_BY], r->edges[GK_SWEEP], r->edges[GK_SYNCED_BUY],
               r->edges[GK_CO_EARLY]);
        printf("clusters: %zu (%zu wallets; %zu ids kept, %zu new, %zu dropped), modularity "
               "%.3f, in %.2f s\n",
               r->clusters, r->clustered_wallets, r->kept_ids, r->new_ids, r->dropped,
               r->modularity, r->seconds);
        return;
    }
    struct buf b;
    struct jw w;
    cli_json_begin(&w, &b);
    jw_obj_begin(&w);
    jw_ku64(&w, "swaps", r->swaps);
    jw_ku64(&w, "transfers", r->transfers);
    jw_ku64(&w, "wallets", r->wallets);
    jw_ku64(&w, "hubs", r->hubs);
    if (r->cutoff_ms != INT64_MIN)
        jw_ki64(&w, "sinceMs", r->cutoff_ms);
    else
        jw_kstr(&w, "sinceMs", NULL);
    jw_kobj_begin(&w, "edges");
    for (int k = 0; k < GK_COUNT; k++)
        jw_ku64(&w, graph_kind_name((enum graph_kind)k), r->edges[k]);
    jw_obj_end(&w);
    jw_ku64(&w, "clusters", r->clusters);
    jw_ku64(&w, "clusteredWallets", r->clustered_wallets);
    jw_ku64(&w, "keptIds", r->kept_ids);
    jw_ku64(&w, "newIds", r->new_ids);
    jw_ku64(&w, "dropped", r->dropped);
    jw_kdouble(&w, "modularity", r->modularity);
    jw_kdouble(&w, "seconds", r->seconds);
    jw_obj_end(&w);
    (void)cli_json_print(&w, &b);
}

static int do_build(struct cli_args *a)
{
    struct store *st = NULL;
    if (cli_open_store(&a->cfg, &st) != 0)
        return 1;
    struct graph_params p;
    graph_params_from_config(&a->cfg, &p);
    struct clock c;
    clock_init_real(&c);
    struct graph_report rep;
    int rc = graph_run(st, &p, clock_now_ms(&c), &rep);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "walltrack graph build: %s%s\n", wt_strerror(rc),
                rc == WT_EINVAL ? " (graph.hubs must be comma-separated addresses)" : "");
        return 1;
    }
    print_build(&rep, cli_opt_given(&spec, a, "--json"));
    return 0;
}

/* ------------------------------------------------------------ evaluate */

struct tw {
    char address[BASE58_KEY_MAX];
    int type;   /* enum sim_wallet_type, -1 unknown */
    long truth; /* truth cluster, -1 none */
    long found; /* detected cluster id, -1 none */
};

static int cmp_tw(const void *x, const void *y)
{
    return strcmp(((const struct tw *)x)->address, ((const struct tw *)y)->address);
}

static int type_of(const char *s, size_t n)
{
    for (int t = 0; t < SIM_NTYPES; t++) {
        const char *name = sim_wallet_type_name((enum sim_wallet_type)t);
        if (strlen(name) == n && memcmp(name, s, n) == 0)
            return t;
    }
    return -1;
}

static int load_truth(const char *path, struct tw **out, size_t *n)
{
    struct buf b;
    buf_init(&b, 0);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "walltrack graph evaluate: cannot open %s\n", path);
        return 1;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, got);
    fclose(fp);
    buf_reserve(&b, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, wallets, w, c;
    int rc = json_parse(d, b.data, b.len, b.cap, &root);
    if (rc == 0)
        rc = json_get(&root, "wallets", &wallets);
    size_t nw = rc == 0 ? json_size(&wallets) : 0;
    *out = xcalloc(nw ? nw : 1, sizeof **out);
    *n = 0;
    for (size_t i = 0; rc == 0 && i < nw; i++) {
        const char *s, *t;
        size_t sl, tl;
        if (json_index(&wallets, i, &w) != 0 || json_get_str(&w, "address", &s, &sl) != 0 ||
            json_get_str(&w, "type", &t, &tl) != 0 || sl >= BASE58_KEY_MAX) {
            rc = WT_EPARSE;
            break;
        }
        struct tw *x = &(*out)[(*n)++];
        memcpy(x->address, s, sl);
        x->address[sl] = '\0';
        x->type = type_of(t, tl);
        x->truth = -1;
        x->found = -1;
        int64_t cl;
        if (json_get(&w, "cluster", &c) == 0 && !json_is_null(&c) &&
            json_get_i64(&w, "cluster", &cl) == 0)
            x->truth = (long)cl;
    }
    if (rc != 0)
        fprintf(stderr, "walltrack graph evaluate: %s is not a walltrack truth file\n", path);
    json_doc_free(d);
    buf_release(&b);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        return 1;
    }
    qsort(*out, *n, sizeof **out, cmp_tw);
    return 0;
}

struct found_ctx {
    struct tw *t;
    size_t n;
};

static int on_found(void *ctx, int64_t cluster_id, const char *wallet)
{
    struct found_ctx *f = ctx;
    struct tw key;
    if (str_copy(key.address, sizeof key.address, wallet) != 0)
        return 0;
    struct tw *hit = bsearch(&key, f->t, f->n, sizeof *f->t, cmp_tw);
    if (hit && hit->found < 0)
        hit->found = (long)cluster_id;
    return 0;
}

static double choose2(double x)
{
    return x * (x - 1) / 2;
}

/* Contingency counts over the wallets with a truth cluster; a wallet not
 * in a detected cluster is its own singleton. */
static int evaluate(struct tw *t, size_t n, bool json)
{
    VEC(struct tw *) u = {0};
    for (size_t i = 0; i < n; i++)
        if (t[i].truth >= 0)
            vec_push(&u, &t[i]);
    size_t m = u.len;
    double same_both = 0, same_truth = 0, same_found = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++) {
            bool st = u.v[i]->truth == u.v[j]->truth;
            bool sf = u.v[i]->found >= 0 && u.v[i]->found == u.v[j]->found;
            same_both += st && sf;
            same_truth += st;
            same_found += sf;
        }
    double all = choose2((double)m);
    double expected = all > 0 ? same_truth * same_found / all : 0;
    double maxi = (same_truth + same_found) / 2;
    double ari = maxi - expected != 0 ? (same_both - expected) / (maxi - expected) : 1.0;
    double prec = same_found > 0 ? same_both / same_found : 0;
    double rec = same_truth > 0 ? same_both / same_truth : 0;
    /* Insider recall: an insider in a detected cluster with another wallet
     * of its true cluster. */
    size_t insiders = 0, recalled = 0;
    for (size_t i = 0; i < m; i++) {
        if (u.v[i]->type != SIM_INSIDER)
            continue;
        insiders++;
        for (size_t j = 0; j < m; j++)
            if (j != i && u.v[j]->truth == u.v[i]->truth && u.v[i]->found >= 0 &&
                u.v[j]->found == u.v[i]->found) {
                recalled++;
                break;
            }
    }
    size_t by_type[SIM_NTYPES] = {0}, in_type[SIM_NTYPES] = {0};
    for (size_t i = 0; i < n; i++)
        if (t[i].type >= 0) {
            by_type[t[i].type]++;
            in_type[t[i].type] += t[i].found >= 0;
        }
    size_t honest = by_type[SIM_SKILLED] + by_type[SIM_FADING] + by_type[SIM_RETAIL];
    size_t wrong = in_type[SIM_SKILLED] + in_type[SIM_FADING] + in_type[SIM_RETAIL];
    double irec = insiders ? (double)recalled / (double)insiders : 0;
    double wrong_share = honest ? (double)wrong / (double)honest : 0;
    if (!json) {
        printf("wallets in truth clusters: %zu; ARI %.3f; pairwise precision %.3f recall %.3f\n", m,
               ari, prec, rec);
        printf("insider recall %.3f (%zu of %zu); skilled/fading/retail in a cluster: %zu of %zu "
               "(%.2f%%)\n",
               irec, recalled, insiders, wrong, honest, 100 * wrong_share);
        printf("in a cluster by true type:");
        for (int k = 0; k < SIM_NTYPES; k++)
            printf(" %s %zu/%zu", sim_wallet_type_name((enum sim_wallet_type)k), in_type[k],
                   by_type[k]);
        printf("\n");
    } else {
        struct buf b;
        struct jw w;
        cli_json_begin(&w, &b);
        jw_obj_begin(&w);
        jw_ku64(&w, "truthClusterWallets", m);
        jw_kdouble(&w, "ari", ari);
        jw_kdouble(&w, "pairPrecision", prec);
        jw_kdouble(&w, "pairRecall", rec);
        jw_kdouble(&w, "insiderRecall", irec);
        jw_kdouble(&w, "wrongShare", wrong_share);
        jw_ku64(&w, "wrong", wrong);
        jw_ku64(&w, "honest", honest);
        jw_kobj_begin(&w, "clusteredByType");
        for (int k = 0; k < SIM_NTYPES; k++)
            jw_ku64(&w, sim_wallet_type_name((enum sim_wallet_type)k), in_type[k]);
        jw_obj_end(&w);
        jw_obj_end(&w);
        (void)cli_json_print(&w, &b);
    }
    vec_free(&u);
    return 0;
}

static int do_evaluate(struct cli_args *a)
{
    const char *path = cli_opt_value(&spec, a, "--truth");
    if (!path)
        return cli_usage_error("graph", "evaluate needs --truth FILE");
    struct tw *t = NULL;
    size_t n = 0;
    if (load_truth(path, &t, &n) != 0)
        return 1;
    struct store *st = NULL;
    int rc = 1;
    if (cli_open_store(&a->cfg, &st) == 0) {
        struct found_ctx f = {t, n};
        int r = store_cluster_members_scan(st, false, on_found, &f);
        if (r != 0)
            fprintf(stderr, "walltrack graph evaluate: %s\n", wt_strerror(r));
        else
            rc = evaluate(t, n, cli_opt_given(&spec, a, "--json"));
        store_close(st);
    }
    free(t);
    return rc;
}

static int do_export(struct cli_args *a)
{
    const char *fmt = cli_opt_value(&spec, a, "--format");
    const char *out = cli_opt_value(&spec, a, "--out");
    enum graph_export_format f;
    if (!fmt || graph_export_format_parse(fmt, &f) != 0)
        return cli_usage_error("graph", "export needs --format graphml or --format neo4j-csv");
    if (!out || !*out)
        return cli_usage_error("graph", "export needs --out PATH");
    struct store *st = NULL;
    if (cli_open_store(&a->cfg, &st) != 0)
        return 1;
    struct graph_export_stats es;
    int rc = graph_export(st, f, out, &es);
    store_close(st);
    if (rc != 0) {
        fprintf(stderr, "walltrack graph export: cannot write %s: %s\n", out, wt_strerror(rc));
        return 1;
    }
    printf("exported %zu wallets, %zu edges, %zu clusters (%zu memberships) to %s (%zu file%s)\n",
           es.wallets, es.edges, es.clusters, es.members, out, es.files, es.files == 1 ? "" : "s");
    if (f == GRAPH_EXPORT_NEO4J_CSV)
        printf("import: neo4j-admin database import full --nodes=%s/wallets.csv "
               "--nodes=%s/clusters.csv --relationships=%s/relationships.csv "
               "--relationships=%s/members.csv neo4j\n",
               out, out, out, out);
    return 0;
}

static int run_graph(struct cli_args *a)
{
    int rc = 0;
    const char *sub = a->pos[0];
    if (cli_setup_logging(&a->cfg) != 0)
        rc = 1;
    else if (strcmp(sub, "build") == 0)
        rc = do_build(a);
    else if (strcmp(sub, "evaluate") == 0)
        rc = do_evaluate(a);
    else if (strcmp(sub, "export") == 0)
        rc = do_export(a);
    else
        rc = cli_usage_error("graph", "unknown subcommand '%s' (build, evaluate, export)", sub);
    return rc;
}

int cmd_graph(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_graph);
}
