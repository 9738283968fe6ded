/* The trading engine's reads: signals with filters, closed trades, open
 * positions and recent alerts.
 *
 * Why here and not in store_rows.c: these are the API's and the restart's
 * queries (filters, newest first, keyset pages), built as a WHERE clause
 * over the generic row reader (store_rows_select), so both backends run
 * the same SQL and the row structs stay the one description of each
 * table. Every query is index-backed: signals(wallet, id),
 * signals(decision, id), signals(ts_ms), closed_trades(mode, id),
 * positions(mode, status), alerts(kind, id). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "store/store_impl.h"

#define MAX_ARGS 8

/* Builds "WHERE a = $1 AND ..." from the non-NULL text filters and the
 * integer bounds. */
struct where {
    char sql[512];
    size_t len;
    struct store_arg args[MAX_ARGS];
    size_t n;
};

static void w_add(struct where *w, const char *cond, const char *text, int64_t i)
{
    int r = snprintf(w->sql + w->len, sizeof w->sql - w->len, "%s %s $%zu", w->n ? " AND" : "WHERE",
                     cond, w->n + 1);
    if (r > 0 && (size_t)r < sizeof w->sql - w->len)
        w->len += (size_t)r;
    w->args[w->n++] = (struct store_arg){.text = text, .i = i};
}

static void w_tail(struct where *w, const char *tail)
{
    int r = snprintf(w->sql + w->len, sizeof w->sql - w->len, " %s", tail);
    if (r > 0 && (size_t)r < sizeof w->sql - w->len)
        w->len += (size_t)r;
}

/* A filter that is set: text not NULL, an integer not 0. */
static void w_text(struct where *w, const char *cond, const char *text)
{
    if (text)
        w_add(w, cond, text, 0);
}

static void w_int(struct where *w, const char *cond, int64_t i)
{
    if (i)
        w_add(w, cond, NULL, i);
}

/* Reads the newest `limit` (1 to 1000) rows of table tt that match w,
 * newest first. */
static int w_newest(struct store *st, enum store_table tt, struct where *w, uint32_t limit,
                    void *rows, size_t *n)
{
    *n = 0;
    if (limit == 0 || limit > 1000)
        return WT_EINVAL;
    char lim[48];
    snprintf(lim, sizeof lim, "ORDER BY id DESC LIMIT %u", limit);
    w_tail(w, lim);
    return store_rows_select(st, tt, w->sql, w->args, w->n, rows, limit, n);
}

int store_signals_query(struct store *st, const struct signal_query *q, struct signal_row *rows,
                        size_t *n)
{
    struct where w = {0};
    w_text(&w, "wallet =", q->wallet);
    w_text(&w, "decision =", q->decision);
    w_text(&w, "reason =", q->reason);
    w_text(&w, "mode =", q->mode);
    w_int(&w, "ts_ms >=", q->since_ms);
    w_int(&w, "id <", q->before_id);
    return w_newest(st, STORE_T_SIGNALS, &w, q->limit, rows, n);
}

int store_closed_trades_query(struct store *st, const struct trade_query *q,
                              struct closed_trade_row *rows, size_t *n)
{
    struct where w = {0};
    w_text(&w, "mode =", q->mode);
    w_text(&w, "wallet =", q->wallet);
    w_int(&w, "closed_ms >=", q->since_ms);
    w_int(&w, "id <", q->before_id);
    return w_newest(st, STORE_T_CLOSED_TRADES, &w, q->limit, rows, n);
}

#define SCAN_PAGE 500

int store_closed_trades_scan(struct store *st, const char *mode, int64_t since_ms,
                             int (*fn)(void *ctx, const struct closed_trade_row *t), void *ctx)
{
    struct closed_trade_row *page = xcalloc(SCAN_PAGE, sizeof *page);
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        struct where w = {0};
        w_text(&w, "mode =", mode);
        w_int(&w, "closed_ms >=", since_ms);
        w_add(&w, "id >", NULL, after);
        char lim[48];
        snprintf(lim, sizeof lim, "ORDER BY id LIMIT %d", SCAN_PAGE);
        w_tail(&w, lim);
        size_t n = 0;
        rc = store_rows_select(st, STORE_T_CLOSED_TRADES, w.sql, w.args, w.n, page, SCAN_PAGE, &n);
        if (rc)
            break;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = fn(ctx, &page[i]);
        if (rc || n < SCAN_PAGE)
            break;
        after = page[n - 1].id;
    }
    free(page);
    return rc;
}

/* The rows of table tt in one mode with a status condition (status_sql,
 * "AND status ..."), by id. */
static int rows_of_mode(struct store *st, enum store_table tt, const char *mode,
                        const char *status_sql, void *rows, size_t cap, size_t *n)
{
    struct where w = {0};
    w_add(&w, "mode =", mode, 0);
    w_tail(&w, status_sql);
    return store_rows_select(st, tt, w.sql, w.args, w.n, rows, cap, n);
}

int store_positions_open(struct store *st, const char *mode, struct position_row *rows, size_t cap,
                         size_t *n)
{
    return rows_of_mode(st, STORE_T_POSITIONS, mode,
                        "AND status IN ('open', 'closing') ORDER BY id", rows, cap, n);
}

int store_orders_pending(struct store *st, const char *mode, struct order_row *rows, size_t cap,
                         size_t *n)
{
    return rows_of_mode(st, STORE_T_ORDERS, mode, "AND status = 'sent' ORDER BY id", rows, cap, n);
}

int store_alerts_recent(struct store *st, const char *kind, int64_t before_id, uint32_t limit,
                        struct alert_row *rows, size_t *n)
{
    struct where w = {0};
    w_text(&w, "kind =", kind);
    w_int(&w, "id <", before_id);
    return w_newest(st, STORE_T_ALERTS, &w, limit, rows, n);
}
