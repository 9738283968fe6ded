/* Profiles from the store (see profile.h).
 *
 * Why a batch path next to the engine's incremental one: discovery needs
 * every wallet of the market profiled, not only the watched ones the engine
 * follows, and the smart-money API serves what is stored. Replaying the
 * whole swap history into a fresh intel state is simple, deterministic and
 * fast (the batch path of the intel bench; see docs/performance.md).
 * The rows are built from intel_profile, metrics_compute over windows and
 * the ledger's open positions; nothing reads the clock. */
#include "intel/profile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/par.h"
#include "base/str.h"
#include "intel/similar.h"
#include "solana/pubkey.h"

void profile_params_default(struct profile_params *p)
{
    memset(p, 0, sizeof *p);
    intel_params_default(&p->intel);
    copier_params_default(&p->copier);
    p->whale_sol = 10;
    p->snapshots = true;
    p->patterns = true;
}

void profile_params_from_config(const struct config *cfg, struct profile_params *p)
{
    profile_params_default(p);
    metrics_params_from_config(cfg, &p->intel.metrics);
    copier_params_from_config(cfg, &p->copier);
}

/* ------------------------------------------------------------ load */

struct load {
    struct profile_state *ps;
    struct intel_batch *b;
};

/* Swaps go through a batch (the full-recompute path, same state as
 * intel_apply one by one); the mints they intern are known at once. */
static int on_swap(void *ctx, const struct stored_swap *s)
{
    struct load *ld = ctx;
    struct profile_state *ps = ld->ps;
    struct ledger *l = intel_ledger(ps->in);
    double price = 0;
    if (intel_batch_add(ld->b, &s->swap, &price) != 0) {
        ps->rejected++;
        return 0;
    }
    ps->swaps++;
    if (ps->first_ms == 0)
        ps->first_ms = s->swap.ts_ms;
    ps->last_ms = s->swap.ts_ms;
    uint32_t mint = ledger_mint_id(l, &s->swap.mint);
    if (mint != LEDGER_NONE && mint >= ps->launch_price.len) {
        /* A new mint: its first trade's price is the launch price. */
        while (ps->launch_price.len < mint)
            vec_push(&ps->launch_price, 0.0); /* mints interned by ledger_set_launch */
        vec_push(&ps->launch_price, price);
    }
    return 0;
}

static int on_token(void *ctx, const void *row)
{
    const struct token_row *t = row;
    struct profile_state *ps = ctx;
    const struct ledger *l = intel_ledger(ps->in);
    uint32_t nm = ledger_mint_count(l);
    struct pubkey k;
    if (pubkey_parse(t->mint, &k) != 0 || t->supply == 0)
        return 0;
    uint32_t m = ledger_mint_id(l, &k);
    if (m != LEDGER_NONE && m < nm)
        ps->supply.v[m] = (double)t->supply / pow(10, t->decimals);
    return 0;
}

/* Supplies of the traded mints from the tokens table (token info), in
 * whole tokens; 0 where unknown. */
static int load_supplies(struct store *st, struct profile_state *ps)
{
    const struct ledger *l = intel_ledger(ps->in);
    uint32_t nm = ledger_mint_count(l);
    vec_reserve(&ps->supply, nm);
    while (ps->supply.len < nm)
        vec_push(&ps->supply, 0.0);
    return store_row_each(st, STORE_T_TOKENS, NULL, on_token, ps);
}

int profile_load(struct store *st, const struct intel_params *p, struct profile_state **out)
{
    struct profile_state *ps = xcalloc(1, sizeof *ps);
    struct intel_params ip;
    if (p)
        ip = *p;
    else
        intel_params_default(&ip);
    ip.ledger.keep_fills = true; /* patterns and discovery read the fills */
    ps->params = ip;
    ps->in = intel_new(&ip, 1024);
    struct load ld = {ps, intel_batch_new(ps->in)};
    int rc = store_swaps_scan(st, INT64_MIN, INT64_MAX, on_swap, &ld);
    intel_batch_free(ld.b);
    if (rc != 0) {
        profile_state_free(ps);
        return rc < 0 ? rc : WT_ESTORE;
    }
    if (ps->rejected)
        log_warn("intel", "profile: %zu of %zu stored swaps refused by the ledger", ps->rejected,
                 ps->rejected + ps->swaps);
    rc = load_supplies(st, ps);
    if (rc != 0) {
        profile_state_free(ps);
        return rc;
    }
    *out = ps;
    return 0;
}

void profile_state_free(struct profile_state *ps)
{
    if (!ps)
        return;
    intel_free(ps->in);
    vec_free(&ps->launch_price);
    vec_free(&ps->supply);
    free(ps);
}

/* ------------------------------------------------------------ rows */

static void key_text(const uint8_t *k, char out[BASE58_KEY_MAX])
{
    struct pubkey pk;
    memcpy(pk.b, k, 32);
    pubkey_format(&pk, out);
}

static double fin(double x)
{
    return isfinite(x) ? x : 0;
}

/* JSON array of strings into out (size n); stops before overflowing. */
static void json_list(char *out, size_t n, const char *const *items, size_t count)
{
    struct buf b;
    buf_init(&b, n - 1);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (size_t i = 0; i < count; i++)
        jw_str(&w, items[i]);
    jw_arr_end(&w);
    if (jw_finish(&w) == 0)
        str_copy(out, n, b.data);
    else
        str_copy(out, n, "[]");
    buf_release(&b);
}

/* A metric for the wallets row: its value when valid (with its bit set in
 * *valid), else 0. */
static double valid_metric(bool ok, double v, int64_t bit, int64_t *valid)
{
    if (!ok)
        return 0;
    *valid |= bit;
    return fin(v);
}

void profile_wallet_row(const struct profile_state *ps, const struct intel_profile *pr,
                        const struct profile_params *p, int64_t now_ms, struct wallet *out)
{
    const struct ledger *l = intel_ledger(ps->in);
    const struct metrics *m = &pr->metrics;
    memset(out, 0, sizeof *out);
    key_text(ledger_wallet_key(l, pr->wallet), out->address);
    str_copy(out->chain, sizeof out->chain, "solana");
    str_copy(out->type, sizeof out->type,
             m->trades > 0 && m->avg_trade_sol >= p->whale_sol ? "whale" : "trader");
    out->score = round(fmin(100, fmax(0, fin(pr->score.score))) * 100) / 100; /* 2 decimals */
    str_copy(out->confidence, sizeof out->confidence, score_confidence_name(pr->score.confidence));
    out->status = WALLET_CANDIDATE;
    /* docs/metrics.md: total = realized (every sell) + unrealized (open
     * positions marked); a metric below its minimum is stored as 0 with
     * its validity bit clear. */
    out->realized_pnl = fin(pr->realized_sol);
    out->unrealized_pnl = fin(pr->unrealized_sol);
    out->unrealized_as_of_ms = pr->unrealized_as_of_ms;
    out->open_positions = pr->open_positions;
    out->total_pnl = fin(pr->total_pnl_sol);
    out->roi = fin(pr->roi);
    int64_t valid = 0;
    out->win_rate = valid_metric(m->win_rate_valid, m->win_rate, WALLET_VALID_WIN_RATE, &valid);
    out->sharpe = valid_metric(m->sharpe_valid, m->sharpe, WALLET_VALID_SHARPE, &valid);
    out->sortino = valid_metric(m->sortino_valid, m->sortino, WALLET_VALID_SORTINO, &valid);
    out->volatility =
        valid_metric(m->volatility_valid, m->volatility, WALLET_VALID_VOLATILITY, &valid);
    out->max_drawdown =
        valid_metric(m->max_drawdown_valid, m->max_drawdown, WALLET_VALID_MAX_DRAWDOWN, &valid);
    out->max_drawdown_sol = fin(m->max_drawdown_sol);
    out->active_days = m->active_days;
    out->metrics_valid = valid;
    out->metrics_version = WALLET_METRICS_VERSION;
    out->total_trades = m->trades;
    out->avg_trade_size = fin(m->avg_trade_sol);
    out->avg_holding_days = fin(m->avg_hold_days);
    out->last_trade_ms = pr->last_trade_ms;
    str_copy(out->trading_style, sizeof out->trading_style,
             behaviour_style_name(pr->behaviour.style));
    str_copy(out->risk_profile, sizeof out->risk_profile, behaviour_risk_name(pr->behaviour.risk));

    /* Preferred tokens: the most bought mints; protocols: the sources of
     * its first buys, most used first. */
    char keys[INTEL_TOP_TOKENS][BASE58_KEY_MAX];
    const char *items[LEDGER_SOURCE_MAX];
    size_t n = 0;
    for (int i = 0; i < INTEL_TOP_TOKENS; i++)
        if (pr->top_tokens[i] != LEDGER_NONE) {
            key_text(ledger_mint_key(l, pr->top_tokens[i]), keys[n]);
            items[n] = keys[n];
            n++;
        }
    json_list(out->preferred_tokens, sizeof out->preferred_tokens, items, n);
    const struct intel_wallet *iw = intel_wallet(ps->in, pr->wallet);
    n = 0;
    if (iw) {
        uint32_t cnt[LEDGER_SOURCE_MAX];
        memcpy(cnt, iw->behaviour.source_buys, sizeof cnt);
        for (int k = 0; k < 3; k++) {
            int best = -1;
            for (int s = 0; s < LEDGER_SOURCE_MAX; s++)
                if (cnt[s] > 0 && (best < 0 || cnt[s] > cnt[best]))
                    best = s;
            if (best < 0)
                break;
            const char *name = ledger_source_name(l, (uint8_t)best);
            cnt[best] = 0;
            if (name[0])
                items[n++] = name;
        }
    }
    json_list(out->preferred_protocols, sizeof out->preferred_protocols, items, n);
    out->first_seen_ms = pr->first_seen_ms;
    out->updated_ms = now_ms;
}

struct holding {
    uint32_t mint;
    double qty, value, cost, unrealized;
};

static int by_value_desc(const void *a, const void *b)
{
    const struct holding *x = a, *y = b;
    return x->value < y->value   ? 1
           : x->value > y->value ? -1
                                 : (x->mint > y->mint) - (x->mint < y->mint);
}

void profile_snapshot_row(const struct profile_state *ps, const struct intel_profile *pr,
                          int64_t now_ms, struct wallet_snapshot_row *out)
{
    const struct ledger *l = intel_ledger(ps->in);
    const struct ledger_wallet *lw = ledger_wallet(l, pr->wallet);
    memset(out, 0, sizeof *out);
    key_text(ledger_wallet_key(l, pr->wallet), out->wallet);
    out->ts_ms = now_ms;
    static const int64_t win[3] = {MS_PER_DAY, 7 * MS_PER_DAY, 30 * MS_PER_DAY};
    double *pnl[3] = {&out->pnl_24h, &out->pnl_7d, &out->pnl_30d};
    int32_t *trades[3] = {&out->trades_24h, &out->trades_7d, &out->trades_30d};
    for (int i = 0; i < 3; i++) {
        struct metrics m;
        metrics_compute(lw->trips.v, lw->trips.len, now_ms - win[i], now_ms + 1,
                        &ps->params.metrics, &m);
        *pnl[i] = fin(m.total_pnl_sol);
        *trades[i] = (int32_t)m.trades;
    }
    out->pnl_all = fin(pr->total_pnl_sol);
    out->roi = fin(pr->roi);
    out->sharpe = fin(pr->metrics.sharpe); /* 0 when not valid (docs/metrics.md) */
    out->sortino = fin(pr->metrics.sortino);
    out->max_drawdown = fin(pr->metrics.max_drawdown);
    out->volatility = fin(pr->metrics.volatility);
    out->avg_trade_size = fin(pr->metrics.avg_trade_sol);

    VEC(struct holding) h = {0};
    struct ledger_position v;
    for (uint32_t c = ledger_pos_next(l, pr->wallet, LEDGER_NONE, &v); c != LEDGER_NONE;
         c = ledger_pos_next(l, pr->wallet, c, &v)) {
        if (!v.open || v.qty_tokens <= 0)
            continue;
        struct holding x = {v.mint, v.qty_tokens, fin(v.value_sol), fin(v.cost_sol),
                            fin(v.unrealized_sol)};
        vec_push(&h, x);
        out->total_value += x.value;
    }
    out->token_count = (int32_t)h.len;
    if (h.len > 1)
        qsort(h.v, h.len, sizeof *h.v, by_value_desc);
    struct buf b;
    buf_init(&b, sizeof out->top_holdings - 1);
    struct jw w;
    jw_init(&w, &b);
    jw_arr_begin(&w);
    for (size_t i = 0; i < h.len && i < 5; i++) {
        char mint[BASE58_KEY_MAX];
        key_text(ledger_mint_key(l, h.v[i].mint), mint);
        jw_obj_begin(&w);
        jw_kstr(&w, "mint", mint);
        jw_kdouble(&w, "tokens", h.v[i].qty);
        jw_kdouble(&w, "valueSol", h.v[i].value);
        jw_kdouble(&w, "costSol", h.v[i].cost);
        jw_kdouble(&w, "unrealizedSol", h.v[i].unrealized);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    str_copy(out->top_holdings, sizeof out->top_holdings, jw_finish(&w) == 0 ? b.data : "[]");
    buf_release(&b);
    vec_free(&h);
}

static void pattern_row(const struct profile_state *ps, const struct pattern *pt, int64_t now_ms,
                        struct trade_pattern_row *out)
{
    const struct ledger *l = intel_ledger(ps->in);
    memset(out, 0, sizeof *out);
    key_text(ledger_wallet_key(l, pt->wallet), out->wallet);
    str_copy(out->type, sizeof out->type, patterns_type_name(pt->type));
    key_text(ledger_mint_key(l, pt->mint), out->mint);
    if (pt->mint2 != LEDGER_NONE) {
        char to[BASE58_KEY_MAX];
        key_text(ledger_mint_key(l, pt->mint2), to);
        snprintf(out->name, sizeof out->name, "rotation %.8s -> %.8s", out->mint, to);
    } else {
        snprintf(out->name, sizeof out->name, "%s of %.8s", out->type, out->mint);
    }
    out->confidence = fin(pt->confidence * 100);
    out->start_ms = pt->start_ms;
    out->end_ms = pt->end_ms;
    out->trades = (int32_t)pt->trades;
    out->volume = fin(pt->volume_sol);
    out->avg_trade_size = fin(pt->avg_size_sol);
    str_copy(out->status, sizeof out->status, patterns_status_name(pt->status));
    out->realized_pnl = fin(pt->realized_pnl_sol);
    out->roi = fin(pt->roi);
    out->updated_ms = now_ms;
}

/* ------------------------------------------------------------ write */

/* A profile run split by wallets (intel_wallet_parts): part i computes the
 * rows of its wallets and its own patterns, in wallet order. */
struct rows_run {
    const struct profile_state *ps;
    const struct profile_params *p;
    int64_t now_ms;
    const struct copier_market *cm;
    struct wallet *rows;
    struct wallet_snapshot_row *snaps;
    struct pattern_list pl[PAR_MAX];
};

static void rows_part(void *ctx, unsigned part, uint32_t w0, uint32_t w1)
{
    struct rows_run *r = ctx;
    const struct profile_state *ps = r->ps;
    const struct profile_params *p = r->p;
    const struct ledger *l = intel_ledger(ps->in);
    struct pattern_list *pl = &r->pl[part];
    struct copier_scratch *cs = copier_scratch_new(l);
    struct intel_profile pr;
    for (uint32_t w = w0; w < w1; w++) {
        intel_profile(ps->in, w, r->now_ms, &pr);
        profile_wallet_row(ps, &pr, p, r->now_ms, &r->rows[w]);
        if (r->snaps)
            profile_snapshot_row(ps, &pr, r->now_ms, &r->snaps[w]);
        struct similar_patterns spt = {{0}};
        if (p->patterns) {
            size_t before = pl->len;
            intel_patterns(ps->in, w, pl);
            for (size_t i = before; i < pl->len; i++)
                if (pl->v[i].type >= PATTERN_ACCUMULATION && pl->v[i].type <= PATTERN_ARBITRAGE)
                    spt.n[pl->v[i].type - PATTERN_ACCUMULATION]++;
        }
        double vec[SIMILAR_DIMS];
        if (similar_vector(ps->in, &pr, p->patterns ? &spt : NULL, vec) &&
            similar_format(vec, r->rows[w].behaviour_vec, sizeof r->rows[w].behaviour_vec) != 0)
            r->rows[w].behaviour_vec[0] = '\0';
        struct copier_result cr;
        copier_wallet(&p->copier, r->cm, l, w, cs, &cr);
        r->rows[w].copier_pnl = fin(cr.pnl_sol);
        r->rows[w].copier_ev = fin(cr.ev_sol);
        r->rows[w].copier_buys = cr.buys;
    }
    copier_scratch_free(cs);
}

void profile_rows(const struct profile_state *ps, const struct profile_params *p, int64_t now_ms,
                  struct wallet *rows, struct wallet_snapshot_row *snaps, struct pattern_list *pl)
{
    struct rows_run *r = xcalloc(1, sizeof *r);
    *r = (struct rows_run){.ps = ps, .p = p, .now_ms = now_ms, .rows = rows, .snaps = snaps};
    struct copier_market *cm = copier_market_build(intel_ledger(ps->in));
    r->cm = cm;
    unsigned parts = par_threads(ps->params.ledger.batch_threads);
    intel_wallet_parts(ps->in, parts, rows_part, r);
    for (unsigned i = 0; i < parts; i++) { /* parts in wallet order */
        for (size_t k = 0; k < r->pl[i].len; k++)
            vec_push(pl, r->pl[i].v[k]);
        free(r->pl[i].v);
    }
    copier_market_free(cm);
    free(r);
}

int profile_write(struct store *st, const struct profile_state *ps, const struct profile_params *p,
                  int64_t now_ms, struct profile_stats *out)
{
    memset(out, 0, sizeof *out);
    uint32_t nw = ledger_wallet_count(intel_ledger(ps->in));
    struct wallet *rows = xcalloc(nw ? nw : 1, sizeof *rows);
    struct wallet_snapshot_row *snaps = p->snapshots ? xcalloc(nw ? nw : 1, sizeof *snaps) : NULL;
    struct pattern_list pl = {0};
    profile_rows(ps, p, now_ms, rows, snaps, &pl);
    int rc = store_wallet_upsert_profiles(st, rows, nw);
    if (rc == 0)
        out->wallets = nw;
    if (rc == 0 && snaps) {
        rc = store_put_many_snapshot(st, snaps, nw);
        if (rc == 0)
            out->snapshots = nw;
    }
    if (rc == 0 && p->patterns) {
        struct trade_pattern_row *pr_rows = xcalloc(pl.len ? pl.len : 1, sizeof *pr_rows);
        for (size_t i = 0; i < pl.len; i++)
            pattern_row(ps, &pl.v[i], now_ms, &pr_rows[i]);
        rc = store_replace_pattern(st, NULL, pr_rows, pl.len);
        if (rc == 0)
            out->patterns = pl.len;
        free(pr_rows);
    }
    free(pl.v);
    free(snaps);
    free(rows);
    return rc;
}

/* ------------------------------------------------------------ one wallet */

int profile_wallet_history(struct store *st, const struct pubkey *wallet,
                           struct wallet_history *out)
{
    memset(out, 0, sizeof *out);
    out->wallet = LEDGER_NONE;
    struct intel_params ip;
    intel_params_default(&ip);
    out->in = intel_new(&ip, 1);
    struct swap_cursor cur = {INT64_MIN, 0};
    enum { PAGE = 1024 };
    struct stored_swap *page = xmalloc(PAGE * sizeof *page);
    int rc;
    for (;;) {
        size_t n = 0;
        rc = store_swaps_by_wallet(st, wallet, &cur, page, PAGE, &n);
        if (rc != 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (intel_apply(out->in, &page[i].swap) == 0)
                vec_push(&out->swaps, page[i]);
        if (n < PAGE)
            break;
    }
    free(page);
    if (rc != 0) {
        wallet_history_release(out);
        return rc;
    }
    out->wallet = ledger_wallet_id(intel_ledger(out->in), wallet);
    return 0;
}

void wallet_history_release(struct wallet_history *h)
{
    intel_free(h->in);
    vec_free(&h->swaps);
    h->in = NULL;
    h->wallet = LEDGER_NONE;
}
