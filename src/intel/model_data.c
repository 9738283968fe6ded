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

int model_operator_rows(struct store *st, struct model_rows *out)
{
    VEC(struct op_trade) tr = {0};
    enum { PAGE = 256 };
    struct closed_trade_row *rows = xcalloc(PAGE, sizeof *rows);
    struct row_query q = {.limit = PAGE};
    int rc;
    for (;;) {
        size_t n = 0;
        rc = store_list_closed_trade(st, &q, rows, &n);
        if (rc != 0)
            break;
        for (size_t i = 0; i < n; i++) {
            struct op_trade t;
            out->trades++;
            if (pubkey_parse(rows[i].wallet, &t.wallet) != 0 || !isfinite(rows[i].pnl_sol)) {
                out->no_history++;
                continue;
            }
            t.at_ms = rows[i].opened_ms - rows[i].opened_ms % (60 * MS_PER_MINUTE);
            t.pnl = (float)rows[i].pnl_sol;
            vec_push(&tr, t);
        }
        if (n < PAGE)
            break;
        q.after_id = rows[n - 1].id;
    }
    free(rows);
    if (rc == 0 && tr.len) {
        qsort(tr.v, tr.len, sizeof *tr.v, by_time);
        struct op_replay r = {intel_new(NULL, 4096), tr.v, tr.len, 0, out};
        rc = store_swaps_scan(st, INT64_MIN, INT64_MAX, on_swap, &r);
        if (rc == 0)
            flush(&r, INT64_MAX);
        intel_free(r.in);
        rc = rc < 0 ? rc : rc ? WT_ESTORE : 0;
    }
    vec_free(&tr);
    return rc;
}

void model_rows_release(struct model_rows *r)
{
    vec_free(&r->x);
    vec_free(&r->y);
    memset(r, 0, sizeof *r);
}
