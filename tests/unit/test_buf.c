/* Tests of the capped byte buffer (base/buf.h): appends, formatted output
 * longer than the internal 256-byte scratch, the cap, reserve, truncate,
 * detach, and the invariants stated in the header (NUL terminator,
 * len < cap <= max + 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"

/* The header's invariants, checked after every operation. */
static void check_invariants(const struct buf *b)
{
    if (b->cap == 0) {
        assert_null(b->data);
        assert_int_equal(b->len, 0);
        return;
    }
    assert_non_null(b->data);
    assert_true(b->len < b->cap);
    assert_true(b->cap <= b->max + 1);
    assert_int_equal(b->data[b->len], '\0');
}

static void test_init_and_empty(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(b.max, BUF_DEFAULT_MAX);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    check_invariants(&b);
    /* reset and release of a never-used buffer are harmless */
    buf_reset(&b);
    buf_truncate(&b, 0);
    buf_release(&b);
    check_invariants(&b);
    buf_init(&b, 17);
    assert_int_equal(b.max, 17);
    buf_release(&b);
    assert_int_equal(b.max, 17); /* release keeps max */
}

static void test_append_puts_putc(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_append(&b, "abc", 3), 0);
    check_invariants(&b);
    assert_int_equal(buf_puts(&b, "def"), 0);
    assert_int_equal(buf_putc(&b, 'g'), 0);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_int_equal(buf_puts(&b, ""), 0);
    check_invariants(&b);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "abcdefg");
    /* binary data with an embedded NUL keeps its length */
    assert_int_equal(buf_append(&b, "x\0y", 3), 0);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, "abcdefgx\0y", 11);
    check_invariants(&b);
    buf_release(&b);
    check_invariants(&b);
}

static void test_grow_many(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    /* 100000 single bytes cross many growth steps; content must survive
     * every reallocation. */
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
        assert_int_equal(b.data[b.len], '\0');
    }
    check_invariants(&b);
    assert_int_equal(b.len, 100000);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(b.data[i], 'a' + i % 26);
    buf_release(&b);
}

static void test_printf_short_and_long(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_printf(&b, "%d-%s-%05.1f", 42, "x", 3.25), 0);
    assert_string_equal(b.data, "42-x-003.2");
    check_invariants(&b);

    /* Output longer than the 256-byte scratch takes the second path. */
    char big[1000];
    for (size_t i = 0; i < sizeof big - 1; i++)
        big[i] = (char)('A' + i % 26);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_printf(&b, "[%s|%d]", big, 7), 0);
    check_invariants(&b);
    size_t want = 10 + 1 + 999 + 3;
    assert_int_equal(b.len, want);
    assert_memory_equal(b.data, "42-x-003.2[", 11);
    assert_memory_equal(b.data + 11, big, 999);
    assert_string_equal(b.data + 11 + 999, "|7]");
    assert_int_equal(strlen(b.data), b.len);

    /* Exactly 255 and exactly 256 characters: the boundary of the scratch. */
    for (size_t n = 254; n <= 258; n++) {
        buf_reset(&b);
        assert_int_equal(buf_printf(&b, "%.*s", (int)n, big), 0);
        assert_int_equal(b.len, n);
        assert_memory_equal(b.data, big, n);
        check_invariants(&b);
    }

    /* Many long appends in a row keep growing correctly. */
    buf_reset(&b);
    for (int i = 0; i < 50; i++)
        assert_int_equal(buf_printf(&b, "%s", big), 0);
    assert_int_equal(b.len, 50 * 999);
    for (int i = 0; i < 50; i++)
        assert_memory_equal(b.data + (size_t)i * 999, big, 999);
    check_invariants(&b);
    buf_release(&b);
}

static void test_cap_leaves_buffer_unchanged(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_puts(&b, "0123456"), 0);
    check_invariants(&b);
    char *before = b.data;
    size_t cap = b.cap;
    /* 7 + 4 = 11 > 10 */
    assert_int_equal(buf_puts(&b, "abcd"), WT_EFULL);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "0123456");
    assert_ptr_equal(b.data, before);
    assert_int_equal(b.cap, cap);
    assert_int_equal(buf_printf(&b, "%s", "abcd"), WT_EFULL);
    assert_string_equal(b.data, "0123456");
    /* long formatted output over the cap: also refused whole */
    char big[300];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_printf(&b, "%s", big), WT_EFULL);
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "0123456");
    /* exactly up to the cap is allowed; one more byte is not */
    assert_int_equal(buf_puts(&b, "789"), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    check_invariants(&b);
    assert_int_equal(buf_putc(&b, 'x'), WT_EFULL);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_string_equal(b.data, "0123456789");
    check_invariants(&b);
    buf_release(&b);

    /* A fresh capped buffer refuses a too-long first append. */
    buf_init(&b, 3);
    assert_int_equal(buf_puts(&b, "abcd"), WT_EFULL);
    assert_int_equal(b.len, 0);
    check_invariants(&b);
    assert_int_equal(buf_puts(&b, "abc"), 0);
    check_invariants(&b);
    buf_release(&b);
}

static void test_reserve(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    assert_int_equal(buf_reserve(&b, 50), 0);
    check_invariants(&b);
    assert_true(b.cap >= 51);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    /* reserved room is usable without another allocation */
    char *p = b.data;
    assert_int_equal(buf_append(&b, "0123456789012345678901234567890123456789012345678", 49), 0);
    assert_int_equal(buf_putc(&b, '9'), 0);
    assert_ptr_equal(b.data, p);
    assert_int_equal(b.len, 50);
    /* reserve respects the cap: 50 + 51 > 100 */
    assert_int_equal(buf_reserve(&b, 51), WT_EFULL);
    assert_int_equal(buf_reserve(&b, 50), 0);
    check_invariants(&b);
    /* sizes whose sum would overflow size_t are refused, not wrapped */
    assert_int_equal(buf_reserve(&b, SIZE_MAX), WT_EFULL);
    assert_int_equal(buf_reserve(&b, SIZE_MAX - 10), WT_EFULL);
    assert_int_equal(b.len, 50);
    buf_release(&b);
}

static void test_truncate_and_reset(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_puts(&b, "hello world"), 0);
    buf_truncate(&b, 5);
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "hello");
    check_invariants(&b);
    buf_truncate(&b, 9); /* longer than len: no change */
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "hello");
    buf_truncate(&b, 0);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_puts(&b, "again"), 0);
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap); /* storage kept */
    assert_string_equal(b.data, "");
    check_invariants(&b);
    buf_release(&b);
}

static void test_detach(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1000);
    size_t len = 99;
    char *s = buf_detach(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
    s = buf_detach(&b, NULL); /* len may be NULL */
    assert_string_equal(s, "");
    free(s);

    assert_int_equal(buf_printf(&b, "n=%d", 12345), 0);
    s = buf_detach(&b, &len);
    assert_string_equal(s, "n=12345");
    assert_int_equal(len, 7);
    /* the buffer is empty, keeps its max and is usable again */
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 1000);
    check_invariants(&b);
    assert_int_equal(buf_puts(&b, "new"), 0);
    assert_string_equal(b.data, "new");
    assert_string_equal(s, "n=12345"); /* detached storage is independent */
    free(s);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_empty),
        cmocka_unit_test(test_append_puts_putc),
        cmocka_unit_test(test_grow_many),
        cmocka_unit_test(test_printf_short_and_long),
        cmocka_unit_test(test_cap_leaves_buffer_unchanged),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_truncate_and_reset),
        cmocka_unit_test(test_detach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
