/* "Wallets like this one": behavioural similarity (issue 19, item 4).
 *
 * Each profiled wallet with at least SIMILAR_MIN_TRIPS round trips gets a
 * behaviour vector of SIMILAR_DIMS raw features (style and hold times,
 * entry timing, sizes, hours, venue, bot-likeness, patterns; the list and
 * why in docs/metrics.md, "Behaviour vector"). It holds no performance
 * figure (no PnL, win rate or score): similarity is about how a wallet
 * trades, so "skilled neighbours" measure something the score does not
 * already say.
 *
 * The profile run stores the raw vector with the wallet (wallets
 * .behaviour_vec, JSON array, null for an unknown feature). A query
 * z-normalises every feature over the wallets given (unknown = the mean,
 * i.e. 0 after normalising) and returns the k nearest by Euclidean
 * distance, brute force in process: O(wallets x dims) per query.
 *
 * Pure functions over caller-owned data; any thread. */
#ifndef WT_INTEL_SIMILAR_H
#define WT_INTEL_SIMILAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/intel.h"
#include "store/store.h"

#define SIMILAR_DIMS      18
#define SIMILAR_MIN_TRIPS 3

/* The feature names, in vector order (for docs and the API). */
extern const char *const similar_feature_names[SIMILAR_DIMS];

/* Pattern counts of the wallet: accumulation, distribution, rotation,
 * arbitrage (patterns.h). */
struct similar_patterns {
    uint32_t n[4];
};

/* The raw vector of a profile; NAN marks an unknown feature. Returns false
 * (out untouched) when the wallet has fewer than SIMILAR_MIN_TRIPS round
 * trips. */
bool similar_vector(const struct intel *in, const struct intel_profile *pr,
                    const struct similar_patterns *pt, double out[SIMILAR_DIMS]);

/* JSON text of a vector ("[0.5,null,...]") into out (n bytes, >= 512);
 * returns 0 or WT_EFULL. Parses it back (unknown -> NAN): 0 or WT_EINVAL. */
int similar_format(const double v[SIMILAR_DIMS], char *out, size_t n);
int similar_parse(const char *s, double v[SIMILAR_DIMS]);

/* A set of vectors to query: vectors[i] row-major, n rows. */
struct similar_hit {
    size_t index;
    double distance;
};

/* The k nearest rows to row `self` (itself excluded) after z-normalising
 * every feature over the n rows (NAN = the mean), nearest first, ties to
 * the lower index. Writes at most k hits; returns how many. */
size_t similar_nearest(const double *vectors, size_t n, size_t self, size_t k,
                       struct similar_hit *out);

/* The stored wallets most like `address`: every wallets row with a
 * behaviour vector is a candidate (any status; the wallet itself is not
 * one). out receives up to k rows, nearest first, and dist their
 * distances (both arrays of k). *n_out their number, *candidates how many
 * wallets had a vector. Returns 0, WT_ENOTFOUND (no such wallet),
 * WT_ESTATE (the wallet has no vector: under SIMILAR_MIN_TRIPS round
 * trips, or not profiled since migration 14), WT_ESTORE. Any thread. */
int similar_from_store(struct store *st, const char *address, size_t k, struct wallet *out,
                       double *dist, size_t *n_out, size_t *candidates);

#endif
