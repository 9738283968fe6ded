/* Backtest scenarios (FR62-FR63): named sets of setting overrides.
 *
 * A scenario is a list of `name = value` pairs over the settings a replay
 * uses: every trading-engine setting engine_params_set knows (signal
 * weights and threshold, sizing, exits, breakers, slippage), the paper
 * executor's latency and fees (paper.*) and engine.tick_ms. Each value is
 * checked the way the configuration checks it (type and the bounds of
 * base/config_table.h), so a scenario holds nothing `serve` would refuse.
 * A run's settings are the operator's configuration, then the scenario's
 * overrides, then the command line's --set; the whole is validated by
 * engine_params_from_config before anything runs.
 *
 * Built-in presets: conservative, default (no overrides: the configuration
 * as it is), aggressive. They are read-only; copy one to change it. Stored
 * scenarios live in the backtest_scenarios table (params: a JSON object of
 * name -> value text).
 *
 * Pure except bt_scenario_load/save/list (store); any thread on data the
 * caller owns. */
#ifndef WT_BACKTEST_SCENARIO_H
#define WT_BACKTEST_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "store/store.h"
#include "trade/engine.h"
#include "trade/paper.h"

#define BT_NAME_MAX      64
#define BT_VALUE_MAX     128
#define BT_OVERRIDES_MAX 48

struct bt_override {
    char name[BT_NAME_MAX];
    char value[BT_VALUE_MAX];
};

/* Invariants: name matches [a-z0-9_.-]{1,63}; o[0..n) are distinct,
 * each a known scenario setting with a value the configuration accepts. */
struct bt_scenario {
    char name[BT_NAME_MAX];
    size_t n;
    struct bt_override o[BT_OVERRIDES_MAX];
    bool builtin;
};

/* What a run's engine gets from its settings. */
struct bt_setup {
    struct engine_params engine;
    struct paper_params paper;
    int64_t tick_ms;
};

/* Whether name is a setting a scenario may set. */
bool bt_setting_known(const char *name);
/* Whether name is a valid scenario name. */
bool bt_name_valid(const char *name);

/* The built-in preset called name into *out. Returns 0 or WT_ENOTFOUND. */
int bt_scenario_builtin(const char *name, struct bt_scenario *out);
/* The names of the built-in presets, NULL-terminated. */
extern const char *const bt_builtin_names[];

/* Sets (or replaces) one override after checking the name and the value
 * against the configuration table. Returns 0, WT_ENOTFOUND (not a
 * scenario setting), WT_EPARSE / WT_ERANGE / WT_EINVAL (the value), WT_EFULL;
 * the message in err names the setting and its bounds. sc is unchanged on
 * failure. */
int bt_scenario_set(struct bt_scenario *sc, const char *name, const char *value, char *err,
                    size_t errsize);
/* Parses "name=value" and calls bt_scenario_set. */
int bt_scenario_set_arg(struct bt_scenario *sc, const char *arg, char *err, size_t errsize);
/* Removes an override. Returns 0 or WT_ENOTFOUND. */
int bt_scenario_unset(struct bt_scenario *sc, const char *name);

/* The overrides as a JSON object {"name":"value",...} appended to out. */
void bt_scenario_params_json(const struct bt_scenario *sc, struct buf *out);
/* Reads such an object into sc's overrides (each one checked). Returns 0
 * or an error with err. */
int bt_scenario_params_parse(struct bt_scenario *sc, const char *json, size_t len, char *err,
                             size_t errsize);

struct json_val;
/* The same from a parsed JSON object. */
int bt_scenario_params_from(struct bt_scenario *sc, const struct json_val *obj, char *err,
                            size_t errsize);

/* Default engine parameters in paper mode, default paper executor. */
void bt_setup_init(struct bt_setup *s);

/* The settings of a run: base (the operator's configuration), then each
 * override list in order (later wins), into *out (a new config: release it
 * with config_release), and from it the engine's and the paper executor's
 * parameters, validated whole. setup must be initialised (bt_setup_init,
 * then the stored exit strategies added to setup->engine.book). Returns 0 or an error with err
 * naming the setting (out released on failure). */
int bt_settings(const struct config *base, const struct bt_scenario *const *lists, size_t nlists,
                struct config *out, struct bt_setup *setup, char *err, size_t errsize);
/* Every scenario setting of cfg as a JSON object name -> value text (the
 * exact parameters a run used), appended to out. */
void bt_settings_json(const struct config *cfg, struct buf *out);

/* ---- the store ----------------------------------------------------------- */

/* A built-in preset, else the stored scenario of that name. Returns 0,
 * WT_ENOTFOUND, WT_ESTORE, WT_EPARSE (a stored value that no longer
 * validates; err says which). *id gets the stored row's id (0 for a
 * preset never stored). */
int bt_scenario_load(struct store *st, const char *name, struct bt_scenario *out, int64_t *id,
                     char *err, size_t errsize);
/* Stores sc (not a preset: WT_EINVAL) under its name, creating or
 * replacing it. Returns 0, WT_EINVAL, WT_EFULL (too long), WT_ESTORE. */
int bt_scenario_save(struct store *st, const struct bt_scenario *sc, int64_t now_ms, int64_t *id);
/* The row id to record a run under: a stored scenario's, or for a preset
 * its row (created on first use). Returns 0 or a store error. */
int bt_scenario_row_id(struct store *st, const struct bt_scenario *sc, int64_t now_ms, int64_t *id);

/* Parses an ISO 8601 UTC time: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.mmm]][Z]
 * (a space for the T is accepted), or a whole number of Unix
 * milliseconds. Returns 0 or WT_EPARSE. */
int bt_time_parse(const char *s, int64_t *ms);

#endif
