/* Tests of base/bulkfile: files of every size around the 4 KiB and
 * 4 MiB block boundaries, written in pieces of varied sizes (and one
 * piece larger than a block), read back byte for byte, both where
 * O_DIRECT is available (/tmp on the development machines), through the
 * page cache (BULKFILE_CACHED) and on /dev/shm (tmpfs, where older
 * kernels refuse O_DIRECT); a missing folder; and a device that is full,
 * whose error must surface and stay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bulkfile.h"
#include "base/err.h"

#define MIB ((size_t)1 << 20)

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Writes `total` bytes of a pattern to dir/f in pieces, reads them back. */
static void roundtrip(const char *dir, int flags, size_t total, bool *direct)
{
    char path[256];
    assert_true(snprintf(path, sizeof path, "%s/f", dir) < (int)sizeof path);
    unsigned char *data = malloc(total ? total : 1);
    for (size_t i = 0; i < total; i++)
        data[i] = (unsigned char)next();
    struct bulkfile *f;
    assert_int_equal(bulkfile_open(path, flags, &f), 0);
    size_t off = 0;
    while (off < total) {
        /* mostly small pieces, now and then one past a whole block */
        size_t n = next() % 16 == 0 ? 5 * MIB : 1 + next() % 9000;
        if (n > total - off)
            n = total - off;
        assert_int_equal(bulkfile_write(f, data + off, n), 0);
        off += n;
    }
    *direct = bulkfile_direct(f);
    assert_int_equal(bulkfile_close(f), 0);

    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    unsigned char *back = malloc(total + 1);
    size_t got = fread(back, 1, total + 1, in);
    fclose(in);
    assert_int_equal(got, total);
    if (total)
        assert_memory_equal(back, data, total);
    free(back);
    free(data);
    unlink(path);
}

static void sizes_in(const char *parent, int flags)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/wt_bulkfile_XXXXXX", parent);
    if (!mkdtemp(dir)) {
        print_message("skipped %s: %s\n", parent, strerror(errno));
        skip();
    }
    static const size_t sizes[] = {
        0,           1,       4095,        4096,           4097,
        4 * MIB - 1, 4 * MIB, 4 * MIB + 1, 4 * MIB + 4096, 8 * MIB + 4096 + 17,
        12 * MIB,
    };
    bool direct = false, any_direct = false;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        roundtrip(dir, flags, sizes[i], &direct);
        any_direct |= direct;
    }
    if (flags & BULKFILE_CACHED)
        assert_false(any_direct);
    print_message("%s: %s\n", parent, any_direct ? "O_DIRECT" : "page cache");
    rmdir(dir);
}

static void test_sizes_tmp(void **state)
{
    (void)state;
    sizes_in("/tmp", 0);
}

static void test_sizes_cached(void **state)
{
    (void)state;
    sizes_in("/tmp", BULKFILE_CACHED);
}

static void test_sizes_shm(void **state)
{
    (void)state;
    struct stat st;
    if (stat("/dev/shm", &st) != 0) {
        print_message("no /dev/shm\n");
        return;
    }
    sizes_in("/dev/shm", 0);
}

static void test_missing_folder(void **state)
{
    (void)state;
    struct bulkfile *f = (struct bulkfile *)&f;
    errno = 0;
    assert_int_equal(bulkfile_open("/nonexistent-wt-dir/x", 0, &f), WT_EIO);
    assert_int_equal(errno, ENOENT);
    assert_null(f);
    assert_int_equal(bulkfile_close(NULL), 0);
}

/* /dev/full takes nothing: the first block fails with ENOSPC, at a later
 * write or at close, and every call after that fails the same way. */
static void test_full_device(void **state)
{
    (void)state;
    struct stat st;
    if (stat("/dev/full", &st) != 0) {
        print_message("no /dev/full\n");
        return;
    }
    for (int flags = 0; flags <= BULKFILE_CACHED; flags += BULKFILE_CACHED) {
        struct bulkfile *f;
        assert_int_equal(bulkfile_open("/dev/full", flags, &f), 0);
        static char piece[64 * 1024];
        memset(piece, 'x', sizeof piece);
        int rc = 0;
        for (int i = 0; i < 3 * 64 && rc == 0; i++) /* 12 MiB */
            rc = bulkfile_write(f, piece, sizeof piece);
        if (rc) {
            assert_int_equal(rc, WT_EIO);
            assert_int_equal(errno, ENOSPC);
            errno = 0;
            assert_int_equal(bulkfile_write(f, piece, 1), WT_EIO);
            assert_int_equal(errno, ENOSPC);
        }
        errno = 0;
        assert_int_equal(bulkfile_close(f), WT_EIO);
        assert_int_equal(errno, ENOSPC);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_tmp),   cmocka_unit_test(test_sizes_cached),
        cmocka_unit_test(test_sizes_shm),   cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_full_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
