/* Tests of the crawl state in the store (store_crawl_*; migration 11) on
 * SQLite, and on PostgreSQL when WALLTRACK_TEST_PG_URL is set
 * (cmake/tests_crawl.cmake runs it against a throwaway server): adding is
 * idempotent, a page's cursor and its requests are written together, scans
 * filter by state, bad input changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "store/store.h"

static struct store *st;
static char tmpdir[] = "/tmp/wt-store-crawl-XXXXXX";

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    if (!mkdtemp(tmpdir))
        return -1;
    char err[256];
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (store_open(pg && *pg ? pg : tmpdir, NULL, &st, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    print_message("store: %s\n", store_backend(st));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

struct seen {
    int n;
    char keys[8][BASE58_KEY_MAX];
};

static int collect(void *ctx, const struct crawl_item *it)
{
    struct seen *s = ctx;
    if (s->n < 8)
        snprintf(s->keys[s->n], sizeof s->keys[0], "%s", it->key);
    s->n++;
    return 0;
}

static void test_crawl_state(void **state)
{
    (void)state;
    int64_t r0;
    assert_int_equal(store_crawl_counter(st, "requests", &r0), 0);
    /* the live progress counters: set, overwritten, "requests" refused */
    const char *names[] = {"run_test_a", "run_test_b"};
    int64_t vals[] = {7, -1}, v;
    assert_int_equal(store_crawl_set_counters(st, names, vals, 2), 0);
    vals[0] = 9;
    assert_int_equal(store_crawl_set_counters(st, names, vals, 2), 0);
    assert_int_equal(store_crawl_counter(st, "run_test_a", &v), 0);
    assert_int_equal(v, 9);
    assert_int_equal(store_crawl_counter(st, "run_test_b", &v), 0);
    assert_int_equal(v, -1);
    const char *bad[] = {"run_test_a", "requests"};
    assert_int_equal(store_crawl_set_counters(st, bad, vals, 2), WT_EINVAL);
    assert_int_equal(store_crawl_counter(st, "requests", &v), 0);
    assert_int_equal(v, r0); /* nothing written */
    bool added;
    assert_int_equal(store_crawl_add(st, "token", "MintB", "operator", 1000, &added), 0);
    assert_true(added);
    assert_int_equal(store_crawl_add(st, "token", "MintA", "operator", 1000, &added), 0);
    assert_true(added);
    assert_int_equal(store_crawl_add(st, "token", "MintA", "early_buyer", 2000, &added), 0);
    assert_false(added); /* known: unchanged */
    struct crawl_item it;
    assert_int_equal(store_crawl_get(st, "token", "MintA", &it), 0);
    assert_string_equal(it.state, "pending");
    assert_string_equal(it.source, "operator");
    assert_string_equal(it.cursor, "");
    assert_int_equal(it.updated_ms, 1000);

    /* a page: its cursor and the requests it cost, together */
    snprintf(it.cursor, sizeof it.cursor,
             "5h6xBEauJ3PK6SWCZ1PGjBvj8vDdWG3KpwATGy1ARAXFSDwt8GFXM7W5"
             "Ncn16wmqokgpiKRLuS83KUxyZyv2sUYv");
    it.pages = 1;
    it.first_ts = 1735689600;
    it.newest_ts = 1735700000;
    it.updated_ms = 3000;
    assert_int_equal(store_crawl_put(st, &it, 2), 0);
    snprintf(it.state, sizeof it.state, "done");
    it.pages = 2;
    assert_int_equal(store_crawl_put(st, &it, 1), 0);
    struct crawl_item back;
    assert_int_equal(store_crawl_get(st, "token", "MintA", &back), 0);
    assert_string_equal(back.state, "done");
    assert_string_equal(back.cursor, it.cursor);
    assert_int_equal(back.pages, 2);
    assert_int_equal(back.first_ts, 1735689600);
    assert_int_equal(back.newest_ts, 1735700000);
    int64_t r1;
    assert_int_equal(store_crawl_counter(st, "requests", &r1), 0);
    assert_int_equal(r1 - r0, 3);
    assert_int_equal(store_crawl_add_requests(st, 4), 0);
    assert_int_equal(store_crawl_counter(st, "requests", &r1), 0);
    assert_int_equal(r1 - r0, 7);

    /* scans: by kind, by state, in key order */
    struct seen s = {0};
    assert_int_equal(store_crawl_scan(st, "token", NULL, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.keys[0], "MintA");
    memset(&s, 0, sizeof s);
    assert_int_equal(store_crawl_scan(st, "token", "pending", collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.keys[0], "MintB");
    memset(&s, 0, sizeof s);
    assert_int_equal(store_crawl_scan(st, "wallet", NULL, collect, &s), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(store_crawl_get(st, "wallet", "MintA", &back), WT_ENOTFOUND);

    /* bad input: refused, nothing changes */
    assert_int_equal(store_crawl_add(st, "", "X", "operator", 1, NULL), WT_EINVAL);
    assert_int_equal(store_crawl_add(st, "token", "", "operator", 1, NULL), WT_EINVAL);
    it.state[0] = '\0';
    assert_int_equal(store_crawl_put(st, &it, 5), WT_EINVAL);
    snprintf(it.state, sizeof it.state, "done");
    assert_int_equal(store_crawl_put(st, &it, -1), WT_EINVAL);
    assert_int_equal(store_crawl_counter(st, "requests", &r1), 0);
    assert_int_equal(r1 - r0, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crawl_state),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
