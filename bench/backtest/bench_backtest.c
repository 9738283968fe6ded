/* Backtest speed (issue 18 item 7; results in docs/performance.md).
 *
 *     bench_backtest [days] [grid_points] [threads] [seed]     (30 500 2 <default>)
 *
 * The default simulated market (src/sim) for `days`, every transaction
 * through the real Helius decoder, its swaps into the event tape (built
 * once, timed, and its file size measured). The first 7 days are the
 * warm-up; the 100 wallets intel scores best after them (score >= 50 or
 * WT_BENCH_MIN_SCORE, at least 10 round trips, confidence medium or high)
 * are the watchlist, with
 * their score as the prior. Then, over the remaining days:
 *
 *   reference - the engine alone: every swap of the window through
 *               engine_handle of one engine with that watchlist, no
 *               warm-up, no ticks, nothing skipped: the engine's own
 *               events/s on this market, measured in the same run;
 *   the plan  - bt_plan_build (what to feed, and what the engine would
 *               look up of the unwatched wallets), once, timed;
 *   one run   - bt_replay of the default scenario, whole (warm-up, ticks,
 *               the plan's skipping, metrics), best of 3; and the same
 *               with nothing skipped (must decide alike);
 *   lone run  - what a lone `walltrack backtest run` computes: a fresh
 *               plan and its run, timed together, best of 3
 *               (WT_BENCH_LONE_REPS: more, for a profile);
 *   grid      - grid_points scenarios (signal.threshold x
 *               trade.max_positions x trade.risk_per_trade) on `threads`
 *               threads, summary mode, as a grid search runs them.
 *
 * Times are CPU seconds of the process (CLOCK_PROCESS_CPUTIME_ID: what the
 * work costs, whatever else the machine runs), wall seconds beside them;
 * the grid's CPU time is summed over its threads, and "500 on 2 cores" is
 * its CPU per scenario x 500 / 2. The machine may be shared: read the
 * ratios to the reference, measured in the same run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backtest/batch.h"
#include "backtest/replay.h"
#include "backtest/tape.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "ingest/helius.h"
#include "intel/intel.h"
#include "sim/sim.h"
#include "trade/engine.h"

#define LEARN_DAYS 7
#define WATCH      100

struct cand {
    struct pubkey k;
    double score;
};

static int by_score(const void *a, const void *b)
{
    double x = ((const struct cand *)a)->score, y = ((const struct cand *)b)->score;
    return x < y ? 1 : x > y ? -1 : memcmp(a, b, sizeof(struct pubkey));
}

static double secs(int64_t t0)
{
    return (double)(clock_mono_ns() - t0) / 1e9;
}

/* CPU seconds of the whole process (every thread). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.days = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 30;
    size_t points = argc > 2 ? strtoul(argv[2], NULL, 10) : 500;
    unsigned threads = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 2;
    if (argc > 4)
        sc.seed = strtoull(argv[4], NULL, 10);
    struct sim *s;
    char err[256];
    if (sim_new(&sc, &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int64_t t0 = (int64_t)sc.start_time * 1000, from = t0 + LEARN_DAYS * MS_PER_DAY,
            to = t0 + (int64_t)sc.days * MS_PER_DAY;

    /* The tape, from the simulator through the decoder. */
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out ho = {0};
    struct buf json;
    buf_init(&json, 0);
    struct bt_tape tape;
    bt_tape_init(&tape);
    struct sim_tx tx;
    uint64_t events = 0;
    int64_t w0 = clock_mono_ns();
    double decode_s = 0;
    while (sim_next(s, &tx) == 1) {
        int64_t d0 = clock_mono_ns();
        buf_reset(&json);
        sim_tx_json(s, &tx, &json);
        helius_out_clear(&ho);
        int rc = helius_decode(d, json.data, json.len, 0, &ho, NULL);
        decode_s += secs(d0);
        if (rc != 0)
            continue;
        for (size_t i = 0; i < ho.events.len; i++) {
            events++;
            if (ho.events.v[i].kind == EVENT_SWAP)
                bt_tape_add(&tape, &ho.events.v[i].u.swap);
        }
    }
    double gen_s = secs(w0);
    tape.from_ms = t0;
    tape.to_ms = to;
    char path[] = "/tmp/bench_backtest.tape";
    int64_t s0 = clock_mono_ns();
    bt_tape_save(&tape, path);
    double save_s = secs(s0);
    struct stat sb;
    stat(path, &sb);
    struct bt_tape loaded;
    bt_tape_init(&loaded);
    s0 = clock_mono_ns();
    bt_tape_load(&loaded, path);
    double load_s = secs(s0);
    bt_tape_release(&loaded);
    unlink(path);

    printf("Simulated %u days (seed %" PRIu64 "): %" PRIu64 " events, %zu swaps on the tape; "
           "generated and decoded in %.1f s (decoder %.1f s).\n",
           sc.days, sc.seed, events, tape.recs.len, gen_s, decode_s);
    printf("Tape: %zu bytes per swap record, file %.1f MB (%.1f bytes per swap incl. keys), "
           "written in %.2f s, read in %.2f s.\n",
           sizeof(struct bt_rec), (double)sb.st_size / 1e6,
           (double)sb.st_size / (double)tape.recs.len, save_s, load_s);
    fflush(stdout);

    /* The watchlist: intel after the learning days. */
    struct engine_params ep;
    engine_params_default(&ep);
    struct engine *learner = engine_new(&ep, NULL, t0, err, sizeof err);
    size_t i = 0;
    struct swap_event sw;
    for (; i < tape.recs.len && tape.recs.v[i].ts_ms < from; i++) {
        bt_tape_swap(&tape, i, &sw);
        engine_warm_swap(learner, &sw);
    }
    size_t window_start = i;
    struct intel *in = engine_intel(learner);
    struct ledger *l = intel_ledger(in);
    uint32_t nw = ledger_wallet_count(l);
    struct cand *c = xcalloc(nw + 1, sizeof *c);
    size_t nc = 0;
    struct intel_profile *pr = xmalloc(sizeof *pr);
    /* WT_BENCH_MIN_SCORE: the score floor (50); a lower one fills the
     * watchlist to 100 on a market where fewer wallets pass 50. */
    const char *ms = getenv("WT_BENCH_MIN_SCORE");
    double min_score = ms && *ms ? strtod(ms, NULL) : 50;
    for (uint32_t w = 0; w < nw; w++) {
        intel_profile(in, w, from, pr);
        if (pr->metrics.trades < 10 || pr->score.confidence == SCORE_CONF_LOW ||
            pr->score.score < min_score)
            continue;
        memcpy(c[nc].k.b, ledger_wallet_key(l, w), 32);
        c[nc++].score = pr->score.score;
    }
    free(pr);
    engine_free(learner);
    qsort(c, nc, sizeof *c, by_score);
    struct bt_watchlist wl = {0};
    for (size_t k = 0; k < nc && k < WATCH; k++) {
        struct bt_watch *x = vec_push_zero(&wl.v);
        x->wallet = c[k].k;
        x->prior = c[k].score;
    }
    free(c);

    /* Reference: the engine alone over the window. */
    struct engine *e = engine_new(&ep, NULL, from, err, sizeof err);
    struct paper_params pp;
    paper_params_default(&pp);
    engine_set_executor(e, engine_paper_executor(e, &pp));
    for (size_t k = 0; k < wl.v.len; k++) {
        struct event cmd;
        memset(&cmd, 0, sizeof cmd);
        cmd.kind = EVENT_COMMAND;
        cmd.u.command.kind = CMD_WATCH;
        cmd.u.command.ts_ms = from;
        cmd.u.command.wallet = wl.v.v[k].wallet;
        cmd.u.command.value = wl.v.v[k].prior;
        engine_handle(e, &cmd);
    }
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_SWAP;
    size_t nwin = tape.recs.len - window_start;
    s0 = clock_mono_ns();
    double c0 = cpu_s();
    for (size_t k = window_start; k < tape.recs.len; k++) {
        bt_tape_swap(&tape, k, &ev.u.swap);
        engine_handle(e, &ev);
    }
    double ref_s = cpu_s() - c0, ref_wall = secs(s0);
    engine_free(e);
    double ref_eps = (double)nwin / ref_s;

    /* One run of the default scenario. */
    struct bt_plan plan, all;
    c0 = cpu_s();
    bt_plan_build(&plan, &tape, &wl, t0, from, to, true);
    double plan_s = cpu_s() - c0;
    bt_plan_build(&all, &tape, &wl, t0, from, to, false);
    struct bt_setup setup;
    bt_setup_init(&setup);
    double best = 1e9, best_all = 1e9, best_wall = 1e9;
    struct bt_metrics m = {0}, m_all = {0};
    for (int rep = 0; rep < 3; rep++) {
        struct bt_result r;
        bt_result_init(&r);
        s0 = clock_mono_ns();
        c0 = cpu_s();
        bt_replay(&tape, &plan, &setup, &wl, NULL, &r, err, sizeof err);
        double t = cpu_s() - c0, tw = secs(s0);
        best = t < best ? t : best;
        best_wall = tw < best_wall ? tw : best_wall;
        m = r.m;
        bt_result_release(&r);
        bt_result_init(&r);
        c0 = cpu_s();
        bt_replay(&tape, &all, &setup, &wl, NULL, &r, err, sizeof err);
        t = cpu_s() - c0;
        best_all = t < best_all ? t : best_all;
        m_all = r.m;
        bt_result_release(&r);
    }

    /* A lone `backtest run`: its plan and its run, timed together, fresh
     * each time (best of WT_BENCH_LONE_REPS, 3; more for a profile). */
    const char *lr = getenv("WT_BENCH_LONE_REPS");
    int lone_reps = lr && *lr ? (int)strtol(lr, NULL, 10) : 3;
    double lone = 1e9, lone_wall = 1e9;
    for (int rep = 0; rep < lone_reps; rep++) {
        struct bt_plan lp;
        struct bt_result r;
        bt_result_init(&r);
        s0 = clock_mono_ns();
        c0 = cpu_s();
        bt_plan_build(&lp, &tape, &wl, t0, from, to, true);
        bt_replay(&tape, &lp, &setup, &wl, NULL, &r, err, sizeof err);
        double t = cpu_s() - c0, tw = secs(s0);
        lone = t < lone ? t : lone;
        lone_wall = tw < lone_wall ? tw : lone_wall;
        if (r.m.signals != m.signals || r.m.trades != m.trades || r.m.return_pct != m.return_pct)
            fprintf(stderr, "a lone run decided differently\n");
        bt_result_release(&r);
        bt_plan_release(&lp);
    }

    size_t market_only = 0;
    for (size_t k = 0; k < plan.idx.len; k++)
        market_only += !plan.whole[tape.recs.v[plan.idx.v[k]].wallet];
    printf("Watchlist: %zu wallets. Window: days %d-%u, %zu swaps; the plan feeds %zu (%zu "
           "skipped) after %zu warm-up swaps; %zu of the fed swaps (warm-up included) are "
           "unwatched wallets', fed market-only.\n\n",
           wl.v.len, LEARN_DAYS, sc.days, nwin, plan.idx.len - plan.n_warm, plan.skipped,
           plan.n_warm, market_only);
    printf("| measurement | CPU time | events/s | vs the engine alone |\n|---|---|---|---|\n");
    printf("| reference: engine_handle alone, every window swap | %.0f ms (wall %.0f) | %.2f M | "
           "1.00 |\n",
           ref_s * 1e3, ref_wall * 1e3, ref_eps / 1e6);
    printf("| one run, default scenario (best of 3) | %.0f ms (wall %.0f) | %.2f M (window swaps "
           "/ time) | %.2fx |\n",
           best * 1e3, best_wall * 1e3, (double)nwin / best / 1e6, ref_s / best);
    printf("| the plan (once per tape, watchlist and window; shared by a grid's runs) | %.0f ms "
           "| | |\n",
           plan_s * 1e3);
    printf("| one scenario from scratch: plan + run | %.0f ms | | %.2fx |\n", (plan_s + best) * 1e3,
           ref_s / (plan_s + best));
    printf("| a lone run: plan + run timed together, fresh each time (best of %d) | %.0f ms (wall "
           "%.0f) | | %.2fx |\n",
           lone_reps, lone * 1e3, lone_wall * 1e3, ref_s / lone);
    printf("| one run, nothing skipped (best of 3) | %.0f ms | %.2f M | %.2fx |\n", best_all * 1e3,
           (double)nwin / best_all / 1e6, ref_s / best_all);
    fflush(stdout);
    /* The grid. */
    static const char *thr[] = {"0.50", "0.55", "0.60", "0.65", "0.70",
                                "0.72", "0.75", "0.78", "0.80", "0.84"};
    static const char *maxp[] = {"3", "5", "10", "15", "20"};
    static const char *risk[] = {"0.005", "0.01",  "0.015", "0.02", "0.025",
                                 "0.03",  "0.035", "0.04",  "0.05", "0.06"};
    struct bt_job *jobs = xcalloc(points ? points : 1, sizeof *jobs);
    for (size_t k = 0; k < points; k++) {
        bt_setup_init(&jobs[k].setup);
        engine_params_set(&jobs[k].setup.engine, "signal.threshold", thr[k % 10], true, err,
                          sizeof err);
        engine_params_set(&jobs[k].setup.engine, "trade.max_positions", maxp[(k / 10) % 5], true,
                          err, sizeof err);
        engine_params_set(&jobs[k].setup.engine, "trade.risk_per_trade", risk[(k / 50) % 10], true,
                          err, sizeof err);
    }
    s0 = clock_mono_ns();
    c0 = cpu_s();
    bt_batch_run(&tape, &plan, &wl, jobs, points, threads, true, NULL, NULL, NULL);
    double grid_s = secs(s0), grid_cpu = cpu_s() - c0;
    size_t failed = 0;
    for (size_t k = 0; k < points; k++) {
        failed += jobs[k].rc != 0;
        bt_result_release(&jobs[k].result);
    }
    free(jobs);

    double per = grid_cpu / (double)(points ? points : 1);
    printf("| grid: %zu scenarios on %u threads | %.1f s CPU (wall %.1f s) | %.2f M | %.0f ms CPU "
           "per scenario (%.2fx); 500 on 2 cores: %.0f s |\n\n",
           points, threads, grid_cpu, grid_s, (double)nwin * (double)points / grid_cpu / 1e6,
           per * 1e3, ref_s / per, per * 500 / 2);
    printf("Default run: %" PRIu64 " signals, %" PRIu64 " trades, return %+.1f%%, max drawdown "
           "%.1f%%; nothing skipped: %" PRIu64 " signals, %" PRIu64 " trades, return %+.1f%% "
           "(must be the same). Failed grid runs: %zu.\n",
           m.signals, m.trades, m.return_pct, m.max_drawdown_pct, m_all.signals, m_all.trades,
           m_all.return_pct, failed);
    bt_plan_release(&plan);
    bt_plan_release(&all);
    bt_watchlist_release(&wl);
    bt_tape_release(&tape);
    buf_release(&json);
    helius_out_release(&ho);
    helius_decoder_free(d);
    sim_free(s);
    return 0;
}
