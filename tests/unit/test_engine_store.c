/* Tests of trade/engine_store.h on a real SQLite file: the batched writer
 * puts every decision in its table with the engine's ids, and a new engine
 * restored from the store has exactly the equity, cash, breakers and open
 * positions of the one that wrote it, loads the watchlist and blacklists,
 * cancels the orders that were in flight, and afterwards takes the same
 * exit decisions on the same prices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "trade/engine.h"
#include "trade/engine_store.h"

#define MIN  60000LL
#define HOUR (60 * MIN)
#define T0   1767225600000LL

#include "../support/engine_events.c"

static struct event cmd(enum command_kind k, unsigned wallet, double value, int64_t ts)
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

static struct event tick(int64_t ts)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_TICK;
    e.u.tick.ts_ms = ts;
    return e;
}

static void feed(struct engine *e, struct event ev)
{
    if (engine_handle(e, &ev) != 0)
        fail_msg("engine_handle: %s", engine_last_error(e));
}

static char dir[256], dbpath[300];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/wt_engstore_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(dbpath, sizeof dbpath, "%s/walltrack.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char c[400];
    snprintf(c, sizeof c, "rm -rf '%s'", dir);
    return system(c) == 0 ? 0 : -1;
}

static void params(struct engine_params *p)
{
    engine_params_default(p);
    p->signal.weight[SF_WALLET] = 1;
    p->signal.weight[SF_CLUSTER] = 0;
    p->signal.weight[SF_TOKEN] = 0;
    p->signal.weight[SF_CONTEXT] = 0;
    p->book.n_overrides = 0;
}

/* An engine writing to st and recording to rec. */
static struct engine *engine_on(struct store *st, struct buf *rec)
{
    struct engine_params p;
    params(&p);
    struct engine_out *outs[2] = {engine_store_writer_new(st), engine_recorder_new(rec)};
    char err[256];
    struct engine *e = engine_new(&p, engine_tee_new(outs, 2), T0, err, sizeof err);
    assert_non_null(e);
    struct paper_params pp;
    paper_params_default(&pp);
    pp.latency_ms = 0;
    engine_set_executor(e, engine_paper_executor(e, &pp));
    return e;
}

static void test_write_and_restore(void **state)
{
    (void)state;
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dbpath, NULL, &st, err, sizeof err), 0);
    /* A watched wallet in the store, one blacklisted, one blacklisted cluster. */
    struct wallet w;
    memset(&w, 0, sizeof w);
    snprintf(w.chain, sizeof w.chain, "solana");
    struct pubkey k = key(1, 1);
    pubkey_format(&k, w.address);
    w.score = 80;
    w.status = WALLET_WATCH;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
    k = key(1, 7);
    pubkey_format(&k, w.address);
    w.status = WALLET_BLACKLISTED;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
    struct cluster_row cl = {.size = 1, .blacklisted = true};
    snprintf(cl.label, sizeof cl.label, "c1");
    int64_t cid;
    assert_int_equal(store_row_put(st, STORE_T_CLUSTERS, &cl, &cid), 0);
    struct cluster_member_row m = {.cluster_id = cid};
    k = key(1, 8);
    pubkey_format(&k, m.wallet);
    assert_int_equal(store_row_put(st, STORE_T_CLUSTER_MEMBERS, &m, NULL), 0);

    struct buf ra;
    buf_init(&ra, 0);
    struct engine *a = engine_on(st, &ra);
    struct engine_restore_stats rs;
    assert_int_equal(engine_store_restore(a, st, true, &rs, err, sizeof err), 0);
    assert_false(rs.state_found);
    assert_int_equal(rs.watched, 1);
    assert_int_equal(rs.blacklisted, 1);
    assert_int_equal(rs.cluster_members, 1);

    int64_t t = T0;
    struct event hist[32];
    size_t nh = 0;
#define H(ev) (hist[nh] = (ev), feed(a, hist[nh]), nh++)
    feed(a, cmd(CMD_WATCH, 2, 85, t));
    H(swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000)); /* traded */
    H(swap(3, 1, SIDE_SELL, 10, 0.0005, t += 1000)); /* stop-loss: a closed trade */
    H(swap(1, 2, SIDE_BUY, 1000, 0.001, t += 1000)); /* stays open */
    H(swap(2, 3, SIDE_BUY, 1000, 0.001, t += 1000)); /* stays open, past a take-profit */
    engine_flush(a);
    double e3 = engine_position_at(a, 1, NULL, NULL, NULL)->entry_price;
    H(swap(3, 3, SIDE_BUY, 10, e3 * 2.3, t += MIN));
    H(swap(3, 2, SIDE_BUY, 10, 0.00105, t += MIN));
    feed(a, tick(t += MIN));
    engine_flush(a);
#undef H

    /* Rows: signals with the engine's ids, orders filled, a closed trade
     * with its factors, a position closed and two open. */
    struct signal_row sr[8];
    size_t n;
    struct signal_query q = {.limit = 8};
    assert_int_equal(store_signals_query(st, &q, sr, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(sr[0].id, 3);
    assert_string_equal(sr[2].reason, "traded");
    assert_non_null(strstr(sr[2].factors, "\"wallet_detail\""));
    assert_non_null(strstr(sr[2].factors, "\"size_lamports\":200000000"));
    struct order_row orow;
    assert_int_equal(store_row_get(st, STORE_T_ORDERS, 1, &orow), 0);
    assert_string_equal(orow.status, "filled");
    assert_int_equal(orow.signal_id, 1);
    struct closed_trade_row tr[4];
    struct trade_query tq = {.mode = "paper", .limit = 4};
    assert_int_equal(store_closed_trades_query(st, &tq, tr, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(tr[0].exit_reason, "stop_loss");
    assert_int_equal(tr[0].signal_id, 1);
    assert_true(fabs(tr[0].score - 0.8) < 1e-9);
    assert_non_null(strstr(tr[0].factors, "\"entry_hour\":0"));
    struct position_row pr[4];
    assert_int_equal(store_positions_open(st, "paper", pr, 4, &n), 0);
    assert_int_equal(n, 2);
    struct position_row p1;
    assert_int_equal(store_row_get(st, STORE_T_POSITIONS, 1, &p1), 0);
    assert_string_equal(p1.status, "closed");

    /* In serve the inbox stores the market events; here, by hand. */
    assert_int_equal(store_append_events(st, hist, nh, NULL), 0);

    /* A second engine restored from the store. */
    struct buf rb;
    buf_init(&rb, 0);
    struct engine *b = engine_on(st, &rb);
    assert_int_equal(engine_store_restore(b, st, true, &rs, err, sizeof err), 0);
    assert_true(rs.state_found);
    assert_int_equal(rs.positions, 2);
    assert_int_equal(rs.trades, 1);
    assert_int_equal(rs.swaps_warmed, nh);
    struct engine_status sa, sb;
    engine_status(a, &sa);
    engine_status(b, &sb);
    assert_int_equal(sa.equity_lamports, sb.equity_lamports);
    assert_int_equal(sa.cash_lamports, sb.cash_lamports);
    assert_int_equal(sa.open_value_lamports, sb.open_value_lamports);
    assert_int_equal(sa.peak_equity_lamports, sb.peak_equity_lamports);
    assert_int_equal(sb.watched, 1); /* wallet 2 was watched by a command only, not stored */
    assert_int_equal(sb.blacklisted, 1);
    assert_int_equal(sb.cluster_blacklisted, 1);
    struct buf ba, bb;
    buf_init(&ba, 0);
    buf_init(&bb, 0);
    assert_int_equal(breakers_format(engine_breakers(a), &ba), 0);
    assert_int_equal(breakers_format(engine_breakers(b), &bb), 0);
    assert_string_equal(ba.data, bb.data);
    for (size_t i = 0; i < 2; i++) {
        double s1, s2, f1[SF_COUNT], f2[SF_COUNT];
        buf_reset(&ba);
        buf_reset(&bb);
        assert_int_equal(position_format(engine_position_at(a, i, NULL, &s1, f1), &ba), 0);
        assert_int_equal(position_format(engine_position_at(b, i, NULL, &s2, f2), &bb), 0);
        assert_string_equal(ba.data, bb.data);
        assert_true(s1 == s2);
        assert_memory_equal(f1, f2, sizeof f1);
    }

    /* The same prices afterwards: the same exits and trades. */
    size_t mark = ra.len;
    struct event rest[] = {
        swap(3, 3, SIDE_SELL, 10, e3 * 1.5, t + 1000), /* trailing stop of the moonbag */
        swap(3, 2, SIDE_SELL, 10, 0.0006, t + 2000),   /* stop-loss */
    };
    for (size_t i = 0; i < 2; i++) {
        feed(a, rest[i]);
        feed(b, rest[i]);
    }
    assert_int_equal(ra.len - mark, rb.len);
    assert_memory_equal(ra.data + mark, rb.data, rb.len);
    engine_status(a, &sa);
    engine_status(b, &sb);
    assert_int_equal(sa.open_positions, 0);
    assert_int_equal(sa.equity_lamports, sb.equity_lamports);

    buf_release(&ba);
    buf_release(&bb);
    engine_free(a);
    engine_free(b);
    buf_release(&ra);
    buf_release(&rb);
    store_close(st);
}

/* An order in flight at the stop is cancelled by the next start, and the
 * pending sale of its position cleared. */
static void test_restart_cancels_inflight(void **state)
{
    (void)state;
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dbpath, NULL, &st, err, sizeof err), 0);
    struct buf ra;
    buf_init(&ra, 0);
    struct engine_params p;
    params(&p);
    struct engine *a = engine_new(&p, engine_store_writer_new(st), T0, err, sizeof err);
    struct paper_params pp;
    paper_params_default(&pp);
    pp.latency_ms = 5000;
    engine_set_executor(a, engine_paper_executor(a, &pp));
    feed(a, cmd(CMD_WATCH, 1, 80, T0));
    feed(a, swap(1, 1, SIDE_BUY, 1000, 0.001, T0 + 1000));
    feed(a, tick(T0 + 7000));                              /* filled */
    feed(a, swap(2, 1, SIDE_SELL, 10, 0.0005, T0 + 8000)); /* stop-loss sale sent */
    feed(a, swap(1, 2, SIDE_BUY, 1000, 0.001, T0 + 9000)); /* a buy sent */
    engine_flush(a);
    engine_free(a);

    struct engine *b = engine_new(&p, engine_store_writer_new(st), T0, err, sizeof err);
    engine_set_executor(b, engine_paper_executor(b, &pp));
    struct engine_restore_stats rs;
    assert_int_equal(engine_store_restore(b, st, false, &rs, err, sizeof err), 0);
    assert_int_equal(rs.orders_cancelled, 2);
    assert_int_equal(rs.positions, 1);
    const struct position *pos = engine_position_at(b, 0, NULL, NULL, NULL);
    assert_int_equal(pos->pending_raw, 0);
    struct engine_status s;
    engine_status(b, &s);
    assert_int_equal(s.reserved_lamports, 0);
    /* The stop-loss is decided again at the next price. */
    feed(b, swap(2, 1, SIDE_SELL, 10, 0.0005, T0 + 20000));
    feed(b, tick(T0 + 30000));
    engine_status(b, &s);
    assert_int_equal(s.open_positions, 0);
    engine_flush(b);
    engine_free(b);
    buf_release(&ra);
    store_close(st);
}

int main(void)
{
    log_set_level(LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_and_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_cancels_inflight, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
