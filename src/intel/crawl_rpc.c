/* The chain crawl's RPC-only path (crawl.h): with no Helius key but an RPC
 * endpoint, an item's history is paged with getSignaturesForAddress
 * (PAGE_LIMIT signatures a page, `before` = the cursor, newest first) and
 * every successful signature fetched with getTransaction (json encoding),
 * whose answer the loader decodes like the RPC poller's (ingest/loader.h,
 * the raw format's net-balance rules). A failed transaction (the
 * signature's err) is not fetched: it moved nothing.
 *
 * Every request goes through fetch_with (budget, rate limit, retries).
 * The cursor moves to the last signature whose transaction was stored, so
 * a crawl stopped by its budget or a failure mid-page goes on from there;
 * the swaps are committed before the cursor, so a kill -9 mid-page
 * fetches that page's transactions again (at most PAGE_LIMIT requests;
 * their events are stored once). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/vec.h"
#include "base/log.h"
#include "intel/crawl_impl.h"
#include "solana/pubkey.h"

#define WSOL "So11111111111111111111111111111111111111112"

struct sigs_req {
    const struct pubkey *addr;
    struct rpc_sigs_query q;
    struct rpc_sig_list *out;
};

static int sigs_attempt(struct crawler *c, void *ctx, long *status, const char **msg)
{
    struct sigs_req *r = ctx;
    r->out->len = 0;
    int rc = rpc_get_signatures_for_address(c->rpc, r->addr, &r->q, r->out);
    const struct rpc_error *e = rpc_last_error(c->rpc);
    *status = e->http_status;
    *msg = e->message;
    return rc;
}

struct tx_req {
    const char *sig;
    struct httpc_resp *body;
};

static int tx_attempt(struct crawler *c, void *ctx, long *status, const char **msg)
{
    struct tx_req *r = ctx;
    httpc_resp_release(r->body);
    httpc_resp_init(r->body);
    int rc = rpc_get_transaction(c->rpc, r->sig, RPC_CONFIRMED, r->body);
    const struct rpc_error *e = rpc_last_error(c->rpc);
    *status = rc == WT_ENOTFOUND ? 200 : e->http_status;
    *msg = rc == WT_ENOTFOUND ? "no such transaction" : e->message;
    return rc;
}

/* One signatures page of addr before cursor (NULL: the newest). */
static int sigs_page(struct crawler *c, const struct pubkey *addr, const char *what,
                     const char *cursor, struct rpc_sig_list *out)
{
    struct sigs_req r = {.addr = addr,
                         .q = {.limit = PAGE_LIMIT, .before = cursor, .commitment = RPC_CONFIRMED},
                         .out = out};
    return fetch_with(c, &c->rpcsvc, what, sigs_attempt, &r);
}

/* getTransaction of sig into body: 0, BUDGET_STOP, WT_ENOTFOUND or
 * WT_EPARSE (skip it), or the error after the retries. */
static int get_tx(struct crawler *c, const char *sig, struct httpc_resp *body)
{
    struct tx_req r = {sig, body};
    return fetch_with(c, &c->rpcsvc, sig, tx_attempt, &r);
}

/* Fetches and stores si's transaction unless it failed. Returns 0 or the
 * store's error; *stopped when the budget or a failure stops the item
 * here (it stays pending). */
static int fetch_store(struct crawler *c, struct crawl_item *it, const struct rpc_sig_info *si,
                       struct httpc_resp *tx, bool *stopped)
{
    *stopped = false;
    if (si->err.set)
        return 0;
    int trc = get_tx(c, si->signature, tx);
    if (trc == 0) {
        char lerr[256];
        int rc = loader_add(&c->ld, tx->body.data, tx->body.len, tx->body.cap, lerr, sizeof lerr);
        if (rc)
            cr_err(c, "storing %s: %s", si->signature, wt_strerror(rc));
        return rc;
    }
    if (trc != WT_ENOTFOUND && trc != WT_EPARSE) {
        if (trc != BUDGET_STOP) {
            c->p.failed++;
            log_warn("crawl", "%s left for the next run: %s", it->key, c->err);
        }
        *stopped = true;
    }
    return 0;
}

#define SIGS_MAX 1000 /* getSignaturesForAddress's most a request */

/* A token with a window (token_window_hours): its signatures paged to
 * creation first, SIGS_MAX a request (not kept: listed again on a resume,
 * a few requests), then a getTransaction for every successful one within
 * the window from creation, oldest first; the cursor is the last one
 * stored. */
static int crawl_token_window(struct crawler *c, struct crawl_item *it, const struct pubkey *key)
{
    struct rpc_sig_list all = {0}, page = {0};
    char before[BASE58_SIG_MAX] = "";
    int rc = 0, frc;
    for (;;) {
        struct sigs_req r = {.addr = key,
                             .q = {.limit = SIGS_MAX,
                                   .before = before[0] ? before : NULL,
                                   .commitment = RPC_CONFIRMED},
                             .out = &page};
        frc = fetch_with(c, &c->rpcsvc, it->key, sigs_attempt, &r);
        if (frc)
            break;
        for (size_t i = 0; i < page.len; i++)
            vec_push(&all, page.v[i]);
        if (page.len < SIGS_MAX)
            break;
        snprintf(before, sizeof before, "%s", page.v[page.len - 1].signature);
    }
    free(page.v);
    if (frc == WT_EPARSE) {
        snprintf(it->state, sizeof it->state, "skipped");
        free(all.v);
        return crawl_save(c, it);
    }
    if (frc) {
        if (frc != BUDGET_STOP) {
            c->p.failed++;
            log_warn("crawl", "%s left for the next run: %s", it->key, c->err);
        }
        free(all.v);
        return 0; /* pending; its signatures are listed again next run */
    }
    int64_t first = 0, newest = 0;
    for (size_t i = 0; i < all.len; i++) {
        int64_t bt = all.v[i].has_block_time ? all.v[i].block_time : 0;
        if (bt && (!first || bt < first))
            first = bt;
        newest = bt > newest ? bt : newest;
    }
    int64_t end = first + (int64_t)c->o->token_window_hours * 3600;
    /* oldest first, after the cursor when resuming */
    size_t k = all.len;
    if (it->cursor[0])
        for (size_t i = 0; i < all.len; i++)
            if (strcmp(all.v[i].signature, it->cursor) == 0) {
                k = i;
                break;
            }
    struct httpc_resp tx;
    httpc_resp_init(&tx);
    bool stopped = false;
    size_t since_save = 0;
    while (rc == 0 && k-- > 0) {
        const struct rpc_sig_info *si = &all.v[k];
        int64_t bt = si->has_block_time ? si->block_time : 0;
        if (bt > end)
            break; /* past the window: the rest is newer */
        if ((rc = fetch_store(c, it, si, &tx, &stopped)) != 0 || stopped)
            break;
        snprintf(it->cursor, sizeof it->cursor, "%s", si->signature);
        if (++since_save == PAGE_LIMIT) {
            since_save = 0;
            it->pages++;
            if ((rc = loader_flush(&c->ld)) != 0 || (rc = crawl_save(c, it)) != 0)
                break;
        }
    }
    if (rc == 0 && (rc = loader_flush(&c->ld)) != 0)
        cr_err(c, "storing %s's transactions: %s", it->key, wt_strerror(rc));
    if (rc == 0) {
        if (since_save)
            it->pages++;
        it->first_ts = first;
        if (newest > it->newest_ts)
            it->newest_ts = newest;
        if (!stopped)
            snprintf(it->state, sizeof it->state, "done");
        rc = crawl_save(c, it);
    }
    httpc_resp_release(&tx);
    free(all.v);
    return rc;
}

int crawl_item_rpc(struct crawler *c, struct crawl_item *it, int64_t gte_s, int64_t stop_ts)
{
    struct pubkey key;
    if (pubkey_parse(it->key, &key) != 0) {
        snprintf(it->state, sizeof it->state, "skipped");
        return crawl_save(c, it);
    }
    if (strcmp(it->kind, "token") == 0 && c->o->token_window_hours)
        return crawl_token_window(c, it, &key);
    struct rpc_sig_list sigs = {0};
    struct httpc_resp tx;
    httpc_resp_init(&tx);
    int rc = 0;
    while (rc == 0 && strcmp(it->state, "pending") == 0) {
        int frc = sigs_page(c, &key, it->key, it->cursor[0] ? it->cursor : NULL, &sigs);
        if (frc == BUDGET_STOP)
            break; /* a clean stop: the item stays pending at its cursor */
        bool stopped = false, end = false;
        size_t i = 0;
        int64_t oldest = 0, newest = 0;
        if (frc == WT_EPARSE) {
            snprintf(it->state, sizeof it->state, "skipped");
        } else if (frc) {
            /* left pending for the next run, as on the Helius path */
            c->p.failed++;
            log_warn("crawl", "%s left for the next run: %s", it->key, c->err);
            break;
        } else {
            end = sigs.len < PAGE_LIMIT;
            for (; i < sigs.len; i++) {
                const struct rpc_sig_info *si = &sigs.v[i];
                int64_t bt = si->has_block_time ? si->block_time : 0;
                if (bt && ((gte_s && bt < gte_s) || (stop_ts && bt <= stop_ts))) {
                    end = true; /* the bound of the history wanted */
                    break;
                }
                if ((rc = fetch_store(c, it, si, &tx, &stopped)) != 0 || stopped)
                    break;
                if (bt) {
                    oldest = !oldest || bt < oldest ? bt : oldest;
                    newest = bt > newest ? bt : newest;
                }
            }
        }
        /* fetched newest first: stored oldest first */
        if (rc == 0 && (rc = loader_flush_reversed(&c->ld)) != 0)
            cr_err(c, "storing %s's transactions: %s", it->key, wt_strerror(rc));
        if (rc)
            break;
        if (i > 0) {
            memcpy(it->cursor, sigs.v[i - 1].signature, sizeof it->cursor);
            it->pages++;
        }
        if (oldest && (!it->first_ts || oldest < it->first_ts))
            it->first_ts = oldest;
        if (newest > it->newest_ts && stop_ts == 0)
            it->newest_ts = newest;
        if (!stopped && end)
            snprintf(it->state, sizeof it->state, "done");
        if ((rc = crawl_save(c, it)) != 0 || stopped)
            break;
    }
    free(sigs.v);
    httpc_resp_release(&tx);
    return rc;
}

/* The first non-wSOL mint of a getTransaction answer's token balances
 * (after, else before), into mint; "" when none. */
static void tx_mint(const struct httpc_resp *body, char mint[BASE58_KEY_MAX])
{
    static const char *const sides[] = {"postTokenBalances", "preTokenBalances"};
    struct json_doc *d = json_doc_new(0);
    struct json_val root, res, meta, bal, b;
    mint[0] = '\0';
    if (json_parse(d, body->body.data, body->body.len, body->body.cap, &root) == 0 &&
        json_get(&root, "result", &res) == 0 && json_get(&res, "meta", &meta) == 0)
        for (size_t s = 0; s < 2 && !mint[0]; s++) {
            if (json_get(&meta, sides[s], &bal) != 0)
                continue;
            for (size_t i = 0; i < json_size(&bal); i++) {
                const char *m;
                struct pubkey k;
                if (json_index(&bal, i, &b) == 0 && json_get_str(&b, "mint", &m, NULL) == 0 &&
                    strcmp(m, WSOL) != 0 && pubkey_parse(m, &k) == 0) {
                    snprintf(mint, BASE58_KEY_MAX, "%s", m);
                    break;
                }
            }
        }
    json_doc_free(d);
}

int grad_page_rpc(struct crawler *c, const char *acct, const char *cursor, int64_t floor_ts,
                  int64_t prev, struct grad_page *out)
{
    struct pubkey key;
    if (pubkey_parse(acct, &key) != 0) {
        cr_err(c, "the migration account %s is not an address", acct);
        return WT_EINVAL;
    }
    struct rpc_sig_list sigs = {0};
    int rc = sigs_page(c, &key, acct, cursor, &sigs);
    if (rc) {
        free(sigs.v);
        return rc;
    }
    out->n = sigs.len;
    if (sigs.len)
        snprintf(out->next, sizeof out->next, "%s", sigs.v[sigs.len - 1].signature);
    if (!floor_ts && sigs.len && sigs.v[0].has_block_time)
        floor_ts = sigs.v[0].block_time - (int64_t)c->o->graduation_hours * 3600;
    struct httpc_resp tx;
    httpc_resp_init(&tx);
    for (size_t i = 0; rc == 0 && i < sigs.len; i++) {
        const struct rpc_sig_info *si = &sigs.v[i];
        struct grad_ent e = {.ts = si->has_block_time ? si->block_time : 0};
        if (e.ts > prev && e.ts >= floor_ts && !si->err.set) {
            int trc = get_tx(c, si->signature, &tx);
            if (trc == 0)
                tx_mint(&tx, e.mint);
            else if (trc != WT_ENOTFOUND && trc != WT_EPARSE)
                rc = trc;
        }
        if (rc == 0 || e.mint[0])
            vec_push(out, e);
    }
    httpc_resp_release(&tx);
    free(sigs.v);
    return rc;
}
