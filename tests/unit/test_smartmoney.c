/* Smart-money activity alerts (alert/smartmoney.h): the group-buy rule
 * (N distinct watched wallets, clusters counted once, within the window),
 * the verified big buy, the per-token cooldown, quiet hours (not pushed,
 * still returned), the settings' parsing, and delivery through a real
 * alerter to a counting notifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "alert/smartmoney.h"
#include "base/clock.h"
#include "base/err.h"
#include "solana/pubkey.h"

#define MIN (60 * 1000LL)
#define T0  (20000 * MS_PER_DAY + 12 * MS_PER_HOUR) /* 2024-10-04 12:00 UTC */
#define SOL 1000000000ull

static struct swap_event buy(int wallet, int mint, uint64_t lamports, int64_t ts)
{
    struct swap_event e;
    memset(&e, 0, sizeof e);
    e.wallet.b[0] = (uint8_t)wallet;
    e.wallet.b[1] = 7;
    e.mint.b[0] = (uint8_t)mint;
    e.mint.b[1] = 9;
    pubkey_parse(MINT_WSOL, &e.quote_mint);
    e.side = SIDE_BUY;
    e.decimals = 6;
    e.quote_decimals = 9;
    e.token_amount = 1000000;
    e.quote_amount = lamports;
    e.ts_ms = ts;
    return e;
}

static size_t feed(struct smartmoney *s, struct swap_event e, struct sm_alert out[2])
{
    return sm_feed(s, &e, out);
}

static struct sm_wallet watched(int wallet, bool verified, int64_t group)
{
    struct sm_wallet w;
    memset(&w, 0, sizeof w);
    w.key.b[0] = (uint8_t)wallet;
    w.key.b[1] = 7;
    w.verified = verified;
    w.group = group;
    return w;
}

static struct smartmoney *make(const struct sm_params *p)
{
    struct smartmoney *s = sm_new(p, NULL, NULL);
    /* 1..4 on their own, 5 and 6 in cluster 42, 7 verified */
    struct sm_wallet w[] = {watched(1, false, 0), watched(2, false, 0),  watched(3, false, 0),
                            watched(4, false, 0), watched(5, false, 42), watched(6, false, 42),
                            watched(7, true, 0)};
    sm_set_watchlist(s, w, sizeof w / sizeof w[0]);
    assert_int_equal(sm_watched(s), 7);
    return s;
}

static void test_group_buy(void **state)
{
    (void)state;
    struct sm_params p;
    sm_params_default(&p); /* 3 wallets, 30 min, 10 SOL, cooldown 60 min */
    struct smartmoney *s = make(&p);
    struct sm_alert out[2];
    /* two watched wallets and one unwatched (99): nothing */
    assert_int_equal(feed(s, buy(1, 50, SOL, T0), out), 0);
    assert_int_equal(feed(s, buy(99, 50, SOL, T0 + MIN), out), 0);
    assert_int_equal(feed(s, buy(2, 50, SOL, T0 + 2 * MIN), out), 0);
    /* the same wallet again does not make a third */
    assert_int_equal(feed(s, buy(2, 50, SOL, T0 + 3 * MIN), out), 0);
    /* a sell by a third wallet is no buy */
    struct swap_event sell = buy(3, 50, SOL, T0 + 4 * MIN);
    sell.side = SIDE_SELL;
    assert_int_equal(sm_feed(s, &sell, out), 0);
    /* the third wallet within 30 min: an alert, 4 SOL in the window */
    assert_int_equal(feed(s, buy(3, 50, 2 * SOL, T0 + 29 * MIN), out), 1);
    assert_int_equal(out[0].rule, SM_GROUP_BUY);
    assert_int_equal(out[0].n_groups, 3);
    assert_int_equal(out[0].n_wallets, 3);
    assert_float_equal(out[0].sol, 5.0, 1e-9);
    assert_int_equal(out[0].mint.b[0], 50);
    assert_false(out[0].quiet);
    /* cooldown: a fourth wallet 10 min later on the same token: nothing;
     * after 60 min, with three buyers in the window again: an alert */
    assert_int_equal(feed(s, buy(4, 50, SOL, T0 + 39 * MIN), out), 0);
    assert_int_equal(feed(s, buy(1, 50, SOL, T0 + 80 * MIN), out), 0);
    assert_int_equal(feed(s, buy(2, 50, SOL, T0 + 85 * MIN), out), 0);
    assert_int_equal(feed(s, buy(3, 50, SOL, T0 + 89 * MIN), out), 1);

    /* window: buys 31 min apart do not add up */
    assert_int_equal(feed(s, buy(1, 60, SOL, T0), out), 0);
    assert_int_equal(feed(s, buy(2, 60, SOL, T0 + 20 * MIN), out), 0);
    assert_int_equal(feed(s, buy(3, 60, SOL, T0 + 31 * MIN), out), 0);

    /* a cluster counts once: 5 and 6 (cluster 42) and 1 are two groups */
    assert_int_equal(feed(s, buy(5, 70, SOL, T0), out), 0);
    assert_int_equal(feed(s, buy(6, 70, SOL, T0 + MIN), out), 0);
    assert_int_equal(feed(s, buy(1, 70, SOL, T0 + 2 * MIN), out), 0);
    assert_int_equal(feed(s, buy(2, 70, SOL, T0 + 3 * MIN), out), 1);
    assert_int_equal(out[0].n_groups, 3);
    assert_int_equal(out[0].n_wallets, 4);
    sm_free(s);
}

static void test_big_buy_and_quiet_hours(void **state)
{
    (void)state;
    struct sm_params p;
    sm_params_default(&p);
    assert_int_equal(sm_parse_quiet("22-07", &p.quiet_from, &p.quiet_to), 0);
    struct smartmoney *s = make(&p);
    struct sm_alert out[2];
    /* an unverified watched wallet's 50 SOL buy: nothing */
    assert_int_equal(feed(s, buy(1, 80, 50 * SOL, T0), out), 0);
    /* the verified wallet under the size: nothing; at the size: alert */
    assert_int_equal(feed(s, buy(7, 81, 9 * SOL, T0), out), 0);
    assert_int_equal(feed(s, buy(7, 82, 10 * SOL, T0), out), 1);
    assert_int_equal(out[0].rule, SM_BIG_BUY);
    assert_float_equal(out[0].sol, 10, 1e-9);
    assert_int_equal(out[0].wallets[0].b[0], 7);
    assert_false(out[0].quiet); /* 12:00 UTC */
    /* at 23:00 UTC: raised (returned, streamed) but quiet (not pushed) */
    int64_t night = T0 + 11 * MS_PER_HOUR;
    assert_int_equal(feed(s, buy(7, 83, 20 * SOL, night), out), 1);
    assert_true(out[0].quiet);
    /* 07:00 is outside 22-07 */
    int64_t morning = T0 + 19 * MS_PER_HOUR;
    assert_int_equal(feed(s, buy(7, 84, 20 * SOL, morning), out), 1);
    assert_false(out[0].quiet);
    /* rules off */
    p.min_wallets = 0;
    p.big_buy_sol = 0;
    struct smartmoney *off = make(&p);
    for (int w = 1; w <= 7; w++)
        assert_int_equal(feed(off, buy(w, 85, 50 * SOL, T0), out), 0);
    sm_free(off);
    sm_free(s);
}

static void test_parse_quiet(void **state)
{
    (void)state;
    int f = 5, t = 6;
    assert_int_equal(sm_parse_quiet("", &f, &t), 0);
    assert_int_equal(f, -1);
    assert_int_equal(sm_parse_quiet("0-6", &f, &t), 0);
    assert_int_equal(f, 0);
    assert_int_equal(t, 6);
    static const char *const bad[] = {"22", "22-", "-7", "24-1", "a-b", "7-7", "1-2-3", "123-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = 1, t = 2;
        assert_int_equal(sm_parse_quiet(bad[i], &f, &t), WT_EINVAL);
        assert_int_equal(f, 1); /* unchanged */
        assert_int_equal(t, 2);
    }
}

/* A notifier that counts what it is sent. */
struct counting {
    struct notifier base;
    pthread_mutex_t mu;
    int n;
    char last_kind[32];
    char last_title[128];
};

static int count_send(struct notifier *n, const struct alert_msg *m, char *err, size_t errsize)
{
    (void)err, (void)errsize;
    struct counting *c = (struct counting *)n;
    pthread_mutex_lock(&c->mu);
    c->n++;
    memcpy(c->last_kind, m->kind, sizeof c->last_kind);
    memcpy(c->last_title, m->title, sizeof c->last_title);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static void count_free(struct notifier *n)
{
    (void)n;
}

static const struct notifier_ops count_ops = {"counting", count_send, count_free};

static void test_pushed_through_the_alerter(void **state)
{
    (void)state;
    struct counting c;
    memset(&c, 0, sizeof c);
    c.base.ops = &count_ops;
    pthread_mutex_init(&c.mu, NULL);
    struct notifier *ns[] = {&c.base};
    struct alerter *a;
    assert_int_equal(alerter_start_with(ns, 1, ALERT_WARN, &a), 0);
    struct sm_params p;
    sm_params_default(&p);
    assert_int_equal(sm_parse_quiet("22-07", &p.quiet_from, &p.quiet_to), 0);
    struct smartmoney *s = sm_new(&p, a, NULL);
    struct sm_wallet w[] = {watched(7, true, 0)};
    sm_set_watchlist(s, w, 1);
    struct sm_alert out[2];
    assert_int_equal(feed(s, buy(7, 90, 12 * SOL, T0), out), 1);
    /* quiet: not pushed */
    assert_int_equal(feed(s, buy(7, 91, 12 * SOL, T0 + 11 * MS_PER_HOUR), out), 1);
    alerter_stop(a); /* sends what is queued */
    assert_int_equal(c.n, 1);
    assert_string_equal(c.last_kind, "smart_money");
    assert_non_null(strstr(c.last_title, "verified wallet bought 12.000 SOL"));
    sm_free(s);
    pthread_mutex_destroy(&c.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_buy),
        cmocka_unit_test(test_big_buy_and_quiet_hours),
        cmocka_unit_test(test_parse_quiet),
        cmocka_unit_test(test_pushed_through_the_alerter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
