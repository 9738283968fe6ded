/* Integration tests of the store's promises as the webhook's clients see
 * them, on the real daemon and a real SQLite file:
 *
 *  - the database file deleted under a running daemon: deliveries get 503
 *    (nothing is acknowledged into a file nobody will open again), /healthz
 *    and /v1/status say why, the operator hears it, and the next start
 *    refuses to create an empty database where the archive shows there was
 *    one, unless told to;
 *  - under a burst of deliveries the WAL stays within db.wal_max_mb and
 *    walltrack.db grows (checkpoints really run in the daemon). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "harness.h"

#define SECRET "whsec-test-4242"
#define AUTH   "Authorization: " SECRET

static const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};

static long post(unsigned port, unsigned first, unsigned n)
{
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(harness_swap_body(&body, first, n), 0);
    long code = http_request(port, "POST", "/webhooks/helius", AUTH, body.data, body.len, NULL);
    buf_release(&body);
    return code;
}

static int64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
}

static void test_deleted_database(void **state)
{
    (void)state;
    struct daemon d;
    const char *args[] = {"--set", "ingest.archive=true", NULL};
    assert_int_equal(daemon_start(&d, args, env), 0);
    struct buf resp;
    buf_init(&resp, 0);
    assert_int_equal(post(d.port, 0, 3), 200);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, &resp), 200);
    assert_non_null(strstr(resp.data, "\"status\":\"ok\""));

    char db[600];
    snprintf(db, sizeof db, "%s/data/walltrack.db", d.dir);
    assert_int_equal(unlink(db), 0);
    /* Nothing more is acknowledged. */
    assert_int_equal(post(d.port, 3, 3), 503);
    assert_int_equal(post(d.port, 6, 3), 503);
    buf_reset(&resp);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, &resp), 503);
    assert_non_null(strstr(resp.data, "\"status\":\"unhealthy\""));
    if (strstr(resp.data, "was deleted") == NULL) /* seen once in CI: show why */
        print_message("/healthz after the unlink: %s\n", resp.data);
    assert_non_null(strstr(resp.data, "was deleted"));
    buf_reset(&resp);
    assert_int_equal(http_request(d.port, "GET", "/v1/status", NULL, NULL, 0, &resp), 200);
    assert_non_null(strstr(resp.data, "\"store\":{\"status\":\"failing\""));
    /* The watch loop logs (and alerts) within about a second. */
    struct buf log;
    buf_init(&log, 0);
    for (int i = 0; i < 100; i++) {
        buf_reset(&log);
        daemon_log(&d, &log);
        if (strstr(log.data, "the store is failing") != NULL)
            break;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_non_null(strstr(log.data, "the store is failing"));
    (void)daemon_stop(&d, SIGTERM);

    /* The archive shows a database lived here: no silent fresh start. */
    assert_int_equal(daemon_restart(&d, NULL, env), -1);
    buf_reset(&log);
    daemon_log(&d, &log);
    assert_non_null(strstr(log.data, "is missing, but this data folder held a database"));
    assert_int_equal(file_size(db), -1);
    /* Told to, it starts over. */
    const char *anew[] = {"--set", "db.create_new=true", NULL};
    assert_int_equal(daemon_restart(&d, anew, env), 0);
    assert_int_equal(post(d.port, 9, 1), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&log);
    buf_release(&resp);
    harness_rmdir(d.dir);
}

/* 3,000 transactions in bodies of 100 against a 1 MiB bound. */
static void test_wal_bounded_in_daemon(void **state)
{
    (void)state;
    struct daemon d;
    const char *args[] = {"--set", "db.wal_max_mb=1", NULL};
    assert_int_equal(daemon_start(&d, args, env), 0);
    char db[600], wal[610];
    snprintf(db, sizeof db, "%s/data/walltrack.db", d.dir);
    snprintf(wal, sizeof wal, "%s-wal", db);
    int64_t max_wal = 0;
    for (unsigned b = 0; b < 30; b++) {
        assert_int_equal(post(d.port, b * 100, 100), 200);
        int64_t w = file_size(wal);
        if (w > max_wal)
            max_wal = w;
    }
    print_message("max WAL %lld bytes, walltrack.db %lld bytes\n", (long long)max_wal,
                  (long long)file_size(db));
    /* The bound, passed by one transaction at most. */
    assert_true(max_wal <= (3 << 20));
    assert_true(file_size(db) > (1 << 20));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deleted_database),
        cmocka_unit_test(test_wal_bounded_in_daemon),
    };
    return cmocka_run_group_tests_name("store_faults", tests, NULL, NULL);
}
