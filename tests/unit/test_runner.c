/* Tests of the live runner's clock guard (trade/runner.c): an event far in
 * the future, from any producer, does not move the engine's clock more
 * than max_future_ms past the wall clock (issue 13 item 9). */
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
    const char *p = strstr(s->status, "\"now_ms\":");
    assert_non_null(p);
    int64_t v = strtoll(p + 9, NULL, 10);
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

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_future_event_clamped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
