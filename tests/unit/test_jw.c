/* Tests of the streaming JSON writer (base/jw.h): exact output for
 * containers and nesting, escaping, exact integers, shortest round-trip
 * doubles, sticky errors on misuse and on a capped buffer, and a round trip
 * through the parser (base/json.h) comparing every value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"

static struct buf out;
static struct jw w;

static int setup(void **state)
{
    (void)state;
    buf_init(&out, 0);
    jw_init(&w, &out);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    buf_release(&out);
    return 0;
}

/* The output so far, as a C string (empty when nothing was written). */
static const char *text(void)
{
    return out.data ? out.data : "";
}

static void test_containers(void **state)
{
    (void)state;
    jw_obj_begin(&w);
    jw_key(&w, "a");
    jw_arr_begin(&w);
    jw_u64(&w, 1);
    jw_i64(&w, -2);
    jw_obj_begin(&w);
    jw_key(&w, "b");
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_obj_end(&w);
    jw_bool(&w, true);
    jw_bool(&w, false);
    jw_null(&w);
    jw_arr_end(&w);
    jw_key(&w, "c");
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_kstr(&w, "d", "x");
    jw_kstr(&w, "e", NULL);
    jw_ku64(&w, "f", 7);
    jw_ki64(&w, "g", -7);
    jw_kdouble(&w, "h", 0.5);
    jw_kbool(&w, "i", true);
    jw_key(&w, "j");
    jw_raw(&w, "[1, 2]", 6);
    jw_obj_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "{\"a\":[1,-2,{\"b\":[]},true,false,null],\"c\":{},\"d\":\"x\","
                                "\"e\":null,\"f\":7,\"g\":-7,\"h\":0.5,\"i\":true,\"j\":[1, 2]}");
}

/* jw_kobj_begin and jw_karr_begin write the key and open the container,
 * exactly as jw_key followed by jw_obj_begin or jw_arr_begin; in an array
 * (no key allowed) they fail like jw_key. */
static void test_keyed_containers(void **state)
{
    (void)state;
    jw_obj_begin(&w);
    jw_kobj_begin(&w, "o");
    jw_karr_begin(&w, "a");
    jw_u64(&w, 1);
    jw_arr_end(&w);
    jw_obj_end(&w);
    jw_karr_begin(&w, "e");
    jw_arr_end(&w);
    jw_obj_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "{\"o\":{\"a\":[1]},\"e\":[]}");

    buf_reset(&out);
    jw_init(&w, &out);
    jw_arr_begin(&w);
    jw_kobj_begin(&w, "k");
    assert_int_equal(jw_finish(&w), WT_ESTATE);
}

static void test_top_level_scalars(void **state)
{
    (void)state;
    jw_str(&w, "only");
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "\"only\"");

    buf_reset(&out);
    jw_init(&w, &out);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "[]");

    /* Nothing written at all is complete (no open container). */
    buf_reset(&out);
    jw_init(&w, &out);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "");
}

static void test_escaping(void **state)
{
    (void)state;
    jw_arr_begin(&w);
    jw_str(&w, "plain");
    jw_str(&w, "q\"b\\s/");
    jw_str(&w, "\n\r\t\b\f");
    jw_strn(&w, "\x00\x01\x1f\x20\x7f", 5);
    jw_str(&w, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac"); /* é 😀 € pass through */
    jw_str(&w, "");
    jw_str(&w, "\x1b[0m");
    jw_arr_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(),
                        "[\"plain\",\"q\\\"b\\\\s/\",\"\\n\\r\\t\\b\\f\","
                        "\"\\u0000\\u0001\\u001f \x7f\","
                        "\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\",\"\",\"\\u001b[0m\"]");

    /* Every control character < 0x20 is escaped; nothing else is. */
    for (int c = 1; c < 256; c++) {
        struct buf b;
        buf_init(&b, 0);
        char in[3] = {'a', (char)c, 'z'};
        assert_int_equal(jw_escape(&b, in, 3), 0);
        const char *got = b.data;
        char want[16];
        if (c == '"' || c == '\\')
            snprintf(want, sizeof want, "\"a\\%cz\"", c);
        else if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f')
            snprintf(want, sizeof want, "\"a\\%cz\"",
                     c == '\n'   ? 'n'
                     : c == '\r' ? 'r'
                     : c == '\t' ? 't'
                     : c == '\b' ? 'b'
                                 : 'f');
        else if (c < 0x20)
            snprintf(want, sizeof want, "\"a\\u%04xz\"", c);
        else
            snprintf(want, sizeof want, "\"a%cz\"", c);
        assert_string_equal(got, want);
        buf_release(&b);
    }

    /* Keys are escaped too. */
    buf_reset(&out);
    jw_init(&w, &out);
    jw_obj_begin(&w);
    jw_key(&w, "k\"\n");
    jw_u64(&w, 1);
    jw_obj_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "{\"k\\\"\\n\":1}");
}

static void test_integers(void **state)
{
    (void)state;
    jw_arr_begin(&w);
    jw_u64(&w, 0);
    jw_u64(&w, UINT64_MAX);
    jw_u64(&w, (uint64_t)INT64_MAX + 1);
    jw_i64(&w, INT64_MIN);
    jw_i64(&w, INT64_MAX);
    jw_i64(&w, -1);
    jw_i64(&w, 0);
    jw_arr_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "[0,18446744073709551615,9223372036854775808,"
                                "-9223372036854775808,9223372036854775807,-1,0]");
}

static void check_double(double v, const char *want)
{
    char tmp[32];
    int n = jw_format_double(v, tmp);
    assert_string_equal(tmp, want);
    assert_int_equal(n, (int)strlen(want));
}

/* Round trip and shortness: no shorter %g precision reads back exactly. */
static void check_shortest(double v)
{
    char tmp[32];
    int n = jw_format_double(v, tmp);
    assert_true(n > 0 && n < 32);
    assert_int_equal((size_t)n, strlen(tmp));
    assert_true(strtod(tmp, NULL) == v);
    for (int prec = 1; prec <= 17; prec++) {
        char alt[40];
        int m = snprintf(alt, sizeof alt, "%.*g", prec, v);
        if (strtod(alt, NULL) == v) {
            assert_true(n <= m);
            break;
        }
    }
}

static void test_doubles(void **state)
{
    (void)state;
    check_double(0.1, "0.1");
    check_double(1.0 / 3.0, "0.3333333333333333");
    check_double(2.0 / 3.0, "0.6666666666666666");
    check_double(1e-300, "1e-300");
    check_double(123456789.125, "123456789.125");
    check_double(-1.5, "-1.5");
    check_double(0.5, "0.5");
    check_double(100.0, "100");
    check_double(-42.0, "-42");
    check_double(1e21, "1e+21");
    check_double(DBL_MAX, "1.7976931348623157e+308");
    check_double(5e-324, "5e-324"); /* smallest subnormal */
    check_double(0.1 + 0.2, "0.30000000000000004");
    /* 2^53 - 1 is the last integer printed as one; above, %g form */
    check_double(9007199254740991.0, "9007199254740991");
    check_double(-9007199254740991.0, "-9007199254740991");
    check_shortest(9007199254740992.0);
    check_shortest(9007199254740994.0);
    check_shortest(-9007199254740992.0);
    /* zero: -0.0 is written as 0 (readers disagree on "-0") */
    check_double(0.0, "0");
    check_double(-0.0, "0");
    /* JSON has no NaN or Inf */
    check_double(NAN, "null");
    check_double(INFINITY, "null");
    check_double(-INFINITY, "null");

    uint64_t seed = 1;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        double v;
        uint64_t bits = seed;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        check_shortest(v);
    }

    jw_arr_begin(&w);
    jw_double(&w, NAN);
    jw_double(&w, 0.25);
    jw_double(&w, -INFINITY);
    jw_arr_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    assert_string_equal(text(), "[null,0.25,null]");
}

/* Runs one misuse sequence on a fresh writer and checks the sticky error:
 * jw_finish reports it and later calls change nothing. */
static void expect_error(void (*seq)(void), int want)
{
    buf_reset(&out);
    jw_init(&w, &out);
    seq();
    size_t len = out.len;
    jw_u64(&w, 1);
    jw_str(&w, "more");
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_obj_end(&w);
    assert_int_equal(out.len, len);
    assert_int_equal(jw_finish(&w), want);
    assert_int_equal(jw_finish(&w), want);
}

static void seq_value_without_key(void)
{
    jw_obj_begin(&w);
    jw_u64(&w, 5);
}
static void seq_string_without_key(void)
{
    jw_obj_begin(&w);
    jw_kstr(&w, "a", "b");
    jw_str(&w, "c");
}
static void seq_end_at_top(void)
{
    jw_arr_end(&w);
}
static void seq_wrong_end(void)
{
    jw_arr_begin(&w);
    jw_obj_end(&w);
}
static void seq_wrong_end_obj(void)
{
    jw_obj_begin(&w);
    jw_arr_end(&w);
}
static void seq_two_top_level(void)
{
    jw_u64(&w, 1);
    jw_u64(&w, 2);
}
static void seq_two_top_level_containers(void)
{
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_arr_begin(&w);
}
static void seq_key_in_array(void)
{
    jw_arr_begin(&w);
    jw_key(&w, "k");
}
static void seq_key_at_top(void)
{
    jw_key(&w, "k");
}
static void seq_two_keys(void)
{
    jw_obj_begin(&w);
    jw_key(&w, "a");
    jw_key(&w, "b");
}
static void seq_key_then_end(void)
{
    jw_obj_begin(&w);
    jw_key(&w, "a");
    jw_obj_end(&w);
}
static void seq_too_deep(void)
{
    for (int i = 0; i < JW_MAX_DEPTH + 1; i++)
        jw_arr_begin(&w);
}

static void test_misuse(void **state)
{
    (void)state;
    expect_error(seq_value_without_key, WT_ESTATE);
    expect_error(seq_string_without_key, WT_ESTATE);
    expect_error(seq_end_at_top, WT_ESTATE);
    expect_error(seq_wrong_end, WT_ESTATE);
    expect_error(seq_wrong_end_obj, WT_ESTATE);
    expect_error(seq_two_top_level, WT_ESTATE);
    expect_error(seq_two_top_level_containers, WT_ESTATE);
    expect_error(seq_key_in_array, WT_ESTATE);
    expect_error(seq_key_at_top, WT_ESTATE);
    expect_error(seq_two_keys, WT_ESTATE);
    expect_error(seq_key_then_end, WT_ESTATE);
    expect_error(seq_too_deep, WT_EFULL);

    /* Unbalanced without a misuse call: an open container or a dangling
     * key makes the output incomplete. */
    buf_reset(&out);
    jw_init(&w, &out);
    jw_arr_begin(&w);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    assert_int_equal(jw_finish(&w), WT_ESTATE);
    jw_arr_end(&w);
    assert_int_equal(jw_finish(&w), 0);
    buf_reset(&out);
    jw_init(&w, &out);
    jw_obj_begin(&w);
    jw_key(&w, "k");
    assert_int_equal(jw_finish(&w), WT_ESTATE);
}

static void test_max_depth(void **state)
{
    (void)state;
    /* JW_MAX_DEPTH nested containers are allowed ("past" it is the error),
     * alternating objects and arrays. */
    for (int i = 0; i < JW_MAX_DEPTH; i++) {
        if (i % 2) {
            jw_arr_begin(&w);
        } else {
            jw_obj_begin(&w);
            jw_key(&w, "k");
        }
    }
    jw_u64(&w, 9);
    for (int i = JW_MAX_DEPTH - 1; i >= 0; i--) {
        if (i % 2)
            jw_arr_end(&w);
        else
            jw_obj_end(&w);
    }
    assert_int_equal(jw_finish(&w), 0);
    assert_int_equal(out.len, (size_t)JW_MAX_DEPTH / 2 * (6 + 2) + 1);

    /* And the parser reads it back. */
    struct json_doc *d = json_doc_new(0);
    struct json_val root;
    assert_int_equal(json_parse(d, out.data, out.len, 0, &root), 0);
    json_doc_free(d);
}

static void test_buffer_cap(void **state)
{
    (void)state;
    struct buf small;
    buf_init(&small, 20);
    struct jw sw;
    jw_init(&sw, &small);
    jw_arr_begin(&sw);
    for (int i = 0; i < 10; i++)
        jw_str(&sw, "abcd");
    jw_arr_end(&sw);
    assert_int_equal(jw_finish(&sw), WT_EFULL);
    assert_true(small.len <= 20);
    size_t len = small.len;
    jw_u64(&sw, 1); /* sticky: nothing more is written */
    assert_int_equal(small.len, len);
    assert_int_equal(jw_finish(&sw), WT_EFULL);
    buf_release(&small);

    /* A key that does not fit, an integer that does not fit. */
    buf_init(&small, 8);
    jw_init(&sw, &small);
    jw_obj_begin(&sw);
    jw_key(&sw, "a-long-key");
    assert_int_equal(jw_finish(&sw), WT_EFULL);
    buf_release(&small);
    buf_init(&small, 8);
    jw_init(&sw, &small);
    jw_u64(&sw, UINT64_MAX);
    assert_int_equal(jw_finish(&sw), WT_EFULL);
    buf_release(&small);

    /* Exactly fitting output is fine. */
    buf_init(&small, 7);
    jw_init(&sw, &small);
    jw_arr_begin(&sw);
    jw_str(&sw, "abc");
    jw_arr_end(&sw);
    assert_int_equal(jw_finish(&sw), 0);
    assert_string_equal(small.data, "[\"abc\"]");
    buf_release(&small);

    /* jw_escape itself reports the cap. */
    buf_init(&small, 4);
    assert_int_equal(jw_escape(&small, "abcd", 4), WT_EFULL);
    buf_release(&small);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const char *const strs[] = {"",
                                       "plain",
                                       "q\"b\\s/",
                                       "\n\r\t\b\f",
                                       "\x01\x1f",
                                       "caf\xc3\xa9 \xf0\x9f\x98\x80",
                                       "So11111111111111111111111111111111111111112"};
    static const double dbls[] = {
        0.1,     1.0 / 3.0, 1e-300, 123456789.125, 9007199254740991.0, 9007199254740992.0, -2.5e-8,
        DBL_MAX, 5e-324,    1e300,  -0.0};
    static const int64_t ints[] = {0, -1, INT64_MIN, INT64_MAX, 1700000000123};
    static const uint64_t uints[] = {0, 1, UINT64_MAX, (uint64_t)INT64_MAX + 1};

    jw_obj_begin(&w);
    jw_key(&w, "strs");
    jw_arr_begin(&w);
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        jw_str(&w, strs[i]);
    jw_strn(&w, "a\0b", 3);
    jw_arr_end(&w);
    jw_key(&w, "dbls");
    jw_arr_begin(&w);
    for (size_t i = 0; i < sizeof dbls / sizeof *dbls; i++)
        jw_double(&w, dbls[i]);
    jw_double(&w, NAN);
    jw_arr_end(&w);
    jw_key(&w, "ints");
    jw_arr_begin(&w);
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        jw_i64(&w, ints[i]);
    jw_arr_end(&w);
    jw_key(&w, "uints");
    jw_arr_begin(&w);
    for (size_t i = 0; i < sizeof uints / sizeof *uints; i++)
        jw_u64(&w, uints[i]);
    jw_arr_end(&w);
    jw_key(&w, "nested");
    jw_obj_begin(&w);
    jw_kbool(&w, "t", true);
    jw_kbool(&w, "f", false);
    jw_kstr(&w, "n", NULL);
    jw_key(&w, "k\"ey\n");
    jw_arr_begin(&w);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_obj_end(&w);
    jw_obj_end(&w);
    assert_int_equal(jw_finish(&w), 0);

    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, v, nested;
    assert_int_equal(json_parse(d, out.data, out.len, 0, &root), 0);
    assert_int_equal(json_size(&root), 5);

    assert_int_equal(json_get(&root, "strs", &arr), 0);
    size_t nstr = sizeof strs / sizeof *strs;
    assert_int_equal(json_size(&arr), nstr + 1);
    for (size_t i = 0; i < nstr; i++) {
        const char *s;
        size_t n;
        assert_int_equal(json_index(&arr, i, &v), 0);
        assert_int_equal(json_str(&v, &s, &n), 0);
        assert_int_equal(n, strlen(strs[i]));
        assert_memory_equal(s, strs[i], n);
    }
    const char *s;
    size_t n;
    assert_int_equal(json_index(&arr, nstr, &v), 0);
    assert_int_equal(json_str(&v, &s, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "a\0b", 3);

    assert_int_equal(json_get(&root, "dbls", &arr), 0);
    size_t ndbl = sizeof dbls / sizeof *dbls;
    assert_int_equal(json_size(&arr), ndbl + 1);
    for (size_t i = 0; i < ndbl; i++) {
        double x;
        assert_int_equal(json_index(&arr, i, &v), 0);
        assert_int_equal(json_double(&v, &x), 0);
        assert_true(x == dbls[i]);
    }
    assert_int_equal(json_index(&arr, ndbl, &v), 0);
    assert_true(json_is_null(&v));

    assert_int_equal(json_get(&root, "ints", &arr), 0);
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        int64_t x;
        assert_int_equal(json_index(&arr, i, &v), 0);
        assert_int_equal(json_i64(&v, &x), 0);
        assert_true(x == ints[i]);
    }
    assert_int_equal(json_get(&root, "uints", &arr), 0);
    for (size_t i = 0; i < sizeof uints / sizeof *uints; i++) {
        uint64_t x;
        assert_int_equal(json_index(&arr, i, &v), 0);
        assert_int_equal(json_u64(&v, &x), 0);
        assert_true(x == uints[i]);
    }

    assert_int_equal(json_get(&root, "nested", &nested), 0);
    bool b;
    assert_int_equal(json_get_bool(&nested, "t", &b), 0);
    assert_true(b);
    assert_int_equal(json_get_bool(&nested, "f", &b), 0);
    assert_false(b);
    assert_int_equal(json_get(&nested, "n", &v), 0);
    assert_true(json_is_null(&v));
    assert_int_equal(json_get(&nested, "k\"ey\n", &arr), 0);
    assert_int_equal(json_size(&arr), 2);
    assert_int_equal(json_index(&arr, 0, &v), 0);
    assert_int_equal(json_type_of(&v), JSON_ARRAY);
    assert_int_equal(json_index(&arr, 1, &v), 0);
    assert_int_equal(json_type_of(&v), JSON_OBJECT);
    json_doc_free(d);
}

/* jw_json writes a parsed value again: nested containers, every scalar
 * type, a key longer than the old 128/256-byte key buffers and a key with
 * an escaped NUL, all as the parser read them (compact). */
static void test_json_value(void **state)
{
    (void)state;
    char longkey[300];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    char in[1024];
    snprintf(in, sizeof in,
             "{ \"a\": [1, -2, 18446744073709551615, 0.5, true, false, null, \"s\\n\"],"
             " \"o\": {\"x\": {}}, \"e\": [], \"%s\": 1, \"n\\u0000k\": 2 }",
             longkey);
    struct json_doc *d = json_doc_new(0);
    struct json_val root;
    assert_int_equal(json_parse(d, in, strlen(in), 0, &root), 0);
    jw_json(&w, &root);
    assert_int_equal(jw_finish(&w), 0);
    char want[1024];
    snprintf(want, sizeof want,
             "{\"a\":[1,-2,18446744073709551615,0.5,true,false,null,\"s\\n\"],\"o\":{\"x\":{}},"
             "\"e\":[],\"%s\":1,\"n\\u0000k\":2}",
             longkey);
    assert_string_equal(text(), want);
    json_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_containers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_top_level_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doubles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_value, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
