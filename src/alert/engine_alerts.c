/* Engine decisions that an operator must hear about, as push alerts. See
 * engine_alerts.h. */
#include "alert/engine_alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hist.h"
#include "base/mem.h"

/* The times of the last traded signals by id (a ring: a buy follows its
 * signal at once, or after the token wait), for the signal-to-order
 * histogram. */
#define SIG_RING 256

struct engine_alerts {
    struct engine_out base;
    struct alerter *a;
    uint64_t sig_id[SIG_RING];
    int64_t sig_ts[SIG_RING];
};

static const char *mode_name(enum trade_mode m)
{
    return m == TRADE_LIVE ? "live" : "paper";
}

static enum alert_severity severity_of(const char *s)
{
    if (strcmp(s, "critical") == 0)
        return ALERT_CRITICAL;
    if (strcmp(s, "warn") == 0)
        return ALERT_WARN;
    return ALERT_INFO;
}

static void on_alert(struct engine_out *o, const struct engine_alert *x)
{
    struct engine_alerts *ea = (struct engine_alerts *)o;
    struct alert_msg m;
    memset(&m, 0, sizeof m);
    bool breaker = strcmp(x->kind, "circuit_breaker") == 0;
    snprintf(m.kind, sizeof m.kind, "%s", breaker ? "breaker" : x->kind);
    m.severity = severity_of(x->severity);
    if (breaker)
        snprintf(m.title, sizeof m.title, "Circuit breaker %s: %s", x->breaker,
                 strcmp(x->action, "clear") == 0 ? "cleared" : "triggered");
    else
        snprintf(m.title, sizeof m.title, "Health: %s", x->kind);
    snprintf(m.text, sizeof m.text, "%s", x->message);
    m.ts_ms = x->ts_ms;
    snprintf(m.mode, sizeof m.mode, "%s", mode_name(x->mode));
    alerter_post(ea->a, &m);
}

static void on_order(struct engine_out *o, const struct engine_order *x)
{
    struct engine_alerts *ea = (struct engine_alerts *)o;
    if (x->status == ORDER_SENT && x->side == SIDE_BUY && x->signal_id &&
        ea->sig_id[x->signal_id % SIG_RING] == x->signal_id) {
        hist_observe_ns(HIST_SIGNAL_TO_ORDER,
                        (x->ts_ms - ea->sig_ts[x->signal_id % SIG_RING]) * 1000000);
        ea->sig_id[x->signal_id % SIG_RING] = 0;
    }
    if (x->status != ORDER_FAILED)
        return;
    struct alert_msg m;
    memset(&m, 0, sizeof m);
    snprintf(m.kind, sizeof m.kind, "execution_failure");
    /* A live order that failed is money that did not move as decided. */
    m.severity = x->mode == TRADE_LIVE ? ALERT_CRITICAL : ALERT_WARN;
    char mint[BASE58_KEY_MAX];
    snprintf(m.title, sizeof m.title, "%s order %llu failed", x->side == SIDE_BUY ? "Buy" : "Sell",
             (unsigned long long)x->id);
    snprintf(m.text, sizeof m.text, "%s of %s: %s", x->reason ? x->reason : "order",
             pubkey_format(&x->mint, mint), x->error && x->error[0] ? x->error : "no reason given");
    m.ts_ms = x->updated_ms;
    snprintf(m.mode, sizeof m.mode, "%s", mode_name(x->mode));
    alerter_post(ea->a, &m);
}

static void on_signal(struct engine_out *o, const struct engine_signal *s)
{
    struct engine_alerts *ea = (struct engine_alerts *)o;
    if (s->reason != SR_TRADED)
        return;
    ea->sig_id[s->id % SIG_RING] = s->id;
    ea->sig_ts[s->id % SIG_RING] = s->ts_ms;
}
static void ignore_fill(struct engine_out *o, const struct engine_fill *f)
{
    (void)o;
    (void)f;
}
static void ignore_position(struct engine_out *o, const struct position *p,
                            enum engine_pos_change c)
{
    (void)o;
    (void)p;
    (void)c;
}
static void ignore_trade(struct engine_out *o, const struct engine_trade *t)
{
    (void)o;
    (void)t;
}
static void ignore_flush(struct engine_out *o, struct engine *e)
{
    (void)o;
    (void)e;
}

static void ea_free(struct engine_out *o)
{
    free(o);
}

static const struct engine_out_ops ops = {
    .signal = on_signal,
    .order = on_order,
    .fill = ignore_fill,
    .position = ignore_position,
    .trade = ignore_trade,
    .alert = on_alert,
    .flush = ignore_flush,
    .free = ea_free,
};

struct engine_out *engine_alerts_new(struct alerter *a)
{
    struct engine_alerts *ea = xcalloc(1, sizeof *ea);
    ea->base.ops = &ops;
    ea->a = a;
    return &ea->base;
}
