/* The chain crawl's state (crawl_items, crawl_counters; migration 11):
 * one SQL for both backends through the store's ops. See store.h. */
#include "store/store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "base/vec.h"

static bool word_ok(const char *s)
{
    return s && s[0] && strlen(s) < CRAWL_WORD;
}

int store_crawl_add(struct store *st, const char *kind, const char *key, const char *source,
                    int64_t now_ms, bool *added)
{
    if (added)
        *added = false;
    if (!word_ok(kind) || !word_ok(source) || !key || !key[0] || strlen(key) >= BASE58_KEY_MAX)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    struct store_stmt *s;
    int rc = wr_begin_stmt(st,
                           "INSERT INTO crawl_items (kind, key, state, source, updated_ms) VALUES "
                           "($1, $2, 'pending', $3, $4) ON CONFLICT (kind, key) DO NOTHING",
                           "adding a crawl item", &c, &s);
    if (rc)
        return rc;
    o->bind_text(s, 1, kind);
    o->bind_text(s, 2, key);
    o->bind_text(s, 3, source);
    o->bind_i64(s, 4, now_ms);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    if (rc == 0 && added)
        *added = o->changes(s) > 0;
    o->finish(s);
    return wr_end(st, c, rc);
}

/* Adds n to the requests counter inside the caller's write transaction. */
static int add_requests(struct store *st, struct store_conn *c, int64_t n)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s;
    int rc = stmt_prepare(st, c,
                          "INSERT INTO crawl_counters (name, value) VALUES ('requests', $1) ON "
                          "CONFLICT (name) DO UPDATE SET value = crawl_counters.value + "
                          "excluded.value",
                          "counting crawl requests", &s);
    if (rc)
        return rc;
    o->bind_i64(s, 1, n);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    return rc;
}

int store_crawl_add_requests(struct store *st, int64_t n)
{
    if (n <= 0)
        return 0;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc)
        return rc;
    return wr_end(st, c, add_requests(st, c, n));
}

int store_crawl_put(struct store *st, const struct crawl_item *it, int64_t requests)
{
    if (!word_ok(it->kind) || !word_ok(it->state) || !word_ok(it->source) || !it->key[0] ||
        requests < 0)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    struct store_stmt *s;
    int rc = wr_begin_stmt(
        st,
        "INSERT INTO crawl_items (kind, key, state, source, cursor, pages, first_ts, newest_ts, "
        "updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (kind, key) DO "
        "UPDATE SET state = excluded.state, source = excluded.source, cursor = excluded.cursor, "
        "pages = excluded.pages, first_ts = excluded.first_ts, newest_ts = excluded.newest_ts, "
        "updated_ms = excluded.updated_ms",
        "writing a crawl item", &c, &s);
    if (rc)
        return rc;
    o->bind_text(s, 1, it->kind);
    o->bind_text(s, 2, it->key);
    o->bind_text(s, 3, it->state);
    o->bind_text(s, 4, it->source);
    o->bind_text(s, 5, it->cursor);
    o->bind_i64(s, 6, it->pages);
    o->bind_i64(s, 7, it->first_ts);
    o->bind_i64(s, 8, it->newest_ts);
    o->bind_i64(s, 9, it->updated_ms);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    if (rc == 0 && requests > 0)
        rc = add_requests(st, c, requests);
    return wr_end(st, c, rc);
}

static const char COLS[] =
    "kind, key, state, source, cursor, pages, first_ts, newest_ts, updated_ms";

static int read_row(const struct store_ops *o, struct store_stmt *s, struct crawl_item *it)
{
    memset(it, 0, sizeof *it);
    if (str_copy(it->kind, sizeof it->kind, o->col_text(s, 0)) ||
        str_copy(it->key, sizeof it->key, o->col_text(s, 1)) ||
        str_copy(it->state, sizeof it->state, o->col_text(s, 2)) ||
        str_copy(it->source, sizeof it->source, o->col_text(s, 3)) ||
        str_copy(it->cursor, sizeof it->cursor, o->col_text(s, 4)))
        return WT_ESTORE;
    it->pages = o->col_i64(s, 5);
    it->first_ts = o->col_i64(s, 6);
    it->newest_ts = o->col_i64(s, 7);
    it->updated_ms = o->col_i64(s, 8);
    return 0;
}

int store_crawl_get(struct store *st, const char *kind, const char *key, struct crawl_item *out)
{
    const struct store_ops *o = st->ops;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM crawl_items WHERE kind = $1 AND key = $2", COLS);
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, sql, "reading a crawl item", &c, &s);
    if (rc)
        return rc;
    o->bind_text(s, 1, kind);
    o->bind_text(s, 2, key);
    int r = o->step(s);
    rc = r == 1 ? read_row(o, s, out) : r == 0 ? WT_ENOTFOUND : stmt_err(st, c, "crawl item");
    return rd_end(st, c, s, rc);
}

int store_crawl_scan(struct store *st, const char *kind, const char *state,
                     int (*fn)(void *ctx, const struct crawl_item *it), void *ctx)
{
    const struct store_ops *o = st->ops;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM crawl_items WHERE kind = $1%s ORDER BY key", COLS,
             state ? " AND state = $2" : "");
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, sql, "reading crawl items", &c, &s);
    if (rc)
        return rc;
    VEC(struct crawl_item) items = {0};
    o->bind_text(s, 1, kind);
    if (state)
        o->bind_text(s, 2, state);
    int r;
    while (rc == 0 && (r = o->step(s)) == 1)
        rc = read_row(o, s, vec_push_zero(&items));
    if (rc == 0 && r < 0)
        rc = stmt_err(st, c, "reading crawl items");
    rc = rd_end(st, c, s, rc);
    for (size_t i = 0; rc == 0 && i < items.len; i++)
        rc = fn(ctx, &items.v[i]);
    vec_free(&items);
    return rc;
}

int store_crawl_counter(struct store *st, const char *name, int64_t *out)
{
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    struct store_stmt *s;
    *out = 0;
    int rc = rd_begin(st, "SELECT value FROM crawl_counters WHERE name = $1",
                      "reading a crawl counter", &c, &s);
    if (rc)
        return rc;
    o->bind_text(s, 1, name);
    int r = o->step(s);
    if (r == 1)
        *out = o->col_i64(s, 0);
    else if (r < 0)
        rc = stmt_err(st, c, "reading a crawl counter");
    return rd_end(st, c, s, rc);
}

int store_crawl_set_counters(struct store *st, const char *const *names, const int64_t *vals,
                             size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!names[i] || !names[i][0] || strcmp(names[i], "requests") == 0)
            return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct store_stmt *s;
        if ((rc = stmt_prepare(st, c,
                               "INSERT INTO crawl_counters (name, value) VALUES ($1, $2) ON "
                               "CONFLICT (name) DO UPDATE SET value = excluded.value",
                               "writing the crawl's progress", &s)) != 0)
            break;
        o->bind_text(s, 1, names[i]);
        o->bind_i64(s, 2, vals[i]);
        rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
        o->finish(s);
    }
    return wr_end(st, c, rc);
}
