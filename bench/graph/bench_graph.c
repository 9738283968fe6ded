/* Speed and memory of the wallet graph (docs/performance.md, "Wallet
 * graph"):
 *
 *   market    the default simulated market of D days (default 30) through
 *             the real Helius decoder into a struct graph: the time of
 *             graph_build_edges and of graph_cluster (Leiden) on it, and
 *             the incremental edges (graph_live) fed the same events: CPU
 *             per event and the memory they hold; with WINDOW days, a
 *             second graph_live with graph.window_days = WINDOW beside it,
 *             its window moved as serve's flush moves it: CPU per event
 *             (the moves included) and the most memory it held;
 *   synthetic N wallets in planted groups of 6 and M edges (default 1M and
 *             10M): 80 % inside groups, 20 % between random wallets, as
 *             12-byte clustering records given to graph_cluster_edges
 *             (fold in place, CSR, our Leiden, leaders); its time, the
 *             peak RSS growth per edge (the records included), and how
 *             much of the planted partition Leiden recovers.
 *   synthetic-edges  the same through graph_cluster from 40-byte struct
 *             graph_edge records (what graph_run holds for the store).
 *
 *   igraph    the same synthetic edges, folded into pairs, straight into
 *             igraph and its Leiden (what walltrack used before leiden.c):
 *             the reference of time and memory on the same graph.
 *   compare   synthetic then igraph in one process: the CPU ratio under
 *             the same machine load.
 *
 * Usage: bench_graph [market DAYS [WINDOW]]
 *                    [synthetic|synthetic-edges|igraph|compare WALLETS EDGES [RESOLUTION]]
 * (market 30 and synthetic by default). One thread. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <igraph/igraph.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "graph/graph.h"
#include "graph/graph_live.h"
#include "graph/leiden.h"
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

/* A windowed graph_live fed beside the unbounded one (market). */
struct windowed {
    struct graph_params p;
    struct graph_live *gl;
    double cpu;
    size_t n, most;
};

/* What graph_livesync_flush does: move the window when the latest swap's
 * day moved, then take the changes. */
static void windowed_take(struct windowed *w, struct graph_live_change_vec *ch)
{
    int64_t cut = graph_window_cutoff(&w->p, graph_live_latest(w->gl));
    if (cut > graph_live_cutoff(w->gl))
        graph_live_set_cutoff(w->gl, cut);
    vec_clear(ch);
    graph_live_changes(w->gl, ch);
    struct graph_live_stats s;
    graph_live_stats(w->gl, &s);
    if (s.bytes > w->most)
        w->most = s.bytes;
}

static int market(int days, int window)
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
    /* The incremental edges beside (graph_live.h): CPU per event, the
     * changes taken every 10,000 events as serve's flush would. */
    struct graph_params lp;
    graph_params_default(&lp);
    int lrc;
    struct graph_live *gl = graph_live_new(&lp, &lrc);
    struct graph_live_change_vec ch = {0};
    struct windowed win = {0};
    if (window > 0) {
        graph_params_default(&win.p);
        win.p.window_ms = window * MS_PER_DAY;
        win.gl = graph_live_new(&win.p, &lrc);
    }
    double live_cpu = 0;
    size_t live_changes = 0, live_n = 0;
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
        double l0 = cpu_now();
        for (size_t i = 0; i < ho.events.len; i++) {
            const struct event *e = &ho.events.v[i];
            if (e->kind == EVENT_SWAP)
                graph_live_add_swap(gl, &e->u.swap);
            else if (e->kind == EVENT_TRANSFER)
                graph_live_add_transfer(gl, &e->u.transfer);
            else
                continue;
            if (++live_n % 10000 == 0) {
                vec_clear(&ch);
                graph_live_changes(gl, &ch);
                live_changes += ch.len;
            }
        }
        live_cpu += cpu_now() - l0;
        if (!win.gl)
            continue;
        l0 = cpu_now();
        for (size_t i = 0; i < ho.events.len; i++) {
            const struct event *e = &ho.events.v[i];
            if (e->kind == EVENT_SWAP)
                graph_live_add_swap(win.gl, &e->u.swap);
            else if (e->kind == EVENT_TRANSFER)
                graph_live_add_transfer(win.gl, &e->u.transfer);
            else
                continue;
            if (++win.n % 10000 == 0)
                windowed_take(&win, &ch);
        }
        win.cpu += cpu_now() - l0;
    }
    vec_clear(&ch);
    graph_live_changes(gl, &ch);
    live_changes += ch.len;
    struct graph_live_stats ls;
    graph_live_stats(gl, &ls);
    struct graph_edge_vec le = {0};
    graph_live_edges(gl, &le);
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
    printf("market: incremental edges (graph_live): %.0f ns CPU per event (changes taken every "
           "10,000 events: %zu changed edges in all), %zu replays, %.1f MiB held (%.0f B per "
           "event), %zu edges at the end (the full build: %zu)\n",
           live_cpu * 1e9 / (double)(live_n ? live_n : 1), live_changes, ls.replays,
           (double)ls.bytes / 1048576.0, (double)ls.bytes / (double)(live_n ? live_n : 1), le.len,
           g.edges.len);
    if (win.gl) {
        double l0 = cpu_now();
        windowed_take(&win, &ch);
        win.cpu += cpu_now() - l0;
        struct graph_live_stats ws;
        graph_live_stats(win.gl, &ws);
        printf("market: the same with graph.window_days = %d: %.0f ns CPU per event (the window "
               "moved %zu times), %.1f MiB held at most, %.1f MiB at the end (%zu swaps and %zu "
               "transfers kept of %zu and %zu)\n",
               window, win.cpu * 1e9 / (double)(live_n ? live_n : 1), ws.compactions,
               (double)win.most / 1048576.0, (double)ws.bytes / 1048576.0, ws.swaps_kept,
               ws.transfers_kept, ws.swaps, ws.transfers);
        graph_live_free(win.gl);
    }
    vec_free(&le);
    vec_free(&ch);
    graph_live_free(gl);
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

/* One planted edge (the same sequence in every mode): 80 % inside a
 * group of `group` with weight 1, 20 % between random wallets with weight
 * 0.2. */
static void planted_edge(uint32_t nw, uint32_t group, uint32_t *a, uint32_t *b, double *w)
{
    if (rnd() % 10 < 8) {
        uint32_t c = (uint32_t)(rnd() % (nw / group));
        *a = c * group + (uint32_t)(rnd() % group);
        *b = c * group + (uint32_t)(rnd() % group);
        *w = 1;
    } else {
        *a = (uint32_t)(rnd() % nw);
        *b = (uint32_t)(rnd() % nw);
        *w = 0.2;
    }
}

/* The synthetic graph through graph_cluster_edges (compact 12-byte
 * records, folded in place, CSR, our Leiden, leaders) or, with
 * `full_edges`, through graph_cluster from 40-byte struct graph_edge
 * records as graph_run holds them. Prints the CPU and the peak RSS growth
 * per input edge (the records included); *cpu_out gets the CPU. */
static int synthetic(uint32_t nw, size_t ne, double resolution, bool full_edges, double *cpu_out)
{
    struct graph g;
    graph_init(&g);
    for (uint32_t i = 0; i < nw; i++) {
        uint8_t k[32] = {0};
        memcpy(k, &i, sizeof i);
        k[31] = 1;
        intern_put(&g.wallets, k);
    }
    const uint32_t group = 6;
    long rss0 = rss_kb();
    struct leiden_edge *le = NULL;
    if (full_edges)
        vec_reserve(&g.edges, ne);
    else
        le = malloc((ne ? ne : 1) * sizeof *le);
    for (size_t i = 0; i < ne; i++) {
        uint32_t a, b;
        double w;
        planted_edge(nw, group, &a, &b, &w);
        if (full_edges) {
            struct graph_edge e = {0};
            e.a = a;
            e.b = b;
            e.weight = w;
            e.kind = w == 1 ? GK_SYNCED_BUY : GK_CO_EARLY;
            e.count = 1;
            vec_push(&g.edges, e);
        } else {
            le[i] = (struct leiden_edge){a, b, (float)w};
        }
    }
    long rss1 = rss_kb();
    struct graph_params p;
    graph_params_default(&p);
    p.resolution = resolution;
    int64_t t0 = clock_mono_ns();
    double c0 = cpu_now();
    struct graph_clusters cl;
    int rc = full_edges ? graph_cluster(&g, &p, &cl) : graph_cluster_edges(&g, &p, le, ne, &cl);
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
    const char *what = full_edges ? "graph_cluster (40 B graph_edge records)"
                                  : "graph_cluster_edges (12 B records)";
    printf("synthetic: %u wallets, %zu edges, resolution %g, %s: fold + Leiden + leaders in %.2f "
           "s wall, %.2f s CPU (rc %d), %zu clusters (modularity %.4f), %zu exactly a planted "
           "group of %u (of %u)\n",
           nw, ne, resolution, what, t, cpu, rc, cl.v.len, cl.modularity, exact, group, nw / group);
    printf("synthetic: peak RSS %ld MiB before the edges, %ld MiB with them, %ld MiB after "
           "clustering: %.1f bytes per edge in all (the records %zu B/edge), %.1f B/edge "
           "for the clustering alone\n",
           rss0 / 1024, rss1 / 1024, rss2 / 1024, (double)(rss2 - rss0) * 1024.0 / (double)ne,
           full_edges ? sizeof(struct graph_edge) : sizeof(struct leiden_edge),
           (double)(rss2 - rss1) * 1024.0 / (double)ne);
    graph_clusters_release(&cl);
    graph_release(&g);
    if (cpu_out)
        *cpu_out = cpu;
    return rc;
}

/* igraph's floor: the same planted edges, folded into distinct pairs as
 * graph_cluster folds them (summed weights, self-loops dropped), straight
 * into an igraph_t (8-byte endpoints, as igraph stores them) with their
 * weights and node strengths, and the same Leiden call graph_cluster
 * makes: nothing else of ours. The peak RSS growth per input edge after
 * each step, and the CPU of igraph_create and of Leiden. */
struct fpair {
    uint32_t a, b;
    double w;
};

static int cmp_fpair(const void *x, const void *y)
{
    const struct fpair *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static int igraph_floor(uint32_t nw, size_t ne, double resolution, double *cpu_out)
{
    long rss0 = rss_kb();
    struct fpair *f = malloc(ne * sizeof *f);
    if (!f)
        return 1;
    const uint32_t group = 6;
    size_t k = 0;
    for (size_t i = 0; i < ne; i++) {
        uint32_t a, b;
        double x;
        planted_edge(nw, group, &a, &b, &x);
        if (a != b)
            f[k++] = (struct fpair){a < b ? a : b, a < b ? b : a, x};
    }
    qsort(f, k, sizeof *f, cmp_fpair);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m > 0 && f[m - 1].a == f[i].a && f[m - 1].b == f[i].b)
            f[m - 1].w += f[i].w;
        else
            f[m++] = f[i];
    long rss1 = rss_kb();
    igraph_vector_int_t ev;
    igraph_vector_t w, strength;
    igraph_vector_int_t memb;
    igraph_t ig;
    if (igraph_vector_int_init(&ev, (igraph_integer_t)(2 * m)) != IGRAPH_SUCCESS ||
        igraph_vector_init(&w, (igraph_integer_t)m) != IGRAPH_SUCCESS ||
        igraph_vector_init(&strength, nw) != IGRAPH_SUCCESS)
        return 1;
    double total = 0;
    for (size_t i = 0; i < m; i++) {
        VECTOR(ev)[2 * i] = f[i].a;
        VECTOR(ev)[2 * i + 1] = f[i].b;
        VECTOR(w)[i] = f[i].w;
        VECTOR(strength)[f[i].a] += f[i].w;
        VECTOR(strength)[f[i].b] += f[i].w;
        total += f[i].w;
    }
    free(f);
    double c0 = cpu_now();
    if (igraph_create(&ig, &ev, nw, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS)
        return 1;
    igraph_vector_int_destroy(&ev);
    long rss2 = rss_kb();
    igraph_vector_int_init(&memb, nw);
    igraph_integer_t ncl = 0;
    igraph_real_t quality = 0;
    igraph_rng_seed(igraph_rng_default(), 20260101);
    double c1 = cpu_now();
    int rc = igraph_community_leiden(&ig, &w, &strength, resolution / (2 * total), 0.01, false, -1,
                                     &memb, &ncl, &quality) != IGRAPH_SUCCESS;
    double c2 = cpu_now();
    long rss3 = rss_kb();
    printf("igraph alone: %zu input edges folded to %zu pairs; igraph_create %.2f s CPU, Leiden "
           "%.2f s CPU, %lld communities (rc %d)\n",
           ne, m, c1 - c0, c2 - c1, (long long)ncl, rc);
    printf("igraph alone: peak RSS growth per input edge: staging (16 B/edge, sorted) %.1f B, "
           "igraph_create (edge list 16 B/pair, weights, graph) %.1f B, Leiden %.1f B\n",
           (double)(rss1 - rss0) * 1024.0 / (double)ne, (double)(rss2 - rss0) * 1024.0 / (double)ne,
           (double)(rss3 - rss0) * 1024.0 / (double)ne);
    igraph_vector_int_destroy(&memb);
    igraph_vector_destroy(&strength);
    igraph_vector_destroy(&w);
    igraph_destroy(&ig);
    if (cpu_out)
        *cpu_out = c2 - c0;
    return rc;
}

int main(int argc, char **argv)
{
    log_set_level(LOG_WARN);
    int rc = 0;
    if (argc == 1 || (argc >= 3 && strcmp(argv[1], "market") == 0))
        rc |= market(argc >= 3 ? (int)strtol(argv[2], NULL, 10) : 30,
                     argc >= 4 ? (int)strtol(argv[3], NULL, 10) : 0);
    uint32_t nw = argc >= 4 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1000000;
    size_t ne = argc >= 4 ? (size_t)strtoull(argv[3], NULL, 10) : 10000000;
    double res = argc >= 5 ? strtod(argv[4], NULL) : 1.0;
    const char *mode = argc >= 2 ? argv[1] : "synthetic";
    if (argc == 1 || (argc >= 4 && strcmp(mode, "synthetic") == 0))
        rc |= synthetic(nw, ne, res, false, NULL);
    if (argc >= 4 && strcmp(mode, "synthetic-edges") == 0)
        rc |= synthetic(nw, ne, res, true, NULL);
    if (argc >= 4 && strcmp(mode, "igraph") == 0)
        rc |= igraph_floor(nw, ne, res, NULL);
    if (argc >= 4 && strcmp(mode, "compare") == 0) {
        /* Ours, then igraph on the same edges in the same process: the
         * CPU ratio on the same machine load (the memory of the second is
         * hidden under the first's peak: use the separate modes). */
        double ours = 0, ig = 0;
        rc |= synthetic(nw, ne, res, false, &ours);
        rng_state = 0x9e3779b97f4a7c15ULL;
        rc |= igraph_floor(nw, ne, res, &ig);
        printf("compare: ours %.2f s CPU, igraph create + Leiden %.2f s CPU: ours / igraph %.3f\n",
               ours, ig, ours / ig);
    }
    return rc;
}
