/* Benchmark of the wallet-intelligence core: a full profile of 10,000
 * wallets x 1,000 swaps each (synthetic, deterministic, generated here),
 * the incremental cost per swap, the profile cost per wallet, and the
 * memory per wallet besides its lots.
 *
 *     bench_intel [wallets] [swaps_per_wallet] [nofills] [batch] [threads=N]
 *
 * threads=N: threads of each batch flush (ledger_params.batch_threads;
 * default 0, one per online core; threads=1 is the one-thread path). Each
 * phase prints its wall time and the process's CPU time (all threads), so
 * a run on a loaded machine shows how much of the wall time was spent
 * waiting for a core; each phase also prints this thread's CPU time. In
 * the apply that is the tape-order part of every add (with threads=1,
 * everything): the flushes run on other threads while it adds (see
 * intel_batch_add), so on an idle machine with C cores the apply takes
 * at least max(this thread, all threads / C). In phase 3 it is the first
 * of the equal parts.
 *
 * Phases, each timed with the monotonic clock:
 *   1. generate each round of swaps (timed alone first, then subtracted
 *      from the loop that interleaves it with 2; not in the totals);
 *   2. apply every swap through intel_apply (ledger + running metrics,
 *      behaviour and decay): the incremental cost per swap; with `batch`,
 *      through intel_batch_add and the flushes instead (the full-recompute
 *      path: same state, computed wallet by wallet);
 *   3. build every wallet's profile (metrics, timing, behaviour, score,
 *      decay) and detect its patterns, wallets split over the same number
 *      of threads (intel_wallet_parts, as profile_write does): the
 *      recompute on top of 2.
 * "Full recompute" = 2 + 3 from an empty state. Last, a reference in the
 * same run: writing as many bytes of fresh memory as the recompute kept
 * (page faults and zeroing included), the part of the cost no ordering
 * of the arithmetic removes. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/mem.h"
#include "base/par.h"
#include "intel/intel.h"

/* CPU time of the whole process (every thread), and of this thread, ns. */
static int64_t clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t cpu_ns(void)
{
    return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The synthetic market: each wallet alternates buys and sells over a pool
 * of 5,000 mints (multi-lot positions, partial and full sells), rounds of
 * one swap per wallet interleaved by a global clock. */
struct gen {
    uint64_t s;
    int64_t ts;
    size_t k;
    uint32_t wallets;
    uint32_t *cur;  /* per wallet: the mint it trades */
    uint64_t *held; /* per wallet: what it holds of it */
    struct pubkey wsol;
};

/* Writes the next round (one swap per wallet, time-ordered) into t. */
static void gen_round(struct gen *g, struct swap_event *t)
{
    const uint32_t n_mints = 5000;
    uint64_t s = g->s;
    int64_t ts = g->ts;
    size_t k = g->k;
    uint32_t *cur = g->cur;
    uint64_t *held = g->held;
    struct pubkey wsol = g->wsol;
    {
        for (uint32_t w = 0; w < g->wallets; w++) {
            struct swap_event *e = &t[w];
            k++;
            memset(e, 0, sizeof *e);
            uint64_t x = rng(&s);
            ts += 1 + (int64_t)(x % 7);
            e->ts_ms = ts;
            e->slot = (uint64_t)(ts / 400);
            memcpy(e->wallet.b, &w, sizeof w);
            e->wallet.b[31] = 1;
            e->quote_mint = wsol;
            e->decimals = 6;
            e->quote_decimals = 9;
            e->fee_lamports = 5000 + x % 100000;
            memcpy(e->sig.b, &k, sizeof k);
            if (held[w] == 0 || (x >> 8) % 3 == 0) {
                if (held[w] == 0)
                    cur[w] = (uint32_t)((x >> 16) % n_mints);
                e->side = SIDE_BUY;
                e->token_amount = 1000000ull * (1 + (x >> 24) % 100000);
                e->quote_amount = 10000000ull + (x >> 32) % 2000000000ull;
                held[w] += e->token_amount;
            } else {
                e->side = SIDE_SELL;
                uint64_t q = (x >> 24) % 2 ? held[w] : held[w] / 2 + 1;
                e->token_amount = q;
                e->quote_amount = 10000000ull + (x >> 32) % 3000000000ull;
                held[w] -= q;
            }
            uint32_t m = cur[w];
            memcpy(e->mint.b, &m, sizeof m);
            e->mint.b[31] = 2;
            snprintf(e->source, sizeof e->source, "%s", (x >> 40) % 2 ? "PUMP_FUN" : "RAYDIUM");
        }
    }
    g->s = s;
    g->ts = ts;
    g->k = k;
}

/* One part of phase 3: the profile and patterns of wallets [w0, w1). */
struct prof_part {
    struct intel *in;
    int64_t now;
    bool fills;
    double sum_score;
    size_t n_pat, n_trips;
};

static void prof_range(void *ctx, unsigned part, uint32_t w0, uint32_t w1)
{
    struct prof_part *pp = (struct prof_part *)ctx + part;
    struct intel_profile *pr = xmalloc(sizeof *pr);
    struct pattern_list pats = {0};
    for (uint32_t w = w0; w < w1; w++) {
        intel_profile(pp->in, w, pp->now, pr);
        pp->sum_score += pr->score.score;
        pp->n_trips += pr->metrics.trades;
        pats.len = 0;
        if (pp->fills)
            pp->n_pat += intel_patterns(pp->in, w, &pats);
    }
    free(pats.v);
    free(pr);
}

int main(int argc, char **argv)
{
    uint32_t wallets = 10000, per = 1000;
    if (argc > 1)
        wallets = (uint32_t)strtoul(argv[1], NULL, 10);
    if (argc > 2)
        per = (uint32_t)strtoul(argv[2], NULL, 10);
    if (wallets == 0 || per == 0) {
        fprintf(stderr, "usage: bench_intel [wallets] [swaps_per_wallet]\n");
        return 2;
    }
    bool fills = true, batch = false;
    unsigned threads = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "nofills") == 0)
            fills = false;
        else if (strcmp(argv[i], "batch") == 0)
            batch = true;
        else if (strncmp(argv[i], "threads=", 8) == 0)
            threads = (unsigned)strtoul(argv[i] + 8, NULL, 10);
    }
    struct gen g = {.s = 0x9E3779B97F4A7C15ull, .ts = 1700000000000LL, .wallets = wallets};
    g.cur = xcalloc(wallets, sizeof *g.cur);
    g.held = xcalloc(wallets, sizeof *g.held);
    pubkey_parse(MINT_WSOL, &g.wsol);
    struct swap_event *tape = xmalloc(wallets * sizeof *tape);
    size_t n = (size_t)wallets * per;

    /* Generating alone first, timed: the timed loop below interleaves it
     * with the adds while flushes run in the background, so the apply is
     * the loop minus this (the generator is deterministic, one thread). */
    struct gen g0 = g;
    g0.cur = xcalloc(wallets, sizeof *g0.cur);
    g0.held = xcalloc(wallets, sizeof *g0.held);
    int64_t g_ns = clock_mono_ns(), g_cpu = cpu_ns();
    for (uint32_t r = 0; r < per; r++)
        gen_round(&g0, tape);
    int64_t gen_ns = clock_mono_ns() - g_ns, gen_cpu = cpu_ns() - g_cpu;
    free(g0.cur);
    free(g0.held);

    struct intel_params p;
    intel_params_default(&p);
    p.ledger.keep_fills = fills;
    p.ledger.batch_threads = threads;
    struct intel *in = intel_new(&p, wallets);
    struct intel_batch *ib = batch ? intel_batch_new(in) : NULL;
    int64_t a0 = clock_mono_ns(), a0c = cpu_ns(), a0m = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    for (uint32_t r = 0; r < per; r++) {
        gen_round(&g, tape);
        for (uint32_t i = 0; i < wallets; i++)
            if ((ib ? intel_batch_add(ib, &tape[i], NULL) : intel_apply(in, &tape[i])) != 0) {
                fprintf(stderr, "apply failed at round %u\n", r);
                return 1;
            }
    }
    intel_batch_free(ib);
    int64_t apply_ns = clock_mono_ns() - a0 - gen_ns, apply_cpu = cpu_ns() - a0c - gen_cpu,
            apply_main = clock_ns(CLOCK_THREAD_CPUTIME_ID) - a0m - gen_cpu;
    int64_t t3 = clock_mono_ns(), t3c = cpu_ns(), t3m = clock_ns(CLOCK_THREAD_CPUTIME_ID);

    /* Phase 3 on the recompute's threads, wallets split by intel_wallet_parts
     * as profile_write splits them; each part sums its own totals. */
    unsigned parts = par_threads(threads);
    struct prof_part pp[PAR_MAX];
    for (unsigned i = 0; i < parts; i++)
        pp[i] = (struct prof_part){.in = in, .now = g.ts, .fills = fills};
    intel_wallet_parts(in, parts, prof_range, pp);
    double sum_score = 0;
    size_t n_pat = 0, n_trips = 0;
    uint32_t nw = ledger_wallet_count(intel_ledger(in));
    for (unsigned i = 0; i < parts; i++) {
        sum_score += pp[i].sum_score;
        n_pat += pp[i].n_pat;
        n_trips += pp[i].n_trips;
    }
    int64_t t4 = clock_mono_ns(), prof_cpu = cpu_ns() - t3c,
            prof_main = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t3m;

    struct ledger_mem mem;
    ledger_mem_usage(intel_ledger(in), &mem);
    size_t per_wallet_fixed =
        (mem.wallet_bytes + (size_t)nw * sizeof(struct intel_wallet)) / (nw ? nw : 1);
    double apply_s = (double)apply_ns / 1e9, prof_s = (double)(t4 - t3) / 1e9;
    printf("intel bench: %" PRIu32 " wallets x %" PRIu32 " swaps = %zu swaps, fills %s, %s, "
           "flush threads %u (0: one per core)\n",
           wallets, per, n, fills ? "kept" : "not kept (no patterns)",
           batch ? "batch (intel_batch_add)" : "incremental (intel_apply)", threads);
    printf("  generate swaps           %8.3f s (not counted)\n", (double)gen_ns / 1e9);
    printf("  apply                    %8.3f s  = %.0f ns/swap (CPU %.3f s, this thread %.3f s)\n",
           apply_s, (double)apply_ns / (double)n, (double)apply_cpu / 1e9,
           (double)apply_main / 1e9);
    printf(
        "  profile+patterns, all    %8.3f s  = %.1f us/wallet (CPU %.3f s, this thread %.3f s)\n",
        prof_s, (double)(t4 - t3) / 1e3 / nw, (double)prof_cpu / 1e9, (double)prof_main / 1e9);
    printf("  full recompute (2 + 3)   %8.3f s (CPU %.3f s, this thread %.3f s)\n",
           apply_s + prof_s, (double)(apply_cpu + prof_cpu) / 1e9,
           (double)(apply_main + prof_main) / 1e9);
    printf("  round trips %zu, patterns %zu, mean score %.2f\n", n_trips, n_pat, sum_score / nw);
    printf("  memory: per wallet besides lots/history %zu B (ledger_wallet %zu + intel_wallet "
           "%zu + intern)\n",
           per_wallet_fixed, sizeof(struct ledger_wallet), sizeof(struct intel_wallet));
    printf("          positions %.1f MB (%.0f B/wallet), lots %.1f MB, trips %.1f MB, fills %.1f "
           "MB, mints %.1f MB\n",
           (double)mem.pos_bytes / 1e6, (double)mem.pos_bytes / nw, (double)mem.lot_bytes / 1e6,
           (double)mem.trip_bytes / 1e6, (double)mem.fill_bytes / 1e6,
           (double)mem.mint_bytes / 1e6);
    /* Reference in the same run: the fresh memory the recompute filled
     * (positions, index, trips, fills), written once from this thread. */
    size_t fresh = mem.pos_bytes + mem.trip_bytes + mem.fill_bytes;
    intel_free(in);
    enum { BLOCK = 64 << 20 };
    int64_t r0 = clock_mono_ns(), r0c = cpu_ns();
    for (size_t done = 0; done < fresh; done += BLOCK) {
        char *m = xmalloc(BLOCK);
        memset(m, (int)(done >> 20), BLOCK);
        __asm__ volatile("" : : "r"(m) : "memory"); /* the writes happen */
        free(m);
    }
    printf("  reference: %.0f MB of fresh memory written once, one thread: %.3f s (CPU %.3f s)\n",
           (double)fresh / 1e6, (double)(clock_mono_ns() - r0) / 1e9,
           (double)(cpu_ns() - r0c) / 1e9);
    free(tape);
    free(g.cur);
    free(g.held);
    return 0;
}
