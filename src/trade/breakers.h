/* Circuit breakers: the automatic capital protection of the product.
 *
 *   drawdown from peak equity > max_drawdown (20%)     -> entries paused
 *   over the last win_rate_window (50) closed trades:
 *     profit factor < min_profit_factor (1.0), or
 *     win rate < min_win_rate (0: off; the documents'
 *     rule is 40%)                                     -> trading halted
 *   max_loss_streak (3) consecutive stop-loss exits     -> size x reduced_factor
 *     until the operator resets it or recovery_wins (2)
 *     consecutive winning trades
 *   no signal for silence_ms (48 h)                     -> health alert
 *   operator pause / resume / reset
 *
 * The state changes only through these functions, each taking the time as
 * an argument, and each trigger or clearance appends an alert (kind, trip
 * or clear, time, reason) to the caller's list. The whole state serialises
 * to JSON and reads back identically, so a restart restores it exactly.
 * Owned by the engine thread; no locking. */
#ifndef WT_TRADE_BREAKERS_H
#define WT_TRADE_BREAKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define BREAKER_WINDOW_MAX 1000
#define BREAKER_REASON_MAX 160
#define BREAKER_ALERTS_MAX 8

enum breaker_kind {
    BREAKER_DRAWDOWN = 0, /* blocks entries */
    BREAKER_WIN_RATE,     /* blocks entries */
    BREAKER_LOSS_STREAK,  /* reduces size */
    BREAKER_SILENCE,      /* health alert only */
    BREAKER_OPERATOR,     /* operator pause: blocks entries */
    BREAKER_KIND_COUNT,
};

enum breaker_action {
    BREAKER_TRIP = 1,
    BREAKER_CLEAR = 2,
};

/* One alert. reason is a full sentence with the numbers that tripped it. */
struct breaker_alert {
    enum breaker_kind kind;
    enum breaker_action action;
    int64_t ts_ms;
    char reason[BREAKER_REASON_MAX];
};

/* Alerts produced by calls; callers zero n, each call appends. Past
 * BREAKER_ALERTS_MAX further alerts are counted in dropped. */
struct breaker_alerts {
    uint32_t n, dropped;
    struct breaker_alert a[BREAKER_ALERTS_MAX];
};

/* Invariants (breaker_params_validate): 0 < max_drawdown < 1;
 * 0 <= min_win_rate <= 1; 0 <= min_profit_factor <= 100;
 * 1 <= win_rate_window <= BREAKER_WINDOW_MAX;
 * max_loss_streak >= 1; silence_ms > 0. recovery_wins 0 means only the
 * operator clears the size reduction. */
struct breaker_params {
    double max_drawdown;
    double min_win_rate;      /* 0: the win-rate rule is off */
    double min_profit_factor; /* gross wins / gross losses over the window; 0: off */
    uint32_t win_rate_window;
    uint32_t max_loss_streak;
    uint32_t recovery_wins;
    int64_t silence_ms;
};

void breaker_params_default(struct breaker_params *p);
int breaker_params_validate(const struct breaker_params *p, char *err, size_t errsize);

/* Invariants: peak_equity >= equity unless both were just reset; n_recent
 * <= p.win_rate_window; wins == number of 1s among recent[0..n_recent),
 * which is in time order, oldest first; recovery_streak > 0 only while the
 * loss-streak breaker is active. */
struct breakers {
    struct breaker_params p;
    uint64_t peak_equity_lamports;
    uint64_t equity_lamports;
    bool active[BREAKER_KIND_COUNT];
    int64_t since_ms[BREAKER_KIND_COUNT];                /* time of the last trip or clear */
    char reason[BREAKER_KIND_COUNT][BREAKER_REASON_MAX]; /* of the last trip or clear */
    uint8_t recent[BREAKER_WINDOW_MAX];                  /* 1 = winning trade */
    int64_t recent_pnl[BREAKER_WINDOW_MAX];              /* their PnL, lamports */
    uint32_t n_recent;
    uint32_t wins;
    uint32_t loss_streak;     /* consecutive stop-loss exits */
    uint32_t recovery_streak; /* consecutive wins while size is reduced */
    uint64_t n_trades;
    int64_t last_signal_ms;
};

/* Initial state at time now_ms with this equity (the peak starts there;
 * the signal-silence clock starts at now_ms). Returns 0 or WT_EINVAL for
 * invalid params (message in err). */
int breakers_init(struct breakers *b, const struct breaker_params *p, uint64_t equity_lamports,
                  int64_t now_ms, char *err, size_t errsize);

/* The equity (cash + open positions at market) changed. Raises the peak or
 * trips the drawdown breaker when (peak - equity) / peak > max_drawdown. */
void breakers_on_equity(struct breakers *b, uint64_t equity_lamports, int64_t ts_ms,
                        struct breaker_alerts *out);
/* A closed trade: win when pnl_lamports > 0; stop_loss when its exit
 * reason was the stop-loss (a max-loss trade). Updates the window of the
 * last win_rate_window trades and the loss streak, and may trip or clear
 * breakers. The performance breaker (kind BREAKER_WIN_RATE, "win_rate" in
 * the API for compatibility) trips once the window is full and its profit
 * factor is below min_profit_factor or its win rate below min_win_rate. */
void breakers_on_trade(struct breakers *b, int64_t pnl_lamports, bool stop_loss, int64_t ts_ms,
                       struct breaker_alerts *out);
/* A signal was produced (whatever its decision); clears the silence alert. */
void breakers_on_signal(struct breakers *b, int64_t ts_ms, struct breaker_alerts *out);
/* A timer tick: trips the silence alert once no signal came for silence_ms. */
void breakers_on_tick(struct breakers *b, int64_t ts_ms, struct breaker_alerts *out);

/* Operator pause and resume (resume clears the operator pause only, not a
 * tripped breaker). reason may be NULL. */
void breakers_pause(struct breakers *b, int64_t ts_ms, const char *reason,
                    struct breaker_alerts *out);
void breakers_resume(struct breakers *b, int64_t ts_ms, struct breaker_alerts *out);
/* Operator reset of one breaker, or of drawdown, win rate, loss streak and
 * silence when kind is BREAKER_KIND_COUNT. Resetting the drawdown breaker
 * moves the peak to the current equity; resetting the win rate empties the
 * window; otherwise both would trip again at the next event. */
void breakers_reset(struct breakers *b, enum breaker_kind kind, int64_t ts_ms,
                    struct breaker_alerts *out);

/* May the engine open new positions (no drawdown, win-rate or operator
 * pause active)? */
bool breakers_entries_allowed(const struct breakers *b);
/* Is the size-reduction breaker active? */
bool breakers_size_reduced(const struct breakers *b);
/* "drawdown", "win_rate", "loss_streak", "signal_silence", "operator". */
const char *breaker_kind_name(enum breaker_kind k);

/* JSON of the state (not the params, which come from the configuration). */
int breakers_format(const struct breakers *b, struct buf *out);
/* Restores a state written by breakers_format under params p. When the
 * window is now shorter, the oldest outcomes are dropped. Returns 0 or
 * WT_EPARSE/WT_ETYPE/WT_ENOTFOUND/WT_EINVAL with a message in err, leaving
 * *b unchanged. */
int breakers_parse(struct breakers *b, const struct breaker_params *p, const char *json, size_t len,
                   char *err, size_t errsize);

#endif
