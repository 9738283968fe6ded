/* The pair map of pairmap.h: linear probing, grown at 3/4 full. */
#include "graph/pairmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void pm_init(struct pair_map *m, size_t cap)
{
    size_t c = 64;
    while (c < cap * 2)
        c *= 2;
    m->cap = c;
    m->len = 0;
    m->keys = xmalloc(c * sizeof *m->keys);
    m->vals = xcalloc(c, sizeof *m->vals);
    memset(m->keys, 0xff, c * sizeof *m->keys);
}

void pm_free(struct pair_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static size_t pm_hash(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static void pm_grow(struct pair_map *m)
{
    struct pair_map n;
    pm_init(&n, m->cap);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] != PM_EMPTY)
            *pm_get(&n, m->keys[i], true) = m->vals[i];
    pm_free(m);
    *m = n;
}

struct pair_val *pm_get(struct pair_map *m, uint64_t k, bool add)
{
    if (add && (m->len + 1) * 4 > m->cap * 3)
        pm_grow(m);
    size_t i = pm_hash(k, m->cap);
    while (m->keys[i] != PM_EMPTY) {
        if (m->keys[i] == k)
            return &m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    if (!add)
        return NULL;
    m->keys[i] = k;
    m->len++;
    m->vals[i].count = 0;
    m->vals[i].first_ms = INT64_MAX;
    m->vals[i].last_ms = INT64_MIN;
    m->vals[i].weight = 0;
    return &m->vals[i];
}

struct pair_val *pm_hit(struct pair_map *m, uint32_t a, uint32_t b, int64_t ts)
{
    struct pair_val *v = pm_get(m, pm_key(a, b), true);
    v->count++;
    if (ts < v->first_ms)
        v->first_ms = ts;
    if (ts > v->last_ms)
        v->last_ms = ts;
    return v;
}
