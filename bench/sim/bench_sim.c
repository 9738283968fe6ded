/* Benchmark of the market simulator: swaps per second on one core,
 * (1) the market model alone, (2) with the Helius JSON written to
 * /dev/null, (3) with it written to a file through base/bulkfile (O_DIRECT
 * where the file system allows it), as `sim generate` does.
 *
 *     bench_sim [--days D] [--seed S] [--out FILE]
 *
 * Defaults: the default scenario (2,000 wallets, 300 launches a day) over
 * 3 days, file /tmp/bench_sim.ndjson (removed afterwards). Build in
 * Release for numbers worth quoting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/bulkfile.h"
#include "base/clock.h"
#include "base/str.h"
#include "sim/sim.h"

struct result {
    double secs, cpu; /* wall clock, and CPU time of this process */
    uint64_t swaps, txs, bytes;
    bool direct; /* the file bypassed the page cache (O_DIRECT) */
};

/* With f and path NULL, the model alone; with f, the JSON gathered into
 * 4 MB and written to f (/dev/null); with path, the JSON written to a new
 * file at path through base/bulkfile, as sim_generate does. */
static int run(const struct scenario *sc, FILE *f, const char *path, struct result *res)
{
    char err[256];
    struct sim *s;
    if (sim_new(sc, &s, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", err);
        return 1;
    }
    struct buf b;
    buf_init(&b, 0);
    struct sim_tx tx;
    struct bulkfile *bf = NULL;
    memset(res, 0, sizeof *res);
    int64_t t0 = clock_mono_ns();
    clock_t c0 = clock();
    if (path && bulkfile_open(path, 0, &bf)) {
        perror(path);
        return 1;
    }
    while (sim_next(s, &tx) == 1) {
        res->txs++;
        res->swaps += tx.kind == SIM_TX_SWAP;
        if (!f && !bf)
            continue;
        if (bf)
            buf_reset(&b);
        if (sim_tx_json(s, &tx, &b) || buf_putc(&b, '\n'))
            return 1;
        if (bf) {
            if (bulkfile_write(bf, b.data, b.len))
                return 1;
            res->bytes += b.len;
        } else if (b.len >= (1u << 22)) {
            if (fwrite(b.data, 1, b.len, f) != b.len)
                return 1;
            res->bytes += b.len;
            buf_reset(&b);
        }
    }
    if (f) {
        if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f))
            return 1;
        res->bytes += b.len;
    }
    if (bf) {
        res->direct = bulkfile_direct(bf);
        if (bulkfile_close(bf)) {
            perror(path);
            return 1;
        }
    }
    res->secs = (double)(clock_mono_ns() - t0) / 1e9;
    res->cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    buf_release(&b);
    sim_free(s);
    return 0;
}

static void report(const char *what, const struct result *r)
{
    printf("%-18s %7.3f s wall %7.3f s cpu  %8llu swaps  %9.0f swaps/s wall  %9.0f swaps/s cpu  "
           "%7.1f MB/s  %5.0f B/tx\n",
           what, r->secs, r->cpu, (unsigned long long)r->swaps, (double)r->swaps / r->secs,
           (double)r->swaps / r->cpu, (double)r->bytes / r->secs / 1e6,
           r->txs ? (double)r->bytes / (double)r->txs : 0);
}

int main(int argc, char **argv)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.days = 3;
    const char *out = "/tmp/bench_sim.ndjson";
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (i + 1 < argc && strcmp(argv[i], "--days") == 0 && !str_to_u64(argv[i + 1], &v) &&
            v >= 1 && v <= 3650) {
            sc.days = (uint32_t)v;
            i++;
        } else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0 && !str_to_u64(argv[i + 1], &v)) {
            sc.seed = v;
            i++;
        } else if (i + 1 < argc && strcmp(argv[i], "--out") == 0) {
            out = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_sim [--days D] [--seed S] [--out FILE]\n");
            return 2;
        }
    }
    printf("scenario: default, %u days, seed %llu\n", sc.days, (unsigned long long)sc.seed);
    struct result r;
    if (run(&sc, NULL, NULL, &r))
        return 1;
    report("model only", &r);
    FILE *f = fopen("/dev/null", "wb");
    if (!f || run(&sc, f, NULL, &r))
        return 1;
    fclose(f);
    report("JSON to /dev/null", &r);
    if (run(&sc, NULL, out, &r))
        return 1;
    report("JSON to file", &r);
    printf("(the file %s the page cache)\n", r.direct ? "bypassed" : "went through");
    unlink(out);
    return 0;
}
