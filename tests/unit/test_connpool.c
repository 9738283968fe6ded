/* Tests of what both store backends share (store/connpool.h): the reader
 * pool hands each slot to one holder at a time and a taker waits for a
 * give; the statement cache finds only idle statements of the same text,
 * evicts round robin past statements in use, and frees all on clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "store/connpool.h"

struct taker {
    struct conn_pool *p;
    atomic_int got; /* the slot taken + 1, 0 while waiting */
};

static void *take_main(void *arg)
{
    struct taker *t = arg;
    unsigned i = conn_pool_take(t->p);
    atomic_store(&t->got, (int)i + 1);
    return NULL;
}

static void test_pool_one_holder_per_slot(void **state)
{
    (void)state;
    struct conn_pool p;
    conn_pool_init(&p, 2);
    unsigned a = conn_pool_take(&p), b = conn_pool_take(&p);
    assert_true(a != b && a < 2 && b < 2);
    struct taker t = {.p = &p};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, take_main, &t), 0);
    struct timespec ms50 = {0, 50 * 1000000L};
    nanosleep(&ms50, NULL);
    assert_int_equal(atomic_load(&t.got), 0); /* both out: it waits */
    conn_pool_give(&p, b);
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&t.got), (int)b + 1); /* the slot given back */
    conn_pool_give(&p, a);
    conn_pool_give(&p, b);
    conn_pool_destroy(&p);
}

static int freed;

static void free_stmt(struct cached_stmt *s)
{
    free(s->sql);
    free(s);
    freed++;
}

static struct cached_stmt *add(struct stmt_cache *c, const char *sql)
{
    struct cached_stmt *s = calloc(1, sizeof *s);
    struct cached_stmt *old = stmt_cache_add(c, s, sql);
    if (old != NULL)
        free_stmt(old);
    return s;
}

static void test_cache_take_evict_clear(void **state)
{
    (void)state;
    struct stmt_cache c = {0};
    freed = 0;
    struct cached_stmt *q1 = add(&c, "SELECT 1");
    assert_true(q1->in_use);
    assert_null(stmt_cache_take(&c, "SELECT 1")); /* in use: not handed out twice */
    q1->in_use = false;
    assert_ptr_equal(stmt_cache_take(&c, "SELECT 1"), q1);
    assert_null(stmt_cache_take(&c, "SELECT 2"));
    /* Fill the cache; q1 stays in use, so the first eviction skips it. */
    char sql[32];
    for (int i = 1; i < STMT_CACHE_MAX; i++) {
        snprintf(sql, sizeof sql, "SELECT %d + 0", i);
        add(&c, sql)->in_use = false;
    }
    assert_int_equal(c.n, STMT_CACHE_MAX);
    assert_int_equal(freed, 0);
    struct cached_stmt *q2 = add(&c, "SELECT 2");
    assert_int_equal(freed, 1);
    assert_ptr_equal(c.e[1], q2); /* slot 0 (q1, in use) skipped */
    q1->in_use = false;
    assert_ptr_equal(stmt_cache_take(&c, "SELECT 1"), q1);
    assert_null(stmt_cache_take(&c, "SELECT 1 + 0")); /* the evicted one */
    stmt_cache_clear(&c, free_stmt);
    assert_int_equal(freed, 1 + STMT_CACHE_MAX);
    assert_int_equal(c.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_one_holder_per_slot),
        cmocka_unit_test(test_cache_take_evict_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
