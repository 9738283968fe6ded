/* Training rows from the operator's own closed trades (see model.h,
 * model_operator_rows).
 *
 * Why a trade is a row: a closed trade is one copied buy of a followed
 * wallet at our real size, latency and fees, so its PnL is the very thing
 * the label of the simulated rows estimates (copier expectancy, SOL per
 * copied buy). Its features are the followed wallet's profile when the
 * trade opened, from the stored swaps before then. The replay stops at the
 * start of each hour that opened trades (one copier market build per such
 * hour, not per trade), so a feature can be up to an hour older than the
 * trade. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "intel/copier.h"
#include "intel/model.h"
#include "solana/pubkey.h"

struct op_trade {
    struct pubkey wallet;
    int64_t at_ms; /* the start of the hour it opened in */
    float pnl;
};

static int by_time(const void *a, const void *b)
{
    const struct op_trade *x = a, *y = b;
    return (x->at_ms > y->at_ms) - (x->at_ms < y->at_ms);
}

struct op_replay {
    struct intel *in;
    struct op_trade *t;
    size_t n, next;
    struct model_rows *out;
};

/* Rows of the trades whose hour starts at or before until_ms. */
static void flush(struct op_replay *r, int64_t until_ms)
{
    if (r->next >= r->n || r->t[r->next].at_ms > until_ms)
        return;
    struct ledger *l = intel_ledger(r->in);
    struct copier_params cp;
    copier_params_default(&cp);
    struct copier_market *cm = copier_market_build(l);
    struct copier_scratch *cs = copier_scratch_new(l);
    struct intel_profile pr;
    for (; r->next < r->n && r->t[r->next].at_ms <= until_ms; r->next++) {
        const struct op_trade *t = &r->t[r->next];
        uint32_t w = ledger_wallet_id(l, &t->wallet);
        if (w == LEDGER_NONE) {
            r->out->no_history++;
            continue;
        }
        intel_profile(r->in, w, t->at_ms, &pr);
        if (pr.metrics.trades < MODEL_MIN_ROUND_TRIPS) {
            r->out->no_history++;
            continue;
        }
        struct copier_result past;
        copier_wallet(&cp, cm, l, w, cs, &past);
        float x[MODEL_NFEAT];
        model_features(&pr, past.ev_sol, x);
        for (int f = 0; f < MODEL_NFEAT; f++)
            vec_push(&r->out->x, x[f]);
        vec_push(&r->out->y, t->pnl);
    }
    copier_scratch_free(cs);
    copier_market_free(cm);
}

static int on_swap(void *ctx, const struct stored_swap *s)
{
    struct op_replay *r = ctx;
    flush(r, s->swap.ts_ms); /* features from the swaps before the hour */
    (void)intel_apply(r->in, &s->swap);
    return 0;
}

/* The operator's closed trades, read by model_operator_rows. */
struct op_trades {
    VEC(struct op_trade) tr;
    struct model_rows *out; /* trades and no_history counted here */
};

static int on_closed_trade(void *ctx, const void *row)
{
    const struct closed_trade_row *x = row;
    struct op_trades *ot = ctx;
    struct op_trade t;
    ot->out->trades++;
    if (pubkey_parse(x->wallet, &t.wallet) != 0 || !isfinite(x->pnl_sol)) {
        ot->out->no_history++;
        return 0;
    }
    t.at_ms = x->opened_ms - x->opened_ms % (60 * MS_PER_MINUTE);
    t.pnl = (float)x->pnl_sol;
    vec_push(&ot->tr, t);
    return 0;
}

int model_operator_rows(struct store *st, struct model_rows *out)
{
    struct op_trades ot = {.out = out};
    int rc = store_row_each(st, STORE_T_CLOSED_TRADES, NULL, on_closed_trade, &ot);
    if (rc == 0 && ot.tr.len) {
        qsort(ot.tr.v, ot.tr.len, sizeof *ot.tr.v, by_time);
        struct op_replay r = {intel_new(NULL, 4096), ot.tr.v, ot.tr.len, 0, out};
        rc = store_swaps_scan(st, INT64_MIN, INT64_MAX, on_swap, &r);
        if (rc == 0)
            flush(&r, INT64_MAX);
        intel_free(r.in);
        rc = rc < 0 ? rc : rc ? WT_ESTORE : 0;
    }
    vec_free(&ot.tr);
    return rc;
}

void model_rows_release(struct model_rows *r)
{
    vec_free(&r->x);
    vec_free(&r->y);
    memset(r, 0, sizeof *r);
}
