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
 *           never from the command line or a group/world-readable file),
 *           CONFIG_SECRET_URL (with CONFIG_SECRET: URLs whose path or query
 *           may carry a key; logged as scheme and host only)
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
      "Bearer token required on every API request when set (not /healthz or the dashboard's "      \
      "static files). A non-loopback server.listen needs one of at least 16 characters.")          \
    X(PORT_FILE, "server.port_file", NULL, STRING, "", 0, 0, 0,                                    \
      "When set, `serve` writes the port it listens on to this file once ready.")                  \
    X(HTTP_MAX_CONNS, "server.max_connections", NULL, INT, "10000", 16, 1000000, 0,                \
      "Open HTTP connections in all; at start it is lowered to fit the process's file limit "      \
      "(raised to its hard limit). Past it new connections are refused.")                          \
    X(HTTP_MAX_CONNS_PER_IP, "server.max_connections_per_ip", NULL, INT, "64", 0, 1000000, 0,      \
      "Open HTTP connections per client address (an IPv6 /64 counts as one); 0 for no limit. "     \
      "Loopback clients are exempt: a reverse proxy on the same host must limit its own.")         \
    X(HTTP_REQUEST_TIMEOUT, "server.request_timeout_s", NULL, INT, "30", 1, 3600, 0,               \
      "A request's headers and body must arrive within this many seconds of the connection "       \
      "opening (or of the previous response on a kept-alive one), however slowly they trickle; "   \
      "else the connection is closed. Idle kept-alive connections close after it too.")            \
    X(HTTP_MAX_AUTH_FAILURES, "server.max_auth_failures", NULL, INT, "10", 0, 1000000, 0,          \
      "Wrong API tokens or webhook secrets per client address per minute; past it that address "   \
      "gets 429 on every authenticated route until the minute ends. 0 for no limit.")              \
    /* --- data ------------------------------------------------------------------------ */        \
    X(DATA_DIR, "data.dir", "WALLTRACK_DATA", STRING, "./data", 0, 0, 0,                           \
      "Data folder: the SQLite database walltrack.db, backups and archives live here.")            \
    X(DB_URL, "db.url", "WALLTRACK_DB", STRING, "", 0, 0, CONFIG_SECRET,                           \
      "Database: empty for SQLite in the data folder, or postgresql://... for PostgreSQL. "        \
      "Masked because a URL may carry a password.")                                                \
    X(DB_RELAXED_SYNC, "db.relaxed_sync", NULL, BOOL, "false", 0, 0, 0,                            \
      "SQLite durability. false: every commit is fsync'd before the webhook answers 200, so an "   \
      "acknowledged delivery survives a power cut or kernel crash. true: the WAL is synced only "  \
      "at checkpoints; a commit survives a crash of walltrack, not of the machine (faster).")      \
    X(DB_WAL_MAX_MB, "db.wal_max_mb", NULL, INT, "64", 1, 65536, 0,                                \
      "SQLite: bound on the write-ahead log, in MiB. Past it the checkpointer truncates the WAL, " \
      "and writes wait for it.")                                                                   \
    X(DB_CREATE_NEW, "db.create_new", NULL, BOOL, "false", 0, 0, 0,                                \
      "Allow creating an empty walltrack.db in a data folder whose backups/ or archive/ show "     \
      "that a database existed there (restore a backup instead, unless starting over).")           \
    /* --- cluster (several daemons on one PostgreSQL) --------------------------------- */        \
    X(CLUSTER_NODE_ID, "cluster.node_id", "WALLTRACK_NODE_ID", STRING, "", 0, 0, 0,                \
      "This daemon's name among several on one PostgreSQL database (in /v1/status and the "        \
      "orders it places); empty: hostname:pid.")                                                   \
    X(CLUSTER_LEADER_POLL_MS, "cluster.leader_poll_ms", NULL, INT, "1000", 50, 60000, 0,           \
      "PostgreSQL: how often a standby tries to take the trading lock and the leader checks that " \
      "its lock session is alive.")                                                                \
    X(CLUSTER_SESSION_TIMEOUT_S, "cluster.session_timeout_s", NULL, INT, "12", 3, 600, 0,          \
      "PostgreSQL: bound on noticing a silent peer of the lock session (TCP keepalives on both "   \
      "ends). The server drops a dead leader's session, freeing the lock, after about 2/3 of it; " \
      "a leader that cannot reach its session stops trading within a third of it plus one poll.")  \
    /* --- logging --------------------------------------------------------------------- */        \
    X(LOG_LEVEL, "log.level", "WALLTRACK_LOG_LEVEL", STRING, "info", 0, 0, CONFIG_LIVE,            \
      "Lowest level written: debug, info, warn, error or off.")                                    \
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
      "Public URL Helius should deliver to, ending in /webhooks/helius; identifies the webhook "   \
      "`walltrack helius webhook create|sync` and `serve` manage.")                                \
    X(WEBHOOK_MAX_BODY, "helius.webhook_max_body", NULL, INT, "10485760", 1024, 1073741824, 0,     \
      "Largest webhook body accepted, in bytes (larger bodies get 413).")                          \
    X(HOOKSYNC_ON, "helius.webhook_sync", NULL, BOOL, "true", 0, 0, 0,                             \
      "Keep the Helius webhook's account addresses equal to the watched wallets (`serve`, when "   \
      "helius.api_key and helius.webhook_url are set): after every watchlist change, debounced, "  \
      "one update, read back to verify.")                                                          \
    X(HOOKSYNC_DEBOUNCE_MS, "helius.webhook_sync_debounce_ms", NULL, INT, "2000", 0, 600000, 0,    \
      "Quiet time after a watchlist change before the webhook is updated (a burst of changes "     \
      "costs one update); at most ten times this after the first change.")                         \
    X(HOOKSYNC_INTERVAL_S, "helius.webhook_sync_interval_s", NULL, INT, "300", 0, 86400, 0,        \
      "Re-check the webhook against the watchlist this often even without a change (changes "      \
      "made by another process, edits on Helius's side); 0 only after changes.")                   \
    X(HOOKSYNC_RETRY_S, "helius.webhook_sync_retry_s", NULL, INT, "30", 1, 3600, 0,                \
      "Retry a failed webhook sync after this many seconds (meanwhile RPC polling covers the "     \
      "watched wallets, when rpc.urls is set).")                                                   \
    X(HELIUS_RPS, "helius.requests_per_second", NULL, DOUBLE, "10", 0, 10000, 0,                   \
      "Most requests a second the chain crawl sends to Helius (your plan's limit); 0 for no "      \
      "limit.")                                                                                    \
    X(HELIUS_MAX_RETRIES, "helius.max_retries", NULL, INT, "5", 0, 100, 0,                         \
      "Retries of a crawl request answered 429 or 5xx (or not at all), after a backoff doubling "  \
      "from 500 ms with +-50% jitter.")                                                            \
    /* --- ingest ---------------------------------------------------------------------- */        \
    X(COMMIT_DELAY_MS, "ingest.commit_delay_ms", NULL, INT, "0", 0, 1000, 0,                       \
      "Group commit: 0 commits as soon as the writer is free (deliveries arriving during a "       \
      "commit share the next one); N also waits up to N ms for more to join.")                     \
    X(COMMIT_MAX_ROWS, "ingest.commit_max_rows", NULL, INT, "10000", 1, 1000000, 0,                \
      "Commit early once this many events are pending.")                                           \
    X(ARCHIVE_BODIES, "ingest.archive", "WALLTRACK_ARCHIVE", BOOL, "false", 0, 0, 0,               \
      "Also keep every accepted webhook body, zstd-compressed, in <data>/archive/ for "            \
      "re-decoding.")                                                                              \
    X(POLL_SILENCE_S, "ingest.poll_silence_s", NULL, INT, "120", 0, 86400, CONFIG_LIVE,            \
      "Poll Solana RPC for the watched wallets once the webhook has been silent this many "        \
      "seconds (needs rpc.urls; 0 never polls).")                                                  \
    X(POLL_INTERVAL_S, "ingest.poll_interval_s", NULL, INT, "30", 5, 3600, 0,                      \
      "Seconds between polling rounds while the webhook is silent.")                               \
    X(INGEST_MAX_FUTURE_S, "ingest.max_future_s", NULL, INT, "60", 1, 31536000, 0,                 \
      "A transaction whose block time is more than this many seconds past the wall clock is "      \
      "skipped as malformed, and no event moves the engine's clock further past it (the demo "     \
      "raises it: its simulated market runs ahead of real time).")                                 \
    /* --- solana ---------------------------------------------------------------------- */        \
    X(RPC_URLS, "rpc.urls", "WALLTRACK_RPC_URLS", STRING, "", 0, 0,                                \
      CONFIG_SECRET | CONFIG_SECRET_URL,                                                           \
      "Solana RPC endpoints, comma-separated, tried in order (failover). Masked because "          \
      "provider URLs carry API keys.")                                                             \
    /* --- trading mode ---------------------------------------------------------------- */        \
    X(LIVE_ENABLED, "live.enabled", "WALLTRACK_LIVE_ENABLED", BOOL, "false", 0, 0, 0,              \
      "Allow live trading. Live also needs a keypair and the --live flag; paper otherwise.")       \
    X(LIVE_KEYPAIR_PATH, "live.keypair_path", "WALLTRACK_KEYPAIR_PATH", STRING, "", 0, 0,          \
      CONFIG_SECRET,                                                                               \
      "Trading keypair file (Solana CLI id.json, mode 0600). Empty: the key itself from "          \
      "WALLTRACK_KEYPAIR. Secret because it locates the trading key.")                             \
    X(LIVE_MAX_TRADE_SOL, "live.max_trade_sol", "WALLTRACK_LIVE_MAX_TRADE_SOL", DOUBLE, "0.1", 0,  \
      1000, 0, "Largest live buy in SOL; a bigger order fails with this reason.")                  \
    X(LIVE_MAX_DAILY_SOL, "live.max_daily_sol", "WALLTRACK_LIVE_MAX_DAILY_SOL", DOUBLE, "1", 0,    \
      100000, 0, "Most SOL live buys may spend per UTC day; further buys fail with this reason.")  \
    X(LIVE_SLIPPAGE_BPS, "live.slippage_bps", NULL, INT, "300", 1, 5000, 0,                        \
      "Slippage allowed on a live swap, in basis points, when the order gives none.")              \
    X(LIVE_PRIORITY_FEE_MAX, "live.priority_fee_max_lamports", NULL, INT, "1000000", 0, 100000000, \
      0, "Most priority fee Jupiter may set on a swap, in lamports (0: Jupiter's default).")       \
    X(LIVE_RETRIES, "live.retries", NULL, INT, "2", 0, 10, 0,                                      \
      "Fresh-quote retries after an expired or slippage-failed live swap.")                        \
    X(LIVE_SIMULATE, "live.simulate", NULL, BOOL, "true", 0, 0, 0,                                 \
      "Simulate each signed swap (simulateTransaction) before sending it.")                        \
    X(LIVE_SKIP_PREFLIGHT, "live.skip_preflight", NULL, BOOL, "false", 0, 0, 0,                    \
      "Send with skipPreflight (faster; errors then show only on chain).")                         \
    X(LIVE_SEND_MAX_RETRIES, "live.send_max_retries", NULL, INT, "3", -1, 100, 0,                  \
      "maxRetries of sendTransaction: how often the node rebroadcasts (-1: the node's default).")  \
    X(LIVE_CONFIRM_POLL_MS, "live.confirm_poll_ms", NULL, INT, "1000", 1, 60000, 0,                \
      "Interval between signature status polls while confirming a live swap.")                     \
    X(LIVE_MAX_POLLS, "live.max_polls", NULL, INT, "180", 1, 100000, 0,                            \
      "Give up confirming after this many polls (the block height check usually ends it first).")  \
    X(LIVE_MIN_BALANCE_SOL, "live.min_balance_sol", NULL, DOUBLE, "0.05", 0, 100000, 0,            \
      "Least SOL balance `walltrack wallet check` accepts.")                                       \
    /* --- market data and Solana RPC ------------------------------------------------ */          \
    X(JUPITER_API_URL, "jupiter.api_url", "WALLTRACK_JUPITER_API_URL", STRING,                     \
      "https://lite-api.jup.ag", 0, 0, 0,                                                          \
      "Base URL of the Jupiter API (https://api.jup.ag with an API key).")                         \
    X(JUPITER_API_KEY, "jupiter.api_key", "WALLTRACK_JUPITER_API_KEY", STRING, "", 0, 0,           \
      CONFIG_SECRET, "Jupiter API key, sent as x-api-key when set.")                               \
    X(DEXSCREENER_API_URL, "dexscreener.api_url", "WALLTRACK_DEXSCREENER_API_URL", STRING,         \
      "https://api.dexscreener.com", 0, 0, 0, "Base URL of the DexScreener API.")                  \
    X(DEXSCREENER_TTL_MS, "dexscreener.ttl_ms", NULL, INT, "30000", 1000, 3600000, 0,              \
      "How long a DexScreener answer is fresh.")                                                   \
    X(DEXSCREENER_STALE_MAX_MS, "dexscreener.stale_max_ms", NULL, INT, "600000", 0, 86400000, 0,   \
      "How old an answer may be served during a DexScreener outage.")                              \
    /* --- alerts ---------------------------------------------------------------------- */        \
    X(BACKUP_INTERVAL_H, "backup.interval_h", NULL, INT, "24", 0, 8760, 0,                         \
      "Back up the database every this many hours while serving, into <data>/backups "             \
      "(0: never).")                                                                               \
    X(BACKUP_KEEP, "backup.keep", NULL, INT, "7", 1, 1000, 0,                                      \
      "How many scheduled backups to keep (the oldest are deleted).")                              \
    X(ALERT_WEBHOOK_URL, "alert.webhook_url", "WALLTRACK_ALERT_WEBHOOK_URL", STRING, "", 0, 0,     \
      CONFIG_SECRET | CONFIG_SECRET_URL,                                                           \
      "Generic webhook: each alert is POSTed there as JSON. Masked: such URLs "                    \
      "often carry a token.")                                                                      \
    X(ALERT_TELEGRAM_API, "alert.telegram_api_url", NULL, STRING, "https://api.telegram.org", 0,   \
      0, 0, "Base URL of the Telegram Bot API.")                                                   \
    X(ALERT_TELEGRAM_TOKEN, "alert.telegram_token", "WALLTRACK_TELEGRAM_TOKEN", STRING, "", 0, 0,  \
      CONFIG_SECRET, "Telegram bot token; alerts go to alert.telegram_chat_id.")                   \
    X(ALERT_TELEGRAM_CHAT, "alert.telegram_chat_id", "WALLTRACK_TELEGRAM_CHAT_ID", STRING, "", 0,  \
      0, 0, "Telegram chat that receives the alerts.")                                             \
    X(ALERT_NTFY_URL, "alert.ntfy_url", "WALLTRACK_NTFY_URL", STRING, "", 0, 0,                    \
      CONFIG_SECRET | CONFIG_SECRET_URL,                                                           \
      "ntfy topic URL (https://ntfy.sh/<topic>); masked because the topic is its password.")       \
    X(ALERT_NTFY_TOKEN, "alert.ntfy_token", "WALLTRACK_NTFY_TOKEN", STRING, "", 0, 0,              \
      CONFIG_SECRET, "ntfy access token for a protected topic (optional).")                        \
    X(ALERT_MIN_SEVERITY, "alert.min_severity", NULL, STRING, "warn", 0, 0, CONFIG_LIVE,           \
      "Lowest severity pushed: info, warn or critical (every alert is logged anyway).")            \
    X(SM_MIN_WALLETS, "alert.smart_min_wallets", NULL, INT, "3", 0, 1000, 0,                       \
      "Smart-money alert when at least this many watched wallets (distinct clusters once the "     \
      "graph has clusters) buy the same token within alert.smart_window_min (0: off).")            \
    X(SM_WINDOW_MIN, "alert.smart_window_min", NULL, INT, "30", 1, 100000, 0,                      \
      "Window (minutes of swap time) of the smart-money group-buy alert.")                         \
    X(SM_BIG_BUY_SOL, "alert.smart_big_buy_sol", NULL, DOUBLE, "10", 0, 1e9, 0,                    \
      "Smart-money alert when a verified watched wallet buys at least this much SOL (0: off).")    \
    X(SM_QUIET_HOURS, "alert.smart_quiet_hours", NULL, STRING, "", 0, 0, 0,                        \
      "UTC hours HH-HH (e.g. 22-07) when smart-money alerts are not pushed (still logged and "     \
      "sent on the event stream); empty: none.")                                                   \
    X(SM_COOLDOWN_MIN, "alert.smart_cooldown_min", NULL, INT, "60", 0, 100000, 0,                  \
      "No second smart-money alert for the same token within this many minutes.")                  \
    /* --- alert: outages (src/alert/outage.h) ----------------------------------------- */        \
    X(ALERT_WEBHOOK_SILENCE_S, "alert.webhook_silence_s", NULL, INT, "1800", 0, 604800, 0,         \
      "Seconds without a webhook delivery, while wallets are watched, before an input_outage "     \
      "alert (once, with a recovery notice). 0: off.")                                             \
    X(ALERT_PROBE_S, "alert.probe_s", NULL, INT, "60", 0, 3600, 0,                                 \
      "Seconds between the outage probes: every rpc.urls endpoint (getLatestBlockhash) and, in "   \
      "live mode, a small Jupiter quote. 0: no probes.")                                           \
    X(ALERT_DISK_MIN_FREE_MB, "alert.disk_min_free_mb", NULL, INT, "1024", 0, 1073741824, 0,       \
      "Free space of the data folder (MB) under which a critical `store` alert goes out. 0: "      \
      "off.")                                                                                      \
    /* --- web (dashboard) ------------------------------------------------------------- */        \
    X(WEB_DIR, "web.dir", "WALLTRACK_WEB_DIR", STRING, "", 0, 0, 0,                                \
      "Folder of the dashboard's files, served at /, with its libraries in vendor/. Empty: the "   \
      "installed copy (<prefix>/share/walltrack/web beside bin/), else the build folder's web/.")  \
    X(WEB_MODULES_DIR, "web.modules_dir", "WALLTRACK_WEB_MODULES_DIR", STRING, "", 0, 0, 0,        \
      "node_modules folder to serve the dashboard's libraries from under /vendor/ (a fixed "       \
      "whitelist of files). Empty: the vendor/ folder of the dashboard (copied at build time).")   \
    X(UI_SETUP_DONE, "ui.setup_done", NULL, BOOL, "false", 0, 0, CONFIG_LIVE,                      \
      "Whether the dashboard's first-run setup wizard was completed; the wizard sets it.")         \
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
    X(DISC_REQUEST_BUDGET, "discovery.request_budget", NULL, INT, "0", 0, 100000000, 0,            \
      "Most Helius requests one chain crawl (`discover --chain`) may send, retries included; "     \
      "0 for no limit. The crawl stops cleanly at it and resumes later.")                          \
    X(DISC_BACKFILL_DAYS, "discovery.backfill_days", NULL, INT, "30", 1, 3650, 0,                  \
      "Days of history the chain crawl loads for each qualifying early buyer.")                    \
    X(DISC_CHAIN_CRAWL, "discovery.chain_crawl", NULL, BOOL, "true", 0, 0, 0,                      \
      "With helius.api_key set, every scheduled discovery in `serve` first crawls the chain "      \
      "(graduations, token histories, early buyers' backfill; as `discover --chain`) within "      \
      "discovery.request_budget.")                                                                 \
    X(DISC_GRADUATION_HOURS, "discovery.graduation_hours", NULL, INT, "72", 0, 87600, 0,           \
      "The chain crawl lists pump.fun graduations this many hours back from the newest one and "   \
      "crawls each graduated token; 0 for none (only --tokens FILE).")                             \
    X(DISC_MIGRATION_ACCOUNT, "discovery.migration_account", NULL, STRING,                         \
      "39azUYFWPz3VHgKCf3VChUwbpURdCHRxjWVowf5jUJjg", 0, 0, 0,                                     \
      "pump.fun's migration account: the fee payer of every graduation, whose history the "        \
      "crawl lists.")                                                                              \
    /* --- discovery: the crawl's DexScreener source (issue 16) ------------------------ */        \
    X(DISC_DEX_QUERIES, "discovery.dexscreener_queries", NULL, STRING, "", 0, 0, 0,                \
      "Search terms, comma-separated, the chain crawl asks DexScreener for (GET "                  \
      "/latest/dex/search, one request each); the Solana tokens of the answers that pass "         \
      "discovery's success rules on DexScreener's numbers (docs/intelligence.md) are crawled. "    \
      "Empty: this source is off.")                                                                \
    X(DISC_DEX_MIN_MULTIPLE, "discovery.dexscreener_min_multiple", NULL, DOUBLE, "0", 0, 1000000,  \
      0,                                                                                           \
      "The multiple of its launch market cap a DexScreener token's market cap must be now "        \
      "(0: discovery.min_multiple). Today's multiple is a lower bound of the peak's: set it "      \
      "lower to also find winners that peaked and faded.")                                         \
    X(DISC_DEX_MIN_LIQUIDITY, "discovery.dexscreener_min_liquidity_usd", NULL, DOUBLE, "10000", 0, \
      1e15, 0, "A DexScreener token is a winner only with at least this much liquidity (USD).")    \
    X(DISC_DEX_MAX_AGE_H, "discovery.dexscreener_max_age_hours", NULL, INT, "72", 0, 87600, 0,     \
      "... and a pair created at most this many hours before the newest block the crawl saw "      \
      "(0: any age).")                                                                             \
    X(DISC_DEX_RPS, "discovery.dexscreener_rps", NULL, DOUBLE, "4", 0, 1000, 0,                    \
      "DexScreener requests per second of the chain crawl (DexScreener allows 300 a minute on "    \
      "these endpoints); they count in discovery.request_budget.")                                 \
    X(DISC_RPC_RPS, "discovery.rpc_rps", NULL, DOUBLE, "10", 0, 10000, 0,                          \
      "Solana RPC requests per second of the chain crawl when it runs on rpc.urls alone (no "      \
      "helius.api_key: getSignaturesForAddress and one getTransaction a transaction); they "       \
      "count in discovery.request_budget.")                                                        \
    X(DISC_TOKEN_WINDOW_H, "discovery.token_window_hours", NULL, INT, "0", 0, 87600, 0,            \
      "On the RPC-only crawl: page a token's signatures to its creation first (1,000 a request) "  \
      "and fetch only the transactions of its first this many hours; 0: its whole history.")       \
    /* --- metrics --------------------------------------------------------------------- */        \
    X(METRICS_MIN_TRADES, "metrics.min_trades", NULL, INT, "5", 1, 1000000, 0,                     \
      "Closed round trips a wallet needs before its win rate is shown (below: null in the API, "   \
      "n/a on the dashboard; docs/metrics.md).")                                                   \
    X(METRICS_MIN_DAYS, "metrics.min_days", NULL, INT, "7", 1, 100000, 0,                          \
      "Active days (UTC days with a closed round trip) a wallet needs before its Sharpe, "         \
      "Sortino and volatility are shown (below: null / n/a; docs/metrics.md).")                    \
    X(COPIER_POOL_SOL, "copier.pool_sol", NULL, DOUBLE, "30", 0.001, 1e12, 0,                      \
      "SOL reserve of the pool the copier expectancy trades against (docs/metrics.md, \"Copier "   \
      "expectancy\"); size, latency and fees come from trade.* and paper.*.")                      \
    /* --- score (issue 19, item 3) ------------------------------------------------------ */      \
    X(SCORE_MODE, "score.mode", NULL, STRING, "model", 0, 0, 0,                                    \
      "How discovery ranks its eligible candidates: rules (the smart-money score), model (the "    \
      "learned score of `walltrack model train`) or blend (both, score.blend_weight the model's "  \
      "share). Without a model file the rules are used and a warning is logged. Default model: "   \
      "it beat the rules on precision and copier expectancy on held-out simulated markets "        \
      "(docs/intelligence.md).")                                                                   \
    X(SCORE_BLEND_WEIGHT, "score.blend_weight", NULL, DOUBLE, "0.5", 0, 1, 0,                      \
      "With score.mode blend: the model's share of the score discovery ranks by (0: the rules "    \
      "only, 1: the model only).")                                                                 \
    X(SCORE_MODEL_FILE, "score.model_file", NULL, STRING, "", 0, 0, 0,                             \
      "The model file score.mode model or blend uses; empty for the newest "                       \
      "<data.dir>/models/score-vN.json, read at each discovery run.")                              \
    X(SCORE_MIN_OPERATOR_TRADES, "score.min_operator_trades", NULL, INT, "200", 1, 1000000000, 0,  \
      "`walltrack model train` adds the operator's own closed trades (paper and live) to the "     \
      "simulated rows when at least this many have a followed wallet with 3 round trips "          \
      "before them; fewer are too noisy against thousands of simulated rows.")                     \
    /* --- graph ----------------------------------------------------------------------- */        \
    X(GRAPH_INTERVAL_MIN, "graph.interval_min", NULL, INT, "60", 0, 10080, 0,                      \
      "Minutes between scheduled rebuilds of the wallet graph and its clusters inside "            \
      "`serve` (edges from the stored swaps and transfers of graph.window_days, Leiden, stable "   \
      "ids); 0 turns the schedule off.")                                                           \
    X(GRAPH_ON_START, "graph.on_start", NULL, BOOL, "false", 0, 0, 0,                              \
      "Also rebuild the graph as soon as `serve` starts, instead of after the first "              \
      "interval.")                                                                                 \
    X(GRAPH_LIVE_S, "graph.live_s", NULL, INT, "10", 0, 3600, 0,                                   \
      "Seconds between writes of the edges kept current from the event stream inside "             \
      "`serve` (FUNDED_BY, SWEEP, SYNCED_BUY, CO_EARLY as events arrive; clusters still at the "   \
      "rebuilds); 0: edges change only at rebuilds (and `serve` does not hold the events in "      \
      "memory).")                                                                                  \
    X(GRAPH_WINDOW_DAYS, "graph.window_days", NULL, INT, "180", 0, 36500, 0,                       \
      "Days of history the wallet graph is built from: its edges come from the swaps and "         \
      "transfers since midnight UTC that many days before the day of the latest stored swap, "     \
      "and `serve` forgets older events once a day (memory bounded by the window, not the "        \
      "history); 0: every stored event, and memory grows with them.")                              \
    X(GRAPH_FUND_MIN_SOL, "graph.fund_min_sol", NULL, DOUBLE, "0.1", 0, 1e9, 0,                    \
      "FUNDED_BY: smallest SOL transfer that counts as funding (token transfers count at "         \
      "any amount). Below it are dust and fee refills, which link unrelated wallets.")             \
    X(GRAPH_FUND_WINDOW_MIN, "graph.fund_window_min", NULL, INT, "60", 0, 100000, 0,               \
      "FUNDED_BY: a transfer after the wallet's first trade still counts when the wallet "         \
      "buys within this many minutes of it (an operator arming a wallet for the next "             \
      "launch).")                                                                                  \
    X(GRAPH_HUB_FANOUT, "graph.hub_fanout", NULL, INT, "25", 1, 100000000, 0,                      \
      "A wallet that sent to more than this many distinct wallets is a hub (exchange, "            \
      "bridge, payout bot) and never a funder or sweep target: a team arms tens of wallets, "      \
      "an exchange thousands.")                                                                    \
    X(GRAPH_HUBS, "graph.hubs", NULL, STRING, "", 0, 0, 0,                                         \
      "Known hubs (exchanges, bridges), comma-separated addresses: never funders or sweep "        \
      "targets, whatever their fan-out.")                                                          \
    X(GRAPH_SWEEP_MIN_SOL, "graph.sweep_min_sol", NULL, DOUBLE, "0.1", 0, 1e9, 0,                  \
      "SWEEP: smallest SOL transfer back to an earlier sender, after trading, that counts "        \
      "as a sweep.")                                                                               \
    X(GRAPH_SYNC_SECONDS, "graph.sync_seconds", NULL, DOUBLE, "5", 0, 86400, 0,                    \
      "SYNCED_BUY: two first buys of one mint at most this many seconds apart are "                \
      "synchronized. Scripted clusters buy within 4-40 ms of a launch (0.4-4 s on the bull "       \
      "preset); human followers take longer.")                                                     \
    X(GRAPH_SYNC_MIN, "graph.sync_min", NULL, INT, "2", 1, 1000000, 0,                             \
      "SYNCED_BUY: synchronized mints a pair needs; one coincidence on a busy launch is not "      \
      "a relationship.")                                                                           \
    X(GRAPH_SYNC_JACCARD, "graph.sync_min_jaccard", NULL, DOUBLE, "0.3", 0, 1, 0,                  \
      "SYNCED_BUY: synchronized mints over all mints either wallet bought, at least this; "        \
      "snipers and bots sync with everyone on a few of their many buys and stay below it.")        \
    X(GRAPH_EARLY_BUYERS, "graph.early_buyers", NULL, INT, "10", 1, 1000000, 0,                    \
      "CO_EARLY: the first this many distinct buyers of a mint are its early buyers.")             \
    X(GRAPH_EARLY_MIN, "graph.early_min", NULL, INT, "2", 1, 1000000, 0,                           \
      "CO_EARLY: common early mints a pair needs.")                                                \
    X(GRAPH_EARLY_JACCARD, "graph.early_jaccard", NULL, DOUBLE, "0.5", 0, 1, 0,                    \
      "CO_EARLY: Jaccard index of the two wallets' early-mint sets, at least this (snipers "       \
      "are early everywhere, with everyone, and stay below it).")                                  \
    X(GRAPH_W_FUNDED, "graph.weight_funded", NULL, DOUBLE, "1", 0, 100, 0,                         \
      "Weight of a FUNDED_BY edge in the clustering graph.")                                       \
    X(GRAPH_W_SWEEP, "graph.weight_sweep", NULL, DOUBLE, "1", 0, 100, 0,                           \
      "Weight of a SWEEP edge in the clustering graph.")                                           \
    X(GRAPH_W_SYNCED, "graph.weight_synced", NULL, DOUBLE, "1", 0, 100, 0,                         \
      "Weight of a SYNCED_BUY edge (times its Jaccard index) in the clustering graph.")            \
    X(GRAPH_W_EARLY, "graph.weight_early", NULL, DOUBLE, "1", 0, 100, 0,                           \
      "Weight of a CO_EARLY edge (times its Jaccard index) in the clustering graph.")              \
    X(GRAPH_RESOLUTION, "graph.resolution", NULL, DOUBLE, "1", 0.001, 1000, 0,                     \
      "Leiden resolution (modularity): higher splits into more, smaller clusters.")                \
    X(GRAPH_MIN_SIZE, "graph.min_cluster", NULL, INT, "2", 2, 1000000, 0,                          \
      "Smallest cluster kept.")                                                                    \
    X(GRAPH_MATCH_OVERLAP, "graph.match_overlap", NULL, DOUBLE, "0.5", 0, 1, 0,                    \
      "A rebuilt cluster keeps a previous cluster's id (and blacklist) when the Jaccard "          \
      "overlap of their members is at least this.")                                                \
    /* --- engine ---------------------------------------------------------------------- */        \
    X(ENGINE_TICK_MS, "engine.tick_ms", NULL, INT, "1000", 10, 60000, 0,                           \
      "Timer tick of the trading engine, in ms: time-based exits, breakers and paper latency run " \
      "on it.")                                                                                    \
    X(ENGINE_QUEUE, "engine.queue_size", NULL, INT, "65536", 1024, 16777216, 0,                    \
      "Events the engine's queue holds before the inbox waits for it.")                            \
    X(ENGINE_WARMUP, "engine.warmup", NULL, BOOL, "true", 0, 0, 0,                                 \
      "At start, replay the stored swaps into the engine's wallet intelligence before taking new " \
      "events.")                                                                                   \
    /* --- engine warm-up in the background (restart time independent of history) ----- */         \
    X(ENGINE_WARMUP_BG, "engine.warmup_background", NULL, BOOL, "true", 0, 0, 0,                   \
      "Warm up after the server listens: deliveries are acknowledged and stored at once, the "     \
      "engine replays what was stored before the start, then handles what came meanwhile, in "     \
      "order; until then its routes answer 503 with the progress (GET /v1/status).")               \
    X(ENGINE_WARMUP_BACKLOG, "engine.warmup_backlog", NULL, INT, "262144", 1024, 67108864, 0,      \
      "Events held in memory for the engine while it warms up in the background (304 bytes "       \
      "each: 80 MB at the default); past it the webhook waits, as on a full engine queue.")        \
    X(ENGINE_WARMUP_HOLD, "engine.warmup_hold_file", NULL, STRING, "", 0, 0, 0,                    \
      "While this file exists, the background warm-up waits before it starts (for tests and "      \
      "drills of a long warm-up). Empty: never waits.")                                            \
    X(ENGINE_MARKS_FULL_DAYS, "engine.equity_marks_full_days", NULL, INT, "30", 0, 3650, 0,        \
      "Keep the mark-to-market equity samples (one a minute) of this many recent days whole; "     \
      "older hours keep only their lowest and highest sample (a daily job in `serve`). 0: keep "   \
      "every sample.")                                                                             \
    X(ENGINE_JOURNAL, "engine.journal", NULL, BOOL, "true", 0, 0, 0,                               \
      "Record the engine's inputs besides the stored events (ticks, commands, setting changes, "   \
      "the order of events) so that `backtest run --as-recorded` replays a window exactly.")       \
    /* --- signal ---------------------------------------------------------------------- */        \
    X(SIG_W_WALLET, "signal.weight_wallet", NULL, DOUBLE, "0.30", 0, 1, CONFIG_LIVE,               \
      "Weight of the wallet factor (score, recent form, our results copying it).")                 \
    X(SIG_W_CLUSTER, "signal.weight_cluster", NULL, DOUBLE, "0.25", 0, 1, CONFIG_LIVE,             \
      "Weight of the cluster factor (one vote per cluster, amplification by distinct clusters "    \
      "or a leader's members, the insider rule; docs/engine.md).")                                 \
    X(SIG_W_TOKEN, "signal.weight_token", NULL, DOUBLE, "0.25", 0, 1, CONFIG_LIVE,                 \
      "Weight of the token factor (age, liquidity, market cap, holders, move since the wallet's "  \
      "entry).")                                                                                   \
    X(SIG_W_CONTEXT, "signal.weight_context", NULL, DOUBLE, "0.20", 0, 1, CONFIG_LIVE,             \
      "Weight of the context factor (hour of day, recent win rate, open exposure).")               \
    X(SIG_THRESHOLD, "signal.threshold", NULL, DOUBLE, "0.70", 0, 1, CONFIG_LIVE,                  \
      "Minimum signal score to trade.")                                                            \
    X(SIG_MIN_LIQ, "signal.min_liquidity_sol", NULL, DOUBLE, "5", 0, 1000000, CONFIG_LIVE,         \
      "Token gate: no trade below this pool liquidity (SOL side).")                                \
    X(SIG_MAX_MOVE, "signal.max_move", NULL, DOUBLE, "1.0", 0, 1000, CONFIG_LIVE,                  \
      "Token gate: no trade when the price is already up more than this since the wallet's entry " \
      "(1.0 = 2x).")                                                                               \
    X(SIG_MAX_AGE, "signal.max_age_hours", NULL, DOUBLE, "0", 0, 100000, CONFIG_LIVE,              \
      "Token gate: no trade on tokens older than this many hours (0: no limit).")                  \
    X(SIG_TOKEN_WAIT, "signal.token_wait_ms", NULL, INT, "0", 0, 60000, CONFIG_LIVE,               \
      "How long a signal may wait for a price feed's token facts (liquidity, market cap, pool "    \
      "age) before it is scored with what the engine knows, in ms of event time (0: score at "     \
      "once). `serve` uses 1500 when DexScreener is on and this is not set.")                      \
    X(SIG_CLUSTER_WINDOW, "signal.cluster_window_min", NULL, INT, "30", 0, 10080, CONFIG_LIVE,     \
      "Cluster factor: buys of the same token by watched wallets within this many minutes "        \
      "count as moving together (owners, a leader followed by its members).")                      \
    X(SIG_CLUSTER_INSIDER, "signal.cluster_insider", NULL, STRING, "gate", 0, 0, CONFIG_LIVE,      \
      "A buy by the cluster that created the token (its first trade): gate (never traded, "        \
      "reason token_gate_failed, gate insider) or penalty (cluster factor 0 and the score times "  \
      "signal.insider_penalty).")                                                                  \
    X(SIG_INSIDER_PENALTY, "signal.insider_penalty", NULL, DOUBLE, "0.5", 0, 1, CONFIG_LIVE,       \
      "With signal.cluster_insider = penalty: the score of an insider signal is multiplied by "    \
      "this.")                                                                                     \
    /* --- trade ----------------------------------------------------------------------- */        \
    X(TRADE_CAPITAL, "trade.paper_capital_sol", NULL, DOUBLE, "10", 0.001, 1000000000, 0,          \
      "Starting capital of a fresh paper account, in SOL.")                                        \
    X(TRADE_RISK, "trade.risk_per_trade", NULL, DOUBLE, "0.02", 0.0001, 1, CONFIG_LIVE,            \
      "Base position size as a fraction of equity.")                                               \
    X(TRADE_HIGH_SCORE, "trade.high_score", NULL, DOUBLE, "0.85", 0, 1, CONFIG_LIVE,               \
      "Signals scoring at least this buy high_multiplier x the base size.")                        \
    X(TRADE_HIGH_MULT, "trade.high_multiplier", NULL, DOUBLE, "1.5", 1, 10, CONFIG_LIVE,           \
      "Size multiplier of high-score signals.")                                                    \
    X(TRADE_REDUCED, "trade.reduced_factor", NULL, DOUBLE, "0.5", 0.01, 1, CONFIG_LIVE,            \
      "Size multiplier while the loss-streak breaker is active.")                                  \
    X(TRADE_MAX_POS, "trade.max_positions", NULL, INT, "10", 1, 1000, CONFIG_LIVE,                 \
      "Maximum concurrent open positions.")                                                        \
    X(TRADE_MAX_TOKEN, "trade.max_token_exposure_sol", NULL, DOUBLE, "0.5", 0, 1000000000,         \
      CONFIG_LIVE, "Maximum cost in one token, in SOL (0: no cap).")                               \
    X(TRADE_MAX_EXPOSURE, "trade.max_exposure", NULL, DOUBLE, "0.5", 0.01, 1, CONFIG_LIVE,         \
      "Maximum share of equity in open positions and pending buys.")                               \
    X(TRADE_MIN_ORDER, "trade.min_order_sol", NULL, DOUBLE, "0.001", 0, 1000000, CONFIG_LIVE,      \
      "Smallest order sent, in SOL.")                                                              \
    X(TRADE_SLIPPAGE, "trade.slippage_bps", NULL, INT, "300", 1, 9999, CONFIG_LIVE,                \
      "Slippage tolerance of every order, in basis points.")                                       \
    X(TRADE_STRATEGY, "trade.default_strategy", NULL, STRING, "default", 0, 0, CONFIG_LIVE,        \
      "Exit strategy of new positions: default, runner or one created through the API "            \
      "(docs/exits.md).")                                                                          \
    X(TRADE_EXIT_OVERRIDES, "trade.exit_overrides", NULL, STRING, "0.85:runner", 0, 0,             \
      CONFIG_LIVE,                                                                                 \
      "Score-based exit strategies: SCORE:NAME pairs, comma-separated; a signal takes the "        \
      "strategy of the highest score it reaches, else trade.default_strategy. Empty: none.")       \
    /* --- breakers -------------------------------------------------------------------- */        \
    X(BRK_DRAWDOWN, "breakers.max_drawdown", NULL, DOUBLE, "0.20", 0.001, 0.999, CONFIG_LIVE,      \
      "Drawdown from peak equity above which entries pause.")                                      \
    X(BRK_WIN_RATE, "breakers.min_win_rate", NULL, DOUBLE, "0", 0, 1, CONFIG_LIVE,                 \
      "Win rate over the window below which trading halts (0: off; the documents' rule is "        \
      "0.40).")                                                                                    \
    X(BRK_PROFIT_FACTOR, "breakers.min_profit_factor", NULL, DOUBLE, "1.0", 0, 100, CONFIG_LIVE,   \
      "Profit factor (gross wins / gross losses) over the window below which trading halts (0: "   \
      "off; 1.0: the window lost money after costs).")                                             \
    X(BRK_WINDOW, "breakers.win_rate_window", NULL, INT, "50", 1, 1000, CONFIG_LIVE,               \
      "Closed trades in the window of the performance breaker (it judges only a full window).")    \
    X(BRK_LOSS_STREAK, "breakers.max_loss_streak", NULL, INT, "3", 1, 1000, CONFIG_LIVE,           \
      "Consecutive stop-loss exits that halve the position size.")                                 \
    X(BRK_RECOVERY, "breakers.recovery_wins", NULL, INT, "2", 0, 1000, CONFIG_LIVE,                \
      "Consecutive wins that restore the full size (0: operator reset only).")                     \
    X(BRK_SILENCE, "breakers.silence_hours", NULL, DOUBLE, "48", 0.001, 100000, CONFIG_LIVE,       \
      "Hours without a signal before a health alert.")                                             \
    /* --- paper ----------------------------------------------------------------------- */        \
    X(PAPER_LATENCY_MS, "paper.latency_ms", NULL, INT, "2000", 0, 600000, 0,                       \
      "Paper fills use the price this many ms after the signal.")                                  \
    X(PAPER_LATENCY_MAX_MS, "paper.latency_max_ms", NULL, INT, "0", 0, 600000, 0,                  \
      "When above paper.latency_ms: each paper order waits paper.latency_ms plus a whole number "  \
      "of 400 ms slots up to this, drawn from the order id (400 and 1200: 1-3 slots).")            \
    X(PAPER_DEX_FEE_BPS, "paper.dex_fee_bps", NULL, INT, "25", 0, 9999, 0,                         \
      "DEX fee of paper fills, in basis points of the input.")                                     \
    X(PAPER_NETWORK_FEE, "paper.network_fee_lamports", NULL, INT, "5000", 0, 100000000, 0,         \
      "Network fee of each paper transaction, in lamports.")                                       \
    X(PAPER_PRIORITY_FEE, "paper.priority_fee_lamports", NULL, INT, "100000", 0, 1000000000, 0,    \
      "Priority fee of each paper transaction, in lamports.")                                      \
    X(PAPER_TIP, "paper.tip_lamports", NULL, INT, "0", 0, 1000000000, 0,                           \
      "Jito tip of each paper transaction that succeeds, in lamports (0: none, as the live "       \
      "executor sends none). A failed transaction pays no tip: the transfer is reverted.")         \
    X(PAPER_FAIL_RATE, "paper.fail_rate", NULL, DOUBLE, "0.05", 0, 1, 0,                           \
      "Fraction of paper transactions that fail on chain (chosen: 5%; not published for copy "     \
      "bots). A failed one pays base and priority fees and moves nothing; drawn from the order "   \
      "id, so replays fail the same orders.")                                                      \
    X(MARKET_SOL_USD, "market.sol_usd", NULL, DOUBLE, "150", 0.01, 1000000, 0,                     \
      "SOL price in USD used to read USD liquidity and market caps.")                              \
    /* --- backtest -------------------------------------------------------------------- */        \
    X(BT_WARMUP_DAYS, "backtest.warmup_days", NULL, INT, "7", 0, 3650, 0,                          \
      "Days of stored swaps before a backtest's --from that warm its wallet intelligence and "     \
      "market state (as `serve` warms at start) without trading.")                                 \
    X(BT_MAX_GRID, "backtest.max_grid_points", NULL, INT, "500", 1, 1000000, 0,                    \
      "Largest grid search accepted: a grid with more parameter combinations is refused before "   \
      "anything runs.")                                                                            \
    X(BT_THREADS, "backtest.threads", NULL, INT, "0", 0, 1024, 0,                                  \
      "Threads of a batch or grid search (each runs whole scenarios; engines share nothing); 0: "  \
      "one per core.")                                                                             \
    X(BT_FOLDS, "backtest.folds", NULL, INT, "3", 1, 20, 0,                                        \
      "Walk-forward folds of a grid search: each fold chooses on its first part and reports on "   \
      "the held-out rest.")                                                                        \
    X(BT_MAX_JOBS, "backtest.max_jobs", NULL, INT, "1", 1, 16, 0,                                  \
      "Backtest jobs (POST /v1/backtests) the daemon runs at once; one more is refused with 429 "  \
      "until one ends. Each may use backtest.threads threads.")                                    \
    /* --- end ------------------------------------------------------------------------- */

/* Settings that take one word of a fixed list: Y(ID, "word,word,..."). The
 * value is matched regardless of case and kept as the list spells it;
 * anything else is refused wherever it comes from (file, environment,
 * command line, PUT /v1/config, the database at start). */
#define CONFIG_CHOICES(Y)                                                                          \
    Y(LOG_LEVEL, "debug,info,warn,error,off")                                                      \
    Y(ALERT_MIN_SEVERITY, "info,warn,critical")                                                    \
    Y(SIG_CLUSTER_INSIDER, "gate,penalty")                                                         \
    Y(SCORE_MODE, "rules,model,blend")

#endif
