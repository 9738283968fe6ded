/* The PostgreSQL backend's connections: opening one from the URL (with a
 * connect timeout unless the URL sets one), checking it is alive and
 * reconnecting with a jittered exponential backoff, the writer and the
 * reader pool (acquire, release, close), the URL's parsing and checks,
 * the password's redaction from every message, and the backup through
 * pg_dump with the password in a private password file rather than on
 * its command line.
 *
 * Kept apart from the statement and bulk paths (store_pg.c) because this
 * is where the server's availability and the secret in the URL are
 * handled: a reconnect or a password rule is changed here without
 * reading the statement code, and the statement code never sees the
 * password. */
#include "store/store_impl.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/store_pg_impl.h"

void store_pg_set_conn_err(struct pg_conn *c, const char *msg)
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

void store_pg_stmt_free(struct pg_stmt *s)
{
    if (s->res != NULL)
        PQclear(s->res);
    free(s->key.sql);
    free(s);
}

static void cached_free(struct cached_stmt *k)
{
    store_pg_stmt_free((struct pg_stmt *)k);
}

static void conn_close(struct pg_conn *c)
{
    stmt_cache_clear(&c->cache, cached_free);
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

int store_pg_conn_open(struct pg_store *s, struct pg_conn *c, bool writer, char *err,
                       size_t errsize)
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

PGconn *store_pg_connect_own(struct store *st, const char *const *keys, const char *const *vals,
                             char *err, size_t errsize)
{
    struct pg_store *s = (struct pg_store *)st;
    const char *k[16], *v[16];
    size_t n = 0;
    k[n] = "connect_timeout";
    v[n++] = CONNECT_TIMEOUT_S;
    for (size_t i = 0; keys[i] != NULL && n < 14; i++) {
        k[n] = keys[i];
        v[n++] = vals[i];
    }
    k[n] = "dbname"; /* the URL last: its own options win */
    v[n++] = s->url;
    k[n] = v[n] = NULL;
    PGconn *pg = PQconnectdbParams(k, v, 1);
    if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
        char m[400];
        redact(s, pg ? PQerrorMessage(pg) : "out of memory", m, sizeof m);
        snprintf(err, errsize, "cannot connect to PostgreSQL: %s", m);
        if (pg != NULL)
            PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet_notices, NULL);
    return pg;
}

void store_pg_errmsg(struct store *st, PGconn *pg, char *out, size_t outsize)
{
    redact((struct pg_store *)st, pg ? PQerrorMessage(pg) : "no connection", out, outsize);
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
    int rc = store_pg_conn_open(s, c, writer, err, sizeof err);
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

void store_pg_close(struct store *st)
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
    conn_pool_destroy(&s->pool);
    if (s->url != NULL)
        mem_wipe(s->url, strlen(s->url));
    free(s->url);
    free(s);
}

int store_pg_acquire(struct store *st, bool write, struct store_conn **out)
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
    unsigned i = conn_pool_take(&s->pool);
    struct pg_conn *c = &s->readers[i];
    if (conn_ensure(s, c, false) != 0) {
        conn_pool_give(&s->pool, i);
        return WT_ESTORE;
    }
    *out = (struct store_conn *)c;
    return 0;
}

void store_pg_release(struct store *st, struct store_conn *conn)
{
    struct pg_store *s = (struct pg_store *)st;
    struct pg_conn *c = CONN(conn);
    if (c->writer) {
        pthread_mutex_unlock(&s->wmu);
        return;
    }
    conn_pool_give(&s->pool, (unsigned)(c - s->readers));
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

int store_pg_backup(struct store *st, const char *path, char *msg, size_t msgsize)
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
    PQconninfoOption *opt = store_pg_parse_url(s->url, msg, msgsize);
    if (opt == NULL)
        return WT_EINVAL;
    struct buf ci;
    buf_init(&ci, 0);
    for (PQconninfoOption *o = opt; o->keyword != NULL; o++)
        if (o->val != NULL && o->val[0] != '\0' && strcmp(o->keyword, "password") != 0 &&
            (s->password == NULL || strcmp(o->keyword, "passfile") != 0))
            conninfo_put(&ci, o->keyword, o->val);
    store_pg_conninfo_free(opt);

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
PQconninfoOption *store_pg_parse_url(const char *url, char *err, size_t errsize)
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
const char *store_pg_opt_val(const PQconninfoOption *opt, const char *key)
{
    for (const PQconninfoOption *o = opt; o->keyword != NULL; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val != NULL && o->val[0] != '\0' ? o->val : NULL;
    return NULL;
}

/* Frees parsed options, wiping the password first. */
void store_pg_conninfo_free(PQconninfoOption *opt)
{
    for (PQconninfoOption *o = opt; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
            mem_wipe(o->val, strlen(o->val));
    PQconninfoFree(opt);
}

int store_pg_url_validate(const char *url, bool *has_password, char *err, size_t errsize)
{
    PQconninfoOption *opt = store_pg_parse_url(url, err, errsize);
    if (opt == NULL)
        return WT_EINVAL;
    if (has_password != NULL)
        *has_password = store_pg_opt_val(opt, "password") != NULL;
    store_pg_conninfo_free(opt);
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
