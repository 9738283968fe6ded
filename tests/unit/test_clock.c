/* Tests of the clocks (base/clock.h): a virtual clock moves only forward
 * and only when told; the real clock agrees with time(); the monotonic
 * clock does not go backwards; ISO 8601 formatting of known instants,
 * including negative milliseconds before 1970. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "base/clock.h"

static void test_virtual(void **state)
{
    (void)state;
    struct clock c;
    clock_init_virtual(&c, 1000);
    assert_true(c.is_virtual);
    assert_int_equal(clock_now_ms(&c), 1000);
    assert_int_equal(clock_now_ms(&c), 1000); /* does not move by itself */
    clock_advance_ms(&c, 250);
    assert_int_equal(clock_now_ms(&c), 1250);
    clock_advance_ms(&c, 0);
    assert_int_equal(clock_now_ms(&c), 1250);
    clock_advance_ms(&c, -100); /* never backwards */
    assert_int_equal(clock_now_ms(&c), 1250);
    clock_set_ms(&c, 5000);
    assert_int_equal(clock_now_ms(&c), 5000);
    clock_set_ms(&c, 4999); /* earlier: ignored */
    assert_int_equal(clock_now_ms(&c), 5000);
    clock_set_ms(&c, 5000);
    assert_int_equal(clock_now_ms(&c), 5000);
    clock_set_ms(&c, INT64_MIN);
    assert_int_equal(clock_now_ms(&c), 5000);

    /* a long random walk of sets and advances is non-decreasing */
    uint32_t x = 99;
    int64_t prev = clock_now_ms(&c);
    for (int i = 0; i < 10000; i++) {
        x = x * 1103515245u + 12345u;
        int64_t delta = (int64_t)(x >> 8) % 2001 - 1000;
        if (i % 2)
            clock_advance_ms(&c, delta);
        else
            clock_set_ms(&c, prev + delta);
        int64_t now = clock_now_ms(&c);
        assert_true(now >= prev);
        assert_int_equal(now, delta > 0 ? prev + delta : prev);
        prev = now;
    }

    /* negative start is allowed */
    clock_init_virtual(&c, -5);
    assert_int_equal(clock_now_ms(&c), -5);
}

static void test_real(void **state)
{
    (void)state;
    struct clock c;
    clock_init_real(&c);
    assert_false(c.is_virtual);
    time_t before = time(NULL);
    int64_t ms = clock_now_ms(&c);
    time_t after = time(NULL);
    assert_true(ms / 1000 >= (int64_t)before - 1);
    assert_true(ms / 1000 <= (int64_t)after + 1);
    assert_true(ms > 1700000000000); /* after November 2023 */
    /* the wall clock without a struct clock reads the same time */
    before = time(NULL);
    int64_t w = clock_wall_ms();
    after = time(NULL);
    assert_true(w / 1000 >= (int64_t)before - 1 && w / 1000 <= (int64_t)after + 1);
    /* setting or advancing a real clock has no effect on what it reads */
    clock_set_ms(&c, 0);
    clock_advance_ms(&c, -1000000000);
    int64_t ms2 = clock_now_ms(&c);
    assert_true(ms2 >= ms - 1000 && ms2 <= ms + 5000);
    assert_int_equal(c.now_ms, 0);

    int64_t m1 = clock_mono_ns();
    for (int i = 0; i < 1000; i++) {
        int64_t m2 = clock_mono_ns();
        assert_true(m2 >= m1);
        m1 = m2;
    }
    assert_true(m1 > 0);
}

static void check_iso(int64_t ms, const char *want)
{
    char out[32];
    memset(out, 'X', sizeof out);
    clock_format_iso(ms, out, sizeof out);
    assert_string_equal(out, want);
}

static void test_format_iso(void **state)
{
    (void)state;
    check_iso(0, "1970-01-01T00:00:00.000Z");
    check_iso(1, "1970-01-01T00:00:00.001Z");
    check_iso(999, "1970-01-01T00:00:00.999Z");
    check_iso(1000, "1970-01-01T00:00:01.000Z");
    check_iso(1700000000123, "2023-11-14T22:13:20.123Z");
    check_iso(951782400000, "2000-02-29T00:00:00.000Z"); /* leap day */
    check_iso(4102444799999, "2099-12-31T23:59:59.999Z");
    /* Negative: floor towards the past, fraction stays in [0, 999]. */
    check_iso(-1, "1969-12-31T23:59:59.999Z");
    check_iso(-999, "1969-12-31T23:59:59.001Z");
    check_iso(-1000, "1969-12-31T23:59:59.000Z");
    check_iso(-1001, "1969-12-31T23:59:58.999Z");
    check_iso(-86400000, "1969-12-31T00:00:00.000Z");
    check_iso(-1500, "1969-12-31T23:59:58.500Z");

    /* Exactly 25 bytes is enough (24 characters + NUL). */
    char out[25];
    clock_format_iso(1700000000123, out, sizeof out);
    assert_string_equal(out, "2023-11-14T22:13:20.123Z");
    /* A short buffer is truncated and still NUL-terminated. */
    char small[11];
    memset(small, 'X', sizeof small);
    clock_format_iso(1700000000123, small, sizeof small);
    assert_string_equal(small, "2023-11-14");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual),
        cmocka_unit_test(test_real),
        cmocka_unit_test(test_format_iso),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
