/* Reference implementations kept for tests: the pattern scan and the median
 * hold time as they were before the radix grouping, the buy-to-buy rotation
 * scan and the selection (qsort of (mint << 32 | index) keys; qsort of the
 * holds). tests/unit/test_intel.c checks that the shipped code gives the
 * same records, bit for bit, on a simulated market and on random fills. */
#ifndef WT_TESTS_INTEL_REF_H
#define WT_TESTS_INTEL_REF_H

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/vec.h"
#include "intel/patterns.h"

struct ref_scan {
    const struct patterns_params *p;
    const struct ledger_fill *f;
    const struct ledger_trip *trips;
    size_t n_trips;
    uint32_t *next_close; /* per fill: next fill of its mint with a closed trip, or NONE */
    struct pattern_list *out;
    size_t added;
};

static int ref_cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static double ref_min_d(double a, double b)
{
    return a < b ? a : b;
}

static struct pattern *ref_emit(struct ref_scan *s, enum pattern_type t, uint32_t first,
                                uint32_t last)
{
    struct pattern *pt = vec_push_zero(s->out);
    pt->type = t;
    pt->wallet = s->f[first].wallet;
    pt->mint = s->f[first].mint;
    pt->mint2 = LEDGER_NONE;
    pt->start_ms = s->f[first].ts_ms;
    pt->end_ms = s->f[last].ts_ms;
    pt->status = PATTERN_ACTIVE;
    s->added++;
    return pt;
}

/* Outcome of the round trip that closes after fill i (same mint). */
static void ref_trip_outcome(struct ref_scan *s, uint32_t i, struct pattern *pt)
{
    uint32_t c = s->next_close[i];
    if (c == LEDGER_NONE || s->f[c].trip >= s->n_trips)
        return;
    const struct ledger_trip *t = &s->trips[s->f[c].trip];
    pt->status = PATTERN_COMPLETED;
    pt->realized_pnl_sol = t->pnl_sol;
    pt->roi = t->cost_sol > 0 ? t->pnl_sol / t->cost_sol : 0;
}

/* Runs of same-side fills in one mint's group idx[0..k). */
static void ref_scan_runs(struct ref_scan *s, const uint32_t *idx, size_t k)
{
    const struct patterns_params *p = s->p;
    size_t i = 0;
    while (i < k) {
        size_t j = i + 1;
        while (j < k && s->f[idx[j]].side == s->f[idx[i]].side)
            j++;
        size_t len = j - i;
        uint32_t a = idx[i], b = idx[j - 1];
        if (len >= p->min_run && s->f[b].ts_ms - s->f[a].ts_ms >= p->min_span_ms) {
            bool buy = s->f[a].side == SIDE_BUY;
            struct pattern *pt =
                ref_emit(s, buy ? PATTERN_ACCUMULATION : PATTERN_DISTRIBUTION, a, b);
            double vol = 0, pnl = 0, basis = 0;
            for (size_t q = i; q < j; q++) {
                vol += s->f[idx[q]].value_sol;
                pnl += s->f[idx[q]].realized_sol;
                basis += s->f[idx[q]].basis_sol;
            }
            pt->trades = (uint32_t)len;
            pt->volume_sol = vol;
            pt->avg_size_sol = vol / (double)len;
            pt->confidence = 0.5 + 0.5 * ref_min_d(1, (double)(len - p->min_run) / p->min_run);
            if (buy) {
                ref_trip_outcome(s, b, pt);
            } else {
                pt->realized_pnl_sol = pnl;
                pt->roi = basis > 0 ? pnl / basis : 0;
                pt->status =
                    (s->f[b].flags & LEDGER_FILL_CLOSED) ? PATTERN_COMPLETED : PATTERN_ACTIVE;
            }
        }
        i = j;
    }
}

/* Buy immediately followed by a sell of about the same quantity within
 * arb_max_slots: arbitrage (or a sandwich-like round trip). */
static void ref_scan_arb(struct ref_scan *s, const uint32_t *idx, size_t k)
{
    for (size_t i = 0; i + 1 < k; i++) {
        const struct ledger_fill *b = &s->f[idx[i]], *x = &s->f[idx[i + 1]];
        if (b->side != SIDE_BUY || x->side != SIDE_SELL || x->slot < b->slot ||
            x->slot - b->slot > s->p->arb_max_slots)
            continue;
        double dq = (double)(x->qty > b->qty ? x->qty - b->qty : b->qty - x->qty);
        if (dq > s->p->arb_qty_tolerance * (double)b->qty)
            continue;
        double profit = (x->value_sol - x->fee_sol) - (b->value_sol + b->fee_sol);
        struct pattern *pt = ref_emit(s, PATTERN_ARBITRAGE, idx[i], idx[i + 1]);
        pt->trades = 2;
        pt->volume_sol = b->value_sol + x->value_sol;
        pt->avg_size_sol = pt->volume_sol / 2;
        pt->status = PATTERN_COMPLETED;
        pt->realized_pnl_sol = profit;
        pt->roi = b->value_sol > 0 ? profit / (b->value_sol + b->fee_sol) : 0;
        /* Different venues in the same slot is the signature of arbitrage;
         * same venue or the next slot is weaker evidence. */
        pt->confidence = (b->source != x->source ? 0.6 : 0.3) + (x->slot == b->slot ? 0.2 : 0) +
                         (profit > 0 ? 0.2 : 0);
        i++;
    }
}

/* Sell of A followed by a buy of B != A of similar value. */
static void ref_scan_rotation(struct ref_scan *s, size_t n, uint8_t *used)
{
    const struct patterns_params *p = s->p;
    for (size_t i = 0; i < n; i++) {
        const struct ledger_fill *a = &s->f[i];
        if (a->side != SIDE_SELL || a->value_sol <= 0)
            continue;
        for (size_t j = i + 1; j < n && s->f[j].ts_ms - a->ts_ms <= p->rotation_gap_ms; j++) {
            const struct ledger_fill *b = &s->f[j];
            if (b->side != SIDE_BUY || b->mint == a->mint || used[j] || b->value_sol <= 0)
                continue;
            double lo = ref_min_d(a->value_sol, b->value_sol);
            double hi = a->value_sol > b->value_sol ? a->value_sol : b->value_sol;
            double ratio = lo / hi;
            if (ratio < p->rotation_min_ratio)
                continue;
            used[j] = 1;
            struct pattern *pt = ref_emit(s, PATTERN_ROTATION, (uint32_t)i, (uint32_t)j);
            pt->mint2 = b->mint;
            pt->trades = 2;
            pt->volume_sol = a->value_sol + b->value_sol;
            pt->avg_size_sol = pt->volume_sol / 2;
            /* a token-to-token swap (two legs of one transaction) is certain */
            bool same_tx = (b->flags & LEDGER_FILL_FEE_SHARED) && b->ts_ms == a->ts_ms;
            double gap = (double)(b->ts_ms - a->ts_ms) / (double)p->rotation_gap_ms;
            pt->confidence = same_tx ? 1.0 : ratio * (1 - 0.5 * gap);
            ref_trip_outcome(s, (uint32_t)j, pt);
            break;
        }
    }
}

static size_t ref_patterns_detect(const struct patterns_params *p, const struct ledger_fill *fills,
                                  size_t n, const struct ledger_trip *trips, size_t n_trips,
                                  struct pattern_list *out)
{
    if (n == 0)
        return 0;
    struct ref_scan s = {p, fills, trips, n_trips, NULL, out, 0};
    /* (mint << 32 | index) sorts by mint and keeps apply order within it */
    uint64_t *key = xmalloc(n * sizeof *key);
    uint32_t *idx = xmalloc(n * sizeof *idx);
    s.next_close = xmalloc(n * sizeof *s.next_close);
    uint8_t *used = xcalloc(n, 1);
    for (size_t i = 0; i < n; i++)
        key[i] = (uint64_t)fills[i].mint << 32 | (uint32_t)i;
    qsort(key, n, sizeof *key, ref_cmp_u64);
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)key[i];
    free(key);
    for (size_t g = 0; g < n;) {
        size_t e = g + 1;
        while (e < n && fills[idx[e]].mint == fills[idx[g]].mint)
            e++;
        uint32_t nc = LEDGER_NONE;
        for (size_t q = e; q-- > g;) {
            if (fills[idx[q]].flags & LEDGER_FILL_CLOSED)
                nc = idx[q];
            s.next_close[idx[q]] = nc;
        }
        ref_scan_runs(&s, idx + g, e - g);
        ref_scan_arb(&s, idx + g, e - g);
        g = e;
    }
    ref_scan_rotation(&s, n, used);
    free(used);
    free(s.next_close);
    free(idx);
    return s.added;
}

static int ref_cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Median hold of the known-basis trips by sorting every hold; -1 if none. */
static int64_t ref_median_hold(const struct ledger_trip *trips, size_t n_trips)
{
    int64_t *h = xmalloc((n_trips + 1) * sizeof *h);
    size_t k = 0;
    for (size_t i = 0; i < n_trips; i++)
        if (!(trips[i].flags & LEDGER_TRIP_UNKNOWN_BASIS))
            h[k++] = trips[i].close_ms - trips[i].open_ms;
    int64_t med = -1;
    if (k) {
        qsort(h, k, sizeof *h, ref_cmp_i64);
        med = k % 2 ? h[k / 2] : (h[k / 2 - 1] + h[k / 2]) / 2;
    }
    free(h);
    return med;
}

#endif
