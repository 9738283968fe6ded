/* Positions: the exit rules evaluated on a price path, fills, closed trades.
 *
 * This is where a strategy (exits.h) meets prices. Everything here is a
 * pure function of the position and its arguments so that a backtest and
 * the live engine take the same decisions from the same events. The
 * precedence of the rules, and why, is in docs/exits.md; evaluate() below
 * is that list in code, in the same order.
 *
 * Amount arithmetic is integer (trade/amount.h): fractions of the original
 * amount are floors in ppm, and the cost basis of what has been sold is
 * recomputed from the cumulative amount sold at each fill, so that rounding
 * never accumulates and the basis equals the cost exactly at close. */
#include "trade/position.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/str.h"
#include "trade/amount.h"

static const char *const reason_names[] = {
    [EXIT_NONE] = "none",
    [EXIT_STOP_LOSS] = "stop_loss",
    [EXIT_TAKE_PROFIT] = "take_profit",
    [EXIT_TRAILING_STOP] = "trailing_stop",
    [EXIT_MAX_HOLD] = "max_hold",
    [EXIT_STAGNATION] = "stagnation",
    [EXIT_WALLET_SOLD] = "wallet_sold",
    [EXIT_MANUAL] = "manual",
};

char *exit_reason_format(enum exit_reason r, uint32_t tp_level, char out[EXIT_REASON_MAX])
{
    if ((unsigned)r >= sizeof reason_names / sizeof reason_names[0])
        r = EXIT_NONE;
    if (r == EXIT_TAKE_PROFIT)
        snprintf(out, EXIT_REASON_MAX, "take_profit_%u", tp_level);
    else
        snprintf(out, EXIT_REASON_MAX, "%s", reason_names[r]);
    return out;
}

int exit_reason_parse(const char *s, enum exit_reason *r, uint32_t *tp_level)
{
    if (str_starts_with(s, "take_profit_")) {
        uint64_t lvl;
        if (str_to_u64(s + strlen("take_profit_"), &lvl) || lvl < 1 || lvl > EXIT_TP_MAX)
            return WT_EINVAL;
        *r = EXIT_TAKE_PROFIT;
        *tp_level = (uint32_t)lvl;
        return 0;
    }
    for (size_t i = 0; i < sizeof reason_names / sizeof reason_names[0]; i++) {
        if (i != EXIT_TAKE_PROFIT && strcmp(s, reason_names[i]) == 0) {
            *r = (enum exit_reason)i;
            *tp_level = 0;
            return 0;
        }
    }
    return WT_EINVAL;
}

const char *trade_mode_name(enum trade_mode m)
{
    return m == TRADE_LIVE ? "live" : "paper";
}

int position_open(struct position *p, const struct position_open_args *a)
{
    if (a->amount_raw == 0 || !isfinite(a->price) || a->price <= 0 || !a->strategy ||
        exit_strategy_validate(a->strategy, NULL, 0))
        return WT_EINVAL;
    memset(p, 0, sizeof *p);
    p->id = a->id;
    p->signal_id = a->signal_id;
    p->mode = a->mode;
    p->mint = a->mint;
    p->wallet = a->wallet;
    p->decimals = a->decimals;
    p->entry_ts_ms = a->ts_ms;
    p->entry_price = a->price;
    p->cost_lamports = a->cost_lamports;
    p->amount_raw = a->amount_raw;
    p->remaining_raw = a->amount_raw;
    p->dust_raw = a->dust_raw;
    p->peak_price = a->price;
    p->last_price = a->price;
    p->last_ts_ms = a->ts_ms;
    p->stag_anchor_price = a->price;
    p->stag_anchor_ts_ms = a->ts_ms;
    p->strategy = *a->strategy;
    return 0;
}

/* The moonbag in raw units: the complement of the sellable share, so that
 * take-profits summing to 1 - moonbag leave exactly this much. */
static uint64_t moonbag_raw(const struct position *p)
{
    uint64_t sellable_ppm = AMOUNT_PPM - amount_ppm(p->strategy.moonbag);
    return p->amount_raw - amount_mul_div(p->amount_raw, sellable_ppm, AMOUNT_PPM);
}

uint64_t position_locked_raw(const struct position *p)
{
    if (p->strategy.moonbag <= 0)
        return 0;
    if (p->tp_sold_raw == 0 && !p->strategy.moonbag_from_entry)
        return 0;
    uint64_t m = moonbag_raw(p);
    return m < p->remaining_raw ? m : p->remaining_raw;
}

/* Fills d for a sale of amount (> 0); a remainder at or below the dust
 * threshold is sold with it. */
static void decide(const struct position *p, struct exit_decision *d, enum exit_reason r,
                   uint32_t level, uint64_t amount, double price, double threshold)
{
    if (p->remaining_raw - amount <= p->dust_raw)
        amount = p->remaining_raw;
    d->reason = r;
    d->tp_level = level;
    d->amount_raw = amount;
    d->closes = amount == p->remaining_raw;
    d->price = price;
    d->threshold = threshold;
}

/* The rules in precedence order (docs/exits.md). Each rule either writes a
 * decision and returns, or passes; a rule that triggers with nothing to
 * sell (the rest is a locked moonbag) passes too. */
static void evaluate(struct position *p, double price, int64_t ts, struct exit_decision *d)
{
    const struct exit_strategy *s = &p->strategy;
    uint64_t rem = p->remaining_raw;
    uint64_t unlocked = rem - position_locked_raw(p);

    /* 1. Maximum hold: the hard limit on time at risk; sells the moonbag. */
    if (s->max_hold_ms > 0 && ts - p->entry_ts_ms >= s->max_hold_ms) {
        decide(p, d, EXIT_MAX_HOLD, 0, rem, price, 0);
        return;
    }
    /* 2. Trailing stop: armed once the peak reached the activation level;
     * sells the moonbag. */
    if (s->trail_activation > 0 && p->peak_price >= p->entry_price * s->trail_activation) {
        double level = p->peak_price * (1 - s->trail_distance);
        if (price <= level) {
            decide(p, d, EXIT_TRAILING_STOP, 0, rem, price, level);
            return;
        }
    }
    /* 3. Stop-loss. */
    if (s->stop_loss > 0) {
        double level = p->entry_price * (1 - s->stop_loss);
        if (price <= level && unlocked > 0) {
            decide(p, d, EXIT_STOP_LOSS, 0, unlocked, price, level);
            return;
        }
    }
    /* 4. The copied wallet sold. */
    if (s->exit_on_wallet_sell && p->wallet_sold && unlocked > 0) {
        decide(p, d, EXIT_WALLET_SOLD, 0, unlocked, price, 0);
        return;
    }
    /* 5. Stagnation: the window has lasted long enough. */
    if (s->stagnation_ms > 0 && ts - p->stag_anchor_ts_ms >= s->stagnation_ms && unlocked > 0) {
        decide(p, d, EXIT_STAGNATION, 0, unlocked, price, 0);
        return;
    }
    /* 6. Take-profits, lowest first. A level sells up to its cumulative
     * share of the original amount, never into the moonbag. */
    uint64_t cum_ppm = 0;
    uint64_t bag = s->moonbag > 0 ? moonbag_raw(p) : 0;
    uint64_t cap = rem > bag ? rem - bag : 0;
    for (uint32_t i = 0; i < s->n_tp; i++) {
        cum_ppm += amount_ppm(s->tp[i].fraction);
        if (p->tp_hit & (1u << i))
            continue;
        double level = p->entry_price * s->tp[i].multiple;
        if (price < level)
            break; /* levels ascend */
        uint64_t target = amount_mul_div(p->amount_raw, cum_ppm, AMOUNT_PPM);
        uint64_t want = target > p->tp_sold_raw ? target - p->tp_sold_raw : 0;
        if (want > cap)
            want = cap;
        if (want == 0) {
            p->tp_hit |= 1u << i; /* already secured: nothing to sell here */
            continue;
        }
        decide(p, d, EXIT_TAKE_PROFIT, i + 1, want, price, level);
        return;
    }
}

static int on_price(struct position *p, double price, int64_t ts_ms, struct exit_decision *d)
{
    memset(d, 0, sizeof *d);
    if (!isfinite(price) || price <= 0)
        return WT_EINVAL;
    if (p->closed)
        return 0;
    if (price > p->peak_price)
        p->peak_price = price;
    p->last_price = price;
    p->last_ts_ms = ts_ms;
    double band = p->strategy.stagnation_band;
    if (band > 0) {
        double a = p->stag_anchor_price;
        if (price > a * (1 + band) || price < a * (1 - band)) {
            p->stag_anchor_price = price;
            p->stag_anchor_ts_ms = ts_ms;
        }
    }
    if (p->pending_raw == 0)
        evaluate(p, price, ts_ms, d);
    assert(position_ok(p));
    return 0;
}

int position_on_price(struct position *p, double price, int64_t ts_ms, struct exit_decision *d)
{
    return on_price(p, price, ts_ms, d);
}

int position_on_time(struct position *p, int64_t ts_ms, struct exit_decision *d)
{
    return on_price(p, p->last_price, ts_ms, d);
}

int position_on_wallet_sell(struct position *p, const struct pubkey *wallet, double price,
                            int64_t ts_ms, struct exit_decision *d)
{
    if (!p->closed && pubkey_eq(wallet, &p->wallet))
        p->wallet_sold = true;
    return on_price(p, price, ts_ms, d);
}

int position_manual_exit(struct position *p, double price, int64_t ts_ms, struct exit_decision *d)
{
    int rc = on_price(p, price, ts_ms, d);
    if (rc || p->closed || p->pending_raw)
        return rc ? rc : WT_ESTATE;
    decide(p, d, EXIT_MANUAL, 0, p->remaining_raw, price, 0);
    return 0;
}

int position_mark_pending(struct position *p, const struct exit_decision *d)
{
    if (p->closed || p->pending_raw || d->reason == EXIT_NONE || d->amount_raw == 0 ||
        d->amount_raw > p->remaining_raw)
        return WT_ESTATE;
    p->pending_raw = d->amount_raw;
    return 0;
}

void position_cancel_pending(struct position *p)
{
    p->pending_raw = 0;
}

void position_charge_fee(struct position *p, uint64_t fee_lamports)
{
    p->proceeds_lamports -= (int64_t)fee_lamports;
    p->realized_pnl_lamports -= (int64_t)fee_lamports;
}

static void fill_record(const struct position *p, struct closed_trade *t)
{
    memset(t, 0, sizeof *t);
    t->position_id = p->id;
    t->signal_id = p->signal_id;
    t->mode = p->mode;
    t->mint = p->mint;
    t->wallet = p->wallet;
    memcpy(t->strategy, p->strategy.name, sizeof t->strategy);
    t->entry_ts_ms = p->entry_ts_ms;
    t->exit_ts_ms = p->exit_ts_ms;
    t->duration_ms = p->exit_ts_ms - p->entry_ts_ms;
    t->entry_price = p->entry_price;
    uint64_t sold = p->amount_raw - p->remaining_raw; /* remaining is 0 at close */
    double tokens = (double)sold / pow(10, p->decimals);
    t->exit_price = tokens > 0 ? ((double)p->proceeds_lamports / 1e9) / tokens : 0;
    t->cost_lamports = p->cost_lamports;
    t->proceeds_lamports = p->proceeds_lamports;
    t->pnl_lamports = p->realized_pnl_lamports;
    t->pnl_sol = (double)t->pnl_lamports / 1e9;
    t->pnl_pct = p->cost_lamports ? 100.0 * (double)t->pnl_lamports / (double)p->cost_lamports : 0;
    t->reason = p->last_reason;
    t->tp_level = p->last_tp_level;
    t->n_sales = p->n_sales;
}

int position_apply_fill(struct position *p, const struct exit_decision *d, uint64_t sold_raw,
                        int64_t proceeds_lamports, int64_t ts_ms, bool *closed,
                        struct closed_trade *rec)
{
    if (closed)
        *closed = false;
    if (p->closed)
        return WT_ESTATE;
    if (sold_raw == 0 || sold_raw > p->remaining_raw)
        return WT_EINVAL;
    p->pending_raw = 0;
    p->remaining_raw -= sold_raw;
    p->n_sales++;
    p->proceeds_lamports += proceeds_lamports;
    p->last_reason = d->reason;
    p->last_tp_level = d->reason == EXIT_TAKE_PROFIT ? d->tp_level : 0;
    if (d->reason == EXIT_TAKE_PROFIT) {
        p->tp_sold_raw += sold_raw;
        if (d->tp_level >= 1 && d->tp_level <= EXIT_TP_MAX)
            p->tp_hit |= 1u << (d->tp_level - 1);
    }
    /* A dust remainder is written off: its tokens are worth less than the
     * fee to sell them, and its cost stays in the basis (a loss). */
    if (p->remaining_raw <= p->dust_raw)
        p->remaining_raw = 0;
    p->basis_sold_lamports =
        amount_mul_div(p->cost_lamports, p->amount_raw - p->remaining_raw, p->amount_raw);
    p->realized_pnl_lamports = p->proceeds_lamports - (int64_t)p->basis_sold_lamports;
    if (p->remaining_raw == 0) {
        p->closed = true;
        p->exit_ts_ms = ts_ms;
        if (closed)
            *closed = true;
        if (rec)
            fill_record(p, rec);
    }
    assert(position_ok(p));
    return 0;
}

int position_set_strategy(struct position *p, const struct exit_strategy *s, char *err,
                          size_t errsize)
{
    if (p->closed) {
        if (err && errsize)
            snprintf(err, errsize, "the position is closed");
        return WT_ESTATE;
    }
    int rc = exit_strategy_validate(s, err, errsize);
    if (rc)
        return rc;
    p->strategy = *s;
    p->tp_hit = 0;
    return 0;
}

uint64_t position_value_lamports(const struct position *p, double price)
{
    if (!(price > 0))
        return 0;
    double v = floor(price * 1e9 * ((double)p->remaining_raw / pow(10, p->decimals)));
    return v >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)v;
}

bool position_ok(const struct position *p)
{
    if (p->remaining_raw > p->amount_raw || p->pending_raw > p->remaining_raw)
        return false;
    if (p->tp_sold_raw > p->amount_raw - p->remaining_raw)
        return false;
    if (p->closed != (p->remaining_raw == 0))
        return false;
    if (p->peak_price < p->entry_price)
        return false;
    if (p->realized_pnl_lamports != p->proceeds_lamports - (int64_t)p->basis_sold_lamports)
        return false;
    if (p->amount_raw &&
        p->basis_sold_lamports !=
            amount_mul_div(p->cost_lamports, p->amount_raw - p->remaining_raw, p->amount_raw))
        return false;
    return exit_strategy_validate(&p->strategy, NULL, 0) == 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static void kkey(struct jw *w, const char *k, const struct pubkey *pk)
{
    char s[BASE58_KEY_MAX];
    jw_kstr(w, k, pubkey_format(pk, s));
}

int position_format(const struct position *p, struct buf *out)
{
    struct jw w;
    char reason[EXIT_REASON_MAX];
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_ku64(&w, "id", p->id);
    jw_ku64(&w, "signal_id", p->signal_id);
    jw_kstr(&w, "mode", trade_mode_name(p->mode));
    kkey(&w, "mint", &p->mint);
    kkey(&w, "wallet", &p->wallet);
    jw_ku64(&w, "decimals", p->decimals);
    jw_ki64(&w, "entry_ts_ms", p->entry_ts_ms);
    jw_kdouble(&w, "entry_price", p->entry_price);
    jw_ku64(&w, "cost_lamports", p->cost_lamports);
    jw_ku64(&w, "amount_raw", p->amount_raw);
    jw_ku64(&w, "remaining_raw", p->remaining_raw);
    jw_ku64(&w, "pending_raw", p->pending_raw);
    jw_ku64(&w, "dust_raw", p->dust_raw);
    jw_ku64(&w, "tp_sold_raw", p->tp_sold_raw);
    jw_ku64(&w, "tp_hit", p->tp_hit);
    jw_ku64(&w, "n_sales", p->n_sales);
    jw_ki64(&w, "proceeds_lamports", p->proceeds_lamports);
    jw_ku64(&w, "basis_sold_lamports", p->basis_sold_lamports);
    jw_ki64(&w, "realized_pnl_lamports", p->realized_pnl_lamports);
    jw_kdouble(&w, "peak_price", p->peak_price);
    jw_kdouble(&w, "last_price", p->last_price);
    jw_ki64(&w, "last_ts_ms", p->last_ts_ms);
    jw_kdouble(&w, "stag_anchor_price", p->stag_anchor_price);
    jw_ki64(&w, "stag_anchor_ts_ms", p->stag_anchor_ts_ms);
    jw_kbool(&w, "wallet_sold", p->wallet_sold);
    jw_kbool(&w, "closed", p->closed);
    jw_ki64(&w, "exit_ts_ms", p->exit_ts_ms);
    jw_kstr(&w, "last_reason", exit_reason_format(p->last_reason, p->last_tp_level, reason));
    jw_key(&w, "strategy");
    exit_strategy_write(&p->strategy, &w);
    jw_obj_end(&w);
    return jw_finish(&w);
}

static int get_key(const struct json_val *o, const char *k, struct pubkey *pk, char *err,
                   size_t errsize)
{
    const char *s;
    int rc = json_get_str(o, k, &s, NULL);
    if (rc) {
        snprintf(err, errsize, "%s", json_errmsg(o->doc));
        return rc;
    }
    if (pubkey_parse(s, pk)) {
        snprintf(err, errsize, "%s: not a base58 public key", k);
        return WT_EINVAL;
    }
    return 0;
}

int position_parse(const char *json, size_t len, struct position *out, char *err, size_t errsize)
{
    char dummy[EXIT_ERR_MAX];
    if (!err || !errsize) {
        err = dummy;
        errsize = sizeof dummy;
    }
    err[0] = '\0';
    struct position p;
    memset(&p, 0, sizeof p);
    struct json_doc *d = json_doc_new(16);
    struct json_val o, sv;
    const char *mode, *reason;
    uint64_t decimals, tp_hit, n_sales;
    int rc = json_parse(d, json, len, len, &o);
    if (rc) {
        snprintf(err, errsize, "%s", json_errmsg(d));
        goto out;
    }
    if ((rc = json_get_u64(&o, "id", &p.id)) ||
        (rc = json_get_u64(&o, "signal_id", &p.signal_id)) ||
        (rc = json_get_str(&o, "mode", &mode, NULL)) ||
        (rc = json_get_u64(&o, "decimals", &decimals)) ||
        (rc = json_get_i64(&o, "entry_ts_ms", &p.entry_ts_ms)) ||
        (rc = json_get_double(&o, "entry_price", &p.entry_price)) ||
        (rc = json_get_u64(&o, "cost_lamports", &p.cost_lamports)) ||
        (rc = json_get_u64(&o, "amount_raw", &p.amount_raw)) ||
        (rc = json_get_u64(&o, "remaining_raw", &p.remaining_raw)) ||
        (rc = json_get_u64(&o, "pending_raw", &p.pending_raw)) ||
        (rc = json_get_u64(&o, "dust_raw", &p.dust_raw)) ||
        (rc = json_get_u64(&o, "tp_sold_raw", &p.tp_sold_raw)) ||
        (rc = json_get_u64(&o, "tp_hit", &tp_hit)) ||
        (rc = json_get_u64(&o, "n_sales", &n_sales)) ||
        (rc = json_get_i64(&o, "proceeds_lamports", &p.proceeds_lamports)) ||
        (rc = json_get_u64(&o, "basis_sold_lamports", &p.basis_sold_lamports)) ||
        (rc = json_get_i64(&o, "realized_pnl_lamports", &p.realized_pnl_lamports)) ||
        (rc = json_get_double(&o, "peak_price", &p.peak_price)) ||
        (rc = json_get_double(&o, "last_price", &p.last_price)) ||
        (rc = json_get_i64(&o, "last_ts_ms", &p.last_ts_ms)) ||
        (rc = json_get_double(&o, "stag_anchor_price", &p.stag_anchor_price)) ||
        (rc = json_get_i64(&o, "stag_anchor_ts_ms", &p.stag_anchor_ts_ms)) ||
        (rc = json_get_bool(&o, "wallet_sold", &p.wallet_sold)) ||
        (rc = json_get_bool(&o, "closed", &p.closed)) ||
        (rc = json_get_i64(&o, "exit_ts_ms", &p.exit_ts_ms)) ||
        (rc = json_get_str(&o, "last_reason", &reason, NULL)) ||
        (rc = json_get(&o, "strategy", &sv))) {
        snprintf(err, errsize, "%s", json_errmsg(d));
        goto out;
    }
    if ((rc = get_key(&o, "mint", &p.mint, err, errsize)) ||
        (rc = get_key(&o, "wallet", &p.wallet, err, errsize)))
        goto out;
    rc = WT_EINVAL;
    if (strcmp(mode, "paper") == 0) {
        p.mode = TRADE_PAPER;
    } else if (strcmp(mode, "live") == 0) {
        p.mode = TRADE_LIVE;
    } else {
        snprintf(err, errsize, "mode: \"%s\" is neither paper nor live", mode);
        goto out;
    }
    if (decimals > 30 || tp_hit >= (1u << EXIT_TP_MAX) || n_sales > UINT32_MAX) {
        snprintf(err, errsize, "decimals, tp_hit or n_sales out of range");
        goto out;
    }
    p.decimals = (uint8_t)decimals;
    p.tp_hit = (uint32_t)tp_hit;
    p.n_sales = (uint32_t)n_sales;
    if (exit_reason_parse(reason, &p.last_reason, &p.last_tp_level)) {
        snprintf(err, errsize, "last_reason: unknown exit reason \"%s\"", reason);
        goto out;
    }
    if ((rc = exit_strategy_from_json(&sv, &p.strategy, err, errsize)))
        goto out;
    if (p.amount_raw == 0 || !(p.entry_price > 0) || !position_ok(&p)) {
        rc = WT_EINVAL;
        snprintf(err, errsize, "the position's amounts or prices are inconsistent");
        goto out;
    }
    *out = p;
    rc = 0;
out:
    json_doc_free(d);
    return rc;
}

int closed_trade_format(const struct closed_trade *t, struct buf *out)
{
    struct jw w;
    char reason[EXIT_REASON_MAX];
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_ku64(&w, "position_id", t->position_id);
    jw_ku64(&w, "signal_id", t->signal_id);
    jw_kstr(&w, "mode", trade_mode_name(t->mode));
    kkey(&w, "mint", &t->mint);
    kkey(&w, "wallet", &t->wallet);
    jw_kstr(&w, "strategy", t->strategy);
    jw_ki64(&w, "entry_ts_ms", t->entry_ts_ms);
    jw_ki64(&w, "exit_ts_ms", t->exit_ts_ms);
    jw_ki64(&w, "duration_ms", t->duration_ms);
    jw_kdouble(&w, "entry_price", t->entry_price);
    jw_kdouble(&w, "exit_price", t->exit_price);
    jw_ku64(&w, "cost_lamports", t->cost_lamports);
    jw_ki64(&w, "proceeds_lamports", t->proceeds_lamports);
    jw_ki64(&w, "pnl_lamports", t->pnl_lamports);
    jw_kdouble(&w, "pnl_sol", t->pnl_sol);
    jw_kdouble(&w, "pnl_pct", t->pnl_pct);
    jw_kstr(&w, "exit_reason", exit_reason_format(t->reason, t->tp_level, reason));
    jw_ku64(&w, "n_sales", t->n_sales);
    jw_obj_end(&w);
    return jw_finish(&w);
}
