/* Integration tests of the operator API against the real daemon on a real
 * SQLite file:
 *
 *   * pause and resume through POST /v1/control/..., seen in GET /v1/status;
 *     a breaker reset naming no breaker is refused;
 *   * PUT /v1/config: unknown, not live-editable, out of bounds and
 *     cross-setting violations get 400 naming the setting and change
 *     nothing; a good change is applied, kept with its history, and wins
 *     over the default after a restart (source "database");
 *   * the serve path end to end: a simulated market (src/sim) posted as
 *     Helius webhook bodies, with watched wallets -> signals (GET
 *     /v1/signals, and `event: signal` on GET /v1/stream) -> paper
 *     positions that open and close by an exit rule (GET /v1/trades) ->
 *     a restart that restores the open positions and the equity exactly,
 *     then an open position's exit strategy changed over HTTP;
 *   * the watchlist and blacklist endpoints, persisted across a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/sse_reader.c"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "harness.h"
#include "sim/sim.h"

#include "../support/sim_market.c"

#define SECRET "whsec-engine-test"
#define AUTH   "Authorization: " SECRET

static const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};

/* ---- JSON helpers ------------------------------------------------------------ */

struct doc {
    struct json_doc *d;
    struct json_val root;
};

static void get_json(unsigned port, const char *path, struct doc *out, struct buf *body)
{
    buf_reset(body);
    long st = http_request(port, "GET", path, NULL, NULL, 0, body);
    if (st != 200)
        fail_msg("GET %s: %ld %s", path, st, body->data ? body->data : "");
    out->d = json_doc_new(64);
    if (json_parse(out->d, body->data, body->len, 0, &out->root) != 0)
        fail_msg("GET %s: not JSON: %s", path, body->data);
}

static const char *str_at(const struct json_val *o, const char *key)
{
    const char *s;
    if (json_get_str(o, key, &s, NULL) != 0)
        fail_msg("missing %s", key);
    return s;
}

static long send_json(unsigned port, const char *method, const char *path, const char *json,
                      struct buf *body)
{
    buf_reset(body);
    return http_request(port, method, path, NULL, json, strlen(json), body);
}

/* ---- pause / resume ------------------------------------------------------------- */

static void test_pause_resume(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    struct buf body;
    buf_init(&body, 0);
    struct doc s;
    get_json(d.port, "/v1/status", &s, &body);
    assert_string_equal(str_at(&s.root, "state"), "running");
    assert_string_equal(str_at(&s.root, "mode"), "paper");
    struct json_val in, wh, eq;
    assert_int_equal(json_get(&s.root, "inputs", &in), 0);
    assert_int_equal(json_get(&in, "rpc", &wh), 0);
    assert_string_equal(str_at(&wh, "status"), "not configured");
    assert_int_equal(json_get(&in, "webhook", &wh), 0);
    assert_string_equal(str_at(&wh, "status"), "no events yet");
    assert_int_equal(json_get(&s.root, "equity", &eq), 0);
    uint64_t equity;
    assert_int_equal(json_get_u64(&eq, "equity_lamports", &equity), 0);
    assert_int_equal(equity, 10000000000ULL);
    json_doc_free(s.d);

    assert_int_equal(
        send_json(d.port, "POST", "/v1/control/pause", "{\"reason\":\"lunch\"}", &body), 200);
    assert_non_null(strstr(body.data, "\"state\":\"paused\""));
    get_json(d.port, "/v1/status", &s, &body);
    assert_string_equal(str_at(&s.root, "state"), "paused");
    assert_non_null(strstr(body.data, "paused by the operator: lunch"));
    json_doc_free(s.d);
    assert_int_equal(send_json(d.port, "POST", "/v1/control/resume", "", &body), 200);
    get_json(d.port, "/v1/status", &s, &body);
    assert_string_equal(str_at(&s.root, "state"), "running");
    json_doc_free(s.d);

    assert_int_equal(
        send_json(d.port, "POST", "/v1/control/breakers/reset", "{\"breaker\":\"bogus\"}", &body),
        400);
    assert_non_null(strstr(body.data, "bogus"));
    assert_int_equal(send_json(d.port, "POST", "/v1/control/breakers/reset", "{}", &body), 200);
    assert_int_equal(send_json(d.port, "POST", "/v1/control/nope", "{}", &body), 404);
    /* The operator's pause is an alert in the store. */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/alerts", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "paused by the operator: lunch"));

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    harness_rmdir(d.dir);
}

/* ---- PUT /v1/config --------------------------------------------------------------- */

static double setting(unsigned port, const char *name, const char **source)
{
    static struct buf body;
    static struct json_doc *d;
    if (!d)
        d = json_doc_new(16);
    buf_init(&body, 0);
    assert_int_equal(http_request(port, "GET", "/v1/config", NULL, NULL, 0, &body), 200);
    struct json_val root, arr, e;
    assert_int_equal(json_parse(d, body.data, body.len, 0, &root), 0);
    assert_int_equal(json_get(&root, "settings", &arr), 0);
    for (size_t i = 0; json_index(&arr, i, &e) == 0; i++) {
        if (strcmp(str_at(&e, "name"), name) != 0)
            continue;
        double v;
        assert_int_equal(json_get_double(&e, "value", &v), 0);
        if (source) {
            static char src[32];
            snprintf(src, sizeof src, "%s", str_at(&e, "source"));
            *source = src;
        }
        buf_release(&body);
        return v;
    }
    fail_msg("no setting %s", name);
    return 0;
}

static void test_put_config(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(send_json(d.port, "PUT", "/v1/config", "{\"no.such\": 1}", &body), 400);
    assert_non_null(strstr(body.data, "no.such"));
    assert_int_equal(send_json(d.port, "PUT", "/v1/config", "{\"server.threads\": 8}", &body), 400);
    assert_non_null(strstr(body.data, "server.threads cannot be changed while running"));
    assert_int_equal(send_json(d.port, "PUT", "/v1/config", "{\"signal.threshold\": 1.5}", &body),
                     400);
    assert_non_null(strstr(body.data, "signal.threshold"));
    assert_int_equal(
        send_json(d.port, "PUT", "/v1/config", "{\"trade.max_positions\": \"many\"}", &body), 400);
    assert_non_null(strstr(body.data, "trade.max_positions"));
    /* Valid alone, invalid together with the rest: high_score < threshold. */
    assert_int_equal(send_json(d.port, "PUT", "/v1/config", "{\"signal.threshold\": 0.9}", &body),
                     400);
    assert_non_null(strstr(body.data, "signal.threshold = 0.9"));
    /* One bad setting refuses the whole request. */
    assert_int_equal(send_json(d.port, "PUT", "/v1/config",
                               "{\"trade.max_positions\": 4, \"breakers.max_drawdown\": 3}", &body),
                     400);
    assert_non_null(strstr(body.data, "breakers.max_drawdown"));
    assert_true(setting(d.port, "trade.max_positions", NULL) == 10);

    /* Together they are fine: applied, reported, and in the engine. */
    assert_int_equal(send_json(d.port, "PUT", "/v1/config",
                               "{\"signal.threshold\": 0.9, \"trade.high_score\": 0.95, "
                               "\"trade.max_positions\": 4}",
                               &body),
                     200);
    assert_non_null(strstr(body.data, "\"applied\""));
    const char *src;
    assert_true(setting(d.port, "signal.threshold", &src) == 0.9);
    assert_string_equal(src, "database");
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"threshold\":0.9"));
    assert_non_null(strstr(body.data, "\"max\":4"));

    /* After a restart the stored value wins over the default. */
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    assert_true(setting(d.port, "trade.max_positions", &src) == 4);
    assert_string_equal(src, "database");
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"max\":4"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    harness_rmdir(d.dir);
}

/* ---- the serve path end to end -------------------------------------------------------- */

static int64_t wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Posts [tx, ...] bodies of up to 40 transactions. */
static void post_all(unsigned port, struct buf *txs, size_t n_txs, struct buf *body)
{
    (void)n_txs;
    struct buf b;
    buf_init(&b, 0);
    const char *p = txs->data;
    size_t in_body = 0;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p);
        /* each line is "[{...}]": take the object */
        buf_putc(&b, in_body ? ',' : '[');
        buf_append(&b, p + 1, len - 2);
        in_body++;
        p = nl + 1;
        if (in_body == 40 || !*p) {
            buf_putc(&b, ']');
            buf_reset(body);
            long st = http_request(port, "POST", "/webhooks/helius", AUTH, b.data, b.len, body);
            if (st != 200)
                fail_msg("webhook: %ld %s", st, body->data);
            buf_reset(&b);
            in_body = 0;
        }
    }
    buf_release(&b);
}

static void test_serve_path_end_to_end(void **state)
{
    (void)state;
    /* The first three hours of a small market starting now, posted at
     * once: block times run ahead of the wall clock, so the engine's clock
     * (the largest event time) is the market's, as in a replay. */
    int64_t now = wall_ms();
    struct sim *s = sim_market_now(now);
    struct buf txs, one;
    buf_init(&txs, 0);
    buf_init(&one, 0);
    struct sim_tx tx;
    size_t n = 0;
    while (sim_next(s, &tx) == 1 && tx.ts_ms <= now + 3 * 3600 * 1000) {
        buf_reset(&one);
        assert_int_equal(sim_tx_json(s, &tx, &one), 0);
        buf_append(&txs, one.data, one.len);
        buf_putc(&txs, '\n');
        n++;
    }
    assert_true(n > 500);

    /* Block times up to three hours ahead are the point of this test: the
     * tolerance for them is raised as the demo raises it. Once the market
     * is posted, ticks move the engine's clock on with the wall clock, so
     * the default strategy's stagnation rule (an hour without a 5% move)
     * would close the last positions if this test ran for minutes on a
     * loaded machine (measured: 300 s closed all 10); the runner strategy
     * has no stagnation rule and holds up to 72 h, so the open positions
     * the restart check needs do not depend on how long the test takes. */
    const char *args[] = {"--set", "ingest.max_future_s=86400", "--set",
                          "trade.default_strategy=runner", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);
    struct buf body;
    buf_init(&body, 0);
    /* Watch the skilled, fading and sniper wallets with a good prior. */
    size_t watched = sim_watch(d.port, s, true);
    assert_true(watched > 5);
    struct sse sse;
    sse_start(&sse, d.port);

    post_all(d.port, &txs, n, &body);
    /* Let the engine catch up (ticks fill the last paper orders). The
     * bound is generous: on a loaded machine the engine can take many
     * seconds over these events, and stopping early fails the counts
     * below (seen once in five runs at load 15 with a 5 s bound). */
    for (int i = 0; i < 1200; i++) {
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        buf_reset(&body);
        http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body);
        if (strstr(body.data, "\"queued\":0") && strstr(body.data, "\"pending_orders\":0"))
            break;
    }
    nanosleep(&(struct timespec){0, 300000000}, NULL);

    /* Signals were made, some traded, with reasons. */
    struct doc sig;
    get_json(d.port, "/v1/signals?decision=trade&limit=1000", &sig, &body);
    struct json_val arr, e;
    assert_int_equal(json_get(&sig.root, "signals", &arr), 0);
    size_t traded = json_size(&arr);
    assert_true(traded >= 1);
    assert_int_equal(json_index(&arr, 0, &e), 0);
    assert_string_equal(str_at(&e, "reason"), "traded");
    json_doc_free(sig.d);
    get_json(d.port, "/v1/signals?limit=5", &sig, &body);
    assert_int_equal(json_get(&sig.root, "signals", &arr), 0);
    assert_int_equal(json_size(&arr), 5);
    json_doc_free(sig.d);
    assert_true(sse_count(&sse, "event: signal") > 0);
    assert_true(sse_count(&sse, "event: fill") > 0);
    assert_true(sse_count(&sse, "event: position") > 0);

    /* Positions opened and at least one closed by an exit rule. */
    struct doc tr;
    get_json(d.port, "/v1/trades?limit=1000", &tr, &body);
    assert_int_equal(json_get(&tr.root, "trades", &arr), 0);
    size_t closed = json_size(&arr);
    print_message("e2e: %zu txs, %zu watched, %zu traded signals, %zu closed trades\n", n, watched,
                  traded, closed);
    if (closed < 1) {
        buf_reset(&body);
        http_request(d.port, "GET", "/v1/positions", NULL, NULL, 0, &body);
        print_message("%s\n", body.data);
    }
    assert_true(closed >= 1);
    assert_int_equal(json_index(&arr, 0, &e), 0);
    const char *reason = str_at(&e, "exit_reason");
    assert_true(strstr("stop_loss trailing_stop max_hold stagnation wallet_sold", reason) != NULL ||
                strncmp(reason, "take_profit_", 12) == 0);
    json_doc_free(tr.d);
    assert_true(sse_count(&sse, "event: trade") > 0);
    sse_stop(&sse);

    struct doc perf;
    get_json(d.port, "/v1/performance", &perf, &body);
    struct json_val pv;
    assert_int_equal(json_get(&perf.root, "performance", &pv), 0);
    uint64_t trades;
    assert_int_equal(json_get_u64(&pv, "trades", &trades), 0);
    assert_int_equal(trades, closed);
    /* The engine stored its equity about once a minute of market time:
     * the mark-to-market curve has the samples and the equity now. */
    uint64_t marks;
    assert_int_equal(json_get_u64(&pv, "mtm_samples", &marks), 0);
    assert_true(marks >= 2);
    struct json_val mc;
    assert_int_equal(json_get(&pv, "equity_curve_mtm", &mc), 0);
    assert_true(json_size(&mc) >= 2);
    double ddr, ddm;
    assert_int_equal(json_get_double(&pv, "max_drawdown_sol", &ddr), 0);
    assert_int_equal(json_get_double(&pv, "max_drawdown_mtm_sol", &ddm), 0);
    assert_true(ddr >= 0 && ddm >= 0);
    json_doc_free(perf.d);

    /* The CLI: status and pause through the daemon, report and
     * recalibrate from the database while it serves. */
    char url[64], data[400];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", d.port);
    snprintf(data, sizeof data, "%s/data", d.dir);
    struct buf out;
    buf_init(&out, 0);
    const char *st_argv[] = {"status", "--url", url, NULL};
    assert_int_equal(harness_run(d.dir, st_argv, NULL, 30, &out), 0);
    assert_non_null(strstr(out.data, "state       running"));
    assert_non_null(strstr(out.data, "input       webhook: ok"));
    const char *rep_argv[] = {"report", "--data", data, NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(d.dir, rep_argv, NULL, 30, &out), 0);
    assert_non_null(strstr(out.data, "closed trades"));
    assert_non_null(strstr(out.data, "max drawdown, realized (closed trades only)"));
    assert_non_null(strstr(out.data, "max drawdown, mark-to-market (open positions at their last "
                                     "price, "));
    assert_non_null(strstr(out.data, "What separates winners from losers"));
    const char *rec_argv[] = {"recalibrate", "--data", data, NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(d.dir, rec_argv, NULL, 30, &out), 0);
    assert_non_null(strstr(out.data, "closed trades with factors"));
    const char *pause_argv[] = {"pause", "--url", url, "--reason", "cli \"test\"", NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(d.dir, pause_argv, NULL, 30, &out), 0);
    assert_non_null(strstr(out.data, "state       paused"));
    assert_non_null(strstr(out.data, "paused by the operator: cli \"test\""));
    buf_release(&out);

    /* A restart restores the open positions and the equity exactly. Pause
     * entries and let the sales in flight fill (ticks move the engine's
     * clock past their latency) so that nothing is pending at the stop. */
    struct buf pos_before, status_before;
    buf_init(&pos_before, 0);
    buf_init(&status_before, 0);
    assert_int_equal(send_json(d.port, "POST", "/v1/control/pause", "{}", &body), 200);
    for (int i = 0; i < 100; i++) {
        buf_reset(&body);
        http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body);
        if (strstr(body.data, "\"pending_orders\":0"))
            break;
        nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    assert_non_null(strstr(body.data, "\"pending_orders\":0"));
    /* The equity in the status: the same after the restart. */
    const char *eq0 = strstr(body.data, "\"equity_lamports\":");
    assert_non_null(eq0);
    buf_puts(&status_before, eq0);
    buf_truncate(&status_before, (size_t)(strchr(status_before.data, ',') - status_before.data));
    assert_int_equal(http_request(d.port, "GET", "/v1/positions", NULL, NULL, 0, &pos_before), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    struct buf pos_after;
    buf_init(&pos_after, 0);
    assert_int_equal(http_request(d.port, "GET", "/v1/positions", NULL, NULL, 0, &pos_after), 200);
    /* Same positions (everything but the publication time). */
    const char *pa = strstr(pos_before.data, "\"positions\":");
    const char *pb = strstr(pos_after.data, "\"positions\":");
    assert_non_null(pa);
    assert_non_null(pb);
    assert_string_equal(pa, pb);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"state\":\"paused\""));
    assert_non_null(strstr(body.data, "\"state_found\":true"));
    assert_non_null(strstr(body.data, status_before.data));

    /* An open position's exit strategy is changed over HTTP (the Live
     * page's control); an unknown strategy or position is refused. */
    const char *idp = strstr(pos_after.data, "\"id\":");
    assert_non_null(idp);
    long long pid = strtoll(idp + 5, NULL, 10);
    assert_true(pid > 0);
    char path[96];
    snprintf(path, sizeof path, "/v1/positions/%lld/strategy", pid);
    assert_int_equal(send_json(d.port, "PUT", path, "{\"strategy\":\"nope\"}", &body), 404);
    assert_non_null(strstr(body.data, "no exit strategy named 'nope'"));
    /* Both ways, so the test does not depend on the strategy it opened with. */
    static const char *const names[] = {"default", "runner"};
    for (int k = 0; k < 2; k++) {
        char req[64], want[64], has[64];
        snprintf(req, sizeof req, "{\"strategy\":\"%s\"}", names[k]);
        assert_int_equal(send_json(d.port, "PUT", path, req, &body), 200);
        buf_reset(&body);
        assert_int_equal(http_request(d.port, "GET", "/v1/positions", NULL, NULL, 0, &body), 200);
        snprintf(want, sizeof want, "\"id\":%lld,", pid);
        const char *mine = strstr(body.data, want);
        assert_non_null(mine);
        const char *next = strstr(mine + 1, "\"id\":");
        snprintf(has, sizeof has, "\"strategy\":\"%s\"", names[k]);
        const char *strat = strstr(mine, has);
        assert_true(strat != NULL && (next == NULL || strat < next));
    }
    assert_int_equal(send_json(d.port, "PUT", "/v1/positions/999999/strategy",
                               "{\"strategy\":\"runner\"}", &body),
                     404);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    buf_release(&pos_before);
    buf_release(&pos_after);
    buf_release(&status_before);
    buf_release(&body);
    buf_release(&txs);
    buf_release(&one);
    sim_free(s);
    harness_rmdir(d.dir);
}

/* ---- watchlist and blacklist ------------------------------------------------------------ */

#define W1 "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
#define W2 "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"

static void test_watchlist_and_blacklist(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(send_json(d.port, "POST", "/v1/watchlist", "{\"wallet\":\"nope\"}", &body),
                     400);
    assert_int_equal(
        send_json(d.port, "POST", "/v1/watchlist", "{\"wallet\":\"" W1 "\",\"score\":120}", &body),
        400);
    assert_int_equal(
        send_json(d.port, "POST", "/v1/watchlist", "{\"wallet\":\"" W1 "\",\"score\":80}", &body),
        200);
    assert_int_equal(send_json(d.port, "POST", "/v1/watchlist", "{\"wallet\":\"" W2 "\"}", &body),
                     200);
    assert_int_equal(
        send_json(d.port, "POST", "/v1/blacklist/wallets", "{\"wallet\":\"" W2 "\"}", &body), 200);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/watchlist", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, W1));
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/blacklist", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, W2));
    assert_null(strstr(body.data, W1));
    assert_int_equal(
        send_json(d.port, "POST", "/v1/blacklist/clusters", "{\"label\":\"none\"}", &body), 404);

    /* Kept across a restart: W1 watched, W2 blacklisted. */
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"watched\":1,\"blacklisted\":1"));
    /* Lifting the blacklist watches W2 again; unwatching W1 flags it. */
    assert_int_equal(send_json(d.port, "DELETE", "/v1/blacklist/wallets/" W2, "", &body), 200);
    assert_int_equal(send_json(d.port, "DELETE", "/v1/watchlist/" W1, "", &body), 200);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "\"watched\":1,\"blacklisted\":0"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    harness_rmdir(d.dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_resume),
        cmocka_unit_test(test_put_config),
        cmocka_unit_test(test_watchlist_and_blacklist),
        cmocka_unit_test(test_serve_path_end_to_end),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
