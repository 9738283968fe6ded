/* The mark-to-market samples' retention inside `serve`
 * (engine.equity_marks_full_days, the "equity marks" job): samples older
 * than the setting keep only each hour's lowest and highest, recent ones
 * all, and GET /v1/performance still finds the drawdown that spans hours.
 * The old samples are written into the daemon's database while it is
 * stopped, then it starts again and its job (a second after the start)
 * thins them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/json.h"
#include "harness.h"
#include "store/store.h"

#define OLD_HOURS 3
#define PER_HOUR  60

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static size_t count_marks(const char *dir, int64_t before_ms, size_t *total)
{
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    struct equity_mark_row rows[512];
    size_t n = 0, old = 0;
    *total = 0;
    struct row_query q = {.key = "paper", .after_id = 0, .limit = 512};
    do {
        assert_int_equal(store_list_equity_mark(st, &q, rows, &n), 0);
        for (size_t i = 0; i < n; i++)
            old += rows[i].ts_ms < before_ms;
        *total += n;
        if (n)
            q.after_id = rows[n - 1].id;
    } while (n == 512);
    store_close(st);
    return old;
}

static void test_old_marks_thinned_by_serve(void **state)
{
    (void)state;
    struct daemon d;
    const char *args[] = {"--set", "engine.equity_marks_full_days=30", NULL};
    assert_int_equal(daemon_start(&d, args, NULL), 0);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* Three hours of samples 40 days ago: a peak at minute 50 of the
     * first, a trough at minute 10 of the second, flat in the third. */
    char data[300];
    snprintf(data, sizeof data, "%s/data", d.dir);
    int64_t t0 = (now_ms() - 40 * MS_PER_DAY) / MS_PER_HOUR * MS_PER_HOUR;
    /* The first run's own samples go: the samples are read in the order
     * they were written, which is time order in a real history. */
    char dbfile[400];
    snprintf(dbfile, sizeof dbfile, "%s/walltrack.db", data);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbfile, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM equity_marks", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *st;
    char err[256];
    assert_int_equal(store_open(data, NULL, &st, err, sizeof err), 0);
    struct equity_mark_row rows[OLD_HOURS * PER_HOUR];
    const uint64_t base = 10000000000ull; /* 10 SOL, the default capital */
    for (int h = 0; h < OLD_HOURS; h++)
        for (int m = 0; m < PER_HOUR; m++) {
            struct equity_mark_row *r = &rows[h * PER_HOUR + m];
            memset(r, 0, sizeof *r);
            snprintf(r->mode, sizeof r->mode, "paper");
            r->ts_ms = t0 + h * MS_PER_HOUR + m * MS_PER_MINUTE;
            uint64_t up = (uint64_t)(m <= 50 ? m : 100 - m) * 20000000;
            uint64_t down = (uint64_t)(m <= 10 ? m : 0) * 150000000;
            r->equity_lamports = h == 0 ? base + up : h == 1 ? base - down : base;
            r->cash_lamports = base;
        }
    assert_int_equal(store_put_many_equity_mark(st, rows, OLD_HOURS * PER_HOUR), 0);
    store_close(st);
    int64_t cutoff = now_ms() - 30 * MS_PER_DAY;
    size_t total;
    assert_int_equal(count_marks(data, cutoff, &total), OLD_HOURS * PER_HOUR);

    assert_int_equal(daemon_restart(&d, args, NULL), 0);
    struct buf body;
    buf_init(&body, 0);
    bool ran = false;
    for (int i = 0; i < 200 && !ran; i++) {
        buf_reset(&body);
        assert_int_equal(http_request(d.port, "GET", "/metrics", NULL, NULL, 0, &body), 200);
        ran = strstr(body.data, "walltrack_job_runs_total{job=\"equity marks\"} 1\n") != NULL;
        if (!ran) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    assert_true(ran);
    /* The drawdown from the first hour's peak (11 SOL) to the second's
     * trough (8.5 SOL) is still there: 2.5 SOL. */
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/v1/performance", NULL, NULL, 0, &body), 200);
    buf_reserve(&body, JSON_PADDING);
    struct json_doc *doc = json_doc_new(0);
    struct json_val root, pv;
    double dd = -1;
    assert_int_equal(json_parse(doc, body.data, body.len, body.cap, &root), 0);
    assert_int_equal(json_get(&root, "performance", &pv), 0);
    assert_int_equal(json_get_double(&pv, "max_drawdown_mtm_sol", &dd), 0);
    json_doc_free(doc);
    print_message("mark-to-market drawdown after the thinning: %.3f SOL\n", dd);
    assert_true(dd > 2.499 && dd < 2.501);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* 2 of 60 in the rising and the falling hour, 1 in the flat one. */
    size_t old = count_marks(data, cutoff, &total);
    print_message("old samples: %zu of %d kept (%zu in all)\n", old, OLD_HOURS * PER_HOUR, total);
    assert_int_equal(old, 2 + 2 + 1);
    buf_release(&body);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_marks_thinned_by_serve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
