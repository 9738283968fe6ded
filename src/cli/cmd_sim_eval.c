/* `walltrack sim evaluate --truth FILE [--json] [--k K]`: how good is
 * discovery on a simulated market whose ground truth we know?
 *
 * Runs discovery once on the stored market (exactly what `walltrack
 * discover` does; discovery never sees the truth file), then reads
 * truth.json and scores the resulting watchlist: precision@K and recall of
 * the skilled and insider wallets, and which share of the watchlist went to
 * snipers/bots and baiters (and the other types). The JSON output is
 * documented in docs/intelligence.md ("Evaluation"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "intel/discovery.h"
#include "intel/similar.h"
#include "sim/sim.h"
#include "store/store.h"
#include "trade/engine_store.h"

static const struct cli_opt opts[] = {
    {"--truth", "FILE", NULL, "truth.json written by `walltrack sim generate` (required)"},
    {"--k", "K", NULL, "size of the watchlist to evaluate (sets discovery.top_k; default 50)"},
    CLI_JSON_OPT,
    {"--csv", "FILE", NULL, "also write every candidate with its evidence and true type (CSV)"},
    {0},
};

static const struct cli_spec spec = {
    .name = "sim evaluate",
    .args = "",
    .summary = "Run discovery on the stored simulated market and score it against truth.json.",
    .details = "Typical use: walltrack sim generate --seed S --days D --out DIR && walltrack "
               "import DIR/transactions.ndjson && walltrack sim evaluate --truth DIR/truth.json. "
               "Positives are the skilled and insider wallets of the truth file. Reports "
               "precision@K (positives among the top K of the watchlist, over K), recall, and "
               "the share of the watchlist taken by snipers/bots, baiters and every other type. "
               "Discovery runs exactly as `walltrack discover` (it writes the watchlist); it "
               "never reads the truth file.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

struct truth_wallet {
    char address[BASE58_KEY_MAX];
    int type; /* enum sim_wallet_type */
};

static int cmp_truth(const void *a, const void *b)
{
    return strcmp(((const struct truth_wallet *)a)->address,
                  ((const struct truth_wallet *)b)->address);
}

static int type_of(const char *name)
{
    for (int t = 0; t < SIM_NTYPES; t++)
        if (strcmp(sim_wallet_type_name((enum sim_wallet_type)t), name) == 0)
            return t;
    return -1;
}

/* Reads the wallets of a truth file, sorted by address. */
static int load_truth(const char *path, struct truth_wallet **out, size_t *n, char *err,
                      size_t errsize)
{
    struct buf b;
    buf_init(&b, 0);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errsize, "cannot open %s", path);
        return WT_EIO;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, got);
    fclose(fp);
    buf_reserve(&b, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, wallets, w;
    int rc = json_parse(d, b.data, b.len, b.cap, &root);
    const char *fmt = NULL;
    size_t fl = 0;
    if (rc == 0 &&
        (json_get_str(&root, "format", &fmt, &fl) != 0 || fl != strlen("walltrack-sim-truth") ||
         memcmp(fmt, "walltrack-sim-truth", fl) != 0)) {
        snprintf(err, errsize, "%s is not a walltrack truth file (format)", path);
        rc = WT_EPARSE;
        goto out;
    }
    if (rc == 0)
        rc = json_get(&root, "wallets", &wallets);
    if (rc != 0) {
        snprintf(err, errsize, "%s: %s", path, json_errmsg(d));
        goto out;
    }
    size_t nw = json_size(&wallets);
    *out = xcalloc(nw ? nw : 1, sizeof **out);
    *n = 0;
    for (size_t i = 0; i < nw; i++) {
        const char *s, *t;
        size_t sl, tl;
        char tname[32];
        if (json_index(&wallets, i, &w) != 0 || json_get_str(&w, "address", &s, &sl) != 0 ||
            json_get_str(&w, "type", &t, &tl) != 0 || sl >= BASE58_KEY_MAX || tl >= sizeof tname) {
            snprintf(err, errsize, "%s: %s", path, json_errmsg(d));
            free(*out);
            *out = NULL;
            rc = WT_EPARSE;
            goto out;
        }
        memcpy(tname, t, tl);
        tname[tl] = '\0';
        struct truth_wallet *tw = &(*out)[(*n)++];
        memcpy(tw->address, s, sl);
        tw->address[sl] = '\0';
        tw->type = type_of(tname);
    }
    qsort(*out, *n, sizeof **out, cmp_truth);
out:
    json_doc_free(d);
    buf_release(&b);
    return rc;
}

static int truth_type(const struct truth_wallet *t, size_t n, const char *address)
{
    struct truth_wallet key;
    str_copy(key.address, sizeof key.address, address);
    const struct truth_wallet *hit = bsearch(&key, t, n, sizeof *t, cmp_truth);
    return hit ? hit->type : -1;
}

/* "Wallets like this one" against the truth: for every skilled wallet
 * with a behaviour vector, the share of its 10 nearest neighbours the
 * truth calls skilled, beside the base rate (the share of skilled among
 * the other wallets with a vector). */
struct sim_eval_similar {
    size_t wallets, queries;
    double share, base_rate;
};

struct vec_rows {
    VEC(double) v;
    VEC(int) type;
};

static const struct truth_wallet *g_truth; /* for the scan callback */
static size_t g_ntruth;

static int add_vec_row(void *ctx, const struct wallet *w)
{
    struct vec_rows *l = ctx;
    double v[SIMILAR_DIMS];
    if (w->behaviour_vec[0] == '\0' || similar_parse(w->behaviour_vec, v) != 0)
        return 0;
    for (int d = 0; d < SIMILAR_DIMS; d++)
        vec_push(&l->v, v[d]);
    vec_push(&l->type, truth_type(g_truth, g_ntruth, w->address));
    return 0;
}

static int eval_similar(struct store *st, const struct truth_wallet *t, size_t n,
                        struct sim_eval_similar *out)
{
    memset(out, 0, sizeof *out);
    g_truth = t;
    g_ntruth = n;
    struct vec_rows l = {0};
    struct wallet_filter f = {0};
    int rc = store_wallet_scan(st, &f, add_vec_row, &l);
    size_t nv = l.type.len, skilled = 0;
    for (size_t i = 0; i < nv; i++)
        skilled += l.type.v[i] == SIM_SKILLED;
    double sum = 0;
    struct similar_hit hits[10];
    for (size_t i = 0; rc == 0 && i < nv; i++) {
        if (l.type.v[i] != SIM_SKILLED)
            continue;
        size_t k = similar_nearest(l.v.v, nv, i, 10, hits);
        size_t good = 0;
        for (size_t j = 0; j < k; j++)
            good += l.type.v[hits[j].index] == SIM_SKILLED;
        if (k) {
            sum += (double)good / k;
            out->queries++;
        }
    }
    out->wallets = nv;
    out->share = out->queries ? sum / out->queries : 0;
    out->base_rate = nv > 1 && skilled ? (double)(skilled - 1) / (nv - 1) : 0;
    vec_free(&l.v);
    vec_free(&l.type);
    return rc;
}

static bool positive(int type)
{
    return type == SIM_SKILLED || type == SIM_INSIDER;
}

/* key: {"<type>": n, ..., "unknown": n} of counts by true wallet type,
 * the last one for wallets the truth file does not know. */
static void by_type_json(struct jw *w, const char *key, const size_t counts[SIM_NTYPES + 1])
{
    jw_kobj_begin(w, key);
    for (int t = 0; t < SIM_NTYPES; t++)
        jw_ku64(w, sim_wallet_type_name((enum sim_wallet_type)t), counts[t]);
    jw_ku64(w, "unknown", counts[SIM_NTYPES]);
    jw_obj_end(w);
}

static int write_csv_with_truth(const char *path, const struct discovery_result *r,
                                const struct truth_wallet *t, size_t n)
{
    if (discover_write_csv(path, r) != 0)
        return -1;
    /* Append the true type as a last column: rewrite the file. */
    struct buf b;
    buf_init(&b, 0);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    char line[1024];
    size_t row = 0;
    while (fgets(line, sizeof line, fp)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (row == 0) {
            buf_printf(&b, "%s,true_type\n", line);
        } else {
            int ty = truth_type(t, n, r->c.v[row - 1].address);
            buf_printf(&b, "%s,%s\n", line,
                       ty >= 0 ? sim_wallet_type_name((enum sim_wallet_type)ty) : "unknown");
        }
        row++;
    }
    fclose(fp);
    fp = fopen(path, "wb");
    if (!fp) {
        buf_release(&b);
        return -1;
    }
    fwrite(b.data, 1, b.len, fp);
    buf_release(&b);
    return fclose(fp) == 0 ? 0 : -1;
}

static int run_sim_evaluate(struct cli_args *a)
{
    int rc = 2;
    struct store *st = NULL;
    struct truth_wallet *truth = NULL;
    size_t ntruth = 0;
    struct discovery_result res = {0};
    const char *tpath = cli_opt_value(&spec, a, "--truth");
    if (!tpath || !*tpath) {
        rc = cli_usage_error("sim evaluate", "--truth FILE is required");
        goto out;
    }
    struct discovery_params dp;
    discovery_params_from_config(&a->cfg, &dp);
    const char *kv = cli_opt_value(&spec, a, "--k");
    if (kv) {
        uint64_t k;
        if (str_to_u64(kv, &k) != 0 || k < 1 || k > 100000) {
            rc = cli_usage_error("sim evaluate",
                                 "--k: bad value '%s' (an integer from 1 to "
                                 "100000)",
                                 kv);
            goto out;
        }
        dp.top_k = (uint32_t)k;
    }
    rc = 1;
    char err[512];
    if (load_truth(tpath, &truth, &ntruth, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack sim evaluate: %s\n", err);
        goto out;
    }
    if (cli_setup_logging(&a->cfg) != 0 || cli_open_store(&a->cfg, &st) != 0)
        goto out;
    struct profile_params pp;
    profile_params_from_config(&a->cfg, &pp);
    pp.snapshots = false;
    struct discovery_report rep;
    int r = discovery_run(st, &dp, &pp, 0, &rep, NULL, &res);
    if (r != 0) {
        fprintf(stderr, "walltrack sim evaluate: discovery failed: %s\n", wt_strerror(r));
        goto out;
    }
    const char *csv = cli_opt_value(&spec, a, "--csv");
    if (csv && write_csv_with_truth(csv, &res, truth, ntruth) != 0) {
        fprintf(stderr, "walltrack sim evaluate: cannot write %s\n", csv);
        goto out;
    }

    /* The watchlist, best first. */
    size_t by_type[SIM_NTYPES + 1] = {0}; /* last: unknown to the truth file */
    size_t positives_total[SIM_NTYPES] = {0};
    for (size_t i = 0; i < ntruth; i++)
        if (truth[i].type >= 0)
            positives_total[truth[i].type]++;
    size_t watch = 0, pos_top = 0, pos_all = 0;
    struct watch_rows wl = {0};
    if ((r = engine_store_wallets_ranked(st, WALLET_WATCH, &wl)) != 0) {
        fprintf(stderr, "walltrack sim evaluate: %s\n", wt_strerror(r));
        vec_free(&wl.v);
        goto out;
    }
    for (size_t i = 0; i < wl.v.len; i++) {
        int ty = truth_type(truth, ntruth, wl.v.v[i].address);
        by_type[ty >= 0 ? ty : SIM_NTYPES]++;
        if (positive(ty)) {
            pos_all++;
            if (watch < dp.top_k)
                pos_top++;
        }
        watch++;
    }
    vec_free(&wl.v);
    /* The eligible candidates: everything discovery would rank, of which the
     * watchlist is the top K. */
    size_t elig_type[SIM_NTYPES + 1] = {0};
    for (size_t i = 0; i < res.eligible; i++) {
        int ty = truth_type(truth, ntruth, res.c.v[i].address);
        elig_type[ty >= 0 ? ty : SIM_NTYPES]++;
    }
    size_t npos = positives_total[SIM_SKILLED] + positives_total[SIM_INSIDER];
    size_t elig_pos = elig_type[SIM_SKILLED] + elig_type[SIM_INSIDER];
    double recall_elig = npos ? (double)elig_pos / npos : 0;
    double prec_elig = res.eligible ? (double)elig_pos / res.eligible : 0;
    double prec = dp.top_k ? (double)pos_top / dp.top_k : 0;
    double recall = npos ? (double)pos_all / npos : 0;
    double share_bot = watch ? (double)by_type[SIM_SNIPER] / watch : 0;
    double share_bait = watch ? (double)by_type[SIM_BAITER] / watch : 0;
    bool met = dp.top_k == 50 ? prec >= 0.8 && share_bot + share_bait <= 0.05 : false;
    struct sim_eval_similar sim_like;
    if ((r = eval_similar(st, truth, ntruth, &sim_like)) != 0) {
        fprintf(stderr, "walltrack sim evaluate: %s\n", wt_strerror(r));
        goto out;
    }

    if (cli_opt_given(&spec, a, "--json")) {
        struct buf b;
        struct jw w;
        cli_json_begin(&w, &b);
        jw_obj_begin(&w);
        jw_ku64(&w, "k", dp.top_k);
        jw_ku64(&w, "swaps", rep.swaps);
        jw_ku64(&w, "tokens", rep.tokens);
        jw_ku64(&w, "successTokens", rep.success_tokens);
        jw_ku64(&w, "candidates", rep.candidates);
        jw_ku64(&w, "eligible", rep.eligible);
        jw_ku64(&w, "watchlist", watch);
        jw_kdouble(&w, "precisionAtK", prec);
        jw_ku64(&w, "positivesInTopK", pos_top);
        jw_kdouble(&w, "recall", recall);
        jw_kobj_begin(&w, "recallByType");
        jw_kdouble(&w, "skilled",
                   positives_total[SIM_SKILLED]
                       ? (double)by_type[SIM_SKILLED] / positives_total[SIM_SKILLED]
                       : 0);
        jw_kdouble(&w, "insider",
                   positives_total[SIM_INSIDER]
                       ? (double)by_type[SIM_INSIDER] / positives_total[SIM_INSIDER]
                       : 0);
        jw_obj_end(&w);
        jw_kdouble(&w, "recallEligible", recall_elig);
        jw_kdouble(&w, "precisionEligible", prec_elig);
        by_type_json(&w, "eligibleByType", elig_type);
        jw_kobj_begin(&w, "positives");
        jw_ku64(&w, "skilled", positives_total[SIM_SKILLED]);
        jw_ku64(&w, "insider", positives_total[SIM_INSIDER]);
        jw_obj_end(&w);
        jw_kobj_begin(&w, "slipped");
        jw_kdouble(&w, "snipersBots", share_bot);
        jw_kdouble(&w, "baiters", share_bait);
        jw_kdouble(&w, "botsAndBaiters", share_bot + share_bait);
        jw_obj_end(&w);
        by_type_json(&w, "watchlistByType", by_type);
        jw_kobj_begin(&w, "similar");
        jw_ku64(&w, "k", 10);
        jw_ku64(&w, "walletsWithVector", sim_like.wallets);
        jw_ku64(&w, "skilledQueried", sim_like.queries);
        jw_kdouble(&w, "skilledNeighbourShare", sim_like.share);
        jw_kdouble(&w, "baseRate", sim_like.base_rate);
        jw_obj_end(&w);
        jw_kobj_begin(&w, "goal");
        jw_kdouble(&w, "precisionAt50", 0.8);
        jw_kdouble(&w, "maxBotsAndBaiters", 0.05);
        jw_kbool(&w, "met", met);
        jw_obj_end(&w);
        jw_obj_end(&w);
        (void)cli_json_print(&w, &b);
    } else {
        printf("discovery: %zu swaps, %u of %u tokens succeeded, %zu candidates, %zu eligible\n",
               rep.swaps, rep.success_tokens, rep.tokens, rep.candidates, rep.eligible);
        printf("watchlist: %zu wallets; precision@%u %.3f (%zu skilled or insider in the top "
               "%u); recall %.3f of %zu (skilled %zu/%zu, insider %zu/%zu)\n",
               watch, dp.top_k, prec, pos_top, dp.top_k, recall, npos, by_type[SIM_SKILLED],
               positives_total[SIM_SKILLED], by_type[SIM_INSIDER], positives_total[SIM_INSIDER]);
        printf("eligible candidates: %zu, of which %zu skilled or insider (precision %.3f, "
               "recall %.3f)\n",
               res.eligible, elig_pos, prec_elig, recall_elig);
        printf("slipped in: snipers/bots %.1f%%, baiters %.1f%% (together %.1f%%)\n",
               100 * share_bot, 100 * share_bait, 100 * (share_bot + share_bait));
        printf("similar wallets: %zu skilled wallets' 10 nearest neighbours are %.1f%% skilled "
               "(base rate %.1f%% of %zu wallets with a behaviour vector)\n",
               sim_like.queries, 100 * sim_like.share, 100 * sim_like.base_rate, sim_like.wallets);
        printf("watchlist by type:");
        for (int t = 0; t < SIM_NTYPES; t++)
            if (by_type[t])
                printf(" %s %zu", sim_wallet_type_name((enum sim_wallet_type)t), by_type[t]);
        if (by_type[SIM_NTYPES])
            printf(" unknown %zu", by_type[SIM_NTYPES]);
        printf("\n");
        if (dp.top_k == 50)
            printf("goal (precision@50 >= 0.8, bots and baiters <= 5%%): %s\n",
                   met ? "met" : "NOT met");
    }
    rc = 0;
out:
    discovery_result_release(&res);
    free(truth);
    store_close(st);
    return rc;
}

int cmd_sim_evaluate(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_sim_evaluate);
}
