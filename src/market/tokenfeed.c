/* The token feed's thread (see tokenfeed.h).
 *
 * Why a thread of its own: a DexScreener request takes tens to thousands
 * of milliseconds and the engine must never wait on the network. The
 * engine thread adds mints to a small set under the lock and returns; this
 * thread takes them in batches and turns each answer into a price event
 * queued for the engine like any other input, so the engine stays a
 * function of its ordered events.
 *
 * Invariants (under mu): pending holds distinct mints, at most
 * max_pending; first_ms is the monotonic time the oldest pending mint
 * was added (0 when none); h counts everything since the start. */
#include "market/tokenfeed.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/vec.h"
#include "base/waiter.h"

#define REFRESH_MAX 256 /* open positions' mints looked up per refresh */

struct tokenfeed {
    struct tokenfeed_opts o;
    char *base_url;
    struct clock real;
    const struct clock *clock;
    struct dexscreener *dex; /* used by the thread only */
    struct tokenfeed_sink sink;

    pthread_t thread;
    bool started;
    struct waiter w; /* its mutex guards what follows; w.stop: stopping */
    VEC(struct pubkey) pending;
    int64_t first_ms;
    bool refresh_due; /* tokenfeed_refresh asked, the thread has not begun it */
    struct tokenfeed_health h;
};

static int64_t mono_ms(void)
{
    return clock_mono_ns() / NS_PER_MS;
}

void tokenfeed_opts_default(struct tokenfeed_opts *o)
{
    memset(o, 0, sizeof *o);
    o->base_url = "https://api.dexscreener.com";
    dexscreener_opts_default(&o->dex);
    httpc_opts_default(&o->http);
    o->http.timeout_ms = 4000;
    o->http.connect_timeout_ms = 2000;
    o->http.retries = 0;
    o->linger_ms = 50;
    o->refresh_ms = 30000;
    o->max_pending = 1024;
}

void tokenfeed_price_event(const struct dex_token *t, struct event *out)
{
    memset(out, 0, sizeof *out);
    out->kind = EVENT_PRICE;
    struct price_event *p = &out->u.price;
    p->mint = t->mint;
    p->ts_ms = t->fetched_ms;
    p->price_sol = t->price_sol;
    p->price_usd = t->price_usd;
    p->liquidity_usd = t->liquidity_usd;
    p->mcap_usd = t->mcap_usd > 0 ? t->mcap_usd : t->fdv_usd;
    p->pair_created_ms = t->created_ms;
    snprintf(p->source, sizeof p->source, "DEXSCREENER");
}

struct tokenfeed *tokenfeed_new(const struct tokenfeed_opts *o)
{
    struct tokenfeed *f = xcalloc(1, sizeof *f);
    f->o = *o;
    f->base_url = xstrdup(o->base_url ? o->base_url : "");
    f->o.base_url = f->base_url;
    if (!f->o.max_pending)
        f->o.max_pending = 1024;
    clock_init_real(&f->real);
    f->clock = o->clock ? o->clock : &f->real;
    f->dex = dexscreener_new(f->base_url, f->clock, &f->o.dex, &f->o.http);
    if (waiter_init(&f->w) != 0)
        abort(); /* out of resources, like xmalloc */
    return f;
}

/* Adds a mint to pending (under mu). */
static void add_pending(struct tokenfeed *f, const struct pubkey *mint)
{
    f->h.requested++;
    for (size_t i = 0; i < f->pending.len; i++)
        if (pubkey_eq(&f->pending.v[i], mint))
            return;
    if (f->pending.len >= f->o.max_pending) {
        f->h.dropped++;
        return;
    }
    if (!f->pending.len)
        f->first_ms = mono_ms();
    vec_push(&f->pending, *mint);
}

void tokenfeed_request(struct tokenfeed *f, const struct pubkey *mint)
{
    pthread_mutex_lock(&f->w.mu);
    add_pending(f, mint);
    bool wake = f->pending.len == 1 || f->pending.len == DEX_BATCH;
    pthread_mutex_unlock(&f->w.mu);
    if (wake)
        waiter_wake(&f->w);
}

void tokenfeed_refresh(struct tokenfeed *f)
{
    pthread_mutex_lock(&f->w.mu);
    f->refresh_due = true;
    pthread_mutex_unlock(&f->w.mu);
    waiter_wake(&f->w);
}

static void refresh_job(void *arg)
{
    tokenfeed_refresh(arg);
}

int tokenfeed_schedule(struct tokenfeed *f, struct sched *s)
{
    if (!f->o.refresh_ms)
        return 0;
    int rc = sched_add(s, "token refresh", f->o.refresh_ms, f->o.refresh_ms, SCHED_INLINE,
                       refresh_job, f);
    return rc < 0 ? rc : 0;
}

/* Looks up n mints (no lock held) and posts the answers. */
static void lookup(struct tokenfeed *f, const struct pubkey *mints, size_t n)
{
    struct dex_token out[DEX_BATCH];
    struct event ev[DEX_BATCH];
    int rc = dexscreener_get(f->dex, mints, n, out);
    uint64_t posted = 0, not_listed = 0, stale = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!out[i].found) {
            not_listed += rc == 0;
            continue;
        }
        stale += out[i].stale;
        tokenfeed_price_event(&out[i], &ev[k++]);
    }
    /* One hand-over for the whole answer: in serve, one commit. */
    if (k && f->sink.post(f->sink.ctx, ev, k) == 0)
        posted = k;
    int64_t now = clock_now_ms(f->clock);
    pthread_mutex_lock(&f->w.mu);
    bool was_failed = f->h.last_failed;
    f->h.lookups++;
    f->h.posted += posted;
    f->h.not_listed += not_listed;
    f->h.stale += stale;
    f->h.last_stale = stale > 0;
    f->h.last_failed = rc != 0;
    if (rc || stale)
        snprintf(f->h.last_error, sizeof f->h.last_error, "%s", dexscreener_errmsg(f->dex));
    if (rc) {
        f->h.failures++;
        f->h.last_failure_ms = now;
    } else {
        f->h.last_ok_ms = now;
    }
    dexscreener_stats(f->dex, &f->h.dex);
    pthread_mutex_unlock(&f->w.mu);
    /* Log the changes of state, not every failure of an outage. */
    if (rc && !was_failed)
        log_warn("tokenfeed", "DexScreener lookup failed: %s", dexscreener_errmsg(f->dex));
    else if (!rc && was_failed)
        log_info("tokenfeed", "DexScreener answers again");
}

static void *feed_main(void *arg)
{
    struct tokenfeed *f = arg;
    struct pubkey batch[DEX_BATCH];
    struct pubkey *open = xmalloc(REFRESH_MAX * sizeof *open);
    pthread_mutex_lock(&f->w.mu);
    while (!f->w.stop) {
        int64_t now = mono_ms();
        if (f->refresh_due) {
            f->refresh_due = false;
            if (!f->sink.open_mints)
                continue;
            pthread_mutex_unlock(&f->w.mu);
            size_t n = f->sink.open_mints(f->sink.ctx, open, REFRESH_MAX);
            pthread_mutex_lock(&f->w.mu);
            for (size_t i = 0; i < n; i++)
                add_pending(f, &open[i]);
            continue;
        }
        if (!f->pending.len) {
            waiter_wait_locked_ms(&f->w, -1);
            continue;
        }
        /* Linger so that mints asked for together share a request. */
        if (f->pending.len < DEX_BATCH && now < f->first_ms + (int64_t)f->o.linger_ms) {
            waiter_wait_locked_ms(&f->w, f->first_ms + (int64_t)f->o.linger_ms - now);
            continue;
        }
        size_t n = f->pending.len < DEX_BATCH ? f->pending.len : DEX_BATCH;
        memcpy(batch, f->pending.v, n * sizeof batch[0]);
        memmove(f->pending.v, f->pending.v + n, (f->pending.len - n) * sizeof batch[0]);
        f->pending.len -= n;
        f->first_ms = f->pending.len ? mono_ms() - (int64_t)f->o.linger_ms : 0;
        pthread_mutex_unlock(&f->w.mu);
        lookup(f, batch, n);
        pthread_mutex_lock(&f->w.mu);
    }
    pthread_mutex_unlock(&f->w.mu);
    free(open);
    return NULL;
}

int tokenfeed_start(struct tokenfeed *f, const struct tokenfeed_sink *sink)
{
    if (f->started || !sink || !sink->post)
        return WT_EINVAL;
    f->sink = *sink;
    pthread_mutex_lock(&f->w.mu);
    f->w.stop = false;
    pthread_mutex_unlock(&f->w.mu);
    if (pthread_create(&f->thread, NULL, feed_main, f) != 0)
        return WT_EIO;
    pthread_mutex_lock(&f->w.mu);
    f->started = true;
    f->h.running = true;
    pthread_mutex_unlock(&f->w.mu);
    return 0;
}

void tokenfeed_stop(struct tokenfeed *f)
{
    if (!f || !f->started)
        return;
    waiter_stop(&f->w);
    pthread_join(f->thread, NULL);
    pthread_mutex_lock(&f->w.mu);
    f->started = false;
    f->h.running = false;
    f->pending.len = 0;
    pthread_mutex_unlock(&f->w.mu);
}

void tokenfeed_free(struct tokenfeed *f)
{
    if (!f)
        return;
    tokenfeed_stop(f);
    dexscreener_free(f->dex);
    vec_free(&f->pending);
    waiter_release(&f->w);
    free(f->base_url);
    free(f);
}

void tokenfeed_health(struct tokenfeed *f, struct tokenfeed_health *out)
{
    pthread_mutex_lock(&f->w.mu);
    *out = f->h;
    pthread_mutex_unlock(&f->w.mu);
}

enum tokenfeed_state tokenfeed_state(const struct tokenfeed_health *h, int64_t now_ms, char *detail,
                                     size_t detailsize)
{
    char d[320];
    enum tokenfeed_state s;
    if (!h->lookups) {
        s = TOKENFEED_CONFIGURED;
        snprintf(d, sizeof d, "no token looked up yet");
    } else if (h->last_failed) {
        s = TOKENFEED_DOWN;
        if (h->last_ok_ms)
            snprintf(d, sizeof d, "the last lookup failed (%s); the last full answer was %llds ago",
                     h->last_error, (long long)((now_ms - h->last_ok_ms) / 1000));
        else
            snprintf(d, sizeof d, "the last lookup failed (%s); no answer yet", h->last_error);
    } else if (h->last_stale) {
        s = TOKENFEED_DEGRADED;
        snprintf(d, sizeof d,
                 "DexScreener does not answer (%s); cached answers are served while they are "
                 "young enough",
                 h->last_error[0] ? h->last_error : "request failed");
    } else {
        s = TOKENFEED_OK;
        snprintf(d, sizeof d,
                 "last answer %llds ago; %llu price events posted, %llu tokens not listed, %llu "
                 "failed lookups",
                 (long long)((now_ms - h->last_ok_ms) / 1000), (unsigned long long)h->posted,
                 (unsigned long long)h->not_listed, (unsigned long long)h->failures);
    }
    if (detail && detailsize)
        snprintf(detail, detailsize, "%s", d);
    return s;
}

const char *tokenfeed_state_name(enum tokenfeed_state s)
{
    switch (s) {
    case TOKENFEED_CONFIGURED:
        return "configured";
    case TOKENFEED_OK:
        return "ok";
    case TOKENFEED_DEGRADED:
        return "degraded";
    case TOKENFEED_DOWN:
        return "down";
    }
    return "unknown";
}
