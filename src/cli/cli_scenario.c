/* The scenario options `sim generate` and `sim chain` share (--preset,
 * --scenario, --wallets, --seed, --days, --tokens-per-day): one reading of
 * them, so that both commands accept the same values and say the same
 * thing about a bad one. */
#include <stdint.h>

#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "sim/scenario.h"

int cli_scenario_opts(const struct cli_spec *spec, const struct cli_args *a, struct scenario *sc)
{
    const char *cmd = spec->name;
    char err[512];
    scenario_default(sc);
    const char *v = cli_opt_value(spec, a, "--preset");
    if (v && scenario_preset(sc, v) != 0)
        return cli_usage_error(cmd, "--preset: unknown preset '%s' (expected %s)", v,
                               SCENARIO_PRESETS);
    v = cli_opt_value(spec, a, "--scenario");
    if (v && scenario_load(sc, v, err, sizeof err))
        return cli_usage_error(cmd, "--scenario: %s", err);
    if ((v = cli_opt_value(spec, a, "--wallets")) != NULL) {
        uint64_t n;
        if (str_to_u64(v, &n) || n < 1 || n > 10000000)
            return cli_usage_error(cmd, "--wallets: bad value '%s' (an integer from 1 to 10000000)",
                                   v);
        scenario_scale_wallets(sc, (uint32_t)n);
    }
    static const char *const keys[][2] = {
        {"--seed", "seed"}, {"--days", "days"}, {"--tokens-per-day", "tokens_per_day"}};
    for (size_t i = 0; i < 3; i++) {
        if ((v = cli_opt_value(spec, a, keys[i][0])) &&
            scenario_set(sc, keys[i][1], v, err, sizeof err))
            return cli_usage_error(cmd, "%s: %s", keys[i][0], err);
    }
    if (scenario_validate(sc, err, sizeof err))
        return cli_usage_error(cmd, "%s", err);
    return 0;
}
