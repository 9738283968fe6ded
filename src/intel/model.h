/* The learned score (issue 19, item 3): an XGBoost regression (the C API
 * of libxgboost, a Debian 12 package) from a wallet's profile at a time t
 * to its copier expectancy over the days after t (intel/copier.h).
 *
 * This module is the model: its features, training, prediction and files.
 * Building data sets from simulated markets and the comparison with the
 * rules score are `walltrack model train|evaluate|show` (cli/cmd_model.c;
 * docs/intelligence.md, "A learned score"). Discovery ranks by it when
 * score.mode is model or blend (intel/discovery.h).
 *
 * Training is deterministic (one thread, fixed seed). Any thread; one
 * model per thread. */
#ifndef WT_INTEL_MODEL_H
#define WT_INTEL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/vec.h"
#include "intel/intel.h"
#include "store/store.h"

#define MODEL_NFEAT 14
/* A row needs a wallet with at least this many closed round trips. */
#define MODEL_MIN_ROUND_TRIPS 3

/* The feature names, in order (stored beside the model). */
extern const char *const model_feature_names[MODEL_NFEAT];

/* The features of a profile; copier_ev_sol: its copier expectancy up to
 * the profile's time (intel/copier.h). NAN marks unknown (XGBoost's
 * missing value). */
void model_features(const struct intel_profile *pr, double copier_ev_sol, float out[MODEL_NFEAT]);

struct model;

/* Trains on n rows of x (row-major, MODEL_NFEAT each) with labels y:
 * squared error, depth 4, eta 0.1, `rounds` rounds. Returns 0 (*out: free
 * with model_free) or WT_EINVAL with XGBoost's message in err. */
int model_train(const float *x, const float *y, size_t n, int rounds, struct model **out, char *err,
                size_t errsize);
/* Predicts n rows into out. Returns 0 or WT_EINVAL. */
int model_predict(struct model *m, const float *x, size_t n, float *out);
/* XGBoost's own JSON model file. Returns 0 or WT_EIO / WT_EINVAL (err). */
int model_save(struct model *m, const char *path, char *err, size_t errsize);
int model_load(const char *path, struct model **out, char *err, size_t errsize);
void model_free(struct model *m);

/* The newest <data_dir>/models/score-vN.json: returns its N and copies
 * its path into path; 0 (path untouched) when there is none. */
unsigned model_newest(const char *data_dir, char *path, size_t n);

/* Training rows, MODEL_NFEAT features each, row-major. */
struct model_rows {
    VEC(float) x;
    VEC(float) y;
    size_t trades;     /* closed trades read */
    size_t no_history; /* ... left out: the followed wallet had fewer than
                          MODEL_MIN_ROUND_TRIPS round trips in the stored
                          swaps before the trade (or none, or a bad row) */
};

/* Appends a row per closed trade of the operator in the store (paper and
 * live): features the followed wallet's profile at the start of the hour
 * the trade opened (stored swaps before it), label the trade's PnL in SOL
 * (one copied buy at our size, latency and fees: the copier expectancy the
 * simulated rows' label estimates). Returns 0, WT_ESTORE. */
int model_operator_rows(struct store *st, struct model_rows *out);
void model_rows_release(struct model_rows *r);

#endif
