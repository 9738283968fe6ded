/* JSON views of smart-money wallets (see wallet_json.h).
 *
 * Units: SOL for every amount (the market is priced in SOL; the simulator
 * has no USD), ratios for ROI, win rate and drawdown (0.25 = 25 %), ISO
 * 8601 UTC strings for times. docs/api.md says so for each field. */
#include "api/wallet_json.h"

#include <math.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "solana/base58.h"
#include "solana/pubkey.h"

void wallet_json_time(struct jw *w, const char *key, int64_t ms)
{
    jw_key(w, key);
    if (ms == 0) {
        jw_null(w);
        return;
    }
    char iso[40];
    clock_format_iso(ms, iso, sizeof iso);
    jw_str(w, iso);
}

/* A stored JSON array (validated on insert), or [] when empty. */
static void json_array(struct jw *w, const char *key, const char *text)
{
    jw_key(w, key);
    if (text[0] == '\0')
        jw_raw(w, "[]", 2);
    else
        jw_raw(w, text, strlen(text));
}

static void valid_double(struct jw *w, const char *key, double v, int64_t valid)
{
    jw_key(w, key);
    if (valid)
        jw_double(w, v);
    else
        jw_null(w);
}

static void item_body(struct jw *w, const struct wallet *x, bool detail)
{
    jw_kstr(w, "walletAddress", x->address);
    jw_kstr(w, "chainId", x->chain);
    jw_kstr(w, "walletName", x->name);
    jw_kstr(w, "walletType", x->type);
    jw_kbool(w, "verified", x->verified);
    jw_kobj_begin(w, "scoring");
    jw_kdouble(w, "smartMoneyScore", round(x->score * 100) / 100);
    jw_kstr(w, "confidenceLevel", x->confidence);
    jw_obj_end(w);
    /* docs/metrics.md: a metric below its minimum (or from a row not yet
     * recomputed under the current definitions) is null, never 0. */
    bool cur = x->metrics_version >= WALLET_METRICS_VERSION;
    jw_kobj_begin(w, "performance");
    jw_kdouble(w, "totalPnl", x->total_pnl);
    jw_kdouble(w, "roiAllTime", x->roi);
    valid_double(w, "winRate", x->win_rate, x->metrics_valid & WALLET_VALID_WIN_RATE);
    valid_double(w, "sharpeRatio", x->sharpe, x->metrics_valid & WALLET_VALID_SHARPE);
    valid_double(w, "maxDrawdown", x->max_drawdown, x->metrics_valid & WALLET_VALID_MAX_DRAWDOWN);
    valid_double(w, "realizedPnl", x->realized_pnl, cur);
    valid_double(w, "unrealizedPnl", x->unrealized_pnl, cur);
    wallet_json_time(w, "unrealizedPriceTimestamp", x->unrealized_as_of_ms);
    valid_double(w, "maxDrawdownSol", x->max_drawdown_sol, cur);
    /* what copying it would have made (intel/copier.h) */
    valid_double(w, "copierEv", x->copier_ev, cur && x->copier_buys > 0);
    valid_double(w, "copierPnl", x->copier_pnl, cur && x->copier_buys > 0);
    jw_key(w, "copierBuys");
    if (cur)
        jw_i64(w, x->copier_buys);
    else
        jw_null(w);
    if (detail) {
        valid_double(w, "sortinoRatio", x->sortino, x->metrics_valid & WALLET_VALID_SORTINO);
        valid_double(w, "volatility", x->volatility, x->metrics_valid & WALLET_VALID_VOLATILITY);
        jw_key(w, "openPositionCount");
        if (cur)
            jw_i64(w, x->open_positions);
        else
            jw_null(w);
        jw_key(w, "activeDays");
        if (cur)
            jw_i64(w, x->active_days);
        else
            jw_null(w);
        jw_kbool(w, "metricsCurrent", cur);
    }
    jw_obj_end(w);
    jw_kobj_begin(w, "activity");
    jw_ki64(w, "totalTrades", x->total_trades);
    jw_kdouble(w, "avgTradeSize", x->avg_trade_size);
    jw_kdouble(w, "avgHoldingPeriodDays", x->avg_holding_days);
    wallet_json_time(w, "lastTradeTimestamp", x->last_trade_ms);
    jw_obj_end(w);
    jw_kobj_begin(w, "behavioral");
    jw_kstr(w, "tradingStyle", x->trading_style);
    jw_kstr(w, "riskProfile", x->risk_profile);
    json_array(w, "preferredTokens", x->preferred_tokens);
    json_array(w, "preferredProtocols", x->preferred_protocols);
    jw_obj_end(w);
}

void wallet_json_item(struct jw *w, const struct wallet *x)
{
    jw_obj_begin(w);
    item_body(w, x, false);
    jw_obj_end(w);
}

void wallet_json_page(struct jw *w, const struct wallet_page *pg, uint64_t page, uint64_t limit)
{
    jw_obj_begin(w);
    jw_karr_begin(w, "wallets");
    for (size_t i = 0; i < pg->n; i++)
        wallet_json_item(w, &pg->rows[i]);
    jw_arr_end(w);
    jw_kobj_begin(w, "pagination");
    jw_ku64(w, "page", page);
    jw_ku64(w, "limit", limit);
    jw_ki64(w, "total", pg->total);
    jw_obj_end(w);
    jw_obj_end(w);
}

void wallet_json_similar(struct jw *w, const struct wallet *rows, const double *dist, size_t n)
{
    jw_karr_begin(w, "similar");
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(w);
        jw_kdouble(w, "distance", dist[i]);
        jw_key(w, "wallet");
        wallet_json_item(w, &rows[i]);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

void wallet_json_detail_begin(struct jw *w, const struct wallet *x)
{
    jw_obj_begin(w);
    item_body(w, x, true);
    jw_kstr(w, "status", wallet_status_name(x->status));
    jw_kstr(w, "discoveryMethod", x->discovery);
    wallet_json_time(w, "firstSeenTimestamp", x->first_seen_ms);
    wallet_json_time(w, "updatedTimestamp", x->updated_ms);
}

static void key_text(const uint8_t *k, char out[BASE58_KEY_MAX])
{
    struct pubkey pk;
    memcpy(pk.b, k, 32);
    pubkey_format(&pk, out);
}

int wallet_json_positions(struct jw *w, struct store *st, struct wallet_history *h)
{
    struct ledger *l = intel_ledger(h->in);
    double realized = 0, unrealized = 0;
    jw_karr_begin(w, "openPositions");
    if (h->wallet != LEDGER_NONE) {
        realized = ledger_wallet(l, h->wallet)->realized_sol;
        /* Mark every open position at the market's last traded price. */
        struct ledger_position v;
        for (uint32_t c = ledger_pos_next(l, h->wallet, LEDGER_NONE, &v); c != LEDGER_NONE;
             c = ledger_pos_next(l, h->wallet, c, &v)) {
            if (!v.open)
                continue;
            struct pubkey mint;
            memcpy(mint.b, ledger_mint_key(l, v.mint), 32);
            struct stored_swap last;
            int rc = store_swap_last_of_mint(st, &mint, &last);
            if (rc == 0 && last.swap.price_sol > 0) {
                struct price_event pe;
                memset(&pe, 0, sizeof pe);
                pe.mint = mint;
                pe.ts_ms = last.swap.ts_ms;
                pe.price_sol = last.swap.price_sol;
                ledger_note_price(l, &pe);
            } else if (rc != 0 && rc != WT_ENOTFOUND) {
                return rc;
            }
        }
        for (uint32_t c = ledger_pos_next(l, h->wallet, LEDGER_NONE, &v); c != LEDGER_NONE;
             c = ledger_pos_next(l, h->wallet, c, &v)) {
            if (!v.open)
                continue;
            char mint[BASE58_KEY_MAX];
            key_text(ledger_mint_key(l, v.mint), mint);
            const struct ledger_mint *m = ledger_mint(l, v.mint);
            jw_obj_begin(w);
            jw_kstr(w, "tokenAddress", mint);
            jw_kdouble(w, "tokens", v.qty_tokens);
            jw_kdouble(w, "costSol", v.cost_sol);
            jw_kdouble(w, "valueSol", v.value_sol);
            jw_kdouble(w, "unrealizedPnlSol", v.unrealized_sol);
            jw_kdouble(w, "avgEntryPriceSol", v.qty_tokens > 0 ? v.cost_sol / v.qty_tokens : 0);
            jw_kdouble(w, "lastPriceSol", m->last_price_sol);
            wallet_json_time(w, "firstBuyTimestamp", v.first_buy_ms);
            jw_kbool(w, "unknownCostBasis", v.unknown_cost);
            jw_obj_end(w);
            unrealized += v.unrealized_sol;
        }
    }
    jw_arr_end(w);
    jw_kdouble(w, "realizedPnlSol", realized);
    jw_kdouble(w, "unrealizedPnlSol", unrealized);
    return 0;
}

void wallet_json_trade(struct jw *w, const struct wallet_history *h, size_t i)
{
    const struct ledger *l = intel_ledger(h->in);
    const struct stored_swap *s = &h->swaps.v[i];
    const struct ledger_fill *f = &ledger_wallet(l, h->wallet)->fills.v[i];
    char sig[BASE58_SIG_MAX], mint[BASE58_KEY_MAX];
    base58_encode(s->swap.sig.b, sizeof s->swap.sig.b, sig, sizeof sig);
    pubkey_format(&s->swap.mint, mint);
    jw_obj_begin(w);
    jw_kstr(w, "txHash", sig);
    jw_ku64(w, "leg", s->swap.leg);
    jw_ku64(w, "slot", s->swap.slot);
    wallet_json_time(w, "timestamp", s->swap.ts_ms);
    jw_kstr(w, "tradeType", s->swap.side == SIDE_BUY ? "buy" : "sell");
    jw_kstr(w, "tokenAddress", mint);
    jw_ku64(w, "tokenAmount", s->swap.token_amount);
    jw_ku64(w, "tokenDecimals", s->swap.decimals);
    jw_kdouble(w, "solAmount", f->value_sol);
    jw_kdouble(w, "priceSol", f->price_sol);
    jw_kstr(w, "dex", s->swap.source);
    jw_kdouble(w, "feeSol", f->fee_sol);
    jw_key(w, "realizedPnl");
    if (s->swap.side == SIDE_SELL && !(f->flags & LEDGER_FILL_UNKNOWN_BASIS))
        jw_double(w, f->realized_sol);
    else
        jw_null(w);
    jw_kbool(w, "closedRoundTrip", f->flags & LEDGER_FILL_CLOSED);
    jw_obj_end(w);
}

void wallet_json_snapshot(struct jw *w, const struct wallet_snapshot_row *s)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", s->id);
    wallet_json_time(w, "timestamp", s->ts_ms);
    jw_kdouble(w, "totalValue", s->total_value);
    jw_ki64(w, "tokenCount", s->token_count);
    jw_kdouble(w, "pnl24h", s->pnl_24h);
    jw_kdouble(w, "pnl7d", s->pnl_7d);
    jw_kdouble(w, "pnl30d", s->pnl_30d);
    jw_kdouble(w, "pnlAllTime", s->pnl_all);
    jw_kdouble(w, "roiAllTime", s->roi);
    jw_kdouble(w, "sharpeRatio", s->sharpe);
    jw_kdouble(w, "sortinoRatio", s->sortino);
    jw_kdouble(w, "maxDrawdown", s->max_drawdown);
    jw_kdouble(w, "volatility", s->volatility);
    jw_ki64(w, "trades24h", s->trades_24h);
    jw_ki64(w, "trades7d", s->trades_7d);
    jw_ki64(w, "trades30d", s->trades_30d);
    jw_kdouble(w, "avgTradeSize", s->avg_trade_size);
    json_array(w, "topHoldings", s->top_holdings);
    jw_obj_end(w);
}

void wallet_json_pattern(struct jw *w, const struct trade_pattern_row *p)
{
    jw_obj_begin(w);
    jw_ki64(w, "id", p->id);
    jw_kstr(w, "patternType", p->type);
    jw_kstr(w, "patternName", p->name);
    jw_kdouble(w, "confidenceScore", p->confidence);
    wallet_json_time(w, "startTimestamp", p->start_ms);
    wallet_json_time(w, "endTimestamp", p->end_ms);
    jw_ki64(w, "durationHours", (p->end_ms - p->start_ms) / MS_PER_HOUR);
    jw_kstr(w, "tokenAddress", p->mint);
    jw_kstr(w, "tokenSymbol", p->symbol);
    jw_ki64(w, "totalTrades", p->trades);
    jw_kdouble(w, "totalVolume", p->volume);
    jw_kdouble(w, "avgTradeSize", p->avg_trade_size);
    jw_kstr(w, "patternStatus", p->status);
    jw_kdouble(w, "realizedPnl", p->realized_pnl);
    jw_kdouble(w, "roi", p->roi);
    jw_obj_end(w);
}
