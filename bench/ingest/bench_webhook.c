/* Load generator for webhook receivers: POSTs Helius bodies of N real
 * transactions (the 18 KB Jupiter swap fixture, minified, each copy with a
 * distinct signature) over keep-alive connections for a fixed time, and
 * reports transactions/s and per-body latency percentiles.
 *
 *   bench_webhook URL SECRET [seconds=10] [connections=4] [tx_per_body=100] [first_id=0]
 *
 * Prints one line: "bodies=… tx=… tx_per_s=… p50_ms=… p99_ms=… errors=…".
 * run_webhook_bench.sh runs it against walltrack and the seed's reference
 * stack in the same run. Signature ids start at first_id so consecutive
 * runs against one database never collide. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "solana/base58.h"

#define FIXTURE_SIG                                                                                \
    "3A6AA1o5aF7qdVEyUaKqR4cwPJuG5KFRAyu1tcc7LsfKZEvyaTs75QMG611y5Nkgb82fM6GgA7yGXHq99UHvkfDh"

static struct buf tx_template; /* one minified transaction object */
static size_t sig_at;          /* offset of the signature in the template */
static const char *url, *secret;
static double seconds = 10;
static unsigned tx_per_body = 100;
static atomic_ullong next_id;
static atomic_int stop;

struct worker {
    pthread_t t;
    double *lat_ms;
    size_t n, cap;
    unsigned long long tx, errors;
};

static int load_template(void)
{
    FILE *fp =
        fopen(WT_FIXTURES "/real/helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json", "r");
    if (!fp)
        return -1;
    struct buf raw;
    buf_init(&raw, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&raw, chunk, n);
    fclose(fp);
    /* Minify (whitespace outside strings) and drop the enclosing [ ]. */
    buf_init(&tx_template, 0);
    bool in_str = false, esc = false;
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.data[i];
        if (in_str) {
            buf_putc(&tx_template, c);
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
            buf_putc(&tx_template, c);
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            buf_putc(&tx_template, c);
        }
    }
    buf_release(&raw);
    char *open_ = strchr(tx_template.data, '{'), *close_ = strrchr(tx_template.data, '}');
    memmove(tx_template.data, open_, (size_t)(close_ - open_ + 1));
    buf_truncate(&tx_template, (size_t)(close_ - open_ + 1));
    char *s = strstr(tx_template.data, FIXTURE_SIG);
    if (!s)
        return -1;
    sig_at = (size_t)(s - tx_template.data);
    return 0;
}

/* A distinct valid signature of the template's length: the template's
 * leading digit keeps the value below 2^512, the last 8 digits carry id. */
static void make_body(struct buf *b)
{
    static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    buf_reset(b);
    buf_putc(b, '[');
    size_t siglen = strlen(FIXTURE_SIG);
    for (unsigned i = 0; i < tx_per_body; i++) {
        unsigned long long id = atomic_fetch_add(&next_id, 1);
        if (i)
            buf_putc(b, ',');
        size_t at = b->len + sig_at;
        buf_append(b, tx_template.data, tx_template.len);
        for (int k = 0; k < 10; k++) {
            b->data[at + siglen - 1 - (size_t)k] = alphabet[id % 58];
            id /= 58;
        }
    }
    buf_putc(b, ']');
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char auth[512];
    snprintf(auth, sizeof auth, "Authorization: %s", secret);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    struct buf body;
    buf_init(&body, 0);
    while (!atomic_load(&stop)) {
        make_body(&body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
        int64_t t0 = clock_mono_ns();
        CURLcode rc = curl_easy_perform(c);
        double ms = (double)(clock_mono_ns() - t0) / 1e6;
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 200) {
            w->errors++;
            continue;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat_ms = realloc(w->lat_ms, w->cap * sizeof *w->lat_ms);
        }
        w->lat_ms[w->n++] = ms;
        w->tx += tx_per_body;
    }
    buf_release(&body);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_webhook URL SECRET [seconds] [connections] [tx_per_body] "
                        "[first_id]\n");
        return 2;
    }
    url = argv[1];
    secret = argv[2];
    unsigned conns = 4;
    if (argc > 3)
        seconds = strtod(argv[3], NULL);
    if (argc > 4)
        conns = (unsigned)strtoul(argv[4], NULL, 10);
    if (argc > 5)
        tx_per_body = (unsigned)strtoul(argv[5], NULL, 10);
    if (argc > 6)
        atomic_store(&next_id, strtoull(argv[6], NULL, 10));
    if (conns < 1 || conns > 64 || tx_per_body < 1 || seconds <= 0 || load_template() != 0) {
        fprintf(stderr, "bench_webhook: bad arguments or missing fixture\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct worker *w = calloc(conns, sizeof *w);
    int64_t t0 = clock_mono_ns();
    for (unsigned i = 0; i < conns; i++)
        pthread_create(&w[i].t, NULL, run, &w[i]);
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
    atomic_store(&stop, 1);
    unsigned long long tx = 0, errors = 0;
    size_t n = 0;
    for (unsigned i = 0; i < conns; i++) {
        pthread_join(w[i].t, NULL);
        tx += w[i].tx;
        errors += w[i].errors;
        n += w[i].n;
    }
    double elapsed = (double)(clock_mono_ns() - t0) / 1e9;
    double *all = malloc((n ? n : 1) * sizeof *all);
    size_t k = 0;
    for (unsigned i = 0; i < conns; i++) {
        memcpy(all + k, w[i].lat_ms, w[i].n * sizeof *all);
        k += w[i].n;
        free(w[i].lat_ms);
    }
    qsort(all, n, sizeof *all, cmp);
    printf("bodies=%zu tx=%llu tx_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%llu "
           "body_bytes=%zu\n",
           n, tx, (double)tx / elapsed, n ? all[n / 2] : 0.0, n ? all[(n * 99) / 100] : 0.0, errors,
           tx_template.len * tx_per_body + tx_per_body + 1);
    free(all);
    free(w);
    buf_release(&tx_template);
    curl_global_cleanup();
    return 0;
}
