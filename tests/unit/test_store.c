/* The store test suite, run against every backend: SQLite (a temporary
 * file) always, and PostgreSQL when WALLTRACK_TEST_PG_URL names a database
 * (tests/store/with_pg.sh starts a throwaway server and sets it; ctest runs
 * this through it as unit/store_pg). Each test starts from an empty
 * database. Expected values are hand-computed from the rows each test
 * writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "solana/pubkey.h"
#include "base/buf.h"
#include "store/event_cols.h"
#include "store/gcommit.h"
#include "store/event_cols.h"
#include "store/store.h"

/* ------------------------------------------------------------ fixture */

static const char *backend; /* "sqlite" or "postgresql" */
static const char *pg_url;
static char tmpdir[256];
static char dbpath[512];

static const char *target(void)
{
    return strcmp(backend, "sqlite") == 0 ? dbpath : pg_url;
}

/* Runs SQL on the database behind the store's back. */
static void raw_exec(const char *sql)
{
    if (strcmp(backend, "sqlite") == 0) {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
        char *msg = NULL;
        int r = sqlite3_exec(db, sql, NULL, NULL, &msg);
        if (r != SQLITE_OK)
            fail_msg("sqlite: %s", msg);
        sqlite3_close(db);
    } else {
        PGconn *c = PQconnectdb(pg_url);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PGresult *r = PQexec(c, sql);
        ExecStatusType t = PQresultStatus(r);
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
            fail_msg("pg: %s", PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
    }
}

/* A database of a version before 14 has none of its wallet columns. */
/* Migration 16 (orders.node): undone with the ones before it, which the
 * tests below apply again. */
static void undo_m16(void)
{
    raw_exec("ALTER TABLE orders DROP COLUMN node");
}

static void undo_m14(void)
{
    undo_m16();
    static const char *const cols[] = {"realized_pnl",   "unrealized_pnl",   "unrealized_as_of_ms",
                                       "open_positions", "max_drawdown_sol", "active_days",
                                       "metrics_valid",  "metrics_version",  "behaviour_vec",
                                       "copier_pnl",     "copier_ev",        "copier_buys"};
    char sql[128];
    raw_exec("DROP INDEX IF EXISTS wallets_copier_d");
    raw_exec("DROP INDEX IF EXISTS wallets_copier_a");
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        snprintf(sql, sizeof sql, "ALTER TABLE wallets DROP COLUMN %s", cols[i]);
        raw_exec(sql);
    }
}

static int setup(void **state)
{
    if (strcmp(backend, "sqlite") == 0) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/wt_store_XXXXXX");
        if (mkdtemp(tmpdir) == NULL)
            return -1;
        snprintf(dbpath, sizeof dbpath, "%s/walltrack.db", tmpdir);
    } else {
        raw_exec("SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA "
                 "public;");
    }
    struct store *st = NULL;
    char err[256];
    if (store_open(target(), NULL, &st, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    if (strcmp(backend, "sqlite") == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ builders */

static struct pubkey key(uint8_t tag)
{
    struct pubkey k;
    memset(k.b, tag, sizeof k.b);
    k.b[0] = 0x80 | tag; /* non-zero leading byte: a full 32-byte key */
    return k;
}

static struct event swap(uint32_t sig, uint16_t leg, int64_t ts, uint8_t wallet)
{
    struct event e = {.kind = EVENT_SWAP};
    struct swap_event *s = &e.u.swap;
    memset(s->sig.b, 0, sizeof s->sig.b);
    memcpy(s->sig.b, &sig, sizeof sig);
    s->sig.b[63] = 7;
    s->leg = leg;
    s->slot = 300000000u + sig;
    s->ts_ms = ts;
    s->wallet = key(wallet);
    s->mint = key(100);
    s->quote_mint = key(101);
    s->side = SIDE_BUY;
    s->decimals = 6;
    s->quote_decimals = 9;
    s->token_amount = 1000000u + sig;
    s->quote_amount = 5000000u;
    s->price_sol = 0.005;
    s->price_usd = 0.75;
    s->fee_lamports = 5000;
    snprintf(s->source, sizeof s->source, "PUMP_FUN");
    return e;
}

static struct event transfer(uint32_t sig, int64_t ts)
{
    struct event e = {.kind = EVENT_TRANSFER};
    struct transfer_event *t = &e.u.transfer;
    memcpy(t->sig.b, &sig, sizeof sig);
    t->leg = 0;
    t->slot = 1;
    t->ts_ms = ts;
    t->from = key(1);
    t->to = key(2);
    t->decimals = 9;
    t->amount = 2000000000u;
    return e;
}

static struct event price(int64_t ts, double p)
{
    struct event e = {.kind = EVENT_PRICE};
    e.u.price.mint = key(100);
    e.u.price.ts_ms = ts;
    e.u.price.price_sol = p;
    snprintf(e.u.price.source, sizeof e.u.price.source, "DEXSCREENER");
    return e;
}

static void counts(struct store *st, int64_t es, int64_t et, int64_t ep)
{
    int64_t s = -1, t = -1, p = -1;
    assert_int_equal(store_count_events(st, &s, &t, &p), 0);
    assert_int_equal(s, es);
    assert_int_equal(t, et);
    assert_int_equal(p, ep);
}

/* ------------------------------------------------------------ schema */

static void test_migrations_and_version(void **state)
{
    struct store *st = *state;
    int v = 0;
    assert_int_equal(store_schema_version(st, &v), 0);
    assert_int_equal(v, store_schema_latest(st));
    assert_true(v >= 4);
    int applied = -1;
    assert_int_equal(store_migrate(st, &applied), 0);
    assert_int_equal(applied, 0);
    char msg[256];
    assert_int_equal(store_verify(st, msg, sizeof msg), 0);
    assert_non_null(strstr(msg, "current"));

    /* A database written by a newer walltrack is refused, with a message. */
    raw_exec("INSERT INTO schema_version (version, name, applied_ms) VALUES (999, 'future', 0)");
    struct store *st2 = NULL;
    char err[256] = "";
    assert_int_equal(store_open(target(), NULL, &st2, err, sizeof err), WT_EVERSION);
    assert_null(st2);
    assert_non_null(strstr(err, "999"));
    assert_non_null(strstr(err, "newer"));
    assert_int_equal(store_verify(st, msg, sizeof msg), WT_EVERSION);
    raw_exec("DELETE FROM schema_version WHERE version = 999");
    assert_int_equal(store_open(target(), NULL, &st2, err, sizeof err), 0);
    store_close(st2);
}

/* ------------------------------------------------------------ events */

static void test_append_idempotent(void **state)
{
    struct store *st = *state;
    struct event ev[6] = {swap(1, 0, 1000, 1), swap(1, 1, 1000, 1), swap(2, 0, 2000, 2),
                          transfer(9, 500),    price(1000, 0.005),  price(2000, 0.006)};
    struct store_append_stats s;
    assert_int_equal(store_append_events(st, ev, 6, &s), 0);
    assert_int_equal(s.swaps, 3);
    assert_int_equal(s.swaps_dup, 0);
    assert_int_equal(s.transfers, 1);
    assert_int_equal(s.prices, 2);
    counts(st, 3, 1, 2);

    /* The same events again: nothing new, all counted as duplicates. */
    assert_int_equal(store_append_events(st, ev, 6, &s), 0);
    assert_int_equal(s.swaps, 0);
    assert_int_equal(s.swaps_dup, 3);
    assert_int_equal(s.transfers_dup, 1);
    assert_int_equal(s.prices_dup, 2);
    counts(st, 3, 1, 2);

    /* A duplicate inside one batch, next to a new event. */
    struct event ev2[3] = {swap(3, 0, 3000, 1), swap(3, 0, 3000, 1), swap(1, 0, 1000, 1)};
    assert_int_equal(store_append_events(st, ev2, 3, &s), 0);
    assert_int_equal(s.swaps, 1);
    assert_int_equal(s.swaps_dup, 2);
    counts(st, 4, 1, 2);
}

static void test_append_bulk_idempotent(void **state)
{
    /* Large enough for PostgreSQL's COPY path (>= 64 rows). */
    struct store *st = *state;
    enum { N = 300 };
    struct event *ev = calloc(N, sizeof *ev);
    for (int i = 0; i < N; i++)
        ev[i] = i % 3 == 2 ? transfer((uint32_t)i, i) : swap((uint32_t)i, 0, i, (uint8_t)(i % 5));
    struct store_batch b[2] = {{.ev = ev, .n = 150}, {.ev = ev + 100, .n = 200}};
    assert_int_equal(store_append_batches(st, b, 2), 0);
    /* Batch 0: i in [0,150): 100 swaps, 50 transfers, all new. Batch 1: i
     * in [100,300): [100,150) repeat batch 0 (33 swaps, 17 transfers
     * dup), [150,300) new (100 swaps, 50 transfers). */
    assert_int_equal(b[0].stats.swaps, 100);
    assert_int_equal(b[0].stats.transfers, 50);
    assert_int_equal(b[0].stats.swaps_dup, 0);
    assert_int_equal(b[1].stats.swaps, 100);
    assert_int_equal(b[1].stats.swaps_dup, 33);
    assert_int_equal(b[1].stats.transfers, 50);
    assert_int_equal(b[1].stats.transfers_dup, 17);
    counts(st, 200, 100, 0);
    struct store_append_stats s;
    assert_int_equal(store_append_events(st, ev, N, &s), 0);
    assert_int_equal(s.swaps, 0);
    assert_int_equal(s.swaps_dup, 200);
    assert_int_equal(s.transfers_dup, 100);
    counts(st, 200, 100, 0);
    free(ev);
}

/* Issue 13 item 11: the idempotency key is (signature, leg), whatever
 * slot a delivery claims. Both append paths (row by row, and PostgreSQL's
 * COPY from 64 rows), then migration 10 on a database that already holds
 * such duplicates (written under the old (slot, sig, leg) key). */
/* The indexes of swaps, by name, without the primary key: "a, b, c". */
static void swaps_indexes(struct buf *got)
{
    if (strcmp(backend, "sqlite") == 0) {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT name FROM sqlite_schema WHERE type = 'index' "
                                            "AND tbl_name = 'swaps' AND sql IS NOT NULL ORDER BY 1",
                                            -1, &q, NULL),
                         SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW)
            buf_printf(got, "%s%s", got->len ? ", " : "", sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
        sqlite3_close(db);
        return;
    }
    PGconn *c = PQconnectdb(pg_url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r =
        PQexec(c, "SELECT indexname FROM pg_indexes WHERE tablename = 'swaps' AND "
                  "schemaname = current_schema() AND indexname <> 'swaps_pkey' ORDER BY 1");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++)
        buf_printf(got, "%s%s", got->len ? ", " : "", PQgetvalue(r, i, 0));
    PQclear(r);
    PQfinish(c);
}

static struct event swap_of_mint(uint32_t sig, int64_t ts, uint8_t mint)
{
    struct event e = swap(sig, 0, ts, 1);
    e.u.swap.mint = key(mint);
    return e;
}

static int64_t last_ts_of_mint(struct store *st, uint8_t mint, uint64_t *amount)
{
    struct pubkey m = key(mint);
    struct stored_swap last;
    int rc = store_swap_last_of_mint(st, &m, &last);
    if (rc == WT_ENOTFOUND)
        return -1;
    assert_int_equal(rc, 0);
    if (amount)
        *amount = last.swap.token_amount;
    return last.swap.ts_ms;
}

/* Issue 13 item 13: the append keeps no index entry per swap for its mint
 * (swaps_mint_ts, a random page per mint in every commit); the last swap
 * of each mint is kept in swap_mint_last by the append itself, and stays
 * right across appends: an older swap appended later does not replace it,
 * a duplicate (already stored under another time) is not a new swap, and
 * between equal times the later stored one wins. */
static void test_mint_last_without_index(void **state)
{
    struct store *st = *state;
    struct buf got;
    buf_init(&got, 0);
    swaps_indexes(&got);
    assert_string_equal(got.data ? got.data : "", "swaps_sig_leg, swaps_ts, swaps_wallet_ts");
    buf_release(&got);

    assert_int_equal(last_ts_of_mint(st, 10, NULL), -1);
    struct event b1[2] = {swap_of_mint(1, 5000, 10), swap_of_mint(2, 7000, 11)};
    assert_int_equal(store_append_events(st, b1, 2, NULL), 0);
    assert_int_equal(last_ts_of_mint(st, 10, NULL), 5000);
    assert_int_equal(last_ts_of_mint(st, 11, NULL), 7000);
    /* older for mint 10, newer for 11, and swap 1 again with a later time */
    struct event b2[3] = {swap_of_mint(3, 3000, 10), swap_of_mint(4, 9000, 11),
                          swap_of_mint(1, 9500, 10)};
    struct store_append_stats as;
    assert_int_equal(store_append_events(st, b2, 3, &as), 0);
    assert_int_equal(as.swaps, 2);
    assert_int_equal(as.swaps_dup, 1);
    assert_int_equal(last_ts_of_mint(st, 10, NULL), 5000);
    assert_int_equal(last_ts_of_mint(st, 11, NULL), 9000);
    /* two swaps of one time in one batch, then one more of that time */
    struct event b3[2] = {swap_of_mint(5, 8000, 12), swap_of_mint(6, 8000, 12)};
    assert_int_equal(store_append_events(st, b3, 2, NULL), 0);
    uint64_t amount = 0;
    assert_int_equal(last_ts_of_mint(st, 12, &amount), 8000);
    assert_int_equal(amount, b3[1].u.swap.token_amount);
    struct event b4 = swap_of_mint(7, 8000, 12);
    assert_int_equal(store_append_events(st, &b4, 1, NULL), 0);
    assert_int_equal(last_ts_of_mint(st, 12, &amount), 8000);
    assert_int_equal(amount, b4.u.swap.token_amount);
    /* a batch without swaps leaves it alone */
    struct event tr = {.kind = EVENT_TRANSFER};
    tr.u.transfer.ts_ms = 99999;
    tr.u.transfer.mint = key(10);
    assert_int_equal(store_append_events(st, &tr, 1, NULL), 0);
    assert_int_equal(last_ts_of_mint(st, 10, NULL), 5000);
}

/* Migration 18 on a database that has swaps: swap_mint_last is filled
 * from them (the latest of each mint) and swaps_mint_ts goes away. */
static void test_mint_last_migration(void **state)
{
    struct store *st = *state;
    struct event ev[4] = {swap_of_mint(1, 1000, 20), swap_of_mint(2, 3000, 20),
                          swap_of_mint(3, 2000, 21), swap_of_mint(4, 2000, 21)};
    assert_int_equal(store_append_events(st, ev, 4, NULL), 0);
    /* back to version 17: no table, the index */
    raw_exec("DELETE FROM schema_version WHERE version >= 18");
    raw_exec("DROP TABLE swap_mint_last");
    raw_exec("CREATE INDEX swaps_mint_ts ON swaps(mint, ts_ms)");
    struct store *st2 = NULL;
    char err[256] = "";
    assert_int_equal(store_open(target(), NULL, &st2, err, sizeof err), 0);
    uint64_t amount = 0;
    assert_int_equal(last_ts_of_mint(st2, 20, NULL), 3000);
    assert_int_equal(last_ts_of_mint(st2, 21, &amount), 2000);
    assert_int_equal(amount, ev[3].u.swap.token_amount); /* equal times: the later id */
    store_close(st2);
    struct buf got;
    buf_init(&got, 0);
    swaps_indexes(&got);
    assert_string_equal(got.data ? got.data : "", "swaps_sig_leg, swaps_ts, swaps_wallet_ts");
    buf_release(&got);
}

static void test_append_dedupes_across_slots(void **state)
{
    struct store *st = *state;
    enum { N = 90 };
    struct event *ev = calloc(N, sizeof *ev);
    for (int i = 0; i < N; i++)
        ev[i] = i % 3 == 2 ? transfer((uint32_t)i, i) : swap((uint32_t)i, 0, i, 1);
    struct store_append_stats s;
    assert_int_equal(store_append_events(st, ev, N, &s), 0);
    counts(st, 60, 30, 0);
    /* The same signatures and legs claiming other slots: duplicates. */
    for (int i = 0; i < N; i++) {
        if (ev[i].kind == EVENT_SWAP)
            ev[i].u.swap.slot += 7;
        else
            ev[i].u.transfer.slot += 7;
    }
    assert_int_equal(store_append_events(st, ev, N, &s), 0); /* bulk path */
    assert_int_equal(s.swaps, 0);
    assert_int_equal(s.swaps_dup, 60);
    assert_int_equal(s.transfers_dup, 30);
    ev[0].u.swap.slot += 1;
    ev[2].u.transfer.slot += 1;
    assert_int_equal(store_append_events(st, ev, 3, &s), 0); /* row by row */
    assert_int_equal(s.swaps_dup, 2);
    assert_int_equal(s.transfers_dup, 1);
    counts(st, 60, 30, 0);

    /* A version-9 database holding a duplicate of every row under another
     * slot: migration 10 keeps one row per (sig, leg), the first stored. */
    raw_exec("DELETE FROM schema_version WHERE version >= 10");
    undo_m14();
    raw_exec("DROP INDEX swaps_sig_leg");
    raw_exec("DROP INDEX transfers_sig_leg");
    raw_exec("CREATE UNIQUE INDEX swaps_slot_sig_leg ON swaps(slot, sig, leg)");
    raw_exec("CREATE UNIQUE INDEX transfers_slot_sig_leg ON transfers(slot, sig, leg)");
    raw_exec("INSERT INTO swaps (sig, leg, slot, ts_ms, wallet, mint, quote_mint, side, decimals, "
             "quote_decimals, token_amount, quote_amount, price_sol, price_usd, fee_lamports, "
             "source) SELECT sig, leg, slot + 1000, ts_ms + 1, wallet, mint, quote_mint, side, "
             "decimals, quote_decimals, token_amount, quote_amount, price_sol, price_usd, "
             "fee_lamports, source FROM swaps");
    raw_exec("INSERT INTO transfers (sig, leg, slot, ts_ms, from_wallet, to_wallet, mint, "
             "decimals, amount) SELECT sig, leg, slot + 1000, ts_ms + 1, from_wallet, to_wallet, "
             "mint, decimals, amount FROM transfers");
    struct store *st2 = NULL;
    char err[256] = "";
    assert_int_equal(store_open(target(), NULL, &st2, err, sizeof err), 0);
    counts(st2, 60, 30, 0);
    /* The kept rows are the first ones (their original slot). */
    for (int i = 0; i < N; i++) {
        if (ev[i].kind == EVENT_SWAP)
            ev[i].u.swap.slot = 300000000u + (uint32_t)i;
        else
            ev[i].u.transfer.slot = 1;
    }
    assert_int_equal(store_append_events(st2, ev, N, &s), 0);
    assert_int_equal(s.swaps_dup, 60);
    assert_int_equal(s.transfers_dup, 30);
    counts(st2, 60, 30, 0);
    int v = 0;
    assert_int_equal(store_schema_version(st2, &v), 0);
    assert_true(v >= 10);
    store_close(st2);
    free(ev);
}

/* Skip records go in with the events of their batch (all or nothing),
 * refuse text that is not printable, and are pruned by age and count. */
static void test_skip_records(void **state)
{
    struct store *st = *state;
    struct store_skip k[3] = {
        {.sig = "5sigA",
         .reason = "failed",
         .detail = "",
         .slot = 1,
         .ts_ms = 10,
         .received_ms = 1000},
        {.sig = "",
         .reason = "malformed",
         .detail = "slot 18446744073709551615 cannot exist yet",
         .slot = UINT64_MAX,
         .ts_ms = 0,
         .received_ms = 2000},
        {.sig = "5sigC",
         .reason = "not_a_swap",
         .detail = "",
         .slot = 3,
         .ts_ms = 30,
         .received_ms = 3000},
    };
    struct event ev[1] = {swap(1, 0, 1000, 1)};
    struct store_batch b = {.ev = ev, .n = 1, .skips = k, .n_skips = 3};
    assert_int_equal(store_append_batches(st, &b, 1), 0);
    counts(st, 1, 0, 0);
    int64_t n = -1;
    char sig[16], reason[16];
    assert_int_equal(store_skips_count(st, &n, sig, sizeof sig, reason, sizeof reason), 0);
    assert_int_equal(n, 3);
    assert_string_equal(sig, "5sigC");
    assert_string_equal(reason, "not_a_swap");
    /* A control character: the whole batch is refused, nothing written. */
    struct store_skip bad = k[0];
    bad.detail[0] = '\n';
    struct event ev2[1] = {swap(2, 0, 1000, 1)};
    struct store_batch b2 = {.ev = ev2, .n = 1, .skips = &bad, .n_skips = 1};
    assert_int_equal(store_append_batches(st, &b2, 1), WT_EINVAL);
    counts(st, 1, 0, 0);
    assert_int_equal(store_skips_count(st, &n, NULL, 0, NULL, 0), 0);
    assert_int_equal(n, 3);
    /* Pruned by age (before 1500 ms), then to the newest one. */
    assert_int_equal(store_skips_prune(st, 1500, 0), 0);
    assert_int_equal(store_skips_count(st, &n, NULL, 0, NULL, 0), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_skips_prune(st, 0, 1), 0);
    assert_int_equal(store_skips_count(st, &n, sig, sizeof sig, NULL, 0), 0);
    assert_int_equal(n, 1);
    assert_string_equal(sig, "5sigC");
}

static void test_append_invalid_changes_nothing(void **state)
{
    struct store *st = *state;
    struct event ev[2] = {swap(1, 0, 1000, 1), swap(2, 0, 1000, 1)};
    ev[1].u.swap.token_amount = 0;
    assert_int_equal(store_append_events(st, ev, 2, NULL), WT_EINVAL);
    ev[1] = swap(2, 0, 1000, 1);
    ev[1].u.swap.side = 7;
    assert_int_equal(store_append_events(st, ev, 2, NULL), WT_EINVAL);
    ev[1] = swap(2, 0, 1000, 1);
    ev[1].kind = 42;
    assert_int_equal(store_append_events(st, ev, 2, NULL), WT_EINVAL);
    counts(st, 0, 0, 0);
}

static void test_u64_max_round_trip(void **state)
{
    struct store *st = *state;
    struct event e = swap(77, 0, 5000, 3);
    e.u.swap.token_amount = UINT64_MAX;
    e.u.swap.quote_amount = UINT64_MAX - 1;
    e.u.swap.fee_lamports = (uint64_t)1 << 63;
    e.u.swap.price_sol = 1.0 / 3.0;
    struct event t = transfer(78, 5000);
    t.u.transfer.amount = UINT64_MAX;
    struct event both[2] = {e, t};
    assert_int_equal(store_append_events(st, both, 2, NULL), 0);
    struct pubkey w = key(3);
    struct swap_cursor cur = {INT64_MIN, 0};
    struct stored_swap out[4];
    size_t n = 0;
    assert_int_equal(store_swaps_by_wallet(st, &w, &cur, out, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_true(out[0].swap.token_amount == UINT64_MAX);
    assert_true(out[0].swap.quote_amount == UINT64_MAX - 1);
    assert_true(out[0].swap.fee_lamports == (uint64_t)1 << 63);
    assert_true(out[0].swap.price_sol == 1.0 / 3.0);
    assert_memory_equal(&out[0].swap.sig, &e.u.swap.sig, sizeof e.u.swap.sig);
    assert_memory_equal(&out[0].swap.mint, &e.u.swap.mint, 32);
    assert_string_equal(out[0].swap.source, "PUMP_FUN");
    assert_int_equal(out[0].swap.slot, e.u.swap.slot);

    /* And through the generic rows (numeric(20,0) on PostgreSQL). */
    struct order_row o = {.signal_id = 1,
                          .ts_ms = 9,
                          .side = SIDE_BUY,
                          .amount_in = UINT64_MAX,
                          .min_out = UINT64_MAX - 12345};
    snprintf(o.mode, sizeof o.mode, "live");
    snprintf(o.status, sizeof o.status, "pending");
    int64_t id = 0;
    assert_int_equal(store_row_put(st, STORE_T_ORDERS, &o, &id), 0);
    struct order_row r;
    assert_int_equal(store_row_get(st, STORE_T_ORDERS, id, &r), 0);
    assert_true(r.amount_in == UINT64_MAX);
    assert_true(r.min_out == UINT64_MAX - 12345);
}

static void test_swap_reads_ordered_and_paginated(void **state)
{
    struct store *st = *state;
    /* Wallet 1: five swaps, two at the same time (ties by insertion id). */
    struct event ev[7] = {swap(10, 0, 3000, 1), swap(11, 0, 1000, 1), swap(12, 0, 2000, 1),
                          swap(13, 0, 2000, 1), swap(14, 0, 4000, 1), swap(15, 0, 1500, 2),
                          swap(16, 0, 4000, 2)};
    assert_int_equal(store_append_events(st, ev, 7, NULL), 0);
    struct pubkey w = key(1);
    struct swap_cursor cur = {INT64_MIN, 0};
    struct stored_swap out[2];
    size_t n;
    uint32_t want[] = {11, 12, 13, 10, 14};
    size_t got = 0;
    for (int page = 0; page < 4; page++) {
        assert_int_equal(store_swaps_by_wallet(st, &w, &cur, out, 2, &n), 0);
        assert_int_equal(n, page < 2 ? 2 : page == 2 ? 1 : 0);
        for (size_t i = 0; i < n; i++) {
            uint32_t sig;
            memcpy(&sig, out[i].swap.sig.b, sizeof sig);
            assert_int_equal(sig, want[got++]);
        }
    }
    assert_int_equal(got, 5);
}

struct scan_ctx {
    uint32_t sigs[16];
    size_t n;
    size_t stop_after;
};

static int scan_cb(void *ctx, const struct stored_swap *s)
{
    struct scan_ctx *c = ctx;
    memcpy(&c->sigs[c->n++], s->swap.sig.b, sizeof c->sigs[0]);
    return c->stop_after != 0 && c->n == c->stop_after ? 42 : 0;
}

static void test_swap_scan(void **state)
{
    struct store *st = *state;
    struct event ev[5] = {swap(20, 0, 3000, 1), swap(21, 0, 1000, 2), swap(22, 0, 2000, 3),
                          swap(23, 0, 2000, 1), swap(24, 0, 5000, 1)};
    assert_int_equal(store_append_events(st, ev, 5, NULL), 0);
    struct scan_ctx c = {0};
    /* [1000, 5000): 5000 excluded, ties at 2000 in insertion order. */
    assert_int_equal(store_swaps_scan(st, 1000, 5000, scan_cb, &c), 0);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.sigs[0], 21);
    assert_int_equal(c.sigs[1], 22);
    assert_int_equal(c.sigs[2], 23);
    assert_int_equal(c.sigs[3], 20);
    struct scan_ctx c2 = {.stop_after = 2};
    assert_int_equal(store_swaps_scan(st, INT64_MIN, INT64_MAX, scan_cb, &c2), 42);
    assert_int_equal(c2.n, 2);
}

struct order_ctx {
    uint32_t next; /* the signature expected next */
    size_t n;
    bool ordered;
};

static int order_cb(void *ctx, const struct stored_swap *s)
{
    struct order_ctx *c = ctx;
    uint32_t sig;
    memcpy(&sig, s->swap.sig.b, sizeof sig);
    c->ordered &= sig == c->next;
    c->next = sig + 1;
    c->n++;
    return 0;
}

/* Pages that end inside one millisecond go on after the last row read, in
 * both reads: 5,000 swaps at 7000 (more than two scan pages), one before
 * and one at the excluded end; the wallet's pages of 700 likewise. */
static void test_swap_pages_inside_one_millisecond(void **state)
{
    struct store *st = *state;
    enum { N = 5000 };
    struct event *ev = calloc(N + 2, sizeof *ev);
    ev[0] = swap(1000, 0, 6000, 1);
    for (uint32_t i = 0; i < N; i++)
        ev[1 + i] = swap(1001 + i, 0, 7000, 1);
    ev[N + 1] = swap(1001 + N, 0, 8000, 1);
    assert_int_equal(store_append_events(st, ev, N + 2, NULL), 0);
    free(ev);
    struct order_ctx c = {.next = 1000, .ordered = true};
    assert_int_equal(store_swaps_scan(st, 6000, 8000, order_cb, &c), 0);
    assert_int_equal(c.n, N + 1);
    assert_true(c.ordered);
    struct order_ctx from = {.next = 1001, .ordered = true};
    assert_int_equal(store_swaps_scan(st, 7000, 7001, order_cb, &from), 0);
    assert_int_equal(from.n, N);
    assert_true(from.ordered);

    struct pubkey w = key(1);
    struct swap_cursor cur = {INT64_MIN, 0};
    struct stored_swap *page = calloc(700, sizeof *page);
    struct order_ctx pw = {.next = 1000, .ordered = true};
    size_t n;
    do {
        assert_int_equal(store_swaps_by_wallet(st, &w, &cur, page, 700, &n), 0);
        for (size_t i = 0; i < n; i++)
            order_cb(&pw, &page[i]);
    } while (n == 700);
    free(page);
    assert_int_equal(pw.n, N + 2);
    assert_true(pw.ordered);
}

/* The migrated event tables have exactly the columns of
 * store/event_cols.h, in its order, after the id: the one list the
 * inserts, reads and COPY lines are generated from. */
static void test_event_columns_match_the_list(void **state)
{
    (void)state;
    for (int t = 0; t < EVT_TABLES; t++) {
        const struct event_sql *q = event_sql(t);
        char sql[256];
        struct buf got;
        buf_init(&got, 0);
        if (strcmp(backend, "sqlite") == 0) {
            sqlite3 *db;
            assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
            sqlite3_stmt *st;
            snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') ORDER BY cid",
                     q->table);
            assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
            while (sqlite3_step(st) == SQLITE_ROW)
                buf_printf(&got, "%s%s", got.len ? ", " : "", sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
            sqlite3_close(db);
        } else {
            PGconn *c = PQconnectdb(pg_url);
            assert_int_equal(PQstatus(c), CONNECTION_OK);
            snprintf(sql, sizeof sql,
                     "SELECT column_name FROM information_schema.columns WHERE table_name = "
                     "'%s' AND table_schema = current_schema() ORDER BY ordinal_position",
                     q->table);
            PGresult *r = PQexec(c, sql);
            assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
            for (int i = 0; i < PQntuples(r); i++)
                buf_printf(&got, "%s%s", got.len ? ", " : "", PQgetvalue(r, i, 0));
            PQclear(r);
            PQfinish(c);
        }
        char want[512];
        snprintf(want, sizeof want, "id, %s", q->columns);
        assert_string_equal(got.data ? got.data : "", want);
        assert_non_null(strstr(q->insert, q->columns));
        buf_release(&got);
    }
    /* The read's literal list is the same list. */
    assert_string_equal(SWAP_SELECT + strlen("id, "), event_sql(EVT_SWAPS)->columns);
}

/* ------------------------------------------------------------ wallets */

static struct wallet mkwallet(uint8_t tag, double score, double roi, double pnl, int64_t trades)
{
    struct wallet w = {0};
    struct pubkey k = key(tag);
    pubkey_format(&k, w.address);
    snprintf(w.chain, sizeof w.chain, "solana");
    snprintf(w.name, sizeof w.name, "w%u", tag);
    snprintf(w.type, sizeof w.type, "trader");
    snprintf(w.discovery, sizeof w.discovery, "algorithm");
    snprintf(w.confidence, sizeof w.confidence, "high");
    w.status = WALLET_WATCH;
    w.score = score;
    w.roi = roi;
    w.total_pnl = pnl;
    w.total_trades = trades;
    w.first_seen_ms = 1000;
    snprintf(w.preferred_tokens, sizeof w.preferred_tokens, "[\"BONK\",\"WIF\"]");
    return w;
}

/* Migration 14 on a database of version 13: the wallets keep their
 * values, gain the new columns with no valid metric and version 0 (so the
 * next profile run recomputes them), and the new fields round-trip. */
static void test_wallet_metrics_migration(void **state)
{
    struct store *st = *state;
    struct wallet w = mkwallet(7, 55, 0.5, 12.5, 20);
    w.realized_pnl = 10;
    w.unrealized_pnl = 2.5;
    w.unrealized_as_of_ms = 123456;
    w.open_positions = 2;
    w.max_drawdown_sol = 1.25;
    w.max_drawdown = 0.25;
    w.active_days = 9;
    w.metrics_valid = WALLET_VALID_WIN_RATE | WALLET_VALID_MAX_DRAWDOWN;
    w.metrics_version = WALLET_METRICS_VERSION;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
    struct wallet r;
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_true(r.realized_pnl == 10 && r.unrealized_pnl == 2.5 && r.max_drawdown_sol == 1.25);
    assert_int_equal(r.unrealized_as_of_ms, 123456);
    assert_int_equal(r.open_positions, 2);
    assert_int_equal(r.active_days, 9);
    assert_int_equal(r.metrics_valid, WALLET_VALID_WIN_RATE | WALLET_VALID_MAX_DRAWDOWN);
    assert_int_equal(r.metrics_version, WALLET_METRICS_VERSION);

    raw_exec("DELETE FROM schema_version WHERE version >= 14");
    undo_m14();
    struct store *st2 = NULL;
    char err[256] = "";
    assert_int_equal(store_open(target(), NULL, &st2, err, sizeof err), 0);
    assert_int_equal(store_wallet_get(st2, w.address, &r), 0);
    assert_true(r.total_pnl == 12.5 && r.roi == 0.5);
    assert_int_equal(r.total_trades, 20);
    assert_true(r.realized_pnl == 0 && r.max_drawdown_sol == 0);
    assert_int_equal(r.metrics_valid, 0);
    assert_int_equal(r.metrics_version, 0);
    store_close(st2);
}

static void test_wallet_upsert_get(void **state)
{
    struct store *st = *state;
    struct wallet w = mkwallet(1, 87.5, 2.25, 140.125, 321);
    w.verified = true;
    w.win_rate = 0.71;
    w.sharpe = 2.5;
    w.sortino = 3.25;
    w.max_drawdown = 0.18;
    w.volatility = 0.4;
    w.avg_trade_size = 0.5;
    w.avg_holding_days = 0.125;
    w.last_trade_ms = 1765000000123;
    w.status = WALLET_FLAGGED;
    snprintf(w.trading_style, sizeof w.trading_style, "scalp");
    snprintf(w.risk_profile, sizeof w.risk_profile, "aggressive");
    snprintf(w.preferred_protocols, sizeof w.preferred_protocols, "[\"PUMP_FUN\"]");
    w.first_seen_ms = 5000;
    w.updated_ms = 6000;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
    struct wallet r;
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_memory_equal(&r, &w, sizeof w);

    /* An update keeps the earliest first_seen and replaces the rest. */
    struct wallet w2 = w;
    w2.score = 50;
    w2.first_seen_ms = 9000;
    assert_int_equal(store_wallet_upsert(st, &w2), 0);
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_true(r.score == 50);
    assert_int_equal(r.first_seen_ms, 5000);
    w2.first_seen_ms = 10;
    assert_int_equal(store_wallet_upsert(st, &w2), 0);
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_int_equal(r.first_seen_ms, 10);

    assert_int_equal(store_wallet_set_status(st, w.address, WALLET_BLACKLISTED, 7000), 0);
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_int_equal(r.status, WALLET_BLACKLISTED);
    assert_int_equal(r.updated_ms, 7000);
    assert_int_equal(store_wallet_set_status(st, "nope", WALLET_WATCH, 1), WT_ENOTFOUND);
    assert_int_equal(store_wallet_get(st, "nope", &r), WT_ENOTFOUND);

    /* Bad input changes nothing. */
    struct wallet bad = mkwallet(2, 101, 0, 0, 0);
    assert_int_equal(store_wallet_upsert(st, &bad), WT_EINVAL);
    bad = mkwallet(2, 10, 0, 0, 0);
    snprintf(bad.address, sizeof bad.address, "not-base58-0OIl");
    assert_int_equal(store_wallet_upsert(st, &bad), WT_EINVAL);
    bad = mkwallet(2, 10, 0, 0, 0);
    snprintf(bad.preferred_tokens, sizeof bad.preferred_tokens, "{\"a\":1}");
    assert_int_equal(store_wallet_upsert(st, &bad), WT_EINVAL);
    bad = mkwallet(2, 10, 0, 0, 0);
    bad.status = 9;
    struct wallet many[2] = {mkwallet(3, 10, 0, 0, 0), bad};
    assert_int_equal(store_wallet_upsert_many(st, many, 2), WT_EINVAL);
    assert_int_equal(store_wallet_get(st, many[0].address, &r), WT_ENOTFOUND);
}

/* The two statuses of migration 6, the profile upsert that keeps the
 * operator's fields, the field update and the status compare-and-set. */
static void test_wallet_profile_and_curation_paths(void **state)
{
    struct store *st = *state;
    struct wallet w = mkwallet(20, 50, 0.5, 10, 5);
    w.status = WALLET_CANDIDATE;
    snprintf(w.discovery, sizeof w.discovery, "%s", "");
    snprintf(w.name, sizeof w.name, "%s", "");
    assert_int_equal(store_wallet_upsert_profiles(st, &w, 1), 0);
    struct wallet r;
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_int_equal(r.status, WALLET_CANDIDATE);
    assert_string_equal(wallet_status_name(WALLET_REMOVED), "removed");
    enum wallet_status ps;
    assert_int_equal(wallet_status_parse("candidate", &ps), 0);
    assert_int_equal(ps, WALLET_CANDIDATE);

    /* The operator names, types, verifies and watches it... */
    struct wallet f = {0};
    snprintf(f.name, sizeof f.name, "alpha");
    snprintf(f.type, sizeof f.type, "fund");
    snprintf(f.discovery, sizeof f.discovery, "manual");
    f.verified = true;
    f.status = WALLET_WATCH;
    assert_int_equal(store_wallet_update_fields(st, w.address,
                                                WALLET_F_NAME | WALLET_F_TYPE | WALLET_F_VERIFIED |
                                                    WALLET_F_DISCOVERY | WALLET_F_STATUS,
                                                &f, 2000),
                     0);
    /* ...and a profile run writes new numbers: the operator's fields stay. */
    struct wallet p = mkwallet(20, 75.25, 1.5, 30, 9);
    p.status = WALLET_CANDIDATE;
    p.first_seen_ms = 5000; /* later than stored: the earliest is kept */
    snprintf(p.name, sizeof p.name, "%s", "");
    snprintf(p.discovery, sizeof p.discovery, "%s", "");
    assert_int_equal(store_wallet_upsert_profiles(st, &p, 1), 0);
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_true(r.score == 75.25 && r.roi == 1.5 && r.total_pnl == 30 && r.total_trades == 9);
    assert_string_equal(r.name, "alpha");
    assert_string_equal(r.type, "fund");
    assert_string_equal(r.discovery, "manual");
    assert_true(r.verified);
    assert_int_equal(r.status, WALLET_WATCH);
    assert_int_equal(r.first_seen_ms, 1000);
    /* A type the operator set stays, even "trader"; an automatic one
     * follows the profile. */
    snprintf(f.type, sizeof f.type, "trader");
    assert_int_equal(store_wallet_update_fields(st, w.address, WALLET_F_TYPE, &f, 2100), 0);
    snprintf(p.type, sizeof p.type, "whale");
    assert_int_equal(store_wallet_upsert_profiles(st, &p, 1), 0);
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_string_equal(r.type, "trader");
    assert_true(r.type_manual);
    struct wallet auto_w = mkwallet(21, 10, 0, 0, 1);
    assert_int_equal(store_wallet_upsert_profiles(st, &auto_w, 1), 0);
    snprintf(auto_w.type, sizeof auto_w.type, "whale");
    assert_int_equal(store_wallet_upsert_profiles(st, &auto_w, 1), 0);
    assert_int_equal(store_wallet_get(st, auto_w.address, &r), 0);
    assert_string_equal(r.type, "whale");
    assert_false(r.type_manual);

    /* Compare-and-set: only from the expected status (and discovery). */
    assert_int_equal(store_wallet_transition(st, w.address, WALLET_CANDIDATE, WALLET_WATCH, NULL,
                                             "algorithm", 3000),
                     WT_ENOTFOUND);
    assert_int_equal(store_wallet_transition(st, w.address, WALLET_WATCH, WALLET_CANDIDATE,
                                             "algorithm", NULL, 3000),
                     WT_ENOTFOUND); /* manual: untouched */
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_int_equal(r.status, WALLET_WATCH);
    assert_int_equal(
        store_wallet_transition(st, w.address, WALLET_WATCH, WALLET_REMOVED, "manual", NULL, 3000),
        0);
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_int_equal(r.status, WALLET_REMOVED);
    assert_int_equal(r.updated_ms, 3000);
    struct wallet_filter lf = {.status = WALLET_REMOVED, .page = 1, .limit = 10};
    struct wallet_page pg;
    assert_int_equal(store_wallet_list(st, &lf, &pg), 0);
    assert_int_equal(pg.total, 1);
    wallet_page_release(&pg);

    /* Bad input changes nothing. */
    assert_int_equal(store_wallet_update_fields(st, w.address, 0, &f, 1), WT_EINVAL);
    f.status = 6;
    assert_int_equal(store_wallet_update_fields(st, w.address, WALLET_F_STATUS, &f, 1), WT_EINVAL);
    assert_int_equal(store_wallet_update_fields(st, "nope", WALLET_F_NAME, &f, 1), WT_ENOTFOUND);
    assert_int_equal(store_wallet_transition(st, w.address, WALLET_REMOVED, 6, NULL, NULL, 1),
                     WT_EINVAL);
    struct wallet bad = p;
    bad.status = 6;
    assert_int_equal(store_wallet_upsert_profiles(st, &bad, 1), WT_EINVAL);
    assert_int_equal(store_wallet_get(st, w.address, &r), 0);
    assert_int_equal(r.status, WALLET_REMOVED);
}

/* Nine wallets with hand-picked values (tags 1..9). Scores: 1:90 2:90 3:80
 * 4:70 5:70 6:70 7:50 8:30 9:10. */
static void load_wallets(struct store *st, char addr[10][BASE58_KEY_MAX])
{
    static const double score[10] = {0, 90, 90, 80, 70, 70, 70, 50, 30, 10};
    static const double roi[10] = {0, 1.5, 0.5, 2.0, 0.5, 0.1, 3.0, 0.5, -0.2, 0.0};
    static const double pnl[10] = {0, 10, 20, 5, 40, 1, 2, 3, -4, 0};
    static const int64_t trades[10] = {0, 100, 50, 50, 10, 20, 30, 50, 5, 1};
    struct wallet w[9];
    for (int i = 1; i <= 9; i++) {
        w[i - 1] = mkwallet((uint8_t)i, score[i], roi[i], pnl[i], trades[i]);
        w[i - 1].verified = i % 2 == 1; /* 1,3,5,7,9 */
        if (i >= 7)
            snprintf(w[i - 1].type, sizeof w[i - 1].type, "whale"); /* 7,8,9 */
        if (i == 2 || i == 3)
            snprintf(w[i - 1].chain, sizeof w[i - 1].chain, "base"); /* not solana */
        if (i == 4)
            w[i - 1].status = WALLET_BLACKLISTED;
        memcpy(addr[i], w[i - 1].address, BASE58_KEY_MAX);
    }
    assert_int_equal(store_wallet_upsert_many(st, w, 9), 0);
}

/* Returns the tags of a page as a string like "1 2 3", for compact asserts. */
static void page_tags(const struct wallet_page *p, char addr[10][BASE58_KEY_MAX], char *out,
                      size_t outsize)
{
    out[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < p->n; i++)
        for (int t = 1; t <= 9; t++)
            if (strcmp(p->rows[i].address, addr[t]) == 0)
                len += (size_t)snprintf(out + len, outsize - len, "%s%d", i ? " " : "", t);
}

static void expect_page(struct store *st, const struct wallet_filter *f,
                        char addr[10][BASE58_KEY_MAX], const char *want, int64_t total)
{
    struct wallet_page p;
    assert_int_equal(store_wallet_list(st, f, &p), 0);
    char got[64];
    page_tags(&p, addr, got, sizeof got);
    assert_string_equal(got, want);
    assert_int_equal(p.total, total);
    wallet_page_release(&p);
}

/* The tag order of addresses, needed for the tie-break expectations. */
static int cmp_addr(char addr[10][BASE58_KEY_MAX], int a, int b)
{
    return strcmp(addr[a], addr[b]);
}

static void test_wallet_list_sort_and_ties(void **state)
{
    struct store *st = *state;
    char addr[10][BASE58_KEY_MAX];
    load_wallets(st, addr);
    struct wallet_filter f = {.page = 1, .limit = 20};
    /* Score desc: 90 (1,2 by address), 80 (3), 70 (4,5,6 by address), 50,
     * 30, 10. */
    char want[64];
    int a = cmp_addr(addr, 1, 2) < 0 ? 1 : 2, b = 3 - a;
    int t70[3] = {4, 5, 6};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (cmp_addr(addr, t70[i], t70[j]) > 0) {
                int x = t70[i];
                t70[i] = t70[j];
                t70[j] = x;
            }
    snprintf(want, sizeof want, "%d %d 3 %d %d %d 7 8 9", a, b, t70[0], t70[1], t70[2]);
    expect_page(st, &f, addr, want, 9);
    /* Ascending: ties still by address ascending. */
    f.ascending = true;
    snprintf(want, sizeof want, "9 8 7 %d %d %d 3 %d %d", t70[0], t70[1], t70[2], a, b);
    expect_page(st, &f, addr, want, 9);
    /* ROI desc: 3.0(6) 2.0(3) 1.5(1) 0.5(2,4,7) 0.1(5) 0.0(9) -0.2(8). */
    f.ascending = false;
    f.sort = WALLET_SORT_ROI;
    int r05[3] = {2, 4, 7};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (cmp_addr(addr, r05[i], r05[j]) > 0) {
                int x = r05[i];
                r05[i] = r05[j];
                r05[j] = x;
            }
    snprintf(want, sizeof want, "6 3 1 %d %d %d 5 9 8", r05[0], r05[1], r05[2]);
    expect_page(st, &f, addr, want, 9);
    /* PnL desc: 40(4) 20(2) 10(1) 5(3) 3(7) 2(6) 1(5) 0(9) -4(8). */
    f.sort = WALLET_SORT_PNL;
    expect_page(st, &f, addr, "4 2 1 3 7 6 5 9 8", 9);
    /* Trades asc: 1(9) 5(8) 10(4) 20(5) 30(6) 50(2,3,7) 100(1). */
    f.sort = WALLET_SORT_TRADES;
    f.ascending = true;
    int t50[3] = {2, 3, 7};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (cmp_addr(addr, t50[i], t50[j]) > 0) {
                int x = t50[i];
                t50[i] = t50[j];
                t50[j] = x;
            }
    snprintf(want, sizeof want, "9 8 4 5 6 %d %d %d 1", t50[0], t50[1], t50[2]);
    expect_page(st, &f, addr, want, 9);
}

static void test_wallet_list_filters(void **state)
{
    struct store *st = *state;
    char addr[10][BASE58_KEY_MAX];
    load_wallets(st, addr);
    struct wallet_filter f = {.page = 1, .limit = 20, .sort = WALLET_SORT_PNL};
    /* chains */
    f.chains[0] = "base";
    f.nchains = 1;
    expect_page(st, &f, addr, "2 3", 2);
    f.chains[1] = "solana";
    f.nchains = 2;
    expect_page(st, &f, addr, "4 2 1 3 7 6 5 9 8", 9);
    f.chains[0] = "ethereum";
    f.nchains = 1;
    expect_page(st, &f, addr, "", 0);
    f.nchains = 0;
    /* minScore: >= 70 is inclusive. */
    f.has_min_score = true;
    f.min_score = 70;
    expect_page(st, &f, addr, "4 2 1 3 6 5", 6);
    f.has_min_score = false;
    /* verified */
    f.has_verified = true;
    f.verified = true;
    expect_page(st, &f, addr, "1 3 7 5 9", 5);
    f.verified = false;
    expect_page(st, &f, addr, "4 2 6 8", 4);
    f.has_verified = false;
    /* walletType */
    snprintf(f.type, sizeof f.type, "whale");
    expect_page(st, &f, addr, "7 9 8", 3);
    f.type[0] = '\0';
    /* status */
    f.status = WALLET_BLACKLISTED;
    expect_page(st, &f, addr, "4", 1);
    f.status = WALLET_WATCH;
    expect_page(st, &f, addr, "2 1 3 7 6 5 9 8", 8);
    /* All together: solana, score >= 30, verified, watch -> 1 (90), 5 (70),
     * 7 (50). */
    f.chains[0] = "solana";
    f.nchains = 1;
    f.has_min_score = true;
    f.min_score = 30;
    f.has_verified = true;
    f.verified = true;
    expect_page(st, &f, addr, "1 7 5", 3);

    /* Bad filters are refused. */
    struct wallet_page p;
    struct wallet_filter bad = {.page = 0, .limit = 10};
    assert_int_equal(store_wallet_list(st, &bad, &p), WT_EINVAL);
    bad.page = 1;
    bad.limit = 0;
    assert_int_equal(store_wallet_list(st, &bad, &p), WT_EINVAL);
    bad.limit = 1001;
    assert_int_equal(store_wallet_list(st, &bad, &p), WT_EINVAL);
    bad.limit = 10;
    bad.sort = 9;
    assert_int_equal(store_wallet_list(st, &bad, &p), WT_EINVAL);
}

static void test_wallet_list_pagination(void **state)
{
    struct store *st = *state;
    char addr[10][BASE58_KEY_MAX];
    load_wallets(st, addr);
    struct wallet_filter f = {.sort = WALLET_SORT_PNL, .limit = 4};
    f.page = 1;
    expect_page(st, &f, addr, "4 2 1 3", 9);
    f.page = 2;
    expect_page(st, &f, addr, "7 6 5 9", 9);
    f.page = 3; /* last, partial */
    expect_page(st, &f, addr, "8", 9);
    f.page = 4; /* past the end: empty, right total */
    expect_page(st, &f, addr, "", 9);
    f.limit = 1;
    const char *one[] = {"4", "2", "1", "3", "7", "6", "5", "9", "8"};
    for (uint32_t pg = 1; pg <= 9; pg++) {
        f.page = pg;
        expect_page(st, &f, addr, one[pg - 1], 9);
    }
    f.page = 10;
    expect_page(st, &f, addr, "", 9);
    f.limit = 9; /* exactly one full page */
    f.page = 1;
    expect_page(st, &f, addr, "4 2 1 3 7 6 5 9 8", 9);
    f.page = 2;
    expect_page(st, &f, addr, "", 9);
}

/* What a scan saw: the tags of its wallets in call order. */
struct scan_seen {
    char (*addr)[BASE58_KEY_MAX];
    char tags[64];
    size_t len, n, stop_at;
    char last[BASE58_KEY_MAX];
    bool ordered;
};

static int scan_fn(void *ctx, const struct wallet *w)
{
    struct scan_seen *s = ctx;
    if (s->n > 0 && strcmp(s->last, w->address) >= 0)
        s->ordered = false;
    memcpy(s->last, w->address, sizeof s->last);
    for (int t = 1; t <= 9; t++)
        if (strcmp(w->address, s->addr[t]) == 0)
            s->len += (size_t)snprintf(s->tags + s->len, sizeof s->tags - s->len, "%s%d",
                                       s->n ? " " : "", t);
    s->n++;
    return s->stop_at != 0 && s->n == s->stop_at ? 42 : 0;
}

static void count_reads(void *ctx)
{
    (*(int *)ctx)++;
}

/* The tags of want sorted by address, as the scan must return them. */
static void tags_by_address(char addr[10][BASE58_KEY_MAX], const int *want, size_t n, char *out,
                            size_t outsize)
{
    int v[10];
    memcpy(v, want, n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(addr[v[i]], addr[v[j]]) > 0) {
                int x = v[i];
                v[i] = v[j];
                v[j] = x;
            }
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, outsize - len, "%s%d", i ? " " : "", v[i]);
}

static void test_wallet_scan(void **state)
{
    struct store *st = *state;
    char addr[10][BASE58_KEY_MAX];
    load_wallets(st, addr);
    char want[64];

    /* Every watched wallet once, in address order, in one read. */
    int reads = 0;
    store_set_read_hook(st, count_reads, &reads);
    struct wallet_filter f = {.status = WALLET_WATCH, .sort = WALLET_SORT_PNL};
    struct scan_seen s = {.addr = addr, .ordered = true};
    assert_int_equal(store_wallet_scan(st, &f, scan_fn, &s), 0);
    store_set_read_hook(st, NULL, NULL);
    assert_int_equal(reads, 1);
    const int watched[] = {1, 2, 3, 5, 6, 7, 8, 9};
    tags_by_address(addr, watched, 8, want, sizeof want);
    assert_string_equal(s.tags, want);
    assert_true(s.ordered);

    /* The list's filters apply: solana, score >= 30, verified, watch. */
    f.chains[0] = "solana";
    f.nchains = 1;
    f.has_min_score = true;
    f.min_score = 30;
    f.has_verified = true;
    f.verified = true;
    memset(&s, 0, sizeof s);
    s.addr = addr;
    assert_int_equal(store_wallet_scan(st, &f, scan_fn, &s), 0);
    const int some[] = {1, 5, 7};
    tags_by_address(addr, some, 3, want, sizeof want);
    assert_string_equal(s.tags, want);

    /* No filter: all nine; a nonzero return stops the scan and is returned. */
    struct wallet_filter all = {0};
    memset(&s, 0, sizeof s);
    s.addr = addr;
    s.stop_at = 3;
    assert_int_equal(store_wallet_scan(st, &all, scan_fn, &s), 42);
    assert_int_equal(s.n, 3);
    memset(&s, 0, sizeof s);
    s.addr = addr;
    assert_int_equal(store_wallet_scan(st, &all, scan_fn, &s), 0);
    assert_int_equal(s.n, 9);

    /* Bad filters are refused and call nothing. */
    struct wallet_filter bad = {.nchains = WALLET_FILTER_CHAINS_MAX + 1};
    memset(&s, 0, sizeof s);
    s.addr = addr;
    assert_int_equal(store_wallet_scan(st, &bad, scan_fn, &s), WT_EINVAL);
    bad.nchains = 1; /* chains[0] NULL */
    assert_int_equal(store_wallet_scan(st, &bad, scan_fn, &s), WT_EINVAL);
    assert_int_equal(store_wallet_scan(st, &all, NULL, NULL), WT_EINVAL);
    assert_int_equal(s.n, 0);
}

static void test_wallet_list_index_backed(void **state)
{
    struct store *st = *state;
    if (strcmp(backend, "sqlite") != 0) {
        /* On a tiny table PostgreSQL's planner rightly prefers a sequential
         * scan; its plans at 100k wallets are in docs/internals/store.md. */
        print_message("skipped on postgresql: plans depend on table size, see docs\n");
        skip();
    }
    char plan[2048];
    for (int sort = 0; sort <= WALLET_SORT_COPIER_EV; sort++)
        for (int asc = 0; asc <= 1; asc++) {
            struct wallet_filter f = {.page = 3,
                                      .limit = 50,
                                      .sort = (enum wallet_sort)sort,
                                      .ascending = asc,
                                      .has_verified = true,
                                      .verified = true,
                                      .status = WALLET_WATCH};
            f.chains[0] = "solana";
            f.nchains = 1;
            assert_int_equal(store_wallet_list_plan(st, &f, plan, sizeof plan), 0);
            assert_non_null(strstr(plan, "USING INDEX wallets_"));
            assert_null(strstr(plan, "TEMP B-TREE"));
            /* The common filter from the top score: its own index. */
            bool filt = sort == WALLET_SORT_SCORE && !asc;
            assert_true(filt == (strstr(plan, "wallets_filter_score") != NULL));
        }
    /* With minScore on a score sort the index also bounds the range. */
    struct wallet_filter f = {.page = 1, .limit = 50, .has_min_score = true, .min_score = 70};
    assert_int_equal(store_wallet_list_plan(st, &f, plan, sizeof plan), 0);
    assert_non_null(strstr(plan, "USING INDEX wallets_score_d (score>?)"));
}

/* ------------------------------------------------------------ other tables */

/* The typed wrappers (STORE_ROW_TYPES): every row type's struct is the
 * one its column description was written for, and the wrappers reach the
 * same rows as the generic calls. */
static void test_rows_typed(void **state)
{
    struct store *st = *state;
#define SIZE_OK_(T, name, S) assert_int_equal(store_row_size(T), sizeof(S));
    STORE_ROW_TYPES(SIZE_OK_)
#undef SIZE_OK_
    size_t ntypes = 0;
#define COUNT_(T, name, S) ntypes++;
    STORE_ROW_TYPES(COUNT_)
#undef COUNT_
    assert_int_equal(ntypes, STORE_T_COUNT_);

    struct signal_row sg = {.ts_ms = 5, .score = 0.75};
    snprintf(sg.wallet, sizeof sg.wallet, "%s", MINT_WSOL);
    snprintf(sg.decision, sizeof sg.decision, "skip");
    snprintf(sg.mode, sizeof sg.mode, "paper");
    snprintf(sg.factors, sizeof sg.factors, "{}");
    int64_t id = 0;
    assert_int_equal(store_put_signal(st, &sg, &id), 0);
    assert_true(id > 0);
    struct signal_row got;
    assert_int_equal(store_get_signal(st, id, &got), 0);
    assert_string_equal(got.decision, "skip");
    assert_true(got.score == 0.75);
    got.id = id;
    snprintf(got.decision, sizeof got.decision, "trade");
    assert_int_equal(store_update_signal(st, &got), 0);
    struct signal_row rows[2];
    size_t n = 0;
    struct row_query q = {.key = MINT_WSOL, .limit = 2};
    assert_int_equal(store_list_signal(st, &q, rows, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].decision, "trade");
    /* The generic call sees the same row. */
    assert_int_equal(store_row_get(st, STORE_T_SIGNALS, id, &got), 0);
    assert_string_equal(got.decision, "trade");

    struct trade_pattern_row pt[2] = {{.confidence = 50}, {.confidence = 60}};
    for (int i = 0; i < 2; i++) {
        snprintf(pt[i].wallet, sizeof pt[i].wallet, "%s", MINT_WSOL);
        snprintf(pt[i].type, sizeof pt[i].type, "rotation");
        snprintf(pt[i].status, sizeof pt[i].status, "active");
    }
    assert_int_equal(store_put_many_pattern(st, pt, 2), 0);
    assert_int_equal(store_replace_pattern(st, MINT_WSOL, &pt[1], 1), 0);
    struct trade_pattern_row pr[3];
    assert_int_equal(store_list_pattern(st, &q, pr, &n), 0);
    assert_int_equal(n, 1);
    assert_true(pr[0].confidence == 60);
}

static void test_rows_generic(void **state)
{
    struct store *st = *state;
    /* tokens: upsert on mint */
    struct token_row t = {.decimals = 6,
                          .supply = UINT64_MAX,
                          .liquidity_usd = 12345.5,
                          .mint_authority = true,
                          .holders = 321};
    snprintf(t.mint, sizeof t.mint, "%s", MINT_WSOL);
    snprintf(t.symbol, sizeof t.symbol, "USDC");
    int64_t id1 = 0, id2 = 0;
    assert_int_equal(store_row_put(st, STORE_T_TOKENS, &t, &id1), 0);
    t.holders = 400;
    assert_int_equal(store_row_put(st, STORE_T_TOKENS, &t, &id2), 0);
    assert_int_equal(id1, id2);
    struct token_row tr[4];
    size_t n = 0;
    struct row_query q = {.key = MINT_WSOL, .limit = 4};
    assert_int_equal(store_row_list(st, STORE_T_TOKENS, &q, tr, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(tr[0].holders, 400);
    assert_true(tr[0].mint_authority);
    assert_false(tr[0].freeze_authority);
    assert_true(tr[0].supply == UINT64_MAX);

    /* positions: paper and live kept apart by mode */
    struct position_row p = {
        .opened_ms = 1, .entry_lamports = 100000000, .tokens = 5, .entry_price_sol = 0.02};
    snprintf(p.mint, sizeof p.mint, "%s", MINT_WSOL);
    snprintf(p.status, sizeof p.status, "open");
    snprintf(p.state, sizeof p.state, "{\"tp_hit\":[]}");
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        snprintf(p.mode, sizeof p.mode, "%s", i == 1 ? "live" : "paper");
        p.signal_id = i + 1;
        assert_int_equal(store_row_put(st, STORE_T_POSITIONS, &p, &ids[i]), 0);
    }
    struct position_row pr[4];
    q = (struct row_query){.key = "paper", .limit = 4};
    assert_int_equal(store_row_list(st, STORE_T_POSITIONS, &q, pr, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(pr[0].signal_id, 1);
    assert_int_equal(pr[1].signal_id, 3);
    q.key = "live";
    assert_int_equal(store_row_list(st, STORE_T_POSITIONS, &q, pr, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pr[0].id, ids[1]);
    /* a mode other than paper/live is refused by the schema */
    snprintf(p.mode, sizeof p.mode, "demo");
    assert_int_equal(store_row_put(st, STORE_T_POSITIONS, &p, NULL), WT_ESTORE);
    /* update, keyset paging */
    pr[0].tokens = 0;
    snprintf(pr[0].status, sizeof pr[0].status, "closed");
    pr[0].closed_ms = 99;
    assert_int_equal(store_row_update(st, STORE_T_POSITIONS, &pr[0]), 0);
    struct position_row one;
    assert_int_equal(store_row_get(st, STORE_T_POSITIONS, ids[1], &one), 0);
    assert_string_equal(one.status, "closed");
    assert_int_equal(one.closed_ms, 99);
    assert_string_equal(one.state, "{\"tp_hit\":[]}");
    one.id = 12345;
    assert_int_equal(store_row_update(st, STORE_T_POSITIONS, &one), WT_ENOTFOUND);
    assert_int_equal(store_row_get(st, STORE_T_POSITIONS, 12345, &one), WT_ENOTFOUND);
    q = (struct row_query){.limit = 2};
    assert_int_equal(store_row_list(st, STORE_T_POSITIONS, &q, pr, &n), 0);
    assert_int_equal(n, 2);
    q.after_id = pr[1].id;
    assert_int_equal(store_row_list(st, STORE_T_POSITIONS, &q, pr, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pr[0].id, ids[2]);

    /* clusters and members (integer key) */
    struct cluster_row c = {.size = 2, .cohesion = 0.5};
    snprintf(c.label, sizeof c.label, "c-1");
    int64_t cid;
    assert_int_equal(store_row_put(st, STORE_T_CLUSTERS, &c, &cid), 0);
    struct cluster_member_row m = {.cluster_id = cid, .weight = 1};
    snprintf(m.wallet, sizeof m.wallet, "A");
    snprintf(m.role, sizeof m.role, "leader");
    assert_int_equal(store_row_put(st, STORE_T_CLUSTER_MEMBERS, &m, NULL), 0);
    snprintf(m.wallet, sizeof m.wallet, "B");
    snprintf(m.role, sizeof m.role, "follower");
    assert_int_equal(store_row_put(st, STORE_T_CLUSTER_MEMBERS, &m, NULL), 0);
    m.weight = 0.25; /* upsert on (cluster_id, wallet) */
    assert_int_equal(store_row_put(st, STORE_T_CLUSTER_MEMBERS, &m, NULL), 0);
    struct cluster_member_row mr[4];
    q = (struct row_query){.key_id = cid, .limit = 4};
    assert_int_equal(store_row_list(st, STORE_T_CLUSTER_MEMBERS, &q, mr, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(mr[1].wallet, "B");
    assert_true(mr[1].weight == 0.25);

    /* alerts with ack */
    struct alert_row a = {.ts_ms = 5};
    snprintf(a.kind, sizeof a.kind, "circuit_breaker");
    snprintf(a.message, sizeof a.message, "drawdown 21%% > 20%%: trading paused");
    snprintf(a.data, sizeof a.data, "{\"drawdown\":0.21}");
    int64_t aid;
    assert_int_equal(store_row_put(st, STORE_T_ALERTS, &a, &aid), 0);
    assert_int_equal(store_alert_ack(st, aid, 77), 0);
    struct alert_row ar;
    assert_int_equal(store_row_get(st, STORE_T_ALERTS, aid, &ar), 0);
    assert_int_equal(ar.acked_ms, 77);
    assert_string_equal(ar.message, "drawdown 21% > 20%: trading paused");
    assert_int_equal(store_alert_ack(st, aid + 100, 77), WT_ENOTFOUND);

    /* backtest scenario and runs */
    struct backtest_scenario_row sc = {.from_ms = 1, .to_ms = 2};
    snprintf(sc.name, sizeof sc.name, "cluster-35");
    snprintf(sc.params, sizeof sc.params, "{\"weights\":{\"cluster\":0.35}}");
    int64_t scid;
    assert_int_equal(store_row_put(st, STORE_T_SCENARIOS, &sc, &scid), 0);
    struct backtest_run_row run = {.scenario_id = scid, .pnl_sol = 1.25, .trades = 89};
    snprintf(run.status, sizeof run.status, "done");
    snprintf(run.results, sizeof run.results, "{\"win_rate\":0.71}");
    assert_int_equal(store_row_put(st, STORE_T_BACKTEST_RUNS, &run, NULL), 0);
    struct backtest_run_row rr[2];
    q = (struct row_query){.key_id = scid, .limit = 2};
    assert_int_equal(store_row_list(st, STORE_T_BACKTEST_RUNS, &q, rr, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rr[0].trades, 89);
    assert_string_equal(rr[0].results, "{\"win_rate\":0.71}");
    /* a run of a missing scenario breaks the foreign key */
    run.scenario_id = scid + 50;
    assert_int_equal(store_row_put(st, STORE_T_BACKTEST_RUNS, &run, NULL), WT_ESTORE);

    /* signals keep every factor, the decision and the reason */
    struct signal_row sg = {.ts_ms = 3, .score = 0.82, .wallet_factor = 0.9, .cluster_factor = 0.7};
    snprintf(sg.wallet, sizeof sg.wallet, "W");
    snprintf(sg.decision, sizeof sg.decision, "skip");
    snprintf(sg.reason, sizeof sg.reason, "liquidity below 5000 USD");
    snprintf(sg.factors, sizeof sg.factors, "{\"liquidity_usd\":3100}");
    snprintf(sg.mode, sizeof sg.mode, "paper");
    int64_t sid;
    assert_int_equal(store_row_put(st, STORE_T_SIGNALS, &sg, &sid), 0);
    struct signal_row sr;
    assert_int_equal(store_row_get(st, STORE_T_SIGNALS, sid, &sr), 0);
    sg.id = sid;
    assert_memory_equal(&sr, &sg, sizeof sg);

    /* invalid: unterminated text */
    struct exit_strategy_row ex;
    memset(&ex, 'x', sizeof ex);
    assert_int_equal(store_row_put(st, STORE_T_EXIT_STRATEGIES, &ex, NULL), WT_EINVAL);
    q = (struct row_query){.limit = 0};
    assert_int_equal(store_row_list(st, STORE_T_EXIT_STRATEGIES, &q, &ex, &n), WT_EINVAL);
}

/* Many rows in one transaction, replacing a table's rows (all, or one
 * key's), and the last swap of a mint. */
/* What store_row_each saw: the ids in order, and where to stop. */
struct each_seen {
    int64_t ids[700];
    size_t n;
    size_t stop_at; /* return 7 from this call (0: never) */
};

static int each_row(void *ctx, const void *row)
{
    struct each_seen *s = ctx;
    const struct cluster_member_row *m = row;
    s->ids[s->n++] = m->id;
    return s->stop_at && s->n == s->stop_at ? 7 : 0;
}

/* store_row_each visits every row once, in id order, across its pages
 * (600 rows: three pages of 256), keeps to q's key, and stops at the
 * callback's first non-zero return, which it returns. */
static void test_rows_each(void **state)
{
    struct store *st = *state;
    enum { N = 600 };
    int64_t cid[2];
    for (int k = 0; k < 2; k++) {
        struct cluster_row c = {.size = 1};
        snprintf(c.label, sizeof c.label, "each-%d", k);
        assert_int_equal(store_put_cluster(st, &c, &cid[k]), 0);
    }
    struct cluster_member_row *m = calloc(N, sizeof *m);
    assert_non_null(m);
    for (size_t i = 0; i < N; i++) {
        m[i].cluster_id = cid[i % 3 == 0 ? 0 : 1];
        snprintf(m[i].wallet, sizeof m[i].wallet, "W%zu", i);
        snprintf(m[i].role, sizeof m[i].role, "follower");
    }
    assert_int_equal(store_put_many_cluster_member(st, m, N), 0);
    free(m);

    struct each_seen *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(store_row_each(st, STORE_T_CLUSTER_MEMBERS, NULL, each_row, s), 0);
    assert_int_equal(s->n, N);
    for (size_t i = 1; i < s->n; i++)
        assert_true(s->ids[i] > s->ids[i - 1]);

    memset(s, 0, sizeof *s);
    struct row_query q = {.key_id = cid[0], .after_id = 999999, .limit = 1};
    assert_int_equal(store_row_each(st, STORE_T_CLUSTER_MEMBERS, &q, each_row, s), 0);
    assert_int_equal(s->n, N / 3); /* after_id and limit are not used */

    memset(s, 0, sizeof *s);
    s->stop_at = 300; /* in the second page */
    assert_int_equal(store_row_each(st, STORE_T_CLUSTER_MEMBERS, NULL, each_row, s), 7);
    assert_int_equal(s->n, 300);
    free(s);
}

static void test_rows_many_replace_last_swap(void **state)
{
    struct store *st = *state;
    struct trade_pattern_row pr[3];
    memset(pr, 0, sizeof pr);
    for (int i = 0; i < 3; i++) {
        snprintf(pr[i].wallet, sizeof pr[i].wallet, "%s", i < 2 ? "A" : "B");
        snprintf(pr[i].type, sizeof pr[i].type, "rotation");
        snprintf(pr[i].status, sizeof pr[i].status, "completed");
        pr[i].trades = 2 + i;
    }
    assert_int_equal(store_row_put_many(st, STORE_T_PATTERNS, pr, 3), 0);
    struct trade_pattern_row out[8];
    size_t n;
    struct row_query q = {.key = "A", .limit = 8};
    assert_int_equal(store_row_list(st, STORE_T_PATTERNS, &q, out, &n), 0);
    assert_int_equal(n, 2);
    /* replace A's rows by one */
    pr[0].trades = 9;
    assert_int_equal(store_row_replace(st, STORE_T_PATTERNS, "A", pr, 1), 0);
    assert_int_equal(store_row_list(st, STORE_T_PATTERNS, &q, out, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].trades, 9);
    q.key = "B";
    assert_int_equal(store_row_list(st, STORE_T_PATTERNS, &q, out, &n), 0);
    assert_int_equal(n, 1);
    /* replace the whole table */
    assert_int_equal(store_row_replace(st, STORE_T_PATTERNS, NULL, &pr[2], 1), 0);
    q.key = NULL;
    assert_int_equal(store_row_list(st, STORE_T_PATTERNS, &q, out, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].wallet, "B");
    /* a bad row anywhere: nothing replaced */
    struct trade_pattern_row badrows[2] = {pr[0], pr[1]};
    badrows[1].roi = NAN;
    assert_int_equal(store_row_replace(st, STORE_T_PATTERNS, NULL, badrows, 2), WT_EINVAL);
    assert_int_equal(store_row_put_many(st, STORE_T_PATTERNS, badrows, 2), WT_EINVAL);
    assert_int_equal(store_row_list(st, STORE_T_PATTERNS, &q, out, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_row_replace(st, STORE_T_FILLS, NULL, NULL, 0), WT_EINVAL);

    /* last swap of a mint: the largest (ts, id) */
    struct event ev[3] = {swap(1, 0, 5000, 1), swap(2, 0, 9000, 2), swap(3, 0, 7000, 3)};
    ev[1].u.swap.price_sol = 0.25;
    assert_int_equal(store_append_events(st, ev, 3, NULL), 0);
    struct stored_swap last;
    struct pubkey m = key(100);
    assert_int_equal(store_swap_last_of_mint(st, &m, &last), 0);
    assert_int_equal(last.swap.ts_ms, 9000);
    assert_true(last.swap.price_sol == 0.25);
    m = key(99);
    assert_int_equal(store_swap_last_of_mint(st, &m, &last), WT_ENOTFOUND);
}

static int scan_one(void *ctx, const char *key, const char *value)
{
    buf_printf(ctx, "%s=%s;", key, value);
    return 0;
}

static int scan_key(void *ctx, const char *key)
{
    buf_printf(ctx, "%s;", key);
    return 0;
}

static int scan_stop(void *ctx, const char *key)
{
    scan_key(ctx, key);
    return WT_ECLOSED;
}

static void test_settings_history(void **state)
{
    struct store *st = *state;
    char v[64];
    assert_int_equal(store_setting_get(st, "risk.max_drawdown", v, sizeof v), WT_ENOTFOUND);
    assert_int_equal(store_setting_set(st, "risk.max_drawdown", "0.20", 100, "operator"), 0);
    assert_int_equal(store_setting_set(st, "risk.max_drawdown", "0.20", 150, "operator"), 0);
    assert_int_equal(store_setting_set(st, "risk.max_drawdown", "0.15", 200, "api"), 0);
    assert_int_equal(store_setting_set(st, "other", "1", 300, "api"), 0);
    assert_int_equal(store_setting_get(st, "risk.max_drawdown", v, sizeof v), 0);
    assert_string_equal(v, "0.15");
    struct setting_change h[4];
    size_t n = 0;
    assert_int_equal(store_setting_history(st, "risk.max_drawdown", h, 4, &n), 0);
    assert_int_equal(n, 2); /* the no-op set recorded nothing */
    assert_string_equal(h[0].value, "0.15");
    assert_true(h[0].had_old);
    assert_string_equal(h[0].old_value, "0.20");
    assert_string_equal(h[0].actor, "api");
    assert_int_equal(h[0].ts_ms, 200);
    assert_false(h[1].had_old);
    assert_string_equal(h[1].value, "0.20");
    assert_int_equal(store_setting_set(st, "", "x", 1, "api"), WT_EINVAL);
    char small[3];
    assert_int_equal(store_setting_get(st, "risk.max_drawdown", small, sizeof small), WT_EFULL);

    /* The keys of the history by prefix, byte for byte ('_' is no
     * wildcard); a callback's nonzero return stops the scan. */
    assert_int_equal(store_setting_set(st, "exits_strategyX", "no", 400, "api"), 0);
    struct buf seen;
    buf_init(&seen, 64);
    assert_int_equal(store_setting_history_keys(st, "risk.", scan_key, &seen), 0);
    assert_string_equal(seen.data, "risk.max_drawdown;");
    buf_reset(&seen);
    assert_int_equal(store_setting_history_keys(st, "", scan_stop, &seen), WT_ECLOSED);
    assert_int_equal(strchr(seen.data, ';') - seen.data + 1, (long)seen.len);
    buf_reset(&seen);
    assert_int_equal(store_setting_history_keys(st, "nothing.", scan_key, &seen), 0);
    assert_int_equal(seen.len, 0);
    buf_release(&seen);
}

/* Exit strategies: put (create, replace, the same again), delete, scan in
 * creation order, each change in the history under exits.strategy.<name>,
 * bad input refused. */
static void test_exit_strategies(void **state)
{
    struct store *st = *state;
    assert_int_equal(store_exit_strategy_put(st, "tight", "{\"v\":1}", 100, "api"), 0);
    assert_int_equal(store_exit_strategy_put(st, "loose", "{\"v\":2}", 110, "api"), 0);
    assert_int_equal(store_exit_strategy_put(st, "tight", "{\"v\":3}", 120, "api"), 0);
    assert_int_equal(store_exit_strategy_put(st, "tight", "{\"v\":3}", 130, "api"), 0); /* no-op */
    struct buf seen;
    buf_init(&seen, 64);
    assert_int_equal(store_exit_strategies_scan(st, scan_one, &seen), 0);
    assert_string_equal(seen.data, "tight={\"v\":3};loose={\"v\":2};");
    struct setting_change h[4];
    size_t n = 0;
    assert_int_equal(store_setting_history(st, "exits.strategy.tight", h, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(h[0].value, "{\"v\":3}");
    assert_string_equal(h[0].old_value, "{\"v\":1}");
    assert_false(h[1].had_old);

    assert_int_equal(store_exit_strategy_delete(st, "tight", 140, "api"), 0);
    assert_int_equal(store_exit_strategy_delete(st, "tight", 150, "api"), WT_ENOTFOUND);
    buf_reset(&seen);
    assert_int_equal(store_exit_strategies_scan(st, scan_one, &seen), 0);
    assert_string_equal(seen.data, "loose={\"v\":2};");
    assert_int_equal(store_setting_history(st, "exits.strategy.tight", h, 4, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(h[0].value, "");
    assert_string_equal(h[0].old_value, "{\"v\":3}");
    /* Its history keys outlive it. */
    buf_reset(&seen);
    assert_int_equal(store_setting_history_keys(st, STORE_EXIT_HISTORY_PREFIX, scan_key, &seen), 0);
    assert_string_equal(seen.data, "exits.strategy.loose;exits.strategy.tight;");
    /* Bad input changes nothing. */
    assert_int_equal(store_exit_strategy_put(st, "", "{}", 1, "api"), WT_EINVAL);
    assert_int_equal(store_exit_strategy_put(st, "x", "", 1, "api"), WT_EINVAL);
    char big[SETTING_VALUE_MAX + 1];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(store_exit_strategy_put(st, "x", big, 1, "api"), WT_EINVAL);
    buf_reset(&seen);
    assert_int_equal(store_exit_strategies_scan(st, scan_one, &seen), 0);
    assert_string_equal(seen.data, "loose={\"v\":2};");

    /* Migration 8 from a version-7 database: strategies the first API
     * kept as settings move into the table, removed ones ("") do not. */
    raw_exec("DELETE FROM schema_version WHERE version >= 8");
    undo_m14();
    raw_exec("DROP INDEX wallets_filter_score");
    raw_exec("ALTER TABLE exit_strategies ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0");
    raw_exec("INSERT INTO settings (key, value, updated_ms) VALUES "
             "('exits.strategy.moon', '{\"v\":4}', 5), ('exits.strategy.gone', '', 6)");
    struct store *st2 = NULL;
    char err[256] = "";
    assert_int_equal(store_open(target(), NULL, &st2, err, sizeof err), 0);
    buf_reset(&seen);
    assert_int_equal(store_exit_strategies_scan(st2, scan_one, &seen), 0);
    assert_string_equal(seen.data, "loose={\"v\":2};moon={\"v\":4};");
    char v[64];
    assert_int_equal(store_setting_get(st2, "exits.strategy.moon", v, sizeof v), WT_ENOTFOUND);
    assert_int_equal(store_setting_get(st2, "exits.strategy.gone", v, sizeof v), WT_ENOTFOUND);
    store_close(st2);
    buf_release(&seen);
}

/* ------------------------------------------------------------ concurrency */

struct writer_arg {
    struct store *st;
    int batches;
    int per_batch;
    int rc;
};

static void *writer_thread(void *p)
{
    struct writer_arg *a = p;
    struct event *ev = calloc((size_t)a->per_batch, sizeof *ev);
    for (int b = 0; b < a->batches && a->rc == 0; b++) {
        for (int i = 0; i < a->per_batch; i++)
            ev[i] = swap((uint32_t)(b * a->per_batch + i), 0, b, (uint8_t)(i % 7));
        a->rc = store_append_events(a->st, ev, (size_t)a->per_batch, NULL);
    }
    free(ev);
    return NULL;
}

static void test_reader_during_writes(void **state)
{
    struct store *st = *state;
    struct writer_arg a = {.st = st, .batches = 40, .per_batch = 100};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer_thread, &a), 0);
    int64_t last = 0, reads = 0;
    for (;;) {
        int64_t s, t, p;
        assert_int_equal(store_count_events(st, &s, &t, &p), 0);
        /* Whole batches only, never going back. */
        assert_int_equal(s % 100, 0);
        assert_true(s >= last);
        last = s;
        reads++;
        if (s == 4000)
            break;
    }
    pthread_join(th, NULL);
    assert_int_equal(a.rc, 0);
    assert_true(reads >= 1);
}

/* ------------------------------------------------------------ faults */

struct fault {
    enum store_fault_point point;
    uint64_t at;
    int fired;
};

static int fault_fn(void *ctx, enum store_fault_point p, uint64_t nrow)
{
    struct fault *f = ctx;
    if (p == f->point && (p == STORE_FAULT_COMMIT || nrow == f->at)) {
        f->fired++;
        return 1;
    }
    return 0;
}

static void test_fault_mid_batch_leaves_nothing(void **state)
{
    struct store *st = *state;
    struct event base[2] = {swap(500, 0, 1, 1), transfer(501, 1)};
    assert_int_equal(store_append_events(st, base, 2, NULL), 0);
    enum { N = 200 };
    struct event *ev = calloc(N, sizeof *ev);
    for (int i = 0; i < N; i++)
        ev[i] = i % 4 == 3 ? price(i, 0.1 * i) : swap((uint32_t)i, 0, i, 2);
    struct store_batch b[3] = {
        {.ev = ev, .n = 50}, {.ev = ev + 50, .n = 100}, {.ev = ev + 150, .n = 50}};
    /* Fail at row 120 of 200 (inside the second batch); then at commit;
     * small batches too (the prepared-statement path). */
    struct fault f = {STORE_FAULT_ROW, 120, 0};
    store_set_fault_hook(st, fault_fn, &f);
    assert_int_equal(store_append_batches(st, b, 3), WT_ESTORE);
    assert_int_equal(f.fired, 1);
    assert_int_equal(b[0].stats.swaps, 0);
    counts(st, 1, 1, 0);
    f = (struct fault){STORE_FAULT_COMMIT, 0, 0};
    store_set_fault_hook(st, fault_fn, &f);
    assert_int_equal(store_append_batches(st, b, 3), WT_ESTORE);
    assert_int_equal(f.fired, 1);
    counts(st, 1, 1, 0);
    f = (struct fault){STORE_FAULT_ROW, 3, 0};
    store_set_fault_hook(st, fault_fn, &f);
    assert_int_equal(store_append_events(st, ev, 5, NULL), WT_ESTORE);
    counts(st, 1, 1, 0);
    /* The generic tables too. */
    f = (struct fault){STORE_FAULT_COMMIT, 0, 0};
    store_set_fault_hook(st, fault_fn, &f);
    assert_int_equal(store_setting_set(st, "k", "v", 1, "api"), WT_ESTORE);
    store_set_fault_hook(st, NULL, NULL);
    char v[8];
    assert_int_equal(store_setting_get(st, "k", v, sizeof v), WT_ENOTFOUND);
    /* And with the hook gone the same batches commit whole. */
    assert_int_equal(store_append_batches(st, b, 3), 0);
    counts(st, 151, 1, 50);
    free(ev);
}

/* ------------------------------------------------------------ group commit */

struct submitter {
    struct gcommit *g;
    struct event ev[20];
    int rc;
    struct store_append_stats stats;
};

static void *submit_thread(void *p)
{
    struct submitter *s = p;
    s->rc = gcommit_submit(s->g, s->ev, 20, &s->stats);
    return NULL;
}

static void run_submitters(struct gcommit *g, struct submitter *sub, int n, uint32_t base)
{
    pthread_t th[8];
    for (int i = 0; i < n; i++) {
        sub[i].g = g;
        sub[i].rc = 99;
        for (int k = 0; k < 20; k++)
            sub[i].ev[k] = swap(base + (uint32_t)(i * 20 + k), 0, k, (uint8_t)i);
        assert_int_equal(pthread_create(&th[i], NULL, submit_thread, &sub[i]), 0);
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

static void test_group_commit(void **state)
{
    struct store *st = *state;
    struct gcommit *g;
    /* A long window so that all 8 submitters land in one transaction. */
    struct gcommit_opts o = {.max_delay_ms = 300, .max_rows = 160};
    assert_int_equal(gcommit_start(st, &o, &g), 0);
    struct submitter sub[8];
    run_submitters(g, sub, 8, 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(sub[i].rc, 0);
        assert_int_equal(sub[i].stats.swaps, 20);
    }
    counts(st, 160, 0, 0);
    struct gcommit_stats gs;
    gcommit_get_stats(g, &gs);
    assert_int_equal(gs.batches, 8);
    assert_int_equal(gs.events, 160);
    assert_true(gs.commits <= 8);

    /* Re-submitting the same events: durable no-ops, reported as dups. */
    run_submitters(g, sub, 2, 0);
    assert_int_equal(sub[0].rc, 0);
    assert_int_equal(sub[0].stats.swaps_dup, 20);

    /* A failing commit: every submitter of that transaction gets the error
     * and nothing of it is visible. max_rows = 160 makes the writer wait for
     * all 8 batches (or 300 ms) before committing. */
    struct fault f = {STORE_FAULT_ROW, 100, 0};
    store_set_fault_hook(st, fault_fn, &f);
    run_submitters(g, sub, 8, 1000);
    int failed = 0;
    for (int i = 0; i < 8; i++) {
        assert_true(sub[i].rc == 0 || sub[i].rc == WT_ESTORE);
        failed += sub[i].rc == WT_ESTORE;
    }
    gcommit_get_stats(g, &gs);
    /* Every event of a failed transaction is absent, every event of a
     * successful one present: count what each submitter was told. */
    int64_t s, t, p;
    assert_int_equal(store_count_events(st, &s, &t, &p), 0);
    assert_int_equal(s, 160 + 20 * (8 - failed));
    assert_true(failed >= 1);
    assert_int_equal(gs.failed, 1);
    store_set_fault_hook(st, NULL, NULL);
    gcommit_stop(g);
}

/* An invalid batch is refused before it joins a transaction: the valid
 * batches waiting in the same commit window are stored. */
static void test_group_commit_invalid_alone(void **state)
{
    struct store *st = *state;
    struct gcommit *g;
    struct gcommit_opts o = {.max_delay_ms = 300, .max_rows = 1000};
    assert_int_equal(gcommit_start(st, &o, &g), 0);
    struct submitter sub[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        sub[i].g = g;
        sub[i].rc = 99;
        for (int k = 0; k < 20; k++)
            sub[i].ev[k] = swap(5000 + (uint32_t)(i * 20 + k), 0, k, (uint8_t)i);
    }
    sub[1].ev[7].u.swap.token_amount = 0; /* invalid */
    assert_int_equal(pthread_create(&th[0], NULL, submit_thread, &sub[0]), 0);
    assert_int_equal(pthread_create(&th[1], NULL, submit_thread, &sub[1]), 0);
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    assert_int_equal(sub[0].rc, 0);
    assert_int_equal(sub[1].rc, WT_EINVAL);
    assert_int_equal(sub[0].stats.swaps, 20);
    gcommit_stop(g);
    counts(st, 20, 0, 0);
}

static void test_group_commit_stop(void **state)
{
    struct store *st = *state;
    struct gcommit *g;
    assert_int_equal(gcommit_start(st, NULL, &g), 0);
    struct event e = swap(1, 0, 1, 1);
    assert_int_equal(gcommit_submit(g, &e, 1, NULL), 0);
    struct event bad = swap(2, 0, 1, 1);
    bad.u.swap.token_amount = 0;
    assert_int_equal(gcommit_submit(g, &bad, 1, NULL), WT_EINVAL);
    gcommit_stop(g);
    counts(st, 1, 0, 0);
}

/* ------------------------------------------------------------ crash, backup */

static int crash_hook(void *ctx, enum store_fault_point p, uint64_t nrow)
{
    int fd = *(int *)ctx;
    if (p == STORE_FAULT_ROW && nrow == 2500) {
        if (write(fd, "x", 1) != 1)
            _exit(3);
        pause(); /* killed here, mid-transaction */
    }
    return 0;
}

static void test_kill_mid_batch(void **state)
{
    struct store *st = *state;
    struct event ev0[1] = {swap(9999999, 0, 1, 1)};
    assert_int_equal(store_append_events(st, ev0, 1, NULL), 0);
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        struct store *cs;
        char err[128];
        if (store_open(target(), NULL, &cs, err, sizeof err) != 0)
            _exit(2);
        store_set_fault_hook(cs, crash_hook, &pfd[1]);
        enum { N = 5000 };
        struct event *ev = calloc(N, sizeof *ev);
        for (int i = 0; i < N; i++)
            ev[i] = swap((uint32_t)i, 0, i, 4);
        store_append_events(cs, ev, N, NULL);
        _exit(4);
    }
    close(pfd[1]);
    char c;
    assert_int_equal(read(pfd[0], &c, 1), 1);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(pfd[0]);
    assert_true(WIFSIGNALED(status));
    /* A fresh open (recovery) sees the earlier commit and none of the
     * killed batch. */
    struct store *st2;
    char err[128];
    assert_int_equal(store_open(target(), NULL, &st2, err, sizeof err), 0);
    counts(st2, 1, 0, 0);
    store_close(st2);
    counts(st, 1, 0, 0);
}

static void test_backup_and_folder(void **state)
{
    struct store *st = *state;
    struct event ev[3] = {swap(1, 0, 1, 1), swap(2, 0, 2, 1), price(3, 1)};
    assert_int_equal(store_append_events(st, ev, 3, NULL), 0);
    char path[600], msg[512];
    if (strcmp(backend, "sqlite") == 0) {
        snprintf(path, sizeof path, "%s/backup.db", tmpdir);
        assert_int_equal(store_backup(st, path, msg, sizeof msg), 0);
        assert_int_equal(store_backup(st, path, msg, sizeof msg), WT_EEXIST);
        struct store *b;
        char err[128];
        assert_int_equal(store_open(path, NULL, &b, err, sizeof err), 0);
        counts(b, 2, 0, 1);
        assert_int_equal(store_verify(b, msg, sizeof msg), 0);
        store_close(b);
        /* A folder means <folder>/walltrack.db: the same database. */
        assert_int_equal(store_open(tmpdir, NULL, &b, err, sizeof err), 0);
        counts(b, 2, 0, 1);
        store_close(b);
    } else {
        snprintf(path, sizeof path, "/tmp/wt_store_pgdump_%d.dump", (int)getpid());
        unlink(path);
        int rc = store_backup(st, path, msg, sizeof msg);
        if (rc == WT_EUNSUPPORTED) {
            assert_non_null(strstr(msg, "pg_dump"));
            print_message("skipped pg_dump part: %s\n", msg);
            skip();
        }
        assert_int_equal(rc, 0);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_true(sb.st_size > 1000);
        unlink(path);
    }
}

/* ------------------------------------------------------------ engine */

struct seen {
    pthread_mutex_t mu;
    size_t batches, events, inserted;
    uint32_t first_sig[16];
};

static void after_commit(void *ctx, const struct event *ev, size_t n, const uint8_t *ins)
{
    struct seen *s = ctx;
    pthread_mutex_lock(&s->mu);
    if (s->batches < 16)
        memcpy(&s->first_sig[s->batches], ev[0].u.swap.sig.b, sizeof(uint32_t));
    s->batches++;
    s->events += n;
    for (size_t i = 0; i < n; i++)
        s->inserted += ins[i];
    pthread_mutex_unlock(&s->mu);
}

/* The hook sees every committed batch with which events were new, after
 * the commit: a re-delivery is all duplicates, a mix is flagged per event,
 * and a failed commit is not seen at all. */
static void test_group_commit_after_hook(void **state)
{
    struct store *st = *state;
    struct seen seen = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct gcommit_opts o = {.max_delay_ms = 1, .after_commit = after_commit, .after_ctx = &seen};
    struct gcommit *g;
    assert_int_equal(gcommit_start(st, &o, &g), 0);
    struct event ev[40];
    for (int i = 0; i < 40; i++)
        ev[i] = swap(5000 + (uint32_t)i, 0, 1000 + i, 1);
    assert_int_equal(gcommit_submit(g, ev, 20, NULL), 0);
    assert_int_equal(seen.batches, 1);
    assert_int_equal(seen.events, 20);
    assert_int_equal(seen.inserted, 20);
    /* 10 old + 20 new (the bulk path on PostgreSQL from 64 rows; both). */
    assert_int_equal(gcommit_submit(g, ev + 10, 30, NULL), 0);
    assert_int_equal(seen.events, 50);
    assert_int_equal(seen.inserted, 40);
    struct event big[100];
    for (int i = 0; i < 100; i++)
        big[i] = swap(6000 + (uint32_t)(i % 70), 0, 2000 + i % 70, 2); /* 30 repeats */
    assert_int_equal(gcommit_submit(g, big, 100, NULL), 0);
    assert_int_equal(seen.events, 150);
    assert_int_equal(seen.inserted, 110);
    struct fault f = {STORE_FAULT_ROW, 1, 0};
    store_set_fault_hook(st, fault_fn, &f);
    struct event one = swap(7000, 0, 3000, 3);
    assert_int_equal(gcommit_submit(g, &one, 1, NULL), WT_ESTORE);
    store_set_fault_hook(st, NULL, NULL);
    assert_int_equal(seen.batches, 3);
    gcommit_stop(g);
}

static void fill_signal(struct signal_row *r, int64_t id, int64_t ts, const char *wallet,
                        const char *decision, const char *reason)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    r->ts_ms = ts;
    snprintf(r->wallet, sizeof r->wallet, "%s", wallet);
    snprintf(r->mint, sizeof r->mint, "Mint%lld", (long long)id);
    r->score = 0.5 + 0.01 * (double)id;
    snprintf(r->factors, sizeof r->factors, "{\"score\":%g}", r->score);
    snprintf(r->decision, sizeof r->decision, "%s", decision);
    snprintf(r->reason, sizeof r->reason, "%s", reason);
    snprintf(r->mode, sizeof r->mode, "paper");
}

static int count_trades(void *ctx, const struct closed_trade_row *t)
{
    int64_t *sum = ctx;
    *sum += t->position_id;
    return 0;
}

/* The engine's batched writes: ids kept, positions replaced in place, the
 * state key upserted, all or nothing; and the queries the API runs. */
static void test_engine_rows(void **state)
{
    struct store *st = *state;
    struct signal_row sg[6];
    fill_signal(&sg[0], 1, 1000, "W1", "trade", "traded");
    fill_signal(&sg[1], 2, 2000, "W2", "skip", "below_threshold");
    fill_signal(&sg[2], 3, 3000, "W1", "blocked", "breaker_active");
    fill_signal(&sg[3], 4, 4000, "W1", "skip", "below_threshold");
    fill_signal(&sg[4], 5, 5000, "W2", "trade", "traded");
    fill_signal(&sg[5], 6, 6000, "W3", "skip", "token_already_held");
    struct order_row o = {.id = 1, .signal_id = 1, .ts_ms = 1000, .side = 1, .amount_in = 7};
    snprintf(o.mode, sizeof o.mode, "paper");
    snprintf(o.mint, sizeof o.mint, "Mint1");
    snprintf(o.status, sizeof o.status, "sent");
    struct fill_row f = {.order_id = 1, .ts_ms = 1100, .amount_in = 7, .amount_out = 9};
    snprintf(f.mode, sizeof f.mode, "paper");
    struct position_row p = {.id = 10, .signal_id = 1, .opened_ms = 1100, .tokens = 9};
    snprintf(p.mode, sizeof p.mode, "paper");
    snprintf(p.mint, sizeof p.mint, "Mint1");
    snprintf(p.status, sizeof p.status, "open");
    snprintf(p.state, sizeof p.state, "{}");
    struct store_write w[] = {
        {STORE_T_SIGNALS, &sg[0], true, NULL, NULL, 0},
        {STORE_T_ORDERS, &o, true, NULL, NULL, 0},
        {STORE_T_FILLS, &f, false, NULL, NULL, 0},
        {STORE_T_POSITIONS, &p, true, NULL, NULL, 0},
        {STORE_W_STATE, NULL, false, "engine.paper", "{\"v\":1}", 1100},
    };
    assert_int_equal(store_write_batch(st, w, 5), 0);
    /* The same ids again: replaced, not duplicated. */
    snprintf(o.status, sizeof o.status, "filled");
    p.tokens = 4;
    snprintf(p.status, sizeof p.status, "closing");
    struct store_write w2[] = {
        {STORE_T_ORDERS, &o, true, NULL, NULL, 0},
        {STORE_T_POSITIONS, &p, true, NULL, NULL, 0},
        {STORE_W_STATE, NULL, false, "engine.paper", "{\"v\":2}", 1200},
        {STORE_T_SIGNALS, &sg[1], true, NULL, NULL, 0},
        {STORE_T_SIGNALS, &sg[2], true, NULL, NULL, 0},
        {STORE_T_SIGNALS, &sg[3], true, NULL, NULL, 0},
        {STORE_T_SIGNALS, &sg[4], true, NULL, NULL, 0},
        {STORE_T_SIGNALS, &sg[5], true, NULL, NULL, 0},
    };
    assert_int_equal(store_write_batch(st, w2, 8), 0);
    struct order_row or ;
    assert_int_equal(store_row_get(st, STORE_T_ORDERS, 1, & or), 0);
    assert_string_equal(or.status, "filled");
    struct position_row pr[4];
    size_t n;
    assert_int_equal(store_positions_open(st, "paper", pr, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pr[0].id, 10);
    assert_int_equal(pr[0].tokens, 4);
    assert_int_equal(store_positions_open(st, "live", pr, 4, &n), 0);
    assert_int_equal(n, 0);
    struct buf v;
    buf_init(&v, 0);
    assert_int_equal(store_state_get(st, "engine.paper", &v), 0);
    assert_string_equal(v.data, "{\"v\":2}");
    assert_int_equal(store_state_get(st, "engine.live", &v), WT_ENOTFOUND);
    buf_release(&v);

    /* A bad row anywhere: nothing of the batch is written. */
    struct signal_row bad = sg[0];
    bad.id = 7;
    bad.score = NAN;
    sg[0].id = 8;
    struct store_write w3[] = {
        {STORE_T_SIGNALS, &sg[0], true, NULL, NULL, 0},
        {STORE_T_SIGNALS, &bad, true, NULL, NULL, 0},
    };
    assert_int_equal(store_write_batch(st, w3, 2), WT_EINVAL);
    struct store_write w4[] = {{STORE_T_SIGNALS, &sg[0], true, NULL, NULL, 0}};
    sg[0].id = 0;
    assert_int_equal(store_write_batch(st, w4, 1), WT_EINVAL); /* keep_id needs an id */
    /* A failing statement rolls the whole batch back. */
    sg[0].id = 8;
    struct fault ft = {STORE_FAULT_ROW, 2, 0};
    store_set_fault_hook(st, fault_fn, &ft);
    struct store_write w5[] = {
        {STORE_T_SIGNALS, &sg[0], true, NULL, NULL, 0},
        {STORE_W_STATE, NULL, false, "engine.paper", "{\"v\":3}", 1300},
    };
    assert_int_equal(store_write_batch(st, w5, 2), WT_ESTORE);
    store_set_fault_hook(st, NULL, NULL);
    buf_init(&v, 0);
    assert_int_equal(store_state_get(st, "engine.paper", &v), 0);
    assert_string_equal(v.data, "{\"v\":2}");
    buf_release(&v);

    /* Signal queries: newest first, filters, keyset pages. */
    struct signal_row out[8];
    struct signal_query q = {.limit = 8};
    assert_int_equal(store_signals_query(st, &q, out, &n), 0);
    assert_int_equal(n, 6);
    assert_int_equal(out[0].id, 6);
    assert_int_equal(out[5].id, 1);
    q = (struct signal_query){.wallet = "W1", .limit = 8};
    assert_int_equal(store_signals_query(st, &q, out, &n), 0);
    assert_int_equal(n, 3);
    q = (struct signal_query){.wallet = "W1", .decision = "skip", .limit = 8};
    assert_int_equal(store_signals_query(st, &q, out, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, 4);
    q = (struct signal_query){.reason = "below_threshold", .since_ms = 3000, .limit = 8};
    assert_int_equal(store_signals_query(st, &q, out, &n), 0);
    assert_int_equal(n, 1);
    q = (struct signal_query){.limit = 2};
    assert_int_equal(store_signals_query(st, &q, out, &n), 0);
    assert_int_equal(n, 2);
    q.before_id = out[1].id;
    assert_int_equal(store_signals_query(st, &q, out, &n), 0);
    assert_int_equal(out[0].id, 4);
    q.limit = 0;
    assert_int_equal(store_signals_query(st, &q, out, &n), WT_EINVAL);

    /* Closed trades: query newest first, scan oldest first. */
    for (int i = 1; i <= 3; i++) {
        struct closed_trade_row t = {.position_id = i, .closed_ms = 1000 * i, .pnl_sol = i - 2.0};
        snprintf(t.mode, sizeof t.mode, "paper");
        snprintf(t.wallet, sizeof t.wallet, "W%d", i);
        snprintf(t.strategy, sizeof t.strategy, "default");
        snprintf(t.factors, sizeof t.factors, "{\"wallet\":0.5}");
        t.score = 0.75;
        assert_int_equal(store_row_put(st, STORE_T_CLOSED_TRADES, &t, NULL), 0);
    }
    struct closed_trade_row tr[4];
    struct trade_query tq = {.mode = "paper", .limit = 4};
    assert_int_equal(store_closed_trades_query(st, &tq, tr, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(tr[0].position_id, 3);
    assert_string_equal(tr[0].strategy, "default");
    assert_true(tr[0].score == 0.75);
    tq.since_ms = 2000;
    assert_int_equal(store_closed_trades_query(st, &tq, tr, &n), 0);
    assert_int_equal(n, 2);
    int64_t sum = 0;
    assert_int_equal(store_closed_trades_scan(st, "paper", 0, count_trades, &sum), 0);
    assert_int_equal(sum, 6);
}

/* ------------------------------------------------------------ main */

/* store_db_size: the database's own measure of its size, which grows
 * with what is stored. */
static void test_db_size_grows(void **state)
{
    struct store *st = *state;
    int64_t before = 0, after = 0;
    assert_int_equal(store_db_size(st, &before), 0);
    assert_true(before > 0); /* the migrated tables */
    enum { N = 5000 };
    struct event *ev = calloc(N, sizeof *ev);
    assert_non_null(ev);
    for (int i = 0; i < N; i++)
        ev[i] = swap((uint32_t)i + 1, 0, 1700000000000 + i, (uint8_t)(1 + i % 7));
    assert_int_equal(store_append_events(st, ev, N, NULL), 0);
    free(ev);
    assert_int_equal(store_db_size(st, &after), 0);
    print_message("%s: %lld bytes before, %lld after %d swaps\n", backend, (long long)before,
                  (long long)after, N);
    assert_true(after >= before + N * 100); /* a swap's row and index entries: well over 100 B */
}

/* The mark-to-market samples' thinning: old hours keep their lowest and
 * highest sample, recent ones and the other mode everything; a drawdown
 * across hours is the same from the thinned samples. */
static void test_equity_marks_thin(void **state)
{
    struct store *st = *state;
    const int64_t hour = 3600000, t0 = 1700000000000 / hour * hour;
    enum { PER_HOUR = 60, HOURS = 4 };
    struct equity_mark_row rows[PER_HOUR * HOURS + 10];
    size_t n = 0;
    for (int h = 0; h < HOURS; h++)
        for (int m = 0; m < PER_HOUR; m++) {
            struct equity_mark_row *r = &rows[n++];
            memset(r, 0, sizeof *r);
            snprintf(r->mode, sizeof r->mode, "paper");
            r->ts_ms = t0 + h * hour + m * 60000;
            /* hour 0 rises to its peak at minute 50, hour 1 falls to its
             * trough at minute 10, hour 2 is flat, hour 3 is recent */
            uint64_t base = 10000000000ull;
            r->equity_lamports =
                h == 0   ? base + (uint64_t)(m <= 50 ? m : 100 - m) * 1000000
                : h == 1 ? base - (uint64_t)(m <= 10 ? m : 20 - (m > 20 ? 20 : m)) * 9000000
                         : base;
            r->cash_lamports = base;
        }
    for (int m = 0; m < 10; m++) { /* the other mode, old: untouched */
        struct equity_mark_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        snprintf(r->mode, sizeof r->mode, "live");
        r->ts_ms = t0 + m * 60000;
        r->equity_lamports = 1000 + (uint64_t)m;
    }
    assert_int_equal(store_put_many_equity_mark(st, rows, n), 0);

    int64_t deleted = -1;
    assert_int_equal(store_equity_marks_thin(st, "paper", 0, t0 + 3 * hour, hour, &deleted), 0);
    /* hours 0 and 1: 2 kept of 60; hour 2 (flat): 1 kept */
    assert_int_equal(deleted, (PER_HOUR - 2) * 2 + (PER_HOUR - 1));
    int64_t again = -1;
    assert_int_equal(store_equity_marks_thin(st, "paper", 0, t0 + 3 * hour, hour, &again), 0);
    assert_int_equal(again, 0);

    struct equity_mark_row got[PER_HOUR * HOURS];
    size_t k = 0;
    struct row_query q = {.key = "paper", .after_id = 0, .limit = PER_HOUR * HOURS};
    assert_int_equal(store_list_equity_mark(st, &q, got, &k), 0);
    assert_int_equal(k, 2 + 2 + 1 + PER_HOUR);
    /* in time order: hour 0's lowest (minute 0) and highest (minute 50),
     * hour 1's highest (minute 0) and lowest (minute 10), hour 2's first */
    assert_int_equal(got[0].ts_ms, t0);
    assert_int_equal(got[1].ts_ms, t0 + 50 * 60000);
    assert_int_equal(got[2].ts_ms, t0 + hour);
    assert_int_equal(got[3].ts_ms, t0 + hour + 10 * 60000);
    assert_int_equal(got[4].ts_ms, t0 + 2 * hour);
    for (size_t i = 5; i < k; i++)
        assert_int_equal(got[i].ts_ms, t0 + 3 * hour + (int64_t)(i - 5) * 60000);
    /* the drawdown from hour 0's peak to hour 1's trough survives */
    uint64_t peak = 0, dd = 0;
    for (size_t i = 0; i < k; i++) {
        if (got[i].equity_lamports > peak)
            peak = got[i].equity_lamports;
        if (peak - got[i].equity_lamports > dd)
            dd = peak - got[i].equity_lamports;
    }
    assert_int_equal(dd, 50 * 1000000ull + 10 * 9000000ull);
    struct row_query ql = {.key = "live", .after_id = 0, .limit = 20};
    assert_int_equal(store_list_equity_mark(st, &ql, got, &k), 0);
    assert_int_equal(k, 10);
    assert_int_equal(store_equity_marks_thin(st, "paper", 10, 5, hour, NULL), WT_EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static int run(const char *name)
{
    const struct CMUnitTest tests[] = {
        T(test_migrations_and_version),
        T(test_wallet_metrics_migration),
        T(test_append_dedupes_across_slots),
        T(test_mint_last_without_index),
        T(test_mint_last_migration),
        T(test_skip_records),
        T(test_append_idempotent),
        T(test_append_bulk_idempotent),
        T(test_append_invalid_changes_nothing),
        T(test_u64_max_round_trip),
        T(test_swap_reads_ordered_and_paginated),
        T(test_swap_scan),
        T(test_swap_pages_inside_one_millisecond),
        T(test_event_columns_match_the_list),
        T(test_wallet_upsert_get),
        T(test_wallet_profile_and_curation_paths),
        T(test_wallet_list_sort_and_ties),
        T(test_wallet_list_filters),
        T(test_wallet_list_pagination),
        T(test_wallet_list_index_backed),
        T(test_wallet_scan),
        T(test_rows_typed),
        T(test_rows_generic),
        T(test_rows_each),
        T(test_rows_many_replace_last_swap),
        T(test_settings_history),
        T(test_exit_strategies),
        T(test_reader_during_writes),
        T(test_fault_mid_batch_leaves_nothing),
        T(test_group_commit),
        T(test_group_commit_stop),
        T(test_group_commit_invalid_alone),
        T(test_group_commit_after_hook),
        T(test_engine_rows),
        T(test_kill_mid_batch),
        T(test_backup_and_folder),
        T(test_db_size_grows),
        T(test_equity_marks_thin),
    };
    return _cmocka_run_group_tests(name, tests, sizeof tests / sizeof tests[0], NULL, NULL);
}

int main(void)
{
    log_set_level(LOG_OFF);
    int fails = 0;
    backend = "sqlite";
    fails += run("store/sqlite");
    pg_url = getenv("WALLTRACK_TEST_PG_URL");
    if (pg_url != NULL && pg_url[0] != '\0') {
        backend = "postgresql";
        fails += run("store/postgresql");
    } else {
        printf("store/postgresql: skipped: WALLTRACK_TEST_PG_URL is not set (ctest runs this "
               "suite on PostgreSQL as unit/store_pg through tests/store/with_pg.sh)\n");
    }
    return fails != 0;
}
