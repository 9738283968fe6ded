/* Decode throughput of the Helius decoder on real-size bodies.
 *
 * The body is built in memory: 100 copies of the real 18-24 KB Jupiter
 * swap fixture (helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json),
 * each with a distinct signature, in one JSON array, as a webhook would
 * deliver them. The reference in the same run is simdjson parsing the
 * same body with nothing else (json_parse), so the ratio says how much
 * the decoding rules cost on top of the parse. One core, in place parse.
 *
 *     build/bench_decode [iterations]     (default 300 bodies) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/str.h"
#include "ingest/helius.h"

#define COPIES 100

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_decode: cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench_decode: short read\n");
        exit(1);
    }
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

int main(int argc, char **argv)
{
    uint64_t it64 = 300;
    if (argc > 1 && (str_to_u64(argv[1], &it64) || it64 == 0 || it64 > 1000000)) {
        fprintf(stderr, "bench_decode: iterations must be 1..1000000, got '%s'\n", argv[1]);
        return 2;
    }
    int iters = (int)it64;
    size_t flen;
    char *fix =
        load(WT_FIXTURES "/real/helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json", &flen);
    /* Helius sends compact JSON; the recorded fixture is indented. Drop
     * whitespace outside strings (24 KB -> 17.7 KB per transaction). */
    size_t w = 0;
    bool in_str = false;
    for (size_t r = 0; r < flen; r++) {
        char ch = fix[r];
        if (in_str) {
            fix[w++] = ch;
            if (ch == '\\' && r + 1 < flen)
                fix[w++] = fix[++r];
            else if (ch == '"')
                in_str = false;
        } else if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') {
            fix[w++] = ch;
            in_str = ch == '"';
        }
    }
    fix[w] = '\0';
    flen = w;
    /* The fixture is "[{tx}]": take the object between the brackets. */
    char *lb = strchr(fix, '{'), *rb = strrchr(fix, '}');
    size_t olen = (size_t)(rb - lb) + 1;
    const char *sig =
        "3A6AA1o5aF7qdVEyUaKqR4cwPJuG5KFRAyu1tcc7LsfKZEvyaTs75QMG611y5Nkgb82fM6GgA7yGXHq99UHvkfDh";
    char *sigpos = strstr(lb, sig);
    if (!sigpos || sigpos > rb) {
        fprintf(stderr, "bench_decode: signature not found in fixture\n");
        return 1;
    }
    size_t cap = COPIES * (olen + 1) + 2 + JSON_PADDING;
    char *body = malloc(cap);
    size_t n = 0;
    body[n++] = '[';
    for (int i = 0; i < COPIES; i++) {
        if (i)
            body[n++] = ',';
        char *dst = body + n;
        memcpy(dst, lb, olen);
        /* Distinct signatures: rewrite the last two base58 characters. */
        static const char a[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        char *s = dst + (sigpos - lb) + strlen(sig) - 2;
        s[0] = a[i / 58];
        s[1] = a[i % 58];
        n += olen;
    }
    body[n++] = ']';
    memset(body + n, 0, JSON_PADDING);

    struct helius_decoder *d = helius_decoder_new();
    struct helius_out out = {0};
    struct helius_counters c = {0};
    struct json_doc *doc = json_doc_new(0);
    struct json_val root;
    /* Warm up and check the body decodes to 100 swaps. */
    if (helius_decode(d, body, n, cap, &out, &c) || out.events.len != COPIES) {
        fprintf(stderr, "bench_decode: warm-up decode failed: %s (%zu events)\n", helius_errmsg(d),
                out.events.len);
        return 1;
    }

    double best_parse = 1e9, best_decode = 1e9;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        for (int i = 0; i < iters; i++)
            if (json_parse(doc, body, n, cap, &root))
                return 1;
        double t1 = now();
        for (int i = 0; i < iters; i++) {
            helius_out_clear(&out);
            if (helius_decode(d, body, n, cap, &out, &c))
                return 1;
        }
        double t2 = now();
        if (t1 - t0 < best_parse)
            best_parse = t1 - t0;
        if (t2 - t1 < best_decode)
            best_decode = t2 - t1;
    }
    double mb = (double)n * iters / 1e6, txs = (double)COPIES * iters;
    printf("body: %d txs, %zu bytes (%.1f KB per tx), %d bodies per round, best of 3\n", COPIES, n,
           (double)n / COPIES / 1024, iters);
    printf("simdjson parse only : %8.0f MB/s  %9.0f tx/s\n", mb / best_parse, txs / best_parse);
    printf("helius_decode       : %8.0f MB/s  %9.0f tx/s  (%.2fx the parse time)\n",
           mb / best_decode, txs / best_decode, best_decode / best_parse);
    printf("goal >= 150000 tx/s : %s\n", txs / best_decode >= 150000 ? "met" : "NOT met");
    json_doc_free(doc);
    helius_out_release(&out);
    helius_decoder_free(d);
    free(body);
    free(fix);
    return 0;
}
