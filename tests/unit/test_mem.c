/* Tests of mem_wipe (base/mem.h): every byte of the range becomes zero,
 * at every length and alignment, and nothing outside the range changes;
 * a zero length touches nothing (not even a NULL pointer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "base/mem.h"

static void test_wipe_exact_range(void **state)
{
    (void)state;
    unsigned char buf[160];
    for (size_t off = 0; off < 16; off++)
        for (size_t n = 0; n <= 128; n++) {
            memset(buf, 0xA5, sizeof buf);
            mem_wipe(buf + off, n);
            for (size_t i = 0; i < sizeof buf; i++) {
                bool inside = i >= off && i < off + n;
                assert_int_equal(buf[i], inside ? 0 : 0xA5);
            }
        }
}

static void test_wipe_nothing(void **state)
{
    (void)state;
    mem_wipe(NULL, 0);
    unsigned char b = 7;
    mem_wipe(&b, 0);
    assert_int_equal(b, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wipe_exact_range),
        cmocka_unit_test(test_wipe_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
