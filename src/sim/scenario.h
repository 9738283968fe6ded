/* Parameters of a simulated market ("scenario") and the scenario file.
 *
 * A scenario is a plain struct with defaults that give a lively market of
 * about 2,000 wallets and 300 launches a day. It can be read from a file
 * of `key = value` lines (blank lines and lines starting with '#' are
 * ignored; keys are the field names below), and every field can be set by
 * name, which is how the command line applies its options. One table in
 * scenario.c lists every parameter with its type, bounds and help; the
 * parser, the truth file and docs/simulator.md follow it.
 *
 * Pure data and functions; any thread. */
#ifndef WT_SIM_SCENARIO_H
#define WT_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

struct jw;

/* Invariants after scenario_validate() returns 0: every field within its
 * bounds, skill_min <= skill_max, cluster_size_min <= cluster_size_max,
 * some fate odds > 0, and `wallets` large enough for every typed group
 * (retail takes the rest). */
struct scenario {
    uint64_t seed;
    uint32_t days;
    int64_t start_time; /* Unix seconds of the first simulated moment */
    uint64_t start_slot;
    uint32_t tokens_per_day;
    double speed; /* multiplies the crowd's trading rate */

    uint32_t wallets; /* all trading wallets: typed groups + retail */
    uint32_t exchanges;
    uint32_t insider_clusters;
    uint32_t cluster_size_min;
    uint32_t cluster_size_max;
    uint32_t skilled;
    uint32_t fading;
    uint32_t snipers;
    uint32_t copy_traders;
    uint32_t baiters;
    uint32_t creators;

    double odds_rug;
    double odds_fizzle;
    double odds_runner;
    double odds_pump_dump;

    double skill_min;
    double skill_max;
    double skilled_entries_per_day;
    double sniper_rate;
    double baiter_entries_per_day;
    double retail_buy_sol;
    double pump_amm_share;
    double fizzle_dead_share; /* fizzles the crowd never trades: only bots and early wallets */
    double
        crowd_price_sensitivity; /* the crowd's buy odds fall by this x ln(multiple since launch) */
    double rug_dev_buy_sol;      /* the largest opening buy of a rug's creator (from 3/8 of it) */
    double insider_delay_ms; /* insiders buy their launch this long after it (from 1/10 of it) */
};

/* Fills s with the defaults: the calibrated market (docs/simulator.md,
 * "Calibration targets"), the same as scenario_preset(s, "calibrated"). */
void scenario_default(struct scenario *s);

/* Fills s with a named market regime: "calibrated" (the default),
 * "bull" (the generous market of earlier releases: about 5% of launches
 * graduate) or "bear" (rug-heavy: more rugs and insider launches, fewer
 * runners). Returns 0, or WT_ENOTFOUND for another name (s unchanged). */
int scenario_preset(struct scenario *s, const char *name);

/* The preset names, comma-separated, for help texts and errors. */
#define SCENARIO_PRESETS "calibrated, bull, bear"

/* Sets one parameter from its text form. Returns 0, WT_ENOTFOUND (unknown
 * key) or WT_EINVAL (bad value or out of bounds); on error writes a message
 * naming the key, the value and what was expected into err and leaves s
 * unchanged. */
int scenario_set(struct scenario *s, const char *key, const char *value, char *err, size_t errsize);

/* Applies a scenario file on top of s. Returns 0, WT_EIO (cannot read) or
 * WT_EPARSE; on error err says "<path>:<line>: <problem>" and s is left
 * unchanged (the file is applied to a copy first). */
int scenario_load(struct scenario *s, const char *path, char *err, size_t errsize);

/* Checks the cross-field invariants above. Returns 0 or WT_EINVAL with a
 * message in err. */
int scenario_validate(const struct scenario *s, char *err, size_t errsize);

/* Scales every typed wallet group so that the total becomes `wallets`,
 * keeping the proportions (what `--wallets N` does). */
void scenario_scale_wallets(struct scenario *s, uint32_t wallets);

/* Smallest `wallets` that scenario_validate accepts for the group sizes. */
uint64_t scenario_min_wallets(const struct scenario *s);

/* Writes s as one JSON object (every parameter by name). */
void scenario_write_json(const struct scenario *s, struct jw *w);

#endif
