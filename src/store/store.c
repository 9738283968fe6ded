/* The store's operations, written once over the backend statement
 * interface (store_impl.h).
 *
 * Why one file of portable SQL rather than two implementations: the two
 * backends must behave identically (same idempotency, same ordering, same
 * errors), and the surest way is for them to run the same statements. Only
 * what cannot be shared lives in a backend: connections, value encodings,
 * the COPY bulk path, backup and integrity checks.
 *
 * This file holds opening, migrations, transactions, health and the
 * fault hook; store_events.c holds event appends and reads,
 * store_settings.c the settings and their history, store_rows.c the
 * generic row tables and store_wallets.c the wallets. Every write is one
 * transaction on the writer connection, opened
 * and closed here with wr_begin()/wr_end(), so a failure at any statement
 * (or an injected fault) rolls the whole call back. */
#include "store/store_impl.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"

static void set_err(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errsize, const char *fmt, ...)
{
    if (err == NULL || errsize == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ helpers */

int store_fault_row(struct store *st)
{
    uint64_t n = atomic_fetch_add(&st->fault_rows, 1) + 1;
    if (st->fault_fn != NULL && st->fault_fn(st->fault_ctx, STORE_FAULT_ROW, n) != 0) {
        log_warn("store", "injected fault at row %" PRIu64, n);
        return WT_ESTORE;
    }
    return 0;
}

void store_set_fault_hook(struct store *st,
                          int (*fn)(void *ctx, enum store_fault_point p, uint64_t nrow), void *ctx)
{
    st->fault_fn = fn;
    st->fault_ctx = ctx;
    atomic_store(&st->fault_rows, 0);
}

void store_set_read_hook(struct store *st, void (*fn)(void *ctx), void *ctx)
{
    st->read_fn = fn;
    st->read_ctx = ctx;
}

uint64_t store_query_work(struct store *st)
{
    return st->ops->work ? st->ops->work(st) : 0;
}

void store_writer_cache(struct store *st, int64_t *used, int64_t *limit)
{
    *used = *limit = 0;
    if (st->ops->writer_cache)
        st->ops->writer_cache(st, used, limit);
}

int wr_begin(struct store *st, struct store_conn **c)
{
    int rc = st->ops->acquire(st, true, c);
    if (rc != 0)
        return rc;
    rc = st->ops->begin(*c);
    if (rc != 0) {
        log_error("store", "BEGIN failed: %s", st->ops->errmsg(*c));
        store_note_failure(st, false, "a write could not begin: %s", st->ops->errmsg(*c));
        st->ops->release(st, *c);
        *c = NULL;
    }
    return rc;
}

int wr_step_changed(struct store *st, struct store_stmt *s)
{
    int rc = 0;
    if (wr_step(st, s) < 0)
        rc = WT_ESTORE;
    else if (st->ops->changes(s) == 0)
        rc = WT_ENOTFOUND;
    st->ops->finish(s);
    return rc;
}

int stmt_prepare(struct store *st, struct store_conn *c, const char *sql, const char *what,
                 struct store_stmt **s)
{
    return st->ops->prepare(c, sql, s) != 0 ? stmt_err(st, c, what) : 0;
}

int wr_begin_stmt(struct store *st, const char *sql, const char *what, struct store_conn **c,
                  struct store_stmt **s)
{
    int rc = wr_begin(st, c);
    if (rc != 0)
        return rc;
    rc = stmt_prepare(st, *c, sql, what, s);
    return rc != 0 ? wr_end(st, *c, rc) : 0;
}

int wr_end(struct store *st, struct store_conn *c, int rc)
{
    if (rc == 0 && st->fault_fn != NULL &&
        st->fault_fn(st->fault_ctx, STORE_FAULT_COMMIT, atomic_load(&st->fault_rows)) != 0) {
        log_warn("store", "injected fault at commit");
        rc = WT_ESTORE;
    }
    if (rc == 0) {
        rc = st->ops->commit(c);
        if (rc != 0)
            log_error("store", "COMMIT failed: %s", st->ops->errmsg(c));
    }
    if (rc == 0)
        store_note_commit(st);
    else if (rc == WT_ESTORE || rc == WT_EIO)
        store_note_failure(st, false, "a write failed: %s", st->ops->errmsg(c));
    if (rc != 0)
        st->ops->rollback(c);
    st->ops->release(st, c);
    return rc;
}

/* ------------------------------------------------------------ health */

void store_note_commit(struct store *st)
{
    int64_t now = clock_wall_ms();
    pthread_mutex_lock(&st->health_mu);
    st->health.last_commit_ms = now;
    st->health.reachable = true;
    st->commit_seq = ++st->health_seq;
    pthread_mutex_unlock(&st->health_mu);
}

void store_note_failure(struct store *st, bool unreachable, const char *fmt, ...)
{
    char msg[STORE_HEALTH_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    int64_t now = clock_wall_ms();
    pthread_mutex_lock(&st->health_mu);
    st->health.last_failure_ms = now;
    if (unreachable)
        st->health.reachable = false;
    str_copy(st->health.error, sizeof st->health.error, msg);
    st->failure_seq = ++st->health_seq;
    pthread_mutex_unlock(&st->health_mu);
}

void store_note_reachable(struct store *st)
{
    pthread_mutex_lock(&st->health_mu);
    st->health.reachable = true;
    pthread_mutex_unlock(&st->health_mu);
}

int store_health(struct store *st, struct store_health *out)
{
    pthread_mutex_lock(&st->health_mu);
    *out = st->health;
    /* A failure after the last commit means the last write did not go
     * through; a commit after it means service resumed. */
    out->ok = out->reachable && (st->failure_seq == 0 || st->commit_seq > st->failure_seq);
    pthread_mutex_unlock(&st->health_mu);
    if (out->ok)
        out->error[0] = '\0';
    /* What only the backend sees (a deleted database file, failing
     * checkpoints) outranks the record of the last write. */
    char problem[STORE_HEALTH_ERR_MAX];
    if (st->ops->problem != NULL && st->ops->problem(st, problem, sizeof problem)) {
        out->ok = false;
        str_copy(out->error, sizeof out->error, problem);
    }
    return out->ok ? 0 : WT_ESTORE;
}

int wr_step(struct store *st, struct store_stmt *s)
{
    int rc = store_fault_row(st);
    if (rc != 0)
        return rc;
    return st->ops->step(s);
}

int stmt_err(struct store *st, struct store_conn *c, const char *what)
{
    log_error("store", "%s: %s", what, st->ops->errmsg(c));
    return WT_ESTORE;
}

/* ------------------------------------------------------------ open */

static bool is_pg_url(const char *s)
{
    return str_starts_with(s, "postgresql://") || str_starts_with(s, "postgres://");
}

#define ACCEPTED                                                                                   \
    "a database is a postgresql://USER@HOST[:PORT]/DATABASE URL (the password in "                 \
    "WALLTRACK_DB or WALLTRACK_DB_FILE) or the path of a SQLite file or folder"

int store_url_validate(const char *url_or_path, bool *has_password, char *err, size_t errsize)
{
    if (has_password != NULL)
        *has_password = false;
    if (url_or_path == NULL || url_or_path[0] == '\0') {
        set_err(err, errsize, "no database given: " ACCEPTED);
        return WT_EINVAL;
    }
    if (is_pg_url(url_or_path))
        return store_pg_url_validate(url_or_path, has_password, err, errsize);
    /* Another scheme: "name://" with a URL scheme's characters. */
    const char *p = url_or_path;
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '+' || *p == '.' || *p == '-')
            p++;
        if (strncmp(p, "://", 3) == 0) {
            set_err(err, errsize, "unsupported database URL scheme '%.*s': " ACCEPTED,
                    (int)(p - url_or_path) < 32 ? (int)(p - url_or_path) : 32, url_or_path);
            return WT_EINVAL;
        }
    }
    if (store_pg_keyword_string(url_or_path)) {
        set_err(err, errsize,
                "a libpq keyword/value string (host=... dbname=...) is not accepted (it would be "
                "taken as a file name): " ACCEPTED);
        return WT_EINVAL;
    }
    return 0;
}

int store_open(const char *url_or_path, const struct store_opts *opts, struct store **out,
               char *err, size_t errsize)
{
    *out = NULL;
    if (err != NULL && errsize > 0)
        err[0] = '\0';
    int crc = store_url_validate(url_or_path, NULL, err, errsize);
    if (crc != 0)
        return crc;
    struct store_opts o = {0};
    if (opts != NULL)
        o = *opts;
    if (o.readers == 0)
        o.readers = 4;
    if (o.busy_timeout_ms == 0)
        o.busy_timeout_ms = 5000;
    if (o.wal_max_bytes == 0)
        o.wal_max_bytes = 64ull << 20;

    struct store *st = NULL;
    int rc;
    if (is_pg_url(url_or_path)) {
        rc = store_pg_open(url_or_path, &o, &st, err, errsize);
    } else {
        char path[4096];
        struct stat sb;
        if (stat(url_or_path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            int n = snprintf(path, sizeof path, "%s/walltrack.db", url_or_path);
            if (n < 0 || (size_t)n >= sizeof path) {
                set_err(err, errsize, "database path too long");
                return WT_EINVAL;
            }
        } else if (str_copy(path, sizeof path, url_or_path) != 0) {
            set_err(err, errsize, "database path too long");
            return WT_EINVAL;
        }
        if (o.no_migrate && stat(path, &sb) != 0) {
            /* A check looks at what is there; it never creates a file. */
            set_err(err, errsize, "no database at %s", path);
            return WT_ENOTFOUND;
        }
        rc = store_sqlite_open(path, &o, &st, err, errsize);
    }
    if (rc != 0)
        return rc;
    st->opts = o;
    atomic_init(&st->fault_rows, 0);
    pthread_mutex_init(&st->health_mu, NULL);
    st->health = (struct store_health){.reachable = true};
    st->health_seq = st->commit_seq = st->failure_seq = 0;

    int version = 0;
    if (o.no_migrate) {
        rc = store_schema_version(st, &version);
        if (rc != 0) {
            set_err(err, errsize, "cannot read the schema version (not a walltrack database?)");
        } else if (version > store_schema_latest(st)) {
            rc = WT_EVERSION;
        } else if (version < store_schema_latest(st)) {
            set_err(err, errsize,
                    "the database is at schema version %d, this build needs %d: run `walltrack db "
                    "migrate`",
                    version, store_schema_latest(st));
            rc = WT_ESTATE;
        }
    } else {
        rc = store_migrate(st, NULL);
        if (rc == WT_EVERSION)
            (void)store_schema_version(st, &version);
        else if (rc != 0)
            set_err(err, errsize, "migrations failed (see the log)");
    }
    if (rc == WT_EVERSION)
        set_err(err, errsize,
                "the database is at schema version %d, written by a newer walltrack; this build "
                "knows versions up to %d: upgrade walltrack",
                version, store_schema_latest(st));
    if (rc != 0) {
        store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    pthread_mutex_destroy(&st->health_mu);
    st->ops->close(st);
}

const char *store_backend(const struct store *st)
{
    return st->ops->name;
}

/* ------------------------------------------------------------ migrations */

int store_schema_latest(const struct store *st)
{
    int v = 0;
    for (const struct migration *m = st->ops->migrations; m->version != 0; m++)
        v = m->version;
    return v;
}

static const char SQL_VERSION_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_ms BIGINT NOT NULL)";

static const char SQL_VERSION[] = "SELECT coalesce(max(version), 0) FROM schema_version";

int store_read_version(struct store *st, struct store_conn *c, int *out)
{
    struct store_stmt *s;
    if (st->ops->prepare(c, SQL_VERSION, &s) != 0)
        return stmt_err(st, c, "reading the schema version");
    int rc = st->ops->step(s);
    if (rc == 1) {
        *out = (int)st->ops->col_i64(s, 0);
        rc = 0;
    } else {
        rc = WT_ESTORE;
    }
    st->ops->finish(s);
    return rc;
}

int store_schema_version(struct store *st, int *out)
{
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    rc = store_read_version(st, c, out);
    st->ops->release(st, c);
    return rc;
}

int store_migrate(struct store *st, int *applied)
{
    if (applied != NULL)
        *applied = 0;
    struct store_conn *c;
    int rc = st->ops->acquire(st, true, &c);
    if (rc != 0)
        return rc;
    if (st->ops->exec(c, SQL_VERSION_TABLE) != 0) {
        rc = stmt_err(st, c, "creating schema_version");
        goto out;
    }
    int cur = 0;
    rc = store_read_version(st, c, &cur);
    if (rc != 0)
        goto out;
    if (cur > store_schema_latest(st)) {
        log_error("store", "database schema version %d is newer than this build's %d", cur,
                  store_schema_latest(st));
        rc = WT_EVERSION;
        goto out;
    }
    struct clock clk;
    clock_init_real(&clk);
    for (const struct migration *m = st->ops->migrations; m->version != 0; m++) {
        if (m->version <= cur)
            continue;
        if (st->ops->begin(c) != 0) {
            rc = stmt_err(st, c, "BEGIN");
            goto out;
        }
        struct store_stmt *s;
        if (st->ops->exec(c, m->sql) != 0) {
            rc = stmt_err(st, c, m->name);
        } else if (st->ops->prepare(c,
                                    "INSERT INTO schema_version (version, name, applied_ms) "
                                    "VALUES ($1, $2, $3)",
                                    &s) != 0) {
            rc = stmt_err(st, c, "recording the migration");
        } else {
            st->ops->bind_i64(s, 1, m->version);
            st->ops->bind_text(s, 2, m->name);
            st->ops->bind_i64(s, 3, clock_now_ms(&clk));
            if (st->ops->step(s) < 0)
                rc = stmt_err(st, c, "recording the migration");
            st->ops->finish(s);
        }
        if (rc == 0 && st->ops->commit(c) != 0)
            rc = stmt_err(st, c, "COMMIT of a migration");
        if (rc != 0) {
            st->ops->rollback(c);
            goto out;
        }
        log_info("store", "applied migration %d (%s)", m->version, m->name);
        if (applied != NULL)
            (*applied)++;
    }
out:
    st->ops->release(st, c);
    return rc;
}

int store_verify(struct store *st, char *msg, size_t msgsize)
{
    return st->ops->verify(st, msg, msgsize);
}

int store_backup(struct store *st, const char *path, char *msg, size_t msgsize)
{
    if (path == NULL || path[0] == '\0')
        return WT_EINVAL;
    struct stat sb;
    if (stat(path, &sb) == 0) {
        set_err(msg, msgsize, "%s already exists; refusing to overwrite it", path);
        return WT_EEXIST;
    }
    return st->ops->backup(st, path, msg, msgsize);
}
