/* Backtest jobs on their own threads (jobs.h). */
#include "backtest/jobs.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backtest/batch.h"
#include "backtest/grid.h"
#include "backtest/replay.h"
#include "backtest/runs.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/vec.h"
#include "base/waiter.h"

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

static const char *const state_names[] = {"queued", "running", "done", "failed", "cancelled"};
static const char *const kind_names[] = {"run", "batch", "grid"};

struct job {
    struct bt_jobs *m;
    int64_t id;
    struct bt_job_req req;
    pthread_t thread;
    atomic_int cancel;
    /* Under m->mu: */
    enum job_state state;
    size_t ev_done, ev_total, sc_done, sc_total;
    int64_t created_ms, started_ms, finished_ms, batch_id;
    int last_pct; /* the last percent announced */
    char error[512];
    VEC(int64_t) run_ids;
    struct buf result;    /* a done grid's JSON */
    struct buf recommend; /* its recommended point's whole overrides, or empty */
};

struct bt_jobs {
    struct store *st;
    void (*notify)(void *ctx, const char *event, const char *data, size_t len);
    void *notify_ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* a job's state changed */
    pthread_mutex_t load_mu; /* one tape load at a time: they share the cache file */
    VEC(struct job *) jobs;  /* oldest first */
    int64_t next_id;
};

void bt_job_req_release(struct bt_job_req *r)
{
    for (size_t i = 0; i < r->n; i++)
        bt_prep_release(&r->preps[i]);
    free(r->preps);
    bt_grid_req_release(&r->grid);
    memset(r, 0, sizeof *r);
}

static bool finished(enum job_state s)
{
    return s == JOB_DONE || s == JOB_FAILED || s == JOB_CANCELLED;
}

/* The job's JSON; m->mu held. */
static void job_json(const struct job *jb, bool result, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_ki64(&w, "id", jb->id);
    jw_kstr(&w, "kind", kind_names[jb->req.kind]);
    jw_kstr(&w, "state", state_names[jb->state]);
    jw_kstr(&w, "from", jb->req.from_s);
    jw_kstr(&w, "to", jb->req.to_s);
    jw_karr_begin(&w, "scenarios");
    for (size_t i = 0; i < jb->req.n; i++)
        jw_str(&w, jb->req.preps[i].sc.name);
    jw_arr_end(&w);
    jw_ki64(&w, "created_ms", jb->created_ms);
    jw_key(&w, "started_ms");
    jb->started_ms ? jw_i64(&w, jb->started_ms) : jw_null(&w);
    jw_key(&w, "finished_ms");
    jb->finished_ms ? jw_i64(&w, jb->finished_ms) : jw_null(&w);
    jw_kobj_begin(&w, "progress");
    jw_ku64(&w, "events_done", jb->ev_done);
    jw_ku64(&w, "events_total", jb->ev_total);
    jw_ku64(&w, "scenarios_done", jb->sc_done);
    jw_ku64(&w, "scenarios_total", jb->sc_total);
    double f = jb->state == JOB_DONE ? 1
               : jb->req.kind == BT_KIND_RUN
                   ? (jb->ev_total ? (double)jb->ev_done / (double)jb->ev_total : 0)
                   : (jb->sc_total ? (double)jb->sc_done / (double)jb->sc_total : 0);
    jw_kdouble(&w, "fraction", f);
    jw_key(&w, "eta_s");
    if (jb->state == JOB_RUNNING && f > 0 && f < 1) {
        double elapsed = (double)(clock_wall_ms() - jb->started_ms) / 1000.0;
        jw_double(&w, elapsed * (1 - f) / f);
    } else if (jb->state == JOB_DONE) {
        jw_double(&w, 0);
    } else {
        jw_null(&w);
    }
    jw_obj_end(&w);
    jw_key(&w, "error");
    jb->error[0] ? jw_str(&w, jb->error) : jw_null(&w);
    jw_key(&w, "batch_id");
    jb->batch_id ? jw_i64(&w, jb->batch_id) : jw_null(&w);
    jw_karr_begin(&w, "run_ids");
    for (size_t i = 0; i < jb->run_ids.len; i++)
        jw_i64(&w, jb->run_ids.v[i]);
    jw_arr_end(&w);
    if (result && jb->result.len) {
        jw_key(&w, "grid");
        jw_raw(&w, jb->result.data, jb->result.len);
        /* What applying the recommendation sets: the scenario's overrides,
         * then the request's set, then the point's values. */
        jw_key(&w, "recommended_overrides");
        if (jb->recommend.len)
            jw_raw(&w, jb->recommend.data, jb->recommend.len);
        else
            jw_null(&w);
    }
    jw_obj_end(&w);
    jw_finish(&w);
}

/* Announces the job's summary (outside the lock). */
static void announce(struct job *jb)
{
    struct bt_jobs *m = jb->m;
    if (!m->notify)
        return;
    struct buf b;
    buf_init(&b, 0);
    pthread_mutex_lock(&m->mu);
    job_json(jb, false, &b);
    pthread_mutex_unlock(&m->mu);
    m->notify(m->notify_ctx, "backtest", b.data, b.len);
    buf_release(&b);
}

/* Records progress; announces each new percent. */
static void set_progress(struct job *jb, bool events, size_t done, size_t total)
{
    struct bt_jobs *m = jb->m;
    pthread_mutex_lock(&m->mu);
    if (events) {
        jb->ev_done = done;
        jb->ev_total = total;
    } else {
        jb->sc_done = done;
        jb->sc_total = total;
    }
    int pct = total ? (int)(done * 100 / total) : 100;
    bool tell = pct != jb->last_pct;
    jb->last_pct = pct;
    pthread_mutex_unlock(&m->mu);
    if (tell)
        announce(jb);
}

static void on_events(void *ctx, size_t done, size_t total)
{
    set_progress(ctx, true, done, total);
}

static void on_runs(void *ctx, size_t done, size_t total)
{
    set_progress(ctx, false, done, total);
}

static void end(struct job *jb, enum job_state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The job ends in state s (a message with FAILED). */
static void end(struct job *jb, enum job_state s, const char *fmt, ...)
{
    struct bt_jobs *m = jb->m;
    pthread_mutex_lock(&m->mu);
    jb->state = s;
    jb->finished_ms = clock_wall_ms();
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(jb->error, sizeof jb->error, fmt, ap);
        va_end(ap);
    }
    if (s == JOB_CANCELLED || s == JOB_FAILED)
        vec_clear(&jb->run_ids);
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    announce(jb);
}

static void add_run(struct job *jb, int64_t id)
{
    pthread_mutex_lock(&jb->m->mu);
    vec_push(&jb->run_ids, id);
    pthread_mutex_unlock(&jb->m->mu);
}

/* One scenario over the window, saved. */
static void exec_run(struct job *jb, struct bt_prep *p, const struct bt_plan *plan)
{
    struct bt_result res;
    bt_result_init(&res);
    char err[512];
    struct bt_run_opts ro = {.cancel = &jb->cancel, .progress = on_events, .progress_ctx = jb};
    int r = bt_replay(&p->tape, plan, &p->setup, &p->wl, &ro, &res, err, sizeof err);
    int64_t id = 0;
    if (r == WT_ECLOSED || atomic_load(&jb->cancel))
        end(jb, JOB_CANCELLED, NULL);
    else if (r)
        end(jb, JOB_FAILED, "%s", err);
    else if ((r = bt_save_run(jb->m->st, p, &p->tape, &res, 0, &id)) != 0)
        end(jb, JOB_FAILED, "saving the run: %s", wt_strerror(r));
    else {
        set_progress(jb, false, 1, 1);
        add_run(jb, id);
        end(jb, JOB_DONE, NULL);
    }
    bt_result_release(&res);
}

/* Several scenarios over the same data, saved as one batch. */
static void exec_batch(struct job *jb, const struct bt_plan *plan)
{
    struct bt_prep *p = jb->req.preps;
    size_t n = jb->req.n;
    struct bt_job *jobs = xcalloc(n, sizeof *jobs);
    for (size_t i = 0; i < n; i++)
        jobs[i].setup = p[i].setup;
    int r = bt_batch_run(&p[0].tape, plan, &p[0].wl, jobs, n,
                         (unsigned)config_int(&p[0].cfg, CFG_BT_THREADS), false, &jb->cancel,
                         on_runs, jb);
    size_t bad = n;
    for (size_t i = 0; r == 0 && i < n && bad == n; i++)
        if (jobs[i].rc != 0)
            bad = i;
    if (r == WT_ECLOSED || atomic_load(&jb->cancel)) {
        end(jb, JOB_CANCELLED, NULL);
    } else if (bad < n) {
        end(jb, JOB_FAILED, "scenario %s: %s", p[bad].sc.name, jobs[bad].err);
    } else {
        int64_t batch = p[0].started;
        pthread_mutex_lock(&jb->m->mu);
        jb->batch_id = batch;
        pthread_mutex_unlock(&jb->m->mu);
        for (size_t i = 0; i < n && r == 0; i++) {
            int64_t id = 0;
            r = bt_save_run(jb->m->st, &p[i], &p[0].tape, &jobs[i].result, batch, &id);
            if (r == 0)
                add_run(jb, id);
        }
        if (r)
            end(jb, JOB_FAILED, "saving the runs: %s", wt_strerror(r));
        else
            end(jb, JOB_DONE, NULL);
    }
    for (size_t i = 0; i < n; i++)
        bt_result_release(&jobs[i].result);
    free(jobs);
}

/* A grid search: each fold's out-of-sample run saved, the result kept. */
static void exec_grid(struct job *jb)
{
    struct bt_prep *p = jb->req.preps;
    struct bt_grid_req *gr = &jb->req.grid;
    struct bt_grid_opts o = gr->o;
    o.cancel = &jb->cancel;
    o.progress = on_runs;
    o.progress_ctx = jb;
    struct bt_grid_result g = {0};
    char err[512];
    int r = bt_grid_run(&p->tape, &p->wl, &p->cfg, &p->setup, gr->axes, gr->n_axes, p->from, p->to,
                        &o, &g, err, sizeof err);
    if (r == WT_ECLOSED || atomic_load(&jb->cancel)) {
        end(jb, JOB_CANCELLED, NULL);
    } else if (r) {
        end(jb, JOB_FAILED, "%s", err);
    } else {
        int64_t batch = p->started;
        int64_t *ids = xcalloc(g.folds + 1, sizeof *ids);
        r = bt_save_grid(jb->m->st, p, gr, &g, batch, ids);
        struct buf b, rec;
        buf_init(&b, 0);
        buf_init(&rec, 0);
        bt_grid_json(gr, &g, batch, ids, &b);
        if (g.recommended != SIZE_MAX) {
            struct bt_scenario all = p->sc;
            char e2[256];
            for (size_t i = 0; i < p->sets.n; i++)
                bt_scenario_set(&all, p->sets.o[i].name, p->sets.o[i].value, e2, sizeof e2);
            bt_grid_point(gr->axes, gr->n_axes, g.recommended, &all);
            bt_scenario_params_json(&all, &rec);
        }
        pthread_mutex_lock(&jb->m->mu);
        jb->batch_id = batch;
        for (unsigned k = 0; k < g.folds; k++)
            if (ids[k])
                vec_push(&jb->run_ids, ids[k]);
        buf_append(&jb->result, b.data, b.len);
        buf_append(&jb->recommend, rec.data, rec.len);
        pthread_mutex_unlock(&jb->m->mu);
        buf_release(&b);
        buf_release(&rec);
        free(ids);
        if (r)
            end(jb, JOB_FAILED, "saving the folds: %s", wt_strerror(r));
        else
            end(jb, JOB_DONE, NULL);
    }
    bt_grid_result_release(&g);
}

static void *job_main(void *arg)
{
    struct job *jb = arg;
    struct bt_jobs *m = jb->m;
    pthread_mutex_lock(&m->mu);
    jb->state = JOB_RUNNING;
    jb->started_ms = clock_wall_ms();
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    announce(jb);
    struct bt_prep *p = &jb->req.preps[0];
    const char *how;
    pthread_mutex_lock(&m->load_mu);
    int r = atomic_load(&jb->cancel) ? WT_ECLOSED : bt_prep_load(m->st, p, &how);
    pthread_mutex_unlock(&m->load_mu);
    if (r == WT_ECLOSED || atomic_load(&jb->cancel)) {
        end(jb, JOB_CANCELLED, NULL);
        return NULL;
    }
    if (r) {
        end(jb, JOB_FAILED, "reading the database: %s", wt_strerror(r));
        return NULL;
    }
    if (jb->req.kind == BT_KIND_GRID) {
        exec_grid(jb);
        return NULL;
    }
    struct bt_plan plan = {0};
    bt_plan_build(&plan, &p->tape, &p->wl, p->from - p->warm, p->from, p->to, true);
    pthread_mutex_lock(&m->mu);
    jb->ev_total = plan.idx.len - plan.n_warm;
    pthread_mutex_unlock(&m->mu);
    if (jb->req.kind == BT_KIND_RUN)
        exec_run(jb, p, &plan);
    else
        exec_batch(jb, &plan);
    bt_plan_release(&plan);
    return NULL;
}

struct bt_jobs *bt_jobs_new(struct store *st,
                            void (*notify)(void *ctx, const char *event, const char *data,
                                           size_t len),
                            void *notify_ctx)
{
    struct bt_jobs *m = xcalloc(1, sizeof *m);
    m->st = st;
    m->notify = notify;
    m->notify_ctx = notify_ctx;
    m->next_id = 1;
    pthread_mutex_init(&m->mu, NULL);
    pthread_mutex_init(&m->load_mu, NULL);
    if (cond_init_monotonic(&m->cv) != 0)
        abort();
    return m;
}

static void job_free(struct job *jb)
{
    pthread_join(jb->thread, NULL);
    bt_job_req_release(&jb->req);
    vec_free(&jb->run_ids);
    buf_release(&jb->result);
    buf_release(&jb->recommend);
    free(jb);
}

void bt_jobs_free(struct bt_jobs *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->jobs.len; i++)
        atomic_store(&m->jobs.v[i]->cancel, 1);
    pthread_mutex_unlock(&m->mu);
    /* The threads take the lock to end: joined without it. */
    for (size_t i = 0; i < m->jobs.len; i++)
        job_free(m->jobs.v[i]);
    vec_free(&m->jobs);
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->load_mu);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

int bt_jobs_start(struct bt_jobs *m, struct bt_job_req *req, unsigned max_running, int64_t *id)
{
    struct job *gone = NULL;
    pthread_mutex_lock(&m->mu);
    size_t running = 0, done = 0, oldest_done = SIZE_MAX;
    for (size_t i = 0; i < m->jobs.len; i++) {
        if (!finished(m->jobs.v[i]->state)) {
            running++;
        } else {
            done++;
            if (oldest_done == SIZE_MAX)
                oldest_done = i;
        }
    }
    if (running >= max_running) {
        pthread_mutex_unlock(&m->mu);
        return WT_EBUSY;
    }
    if (done >= BT_JOBS_KEEP) {
        gone = m->jobs.v[oldest_done];
        memmove(&m->jobs.v[oldest_done], &m->jobs.v[oldest_done + 1],
                (m->jobs.len - oldest_done - 1) * sizeof m->jobs.v[0]);
        m->jobs.len--;
    }
    struct job *jb = xcalloc(1, sizeof *jb);
    jb->m = m;
    jb->id = m->next_id++;
    jb->req = *req;
    memset(req, 0, sizeof *req);
    jb->state = JOB_QUEUED;
    jb->created_ms = clock_wall_ms();
    jb->sc_total = jb->req.kind == BT_KIND_GRID ? jb->req.grid.points : jb->req.n;
    jb->last_pct = -1;
    buf_init(&jb->result, 0);
    buf_init(&jb->recommend, 0);
    vec_push(&m->jobs, jb);
    *id = jb->id;
    /* Created under the lock: the thread's first step waits for it. */
    if (pthread_create(&jb->thread, NULL, job_main, jb) != 0) {
        m->jobs.len--;
        m->next_id--;
        *req = jb->req;
        buf_release(&jb->result);
        buf_release(&jb->recommend);
        free(jb);
        pthread_mutex_unlock(&m->mu);
        if (gone)
            job_free(gone);
        return WT_EIO;
    }
    pthread_mutex_unlock(&m->mu);
    if (gone)
        job_free(gone);
    return 0;
}

static struct job *find(struct bt_jobs *m, int64_t id)
{
    for (size_t i = 0; i < m->jobs.len; i++)
        if (m->jobs.v[i]->id == id)
            return m->jobs.v[i];
    return NULL;
}

int bt_jobs_json(struct bt_jobs *m, int64_t id, bool result, struct buf *out)
{
    pthread_mutex_lock(&m->mu);
    struct job *jb = find(m, id);
    if (jb)
        job_json(jb, result, out);
    pthread_mutex_unlock(&m->mu);
    return jb ? 0 : WT_ENOTFOUND;
}

void bt_jobs_list_json(struct bt_jobs *m, struct buf *out)
{
    buf_puts(out, "[");
    pthread_mutex_lock(&m->mu);
    for (size_t i = m->jobs.len; i-- > 0;) {
        job_json(m->jobs.v[i], false, out);
        if (i)
            buf_puts(out, ",");
    }
    pthread_mutex_unlock(&m->mu);
    buf_puts(out, "]");
}

int bt_jobs_cancel(struct bt_jobs *m, int64_t id, int64_t wait_ms, struct buf *out)
{
    pthread_mutex_lock(&m->mu);
    struct job *jb = find(m, id);
    if (!jb) {
        pthread_mutex_unlock(&m->mu);
        return WT_ENOTFOUND;
    }
    int rc = 0;
    if (finished(jb->state)) {
        rc = WT_ESTATE;
    } else {
        atomic_store(&jb->cancel, 1);
        struct timespec dl; /* monotonic: a wall-clock jump does not move it */
        deadline_after_ms(&dl, wait_ms);
        while (!finished(jb->state) && pthread_cond_timedwait(&m->cv, &m->mu, &dl) == 0)
            ;
    }
    job_json(jb, false, out);
    pthread_mutex_unlock(&m->mu);
    return rc;
}
