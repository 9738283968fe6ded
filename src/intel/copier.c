/* Copier expectancy (see copier.h).
 *
 * Why a pool model and not the wallet's own fill prices: a follower
 * arrives later (latency) and pays its own price impact; the swaps carry
 * no pool reserves, so the depth is a setting (copier.pool_sol, default
 * 30 SOL: the virtual SOL reserve of a fresh pump.fun curve, where the
 * simulated and most copied tokens trade). Deeper pools make copying
 * cheaper; docs/metrics.md shows the formula so the number can be redone.
 *
 * The market: per mint, the (time, price) of every kept fill of every
 * wallet, sorted by time, in one array with per-mint offsets (CSR). */
#include "intel/copier.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void copier_params_default(struct copier_params *p)
{
    p->size_sol = 10 * 0.02;
    p->latency_ms = 2000;
    p->pool_sol = 30;
    p->dex_fee_bps = 25;
    p->tx_fee_sol = (5000 + 100000) / 1e9;
}

void copier_params_from_config(const struct config *cfg, struct copier_params *p)
{
    copier_params_default(p);
    p->size_sol = config_double(cfg, CFG_TRADE_CAPITAL) * config_double(cfg, CFG_TRADE_RISK);
    p->latency_ms = config_int(cfg, CFG_PAPER_LATENCY_MS);
    p->dex_fee_bps = (uint32_t)config_int(cfg, CFG_PAPER_DEX_FEE_BPS);
    p->tx_fee_sol =
        (double)(config_int(cfg, CFG_PAPER_NETWORK_FEE) + config_int(cfg, CFG_PAPER_PRIORITY_FEE)) /
        1e9;
    p->pool_sol = config_double(cfg, CFG_COPIER_POOL_SOL);
}

/* ------------------------------------------------------------ market */

struct tick {
    int64_t ts_ms;
    double price;
};

struct copier_market {
    uint32_t n_mints;
    size_t *off; /* n_mints + 1 */
    struct tick *t;
};

static int by_time(const void *a, const void *b)
{
    const struct tick *x = a, *y = b;
    return (x->ts_ms > y->ts_ms) - (x->ts_ms < y->ts_ms);
}

struct copier_market *copier_market_build(const struct ledger *l)
{
    struct copier_market *m = xcalloc(1, sizeof *m);
    uint32_t nm = ledger_mint_count(l), nw = ledger_wallet_count(l);
    m->n_mints = nm;
    m->off = xcalloc((size_t)nm + 1, sizeof *m->off);
    for (uint32_t w = 0; w < nw; w++) {
        const struct ledger_wallet *lw = ledger_wallet(l, w);
        for (size_t i = 0; i < lw->fills.len; i++)
            if (lw->fills.v[i].price_sol > 0)
                m->off[lw->fills.v[i].mint + 1]++;
    }
    for (uint32_t i = 0; i < nm; i++)
        m->off[i + 1] += m->off[i];
    m->t = xmalloc((m->off[nm] ? m->off[nm] : 1) * sizeof *m->t);
    size_t *fill = xmalloc(((size_t)nm + 1) * sizeof *fill);
    memcpy(fill, m->off, ((size_t)nm + 1) * sizeof *fill);
    for (uint32_t w = 0; w < nw; w++) {
        const struct ledger_wallet *lw = ledger_wallet(l, w);
        for (size_t i = 0; i < lw->fills.len; i++) {
            const struct ledger_fill *f = &lw->fills.v[i];
            if (f->price_sol > 0)
                m->t[fill[f->mint]++] = (struct tick){f->ts_ms, f->price_sol};
        }
    }
    free(fill);
    /* stable order within a timestamp is not needed: equal times give
     * the price of one of those swaps */
    for (uint32_t i = 0; i < nm; i++)
        if (m->off[i + 1] - m->off[i] > 1)
            qsort(m->t + m->off[i], m->off[i + 1] - m->off[i], sizeof *m->t, by_time);
    return m;
}

void copier_market_free(struct copier_market *m)
{
    if (!m)
        return;
    free(m->off);
    free(m->t);
    free(m);
}

double copier_market_price(const struct copier_market *m, uint32_t mint, int64_t ts_ms)
{
    if (mint >= m->n_mints)
        return 0;
    size_t lo = m->off[mint], hi = m->off[mint + 1];
    /* the first tick after ts_ms, then one back */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->t[mid].ts_ms <= ts_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > m->off[mint] ? m->t[lo - 1].price : 0;
}

/* ------------------------------------------------------------ copying */

struct held {
    double theirs; /* the wallet's raw token quantity, from its fills */
    double ours;   /* our whole tokens */
    double cost;   /* our remaining cost, SOL */
    double last_price;
    bool seen; /* in touched[] */
};

struct copier_scratch {
    uint32_t n_mints;
    struct held *h;
    uint32_t *touched;
    size_t n_touched;
};

struct copier_scratch *copier_scratch_new(const struct ledger *l)
{
    struct copier_scratch *s = xcalloc(1, sizeof *s);
    s->n_mints = ledger_mint_count(l);
    s->h = xcalloc(s->n_mints ? s->n_mints : 1, sizeof *s->h);
    s->touched = xmalloc((s->n_mints ? s->n_mints : 1) * sizeof *s->touched);
    return s;
}

void copier_scratch_free(struct copier_scratch *s)
{
    if (!s)
        return;
    free(s->h);
    free(s->touched);
    free(s);
}

/* SOL in -> whole tokens out through a pool of R SOL at price p. */
static double pool_buy(const struct copier_params *p, double sol, double price)
{
    double r = p->pool_sol, t = r / price, in = sol * (1 - p->dex_fee_bps / 1e4);
    return t * in / (r + in);
}

/* Whole tokens in -> SOL out. */
static double pool_sell(const struct copier_params *p, double tokens, double price)
{
    double r = p->pool_sol, t = r / price;
    return r * tokens / (t + tokens) * (1 - p->dex_fee_bps / 1e4);
}

void copier_wallet(const struct copier_params *p, const struct copier_market *m,
                   const struct ledger *l, uint32_t wallet, struct copier_scratch *s,
                   struct copier_result *out)
{
    copier_wallet_since(p, m, l, wallet, INT64_MIN, s, out);
}

void copier_wallet_since(const struct copier_params *p, const struct copier_market *m,
                         const struct ledger *l, uint32_t wallet, int64_t from_ms,
                         struct copier_scratch *s, struct copier_result *out)
{
    memset(out, 0, sizeof *out);
    const struct ledger_wallet *lw = ledger_wallet(l, wallet);
    s->n_touched = 0;
    for (size_t i = 0; i < lw->fills.len; i++) {
        const struct ledger_fill *f = &lw->fills.v[i];
        if (f->mint >= s->n_mints)
            continue;
        struct held *h = &s->h[f->mint];
        if (!h->seen) {
            h->seen = true;
            s->touched[s->n_touched++] = f->mint;
        }
        double price = copier_market_price(m, f->mint, f->ts_ms + p->latency_ms);
        if (price > 0)
            h->last_price = price;
        if (f->side == SIDE_BUY) {
            h->theirs += (double)f->qty;
            if (price <= 0 || p->size_sol <= 0 || f->ts_ms < from_ms)
                continue;
            h->ours += pool_buy(p, p->size_sol, price);
            h->cost += p->size_sol + p->tx_fee_sol;
            out->spent_sol += p->size_sol + p->tx_fee_sol;
            out->buys++;
        } else {
            double frac = h->theirs > 0 ? (double)f->qty / h->theirs : 1;
            if (frac > 1)
                frac = 1;
            h->theirs -= (double)f->qty;
            if (h->theirs < 0)
                h->theirs = 0;
            if (h->ours <= 0 || price <= 0)
                continue;
            double tok = h->ours * frac;
            double got = pool_sell(p, tok, price) - p->tx_fee_sol;
            out->realized_sol += got - h->cost * frac;
            h->ours -= tok;
            h->cost -= h->cost * frac;
            out->sells++;
        }
    }
    /* what is still held, sold at the mint's last price; scratch reset */
    for (size_t i = 0; i < s->n_touched; i++) {
        uint32_t mint = s->touched[i];
        struct held *h = &s->h[mint];
        if (h->ours > 0) {
            double last = ledger_mint(l, mint)->last_price_sol;
            if (last <= 0)
                last = h->last_price;
            double got = last > 0 ? pool_sell(p, h->ours, last) - p->tx_fee_sol : 0;
            out->unrealized_sol += got - h->cost;
        }
        memset(h, 0, sizeof *h);
    }
    out->pnl_sol = out->realized_sol + out->unrealized_sol;
    out->ev_sol = out->buys ? out->pnl_sol / out->buys : 0;
}
