/* Wallet discovery (see discovery.h).
 *
 * Why this shape: a wallet is worth following when it repeatedly gets into
 * tokens that go on to succeed, early, and gets out with a profit, and when
 * its whole record (the smart-money score) backs that up. Three kinds of
 * wallets pass that test without being worth copying, and each has a
 * behavioural signature that does not need any ground truth:
 *   - bots and snipers buy in the launch slot or within seconds of it, with
 *     uniform sizes, round the clock (the behaviour module's bot score);
 *   - copy-traders mirror one wallet's buys a few seconds after it, token
 *     after token (measured here: the share of a wallet's buys that follow
 *     the same other wallet's buy of the same token);
 *   - baiters and pump scalpers buy, draw the crowd in, and dump within
 *     minutes (the share of round trips shorter than a few minutes).
 * The rest are ranked by score and the top K become the algorithm's
 * watchlist. docs/intelligence.md lists the parameters and what was tuned. */
#include "intel/discovery.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "intel/copier.h"
#include "intel/crawl.h"
#include "intel/model.h"
#include "solana/pubkey.h"

void discovery_params_default(struct discovery_params *p)
{
    memset(p, 0, sizeof *p);
    p->min_multiple = 10;
    p->min_mcap_sol = 0;
    p->default_supply = 1e9; /* pump.fun mints 1,000,000,000 tokens */
    p->early_buyers = 50;
    p->early_ms = 0;
    p->lookback_ms = 0;
    p->min_hits = 1;
    p->min_trades = 3;
    p->min_score = 40;
    p->max_bot = 0.25;
    p->max_follow = 0.4;
    p->max_scalp_share = 0.5;
    p->scalp_ms = 5 * MS_PER_MINUTE;
    p->max_entry_ms = 30 * MS_PER_MINUTE;
    p->selection_weight = 50;
    p->follow_min_ms = 1000;
    p->follow_max_ms = 45000;
    p->follow_after_launch_ms = 10000;
    p->follow_min_buys = 3;
    p->top_k = 50;
    p->score_mode = SCORE_RULES;
    p->blend_weight = 0.5;
}

const char *score_mode_name(enum score_mode m)
{
    return m == SCORE_MODEL ? "model" : m == SCORE_BLEND ? "blend" : "rules";
}

void discovery_params_from_config(const struct config *cfg, struct discovery_params *p)
{
    discovery_params_default(p);
    p->min_multiple = config_double(cfg, CFG_DISC_MIN_MULTIPLE);
    p->min_mcap_sol = config_double(cfg, CFG_DISC_MIN_MCAP_SOL);
    p->early_buyers = (uint32_t)config_int(cfg, CFG_DISC_EARLY_BUYERS);
    p->early_ms = config_int(cfg, CFG_DISC_EARLY_MINUTES) * MS_PER_MINUTE;
    p->lookback_ms = config_int(cfg, CFG_DISC_LOOKBACK_HOURS) * 60 * MS_PER_MINUTE;
    p->min_hits = (uint32_t)config_int(cfg, CFG_DISC_MIN_HITS);
    p->min_trades = (uint32_t)config_int(cfg, CFG_DISC_MIN_TRADES);
    p->min_score = config_double(cfg, CFG_DISC_MIN_SCORE);
    p->max_bot = config_double(cfg, CFG_DISC_MAX_BOT);
    p->max_follow = config_double(cfg, CFG_DISC_MAX_FOLLOW);
    p->max_scalp_share = config_double(cfg, CFG_DISC_MAX_SCALP_SHARE);
    p->max_entry_ms = config_int(cfg, CFG_DISC_MAX_ENTRY_MINUTES) * MS_PER_MINUTE;
    p->top_k = (uint32_t)config_int(cfg, CFG_DISC_TOP_K);
    const char *mode = config_str(cfg, CFG_SCORE_MODE); /* a choice: checked on the way in */
    p->score_mode = strcmp(mode, "model") == 0   ? SCORE_MODEL
                    : strcmp(mode, "blend") == 0 ? SCORE_BLEND
                                                 : SCORE_RULES;
    p->blend_weight = config_double(cfg, CFG_SCORE_BLEND_WEIGHT);
    str_copy(p->model_file, sizeof p->model_file, config_str(cfg, CFG_SCORE_MODEL_FILE));
    str_copy(p->data_dir, sizeof p->data_dir, config_str(cfg, CFG_DATA_DIR));
}

const char *discovery_excl_name(enum discovery_excl e)
{
    switch (e) {
    case DISC_OK:
        return "";
    case DISC_FEW_HITS:
        return "few_hits";
    case DISC_FEW_TRADES:
        return "few_trades";
    case DISC_LOW_SCORE:
        return "low_score";
    case DISC_BOT:
        return "bot";
    case DISC_FOLLOWER:
        return "copy_trader";
    case DISC_SCALPER:
        return "scalper";
    case DISC_LATE:
        return "late_buyer";
    case DISC_DECAY:
        return "decay_flagged";
    }
    return "unknown";
}

/* ------------------------------------------------------------ find */

/* A first buy of a token, for the copy-trading test. */
struct first_buy {
    int64_t ts_ms;
    uint32_t wallet;
};

static int cmp_first_buy(const void *a, const void *b)
{
    const struct first_buy *x = a, *y = b;
    if (x->ts_ms != y->ts_ms)
        return x->ts_ms < y->ts_ms ? -1 : 1;
    return (x->wallet > y->wallet) - (x->wallet < y->wallet);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Eligible first, by rank descending; ties and the rest by address. */
static int cmp_candidate(const void *a, const void *b)
{
    const struct discovery_candidate *x = a, *y = b;
    bool ex = x->excl == DISC_OK, ey = y->excl == DISC_OK;
    if (ex != ey)
        return ex ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank > y->rank ? -1 : 1;
    return strcmp(x->address, y->address);
}

/* First buys by mint in CSR form: buys of mint m are fb[off[m] .. off[m+1]),
 * in time order. */
struct buys_index {
    uint32_t *off;
    struct first_buy *fb;
};

static void index_first_buys(const struct ledger *l, struct buys_index *ix)
{
    uint32_t nm = ledger_mint_count(l), nw = ledger_wallet_count(l);
    ix->off = xcalloc((size_t)nm + 1, sizeof *ix->off);
    for (uint32_t w = 0; w < nw; w++) {
        const struct ledger_wallet *lw = ledger_wallet(l, w);
        for (size_t i = 0; i < lw->fills.len; i++)
            if (lw->fills.v[i].flags & LEDGER_FILL_FIRST_BUY)
                ix->off[lw->fills.v[i].mint + 1]++;
    }
    for (uint32_t m = 0; m < nm; m++)
        ix->off[m + 1] += ix->off[m];
    ix->fb = xmalloc(((size_t)ix->off[nm] + 1) * sizeof *ix->fb);
    uint32_t *pos = xmalloc(((size_t)nm + 1) * sizeof *pos);
    memcpy(pos, ix->off, ((size_t)nm + 1) * sizeof *pos);
    for (uint32_t w = 0; w < nw; w++) {
        const struct ledger_wallet *lw = ledger_wallet(l, w);
        for (size_t i = 0; i < lw->fills.len; i++) {
            const struct ledger_fill *f = &lw->fills.v[i];
            if (f->flags & LEDGER_FILL_FIRST_BUY)
                ix->fb[pos[f->mint]++] = (struct first_buy){f->ts_ms, w};
        }
    }
    free(pos);
    for (uint32_t m = 0; m < nm; m++)
        if (ix->off[m + 1] - ix->off[m] > 1)
            qsort(ix->fb + ix->off[m], ix->off[m + 1] - ix->off[m], sizeof *ix->fb, cmp_first_buy);
}

/* Share of w's (judged) first buys that mirror the single wallet it
 * follows most. */
static double follow_share(const struct ledger *l, const struct buys_index *ix,
                           const struct discovery_params *p, uint32_t w, uint32_t *scratch)
{
    const struct ledger_wallet *lw = ledger_wallet(l, w);
    uint32_t buys = 0;
    size_t n = 0;
    for (size_t i = 0; i < lw->fills.len; i++) {
        const struct ledger_fill *f = &lw->fills.v[i];
        if (!(f->flags & LEDGER_FILL_FIRST_BUY))
            continue;
        buys++;
        const struct ledger_mint *m = ledger_mint(l, f->mint);
        const struct first_buy *b = ix->fb + ix->off[f->mint];
        size_t nb = ix->off[f->mint + 1] - ix->off[f->mint];
        size_t start = n;
        for (size_t k = 0; k < nb; k++) {
            int64_t gap = f->ts_ms - b[k].ts_ms;
            if (gap < p->follow_min_ms)
                break; /* time order: the rest are later */
            if (gap > p->follow_max_ms || b[k].wallet == w ||
                b[k].ts_ms - m->launch_ms < p->follow_after_launch_ms)
                continue;
            /* each leader once per token */
            bool seen = false;
            for (size_t j = start; j < n; j++)
                if (scratch[j] == b[k].wallet)
                    seen = true;
            if (!seen && n < 4096)
                scratch[n++] = b[k].wallet;
        }
    }
    if (buys < p->follow_min_buys || n == 0)
        return 0;
    qsort(scratch, n, sizeof *scratch, cmp_u32);
    size_t best = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && scratch[j] == scratch[i])
            j++;
        if (j - i > best)
            best = j - i;
        i = j;
    }
    return (double)best / buys;
}

struct pred_idx {
    float pred;
    uint32_t i;
};

static int cmp_pred(const void *a, const void *b)
{
    const struct pred_idx *x = a, *y = b;
    if (x->pred != y->pred)
        return x->pred < y->pred ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The model's prediction for every candidate (features: intel/model.h, the
 * copier expectancy so far with the default copier parameters, as in
 * training) and its percentile among them: model_ev and model_score.
 * Returns false when the prediction failed (the rules stay). */
static bool model_rank(const struct profile_state *ps, const struct discovery_params *p,
                       int64_t now_ms, struct discovery_result *out)
{
    size_t n = out->c.len;
    if (n == 0)
        return true;
    const struct ledger *l = intel_ledger(ps->in);
    struct copier_params cp;
    copier_params_default(&cp);
    struct copier_market *cm = copier_market_build(l);
    struct copier_scratch *cs = copier_scratch_new(l);
    float *x = xmalloc(n * MODEL_NFEAT * sizeof *x), *pred = xmalloc(n * sizeof *pred);
    struct intel_profile pr;
    for (size_t i = 0; i < n; i++) {
        struct copier_result past;
        intel_profile(ps->in, out->c.v[i].wallet, now_ms, &pr);
        copier_wallet(&cp, cm, l, out->c.v[i].wallet, cs, &past);
        model_features(&pr, past.ev_sol, x + i * MODEL_NFEAT);
    }
    copier_scratch_free(cs);
    copier_market_free(cm);
    bool ok = model_predict(p->model, x, n, pred) == 0;
    if (ok) {
        struct pred_idx *o = xmalloc(n * sizeof *o);
        for (size_t i = 0; i < n; i++)
            o[i] = (struct pred_idx){isfinite(pred[i]) ? pred[i] : -INFINITY, (uint32_t)i};
        qsort(o, n, sizeof *o, cmp_pred);
        /* equal predictions share the lowest percentile of their run */
        for (size_t k = 0; k < n;) {
            size_t j = k;
            while (j < n && o[j].pred == o[k].pred)
                j++;
            for (size_t q = k; q < j; q++) {
                struct discovery_candidate *c = &out->c.v[o[q].i];
                c->model_ev = pred[o[q].i];
                c->model_score = n > 1 ? 100.0 * (double)k / (double)(n - 1) : 100.0;
            }
            k = j;
        }
        free(o);
    }
    free(x);
    free(pred);
    return ok;
}

int discovery_find(const struct profile_state *ps, const struct discovery_params *p, int64_t now_ms,
                   struct discovery_result *out)
{
    memset(out, 0, sizeof *out);
    out->now_ms = now_ms;
    const struct ledger *l = intel_ledger(ps->in);
    uint32_t nm = ledger_mint_count(l), nw = ledger_wallet_count(l);

    /* 1. Tokens that succeeded. */
    uint8_t *success = xcalloc(nm ? nm : 1, 1);
    for (uint32_t m = 0; m < nm; m++) {
        const struct ledger_mint *mi = ledger_mint(l, m);
        if (mi->n_buyers == 0)
            continue;
        if (p->lookback_ms > 0 && mi->launch_ms < now_ms - p->lookback_ms)
            continue;
        out->tokens++;
        double lp = m < ps->launch_price.len ? ps->launch_price.v[m] : 0;
        bool ok = lp > 0 && p->min_multiple > 0 && mi->peak_price_sol >= p->min_multiple * lp;
        double supply =
            m < ps->supply.len && ps->supply.v[m] > 0 ? ps->supply.v[m] : p->default_supply;
        if (p->min_mcap_sol > 0 && mi->peak_price_sol * supply >= p->min_mcap_sol)
            ok = true;
        if (ok) {
            success[m] = 1;
            out->success_tokens++;
        }
    }

    /* 2. Their early buyers, and what each made on them. */
    double *real = xcalloc(nm ? nm : 1, sizeof *real); /* by mint, for one wallet */
    uint8_t *early = xcalloc(nm ? nm : 1, 1);
    uint32_t *touched = xmalloc((nm ? nm : 1) * sizeof *touched);
    uint32_t *scratch = xmalloc(4096 * sizeof *scratch);
    struct buys_index ix;
    index_first_buys(l, &ix);
    struct intel_profile pr;
    for (uint32_t w = 0; w < nw; w++) {
        const struct ledger_wallet *lw = ledger_wallet(l, w);
        size_t nt = 0;
        uint32_t entries = 0, early_all = 0;
        double age_sum = 0;
        for (size_t i = 0; i < lw->fills.len; i++) {
            const struct ledger_fill *f = &lw->fills.v[i];
            bool first = f->flags & LEDGER_FILL_FIRST_BUY;
            const struct ledger_mint *mi = ledger_mint(l, f->mint);
            bool is_early = first && ((p->early_buyers > 0 && f->buy_rank < p->early_buyers) ||
                                      (p->early_ms > 0 && f->ts_ms - mi->launch_ms <= p->early_ms));
            if (first) {
                entries++;
                early_all += is_early;
                age_sum += (double)(f->ts_ms - mi->launch_ms);
            }
            if (!success[f->mint])
                continue;
            if (first) {
                if (is_early && !early[f->mint]) {
                    early[f->mint] = 1;
                    real[f->mint] = 0;
                    touched[nt++] = f->mint;
                }
            } else if (f->side == SIDE_SELL && early[f->mint]) {
                real[f->mint] += f->realized_sol;
            }
        }
        if (nt == 0)
            continue;
        struct discovery_candidate *c = vec_push_zero(&out->c);
        c->wallet = w;
        struct pubkey k;
        memcpy(k.b, ledger_wallet_key(l, w), 32);
        pubkey_format(&k, c->address);
        c->early = (uint32_t)nt;
        c->entries = entries;
        c->early_all = early_all;
        c->entry_age_min = entries ? age_sum / entries / MS_PER_MINUTE : 0;
        for (size_t i = 0; i < nt; i++) {
            uint32_t m = touched[i];
            if (real[m] > 0) {
                c->hits++;
                c->hit_pnl_sol += real[m];
            }
            early[m] = 0;
        }

        /* 3. Its profile and behaviour. */
        intel_profile(ps->in, w, now_ms, &pr);
        c->score = pr.score.score;
        c->bot = pr.behaviour.bot_score;
        c->trades = pr.metrics.trades;
        c->win_rate = pr.metrics.win_rate;
        c->roi = pr.metrics.roi;
        c->pnl_sol = pr.metrics.total_pnl_sol;
        c->decay_flagged = pr.decay.flagged;
        c->timing = pr.timing.percentile;
        c->selection = (c->early + 1.0) / (c->early_all + 4.0);
        uint32_t scalps = 0, known = 0;
        for (size_t i = 0; i < lw->trips.len; i++) {
            const struct ledger_trip *t = &lw->trips.v[i];
            if (t->flags & LEDGER_TRIP_UNKNOWN_BASIS)
                continue;
            known++;
            scalps += t->close_ms - t->open_ms < p->scalp_ms;
        }
        c->scalp_share = known ? (double)scalps / known : 0;
        c->follow = follow_share(l, &ix, p, w, scratch);

        /* 4. Eligibility, strictest evidence first. */
        if (c->hits < p->min_hits)
            c->excl = DISC_FEW_HITS;
        else if (c->trades < p->min_trades)
            c->excl = DISC_FEW_TRADES;
        else if (c->bot > p->max_bot)
            c->excl = DISC_BOT;
        else if (c->follow > p->max_follow)
            c->excl = DISC_FOLLOWER;
        else if (c->scalp_share > p->max_scalp_share)
            c->excl = DISC_SCALPER;
        else if (p->max_entry_ms > 0 && c->entry_age_min * MS_PER_MINUTE > (double)p->max_entry_ms)
            c->excl = DISC_LATE;
        else if (c->decay_flagged)
            c->excl = DISC_DECAY;
        else if (c->score < p->min_score)
            c->excl = DISC_LOW_SCORE;
        c->rank = c->score + p->selection_weight * c->selection;
        c->model_ev = NAN;
        c->model_score = NAN;
    }
    free(ix.off);
    free(ix.fb);
    free(scratch);
    free(touched);
    free(early);
    free(real);
    free(success);
    /* 5. The learned score, when asked for and there is a model. */
    out->scoring = SCORE_RULES;
    if (p->score_mode != SCORE_RULES && p->model) {
        if (model_rank(ps, p, now_ms, out)) {
            out->scoring = p->score_mode;
            double wm = p->score_mode == SCORE_MODEL ? 1 : p->blend_weight;
            for (size_t i = 0; i < out->c.len; i++) {
                struct discovery_candidate *c = &out->c.v[i];
                c->rank =
                    (1 - wm) * c->score + wm * c->model_score + p->selection_weight * c->selection;
            }
        } else {
            log_warn("discovery", "the model's prediction failed: ranking by the rules score");
        }
    }
    if (out->c.len > 1)
        qsort(out->c.v, out->c.len, sizeof *out->c.v, cmp_candidate);
    for (size_t i = 0; i < out->c.len && out->c.v[i].excl == DISC_OK; i++)
        out->eligible++;
    return 0;
}

void discovery_result_release(struct discovery_result *r)
{
    vec_free(&r->c);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ apply */

static bool in_top(const char *const *top, size_t n, const char *address)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(top[i], address) == 0)
            return true;
    return false;
}

/* The watchlist as one scan (one read transaction): its size and the
 * algorithm wallets outside the top K. */
struct leaving_scan {
    const char *const *top;
    size_t ntop, n;
    VEC(struct wallet) leaving;
};

static int scan_leaving(void *ctx, const struct wallet *w)
{
    struct leaving_scan *ls = ctx;
    ls->n++;
    if (strcmp(w->discovery, "algorithm") == 0 && !in_top(ls->top, ls->ntop, w->address))
        vec_push(&ls->leaving, *w);
    return 0;
}

int discovery_apply(struct store *st, const struct discovery_result *r,
                    const struct discovery_params *p, int64_t now_ms,
                    struct discovery_apply_stats *out)
{
    memset(out, 0, sizeof *out);
    const char **top = xcalloc(p->top_k ? p->top_k : 1, sizeof *top);
    size_t ntop = 0;
    int rc = 0;
    /* The top K eligible wallets the operator has not decided about. */
    for (size_t i = 0; i < r->eligible && ntop < p->top_k; i++) {
        const struct discovery_candidate *c = &r->c.v[i];
        struct wallet w;
        rc = store_wallet_get(st, c->address, &w);
        if (rc == WT_ENOTFOUND) {
            rc = 0;
            continue; /* not profiled into the store: nothing to list */
        }
        if (rc != 0)
            goto out;
        if (w.status == WALLET_BLACKLISTED || w.status == WALLET_REMOVED ||
            strcmp(w.discovery, "manual") == 0) {
            out->operator_skipped++;
            continue;
        }
        top[ntop++] = c->address;
        int t;
        if (w.status == WALLET_CANDIDATE) {
            t = store_wallet_transition(st, c->address, WALLET_CANDIDATE, WALLET_WATCH, NULL,
                                        "algorithm", now_ms);
            if (t == 0)
                out->added++;
        } else if (w.status == WALLET_FLAGGED) {
            t = store_wallet_transition(st, c->address, WALLET_FLAGGED, WALLET_WATCH, "algorithm",
                                        NULL, now_ms);
            if (t == 0)
                out->rewatched++;
        } else {
            t = 0;
            out->kept++;
        }
        if (t != 0 && t != WT_ENOTFOUND) {
            rc = t;
            goto out;
        }
    }
    /* Algorithm wallets outside the top K leave the watchlist: flagged when
     * their decay flag is up, else back to candidate. The listing comes
     * after the promotions above, so it counts them. */
    struct wallet_filter f = {.status = WALLET_WATCH};
    struct leaving_scan ls = {.top = top, .ntop = ntop};
    rc = store_wallet_scan(st, &f, scan_leaving, &ls);
    out->watchlist += ls.n;
    for (size_t i = 0; rc == 0 && i < ls.leaving.len; i++) {
        const char *a = ls.leaving.v[i].address;
        bool decay = false;
        for (size_t j = 0; j < r->c.len; j++)
            if (strcmp(r->c.v[j].address, a) == 0) {
                decay = r->c.v[j].decay_flagged;
                break;
            }
        int t =
            store_wallet_transition(st, a, WALLET_WATCH, decay ? WALLET_FLAGGED : WALLET_CANDIDATE,
                                    "algorithm", NULL, now_ms);
        if (t == 0) {
            out->watchlist--;
            if (decay)
                out->flagged++;
            else
                out->dropped++;
        } else if (t != WT_ENOTFOUND) {
            rc = t;
        }
    }
    vec_free(&ls.leaving);
out:
    free(top);
    return rc;
}

/* ------------------------------------------------------------ run */

struct model *discovery_model_load(const struct discovery_params *p)
{
    char path[4096] = "", err[512];
    const char *mode = score_mode_name(p->score_mode);
    if (p->model_file[0]) {
        str_copy(path, sizeof path, p->model_file);
    } else if (!p->data_dir[0] || model_newest(p->data_dir, path, sizeof path) == 0) {
        /* Every fresh install and the demo start here: said, not warned
         * (a model that exists and cannot be read is a warning, below). */
        log_info("discovery",
                 "score.mode is %s but there is no model in %s/models (run `walltrack model "
                 "train`): ranking by the rules score",
                 mode, p->data_dir);
        return NULL;
    }
    struct model *m;
    if (model_load(path, &m, err, sizeof err) != 0) {
        log_warn("discovery",
                 "score.mode is %s but the model cannot be read (%s): ranking by the "
                 "rules score",
                 mode, err);
        return NULL;
    }
    log_info("discovery", "ranking by score.mode %s with the model %s", mode, path);
    return m;
}

int discovery_run(struct store *st, const struct discovery_params *dp,
                  const struct profile_params *pp, int64_t now_ms, struct discovery_report *rep,
                  struct profile_state **ps_out, struct discovery_result *res_out)
{
    memset(rep, 0, sizeof *rep);
    int64_t t0 = clock_mono_ns();
    struct profile_state *ps = NULL;
    struct discovery_result res = {0};
    int rc = profile_load(st, &pp->intel, &ps);
    if (rc != 0)
        return rc;
    int64_t t1 = clock_mono_ns();
    rep->load_s = (double)(t1 - t0) / 1e9;
    if (now_ms <= 0)
        now_ms = ps->last_ms;
    rep->now_ms = now_ms;
    rep->swaps = ps->swaps;
    rc = profile_write(st, ps, pp, now_ms, &rep->profile);
    int64_t t2 = clock_mono_ns();
    rep->profile_s = (double)(t2 - t1) / 1e9;
    struct discovery_params dpm = *dp;
    struct model *loaded = NULL;
    if (rc == 0 && dp->score_mode != SCORE_RULES && !dp->model)
        dpm.model = loaded = discovery_model_load(dp);
    if (rc == 0)
        rc = discovery_find(ps, &dpm, now_ms, &res);
    model_free(loaded);
    rep->scoring = res.scoring;
    int64_t t3 = clock_mono_ns();
    rep->find_s = (double)(t3 - t2) / 1e9;
    if (rc == 0) {
        rep->tokens = res.tokens;
        rep->success_tokens = res.success_tokens;
        rep->candidates = res.c.len;
        rep->eligible = res.eligible;
        rc = discovery_apply(st, &res, dp, now_ms, &rep->apply);
    }
    int64_t t4 = clock_mono_ns();
    rep->apply_s = (double)(t4 - t3) / 1e9;
    rep->seconds = (double)(t4 - t0) / 1e9;
    if (res_out && rc == 0)
        *res_out = res;
    else
        discovery_result_release(&res);
    if (ps_out && rc == 0)
        *ps_out = ps;
    else
        profile_state_free(ps);
    return rc;
}

/* ------------------------------------------------------------ schedule */

struct discovery_sched {
    struct store *st;
    struct discovery_params dp;
    struct profile_params pp;
    bool crawl; /* crawl the chain before each run (intel/crawl.h) */
    struct crawl_opts co;
    char *helius_url, *helius_key, *migration, *dex_url, *dex_queries;
    void (*after_run)(void *ctx, const struct discovery_report *rep);
    void *ctx;
    pthread_mutex_t mu; /* guards stats */
    struct discovery_sched_stats stats;
};

static void sched_job(void *arg)
{
    struct discovery_sched *s = arg;
    struct discovery_report rep;
    if (s->crawl) {
        struct crawl_progress p;
        memset(&p, 0, sizeof p);
        char err[512];
        int crc = crawl_run(s->st, &s->co, &p, err, sizeof err);
        pthread_mutex_lock(&s->mu);
        s->stats.crawl_requests += p.requests;
        pthread_mutex_unlock(&s->mu);
        if (crc != 0)
            log_error("discovery", "scheduled crawl failed: %s", err);
        else
            log_info("discovery",
                     "scheduled crawl: %llu request(s) (%lld in all), tokens %zu/%zu, wallets "
                     "%zu/%zu%s",
                     (unsigned long long)p.requests, (long long)p.requests_stored, p.tokens_done,
                     p.tokens, p.wallets_done, p.wallets,
                     p.budget_exhausted ? ", stopped at discovery.request_budget" : "");
    }
    int rc = discovery_run(s->st, &s->dp, &s->pp, 0, &rep, NULL, NULL);
    if (rc != 0)
        log_error("discovery", "scheduled run failed: %s", wt_strerror(rc));
    else
        log_info(
            "discovery",
            "scheduled run: %zu swaps, %zu wallets profiled, %u of %u tokens succeeded, "
            "%zu candidates (%zu eligible, ranked by %s); watchlist %zu (+%zu added, %zu kept, %zu "
            "dropped, %zu flagged) in %.2f s",
            rep.swaps, rep.profile.wallets, rep.success_tokens, rep.tokens, rep.candidates,
            rep.eligible, score_mode_name(rep.scoring), rep.apply.watchlist, rep.apply.added,
            rep.apply.kept, rep.apply.dropped, rep.apply.flagged, rep.seconds);
    pthread_mutex_lock(&s->mu);
    s->stats.runs++;
    if (rc != 0) {
        s->stats.failures++;
    } else {
        s->stats.added += rep.apply.added;
        s->stats.dropped += rep.apply.dropped;
        s->stats.flagged += rep.apply.flagged;
        s->stats.rewatched += rep.apply.rewatched;
        s->stats.last_ok_ms = clock_wall_ms();
        s->stats.last = rep;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == 0 && s->after_run)
        s->after_run(s->ctx, &rep);
}

void discovery_sched_stats(struct discovery_sched *s, struct discovery_sched_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}

static int count_stale(void *ctx, const struct wallet *w)
{
    if (w->metrics_version < WALLET_METRICS_VERSION)
        ++*(size_t *)ctx;
    return 0;
}

size_t discovery_stale_wallets(struct store *st)
{
    size_t n = 0;
    struct wallet_filter f = {0};
    if (store_wallet_scan(st, &f, count_stale, &n) != 0)
        return 0;
    return n;
}

int discovery_sched_start(struct sched *sc, struct store *st, const struct config *cfg,
                          void (*after_run)(void *ctx, const struct discovery_report *rep),
                          void *ctx, struct discovery_sched **out)
{
    *out = NULL;
    int64_t minutes = config_int(cfg, CFG_DISC_INTERVAL_MIN);
    if (minutes <= 0)
        return 0;
    struct discovery_sched *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->st = st;
    s->after_run = after_run;
    s->ctx = ctx;
    discovery_params_from_config(cfg, &s->dp);
    profile_params_from_config(cfg, &s->pp);
    s->pp.snapshots = config_bool(cfg, CFG_DISC_SNAPSHOTS);
    if (config_bool(cfg, CFG_DISC_CHAIN_CRAWL) && config_str(cfg, CFG_HELIUS_API_KEY)[0]) {
        s->crawl = true;
        crawl_opts_default(&s->co);
        crawl_opts_from_config(&s->co, cfg);
        /* cfg may not outlive the schedule: the strings are copied */
        s->co.helius_url = s->helius_url = xstrdup(s->co.helius_url);
        s->co.helius_key = s->helius_key = xstrdup(s->co.helius_key);
        s->co.migration_account = s->migration = xstrdup(s->co.migration_account);
        s->co.dex_url = s->dex_url = xstrdup(s->co.dex_url);
        s->co.dex_queries = s->dex_queries = xstrdup(s->co.dex_queries);
        s->co.disc = s->dp;
        s->co.rpc_urls = NULL; /* with a Helius key the RPC path is never taken */
    }
    int64_t interval_ms = minutes * MS_PER_MINUTE;
    bool on_start = config_bool(cfg, CFG_DISC_ON_START);
    /* Rows written under older metric definitions (docs/metrics.md) are
     * recomputed now rather than after the first interval. */
    size_t stale = discovery_stale_wallets(st);
    if (stale > 0) {
        log_info("discovery", "%zu wallets carry metrics of an older definition: recomputing now",
                 stale);
        on_start = true;
    }
    int rc = sched_add(sc, "discovery", on_start ? 0 : interval_ms, interval_ms, SCHED_WORKER,
                       sched_job, s);
    if (rc < 0) {
        discovery_sched_free(s);
        return rc;
    }
    log_info("discovery", "scheduled every %lld min%s%s", (long long)minutes,
             on_start ? ", first run now" : "", s->crawl ? ", crawling the chain first" : "");
    *out = s;
    return 0;
}

void discovery_sched_free(struct discovery_sched *s)
{
    if (!s)
        return;
    free(s->helius_url);
    if (s->helius_key)
        mem_wipe(s->helius_key, strlen(s->helius_key));
    free(s->helius_key);
    free(s->migration);
    free(s->dex_url);
    free(s->dex_queries);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
