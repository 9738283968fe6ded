/* SQLite's page cache without the lock page's number.
 *
 * SQLite before 3.43 (Debian 12 ships 3.40.1) puts the pages of a B-tree
 * split in ascending order by swapping their numbers through a temporary
 * one, the lock page's (PENDING_BYTE / page size + 1: 262,145 with 4 KiB
 * pages; btree.c, balance_nonroot). Its default page cache (pcache1)
 * remembers the largest number it ever held and never lowers it when the
 * page moves on, so in a database under 1 GiB the largest number stays
 * far past the end of the file; at every commit the pager truncates the
 * cache to the file's size, and with the largest number that far away
 * pcache1 walks its whole hash table instead of the few buckets past the
 * end. The cost is the number of cached pages at nearly every commit (4–5
 * % of the webhook's CPU at the writer's 16 MB cache; docs/performance.md).
 * Later SQLite swaps through a number just past the end of the file.
 *
 * This wraps the default page cache and does the same: a move to the
 * lock page's number is given to the inner cache as the number just past
 * the largest one this cache has held (the cache is that page's only
 * holder while the three moves of the swap last, and nothing fetches it
 * by number meanwhile; a fetch of the lock page's number while the swap
 * lasts is mapped too), and the move away from it is mapped back.
 * Everything else passes through unchanged. SQLite's newer versions never
 * move to the lock page's number, so the wrapper then changes nothing.
 *
 * Process-wide: SQLite takes a page cache only before it initialises. */
#ifndef WT_STORE_SQLITE_PCACHE_H
#define WT_STORE_SQLITE_PCACHE_H

#include <stdbool.h>
#include <stdint.h>

/* Installs the wrapper around SQLite's current page cache. Only before
 * SQLite initialises (or after sqlite3_shutdown): returns 0, or -1 when
 * SQLite has already initialised (nothing changes). Installing twice is
 * harmless. */
int sqlite_pcache_install(void);

/* Puts back the page cache the wrapper wrapped (for benchmarks that
 * compare the two in one process; same rule as install). Returns 0 or -1. */
int sqlite_pcache_uninstall(void);

struct sqlite_pcache_stats {
    bool installed;
    uint64_t lock_page_moves; /* moves to the lock page's number given another */
    uint32_t max_key;         /* the largest page number handed to an inner cache */
};

void sqlite_pcache_stats(struct sqlite_pcache_stats *out);

/* Test hook: when false the wrapper passes moves to the lock page's number
 * through unchanged, as if it were not there (default true). */
void sqlite_pcache_set_remap(bool on);

#endif
