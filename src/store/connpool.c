/* The reader pool and the statement cache of store/connpool.h. */
#include "store/connpool.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void conn_pool_init(struct conn_pool *p, unsigned n)
{
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->n = n;
    p->busy = xcalloc(n ? n : 1, sizeof *p->busy);
}

void conn_pool_destroy(struct conn_pool *p)
{
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cond);
    free(p->busy);
    p->busy = NULL;
}

unsigned conn_pool_take(struct conn_pool *p)
{
    assert(p->n > 0);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        for (unsigned i = 0; i < p->n; i++) {
            if (!p->busy[i]) {
                p->busy[i] = true;
                pthread_mutex_unlock(&p->mu);
                return i;
            }
        }
        pthread_cond_wait(&p->cond, &p->mu);
    }
}

void conn_pool_give(struct conn_pool *p, unsigned i)
{
    assert(i < p->n);
    pthread_mutex_lock(&p->mu);
    assert(p->busy[i]);
    p->busy[i] = false;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

struct cached_stmt *stmt_cache_take(struct stmt_cache *c, const char *sql)
{
    uint64_t h = fnv1a(sql);
    for (size_t i = 0; i < c->n; i++) {
        struct cached_stmt *e = c->e[i];
        if (e->hash == h && !e->in_use && strcmp(e->sql, sql) == 0) {
            e->in_use = true;
            return e;
        }
    }
    return NULL;
}

struct cached_stmt *stmt_cache_add(struct stmt_cache *c, struct cached_stmt *s, const char *sql)
{
    s->hash = fnv1a(sql);
    s->sql = xstrdup(sql);
    s->in_use = true;
    if (c->n < STMT_CACHE_MAX) {
        c->e[c->n++] = s;
        return NULL;
    }
    while (c->e[c->evict]->in_use)
        c->evict = (c->evict + 1) % STMT_CACHE_MAX;
    struct cached_stmt *old = c->e[c->evict];
    c->e[c->evict] = s;
    c->evict = (c->evict + 1) % STMT_CACHE_MAX;
    return old;
}

void stmt_cache_clear(struct stmt_cache *c, void (*free_stmt)(struct cached_stmt *s))
{
    for (size_t i = 0; i < c->n; i++)
        free_stmt(c->e[i]);
    c->n = 0;
    c->evict = 0;
}
