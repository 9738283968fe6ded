/* The store: everything walltrack keeps on disk, behind one interface.
 *
 * Two backends implement it (DESIGN §6): SQLite (the default, a file
 * `walltrack.db` in the data folder) and PostgreSQL through libpq for shared
 * deployments. store_open() picks one from its argument. Both pass the same
 * test suite (tests/unit/test_store.c) and behave the same for every
 * function below; where a backend differs (u64 representation, bulk path)
 * the difference is invisible to callers.
 *
 * Threads: a struct store may be used from any number of threads at once.
 * Writes go through one writer connection (serialised by the store); reads
 * check out one of a small pool of reader connections, so a reader never
 * waits for a writer (SQLite WAL, PostgreSQL MVCC). Every write function is
 * one transaction: it is applied whole or not at all.
 *
 * Conventions: times are Unix milliseconds (int64_t, 0 = unknown/never);
 * amounts are u64 base units, stored losslessly up to UINT64_MAX; row ids
 * are int64_t > 0 given by the database. Functions return 0 or a negative
 * WT_E* code (base/err.h); the database's own message is logged once under
 * the "store" subsystem. Bad input (WT_EINVAL) changes nothing.
 *
 * See docs/internals/store.md for the tables, indexes and migrations. */
#ifndef WT_STORE_STORE_H
#define WT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "event/event.h"
#include "solana/base58.h"

struct store;

/* ---------------------------------------------------------------- open */

struct store_opts {
    unsigned readers;         /* reader connections in the pool (0: 4) */
    bool no_migrate;          /* true: do not apply pending migrations at open
                                 (the schema must already be current, else
                                 WT_ESTATE), and never create the database: a
                                 SQLite file that does not exist is
                                 WT_ENOTFOUND; used by `db check` */
    unsigned busy_timeout_ms; /* SQLite: wait this long for a lock (0: 5000) */
    /* SQLite durability. false (the default): synchronous=FULL, every
     * commit's WAL frames are fsync'd before the commit returns, so an
     * acknowledged write survives a power cut or kernel crash. true:
     * synchronous=NORMAL, the WAL is synced only at checkpoints; a commit
     * survives a crash of the process, not of the machine. */
    bool sync_relaxed;
    /* SQLite: the WAL bound in bytes (0: 64 MiB). The checkpointer copies
     * the WAL back into the database every 250 ms; when the WAL file is
     * larger than this it runs a TRUNCATE checkpoint, which makes writers
     * wait until it is done, so the WAL cannot outgrow the bound by more
     * than what is written while one checkpoint runs. */
    uint64_t wal_max_bytes;
    /* SQLite: true refuses to create a missing database file (WT_ENOTFOUND);
     * `db check` uses it so that a wrong path never leaves a new file. */
    bool no_create;
    /* SQLite: the VFS to open the files through (NULL: the default). The
     * tests use it to simulate a power cut. */
    const char *vfs;
};

/* What names a database: a "postgresql://" or "postgres://" URL (libpq's
 * URL syntax, the password percent-encoded), or a SQLite file path (an
 * existing directory means "<dir>/walltrack.db"). Anything else is refused
 * with WT_EINVAL: another scheme ("sqlite://", "http://"), a libpq
 * keyword/value string ("host=... password=...", which would otherwise be
 * taken as a file name), a malformed URL. *has_password (may be NULL) is set
 * when a URL carries a password (in the user part or as ?password=). The
 * message in err never quotes the argument (it may hold a password). */
int store_url_validate(const char *url_or_path, bool *has_password, char *err, size_t errsize);

/* Opens a store named as store_url_validate accepts (checked first). `opts`
 * may be NULL for the defaults. Unless opts->no_migrate, pending migrations
 * are applied (each in its own transaction).
 * Returns 0 and *out (close it with store_close), or WT_EVERSION when the
 * database was written by a newer walltrack (the message in err says which
 * versions), WT_ESTORE / WT_EIO when it cannot be opened, WT_EINVAL for an
 * empty argument. On failure err (errsize bytes, may be NULL) holds a
 * one-line explanation and *out is NULL. Any thread. */
int store_open(const char *url_or_path, const struct store_opts *opts, struct store **out,
               char *err, size_t errsize);

/* Closes every connection and frees the store. No call may be running on
 * it. NULL is allowed. */
void store_close(struct store *st);

/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *st);

/* The schema version this build writes (the number of the last migration
 * of the store's backend). */
int store_schema_latest(const struct store *st);
/* Reads the schema version recorded in the database. Returns 0 or
 * WT_ESTORE. */
int store_schema_version(struct store *st, int *out);
/* Applies pending migrations (store_open already does this unless told
 * not to). *applied (may be NULL) receives how many were applied. Returns
 * 0, WT_EVERSION for a database from a newer version, WT_ESTORE. */
int store_migrate(struct store *st, int *applied);

/* Verifies the database: SQLite `PRAGMA integrity_check`, PostgreSQL a
 * query on every table; and that the schema version is current. Writes a
 * human-readable summary into msg. Returns 0 when healthy, WT_ESTORE when
 * corrupt or unreachable, WT_ESTATE when migrations are pending,
 * WT_EVERSION when the database is newer than this build. */
int store_verify(struct store *st, char *msg, size_t msgsize);

/* Writes a consistent copy of the database to `path` while the store stays
 * usable (SQLite online backup API, in steps so writers are not starved).
 * PostgreSQL: runs `pg_dump --format=custom` when it is installed, else
 * returns WT_EUNSUPPORTED with the command to run in msg. `path` must not
 * exist (WT_EEXIST). Returns 0, WT_EIO, WT_ESTORE. Any thread. */
int store_backup(struct store *st, const char *path, char *msg, size_t msgsize);

/* ---------------------------------------------------------------- health */

#define STORE_HEALTH_ERR_MAX 256

/* What the store knows of its own health, for /healthz and /v1/status.
 * Kept up to date by every write and, on PostgreSQL, every connection
 * attempt; reading it does no I/O. */
struct store_health {
    bool ok;                          /* reachable, and no write failed since the last commit */
    bool reachable;                   /* false while the database cannot be reached
                                         (PostgreSQL: a connection broke or an attempt to
                                         connect failed, and none succeeded since) */
    int64_t last_commit_ms;           /* wall time of the last committed write (0: none yet) */
    int64_t last_failure_ms;          /* wall time of the last failed write or connection
                                         attempt (0: none) */
    char error[STORE_HEALTH_ERR_MAX]; /* that failure in one line, without secrets
                                         ("" when none) */
};

/* Fills *out. Returns 0 when out->ok, else WT_ESTORE. Any thread; never
 * blocks on the database. */
int store_health(struct store *st, struct store_health *out);

/* ---------------------------------------------------------------- events */

/* How many rows one append inserted and how many it skipped because the
 * same (signature, leg) — for prices (mint, ts, source) — was already
 * stored. */
struct store_append_stats {
    size_t swaps, swaps_dup;
    size_t transfers, transfers_dup;
    size_t prices, prices_dup;
};

/* A transaction the decoder skipped (ingest/skip.h), kept in skipped_txs
 * so that what arrived and was not stored can be found again. */
#define STORE_SKIP_SIG_MAX    89 /* base58 of 64 bytes and a NUL */
#define STORE_SKIP_DETAIL_MAX 96
struct store_skip {
    char sig[STORE_SKIP_SIG_MAX]; /* as sent, "" when missing */
    const char *reason;           /* skip_reason_name: a static string */
    char detail[STORE_SKIP_DETAIL_MAX];
    uint64_t slot; /* as claimed (may be out of range: that can be the reason) */
    int64_t ts_ms; /* as claimed */
    int64_t received_ms;
};

/* One submitter's batch inside a multi-batch append. */
struct store_batch {
    const struct event *ev;
    size_t n;
    const struct store_skip *skips; /* optional: recorded in the same transaction */
    size_t n_skips;
    struct store_append_stats stats; /* filled by the append */
    uint8_t *inserted; /* optional, n entries: set to 1 for each event newly stored and 0
                          for a duplicate (all 0 when the append fails) */
};

/* Appends swaps, transfers and prices in one transaction. Idempotent:
 * re-appending an event with the same key inserts nothing and counts it as
 * a duplicate. `out` may be NULL. Events are validated first (a swap with a
 * zero token amount, an unknown kind or side): WT_EINVAL and nothing is
 * written. Returns 0, WT_EINVAL, WT_ESTORE (nothing written). Any thread;
 * writers are serialised. */
int store_append_events(struct store *st, const struct event *ev, size_t n,
                        struct store_append_stats *out);
/* Whether the appends would take e (the check they run first; the group
 * commit runs it on each batch before the batch joins a transaction). */
bool store_event_valid(const struct event *e);
/* The same for several batches at once, all in ONE transaction (the group
 * commit's path). Each batch's stats are filled separately. All or
 * nothing. */
int store_append_batches(struct store *st, struct store_batch *b, size_t nb);

/* Whether every skip record of b is printable ASCII text (the append
 * refuses the batch otherwise; the group commit checks it first). */
bool store_batch_skips_valid(const struct store_batch *b);
/* Deletes skip records received before before_ms, then all but the newest
 * keep_max (0: no count bound). Returns 0 or WT_ESTORE. */
int store_skips_prune(struct store *st, int64_t before_ms, int64_t keep_max);
/* Number of skip records, and the newest one's signature and reason
 * (sig/reason may be NULL; "" when there is none). */
int store_skips_count(struct store *st, int64_t *n, char *sig, size_t sigsize, char *reason,
                      size_t reasonsize);

/* A stored swap with its row id (the insertion order, a tie breaker). */
struct stored_swap {
    int64_t id;
    struct swap_event swap;
};

/* Keyset cursor for time-ordered reads: rows after (ts_ms, id). Start with
 * {INT64_MIN, 0}; each page's last row is the next cursor. */
struct swap_cursor {
    int64_t ts_ms;
    int64_t id;
};

/* Reads up to `cap` swaps of `wallet` ordered by (ts_ms, id), strictly after
 * *cur, into out[]; *n receives the count and *cur moves to the last row.
 * Fewer than cap rows means the end. Returns 0 or WT_ESTORE. Index-backed
 * (swaps_wallet_ts). Any thread. */
int store_swaps_by_wallet(struct store *st, const struct pubkey *wallet, struct swap_cursor *cur,
                          struct stored_swap *out, size_t cap, size_t *n);

/* Calls fn for every swap with from_ms <= ts_ms < to_ms in (ts_ms, id)
 * order (the replay order of backtests). Rows are fetched in pages and no
 * connection is held while fn runs, so fn may call the store. fn returns 0
 * to continue or a nonzero value to stop; that value is returned. Returns 0,
 * fn's value, or WT_ESTORE. */
int store_swaps_scan(struct store *st, int64_t from_ms, int64_t to_ms,
                     int (*fn)(void *ctx, const struct stored_swap *s), void *ctx);

/* The latest swap of a mint (largest (ts_ms, id)): its price is the mint's
 * last traded price. Returns 0, WT_ENOTFOUND (never traded), WT_ESTORE.
 * Two key lookups: the append keeps each mint's latest swap in
 * swap_mint_last (migration 18), in the same transaction. Any thread. */
int store_swap_last_of_mint(struct store *st, const struct pubkey *mint, struct stored_swap *out);

/* Number of rows in the swaps / transfers / prices tables. */
int store_count_events(struct store *st, int64_t *swaps, int64_t *transfers, int64_t *prices);

/* Thins the mark-to-market samples (equity_marks) of mode older than
 * before_ms, from from_ms on: in each bucket of bucket_ms (buckets start at
 * multiples of it) only the sample with the lowest equity and the one with
 * the highest stay (the earliest of equal ones; one row when they are the
 * same). A maximum drawdown computed from the thinned samples is the same
 * unless it starts and ends inside one bucket whose lowest sample comes
 * before its highest. Running it again changes nothing. *deleted gets the
 * rows removed (may be NULL). Returns 0 or WT_ESTORE / WT_EINVAL. */
int store_equity_marks_thin(struct store *st, const char *mode, int64_t from_ms, int64_t before_ms,
                            int64_t bucket_ms, int64_t *deleted);

/* The database's size in bytes: SQLite's pages in use in the main file
 * (page_count * page_size: not the WAL, not the freelist's trimming),
 * PostgreSQL's pg_database_size of the connected database (every table,
 * index and TOAST file). Returns 0 or WT_ESTORE. Any thread. */
int store_db_size(struct store *st, int64_t *bytes);

/* ---------------------------------------------------------------- wallets */

/* Where a wallet stands. The engine follows the watchlist: status watch.
 * Discovery (src/intel/discovery.h) moves wallets between candidate, watch
 * and flagged; it never touches blacklisted or removed wallets, which only
 * the operator sets and clears (docs/intelligence.md, "Curation"). */
enum wallet_status {
    WALLET_WATCH = 1,       /* on the watchlist */
    WALLET_FLAGGED = 2,     /* taken off the watchlist for review (decay) */
    WALLET_BLACKLISTED = 3, /* never followed, never re-added by discovery */
    WALLET_CANDIDATE = 4,   /* profiled, not on the watchlist */
    WALLET_REMOVED = 5,     /* removed from the watchlist by the operator */
};
#define WALLET_STATUS_MAX WALLET_REMOVED

/* "watch", "flagged", "blacklisted", "candidate", "removed"; parse returns
 * 0 or WT_EINVAL. */
const char *wallet_status_name(enum wallet_status s);
int wallet_status_parse(const char *s, enum wallet_status *out);

#define WALLET_CHAIN_MAX 24
#define WALLET_NAME_MAX  64
#define WALLET_WORD_MAX  24  /* type, discovery, confidence, style, risk */
#define WALLET_JSON_MAX  512 /* preferred tokens / protocols, JSON text */

/* A smart-money wallet: identity, score, performance and behaviour (the
 * smart-money spec's smart_money_wallets row). Invariants checked by
 * store_wallet_upsert: address non-empty (a valid public key on chain
 * "solana"), chain non-empty, 0 <= score <= 100, a valid status, the two
 * preference fields empty or a JSON array. Text fields are NUL-terminated. */
struct wallet {
    char address[BASE58_KEY_MAX];
    char chain[WALLET_CHAIN_MAX]; /* "solana" */
    char name[WALLET_NAME_MAX];
    char type[WALLET_WORD_MAX];      /* whale, fund, trader, protocol, ... */
    char discovery[WALLET_WORD_MAX]; /* algorithm, manual, community */
    bool verified;
    double score;                     /* 0..100 */
    char confidence[WALLET_WORD_MAX]; /* high, medium, low */
    enum wallet_status status;
    double total_pnl; /* SOL */
    double roi;       /* ratio, 0.25 = +25 % */
    double win_rate;  /* 0..1 */
    double sharpe, sortino, max_drawdown, volatility;
    int64_t total_trades;
    double avg_trade_size; /* SOL */
    double avg_holding_days;
    int64_t last_trade_ms;
    char trading_style[WALLET_WORD_MAX];       /* scalp, day, swing, position */
    char risk_profile[WALLET_WORD_MAX];        /* conservative, moderate, aggressive */
    char preferred_tokens[WALLET_JSON_MAX];    /* JSON array text, "" = none */
    char preferred_protocols[WALLET_JSON_MAX]; /* JSON array text, "" = none */
    int64_t first_seen_ms;
    int64_t updated_ms;
    bool type_manual; /* type was set by the operator: profile runs keep it */
    /* Migration 14 (docs/metrics.md): total_pnl is realized + unrealized;
     * win_rate, sharpe, sortino, volatility and max_drawdown hold 0 unless
     * their WALLET_VALID_* bit is set in metrics_valid. */
    double realized_pnl;         /* SOL, every known-basis sell */
    double unrealized_pnl;       /* SOL, open positions at their last prices */
    int64_t unrealized_as_of_ms; /* oldest last price used; 0 none open */
    int64_t open_positions;
    double max_drawdown_sol; /* max_drawdown is this / its peak */
    int64_t active_days;     /* UTC days with a closed round trip */
    int64_t metrics_valid;   /* WALLET_VALID_* bits */
    int64_t metrics_version; /* WALLET_METRICS_VERSION when computed by this build; 0 old row */
    /* intel/similar.h: the raw behaviour vector, JSON array; "" when the
     * wallet has too few round trips */
    char behaviour_vec[WALLET_JSON_MAX];
    /* intel/copier.h: copying its buys and sells with our latency, size,
     * fees and pool slippage; 0 with copier_buys 0 */
    double copier_pnl; /* SOL */
    double copier_ev;  /* SOL per copied buy */
    int64_t copier_buys;
};

enum wallet_valid {
    WALLET_VALID_WIN_RATE = 1 << 0,
    WALLET_VALID_SHARPE = 1 << 1,
    WALLET_VALID_SORTINO = 1 << 2,
    WALLET_VALID_VOLATILITY = 1 << 3,
    WALLET_VALID_MAX_DRAWDOWN = 1 << 4,
};
/* The definitions of docs/metrics.md a wallets row was computed with:
 * rows of an older version are recomputed by the next profile run (serve
 * runs discovery at start when it finds one). */
#define WALLET_METRICS_VERSION 2

/* Inserts or replaces (by address) every field of a wallet, in one
 * transaction. first_seen_ms keeps the earliest value ever stored. Returns 0,
 * WT_EINVAL (invariants above; nothing written), WT_ESTORE. */
int store_wallet_upsert(struct store *st, const struct wallet *w);
/* Several wallets in one transaction (all or nothing). */
int store_wallet_upsert_many(struct store *st, const struct wallet *w, size_t n);
/* Inserts the wallets that are new (every field as given) and, for those
 * already stored, updates only what a profile run computes: score,
 * confidence, chain, the performance, activity and behaviour columns, the
 * type unless the operator set it (type_manual), first seen (the earliest)
 * and updated. The operator's fields (name, discovery, verified, status,
 * a manual type) are kept. One transaction, all or nothing.
 * Returns 0, WT_EINVAL (invariants of store_wallet_upsert), WT_ESTORE. */
int store_wallet_upsert_profiles(struct store *st, const struct wallet *w, size_t n);

/* The operator's fields of a wallet, for store_wallet_update_fields. */
enum wallet_field {
    WALLET_F_NAME = 1 << 0,
    WALLET_F_TYPE = 1 << 1,
    WALLET_F_VERIFIED = 1 << 2,
    WALLET_F_DISCOVERY = 1 << 3,
    WALLET_F_STATUS = 1 << 4,
};

/* Sets the fields named in `fields` (a mask of enum wallet_field) to w's
 * values and updated_ms to now_ms, in one statement, leaving every other
 * column as it is. Setting the type marks it manual (type_manual). Returns 0, WT_ENOTFOUND (no such
 * wallet), WT_EINVAL (empty mask, unterminated text, bad status), WT_ESTORE. */
int store_wallet_update_fields(struct store *st, const char *address, unsigned fields,
                               const struct wallet *w, int64_t now_ms);

/* Compare-and-set of the status: sets status `to` (and discovery to
 * set_discovery unless NULL) only if the wallet's status is `from` and,
 * when discovery_is is not NULL, its discovery method equals it. Returns 0
 * when the row changed, WT_ENOTFOUND when no row matched (absent, or its
 * status or discovery differ), WT_EINVAL, WT_ESTORE. */
int store_wallet_transition(struct store *st, const char *address, enum wallet_status from,
                            enum wallet_status to, const char *discovery_is,
                            const char *set_discovery, int64_t now_ms);

/* Sets only the status (operator blacklist / decay flag). Returns 0,
 * WT_ENOTFOUND, WT_EINVAL, WT_ESTORE. */
int store_wallet_set_status(struct store *st, const char *address, enum wallet_status s,
                            int64_t now_ms);
/* Reads one wallet by address. Returns 0, WT_ENOTFOUND, WT_ESTORE. */
int store_wallet_get(struct store *st, const char *address, struct wallet *out);

enum wallet_sort {
    WALLET_SORT_SCORE = 0,
    WALLET_SORT_ROI = 1,
    WALLET_SORT_PNL = 2,
    WALLET_SORT_TRADES = 3,
    WALLET_SORT_COPIER_EV = 4, /* copier expectancy (migration 14) */
};

#define WALLET_FILTER_CHAINS_MAX 8

/* The filters of GET /v1/smart-money/wallets. Zero-initialise, then set
 * what is wanted: nchains == 0 means any chain; has_min_score, has_verified,
 * type[0] and status (0 = any) enable the other filters. page is 1-based;
 * 1 <= limit <= 1000. Ties of the sort key are broken by address,
 * ascending, whatever the direction, so pages never overlap. */
struct wallet_filter {
    const char *chains[WALLET_FILTER_CHAINS_MAX];
    size_t nchains;
    bool has_min_score;
    double min_score;
    bool has_verified;
    bool verified;
    char type[WALLET_WORD_MAX];
    enum wallet_status status; /* 0: any */
    enum wallet_sort sort;
    bool ascending; /* false: descending (the API default) */
    uint32_t page;  /* 1-based */
    uint32_t limit;
};

/* One page of wallets and the total number of wallets matching the
 * filters. rows is owned by the page: release it with wallet_page_release. */
struct wallet_page {
    struct wallet *rows;
    size_t n;
    int64_t total;
};

/* Fills *out (overwriting it) with one page. A page past the end is empty
 * with the right total. Returns 0, WT_EINVAL (page 0, limit 0 or > 1000, too
 * many chains, bad sort), WT_ESTORE. Index-backed: see
 * docs/internals/store.md and the EXPLAIN test. Any thread. */
int store_wallet_list(struct store *st, const struct wallet_filter *f, struct wallet_page *out);
void wallet_page_release(struct wallet_page *p);

/* Calls fn(ctx, w) for every wallet matching f's filters (chains, minimum
 * score, verified, type, status; its sort, direction, page and limit are
 * ignored), in address order, all read by one statement in one read
 * transaction: a full scan sees one state of the table, so a wallet whose
 * score changes meanwhile (a profile run) is seen exactly once, never
 * skipped or repeated as it could be across OFFSET pages ordered by the
 * score. The internal readers of the whole watchlist (watchsync, rpcpoll,
 * discovery, the engine's load, `sim evaluate`) use it; the paginated
 * store_wallet_list is for the API.
 *
 * w is valid only during the call. fn runs while the scan holds a reader
 * connection: it must not call the store (copy what it needs and act
 * after the scan). A nonzero return from fn stops the scan and is
 * returned. Returns 0, WT_EINVAL (bad filter), WT_ESTORE, or fn's code.
 * Any thread. */
int store_wallet_scan(struct store *st, const struct wallet_filter *f,
                      int (*fn)(void *ctx, const struct wallet *w), void *ctx);

/* Writes the database's plan of the page query store_wallet_list would run
 * for f (SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN), one step per line,
 * into out; for tests and docs/internals/store.md. Returns 0, WT_EINVAL,
 * WT_ESTORE. */
int store_wallet_list_plan(struct store *st, const struct wallet_filter *f, char *out,
                           size_t outsize);

/* ---------------------------------------------------------------- rows */

/* The generic row tables (STORE_ROW_TYPES, the row structs, store_row_*
 * and the typed store_put_<name>... wrappers): store/store_rows.h. */
#include "store/store_rows.h"

/* Saves a whole rebuild of the wallet graph in ONE transaction: every row
 * of graph_edges is replaced by e[0..ne); clusters whose label is not in
 * c[0..nc) are deleted with their members, the others upserted on their
 * label (a kept label keeps its id); every member row is replaced by
 * m[0..nm), whose cluster_id is the 1-based INDEX into c (turned into the
 * stored id here). Returns 0, WT_EINVAL (a bad row or index; nothing
 * written), WT_ESTORE. */
int store_graph_save(struct store *st, const struct graph_edge_row *e, size_t ne,
                     const struct cluster_row *c, size_t nc, const struct cluster_member_row *m,
                     size_t nm);
/* Applies incremental edge changes (graph/graph_live.h) in ONE
 * transaction: with replace_all every row of graph_edges goes first; each
 * of put[0..np) is upserted on (src, dst, kind), each of del[0..nd)
 * (src, dst, kind) deleted (absent: fine). Returns 0, WT_EINVAL (a bad
 * row; nothing written), WT_ESTORE. */
int store_graph_edges_apply(struct store *st, const struct graph_edge_row *put, size_t np,
                            const struct graph_edge_row *del, size_t nd, bool replace_all);
/* The clusters list of the API: filters, sort, page (like the wallet
 * list). Zero-initialise, then set what is wanted. */
enum cluster_sort {
    CLUSTER_SORT_SIZE = 0,
    CLUSTER_SORT_INSIDER,
    CLUSTER_SORT_PNL,
    CLUSTER_SORT_TOKENS,
    CLUSTER_SORT_UPDATED,
};
struct cluster_filter {
    int32_t min_size;   /* 0: any */
    double min_insider; /* 0: any */
    int blacklisted;    /* -1 or 0 ... see has_blacklisted */
    bool has_blacklisted;
    const char *member; /* clusters holding this wallet; NULL: any */
    enum cluster_sort sort;
    bool ascending; /* false: descending */
    uint32_t page;  /* 1-based */
    uint32_t limit; /* 1..1000 */
};
/* rows has room for f->limit; *total the number matching. Returns 0,
 * WT_EINVAL (page 0, limit out of range, bad sort), WT_ESTORE. */
int store_clusters_query(struct store *st, const struct cluster_filter *f, struct cluster_row *rows,
                         size_t *n, int64_t *total);
/* One cluster with its stats. Returns 0, WT_ENOTFOUND, WT_ESTORE. */
int store_cluster_get(struct store *st, int64_t id, struct cluster_row *out);
/* The edges touching wallet (as src or dst), up to cap, strongest first. */
int store_edges_of(struct store *st, const char *wallet, struct graph_edge_row *rows, size_t cap,
                   size_t *n);

/* Sets or clears a cluster's blacklist flag. Returns 0, WT_ENOTFOUND,
 * WT_ESTORE. */
int store_cluster_blacklist(struct store *st, int64_t id, bool on, int64_t now_ms);
/* Calls fn for every cluster member (cluster_id, wallet) of the clusters,
 * by cluster id then wallet; blacklisted_only limits it to blacklisted
 * clusters. fn returns nonzero to stop (returned). */
int store_cluster_members_scan(struct store *st, bool blacklisted_only,
                               int (*fn)(void *ctx, int64_t cluster_id, const char *wallet),
                               void *ctx);
/* The stored transfers in (ts_ms, id) order, fn called for each (pages; no
 * connection held while fn runs). fn returns nonzero to stop (returned). */
int store_transfers_scan(struct store *st, int (*fn)(void *ctx, const struct transfer_event *t),
                         void *ctx);

/* Acknowledges an alert. Returns 0, WT_ENOTFOUND, WT_ESTORE. */
int store_alert_ack(struct store *st, int64_t id, int64_t now_ms);

/* ---------------------------------------------------------------- engine */

/* The trading engine's writes go in batches, one transaction per batch of
 * events it handled (DESIGN §2). Each write is a row of a table (the
 * table's struct) or, with table STORE_W_STATE, one key of the engine's
 * state (JSON text, upserted). With keep_id the row's id (> 0, given by
 * the engine) is kept: the row is inserted with it, or every column of the
 * existing row with that id is replaced; without, it is store_row_put.
 * Build row writes with the typed store_write_<name> below (table and
 * struct together), state writes with the designated fields. */
#define STORE_W_STATE STORE_T_COUNT_

struct store_write {
    enum store_table table;
    const void *row;
    bool keep_id;
    const char *key, *value; /* STORE_W_STATE */
    int64_t ts_ms;           /* STORE_W_STATE */
};

/* Typed constructors of a row write, store_write_<name>(row, keep_id), one
 * per row type of STORE_ROW_TYPES: the table follows from the struct. */
#define STORE_ROW_WRITE_(T, name, S)                                                               \
    static inline struct store_write store_write_##name(const S *row, bool keep_id)                \
    {                                                                                              \
        return (struct store_write){.table = T, .row = row, .keep_id = keep_id};                   \
    }
STORE_ROW_TYPES(STORE_ROW_WRITE_)
#undef STORE_ROW_WRITE_

/* Applies w[0..n) in order in ONE transaction: all or nothing. Returns 0,
 * WT_EINVAL (a bad row or key; nothing written), WT_ESTORE. Any thread. */
int store_write_batch(struct store *st, const struct store_write *w, size_t n);
/* Appends the engine state of key to out. Returns 0, WT_ENOTFOUND,
 * WT_EFULL, WT_ESTORE. */
int store_state_get(struct store *st, const char *key, struct buf *out);

/* Signals newest first. Zero-initialise, then set what is wanted: wallet,
 * decision ("trade", "skip", "blocked"), reason, mode (NULL: any);
 * since_ms (0: any) keeps ts_ms >= since_ms; before_id (0: none) keeps
 * id < before_id (the next page); 1 <= limit <= 1000. */
struct signal_query {
    const char *wallet, *decision, *reason, *mode;
    int64_t since_ms;
    int64_t before_id;
    uint32_t limit;
};
/* rows has room for q->limit. Returns 0, WT_EINVAL, WT_ESTORE, WT_ETOOBIG. */
int store_signals_query(struct store *st, const struct signal_query *q, struct signal_row *rows,
                        size_t *n);

/* Closed trades newest first (by id, which is the close order), same
 * conventions;
 * wallet is the copied wallet. */
struct trade_query {
    const char *mode, *wallet;
    int64_t since_ms;  /* closed_ms >= since_ms */
    int64_t before_id; /* id < before_id */
    uint32_t limit;
};
int store_closed_trades_query(struct store *st, const struct trade_query *q,
                              struct closed_trade_row *rows, size_t *n);
/* Every closed trade of mode with closed_ms >= since_ms in close order
 * (oldest first), fn called for each; fn returns nonzero to stop (that
 * value is returned). Reads in pages; no connection is held while fn runs. */
int store_closed_trades_scan(struct store *st, const char *mode, int64_t since_ms,
                             int (*fn)(void *ctx, const struct closed_trade_row *t), void *ctx);
/* The open positions of mode (status "open" or "closing"), by id, up to
 * cap. */
int store_positions_open(struct store *st, const char *mode, struct position_row *rows, size_t cap,
                         size_t *n);
/* Orders of mode still in flight (status "sent"), by id, up to cap: a
 * restart marks them cancelled. */
/* Claims order r->id before it goes to an executor: inserts the row
 * unless a row of that id exists. Returns 0 (claimed), WT_EEXIST (already
 * placed, by this or another node: do not place it again), or an error
 * (the store is unreachable: do not place it either). */
int store_order_claim(struct store *st, const struct order_row *r);
/* The largest order id stored (0 for none): a restored engine numbers
 * its next orders past it. */
int store_orders_max_id(struct store *st, int64_t *out);
int store_orders_pending(struct store *st, const char *mode, struct order_row *rows, size_t cap,
                         size_t *n);
/* Alerts newest first: kind NULL for any; before_id 0 for the first page. */
int store_alerts_recent(struct store *st, const char *kind, int64_t before_id, uint32_t limit,
                        struct alert_row *rows, size_t *n);

/* ---------------------------------------------------------------- settings */

#define SETTING_KEY_MAX   64
#define SETTING_VALUE_MAX 1024

/* One change of one setting, as kept in settings_history. */
struct setting_change {
    int64_t id;
    char key[SETTING_KEY_MAX];
    char old_value[SETTING_VALUE_MAX]; /* "" when the setting was unset */
    bool had_old;
    char value[SETTING_VALUE_MAX];
    int64_t ts_ms;
    char actor[ROW_WORD]; /* operator, api, feedback, ... */
};

/* ---------------------------------------------------------- crawl state */

/* One token or wallet of the chain crawl (intel/crawl.h). */
#define CRAWL_WORD 16
struct crawl_item {
    char kind[CRAWL_WORD]; /* "token" or "wallet" */
    char key[BASE58_KEY_MAX];
    char state[CRAWL_WORD];      /* "pending", "done", "skipped" */
    char source[CRAWL_WORD];     /* "operator", "early_buyer" */
    char cursor[BASE58_SIG_MAX]; /* `before` of the next page; "" from the newest */
    int64_t pages;
    int64_t first_ts, newest_ts; /* oldest and newest block time seen (s), 0 none */
    int64_t updated_ms;
};

/* Adds an item as pending unless it is known (then nothing changes).
 * Returns 0 (*added says whether it was new; may be NULL), WT_EINVAL,
 * WT_ESTORE. */
int store_crawl_add(struct store *st, const char *kind, const char *key, const char *source,
                    int64_t now_ms, bool *added);
/* Writes the item (insert or replace) and adds `requests` to the counter
 * "requests", in one transaction: a page's cursor and the requests it cost
 * are never apart. Returns 0, WT_EINVAL, WT_ESTORE. */
int store_crawl_put(struct store *st, const struct crawl_item *it, int64_t requests);
/* Adds n to the counter "requests" alone. Returns 0 or WT_ESTORE. */
int store_crawl_add_requests(struct store *st, int64_t n);
/* Reads one item. Returns 0, WT_ENOTFOUND, WT_ESTORE. */
int store_crawl_get(struct store *st, const char *kind, const char *key, struct crawl_item *out);
/* Calls fn for every item of kind (state NULL: any state), by key. fn
 * returning nonzero stops the scan and is returned. No connection is held
 * while fn runs (the items are read first). Returns 0, fn's value,
 * WT_ESTORE. */
int store_crawl_scan(struct store *st, const char *kind, const char *state,
                     int (*fn)(void *ctx, const struct crawl_item *it), void *ctx);
/* A counter ("requests"); 0 when never set. Returns 0 or WT_ESTORE. */
int store_crawl_counter(struct store *st, const char *name, int64_t *out);
/* Sets n counters (names[i] = vals[i]) in one transaction: the running
 * crawl's live progress ("run_*", intel/crawl.c), read by any process.
 * "requests" is only ever added to (store_crawl_put). Returns 0, WT_EINVAL
 * (an empty name or "requests"), WT_ESTORE. */
int store_crawl_set_counters(struct store *st, const char *const *names, const int64_t *vals,
                             size_t n);

/* Sets key = value and records the change in the history, in one
 * transaction. Setting the current value again records nothing. Returns 0,
 * WT_EINVAL (empty or too long key/value), WT_ESTORE. */
int store_setting_set(struct store *st, const char *key, const char *value, int64_t ts_ms,
                      const char *actor);
/* Reads the current value into value (valuesize bytes). Returns 0,
 * WT_ENOTFOUND, WT_EFULL (value truncated), WT_ESTORE. */
int store_setting_get(struct store *st, const char *key, char *value, size_t valuesize);
/* Calls fn(ctx, key) once for every key of settings_history that starts
 * with prefix (settings removed since included); a nonzero return from fn
 * stops the scan and is returned. Returns 0, WT_EINVAL, WT_ESTORE or fn's
 * return. */
int store_setting_history_keys(struct store *st, const char *prefix,
                               int (*fn)(void *ctx, const char *key), void *ctx);
/* The last `cap` changes of key (newest first) into out; *n the count. */
int store_setting_history(struct store *st, const char *key, struct setting_change *out, size_t cap,
                          size_t *n);

/* ---------------------------------------------------------- exit strategies */

/* The key under which the changes of exit strategy `name` are kept in
 * settings_history: "exits.strategy.<name>". */
#define STORE_EXIT_HISTORY_PREFIX "exits.strategy."

/* Creates or replaces the exit strategy `name` (params: its JSON) and
 * records the change in settings_history (old params, or none), in one
 * transaction; the same params again records nothing. Returns 0, WT_EINVAL
 * (empty or too long name/params), WT_ESTORE. */
int store_exit_strategy_put(struct store *st, const char *name, const char *params, int64_t ts_ms,
                            const char *actor);
/* Removes it, recording the change (new value ""). Returns 0, WT_ENOTFOUND,
 * WT_ESTORE. */
int store_exit_strategy_delete(struct store *st, const char *name, int64_t ts_ms,
                               const char *actor);
/* Calls fn(ctx, name, params) for every stored strategy, in the order they
 * were first stored; a nonzero return stops the scan and is returned. */
int store_exit_strategies_scan(struct store *st,
                               int (*fn)(void *ctx, const char *name, const char *params),
                               void *ctx);

/* ---------------------------------------------------------- engine journal */

/* One input `serve` handed its engine that a backtest cannot find among
 * the stored events (docs/backtest.md "Fidelity"): a session's start
 * (body: its settings), a tick, a command (body: JSON, trade/journal.h),
 * or a run of n stored events of one table handed on in id order (kind
 * "swaps" / "transfers" / "prices", hash: trade/journal.h's of their keys;
 * "swap" / "transfer" / "price": one event whose time the runner moved,
 * ts_ms the time the engine saw). ts_ms is the engine's input time,
 * wall_ms the wall clock when it was handled. */
#define JOURNAL_KIND_MAX 16
struct journal_row {
    int64_t id;
    int64_t ts_ms, wall_ms;
    char kind[JOURNAL_KIND_MAX];
    int64_t n;
    uint64_t hash;
    const char *body; /* "" when none; on read valid during the callback */
};

/* Appends rows (ids are given by the store) in one transaction. Returns 0
 * or WT_ESTORE. */
int store_journal_append(struct store *st, const struct journal_row *rows, size_t n);
/* Calls fn for every row with id > after_id in id order (pages; no
 * connection held while fn runs); nonzero from fn stops and is returned. */
int store_journal_scan(struct store *st, int64_t after_id,
                       int (*fn)(void *ctx, const struct journal_row *r), void *ctx);
/* The stored id of each swap sw[i] by its key (signature, leg) into
 * ids[i], 0 when it is not stored. One read transaction, one indexed
 * lookup each. Returns 0 or WT_ESTORE. Any thread. */
int store_swap_ids(struct store *st, const struct swap_event *const *sw, size_t n, int64_t *ids);
/* The latest stored swap's time (largest ts_ms; INT64_MIN: no swap).
 * Returns 0 or WT_ESTORE. */
int store_swaps_latest_ts(struct store *st, int64_t *out);
/* The largest id of the swaps, transfers and prices tables (0: empty). */
int store_events_max_ids(struct store *st, int64_t ids[3]);
/* Up to cap stored events of one kind (EVENT_SWAP, EVENT_TRANSFER,
 * EVENT_PRICE) with id > after_id, in id order, into out[] and their ids
 * into ids[]; *n the count (fewer than cap: the end). Returns 0,
 * WT_EINVAL (another kind), WT_ESTORE, WT_EPARSE. */
int store_events_after(struct store *st, enum event_kind kind, int64_t after_id, struct event *out,
                       int64_t *ids, size_t cap, size_t *n);

/* ---------------------------------------------------------------- faults */

enum store_fault_point {
    STORE_FAULT_ROW = 1,    /* before each row written inside a transaction */
    STORE_FAULT_COMMIT = 2, /* just before COMMIT */
};

/* Test hook (the fault-injecting store of STYLE.md): fn is called at each
 * fault point of every write transaction with a running count of the rows
 * written since the hook was set; a nonzero return makes that statement fail
 * as if the database had (WT_ESTORE) and the transaction is rolled back.
 * NULL removes the hook. Set it while no write is running. */
void store_set_fault_hook(struct store *st,
                          int (*fn)(void *ctx, enum store_fault_point p, uint64_t nrow), void *ctx);

/* Test hook: fn(ctx) is called at the start of every wallets read
 * (each store_wallet_list page, each store_wallet_scan), before any
 * connection is taken, so it may write to the store, as a concurrent
 * writer (a profile run) would between two reads. NULL removes it. Set it
 * while no read is running. */
void store_set_read_hook(struct store *st, void (*fn)(void *ctx), void *ctx);

/* The work the statements finished so far did, in the backend's own unit:
 * SQLite's virtual-machine steps (SQLITE_STMTSTATUS_VM_STEP), which grow
 * with the rows a query examines, not only those it returns. 0 where the
 * backend does not count it (PostgreSQL). For tests and diagnostics that
 * check a read's cost grows with its result, not with the table. */
uint64_t store_query_work(struct store *st);

/* SQLite: the bytes the writer connection's page cache held at its last
 * commit, and its bound (store_sqlite.c, SQ_WRITER_CACHE_KIB); both 0 on
 * PostgreSQL, whose buffers are the server's. Any thread; no I/O. */
void store_writer_cache(struct store *st, int64_t *used, int64_t *limit);

#endif
