/* Executors: what turns the engine's orders into fills.
 *
 * One interface, two implementations (STYLE.md: a const table of function
 * pointers plus an instance): the paper executor (trade/paper.h's fill
 * model, deterministic, used by default, in backtests and tests) and the
 * live executor (Jupiter quote -> swap transaction -> check -> sign ->
 * send -> confirm; src/trade/exec_live.c).
 *
 * Fills come back as events (EVENT_FILL in event/event.h), never as
 * return values: the engine stays a deterministic function of its ordered
 * event stream (DESIGN §1). A paper executor emits the fill event for the
 * time the order would have filled (signal time + latency); a live one
 * emits it from its I/O thread when the transaction is confirmed or has
 * finally failed. Either way the engine sees exactly one EVENT_FILL per
 * order, with status FILLED or FAILED.
 *
 * Threads: submit() is called on the engine thread and must not block on
 * the network; a live executor queues the order for its I/O thread. The
 * emit callback may be called from any thread and must be thread-safe
 * (it pushes onto the engine's event queue). */
#ifndef WT_TRADE_EXECUTOR_H
#define WT_TRADE_EXECUTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "event/event.h"

enum exec_mode { EXEC_PAPER = 1, EXEC_LIVE = 2 };

/* An order from the engine. Buys spend sol_in lamports; sells give
 * token_in raw units. */
struct exec_order {
    uint64_t id; /* engine-assigned, unique per engine */
    enum side side;
    struct pubkey mint;
    uint8_t decimals;
    uint64_t sol_in;      /* buy: lamports to spend */
    uint64_t token_in;    /* sell: raw token units to sell */
    double ref_price_sol; /* the price the engine decided on (slippage check) */
    uint16_t slippage_bps;
    int64_t ts_ms; /* engine time of the decision */
};

struct executor;

/* Where an executor sends its fill events. */
struct exec_sink {
    void (*emit)(void *ctx, const struct event *fill);
    void *ctx;
};

struct executor_ops {
    const char *name; /* "paper" or "live" */
    enum exec_mode mode;
    /* Accepts an order; the fill arrives later through the sink. Returns 0,
     * or an error when the order cannot even be queued (then no fill event
     * will come and the engine records the failure itself). */
    int (*submit)(struct executor *x, const struct exec_order *o);
    /* Optional (NULL for executors that need no market data): sees every
     * swap, price and tick event the engine handles, after the engine's own
     * market state took it in and on the engine thread. The paper executor
     * uses it to fill at the price prevailing signal time + latency. */
    void (*observe)(struct executor *x, const struct event *ev);
    /* Stops background work and frees x. */
    void (*free)(struct executor *x);
};

/* The instance: implementations embed this as their first member. */
struct executor {
    const struct executor_ops *ops;
    struct exec_sink sink;
};

static inline int executor_submit(struct executor *x, const struct exec_order *o)
{
    return x->ops->submit(x, o);
}

static inline void executor_observe(struct executor *x, const struct event *ev)
{
    if (x->ops->observe)
        x->ops->observe(x, ev);
}

static inline void executor_free(struct executor *x)
{
    if (x)
        x->ops->free(x);
}

#endif
