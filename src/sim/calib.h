/* Calibration of the simulated market against what is published about the
 * real one (docs/simulator.md, "Calibration targets"): what a generated
 * market shows, measured from its truth.json, beside each target.
 *
 * The measures come from what the trades realised (graduations, last
 * trades, peaks, each wallet's SOL in and out and its open positions at
 * the last price, the first buyers of each launch); the hidden types and
 * fates are used only for the per-type and per-fate breakdowns ("the
 * truth"), never for a target.
 *
 * Pure; any thread. */
#ifndef WT_SIM_CALIB_H
#define WT_SIM_CALIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

struct jw;

/* A wallet's outcome counts when it made at least this many swaps (the
 * Dune dashboards' "wallets with at least 10 token trades"). */
#define SIM_CALIB_MIN_SWAPS 10
/* "Large profit": realised and open PnL of at least this many SOL (about
 * USD 10,000 at USD 200 a SOL; chosen, see docs/simulator.md). */
#define SIM_CALIB_LARGE_SOL 50.0

enum sim_calib_target {
    SC_GRADUATION,    /* share of launches that graduate: 0.006..0.018 */
    SC_LOSERS,        /* share of wallets with >= 10 swaps that lose: > 0.60 */
    SC_LARGE_WINNERS, /* share of trading wallets with PnL >= 50 SOL: <= 0.01 */
    SC_SAME_DAY,      /* share of launches whose last trade is on their launch day: > 0.5 */
    SC_TAIL,          /* mean peak multiple of the top 1% / median: >= 10 */
    SC_BOTS_EARLY, /* share of launches with a sniper or insider among its first 5 buyers: >= 0.5 */
    SC_INSIDERS_WIN, /* insiders' PnL as a group: > 0 */
    SC_COPY_LOSE,    /* copy-traders' PnL as a group: < 0 */
    SC_NTARGETS
};

struct sim_calib_type {
    uint32_t wallets, traded, active; /* all; >= 1 swap; >= SIM_CALIB_MIN_SWAPS swaps */
    uint32_t active_losing;
    double pnl_sol; /* sum over the type (realised + open at the last price, fees paid) */
};

struct sim_calib {
    uint64_t seed;
    uint32_t days;
    uint64_t tokens, graduated;
    uint64_t same_day; /* last trade on the launch's UTC day */
    uint64_t bots_early;
    double peak_median, peak_p90, peak_p99, peak_max, peak_top1;
    uint64_t fates[SIM_NFATES], fates_graduated[SIM_NFATES];
    struct sim_calib_type types[SIM_NTYPES];
    uint64_t active, active_losing, traded, large_winners;
    uint64_t swaps;
    double fees_sol; /* network + priority fees paid on swaps, all wallets */
    double value[SC_NTARGETS];
    bool met[SC_NTARGETS];
};

/* Measures the market described by a truth.json text (docs/simulator.md).
 * Returns 0, or WT_EPARSE with a message in err (not JSON, or not a
 * walltrack-sim-truth file with the outcome fields). */
int sim_calib_measure(const char *json, size_t len, struct sim_calib *out, char *err,
                      size_t errsize);

/* Every target met. */
bool sim_calib_all_met(const struct sim_calib *c);

/* Name of a target (JSON key), its range as text, and its source. */
const char *sim_calib_name(enum sim_calib_target t);
const char *sim_calib_range(enum sim_calib_target t);
const char *sim_calib_source(enum sim_calib_target t);

/* Writes the measures as one JSON object (docs/simulator.md, `sim stats`). */
void sim_calib_write_json(const struct sim_calib *c, struct jw *w);

#endif
