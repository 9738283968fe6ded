/* The learned score's model (see model.h).
 *
 * Why these features: the rules score and its inputs (so the model can
 * only add to it), what the rules ignore (entry age, sizes, holds,
 * bonding-curve share), and the wallet's copier expectancy so far, the
 * closest thing to the label the past offers. Logs tame heavy tails. */
#include "intel/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xgboost/c_api.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

const char *const model_feature_names[MODEL_NFEAT] = {
    "rules_score",       "log_round_trips",  "win_rate_shrunk", "roi",           "profit_ratio",
    "consistency",       "entry_rank",       "entry_vs_peak",   "bot_score",     "bonding_share",
    "log_entry_age_min", "log_avg_hold_min", "log_avg_buy_sol", "copier_ev_sol",
};

void model_features(const struct intel_profile *pr, double copier_ev_sol, float out[MODEL_NFEAT])
{
    const struct metrics *m = &pr->metrics;
    const struct behaviour *b = &pr->behaviour;
    out[0] = (float)pr->score.score;
    out[1] = (float)log10((double)m->trades + 1);
    out[2] = (float)m->win_rate_shrunk;
    out[3] = (float)pr->roi;
    out[4] = m->profit_ratio_valid ? (float)m->profit_ratio : NAN;
    out[5] = (float)m->consistency;
    out[6] = pr->timing.tokens ? (float)pr->timing.percentile : NAN;
    out[7] = pr->timing.entry_vs_peak > 0 ? (float)pr->timing.entry_vs_peak : NAN;
    out[8] = (float)b->bot_score;
    out[9] = (float)b->bonding_share;
    out[10] = b->avg_entry_age_ms >= 0
                  ? (float)log10(b->avg_entry_age_ms / (double)MS_PER_MINUTE + 1)
                  : NAN;
    out[11] = (float)log10(m->avg_hold_ms / (double)MS_PER_MINUTE + 1);
    out[12] = b->avg_buy_sol > 0 ? (float)log10(b->avg_buy_sol + 1e-3) : NAN;
    out[13] = (float)copier_ev_sol;
}

struct model {
    BoosterHandle h;
};

static int fail(char *err, size_t errsize, const char *what)
{
    if (err && errsize)
        snprintf(err, errsize, "%s: %s", what, XGBGetLastError());
    return WT_EINVAL;
}

int model_train(const float *x, const float *y, size_t n, int rounds, struct model **out, char *err,
                size_t errsize)
{
    *out = NULL;
    DMatrixHandle d;
    if (XGDMatrixCreateFromMat(x, n, MODEL_NFEAT, NAN, &d) != 0)
        return fail(err, errsize, "training matrix");
    if (XGDMatrixSetFloatInfo(d, "label", y, n) != 0) {
        XGDMatrixFree(d);
        return fail(err, errsize, "labels");
    }
    struct model *m = xcalloc(1, sizeof *m);
    static const char *const params[][2] = {
        {"objective", "reg:squarederror"},
        {"max_depth", "4"},
        {"eta", "0.1"},
        {"subsample", "1"},
        {"nthread", "1"},
        {"seed", "0"},
        {"verbosity", "0"},
    };
    int rc = XGBoosterCreate(&d, 1, &m->h);
    for (size_t i = 0; rc == 0 && i < sizeof params / sizeof params[0]; i++)
        rc = XGBoosterSetParam(m->h, params[i][0], params[i][1]);
    for (int it = 0; rc == 0 && it < rounds; it++)
        rc = XGBoosterUpdateOneIter(m->h, it, d);
    XGDMatrixFree(d);
    if (rc != 0) {
        fail(err, errsize, "training");
        model_free(m);
        return WT_EINVAL;
    }
    *out = m;
    return 0;
}

int model_predict(struct model *m, const float *x, size_t n, float *out)
{
    DMatrixHandle d;
    if (XGDMatrixCreateFromMat(x, n, MODEL_NFEAT, NAN, &d) != 0)
        return WT_EINVAL;
    bst_ulong len = 0;
    const float *res = NULL;
    int rc = XGBoosterPredict(m->h, d, 0, 0, 0, &len, &res);
    if (rc == 0 && len == n)
        memcpy(out, res, n * sizeof *out);
    XGDMatrixFree(d);
    return rc == 0 && len == n ? 0 : WT_EINVAL;
}

int model_save(struct model *m, const char *path, char *err, size_t errsize)
{
    return XGBoosterSaveModel(m->h, path) == 0 ? 0 : (fail(err, errsize, path), WT_EIO);
}

int model_load(const char *path, struct model **out, char *err, size_t errsize)
{
    *out = NULL;
    struct model *m = xcalloc(1, sizeof *m);
    if (XGBoosterCreate(NULL, 0, &m->h) != 0 || XGBoosterLoadModel(m->h, path) != 0) {
        fail(err, errsize, path);
        model_free(m);
        return WT_EINVAL;
    }
    *out = m;
    return 0;
}

void model_free(struct model *m)
{
    if (!m)
        return;
    if (m->h)
        XGBoosterFree(m->h);
    free(m);
}

unsigned model_newest(const char *data_dir, char *path, size_t n)
{
    unsigned v = 0;
    for (unsigned i = 1; i < 10000; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/models/score-v%u.json", data_dir, i);
        struct stat st;
        if (stat(p, &st) != 0)
            break;
        v = i;
        str_copy(path, n, p);
    }
    return v;
}
