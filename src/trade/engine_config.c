/* Engine parameters by setting name: the bridge between the config table
 * (base/config_table.h: defaults, files, environment, the database's live
 * settings) and struct engine_params.
 *
 * One table maps each setting name to a field and a unit conversion (SOL
 * settings are stored as lamports, hours as milliseconds). The same path
 * serves the start of `serve` (every engine setting of the configuration)
 * and a live change (PUT /v1/config -> CMD_SET -> engine_params_set on a
 * copy, validated whole before it replaces the engine's parameters), so a
 * value the engine refuses is refused the same way in both. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/str.h"
#include "trade/engine.h"
#include "trade/engine_config.h"

/* K_DEFAULT and K_OVERRIDES are the exit book's default strategy and its
 * score overrides ("0.85:runner, 0.95:moon"). */
enum kind {
    K_DOUBLE,
    K_SOL,
    K_HOURS,
    K_MS,
    K_U32,
    K_U16,
    K_DEFAULT,
    K_OVERRIDES,
    K_MINUTES,
    K_INSIDER
};

struct pdef {
    const char *name;
    enum kind kind;
    size_t off;
};

#define P(name, kind, field)                                                                       \
    {                                                                                              \
        name, kind, offsetof(struct engine_params, field)                                          \
    }

static const struct pdef defs[] = {
    P("signal.weight_wallet", K_DOUBLE, signal.weight[SF_WALLET]),
    P("signal.weight_cluster", K_DOUBLE, signal.weight[SF_CLUSTER]),
    P("signal.weight_token", K_DOUBLE, signal.weight[SF_TOKEN]),
    P("signal.weight_context", K_DOUBLE, signal.weight[SF_CONTEXT]),
    P("signal.threshold", K_DOUBLE, signal.threshold),
    P("signal.min_liquidity_sol", K_DOUBLE, signal.min_liquidity_sol),
    P("signal.max_move", K_DOUBLE, signal.max_move),
    P("signal.max_age_hours", K_HOURS, signal.max_age_ms),
    P("signal.token_wait_ms", K_MS, token_wait_ms),
    P("signal.cluster_window_min", K_MINUTES, signal.cluster_window_ms),
    P("signal.cluster_insider", K_INSIDER, signal.insider_penalty),
    P("signal.insider_penalty", K_DOUBLE, signal.insider_mult),
    P("trade.paper_capital_sol", K_SOL, capital_lamports),
    P("trade.risk_per_trade", K_DOUBLE, sizing.risk_per_trade),
    P("trade.high_score", K_DOUBLE, sizing.high_score),
    P("trade.high_multiplier", K_DOUBLE, sizing.high_multiplier),
    P("trade.reduced_factor", K_DOUBLE, sizing.reduced_factor),
    P("trade.max_positions", K_U32, sizing.max_positions),
    P("trade.max_token_exposure_sol", K_SOL, sizing.max_token_exposure_lamports),
    P("trade.max_exposure", K_DOUBLE, max_exposure),
    P("trade.min_order_sol", K_SOL, sizing.min_order_lamports),
    P("trade.slippage_bps", K_U16, slippage_bps),
    P("trade.default_strategy", K_DEFAULT, book.default_name),
    P("trade.exit_overrides", K_OVERRIDES, book),
    P("breakers.max_drawdown", K_DOUBLE, breakers.max_drawdown),
    P("breakers.min_win_rate", K_DOUBLE, breakers.min_win_rate),
    P("breakers.min_profit_factor", K_DOUBLE, breakers.min_profit_factor),
    P("breakers.win_rate_window", K_U32, breakers.win_rate_window),
    P("breakers.max_loss_streak", K_U32, breakers.max_loss_streak),
    P("breakers.recovery_wins", K_U32, breakers.recovery_wins),
    P("breakers.silence_hours", K_HOURS, breakers.silence_ms),
    P("market.sol_usd", K_DOUBLE, market.sol_usd),
};

#define NDEFS (sizeof defs / sizeof defs[0])

static const struct pdef *find(const char *name)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

bool engine_param_known(const char *name)
{
    return name && find(name) != NULL;
}

/* The exit book's default (a name) or overrides (parsed). */
static int set_book(struct engine_params *np, enum kind kind, const char *value, char *err,
                    size_t errsize)
{
    char why[EXIT_ERR_MAX];
    if (kind == K_OVERRIDES) {
        if (exit_overrides_parse(value, &np->book, why, sizeof why) == 0)
            return 0;
        if (err && errsize)
            snprintf(err, errsize, "trade.exit_overrides: %s", why);
        return WT_EINVAL;
    }
    if (str_copy(np->book.default_name, EXIT_NAME_MAX, value) != 0 || !value[0]) {
        if (err && errsize)
            snprintf(err, errsize, "trade.default_strategy: expected a name of 1 to %d characters",
                     EXIT_NAME_MAX - 1);
        return WT_EINVAL;
    }
    return 0;
}

int engine_params_set(struct engine_params *p, const char *name, const char *value, bool validate,
                      char *err, size_t errsize)
{
    const struct pdef *d = name ? find(name) : NULL;
    if (!d) {
        if (err && errsize)
            snprintf(err, errsize, "%s: not a setting of the trading engine", name ? name : "");
        return WT_ENOTFOUND;
    }
    struct engine_params np = *p;
    char *at = (char *)&np + d->off;
    double x = 0;
    uint64_t u = 0;
    if (d->kind == K_DEFAULT || d->kind == K_OVERRIDES) {
        int rc = set_book(&np, d->kind, value, err, errsize);
        if (rc)
            return rc;
    } else if (d->kind == K_INSIDER) {
        if (strcmp(value, "gate") != 0 && strcmp(value, "penalty") != 0) {
            if (err && errsize)
                snprintf(err, errsize, "%s: '%s' is not gate or penalty", name, value);
            return WT_EINVAL;
        }
        *(bool *)at = strcmp(value, "penalty") == 0;
    } else if (d->kind == K_MINUTES) {
        if (str_to_u64(value, &u) != 0 || u > 10080) {
            if (err && errsize)
                snprintf(err, errsize, "%s: '%s' is not a whole number of minutes in 0..10080",
                         name, value);
            return WT_EPARSE;
        }
        *(int64_t *)at = (int64_t)u * MS_PER_MINUTE;
    } else if (d->kind == K_U32 || d->kind == K_U16 || d->kind == K_MS) {
        uint64_t max = d->kind == K_U16  ? 65535u
                       : d->kind == K_MS ? (uint64_t)MS_PER_DAY
                                         : UINT32_MAX;
        if (str_to_u64(value, &u) != 0 || u > max) {
            if (err && errsize)
                snprintf(err, errsize, "%s: '%s' is not a whole number in range", name, value);
            return WT_EPARSE;
        }
        if (d->kind == K_U32)
            *(uint32_t *)at = (uint32_t)u;
        else if (d->kind == K_MS)
            *(int64_t *)at = (int64_t)u;
        else
            *(uint16_t *)at = (uint16_t)u;
    } else {
        char *end = NULL;
        x = strtod(value, &end);
        if (!value[0] || !end || *end || !isfinite(x)) {
            if (err && errsize)
                snprintf(err, errsize, "%s: '%s' is not a number", name, value);
            return WT_EPARSE;
        }
        if (d->kind == K_DOUBLE) {
            *(double *)at = x;
        } else if (d->kind == K_SOL) {
            if (x < 0 || x > 1e9) {
                if (err && errsize)
                    snprintf(err, errsize, "%s: %s SOL is out of range", name, value);
                return WT_EINVAL;
            }
            *(uint64_t *)at = (uint64_t)llround(x * 1e9);
        } else { /* K_HOURS */
            if (x < 0 || x > 1e6) {
                if (err && errsize)
                    snprintf(err, errsize, "%s: %s hours is out of range", name, value);
                return WT_EINVAL;
            }
            *(int64_t *)at = (int64_t)llround(x * (double)MS_PER_HOUR);
        }
    }
    np.sizing.threshold = np.signal.threshold;
    char why[200];
    int rc = validate ? engine_params_validate(&np, why, sizeof why) : 0;
    if (rc) {
        if (err && errsize)
            snprintf(err, errsize, "%s = %s: %s", name, value, why);
        return rc;
    }
    *p = np;
    return 0;
}

int engine_params_from_config(const struct config *cfg, struct engine_params *p, char *err,
                              size_t errsize)
{
    struct engine_params np = *p;
    for (int i = 0; i < CFG_COUNT; i++) {
        const struct config_def *d = config_def_of((enum config_id)i);
        if (!find(d->name))
            continue;
        /* Validation is of the whole at the end: a file may set the
         * threshold above the old high_score and then raise high_score. */
        const struct pdef *pd = find(d->name);
        struct engine_params tmp = np;
        char *at = (char *)&tmp + pd->off;
        const char *v = config_str(cfg, (enum config_id)i);
        if (pd->kind == K_DEFAULT || pd->kind == K_OVERRIDES) {
            if (set_book(&tmp, pd->kind, v, err, errsize) != 0)
                return WT_EINVAL;
        } else if (pd->kind == K_INSIDER) {
            *(bool *)at = strcmp(v, "penalty") == 0;
        } else if (pd->kind == K_MINUTES) {
            *(int64_t *)at = config_int(cfg, (enum config_id)i) * MS_PER_MINUTE;
        } else if (pd->kind == K_U32) {
            *(uint32_t *)at = (uint32_t)config_int(cfg, (enum config_id)i);
        } else if (pd->kind == K_U16) {
            *(uint16_t *)at = (uint16_t)config_int(cfg, (enum config_id)i);
        } else if (pd->kind == K_MS) {
            *(int64_t *)at = config_int(cfg, (enum config_id)i);
        } else {
            double x = d->type == CONFIG_INT ? (double)config_int(cfg, (enum config_id)i)
                                             : config_double(cfg, (enum config_id)i);
            if (pd->kind == K_DOUBLE)
                *(double *)at = x;
            else if (pd->kind == K_SOL)
                *(uint64_t *)at = (uint64_t)llround(x * 1e9);
            else
                *(int64_t *)at = (int64_t)llround(x * (double)MS_PER_HOUR);
        }
        np = tmp;
    }
    np.sizing.threshold = np.signal.threshold;
    int rc = engine_params_validate(&np, err, errsize);
    if (rc == 0)
        *p = np;
    return rc;
}

void paper_params_from_config(const struct config *cfg, struct paper_params *p)
{
    paper_params_default(p);
    p->latency_ms = config_int(cfg, CFG_PAPER_LATENCY_MS);
    p->latency_max_ms = config_int(cfg, CFG_PAPER_LATENCY_MAX_MS);
    p->dex_fee_bps = (uint32_t)config_int(cfg, CFG_PAPER_DEX_FEE_BPS);
    p->network_fee_lamports = (uint64_t)config_int(cfg, CFG_PAPER_NETWORK_FEE);
    p->priority_fee_lamports = (uint64_t)config_int(cfg, CFG_PAPER_PRIORITY_FEE);
    p->tip_lamports = (uint64_t)config_int(cfg, CFG_PAPER_TIP);
    p->fail_rate = config_double(cfg, CFG_PAPER_FAIL_RATE);
}
