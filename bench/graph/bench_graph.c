/* Speed and memory of the wallet graph (docs/performance.md, "Wallet
 * graph"):
 *
 *   market    the default simulated market of D days (default 30) through
 *             the real Helius decoder into a struct graph: the time of
 *             graph_build_edges and of graph_cluster (Leiden) on it;
 *   synthetic N wallets in planted groups of 6 and M edges (default 1M and
 *             10M): 80 % inside groups, 20 % between random wallets,
 *             given to graph_cluster directly; its time, the peak RSS
 *             growth per edge (the edges themselves, 40 B each, included),
 *             and how much of the planted partition Leiden recovers.
 *
 * Usage: bench_graph [market DAYS] [synthetic WALLETS EDGES [RESOLUTION]]
 * (both by default). One thread: graph_cluster and igraph use one core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "graph/graph.h"
#include "ingest/helius.h"
#include "sim/sim.h"

static double secs(int64_t t0)
{
    return (double)(clock_mono_ns() - t0) / 1e9;
}

/* CPU seconds of this process: the machine is shared, wall time is not
 * what one core costs. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
    /* VmHWM: the peak resident set so far. */
    FILE *fp = fopen("/proc/self/status", "r");
    if (!fp)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(fp);
    return kb;
}

static int market(int days)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.days = (uint32_t)days;
    struct sim *s;
    char err[256];
    if (sim_new(&sc, &s, err, sizeof err) != 0) {
        fprintf(stderr, "sim: %s\n", err);
        return 1;
    }
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out ho = {0};
    struct buf json;
    buf_init(&json, 0);
    struct graph g;
    graph_init(&g);
    struct sim_tx tx;
    size_t swaps = 0, transfers = 0;
    int64_t t0 = clock_mono_ns();
    while (sim_next(s, &tx) == 1) {
        buf_reset(&json);
        sim_tx_json(s, &tx, &json);
        helius_out_clear(&ho);
        if (helius_decode(d, json.data, json.len, 0, &ho, NULL) != 0)
            continue;
        for (size_t i = 0; i < ho.events.len; i++) {
            const struct event *e = &ho.events.v[i];
            if (e->kind == EVENT_SWAP) {
                graph_add_swap(&g, &e->u.swap);
                swaps++;
            } else if (e->kind == EVENT_TRANSFER) {
                graph_add_transfer(&g, &e->u.transfer);
                transfers++;
            }
        }
    }
    double gen = secs(t0);
    struct graph_params p;
    graph_params_default(&p);
    t0 = clock_mono_ns();
    double c0 = cpu_now();
    graph_build_edges(&g, &p);
    double build = secs(t0), build_cpu = cpu_now() - c0;
    t0 = clock_mono_ns();
    c0 = cpu_now();
    struct graph_clusters cl;
    int rc = graph_cluster(&g, &p, &cl);
    double leiden = secs(t0), leiden_cpu = cpu_now() - c0;
    printf("market: %d days, %zu swaps, %zu transfers, %u wallets (simulate + decode %.1f s)\n",
           days, swaps, transfers, g.wallets.count, gen);
    printf("market: edges %zu in %.3f s wall (%.3f s CPU); Leiden + leaders %zu clusters in %.3f "
           "s wall (%.3f s CPU) (rc %d)\n",
           g.edges.len, build, build_cpu, cl.v.len, leiden, leiden_cpu, rc);
    graph_clusters_release(&cl);
    graph_release(&g);
    buf_release(&json);
    helius_out_release(&ho);
    helius_decoder_free(d);
    sim_free(s);
    return rc;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dULL;
}

static int synthetic(uint32_t nw, size_t ne, double resolution)
{
    struct graph g;
    graph_init(&g);
    long rss0 = rss_kb();
    for (uint32_t i = 0; i < nw; i++) {
        uint8_t k[32] = {0};
        memcpy(k, &i, sizeof i);
        k[31] = 1;
        intern_put(&g.wallets, k);
    }
    const uint32_t group = 6;
    vec_reserve(&g.edges, ne);
    for (size_t i = 0; i < ne; i++) {
        struct graph_edge e = {0};
        if (rnd() % 10 < 8) {
            uint32_t c = (uint32_t)(rnd() % (nw / group));
            e.a = c * group + (uint32_t)(rnd() % group);
            e.b = c * group + (uint32_t)(rnd() % group);
            e.weight = 1;
            e.kind = GK_SYNCED_BUY;
        } else {
            e.a = (uint32_t)(rnd() % nw);
            e.b = (uint32_t)(rnd() % nw);
            e.weight = 0.2;
            e.kind = GK_CO_EARLY;
        }
        e.count = 1;
        vec_push(&g.edges, e);
    }
    long rss1 = rss_kb();
    struct graph_params p;
    graph_params_default(&p);
    p.resolution = resolution;
    int64_t t0 = clock_mono_ns();
    double c0 = cpu_now();
    struct graph_clusters cl;
    int rc = graph_cluster(&g, &p, &cl);
    double t = secs(t0), cpu = cpu_now() - c0;
    long rss2 = rss_kb();
    /* Recovery: clusters whose members are exactly one planted group. */
    size_t exact = 0;
    for (size_t i = 0; i < cl.v.len; i++) {
        const struct graph_cluster *c = &cl.v.v[i];
        bool same = c->n == group;
        for (size_t k = 1; same && k < c->n; k++)
            same = c->members[k] / group == c->members[0] / group;
        exact += same;
    }
    printf("synthetic: %u wallets, %zu edges, resolution %g: Leiden + leaders in %.2f s wall, "
           "%.2f s CPU (rc %d), %zu clusters, %zu exactly a planted group of %u (of %u)\n",
           nw, ne, resolution, t, cpu, rc, cl.v.len, exact, group, nw / group);
    printf("synthetic: peak RSS %ld MiB before the edges, %ld MiB with them, %ld MiB after "
           "clustering: %.1f bytes per edge in all (the edge array %zu B/edge)\n",
           rss0 / 1024, rss1 / 1024, rss2 / 1024, (double)(rss2 - rss0) * 1024.0 / (double)ne,
           sizeof(struct graph_edge));
    graph_clusters_release(&cl);
    graph_release(&g);
    return rc;
}

int main(int argc, char **argv)
{
    log_set_level(LOG_WARN);
    int rc = 0;
    if (argc == 1 || (argc >= 3 && strcmp(argv[1], "market") == 0))
        rc |= market(argc >= 3 ? (int)strtol(argv[2], NULL, 10) : 30);
    if (argc == 1 || (argc >= 4 && strcmp(argv[1], "synthetic") == 0))
        rc |= synthetic(argc >= 4 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1000000,
                        argc >= 4 ? (size_t)strtoull(argv[3], NULL, 10) : 10000000,
                        argc >= 5 ? strtod(argv[4], NULL) : 1.0);
    return rc;
}
