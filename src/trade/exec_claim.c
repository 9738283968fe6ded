/* The claiming executor (exec_claim.h). */
#include "trade/exec_claim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "solana/base58.h"

/* An executor in front of the real one: each order's id is claimed in the
 * store first; an id the store already holds was placed by another engine
 * (or by this one before a restart) and is refused with WT_EEXIST. */
struct claiming {
    struct executor base;
    struct executor *inner;
    struct store *st;
    enum trade_mode mode;
    char node[64];
};

static int claim_submit(struct executor *x, const struct exec_order *o)
{
    struct claiming *c = (struct claiming *)x;
    struct order_row r;
    memset(&r, 0, sizeof r);
    r.id = (int64_t)o->id;
    snprintf(r.mode, sizeof r.mode, "%s", trade_mode_name(c->mode));
    r.ts_ms = o->ts_ms;
    char mint[BASE58_KEY_MAX];
    snprintf(r.mint, sizeof r.mint, "%s", pubkey_format(&o->mint, mint));
    r.side = o->side;
    r.amount_in = o->side == SIDE_BUY ? o->sol_in : o->token_in;
    r.slippage_bps = o->slippage_bps;
    snprintf(r.status, sizeof r.status, "sent");
    r.updated_ms = o->ts_ms;
    snprintf(r.node, sizeof r.node, "%s", c->node);
    int rc = store_order_claim(c->st, &r);
    if (rc == WT_EEXIST)
        log_warn("engine",
                 "order %llu is already in the store (another node placed it): not "
                 "placed again",
                 (unsigned long long)o->id);
    else if (rc != 0)
        log_error("engine", "order %llu: cannot claim it in the store (%s): not placed",
                  (unsigned long long)o->id, wt_strerror(rc));
    return rc ? rc : executor_submit(c->inner, o);
}

static void claim_observe(struct executor *x, const struct event *ev)
{
    executor_observe(((struct claiming *)x)->inner, ev);
}

static void claim_free(struct executor *x)
{
    struct claiming *c = (struct claiming *)x;
    executor_free(c->inner);
    free(c);
}

static const struct executor_ops claim_paper_ops = {.name = "paper",
                                                    .mode = EXEC_PAPER,
                                                    .submit = claim_submit,
                                                    .observe = claim_observe,
                                                    .free = claim_free};
static const struct executor_ops claim_live_ops = {.name = "live",
                                                   .mode = EXEC_LIVE,
                                                   .submit = claim_submit,
                                                   .observe = claim_observe,
                                                   .free = claim_free};

struct executor *exec_claim_new(struct executor *inner, struct store *st, enum trade_mode mode,
                                const char *node_id)
{
    struct claiming *c = xcalloc(1, sizeof *c);
    c->base.ops = inner->ops->mode == EXEC_LIVE ? &claim_live_ops : &claim_paper_ops;
    c->base.sink = inner->sink;
    c->inner = inner;
    c->st = st;
    c->mode = mode;
    snprintf(c->node, sizeof c->node, "%s", node_id);
    return &c->base;
}
