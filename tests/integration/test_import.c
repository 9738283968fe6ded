/* Integration tests of `walltrack import`: a JSON array file, NDJSON with a
 * bad line, re-import inserting nothing, and a missing file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "store/store.h"

#define FIX WT_FIXTURES "/real/"

static void counts(const char *dir, int64_t *swaps, int64_t *transfers)
{
    char db[600];
    snprintf(db, sizeof db, "%s/data", dir);
    struct store *st;
    char err[256];
    assert_int_equal(store_open(db, NULL, &st, err, sizeof err), 0);
    int64_t prices;
    assert_int_equal(store_count_events(st, swaps, transfers, &prices), 0);
    store_close(st);
}

static void test_import_array_then_again(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    struct buf out;
    buf_init(&out, 0);
    const char *argv[] = {"import", "--data", "data",
                          FIX "helius_enhanced_address_history_response_50tx.json", NULL};
    assert_int_equal(harness_run(dir, argv, NULL, 60, &out), 0);
    /* The real page: 50 transactions, 7 swaps and 21 transfers decoded. */
    assert_non_null(strstr(out.data, "imported 50 transactions: 7 swaps and 21 transfers stored, "
                                     "0 duplicates"));
    int64_t swaps, transfers;
    counts(dir, &swaps, &transfers);
    assert_int_equal(swaps, 7);
    assert_int_equal(transfers, 21);

    buf_reset(&out);
    assert_int_equal(harness_run(dir, argv, NULL, 60, &out), 0);
    assert_non_null(strstr(out.data, "0 swaps and 0 transfers stored, 28 duplicates"));
    counts(dir, &swaps, &transfers);
    assert_int_equal(swaps, 7);
    buf_release(&out);
    harness_rmdir(dir);
}

static void test_import_ndjson_with_bad_line(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    /* Three lines: a real swap (one line), garbage, a real transfer. */
    struct buf swap, xfer, nd;
    buf_init(&swap, 0);
    buf_init(&xfer, 0);
    buf_init(&nd, 0);
    assert_int_equal(
        harness_read_file(FIX "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json", &swap), 0);
    assert_int_equal(
        harness_read_file(FIX "helius_enhanced_transfer_sol_system_program.json", &xfer), 0);
    for (size_t i = 0; i < swap.len; i++)
        if (swap.data[i] != '\n')
            buf_putc(&nd, swap.data[i]);
    buf_puts(&nd, "\n[{\"signature\": oops\n");
    for (size_t i = 0; i < xfer.len; i++)
        if (xfer.data[i] != '\n')
            buf_putc(&nd, xfer.data[i]);
    buf_putc(&nd, '\n');
    char path[512];
    snprintf(path, sizeof path, "%s/in.ndjson", dir);
    FILE *fp = fopen(path, "w");
    fwrite(nd.data, 1, nd.len, fp);
    fclose(fp);
    struct buf out;
    buf_init(&out, 0);
    const char *argv[] = {"import", "--data", "data", "in.ndjson", NULL};
    assert_int_equal(harness_run(dir, argv, NULL, 60, &out), 0);
    assert_non_null(strstr(out.data, "in.ndjson:2: skipped a document"));
    assert_non_null(strstr(out.data, "imported 2 transactions: 1 swaps and 1 transfers stored"));
    assert_non_null(strstr(out.data, "1 documents were not Helius payloads"));
    buf_release(&out);
    buf_release(&swap);
    buf_release(&xfer);
    buf_release(&nd);
    harness_rmdir(dir);
}

static void test_import_missing_file(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    struct buf out;
    buf_init(&out, 0);
    const char *argv[] = {"import", "--data", "data", "nope.json", NULL};
    assert_int_equal(harness_run(dir, argv, NULL, 60, &out), 1);
    assert_non_null(strstr(out.data, "cannot open nope.json"));
    const char *argv2[] = {"import", NULL};
    assert_int_equal(harness_run(dir, argv2, NULL, 60, NULL), 2);
    buf_release(&out);
    harness_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_array_then_again),
        cmocka_unit_test(test_import_ndjson_with_bad_line),
        cmocka_unit_test(test_import_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
