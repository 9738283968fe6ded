/* Tests of the intel state (intel/intel.h): the batch path (intel_batch_*,
 * intel_recompute) leaves exactly the state intel_apply leaves, swap by
 * swap, on a realistic tape from the market simulator: every wallet's
 * totals, fills, round trips, positions, running accumulators, profile and
 * patterns, and every mint's facts, compared bit for bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/vec.h"
#include "ingest/helius.h"
#include "intel/intel.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#include "intel_ref.h"
#include "../support/soak_events.c"

static VEC(struct swap_event) tape;

/* The simulated market of docs/simulator.md, scaled down (800 wallets, 150
 * launches a day for two days), decoded from its Helius JSON like the daemon does, then
 * salted with swaps the ledger must refuse (out of order, zero amount) and
 * a second leg sharing its transaction's fee. */
static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = 11;
    sc.tokens_per_day = 150;
    sc.days = 2; /* enough swaps for several parallel flushes of 3,001 */
    scenario_scale_wallets(&sc, 800);
    struct sim *m;
    char err[256];
    if (sim_new(&sc, &m, err, sizeof err) != 0)
        return -1;
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out out = {0};
    struct helius_counters c = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    int rc = 0;
    while (rc == 0 && sim_next(m, &tx) == 1) {
        buf_reset(&json);
        sim_tx_json(m, &tx, &json);
        if (helius_decode(d, json.data, json.len, 0, &out, &c) != 0)
            rc = -1;
        for (size_t i = 0; i < out.events.len; i++)
            if (out.events.v[i].kind == EVENT_SWAP)
                vec_push(&tape, out.events.v[i].u.swap);
        helius_out_clear(&out);
    }
    buf_release(&json);
    helius_out_release(&out);
    helius_decoder_free(d);
    sim_free(m);
    if (rc != 0 || tape.len < 10000)
        return -1;
    /* Salt: every 97th swap is repeated 1 s in the past (refused), every
     * 89th with a zero amount (refused), every 83rd as a second leg of the
     * same transaction (fee shared). */
    size_t n = tape.len;
    for (size_t i = 0; i < n; i += 97) {
        struct swap_event e = tape.v[i];
        e.ts_ms -= 1000;
        vec_push(&tape, e);
    }
    for (size_t i = 0; i < n; i += 89) {
        struct swap_event e = tape.v[i];
        e.token_amount = 0;
        vec_push(&tape, e);
    }
    for (size_t i = 0; i < n; i += 83) {
        struct swap_event e = tape.v[i];
        e.leg = 1;
        vec_push(&tape, e);
    }
    /* Put the salt back in time order (stable: keeps the legs after theirs). */
    for (size_t i = n; i < tape.len; i++) {
        struct swap_event e = tape.v[i];
        size_t j = i;
        while (j > 0 && tape.v[j - 1].ts_ms > e.ts_ms) {
            tape.v[j] = tape.v[j - 1];
            j--;
        }
        tape.v[j] = e;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vec_free(&tape);
    return 0;
}

#define SAME(x, y) assert_memory_equal(&(x), &(y), sizeof(x))

static void same_fill(const struct ledger_fill *a, const struct ledger_fill *b)
{
    SAME(a->ts_ms, b->ts_ms);
    SAME(a->slot, b->slot);
    SAME(a->qty, b->qty);
    SAME(a->value_sol, b->value_sol);
    SAME(a->fee_sol, b->fee_sol);
    SAME(a->price_sol, b->price_sol);
    SAME(a->realized_sol, b->realized_sol);
    SAME(a->basis_sol, b->basis_sol);
    assert_int_equal(a->wallet, b->wallet);
    assert_int_equal(a->mint, b->mint);
    assert_int_equal(a->trip, b->trip);
    assert_int_equal(a->buy_rank, b->buy_rank);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->side, b->side);
    assert_int_equal(a->source, b->source);
}

static void same_trip(const struct ledger_trip *a, const struct ledger_trip *b)
{
    SAME(a->open_ms, b->open_ms);
    SAME(a->close_ms, b->close_ms);
    SAME(a->cost_sol, b->cost_sol);
    SAME(a->proceeds_sol, b->proceeds_sol);
    SAME(a->pnl_sol, b->pnl_sol);
    SAME(a->cost_usd, b->cost_usd);
    SAME(a->pnl_usd, b->pnl_usd);
    assert_int_equal(a->wallet, b->wallet);
    assert_int_equal(a->mint, b->mint);
    assert_int_equal(a->n_buys, b->n_buys);
    assert_int_equal(a->n_sells, b->n_sells);
    assert_int_equal(a->flags, b->flags);
}

/* Asserts that two intel states are the same, bit for bit. */
static void same_state(const struct intel *a, const struct intel *b, int64_t now_ms)
{
    const struct ledger *la = intel_ledger((struct intel *)a);
    const struct ledger *lb = intel_ledger((struct intel *)b);
    assert_true(ledger_ok(la) && ledger_ok(lb));
    assert_int_equal(ledger_mint_count(la), ledger_mint_count(lb));
    assert_int_equal(ledger_wallet_count(la), ledger_wallet_count(lb));
    for (uint32_t m = 0; m < ledger_mint_count(la); m++) {
        const struct ledger_mint *x = ledger_mint(la, m), *y = ledger_mint(lb, m);
        assert_memory_equal(ledger_mint_key(la, m), ledger_mint_key(lb, m), 32);
        SAME(x->launch_ms, y->launch_ms);
        SAME(x->launch_slot, y->launch_slot);
        SAME(x->peak_ms, y->peak_ms);
        SAME(x->peak_price_sol, y->peak_price_sol);
        SAME(x->last_price_sol, y->last_price_sol);
        SAME(x->last_price_usd, y->last_price_usd);
        SAME(x->mcap_usd, y->mcap_usd);
        assert_int_equal(x->n_buyers, y->n_buyers);
        assert_int_equal(x->decimals, y->decimals);
    }
    struct pattern_list pa = {0}, pb = {0};
    size_t n_pos = 0, n_first = 0;
    for (uint32_t w = 0; w < ledger_wallet_count(la); w++) {
        const struct ledger_wallet *x = ledger_wallet(la, w), *y = ledger_wallet(lb, w);
        assert_memory_equal(ledger_wallet_key(la, w), ledger_wallet_key(lb, w), 32);
        assert_int_equal(x->n_pos, y->n_pos);
        assert_int_equal(x->n_swaps, y->n_swaps);
        assert_int_equal(x->n_buys, y->n_buys);
        assert_int_equal(x->n_sells, y->n_sells);
        assert_int_equal(x->n_unknown_sells, y->n_unknown_sells);
        SAME(x->first_ms, y->first_ms);
        SAME(x->last_ms, y->last_ms);
        SAME(x->last_sig, y->last_sig);
        SAME(x->realized_sol, y->realized_sol);
        SAME(x->unknown_proceeds_sol, y->unknown_proceeds_sol);
        SAME(x->buy_volume_sol, y->buy_volume_sol);
        SAME(x->sell_volume_sol, y->sell_volume_sol);
        SAME(x->fees_sol, y->fees_sol);
        assert_int_equal(x->trips.len, y->trips.len);
        for (size_t i = 0; i < x->trips.len; i++)
            same_trip(&x->trips.v[i], &y->trips.v[i]);
        assert_int_equal(x->fills.len, y->fills.len);
        for (size_t i = 0; i < x->fills.len; i++)
            same_fill(&x->fills.v[i], &y->fills.v[i]);
        struct ledger_position u, v;
        uint32_t cu = ledger_pos_next(la, w, LEDGER_NONE, &u);
        uint32_t cv = ledger_pos_next(lb, w, LEDGER_NONE, &v);
        while (cu != LEDGER_NONE && cv != LEDGER_NONE) {
            assert_memory_equal(&u, &v, sizeof u); /* memset before filled */
            n_first += u.buy_rank != LEDGER_NONE;
            cu = ledger_pos_next(la, w, cu, &u);
            cv = ledger_pos_next(lb, w, cv, &v);
            n_pos++;
        }
        assert_true(cu == LEDGER_NONE && cv == LEDGER_NONE);
        const struct intel_wallet *iu = intel_wallet(a, w), *iv = intel_wallet(b, w);
        assert_non_null(iu);
        assert_non_null(iv);
        assert_memory_equal(&iu->behaviour, &iv->behaviour, sizeof iu->behaviour);
        struct metrics mu, mv;
        metrics_acc_finish(&iu->metrics, &(struct metrics_params){5, 2, 2, 7}, &mu);
        metrics_acc_finish(&iv->metrics, &(struct metrics_params){5, 2, 2, 7}, &mv);
        assert_memory_equal(&mu, &mv, sizeof mu);
        struct intel_profile pu, pv;
        intel_profile(a, w, now_ms, &pu);
        intel_profile(b, w, now_ms, &pv);
        assert_string_equal(pu.top_source, pv.top_source);
        pu.top_source = pv.top_source = NULL;
        assert_memory_equal(&pu, &pv, sizeof pu);
        pa.len = pb.len = 0;
        intel_patterns(a, w, &pa);
        intel_patterns(b, w, &pb);
        assert_int_equal(pa.len, pb.len);
        if (pa.len)
            assert_memory_equal(pa.v, pb.v, pa.len * sizeof *pa.v);
    }
    /* the comparison had something to compare */
    assert_true(n_pos > 1000 && n_first > 1000);
    free(pa.v);
    free(pb.v);
}

static int64_t last_ts(void)
{
    return tape.v[tape.len - 1].ts_ms + 1000;
}

/* intel_recompute over the whole tape equals intel_apply swap by swap,
 * refusals included. */
static void test_recompute_equals_apply(void **state)
{
    (void)state;
    struct intel *a = intel_new(NULL, 64), *b = intel_new(NULL, 64);
    size_t refused = 0;
    for (size_t i = 0; i < tape.len; i++)
        refused += intel_apply(a, &tape.v[i]) != 0;
    assert_true(refused > 100);
    assert_int_equal(intel_recompute(b, tape.v, tape.len), refused);
    same_state(a, b, last_ts());
    intel_free(a);
    intel_free(b);
}

/* A batch flushed at arbitrary points, on a state that already holds
 * swaps, launch times and market caps, with the price of each fill handed
 * back as ledger_apply's fill carries it. */
static void test_batch_flushes_on_existing_state(void **state)
{
    (void)state;
    struct intel *a = intel_new(NULL, 1), *b = intel_new(NULL, 1);
    size_t half = tape.len / 3;
    for (size_t i = 0; i < half; i++) {
        intel_apply(a, &tape.v[i]);
        intel_apply(b, &tape.v[i]);
    }
    /* market facts noted between the two parts, the same in both */
    for (size_t i = half; i < tape.len; i += 211) {
        struct price_event pe = {0};
        pe.mint = tape.v[i].mint;
        pe.ts_ms = tape.v[half].ts_ms;
        pe.mcap_usd = 1e6 + (double)i;
        pe.price_sol = 1e-6;
        ledger_note_price(intel_ledger(a), &pe);
        ledger_note_price(intel_ledger(b), &pe);
    }
    struct intel_batch *ib = intel_batch_new(b);
    struct ledger *lg = intel_ledger(a);
    size_t flushes = 0;
    for (size_t i = half; i < tape.len; i++) {
        double price = -1;
        int ra = intel_apply(a, &tape.v[i]);
        int rb = intel_batch_add(ib, &tape.v[i], &price);
        assert_int_equal(ra, rb);
        if (ra == 0) {
            uint32_t w = ledger_wallet_id(lg, &tape.v[i].wallet);
            const struct ledger_wallet *lw = ledger_wallet(lg, w);
            SAME(price, lw->fills.v[lw->fills.len - 1].price_sol);
        }
        if (i % 1009 == 0) {
            intel_batch_flush(ib);
            flushes++;
        }
    }
    assert_true(flushes >= 5);
    intel_batch_free(ib);
    same_state(a, b, last_ts());
    intel_free(a);
    intel_free(b);
}

/* Without kept fills (the engine's setting) the states agree too. */
static void test_recompute_without_fills(void **state)
{
    (void)state;
    struct intel_params p;
    intel_params_default(&p);
    p.ledger.keep_fills = false;
    struct intel *a = intel_new(&p, 64), *b = intel_new(&p, 64);
    for (size_t i = 0; i < tape.len; i++)
        intel_apply(a, &tape.v[i]);
    intel_recompute(b, tape.v, tape.len);
    same_state(a, b, last_ts());
    intel_free(a);
    intel_free(b);
}

/* Runs of identical lots (intel/ledger_impl.h, struct lot): the tape with
 * some buys repeated (the same amounts and time, a new signature: what a
 * wallet repeating an order, or the soak campaign, gives) and a few sells
 * cut small so that they take part of a run: every wallet's totals,
 * fills, round trips, positions and profile equal, bit for bit, those of
 * a ledger that keeps every lot apart; the lots take less memory. */
static void test_lot_runs_change_nothing(void **state)
{
    (void)state;
    VEC(struct swap_event) rep = {0};
    size_t repeated = 0;
    for (size_t i = 0; i < tape.len; i++) {
        struct swap_event e = tape.v[i];
        if (e.side == SIDE_SELL && i % 5 == 0 && e.token_amount > 7)
            e.token_amount = e.token_amount / 7 + 1; /* a part of a lot, or of a run */
        vec_push(&rep, e);
        if (e.side != SIDE_BUY || i % 3 != 0)
            continue;
        for (size_t k = 1; k <= 1 + i % 4; k++) {
            e.sig.b[0] ^= (uint8_t)(k * 37 + 1);
            e.sig.b[9] ^= (uint8_t)k;
            vec_push(&rep, e);
            repeated++;
        }
    }
    struct intel_params p;
    intel_params_default(&p);
    struct intel *a = intel_new(&p, 64);
    p.ledger.separate_lots = true;
    struct intel *b = intel_new(&p, 64);
    for (size_t i = 0; i < rep.len; i++)
        assert_int_equal(intel_apply(a, &rep.v[i]), intel_apply(b, &rep.v[i]));
    same_state(a, b, last_ts());
    struct ledger_mem ma, mb;
    ledger_mem_usage(intel_ledger(a), &ma);
    ledger_mem_usage(intel_ledger(b), &mb);
    print_message("lot runs: %zu swaps (%zu repeated buys); lots %zu bytes vs %zu kept apart\n",
                  rep.len, repeated, (size_t)ma.lot_bytes, (size_t)mb.lot_bytes);
    assert_true(ma.lot_bytes < mb.lot_bytes);
    intel_free(a);
    intel_free(b);
    vec_free(&rep);
}

/* The soak campaign's load (its two real swaps again and again): the
 * engine's intelligence holds the same bytes after 2,000 deliveries of
 * the pair as after 100 (a repeated buy joins its run of lots). */
static void test_soak_load_memory(void **state)
{
    (void)state;
    struct {
        struct event *v;
        size_t len, cap;
    } one = {0};
    soak_events(&one);
    struct intel_params p;
    intel_params_default(&p);
    p.ledger.keep_fills = false; /* the engine's setting */
    struct intel *in = intel_new(&p, 64);
    struct ledger_mem at100 = {0}, at2000;
    size_t swaps = 0;
    for (int n = 1; n <= 2000; n++) {
        for (size_t i = 0; i < one.len; i++)
            if (one.v[i].kind == EVENT_SWAP) {
                struct swap_event e = one.v[i].u.swap;
                e.sig.b[0] = (uint8_t)n; /* a new signature, as soak_load sends */
                e.sig.b[1] = (uint8_t)(n >> 8);
                (void)intel_apply(in, &e);
                swaps++;
            }
        if (n == 100)
            ledger_mem_usage(intel_ledger(in), &at100);
    }
    ledger_mem_usage(intel_ledger(in), &at2000);
    size_t b100 = at100.wallet_bytes + at100.pos_bytes + at100.lot_bytes + at100.trip_bytes +
                  at100.fill_bytes + at100.mint_bytes;
    size_t b2000 = at2000.wallet_bytes + at2000.pos_bytes + at2000.lot_bytes + at2000.trip_bytes +
                   at2000.fill_bytes + at2000.mint_bytes;
    print_message("soak load: %zu swaps; ledger %zu bytes after 100 pairs, %zu after 2000 "
                  "(lots %zu -> %zu)\n",
                  swaps, b100, b2000, at100.lot_bytes, at2000.lot_bytes);
    assert_int_equal(b2000, b100);
    intel_free(in);
    free(one.v);
}

static void same_patterns(const struct patterns_params *pp, const struct ledger_fill *f, size_t n,
                          const struct ledger_trip *t, size_t nt, size_t *found)
{
    struct pattern_list a = {0}, b = {0};
    size_t na = patterns_detect(pp, f, n, t, nt, &a);
    size_t nb = ref_patterns_detect(pp, f, n, t, nt, &b);
    assert_int_equal(na, nb);
    assert_int_equal(a.len, b.len);
    if (a.len)
        assert_memory_equal(a.v, b.v, a.len * sizeof *a.v);
    *found += a.len;
    free(a.v);
    free(b.v);
}

/* The patterns and the median hold time of every wallet of the simulated
 * market are those of the reference (sort-based) implementations. */
static void test_patterns_and_median_match_reference(void **state)
{
    (void)state;
    struct intel *in = intel_new(NULL, 64);
    for (size_t i = 0; i < tape.len; i++)
        intel_apply(in, &tape.v[i]);
    struct intel_params ip;
    intel_params_default(&ip);
    const struct ledger *l = intel_ledger(in);
    size_t found = 0, medians = 0, even = 0;
    for (uint32_t w = 0; w < ledger_wallet_count(l); w++) {
        const struct ledger_wallet *lw = ledger_wallet(l, w);
        same_patterns(&ip.patterns, lw->fills.v, lw->fills.len, lw->trips.v, lw->trips.len, &found);
        struct intel_profile pr;
        intel_profile(in, w, last_ts(), &pr);
        int64_t med = ref_median_hold(lw->trips.v, lw->trips.len);
        assert_int_equal(pr.behaviour.median_hold_ms, med);
        medians += med >= 0;
        size_t known = 0;
        for (size_t i = 0; i < lw->trips.len; i++)
            known += !(lw->trips.v[i].flags & LEDGER_TRIP_UNKNOWN_BASIS);
        even += known > 0 && known % 2 == 0;
    }
    assert_true(found > 1000 && medians > 100 && even > 50);
    intel_free(in);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int cmp_hold(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The known-basis holds of trips, sorted by qsort: what intel_holds must
 * hold. Returns their count; *out is malloc'd. */
static size_t sorted_holds(const struct ledger_trip *t, size_t n, int64_t **out)
{
    int64_t *h = malloc((n ? n : 1) * sizeof *h);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!(t[i].flags & LEDGER_TRIP_UNKNOWN_BASIS))
            h[k++] = t[i].close_ms - t[i].open_ms;
    qsort(h, k, sizeof *h, cmp_hold);
    *out = h;
    return k;
}

/* behaviour_classify_sorted on the qsort'ed holds gives what
 * behaviour_classify gave (b), every field. */
static void same_sorted_classify(const struct behaviour_acc *acc, const struct behaviour_params *bp,
                                 const struct ledger_trip *t, size_t n, const struct metrics *m,
                                 const struct behaviour *b)
{
    int64_t *h;
    size_t k = sorted_holds(t, n, &h);
    struct behaviour c;
    behaviour_classify_sorted(acc, bp, h, k, m, &c);
    assert_memory_equal(&c, b, sizeof c);
    free(h);
}

/* Random fills over mint ids that differ in every byte, with ties in time,
 * value and slot; and random hold times with many repeats, of every count
 * from 1 to 400: the same patterns and medians as the references. */
static void test_random_patterns_and_medians(void **state)
{
    (void)state;
    uint64_t s = 0x1234567887654321ull;
    struct patterns_params pp;
    patterns_params_default(&pp);
    size_t found = 0;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + rnd(&s) % 600, nt = 0;
        struct ledger_fill *f = calloc(n, sizeof *f);
        struct ledger_trip *t = calloc(n, sizeof *t);
        uint32_t mints[12];
        for (int m = 0; m < 12; m++)
            mints[m] = (uint32_t)rnd(&s) & (round % 3 ? 0xffffffffu : 0x3ffu);
        int64_t ts = 1700000000000;
        for (size_t i = 0; i < n; i++) {
            ts += (int64_t)(rnd(&s) % 4 == 0 ? 0 : rnd(&s) % 900000);
            f[i].ts_ms = ts;
            f[i].slot = (uint64_t)(ts / 400) + rnd(&s) % 2;
            f[i].mint = mints[rnd(&s) % (1 + (size_t)round % 12)];
            f[i].side = rnd(&s) % 2 ? SIDE_BUY : SIDE_SELL;
            f[i].qty = 1000 + rnd(&s) % 60;
            f[i].value_sol = rnd(&s) % 7 == 0 ? 0 : (double)(1 + rnd(&s) % 8) * 0.25;
            f[i].fee_sol = 0.000005;
            f[i].source = (uint8_t)(rnd(&s) % 3);
            f[i].trip = LEDGER_NONE;
            if (rnd(&s) % 5 == 0)
                f[i].flags |= LEDGER_FILL_FEE_SHARED;
            if (f[i].side == SIDE_SELL && rnd(&s) % 3 == 0) {
                f[i].flags |= LEDGER_FILL_CLOSED;
                f[i].trip = (uint32_t)nt;
                t[nt].pnl_sol = (double)(rnd(&s) % 100) - 50;
                t[nt].cost_sol = (double)(rnd(&s) % 10);
                t[nt].open_ms = ts - (int64_t)(rnd(&s) % (round % 2 ? 5 : 5000000));
                t[nt].close_ms = ts;
                t[nt].flags = rnd(&s) % 9 == 0 ? LEDGER_TRIP_UNKNOWN_BASIS : 0;
                nt++;
            }
        }
        same_patterns(&pp, f, n, t, nt, &found);
        struct behaviour_params bp;
        struct intel_params ip;
        intel_params_default(&ip);
        bp = ip.behaviour;
        struct behaviour_acc acc;
        behaviour_acc_init(&acc);
        struct metrics m = {0};
        struct behaviour b;
        behaviour_classify(&acc, &bp, t, nt, &m, &b);
        assert_int_equal(b.median_hold_ms, ref_median_hold(t, nt));
        same_sorted_classify(&acc, &bp, t, nt, &m, &b);
        free(f);
        free(t);
    }
    assert_true(found > 500);
    for (size_t k = 1; k <= 400; k++) {
        struct ledger_trip *t = calloc(k, sizeof *t);
        for (size_t i = 0; i < k; i++) {
            t[i].close_ms = (int64_t)(rnd(&s) % (k % 3 == 0 ? 4 : 100000));
            t[i].open_ms = k % 5 == 0 ? (int64_t)i : 0; /* some with a trend */
        }
        struct intel_params ip;
        intel_params_default(&ip);
        struct behaviour_acc acc;
        behaviour_acc_init(&acc);
        struct metrics m = {0};
        struct behaviour b;
        behaviour_classify(&acc, &ip.behaviour, t, k, &m, &b);
        assert_int_equal(b.median_hold_ms, ref_median_hold(t, k));
        same_sorted_classify(&acc, &ip.behaviour, t, k, &m, &b);
        free(t);
    }
}

/* One recompute through a batch on `threads` flush threads, flushed every
 * `every` adds (0: once at the end), after intel_apply of tape[0, pre);
 * chunk > 0: the batch also flushes in the background every chunk adds. */
static struct intel *recompute_chunked(unsigned threads, bool fills, size_t pre, size_t every,
                                       size_t chunk)
{
    struct intel_params p;
    intel_params_default(&p);
    p.ledger.keep_fills = fills;
    p.ledger.batch_threads = threads;
    struct intel *in = intel_new(&p, 1);
    for (size_t i = 0; i < pre; i++)
        intel_apply(in, &tape.v[i]);
    struct intel_batch *ib = intel_batch_new(in);
    if (chunk)
        intel_batch_set_chunk(ib, chunk);
    for (size_t i = pre; i < tape.len; i++) {
        intel_batch_add(ib, &tape.v[i], NULL);
        if (every && (i - pre) % every == every - 1)
            intel_batch_flush(ib);
    }
    intel_batch_free(ib);
    return in;
}

static struct intel *recompute_on(unsigned threads, bool fills, size_t pre, size_t every)
{
    return recompute_chunked(threads, fills, pre, every, 0);
}

/* Flushes running in the background while the next swaps are added (small
 * chunks, so new wallets and mints keep arriving during them and the adds
 * must wait before the vectors grow): the same state as intel_apply, on 1
 * and 2 flush threads, from empty and on a state that holds a third of
 * the tape, with and without fills; the refusals are the same. */
static void test_background_flush_equals_apply(void **state)
{
    (void)state;
    struct intel *a = intel_new(NULL, 64);
    size_t refused = 0;
    for (size_t i = 0; i < tape.len; i++)
        refused += intel_apply(a, &tape.v[i]) != 0;
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct intel *p = recompute_chunked(threads, true, 0, 0, 997);
        same_state(a, p, last_ts());
        intel_free(p);
        p = recompute_chunked(threads, true, tape.len / 3, 5003, 1499);
        same_state(a, p, last_ts());
        intel_free(p);
    }
    struct intel *s0 = recompute_on(1, false, 0, 0), *p0 = recompute_chunked(2, false, 0, 0, 601);
    same_state(s0, p0, last_ts());
    intel_free(s0);
    intel_free(p0);
    /* refusals while a flush runs: out of order against a swap in flight */
    struct intel *r = intel_new(NULL, 64);
    struct intel_batch *ib = intel_batch_new(r);
    intel_batch_set_chunk(ib, 499);
    size_t r_refused = 0;
    for (size_t i = 0; i < tape.len; i++)
        r_refused += intel_batch_add(ib, &tape.v[i], NULL) != 0;
    intel_batch_free(ib);
    assert_int_equal(r_refused, refused);
    same_state(a, r, last_ts());
    intel_free(r);
    intel_free(a);
}

/* The flush on several threads (wallets split between them, positions and
 * trip slots taken from shared reserved ranges) leaves the state of the
 * one-thread flush and of intel_apply, bit for bit: whole tape at once,
 * flushed every 3001 swaps onto a state that already holds a third of the
 * tape (slots freed by one flush's threads reused by the next's), and
 * without fills. */
static void test_parallel_flush_equals_serial(void **state)
{
    (void)state;
    struct intel *serial = recompute_on(1, true, 0, 0);
    assert_int_equal(ledger_parallel_flushes(intel_ledger(serial)), 0);
    struct intel *a = intel_new(NULL, 64);
    for (size_t i = 0; i < tape.len; i++)
        intel_apply(a, &tape.v[i]);
    for (unsigned threads = 2; threads <= 3; threads++) {
        struct intel *par = recompute_on(threads, true, 0, 0);
        assert_int_equal(ledger_parallel_flushes(intel_ledger(par)), 1);
        same_state(serial, par, last_ts());
        same_state(a, par, last_ts());
        intel_free(par);
        par = recompute_on(threads, true, tape.len / 3, 3001);
        assert_true(ledger_parallel_flushes(intel_ledger(par)) >= 4);
        same_state(a, par, last_ts());
        intel_free(par);
    }
    struct intel *s0 = recompute_on(1, false, 0, 0), *p0 = recompute_on(2, false, 0, 5003);
    assert_true(ledger_parallel_flushes(intel_ledger(p0)) >= 2);
    same_state(s0, p0, last_ts());
    intel_free(s0);
    intel_free(p0);
    intel_free(a);
    intel_free(serial);
}

/* ledger_pos_at (the score rebuild's walk, from the wallet's array of
 * position ids, reading ahead) against ledger_pos_next (the linked list),
 * and the rebuild's sums against the plain loop over ledger_pos_next: the
 * same views in the same order, bit for bit. A closed position's view is
 * what the full conversion gives: +0 held and cost, value 0 * the price. */
static void same_walks(const struct intel *in, int64_t now_ms)
{
    const struct ledger *l = intel_ledger((struct intel *)in);
    size_t n_closed = 0, n_open = 0;
    for (uint32_t w = 0; w < ledger_wallet_count(l); w++) {
        uint32_t n = ledger_wallet(l, w)->n_pos, i = 0;
        struct metrics_timing t = {0};
        uint32_t n_peak = 0, open = 0;
        double unrealized = 0;
        int64_t as_of = 0;
        struct ledger_position u, v;
        for (uint32_t c = ledger_pos_next(l, w, LEDGER_NONE, &u); c != LEDGER_NONE;
             c = ledger_pos_next(l, w, c, &u), i++) {
            assert_true(i < n);
            ledger_pos_at(l, w, i, &v);
            assert_memory_equal(&u, &v, sizeof u); /* memset before filled */
            const struct ledger_mint *m = ledger_mint(l, u.mint);
            if (!u.open) {
                double zero = 0, value = zero * m->last_price_sol;
                assert_memory_equal(&u.qty_tokens, &zero, sizeof zero);
                assert_memory_equal(&u.cost_sol, &zero, sizeof zero);
                assert_memory_equal(&u.value_sol, &value, sizeof value);
                assert_memory_equal(&u.unrealized_sol, &zero, sizeof zero);
                assert_false(u.unknown_cost);
                n_closed++;
            } else {
                n_open++;
            }
            metrics_timing_add(&t, &n_peak, &u, m);
            if (u.open && !u.unknown_cost && u.qty_tokens > 0) {
                unrealized += u.unrealized_sol;
                open++;
                if (as_of == 0 || m->last_price_ms < as_of)
                    as_of = m->last_price_ms;
            }
        }
        assert_int_equal(i, n);
        metrics_timing_finish(&t, n_peak);
        struct intel_profile pr;
        intel_score(in, w, now_ms, &pr);
        assert_memory_equal(&pr.timing, &t, sizeof t);
        SAME(pr.unrealized_sol, unrealized);
        assert_int_equal(pr.open_positions, open);
        SAME(pr.unrealized_as_of_ms, as_of);
    }
    assert_true(n_closed > 1000 && n_open > 100); /* the market has both */
}

static void test_position_walks_match_list(void **state)
{
    (void)state;
    struct intel *a = intel_new(NULL, 64);
    for (size_t i = 0; i < tape.len; i++)
        intel_apply(a, &tape.v[i]);
    same_walks(a, last_ts());
    assert_true(ledger_ok(intel_ledger(a)));
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct intel *r = recompute_on(threads, true, tape.len / 3, 3001);
        same_walks(r, last_ts());
        assert_true(ledger_ok(intel_ledger(r)));
        intel_free(r);
    }
    intel_free(a);
}

/* intel_score_holds (the engine's rebuild: the holds kept sorted between
 * calls, one intel_holds per wallet) against intel_score (a selection over
 * all the round trips) on the simulated market, asked at seven points of
 * the tape so each wallet's holds take in new round trips between calls:
 * the same profile, bit for bit, and the holds the qsort'ed round trips. */
static void test_score_holds_match_selection(void **state)
{
    (void)state;
    struct intel *a = intel_new(NULL, 64);
    size_t cap = 4096, compared = 0, median_seen = 0;
    struct intel_holds *h = calloc(cap, sizeof *h);
    const struct ledger *l = intel_ledger(a);
    for (size_t i = 0, next = tape.len / 7; i < tape.len; i++) {
        intel_apply(a, &tape.v[i]);
        if (i + 1 != next && i + 1 != tape.len)
            continue;
        next += tape.len / 7;
        uint32_t nw = ledger_wallet_count(l);
        assert_true(nw <= cap);
        for (uint32_t w = 0; w < nw; w++) {
            struct intel_profile x, y;
            intel_score(a, w, tape.v[i].ts_ms, &x);
            intel_score_holds(a, w, tape.v[i].ts_ms, &h[w], &y);
            assert_memory_equal(&x, &y, sizeof x);
            const struct ledger_wallet *lw = ledger_wallet(l, w);
            int64_t *ref;
            size_t k = sorted_holds(lw->trips.v, lw->trips.len, &ref);
            assert_int_equal(h[w].sorted.len, k);
            assert_int_equal(h[w].trips, lw->trips.len);
            if (k)
                assert_memory_equal(h[w].sorted.v, ref, k * sizeof *ref);
            free(ref);
            compared++;
            median_seen += k > 1;
        }
    }
    assert_true(compared > 3000 && median_seen > 300);
    for (size_t w = 0; w < cap; w++)
        intel_holds_free(&h[w]);
    free(h);
    intel_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recompute_equals_apply),
        cmocka_unit_test(test_batch_flushes_on_existing_state),
        cmocka_unit_test(test_recompute_without_fills),
        cmocka_unit_test(test_lot_runs_change_nothing),
        cmocka_unit_test(test_soak_load_memory),
        cmocka_unit_test(test_parallel_flush_equals_serial),
        cmocka_unit_test(test_background_flush_equals_apply),
        cmocka_unit_test(test_patterns_and_median_match_reference),
        cmocka_unit_test(test_random_patterns_and_medians),
        cmocka_unit_test(test_position_walks_match_list),
        cmocka_unit_test(test_score_holds_match_selection),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
