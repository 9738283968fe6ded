/* The SQLite backend of the store (the default).
 *
 * One file, WAL journal. By default synchronous=FULL: the WAL is fsync'd at
 * every commit, so a commit that returned is on disk and survives a power
 * cut; the group commit (gcommit.c) amortises that fsync over every
 * delivery that shares the transaction. store_opts.sync_relaxed selects
 * synchronous=NORMAL, which survives only a crash of the process
 * (docs/operations.md, "Durability"). One writer connection, serialised by
 * a mutex, and a small pool of reader connections checked out under
 * another mutex, so API reads proceed while ingest writes. Each connection
 * keeps a cache of prepared statements keyed by SQL text; the pool and the
 * cache are store/connpool.h, shared with PostgreSQL.
 *
 * Checkpoints (copying WAL pages back into the database file, with its
 * fsync) never run on the writer: it sets wal_autocheckpoint=0, and a
 * checkpointer thread with its own connection runs a PASSIVE checkpoint
 * every CHECKPOINT_MS, which never blocks the writer. That connection reads
 * the database once when it opens: a connection that has never read has no
 * WAL open, and SQLite then answers a checkpoint with SQLITE_OK and
 * log = -1 while doing nothing, which the checkpointer treats as an error.
 * The WAL is bounded two ways: after a commit that leaves the WAL file
 * larger than store_opts.wal_max_bytes, the writer itself runs a TRUNCATE
 * checkpoint before it takes the next transaction (back pressure where the
 * WAL grows: it can outgrow the bound by one transaction at most); and when
 * the WAL has been fully copied and no write came for IDLE_TRUNCATE_MS the
 * checkpointer truncates it, so an idle daemon leaves a complete
 * walltrack.db and an empty WAL.
 * journal_size_limit also caps the file each time SQLite restarts the WAL
 * from its beginning.
 *
 * The database file is watched: its device and inode are taken at open,
 * and before every write transaction (and at every checkpointer tick) the
 * path must still name that file and the file must still have a link. A
 * deleted or replaced file makes every write fail (WT_ESTORE: the webhook
 * answers 503) and store_health report it, instead of acknowledging writes
 * into a file nobody will ever open again.
 *
 * u64 values are stored as the signed 64-bit reinterpretation of their bits
 * (SQLite integers are signed) and turned back on read; comparisons and
 * sums in SQL over such columns are therefore only meaningful below 2^63,
 * which the store never relies on. */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/waiter.h"
#include "store/connpool.h"
#include "store/sqlite_pcache.h"

#define CHECKPOINT_MS    250
#define BUSY_PAUSE_MS    5
#define IDLE_TRUNCATE_MS 2000
#define PASSIVE_BUSY_MS  100

struct sq_stmt {
    struct cached_stmt key; /* first: the cache's view (store/connpool.h) */
    sqlite3_stmt *st;
    struct sq_conn *conn;
};

/* A connection and its statement cache. Used by one thread at a time (the
 * writer mutex or a pool checkout). */
struct sq_conn {
    struct sq_store *owner;
    sqlite3 *db;
    bool writer;
    struct stmt_cache cache;
};

struct sq_store {
    struct store base;
    char *path;
    pthread_mutex_t wmu;
    struct sq_conn writer;
    struct conn_pool pool; /* which readers are checked out */
    struct sq_conn *readers;
    unsigned nreaders;
    /* The checkpointer: its own connection and thread, sleeping on ck. */
    sqlite3 *ckdb;
    pthread_t ckthread;
    bool ckrunning;
    struct waiter ck;
    char *wal_path; /* path + "-wal" */
    /* The database file's identity, taken at open (watched: have_id). */
    bool have_id;
    int idfd; /* an open descriptor on the file, to see its link count; -1 */
    dev_t dev;
    ino_t ino;
    /* A problem that stops the store keeping its promises: set once (lost
     * file) or while checkpoints fail; guarded by pmu. */
    pthread_mutex_t pmu;
    bool lost;         /* sticky: the file was deleted or replaced */
    bool ckpt_failing; /* the newest checkpoint attempt failed */
    char problem[640];
    /* Virtual-machine steps of finished statements (store_query_work). */
    _Atomic uint64_t vm_steps;
    /* The writer's page cache in bytes as of its last commit (store_writer_cache). */
    _Atomic int64_t writer_cache;
};

static struct sq_conn *CONN(struct store_conn *c)
{
    return (struct sq_conn *)c;
}

static struct sq_stmt *STMT(struct store_stmt *s)
{
    return (struct sq_stmt *)s;
}

static void stmt_free(struct cached_stmt *k)
{
    struct sq_stmt *e = (struct sq_stmt *)k;
    sqlite3_finalize(e->st);
    free(e->key.sql);
    free(e);
}

static void conn_close(struct sq_conn *c)
{
    stmt_cache_clear(&c->cache, stmt_free);
    if (c->db != NULL)
        sqlite3_close(c->db);
    c->db = NULL;
}

/* The writer's page cache, in KiB: smaller than it could be, on purpose.
 * SQLite's balance_nonroot() renumbers split pages through a temporary
 * page number, the lock page at 1 GiB (262145 with 4 KiB pages), so after
 * any split the cache's largest key is far past the end of the file, and
 * the commit's truncation of the cache (pcache1TruncateUnsafe) then walks
 * every bucket of its hash table: a walk over all cached pages at nearly
 * every commit of the webhook. At 64 MiB that walk was 4 % of the
 * webhook's CPU (bench_commit_cache shows the effect on its own). A small
 * cache makes large transactions on random keys miss more (import,
 * backfill): measured in the same runs, the webhook gained 5 % at 4 MB and
 * 4 % at 16 MB, while appends in batches of 1000 on random wallets and
 * mints (bench_store --append) lost 13 % at 4 MB and 4 % at 16 MB. 16 MB
 * keeps most of both (docs/performance.md). */
#define SQ_WRITER_CACHE_KIB 16000
#define SQ_READER_CACHE_KIB 16000

static int conn_open(struct sq_store *s, struct sq_conn *c, bool writer, char *err, size_t errsize)
{
    memset(c, 0, sizeof *c);
    c->owner = s;
    c->writer = writer;
    bool create = writer && !s->base.opts.no_create;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(s->path, &c->db, flags, s->base.opts.vfs) != SQLITE_OK) {
        if (err != NULL)
            snprintf(err, errsize, "cannot open %s: %s", s->path,
                     c->db ? sqlite3_errmsg(c->db) : "out of memory");
        conn_close(c);
        return WT_ESTORE;
    }
    sqlite3_busy_timeout(c->db, (int)s->base.opts.busy_timeout_ms);
    sqlite3_extended_result_codes(c->db, 1);
    /* journal_size_limit: when SQLite restarts the WAL from its start, it
     * truncates the file to this size, half the bound. */
    char wpragmas[320], rpragmas[160];
    snprintf(wpragmas, sizeof wpragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; "
             "PRAGMA foreign_keys=ON; PRAGMA cache_size=-%d; "
             "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=%llu; "
             "PRAGMA mmap_size=268435456;",
             s->base.opts.sync_relaxed ? "NORMAL" : "FULL", SQ_WRITER_CACHE_KIB,
             (unsigned long long)(s->base.opts.wal_max_bytes / 2));
    snprintf(rpragmas, sizeof rpragmas,
             "PRAGMA query_only=1; PRAGMA cache_size=-%d; PRAGMA mmap_size=268435456;",
             SQ_READER_CACHE_KIB);
    const char *pragmas = writer ? wpragmas : rpragmas;
    char *msg = NULL;
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        if (err != NULL)
            snprintf(err, errsize, "cannot set up %s: %s", s->path, msg ? msg : "?");
        sqlite3_free(msg);
        conn_close(c);
        return WT_ESTORE;
    }
    return 0;
}

/* Sets or clears the checkpoint problem (logged once per change). */
static void set_ckpt_problem(struct sq_store *s, const char *msg)
{
    pthread_mutex_lock(&s->pmu);
    bool was = s->ckpt_failing;
    s->ckpt_failing = msg != NULL;
    if (msg != NULL && !s->lost)
        str_copy(s->problem, sizeof s->problem, msg);
    pthread_mutex_unlock(&s->pmu);
    if (msg != NULL && !was)
        log_error("store", "%s", msg);
    else if (msg == NULL && was)
        log_info("store", "checkpoints of %s work again", s->path);
}

/* Checks that the path still names the file opened at start and that the
 * file still has a link. On the first failure the store is marked lost for
 * good (logged once). Returns true while the file is the one we write. */
static bool file_still_ours(struct sq_store *s)
{
    if (!s->have_id)
        return true;
    pthread_mutex_lock(&s->pmu);
    bool lost = s->lost;
    pthread_mutex_unlock(&s->pmu);
    if (lost)
        return false;
    char why[160] = "";
    struct stat now, mine;
    if (fstat(s->idfd, &mine) == 0 && mine.st_nlink == 0)
        snprintf(why, sizeof why, "was deleted");
    else if (stat(s->path, &now) != 0)
        snprintf(why, sizeof why, "is gone (%s)", strerror(errno));
    else if (now.st_dev != s->dev || now.st_ino != s->ino)
        snprintf(why, sizeof why, "was replaced by another file");
    if (why[0] == '\0')
        return true;
    pthread_mutex_lock(&s->pmu);
    bool first = !s->lost;
    s->lost = true;
    snprintf(s->problem, sizeof s->problem,
             "the database file %.300s %s while in use: writes are refused; restart walltrack (it "
             "will not create an empty database in its place)",
             s->path, why);
    pthread_mutex_unlock(&s->pmu);
    if (first)
        log_error("store",
                  "the database file %s %s while in use; every write is refused from "
                  "now on",
                  s->path, why);
    return false;
}

static int64_t wal_size(const struct sq_store *s)
{
    struct stat sb;
    return stat(s->wal_path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* One checkpoint of the given mode. Returns 0, or WT_EBUSY when readers or
 * the writer kept it from finishing (a normal outcome), or WT_ESTORE with
 * the problem recorded. log = -1 (no WAL open on this connection) is an
 * error: the checkpoint did nothing. */
static int checkpoint(struct sq_store *s, int mode, int *log_frames, int *done)
{
    *log_frames = *done = -1;
    int rc = sqlite3_wal_checkpoint_v2(s->ckdb, NULL, mode, log_frames, done);
    char msg[200];
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return WT_EBUSY;
    if (rc != SQLITE_OK) {
        snprintf(msg, sizeof msg, "checkpoint of %s failed: %s", s->path, sqlite3_errmsg(s->ckdb));
        set_ckpt_problem(s, msg);
        return WT_ESTORE;
    }
    if (*log_frames < 0) {
        snprintf(msg, sizeof msg, "checkpoint of %s did nothing: its connection has no WAL open",
                 s->path);
        set_ckpt_problem(s, msg);
        return WT_ESTORE;
    }
    set_ckpt_problem(s, NULL);
    return 0;
}

/* The checkpointer's loop: a PASSIVE checkpoint every CHECKPOINT_MS, or
 * every BUSY_PAUSE_MS while the WAL grows; a
 * TRUNCATE checkpoint when the WAL is over its bound, or when it is fully
 * copied and nothing was written for IDLE_TRUNCATE_MS. */
static void *checkpointer(void *arg)
{
    struct sq_store *s = arg;
    int last_frames = -1;
    int64_t quiet_since = clock_mono_ns();
    bool empty = false; /* the WAL was truncated and nothing came since */
    long pause_ms = CHECKPOINT_MS;
    while (!waiter_wait_ms(&s->ck, pause_ms)) {
        if (file_still_ours(s)) {
            int frames, done;
            int64_t size = wal_size(s);
            int rc = checkpoint(s, SQLITE_CHECKPOINT_PASSIVE, &frames, &done);
            int64_t now = clock_mono_ns();
            /* While the WAL grows, checkpoint again almost at once: under
             * load 250 ms of writes can be more than the bound, and a
             * checkpoint that keeps up lets SQLite restart the WAL from its
             * start instead of the writer having to truncate it. */
            pause_ms = CHECKPOINT_MS;
            if (rc == 0 && frames != last_frames) {
                quiet_since = now;
                empty = false;
                pause_ms = BUSY_PAUSE_MS;
            }
            last_frames = rc == 0 ? frames : last_frames;
            bool idle = rc == 0 && done == frames && !empty && size > 0 &&
                        now - quiet_since >= (int64_t)IDLE_TRUNCATE_MS * 1000000;
            if (idle && checkpoint(s, SQLITE_CHECKPOINT_TRUNCATE, &frames, &done) == 0) {
                empty = true;
                last_frames = 0;
            }
        }
    }
    return NULL;
}

static int checkpointer_start(struct sq_store *s, char *err, size_t errsize)
{
    if (sqlite3_open_v2(s->path, &s->ckdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        s->base.opts.vfs) != SQLITE_OK) {
        snprintf(err, errsize, "cannot open the checkpointer's connection to %s", s->path);
        return WT_ESTORE;
    }
    sqlite3_busy_timeout(s->ckdb, PASSIVE_BUSY_MS);
    /* A read opens the WAL on this connection; without it every checkpoint
     * would return log = -1 and do nothing. The first checkpoint proves
     * it. */
    int frames, done;
    if (sqlite3_exec(s->ckdb, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
            SQLITE_OK ||
        checkpoint(s, SQLITE_CHECKPOINT_PASSIVE, &frames, &done) == WT_ESTORE) {
        snprintf(err, errsize, "the checkpointer cannot checkpoint %s: %s", s->path,
                 sqlite3_errmsg(s->ckdb));
        return WT_ESTORE;
    }
    if (pthread_create(&s->ckthread, NULL, checkpointer, s) != 0) {
        snprintf(err, errsize, "cannot start the checkpointer of %s", s->path);
        return WT_EIO;
    }
    s->ckrunning = true;
    return 0;
}

static void checkpointer_stop(struct sq_store *s)
{
    if (s->ckrunning) {
        waiter_stop(&s->ck);
        pthread_join(s->ckthread, NULL);
        s->ckrunning = false;
    }
    if (s->ckdb)
        sqlite3_close(s->ckdb);
    s->ckdb = NULL;
}

static void sq_close(struct store *st)
{
    struct sq_store *s = (struct sq_store *)st;
    checkpointer_stop(s);
    conn_close(&s->writer);
    for (unsigned i = 0; i < s->nreaders; i++)
        conn_close(&s->readers[i]);
    free(s->readers);
    pthread_mutex_destroy(&s->wmu);
    conn_pool_destroy(&s->pool);
    waiter_release(&s->ck);
    pthread_mutex_destroy(&s->pmu);
    if (s->idfd >= 0)
        close(s->idfd);
    free(s->wal_path);
    free(s->path);
    free(s);
}

static int sq_acquire(struct store *st, bool write, struct store_conn **out)
{
    struct sq_store *s = (struct sq_store *)st;
    if (write) {
        pthread_mutex_lock(&s->wmu);
        *out = (struct store_conn *)&s->writer;
        return 0;
    }
    unsigned i = conn_pool_take(&s->pool);
    struct sq_conn *c = &s->readers[i];
    if (c->db == NULL && conn_open(s, c, false, NULL, 0) != 0) {
        log_error("store", "cannot open a reader connection on %s", s->path);
        conn_pool_give(&s->pool, i);
        return WT_ESTORE;
    }
    *out = (struct store_conn *)c;
    return 0;
}

static void sq_release(struct store *st, struct store_conn *conn)
{
    struct sq_store *s = (struct sq_store *)st;
    struct sq_conn *c = CONN(conn);
    if (c->writer) {
        pthread_mutex_unlock(&s->wmu);
        return;
    }
    conn_pool_give(&s->pool, (unsigned)(c - s->readers));
}

static int sq_exec(struct store_conn *c, const char *sql)
{
    return sqlite3_exec(CONN(c)->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : WT_ESTORE;
}

static int sq_begin(struct store_conn *c)
{
    /* Never start a write into a file that is no longer the database. */
    if (CONN(c)->writer && !file_still_ours(CONN(c)->owner))
        return WT_ESTORE;
    return sq_exec(c, CONN(c)->writer ? "BEGIN IMMEDIATE" : "BEGIN");
}

static int sq_commit(struct store_conn *c)
{
    int rc = sq_exec(c, "COMMIT");
    struct sq_conn *w = CONN(c);
    if (rc != 0 || !w->writer)
        return rc;
    struct sq_store *s = w->owner;
    int used = 0, high = 0;
    if (sqlite3_db_status(w->db, SQLITE_DBSTATUS_CACHE_USED, &used, &high, 0) == SQLITE_OK)
        atomic_store(&s->writer_cache, (int64_t)used);
    /* The WAL bound, enforced where the WAL grows: past it the writer,
     * still holding the write lock, truncates the WAL before it takes the
     * next transaction (waiting for readers on older snapshots). The
     * commit itself has succeeded either way. */
    int64_t size = wal_size(s);
    if (size > 0 && (uint64_t)size > s->base.opts.wal_max_bytes) {
        int frames = -1, done = -1, r;
        /* A BUSY that comes at once is the checkpointer's PASSIVE pass
         * holding the checkpoint lock (no busy handler covers that lock):
         * it ends within milliseconds, so try again. A BUSY after the busy
         * timeout means readers held on. */
        for (int tries = 0;; tries++) {
            int64_t t0 = clock_mono_ns();
            r = sqlite3_wal_checkpoint_v2(w->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &frames, &done);
            if (r != SQLITE_BUSY || tries == 100 || clock_mono_ns() - t0 > 50 * 1000000LL)
                break;
            struct timespec ts = {0, 1000000L};
            nanosleep(&ts, NULL);
        }
        if (r != SQLITE_OK)
            log_warn("store",
                     "the WAL of %s is %lld bytes, over its bound of %llu, and could "
                     "not be truncated yet: %s",
                     s->path, (long long)size, (unsigned long long)s->base.opts.wal_max_bytes,
                     sqlite3_errmsg(w->db));
    }
    return 0;
}

static void sq_rollback(struct store_conn *c)
{
    if (!sqlite3_get_autocommit(CONN(c)->db))
        (void)sq_exec(c, "ROLLBACK");
}

static void sq_writer_cache(struct store *st, int64_t *used, int64_t *limit)
{
    *used = atomic_load(&((struct sq_store *)st)->writer_cache);
    *limit = (int64_t)SQ_WRITER_CACHE_KIB * 1024;
}

static uint64_t sq_work(struct store *st)
{
    return atomic_load_explicit(&((struct sq_store *)st)->vm_steps, memory_order_relaxed);
}

static bool sq_problem(struct store *st, char *msg, size_t msgsize)
{
    struct sq_store *s = (struct sq_store *)st;
    (void)file_still_ours(s);
    pthread_mutex_lock(&s->pmu);
    bool any = s->lost || s->ckpt_failing;
    if (any)
        str_copy(msg, msgsize, s->problem);
    pthread_mutex_unlock(&s->pmu);
    return any;
}

static const char *sq_errmsg(struct store_conn *c)
{
    struct sq_store *s = CONN(c)->owner;
    if (CONN(c)->writer) {
        pthread_mutex_lock(&s->pmu);
        bool lost = s->lost;
        pthread_mutex_unlock(&s->pmu);
        if (lost) /* s->problem no longer changes once lost */
            return s->problem;
    }
    return sqlite3_errmsg(CONN(c)->db);
}

static int sq_prepare(struct store_conn *conn, const char *sql, struct store_stmt **out)
{
    struct sq_conn *c = CONN(conn);
    struct sq_stmt *e = (struct sq_stmt *)stmt_cache_take(&c->cache, sql);
    if (e != NULL) {
        sqlite3_reset(e->st);
        sqlite3_clear_bindings(e->st);
        *out = (struct store_stmt *)e;
        return 0;
    }
    /* $N -> ?N: SQLite numbers ?NNN parameters exactly like PostgreSQL's
     * $N; the store's SQL has no '$' inside literals. */
    char *text = xstrdup(sql);
    for (char *p = text; *p; p++)
        if (*p == '$')
            *p = '?';
    sqlite3_stmt *st = NULL;
    int r = sqlite3_prepare_v3(c->db, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    free(text);
    if (r != SQLITE_OK)
        return WT_ESTORE;
    e = xcalloc(1, sizeof *e);
    e->st = st;
    e->conn = c;
    struct cached_stmt *old = stmt_cache_add(&c->cache, &e->key, sql);
    if (old != NULL)
        stmt_free(old);
    *out = (struct store_stmt *)e;
    return 0;
}

static void sq_bind_null(struct store_stmt *s, int i)
{
    sqlite3_bind_null(STMT(s)->st, i);
}

static void sq_bind_i64(struct store_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(STMT(s)->st, i, v);
}

static void sq_bind_u64(struct store_stmt *s, int i, uint64_t v)
{
    int64_t x;
    memcpy(&x, &v, sizeof x);
    sqlite3_bind_int64(STMT(s)->st, i, x);
}

static void sq_bind_f64(struct store_stmt *s, int i, double v)
{
    sqlite3_bind_double(STMT(s)->st, i, v);
}

static void sq_bind_text(struct store_stmt *s, int i, const char *v)
{
    /* SQLITE_STATIC: the store keeps every bound buffer alive until the
     * statement is stepped (store_impl.h contract). */
    sqlite3_bind_text(STMT(s)->st, i, v, -1, SQLITE_STATIC);
}

static void sq_bind_blob(struct store_stmt *s, int i, const void *p, size_t n)
{
    sqlite3_bind_blob(STMT(s)->st, i, p, (int)n, SQLITE_STATIC);
}

static int sq_step(struct store_stmt *s)
{
    int r = sqlite3_step(STMT(s)->st);
    if (r == SQLITE_ROW)
        return 1;
    if (r == SQLITE_DONE)
        return 0;
    return WT_ESTORE;
}

static int64_t sq_changes(struct store_stmt *s)
{
    return sqlite3_changes64(STMT(s)->conn->db);
}

static void sq_reset(struct store_stmt *s)
{
    sqlite3_reset(STMT(s)->st);
    sqlite3_clear_bindings(STMT(s)->st);
}

static void sq_finish(struct store_stmt *s)
{
    struct sq_stmt *q = STMT(s);
    int steps = sqlite3_stmt_status(q->st, SQLITE_STMTSTATUS_VM_STEP, 1);
    atomic_fetch_add_explicit(&q->conn->owner->vm_steps, (uint64_t)steps, memory_order_relaxed);
    sq_reset(s);
    STMT(s)->key.in_use = false;
}

static bool sq_col_null(struct store_stmt *s, int i)
{
    return sqlite3_column_type(STMT(s)->st, i) == SQLITE_NULL;
}

static int64_t sq_col_i64(struct store_stmt *s, int i)
{
    return sqlite3_column_int64(STMT(s)->st, i);
}

static uint64_t sq_col_u64(struct store_stmt *s, int i)
{
    int64_t x = sqlite3_column_int64(STMT(s)->st, i);
    uint64_t v;
    memcpy(&v, &x, sizeof v);
    return v;
}

static double sq_col_f64(struct store_stmt *s, int i)
{
    return sqlite3_column_double(STMT(s)->st, i);
}

static bool sq_col_bool(struct store_stmt *s, int i)
{
    return sqlite3_column_int64(STMT(s)->st, i) != 0;
}

static const char *sq_col_text(struct store_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(STMT(s)->st, i);
    return t ? (const char *)t : "";
}

static int sq_col_blob(struct store_stmt *s, int i, void *p, size_t n)
{
    const void *b = sqlite3_column_blob(STMT(s)->st, i);
    if (b == NULL || (size_t)sqlite3_column_bytes(STMT(s)->st, i) != n)
        return WT_EPARSE;
    memcpy(p, b, n);
    return 0;
}

static int sq_verify(struct store *st, char *msg, size_t msgsize)
{
    struct store_conn *conn;
    int rc = sq_acquire(st, false, &conn);
    if (rc != 0)
        return rc;
    struct sq_conn *c = CONN(conn);
    sqlite3_stmt *q = NULL;
    char first[256] = "";
    int nerr = 0;
    if (sqlite3_prepare_v2(c->db, "PRAGMA integrity_check", -1, &q, NULL) != SQLITE_OK) {
        snprintf(msg, msgsize, "integrity_check failed to run: %s", sqlite3_errmsg(c->db));
        rc = WT_ESTORE;
        goto out;
    }
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        if (t != NULL && strcmp(t, "ok") != 0 && nerr++ == 0)
            str_copy(first, sizeof first, t);
    }
    sqlite3_finalize(q);
    if (r != SQLITE_DONE) {
        snprintf(msg, msgsize, "integrity_check failed: %s", sqlite3_errmsg(c->db));
        rc = WT_ESTORE;
        goto out;
    }
    if (nerr > 0) {
        snprintf(msg, msgsize, "integrity_check found %d problem(s), first: %s", nerr, first);
        rc = WT_ESTORE;
        goto out;
    }
    int v = 0;
    rc = store_read_version(st, conn, &v);
    if (rc != 0) {
        snprintf(msg, msgsize, "integrity ok, but the schema version cannot be read");
        goto out;
    }
    int latest = store_schema_latest(st);
    if (v > latest) {
        snprintf(msg, msgsize, "integrity ok; schema version %d is newer than this build (%d)", v,
                 latest);
        rc = WT_EVERSION;
    } else if (v < latest) {
        snprintf(msg, msgsize, "integrity ok; schema version %d, %d migration(s) pending", v,
                 latest - v);
        rc = WT_ESTATE;
    } else {
        snprintf(msg, msgsize, "integrity ok; schema version %d (current)", v);
    }
out:
    sq_release(st, conn);
    return rc;
}

static int sq_backup(struct store *st, const char *path, char *msg, size_t msgsize)
{
    struct store_conn *conn;
    int rc = sq_acquire(st, false, &conn);
    if (rc != 0)
        return rc;
    struct sq_conn *c = CONN(conn);
    sqlite3 *dst = NULL;
    sqlite3_backup *bk = NULL;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(msg, msgsize, "cannot create %s: %s", path, dst ? sqlite3_errmsg(dst) : "?");
        rc = WT_EIO;
        goto out;
    }
    bk = sqlite3_backup_init(dst, "main", c->db, "main");
    if (bk == NULL) {
        snprintf(msg, msgsize, "backup failed to start: %s", sqlite3_errmsg(dst));
        rc = WT_ESTORE;
        goto out;
    }
    /* Small steps with a pause, so the writer is never starved; a change
     * by another connection restarts the copy, which SQLite handles. */
    int r;
    do {
        r = sqlite3_backup_step(bk, 512);
        if (r == SQLITE_BUSY || r == SQLITE_LOCKED) {
            struct timespec ts = {0, 2 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    } while (r == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED);
    int pages = sqlite3_backup_pagecount(bk);
    sqlite3_backup_finish(bk);
    if (r != SQLITE_DONE) {
        snprintf(msg, msgsize, "backup failed: %s", sqlite3_errstr(r));
        rc = WT_ESTORE;
        goto out;
    }
    snprintf(msg, msgsize, "backed up %d pages to %s", pages, path);
out:
    if (dst != NULL)
        sqlite3_close(dst);
    if (rc != 0)
        unlink(path);
    sq_release(st, conn);
    return rc;
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .acquire = sq_acquire,
    .release = sq_release,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .errmsg = sq_errmsg,
    .prepare = sq_prepare,
    .bind_null = sq_bind_null,
    .bind_i64 = sq_bind_i64,
    .bind_u64 = sq_bind_u64,
    .bind_f64 = sq_bind_f64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .changes = sq_changes,
    .reset = sq_reset,
    .finish = sq_finish,
    .col_null = sq_col_null,
    .col_i64 = sq_col_i64,
    .col_u64 = sq_col_u64,
    .col_f64 = sq_col_f64,
    .col_bool = sq_col_bool,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .append_events = NULL,
    .migrations = store_sqlite_migrations,
    .verify = sq_verify,
    .backup = sq_backup,
    .problem = sq_problem,
    .work = sq_work,
    .writer_cache = sq_writer_cache,
};

/* SQLite counts every allocation under a global mutex for
 * sqlite3_status(), which the store never reads; and its page cache walks
 * its whole hash table at most commits (store/sqlite_pcache.h). Both are
 * set only before SQLite initialises; later (another part of the process
 * opened a database first) the calls fail harmlessly and SQLite's
 * defaults stay. */
static void sqlite_config_once(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sqlite_pcache_install() != 0)
        log_warn("store", "SQLite initialised before the store: its page cache is not wrapped");
}

int store_sqlite_open(const char *path, const struct store_opts *opts, struct store **out,
                      char *err, size_t errsize)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_config_once);
    struct sq_store *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    s->base.opts = *opts;
    s->path = xstrdup(path);
    s->wal_path = xmalloc(strlen(path) + 5);
    memcpy(s->wal_path, path, strlen(path));
    memcpy(s->wal_path + strlen(path), "-wal", 5);
    s->idfd = -1;
    pthread_mutex_init(&s->wmu, NULL);
    if (waiter_init(&s->ck) != 0)
        abort(); /* out of resources, like xmalloc */
    pthread_mutex_init(&s->pmu, NULL);
    s->nreaders = opts->readers;
    s->readers = xcalloc(s->nreaders, sizeof *s->readers);
    conn_pool_init(&s->pool, s->nreaders);
    char tmp[256];
    if (err == NULL) {
        err = tmp;
        errsize = sizeof tmp;
    }
    struct stat sb;
    if (s->base.opts.no_create && stat(path, &sb) != 0) {
        snprintf(err, errsize, "no database at %s", path);
        sq_close(&s->base);
        return WT_ENOTFOUND;
    }
    int rc = conn_open(s, &s->writer, true, err, errsize);
    if (rc == 0) {
        /* Remember which file we opened, to notice it being deleted or
         * replaced while we write (file_still_ours). */
        s->idfd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->idfd >= 0 && fstat(s->idfd, &sb) == 0) {
            s->dev = sb.st_dev;
            s->ino = sb.st_ino;
            s->have_id = true;
        }
    }
    if (rc == 0)
        rc = checkpointer_start(s, err, errsize);
    if (rc != 0) {
        sq_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}
