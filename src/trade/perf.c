/* Performance of closed trades (see perf.h; formulas in docs/engine.md).
 *
 * Everything is accumulated in one pass in close order, in O(1) memory per
 * trade except the equity curve and the per-day PnL, which the API needs
 * whole (the curve is thinned when written). Daily PnL is keyed by UTC day
 * and days without a close count as 0 in the Sharpe ratio, so a strategy
 * that trades rarely is not flattered. */
#include "trade/perf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "trade/engine_out.h"

#define NBUCKETS 10
#define NGROUPS  16

struct agg {
    uint64_t n, wins;
    double pnl_sol, pnl_pct;
};

struct group {
    char name[32];
    struct agg a;
};

struct point {
    int64_t ts_ms;
    double equity_sol;
};

/* Running means and co-moments of (factor, win) for the separation. */
struct sep {
    double sum_w, sum_l, sum_sq;
    uint64_t n_w, n_l;
};

struct perf {
    double capital;
    struct agg all;
    double sum_win, sum_loss; /* SOL, loss positive */
    double equity, peak, max_dd, max_dd_pct;
    VEC(struct point) curve;
    VEC(struct point) mtm; /* perf_mark samples */
    double mtm_peak, mtm_dd, mtm_dd_pct;
    VEC(double) days;    /* PnL per UTC day from first_day */
    VEC(uint64_t) day_n; /* trades closed per UTC day, parallel to days */
    int64_t first_day;
    VEC(struct agg) weeks; /* per 7 days from first_day: accuracy over time */
    struct agg hour[24];
    struct agg bucket[SF_COUNT + 1][NBUCKETS]; /* [0]: score, [1..]: factors */
    struct sep sep[SF_COUNT + 1];
    struct group reason[NGROUPS], strategy[NGROUPS];
    unsigned n_reason, n_strategy;
    uint64_t with_factors;
};

struct perf *perf_new(double capital_sol)
{
    struct perf *p = xcalloc(1, sizeof *p);
    p->capital = capital_sol;
    p->equity = p->peak = capital_sol;
    return p;
}

void perf_free(struct perf *p)
{
    if (!p)
        return;
    vec_free(&p->curve);
    vec_free(&p->mtm);
    vec_free(&p->days);
    vec_free(&p->day_n);
    vec_free(&p->weeks);
    free(p);
}

uint64_t perf_count(const struct perf *p)
{
    return p->all.n;
}

void perf_mark(struct perf *p, int64_t ts_ms, double equity_sol)
{
    if (!isfinite(equity_sol) || (p->mtm.len && ts_ms < p->mtm.v[p->mtm.len - 1].ts_ms))
        return;
    if (p->mtm.len == 0)
        p->mtm_peak = p->capital > equity_sol ? p->capital : equity_sol;
    if (equity_sol > p->mtm_peak)
        p->mtm_peak = equity_sol;
    double dd = p->mtm_peak - equity_sol;
    if (dd > p->mtm_dd) {
        p->mtm_dd = dd;
        p->mtm_dd_pct = p->mtm_peak > 0 ? 100 * dd / p->mtm_peak : 0;
    }
    vec_push(&p->mtm, ((struct point){ts_ms, equity_sol}));
}

void perf_drawdowns(const struct perf *p, struct perf_drawdowns *out)
{
    out->realized_sol = p->max_dd;
    out->realized_pct = p->max_dd_pct;
    out->mtm_samples = p->mtm.len;
    out->mtm_sol = p->mtm.len ? p->mtm_dd : p->max_dd;
    out->mtm_pct = p->mtm.len ? p->mtm_dd_pct : p->max_dd_pct;
}

/* One point of an equity curve. */
static void write_point(struct jw *w, int64_t ts_ms, double equity_sol)
{
    jw_obj_begin(w);
    jw_ki64(w, "ts_ms", ts_ms);
    jw_kdouble(w, "equity_sol", equity_sol);
    jw_obj_end(w);
}

/* Writes curve c (thinned evenly to about max_points, keeping the first,
 * the last and the lowest point). */
static void write_points(const struct point *c, size_t n, unsigned max_points, struct jw *w)
{
    size_t step = max_points && n > max_points ? (n + max_points - 1) / max_points : 1;
    size_t lowest = 0;
    for (size_t i = 1; i < n; i++)
        if (c[i].equity_sol < c[lowest].equity_sol)
            lowest = i;
    for (size_t i = 0; i < n; i++) {
        if (i % step != 0 && i != n - 1 && i != lowest)
            continue;
        write_point(w, c[i].ts_ms, c[i].equity_sol);
    }
}

static void agg_add(struct agg *a, const struct perf_trade *t)
{
    a->n++;
    a->wins += t->pnl_sol > 0;
    a->pnl_sol += t->pnl_sol;
    a->pnl_pct += t->pnl_pct;
}

static void group_add(struct group *g, unsigned *n, const char *name, const struct perf_trade *t)
{
    unsigned i;
    for (i = 0; i < *n; i++)
        if (strcmp(g[i].name, name) == 0)
            break;
    if (i == *n) {
        if (*n == NGROUPS)
            i = NGROUPS - 1; /* the last group takes the rest */
        else
            snprintf(g[(*n)++].name, sizeof g[0].name, "%s", name);
    }
    agg_add(&g[i].a, t);
}

static int bucket_of(double x)
{
    int b = (int)floor(x * NBUCKETS);
    return b < 0 ? 0 : b >= NBUCKETS ? NBUCKETS - 1 : b;
}

void perf_add(struct perf *p, const struct perf_trade *t)
{
    bool win = t->pnl_sol > 0;
    agg_add(&p->all, t);
    if (win)
        p->sum_win += t->pnl_sol;
    else
        p->sum_loss += -t->pnl_sol;

    p->equity += t->pnl_sol;
    if (p->equity > p->peak)
        p->peak = p->equity;
    double dd = p->peak - p->equity;
    if (dd > p->max_dd) {
        p->max_dd = dd;
        p->max_dd_pct = p->peak > 0 ? 100 * dd / p->peak : 0;
    }
    vec_push(&p->curve, ((struct point){t->closed_ms, p->equity}));

    int64_t day = t->closed_ms / MS_PER_DAY;
    if (p->days.len == 0)
        p->first_day = day;
    if (day >= p->first_day) {
        while ((int64_t)p->days.len <= day - p->first_day) {
            vec_push(&p->days, 0.0);
            vec_push(&p->day_n, 0);
        }
        p->days.v[day - p->first_day] += t->pnl_sol;
        p->day_n.v[day - p->first_day]++;
        size_t wk = (size_t)(day - p->first_day) / 7;
        while (p->weeks.len <= wk)
            vec_push_zero(&p->weeks);
        agg_add(&p->weeks.v[wk], t);
    }

    int h = t->entry_hour >= 0 && t->entry_hour < 24 ? t->entry_hour : 0;
    agg_add(&p->hour[h], t);
    agg_add(&p->bucket[0][bucket_of(t->score)], t);
    struct sep *s = &p->sep[0];
    s->sum_sq += t->score * t->score;
    if (win) {
        s->sum_w += t->score;
        s->n_w++;
    } else {
        s->sum_l += t->score;
        s->n_l++;
    }
    if (t->has_factors) {
        p->with_factors++;
        for (int i = 0; i < SF_COUNT; i++) {
            agg_add(&p->bucket[i + 1][bucket_of(t->f[i])], t);
            s = &p->sep[i + 1];
            s->sum_sq += t->f[i] * t->f[i];
            if (win) {
                s->sum_w += t->f[i];
                s->n_w++;
            } else {
                s->sum_l += t->f[i];
                s->n_l++;
            }
        }
    }
    group_add(p->reason, &p->n_reason, t->exit_reason, t);
    group_add(p->strategy, &p->n_strategy, t->strategy, t);
}

static double ratio(double a, double b)
{
    return b != 0 ? a / b : 0;
}

static void agg_write(const struct agg *a, struct jw *w)
{
    jw_ku64(w, "trades", a->n);
    jw_ku64(w, "wins", a->wins);
    jw_kdouble(w, "win_rate", ratio((double)a->wins, (double)a->n));
    jw_kdouble(w, "pnl_sol", a->pnl_sol);
    jw_kdouble(w, "avg_pnl_pct", ratio(a->pnl_pct, (double)a->n));
}

static void groups_write(const struct group *g, unsigned n, const char *key, struct jw *w)
{
    jw_arr_begin(w);
    for (unsigned i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kstr(w, key, g[i].name);
        agg_write(&g[i].a, w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

/* Sharpe of the daily PnL as a fraction of the starting capital,
 * annualised by sqrt(365); 0 with fewer than 2 days or no variance. */
static double sharpe(const struct perf *p, bool *valid)
{
    *valid = false;
    size_t n = p->days.len;
    if (n < 2 || !(p->capital > 0))
        return 0;
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        double r = p->days.v[i] / p->capital;
        double d = r - mean;
        mean += d / (double)(i + 1);
        m2 += d * (r - mean);
    }
    double sd = sqrt(m2 / (double)(n - 1));
    if (!(sd > 0))
        return 0;
    *valid = true;
    return mean / sd * sqrt(365.0);
}

void perf_write(const struct perf *p, double equity_now_sol, int64_t now_ms, unsigned max_points,
                struct jw *w)
{
    const struct agg *a = &p->all;
    uint64_t losses = a->n - a->wins;
    double avg_win = ratio(p->sum_win, (double)a->wins);
    double avg_loss = ratio(p->sum_loss, (double)losses);
    bool sv;
    double sh = sharpe(p, &sv);
    jw_obj_begin(w);
    jw_ku64(w, "trades", a->n);
    jw_ku64(w, "wins", a->wins);
    jw_ku64(w, "losses", losses);
    jw_kdouble(w, "win_rate", ratio((double)a->wins, (double)a->n));
    jw_kdouble(w, "pnl_sol", a->pnl_sol);
    jw_kdouble(w, "avg_pnl_pct", ratio(a->pnl_pct, (double)a->n));
    jw_kdouble(w, "avg_win_sol", avg_win);
    jw_kdouble(w, "avg_loss_sol", avg_loss);
    jw_kdouble(w, "profit_ratio", ratio(avg_win, avg_loss));
    jw_kbool(w, "profit_ratio_valid", a->wins > 0 && losses > 0);
    /* Gross profit over gross loss: undefined without a losing trade. */
    jw_kdouble(w, "profit_factor", ratio(p->sum_win, p->sum_loss));
    jw_kbool(w, "profit_factor_valid", losses > 0 && p->sum_loss > 0);
    jw_kdouble(w, "capital_sol", p->capital);
    jw_kdouble(w, "return_pct", 100 * ratio(a->pnl_sol, p->capital));
    jw_kdouble(w, "max_drawdown_sol", p->max_dd);
    jw_kdouble(w, "max_drawdown_pct", p->max_dd_pct);
    /* Mean PnL per closed trade, after every cost the fills carried. */
    jw_kdouble(w, "expectancy_sol", ratio(a->pnl_sol, (double)a->n));
    struct perf_drawdowns dd;
    perf_drawdowns(p, &dd);
    jw_kdouble(w, "max_drawdown_mtm_sol", dd.mtm_sol);
    jw_kdouble(w, "max_drawdown_mtm_pct", dd.mtm_pct);
    jw_ku64(w, "mtm_samples", dd.mtm_samples);
    jw_kdouble(w, "sharpe", sh);
    jw_kbool(w, "sharpe_valid", sv);
    jw_ku64(w, "sharpe_days", p->days.len);

    /* The realized equity curve, from the capital, thinned evenly. */
    jw_karr_begin(w, "equity_curve");
    size_t n = p->curve.len;
    write_point(w, n ? p->curve.v[0].ts_ms : now_ms, p->capital);
    write_points(p->curve.v, n, max_points, w);
    if (equity_now_sol >= 0) {
        /* Never before the last close: the curve's times ascend even when
         * the caller's clock is behind the trades' (a simulated market
         * runs ahead of the wall clock). */
        int64_t last = n ? p->curve.v[n - 1].ts_ms : now_ms;
        jw_obj_begin(w);
        jw_ki64(w, "ts_ms", now_ms > last ? now_ms : last);
        jw_kdouble(w, "equity_sol", equity_now_sol);
        jw_kbool(w, "unrealized", true);
        jw_obj_end(w);
    }
    jw_arr_end(w);

    /* The mark-to-market curve: equity with the open positions at their
     * last price, as sampled (perf_mark), then the equity now. */
    jw_karr_begin(w, "equity_curve_mtm");
    write_points(p->mtm.v, p->mtm.len, max_points, w);
    if (equity_now_sol >= 0 && (p->mtm.len == 0 || now_ms > p->mtm.v[p->mtm.len - 1].ts_ms))
        write_point(w, now_ms, equity_now_sol);
    jw_arr_end(w);

    /* Every UTC day from the first close to the last, days without a
     * close included: the dashboard's daily chart needs no trade list. */
    jw_karr_begin(w, "by_day");
    for (size_t i = 0; i < p->days.len; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "from_ms", (p->first_day + (int64_t)i) * MS_PER_DAY);
        jw_ku64(w, "trades", p->day_n.v[i]);
        jw_kdouble(w, "pnl_sol", p->days.v[i]);
        jw_obj_end(w);
    }
    jw_arr_end(w);

    jw_karr_begin(w, "by_week");
    for (size_t i = 0; i < p->weeks.len; i++) {
        jw_obj_begin(w);
        jw_ki64(w, "from_ms", (p->first_day + (int64_t)i * 7) * MS_PER_DAY);
        agg_write(&p->weeks.v[i], w);
        jw_obj_end(w);
    }
    jw_arr_end(w);

    jw_karr_begin(w, "by_hour");
    for (int h = 0; h < 24; h++) {
        jw_obj_begin(w);
        jw_ki64(w, "hour", h);
        agg_write(&p->hour[h], w);
        jw_obj_end(w);
    }
    jw_arr_end(w);

    jw_kobj_begin(w, "by_factor");
    for (int f = 0; f <= SF_COUNT; f++) {
        jw_key(w, f == 0 ? "score" : signal_factor_name((enum signal_factor)(f - 1)));
        jw_arr_begin(w);
        for (int b = 0; b < NBUCKETS; b++) {
            if (!p->bucket[f][b].n)
                continue;
            char label[24];
            snprintf(label, sizeof label, "%.1f-%.1f", b / 10.0, (b + 1) / 10.0);
            jw_obj_begin(w);
            jw_kstr(w, "bucket", label);
            jw_kdouble(w, "from", b / 10.0);
            agg_write(&p->bucket[f][b], w);
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_end(w);

    /* Separation: the mean of each factor among winners and losers, and
     * the point-biserial correlation with winning,
     * r = (m_w - m_l) / sd * sqrt(n_w n_l) / n, sd the population standard
     * deviation of the factor over all trades. */
    jw_karr_begin(w, "separation");
    for (int f = 0; f <= SF_COUNT; f++) {
        const struct sep *s = &p->sep[f];
        double tot = (double)(s->n_w + s->n_l);
        if (!(tot > 0))
            continue;
        double mw = ratio(s->sum_w, (double)s->n_w), ml = ratio(s->sum_l, (double)s->n_l);
        double mean = (s->sum_w + s->sum_l) / tot;
        double var = s->sum_sq / tot - mean * mean;
        double r = 0;
        if (s->n_w && s->n_l && var > 1e-18)
            r = (mw - ml) / sqrt(var) * sqrt((double)s->n_w * (double)s->n_l) / tot;
        jw_obj_begin(w);
        jw_kstr(w, "factor", f == 0 ? "score" : signal_factor_name((enum signal_factor)(f - 1)));
        jw_ku64(w, "winners", s->n_w);
        jw_ku64(w, "losers", s->n_l);
        jw_kdouble(w, "mean_winners", mw);
        jw_kdouble(w, "mean_losers", ml);
        jw_kdouble(w, "difference", s->n_w && s->n_l ? mw - ml : 0);
        jw_kdouble(w, "correlation", r);
        jw_obj_end(w);
    }
    jw_arr_end(w);

    jw_key(w, "by_exit_reason");
    groups_write(p->reason, p->n_reason, "exit_reason", w);
    jw_key(w, "by_strategy");
    groups_write(p->strategy, p->n_strategy, "strategy", w);
    jw_obj_end(w);
}

void perf_trade_from_engine(const struct engine_trade *e, struct perf_trade *t)
{
    memset(t, 0, sizeof *t);
    t->opened_ms = e->t->entry_ts_ms;
    t->closed_ms = e->t->exit_ts_ms;
    t->pnl_sol = e->t->pnl_sol;
    t->pnl_pct = e->t->pnl_pct;
    t->cost_sol = (double)e->t->cost_lamports / 1e9;
    t->score = e->score;
    memcpy(t->f, e->f, sizeof t->f);
    t->has_factors = true;
    t->entry_hour = e->entry_hour;
    char why[EXIT_REASON_MAX];
    str_copy(t->exit_reason, sizeof t->exit_reason,
             exit_reason_format(e->t->reason, e->t->tp_level, why));
    str_copy(t->strategy, sizeof t->strategy, e->t->strategy);
}

int perf_trade_from_row(const struct closed_trade_row *r, struct perf_trade *t)
{
    memset(t, 0, sizeof *t);
    t->opened_ms = r->opened_ms;
    t->closed_ms = r->closed_ms;
    t->pnl_sol = r->pnl_sol;
    t->pnl_pct = r->pnl_pct;
    t->cost_sol = (double)r->entry_lamports / 1e9;
    t->score = r->score;
    int64_t h = (r->opened_ms / MS_PER_HOUR) % 24;
    t->entry_hour = (int)(h < 0 ? h + 24 : h);
    str_copy(t->exit_reason, sizeof t->exit_reason, r->exit_reason);
    str_copy(t->strategy, sizeof t->strategy, r->strategy[0] ? r->strategy : "unknown");
    struct json_doc *d = json_doc_new(8);
    struct json_val o;
    if (json_parse(d, r->factors, strlen(r->factors), 0, &o) == 0) {
        int ok = 0;
        for (int i = 0; i < SF_COUNT; i++)
            ok += json_opt_double(&o, signal_factor_name((enum signal_factor)i), &t->f[i]) == 0;
        t->has_factors = ok == SF_COUNT;
        int64_t eh;
        if (json_opt_i64(&o, "entry_hour", &eh) == 0 && eh >= 0 && eh < 24)
            t->entry_hour = (int)eh;
    }
    json_doc_free(d);
    return 0;
}
