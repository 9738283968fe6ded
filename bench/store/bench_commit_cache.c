/* What the size of SQLite's page cache costs at each commit.
 *
 * The store's writer commits small transactions (a webhook body each, or a
 * few) into tables with an index on random keys (a signature). Page splits
 * in such an index renumber pages through the lock page's number (262145
 * with 4 KiB pages, SQLite's balance_nonroot), which leaves the cache's
 * largest key far past the end of the file; the commit then truncates the
 * cache by walking its whole hash table, so the cost of every commit grows
 * with the number of cached pages. This bench shows it on its own, with
 * nothing of walltrack but SQLite: the same inserts (ROWS rows of a random
 * 64-byte key, 100 rows a transaction, WAL, synchronous=OFF so that only
 * CPU is measured) with each cache size given, alternated ROUNDS times;
 * it prints the time per commit and per row, and the ratio of each size to
 * the first (the reference of the same run).
 *
 *     bench_commit_cache [rows=400000] [rounds=3] [cache KiB ...=65536 16000 4000]
 *
 * A size written with a trailing 'w' (16000w) runs with the store's page
 * cache wrapper (store/sqlite_pcache.h), which moves the temporary number
 * just past the file's end; the others with SQLite's own page cache.
 *
 * The store uses 16000 KiB for its writer (store/store_sqlite.c, which says
 * why not less) and the wrapper. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/str.h"
#include "store/sqlite_pcache.h"

#define PER_TX    100
#define MAX_SIZES 8

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void must(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "bench_commit_cache: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

/* One run: a fresh database, `rows` inserts; returns the seconds spent in
 * COMMIT and in total. */
static void run(const char *dir, long cache_kib, bool wrapped, long rows, double *commit_s,
                double *total_s)
{
    sqlite3_shutdown(); /* the page cache can change only while SQLite is down */
    if ((wrapped ? sqlite_pcache_install() : sqlite_pcache_uninstall()) != 0) {
        fprintf(stderr, "bench_commit_cache: cannot change the page cache\n");
        exit(1);
    }
    char path[512], wal[520];
    snprintf(path, sizeof path, "%s/commit-cache.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(path);
    unlink(wal);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "bench_commit_cache: cannot open %s\n", path);
        exit(1);
    }
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-%ld; "
             "PRAGMA mmap_size=268435456; PRAGMA wal_autocheckpoint=10000;",
             cache_kib);
    must(sqlite3_exec(db, pragmas, NULL, NULL, NULL), db, "pragmas");
    must(sqlite3_exec(db,
                      "CREATE TABLE t (id INTEGER PRIMARY KEY, k BLOB NOT NULL, ts INTEGER);"
                      "CREATE UNIQUE INDEX t_k ON t(k); CREATE INDEX t_ts ON t(ts);",
                      NULL, NULL, NULL),
         db, "schema");
    sqlite3_stmt *ins, *begin, *commit;
    must(sqlite3_prepare_v2(db, "INSERT INTO t (k, ts) VALUES (?, ?)", -1, &ins, NULL), db, "ins");
    must(sqlite3_prepare_v2(db, "BEGIN", -1, &begin, NULL), db, "begin");
    must(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), db, "commit");
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    unsigned char key[64];
    double in_commit = 0, t0 = now();
    for (long i = 0; i < rows; i += PER_TX) {
        must(sqlite3_step(begin), db, "BEGIN");
        sqlite3_reset(begin);
        for (long j = i; j < i + PER_TX && j < rows; j++) {
            for (size_t b = 0; b < sizeof key; b += 8) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                memcpy(key + b, &x, 8);
            }
            sqlite3_bind_blob(ins, 1, key, sizeof key, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 2, j);
            must(sqlite3_step(ins), db, "INSERT");
            sqlite3_reset(ins);
        }
        double c0 = now();
        must(sqlite3_step(commit), db, "COMMIT");
        sqlite3_reset(commit);
        in_commit += now() - c0;
    }
    *total_s = now() - t0;
    *commit_s = in_commit;
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    unlink(path);
    unlink(wal);
}

int main(int argc, char **argv)
{
    uint64_t rows = 400000, rounds = 3;
    long sizes[MAX_SIZES] = {65536, 16000, 4000};
    bool wrapped[MAX_SIZES] = {false};
    size_t n_sizes = 3;
    if ((argc > 1 && str_to_u64(argv[1], &rows)) || (argc > 2 && str_to_u64(argv[2], &rounds)) ||
        rows == 0 || rounds == 0 || argc - 3 > MAX_SIZES) {
        fprintf(stderr, "usage: bench_commit_cache [rows] [rounds] [cache KiB ...]\n");
        return 2;
    }
    if (argc > 3) {
        n_sizes = 0;
        for (int i = 3; i < argc; i++) {
            char num[32];
            size_t len = strlen(argv[i]);
            bool w = len > 0 && argv[i][len - 1] == 'w';
            uint64_t v;
            if (len - w >= sizeof num ||
                (memcpy(num, argv[i], len - w), num[len - w] = 0, str_to_u64(num, &v)) || v == 0 ||
                v > 16u << 20) {
                fprintf(stderr, "bench_commit_cache: bad cache size %s\n", argv[i]);
                return 2;
            }
            wrapped[n_sizes] = w;
            sizes[n_sizes++] = (long)v;
        }
    }
    char dir[] = "/tmp/wt-bench-cc-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    double commit[MAX_SIZES] = {0}, total[MAX_SIZES] = {0};
    for (uint64_t r = 0; r < rounds; r++)
        for (size_t i = 0; i < n_sizes; i++) {
            double c, t;
            run(dir, sizes[i], wrapped[i], (long)rows, &c, &t);
            commit[i] += c;
            total[i] += t;
        }
    rmdir(dir);
    double commits = (double)rounds * (double)((rows + PER_TX - 1) / PER_TX);
    printf("%llu rows of a random 64-byte key, %d a transaction, %llu rounds alternated\n",
           (unsigned long long)rows, PER_TX, (unsigned long long)rounds);
    for (size_t i = 0; i < n_sizes; i++)
        printf("cache %6ld KiB%s: %7.1f us per commit, %5.2f us per row in all; "
               "x%.2f the first's commit, x%.2f its total\n",
               sizes[i], wrapped[i] ? ", wrapped" : "", commit[i] / commits * 1e6,
               total[i] / (commits * PER_TX) * 1e6, commit[i] / commit[0], total[i] / total[0]);
    return 0;
}
