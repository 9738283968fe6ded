/* The store's row tables: the generic access path of the tables written by
 * later modules, part of the store's interface (store/store.h includes
 * it; include store.h). */
#ifndef WT_STORE_STORE_ROWS_H
#define WT_STORE_STORE_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solana/base58.h"

struct store;

/* The tables written by later modules share one generic access path: each
 * row struct below belongs to one `enum store_table`, and the functions
 * store_row_* take a pointer to that struct. Every row has `id` (given by
 * the database on insert). Text fields are NUL-terminated; JSON fields hold
 * JSON text. A table has at most one "key" column (named after the struct)
 * that lists filter on, and some have a natural unique key on which insert
 * becomes an upsert (noted per row type).
 *
 * STORE_ROW_TYPES is the one list of row types: X(enum, name, struct) per
 * table. It generates enum store_table and, below the structs, the typed
 * wrappers store_put_<name>, store_put_many_<name>, store_update_<name>,
 * store_replace_<name>, store_get_<name> and store_list_<name>, which take
 * the table's struct and nothing else: passing the wrong struct is a
 * compile error (-Werror=incompatible-pointer-types; tests/compile). Use
 * them; the generic store_row_* (const void *) are for code that chooses
 * the table at run time. */
#define STORE_ROW_TYPES(X)                                                                         \
    X(STORE_T_TOKENS, token, struct token_row)                 /* upsert on mint, key mint */      \
    X(STORE_T_SNAPSHOTS, snapshot, struct wallet_snapshot_row) /* key wallet */                    \
    X(STORE_T_PATTERNS, pattern, struct trade_pattern_row)     /* key wallet */                    \
    X(STORE_T_CLUSTERS, cluster, struct cluster_row)           /* upsert on label, key label */    \
    X(STORE_T_CLUSTER_MEMBERS, cluster_member,                                                     \
      struct cluster_member_row) /* upsert on (cluster_id, wallet), key cluster_id */              \
    X(STORE_T_EDGES, edge, struct graph_edge_row)       /* upsert on (src, dst, kind), key src */  \
    X(STORE_T_SIGNALS, signal, struct signal_row)       /* key wallet */                           \
    X(STORE_T_ORDERS, order, struct order_row)          /* key mode */                             \
    X(STORE_T_FILLS, fill, struct fill_row)             /* key order_id */                         \
    X(STORE_T_POSITIONS, position, struct position_row) /* key mode */                             \
    X(STORE_T_CLOSED_TRADES, closed_trade, struct closed_trade_row) /* key mode */                 \
    X(STORE_T_ALERTS, alert, struct alert_row)                      /* key kind */                 \
    X(STORE_T_EXIT_STRATEGIES, exit_strategy,                                                      \
      struct exit_strategy_row)                                     /* upsert on name, key name */ \
    X(STORE_T_SCENARIOS, scenario, struct backtest_scenario_row)    /* upsert on name, key name */ \
    X(STORE_T_BACKTEST_RUNS, backtest_run, struct backtest_run_row) /* key scenario_id */          \
    X(STORE_T_BACKTEST_ITEMS, backtest_item, struct backtest_item_row) /* key run_id */            \
    X(STORE_T_EQUITY_MARKS, equity_mark, struct equity_mark_row)       /* key mode */

#define STORE_ROW_ENUM_(T, name, S) T,
enum store_table {
    STORE_ROW_TYPES(STORE_ROW_ENUM_) STORE_T_COUNT_,
};
#undef STORE_ROW_ENUM_

#define ROW_WORD 24
#define ROW_TEXT 256
#define ROW_JSON 2048

struct token_row {
    int64_t id;
    char mint[BASE58_KEY_MAX];
    char symbol[ROW_WORD];
    char name[64];
    int32_t decimals;
    int64_t launch_ms;            /* pool creation / first trade */
    char launch_source[ROW_WORD]; /* PUMP_FUN, RAYDIUM, ... */
    uint64_t supply;              /* raw units */
    double liquidity_usd, mcap_usd;
    int32_t holders;
    double top10_pct;    /* share of supply held by the 10 largest */
    bool mint_authority; /* still set: can mint more */
    bool freeze_authority;
    int64_t updated_ms;
};

/* Performance of one wallet at one time (wallet_performance_snapshots). */
struct wallet_snapshot_row {
    int64_t id;
    char wallet[BASE58_KEY_MAX];
    int64_t ts_ms;
    double total_value, pnl_24h, pnl_7d, pnl_30d, pnl_all, roi;
    double sharpe, sortino, max_drawdown, volatility;
    int32_t token_count, trades_24h, trades_7d, trades_30d;
    double avg_trade_size;
    char top_holdings[ROW_JSON]; /* JSON */
};

/* A recognised trading pattern of a wallet on a token. */
struct trade_pattern_row {
    int64_t id;
    char wallet[BASE58_KEY_MAX];
    char type[ROW_WORD]; /* accumulation, distribution, rotation, arbitrage */
    char name[64];
    double confidence; /* 0..100 */
    int64_t start_ms, end_ms;
    char mint[BASE58_KEY_MAX];
    char symbol[ROW_WORD];
    int32_t trades;
    double volume, avg_trade_size;
    char status[ROW_WORD]; /* active, completed, abandoned */
    double realized_pnl, roi;
    int64_t updated_ms;
};

struct cluster_row {
    int64_t id;
    char label[64];              /* stable name given by the graph module */
    char leader[BASE58_KEY_MAX]; /* wallet that initiates moves, "" unknown */
    int32_t size;
    double cohesion; /* share of the members' edge weight inside the cluster, 0..1 */
    bool blacklisted;
    int64_t created_ms, updated_ms;
    /* From cluster_stats: written by store_graph_save, read by
     * store_cluster_get and store_clusters_query; the generic row
     * functions (store_get_cluster, ...) leave them zero. */
    char leader_rule[ROW_WORD]; /* funding_root, first_buyer, degree */
    double pnl_sol;             /* the members' combined realized PnL (wallets.total_pnl) */
    int32_t tokens;             /* mints bought by at least two members */
    double insider;             /* insider likelihood, 0..1 */
};

struct cluster_member_row {
    int64_t id;
    int64_t cluster_id;
    char wallet[BASE58_KEY_MAX];
    char role[ROW_WORD]; /* leader, follower */
    double weight;
    int64_t joined_ms;
};

/* A relationship between two wallets (src/graph/graph.h): FUNDED_BY and
 * SWEEP point from the funded wallet to its funder; SYNCED_BUY and
 * CO_EARLY are symmetric and stored once with src < dst. */
struct graph_edge_row {
    int64_t id;
    char src[BASE58_KEY_MAX];
    char dst[BASE58_KEY_MAX];
    char kind[ROW_WORD];
    double weight;
    int32_t count;
    int64_t first_ms, last_ms;
};

/* Every signal, traded or not, with all its factors and the decision. */
struct signal_row {
    int64_t id;
    int64_t ts_ms;
    char wallet[BASE58_KEY_MAX];
    char mint[BASE58_KEY_MAX];
    char swap_sig[BASE58_SIG_MAX];
    double score; /* 0..1 */
    double wallet_factor, cluster_factor, token_factor, context_factor;
    char factors[ROW_JSON];  /* JSON: every factor value */
    char decision[ROW_WORD]; /* trade, skip, blocked */
    char reason[ROW_TEXT];
    char mode[8]; /* paper, live */
};

struct order_row {
    int64_t id;
    char mode[8]; /* paper, live */
    int64_t signal_id;
    int64_t ts_ms;
    char mint[BASE58_KEY_MAX];
    int32_t side;       /* enum side */
    uint64_t amount_in; /* lamports for a buy, raw token units for a sell */
    uint64_t min_out;
    int32_t slippage_bps;
    char status[ROW_WORD]; /* pending, sent, filled, failed, cancelled */
    char tx_sig[BASE58_SIG_MAX];
    char error[ROW_TEXT];
    int64_t updated_ms;
    char node[64]; /* cluster.node_id of the engine that placed it; "" single node */
};

struct fill_row {
    int64_t id;
    int64_t order_id;
    char mode[8];
    int64_t ts_ms;
    uint64_t amount_in, amount_out;
    double price_sol;
    uint64_t fee_lamports;
    char tx_sig[BASE58_SIG_MAX];
};

struct position_row {
    int64_t id;
    char mode[8];
    char mint[BASE58_KEY_MAX];
    int64_t signal_id;
    int64_t exit_strategy_id;
    char status[ROW_WORD]; /* open, closing, closed */
    int64_t opened_ms, closed_ms;
    uint64_t entry_lamports; /* SOL spent */
    uint64_t tokens;         /* raw units held now */
    uint64_t tokens_initial;
    double entry_price_sol;
    double peak_price_sol; /* for the trailing stop */
    double stop_price_sol;
    bool moonbag;
    double realized_sol;
    char state[ROW_JSON]; /* JSON: exit levels hit, etc. */
    int64_t updated_ms;
};

struct closed_trade_row {
    int64_t id;
    char mode[8];
    int64_t position_id;
    char mint[BASE58_KEY_MAX];
    char wallet[BASE58_KEY_MAX]; /* the followed wallet */
    int64_t opened_ms, closed_ms;
    double entry_price_sol, exit_price_sol;
    uint64_t entry_lamports, exit_lamports;
    double pnl_sol, pnl_pct;
    char exit_reason[ROW_WORD]; /* stop_loss, take_profit_1, trailing_stop, max_hold, ... */
    int64_t signal_id;
    char strategy[32];
    double score;           /* of the signal, 0..1 */
    char factors[ROW_TEXT]; /* JSON: {"wallet":..,"cluster":..,"token":..,"context":..} */
};

/* A mark-to-market sample of the engine's equity: cash plus the open
 * positions at their last price, written with the engine's batch about
 * once a minute of engine time (the performance module's mark-to-market
 * curve, docs/engine.md "Performance"). */
struct equity_mark_row {
    int64_t id;
    char mode[8]; /* paper, live */
    int64_t ts_ms;
    uint64_t equity_lamports;
    uint64_t cash_lamports;
};

struct alert_row {
    int64_t id;
    int64_t ts_ms;
    char kind[ROW_WORD];     /* circuit_breaker, webhook_failure, ... */
    char severity[ROW_WORD]; /* info, warn, critical */
    char mode[8];
    char message[ROW_TEXT];
    char data[ROW_JSON]; /* JSON */
    int64_t acked_ms;    /* 0: not acknowledged */
};

struct exit_strategy_row {
    int64_t id;
    char name[64];
    char params[ROW_JSON]; /* JSON: stop loss, take-profit levels, trailing, time rules */
    int64_t updated_ms;
};

struct backtest_scenario_row {
    int64_t id;
    char name[64];
    char params[ROW_JSON]; /* JSON configuration overrides */
    int64_t from_ms, to_ms;
    int64_t created_ms;
};

struct backtest_run_row {
    int64_t id;
    int64_t scenario_id;
    int64_t started_ms, finished_ms;
    char status[ROW_WORD];  /* running, done, failed */
    char params[ROW_JSON];  /* the exact parameters of this run */
    char results[ROW_JSON]; /* JSON: pnl, win rate, trades, ... */
    double pnl_sol, win_rate, max_drawdown;
    int32_t trades;
};

/* A piece of a backtest run's details (backtest_run_items): the JSON of
 * one kind (signals, trades, curve, perf, settings) is cut into pieces in
 * seq order; their concatenation is the whole. */
struct backtest_item_row {
    int64_t id;
    int64_t run_id;
    char kind[ROW_WORD];
    int32_t seq;
    char data[ROW_JSON];
};

/* Which rows store_row_list returns: those whose key column equals key
 * (text keys) or key_id (integer keys; 0 = no filter), with id > after_id,
 * at most limit (1..1000) of them, by ascending id. */
struct row_query {
    const char *key;
    int64_t key_id;
    int64_t after_id;
    uint32_t limit;
};

/* Inserts a row of table t (a pointer to the table's struct; its id field
 * is ignored), or updates it when the table has a natural key and a row
 * with that key exists. *id (may be NULL) receives the row's id. Returns 0,
 * WT_EINVAL, WT_ESTORE. */
int store_row_put(struct store *st, enum store_table t, const void *row, int64_t *id);
/* Replaces every column of the row with row's id. Returns 0, WT_ENOTFOUND,
 * WT_ESTORE. */
int store_row_update(struct store *st, enum store_table t, const void *row);
/* Inserts (or upserts, as store_row_put) n rows of table t, given as an
 * array of the table's struct, in one transaction: all or nothing.
 * Returns 0, WT_EINVAL, WT_ESTORE. */
int store_row_put_many(struct store *st, enum store_table t, const void *rows, size_t n);
/* Replaces the rows of table t whose key column equals key (every row of
 * the table when key is NULL) by the n given rows, in one transaction: for
 * derived tables recomputed whole, such as trade_patterns. Only for tables
 * with a text key. Returns 0, WT_EINVAL, WT_ESTORE. */
int store_row_replace(struct store *st, enum store_table t, const char *key, const void *rows,
                      size_t n);
/* Reads the row with this id into *row. Returns 0, WT_ENOTFOUND,
 * WT_ESTORE, WT_ETOOBIG (a stored text longer than the struct's field). */
int store_row_get(struct store *st, enum store_table t, int64_t id, void *row);
/* Reads up to q->limit rows into rows (an array of the table's struct with
 * room for q->limit); *n receives the count. Returns 0, WT_EINVAL, WT_ESTORE,
 * WT_ETOOBIG. */
int store_row_list(struct store *st, enum store_table t, const struct row_query *q, void *rows,
                   size_t *n);
/* Calls fn(ctx, row) for every row of table t, or only those whose key
 * column is q->key / q->key_id when q is given and sets it (q's after_id
 * and limit are not used), in id order, reading a page at a time (each
 * page its own read: rows written meanwhile with a higher id are seen).
 * row points to the table's struct, valid for the call only. Stops at
 * fn's first non-zero return and returns it; else 0, WT_EINVAL, WT_ESTORE,
 * WT_ETOOBIG. Any thread. */
int store_row_each(struct store *st, enum store_table t, const struct row_query *q,
                   int (*fn)(void *ctx, const void *row), void *ctx);
/* A backtest run and its details in ONE transaction: the run's row, then
 * every item with run_id set to the new id (a reader never sees a run
 * without its details). *id gets the run's id. Returns 0, WT_EINVAL,
 * WT_ESTORE. */
int store_backtest_put(struct store *st, const struct backtest_run_row *run,
                       struct backtest_item_row *items, size_t n, int64_t *id);
/* Deletes a run and its details in one transaction. Returns 0,
 * WT_ENOTFOUND, WT_ESTORE. */
int store_backtest_delete(struct store *st, int64_t id);

/* The size of table t's row struct, and its SQL name. */
size_t store_row_size(enum store_table t);
const char *store_table_name(enum store_table t);

/* The typed wrappers, one set per row type of STORE_ROW_TYPES (see
 * there); each is the generic function above with its table fixed. */
#define STORE_ROW_TYPED_(T, name, S)                                                               \
    static inline int store_put_##name(struct store *st, const S *row, int64_t *id)                \
    {                                                                                              \
        return store_row_put(st, T, row, id);                                                      \
    }                                                                                              \
    static inline int store_put_many_##name(struct store *st, const S *rows, size_t n)             \
    {                                                                                              \
        return store_row_put_many(st, T, rows, n);                                                 \
    }                                                                                              \
    static inline int store_update_##name(struct store *st, const S *row)                          \
    {                                                                                              \
        return store_row_update(st, T, row);                                                       \
    }                                                                                              \
    static inline int store_replace_##name(struct store *st, const char *key, const S *rows,       \
                                           size_t n)                                               \
    {                                                                                              \
        return store_row_replace(st, T, key, rows, n);                                             \
    }                                                                                              \
    static inline int store_get_##name(struct store *st, int64_t id, S *row)                       \
    {                                                                                              \
        return store_row_get(st, T, id, row);                                                      \
    }                                                                                              \
    static inline int store_list_##name(struct store *st, const struct row_query *q, S *rows,      \
                                        size_t *n)                                                 \
    {                                                                                              \
        return store_row_list(st, T, q, rows, n);                                                  \
    }
STORE_ROW_TYPES(STORE_ROW_TYPED_)
#undef STORE_ROW_TYPED_

#endif
