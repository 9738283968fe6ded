/* Private to the PostgreSQL backend (store_pg.c, store_pg_conn.c): its
 * connection, statement and store structs, their limits, and the
 * functions one file calls in the other. Not for other modules or the
 * SQLite backend; they see the store through store_impl.h.
 *
 * Threads: a struct pg_conn is used by one thread at a time (the one that
 * acquired it); the reader pool (store/connpool.h) and the writer mutex
 * guard the connections of struct pg_store. */
#ifndef WT_STORE_STORE_PG_IMPL_H
#define WT_STORE_STORE_PG_IMPL_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/connpool.h"
#include "store/store_impl.h"

#define MAX_PARAMS    48
#define COPY_MIN_ROWS 64

/* Reconnection backoff: after the n-th failed attempt in a row the next
 * waits BACKOFF_BASE_MS * 2^(n-1), capped at BACKOFF_CAP_MS, of which a
 * random half is jitter (so a pool of connections does not hammer a server
 * that is starting). */
#define BACKOFF_BASE_MS 100
#define BACKOFF_CAP_MS  5000

/* How long a connection attempt may take (libpq connect_timeout, seconds)
 * unless the URL says otherwise. */
#define CONNECT_TIMEOUT_S "10"

struct pg_stmt {
    struct cached_stmt key; /* first: the cache's view (store/connpool.h) */
    char name[24];
    struct pg_conn *conn;
    int nparams;
    const char *vals[MAX_PARAMS];
    int lens[MAX_PARAMS];
    int fmts[MAX_PARAMS];
    char num[MAX_PARAMS][32]; /* text of numeric parameters */
    PGresult *res;
    int nrows, cur;
    int64_t changes;
};

/* A connection and its prepared statements; one thread at a time. */
struct pg_conn {
    PGconn *pg;
    bool writer;
    unsigned next_name;
    struct stmt_cache cache;
    char err[512];
};

struct pg_store {
    struct store base;
    char *url;
    char *password;      /* the URL's password, decoded, for redaction (NULL: none) */
    pthread_mutex_t bmu; /* the reconnection backoff: */
    unsigned fails;      /* failed attempts in a row */
    int64_t retry_at_ns; /* no attempt before this (clock_mono_ns) */
    uint64_t rng;
    pthread_mutex_t wmu;
    struct pg_conn writer;
    struct conn_pool pool; /* which readers are checked out */
    struct pg_conn *readers;
    unsigned nreaders;
};

static inline struct pg_conn *CONN(struct store_conn *c)
{
    return (struct pg_conn *)c;
}

static inline struct pg_stmt *STMT(struct store_stmt *s)
{
    return (struct pg_stmt *)s;
}

/* ---- store_pg_conn.c: connections, the pool, the URL, the backup */

/* Keeps msg (trailing newlines and spaces cut) as c's last error. */
void store_pg_set_conn_err(struct pg_conn *c, const char *msg);
/* Frees a cached statement and its result. */
void store_pg_stmt_free(struct pg_stmt *s);
/* Opens connection c (the writer or a reader) from s->url. Returns 0 or
 * a negative WT_E... code with err saying why (password redacted). */
int store_pg_conn_open(struct pg_store *s, struct pg_conn *c, bool writer, char *err,
                       size_t errsize);
/* A connection of its own (neither the writer nor a reader of the pool),
 * e.g. the cluster's lock session (store/leader.h): the URL with the
 * keyword/value pairs keys/vals (NULL-terminated, at most 13) before it,
 * so the URL's own options win. Returns it, or NULL with err (password
 * redacted). */
PGconn *store_pg_connect_own(struct store *st, const char *const *keys, const char *const *vals,
                             char *err, size_t errsize);
/* pg's last error, one line, the password redacted. */
void store_pg_errmsg(struct store *st, PGconn *pg, char *out, size_t outsize);
/* The ops close: every connection, the pool and the secrets. */
void store_pg_close(struct store *st);
/* The ops acquire: the writer (exclusive) or a free reader, reconnected
 * when the server went away, within the backoff. */
int store_pg_acquire(struct store *st, bool write, struct store_conn **out);
/* The ops release: gives the connection back. */
void store_pg_release(struct store *st, struct store_conn *conn);
/* Parses a URL with libpq. On failure err gets our own message: libpq's
 * quotes the offending part of the URL, which may be the password. */
PQconninfoOption *store_pg_parse_url(const char *url, char *err, size_t errsize);
/* A set option's value, NULL when unset or empty. */
const char *store_pg_opt_val(const PQconninfoOption *opt, const char *key);
/* Frees parsed options, wiping the password first. */
void store_pg_conninfo_free(PQconninfoOption *opt);
/* pg_dump gets the connection without the password on its command line
 * (which any local user can read in /proc while it runs): a keyword/value
 * string of the URL's other parts, and the password, when there is one, in
 * a 0600 password file named by PGPASSFILE in its environment, removed as
 * soon as it exits. */
int store_pg_backup(struct store *st, const char *path, char *msg, size_t msgsize);

#endif
