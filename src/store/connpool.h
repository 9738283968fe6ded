/* What both backends' connections share: the pool of reader connections
 * and the cache of prepared statements each connection keeps.
 *
 * Why this exists: SQLite and PostgreSQL check readers out of a fixed pool
 * and look statements up by their SQL text the same way; the two copies
 * had drifted only in names. The backends keep what differs (opening a
 * connection, preparing, stepping, finalizing); the bookkeeping is here.
 * Private to store/. */
#ifndef WT_STORE_CONNPOOL_H
#define WT_STORE_CONNPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the pool: which of n reader connections are checked out ---------- */

/* Invariant: busy[i] exactly while slot i is checked out. Any thread. */
struct conn_pool {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    unsigned n;
    bool *busy;
};

void conn_pool_init(struct conn_pool *p, unsigned n);
void conn_pool_destroy(struct conn_pool *p);
/* Checks out a free slot, waiting until one is given back; returns its
 * index (< n). */
unsigned conn_pool_take(struct conn_pool *p);
/* Gives slot i back and wakes one waiter. */
void conn_pool_give(struct conn_pool *p, unsigned i);

/* ---- the statement cache of one connection ---------------------------- */

/* Enough for every statement text the store issues on one connection
 * (about a hundred), so the steady state prepares nothing. */
#define STMT_CACHE_MAX 128

/* The first member of each backend's statement: what the cache keys on. */
struct cached_stmt {
    uint64_t hash; /* FNV-1a of sql */
    char *sql;     /* the store's text ($N placeholders), owned */
    bool in_use;   /* handed out by prepare, until finish */
};

/* Invariant: n <= STMT_CACHE_MAX; entries [0, n) are distinct statements.
 * Used by the one thread holding the connection. */
struct stmt_cache {
    struct cached_stmt *e[STMT_CACHE_MAX];
    size_t n;
    size_t evict; /* the next slot to evict when full (round robin) */
};

/* The idle cached statement for sql, now marked in use; NULL when there is
 * none (prepare one and stmt_cache_add it). */
struct cached_stmt *stmt_cache_take(struct stmt_cache *c, const char *sql);
/* Adds s, just prepared for sql, as in use (its key is set here). When the
 * cache is full, returns the idle statement evicted for it, which the
 * caller finalizes and frees; otherwise NULL. Callers hold at most a few
 * statements at once, far fewer than STMT_CACHE_MAX. */
struct cached_stmt *stmt_cache_add(struct stmt_cache *c, struct cached_stmt *s, const char *sql);
/* Empties the cache, handing each statement to free_stmt. */
void stmt_cache_clear(struct stmt_cache *c, void (*free_stmt)(struct cached_stmt *s));

#endif
