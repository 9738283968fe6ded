/* What a store backend implements (internal to src/store/).
 *
 * The store's operations (store.c, store_events.c, store_settings.c,
 * store_rows.c, store_wallets.c) are written once, in portable SQL, over
 * the small statement interface below; a backend (store_sqlite.c,
 * store_pg.c) is a const `struct store_ops` table plus an instance that
 * embeds `struct store` as its first member (the SQLite `sqlite3_vfs`
 * shape). Backends differ only where they must: connections, u64 and blob
 * encoding, the bulk append path (PostgreSQL COPY), backup and checks.
 *
 * SQL text uses PostgreSQL's `$1` placeholders; the SQLite backend rewrites
 * them to `?1`. Statements are cached per connection by their text, so the
 * same text prepared twice on one connection is prepared once. */
#ifndef WT_STORE_STORE_IMPL_H
#define WT_STORE_STORE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "store/store.h"

/* Opaque handles; each backend casts them to its own structs. */
struct store_conn;
struct store_stmt;

struct migration {
    int version;
    const char *name;
    const char *sql; /* several statements; no parameters */
};

struct store_ops {
    const char *name;
    void (*close)(struct store *st);

    /* Checks out a connection: the writer (exclusive until released) or a
     * reader from the pool (blocks while all are busy). */
    int (*acquire)(struct store *st, bool write, struct store_conn **out);
    void (*release)(struct store *st, struct store_conn *c);

    /* Runs SQL without parameters (may be several statements). */
    int (*exec)(struct store_conn *c, const char *sql);
    int (*begin)(struct store_conn *c);
    int (*commit)(struct store_conn *c);
    void (*rollback)(struct store_conn *c);
    /* The connection's last error message. */
    const char *(*errmsg)(struct store_conn *c);

    /* Prepares (or finds in the cache) a statement; it is reset and its
     * parameters cleared. Parameters are numbered from 1, columns from 0. */
    int (*prepare)(struct store_conn *c, const char *sql, struct store_stmt **out);
    void (*bind_null)(struct store_stmt *s, int i);
    void (*bind_i64)(struct store_stmt *s, int i, int64_t v);
    void (*bind_u64)(struct store_stmt *s, int i, uint64_t v);
    void (*bind_f64)(struct store_stmt *s, int i, double v);
    void (*bind_text)(struct store_stmt *s, int i, const char *v); /* copied or kept until
                                                                        the next step */
    void (*bind_blob)(struct store_stmt *s, int i, const void *p, size_t n);
    /* Returns 1 when a row is available, 0 when done, WT_ESTORE on error. */
    int (*step)(struct store_stmt *s);
    /* Rows changed by the last completed step of an INSERT/UPDATE. */
    int64_t (*changes)(struct store_stmt *s);
    /* Makes the statement ready to be bound and stepped again (parameters
     * cleared), keeping it checked out. */
    void (*reset)(struct store_stmt *s);
    /* Ends the use of the statement (it goes back to the cache, where a
     * statement in use is never evicted). */
    void (*finish)(struct store_stmt *s);
    bool (*col_null)(struct store_stmt *s, int i);
    int64_t (*col_i64)(struct store_stmt *s, int i);
    uint64_t (*col_u64)(struct store_stmt *s, int i);
    double (*col_f64)(struct store_stmt *s, int i);
    bool (*col_bool)(struct store_stmt *s, int i);
    /* Text of a column ("" for NULL), valid until the next step/finish. */
    const char *(*col_text)(struct store_stmt *s, int i);
    /* Copies a blob column of exactly n bytes into p; WT_EPARSE otherwise. */
    int (*col_blob)(struct store_stmt *s, int i, void *p, size_t n);

    /* Optional bulk path for event appends inside an open transaction on
     * the writer; NULL means store.c's prepared-statement path. */
    int (*append_events)(struct store *st, struct store_conn *c, struct store_batch *b, size_t nb);

    /* Migrations of this backend, in version order, ended by an entry
     * with version 0. */
    const struct migration *migrations;

    int (*verify)(struct store *st, char *msg, size_t msgsize);
    int (*backup)(struct store *st, const char *path, char *msg, size_t msgsize);
    /* Optional: a problem only the backend can see (the SQLite file was
     * deleted or replaced, checkpoints fail). Writes a one-line reason and
     * returns true when there is one. Any thread; cheap. */
    bool (*problem)(struct store *st, char *msg, size_t msgsize);
    /* Optional: the work finished statements did, in the backend's own
     * unit (store_query_work). Any thread; cheap. */
    uint64_t (*work)(struct store *st);
    /* Optional: the writer connection's page cache (store_writer_cache).
     * Any thread; cheap. */
    void (*writer_cache)(struct store *st, int64_t *used, int64_t *limit);
};

struct store {
    const struct store_ops *ops;
    struct store_opts opts;
    int (*fault_fn)(void *ctx, enum store_fault_point p, uint64_t nrow);
    void *fault_ctx;
    atomic_uint_fast64_t fault_rows;
    void (*read_fn)(void *ctx); /* store_set_read_hook */
    void *read_ctx;
    /* store_health's record (store.c), under health_mu. */
    pthread_mutex_t health_mu;
    struct store_health health;
    uint64_t health_seq, commit_seq, failure_seq; /* order of the last notes */
};

/* Health notes (store.c; any thread). A committed write; a failure
 * (unreachable: the database cannot be reached at all), with its message
 * in one line and free of secrets; the database reached again. */
void store_note_commit(struct store *st);
void store_note_failure(struct store *st, bool unreachable, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void store_note_reachable(struct store *st);

/* Backends. Each returns 0 and a store with its ops set, or an error with
 * a message in err. */
int store_sqlite_open(const char *path, const struct store_opts *opts, struct store **out,
                      char *err, size_t errsize);
int store_pg_open(const char *url, const struct store_opts *opts, struct store **out, char *err,
                  size_t errsize);

/* store_url_validate's parts that need libpq (store_pg.c): whether a
 * postgres URL parses, and whether it holds a password (message in err,
 * never quoting the URL); whether s starts like a libpq keyword/value
 * connection string ("host=", "dbname =", any libpq keyword). */
int store_pg_url_validate(const char *url, bool *has_password, char *err, size_t errsize);
bool store_pg_keyword_string(const char *s);

extern const struct migration store_sqlite_migrations[];
extern const struct migration store_pg_migrations[];

/* Calls the fault hook for one row written; returns WT_ESTORE when it
 * fires. Backends call it from their bulk paths. */
int store_fault_row(struct store *st);

/* Reads the u64 schema version recorded in a connection's database: 0 for
 * an empty database. */
int store_read_version(struct store *st, struct store_conn *c, int *out);

/* Shared by store.c and store_rows.c. A write is wr_begin(), statements
 * stepped with wr_step() (which runs the fault hook), then wr_end(rc), which
 * commits when rc is 0 and rolls back otherwise, releases the writer and
 * returns the final code. */
int wr_begin(struct store *st, struct store_conn **c);
int wr_end(struct store *st, struct store_conn *c, int rc);
int wr_step(struct store *st, struct store_stmt *s);
/* wr_step() of a statement that must change a row, then finishes it: 0,
 * WT_ENOTFOUND when it changed none, WT_ESTORE when the step failed. */
int wr_step_changed(struct store *st, struct store_stmt *s);
/* Logs the connection's error with `what` and returns WT_ESTORE. */
int stmt_err(struct store *st, struct store_conn *c, const char *what);
/* Prepares sql on c: 0, or (logged with `what` by stmt_err) WT_ESTORE.
 * Whatever the caller opened on c (a read, a write) it still closes. */
int stmt_prepare(struct store *st, struct store_conn *c, const char *sql, const char *what,
                 struct store_stmt **s);
/* A write of one statement (or one first statement): wr_begin(), then
 * stmt_prepare() of sql. On failure the write is already ended (rolled
 * back) and its error returned: nothing to finish or end. On success the
 * caller binds and steps *s, finishes it and calls wr_end(). rd_begin()
 * below is the same for a read. */
int wr_begin_stmt(struct store *st, const char *sql, const char *what, struct store_conn **c,
                  struct store_stmt **s);
/* A read is rd_begin(), which takes a reader connection and prepares sql
 * on it (on failure it logs the error with `what`, releases the
 * connection and returns the error: nothing to release), then binds and
 * steps on *s, then rd_end(rc), which finishes the statement, releases
 * the connection and returns rc. */
int rd_begin(struct store *st, const char *sql, const char *what, struct store_conn **c,
             struct store_stmt **s);
int rd_end(struct store *st, struct store_conn *c, struct store_stmt *s, int rc);
/* rd_begin() of a read by one text key ($1) and, unless limit is
 * RD_NO_LIMIT, a row limit ($2), both bound. */
#define RD_NO_LIMIT (-1)
int rd_begin_key(struct store *st, const char *sql, const char *what, const char *key,
                 int64_t limit, struct store_conn **c, struct store_stmt **s);
/* Appends to out the text of the first column of the row sql reads by key
 * ($1): 0, WT_ENOTFOUND when there is none, or the error. */
int rd_text(struct store *st, const char *sql, const char *what, const char *key, struct buf *out);
/* The prepared-statement event append, inside an open write transaction. */
int store_append_rows(struct store *st, struct store_conn *c, struct store_batch *b, size_t nb);

/* One bound parameter of store_rows_select: text when text is not NULL,
 * else the integer. */
struct store_arg {
    const char *text;
    int64_t i;
};

/* Reads rows of table tt with "SELECT id, <columns> FROM <table> " + tail
 * (a WHERE / ORDER BY / LIMIT clause using $1..$nargs) into rows[0..cap).
 * For the query functions of store_trading.c. */
int store_rows_select(struct store *st, enum store_table tt, const char *tail,
                      const struct store_arg *args, size_t nargs, void *rows, size_t cap,
                      size_t *n);

#endif
