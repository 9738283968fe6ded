/* The PostgreSQL backend of the store, through libpq.
 *
 * For shared and larger deployments (DESIGN §6). Same statements as the
 * SQLite backend (store.c), sent as server-side prepared statements cached
 * per connection by SQL text. Parameters go as text, except blobs (bytea),
 * which go in binary; results come back as text and are parsed exactly
 * (u64 columns are numeric(20,0), parsed with str_to_u64, so UINT64_MAX
 * round-trips).
 *
 * Event appends of 64 rows or more take the bulk path: COPY into a
 * temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING
 * per event kind, inside the caller's transaction, counting inserted rows
 * per submitted batch. Smaller appends use the prepared INSERT, which has
 * less fixed cost.
 *
 * One writer connection (mutex) and a pool of reader connections opened on
 * demand; readers run their multi-statement reads in REPEATABLE READ so a
 * page and its total come from the same snapshot.
 *
 * This file holds the statements (prepare, bind, step, columns), the COPY
 * bulk path, the integrity check, the ops table and the open;
 * store_pg_conn.c holds the connections, reconnection, the URL and its
 * password, and the backup; store_pg_impl.h the structs they share. */
#include "store/store_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/event_cols.h"
#include "store/store_pg_impl.h"

static int pg_exec(struct store_conn *conn, const char *sql)
{
    struct pg_conn *c = CONN(conn);
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType t = PQresultStatus(r);
    int rc = 0;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        store_pg_set_conn_err(c, PQresultErrorMessage(r));
        rc = WT_ESTORE;
    }
    PQclear(r);
    return rc;
}

static int pg_begin(struct store_conn *c)
{
    return pg_exec(c,
                   CONN(c)->writer ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static int pg_commit(struct store_conn *c)
{
    return pg_exec(c, "COMMIT");
}

static void pg_rollback(struct store_conn *c)
{
    if (PQtransactionStatus(CONN(c)->pg) != PQTRANS_IDLE)
        (void)pg_exec(c, "ROLLBACK");
}

static const char *pg_errmsg(struct store_conn *c)
{
    return CONN(c)->err;
}

static int pg_prepare(struct store_conn *conn, const char *sql, struct store_stmt **out)
{
    struct pg_conn *c = CONN(conn);
    struct pg_stmt *e = (struct pg_stmt *)stmt_cache_take(&c->cache, sql);
    if (e != NULL) {
        if (e->res != NULL)
            PQclear(e->res);
        e->res = NULL;
        e->nparams = 0;
        *out = (struct store_stmt *)e;
        return 0;
    }
    e = xcalloc(1, sizeof *e);
    e->conn = c;
    snprintf(e->name, sizeof e->name, "wt%u", c->next_name++);
    PGresult *r = PQprepare(c->pg, e->name, sql, 0, NULL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        store_pg_set_conn_err(c, PQresultErrorMessage(r));
    PQclear(r);
    if (!ok) {
        store_pg_stmt_free(e);
        return WT_ESTORE;
    }
    struct pg_stmt *old = (struct pg_stmt *)stmt_cache_add(&c->cache, &e->key, sql);
    if (old != NULL) {
        char dealloc[64];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", old->name);
        PQclear(PQexec(c->pg, dealloc));
        store_pg_stmt_free(old);
    }
    *out = (struct store_stmt *)e;
    return 0;
}

static void param(struct pg_stmt *s, int i, const char *v, int len, int fmt)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    s->vals[i - 1] = v;
    s->lens[i - 1] = len;
    s->fmts[i - 1] = fmt;
    if (i > s->nparams)
        s->nparams = i;
}

static void pg_bind_null(struct store_stmt *s, int i)
{
    param(STMT(s), i, NULL, 0, 0);
}

static void pg_bind_i64(struct store_stmt *st, int i, int64_t v)
{
    struct pg_stmt *s = STMT(st);
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(s->num[i - 1], sizeof s->num[0], "%lld", (long long)v);
    param(s, i, s->num[i - 1], 0, 0);
}

static void pg_bind_u64(struct store_stmt *st, int i, uint64_t v)
{
    struct pg_stmt *s = STMT(st);
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(s->num[i - 1], sizeof s->num[0], "%llu", (unsigned long long)v);
    param(s, i, s->num[i - 1], 0, 0);
}

static void pg_bind_f64(struct store_stmt *st, int i, double v)
{
    struct pg_stmt *s = STMT(st);
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(s->num[i - 1], sizeof s->num[0], "%.17g", v);
    param(s, i, s->num[i - 1], 0, 0);
}

static void pg_bind_text(struct store_stmt *s, int i, const char *v)
{
    param(STMT(s), i, v, 0, 0);
}

static void pg_bind_blob(struct store_stmt *s, int i, const void *p, size_t n)
{
    param(STMT(s), i, p, (int)n, 1);
}

static void pg_reset(struct store_stmt *st)
{
    struct pg_stmt *s = STMT(st);
    if (s->res != NULL)
        PQclear(s->res);
    s->res = NULL;
    s->nparams = 0;
    s->nrows = s->cur = 0;
}

static void pg_finish(struct store_stmt *st)
{
    pg_reset(st);
    STMT(st)->key.in_use = false;
}

static int pg_step(struct store_stmt *st)
{
    struct pg_stmt *s = STMT(st);
    if (s->res == NULL) {
        s->res = PQexecPrepared(s->conn->pg, s->name, s->nparams, s->vals, s->lens, s->fmts, 0);
        ExecStatusType t = PQresultStatus(s->res);
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
            store_pg_set_conn_err(s->conn, PQresultErrorMessage(s->res));
            return WT_ESTORE;
        }
        s->changes = 0;
        const char *ct = PQcmdTuples(s->res);
        if (ct[0] != '\0')
            (void)str_to_i64(ct, &s->changes);
        s->nrows = t == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
        s->cur = -1;
    }
    if (s->cur + 1 < s->nrows) {
        s->cur++;
        return 1;
    }
    return 0;
}

static int64_t pg_changes(struct store_stmt *s)
{
    return STMT(s)->changes;
}

static const char *val(struct store_stmt *st, int i)
{
    struct pg_stmt *s = STMT(st);
    if (s->res == NULL || s->cur < 0 || s->cur >= s->nrows || i >= PQnfields(s->res))
        return NULL;
    if (PQgetisnull(s->res, s->cur, i))
        return NULL;
    return PQgetvalue(s->res, s->cur, i);
}

static bool pg_col_null(struct store_stmt *s, int i)
{
    return val(s, i) == NULL;
}

static int64_t pg_col_i64(struct store_stmt *s, int i)
{
    const char *v = val(s, i);
    int64_t x = 0;
    if (v != NULL && str_to_i64(v, &x) != 0)
        x = 0;
    return x;
}

static uint64_t pg_col_u64(struct store_stmt *s, int i)
{
    const char *v = val(s, i);
    uint64_t x = 0;
    if (v != NULL && str_to_u64(v, &x) != 0)
        x = 0;
    return x;
}

static double pg_col_f64(struct store_stmt *s, int i)
{
    const char *v = val(s, i);
    return v != NULL ? strtod(v, NULL) : 0.0;
}

static bool pg_col_bool(struct store_stmt *s, int i)
{
    const char *v = val(s, i);
    return v != NULL && (v[0] == 't' || v[0] == '1');
}

static const char *pg_col_text(struct store_stmt *s, int i)
{
    const char *v = val(s, i);
    return v != NULL ? v : "";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int pg_col_blob(struct store_stmt *s, int i, void *p, size_t n)
{
    const char *v = val(s, i);
    if (v == NULL || v[0] != '\\' || v[1] != 'x' || strlen(v + 2) != 2 * n)
        return WT_EPARSE;
    uint8_t *o = p;
    for (size_t k = 0; k < n; k++) {
        int hi = hexval(v[2 + 2 * k]), lo = hexval(v[3 + 2 * k]);
        if (hi < 0 || lo < 0)
            return WT_EPARSE;
        o[k] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* ------------------------------------------------------------ COPY path */

static void copy_hex(struct buf *b, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    buf_puts(b, "\\\\x");
    for (size_t i = 0; i < n; i++) {
        buf_putc(b, hx[p[i] >> 4]);
        buf_putc(b, hx[p[i] & 15]);
    }
}

static void copy_text(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

static void copy_u64(struct buf *b, uint64_t v)
{
    char d[20];
    size_t at = sizeof d;
    do {
        d[--at] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_append(b, d + at, sizeof d - at);
}

static void copy_i64(struct buf *b, int64_t v)
{
    if (v < 0) {
        buf_putc(b, '-');
        copy_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        copy_u64(b, (uint64_t)v);
    }
}

/* One column of a COPY line by its kind (store/event_cols.h), after a tab:
 * the line starts with the batch and the ordinal. */
#define COPY_SIG(b, v)  copy_hex(b, (v).b, sizeof(v).b)
#define COPY_KEY(b, v)  copy_hex(b, (v).b, sizeof(v).b)
#define COPY_INT(b, v)  copy_i64(b, (int64_t)(v))
#define COPY_SLOT(b, v) copy_u64(b, v)
#define COPY_I64(b, v)  copy_i64(b, v)
#define COPY_U64(b, v)  copy_u64(b, v)
#define COPY_F64(b, v)  buf_printf(b, "%.17g", v)
#define COPY_TEXT(b, v) copy_text(b, v)
#define COPY_COL(col, kind, field)                                                                 \
    buf_putc(b, '\t');                                                                             \
    COPY_##kind(b, x->field);

static void copy_head(struct buf *b, size_t bi, uint64_t ord)
{
    copy_u64(b, bi);
    buf_putc(b, '\t');
    copy_u64(b, ord);
}

static void copy_swap(struct buf *b, size_t bi, uint64_t ord, const struct swap_event *x)
{
    copy_head(b, bi, ord);
    SWAP_COLUMNS(COPY_COL)
    buf_putc(b, '\n');
}

static void copy_transfer(struct buf *b, size_t bi, uint64_t ord, const struct transfer_event *x)
{
    copy_head(b, bi, ord);
    TRANSFER_COLUMNS(COPY_COL)
    buf_putc(b, '\n');
}

static void copy_price(struct buf *b, size_t bi, uint64_t ord, const struct price_event *x)
{
    copy_head(b, bi, ord);
    PRICE_COLUMNS(COPY_COL)
    buf_putc(b, '\n');
}

static int copy_send(struct pg_conn *c, const char *copy_sql, struct buf *data)
{
    PGresult *r = PQexec(c->pg, copy_sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        store_pg_set_conn_err(c, PQresultErrorMessage(r));
        PQclear(r);
        return WT_ESTORE;
    }
    PQclear(r);
    int rc = 0;
    if (PQputCopyData(c->pg, data->data, (int)data->len) != 1 || PQputCopyEnd(c->pg, NULL) != 1) {
        store_pg_set_conn_err(c, PQerrorMessage(c->pg));
        rc = WT_ESTORE;
    }
    while ((r = PQgetResult(c->pg)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            store_pg_set_conn_err(c, PQresultErrorMessage(r));
            rc = WT_ESTORE;
        }
        PQclear(r);
    }
    return rc;
}

/* Runs a move statement and adds inserted/duplicate counts to each batch. */
static int move_rows(struct pg_conn *c, const char *sql, struct store_batch *b, size_t nb,
                     enum event_kind kind)
{
    PGresult *r = PQexec(c->pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        store_pg_set_conn_err(c, PQresultErrorMessage(r));
        PQclear(r);
        return WT_ESTORE;
    }
    /* One row per newly stored event: its batch and its global ordinal
     * (the events of batch bi are ordinals first[bi] .. first[bi] + n). */
    uint64_t first = 0, *firsts = xcalloc(nb, sizeof *firsts);
    for (size_t bi = 0; bi < nb; bi++) {
        firsts[bi] = first;
        first += b[bi].n;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t bi = 0, ord = 0;
        if (str_to_i64(PQgetvalue(r, i, 0), &bi) != 0 ||
            str_to_i64(PQgetvalue(r, i, 1), &ord) != 0 || bi < 0 || (size_t)bi >= nb ||
            ord < (int64_t)firsts[bi] || (uint64_t)ord >= firsts[bi] + b[bi].n)
            continue;
        if (b[bi].inserted)
            b[bi].inserted[(uint64_t)ord - firsts[bi]] = 1;
        struct store_append_stats *s = &b[bi].stats;
        if (kind == EVENT_SWAP)
            s->swaps++;
        else if (kind == EVENT_TRANSFER)
            s->transfers++;
        else
            s->prices++;
    }
    free(firsts);
    PQclear(r);
    for (size_t bi = 0; bi < nb; bi++) {
        size_t total = 0;
        for (size_t i = 0; i < b[bi].n; i++)
            total += b[bi].ev[i].kind == kind;
        struct store_append_stats *s = &b[bi].stats;
        if (kind == EVENT_SWAP)
            s->swaps_dup = total - s->swaps;
        else if (kind == EVENT_TRANSFER)
            s->transfers_dup = total - s->transfers;
        else
            s->prices_dup = total - s->prices;
    }
    return 0;
}

static int pg_append_events(struct store *st, struct store_conn *conn, struct store_batch *b,
                            size_t nb)
{
    size_t total = 0;
    for (size_t bi = 0; bi < nb; bi++)
        total += b[bi].n;
    if (total < COPY_MIN_ROWS)
        return store_append_rows(st, conn, b, nb);
    struct pg_conn *c = CONN(conn);
    if (pg_exec(conn, event_sql_pg_stage()) != 0)
        return stmt_err(st, conn, "creating the staging tables");
    struct buf sw, tr, pr;
    buf_init(&sw, 0);
    buf_init(&tr, 0);
    buf_init(&pr, 0);
    size_t nsw = 0, ntr = 0, npr = 0;
    int rc = 0;
    uint64_t ord = 0;
    for (size_t bi = 0; bi < nb && rc == 0; bi++) {
        for (size_t i = 0; i < b[bi].n; i++, ord++) {
            rc = store_fault_row(st);
            if (rc != 0)
                break;
            const struct event *e = &b[bi].ev[i];
            if (e->kind == EVENT_SWAP) {
                copy_swap(&sw, bi, ord, &e->u.swap);
                nsw++;
            } else if (e->kind == EVENT_TRANSFER) {
                copy_transfer(&tr, bi, ord, &e->u.transfer);
                ntr++;
            } else {
                copy_price(&pr, bi, ord, &e->u.price);
                npr++;
            }
        }
    }
    if (rc == 0 && nsw > 0)
        rc = copy_send(c, event_sql(EVT_SWAPS)->pg_copy, &sw);
    if (rc == 0 && ntr > 0)
        rc = copy_send(c, event_sql(EVT_TRANSFERS)->pg_copy, &tr);
    if (rc == 0 && npr > 0)
        rc = copy_send(c, event_sql(EVT_PRICES)->pg_copy, &pr);
    if (rc == 0 && nsw > 0)
        rc = move_rows(c, event_sql(EVT_SWAPS)->pg_move, b, nb, EVENT_SWAP);
    if (rc == 0 && ntr > 0)
        rc = move_rows(c, event_sql(EVT_TRANSFERS)->pg_move, b, nb, EVENT_TRANSFER);
    if (rc == 0 && npr > 0)
        rc = move_rows(c, event_sql(EVT_PRICES)->pg_move, b, nb, EVENT_PRICE);
    if (rc != 0 && st->fault_fn == NULL)
        log_error("store", "bulk append: %s", c->err);
    buf_release(&sw);
    buf_release(&tr);
    buf_release(&pr);
    return rc;
}

/* ------------------------------------------------------------ check, backup */

static const char *const check_tables[] = {
    "schema_version",
    "swaps",
    "transfers",
    "prices",
    "wallets",
    "tokens",
    "wallet_performance_snapshots",
    "trade_patterns",
    "clusters",
    "cluster_members",
    "graph_edges",
    "signals",
    "orders",
    "fills",
    "positions",
    "closed_trades",
    "alerts",
    "settings",
    "settings_history",
    "exit_strategies",
    "backtest_scenarios",
    "backtest_runs",
    "backtest_run_items",
    "engine_journal",
};

static int pg_verify(struct store *st, char *msg, size_t msgsize)
{
    struct store_conn *conn;
    int rc = store_pg_acquire(st, false, &conn);
    if (rc != 0) {
        snprintf(msg, msgsize, "cannot connect to the database");
        return rc;
    }
    int v = 0;
    rc = store_read_version(st, conn, &v);
    if (rc != 0) {
        snprintf(msg, msgsize, "cannot read the schema version: %s", CONN(conn)->err);
        goto out;
    }
    int latest = store_schema_latest(st);
    if (v == latest) {
        /* Read every table once: a damaged relation or index fails here. */
        for (size_t i = 0; i < sizeof check_tables / sizeof check_tables[0]; i++) {
            char q[128];
            snprintf(q, sizeof q, "SELECT count(*) FROM %s", check_tables[i]);
            if (pg_exec(conn, q) != 0) {
                snprintf(msg, msgsize, "table %s: %s", check_tables[i], CONN(conn)->err);
                rc = WT_ESTORE;
                goto out;
            }
        }
        snprintf(msg, msgsize, "all %zu tables readable; schema version %d (current)",
                 sizeof check_tables / sizeof check_tables[0], v);
    } else if (v > latest) {
        snprintf(msg, msgsize, "schema version %d is newer than this build (%d)", v, latest);
        rc = WT_EVERSION;
    } else {
        snprintf(msg, msgsize, "schema version %d, %d migration(s) pending", v, latest - v);
        rc = WT_ESTATE;
    }
out:
    store_pg_release(st, conn);
    return rc;
}

static const struct store_ops pg_ops = {
    .name = "postgresql",
    .close = store_pg_close,
    .acquire = store_pg_acquire,
    .release = store_pg_release,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .errmsg = pg_errmsg,
    .prepare = pg_prepare,
    .bind_null = pg_bind_null,
    .bind_i64 = pg_bind_i64,
    .bind_u64 = pg_bind_u64,
    .bind_f64 = pg_bind_f64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .changes = pg_changes,
    .reset = pg_reset,
    .finish = pg_finish,
    .col_null = pg_col_null,
    .col_i64 = pg_col_i64,
    .col_u64 = pg_col_u64,
    .col_f64 = pg_col_f64,
    .col_bool = pg_col_bool,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .append_events = pg_append_events,
    .migrations = store_pg_migrations,
    .verify = pg_verify,
    .backup = store_pg_backup,
};

int store_pg_open(const char *url, const struct store_opts *opts, struct store **out, char *err,
                  size_t errsize)
{
    struct pg_store *s = xcalloc(1, sizeof *s);
    s->base.ops = &pg_ops;
    s->base.opts = *opts;
    s->url = xstrdup(url);
    s->rng = (uint64_t)clock_mono_ns() | 1;
    PQconninfoOption *opt = store_pg_parse_url(url, err, errsize);
    if (opt == NULL) {
        mem_wipe(s->url, strlen(s->url));
        free(s->url);
        free(s);
        return WT_EINVAL;
    }
    const char *pw = store_pg_opt_val(opt, "password");
    if (pw != NULL)
        s->password = xstrdup(pw);
    store_pg_conninfo_free(opt);
    pthread_mutex_init(&s->bmu, NULL);
    pthread_mutex_init(&s->wmu, NULL);
    s->nreaders = opts->readers;
    s->readers = xcalloc(s->nreaders, sizeof *s->readers);
    conn_pool_init(&s->pool, s->nreaders);
    int rc = store_pg_conn_open(s, &s->writer, true, err, errsize);
    if (rc != 0) {
        store_pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}
