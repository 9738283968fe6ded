/* The page cache wrapper (store/sqlite_pcache.h), measured by what it
 * hands SQLite's own cache and by the data it leaves:
 *
 *  - with the wrapper, the inner cache never holds the lock page's number
 *    (the number whose presence makes every commit walk the whole cache),
 *    while page splits still happen; without its remapping, on the SQLite
 *    this project builds with, it does;
 *  - every row written through many splits, a rollback of a transaction
 *    that grew the file, and more writes after it are all there, and
 *    SQLite's integrity check passes.
 * test_store_sqlite runs its power cut with the wrapper installed, as the
 * store installs it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "store/sqlite_pcache.h"
#include "store/store.h"

#define LOCK_PAGE_4K (0x40000000u / 4096 + 1) /* 262,145 */

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/wt_pcache_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
}

static sqlite3 *open_db(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* The writer's shape: WAL, a small cache (so pages are evicted and
     * fetched again), a random 64-byte unique key. */
    exec_ok(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-512;"
                "CREATE TABLE t (id INTEGER PRIMARY KEY, k BLOB NOT NULL, v INTEGER);"
                "CREATE UNIQUE INDEX t_k ON t(k); CREATE INDEX t_v ON t(v);");
    return db;
}

/* Inserts rows [from, to) in transactions of `per_tx`, each a random key
 * derived from its number; with rollback, the transaction is rolled back
 * instead of committed. */
static void insert(sqlite3 *db, long from, long to, long per_tx, bool rollback)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "INSERT INTO t (id, k, v) VALUES (?, ?, ?)", -1, &st, NULL),
        SQLITE_OK);
    for (long i = from; i < to; i += per_tx) {
        exec_ok(db, "BEGIN");
        for (long j = i; j < i + per_tx && j < to; j++) {
            unsigned char key[64];
            unsigned long long x = 0x9e3779b97f4a7c15ULL * (unsigned long long)(j + 1);
            for (size_t b = 0; b < sizeof key; b += 8) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                memcpy(key + b, &x, 8);
            }
            sqlite3_bind_int64(st, 1, j + 1);
            sqlite3_bind_blob(st, 2, key, sizeof key, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 3, (j * 7919) % 100003);
            assert_int_equal(sqlite3_step(st), SQLITE_DONE);
            sqlite3_reset(st);
        }
        exec_ok(db, rollback ? "ROLLBACK" : "COMMIT");
    }
    sqlite3_finalize(st);
}

static long long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void assert_intact(sqlite3 *db)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
}

static void test_lock_page_never_in_the_cache(void **state)
{
    (void)state;
    struct sqlite_pcache_stats s0, s1, s2;
    sqlite_pcache_stats(&s0);
    assert_true(s0.installed);

    sqlite3 *db = open_db("remapped.db");
    insert(db, 0, 30000, 100, false);
    assert_int_equal(count(db, "SELECT count(*) FROM t"), 30000);
    assert_intact(db);
    sqlite3_close(db);
    sqlite_pcache_stats(&s1);
    /* The inner cache held nothing near the lock page: the database is a
     * few thousand pages. */
    assert_true(s1.max_key > 0);
    assert_true(s1.max_key < 100000);

    /* The same load with the remapping off: SQLite's own behaviour. */
    sqlite_pcache_set_remap(false);
    db = open_db("plain.db");
    insert(db, 0, 30000, 100, false);
    assert_intact(db);
    sqlite3_close(db);
    sqlite_pcache_set_remap(true);
    sqlite_pcache_stats(&s2);
    bool sqlite_moves_through_lock_page = s2.max_key >= LOCK_PAGE_4K;
    fprintf(stderr,
            "SQLite %s: %llu moves remapped; without the remapping the cache held page %u\n",
            sqlite3_libversion(), (unsigned long long)(s1.lock_page_moves - s0.lock_page_moves),
            s2.max_key);
    /* The wrapper acted exactly when SQLite swaps through the lock page,
     * which Debian 12's SQLite (3.40.1) does, measured. */
    assert_int_equal(s1.lock_page_moves > s0.lock_page_moves, sqlite_moves_through_lock_page);
    if (sqlite3_libversion_number() <= 3040001)
        assert_true(sqlite_moves_through_lock_page);
    /* No remapping while it was off. */
    assert_int_equal(s2.lock_page_moves, s1.lock_page_moves);
}

static void test_rollback_and_reopen_keep_data(void **state)
{
    (void)state;
    sqlite3 *db = open_db("rollback.db");
    insert(db, 0, 10000, 100, false);
    long long pages = count(db, "PRAGMA page_count");
    /* One transaction that grows the file by many pages and splits, then
     * rolled back: its pages past the end must leave the cache. */
    insert(db, 10000, 20000, 10000, true);
    assert_int_equal(count(db, "SELECT count(*) FROM t"), 10000);
    assert_int_equal(count(db, "PRAGMA page_count"), pages);
    assert_intact(db);
    /* The same numbers are used again by the next writes. */
    insert(db, 20000, 30000, 50, false);
    assert_int_equal(count(db, "SELECT count(*) FROM t"), 20000);
    assert_int_equal(count(db, "SELECT count(*) FROM t WHERE id > 10000 AND id <= 20000"), 0);
    assert_intact(db);
    sqlite3_close(db);

    char path[128];
    snprintf(path, sizeof path, "%s/rollback.db", tmpdir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(count(db, "SELECT count(*) FROM t"), 20000);
    /* Every key is found through the unique index. */
    assert_int_equal(count(db, "SELECT count(*) FROM t AS a WHERE (SELECT id FROM t WHERE k = a.k) "
                               "= a.id"),
                     20000);
    assert_intact(db);
    sqlite3_close(db);
}

int main(void)
{
    log_open(NULL, LOG_WARN);
    /* Before SQLite initialises, as the store does at its first open. */
    if (sqlite_pcache_install() != 0) {
        fprintf(stderr, "the page cache wrapper could not be installed\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lock_page_never_in_the_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_and_reopen_keep_data, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("sqlite_pcache", tests, NULL, NULL);
    log_close();
    return rc;
}
