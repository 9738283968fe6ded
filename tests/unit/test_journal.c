/* Tests of the engine journal (trade/journal.h, the live runner's
 * recording of it, store_journal_*) and of what an as-recorded backtest
 * (backtest/recorded.h) does with a damaged one. The end-to-end check,
 * a paper serve reproduced exactly, is
 * tests/integration/test_backtest_fidelity.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backtest/recorded.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/vec.h"
#include "store/store.h"
#include "trade/journal.h"
#include "trade/runner.h"
#include "trade/runner_journal.h"

/* ---- encodings ----------------------------------------------------------- */

static void roundtrip(const struct command_event *c)
{
    struct buf b;
    buf_init(&b, 0);
    journal_command_json(c, &b);
    struct command_event back;
    char err[256];
    assert_int_equal(journal_command_parse(b.data, b.len, c->ts_ms, &back, err, sizeof err), 0);
    assert_int_equal(back.kind, c->kind);
    assert_int_equal(back.id, c->id);
    assert_true(back.value == c->value);
    assert_int_equal(back.ts_ms, c->ts_ms);
    if (c->kind == CMD_EXIT_PUT) {
        assert_memory_equal(back.payload, c->payload, sizeof(struct exit_strategy));
    } else {
        assert_memory_equal(back.wallet.b, c->wallet.b, 32);
        assert_string_equal(back.name, c->name);
        assert_string_equal(back.text, c->text);
    }
    buf_release(&b);
}

static void test_command_roundtrip(void **state)
{
    (void)state;
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_WATCH;
    c.ts_ms = 1700000000123;
    memset(c.wallet.b, 9, 32);
    c.value = 87.123456789012345;
    roundtrip(&c);
    memset(&c, 0, sizeof c);
    c.kind = CMD_SET;
    c.value = 1;
    snprintf(c.name, sizeof c.name, "signal.threshold");
    snprintf(c.text, sizeof c.text, "0.7");
    roundtrip(&c);
    memset(&c, 0, sizeof c);
    c.kind = CMD_PAUSE;
    snprintf(c.text, sizeof c.text, "lunch \"break\" \\ ok");
    roundtrip(&c);
    struct exit_book book;
    exit_book_init_default(&book);
    engine_command_exit_put(&c, &book.s[book.n - 1]);
    c.ts_ms = 42;
    roundtrip(&c);
    /* A damaged row is refused with a message. */
    struct command_event back;
    char err[256];
    assert_int_not_equal(journal_command_parse("{\"kind\":99}", 11, 0, &back, err, sizeof err), 0);
    assert_non_null(strstr(err, "does not parse"));
}

static void test_event_hash(void **state)
{
    (void)state;
    struct event a;
    memset(&a, 0, sizeof a);
    a.kind = EVENT_SWAP;
    memset(a.u.swap.sig.b, 1, 64);
    struct event b = a;
    b.u.swap.leg = 1;
    uint64_t h = JOURNAL_HASH_INIT;
    assert_true(journal_event_hash(h, &a) != journal_event_hash(h, &b));
    /* Order matters: a run of two in the other order differs. */
    assert_true(journal_event_hash(journal_event_hash(h, &a), &b) !=
                journal_event_hash(journal_event_hash(h, &b), &a));
    bool one;
    assert_int_equal(journal_kind_event("swaps", &one), EVENT_SWAP);
    assert_false(one);
    assert_int_equal(journal_kind_event("price", &one), EVENT_PRICE);
    assert_true(one);
    assert_int_equal(journal_kind_event("tick", &one), 0);
}

/* ---- the runner's recording ---------------------------------------------- */

struct rows {
    VEC(struct journal_row) v;
    VEC(char *) bodies;
};

static int keep_row(void *ctx, const struct journal_row *r)
{
    struct rows *x = ctx;
    struct journal_row *c = vec_push_zero(&x->v);
    *c = *r;
    char *b = strdup(r->body);
    vec_push(&x->bodies, b);
    c->body = b;
    return 0;
}

static void rows_free(struct rows *x)
{
    for (size_t i = 0; i < x->bodies.len; i++)
        free(x->bodies.v[i]);
    vec_free(&x->bodies);
    vec_free(&x->v);
}

static int fail_all(void *ctx, enum store_fault_point p, uint64_t nrow)
{
    (void)ctx;
    (void)p;
    (void)nrow;
    return 1;
}

static void command(struct runner *r, enum command_kind k)
{
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.kind = k;
    char msg[128];
    assert_int_equal(runner_command(r, &c, 10000, msg, sizeof msg), 0);
}

/* A store in a new folder dir and a runner on it (no tick during a test),
 * recording with journal. */
static struct runner *start(char *dir, struct store **st, bool journal)
{
    assert_non_null(mkdtemp(dir));
    char err[512];
    assert_int_equal(store_open(dir, NULL, st, err, sizeof err), 0);
    struct runner_opts o;
    memset(&o, 0, sizeof o);
    engine_params_default(&o.params);
    o.store = *st;
    o.tick_ms = 600000;
    o.max_future_ms = 60000;
    o.journal = journal;
    o.journal_settings = "{\"trade.max_positions\":\"7\"}";
    struct runner *r;
    assert_int_equal(runner_start(&o, &r, err, sizeof err), 0);
    return r;
}

/* Closes st and removes its folder dir. */
static void close_and_remove(struct store *st, const char *dir)
{
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_runner_records(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_journal_XXXXXX";
    char err[512];
    struct store *st;
    int64_t t0 = clock_wall_ms();
    struct runner *r = start(dir, &st, true);

    /* A price stamped far in the future: the runner moves its time, and
     * the journal says at which time the engine saw it. */
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_PRICE;
    memset(ev.u.price.mint.b, 7, 32);
    ev.u.price.ts_ms = 253402300799000LL;
    ev.u.price.price_sol = 0.001;
    snprintf(ev.u.price.source, sizeof ev.u.price.source, "TEST");
    /* Stored, then handed on: what the inbox does. */
    assert_int_equal(store_append_events(st, &ev, 1, NULL), 0);
    assert_int_equal(runner_post(r, &ev), 0);
    command(r, CMD_PAUSE);
    /* The database refuses the next writes: the journal's rows of that
     * batch are lost and the next write starts with a gap row. */
    store_set_fault_hook(st, fail_all, NULL);
    command(r, CMD_RESUME);
    store_set_fault_hook(st, NULL, NULL);
    command(r, CMD_PAUSE);
    runner_stop(r);
    int64_t t1 = clock_wall_ms();

    struct rows rows = {0};
    assert_int_equal(store_journal_scan(st, 0, keep_row, &rows), 0);
    const char *want[] = {"start", "ready", "price", "command", "gap", "command", "stop"};
    assert_int_equal(rows.v.len, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < rows.v.len; i++)
        assert_string_equal(rows.v.v[i].kind, want[i]);
    assert_non_null(strstr(rows.v.v[0].body, "\"trade.max_positions\":\"7\""));
    assert_non_null(strstr(rows.v.v[0].body, "\"mode\":\"paper\""));
    assert_true(rows.v.v[2].ts_ms >= t0 && rows.v.v[2].ts_ms <= t1 + 60000);
    assert_int_equal(rows.v.v[2].n, 1);
    assert_true(rows.v.v[2].hash == journal_event_hash(JOURNAL_HASH_INIT, &ev));
    assert_non_null(strstr(rows.v.v[3].body, "\"kind\":1"));

    /* The replay: before the gap it runs, past it it refuses. (The
     * engine saw the price a minute ahead: every later input is handled
     * at that clock, so a window that ends before the gap ends before the
     * price.) */
    struct bt_tape keys;
    bt_tape_init(&keys);
    struct bt_result res;
    bt_result_init(&res);
    struct config cfg;
    struct bt_recorded_info info;
    int rc = bt_recorded_run(st, t0 - 1000, rows.v.v[4].ts_ms + 3600000, NULL, &keys, &res, &cfg,
                             &info, err, sizeof err);
    assert_int_equal(rc, WT_ESTATE);
    assert_non_null(strstr(err, "could not record its inputs"));
    config_release(&cfg);
    bt_result_release(&res);
    bt_result_init(&res);
    rc = bt_recorded_run(st, t0 - 1000, rows.v.v[2].ts_ms, NULL, &keys, &res, &cfg, &info, err,
                         sizeof err);
    assert_int_equal(rc, 0);
    assert_string_equal(config_str(&cfg, CFG_TRADE_MAX_POS), "7");
    assert_int_equal(info.events, 0);
    config_release(&cfg);
    bt_result_release(&res);
    bt_result_init(&res);
    /* With the price: it is found by its stored key, fed at the time the
     * engine saw it. */
    rc = bt_recorded_run(st, t0 - 1000, rows.v.v[2].ts_ms + 1, NULL, &keys, &res, &cfg, &info, err,
                         sizeof err);
    assert_int_equal(rc, WT_ESTATE); /* the gap comes at the same clock */
    assert_int_equal(info.events, 1);
    config_release(&cfg);
    bt_result_release(&res);

    /* A run that is still running (or crashed: no stop row) replays only
     * up to its last recorded input. */
    int64_t later = rows.v.v[6].ts_ms + 3600000;
    struct journal_row more[2] = {
        {.ts_ms = later, .kind = "start", .body = rows.v.v[0].body},
        {.ts_ms = later + 1000, .kind = "tick"},
    };
    assert_int_equal(store_journal_append(st, more, 2), 0);
    bt_result_init(&res);
    rc = bt_recorded_run(st, later, later + 5000, NULL, &keys, &res, &cfg, &info, err, sizeof err);
    assert_int_equal(rc, WT_EINVAL);
    assert_non_null(strstr(err, "is still running"));
    config_release(&cfg);
    bt_result_release(&res);

    /* A later run whose ticks came as one "ticks" row: a replay hands the
     * engine each of them, and stops at the window's end among them. */
    int64_t later2 = later + 3600000;
    struct journal_row run3[3] = {
        {.ts_ms = later2, .kind = "start", .body = rows.v.v[0].body},
        {.ts_ms = later2 + 1000, .kind = "ticks", .n = 5, .body = "1000,1000,1000,1000"},
        {.ts_ms = later2 + 6000, .kind = "stop"},
    };
    assert_int_equal(store_journal_append(st, run3, 3), 0);
    bt_result_init(&res);
    rc = bt_recorded_run(st, later2, later2 + 60000, NULL, &keys, &res, &cfg, &info, err,
                         sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(info.ticks, 5);
    assert_int_equal(info.last_ms, later2 + 5000);
    config_release(&cfg);
    bt_result_release(&res);
    bt_result_init(&res);
    rc =
        bt_recorded_run(st, later2, later2 + 3500, NULL, &keys, &res, &cfg, &info, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(info.ticks, 3); /* 1, 2 and 3 s after the start; 4 s is past the end */
    config_release(&cfg);
    bt_result_release(&res);
    /* A damaged ticks row is refused with its id. */
    struct journal_row run4[3] = {
        {.ts_ms = later2 + 3600000, .kind = "start", .body = rows.v.v[0].body},
        {.ts_ms = later2 + 3601000, .kind = "ticks", .n = 3, .body = "1000"},
        {.ts_ms = later2 + 3604000, .kind = "stop"},
    };
    assert_int_equal(store_journal_append(st, run4, 3), 0);
    bt_result_init(&res);
    rc = bt_recorded_run(st, later2 + 3600000, later2 + 3610000, NULL, &keys, &res, &cfg, &info,
                         err, sizeof err);
    assert_int_equal(rc, WT_EPARSE);
    assert_non_null(strstr(err, "ticks"));
    config_release(&cfg);
    bt_result_release(&res);
    bt_tape_release(&keys);
    rows_free(&rows);

    close_and_remove(st, dir);
}

/* Runs of ticks: the "ticks" row's gaps read back, and what is refused. */
static void test_ticks_parse(void **state)
{
    (void)state;
    int64_t t[JOURNAL_TICKS_MAX];
    char err[160];
    assert_int_equal(journal_ticks_parse(5000, 4, "1000,1001,-3", t, err, sizeof err), 0);
    assert_int_equal(t[0], 5000);
    assert_int_equal(t[1], 6000);
    assert_int_equal(t[2], 7001);
    assert_int_equal(t[3], 6998);
    assert_int_equal(journal_ticks_parse(5000, 1, "", t, err, sizeof err), 0);
    assert_int_equal(t[0], 5000);
    const struct {
        int64_t n;
        const char *body;
    } bad[] = {{3, "1000"},
               {2, "1000,5"},
               {2, "1000,"},
               {1, "5"},
               {0, ""},
               {2, "x"},
               {2, ""},
               {JOURNAL_TICKS_MAX + 1, ""},
               {2, "99999999999999999999"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(journal_ticks_parse(5000, bad[i].n, bad[i].body, t, err, sizeof err),
                         WT_EPARSE);
        assert_non_null(strstr(err, "ticks"));
    }
}

static void feed_tick(struct jrec *j, struct store *st, int64_t wall, int64_t ts)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_TICK;
    ev.u.tick.ts_ms = ts;
    j->wall = wall;
    jrec_input(j, &ev);
    jrec_flush(j, st, false);
}

static size_t stored_rows(struct store *st, struct rows *rows)
{
    rows_free(rows);
    memset(rows, 0, sizeof *rows);
    assert_int_equal(store_journal_scan(st, 0, keep_row, rows), 0);
    return rows->v.len;
}

/* The recorder: an idle engine's ticks wait and go out as one "ticks" row
 * a minute (their exact times kept), any other input closes the run
 * first (the order kept), a lone tick is a "tick" row, a forced write
 * takes the open run. */
static void test_ticks_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_journal_XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[512];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    struct jrec j;
    memset(&j, 0, sizeof j);
    buf_init(&j.ticks_gaps, 0);
    int64_t wall = 1700000000000, ts = wall;
    struct rows rows = {0};
    /* 61 ticks a second apart (one 3 ms late): nothing written until the
     * run is a minute old, then one row. */
    int64_t times[61];
    for (int i = 0; i < 61; i++) {
        times[i] = ts + i * 1000 + (i == 30 ? 3 : 0);
        feed_tick(&j, st, wall + i * 1000, times[i]);
        if (i < 60)
            assert_int_equal(stored_rows(st, &rows), 0);
    }
    assert_int_equal(stored_rows(st, &rows), 1);
    assert_string_equal(rows.v.v[0].kind, "ticks");
    assert_int_equal(rows.v.v[0].n, 61);
    int64_t back[JOURNAL_TICKS_MAX];
    assert_int_equal(journal_ticks_parse(rows.v.v[0].ts_ms, rows.v.v[0].n, rows.v.v[0].body, back,
                                         err, sizeof err),
                     0);
    assert_memory_equal(back, times, sizeof times);
    /* Two ticks, a command, one tick, a forced write: ticks(2), command,
     * tick, in that order. */
    wall += 61000;
    feed_tick(&j, st, wall, wall);
    feed_tick(&j, st, wall + 1000, wall + 1000);
    struct event cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = EVENT_COMMAND;
    cmd.u.command.kind = CMD_PAUSE;
    cmd.u.command.ts_ms = wall + 1500;
    j.wall = wall + 1500;
    jrec_input(&j, &cmd);
    feed_tick(&j, st, wall + 2000, wall + 2000);
    jrec_flush(&j, st, true);
    assert_int_equal(stored_rows(st, &rows), 4);
    assert_string_equal(rows.v.v[1].kind, "ticks");
    assert_int_equal(rows.v.v[1].n, 2);
    assert_string_equal(rows.v.v[1].body, "1000");
    assert_string_equal(rows.v.v[2].kind, "command");
    assert_string_equal(rows.v.v[3].kind, "tick");
    assert_int_equal(rows.v.v[3].ts_ms, wall + 2000);
    jrec_release(&j);
    rows_free(&rows);
    close_and_remove(st, dir);
}

/* engine.journal off: nothing is recorded. */
static void test_runner_off(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_journal_XXXXXX";
    struct store *st;
    struct runner *r = start(dir, &st, false);
    command(r, CMD_PAUSE);
    runner_stop(r);
    struct rows rows = {0};
    assert_int_equal(store_journal_scan(st, 0, keep_row, &rows), 0);
    assert_int_equal(rows.v.len, 0);
    rows_free(&rows);
    close_and_remove(st, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_roundtrip), cmocka_unit_test(test_event_hash),
        cmocka_unit_test(test_runner_records),    cmocka_unit_test(test_ticks_parse),
        cmocka_unit_test(test_ticks_rows),        cmocka_unit_test(test_runner_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
