/* Circuit breakers (see breakers.h for the table).
 *
 * The comparisons are exact: drawdown and win rate are compared in integer
 * parts per million against the thresholds ((peak - equity) * 1e6 >
 * max_drawdown_ppm * peak), so "above 20%" means strictly above whatever the
 * lamport amounts, and the tests can hit the threshold to the lamport. The
 * win-rate window is kept in time order so the JSON form is the state
 * itself, not an artefact of a ring buffer's head position. */
#include "trade/breakers.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/str.h"
#include "trade/amount.h"

static const char *const kind_names[BREAKER_KIND_COUNT] = {
    [BREAKER_DRAWDOWN] = "drawdown",       [BREAKER_WIN_RATE] = "win_rate",
    [BREAKER_LOSS_STREAK] = "loss_streak", [BREAKER_SILENCE] = "signal_silence",
    [BREAKER_OPERATOR] = "operator",
};

const char *breaker_kind_name(enum breaker_kind k)
{
    return (unsigned)k < BREAKER_KIND_COUNT ? kind_names[k] : "unknown";
}

void breaker_params_default(struct breaker_params *p)
{
    memset(p, 0, sizeof *p);
    p->max_drawdown = 0.20;
    p->min_win_rate = 0;
    p->min_profit_factor = 1.0;
    p->win_rate_window = 50;
    p->max_loss_streak = 3;
    p->recovery_wins = 2;
    p->silence_ms = 48LL * 3600 * 1000;
}

int breaker_params_validate(const struct breaker_params *p, char *err, size_t errsize)
{
    const char *msg = NULL;
    if (!(p->max_drawdown > 0 && p->max_drawdown < 1))
        msg = "max_drawdown must be a fraction in (0, 1)";
    else if (!(p->min_win_rate >= 0 && p->min_win_rate <= 1))
        msg = "min_win_rate must be a fraction in [0, 1]";
    else if (!(p->min_profit_factor >= 0 && p->min_profit_factor <= 100))
        msg = "min_profit_factor must be from 0 to 100";
    else if (p->win_rate_window < 1 || p->win_rate_window > BREAKER_WINDOW_MAX)
        msg = "win_rate_window must be between 1 and 1000 trades";
    else if (p->max_loss_streak < 1)
        msg = "max_loss_streak must be at least 1";
    else if (p->silence_ms <= 0)
        msg = "silence_ms must be positive";
    return msg ? wt_set_err(err, errsize, WT_EINVAL, msg) : 0;
}

int breakers_init(struct breakers *b, const struct breaker_params *p, uint64_t equity_lamports,
                  int64_t now_ms, char *err, size_t errsize)
{
    int rc = breaker_params_validate(p, err, errsize);
    if (rc)
        return rc;
    memset(b, 0, sizeof *b);
    b->p = *p;
    b->peak_equity_lamports = equity_lamports;
    b->equity_lamports = equity_lamports;
    b->last_signal_ms = now_ms;
    for (int k = 0; k < BREAKER_KIND_COUNT; k++)
        b->since_ms[k] = now_ms;
    return 0;
}

static void emit(struct breakers *b, enum breaker_kind k, enum breaker_action act, int64_t ts,
                 struct breaker_alerts *out, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Records a trip or a clearance in the state and appends the alert. */
static void emit(struct breakers *b, enum breaker_kind k, enum breaker_action act, int64_t ts,
                 struct breaker_alerts *out, const char *fmt, ...)
{
    b->active[k] = act == BREAKER_TRIP;
    b->since_ms[k] = ts;
    memset(b->reason[k], 0, sizeof b->reason[k]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->reason[k], sizeof b->reason[k], fmt, ap);
    va_end(ap);
    if (!out)
        return;
    if (out->n == BREAKER_ALERTS_MAX) {
        out->dropped++;
        return;
    }
    struct breaker_alert *a = &out->a[out->n++];
    memset(a, 0, sizeof *a);
    a->kind = k;
    a->action = act;
    a->ts_ms = ts;
    memcpy(a->reason, b->reason[k], sizeof a->reason);
}

void breakers_on_equity(struct breakers *b, uint64_t equity, int64_t ts_ms,
                        struct breaker_alerts *out)
{
    b->equity_lamports = equity;
    if (equity > b->peak_equity_lamports)
        b->peak_equity_lamports = equity;
    uint64_t peak = b->peak_equity_lamports;
    if (b->active[BREAKER_DRAWDOWN] || peak == 0)
        return;
    unsigned __int128 lhs = (unsigned __int128)(peak - equity) * AMOUNT_PPM;
    unsigned __int128 rhs = (unsigned __int128)amount_ppm(b->p.max_drawdown) * peak;
    if (lhs > rhs)
        emit(b, BREAKER_DRAWDOWN, BREAKER_TRIP, ts_ms, out,
             "drawdown %.2f%% from peak equity %.9f SOL to %.9f SOL is above %.2f%%: entries "
             "paused until an operator reset",
             100.0 * (double)(peak - equity) / (double)peak, (double)peak / 1e9,
             (double)equity / 1e9, 100.0 * b->p.max_drawdown);
}

/* Appends an outcome to the window, dropping the oldest when full. */
static void push_outcome(struct breakers *b, bool win, int64_t pnl)
{
    uint32_t w = b->p.win_rate_window;
    if (b->n_recent == w) {
        b->wins -= b->recent[0];
        memmove(b->recent, b->recent + 1, w - 1);
        memmove(b->recent_pnl, b->recent_pnl + 1, (w - 1) * sizeof b->recent_pnl[0]);
        b->n_recent--;
    }
    b->recent_pnl[b->n_recent] = pnl;
    b->recent[b->n_recent++] = win ? 1 : 0;
    b->wins += win ? 1 : 0;
}

/* Gross wins and gross losses (positive) of the window, in SOL. */
static void window_gross(const struct breakers *b, double *won, double *lost)
{
    *won = *lost = 0;
    for (uint32_t i = 0; i < b->n_recent; i++) {
        if (b->recent_pnl[i] > 0)
            *won += (double)b->recent_pnl[i] / 1e9;
        else
            *lost -= (double)b->recent_pnl[i] / 1e9;
    }
}

void breakers_on_trade(struct breakers *b, int64_t pnl_lamports, bool stop_loss, int64_t ts_ms,
                       struct breaker_alerts *out)
{
    bool win = pnl_lamports > 0;
    b->n_trades++;
    push_outcome(b, win, pnl_lamports);
    uint32_t w = b->p.win_rate_window;
    double won, lost;
    window_gross(b, &won, &lost);
    if (!b->active[BREAKER_WIN_RATE] && b->n_recent == w) {
        if ((uint64_t)b->wins * AMOUNT_PPM < amount_ppm(b->p.min_win_rate) * w)
            emit(b, BREAKER_WIN_RATE, BREAKER_TRIP, ts_ms, out,
                 "win rate %u/%u = %.1f%% over the last %u trades is below %.1f%%: trading "
                 "halted until an operator reset (recalibrate the scoring)",
                 b->wins, w, 100.0 * b->wins / w, w, 100.0 * b->p.min_win_rate);
        else if (b->p.min_profit_factor > 0 && won < b->p.min_profit_factor * lost)
            emit(b, BREAKER_WIN_RATE, BREAKER_TRIP, ts_ms, out,
                 "profit factor %.2f (won %.4f SOL, lost %.4f SOL; expectancy %+.4f SOL a "
                 "trade) over the last %u trades is below %.2f: trading halted until an "
                 "operator reset",
                 lost > 0 ? won / lost : 0.0, won, lost, (won - lost) / w, w,
                 b->p.min_profit_factor);
    }

    if (b->active[BREAKER_LOSS_STREAK]) {
        b->recovery_streak = win ? b->recovery_streak + 1 : 0;
        if (b->p.recovery_wins > 0 && b->recovery_streak >= b->p.recovery_wins) {
            b->recovery_streak = 0;
            emit(b, BREAKER_LOSS_STREAK, BREAKER_CLEAR, ts_ms, out,
                 "recovered after %u consecutive winning trades: full position size restored",
                 b->p.recovery_wins);
        }
        return;
    }
    b->loss_streak = stop_loss ? b->loss_streak + 1 : 0;
    if (b->loss_streak >= b->p.max_loss_streak) {
        uint32_t n = b->loss_streak;
        b->loss_streak = 0;
        b->recovery_streak = 0;
        emit(b, BREAKER_LOSS_STREAK, BREAKER_TRIP, ts_ms, out,
             "%u consecutive max-loss (stop-loss) trades: position size reduced until %u "
             "consecutive wins or an operator reset",
             n, b->p.recovery_wins);
    }
}

void breakers_on_signal(struct breakers *b, int64_t ts_ms, struct breaker_alerts *out)
{
    b->last_signal_ms = ts_ms;
    if (b->active[BREAKER_SILENCE])
        emit(b, BREAKER_SILENCE, BREAKER_CLEAR, ts_ms, out, "signals resumed");
}

void breakers_on_tick(struct breakers *b, int64_t ts_ms, struct breaker_alerts *out)
{
    if (b->active[BREAKER_SILENCE] || ts_ms - b->last_signal_ms < b->p.silence_ms)
        return;
    emit(b, BREAKER_SILENCE, BREAKER_TRIP, ts_ms, out,
         "no signal for %.1f hours (limit %.1f h): check the webhook, the watchlist and the "
         "inputs",
         (double)(ts_ms - b->last_signal_ms) / (double)MS_PER_HOUR,
         (double)b->p.silence_ms / (double)MS_PER_HOUR);
}

void breakers_pause(struct breakers *b, int64_t ts_ms, const char *reason,
                    struct breaker_alerts *out)
{
    if (b->active[BREAKER_OPERATOR])
        return;
    emit(b, BREAKER_OPERATOR, BREAKER_TRIP, ts_ms, out, "paused by the operator%s%s",
         reason && *reason ? ": " : "", reason ? reason : "");
}

void breakers_resume(struct breakers *b, int64_t ts_ms, struct breaker_alerts *out)
{
    if (b->active[BREAKER_OPERATOR])
        emit(b, BREAKER_OPERATOR, BREAKER_CLEAR, ts_ms, out, "resumed by the operator");
}

static void reset_one(struct breakers *b, enum breaker_kind k, int64_t ts_ms,
                      struct breaker_alerts *out)
{
    switch (k) {
    case BREAKER_DRAWDOWN:
        b->peak_equity_lamports = b->equity_lamports;
        break;
    case BREAKER_WIN_RATE:
        memset(b->recent, 0, sizeof b->recent);
        memset(b->recent_pnl, 0, sizeof b->recent_pnl);
        b->n_recent = 0;
        b->wins = 0;
        break;
    case BREAKER_LOSS_STREAK:
        b->loss_streak = 0;
        b->recovery_streak = 0;
        break;
    case BREAKER_SILENCE:
        b->last_signal_ms = ts_ms;
        break;
    case BREAKER_OPERATOR:
    case BREAKER_KIND_COUNT:
        break;
    }
    if (b->active[k])
        emit(b, k, BREAKER_CLEAR, ts_ms, out, "reset by the operator");
}

void breakers_reset(struct breakers *b, enum breaker_kind kind, int64_t ts_ms,
                    struct breaker_alerts *out)
{
    if (kind == BREAKER_OPERATOR)
        return breakers_resume(b, ts_ms, out);
    if ((unsigned)kind < BREAKER_KIND_COUNT)
        return reset_one(b, kind, ts_ms, out);
    for (int k = 0; k < BREAKER_OPERATOR; k++)
        reset_one(b, (enum breaker_kind)k, ts_ms, out);
}

bool breakers_entries_allowed(const struct breakers *b)
{
    return !b->active[BREAKER_DRAWDOWN] && !b->active[BREAKER_WIN_RATE] &&
           !b->active[BREAKER_OPERATOR];
}

bool breakers_size_reduced(const struct breakers *b)
{
    return b->active[BREAKER_LOSS_STREAK];
}

int breakers_format(const struct breakers *b, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_ku64(&w, "peak_equity_lamports", b->peak_equity_lamports);
    jw_ku64(&w, "equity_lamports", b->equity_lamports);
    jw_ku64(&w, "loss_streak", b->loss_streak);
    jw_ku64(&w, "recovery_streak", b->recovery_streak);
    jw_ku64(&w, "n_trades", b->n_trades);
    jw_ki64(&w, "last_signal_ms", b->last_signal_ms);
    char recent[BREAKER_WINDOW_MAX + 1];
    for (uint32_t i = 0; i < b->n_recent; i++)
        recent[i] = b->recent[i] ? '1' : '0';
    recent[b->n_recent] = '\0';
    jw_kstr(&w, "recent", recent); /* oldest first, 1 = win */
    jw_key(&w, "recent_pnl");      /* the same trades' PnL, lamports */
    jw_arr_begin(&w);
    for (uint32_t i = 0; i < b->n_recent; i++)
        jw_i64(&w, b->recent_pnl[i]);
    jw_arr_end(&w);
    jw_kobj_begin(&w, "breakers");
    for (int k = 0; k < BREAKER_KIND_COUNT; k++) {
        jw_kobj_begin(&w, kind_names[k]);
        jw_kbool(&w, "active", b->active[k]);
        jw_ki64(&w, "since_ms", b->since_ms[k]);
        jw_kstr(&w, "reason", b->reason[k]);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    return jw_finish(&w);
}

int breakers_parse(struct breakers *out, const struct breaker_params *p, const char *json,
                   size_t len, char *err, size_t errsize)
{
    char dummy[BREAKER_REASON_MAX];
    if (!err || !errsize) {
        err = dummy;
        errsize = sizeof dummy;
    }
    err[0] = '\0';
    struct breakers b;
    int rc = breakers_init(&b, p, 0, 0, err, errsize);
    if (rc)
        return rc;
    struct json_doc *d = json_doc_new(16);
    struct json_val o, all, one;
    const char *recent, *reason;
    size_t n_recent, reason_len;
    uint64_t loss_streak, recovery_streak;
    if ((rc = json_parse(d, json, len, len, &o)) ||
        (rc = json_get_u64(&o, "peak_equity_lamports", &b.peak_equity_lamports)) ||
        (rc = json_get_u64(&o, "equity_lamports", &b.equity_lamports)) ||
        (rc = json_get_u64(&o, "loss_streak", &loss_streak)) ||
        (rc = json_get_u64(&o, "recovery_streak", &recovery_streak)) ||
        (rc = json_get_u64(&o, "n_trades", &b.n_trades)) ||
        (rc = json_get_i64(&o, "last_signal_ms", &b.last_signal_ms)) ||
        (rc = json_get_str(&o, "recent", &recent, &n_recent)) ||
        (rc = json_get(&o, "breakers", &all))) {
        snprintf(err, errsize, "%s", json_errmsg(d));
        goto out;
    }
    rc = WT_EINVAL;
    if (loss_streak > UINT32_MAX || recovery_streak > UINT32_MAX) {
        snprintf(err, errsize, "loss_streak or recovery_streak out of range");
        goto out;
    }
    b.loss_streak = (uint32_t)loss_streak;
    b.recovery_streak = (uint32_t)recovery_streak;
    if (n_recent > BREAKER_WINDOW_MAX) {
        snprintf(err, errsize, "recent: more than %d outcomes", BREAKER_WINDOW_MAX);
        goto out;
    }
    /* A shorter window keeps the newest outcomes. The PnL of each came
     * with issue 15; a state written before has none, and its window is
     * started afresh (the profit factor cannot be judged without it). */
    struct json_val pnls, pv;
    bool have_pnl = json_find(&o, "recent_pnl", &pnls) == 0;
    if (have_pnl && json_size(&pnls) != n_recent) {
        snprintf(err, errsize, "recent_pnl: %zu values for %zu outcomes", json_size(&pnls),
                 n_recent);
        goto out;
    }
    size_t skip = n_recent > p->win_rate_window ? n_recent - p->win_rate_window : 0;
    for (size_t i = 0; i < n_recent; i++) {
        if (recent[i] != '0' && recent[i] != '1') {
            snprintf(err, errsize, "recent: expected only '0' and '1'");
            goto out;
        }
        int64_t pnl = 0;
        if (have_pnl && (json_index(&pnls, i, &pv) != 0 || json_i64(&pv, &pnl) != 0 ||
                         (pnl > 0) != (recent[i] == '1'))) {
            snprintf(err, errsize, "recent_pnl[%zu]: expected the PnL of outcome '%c'", i,
                     recent[i]);
            goto out;
        }
        if (have_pnl && i >= skip) {
            b.recent_pnl[b.n_recent] = pnl;
            b.recent[b.n_recent++] = (uint8_t)(recent[i] - '0');
            b.wins += (uint32_t)(recent[i] - '0');
        }
    }
    for (int k = 0; k < BREAKER_KIND_COUNT; k++) {
        if ((rc = json_get(&all, kind_names[k], &one)) ||
            (rc = json_get_bool(&one, "active", &b.active[k])) ||
            (rc = json_get_i64(&one, "since_ms", &b.since_ms[k])) ||
            (rc = json_get_str(&one, "reason", &reason, &reason_len))) {
            snprintf(err, errsize, "%s", json_errmsg(d));
            goto out;
        }
        if (reason_len >= BREAKER_REASON_MAX) {
            rc = WT_EINVAL;
            snprintf(err, errsize, "breakers.%s.reason: too long", kind_names[k]);
            goto out;
        }
        memcpy(b.reason[k], reason, reason_len);
    }
    if (!b.active[BREAKER_LOSS_STREAK] && b.recovery_streak) {
        rc = WT_EINVAL;
        snprintf(err, errsize, "recovery_streak is set while the loss-streak breaker is off");
        goto out;
    }
    *out = b;
    rc = 0;
out:
    json_doc_free(d);
    return rc;
}
