/* Detection of trade patterns in one wallet's fills.
 *
 * Why: the smart-money spec classifies a wallet's trading into
 * accumulation, distribution, rotation and arbitrage, each with an outcome,
 * and the operator reads them to understand how a wallet makes money. The
 * scan groups fills by mint (a stable sort of indices), finds runs of buys
 * and of sells and near-simultaneous buy/sell pairs within each group, and
 * pairs sells of one token with buys of another in time order. For each
 * fill it precomputes the next fill of the same mint that closed a round
 * trip, so every outcome lookup is O(1) and a wallet costs O(n log n). */
#include "intel/patterns.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "base/vec.h"

void patterns_params_default(struct patterns_params *p)
{
    p->min_run = 3;
    p->min_span_ms = 5 * MS_PER_MINUTE;
    p->rotation_gap_ms = 30 * MS_PER_MINUTE;
    p->rotation_min_ratio = 0.5;
    p->arb_max_slots = 1;
    p->arb_qty_tolerance = 0.05;
}

struct scan {
    const struct patterns_params *p;
    const struct ledger_fill *f;
    const struct ledger_trip *trips;
    size_t n_trips;
    uint32_t *next_close; /* per fill: next fill of its mint with a closed trip, or NONE */
    struct pattern_list *out;
    size_t added;
};

/* Sorts the indices [0, n) of fills by mint into idx, stable (apply order
 * within a mint): an LSD radix sort on the mint's bytes, skipping the bytes
 * every fill shares (mint ids are dense, so usually two passes). tmp has
 * room for n. */
static void group_by_mint(const struct ledger_fill *f, size_t n, uint32_t *idx, uint32_t *tmp)
{
    uint32_t all_or = 0, all_and = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        idx[i] = (uint32_t)i;
        all_or |= f[i].mint;
        all_and &= f[i].mint;
    }
    uint32_t varies = all_or ^ all_and;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        if (!((varies >> shift) & 0xff))
            continue;
        uint32_t cnt[256] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[(f[idx[i]].mint >> shift) & 0xff]++;
        uint32_t sum = 0;
        for (int d = 0; d < 256; d++) {
            uint32_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[cnt[(f[idx[i]].mint >> shift) & 0xff]++] = idx[i];
        memcpy(idx, tmp, n * sizeof *idx);
    }
}

static double min_d(double a, double b)
{
    return a < b ? a : b;
}

static struct pattern *emit(struct scan *s, enum pattern_type t, uint32_t first, uint32_t last)
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
static void trip_outcome(struct scan *s, uint32_t i, struct pattern *pt)
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
static void scan_runs(struct scan *s, const uint32_t *idx, size_t k)
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
            struct pattern *pt = emit(s, buy ? PATTERN_ACCUMULATION : PATTERN_DISTRIBUTION, a, b);
            double vol = 0, pnl = 0, basis = 0;
            for (size_t q = i; q < j; q++) {
                vol += s->f[idx[q]].value_sol;
                pnl += s->f[idx[q]].realized_sol;
                basis += s->f[idx[q]].basis_sol;
            }
            pt->trades = (uint32_t)len;
            pt->volume_sol = vol;
            pt->avg_size_sol = vol / (double)len;
            pt->confidence = 0.5 + 0.5 * min_d(1, (double)(len - p->min_run) / p->min_run);
            if (buy) {
                trip_outcome(s, b, pt);
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
static void scan_arb(struct scan *s, const uint32_t *idx, size_t k)
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
        struct pattern *pt = emit(s, PATTERN_ARBITRAGE, idx[i], idx[i + 1]);
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

/* Sell of A followed by a buy of B != A of similar value. next_buy[j] is
 * the first buy of positive value at or after j (n if none, next_buy[n] =
 * n): the scan steps from buy to buy, which finds the same first match as
 * a step through every fill because fills are in time order, so a fill
 * past the gap is followed only by fills past it. */
static void scan_rotation(struct scan *s, size_t n, uint8_t *used, const uint32_t *next_buy)
{
    const struct patterns_params *p = s->p;
    for (size_t i = 0; i < n; i++) {
        const struct ledger_fill *a = &s->f[i];
        if (a->side != SIDE_SELL || a->value_sol <= 0)
            continue;
        for (size_t j = next_buy[i + 1]; j < n && s->f[j].ts_ms - a->ts_ms <= p->rotation_gap_ms;
             j = next_buy[j + 1]) {
            const struct ledger_fill *b = &s->f[j];
            if (b->mint == a->mint || used[j])
                continue;
            double lo = min_d(a->value_sol, b->value_sol);
            double hi = a->value_sol > b->value_sol ? a->value_sol : b->value_sol;
            double ratio = lo / hi;
            if (ratio < p->rotation_min_ratio)
                continue;
            used[j] = 1;
            struct pattern *pt = emit(s, PATTERN_ROTATION, (uint32_t)i, (uint32_t)j);
            pt->mint2 = b->mint;
            pt->trades = 2;
            pt->volume_sol = a->value_sol + b->value_sol;
            pt->avg_size_sol = pt->volume_sol / 2;
            /* a token-to-token swap (two legs of one transaction) is certain */
            bool same_tx = (b->flags & LEDGER_FILL_FEE_SHARED) && b->ts_ms == a->ts_ms;
            double gap = (double)(b->ts_ms - a->ts_ms) / (double)p->rotation_gap_ms;
            pt->confidence = same_tx ? 1.0 : ratio * (1 - 0.5 * gap);
            trip_outcome(s, (uint32_t)j, pt);
            break;
        }
    }
}

size_t patterns_detect(const struct patterns_params *p, const struct ledger_fill *fills, size_t n,
                       const struct ledger_trip *trips, size_t n_trips, struct pattern_list *out)
{
    if (n == 0)
        return 0;
    struct scan s = {p, fills, trips, n_trips, NULL, out, 0};
    uint32_t *idx = xmalloc(n * sizeof *idx);
    uint32_t *tmp = xmalloc((n + 1) * sizeof *tmp);
    s.next_close = xmalloc(n * sizeof *s.next_close);
    uint8_t *used = xcalloc(n, 1);
    group_by_mint(fills, n, idx, tmp);
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
        scan_runs(&s, idx + g, e - g);
        scan_arb(&s, idx + g, e - g);
        g = e;
    }
    /* tmp becomes next_buy for the rotation scan */
    tmp[n] = (uint32_t)n;
    for (size_t j = n; j-- > 0;)
        tmp[j] = fills[j].side == SIDE_BUY && !(fills[j].value_sol <= 0) ? (uint32_t)j : tmp[j + 1];
    scan_rotation(&s, n, used, tmp);
    free(tmp);
    free(used);
    free(s.next_close);
    free(idx);
    return s.added;
}

const char *patterns_type_name(enum pattern_type t)
{
    switch (t) {
    case PATTERN_ACCUMULATION:
        return "accumulation";
    case PATTERN_DISTRIBUTION:
        return "distribution";
    case PATTERN_ROTATION:
        return "rotation";
    case PATTERN_ARBITRAGE:
        return "arbitrage";
    }
    return "unknown";
}

const char *patterns_status_name(enum pattern_status s)
{
    return s == PATTERN_COMPLETED ? "completed" : "active";
}
