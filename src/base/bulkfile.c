/* Large sequential output files written with O_DIRECT. See bulkfile.h.
 *
 * O_DIRECT wants the buffer address, the length and the file offset of
 * each write aligned to the device's logical block. Every block written
 * here is a full 4 MiB buffer from an aligned allocation, so all three
 * stay aligned to BLOCK (4096, the largest logical block in common use);
 * only the tail, at close, is shorter, and it goes out in two parts: its
 * aligned head directly, the rest after O_DIRECT is cleared. If the file
 * system turns down a direct write (EINVAL: a larger alignment, or no
 * support that open did not report) or writes only part of a block, the
 * file falls back to the page cache for the rest of its life.
 *
 * A direct write returns once the disk has the data, so full blocks go to
 * a writer thread of the file's own while the caller fills the other
 * buffer: generating and writing overlap. */
#define _GNU_SOURCE /* O_DIRECT; defined before any header */
#include "base/bulkfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"

#define BLOCK 4096
#define CHUNK ((size_t)4 << 20)

/* Two CHUNK buffers: the caller fills buf[cur] while the writer thread
 * writes the other (pending). Invariants: len < CHUNK between calls; both
 * buffers are BLOCK-aligned; while direct, the file offset is a multiple
 * of CHUNK; rc != 0 once anything failed, with the errno of that failure
 * in saved_errno. The writer thread alone touches fd, direct, rc and
 * saved_errno while pending is set; pending, rc and saved_errno are read
 * and written under mu. Without a thread (threaded false), the caller
 * writes each block itself. */
struct bulkfile {
    int fd;
    bool direct, threaded, stop;
    int rc, saved_errno;
    char *buf[2];
    int cur;
    size_t len;
    const char *pending;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static int fail(struct bulkfile *f)
{
    if (!f->rc) {
        f->rc = WT_EIO;
        f->saved_errno = errno ? errno : EIO;
    }
    errno = f->saved_errno;
    return f->rc;
}

static void drop_direct(struct bulkfile *f)
{
#ifdef O_DIRECT
    int fl = fcntl(f->fd, F_GETFL);
    if (fl != -1)
        fcntl(f->fd, F_SETFL, fl & ~O_DIRECT);
#endif
    f->direct = false;
}

static int write_out(struct bulkfile *f, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(f->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == EINVAL && f->direct) {
            drop_direct(f);
            continue;
        }
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return fail(f);
        }
        if ((size_t)k < n && f->direct) /* the offset is no longer aligned */
            drop_direct(f);
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void *writer(void *arg)
{
    struct bulkfile *f = arg;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->pending && !f->stop)
            pthread_cond_wait(&f->cv, &f->mu);
        if (!f->pending)
            break;
        const char *p = f->pending;
        bool failed = f->rc != 0;
        pthread_mutex_unlock(&f->mu);
        if (!failed)
            write_out(f, p, CHUNK); /* sets rc on failure */
        pthread_mutex_lock(&f->mu);
        f->pending = NULL;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* Waits until the writer thread has no block; returns rc. */
static int wait_idle(struct bulkfile *f)
{
    pthread_mutex_lock(&f->mu);
    while (f->pending)
        pthread_cond_wait(&f->cv, &f->mu);
    int rc = f->rc;
    pthread_mutex_unlock(&f->mu);
    if (rc)
        errno = f->saved_errno;
    return rc;
}

/* buf[cur] is full: writes it, or hands it to the writer thread and
 * switches to the other buffer once that one is written. */
static int flush_block(struct bulkfile *f)
{
    if (!f->threaded) {
        f->len = 0;
        return write_out(f, f->buf[f->cur], CHUNK);
    }
    int rc = wait_idle(f);
    if (rc)
        return rc;
    pthread_mutex_lock(&f->mu);
    f->pending = f->buf[f->cur];
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    f->cur ^= 1;
    f->len = 0;
    return 0;
}

int bulkfile_open(const char *path, int flags, struct bulkfile **out)
{
    int oflags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, fd = -1;
    bool direct = false;
    *out = NULL;
#ifdef O_DIRECT
    if (!(flags & BULKFILE_CACHED)) {
        fd = open(path, oflags | O_DIRECT, 0600);
        direct = fd >= 0;
        if (fd < 0 && errno != EINVAL) /* EINVAL: no O_DIRECT here (tmpfs, ...) */
            return WT_EIO;
    }
#else
    (void)flags;
#endif
    if (fd < 0)
        fd = open(path, oflags, 0600);
    if (fd < 0)
        return WT_EIO;
    struct bulkfile *f = xcalloc(1, sizeof *f);
    f->fd = fd;
    f->direct = direct;
    f->buf[0] = xmemalign(BLOCK, CHUNK);
    f->buf[1] = xmemalign(BLOCK, CHUNK);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    /* Without a thread the blocks are written in line, one at a time. */
    f->threaded = pthread_create(&f->thread, NULL, writer, f) == 0;
    *out = f;
    return 0;
}

int bulkfile_write(struct bulkfile *f, const void *p, size_t n)
{
    const char *s = p;
    if (!f->threaded && f->rc) {
        errno = f->saved_errno;
        return f->rc;
    }
    while (n) {
        size_t k = CHUNK - f->len < n ? CHUNK - f->len : n;
        memcpy(f->buf[f->cur] + f->len, s, k);
        f->len += k;
        s += k;
        n -= k;
        if (f->len == CHUNK) {
            int rc = flush_block(f);
            if (rc)
                return rc;
        }
    }
    return 0;
}

bool bulkfile_direct(struct bulkfile *f)
{
    if (f->threaded)
        wait_idle(f); /* the writer thread may clear it */
    return f->direct;
}

int bulkfile_close(struct bulkfile *f)
{
    if (!f)
        return 0;
    if (f->threaded) {
        wait_idle(f);
        pthread_mutex_lock(&f->mu);
        f->stop = true;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
        pthread_join(f->thread, NULL);
    }
    /* The tail, on this thread: its aligned head directly, the rest
     * through the page cache. */
    if (!f->rc && f->len) {
        const char *b = f->buf[f->cur];
        size_t head = f->direct ? f->len / BLOCK * BLOCK : 0;
        if (head == 0 || write_out(f, b, head) == 0) {
            if (f->direct)
                drop_direct(f);
            write_out(f, b + head, f->len - head);
        }
    }
    if (close(f->fd) != 0)
        fail(f);
    int rc = f->rc, e = f->saved_errno;
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f->buf[0]);
    free(f->buf[1]);
    free(f);
    if (rc)
        errno = e;
    return rc;
}
