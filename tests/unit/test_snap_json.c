/* Tests of api/snap_json.h: the engine's typed snapshot (trade/runner.h
 * runner_snap_build) serialised at the API gives byte for byte the JSON the
 * engine wrote itself before the snapshot became typed (issue 14 item 5).
 * The fixtures in tests/fixtures/snap_json/ were written by
 * engine_status_write, engine_positions_write and routes_watch.c's
 * write_entries (over engine_watchlist_write's text) at commit c0f0d15,
 * on this file's scenario: two positions (one closing), watched,
 * blacklisted and cluster-blacklisted wallets, a paused operator breaker
 * with a reason that needs escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/snap_json.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/jw.h"
#include "trade/engine.h"
#include "trade/exec_paper.h"
#include "trade/runner.h"

#include "../support/engine_events.c"

/* ---- the scenario: an engine with two positions, a watchlist with every
 * flag, a paused operator breaker with a reason ---------------------------- */

#define SOL 1000000000ULL
#define T0  1767225600000LL /* 2026-01-01T00:00:00Z */

static struct event command(enum command_kind k, unsigned wallet, double value, int64_t ts)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_COMMAND;
    e.u.command.kind = k;
    e.u.command.ts_ms = ts;
    e.u.command.wallet = key(1, wallet);
    e.u.command.value = value;
    return e;
}

static void feed(struct engine *e, struct event ev)
{
    int rc = engine_handle(e, &ev);
    if (rc)
        fail_msg("engine_handle: %s (%s)", wt_strerror(rc), engine_last_error(e));
}

static struct engine *scenario(struct buf *out)
{
    struct engine_params p;
    engine_params_default(&p);
    p.signal.weight[SF_WALLET] = 1;
    p.signal.weight[SF_CLUSTER] = 0;
    p.signal.weight[SF_TOKEN] = 0;
    p.signal.weight[SF_CONTEXT] = 0;
    char err[256];
    struct engine *e = engine_new(&p, engine_recorder_new(out), T0, err, sizeof err);
    if (!e)
        fail_msg("engine_new: %s", err);
    struct paper_params pp;
    paper_params_default(&pp);
    engine_set_executor(e, engine_paper_executor(e, &pp));
    int64_t t = T0;
    feed(e, command(CMD_WATCH, 1, 90, t));
    feed(e, command(CMD_WATCH, 2, 87.25, t));
    feed(e, command(CMD_WATCH, 3, -1, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    feed(e, swap(2, 2, SIDE_BUY, 500, 0.0023, t += 1000));
    feed(e, swap(9, 1, SIDE_BUY, 1000, 0.0012, t += 1000)); /* marks mint 1 up */
    feed(e, swap(1, 1, SIDE_SELL, 400, 0.0011, t += 1000)); /* the wallet sells */
    feed(e, command(CMD_BLACKLIST, 4, 0, t));
    struct event cbl = command(CMD_CLUSTER_BLACKLIST, 5, 0, t);
    snprintf(cbl.u.command.text, sizeof cbl.u.command.text, "c-7");
    feed(e, cbl);
    feed(e, command(CMD_BLACKLIST, 3, 0, t));
    struct event pause = command(CMD_PAUSE, 0, 0, t += 1000);
    snprintf(pause.u.command.text, sizeof pause.u.command.text, "lunch \"break\"");
    feed(e, pause);
    return e;
}

/* ---- the checks --------------------------------------------------------------- */

static void expect_fixture(const char *name, const struct buf *b)
{
    char path[512];
    snprintf(path, sizeof path, "%s/snap_json/%s", WT_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char want[8192];
    size_t n = fread(want, 1, sizeof want - 1, f);
    fclose(f);
    want[n] = '\0';
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
}

static void test_same_bytes_as_before(void **state)
{
    (void)state;
    struct buf rec;
    buf_init(&rec, 0);
    struct engine *e = scenario(&rec);
    struct runner_snap *s = runner_snap_build(e, NULL);
    engine_free(e); /* the snapshot stands alone */
    buf_release(&rec);

    struct buf b;
    struct jw w;
    buf_init(&b, 0);
    jw_init(&w, &b);
    snap_json_status(&w, s);
    assert_int_equal(jw_finish(&w), 0);
    expect_fixture("status.json", &b);

    buf_reset(&b);
    jw_init(&w, &b);
    snap_json_positions(&w, s);
    assert_int_equal(jw_finish(&w), 0);
    expect_fixture("positions.json", &b);

    /* The watchlist routes' three lists. */
    buf_reset(&b);
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_karr_begin(&w, "watched");
    for (size_t i = 0; i < s->n_watchlist; i++)
        if (s->watchlist[i].watched)
            snap_json_watch_entry(&w, &s->watchlist[i]);
    jw_arr_end(&w);
    jw_karr_begin(&w, "blacklisted");
    for (size_t i = 0; i < s->n_watchlist; i++)
        if (s->watchlist[i].blacklisted)
            snap_json_watch_entry(&w, &s->watchlist[i]);
    jw_arr_end(&w);
    jw_karr_begin(&w, "cluster_blacklisted");
    for (size_t i = 0; i < s->n_watchlist; i++)
        if (s->watchlist[i].cluster_blacklisted)
            snap_json_watch_entry(&w, &s->watchlist[i]);
    jw_arr_end(&w);
    jw_obj_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    expect_fixture("watch.json", &b);

    buf_release(&b);
    runner_snap_free(s);
}

/* Built with a previous snapshot, the watchlist is that one's copy (the
 * engine's current one is not read): the runner rebuilds it only after a
 * watch command. Everything else is the engine's now. */
static void test_watchlist_from_prev(void **state)
{
    (void)state;
    struct buf rec;
    buf_init(&rec, 0);
    struct engine *e = scenario(&rec);
    struct runner_snap *a = runner_snap_build(e, NULL);
    assert_int_equal(a->n_watchlist, 5);
    feed(e, command(CMD_WATCH, 6, 10, T0 + 10000));
    feed(e, command(CMD_RESUME, 0, 0, T0 + 10000));
    struct runner_snap *b = runner_snap_build(e, a);
    struct runner_snap *c = runner_snap_build(e, NULL);
    assert_int_equal(b->n_watchlist, 5);
    assert_ptr_not_equal(b->watchlist, a->watchlist);
    assert_memory_equal(b->watchlist, a->watchlist, 5 * sizeof *a->watchlist);
    assert_int_equal(c->n_watchlist, 6);
    assert_true(a->paused);
    assert_false(b->paused);
    assert_int_equal(b->status.watched, 4);
    assert_int_equal(b->n_positions, 2);
    runner_snap_free(a);
    runner_snap_free(b);
    runner_snap_free(c);
    engine_free(e);
    buf_release(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_as_before),
        cmocka_unit_test(test_watchlist_from_prev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
