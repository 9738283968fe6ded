/* Replay: one backtest run. The events of a tape go through a fresh
 * engine (trade/engine.h: the same code as `serve`) with the paper
 * executor and the events' own clock, and the decisions are collected:
 * signals, closed trades, a mark-to-market equity curve (cash plus open
 * positions at the engine's market price, sampled each hour of event time
 * and at the end) and the metrics.
 *
 * Start state: the watchlist (wallets watched with their score as the
 * prior, blacklisted wallets) as given, an empty paper account with the
 * run's capital. The tape's records before from_ms warm the engine's
 * wallet intelligence and market state (engine_warm_swap, as `serve`
 * warms at start); the records in [from_ms, to_ms) are replayed. Ticks
 * come every engine.tick_ms of event time while anything time-driven is
 * open (a position, an order, a parked signal) and once a minute
 * otherwise (the signal-silence breaker then trips up to a minute late).
 *
 * Skipping (bt_plan): a record is fed when its wallet is watched or its
 * mint is traded by a watched wallet anywhere in the tape before to_ms
 * (warm-up included: a mint's whole history shapes what intel learns of
 * a watched wallet's trades in it); the rest cannot reach a decision. Of
 * the fed records, only the watched wallets' reach the engine whole: the
 * others are fed market-only (engine_handle_market_only: the mint's state
 * in the market and in intel, prices, peaks, liquidity, holders, buyer
 * counts, moves exactly as with engine_handle, but the wallet itself,
 * whose state no decision reads, is not kept), with what the engine would
 * have looked up of their wallet (its holding, its first buys) computed
 * once by the plan. The
 * unit test checks that a filtered and an unfiltered run decide exactly
 * alike. The plan is built once per tape, watchlist and
 * window and shared read-only by every run over them (grid search).
 *
 * bt_replay is pure and reentrant: runs share nothing but the read-only
 * tape and plan, so many run side by side on many threads. */
#ifndef WT_BACKTEST_REPLAY_H
#define WT_BACKTEST_REPLAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backtest/scenario.h"
#include "backtest/tape.h"
#include "base/buf.h"
#include "base/vec.h"
#include "event/event.h"
#include "store/store.h"
#include "trade/engine.h"

struct engine;
struct engine_out;

struct bt_watch {
    struct pubkey wallet;
    double prior; /* 0..100, -1: none */
    bool blacklisted;
};

/* Invariants: no wallet twice. Order is the order applied (the order
 * `serve` loads them: best score first, ties by address). */
struct bt_watchlist {
    VEC(struct bt_watch) v;
};

void bt_watchlist_release(struct bt_watchlist *w);
/* The store's watchlist: status watch with their score, and blacklisted
 * wallets. Returns 0 or a store error. */
int bt_watchlist_from_store(struct bt_watchlist *w, struct store *st);

/* Which records of a tape a run over a window feeds: idx[0..n_warm) warm,
 * idx[n_warm..len) are replayed. */
struct bt_plan {
    VEC(uint32_t) idx;
    /* By tape key id: 1 for the watched wallets, whose swaps are applied
     * whole; the other fed swaps reach the engine market-only
     * (engine_handle_market_only). NULL (unfiltered): all whole. A wallet
     * watched at any time of a run (were the watchlist to change during
     * one) must be whole in its plan: a market-only wallet has no state
     * of its own to score. */
    uint8_t *whole;
    /* By plan position, for the market-only swaps: what the engine would
     * otherwise look up of their wallet (engine_swap_known), computed once
     * here over the fed swaps in order, so that the runs keep no state of
     * those wallets at all. NULL when whole is. */
    struct engine_swap_known *known;
    size_t n_warm;
    int64_t from_ms, to_ms;
    size_t skipped;
};

/* Builds the plan of the window [from_ms, to_ms), warmed by the records
 * of [warm_from_ms, from_ms) (records before warm_from_ms are left out
 * entirely); filter false keeps every record (for the equivalence test and
 * the reference measurement). Returns 0 or WT_EINVAL (empty or inverted
 * window, or a tape of more than 2^30 keys, which bt_tape_load refuses).
 * Cost: two passes over the window's records and a (wallet, mint) table of
 * the market-only wallets' holdings. */
int bt_plan_build(struct bt_plan *p, const struct bt_tape *t, const struct bt_watchlist *wl,
                  int64_t warm_from_ms, int64_t from_ms, int64_t to_ms, bool filter);
void bt_plan_release(struct bt_plan *p);

struct bt_signal {
    int64_t ts_ms;
    uint32_t wallet, mint; /* tape key ids */
    double score;
    uint8_t reason; /* enum signal_reason */
    uint64_t size_lamports;
};

struct bt_trade {
    int64_t opened_ms, closed_ms;
    uint32_t mint, wallet;
    double pnl_sol, pnl_pct, cost_sol, score;
    char exit_reason[24];
    char strategy[32];
};

/* An order's last state (as the store keeps it: one row per order). */
struct bt_order {
    uint64_t id, signal_id;
    int64_t ts_ms, updated_ms;
    uint32_t mint;  /* tape key id */
    uint8_t side;   /* enum side */
    uint8_t status; /* enum engine_order_status */
    uint16_t slippage_bps;
    uint64_t amount_in;
    char error[96];
};

struct bt_point {
    int64_t ts_ms;
    double equity_sol;
};

/* The numbers of a run (docs/backtest.md has the formulas). Return and
 * drawdown are of the mark-to-market curve; the trade numbers are of the
 * closed trades, after fees and slippage; sharpe is of the daily returns
 * of the curve, valid with at least BT_SHARPE_MIN_DAYS days. */
#define BT_SHARPE_MIN_DAYS 7
struct bt_metrics {
    double capital_sol, final_equity_sol, return_pct, pnl_sol;
    uint64_t trades, wins;
    double win_rate, profit_factor, expectancy_sol, max_drawdown_pct, sharpe;
    bool sharpe_valid, profit_factor_inf;
    uint64_t signals, traded, events, skipped, open_positions;
};

struct bt_result {
    VEC(struct bt_signal) signals;
    VEC(struct bt_trade) trades;
    VEC(struct bt_point) curve;
    VEC(struct bt_order) orders; /* as-recorded runs only (bt_collector_new) */
    struct bt_metrics m;
    struct buf perf; /* trade/perf's JSON of the closed trades */
};

void bt_result_init(struct bt_result *r);
void bt_result_release(struct bt_result *r);

struct bt_run_opts {
    /* Set to nonzero from any thread to stop the run: it returns
     * WT_ECLOSED and the result is to be thrown away. May be NULL. */
    atomic_int *cancel;
    /* Called every ~1% of the replayed records with done/total (on the
     * run's thread). May be NULL. */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
    unsigned perf_points; /* cap of the perf curve (0: 200) */
    /* Summary only: no signal list and no perf JSON (grid search). */
    bool summary;
    /* Optional, increasing times inside (from_ms, to_ms]: at each, the
     * metrics the run would have if it ended there (exactly those of a
     * run over [from_ms, checkpoint): walk-forward's in-sample halves
     * come from one pass) into at_checkpoint[i]. */
    const int64_t *checkpoints;
    size_t n_checkpoints;
    struct bt_metrics *at_checkpoint;
};

/* Runs one scenario. Returns 0 with r filled, WT_ECLOSED (cancelled),
 * or WT_EINVAL with err (the engine refused its parameters). */
int bt_replay(const struct bt_tape *t, const struct bt_plan *p, const struct bt_setup *s,
              const struct bt_watchlist *wl, const struct bt_run_opts *o, struct bt_result *r,
              char *err, size_t errsize);

/* For drivers other than bt_replay (as-recorded runs, backtest/recorded.h):
 * an engine output collecting the run's decisions into r, as bt_replay's
 * own: signals and closed trades with wallets and mints as ids of t's
 * keys (t must hold every key the engine can name), and with orders each
 * order's last state; decisions before from_ms (signals, orders by
 * their time, trades by their close) are not kept. The engine given it
 * owns it. capital: of the perf curve. */
struct engine_out *bt_collector_new(const struct bt_tape *t, struct bt_result *r, double capital,
                                    bool orders, int64_t from_ms);
/* One point of the equity curve at ts. */
void bt_sample(struct engine *e, int64_t ts, struct bt_result *r);
/* The end of such a run: the last sample at to_ms, the metrics (return and
 * drawdown against capital) and the perf JSON (perf_points: 0 is 200). */
void bt_collector_finish(struct engine_out *o, struct engine *e, int64_t to_ms, double capital,
                         unsigned perf_points);

/* The metrics as one JSON object (appended to out). */
void bt_metrics_json(const struct bt_metrics *m, struct buf *out);

#endif
