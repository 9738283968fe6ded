/* The generic row tables of the store.
 *
 * Most tables written by later modules (tokens, snapshots, patterns,
 * clusters, signals, orders, positions, alerts, backtests...) need the same
 * four things: insert or upsert, update by id, get by id, list by one key.
 * Instead of four hand-written functions per table and per backend, each
 * table is described once by a column table (name, C type, offset in its
 * row struct) and the SQL is generated from it; the statement cache keys on
 * the SQL text, so generated statements are prepared once per connection.
 * The wallets table (store_wallets.c) uses the same description for its
 * columns, through store_rows_impl.h. */
#include "store/store_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/store_rows_impl.h"

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
    COL(T, node, C_STR),
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

static const struct col equity_mark_cols[] = {
    COL(struct equity_mark_row, mode, C_STR),
    COL(struct equity_mark_row, ts_ms, C_I64),
    COL(struct equity_mark_row, equity_lamports, C_U64),
    COL(struct equity_mark_row, cash_lamports, C_U64),
};

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

#define T struct backtest_item_row

static const struct col item_cols[] = {
    COL(T, run_id, C_I64),
    COL(T, kind, C_STR),
    COL(T, seq, C_I32),
    COL(T, data, C_STR),
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
    [STORE_T_BACKTEST_ITEMS] =
        TABLE("backtest_run_items", struct backtest_item_row, item_cols, "run_id", true, NULL),
    [STORE_T_EQUITY_MARKS] =
        TABLE("equity_marks", struct equity_mark_row, equity_mark_cols, "mode", false, NULL),
};

size_t store_row_size(enum store_table t)
{
    return (unsigned)t < STORE_T_COUNT_ ? tables[t].row_size : 0;
}

const struct table *store_table_desc(enum store_table t)
{
    return (unsigned)t < STORE_T_COUNT_ ? &tables[t] : NULL;
}

const char *store_table_name(enum store_table t)
{
    return (unsigned)t < STORE_T_COUNT_ ? tables[t].name : NULL;
}

/* ------------------------------------------------------------ SQL text */

void store_sql_cols(struct buf *b, const struct table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, "%s%s", i ? ", " : "", t->cols[i].name);
}

/* INSERT ... [ON CONFLICT (...) DO UPDATE SET ...] RETURNING id. For
 * wallets, first_seen_ms keeps the earliest value. */
static void sql_insert(struct buf *b, const struct table *t)
{
    buf_printf(b, "INSERT INTO %s (", t->name);
    store_sql_cols(b, t);
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

void store_sql_select(struct buf *b, const struct table *t)
{
    buf_puts(b, "SELECT id, ");
    store_sql_cols(b, t);
    buf_printf(b, " FROM %s", t->name);
}

/* ------------------------------------------------------------ values */

void store_bind_row(const struct store_ops *o, struct store_stmt *s, const struct table *t,
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
int store_check_row(const struct table *t, const void *row)
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

int store_put_row(struct store *st, struct store_conn *c, const struct table *t, const void *row,
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
    if (stmt_prepare(st, c, text, t->name, &s) != 0)
        return WT_ESTORE;
    store_bind_row(o, s, t, row, 1);
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
    if ((unsigned)tt >= STORE_T_COUNT_ || store_check_row(&tables[tt], row) != 0)
        return WT_EINVAL;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    rc = store_put_row(st, c, &tables[tt], row, id);
    return wr_end(st, c, rc);
}

int store_row_put_many(struct store *st, enum store_table tt, const void *rows, size_t n)
{
    if ((unsigned)tt >= STORE_T_COUNT_)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    for (size_t i = 0; i < n; i++)
        if (store_check_row(t, (const char *)rows + i * t->row_size) != 0)
            return WT_EINVAL;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = store_put_row(st, c, t, (const char *)rows + i * t->row_size, NULL);
    return wr_end(st, c, rc);
}

int store_row_replace(struct store *st, enum store_table tt, const char *key, const void *rows,
                      size_t n)
{
    if ((unsigned)tt >= STORE_T_COUNT_ || tables[tt].key_int)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    for (size_t i = 0; i < n; i++)
        if (store_check_row(t, (const char *)rows + i * t->row_size) != 0)
            return WT_EINVAL;
    char sql[256];
    if (key != NULL)
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s = $1", t->name, t->key);
    else
        snprintf(sql, sizeof sql, "DELETE FROM %s", t->name);
    struct store_conn *c;
    struct store_stmt *s;
    int rc = wr_begin_stmt(st, sql, t->name, &c, &s);
    if (rc != 0)
        return rc;
    if (key != NULL)
        st->ops->bind_text(s, 1, key);
    if (wr_step(st, s) < 0)
        rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, t->name);
    st->ops->finish(s);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = store_put_row(st, c, t, (const char *)rows + i * t->row_size, NULL);
    return wr_end(st, c, rc);
}

int store_row_update(struct store *st, enum store_table tt, const void *row)
{
    if ((unsigned)tt >= STORE_T_COUNT_ || store_check_row(&tables[tt], row) != 0)
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
    struct store_stmt *s;
    int rc = wr_begin_stmt(st, b.data, t->name, &c, &s);
    if (rc != 0)
        goto out;
    store_bind_row(o, s, t, row, 1);
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
int store_read_rows(struct store *st, struct store_conn *c, struct store_stmt *s,
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
    store_sql_select(&b, t);
    buf_puts(&b, " WHERE id = $1");
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, b.data, t->name, &c, &s);
    if (rc == 0) {
        st->ops->bind_i64(s, 1, id);
        size_t n = 0;
        rc = store_read_rows(st, c, s, t, row, 1, &n);
        if (rc == 0 && n == 0)
            rc = WT_ENOTFOUND;
        rc = rd_end(st, c, s, rc);
    }
    buf_release(&b);
    return rc;
}

int rd_begin(struct store *st, const char *sql, const char *what, struct store_conn **c,
             struct store_stmt **s)
{
    int rc = st->ops->acquire(st, false, c);
    if (rc != 0)
        return rc;
    if ((rc = stmt_prepare(st, *c, sql, what, s)) != 0)
        st->ops->release(st, *c);
    return rc;
}

int rd_end(struct store *st, struct store_conn *c, struct store_stmt *s, int rc)
{
    st->ops->finish(s);
    st->ops->release(st, c);
    return rc;
}

int rd_begin_key(struct store *st, const char *sql, const char *what, const char *key,
                 int64_t limit, struct store_conn **c, struct store_stmt **s)
{
    int rc = rd_begin(st, sql, what, c, s);
    if (rc != 0)
        return rc;
    st->ops->bind_text(*s, 1, key);
    if (limit != RD_NO_LIMIT)
        st->ops->bind_i64(*s, 2, limit);
    return 0;
}

int rd_text(struct store *st, const char *sql, const char *what, const char *key, struct buf *out)
{
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin_key(st, sql, what, key, RD_NO_LIMIT, &c, &s);
    if (rc != 0)
        return rc;
    int r = st->ops->step(s);
    if (r == 1)
        rc = buf_puts(out, st->ops->col_text(s, 0));
    else
        rc = r == 0 ? WT_ENOTFOUND : stmt_err(st, c, what);
    return rd_end(st, c, s, rc);
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
    store_sql_select(&b, t);
    if (by_key)
        buf_printf(&b, " WHERE %s = $1 AND id > $2 ORDER BY id LIMIT $3", t->key);
    else
        buf_puts(&b, " WHERE id > $1 ORDER BY id LIMIT $2");
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, b.data, t->name, &c, &s);
    if (rc == 0) {
        int k = 1;
        if (by_key) {
            if (t->key_int)
                st->ops->bind_i64(s, k++, q->key_id);
            else
                st->ops->bind_text(s, k++, q->key);
        }
        st->ops->bind_i64(s, k++, q->after_id);
        st->ops->bind_i64(s, k, q->limit);
        rc = rd_end(st, c, s, store_read_rows(st, c, s, t, rows, q->limit, n));
    }
    buf_release(&b);
    return rc;
}

int store_row_each(struct store *st, enum store_table tt, const struct row_query *q,
                   int (*fn)(void *ctx, const void *row), void *ctx)
{
    enum { PAGE = 256 };
    if ((unsigned)tt >= STORE_T_COUNT_)
        return WT_EINVAL;
    const struct table *t = &tables[tt];
    char *rows = xcalloc(PAGE, t->row_size);
    struct row_query page = {.limit = PAGE};
    if (q) {
        page.key = q->key;
        page.key_id = q->key_id;
    }
    int rc;
    for (;;) {
        size_t n = 0;
        rc = store_row_list(st, tt, &page, rows, &n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = fn(ctx, rows + i * t->row_size);
        if (rc != 0 || n < PAGE)
            break;
        memcpy(&page.after_id, rows + (n - 1) * t->row_size + t->id_off, sizeof page.after_id);
    }
    free(rows);
    return rc;
}

/* ------------------------------------------------------------ backtests */

int store_backtest_put(struct store *st, const struct backtest_run_row *run,
                       struct backtest_item_row *items, size_t n, int64_t *id)
{
    const struct table *rt = &tables[STORE_T_BACKTEST_RUNS], *it = &tables[STORE_T_BACKTEST_ITEMS];
    if (store_check_row(rt, run) != 0)
        return WT_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (store_check_row(it, &items[i]) != 0)
            return WT_EINVAL;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    int64_t rid = 0;
    rc = store_put_row(st, c, rt, run, &rid);
    for (size_t i = 0; i < n && rc == 0; i++) {
        items[i].run_id = rid;
        rc = store_put_row(st, c, it, &items[i], NULL);
    }
    rc = wr_end(st, c, rc);
    if (rc == 0 && id)
        *id = rid;
    return rc;
}

int store_backtest_delete(struct store *st, int64_t id)
{
    static const char *const sql[2] = {"DELETE FROM backtest_run_items WHERE run_id = $1",
                                       "DELETE FROM backtest_runs WHERE id = $1"};
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    for (int k = 0; k < 2 && rc == 0; k++) {
        struct store_stmt *s;
        if ((rc = stmt_prepare(st, c, sql[k], "backtest_runs", &s)) != 0)
            break;
        st->ops->bind_i64(s, 1, id);
        if (wr_step(st, s) < 0)
            rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, "backtest_runs");
        else if (k == 1 && st->ops->changes(s) == 0)
            rc = WT_ENOTFOUND;
        st->ops->finish(s);
    }
    return wr_end(st, c, rc);
}

/* ------------------------------------------------------------ batches */

/* INSERT with the id ($1, then the columns). */
static void sql_insert_id(struct buf *b, const struct table *t)
{
    buf_printf(b, "INSERT INTO %s (id, ", t->name);
    store_sql_cols(b, t);
    buf_puts(b, ") VALUES ($1");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, ", $%zu", i + 2);
    buf_puts(b, ")");
}

/* INSERT with the id, or replace every column of the row with that id. */
static void sql_upsert_id(struct buf *b, const struct table *t)
{
    sql_insert_id(b, t);
    buf_puts(b, " ON CONFLICT (id) DO UPDATE SET ");
    for (size_t i = 0; i < t->ncols; i++)
        buf_printf(b, "%s%s = excluded.%s", i ? ", " : "", t->cols[i].name, t->cols[i].name);
    /* An order belongs to the node that claimed it (store_order_claim): a
     * second engine's row of the same id changes nothing. */
    if (t == &tables[STORE_T_ORDERS])
        buf_puts(b, " WHERE orders.node = excluded.node");
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
        if (stmt_prepare(st, c, SQL_STATE_PUT, "engine_state", &s) != 0)
            return WT_ESTORE;
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
        return store_put_row(st, c, t, w->row, NULL);
    char text[SQL_MAX];
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_upsert_id(&b, t);
    str_copy(text, sizeof text, b.data);
    buf_release(&b);
    if (stmt_prepare(st, c, text, t->name, &s) != 0)
        return WT_ESTORE;
    o->bind_i64(s, 1, *(const int64_t *)((const char *)w->row + t->id_off));
    store_bind_row(o, s, t, w->row, 2);
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
        if ((unsigned)w[i].table >= STORE_T_COUNT_ ||
            store_check_row(&tables[w[i].table], w[i].row))
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
    return rd_text(st, "SELECT value FROM engine_state WHERE key = $1", "engine_state", key, out);
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
    store_sql_select(&b, t);
    buf_puts(&b, " ");
    if (buf_puts(&b, tail) != 0) {
        buf_release(&b);
        return WT_EINVAL;
    }
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, b.data, t->name, &c, &s);
    if (rc == 0) {
        for (size_t i = 0; i < nargs; i++) {
            if (args[i].text)
                st->ops->bind_text(s, (int)i + 1, args[i].text);
            else
                st->ops->bind_i64(s, (int)i + 1, args[i].i);
        }
        rc = rd_end(st, c, s, store_read_rows(st, c, s, t, rows, cap, n));
    }
    buf_release(&b);
    return rc;
}

int store_alert_ack(struct store *st, int64_t id, int64_t now_ms)
{
    struct store_conn *c;
    struct store_stmt *s;
    int rc =
        wr_begin_stmt(st, "UPDATE alerts SET acked_ms = $1 WHERE id = $2", "alert ack", &c, &s);
    if (rc != 0)
        return rc;
    st->ops->bind_i64(s, 1, now_ms);
    st->ops->bind_i64(s, 2, id);
    rc = wr_step_changed(st, s);
    return wr_end(st, c, rc);
}

int store_order_claim(struct store *st, const struct order_row *r)
{
    const struct table *t = &tables[STORE_T_ORDERS];
    if (r->id <= 0 || store_check_row(t, r) != 0)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    char text[SQL_MAX];
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    sql_insert_id(&b, t);
    buf_puts(&b, " ON CONFLICT (id) DO NOTHING");
    str_copy(text, sizeof text, b.data);
    buf_release(&b);
    struct store_conn *c;
    struct store_stmt *s;
    int rc = wr_begin_stmt(st, text, t->name, &c, &s);
    if (rc != 0)
        return rc;
    o->bind_i64(s, 1, r->id);
    store_bind_row(o, s, t, r, 2);
    if (wr_step(st, s) < 0)
        rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, t->name);
    else if (o->changes(s) == 0)
        rc = WT_EEXIST;
    o->finish(s);
    int erc = wr_end(st, c, rc == WT_EEXIST ? 0 : rc);
    return erc ? erc : rc;
}

int store_orders_max_id(struct store *st, int64_t *out)
{
    *out = 0;
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, "SELECT COALESCE(MAX(id), 0) FROM orders", "orders", &c, &s);
    if (rc != 0)
        return rc;
    if (st->ops->step(s) == 1)
        *out = st->ops->col_i64(s, 0);
    else
        rc = stmt_err(st, c, "orders");
    return rd_end(st, c, s, rc);
}
