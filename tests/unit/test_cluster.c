/* Tests of the pieces of several daemons on one PostgreSQL that run
 * without a server (the three-node test is integration/cluster_pg):
 *
 *   * store_leader_check_timing refuses a poll too long for the session
 *     timeout (a leader must stop before the server frees its lock), and
 *     store_leader_start refuses SQLite (single-node);
 *   * the notification payload round-trips events, fits a NOTIFY, and a
 *     payload of another build is refused;
 *   * a standby runner has no engine (producers get WT_ECLOSED, the
 *     snapshot says standby); runner_promote restores from the store as a
 *     start does; runner_demote stops it with nothing more written; a
 *     second promotion restores again (the pause survives);
 *   * store_order_claim takes an order id once; the second claim is
 *     WT_EEXIST; a restored engine numbers its orders past the table's
 *     largest id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/err.h"
#include "cli/serve_cluster.h"
#include "store/leader.h"
#include "store/store.h"
#include "trade/journal.h"
#include "trade/runner.h"

#include "../support/engine_events.c"

static void test_timing(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(store_leader_check_timing(1000, 12, err, sizeof err), 0);
    assert_int_equal(store_leader_check_timing(200, 3, err, sizeof err), 0);
    assert_int_equal(store_leader_check_timing(5000, 12, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "cluster.leader_poll_ms"));
    assert_non_null(strstr(err, "cluster.session_timeout_s"));
    assert_int_equal(store_leader_check_timing(3000, 3, err, sizeof err), WT_EINVAL);
}

static void test_payload_round_trip(void **state)
{
    (void)state;
    struct event ev[40], back[64];
    memset(ev, 0, sizeof ev);
    for (int i = 0; i < 40; i++) {
        ev[i].kind = EVENT_SWAP;
        ev[i].u.swap.ts_ms = 1000 + i;
        memset(ev[i].u.swap.sig.b, i + 1, sizeof ev[i].u.swap.sig.b);
        ev[i].u.swap.token_amount = 77u * (unsigned)i;
    }
    char payload[STORE_LEADER_PAYLOAD_MAX];
    size_t done = 0, payloads = 0;
    while (done < 40) {
        size_t k = serve_cluster_encode(ev + done, 40 - done, payload, sizeof payload);
        assert_true(k > 0);
        assert_true(strlen(payload) < STORE_LEADER_PAYLOAD_MAX);
        size_t n = serve_cluster_decode(payload, strlen(payload), back, 64);
        assert_int_equal(n, k);
        assert_memory_equal(back, ev + done, k * sizeof ev[0]);
        done += k;
        payloads++;
    }
    assert_true(payloads >= 2); /* 40 events do not fit one NOTIFY */
    /* Another build (another event size) or garbage: nothing. */
    assert_int_equal(serve_cluster_decode("e1:12:AAAA", 10, back, 64), 0);
    assert_int_equal(serve_cluster_decode("hello", 5, back, 64), 0);
}

static struct store *open_tmp(char *dir)
{
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    return st;
}

static void rm_tmp(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_sqlite_is_single_node(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_cluster_XXXXXX";
    struct store *st = open_tmp(dir);
    struct leader_opts o = {.node_id = "a", .poll_ms = 1000, .session_timeout_s = 12};
    struct store_leader *l = NULL;
    char err[256] = "";
    assert_int_equal(store_leader_start(st, &o, &l, err, sizeof err), WT_EUNSUPPORTED);
    assert_null(l);
    assert_non_null(strstr(err, "SQLite is single-node"));
    store_close(st);
    rm_tmp(dir);
}

static bool snap_standby(struct runner *r, bool *paused)
{
    const struct runner_snap *s = runner_snapshot(r);
    bool sb = s->standby;
    if (paused)
        *paused = s->paused;
    runner_snapshot_release(r, s);
    return sb;
}

/* A standby runner's options on st: node-a, a tick a minute. */
static void standby_opts(struct runner_opts *o, struct store *st)
{
    memset(o, 0, sizeof *o);
    engine_params_default(&o->params);
    o->store = st;
    o->tick_ms = 60000;
    o->standby = true;
    o->node_id = "node-a";
}

static void test_standby_promote_demote(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_cluster_XXXXXX";
    struct store *st = open_tmp(dir);
    struct runner_opts o;
    standby_opts(&o, st);
    struct runner *r;
    char err[256], msg[128];
    assert_int_equal(runner_start(&o, &r, err, sizeof err), 0);
    assert_false(runner_active(r));
    assert_true(snap_standby(r, NULL));
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_PAUSE;
    assert_int_equal(runner_command(r, &c, 1000, msg, sizeof msg), WT_ECLOSED);

    assert_int_equal(runner_promote(r, err, sizeof err), 0);
    assert_true(runner_active(r));
    bool paused = true;
    assert_false(snap_standby(r, &paused));
    assert_false(paused);
    assert_int_equal(runner_command(r, &c, 10000, msg, sizeof msg), 0); /* flushed with its batch */

    runner_demote(r);
    assert_false(runner_active(r));
    assert_true(snap_standby(r, NULL));
    assert_int_equal(runner_post_command(r, &c), WT_ECLOSED);

    /* A second promotion restores the stored state: still paused. */
    assert_int_equal(runner_promote(r, err, sizeof err), 0);
    assert_false(snap_standby(r, &paused));
    assert_true(paused);
    struct runner_health h;
    runner_health(r, &h);
    assert_true(h.restore.state_found);
    runner_stop(r);
    store_close(st);
    rm_tmp(dir);
}

static uint64_t snap_swaps(struct runner *r)
{
    const struct runner_snap *s = runner_snapshot(r);
    uint64_t n = s->status.c.swaps;
    runner_snapshot_release(r, s);
    return n;
}

/* A promotion's fence read races the hand-over of what was just stored: a
 * swap stored before the fence (so replayed by the warm-up) but handed to
 * the runner after its backlog opened is dropped from the backlog by its
 * stored id, and counted; a swap stored after the fence is handled. The
 * warm-up is held (engine.warmup_hold_file) while both are handed over. */
static void test_promotion_drops_replayed(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_cluster_XXXXXX";
    struct store *st = open_tmp(dir);
    struct event before[20];
    for (unsigned i = 0; i < 20; i++)
        before[i] = swap(1 + i % 3, 1, SIDE_BUY, 1000, 1e-6, 1700000000000 + i * 1000);
    assert_int_equal(store_append_events(st, before, 20, NULL), 0);
    char hold[64];
    snprintf(hold, sizeof hold, "%s/hold", dir);
    FILE *f = fopen(hold, "w");
    assert_non_null(f);
    fclose(f);
    struct runner_opts o;
    standby_opts(&o, st);
    o.warm = true;
    o.warm_background = true;
    o.warm_hold_file = hold;
    struct runner *r;
    char err[256];
    assert_int_equal(runner_start(&o, &r, err, sizeof err), 0);
    assert_int_equal(runner_promote(r, err, sizeof err), 0);
    /* Held: the last swap stored before the fence, handed over only now,
     * and one stored now. */
    uint8_t one = 1;
    runner_after_commit(r, &before[19], 1, &one);
    struct event after = swap(2, 1, SIDE_BUY, 1000, 1e-6, 1700000100000);
    assert_int_equal(store_append_events(st, &after, 1, NULL), 0);
    runner_after_commit(r, &after, 1, &one);
    assert_int_equal(unlink(hold), 0);
    struct runner_health h;
    for (int i = 0; i < 500; i++) {
        runner_health(r, &h);
        if (!h.warming && snap_swaps(r) >= 1)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    nanosleep(&(struct timespec){0, 300000000}, NULL); /* more would be a swap handled twice */
    runner_health(r, &h);
    print_message("promotion: %zu swaps replayed, %zu dropped from the backlog as replayed, %llu "
                  "handled as events\n",
                  h.restore.swaps_warmed, h.backlog_replayed, (unsigned long long)snap_swaps(r));
    assert_false(h.warming);
    assert_int_equal(h.restore.swaps_warmed, 20);
    assert_int_equal(h.backlog_replayed, 1);
    assert_int_equal(snap_swaps(r), 1);
    /* After the warm-up, another node's notification that was on its way
     * when the fence was read (a swap stored before it), and one about a
     * swap stored now: the first is dropped, the second handled. */
    runner_after_notify(r, &before[18], 1);
    struct event later = swap(3, 1, SIDE_BUY, 1000, 1e-6, 1700000200000);
    assert_int_equal(store_append_events(st, &later, 1, NULL), 0);
    runner_after_notify(r, &later, 1);
    for (int i = 0; i < 500 && snap_swaps(r) < 2; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    nanosleep(&(struct timespec){0, 300000000}, NULL);
    runner_health(r, &h);
    print_message("after the warm-up: %zu dropped as replayed in all, %llu handled as events\n",
                  h.backlog_replayed, (unsigned long long)snap_swaps(r));
    assert_int_equal(h.backlog_replayed, 2);
    assert_int_equal(snap_swaps(r), 2);
    runner_stop(r);
    store_close(st);
    rm_tmp(dir);
}

static int count_kind(void *ctx, const struct journal_row *row)
{
    int *n = ctx; /* [0] start rows, [1] ticks rows */
    n[0] += strcmp(row->kind, "start") == 0;
    n[1] += strcmp(row->kind, "ticks") == 0;
    return 0;
}

/* A promotion, ticks, a demotion with a run of ticks still open, and a
 * second promotion, with the journal on: the second start begins a new
 * run of ticks (the open one of the demoted engine is dropped with what
 * it had not written, and its buffer freed: under ASan a leak fails this
 * test), and the second run's ticks are written at the stop. */
static void test_repromotion_journal(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_cluster_XXXXXX";
    struct store *st = open_tmp(dir);
    struct runner_opts o;
    standby_opts(&o, st);
    o.tick_ms = 20;
    o.journal = true;
    struct runner *r;
    char err[256];
    assert_int_equal(runner_start(&o, &r, err, sizeof err), 0);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(runner_promote(r, err, sizeof err), 0);
        nanosleep(&(struct timespec){0, 300000000}, NULL); /* about 15 ticks */
        if (round == 0)
            runner_demote(r);
    }
    runner_stop(r);
    int n[2] = {0, 0};
    assert_int_equal(store_journal_scan(st, 0, count_kind, n), 0);
    print_message("journal after two promotions: %d start rows, %d ticks rows\n", n[0], n[1]);
    assert_int_equal(n[0], 2);
    assert_true(n[1] >= 1);
    store_close(st);
    rm_tmp(dir);
}

static void test_order_claim(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_cluster_XXXXXX";
    struct store *st = open_tmp(dir);
    struct order_row r;
    memset(&r, 0, sizeof r);
    r.id = 7;
    snprintf(r.mode, sizeof r.mode, "paper");
    snprintf(r.mint, sizeof r.mint, "So11111111111111111111111111111111111111112");
    r.side = 1;
    r.amount_in = 1000;
    snprintf(r.status, sizeof r.status, "sent");
    snprintf(r.node, sizeof r.node, "node-a");
    int64_t max = -1;
    assert_int_equal(store_orders_max_id(st, &max), 0);
    assert_int_equal(max, 0);
    assert_int_equal(store_order_claim(st, &r), 0);
    snprintf(r.node, sizeof r.node, "node-b");
    assert_int_equal(store_order_claim(st, &r), WT_EEXIST); /* placed already: not again */
    assert_int_equal(store_orders_max_id(st, &max), 0);
    assert_int_equal(max, 7);
    /* The other node's later write of order 7 changes nothing. */
    struct store_write w = store_write_order(&r, true);
    snprintf(r.status, sizeof r.status, "failed");
    assert_int_equal(store_write_batch(st, &w, 1), 0);
    struct order_row pending[4];
    size_t n = 0;
    assert_int_equal(store_orders_pending(st, "paper", pending, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(pending[0].node, "node-a");
    assert_string_equal(pending[0].status, "sent");
    store_close(st);
    rm_tmp(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timing),
        cmocka_unit_test(test_payload_round_trip),
        cmocka_unit_test(test_sqlite_is_single_node),
        cmocka_unit_test(test_standby_promote_demote),
        cmocka_unit_test(test_promotion_drops_replayed),
        cmocka_unit_test(test_repromotion_journal),
        cmocka_unit_test(test_order_claim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
