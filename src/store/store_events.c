/* The store's event operations: validation of swaps, transfers and prices
 * before they are written, batched appends (with the skipped-transaction
 * records of each batch), skip pruning and counts, and the reads of the
 * swap history (by wallet, the last of a mint, the full scan in key
 * order, counts).
 *
 * Kept apart from opening and migrations (store.c) and settings
 * (store_settings.c) because the events are the store's one large,
 * append-only table and its hot path: the ingest writer and every replay
 * come through here. Like the rest of the store, it is portable SQL over
 * store_impl.h; the PostgreSQL COPY path plugs in through
 * store_ops.append_events. */
#include "store/store_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/event_cols.h"

/* ------------------------------------------------------------ events */

static bool text_ok(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static int validate_event(const struct event *e)
{
    switch (e->kind) {
    case EVENT_SWAP: {
        const struct swap_event *s = &e->u.swap;
        if (s->token_amount == 0 || (s->side != SIDE_BUY && s->side != SIDE_SELL) ||
            !text_ok(s->source, sizeof s->source) || !isfinite(s->price_sol) ||
            !isfinite(s->price_usd) || s->slot > INT64_MAX)
            return WT_EINVAL;
        return 0;
    }
    case EVENT_TRANSFER:
        if (e->u.transfer.slot > INT64_MAX)
            return WT_EINVAL;
        return 0;
    case EVENT_FILL:
    case EVENT_TICK:
    case EVENT_COMMAND:
        /* Our own fills are not market events: the engine stores them in
         * the fills table (store_row_put), never through the event append. */
        return WT_EINVAL;
    case EVENT_PRICE: {
        const struct price_event *p = &e->u.price;
        if (!isfinite(p->price_sol) || !isfinite(p->price_usd) || !isfinite(p->liquidity_usd) ||
            !isfinite(p->mcap_usd) || p->price_sol < 0 || !text_ok(p->source, sizeof p->source))
            return WT_EINVAL;
        return 0;
    }
    }
    return WT_EINVAL;
}

bool store_event_valid(const struct event *e)
{
    return validate_event(e) == 0;
}

/* Binding and reading a column by its kind (store/event_cols.h). */
#define BIND_SIG(o, s, i, v)   (o)->bind_blob(s, i, (v).b, sizeof(v).b)
#define BIND_KEY(o, s, i, v)   (o)->bind_blob(s, i, (v).b, sizeof(v).b)
#define BIND_INT(o, s, i, v)   (o)->bind_i64(s, i, (int64_t)(v))
#define BIND_SLOT(o, s, i, v)  (o)->bind_i64(s, i, (int64_t)(v))
#define BIND_I64(o, s, i, v)   (o)->bind_i64(s, i, v)
#define BIND_U64(o, s, i, v)   (o)->bind_u64(s, i, v)
#define BIND_F64(o, s, i, v)   (o)->bind_f64(s, i, v)
#define BIND_TEXT(o, s, i, v)  (o)->bind_text(s, i, v)
#define BIND(col, kind, field) BIND_##kind(o, s, ++i, x->field);

static void bind_swap(const struct store_ops *o, struct store_stmt *s, const struct swap_event *x)
{
    int i = 0;
    SWAP_COLUMNS(BIND)
}

static void bind_transfer(const struct store_ops *o, struct store_stmt *s,
                          const struct transfer_event *x)
{
    int i = 0;
    TRANSFER_COLUMNS(BIND)
}

static void bind_price(const struct store_ops *o, struct store_stmt *s, const struct price_event *x)
{
    int i = 0;
    PRICE_COLUMNS(BIND)
}

/* The prepared-statement append path (SQLite, and PostgreSQL for small
 * batches): one statement per event kind, bound and stepped per row. */
int store_append_rows(struct store *st, struct store_conn *c, struct store_batch *b, size_t nb)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *sw = NULL, *tr = NULL, *pr = NULL;
    int rc = 0;
    for (size_t bi = 0; bi < nb && rc == 0; bi++) {
        struct store_append_stats *stats = &b[bi].stats;
        for (size_t i = 0; i < b[bi].n && rc == 0; i++) {
            const struct event *e = &b[bi].ev[i];
            struct store_stmt *s;
            if (e->kind == EVENT_SWAP) {
                if (sw == NULL && o->prepare(c, event_sql(EVT_SWAPS)->insert, &sw) != 0) {
                    rc = stmt_err(st, c, "preparing the swap insert");
                    break;
                }
                s = sw;
                bind_swap(o, s, &e->u.swap);
            } else if (e->kind == EVENT_TRANSFER) {
                if (tr == NULL && o->prepare(c, event_sql(EVT_TRANSFERS)->insert, &tr) != 0) {
                    rc = stmt_err(st, c, "preparing the transfer insert");
                    break;
                }
                s = tr;
                bind_transfer(o, s, &e->u.transfer);
            } else {
                if (pr == NULL && o->prepare(c, event_sql(EVT_PRICES)->insert, &pr) != 0) {
                    rc = stmt_err(st, c, "preparing the price insert");
                    break;
                }
                s = pr;
                bind_price(o, s, &e->u.price);
            }
            int r = wr_step(st, s);
            int64_t changed = r < 0 ? 0 : o->changes(s);
            o->reset(s);
            if (r < 0) {
                rc = r == WT_ESTORE && st->fault_fn == NULL ? stmt_err(st, c, "event insert") : r;
                break;
            }
            bool inserted = changed > 0;
            if (b[bi].inserted)
                b[bi].inserted[i] = inserted;
            switch (e->kind) {
            case EVENT_SWAP:
                inserted ? stats->swaps++ : stats->swaps_dup++;
                break;
            case EVENT_TRANSFER:
                inserted ? stats->transfers++ : stats->transfers_dup++;
                break;
            case EVENT_PRICE:
                inserted ? stats->prices++ : stats->prices_dup++;
                break;
            case EVENT_FILL: /* refused by validate_event */
            case EVENT_TICK:
            case EVENT_COMMAND:
                break;
            }
        }
    }
    if (sw != NULL)
        o->finish(sw);
    if (tr != NULL)
        o->finish(tr);
    if (pr != NULL)
        o->finish(pr);
    return rc;
}

static const char SQL_INS_SKIP[] =
    "INSERT INTO skipped_txs (sig, reason, detail, slot, ts_ms, received_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

/* The skip records of the batches, on the writer's open transaction. */
static int append_skips(struct store *st, struct store_conn *c, struct store_batch *b, size_t nb)
{
    const struct store_ops *o = st->ops;
    struct store_stmt *s = NULL;
    int rc = 0;
    for (size_t bi = 0; bi < nb && rc == 0; bi++)
        for (size_t i = 0; i < b[bi].n_skips && rc == 0; i++) {
            const struct store_skip *k = &b[bi].skips[i];
            if (s == NULL && o->prepare(c, SQL_INS_SKIP, &s) != 0)
                return stmt_err(st, c, "preparing the skip insert");
            o->bind_text(s, 1, k->sig);
            o->bind_text(s, 2, k->reason ? k->reason : "?");
            o->bind_text(s, 3, k->detail);
            o->bind_i64(s, 4, (int64_t)k->slot); /* u64 as its signed reinterpretation */
            o->bind_i64(s, 5, k->ts_ms);
            o->bind_i64(s, 6, k->received_ms);
            int r = wr_step(st, s);
            o->reset(s);
            if (r < 0)
                rc = r == WT_ESTORE && st->fault_fn == NULL ? stmt_err(st, c, "skip insert") : r;
        }
    if (s)
        o->finish(s);
    return rc;
}

static bool skip_text_ok(const char *s, size_t size)
{
    const char *end = memchr(s, '\0', size);
    if (end == NULL)
        return false;
    for (; s < end; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false; /* printable ASCII only: valid text on both backends */
    return true;
}

/* The last swap of each mint (migration 18): swap_mint_last holds, per
 * mint, the (ts_ms, id) of its latest swap, instead of an index entry per
 * swap. After the rows of an append are in, the latest newly stored swap
 * of each mint it touched (largest ts_ms, then the later one in submission
 * order, which is id order on both backends) is upserted, unless the
 * stored one is later: one statement per distinct mint, in the append's
 * transaction, so the table is exactly as current as swaps. The id is
 * found by the swap's unique key. (A window query over the appended rows
 * did the same in one statement, but its sort cost 5 % of the webhook's
 * CPU in a profile.) */
static const char SQL_MINT_LAST[] =
    "INSERT INTO swap_mint_last (mint, ts_ms, id) "
    "SELECT mint, ts_ms, id FROM swaps WHERE sig = $1 AND leg = $2 "
    "ON CONFLICT (mint) DO UPDATE SET ts_ms = excluded.ts_ms, id = excluded.id "
    "WHERE excluded.ts_ms > swap_mint_last.ts_ms OR (excluded.ts_ms = swap_mint_last.ts_ms AND "
    "excluded.id > swap_mint_last.id)";

struct mint_swap {
    const struct swap_event *s;
    size_t seq; /* submission order across the batches */
};

/* By mint, then latest first: (ts_ms, seq) descending. */
static int cmp_mint_latest(const void *x, const void *y)
{
    const struct mint_swap *a = x, *b = y;
    int c = memcmp(a->s->mint.b, b->s->mint.b, sizeof a->s->mint.b);
    if (c)
        return c;
    if (a->s->ts_ms != b->s->ts_ms)
        return a->s->ts_ms > b->s->ts_ms ? -1 : 1;
    return a->seq > b->seq ? -1 : a->seq < b->seq;
}

static int mint_last_update(struct store *st, struct store_conn *c, const struct store_batch *b,
                            size_t nb)
{
    size_t n = 0, seq = 0;
    for (size_t bi = 0; bi < nb; bi++)
        n += b[bi].stats.swaps;
    if (n == 0)
        return 0;
    struct mint_swap *v = xmalloc(n * sizeof *v);
    size_t k = 0;
    for (size_t bi = 0; bi < nb; bi++)
        for (size_t i = 0; i < b[bi].n; i++, seq++)
            if (b[bi].ev[i].kind == EVENT_SWAP && b[bi].inserted[i] && k < n)
                v[k++] = (struct mint_swap){&b[bi].ev[i].u.swap, seq};
    qsort(v, k, sizeof *v, cmp_mint_latest);
    const struct store_ops *o = st->ops;
    struct store_stmt *s = NULL;
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++) {
        if (i > 0 && memcmp(v[i].s->mint.b, v[i - 1].s->mint.b, sizeof v[i].s->mint.b) == 0)
            continue; /* an earlier swap of the same mint */
        if (s == NULL && o->prepare(c, SQL_MINT_LAST, &s) != 0) {
            rc = stmt_err(st, c, "preparing the last swap of each mint");
            break;
        }
        o->bind_blob(s, 1, v[i].s->sig.b, sizeof v[i].s->sig.b);
        o->bind_i64(s, 2, v[i].s->leg);
        /* not an event row: the fault hook does not count it */
        if (o->step(s) < 0)
            rc = stmt_err(st, c, "updating the last swap of each mint");
        o->reset(s);
    }
    if (s != NULL)
        o->finish(s);
    free(v);
    return rc;
}

int store_append_batches(struct store *st, struct store_batch *b, size_t nb)
{
    for (size_t bi = 0; bi < nb; bi++) {
        memset(&b[bi].stats, 0, sizeof b[bi].stats);
        if (b[bi].inserted)
            memset(b[bi].inserted, 0, b[bi].n);
        for (size_t i = 0; i < b[bi].n; i++)
            if (validate_event(&b[bi].ev[i]) != 0) {
                log_warn("store", "refusing batch: event %zu of batch %zu is invalid", i, bi);
                return WT_EINVAL;
            }
        if (store_batch_skips_valid(&b[bi]) == false) {
            log_warn("store", "refusing batch %zu: a skip record is not printable text", bi);
            return WT_EINVAL;
        }
    }
    /* Which events were newly stored is needed for swap_mint_last: kept
     * here when the caller did not ask for it. */
    size_t total = 0;
    for (size_t bi = 0; bi < nb; bi++)
        total += b[bi].inserted ? 0 : b[bi].n;
    /* own: the flags lent to the batches, then one byte per batch saying
     * whether it was lent them */
    uint8_t *own = xcalloc(total + nb + 1, 1), *lent = own + total;
    for (size_t bi = 0, off = 0; bi < nb; bi++)
        if (!b[bi].inserted) {
            b[bi].inserted = own + off;
            lent[bi] = 1;
            off += b[bi].n;
        }
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc == 0) {
        rc = st->ops->append_events != NULL ? st->ops->append_events(st, c, b, nb)
                                            : store_append_rows(st, c, b, nb);
        if (rc == 0)
            rc = mint_last_update(st, c, b, nb);
        if (rc == 0)
            rc = append_skips(st, c, b, nb);
        rc = wr_end(st, c, rc);
    }
    for (size_t bi = 0; bi < nb; bi++)
        if (lent[bi])
            b[bi].inserted = NULL;
    free(own);
    if (rc != 0)
        for (size_t bi = 0; bi < nb; bi++) {
            memset(&b[bi].stats, 0, sizeof b[bi].stats);
            if (b[bi].inserted)
                memset(b[bi].inserted, 0, b[bi].n);
        }
    return rc;
}

bool store_batch_skips_valid(const struct store_batch *b)
{
    for (size_t i = 0; i < b->n_skips; i++) {
        const struct store_skip *k = &b->skips[i];
        if (!skip_text_ok(k->sig, sizeof k->sig) || !skip_text_ok(k->detail, sizeof k->detail) ||
            (k->reason && !skip_text_ok(k->reason, strlen(k->reason) + 1)))
            return false;
    }
    return true;
}

int store_skips_prune(struct store *st, int64_t before_ms, int64_t keep_max)
{
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = wr_begin(st, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (o->prepare(c, "DELETE FROM skipped_txs WHERE received_ms < $1", &s) != 0) {
        rc = stmt_err(st, c, "pruning skip records");
        goto out;
    }
    o->bind_i64(s, 1, before_ms);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    o->finish(s);
    if (rc == 0 && keep_max > 0) {
        /* ids grow with insertion: the newest keep_max have the highest. */
        if (o->prepare(c,
                       "DELETE FROM skipped_txs WHERE id <= "
                       "(SELECT MAX(id) FROM skipped_txs) - $1",
                       &s) != 0) {
            rc = stmt_err(st, c, "pruning skip records");
            goto out;
        }
        o->bind_i64(s, 1, keep_max);
        rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
        o->finish(s);
    }
out:
    return wr_end(st, c, rc);
}

int store_skips_count(struct store *st, int64_t *n, char *sig, size_t sigsize, char *reason,
                      size_t reasonsize)
{
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = o->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    *n = 0;
    if (sig && sigsize)
        sig[0] = '\0';
    if (reason && reasonsize)
        reason[0] = '\0';
    if (o->prepare(c, "SELECT COUNT(*) FROM skipped_txs", &s) != 0) {
        rc = stmt_err(st, c, "counting skip records");
        goto out;
    }
    if (o->step(s) == 1)
        *n = o->col_i64(s, 0);
    o->finish(s);
    if (o->prepare(c, "SELECT sig, reason FROM skipped_txs ORDER BY id DESC LIMIT 1", &s) != 0) {
        rc = stmt_err(st, c, "reading skip records");
        goto out;
    }
    if (o->step(s) == 1) {
        if (sig && sigsize)
            snprintf(sig, sigsize, "%s", o->col_text(s, 0));
        if (reason && reasonsize)
            snprintf(reason, reasonsize, "%s", o->col_text(s, 1));
    }
    o->finish(s);
out:
    o->release(st, c);
    return rc;
}

int store_append_events(struct store *st, const struct event *ev, size_t n,
                        struct store_append_stats *out)
{
    struct store_batch b = {.ev = ev, .n = n};
    int rc = store_append_batches(st, &b, 1);
    if (out != NULL)
        *out = b.stats;
    return rc;
}

#define READ_SIG(o, s, i, v)                                                                       \
    if ((o)->col_blob(s, i, (v).b, sizeof(v).b) != 0)                                              \
        return WT_EPARSE;
#define READ_KEY(o, s, i, v)  READ_SIG(o, s, i, v)
#define READ_INT(o, s, i, v)  (v) = (o)->col_i64(s, i);
#define READ_SLOT(o, s, i, v) (v) = (uint64_t)(o)->col_i64(s, i);
#define READ_I64(o, s, i, v)  (v) = (o)->col_i64(s, i);
#define READ_U64(o, s, i, v)  (v) = (o)->col_u64(s, i);
#define READ_F64(o, s, i, v)  (v) = (o)->col_f64(s, i);
#define READ_TEXT(o, s, i, v)                                                                      \
    if (str_copy(v, sizeof(v), (o)->col_text(s, i)) != 0)                                          \
        return WT_ETOOBIG;
#define READ(col, kind, field) READ_##kind(o, s, ++i, x->field)

/* One row of SWAP_SELECT. */
static int read_swap(struct store *st, struct store_stmt *s, struct stored_swap *out)
{
    const struct store_ops *o = st->ops;
    memset(out, 0, sizeof *out);
    struct swap_event *x = &out->swap;
    out->id = o->col_i64(s, 0);
    int i = 0;
    SWAP_COLUMNS(READ)
    return 0;
}

/* Runs a prepared swap query and reads up to cap rows. */
static int read_swaps(struct store *st, struct store_conn *c, struct store_stmt *s,
                      struct stored_swap *out, size_t cap, size_t *n)
{
    *n = 0;
    int r = 0;
    while (*n < cap && (r = st->ops->step(s)) == 1) {
        int rc = read_swap(st, s, &out[*n]);
        if (rc != 0)
            return rc;
        (*n)++;
    }
    if (*n < cap && r < 0)
        return stmt_err(st, c, "reading swaps");
    return 0;
}

/* One keyset page of swaps after (cur_ts, cur_id) in (ts_ms, id) order,
 * of one wallet or of all (wallet NULL), below to_ms. Two index seeks, never
 * a row-value comparison: SQLite seeks an index on (.., ts_ms) + rowid only
 * by "ts_ms = ? AND rowid > ?" or by a range on ts_ms, so "(ts_ms, id) >
 * (?, ?)" walked every row of the cursor's millisecond again on each page,
 * quadratic when many swaps share one (measured: 14 us per swap warming
 * 642k swaps of two timestamps, 2 us on a simulated market; the unit test
 * counts SQLite's steps). First the rest of the cursor's millisecond, then
 * the rows after it. */
static const char *const SQL_PAGE[2][2] = {
    {"SELECT " SWAP_SELECT " FROM swaps WHERE ts_ms = $1 AND id > $2 ORDER BY id LIMIT $3",
     "SELECT " SWAP_SELECT
     " FROM swaps WHERE ts_ms > $1 AND ts_ms < $2 ORDER BY ts_ms, id LIMIT $3"},
    {"SELECT " SWAP_SELECT " FROM swaps WHERE ts_ms = $1 AND id > $2 AND wallet = $4 ORDER BY id "
     "LIMIT $3",
     "SELECT " SWAP_SELECT " FROM swaps WHERE ts_ms > $1 AND ts_ms <= $2 AND wallet = $4 ORDER BY "
     "ts_ms, id LIMIT $3"},
};

/* to_ms bounds the page: exclusive for the scan (wallet NULL), inclusive
 * for one wallet's pages (INT64_MAX: every row). */
static int swaps_page(struct store *st, const struct pubkey *wallet, int64_t cur_ts, int64_t cur_id,
                      int64_t to_ms, struct stored_swap *out, size_t cap, size_t *n)
{
    const struct store_ops *o = st->ops;
    *n = 0;
    struct store_conn *c;
    int rc = o->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    bool inclusive = wallet != NULL;
    for (int step = 0; step < 2 && rc == 0 && *n < cap; step++) {
        if (step == 0 && (inclusive ? cur_ts > to_ms : cur_ts >= to_ms))
            continue;
        if (step == 1 && cur_ts == INT64_MAX)
            break;
        struct store_stmt *s;
        if (o->prepare(c, SQL_PAGE[wallet != NULL][step], &s) != 0) {
            rc = stmt_err(st, c, "preparing a swap page");
            break;
        }
        o->bind_i64(s, 1, cur_ts);
        o->bind_i64(s, 2, step == 0 ? cur_id : to_ms);
        o->bind_i64(s, 3, (int64_t)(cap - *n));
        if (wallet != NULL)
            o->bind_blob(s, 4, wallet->b, 32);
        size_t got = 0;
        rc = read_swaps(st, c, s, out + *n, cap - *n, &got);
        o->finish(s);
        *n += got;
    }
    o->release(st, c);
    return rc;
}

int store_swaps_by_wallet(struct store *st, const struct pubkey *wallet, struct swap_cursor *cur,
                          struct stored_swap *out, size_t cap, size_t *n)
{
    *n = 0;
    if (cap == 0)
        return 0;
    int rc = swaps_page(st, wallet, cur->ts_ms, cur->id, INT64_MAX, out, cap, n);
    if (rc == 0 && *n > 0) {
        cur->ts_ms = out[*n - 1].swap.ts_ms;
        cur->id = out[*n - 1].id;
    }
    return rc;
}

int store_swap_last_of_mint(struct store *st, const struct pubkey *mint, struct stored_swap *out)
{
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st,
                      "SELECT " SWAP_SELECT
                      " FROM swaps WHERE id = (SELECT id FROM swap_mint_last WHERE mint = $1)",
                      "preparing last swap of mint", &c, &s);
    if (rc != 0)
        return rc;
    st->ops->bind_blob(s, 1, mint->b, 32);
    size_t n = 0;
    rc = read_swaps(st, c, s, out, 1, &n);
    if (rc == 0 && n == 0)
        rc = WT_ENOTFOUND;
    return rd_end(st, c, s, rc);
}

#define SCAN_PAGE 2048

int store_swaps_scan(struct store *st, int64_t from_ms, int64_t to_ms,
                     int (*fn)(void *ctx, const struct stored_swap *s), void *ctx)
{
    struct stored_swap *page = xmalloc(SCAN_PAGE * sizeof *page);
    /* (from_ms, -1): every row at from_ms itself (ids are >= 1), then on. */
    struct swap_cursor cur = {from_ms, -1};
    int rc = 0;
    for (;;) {
        size_t n = 0;
        if ((rc = swaps_page(st, NULL, cur.ts_ms, cur.id, to_ms, page, SCAN_PAGE, &n)) != 0)
            break;
        for (size_t i = 0; i < n; i++) {
            rc = fn(ctx, &page[i]);
            if (rc != 0)
                goto out;
        }
        if (n < SCAN_PAGE)
            break;
        cur.ts_ms = page[n - 1].swap.ts_ms;
        cur.id = page[n - 1].id;
    }
out:
    free(page);
    return rc;
}

/* Three int64 columns of one row of sql into out. */
static int three_i64(struct store *st, const char *sql, int64_t out[3], const char *what)
{
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, sql, what, &c, &s);
    if (rc != 0)
        return rc;
    if (st->ops->step(s) == 1)
        for (int i = 0; i < 3; i++)
            out[i] = st->ops->col_i64(s, i);
    else
        rc = stmt_err(st, c, what);
    return rd_end(st, c, s, rc);
}

int store_count_events(struct store *st, int64_t *swaps, int64_t *transfers, int64_t *prices)
{
    int64_t n[3] = {0, 0, 0};
    int rc = three_i64(st,
                       "SELECT (SELECT count(*) FROM swaps), (SELECT count(*) FROM transfers), "
                       "(SELECT count(*) FROM prices)",
                       n, "counting events");
    if (rc == 0) {
        *swaps = n[0];
        *transfers = n[1];
        *prices = n[2];
    }
    return rc;
}

int store_equity_marks_thin(struct store *st, const char *mode, int64_t from_ms, int64_t before_ms,
                            int64_t bucket_ms, int64_t *deleted)
{
    if (deleted)
        *deleted = 0;
    if (!mode || bucket_ms <= 0 || before_ms < from_ms)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    struct store_stmt *s;
    /* Per bucket, the rank of each sample from the lowest equity and from
     * the highest; only those first in neither go. Both backends have
     * window functions; integer division buckets the times. */
    int rc = wr_begin_stmt(
        st,
        "DELETE FROM equity_marks WHERE id IN (SELECT id FROM (SELECT id, "
        "row_number() OVER (PARTITION BY ts_ms / $4 ORDER BY equity_lamports, id) AS lo, "
        "row_number() OVER (PARTITION BY ts_ms / $4 ORDER BY equity_lamports DESC, id) "
        "AS hi FROM equity_marks WHERE mode = $1 AND ts_ms >= $2 AND ts_ms < $3) AS t "
        "WHERE lo > 1 AND hi > 1)",
        "thinning the equity marks", &c, &s);
    if (rc != 0)
        return rc;
    o->bind_text(s, 1, mode);
    o->bind_i64(s, 2, from_ms);
    o->bind_i64(s, 3, before_ms);
    o->bind_i64(s, 4, bucket_ms);
    rc = wr_step(st, s) < 0 ? WT_ESTORE : 0;
    if (rc == 0 && deleted)
        *deleted = o->changes(s);
    o->finish(s);
    return wr_end(st, c, rc);
}

int store_db_size(struct store *st, int64_t *bytes)
{
    int64_t v[3] = {0, 0, 0};
    int rc = three_i64(st,
                       strcmp(store_backend(st), "postgresql") == 0
                           ? "SELECT pg_database_size(current_database()), 0, 0"
                           : "SELECT (SELECT page_count FROM pragma_page_count()) * "
                             "(SELECT page_size FROM pragma_page_size()), 0, 0",
                       v, "reading the database's size");
    if (rc == 0)
        *bytes = v[0];
    return rc;
}

int store_swap_ids(struct store *st, const struct swap_event *const *sw, size_t n, int64_t *ids)
{
    if (n == 0)
        return 0;
    struct store_conn *c;
    struct store_stmt *s;
    const char *what = "looking up stored swaps by key";
    int rc = rd_begin(st, "SELECT id FROM swaps WHERE sig = $1 AND leg = $2", what, &c, &s);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        st->ops->reset(s);
        st->ops->bind_blob(s, 1, sw[i]->sig.b, sizeof sw[i]->sig.b);
        st->ops->bind_i64(s, 2, sw[i]->leg);
        int r = st->ops->step(s);
        if (r == 1)
            ids[i] = st->ops->col_i64(s, 0);
        else if (r == 0)
            ids[i] = 0;
        else
            rc = stmt_err(st, c, what);
    }
    return rd_end(st, c, s, rc);
}

int store_swaps_latest_ts(struct store *st, int64_t *out)
{
    /* max(id) says whether there is a swap; both maxima are index lookups */
    int64_t v[3] = {0, 0, 0};
    int rc = three_i64(st,
                       "SELECT (SELECT coalesce(max(ts_ms), 0) FROM swaps), (SELECT "
                       "coalesce(max(id), 0) FROM swaps), 0",
                       v, "reading the latest swap's time");
    if (rc == 0)
        *out = v[1] > 0 ? v[0] : INT64_MIN;
    return rc;
}

/* ---- the engine journal's reads: events in id order ---------------------- */

#define TRANSFER_SELECT "id" TRANSFER_COLUMNS(EVENT_COL_SELECT)
#define PRICE_SELECT    "id" PRICE_COLUMNS(EVENT_COL_SELECT)

/* One row of an id-ordered read of kind into ev. */
static int read_event(struct store *st, struct store_stmt *s, enum event_kind kind,
                      struct event *ev)
{
    const struct store_ops *o = st->ops;
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    int i = 0;
    if (kind == EVENT_SWAP) {
        struct swap_event *x = &ev->u.swap;
        SWAP_COLUMNS(READ)
    } else if (kind == EVENT_TRANSFER) {
        struct transfer_event *x = &ev->u.transfer;
        TRANSFER_COLUMNS(READ)
    } else {
        struct price_event *x = &ev->u.price;
        PRICE_COLUMNS(READ)
    }
    return 0;
}

int store_events_after(struct store *st, enum event_kind kind, int64_t after_id, struct event *out,
                       int64_t *ids, size_t cap, size_t *n)
{
    static const char *const sql[] = {
        "SELECT " SWAP_SELECT " FROM swaps WHERE id > $1 ORDER BY id LIMIT $2",
        "SELECT " TRANSFER_SELECT " FROM transfers WHERE id > $1 ORDER BY id LIMIT $2",
        "SELECT " PRICE_SELECT " FROM prices WHERE id > $1 ORDER BY id LIMIT $2",
    };
    *n = 0;
    int t = kind == EVENT_SWAP ? 0 : kind == EVENT_TRANSFER ? 1 : kind == EVENT_PRICE ? 2 : -1;
    if (t < 0)
        return WT_EINVAL;
    const struct store_ops *o = st->ops;
    struct store_conn *c;
    int rc = o->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (o->prepare(c, sql[t], &s) != 0) {
        rc = stmt_err(st, c, "preparing an event read");
        goto out;
    }
    o->bind_i64(s, 1, after_id);
    o->bind_i64(s, 2, (int64_t)cap);
    int r = 0;
    while (*n < cap && (r = o->step(s)) == 1) {
        ids[*n] = o->col_i64(s, 0);
        if ((rc = read_event(st, s, kind, &out[*n])) != 0)
            break;
        (*n)++;
    }
    if (rc == 0 && *n < cap && r < 0)
        rc = stmt_err(st, c, "reading events");
    o->finish(s);
out:
    o->release(st, c);
    return rc;
}

int store_events_max_ids(struct store *st, int64_t ids[3])
{
    return three_i64(st,
                     "SELECT (SELECT coalesce(max(id), 0) FROM swaps), (SELECT coalesce(max(id), "
                     "0) FROM transfers), (SELECT coalesce(max(id), 0) FROM prices)",
                     ids, "reading the last event ids");
}
