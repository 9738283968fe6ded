/* Paper results of a simulated month beside two baselines (issue 7, item
 * 11; results in docs/intelligence.md).
 *
 *     bench_month [days] [learn_days] [seed] [preset] [scenario file]
 *                                     (30 7 <scenario default> calibrated)
 *
 * The default simulator scenario (src/sim; or a preset) runs for `days`; every
 * transaction goes through the real Helius decoder and the events feed
 * nine engines side by side (DESIGN §2: engines share nothing), with a
 * tick every 10 s of market time and the paper executor with the costs of a copy trade on the
 * calibrated market (0.8 s latency, constant-product impact, fees, a Jito
 * tip, 5% of transactions failing). For the first `learn_days`
 * nobody is watched: intel learns. Then each engine watches its wallets
 * and trades for the rest of the period:
 *
 *   walltrack - the watchlist discovery makes from the learning period
 *               (`walltrack discover` with its default settings: the
 *               top 50 eligible candidates), each with its score as the
 *               prior; default engine settings (threshold 0.70,
 *               four-factor score);
 *   early     - every "early buyer": a wallet among the first 5 buyers of
 *               at least 3 tokens during the learning period; every buy
 *               copied (threshold 0, one size);
 *   random    - 100 random wallets among those seen trading (the issue-15
 *               figure; WT_BENCH_RANDOM=N another number, 0: as many as
 *               walltrack watches, the choice before session 5); every buy
 *               copied.
 *
 * Each in three variants: the default circuit breakers (the performance
 * breaker on the profit factor over 50 trades), the documents' win-rate
 * rule (40% over 50 trades) instead, and the entry-stopping breakers
 * disabled, which compares the selections themselves. No operator resets
 * a breaker, so a trip stops entries for the rest of the period.
 * Everything else is the same.
 * Output: a Markdown table and, for the walltrack selection, which hidden
 * wallet types it picked (the simulator's truth). WT_BENCH_BREAKDOWN=1
 * adds the closed trades of the entry-breakers-off runs by the hidden type
 * of the copied wallet and the fate of the token: where each selection's
 * money comes from. */
#include <inttypes.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/vec.h"
#include "ingest/helius.h"
#include "intel/discovery.h"
#include "intel/intel.h"
#include "graph/graph.h"
#include "sim/sim.h"
#include "trade/engine.h"
#include "store/store.h"
#include "trade/perf.h"

#define NSEL  3
#define NVAR  3
#define NRUN  (NVAR * NSEL)
#define TICK  10000
#define MARK  60000
#define EARLY 5

static const char *sel_name[NSEL] = {"walltrack", "early buyers", "random wallets"};
/* Breaker variants: the defaults (profit factor over the window), the
 * documents' win-rate rule (40% over 50 trades), the entry-stopping
 * breakers off. */
static const char *var_name[NVAR] = {"defaults (profit factor < 1 over 50)",
                                     "win rate < 40% over 50", "entry breakers off"};

#define NF 15 /* factors and components summed per run (fname) */

/* Collects closed trades for the performance numbers. */
struct collect {
    struct engine_out base;
    struct perf *perf;
    uint64_t signals, traded, trips;
    uint64_t reasons[SR_COUNT];
    double fsum[NF];                 /* sums of the signals' factors and components (below) */
    double tsum[NF];                 /* the same over the traded signals */
    VEC(struct closed_trade) closed; /* for WT_BENCH_BREAKDOWN */
};

static const char *fname[NF] = {"score",   "wallet",   "token",      "context",  "cluster",
                                "w_score", "w_form",   "w_copy",     "t_age",    "t_liquidity",
                                "t_move",  "c_recent", "c_exposure", "k_owners", "k_follow"};

static void c_signal(struct engine_out *o, const struct engine_signal *s)
{
    struct collect *c = (struct collect *)o;
    c->signals++;
    c->traded += s->reason == SR_TRADED;
    if ((unsigned)s->reason < SR_COUNT)
        c->reasons[s->reason]++;
    if (s->f) {
        const struct signal_factors *f = s->f;
        double v[NF] = {f->score,         f->f[SF_WALLET], f->f[SF_TOKEN], f->f[SF_CONTEXT],
                        f->f[SF_CLUSTER], f->w_score,      f->w_form,      f->w_copy,
                        f->t_age,         f->t_liquidity,  f->t_move,      f->c_recent,
                        f->c_exposure,    f->k_owners,     f->k_follow};
        for (int k = 0; k < NF; k++) {
            c->fsum[k] += v[k];
            if (s->reason == SR_TRADED)
                c->tsum[k] += v[k];
        }
    }
}

static void c_trade(struct engine_out *o, const struct engine_trade *t)
{
    struct collect *c = (struct collect *)o;
    struct perf_trade p;
    perf_trade_from_engine(t, &p);
    perf_add(c->perf, &p);
    vec_push(&c->closed, *t->t);
}

static void c_alert(struct engine_out *o, const struct engine_alert *a)
{
    struct collect *c = (struct collect *)o;
    if (strcmp(a->action, "trip") == 0 &&
        (strcmp(a->breaker, "drawdown") == 0 || strcmp(a->breaker, "win_rate") == 0))
        c->trips++;
}

static void c_free(struct engine_out *o)
{
    (void)o;
}

static const struct engine_out_ops collect_ops = {
    .signal = c_signal, .trade = c_trade, .alert = c_alert, .free = c_free};

/* First buyers per token, and per wallet how often it was one. */
struct early {
    VEC(struct pubkey) mints;
    VEC(uint32_t) nbuyers;
    VEC(struct pubkey) buyers; /* EARLY per mint */
};

static int64_t find_mint(struct early *x, const struct pubkey *m)
{
    for (size_t i = x->mints.len; i-- > 0;) /* recent mints first */
        if (pubkey_eq(&x->mints.v[i], m))
            return (int64_t)i;
    return -1;
}

static void early_note(struct early *x, const struct swap_event *s)
{
    if (s->side != SIDE_BUY)
        return;
    int64_t i = find_mint(x, &s->mint);
    if (i < 0) {
        vec_push(&x->mints, s->mint);
        vec_push(&x->nbuyers, 0u);
        for (int k = 0; k < EARLY; k++) {
            struct pubkey z = {0};
            vec_push(&x->buyers, z);
        }
        i = (int64_t)x->mints.len - 1;
    }
    uint32_t *n = &x->nbuyers.v[i];
    if (*n >= EARLY)
        return;
    for (uint32_t k = 0; k < *n; k++)
        if (pubkey_eq(&x->buyers.v[(size_t)i * EARLY + k], &s->wallet))
            return;
    x->buyers.v[(size_t)i * EARLY + (*n)++] = s->wallet;
}

static void feed(struct engine *e, const struct event *ev)
{
    if (engine_handle(e, ev) != 0) {
        fprintf(stderr, "engine_handle: %s\n", engine_last_error(e));
        exit(1);
    }
}

static void watch(struct engine *e, const struct pubkey *w, double prior, int64_t ts)
{
    struct event c;
    memset(&c, 0, sizeof c);
    c.kind = EVENT_COMMAND;
    c.u.command.kind = CMD_WATCH;
    c.u.command.ts_ms = ts;
    c.u.command.wallet = *w;
    c.u.command.value = prior;
    feed(e, &c);
}

struct cand {
    struct pubkey k;
    double score;
};

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Index of the sim's wallet or token whose address is `k`, or -1. */
static int64_t sim_find(const struct sim *s, const struct pubkey *k, bool token)
{
    char addr[BASE58_KEY_MAX];
    pubkey_format(k, addr);
    uint32_t n = token ? sim_token_count(s) : sim_wallet_count(s);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(token ? sim_token_mint(s, i) : sim_wallet_address(s, i), addr) == 0)
            return i;
    return -1;
}

static void print_breakdown(const struct sim *s, const struct collect *out)
{
    printf("\nClosed trades of the entry-breakers-off runs by copied wallet type and token "
           "fate (trades, SOL, mean PnL %%):\n");
    for (int sel = 0; sel < NSEL; sel++) {
        const struct collect *c = &out[2 * NSEL + sel];
        double pnl[SIM_NTYPES][SIM_NFATES] = {{0}}, pct[SIM_NTYPES][SIM_NFATES] = {{0}};
        uint32_t cnt[SIM_NTYPES][SIM_NFATES] = {{0}};
        for (size_t i = 0; i < c->closed.len; i++) {
            int64_t w = sim_find(s, &c->closed.v[i].wallet, false);
            int64_t t = sim_find(s, &c->closed.v[i].mint, true);
            if (w < 0 || t < 0)
                continue;
            int wt = sim_wallet_type(s, (uint32_t)w), f = sim_token_fate(s, (uint32_t)t);
            pnl[wt][f] += c->closed.v[i].pnl_sol;
            pct[wt][f] += c->closed.v[i].pnl_pct;
            cnt[wt][f]++;
        }
        printf("  %s:\n", sel_name[sel]);
        for (int wt = 0; wt < SIM_NTYPES; wt++)
            for (int f = 0; f < SIM_NFATES; f++)
                if (cnt[wt][f])
                    printf("    %-11s %-9s %5u %+9.3f SOL, mean %+7.1f%%\n",
                           sim_wallet_type_name((enum sim_wallet_type)wt),
                           sim_fate_name((enum sim_fate)f), cnt[wt][f], pnl[wt][f],
                           pct[wt][f] / cnt[wt][f]);
    }
}

int main(int argc, char **argv)
{
    struct scenario sc;
    scenario_default(&sc);
    if (argc > 4 && scenario_preset(&sc, argv[4]) != 0) {
        fprintf(stderr, "unknown preset '%s' (%s)\n", argv[4], SCENARIO_PRESETS);
        return 2;
    }
    char err[256];
    if (argc > 5 && scenario_load(&sc, argv[5], err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    sc.days = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 30;
    uint32_t learn = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 7;
    if (argc > 3)
        sc.seed = strtoull(argv[3], NULL, 10);
    /* WT_BENCH_CLUSTERS=off: the cluster factor's weight shared out among
     * the other three (the scoring before issue 17); default on, with the
     * clusters of the wallet graph built from the learning days given to
     * the engines. */
    const char *cl = getenv("WT_BENCH_CLUSTERS");
    bool clusters_on = !(cl && strcmp(cl, "off") == 0);
    struct graph gr;
    graph_init(&gr);
    /* Costs of a copy trade on the calibrated market (docs/simulator.md,
     * "Calibration targets"): 2 slots of copy latency, pump.fun's 1% fee
     * (nearly every copied entry is on the bonding curve; the pool's 0.25%
     * after migration is charged at 1% too, which errs against us), the
     * base fee and a priority fee per transaction, a 0.001 SOL Jito tip per
     * transaction that succeeds, and paper.fail_rate's 5% of transactions
     * failing on chain (base + priority fee paid, nothing bought or sold). */
    struct paper_params costs;
    paper_params_default(&costs);
    costs.latency_ms = 800;
    costs.dex_fee_bps = 100;
    costs.priority_fee_lamports = 100000;
    costs.tip_lamports = 1000000;
    /* WT_BENCH_COSTS=folded: the costs before failures were modelled (the
     * tip folded into the priority fee, every transaction landing), as a
     * reference for the change. */
    const char *cf = getenv("WT_BENCH_COSTS");
    if (cf && strcmp(cf, "folded") == 0) {
        costs.priority_fee_lamports = 100000 + 1000000;
        costs.tip_lamports = 0;
        costs.fail_rate = 0;
    }
    struct sim *s;
    if (sim_new(&sc, &s, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int64_t t0 = (int64_t)sc.start_time * 1000;
    int64_t learn_end = t0 + (int64_t)learn * 86400000LL;

    struct engine *e[NRUN];
    struct collect out[NRUN];
    for (int r = 0; r < NRUN; r++) {
        struct engine_params p;
        engine_params_default(&p);
        int sel = r % NSEL;
        if (!clusters_on)
            p.signal.weight[SF_CLUSTER] = 0;
        /* WT_BENCH_THRESHOLD: walltrack's signal threshold, to compare. */
        const char *th = getenv("WT_BENCH_THRESHOLD");
        if (sel == 0 && th && *th)
            p.signal.threshold = p.sizing.threshold = strtod(th, NULL);
        if (sel != 0) { /* copy every buy, one size */
            p.signal.threshold = 0;
            p.sizing.threshold = 0;
            p.sizing.high_score = 1;
        }
        if (r / NSEL == 1) { /* the documents' win-rate rule */
            p.breakers.min_win_rate = 0.40;
            p.breakers.min_profit_factor = 0;
        }
        if (r / NSEL == 2) { /* entry-stopping breakers off */
            p.breakers.max_drawdown = 0.999;
            p.breakers.min_win_rate = 0;
            p.breakers.min_profit_factor = 0;
        }
        out[r] = (struct collect){.base.ops = &collect_ops,
                                  .perf = perf_new((double)p.capital_lamports / 1e9)};
        e[r] = engine_new(&p, &out[r].base, t0, err, sizeof err);
        if (!e[r]) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        engine_set_executor(e[r], engine_paper_executor(e[r], &costs));
    }

    /* The learning period also goes into a throwaway SQLite store, where
     * discovery (the product's watchlist: `walltrack discover`) runs at
     * the end of it. */
    char tmpdir[] = "/tmp/bench-month-XXXXXX";
    struct store *store = NULL;
    if (!mkdtemp(tmpdir) || store_open(tmpdir, NULL, &store, err, sizeof err) != 0) {
        fprintf(stderr, "store: %s\n", err);
        return 1;
    }
    VEC(struct event) pend = {0}; /* learning-period events not yet stored */
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out ho = {0};
    struct buf json;
    buf_init(&json, 0);
    struct early early = {0};
    struct sim_tx tx;
    int64_t next_tick = t0 + TICK;
    bool selected = false;
    size_t n_watch[NSEL] = {0};
    uint64_t events = 0;
    int64_t wall0 = clock_mono_ns();
    struct cand *picked = NULL;
    size_t n_picked = 0;
    while (sim_next(s, &tx) == 1) {
        while (tx.ts_ms >= next_tick) {
            struct event t;
            memset(&t, 0, sizeof t);
            t.kind = EVENT_TICK;
            t.u.tick.ts_ms = next_tick;
            for (int r = 0; r < NRUN; r++) {
                feed(e[r], &t);
                if (selected && next_tick % MARK == 0) { /* mark to market every minute */
                    struct engine_status st;
                    engine_status(e[r], &st);
                    perf_mark(out[r].perf, next_tick, (double)st.equity_lamports / 1e9);
                }
            }
            next_tick += TICK;
        }
        if (!selected && tx.ts_ms >= learn_end) {
            /* The selections. walltrack: the watchlist discovery makes
             * from the learning period (`walltrack discover`, default
             * settings), each wallet with its score as the prior. */
            struct intel *in = engine_intel(e[0]);
            struct ledger *l = intel_ledger(in);
            uint32_t nw = ledger_wallet_count(l);
            struct discovery_params dp;
            discovery_params_default(&dp);
            struct profile_params pp;
            profile_params_default(&pp);
            struct discovery_report rep;
            struct discovery_result res;
            if (discovery_run(store, &dp, &pp, learn_end, &rep, NULL, &res) != 0) {
                fprintf(stderr, "discovery_run failed\n");
                return 1;
            }
            size_t nk = res.eligible < dp.top_k ? res.eligible : dp.top_k;
            struct cand *c = xcalloc(nk + 1, sizeof *c);
            size_t nc = 0;
            for (size_t i = 0; i < nk; i++)
                if (pubkey_parse(res.c.v[i].address, &c[nc].k) == 0)
                    c[nc++].score = res.c.v[i].score;
            discovery_result_release(&res);
            n_picked = nc;
            picked = c;
            for (size_t i = 0; i < n_picked; i++)
                for (int r = 0; r < NRUN; r += NSEL)
                    watch(e[r], &c[i].k, c[i].score, learn_end);
            n_watch[0] = n_picked;
            /* Early buyers. */
            struct cand *eb = xcalloc(early.buyers.len + 1, sizeof *eb);
            size_t ne = 0;
            for (size_t i = 0; i < early.buyers.len; i++) {
                const struct pubkey *k = &early.buyers.v[i];
                if (pubkey_is_zero(k))
                    continue;
                size_t j;
                for (j = 0; j < ne; j++)
                    if (pubkey_eq(&eb[j].k, k))
                        break;
                if (j == ne)
                    eb[ne++] = (struct cand){.k = *k};
                eb[j].score++;
            }
            for (size_t i = 0; i < ne; i++)
                if (eb[i].score >= 3) {
                    for (int r = 1; r < NRUN; r += NSEL)
                        watch(e[r], &eb[i].k, 100, learn_end);
                    n_watch[1]++;
                }
            free(eb);
            /* Random wallets seen trading: 100 unless WT_BENCH_RANDOM
             * says otherwise (0: as many as walltrack's). A sample as small
             * as walltrack's watchlist (13-50) decides by whether it drew a
             * skilled wallet. */
            const char *rn = getenv("WT_BENCH_RANDOM");
            size_t n_random = rn && *rn ? strtoul(rn, NULL, 10) : 100;
            if (n_random == 0)
                n_random = n_picked;
            uint64_t seed = 12345;
            for (size_t i = 0; i < n_random && nw; i++) {
                struct pubkey k;
                memcpy(k.b, ledger_wallet_key(l, (uint32_t)(rng(&seed) % nw)), 32);
                for (int r = 2; r < NRUN; r += NSEL)
                    watch(e[r], &k, 100, learn_end);
                n_watch[2]++;
            }
            if (clusters_on) { /* the learning week's clusters, as commands */
                struct graph_params gp;
                graph_params_default(&gp);
                struct graph_clusters gc;
                if (graph_build_edges(&gr, &gp) == 0 && graph_cluster(&gr, &gp, &gc) == 0) {
                    for (size_t ci = 0; ci < gc.v.len; ci++)
                        for (size_t k = 0; k < gc.v.v[ci].n; k++) {
                            struct event cm;
                            memset(&cm, 0, sizeof cm);
                            cm.kind = EVENT_COMMAND;
                            cm.u.command.kind = CMD_CLUSTER_MEMBER;
                            cm.u.command.ts_ms = learn_end;
                            memcpy(cm.u.command.wallet.b,
                                   graph_wallet_key(&gr, gc.v.v[ci].members[k]), 32);
                            cm.u.command.value = (double)(ci + 1);
                            snprintf(cm.u.command.name, sizeof cm.u.command.name, "%s",
                                     gc.v.v[ci].members[k] == gc.v.v[ci].leader ? "leader"
                                                                                : "follower");
                            for (int r = 0; r < NRUN; r++)
                                feed(e[r], &cm);
                        }
                    printf("Clusters from the learning days: %zu (wallet graph defaults).\n",
                           gc.v.len);
                    graph_clusters_release(&gc);
                }
                graph_release(&gr);
                graph_init(&gr);
            }
            selected = true;
        }
        buf_reset(&json);
        sim_tx_json(s, &tx, &json);
        helius_out_clear(&ho);
        if (helius_decode(d, json.data, json.len, 0, &ho, NULL) != 0)
            continue;
        if (!selected)
            for (size_t i = 0; i < ho.events.len; i++)
                vec_push(&pend, ho.events.v[i]);
        if (pend.len >= 8192 || (pend.len && tx.ts_ms + 60000 >= learn_end)) {
            if (store_append_events(store, pend.v, pend.len, NULL) != 0) {
                fprintf(stderr, "store_append_events failed\n");
                return 1;
            }
            pend.len = 0;
        }
        for (size_t i = 0; i < ho.events.len; i++) {
            const struct event *ev = &ho.events.v[i];
            if (!selected && ev->kind == EVENT_SWAP)
                early_note(&early, &ev->u.swap);
            if (!selected && clusters_on && ev->kind == EVENT_SWAP)
                graph_add_swap(&gr, &ev->u.swap);
            if (!selected && clusters_on && ev->kind == EVENT_TRANSFER)
                graph_add_transfer(&gr, &ev->u.transfer);
            for (int r = 0; r < NRUN; r++)
                feed(e[r], ev);
            events++;
        }
    }
    double secs = (double)(clock_mono_ns() - wall0) / 1e9;
    graph_release(&gr);
    printf("Cluster factor: %s.\n", clusters_on ? "on (weights 30/25/25/20)" : "off (shared out)");

    printf("Simulated %u days (seed %" PRIu64 ", %u wallets, %u launches a day), learning %u "
           "days, trading %u days; %" PRIu64 " events through %d engines in %.0f s.\n\n",
           sc.days, sc.seed, sc.wallets, sc.tokens_per_day, learn, sc.days - learn, events, NRUN,
           secs);
    /* The walltrack selection against the truth. */
    uint32_t types[SIM_NTYPES] = {0};
    for (size_t i = 0; i < n_picked; i++) {
        char addr[BASE58_KEY_MAX];
        pubkey_format(&picked[i].k, addr);
        for (uint32_t w = 0; w < sim_wallet_count(s); w++)
            if (strcmp(sim_wallet_address(s, w), addr) == 0) {
                types[sim_wallet_type(s, w)]++;
                break;
            }
    }
    printf("walltrack watched %zu wallets:", n_picked);
    for (int t = 0; t < SIM_NTYPES; t++)
        if (types[t])
            printf(" %u %s", types[t], sim_wallet_type_name((enum sim_wallet_type)t));
    printf(".\n\n");

    printf("walltrack's signal threshold: %.2f.\n", engine_params_of(e[0])->signal.threshold);
    printf("Costs per copy trade: %lld ms latency, %u bps DEX fee, %llu + %llu lamports of "
           "fees per transaction, a %llu lamport tip per landed one, %.1f%% of transactions "
           "failing.\n\n",
           (long long)costs.latency_ms, costs.dex_fee_bps,
           (unsigned long long)costs.network_fee_lamports,
           (unsigned long long)costs.priority_fee_lamports, (unsigned long long)costs.tip_lamports,
           100 * costs.fail_rate);
    printf("| selection | breakers | watched | signals | trades | win rate | profit ratio | "
           "expectancy (SOL/trade) | profit factor | return | max drawdown realized | max "
           "drawdown mark-to-market | Sharpe | entries stopped |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int r = 0; r < NRUN; r++) {
        int sel = r % NSEL;
        struct buf b;
        buf_init(&b, 0);
        struct jw w;
        jw_init(&w, &b);
        struct engine_status st;
        engine_status(e[r], &st);
        perf_write(out[r].perf, (double)st.equity_lamports / 1e9, next_tick, 2, &w);
        jw_finish(&w);
        struct json_doc *jd = json_doc_new(16);
        struct json_val o;
        double trades = 0, wr = 0, pr = 0, ret = 0, dd = 0, sh = 0, ex = 0, pf = 0, ddm = 0;
        bool shv = false;
        if (json_parse(jd, b.data, b.len, 0, &o) == 0) {
            json_get_double(&o, "trades", &trades);
            json_get_double(&o, "win_rate", &wr);
            json_get_double(&o, "profit_ratio", &pr);
            json_get_double(&o, "expectancy_sol", &ex);
            json_get_double(&o, "profit_factor", &pf);
            json_get_double(&o, "max_drawdown_pct", &dd);
            json_get_double(&o, "max_drawdown_mtm_pct", &ddm);
            json_get_double(&o, "sharpe", &sh);
            json_get_bool(&o, "sharpe_valid", &shv);
        }
        char shs[32];
        if (shv)
            snprintf(shs, sizeof shs, "%.2f", sh);
        else
            snprintf(shs, sizeof shs, "n/a");
        /* Return on equity including what is still open. */
        ret = 100.0 *
              ((double)st.equity_lamports / (double)engine_params_of(e[r])->capital_lamports - 1);
        printf("| %s | %s | %zu | %" PRIu64 " | %.0f | %.1f%% | %.2f | %+.4f | %.2f | %+.1f%% | "
               "%.1f%% | %.1f%% | %s | %s |\n",
               sel_name[sel], var_name[r / NSEL], n_watch[sel], out[r].signals, trades, 100 * wr,
               pr, ex, pf, ret, dd, ddm, shs, out[r].trips ? "yes" : "no");
        json_doc_free(jd);
        buf_release(&b);
    }
    printf("\nSignal decisions per run:\n");
    for (int r = 0; r < NRUN; r++) {
        struct engine_status fs;
        engine_status(e[r], &fs);
        printf("  %s, %s: orders %" PRIu64 ", failed %" PRIu64 " (fees %.4f SOL);",
               sel_name[r % NSEL], var_name[r / NSEL], fs.c.orders, fs.c.fills_failed,
               (double)fs.c.failed_fee_lamports / 1e9);
        for (int k = 0; k < SR_COUNT; k++)
            if (out[r].reasons[k])
                printf(" %s %" PRIu64, signal_reason_name((enum signal_reason)k),
                       out[r].reasons[k]);
        printf("\n    mean factors:");
        for (int k = 0; k < NF; k++)
            printf(" %s %.3f", fname[k],
                   out[r].signals ? out[r].fsum[k] / (double)out[r].signals : 0.0);
        printf("\n    traded signals' mean factors:");
        for (int k = 0; k < NF; k++)
            printf(" %s %.3f", fname[k],
                   out[r].traded ? out[r].tsum[k] / (double)out[r].traded : 0.0);
        printf("\n");
    }
    /* WT_BENCH_BREAKDOWN=1: the entry-breakers-off runs' closed trades by
     * the hidden type of the copied wallet and the fate of the token (the
     * simulator's truth), to see where a selection's money comes from. */
    const char *bd = getenv("WT_BENCH_BREAKDOWN");
    if (bd && *bd == '1')
        print_breakdown(s, out);
    free(picked);
    vec_free(&pend);
    store_close(store);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf %s", tmpdir);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    for (int r = 0; r < NRUN; r++) {
        vec_free(&out[r].closed);
        perf_free(out[r].perf);
        engine_free(e[r]);
    }
    vec_free(&early.mints);
    vec_free(&early.nbuyers);
    vec_free(&early.buyers);
    buf_release(&json);
    helius_out_release(&ho);
    helius_decoder_free(d);
    sim_free(s);
    return 0;
}
