/* Tests of the checked conversions and string helpers (base/str.h), and of
 * wt_strerror (base/err.h): every boundary of u64/i64, every kind of junk
 * the parsers must reject, truncation of str_copy, constant-time compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"

static void test_u64(void **state)
{
    (void)state;
    uint64_t v = 77;
    assert_int_equal(str_to_u64("0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(str_to_u64("007", &v), 0);
    assert_true(v == 7);
    assert_int_equal(str_to_u64("1234567890", &v), 0);
    assert_true(v == 1234567890u);
    assert_int_equal(str_to_u64("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(str_to_u64("18446744073709551614", &v), 0);
    assert_true(v == UINT64_MAX - 1);

    /* Failures leave *out untouched. */
    v = 77;
    assert_int_equal(str_to_u64("18446744073709551616", &v), WT_ERANGE);
    assert_int_equal(str_to_u64("18446744073709551620", &v), WT_ERANGE);
    assert_int_equal(str_to_u64("99999999999999999999", &v), WT_ERANGE);
    assert_int_equal(str_to_u64("184467440737095516150", &v), WT_ERANGE);
    static const char *const bad[] = {"",    "-1",  " 1", "1 ", "+1",  "0x10", "1.0",
                                      "1e3", "abc", "1a", "-",  "\t1", "1\n",  "\xd9\xa3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(str_to_u64(bad[i], &v), WT_EPARSE);
    assert_true(v == 77);

    /* _n variant: only the first n bytes count. */
    assert_int_equal(str_to_u64_n("12345", 3, &v), 0);
    assert_true(v == 123);
    assert_int_equal(str_to_u64_n("12x", 2, &v), 0);
    assert_true(v == 12);
    assert_int_equal(str_to_u64_n("12x", 3, &v), WT_EPARSE);
    assert_int_equal(str_to_u64_n("5", 0, &v), WT_EPARSE);
    assert_int_equal(str_to_u64_n("1\0"
                                  "2",
                                  3, &v),
                     WT_EPARSE);
    assert_int_equal(str_to_u64_n("184467440737095516159", 20, &v), 0);
    assert_true(v == UINT64_MAX);
}

static void test_i64(void **state)
{
    (void)state;
    int64_t v = 77;
    assert_int_equal(str_to_i64("0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(str_to_i64("-0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(str_to_i64("+42", &v), 0);
    assert_true(v == 42);
    assert_int_equal(str_to_i64("-42", &v), 0);
    assert_true(v == -42);
    assert_int_equal(str_to_i64("9223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(str_to_i64("-9223372036854775808", &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(str_to_i64("-9223372036854775807", &v), 0);
    assert_true(v == -INT64_MAX);

    v = 77;
    assert_int_equal(str_to_i64("9223372036854775808", &v), WT_ERANGE);
    assert_int_equal(str_to_i64("+9223372036854775808", &v), WT_ERANGE);
    assert_int_equal(str_to_i64("-9223372036854775809", &v), WT_ERANGE);
    assert_int_equal(str_to_i64("18446744073709551615", &v), WT_ERANGE);
    assert_int_equal(str_to_i64("-18446744073709551616", &v), WT_ERANGE);
    static const char *const bad[] = {"",   "-",   "+",    "--1", "+-1", "-+1", " 1",
                                      "1 ", "- 1", "0x10", "1.5", "1e3", "12a"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(str_to_i64(bad[i], &v), WT_EPARSE);
    assert_true(v == 77);

    assert_int_equal(str_to_i64_n("-123456", 4, &v), 0);
    assert_true(v == -123);
    assert_int_equal(str_to_i64_n("-", 1, &v), WT_EPARSE);
    assert_int_equal(str_to_i64_n("-5", 0, &v), WT_EPARSE);
}

static void test_double(void **state)
{
    (void)state;
    double d = 77;
    assert_int_equal(str_to_double("0", &d), 0);
    assert_true(d == 0);
    assert_int_equal(str_to_double("1.5", &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(str_to_double("-2.25e2", &d), 0);
    assert_true(d == -225.0);
    assert_int_equal(str_to_double("0.1", &d), 0);
    assert_true(d == 0.1);
    assert_int_equal(str_to_double("1e308", &d), 0);
    assert_true(d == 1e308);
    assert_int_equal(str_to_double(".5", &d), 0);
    assert_true(d == 0.5);

    d = 77;
    /* Non-finite values are out of range, whatever their spelling. */
    static const char *const nonfinite[] = {"nan",      "NaN",   "-nan",   "inf",  "-inf",
                                            "Infinity", "1e999", "-1e999", "1e309"};
    for (size_t i = 0; i < sizeof nonfinite / sizeof *nonfinite; i++)
        assert_int_equal(str_to_double(nonfinite[i], &d), WT_ERANGE);
    static const char *const bad[] = {"",  " 1", "\t1", "1 ",  "1.5x", "abc",
                                      ".", "-",  "1e",  "1,5", "nanx", "1.0.0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(str_to_double(bad[i], &d), WT_EPARSE);
    assert_true(d == 77);
}

static void test_bool(void **state)
{
    (void)state;
    static const char *const yes[] = {"true", "TRUE", "True", "yes", "YeS", "on", "ON", "1"};
    static const char *const no[] = {"false", "FALSE", "no", "No", "off", "OFF", "0"};
    static const char *const bad[] = {"",      "t",     "y",   "2",  "truee", "tru",
                                      " true", "true ", "onn", "01", "nope"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        bool b = false;
        assert_int_equal(str_to_bool(yes[i], &b), 0);
        assert_true(b);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        bool b = true;
        assert_int_equal(str_to_bool(no[i], &b), 0);
        assert_false(b);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        bool b = true;
        assert_int_equal(str_to_bool(bad[i], &b), WT_EPARSE);
        assert_true(b); /* untouched */
    }
}

static void test_copy(void **state)
{
    (void)state;
    char dst[8];
    memset(dst, 'X', sizeof dst);
    assert_int_equal(str_copy(dst, sizeof dst, "abc"), 0);
    assert_string_equal(dst, "abc");
    assert_int_equal(str_copy(dst, sizeof dst, "1234567"), 0); /* exactly fits */
    assert_string_equal(dst, "1234567");
    assert_int_equal(str_copy(dst, sizeof dst, "12345678"), WT_EFULL);
    assert_string_equal(dst, "1234567");
    assert_int_equal(str_copy(dst, sizeof dst, "a much longer string"), WT_EFULL);
    assert_string_equal(dst, "a much ");
    assert_int_equal(str_copy(dst, sizeof dst, ""), 0);
    assert_string_equal(dst, "");
    assert_int_equal(str_copy(dst, 1, "x"), WT_EFULL);
    assert_string_equal(dst, "");
    /* size 0 writes nothing at all */
    dst[0] = 'Q';
    assert_int_equal(str_copy(dst, 0, "x"), WT_EFULL);
    assert_int_equal(dst[0], 'Q');
}

static void test_ieq_starts_with(void **state)
{
    (void)state;
    assert_true(str_ieq("Hello", "hELLO"));
    assert_true(str_ieq("", ""));
    assert_false(str_ieq("abc", "abcd"));
    assert_false(str_ieq("abcd", "abc"));
    assert_false(str_ieq("abc", "abd"));
    assert_true(str_starts_with("walltrack", "wall"));
    assert_true(str_starts_with("walltrack", ""));
    assert_true(str_starts_with("wall", "wall"));
    assert_false(str_starts_with("wal", "wall"));
    assert_false(str_starts_with("Walltrack", "wall"));
}

static void test_ct_equal(void **state)
{
    (void)state;
    assert_true(str_ct_equal("secret-token", 12, "secret-token", 12));
    assert_false(str_ct_equal("secret-token", 12, "secret-tokeN", 12));
    assert_false(str_ct_equal("Secret-token", 12, "secret-token", 12));
    /* a prefix of the expected value, or the expected value plus more */
    assert_false(str_ct_equal("secret", 6, "secret-token", 12));
    assert_false(str_ct_equal("secret-token-and-more", 21, "secret-token", 12));
    assert_false(str_ct_equal("secret-token\0", 13, "secret-token", 12));
    /* lengths differing by 256 must not alias through a narrow type */
    char a[300], b[44];
    memset(a, 'k', sizeof a);
    memset(b, 'k', sizeof b);
    assert_false(str_ct_equal(a, sizeof a, b, sizeof b));
    assert_false(str_ct_equal(a, 256, "", 0));
    /* empty values */
    assert_true(str_ct_equal("", 0, "", 0));
    assert_false(str_ct_equal("", 0, "x", 1));
    assert_false(str_ct_equal("x", 1, "", 0));
    /* differences in any single bit of any byte are seen */
    unsigned char x[32], y[32];
    for (size_t i = 0; i < sizeof x; i++)
        x[i] = y[i] = (unsigned char)(i * 7 + 1);
    assert_true(str_ct_equal(x, sizeof x, y, sizeof y));
    for (size_t i = 0; i < sizeof x; i++) {
        for (int bit = 0; bit < 8; bit++) {
            y[i] ^= (unsigned char)(1u << bit);
            assert_false(str_ct_equal(x, sizeof x, y, sizeof y));
            y[i] ^= (unsigned char)(1u << bit);
        }
    }
}

static void test_strerror_covers_every_code(void **state)
{
    (void)state;
    /* Every code from WT_OK down to WT_ECLOSED has its own message. */
    const char *seen[23];
    for (int code = 0; code >= WT_ECLOSED; code--) {
        const char *msg = wt_strerror(code);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        assert_string_not_equal(msg, "unknown error");
        for (int j = 0; j > code; j--)
            assert_string_not_equal(msg, seen[-j]);
        seen[-code] = msg;
    }
    assert_int_equal(WT_ECLOSED, -22);
    assert_string_equal(wt_strerror(WT_OK), "success");
    assert_string_equal(wt_strerror(WT_EFULL), "capacity limit reached");
    assert_string_equal(wt_strerror(-23), "unknown error");
    assert_string_equal(wt_strerror(1), "unknown error");
    assert_string_equal(wt_strerror(INT32_MIN), "unknown error");
}

/* str_trim cuts spaces and tabs at both ends in place, nothing else. */
static void test_trim(void **state)
{
    (void)state;
    char a[] = " \t x y \t ";
    char *t = str_trim(a);
    assert_string_equal(t, "x y");
    assert_ptr_equal(t, a + 3);
    char b[] = "\t \t";
    assert_string_equal(str_trim(b), "");
    char c[] = "\nx\r";
    assert_string_equal(str_trim(c), "\nx\r");
    char e[] = "";
    assert_string_equal(str_trim(e), "");
}

/* wt_set_err copies the message (truncated to the buffer) and returns the
 * code; no buffer, or a size of 0, is allowed and writes nothing. */
static void test_set_err(void **state)
{
    (void)state;
    char err[8] = "unset";
    assert_int_equal(wt_set_err(err, sizeof err, WT_EINVAL, "too long a message"), WT_EINVAL);
    assert_string_equal(err, "too lon");
    assert_int_equal(wt_set_err(NULL, 10, WT_ERANGE, "x"), WT_ERANGE);
    char keep[4] = "abc";
    assert_int_equal(wt_set_err(keep, 0, 0, "x"), 0);
    assert_string_equal(keep, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u64),      cmocka_unit_test(test_i64),
        cmocka_unit_test(test_double),   cmocka_unit_test(test_bool),
        cmocka_unit_test(test_copy),     cmocka_unit_test(test_ieq_starts_with),
        cmocka_unit_test(test_ct_equal), cmocka_unit_test(test_strerror_covers_every_code),
        cmocka_unit_test(test_trim),     cmocka_unit_test(test_set_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
