/* Parse throughput of base/json.h on a real Helius payload.
 *
 * DESIGN §11 chose simdjson for its speed on exactly this kind of input;
 * this benchmark keeps that claim honest through our C binding. The body is
 * the real 24 KB enhanced SWAP transaction (Jupiter, multi-hop) repeated
 * 100 times inside one JSON array, built in memory with JSON_PADDING spare
 * bytes and parsed in place, as the ingest path does. Each parse also walks
 * every transaction's signature, fee and tokenTransfers[].mint, so the
 * number includes the typed getters, not just the tape build.
 *
 * simdjson's C++ API cannot be called from C, so the reference measured in
 * the same run is a memchr scan of the same bytes counting '{': a lower
 * bound on the cost of touching every byte (memory bandwidth). The ratio
 * says how far the parse is from that bound.
 *
 * Each measurement is the median of 5 runs of at least 0.5 s each. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json.h"

#define FIXTURE           WT_FIXTURES "/real/helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json"
#define COPIES            100
#define RUNS              5
#define MIN_NS            500000000LL
#define WANT_FEE          45998u /* the fixture's fee, checked on every transaction */
#define WANT_MINTS_PER_TX 6

static volatile uint64_t sink; /* keeps the work from being optimised away */

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        exit(1);
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (n <= 0) {
        fprintf(stderr, "%s: empty or unreadable\n", path);
        exit(1);
    }
    char *p = malloc((size_t)n + 1);
    if (!p || fread(p, 1, (size_t)n, fp) != (size_t)n) {
        fprintf(stderr, "%s: read failed\n", path);
        exit(1);
    }
    fclose(fp);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

/* Builds "[tx,tx,...,tx]" from the fixture (a one-element array), followed
 * by JSON_PADDING zero bytes. */
static char *build_body(size_t *len, size_t *cap)
{
    size_t flen;
    char *file = read_file(FIXTURE, &flen);
    char *first = strchr(file, '{');
    char *last = strrchr(file, '}');
    if (!first || !last || last < first) {
        fprintf(stderr, "%s: no object inside the array\n", FIXTURE);
        exit(1);
    }
    size_t tlen = (size_t)(last - first) + 1;
    size_t n = 2 + COPIES * tlen + (COPIES - 1);
    char *body = calloc(1, n + JSON_PADDING);
    if (!body)
        exit(1);
    size_t off = 0;
    body[off++] = '[';
    for (int i = 0; i < COPIES; i++) {
        if (i)
            body[off++] = ',';
        memcpy(body + off, first, tlen);
        off += tlen;
    }
    body[off++] = ']';
    free(file);
    *len = off;
    *cap = n + JSON_PADDING;
    return body;
}

/* One parse and walk of the body. Returns a checksum of what was read;
 * exits on any error, since a benchmark of a failing parse means nothing. */
static uint64_t parse_walk(struct json_doc *d, const char *body, size_t len, size_t cap)
{
    struct json_val root, tx, transfers, tt;
    struct json_iter it, jt;
    if (json_parse(d, body, len, cap, &root) || json_iter_init(&root, &it))
        goto fail;
    uint64_t sum = 0, txs = 0, mints = 0;
    while (json_iter_next(&it, &tx)) {
        const char *sig, *mint;
        size_t siglen, mintlen;
        uint64_t fee;
        if (json_get_str(&tx, "signature", &sig, &siglen) || json_get_u64(&tx, "fee", &fee) ||
            json_get(&tx, "tokenTransfers", &transfers) || json_iter_init(&transfers, &jt))
            goto fail;
        if (fee != WANT_FEE || siglen != 88)
            goto wrong;
        sum += fee + siglen + (unsigned char)sig[0];
        while (json_iter_next(&jt, &tt)) {
            if (json_get_str(&tt, "mint", &mint, &mintlen))
                goto fail;
            sum += mintlen + (unsigned char)mint[mintlen - 1];
            mints++;
        }
        txs++;
    }
    if (txs != COPIES || mints != (uint64_t)COPIES * WANT_MINTS_PER_TX)
        goto wrong;
    return sum;
fail:
    fprintf(stderr, "bench_json: %s\n", json_errmsg(d));
    exit(1);
wrong:
    fprintf(stderr, "bench_json: unexpected content in the fixture\n");
    exit(1);
}

/* Counts '{' with memchr: touches every byte once, does nothing else. */
static uint64_t scan_braces(const char *body, size_t len)
{
    uint64_t n = 0;
    const char *p = body, *end = body + len;
    while ((p = memchr(p, '{', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct ctx {
    struct json_doc *doc;
    const char *body;
    size_t len, cap;
};

static void op_json(const struct ctx *c)
{
    sink += parse_walk(c->doc, c->body, c->len, c->cap);
}

static void op_scan(const struct ctx *c)
{
    sink += scan_braces(c->body, c->len);
}

/* Median over RUNS runs of the bodies processed per second, each run
 * repeating op for at least MIN_NS. */
static double measure(void (*op)(const struct ctx *), const struct ctx *c)
{
    double rates[RUNS];
    op(c); /* warm up caches and the parser's buffers */
    for (int r = 0; r < RUNS; r++) {
        uint64_t iters = 0;
        int64_t t0 = clock_mono_ns(), el;
        do {
            op(c);
            iters++;
            el = clock_mono_ns() - t0;
        } while (el < MIN_NS);
        rates[r] = (double)iters * 1e9 / (double)el;
    }
    qsort(rates, RUNS, sizeof *rates, cmp_double);
    return rates[RUNS / 2];
}

int main(void)
{
    struct ctx c;
    char *body = build_body(&c.len, &c.cap);
    c.body = body;
    c.doc = json_doc_new(0);

    /* The scan must agree with the parse about what it looked at. */
    uint64_t braces = scan_braces(body, c.len);
    double mb = (double)c.len / 1e6;
    printf("bench_json: body %zu bytes (%d x %zu-byte Helius SWAP tx), %llu '{', "
           "median of %d runs >= 0.5 s\n",
           c.len, COPIES, (c.len - 2 - (COPIES - 1)) / COPIES, (unsigned long long)braces, RUNS);

    double json_rate = measure(op_json, &c);
    printf("json_parse+walk (base/json.h, simdjson, in place): %8.1f MB/s  %9.0f tx/s\n",
           json_rate * mb, json_rate * COPIES);
    double scan_rate = measure(op_scan, &c);
    printf("memchr '{' scan (bandwidth lower bound):           %8.1f MB/s  %9.0f tx/s\n",
           scan_rate * mb, scan_rate * COPIES);
    printf("ratio parse/scan: %.3f (parse runs at %.1f%% of the scan's speed)\n",
           json_rate / scan_rate, 100.0 * json_rate / scan_rate);

    json_doc_free(c.doc);
    free(body);
    return 0;
}
