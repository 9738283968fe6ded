/* Tests of the store-to-engine watchlist sync (trade/watchsync.h) on a
 * real runner over a real SQLite store: a wallet whose score changes while
 * the watchlist is being read (a concurrent profile run) is neither
 * unwatched nor watched twice (issue 14 item 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "solana/pubkey.h"
#include "store/store.h"
#include "trade/runner.h"
#include "trade/watchsync.h"

/* More than one page of the old 1000-row paging. */
#define NWALLETS 1100

static void wallet_addr(int i, char out[BASE58_KEY_MAX])
{
    struct pubkey k;
    memset(&k, 0, sizeof k);
    k.b[0] = 7;
    k.b[1] = (uint8_t)(i & 0xff);
    k.b[2] = (uint8_t)(i >> 8);
    pubkey_format(&k, out);
}

struct mover {
    struct store *st;
    int calls;
    int fire_at; /* the read before which the score changes */
    char addr[BASE58_KEY_MAX];
};

/* A profile run between two reads: the wallet ranked 1051st jumps to the
 * top of the score order. */
static void move_wallet(void *ctx)
{
    struct mover *m = ctx;
    if (++m->calls != m->fire_at)
        return;
    struct wallet w;
    assert_int_equal(store_wallet_get(m->st, m->addr, &w), 0);
    w.score = 99.9;
    assert_int_equal(store_wallet_upsert_profiles(m->st, &w, 1), 0);
}

static void test_score_change_during_sync_posts_nothing(void **state)
{
    (void)state;
    char dir[] = "/tmp/wt_watchsync_XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);

    struct wallet *w = calloc(NWALLETS, sizeof *w);
    assert_non_null(w);
    for (int i = 0; i < NWALLETS; i++) {
        wallet_addr(i, w[i].address);
        snprintf(w[i].chain, sizeof w[i].chain, "solana");
        snprintf(w[i].discovery, sizeof w[i].discovery, "algorithm");
        w[i].status = WALLET_WATCH;
        w[i].score = 90.0 - (double)i * 0.01; /* distinct, descending */
    }
    assert_int_equal(store_wallet_upsert_many(st, w, NWALLETS), 0);
    free(w);

    struct runner_opts o;
    memset(&o, 0, sizeof o);
    engine_params_default(&o.params);
    o.store = st;
    o.tick_ms = 60000;
    struct runner *r;
    assert_int_equal(runner_start(&o, &r, err, sizeof err), 0);

    /* The engine loaded every wallet: a quiet sync posts nothing. */
    struct watchsync_stats ws;
    assert_int_equal(watchsync_run(r, st, &ws), 0);
    assert_int_equal(ws.watched + ws.unwatched + ws.blacklisted + ws.unblacklisted, 0);

    /* Now the score of a wallet changes after the first read of the sync
     * and before any later one. */
    struct mover m = {.st = st, .fire_at = 2};
    wallet_addr(1050, m.addr);
    store_set_read_hook(st, move_wallet, &m);
    assert_int_equal(watchsync_run(r, st, &ws), 0);
    store_set_read_hook(st, NULL, NULL);
    assert_true(m.calls >= 2);
    assert_int_equal(ws.unwatched, 0);
    assert_int_equal(ws.watched, 0);
    assert_int_equal(ws.blacklisted + ws.unblacklisted, 0);

    /* The wallet's new score is in the store, and it is still watched. */
    struct wallet got;
    assert_int_equal(store_wallet_get(st, m.addr, &got), 0);
    assert_true(got.score > 99.0);
    assert_int_equal(got.status, WALLET_WATCH);

    runner_stop(r);
    store_close(st);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_change_during_sync_posts_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
