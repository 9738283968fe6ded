/* The SQLite schema, as numbered migrations.
 *
 * Each entry is one migration: applied in order at open, in its own
 * transaction, and recorded in schema_version. Never edit a migration that
 * has shipped; add the next number instead (docs/internals/store.md). The
 * PostgreSQL twin is migrations_pg.c: same tables, same columns, same
 * indexes, with that backend's types.
 *
 * Representation: times are INTEGER Unix milliseconds; u64 amounts are
 * INTEGER holding the signed 64-bit reinterpretation of the value (SQLite
 * integers are signed), converted back on read, so UINT64_MAX survives;
 * signatures and public keys of the event tables are BLOBs (no base58 work
 * on the hot path), those of the other tables base58 TEXT. */
#include "store/store_impl.h"

#include "store/migrations.h"

static const char m1_events[] =
    "CREATE TABLE swaps (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  sig BLOB NOT NULL,\n"
    "  leg INTEGER NOT NULL,\n"
    "  slot INTEGER NOT NULL,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  wallet BLOB NOT NULL,\n"
    "  mint BLOB NOT NULL,\n"
    "  quote_mint BLOB NOT NULL,\n"
    "  side INTEGER NOT NULL,\n"
    "  decimals INTEGER NOT NULL,\n"
    "  quote_decimals INTEGER NOT NULL,\n"
    "  token_amount INTEGER NOT NULL,  -- u64 as signed reinterpretation\n"
    "  quote_amount INTEGER NOT NULL,  -- u64\n"
    "  price_sol REAL NOT NULL,\n"
    "  price_usd REAL NOT NULL,\n"
    "  fee_lamports INTEGER NOT NULL,  -- u64\n"
    "  source TEXT NOT NULL\n"
    ");\n"
    "CREATE UNIQUE INDEX swaps_sig_leg ON swaps(sig, leg);\n"
    "CREATE INDEX swaps_wallet_ts ON swaps(wallet, ts_ms);\n"
    "CREATE INDEX swaps_mint_ts ON swaps(mint, ts_ms);\n"
    "CREATE INDEX swaps_ts ON swaps(ts_ms);\n"
    "CREATE TABLE transfers (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  sig BLOB NOT NULL,\n"
    "  leg INTEGER NOT NULL,\n"
    "  slot INTEGER NOT NULL,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  from_wallet BLOB NOT NULL,\n"
    "  to_wallet BLOB NOT NULL,\n"
    "  mint BLOB NOT NULL,\n"
    "  decimals INTEGER NOT NULL,\n"
    "  amount INTEGER NOT NULL         -- u64\n"
    ");\n"
    "CREATE UNIQUE INDEX transfers_sig_leg ON transfers(sig, leg);\n"
    "CREATE INDEX transfers_to_ts ON transfers(to_wallet, ts_ms);\n"
    "CREATE INDEX transfers_from_ts ON transfers(from_wallet, ts_ms);\n"
    "CREATE TABLE prices (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  mint BLOB NOT NULL,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  price_sol REAL NOT NULL,\n"
    "  price_usd REAL NOT NULL,\n"
    "  liquidity_usd REAL NOT NULL,\n"
    "  mcap_usd REAL NOT NULL,\n"
    "  source TEXT NOT NULL\n"
    ");\n"
    "CREATE UNIQUE INDEX prices_mint_ts_source ON prices(mint, ts_ms, source);\n";

/* The wallets table's columns as migration 2 made them, but for status
 * and updated_ms: migration 6 rebuilds the table (SQLite cannot change a
 * CHECK constraint in place) with a wider status range and one more
 * column, type_manual, after updated_ms. */
#define SQLITE_WALLET_COLS_BEFORE_STATUS                                                           \
    "  id INTEGER PRIMARY KEY,\n"                                                                  \
    "  address TEXT NOT NULL UNIQUE,\n"                                                            \
    "  chain TEXT NOT NULL,\n"                                                                     \
    "  name TEXT NOT NULL,\n"                                                                      \
    "  type TEXT NOT NULL,\n"                                                                      \
    "  discovery TEXT NOT NULL,\n"                                                                 \
    "  verified INTEGER NOT NULL,\n"                                                               \
    "  score REAL NOT NULL CHECK (score >= 0 AND score <= 100),\n"                                 \
    "  confidence TEXT NOT NULL,\n"
#define SQLITE_WALLET_COLS_AFTER_STATUS                                                            \
    "  total_pnl REAL NOT NULL,\n"                                                                 \
    "  roi REAL NOT NULL,\n"                                                                       \
    "  win_rate REAL NOT NULL,\n"                                                                  \
    "  sharpe REAL NOT NULL,\n"                                                                    \
    "  sortino REAL NOT NULL,\n"                                                                   \
    "  max_drawdown REAL NOT NULL,\n"                                                              \
    "  volatility REAL NOT NULL,\n"                                                                \
    "  total_trades INTEGER NOT NULL,\n"                                                           \
    "  avg_trade_size REAL NOT NULL,\n"                                                            \
    "  avg_holding_days REAL NOT NULL,\n"                                                          \
    "  last_trade_ms INTEGER NOT NULL,\n"                                                          \
    "  trading_style TEXT NOT NULL,\n"                                                             \
    "  risk_profile TEXT NOT NULL,\n"                                                              \
    "  preferred_tokens TEXT NOT NULL,     -- JSON array\n"                                        \
    "  preferred_protocols TEXT NOT NULL,  -- JSON array\n"                                        \
    "  first_seen_ms INTEGER NOT NULL,\n"

/* Wallet list sorts: STORE_SQL_WALLET_SORT_INDEXES (migrations.h). */
/* clang-format off */
static const char m2_wallets[] =
    "CREATE TABLE wallets (\n"
    SQLITE_WALLET_COLS_BEFORE_STATUS
    "  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3),\n"
    SQLITE_WALLET_COLS_AFTER_STATUS
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    STORE_SQL_WALLET_SORT_INDEXES
    "CREATE TABLE tokens (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  mint TEXT NOT NULL UNIQUE,\n"
    "  symbol TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  decimals INTEGER NOT NULL,\n"
    "  launch_ms INTEGER NOT NULL,\n"
    "  launch_source TEXT NOT NULL,\n"
    "  supply INTEGER NOT NULL,        -- u64\n"
    "  liquidity_usd REAL NOT NULL,\n"
    "  mcap_usd REAL NOT NULL,\n"
    "  holders INTEGER NOT NULL,\n"
    "  top10_pct REAL NOT NULL,\n"
    "  mint_authority INTEGER NOT NULL,\n"
    "  freeze_authority INTEGER NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n";
/* clang-format on */

static const char m3_intel[] =
    "CREATE TABLE wallet_performance_snapshots (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  wallet TEXT NOT NULL,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  total_value REAL NOT NULL,\n"
    "  pnl_24h REAL NOT NULL,\n"
    "  pnl_7d REAL NOT NULL,\n"
    "  pnl_30d REAL NOT NULL,\n"
    "  pnl_all REAL NOT NULL,\n"
    "  roi REAL NOT NULL,\n"
    "  sharpe REAL NOT NULL,\n"
    "  sortino REAL NOT NULL,\n"
    "  max_drawdown REAL NOT NULL,\n"
    "  volatility REAL NOT NULL,\n"
    "  token_count INTEGER NOT NULL,\n"
    "  trades_24h INTEGER NOT NULL,\n"
    "  trades_7d INTEGER NOT NULL,\n"
    "  trades_30d INTEGER NOT NULL,\n"
    "  avg_trade_size REAL NOT NULL,\n"
    "  top_holdings TEXT NOT NULL      -- JSON\n"
    ");\n"
    "CREATE INDEX snapshots_wallet ON wallet_performance_snapshots(wallet, id);\n"
    "CREATE TABLE trade_patterns (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  wallet TEXT NOT NULL,\n"
    "  type TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  confidence REAL NOT NULL,\n"
    "  start_ms INTEGER NOT NULL,\n"
    "  end_ms INTEGER NOT NULL,\n"
    "  mint TEXT NOT NULL,\n"
    "  symbol TEXT NOT NULL,\n"
    "  trades INTEGER NOT NULL,\n"
    "  volume REAL NOT NULL,\n"
    "  avg_trade_size REAL NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  realized_pnl REAL NOT NULL,\n"
    "  roi REAL NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX patterns_wallet ON trade_patterns(wallet, id);\n"
    "CREATE TABLE clusters (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  label TEXT NOT NULL UNIQUE,\n"
    "  leader TEXT NOT NULL,\n"
    "  size INTEGER NOT NULL,\n"
    "  cohesion REAL NOT NULL,\n"
    "  blacklisted INTEGER NOT NULL,\n"
    "  created_ms INTEGER NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE cluster_members (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,\n"
    "  wallet TEXT NOT NULL,\n"
    "  role TEXT NOT NULL,\n"
    "  weight REAL NOT NULL,\n"
    "  joined_ms INTEGER NOT NULL,\n"
    "  UNIQUE (cluster_id, wallet)\n"
    ");\n"
    "CREATE INDEX cluster_members_wallet ON cluster_members(wallet);\n"
    "CREATE TABLE graph_edges (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  src TEXT NOT NULL,\n"
    "  dst TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  weight REAL NOT NULL,\n"
    "  count INTEGER NOT NULL,\n"
    "  first_ms INTEGER NOT NULL,\n"
    "  last_ms INTEGER NOT NULL,\n"
    "  UNIQUE (src, dst, kind)\n"
    ");\n"
    "CREATE INDEX graph_edges_dst ON graph_edges(dst);\n";

static const char m4_trading[] =
    "CREATE TABLE signals (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  wallet TEXT NOT NULL,\n"
    "  mint TEXT NOT NULL,\n"
    "  swap_sig TEXT NOT NULL,\n"
    "  score REAL NOT NULL,\n"
    "  wallet_factor REAL NOT NULL,\n"
    "  cluster_factor REAL NOT NULL,\n"
    "  token_factor REAL NOT NULL,\n"
    "  context_factor REAL NOT NULL,\n"
    "  factors TEXT NOT NULL,          -- JSON\n"
    "  decision TEXT NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  mode TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX signals_wallet ON signals(wallet, id);\n"
    "CREATE INDEX signals_ts ON signals(ts_ms);\n"
    "CREATE TABLE orders (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),\n"
    "  signal_id INTEGER NOT NULL,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  mint TEXT NOT NULL,\n"
    "  side INTEGER NOT NULL,\n"
    "  amount_in INTEGER NOT NULL,     -- u64\n"
    "  min_out INTEGER NOT NULL,       -- u64\n"
    "  slippage_bps INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  tx_sig TEXT NOT NULL,\n"
    "  error TEXT NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX orders_mode ON orders(mode, id);\n"
    "CREATE TABLE fills (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "  mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  amount_in INTEGER NOT NULL,     -- u64\n"
    "  amount_out INTEGER NOT NULL,    -- u64\n"
    "  price_sol REAL NOT NULL,\n"
    "  fee_lamports INTEGER NOT NULL,  -- u64\n"
    "  tx_sig TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX fills_order ON fills(order_id, id);\n"
    "CREATE TABLE positions (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),\n"
    "  mint TEXT NOT NULL,\n"
    "  signal_id INTEGER NOT NULL,\n"
    "  exit_strategy_id INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  opened_ms INTEGER NOT NULL,\n"
    "  closed_ms INTEGER NOT NULL,\n"
    "  entry_lamports INTEGER NOT NULL, -- u64\n"
    "  tokens INTEGER NOT NULL,         -- u64\n"
    "  tokens_initial INTEGER NOT NULL, -- u64\n"
    "  entry_price_sol REAL NOT NULL,\n"
    "  peak_price_sol REAL NOT NULL,\n"
    "  stop_price_sol REAL NOT NULL,\n"
    "  moonbag INTEGER NOT NULL,\n"
    "  realized_sol REAL NOT NULL,\n"
    "  state TEXT NOT NULL,            -- JSON\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX positions_mode ON positions(mode, id);\n"
    "CREATE INDEX positions_mode_status ON positions(mode, status);\n"
    "CREATE TABLE closed_trades (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),\n"
    "  position_id INTEGER NOT NULL,\n"
    "  mint TEXT NOT NULL,\n"
    "  wallet TEXT NOT NULL,\n"
    "  opened_ms INTEGER NOT NULL,\n"
    "  closed_ms INTEGER NOT NULL,\n"
    "  entry_price_sol REAL NOT NULL,\n"
    "  exit_price_sol REAL NOT NULL,\n"
    "  entry_lamports INTEGER NOT NULL, -- u64\n"
    "  exit_lamports INTEGER NOT NULL,  -- u64\n"
    "  pnl_sol REAL NOT NULL,\n"
    "  pnl_pct REAL NOT NULL,\n"
    "  exit_reason TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX closed_trades_mode ON closed_trades(mode, id);\n"
    "CREATE INDEX closed_trades_closed ON closed_trades(closed_ms);\n"
    "CREATE TABLE alerts (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  severity TEXT NOT NULL,\n"
    "  mode TEXT NOT NULL,\n"
    "  message TEXT NOT NULL,\n"
    "  data TEXT NOT NULL,             -- JSON\n"
    "  acked_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX alerts_kind ON alerts(kind, id);\n"
    "CREATE TABLE settings (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE settings_history (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  key TEXT NOT NULL,\n"
    "  old_value TEXT,                 -- NULL: was unset\n"
    "  value TEXT NOT NULL,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  actor TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX settings_history_key ON settings_history(key, id);\n"
    "CREATE TABLE exit_strategies (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  params TEXT NOT NULL,           -- JSON\n"
    "  is_default INTEGER NOT NULL,\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE backtest_scenarios (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  params TEXT NOT NULL,           -- JSON\n"
    "  from_ms INTEGER NOT NULL,\n"
    "  to_ms INTEGER NOT NULL,\n"
    "  created_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE backtest_runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  scenario_id INTEGER NOT NULL REFERENCES backtest_scenarios(id),\n"
    "  started_ms INTEGER NOT NULL,\n"
    "  finished_ms INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  params TEXT NOT NULL,           -- JSON\n"
    "  results TEXT NOT NULL,          -- JSON\n"
    "  pnl_sol REAL NOT NULL,\n"
    "  win_rate REAL NOT NULL,\n"
    "  max_drawdown REAL NOT NULL,\n"
    "  trades INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX backtest_runs_scenario ON backtest_runs(scenario_id, id);\n";

/* Two more wallet statuses: 4 candidate (profiled, not watched) and 5
 * removed (taken off the watchlist by the operator), and type_manual (the
 * operator set the type: profile runs keep it). SQLite cannot change a
 * CHECK constraint in place, so the table is rebuilt with its indexes. */
/* clang-format off */
static const char m6_wallet_statuses[] =
    "CREATE TABLE wallets_new (\n"
    SQLITE_WALLET_COLS_BEFORE_STATUS
    "  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 5),\n"
    SQLITE_WALLET_COLS_AFTER_STATUS
    "  updated_ms INTEGER NOT NULL,\n"
    "  type_manual INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "INSERT INTO wallets_new SELECT *, 0 FROM wallets;\n"
    "DROP TABLE wallets;\n"
    "ALTER TABLE wallets_new RENAME TO wallets;\n"
    STORE_SQL_WALLET_SORT_INDEXES;
/* clang-format on */
/* The trading engine's own state (cash, id counters, breakers) as keyed
 * JSON rows, so a restart restores it exactly; closed trades keep the
 * signal, the strategy and the factors behind them for the feedback loop
 * (`walltrack report`, `walltrack recalibrate`). */
static const char m7_engine[] =
    "CREATE TABLE engine_state (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL,            -- JSON\n"
    "  updated_ms INTEGER NOT NULL\n"
    ");\n"
    "ALTER TABLE closed_trades ADD COLUMN signal_id INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE closed_trades ADD COLUMN strategy TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE closed_trades ADD COLUMN score REAL NOT NULL DEFAULT 0;\n"
    "ALTER TABLE closed_trades ADD COLUMN factors TEXT NOT NULL DEFAULT '{}';\n"
    "CREATE INDEX signals_decision ON signals(decision, id);\n";

/* Issue 13: the idempotency key is (sig, leg) again. A signature lands in
 * one slot, but a delivery can claim any slot: with (slot, sig, leg) the
 * same transaction sent with another slot (a hostile or corrupt body, a
 * fork's replay) was stored twice. Existing duplicates keep their first
 * stored row (the lowest id). The slot-led key's locality was the reason
 * for migration 5; the append cost of the random key is measured in
 * docs/performance.md ("Store"). IF [NOT] EXISTS: a test that re-runs
 * the migrations from an earlier version finds them applied.
 *
 * skipped_txs: every transaction the decoder skipped (issue 13), with the
 * signature as sent, the reason and its detail, the slot and block time it
 * claimed (u64 slot as the signed reinterpretation) and when it arrived;
 * written in the same commit as the delivery's events and pruned by the
 * inbox (INBOX_SKIP_KEEP_DAYS, INBOX_SKIP_KEEP_MAX; docs/operations.md). */
static const char m10_sig_keys_skips[] =
    "DELETE FROM swaps WHERE id NOT IN (SELECT MIN(id) FROM swaps GROUP BY sig, leg);\n"
    "DROP INDEX IF EXISTS swaps_slot_sig_leg;\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS swaps_sig_leg ON swaps(sig, leg);\n"
    "DELETE FROM transfers WHERE id NOT IN (SELECT MIN(id) FROM transfers GROUP BY sig, leg);\n"
    "DROP INDEX IF EXISTS transfers_slot_sig_leg;\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS transfers_sig_leg ON transfers(sig, leg);\n"
    "CREATE TABLE IF NOT EXISTS skipped_txs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  sig TEXT NOT NULL,               -- base58 as sent, '' when missing\n"
    "  reason TEXT NOT NULL,            -- skip_reason_name\n"
    "  detail TEXT NOT NULL,\n"
    "  slot INTEGER NOT NULL,           -- u64 as signed reinterpretation\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  received_ms INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS skipped_txs_received ON skipped_txs(received_ms);\n";

/* Issue 16: the state of the chain crawl (intel/crawl.h), so a killed
 * crawl resumes where it stopped: per token or wallet its state, the
 * `before` cursor of its next history page, pages fetched, the newest
 * block time it has seen (a wallet's top-up stops there), and counters
 * (requests spent in all). */
static const char m11_crawl[] =
    "CREATE TABLE IF NOT EXISTS crawl_items (\n"
    "  kind TEXT NOT NULL,            -- token, wallet\n"
    "  key TEXT NOT NULL,             -- base58 address\n"
    "  state TEXT NOT NULL,           -- pending, done, skipped\n"
    "  source TEXT NOT NULL,          -- operator, early_buyer\n"
    "  cursor TEXT NOT NULL DEFAULT '',\n"
    "  pages INTEGER NOT NULL DEFAULT 0,\n"
    "  first_ts INTEGER NOT NULL DEFAULT 0,   -- oldest block time seen (s)\n"
    "  newest_ts INTEGER NOT NULL DEFAULT 0,  -- newest block time seen (s)\n"
    "  updated_ms INTEGER NOT NULL,\n"
    "  PRIMARY KEY (kind, key)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS crawl_counters (\n"
    "  name TEXT PRIMARY KEY,\n"
    "  value INTEGER NOT NULL\n"
    ");\n";
/* Wallet metrics a trader can trust (issue 19, docs/metrics.md): realized
 * and unrealized PnL apart (total_pnl becomes their sum), the time of the
 * prices open positions are marked at, the drawdown in SOL (max_drawdown
 * becomes a fraction of its peak), the active days, which metrics are
 * valid (enough data: WALLET_VALID_* bits), the definitions' version and
 * the behaviour vector of "wallets like this one" (intel/similar.h), and
 * the copier expectancy (intel/copier.h) with its sort indexes.
 * Old rows get version 0 and no valid metric: the API shows null until
 * the next profile run recomputes them (serve runs one at start when it
 * finds such rows). SQLite has no ADD COLUMN IF NOT EXISTS: a test that
 * re-runs the migrations from an earlier version drops these columns
 * first, as that version had none. */
static const char m14_wallet_metrics[] =
    "ALTER TABLE wallets ADD COLUMN realized_pnl REAL NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN unrealized_pnl REAL NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN unrealized_as_of_ms INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN open_positions INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN max_drawdown_sol REAL NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN active_days INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN metrics_valid INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN metrics_version INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN behaviour_vec TEXT NOT NULL DEFAULT '';\n"
    "ALTER TABLE wallets ADD COLUMN copier_pnl REAL NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN copier_ev REAL NOT NULL DEFAULT 0;\n"
    "ALTER TABLE wallets ADD COLUMN copier_buys INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX IF NOT EXISTS wallets_copier_d ON wallets(copier_ev DESC, address);\n"
    "CREATE INDEX IF NOT EXISTS wallets_copier_a ON wallets(copier_ev, address);\n";
/* Wallet graph (issue 17): what describes a cluster beyond its leader and
 * size, one row per cluster (gone with it). leader_rule: which rule picked
 * the leader ("funding_root", "first_buyer", "degree"); pnl_sol: the
 * members' combined realized PnL (wallets.total_pnl); tokens: mints bought
 * by at least two members; insider: the insider likelihood 0..1
 * (docs/intelligence.md, "Wallet graph and clusters"). A table of its own,
 * not columns of clusters: SQLite has no ADD COLUMN IF NOT EXISTS, and
 * migrations must re-run cleanly. Numbered 12 by the brief; the lead
 * renumbers at merge. */
static const char m12_graph[] =
    "CREATE TABLE IF NOT EXISTS cluster_stats (\n"
    "  cluster_id INTEGER PRIMARY KEY REFERENCES clusters(id) ON DELETE CASCADE,\n"
    "  leader_rule TEXT NOT NULL,\n"
    "  pnl_sol REAL NOT NULL,\n"
    "  tokens INTEGER NOT NULL,\n"
    "  insider REAL NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS graph_edges_kind ON graph_edges(kind, src);\n";
/* Backtests (issue 18): the details of a run (its signals, closed trades,
 * equity curve, performance JSON and settings) as JSON chunks in order,
 * written in the same transaction as the run's row. */
static const char m13_backtest_items[] =
    "CREATE TABLE IF NOT EXISTS backtest_run_items (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id INTEGER NOT NULL REFERENCES backtest_runs(id) ON DELETE CASCADE,\n"
    "  kind TEXT NOT NULL,              -- signals, trades, curve, perf\n"
    "  seq INTEGER NOT NULL,\n"
    "  data TEXT NOT NULL               -- JSON text, a piece of the whole\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS backtest_run_items_run ON backtest_run_items(run_id, id);\n";
/* Migration 15 (issue 15): equity_marks, the engine's mark-to-market
 * equity (cash + open positions at their last price) about once a minute
 * of engine time, for the mark-to-market curve and drawdown of
 * GET /v1/performance and `walltrack report`. */
static const char m15_equity_marks[] =
    "CREATE TABLE IF NOT EXISTS equity_marks (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  equity_lamports INTEGER NOT NULL,\n"
    "  cash_lamports INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS equity_marks_mode ON equity_marks(mode, id);\n";

/* Several daemons on one PostgreSQL (store/leader.h): each order names
 * the node whose engine placed it. An order's id is claimed in the table
 * (its primary key) before the order goes to the executor, so a second
 * engine numbering its next order from the same stored state is refused
 * instead of placing it again (trade/runner.c, docs/operations.md). */
static const char m16_order_node[] =
    "ALTER TABLE orders ADD COLUMN node TEXT NOT NULL DEFAULT '';\n";

/* The engine's input journal (docs/backtest.md "Fidelity"): what `serve`
 * handed its engine besides the stored events, in order, so that a
 * backtest can replay a window as the daemon saw it. */
static const char m17_engine_journal[] =
    "CREATE TABLE IF NOT EXISTS engine_journal (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  wall_ms INTEGER NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  n INTEGER NOT NULL,\n"
    "  hash INTEGER NOT NULL,\n"
    "  body TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS engine_journal_kind ON engine_journal(kind, id);\n";

/* Issue 13 item 13: the last swap of each mint is kept in a table of one
 * row per mint instead of an index entry per swap. swaps_mint_ts was read
 * only by store_swap_last_of_mint, and every append paid for it: one entry
 * per swap on a random page per mint (about 430 pages per 1,000-swap
 * commit over 500 mints). The append now upserts one row per mint it
 * touched (store_events.c); the table is filled here from the swaps
 * already stored. */
static const char m18_mint_last[] =
    "CREATE TABLE IF NOT EXISTS swap_mint_last (\n"
    "  mint BLOB PRIMARY KEY,\n"
    "  ts_ms INTEGER NOT NULL,\n"
    "  id INTEGER NOT NULL  -- swaps.id of the mint's latest swap (largest ts_ms, id)\n"
    ") WITHOUT ROWID;\n"
    "INSERT OR REPLACE INTO swap_mint_last (mint, ts_ms, id)\n"
    "  SELECT mint, ts_ms, id FROM (SELECT mint, ts_ms, id, row_number() OVER (PARTITION BY\n"
    "    mint ORDER BY ts_ms DESC, id DESC) AS rn FROM swaps) WHERE rn = 1;\n"
    "DROP INDEX IF EXISTS swaps_mint_ts;\n";

const struct migration store_sqlite_migrations[] = {
    STORE_MIGRATIONS(STORE_MIGRATION_ROW){0, NULL, NULL}, /* end */
};
