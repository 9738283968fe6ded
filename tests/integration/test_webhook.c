/* Integration tests of POST /webhooks/helius against the real daemon on a
 * real SQLite file: the Authorization check before the body, 413, 400,
 * 200 with duplicates, and kill -9 during a burst of deliveries followed by
 * a restart: every acknowledged transaction is stored, none twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "base/json.h"
#include "harness.h"
#include "solana/base58.h"
#include "store/store.h"

#define SECRET "whsec-test-4242"
#define AUTH   "Authorization: " SECRET

static const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};

/* A deterministic distinct signature for transaction number i. */
/* The bodies: harness_swap_body, n copies of the real swap, each with
 * the distinct signature harness_sig(first + i). */
static void make_body(struct buf *out, unsigned first, unsigned n)
{
    assert_int_equal(harness_swap_body(out, first, n), 0);
}

static void test_auth_size_and_shape(void **state)
{
    (void)state;
    struct daemon d;
    const char *args[] = {"--set", "helius.webhook_max_body=100000", NULL};
    assert_int_equal(daemon_start(&d, args, env), 0);
    struct buf body, resp;
    buf_init(&body, 0);
    buf_init(&resp, 0);
    make_body(&body, 0, 1);

    /* wrong or missing secret: 401, nothing stored */
    assert_int_equal(http_request(d.port, "POST", "/webhooks/helius", "Authorization: nope",
                                  body.data, body.len, NULL),
                     401);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", NULL, body.data, body.len, NULL), 401);
    assert_int_equal(http_request(d.port, "POST", "/webhooks/helius",
                                  "Authorization: Bearer " SECRET, body.data, body.len, NULL),
                     401);
    /* too large: 413 */
    struct buf big;
    buf_init(&big, 0);
    make_body(&big, 100, 6); /* ~150 KB > 100000 */
    assert_true(big.len > 100000);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", AUTH, big.data, big.len, &resp), 413);
    /* malformed: 400 naming the problem, nothing stored */
    buf_reset(&resp);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len - 3, &resp),
        400);
    assert_non_null(strstr(resp.data, "invalid JSON"));
    buf_reset(&resp);
    assert_int_equal(http_request(d.port, "POST", "/webhooks/helius", AUTH, "{\"a\":1}", 7, &resp),
                     400);

    /* valid: 200 with counts; the same delivery again is all duplicates */
    buf_reset(&resp);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len, &resp), 200);
    assert_non_null(strstr(resp.data, "\"inserted\":1"));
    buf_reset(&resp);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len, &resp), 200);
    assert_non_null(strstr(resp.data, "\"inserted\":0,\"duplicates\":1"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* exactly one swap in the database */
    char db[600];
    snprintf(db, sizeof db, "%s/data", d.dir);
    struct store *st;
    char err[256];
    assert_int_equal(store_open(db, NULL, &st, err, sizeof err), 0);
    int64_t swaps, transfers, prices;
    assert_int_equal(store_count_events(st, &swaps, &transfers, &prices), 0);
    assert_int_equal(swaps, 1);
    store_close(st);
    buf_release(&big);
    buf_release(&body);
    buf_release(&resp);
    harness_rmdir(d.dir);
}

/* Appends transaction number i with the text `from` of the fixture
 * replaced by `to` (from NULL: unchanged). */
static void put_tx(struct buf *out, unsigned i, const char *from, const char *to)
{
    struct buf one;
    buf_init(&one, 0);
    make_body(&one, i, 1);
    const char *tx = one.data + 1;
    size_t n = one.len - 2;
    const char *at = from ? strstr(tx, from) : NULL;
    if (from)
        assert_non_null(at);
    if (out->len > 1)
        buf_putc(out, ',');
    if (at) {
        buf_append(out, tx, (size_t)(at - tx));
        buf_puts(out, to);
        buf_append(out, at + strlen(from), n - (size_t)(at - tx) - strlen(from));
    } else {
        buf_append(out, tx, n);
    }
    buf_release(&one);
}

static int64_t status_now_ms(unsigned port)
{
    struct buf resp;
    buf_init(&resp, 0);
    assert_int_equal(http_request(port, "GET", "/v1/status", NULL, NULL, 0, &resp), 200);
    const char *p = strstr(resp.data, "\"now_ms\":");
    assert_non_null(p);
    int64_t v = strtoll(p + 9, NULL, 10);
    buf_release(&resp);
    return v;
}

/* Issue 13 item 9: real transactions with one field out of range, in one
 * delivery with a good one. Before: the slot >= 2^63 made the whole
 * delivery 503 (every retry too), the year-9999 timestamp moved the engine
 * clock, -2^63 lamports was stored as a 9.2-billion-SOL sale. Now: 200,
 * the good transaction stored, each bad one skipped as malformed. */
static void test_out_of_range_values(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    struct buf body, resp;
    buf_init(&body, 0);
    buf_init(&resp, 0);
    buf_putc(&body, '[');
    put_tx(&body, 1, "\"timestamp\": 1717460657", "\"timestamp\": 253402300799");
    put_tx(&body, 2, "\"slot\": 269731980", "\"slot\": 9223372036854775808");
    put_tx(&body, 3, "\"nativeBalanceChange\": -1452577233",
           "\"nativeBalanceChange\": -9223372036854775808");
    put_tx(&body, 4, "\"fee\": 45998", "\"fee\": 18446744073709551615");
    put_tx(&body, 5, NULL, NULL);
    buf_putc(&body, ']');
    int64_t t0 = (int64_t)time(NULL) * 1000;
    for (int attempt = 0; attempt < 2; attempt++) { /* Helius' retry gets the same answer */
        buf_reset(&resp);
        assert_int_equal(
            http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len, &resp),
            200);
        assert_non_null(strstr(resp.data, "\"skipped\":4"));
    }
    /* The engine's clock did not leave the present. */
    int64_t now = status_now_ms(d.port);
    assert_true(now < t0 + 120000);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* Exactly the good swap is stored, with its real amounts. */
    char db[600];
    snprintf(db, sizeof db, "%s/data", d.dir);
    struct store *st;
    char err[256];
    assert_int_equal(store_open(db, NULL, &st, err, sizeof err), 0);
    int64_t swaps, transfers, prices;
    assert_int_equal(store_count_events(st, &swaps, &transfers, &prices), 0);
    assert_int_equal(swaps, 1);
    store_close(st);
    buf_release(&body);
    buf_release(&resp);
    harness_rmdir(d.dir);
}

/* A clock a bad event moved to year 9999 before events were bounded is
 * stored with the engine's state; it must not come back at the next start
 * (it tripped the signal-silence breaker and would expire every position). */
static void test_stored_future_clock_moved_back(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    char db[600];
    snprintf(db, sizeof db, "%s/data", d.dir);
    struct store *st;
    char err[256];
    assert_int_equal(store_open(db, NULL, &st, err, sizeof err), 0);
    struct buf v, nv;
    buf_init(&v, 0);
    buf_init(&nv, 0);
    assert_int_equal(store_state_get(st, "engine.paper", &v), 0);
    char *p = strstr(v.data, "\"now_ms\":");
    assert_non_null(p);
    char *q = p + 9;
    while (*q >= '0' && *q <= '9')
        q++;
    buf_append(&nv, v.data, (size_t)(p - v.data));
    buf_puts(&nv, "\"now_ms\":253402300799000");
    buf_puts(&nv, q);
    struct store_write w = {
        .table = STORE_W_STATE, .key = "engine.paper", .value = nv.data, .ts_ms = 0};
    assert_int_equal(store_write_batch(st, &w, 1), 0);
    store_close(st);

    int64_t t0 = (int64_t)time(NULL) * 1000;
    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    int64_t now = status_now_ms(d.port);
    assert_true(now >= t0 - 1000);
    assert_true(now < t0 + 120000);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&v);
    buf_release(&nv);
    harness_rmdir(d.dir);
}

static long metric(unsigned port, const char *name)
{
    struct buf resp;
    buf_init(&resp, 0);
    assert_int_equal(http_request(port, "GET", "/metrics", NULL, NULL, 0, &resp), 200);
    const char *p = strstr(resp.data, name);
    long v = p ? strtol(p + strlen(name), NULL, 10) : -1;
    buf_release(&resp);
    return v;
}

static int64_t sql_int(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *s;
    int64_t v = -1;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
    return v;
}

/* Issue 13 item 11: a skipped transaction leaves a record (signature,
 * reason, detail, time) stored with the delivery, and /metrics counts
 * transactions as stored, duplicate or skipped; before, a delivery of
 * skipped transactions counted as "stored" and left nothing. */
static void test_skips_recorded_and_counted(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    struct buf body, failed, resp;
    buf_init(&body, 0);
    buf_init(&failed, 0);
    buf_init(&resp, 0);
    assert_int_equal(
        harness_read_file(WT_FIXTURES
                          "/real/helius_enhanced_swap_raydium_failed_instruction_error.json",
                          &failed),
        0);
    buf_putc(&body, '[');
    put_tx(&body, 11, NULL, NULL);                                        /* stored */
    put_tx(&body, 12, "\"fee\": 45998", "\"fee\": 18446744073709551615"); /* malformed */
    buf_putc(&body, ',');
    buf_append(&body, strchr(failed.data, '{'),
               (size_t)(strrchr(failed.data, '}') - strchr(failed.data, '{') + 1)); /* failed */
    buf_putc(&body, ']');
    for (int i = 0; i < 2; i++) {
        buf_reset(&resp);
        assert_int_equal(
            http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len, &resp),
            200);
        assert_non_null(strstr(resp.data, "\"skipped\":2"));
    }
    assert_int_equal(metric(d.port, "walltrack_inbox_transactions_total{result=\"stored\"} "), 1);
    assert_int_equal(metric(d.port, "walltrack_inbox_transactions_total{result=\"duplicate\"} "),
                     1);
    assert_int_equal(metric(d.port, "walltrack_inbox_transactions_total{result=\"skipped\"} "), 4);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    char db[600];
    snprintf(db, sizeof db, "%s/data/walltrack.db", d.dir);
    assert_int_equal(sql_int(db, "SELECT COUNT(*) FROM skipped_txs"), 4);
    assert_int_equal(sql_int(db, "SELECT COUNT(*) FROM skipped_txs WHERE reason = 'malformed' "
                                 "AND detail LIKE 'fee %' AND length(sig) > 80"),
                     2);
    assert_int_equal(sql_int(db, "SELECT COUNT(*) FROM skipped_txs WHERE reason = 'failed' "
                                 "AND received_ms > 1700000000000"),
                     2);
    buf_release(&body);
    buf_release(&failed);
    buf_release(&resp);
    harness_rmdir(d.dir);
}

#define SENDERS     4
#define TX_PER_BODY 10
#define MAX_BODIES  400

struct sender {
    unsigned port;
    unsigned id;
    volatile int *stop;
    unsigned acked[MAX_BODIES]; /* first tx number of each acknowledged body */
    unsigned nacked;
};

static void *send_loop(void *arg)
{
    struct sender *s = arg;
    struct buf body;
    buf_init(&body, 0);
    for (unsigned k = 0; k < MAX_BODIES && !*s->stop; k++) {
        unsigned first = (s->id * MAX_BODIES + k) * TX_PER_BODY;
        make_body(&body, first, TX_PER_BODY);
        long st =
            http_request(s->port, "POST", "/webhooks/helius", AUTH, body.data, body.len, NULL);
        if (st == 200)
            s->acked[s->nacked++] = first;
        else if (st < 0)
            break; /* the daemon is gone */
    }
    buf_release(&body);
    return NULL;
}

static void test_kill9_loses_nothing_acknowledged(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, env), 0);
    volatile int stop = 0;
    struct sender senders[SENDERS];
    pthread_t th[SENDERS];
    for (unsigned i = 0; i < SENDERS; i++) {
        senders[i] = (struct sender){.port = d.port, .id = i, .stop = &stop};
        pthread_create(&th[i], NULL, send_loop, &senders[i]);
    }
    /* Let the burst run, then kill the daemon without warning. */
    struct timespec ts = {0, 400 * 1000000L};
    nanosleep(&ts, NULL);
    kill(d.pid, SIGKILL);
    stop = 1;
    for (unsigned i = 0; i < SENDERS; i++)
        pthread_join(th[i], NULL);
    daemon_stop(&d, SIGKILL);
    unsigned acked = 0;
    for (unsigned i = 0; i < SENDERS; i++)
        acked += senders[i].nacked;
    assert_true(acked > 0); /* the burst did get acknowledged deliveries */

    /* Restart on the same data: it must open and serve. */
    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    char db[600];
    snprintf(db, sizeof db, "%s/data", d.dir);
    struct harness_sigset c;
    assert_int_equal(harness_sigset_load(&c, db), 0);
    /* none twice */
    assert_true(harness_sigset_unique(&c));
    /* every acknowledged transaction is there */
    for (unsigned i = 0; i < SENDERS; i++) {
        for (unsigned k = 0; k < senders[i].nacked; k++) {
            for (unsigned t = 0; t < TX_PER_BODY; t++) {
                char sig[BASE58_SIG_MAX];
                harness_sig(senders[i].acked[k] + t, sig);
                if (!harness_sigset_has(&c, sig))
                    fail_msg("acknowledged transaction %s is missing after kill -9", sig);
            }
        }
    }
    assert_true(c.n >= (size_t)acked * TX_PER_BODY);
    print_message("kill -9 test: %u bodies acknowledged, %zu swaps stored\n", acked, c.n);
    harness_sigset_release(&c);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_size_and_shape),
        cmocka_unit_test(test_out_of_range_values),
        cmocka_unit_test(test_stored_future_clock_moved_back),
        cmocka_unit_test(test_skips_recorded_and_counted),
        cmocka_unit_test(test_kill9_loses_nothing_acknowledged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
