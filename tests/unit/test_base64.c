/* Tests of base/base64.h: the RFC 4648 §10 vectors, optional padding, and
 * every kind of malformed input the strict decoder refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/base64.h"
#include "base/err.h"

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char out[32];
        size_t n = strlen(plain[i]);
        assert_int_equal(base64_encode((const uint8_t *)plain[i], n, out, sizeof out), 0);
        assert_string_equal(out, enc[i]);
        assert_int_equal(strlen(out), BASE64_ENCODED_LEN(n));
        uint8_t back[32];
        size_t blen = 99;
        assert_int_equal(base64_decode(enc[i], strlen(enc[i]), back, sizeof back, &blen), 0);
        assert_int_equal(blen, n);
        assert_memory_equal(back, plain[i], n);
        /* Without the padding it decodes the same. */
        size_t unpadded = strlen(enc[i]);
        while (unpadded && enc[i][unpadded - 1] == '=')
            unpadded--;
        assert_int_equal(base64_decode(enc[i], unpadded, back, sizeof back, &blen), 0);
        assert_int_equal(blen, n);
        assert_memory_equal(back, plain[i], n);
    }
    /* All byte values through the whole alphabet, '+' and '/' included. */
    uint8_t all[256], back[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    char out[BASE64_ENCODED_LEN(256) + 1];
    assert_int_equal(base64_encode(all, 256, out, sizeof out), 0);
    assert_non_null(strchr(out, '+'));
    assert_non_null(strchr(out, '/'));
    size_t blen;
    assert_int_equal(base64_decode(out, strlen(out), back, sizeof back, &blen), 0);
    assert_int_equal(blen, 256);
    assert_memory_equal(all, back, 256);
}

static void test_malformed(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n;
    static const char *bad[] = {
        "Zg=",      /* partial padding */
        "Z===",     /* too much padding */
        "Z",        /* 6 bits cannot end a byte */
        "Zm 9v",    /* whitespace */
        "Zm9v\n",   /* newline */
        "Zm-v",     /* URL-safe alphabet */
        "Zh==",     /* non-zero bits after the last byte */
        "Zm9=",     /* same, two bytes */
        "Zg==Zg==", /* padding in the middle */
        "=Zg=",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = base64_decode(bad[i], strlen(bad[i]), out, sizeof out, &n);
        if (rc != WT_EPARSE)
            fail_msg("'%s' gave %d", bad[i], rc);
    }
    /* Output too small. */
    assert_int_equal(base64_decode("Zm9vYmFy", 8, out, 5, &n), WT_EFULL);
    char small[8] = "x";
    assert_int_equal(base64_encode((const uint8_t *)"foobar", 6, small, sizeof small), WT_EFULL);
    assert_string_equal(small, "");
    char exact[9];
    assert_int_equal(base64_encode((const uint8_t *)"foobar", 6, exact, sizeof exact), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
