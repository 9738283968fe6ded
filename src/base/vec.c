/* Growth helper for the VEC macros. */
#include "base/vec.h"

#include "base/mem.h"

void vec_grow_(void **data, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    *data = xreallocarray(*data, c, size);
    *cap = c;
}
