/* Paper execution: orders fill after a latency, at the price prevailing
 * then, with constant-product impact and fees (see exec_paper.h).
 *
 * Pending orders are kept in submission order; when one event makes
 * several ready, their fills are emitted in that order, so the engine sees
 * the same sequence on every replay. A fill that the model refuses (an
 * empty pool, zero tokens out) is a FILL_FAILED event with the reason and
 * no fee (nothing was sent); a transaction drawn to fail on chain
 * (paper_fails: fail_rate, by order id) is a FILL_FAILED event whose
 * fee_lamports are the base and priority fees it paid. Exactly one fill
 * event per accepted order, as executor.h promises. */
#include "trade/exec_paper.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/vec.h"

struct pending {
    struct exec_order o;
    struct paper_delay d;
};

struct exec_paper {
    struct executor base;
    struct paper_params p;
    exec_paper_pool_fn pool_fn;
    void *pool_ctx;
    VEC(struct pending) q;
};

static void fill(struct exec_paper *x, const struct pending *pd)
{
    const struct exec_order *o = &pd->o;
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_FILL;
    struct fill_event *f = &ev.u.fill;
    f->order_id = o->id;
    f->ts_ms = pd->d.due_ms;
    f->side = o->side;
    f->mint = o->mint;
    f->live = false;

    struct paper_pool pool;
    struct paper_fill pf;
    int rc;
    if (x->pool_fn)
        rc = x->pool_fn(x->pool_ctx, &o->mint, pd->d.price, o->decimals, &pool);
    else
        rc = paper_pool_from_price(30000000000ULL, pd->d.price, o->decimals, &pool);
    if (rc == 0)
        rc = o->side == SIDE_BUY ? paper_buy(&x->p, &pool, o->sol_in, &pf)
                                 : paper_sell(&x->p, &pool, o->token_in, &pf);
    if (rc != 0) {
        f->status = FILL_FAILED;
        snprintf(f->error, sizeof f->error, "paper fill refused at price %.9g: %s", pd->d.price,
                 wt_strerror(rc));
    } else if (paper_fails(&x->p, o->id)) {
        /* Sent and failed on chain: the fees are paid, nothing moves. */
        f->status = FILL_FAILED;
        f->fee_lamports = paper_failed_fee(&x->p);
        snprintf(f->error, sizeof f->error,
                 "paper: transaction failed on chain (paper.fail_rate %.3g); fees paid",
                 x->p.fail_rate);
    } else {
        f->status = FILL_FILLED;
        f->token_amount = pf.token_raw;
        f->sol_amount = pf.sol_lamports;
        f->fee_lamports = pf.tx_fee_lamports;
        f->price_sol = pf.avg_price;
    }
    x->base.sink.emit(x->base.sink.ctx, &ev);
}

/* Emits the fills of every ready order, in submission order. */
static void drain(struct exec_paper *x)
{
    size_t w = 0;
    for (size_t i = 0; i < x->q.len; i++) {
        if (x->q.v[i].d.ready) {
            struct pending pd = x->q.v[i];
            fill(x, &pd);
        } else {
            x->q.v[w++] = x->q.v[i];
        }
    }
    x->q.len = w;
}

static int paper_submit(struct executor *base, const struct exec_order *o)
{
    struct exec_paper *x = (struct exec_paper *)base;
    if ((o->side == SIDE_BUY && o->sol_in == 0) || (o->side == SIDE_SELL && o->token_in == 0) ||
        !(o->ref_price_sol > 0) || !isfinite(o->ref_price_sol))
        return WT_EINVAL;
    struct pending pd = {.o = *o};
    struct paper_params p = x->p;
    p.latency_ms = paper_order_latency_ms(&x->p, o->id);
    paper_delay_start(&pd.d, &p, o->ts_ms, o->ref_price_sol);
    vec_push(&x->q, pd);
    if (pd.d.ready)
        drain(x);
    return 0;
}

static void paper_observe(struct executor *base, const struct event *ev)
{
    struct exec_paper *x = (struct exec_paper *)base;
    if (x->q.len == 0)
        return;
    bool any = false;
    if (ev->kind == EVENT_TICK) {
        for (size_t i = 0; i < x->q.len; i++)
            any |= paper_delay_tick(&x->q.v[i].d, ev->u.tick.ts_ms);
    } else if (ev->kind == EVENT_SWAP || ev->kind == EVENT_PRICE) {
        const struct pubkey *mint = ev->kind == EVENT_SWAP ? &ev->u.swap.mint : &ev->u.price.mint;
        double price = ev->kind == EVENT_SWAP ? ev->u.swap.price_sol : ev->u.price.price_sol;
        int64_t ts = event_ts_ms(ev);
        for (size_t i = 0; i < x->q.len; i++) {
            struct pending *pd = &x->q.v[i];
            if (pubkey_eq(mint, &pd->o.mint))
                any |= paper_delay_observe(&pd->d, price, ts);
            else
                any |= paper_delay_tick(&pd->d, ts); /* time passes for every order */
        }
    }
    if (any)
        drain(x);
}

static void paper_free(struct executor *base)
{
    struct exec_paper *x = (struct exec_paper *)base;
    vec_free(&x->q);
    free(x);
}

static const struct executor_ops paper_ops = {
    .name = "paper",
    .mode = EXEC_PAPER,
    .submit = paper_submit,
    .observe = paper_observe,
    .free = paper_free,
};

struct executor *exec_paper_new(const struct paper_params *p, struct exec_sink sink,
                                exec_paper_pool_fn pool_fn, void *pool_ctx)
{
    struct exec_paper *x = xcalloc(1, sizeof *x);
    x->base.ops = &paper_ops;
    x->base.sink = sink;
    if (p)
        x->p = *p;
    else
        paper_params_default(&x->p);
    x->pool_fn = pool_fn;
    x->pool_ctx = pool_ctx;
    return &x->base;
}

size_t exec_paper_pending(const struct executor *base)
{
    const struct exec_paper *x = (const struct exec_paper *)base;
    return x->q.len;
}
