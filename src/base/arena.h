/* Bump allocator for request- and batch-scoped memory (nginx pools).
 *
 * Allocations come from chunks and are freed all at once by arena_reset
 * or arena_release; there is no per-allocation free. Invariant: every chunk
 * in the list has used <= size. Not thread-safe. */
#ifndef WT_BASE_ARENA_H
#define WT_BASE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* chunk being filled; older ones follow */
    size_t chunk_size;        /* default size of a new chunk */
    size_t total;             /* bytes handed out since the last reset */
};

/* Initialises an arena whose chunks are chunk_size bytes (0: 64 KiB).
 * Allocates nothing until the first allocation. */
void arena_init(struct arena *a, size_t chunk_size);
/* Frees every chunk. */
void arena_release(struct arena *a);
/* Forgets every allocation but keeps the first chunk for reuse. */
void arena_reset(struct arena *a);
/* Returns n bytes aligned to 16, valid until the next reset or release.
 * Never NULL (aborts when memory runs out). */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n);
/* Copies s[0..n) plus a NUL into the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

#endif
