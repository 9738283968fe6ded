/* The store's settings: the key/value settings with their full change
 * history (who set what, when), the history queries the API serves, and
 * the named exit strategies kept as settings rows.
 *
 * Kept apart from opening and migrations (store.c) and events
 * (store_events.c) because settings have their own rule: every change is
 * written together with its history row in one transaction, so the
 * current value and its history never disagree. */
#include "store/store_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"

/* ------------------------------------------------------------ settings */

/* One row of settings_history, inside the caller's write transaction
 * (old NULL: the key had no value). */
static int history_add(struct store *st, struct store_conn *c, const char *key, const char *old,
                       const char *value, int64_t ts_ms, const char *actor)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s;
    if (stmt_prepare(st, c,
                     "INSERT INTO settings_history (key, old_value, value, ts_ms, actor) VALUES "
                     "($1, $2, $3, $4, $5)",
                     "writing setting history", &s) != 0)
        return WT_ESTORE;
    o->bind_text(s, 1, key);
    if (old)
        o->bind_text(s, 2, old);
    else
        o->bind_null(s, 2);
    o->bind_text(s, 3, value);
    o->bind_i64(s, 4, ts_ms);
    o->bind_text(s, 5, actor);
    int rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    return rc;
}

/* The current text of a keyed row into old (*had set), inside the caller's
 * transaction: select_sql takes the key as $1 and returns one column. */
static int current_text(struct store *st, struct store_conn *c, const char *select_sql,
                        const char *id, char *old, size_t oldsize, bool *had, const char *what)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s;
    *had = false;
    if (stmt_prepare(st, c, select_sql, what, &s) != 0)
        return WT_ESTORE;
    o->bind_text(s, 1, id);
    int r = o->step(s), rc = 0;
    if (r == 1) {
        *had = true;
        rc = str_copy(old, oldsize, o->col_text(s, 0));
    } else if (r < 0) {
        rc = stmt_err(st, c, what);
    }
    o->finish(s);
    return rc;
}

/* A value kept with its history, in one transaction: reads the current
 * value (select_sql, $1 = id). With a value, does nothing when it is the
 * same, else writes it (write_sql: $1 id, $2 value, $3 ts). With none
 * (value NULL: a removal), WT_ENOTFOUND when there is no current value,
 * else runs write_sql ($1 id). The change goes to settings_history under
 * history_key, a removal as the value "". Settings and exit strategies. */
static int put_with_history(struct store *st, const char *select_sql, const char *write_sql,
                            const char *id, const char *value, const char *history_key,
                            int64_t ts_ms, const char *actor, const char *what)
{
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    char old[SETTING_VALUE_MAX];
    bool had;
    if ((rc = current_text(st, c, select_sql, id, old, sizeof old, &had, what)) != 0 ||
        (value != NULL && had && strcmp(old, value) == 0))
        goto out;
    if (value == NULL && !had) {
        rc = WT_ENOTFOUND;
        goto out;
    }
    struct store_stmt *s;
    if ((rc = stmt_prepare(st, c, write_sql, what, &s)) != 0)
        goto out;
    o->bind_text(s, 1, id);
    if (value != NULL) {
        o->bind_text(s, 2, value);
        o->bind_i64(s, 3, ts_ms);
    }
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    if (rc == 0)
        rc = history_add(st, c, history_key, had ? old : NULL, value ? value : "", ts_ms, actor);
out:
    return wr_end(st, c, rc);
}

int store_setting_set(struct store *st, const char *key, const char *value, int64_t ts_ms,
                      const char *actor)
{
    if (key == NULL || value == NULL || key[0] == '\0' || strlen(key) >= SETTING_KEY_MAX ||
        strlen(value) >= SETTING_VALUE_MAX || actor == NULL || strlen(actor) >= ROW_WORD)
        return WT_EINVAL;
    return put_with_history(
        st, "SELECT value FROM settings WHERE key = $1",
        "INSERT INTO settings (key, value, updated_ms) VALUES ($1, $2, $3) ON CONFLICT (key) DO "
        "UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
        key, value, key, ts_ms, actor, "writing a setting");
}

int store_setting_get(struct store *st, const char *key, char *value, size_t valuesize)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = rd_text(st, "SELECT value FROM settings WHERE key = $1", "reading a setting", key, &b);
    if (rc == 0)
        rc = str_copy(value, valuesize, b.data ? b.data : "");
    buf_release(&b);
    return rc;
}

/* Runs a read-only query of one or two text columns and calls fn(ctx,
 * col0, col1 or NULL) for each row; a nonzero return from fn stops it and
 * is returned. */
static int scan_text(struct store *st, const char *sql, int ncols, const char *what,
                     int (*fn)(void *ctx, const char *a, const char *b), void *ctx)
{
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, sql, what, &c, &s);
    if (rc != 0)
        return rc;
    int r;
    while ((r = st->ops->step(s)) == 1)
        if ((rc = fn(ctx, st->ops->col_text(s, 0), ncols > 1 ? st->ops->col_text(s, 1) : NULL)) !=
            0)
            break;
    if (rc == 0 && r < 0)
        rc = stmt_err(st, c, what);
    return rd_end(st, c, s, rc);
}

struct key_scan {
    const char *prefix;
    size_t plen;
    int (*fn)(void *ctx, const char *key);
    void *ctx;
};

static int key_if_prefixed(void *ctx, const char *key, const char *unused)
{
    (void)unused;
    const struct key_scan *k = ctx;
    return strncmp(key, k->prefix, k->plen) == 0 ? k->fn(k->ctx, key) : 0;
}

int store_setting_history_keys(struct store *st, const char *prefix,
                               int (*fn)(void *ctx, const char *key), void *ctx)
{
    struct key_scan k = {prefix, strlen(prefix), fn, ctx};
    if (k.plen >= SETTING_KEY_MAX)
        return WT_EINVAL;
    /* Compared here, byte for byte: '_' and '%' are no wildcards and the
     * database's collation plays no part. The distinct keys are few (one
     * per setting ever changed). */
    return scan_text(st, "SELECT DISTINCT key FROM settings_history ORDER BY key", 1,
                     "reading setting history", key_if_prefixed, &k);
}

int store_setting_history(struct store *st, const char *key, struct setting_change *out, size_t cap,
                          size_t *n)
{
    *n = 0;
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin_key(st,
                          "SELECT id, key, old_value, value, ts_ms, actor FROM settings_history "
                          "WHERE key = $1 ORDER BY id DESC LIMIT $2",
                          "reading setting history", key, (int64_t)cap, &c, &s);
    if (rc != 0)
        return rc;
    int r = 0;
    while (*n < cap && (r = st->ops->step(s)) == 1) {
        struct setting_change *h = &out[*n];
        memset(h, 0, sizeof *h);
        h->id = st->ops->col_i64(s, 0);
        h->had_old = !st->ops->col_null(s, 2);
        if (str_copy(h->key, sizeof h->key, st->ops->col_text(s, 1)) != 0 ||
            str_copy(h->old_value, sizeof h->old_value, st->ops->col_text(s, 2)) != 0 ||
            str_copy(h->value, sizeof h->value, st->ops->col_text(s, 3)) != 0 ||
            str_copy(h->actor, sizeof h->actor, st->ops->col_text(s, 5)) != 0) {
            rc = WT_ETOOBIG;
            break;
        }
        h->ts_ms = st->ops->col_i64(s, 4);
        (*n)++;
    }
    if (rc == 0 && *n < cap && r < 0)
        rc = stmt_err(st, c, "reading setting history");
    return rd_end(st, c, s, rc);
}

/* ----------------------------------------------------------- exit strategies */

static int exit_history_key(char *key, size_t n, const char *name)
{
    int w = snprintf(key, n, "%s%s", STORE_EXIT_HISTORY_PREFIX, name);
    return w > 0 && (size_t)w < n ? 0 : WT_EINVAL;
}

static const char SQL_EXIT_PARAMS[] = "SELECT params FROM exit_strategies WHERE name = $1";

int store_exit_strategy_put(struct store *st, const char *name, const char *params, int64_t ts_ms,
                            const char *actor)
{
    char key[SETTING_KEY_MAX];
    if (name == NULL || params == NULL || name[0] == '\0' || params[0] == '\0' ||
        strlen(name) >= sizeof((struct exit_strategy_row *)0)->name ||
        strlen(params) >= SETTING_VALUE_MAX || actor == NULL || strlen(actor) >= ROW_WORD ||
        exit_history_key(key, sizeof key, name) != 0)
        return WT_EINVAL;
    return put_with_history(st, SQL_EXIT_PARAMS,
                            "INSERT INTO exit_strategies (name, params, updated_ms) VALUES ($1, "
                            "$2, $3) ON CONFLICT (name) DO UPDATE SET params = excluded.params, "
                            "updated_ms = excluded.updated_ms",
                            name, params, key, ts_ms, actor, "writing an exit strategy");
}

int store_exit_strategy_delete(struct store *st, const char *name, int64_t ts_ms, const char *actor)
{
    char key[SETTING_KEY_MAX];
    if (name == NULL || name[0] == '\0' || actor == NULL || strlen(actor) >= ROW_WORD ||
        exit_history_key(key, sizeof key, name) != 0)
        return WT_EINVAL;
    return put_with_history(st, SQL_EXIT_PARAMS, "DELETE FROM exit_strategies WHERE name = $1",
                            name, NULL, key, ts_ms, actor, "removing an exit strategy");
}

int store_exit_strategies_scan(struct store *st,
                               int (*fn)(void *ctx, const char *name, const char *params),
                               void *ctx)
{
    return scan_text(st, "SELECT name, params FROM exit_strategies ORDER BY id", 2,
                     "reading the exit strategies", fn, ctx);
}
