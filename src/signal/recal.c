/* Logistic regression of wins on factor values with liblinear (see
 * recal.h).
 *
 * Why liblinear rather than a few lines of gradient descent: it is the
 * reference implementation of regularised logistic regression (trust-region
 * Newton), deterministic, and already a dependency (DESIGN §11). The
 * features are the raw factor values in [0, 1], so a coefficient is the
 * change in log-odds of winning per unit of that factor, directly
 * comparable to a score weight. */
#include "signal/recal.h"

#include <linear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jw.h"
#include "base/mem.h"

static void quiet(const char *s)
{
    (void)s;
}

void recal_fit(const struct recal_sample *s, size_t n, struct recal_result *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    for (size_t i = 0; i < n; i++)
        out->wins += s[i].win;
    size_t major = out->wins > n - out->wins ? out->wins : n - out->wins;
    out->baseline_accuracy = n ? (double)major / (double)n : 0;
    if (n < RECAL_MIN_SAMPLES) {
        snprintf(out->why, sizeof out->why,
                 "%zu closed trades with factors; at least %d are needed", n, RECAL_MIN_SAMPLES);
        return;
    }
    if (out->wins == 0 || out->wins == n) {
        snprintf(out->why, sizeof out->why, "every trade %s: nothing separates them",
                 out->wins ? "won" : "lost");
        return;
    }
    /* Factors that vary. */
    int idx[SF_COUNT], nf = 0;
    for (int f = 0; f < SF_COUNT; f++) {
        double lo = s[0].f[f], hi = s[0].f[f];
        for (size_t i = 1; i < n; i++) {
            lo = fmin(lo, s[i].f[f]);
            hi = fmax(hi, s[i].f[f]);
        }
        if (hi - lo > 1e-9) {
            out->used[f] = true;
            idx[nf++] = f;
        }
    }
    if (nf == 0) {
        snprintf(out->why, sizeof out->why, "no factor varies across the trades");
        return;
    }
    /* One row per trade: nf features, the bias, the terminator. */
    struct feature_node *nodes = xcalloc(n * (size_t)(nf + 2), sizeof *nodes);
    struct feature_node **x = xcalloc(n, sizeof *x);
    double *y = xcalloc(n, sizeof *y);
    for (size_t i = 0; i < n; i++) {
        struct feature_node *row = nodes + i * (size_t)(nf + 2);
        for (int k = 0; k < nf; k++)
            row[k] = (struct feature_node){k + 1, s[i].f[idx[k]]};
        row[nf] = (struct feature_node){nf + 1, 1.0}; /* bias feature */
        row[nf + 1] = (struct feature_node){-1, 0};
        x[i] = row;
        y[i] = s[i].win ? 1 : -1;
    }
    struct problem prob = {.l = (int)n, .n = nf + 1, .y = y, .x = x, .bias = 1};
    struct parameter par = {.solver_type = L2R_LR, .eps = 0.001, .C = 1.0};
    set_print_string_function(quiet);
    const char *bad = check_parameter(&prob, &par);
    if (bad) {
        snprintf(out->why, sizeof out->why, "liblinear: %s", bad);
        goto done;
    }
    struct model *m = train(&prob, &par);
    int labels[2] = {1, -1};
    get_labels(m, labels);
    double sign = labels[0] == 1 ? 1 : -1; /* coefficients are for labels[0] */
    for (int k = 0; k < nf; k++)
        out->coef[idx[k]] = sign * get_decfun_coef(m, k + 1, 0);
    out->bias = sign * get_decfun_bias(m, 0);
    free_and_destroy_model(&m);

    double *target = xcalloc(n, sizeof *target);
    cross_validation(&prob, &par, 5, target);
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += target[i] == y[i];
    out->cv_accuracy = (double)right / (double)n;
    free(target);

    double sum = 0;
    for (int f = 0; f < SF_COUNT; f++)
        sum += out->used[f] && out->coef[f] > 0 ? out->coef[f] : 0;
    if (!(sum > 0)) {
        snprintf(out->why, sizeof out->why,
                 "no factor has a positive coefficient: none predicts winning");
        goto done;
    }
    for (int f = 0; f < SF_COUNT; f++)
        out->proposed[f] = out->used[f] && out->coef[f] > 0 ? out->coef[f] / sum : 0;
    /* Even odds: sum(coef f) + bias = 0, i.e. score = -bias / sum. */
    double t = -out->bias / sum;
    out->proposed_threshold = t < 0 ? 0 : t > 1 ? 1 : t;
    out->ok = true;
done:
    free(nodes);
    free(x);
    free(y);
}

/* key: {"<factor>": weight, ..., "threshold": threshold}. */
static void write_weights(struct jw *w, const char *key, const double weight[SF_COUNT],
                          double threshold)
{
    jw_kobj_begin(w, key);
    for (int f = 0; f < SF_COUNT; f++)
        jw_kdouble(w, signal_factor_name((enum signal_factor)f), weight[f]);
    jw_kdouble(w, "threshold", threshold);
    jw_obj_end(w);
}

void recal_write(const struct recal_result *r, const struct signal_params *cur, struct jw *w)
{
    jw_obj_begin(w);
    jw_ku64(w, "samples", r->n);
    jw_ku64(w, "wins", r->wins);
    jw_kbool(w, "ok", r->ok);
    jw_kstr(w, "reason", r->ok ? "" : r->why);
    write_weights(w, "current", cur->weight, cur->threshold);
    write_weights(w, "proposed", r->proposed, r->proposed_threshold);
    jw_kobj_begin(w, "coefficients");
    for (int f = 0; f < SF_COUNT; f++) {
        jw_key(w, signal_factor_name((enum signal_factor)f));
        if (r->used[f])
            jw_double(w, r->coef[f]);
        else
            jw_null(w);
    }
    jw_obj_end(w);
    jw_kdouble(w, "bias", r->bias);
    jw_kdouble(w, "cv_accuracy", r->cv_accuracy);
    jw_kdouble(w, "baseline_accuracy", r->baseline_accuracy);
    jw_obj_end(w);
}
