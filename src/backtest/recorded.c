/* As-recorded backtests (see recorded.h): the sessions of the engine
 * journal, the start of one rebuilt as engine_store_restore did it, then
 * its inputs fed in the recorded order. */
#include "backtest/recorded.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest/scenario.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"
#include "trade/engine.h"
#include "trade/engine_store.h"
#include "trade/journal.h"

/* ---- the sessions ------------------------------------------------------------ */

/* A recorded run: its rows from start_row up to next_start_row (0: the
 * end), its span of engine time [begin_ms, the next run's begin). */
struct session {
    int64_t start_row, started_ms, begin_ms, last_ms, next_start_row;
    bool stopped; /* a stop row: the run stopped cleanly, all recorded */
};

struct sessions {
    VEC(struct session) v;
};

static int note_row(void *ctx, const struct journal_row *r)
{
    struct sessions *s = ctx;
    struct session *cur = s->v.len ? &s->v.v[s->v.len - 1] : NULL;
    if (strcmp(r->kind, "start") == 0) {
        if (cur)
            cur->next_start_row = r->id;
        cur = vec_push_zero(&s->v);
        cur->start_row = r->id;
        cur->started_ms = cur->begin_ms = cur->last_ms = r->ts_ms;
    } else if (cur && strcmp(r->kind, "ready") == 0) {
        cur->begin_ms = cur->last_ms = r->ts_ms;
    } else if (cur && strcmp(r->kind, "stop") == 0) {
        cur->stopped = true;
    } else if (cur) {
        int64_t last = r->ts_ms;
        if (strcmp(r->kind, "ticks") == 0) {
            int64_t t[JOURNAL_TICKS_MAX];
            char err[128];
            if (journal_ticks_parse(r->ts_ms, r->n, r->body, t, err, sizeof err) == 0)
                last = t[r->n - 1]; /* else the replay reports it */
        }
        if (last > cur->last_ms)
            cur->last_ms = last;
    }
    return 0;
}

/* The one recorded run whose span meets [from, to). */
static int pick_session(struct store *st, int64_t from, int64_t to, struct session *out, char *err,
                        size_t errsize)
{
    struct sessions s = {0};
    int rc = store_journal_scan(st, 0, note_row, &s);
    if (rc) {
        snprintf(err, errsize, "reading the engine journal: %s", wt_strerror(rc));
        vec_free(&s.v);
        return rc;
    }
    size_t hit = 0, n = 0;
    for (size_t i = 0; i < s.v.len; i++) {
        int64_t end = i + 1 < s.v.len ? s.v.v[i + 1].begin_ms : INT64_MAX;
        if (s.v.v[i].begin_ms < to && end > from && n++ == 0)
            hit = i;
    }
    char a[32], b[32];
    if (n == 0) {
        rc = WT_ENOTFOUND;
        if (s.v.len == 0) {
            snprintf(err, errsize,
                     "no recorded serve run: the engine journal is empty (serve records it "
                     "from this version on)");
        } else {
            clock_format_iso(s.v.v[0].begin_ms, a, sizeof a);
            clock_format_iso(s.v.v[s.v.len - 1].last_ms, b, sizeof b);
            snprintf(err, errsize,
                     "no recorded serve run in the window: the engine journal covers %s to %s", a,
                     b);
        }
    } else if (n > 1) {
        rc = WT_EINVAL;
        clock_format_iso(s.v.v[hit + 1].begin_ms, a, sizeof a);
        snprintf(err, errsize,
                 "the window spans %zu recorded serve runs (a restart at %s in engine time): an "
                 "as-recorded replay covers one run; narrow the window",
                 n, a);
    } else if (!s.v.v[hit].stopped && to > s.v.v[hit].last_ms) {
        /* Running, or ended without a clean stop: inputs after the last
         * recorded one may not be written (yet). */
        rc = WT_EINVAL;
        clock_format_iso(s.v.v[hit].last_ms, a, sizeof a);
        snprintf(err, errsize,
                 "the recorded serve run %s: its journal reaches %s (engine time); end the "
                 "window there",
                 s.v.v[hit].next_start_row ? "ended without a clean stop" : "is still running", a);
    } else {
        *out = s.v.v[hit];
    }
    vec_free(&s.v);
    return rc;
}

/* ---- the replay ------------------------------------------------------------- */

#define PAGE 1024

/* Stored events of one table in id order, read a page at a time. */
struct feed {
    enum event_kind kind;
    int64_t after; /* id of the last event taken */
    struct event *ev;
    int64_t *ids;
    size_t n, i;
};

struct rec {
    struct store *st;
    struct engine *e;
    struct bt_tape *keys;
    struct bt_result *r;
    struct bt_recorded_info *info;
    const struct bt_run_opts *o;
    struct feed f[3];
    int64_t from, to, now, next_sample, last_event_ts;
    double capital; /* equity at the first sample */
    bool sampled, done;
    int64_t stop_row; /* the next run's start row (0: none) */
    size_t rows;
    int64_t warmed; /* swaps of the warm-up */
    char *err;
    size_t errsize;
};

static void keep_key(struct bt_tape *t, const struct pubkey *k)
{
    intern_put(&t->keys, k->b);
}

/* Samples the curve up to (not including) engine time t; false when t is
 * at or past the window's end (the replay stops before it). */
static bool reach(struct rec *x, int64_t t)
{
    if (t < x->now)
        t = x->now;
    while (x->next_sample <= t && x->next_sample < x->to) {
        bt_sample(x->e, x->next_sample, x->r);
        if (!x->sampled) {
            x->capital = x->r->curve.v[x->r->curve.len - 1].equity_sol;
            x->sampled = true;
        }
        x->next_sample += MS_PER_HOUR;
    }
    return t < x->to;
}

static void handle(struct rec *x, const struct event *ev)
{
    int64_t ts = event_ts_ms(ev);
    if (ts > x->now)
        x->now = ts;
    (void)engine_handle(x->e, ev); /* a refused command is refused as it was live */
}

static struct feed *feed_of(struct rec *x, enum event_kind k)
{
    for (int i = 0; i < 3; i++)
        if (x->f[i].kind == k)
            return &x->f[i];
    return NULL;
}

/* The next stored event of f, or NULL (none left, or a store error in rc). */
static const struct event *next_event(struct rec *x, struct feed *f, int *rc)
{
    if (f->i == f->n) {
        f->i = f->n = 0;
        if ((*rc = store_events_after(x->st, f->kind, f->after, f->ev, f->ids, PAGE, &f->n)) != 0)
            return NULL;
        if (f->n == 0)
            return NULL;
    }
    f->after = f->ids[f->i];
    return &f->ev[f->i++];
}

/* A run of n stored events (one: a single event at time ts). */
static int run_events(struct rec *x, const struct journal_row *row, enum event_kind k, bool one)
{
    struct feed *f = feed_of(x, k);
    uint64_t h = JOURNAL_HASH_INIT;
    int rc = 0;
    for (int64_t i = 0; i < row->n; i++) {
        const struct event *src = next_event(x, f, &rc);
        if (!src) {
            snprintf(x->err, x->errsize,
                     "journal row %lld: %lld %s were handed to the engine but only %lld are "
                     "stored after them (removed since?)",
                     (long long)row->id, (long long)row->n, journal_run_kind(k, false),
                     (long long)i);
            return rc ? rc : WT_ESTATE;
        }
        struct event ev = *src;
        h = journal_event_hash(h, &ev);
        if (one)
            journal_event_retime(&ev, row->ts_ms);
        int64_t ts = event_ts_ms(&ev);
        if (!reach(x, ts)) {
            x->done = true;
            return 0;
        }
        if (ev.kind == EVENT_SWAP) {
            keep_key(x->keys, &ev.u.swap.wallet);
            keep_key(x->keys, &ev.u.swap.mint);
        } else if (ev.kind == EVENT_PRICE) {
            keep_key(x->keys, &ev.u.price.mint);
        }
        if (ts < x->last_event_ts)
            x->info->out_of_order++;
        else
            x->last_event_ts = ts;
        handle(x, &ev);
        x->info->events++;
        x->r->m.events += ts >= x->from;
    }
    if (h != row->hash) {
        snprintf(x->err, x->errsize,
                 "journal row %lld: the stored %s after id %lld are not those the engine was "
                 "handed (stored by another writer in between?)",
                 (long long)row->id, journal_run_kind(k, false), (long long)(f->after - row->n));
        return WT_ESTATE;
    }
    x->info->runs++;
    return 0;
}

/* A "ticks" row: its ticks one by one, as single "tick" rows would be. */
static int run_ticks(struct rec *x, const struct journal_row *row)
{
    int64_t t[JOURNAL_TICKS_MAX];
    char why[160];
    if (journal_ticks_parse(row->ts_ms, row->n, row->body, t, why, sizeof why) != 0) {
        snprintf(x->err, x->errsize, "journal row %lld: %s", (long long)row->id, why);
        return WT_EPARSE;
    }
    for (int64_t i = 0; i < row->n; i++) {
        if (!reach(x, t[i])) {
            x->done = true;
            return 1;
        }
        struct event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = EVENT_TICK;
        ev.u.tick.ts_ms = t[i];
        x->info->ticks++;
        if (x->info->last_ms < t[i])
            x->info->last_ms = t[i];
        handle(x, &ev);
    }
    return 0;
}

static int one_row(void *ctx, const struct journal_row *row)
{
    struct rec *x = ctx;
    if (x->done || (x->stop_row && row->id >= x->stop_row))
        return 1; /* stop: not an error */
    if (++x->rows % 4096 == 0 && x->o && x->o->cancel && atomic_load(x->o->cancel))
        return WT_ECLOSED;
    bool one = false;
    enum event_kind k = journal_kind_event(row->kind, &one);
    if (k)
        return run_events(x, row, k, one);
    struct event ev;
    memset(&ev, 0, sizeof ev);
    if (strcmp(row->kind, "ticks") == 0)
        return run_ticks(x, row);
    if (strcmp(row->kind, "tick") == 0) {
        ev.kind = EVENT_TICK;
        ev.u.tick.ts_ms = row->ts_ms;
        x->info->ticks++;
    } else if (strcmp(row->kind, "command") == 0) {
        ev.kind = EVENT_COMMAND;
        int rc = journal_command_parse(row->body, strlen(row->body), row->ts_ms, &ev.u.command,
                                       x->err, x->errsize);
        if (rc)
            return rc;
        if (!(ev.u.command.wallet.b[0] == 0 &&
              memcmp(ev.u.command.wallet.b, ev.u.command.wallet.b + 1, 31) == 0))
            keep_key(x->keys, &ev.u.command.wallet);
        x->info->commands++;
        x->info->settings += ev.u.command.kind == CMD_SET;
    } else if (strcmp(row->kind, "ready") == 0 || strcmp(row->kind, "stop") == 0) {
        return 0; /* the restore is over / the run stopped cleanly */
    } else if (strcmp(row->kind, "clock_limit") == 0) {
        engine_clock_limit(x->e, row->ts_ms);
        if (x->now > row->ts_ms)
            x->now = row->ts_ms;
        return 0;
    } else if (strcmp(row->kind, "gap") == 0) {
        if (!reach(x, row->ts_ms)) {
            x->done = true;
            return 1;
        }
        char at[32];
        clock_format_iso(row->ts_ms, at, sizeof at);
        snprintf(x->err, x->errsize,
                 "journal row %lld: the daemon could not record its inputs around %s (the "
                 "database refused them): the run cannot be replayed exactly past it; end the "
                 "window before",
                 (long long)row->id, at);
        return WT_ESTATE;
    } else if (strcmp(row->kind, "fill") == 0) {
        snprintf(x->err, x->errsize, "journal row %lld: a live fill; live runs are not replayed",
                 (long long)row->id);
        return WT_EINVAL;
    } else {
        snprintf(x->err, x->errsize, "journal row %lld: unknown kind \"%s\"", (long long)row->id,
                 row->kind);
        return WT_EPARSE;
    }
    if (!reach(x, ev.kind == EVENT_COMMAND && ev.u.command.ts_ms == 0 ? x->now : row->ts_ms)) {
        x->done = true;
        return 1;
    }
    if (x->info->last_ms < row->ts_ms)
        x->info->last_ms = row->ts_ms;
    handle(x, &ev);
    return 0;
}

/* ---- the start ------------------------------------------------------------- */

struct start {
    struct json_doc *d;
    struct json_val root;
    int64_t created_ms, trades, last_trade_id, swaps;
    int64_t ids[3];
    bool warm;
};

static int parse_start(const char *body, struct start *s, char *err, size_t errsize)
{
    memset(s, 0, sizeof *s);
    s->d = json_doc_new(64);
    struct json_val ids, v;
    const char *mode = "";
    if (json_parse(s->d, body, strlen(body), 0, &s->root) != 0 ||
        json_get_str(&s->root, "mode", &mode, NULL) != 0 ||
        json_get_i64(&s->root, "created_ms", &s->created_ms) != 0 ||
        json_get_bool(&s->root, "warm", &s->warm) != 0 ||
        json_get_i64(&s->root, "trades", &s->trades) != 0 ||
        json_get_i64(&s->root, "swaps", &s->swaps) != 0 ||
        json_get_i64(&s->root, "last_trade_id", &s->last_trade_id) != 0 ||
        json_get(&s->root, "event_ids", &ids) != 0 || json_size(&ids) != 3) {
        snprintf(err, errsize, "the start row of the recorded run does not parse");
        return WT_EPARSE;
    }
    for (size_t i = 0; i < 3; i++)
        if (json_index(&ids, i, &v) != 0 || json_i64(&v, &s->ids[i]) != 0) {
            snprintf(err, errsize, "the start row of the recorded run does not parse");
            return WT_EPARSE;
        }
    if (strcmp(mode, "paper") != 0) {
        snprintf(err, errsize,
                 "the recorded run traded %s: only paper runs are replayed (live "
                 "fills depend on the chain)",
                 mode);
        return WT_EINVAL;
    }
    return 0;
}

/* The settings and exit book the run started with into setup (and the
 * whole configuration into cfg). */
static int start_setup(const struct start *s, struct bt_setup *setup, struct config *cfg, char *err,
                       size_t errsize)
{
    bt_setup_init(setup);
    struct json_val ex, e, set;
    if (json_get(&s->root, "exits", &ex) != 0 || json_get(&s->root, "settings", &set) != 0) {
        snprintf(err, errsize, "the start row of the recorded run has no settings");
        return WT_EPARSE;
    }
    char why[256];
    for (size_t i = 0; json_index(&ex, i, &e) == 0; i++) {
        struct exit_strategy x;
        if (exit_strategy_from_json(&e, &x, why, sizeof why) != 0 ||
            exit_book_put(&setup->engine.book, &x, why, sizeof why) != 0) {
            snprintf(err, errsize, "a recorded exit strategy: %s", why);
            return WT_EPARSE;
        }
    }
    struct config base;
    config_init(&base);
    for (int i = 0; i < CFG_COUNT; i++) {
        const struct config_def *d = config_def_of((enum config_id)i);
        const char *v = NULL;
        if (!bt_setting_known(d->name) || json_opt_str(&set, d->name, &v, NULL) != 0 || !v)
            continue;
        if (config_set(&base, d->name, v, CONFIG_SRC_DB) != 0) {
            snprintf(err, errsize, "a recorded setting: %s", config_errmsg(&base));
            config_release(&base);
            return WT_EPARSE;
        }
    }
    int rc = bt_settings(&base, NULL, 0, cfg, setup, err, errsize);
    config_release(&base);
    return rc;
}

static int warm_one(void *ctx, const struct stored_swap *s)
{
    struct rec *x = ctx;
    if (s->id <= x->f[0].after) {
        engine_warm_swap(x->e, &s->swap);
        x->warmed++;
    }
    return 0;
}

struct trades_ctx {
    struct engine *e;
    int64_t last_id, seen;
};

static int trade_one(void *ctx, const struct closed_trade_row *t)
{
    struct trades_ctx *c = ctx;
    if (t->id > c->last_id)
        return 0;
    c->seen++;
    struct pubkey wallet;
    if (pubkey_parse(t->wallet, &wallet) == 0)
        engine_restore_trade(c->e, &wallet, t->opened_ms,
                             t->pnl_sol > 0   ? 1
                             : t->pnl_sol < 0 ? -1
                                              : 0);
    return 0;
}

/* What engine_store_restore did at the run's start, from the journal's
 * start row and the store: warm-up, state row, positions, closed trades
 * (the watchlist and clusters follow as recorded commands). */
static int restore(struct rec *x, const struct start *s)
{
    int rc = 0;
    if (s->warm && (rc = store_swaps_scan(x->st, INT64_MIN, INT64_MAX, warm_one, x)) != 0) {
        snprintf(x->err, x->errsize, "reading the stored swaps: %s", wt_strerror(rc));
        return rc;
    }
    if (s->warm && x->warmed != s->swaps) {
        snprintf(x->err, x->errsize,
                 "the run warmed up on %lld stored swaps, %lld of them are left: the history "
                 "it started from was changed since",
                 (long long)s->swaps, (long long)x->warmed);
        return WT_ESTATE;
    }
    struct json_val v, p;
    const char *str;
    size_t len;
    if (json_get(&s->root, "state", &v) == 0 && !json_is_null(&v)) {
        if (json_str(&v, &str, &len) != 0 ||
            (rc = engine_restore_state(x->e, str, len, x->err, x->errsize)) != 0)
            return rc ? rc : WT_EPARSE;
    }
    if (json_get(&s->root, "positions", &v) == 0) {
        for (size_t i = 0; json_index(&v, i, &p) == 0; i++) {
            struct position pos;
            double score, f[SF_COUNT];
            char why[EXIT_ERR_MAX];
            if (json_str(&p, &str, &len) != 0 ||
                engine_store_position_parse(str, len, &pos, &score, f, why, sizeof why) != 0 ||
                engine_restore_position(x->e, &pos, score, f) != 0) {
                snprintf(x->err, x->errsize, "a recorded open position cannot be restored");
                return WT_EPARSE;
            }
            keep_key(x->keys, &pos.mint);
            keep_key(x->keys, &pos.wallet);
        }
    }
    struct trades_ctx tc = {x->e, s->last_trade_id, 0};
    if ((rc = store_closed_trades_scan(x->st, "paper", 0, trade_one, &tc)) != 0) {
        snprintf(x->err, x->errsize, "reading the closed trades: %s", wt_strerror(rc));
        return rc;
    }
    if (tc.seen != s->trades) {
        snprintf(x->err, x->errsize,
                 "the run started with %lld closed trades, %lld of them are left: the history "
                 "it started from was changed since",
                 (long long)s->trades, (long long)tc.seen);
        return WT_ESTATE;
    }
    return 0;
}

static int copy_start(void *ctx, const struct journal_row *r)
{
    buf_puts(ctx, r->body);
    return 1; /* the first row is all */
}

int bt_recorded_run(struct store *st, int64_t from_ms, int64_t to_ms, const struct bt_run_opts *o,
                    struct bt_tape *keys, struct bt_result *r, struct config *settings,
                    struct bt_recorded_info *info, char *err, size_t errsize)
{
    memset(info, 0, sizeof *info);
    config_init(settings);
    if (to_ms <= from_ms) {
        snprintf(err, errsize, "the window is empty or inverted (--to must be after --from)");
        return WT_EINVAL;
    }
    struct session ses;
    int rc = pick_session(st, from_ms, to_ms, &ses, err, errsize);
    if (rc)
        return rc;
    info->start_row = ses.start_row;
    info->started_ms = ses.started_ms;
    info->last_ms = ses.started_ms;

    struct buf body;
    buf_init(&body, 0);
    struct start s = {0};
    struct bt_setup setup;
    rc = store_journal_scan(st, ses.start_row - 1, copy_start, &body);
    rc = rc == 1 ? 0 : rc ? rc : WT_EPARSE;
    if (rc == 0)
        rc = parse_start(body.data ? body.data : "", &s, err, errsize);
    config_release(settings);
    if (rc == 0)
        rc = start_setup(&s, &setup, settings, err, errsize);
    else
        config_init(settings);
    buf_release(&body);
    if (rc) {
        json_doc_free(s.d);
        return rc;
    }

    struct rec x = {.st = st,
                    .keys = keys,
                    .r = r,
                    .info = info,
                    .o = o,
                    .from = from_ms,
                    .to = to_ms,
                    .next_sample = from_ms,
                    .err = err,
                    .errsize = errsize,
                    .stop_row = ses.next_start_row};
    enum event_kind kinds[3] = {EVENT_SWAP, EVENT_TRANSFER, EVENT_PRICE};
    for (int i = 0; i < 3; i++) {
        x.f[i].kind = kinds[i];
        x.f[i].after = s.ids[i];
        x.f[i].ev = xmalloc(PAGE * sizeof *x.f[i].ev);
        x.f[i].ids = xmalloc(PAGE * sizeof *x.f[i].ids);
    }
    double capital = (double)setup.engine.capital_lamports / 1e9;
    struct engine_out *out = bt_collector_new(keys, r, capital, true, from_ms);
    x.e = engine_new(&setup.engine, out, s.created_ms, err, errsize);
    if (!x.e) {
        rc = WT_EINVAL;
        goto out;
    }
    engine_set_executor(x.e, engine_paper_executor(x.e, &setup.paper));
    if ((rc = restore(&x, &s)) != 0)
        goto out;
    struct engine_status est;
    engine_status(x.e, &est);
    x.now = est.now_ms;
    rc = store_journal_scan(st, ses.start_row, one_row, &x);
    if (rc == 1)
        rc = 0;
    if (rc == 0 && o && o->cancel && atomic_load(o->cancel))
        rc = WT_ECLOSED;
    if (rc == 0) {
        reach(&x, to_ms);
        if (!x.sampled) {
            engine_status(x.e, &est);
            x.capital = (double)est.equity_lamports / 1e9;
        }
        bt_collector_finish(out, x.e, to_ms, x.capital, o ? o->perf_points : 0);
    } else if (rc == WT_ECLOSED) {
        snprintf(err, errsize, "cancelled");
    }
out:
    engine_free(x.e); /* and the collector (engine_new freed it on failure) */
    for (int i = 0; i < 3; i++) {
        free(x.f[i].ev);
        free(x.f[i].ids);
    }
    json_doc_free(s.d);
    return rc;
}
