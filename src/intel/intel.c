/* The engine's wallet-intelligence state: one ledger and, per wallet, the
 * running accumulators of metrics, behaviour and decay.
 *
 * Why a separate module: the ledger only pairs buys with sells; the engine
 * also needs every wallet's metrics and score current after each swap. This
 * module feeds each applied fill into the behaviour accumulator and each
 * closed round trip into the metrics accumulator and the decay window, so
 * the per-swap cost stays O(1), and assembles a full profile on demand. */
#include "intel/intel.h"

#include <string.h>

#include "base/mem.h"
#include "base/par.h"
#include "base/vec.h"

struct intel {
    struct intel_params p;
    struct ledger *l;
    VEC(struct intel_wallet) w;
};

void intel_params_default(struct intel_params *p)
{
    ledger_params_default(&p->ledger);
    metrics_params_default(&p->metrics);
    behaviour_params_default(&p->behaviour);
    score_params_default(&p->score);
    patterns_params_default(&p->patterns);
}

struct intel *intel_new(const struct intel_params *p, uint32_t wallets)
{
    struct intel *in = xcalloc(1, sizeof *in);
    if (p)
        in->p = *p;
    else
        intel_params_default(&in->p);
    in->l = ledger_new(&in->p.ledger, wallets);
    vec_reserve(&in->w, wallets);
    return in;
}

void intel_free(struct intel *in)
{
    if (!in)
        return;
    ledger_free(in->l);
    vec_free(&in->w);
    free(in);
}

/* Makes the running state of wallets [0, n) exist. */
static void grow_wallets(struct intel *in, size_t n)
{
    while (in->w.len < n) {
        struct intel_wallet *nw = vec_push_zero(&in->w);
        metrics_acc_init(&nw->metrics);
        behaviour_acc_init(&nw->behaviour);
        score_decay_init(&nw->decay);
    }
}

/* Feeds one applied fill into its wallet's running state. Writes only
 * that wallet's state (a batch flush calls it from several threads) once
 * grow_wallets covered the wallet. */
static void feed(struct intel *in, const struct ledger_fill *f)
{
    grow_wallets(in, (size_t)f->wallet + 1);
    struct intel_wallet *w = &in->w.v[f->wallet];
    behaviour_acc_add(&w->behaviour, &in->p.behaviour, f, ledger_mint(in->l, f->mint));
    if (f->side == SIDE_SELL)
        metrics_acc_realize(&w->metrics, f->realized_sol);
    if (f->flags & LEDGER_FILL_CLOSED) {
        const struct ledger_trip *t = &ledger_wallet(in->l, f->wallet)->trips.v[f->trip];
        metrics_acc_add(&w->metrics, t);
        score_decay_add(&w->decay, &in->p.score, t);
    }
}

int intel_apply(struct intel *in, const struct swap_event *ev)
{
    struct ledger_fill f;
    int rc = ledger_apply(in->l, ev, &f);
    if (rc)
        return rc;
    feed(in, &f);
    return 0;
}

int intel_observe(struct intel *in, const struct swap_event *ev, bool first_buy)
{
    return ledger_observe(in->l, ev, first_buy);
}

/* A batch over a ledger batch, flushed every BATCH_CHUNK swaps: large
 * enough that each wallet has many swaps per flush (its state is loaded
 * once for all of them), small enough to bound the pending copy. 1 M
 * swaps (~100 per wallet at 10,000 wallets): 2 M and 8 M were no faster
 * in bench_intel and cost 90 and 620 MB more peak memory. */
#define BATCH_CHUNK (1u << 20)

struct intel_batch {
    struct intel *in;
    struct ledger_batch *lb;
    size_t chunk; /* adds between flushes */
};

static void on_fill(void *ctx, const struct ledger_fill *f)
{
    feed(ctx, f);
}

struct intel_batch *intel_batch_new(struct intel *in)
{
    struct intel_batch *b = xcalloc(1, sizeof *b);
    b->in = in;
    b->lb = ledger_batch_new(in->l);
    b->chunk = BATCH_CHUNK;
    return b;
}

void intel_batch_set_chunk(struct intel_batch *b, size_t swaps)
{
    b->chunk = swaps ? swaps : 1;
}

/* Every chunk, the pending swaps are applied in the background while the
 * next ones are added (ledger_batch_flush_start): the tape-order part of
 * an add and the per-wallet part of a flush overlap. feed touches only
 * in->w, which the adds never do; it is grown for the flush's wallets
 * before the flush starts, once the previous one is done. */
int intel_batch_add(struct intel_batch *b, const struct swap_event *ev, double *price)
{
    int rc = ledger_batch_add(b->lb, ev, price);
    if (rc == 0 && ledger_batch_pending(b->lb) >= b->chunk) {
        ledger_batch_wait(b->lb);
        grow_wallets(b->in, ledger_wallet_count(b->in->l));
        ledger_batch_flush_start(b->lb, on_fill, b->in);
    }
    return rc;
}

void intel_batch_flush(struct intel_batch *b)
{
    /* Every wallet of the batch is interned by now: their running state
     * exists before the flush's threads feed it. */
    ledger_batch_wait(b->lb);
    grow_wallets(b->in, ledger_wallet_count(b->in->l));
    ledger_batch_flush(b->lb, on_fill, b->in);
}

void intel_batch_free(struct intel_batch *b)
{
    if (!b)
        return;
    intel_batch_flush(b);
    ledger_batch_free(b->lb);
    free(b);
}

size_t intel_recompute(struct intel *in, const struct swap_event *ev, size_t n)
{
    struct intel_batch *b = intel_batch_new(in);
    size_t refused = 0;
    for (size_t i = 0; i < n; i++)
        refused += intel_batch_add(b, &ev[i], NULL) != 0;
    intel_batch_free(b);
    return refused;
}

struct ledger *intel_ledger(struct intel *in)
{
    return in->l;
}

const struct intel_wallet *intel_wallet(const struct intel *in, uint32_t wallet)
{
    return wallet < in->w.len ? &in->w.v[wallet] : NULL;
}

/* Takes the round trips closed since the last call into h's sorted
 * holds (insertion: a trip's hold goes after the equal ones). */
static void holds_update(struct intel_holds *h, const struct ledger_wallet *lw)
{
    if (h->trips > lw->trips.len) { /* not this wallet's: start over */
        h->sorted.len = 0;
        h->trips = 0;
    }
    for (; h->trips < lw->trips.len; h->trips++) {
        const struct ledger_trip *t = &lw->trips.v[h->trips];
        if (t->flags & LEDGER_TRIP_UNKNOWN_BASIS)
            continue;
        int64_t x = t->close_ms - t->open_ms;
        size_t lo = 0, hi = h->sorted.len;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (h->sorted.v[mid] <= x)
                lo = mid + 1;
            else
                hi = mid;
        }
        vec_reserve(&h->sorted, h->sorted.len + 1);
        memmove(h->sorted.v + lo + 1, h->sorted.v + lo, (h->sorted.len - lo) * sizeof x);
        h->sorted.v[lo] = x;
        h->sorted.len++;
    }
}

void intel_holds_free(struct intel_holds *h)
{
    vec_free(&h->sorted);
    h->trips = 0;
}

/* full: with the top tokens and the decay reason (intel_score leaves
 * them out); holds: the wallet's sorted holds, or NULL to select the
 * median from its round trips. */
static void profile(const struct intel *in, uint32_t wallet, int64_t now_ms,
                    struct intel_profile *out, bool full, struct intel_holds *holds)
{
    memset(out, 0, sizeof *out);
    out->wallet = wallet;
    for (int i = 0; i < INTEL_TOP_TOKENS; i++)
        out->top_tokens[i] = LEDGER_NONE;
    out->top_source = "";
    if (wallet >= in->w.len)
        return;
    const struct intel_wallet *iw = &in->w.v[wallet];
    const struct ledger_wallet *lw = ledger_wallet(in->l, wallet);
    metrics_acc_finish(&iw->metrics, &in->p.metrics, &out->metrics);
    if (holds) {
        holds_update(holds, lw);
        behaviour_classify_sorted(&iw->behaviour, &in->p.behaviour, holds->sorted.v,
                                  holds->sorted.len, &out->metrics, &out->behaviour);
    } else {
        behaviour_classify(&iw->behaviour, &in->p.behaviour, lw->trips.v, lw->trips.len,
                           &out->metrics, &out->behaviour);
    }
    out->decay = iw->decay;
    out->realized_sol = lw->realized_sol;
    out->unrealized_sol = 0;
    out->swaps = lw->n_swaps;
    out->unknown_basis_sells = lw->n_unknown_sells;
    out->first_seen_ms = lw->first_ms;
    out->last_trade_ms = lw->last_ms;
    out->top_source =
        iw->behaviour.first_buys ? ledger_source_name(in->l, out->behaviour.top_source) : "";
    /* One pass over the positions: entry timing (metrics_timing), open
     * positions marked at their mint's last price (the stalest of those
     * prices dates the mark), and the top tokens by SOL bought, ties to
     * the earlier first buy, then to the lower mint address
     * (docs/metrics.md). */
    uint32_t n_peak = 0;
    double best[INTEL_TOP_TOKENS] = {0};
    int64_t best_first[INTEL_TOP_TOKENS] = {0};
    struct ledger_position v;
    for (uint32_t pi = 0; pi < lw->n_pos; pi++) {
        ledger_pos_at(in->l, wallet, pi, &v);
        const struct ledger_mint *m = ledger_mint(in->l, v.mint);
        metrics_timing_add(&out->timing, &n_peak, &v, m);
        if (v.open && !v.unknown_cost && v.qty_tokens > 0) {
            out->unrealized_sol += v.unrealized_sol;
            out->open_positions++;
            if (out->unrealized_as_of_ms == 0 || m->last_price_ms < out->unrealized_as_of_ms)
                out->unrealized_as_of_ms = m->last_price_ms;
        }
        if (!full || v.bought_sol <= 0)
            continue;
        for (int i = 0; i < INTEL_TOP_TOKENS; i++) {
            bool before = out->top_tokens[i] == LEDGER_NONE || v.bought_sol > best[i];
            if (!before && v.bought_sol == best[i])
                before = v.first_buy_ms < best_first[i] ||
                         (v.first_buy_ms == best_first[i] &&
                          memcmp(ledger_mint_key(in->l, v.mint),
                                 ledger_mint_key(in->l, out->top_tokens[i]), 32) < 0);
            if (before) {
                for (int k = INTEL_TOP_TOKENS - 1; k > i; k--) {
                    best[k] = best[k - 1];
                    best_first[k] = best_first[k - 1];
                    out->top_tokens[k] = out->top_tokens[k - 1];
                }
                best[i] = v.bought_sol;
                best_first[i] = v.first_buy_ms;
                out->top_tokens[i] = v.mint;
                break;
            }
        }
    }
    metrics_timing_finish(&out->timing, n_peak);
    out->total_pnl_sol = out->realized_sol + out->unrealized_sol;
    out->spent_sol = lw->buy_volume_sol;
    out->roi = out->spent_sol > 0 ? out->total_pnl_sol / out->spent_sol : 0;
    /* The score reads the wallet's ROI (open positions marked), not the
     * closed round trips' alone. */
    struct metrics sm = out->metrics;
    sm.roi = out->roi;
    score_compute(&in->p.score, &sm, &out->timing, &out->behaviour, &iw->decay, now_ms,
                  &out->score);
    if (full)
        score_decay_reason(&iw->decay, &in->p.score, now_ms, out->decay_reason,
                           sizeof out->decay_reason);
}

void intel_profile(const struct intel *in, uint32_t wallet, int64_t now_ms,
                   struct intel_profile *out)
{
    profile(in, wallet, now_ms, out, true, NULL);
}

void intel_score(const struct intel *in, uint32_t wallet, int64_t now_ms, struct intel_profile *out)
{
    profile(in, wallet, now_ms, out, false, NULL);
}

void intel_score_holds(const struct intel *in, uint32_t wallet, int64_t now_ms,
                       struct intel_holds *h, struct intel_profile *out)
{
    profile(in, wallet, now_ms, out, false, h);
}

size_t intel_patterns(const struct intel *in, uint32_t wallet, struct pattern_list *out)
{
    if (wallet >= ledger_wallet_count(in->l))
        return 0;
    const struct ledger_wallet *lw = ledger_wallet(in->l, wallet);
    return patterns_detect(&in->p.patterns, lw->fills.v, lw->fills.len, lw->trips.v, lw->trips.len,
                           out);
}

/* A call of intel_wallet_parts: the ranges and the caller's function. */
struct wallet_parts {
    uint32_t cut[PAR_MAX + 1];
    void (*fn)(void *ctx, unsigned part, uint32_t w0, uint32_t w1);
    void *ctx;
};

static void wallet_part(void *ctx, unsigned part)
{
    struct wallet_parts *wp = ctx;
    wp->fn(wp->ctx, part, wp->cut[part], wp->cut[part + 1]);
}

void intel_wallet_parts(const struct intel *in, unsigned parts,
                        void (*fn)(void *ctx, unsigned part, uint32_t w0, uint32_t w1), void *ctx)
{
    if (parts == 0)
        parts = 1;
    if (parts > PAR_MAX)
        parts = PAR_MAX;
    uint32_t nw = ledger_wallet_count(in->l);
    uint64_t total = 0, sum = 0;
    for (uint32_t w = 0; w < nw; w++)
        total += ledger_wallet(in->l, w)->n_swaps;
    struct wallet_parts wp = {.fn = fn, .ctx = ctx};
    uint32_t w = 0;
    for (unsigned i = 1; i < parts;
         i++) { /* part i starts at the wallet past i/parts of the swaps */
        while (w < nw && sum < total * i / parts)
            sum += ledger_wallet(in->l, w++)->n_swaps;
        wp.cut[i] = w;
    }
    wp.cut[parts] = nw;
    par_run(parts, wallet_part, &wp);
}
