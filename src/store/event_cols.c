/* The event tables' SQL, generated once from their column lists
 * (store/event_cols.h). */
#include "store/event_cols.h"

#include <pthread.h>
#include <stdio.h>

#include "base/buf.h"

#define NAME(col, kind, field)    #col,
#define PG_TYPE_SIG               "bytea"
#define PG_TYPE_KEY               "bytea"
#define PG_TYPE_INT               "int"
#define PG_TYPE_SLOT              "bigint"
#define PG_TYPE_I64               "bigint"
#define PG_TYPE_U64               "numeric(20,0)"
#define PG_TYPE_F64               "double precision"
#define PG_TYPE_TEXT              "text"
#define PG_TYPE(col, kind, field) PG_TYPE_##kind,

static const char *const swap_names[] = {SWAP_COLUMNS(NAME)};
static const char *const transfer_names[] = {TRANSFER_COLUMNS(NAME)};
static const char *const price_names[] = {PRICE_COLUMNS(NAME)};
static const char *const swap_pg[] = {SWAP_COLUMNS(PG_TYPE)};
static const char *const transfer_pg[] = {TRANSFER_COLUMNS(PG_TYPE)};
static const char *const price_pg[] = {PRICE_COLUMNS(PG_TYPE)};

/* What is not a column: the table, its unique key (the duplicate rule). */
static const struct {
    const char *table;
    const char *const *names, *const *pg_types;
    size_t n;
    const char *const key[3];
} tables[EVT_TABLES] = {
    [EVT_SWAPS] = {"swaps",
                   swap_names,
                   swap_pg,
                   sizeof swap_names / sizeof *swap_names,
                   {"sig", "leg", NULL}},
    [EVT_TRANSFERS] = {"transfers",
                       transfer_names,
                       transfer_pg,
                       sizeof transfer_names / sizeof *transfer_names,
                       {"sig", "leg", NULL}},
    [EVT_PRICES] = {"prices",
                    price_names,
                    price_pg,
                    sizeof price_names / sizeof *price_names,
                    {"mint", "ts_ms", "source"}},
};

static struct event_sql sql[EVT_TABLES];
static char *stage_all;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* "p.a, p.b" (p empty: "a, b") joined by sep. */
static void list(struct buf *b, const char *const *names, size_t n, const char *prefix,
                 const char *sep)
{
    for (size_t i = 0; i < n && names[i]; i++)
        buf_printf(b, "%s%s%s", i ? sep : "", prefix, names[i]);
}

static size_t key_len(const char *const *key)
{
    size_t n = 0;
    while (n < 3 && key[n])
        n++;
    return n;
}

/* Returns the buffer's text, kept for the life of the process. */
static const char *keep(struct buf *b)
{
    return buf_detach(b, NULL);
}

static void build(void)
{
    struct buf all;
    buf_init(&all, 0);
    for (int t = 0; t < EVT_TABLES; t++) {
        const char *tb = tables[t].table;
        const char *const *nm = tables[t].names;
        size_t n = tables[t].n, nk = key_len(tables[t].key);
        struct event_sql *q = &sql[t];
        q->table = tb;
        q->names = nm;
        q->n_columns = n;

        struct buf b;
        buf_init(&b, 0);
        list(&b, nm, n, "", ", ");
        q->columns = keep(&b);

        buf_init(&b, 0);
        buf_printf(&b, "INSERT INTO %s (%s) VALUES (", tb, q->columns);
        for (size_t i = 0; i < n; i++)
            buf_printf(&b, "%s$%zu", i ? ", " : "", i + 1);
        buf_puts(&b, ") ON CONFLICT (");
        list(&b, tables[t].key, nk, "", ", ");
        buf_puts(&b, ") DO NOTHING");
        q->insert = keep(&b);

        buf_printf(&all, "%sCREATE TEMP TABLE IF NOT EXISTS %s_in (batch int, ord bigint",
                   t ? ";" : "", tb);
        for (size_t i = 0; i < n; i++)
            buf_printf(&all, ", %s %s", nm[i], tables[t].pg_types[i]);
        buf_puts(&all, ") ON COMMIT DELETE ROWS");

        buf_init(&b, 0);
        buf_printf(&b, "COPY %s_in FROM STDIN", tb);
        q->pg_copy = keep(&b);

        /* The first occurrence of each key (in submission order) is the one
         * inserted; the batch and ordinal of each inserted row come back. */
        buf_init(&b, 0);
        buf_printf(&b,
                   "WITH ins AS (INSERT INTO %s (%s) SELECT %s FROM %s_in ORDER BY ord ON "
                   "CONFLICT (",
                   tb, q->columns, q->columns, tb);
        list(&b, tables[t].key, nk, "", ", ");
        buf_puts(&b, ") DO NOTHING RETURNING ");
        list(&b, tables[t].key, nk, "", ", ");
        buf_puts(&b, ") SELECT DISTINCT ON (");
        list(&b, tables[t].key, nk, "i.", ", ");
        buf_printf(&b, ") i.batch, i.ord FROM ins JOIN %s_in i ON ", tb);
        for (size_t k = 0; k < nk; k++)
            buf_printf(&b, "%si.%s = ins.%s", k ? " AND " : "", tables[t].key[k], tables[t].key[k]);
        buf_puts(&b, " ORDER BY ");
        list(&b, tables[t].key, nk, "i.", ", ");
        buf_puts(&b, ", i.ord");
        q->pg_move = keep(&b);
    }
    stage_all = (char *)keep(&all);
}

const struct event_sql *event_sql(enum event_table t)
{
    pthread_once(&once, build);
    return &sql[t];
}

const char *event_sql_pg_stage(void)
{
    pthread_once(&once, build);
    return stage_all;
}
