/* Tests of the type-generic growable array (base/vec.h): many pushes keep
 * every element, push_zero zeroes, reserve, clear and free keep the
 * invariants (len <= cap; v is NULL when cap is 0). vec.h is included
 * before any other header so that it must stand on its own. */
#include "base/vec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

struct item {
    uint64_t a;
    uint32_t b;
    char tag[12];
};

static void check(size_t len, size_t cap, const void *v)
{
    assert_true(len <= cap);
    if (cap == 0)
        assert_null(v);
    else
        assert_non_null(v);
}

static void test_push_many(void **state)
{
    (void)state;
    VEC(uint64_t) v = {0};
    check(v.len, v.cap, v.v);
    size_t grows = 0, last_cap = 0;
    for (uint64_t i = 0; i < 100000; i++) {
        vec_push(&v, i * i + 7);
        check(v.len, v.cap, v.v);
        if (v.cap != last_cap) {
            grows++;
            last_cap = v.cap;
        }
    }
    /* Growth is geometric: amortised O(1) pushes, a few dozen reallocs. */
    assert_true(grows <= 32);
    assert_int_equal(v.len, 100000);
    for (uint64_t i = 0; i < 100000; i++)
        assert_true(v.v[i] == i * i + 7);
    vec_free(&v);
    assert_null(v.v);
    assert_int_equal(v.len, 0);
    assert_int_equal(v.cap, 0);
    check(v.len, v.cap, v.v);
}

static void test_push_struct_and_zero(void **state)
{
    (void)state;
    VEC(struct item) v = {0};
    for (uint32_t i = 0; i < 1000; i++) {
        struct item it = {.a = i, .b = ~i, .tag = "t"};
        it.tag[1] = (char)('a' + i % 26);
        vec_push(&v, it);
    }
    /* Fill the spare capacity with garbage, then push_zero must zero. */
    for (size_t i = v.len; i < v.cap; i++)
        memset(&v.v[i], 0x5A, sizeof v.v[i]);
    for (int k = 0; k < 100; k++) {
        struct item *z = vec_push_zero(&v);
        assert_ptr_equal(z, &v.v[v.len - 1]);
        const unsigned char *bytes = (const unsigned char *)z;
        for (size_t j = 0; j < sizeof *z; j++)
            assert_int_equal(bytes[j], 0);
        z->a = 5000 + (uint64_t)k;
    }
    assert_int_equal(v.len, 1100);
    for (uint32_t i = 0; i < 1000; i++) {
        assert_true(v.v[i].a == i);
        assert_int_equal(v.v[i].b, ~i);
        assert_int_equal(v.v[i].tag[0], 't');
        assert_int_equal(v.v[i].tag[1], 'a' + i % 26);
    }
    for (int k = 0; k < 100; k++)
        assert_true(v.v[1000 + k].a == 5000 + (uint64_t)k);
    vec_free(&v);
}

static void test_reserve(void **state)
{
    (void)state;
    VEC(int) v = {0};
    size_t none = 0;
    vec_reserve(&v, none); /* nothing needed: nothing allocated */
    assert_null(v.v);
    assert_int_equal(v.cap, 0);
    vec_reserve(&v, 1000);
    assert_true(v.cap >= 1000);
    assert_int_equal(v.len, 0);
    int *p = v.v;
    size_t cap = v.cap;
    for (int i = 0; i < 1000; i++)
        vec_push(&v, i);
    assert_ptr_equal(v.v, p); /* no reallocation within the reserve */
    assert_int_equal(v.cap, cap);
    vec_reserve(&v, 10); /* smaller than cap: no change */
    assert_ptr_equal(v.v, p);
    assert_int_equal(v.cap, cap);
    assert_int_equal(v.len, 1000);
    vec_reserve(&v, cap + 1);
    assert_true(v.cap >= cap + 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v.v[i], i);
    vec_free(&v);
}

static void test_clear_and_free(void **state)
{
    (void)state;
    VEC(char) v = {0};
    for (int i = 0; i < 50; i++)
        vec_push(&v, (char)i);
    size_t cap = v.cap;
    char *p = v.v;
    vec_clear(&v);
    assert_int_equal(v.len, 0);
    assert_int_equal(v.cap, cap); /* storage kept */
    assert_ptr_equal(v.v, p);
    vec_push(&v, 'z');
    assert_int_equal(v.len, 1);
    assert_int_equal(v.v[0], 'z');
    vec_free(&v);
    check(v.len, v.cap, v.v);
    vec_free(&v);      /* twice is harmless */
    vec_push(&v, 'y'); /* usable after free */
    assert_int_equal(v.len, 1);
    assert_int_equal(v.v[0], 'y');
    vec_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_many),
        cmocka_unit_test(test_push_struct_and_zero),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_clear_and_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
