/* Unit tests of base/csv.h: the list found at the top or as the first
 * array-of-objects member, columns in order of first appearance with
 * nested objects flattened, RFC 4180 quoting, the formula guard on strings
 * (never on numbers), arrays as JSON, empty lists, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/csv.h"
#include "base/err.h"
#include "base/json.h"

static int conv(const char *json, struct buf *out)
{
    struct buf in;
    buf_init(&in, 0);
    buf_puts(&in, json);
    buf_reserve(&in, JSON_PADDING);
    char err[256];
    buf_reset(out);
    int rc = csv_from_json(in.data, in.len, in.cap, out, err, sizeof err);
    buf_release(&in);
    return rc;
}

static void test_lists_and_columns(void **state)
{
    (void)state;
    struct buf o;
    buf_init(&o, 0);
    assert_int_equal(conv("[{\"a\":1,\"b\":\"x\"},{\"b\":\"y\",\"c\":true}]", &o), 0);
    assert_string_equal(o.data, "a,b,c\r\n1,x,\r\n,y,true\r\n");
    assert_int_equal(conv("{\"total\":2,\"signals\":[{\"id\":7,\"score\":0.5,\"n\":null}]}", &o),
                     0);
    assert_string_equal(o.data, "id,score,n\r\n7,0.5,\r\n");
    assert_int_equal(
        conv("{\"wallets\":[{\"w\":\"A\",\"scoring\":{\"s\":80,\"c\":\"high\"},\"t\":[1,2]}]}", &o),
        0);
    assert_string_equal(o.data, "w,scoring.s,scoring.c,t\r\nA,80,high,\"[1,2]\"\r\n");
    /* An empty list: no rows. */
    assert_int_equal(conv("{\"alerts\":[]}", &o), 0);
    assert_int_equal(o.len, 0);
    buf_release(&o);
}

static void test_quoting_and_formulas(void **state)
{
    (void)state;
    struct buf o;
    buf_init(&o, 0);
    assert_int_equal(
        conv("[{\"t\":\"a,b\",\"q\":\"say \\\"hi\\\"\",\"nl\":\"x\\ny\",\"f\":\"=1+2\",\"m\":"
             "\"-5\",\"n\":-5,\"at\":\"@SUM(A1)\"}]",
             &o),
        0);
    assert_string_equal(o.data, "t,q,nl,f,m,n,at\r\n\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",'=1+2,'-5,"
                                "-5,'@SUM(A1)\r\n");
    buf_release(&o);
}

static void test_refusals(void **state)
{
    (void)state;
    struct buf o;
    buf_init(&o, 0);
    assert_int_equal(conv("not json", &o), WT_EPARSE);
    assert_int_equal(conv("{\"status\":\"ok\",\"n\":3}", &o), WT_ENOTFOUND);
    assert_int_equal(conv("42", &o), WT_ENOTFOUND);
    buf_release(&o);
}

/* Numbers and booleans are written as their JSON text: every integer
 * exact (the u64 and i64 extremes), doubles in their shortest form, false,
 * and nested values as compact JSON, quoted. */
static void test_scalar_cells(void **state)
{
    (void)state;
    struct buf o;
    buf_init(&o, 0);
    assert_int_equal(conv("[{\"u\":18446744073709551615,\"i\":-9223372036854775808,\"d\":1e-7,"
                          "\"e\":2.5e300,\"b\":false,\"o\":{\"k\":[1, {\"z\":null}]}}]",
                          &o),
                     0);
    assert_string_equal(o.data, "u,i,d,e,b,o.k\r\n18446744073709551615,-9223372036854775808,1e-07,"
                                "2.5e+300,false,\"[1,{\"\"z\"\":null}]\"\r\n");
    buf_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_and_columns),
        cmocka_unit_test(test_quoting_and_formulas),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_scalar_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
