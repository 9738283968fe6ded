/* What the two schemas share (migrations_sqlite.c, migrations_pg.c).
 *
 * The list of migrations, their numbers and names, is written once here:
 * each backend file defines the SQL of every migration under the name
 * this list gives it and builds its table from the list. SQL that is the
 * same text on both backends (no column types in it) is written once
 * below too. Never edit a migration that has shipped, here or in a
 * backend file; add the next number instead (docs/internals/store.md). */
#ifndef WT_STORE_MIGRATIONS_H
#define WT_STORE_MIGRATIONS_H

/* X(version, name, SQL), in order: the SQL is the backend's own static
 * string of that name, or one of the STORE_SQL_* below where both
 * backends run the same text. */
#define STORE_MIGRATIONS(X)                                                                        \
    X(1, "events: swaps, transfers, prices", m1_events)                                            \
    X(2, "wallets and tokens", m2_wallets)                                                         \
    X(3, "intelligence: snapshots, patterns, clusters, graph edges", m3_intel)                     \
    X(4,                                                                                           \
      "trading: signals, orders, fills, positions, closed trades, alerts, settings, "              \
      "exit strategies, backtests",                                                                \
      m4_trading)                                                                                  \
    X(5, "event keys lead with the slot", STORE_SQL_M5_SLOT_KEYS)                                  \
    X(6, "wallet statuses candidate and removed, manual wallet type", m6_wallet_statuses)          \
    X(7, "engine state; closed trades keep their signal, strategy and factors", m7_engine)         \
    X(8, "exit strategies: the default is a setting; strategies saved as settings move in",        \
      STORE_SQL_M8_EXITS)                                                                          \
    X(9, "wallet list: an index for the common filter, by score", STORE_SQL_M9_WALLET_FILTER)      \
    X(10, "event keys are (sig, leg) again; skipped transactions are kept", m10_sig_keys_skips)    \
    X(11, "crawl state: tokens and wallets, cursors, requests spent", m11_crawl)                   \
    X(12, "wallet graph: cluster stats (leader rule, performance, tokens, insider likelihood)",    \
      m12_graph)                                                                                   \
    X(13, "backtests: the details of a run", m13_backtest_items)                                   \
    X(14, "wallet metrics: realized and unrealized PnL, drawdown in SOL, validity",                \
      m14_wallet_metrics)                                                                          \
    X(15, "equity_marks: mark-to-market equity of the engine", m15_equity_marks)                   \
    X(16, "orders: the node that placed each", m16_order_node)                                     \
    X(17, "engine_journal: the engine's inputs besides stored events", m17_engine_journal)         \
    X(18, "the last swap of each mint in a table; swaps_mint_ts dropped", m18_mint_last)

/* One entry of a backend's table (struct migration, store_impl.h). */
#define STORE_MIGRATION_ROW(version, name, sql) {version, name, sql},

/* Wallet list sorts (migration 2; SQLite rebuilds them in 6): one index
 * per (key, direction), each ending with the address ascending, so ORDER
 * BY key DESC|ASC, address ASC is an index walk and never a sort. */
#define STORE_SQL_WALLET_SORT_INDEXES                                                              \
    "CREATE INDEX wallets_score_d ON wallets(score DESC, address);\n"                              \
    "CREATE INDEX wallets_score_a ON wallets(score, address);\n"                                   \
    "CREATE INDEX wallets_roi_d ON wallets(roi DESC, address);\n"                                  \
    "CREATE INDEX wallets_roi_a ON wallets(roi, address);\n"                                       \
    "CREATE INDEX wallets_pnl_d ON wallets(total_pnl DESC, address);\n"                            \
    "CREATE INDEX wallets_pnl_a ON wallets(total_pnl, address);\n"                                 \
    "CREATE INDEX wallets_trades_d ON wallets(total_trades DESC, address);\n"                      \
    "CREATE INDEX wallets_trades_a ON wallets(total_trades, address);\n"

/* Migration 5. The idempotency key leads with the slot. A signature lands
 * in exactly one slot, so (slot, sig, leg) is unique exactly when (sig,
 * leg) is; but slots arrive in nearly increasing order, so new keys go to
 * the right edge of the index instead of a random page each (a 64-byte
 * random key made every commit rewrite thousands of index pages:
 * docs/performance.md). */
#define STORE_SQL_M5_SLOT_KEYS                                                                     \
    "DROP INDEX swaps_sig_leg;\n"                                                                  \
    "CREATE UNIQUE INDEX swaps_slot_sig_leg ON swaps(slot, sig, leg);\n"                           \
    "DROP INDEX transfers_sig_leg;\n"                                                              \
    "CREATE UNIQUE INDEX transfers_slot_sig_leg ON transfers(slot, sig, leg);\n"

/* Migration 8. The operator's exit strategies live in exit_strategies,
 * one row per strategy (params: the strategy's JSON, docs/exits.md);
 * which one is the default is the setting trade.default_strategy, so the
 * table's is_default flag, never used, goes. Strategies saved as settings
 * by the first version of the exit-book API (key exits.strategy.<name>)
 * move here; their history stays in settings_history under the same
 * keys. */
#define STORE_SQL_M8_EXITS                                                                         \
    "ALTER TABLE exit_strategies DROP COLUMN is_default;\n"                                        \
    "INSERT INTO exit_strategies (name, params, updated_ms)\n"                                     \
    "  SELECT substr(key, 16), value, updated_ms FROM settings\n"                                  \
    "  WHERE substr(key, 1, 15) = 'exits.strategy.' AND value <> '';\n"                            \
    "DELETE FROM settings WHERE substr(key, 1, 15) = 'exits.strategy.';\n"

/* Migration 9. The wallet list's common filter (status, verified, chain,
 * then score from the top, ties by address): the page walks it from the
 * first match and the total counts a range of it, without reading the
 * table (docs/performance.md, "Store"). */
#define STORE_SQL_M9_WALLET_FILTER                                                                 \
    "CREATE INDEX wallets_filter_score ON wallets(status, verified, chain, score DESC, "           \
    "address);\n"

#endif
