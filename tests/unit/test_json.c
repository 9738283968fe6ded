/* Tests of the simdjson binding (base/json.h): typed getters, exact u64,
 * error paths, iteration, in-place parsing and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"

static struct json_doc *doc;

static int setup(void **state)
{
    (void)state;
    doc = json_doc_new(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_doc_free(doc);
    return 0;
}

static void parse(const char *text, struct json_val *root)
{
    assert_int_equal(json_parse(doc, text, strlen(text), 0, root), 0);
}

static void test_types_and_getters(void **state)
{
    (void)state;
    struct json_val root, v;
    parse("{\"a\":1,\"b\":-2,\"c\":1.5,\"d\":\"x\\ny\",\"e\":true,\"f\":null,"
          "\"g\":[1,2,3],\"h\":{}}",
          &root);
    assert_int_equal(json_type_of(&root), JSON_OBJECT);
    assert_int_equal(json_size(&root), 8);
    uint64_t u = 0;
    int64_t i = 0;
    double d = 0;
    bool b = false;
    const char *s;
    size_t n;
    assert_int_equal(json_get_u64(&root, "a", &u), 0);
    assert_int_equal(u, 1);
    assert_int_equal(json_get_i64(&root, "b", &i), 0);
    assert_int_equal(i, -2);
    assert_int_equal(json_get_double(&root, "c", &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(json_get_str(&root, "d", &s, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(s, "x\ny");
    assert_int_equal(json_get_bool(&root, "e", &b), 0);
    assert_true(b);
    assert_int_equal(json_get(&root, "f", &v), 0);
    assert_true(json_is_null(&v));
    assert_int_equal(json_get(&root, "g", &v), 0);
    assert_int_equal(json_size(&v), 3);
    /* opt: absent and null are quiet; wrong type still fails */
    assert_int_equal(json_opt_u64(&root, "zz", &u), WT_ENOTFOUND);
    assert_int_equal(json_opt_u64(&root, "f", &u), WT_ENOTFOUND);
    assert_int_equal(json_opt_u64(&root, "d", &u), WT_EPARSE);
    assert_int_equal(json_opt_u64(&root, "e", &u), WT_ETYPE);
}

static void test_u64_exact(void **state)
{
    (void)state;
    struct json_val root;
    parse("{\"max\":18446744073709551615,\"smax\":\"18446744073709551615\","
          "\"over\":\"18446744073709551616\","
          "\"neg\":-1,\"sneg\":\"-2000000\",\"frac\":1.0,\"junk\":\"12a\",\"empty\":\"\"}",
          &root);
    uint64_t u = 7;
    assert_int_equal(json_get_u64(&root, "max", &u), 0);
    assert_true(u == UINT64_MAX);
    u = 0;
    assert_int_equal(json_get_u64(&root, "smax", &u), 0);
    assert_true(u == UINT64_MAX);
    u = 7;
    assert_int_equal(json_get_u64(&root, "over", &u), WT_ERANGE);
    assert_int_equal(u, 7); /* untouched on failure */
    assert_int_equal(json_get_u64(&root, "neg", &u), WT_ERANGE);
    assert_int_equal(json_get_u64(&root, "frac", &u), WT_ETYPE);
    assert_int_equal(json_get_u64(&root, "junk", &u), WT_EPARSE);
    assert_int_equal(json_get_u64(&root, "empty", &u), WT_EPARSE);
    int64_t i = 0;
    struct json_val big;
    const char *overn = "{\"n\":18446744073709551616}";
    /* an integer literal above u64 is refused by the parser itself */
    assert_int_equal(json_parse(doc, overn, strlen(overn), 0, &big), WT_EPARSE);
    parse("{\"max\":18446744073709551615,\"sneg\":\"-2000000\"}", &root);
    assert_int_equal(json_get_i64(&root, "sneg", &i), 0);
    assert_true(i == -2000000);
    assert_int_equal(json_get_i64(&root, "max", &i), WT_ERANGE);
}

static void test_error_paths(void **state)
{
    (void)state;
    struct json_val root, tx, tt, item;
    parse("[{\"fee\":\"x\",\"tokenTransfers\":[{\"mint\":5}]}]", &root);
    assert_int_equal(json_index(&root, 0, &tx), 0);
    uint64_t fee;
    assert_int_equal(json_get_u64(&tx, "fee", &fee), WT_EPARSE);
    assert_non_null(strstr(json_errmsg(doc), "$[0].fee"));
    assert_int_equal(json_get(&tx, "tokenTransfers", &tt), 0);
    assert_int_equal(json_index(&tt, 0, &item), 0);
    const char *s;
    assert_int_equal(json_get_str(&item, "mint", &s, NULL), WT_ETYPE);
    assert_string_equal(json_errmsg(doc),
                        "at $[0].tokenTransfers[0].mint: expected a string, got integer");
    assert_int_equal(json_get_str(&item, "absent", &s, NULL), WT_ENOTFOUND);
    assert_string_equal(json_errmsg(doc), "at $[0].tokenTransfers[0]: missing field \"absent\"");
    assert_int_equal(json_index(&tt, 5, &item), WT_ENOTFOUND);
    assert_int_equal(json_get(&tt, "x", &item), WT_ETYPE);
}

static void test_iteration(void **state)
{
    (void)state;
    struct json_val root, v;
    struct json_iter it;
    parse("{\"x\":1,\"y\":2,\"z\":3}", &root);
    assert_int_equal(json_iter_init(&root, &it), 0);
    const char *keys[3];
    uint64_t sum = 0;
    int n = 0;
    while (json_iter_next(&it, &v)) {
        uint64_t u;
        assert_int_equal(json_u64(&v, &u), 0);
        keys[n++] = v.key;
        sum += u;
    }
    assert_int_equal(n, 3);
    assert_int_equal(sum, 6);
    assert_memory_equal(keys[2], "z", 1);
    parse("[]", &root);
    assert_int_equal(json_iter_init(&root, &it), 0);
    assert_false(json_iter_next(&it, &v));
    parse("5", &root);
    assert_int_equal(json_iter_init(&root, &it), WT_ETYPE);
}

static void test_invalid_json(void **state)
{
    (void)state;
    static const char *bad[] = {"", "{", "[1,2", "{\"a\":}", "nul", "{\"a\" 1}", "[1,]", "\"\\x\""};
    struct json_val root;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(json_parse(doc, bad[i], strlen(bad[i]), 0, &root), WT_EPARSE);
        assert_non_null(strstr(json_errmsg(doc), "invalid JSON"));
    }
}

static void test_depth_limit(void **state)
{
    (void)state;
    struct json_doc *d = json_doc_new(8);
    struct json_val root;
    const char *ok = "[[[[1]]]]";
    const char *deep = "[[[[[[[[[[1]]]]]]]]]]";
    assert_int_equal(json_parse(d, ok, strlen(ok), 0, &root), 0);
    assert_int_equal(json_parse(d, deep, strlen(deep), 0, &root), WT_EPARSE);
    json_doc_free(d);
}

static void test_in_place_and_truncation(void **state)
{
    (void)state;
    const char *text = "[{\"signature\":\"abc\",\"slot\":123}]";
    size_t len = strlen(text);
    char *padded = calloc(1, len + JSON_PADDING);
    memcpy(padded, text, len);
    struct json_val root, tx;
    assert_int_equal(json_parse(doc, padded, len, len + JSON_PADDING, &root), 0);
    assert_int_equal(json_index(&root, 0, &tx), 0);
    uint64_t slot;
    assert_int_equal(json_get_u64(&tx, "slot", &slot), 0);
    assert_int_equal(slot, 123);
    /* every truncation of a valid document is rejected cleanly */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(json_parse(doc, text, cut, 0, &root), WT_EPARSE);
    free(padded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_getters),
        cmocka_unit_test(test_u64_exact),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_in_place_and_truncation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
