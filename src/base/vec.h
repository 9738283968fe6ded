/* Type-generic growable array.
 *
 *     VEC(struct swap) swaps = {0};
 *     vec_push(&swaps, s);
 *     for (size_t i = 0; i < swaps.len; i++) use(&swaps.v[i]);
 *     vec_free(&swaps);
 *
 * Invariant: len <= cap; v is NULL when cap is 0. Not thread-safe. */
#ifndef WT_BASE_VEC_H
#define WT_BASE_VEC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h> /* memset, for vec_push_zero */

#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t len;                                                                                \
        size_t cap;                                                                                \
    }

/* Grows *data so that it holds at least `need` elements of `size` bytes.
 * Aborts when memory runs out. Used by the macros below. */
void vec_grow_(void **data, size_t *cap, size_t need, size_t size);

#define vec_reserve(vp, n)                                                                         \
    ((n) > (vp)->cap ? vec_grow_((void **)&(vp)->v, &(vp)->cap, (n), sizeof *(vp)->v) : (void)0)
#define vec_push(vp, x) (vec_reserve((vp), (vp)->len + 1), (vp)->v[(vp)->len++] = (x))
/* Appends one zeroed element and returns a pointer to it. */
#define vec_push_zero(vp)                                                                          \
    (vec_reserve((vp), (vp)->len + 1), memset(&(vp)->v[(vp)->len], 0, sizeof *(vp)->v),            \
     &(vp)->v[(vp)->len++])
#define vec_clear(vp) ((vp)->len = 0)
#define vec_free(vp)  (free((vp)->v), (vp)->v = NULL, (vp)->len = 0, (vp)->cap = 0)

#endif
