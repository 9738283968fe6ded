/* Allocation that never returns NULL.
 *
 * Running out of memory is not an error walltrack recovers from: these
 * wrappers print a message and abort (Redis zmalloc, git xmalloc), so callers
 * need no NULL checks. Any thread. */
#ifndef WT_BASE_MEM_H
#define WT_BASE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Array reallocation with overflow check on count * size. */
void *xreallocarray(void *p, size_t count, size_t size);
/* n bytes aligned to align (a power of two, a multiple of sizeof(void *));
 * free() them. */
void *xmemalign(size_t align, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Overwrites n bytes with zeros in a way the compiler may not elide; for
 * secrets before they are freed. */
void mem_wipe(void *p, size_t n);

#endif
