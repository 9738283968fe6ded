/* Open positions and the evaluation of their exit rules.
 *
 * A position is what we hold of one token after one entry: the entry (time,
 * price, SOL spent, tokens received), what is left, what the sales brought,
 * the running peak and the state the exit rules need. position_on_price is
 * a pure function of the position, a price and a time: it never reads the
 * clock, so the same price path gives the same decisions in serve,
 * backtest and tests (DESIGN §1).
 *
 * The cycle: the engine calls position_on_price (or position_on_wallet_sell
 * or position_on_time) for each price it sees; a decision names a reason
 * and an amount; the engine marks it pending, has the executor sell, and
 * applies the fill with position_apply_fill; it calls again at the same
 * price until no decision comes, because one price can trigger several
 * take-profits in turn. The precedence when several rules trigger at once
 * is in docs/exits.md.
 *
 * Amounts are u64 raw token units and lamports; prices are doubles in SOL
 * per whole token (DESIGN §4). A position belongs to the engine thread. */
#ifndef WT_TRADE_POSITION_H
#define WT_TRADE_POSITION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "solana/pubkey.h"
#include "trade/exits.h"

/* Paper and live positions never mix: the mode is part of every position
 * and every closed trade, and the store keeps them apart. */
enum trade_mode {
    TRADE_PAPER = 0,
    TRADE_LIVE = 1,
};

enum exit_reason {
    EXIT_NONE = 0,
    EXIT_STOP_LOSS,
    EXIT_TAKE_PROFIT, /* with a level, 1-based: take_profit_1 ... */
    EXIT_TRAILING_STOP,
    EXIT_MAX_HOLD,
    EXIT_STAGNATION,
    EXIT_WALLET_SOLD,
    EXIT_MANUAL, /* an operator closed the position */
};

#define EXIT_REASON_MAX 24

/* "stop_loss", "take_profit_2", ... into out (EXIT_REASON_MAX bytes);
 * returns out. tp_level is ignored unless reason is EXIT_TAKE_PROFIT. */
char *exit_reason_format(enum exit_reason r, uint32_t tp_level, char out[EXIT_REASON_MAX]);
/* The inverse. Returns 0 or WT_EINVAL. */
int exit_reason_parse(const char *s, enum exit_reason *r, uint32_t *tp_level);
const char *trade_mode_name(enum trade_mode m);

/* One exit decision: sell amount_raw tokens for this reason.
 * Invariant: reason != EXIT_NONE implies 0 < amount_raw <= remaining of
 * the position it came from; closes is true when the sale leaves nothing
 * (or only dust). */
struct exit_decision {
    enum exit_reason reason;
    uint32_t tp_level; /* 1-based, for EXIT_TAKE_PROFIT */
    uint64_t amount_raw;
    bool closes;
    double price;     /* the price that triggered it */
    double threshold; /* the level it crossed (stop, trail, TP price; 0 for time rules) */
};

/* The record of a position once it is closed (the feedback loop and the
 * performance view read these). exit_price is the average SOL per whole
 * token over all sales; pnl_lamports = proceeds - cost, both including every
 * fee; pnl_pct = 100 * pnl / cost; reason is the reason of the last sale. */
struct closed_trade {
    uint64_t position_id;
    uint64_t signal_id;
    enum trade_mode mode;
    struct pubkey mint;
    struct pubkey wallet;
    char strategy[EXIT_NAME_MAX];
    int64_t entry_ts_ms, exit_ts_ms, duration_ms;
    double entry_price, exit_price;
    uint64_t cost_lamports;
    int64_t proceeds_lamports;
    int64_t pnl_lamports;
    double pnl_sol, pnl_pct;
    enum exit_reason reason;
    uint32_t tp_level;
    uint32_t n_sales;
};

/* Invariants (position_ok): remaining_raw <= amount_raw; tp_sold_raw +
 * other sales = amount_raw - remaining_raw; pending_raw <= remaining_raw;
 * basis_sold_lamports = floor(cost * sold / amount) (so at close it equals
 * cost exactly); realized_pnl = proceeds - basis_sold; closed iff
 * remaining_raw == 0; peak_price >= entry_price; strategy is valid. */
struct position {
    uint64_t id;
    uint64_t signal_id;
    enum trade_mode mode;
    struct pubkey mint;
    struct pubkey wallet; /* the copied wallet */
    uint8_t decimals;     /* of mint */
    int64_t entry_ts_ms;
    double entry_price;     /* SOL per whole token, of the entry fill */
    uint64_t cost_lamports; /* SOL spent, every fee included */
    uint64_t amount_raw;    /* tokens received at entry */
    uint64_t remaining_raw;
    uint64_t pending_raw; /* a sale in flight; no new decision meanwhile */
    uint64_t dust_raw;    /* a remainder at or below this closes the position */
    uint64_t tp_sold_raw; /* sold by take-profits, across strategy changes */
    uint32_t tp_hit;      /* bit i: level i of the current strategy done */
    uint32_t n_sales;
    int64_t proceeds_lamports; /* net of fees; a sale can cost more than it brings */
    uint64_t basis_sold_lamports;
    int64_t realized_pnl_lamports;
    double peak_price;
    double last_price;
    int64_t last_ts_ms;
    double stag_anchor_price;  /* the stagnation window started here... */
    int64_t stag_anchor_ts_ms; /* ...at this time */
    bool wallet_sold;          /* the copied wallet sold this mint */
    bool closed;
    int64_t exit_ts_ms;
    enum exit_reason last_reason;
    uint32_t last_tp_level;
    struct exit_strategy strategy;
};

/* Parameters of a new position, taken from the entry fill. */
struct position_open_args {
    uint64_t id, signal_id;
    enum trade_mode mode;
    struct pubkey mint, wallet;
    uint8_t decimals;
    int64_t ts_ms;
    double price; /* entry price, SOL per whole token, > 0 */
    uint64_t cost_lamports;
    uint64_t amount_raw; /* > 0 */
    uint64_t dust_raw;
    const struct exit_strategy *strategy;
};

/* Opens a position (the caller owns the storage; nothing is allocated).
 * Returns 0, or WT_EINVAL for a zero amount, a non-positive price or an
 * invalid strategy. */
int position_open(struct position *p, const struct position_open_args *a);

/* Evaluates every exit rule at this price and time and writes at most one
 * decision (d->reason == EXIT_NONE when nothing triggers). Updates the
 * running peak, the last price and the stagnation window, so call it with
 * non-decreasing ts_ms. No decision while a sale is pending or once closed.
 * Returns 0, or WT_EINVAL for a non-finite or non-positive price. */
int position_on_price(struct position *p, double price, int64_t ts_ms, struct exit_decision *d);
/* A timer tick: position_on_price at the last known price (the time rules
 * must fire even when no price arrives). */
int position_on_time(struct position *p, int64_t ts_ms, struct exit_decision *d);
/* The copied wallet (or another wallet) sold this mint at `price`. When
 * wallet is the position's copied wallet, the position remembers it, and
 * the wallet_sold rule (if the strategy has it) triggers from now on; then
 * all rules are evaluated as in position_on_price. */
int position_on_wallet_sell(struct position *p, const struct pubkey *wallet, double price,
                            int64_t ts_ms, struct exit_decision *d);

/* The operator closes the position: after the usual bookkeeping of the
 * price, *d is a decision to sell everything (reason manual), moonbag
 * included. Returns 0, WT_EINVAL (bad price) or WT_ESTATE (closed, or a sale
 * is pending). */
int position_manual_exit(struct position *p, double price, int64_t ts_ms, struct exit_decision *d);

/* Marks a decision as sent to the executor. Returns 0 or WT_ESTATE (already
 * pending, closed, or more than remains). */
int position_mark_pending(struct position *p, const struct exit_decision *d);
/* The sale failed; clears the pending amount. */
void position_cancel_pending(struct position *p);
/* A failed sale's transaction fees: taken from proceeds and realized PnL,
 * so the closed trade's PnL includes them. */
void position_charge_fee(struct position *p, uint64_t fee_lamports);

/* Applies a sale of sold_raw tokens that brought proceeds_lamports (net of
 * the DEX, network and priority fees; may be negative). Clears any pending
 * amount, updates remaining, realized PnL, marks a take-profit level done;
 * when the remainder is at or below the dust threshold the position
 * closes, *closed is set (if not NULL) and *rec receives the closed trade
 * (if not NULL). Returns 0, WT_ESTATE (closed) or WT_EINVAL (sold_raw 0 or
 * more than remains). */
int position_apply_fill(struct position *p, const struct exit_decision *d, uint64_t sold_raw,
                        int64_t proceeds_lamports, int64_t ts_ms, bool *closed,
                        struct closed_trade *rec);

/* Changes the strategy of an open position (operator override). Take-profit
 * levels are re-armed: each level of the new strategy sells up to its
 * cumulative fraction of the original amount minus what take-profits have
 * already sold, so profit already secured is not secured twice. The peak,
 * the stagnation window and the wallet_sold flag carry over. Returns 0,
 * WT_EINVAL (invalid strategy, message in err) or WT_ESTATE (closed). */
int position_set_strategy(struct position *p, const struct exit_strategy *s, char *err,
                          size_t errsize);

/* Tokens the moonbag rule currently protects from stop-loss, stagnation and
 * wallet_sold exits. */
uint64_t position_locked_raw(const struct position *p);
/* Unrealized value of the remainder at price, in lamports (price x amount,
 * rounded down). */
uint64_t position_value_lamports(const struct position *p, double price);
/* Verifies the invariants; for asserts. */
bool position_ok(const struct position *p);

/* JSON of the complete state, for the store and the restart path. Parsing
 * the output gives a position whose evaluation is identical. */
int position_format(const struct position *p, struct buf *out);
/* Returns 0, or WT_EPARSE/WT_ETYPE/WT_ENOTFOUND/WT_EINVAL with the message
 * in err, leaving *p unchanged. */
int position_parse(const char *json, size_t len, struct position *p, char *err, size_t errsize);
/* JSON of a closed trade (for the API and the SSE stream). */
int closed_trade_format(const struct closed_trade *t, struct buf *out);

#endif
