/* The paper executor: trade/executor.h over the fill model of trade/paper.h.
 *
 * An order is held for the configured latency (fixed, or a whole number of
 * slots in a range drawn from the order id: paper_order_latency_ms): the executor watches the
 * prices the engine observes for the order's mint (its observe op), and at
 * the first event at or after signal time + latency it fills at the last
 * price seen at or before that moment, against a constant-product pool
 * whose SOL reserve the engine supplies (the pool callback: reported or
 * implied liquidity, market/market.h). The fill event carries the due time
 * (signal + latency) as its time. With latency 0 the fill is emitted from
 * inside submit().
 *
 * A fraction paper.fail_rate of the orders that would fill fail on chain
 * instead: a FILL_FAILED event carrying the base and priority fees paid
 * (fee_lamports), which the engine charges; which orders fail depends on
 * the order id only (paper_fails).
 *
 * Deterministic: the fill depends only on the order and the events
 * observed. Not thread-safe: used on the engine thread only, and its sink
 * must accept calls on that thread (engine_exec_sink). */
#ifndef WT_TRADE_EXEC_PAPER_H
#define WT_TRADE_EXEC_PAPER_H

#include <stddef.h>

#include "trade/executor.h"
#include "trade/paper.h"

/* Builds the pool to fill against for `mint` at `price_sol`. Returns 0, or
 * an error when no pool can be built (the order then fails). */
typedef int (*exec_paper_pool_fn)(void *ctx, const struct pubkey *mint, double price_sol,
                                  uint8_t decimals, struct paper_pool *out);

/* A paper executor. pool_fn may be NULL: then every fill uses a pool of
 * 30 SOL at the fill price. Never NULL; free with executor_free. */
struct executor *exec_paper_new(const struct paper_params *p, struct exec_sink sink,
                                exec_paper_pool_fn pool_fn, void *pool_ctx);

/* Orders waiting for their latency to pass. */
size_t exec_paper_pending(const struct executor *x);

#endif
