/* Store-to-engine watchlist sync. See watchsync.h.
 *
 * Both sides are read into sorted arrays of base58 addresses and merged,
 * so a sync costs O(n log n) in the size of the watchlist and posts nothing
 * when the two already agree (the common case after a discovery run that
 * changed nothing). */
#include "trade/watchsync.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "solana/pubkey.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/vec.h"

struct entry {
    char addr[BASE58_KEY_MAX];
    double score; /* store: 0..100; engine: unused */
};

struct set {
    VEC(struct entry) v;
};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->addr, ((const struct entry *)b)->addr);
}

/* qsort's array may not be NULL, even for no element (an empty set). */
static void sort_set(struct set *s)
{
    if (s->v.len > 1)
        qsort(s->v.v, s->v.len, sizeof *s->v.v, cmp_entry);
}

static int add_store_entry(void *ctx, const struct wallet *w)
{
    struct set *out = ctx;
    if (strcmp(w->chain, "solana") != 0)
        return 0;
    struct entry *e = vec_push_zero(&out->v);
    memcpy(e->addr, w->address, sizeof e->addr);
    e->score = w->score;
    return 0;
}

/* One scan in one read transaction: a score changing meanwhile (a profile
 * run) can neither hide a wallet nor show it twice, as OFFSET pages
 * ordered by the score could (a spurious unwatch). */
static int load_store(struct store *st, enum wallet_status status, struct set *out)
{
    struct wallet_filter f;
    memset(&f, 0, sizeof f);
    f.status = status;
    int rc = store_wallet_scan(st, &f, add_store_entry, out);
    if (rc)
        return rc;
    sort_set(out);
    return 0;
}

/* The engine's watched and blacklisted wallets from its snapshot (typed:
 * nothing to parse, nothing that can fail). */
static void load_engine(struct runner *r, struct set *watched, struct set *black)
{
    const struct runner_snap *s = runner_snapshot(r);
    for (size_t i = 0; i < s->n_watchlist; i++) {
        const struct engine_watch *x = &s->watchlist[i];
        struct entry *e;
        if (x->watched) {
            e = vec_push_zero(&watched->v);
            pubkey_format(&x->wallet, e->addr);
        }
        if (x->blacklisted) {
            e = vec_push_zero(&black->v);
            pubkey_format(&x->wallet, e->addr);
        }
    }
    runner_snapshot_release(r, s);
    sort_set(watched);
    sort_set(black);
}

static int post(struct runner *r, enum command_kind k, const struct entry *e, double prior)
{
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.kind = k;
    c.value = prior;
    if (pubkey_parse(e->addr, &c.wallet) != 0)
        return 0; /* not a Solana key: nothing the engine could watch */
    return runner_post_command(r, &c);
}

/* Posts `add` for wallets in want but not in have, `del` for the reverse. */
static int diff(struct runner *r, const struct set *want, const struct set *have,
                enum command_kind add, enum command_kind del, size_t *n_add, size_t *n_del)
{
    size_t i = 0, j = 0;
    while (i < want->v.len || j < have->v.len) {
        int c = i == want->v.len   ? 1
                : j == have->v.len ? -1
                                   : strcmp(want->v.v[i].addr, have->v.v[j].addr);
        int rc = 0;
        if (c < 0) {
            rc = post(r, add, &want->v.v[i], want->v.v[i].score);
            (*n_add)++;
            i++;
        } else if (c > 0) {
            rc = post(r, del, &have->v.v[j], -1);
            (*n_del)++;
            j++;
        } else {
            i++;
            j++;
        }
        if (rc)
            return rc;
    }
    return 0;
}

int watchsync_run(struct runner *r, struct store *st, struct watchsync_stats *out)
{
    struct watchsync_stats stats = {0};
    struct set sw = {0}, sb = {0}, ew = {0}, eb = {0};
    int rc = load_store(st, WALLET_WATCH, &sw);
    if (rc == 0)
        rc = load_store(st, WALLET_BLACKLISTED, &sb);
    if (rc == 0)
        load_engine(r, &ew, &eb);
    /* Blacklist first: a wallet moving from watched to blacklisted must
     * never be watched-and-not-yet-blacklisted in between. */
    if (rc == 0)
        rc = diff(r, &sb, &eb, CMD_BLACKLIST, CMD_UNBLACKLIST, &stats.blacklisted,
                  &stats.unblacklisted);
    if (rc == 0)
        rc = diff(r, &sw, &ew, CMD_WATCH, CMD_UNWATCH, &stats.watched, &stats.unwatched);
    if (rc == 0 && (stats.watched || stats.unwatched || stats.blacklisted || stats.unblacklisted))
        log_info("watchlist",
                 "synced the engine with the store: +%zu watched, -%zu, +%zu "
                 "blacklisted, -%zu",
                 stats.watched, stats.unwatched, stats.blacklisted, stats.unblacklisted);
    vec_free(&sw.v);
    vec_free(&sb.v);
    vec_free(&ew.v);
    vec_free(&eb.v);
    if (out)
        *out = stats;
    return rc;
}
