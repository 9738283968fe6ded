/* The stored columns of the three event tables, in one place.
 *
 * Why this exists: a swap's columns were written out five times (the
 * insert and its binds, the read, the PostgreSQL staging table, its COPY
 * lines and the statement that moves them), and a column added to one and
 * not the others is a silent loss. Each table's list below is the only
 * one; the SQL text (event_sql), the binds and reads (store_events.c) and
 * the COPY lines (store_pg.c) are generated from it. The migrations that
 * created the tables are history and stay as written; unit/store checks
 * that the migrated tables have exactly these columns, in this order, on
 * both backends.
 *
 * X(column, kind, field): the column's name, how its value is stored, and
 * the field of the event struct (event/event.h) it holds. Kinds:
 *   SIG   64-byte signature, blob / bytea
 *   KEY   32-byte public key, blob / bytea
 *   INT   a small integer (leg, side, decimals), integer / int
 *   SLOT  u64 slot below 2^63, stored signed, integer / bigint
 *   I64   signed 64-bit (milliseconds), integer / bigint
 *   U64   unsigned 64-bit amount, integer (as signed bits) / numeric(20,0)
 *   F64   double, real / double precision
 *   TEXT  NUL-terminated text, text
 * Every table also has an id primary key first, not listed: the store
 * assigns it. Private to store/. */
#ifndef WT_STORE_EVENT_COLS_H
#define WT_STORE_EVENT_COLS_H

#include <stddef.h>

#include "event/event.h"

#define SWAP_COLUMNS(X)                                                                            \
    X(sig, SIG, sig)                                                                               \
    X(leg, INT, leg)                                                                               \
    X(slot, SLOT, slot)                                                                            \
    X(ts_ms, I64, ts_ms)                                                                           \
    X(wallet, KEY, wallet)                                                                         \
    X(mint, KEY, mint)                                                                             \
    X(quote_mint, KEY, quote_mint)                                                                 \
    X(side, INT, side)                                                                             \
    X(decimals, INT, decimals)                                                                     \
    X(quote_decimals, INT, quote_decimals)                                                         \
    X(token_amount, U64, token_amount)                                                             \
    X(quote_amount, U64, quote_amount)                                                             \
    X(price_sol, F64, price_sol)                                                                   \
    X(price_usd, F64, price_usd)                                                                   \
    X(fee_lamports, U64, fee_lamports)                                                             \
    X(source, TEXT, source)

#define TRANSFER_COLUMNS(X)                                                                        \
    X(sig, SIG, sig)                                                                               \
    X(leg, INT, leg)                                                                               \
    X(slot, SLOT, slot)                                                                            \
    X(ts_ms, I64, ts_ms)                                                                           \
    X(from_wallet, KEY, from)                                                                      \
    X(to_wallet, KEY, to)                                                                          \
    X(mint, KEY, mint)                                                                             \
    X(decimals, INT, decimals)                                                                     \
    X(amount, U64, amount)

#define PRICE_COLUMNS(X)                                                                           \
    X(mint, KEY, mint)                                                                             \
    X(ts_ms, I64, ts_ms)                                                                           \
    X(price_sol, F64, price_sol)                                                                   \
    X(price_usd, F64, price_usd)                                                                   \
    X(liquidity_usd, F64, liquidity_usd)                                                           \
    X(mcap_usd, F64, mcap_usd)                                                                     \
    X(source, TEXT, source)

/* "id, sig, leg, ...": the column list of a read of swaps, a string
 * literal (the id first, then the list). */
#define EVENT_COL_SELECT(col, kind, field) ", " #col
#define SWAP_SELECT                        "id" SWAP_COLUMNS(EVENT_COL_SELECT)

/* The three stored kinds, as indexes of the tables below. */
enum event_table { EVT_SWAPS, EVT_TRANSFERS, EVT_PRICES, EVT_TABLES };

/* SQL for one event table, built once from its column list. $N
 * placeholders (both backends). Invariant: every string names the columns
 * in list order. */
struct event_sql {
    const char *table;   /* "swaps" */
    const char *columns; /* "sig, leg, ..." */
    size_t n_columns;
    const char *const *names; /* [n_columns] */
    const char *insert;       /* INSERT .. VALUES ($1..) ON CONFLICT (key) DO NOTHING */
    const char *pg_copy;      /* COPY <table>_in FROM STDIN */
    const char *pg_move;      /* the staged rows into the table, first occurrence wins */
};

/* The SQL of table t. Built on first use (thread-safe), never freed. */
const struct event_sql *event_sql(enum event_table t);

/* PostgreSQL: one statement text creating the three staging tables
 * <table>_in (batch, ord, the columns), emptied at commit. */
const char *event_sql_pg_stage(void);

#endif
