/* Wallets and the generic row tables of the store.
 *
 * Most tables written by later modules (tokens, snapshots, patterns,
 * clusters, signals, orders, positions, alerts, backtests...) need the same
 * four things: insert or upsert, update by id, get by id, list by one key.
 * Instead of four hand-written functions per table and per backend, each
 * table is described once by a column table (name, C type, offset in its
 * row struct) and the SQL is generated from it; the statement cache keys on
 * the SQL text, so generated statements are prepared once per connection.
 * The wallets table uses the same description for its columns and adds the
 * filtered, sorted, paginated list of GET /v1/smart-money/wallets. */
#include "store/store_impl.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "solana/pubkey.h"

enum ctype { C_I64, C_U64, C_F64, C_I32, C_BOOL, C_STR, C_STATUS };

struct col {
    const char *name;
    enum ctype type;
    size_t off;
    size_t size;
};

/* Invariants: cols[] excludes id; id_off is the offset of the int64_t id
 * (SIZE_MAX for wallets, which are keyed by address); conflict, when set,
 * names a unique constraint's columns and makes inserts upserts. */
struct table {
    const char *name;
    const struct col *cols;
    size_t ncols;
    size_t row_size;
    size_t id_off;
    const char *key;
    bool key_int;
    const char *conflict;
};

#define COL(T, f, ty)                                                                              \
    {                                                                                              \
#f, ty, offsetof(T, f), sizeof(((T *)0)->f)                                                \
    }
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

#define W struct wallet
static const struct col wallet_cols[] = {
    COL(W, address, C_STR),
    COL(W, chain, C_STR),
    COL(W, name, C_STR),
    COL(W, type, C_STR),
    COL(W, discovery, C_STR),
    COL(W, verified, C_BOOL),
    COL(W, score, C_F64),
    COL(W, confidence, C_STR),
    COL(W, status, C_STATUS),
    COL(W, total_pnl, C_F64),
    COL(W, roi, C_F64),
    COL(W, win_rate, C_F64),
    COL(W, sharpe, C_F64),
    COL(W, sortino, C_F64),
    COL(W, max_drawdown, C_F64),
    COL(W, volatility, C_F64),
    COL(W, total_trades, C_I64),
    COL(W, avg_trade_size, C_F64),
    COL(W, avg_holding_days, C_F64),
    COL(W, last_trade_ms, C_I64),
    COL(W, trading_style, C_STR),
    COL(W, risk_profile, C_STR),
    COL(W, preferred_tokens, C_STR),
    COL(W, preferred_protocols, C_STR),
    COL(W, first_seen_ms, C_I64),
    COL(W, updated_ms, C_I64),
    COL(W, type_manual, C_BOOL),
};
#undef W
static const struct table wallets_table = {
    "wallets", wallet_cols, NCOLS(wallet_cols), sizeof(struct wallet), SIZE_MAX,
    "address", false,       "address"};

#define T struct token_row
static const struct col token_cols[] = {
    COL(T, mint, C_STR),
    COL(T, symbol, C_STR),
    COL(T, name, C_STR),
    COL(T, decimals, C_I32),
    COL(T, launch_ms, C_I64),
    COL(T, launch_source, C_STR),
    COL(T, supply, C_U64),
    COL(T, liquidity_usd, C_F64),
    COL(T, mcap_usd, C_F64),
    COL(T, holders, C_I32),
    COL(T, top10_pct, C_F64),
    COL(T, mint_authority, C_BOOL),
    COL(T, freeze_authority, C_BOOL),
    COL(T, updated_ms, C_I64),
};
#undef T
#define T struct wallet_snapshot_row
static const struct col snapshot_cols[] = {
    COL(T, wallet, C_STR),         COL(T, ts_ms, C_I64),
    COL(T, total_value, C_F64),    COL(T, pnl_24h, C_F64),
    COL(T, pnl_7d, C_F64),         COL(T, pnl_30d, C_F64),
    COL(T, pnl_all, C_F64),        COL(T, roi, C_F64),
    COL(T, sharpe, C_F64),         COL(T, sortino, C_F64),
    COL(T, max_drawdown, C_F64),   COL(T, volatility, C_F64),
    COL(T, token_count, C_I32),    COL(T, trades_24h, C_I32),
    COL(T, trades_7d, C_I32),      COL(T, trades_30d, C_I32),
    COL(T, avg_trade_size, C_F64), COL(T, top_holdings, C_STR),
};
#undef T
#define T struct trade_pattern_row
static const struct col pattern_cols[] = {
    COL(T, wallet, C_STR),         COL(T, type, C_STR),
    COL(T, name, C_STR),           COL(T, confidence, C_F64),
    COL(T, start_ms, C_I64),       COL(T, end_ms, C_I64),
    COL(T, mint, C_STR),           COL(T, symbol, C_STR),
    COL(T, trades, C_I32),         COL(T, volume, C_F64),
    COL(T, avg_trade_size, C_F64), COL(T, status, C_STR),
    COL(T, realized_pnl, C_F64),   COL(T, roi, C_F64),
    COL(T, updated_ms, C_I64),
};
#undef T
#define T struct cluster_row
static const struct col cluster_cols[] = {
    COL(T, label, C_STR),      COL(T, leader, C_STR),       COL(T, size, C_I32),
    COL(T, cohesion, C_F64),   COL(T, blacklisted, C_BOOL), COL(T, created_ms, C_I64),
    COL(T, updated_ms, C_I64),
};
#undef T
#define T struct cluster_member_row
static const struct col member_cols[] = {
    COL(T, cluster_id, C_I64), COL(T, wallet, C_STR),    COL(T, role, C_STR),
    COL(T, weight, C_F64),     COL(T, joined_ms, C_I64),
};
#undef T
#define T struct graph_edge_row
static const struct col edge_cols[] = {
    COL(T, src, C_STR),   COL(T, dst, C_STR),      COL(T, kind, C_STR),    COL(T, weight, C_F64),
    COL(T, count, C_I32), COL(T, first_ms, C_I64), COL(T, last_ms, C_I64),
};
#undef T
#define T struct signal_row
static const struct col signal_cols[] = {
    COL(T, ts_ms, C_I64),          COL(T, wallet, C_STR),       COL(T, mint, C_STR),
    COL(T, swap_sig, C_STR),       COL(T, score, C_F64),        COL(T, wallet_factor, C_F64),
    COL(T, cluster_factor, C_F64), COL(T, token_factor, C_F64), COL(T, context_factor, C_F64),
    COL(T, factors, C_STR),        COL(T, decision, C_STR),     COL(T, reason, C_STR),
    COL(T, mode, C_STR),
};
#undef T
#define T struct order_row
static const struct col order_cols[] = {
    COL(T, mode, C_STR),    COL(T, signal_id, C_I64),    COL(T, ts_ms, C_I64),
    COL(T, mint, C_STR),    COL(T, side, C_I32),         COL(T, amount_in, C_U64),
    COL(T, min_out, C_U64), COL(T, slippage_bps, C_I32), COL(T, status, C_STR),
    COL(T, tx_sig, C_STR),  COL(T, error, C_STR),        COL(T, updated_ms, C_I64),
};
#undef T
#define T struct fill_row
static const struct col fill_cols[] = {
    COL(T, order_id, C_I64),     COL(T, mode, C_STR),       COL(T, ts_ms, C_I64),
    COL(T, amount_in, C_U64),    COL(T, amount_out, C_U64), COL(T, price_sol, C_F64),
    COL(T, fee_lamports, C_U64), COL(T, tx_sig, C_STR),
};
#undef T
#define T struct position_row
static const struct col position_cols[] = {
    COL(T, mode, C_STR),
    COL(T, mint, C_STR),
    COL(T, signal_id, C_I64),
    COL(T, exit_strategy_id, C_I64),
    COL(T, status, C_STR),
    COL(T, opened_ms, C_I64),
    COL(T, closed_ms, C_I64),
    COL(T, entry_lamports, C_U64),
    COL(T, tokens, C_U64),
    COL(T, tokens_initial, C_U64),
    COL(T, entry_price_sol, C_F64),
    COL(T, peak_price_sol, C_F64),
    COL(T, stop_price_sol, C_F64),
    COL(T, moonbag, C_BOOL),
    COL(T, realized_sol, C_F64),
    COL(T, state, C_STR),
    COL(T, updated_ms, C_I64),
};
#undef T
#define T struct closed_trade_row
static const struct col closed_cols[] = {
    COL(T, mode, C_STR),
    COL(T, position_id, C_I64),
    COL(T, mint, C_STR),
    COL(T, wallet, C_STR),
    COL(T, opened_ms, C_I64),
    COL(T, closed_ms, C_I64),
    COL(T, entry_price_sol, C_F64),
    COL(T, exit_price_sol, C_F64),
    COL(T, entry_lamports, C_U64),
    COL(T, exit_lamports, C_U64),
    COL(T, pnl_sol, C_F64),
    COL(T, pnl_pct, C_F64),
    COL(T, exit_reason, C_STR),
    COL(T, signal_id, C_I64),
    COL(T, strategy, C_STR),
    COL(T, score, C_F64),
    COL(T, factors, C_STR),
};
#undef T
#define T struct alert_row
static const struct col alert_cols[] = {
    COL(T, ts_ms, C_I64),   COL(T, kind, C_STR), COL(T, severity, C_STR), COL(T, mode, C_STR),
    COL(T, message, C_STR), COL(T, data, C_STR), COL(T, acked_ms, C_I64),
};
#undef T
#define T struct exit_strategy_row
static const struct col exit_cols[] = {
    COL(T, name, C_STR),
    COL(T, params, C_STR),
    COL(T, updated_ms, C_I64),
};
#undef T
#define T struct backtest_scenario_row
static const struct col scenario_cols[] = {
    COL(T, name, C_STR),  COL(T, params, C_STR),     COL(T, from_ms, C_I64),
    COL(T, to_ms, C_I64), COL(T, created_ms, C_I64),
};
#undef T
#define T struct backtest_run_row
static const struct col run_cols[] = {
    COL(T, scenario_id, C_I64), COL(T, started_ms, C_I64), COL(T, finished_ms, C_I64),
    COL(T, status, C_STR),      COL(T, params, C_STR),     COL(T, results, C_STR),
    COL(T, pnl_sol, C_F64),     COL(T, win_rate, C_F64),   COL(T, max_drawdown, C_F64),
    COL(T, trades, C_I32),
};
#undef T

#define TABLE(sqlname, S, cols, key, key_int, conflict)                                            \
    {                                                                                              \
        sqlname, cols, NCOLS(cols), sizeof(S), offsetof(S, id), key, key_int, conflict             \
    }

static const struct table tables[STORE_T_COUNT_] = {
    [STORE_T_TOKENS] = TABLE("tokens", struct token_row, token_cols, "mint", false, "mint"),
    [STORE_T_SNAPSHOTS] = TABLE("wallet_performance_snapshots", struct wallet_snapshot_row,
                                snapshot_cols, "wallet", false, NULL),
    [STORE_T_PATTERNS] =
        TABLE("trade_patterns", struct trade_pattern_row, pattern_cols, "wallet", false, NULL),
    [STORE_T_CLUSTERS] =
        TABLE("clusters", struct cluster_row, cluster_cols, "label", false, "label"),
    [STORE_T_CLUSTER_MEMBERS] = TABLE("cluster_members", struct cluster_member_row, member_cols,
                                      "cluster_id", true, "cluster_id, wallet"),
    [STORE_T_EDGES] =
        TABLE("graph_edges", struct graph_edge_row, edge_cols, "src", false, "src, dst, kind"),
    [STORE_T_SIGNALS] = TABLE("signals", struct signal_row, signal_cols, "wallet", false, NULL),
    [STORE_T_ORDERS] = TABLE("orders", struct order_row, order_cols, "mode", false, NULL),
    [STORE_T_FILLS] = TABLE("fills", struct fill_row, fill_cols, "order_id", true, NULL),
    [STORE_T_POSITIONS] =
        TABLE("positions", struct position_row, position_cols, "mode", false, NULL),
    [STORE_T_CLOSED_TRADES] =
        TABLE("closed_trades", struct closed_trade_row, closed_cols, "mode", false, NULL),
    [STORE_T_ALERTS] = TABLE("alerts", struct alert_row, alert_cols, "kind", false, NULL),
    [STORE_T_EXIT_STRATEGIES] =
        TABLE("exit_strategies", struct exit_strategy_row, exit_cols, "name", false, "name"),
    [STORE_T_SCENARIOS] = TABLE("backtest_scenarios", struct backtest_scenario_row, scenario_cols,
                                "name", false, "name"),
    [STORE_T_BACKTEST_RUNS] =
        TABLE("backtest_runs", struct backtest_run_row, run_cols, "scenario_id", true, NULL),
};

size_t store_row_size(enum store_table t)
{
    return (unsigned)t < STORE_T_COUNT_ ? tables[t].row_size : 0;
}

const char *store_table_name(enum store_table t)
{
    return (unsigned)t < STORE_T_COUNT_ ? tables[t].name : NULL;
}

/* ------------------------------------------------------------ SQL text */

#define SQL_MAX 4096

static void sql_cols(struct buf *b, const struct table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, "%s%s", i ? ", " : "", t->cols[i].name);
}

/* INSERT ... [ON CONFLICT (...) DO UPDATE SET ...] RETURNING id. For
 * wallets, first_seen_ms keeps the earliest value. */
static void sql_insert(struct buf *b, const struct table *t)
{
    buf_printf(b, "INSERT INTO %s (", t->name);
    sql_cols(b, t);
    buf_puts(b, ") VALUES (");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, "%s$%zu", i ? ", " : "", i + 1);
    buf_puts(b, ")");
    if (t->conflict != NULL) {
        buf_printf(b, " ON CONFLICT (%s) DO UPDATE SET ", t->conflict);
        for (size_t i = 0; i < t->ncols; i++) {
            const char *n = t->cols[i].name;
            if (strcmp(n, "first_seen_ms") == 0)
                buf_printf(b,
                           "%s%s = CASE WHEN excluded.%s < %s.%s THEN excluded.%s ELSE %s.%s END",
                           i ? ", " : "", n, n, t->name, n, n, t->name, n);
            else
                buf_printf(b, "%s%s = excluded.%s", i ? ", " : "", n, n);
        }
    }
    buf_puts(b, " RETURNING id");
}

static void sql_select(struct buf *b, const struct table *t)
{
    buf_puts(b, "SELECT id, ");
    sql_cols(b, t);
    buf_printf(b, " FROM %s", t->name);
}

/* ------------------------------------------------------------ values */

static void bind_row(const struct store_ops *o, struct store_stmt *s, const struct table *t,
                     const void *row, int first)
{
    const char *p = row;
    for (size_t i = 0; i < t->ncols; i++) {
        const struct col *c = &t->cols[i];
        int k = first + (int)i;
        switch (c->type) {
        case C_I64:
            o->bind_i64(s, k, *(const int64_t *)(p + c->off));
            break;
        case C_U64:
            o->bind_u64(s, k, *(const uint64_t *)(p + c->off));
            break;
        case C_F64:
            o->bind_f64(s, k, *(const double *)(p + c->off));
            break;
        case C_I32:
            o->bind_i64(s, k, *(const int32_t *)(p + c->off));
            break;
        case C_BOOL:
            o->bind_i64(s, k, *(const bool *)(p + c->off) ? 1 : 0);
            break;
        case C_STATUS:
            o->bind_i64(s, k, (int64_t) * (const enum wallet_status *)(p + c->off));
            break;
        case C_STR:
            o->bind_text(s, k, p + c->off);
            break;
        }
    }
}

/* Reads column 0 (id) and the table's columns from the current row. */
static int read_row(const struct store_ops *o, struct store_stmt *s, const struct table *t,
                    void *row)
{
    char *p = row;
    memset(row, 0, t->row_size);
    if (t->id_off != SIZE_MAX)
        *(int64_t *)(p + t->id_off) = o->col_i64(s, 0);
    for (size_t i = 0; i < t->ncols; i++) {
        const struct col *c = &t->cols[i];
        int k = 1 + (int)i;
        switch (c->type) {
        case C_I64:
            *(int64_t *)(p + c->off) = o->col_i64(s, k);
            break;
        case C_U64:
            *(uint64_t *)(p + c->off) = o->col_u64(s, k);
            break;
        case C_F64:
            *(double *)(p + c->off) = o->col_f64(s, k);
            break;
        case C_I32:
            *(int32_t *)(p + c->off) = (int32_t)o->col_i64(s, k);
            break;
        case C_BOOL:
            *(bool *)(p + c->off) = o->col_bool(s, k);
            break;
        case C_STATUS:
            *(enum wallet_status *)(p + c->off) = (enum wallet_status)o->col_i64(s, k);
            break;
        case C_STR:
            if (str_copy(p + c->off, c->size, o->col_text(s, k)) != 0) {
                log_error("store", "%s.%s holds a value longer than %zu bytes", t->name, c->name,
                          c->size - 1);
                return WT_ETOOBIG;
            }
            break;
        }
    }
    return 0;
}

/* Every text field NUL-terminated and every double finite. */
static int check_row(const struct table *t, const void *row)
{
    const char *p = row;
    for (size_t i = 0; i < t->ncols; i++) {
        const struct col *c = &t->cols[i];
        if (c->type == C_STR && memchr(p + c->off, '\0', c->size) == NULL)
            return WT_EINVAL;
        if (c->type == C_F64 && !isfinite(*(const double *)(p + c->off)))
            return WT_EINVAL;
    }
    return 0;
}

/* ------------------------------------------------------------ generic */

static int put_row(struct store *st, struct store_conn *c, const struct table *t, const void *row,
                   int64_t *id)
{
    const struct store_ops *o = st->ops;
    char text[SQL_MAX];
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_insert(&b, t);
    str_copy(text, sizeof text, b.data);
    buf_release(&b);
    struct store_stmt *s;
    if (o->prepare(c, text, &s) != 0)
        return stmt_err(st, c, t->name);
    bind_row(o, s, t, row, 1);
    int r = wr_step(st, s);
    int rc = 0;
    if (r == 1) {
        if (id != NULL)
            *id = o->col_i64(s, 0);
        while ((r = o->step(s)) == 1)
            ;
    }
    if (r < 0)
        rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, t->name);
    o->finish(s);
    return rc;
}

int store_row_put(struct store *st, enum store_table tt, const void *row, int64_t *id)
{
    if ((unsigned)tt >= STORE_T_COUNT_ || check_row(&tables[tt], row) != 0)
        return WT_EINVAL;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    rc = put_row(st, c, &tables[tt], row, id);
    return wr_end(st, c, rc);
}

int store_row_put_many(struct store *st, enum store_table tt, const void *rows, size_t n)
{
    if ((unsigned)tt >= STORE_T_COUNT_)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    for (size_t i = 0; i < n; i++)
        if (check_row(t, (const char *)rows + i * t->row_size) != 0)
            return WT_EINVAL;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = put_row(st, c, t, (const char *)rows + i * t->row_size, NULL);
    return wr_end(st, c, rc);
}

int store_row_replace(struct store *st, enum store_table tt, const char *key, const void *rows,
                      size_t n)
{
    if ((unsigned)tt >= STORE_T_COUNT_ || tables[tt].key_int)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    for (size_t i = 0; i < n; i++)
        if (check_row(t, (const char *)rows + i * t->row_size) != 0)
            return WT_EINVAL;
    char sql[256];
    if (key != NULL)
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s = $1", t->name, t->key);
    else
        snprintf(sql, sizeof sql, "DELETE FROM %s", t->name);
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c, sql, &s) != 0)
        return wr_end(st, c, stmt_err(st, c, t->name));
    if (key != NULL)
        st->ops->bind_text(s, 1, key);
    if (wr_step(st, s) < 0)
        rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, t->name);
    st->ops->finish(s);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = put_row(st, c, t, (const char *)rows + i * t->row_size, NULL);
    return wr_end(st, c, rc);
}

int store_row_update(struct store *st, enum store_table tt, const void *row)
{
    if ((unsigned)tt >= STORE_T_COUNT_ || check_row(&tables[tt], row) != 0)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    const struct store_ops *o = st->ops;
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    buf_printf(&b, "UPDATE %s SET ", t->name);
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(&b, "%s%s = $%zu", i ? ", " : "", t->cols[i].name, i + 1);
    buf_printf(&b, " WHERE id = $%zu", t->ncols + 1);
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        goto out;
    struct store_stmt *s;
    if (o->prepare(c, b.data, &s) != 0) {
        rc = wr_end(st, c, stmt_err(st, c, t->name));
        goto out;
    }
    bind_row(o, s, t, row, 1);
    o->bind_i64(s, (int)t->ncols + 1, *(const int64_t *)((const char *)row + t->id_off));
    if (wr_step(st, s) < 0)
        rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, t->name);
    else if (o->changes(s) == 0)
        rc = WT_ENOTFOUND;
    o->finish(s);
    rc = wr_end(st, c, rc);
out:
    buf_release(&b);
    return rc;
}

/* Runs a read that returns rows of t into rows[0..cap). */
static int read_rows(struct store *st, struct store_conn *c, struct store_stmt *s,
                     const struct table *t, void *rows, size_t cap, size_t *n)
{
    const struct store_ops *o = st->ops;
    *n = 0;
    int r = 0;
    while (*n < cap && (r = o->step(s)) == 1) {
        int rc = read_row(o, s, t, (char *)rows + *n * t->row_size);
        if (rc != 0)
            return rc;
        (*n)++;
    }
    if (r < 0)
        return stmt_err(st, c, t->name);
    return 0;
}

int store_row_get(struct store *st, enum store_table tt, int64_t id, void *row)
{
    if ((unsigned)tt >= STORE_T_COUNT_)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_select(&b, t);
    buf_puts(&b, " WHERE id = $1");
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        goto out;
    struct store_stmt *s;
    if (st->ops->prepare(c, b.data, &s) != 0) {
        rc = stmt_err(st, c, t->name);
    } else {
        st->ops->bind_i64(s, 1, id);
        size_t n = 0;
        rc = read_rows(st, c, s, t, row, 1, &n);
        if (rc == 0 && n == 0)
            rc = WT_ENOTFOUND;
        st->ops->finish(s);
    }
    st->ops->release(st, c);
out:
    buf_release(&b);
    return rc;
}

int store_row_list(struct store *st, enum store_table tt, const struct row_query *q, void *rows,
                   size_t *n)
{
    *n = 0;
    if ((unsigned)tt >= STORE_T_COUNT_ || q->limit == 0 || q->limit > 1000)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    bool by_key = t->key_int ? q->key_id != 0 : q->key != NULL;
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_select(&b, t);
    if (by_key)
        buf_printf(&b, " WHERE %s = $1 AND id > $2 ORDER BY id LIMIT $3", t->key);
    else
        buf_puts(&b, " WHERE id > $1 ORDER BY id LIMIT $2");
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        goto out;
    struct store_stmt *s;
    if (st->ops->prepare(c, b.data, &s) != 0) {
        rc = stmt_err(st, c, t->name);
    } else {
        int k = 1;
        if (by_key) {
            if (t->key_int)
                st->ops->bind_i64(s, k++, q->key_id);
            else
                st->ops->bind_text(s, k++, q->key);
        }
        st->ops->bind_i64(s, k++, q->after_id);
        st->ops->bind_i64(s, k, q->limit);
        rc = read_rows(st, c, s, t, rows, q->limit, n);
        st->ops->finish(s);
    }
    st->ops->release(st, c);
out:
    buf_release(&b);
    return rc;
}

/* ------------------------------------------------------------ batches */

/* INSERT with the id, or replace every column of the row with that id. */
static void sql_upsert_id(struct buf *b, const struct table *t)
{
    buf_printf(b, "INSERT INTO %s (id, ", t->name);
    sql_cols(b, t);
    buf_puts(b, ") VALUES ($1");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, ", $%zu", i + 2);
    buf_puts(b, ") ON CONFLICT (id) DO UPDATE SET ");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, "%s%s = excluded.%s", i ? ", " : "", t->cols[i].name, t->cols[i].name);
}

static const char SQL_STATE_PUT[] =
    "INSERT INTO engine_state (key, value, updated_ms) VALUES ($1, $2, $3) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms";

static int write_one(struct store *st, struct store_conn *c, const struct store_write *w)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s;
    int rc = 0;
    if (w->table == STORE_W_STATE) {
        if (o->prepare(c, SQL_STATE_PUT, &s) != 0)
            return stmt_err(st, c, "engine_state");
        o->bind_text(s, 1, w->key);
        o->bind_text(s, 2, w->value);
        o->bind_i64(s, 3, w->ts_ms);
        if (wr_step(st, s) < 0)
            rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, "engine_state");
        o->finish(s);
        return rc;
    }
    const struct table *t = &tables[w->table];
    if (!w->keep_id)
        return put_row(st, c, t, w->row, NULL);
    char text[SQL_MAX];
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_upsert_id(&b, t);
    str_copy(text, sizeof text, b.data);
    buf_release(&b);
    if (o->prepare(c, text, &s) != 0)
        return stmt_err(st, c, t->name);
    o->bind_i64(s, 1, *(const int64_t *)((const char *)w->row + t->id_off));
    bind_row(o, s, t, w->row, 2);
    if (wr_step(st, s) < 0)
        rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, t->name);
    o->finish(s);
    return rc;
}

int store_write_batch(struct store *st, const struct store_write *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (w[i].table == STORE_W_STATE) {
            if (!w[i].key || !w[i].key[0] || !w[i].value)
                return WT_EINVAL;
            continue;
        }
        if ((unsigned)w[i].table >= STORE_T_COUNT_ || check_row(&tables[w[i].table], w[i].row))
            return WT_EINVAL;
        if (w[i].keep_id &&
            (tables[w[i].table].id_off == SIZE_MAX ||
             *(const int64_t *)((const char *)w[i].row + tables[w[i].table].id_off) <= 0))
            return WT_EINVAL;
    }
    if (n == 0)
        return 0;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = write_one(st, c, &w[i]);
    return wr_end(st, c, rc);
}

int store_state_get(struct store *st, const char *key, struct buf *out)
{
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c, "SELECT value FROM engine_state WHERE key = $1", &s) != 0) {
        rc = stmt_err(st, c, "engine_state");
    } else {
        st->ops->bind_text(s, 1, key);
        int r = st->ops->step(s);
        if (r == 1)
            rc = buf_puts(out, st->ops->col_text(s, 0));
        else
            rc = r == 0 ? WT_ENOTFOUND : stmt_err(st, c, "engine_state");
        st->ops->finish(s);
    }
    st->ops->release(st, c);
    return rc;
}

int store_rows_select(struct store *st, enum store_table tt, const char *tail,
                      const struct store_arg *args, size_t nargs, void *rows, size_t cap, size_t *n)
{
    *n = 0;
    if ((unsigned)tt >= STORE_T_COUNT_)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_select(&b, t);
    buf_puts(&b, " ");
    if (buf_puts(&b, tail) != 0) {
        buf_release(&b);
        return WT_EINVAL;
    }
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        goto out;
    struct store_stmt *s;
    if (st->ops->prepare(c, b.data, &s) != 0) {
        rc = stmt_err(st, c, t->name);
    } else {
        for (size_t i = 0; i < nargs; i++) {
            if (args[i].text)
                st->ops->bind_text(s, (int)i + 1, args[i].text);
            else
                st->ops->bind_i64(s, (int)i + 1, args[i].i);
        }
        rc = read_rows(st, c, s, t, rows, cap, n);
        st->ops->finish(s);
    }
    st->ops->release(st, c);
out:
    buf_release(&b);
    return rc;
}

int store_alert_ack(struct store *st, int64_t id, int64_t now_ms)
{
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c, "UPDATE alerts SET acked_ms = $1 WHERE id = $2", &s) != 0)
        return wr_end(st, c, stmt_err(st, c, "alert ack"));
    st->ops->bind_i64(s, 1, now_ms);
    st->ops->bind_i64(s, 2, id);
    if (wr_step(st, s) < 0)
        rc = WT_ESTORE;
    else if (st->ops->changes(s) == 0)
        rc = WT_ENOTFOUND;
    st->ops->finish(s);
    return wr_end(st, c, rc);
}

/* ------------------------------------------------------------ wallets */

static const char *const status_names[] = {NULL,          "watch",     "flagged",
                                           "blacklisted", "candidate", "removed"};

const char *wallet_status_name(enum wallet_status s)
{
    return s >= WALLET_WATCH && s <= WALLET_STATUS_MAX ? status_names[s] : "unknown";
}

int wallet_status_parse(const char *s, enum wallet_status *out)
{
    for (int i = WALLET_WATCH; i <= WALLET_STATUS_MAX; i++)
        if (s != NULL && strcmp(s, status_names[i]) == 0) {
            *out = (enum wallet_status)i;
            return 0;
        }
    return WT_EINVAL;
}

static bool json_array_or_empty(struct json_doc *d, const char *s)
{
    if (s[0] == '\0')
        return true;
    struct json_val root;
    return json_parse(d, s, strlen(s), 0, &root) == 0 && json_type_of(&root) == JSON_ARRAY;
}

static int check_wallet(const struct wallet *w, struct json_doc *d)
{
    if (check_row(&wallets_table, w) != 0 || w->address[0] == '\0' || w->chain[0] == '\0' ||
        !(w->score >= 0 && w->score <= 100) || w->status < WALLET_WATCH ||
        w->status > WALLET_STATUS_MAX)
        return WT_EINVAL;
    struct pubkey k;
    if (strcmp(w->chain, "solana") == 0 && pubkey_parse(w->address, &k) != 0)
        return WT_EINVAL;
    if (!json_array_or_empty(d, w->preferred_tokens) ||
        !json_array_or_empty(d, w->preferred_protocols))
        return WT_EINVAL;
    return 0;
}

int store_wallet_upsert_many(struct store *st, const struct wallet *w, size_t n)
{
    struct json_doc *d = json_doc_new(8);
    for (size_t i = 0; i < n; i++)
        if (check_wallet(&w[i], d) != 0) {
            json_doc_free(d);
            log_warn("store", "refusing wallet %zu (%.44s): invalid field", i, w[i].address);
            return WT_EINVAL;
        }
    json_doc_free(d);
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = put_row(st, c, &wallets_table, &w[i], NULL);
    return wr_end(st, c, rc);
}

int store_wallet_upsert(struct store *st, const struct wallet *w)
{
    return store_wallet_upsert_many(st, w, 1);
}

/* The columns a profile run owns; the rest (address, name, discovery,
 * verified, status) belong to the operator, and type and first_seen_ms
 * have their own rules. */
static bool profile_col(const char *n)
{
    static const char *const keep[] = {"address", "name", "discovery",     "verified",
                                       "status",  "type", "first_seen_ms", "type_manual"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (strcmp(n, keep[i]) == 0)
            return false;
    return true;
}

static void sql_upsert_profile(struct buf *b)
{
    const struct table *t = &wallets_table;
    buf_printf(b, "INSERT INTO %s (", t->name);
    sql_cols(b, t);
    buf_puts(b, ") VALUES (");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, "%s$%zu", i ? ", " : "", i + 1);
    buf_puts(b, ") ON CONFLICT (address) DO UPDATE SET "
                "first_seen_ms = CASE WHEN excluded.first_seen_ms < wallets.first_seen_ms "
                "THEN excluded.first_seen_ms ELSE wallets.first_seen_ms END, "
                "type = CASE WHEN NOT wallets.type_manual THEN excluded.type "
                "ELSE wallets.type END");
    for (size_t i = 0; i < t->ncols; i++)
        if (profile_col(t->cols[i].name))
            buf_printf(b, ", %s = excluded.%s", t->cols[i].name, t->cols[i].name);
}

int store_wallet_upsert_profiles(struct store *st, const struct wallet *w, size_t n)
{
    struct json_doc *d = json_doc_new(8);
    for (size_t i = 0; i < n; i++)
        if (check_wallet(&w[i], d) != 0) {
            json_doc_free(d);
            log_warn("store", "refusing wallet profile %zu (%.44s): invalid field", i,
                     w[i].address);
            return WT_EINVAL;
        }
    json_doc_free(d);
    const struct store_ops *o = st->ops;
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_upsert_profile(&b);
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct store_stmt *s;
        if (o->prepare(c, b.data, &s) != 0) {
            rc = stmt_err(st, c, "wallet profiles");
            break;
        }
        bind_row(o, s, &wallets_table, &w[i], 1);
        if (wr_step(st, s) < 0)
            rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, "wallet profiles");
        o->finish(s);
    }
    rc = wr_end(st, c, rc);
out:
    buf_release(&b);
    return rc;
}

int store_wallet_update_fields(struct store *st, const char *address, unsigned fields,
                               const struct wallet *w, int64_t now_ms)
{
    unsigned all =
        WALLET_F_NAME | WALLET_F_TYPE | WALLET_F_VERIFIED | WALLET_F_DISCOVERY | WALLET_F_STATUS;
    if (address == NULL || fields == 0 || (fields & ~all) != 0 || check_row(&wallets_table, w) ||
        ((fields & WALLET_F_STATUS) && (w->status < WALLET_WATCH || w->status > WALLET_STATUS_MAX)))
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    buf_puts(&b, "UPDATE wallets SET updated_ms = $1");
    int k = 2;
    if (fields & WALLET_F_NAME)
        buf_printf(&b, ", name = $%d", k++);
    if (fields & WALLET_F_TYPE)
        buf_printf(&b, ", type = $%d, type_manual = TRUE", k++);
    if (fields & WALLET_F_VERIFIED)
        buf_printf(&b, ", verified = $%d", k++);
    if (fields & WALLET_F_DISCOVERY)
        buf_printf(&b, ", discovery = $%d", k++);
    if (fields & WALLET_F_STATUS)
        buf_printf(&b, ", status = $%d", k++);
    buf_printf(&b, " WHERE address = $%d", k);
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        goto out;
    struct store_stmt *s;
    if (o->prepare(c, b.data, &s) != 0) {
        rc = wr_end(st, c, stmt_err(st, c, "wallet fields"));
        goto out;
    }
    k = 1;
    o->bind_i64(s, k++, now_ms);
    if (fields & WALLET_F_NAME)
        o->bind_text(s, k++, w->name);
    if (fields & WALLET_F_TYPE)
        o->bind_text(s, k++, w->type);
    if (fields & WALLET_F_VERIFIED)
        o->bind_i64(s, k++, w->verified ? 1 : 0);
    if (fields & WALLET_F_DISCOVERY)
        o->bind_text(s, k++, w->discovery);
    if (fields & WALLET_F_STATUS)
        o->bind_i64(s, k++, w->status);
    o->bind_text(s, k, address);
    if (wr_step(st, s) < 0)
        rc = WT_ESTORE;
    else if (o->changes(s) == 0)
        rc = WT_ENOTFOUND;
    o->finish(s);
    rc = wr_end(st, c, rc);
out:
    buf_release(&b);
    return rc;
}

int store_wallet_transition(struct store *st, const char *address, enum wallet_status from,
                            enum wallet_status to, const char *discovery_is,
                            const char *set_discovery, int64_t now_ms)
{
    if (address == NULL || from < WALLET_WATCH || from > WALLET_STATUS_MAX || to < WALLET_WATCH ||
        to > WALLET_STATUS_MAX ||
        (set_discovery != NULL && strlen(set_discovery) >= WALLET_WORD_MAX))
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE wallets SET status = $1, updated_ms = $2%s WHERE address = $3 AND "
             "status = $4%s",
             set_discovery ? ", discovery = $5" : "",
             discovery_is ? (set_discovery ? " AND discovery = $6" : " AND discovery = $5") : "");
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (o->prepare(c, sql, &s) != 0)
        return wr_end(st, c, stmt_err(st, c, "wallet transition"));
    o->bind_i64(s, 1, to);
    o->bind_i64(s, 2, now_ms);
    o->bind_text(s, 3, address);
    o->bind_i64(s, 4, from);
    int k = 5;
    if (set_discovery)
        o->bind_text(s, k++, set_discovery);
    if (discovery_is)
        o->bind_text(s, k, discovery_is);
    if (wr_step(st, s) < 0)
        rc = WT_ESTORE;
    else if (o->changes(s) == 0)
        rc = WT_ENOTFOUND;
    o->finish(s);
    return wr_end(st, c, rc);
}

int store_wallet_set_status(struct store *st, const char *address, enum wallet_status status,
                            int64_t now_ms)
{
    if (address == NULL || status < WALLET_WATCH || status > WALLET_STATUS_MAX)
        return WT_EINVAL;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c, "UPDATE wallets SET status = $1, updated_ms = $2 WHERE address = $3",
                         &s) != 0)
        return wr_end(st, c, stmt_err(st, c, "wallet status"));
    st->ops->bind_i64(s, 1, status);
    st->ops->bind_i64(s, 2, now_ms);
    st->ops->bind_text(s, 3, address);
    if (wr_step(st, s) < 0)
        rc = WT_ESTORE;
    else if (st->ops->changes(s) == 0)
        rc = WT_ENOTFOUND;
    st->ops->finish(s);
    return wr_end(st, c, rc);
}

int store_wallet_get(struct store *st, const char *address, struct wallet *out)
{
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_select(&b, &wallets_table);
    buf_puts(&b, " WHERE address = $1");
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        goto out;
    struct store_stmt *s;
    if (st->ops->prepare(c, b.data, &s) != 0) {
        rc = stmt_err(st, c, "wallet get");
    } else {
        st->ops->bind_text(s, 1, address);
        size_t n = 0;
        rc = read_rows(st, c, s, &wallets_table, out, 1, &n);
        if (rc == 0 && n == 0)
            rc = WT_ENOTFOUND;
        st->ops->finish(s);
    }
    st->ops->release(st, c);
out:
    buf_release(&b);
    return rc;
}

static const char *const sort_cols[] = {"score", "roi", "total_pnl", "total_trades"};

/* The WHERE clause shared by the page and the count; parameters from $1. */
static int wallet_where(struct buf *b, const struct wallet_filter *f)
{
    int k = 1;
    buf_puts(b, " WHERE 1 = 1");
    if (f->nchains > 0) {
        buf_puts(b, " AND chain IN (");
        for (size_t i = 0; i < f->nchains; i++)
            buf_printf(b, "%s$%d", i ? ", " : "", k++);
        buf_puts(b, ")");
    }
    if (f->has_min_score)
        buf_printf(b, " AND score >= $%d", k++);
    if (f->has_verified)
        buf_printf(b, " AND verified = $%d", k++);
    if (f->type[0] != '\0')
        buf_printf(b, " AND type = $%d", k++);
    if (f->status != 0)
        buf_printf(b, " AND status = $%d", k++);
    return k;
}

static int wallet_bind(const struct store_ops *o, struct store_stmt *s,
                       const struct wallet_filter *f)
{
    int k = 1;
    for (size_t i = 0; i < f->nchains; i++)
        o->bind_text(s, k++, f->chains[i]);
    if (f->has_min_score)
        o->bind_f64(s, k++, f->min_score);
    if (f->has_verified)
        o->bind_i64(s, k++, f->verified ? 1 : 0);
    if (f->type[0] != '\0')
        o->bind_text(s, k++, f->type);
    if (f->status != 0)
        o->bind_i64(s, k++, f->status);
    return k;
}

void wallet_page_release(struct wallet_page *p)
{
    free(p->rows);
    p->rows = NULL;
    p->n = 0;
    p->total = 0;
}

static int wallet_filter_check(const struct wallet_filter *f)
{
    if (f->page == 0 || f->limit == 0 || f->limit > 1000 || f->nchains > WALLET_FILTER_CHAINS_MAX ||
        (unsigned)f->sort > WALLET_SORT_TRADES ||
        (f->status != 0 && (f->status < WALLET_WATCH || f->status > WALLET_STATUS_MAX)) ||
        memchr(f->type, '\0', sizeof f->type) == NULL ||
        (f->has_min_score && !isfinite(f->min_score)))
        return WT_EINVAL;
    for (size_t i = 0; i < f->nchains; i++)
        if (f->chains[i] == NULL)
            return WT_EINVAL;
    return 0;
}

/* SQLite's planner has no statistics (no ANALYZE: the data changes with
 * every discovery run), so with wallets_filter_score (migration 9) it
 * would take that index for any page whose filters match its prefix and
 * then sort thousands of rows by roi or pnl. The plans are therefore
 * named: a page walks the index of its sort key and direction, or, for the
 * common filter sorted by score from the top (status, verified and one
 * chain), wallets_filter_score from the first match; a total is counted
 * on wallets_filter_score, which holds every column it may filter on but
 * the type (so no table read at all). PostgreSQL keeps statistics and
 * chooses well on its own (docs/internals/store.md). */
static const char *const sort_index[][2] = {
    {"wallets_score_d", "wallets_score_a"},
    {"wallets_roi_d", "wallets_roi_a"},
    {"wallets_pnl_d", "wallets_pnl_a"},
    {"wallets_trades_d", "wallets_trades_a"},
};

static const char *page_index(const struct wallet_filter *f)
{
    if (f->sort == WALLET_SORT_SCORE && !f->ascending && f->status != 0 && f->has_verified &&
        f->nchains == 1)
        return "wallets_filter_score";
    return sort_index[f->sort][f->ascending ? 1 : 0];
}

static const char *count_index(const struct wallet_filter *f)
{
    bool any = f->nchains > 0 || f->has_min_score || f->has_verified || f->status != 0;
    return any && f->type[0] == '\0' ? "wallets_filter_score" : NULL;
}

/* The page query; returns the number of its first LIMIT parameter. */
static int wallet_page_sql(struct buf *b, const struct wallet_filter *f, bool sqlite)
{
    sql_select(b, &wallets_table);
    if (sqlite)
        buf_printf(b, " INDEXED BY %s", page_index(f));
    int k = wallet_where(b, f);
    buf_printf(b, " ORDER BY %s %s, address ASC LIMIT $%d OFFSET $%d", sort_cols[f->sort],
               f->ascending ? "ASC" : "DESC", k, k + 1);
    return k;
}

int store_wallet_list_plan(struct store *st, const struct wallet_filter *f, char *out,
                           size_t outsize)
{
    if (wallet_filter_check(f) != 0 || outsize == 0)
        return WT_EINVAL;
    out[0] = '\0';
    bool sqlite = strcmp(st->ops->name, "sqlite") == 0;
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    buf_puts(&b, sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ");
    int k = wallet_page_sql(&b, f, sqlite);
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        goto out;
    struct store_stmt *s;
    if (st->ops->prepare(c, b.data, &s) != 0) {
        rc = stmt_err(st, c, "wallet list plan");
    } else {
        k = wallet_bind(st->ops, s, f);
        st->ops->bind_i64(s, k, f->limit);
        st->ops->bind_i64(s, k + 1, (int64_t)(f->page - 1) * f->limit);
        size_t len = 0;
        int r;
        while ((r = st->ops->step(s)) == 1) {
            int n =
                snprintf(out + len, outsize - len, "%s\n", st->ops->col_text(s, sqlite ? 3 : 0));
            if (n < 0 || (size_t)n >= outsize - len)
                break;
            len += (size_t)n;
        }
        if (r < 0)
            rc = stmt_err(st, c, "wallet list plan");
        st->ops->finish(s);
    }
    st->ops->release(st, c);
out:
    buf_release(&b);
    return rc;
}

int store_wallet_list(struct store *st, const struct wallet_filter *f, struct wallet_page *out)
{
    memset(out, 0, sizeof *out);
    if (wallet_filter_check(f) != 0)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct buf page, count;
    buf_init(&page, SQL_MAX - 1);
    buf_init(&count, SQL_MAX - 1);
    bool sqlite = strcmp(o->name, "sqlite") == 0;
    int k = wallet_page_sql(&page, f, sqlite);
    buf_puts(&count, "SELECT count(*) FROM wallets");
    if (sqlite && count_index(f))
        buf_printf(&count, " INDEXED BY %s", count_index(f));
    wallet_where(&count, f);

    out->rows = xcalloc(f->limit, sizeof *out->rows);
    struct store_conn *c;
    int rc = o->acquire(st, false, &c);
    if (rc != 0)
        goto out;
    /* One read transaction, so the total and the page see the same data. */
    if (o->begin(c) != 0) {
        rc = stmt_err(st, c, "BEGIN (wallet list)");
        goto rel;
    }
    struct store_stmt *s;
    if (o->prepare(c, page.data, &s) != 0) {
        rc = stmt_err(st, c, "wallet list");
        goto end;
    }
    k = wallet_bind(o, s, f);
    o->bind_i64(s, k, f->limit);
    o->bind_i64(s, k + 1, (int64_t)(f->page - 1) * f->limit);
    rc = read_rows(st, c, s, &wallets_table, out->rows, f->limit, &out->n);
    o->finish(s);
    if (rc != 0)
        goto end;
    if (o->prepare(c, count.data, &s) != 0) {
        rc = stmt_err(st, c, "wallet count");
        goto end;
    }
    wallet_bind(o, s, f);
    if (o->step(s) == 1)
        out->total = o->col_i64(s, 0);
    else
        rc = stmt_err(st, c, "wallet count");
    o->finish(s);
end:
    o->rollback(c);
rel:
    o->release(st, c);
out:
    buf_release(&page);
    buf_release(&count);
    if (rc != 0)
        wallet_page_release(out);
    return rc;
}
