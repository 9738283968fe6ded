/* SQLite's page cache without the lock page's number: sqlite_pcache.h
 * says why. */
#include "store/sqlite_pcache.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>

/* SQLite's PENDING_BYTE: the first byte of the lock page (1 GiB). */
#define LOCK_BYTE 0x40000000u

static sqlite3_pcache_methods2 inner; /* what we wrap */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static bool installed;
static atomic_bool remap = true;
static atomic_uint_fast64_t lock_page_moves;
static atomic_uint_fast32_t max_key;

/* One cache, used by one connection at a time (SQLite serialises the
 * calls on a cache), so its fields need no lock. */
struct wcache {
    sqlite3_pcache *in;
    unsigned lock_page; /* the lock page's number at this page size */
    unsigned max;       /* the largest number the inner cache has held, as pcache1 counts */
    unsigned moved_to;  /* while a page holds the lock page's number: its inner number */
    bool moving;
};

static void note_key(struct wcache *c, unsigned key)
{
    if (key > c->max)
        c->max = key;
    uint_fast32_t seen = atomic_load_explicit(&max_key, memory_order_relaxed);
    while (key > seen && !atomic_compare_exchange_weak_explicit(
                             &max_key, &seen, key, memory_order_relaxed, memory_order_relaxed))
        ;
}

/* The inner number of `key`. */
static unsigned inner_key(const struct wcache *c, unsigned key)
{
    return c->moving && key == c->lock_page ? c->moved_to : key;
}

static int w_init(void *arg)
{
    (void)arg;
    return inner.xInit ? inner.xInit(inner.pArg) : SQLITE_OK;
}

static void w_shutdown(void *arg)
{
    (void)arg;
    if (inner.xShutdown)
        inner.xShutdown(inner.pArg);
}

static sqlite3_pcache *w_create(int page_size, int extra, int purgeable)
{
    struct wcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->in = inner.xCreate(page_size, extra, purgeable);
    if (!c->in) {
        free(c);
        return NULL;
    }
    c->lock_page = page_size > 0 ? LOCK_BYTE / (unsigned)page_size + 1 : 0;
    return (sqlite3_pcache *)c;
}

static void w_cachesize(sqlite3_pcache *p, int n)
{
    inner.xCachesize(((struct wcache *)p)->in, n);
}

static int w_pagecount(sqlite3_pcache *p)
{
    return inner.xPagecount(((struct wcache *)p)->in);
}

static sqlite3_pcache_page *w_fetch(sqlite3_pcache *p, unsigned key, int create)
{
    struct wcache *c = (struct wcache *)p;
    unsigned k = inner_key(c, key);
    sqlite3_pcache_page *pg = inner.xFetch(c->in, k, create);
    if (pg) /* pcache1 counts the largest number of the pages it created */
        note_key(c, k);
    return pg;
}

static void w_unpin(sqlite3_pcache *p, sqlite3_pcache_page *pg, int discard)
{
    inner.xUnpin(((struct wcache *)p)->in, pg, discard);
}

static void w_rekey(sqlite3_pcache *p, sqlite3_pcache_page *pg, unsigned from, unsigned to)
{
    struct wcache *c = (struct wcache *)p;
    unsigned ifrom = inner_key(c, from);
    unsigned ito = to;
    if (to == c->lock_page && from != to && !c->moving &&
        atomic_load_explicit(&remap, memory_order_relaxed)) {
        /* The first move of a swap: past the largest number held, where
         * no page is. */
        c->moving = true;
        c->moved_to = ito = c->max + 1;
        atomic_fetch_add_explicit(&lock_page_moves, 1, memory_order_relaxed);
    } else if (from == c->lock_page && c->moving) {
        c->moving = false; /* the last move of the swap */
    }
    inner.xRekey(c->in, pg, ifrom, ito);
    note_key(c, ito);
}

static void w_truncate(sqlite3_pcache *p, unsigned limit)
{
    struct wcache *c = (struct wcache *)p;
    inner.xTruncate(c->in, limit);
    if (limit <= c->max) /* pcache1 lowers its largest number the same way */
        c->max = limit ? limit - 1 : 0;
}

static void w_destroy(sqlite3_pcache *p)
{
    struct wcache *c = (struct wcache *)p;
    inner.xDestroy(c->in);
    free(c);
}

static void w_shrink(sqlite3_pcache *p)
{
    inner.xShrink(((struct wcache *)p)->in);
}

static const sqlite3_pcache_methods2 wrapper = {
    .iVersion = 1,
    .pArg = NULL,
    .xInit = w_init,
    .xShutdown = w_shutdown,
    .xCreate = w_create,
    .xCachesize = w_cachesize,
    .xPagecount = w_pagecount,
    .xFetch = w_fetch,
    .xUnpin = w_unpin,
    .xRekey = w_rekey,
    .xTruncate = w_truncate,
    .xDestroy = w_destroy,
    .xShrink = w_shrink,
};

int sqlite_pcache_install(void)
{
    pthread_mutex_lock(&mu);
    int rc = 0;
    if (!installed) {
        sqlite3_pcache_methods2 cur;
        if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &cur) != SQLITE_OK) {
            rc = -1; /* SQLite has initialised */
        } else {
            sqlite3_pcache_methods2 saved = inner;
            inner = cur;
            if (sqlite3_config(SQLITE_CONFIG_PCACHE2, &wrapper) == SQLITE_OK)
                installed = true;
            else {
                inner = saved;
                rc = -1;
            }
        }
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

int sqlite_pcache_uninstall(void)
{
    pthread_mutex_lock(&mu);
    int rc = 0;
    if (installed) {
        if (sqlite3_config(SQLITE_CONFIG_PCACHE2, &inner) == SQLITE_OK)
            installed = false;
        else
            rc = -1;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

void sqlite_pcache_stats(struct sqlite_pcache_stats *out)
{
    pthread_mutex_lock(&mu);
    out->installed = installed;
    pthread_mutex_unlock(&mu);
    out->lock_page_moves = atomic_load(&lock_page_moves);
    out->max_key = (uint32_t)atomic_load(&max_key);
}

void sqlite_pcache_set_remap(bool on)
{
    atomic_store(&remap, on);
}
