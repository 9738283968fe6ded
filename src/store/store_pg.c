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
 * page and its total come from the same snapshot. */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"

#define CACHE_MAX     128
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
    uint64_t hash;
    char *sql;
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
    bool in_use;
};

/* A connection and its prepared statements. Invariant: ncache <=
 * CACHE_MAX; one thread at a time. */
struct pg_conn {
    PGconn *pg;
    bool writer;
    bool busy;
    unsigned next_name;
    struct pg_stmt *cache[CACHE_MAX];
    size_t ncache, evict;
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
    pthread_mutex_t rmu;
    pthread_cond_t rcond;
    struct pg_conn *readers;
    unsigned nreaders;
};

static struct pg_conn *CONN(struct store_conn *c)
{
    return (struct pg_conn *)c;
}

static struct pg_stmt *STMT(struct store_stmt *s)
{
    return (struct pg_stmt *)s;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

static void set_conn_err(struct pg_conn *c, const char *msg)
{
    str_copy(c->err, sizeof c->err, msg != NULL ? msg : "?");
    size_t n = strlen(c->err);
    while (n > 0 && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
        c->err[--n] = '\0';
}

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void stmt_free(struct pg_stmt *s)
{
    if (s->res != NULL)
        PQclear(s->res);
    free(s->sql);
    free(s);
}

static void conn_close(struct pg_conn *c)
{
    for (size_t i = 0; i < c->ncache; i++)
        stmt_free(c->cache[i]);
    c->ncache = 0;
    if (c->pg != NULL)
        PQfinish(c->pg);
    c->pg = NULL;
}

/* Copies msg into out, one line, with every occurrence of the store's
 * password replaced: libpq quotes parts of the URL in some messages. */
static void redact(const struct pg_store *s, const char *msg, char *out, size_t outsize)
{
    if (msg == NULL)
        msg = "?";
    const char *pw = s != NULL ? s->password : NULL;
    size_t pl = pw != NULL ? strlen(pw) : 0;
    static const char mask[] = "[REDACTED]";
    size_t o = 0;
    while (*msg != '\0' && o + 1 < outsize) {
        if (pl > 0 && strncmp(msg, pw, pl) == 0) {
            for (size_t k = 0; k < sizeof mask - 1 && o + 1 < outsize; k++)
                out[o++] = mask[k];
            msg += pl;
            continue;
        }
        char ch = *msg++;
        if (ch == '\n' || ch == '\r' || ch == '\t')
            ch = ' ';
        if (ch == ' ' && (o == 0 || out[o - 1] == ' '))
            continue; /* one line, single spaces */
        out[o++] = ch;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    if (outsize > 0)
        out[o] = '\0';
}

static PQconninfoOption *parse_url(const char *url, char *err, size_t errsize);
static const char *opt_val(const PQconninfoOption *opt, const char *key);
static void conninfo_free(PQconninfoOption *opt);

static int conn_open(struct pg_store *s, struct pg_conn *c, bool writer, char *err, size_t errsize)
{
    memset(c, 0, sizeof *c);
    c->writer = writer;
    /* The URL's own connect_timeout, if any, overrides ours (later
     * keywords win). */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const vals[] = {CONNECT_TIMEOUT_S, s->url, NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        char m[400];
        redact(s, c->pg ? PQerrorMessage(c->pg) : "out of memory", m, sizeof m);
        if (err != NULL)
            snprintf(err, errsize, "cannot connect to PostgreSQL: %s", m);
        conn_close(c);
        return WT_ESTORE;
    }
    PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
    PGresult *r = PQexec(c->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        char m[400];
        redact(s, PQerrorMessage(c->pg), m, sizeof m);
        if (err != NULL)
            snprintf(err, errsize, "cannot set up the PostgreSQL session: %s", m);
        conn_close(c);
        return WT_ESTORE;
    }
    return 0;
}

/* Whether a connection that looks open is still usable: libpq learns that
 * the server went away (restart, crash, idle timeout) only when it reads,
 * so the socket is read without blocking (the server's last words and the
 * end of file, if it closed) before the connection is handed out. */
static bool conn_alive(struct pg_conn *c)
{
    for (int i = 0; i < 2; i++) {
        if (PQstatus(c->pg) != CONNECTION_OK)
            return false;
        if (PQconsumeInput(c->pg) == 0)
            return false;
    }
    return PQstatus(c->pg) == CONNECTION_OK;
}

/* Makes c usable before it is handed out: a broken connection is closed
 * and a closed one is opened again, unless the backoff says to wait; then
 * the caller gets WT_ESTORE at once, with the reason in c->err, rather than
 * waiting for a server that is down. */
static int conn_ensure(struct pg_store *s, struct pg_conn *c, bool writer)
{
    if (c->pg != NULL) {
        if (conn_alive(c))
            return 0;
        char m[400];
        redact(s, PQerrorMessage(c->pg), m, sizeof m);
        log_warn("store", "PostgreSQL %s connection lost (%s); reconnecting",
                 writer ? "writer" : "reader", m[0] ? m : "connection closed");
        store_note_failure(&s->base, true, "PostgreSQL connection lost: %s",
                           m[0] ? m : "connection closed");
        conn_close(c);
    }
    int64_t now = clock_mono_ns();
    pthread_mutex_lock(&s->bmu);
    int64_t wait_ns = s->retry_at_ns - now;
    pthread_mutex_unlock(&s->bmu);
    if (wait_ns > 0) {
        c->writer = writer;
        snprintf(c->err, sizeof c->err,
                 "PostgreSQL is unreachable; next connection attempt in %lld ms",
                 (long long)(wait_ns / 1000000 + 1));
        return WT_ESTORE;
    }
    char err[512];
    int rc = conn_open(s, c, writer, err, sizeof err);
    pthread_mutex_lock(&s->bmu);
    if (rc != 0) {
        s->fails++;
        unsigned shift = s->fails - 1 < 16 ? s->fails - 1 : 16;
        int64_t delay = (int64_t)BACKOFF_BASE_MS << shift;
        if (delay > BACKOFF_CAP_MS)
            delay = BACKOFF_CAP_MS;
        s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t jitter = (int64_t)((s->rng >> 33) % (uint64_t)(delay / 2 + 1));
        s->retry_at_ns = clock_mono_ns() + (delay / 2 + jitter) * 1000000;
    } else {
        s->fails = 0;
        s->retry_at_ns = 0;
    }
    unsigned fails = s->fails;
    pthread_mutex_unlock(&s->bmu);
    if (rc != 0) {
        c->writer = writer;
        str_copy(c->err, sizeof c->err, err);
        if (fails == 1 || fails % 20 == 0)
            log_error("store", "%s (attempt %u; retrying with backoff)", err, fails);
        store_note_failure(&s->base, true, "%s", err);
        return rc;
    }
    log_info("store", "PostgreSQL %s connection (re)established", writer ? "writer" : "reader");
    store_note_reachable(&s->base);
    return 0;
}

static void pg_close(struct store *st)
{
    struct pg_store *s = (struct pg_store *)st;
    conn_close(&s->writer);
    for (unsigned i = 0; i < s->nreaders; i++)
        conn_close(&s->readers[i]);
    free(s->readers);
    pthread_mutex_destroy(&s->wmu);
    pthread_mutex_destroy(&s->bmu);
    if (s->password != NULL)
        mem_wipe(s->password, strlen(s->password));
    free(s->password);
    pthread_mutex_destroy(&s->rmu);
    pthread_cond_destroy(&s->rcond);
    if (s->url != NULL)
        mem_wipe(s->url, strlen(s->url));
    free(s->url);
    free(s);
}

static int pg_acquire(struct store *st, bool write, struct store_conn **out)
{
    struct pg_store *s = (struct pg_store *)st;
    if (write) {
        pthread_mutex_lock(&s->wmu);
        int rc = conn_ensure(s, &s->writer, true);
        if (rc != 0) {
            /* conn_ensure logged the loss and the failed attempts (not
             * each refusal during the backoff). */
            pthread_mutex_unlock(&s->wmu);
            return rc;
        }
        *out = (struct store_conn *)&s->writer;
        return 0;
    }
    pthread_mutex_lock(&s->rmu);
    for (;;) {
        for (unsigned i = 0; i < s->nreaders; i++) {
            struct pg_conn *c = &s->readers[i];
            if (c->busy)
                continue;
            c->busy = true;
            pthread_mutex_unlock(&s->rmu);
            if (conn_ensure(s, c, false) != 0) {
                pthread_mutex_lock(&s->rmu);
                c->busy = false;
                pthread_cond_signal(&s->rcond);
                pthread_mutex_unlock(&s->rmu);
                return WT_ESTORE;
            }
            c->busy = true;
            *out = (struct store_conn *)c;
            return 0;
        }
        pthread_cond_wait(&s->rcond, &s->rmu);
    }
}

static void pg_release(struct store *st, struct store_conn *conn)
{
    struct pg_store *s = (struct pg_store *)st;
    struct pg_conn *c = CONN(conn);
    if (c->writer) {
        pthread_mutex_unlock(&s->wmu);
        return;
    }
    pthread_mutex_lock(&s->rmu);
    c->busy = false;
    pthread_cond_signal(&s->rcond);
    pthread_mutex_unlock(&s->rmu);
}

static int pg_exec(struct store_conn *conn, const char *sql)
{
    struct pg_conn *c = CONN(conn);
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType t = PQresultStatus(r);
    int rc = 0;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        set_conn_err(c, PQresultErrorMessage(r));
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
    uint64_t h = fnv1a(sql);
    for (size_t i = 0; i < c->ncache; i++) {
        struct pg_stmt *e = c->cache[i];
        if (e->hash == h && strcmp(e->sql, sql) == 0 && !e->in_use) {
            if (e->res != NULL)
                PQclear(e->res);
            e->res = NULL;
            e->nparams = 0;
            e->in_use = true;
            *out = (struct store_stmt *)e;
            return 0;
        }
    }
    struct pg_stmt *e = xcalloc(1, sizeof *e);
    e->hash = h;
    e->sql = xstrdup(sql);
    e->conn = c;
    snprintf(e->name, sizeof e->name, "wt%u", c->next_name++);
    PGresult *r = PQprepare(c->pg, e->name, sql, 0, NULL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        set_conn_err(c, PQresultErrorMessage(r));
    PQclear(r);
    if (!ok) {
        stmt_free(e);
        return WT_ESTORE;
    }
    e->in_use = true;
    if (c->ncache == CACHE_MAX) {
        while (c->cache[c->evict]->in_use)
            c->evict = (c->evict + 1) % CACHE_MAX;
        struct pg_stmt *old = c->cache[c->evict];
        char dealloc[64];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", old->name);
        PQclear(PQexec(c->pg, dealloc));
        stmt_free(old);
        c->cache[c->evict] = e;
        c->evict = (c->evict + 1) % CACHE_MAX;
    } else {
        c->cache[c->ncache++] = e;
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
    STMT(st)->in_use = false;
}

static int pg_step(struct store_stmt *st)
{
    struct pg_stmt *s = STMT(st);
    if (s->res == NULL) {
        s->res = PQexecPrepared(s->conn->pg, s->name, s->nparams, s->vals, s->lens, s->fmts, 0);
        ExecStatusType t = PQresultStatus(s->res);
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
            set_conn_err(s->conn, PQresultErrorMessage(s->res));
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

static const char SQL_TEMP[] =
    "CREATE TEMP TABLE IF NOT EXISTS swaps_in (batch int, ord bigint, sig bytea, leg int, slot "
    "bigint, ts_ms bigint, wallet bytea, mint bytea, quote_mint bytea, side int, decimals int, "
    "quote_decimals int, token_amount numeric(20,0), quote_amount numeric(20,0), price_sol double "
    "precision, price_usd double precision, fee_lamports numeric(20,0), source text) ON COMMIT "
    "DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS transfers_in (batch int, ord bigint, sig bytea, leg int, slot "
    "bigint, ts_ms bigint, from_wallet bytea, to_wallet bytea, mint bytea, decimals int, amount "
    "numeric(20,0)) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS prices_in (batch int, ord bigint, mint bytea, ts_ms bigint, "
    "price_sol double precision, price_usd double precision, liquidity_usd double precision, "
    "mcap_usd double precision, source text) ON COMMIT DELETE ROWS";

/* Moves the staged rows of one kind into the real table; the first
 * occurrence of each key (in submission order) is the one inserted, and
 * the count of inserted rows per batch comes back. */
static const char SQL_MOVE_SWAPS[] =
    "WITH ins AS (INSERT INTO swaps (sig, leg, slot, ts_ms, wallet, mint, quote_mint, side, "
    "decimals, quote_decimals, token_amount, quote_amount, price_sol, price_usd, fee_lamports, "
    "source) SELECT sig, leg, slot, ts_ms, wallet, mint, quote_mint, side, decimals, "
    "quote_decimals, token_amount, quote_amount, price_sol, price_usd, fee_lamports, source FROM "
    "swaps_in ORDER BY ord ON CONFLICT (sig, leg) DO NOTHING RETURNING sig, leg) "
    "SELECT DISTINCT ON (i.sig, i.leg) i.batch, i.ord FROM ins JOIN swaps_in i ON i.sig = "
    "ins.sig AND i.leg = ins.leg ORDER BY i.sig, i.leg, i.ord";
static const char SQL_MOVE_TRANSFERS[] =
    "WITH ins AS (INSERT INTO transfers (sig, leg, slot, ts_ms, from_wallet, to_wallet, mint, "
    "decimals, amount) SELECT sig, leg, slot, ts_ms, from_wallet, to_wallet, mint, decimals, "
    "amount FROM transfers_in ORDER BY ord ON CONFLICT (sig, leg) DO NOTHING RETURNING sig, "
    "leg) "
    "SELECT DISTINCT ON (i.sig, i.leg) i.batch, i.ord FROM ins JOIN transfers_in i ON i.sig = "
    "ins.sig AND i.leg = ins.leg ORDER BY i.sig, i.leg, i.ord";
static const char SQL_MOVE_PRICES[] =
    "WITH ins AS (INSERT INTO prices (mint, ts_ms, price_sol, price_usd, liquidity_usd, mcap_usd, "
    "source) SELECT mint, ts_ms, price_sol, price_usd, liquidity_usd, mcap_usd, source FROM "
    "prices_in ORDER BY ord ON CONFLICT (mint, ts_ms, source) DO NOTHING RETURNING mint, ts_ms, "
    "source) SELECT DISTINCT ON (i.mint, i.ts_ms, i.source) i.batch, i.ord FROM ins JOIN "
    "prices_in i ON i.mint = ins.mint AND i.ts_ms = ins.ts_ms AND i.source = ins.source ORDER "
    "BY i.mint, i.ts_ms, i.source, i.ord";

static int copy_send(struct pg_conn *c, const char *copy_sql, struct buf *data)
{
    PGresult *r = PQexec(c->pg, copy_sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        set_conn_err(c, PQresultErrorMessage(r));
        PQclear(r);
        return WT_ESTORE;
    }
    PQclear(r);
    int rc = 0;
    if (PQputCopyData(c->pg, data->data, (int)data->len) != 1 || PQputCopyEnd(c->pg, NULL) != 1) {
        set_conn_err(c, PQerrorMessage(c->pg));
        rc = WT_ESTORE;
    }
    while ((r = PQgetResult(c->pg)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            set_conn_err(c, PQresultErrorMessage(r));
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
        set_conn_err(c, PQresultErrorMessage(r));
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
    if (pg_exec(conn, SQL_TEMP) != 0)
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
                const struct swap_event *x = &e->u.swap;
                buf_printf(&sw, "%zu\t%llu\t", bi, (unsigned long long)ord);
                copy_hex(&sw, x->sig.b, sizeof x->sig.b);
                buf_printf(&sw, "\t%u\t%llu\t%lld\t", x->leg, (unsigned long long)x->slot,
                           (long long)x->ts_ms);
                copy_hex(&sw, x->wallet.b, 32);
                buf_putc(&sw, '\t');
                copy_hex(&sw, x->mint.b, 32);
                buf_putc(&sw, '\t');
                copy_hex(&sw, x->quote_mint.b, 32);
                buf_printf(&sw, "\t%d\t%u\t%u\t%llu\t%llu\t%.17g\t%.17g\t%llu\t", (int)x->side,
                           x->decimals, x->quote_decimals, (unsigned long long)x->token_amount,
                           (unsigned long long)x->quote_amount, x->price_sol, x->price_usd,
                           (unsigned long long)x->fee_lamports);
                copy_text(&sw, x->source);
                buf_putc(&sw, '\n');
                nsw++;
            } else if (e->kind == EVENT_TRANSFER) {
                const struct transfer_event *x = &e->u.transfer;
                buf_printf(&tr, "%zu\t%llu\t", bi, (unsigned long long)ord);
                copy_hex(&tr, x->sig.b, sizeof x->sig.b);
                buf_printf(&tr, "\t%u\t%llu\t%lld\t", x->leg, (unsigned long long)x->slot,
                           (long long)x->ts_ms);
                copy_hex(&tr, x->from.b, 32);
                buf_putc(&tr, '\t');
                copy_hex(&tr, x->to.b, 32);
                buf_putc(&tr, '\t');
                copy_hex(&tr, x->mint.b, 32);
                buf_printf(&tr, "\t%u\t%llu\n", x->decimals, (unsigned long long)x->amount);
                ntr++;
            } else {
                const struct price_event *x = &e->u.price;
                buf_printf(&pr, "%zu\t%llu\t", bi, (unsigned long long)ord);
                copy_hex(&pr, x->mint.b, 32);
                buf_printf(&pr, "\t%lld\t%.17g\t%.17g\t%.17g\t%.17g\t", (long long)x->ts_ms,
                           x->price_sol, x->price_usd, x->liquidity_usd, x->mcap_usd);
                copy_text(&pr, x->source);
                buf_putc(&pr, '\n');
                npr++;
            }
        }
    }
    if (rc == 0 && nsw > 0)
        rc = copy_send(c, "COPY swaps_in FROM STDIN", &sw);
    if (rc == 0 && ntr > 0)
        rc = copy_send(c, "COPY transfers_in FROM STDIN", &tr);
    if (rc == 0 && npr > 0)
        rc = copy_send(c, "COPY prices_in FROM STDIN", &pr);
    if (rc == 0 && nsw > 0)
        rc = move_rows(c, SQL_MOVE_SWAPS, b, nb, EVENT_SWAP);
    if (rc == 0 && ntr > 0)
        rc = move_rows(c, SQL_MOVE_TRANSFERS, b, nb, EVENT_TRANSFER);
    if (rc == 0 && npr > 0)
        rc = move_rows(c, SQL_MOVE_PRICES, b, nb, EVENT_PRICE);
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
};

static int pg_check(struct store *st, char *msg, size_t msgsize)
{
    struct store_conn *conn;
    int rc = pg_acquire(st, false, &conn);
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
    pg_release(st, conn);
    return rc;
}

/* Finds pg_dump on PATH or in the Debian server folder. */
static bool find_pg_dump(char *out, size_t outsize)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    str_copy(dirs, sizeof dirs, path != NULL ? path : "/usr/bin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
        snprintf(out, outsize, "%s/pg_dump", d);
        if (access(out, X_OK) == 0)
            return true;
    }
    snprintf(out, outsize, "/usr/lib/postgresql/15/bin/pg_dump");
    return access(out, X_OK) == 0;
}

/* Appends "key='value' " to b, quoted as libpq's keyword/value syntax
 * wants (backslash before ' and \). */
static void conninfo_put(struct buf *b, const char *key, const char *val)
{
    buf_printf(b, "%s='", key);
    for (const char *p = val; *p; p++) {
        if (*p == '\'' || *p == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *p);
    }
    buf_puts(b, "' ");
}

/* Writes a libpq password file "*:*:*:*:PASSWORD" (':' and '\' escaped)
 * next to `near`, mode 0600 (mkstemp). Returns 0 and its path in out. */
static int write_passfile(const char *near, const char *password, char *out, size_t outsize)
{
    int n = snprintf(out, outsize, "%s.pgpass.XXXXXX", near);
    if (n < 0 || (size_t)n >= outsize)
        return WT_EINVAL;
    int fd = mkstemp(out);
    if (fd < 0)
        return WT_EIO;
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "*:*:*:*:");
    for (const char *p = password; *p; p++) {
        if (*p == ':' || *p == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '\n');
    size_t off = 0;
    int rc = 0;
    while (off < b.len) {
        ssize_t w = write(fd, b.data + off, b.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = WT_EIO;
            break;
        }
        off += (size_t)w;
    }
    mem_wipe(b.data, b.len);
    buf_release(&b);
    if (close(fd) != 0)
        rc = WT_EIO;
    if (rc != 0)
        unlink(out);
    return rc;
}

/* pg_dump gets the connection without the password on its command line
 * (which any local user can read in /proc while it runs): a keyword/value
 * string of the URL's other parts, and the password, when there is one, in
 * a 0600 password file named by PGPASSFILE in its environment, removed as
 * soon as it exits. */
static int pg_backup(struct store *st, const char *path, char *msg, size_t msgsize)
{
    struct pg_store *s = (struct pg_store *)st;
    char exe[512];
    if (!find_pg_dump(exe, sizeof exe)) {
        snprintf(msg, msgsize,
                 "pg_dump is not installed; install the PostgreSQL client (apt-get install "
                 "postgresql-client) and run: pg_dump --format=custom --file=%s \"$WALLTRACK_DB\"",
                 path);
        return WT_EUNSUPPORTED;
    }
    PQconninfoOption *opt = parse_url(s->url, msg, msgsize);
    if (opt == NULL)
        return WT_EINVAL;
    struct buf ci;
    buf_init(&ci, 0);
    for (PQconninfoOption *o = opt; o->keyword != NULL; o++)
        if (o->val != NULL && o->val[0] != '\0' && strcmp(o->keyword, "password") != 0 &&
            (s->password == NULL || strcmp(o->keyword, "passfile") != 0))
            conninfo_put(&ci, o->keyword, o->val);
    conninfo_free(opt);

    char passfile[4200] = "", passenv[4300] = "";
    if (s->password != NULL) {
        int rc = write_passfile(path, s->password, passfile, sizeof passfile);
        if (rc != 0) {
            snprintf(msg, msgsize, "cannot write a password file next to %s: %s", path,
                     strerror(errno));
            buf_release(&ci);
            return rc;
        }
        snprintf(passenv, sizeof passenv, "PGPASSFILE=%s", passfile);
    }
    /* The child's environment: ours without any PGPASSWORD/PGPASSFILE,
     * plus our PGPASSFILE. Built before fork (no allocation after it). */
    extern char **environ;
    size_t ne = 0;
    while (environ[ne] != NULL)
        ne++;
    char **envp = xcalloc(ne + 2, sizeof *envp);
    size_t m = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "PGPASSWORD=", 11) != 0 &&
            strncmp(environ[i], "PGPASSFILE=", 11) != 0)
            envp[m++] = environ[i];
    if (passenv[0])
        envp[m++] = passenv;
    envp[m] = NULL;

    char file_arg[4200];
    snprintf(file_arg, sizeof file_arg, "--file=%s", path);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, msgsize, "fork: %s", strerror(errno));
        if (passfile[0])
            unlink(passfile);
        free(envp);
        buf_release(&ci);
        return WT_EIO;
    }
    if (pid == 0) {
        char *argv[] = {exe, "--format=custom", file_arg, "--dbname", ci.data, NULL};
        if (ci.len == 0)
            argv[3] = NULL; /* "postgresql://": libpq's defaults */
        execve(exe, argv, envp);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (passfile[0])
        unlink(passfile);
    free(envp);
    buf_release(&ci);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(msg, msgsize, "pg_dump failed (exit status %d); see its message above",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        unlink(path);
        return WT_EIO;
    }
    snprintf(msg, msgsize, "pg_dump wrote %s (restore with pg_restore)", path);
    return 0;
}

/* ------------------------------------------------------------ URL */

/* Parses a URL with libpq. On failure err gets our own message: libpq's
 * quotes the offending part of the URL, which may be the password. */
static PQconninfoOption *parse_url(const char *url, char *err, size_t errsize)
{
    char *perr = NULL;
    PQconninfoOption *opt = PQconninfoParse(url, &perr);
    if (perr != NULL) {
        mem_wipe(perr, strlen(perr));
        PQfreemem(perr);
    }
    if (opt == NULL && err != NULL)
        snprintf(err, errsize,
                 "the PostgreSQL URL is malformed (expected "
                 "postgresql://USER@HOST[:PORT]/DATABASE[?PARAMS], with '%%', '@', ':' and '/' "
                 "in the password percent-encoded as %%25, %%40, %%3A, %%2F)");
    return opt;
}

/* A set option's value, NULL when unset or empty. */
static const char *opt_val(const PQconninfoOption *opt, const char *key)
{
    for (const PQconninfoOption *o = opt; o->keyword != NULL; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val != NULL && o->val[0] != '\0' ? o->val : NULL;
    return NULL;
}

/* Frees parsed options, wiping the password first. */
static void conninfo_free(PQconninfoOption *opt)
{
    for (PQconninfoOption *o = opt; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
            mem_wipe(o->val, strlen(o->val));
    PQconninfoFree(opt);
}

int store_pg_url_check(const char *url, bool *has_password, char *err, size_t errsize)
{
    PQconninfoOption *opt = parse_url(url, err, errsize);
    if (opt == NULL)
        return WT_EINVAL;
    if (has_password != NULL)
        *has_password = opt_val(opt, "password") != NULL;
    conninfo_free(opt);
    return 0;
}

bool store_pg_keyword_string(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_')
        n++;
    const char *p = s + n;
    while (*p == ' ' || *p == '\t')
        p++;
    if (n == 0 || *p != '=')
        return false;
    PQconninfoOption *def = PQconndefaults();
    bool found = false;
    for (PQconninfoOption *o = def; o != NULL && o->keyword != NULL && !found; o++)
        found = strlen(o->keyword) == n && strncmp(o->keyword, s, n) == 0;
    if (def != NULL)
        PQconninfoFree(def);
    return found;
}

static const struct store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .acquire = pg_acquire,
    .release = pg_release,
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
    .check = pg_check,
    .backup = pg_backup,
};

int store_pg_open(const char *url, const struct store_opts *opts, struct store **out, char *err,
                  size_t errsize)
{
    struct pg_store *s = xcalloc(1, sizeof *s);
    s->base.ops = &pg_ops;
    s->base.opts = *opts;
    s->url = xstrdup(url);
    s->rng = (uint64_t)clock_mono_ns() | 1;
    PQconninfoOption *opt = parse_url(url, err, errsize);
    if (opt == NULL) {
        mem_wipe(s->url, strlen(s->url));
        free(s->url);
        free(s);
        return WT_EINVAL;
    }
    const char *pw = opt_val(opt, "password");
    if (pw != NULL)
        s->password = xstrdup(pw);
    conninfo_free(opt);
    pthread_mutex_init(&s->bmu, NULL);
    pthread_mutex_init(&s->wmu, NULL);
    pthread_mutex_init(&s->rmu, NULL);
    pthread_cond_init(&s->rcond, NULL);
    s->nreaders = opts->readers;
    s->readers = xcalloc(s->nreaders, sizeof *s->readers);
    int rc = conn_open(s, &s->writer, true, err, errsize);
    if (rc != 0) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}
