/* Sequential writer of one large output file that bypasses the page cache
 * where it can.
 *
 * Writing hundreds of megabytes through the page cache costs more CPU
 * than generating them: on the development VM, copying `walltrack sim
 * generate`'s output into fresh page-cache pages took 0.2 to 1.8 s of
 * system time per 640 MB (docs/performance.md, "Simulator"). A bulkfile
 * gathers the bytes into 4 MiB blocks aligned for O_DIRECT and hands them
 * to the disk without that copy, from a writer thread so that the caller
 * fills the next block meanwhile; the unaligned tail goes through the
 * page cache. Where O_DIRECT is refused (tmpfs, some network file
 * systems, a system without it), it writes through the page cache as
 * usual.
 *
 *     struct bulkfile *f;
 *     if (bulkfile_open(path, 0, &f)) ... errno says why
 *     bulkfile_write(f, p, n); ...
 *     if (bulkfile_close(f)) ... errno says why
 *
 * The file is complete only after bulkfile_close. Errors are sticky: after
 * the first, every call returns it again; a failed block write shows at a
 * later bulkfile_write or at bulkfile_close. One calling thread per
 * bulkfile (which runs a writer thread of its own, about 8 MiB of
 * buffers). */
#ifndef WT_BASE_BULKFILE_H
#define WT_BASE_BULKFILE_H

#include <stdbool.h>
#include <stddef.h>

struct bulkfile;

/* Flags of bulkfile_open. */
enum {
    /* Through the page cache even where O_DIRECT would work: for a file
     * read again at once, and for tests of that path. */
    BULKFILE_CACHED = 1,
};

/* Creates or truncates path (mode 0600 when it is created).
 * flags: 0 or BULKFILE_CACHED. Returns 0 and *out, or WT_EIO with errno
 * set. */
int bulkfile_open(const char *path, int flags, struct bulkfile **out);
/* Appends p[0..n). Returns 0, or WT_EIO with errno set. */
int bulkfile_write(struct bulkfile *f, const void *p, size_t n);
/* Whether the blocks written so far bypassed the page cache (waits for the
 * block being written). */
bool bulkfile_direct(struct bulkfile *f);
/* Writes what is left, closes and frees f (NULL is a no-op). Returns 0, or
 * the first error (WT_EIO, errno set) of the file's whole life. */
int bulkfile_close(struct bulkfile *f);

#endif
