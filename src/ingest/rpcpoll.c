/* RPC-polling fallback for a silent webhook. See rpcpoll.h.
 *
 * Per wallet the poller remembers the newest signature it has seen, so a
 * round asks only for what is new (`until`). The first time a wallet is
 * polled it takes only the newest `first_limit` signatures: older history
 * is `walltrack backfill`'s job. Signatures are processed oldest first so
 * that the store receives them in time order. */
#include "ingest/rpcpoll.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/waiter.h"
#include "base/err.h"
#include "base/intern.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/vec.h"
#include "solana/rpc.h"

struct rpcpoll {
    struct store *st;
    struct inbox *ib;
    struct rpc *rpc;
    struct rpc *pending; /* new endpoints (rpcpoll_set_urls), under w.mu */
    struct rpcpoll_opts o;
    struct intern wallets; /* address -> dense id */
    VEC(char *) newest;    /* id -> newest signature seen, or NULL */
    struct waiter w;       /* its mutex guards stats */
    struct rpcpoll_stats stats;
    pthread_t thread;
    bool running;
};

struct rpcpoll *rpcpoll_new(struct store *st, struct inbox *ib, const struct rpcpoll_opts *o)
{
    struct rpcpoll *p = xcalloc(1, sizeof *p);
    p->st = st;
    p->ib = ib;
    p->o = *o;
    if (!p->o.first_limit)
        p->o.first_limit = 20;
    if (!p->o.interval_s)
        p->o.interval_s = 30;
    p->rpc = rpc_new(o->rpc_urls, o->n_urls, NULL);
    intern_init(&p->wallets, 64);
    if (waiter_init(&p->w) != 0)
        abort(); /* out of resources, like xmalloc */
    return p;
}

void rpcpoll_free(struct rpcpoll *p)
{
    if (!p)
        return;
    rpcpoll_stop(p);
    for (size_t i = 0; i < p->newest.len; i++)
        free(p->newest.v[i]);
    vec_free(&p->newest);
    intern_release(&p->wallets);
    rpc_free(p->rpc);
    rpc_free(p->pending);
    waiter_release(&p->w);
    free(p);
}

static void count(struct rpcpoll *p, uint64_t *field, uint64_t n)
{
    pthread_mutex_lock(&p->w.mu);
    *field += n;
    pthread_mutex_unlock(&p->w.mu);
}

static int poll_wallet(struct rpcpoll *p, const char *address)
{
    struct pubkey key;
    if (pubkey_parse(address, &key) != 0)
        return WT_EINVAL;
    uint32_t id = intern_put(&p->wallets, key.b);
    while (p->newest.len <= id)
        vec_push(&p->newest, NULL);
    const char *until = p->newest.v[id];
    struct rpc_sigs_query q = {
        .limit = until ? 1000 : p->o.first_limit,
        .until = until,
        .commitment = RPC_CONFIRMED,
    };
    struct rpc_sig_list sigs = {0};
    int rc = rpc_get_signatures_for_address(p->rpc, &key, &q, &sigs);
    if (rc) {
        log_warn("rpcpoll", "getSignaturesForAddress %s: %s", address,
                 rpc_last_error(p->rpc)->message);
        count(p, &p->stats.errors, 1);
        goto out;
    }
    count(p, &p->stats.wallets, 1);
    /* Newest first from the node; store oldest first. */
    for (size_t k = sigs.len; k-- > 0;) {
        const struct rpc_sig_info *si = &sigs.v[k];
        if (si->err.set) {
            count(p, &p->stats.failed_skipped, 1);
            continue;
        }
        struct httpc_resp body;
        httpc_resp_init(&body);
        int trc = rpc_get_transaction(p->rpc, si->signature, RPC_CONFIRMED, &body);
        if (trc == 0) {
            struct inbox_result res;
            char err[256];
            trc = inbox_submit_polled(p->ib, body.body.data, body.body.len, body.body.cap, &res,
                                      err, sizeof err);
            if (trc)
                log_warn("rpcpoll", "transaction %s not stored: %s", si->signature, err);
            else
                count(p, &p->stats.transactions, 1);
        } else if (trc != WT_ENOTFOUND) {
            log_warn("rpcpoll", "getTransaction %s: %s", si->signature,
                     rpc_last_error(p->rpc)->message);
        }
        httpc_resp_release(&body);
        if (trc && trc != WT_ENOTFOUND) {
            /* Keep `newest` where it was so the next round retries. */
            count(p, &p->stats.errors, 1);
            rc = trc;
            goto out;
        }
    }
    if (sigs.len) {
        free(p->newest.v[id]);
        p->newest.v[id] = xstrdup(sigs.v[0].signature);
    }
out:
    free(sigs.v);
    return rc;
}

int rpcpoll_wallets(struct rpcpoll *p, const char *const *wallets, size_t n)
{
    int first = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = poll_wallet(p, wallets[i]);
        if (rc && !first)
            first = rc;
    }
    struct clock c;
    clock_init_real(&c);
    pthread_mutex_lock(&p->w.mu);
    p->stats.polls++;
    p->stats.last_poll_ms = clock_now_ms(&c);
    pthread_mutex_unlock(&p->w.mu);
    return first;
}

struct addr_list {
    VEC(char *) v;
};

static int add_addr(void *ctx, const struct wallet *w)
{
    struct addr_list *l = ctx;
    vec_push(&l->v, xstrdup(w->address));
    return 0;
}

/* The watched wallets are read by one scan (one read transaction, in
 * address order) and polled after it, in batches of RPCPOLL_BATCH, so no
 * read stays open across the network calls. */
#define RPCPOLL_BATCH 1000

int rpcpoll_once(struct rpcpoll *p)
{
    struct wallet_filter f = {.status = WALLET_WATCH};
    struct addr_list l = {0};
    int rc = store_wallet_scan(p->st, &f, add_addr, &l);
    int first = rc;
    for (size_t i = 0; rc == 0 && i < l.v.len; i += RPCPOLL_BATCH) {
        size_t n = l.v.len - i < RPCPOLL_BATCH ? l.v.len - i : RPCPOLL_BATCH;
        int r = rpcpoll_wallets(p, (const char *const *)l.v.v + i, n);
        if (r && !first)
            first = r;
    }
    for (size_t i = 0; i < l.v.len; i++)
        free(l.v.v[i]);
    vec_free(&l.v);
    return first;
}

static void *run(void *arg)
{
    struct rpcpoll *p = arg;
    while (!waiter_wait_ms(&p->w, (int64_t)p->o.interval_s * 1000)) {
        pthread_mutex_lock(&p->w.mu);
        bool forced = p->stats.forced;
        pthread_mutex_unlock(&p->w.mu);
        int64_t quiet_ms = clock_mono_ns() / NS_PER_MS - inbox_last_delivery_ms(p->ib);
        pthread_mutex_lock(&p->w.mu);
        struct rpc *fresh = p->pending;
        p->pending = NULL;
        pthread_mutex_unlock(&p->w.mu);
        if (fresh) { /* only this thread uses p->rpc while it runs */
            rpc_free(p->rpc);
            p->rpc = fresh;
            log_info("rpcpoll", "polling through the reloaded rpc.urls");
        }
        if (forced) {
            log_info("rpcpoll", "the Helius webhook is not in line with the watchlist: polling "
                                "watched wallets");
            rpcpoll_once(p);
        } else if (p->o.silence_s > 0 && quiet_ms >= (int64_t)p->o.silence_s * 1000) {
            log_info("rpcpoll", "no webhook delivery for %llds: polling watched wallets",
                     (long long)(quiet_ms / 1000));
            rpcpoll_once(p);
        }
    }
    return NULL;
}

int rpcpoll_start(struct rpcpoll *p)
{
    if (p->running)
        return WT_ESTATE;
    waiter_lock(&p->w);
    p->w.stop = false;
    waiter_unlock(&p->w);
    if (pthread_create(&p->thread, NULL, run, p) != 0)
        return WT_EIO;
    p->running = true;
    return 0;
}

void rpcpoll_stop(struct rpcpoll *p)
{
    if (!p->running)
        return;
    waiter_stop(&p->w);
    pthread_join(p->thread, NULL);
    p->running = false;
}

void rpcpoll_set_urls(struct rpcpoll *p, const char *const *urls, size_t n)
{
    struct rpc *r = rpc_new(urls, n, NULL);
    pthread_mutex_lock(&p->w.mu);
    struct rpc *old = p->pending;
    p->pending = r;
    pthread_mutex_unlock(&p->w.mu);
    rpc_free(old);
}

void rpcpoll_get_stats(struct rpcpoll *p, struct rpcpoll_stats *out)
{
    pthread_mutex_lock(&p->w.mu);
    *out = p->stats;
    pthread_mutex_unlock(&p->w.mu);
}

void rpcpoll_set_forced(struct rpcpoll *p, bool on)
{
    pthread_mutex_lock(&p->w.mu);
    bool was = p->stats.forced;
    p->stats.forced = on;
    pthread_mutex_unlock(&p->w.mu);
    if (on && !was)
        waiter_wake(&p->w);
}
