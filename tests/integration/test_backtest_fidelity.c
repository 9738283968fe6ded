/* Fidelity of backtests (issue 18 item 2): a paper `serve` is fed a
 * simulated market (src/sim) as signed Helius webhook deliveries, with a
 * watchlist added over HTTP and one setting changed in the middle through
 * PUT /v1/config; after it stops, `walltrack backtest run --as-recorded`
 * over the window must reproduce the daemon's signals (decision, score,
 * size), orders and closed trades field by field, exactly, from the
 * engine journal the daemon recorded (trade/journal.h).
 *
 * On SQLite always; on PostgreSQL too under tests/store/with_pg.sh
 * (WALLTRACK_TEST_PG_URL: a throwaway server of its own). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <sqlite3.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/vec.h"
#include "harness.h"
#include "sim/sim.h"
#include "store/store.h"

#include "../support/sim_market.c"

#define SECRET "whsec-fidelity-test"
#define AUTH   "Authorization: " SECRET

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void post_body(unsigned port, const struct buf *body)
{
    struct buf resp;
    buf_init(&resp, 0);
    long st = http_request(port, "POST", "/webhooks/helius", AUTH, body->data, body->len, &resp);
    if (st != 200)
        fail_msg("webhook: %ld %s", st, resp.data);
    buf_release(&resp);
}

/* Posts the market's transactions up to until_ms as webhook bodies of 40;
 * swapped: each pair of bodies posted in the opposite order (deliveries
 * arriving out of time order, as Helius's may). */
static size_t post_until(unsigned port, struct sim *s, struct sim_tx *tx, bool *have,
                         int64_t until_ms, bool swapped)
{
    struct buf body[2], one;
    buf_init(&body[0], 0);
    buf_init(&body[1], 0);
    buf_init(&one, 0);
    size_t n = 0, in_body = 0;
    int cur = 0;
    for (;;) {
        if (!*have)
            *have = sim_next(s, tx) == 1;
        bool last = !*have || tx->ts_ms > until_ms;
        if (!last) {
            buf_reset(&one);
            assert_int_equal(sim_tx_json(s, tx, &one), 0);
            /* sim_tx_json gives "[{...}]": the object goes into the body */
            buf_putc(&body[cur], in_body ? ',' : '[');
            buf_append(&body[cur], one.data + 1, one.len - 2);
            in_body++;
            n++;
            *have = false;
        }
        if (in_body && (in_body == 40 || last)) {
            buf_putc(&body[cur], ']');
            in_body = 0;
            if (!swapped || cur == 1) {
                post_body(port, &body[cur]);
                if (cur == 1)
                    post_body(port, &body[0]);
                buf_reset(&body[0]);
                buf_reset(&body[1]);
                cur = 0;
            } else {
                cur = 1;
            }
        }
        if (last)
            break;
    }
    if (body[0].len)
        post_body(port, &body[0]);
    buf_release(&body[0]);
    buf_release(&body[1]);
    buf_release(&one);
    return n;
}

/* Waits until the engine has handled everything queued and no paper order
 * is in flight (ticks fill them), for up to a minute: a loaded machine
 * can take many seconds (a 10 s bound failed once at load 15). */
static void settle(unsigned port)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 1200; i++) {
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        buf_reset(&b);
        http_request(port, "GET", "/v1/status", NULL, NULL, 0, &b);
        if (b.data && strstr(b.data, "\"queued\":0") && strstr(b.data, "\"pending_orders\":0"))
            break;
    }
    nanosleep(&(struct timespec){0, 300000000}, NULL);
    buf_release(&b);
}

/* ---- the daemon's records ---------------------------------------------------- */

struct recorded {
    VEC(struct signal_row) signals;
    VEC(struct order_row) orders;
    VEC(struct closed_trade_row) trades;
};

#define READ_ALL(st, table, vec)                                                                   \
    do {                                                                                           \
        int64_t after = 0;                                                                         \
        for (;;) {                                                                                 \
            size_t n = 0;                                                                          \
            size_t at = (vec).len;                                                                 \
            for (int k = 0; k < 100; k++)                                                          \
                vec_push_zero(&(vec));                                                             \
            struct row_query q = {.after_id = after, .limit = 100};                                \
            assert_int_equal(store_list_##table(st, &q, (vec).v + at, &n), 0);                     \
            (vec).len = at + n;                                                                    \
            if (n < 100)                                                                           \
                break;                                                                             \
            after = (vec).v[(vec).len - 1].id;                                                     \
        }                                                                                          \
    } while (0)

/* Keeps the decisions of [from, ...): signals and orders by their time,
 * closed trades by their close (as a backtest window keeps them). */
static void keep_from(struct recorded *r, int64_t from)
{
    size_t k = 0;
    for (size_t i = 0; i < r->signals.len; i++)
        if (r->signals.v[i].ts_ms >= from)
            r->signals.v[k++] = r->signals.v[i];
    r->signals.len = k;
    k = 0;
    for (size_t i = 0; i < r->orders.len; i++)
        if (r->orders.v[i].ts_ms >= from)
            r->orders.v[k++] = r->orders.v[i];
    r->orders.len = k;
    k = 0;
    for (size_t i = 0; i < r->trades.len; i++)
        if (r->trades.v[i].closed_ms >= from)
            r->trades.v[k++] = r->trades.v[i];
    r->trades.len = k;
}

static void read_recorded(const char *db, struct recorded *r)
{
    memset(r, 0, sizeof *r);
    struct store *st;
    char err[512];
    if (store_open(db, NULL, &st, err, sizeof err) != 0)
        fail_msg("cannot open %s: %s", db, err);
    READ_ALL(st, signal, r->signals);
    READ_ALL(st, order, r->orders);
    READ_ALL(st, closed_trade, r->trades);
    store_close(st);
}

/* ---- the comparison ---------------------------------------------------------- */

static const char *jstr(const struct json_val *o, const char *key)
{
    const char *s;
    if (json_get_str(o, key, &s, NULL) != 0)
        fail_msg("backtest JSON: no %s", key);
    return s;
}

static double jdouble(const struct json_val *o, const char *key)
{
    double v;
    if (json_get_double(o, key, &v) != 0)
        fail_msg("backtest JSON: no %s", key);
    return v;
}

static int64_t ji64(const struct json_val *o, const char *key)
{
    int64_t v;
    if (json_get_i64(o, key, &v) != 0)
        fail_msg("backtest JSON: no %s", key);
    return v;
}

#define SAME_I(what, i, a, b)                                                                      \
    if ((int64_t)(a) != (int64_t)(b))                                                              \
    fail_msg("%s %zu: %s differs: serve %lld, backtest %lld", what, i, #a, (long long)(a),         \
             (long long)(b))
#define SAME_D(what, i, a, b)                                                                      \
    if ((a) != (b))                                                                                \
    fail_msg("%s %zu: %s differs: serve %.17g, backtest %.17g", what, i, #a, (double)(a),          \
             (double)(b))
#define SAME_S(what, i, a, b)                                                                      \
    if (strcmp((a), (b)) != 0)                                                                     \
    fail_msg("%s %zu: %s differs: serve %s, backtest %s", what, i, #a, (a), (b))

static void compare_signals(const struct recorded *r, const struct json_val *arr)
{
    if (json_size(arr) != r->signals.len)
        fail_msg("signals: serve made %zu, the backtest %zu", r->signals.len, json_size(arr));
    struct json_doc *fd = json_doc_new(16);
    for (size_t i = 0; i < r->signals.len; i++) {
        const struct signal_row *s = &r->signals.v[i];
        struct json_val e, root;
        assert_int_equal(json_index(arr, i, &e), 0);
        SAME_I("signal", i, s->ts_ms, ji64(&e, "ts_ms"));
        SAME_S("signal", i, s->wallet, jstr(&e, "wallet"));
        SAME_S("signal", i, s->mint, jstr(&e, "mint"));
        SAME_D("signal", i, s->score, jdouble(&e, "score"));
        SAME_S("signal", i, s->reason, jstr(&e, "reason"));
        uint64_t size = 0;
        assert_int_equal(json_parse(fd, s->factors, strlen(s->factors), 0, &root), 0);
        assert_int_equal(json_get_u64(&root, "size_lamports", &size), 0);
        SAME_I("signal", i, size, llround(jdouble(&e, "size_sol") * 1e9));
    }
    json_doc_free(fd);
}

static void compare_orders(const struct recorded *r, const struct json_val *arr)
{
    if (json_size(arr) != r->orders.len)
        fail_msg("orders: serve sent %zu, the backtest %zu", r->orders.len, json_size(arr));
    for (size_t i = 0; i < r->orders.len; i++) {
        const struct order_row *o = &r->orders.v[i];
        struct json_val e;
        assert_int_equal(json_index(arr, i, &e), 0);
        SAME_I("order", i, o->id, ji64(&e, "id"));
        SAME_I("order", i, o->signal_id, ji64(&e, "signal_id"));
        SAME_I("order", i, o->ts_ms, ji64(&e, "ts_ms"));
        SAME_I("order", i, o->updated_ms, ji64(&e, "updated_ms"));
        SAME_S("order", i, o->mint, jstr(&e, "mint"));
        SAME_S("order", i, o->side == 1 ? "buy" : "sell", jstr(&e, "side"));
        uint64_t amount;
        assert_int_equal(json_get_u64(&e, "amount_in", &amount), 0);
        SAME_I("order", i, o->amount_in, amount);
        SAME_I("order", i, o->slippage_bps, ji64(&e, "slippage_bps"));
        SAME_S("order", i, o->status, jstr(&e, "status"));
        SAME_S("order", i, o->error, jstr(&e, "error"));
    }
}

static void compare_trades(const struct recorded *r, const struct json_val *arr)
{
    if (json_size(arr) != r->trades.len)
        fail_msg("closed trades: serve closed %zu, the backtest %zu", r->trades.len,
                 json_size(arr));
    for (size_t i = 0; i < r->trades.len; i++) {
        const struct closed_trade_row *t = &r->trades.v[i];
        struct json_val e;
        assert_int_equal(json_index(arr, i, &e), 0);
        SAME_I("trade", i, t->opened_ms, ji64(&e, "opened_ms"));
        SAME_I("trade", i, t->closed_ms, ji64(&e, "closed_ms"));
        SAME_S("trade", i, t->wallet, jstr(&e, "wallet"));
        SAME_S("trade", i, t->mint, jstr(&e, "mint"));
        SAME_D("trade", i, t->pnl_sol, jdouble(&e, "pnl_sol"));
        SAME_D("trade", i, t->pnl_pct, jdouble(&e, "pnl_pct"));
        SAME_D("trade", i, t->score, jdouble(&e, "score"));
        SAME_S("trade", i, t->exit_reason, jstr(&e, "exit_reason"));
        SAME_S("trade", i, t->strategy, jstr(&e, "strategy"));
        SAME_I("trade", i, t->entry_lamports, llround(jdouble(&e, "cost_sol") * 1e9));
    }
}

static size_t count_reason(const struct recorded *r, const char *reason, int64_t after_ms)
{
    size_t n = 0;
    for (size_t i = 0; i < r->signals.len; i++)
        n += r->signals.v[i].ts_ms >= after_ms && strcmp(r->signals.v[i].reason, reason) == 0;
    return n;
}

/* ---- the test ---------------------------------------------------------------- */

/* The engine's clock as GET /v1/status shows it. */
static int64_t engine_now(unsigned port)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(http_request(port, "GET", "/v1/status", NULL, NULL, 0, &b), 200);
    const char *at = strstr(b.data, "\"now_ms\":");
    assert_non_null(at);
    int64_t v = strtoll(at + strlen("\"now_ms\":"), NULL, 10);
    buf_release(&b);
    return v;
}

/* A new exit strategy "quick" (30 minutes' hold at most) through PUT
 * /v1/exits/strategies, given to every open position through PUT
 * /v1/positions/{id}/strategy: the restored positions close during the
 * second run, by commands the journal records. Returns how many. */
static size_t quick_exits(unsigned port)
{
    const char *quick = "{\"name\":\"quick\",\"stop_loss\":0.3,\"take_profits\":[],\"moonbag\":0,"
                        "\"trailing_activation\":0,\"trailing_distance\":0,\"max_hold_ms\":1800000,"
                        "\"stagnation_band\":0,\"stagnation_ms\":0,\"exit_on_wallet_sell\":false}";
    struct buf b;
    buf_init(&b, 0);
    long st =
        http_request(port, "PUT", "/v1/exits/strategies/quick", NULL, quick, strlen(quick), &b);
    if (st != 200)
        fail_msg("PUT quick: %ld %s", st, b.data);
    buf_reset(&b);
    assert_int_equal(http_request(port, "GET", "/v1/positions", NULL, NULL, 0, &b), 200);
    struct json_doc *d = json_doc_new(16);
    struct json_val root, arr, e;
    assert_int_equal(json_parse(d, b.data, b.len, 0, &root), 0);
    assert_int_equal(json_get(&root, "positions", &arr), 0);
    size_t n = json_size(&arr);
    struct buf r;
    buf_init(&r, 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(json_index(&arr, i, &e), 0);
        char path[96];
        snprintf(path, sizeof path, "/v1/positions/%lld/strategy", (long long)ji64(&e, "id"));
        const char *req = "{\"strategy\":\"quick\"}";
        buf_reset(&r);
        st = http_request(port, "PUT", path, NULL, req, strlen(req), &r);
        if (st != 200)
            fail_msg("PUT %s: %ld %s", path, st, r.data);
    }
    json_doc_free(d);
    buf_release(&r);
    buf_release(&b);
    return n;
}

/* restart: the daemon is stopped after the change and started again
 * (restoring its open positions, account and watchlist) before the rest
 * of the market; the window is the second run's. */
static void fidelity(const char *pg_url, bool restart)
{
    /* Three hours of a small market starting now, posted at once (block
     * times ahead of the wall clock, as test_engine_api's end-to-end). */
    int64_t t0 = now_ms();
    struct sim *s = sim_market_now(t0);

    char dbenv[1200] = "";
    if (pg_url)
        snprintf(dbenv, sizeof dbenv, "WALLTRACK_DB=%s", pg_url);
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, pg_url ? dbenv : NULL, NULL};
    const char *args[] = {"--set", "ingest.max_future_s=86400", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);
    struct buf body;
    buf_init(&body, 0);
    size_t watched = sim_watch(d.port, s, true);

    struct sim_tx tx;
    bool have = false;
    size_t n1 = post_until(d.port, s, &tx, &have, t0 + (restart ? 60 : 90) * 60 * 1000, false);
    settle(d.port);
    /* The mid-run change: at most two positions from now on, and the
     * wallet factor weighs more (every later signal's score moves). */
    const char *put = "{\"trade.max_positions\": 2, \"signal.weight_wallet\": 0.5}";
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "PUT", "/v1/config", NULL, put, strlen(put), &body), 200);
    int64_t from_ms = t0 - 3600 * 1000;
    size_t reopened = 0;
    if (restart) {
        assert_int_equal(daemon_stop(&d, SIGTERM), 0);
        assert_int_equal(daemon_restart(&d, args, env), 0);
        from_ms = engine_now(d.port);
        reopened = quick_exits(d.port);
    }
    size_t n2 = post_until(d.port, s, &tx, &have, t0 + (restart ? 8 : 3) * 3600 * 1000, true);
    settle(d.port);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    sim_free(s);

    char data[400];
    snprintf(data, sizeof data, "%s/data", d.dir);
    struct recorded rec;
    read_recorded(pg_url ? pg_url : data, &rec);
    if (restart) {
        print_message("restart: %zu positions restored open\n", reopened);
        assert_true(reopened > 0);
        keep_from(&rec, from_ms);
    }
    print_message("fidelity (%s): %zu + %zu txs, %zu watched; serve: %zu signals, %zu orders, "
                  "%zu closed trades, %zu max_positions skips\n",
                  pg_url ? "postgresql" : "sqlite", n1, n2, watched, rec.signals.len,
                  rec.orders.len, rec.trades.len, count_reason(&rec, "max_positions", 0));
    assert_true(rec.trades.len >= (restart ? 1 : 3));
    /* The change mattered: signals were refused for it. */
    assert_true(count_reason(&rec, "max_positions", 0) > 0);

    char from[32], to[32];
    snprintf(from, sizeof from, "%lld", (long long)from_ms);
    snprintf(to, sizeof to, "%lld", (long long)(t0 + 12 * 3600 * 1000));
    const char *argv[] = {"backtest", "run",    "--as-recorded", "--from", from, "--to",
                          to,         "--json", "--data",        data,     NULL};
    struct buf out;
    buf_init(&out, 0);
    int st = harness_run(d.dir, argv, env, 120, &out);
    if (st != 0)
        fail_msg("backtest run --as-recorded: exit %d: %s", st, out.data);
    struct json_doc *doc = json_doc_new(64);
    struct json_val root, arr;
    const char *nl = strchr(out.data, '\n');
    assert_int_equal(json_parse(doc, out.data, nl ? (size_t)(nl - out.data) : out.len, 0, &root),
                     0);
    assert_string_equal(jstr(&root, "sample"), "as-recorded");
    /* The settings the run started with: before the change for the single
     * run (the change came as a recorded command), after it for the run
     * that restarted (stored by PUT /v1/config, loaded at its start). */
    struct json_val set;
    assert_int_equal(json_get(&root, "settings", &set), 0);
    assert_string_equal(jstr(&set, "signal.weight_wallet"), restart ? "0.5" : "0.30");
    const char *note = strstr(out.data, "backtest: the serve run");
    assert_non_null(note);
    print_message("%.*s\n", (int)strcspn(note, "\n"), note);
    /* The second half arrived out of time order: the replay followed the
     * daemon's order, not the events' times. */
    const char *ooo = strstr(note, "stored events (");
    assert_non_null(ooo);
    assert_true(strtol(ooo + strlen("stored events ("), NULL, 10) > 0);
    assert_int_equal(json_get(&root, "signals", &arr), 0);
    compare_signals(&rec, &arr);
    assert_int_equal(json_get(&root, "orders", &arr), 0);
    compare_orders(&rec, &arr);
    assert_int_equal(json_get(&root, "trades", &arr), 0);
    compare_trades(&rec, &arr);
    json_doc_free(doc);

    if (!pg_url) {
        /* A stored swap the daemon handled is removed: the replay finds
         * the difference and says so instead of deciding otherwise. */
        char path[600];
        snprintf(path, sizeof path, "%s/walltrack.db", data);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db,
                                      restart ? "DELETE FROM swaps WHERE id = 5"
                                              : "DELETE FROM swaps WHERE id = (SELECT max(id) / "
                                                "2 FROM swaps)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
        buf_reset(&out);
        assert_int_equal(harness_run(d.dir, argv, env, 120, &out), 1);
        assert_true(strstr(out.data, restart ? "the history it started from was changed"
                                             : "are not those the engine was handed") != NULL);
    }

    /* A window with no recorded run, and an inverted one: clear errors. */
    snprintf(from, sizeof from, "%lld", (long long)(t0 - 48 * 3600 * 1000));
    snprintf(to, sizeof to, "%lld", (long long)(t0 - 24 * 3600 * 1000));
    buf_reset(&out);
    assert_int_not_equal(harness_run(d.dir, argv, env, 60, &out), 0);
    assert_non_null(strstr(out.data, "no recorded serve run in the window"));
    const char *inv[] = {"backtest", "run", "--as-recorded", "--from", to,
                         "--to",     from,  "--data",        data,     NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(d.dir, inv, env, 60, &out), 2);
    assert_non_null(strstr(out.data, "empty or inverted window"));
    const char *sc[] = {"backtest", "run",        "--as-recorded", "--from", from, "--to",
                        to,         "--scenario", "aggressive",    "--data", data, NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(d.dir, sc, env, 60, &out), 2);
    assert_non_null(strstr(out.data, "takes no --scenario and no --set"));

    vec_free(&rec.signals);
    vec_free(&rec.orders);
    vec_free(&rec.trades);
    buf_release(&out);
    buf_release(&body);
    if (!getenv("KEEP"))
        harness_rmdir(d.dir);
    else
        print_message("kept %s\n", d.dir);
}

static void test_fidelity_sqlite(void **state)
{
    (void)state;
    fidelity(NULL, false);
}

static void test_fidelity_across_restart(void **state)
{
    (void)state;
    fidelity(NULL, true);
}

static void test_fidelity_pg(void **state)
{
    (void)state;
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (!pg) {
        print_message("fidelity on PostgreSQL: skipped: WALLTRACK_TEST_PG_URL is not set (ctest "
                      "runs this under tests/store/with_pg.sh)\n");
        skip();
    }
    fidelity(pg, false);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fidelity_sqlite),
        cmocka_unit_test(test_fidelity_across_restart),
        cmocka_unit_test(test_fidelity_pg),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
