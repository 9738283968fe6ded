/* The engine's parameters and commands: defaults and validation of struct
 * engine_params, and what each operator command (pause, resume, breaker
 * reset, watch lists, blacklists, live settings and their staged runs,
 * exit strategies, manual close) does to the engine.
 *
 * Kept apart from the event dispatch (engine.c) because commands are the
 * one input that changes the configuration rather than the market: every
 * rule about what may change at run time, and how a bad value is refused
 * without changing anything, is in this file. */

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "trade/engine_impl.h"

/* ---- parameters ----------------------------------------------------------- */

void engine_params_default(struct engine_params *p)
{
    memset(p, 0, sizeof *p);
    p->mode = TRADE_PAPER;
    p->capital_lamports = 10ULL * 1000000000ULL;
    p->fee_reserve_lamports = 10000000;
    p->max_exposure = 0.5;
    p->slippage_bps = 300;
    p->dust_fraction = 0.001;
    p->rescore_ms = MS_PER_HOUR;
    p->rescore_min_ms = 5 * MS_PER_MINUTE;
    p->token_wait_ms = 0;
    p->token_fresh_ms = MS_PER_MINUTE;
    exit_book_init_default(&p->book);
    signal_params_default(&p->signal);
    sizing_params_default(&p->sizing);
    p->sizing.threshold = p->signal.threshold;
    breaker_params_default(&p->breakers);
    market_params_default(&p->market);
    intel_params_default(&p->intel);
    p->intel.ledger.keep_fills = false; /* patterns are discovery's, not the engine's */
}

/* The exit book, with messages that name the setting to change. */
static int book_validate(const struct exit_book *b, char *err, size_t errsize)
{
    char names[EXIT_BOOK_MAX * (EXIT_NAME_MAX + 2)] = "";
    for (uint32_t i = 0; i < b->n && i < EXIT_BOOK_MAX; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%.*s", i ? ", " : "",
                 EXIT_NAME_MAX, b->s[i].name);
    if (!exit_book_find(b, b->default_name)) {
        if (err && errsize)
            snprintf(err, errsize,
                     "exit strategy '%.*s' (trade.default_strategy) is not in the book, which "
                     "has: %s",
                     EXIT_NAME_MAX, b->default_name, names);
        return WT_EINVAL;
    }
    for (uint32_t i = 0; i < b->n_overrides && i < EXIT_OVERRIDE_MAX; i++)
        if (!exit_book_find(b, b->overrides[i].strategy)) {
            if (err && errsize)
                snprintf(err, errsize,
                         "exit strategy '%.*s' (trade.exit_overrides) is not in the book, which "
                         "has: %s",
                         EXIT_NAME_MAX, b->overrides[i].strategy, names);
            return WT_EINVAL;
        }
    return exit_book_validate(b, err, errsize);
}

int engine_params_validate(const struct engine_params *p, char *err, size_t errsize)
{
    int rc;
    if (p->mode != TRADE_PAPER && p->mode != TRADE_LIVE)
        return wt_set_err(err, errsize, WT_EINVAL, "mode must be paper or live");
    if (p->capital_lamports == 0)
        return wt_set_err(err, errsize, WT_EINVAL, "trade.paper_capital_sol must be positive");
    if (!(p->max_exposure > 0 && p->max_exposure <= 1))
        return wt_set_err(err, errsize, WT_EINVAL, "trade.max_exposure must be in (0, 1]");
    if (!(p->dust_fraction >= 0 && p->dust_fraction < 1))
        return wt_set_err(err, errsize, WT_EINVAL, "dust_fraction must be in [0, 1)");
    if (p->slippage_bps == 0 || p->slippage_bps >= 10000)
        return wt_set_err(err, errsize, WT_EINVAL, "trade.slippage_bps must be in [1, 9999]");
    if (p->token_wait_ms < 0 || p->token_wait_ms > MS_PER_MINUTE)
        return wt_set_err(err, errsize, WT_EINVAL, "signal.token_wait_ms must be in [0, 60000]");
    if (p->token_fresh_ms <= 0)
        return wt_set_err(err, errsize, WT_EINVAL, "token_fresh_ms must be positive");
    if ((rc = signal_params_validate(&p->signal, err, errsize)) ||
        (rc = sizing_params_validate(&p->sizing, err, errsize)) ||
        (rc = breaker_params_validate(&p->breakers, err, errsize)))
        return rc;
    if (p->sizing.threshold != p->signal.threshold)
        return wt_set_err(err, errsize, WT_EINVAL, "sizing and signal thresholds differ");
    return book_validate(&p->book, err, errsize);
}

/* ---- commands --------------------------------------------------------------- */

_Static_assert(sizeof(struct exit_strategy) <= COMMAND_PAYLOAD_MAX,
               "a CMD_EXIT_PUT command carries a whole exit strategy");

void engine_command_exit_put(struct command_event *c, const struct exit_strategy *s)
{
    memset(c, 0, sizeof *c);
    c->kind = CMD_EXIT_PUT;
    memcpy(c->payload, s, sizeof *s);
}

static int cmd_fail(struct engine *e, int rc, const char *fmt, const char *arg)
{
    snprintf(e->err, sizeof e->err, fmt, arg);
    return rc;
}

static void apply_params(struct engine *e, const struct engine_params *np)
{
    e->p = *np;
    /* Breakers keep their state; a shorter window keeps the newest trades. */
    struct breakers *b = &e->br;
    b->p = np->breakers;
    if (b->n_recent > b->p.win_rate_window) {
        uint32_t drop = b->n_recent - b->p.win_rate_window;
        for (uint32_t i = 0; i < drop; i++)
            b->wins -= b->recent[i];
        memmove(b->recent, b->recent + drop, b->n_recent - drop);
        memmove(b->recent_pnl, b->recent_pnl + drop,
                (b->n_recent - drop) * sizeof b->recent_pnl[0]);
        b->n_recent -= drop;
    }
}

int engine_handle_command(struct engine *e, const struct command_event *c)
{
    e->c.commands++;
    struct breaker_alerts al = {0};
    int rc = 0;
    switch (c->kind) {
    case CMD_PAUSE:
        breakers_pause(&e->br, e->now, c->text, &al);
        break;
    case CMD_RESUME:
        breakers_resume(&e->br, e->now, &al);
        break;
    case CMD_BREAKER_RESET: {
        enum breaker_kind k = BREAKER_KIND_COUNT;
        if (c->text[0] && strcmp(c->text, "all") != 0) {
            int i;
            for (i = 0; i < BREAKER_KIND_COUNT; i++)
                if (strcmp(c->text, breaker_kind_name((enum breaker_kind)i)) == 0)
                    break;
            if (i == BREAKER_KIND_COUNT)
                return cmd_fail(e, WT_EINVAL,
                                "no breaker named '%s' (drawdown, win_rate, loss_streak, "
                                "signal_silence, operator, all)",
                                c->text);
            k = (enum breaker_kind)i;
        }
        breakers_reset(&e->br, k, e->now, &al);
        break;
    }
    case CMD_WATCH:
    case CMD_UNWATCH:
    case CMD_BLACKLIST:
    case CMD_UNBLACKLIST:
    case CMD_CLUSTER_BLACKLIST:
    case CMD_CLUSTER_UNBLACKLIST: {
        uint32_t wid = engine_wallet_id(e, &c->wallet); /* may grow e->w */
        struct ewallet *w = &e->w.v[wid];
        bool *flag = c->kind <= CMD_UNWATCH       ? &w->watched
                     : c->kind <= CMD_UNBLACKLIST ? &w->blacklisted
                                                  : &w->cluster_bl;
        uint32_t *count = c->kind <= CMD_UNWATCH       ? &e->n_watched
                          : c->kind <= CMD_UNBLACKLIST ? &e->n_bl
                                                       : &e->n_cbl;
        bool on =
            c->kind == CMD_WATCH || c->kind == CMD_BLACKLIST || c->kind == CMD_CLUSTER_BLACKLIST;
        if (*flag != on)
            *count += on ? 1 : (uint32_t)-1;
        *flag = on;
        if (c->kind == CMD_WATCH && c->value >= 0 && c->value <= 100)
            w->prior = c->value / 100.0;
        break;
    }
    case CMD_CLUSTER_RESET:
        for (size_t i = 0; i < e->w.len; i++) {
            e->w.v[i].cluster = 0;
            e->w.v[i].cluster_leader = false;
            e->w.v[i].cluster_bl = false;
        }
        e->n_cbl = 0;
        break;
    case CMD_CLUSTER_MEMBER: {
        if (!(c->value >= 1 && c->value <= (double)UINT32_MAX))
            return cmd_fail(e, WT_EINVAL, "a cluster id must be >= 1%s", "");
        uint32_t wid = engine_wallet_id(e, &c->wallet); /* may grow e->w */
        e->w.v[wid].cluster = (uint32_t)c->value;
        e->w.v[wid].cluster_leader = strcmp(c->name, "leader") == 0;
        break;
    }
    case CMD_SET: {
        /* Settings valid only together come as a run of CMD_SET, all but
         * the last with value 1: staged, then validated and applied at
         * once with the last, or all refused. */
        struct engine_params np = e->staging ? e->staged : e->p;
        bool more = c->value == 1;
        rc = engine_params_set(&np, c->name, c->text, !more, e->err, sizeof e->err);
        if (rc || more) {
            e->staging = rc == 0;
            e->staged = np;
            return rc;
        }
        e->staging = false;
        apply_params(e, &np);
        break;
    }
    case CMD_SET_STRATEGY:
    case CMD_CLOSE_POSITION: {
        char idtext[24];
        snprintf(idtext, sizeof idtext, "%llu", (unsigned long long)c->id);
        struct epos *ep = engine_position_by_id(e, c->id);
        if (!ep)
            return cmd_fail(e, WT_ENOTFOUND, "no open position %s", idtext);
        size_t i = (size_t)(ep - e->pos.v);
        if (c->kind == CMD_SET_STRATEGY) {
            const struct exit_strategy *s = exit_book_find(&e->p.book, c->name);
            if (!s)
                return cmd_fail(e, WT_ENOTFOUND, "no exit strategy named '%s'", c->name);
            rc = position_set_strategy(&ep->p, s, e->err, sizeof e->err);
            if (rc)
                return rc;
            ep->dirty = true;
            engine_emit_position(e, &ep->p, POS_UPDATED);
            engine_run_exits(e, i, TRIG_TIME, 0, NULL);
        } else {
            struct exit_decision d;
            rc = position_manual_exit(&ep->p, ep->p.last_price, e->now, &d);
            if (rc)
                return cmd_fail(e, rc, "position %s has a sale in flight", idtext);
            engine_revalue(e, ep);
            engine_sell(e, ep, &d);
        }
        break;
    }
    case CMD_EXIT_PUT:
    case CMD_EXIT_DELETE: {
        /* The book's strategies; a staged CMD_SET run sees the change too.
         * Open positions keep their own copy of their strategy. */
        struct exit_book nb = e->p.book;
        if (c->kind == CMD_EXIT_PUT) {
            struct exit_strategy s;
            memcpy(&s, c->payload, sizeof s);
            rc = exit_book_put(&nb, &s, e->err, sizeof e->err);
        } else {
            rc = exit_book_remove(&nb, c->name, e->err, sizeof e->err);
        }
        if (rc)
            return rc;
        if (e->staging) {
            struct exit_book sb = e->staged.book;
            memcpy(sb.s, nb.s, sizeof sb.s);
            sb.n = nb.n;
            if (book_validate(&sb, NULL, 0) == 0)
                e->staged.book = sb;
        }
        e->p.book = nb;
        break;
    }
    default:
        return cmd_fail(e, WT_EINVAL, "unknown command%s", "");
    }
    engine_emit_breaker_alerts(e, &al);
    return rc;
}
