/* Order claims for several daemons on one PostgreSQL (docs/operations.md,
 * the cluster section): an executor in front of the real one that claims
 * each order's id in the store (store_order_claim) before passing the
 * order on, so that an order is placed at most once whichever engine
 * decided it. Used by the runner when the node has an id. */
#ifndef WT_TRADE_EXEC_CLAIM_H
#define WT_TRADE_EXEC_CLAIM_H

#include "store/store.h"
#include "trade/executor.h"
#include "trade/position.h"

/* Wraps inner (owned from now on; freed with the result); st must outlive
 * it; node_id is copied into every claimed row. */
struct executor *exec_claim_new(struct executor *inner, struct store *st, enum trade_mode mode,
                                const char *node_id);

#endif
