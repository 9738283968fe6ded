/* The store's operations, written once over the backend statement
 * interface (store_impl.h).
 *
 * Why one file of portable SQL rather than two implementations: the two
 * backends must behave identically (same idempotency, same ordering, same
 * errors), and the surest way is for them to run the same statements. Only
 * what cannot be shared lives in a backend: connections, value encodings,
 * the COPY bulk path, backup and integrity checks.
 *
 * This file holds opening, migrations, event appends and reads, settings
 * and the fault hook; store_rows.c holds wallets and the generic row
 * tables. Every write is one transaction on the writer connection, opened
 * and closed here with wr_begin()/wr_end(), so a failure at any statement
 * (or an injected fault) rolls the whole call back. */
#include "store/store_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
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

static int64_t wall_ms(void)
{
    struct clock c;
    clock_init_real(&c);
    return clock_now_ms(&c);
}

void store_note_commit(struct store *st)
{
    int64_t now = wall_ms();
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
    int64_t now = wall_ms();
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

int store_url_check(const char *url_or_path, bool *has_password, char *err, size_t errsize)
{
    if (has_password != NULL)
        *has_password = false;
    if (url_or_path == NULL || url_or_path[0] == '\0') {
        set_err(err, errsize, "no database given: " ACCEPTED);
        return WT_EINVAL;
    }
    if (is_pg_url(url_or_path))
        return store_pg_url_check(url_or_path, has_password, err, errsize);
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
    int crc = store_url_check(url_or_path, NULL, err, errsize);
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

int store_check(struct store *st, char *msg, size_t msgsize)
{
    return st->ops->check(st, msg, msgsize);
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

/* ------------------------------------------------------------ events */

static bool text_ok(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static int validate_event(const struct event *e)
{
    switch (e->kind) {
    case EVENT_SWAP: {
        const struct swap_event *s = &e->u.swap;
        if (s->token_amount == 0 || (s->side != SIDE_BUY && s->side != SIDE_SELL) ||
            !text_ok(s->source, sizeof s->source) || !isfinite(s->price_sol) ||
            !isfinite(s->price_usd) || s->slot > INT64_MAX)
            return WT_EINVAL;
        return 0;
    }
    case EVENT_TRANSFER:
        if (e->u.transfer.slot > INT64_MAX)
            return WT_EINVAL;
        return 0;
    case EVENT_FILL:
    case EVENT_TICK:
    case EVENT_COMMAND:
        /* Our own fills are not market events: the engine stores them in
         * the fills table (store_row_put), never through the event append. */
        return WT_EINVAL;
    case EVENT_PRICE: {
        const struct price_event *p = &e->u.price;
        if (!isfinite(p->price_sol) || !isfinite(p->price_usd) || !isfinite(p->liquidity_usd) ||
            !isfinite(p->mcap_usd) || p->price_sol < 0 || !text_ok(p->source, sizeof p->source))
            return WT_EINVAL;
        return 0;
    }
    }
    return WT_EINVAL;
}

bool store_event_valid(const struct event *e)
{
    return validate_event(e) == 0;
}

static const char SQL_INS_SWAP[] =
    "INSERT INTO swaps (sig, leg, slot, ts_ms, wallet, mint, quote_mint, side, decimals, "
    "quote_decimals, token_amount, quote_amount, price_sol, price_usd, fee_lamports, source) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
    "ON CONFLICT (sig, leg) DO NOTHING";
static const char SQL_INS_TRANSFER[] =
    "INSERT INTO transfers (sig, leg, slot, ts_ms, from_wallet, to_wallet, mint, decimals, "
    "amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sig, leg) DO NOTHING";
static const char SQL_INS_PRICE[] =
    "INSERT INTO prices (mint, ts_ms, price_sol, price_usd, liquidity_usd, mcap_usd, source) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (mint, ts_ms, source) DO NOTHING";

/* The prepared-statement append path (SQLite, and PostgreSQL for small
 * batches): one statement per event kind, bound and stepped per row. */
int store_append_rows(struct store *st, struct store_conn *c, struct store_batch *b, size_t nb)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *sw = NULL, *tr = NULL, *pr = NULL;
    int rc = 0;
    for (size_t bi = 0; bi < nb && rc == 0; bi++) {
        struct store_append_stats *stats = &b[bi].stats;
        for (size_t i = 0; i < b[bi].n && rc == 0; i++) {
            const struct event *e = &b[bi].ev[i];
            struct store_stmt *s;
            if (e->kind == EVENT_SWAP) {
                if (sw == NULL && o->prepare(c, SQL_INS_SWAP, &sw) != 0) {
                    rc = stmt_err(st, c, "preparing the swap insert");
                    break;
                }
                s = sw;
                const struct swap_event *x = &e->u.swap;
                o->bind_blob(s, 1, x->sig.b, sizeof x->sig.b);
                o->bind_i64(s, 2, x->leg);
                o->bind_i64(s, 3, (int64_t)x->slot);
                o->bind_i64(s, 4, x->ts_ms);
                o->bind_blob(s, 5, x->wallet.b, 32);
                o->bind_blob(s, 6, x->mint.b, 32);
                o->bind_blob(s, 7, x->quote_mint.b, 32);
                o->bind_i64(s, 8, x->side);
                o->bind_i64(s, 9, x->decimals);
                o->bind_i64(s, 10, x->quote_decimals);
                o->bind_u64(s, 11, x->token_amount);
                o->bind_u64(s, 12, x->quote_amount);
                o->bind_f64(s, 13, x->price_sol);
                o->bind_f64(s, 14, x->price_usd);
                o->bind_u64(s, 15, x->fee_lamports);
                o->bind_text(s, 16, x->source);
            } else if (e->kind == EVENT_TRANSFER) {
                if (tr == NULL && o->prepare(c, SQL_INS_TRANSFER, &tr) != 0) {
                    rc = stmt_err(st, c, "preparing the transfer insert");
                    break;
                }
                s = tr;
                const struct transfer_event *x = &e->u.transfer;
                o->bind_blob(s, 1, x->sig.b, sizeof x->sig.b);
                o->bind_i64(s, 2, x->leg);
                o->bind_i64(s, 3, (int64_t)x->slot);
                o->bind_i64(s, 4, x->ts_ms);
                o->bind_blob(s, 5, x->from.b, 32);
                o->bind_blob(s, 6, x->to.b, 32);
                o->bind_blob(s, 7, x->mint.b, 32);
                o->bind_i64(s, 8, x->decimals);
                o->bind_u64(s, 9, x->amount);
            } else {
                if (pr == NULL && o->prepare(c, SQL_INS_PRICE, &pr) != 0) {
                    rc = stmt_err(st, c, "preparing the price insert");
                    break;
                }
                s = pr;
                const struct price_event *x = &e->u.price;
                o->bind_blob(s, 1, x->mint.b, 32);
                o->bind_i64(s, 2, x->ts_ms);
                o->bind_f64(s, 3, x->price_sol);
                o->bind_f64(s, 4, x->price_usd);
                o->bind_f64(s, 5, x->liquidity_usd);
                o->bind_f64(s, 6, x->mcap_usd);
                o->bind_text(s, 7, x->source);
            }
            int r = wr_step(st, s);
            int64_t changed = r < 0 ? 0 : o->changes(s);
            o->reset(s);
            if (r < 0) {
                rc = r == WT_ESTORE && st->fault_fn == NULL ? stmt_err(st, c, "event insert") : r;
                break;
            }
            bool inserted = changed > 0;
            if (b[bi].inserted)
                b[bi].inserted[i] = inserted;
            switch (e->kind) {
            case EVENT_SWAP:
                inserted ? stats->swaps++ : stats->swaps_dup++;
                break;
            case EVENT_TRANSFER:
                inserted ? stats->transfers++ : stats->transfers_dup++;
                break;
            case EVENT_PRICE:
                inserted ? stats->prices++ : stats->prices_dup++;
                break;
            case EVENT_FILL: /* refused by validate_event */
            case EVENT_TICK:
            case EVENT_COMMAND:
                break;
            }
        }
    }
    if (sw != NULL)
        o->finish(sw);
    if (tr != NULL)
        o->finish(tr);
    if (pr != NULL)
        o->finish(pr);
    return rc;
}

static const char SQL_INS_SKIP[] =
    "INSERT INTO skipped_txs (sig, reason, detail, slot, ts_ms, received_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

/* The skip records of the batches, on the writer's open transaction. */
static int append_skips(struct store *st, struct store_conn *c, struct store_batch *b, size_t nb)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s = NULL;
    int rc = 0;
    for (size_t bi = 0; bi < nb && rc == 0; bi++)
        for (size_t i = 0; i < b[bi].n_skips && rc == 0; i++) {
            const struct store_skip *k = &b[bi].skips[i];
            if (s == NULL && o->prepare(c, SQL_INS_SKIP, &s) != 0)
                return stmt_err(st, c, "preparing the skip insert");
            o->bind_text(s, 1, k->sig);
            o->bind_text(s, 2, k->reason ? k->reason : "?");
            o->bind_text(s, 3, k->detail);
            o->bind_i64(s, 4, (int64_t)k->slot); /* u64 as its signed reinterpretation */
            o->bind_i64(s, 5, k->ts_ms);
            o->bind_i64(s, 6, k->received_ms);
            int r = wr_step(st, s);
            o->reset(s);
            if (r < 0)
                rc = r == WT_ESTORE && st->fault_fn == NULL ? stmt_err(st, c, "skip insert") : r;
        }
    if (s)
        o->finish(s);
    return rc;
}

static bool skip_text_ok(const char *s, size_t size)
{
    const char *end = memchr(s, '\0', size);
    if (end == NULL)
        return false;
    for (; s < end; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false; /* printable ASCII only: valid text on both backends */
    return true;
}

int store_append_batches(struct store *st, struct store_batch *b, size_t nb)
{
    for (size_t bi = 0; bi < nb; bi++) {
        memset(&b[bi].stats, 0, sizeof b[bi].stats);
        if (b[bi].inserted)
            memset(b[bi].inserted, 0, b[bi].n);
        for (size_t i = 0; i < b[bi].n; i++)
            if (validate_event(&b[bi].ev[i]) != 0) {
                log_warn("store", "refusing batch: event %zu of batch %zu is invalid", i, bi);
                return WT_EINVAL;
            }
        if (store_batch_skips_valid(&b[bi]) == false) {
            log_warn("store", "refusing batch %zu: a skip record is not printable text", bi);
            return WT_EINVAL;
        }
    }
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    if (st->ops->append_events != NULL)
        rc = st->ops->append_events(st, c, b, nb);
    else
        rc = store_append_rows(st, c, b, nb);
    if (rc == 0)
        rc = append_skips(st, c, b, nb);
    rc = wr_end(st, c, rc);
    if (rc != 0)
        for (size_t bi = 0; bi < nb; bi++) {
            memset(&b[bi].stats, 0, sizeof b[bi].stats);
            if (b[bi].inserted)
                memset(b[bi].inserted, 0, b[bi].n);
        }
    return rc;
}

bool store_batch_skips_valid(const struct store_batch *b)
{
    for (size_t i = 0; i < b->n_skips; i++) {
        const struct store_skip *k = &b->skips[i];
        if (!skip_text_ok(k->sig, sizeof k->sig) || !skip_text_ok(k->detail, sizeof k->detail) ||
            (k->reason && !skip_text_ok(k->reason, strlen(k->reason) + 1)))
            return false;
    }
    return true;
}

int store_skips_prune(struct store *st, int64_t before_ms, int64_t keep_max)
{
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (o->prepare(c, "DELETE FROM skipped_txs WHERE received_ms < $1", &s) != 0) {
        rc = stmt_err(st, c, "pruning skip records");
        goto out;
    }
    o->bind_i64(s, 1, before_ms);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    if (rc == 0 && keep_max > 0) {
        /* ids grow with insertion: the newest keep_max have the highest. */
        if (o->prepare(c,
                       "DELETE FROM skipped_txs WHERE id <= "
                       "(SELECT MAX(id) FROM skipped_txs) - $1",
                       &s) != 0) {
            rc = stmt_err(st, c, "pruning skip records");
            goto out;
        }
        o->bind_i64(s, 1, keep_max);
        rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
        o->finish(s);
    }
out:
    return wr_end(st, c, rc);
}

int store_skips_count(struct store *st, int64_t *n, char *sig, size_t sigsize, char *reason,
                      size_t reasonsize)
{
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = o->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    *n = 0;
    if (sig && sigsize)
        sig[0] = '\0';
    if (reason && reasonsize)
        reason[0] = '\0';
    if (o->prepare(c, "SELECT COUNT(*) FROM skipped_txs", &s) != 0) {
        rc = stmt_err(st, c, "counting skip records");
        goto out;
    }
    if (o->step(s) == 1)
        *n = o->col_i64(s, 0);
    o->finish(s);
    if (o->prepare(c, "SELECT sig, reason FROM skipped_txs ORDER BY id DESC LIMIT 1", &s) != 0) {
        rc = stmt_err(st, c, "reading skip records");
        goto out;
    }
    if (o->step(s) == 1) {
        if (sig && sigsize)
            snprintf(sig, sigsize, "%s", o->col_text(s, 0));
        if (reason && reasonsize)
            snprintf(reason, reasonsize, "%s", o->col_text(s, 1));
    }
    o->finish(s);
out:
    o->release(st, c);
    return rc;
}

int store_append_events(struct store *st, const struct event *ev, size_t n,
                        struct store_append_stats *out)
{
    struct store_batch b = {.ev = ev, .n = n};
    int rc = store_append_batches(st, &b, 1);
    if (out != NULL)
        *out = b.stats;
    return rc;
}

#define SWAP_COLS                                                                                  \
    "id, sig, leg, slot, ts_ms, wallet, mint, quote_mint, side, decimals, quote_decimals, "        \
    "token_amount, quote_amount, price_sol, price_usd, fee_lamports, source"

static int read_swap(struct store *st, struct store_stmt *s, struct stored_swap *out)
{
    const struct store_ops *o = st->ops;
    memset(out, 0, sizeof *out);
    struct swap_event *x = &out->swap;
    out->id = o->col_i64(s, 0);
    if (o->col_blob(s, 1, x->sig.b, sizeof x->sig.b) != 0 ||
        o->col_blob(s, 5, x->wallet.b, 32) != 0 || o->col_blob(s, 6, x->mint.b, 32) != 0 ||
        o->col_blob(s, 7, x->quote_mint.b, 32) != 0)
        return WT_EPARSE;
    x->leg = (uint16_t)o->col_i64(s, 2);
    x->slot = (uint64_t)o->col_i64(s, 3);
    x->ts_ms = o->col_i64(s, 4);
    x->side = (enum side)o->col_i64(s, 8);
    x->decimals = (uint8_t)o->col_i64(s, 9);
    x->quote_decimals = (uint8_t)o->col_i64(s, 10);
    x->token_amount = o->col_u64(s, 11);
    x->quote_amount = o->col_u64(s, 12);
    x->price_sol = o->col_f64(s, 13);
    x->price_usd = o->col_f64(s, 14);
    x->fee_lamports = o->col_u64(s, 15);
    if (str_copy(x->source, sizeof x->source, o->col_text(s, 16)) != 0)
        return WT_ETOOBIG;
    return 0;
}

/* Runs a prepared swap query and reads up to cap rows. */
static int read_swaps(struct store *st, struct store_conn *c, struct store_stmt *s,
                      struct stored_swap *out, size_t cap, size_t *n)
{
    *n = 0;
    int r = 0;
    while (*n < cap && (r = st->ops->step(s)) == 1) {
        int rc = read_swap(st, s, &out[*n]);
        if (rc != 0)
            return rc;
        (*n)++;
    }
    if (*n < cap && r < 0)
        return stmt_err(st, c, "reading swaps");
    return 0;
}

int store_swaps_by_wallet(struct store *st, const struct pubkey *wallet, struct swap_cursor *cur,
                          struct stored_swap *out, size_t cap, size_t *n)
{
    *n = 0;
    if (cap == 0)
        return 0;
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c,
                         "SELECT " SWAP_COLS " FROM swaps WHERE wallet = $1 AND (ts_ms, id) > ($2, "
                         "$3) ORDER BY ts_ms, id LIMIT $4",
                         &s) != 0) {
        rc = stmt_err(st, c, "preparing swaps by wallet");
        goto out;
    }
    st->ops->bind_blob(s, 1, wallet->b, 32);
    st->ops->bind_i64(s, 2, cur->ts_ms);
    st->ops->bind_i64(s, 3, cur->id);
    st->ops->bind_i64(s, 4, (int64_t)cap);
    rc = read_swaps(st, c, s, out, cap, n);
    st->ops->finish(s);
    if (rc == 0 && *n > 0) {
        cur->ts_ms = out[*n - 1].swap.ts_ms;
        cur->id = out[*n - 1].id;
    }
out:
    st->ops->release(st, c);
    return rc;
}

int store_swap_last_of_mint(struct store *st, const struct pubkey *mint, struct stored_swap *out)
{
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c,
                         "SELECT " SWAP_COLS
                         " FROM swaps WHERE mint = $1 ORDER BY ts_ms DESC, id DESC LIMIT 1",
                         &s) != 0) {
        rc = stmt_err(st, c, "preparing last swap of mint");
        goto out;
    }
    st->ops->bind_blob(s, 1, mint->b, 32);
    size_t n = 0;
    rc = read_swaps(st, c, s, out, 1, &n);
    st->ops->finish(s);
    if (rc == 0 && n == 0)
        rc = WT_ENOTFOUND;
out:
    st->ops->release(st, c);
    return rc;
}

#define SCAN_PAGE 2048

int store_swaps_scan(struct store *st, int64_t from_ms, int64_t to_ms,
                     int (*fn)(void *ctx, const struct stored_swap *s), void *ctx)
{
    struct stored_swap *page = xmalloc(SCAN_PAGE * sizeof *page);
    struct swap_cursor cur = {from_ms, 0};
    bool first = true;
    int rc = 0;
    for (;;) {
        struct store_conn *c;
        rc = st->ops->acquire(st, false, &c);
        if (rc != 0)
            break;
        struct store_stmt *s;
        size_t n = 0;
        if (st->ops->prepare(c,
                             "SELECT " SWAP_COLS " FROM swaps WHERE ts_ms >= $1 AND ts_ms < $2 "
                             "AND (ts_ms, id) > ($3, $4) ORDER BY ts_ms, id LIMIT $5",
                             &s) != 0) {
            rc = stmt_err(st, c, "preparing the swap scan");
        } else {
            /* Rows after the cursor have ts_ms >= cur.ts_ms: bounding the
             * range by it (not by from_ms) lets each page start where the
             * last one ended instead of walking the index from from_ms
             * (quadratic: 4.9 s instead of 0.5 s for 446k swaps). */
            st->ops->bind_i64(s, 1, first ? from_ms : cur.ts_ms);
            st->ops->bind_i64(s, 2, to_ms);
            /* The first page starts at from_ms itself: id -1 is below any
             * row's id. */
            st->ops->bind_i64(s, 3, cur.ts_ms);
            st->ops->bind_i64(s, 4, first ? -1 : cur.id);
            st->ops->bind_i64(s, 5, SCAN_PAGE);
            rc = read_swaps(st, c, s, page, SCAN_PAGE, &n);
            st->ops->finish(s);
        }
        st->ops->release(st, c);
        if (rc != 0)
            break;
        first = false;
        for (size_t i = 0; i < n; i++) {
            rc = fn(ctx, &page[i]);
            if (rc != 0)
                goto out;
        }
        if (n < SCAN_PAGE)
            break;
        cur.ts_ms = page[n - 1].swap.ts_ms;
        cur.id = page[n - 1].id;
    }
out:
    free(page);
    return rc;
}

int store_count_events(struct store *st, int64_t *swaps, int64_t *transfers, int64_t *prices)
{
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c,
                         "SELECT (SELECT count(*) FROM swaps), (SELECT count(*) FROM transfers), "
                         "(SELECT count(*) FROM prices)",
                         &s) != 0) {
        rc = stmt_err(st, c, "counting events");
        goto out;
    }
    if (st->ops->step(s) == 1) {
        *swaps = st->ops->col_i64(s, 0);
        *transfers = st->ops->col_i64(s, 1);
        *prices = st->ops->col_i64(s, 2);
    } else {
        rc = stmt_err(st, c, "counting events");
    }
    st->ops->finish(s);
out:
    st->ops->release(st, c);
    return rc;
}

/* ------------------------------------------------------------ settings */

/* One row of settings_history, inside the caller's write transaction
 * (old NULL: the key had no value). */
static int history_add(struct store *st, struct store_conn *c, const char *key, const char *old,
                       const char *value, int64_t ts_ms, const char *actor)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s;
    if (o->prepare(c,
                   "INSERT INTO settings_history (key, old_value, value, ts_ms, actor) VALUES ($1, "
                   "$2, $3, $4, $5)",
                   &s) != 0)
        return stmt_err(st, c, "writing setting history");
    o->bind_text(s, 1, key);
    if (old)
        o->bind_text(s, 2, old);
    else
        o->bind_null(s, 2);
    o->bind_text(s, 3, value);
    o->bind_i64(s, 4, ts_ms);
    o->bind_text(s, 5, actor);
    int rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    return rc;
}

/* The current text of a keyed row into old (*had set), inside the caller's
 * transaction: select_sql takes the key as $1 and returns one column. */
static int current_text(struct store *st, struct store_conn *c, const char *select_sql,
                        const char *id, char *old, size_t oldsize, bool *had, const char *what)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s;
    *had = false;
    if (o->prepare(c, select_sql, &s) != 0)
        return stmt_err(st, c, what);
    o->bind_text(s, 1, id);
    int r = o->step(s), rc = 0;
    if (r == 1) {
        *had = true;
        rc = str_copy(old, oldsize, o->col_text(s, 0));
    } else if (r < 0) {
        rc = stmt_err(st, c, what);
    }
    o->finish(s);
    return rc;
}

/* A value kept with its history, in one transaction: reads the current
 * value (select_sql, $1 = id), does nothing when it is the same, else
 * writes it (upsert_sql: $1 id, $2 value, $3 ts) and appends the change to
 * settings_history under history_key. Settings and exit strategies. */
static int put_with_history(struct store *st, const char *select_sql, const char *upsert_sql,
                            const char *id, const char *value, const char *history_key,
                            int64_t ts_ms, const char *actor, const char *what)
{
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    char old[SETTING_VALUE_MAX];
    bool had;
    if ((rc = current_text(st, c, select_sql, id, old, sizeof old, &had, what)) != 0 ||
        (had && strcmp(old, value) == 0))
        goto out;
    struct store_stmt *s;
    if (o->prepare(c, upsert_sql, &s) != 0) {
        rc = stmt_err(st, c, what);
        goto out;
    }
    o->bind_text(s, 1, id);
    o->bind_text(s, 2, value);
    o->bind_i64(s, 3, ts_ms);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    if (rc == 0)
        rc = history_add(st, c, history_key, had ? old : NULL, value, ts_ms, actor);
out:
    return wr_end(st, c, rc);
}

int store_setting_set(struct store *st, const char *key, const char *value, int64_t ts_ms,
                      const char *actor)
{
    if (key == NULL || value == NULL || key[0] == '\0' || strlen(key) >= SETTING_KEY_MAX ||
        strlen(value) >= SETTING_VALUE_MAX || actor == NULL || strlen(actor) >= ROW_WORD)
        return WT_EINVAL;
    return put_with_history(
        st, "SELECT value FROM settings WHERE key = $1",
        "INSERT INTO settings (key, value, updated_ms) VALUES ($1, $2, $3) ON CONFLICT (key) DO "
        "UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
        key, value, key, ts_ms, actor, "writing a setting");
}

int store_setting_get(struct store *st, const char *key, char *value, size_t valuesize)
{
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c, "SELECT value FROM settings WHERE key = $1", &s) != 0) {
        rc = stmt_err(st, c, "reading a setting");
        goto out;
    }
    st->ops->bind_text(s, 1, key);
    int r = st->ops->step(s);
    if (r == 1)
        rc = str_copy(value, valuesize, st->ops->col_text(s, 0));
    else
        rc = r == 0 ? WT_ENOTFOUND : stmt_err(st, c, "reading a setting");
    st->ops->finish(s);
out:
    st->ops->release(st, c);
    return rc;
}

/* Runs a read-only query of one or two text columns and calls fn(ctx,
 * col0, col1 or NULL) for each row; a nonzero return from fn stops it and
 * is returned. */
static int scan_text(struct store *st, const char *sql, int ncols, const char *what,
                     int (*fn)(void *ctx, const char *a, const char *b), void *ctx)
{
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c, sql, &s) != 0) {
        rc = stmt_err(st, c, what);
        goto out;
    }
    int r;
    while ((r = st->ops->step(s)) == 1)
        if ((rc = fn(ctx, st->ops->col_text(s, 0), ncols > 1 ? st->ops->col_text(s, 1) : NULL)) !=
            0)
            break;
    if (rc == 0 && r < 0)
        rc = stmt_err(st, c, what);
    st->ops->finish(s);
out:
    st->ops->release(st, c);
    return rc;
}

struct key_scan {
    const char *prefix;
    size_t plen;
    int (*fn)(void *ctx, const char *key);
    void *ctx;
};

static int key_if_prefixed(void *ctx, const char *key, const char *unused)
{
    (void)unused;
    const struct key_scan *k = ctx;
    return strncmp(key, k->prefix, k->plen) == 0 ? k->fn(k->ctx, key) : 0;
}

int store_setting_history_keys(struct store *st, const char *prefix,
                               int (*fn)(void *ctx, const char *key), void *ctx)
{
    struct key_scan k = {prefix, strlen(prefix), fn, ctx};
    if (k.plen >= SETTING_KEY_MAX)
        return WT_EINVAL;
    /* Compared here, byte for byte: '_' and '%' are no wildcards and the
     * database's collation plays no part. The distinct keys are few (one
     * per setting ever changed). */
    return scan_text(st, "SELECT DISTINCT key FROM settings_history ORDER BY key", 1,
                     "reading setting history", key_if_prefixed, &k);
}

int store_setting_history(struct store *st, const char *key, struct setting_change *out, size_t cap,
                          size_t *n)
{
    *n = 0;
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c,
                         "SELECT id, key, old_value, value, ts_ms, actor FROM settings_history "
                         "WHERE key = $1 ORDER BY id DESC LIMIT $2",
                         &s) != 0) {
        rc = stmt_err(st, c, "reading setting history");
        goto out;
    }
    st->ops->bind_text(s, 1, key);
    st->ops->bind_i64(s, 2, (int64_t)cap);
    int r = 0;
    while (*n < cap && (r = st->ops->step(s)) == 1) {
        struct setting_change *h = &out[*n];
        memset(h, 0, sizeof *h);
        h->id = st->ops->col_i64(s, 0);
        h->had_old = !st->ops->col_null(s, 2);
        if (str_copy(h->key, sizeof h->key, st->ops->col_text(s, 1)) != 0 ||
            str_copy(h->old_value, sizeof h->old_value, st->ops->col_text(s, 2)) != 0 ||
            str_copy(h->value, sizeof h->value, st->ops->col_text(s, 3)) != 0 ||
            str_copy(h->actor, sizeof h->actor, st->ops->col_text(s, 5)) != 0) {
            rc = WT_ETOOBIG;
            break;
        }
        h->ts_ms = st->ops->col_i64(s, 4);
        (*n)++;
    }
    if (rc == 0 && *n < cap && r < 0)
        rc = stmt_err(st, c, "reading setting history");
    st->ops->finish(s);
out:
    st->ops->release(st, c);
    return rc;
}

/* ----------------------------------------------------------- exit strategies */

static int exit_history_key(char *key, size_t n, const char *name)
{
    int w = snprintf(key, n, "%s%s", STORE_EXIT_HISTORY_PREFIX, name);
    return w > 0 && (size_t)w < n ? 0 : WT_EINVAL;
}

static const char SQL_EXIT_PARAMS[] = "SELECT params FROM exit_strategies WHERE name = $1";

int store_exit_strategy_put(struct store *st, const char *name, const char *params, int64_t ts_ms,
                            const char *actor)
{
    char key[SETTING_KEY_MAX];
    if (name == NULL || params == NULL || name[0] == '\0' || params[0] == '\0' ||
        strlen(name) >= sizeof((struct exit_strategy_row *)0)->name ||
        strlen(params) >= SETTING_VALUE_MAX || actor == NULL || strlen(actor) >= ROW_WORD ||
        exit_history_key(key, sizeof key, name) != 0)
        return WT_EINVAL;
    return put_with_history(st, SQL_EXIT_PARAMS,
                            "INSERT INTO exit_strategies (name, params, updated_ms) VALUES ($1, "
                            "$2, $3) ON CONFLICT (name) DO UPDATE SET params = excluded.params, "
                            "updated_ms = excluded.updated_ms",
                            name, params, key, ts_ms, actor, "writing an exit strategy");
}

int store_exit_strategy_delete(struct store *st, const char *name, int64_t ts_ms, const char *actor)
{
    char key[SETTING_KEY_MAX];
    if (name == NULL || name[0] == '\0' || actor == NULL || strlen(actor) >= ROW_WORD ||
        exit_history_key(key, sizeof key, name) != 0)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    char old[SETTING_VALUE_MAX];
    bool had;
    if ((rc = current_text(st, c, SQL_EXIT_PARAMS, name, old, sizeof old, &had,
                           "reading an exit strategy")) != 0)
        goto out;
    if (!had) {
        rc = WT_ENOTFOUND;
        goto out;
    }
    struct store_stmt *s;
    if (o->prepare(c, "DELETE FROM exit_strategies WHERE name = $1", &s) != 0) {
        rc = stmt_err(st, c, "removing an exit strategy");
        goto out;
    }
    o->bind_text(s, 1, name);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    if (rc == 0)
        rc = history_add(st, c, key, old, "", ts_ms, actor);
out:
    return wr_end(st, c, rc);
}

int store_exit_strategies_scan(struct store *st,
                               int (*fn)(void *ctx, const char *name, const char *params),
                               void *ctx)
{
    return scan_text(st, "SELECT name, params FROM exit_strategies ORDER BY id", 2,
                     "reading the exit strategies", fn, ctx);
}
