/* Private to the chain crawl (intel/crawl.c, intel/crawl_rpc.c): the
 * crawler's state and the request loop both paths use. Everyone else uses
 * intel/crawl.h. */
#ifndef WT_INTEL_CRAWL_IMPL_H
#define WT_INTEL_CRAWL_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/loader.h"
#include "intel/crawl.h"
#include "net/httpc.h"
#include "solana/base58.h"
#include "solana/rpc.h"
#include "store/store.h"

#define PAGE_LIMIT  100
#define BUDGET_STOP 1000 /* fetch_with's "the budget is spent" (not an error code) */

/* A service's rate limit. */
struct svc {
    double rps;
    int64_t last_send_ns;
};

struct crawler {
    struct store *st;
    const struct crawl_opts *o;
    struct helius_api *api; /* NULL on the RPC-only path */
    struct rpc *rpc;        /* the RPC-only path (crawl_rpc.c); NULL with Helius */
    struct loader ld;
    struct crawl_progress p;
    int64_t unsaved; /* requests not yet written with an item */
    struct svc helius, dex, rpcsvc;
    struct httpc *dex_http; /* NULL: the DexScreener source is off */
    struct httpc_resp dex_resp;
    int64_t start_ns;
    int64_t started_ms, live_ns; /* the run's wall start; the last live write */
    const char *live_phase;      /* the phase of the last live write */
    uint64_t jitter;
    char *err;
    size_t errsize;
};

/* Writes the error message (secrets redacted) into c->err. */
void cr_err(struct crawler *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One attempt of a request: 0, WT_EPARSE (a malformed answer), or another
 * error with the HTTP status in *status (0: no answer) and *msg. */
typedef int (*attempt_fn)(struct crawler *c, void *ctx, long *status, const char **msg);

/* One request through the budget, the service's rate limit and the
 * retries. Returns 0, BUDGET_STOP, WT_EPARSE (malformed: counted), or the
 * last error after the retries (its message in c->err). */
int fetch_with(struct crawler *c, struct svc *s, const char *what, attempt_fn fn, void *ctx);

/* Writes it (with the requests not yet written) to the store. Returns 0
 * or WT_ESTORE (c->err says so). */
int crawl_save(struct crawler *c, struct crawl_item *it);

/* One migration of the graduations' listing: its block time (s) and the
 * mint it moved ("" when none was read). */
struct grad_ent {
    int64_t ts;
    char mint[BASE58_KEY_MAX];
};

struct grad_page {
    struct grad_ent *v;
    size_t len, cap;
    size_t n;                  /* transactions on the page */
    char next[BASE58_SIG_MAX]; /* the cursor of the next page; "" none */
};

/* The RPC-only path (crawl_rpc.c), used when no Helius key is set and an
 * RPC endpoint is. */

/* Pages it as crawl.c's Helius path does, with getSignaturesForAddress
 * (PAGE_LIMIT a page, `before` the cursor) and a getTransaction for each
 * successful signature, down to gte_s (0: creation) or, for a top-up,
 * stop_ts. */
int crawl_item_rpc(struct crawler *c, struct crawl_item *it, int64_t gte_s, int64_t stop_ts);

/* One page of the migration account's history before cursor (NULL: the
 * newest): the block time of every transaction, and for those newer than
 * prev and not older than floor_ts (0: graduation_hours back from the
 * page's newest) the mint read from getTransaction. Returns 0,
 * BUDGET_STOP (the entries so far), WT_EPARSE or an error. */
int grad_page_rpc(struct crawler *c, const char *acct, const char *cursor, int64_t floor_ts,
                  int64_t prev, struct grad_page *out);

#endif
