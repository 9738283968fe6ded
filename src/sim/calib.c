/* Calibration measures of a simulated market from its truth.json (see
 * calib.h and docs/simulator.md, "Calibration targets"). */
#include "sim/calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"

#define SECONDS_PER_DAY 86400

static const struct {
    const char *name, *range, *source;
} TARGETS[SC_NTARGETS] = {
    [SC_GRADUATION] = {"graduation", "0.6%-1.8% of launches",
                       "0.63% of 655,770 pump.fun launches in September 2025 (arXiv:2602.14860); "
                       "1.79% over six months of 2024 (public Dune queries)"},
    [SC_LOSERS] = {"walletsLosing", "> 60% of wallets with >= 10 swaps",
                   "public Dune dashboards over 4.26M pump.fun addresses"},
    [SC_LARGE_WINNERS] = {"largeWinners", "<= 1% of trading wallets make >= 50 SOL",
                          "'a few tenths of a percent realise large profits' (same dashboards); "
                          "50 SOL and the 1% bound are chosen"},
    [SC_SAME_DAY] = {"sameDayDeath", "> 50% of launches trade last on their launch day",
                     "most launches see their last trade on the day they launch (same sources); "
                     "the 50% bar is chosen"},
    [SC_TAIL] = {"peakTail", "mean peak multiple of the top 1% of launches / median >= 10",
                 "peak multiples are heavy-tailed (same sources); the ratio is chosen"},
    [SC_BOTS_EARLY] = {"botsAmongFirstBuyers",
                       ">= 50% of launches have a sniper or insider among the first 5 buyers",
                       "snipers and bundlers buy in the launch slot (widely reported; the 50% "
                       "bar is chosen)"},
    [SC_INSIDERS_WIN] = {"insidersProfit", "insiders' PnL as a group > 0",
                         "insiders dump on followers (chosen as a direction, not a size)"},
    [SC_COPY_LOSE] = {"copyTradersLose", "copy-traders' PnL as a group < 0",
                      "copy-traders crowd the same entries and buy after their leader (chosen "
                      "as a direction)"},
};

const char *sim_calib_name(enum sim_calib_target t)
{
    return (unsigned)t < SC_NTARGETS ? TARGETS[t].name : "unknown";
}

const char *sim_calib_range(enum sim_calib_target t)
{
    return (unsigned)t < SC_NTARGETS ? TARGETS[t].range : "";
}

const char *sim_calib_source(enum sim_calib_target t)
{
    return (unsigned)t < SC_NTARGETS ? TARGETS[t].source : "";
}

static int type_of(const char *name)
{
    for (int t = 0; t < SIM_NTYPES; t++)
        if (strcmp(sim_wallet_type_name((enum sim_wallet_type)t), name) == 0)
            return t;
    return -1;
}

static int fate_of(const char *name)
{
    for (int f = 0; f < SIM_NFATES; f++)
        if (strcmp(sim_fate_name((enum sim_fate)f), name) == 0)
            return f;
    return -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted v[0..n) (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)ceil(q * (double)n);
    i = i == 0 ? 0 : i - 1;
    return v[i < n ? i : n - 1];
}

static int fail(char *err, size_t errsize, const char *what, struct json_doc *d)
{
    snprintf(err, errsize, "not a walltrack-sim-truth file with outcomes: %s%s%s", what,
             d && *json_errmsg(d) ? ": " : "", d ? json_errmsg(d) : "");
    return WT_EPARSE;
}

static int measure_wallets(const struct json_val *arr, struct sim_calib *c)
{
    struct json_iter it;
    struct json_val el;
    if (json_iter_init(arr, &it))
        return -1;
    while (json_iter_next(&it, &el)) {
        const char *type;
        uint64_t swaps, spent, received, fees, open;
        if (json_get_str(&el, "type", &type, NULL) || json_get_u64(&el, "swaps", &swaps) ||
            json_get_u64(&el, "spent_lamports", &spent) ||
            json_get_u64(&el, "received_lamports", &received) ||
            json_get_u64(&el, "fees_lamports", &fees) ||
            json_get_u64(&el, "open_value_lamports", &open))
            return -1;
        int t = type_of(type);
        if (t < 0)
            return -1;
        struct sim_calib_type *T = &c->types[t];
        T->wallets++;
        if (swaps == 0)
            continue;
        double pnl = ((double)received + (double)open - (double)spent - (double)fees) / 1e9;
        T->traded++;
        T->pnl_sol += pnl;
        c->traded++;
        c->swaps += swaps;
        c->fees_sol += (double)fees / 1e9;
        if (pnl >= SIM_CALIB_LARGE_SOL)
            c->large_winners++;
        if (swaps >= SIM_CALIB_MIN_SWAPS) {
            T->active++;
            c->active++;
            if (pnl < 0) {
                T->active_losing++;
                c->active_losing++;
            }
        }
    }
    return 0;
}

static int measure_tokens(const struct json_val *arr, struct sim_calib *c)
{
    size_t n = json_size(arr);
    double *peaks = xmalloc((n ? n : 1) * sizeof *peaks);
    size_t np = 0;
    struct json_iter it;
    struct json_val el;
    int rc = -1;
    if (json_iter_init(arr, &it))
        goto out;
    while (json_iter_next(&it, &el)) {
        const char *fate;
        int64_t launch, last;
        double peak;
        bool grad;
        uint64_t bots;
        if (json_get_str(&el, "fate", &fate, NULL) || json_get_i64(&el, "launch_time", &launch) ||
            json_get_i64(&el, "last_trade_time", &last) ||
            json_get_double(&el, "peak_multiple", &peak) ||
            json_get_bool(&el, "graduated", &grad) || json_get_u64(&el, "early_bots", &bots))
            goto out;
        int f = fate_of(fate);
        if (f < 0)
            goto out;
        c->tokens++;
        c->fates[f]++;
        if (grad) {
            c->graduated++;
            c->fates_graduated[f]++;
        }
        if (launch / SECONDS_PER_DAY == last / SECONDS_PER_DAY)
            c->same_day++;
        if (bots > 0)
            c->bots_early++;
        peaks[np++] = peak;
    }
    qsort(peaks, np, sizeof *peaks, cmp_double);
    c->peak_median = quantile(peaks, np, 0.5);
    c->peak_p90 = quantile(peaks, np, 0.9);
    c->peak_p99 = quantile(peaks, np, 0.99);
    c->peak_max = np ? peaks[np - 1] : 0;
    size_t top = (np + 99) / 100;
    double sum = 0;
    for (size_t i = np - top; i < np; i++)
        sum += peaks[i];
    c->peak_top1 = top ? sum / (double)top : 0;
    rc = 0;
out:
    free(peaks);
    return rc;
}

static double share(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0;
}

int sim_calib_measure(const char *json, size_t len, struct sim_calib *out, char *err,
                      size_t errsize)
{
    memset(out, 0, sizeof *out);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, v;
    int rc = WT_EPARSE;
    const char *format;
    uint64_t days;
    if (json_parse(d, json, len, len, &root)) {
        rc = fail(err, errsize, "invalid JSON", d);
        goto out;
    }
    if (json_get_str(&root, "format", &format, NULL) ||
        strcmp(format, "walltrack-sim-truth") != 0 || json_get_u64(&root, "seed", &out->seed) ||
        json_get(&root, "scenario", &v) || json_get_u64(&v, "days", &days)) {
        rc = fail(err, errsize, "format, seed or scenario", d);
        goto out;
    }
    out->days = (uint32_t)days;
    if (json_get(&root, "wallets", &v) || measure_wallets(&v, out)) {
        rc = fail(err, errsize, "wallets", d);
        goto out;
    }
    if (json_get(&root, "tokens", &v) || measure_tokens(&v, out)) {
        rc = fail(err, errsize, "tokens", d);
        goto out;
    }
    double *x = out->value;
    x[SC_GRADUATION] = share(out->graduated, out->tokens);
    x[SC_LOSERS] = share(out->active_losing, out->active);
    x[SC_LARGE_WINNERS] = share(out->large_winners, out->traded);
    x[SC_SAME_DAY] = share(out->same_day, out->tokens);
    x[SC_TAIL] = out->peak_median > 0 ? out->peak_top1 / out->peak_median : 0;
    x[SC_BOTS_EARLY] = share(out->bots_early, out->tokens);
    x[SC_INSIDERS_WIN] = out->types[SIM_INSIDER].pnl_sol;
    x[SC_COPY_LOSE] = out->types[SIM_COPY].pnl_sol;
    bool *m = out->met;
    m[SC_GRADUATION] = x[SC_GRADUATION] >= 0.006 && x[SC_GRADUATION] <= 0.018;
    m[SC_LOSERS] = out->active > 0 && x[SC_LOSERS] > 0.60;
    m[SC_LARGE_WINNERS] = x[SC_LARGE_WINNERS] <= 0.01;
    m[SC_SAME_DAY] = x[SC_SAME_DAY] > 0.5;
    m[SC_TAIL] = x[SC_TAIL] >= 10;
    m[SC_BOTS_EARLY] = x[SC_BOTS_EARLY] >= 0.5;
    m[SC_INSIDERS_WIN] = out->types[SIM_INSIDER].traded > 0 && x[SC_INSIDERS_WIN] > 0;
    m[SC_COPY_LOSE] = out->types[SIM_COPY].traded > 0 && x[SC_COPY_LOSE] < 0;
    rc = 0;
out:
    json_doc_free(d);
    return rc;
}

bool sim_calib_all_met(const struct sim_calib *c)
{
    for (int i = 0; i < SC_NTARGETS; i++)
        if (!c->met[i])
            return false;
    return true;
}

void sim_calib_write_json(const struct sim_calib *c, struct jw *w)
{
    jw_obj_begin(w);
    jw_ku64(w, "seed", c->seed);
    jw_ku64(w, "days", c->days);
    jw_kbool(w, "allMet", sim_calib_all_met(c));
    jw_karr_begin(w, "targets");
    for (int i = 0; i < SC_NTARGETS; i++) {
        jw_obj_begin(w);
        jw_kstr(w, "name", TARGETS[i].name);
        jw_kstr(w, "target", TARGETS[i].range);
        jw_kdouble(w, "value", c->value[i]);
        jw_kbool(w, "met", c->met[i]);
        jw_kstr(w, "source", TARGETS[i].source);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kobj_begin(w, "market");
    jw_ku64(w, "tokens", c->tokens);
    jw_ku64(w, "graduated", c->graduated);
    jw_ku64(w, "sameDay", c->same_day);
    jw_ku64(w, "botsAmongFirstBuyers", c->bots_early);
    jw_kobj_begin(w, "peakMultiple");
    jw_kdouble(w, "median", c->peak_median);
    jw_kdouble(w, "p90", c->peak_p90);
    jw_kdouble(w, "p99", c->peak_p99);
    jw_kdouble(w, "max", c->peak_max);
    jw_kdouble(w, "top1PercentMean", c->peak_top1);
    jw_obj_end(w);
    jw_ku64(w, "tradingWallets", c->traded);
    jw_ku64(w, "walletsWith10Swaps", c->active);
    jw_ku64(w, "walletsWith10SwapsLosing", c->active_losing);
    jw_ku64(w, "largeWinners", c->large_winners);
    jw_ku64(w, "swaps", c->swaps);
    jw_kdouble(w, "networkFeesSol", c->fees_sol);
    jw_obj_end(w);
    jw_kobj_begin(w, "truth");
    jw_kobj_begin(w, "fates");
    for (int f = 0; f < SIM_NFATES; f++) {
        jw_key(w, sim_fate_name((enum sim_fate)f));
        jw_obj_begin(w);
        jw_ku64(w, "tokens", c->fates[f]);
        jw_ku64(w, "graduated", c->fates_graduated[f]);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_kobj_begin(w, "walletTypes");
    for (int t = 0; t < SIM_NTYPES; t++) {
        const struct sim_calib_type *T = &c->types[t];
        if (t == SIM_EXCHANGE || T->wallets == 0)
            continue;
        jw_key(w, sim_wallet_type_name((enum sim_wallet_type)t));
        jw_obj_begin(w);
        jw_ku64(w, "wallets", T->wallets);
        jw_ku64(w, "traded", T->traded);
        jw_ku64(w, "with10Swaps", T->active);
        jw_ku64(w, "with10SwapsLosing", T->active_losing);
        jw_kdouble(w, "pnlSol", T->pnl_sol);
        jw_kdouble(w, "meanPnlSol", T->traded ? T->pnl_sol / T->traded : 0);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}
