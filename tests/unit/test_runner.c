/* Tests of the live runner (trade/runner.c): its clock guard (an event far
 * in the future, from any producer, does not move the engine's clock more
 * than max_future_ms past the wall clock; issue 13 item 9) and its
 * snapshot, which is typed data, not JSON text (issue 14 item 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/store.h"
#include "trade/runner.h"

static int64_t now_ms(void)
{
    struct clock c;
    clock_init_real(&c);
    return clock_now_ms(&c);
}

static int64_t snapshot_now_ms(struct runner *r)
{
    const struct runner_snap *s = runner_snapshot(r);
    assert_non_null(s);
    int64_t v = s->status.now_ms;
    runner_snapshot_release(r, s);
    return v;
}

static void test_future_event_clamped(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_runner_XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    struct runner_opts o;
    memset(&o, 0, sizeof o);
    engine_params_default(&o.params);
    o.store = st;
    o.tick_ms = 60000;
    o.max_future_ms = 60000;
    struct runner *r;
    assert_int_equal(runner_start(&o, &r, err, sizeof err), 0);

    /* A price from a feed stamped in year 9999. */
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_PRICE;
    memset(ev.u.price.mint.b, 7, sizeof ev.u.price.mint.b);
    ev.u.price.ts_ms = 253402300799000LL;
    ev.u.price.price_sol = 0.001;
    snprintf(ev.u.price.source, sizeof ev.u.price.source, "TEST");
    int64_t t0 = now_ms();
    assert_int_equal(runner_post(r, &ev), 0);
    /* A command after it: when it is acknowledged, the price was handled
     * and the snapshot published. */
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_RESUME;
    char msg[128];
    assert_int_equal(runner_command(r, &c, 10000, msg, sizeof msg), 0);
    int64_t t1 = now_ms();
    int64_t clock = snapshot_now_ms(r);
    assert_true(clock >= t0);
    assert_true(clock <= t1 + 60000);
    runner_stop(r);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static struct runner *start(struct store **st, char *dir)
{
    char err[256];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(dir, NULL, st, err, sizeof err), 0);
    struct runner_opts o;
    memset(&o, 0, sizeof o);
    engine_params_default(&o.params);
    o.store = *st;
    o.tick_ms = 60000;
    struct runner *r;
    assert_int_equal(runner_start(&o, &r, err, sizeof err), 0);
    return r;
}

static void stop(struct runner *r, struct store *st, const char *dir)
{
    runner_stop(r);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void command(struct runner *r, enum command_kind kind, uint8_t wallet, double value)
{
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.value = value;
    memset(c.wallet.b, wallet, sizeof c.wallet.b);
    char msg[128];
    assert_int_equal(runner_command(r, &c, 10000, msg, sizeof msg), 0);
}

static const struct engine_watch *find(const struct runner_snap *s, uint8_t wallet)
{
    for (size_t i = 0; i < s->n_watchlist; i++)
        if (s->watchlist[i].wallet.b[0] == wallet)
            return &s->watchlist[i];
    return NULL;
}

/* The snapshot carries the engine's watchlist, status and breakers as
 * fields a reader uses without parsing anything. */
static void test_snapshot_is_typed(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_runner_XXXXXX";
    struct store *st;
    struct runner *r = start(&st, dir);
    command(r, CMD_WATCH, 0x11, 42.5);
    command(r, CMD_BLACKLIST, 0x22, 0);
    command(r, CMD_PAUSE, 0, 0);

    const struct runner_snap *s = runner_snapshot(r);
    assert_int_equal(s->n_watchlist, 2);
    const struct engine_watch *a = find(s, 0x11), *b = find(s, 0x22);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a->watched);
    assert_false(a->blacklisted);
    assert_true(a->prior_score > 42.49 && a->prior_score < 42.51);
    assert_false(b->watched);
    assert_true(b->blacklisted);
    assert_false(b->cluster_blacklisted);
    assert_int_equal(s->status.watched, 1);
    assert_int_equal(s->status.blacklisted, 1);
    assert_true(s->paused);
    assert_true(s->breaker_active[BREAKER_OPERATOR]);
    assert_int_equal(s->n_positions, 0);
    assert_int_equal(s->status.open_positions, 0);
    assert_int_equal(s->params.capital_lamports, s->status.cash_lamports);
    runner_snapshot_release(r, s);
    stop(r, st, dir);
}

/* A snapshot held by a reader does not change when the engine publishes
 * a newer one. */
static void test_snapshot_is_immutable(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_runner_XXXXXX";
    struct store *st;
    struct runner *r = start(&st, dir);
    command(r, CMD_WATCH, 0x11, -1);
    const struct runner_snap *old = runner_snapshot(r);
    command(r, CMD_WATCH, 0x33, -1);
    command(r, CMD_UNWATCH, 0x11, 0);
    command(r, CMD_PAUSE, 0, 0);
    const struct runner_snap *now = runner_snapshot(r);
    assert_ptr_not_equal(old, now);

    assert_int_equal(old->n_watchlist, 1);
    assert_non_null(find(old, 0x11));
    assert_true(find(old, 0x11)->watched);
    assert_true(find(old, 0x11)->prior_score < 0);
    assert_false(old->paused);
    assert_int_equal(old->status.watched, 1);

    assert_non_null(find(now, 0x33));
    assert_true(find(now, 0x33)->watched);
    assert_true(find(now, 0x11) == NULL || !find(now, 0x11)->watched);
    assert_true(now->paused);
    assert_int_equal(now->status.watched, 1);
    runner_snapshot_release(r, old);
    runner_snapshot_release(r, now);
    stop(r, st, dir);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_future_event_clamped),
        cmocka_unit_test(test_snapshot_is_typed),
        cmocka_unit_test(test_snapshot_is_immutable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
