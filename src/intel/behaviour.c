/* Behavioural classification of wallets.
 *
 * Why: the score must tell a skilled trader from a sniper bot that happens
 * to be profitable, and the API reports each wallet's trading style and
 * risk profile (smart-money spec). Everything is derived from counters kept
 * per fill (O(1) each) plus one median over the round trips' hold times, so
 * a profile costs O(trips). The thresholds live in behaviour_params and the
 * rules are stated in docs/metrics.md. */
#include "intel/behaviour.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"

void behaviour_params_default(struct behaviour_params *p)
{
    p->scalp_max_ms = MS_PER_HOUR;
    p->day_max_ms = 24 * MS_PER_HOUR;
    p->swing_max_ms = 7 * 24 * MS_PER_HOUR;
    p->fixed_max_cv = 0.25;
    p->min_buys = 5;
    p->fast_react_ms = 3000;
    p->uniform_cv = 0.02;
    p->uniform_cv_zero = 0.25;
    p->min_hours_swaps = 48;
}

void behaviour_acc_init(struct behaviour_acc *a)
{
    memset(a, 0, sizeof *a);
}

void behaviour_acc_add(struct behaviour_acc *a, const struct behaviour_params *p,
                       const struct ledger_fill *f, const struct ledger_mint *mint)
{
    int64_t h = (f->ts_ms / MS_PER_HOUR) % 24;
    if (h < 0)
        h += 24;
    a->hours[h]++;
    a->swaps++;
    if (f->side != SIDE_BUY)
        return;
    a->buys++;
    if (!(f->flags & LEDGER_FILL_NO_VALUE) && f->value_sol > 0) {
        a->sized_buys++;
        double d = f->value_sol - a->size_mean;
        a->size_mean += d / a->sized_buys;
        a->size_m2 += d * (f->value_sol - a->size_mean);
    }
    if (!(f->flags & LEDGER_FILL_FIRST_BUY))
        return;
    a->first_buys++;
    if (f->source < LEDGER_SOURCE_MAX)
        a->source_buys[f->source]++;
    if (f->flags & LEDGER_FILL_BONDING)
        a->bonding_buys++;
    if (f->flags & LEDGER_FILL_FIRST_SLOT)
        a->first_slot_buys++;
    if (mint && mint->launch_ms != INT64_MIN && f->ts_ms >= mint->launch_ms) {
        int64_t age = f->ts_ms - mint->launch_ms;
        a->aged_buys++;
        a->sum_age_ms += (double)age;
        if (age <= p->fast_react_ms)
            a->fast_buys++;
    }
    if (mint && mint->mcap_usd > 0) {
        a->mcap_buys++;
        a->sum_log_mcap += log(mint->mcap_usd);
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static void swap_i64(int64_t *a, size_t i, size_t j)
{
    int64_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

/* Returns the k-th smallest of a[0..n) (k < n) and leaves a partitioned
 * around it: a[i] <= a[k] for i < k. Quickselect with a median-of-three
 * pivot and a three-way partition (holds repeat); after 64 rounds that did
 * not finish, the range left is sorted, which bounds the worst case at
 * O(n log n). The value returned is the one a full sort puts at k. */
static int64_t select_kth(int64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    for (int round = 0; hi - lo > 16; round++) {
        if (round == 64) {
            qsort(a + lo, hi - lo, sizeof *a, cmp_i64);
            return a[k];
        }
        int64_t x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi - 1];
        int64_t piv = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (a[i] < piv)
                swap_i64(a, lt++, i++);
            else if (a[i] > piv)
                swap_i64(a, i, --gt);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return a[k];
    }
    for (size_t i = lo + 1; i < hi; i++) {
        int64_t v = a[i];
        size_t j = i;
        for (; j > lo && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
    return a[k];
}

/* The median as a sort gives it: the middle hold, or the mean of the two
 * middle ones (rounded toward zero) when k is even. Reorders h. */
static int64_t median_i64(int64_t *h, size_t k)
{
    int64_t hi = select_kth(h, k, k / 2);
    if (k % 2)
        return hi;
    int64_t lo = h[0]; /* the largest of h[0..k/2), all <= hi */
    for (size_t i = 1; i < k / 2; i++)
        lo = h[i] > lo ? h[i] : lo;
    return (lo + hi) / 2;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* median: the median hold of the known-basis round trips, when k > 0. */
static void classify(const struct behaviour_acc *a, const struct behaviour_params *p, size_t k,
                     int64_t median, const struct metrics *m, struct behaviour *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->hours, a->hours, sizeof out->hours);
    out->median_hold_ms = -1;
    out->avg_entry_age_ms = -1;

    /* Activity hours. */
    double ent = 0;
    for (int h = 0; h < 24; h++) {
        if (a->hours[h] > a->hours[out->peak_hour])
            out->peak_hour = (uint8_t)h;
        if (a->hours[h]) {
            out->active_hours++;
            double q = (double)a->hours[h] / a->swaps;
            ent -= q * log(q);
        }
    }
    out->hour_entropy = a->swaps ? ent / log(24.0) : 0;

    /* Sizing. */
    out->avg_buy_sol = a->size_mean;
    if (a->sized_buys >= 2 && a->size_mean > 0)
        out->size_cv = sqrt(a->size_m2 / (a->sized_buys - 1)) / a->size_mean;
    if (a->sized_buys >= p->min_buys)
        out->sizing =
            out->size_cv <= p->fixed_max_cv ? BEHAVIOUR_SIZING_FIXED : BEHAVIOUR_SIZING_VARIABLE;

    /* Token preferences. */
    if (a->first_buys)
        out->bonding_share = (double)a->bonding_buys / a->first_buys;
    if (a->aged_buys)
        out->avg_entry_age_ms = a->sum_age_ms / a->aged_buys;
    if (a->mcap_buys)
        out->entry_mcap_usd = exp(a->sum_log_mcap / a->mcap_buys);
    for (int s = 0; s < LEDGER_SOURCE_MAX; s++)
        if (a->source_buys[s] > a->source_buys[out->top_source])
            out->top_source = (uint8_t)s;

    /* Trading style: median hold of known-basis round trips. */
    if (k) {
        out->median_hold_ms = median;
        out->style = median < p->scalp_max_ms   ? BEHAVIOUR_STYLE_SCALP
                     : median < p->day_max_ms   ? BEHAVIOUR_STYLE_DAY
                     : median < p->swing_max_ms ? BEHAVIOUR_STYLE_SWING
                                                : BEHAVIOUR_STYLE_POSITION;
    }

    /* Risk profile: one point per aggressive trait. */
    if (a->swaps) {
        uint32_t pts = 0;
        pts += a->first_buys && out->bonding_share >= 0.5;
        pts += out->avg_entry_age_ms >= 0 && out->avg_entry_age_ms < (double)MS_PER_HOUR;
        pts += a->sized_buys >= p->min_buys && out->size_cv > 1.0;
        /* the drawdown against the capital its round trips used (the
         * fraction of a peak is undefined for a wallet that never gained) */
        pts += m && m->trades && m->max_drawdown_sol > 0.3 * m->avg_trade_sol * m->trades;
        out->risk_points = pts;
        out->risk = pts == 0   ? BEHAVIOUR_RISK_CONSERVATIVE
                    : pts <= 2 ? BEHAVIOUR_RISK_MODERATE
                               : BEHAVIOUR_RISK_AGGRESSIVE;
    }

    /* Bot-likeness. */
    if (a->aged_buys)
        out->bot_fast = (double)a->fast_buys / a->aged_buys;
    if (a->first_buys)
        out->bot_first_slot = (double)a->first_slot_buys / a->first_buys;
    if (a->sized_buys >= p->min_buys)
        out->bot_uniform =
            clamp01((p->uniform_cv_zero - out->size_cv) / (p->uniform_cv_zero - p->uniform_cv));
    if (a->swaps >= p->min_hours_swaps)
        out->bot_clock = clamp01((out->hour_entropy - 0.9) / 0.1);
    out->bot_score = 0.3 * out->bot_fast + 0.3 * out->bot_first_slot + 0.2 * out->bot_uniform +
                     0.2 * out->bot_clock;
}

void behaviour_classify(const struct behaviour_acc *a, const struct behaviour_params *p,
                        const struct ledger_trip *trips, size_t n_trips, const struct metrics *m,
                        struct behaviour *out)
{
    int64_t median = -1;
    size_t k = 0;
    if (n_trips) {
        int64_t *h = xmalloc(n_trips * sizeof *h);
        for (size_t i = 0; i < n_trips; i++)
            if (!(trips[i].flags & LEDGER_TRIP_UNKNOWN_BASIS))
                h[k++] = trips[i].close_ms - trips[i].open_ms;
        if (k)
            median = median_i64(h, k);
        free(h);
    }
    classify(a, p, k, median, m, out);
}

void behaviour_classify_sorted(const struct behaviour_acc *a, const struct behaviour_params *p,
                               const int64_t *holds, size_t k, const struct metrics *m,
                               struct behaviour *out)
{
    /* what median_i64 gives: the largest of the lower half is holds[k/2 - 1] */
    int64_t median = !k ? -1 : k % 2 ? holds[k / 2] : (holds[k / 2 - 1] + holds[k / 2]) / 2;
    classify(a, p, k, median, m, out);
}

const char *behaviour_style_name(enum behaviour_style s)
{
    switch (s) {
    case BEHAVIOUR_STYLE_SCALP:
        return "scalp";
    case BEHAVIOUR_STYLE_DAY:
        return "day";
    case BEHAVIOUR_STYLE_SWING:
        return "swing";
    case BEHAVIOUR_STYLE_POSITION:
        return "position";
    case BEHAVIOUR_STYLE_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *behaviour_risk_name(enum behaviour_risk r)
{
    switch (r) {
    case BEHAVIOUR_RISK_CONSERVATIVE:
        return "conservative";
    case BEHAVIOUR_RISK_MODERATE:
        return "moderate";
    case BEHAVIOUR_RISK_AGGRESSIVE:
        return "aggressive";
    case BEHAVIOUR_RISK_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *behaviour_sizing_name(enum behaviour_sizing s)
{
    switch (s) {
    case BEHAVIOUR_SIZING_FIXED:
        return "fixed";
    case BEHAVIOUR_SIZING_VARIABLE:
        return "variable";
    case BEHAVIOUR_SIZING_UNKNOWN:
        break;
    }
    return "unknown";
}
