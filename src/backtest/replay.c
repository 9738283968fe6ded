/* One backtest run over a tape (see replay.h): the plan that skips what
 * cannot matter, the engine fed in event time, the collector of its
 * decisions and the metrics. */
#include "backtest/replay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "market/market.h"
#include "trade/engine.h"
#include "trade/perf.h"

#define IDLE_TICK_MS MS_PER_MINUTE

void bt_watchlist_release(struct bt_watchlist *w)
{
    vec_free(&w->v);
}

struct wl_ctx {
    struct bt_watchlist *w;
    bool black;
};

static int add_wallet(void *ctx, const struct wallet *x)
{
    struct wl_ctx *c = ctx;
    struct pubkey k;
    if (strcmp(x->chain, "solana") != 0 || pubkey_parse(x->address, &k) != 0)
        return 0;
    struct bt_watch *b = vec_push_zero(&c->w->v);
    b->wallet = k;
    b->prior = c->black ? -1 : x->score;
    b->blacklisted = c->black;
    return 0;
}

static int by_score(const void *a, const void *b)
{
    const struct bt_watch *x = a, *y = b;
    if (x->blacklisted != y->blacklisted)
        return x->blacklisted ? 1 : -1;
    if (x->prior != y->prior)
        return x->prior > y->prior ? -1 : 1;
    return memcmp(x->wallet.b, y->wallet.b, 32);
}

int bt_watchlist_from_store(struct bt_watchlist *w, struct store *st)
{
    struct wallet_filter f;
    memset(&f, 0, sizeof f);
    f.status = WALLET_WATCH;
    struct wl_ctx c = {w, false};
    int rc = store_wallet_scan(st, &f, add_wallet, &c);
    if (rc == 0) {
        f.status = WALLET_BLACKLISTED;
        c.black = true;
        rc = store_wallet_scan(st, &f, add_wallet, &c);
    }
    if (rc == 0 && w->v.len > 1)
        qsort(w->v.v, w->v.len, sizeof *w->v.v, by_score);
    return rc;
}

/* ---- the plan ---------------------------------------------------------------- */

/* The holdings of the market-only wallets, by (wallet, mint) tape ids:
 * open addressing with linear probing, 16 bytes a slot (four to a cache
 * line), at most 3/4 full. A slot: wallet + 1 (0 = empty), the mint with
 * two flags in its top bits (the tape has fewer than 2^30 keys), the raw
 * holding. The flags are what the engine's lookups need of the rest of
 * the holding: HAS_ENTRY, its first buy at a known price is past
 * (market_holding's entry_price > 0); BOUGHT, any buy is past. */
#define HELD_HAS_ENTRY (1u << 31)
#define HELD_BOUGHT    (1u << 30)
#define HELD_MINT      (HELD_BOUGHT - 1)

struct held {
    uint32_t wallet1, mint;
    uint64_t raw;
};

struct held_map {
    struct held *tab;
    size_t mask, used;
};

static size_t held_hash(const struct held_map *m, uint32_t wallet, uint32_t mint)
{
    uint64_t k = (uint64_t)wallet << 32 | mint;
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 32) & m->mask;
}

static size_t held_slot(const struct held_map *m, uint32_t wallet, uint32_t mint)
{
    size_t s = held_hash(m, wallet, mint);
    while (m->tab[s].wallet1 &&
           (m->tab[s].wallet1 != wallet + 1 || (m->tab[s].mint & HELD_MINT) != mint))
        s = (s + 1) & m->mask;
    return s;
}

static void held_init(struct held_map *m, size_t expect)
{
    size_t n = 1024;
    while (n < expect)
        n *= 2;
    m->tab = xcalloc(n, sizeof *m->tab);
    m->mask = n - 1;
    m->used = 0;
}

static struct held *held_get(struct held_map *m, uint32_t wallet, uint32_t mint)
{
    size_t s = held_slot(m, wallet, mint);
    if (m->tab[s].wallet1)
        return &m->tab[s];
    if (4 * (m->used + 1) > 3 * (m->mask + 1)) {
        struct held_map g;
        held_init(&g, 2 * (m->mask + 1));
        for (size_t i = 0; i <= m->mask; i++) {
            const struct held *h = &m->tab[i];
            if (h->wallet1)
                g.tab[held_slot(&g, h->wallet1 - 1, h->mint & HELD_MINT)] = *h;
        }
        g.used = m->used;
        free(m->tab);
        *m = g;
        s = held_slot(m, wallet, mint);
    }
    m->used++;
    m->tab[s].wallet1 = wallet + 1;
    m->tab[s].mint = mint;
    return &m->tab[s];
}

#define HELD_AHEAD       32 /* records ahead whose slot is prefetched */
#define REC_STREAM_AHEAD 96 /* records ahead asked for while streaming the tape */

/* The first record at or after ts (records are in time order). */
static size_t rec_at(const struct bt_tape *t, int64_t ts)
{
    size_t lo = 0, hi = t->recs.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->recs.v[mid].ts_ms < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* What a market-only swap's wallet would show the engine, in feeding
 * order: the market's holding rule (market_holding_step) and the ledger's
 * first buy, over the swaps the engine takes (a zero amount or no side is
 * skipped by it, so here too: k stays zero). */
static void held_step(struct held_map *m, const struct bt_rec *r, struct engine_swap_known *k)
{
    memset(k, 0, sizeof *k);
    if (r->token_amount == 0 || (r->side != SIDE_BUY && r->side != SIDE_SELL))
        return;
    struct held *h = held_get(m, r->wallet, r->mint);
    struct market_holding x = {h->raw, (h->mint & HELD_HAS_ENTRY) ? 1 : 0};
    k->held_before = h->raw;
    k->market_buyer = market_holding_step(&x, (enum side)r->side, r->token_amount, r->price_sol);
    k->first_buy = r->side == SIDE_BUY && !(h->mint & HELD_BOUGHT);
    h->raw = x.raw;
    h->mint |= (x.entry_price > 0 ? HELD_HAS_ENTRY : 0) | (r->side == SIDE_BUY ? HELD_BOUGHT : 0);
}

/* Two passes over the records of [warm_from_ms, to_ms): the mints the
 * watched wallets trade, then what to feed, with the market-only swaps'
 * known facts worked out as they are met (the holdings map is the cost:
 * a cache miss per swap in a table of every (wallet, mint) pair, so the
 * slot of the record HELD_AHEAD on is fetched while this one is worked
 * on). */
int bt_plan_build(struct bt_plan *p, const struct bt_tape *t, const struct bt_watchlist *wl,
                  int64_t warm_from_ms, int64_t from_ms, int64_t to_ms, bool filter)
{
    memset(p, 0, sizeof *p);
    if (to_ms <= from_ms)
        return WT_EINVAL;
    p->from_ms = from_ms;
    p->to_ms = to_ms;
    uint32_t nk = t->keys.count;
    if (nk > HELD_MINT + 1u)
        return WT_EINVAL; /* more keys than bt_tape_load takes */
    uint8_t *watched = xcalloc(nk + 1, 1), *mint = xcalloc(nk + 1, 1);
    for (size_t i = 0; i < wl->v.len; i++) {
        uint32_t id = intern_find(&t->keys, wl->v.v[i].wallet.b);
        if (id != INTERN_NONE && !wl->v.v[i].blacklisted)
            watched[id] = 1;
    }
    size_t lo = rec_at(t, warm_from_ms), hi = rec_at(t, to_ms);
    hi = hi < lo ? lo : hi;
    const struct bt_rec *recs = t->recs.v;
    for (size_t i = lo; i < hi; i++) {
        if (i + REC_STREAM_AHEAD < hi)
            __builtin_prefetch(&recs[i + REC_STREAM_AHEAD]);
        mint[recs[i].mint] |= watched[recs[i].wallet];
    }
    vec_reserve(&p->idx, hi - lo);
    struct held_map m = {0};
    if (filter) {
        p->known = xmalloc((hi - lo + 1) * sizeof *p->known);
        held_init(&m, (hi - lo) / 3 * 4 / 3); /* about a pair per 3 swaps */
    }
    size_t n = 0;
    for (size_t i = lo; i < hi; i++) {
        const struct bt_rec *r = &recs[i];
        if (i + REC_STREAM_AHEAD < hi)
            __builtin_prefetch(&recs[i + REC_STREAM_AHEAD]);
        if (filter && i + HELD_AHEAD < hi)
            __builtin_prefetch(&m.tab[held_hash(&m, r[HELD_AHEAD].wallet, r[HELD_AHEAD].mint)]);
        if (filter && !watched[r->wallet] && !mint[r->mint]) {
            p->skipped++;
            continue;
        }
        p->idx.v[n] = (uint32_t)i;
        p->n_warm += r->ts_ms < from_ms;
        if (filter) {
            if (watched[r->wallet])
                memset(&p->known[n], 0, sizeof *p->known);
            else
                held_step(&m, r, &p->known[n]);
        }
        n++;
    }
    p->idx.len = n;
    free(m.tab);
    free(mint);
    if (filter)
        p->whole = watched;
    else
        free(watched);
    return 0;
}

void bt_plan_release(struct bt_plan *p)
{
    vec_free(&p->idx);
    free(p->whole);
    free(p->known);
    p->whole = NULL;
    p->known = NULL;
}

/* ---- the collector ----------------------------------------------------------- */

struct collect {
    struct engine_out base;
    const struct bt_tape *t;
    struct bt_result *r;
    struct perf *perf; /* NULL in summary mode */
    bool summary;
    bool orders;     /* keep each order's last state */
    int64_t from_ms; /* decisions before it are not kept (0: all) */
    bool owned;      /* bt_collector_new's: freed with the engine */
};

static uint32_t key_id(const struct bt_tape *t, const struct pubkey *k)
{
    return intern_find(&t->keys, k->b);
}

static void c_signal(struct engine_out *o, const struct engine_signal *s)
{
    struct collect *c = (struct collect *)o;
    if (s->ts_ms < c->from_ms)
        return;
    c->r->m.signals++;
    c->r->m.traded += s->reason == SR_TRADED;
    if (c->summary)
        return;
    struct bt_signal *x = vec_push_zero(&c->r->signals);
    x->ts_ms = s->ts_ms;
    x->wallet = key_id(c->t, &s->wallet);
    x->mint = key_id(c->t, &s->mint);
    x->score = s->f ? s->f->score : 0;
    x->reason = (uint8_t)s->reason;
    x->size_lamports = s->size_lamports;
}

static void c_trade(struct engine_out *o, const struct engine_trade *t)
{
    struct collect *c = (struct collect *)o;
    if (t->t->exit_ts_ms < c->from_ms)
        return;
    struct perf_trade p;
    perf_trade_from_engine(t, &p);
    if (c->perf)
        perf_add(c->perf, &p);

    struct bt_trade *x = vec_push_zero(&c->r->trades);
    x->opened_ms = p.opened_ms;
    x->closed_ms = p.closed_ms;
    x->mint = key_id(c->t, &t->t->mint);
    x->wallet = key_id(c->t, &t->t->wallet);
    x->pnl_sol = p.pnl_sol;
    x->pnl_pct = p.pnl_pct;
    x->cost_sol = p.cost_sol;
    x->score = p.score;
    memcpy(x->exit_reason, p.exit_reason, sizeof x->exit_reason);
    memcpy(x->strategy, p.strategy, sizeof x->strategy);
}

static void c_order(struct engine_out *o, const struct engine_order *x)
{
    struct collect *c = (struct collect *)o;
    if (!c->orders || x->ts_ms < c->from_ms)
        return;
    struct bt_order *b = NULL;
    for (size_t i = c->r->orders.len; i-- > 0 && !b;)
        if (c->r->orders.v[i].id == x->id)
            b = &c->r->orders.v[i];
    if (!b) {
        b = vec_push_zero(&c->r->orders);
        b->id = x->id;
        b->signal_id = x->signal_id;
        b->ts_ms = x->ts_ms;
        b->mint = key_id(c->t, &x->mint);
        b->side = (uint8_t)x->side;
        b->slippage_bps = x->slippage_bps;
        b->amount_in = x->amount_in;
    }
    b->status = (uint8_t)x->status;
    b->updated_ms = x->updated_ms;
    str_copy(b->error, sizeof b->error, x->error ? x->error : "");
}

static void c_free(struct engine_out *o)
{
    struct collect *c = (struct collect *)o;
    if (c->owned) { /* else the run owns the collector */
        perf_free(c->perf);
        free(c);
    }
}

static const struct engine_out_ops collect_ops = {
    .signal = c_signal, .order = c_order, .trade = c_trade, .free = c_free};

struct engine_out *bt_collector_new(const struct bt_tape *t, struct bt_result *r, double capital,
                                    bool orders, int64_t from_ms)
{
    struct collect *c = xcalloc(1, sizeof *c);
    c->base.ops = &collect_ops;
    c->t = t;
    c->r = r;
    c->perf = perf_new(capital);
    c->orders = orders;
    c->from_ms = from_ms;
    c->owned = true;
    return &c->base;
}

/* ---- the run ----------------------------------------------------------------- */

void bt_result_init(struct bt_result *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->perf, 0);
}

void bt_result_release(struct bt_result *r)
{
    vec_free(&r->signals);
    vec_free(&r->trades);
    vec_free(&r->curve);
    vec_free(&r->orders);
    buf_release(&r->perf);
}

static int feed(struct engine *e, const struct event *ev, char *err, size_t errsize)
{
    if (engine_handle(e, ev) != 0) {
        snprintf(err, errsize, "the engine refused an event: %s", engine_last_error(e));
        return WT_EINVAL;
    }
    return 0;
}

static bool busy(const struct engine *e)
{
    struct engine_status st;
    engine_status(e, &st);
    return st.open_positions || st.pending_orders || st.parked;
}

void bt_sample(struct engine *e, int64_t ts, struct bt_result *r)
{
    struct engine_status st;
    engine_status(e, &st);
    struct bt_point *pt = vec_push_zero(&r->curve);
    pt->ts_ms = ts;
    pt->equity_sol = (double)st.equity_lamports / 1e9;
}

struct runctx {
    struct engine *e;
    struct bt_result *r;
    const struct bt_run_opts *o;
    int64_t tick_ms, next_tick, next_sample;
    size_t next_cp;
    double capital;
};

static void metrics(struct bt_result *r, const struct engine *e, double capital);

/* A checkpoint: the metrics of a run ending at its time, from a
 * temporary final sample (removed after). */
static void checkpoint(struct runctx *x)
{
    int64_t c = x->o->checkpoints[x->next_cp];
    struct bt_metrics keep = x->r->m;
    bt_sample(x->e, c, x->r);
    metrics(x->r, x->e, x->capital);
    x->o->at_checkpoint[x->next_cp] = x->r->m;
    x->r->curve.len--;
    x->r->m = keep;
    x->next_cp++;
}

static bool cp_due(const struct runctx *x, int64_t t)
{
    return x->next_cp < x->o->n_checkpoints && x->o->checkpoints[x->next_cp] <= t;
}

/* Ticks and hourly samples up to (not including) ts, and the checkpoints
 * up to ts (each before anything at or after its time). */
static int advance(struct runctx *x, int64_t ts, char *err, size_t errsize)
{
    int64_t tick_ms = x->tick_ms;
    int64_t idle = tick_ms >= IDLE_TICK_MS ? tick_ms : IDLE_TICK_MS / tick_ms * tick_ms;
    while (x->next_tick < ts || x->next_sample < ts) {
        bool smp = x->next_sample <= x->next_tick && x->next_sample < ts;
        if (cp_due(x, smp ? x->next_sample : x->next_tick)) {
            checkpoint(x);
            continue;
        }
        if (smp) {
            bt_sample(x->e, x->next_sample, x->r);
            x->next_sample += MS_PER_HOUR;
            continue;
        }
        struct event t;
        memset(&t, 0, sizeof t);
        t.kind = EVENT_TICK;
        t.u.tick.ts_ms = x->next_tick;
        int rc = feed(x->e, &t, err, errsize);
        if (rc)
            return rc;
        x->next_tick += busy(x->e) ? tick_ms : idle;
    }
    while (cp_due(x, ts))
        checkpoint(x);
    return 0;
}

static void metrics(struct bt_result *r, const struct engine *e, double capital)
{
    struct bt_metrics *m = &r->m;
    struct engine_status st;
    engine_status(e, &st);
    m->capital_sol = capital;
    m->final_equity_sol = (double)st.equity_lamports / 1e9;
    m->return_pct = 100.0 * (m->final_equity_sol / capital - 1);
    m->open_positions = st.open_positions;
    m->wins = 0;
    m->pnl_sol = 0;
    double win = 0, loss = 0;
    for (size_t i = 0; i < r->trades.len; i++) {
        double x = r->trades.v[i].pnl_sol;
        m->pnl_sol += x;
        if (x > 0) {
            win += x;
            m->wins++;
        } else {
            loss -= x;
        }
    }
    m->sharpe = 0;
    m->sharpe_valid = false;
    m->trades = r->trades.len;
    m->win_rate = m->trades ? (double)m->wins / (double)m->trades : 0;
    m->profit_factor = loss > 0 ? win / loss : 0;
    m->profit_factor_inf = loss == 0 && win > 0;
    m->expectancy_sol = m->trades ? m->pnl_sol / (double)m->trades : 0;
    double peak = capital, dd = 0;
    for (size_t i = 0; i < r->curve.len; i++) {
        double x = r->curve.v[i].equity_sol;
        if (x > peak)
            peak = x;
        if (peak > 0 && (peak - x) / peak > dd)
            dd = (peak - x) / peak;
    }
    m->max_drawdown_pct = 100 * dd;
    /* Daily returns of the curve: the last point of each UTC day. */
    double prev = capital, sum = 0, sq = 0;
    size_t nd = 0;
    for (size_t i = 0; i < r->curve.len; i++) {
        const struct bt_point *pt = &r->curve.v[i];
        bool last_of_day =
            i + 1 == r->curve.len || r->curve.v[i + 1].ts_ms / MS_PER_DAY != pt->ts_ms / MS_PER_DAY;
        if (!last_of_day)
            continue;
        double ret = prev > 0 ? pt->equity_sol / prev - 1 : 0;
        sum += ret;
        sq += ret * ret;
        nd++;
        prev = pt->equity_sol;
    }
    if (nd >= BT_SHARPE_MIN_DAYS) {
        double mean = sum / (double)nd, var = sq / (double)nd - mean * mean;
        double sd = var > 0 ? sqrt(var * (double)nd / (double)(nd - 1)) : 0;
        m->sharpe = sd > 0 ? mean / sd * sqrt(365.0) : 0;
        m->sharpe_valid = sd > 0;
    }
}

/* The end of a run: the last sample, the metrics, the perf JSON. */
static void finish(struct collect *c, struct engine *e, int64_t to_ms, double capital,
                   unsigned perf_points)
{
    struct bt_result *r = c->r;
    bt_sample(e, to_ms, r);
    metrics(r, e, capital);
    if (c->perf) {
        struct jw w;
        jw_init(&w, &r->perf);
        perf_write(c->perf, r->m.final_equity_sol, to_ms, perf_points ? perf_points : 200, &w);
        jw_finish(&w);
    }
}

void bt_collector_finish(struct engine_out *o, struct engine *e, int64_t to_ms, double capital,
                         unsigned perf_points)
{
    finish((struct collect *)o, e, to_ms, capital, perf_points);
}

/* The records a run reads are a stream with gaps through a tape too big
 * for the cache, their wallets' keys random reads: both are asked for
 * ahead (the record REC_AHEAD plan positions on, the key of the one
 * KEY_AHEAD on, whose record was asked for before). */
#define REC_AHEAD 48
#define KEY_AHEAD 16

#define PREFETCH_AHEAD(t, p, i, end)                                                               \
    do {                                                                                           \
        if ((i) + REC_AHEAD < (end))                                                               \
            BT_TAPE_PREFETCH((t), (p)->idx.v[(i) + REC_AHEAD]);                                    \
        if ((i) + KEY_AHEAD < (end))                                                               \
            BT_TAPE_PREFETCH_KEY((t), (p)->idx.v[(i) + KEY_AHEAD]);                                \
    } while (0)

int bt_replay(const struct bt_tape *t, const struct bt_plan *p, const struct bt_setup *s,
              const struct bt_watchlist *wl, const struct bt_run_opts *o, struct bt_result *r,
              char *err, size_t errsize)
{
    struct bt_run_opts none = {0};
    if (!o)
        o = &none;
    double capital = (double)s->engine.capital_lamports / 1e9;
    struct collect c = {.base.ops = &collect_ops,
                        .t = t,
                        .r = r,
                        .perf = o->summary ? NULL : perf_new(capital),
                        .summary = o->summary};
    struct engine *e = engine_new(&s->engine, &c.base, p->from_ms, err, errsize);
    if (!e) {
        perf_free(c.perf);
        return WT_EINVAL;
    }
    engine_set_executor(e, engine_paper_executor(e, &s->paper));
    int rc = 0;
    struct swap_event sw;
    memset(&sw, 0, sizeof sw);
    for (size_t i = 0; i < p->n_warm; i++) {
        uint32_t k = p->idx.v[i];
        PREFETCH_AHEAD(t, p, i, p->n_warm);
        bt_tape_swap_over(t, k, &sw);
        if (!p->whole || p->whole[t->recs.v[k].wallet])
            engine_warm_swap(e, &sw);
        else
            engine_warm_market_only(e, &sw, &p->known[i]);
    }
    for (size_t i = 0; i < wl->v.len && rc == 0; i++) {
        struct event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = EVENT_COMMAND;
        ev.u.command.kind = wl->v.v[i].blacklisted ? CMD_BLACKLIST : CMD_WATCH;
        ev.u.command.ts_ms = p->from_ms;
        ev.u.command.wallet = wl->v.v[i].wallet;
        ev.u.command.value = wl->v.v[i].prior;
        rc = feed(e, &ev, err, errsize);
    }
    struct runctx x = {.e = e, .r = r, .o = o, .capital = capital};
    x.tick_ms = s->tick_ms > 0 ? s->tick_ms : 1000;
    x.next_tick = p->from_ms + x.tick_ms;
    x.next_sample = p->from_ms;
    size_t total = p->idx.len - p->n_warm, step = total / 100 + 1;
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_SWAP;
    size_t next_step = p->n_warm; /* a counter, not a division per record */
    for (size_t i = p->n_warm; i < p->idx.len && rc == 0; i++) {
        if (i == next_step) {
            next_step += step;
            if (o->cancel && atomic_load(o->cancel)) {
                rc = WT_ECLOSED;
                break;
            }
            if (o->progress)
                o->progress(o->progress_ctx, i - p->n_warm, total);
        }
        uint32_t rec = p->idx.v[i];
        PREFETCH_AHEAD(t, p, i, p->idx.len);
        bt_tape_swap_over(t, rec, &ev.u.swap);
        if ((rc = advance(&x, ev.u.swap.ts_ms, err, errsize)))
            break;
        if (!p->whole || p->whole[t->recs.v[rec].wallet])
            rc = feed(e, &ev, err, errsize);
        else
            engine_handle_market_only(e, &ev, &p->known[i]); /* market events never fail */
        r->m.events++;
    }
    if (rc == 0 && o->cancel && atomic_load(o->cancel))
        rc = WT_ECLOSED;
    if (rc == 0)
        rc = advance(&x, p->to_ms, err, errsize);
    if (rc == 0) {
        r->m.skipped = p->skipped;
        finish(&c, e, p->to_ms, capital, o->perf_points);
        if (o->progress)
            o->progress(o->progress_ctx, total, total);
    }
    engine_free(e);
    perf_free(c.perf);
    return rc;
}

void bt_metrics_json(const struct bt_metrics *m, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_kdouble(&w, "capital_sol", m->capital_sol);
    jw_kdouble(&w, "final_equity_sol", m->final_equity_sol);
    jw_kdouble(&w, "return_pct", m->return_pct);
    jw_kdouble(&w, "pnl_sol", m->pnl_sol);
    jw_ku64(&w, "trades", m->trades);
    jw_ku64(&w, "wins", m->wins);
    jw_kdouble(&w, "win_rate", m->win_rate);
    jw_key(&w, "profit_factor");
    if (m->profit_factor_inf)
        jw_str(&w, "inf");
    else
        jw_double(&w, m->profit_factor);
    jw_kdouble(&w, "expectancy_sol", m->expectancy_sol);
    jw_kdouble(&w, "max_drawdown_pct", m->max_drawdown_pct);
    jw_key(&w, "sharpe");
    if (m->sharpe_valid)
        jw_double(&w, m->sharpe);
    else
        jw_null(&w);
    jw_ku64(&w, "signals", m->signals);
    jw_ku64(&w, "traded", m->traded);
    jw_ku64(&w, "events", m->events);
    jw_ku64(&w, "skipped", m->skipped);
    jw_ku64(&w, "open_positions", m->open_positions);
    jw_obj_end(&w);
    jw_finish(&w);
}
