/* The incremental edges inside `serve` (graph_live.h, graph_livesync_*):
 * a queue filled from the inbox's commit thread, drained by a scheduler
 * worker that applies it to a graph_live and writes the changed edges. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/sched.h"
#include "base/str.h"
#include "graph/graph_live.h"
#include "solana/base58.h"
#include "store/store.h"

/* What the edge rules read of an event (a struct event is ~300 B). */
struct queued {
    bool swap;
    union {
        struct swap_event s;
        struct transfer_event t;
    } u;
};

struct graph_livesync {
    struct store *st;
    struct graph_params p;
    char hubs[1024];
    int64_t period_ms;
    pthread_mutex_t mu; /* queue, replace */
    VEC(struct queued) queue;
    bool replace;
    struct graph_live *gl; /* the loader's until loaded, then the flushing worker's */
    /* The load of what was stored before the start, on its own thread:
     * swaps and transfers up to the fences (the largest ids then); what
     * is stored later comes through the queue. */
    int64_t fence[2]; /* swaps, transfers */
    pthread_t loader;
    bool loader_joined;
    atomic_bool loaded, stop;
    int load_rc;
    int64_t load_ms;
};

static int on_swap(void *ctx, const struct stored_swap *s)
{
    struct graph_livesync *ls = ctx;
    if (s->id <= ls->fence[0])
        graph_live_add_swap(ls->gl, &s->swap);
    return atomic_load(&ls->stop) ? WT_ECLOSED : 0;
}

/* The stored transfers up to the fence, in id order (the edges do not
 * depend on the order: graph_live.h). */
static int load_transfers(struct graph_livesync *s)
{
    enum { PAGE = 1024 };
    struct event *ev = xmalloc(PAGE * sizeof *ev);
    int64_t *ids = xmalloc(PAGE * sizeof *ids), after = 0;
    int rc = 0;
    for (;;) {
        size_t n = 0;
        if ((rc = store_events_after(s->st, EVENT_TRANSFER, after, ev, ids, PAGE, &n)) != 0)
            break;
        for (size_t i = 0; i < n && ids[i] <= s->fence[1]; i++)
            graph_live_add_transfer(s->gl, &ev[i].u.transfer);
        if (n < PAGE || ids[n - 1] >= s->fence[1])
            break;
        after = ids[n - 1];
        if (atomic_load(&s->stop)) {
            rc = WT_ECLOSED;
            break;
        }
    }
    free(ev);
    free(ids);
    return rc;
}

static void *load_main(void *arg)
{
    struct graph_livesync *s = arg;
    int64_t t0 = clock_wall_ms();
    int rc = store_swaps_scan(s->st, graph_live_cutoff(s->gl), INT64_MAX, on_swap, s);
    if (rc == 0)
        rc = load_transfers(s);
    s->load_rc = rc;
    s->load_ms = clock_wall_ms() - t0;
    if (rc == 0) {
        struct graph_live_stats gs;
        graph_live_stats(s->gl, &gs);
        log_info("graph",
                 "live edges: %zu swaps and %zu transfers loaded in the background in %.1f s (%zu "
                 "wallets, %.1f MiB)",
                 gs.swaps, gs.transfers, (double)s->load_ms / 1000.0, gs.wallets,
                 (double)gs.bytes / 1048576.0);
    } else if (rc != WT_ECLOSED) {
        log_error("graph",
                  "live edges: cannot load the stored events: %s (no live edges until a "
                  "restart; the periodic rebuild still runs)",
                  wt_strerror(rc));
    }
    atomic_store(&s->loaded, true);
    return NULL;
}

int graph_livesync_new(struct store *st, const struct config *cfg, struct graph_livesync **out)
{
    *out = NULL;
    int64_t secs = config_int(cfg, CFG_GRAPH_LIVE_S);
    if (secs <= 0)
        return 0;
    struct graph_livesync *s = xcalloc(1, sizeof *s);
    s->st = st;
    s->period_ms = secs * 1000;
    graph_params_from_config(cfg, &s->p);
    str_copy(s->hubs, sizeof s->hubs, s->p.hubs ? s->p.hubs : "");
    s->p.hubs = s->hubs;
    int rc;
    s->gl = graph_live_new(&s->p, &rc);
    if (!s->gl) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->replace = true; /* graph_edges holds the last rebuild's edges */
    atomic_init(&s->loaded, false);
    atomic_init(&s->stop, false);
    int64_t ids[3], latest = INT64_MIN;
    rc = store_events_max_ids(st, ids);
    if (rc == 0)
        rc = store_swaps_latest_ts(st, &latest);
    if (rc == 0) {
        /* Only the window is loaded (graph.window_days); the transfers
         * before it are read and dropped. */
        graph_live_set_cutoff(s->gl, graph_window_cutoff(&s->p, latest));
        s->fence[0] = ids[0];
        s->fence[1] = ids[1];
        if (pthread_create(&s->loader, NULL, load_main, s) != 0)
            rc = WT_EIO;
    }
    if (rc != 0) {
        s->loader_joined = true;
        graph_livesync_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Waits for the load; its result. */
static int load_wait(struct graph_livesync *s)
{
    if (!s->loader_joined) {
        pthread_join(s->loader, NULL);
        s->loader_joined = true;
    }
    return s->load_rc;
}

bool graph_livesync_loaded(struct graph_livesync *s)
{
    return !s || atomic_load(&s->loaded);
}

void graph_livesync_after_commit(struct graph_livesync *s, const struct event *ev, size_t n,
                                 const uint8_t *inserted)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < n; i++) {
        if (inserted && !inserted[i])
            continue; /* a retried delivery: seen already */
        struct queued q;
        if (ev[i].kind == EVENT_SWAP) {
            q.swap = true;
            q.u.s = ev[i].u.swap;
        } else if (ev[i].kind == EVENT_TRANSFER) {
            q.swap = false;
            q.u.t = ev[i].u.transfer;
        } else {
            continue;
        }
        vec_push(&s->queue, q);
    }
    pthread_mutex_unlock(&s->mu);
}

void graph_livesync_rebuilt(struct graph_livesync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->replace = true;
    pthread_mutex_unlock(&s->mu);
}

static void row_of(const struct graph_live *gl, const struct graph_edge *e,
                   struct graph_edge_row *r)
{
    memset(r, 0, sizeof *r);
    if (base58_encode(graph_live_key(gl, e->a), 32, r->src, sizeof r->src) < 0)
        r->src[0] = '\0';
    if (base58_encode(graph_live_key(gl, e->b), 32, r->dst, sizeof r->dst) < 0)
        r->dst[0] = '\0';
    str_copy(r->kind, sizeof r->kind, graph_kind_name((enum graph_kind)e->kind));
    r->weight = e->weight;
    r->count = (int32_t)e->count;
    r->first_ms = e->first_ms;
    r->last_ms = e->last_ms;
}

int graph_livesync_flush(struct graph_livesync *s, struct graph_livesync_report *rep)
{
    memset(rep, 0, sizeof *rep);
    int lrc = load_wait(s);
    if (lrc != 0)
        return lrc;
    pthread_mutex_lock(&s->mu);
    VEC(struct queued) q = {s->queue.v, s->queue.len, s->queue.cap};
    memset(&s->queue, 0, sizeof s->queue);
    bool replace = s->replace;
    s->replace = false;
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < q.len; i++)
        if (q.v[i].swap)
            graph_live_add_swap(s->gl, &q.v[i].u.s);
        else
            graph_live_add_transfer(s->gl, &q.v[i].u.t);
    rep->applied = q.len;
    vec_free(&q);
    /* The window moved (a new day of swaps): forget what fell out of it.
     * The wallet ids change, so every edge is written again. */
    int64_t cut = graph_window_cutoff(&s->p, graph_live_latest(s->gl));
    if (cut > graph_live_cutoff(s->gl)) {
        struct graph_live_stats before;
        graph_live_stats(s->gl, &before);
        graph_live_set_cutoff(s->gl, cut);
        replace = true;
        rep->compacted = true;
        struct graph_live_stats after;
        graph_live_stats(s->gl, &after);
        char since[40];
        clock_format_iso(cut, since, sizeof since);
        log_info("graph",
                 "live edges: the window now starts at %s: %zu swaps and %zu transfers kept of "
                 "%zu and %zu, %.1f MiB (was %.1f)",
                 since, after.swaps_kept, after.transfers_kept, before.swaps_kept,
                 before.transfers_kept, (double)after.bytes / 1048576.0,
                 (double)before.bytes / 1048576.0);
    }
    struct graph_live_change_vec ch = {0};
    graph_live_changes(s->gl, &ch);
    VEC(struct graph_edge_row) put = {0};
    VEC(struct graph_edge_row) del = {0};
    if (replace) {
        struct graph_edge_vec all = {0};
        graph_live_edges(s->gl, &all);
        for (size_t i = 0; i < all.len; i++)
            row_of(s->gl, &all.v[i], vec_push_zero(&put));
        vec_free(&all);
    } else {
        for (size_t i = 0; i < ch.len; i++)
            row_of(s->gl, &ch.v[i].e, ch.v[i].removed ? vec_push_zero(&del) : vec_push_zero(&put));
    }
    vec_free(&ch);
    int rc = 0;
    if (replace || put.len > 0 || del.len > 0)
        rc = store_graph_edges_apply(s->st, put.v, put.len, del.v, del.len, replace);
    if (rc != 0) {
        /* The changes are taken: what the store holds is unknown now. */
        graph_livesync_rebuilt(s);
    } else {
        rep->upserted = put.len;
        rep->deleted = del.len;
        rep->replaced = replace;
    }
    vec_free(&put);
    vec_free(&del);
    graph_live_stats(s->gl, &rep->stats);
    return rc;
}

static void job(void *ctx)
{
    struct graph_livesync *s = ctx;
    struct graph_livesync_report rep;
    if (!atomic_load(&s->loaded) || s->load_rc != 0)
        return; /* still loading (the queue waits), or no live edges this run */
    int rc = graph_livesync_flush(s, &rep);
    if (rc != 0)
        log_warn("graph", "live edges: cannot write the changed edges: %s", wt_strerror(rc));
    else if (rep.upserted || rep.deleted)
        log_debug("graph", "live edges: %zu events, %zu edges written, %zu removed%s", rep.applied,
                  rep.upserted, rep.deleted, rep.replaced ? " (all rewritten)" : "");
}

int graph_livesync_schedule(struct graph_livesync *s, struct sched *sc)
{
    if (!s)
        return 0;
    int rc = sched_add(sc, "graph-live", s->period_ms, s->period_ms, SCHED_WORKER, job, s);
    return rc < 0 ? rc : 0;
}

void graph_livesync_free(struct graph_livesync *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, true);
    (void)load_wait(s);
    graph_live_free(s->gl);
    vec_free(&s->queue);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
