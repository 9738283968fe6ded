/* Scenario parameters of the market simulator: defaults, bounds, the
 * `key = value` file format and the JSON echo written into truth.json.
 *
 * One table drives all of it so that a parameter is added in one place.
 * Values are parsed with the checked converters of base/str.h; a bad value
 * never changes the scenario. */
#include "sim/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/jw.h"
#include "base/str.h"

enum ptype { P_U32, P_U64, P_I64, P_DBL };

struct param {
    const char *name;
    enum ptype type;
    size_t off;
    double min, max;
    const char *help;
};

#define P(field, type, lo, hi, help)                                                               \
    {                                                                                              \
#field, type, offsetof(struct scenario, field), lo, hi, help                               \
    }

static const struct param PARAMS[] = {
    P(seed, P_U64, 0, 1.8446744073709552e19, "seed of the pseudo-random generator"),
    P(days, P_U32, 1, 3650, "simulated days"),
    P(start_time, P_I64, 0, 4102444800.0, "Unix time (s) of the first simulated moment"),
    P(start_slot, P_U64, 0, 1e15, "slot at start_time; slots last 400 ms"),
    P(tokens_per_day, P_U32, 1, 100000, "token launches per day (Poisson)"),
    P(speed, P_DBL, 0.01, 100, "multiplier of the crowd's trading rate on every token"),
    P(wallets, P_U32, 1, 10000000, "trading wallets in all; retail takes what the groups leave"),
    P(exchanges, P_U32, 1, 1000, "exchange hot wallets that fund everyone (not in `wallets`)"),
    P(insider_clusters, P_U32, 0, 100000, "insider clusters, each with its own funder"),
    P(cluster_size_min, P_U32, 1, 1000, "fewest insiders in a cluster"),
    P(cluster_size_max, P_U32, 1, 1000, "most insiders in a cluster"),
    P(skilled, P_U32, 0, 1000000, "skilled traders"),
    P(fading, P_U32, 0, 1000000, "fading wallets (skilled until their fade date)"),
    P(snipers, P_U32, 0, 1000000, "snipers and bots"),
    P(copy_traders, P_U32, 0, 1000000, "copy-traders"),
    P(baiters, P_U32, 0, 1000000, "baiters"),
    P(creators, P_U32, 1, 1000000, "token creators (devs) not in a cluster"),
    P(odds_rug, P_DBL, 0, 1e6, "relative odds of the fate `rug`"),
    P(odds_fizzle, P_DBL, 0, 1e6, "relative odds of the fate `fizzle`"),
    P(odds_runner, P_DBL, 0, 1e6, "relative odds of the fate `runner`"),
    P(odds_pump_dump, P_DBL, 0, 1e6, "relative odds of the fate `pump_dump` (insider launch)"),
    P(skill_min, P_DBL, 0, 1, "lowest skill of a skilled or fading wallet"),
    P(skill_max, P_DBL, 0, 1, "highest skill"),
    P(skilled_entries_per_day, P_DBL, 0, 1000, "mean entries a day of a skilled wallet"),
    P(sniper_rate, P_DBL, 0, 1, "chance that a given sniper buys a given launch"),
    P(baiter_entries_per_day, P_DBL, 0, 1000, "mean baits a day of a baiter"),
    P(retail_buy_sol, P_DBL, 0.001, 1000, "median retail buy in SOL"),
    P(pump_amm_share, P_DBL, 0, 1, "share of graduations that move to PUMP_AMM (else RAYDIUM)"),
    P(fizzle_dead_share, P_DBL, 0, 1,
      "share of fizzles the crowd never trades (only snipers, insiders and typed wallets)"),
    P(crowd_price_sensitivity, P_DBL, 0, 10,
      "how much the crowd's buy odds fall with the multiple a token made since launch (per unit of "
      "ln multiple)"),
    P(rug_dev_buy_sol, P_DBL, 0.01, 1000,
      "largest opening buy (SOL) of a rug's creator, sold at once at the rug; the smallest is 3/8 "
      "of it"),
    P(insider_delay_ms, P_DBL, 1, 600000,
      "longest delay (ms) of an insider's buy after its cluster's launch; the shortest is 1/10 of "
      "it (40: bundled in the launch slot, ahead of the snipers)"),
};

#define NPARAMS (sizeof PARAMS / sizeof PARAMS[0])

static const char *TYPE_NAMES[] = {"u32", "u64", "i64", "double"};

/* The generous market of earlier releases (preset "bull"): 6% runners,
 * about 5% of launches graduate, retail mostly wins. */
static void preset_bull(struct scenario *s)
{
    memset(s, 0, sizeof *s);
    s->seed = 1;
    s->days = 1;
    s->start_time = 1735689600; /* 2025-01-01T00:00:00Z */
    s->start_slot = 310000000;
    s->tokens_per_day = 300;
    s->speed = 1.0;
    s->wallets = 2000;
    s->exchanges = 4;
    s->insider_clusters = 25;
    s->cluster_size_min = 3;
    s->cluster_size_max = 7;
    s->skilled = 120;
    s->fading = 30;
    s->snipers = 60;
    s->copy_traders = 100;
    s->baiters = 40;
    s->creators = 150;
    s->odds_rug = 0.25;
    s->odds_fizzle = 0.55;
    s->odds_runner = 0.06;
    s->odds_pump_dump = 0.14;
    s->skill_min = 0.5;
    s->skill_max = 0.95;
    s->skilled_entries_per_day = 6;
    s->sniper_rate = 0.12;
    s->baiter_entries_per_day = 8;
    s->retail_buy_sol = 0.3;
    s->pump_amm_share = 0.5;
    s->rug_dev_buy_sol = 4.0;
    s->insider_delay_ms = 4000;
}

/* The calibrated market (docs/simulator.md, "Calibration targets"): the
 * bull market with the fates of the real one. Runners are what graduates
 * (nearly all of them do, nothing else does), so their odds set the
 * graduation rate. */
static void preset_calibrated(struct scenario *s)
{
    preset_bull(s);
    s->odds_rug = 0.30;
    s->odds_fizzle = 0.556;
    s->odds_runner = 0.014;
    s->odds_pump_dump = 0.13;
    s->fizzle_dead_share = 0.6;
    s->crowd_price_sensitivity = 0.4;
    s->rug_dev_buy_sol = 12.0;
    s->insider_delay_ms = 40;
}

/* Rug-heavy: the calibrated market (its crowd, creators and insiders)
 * with fates where rugs and insider launches take most launches and
 * runners are rarer still. */
static void preset_bear(struct scenario *s)
{
    preset_calibrated(s);
    s->odds_rug = 0.45;
    s->odds_fizzle = 0.34;
    s->odds_runner = 0.006;
    s->odds_pump_dump = 0.204;
}

void scenario_default(struct scenario *s)
{
    preset_calibrated(s);
}

int scenario_preset(struct scenario *s, const char *name)
{
    if (strcmp(name, "calibrated") == 0)
        preset_calibrated(s);
    else if (strcmp(name, "bull") == 0)
        preset_bull(s);
    else if (strcmp(name, "bear") == 0)
        preset_bear(s);
    else
        return WT_ENOTFOUND;
    return 0;
}

static const struct param *find(const char *key)
{
    for (size_t i = 0; i < NPARAMS; i++)
        if (strcmp(PARAMS[i].name, key) == 0)
            return &PARAMS[i];
    return NULL;
}

int scenario_set(struct scenario *s, const char *key, const char *value, char *err, size_t errsize)
{
    const struct param *p = find(key);
    if (!p) {
        snprintf(err, errsize, "unknown parameter '%s'", key);
        return WT_ENOTFOUND;
    }
    char *field = (char *)s + p->off;
    int rc;
    if (p->type == P_DBL) {
        double d;
        rc = str_to_double(value, &d);
        if (rc || d < p->min || d > p->max)
            goto bad;
        memcpy(field, &d, sizeof d);
    } else if (p->type == P_I64) {
        int64_t v;
        rc = str_to_i64(value, &v);
        if (rc || (double)v < p->min || (double)v > p->max)
            goto bad;
        memcpy(field, &v, sizeof v);
    } else {
        uint64_t v;
        rc = str_to_u64(value, &v);
        if (rc || (double)v < p->min || (p->type == P_U32 && (double)v > p->max))
            goto bad;
        if (p->type == P_U32) {
            uint32_t v32 = (uint32_t)v;
            memcpy(field, &v32, sizeof v32);
        } else {
            memcpy(field, &v, sizeof v);
        }
    }
    return 0;
bad:
    snprintf(err, errsize, "bad value '%s' for %s: expected %s %s from %.15g to %.15g", value, key,
             p->type == P_DBL ? "a number" : "an integer", TYPE_NAMES[p->type], p->min, p->max);
    return WT_EINVAL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int scenario_load(struct scenario *s, const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return WT_EIO;
    }
    struct scenario tmp = *s;
    char line[1024], msg[256];
    unsigned lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n' && !feof(f)) {
            snprintf(err, errsize, "%s:%u: line too long", path, lineno);
            rc = WT_EPARSE;
            goto out;
        }
        char *t = trim(line);
        if (*t == '\0' || *t == '#')
            continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            snprintf(err, errsize, "%s:%u: expected 'key = value', got '%s'", path, lineno, t);
            rc = WT_EPARSE;
            goto out;
        }
        *eq = '\0';
        char *key = trim(t), *value = trim(eq + 1);
        if (*key == '\0' || *value == '\0') {
            snprintf(err, errsize, "%s:%u: %s", path, lineno,
                     *key ? "missing value" : "missing key");
            rc = WT_EPARSE;
            goto out;
        }
        if (scenario_set(&tmp, key, value, msg, sizeof msg)) {
            snprintf(err, errsize, "%s:%u: %s", path, lineno, msg);
            rc = WT_EPARSE;
            goto out;
        }
    }
    if (ferror(f)) {
        snprintf(err, errsize, "%s: read error", path);
        rc = WT_EIO;
        goto out;
    }
    *s = tmp;
out:
    fclose(f);
    return rc;
}

uint64_t scenario_min_wallets(const struct scenario *s)
{
    return (uint64_t)s->insider_clusters * (1 + (uint64_t)s->cluster_size_max) + s->skilled +
           s->fading + s->snipers + s->copy_traders + s->baiters + s->creators;
}

int scenario_validate(const struct scenario *s, char *err, size_t errsize)
{
    if (s->skill_min > s->skill_max) {
        snprintf(err, errsize, "skill_min (%g) is above skill_max (%g)", s->skill_min,
                 s->skill_max);
        return WT_EINVAL;
    }
    if (s->cluster_size_min > s->cluster_size_max) {
        snprintf(err, errsize, "cluster_size_min (%u) is above cluster_size_max (%u)",
                 s->cluster_size_min, s->cluster_size_max);
        return WT_EINVAL;
    }
    if (s->odds_rug + s->odds_fizzle + s->odds_runner + s->odds_pump_dump <= 0) {
        snprintf(err, errsize, "the fate odds are all zero");
        return WT_EINVAL;
    }
    if (s->odds_pump_dump > 0 && s->insider_clusters == 0) {
        snprintf(err, errsize, "odds_pump_dump > 0 needs insider_clusters > 0");
        return WT_EINVAL;
    }
    uint64_t need = scenario_min_wallets(s);
    if ((uint64_t)s->wallets < need) {
        snprintf(err, errsize,
                 "wallets = %u is too small: the typed groups need %llu (clusters counted at "
                 "cluster_size_max plus their funder)",
                 s->wallets, (unsigned long long)need);
        return WT_EINVAL;
    }
    return 0;
}

static uint32_t scale(uint32_t v, double f)
{
    double x = (double)v * f + 0.5;
    return x < 0 ? 0 : (uint32_t)x;
}

void scenario_scale_wallets(struct scenario *s, uint32_t wallets)
{
    double f = s->wallets ? (double)wallets / (double)s->wallets : 1.0;
    s->insider_clusters = scale(s->insider_clusters, f);
    s->skilled = scale(s->skilled, f);
    s->fading = scale(s->fading, f);
    s->snipers = scale(s->snipers, f);
    s->copy_traders = scale(s->copy_traders, f);
    s->baiters = scale(s->baiters, f);
    s->creators = scale(s->creators, f);
    if (s->creators == 0)
        s->creators = 1;
    s->wallets = wallets;
}

void scenario_write_json(const struct scenario *s, struct jw *w)
{
    jw_obj_begin(w);
    for (size_t i = 0; i < NPARAMS; i++) {
        const struct param *p = &PARAMS[i];
        const char *field = (const char *)s + p->off;
        jw_key(w, p->name);
        switch (p->type) {
        case P_U32: {
            uint32_t v;
            memcpy(&v, field, sizeof v);
            jw_u64(w, v);
            break;
        }
        case P_U64: {
            uint64_t v;
            memcpy(&v, field, sizeof v);
            jw_u64(w, v);
            break;
        }
        case P_I64: {
            int64_t v;
            memcpy(&v, field, sizeof v);
            jw_i64(w, v);
            break;
        }
        case P_DBL: {
            double v;
            memcpy(&v, field, sizeof v);
            jw_double(w, v);
            break;
        }
        }
    }
    jw_obj_end(w);
}
