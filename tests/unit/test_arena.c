/* Tests of the bump allocator (base/arena.h): 16-byte alignment of every
 * allocation, allocations larger than a chunk, reuse of the first chunk
 * after a reset, strdup/strndup/calloc, and many allocations that must not
 * overlap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

static void assert_aligned(const void *p)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
}

static void test_alignment(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024);
    assert_null(a.head); /* nothing allocated until the first allocation */
    assert_int_equal(a.chunk_size, 1024);
    /* Every size from 0 to 300, several times over, crossing chunks. */
    for (int round = 0; round < 4; round++)
        for (size_t n = 0; n <= 300; n++)
            assert_aligned(arena_alloc(&a, n));
    assert_aligned(arena_strdup(&a, "x"));
    assert_aligned(arena_strndup(&a, "abc", 3));
    assert_aligned(arena_calloc(&a, 3));
    assert_aligned(arena_alloc(&a, 5000)); /* oversized chunk */
    assert_aligned(arena_alloc(&a, 1));
    arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);

    arena_init(&a, 0);
    assert_int_equal(a.chunk_size, 64 * 1024);
    arena_release(&a);
}

static void test_sizes_and_total(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    /* Sizes are rounded up to 16, and 0 still gets a distinct slot. */
    char *p0 = arena_alloc(&a, 0);
    char *p1 = arena_alloc(&a, 1);
    char *p2 = arena_alloc(&a, 16);
    char *p3 = arena_alloc(&a, 17);
    char *p4 = arena_alloc(&a, 1);
    assert_ptr_equal(p1, p0 + 16);
    assert_ptr_equal(p2, p1 + 16);
    assert_ptr_equal(p3, p2 + 16);
    assert_ptr_equal(p4, p3 + 32);
    assert_int_equal(a.total, 16 + 16 + 16 + 32 + 16);
    arena_release(&a);
}

static void test_large_allocation(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 256);
    char *small1 = arena_alloc(&a, 32);
    memset(small1, 'a', 32);
    /* Bigger than a chunk: must be fully usable. */
    size_t big_n = 100000;
    unsigned char *big = arena_alloc(&a, big_n);
    assert_aligned(big);
    for (size_t i = 0; i < big_n; i++)
        big[i] = (unsigned char)(i * 31);
    /* The current chunk's free space is not wasted: the next small
     * allocation continues right after the first. */
    char *small2 = arena_alloc(&a, 32);
    assert_ptr_equal(small2, small1 + 32);
    memset(small2, 'b', 32);
    /* A second oversized block, then fill the chunk past its end. */
    unsigned char *big2 = arena_alloc(&a, 3000);
    memset(big2, 0xEE, 3000);
    for (int i = 0; i < 40; i++)
        memset(arena_alloc(&a, 48), 'c', 48);
    /* Nothing overwrote anything. */
    for (size_t i = 0; i < big_n; i++)
        assert_int_equal(big[i], (unsigned char)(i * 31));
    for (size_t i = 0; i < 32; i++) {
        assert_int_equal(small1[i], 'a');
        assert_int_equal(small2[i], 'b');
    }
    for (size_t i = 0; i < 3000; i++)
        assert_int_equal(big2[i], 0xEE);
    arena_release(&a);

    /* An oversized first allocation also works. */
    arena_init(&a, 64);
    char *p = arena_alloc(&a, 1000);
    memset(p, 1, 1000);
    assert_aligned(arena_alloc(&a, 8));
    arena_release(&a);
}

static void test_reset_reuses_memory(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1024);
    arena_reset(&a); /* reset of an empty arena is harmless */
    assert_null(a.head);

    char *first = arena_alloc(&a, 100);
    memset(first, 0xAA, 100);
    for (int i = 0; i < 100; i++) /* spill into more chunks */
        arena_alloc(&a, 200);
    assert_true(a.total > 1024);
    arena_reset(&a);
    assert_int_equal(a.total, 0);
    assert_non_null(a.head);
    /* The first chunk is kept: the next allocation reuses its memory. */
    char *again = arena_alloc(&a, 100);
    assert_ptr_equal(again, first);
    /* calloc on reused (dirty) memory still zeroes */
    arena_reset(&a);
    unsigned char *z = arena_calloc(&a, 100);
    assert_ptr_equal(z, first);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    arena_release(&a);
}

static void test_reset_after_oversized_keeps_default_chunk(void **state)
{
    (void)state;
    /* One default chunk, then an oversized block placed behind it: reset
     * must keep the default-size first chunk ("keeps the first chunk for
     * reuse"), not the oversized block, or a one-off 10 MB request pins 10
     * MB for the arena's lifetime. */
    struct arena a;
    arena_init(&a, 1024);
    char *first = arena_alloc(&a, 64);
    char *huge = arena_alloc(&a, 10 * 1024 * 1024);
    memset(huge, 1, 10 * 1024 * 1024);
    arena_reset(&a);
    char *again = arena_alloc(&a, 64);
    assert_ptr_equal(again, first);
    /* And the arena still works for everything afterwards. */
    for (int i = 0; i < 100; i++)
        memset(arena_alloc(&a, 100), 2, 100);
    arena_reset(&a);
    assert_ptr_equal(arena_alloc(&a, 16), first);
    arena_release(&a);

    /* When every chunk is oversized, reset still leaves a working arena. */
    arena_init(&a, 64);
    memset(arena_alloc(&a, 4096), 3, 4096);
    arena_reset(&a);
    assert_int_equal(a.total, 0);
    memset(arena_alloc(&a, 32), 4, 32);
    memset(arena_alloc(&a, 8192), 5, 8192);
    arena_release(&a);
}

static void test_strdup(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 128);
    char *s = arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    char *t = arena_strndup(&a, "abcdef", 3);
    assert_string_equal(t, "abc");
    assert_int_equal(t[3], '\0');
    /* strndup copies exactly n bytes, even past an embedded NUL */
    char *u = arena_strndup(&a, "x\0y", 3);
    assert_memory_equal(u, "x\0y\0", 4);
    char *e = arena_strndup(&a, "", 0);
    assert_string_equal(e, "");
    /* a string longer than the chunk */
    char longs[500];
    memset(longs, 'L', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    char *l = arena_strdup(&a, longs);
    assert_string_equal(l, longs);
    assert_ptr_not_equal(l, longs);
    assert_string_equal(s, "hello");
    arena_release(&a);
}

static void test_many_allocations(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 4096);
    enum { N = 100000 };
    unsigned char **ptrs = malloc(N * sizeof *ptrs);
    size_t *sizes = malloc(N * sizeof *sizes);
    uint32_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 1664525u + 1013904223u;
        sizes[i] = (x >> 16) % 97; /* 0..96 bytes */
        ptrs[i] = arena_alloc(&a, sizes[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], (int)(i & 0xff), sizes[i]);
    }
    /* Every block still holds its own byte: no two blocks overlap. */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < sizes[i]; j++)
            if (ptrs[i][j] != (unsigned char)(i & 0xff))
                fail_msg("block %zu byte %zu overwritten", i, j);
    free(ptrs);
    free(sizes);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_sizes_and_total),
        cmocka_unit_test(test_large_allocation),
        cmocka_unit_test(test_reset_reuses_memory),
        cmocka_unit_test(test_reset_after_oversized_keeps_default_chunk),
        cmocka_unit_test(test_strdup),
        cmocka_unit_test(test_many_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
