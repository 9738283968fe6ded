/* Dashboard benchmark data: fills a fresh SQLite data folder with the
 * database the page-load benchmark (bench/dashboard/run_page_load.sh)
 * serves, so "each page loads in under 2 s with 10k wallets and 10k trades"
 * is measured on the rows the daemon itself would have written.
 *
 *   bench_populate DIR [--wallets N] [--trades N] [--positions N] [--alerts N]
 *                      [--swaps-per-wallet N] [--snapshots N] [--seed S] [--now MS]
 *
 * Defaults: 10000 wallets, 10000 trades, 12 positions, 200 alerts, 8 swaps
 * and 30 snapshots per wallet, seed 7, now = the wall clock.
 *
 * Everything goes through the store API, in the shapes the writers use:
 * profiled wallets as discovery leaves them (store_wallet_upsert_profiles,
 * a share on the watchlist, some flagged, blacklisted or removed), their
 * swaps (so a wallet's detail page has trades and open positions),
 * performance snapshots and patterns; and the paper engine's history as
 * its store writer leaves it (trade/engine_store.c): signals with the
 * engine's ids, closed trades in close order over the last 30 days, open
 * positions whose state column is engine_store_position_json() of a real
 * position_open(), and breaker alerts. No engine state row is written: the
 * engine starts with its capital as cash and restores the open positions.
 *
 * The data is made up with a fixed seed; only its volume and shape matter.
 * DIR must not hold a database yet. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "signal/signal.h"
#include "solana/pubkey.h"
#include "store/store.h"
#include "trade/engine_store.h"
#include "trade/exits.h"
#include "trade/position.h"

#define MINT_N   2000
#define CHUNK    1000
#define SIGNAL_X 3 /* signals written per closed trade (traded + skipped/blocked) */

struct opts {
    const char *dir;
    long wallets, trades, positions, swaps_per_wallet, snapshots, alerts;
    uint64_t seed;
    int64_t now_ms;
};

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Uniform in [0, 1). */
static double unif(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static void random_key(struct pubkey *k)
{
    for (size_t i = 0; i < sizeof k->b; i += 8) {
        uint64_t r = next();
        memcpy(k->b + i, &r, 8);
    }
}

static const char *pick(const char *const *list, size_t n)
{
    return list[next() % n];
}

#define PICK(a) pick(a, sizeof a / sizeof a[0])

static int check(int rc, const char *what)
{
    if (rc)
        fprintf(stderr, "bench_populate: %s: %s\n", what, wt_strerror(rc));
    return rc;
}

/* ---- wallets ------------------------------------------------------------------ */

static enum wallet_status status_of(long i, long n)
{
    /* The list is in score order: the best 6 % are watched, as discovery's
     * cut would leave them; a few flagged, blacklisted and removed. */
    if (i < n * 6 / 100)
        return WALLET_WATCH;
    if (i % 50 == 7)
        return WALLET_FLAGGED;
    if (i % 97 == 11)
        return WALLET_BLACKLISTED;
    if (i % 211 == 13)
        return WALLET_REMOVED;
    return WALLET_CANDIDATE;
}

static void make_wallet(struct wallet *w, const struct pubkey *k, long i, long n,
                        const struct pubkey *mints, int64_t now)
{
    static const char *const types[] = {"trader", "trader", "trader", "whale", "fund"};
    static const char *const styles[] = {"scalp", "day", "swing", "position"};
    static const char *const risks[] = {"conservative", "moderate", "aggressive"};
    memset(w, 0, sizeof *w);
    pubkey_format(k, w->address);
    str_copy(w->chain, sizeof w->chain, "solana");
    str_copy(w->type, sizeof w->type, PICK(types));
    str_copy(w->discovery, sizeof w->discovery, "algorithm");
    if (i % 40 == 0)
        snprintf(w->name, sizeof w->name, "desk %ld", i);
    w->verified = i % 25 == 0;
    w->score = 95.0 * (1.0 - (double)i / (double)n) + 4.0 * unif();
    str_copy(w->confidence, sizeof w->confidence,
             w->score > 70   ? "high"
             : w->score > 40 ? "medium"
                             : "low");
    w->status = status_of(i, n);
    w->total_trades = 5 + (int64_t)(next() % 400);
    w->win_rate = 0.3 + 0.5 * unif();
    w->roi = -0.5 + 3.0 * unif() * w->score / 100.0;
    w->avg_trade_size = 0.2 + 5.0 * unif();
    w->total_pnl = w->roi * w->avg_trade_size * (double)w->total_trades / 4.0;
    w->sharpe = -1.0 + 4.0 * unif();
    w->sortino = w->sharpe * 1.3;
    w->max_drawdown = 0.05 + 0.6 * unif();
    w->volatility = 0.5 + 20.0 * unif();
    w->avg_holding_days = 0.01 + 3.0 * unif();
    w->last_trade_ms = now - (int64_t)(unif() * 30.0 * (double)MS_PER_DAY);
    str_copy(w->trading_style, sizeof w->trading_style, PICK(styles));
    str_copy(w->risk_profile, sizeof w->risk_profile, PICK(risks));
    char a[BASE58_KEY_MAX], b[BASE58_KEY_MAX], c[BASE58_KEY_MAX];
    snprintf(w->preferred_tokens, sizeof w->preferred_tokens, "[\"%s\",\"%s\",\"%s\"]",
             pubkey_format(&mints[next() % MINT_N], a), pubkey_format(&mints[next() % MINT_N], b),
             pubkey_format(&mints[next() % MINT_N], c));
    str_copy(w->preferred_protocols, sizeof w->preferred_protocols,
             i % 3 ? "[\"PUMP_FUN\",\"RAYDIUM\"]" : "[\"JUPITER\"]");
    w->first_seen_ms = now - 30 * MS_PER_DAY - (int64_t)(unif() * 60.0 * (double)MS_PER_DAY);
    w->updated_ms = now - (int64_t)(unif() * (double)MS_PER_HOUR);
}

/* A few round trips per wallet: buys then sells of a mint, the last one
 * sometimes left open. */
static int put_swaps(struct store *st, const struct pubkey *keys, long n,
                     const struct pubkey *mints, long per_wallet, int64_t now)
{
    struct event *ev = xcalloc(CHUNK, sizeof *ev);
    struct pubkey wsol;
    pubkey_parse(MINT_WSOL, &wsol);
    size_t k = 0;
    uint64_t slot = 300000000;
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        size_t mint = next() % MINT_N;
        double price = 1e-7 * (1.0 + 99.0 * unif());
        int64_t ts = now - 30 * MS_PER_DAY + (int64_t)(unif() * 25.0 * (double)MS_PER_DAY);
        for (long j = 0; j < per_wallet && rc == 0; j++) {
            bool buy = j % 2 == 0;
            if (buy) {
                mint = next() % MINT_N;
                price = 1e-7 * (1.0 + 99.0 * unif());
            } else {
                price *= 0.6 + 1.2 * unif();
            }
            struct event *e = &ev[k++];
            memset(e, 0, sizeof *e);
            e->kind = EVENT_SWAP;
            struct swap_event *s = &e->u.swap;
            for (size_t b = 0; b < sizeof s->sig.b; b += 8) {
                uint64_t r = next();
                memcpy(s->sig.b + b, &r, 8);
            }
            s->slot = slot++;
            ts += (int64_t)(unif() * 6.0 * (double)MS_PER_HOUR) + 1000;
            s->ts_ms = ts < now ? ts : now - 1000;
            s->wallet = keys[i];
            s->mint = mints[mint];
            s->quote_mint = wsol;
            s->side = buy ? SIDE_BUY : SIDE_SELL;
            s->decimals = 6;
            s->quote_decimals = 9;
            s->quote_amount = 100000000 + next() % 3000000000ULL;
            s->token_amount = (uint64_t)((double)s->quote_amount / 1e9 / price * 1e6) + 1;
            s->price_sol = price;
            s->fee_lamports = 5000 + next() % 100000;
            str_copy(s->source, sizeof s->source, i % 3 ? "PUMP_FUN" : "RAYDIUM");
            if (k == CHUNK) {
                rc = check(store_append_events(st, ev, k, NULL), "swaps");
                k = 0;
            }
        }
    }
    if (rc == 0 && k)
        rc = check(store_append_events(st, ev, k, NULL), "swaps");
    free(ev);
    return rc;
}

static int put_wallets(struct store *st, const struct opts *o, const struct pubkey *keys,
                       const struct pubkey *mints)
{
    struct wallet *w = xcalloc(CHUNK, sizeof *w);
    int rc = 0;
    for (long i = 0; i < o->wallets && rc == 0; i += CHUNK) {
        size_t n = 0;
        for (long j = i; j < o->wallets && n < CHUNK; j++)
            make_wallet(&w[n++], &keys[j], j, o->wallets, mints, o->now_ms);
        rc = check(store_wallet_upsert_profiles(st, w, n), "wallets");
    }
    free(w);
    return rc;
}

/* One snapshot per day for the last `per_wallet` days (discovery writes
 * one per run) and up to three patterns per wallet. */
static int put_profiles(struct store *st, const struct opts *o, const struct pubkey *keys,
                        const struct pubkey *mints)
{
    static const char *const ptypes[] = {"accumulation", "distribution", "rotation"};
    struct wallet_snapshot_row *s = xcalloc(CHUNK, sizeof *s);
    struct trade_pattern_row *p = xcalloc(CHUNK, sizeof *p);
    size_t ns = 0, np = 0;
    int rc = 0;
    for (long i = 0; i < o->wallets && rc == 0; i++) {
        char addr[BASE58_KEY_MAX], mint[BASE58_KEY_MAX];
        pubkey_format(&keys[i], addr);
        double pnl = -2.0 + 10.0 * unif();
        for (long d = o->snapshots; d-- > 0 && rc == 0;) {
            struct wallet_snapshot_row *r = &s[ns++];
            memset(r, 0, sizeof *r);
            str_copy(r->wallet, sizeof r->wallet, addr);
            r->ts_ms = o->now_ms - d * MS_PER_DAY;
            pnl += -0.5 + 1.2 * unif();
            r->total_value = 1.0 + 20.0 * unif();
            r->pnl_all = pnl;
            r->pnl_24h = -0.5 + unif();
            r->pnl_7d = -1.0 + 3.0 * unif();
            r->pnl_30d = pnl * 0.6;
            r->roi = pnl / 20.0;
            r->sharpe = -1.0 + 3.0 * unif();
            r->sortino = r->sharpe * 1.2;
            r->max_drawdown = 0.3 * unif();
            r->volatility = 5.0 * unif();
            r->token_count = (int32_t)(next() % 8);
            r->trades_24h = (int32_t)(next() % 10);
            r->trades_7d = r->trades_24h * 5;
            r->trades_30d = r->trades_7d * 4;
            r->avg_trade_size = 0.5 + 2.0 * unif();
            snprintf(r->top_holdings, sizeof r->top_holdings,
                     "[{\"mint\":\"%s\",\"tokens\":%.1f,\"valueSol\":%.4f}]",
                     pubkey_format(&mints[next() % MINT_N], mint), 1e6 * unif(), 3.0 * unif());
            if (ns == CHUNK) {
                rc = check(store_row_put_many(st, STORE_T_SNAPSHOTS, s, ns), "snapshots");
                ns = 0;
            }
        }
        for (uint64_t k = next() % 4; k-- > 0 && rc == 0;) {
            struct trade_pattern_row *r = &p[np++];
            memset(r, 0, sizeof *r);
            str_copy(r->wallet, sizeof r->wallet, addr);
            str_copy(r->type, sizeof r->type, PICK(ptypes));
            str_copy(r->name, sizeof r->name, r->type);
            r->confidence = 40.0 + 60.0 * unif();
            r->end_ms = o->now_ms - (int64_t)(unif() * 20.0 * (double)MS_PER_DAY);
            r->start_ms = r->end_ms - (int64_t)(unif() * 3.0 * (double)MS_PER_DAY);
            pubkey_format(&mints[next() % MINT_N], r->mint);
            r->trades = 3 + (int32_t)(next() % 20);
            r->volume = 10.0 * unif();
            r->avg_trade_size = r->volume / r->trades;
            str_copy(r->status, sizeof r->status, "completed");
            r->realized_pnl = -1.0 + 3.0 * unif();
            r->roi = r->realized_pnl / (r->volume + 1e-9);
            r->updated_ms = o->now_ms;
            if (np == CHUNK) {
                rc = check(store_row_put_many(st, STORE_T_PATTERNS, p, np), "patterns");
                np = 0;
            }
        }
    }
    if (rc == 0 && ns)
        rc = check(store_row_put_many(st, STORE_T_SNAPSHOTS, s, ns), "snapshots");
    if (rc == 0 && np)
        rc = check(store_row_put_many(st, STORE_T_PATTERNS, p, np), "patterns");
    free(s);
    free(p);
    return rc;
}

/* ---- the engine's history -------------------------------------------------------- */

static void factors(double f[SF_COUNT])
{
    for (int i = 0; i < SF_COUNT; i++)
        f[i] = 0.2 + 0.8 * unif();
}

static double score_of(const double f[SF_COUNT])
{
    return 0.4 * f[SF_WALLET] + 0.2 * f[SF_CLUSTER] + 0.25 * f[SF_TOKEN] + 0.15 * f[SF_CONTEXT];
}

static void make_signal(struct signal_row *r, int64_t id, int64_t ts, const char *wallet,
                        const char *mint, enum signal_reason why, uint64_t size)
{
    double f[SF_COUNT];
    factors(f);
    memset(r, 0, sizeof *r);
    r->id = id;
    r->ts_ms = ts;
    str_copy(r->wallet, sizeof r->wallet, wallet);
    str_copy(r->mint, sizeof r->mint, mint);
    struct signature sig;
    for (size_t b = 0; b < sizeof sig.b; b += 8) {
        uint64_t x = next();
        memcpy(sig.b + b, &x, 8);
    }
    base58_encode(sig.b, sizeof sig.b, r->swap_sig, sizeof r->swap_sig);
    r->score = score_of(f);
    r->wallet_factor = f[SF_WALLET];
    r->cluster_factor = f[SF_CLUSTER];
    r->token_factor = f[SF_TOKEN];
    r->context_factor = f[SF_CONTEXT];
    str_copy(r->decision, sizeof r->decision, signal_decision_name(why));
    str_copy(r->reason, sizeof r->reason, signal_reason_name(why));
    str_copy(r->mode, sizeof r->mode, "paper");
    /* The shape of the engine's details column (engine_store.c w_signal). */
    snprintf(r->factors, sizeof r->factors,
             "{\"factors\":{\"score\":%.6f,\"wallet\":{\"value\":%.6f,\"score\":%.2f,"
             "\"win_rate\":%.4f},\"cluster\":{\"value\":%.6f,\"members\":%d},\"token\":{"
             "\"value\":%.6f,\"age_s\":%d,\"liquidity_sol\":%.2f},\"context\":{\"value\":%.6f,"
             "\"hour\":%d}},\"detail\":\"%s\",\"size_lamports\":%llu,\"multiplier\":1,"
             "\"order_id\":%lld,\"price_sol\":%.12f}",
             r->score, f[SF_WALLET], 100.0 * f[SF_WALLET], 0.6 * f[SF_WALLET], f[SF_CLUSTER],
             (int)(next() % 6), f[SF_TOKEN], (int)(next() % 86400), 50.0 + 500.0 * unif(),
             f[SF_CONTEXT], (int)((ts / MS_PER_HOUR) % 24),
             why == SR_TRADED ? "" : "score 0.41 below the threshold 0.55",
             (unsigned long long)size, why == SR_TRADED ? (long long)id : 0LL, 1e-6 * unif());
}

static const char *exit_reason_pick(double pnl_pct, char out[EXIT_REASON_MAX])
{
    if (pnl_pct <= -15)
        return exit_reason_format(EXIT_STOP_LOSS, 0, out);
    if (pnl_pct >= 80)
        return exit_reason_format(EXIT_TAKE_PROFIT, 1 + (uint32_t)(next() % 3), out);
    static const enum exit_reason r[] = {EXIT_TRAILING_STOP, EXIT_MAX_HOLD, EXIT_STAGNATION,
                                         EXIT_WALLET_SOLD, EXIT_TRAILING_STOP};
    return exit_reason_format(r[next() % (sizeof r / sizeof r[0])], 0, out);
}

struct trade_plan {
    int64_t closed_ms;
    long wallet;
    size_t mint;
};

static int by_closed(const void *a, const void *b)
{
    int64_t x = ((const struct trade_plan *)a)->closed_ms;
    int64_t y = ((const struct trade_plan *)b)->closed_ms;
    return (x > y) - (x < y);
}

/* Writes rows through store_write_batch with the engine's ids, CHUNK per
 * transaction as the engine's flushes would. */
static int write_rows(struct store *st, enum store_table t, const void *rows, size_t size, size_t n,
                      bool keep_id)
{
    struct store_write *w = xcalloc(CHUNK, sizeof *w);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i += CHUNK) {
        size_t k = 0;
        for (size_t j = i; j < n && k < CHUNK; j++)
            w[k++] = (struct store_write){
                .table = t, .row = (const char *)rows + j * size, .keep_id = keep_id};
        rc = check(store_write_batch(st, w, k), store_table_name(t));
    }
    free(w);
    return rc;
}

static int put_history(struct store *st, const struct opts *o, const struct pubkey *keys,
                       const struct pubkey *mints)
{
    long watched = o->wallets * 6 / 100;
    if (watched < 1)
        watched = 1;
    size_t nt = (size_t)o->trades;
    struct trade_plan *plan = xcalloc(nt ? nt : 1, sizeof *plan);
    for (size_t i = 0; i < nt; i++) {
        /* Busier in some hours than others, evenly over the 30 days. */
        double day = floor(30.0 * unif());
        double hour = fmod(24.0 * unif() * unif() + 12.0, 24.0);
        plan[i].closed_ms = o->now_ms - 30 * MS_PER_DAY +
                            (int64_t)(day * (double)MS_PER_DAY + hour * (double)MS_PER_HOUR) +
                            (int64_t)(next() % MS_PER_HOUR);
        if (plan[i].closed_ms >= o->now_ms)
            plan[i].closed_ms = o->now_ms - 1000 - (int64_t)(next() % MS_PER_HOUR);
        plan[i].wallet = (long)(next() % (uint64_t)watched);
        plan[i].mint = next() % MINT_N;
    }
    qsort(plan, nt, sizeof *plan, by_closed);

    /* Signals: each trade's own, plus skipped and blocked ones around it. */
    size_t nsig = nt * SIGNAL_X;
    struct signal_row *sig = xcalloc(nsig ? nsig : 1, sizeof *sig);
    struct closed_trade_row *tr = xcalloc(nt ? nt : 1, sizeof *tr);
    static const enum signal_reason skips[] = {
        SR_BELOW_THRESHOLD,    SR_BELOW_THRESHOLD, SR_BELOW_THRESHOLD, SR_TOKEN_GATE_FAILED,
        SR_TOKEN_ALREADY_HELD, SR_MAX_POSITIONS,   SR_BREAKER_ACTIVE,  SR_BLACKLISTED_WALLET};
    static const char *const strategies[] = {"default", "default", "runner"};
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        char wallet[BASE58_KEY_MAX], mint[BASE58_KEY_MAX];
        pubkey_format(&keys[plan[i].wallet], wallet);
        pubkey_format(&mints[plan[i].mint], mint);
        struct closed_trade_row *t = &tr[i];
        memset(t, 0, sizeof *t);
        /* Holds from a minute to a day, mostly short. */
        int64_t hold = 60000 + (int64_t)(unif() * unif() * unif() * 24.0 * (double)MS_PER_HOUR);
        t->closed_ms = plan[i].closed_ms;
        t->opened_ms = t->closed_ms - hold;
        int64_t sid = (int64_t)k + 1;
        for (int x = 1; x < SIGNAL_X; x++, k++) {
            char other[BASE58_KEY_MAX];
            pubkey_format(&mints[next() % MINT_N], other);
            make_signal(&sig[k], (int64_t)k + 1, t->opened_ms - 1000 * (SIGNAL_X - x), wallet,
                        other, skips[next() % (sizeof skips / sizeof skips[0])], 0);
        }
        sid = (int64_t)k + 1;
        uint64_t cost = 50000000 + next() % 450000000ULL;
        make_signal(&sig[k], sid, t->opened_ms - 500, wallet, mint, SR_TRADED, cost);
        k++;
        str_copy(t->mode, sizeof t->mode, "paper");
        t->position_id = (int64_t)i + 1;
        str_copy(t->mint, sizeof t->mint, mint);
        str_copy(t->wallet, sizeof t->wallet, wallet);
        /* A fat right tail: most trades lose a little, some win big. */
        double u = unif();
        double pnl_pct = u < 0.45 ? -30.0 * unif() : u < 0.9 ? 60.0 * unif() : 80 + 300 * unif();
        t->entry_price_sol = 1e-7 * (1.0 + 99.0 * unif());
        t->exit_price_sol = t->entry_price_sol * (1.0 + pnl_pct / 100.0);
        t->entry_lamports = cost;
        t->exit_lamports = (uint64_t)((double)cost * (1.0 + pnl_pct / 100.0));
        t->pnl_sol = ((double)t->exit_lamports - (double)t->entry_lamports) / 1e9;
        t->pnl_pct = 100.0 * t->pnl_sol / ((double)cost / 1e9);
        exit_reason_pick(t->pnl_pct, t->exit_reason);
        t->signal_id = sid;
        str_copy(t->strategy, sizeof t->strategy, PICK(strategies));
        t->score = sig[k - 1].score;
        int entry_hour = (int)((t->opened_ms / MS_PER_HOUR) % 24);
        snprintf(t->factors, sizeof t->factors,
                 "{\"wallet\":%.6f,\"cluster\":%.6f,\"token\":%.6f,\"context\":%.6f,"
                 "\"entry_hour\":%d}",
                 sig[k - 1].wallet_factor, sig[k - 1].cluster_factor, sig[k - 1].token_factor,
                 sig[k - 1].context_factor, entry_hour);
    }
    int rc = write_rows(st, STORE_T_SIGNALS, sig, sizeof *sig, k, true);
    if (rc == 0)
        rc = write_rows(st, STORE_T_CLOSED_TRADES, tr, sizeof *tr, nt, false);

    /* Open positions, opened in the last hours, each on its own mint. */
    size_t np = (size_t)o->positions;
    struct position_row *pos = xcalloc(np ? np : 1, sizeof *pos);
    struct signal_row *psig = xcalloc(np ? np : 1, sizeof *psig);
    struct exit_strategy def;
    exit_strategy_default(&def);
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < np && rc == 0; i++) {
        struct position p;
        long w = (long)(next() % (uint64_t)watched);
        char wallet[BASE58_KEY_MAX];
        pubkey_format(&keys[w], wallet);
        int64_t ts = o->now_ms - (int64_t)(unif() * 6.0 * (double)MS_PER_HOUR);
        double price = 1e-7 * (1.0 + 99.0 * unif());
        uint64_t cost = 50000000 + next() % 450000000ULL;
        struct position_open_args a = {
            .id = nt + i + 1,
            .signal_id = k + i + 1,
            .mode = TRADE_PAPER,
            .mint = mints[i % MINT_N],
            .wallet = keys[w],
            .decimals = 6,
            .ts_ms = ts,
            .price = price,
            .cost_lamports = cost,
            .amount_raw = (uint64_t)((double)cost / 1e9 / price * 1e6) + 1,
            .dust_raw = 10,
            .strategy = &def,
        };
        if ((rc = check(position_open(&p, &a), "position_open")))
            break;
        double f[SF_COUNT];
        make_signal(&psig[i], (int64_t)a.signal_id, ts - 500, wallet,
                    pubkey_format(&a.mint, (char[BASE58_KEY_MAX]){0}), SR_TRADED, cost);
        f[SF_WALLET] = psig[i].wallet_factor;
        f[SF_CLUSTER] = psig[i].cluster_factor;
        f[SF_TOKEN] = psig[i].token_factor;
        f[SF_CONTEXT] = psig[i].context_factor;
        buf_reset(&b);
        if ((rc = check(engine_store_position_json(&p, psig[i].score, f, &b), "position json")))
            break;
        struct position_row *r = &pos[i];
        memset(r, 0, sizeof *r);
        r->id = (int64_t)p.id;
        str_copy(r->mode, sizeof r->mode, "paper");
        pubkey_format(&p.mint, r->mint);
        r->signal_id = (int64_t)p.signal_id;
        str_copy(r->status, sizeof r->status, "open");
        r->opened_ms = p.entry_ts_ms;
        r->entry_lamports = p.cost_lamports;
        r->tokens = p.remaining_raw;
        r->tokens_initial = p.amount_raw;
        r->entry_price_sol = p.entry_price;
        r->peak_price_sol = p.peak_price;
        r->stop_price_sol = p.entry_price * (1 - def.stop_loss);
        r->updated_ms = p.last_ts_ms;
        if (b.len >= sizeof r->state) {
            rc = check(WT_ETOOBIG, "position json");
            break;
        }
        memcpy(r->state, b.data, b.len + 1);
    }
    buf_release(&b);
    if (rc == 0)
        rc = write_rows(st, STORE_T_SIGNALS, psig, sizeof *psig, np, true);
    if (rc == 0)
        rc = write_rows(st, STORE_T_POSITIONS, pos, sizeof *pos, np, true);

    /* Breaker trips and clearances, and webhook-silence alerts. */
    static const char *const breakers[] = {"loss_streak", "drawdown", "win_rate", "signal_silence"};
    size_t na = (size_t)o->alerts;
    struct alert_row *al = xcalloc(na ? na : 1, sizeof *al);
    for (size_t i = 0; i < na; i++) {
        struct alert_row *r = &al[i];
        r->ts_ms = o->now_ms - 30 * MS_PER_DAY +
                   (int64_t)((double)i * 30.0 * (double)MS_PER_DAY / (double)na);
        str_copy(r->mode, sizeof r->mode, "paper");
        if (i % 5 == 4) {
            str_copy(r->kind, sizeof r->kind, "health");
            str_copy(r->severity, sizeof r->severity, "warn");
            str_copy(r->message, sizeof r->message, "no webhook delivery for 10 minutes");
            str_copy(r->data, sizeof r->data, "{\"breaker\":\"\",\"action\":\"\"}");
        } else {
            const char *br = breakers[(i / 2) % 4];
            bool trip = i % 2 == 0;
            str_copy(r->kind, sizeof r->kind, "circuit_breaker");
            str_copy(r->severity, sizeof r->severity, trip ? "critical" : "info");
            snprintf(r->message, sizeof r->message, "%s breaker %s", br,
                     trip ? "tripped: new entries stopped" : "cleared");
            snprintf(r->data, sizeof r->data, "{\"breaker\":\"%s\",\"action\":\"%s\"}", br,
                     trip ? "trip" : "clear");
        }
        if (i + 20 < na)
            r->acked_ms = r->ts_ms + 600000;
    }
    if (rc == 0)
        rc = write_rows(st, STORE_T_ALERTS, al, sizeof *al, na, false);

    /* The operator's setting changes (the Config page's history), ending
     * on the defaults, and the wizard done. */
    static const char *const risk[] = {"0.01", "0.03", "0.02"};
    static const char *const thr[] = {"0.6", "0.75", "0.70"};
    for (int i = 0; i < 60 && rc == 0; i++) {
        int64_t ts = o->now_ms - 30 * MS_PER_DAY + (int64_t)i * 12 * MS_PER_HOUR;
        rc = check(
            i % 2 ? store_setting_set(st, "signal.threshold", thr[(i / 2) % 3], ts, "api")
                  : store_setting_set(st, "trade.risk_per_trade", risk[(i / 2) % 3], ts, "api"),
            "settings");
    }
    if (rc == 0)
        rc = check(
            store_setting_set(st, "ui.setup_done", "true", o->now_ms - 30 * MS_PER_DAY, "api"),
            "settings");
    free(al);
    free(pos);
    free(psig);
    free(sig);
    free(tr);
    free(plan);
    return rc;
}

/* ---- main ------------------------------------------------------------------------ */

static int num_arg(const char *name, const char *v, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || errno || *end || x < min || x > max) {
        fprintf(stderr, "bench_populate: %s: expected an integer in [%ld, %ld]\n", name, min, max);
        return -1;
    }
    *out = x;
    return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.wallets = 10000,
                       .trades = 10000,
                       .positions = 12,
                       .swaps_per_wallet = 8,
                       .snapshots = 30,
                       .alerts = 200,
                       .seed = 7};
    long seed = 7, now = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (a[0] != '-' && !o->dir) {
            o->dir = a;
            continue;
        }
        if (strcmp(a, "--wallets") == 0)
            rc = num_arg(a, v, 1, 1000000, &o->wallets);
        else if (strcmp(a, "--trades") == 0)
            rc = num_arg(a, v, 0, 1000000, &o->trades);
        else if (strcmp(a, "--positions") == 0)
            rc = num_arg(a, v, 0, MINT_N, &o->positions);
        else if (strcmp(a, "--swaps-per-wallet") == 0)
            rc = num_arg(a, v, 0, 1000, &o->swaps_per_wallet);
        else if (strcmp(a, "--snapshots") == 0)
            rc = num_arg(a, v, 0, 1000, &o->snapshots);
        else if (strcmp(a, "--alerts") == 0)
            rc = num_arg(a, v, 0, 100000, &o->alerts);
        else if (strcmp(a, "--seed") == 0)
            rc = num_arg(a, v, 1, 0x7fffffffL, &seed);
        else if (strcmp(a, "--now") == 0)
            rc = num_arg(a, v, 1, 0x7fffffffffffffffL, &now);
        else {
            fprintf(stderr, "bench_populate: unknown argument %s\n", a);
            return -1;
        }
        if (rc)
            return -1;
        i++;
    }
    if (!o->dir) {
        fprintf(stderr, "usage: bench_populate DIR [--wallets N] [--trades N] [--positions N]\n"
                        "       [--swaps-per-wallet N] [--snapshots N] [--alerts N] [--seed S]"
                        " [--now MS]\n");
        return -1;
    }
    o->seed = (uint64_t)seed * 0x9e3779b97f4a7c15ULL;
    if (now) {
        o->now_ms = now;
    } else {
        struct clock c;
        clock_init_real(&c);
        o->now_ms = clock_now_ms(&c);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    rng = o.seed;
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/walltrack.db", o.dir);
    if (stat(path, &sb) == 0) {
        fprintf(stderr, "bench_populate: %s exists: give a fresh folder\n", path);
        return 2;
    }
    if (mkdir(o.dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_populate: mkdir %s: %s\n", o.dir, strerror(errno));
        return 2;
    }
    struct store *st = NULL;
    char err[256];
    if (store_open(o.dir, NULL, &st, err, sizeof err) != 0) {
        fprintf(stderr, "bench_populate: %s\n", err);
        return 1;
    }
    int64_t t0 = clock_mono_ns();
    struct pubkey *keys = xcalloc((size_t)o.wallets, sizeof *keys);
    struct pubkey mints[MINT_N];
    for (long i = 0; i < o.wallets; i++)
        random_key(&keys[i]);
    for (size_t i = 0; i < MINT_N; i++)
        random_key(&mints[i]);
    int rc = put_wallets(st, &o, keys, mints);
    if (rc == 0)
        rc = put_swaps(st, keys, o.wallets, mints, o.swaps_per_wallet, o.now_ms);
    if (rc == 0)
        rc = put_profiles(st, &o, keys, mints);
    if (rc == 0)
        rc = put_history(st, &o, keys, mints);
    free(keys);
    store_close(st);
    if (rc)
        return 1;
    printf("populated %s in %.1f s: %ld wallets (%ld watched), %ld swaps, %ld snapshots, "
           "%ld closed trades, %ld signals, %ld open positions, %ld alerts\n",
           o.dir, (double)(clock_mono_ns() - t0) / 1e9, o.wallets, o.wallets * 6 / 100,
           o.wallets * o.swaps_per_wallet, o.wallets * o.snapshots, o.trades,
           o.trades * SIGNAL_X + o.positions, o.positions, o.alerts);
    return 0;
}
