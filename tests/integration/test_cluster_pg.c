/* Integration test of several daemons on one PostgreSQL database
 * (store/leader.h, docs/operations.md "Several daemons on one
 * PostgreSQL"): three `walltrack serve` nodes on the throwaway server of
 * tests/store/with_pg.sh (cmake/tests_cluster.cmake), paper trading.
 *
 *   * Webhook deliveries, posted round-robin to every node, move the
 *     engine: a simulated market (src/sim) in the Helius enhanced format
 *     with watched wallets, so that the engine opens positions, plus
 *     copies of the real recorded Jupiter swap (tests/fixtures/real).
 *   * The leader is killed with SIGKILL mid-feed; feeding goes on to the
 *     two survivors, during the takeover and after it.
 *   * Checked: every delivery acknowledged with 200 by any node is stored
 *     (none twice); a sampler reading /v1/status of every node all along
 *     never sees two leaders at once, and one survivor leads after the
 *     kill; the orders name the node that placed them, and the two
 *     leaders' orders do not interleave (one engine at a time); no signal
 *     has two buy orders and no mint two open positions (no doubled
 *     order); the new leader restored the state and received the events
 *     a standby stored. The takeover time is printed, not asserted.
 *   * A second case: the leader's lock session goes silent (its server
 *     process stopped); the leader stops trading by itself while nobody
 *     else can lead, and a node leads again once the session ends.
 *
 * Skipped (with a message) without WALLTRACK_TEST_PG_URL, i.e. outside
 * with_pg.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "../support/fakesrv.c"
#include "../support/fakehelius.c"

#include "harness.h"
#include "sim/sim.h"
#include "solana/base58.h"

#define SECRET "whsec-cluster-test"
#define AUTH   "Authorization: " SECRET
#define NODES  3
#define CAP_S  60 /* generous cap on every "until" below */

static const char *pg_url;
static pid_t stopped_backend; /* SIGSTOPped by a test: continued whatever happens */

static int continue_backend(void **state)
{
    (void)state;
    if (stopped_backend > 0)
        kill(stopped_backend, SIGCONT);
    stopped_backend = 0;
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the nodes -------------------------------------------------------------------- */

struct node {
    struct daemon d;
    char id[16];
    atomic_bool alive;
};

static struct node nodes[NODES];

/* This node's role from /v1/status ("leader", "standby", "single"), or ""
 * when it does not answer; the leader it names into leader. */
static void node_role(struct node *n, char *role, size_t rsize, char *leader, size_t lsize)
{
    role[0] = '\0';
    if (leader)
        leader[0] = '\0';
    struct buf body;
    buf_init(&body, 0);
    if (http_request(n->d.port, "GET", "/v1/status", NULL, NULL, 0, &body) == 200) {
        const char *c = strstr(body.data, "\"cluster\":{\"role\":\"");
        if (c) {
            c += strlen("\"cluster\":{\"role\":\"");
            snprintf(role, rsize, "%.*s", (int)strcspn(c, "\""), c);
        }
        const char *l = c ? strstr(c, "\"leader\":\"") : NULL;
        if (l && leader) {
            l += strlen("\"leader\":\"");
            snprintf(leader, lsize, "%.*s", (int)strcspn(l, "\""), l);
        }
    }
    buf_release(&body);
}

/* The index of the node that says it leads, or -1 (none, or several). */
static int find_leader(void)
{
    int who = -1, count = 0;
    for (int i = 0; i < NODES; i++) {
        if (!atomic_load(&nodes[i].alive))
            continue;
        char role[16];
        node_role(&nodes[i], role, sizeof role, NULL, 0);
        if (strcmp(role, "leader") == 0) {
            who = i;
            count++;
        }
    }
    return count == 1 ? who : -1;
}

/* Starts n nodes named <prefix>1..n (one after the other: the first
 * applies the migrations), paper trading, polling the lock every 200 ms,
 * with one more setting and up to 4 more environment variables (NULL-ended,
 * or NULL); waits until exactly one leads and returns it. */
static int start_nodes_env(int n, const char *prefix, const char *setting,
                           const char *const *more_env)
{
    char dbenv[1200];
    snprintf(dbenv, sizeof dbenv, "WALLTRACK_DB=%s", pg_url);
    const char *env[7] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, dbenv, NULL};
    for (size_t k = 0; more_env && more_env[k] && k < 4; k++)
        env[2 + k] = more_env[k];
    for (int i = 0; i < NODES; i++) {
        atomic_store(&nodes[i].alive, false);
        if (i >= n)
            continue;
        char idset[64];
        snprintf(nodes[i].id, sizeof nodes[i].id, "%s%d", prefix, i + 1);
        snprintf(idset, sizeof idset, "cluster.node_id=%s", nodes[i].id);
        const char *args[] = {"--set", "dexscreener.api_url=",
                              "--set", "cluster.leader_poll_ms=200",
                              "--set", idset,
                              "--set", setting,
                              NULL};
        assert_int_equal(daemon_start(&nodes[i].d, args, env), 0);
        atomic_store(&nodes[i].alive, true);
    }
    int leader = -1;
    for (int i = 0; i < CAP_S * 10 && (leader = find_leader()) < 0; i++)
        sleep_ms(100);
    assert_true(leader >= 0);
    return leader;
}

static int start_nodes(int n, const char *prefix, const char *setting)
{
    return start_nodes_env(n, prefix, setting, NULL);
}

/* ---- the sampler: /v1/status of every node, all along ---------------------------- */

struct sampler {
    atomic_bool stop;
    atomic_uint kills;      /* bumped around a kill: a sweep across it is not counted */
    atomic_llong killed_ms; /* mono time of the kill, 0 before */
    unsigned sweeps, overlaps, max_leaders;
    int64_t first_leader_after_kill_ms; /* 0: not yet */
};

static void *sample_loop(void *arg)
{
    struct sampler *s = arg;
    while (!atomic_load(&s->stop)) {
        unsigned k0 = atomic_load(&s->kills);
        unsigned leaders = 0;
        for (int i = 0; i < NODES; i++) {
            if (!atomic_load(&nodes[i].alive))
                continue;
            char role[16];
            node_role(&nodes[i], role, sizeof role, NULL, 0);
            leaders += strcmp(role, "leader") == 0;
        }
        int64_t now = mono_ms();
        if (atomic_load(&s->kills) == k0) {
            s->sweeps++;
            if (leaders > s->max_leaders)
                s->max_leaders = leaders;
            s->overlaps += leaders > 1;
            if (leaders >= 1 && atomic_load(&s->killed_ms) && !s->first_leader_after_kill_ms)
                s->first_leader_after_kill_ms = now;
        }
        sleep_ms(20);
    }
    return NULL;
}

/* ---- the feed ----------------------------------------------------------------------- */

struct feed {
    struct buf *bodies; /* each a JSON array of transactions */
    size_t n, next;
    unsigned rr; /* round-robin cursor */
    /* the signatures of every acknowledged transaction */
    char (*acked)[BASE58_SIG_MAX];
    size_t nacked, cap;
    unsigned refused;
};

static void note_acked(struct feed *f, const char *body)
{
    for (const char *p = strstr(body, "\"signature\":"); p; p = strstr(p + 1, "\"signature\":")) {
        p += strlen("\"signature\":");
        p += strspn(p, " \"");
        if (f->nacked == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 4096;
            f->acked = realloc(f->acked, f->cap * sizeof *f->acked);
            assert_non_null(f->acked);
        }
        snprintf(f->acked[f->nacked++], BASE58_SIG_MAX, "%.*s", (int)strcspn(p, "\""), p);
    }
}

/* Posts the next count bodies, each to the next live node (another one if
 * a node refuses it: only a 200 counts as acknowledged). */
static void feed_some(struct feed *f, size_t count)
{
    for (size_t k = 0; k < count && f->next < f->n; k++, f->next++) {
        const struct buf *b = &f->bodies[f->next];
        for (int tries = 0; tries < 2 * NODES; tries++) {
            struct node *n = &nodes[f->rr++ % NODES];
            if (!atomic_load(&n->alive))
                continue;
            long st =
                http_request(n->d.port, "POST", "/webhooks/helius", AUTH, b->data, b->len, NULL);
            if (st == 200) {
                note_acked(f, b->data);
                break;
            }
            f->refused++;
        }
    }
}

/* The simulated market as bodies of up to 40 transactions, the real swap
 * fixture's copies every tenth body; the wallets to watch into watch. */
static void build_feed(struct feed *f, char (**watch)[BASE58_KEY_MAX], size_t *nwatch, int **scores)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = 2020;
    sc.days = 1;
    sc.tokens_per_day = 300;
    scenario_scale_wallets(&sc, (uint32_t)scenario_min_wallets(&sc) + 200);
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    int64_t now = (int64_t)t.tv_sec * 1000;
    sc.start_time = now / 1000;
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);
    *watch = calloc(sim_wallet_count(s), sizeof **watch);
    *scores = calloc(sim_wallet_count(s), sizeof **scores);
    *nwatch = 0;
    for (uint32_t w = 0; w < sim_wallet_count(s); w++) {
        enum sim_wallet_type ty = sim_wallet_type(s, w);
        if (ty != SIM_SKILLED && ty != SIM_FADING && ty != SIM_SNIPER)
            continue;
        snprintf((*watch)[*nwatch], BASE58_KEY_MAX, "%s", sim_wallet_address(s, w));
        (*scores)[(*nwatch)++] = ty == SIM_SNIPER ? 70 : 90;
    }
    f->bodies = calloc(4096, sizeof *f->bodies);
    struct buf one;
    buf_init(&one, 0);
    struct sim_tx tx;
    size_t in_body = 0;
    unsigned fixture_no = 0;
    while (sim_next(s, &tx) == 1 && tx.ts_ms <= now + 3 * 3600 * 1000 && f->n < 4000) {
        buf_reset(&one);
        assert_int_equal(sim_tx_json(s, &tx, &one), 0);
        struct buf *b = &f->bodies[f->n];
        if (in_body == 0)
            buf_init(b, 0);
        buf_putc(b, in_body ? ',' : '[');
        buf_append(b, one.data + 1, one.len - 2); /* "[{...}]": the object */
        if (++in_body == 40) {
            buf_putc(b, ']');
            in_body = 0;
            f->n++;
            if (f->n % 10 == 0) { /* real recorded deliveries too */
                buf_init(&f->bodies[f->n], 0);
                assert_int_equal(harness_swap_body(&f->bodies[f->n], 900000 + fixture_no, 5), 0);
                fixture_no += 5;
                f->n++;
            }
        }
    }
    if (in_body) {
        buf_putc(&f->bodies[f->n], ']');
        f->n++;
    }
    buf_release(&one);
    sim_free(s);
}

/* ---- the database ----------------------------------------------------------------- */

static long long sql_int(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* Whether sig is stored: a swap (harness_sigset), a transfer or a skipped
 * transaction (kept with its reason). */
static bool stored_elsewhere(PGconn *pg, const char *sig)
{
    uint8_t raw[64];
    if (base58_decode(sig, strlen(sig), raw, sizeof raw) != 0)
        return false;
    const char *vals[2] = {(const char *)raw, sig};
    int lens[2] = {64, (int)strlen(sig)};
    int fmts[2] = {1, 0};
    PGresult *r = PQexecParams(pg,
                               "SELECT (SELECT count(*) FROM transfers WHERE sig = $1) + "
                               "(SELECT count(*) FROM skipped_txs WHERE sig = $2)",
                               2, NULL, vals, lens, fmts, 0);
    bool found = PQresultStatus(r) == PGRES_TUPLES_OK && atoll(PQgetvalue(r, 0, 0)) > 0;
    PQclear(r);
    return found;
}

/* Waits until the leader's engine has handled what was queued and filled
 * its paper orders. */
static void settle(int leader)
{
    struct buf body;
    buf_init(&body, 0);
    for (int i = 0; i < CAP_S * 10; i++) {
        buf_reset(&body);
        http_request(nodes[leader].d.port, "GET", "/v1/status", NULL, NULL, 0, &body);
        if (body.data && strstr(body.data, "\"queued\":0") &&
            strstr(body.data, "\"pending_orders\":0"))
            break;
        sleep_ms(100);
    }
    sleep_ms(500);
    buf_release(&body);
}

static void test_three_nodes_leader_killed(void **state)
{
    (void)state;
    if (pg_url == NULL) {
        print_message("cluster_pg: skipped: WALLTRACK_TEST_PG_URL is not set (ctest runs this "
                      "under tests/store/with_pg.sh)\n");
        skip();
    }
    struct feed f = {0};
    char(*watch)[BASE58_KEY_MAX] = NULL;
    int *scores = NULL;
    size_t nwatch = 0;
    build_feed(&f, &watch, &nwatch, &scores);
    assert_true(f.n > 40 && nwatch > 5);

    int leader = start_nodes(NODES, "node", "ingest.max_future_s=86400");
    /* The standbys name the leader and refuse engine commands with 503. */
    for (int i = 0; i < NODES; i++) {
        char role[16], who[64];
        for (int k = 0; k < CAP_S * 10; k++) { /* each reads the holder once a poll */
            node_role(&nodes[i], role, sizeof role, who, sizeof who);
            if (strcmp(who, nodes[leader].id) == 0)
                break;
            sleep_ms(100);
        }
        assert_string_equal(role, i == leader ? "leader" : "standby");
        assert_string_equal(who, nodes[leader].id);
    }
    struct buf body;
    buf_init(&body, 0);
    int standby = (leader + 1) % NODES;
    const char *req = "{\"wallet\":\"FCHTRYx6npkQCogtpZtEFLJeevAFGbDHhJyvqvT6F4kX\"}";
    assert_int_equal(
        http_request(nodes[standby].d.port, "POST", "/v1/watchlist", NULL, req, strlen(req), &body),
        503);
    assert_non_null(strstr(body.data, "standby"));
    for (size_t w = 0; w < nwatch; w++) {
        char one[256];
        snprintf(one, sizeof one, "{\"wallet\":\"%s\",\"score\":%d}", watch[w], scores[w]);
        buf_reset(&body);
        assert_int_equal(http_request(nodes[leader].d.port, "POST", "/v1/watchlist", NULL, one,
                                      strlen(one), &body),
                         200);
    }

    struct sampler smp = {0};
    pthread_t th;
    pthread_create(&th, NULL, sample_loop, &smp);

    /* Phase 1: 60% of the market, to every node. */
    feed_some(&f, f.n * 6 / 10);
    settle(leader);
    PGconn *pg = PQconnectdb(pg_url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE node = '%s'", nodes[leader].id);
    long long before = sql_int(pg, sql);
    assert_true(before > 0); /* the first leader traded */
    long long open_before = sql_int(pg, "SELECT count(*) FROM positions WHERE status <> 'closed'");

    /* Kill the leader; feeding goes on during the takeover... */
    atomic_fetch_add(&smp.kills, 1);
    int64_t killed = mono_ms();
    atomic_store(&smp.killed_ms, killed);
    kill(nodes[leader].d.pid, SIGKILL);
    int wst;
    waitpid(nodes[leader].d.pid, &wst, 0);
    atomic_store(&nodes[leader].alive, false);
    atomic_fetch_add(&smp.kills, 1);
    int old = leader;
    feed_some(&f, f.n / 10);
    /* ...and after it. */
    leader = -1;
    for (int i = 0; i < CAP_S * 10 && (leader = find_leader()) < 0; i++)
        sleep_ms(100);
    assert_true(leader >= 0 && leader != old);
    feed_some(&f, f.n);
    settle(leader);
    atomic_store(&smp.stop, true);
    pthread_join(th, NULL);
    double takeover_s = smp.first_leader_after_kill_ms
                            ? (double)(smp.first_leader_after_kill_ms - killed) / 1e3
                            : -1;

    /* The new leader restored the engine from the store and received the
     * events its standby peer stored. */
    buf_reset(&body);
    assert_int_equal(http_request(nodes[leader].d.port, "GET", "/v1/status", NULL, NULL, 0, &body),
                     200);
    assert_non_null(strstr(body.data, "\"state_found\":true"));
    const char *rec = strstr(body.data, "\"received\":");
    assert_non_null(rec);
    long long received = strtoll(rec + strlen("\"received\":"), NULL, 10);
    assert_true(received > 0);

    /* One engine at a time: never two leaders in a sweep... */
    assert_int_equal(smp.overlaps, 0);
    assert_true(smp.sweeps > 10);
    /* ...and the orders of the two leaders do not interleave. */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE node = '%s'", nodes[leader].id);
    long long after = sql_int(pg, sql);
    assert_true(after > 0); /* the new leader traded */
    assert_int_equal(sql_int(pg, "SELECT count(DISTINCT node) FROM orders"), 2);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM orders a JOIN orders b ON a.node = '%s' AND b.node = '%s' "
             "AND a.id > b.id",
             nodes[old].id, nodes[leader].id);
    assert_int_equal(sql_int(pg, sql), 0);
    /* No doubled order: one buy per signal, one open position per mint. */
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM (SELECT signal_id FROM orders WHERE side "
                                 "= 1 GROUP BY signal_id HAVING count(*) > 1) d"),
                     0);
    assert_int_equal(sql_int(pg, "SELECT count(*) FROM (SELECT mint FROM positions WHERE status "
                                 "<> 'closed' GROUP BY mode, mint HAVING count(*) > 1) d"),
                     0);

    for (int i = 0; i < NODES; i++)
        if (atomic_load(&nodes[i].alive))
            assert_int_equal(daemon_stop(&nodes[i].d, SIGTERM), 0);

    /* Nothing acknowledged was lost, nothing stored twice. */
    struct harness_sigset c;
    assert_int_equal(harness_sigset_load(&c, pg_url), 0);
    assert_true(harness_sigset_unique(&c));
    size_t swaps_acked = 0;
    for (size_t i = 0; i < f.nacked; i++) {
        if (harness_sigset_has(&c, f.acked[i]))
            swaps_acked++;
        else if (!stored_elsewhere(pg, f.acked[i]))
            fail_msg("acknowledged transaction %s is missing", f.acked[i]);
    }
    assert_true(swaps_acked > 0);
    PQfinish(pg);
    print_message("cluster: %zu bodies, %zu transactions acknowledged (%u refused), %zu swaps "
                  "stored; orders: %lld by %s before the kill (%lld positions open), %lld by %s "
                  "after; %u status sweeps, at most %u leader(s) at once; takeover %.2f s after "
                  "the kill (printed, not asserted; cluster.leader_poll_ms=200)\n",
                  f.n, f.nacked, f.refused, c.n, before, nodes[old].id, open_before, after,
                  nodes[leader].id, smp.sweeps, smp.max_leaders, takeover_s);
    harness_sigset_release(&c);
    for (int i = 0; i < NODES; i++)
        harness_rmdir(nodes[i].d.dir);
    for (size_t i = 0; i < f.n; i++)
        buf_release(&f.bodies[i]);
    free(f.bodies);
    free(f.acked);
    free(watch);
    free(scores);
    buf_release(&body);
}

/* A leader whose lock session goes silent (its server process stopped
 * with SIGSTOP: no answer, no closed socket, as when the network between
 * them is cut) stops trading by itself within one poll plus a third of
 * cluster.session_timeout_s, while the silent session still holds the
 * lock, so no other node can lead meanwhile; once the session ends
 * (SIGCONT: the server sees the closed connection), a node takes over. */
static void test_silent_session_leader_stops(void **state)
{
    (void)state;
    if (pg_url == NULL) {
        print_message("cluster_pg: skipped: WALLTRACK_TEST_PG_URL is not set\n");
        skip();
    }
    int leader = start_nodes(2, "silent", "cluster.session_timeout_s=3");
    int other = 1 - leader;

    PGconn *pg = PQconnectdb(pg_url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT pid FROM pg_stat_activity WHERE application_name = 'walltrack:%s'",
             nodes[leader].id);
    long long backend = sql_int(pg, sql);
    assert_true(backend > 0);
    stopped_backend = (pid_t)backend;
    assert_int_equal(kill((pid_t)backend, SIGSTOP), 0);
    int64_t t0 = mono_ms();

    /* The leader stops trading by itself; nobody else leads meanwhile. */
    char role[16], role2[16];
    bool stopped = false, other_led = false;
    for (int i = 0; i < CAP_S * 20 && !stopped; i++) {
        node_role(&nodes[leader], role, sizeof role, NULL, 0);
        node_role(&nodes[other], role2, sizeof role2, NULL, 0);
        other_led |= strcmp(role2, "leader") == 0;
        stopped = strcmp(role, "standby") == 0;
        if (!stopped)
            sleep_ms(50);
    }
    int64_t t_stop = mono_ms();
    assert_true(stopped);
    assert_false(other_led);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(
        http_request(nodes[leader].d.port, "GET", "/v1/positions", NULL, NULL, 0, &body), 503);
    for (int i = 0; i < 5; i++) { /* the stopped session still holds the lock */
        node_role(&nodes[other], role2, sizeof role2, NULL, 0);
        assert_string_equal(role2, "standby");
        sleep_ms(100);
    }

    /* The session ends: a node takes the lock again. */
    assert_int_equal(kill((pid_t)backend, SIGCONT), 0);
    stopped_backend = 0;
    int64_t t1 = mono_ms();
    leader = -1;
    for (int i = 0; i < CAP_S * 10 && (leader = find_leader()) < 0; i++)
        sleep_ms(50);
    assert_true(leader >= 0);
    int64_t t2 = mono_ms();
    print_message("silent session: the leader stopped trading %.2f s after its session went "
                  "silent (bound: 0.2 s poll + 1 s query deadline, with "
                  "cluster.session_timeout_s=3); %s leads %.2f s after the session ended "
                  "(printed, not asserted)\n",
                  (double)(t_stop - t0) / 1e3, nodes[leader].id, (double)(t2 - t1) / 1e3);
    PQfinish(pg);
    for (int i = 0; i < 2; i++)
        assert_int_equal(daemon_stop(&nodes[i].d, SIGTERM), 0);
    for (int i = 0; i < 2; i++)
        harness_rmdir(nodes[i].d.dir);
    buf_release(&body);
}

/* One line of a node's /metrics ("name{labels} value"): its value, or -1
 * when the line is not there. */
static double node_metric(const struct node *n, const char *series)
{
    struct buf body;
    buf_init(&body, 0);
    double v = -1;
    if (http_request(n->d.port, "GET", "/metrics", NULL, NULL, 0, &body) == 200) {
        size_t len = strlen(series);
        for (const char *p = body.data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
            if (strncmp(p, series, len) == 0 && p[len] == ' ') {
                v = strtod(p + len + 1, NULL);
                break;
            }
    }
    buf_release(&body);
    return v;
}

/* The scheduled jobs that write the same rows or spend the same API
 * credits (discovery, the graph rebuild, backups) run on the leader only:
 * with graph.on_start both nodes have the rebuild due at their start; the
 * leader runs it, the standby counts it as skipped (standby). */
static void test_jobs_on_the_leader_only(void **state)
{
    (void)state;
    if (pg_url == NULL) {
        print_message("cluster_pg: skipped: WALLTRACK_TEST_PG_URL is not set\n");
        skip();
    }
    int leader = start_nodes(2, "jobs", "graph.on_start=true");
    int other = 1 - leader;
    const char *runs = "walltrack_job_runs_total{job=\"graph\"}";
    const char *gated = "walltrack_job_skipped_total{job=\"graph\",reason=\"standby\"}";
    double lr = -1, og = -1;
    for (int i = 0; i < CAP_S * 10 && (lr < 1 || og < 1); i++) {
        lr = node_metric(&nodes[leader], runs);
        og = node_metric(&nodes[other], gated);
        if (lr < 1 || og < 1)
            sleep_ms(100);
    }
    print_message("graph rebuild at start: the leader ran it %.0f time(s), the standby skipped "
                  "it %.0f time(s) and ran it %.0f\n",
                  lr, og, node_metric(&nodes[other], runs));
    assert_true(lr == 1);
    assert_true(og == 1);
    assert_true(node_metric(&nodes[other], runs) == 0);
    assert_true(node_metric(&nodes[leader], gated) == 0);
    /* The database's size, as PostgreSQL measures it, on every node. */
    for (int i = 0; i < 2; i++)
        assert_true(node_metric(&nodes[i], "walltrack_db_bytes{file=\"db\"}") > 1e6);
    /* Jobs every node needs still run on the standby (the first at 1 s). */
    const char *health = "walltrack_job_runs_total{job=\"store health\"}";
    double oh = -1;
    for (int i = 0; i < CAP_S * 10 && (oh = node_metric(&nodes[other], health)) < 1; i++)
        sleep_ms(100);
    assert_true(oh >= 1);
    for (int i = 0; i < 2; i++)
        assert_int_equal(daemon_stop(&nodes[i].d, SIGTERM), 0);
    for (int i = 0; i < 2; i++)
        harness_rmdir(nodes[i].d.dir);
}

/* The Helius webhook sync (ingest/hooksync.h) is one webhook for all
 * nodes: the leader keeps it, a standby never calls Helius and says
 * "standby", and the standby that takes over after the leader stops syncs
 * at once. The fake Helius answers the webhook API as Helius does. */
#define HOOK_KEY    "cluster-hooksync-key"
#define HOOK_URL    "https://walltrack.example.org/webhooks/helius"
#define HOOK_WALLET "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"

static struct fakehelius fh;

static void helius_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    if (!strstr(req->url, "api-key=" HOOK_KEY) || !fakehelius_handle(&fh, req, resp)) {
        resp->status = 404;
        resp->body = "{}";
        resp->body_len = 2;
    }
}

/* The node's inputs.helius_webhook: its status, and the requests it sent
 * to Helius (-1 when the node does not answer). */
static long long hook_of(const struct node *n, char *status, size_t size)
{
    status[0] = '\0';
    long long requests = -1;
    struct buf body;
    buf_init(&body, 0);
    if (http_request(n->d.port, "GET", "/v1/status", NULL, NULL, 0, &body) == 200) {
        const char *h = strstr(body.data, "\"helius_webhook\":{\"status\":\"");
        if (h) {
            h += strlen("\"helius_webhook\":{\"status\":\"");
            snprintf(status, size, "%.*s", (int)strcspn(h, "\""), h);
            const char *r = strstr(h, "\"requests\":");
            if (r)
                requests = strtoll(r + strlen("\"requests\":"), NULL, 10);
        }
    }
    buf_release(&body);
    return requests;
}

static void test_webhook_sync_on_the_leader_only(void **state)
{
    (void)state;
    if (pg_url == NULL) {
        print_message("cluster_pg: skipped: WALLTRACK_TEST_PG_URL is not set\n");
        skip();
    }
    fh_init(&fh);
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, helius_handler, NULL), 0);
    char e_url[128];
    snprintf(e_url, sizeof e_url, "WALLTRACK_HELIUS_API_URL=%s", srv.url);
    const char *env[] = {"WALLTRACK_HELIUS_API_KEY=" HOOK_KEY,
                         "WALLTRACK_HELIUS_WEBHOOK_URL=" HOOK_URL, e_url, NULL};
    int leader = start_nodes_env(2, "hook", "helius.webhook_sync_debounce_ms=100", env);
    int other = 1 - leader;
    char st_l[32], st_o[32];
    long long req_l = -1, req_o = -1;
    for (int i = 0; i < CAP_S * 10; i++) {
        req_l = hook_of(&nodes[leader], st_l, sizeof st_l);
        req_o = hook_of(&nodes[other], st_o, sizeof st_o);
        if (strcmp(st_l, "in_sync") == 0 && strcmp(st_o, "standby") == 0)
            break;
        sleep_ms(100);
    }
    assert_string_equal(st_l, "in_sync");
    /* A wallet watched through the leader's API reaches Helius. */
    assert_int_equal(http_request(nodes[leader].d.port, "POST",
                                  "/v1/smart-money/wallets/" HOOK_WALLET "/watch", NULL, "{}", 2,
                                  NULL),
                     200);
    bool registered = false;
    for (int i = 0; i < CAP_S * 10 && !registered; i++) {
        pthread_mutex_lock(&fh.mu);
        registered = fh_has(fh_find_url(&fh, HOOK_URL), HOOK_WALLET);
        pthread_mutex_unlock(&fh.mu);
        if (!registered)
            sleep_ms(100);
    }
    assert_true(registered);
    sleep_ms(1500); /* the standby has asked again, more than once */
    req_l = hook_of(&nodes[leader], st_l, sizeof st_l);
    req_o = hook_of(&nodes[other], st_o, sizeof st_o);
    int total = fakesrv_count(&srv), heard = 0;
    assert_true(total <= FAKE_MAX_RECORDED);
    pthread_mutex_lock(&srv.lock); /* the webhook API's requests (discovery's crawl asks too) */
    for (int k = 0; k < total; k++)
        heard += strncmp(srv.recorded[k].url, "/v0/webhooks", 12) == 0;
    pthread_mutex_unlock(&srv.lock);
    print_message("webhook sync: the leader %s after %lld request(s); the standby %s after %lld; "
                  "Helius heard %d\n",
                  st_l, req_l, st_o, req_o, heard);
    assert_string_equal(st_l, "in_sync");
    assert_true(req_l >= 2);
    assert_string_equal(st_o, "standby");
    assert_int_equal(req_o, 0);
    assert_int_equal(heard, req_l); /* every request Helius heard was the leader's */

    /* The leader stops: the standby takes the lock and syncs. */
    assert_int_equal(daemon_stop(&nodes[leader].d, SIGTERM), 0);
    atomic_store(&nodes[leader].alive, false);
    for (int i = 0; i < CAP_S * 10; i++) {
        req_o = hook_of(&nodes[other], st_o, sizeof st_o);
        if (strcmp(st_o, "in_sync") == 0)
            break;
        sleep_ms(100);
    }
    print_message("after the leader stopped, the other node: %s after %lld request(s)\n", st_o,
                  req_o);
    assert_string_equal(st_o, "in_sync");
    assert_true(req_o >= 1);
    pthread_mutex_lock(&fh.mu);
    assert_true(fh_has(fh_find_url(&fh, HOOK_URL), HOOK_WALLET)); /* kept */
    pthread_mutex_unlock(&fh.mu);
    assert_int_equal(daemon_stop(&nodes[other].d, SIGTERM), 0);
    for (int i = 0; i < 2; i++)
        harness_rmdir(nodes[i].d.dir);
    fakesrv_stop(&srv);
    fh_release(&fh);
}

int main(void)
{
    pg_url = getenv("WALLTRACK_TEST_PG_URL");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_nodes_leader_killed),
        cmocka_unit_test_teardown(test_silent_session_leader_stops, continue_backend),
        cmocka_unit_test(test_jobs_on_the_leader_only),
        cmocka_unit_test(test_webhook_sync_on_the_leader_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
