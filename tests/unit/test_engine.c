/* Tests of trade/engine.h: the deterministic engine end to end on event
 * lists.
 *
 *   * a simulated market replayed twice gives byte-identical decisions, also
 *     with signals waiting for token facts (a stand-in feed answering
 *     some requests), and a replay of that run's input stream too;
 *   * waiting for token facts: released by a report (whose liquidity
 *     changes the decision) or when the wait expires, the report's pool
 *     age, one request per mint, the state at release time applies;
 *   * every signal carries a decision and a known reason, and the reasons
 *     follow their precedence;
 *   * the sizing table through the engine (score tiers, the loss-streak
 *     halving);
 *   * each breaker through the engine: drawdown, win rate, loss streak,
 *     signal silence, operator pause/resume, reset;
 *   * paper latency: the fill uses the price N ms after the signal;
 *   * exits through the engine: take-profit, then the trailing stop on the
 *     moonbag; the copied wallet selling; a manual close and a strategy
 *     change by command;
 *   * a restart mid-positions (state + positions through their JSON)
 *     restores equity, breakers and positions exactly, and the same prices
 *     afterwards give the same exits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/vec.h"
#include "ingest/helius.h"
#include "solana/base58.h"
#include "sim/sim.h"
#include "trade/engine.h"
#include "trade/exec_paper.h"

#include "../support/engine_events.c"

#define SOL  1000000000ULL
#define MIN  60000LL
#define HOUR (60 * MIN)
#define T0   1767225600000LL /* 2026-01-01T00:00:00Z */

/* ---- event builders -------------------------------------------------------- */

#define WALLET(i) key(1, i)
#define MINT(i)   key(2, i)

static struct event tick(int64_t ts)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_TICK;
    e.u.tick.ts_ms = ts;
    return e;
}

static struct event command(enum command_kind k, int64_t ts)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_COMMAND;
    e.u.command.kind = k;
    e.u.command.ts_ms = ts;
    return e;
}

static struct event watch(unsigned wallet, double score, int64_t ts)
{
    struct event e = command(CMD_WATCH, ts);
    e.u.command.wallet = WALLET(wallet);
    e.u.command.value = score;
    return e;
}

/* ---- recorded output ---------------------------------------------------------- */

struct rec {
    struct buf out;
    struct json_doc *doc;
};

static void rec_init(struct rec *r)
{
    buf_init(&r->out, 0);
    r->doc = json_doc_new(32);
}

static void rec_release(struct rec *r)
{
    buf_release(&r->out);
    json_doc_free(r->doc);
}

/* Calls fn for every recorded line of this type with its data object. */
static size_t rec_each(struct rec *r, const char *type,
                       void (*fn)(void *ctx, const struct json_val *data), void *ctx)
{
    size_t n = 0;
    const char *p = r->out.data ? r->out.data : "";
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        struct json_val root, data;
        const char *t;
        size_t tl;
        assert_int_equal(json_parse(r->doc, p, len, 0, &root), 0);
        assert_int_equal(json_get_str(&root, "type", &t, &tl), 0);
        if (strcmp(t, type) == 0) {
            assert_int_equal(json_get(&root, "data", &data), 0);
            n++;
            if (fn)
                fn(ctx, &data);
        }
        p += len + (nl ? 1 : 0);
    }
    return n;
}

static struct engine *new_engine(const struct engine_params *p, struct rec *r, int64_t latency)
{
    char err[256];
    struct engine *e = engine_new(p, engine_recorder_new(&r->out), T0, err, sizeof err);
    if (!e)
        fail_msg("engine_new: %s", err);
    struct paper_params pp;
    paper_params_default(&pp);
    pp.fail_rate = 0; /* failed transactions: test_paper_fail.c */
    pp.latency_ms = latency;
    engine_set_executor(e, engine_paper_executor(e, &pp));
    return e;
}

static uint32_t open_count(struct engine *e)
{
    struct engine_status s;
    engine_status(e, &s);
    return s.open_positions;
}

static void feed(struct engine *e, struct event ev)
{
    int rc = engine_handle(e, &ev);
    if (rc)
        fail_msg("engine_handle: %s (%s)", wt_strerror(rc), engine_last_error(e));
}

/* Parameters where the score equals the wallet's stored score exactly:
 * only the wallet factor weighs, and with no history its score, form and
 * copy components are all the prior. */
static void wallet_only(struct engine_params *p)
{
    engine_params_default(p);
    p->signal.weight[SF_WALLET] = 1;
    p->signal.weight[SF_CLUSTER] = 0;
    p->signal.weight[SF_TOKEN] = 0;
    p->signal.weight[SF_CONTEXT] = 0;
}

/* ---- last signal ------------------------------------------------------------------ */

struct last_signal {
    char reason[48];
    char decision[16];
    uint64_t size;
    double score;
    char detail[256];
    int64_t ts;
    char liq_source[16];
    char age_source[16];
    int64_t waited_ms;
    int64_t age_ms;
    double liquidity_sol;
};

static void grab_signal(void *ctx, const struct json_val *d)
{
    struct last_signal *ls = ctx;
    const char *s;
    size_t n;
    struct json_val f;
    assert_int_equal(json_get_str(d, "reason", &s, &n), 0);
    snprintf(ls->reason, sizeof ls->reason, "%s", s);
    assert_int_equal(json_get_str(d, "decision", &s, &n), 0);
    snprintf(ls->decision, sizeof ls->decision, "%s", s);
    assert_int_equal(json_get_str(d, "detail", &s, &n), 0);
    snprintf(ls->detail, sizeof ls->detail, "%s", s);
    assert_int_equal(json_get_u64(d, "size_lamports", &ls->size), 0);
    assert_int_equal(json_get_i64(d, "ts_ms", &ls->ts), 0);
    assert_int_equal(json_get(d, "factors", &f), 0);
    assert_int_equal(json_get_double(&f, "score", &ls->score), 0);
    struct json_val td;
    assert_int_equal(json_get(&f, "token_detail", &td), 0);
    assert_int_equal(json_get_str(&td, "liquidity_source", &s, &n), 0);
    snprintf(ls->liq_source, sizeof ls->liq_source, "%s", s);
    assert_int_equal(json_get_str(&td, "age_source", &s, &n), 0);
    snprintf(ls->age_source, sizeof ls->age_source, "%s", s);
    assert_int_equal(json_get_i64(&td, "waited_ms", &ls->waited_ms), 0);
    assert_int_equal(json_get_i64(&td, "age_ms", &ls->age_ms), 0);
    assert_int_equal(json_get_double(&td, "liquidity_sol", &ls->liquidity_sol), 0);
}

static struct last_signal last_signal(struct rec *r)
{
    struct last_signal ls;
    memset(&ls, 0, sizeof ls);
    assert_true(rec_each(r, "signal", grab_signal, &ls) > 0);
    return ls;
}

static size_t count_alerts(struct rec *r, const char *breaker, const char *action)
{
    size_t n = 0;
    const char *p = r->out.data ? r->out.data : "";
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        struct json_val root, data;
        const char *t, *b, *a;
        size_t tl;
        assert_int_equal(json_parse(r->doc, p, len, 0, &root), 0);
        assert_int_equal(json_get_str(&root, "type", &t, &tl), 0);
        if (strcmp(t, "alert") == 0) {
            assert_int_equal(json_get(&root, "data", &data), 0);
            assert_int_equal(json_get_str(&data, "breaker", &b, &tl), 0);
            assert_int_equal(json_get_str(&data, "action", &a, &tl), 0);
            if (strcmp(b, breaker) == 0 && strcmp(a, action) == 0)
                n++;
        }
        p += len + (nl ? 1 : 0);
    }
    return n;
}

/* ---- sizing through the engine ------------------------------------------------------ */

static uint64_t first_size(double score, bool reduced, char *reason, size_t rsize)
{
    struct engine_params p;
    wallet_only(&p);
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    if (reduced) {
        /* Three stop-loss exits trip the loss-streak breaker. */
        struct event set = command(CMD_SET, T0);
        snprintf(set.u.command.name, sizeof set.u.command.name, "breakers.max_loss_streak");
        snprintf(set.u.command.text, sizeof set.u.command.text, "1");
        feed(e, set);
        feed(e, watch(1, 80, T0));
        struct event b = swap(1, 90, SIDE_BUY, 1000, 0.001, T0 + 1000);
        feed(e, b);
        struct event crash = swap(2, 90, SIDE_SELL, 10, 0.0005, T0 + 2000);
        feed(e, crash); /* -50%: the stop-loss sells, the streak of 1 trips */
        assert_true(engine_breakers(e)->active[BREAKER_LOSS_STREAK]);
    }
    feed(e, watch(3, score * 100, T0 + 3000));
    struct event b = swap(3, 91, SIDE_BUY, 1000, 0.001, T0 + 4000);
    feed(e, b);
    /* The size of the last signal. */
    struct last_signal ls = last_signal(&r);
    snprintf(reason, rsize, "%s", ls.reason);
    engine_free(e);
    rec_release(&r);
    return ls.size;
}

static void test_sizing_table(void **state)
{
    (void)state;
    char reason[48];
    /* capital 10 SOL, 2% -> base 0.2 SOL */
    assert_int_equal(first_size(0.85, false, reason, sizeof reason), 300000000);
    assert_string_equal(reason, "traded");
    assert_int_equal(first_size(0.90, false, reason, sizeof reason), 300000000);
    assert_int_equal(first_size(0.8499, false, reason, sizeof reason), 200000000);
    assert_int_equal(first_size(0.70, false, reason, sizeof reason), 200000000);
    assert_int_equal(first_size(0.6999, false, reason, sizeof reason), 0);
    assert_string_equal(reason, "below_threshold");
    /* With the loss-streak breaker: halved (the equity moved a little with
     * the losing trade, so the base is 2% of slightly less than 10 SOL). */
    uint64_t half = first_size(0.85, true, reason, sizeof reason);
    assert_string_equal(reason, "traded");
    assert_true(half < 150000000 && half > 140000000);
    uint64_t half1 = first_size(0.75, true, reason, sizeof reason);
    assert_true(half1 < 100000000 && half1 > 94000000);
}

/* ---- reasons ------------------------------------------------------------------------- */

static void test_reasons_and_precedence(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.sizing.max_positions = 2;
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;
    feed(e, watch(1, 90, t));
    feed(e, watch(2, 90, t));
    feed(e, watch(3, 50, t));

    /* A buy by an unwatched wallet is no signal. */
    feed(e, swap(9, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_int_equal(rec_each(&r, "signal", NULL, NULL), 0);

    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "traded");
    assert_string_equal(last_signal(&r).decision, "trade");
    feed(e, swap(2, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "token_already_held");
    feed(e, swap(3, 2, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "below_threshold");
    assert_string_equal(last_signal(&r).decision, "skip");

    /* Blacklist beats everything, then the cluster blacklist. */
    struct event bl = command(CMD_BLACKLIST, t);
    bl.u.command.wallet = WALLET(2);
    feed(e, bl);
    feed(e, swap(2, 3, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "blacklisted_wallet");
    assert_string_equal(last_signal(&r).decision, "blocked");
    bl.kind = EVENT_COMMAND;
    bl.u.command.kind = CMD_UNBLACKLIST;
    feed(e, bl);
    struct event cbl = command(CMD_CLUSTER_BLACKLIST, t);
    cbl.u.command.wallet = WALLET(2);
    snprintf(cbl.u.command.text, sizeof cbl.u.command.text, "c-7");
    feed(e, cbl);
    feed(e, swap(2, 3, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "blacklisted_cluster");
    cbl.u.command.kind = CMD_CLUSTER_UNBLACKLIST;
    feed(e, cbl);

    /* The second position fills the cap of 2. */
    feed(e, swap(2, 3, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "traded");
    feed(e, swap(1, 4, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "max_positions");

    /* Token gate: liquidity below the minimum (a reported pool of 1 SOL). */
    struct event pr;
    memset(&pr, 0, sizeof pr);
    pr.kind = EVENT_PRICE;
    pr.u.price.mint = MINT(5);
    pr.u.price.ts_ms = t;
    pr.u.price.price_sol = 0.001;
    pr.u.price.liquidity_usd = 300; /* 1 SOL per side at 150 USD */
    feed(e, pr);
    feed(e, swap(1, 5, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "token_gate_failed");
    assert_string_equal(last_signal(&r).detail, "token gate: liquidity");

    /* No price: a swap quoted in an unvalued leg. */
    struct event np = swap(1, 6, SIDE_BUY, 1000, 0.001, t += 1000);
    np.u.swap.price_sol = 0;
    feed(e, np);
    assert_string_equal(last_signal(&r).reason, "no_price");

    /* Operator pause: breaker_active, naming it. */
    struct event pause = command(CMD_PAUSE, t);
    snprintf(pause.u.command.text, sizeof pause.u.command.text, "lunch");
    feed(e, pause);
    feed(e, swap(1, 7, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "breaker_active");
    assert_non_null(strstr(last_signal(&r).detail, "operator: paused by the operator: lunch"));
    /* Below threshold still says below_threshold while paused. */
    feed(e, swap(3, 7, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "below_threshold");
    feed(e, command(CMD_RESUME, t));

    /* A bad command is refused with a message and changes nothing. */
    struct event bad = command(CMD_BREAKER_RESET, t);
    snprintf(bad.u.command.text, sizeof bad.u.command.text, "nope");
    assert_int_equal(engine_handle(e, &bad), WT_EINVAL);
    assert_non_null(strstr(engine_last_error(e), "nope"));
    struct event bads = command(CMD_SET, t);
    snprintf(bads.u.command.name, sizeof bads.u.command.name, "trade.high_score");
    snprintf(bads.u.command.text, sizeof bads.u.command.text, "0.5"); /* below the threshold */
    assert_int_equal(engine_handle(e, &bads), WT_EINVAL);
    assert_non_null(strstr(engine_last_error(e), "high_score"));
    assert_true(engine_params_of(e)->sizing.high_score == 0.85);

    struct engine_status st;
    engine_status(e, &st);
    assert_int_equal(st.c.signals, rec_each(&r, "signal", NULL, NULL));
    assert_int_equal(st.open_positions, 2);
    engine_free(e);
    rec_release(&r);
}

/* ---- exits through the engine ------------------------------------------------------- */

static void test_exits_take_profit_then_trailing(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.book.n_overrides = 0; /* always the default strategy */
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;
    feed(e, watch(1, 80, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_int_equal(open_count(e), 1);
    const struct position *pos = engine_position_at(e, 0, NULL, NULL, NULL);
    double entry = pos->entry_price;
    /* 2x: take_profit_1 sells half; the trail arms. */
    feed(e, swap(2, 1, SIDE_BUY, 10, entry * 2, t += MIN));
    pos = engine_position_at(e, 0, NULL, NULL, NULL);
    assert_int_equal(pos->n_sales, 1);
    assert_int_equal(pos->remaining_raw, pos->amount_raw - pos->amount_raw / 2);
    /* Up to 3x, then down 30% from the peak: the trailing stop sells the
     * moonbag and the position closes. */
    feed(e, swap(2, 1, SIDE_BUY, 10, entry * 3, t += MIN));
    assert_int_equal(open_count(e), 1);
    feed(e, swap(2, 1, SIDE_SELL, 10, entry * 2.0, t += MIN));
    assert_int_equal(open_count(e), 0);
    assert_int_equal(rec_each(&r, "trade", NULL, NULL), 1);
    assert_non_null(strstr(r.out.data, "\"exit_reason\":\"trailing_stop\""));
    assert_non_null(strstr(r.out.data, "\"reason\":\"take_profit_1\""));
    engine_free(e);
    rec_release(&r);
}

static void test_exit_on_wallet_sell_and_commands(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    /* the default book: score 0.9 -> runner, which exits when the wallet sells */
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;
    feed(e, watch(1, 90, t));
    feed(e, watch(2, 80, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(engine_position_at(e, 0, NULL, NULL, NULL)->strategy.name, "runner");
    /* Another wallet selling is only a price. */
    feed(e, swap(3, 1, SIDE_SELL, 10, 0.00101, t += 1000));
    assert_int_equal(open_count(e), 1);
    /* The copied wallet sells: wallet_sold. */
    feed(e, swap(1, 1, SIDE_SELL, 500, 0.00102, t += 1000));
    assert_int_equal(open_count(e), 0);
    assert_non_null(strstr(r.out.data, "\"exit_reason\":\"wallet_sold\""));

    /* A strategy change and a manual close by command. */
    feed(e, swap(2, 2, SIDE_BUY, 1000, 0.001, t += 1000));
    const struct position *pos = engine_position_at(e, 0, NULL, NULL, NULL);
    assert_string_equal(pos->strategy.name, "default");
    struct event cs = command(CMD_SET_STRATEGY, t);
    cs.u.command.id = pos->id;
    snprintf(cs.u.command.name, sizeof cs.u.command.name, "runner");
    feed(e, cs);
    assert_string_equal(engine_position_at(e, 0, NULL, NULL, NULL)->strategy.name, "runner");
    snprintf(cs.u.command.name, sizeof cs.u.command.name, "nope");
    assert_int_equal(engine_handle(e, &cs), WT_ENOTFOUND);
    struct event close = command(CMD_CLOSE_POSITION, t + 1);
    close.u.command.id = pos->id;
    feed(e, close);
    assert_int_equal(open_count(e), 0);
    assert_non_null(strstr(r.out.data, "\"exit_reason\":\"manual\""));
    close.u.command.id = 999;
    assert_int_equal(engine_handle(e, &close), WT_ENOTFOUND);
    engine_free(e);
    rec_release(&r);
}

/* The operator's own strategy: added by command, made the default by a
 * setting, taken by the next position; the book refuses to lose a strategy
 * in use; an open position keeps its copy after the strategy changes. */
static void test_custom_exit_strategy(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.book.n_overrides = 0;
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;

    struct exit_strategy tight;
    exit_strategy_default(&tight);
    snprintf(tight.name, sizeof tight.name, "tight");
    tight.stop_loss = 0.10;
    struct event put = {.kind = EVENT_COMMAND};
    engine_command_exit_put(&put.u.command, &tight);
    put.u.command.ts_ms = t;
    feed(e, put);
    assert_int_equal(engine_exit_book(e)->n, 3);
    assert_true(exit_book_find(engine_exit_book(e), "tight")->stop_loss == 0.10);

    /* An invalid strategy is refused with the field named; nothing changes. */
    struct exit_strategy bad = tight;
    bad.stop_loss = 1.5;
    struct event badput = {.kind = EVENT_COMMAND};
    engine_command_exit_put(&badput.u.command, &bad);
    assert_int_equal(engine_handle(e, &badput), WT_EINVAL);
    assert_non_null(strstr(engine_last_error(e), "stop_loss"));
    assert_true(exit_book_find(engine_exit_book(e), "tight")->stop_loss == 0.10);

    /* The default by setting: the next position takes "tight". */
    struct event set = command(CMD_SET, t);
    snprintf(set.u.command.name, sizeof set.u.command.name, "trade.default_strategy");
    snprintf(set.u.command.text, sizeof set.u.command.text, "tight");
    feed(e, set);
    feed(e, watch(1, 80, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_int_equal(open_count(e), 1);
    assert_string_equal(engine_position_at(e, 0, NULL, NULL, NULL)->strategy.name, "tight");
    /* A default that is not in the book is refused, naming what is. */
    snprintf(set.u.command.text, sizeof set.u.command.text, "nope");
    assert_int_equal(engine_handle(e, &set), WT_EINVAL);
    assert_non_null(strstr(engine_last_error(e), "default, runner, tight"));
    assert_string_equal(engine_params_of(e)->book.default_name, "tight");

    /* The default cannot be removed. */
    struct event del = command(CMD_EXIT_DELETE, t);
    snprintf(del.u.command.name, sizeof del.u.command.name, "tight");
    assert_int_equal(engine_handle(e, &del), WT_ESTATE);
    /* Edited: new positions get the edit, the open one keeps its copy. */
    tight.stop_loss = 0.2;
    engine_command_exit_put(&put.u.command, &tight);
    feed(e, put);
    assert_true(engine_position_at(e, 0, NULL, NULL, NULL)->strategy.stop_loss == 0.10);
    /* Back to "default", then "tight" goes; the position still holds it. */
    snprintf(set.u.command.text, sizeof set.u.command.text, "default");
    feed(e, set);
    feed(e, del);
    assert_null(exit_book_find(engine_exit_book(e), "tight"));
    assert_string_equal(engine_position_at(e, 0, NULL, NULL, NULL)->strategy.name, "tight");
    /* A 10% fall now fires the position's own stop-loss. */
    double entry = engine_position_at(e, 0, NULL, NULL, NULL)->entry_price;
    feed(e, swap(2, 1, SIDE_SELL, 10, entry * 0.9, t += MIN));
    assert_int_equal(open_count(e), 0);
    assert_non_null(strstr(r.out.data, "\"exit_reason\":\"stop_loss\""));
    engine_free(e);
    rec_release(&r);
}

/* ---- paper latency --------------------------------------------------------------------- */

static void test_paper_latency_price(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 2000);
    int64_t t = T0;
    feed(e, watch(1, 80, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000)); /* signal at T0+1s */
    assert_int_equal(open_count(e), 0);                    /* waiting for the latency */
    feed(e, swap(2, 1, SIDE_BUY, 10, 0.0012, t + 1500));   /* inside the window */
    feed(e, swap(2, 1, SIDE_BUY, 10, 0.0015, t + 2500));   /* after it: not used */
    assert_int_equal(open_count(e), 1);
    const struct position *pos = engine_position_at(e, 0, NULL, NULL, NULL);
    /* Filled at 0.0012 plus impact and fee, at the due time. */
    assert_true(pos->entry_price > 0.0012 && pos->entry_price < 0.00125);
    assert_int_equal(pos->entry_ts_ms, t + 2000);

    /* A tick alone also fills, at the signal's price when nothing moved. */
    feed(e, swap(1, 2, SIDE_BUY, 1000, 0.002, t += 10000));
    feed(e, tick(t + 1999));
    assert_int_equal(open_count(e), 1);
    feed(e, tick(t + 2000));
    assert_int_equal(open_count(e), 2);
    pos = engine_position_at(e, 1, NULL, NULL, NULL);
    assert_true(pos->entry_price > 0.002 && pos->entry_price < 0.00205);
    engine_free(e);
    rec_release(&r);
}

/* ---- breakers through the engine -------------------------------------------------------- */

static void test_breaker_drawdown_and_reset(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.capital_lamports = 1 * SOL;
    p.sizing.risk_per_trade = 0.6;
    p.sizing.max_token_exposure_lamports = 0;
    p.max_exposure = 1;
    p.book.n_overrides = 0; /* always the default strategy */
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;
    feed(e, watch(1, 80, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000)); /* ~0.6 SOL in */
    assert_int_equal(open_count(e), 1);
    /* -60%: equity ~0.64 of the peak, drawdown > 20% trips before the
     * stop-loss sale fills. */
    feed(e, swap(2, 1, SIDE_SELL, 10, 0.0004, t += 1000));
    assert_int_equal(count_alerts(&r, "drawdown", "trip"), 1);
    assert_true(engine_breakers(e)->active[BREAKER_DRAWDOWN]);
    feed(e, swap(1, 2, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "breaker_active");
    assert_non_null(strstr(last_signal(&r).detail, "drawdown"));
    /* Resume does not clear it; a reset of the drawdown breaker does. */
    feed(e, command(CMD_RESUME, t));
    feed(e, swap(1, 3, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "breaker_active");
    struct event reset = command(CMD_BREAKER_RESET, t);
    snprintf(reset.u.command.text, sizeof reset.u.command.text, "drawdown");
    feed(e, reset);
    assert_int_equal(count_alerts(&r, "drawdown", "clear"), 1);
    feed(e, swap(1, 4, SIDE_BUY, 100, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "traded");
    engine_free(e);
    rec_release(&r);
}

static void test_breaker_win_rate_and_loss_streak(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.breakers.win_rate_window = 5;
    p.breakers.max_drawdown = 0.99;
    p.book.n_overrides = 0; /* always the default strategy */
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;
    /* Five stop-loss trades in a row, each copying a fresh wallet (our
     * results copying a wallet feed its factor: the feedback loop). */
    for (unsigned m = 1; m <= 5; m++) {
        feed(e, watch(10 + m, 80, t));
        feed(e, swap(10 + m, m, SIDE_BUY, 1000, 0.001, t += 1000));
        assert_string_equal(last_signal(&r).reason, "traded");
        if (m == 4) {
            struct last_signal ls = last_signal(&r);
            assert_true(ls.size < 110000000); /* ~0.1 SOL instead of ~0.2 */
        }
        feed(e, swap(2, m, SIDE_SELL, 10, 0.0005, t += 1000));
        assert_int_equal(open_count(e), 0);
        if (m == 3) {
            /* Three consecutive stop-losses: size halved. */
            assert_int_equal(count_alerts(&r, "loss_streak", "trip"), 1);
            assert_true(engine_breakers(e)->active[BREAKER_LOSS_STREAK]);
        }
    }
    /* 0 wins in a full window of 5: halted. */
    assert_int_equal(count_alerts(&r, "win_rate", "trip"), 1);
    feed(e, watch(20, 80, t));
    feed(e, swap(20, 6, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "breaker_active");
    assert_non_null(strstr(last_signal(&r).detail, "win_rate"));
    /* A reset of everything clears both. */
    feed(e, command(CMD_BREAKER_RESET, t));
    assert_true(engine_breakers(e)->active[BREAKER_WIN_RATE] == false);
    assert_true(engine_breakers(e)->active[BREAKER_LOSS_STREAK] == false);
    feed(e, swap(20, 7, SIDE_BUY, 1000, 0.001, t += 1000));
    assert_string_equal(last_signal(&r).reason, "traded");
    engine_free(e);
    rec_release(&r);
}

static void test_breaker_silence(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    feed(e, watch(1, 80, T0));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, T0 + 1000));
    feed(e, tick(T0 + 1000 + 48 * HOUR - 1));
    assert_int_equal(count_alerts(&r, "signal_silence", "trip"), 0);
    feed(e, tick(T0 + 1000 + 48 * HOUR));
    assert_int_equal(count_alerts(&r, "signal_silence", "trip"), 1);
    assert_non_null(strstr(r.out.data, "\"kind\":\"health\""));
    feed(e, tick(T0 + 1000 + 49 * HOUR));
    assert_int_equal(count_alerts(&r, "signal_silence", "trip"), 1); /* once */
    feed(e, swap(1, 2, SIDE_BUY, 1000, 0.001, T0 + 50 * HOUR));
    assert_int_equal(count_alerts(&r, "signal_silence", "clear"), 1);
    engine_free(e);
    rec_release(&r);
}

/* ---- waiting for token facts ----------------------------------------------------------- */

/* A feed's report of a mint: liquidity in USD (150 USD per SOL: 300 USD is
 * 1 SOL per side), no price, the pool created at created. */
static struct event report(unsigned mint, int64_t ts, double liq_usd, int64_t created)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_PRICE;
    e.u.price.mint = MINT(mint);
    e.u.price.ts_ms = ts;
    e.u.price.liquidity_usd = liq_usd;
    e.u.price.mcap_usd = liq_usd * 4;
    e.u.price.pair_created_ms = created;
    snprintf(e.u.price.source, sizeof e.u.price.source, "DEXSCREENER");
    return e;
}

struct req_grab {
    size_t n;
    char mint[BASE58_KEY_MAX];
    int64_t deadline;
};

static void grab_request(void *ctx, const struct json_val *d)
{
    struct req_grab *g = ctx;
    const char *s;
    size_t n;
    assert_int_equal(json_get_str(d, "mint", &s, &n), 0);
    snprintf(g->mint, sizeof g->mint, "%s", s);
    assert_int_equal(json_get_i64(d, "deadline_ms", &g->deadline), 0);
    g->n++;
}

static uint32_t parked_count(struct engine *e)
{
    struct engine_status s;
    engine_status(e, &s);
    return s.parked;
}

/* The same watched buy on a RAYDIUM pool (implied ~128 SOL of liquidity)
 * scored at once trades; waiting for the feed, whose report says the pool
 * holds 1 SOL a side, the liquidity gate refuses it. Two buys of one mint
 * make one request and are released together, in order, by the report. */
static void test_token_wait_released_by_report(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    int64_t t = T0;

    /* Without a wait: scored at once on the implied pool. */
    struct rec r0;
    rec_init(&r0);
    struct engine *e0 = new_engine(&p, &r0, 0);
    feed(e0, watch(1, 90, t));
    feed(e0, swap(1, 1, SIDE_BUY, 1000, 0.001, t + 1000));
    struct last_signal ls = last_signal(&r0);
    assert_string_equal(ls.reason, "traded");
    assert_string_equal(ls.liq_source, "pool");
    assert_int_equal(ls.waited_ms, 0);
    assert_int_equal(rec_each(&r0, "token_request", NULL, NULL), 0);
    engine_free(e0);
    rec_release(&r0);

    p.token_wait_ms = 1500;
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    feed(e, watch(1, 90, t));
    feed(e, watch(2, 90, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t + 1000));
    assert_int_equal(rec_each(&r, "signal", NULL, NULL), 0);
    assert_int_equal(parked_count(e), 1);
    struct req_grab g = {0};
    assert_int_equal(rec_each(&r, "token_request", grab_request, &g), 1);
    char want[BASE58_KEY_MAX];
    struct pubkey m1 = MINT(1);
    assert_string_equal(g.mint, pubkey_format(&m1, want));
    assert_int_equal(g.deadline, t + 2500);
    /* A second buy of the same mint waits too, without a second request. */
    feed(e, swap(2, 1, SIDE_BUY, 1000, 0.001, t + 1100));
    assert_int_equal(parked_count(e), 2);
    assert_int_equal(rec_each(&r, "token_request", NULL, NULL), 1);
    /* A report of another mint releases nothing. */
    feed(e, report(9, t + 1200, 300000, 0));
    assert_int_equal(parked_count(e), 2);
    /* The report: both scored with the reported 1 SOL, in parking order. */
    feed(e, report(1, t + 1400, 300, 0));
    assert_int_equal(parked_count(e), 0);
    assert_int_equal(rec_each(&r, "signal", NULL, NULL), 2);
    ls = last_signal(&r);
    assert_string_equal(ls.reason, "token_gate_failed");
    assert_string_equal(ls.detail, "token gate: liquidity");
    assert_string_equal(ls.liq_source, "reported");
    assert_true(fabs(ls.liquidity_sol - 1.0) < 1e-9);
    assert_int_equal(ls.waited_ms, 300); /* the second one, parked at +1100 */
    assert_int_equal(ls.ts, t + 1400);
    struct engine_status st;
    engine_status(e, &st);
    assert_int_equal(st.c.token_waits, 2);
    assert_int_equal(st.c.released_reported, 2);
    assert_int_equal(st.c.released_expired, 0);
    assert_int_equal(open_count(e), 0);

    /* The report is fresh for 60 s: the next buy of the mint is scored at
     * once, without a request. */
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t + 30000));
    assert_int_equal(parked_count(e), 0);
    assert_int_equal(rec_each(&r, "signal", NULL, NULL), 3);
    assert_int_equal(last_signal(&r).waited_ms, 0);
    assert_int_equal(rec_each(&r, "token_request", NULL, NULL), 1);
    /* Past that it waits again. */
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t + 1400 + 60001));
    assert_int_equal(parked_count(e), 1);
    assert_int_equal(rec_each(&r, "token_request", NULL, NULL), 2);
    engine_free(e);
    rec_release(&r);
}

/* Unanswered, the wait ends on the first event at or past the deadline
 * (a tick in a quiet market) and the signal is scored with what the
 * market implied. A report's pool creation gives the token's age. */
static void test_token_wait_expires(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.token_wait_ms = 1500;
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;
    feed(e, watch(1, 90, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t + 1000));
    feed(e, tick(t + 2000));
    feed(e, tick(t + 2499));
    assert_int_equal(rec_each(&r, "signal", NULL, NULL), 0);
    feed(e, tick(t + 2500));
    assert_int_equal(parked_count(e), 0);
    struct last_signal ls = last_signal(&r);
    assert_string_equal(ls.reason, "traded");
    assert_string_equal(ls.liq_source, "pool");
    assert_string_equal(ls.age_source, "observed");
    assert_int_equal(ls.waited_ms, 1500);
    assert_int_equal(ls.age_ms, 1500);
    struct engine_status st;
    engine_status(e, &st);
    assert_int_equal(st.c.released_expired, 1);

    /* A report with the pool's creation three hours ago: the age is the
     * pool's, not the time since the first swap seen. */
    feed(e, swap(1, 2, SIDE_BUY, 1000, 0.001, t + 3000));
    feed(e, report(2, t + 3100, 3000000, t - 3 * HOUR));
    ls = last_signal(&r);
    assert_string_equal(ls.age_source, "reported");
    assert_int_equal(ls.age_ms, 3 * HOUR + 3100);
    assert_string_equal(ls.liq_source, "reported");
    engine_free(e);
    rec_release(&r);
}

/* What changed while a signal waited applies when it is scored: an
 * operator pause, a blacklist, an unwatch (no signal at all). */
static void test_token_wait_state_at_release(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.token_wait_ms = 1000;
    struct rec r;
    rec_init(&r);
    struct engine *e = new_engine(&p, &r, 0);
    int64_t t = T0;
    feed(e, watch(1, 90, t));
    feed(e, watch(2, 90, t));
    feed(e, watch(3, 90, t));
    feed(e, swap(1, 1, SIDE_BUY, 1000, 0.001, t + 100));
    feed(e, swap(2, 2, SIDE_BUY, 1000, 0.001, t + 100));
    feed(e, swap(3, 3, SIDE_BUY, 1000, 0.001, t + 100));
    assert_int_equal(parked_count(e), 3);
    struct event pause = command(CMD_PAUSE, t + 200);
    snprintf(pause.u.command.text, sizeof pause.u.command.text, "checking");
    feed(e, pause);
    struct event bl = command(CMD_BLACKLIST, t + 200);
    bl.u.command.wallet = WALLET(2);
    feed(e, bl);
    struct event uw = command(CMD_UNWATCH, t + 200);
    uw.u.command.wallet = WALLET(3);
    feed(e, uw);
    feed(e, report(1, t + 300, 3000000, 0));
    assert_string_equal(last_signal(&r).reason, "breaker_active");
    feed(e, tick(t + 1100));
    assert_string_equal(last_signal(&r).reason, "blacklisted_wallet");
    assert_int_equal(rec_each(&r, "signal", NULL, NULL), 2); /* wallet 3: none */
    struct engine_status st;
    engine_status(e, &st);
    assert_int_equal(st.parked, 0);
    assert_int_equal(st.c.waits_dropped, 1);
    assert_int_equal(st.c.released_reported, 1);
    assert_int_equal(st.c.released_expired, 1);
    /* A wait out of range is refused and changes nothing. */
    struct event bad = command(CMD_SET, t + 1200);
    snprintf(bad.u.command.name, sizeof bad.u.command.name, "signal.token_wait_ms");
    snprintf(bad.u.command.text, sizeof bad.u.command.text, "60001");
    assert_int_equal(engine_handle(e, &bad), WT_EINVAL);
    assert_non_null(strstr(engine_last_error(e), "signal.token_wait_ms"));
    snprintf(bad.u.command.text, sizeof bad.u.command.text, "-5");
    assert_int_not_equal(engine_handle(e, &bad), 0);
    assert_true(engine_params_of(e)->token_wait_ms == 1000);
    snprintf(bad.u.command.text, sizeof bad.u.command.text, "0");
    feed(e, bad);
    assert_true(engine_params_of(e)->token_wait_ms == 0);
    engine_free(e);
    rec_release(&r);
}

/* ---- determinism on a simulated market ------------------------------------------------- */

struct simrun {
    struct buf out;
    struct engine_status st;
};

/* Decodes a small simulated market into events, watches its skilled and
 * fading wallets, and runs it through an engine with paper latency and a
 * tick every 10 s. */
/* A stand-in token feed for the replay: collects the engine's requests;
 * the run answers two mints in three at once with a report, and leaves
 * the others to expire. */
struct feedout {
    struct engine_out base;
    VEC(struct pubkey) asked;
};

static void feed_request(struct engine_out *o, const struct engine_token_request *r)
{
    struct feedout *f = (struct feedout *)o;
    vec_push(&f->asked, r->mint);
}

static void feed_free(struct engine_out *o)
{
    struct feedout *f = (struct feedout *)o;
    vec_free(&f->asked);
    free(f);
}

static const struct engine_out_ops feed_ops = {.token_request = feed_request, .free = feed_free};

/* Runs evs (ticks every 10 s added) with signal.token_wait_ms = wait;
 * with a wait, a feed answers requests as above. Every event the engine
 * handled is appended to inputs when not NULL. */
static void run_sim_wait(struct simrun *res, const struct event *evs, size_t n,
                         const struct event *watches, size_t nw, int64_t wait, struct buf *inputs)
{
    struct engine_params p;
    engine_params_default(&p);
    p.token_wait_ms = wait;
    buf_init(&res->out, 0);
    char err[256];
    struct feedout *fo = xcalloc(1, sizeof *fo);
    fo->base.ops = &feed_ops;
    struct engine_out *outs[2] = {engine_recorder_new(&res->out), &fo->base};
    struct engine *e =
        engine_new(&p, engine_tee_new(outs, 2), evs[0].u.swap.ts_ms, err, sizeof err);
    assert_non_null(e);
    struct paper_params pp;
    paper_params_default(&pp);
    pp.fail_rate = 0; /* failed transactions: test_paper_fail.c */
    engine_set_executor(e, engine_paper_executor(e, &pp));
#define IN(ev)                                                                                     \
    do {                                                                                           \
        struct event in_ = (ev);                                                                   \
        if (inputs)                                                                                \
            buf_append(inputs, &in_, sizeof in_);                                                  \
        feed(e, in_);                                                                              \
    } while (0)
    for (size_t i = 0; i < nw; i++)
        IN(watches[i]);
    int64_t next_tick = event_ts_ms(&evs[0]) + 10000;
    for (size_t i = 0; i < n; i++) {
        while (event_ts_ms(&evs[i]) >= next_tick) {
            IN(tick(next_tick));
            next_tick += 10000;
        }
        IN(evs[i]);
        for (size_t k = 0; k < fo->asked.len; k++) {
            const struct pubkey *m = &fo->asked.v[k];
            unsigned h = m->b[0] + m->b[5] + m->b[17];
            if (h % 3 == 0)
                continue; /* unanswered: the wait expires */
            struct event rp;
            memset(&rp, 0, sizeof rp);
            rp.kind = EVENT_PRICE;
            rp.u.price.mint = *m;
            rp.u.price.ts_ms = event_ts_ms(&evs[i]);
            rp.u.price.liquidity_usd = 300.0 * (1 + h % 40); /* 1 to 40 SOL a side */
            rp.u.price.mcap_usd = 20000.0 * (1 + h % 7);
            rp.u.price.pair_created_ms = event_ts_ms(&evs[i]) - (int64_t)(h % 100) * MIN;
            IN(rp);
        }
        fo->asked.len = 0;
        if (i % 1000 == 999)
            engine_flush(e);
    }
#undef IN
    engine_flush(e);
    engine_status(e, &res->st);
    engine_free(e);
}

static void run_sim(struct simrun *res, const struct event *evs, size_t n,
                    const struct event *watches, size_t nw)
{
    run_sim_wait(res, evs, n, watches, nw, 0, NULL);
}

/* Replays a recorded input stream (no feed: the reports are in it). */
static void replay_inputs(struct simrun *res, const struct buf *inputs, int64_t wait)
{
    struct engine_params p;
    engine_params_default(&p);
    p.token_wait_ms = wait;
    buf_init(&res->out, 0);
    char err[256];
    const struct event *ev = (const struct event *)(const void *)inputs->data;
    size_t n = inputs->len / sizeof *ev;
    struct engine *e =
        engine_new(&p, engine_recorder_new(&res->out), event_ts_ms(&ev[0]), err, sizeof err);
    assert_non_null(e);
    struct paper_params pp;
    paper_params_default(&pp);
    pp.fail_rate = 0; /* failed transactions: test_paper_fail.c */
    engine_set_executor(e, engine_paper_executor(e, &pp));
    for (size_t i = 0; i < n; i++)
        feed(e, ev[i]);
    engine_flush(e);
    engine_status(e, &res->st);
    engine_free(e);
}

static void sim_events(struct event **out, size_t *n, struct event **watches, size_t *nw)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = 77;
    sc.days = 2;
    sc.tokens_per_day = 120;
    scenario_scale_wallets(&sc, (uint32_t)scenario_min_wallets(&sc) + 300);
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out ho = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1) {
        buf_reset(&json);
        assert_int_equal(sim_tx_json(s, &tx, &json), 0);
        assert_int_equal(helius_decode(d, json.data, json.len, 0, &ho, NULL), 0);
    }
    *n = ho.events.len;
    *out = xmalloc(*n * sizeof **out);
    memcpy(*out, ho.events.v, *n * sizeof **out);
    *nw = 0;
    *watches = xmalloc(sim_wallet_count(s) * sizeof **watches);
    for (uint32_t w = 0; w < sim_wallet_count(s); w++) {
        enum sim_wallet_type ty = sim_wallet_type(s, w);
        if (ty != SIM_SKILLED && ty != SIM_FADING && ty != SIM_SNIPER)
            continue;
        struct event c = command(CMD_WATCH, (*out)[0].u.swap.ts_ms);
        assert_int_equal(pubkey_parse(sim_wallet_address(s, w), &c.u.command.wallet), 0);
        c.u.command.value = ty == SIM_SNIPER ? 60 : 85;
        (*watches)[(*nw)++] = c;
    }
    buf_release(&json);
    helius_out_release(&ho);
    helius_decoder_free(d);
    sim_free(s);
}

struct reason_check {
    size_t n;
    size_t traded;
};

static void check_reason(void *ctx, const struct json_val *d)
{
    struct reason_check *rc = ctx;
    const char *reason, *decision;
    size_t n;
    assert_int_equal(json_get_str(d, "reason", &reason, &n), 0);
    assert_int_equal(json_get_str(d, "decision", &decision, &n), 0);
    enum signal_reason r;
    if (signal_reason_parse(reason, &r) != 0)
        fail_msg("unknown reason '%s'", reason);
    assert_string_equal(decision, signal_decision_name(r));
    rc->n++;
    rc->traded += r == SR_TRADED;
}

static void test_replay_is_deterministic(void **state)
{
    (void)state;
    struct event *evs, *watches;
    size_t n, nw;
    sim_events(&evs, &n, &watches, &nw);
    assert_true(n > 10000);
    assert_true(nw > 10);
    struct simrun a, b;
    run_sim(&a, evs, n, watches, nw);
    run_sim(&b, evs, n, watches, nw);
    assert_int_equal(a.out.len, b.out.len);
    assert_memory_equal(a.out.data, b.out.data, a.out.len);

    /* It traded, opened and closed positions, and every signal has a
     * decision and a known reason. */
    assert_true(a.st.c.signals > 50);
    assert_true(a.st.c.traded > 5);
    assert_true(a.st.c.positions_closed > 3);
    struct rec r = {.out = a.out, .doc = json_doc_new(32)};
    struct reason_check rc = {0};
    rec_each(&r, "signal", check_reason, &rc);
    assert_int_equal(rc.n, a.st.c.signals);
    assert_int_equal(rc.traded, a.st.c.traded);
    json_doc_free(r.doc);
    print_message("sim: %zu events, %zu watched, %llu signals, %llu traded, %llu closed, "
                  "%llu wins, pnl %.4f SOL\n",
                  n, nw, (unsigned long long)a.st.c.signals, (unsigned long long)a.st.c.traded,
                  (unsigned long long)a.st.c.positions_closed, (unsigned long long)a.st.c.wins,
                  (double)a.st.c.realized_pnl_lamports / 1e9);
    if (getenv("WT_DUMP")) {
        FILE *fp = fopen(getenv("WT_DUMP"), "w");
        fwrite(a.out.data, 1, a.out.len, fp);
        fclose(fp);
    }
    buf_release(&a.out);
    buf_release(&b.out);

    /* Waiting for token facts (3 s), with a feed answering two mints in
     * three: two runs, and a replay of the first run's whole input stream
     * (feed reports included), give the same decisions byte for byte. */
    struct simrun c, d, rp;
    struct buf inputs;
    buf_init(&inputs, 0);
    run_sim_wait(&c, evs, n, watches, nw, 3000, &inputs);
    run_sim_wait(&d, evs, n, watches, nw, 3000, NULL);
    replay_inputs(&rp, &inputs, 3000);
    assert_int_equal(c.out.len, d.out.len);
    assert_memory_equal(c.out.data, d.out.data, c.out.len);
    assert_int_equal(c.out.len, rp.out.len);
    assert_memory_equal(c.out.data, rp.out.data, c.out.len);
    /* Both ways out of a wait happened, nothing is left waiting past the
     * end but the last few seconds, and the waits changed decisions. */
    assert_true(c.st.c.released_reported > 10);
    assert_true(c.st.c.released_expired > 5);
    assert_true(c.st.c.token_waits == c.st.c.released_reported + c.st.c.released_expired +
                                          c.st.c.waits_dropped + c.st.parked);
    assert_true(c.st.c.reasons[SR_TOKEN_GATE_FAILED] != a.st.c.reasons[SR_TOKEN_GATE_FAILED]);
    print_message("sim with waits: %llu waits, %llu by report, %llu expired, %llu traded\n",
                  (unsigned long long)c.st.c.token_waits,
                  (unsigned long long)c.st.c.released_reported,
                  (unsigned long long)c.st.c.released_expired, (unsigned long long)c.st.c.traded);
    buf_release(&c.out);
    buf_release(&d.out);
    buf_release(&rp.out);
    buf_release(&inputs);
    free(evs);
    free(watches);
}

/* ---- restart ------------------------------------------------------------------------------ */

static void test_restart_restores_exactly(void **state)
{
    (void)state;
    struct engine_params p;
    wallet_only(&p);
    p.book.n_overrides = 0; /* always the default strategy */
    struct rec ra;
    rec_init(&ra);
    struct engine *a = new_engine(&p, &ra, 0);
    int64_t t = T0;
    struct event hist[16];
    size_t nh = 0;
#define HIST(ev) (hist[nh] = (ev), feed(a, hist[nh]), nh++)
    feed(a, watch(1, 80, t));
    /* One losing trade (the breakers' window is not empty), then three
     * open positions, one of them past a take-profit. */
    HIST(swap(1, 1, SIDE_BUY, 1000, 0.001, t += 1000));
    HIST(swap(2, 1, SIDE_SELL, 10, 0.0005, t += 1000));
    for (unsigned m = 2; m <= 4; m++)
        HIST(swap(1, m, SIDE_BUY, 1000, 0.001, t += 1000));
    double entry2 = engine_position_at(a, 0, NULL, NULL, NULL)->entry_price;
    HIST(swap(2, 2, SIDE_BUY, 10, entry2 * 2.2, t += MIN));
    HIST(swap(2, 3, SIDE_BUY, 10, 0.0011, t += MIN));
#undef HIST
    feed(a, tick(t += MIN));
    assert_int_equal(open_count(a), 3);

    /* What a store keeps: the state row and each open position. */
    struct buf state_a, pos_a, br_a;
    buf_init(&state_a, 0);
    buf_init(&pos_a, 0);
    buf_init(&br_a, 0);
    assert_int_equal(engine_state_format(a, &state_a), 0);
    struct rec rb;
    rec_init(&rb);
    char err[256];
    struct engine *b = new_engine(&p, &rb, 0);
    /* The warm-up a restart does: the stored swaps into intel and the
     * market (pool liquidity of the paper fills comes from there). */
    for (size_t i = 0; i < nh; i++)
        engine_warm_swap(b, &hist[i].u.swap);
    assert_int_equal(engine_restore_state(b, state_a.data, state_a.len, err, sizeof err), 0);
    for (size_t i = 0; i < 3; i++) {
        double score, f[SF_COUNT];
        const struct position *pp = engine_position_at(a, i, NULL, &score, f);
        buf_reset(&pos_a);
        assert_int_equal(position_format(pp, &pos_a), 0);
        struct position back;
        assert_int_equal(position_parse(pos_a.data, pos_a.len, &back, err, sizeof err), 0);
        assert_int_equal(engine_restore_position(b, &back, score, f), 0);
    }
    struct engine_status sa, sb;
    engine_status(a, &sa);
    engine_status(b, &sb);
    assert_int_equal(sa.equity_lamports, sb.equity_lamports);
    assert_int_equal(sa.cash_lamports, sb.cash_lamports);
    assert_int_equal(sa.open_value_lamports, sb.open_value_lamports);
    assert_int_equal(sa.open_cost_lamports, sb.open_cost_lamports);
    assert_int_equal(sa.peak_equity_lamports, sb.peak_equity_lamports);
    struct buf br_b, state_b;
    buf_init(&br_b, 0);
    buf_init(&state_b, 0);
    assert_int_equal(breakers_format(engine_breakers(a), &br_a), 0);
    assert_int_equal(breakers_format(engine_breakers(b), &br_b), 0);
    assert_string_equal(br_a.data, br_b.data);
    assert_int_equal(engine_state_format(b, &state_b), 0);
    assert_string_equal(state_a.data, state_b.data);

    /* The same prices afterwards: identical exits, fills and trades. */
    size_t mark_a = ra.out.len;
    struct event rest[] = {
        swap(2, 2, SIDE_SELL, 10, entry2 * 1.4, t + 1000), /* trailing stop of #2's moonbag */
        swap(2, 3, SIDE_BUY, 10, 0.0021, t + 2000),        /* take-profit of #3 */
        swap(2, 4, SIDE_SELL, 10, 0.0006, t + 3000),       /* stop-loss of #4 */
        tick(t + 25 * HOUR),                               /* max hold of #3's moonbag */
    };
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
        feed(a, rest[i]);
        feed(b, rest[i]);
    }
    assert_int_equal(open_count(a), 0);
    assert_int_equal(open_count(b), 0);
    assert_int_equal(ra.out.len - mark_a, rb.out.len);
    assert_memory_equal(ra.out.data + mark_a, rb.out.data, rb.out.len);
    engine_status(a, &sa);
    engine_status(b, &sb);
    assert_int_equal(sa.equity_lamports, sb.equity_lamports);

    buf_release(&state_a);
    buf_release(&state_b);
    buf_release(&pos_a);
    buf_release(&br_a);
    buf_release(&br_b);
    engine_free(a);
    engine_free(b);
    rec_release(&ra);
    rec_release(&rb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizing_table),
        cmocka_unit_test(test_reasons_and_precedence),
        cmocka_unit_test(test_exits_take_profit_then_trailing),
        cmocka_unit_test(test_exit_on_wallet_sell_and_commands),
        cmocka_unit_test(test_custom_exit_strategy),
        cmocka_unit_test(test_paper_latency_price),
        cmocka_unit_test(test_breaker_drawdown_and_reset),
        cmocka_unit_test(test_breaker_win_rate_and_loss_streak),
        cmocka_unit_test(test_breaker_silence),
        cmocka_unit_test(test_token_wait_released_by_report),
        cmocka_unit_test(test_token_wait_expires),
        cmocka_unit_test(test_token_wait_state_at_release),
        cmocka_unit_test(test_replay_is_deterministic),
        cmocka_unit_test(test_restart_restores_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
