/* Behavioural similarity (see similar.h).
 *
 * Why these features: they are what a trader means by "trades like":
 * how long it holds (median and mean, log scale), how early it enters
 * (rank among buyers, price against the later peak, token age, log),
 * how much it puts in (mean buy, log) and how evenly (CV), when it trades
 * (the 24-hour histogram as a point on the clock circle: its direction is
 * the busy hour, its length how concentrated; plus the entropy), where
 * (bonding-curve share), how mechanical (bot-likeness), how often it
 * trades (round trips, log), how it exits (sells per buy) and its
 * patterns per round trip. Logs tame the heavy tails of times and sizes
 * before the z-score; z-scores put every feature on one scale. */
#include "intel/similar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/vec.h"

#define TWO_PI 6.283185307179586

const char *const similar_feature_names[SIMILAR_DIMS] = {
    "log_median_hold_min",
    "log_avg_hold_min",
    "entry_rank",
    "entry_vs_peak",
    "log_entry_age_min",
    "log_avg_buy_sol",
    "size_cv",
    "hour_cos",
    "hour_sin",
    "hour_entropy",
    "bonding_share",
    "bot_score",
    "log_round_trips",
    "sells_per_buy",
    "accumulation_rate",
    "distribution_rate",
    "rotation_rate",
    "arbitrage_rate",
};

bool similar_vector(const struct intel *in, const struct intel_profile *pr,
                    const struct similar_patterns *pt, double out[SIMILAR_DIMS])
{
    const struct metrics *m = &pr->metrics;
    const struct behaviour *b = &pr->behaviour;
    if (m->trades < SIMILAR_MIN_TRIPS)
        return false;
    const struct ledger_wallet *lw = ledger_wallet(intel_ledger((struct intel *)in), pr->wallet);
    double v[SIMILAR_DIMS];
    v[0] = b->median_hold_ms >= 0 ? log10(b->median_hold_ms / (double)MS_PER_MINUTE + 1) : NAN;
    v[1] = log10(m->avg_hold_ms / (double)MS_PER_MINUTE + 1);
    v[2] = pr->timing.tokens ? pr->timing.percentile : NAN;
    v[3] = pr->timing.entry_vs_peak > 0 ? pr->timing.entry_vs_peak : NAN;
    v[4] = b->avg_entry_age_ms >= 0 ? log10(b->avg_entry_age_ms / (double)MS_PER_MINUTE + 1) : NAN;
    v[5] = b->avg_buy_sol > 0 ? log10(b->avg_buy_sol + 1e-3) : NAN;
    v[6] = isfinite(b->size_cv) ? b->size_cv : NAN;
    double total = 0, c = 0, s = 0;
    for (int h = 0; h < 24; h++) {
        total += b->hours[h];
        c += b->hours[h] * cos(TWO_PI * h / 24);
        s += b->hours[h] * sin(TWO_PI * h / 24);
    }
    v[7] = total > 0 ? c / total : NAN;
    v[8] = total > 0 ? s / total : NAN;
    v[9] = total > 0 ? b->hour_entropy : NAN;
    v[10] = b->bonding_share;
    v[11] = b->bot_score;
    v[12] = log10((double)m->trades + 1);
    v[13] = lw && lw->n_buys ? (double)lw->n_sells / lw->n_buys : NAN;
    for (int i = 0; i < 4; i++)
        v[14 + i] = pt ? (double)pt->n[i] / m->trades : NAN;
    memcpy(out, v, sizeof v);
    return true;
}

int similar_format(const double v[SIMILAR_DIMS], char *out, size_t n)
{
    size_t len = 0;
    for (int i = 0; i < SIMILAR_DIMS; i++) {
        int w = isfinite(v[i]) ? snprintf(out + len, n - len, "%s%.6g", i ? "," : "[", v[i])
                               : snprintf(out + len, n - len, "%snull", i ? "," : "[");
        if (w < 0 || (size_t)w >= n - len)
            return WT_EFULL;
        len += (size_t)w;
    }
    if (len + 2 > n)
        return WT_EFULL;
    out[len++] = ']';
    out[len] = '\0';
    return 0;
}

int similar_parse(const char *s, double v[SIMILAR_DIMS])
{
    double t[SIMILAR_DIMS];
    const char *p = s;
    if (*p++ != '[')
        return WT_EINVAL;
    for (int i = 0; i < SIMILAR_DIMS; i++) {
        if (strncmp(p, "null", 4) == 0) {
            t[i] = NAN;
            p += 4;
        } else {
            char *end;
            t[i] = strtod(p, &end);
            if (end == p || !isfinite(t[i]))
                return WT_EINVAL;
            p = end;
        }
        if (*p++ != (i + 1 < SIMILAR_DIMS ? ',' : ']'))
            return WT_EINVAL;
    }
    if (*p != '\0')
        return WT_EINVAL;
    memcpy(v, t, sizeof t);
    return 0;
}

static int by_distance(const void *a, const void *b)
{
    const struct similar_hit *x = a, *y = b;
    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

size_t similar_nearest(const double *vectors, size_t n, size_t self, size_t k,
                       struct similar_hit *out)
{
    if (n < 2 || self >= n || k == 0)
        return 0;
    /* per-feature mean and sd over the known values */
    double mean[SIMILAR_DIMS], sd[SIMILAR_DIMS];
    for (int d = 0; d < SIMILAR_DIMS; d++) {
        double s = 0, s2 = 0;
        size_t c = 0;
        for (size_t i = 0; i < n; i++) {
            double x = vectors[i * SIMILAR_DIMS + d];
            if (isfinite(x)) {
                s += x;
                c++;
            }
        }
        mean[d] = c ? s / c : 0;
        for (size_t i = 0; i < n; i++) {
            double x = vectors[i * SIMILAR_DIMS + d];
            if (isfinite(x))
                s2 += (x - mean[d]) * (x - mean[d]);
        }
        sd[d] = c > 1 ? sqrt(s2 / (c - 1)) : 0;
    }
    double z0[SIMILAR_DIMS];
    for (int d = 0; d < SIMILAR_DIMS; d++) {
        double x = vectors[self * SIMILAR_DIMS + d];
        z0[d] = isfinite(x) && sd[d] > 0 ? (x - mean[d]) / sd[d] : 0;
    }
    struct similar_hit *all = xmalloc((n - 1) * sizeof *all);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == self)
            continue;
        double d2 = 0;
        for (int d = 0; d < SIMILAR_DIMS; d++) {
            double x = vectors[i * SIMILAR_DIMS + d];
            double z = isfinite(x) && sd[d] > 0 ? (x - mean[d]) / sd[d] : 0;
            d2 += (z - z0[d]) * (z - z0[d]);
        }
        all[m].index = i;
        all[m].distance = sqrt(d2);
        m++;
    }
    qsort(all, m, sizeof *all, by_distance);
    size_t r = m < k ? m : k;
    memcpy(out, all, r * sizeof *out);
    free(all);
    return r;
}

/* ------------------------------------------------------------ store */

struct cand {
    char address[BASE58_KEY_MAX];
};

struct collect {
    VEC(struct cand) a;
    VEC(double) v;
};

static int on_row(void *ctx, const struct wallet *w)
{
    struct collect *c = ctx;
    double v[SIMILAR_DIMS];
    if (w->behaviour_vec[0] == '\0' || similar_parse(w->behaviour_vec, v) != 0)
        return 0;
    struct cand x;
    memcpy(x.address, w->address, sizeof x.address);
    vec_push(&c->a, x);
    for (int d = 0; d < SIMILAR_DIMS; d++)
        vec_push(&c->v, v[d]);
    return 0;
}

int similar_from_store(struct store *st, const char *address, size_t k, struct wallet *out,
                       double *dist, size_t *n_out, size_t *candidates)
{
    *n_out = 0;
    *candidates = 0;
    struct wallet self;
    int rc = store_wallet_get(st, address, &self);
    if (rc != 0)
        return rc;
    struct collect c = {0};
    struct wallet_filter f = {0};
    rc = store_wallet_scan(st, &f, on_row, &c);
    size_t me = SIZE_MAX;
    for (size_t i = 0; rc == 0 && i < c.a.len; i++)
        if (strcmp(c.a.v[i].address, address) == 0)
            me = i;
    if (rc == 0 && me == SIZE_MAX)
        rc = WT_ESTATE;
    if (rc == 0) {
        *candidates = c.a.len - 1;
        struct similar_hit *hits = xmalloc((k ? k : 1) * sizeof *hits);
        size_t n = similar_nearest(c.v.v, c.a.len, me, k, hits);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            rc = store_wallet_get(st, c.a.v[hits[i].index].address, &out[i]);
            dist[i] = hits[i].distance;
        }
        if (rc == 0)
            *n_out = n;
        free(hits);
    }
    vec_free(&c.a);
    vec_free(&c.v);
    return rc;
}
