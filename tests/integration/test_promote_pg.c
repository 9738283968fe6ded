/* A standby's promotion on PostgreSQL counts every stored swap exactly
 * once (trade/runner.h runner_promote, docs/operations.md "Several daemons
 * on one PostgreSQL"): node A leads and takes 60 transactions; node B,
 * a standby with engine.warmup_hold_file, takes the trading lock when A
 * stops, and its warm-up is held while deliveries arrive, to B itself and
 * to node C (a standby that forwards them to B). Once the hold goes, B's
 * engine has replayed exactly the swaps stored before it took the lock
 * (GET /v1/status restore.swaps_warmed) and handled each one delivered
 * meanwhile as an event exactly once (counters.swaps, read until it
 * settles): replayed + handled = stored. Both with the warm-up in the
 * background (B leads at once, its engine routes answer 503 meanwhile)
 * and with engine.warmup_background=false (the promotion waits for the
 * warm-up: B names no leader until it is done). Before the fix, a promotion
 * warmed up first on the lock thread with no fence: the hold did not
 * hold it, and what came during a warm-up was replayed and handled too.
 *
 * A second case fails a promotion's warm-up (an unreadable open
 * position): the node gives the lock up and takes it again instead of
 * leading with no engine, and leads once the row is gone.
 *
 * Skipped (with a message) without WALLTRACK_TEST_PG_URL, i.e. outside
 * tests/store/with_pg.sh (cmake/tests_cluster.cmake runs it there). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "harness.h"

#define SECRET "whsec-promote-test"
#define AUTH   "Authorization: " SECRET
#define CAP    600 /* polls of 100 ms: the cap on every "until" below */

static const char *pg_url;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void post(unsigned port, unsigned first, unsigned n)
{
    assert_int_equal(harness_post_swaps(port, AUTH, first, n), 200);
}

/* GET /v1/status on port: <obj>.<key> as an integer (i64 true) into *n,
 * or as a string into out ("" when absent). */
static void status_at(unsigned port, const char *obj, const char *key, bool i64, int64_t *n,
                      char *out, size_t size)
{
    struct buf b;
    buf_init(&b, 0);
    struct json_doc *doc;
    struct json_val root, o;
    if (harness_status(port, &doc, &root, &b) != 0)
        fail_msg("GET /v1/status failed: %s", b.data ? b.data : "");
    const char *s = "";
    if (i64 && harness_i64_at(&root, obj, key, n) != 0)
        fail_msg("status: no %s.%s", obj, key);
    if (!i64 && (json_get(&root, obj, &o) != 0 || json_get_str(&o, key, &s, NULL) != 0))
        s = "";
    if (!i64)
        snprintf(out, size, "%s", s);
    json_doc_free(doc);
    buf_release(&b);
}

static void str_at(unsigned port, const char *obj, const char *key, char *out, size_t size)
{
    status_at(port, obj, key, false, NULL, out, size);
}

static int64_t i64_at(unsigned port, const char *obj, const char *key)
{
    int64_t n = 0;
    status_at(port, obj, key, true, &n, NULL, 0);
    return n;
}

static int64_t stored_swaps(void)
{
    int64_t n = harness_swaps_stored(pg_url);
    assert_true(n >= 0);
    return n;
}

/* Whether node id's lock session holds the trading lock (any advisory
 * lock: the test's database has no other). */
static bool holds_lock(PGconn *pg, const char *id)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
             "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = "
             "'walltrack:%s'",
             id);
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    bool held = atoll(PQgetvalue(r, 0, 0)) > 0;
    PQclear(r);
    return held;
}

/* The engine's counters.swaps on port once it has reached want (within
 * the cap) and a further 1.5 s have passed (more would be a swap handled
 * twice). */
static int64_t handled_settled(unsigned port, int64_t want)
{
    int64_t n = -1;
    for (int i = 0; i < CAP * 10 + 150; i++) {
        n = i64_at(port, "counters", "swaps");
        if (n >= want && i < CAP * 10)
            i = CAP * 10; /* then 150 more polls */
        sleep_ms(10);
    }
    return n;
}

/* Waits (within the cap) until the node on port leads with its engine
 * warmed up. */
static void wait_leading(unsigned port)
{
    char role[32] = "", warm[32] = "";
    for (int i = 0; i < CAP && (strcmp(role, "leader") != 0 || strcmp(warm, "done") != 0); i++) {
        str_at(port, "cluster", "role", role, sizeof role);
        str_at(port, "warmup", "state", warm, sizeof warm);
        sleep_ms(100);
    }
    assert_string_equal(role, "leader");
    assert_string_equal(warm, "done");
}

static void start_node(struct daemon *d, const char *id, const char *extra, const char *extra2)
{
    char dbenv[1200], idset[64];
    snprintf(dbenv, sizeof dbenv, "WALLTRACK_DB=%s", pg_url);
    snprintf(idset, sizeof idset, "cluster.node_id=%s", id);
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, dbenv, NULL};
    const char *args[] = {
        "--set", "dexscreener.api_url=", "--set", "cluster.leader_poll_ms=200", "--set",
        idset,   extra ? "--set" : NULL, extra,   extra2 ? "--set" : NULL,      extra2,
        NULL};
    assert_int_equal(daemon_start(d, args, env), 0);
}

/* One promotion (ids <prefix>a, b, c; signatures from base on, so that
 * each run stores new swaps in the shared database). With background
 * false, B runs with engine.warmup_background=false: its promotion waits
 * for the warm-up on the lock thread (B names no leader meanwhile). */
static void scenario(bool background, const char *prefix, unsigned base)
{
    PGconn *pg = PQconnectdb(pg_url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    char ida[16], idb[16], idc[16];
    snprintf(ida, sizeof ida, "%sa", prefix);
    snprintf(idb, sizeof idb, "%sb", prefix);
    snprintf(idc, sizeof idc, "%sc", prefix);
    struct daemon a, b, c;
    start_node(&a, ida, NULL, NULL);
    for (int i = 0; i < CAP && !holds_lock(pg, ida); i++)
        sleep_ms(100);
    assert_true(holds_lock(pg, ida));
    post(a.port, base + 1000, 60);

    char hold[600], hold_set[700];
    harness_tmpdir(hold, sizeof hold - 8);
    strncat(hold, "/hold", sizeof hold - strlen(hold) - 1);
    snprintf(hold_set, sizeof hold_set, "engine.warmup_hold_file=%s", hold);
    FILE *f = fopen(hold, "w");
    assert_non_null(f);
    fclose(f);
    harness_wait_warm = false;
    start_node(&b, idb, hold_set, background ? NULL : "engine.warmup_background=false");
    assert_false(holds_lock(pg, idb));

    /* A goes: B takes the lock and its warm-up is held. */
    assert_int_equal(daemon_stop(&a, SIGTERM), 0);
    int64_t before = stored_swaps();
    assert_true(before >= 60);
    for (int i = 0; i < CAP && !holds_lock(pg, idb); i++)
        sleep_ms(100);
    assert_true(holds_lock(pg, idb));
    sleep_ms(500); /* the promotion has begun */
    start_node(&c, idc, NULL, NULL);
    harness_wait_warm = true;

    /* Deliveries while B's warm-up is held: to B, and to C (forwarded). */
    char held_state[32], role_c[32], held_role[32];
    str_at(b.port, "warmup", "state", held_state, sizeof held_state);
    str_at(b.port, "cluster", "role", held_role, sizeof held_role);
    post(b.port, base + 2000, 200);
    post(c.port, base + 3000, 200);
    str_at(c.port, "cluster", "role", role_c, sizeof role_c);
    int64_t stored_held = stored_swaps();
    assert_int_equal(stored_held, before + 400);
    assert_int_equal(unlink(hold), 0);

    /* Once the hold goes: B leads, warmed up, then more deliveries. */
    wait_leading(b.port);
    post(b.port, base + 4000, 50);
    post(c.port, base + 5000, 50);
    int64_t stored = stored_swaps();
    assert_int_equal(stored, before + 500);
    int64_t handled = handled_settled(b.port, stored - before);
    int64_t warmed = i64_at(b.port, "restore", "swaps_warmed");
    int64_t fence_total = i64_at(b.port, "warmup", "swaps_total");
    print_message("promotion (%s): %lld swaps stored before it, %lld replayed by it (warm-up state "
                  "while held: '%s', role '%s'), %lld stored, %lld handled as events; C is "
                  "'%s'\n",
                  background ? "warm-up in the background" : "warm-up first", (long long)before,
                  (long long)warmed, held_state, held_role, (long long)stored, (long long)handled,
                  role_c);

    /* Every stored swap counted once: replayed (stored before the
     * promotion) or handled as an event (delivered after it). */
    assert_int_equal(warmed + handled, stored);
    assert_int_equal(warmed, before);
    assert_int_equal(fence_total, before);
    assert_int_equal(handled, stored - before);
    /* The hold held the promotion's warm-up; C stayed a standby. */
    assert_string_equal(held_state, "held");
    assert_string_equal(held_role, background ? "leader" : "standby");
    assert_string_equal(role_c, "standby");

    assert_int_equal(daemon_stop(&b, SIGTERM), 0);
    assert_int_equal(daemon_stop(&c, SIGTERM), 0);
    PQfinish(pg);
    harness_rmdir(a.dir);
    harness_rmdir(b.dir);
    harness_rmdir(c.dir);
    hold[strlen(hold) - 5] = '\0';
    harness_rmdir(hold);
}

static void test_promotion_counts_once(void **state)
{
    (void)state;
    if (pg_url == NULL) {
        print_message("promote_pg: skipped: WALLTRACK_TEST_PG_URL is not set (ctest runs this "
                      "under tests/store/with_pg.sh)\n");
        skip();
    }
    scenario(true, "bg", 0);
    scenario(false, "fg", 100000);
}

static void exec_sql(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
}

/* A promotion whose background warm-up fails (an open position whose
 * stored state cannot be read) gives the trading lock up, as a failed
 * promotion always did, instead of leading with no engine; once the row
 * is gone, the node leads with its engine warmed up. */
static void test_failed_warmup_gives_lock_up(void **state)
{
    (void)state;
    if (pg_url == NULL) {
        print_message("promote_pg: skipped: WALLTRACK_TEST_PG_URL is not set\n");
        skip();
    }
    PGconn *pg = PQconnectdb(pg_url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    exec_sql(pg, "INSERT INTO positions (mode, mint, signal_id, exit_strategy_id, status, "
                 "opened_ms, closed_ms, entry_lamports, tokens, tokens_initial, entry_price_sol, "
                 "peak_price_sol, stop_price_sol, moonbag, realized_sol, state, updated_ms) "
                 "VALUES ('paper', 'So11111111111111111111111111111111111111112', 1, 1, 'open', "
                 "0, 0, 0, 0, 0, 0, 0, 0, false, 0, 'not a position', 0)");
    struct daemon d;
    harness_wait_warm = false;
    start_node(&d, "failing", NULL, NULL);
    harness_wait_warm = true;
    int64_t promotions = 0, demotions = 0;
    for (int i = 0; i < CAP && (promotions < 2 || demotions < 1); i++) {
        promotions = i64_at(d.port, "cluster", "promotions");
        demotions = i64_at(d.port, "cluster", "demotions");
        sleep_ms(100);
    }
    char warm[32];
    str_at(d.port, "warmup", "state", warm, sizeof warm);
    print_message("failed warm-up: %lld promotions, %lld demotions (the lock given up and "
                  "taken again), warm-up state '%s'\n",
                  (long long)promotions, (long long)demotions, warm);
    assert_true(promotions >= 2);
    assert_true(demotions >= 1);

    exec_sql(pg, "DELETE FROM positions WHERE state = 'not a position'");
    wait_leading(d.port);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    PQfinish(pg);
    harness_rmdir(d.dir);
}

int main(void)
{
    pg_url = getenv("WALLTRACK_TEST_PG_URL");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promotion_counts_once),
        cmocka_unit_test(test_failed_warmup_gives_lock_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
