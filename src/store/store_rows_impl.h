/* Private to the row code of src/store (store_rows.c, store_wallets.c):
 * how a row struct is described to the generic code (a column table of
 * name, C type, offset and size per field) and the statement builders,
 * binders and readers that work from such a description.
 *
 * The description lives in one place so that the SQL text, the binds and
 * the reads of a table can never disagree; the wallets table is described
 * with the same macros and read with the same functions. Callers hold a
 * connection from store_impl.h; nothing here takes a lock of its own. */
#ifndef WT_STORE_STORE_ROWS_IMPL_H
#define WT_STORE_STORE_ROWS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store_impl.h"

enum ctype { C_I64, C_U64, C_F64, C_I32, C_BOOL, C_STR, C_STATUS };

struct col {
    const char *name;
    enum ctype type;
    size_t off;
    size_t size;
};

/* Invariants: cols[] excludes id; id_off is the offset of the int64_t id
 * (SIZE_MAX for wallets, which are keyed by address); conflict, when set,
 * names a unique constraint's columns and makes inserts upserts. */
struct table {
    const char *name;
    const struct col *cols;
    size_t ncols;
    size_t row_size;
    size_t id_off;
    const char *key;
    bool key_int;
    const char *conflict;
};

#define COL(T, f, ty)                                                                              \
    {                                                                                              \
#f, ty, offsetof(T, f), sizeof(((T *)0)->f)                                                \
    }

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* The cap of a generated statement's text (its buf's max). */
#define SQL_MAX 4096

/* ---- store_rows.c: statement text, binds and reads of a described table */

/* Appends t's column names, comma-separated (id excluded). */
void store_sql_cols(struct buf *b, const struct table *t);
/* Appends SELECT id, <columns> FROM <table>. */
void store_sql_select(struct buf *b, const struct table *t);
/* Binds row's columns, in t's order, from parameter first on. */
void store_bind_row(const struct store_ops *o, struct store_stmt *s, const struct table *t,
                    const void *row, int first);
/* Every text field NUL-terminated and every double finite. */
int store_check_row(const struct table *t, const void *row);
/* Inserts (or upserts on t's conflict key) row on connection c inside
 * the caller's transaction; *id gets the row's id when id is not NULL.
 * Returns 0 or a negative WT_E... code. */
int store_put_row(struct store *st, struct store_conn *c, const struct table *t, const void *row,
                  int64_t *id);
/* The description of table t (NULL when t is out of range). */
const struct table *store_table_desc(enum store_table t);
/* Runs a read that returns rows of t into rows[0..cap). */
int store_read_rows(struct store *st, struct store_conn *c, struct store_stmt *s,
                    const struct table *t, void *rows, size_t cap, size_t *n);

#endif
