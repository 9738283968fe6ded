/* The engine's thread, queue, timer, snapshot and command acknowledgements
 * in `serve` (see runner.h).
 *
 * Why the engine writes to the store on its own thread, synchronously at
 * the end of each batch: the snapshot the API reads must never show a
 * position the database does not have yet, and a batch of thousands of
 * events costs one commit. The order is: handle the batch, flush (one
 * transaction), publish the snapshot, then wake the operators waiting for
 * their commands; so a POST that returned has its effect visible in the
 * next GET.
 *
 * Clock: ticks carry the wall clock. The engine's clock is the largest
 * event time it has seen, so a tick moves it when the wall clock is ahead
 * of the market (a quiet market). When the market's block times are ahead
 * of the wall clock (a simulated market posted faster than real time), a
 * tick would not move the clock at all and time rules and paper latency
 * would wait for the next market event; so such a tick is moved to the
 * engine's clock plus the wall time elapsed since the previous tick: time
 * passes at least as fast as real time. The tick is rewritten before the
 * engine sees it, so a recording of the engine's input replays the same.
 *
 * No event moves the engine's clock more than max_future_ms past the wall
 * clock: the decoder already skips such transactions, but events come from
 * other producers too (feeds, fills) and the store may hold old ones; a
 * later event is rewritten to wall + max_future_ms here, at the boundary
 * where live events meet the engine, so the engine itself stays a pure
 * function of its input (backtests feed it their own times). A clock
 * restored beyond that bound (written before events were bounded) is moved
 * back at start.
 *
 * Invariants (under mu): snap is the latest published snapshot, refs
 * counts its holders plus one for being current; acks[seq % ACKS] holds
 * the result of command seq once applied. */
#include "trade/runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/jw.h"
#include "base/str.h"
#include "base/vec.h"
#include "base/waiter.h"
#include "event/evq.h"
#include "net/sse.h"
#include "solana/base58.h"
#include "trade/journal.h"
#include "trade/runner_journal.h"
#include "trade/engine_store.h"
#include "trade/exec_claim.h"

#define BATCH       4096
#define ACKS        256
#define PUBLISH_MS  200
#define POP_WAIT_MS 100

struct ack {
    uint64_t seq;
    int rc;
    char msg[256];
};

struct runner {
    struct runner_opts o;
    struct jrec j;
    struct engine *e;
    struct evq *q;
    pthread_t engine_thread, timer_thread;
    bool threads_started;
    atomic_bool stopping;
    atomic_bool demoted; /* runner_demote: stop at once, write nothing more */
    atomic_bool active;  /* an engine runs (not a standby) */
    atomic_uint_fast64_t next_seq;

    pthread_mutex_t mu;
    pthread_cond_t acked; /* a command was acknowledged */
    struct waiter timer;  /* the timer thread sleeps on it */
    struct runner_snap *snap;
    struct ack acks[ACKS];
    struct runner_health h;
    struct engine_params params;
    VEC(struct pubkey) open_mints; /* of the open positions at the last publish */

    /* The background warm-up (runner_opts.warm_background): while
     * warming, producers append to the backlog (under mu, at most
     * backlog_cap events; room is signalled when it empties or warming
     * ends); the engine thread restores, then handles the backlog. */
    bool bg;       /* this activation warms on the engine thread */
    bool promoted; /* this activation is a promotion (drop_replayed) */
    int64_t fence; /* the largest swap id the warm-up replays */
    atomic_bool warming;
    VEC(struct event) backlog;
    size_t backlog_cap;
    pthread_cond_t room;
    size_t warm_done;      /* swaps replayed (relaxed atomics) */
    int64_t counted_swaps; /* stored swaps, as the journal's start row counted them */
};

/* Rewrites the time of a live event that is later than limit_ms. */
static void clamp_ts(struct event *ev, int64_t limit_ms)
{
    int64_t *ts = NULL;
    switch (ev->kind) {
    case EVENT_SWAP:
        ts = &ev->u.swap.ts_ms;
        break;
    case EVENT_TRANSFER:
        ts = &ev->u.transfer.ts_ms;
        break;
    case EVENT_PRICE:
        ts = &ev->u.price.ts_ms;
        break;
    case EVENT_FILL:
        ts = &ev->u.fill.ts_ms;
        break;
    case EVENT_TICK:
        ts = &ev->u.tick.ts_ms;
        break;
    case EVENT_COMMAND:
        ts = &ev->u.command.ts_ms;
        break;
    }
    if (ts && *ts > limit_ms)
        *ts = limit_ms;
}

static int64_t max_future(const struct runner *r)
{
    return r->o.max_future_ms > 0 ? r->o.max_future_ms : MS_PER_MINUTE;
}

/* ---- snapshot ---------------------------------------------------------------- */

void runner_snap_free(struct runner_snap *s)
{
    if (!s)
        return;
    free((void *)s->positions);
    free((void *)s->watchlist);
    free(s);
}

struct runner_snap *runner_snap_build(const struct engine *e, const struct runner_snap *prev)
{
    struct runner_snap *s = xcalloc(1, sizeof *s);
    engine_status(e, &s->status);
    s->params = *engine_params_of(e);
    const struct breakers *br = engine_breakers(e);
    s->paused = br->active[BREAKER_OPERATOR];
    memcpy(s->breaker_active, br->active, sizeof s->breaker_active);
    memcpy(s->breaker_since_ms, br->since_ms, sizeof s->breaker_since_ms);
    memcpy(s->breaker_reason, br->reason, sizeof s->breaker_reason);
    size_t np = s->status.open_positions;
    if (np) {
        struct position *pv = xcalloc(np, sizeof *pv);
        for (size_t i = 0; i < np; i++)
            pv[i] = *engine_position_at(e, i, NULL, NULL, NULL);
        s->positions = pv;
        s->n_positions = np;
    }
    if (!prev) {
        struct engine_watch *wv;
        s->n_watchlist = engine_watchlist(e, &wv);
        s->watchlist = wv;
    } else if (prev->n_watchlist) {
        struct engine_watch *wv = xcalloc(prev->n_watchlist, sizeof *wv);
        memcpy(wv, prev->watchlist, prev->n_watchlist * sizeof *wv);
        s->watchlist = wv;
        s->n_watchlist = prev->n_watchlist;
    }
    s->published_ms = clock_wall_ms();
    s->refs = 1;
    return s;
}

/* Builds and swaps in a new snapshot. The watchlist is rebuilt only when
 * asked (it can be long and changes only by command). The old snapshot is
 * read under the lock: only this thread replaces it, readers only count. */
static void publish(struct runner *r, bool watchlist)
{
    pthread_mutex_lock(&r->mu);
    struct runner_snap *old = r->snap;
    pthread_mutex_unlock(&r->mu);
    struct runner_snap *s = runner_snap_build(r->e, watchlist ? NULL : old);
    pthread_mutex_lock(&r->mu);
    r->snap = s;
    r->params = s->params;
    r->open_mints.len = 0;
    for (size_t i = 0; i < s->n_positions; i++)
        vec_push(&r->open_mints, s->positions[i].mint);
    bool last = old && --old->refs == 0;
    pthread_mutex_unlock(&r->mu);
    if (last)
        runner_snap_free(old);
}

const struct runner_snap *runner_snapshot(struct runner *r)
{
    pthread_mutex_lock(&r->mu);
    struct runner_snap *s = r->snap;
    s->refs++;
    pthread_mutex_unlock(&r->mu);
    return s;
}

void runner_snapshot_release(struct runner *r, const struct runner_snap *cs)
{
    struct runner_snap *s = (struct runner_snap *)cs;
    pthread_mutex_lock(&r->mu);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&r->mu);
    if (last)
        runner_snap_free(s);
}

void runner_params(struct runner *r, struct engine_params *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->params;
    pthread_mutex_unlock(&r->mu);
}

size_t runner_open_mints(struct runner *r, struct pubkey *out, size_t max)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->open_mints.len < max ? r->open_mints.len : max;
    if (n)
        memcpy(out, r->open_mints.v, n * sizeof *out);
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* ---- token requests -------------------------------------------------------------- */

/* An output that hands the engine's token requests to the token feed. */
struct forward {
    struct engine_out base;
    void (*fn)(void *ctx, const struct pubkey *mint);
    void *ctx;
};

static void forward_token_request(struct engine_out *o, const struct engine_token_request *req)
{
    struct forward *f = (struct forward *)o;
    f->fn(f->ctx, &req->mint);
}

static void forward_free(struct engine_out *o)
{
    free(o);
}

static const struct engine_out_ops forward_ops = {
    .token_request = forward_token_request,
    .free = forward_free,
};

/* ---- threads ------------------------------------------------------------------ */

static bool is_watch_command(const struct event *ev)
{
    if (ev->kind != EVENT_COMMAND)
        return false;
    enum command_kind k = ev->u.command.kind;
    return (k >= CMD_WATCH && k <= CMD_CLUSTER_UNBLACKLIST) || k == CMD_CLUSTER_RESET ||
           k == CMD_CLUSTER_MEMBER;
}

/* The engine thread's loop state. */
struct loop {
    struct ack *pending;
    int64_t last_pub, last_tick_wall;
    bool dirty;
};

/* Handles buf[0..n) (changed in place: ticks, clamped times) as one batch:
 * the engine, its flush, the journal, the snapshot, the acknowledgements.
 * Returns false when the runner was demoted meanwhile (nothing written). */
static bool run_batch(struct runner *r, struct loop *L, struct event *buf, size_t n)
{
    size_t nacks = 0;
    bool watch = false;
    int64_t limit = clock_wall_ms() + max_future(r);
    r->j.wall = limit - max_future(r);
    for (size_t i = 0; i < n && !atomic_load(&r->demoted); i++) {
        if (buf[i].kind == EVENT_TICK) {
            int64_t wall = buf[i].u.tick.ts_ms;
            int64_t elapsed =
                L->last_tick_wall && wall > L->last_tick_wall ? wall - L->last_tick_wall : 0;
            L->last_tick_wall = wall;
            struct engine_status st;
            engine_status(r->e, &st);
            if (wall <= st.now_ms)
                buf[i].u.tick.ts_ms = st.now_ms + elapsed;
        }
        int64_t before = event_ts_ms(&buf[i]);
        clamp_ts(&buf[i], limit);
        r->j.moved = event_ts_ms(&buf[i]) != before;
        r->j.stored_ts = before;
        int rc = engine_handle(r->e, &buf[i]);
        watch |= is_watch_command(&buf[i]);
        if (buf[i].kind == EVENT_COMMAND && buf[i].u.command.seq && nacks < ACKS) {
            struct ack *a = &L->pending[nacks++];
            a->seq = buf[i].u.command.seq;
            a->rc = rc;
            snprintf(a->msg, sizeof a->msg, "%s", rc ? engine_last_error(r->e) : "");
        }
    }
    if (atomic_load(&r->demoted))
        return false; /* this batch is not written: another node trades now */
    if (n) {
        engine_flush(r->e);
        L->dirty = true;
    }
    if (r->o.journal) {
        r->j.wall = clock_wall_ms();
        jrec_flush(&r->j, r->o.store, false);
    }
    int64_t now = clock_wall_ms();
    if (L->dirty && (nacks || watch || now - L->last_pub >= PUBLISH_MS)) {
        publish(r, watch);
        L->last_pub = now;
        L->dirty = false;
    }
    pthread_mutex_lock(&r->mu);
    r->h.handled += n;
    if (n)
        r->h.last_batch_wall_ms = now;
    for (size_t i = 0; i < nacks; i++)
        r->acks[L->pending[i].seq % ACKS] = L->pending[i];
    if (nacks)
        pthread_cond_broadcast(&r->acked);
    pthread_mutex_unlock(&r->mu);
    return true;
}

static bool warm_background(struct runner *r, struct loop *L);

static void *engine_main(void *arg)
{
    struct runner *r = arg;
    struct event *buf = xmalloc(BATCH * sizeof *buf);
    struct loop L = {.pending = xmalloc(ACKS * sizeof *L.pending)};
    bool ok = !r->bg || warm_background(r, &L);
    while (ok) {
        size_t n = evq_pop(r->q, buf, BATCH, POP_WAIT_MS);
        if (atomic_load(&r->demoted) ||
            (n == 0 && atomic_load(&r->stopping) && evq_len(r->q, NULL) == 0))
            break;
        if (!run_batch(r, &L, buf, n))
            break;
    }
    /* A demoted engine writes nothing more; one stopped or failed before
     * its restore finished has nothing to write (its state is not whole). */
    if (ok && !atomic_load(&r->demoted)) {
        engine_flush(r->e);
        if (r->o.journal) { /* a clean stop: the whole run is recorded */
            r->j.wall = clock_wall_ms();
            jrec_close_run(&r->j);
            struct engine_status est;
            engine_status(r->e, &est);
            jrec_push(&r->j, "stop", est.now_ms, 0, 0, NULL);
            jrec_flush(&r->j, r->o.store, true);
        }
        publish(r, true);
    }
    free(buf);
    free(L.pending);
    return NULL;
}

static void *timer_main(void *arg)
{
    struct runner *r = arg;
    unsigned ms = r->o.tick_ms ? r->o.tick_ms : 1000;
    while (!waiter_wait_ms(&r->timer, ms)) {
        struct event t;
        memset(&t, 0, sizeof t);
        t.kind = EVENT_TICK;
        t.u.tick.ts_ms = clock_wall_ms();
        if (atomic_load(&r->warming))
            continue;                 /* the engine's clock waits for the warm-up */
        evq_push(r->q, &t, 1, false); /* a full queue has work enough: skip the tick */
    }
    return NULL;
}

/* ---- background warm-up ----------------------------------------------------------- */

/* Queues ev[0..n) for the engine: into the backlog while it warms up (with
 * wait, waiting while the backlog is full), else into its queue. Returns
 * the number taken. One producer's events keep their order: the backlog
 * is handled before warming ends, and only then do events go to the
 * queue. */
static size_t enqueue(struct runner *r, const struct event *ev, size_t n, bool wait)
{
    if (!atomic_load(&r->warming))
        return evq_push(r->q, ev, n, wait);
    size_t done = 0;
    pthread_mutex_lock(&r->mu);
    while (done < n && atomic_load(&r->warming)) {
        if (r->backlog.len >= r->backlog_cap) {
            if (!wait)
                break;
            pthread_cond_wait(&r->room, &r->mu);
            continue;
        }
        size_t k = n - done;
        if (k > r->backlog_cap - r->backlog.len)
            k = r->backlog_cap - r->backlog.len;
        for (size_t i = 0; i < k; i++)
            vec_push(&r->backlog, ev[done + i]);
        done += k;
        if (r->backlog.len > r->h.backlog_high)
            r->h.backlog_high = r->backlog.len;
    }
    bool failed = r->h.warm_failed;
    pthread_mutex_unlock(&r->mu);
    if (done < n && !atomic_load(&r->warming) && !failed) /* it ended meanwhile */
        done += evq_push(r->q, ev + done, n - done, wait);
    return done;
}

static bool stop_requested(void *ctx)
{
    struct runner *r = ctx;
    return atomic_load(&r->stopping) || atomic_load(&r->demoted);
}

/* Ends the warm-up: events go to the queue from now on (or, with drop,
 * nowhere: the restore failed or was stopped, and the store has them). */
static void end_warming(struct runner *r, bool drop)
{
    if (drop)
        evq_close(r->q);
    pthread_mutex_lock(&r->mu);
    atomic_store(&r->warming, false);
    r->h.warming = false;
    r->h.warm_held = false;
    r->h.warm_ended_ms = clock_wall_ms();
    vec_free(&r->backlog);
    pthread_cond_broadcast(&r->room);
    pthread_mutex_unlock(&r->mu);
}

static int restore(struct runner *r, char *err, size_t errsize);

/* A promotion reads its fence while this node's inbox and the other
 * nodes go on storing: a swap stored just before the fence was read but
 * handed on after the backlog opened (the milliseconds between a commit
 * and its hand-over, or a standby's notification on its way) is both
 * replayed and in the backlog. Its stored id tells: those at or below the
 * fence are dropped from v[0..n) here. Returns the count left. If the
 * store cannot answer, nothing is dropped (logged). */
static size_t drop_replayed(struct runner *r, struct event *v, size_t n)
{
    const struct swap_event **sw = xmalloc((n + 1) * sizeof *sw);
    size_t *at = xmalloc((n + 1) * sizeof *at), k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].kind == EVENT_SWAP) {
            sw[k] = &v[i].u.swap;
            at[k++] = i;
        }
    int64_t *ids = xmalloc((k + 1) * sizeof *ids);
    bool *drop = xcalloc(n + 1, sizeof *drop);
    size_t dropped = 0;
    int rc = store_swap_ids(r->o.store, sw, k, ids);
    if (rc != 0)
        log_warn("engine",
                 "the promotion's warm-up cannot check %zu swaps that came meanwhile against its "
                 "replay (%s): handled as they came",
                 k, wt_strerror(rc));
    for (size_t j = 0; rc == 0 && j < k; j++)
        if (ids[j] > 0 && ids[j] <= r->fence) {
            drop[at[j]] = true;
            dropped++;
        }
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (!drop[i])
            v[out++] = v[i];
    if (dropped) {
        pthread_mutex_lock(&r->mu);
        r->h.backlog_replayed += dropped;
        pthread_mutex_unlock(&r->mu);
    }
    free(sw);
    free(at);
    free(ids);
    free(drop);
    return out;
}

/* On the engine thread: waits while the hold file exists, restores, then
 * handles the backlog until it is empty and ends the warm-up. Returns
 * false when the engine must not run (failed, stopped or demoted). */
static bool warm_background(struct runner *r, struct loop *L)
{
    const char *hold = r->o.warm_hold_file;
    while (hold && hold[0] && access(hold, F_OK) == 0 && !stop_requested(r)) {
        pthread_mutex_lock(&r->mu);
        r->h.warm_held = true;
        pthread_mutex_unlock(&r->mu);
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&r->mu);
    r->h.warm_held = false;
    pthread_mutex_unlock(&r->mu);
    char err[256] = "";
    int rc = stop_requested(r) ? WT_ECLOSED : restore(r, err, sizeof err);
    if (rc != 0) {
        if (!stop_requested(r)) {
            log_error("engine",
                      "the warm-up failed: %s; the engine does not run (a restart tries again)",
                      err);
            pthread_mutex_lock(&r->mu);
            r->h.warm_failed = true;
            str_copy(r->h.warm_error, sizeof r->h.warm_error, err);
            pthread_mutex_unlock(&r->mu);
        }
        end_warming(r, true);
        return false;
    }
    size_t waited = 0;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        struct event *v = r->backlog.v;
        size_t n = r->backlog.len;
        memset(&r->backlog, 0, sizeof r->backlog);
        if (n == 0) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        pthread_cond_broadcast(&r->room);
        pthread_mutex_unlock(&r->mu);
        if (r->promoted)
            n = drop_replayed(r, v, n);
        bool ok = true;
        for (size_t i = 0; i < n && ok; i += BATCH)
            ok = run_batch(r, L, v + i, n - i < BATCH ? n - i : BATCH);
        free(v);
        waited += n;
        if (!ok) {
            end_warming(r, true);
            return false;
        }
    }
    end_warming(r, false);
    struct runner_health h;
    runner_health(r, &h);
    log_info("engine",
             "engine (%s) restored in the background in %.1f s: %s, %zu open positions, %zu "
             "closed trades, %zu swaps warmed (up to id %lld), %zu events that came meanwhile "
             "handled",
             trade_mode_name(r->o.params.mode),
             (double)(h.warm_ended_ms - h.warm_started_ms) / 1000.0,
             h.restore.state_found ? "state found" : "fresh account", h.restore.positions,
             h.restore.trades, h.restore.swaps_warmed, (long long)r->fence, waited);
    return true;
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void sink_emit(void *ctx, const struct event *ev)
{
    struct runner *r = ctx;
    enqueue(r, ev, 1, true);
}

struct exec_sink runner_exec_sink(struct runner *r)
{
    return (struct exec_sink){.emit = sink_emit, .ctx = r};
}

/* Builds the engine, restores it from the store and starts its threads:
 * the start of an active runner and a standby's promotion alike. */
static struct runner_snap *empty_snap(const struct runner_opts *o);
static void publish_empty(struct runner *r, bool standby);
static int restore(struct runner *r, char *err, size_t errsize);

static int activate(struct runner *r, bool background, char *err, size_t errsize)
{
    const struct runner_opts *o = &r->o;
    struct engine_out *outs[4];
    unsigned nout = 0;
    outs[nout++] = engine_store_writer_new(o->store);
    if (o->node_id)
        engine_store_writer_node(outs[0], o->node_id);
    if (o->hub)
        outs[nout++] = engine_broadcaster_new(o->hub);
    if (o->extra_out_new)
        outs[nout++] = o->extra_out_new(o->extra_ctx);
    if (o->token_request) {
        struct forward *fw = xcalloc(1, sizeof *fw);
        fw->base.ops = &forward_ops;
        fw->fn = o->token_request;
        fw->ctx = o->token_ctx;
        outs[nout++] = &fw->base;
    }
    int64_t created = clock_wall_ms();
    r->e = engine_new(&o->params, engine_tee_new(outs, nout), created, err, errsize);
    if (!r->e)
        return WT_EIO;
    struct executor *x = o->executor_new ? o->executor_new(o->executor_ctx, runner_exec_sink(r))
                                         : engine_paper_executor(r->e, &o->paper);
    if (!x) {
        snprintf(err, errsize, "the executor could not be created");
        return WT_EIO;
    }
    if (o->node_id)
        x = exec_claim_new(x, o->store, o->params.mode, o->node_id);
    engine_set_executor(r->e, x);
    if (o->journal) {
        r->j.wall = created;
        if (jrec_start(&r->j, &r->o, created, &r->counted_swaps, err, errsize) != 0)
            return WT_EIO;
        engine_set_input_hook(r->e, jrec_input, &r->j);
    }
    pthread_mutex_lock(&r->mu);
    memset(&r->h.restore, 0, sizeof r->h.restore);
    pthread_mutex_unlock(&r->mu);
    r->bg = background;
    r->fence = INT64_MAX;
    if (background) {
        /* Events posted from now on wait in the backlog (a promoted
         * standby's queue opens for the engine's own commands only once
         * the warm-up ends); then the fence: what is stored now is
         * replayed, what comes later reaches the engine as events. */
        pthread_mutex_lock(&r->mu);
        r->h.warm_failed = false;
        r->h.warm_error[0] = '\0';
        atomic_store(&r->warming, true);
        pthread_mutex_unlock(&r->mu);
        evq_reopen(r->q);
        __atomic_store_n(&r->warm_done, 0, __ATOMIC_RELAXED);
        int64_t ids[3] = {0, 0, 0}, n_swaps = r->counted_swaps, n_tr = 0, n_pr = 0;
        int rc = store_events_max_ids(o->store, ids);
        if (rc == 0 && o->warm && !o->journal) /* the journal's start row counted them */
            rc = store_count_events(o->store, &n_swaps, &n_tr, &n_pr);
        if (rc != 0) {
            snprintf(err, errsize, "reading the stored events: %s", wt_strerror(rc));
            end_warming(r, true);
            return WT_EIO;
        }
        r->fence = ids[0];
        pthread_mutex_lock(&r->mu);
        r->h.warming = true;
        r->h.warm_total = o->warm ? (size_t)n_swaps : 0;
        r->h.warm_fence = ids[0];
        r->h.warm_started_ms = clock_wall_ms();
        pthread_mutex_unlock(&r->mu);
        publish_empty(r, false);
    } else if (restore(r, err, errsize) != 0) {
        return WT_EIO;
    }

    if (pthread_create(&r->engine_thread, NULL, engine_main, r) != 0) {
        snprintf(err, errsize, "cannot start the engine thread");
        if (background)
            end_warming(r, true);
        return WT_EIO;
    }
    if (pthread_create(&r->timer_thread, NULL, timer_main, r) != 0) {
        atomic_store(&r->stopping, true);
        evq_close(r->q);
        pthread_join(r->engine_thread, NULL);
        snprintf(err, errsize, "cannot start the timer thread");
        return WT_EIO;
    }
    r->threads_started = true;
    atomic_store(&r->active, true);
    return 0;
}

/* The restore itself (engine_store_restore_from, up to the fence), the
 * clock bound, the first flush and snapshot: on the caller's thread, or
 * on the engine thread for a background warm-up. */
static int restore(struct runner *r, char *err, size_t errsize)
{
    const struct runner_opts *o = &r->o;
    struct engine_restore_stats rs;
    memset(&rs, 0, sizeof rs);
    struct engine_warm w = {.on = o->warm,
                            .max_id = r->fence,
                            .progress = &r->warm_done,
                            .stop = stop_requested,
                            .stop_ctx = r};
    int rrc = engine_store_restore_from(r->e, o->store, &w, &rs, err, errsize);
    if (rrc != 0)
        return rrc == WT_ECLOSED ? WT_ECLOSED : WT_EIO;
    pthread_mutex_lock(&r->mu);
    r->h.restore = rs;
    pthread_mutex_unlock(&r->mu);
    int64_t limit = clock_wall_ms() + max_future(r);
    if (engine_clock_limit(r->e, limit)) {
        if (o->journal)
            jrec_push(&r->j, "clock_limit", limit, 0, 0, NULL);
        char iso[32];
        clock_format_iso(limit, iso, sizeof iso);
        log_warn("engine", "the stored engine clock was past the wall clock; moved back to %s",
                 iso);
    }
    engine_flush(r->e); /* the restored state, and the cancelled orders, as the new truth */
    if (o->journal) {
        /* Ready: the engine's clock after the restore, where this run's
         * span of engine time begins. */
        struct engine_status est;
        engine_status(r->e, &est);
        jrec_push(&r->j, "ready", est.now_ms, 0, 0, NULL);
        jrec_flush(&r->j, r->o.store, true);
    }
    publish(r, true);
    return 0;
}

/* A standby's snapshot: no engine, nothing open, the configured mode. */
static struct runner_snap *empty_snap(const struct runner_opts *o)
{
    struct runner_snap *s = xcalloc(1, sizeof *s);
    s->params = o->params;
    s->status.mode = o->params.mode;
    s->published_ms = clock_wall_ms();
    s->standby = true;
    s->refs = 1;
    return s;
}

/* Publishes an empty snapshot: a standby's (after a demotion), or, with
 * standby false, an engine's while it warms up. */
static void publish_empty(struct runner *r, bool standby)
{
    struct runner_snap *s = empty_snap(&r->o);
    s->standby = standby;
    pthread_mutex_lock(&r->mu);
    struct runner_snap *old = r->snap;
    r->snap = s;
    r->open_mints.len = 0;
    bool last = old && --old->refs == 0;
    pthread_mutex_unlock(&r->mu);
    if (last)
        runner_snap_free(old);
}

int runner_start(const struct runner_opts *o, struct runner **out, char *err, size_t errsize)
{
    *out = NULL;
    struct runner *r = xcalloc(1, sizeof *r);
    r->o = *o;
    pthread_mutex_init(&r->mu, NULL);
    if (cond_init_monotonic(&r->acked) != 0 || waiter_init(&r->timer) != 0 ||
        pthread_cond_init(&r->room, NULL) != 0)
        abort(); /* out of resources, like xmalloc */
    r->backlog_cap = o->warm_backlog ? o->warm_backlog : 262144;
    atomic_init(&r->warming, false);
    atomic_init(&r->stopping, false);
    atomic_init(&r->demoted, false);
    atomic_init(&r->active, false);
    atomic_init(&r->next_seq, 1);
    r->h.queue_cap = o->queue_size ? o->queue_size : 65536;
    r->q = evq_new(r->h.queue_cap);
    r->params = o->params;
    if (o->standby) {
        r->snap = empty_snap(o);
        evq_close(r->q); /* nothing is queued for an engine that does not run */
        *out = r;
        return 0;
    }
    r->promoted = false; /* nothing is stored while the fence is read: no inbox yet */
    if (activate(r, o->warm_background, err, errsize) != 0) {
        engine_free(r->e);
        r->e = NULL;
        runner_stop(r);
        return WT_EIO;
    }
    *out = r;
    return 0;
}

bool runner_active(struct runner *r)
{
    return atomic_load(&r->active);
}

int runner_promote(struct runner *r, char *err, size_t errsize)
{
    if (atomic_load(&r->active))
        return 0;
    atomic_store(&r->stopping, false);
    atomic_store(&r->demoted, false);
    waiter_release(&r->timer);
    if (waiter_init(&r->timer) != 0)
        abort();
    /* This node's deliveries go to its own engine from now on (no more
     * forwarded to a leader). Until the warm-up begins they are dropped
     * (the queue is closed): stored before the fence, they are replayed.
     * A promotion always warms up behind a fence, as a background start
     * does: events stored and posted meanwhile wait in the backlog and
     * are handled once, after the replay. Without engine.warmup_background
     * it waits here for the warm-up (the lock thread, as before). */
    atomic_store(&r->active, true);
    r->promoted = true;
    if (activate(r, true, err, errsize) != 0) {
        atomic_store(&r->active, false);
        engine_free(r->e);
        r->e = NULL;
        evq_close(r->q);
        return WT_EIO;
    }
    if (r->o.warm_background)
        return 0;
    pthread_mutex_lock(&r->mu);
    while (atomic_load(&r->warming))
        pthread_cond_wait(&r->room, &r->mu);
    bool failed = r->h.warm_failed;
    if (failed)
        snprintf(err, errsize, "the warm-up failed: %s", r->h.warm_error);
    pthread_mutex_unlock(&r->mu);
    if (failed) {
        runner_demote(r);
        return WT_EIO;
    }
    return 0;
}

void runner_demote(struct runner *r)
{
    if (!atomic_load(&r->active))
        return;
    atomic_store(&r->demoted, true); /* the engine thread stops before its next event */
    atomic_store(&r->active, false);
    evq_close(r->q); /* producers stop waiting */
    waiter_stop(&r->timer);
    pthread_join(r->timer_thread, NULL);
    pthread_join(r->engine_thread, NULL);
    r->threads_started = false;
    engine_free(r->e); /* its executor too; what it had not written is dropped */
    r->e = NULL;
    publish_empty(r, true);
}

void runner_stop(struct runner *r)
{
    if (!r)
        return;
    if (r->threads_started) {
        atomic_store(&r->stopping, true);
        waiter_stop(&r->timer);
        pthread_join(r->timer_thread, NULL);
        evq_close(r->q); /* producers stop; the engine drains what is queued */
        pthread_join(r->engine_thread, NULL);
    }
    engine_free(r->e);
    evq_free(r->q);
    if (r->snap)
        runner_snap_free(r->snap);
    vec_free(&r->open_mints);
    vec_free(&r->backlog);
    jrec_release(&r->j);
    pthread_cond_destroy(&r->acked);
    pthread_cond_destroy(&r->room);
    waiter_release(&r->timer);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* ---- producers ------------------------------------------------------------------ */

void runner_after_commit(void *ctx, const struct event *ev, size_t n, const uint8_t *inserted)
{
    struct runner *r = ctx;
    /* Hand on the runs of newly stored events; duplicates are deliveries
     * the engine has already seen. Price events come from the token feed,
     * not the webhook: they are not counted as its deliveries. */
    size_t i = 0, fresh = 0, dup = 0;
    int64_t last_ts = 0;
    while (i < n) {
        if (!inserted[i]) {
            dup += ev[i].kind != EVENT_PRICE;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && inserted[j])
            j++;
        enqueue(r, ev + i, j - i, true);
        for (size_t k = i; k < j; k++)
            if (ev[k].kind != EVENT_PRICE) {
                fresh++;
                last_ts = event_ts_ms(&ev[k]);
            }
        i = j;
    }
    pthread_mutex_lock(&r->mu);
    r->h.webhook_events += fresh;
    r->h.webhook_duplicates += dup;
    if (fresh) {
        r->h.webhook_last_event_ms = last_ts;
        r->h.webhook_last_wall_ms = clock_wall_ms();
    }
    pthread_mutex_unlock(&r->mu);
}

void runner_after_notify(struct runner *r, const struct event *ev, size_t n)
{
    pthread_mutex_lock(&r->mu);
    int64_t ended = r->h.warm_ended_ms;
    bool check = r->promoted && !r->h.warming && ended > 0 &&
                 clock_wall_ms() - ended < RUNNER_NOTIFY_GRACE_MS;
    pthread_mutex_unlock(&r->mu);
    struct event *v = NULL;
    if (check) { /* a notification that may have crossed the fence */
        v = xmalloc((n + 1) * sizeof *v);
        memcpy(v, ev, n * sizeof *v);
        n = drop_replayed(r, v, n);
        ev = v;
    }
    uint8_t *all = xmalloc(n + 1);
    memset(all, 1, n);
    runner_after_commit(r, ev, n, all);
    free(all);
    free(v);
}

int runner_post(struct runner *r, const struct event *ev)
{
    return enqueue(r, ev, 1, true) == 1 ? 0 : WT_ECLOSED;
}

int runner_post_command(struct runner *r, const struct command_event *c)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_COMMAND;
    ev.u.command = *c;
    ev.u.command.ts_ms = clock_wall_ms();
    ev.u.command.seq = 0; /* nobody waits */
    return enqueue(r, &ev, 1, true) == 1 ? 0 : WT_ECLOSED;
}

int runner_command(struct runner *r, const struct command_event *c, int timeout_ms, char *msg,
                   size_t msgsize)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_COMMAND;
    ev.u.command = *c;
    ev.u.command.ts_ms = clock_wall_ms();
    uint64_t seq = atomic_fetch_add(&r->next_seq, 1);
    ev.u.command.seq = seq;
    if (msg && msgsize)
        msg[0] = '\0';
    if (atomic_load(&r->warming)) {
        if (msg && msgsize)
            snprintf(msg, msgsize,
                     "the trading engine is warming up (GET /v1/status shows how far)");
        return WT_EBUSY;
    }
    if (evq_push(r->q, &ev, 1, true) != 1)
        return WT_ECLOSED;
    struct timespec dl;
    deadline_after_ms(&dl, timeout_ms);
    int rc = WT_ETIMEOUT;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        struct ack *a = &r->acks[seq % ACKS];
        if (a->seq == seq) {
            rc = a->rc;
            if (msg && msgsize)
                snprintf(msg, msgsize, "%s", a->msg);
            break;
        }
        if (pthread_cond_timedwait(&r->acked, &r->mu, &dl) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

void runner_health(struct runner *r, struct runner_health *out)
{
    size_t high = 0;
    size_t len = evq_len(r->q, &high);
    pthread_mutex_lock(&r->mu);
    *out = r->h;
    out->backlog = r->backlog.len;
    pthread_mutex_unlock(&r->mu);
    out->warm_done = __atomic_load_n(&r->warm_done, __ATOMIC_RELAXED);
    if (!out->warming && !out->warm_failed && out->restore.swaps_warmed)
        out->warm_done = out->restore.swaps_warmed;
    out->queued = len;
    out->queue_high = high;
}
