/* Benchmark of the trading engine: events per second through
 * engine_handle with 1,000 watched wallets and 50 open positions, and the
 * signal-to-order latency of traded signals (paper mode).
 *
 *     bench_engine [events] [wallets] [watched] [noref|clusters]   (2000000 10000 1000)
 *
 * clusters: the cost of the cluster factor (issue 17 item 7). The engine
 * timed is given clusters (the watched wallets in groups of 4, the first
 * of each its leader, as CMD_CLUSTER_MEMBER like clustersync sends), and a
 * second engine on the same events, in the same chunks (alternating which
 * goes first), has the factor off (signal cluster_available false: the
 * scoring before the wallet graph). Both ns/event and their ratio.
 *
 * The market is synthetic and deterministic (generated here): `wallets`
 * wallets trade 2,000 mints, each buying a mint and selling it all a few
 * swaps later (so intel closes round trips and scores wallets), prices on
 * a random walk; 97% swaps, 2% price events, 1% ticks, the clock moving
 * 1 ms per event. Before timing, 200,000 swaps warm intel and the market,
 * the watched wallets are watched with a prior of 90, and 50 positions are
 * opened (max_positions 50), so in the throughput phase every buy by a
 * watched wallet is a full signal (factors, score, decision) that stops at
 * max_positions, and every swap of a held mint runs that position's exit
 * rules. Events are generated in chunks outside the timed region.
 *
 * Reference in the same run (DESIGN §10, ratios on the same machine):
 * intel_apply alone over the same swaps, the floor any engine that feeds
 * intel on every swap pays.
 *
 * Latency phase: max_positions raised, then 5,000 buys by watched wallets
 * on fresh mints, each traded; the time from the start of engine_handle to
 * the engine emitting the order (the output's order callback, which runs
 * after the executor accepted it), p50 / p99 / max. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "intel/intel.h"
#include "trade/engine.h"

#define N_MINTS 2000
#define CHUNK   65536
#define T0      1767225600000LL

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static struct pubkey key(uint8_t kind, uint32_t i)
{
    struct pubkey k;
    memset(&k, 0, sizeof k);
    k.b[0] = kind;
    memcpy(k.b + 1, &i, sizeof i);
    k.b[31] = 0x5a;
    return k;
}

struct gen {
    uint64_t s;
    int64_t ts;
    uint32_t wallets;
    uint32_t *mint; /* per wallet: the mint it holds, or N_MINTS + 1 */
    uint64_t *held; /* per wallet: raw tokens held */
    uint8_t *sells; /* per wallet: swaps until it sells */
    double price[N_MINTS];
    uint64_t sig;
};

static void gen_init(struct gen *g, uint32_t wallets)
{
    memset(g, 0, sizeof *g);
    g->s = 0x9E3779B97F4A7C15ULL;
    g->ts = T0;
    g->wallets = wallets;
    g->mint = xcalloc(wallets, sizeof *g->mint);
    g->held = xcalloc(wallets, sizeof *g->held);
    g->sells = xcalloc(wallets, sizeof *g->sells);
    for (uint32_t w = 0; w < wallets; w++)
        g->mint[w] = UINT32_MAX;
    for (int m = 0; m < N_MINTS; m++)
        g->price[m] = 1e-6 * (1 + (double)(rng(&g->s) % 1000));
}

static void gen_swap(struct gen *g, struct event *e, uint32_t w)
{
    memset(e, 0, sizeof *e);
    e->kind = EVENT_SWAP;
    struct swap_event *s = &e->u.swap;
    g->sig++;
    memcpy(s->sig.b, &g->sig, sizeof g->sig);
    s->ts_ms = g->ts;
    s->slot = (uint64_t)(g->ts / 400);
    s->wallet = key(1, w);
    s->decimals = 6;
    s->quote_decimals = 9;
    snprintf(s->source, sizeof s->source, "PUMP_FUN");
    uint32_t m;
    if (g->mint[w] == UINT32_MAX) {
        m = (uint32_t)(rng(&g->s) % N_MINTS);
        g->mint[w] = m;
        g->sells[w] = (uint8_t)(1 + rng(&g->s) % 3);
        s->side = SIDE_BUY;
        s->token_amount = 1000000ULL * (1 + rng(&g->s) % 1000);
        g->held[w] += s->token_amount;
    } else if (--g->sells[w] == 0) {
        m = g->mint[w];
        s->side = SIDE_SELL;
        s->token_amount = g->held[w];
        g->held[w] = 0;
        g->mint[w] = UINT32_MAX;
    } else {
        m = g->mint[w];
        s->side = SIDE_BUY;
        s->token_amount = 1000000ULL * (1 + rng(&g->s) % 1000);
        g->held[w] += s->token_amount;
    }
    /* The price walks +-0.5% per swap of its mint. */
    double step = ((double)(rng(&g->s) % 2001) - 1000.0) / 200000.0;
    g->price[m] *= 1 + step;
    s->mint = key(2, m);
    s->price_sol = g->price[m];
    s->quote_amount = (uint64_t)((double)s->token_amount / 1e6 * s->price_sol * 1e9) + 1;
}

/* One event of the mix. */
static void gen_event(struct gen *g, struct event *e)
{
    g->ts++;
    uint64_t r = rng(&g->s) % 100;
    if (r == 0) {
        memset(e, 0, sizeof *e);
        e->kind = EVENT_TICK;
        e->u.tick.ts_ms = g->ts;
    } else if (r <= 2) {
        uint32_t m = (uint32_t)(rng(&g->s) % N_MINTS);
        memset(e, 0, sizeof *e);
        e->kind = EVENT_PRICE;
        e->u.price.mint = key(2, m);
        e->u.price.ts_ms = g->ts;
        e->u.price.price_sol = g->price[m];
        snprintf(e->u.price.source, sizeof e->u.price.source, "JUPITER");
    } else {
        gen_swap(g, e, (uint32_t)(rng(&g->s) % g->wallets));
    }
}

/* An output that counts, and times orders for the latency phase. */
struct counting {
    struct engine_out base;
    uint64_t signals, orders;
    int64_t last_order_ns;
};

static void c_signal(struct engine_out *o, const struct engine_signal *s)
{
    (void)s;
    ((struct counting *)o)->signals++;
}

static void c_order(struct engine_out *o, const struct engine_order *x)
{
    struct counting *c = (struct counting *)o;
    if (x->status == ORDER_SENT && x->side == SIDE_BUY) {
        c->orders++;
        c->last_order_ns = clock_mono_ns();
    }
}

static void c_free(struct engine_out *o)
{
    (void)o;
}

static const struct engine_out_ops counting_ops = {
    .signal = c_signal, .order = c_order, .free = c_free};

static void handle(struct engine *e, const struct event *ev)
{
    if (engine_handle(e, ev) != 0) {
        fprintf(stderr, "engine_handle: %s\n", engine_last_error(e));
        exit(1);
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    uint64_t n_events = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
    uint32_t wallets = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 10000;
    uint32_t watched = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 1000;
    bool noref = argc > 4 && strcmp(argv[4], "noref") == 0; /* for profiling */
    bool clusters = argc > 4 && strcmp(argv[4], "clusters") == 0;
    if (watched > wallets)
        watched = wallets;

    struct engine_params p;
    engine_params_default(&p);
    p.capital_lamports = 1000ULL * 1000000000ULL; /* 10 SOL entries on ~1,800 SOL pools */
    p.sizing.risk_per_trade = 0.01;
    p.sizing.max_positions = 50;
    p.sizing.max_token_exposure_lamports = 0;
    p.max_exposure = 1;
    /* Every watched buy passes the threshold, so signals run the whole
     * decision until max_positions stops them. */
    p.signal.threshold = 0;
    p.sizing.threshold = 0;
    /* The latency phase closes thousands of positions at a small loss
     * (fees); the breakers would halt it. */
    p.breakers.min_win_rate = 0;
    p.breakers.max_drawdown = 0.99;
    struct counting out = {.base.ops = &counting_ops};
    char err[256];
    struct engine *e = engine_new(&p, &out.base, T0, err, sizeof err);
    if (!e) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct paper_params pp;
    paper_params_default(&pp);
    pp.latency_ms = 0;
    engine_set_executor(e, engine_paper_executor(e, &pp));
    struct counting out_off = {.base.ops = &counting_ops};
    struct engine *e_off = NULL; /* clusters: the same engine, factor off */
    if (clusters) {
        struct engine_params po = p;
        po.signal.cluster_available = false;
        e_off = engine_new(&po, &out_off.base, T0, err, sizeof err);
        if (!e_off) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        engine_set_executor(e_off, engine_paper_executor(e_off, &pp));
    }

    /* Warm-up: history into intel and the market. */
    struct gen g;
    gen_init(&g, wallets);
    struct event *buf = xmalloc(CHUNK * sizeof *buf);
    for (int i = 0; i < 200000; i++) {
        g.ts++;
        gen_swap(&g, &buf[0], (uint32_t)(rng(&g.s) % wallets));
        engine_warm_swap(e, &buf[0].u.swap);
        if (e_off)
            engine_warm_swap(e_off, &buf[0].u.swap);
    }
    /* Watch; open 50 positions on mints 0..49 (by watched wallets). */
    for (uint32_t w = 0; w < watched; w++) {
        struct event c;
        memset(&c, 0, sizeof c);
        c.kind = EVENT_COMMAND;
        c.u.command.kind = CMD_WATCH;
        c.u.command.ts_ms = g.ts;
        c.u.command.wallet = key(1, w);
        c.u.command.value = 90;
        handle(e, &c);
        if (e_off)
            handle(e_off, &c);
        if (clusters) { /* groups of 4 watched wallets, the first the leader */
            c.u.command.kind = CMD_CLUSTER_MEMBER;
            c.u.command.value = (double)(w / 4 + 1);
            snprintf(c.u.command.name, sizeof c.u.command.name, "%s",
                     w % 4 == 0 ? "leader" : "follower");
            handle(e, &c);
        }
    }
    for (uint32_t i = 0; i < 50; i++) {
        struct event b;
        g.ts++;
        gen_swap(&g, &b, i % watched);
        b.u.swap.side = SIDE_BUY;
        b.u.swap.mint = key(2, i);
        b.u.swap.price_sol = g.price[i];
        handle(e, &b);
        if (e_off)
            handle(e_off, &b);
    }
    struct engine_status st;
    engine_status(e, &st);
    printf("setup: %u wallets, %u watched, %u open positions, %" PRIu64 " signals\n", wallets,
           watched, st.open_positions, st.c.signals);
    for (int r = 0; r < SR_COUNT; r++)
        if (st.c.reasons[r])
            printf("  %s: %" PRIu64 "\n", signal_reason_name((enum signal_reason)r),
                   st.c.reasons[r]);

    /* Throughput: the engine, and intel alone on the same swaps. */
    struct intel *ref = intel_new(&p.intel, wallets); /* the engine's intel settings */
    int64_t engine_ns = 0, ref_ns = 0, off_ns = 0;
    uint64_t off_sig0 = out_off.signals;
    uint64_t done = 0, swaps = 0;
    uint64_t sig0 = out.signals;
    while (done < n_events) {
        size_t n = n_events - done < CHUNK ? (size_t)(n_events - done) : CHUNK;
        for (size_t i = 0; i < n; i++)
            gen_event(&g, &buf[i]);
        bool off_first = e_off && (done / CHUNK) % 2 == 1;
        int64_t o0 = clock_mono_ns();
        for (size_t i = 0; off_first && i < n; i++)
            handle(e_off, &buf[i]);
        int64_t t0 = clock_mono_ns();
        for (size_t i = 0; i < n; i++)
            handle(e, &buf[i]);
        int64_t t1 = clock_mono_ns();
        engine_ns += t1 - t0;
        if (off_first)
            off_ns += t0 - o0;
        for (size_t i = 0; e_off && !off_first && i < n; i++)
            handle(e_off, &buf[i]);
        if (e_off && !off_first)
            off_ns += clock_mono_ns() - t1;
        t1 = clock_mono_ns();
        for (size_t i = 0; i < n && !noref; i++)
            if (buf[i].kind == EVENT_SWAP) {
                intel_apply(ref, &buf[i].u.swap);
                swaps++;
            }
        int64_t t2 = clock_mono_ns();
        ref_ns += t2 - t1;
        done += n;
    }
    engine_status(e, &st);
    double eps = (double)done / ((double)engine_ns / 1e9);
    double rps = (double)swaps / ((double)ref_ns / 1e9);
    printf("throughput: %" PRIu64 " events (%" PRIu64 " swaps) in %.3f s: %.0f events/s, "
           "%.0f ns/event\n",
           done, swaps, (double)engine_ns / 1e9, eps, (double)engine_ns / (double)done);
    printf("  signals %" PRIu64 " (%.1f%% of events), open positions %u, closed %" PRIu64 "\n",
           out.signals - sig0, 100.0 * (double)(out.signals - sig0) / (double)done,
           st.open_positions, st.c.positions_closed);
    printf("reference: intel_apply alone: %.0f swaps/s, %.0f ns/swap; engine/intel time ratio "
           "%.2f\n",
           rps, (double)ref_ns / (double)swaps,
           ((double)engine_ns / (double)done) / ((double)ref_ns / (double)swaps));
    intel_free(ref);
    if (e_off) {
        struct engine_status so;
        engine_status(e_off, &so);
        printf("cluster factor: on (watched wallets in %u clusters of 4) %.0f ns/event, off "
               "%.0f ns/event (%" PRIu64 " signals): on/off %.3f\n",
               (watched + 3) / 4, (double)engine_ns / (double)done, (double)off_ns / (double)done,
               out_off.signals - off_sig0, (double)engine_ns / (double)off_ns);
        engine_free(e_off);
    }

    /* Latency: traded signals, start of engine_handle to the order. */
    {
        struct event c;
        memset(&c, 0, sizeof c);
        c.kind = EVENT_COMMAND;
        c.u.command.kind = CMD_SET;
        c.u.command.ts_ms = g.ts;
        snprintf(c.u.command.name, sizeof c.u.command.name, "trade.max_positions");
        snprintf(c.u.command.text, sizeof c.u.command.text, "1000");
        handle(e, &c);
    }
    enum { NLAT = 5000 };
    int64_t *lat = xmalloc(NLAT * sizeof *lat);
    size_t nl = 0;
    for (uint32_t i = 0; nl < NLAT && i < 10 * NLAT; i++) {
        struct event b;
        g.ts++;
        gen_swap(&g, &b, i % watched);
        b.u.swap.side = SIDE_BUY;
        b.u.swap.mint = key(3, i); /* a fresh mint: not held */
        b.u.swap.price_sol = 1e-5;
        uint64_t before = out.orders;
        int64_t t0 = clock_mono_ns();
        handle(e, &b);
        if (out.orders > before)
            lat[nl++] = out.last_order_ns - t0;
        /* Keep the book at about 50 positions: close the new one. */
        engine_status(e, &st);
        if (st.open_positions > 50) {
            struct event x;
            memset(&x, 0, sizeof x);
            x.kind = EVENT_COMMAND;
            x.u.command.kind = CMD_CLOSE_POSITION;
            x.u.command.ts_ms = g.ts;
            const struct position *pos =
                engine_position_at(e, st.open_positions - 1, NULL, NULL, NULL);
            x.u.command.id = pos->id;
            handle(e, &x);
        }
    }
    engine_status(e, &st);
    if (getenv("BENCH_VERBOSE"))
        for (int r = 0; r < SR_COUNT; r++)
            if (st.c.reasons[r])
                printf("  %s: %" PRIu64 "\n", signal_reason_name((enum signal_reason)r),
                       st.c.reasons[r]);
    qsort(lat, nl, sizeof *lat, cmp_i64);
    if (nl)
        printf("signal-to-order (%zu traded signals): p50 %.1f us, p99 %.1f us, max %.1f us\n", nl,
               (double)lat[nl / 2] / 1e3, (double)lat[nl * 99 / 100] / 1e3,
               (double)lat[nl - 1] / 1e3);
    free(lat);
    free(buf);
    free(g.mint);
    free(g.held);
    free(g.sells);
    engine_free(e);
    return 0;
}
