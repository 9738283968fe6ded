/* Grid search and walk-forward folds (see grid.h). */
#include "backtest/grid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "trade/engine_config.h"

int bt_axis_parse(const char *arg, struct bt_axis *ax, char *err, size_t errsize)
{
    memset(ax, 0, sizeof *ax);
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof ax->name || !eq[1]) {
        snprintf(err, errsize, "'%s': expected NAME=a,b,c or NAME=lo:hi:step", arg);
        return WT_EPARSE;
    }
    memcpy(ax->name, arg, (size_t)(eq - arg));
    const char *spec = eq + 1;
    struct bt_scenario probe;
    memset(&probe, 0, sizeof probe);
    if (strchr(spec, ':')) {
        char *end;
        double lo = strtod(spec, &end), hi, step;
        if (*end != ':')
            goto bad_range;
        hi = strtod(end + 1, &end);
        if (*end != ':')
            goto bad_range;
        step = strtod(end + 1, &end);
        if (*end || !(step > 0) || !(lo <= hi) || !isfinite(lo) || !isfinite(hi))
            goto bad_range;
        for (size_t k = 0;; k++) {
            double v = lo + (double)k * step;
            if (v > hi + step * 1e-9)
                break;
            if (ax->n == BT_AXIS_MAX) {
                snprintf(err, errsize, "%s: more than %d values on one axis", ax->name,
                         BT_AXIS_MAX);
                return WT_EFULL;
            }
            snprintf(ax->values[ax->n++], BT_VALUE_MAX, "%.10g", v);
        }
    } else {
        const char *p = spec;
        while (*p) {
            const char *c = strchr(p, ',');
            size_t len = c ? (size_t)(c - p) : strlen(p);
            if (len == 0 || len >= BT_VALUE_MAX) {
                snprintf(err, errsize, "%s: an empty or too long value in '%s'", ax->name, spec);
                return WT_EPARSE;
            }
            if (ax->n == BT_AXIS_MAX) {
                snprintf(err, errsize, "%s: more than %d values on one axis", ax->name,
                         BT_AXIS_MAX);
                return WT_EFULL;
            }
            memcpy(ax->values[ax->n], p, len);
            ax->values[ax->n++][len] = '\0';
            p = c ? c + 1 : p + len;
        }
    }
    for (size_t i = 0; i < ax->n; i++) {
        int rc = bt_scenario_set(&probe, ax->name, ax->values[i], err, errsize);
        if (rc)
            return rc;
        str_copy(ax->values[i], BT_VALUE_MAX, probe.o[0].value); /* canonical */
    }
    return 0;
bad_range:
    snprintf(err, errsize, "%s: '%s' is not a range lo:hi:step (step > 0, lo <= hi)", ax->name,
             spec);
    return WT_EPARSE;
}

size_t bt_grid_points(const struct bt_axis *ax, size_t n)
{
    size_t p = 1;
    for (size_t i = 0; i < n; i++) {
        if (ax[i].n == 0 || p > (SIZE_MAX >> 32) / ax[i].n)
            return ax[i].n == 0 ? 0 : SIZE_MAX;
        p *= ax[i].n;
    }
    return p;
}

void bt_grid_point(const struct bt_axis *ax, size_t n, size_t i, struct bt_scenario *sc)
{
    char err[256];
    for (size_t a = 0; a < n; a++) {
        bt_scenario_set(sc, ax[a].name, ax[a].values[i % ax[a].n], err, sizeof err);
        i /= ax[a].n;
    }
}

static const char *const obj_names[] = {"return", "sharpe", "profit_factor", "expectancy"};

const char *bt_objective_name(enum bt_objective o)
{
    return (unsigned)o < 4 ? obj_names[o] : "?";
}

int bt_objective_parse(const char *s, enum bt_objective *o)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, obj_names[i]) == 0) {
            *o = (enum bt_objective)i;
            return 0;
        }
    return WT_EINVAL;
}

double bt_objective_value(const struct bt_metrics *m, enum bt_objective o)
{
    switch (o) {
    case BT_OBJ_SHARPE:
        return m->sharpe_valid ? m->sharpe : -INFINITY;
    case BT_OBJ_PROFIT_FACTOR:
        return m->profit_factor_inf ? 1e9 : m->profit_factor;
    case BT_OBJ_EXPECTANCY:
        return m->trades ? m->expectancy_sol : -INFINITY;
    case BT_OBJ_RETURN:
    default:
        return m->return_pct;
    }
}

bool bt_constraints_met(const struct bt_metrics *m, const struct bt_constraints *c)
{
    if (m->trades < c->min_trades)
        return false;
    return !(c->max_drawdown_pct > 0 && m->max_drawdown_pct > c->max_drawdown_pct);
}

void bt_grid_result_release(struct bt_grid_result *g)
{
    if (g->fold)
        for (unsigned k = 0; k < g->folds; k++)
            bt_result_release(&g->fold[k].oos_result);
    free(g->full);
    free(g->is_at);
    free(g->fold);
    memset(g, 0, sizeof *g);
}

/* The best point by the objective among those meeting the constraints
 * (ties: the lowest index, so the choice is the same on any machine). */
static size_t choose(const struct bt_metrics *m, size_t n, size_t stride, size_t off,
                     const struct bt_grid_opts *o)
{
    size_t best = SIZE_MAX;
    double bv = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const struct bt_metrics *x = &m[i * stride + off];
        if (!bt_constraints_met(x, &o->constraints))
            continue;
        double v = bt_objective_value(x, o->objective);
        if (best == SIZE_MAX || v > bv) {
            best = i;
            bv = v;
        }
    }
    return best;
}

/* A point's setup: the base with the point's values set. */
static int point_setup(const struct config *cfg, const struct bt_setup *base,
                       const struct bt_axis *axes, size_t n_axes, size_t i, struct bt_setup *out,
                       char *err, size_t errsize)
{
    struct bt_scenario sc;
    memset(&sc, 0, sizeof sc);
    bt_grid_point(axes, n_axes, i, &sc);
    *out = *base;
    /* Settings the engine knows go through engine_params_set (validated
     * whole at the end); the paper executor's and the tick are set in
     * their structs, from a configuration copy that checks them. */
    struct config c;
    config_copy(&c, cfg);
    int rc = 0;
    for (size_t k = 0; k < sc.n && rc == 0; k++) {
        const char *nm = sc.o[k].name, *v = sc.o[k].value;
        if (engine_param_known(nm))
            rc = engine_params_set(&out->engine, nm, v, false, err, errsize);
        else if (config_set(&c, nm, v, CONFIG_SRC_CLI) != 0) {
            snprintf(err, errsize, "%s", config_errmsg(&c));
            rc = WT_EINVAL;
        }
    }
    if (rc == 0) {
        char why[256];
        if (engine_params_validate(&out->engine, why, sizeof why) != 0) {
            struct buf b;
            buf_init(&b, 0);
            bt_scenario_params_json(&sc, &b);
            snprintf(err, errsize, "grid point %s: %s", b.data, why);
            buf_release(&b);
            rc = WT_EINVAL;
        }
        paper_params_from_config(&c, &out->paper);
        out->tick_ms = config_int(&c, CFG_ENGINE_TICK_MS);
    }
    config_release(&c);
    return rc;
}

/* Combines the folds' out-of-sample metrics. */
static void combine(struct bt_grid_result *g)
{
    struct bt_metrics *m = &g->oos;
    memset(m, 0, sizeof *m);
    double growth = 1, win = 0, loss = 0;
    for (unsigned k = 0; k < g->folds; k++) {
        const struct bt_fold *f = &g->fold[k];
        if (f->chosen == SIZE_MAX)
            continue;
        const struct bt_metrics *x = &f->oos;
        growth *= 1 + x->return_pct / 100;
        m->trades += x->trades;
        m->wins += x->wins;
        m->pnl_sol += x->pnl_sol;
        m->signals += x->signals;
        m->traded += x->traded;
        m->events += x->events;
        if (x->max_drawdown_pct > m->max_drawdown_pct)
            m->max_drawdown_pct = x->max_drawdown_pct;
        for (size_t i = 0; i < f->oos_result.trades.len; i++) {
            double p = f->oos_result.trades.v[i].pnl_sol;
            if (p > 0)
                win += p;
            else
                loss -= p;
        }
        m->capital_sol = x->capital_sol;
    }
    m->return_pct = 100 * (growth - 1);
    m->win_rate = m->trades ? (double)m->wins / (double)m->trades : 0;
    m->expectancy_sol = m->trades ? m->pnl_sol / (double)m->trades : 0;
    m->profit_factor = loss > 0 ? win / loss : 0;
    m->profit_factor_inf = loss == 0 && win > 0;
}

int bt_grid_run(const struct bt_tape *t, const struct bt_watchlist *wl, const struct config *cfg,
                const struct bt_setup *base, const struct bt_axis *axes, size_t n_axes,
                int64_t from, int64_t to, const struct bt_grid_opts *o, struct bt_grid_result *g,
                char *err, size_t errsize)
{
    memset(g, 0, sizeof *g);
    size_t np = bt_grid_points(axes, n_axes);
    unsigned K = o->in_sample ? 0 : o->folds;
    if (np == 0 || np == SIZE_MAX || (!o->in_sample && (K < 1 || K > BT_FOLDS_MAX))) {
        snprintf(err, errsize, "a grid needs 1 to %d folds and at least one point", BT_FOLDS_MAX);
        return WT_EINVAL;
    }
    int64_t part = (to - from) / (K + 1);
    if (part < MS_PER_HOUR) {
        snprintf(err, errsize, "the window is too short for %u folds (each part under an hour)", K);
        return WT_EINVAL;
    }
    int64_t bounds[BT_FOLDS_MAX + 2];
    for (unsigned k = 0; k <= K + 1; k++)
        bounds[k] = k == K + 1 ? to : from + (int64_t)k * part;
    struct bt_job *jobs = xcalloc(np, sizeof *jobs);
    g->points = np;
    g->folds = K;
    g->in_sample = o->in_sample;
    g->full = xcalloc(np, sizeof *g->full);
    g->is_at = xcalloc(np * (K ? K : 1), sizeof *g->is_at);
    g->fold = xcalloc(K ? K : 1, sizeof *g->fold);
    g->recommended = SIZE_MAX;
    int rc = 0;
    for (size_t i = 0; i < np && rc == 0; i++) {
        rc = point_setup(cfg, base, axes, n_axes, i, &jobs[i].setup, err, errsize);
        jobs[i].checkpoints = K ? bounds + 1 : NULL;
        jobs[i].n_checkpoints = K;
        jobs[i].at_checkpoint = K ? &g->is_at[i * K] : NULL;
    }
    struct bt_plan plan = {0};
    if (rc == 0)
        rc = bt_plan_build(&plan, t, wl, from - o->warm_ms, from, to, true);
    if (rc == 0)
        rc = bt_batch_run(t, &plan, wl, jobs, np, o->threads, true, o->cancel, o->progress,
                          o->progress_ctx);
    for (size_t i = 0; i < np; i++) {
        if (rc == 0 && jobs[i].rc != 0) {
            snprintf(err, errsize, "%s", jobs[i].err);
            rc = jobs[i].rc;
        }
        g->full[i] = jobs[i].result.m;
        bt_result_release(&jobs[i].result);
    }
    bt_plan_release(&plan);
    if (rc == 0 && o->in_sample) {
        g->recommended = choose(g->full, np, 1, 0, o);
        if (g->recommended != SIZE_MAX)
            g->oos = g->full[g->recommended];
    }
    for (unsigned k = 0; rc == 0 && k < K; k++) {
        struct bt_fold *f = &g->fold[k];
        f->is_from = from;
        f->is_to = bounds[k + 1];
        f->oos_from = bounds[k + 1];
        f->oos_to = bounds[k + 2];
        bt_result_init(&f->oos_result);
        f->chosen = choose(g->is_at, np, K, k, o);
        if (f->chosen == SIZE_MAX)
            continue;
        f->is = g->is_at[f->chosen * K + k];
        struct bt_plan p;
        if ((rc = bt_plan_build(&p, t, wl, f->oos_from - o->warm_ms, f->oos_from, f->oos_to, true)))
            break;
        struct bt_run_opts ro = {.cancel = o->cancel};
        rc = bt_replay(t, &p, &jobs[f->chosen].setup, wl, &ro, &f->oos_result, err, errsize);
        f->oos = f->oos_result.m;
        bt_plan_release(&p);
    }
    if (rc == 0 && K) {
        g->recommended = g->fold[K - 1].chosen;
        combine(g);
    }
    free(jobs);
    if (rc)
        bt_grid_result_release(g);
    return rc;
}
