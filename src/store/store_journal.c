/* The engine journal (store.h "engine journal"): appended by the live
 * runner once per batch, read in id order by as-recorded backtests. */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

int store_journal_append(struct store *st, const struct journal_row *rows, size_t n)
{
    if (n == 0)
        return 0;
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct store_stmt *s;
        if ((rc = stmt_prepare(st, c,
                               "INSERT INTO engine_journal (ts_ms, wall_ms, kind, n, hash, body) "
                               "VALUES ($1, $2, $3, $4, $5, $6)",
                               "writing the engine journal", &s)) != 0)
            break;
        o->bind_i64(s, 1, rows[i].ts_ms);
        o->bind_i64(s, 2, rows[i].wall_ms);
        o->bind_text(s, 3, rows[i].kind);
        o->bind_i64(s, 4, rows[i].n);
        o->bind_i64(s, 5, (int64_t)rows[i].hash);
        o->bind_text(s, 6, rows[i].body ? rows[i].body : "");
        rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
        o->finish(s);
    }
    return wr_end(st, c, rc);
}

#define JOURNAL_PAGE 1024

struct jpage {
    struct journal_row r;
    char *body;
};

int store_journal_scan(struct store *st, int64_t after_id,
                       int (*fn)(void *ctx, const struct journal_row *r), void *ctx)
{
    const struct store_ops *o = st->ops;
    struct jpage *page = xcalloc(JOURNAL_PAGE, sizeof *page);
    int rc = 0;
    for (;;) {
        struct store_conn *c;
        if ((rc = o->acquire(st, false, &c)) != 0)
            break;
        size_t n = 0;
        struct store_stmt *s;
        if (o->prepare(c,
                       "SELECT id, ts_ms, wall_ms, kind, n, hash, body FROM engine_journal WHERE "
                       "id > $1 ORDER BY id LIMIT $2",
                       &s) != 0) {
            rc = stmt_err(st, c, "reading the engine journal");
        } else {
            o->bind_i64(s, 1, after_id);
            o->bind_i64(s, 2, JOURNAL_PAGE);
            int r = 0;
            while (n < JOURNAL_PAGE && (r = o->step(s)) == 1) {
                struct jpage *p = &page[n++];
                p->r.id = o->col_i64(s, 0);
                p->r.ts_ms = o->col_i64(s, 1);
                p->r.wall_ms = o->col_i64(s, 2);
                str_copy(p->r.kind, sizeof p->r.kind, o->col_text(s, 3));
                p->r.n = o->col_i64(s, 4);
                p->r.hash = (uint64_t)o->col_i64(s, 5);
                p->body = xstrdup(o->col_text(s, 6));
            }
            if (n < JOURNAL_PAGE && r < 0)
                rc = stmt_err(st, c, "reading the engine journal");
            o->finish(s);
        }
        o->release(st, c);
        for (size_t i = 0; i < n; i++) {
            if (rc == 0) {
                page[i].r.body = page[i].body;
                rc = fn(ctx, &page[i].r);
            }
            free(page[i].body);
        }
        if (rc != 0 || n < JOURNAL_PAGE)
            break;
        after_id = page[n - 1].r.id;
    }
    free(page);
    return rc;
}
