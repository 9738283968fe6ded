/* The wallets table of the store: status names, validation, upserts (one,
 * many, and the profile columns the intel run writes), field updates and
 * status transitions with their reasons, the get by address, and the
 * filtered, sorted, paginated list behind GET /v1/smart-money/wallets with
 * its query plan, and the full scan in address order (one read
 * transaction) behind the internal readers of the watchlist.
 *
 * Kept apart from the generic row tables (store_rows.c) because wallets
 * are the one table keyed by address rather than id, with its own rules
 * (status transitions, the sort indexes of the list); it reuses the
 * generic column description and statement builders through
 * store_rows_impl.h rather than repeating them. */
#include "store/store_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "solana/pubkey.h"
#include "store/store_rows_impl.h"

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
    COL(W, realized_pnl, C_F64),
    COL(W, unrealized_pnl, C_F64),
    COL(W, unrealized_as_of_ms, C_I64),
    COL(W, open_positions, C_I64),
    COL(W, max_drawdown_sol, C_F64),
    COL(W, active_days, C_I64),
    COL(W, metrics_valid, C_I64),
    COL(W, metrics_version, C_I64),
    COL(W, behaviour_vec, C_STR),
    COL(W, copier_pnl, C_F64),
    COL(W, copier_ev, C_F64),
    COL(W, copier_buys, C_I64),
};

#undef W

static const struct table wallets_table = {
    "wallets", wallet_cols, NCOLS(wallet_cols), sizeof(struct wallet), SIZE_MAX,
    "address", false,       "address"};

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
    if (store_check_row(&wallets_table, w) != 0 || w->address[0] == '\0' || w->chain[0] == '\0' ||
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
        rc = store_put_row(st, c, &wallets_table, &w[i], NULL);
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
    store_sql_cols(b, t);
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
        if ((rc = stmt_prepare(st, c, b.data, "wallet profiles", &s)) != 0)
            break;
        store_bind_row(o, s, &wallets_table, &w[i], 1);
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
    if (address == NULL || fields == 0 || (fields & ~all) != 0 ||
        store_check_row(&wallets_table, w) ||
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
    struct store_stmt *s;
    int rc = wr_begin_stmt(st, b.data, "wallet fields", &c, &s);
    if (rc != 0)
        goto out;
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
    rc = wr_step_changed(st, s);
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
    struct store_stmt *s;
    int rc = wr_begin_stmt(st, sql, "wallet transition", &c, &s);
    if (rc != 0)
        return rc;
    o->bind_i64(s, 1, to);
    o->bind_i64(s, 2, now_ms);
    o->bind_text(s, 3, address);
    o->bind_i64(s, 4, from);
    int k = 5;
    if (set_discovery)
        o->bind_text(s, k++, set_discovery);
    if (discovery_is)
        o->bind_text(s, k, discovery_is);
    rc = wr_step_changed(st, s);
    return wr_end(st, c, rc);
}

int store_wallet_set_status(struct store *st, const char *address, enum wallet_status status,
                            int64_t now_ms)
{
    if (address == NULL || status < WALLET_WATCH || status > WALLET_STATUS_MAX)
        return WT_EINVAL;
    struct store_conn *c;
    struct store_stmt *s;
    int rc = wr_begin_stmt(st, "UPDATE wallets SET status = $1, updated_ms = $2 WHERE address = $3",
                           "wallet status", &c, &s);
    if (rc != 0)
        return rc;
    st->ops->bind_i64(s, 1, status);
    st->ops->bind_i64(s, 2, now_ms);
    st->ops->bind_text(s, 3, address);
    rc = wr_step_changed(st, s);
    return wr_end(st, c, rc);
}

int store_wallet_get(struct store *st, const char *address, struct wallet *out)
{
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    store_sql_select(&b, &wallets_table);
    buf_puts(&b, " WHERE address = $1");
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, b.data, "wallet get", &c, &s);
    if (rc == 0) {
        st->ops->bind_text(s, 1, address);
        size_t n = 0;
        rc = store_read_rows(st, c, s, &wallets_table, out, 1, &n);
        if (rc == 0 && n == 0)
            rc = WT_ENOTFOUND;
        rc = rd_end(st, c, s, rc);
    }
    buf_release(&b);
    return rc;
}

static const char *const sort_cols[] = {"score", "roi", "total_pnl", "total_trades", "copier_ev"};

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

/* The filters shared by the list and the scan. */
static int wallet_where_validate(const struct wallet_filter *f)
{
    if (f->nchains > WALLET_FILTER_CHAINS_MAX ||
        (f->status != 0 && (f->status < WALLET_WATCH || f->status > WALLET_STATUS_MAX)) ||
        memchr(f->type, '\0', sizeof f->type) == NULL ||
        (f->has_min_score && !isfinite(f->min_score)))
        return WT_EINVAL;
    for (size_t i = 0; i < f->nchains; i++)
        if (f->chains[i] == NULL)
            return WT_EINVAL;
    return 0;
}

static int wallet_filter_validate(const struct wallet_filter *f)
{
    if (f->page == 0 || f->limit == 0 || f->limit > 1000 ||
        (unsigned)f->sort > WALLET_SORT_COPIER_EV)
        return WT_EINVAL;
    return wallet_where_validate(f);
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
    {"wallets_score_d", "wallets_score_a"},   {"wallets_roi_d", "wallets_roi_a"},
    {"wallets_pnl_d", "wallets_pnl_a"},       {"wallets_trades_d", "wallets_trades_a"},
    {"wallets_copier_d", "wallets_copier_a"},
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
    store_sql_select(b, &wallets_table);
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
    if (wallet_filter_validate(f) != 0 || outsize == 0)
        return WT_EINVAL;
    out[0] = '\0';
    bool sqlite = strcmp(st->ops->name, "sqlite") == 0;
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    buf_puts(&b, sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ");
    int k = wallet_page_sql(&b, f, sqlite);
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, b.data, "wallet list plan", &c, &s);
    if (rc == 0) {
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
        rc = rd_end(st, c, s, rc);
    }
    buf_release(&b);
    return rc;
}

/* Opens a read transaction on a reader connection (after the store's read
 * hook), so that every statement on it sees one state of the tables, and
 * prepares its first statement, sql; `what` names the read in the log. On
 * failure nothing is left open; else read_txn_end() closes it after the
 * caller has finished its statements. */
static int read_txn_begin(struct store *st, const char *sql, const char *what,
                          struct store_conn **c, struct store_stmt **s)
{
    if (st->read_fn != NULL)
        st->read_fn(st->read_ctx);
    int rc = st->ops->acquire(st, false, c);
    if (rc != 0)
        return rc;
    char begin[64];
    snprintf(begin, sizeof begin, "BEGIN (%s)", what);
    if (st->ops->begin(*c) != 0) {
        rc = stmt_err(st, *c, begin);
    } else if ((rc = stmt_prepare(st, *c, sql, what, s)) != 0) {
        st->ops->rollback(*c);
    }
    if (rc != 0)
        st->ops->release(st, *c);
    return rc;
}

static void read_txn_end(struct store *st, struct store_conn *c)
{
    st->ops->rollback(c);
    st->ops->release(st, c);
}

int store_wallet_list(struct store *st, const struct wallet_filter *f, struct wallet_page *out)
{
    memset(out, 0, sizeof *out);
    if (wallet_filter_validate(f) != 0)
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
    /* One read transaction, so the total and the page see the same data. */
    struct store_conn *c;
    struct store_stmt *s;
    int rc = read_txn_begin(st, page.data, "wallet list", &c, &s);
    if (rc != 0)
        goto out;
    k = wallet_bind(o, s, f);
    o->bind_i64(s, k, f->limit);
    o->bind_i64(s, k + 1, (int64_t)(f->page - 1) * f->limit);
    rc = store_read_rows(st, c, s, &wallets_table, out->rows, f->limit, &out->n);
    o->finish(s);
    if (rc != 0)
        goto end;
    if ((rc = stmt_prepare(st, c, count.data, "wallet count", &s)) != 0)
        goto end;
    wallet_bind(o, s, f);
    if (o->step(s) == 1)
        out->total = o->col_i64(s, 0);
    else
        rc = stmt_err(st, c, "wallet count");
    o->finish(s);
end:
    read_txn_end(st, c);
out:
    buf_release(&page);
    buf_release(&count);
    if (rc != 0)
        wallet_page_release(out);
    return rc;
}

int store_wallet_scan(struct store *st, const struct wallet_filter *f,
                      int (*fn)(void *ctx, const struct wallet *w), void *ctx)
{
    if (fn == NULL || wallet_where_validate(f) != 0)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct buf b;
    buf_init(&b, SQL_MAX - 1);
    store_sql_select(&b, &wallets_table);
    wallet_where(&b, f);
    buf_puts(&b, " ORDER BY address ASC");
    /* One statement in one read transaction: one state of the table. */
    struct store_conn *c;
    struct store_stmt *s;
    int rc = read_txn_begin(st, b.data, "wallet scan", &c, &s);
    if (rc != 0)
        goto out;
    wallet_bind(o, s, f);
    struct wallet *w = xcalloc(1, sizeof *w);
    for (;;) {
        size_t n = 0;
        rc = store_read_rows(st, c, s, &wallets_table, w, 1, &n);
        if (rc != 0 || n == 0)
            break;
        if ((rc = fn(ctx, w)) != 0)
            break;
    }
    free(w);
    o->finish(s);
    read_txn_end(st, c);
out:
    buf_release(&b);
    return rc;
}
