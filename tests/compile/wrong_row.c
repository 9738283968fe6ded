/* Compiled, never linked, by the ctest unit/store_typed_rows
 * (tests/compile/expect_fail.cmake) with the project's C flags. Without
 * WT_WRONG_ROW it passes each typed store wrapper its own struct and must
 * compile; with WT_WRONG_ROW=1..5 it passes the wrong struct to one of them
 * and must not: the typed API of store.h (STORE_ROW_TYPES) turns what the
 * generic store_row_put(st, STORE_T_SIGNALS, &order, NULL) accepted into a
 * compile error. With WT_WRONG_ROW=9 it makes that generic call, which
 * compiles (the hole the typed wrappers close). */
#include "store/store.h"

int wrong_row(struct store *st);

int wrong_row(struct store *st)
{
    struct order_row order = {0};
    struct signal_row signal = {0};
    struct row_query q = {.limit = 1};
    size_t n = 0;
    (void)order;
    (void)signal;
    (void)q;
    (void)n;
#if !defined(WT_WRONG_ROW)
    return store_put_signal(st, &signal, NULL) | store_update_order(st, &order) |
           store_list_signal(st, &q, &signal, &n) | store_get_order(st, 1, &order) |
           store_put_many_signal(st, &signal, 1) |
           store_write_batch(st, (struct store_write[]){store_write_order(&order, true)}, 1);
#elif WT_WRONG_ROW == 1
    return store_put_signal(st, &order, NULL); /* an order as a signal */
#elif WT_WRONG_ROW == 2
    return store_list_signal(st, &q, &order, &n); /* read signals into orders */
#elif WT_WRONG_ROW == 3
    return store_get_order(st, 1, &signal);
#elif WT_WRONG_ROW == 4
    return store_put_many_signal(st, &order, 1);
#elif WT_WRONG_ROW == 5
    /* the engine's batched writes: an order written as a signal */
    return store_write_batch(st, (struct store_write[]){store_write_signal(&order, true)}, 1);
#elif WT_WRONG_ROW == 9
    return store_row_put(st, STORE_T_SIGNALS, &order, NULL); /* generic: compiles */
#endif
}
