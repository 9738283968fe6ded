/* Private to the engine's files (engine.c, engine_signal.c, engine_fill.c,
 * engine_cmd.c, engine_state.c): the engine's struct, its per-wallet,
 * per-mint, position and order records, and the internal functions one
 * part calls in another. Not for other modules; they use engine.h.
 *
 * Every function here takes the engine and runs on the engine's one
 * thread, like engine_handle; none of them is safe to call from outside
 * an engine call. */
#ifndef WT_TRADE_ENGINE_IMPL_H
#define WT_TRADE_ENGINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/intern.h"
#include "base/vec.h"
#include "trade/engine.h"

#define RECENT_CONTEXT 20   /* trades behind the context factor's recent win rate */
#define PARKED_MAX     1024 /* signals waiting for token facts; past it, scored at once */

struct ewallet {
    bool watched, blacklisted, cluster_bl;
    bool cluster_leader; /* the leader of its cluster */
    uint32_t cluster;    /* its cluster's id, 0: none (src/graph) */
    double prior;        /* stored score in [0, 1], or -1 */
    uint32_t lid;        /* intel ledger id, LEDGER_NONE until seen there */
    /* The cached intel view; rebuilt when a trip closes or it is old. */
    bool cached;
    uint32_t cache_trips;
    struct intel_holds holds; /* its round trips' holds, sorted (the score's median) */
    int64_t cache_ms;
    double score;
    uint32_t trips, form_n, form_wins;
    bool flagged;
    /* Feedback: our own closed trades copying this wallet. */
    uint32_t copy_n, copy_wins;
};

/* The last watched buys of a mint, for the cluster factor. */
#define MINT_RECENT 8
struct ebuy {
    uint32_t wid;
    int64_t ts;
};

struct emint {
    uint32_t pos;         /* index + 1 in e->pos, 0 when not held */
    uint32_t buy_pending; /* buys in flight */
    uint32_t first_wid1;  /* wallet id + 1 of the mint's first swap seen (its creator's stand-in) */
    uint8_t n_recent, head;
    struct ebuy recent[MINT_RECENT]; /* ring of the last watched buys */
};

struct epos {
    struct position p;
    uint32_t mint;
    uint64_t value;      /* market value at p.last_price */
    uint64_t basis;      /* cost not yet sold: p.cost - p.basis_sold */
    uint64_t sale_order; /* order id of the sale in flight, 0 none */
    double score;
    double f[SF_COUNT];
    bool dirty;
};

struct eorder {
    uint64_t id;
    enum side side;
    uint64_t signal_id, position_id;
    uint32_t mint, wallet;
    struct pubkey mint_key, wallet_key;
    uint8_t decimals;
    uint64_t amount_in;
    double ref_price;
    int64_t ts;
    double score;
    double f[SF_COUNT];
    struct exit_decision d;
    char reason[EXIT_REASON_MAX];
};

/* A signal waiting for token facts: the watched wallet's buy as it came,
 * scored when a price event reports on the mint or at deadline_ms. */
struct parked {
    uint32_t wid, mid;
    int64_t parked_ms, deadline_ms;
    struct swap_event ev;
};

struct engine {
    struct engine_params p;
    struct engine_params staged; /* CMD_SET run in progress (staging) */
    bool staging;
    struct engine_out *out;
    struct executor *x;
    /* Sees every input of engine_handle (not the internal fills): the
     * live runner's journal (trade/journal.h). */
    void (*input_hook)(void *ctx, const struct event *ev);
    void *input_ctx;
    struct intel *intel;
    struct market *market;
    struct intern wallets, mints;
    VEC(struct ewallet) w;
    VEC(struct emint) m;
    VEC(struct epos) pos;
    VEC(struct eorder) orders;
    VEC(struct event) internal;
    VEC(struct parked) parked; /* in parking order; released in that order */
    struct breakers br;
    int64_t now;
    uint64_t cash, reserved, open_value, open_cost;
    uint64_t next_signal, next_order, next_position;
    uint32_t hour_n[24], hour_wins[24];
    uint32_t n_watched, n_bl, n_cbl;
    struct engine_counters c;
    char err[256];
};

enum exit_trigger { TRIG_PRICE, TRIG_TIME, TRIG_WALLET_SELL };

/* ---- engine.c: shared helpers (ids, equity, alerts, orders). */

/* Cash plus the market value of the open positions, in lamports. */
uint64_t engine_equity(const struct engine *e);
/* The dense id of wallet k, interning it (and growing e->w, so pointers
 * into it are stale afterwards) when new. */
uint32_t engine_wallet_id(struct engine *e, const struct pubkey *k);
/* The dense id of mint k, interning it (and growing e->m) when new. */
uint32_t engine_mint_id(struct engine *e, const struct pubkey *k);
/* Raises one alert per breaker trip or clear in al. */
void engine_emit_breaker_alerts(struct engine *e, const struct breaker_alerts *al);
/* Tells the output a position changed (no-op without an output). */
void engine_emit_position(struct engine *e, const struct position *p, enum engine_pos_change c);
/* Tells the output an order's status; error is NULL unless it failed. */
void engine_emit_order(struct engine *e, const struct eorder *o, enum engine_order_status st,
                       const char *error);
/* Re-reads the market value and remaining basis of a position into the
 * running totals. */
void engine_revalue(struct engine *e, struct epos *ep);
/* The open position with that id, or NULL. */
struct epos *engine_position_by_id(struct engine *e, uint64_t id);
/* Rebuilds the per-mint index after e->pos changed order or length. */
void engine_reindex_positions(struct engine *e);
/* The order in flight with that id (its index in *idx), or NULL. */
struct eorder *engine_order_by_id(struct engine *e, uint64_t id, size_t *idx);
/* Removes the order at idx, keeping submission order. */
void engine_order_remove(struct engine *e, size_t idx);
/* Hands the order to the executor. Returns 0, WT_ESTATE without an
 * executor, or the executor's error. */
int engine_submit(struct engine *e, const struct eorder *o);

/* ---- engine_cmd.c: parameters and commands. */

/* Applies one operator command. Returns 0 or a negative WT_E... code;
 * a refused command leaves its reason in e->err. */
int engine_handle_command(struct engine *e, const struct command_event *c);

/* ---- engine_signal.c: signals and token-wait parking. */

/* The UTC hour (0-23) of a time in ms, for the per-hour feedback. */
int engine_utc_hour(int64_t ms);
/* Scores watched wallet wid's buy ev of mint mid into a signal and, when
 * traded, a sized buy order; waited_ms is how long it was parked. */
void engine_handle_signal(struct engine *e, uint32_t wid, uint32_t mid, const struct swap_event *ev,
                          int64_t waited_ms);
/* Whether a feed reported on the mint recently enough to score at once. */
bool engine_fresh_report(const struct engine *e, uint32_t mid);
/* Parks a watched wallet's buy and, unless a signal of the same mint
 * already waits (its request is out), asks for the mint's facts. */
void engine_park(struct engine *e, uint32_t wid, uint32_t mid, const struct swap_event *s);
/* The parked signals of mint mid, in parking order (a feed reported). */
void engine_release_mint(struct engine *e, uint32_t mid);
/* The parked signals whose wait is over at the engine's clock. */
void engine_release_expired(struct engine *e);

/* ---- engine_fill.c: exits, fills and closing. */

/* Sends the sale a decision asks for. */
void engine_sell(struct engine *e, struct epos *ep, const struct exit_decision *d);
/* Runs the exit rules of the position at index i and sends a sale if one
 * is decided. The position may move in e->pos (vector growth never
 * happens here), so callers re-read by index. */
void engine_run_exits(struct engine *e, size_t i, enum exit_trigger trig, double price,
                      const struct pubkey *seller);
/* Re-prices the position of mint mid (if held) and runs its exits. */
void engine_price_positions(struct engine *e, uint32_t mid, double price,
                            const struct swap_event *sell_by);
/* Counts a closed trade in the per-wallet and per-hour feedback. */
void engine_feedback(struct engine *e, const struct closed_trade *t);
/* Applies a fill event to its order (unknown orders are ignored). */
void engine_handle_fill(struct engine *e, const struct event *ev);

#endif
