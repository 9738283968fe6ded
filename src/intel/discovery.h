/* Wallet discovery: tokens that succeeded -> their early buyers who exited
 * in profit -> profiles -> scored candidates -> the top K on the watchlist.
 *
 * discovery_find works on a replayed market (intel/profile.h) and is a pure
 * function of it, the parameters and `now`: it lists every early buyer of
 * a successful token with the evidence (early entries, profitable exits,
 * score, bot-likeness, copy-trading) and why it is or is not eligible, best
 * first. discovery_apply turns the result into watchlist changes in the
 * store without ever overriding the operator (docs/intelligence.md,
 * "Discovery" and "Curation"). discovery_run does load + profile + find +
 * apply, which is what `walltrack discover`, the scheduled run in `serve`
 * and `walltrack sim evaluate` call.
 *
 * Nothing here reads the system clock or any ground truth. */
#ifndef WT_INTEL_DISCOVERY_H
#define WT_INTEL_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/sched.h"
#include "base/vec.h"
#include "intel/profile.h"
#include "store/store.h"

/* What eligible candidates are ranked by (score.mode). */
enum score_mode { SCORE_RULES = 0, SCORE_MODEL, SCORE_BLEND };
const char *score_mode_name(enum score_mode m); /* "rules", "model", "blend" */

struct model;

struct discovery_params {
    /* A token succeeded when its highest traded price reached min_multiple
     * times its launch price (first trade seen), or when min_mcap_sol > 0
     * and its market cap at that price (x its supply: the tokens table's,
     * else default_supply whole tokens) reached min_mcap_sol. */
    double min_multiple;
    double min_mcap_sol;
    double default_supply;
    /* Early buyer: among the first early_buyers distinct buyers of the
     * token (0: off), or first buy within early_ms of the launch (0: off). */
    uint32_t early_buyers;
    int64_t early_ms;
    int64_t lookback_ms; /* only tokens launched in the last lookback_ms (0: all) */
    /* Eligibility of a candidate. */
    uint32_t min_hits;      /* successful tokens bought early and sold in profit */
    uint32_t min_trades;    /* closed round trips */
    double min_score;       /* smart-money score, 0..100 */
    double max_bot;         /* bot-likeness (behaviour), 0..1: above is a bot */
    double max_follow;      /* share of buys mirroring one other wallet: above is a copy-trader */
    double max_scalp_share; /* share of round trips shorter than scalp_ms: above is a scalper */
    int64_t scalp_ms;
    int64_t max_entry_ms;    /* mean time from launch to its first buys: above is a late buyer */
    double selection_weight; /* rank = score + this x selection */
    /* Copy-trading detection: a buy mirrors wallet L when L bought the same
     * token between follow_min_ms and follow_max_ms before, at least
     * follow_after_launch_ms after the launch. */
    int64_t follow_min_ms, follow_max_ms, follow_after_launch_ms;
    uint32_t follow_min_buys; /* buys needed to judge */
    uint32_t top_k;           /* wallets the algorithm keeps on the watchlist */
    /* The learned score (intel/model.h). With score_mode model or blend
     * and a model, the score in the rank is model_score (mode model) or
     * (1 - blend_weight) x score + blend_weight x model_score (blend); the
     * eligibility tests, min_score included, stay on the rules score.
     * discovery_find uses `model` (borrowed; NULL: the rules). discovery_run
     * loads one when `model` is NULL: model_file, else the newest in
     * <data_dir>/models, and logs which, or that there is none. */
    enum score_mode score_mode;
    double blend_weight;
    char model_file[1024];
    char data_dir[1024];
    struct model *model;
};

/* The defaults documented in docs/intelligence.md, except score_mode:
 * rules here (no data folder to find a model in), model in the settings
 * (score.mode). */
void discovery_params_default(struct discovery_params *p);
/* The parameters from the "discovery" section of the configuration. */
void discovery_params_from_config(const struct config *cfg, struct discovery_params *p);

/* Why a candidate is not eligible. */
enum discovery_excl {
    DISC_OK = 0,
    DISC_FEW_HITS,
    DISC_FEW_TRADES,
    DISC_LOW_SCORE,
    DISC_BOT,
    DISC_FOLLOWER,
    DISC_SCALPER,
    DISC_LATE,
    DISC_DECAY,
};
const char *discovery_excl_name(enum discovery_excl e); /* "", "few_hits", ... */

struct discovery_candidate {
    uint32_t wallet; /* ledger id */
    char address[BASE58_KEY_MAX];
    uint32_t entries;   /* tokens it bought (first buys) */
    uint32_t early_all; /* tokens it bought early, successful or not */
    uint32_t early;     /* successful tokens it bought early */
    uint32_t hits;      /* ... and sold in profit */
    double hit_pnl_sol; /* realized on those */
    double score;       /* smart-money score at now */
    double bot;         /* bot-likeness */
    double follow;      /* copy-trading share */
    double scalp_share;
    double entry_age_min; /* mean minutes from launch to its first buys */
    double timing;        /* entry timing percentile (metrics.h), 0 = first buyer */
    double selection;     /* shrunk share of its early entries that succeeded */
    uint32_t trades;
    double win_rate, roi, pnl_sol;
    bool decay_flagged;
    enum discovery_excl excl;
    double model_ev;    /* the model's predicted copier expectancy (SOL), NAN without */
    double model_score; /* its percentile among the candidates, 0..100; NAN without */
    double rank;        /* eligible candidates are ordered by this, descending */
};

struct discovery_result {
    int64_t now_ms;
    uint32_t tokens;                   /* tokens considered (launched within the lookback) */
    uint32_t success_tokens;           /* ... that succeeded */
    size_t eligible;                   /* the first `eligible` candidates are eligible */
    enum score_mode scoring;           /* what the rank used (rules when there was no model) */
    VEC(struct discovery_candidate) c; /* eligible by rank, then the others */
};

/* Finds and ranks the candidates. Returns 0 (out filled; release it with
 * discovery_result_release). */
int discovery_find(const struct profile_state *ps, const struct discovery_params *p, int64_t now_ms,
                   struct discovery_result *out);
void discovery_result_release(struct discovery_result *r);

struct discovery_apply_stats {
    size_t added;            /* candidate -> watch */
    size_t kept;             /* already watched by the algorithm and still in the top K */
    size_t rewatched;        /* flagged -> watch: recovered and back in the top K */
    size_t dropped;          /* algorithm watch -> candidate: no longer in the top K */
    size_t flagged;          /* algorithm watch -> flagged: decay flag */
    size_t operator_skipped; /* top candidates the operator decided about (kept as they are) */
    size_t watchlist;        /* wallets with status watch afterwards (any method) */
};

/* Makes the algorithm's watchlist the top K eligible candidates of r: adds
 * candidates (status watch, discovery "algorithm"), drops algorithm wallets
 * that left the top K back to candidate, and flags algorithm wallets whose
 * decay flag is up. Blacklisted and removed wallets, and wallets the
 * operator added (discovery "manual"), are never changed. Each change is a
 * compare-and-set, so a concurrent operator decision wins. The wallets must
 * already be stored (profile_write). Returns 0 or WT_ESTORE. */
int discovery_apply(struct store *st, const struct discovery_result *r,
                    const struct discovery_params *p, int64_t now_ms,
                    struct discovery_apply_stats *out);

/* One full run: load every swap, profile and write every wallet, find and
 * apply. now_ms <= 0 means the latest swap's time. The state is returned in
 * *ps_out when not NULL (the caller frees it), and the result in *res_out
 * when not NULL (the caller releases it). Returns 0, WT_ESTORE. */
struct discovery_report {
    int64_t now_ms;
    size_t swaps;
    struct profile_stats profile;
    uint32_t tokens, success_tokens;
    size_t candidates, eligible;
    struct discovery_apply_stats apply;
    enum score_mode scoring;                   /* what the ranking used */
    double seconds;                            /* the whole run */
    double load_s, profile_s, find_s, apply_s; /* its steps */
};
int discovery_run(struct store *st, const struct discovery_params *dp,
                  const struct profile_params *pp, int64_t now_ms, struct discovery_report *rep,
                  struct profile_state **ps_out, struct discovery_result *res_out);

/* The model discovery_run ranks with when p->score_mode is not rules:
 * p->model_file, else the newest in <p->data_dir>/models. Logs the file
 * used, or (a warning) that there is none or it cannot be read, in which
 * case it returns NULL and the ranking is the rules'. Free with
 * model_free. */
struct model *discovery_model_load(const struct discovery_params *p);

/* Wallets whose stored metrics predate WALLET_METRICS_VERSION (0 on a
 * store error). */
size_t discovery_stale_wallets(struct store *st);

/* The scheduled run inside `serve`: a job of the scheduler sc
 * (base/sched.h), on a worker of its own, that calls discovery_run every
 * discovery.interval_min minutes (0: no job; returns 0 and *out NULL)
 * with the parameters of cfg (copied). The first run comes after one
 * interval, or at once with discovery.on_start. After each successful run
 * it calls after_run(ctx, &report) on the job's thread when after_run is
 * not NULL (serve uses it to bring the engine's watchlist in step). A run
 * due while the previous one still runs is skipped. Returns 0 or
 * WT_EINVAL (sc already started). Free it with discovery_sched_free (NULL
 * is fine) after sc is freed (which waits for a run in progress). */
struct discovery_sched;

/* What the scheduled runs did so far (for /metrics). */
struct discovery_sched_stats {
    uint64_t runs, failures;      /* runs that finished, and those of them that failed */
    uint64_t crawl_requests;      /* requests the scheduled crawls sent, in all */
    uint64_t added, dropped;      /* watchlist changes of every run, in all */
    uint64_t flagged, rewatched;  /* (discovery_apply_stats) */
    int64_t last_ok_ms;           /* wall time the last successful run ended, 0 none */
    struct discovery_report last; /* that run's report (zeros before) */
};

int discovery_sched_start(struct sched *sc, struct store *st, const struct config *cfg,
                          void (*after_run)(void *ctx, const struct discovery_report *rep),
                          void *ctx, struct discovery_sched **out);
void discovery_sched_free(struct discovery_sched *s);
/* A copy of the counts; s may be NULL (no schedule: zeros). Any thread. */
void discovery_sched_stats(struct discovery_sched *s, struct discovery_sched_stats *out);

#endif
