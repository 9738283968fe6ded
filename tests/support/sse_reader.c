/* A reader of the daemon's event stream (GET /v1/stream) for integration
 * tests: a thread with libcurl appends everything received to a buffer
 * that the test searches. Included (as the other support files are) by
 * the tests that need it; the includer includes cmocka first. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

struct sse {
    unsigned port;
    pthread_t t;
    pthread_mutex_t mu;
    struct buf data;
    atomic_int stop;
    atomic_int connected;
};

static size_t sse_write(char *p, size_t size, size_t n, void *ctx)
{
    struct sse *s = ctx;
    pthread_mutex_lock(&s->mu);
    buf_append(&s->data, p, size * n);
    pthread_mutex_unlock(&s->mu);
    atomic_store(&s->connected, 1);
    return atomic_load(&s->stop) ? 0 : size * n;
}

static int sse_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    return atomic_load(&((struct sse *)ctx)->stop) ? 1 : 0;
}

static void *sse_main(void *arg)
{
    struct sse *s = arg;
    CURL *c = curl_easy_init();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1/stream", s->port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sse_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, sse_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    return NULL;
}

static void sse_start(struct sse *s, unsigned port)
{
    memset(s, 0, sizeof *s);
    s->port = port;
    pthread_mutex_init(&s->mu, NULL);
    buf_init(&s->data, 0);
    pthread_create(&s->t, NULL, sse_main, s);
    for (int i = 0; i < 200 && !atomic_load(&s->connected); i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    assert_true(atomic_load(&s->connected));
}

static void sse_stop(struct sse *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->t, NULL);
    buf_release(&s->data);
    pthread_mutex_destroy(&s->mu);
}

/* How many times needle occurs in what was received so far. */
static size_t sse_count(struct sse *s, const char *needle)
{
    pthread_mutex_lock(&s->mu);
    size_t n = 0;
    for (const char *p = s->data.data; p && (p = strstr(p, needle)); p++)
        n++;
    pthread_mutex_unlock(&s->mu);
    return n;
}
