/* Benchmark of the market simulator: swaps per second on one core,
 * (1) the market model alone, (2) with the Helius JSON written to
 * /dev/null, (3) with it written to a file, as `sim generate` does.
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
#include "base/clock.h"
#include "base/str.h"
#include "sim/sim.h"

struct result {
    double secs, cpu; /* wall clock, and CPU time of this process */
    uint64_t swaps, txs, bytes;
};

/* mode 0: no output; otherwise JSON into f (which may be /dev/null). */
static int run(const struct scenario *sc, FILE *f, struct result *res)
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
    memset(res, 0, sizeof *res);
    int64_t t0 = clock_mono_ns();
    clock_t c0 = clock();
    while (sim_next(s, &tx) == 1) {
        res->txs++;
        res->swaps += tx.kind == SIM_TX_SWAP;
        if (!f)
            continue;
        if (sim_tx_json(s, &tx, &b) || buf_putc(&b, '\n'))
            return 1;
        if (b.len >= (1u << 22)) {
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
    if (run(&sc, NULL, &r))
        return 1;
    report("model only", &r);
    FILE *f = fopen("/dev/null", "wb");
    if (!f || run(&sc, f, &r))
        return 1;
    fclose(f);
    report("JSON to /dev/null", &r);
    f = fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }
    if (run(&sc, f, &r))
        return 1;
    fclose(f);
    report("JSON to file", &r);
    unlink(out);
    return 0;
}
