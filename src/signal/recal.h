/* Recalibration of the signal weights from our own outcomes (the feedback
 * loop's last step, `walltrack recalibrate`).
 *
 * A logistic regression (liblinear, L2-regularised, with a bias) of
 * "this trade won" on the factor values of the signals we traded. The
 * score is a weighted sum of the factors, so the proposal is each
 * factor's coefficient, negative ones set to 0, normalised to sum to 1;
 * the threshold proposed is where the fitted model gives even odds, in
 * units of the proposed score. Factors that never vary (the cluster
 * factor while it is not built) are left out. A 5-fold cross-validated
 * accuracy is reported beside the accuracy of always guessing the
 * majority class, so the operator sees whether the fit is worth anything.
 * Nothing is applied. Pure; any thread (liblinear's own printing is
 * silenced process-wide). */
#ifndef WT_SIGNAL_RECAL_H
#define WT_SIGNAL_RECAL_H

#include <stdbool.h>
#include <stddef.h>

#include "signal/signal.h"

struct jw;

struct recal_sample {
    double f[SF_COUNT];
    bool win;
};

#define RECAL_MIN_SAMPLES 20

struct recal_result {
    size_t n, wins;
    bool ok;       /* a proposal was made */
    char why[200]; /* when not ok */
    bool used[SF_COUNT];
    double coef[SF_COUNT]; /* per unit of the factor, 0 when unused */
    double bias;
    double proposed[SF_COUNT]; /* weights, sum 1 over the used factors */
    double proposed_threshold; /* where the model gives even odds; clamped to [0, 1] */
    double cv_accuracy;        /* 5-fold, or 0 with too few samples */
    double baseline_accuracy;  /* majority class */
};

/* Fits on s[0..n) (C = 1). Never fails: too few samples, one class only or
 * no positive coefficient give ok = false with the reason. */
void recal_fit(const struct recal_sample *s, size_t n, struct recal_result *out);
/* {"samples","wins","ok","reason","current":{weights,threshold},
 * "proposed":{...},"coefficients":{...},"bias","cv_accuracy",
 * "baseline_accuracy"}. */
void recal_write(const struct recal_result *r, const struct signal_params *current, struct jw *w);

#endif
