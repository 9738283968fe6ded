/* What graph.c shares with the incremental build (graph_live.c); not for
 * other modules. */
#ifndef WT_GRAPH_GRAPH_IMPL_H
#define WT_GRAPH_GRAPH_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "solana/pubkey.h"

/* The order of wallet keys that breaks ties and orients undirected edges
 * (smaller key first). */
static inline int graph_key_cmp(const uint8_t *a, const uint8_t *b)
{
    return memcmp(a, b, 32);
}

/* The addresses of graph.hubs (comma or space separated) into *out
 * (malloc'd, may be NULL when *n is 0). Returns 0 or WT_EINVAL. */
int graph_hubs_parse(const char *hubs, struct pubkey **out, size_t *n);

#endif
