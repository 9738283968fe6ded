/* The settings of walltrack, one row each. This table drives the config
 * file parser, environment variables, `walltrack config`, the API's config
 * endpoint, the dashboard's settings form and docs/config.md.
 *
 * X(ID, name, env, type, default, min, max, flags, help)
 *   ID      enum suffix: CFG_<ID>
 *   name    dotted name used in the config file and `--set name=value`
 *   env     environment variable (WALLTRACK_...), or NULL for none
 *   type    BOOL, INT, DOUBLE or STRING
 *   default the default value as text ("" for none)
 *   min,max bounds for INT and DOUBLE (ignored for the others)
 *   flags   CONFIG_LIVE (editable while running), CONFIG_SECRET (masked,
 *           never from the command line or a group/world-readable file)
 *
 * Keep each area's rows together; add new rows at the end of their area. */
#ifndef WT_BASE_CONFIG_TABLE_H
#define WT_BASE_CONFIG_TABLE_H

#define CONFIG_TABLE(X)                                                                            \
    /* --- server ---------------------------------------------------------------------- */        \
    X(LISTEN, "server.listen", "WALLTRACK_LISTEN", STRING, "127.0.0.1:8080", 0, 0, 0,              \
      "Address and port of the HTTP server (HOST:PORT; port 0 picks a free one). A "               \
      "non-loopback address requires api.token.")                                                  \
    X(HTTP_THREADS, "server.threads", NULL, INT, "4", 1, 64, 0,                                    \
      "Threads in the HTTP server's pool.")                                                        \
    X(API_TOKEN, "api.token", "WALLTRACK_API_TOKEN", STRING, "", 0, 0, CONFIG_SECRET,              \
      "Bearer token required on every API and dashboard request when set.")                        \
    X(PORT_FILE, "server.port_file", NULL, STRING, "", 0, 0, 0,                                    \
      "When set, `serve` writes the port it listens on to this file once ready.")                  \
    /* --- data ------------------------------------------------------------------------ */        \
    X(DATA_DIR, "data.dir", "WALLTRACK_DATA", STRING, "./data", 0, 0, 0,                           \
      "Data folder: the SQLite database walltrack.db, backups and archives live here.")            \
    X(DB_URL, "db.url", "WALLTRACK_DB", STRING, "", 0, 0, CONFIG_SECRET,                           \
      "Database: empty for SQLite in the data folder, or postgresql://... for PostgreSQL. "        \
      "Masked because a URL may carry a password.")                                                \
    /* --- logging --------------------------------------------------------------------- */        \
    X(LOG_LEVEL, "log.level", "WALLTRACK_LOG_LEVEL", STRING, "info", 0, 0, CONFIG_LIVE,            \
      "Lowest level written: debug, info, warn or error.")                                         \
    X(LOG_FILE, "log.file", "WALLTRACK_LOG_FILE", STRING, "", 0, 0, 0,                             \
      "Log file (appended); empty for standard error.")                                            \
    /* --- helius ---------------------------------------------------------------------- */        \
    X(HELIUS_API_KEY, "helius.api_key", "WALLTRACK_HELIUS_API_KEY", STRING, "", 0, 0,              \
      CONFIG_SECRET, "Helius API key; without it the built-in simulator feeds walltrack.")         \
    X(WEBHOOK_SECRET, "helius.webhook_secret", "WALLTRACK_WEBHOOK_SECRET", STRING, "", 0, 0,       \
      CONFIG_SECRET, "Value Helius sends in the Authorization header of webhook deliveries.")      \
    X(HELIUS_API_URL, "helius.api_url", "WALLTRACK_HELIUS_API_URL", STRING,                        \
      "https://api-mainnet.helius-rpc.com", 0, 0, 0,                                               \
      "Base URL of the Helius REST API (history backfill, webhook management).")                   \
    X(HELIUS_WEBHOOK_URL, "helius.webhook_url", "WALLTRACK_HELIUS_WEBHOOK_URL", STRING, "", 0, 0,  \
      0,                                                                                           \
      "Public URL Helius should deliver to, ending in /webhooks/helius; used by "                  \
      "`walltrack helius webhook create`.")                                                        \
    X(WEBHOOK_MAX_BODY, "helius.webhook_max_body", NULL, INT, "10485760", 1024, 1073741824, 0,     \
      "Largest webhook body accepted, in bytes (larger bodies get 413).")                          \
    /* --- ingest ---------------------------------------------------------------------- */        \
    X(COMMIT_DELAY_MS, "ingest.commit_delay_ms", NULL, INT, "5", 1, 1000, 0,                       \
      "Group commit window: webhook deliveries arriving within this many ms share one "            \
      "transaction.")                                                                              \
    X(COMMIT_MAX_ROWS, "ingest.commit_max_rows", NULL, INT, "10000", 1, 1000000, 0,                \
      "Commit early once this many events are pending.")                                           \
    X(ARCHIVE_BODIES, "ingest.archive", "WALLTRACK_ARCHIVE", BOOL, "false", 0, 0, 0,               \
      "Also keep every accepted webhook body, zstd-compressed, in <data>/archive/ for "            \
      "re-decoding.")                                                                              \
    /* --- trading mode ---------------------------------------------------------------- */        \
    X(LIVE_ENABLED, "live.enabled", "WALLTRACK_LIVE_ENABLED", BOOL, "false", 0, 0, 0,              \
      "Allow live trading. Live also needs a keypair and the --live flag; paper otherwise.")       \
    /* --- discovery ------------------------------------------------------------------- */        \
    X(DISC_INTERVAL_MIN, "discovery.interval_min", NULL, INT, "60", 0, 10080, 0,                   \
      "Minutes between scheduled discovery runs inside `serve` (profile every wallet, write "      \
      "snapshots and patterns, update the watchlist); 0 turns the schedule off.")                  \
    X(DISC_ON_START, "discovery.on_start", NULL, BOOL, "false", 0, 0, 0,                           \
      "Also run discovery as soon as `serve` starts, instead of after the first interval.")        \
    X(DISC_SNAPSHOTS, "discovery.snapshots", NULL, BOOL, "true", 0, 0, 0,                          \
      "Append a performance snapshot of every profiled wallet on each scheduled run.")             \
    X(DISC_MIN_MULTIPLE, "discovery.min_multiple", NULL, DOUBLE, "10", 0, 1000000, 0,              \
      "A token succeeded when its highest traded price reached this many times its launch "        \
      "price (its first trade); 0 turns this test off.")                                           \
    X(DISC_MIN_MCAP_SOL, "discovery.min_mcap_sol", NULL, DOUBLE, "0", 0, 1e15, 0,                  \
      "Also a success: a market cap (highest traded price x supply: the tokens table's, else "     \
      "1,000,000,000 tokens) of at least this many SOL (0: off).")                                 \
    X(DISC_EARLY_BUYERS, "discovery.early_buyers", NULL, INT, "50", 0, 1000000, 0,                 \
      "An early buyer is among the first this many distinct buyers of a token (0: off).")          \
    X(DISC_EARLY_MINUTES, "discovery.early_minutes", NULL, INT, "0", 0, 100000, 0,                 \
      "... or bought within this many minutes of the token's launch (0: off).")                    \
    X(DISC_LOOKBACK_HOURS, "discovery.lookback_hours", NULL, INT, "0", 0, 876000, 0,               \
      "Only tokens launched within this many hours of the latest swap count (0: all).")            \
    X(DISC_MIN_HITS, "discovery.min_hits", NULL, INT, "1", 0, 1000000, 0,                          \
      "Successful tokens a wallet must have bought early and sold in profit.")                     \
    X(DISC_MIN_TRADES, "discovery.min_trades", NULL, INT, "3", 0, 1000000, 0,                      \
      "Closed round trips a candidate needs.")                                                     \
    X(DISC_MIN_SCORE, "discovery.min_score", NULL, DOUBLE, "40", 0, 100, 0,                        \
      "Smart-money score (0-100) a candidate needs.")                                              \
    X(DISC_MAX_BOT, "discovery.max_bot", NULL, DOUBLE, "0.25", 0, 1, 0,                            \
      "Bot-likeness (0-1, docs/metrics.md) above which a candidate is a bot and excluded.")        \
    X(DISC_MAX_FOLLOW, "discovery.max_follow", NULL, DOUBLE, "0.4", 0, 1, 0,                       \
      "Share of a wallet's buys mirroring one other wallet's above which it is a copy-trader "     \
      "and excluded.")                                                                             \
    X(DISC_MAX_SCALP_SHARE, "discovery.max_scalp_share", NULL, DOUBLE, "0.5", 0, 1, 0,             \
      "Share of round trips shorter than 5 minutes above which a candidate is a pump scalper "     \
      "(baiter) and excluded.")                                                                    \
    X(DISC_MAX_ENTRY_MINUTES, "discovery.max_entry_minutes", NULL, INT, "30", 0, 100000, 0,        \
      "Mean minutes from a token's launch to a candidate's first buy above which it is a late "    \
      "buyer and excluded (0: off).")                                                              \
    X(DISC_TOP_K, "discovery.top_k", NULL, INT, "50", 0, 100000, 0,                                \
      "Wallets the algorithm keeps on the watchlist: the best eligible candidates.")               \
    /* --- end ------------------------------------------------------------------------- */

#endif
