/* The cluster's lock session on PostgreSQL (store/leader.h).
 *
 * One thread owns the lock session's connection. Each turn it makes sure
 * the session is open, tries the lock (a standby) or checks the session
 * (the leader), reads notifications, sends the queued ones, reads who
 * holds the lock, and sleeps until the next poll or until the socket or
 * the wake pipe has something. Every query is sent asynchronously and
 * must answer within a third of the session timeout; a query that does
 * not is a lost session. */
#include "store/leader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "store/store_impl.h"
#include "store/store_pg_impl.h"

#define QUEUE_MAX 4096 /* payloads waiting to be sent */

struct payload {
    char *text;
    size_t len;
};

struct store_leader {
    struct store *st;
    struct leader_opts o;
    char node_id[64];
    int64_t check_ms; /* a query's deadline */
    PGconn *pg;
    int own_pid; /* the lock session's backend pid */
    bool leading;
    pthread_t thread;
    atomic_bool stop;
    atomic_uint turns; /* attempts at the lock so far (store_leader_wait_first) */
    int wake[2];       /* the pipe senders and stop write to */

    pthread_mutex_t mu; /* status and queue */
    struct leader_status s;
    VEC(struct payload) q;
};

const char *leader_role_name(enum leader_role r)
{
    switch (r) {
    case LEADER_LEADER:
        return "leader";
    case LEADER_STANDBY:
        return "standby";
    case LEADER_SINGLE:
        break;
    }
    return "single";
}

/* The server's keepalives for the session: idle a third of the timeout,
 * then three probes a ninth apart: a silent peer's session ends after
 * about 2/3 of it. */
static int ka_idle(int t)
{
    return t / 3 > 1 ? t / 3 : 1;
}

static int ka_interval(int t)
{
    return t / 9 > 1 ? t / 9 : 1;
}

int store_leader_check_timing(int64_t poll_ms, int timeout_s, char *err, size_t errsize)
{
    /* The leader stops at most one poll plus one query deadline after its
     * session went silent; the server frees the lock no sooner than idle +
     * 3 probes after the last traffic. */
    int64_t stop_ms = poll_ms + (int64_t)timeout_s * MS_PER_SECOND / 3;
    int64_t free_ms = (int64_t)(ka_idle(timeout_s) + 3 * ka_interval(timeout_s)) * MS_PER_SECOND;
    if (stop_ms >= free_ms) {
        snprintf(err, errsize,
                 "cluster.leader_poll_ms (%lld) is too long for cluster.session_timeout_s (%d): a "
                 "leader cut off from the database would stop trading %lld ms after the silence "
                 "began, not before the server frees its lock (%lld ms); lower the poll or raise "
                 "the timeout",
                 (long long)poll_ms, timeout_s, (long long)stop_ms, (long long)free_ms);
        return WT_EINVAL;
    }
    return 0;
}

/* Keeps the lock session's last error; a new one is logged once. */
static void set_error(struct store_leader *l, const char *msg)
{
    pthread_mutex_lock(&l->mu);
    bool changed = strcmp(l->s.error, msg) != 0;
    str_copy(l->s.error, sizeof l->s.error, msg);
    pthread_mutex_unlock(&l->mu);
    if (changed && msg[0])
        log_warn("cluster", "the lock session: %s (retrying every %lld ms)", msg,
                 (long long)l->o.poll_ms);
}

static void set_role(struct store_leader *l, enum leader_role r)
{
    pthread_mutex_lock(&l->mu);
    if (l->s.role != r)
        l->s.since_ms = clock_wall_ms();
    l->s.role = r;
    if (r == LEADER_LEADER) {
        l->s.promotions++;
        str_copy(l->s.leader_id, sizeof l->s.leader_id, l->node_id);
    } else if (l->leading) {
        l->s.demotions++;
    }
    pthread_mutex_unlock(&l->mu);
}

static int64_t mono_ms(void)
{
    return clock_mono_ns() / NS_PER_MS;
}

/* Waits until the socket is readable, the wake pipe has a byte, or
 * timeout_ms passed. Returns true when the socket is readable. */
static bool wait_io(struct store_leader *l, int64_t timeout_ms)
{
    struct pollfd p[2] = {{.fd = l->wake[0], .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    if (l->pg != NULL)
        p[1].fd = PQsocket(l->pg);
    if (timeout_ms < 0)
        timeout_ms = 0;
    if (poll(p, 2, (int)timeout_ms) <= 0)
        return false;
    if (p[0].revents & POLLIN) {
        char junk[64];
        while (read(l->wake[0], junk, sizeof junk) > 0) {
        }
    }
    return p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP));
}

/* Runs one statement within the deadline. Returns its last result (the
 * caller clears it) or NULL: the session is lost (err says why). */
static PGresult *run(struct store_leader *l, const char *sql, int nparams,
                     const char *const *params, char *err, size_t errsize)
{
    int sent = nparams ? PQsendQueryParams(l->pg, sql, nparams, NULL, params, NULL, NULL, 0)
                       : PQsendQuery(l->pg, sql); /* may hold several statements */
    if (!sent) {
        store_pg_errmsg(l->st, l->pg, err, errsize);
        return NULL;
    }
    int64_t deadline = mono_ms() + l->check_ms;
    PGresult *last = NULL;
    for (;;) {
        while (!PQisBusy(l->pg)) {
            PGresult *r = PQgetResult(l->pg);
            if (r == NULL) {
                if (last == NULL)
                    store_pg_errmsg(l->st, l->pg, err, errsize);
                return last;
            }
            if (last != NULL)
                PQclear(last);
            last = r;
        }
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            snprintf(err, errsize, "the lock session did not answer within %lld ms",
                     (long long)l->check_ms);
            break;
        }
        struct pollfd p = {.fd = PQsocket(l->pg), .events = POLLIN};
        if (poll(&p, 1, (int)left) > 0 && !PQconsumeInput(l->pg)) {
            store_pg_errmsg(l->st, l->pg, err, errsize);
            break;
        }
    }
    if (last != NULL)
        PQclear(last);
    return NULL;
}

/* One statement expecting rows or a command; returns false when the
 * session is lost or the statement failed (err). *out gets the first
 * value when asked. */
static bool exec1(struct store_leader *l, const char *sql, int nparams, const char *const *params,
                  char *out, size_t outsize, char *err, size_t errsize)
{
    PGresult *r = run(l, sql, nparams, params, err, errsize);
    if (r == NULL)
        return false;
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
    if (!ok)
        store_pg_errmsg(l->st, l->pg, err, errsize);
    if (ok && out != NULL) {
        out[0] = '\0';
        if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
            str_copy(out, outsize, PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return ok;
}

static void drop_session(struct store_leader *l, const char *why)
{
    if (l->leading) {
        /* Before anything else: the engine stops trading. */
        l->o.demote(l->o.ctx, why);
        set_role(l, LEADER_STANDBY);
        l->leading = false;
        log_error("cluster",
                  "%s lost the trading lock (%s): the engine is stopped; trying to "
                  "take it again as a standby",
                  l->node_id, why);
    }
    if (l->pg != NULL)
        PQfinish(l->pg);
    l->pg = NULL;
    set_error(l, why);
}

static bool open_session(struct store_leader *l)
{
    char idle[16], interval[16], user_timeout[24], app[80];
    int t = l->o.session_timeout_s;
    snprintf(idle, sizeof idle, "%d", ka_idle(t));
    snprintf(interval, sizeof interval, "%d", ka_interval(t));
    snprintf(user_timeout, sizeof user_timeout, "%lld", (long long)(t * MS_PER_SECOND));
    snprintf(app, sizeof app, "walltrack:%s", l->node_id);
    const char *const keys[] = {"keepalives",
                                "keepalives_idle",
                                "keepalives_interval",
                                "keepalives_count",
                                "tcp_user_timeout",
                                "application_name",
                                NULL};
    const char *const vals[] = {"1", idle, interval, "3", user_timeout, app, NULL};
    char err[512];
    l->pg = store_pg_connect_own(l->st, keys, vals, err, sizeof err);
    if (l->pg == NULL) {
        set_error(l, err);
        return false;
    }
    /* The server's side of the same keepalives: it ends a silent peer's
     * session, and with it the lock. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SET tcp_keepalives_idle = %s; SET tcp_keepalives_interval = %s; "
             "SET tcp_keepalives_count = 3; SET tcp_user_timeout = %s",
             idle, interval, user_timeout);
    if (!exec1(l, sql, 0, NULL, NULL, 0, err, sizeof err)) {
        drop_session(l, err);
        return false;
    }
    l->own_pid = PQbackendPID(l->pg);
    set_error(l, "");
    return true;
}

/* Payloads received on the session: to the engine when leading. */
static void read_notifications(struct store_leader *l)
{
    if (l->pg == NULL || !PQconsumeInput(l->pg))
        return;
    PGnotify *n;
    while ((n = PQnotifies(l->pg)) != NULL) {
        if (l->leading && n->be_pid != l->own_pid) {
            l->o.message(l->o.ctx, n->extra, strlen(n->extra));
            pthread_mutex_lock(&l->mu);
            l->s.received++;
            pthread_mutex_unlock(&l->mu);
        }
        PQfreemem(n);
    }
}

/* Forgets what is queued for the leader: this node leads now, and its
 * engine's restore replays those events from the store (handing them to
 * it too would count them twice). */
static void drop_queued(struct store_leader *l)
{
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < l->q.len; i++)
        free(l->q.v[i].text);
    l->q.len = 0;
    pthread_mutex_unlock(&l->mu);
}

/* Sends what is queued (or hands it to the engine here, when leading). */
static bool send_queued(struct store_leader *l, char *err, size_t errsize)
{
    for (;;) {
        pthread_mutex_lock(&l->mu);
        if (l->q.len == 0) {
            pthread_mutex_unlock(&l->mu);
            return true;
        }
        struct payload p = l->q.v[0];
        pthread_mutex_unlock(&l->mu);
        bool ok = true;
        if (l->leading) {
            l->o.message(l->o.ctx, p.text, p.len);
        } else {
            const char *params[] = {STORE_LEADER_CHANNEL, p.text};
            ok = exec1(l, "SELECT pg_notify($1, $2)", 2, params, NULL, 0, err, errsize);
        }
        if (!ok)
            return false; /* kept for the next session */
        pthread_mutex_lock(&l->mu);
        memmove(&l->q.v[0], &l->q.v[1], (l->q.len - 1) * sizeof l->q.v[0]);
        l->q.len--;
        l->s.sent++;
        pthread_mutex_unlock(&l->mu);
        free(p.text);
    }
}

/* Who holds the lock: its session's application_name. */
static const char holder_sql[] =
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 2002873452::oid "
    "AND l.objid = 1953653099::oid AND l.objsubid = 1 AND l.database = "
    "(SELECT oid FROM pg_database WHERE datname = current_database())";

static bool turn(struct store_leader *l)
{
    char err[512], v[128];
    if (l->pg == NULL && !open_session(l))
        return false;
    if (!l->leading) {
        const char *params[] = {STORE_LEADER_LOCK_KEY};
        if (!exec1(l, "SELECT pg_try_advisory_lock($1::bigint)", 1, params, v, sizeof v, err,
                   sizeof err)) {
            drop_session(l, err);
            return false;
        }
        if (strcmp(v, "t") == 0) {
            if (!exec1(l, "LISTEN " STORE_LEADER_CHANNEL, 0, NULL, NULL, 0, err, sizeof err)) {
                drop_session(l, err);
                return false;
            }
            log_info("cluster", "%s holds the trading lock: starting the engine", l->node_id);
            if (l->o.promote(l->o.ctx) != 0) {
                drop_session(l, "the engine could not start: the trading lock is given up");
                return false;
            }
            drop_queued(l); /* stored before the engine's fence: it replays them */
            l->leading = true;
            set_role(l, LEADER_LEADER); /* once the engine runs: /v1/status says so */
        }
    } else if (l->o.failed && l->o.failed(l->o.ctx)) {
        drop_session(l, "the engine's warm-up failed: the trading lock is given up");
        return false;
    } else if (!exec1(l, "SELECT 1", 0, NULL, NULL, 0, err, sizeof err)) {
        drop_session(l, err);
        return false;
    }
    read_notifications(l);
    if (!send_queued(l, err, sizeof err)) {
        drop_session(l, err);
        return false;
    }
    if (!exec1(l, holder_sql, 0, NULL, v, sizeof v, err, sizeof err)) {
        drop_session(l, err);
        return false;
    }
    pthread_mutex_lock(&l->mu);
    str_copy(l->s.leader_id, sizeof l->s.leader_id, strncmp(v, "walltrack:", 10) == 0 ? v + 10 : v);
    pthread_mutex_unlock(&l->mu);
    return true;
}

static void *leader_main(void *arg)
{
    struct store_leader *l = arg;
    int64_t next = 0;
    while (!atomic_load(&l->stop)) {
        int64_t now = mono_ms();
        if (now >= next) {
            (void)turn(l);
            atomic_fetch_add(&l->turns, 1);
            next = mono_ms() + l->o.poll_ms;
            continue;
        }
        bool readable = wait_io(l, next - now);
        if (atomic_load(&l->stop))
            break;
        if (l->pg == NULL)
            continue;
        char err[512];
        if (readable) {
            if (!PQconsumeInput(l->pg) || PQstatus(l->pg) != CONNECTION_OK) {
                store_pg_errmsg(l->st, l->pg, err, sizeof err);
                drop_session(l, err[0] ? err : "the lock session closed");
                next = mono_ms() + l->o.poll_ms;
                continue;
            }
            read_notifications(l);
        }
        if (!send_queued(l, err, sizeof err)) {
            drop_session(l, err);
            next = mono_ms() + l->o.poll_ms;
        }
    }
    return NULL;
}

int store_leader_start(struct store *st, const struct leader_opts *o, struct store_leader **out,
                       char *err, size_t errsize)
{
    *out = NULL;
    if (strcmp(store_backend(st), "postgresql") != 0) {
        snprintf(err, errsize, "several daemons need PostgreSQL; SQLite is single-node");
        return WT_EUNSUPPORTED;
    }
    int rc = store_leader_check_timing(o->poll_ms, o->session_timeout_s, err, errsize);
    if (rc)
        return rc;
    struct store_leader *l = xcalloc(1, sizeof *l);
    l->st = st;
    l->o = *o;
    str_copy(l->node_id, sizeof l->node_id, o->node_id);
    l->check_ms = (int64_t)o->session_timeout_s * MS_PER_SECOND / 3;
    pthread_mutex_init(&l->mu, NULL);
    l->s.role = LEADER_STANDBY;
    l->s.since_ms = clock_wall_ms();
    str_copy(l->s.node_id, sizeof l->s.node_id, l->node_id);
    atomic_init(&l->stop, false);
    atomic_init(&l->turns, 0);
    if (pipe(l->wake) != 0) {
        snprintf(err, errsize, "cannot create a pipe: %s", strerror(errno));
        pthread_mutex_destroy(&l->mu);
        free(l);
        return WT_EIO;
    }
    for (int i = 0; i < 2; i++) {
        (void)fcntl(l->wake[i], F_SETFL, O_NONBLOCK);
        (void)fcntl(l->wake[i], F_SETFD, FD_CLOEXEC);
    }
    if (pthread_create(&l->thread, NULL, leader_main, l) != 0) {
        snprintf(err, errsize, "cannot start the cluster thread");
        close(l->wake[0]);
        close(l->wake[1]);
        pthread_mutex_destroy(&l->mu);
        free(l);
        return WT_EIO;
    }
    *out = l;
    return 0;
}

static void wake(struct store_leader *l)
{
    char c = 1;
    ssize_t n = write(l->wake[1], &c, 1); /* a full pipe already wakes it */
    (void)n;
}

bool store_leader_wait_first(struct store_leader *l, int64_t timeout_ms)
{
    int64_t end = mono_ms() + timeout_ms;
    while (atomic_load(&l->turns) == 0) {
        if (mono_ms() >= end)
            return false;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    return true;
}

void store_leader_stop(struct store_leader *l)
{
    if (l == NULL || atomic_load(&l->stop))
        return;
    atomic_store(&l->stop, true);
    wake(l);
    pthread_join(l->thread, NULL);
}

void store_leader_free(struct store_leader *l)
{
    if (l == NULL)
        return;
    store_leader_stop(l);
    if (l->pg != NULL)
        PQfinish(l->pg); /* the session ends: the lock is free */
    close(l->wake[0]);
    close(l->wake[1]);
    drop_queued(l);
    vec_free(&l->q);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

void store_leader_status(struct store_leader *l, struct leader_status *out)
{
    pthread_mutex_lock(&l->mu);
    *out = l->s;
    pthread_mutex_unlock(&l->mu);
}

bool store_leader_is_leader(struct store_leader *l)
{
    pthread_mutex_lock(&l->mu);
    bool r = l->s.role == LEADER_LEADER;
    pthread_mutex_unlock(&l->mu);
    return r;
}

int store_leader_send(struct store_leader *l, const char *payload, size_t len)
{
    if (len >= STORE_LEADER_PAYLOAD_MAX || memchr(payload, '\0', len) != NULL)
        return WT_EINVAL;
    pthread_mutex_lock(&l->mu);
    if (l->q.len >= QUEUE_MAX) {
        l->s.dropped++;
        pthread_mutex_unlock(&l->mu);
        return WT_EFULL;
    }
    struct payload *p = vec_push_zero(&l->q);
    p->text = xmalloc(len + 1);
    memcpy(p->text, payload, len);
    p->text[len] = '\0';
    p->len = len;
    pthread_mutex_unlock(&l->mu);
    wake(l);
    return 0;
}
