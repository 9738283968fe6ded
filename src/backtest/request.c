/* Checks, data and saving shared by the backtest command and the API
 * (request.h). Moved out of cli/cmd_backtest.c so POST /v1/backtests
 * refuses exactly what the command refuses, with the same words. */
#include "backtest/request.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest/runs.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "trade/engine_store.h"

/* Names the tape cache after the database it holds (FNV-1a of db.url, or
 * of the data folder for SQLite). */
static uint64_t db_hash(const struct config *cfg)
{
    const char *u = config_str(cfg, CFG_DB_URL);
    if (!u[0])
        u = config_str(cfg, CFG_DATA_DIR);
    uint64_t h = 1469598103934665603ull;
    for (; *u; u++)
        h = (h ^ (uint8_t)*u) * 1099511628211ull;
    return h;
}

void bt_prep_release(struct bt_prep *p)
{
    bt_watchlist_release(&p->wl);
    bt_tape_release(&p->tape);
    if (p->have_cfg)
        config_release(&p->cfg);
    p->have_cfg = false;
}

int bt_prep_validate(struct store *st, const struct config *base, const char *flag,
                     const char *from_s, const char *to_s, const char *scenario,
                     const struct bt_scenario *sets, struct bt_prep *p, char *err, size_t errsize)
{
    memset(p, 0, sizeof *p);
    bt_tape_init(&p->tape);
    str_copy(p->sets.name, sizeof p->sets.name, "--set");
    if (sets)
        p->sets = *sets;
    p->from_s = from_s;
    p->to_s = to_s;
    if (!from_s || !to_s) {
        snprintf(err, errsize, "needs %sfrom and %sto", flag, flag);
        return WT_EINVAL;
    }
    static const char iso_help[] = "is not an ISO 8601 date or time (2026-11-01 or "
                                   "2026-11-01T12:00:00Z)";
    if (bt_time_parse(from_s, &p->from) != 0) {
        snprintf(err, errsize, "%sfrom: '%s' %s", flag, from_s, iso_help);
        return WT_EPARSE;
    }
    if (bt_time_parse(to_s, &p->to) != 0) {
        snprintf(err, errsize, "%sto: '%s' %s", flag, to_s, iso_help);
        return WT_EPARSE;
    }
    if (p->to <= p->from) {
        snprintf(err, errsize, "empty or inverted window: %sfrom %s is not before %sto %s", flag,
                 from_s, flag, to_s);
        return WT_EINVAL;
    }
    int rc = bt_scenario_load(st, scenario ? scenario : "default", &p->sc, NULL, err, errsize);
    if (rc)
        return rc;
    bt_setup_init(&p->setup);
    size_t n_exits;
    if ((rc = engine_store_exits_load(st, &p->setup.engine.book, &n_exits, err, errsize)) != 0)
        return rc;
    const struct bt_scenario *lists[2] = {&p->sc, &p->sets};
    if ((rc = bt_settings(base, lists, 2, &p->cfg, &p->setup, err, errsize)) != 0)
        return rc;
    p->have_cfg = true;
    p->warm = config_int(&p->cfg, CFG_BT_WARMUP_DAYS) * MS_PER_DAY;
    return 0;
}

int bt_prep_load(struct store *st, struct bt_prep *p, const char **how)
{
    char path[4096];
    *how = "built";
    snprintf(path, sizeof path, "%s/backtest-%016" PRIx64 ".tape",
             config_str(&p->cfg, CFG_DATA_DIR), db_hash(&p->cfg));
    p->started = clock_wall_ms();
    int r = bt_watchlist_from_store(&p->wl, st);
    if (r == 0)
        r = bt_tape_cached(&p->tape, st, path, how);
    return r;
}

void bt_grid_req_release(struct bt_grid_req *g)
{
    free(g->axes);
    g->axes = NULL;
    g->n_axes = 0;
}

int bt_grid_req_parse(const char *const *axes, size_t n, const char *objective, double min_trades,
                      double max_drawdown_pct, double folds, bool in_sample,
                      const struct config *cfg, const char *flag, struct bt_grid_req *g, char *err,
                      size_t errsize)
{
    memset(g, 0, sizeof *g);
    if (n < 1 || n > BT_AXES_MAX) {
        snprintf(err, errsize, "grid needs 1 to %d axes NAME=a,b,c or NAME=lo:hi:step",
                 BT_AXES_MAX);
        return WT_EINVAL;
    }
    g->axes = xcalloc(n, sizeof *g->axes);
    g->n_axes = n;
    int rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = bt_axis_parse(axes[i], &g->axes[i], err, errsize)) != 0)
            return rc;
    g->points = bt_grid_points(g->axes, n);
    int64_t maxp = config_int(cfg, CFG_BT_MAX_GRID);
    if (g->points == SIZE_MAX || (int64_t)g->points > maxp) {
        snprintf(err, errsize,
                 "the grid has %s%zu points, more than backtest.max_grid_points (%" PRId64
                 "); narrow an axis or raise the setting",
                 g->points == SIZE_MAX ? "over " : "",
                 g->points == SIZE_MAX ? (size_t)UINT32_MAX : g->points, maxp);
        return WT_ERANGE;
    }
    if (objective && bt_objective_parse(objective, &g->o.objective) != 0) {
        snprintf(err, errsize,
                 "%sobjective: '%s' is not return, sharpe, profit_factor or expectancy", flag,
                 objective);
        return WT_EINVAL;
    }
    if (folds <= 0 && folds != -1)
        folds = -2; /* refused below */
    if (folds == -1)
        folds = (double)config_int(cfg, CFG_BT_FOLDS);
    if (!(min_trades >= 0) || !(max_drawdown_pct >= 0) || folds < 1 || folds > BT_FOLDS_MAX ||
        folds != (double)(int)folds) {
        snprintf(err, errsize,
                 "%smin-trades, %smax-drawdown (percent) and %sfolds (1 to 20) take "
                 "non-negative numbers",
                 flag, flag, flag);
        return WT_ERANGE;
    }
    g->o.constraints.min_trades = (uint64_t)min_trades;
    g->o.constraints.max_drawdown_pct = max_drawdown_pct;
    g->o.folds = (unsigned)folds;
    g->o.in_sample = in_sample;
    g->o.threads = (unsigned)config_int(cfg, CFG_BT_THREADS);
    g->o.warm_ms = config_int(cfg, CFG_BT_WARMUP_DAYS) * MS_PER_DAY;
    return 0;
}

/* Saves one run of p's scenario with its own --set list. */
static int save_one(struct store *st, const struct bt_prep *p, const struct bt_tape *t,
                    const struct bt_scenario *sets, const struct bt_result *r, int64_t from,
                    int64_t to, const char *sample, int64_t batch_id, int64_t *id)
{
    struct bt_run_info info = {.scenario = &p->sc,
                               .sets = sets,
                               .settings = &p->cfg,
                               .from_ms = from,
                               .to_ms = to,
                               .started_ms = batch_id ? batch_id : p->started,
                               .finished_ms = clock_wall_ms(),
                               .sample = sample,
                               .batch_id = batch_id};
    return bt_run_save(st, &info, t, r, id);
}

int bt_save_run(struct store *st, const struct bt_prep *p, const struct bt_tape *t,
                const struct bt_result *r, int64_t batch_id, int64_t *id)
{
    return save_one(st, p, t, &p->sets, r, p->from, p->to, "full", batch_id, id);
}

int bt_save_grid(struct store *st, const struct bt_prep *p, const struct bt_grid_req *gr,
                 const struct bt_grid_result *g, int64_t batch_id, int64_t *fold_ids)
{
    for (unsigned k = 0; k < g->folds; k++) {
        const struct bt_fold *f = &g->fold[k];
        fold_ids[k] = 0;
        if (f->chosen == SIZE_MAX)
            continue;
        struct bt_scenario sets = p->sets;
        bt_grid_point(gr->axes, gr->n_axes, f->chosen, &sets);
        char label[40];
        snprintf(label, sizeof label, "out-of-sample %u/%u", k + 1, g->folds);
        int r = save_one(st, p, &p->tape, &sets, &f->oos_result, f->oos_from, f->oos_to, label,
                         batch_id, &fold_ids[k]);
        if (r)
            return r;
    }
    return 0;
}

static void metrics_obj(struct jw *w, const char *key, const struct bt_metrics *m)
{
    struct buf b;
    buf_init(&b, 0);
    bt_metrics_json(m, &b);
    jw_key(w, key);
    jw_raw(w, b.data, b.len);
    buf_release(&b);
}

void bt_grid_json(const struct bt_grid_req *gr, const struct bt_grid_result *g, int64_t batch_id,
                  const int64_t *fold_ids, struct buf *out)
{
    const struct bt_axis *axes = gr->axes;
    size_t na = gr->n_axes;
    enum bt_objective obj = gr->o.objective;
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_kstr(&w, "sample", g->in_sample ? "in-sample" : "out-of-sample");
    jw_kstr(&w, "objective", bt_objective_name(obj));
    jw_ku64(&w, "points", g->points);
    jw_ki64(&w, "batch_id", batch_id);
    jw_karr_begin(&w, "axes");
    for (size_t i = 0; i < na; i++) {
        jw_obj_begin(&w);
        jw_kstr(&w, "name", axes[i].name);
        jw_karr_begin(&w, "values");
        for (size_t k = 0; k < axes[i].n; k++)
            jw_str(&w, axes[i].values[k]);
        jw_arr_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_key(&w, "recommended");
    if (g->recommended == SIZE_MAX) {
        jw_null(&w);
    } else {
        struct bt_scenario sc;
        memset(&sc, 0, sizeof sc);
        bt_grid_point(axes, na, g->recommended, &sc);
        struct buf pj;
        buf_init(&pj, 0);
        bt_scenario_params_json(&sc, &pj);
        jw_raw(&w, pj.data, pj.len);
        buf_release(&pj);
    }
    metrics_obj(&w, g->in_sample ? "in_sample" : "out_of_sample", &g->oos);
    jw_karr_begin(&w, "folds");
    for (unsigned k = 0; k < g->folds; k++) {
        const struct bt_fold *f = &g->fold[k];
        jw_obj_begin(&w);
        jw_ki64(&w, "in_sample_from_ms", f->is_from);
        jw_ki64(&w, "in_sample_to_ms", f->is_to);
        jw_ki64(&w, "out_of_sample_from_ms", f->oos_from);
        jw_ki64(&w, "out_of_sample_to_ms", f->oos_to);
        jw_ki64(&w, "run_id", fold_ids[k]);
        if (f->chosen == SIZE_MAX) {
            jw_key(&w, "chosen");
            jw_null(&w);
        } else {
            jw_ku64(&w, "chosen", f->chosen);
            metrics_obj(&w, "in_sample", &f->is);
            metrics_obj(&w, "out_of_sample", &f->oos);
        }
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    /* Every point over the whole window (in-sample: for the heatmap). */
    jw_karr_begin(&w, "points_full_window_in_sample");
    for (size_t i = 0; i < g->points; i++) {
        jw_obj_begin(&w);
        jw_kdouble(&w, "objective", bt_objective_value(&g->full[i], obj));
        jw_kdouble(&w, "return_pct", g->full[i].return_pct);
        jw_ku64(&w, "trades", g->full[i].trades);
        jw_kdouble(&w, "max_drawdown_pct", g->full[i].max_drawdown_pct);
        jw_kbool(&w, "meets_constraints", bt_constraints_met(&g->full[i], &gr->o.constraints));
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    jw_finish(&w);
}
