/* An open-addressing map from a pair of 32-bit ids (a << 32 | b) to its
 * evidence: count and the first and last time seen. Shared by the full
 * edge build (graph.c) and the incremental one (graph_live.c). Owned by
 * one thread. */
#ifndef WT_GRAPH_PAIRMAP_H
#define WT_GRAPH_PAIRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pair_val {
    uint32_t count;
    int64_t first_ms, last_ms;
    double weight; /* unused by pm_hit; the incremental build's written edges */
};

struct pair_map {
    uint64_t *keys; /* UINT64_MAX: empty */
    struct pair_val *vals;
    size_t cap, len;
};

#define PM_EMPTY UINT64_MAX

static inline uint64_t pm_key(uint32_t a, uint32_t b)
{
    return (uint64_t)a << 32 | b;
}

/* Sized for about cap pairs. */
void pm_init(struct pair_map *m, size_t cap);
void pm_free(struct pair_map *m);
/* The value of k; with add, a new zero-count one (first INT64_MAX, last
 * INT64_MIN) when absent, else NULL when absent. Pointers are valid until
 * the next add. */
struct pair_val *pm_get(struct pair_map *m, uint64_t k, bool add);
/* One more piece of evidence for (a, b) at ts. Returns its value. */
struct pair_val *pm_hit(struct pair_map *m, uint32_t a, uint32_t b, int64_t ts);

#endif
