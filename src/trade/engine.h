/* The trading engine: one struct owning every piece of mutable trading and
 * intelligence state, and one function that advances it by one event.
 *
 *     engine_handle(e, &event)   ->  decisions through struct engine_out
 *
 * The engine is a deterministic function of its parameters and the
 * ordered event stream (DESIGN §1): the clock is the events' own time
 * (never the system's), there is no global state, no I/O and no thread
 * inside. `serve` feeds it from a queue on its own thread
 * (trade/runner.h), backtests and tests feed it event lists, and the same
 * events give the same decisions byte for byte.
 *
 * What one event does (docs/engine.md has the whole loop):
 *   swap     - feeds intel (ledgers, metrics, score, decay) and the market
 *              state (price, liquidity, holders); re-prices open positions
 *              of that mint and runs their exit rules; the copied wallet
 *              selling is the wallet_sold exit; a BUY by a watched wallet
 *              becomes a signal (factors, score, decision, reason) and,
 *              when traded, a sized buy order to the executor.
 *              With signal.token_wait_ms > 0 and no fresh feed report of
 *              the mint, the signal is parked instead and the engine asks
 *              for token facts (engine_out token_request); it is scored
 *              when a price event reports on the mint or the wait expires.
 *   price    - market state, positions of that mint, parked signals of
 *              that mint when it reports liquidity or market cap.
 *   transfer - counted; funding links will belong to the graph module
 *              (src/graph/, planned: issue 17).
 *   fill     - opens a position (buy) or applies a sale (sell); a closed
 *              position becomes a closed trade that feeds the breakers and
 *              the feedback loop (our results per copied wallet, per hour).
 *   tick     - time rules of every position, the signal-silence breaker,
 *              the paper executor's latency.
 *   command  - pause, resume, breaker reset, watch/unwatch, blacklist of a
 *              wallet or a cluster member, a live setting, a position's
 *              strategy, a manual close.
 *
 * Fills from a synchronous executor (paper) are queued inside the engine
 * and handled right after the event that produced them, before the next
 * event, so paper results depend on the input stream alone.
 *
 * Not thread-safe: one engine belongs to one thread. Many engines may run
 * side by side (grid search). */
#ifndef WT_TRADE_ENGINE_H
#define WT_TRADE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "event/event.h"
#include "intel/intel.h"
#include "market/market.h"
#include "signal/signal.h"
#include "trade/breakers.h"
#include "trade/engine_out.h"
#include "trade/executor.h"
#include "trade/exits.h"
#include "trade/paper.h"
#include "trade/position.h"
#include "trade/sizing.h"

/* Everything configurable. Invariants (engine_params_validate): each
 * sub-struct valid; sizing.threshold == signal.threshold; capital > 0;
 * 0 < max_exposure <= 1; book is a valid exit book (exit_book_validate).
 * The book's strategies change by command (CMD_EXIT_PUT, CMD_EXIT_DELETE),
 * its default and overrides by the settings trade.default_strategy and
 * trade.exit_overrides. */
struct engine_params {
    enum trade_mode mode;
    uint64_t capital_lamports;     /* starting equity of a fresh paper account (10 SOL) */
    uint64_t fee_reserve_lamports; /* cash never committed to entries (0.01 SOL) */
    double max_exposure;           /* open positions + pending buys, fraction of equity (0.5) */
    uint16_t slippage_bps;         /* on every order (300) */
    double dust_fraction;          /* a position's remainder below this share closes it (0.001) */
    int64_t rescore_ms;     /* a wallet's cached intel score is rebuilt after this (1 h)... */
    int64_t rescore_min_ms; /* ...or when a round trip closed, at most this often (5 min) */
    /* Waiting for token facts (docs/engine.md): a signal on a mint with no
     * feed report younger than token_fresh_ms waits up to token_wait_ms
     * (event time) for one; 0 scores at once. signal.token_wait_ms, 0;
     * token_fresh_ms 60 s. */
    int64_t token_wait_ms;
    int64_t token_fresh_ms;
    struct exit_book book; /* default and runner, default "default", 0.85 -> runner */
    struct signal_params signal;
    struct sizing_params sizing;
    struct breaker_params breakers;
    struct market_params market;
    struct intel_params intel;
};

void engine_params_default(struct engine_params *p);
/* Returns 0 or WT_EINVAL with a message naming the parameter in err. */
int engine_params_validate(const struct engine_params *p, char *err, size_t errsize);
/* Sets one parameter by its setting name (the config table's, e.g.
 * "signal.threshold", "trade.max_positions"; see docs/engine.md for the
 * list) from text, then (with validate) validates the whole; several
 * settings that are only valid together are set without, then checked
 * with engine_params_validate. Returns 0, WT_ENOTFOUND (not an engine
 * setting), WT_EPARSE / WT_EINVAL with a message naming the setting; p is
 * unchanged on failure. Pure. */
int engine_params_set(struct engine_params *p, const char *name, const char *value, bool validate,
                      char *err, size_t errsize);
/* Whether name is a setting engine_params_set knows. */
bool engine_param_known(const char *name);

struct engine;

/* A fresh engine at start_ms: equity = capital, breakers initialised, an
 * empty watchlist, the default exit book. Takes ownership of out (may be
 * NULL: decisions are dropped). No executor yet: orders fail with reason
 * executor_refused until engine_set_executor. Returns NULL with a message
 * in err when p is invalid. */
struct engine *engine_new(const struct engine_params *p, struct engine_out *out, int64_t start_ms,
                          char *err, size_t errsize);
/* Frees the engine, its executor and its output. NULL is allowed. */
void engine_free(struct engine *e);

/* A sink that queues fill events inside the engine; for executors that
 * emit on the engine thread (paper). */
struct exec_sink engine_exec_sink(struct engine *e);
/* Sets the executor (the engine owns it from now on and frees the previous
 * one). */
void engine_set_executor(struct engine *e, struct executor *x);
/* Calls fn with every event engine_handle is given, before it is handled
 * (the internal fills of a synchronous executor excluded: they follow from
 * the inputs). For recording the input stream (trade/journal.h); NULL
 * removes it. */
void engine_set_input_hook(struct engine *e, void (*fn)(void *ctx, const struct event *ev),
                           void *ctx);
/* A paper executor over the engine's own market state (its implied or
 * reported liquidity), with the engine's sink. Ready for
 * engine_set_executor. */
struct executor *engine_paper_executor(struct engine *e, const struct paper_params *pp);

/* Handles one event at its own time (the engine's clock is the largest
 * event time seen; an older event is handled at that clock). Returns 0, or
 * for a command that cannot be applied WT_EINVAL / WT_ENOTFOUND /
 * WT_ESTATE with the reason in engine_last_error(). Market events never
 * fail: what cannot be used is counted and skipped. */
int engine_handle(struct engine *e, const struct event *ev);
/* engine_handle of a swap by a wallet whose own state is never read in
 * this engine's life (a backtest's unwatched wallet: no signal, no
 * profile), given what the caller, following that wallet's swaps in order
 * itself, knows of this one (a backtest plan computes it once over the
 * tape). Everything is the same (market, marks, fills, breakers, the
 * mint's facts in intel) except that neither the market nor intel keeps
 * the wallet (market_on_swap_held, intel_observe): decisions are exactly
 * those of engine_handle. The wallet must not be watched, and its swaps
 * all come this way. */
struct engine_swap_known {
    uint64_t held_before; /* its raw holding of the mint before (market_holding_step) */
    bool market_buyer;    /* the swap is its first buy of the mint at a price */
    bool first_buy;       /* the swap is its first buy of the mint */
};
int engine_handle_market_only(struct engine *e, const struct event *ev,
                              const struct engine_swap_known *known);
/* Fills c (zeroed first) as the command that adds s to the exit book or
 * replaces the strategy of its name. */
void engine_command_exit_put(struct command_event *c, const struct exit_strategy *s);
/* The message of the last failed command ("" if none). */
const char *engine_last_error(const struct engine *e);

/* End of a batch: the output's flush (store commit, state row), then the
 * dirty marks are cleared. */
void engine_flush(struct engine *e);

/* ---- warm-up and restart -------------------------------------------------- */

/* Feeds a stored swap to intel and the market only: no signal, no position
 * update (the history loaded at start). */
void engine_warm_swap(struct engine *e, const struct swap_event *s);
/* engine_warm_swap of such a swap (see engine_handle_market_only). */
void engine_warm_market_only(struct engine *e, const struct swap_event *s,
                             const struct engine_swap_known *known);
/* Restores the state written by engine_state_format: cash, id counters,
 * breakers, counters. Returns 0 or WT_EPARSE / WT_EINVAL with err. */
int engine_restore_state(struct engine *e, const char *json, size_t len, char *err, size_t errsize);
/* Numbers the next orders past id (the largest order id in the store): an
 * id a previous process claimed and never recorded in the state is not
 * used again (store_order_claim). */
void engine_order_ids_past(struct engine *e, uint64_t id);
/* Moves the clock back to max_ms when it is past it, with the times of the
 * last signal (counters and the silence breaker): for a clock a bad event
 * moved past the wall clock before events were bounded, restored from the
 * store. Returns true when the clock was moved. The only way the clock
 * goes backwards; the live runner calls it once, at start. */
bool engine_clock_limit(struct engine *e, int64_t max_ms);
/* Restores an open position (from position_format) with the score and
 * factors of its signal. A pending sale is cancelled (its order died with
 * the previous process). Returns 0, WT_EEXIST (same id or mint already
 * open), WT_EINVAL (closed, other mode), WT_EFULL. */
int engine_restore_position(struct engine *e, const struct position *p, double score,
                            const double f[SF_COUNT]);
/* Feeds one stored closed trade to the feedback statistics (per copied
 * wallet, per hour of entry). Not to the breakers: their state is restored
 * whole. */
void engine_restore_trade(struct engine *e, const struct pubkey *wallet, int64_t entry_ts_ms,
                          int64_t pnl_lamports);

/* ---- state (engine thread) ------------------------------------------------ */

struct engine_counters {
    uint64_t events, swaps, transfers, prices, fills, ticks, commands;
    uint64_t skipped_swaps; /* no price, bad amounts */
    uint64_t signals, traded;
    uint64_t reasons[SR_COUNT];
    uint64_t orders, fills_failed;
    uint64_t failed_fee_lamports; /* fees paid by transactions that failed */
    uint64_t positions_opened, positions_closed;
    uint64_t wins, losses;
    int64_t realized_pnl_lamports;
    uint64_t alerts;
    /* waits for token facts: signals parked, released by a feed's report,
     * released when the wait expired, dropped (the wallet was unwatched
     * meanwhile), scored at once because the parking lot was full */
    uint64_t token_waits, released_reported, released_expired, waits_dropped, waits_full;
    int64_t last_event_ms;  /* time of the last market event (swap, transfer, price) */
    int64_t last_signal_ms; /* 0: none yet */
};

struct engine_status {
    enum trade_mode mode;
    int64_t now_ms;
    uint64_t cash_lamports;
    uint64_t reserved_lamports; /* pending buys */
    uint64_t open_value_lamports;
    uint64_t open_cost_lamports;
    uint64_t equity_lamports;
    uint64_t peak_equity_lamports;
    uint32_t open_positions;
    uint32_t pending_orders;
    uint32_t watched, blacklisted, cluster_blacklisted;
    uint32_t parked; /* signals waiting for token facts */
    bool entries_allowed, size_reduced;
    struct engine_counters c;
};

void engine_status(const struct engine *e, struct engine_status *out);
const struct breakers *engine_breakers(const struct engine *e);
/* The engine's wallet intelligence, for reading on the engine's thread
 * (selection of wallets to watch in backtests, profiles); do not apply
 * swaps to it. */
struct intel *engine_intel(struct engine *e);
const struct engine_params *engine_params_of(const struct engine *e);
const struct exit_book *engine_exit_book(const struct engine *e);

/* One wallet of the engine's watchlist: watched, blacklisted or blacklisted
 * with its cluster. prior_score is 0..100, or -1 for none. */
struct engine_watch {
    struct pubkey wallet;
    bool watched, blacklisted, cluster_blacklisted;
    double prior_score;
    uint64_t copy_trades, copy_wins;
};

/* The watchlist in the engine's wallet order, into a new array (*out,
 * free it; NULL when empty). Returns how many entries. */
size_t engine_watchlist(const struct engine *e, struct engine_watch **out);

/* The JSON of the state a restart needs besides positions: cash, the id
 * counters, the breakers (breakers_format), the counters. */
int engine_state_format(const struct engine *e, struct buf *out);

/* Open positions, in opening order; i < engine_status().open_positions.
 * dirty: its state changed since the last flush (a price, a fill). */
const struct position *engine_position_at(const struct engine *e, size_t i, bool *dirty,
                                          double *score, double f[SF_COUNT]);

#endif
