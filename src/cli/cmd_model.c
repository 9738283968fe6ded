/* walltrack model train | evaluate | show: the learned score (issue 19,
 * item 3; docs/intelligence.md, "A learned score"). train also takes the
 * operator's own closed trades from the store (intel/model.h,
 * model_operator_rows) when there are score.min_operator_trades of them.
 *
 * A data set comes from one simulated market (src/sim, generated in
 * process and decoded by the real Helius decoder): each wallet with at
 * least 3 round trips before the split time t (the end of the market's
 * next-to-last day) is a row; its features are its profile at t
 * (intel/model.h), its label its copier expectancy after t
 * (intel/copier.h, copier_wallet_since). train fits on several seeds and
 * writes <data>/models/score-vN.json (XGBoost's JSON) with a .meta.json
 * beside it (features, seeds, rows, training error); evaluate compares,
 * on other seeds, the model's top 50 with the rules score's top 50:
 * precision (the truth's skilled and insider wallets) and the mean copier
 * expectancy after t; show prints a model's meta. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ingest/helius.h"
#include "intel/copier.h"
#include "intel/discovery.h"
#include "intel/model.h"
#include "sim/sim.h"
#include "solana/pubkey.h"
#include "store/store.h"

static const struct cli_opt opts[] = {
    {"--seeds", "LIST", NULL,
     "comma-separated simulator seeds (train: 1,2,3,4; evaluate: "
     "101,202,303,11)"},
    {"--days", "N", NULL, "days of each simulated market, the last one for the label (default 2)"},
    {"--rounds", "N", NULL, "train: boosting rounds (default 200)"},
    {"--model", "FILE", NULL,
     "evaluate, show: the model file (default: the newest in "
     "<data>/models)"},
    {"--json", NULL, NULL, "evaluate: print JSON"},
    {0},
};

static const struct cli_spec spec = {
    .name = "model",
    .args = "train | evaluate | show",
    .summary = "The learned score: train it on simulated markets, compare it with the rules.",
    .details = "train: an XGBoost regression from a wallet's profile at a time t to its copier "
               "expectancy after t, on simulated markets of several seeds plus the operator's own "
               "closed trades in the store when there are score.min_operator_trades; written to "
               "<data>/models/score-vN.json with its features and training metrics. evaluate: on "
               "other seeds, the top 50 wallets by the model against the top 50 by the rules "
               "score: precision (skilled and insider wallets of the truth) and the mean copier "
               "expectancy after t, and the same through discovery's filtered ranking (score.mode "
               "rules, model, blend). show: a model's features and metrics. Discovery ranks by "
               "the model only with score.mode model or blend (docs/intelligence.md).",
    .min_pos = 1,
    .max_pos = 1,
    .opts = opts,
};

struct row {
    float x[MODEL_NFEAT];
    float label;
    int type;
};

struct rows {
    VEC(struct row) r;
};

struct typed {
    char address[BASE58_KEY_MAX];
    int type;
};

static int by_address(const void *a, const void *b)
{
    return strcmp(((const struct typed *)a)->address, ((const struct typed *)b)->address);
}

/* Discovery's top 50 at t in one scoring mode: how many, precision (the
 * truth's skilled and insider wallets) and mean copier expectancy after t. */
struct disc_top {
    size_t n;
    double prec, ev;
};

/* By ledger id of the market before t: the label and the truth's type. */
struct wallet_out {
    float label;
    int type;
    bool row;
};

/* Discovery as it runs (intel/discovery.h, the default parameters) on the
 * market before t, its eligible candidates ranked by each scoring mode. */
static void discovery_tops(const struct profile_state *ps, struct model *m, int64_t split,
                           const struct wallet_out *wo, struct disc_top out[3])
{
    struct discovery_params dp;
    discovery_params_default(&dp);
    dp.model = m;
    for (int mode = 0; mode < 3; mode++) {
        dp.score_mode = (enum score_mode)mode;
        struct discovery_result r;
        struct disc_top *t = &out[mode];
        memset(t, 0, sizeof *t);
        if (discovery_find(ps, &dp, split, &r) == 0 && r.scoring == dp.score_mode) {
            size_t pos = 0;
            double sum = 0;
            for (size_t i = 0; i < r.eligible && t->n < dp.top_k; i++) {
                const struct wallet_out *w = &wo[r.c.v[i].wallet];
                if (!w->row)
                    continue; /* not profiled after t (never: eligible needs 3 trades) */
                t->n++;
                pos += w->type == SIM_SKILLED || w->type == SIM_INSIDER;
                sum += w->label;
            }
            t->prec = t->n ? (double)pos / t->n : 0;
            t->ev = t->n ? sum / t->n : 0;
        }
        discovery_result_release(&r);
    }
}

/* The rows of one simulated market; with m, also discovery's top 50 at t
 * by each scoring mode (disc[3]). Returns 0 or 1 (message printed). */
static int dataset(uint64_t seed, unsigned days, struct rows *out, struct model *m,
                   struct disc_top *disc)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = seed;
    sc.days = days;
    struct sim *s;
    char err[256];
    if (sim_new(&sc, &s, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack model: seed %" PRIu64 ": %s\n", seed, err);
        return 1;
    }
    int64_t split = sc.start_time * 1000 + (int64_t)(days - 1) * MS_PER_DAY;
    struct intel *before = intel_new(NULL, 4096), *all = intel_new(NULL, 4096);
    /* the market before t as discovery sees it (profile_load's state) */
    struct profile_state ps = {.in = before};
    intel_params_default(&ps.params);
    struct intel_batch *bb = intel_batch_new(before);
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out ho = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1) {
        buf_reset(&json);
        if (sim_tx_json(s, &tx, &json) != 0)
            continue;
        helius_out_clear(&ho);
        if (helius_decode(d, json.data, json.len, 0, &ho, NULL) != 0)
            continue;
        for (size_t i = 0; i < ho.events.len; i++) {
            const struct event *ev = &ho.events.v[i];
            if (ev->kind != EVENT_SWAP)
                continue;
            if (ev->u.swap.ts_ms < split) {
                double price = 0;
                if (intel_batch_add(bb, &ev->u.swap, &price) != 0)
                    continue;
                ps.swaps++;
                uint32_t mint = ledger_mint_id(intel_ledger(before), &ev->u.swap.mint);
                if (mint != LEDGER_NONE && mint >= ps.launch_price.len) {
                    while (ps.launch_price.len < mint)
                        vec_push(&ps.launch_price, 0.0);
                    vec_push(&ps.launch_price, price); /* its first trade's price */
                }
            }
            (void)intel_apply(all, &ev->u.swap);
        }
    }
    intel_batch_free(bb);
    buf_release(&json);
    helius_out_release(&ho);
    helius_decoder_free(d);

    /* the truth's types by address */
    uint32_t nsw = sim_wallet_count(s);
    struct typed *types = xcalloc(nsw ? nsw : 1, sizeof *types);
    for (uint32_t w = 0; w < nsw; w++) {
        str_copy(types[w].address, sizeof types[w].address, sim_wallet_address(s, w));
        types[w].type = (int)sim_wallet_type(s, w);
    }
    qsort(types, nsw, sizeof *types, by_address);

    struct copier_params cp;
    copier_params_default(&cp);
    struct ledger *lb = intel_ledger(before), *la = intel_ledger(all);
    struct copier_market *mb = copier_market_build(lb), *ma = copier_market_build(la);
    struct copier_scratch *sb = copier_scratch_new(lb), *sa = copier_scratch_new(la);
    struct intel_profile pr;
    struct wallet_out *wo = xcalloc(ledger_wallet_count(lb) + 1, sizeof *wo);
    for (uint32_t w = 0; w < ledger_wallet_count(lb); w++) {
        intel_profile(before, w, split, &pr);
        if (pr.metrics.trades < 3)
            continue;
        struct copier_result past, next;
        copier_wallet(&cp, mb, lb, w, sb, &past);
        struct pubkey k;
        memcpy(k.b, ledger_wallet_key(lb, w), 32);
        uint32_t wa = ledger_wallet_id(la, &k);
        if (wa == LEDGER_NONE)
            continue;
        copier_wallet_since(&cp, ma, la, wa, split, sa, &next);
        struct row r;
        model_features(&pr, past.ev_sol, r.x);
        r.label = (float)next.ev_sol;
        struct typed key;
        pubkey_format(&k, key.address);
        const struct typed *hit = bsearch(&key, types, nsw, sizeof *types, by_address);
        r.type = hit ? hit->type : -1;
        vec_push(&out->r, r);
        wo[w] = (struct wallet_out){r.label, r.type, true};
    }
    if (m)
        discovery_tops(&ps, m, split, wo, disc);
    free(wo);
    vec_free(&ps.launch_price);
    copier_scratch_free(sb);
    copier_scratch_free(sa);
    copier_market_free(mb);
    copier_market_free(ma);
    free(types);
    intel_free(before);
    intel_free(all);
    sim_free(s);
    return 0;
}

static int parse_seeds(const char *v, uint64_t *seeds, size_t max, size_t *n)
{
    *n = 0;
    char buf[256];
    str_copy(buf, sizeof buf, v);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == max || str_to_u64(t, &seeds[*n]) != 0)
            return WT_EINVAL;
        (*n)++;
    }
    return *n ? 0 : WT_EINVAL;
}

static int do_train(const struct cli_args *a, const uint64_t *seeds, size_t ns, unsigned days)
{
    uint64_t rounds = 200;
    const char *v = cli_opt_value(&spec, a, "--rounds");
    if (v && (str_to_u64(v, &rounds) != 0 || rounds < 1 || rounds > 5000))
        return cli_usage_error("model", "--rounds: '%s' is not an integer from 1 to 5000", v);
    struct rows rs = {0};
    for (size_t i = 0; i < ns; i++)
        if (dataset(seeds[i], days, &rs, NULL, NULL) != 0) {
            vec_free(&rs.r);
            return 1;
        }
    if (rs.r.len < 50) {
        fprintf(stderr, "walltrack model: only %zu training rows\n", rs.r.len);
        vec_free(&rs.r);
        return 1;
    }
    /* The operator's own closed trades, when there are enough. */
    size_t op_trades = 0, op_rows = 0;
    size_t op_min = (size_t)config_int(&a->cfg, CFG_SCORE_MIN_OPERATOR_TRADES);
    struct store *st;
    if (cli_open_store(&a->cfg, &st) != 0) {
        printf("operator trades: the store cannot be opened, none used\n");
    } else {
        struct model_rows mr = {0};
        if (model_operator_rows(st, &mr) != 0) {
            printf("operator trades: cannot be read from the store, none used\n");
        } else {
            op_trades = mr.trades;
            bool use = mr.y.len >= op_min;
            for (size_t i = 0; use && i < mr.y.len; i++) {
                struct row r = {.label = mr.y.v[i], .type = -1};
                memcpy(r.x, mr.x.v + i * MODEL_NFEAT, sizeof r.x);
                vec_push(&rs.r, r);
            }
            op_rows = use ? mr.y.len : 0;
            printf("operator trades: %zu closed, %zu of a wallet with %d round trips before: %s "
                   "(score.min_operator_trades %zu)\n",
                   mr.trades, mr.y.len, MODEL_MIN_ROUND_TRIPS, use ? "used" : "too few, not used",
                   op_min);
        }
        model_rows_release(&mr);
        store_close(st);
    }
    float *x = xmalloc(rs.r.len * MODEL_NFEAT * sizeof *x), *y = xmalloc(rs.r.len * sizeof *y);
    for (size_t i = 0; i < rs.r.len; i++) {
        memcpy(x + i * MODEL_NFEAT, rs.r.v[i].x, sizeof rs.r.v[i].x);
        y[i] = rs.r.v[i].label;
    }
    struct model *m;
    char err[512];
    int rc = 1;
    if (model_train(x, y, rs.r.len, (int)rounds, &m, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack model: %s\n", err);
        goto out;
    }
    float *pred = xmalloc(rs.r.len * sizeof *pred);
    double se = 0, se0 = 0, mean = 0;
    for (size_t i = 0; i < rs.r.len; i++)
        mean += y[i];
    mean /= (double)rs.r.len;
    if (model_predict(m, x, rs.r.len, pred) == 0)
        for (size_t i = 0; i < rs.r.len; i++) {
            se += (pred[i] - y[i]) * (double)(pred[i] - y[i]);
            se0 += (mean - y[i]) * (mean - y[i]);
        }
    free(pred);
    const char *data = config_str(&a->cfg, CFG_DATA_DIR);
    char dir[3800], path[4096], meta[4200];
    snprintf(dir, sizeof dir, "%s/models", data);
    if (mkdir(data, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "walltrack model: cannot create %s\n", data);
        model_free(m);
        goto out;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "walltrack model: cannot create %s\n", dir);
        model_free(m);
        goto out;
    }
    unsigned ver = model_newest(data, path, sizeof path) + 1;
    snprintf(path, sizeof path, "%s/score-v%u.json", dir, ver);
    snprintf(meta, sizeof meta, "%s/score-v%u.meta.json", dir, ver);
    if (model_save(m, path, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack model: %s\n", err);
        model_free(m);
        goto out;
    }
    model_free(m);
    struct buf b;
    struct jw w;
    cli_json_begin(&w, &b);
    jw_obj_begin(&w);
    jw_ku64(&w, "version", ver);
    jw_kstr(&w, "label",
            "copier expectancy (SOL per copied buy) after the split, "
            "docs/metrics.md");
    jw_karr_begin(&w, "features");
    for (int i = 0; i < MODEL_NFEAT; i++)
        jw_str(&w, model_feature_names[i]);
    jw_arr_end(&w);
    jw_karr_begin(&w, "seeds");
    for (size_t i = 0; i < ns; i++)
        jw_u64(&w, seeds[i]);
    jw_arr_end(&w);
    jw_ku64(&w, "days", days);
    jw_ku64(&w, "rounds", rounds);
    jw_ku64(&w, "rows", rs.r.len);
    jw_ku64(&w, "operatorTrades", op_trades);
    jw_ku64(&w, "operatorRows", op_rows);
    jw_kdouble(&w, "trainRmse", sqrt(se / (double)rs.r.len));
    jw_kdouble(&w, "trainR2", se0 > 0 ? 1 - se / se0 : 0);
    jw_obj_end(&w);
    jw_finish(&w);
    FILE *f = fopen(meta, "w");
    if (!f || fputs(b.data, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "walltrack model: cannot write %s\n", meta);
        buf_release(&b);
        goto out;
    }
    printf("model v%u: %zu rows from %zu seeds, training RMSE %.5f (R² %.3f)\n%s\n%s\n", ver,
           rs.r.len, ns, sqrt(se / (double)rs.r.len), se0 > 0 ? 1 - se / se0 : 0, path, meta);
    buf_release(&b);
    rc = 0;
out:
    free(x);
    free(y);
    vec_free(&rs.r);
    return rc;
}

struct ranked {
    float key;
    size_t i;
};

static int by_key_desc(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* precision (skilled or insider) and mean label of the top k by key */
static void top(const struct row *r, size_t n, const float *key, size_t k, double *prec, double *ev)
{
    struct ranked *o = xmalloc((n ? n : 1) * sizeof *o);
    for (size_t i = 0; i < n; i++)
        o[i] = (struct ranked){isfinite(key[i]) ? key[i] : -INFINITY, i};
    qsort(o, n, sizeof *o, by_key_desc);
    size_t m = n < k ? n : k, pos = 0;
    double sum = 0;
    for (size_t i = 0; i < m; i++) {
        const struct row *x = &r[o[i].i];
        pos += x->type == SIM_SKILLED || x->type == SIM_INSIDER;
        sum += x->label;
    }
    *prec = m ? (double)pos / m : 0;
    *ev = m ? sum / m : 0;
    free(o);
}

/* The model file: --model, else the newest in <data>/models. Returns 0,
 * or 1 after printing "no model in DIR/models<hint>". */
static int model_path(const struct cli_args *a, const char *hint, char *path, size_t size)
{
    const char *v = cli_opt_value(&spec, a, "--model");
    if (v) {
        str_copy(path, size, v);
        return 0;
    }
    const char *dir = config_str(&a->cfg, CFG_DATA_DIR);
    if (model_newest(dir, path, size) != 0)
        return 0;
    fprintf(stderr, "walltrack model: no model in %s/models%s\n", dir, hint);
    return 1;
}

static int do_evaluate(const struct cli_args *a, const uint64_t *seeds, size_t ns, unsigned days)
{
    char path[4096] = "", err[512];
    if (model_path(a, ": run `walltrack model train`", path, sizeof path) != 0)
        return 1;
    struct model *m;
    if (model_load(path, &m, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack model: %s\n", err);
        return 1;
    }
    bool json = cli_opt_given(&spec, a, "--json");
    struct buf b;
    struct jw w;
    cli_json_begin(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "model", path);
    jw_karr_begin(&w, "seeds");
    if (!json)
        printf("%-6s %6s | %-21s | %-21s\n%-6s %6s | %9s %11s | %9s %11s\n", "seed", "rows",
               "rules score, top 50", "model, top 50", "", "", "precision", "copier EV",
               "precision", "copier EV");
    int rc = 0, wins_p = 0, wins_e = 0;
    double sp[2] = {0}, se[2] = {0};
    double dsp[3] = {0}, dse[3] = {0}; /* discovery by mode: rules, model, blend */
    static const char *const modes[3] = {"rules", "model", "blend"};
    for (size_t i = 0; i < ns && rc == 0; i++) {
        struct rows rs = {0};
        struct disc_top dt[3];
        if (dataset(seeds[i], days, &rs, m, dt) != 0) {
            rc = 1;
            break;
        }
        size_t n = rs.r.len;
        float *x = xmalloc((n ? n : 1) * MODEL_NFEAT * sizeof *x);
        float *pred = xmalloc((n ? n : 1) * sizeof *pred),
              *rules = xmalloc((n ? n : 1) * sizeof *rules);
        for (size_t j = 0; j < n; j++) {
            memcpy(x + j * MODEL_NFEAT, rs.r.v[j].x, sizeof rs.r.v[j].x);
            rules[j] = rs.r.v[j].x[0];
        }
        double pr, er, pm, em;
        if (model_predict(m, x, n, pred) != 0) {
            fprintf(stderr, "walltrack model: prediction failed\n");
            rc = 1;
        } else {
            top(rs.r.v, n, rules, 50, &pr, &er);
            top(rs.r.v, n, pred, 50, &pm, &em);
            wins_p += pm > pr;
            wins_e += em > er;
            sp[0] += pr, sp[1] += pm, se[0] += er, se[1] += em;
            jw_obj_begin(&w);
            jw_ku64(&w, "seed", seeds[i]);
            jw_ku64(&w, "rows", n);
            jw_kdouble(&w, "rulesPrecisionAt50", pr);
            jw_kdouble(&w, "rulesCopierEvTop50", er);
            jw_kdouble(&w, "modelPrecisionAt50", pm);
            jw_kdouble(&w, "modelCopierEvTop50", em);
            jw_kobj_begin(&w, "discovery");
            for (int k = 0; k < 3; k++) {
                dsp[k] += dt[k].prec, dse[k] += dt[k].ev;
                jw_kobj_begin(&w, modes[k]);
                jw_ku64(&w, "top", dt[k].n);
                jw_kdouble(&w, "precision", dt[k].prec);
                jw_kdouble(&w, "copierEv", dt[k].ev);
                jw_obj_end(&w);
            }
            jw_obj_end(&w);
            jw_obj_end(&w);
            if (!json)
                printf("%-6" PRIu64 " %6zu | %9.3f %+11.5f | %9.3f %+11.5f\n"
                       "       discovery, top %zu/%zu/%zu: rules %.3f %+.5f | model %.3f %+.5f | "
                       "blend %.3f %+.5f\n",
                       seeds[i], n, pr, er, pm, em, dt[0].n, dt[1].n, dt[2].n, dt[0].prec, dt[0].ev,
                       dt[1].prec, dt[1].ev, dt[2].prec, dt[2].ev);
        }
        free(x);
        free(pred);
        free(rules);
        vec_free(&rs.r);
    }
    jw_arr_end(&w);
    bool wins = rc == 0 && sp[1] > sp[0] && se[1] > se[0];
    jw_kdouble(&w, "meanRulesPrecision", ns ? sp[0] / ns : 0);
    jw_kdouble(&w, "meanModelPrecision", ns ? sp[1] / ns : 0);
    jw_kdouble(&w, "meanRulesCopierEv", ns ? se[0] / ns : 0);
    jw_kdouble(&w, "meanModelCopierEv", ns ? se[1] / ns : 0);
    jw_kbool(&w, "modelWinsBoth", wins);
    /* the comparison that decides the default: discovery's own ranking */
    bool dwins[3] = {false, false, false};
    jw_kobj_begin(&w, "discoveryMean");
    for (int k = 0; k < 3; k++) {
        dwins[k] = k > 0 && rc == 0 && dsp[k] > dsp[0] && dse[k] > dse[0];
        jw_kobj_begin(&w, modes[k]);
        jw_kdouble(&w, "precision", ns ? dsp[k] / ns : 0);
        jw_kdouble(&w, "copierEv", ns ? dse[k] / ns : 0);
        if (k > 0)
            jw_kbool(&w, "winsBoth", dwins[k]);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_finish(&w);
    if (rc == 0) {
        if (json)
            printf("%s\n", b.data);
        else
            printf("mean: rules %.3f / %+.5f, model %.3f / %+.5f; model better on precision in "
                   "%d of %zu seeds, on copier EV in %d; wins both on average: %s\n",
                   sp[0] / ns, se[0] / ns, sp[1] / ns, se[1] / ns, wins_p, ns, wins_e,
                   wins ? "yes" : "no");
        if (rc == 0 && !json)
            printf("discovery mean: rules %.3f / %+.5f, model %.3f / %+.5f, blend %.3f / %+.5f; "
                   "model wins both: %s, blend wins both: %s\n",
                   dsp[0] / ns, dse[0] / ns, dsp[1] / ns, dse[1] / ns, dsp[2] / ns, dse[2] / ns,
                   dwins[1] ? "yes" : "no", dwins[2] ? "yes" : "no");
    }
    buf_release(&b);
    model_free(m);
    return rc;
}

static int do_show(const struct cli_args *a)
{
    char path[4096] = "";
    if (model_path(a, "", path, sizeof path) != 0)
        return 1;
    char meta[4200];
    size_t len = strlen(path);
    if (len < 5 || strcmp(path + len - 5, ".json") != 0) {
        fprintf(stderr, "walltrack model: %s is not a .json model file\n", path);
        return 1;
    }
    snprintf(meta, sizeof meta, "%.*s.meta.json", (int)(len - 5), path);
    FILE *f = fopen(meta, "r");
    if (!f) {
        fprintf(stderr, "walltrack model: cannot read %s\n", meta);
        return 1;
    }
    printf("%s\n", path);
    char line[4096];
    while (fgets(line, sizeof line, f))
        fputs(line, stdout);
    fclose(f);
    return 0;
}

static int run_model(struct cli_args *a)
{
    int rc = 0;
    const char *sub = a->pos[0];
    bool train = strcmp(sub, "train") == 0, eval = strcmp(sub, "evaluate") == 0;
    uint64_t seeds[32];
    size_t ns = 0;
    uint64_t days = 2;
    const char *v;
    if (cli_setup_logging(&a->cfg) != 0) {
        rc = 1;
    } else if (!train && !eval && strcmp(sub, "show") != 0) {
        rc = cli_usage_error("model", "unknown subcommand '%s' (train, evaluate, show)", sub);
    } else if (!train && !eval) {
        rc = do_show(a);
    } else if (parse_seeds((v = cli_opt_value(&spec, a, "--seeds")) ? v
                           : train                                  ? "1,2,3,4"
                                                                    : "101,202,303,11",
                           seeds, 32, &ns) != 0) {
        rc = cli_usage_error("model", "--seeds: '%s' is not a comma-separated list of seeds", v);
    } else if ((v = cli_opt_value(&spec, a, "--days")) &&
               (str_to_u64(v, &days) != 0 || days < 2 || days > 60)) {
        rc = cli_usage_error("model", "--days: '%s' is not an integer from 2 to 60", v);
    } else {
        rc = train ? do_train(a, seeds, ns, (unsigned)days)
                   : do_evaluate(a, seeds, ns, (unsigned)days);
    }
    return rc;
}

int cmd_model(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_model);
}
