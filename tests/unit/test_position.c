/* Tests of trade/position.h on hand-made price paths: each exit rule fires
 * exactly at its threshold and not one representable price before, the
 * precedence of docs/exits.md when several fire on one tick, the moonbag,
 * a strategy change on an open position, fills, dust, the closed-trade
 * record, and the JSON round trip of a position in the middle of its
 * life. Prices are binary-exact (0.75, 1.5, 2.0...) so thresholds are
 * exact; nextafter() gives "just before". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/err.h"
#include "trade/position.h"

#define MIN   (60LL * 1000)
#define HOUR  (60 * MIN)
#define T0    1700000000000LL
#define AMT   1000000000ULL /* 1 token at 9 decimals */
#define COST  1000000000ULL /* 1 SOL */
#define BELOW (-INFINITY)
#define ABOVE (INFINITY)

static struct pubkey wallet_a, wallet_b, mint_x;

/* A strategy with every rule disabled; each test enables what it tests. */
static struct exit_strategy none_strategy(void)
{
    struct exit_strategy s;
    memset(&s, 0, sizeof s);
    memcpy(s.name, "t", 2);
    return s;
}

static void open_pos(struct position *p, const struct exit_strategy *s)
{
    for (int i = 0; i < 32; i++) {
        wallet_a.b[i] = (uint8_t)(i + 1);
        wallet_b.b[i] = (uint8_t)(i + 2);
        mint_x.b[i] = (uint8_t)(100 + i);
    }
    struct position_open_args a = {
        .id = 7,
        .signal_id = 42,
        .mode = TRADE_PAPER,
        .mint = mint_x,
        .wallet = wallet_a,
        .decimals = 9,
        .ts_ms = T0,
        .price = 1.0,
        .cost_lamports = COST,
        .amount_raw = AMT,
        .dust_raw = 0,
        .strategy = s,
    };
    assert_int_equal(position_open(p, &a), 0);
}

static void expect_none(struct position *p, double price, int64_t ts)
{
    struct exit_decision d;
    assert_int_equal(position_on_price(p, price, ts, &d), 0);
    assert_int_equal(d.reason, EXIT_NONE);
}

static struct exit_decision expect(struct position *p, double price, int64_t ts, enum exit_reason r,
                                   uint64_t amount)
{
    struct exit_decision d;
    assert_int_equal(position_on_price(p, price, ts, &d), 0);
    assert_int_equal(d.reason, r);
    assert_int_equal(d.amount_raw, amount);
    return d;
}

/* Applies d as a fill with proceeds = amount * price (at 9 decimals a raw
 * unit is worth `price` lamports). */
static bool fill(struct position *p, const struct exit_decision *d, int64_t ts,
                 struct closed_trade *rec)
{
    bool closed = false;
    int64_t proceeds = (int64_t)((double)d->amount_raw * d->price);
    assert_int_equal(position_mark_pending(p, d), 0);
    assert_int_equal(position_apply_fill(p, d, d->amount_raw, proceeds, ts, &closed, rec), 0);
    assert_true(position_ok(p));
    return closed;
}

static void test_stop_loss_threshold(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.stop_loss = 0.25;
    struct position p;
    open_pos(&p, &s);
    expect_none(&p, nextafter(0.75, ABOVE), T0 + 1000);
    struct exit_decision d = expect(&p, 0.75, T0 + 2000, EXIT_STOP_LOSS, AMT);
    assert_true(d.closes);
    assert_true(d.threshold == 0.75);
    struct closed_trade rec;
    assert_true(fill(&p, &d, T0 + 2500, &rec));
    assert_true(p.closed);
    assert_int_equal(rec.reason, EXIT_STOP_LOSS);
    /* closed: no more decisions */
    expect_none(&p, 0.1, T0 + 3000);
}

static void test_take_profit_threshold_and_levels(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.n_tp = 2;
    s.tp[0] = (struct exit_tp){2.0, 0.5};
    s.tp[1] = (struct exit_tp){4.0, 0.25};
    s.moonbag = 0.25;
    struct position p;
    open_pos(&p, &s);
    expect_none(&p, nextafter(2.0, BELOW), T0 + 1);
    struct exit_decision d = expect(&p, 2.0, T0 + 2, EXIT_TAKE_PROFIT, AMT / 2);
    assert_int_equal(d.tp_level, 1);
    assert_false(d.closes);
    fill(&p, &d, T0 + 3, NULL);
    expect_none(&p, 2.0, T0 + 4); /* level 1 done; level 2 not reached */
    expect_none(&p, nextafter(4.0, BELOW), T0 + 5);
    d = expect(&p, 4.0, T0 + 6, EXIT_TAKE_PROFIT, AMT / 4);
    assert_int_equal(d.tp_level, 2);
    fill(&p, &d, T0 + 7, NULL);
    assert_int_equal(p.remaining_raw, AMT / 4); /* the moonbag */
    expect_none(&p, 100.0, T0 + 8);
}

static void test_two_take_profits_one_tick_lowest_first(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.n_tp = 2;
    s.tp[0] = (struct exit_tp){2.0, 0.25};
    s.tp[1] = (struct exit_tp){3.0, 0.25};
    struct position p;
    open_pos(&p, &s);
    struct exit_decision d = expect(&p, 5.0, T0 + 1, EXIT_TAKE_PROFIT, AMT / 4);
    assert_int_equal(d.tp_level, 1);
    fill(&p, &d, T0 + 1, NULL);
    d = expect(&p, 5.0, T0 + 1, EXIT_TAKE_PROFIT, AMT / 4);
    assert_int_equal(d.tp_level, 2);
    fill(&p, &d, T0 + 1, NULL);
    expect_none(&p, 5.0, T0 + 1);
    assert_int_equal(p.remaining_raw, AMT / 2);
}

static void test_trailing_activation_and_distance(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.trail_activation = 2.0;
    s.trail_distance = 0.25;
    struct position p;
    open_pos(&p, &s);
    /* Peak just below the activation: a fall of more than the distance does
     * nothing, the stop is not armed. */
    expect_none(&p, nextafter(2.0, BELOW), T0 + 1);
    expect_none(&p, 1.0, T0 + 2);
    /* Peak 2.0 arms it; the level is 2.0 * 0.75 = 1.5. */
    expect_none(&p, 2.0, T0 + 3);
    expect_none(&p, nextafter(1.5, ABOVE), T0 + 4);
    struct exit_decision d = expect(&p, 1.5, T0 + 5, EXIT_TRAILING_STOP, AMT);
    assert_true(d.threshold == 1.5);
    /* The level follows the running peak. */
    struct position q;
    open_pos(&q, &s);
    expect_none(&q, 4.0, T0 + 1);
    expect_none(&q, nextafter(3.0, ABOVE), T0 + 2);
    expect(&q, 3.0, T0 + 3, EXIT_TRAILING_STOP, AMT);
}

static void test_max_hold_threshold(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.max_hold_ms = HOUR;
    struct position p;
    open_pos(&p, &s);
    expect_none(&p, 1.0, T0 + 10 * MIN);
    struct exit_decision d;
    assert_int_equal(position_on_time(&p, T0 + HOUR - 1, &d), 0);
    assert_int_equal(d.reason, EXIT_NONE);
    assert_int_equal(position_on_time(&p, T0 + HOUR, &d), 0);
    assert_int_equal(d.reason, EXIT_MAX_HOLD);
    assert_int_equal(d.amount_raw, AMT);
    assert_true(d.price == 1.0); /* the last known price */
}

static void test_stagnation_window(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.stagnation_band = 0.25;
    s.stagnation_ms = HOUR;
    struct position p;
    open_pos(&p, &s);
    /* Both band edges are inside the band: the window keeps running. */
    expect_none(&p, 1.25, T0 + 10 * MIN);
    expect_none(&p, 0.75, T0 + 20 * MIN);
    expect_none(&p, 1.0, T0 + HOUR - 1);
    expect(&p, 1.0, T0 + HOUR, EXIT_STAGNATION, AMT);

    /* Leaving the band restarts the window at the new price. */
    struct position q;
    open_pos(&q, &s);
    expect_none(&q, nextafter(1.25, ABOVE), T0 + 30 * MIN);
    expect_none(&q, 1.25, T0 + HOUR);
    struct exit_decision d;
    assert_int_equal(position_on_time(&q, T0 + 90 * MIN - 1, &d), 0);
    assert_int_equal(d.reason, EXIT_NONE);
    assert_int_equal(position_on_time(&q, T0 + 90 * MIN, &d), 0);
    assert_int_equal(d.reason, EXIT_STAGNATION);
    /* Below the band too. */
    struct position r;
    open_pos(&r, &s);
    expect_none(&r, nextafter(0.75, BELOW), T0 + 30 * MIN);
    expect_none(&r, 0.75, T0 + HOUR);
    expect(&r, 0.75, T0 + 90 * MIN, EXIT_STAGNATION, AMT);
}

static void test_wallet_sold_only_that_wallet(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.exit_on_wallet_sell = true;
    struct position p;
    open_pos(&p, &s);
    struct exit_decision d;
    assert_int_equal(position_on_wallet_sell(&p, &wallet_b, 1.5, T0 + 1, &d), 0);
    assert_int_equal(d.reason, EXIT_NONE);
    assert_false(p.wallet_sold);
    assert_int_equal(position_on_wallet_sell(&p, &wallet_a, 1.5, T0 + 2, &d), 0);
    assert_int_equal(d.reason, EXIT_WALLET_SOLD);
    assert_int_equal(d.amount_raw, AMT);

    /* Without the option the sale is remembered but does not exit. */
    s.exit_on_wallet_sell = false;
    struct position q;
    open_pos(&q, &s);
    assert_int_equal(position_on_wallet_sell(&q, &wallet_a, 1.5, T0 + 2, &d), 0);
    assert_int_equal(d.reason, EXIT_NONE);
    assert_true(q.wallet_sold);
    /* Switching the option on later makes it fire. */
    s.exit_on_wallet_sell = true;
    assert_int_equal(position_set_strategy(&q, &s, NULL, 0), 0);
    expect(&q, 1.5, T0 + 3, EXIT_WALLET_SOLD, AMT);
}

static void test_precedence_max_hold_over_stop_loss(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.stop_loss = 0.25;
    s.max_hold_ms = HOUR;
    struct position p;
    open_pos(&p, &s);
    expect(&p, 0.5, T0 + HOUR, EXIT_MAX_HOLD, AMT);
    /* one millisecond earlier the stop-loss alone */
    struct position q;
    open_pos(&q, &s);
    expect(&q, 0.5, T0 + HOUR - 1, EXIT_STOP_LOSS, AMT);
}

static void test_precedence_trailing_over_stop_loss_and_tp(void **state)
{
    (void)state;
    /* Trailing armed from entry (activation 1) with distance 0.25: at 0.75
     * both the trailing level (1.0 * 0.75) and the stop-loss fire. */
    struct exit_strategy s = none_strategy();
    s.stop_loss = 0.25;
    s.trail_activation = 1.0;
    s.trail_distance = 0.25;
    struct position p;
    open_pos(&p, &s);
    struct exit_decision d = expect(&p, 0.75, T0 + 1, EXIT_TRAILING_STOP, AMT);
    assert_true(d.threshold == 0.75);

    /* Trailing and two take-profits on the same tick: the full exit wins. */
    struct exit_strategy t = none_strategy();
    t.n_tp = 2;
    t.tp[0] = (struct exit_tp){2.0, 0.25};
    t.tp[1] = (struct exit_tp){3.0, 0.25};
    t.trail_activation = 2.0;
    t.trail_distance = 0.25;
    struct position q;
    open_pos(&q, &t);
    expect(&q, 4.0, T0 + 1, EXIT_TAKE_PROFIT, AMT / 4); /* not filled: sale failed */
    expect(&q, 3.0, T0 + 2, EXIT_TRAILING_STOP, AMT);   /* trail 3.0, TP1, TP2 */
}

static void test_precedence_stop_wallet_stagnation(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.stop_loss = 0.25;
    s.exit_on_wallet_sell = true;
    s.stagnation_band = 0.5;
    s.stagnation_ms = HOUR;
    struct exit_decision d;
    struct position p;
    /* All three on one tick: stop-loss. */
    open_pos(&p, &s);
    assert_int_equal(position_on_wallet_sell(&p, &wallet_a, 0.75, T0 + HOUR, &d), 0);
    assert_int_equal(d.reason, EXIT_STOP_LOSS);
    /* Without the stop-loss: wallet_sold before stagnation. */
    s.stop_loss = 0;
    open_pos(&p, &s);
    assert_int_equal(position_on_wallet_sell(&p, &wallet_a, 0.75, T0 + HOUR, &d), 0);
    assert_int_equal(d.reason, EXIT_WALLET_SOLD);
    /* Without both: stagnation. */
    s.exit_on_wallet_sell = false;
    open_pos(&p, &s);
    assert_int_equal(position_on_wallet_sell(&p, &wallet_a, 0.75, T0 + HOUR, &d), 0);
    assert_int_equal(d.reason, EXIT_STAGNATION);
}

/* The moonbag strategy: stop 25%, sell half at 2x, half rides; trailing at
 * 3x / 25%; max hold 24 h; stagnation +-10% for 10 min; wallet exit. */
static struct exit_strategy moon_strategy(void)
{
    struct exit_strategy s = none_strategy();
    s.stop_loss = 0.25;
    s.n_tp = 1;
    s.tp[0] = (struct exit_tp){2.0, 0.5};
    s.moonbag = 0.5;
    s.trail_activation = 3.0;
    s.trail_distance = 0.25;
    s.max_hold_ms = 24 * HOUR;
    s.stagnation_band = 0.125;
    s.stagnation_ms = 10 * MIN;
    s.exit_on_wallet_sell = true;
    return s;
}

static void test_moonbag_only_trailing_or_time(void **state)
{
    (void)state;
    struct exit_strategy s = moon_strategy();
    struct position p;
    open_pos(&p, &s);
    assert_int_equal(position_locked_raw(&p), 0); /* nothing secured yet */
    struct exit_decision d = expect(&p, 2.0, T0 + MIN, EXIT_TAKE_PROFIT, AMT / 2);
    fill(&p, &d, T0 + MIN, NULL);
    assert_int_equal(position_locked_raw(&p), AMT / 2);
    /* Stop-loss level crossed, the copied wallet sells, the price sits
     * still for hours: none of these may sell the moonbag. */
    expect_none(&p, 0.5, T0 + 2 * MIN);
    assert_int_equal(position_on_wallet_sell(&p, &wallet_a, 0.5, T0 + 3 * MIN, &d), 0);
    assert_int_equal(d.reason, EXIT_NONE);
    expect_none(&p, 0.5, T0 + 5 * HOUR);
    /* The time limit does. */
    expect(&p, 0.5, T0 + 24 * HOUR, EXIT_MAX_HOLD, AMT / 2);

    /* And so does the trailing stop. */
    struct position q;
    open_pos(&q, &s);
    d = expect(&q, 2.0, T0 + MIN, EXIT_TAKE_PROFIT, AMT / 2);
    fill(&q, &d, T0 + MIN, NULL);
    expect_none(&q, 3.0, T0 + 2 * MIN);
    expect_none(&q, nextafter(2.25, ABOVE), T0 + 3 * MIN);
    d = expect(&q, 2.25, T0 + 4 * MIN, EXIT_TRAILING_STOP, AMT / 2);
    assert_true(d.closes);

    /* Before any take-profit the stop-loss sells everything. */
    struct position r;
    open_pos(&r, &s);
    expect(&r, 0.75, T0 + MIN, EXIT_STOP_LOSS, AMT);

    /* moonbag_from_entry locks it from the start. */
    s.moonbag_from_entry = true;
    open_pos(&r, &s);
    expect(&r, 0.75, T0 + MIN, EXIT_STOP_LOSS, AMT / 2);
}

/* The worked example of docs/exits.md §1 with the default strategy. */
static void test_default_strategy_worked_example(void **state)
{
    (void)state;
    struct exit_strategy s;
    exit_strategy_default(&s);
    struct position p;
    open_pos(&p, &s);
    expect_none(&p, 1.99, T0 + 5 * MIN);
    struct exit_decision d = expect(&p, 2.0, T0 + 6 * MIN, EXIT_TAKE_PROFIT, AMT / 2);
    fill(&p, &d, T0 + 6 * MIN, NULL);
    expect_none(&p, 2.6, T0 + 20 * MIN);
    d = expect(&p, 0.65, T0 + 40 * MIN, EXIT_TRAILING_STOP, AMT / 2);
    assert_true(fabs(d.threshold - 1.82) < 1e-12);
    assert_true(d.closes);
    /* the other paths of the example */
    open_pos(&p, &s);
    expect(&p, 0.70, T0 + MIN, EXIT_STOP_LOSS, AMT);
    s.trail_activation = 0;
    s.trail_distance = 0;
    open_pos(&p, &s);
    d = expect(&p, 2.0, T0 + MIN, EXIT_TAKE_PROFIT, AMT / 2);
    fill(&p, &d, T0 + MIN, NULL);
    expect_none(&p, 1.5, T0 + 2 * MIN);
    expect_none(&p, 0.65, T0 + 3 * MIN);
    expect(&p, 0.65, T0 + 24 * HOUR, EXIT_MAX_HOLD, AMT / 2);
}

static void test_moonbag_partial_unlocked_stop(void **state)
{
    (void)state;
    /* 30% at 2x, 30% at 3x, 40% moonbag: after the first level the stop
     * sells the 30% not yet sold and keeps the 40% bag. */
    struct exit_strategy s = moon_strategy();
    s.n_tp = 2;
    s.tp[0] = (struct exit_tp){2.0, 0.3};
    s.tp[1] = (struct exit_tp){3.0, 0.3};
    s.moonbag = 0.4;
    s.trail_activation = 0;
    s.trail_distance = 0;
    struct position p;
    open_pos(&p, &s);
    struct exit_decision d = expect(&p, 2.0, T0 + 1, EXIT_TAKE_PROFIT, 300000000);
    fill(&p, &d, T0 + 1, NULL);
    expect(&p, 0.75, T0 + 2, EXIT_STOP_LOSS, 300000000);
}

static void test_strategy_change_on_open_position(void **state)
{
    (void)state;
    struct exit_strategy s = moon_strategy();
    struct position p;
    open_pos(&p, &s);
    struct exit_decision d = expect(&p, 2.0, T0 + 1, EXIT_TAKE_PROFIT, AMT / 2);
    fill(&p, &d, T0 + 1, NULL);

    /* New strategy: 30% at 1.5x, 30% at 3x, 40% moonbag. Level 1's
     * cumulative 30% is already covered by the 50% sold; level 2's 60%
     * needs 10% more, capped above the 40% bag. */
    struct exit_strategy n = moon_strategy();
    memcpy(n.name, "changed", 8);
    n.n_tp = 2;
    n.tp[0] = (struct exit_tp){1.5, 0.3};
    n.tp[1] = (struct exit_tp){3.0, 0.3};
    n.moonbag = 0.4;
    n.trail_activation = 0;
    n.trail_distance = 0;
    char err[EXIT_ERR_MAX];
    assert_int_equal(position_set_strategy(&p, &n, err, sizeof err), 0);
    assert_string_equal(p.strategy.name, "changed");
    expect_none(&p, 2.0, T0 + 2);
    assert_int_equal(p.tp_hit, 1); /* level 1 marked done without a sale */
    d = expect(&p, 3.0, T0 + 3, EXIT_TAKE_PROFIT, AMT / 10);
    assert_int_equal(d.tp_level, 2);
    fill(&p, &d, T0 + 3, NULL);
    assert_int_equal(p.remaining_raw, AMT * 4 / 10);
    expect_none(&p, 3.0, T0 + 4);

    /* An invalid strategy is refused and changes nothing. */
    struct exit_strategy bad = n;
    bad.stop_loss = 1.5;
    assert_int_equal(position_set_strategy(&p, &bad, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "stop_loss"));
    assert_string_equal(p.strategy.name, "changed");
    assert_true(p.strategy.stop_loss == 0.25);
}

static void test_closed_trade_record(void **state)
{
    (void)state;
    struct exit_strategy s = moon_strategy();
    struct position p;
    open_pos(&p, &s);
    struct exit_decision d = expect(&p, 2.0, T0 + MIN, EXIT_TAKE_PROFIT, AMT / 2);
    bool closed = true;
    /* Half the token for 0.99 SOL net of fees. */
    assert_int_equal(position_apply_fill(&p, &d, d.amount_raw, 990000000, T0 + MIN, &closed, NULL),
                     0);
    assert_false(closed);
    assert_int_equal(p.basis_sold_lamports, COST / 2);
    assert_int_equal(p.realized_pnl_lamports, 490000000);
    expect_none(&p, 3.0, T0 + 10 * MIN);
    d = expect(&p, 2.25, T0 + 90 * MIN, EXIT_TRAILING_STOP, AMT / 2);
    struct closed_trade rec;
    assert_int_equal(
        position_apply_fill(&p, &d, d.amount_raw, 1100000000, T0 + 90 * MIN, &closed, &rec), 0);
    assert_true(closed);
    assert_int_equal(rec.position_id, 7);
    assert_int_equal(rec.signal_id, 42);
    assert_int_equal(rec.mode, TRADE_PAPER);
    assert_string_equal(rec.strategy, "t");
    assert_int_equal(rec.entry_ts_ms, T0);
    assert_int_equal(rec.exit_ts_ms, T0 + 90 * MIN);
    assert_int_equal(rec.duration_ms, 90 * MIN);
    assert_true(rec.entry_price == 1.0);
    /* 2.09 SOL for the whole token */
    assert_true(fabs(rec.exit_price - 2.09) < 1e-12);
    assert_int_equal(rec.cost_lamports, COST);
    assert_int_equal(rec.proceeds_lamports, 2090000000);
    assert_int_equal(rec.pnl_lamports, 1090000000);
    assert_true(fabs(rec.pnl_sol - 1.09) < 1e-12);
    assert_true(fabs(rec.pnl_pct - 109.0) < 1e-9);
    assert_int_equal(rec.reason, EXIT_TRAILING_STOP);
    assert_int_equal(rec.n_sales, 2);
    assert_true(pubkey_eq(&rec.wallet, &wallet_a));
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(closed_trade_format(&rec, &b), 0);
    assert_non_null(strstr(b.data, "\"exit_reason\":\"trailing_stop\""));
    assert_non_null(strstr(b.data, "\"pnl_lamports\":1090000000"));
    buf_release(&b);
}

static void test_losing_trade_basis_exact(void **state)
{
    (void)state;
    /* Odd amounts: the basis of each part rounds down, the total is the
     * cost exactly. */
    struct exit_strategy s = none_strategy();
    s.n_tp = 1;
    s.tp[0] = (struct exit_tp){2.0, 0.3};
    s.stop_loss = 0.5;
    struct position p;
    struct position_open_args a = {.id = 1,
                                   .decimals = 0,
                                   .ts_ms = T0,
                                   .price = 1.0,
                                   .cost_lamports = 1000,
                                   .amount_raw = 7,
                                   .strategy = &s};
    assert_int_equal(position_open(&p, &a), 0);
    struct exit_decision d = expect(&p, 2.0, T0 + 1, EXIT_TAKE_PROFIT, 2); /* floor(7*0.3) */
    bool closed;
    assert_int_equal(position_apply_fill(&p, &d, 2, 500, T0 + 1, &closed, NULL), 0);
    assert_int_equal(p.basis_sold_lamports, 285); /* floor(1000*2/7) */
    assert_int_equal(p.realized_pnl_lamports, 215);
    d = expect(&p, 0.5, T0 + 2, EXIT_STOP_LOSS, 5);
    struct closed_trade rec;
    assert_int_equal(position_apply_fill(&p, &d, 5, 100, T0 + 2, &closed, &rec), 0);
    assert_true(closed);
    assert_int_equal(rec.pnl_lamports, 600 - 1000);
    assert_true(fabs(rec.pnl_pct + 40.0) < 1e-12);
}

static void test_dust(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.n_tp = 1;
    s.tp[0] = (struct exit_tp){2.0, 0.999999};
    struct position p;
    open_pos(&p, &s);
    p.dust_raw = 1000; /* 1e-6 token */
    /* floor(1e9 * 0.999999) leaves 1000 raw: dust, sold with it */
    struct exit_decision d = expect(&p, 2.0, T0 + 1, EXIT_TAKE_PROFIT, AMT);
    assert_true(d.closes);
    /* A partial fill leaving dust closes the position and writes it off. */
    struct exit_strategy t = none_strategy();
    t.stop_loss = 0.5;
    open_pos(&p, &t);
    p.dust_raw = 1000;
    d = expect(&p, 0.5, T0 + 1, EXIT_STOP_LOSS, AMT);
    bool closed;
    struct closed_trade rec;
    assert_int_equal(position_apply_fill(&p, &d, AMT - 999, 400000000, T0 + 2, &closed, &rec), 0);
    assert_true(closed);
    assert_int_equal(p.remaining_raw, 0);
    assert_int_equal(rec.pnl_lamports, 400000000 - (int64_t)COST);
}

static void test_pending_and_errors(void **state)
{
    (void)state;
    struct exit_strategy s = none_strategy();
    s.stop_loss = 0.25;
    struct position p;
    open_pos(&p, &s);
    struct exit_decision d = expect(&p, 0.5, T0 + 1, EXIT_STOP_LOSS, AMT);
    assert_int_equal(position_mark_pending(&p, &d), 0);
    assert_int_equal(position_mark_pending(&p, &d), WT_ESTATE);
    expect_none(&p, 0.5, T0 + 2); /* a sale is in flight */
    position_cancel_pending(&p);
    expect(&p, 0.5, T0 + 3, EXIT_STOP_LOSS, AMT);
    assert_int_equal(position_on_price(&p, 0.0, T0 + 4, &d), WT_EINVAL);
    assert_int_equal(position_on_price(&p, NAN, T0 + 4, &d), WT_EINVAL);
    bool closed;
    assert_int_equal(position_apply_fill(&p, &d, AMT + 1, 0, T0 + 5, &closed, NULL), WT_EINVAL);
    assert_int_equal(position_apply_fill(&p, &d, 0, 0, T0 + 5, &closed, NULL), WT_EINVAL);
    struct position_open_args a = {.price = 1.0, .amount_raw = 0, .strategy = &s};
    assert_int_equal(position_open(&p, &a), WT_EINVAL);
    /* manual exit sells everything, moonbag included */
    struct exit_strategy m = moon_strategy();
    m.moonbag_from_entry = true;
    open_pos(&p, &m);
    assert_int_equal(position_manual_exit(&p, 1.0, T0 + 1, &d), 0);
    assert_int_equal(d.reason, EXIT_MANUAL);
    assert_int_equal(d.amount_raw, AMT);
}

static void test_reason_names(void **state)
{
    (void)state;
    char s[EXIT_REASON_MAX];
    enum exit_reason r;
    uint32_t lvl;
    assert_string_equal(exit_reason_format(EXIT_TAKE_PROFIT, 3, s), "take_profit_3");
    assert_int_equal(exit_reason_parse("take_profit_3", &r, &lvl), 0);
    assert_int_equal(r, EXIT_TAKE_PROFIT);
    assert_int_equal(lvl, 3);
    const enum exit_reason all[] = {EXIT_STOP_LOSS,  EXIT_TRAILING_STOP, EXIT_MAX_HOLD,
                                    EXIT_STAGNATION, EXIT_WALLET_SOLD,   EXIT_MANUAL};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_int_equal(exit_reason_parse(exit_reason_format(all[i], 0, s), &r, &lvl), 0);
        assert_int_equal(r, all[i]);
    }
    assert_int_equal(exit_reason_parse("take_profit_0", &r, &lvl), WT_EINVAL);
    assert_int_equal(exit_reason_parse("take_profit", &r, &lvl), WT_EINVAL);
    assert_int_equal(exit_reason_parse("sell", &r, &lvl), WT_EINVAL);
}

static void test_json_round_trip_mid_life(void **state)
{
    (void)state;
    struct exit_strategy s = moon_strategy();
    struct position p;
    open_pos(&p, &s);
    p.mode = TRADE_LIVE;
    struct exit_decision d = expect(&p, 2.0, T0 + MIN, EXIT_TAKE_PROFIT, AMT / 2);
    fill(&p, &d, T0 + MIN, NULL);
    expect_none(&p, 2.8125, T0 + 2 * MIN);
    assert_int_equal(position_on_wallet_sell(&p, &wallet_a, 2.7, T0 + 3 * MIN, &d), 0);
    struct buf a, b;
    buf_init(&a, 0);
    buf_init(&b, 0);
    assert_int_equal(position_format(&p, &a), 0);
    struct position q;
    char err[EXIT_ERR_MAX];
    assert_int_equal(position_parse(a.data, a.len, &q, err, sizeof err), 0);
    assert_int_equal(position_format(&q, &b), 0);
    assert_string_equal(a.data, b.data);
    assert_int_equal(q.mode, TRADE_LIVE);
    assert_true(q.peak_price == p.peak_price);
    assert_true(q.wallet_sold);
    assert_int_equal(q.tp_hit, p.tp_hit);
    assert_true(pubkey_eq(&q.mint, &p.mint));
    assert_int_equal(memcmp(q.strategy.tp, p.strategy.tp, sizeof p.strategy.tp), 0);
    /* Both continue identically. */
    const double path[] = {3.5, 3.0, 2.7, 2.625, 2.0};
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        struct exit_decision dp, dq;
        int64_t ts = T0 + (int64_t)(10 + i) * MIN;
        assert_int_equal(position_on_price(&p, path[i], ts, &dp), 0);
        assert_int_equal(position_on_price(&q, path[i], ts, &dq), 0);
        assert_int_equal(dp.reason, dq.reason);
        assert_int_equal(dp.amount_raw, dq.amount_raw);
        if (i == 3)
            assert_int_equal(dp.reason, EXIT_TRAILING_STOP); /* 3.5 * 0.75 */
    }
    /* Corrupt input is refused and leaves the target alone. */
    struct position untouched = q;
    buf_reset(&b);
    buf_puts(&b, a.data);
    char *rem = strstr(b.data, "\"remaining_raw\":");
    assert_non_null(rem);
    rem[strlen("\"remaining_raw\":")] = '9'; /* less than take-profits sold */
    assert_int_not_equal(position_parse(b.data, b.len, &q, err, sizeof err), 0);
    assert_true(strlen(err) > 0);
    assert_int_equal(memcmp(&q, &untouched, sizeof q), 0);
    assert_int_not_equal(position_parse("{\"id\":1}", 8, &q, err, sizeof err), 0);
    assert_non_null(strstr(err, "signal_id"));
    buf_release(&a);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_loss_threshold),
        cmocka_unit_test(test_take_profit_threshold_and_levels),
        cmocka_unit_test(test_two_take_profits_one_tick_lowest_first),
        cmocka_unit_test(test_trailing_activation_and_distance),
        cmocka_unit_test(test_max_hold_threshold),
        cmocka_unit_test(test_stagnation_window),
        cmocka_unit_test(test_wallet_sold_only_that_wallet),
        cmocka_unit_test(test_precedence_max_hold_over_stop_loss),
        cmocka_unit_test(test_precedence_trailing_over_stop_loss_and_tp),
        cmocka_unit_test(test_precedence_stop_wallet_stagnation),
        cmocka_unit_test(test_moonbag_only_trailing_or_time),
        cmocka_unit_test(test_default_strategy_worked_example),
        cmocka_unit_test(test_moonbag_partial_unlocked_stop),
        cmocka_unit_test(test_strategy_change_on_open_position),
        cmocka_unit_test(test_closed_trade_record),
        cmocka_unit_test(test_losing_trade_basis_exact),
        cmocka_unit_test(test_dust),
        cmocka_unit_test(test_pending_and_errors),
        cmocka_unit_test(test_reason_names),
        cmocka_unit_test(test_json_round_trip_mid_life),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
