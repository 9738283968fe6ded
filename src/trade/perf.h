/* Performance of our own closed trades: the numbers behind GET
 * /v1/performance and `walltrack report`.
 *
 * An accumulator is fed closed trades in close order (from the store) and
 * writes: totals (trades, wins, win rate, PnL, average win and loss,
 * profit ratio, profit factor, expectancy, return on the starting
 * capital), the realized equity curve and its maximum drawdown, the
 * mark-to-market curve and its drawdown (perf_mark), PnL and trades per UTC
 * day, a daily Sharpe ratio,
 * the win rate week by week (signal accuracy over time), results by UTC
 * hour of entry, by bucket of the signal's score and of
 * each factor, by exit reason and by strategy, and which factors separate
 * winners from losers (mean of each among winners and losers, and the
 * point-biserial correlation with winning). Formulas in docs/engine.md
 * ("Performance").
 *
 * Pure; one accumulator per caller. */
#ifndef WT_TRADE_PERF_H
#define WT_TRADE_PERF_H

#include <stdbool.h>
#include <stdint.h>

#include "signal/signal.h"
#include "store/store.h"

struct jw;

/* One closed trade as the accumulator needs it. */
struct perf_trade {
    int64_t opened_ms, closed_ms;
    double pnl_sol, pnl_pct, cost_sol;
    double score;
    double f[SF_COUNT];
    bool has_factors;
    int entry_hour; /* 0..23 UTC */
    char exit_reason[24];
    char strategy[32];
};

/* Fills t from a stored row (its factors JSON parsed). Returns 0. */
int perf_trade_from_row(const struct closed_trade_row *r, struct perf_trade *t);

struct engine_trade;

/* Fills t from a closed trade as the engine hands it out (its score,
 * factors, entry hour, exit reason and strategy). */
void perf_trade_from_engine(const struct engine_trade *e, struct perf_trade *t);

struct perf;

/* capital_sol: the starting equity the curve and the returns start from. */
struct perf *perf_new(double capital_sol);
void perf_free(struct perf *p);
/* Trades in close order. */
void perf_add(struct perf *p, const struct perf_trade *t);
/* Writes the JSON object of GET /v1/performance (docs/api.md).
 * equity_now_sol < 0 when unknown (the curve then ends at the last
 * trade); max_points caps the curve (it is thinned evenly, keeping the
 * first, the last and the lowest point). */
void perf_write(const struct perf *p, double equity_now_sol, int64_t now_ms, unsigned max_points,
                struct jw *w);
/* Trades fed so far. */
uint64_t perf_count(const struct perf *p);

/* Mark-to-market: one sample of the equity with the open positions valued
 * at their last price (cash + open positions), at ts_ms, in time order
 * (a sample older than the last one is ignored). perf_write then adds the
 * mark-to-market curve and its maximum drawdown beside the realized ones
 * (docs/engine.md, "Performance"); without samples they equal the
 * realized ones. */
void perf_mark(struct perf *p, int64_t ts_ms, double equity_sol);

/* Maximum drawdowns so far, in SOL and percent of the peak: of the
 * realized curve (closed trades only) and of the mark-to-market samples
 * (the realized values when there are none). */
struct perf_drawdowns {
    double realized_sol, realized_pct;
    double mtm_sol, mtm_pct;
    uint64_t mtm_samples;
};
void perf_drawdowns(const struct perf *p, struct perf_drawdowns *out);

#endif
