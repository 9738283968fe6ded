/* Tests of scheduled backups (store/autobackup.h) on a real SQLite file:
 * the schedule fires, copies are consistent databases holding the data,
 * and only the newest `keep` files remain. */
#include "wallshift.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/sched.h"
#include "store/autobackup.h"
#include "store/store.h"

static size_t count_backups(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += strncmp(e->d_name, "walltrack-", 10) == 0;
    if (d)
        closedir(d);
    return n;
}

/* The wall clock is an hour fast and set right while backups are
 * scheduled: the backups still come every interval, because the schedule
 * waits on the monotonic clock (issue 14 item 4). */
static void test_wall_clock_jump_back(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt-autobackup-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    char bdir[300];
    snprintf(bdir, sizeof bdir, "%s/backups", dir);
    atomic_store(&wallshift_ms, 3600000); /* an hour fast ... */
    struct autobackup *b;
    struct sched *sc = sched_new(NULL);
    assert_int_equal(autobackup_start(sc, st, bdir, 100, 3, &b), 0);
    assert_int_equal(sched_start(sc), 0);
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
    atomic_store(&wallshift_ms, 0); /* ... and set back an hour */
    uint64_t made = 0, failed = 0;
    for (int i = 0; i < 200 && made < 3; i++) { /* up to 10 s for 3 backups due every 0.1 s */
        ts.tv_nsec = 50 * 1000000L;
        nanosleep(&ts, NULL);
        autobackup_counts(b, &made, &failed);
    }
    sched_free(sc);
    autobackup_free(b);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    assert_true(made >= 3);
}

static void test_schedule_rotation_and_content(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt-autobackup-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    struct wallet w = {0};
    snprintf(w.address, sizeof w.address, "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY");
    snprintf(w.chain, sizeof w.chain, "solana");
    w.status = WALLET_WATCH;
    w.score = 77;
    assert_int_equal(store_wallet_upsert(st, &w), 0);

    char bdir[300];
    snprintf(bdir, sizeof bdir, "%s/backups", dir);
    struct autobackup *b;
    struct sched *sc = sched_new(NULL);
    assert_int_equal(autobackup_start(sc, st, bdir, 0, 3, &b), WT_EINVAL);
    assert_int_equal(autobackup_start(sc, st, bdir, 60000, 0, &b), WT_EINVAL);

    /* The schedule fires by itself. */
    assert_int_equal(autobackup_start(sc, st, bdir, 150, 3, &b), 0);
    assert_int_equal(sched_start(sc), 0);
    uint64_t made = 0, failed = 0;
    for (int i = 0; i < 100 && made < 2; i++) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        autobackup_counts(b, &made, &failed);
    }
    assert_true(made >= 2);
    assert_int_equal(failed, 0);
    /* Forced runs: rotation keeps the newest three. */
    char last[512];
    for (int i = 0; i < 4; i++)
        assert_int_equal(autobackup_run(b, last, sizeof last), 0);
    sched_free(sc);
    autobackup_free(b);
    assert_int_equal(count_backups(bdir), 3);

    /* The newest copy is a database holding the wallet. */
    struct store *copy;
    assert_int_equal(store_open(last, NULL, &copy, err, sizeof err), 0);
    struct wallet got;
    assert_int_equal(store_wallet_get(copy, w.address, &got), 0);
    assert_true(got.score == 77);
    store_close(copy);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_rotation_and_content),
        cmocka_unit_test(test_wall_clock_jump_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
