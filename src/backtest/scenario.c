/* Backtest scenarios: named override sets, their checks against the
 * configuration table, the presets, and their rows in the store (see
 * scenario.h). A value is checked by setting it on a scratch copy of the
 * configuration, so a scenario accepts exactly what the config file and
 * `--set` accept, with the same messages. */
#include "backtest/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/jw.h"
#include "base/str.h"
#include "trade/engine_config.h"

const char *const bt_builtin_names[] = {"conservative", "default", "aggressive", NULL};

struct preset {
    const char *name;
    const char *const *pairs; /* name, value, ..., NULL */
};

static const char *const conservative[] = {"signal.threshold",
                                           "0.80",
                                           "trade.risk_per_trade",
                                           "0.01",
                                           "trade.max_positions",
                                           "5",
                                           "trade.max_exposure",
                                           "0.3",
                                           "breakers.max_drawdown",
                                           "0.10",
                                           "breakers.max_loss_streak",
                                           "2",
                                           NULL};
static const char *const aggressive[] = {"signal.threshold",
                                         "0.60",
                                         "trade.risk_per_trade",
                                         "0.04",
                                         "trade.max_positions",
                                         "20",
                                         "trade.max_exposure",
                                         "0.8",
                                         "breakers.max_drawdown",
                                         "0.35",
                                         "trade.high_multiplier",
                                         "2",
                                         NULL};
static const char *const none[] = {NULL};

static const struct preset presets[] = {
    {"conservative", conservative},
    {"default", none},
    {"aggressive", aggressive},
};

bool bt_setting_known(const char *name)
{
    if (!name)
        return false;
    if (engine_param_known(name) || strcmp(name, "engine.tick_ms") == 0)
        return true;
    enum config_id id;
    return strncmp(name, "paper.", 6) == 0 && config_def_find(name, &id) != NULL;
}

bool bt_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= BT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

int bt_scenario_builtin(const char *name, struct bt_scenario *out)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (strcmp(presets[i].name, name) != 0)
            continue;
        memset(out, 0, sizeof *out);
        str_copy(out->name, sizeof out->name, name);
        for (const char *const *p = presets[i].pairs; *p; p += 2) {
            str_copy(out->o[out->n].name, BT_NAME_MAX, p[0]);
            str_copy(out->o[out->n].value, BT_VALUE_MAX, p[1]);
            out->n++;
        }
        out->builtin = true;
        return 0;
    }
    return WT_ENOTFOUND;
}

int bt_scenario_set(struct bt_scenario *sc, const char *name, const char *value, char *err,
                    size_t errsize)
{
    if (!bt_setting_known(name)) {
        snprintf(err, errsize,
                 "unknown parameter '%s': a scenario sets the trading engine's settings "
                 "(signal.*, trade.*, breakers.*, market.sol_usd), paper.* and engine.tick_ms",
                 name ? name : "");
        return WT_ENOTFOUND;
    }
    if (strlen(value) >= BT_VALUE_MAX) {
        snprintf(err, errsize, "%s: the value is longer than %d characters", name,
                 BT_VALUE_MAX - 1);
        return WT_ETOOBIG;
    }
    struct config c;
    config_init(&c);
    int rc = config_set(&c, name, value, CONFIG_SRC_CLI);
    if (rc != 0) {
        snprintf(err, errsize, "%s", config_errmsg(&c));
        config_release(&c);
        return rc;
    }
    /* The canonical text (a bool or an enumerated word as listed). */
    enum config_id id;
    config_def_find(name, &id);
    char canon[BT_VALUE_MAX];
    str_copy(canon, sizeof canon, config_str(&c, id));
    config_release(&c);
    /* The engine's own check of this one value (an exit strategy's name
     * or the overrides' syntax). */
    if (engine_param_known(name)) {
        struct engine_params p;
        engine_params_default(&p);
        rc = engine_params_set(&p, name, canon, false, err, errsize);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->o[i].name, name) == 0) {
            str_copy(sc->o[i].value, BT_VALUE_MAX, canon);
            return 0;
        }
    if (sc->n == BT_OVERRIDES_MAX) {
        snprintf(err, errsize, "a scenario holds at most %d settings", BT_OVERRIDES_MAX);
        return WT_EFULL;
    }
    str_copy(sc->o[sc->n].name, BT_NAME_MAX, name);
    str_copy(sc->o[sc->n].value, BT_VALUE_MAX, canon);
    sc->n++;
    return 0;
}

int bt_scenario_set_arg(struct bt_scenario *sc, const char *arg, char *err, size_t errsize)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        snprintf(err, errsize, "'%s': expected NAME=VALUE", arg);
        return WT_EPARSE;
    }
    char name[BT_NAME_MAX];
    size_t n = (size_t)(eq - arg);
    if (n >= sizeof name) {
        snprintf(err, errsize, "unknown parameter '%.*s'", (int)n, arg);
        return WT_ENOTFOUND;
    }
    memcpy(name, arg, n);
    name[n] = '\0';
    return bt_scenario_set(sc, name, eq + 1, err, errsize);
}

int bt_scenario_unset(struct bt_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->o[i].name, name) == 0) {
            memmove(&sc->o[i], &sc->o[i + 1], (sc->n - i - 1) * sizeof sc->o[0]);
            sc->n--;
            return 0;
        }
    return WT_ENOTFOUND;
}

void bt_scenario_params_json(const struct bt_scenario *sc, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    for (size_t i = 0; i < sc->n; i++)
        jw_kstr(&w, sc->o[i].name, sc->o[i].value);
    jw_obj_end(&w);
    jw_finish(&w);
}

int bt_scenario_params_from(struct bt_scenario *sc, const struct json_val *root, char *err,
                            size_t errsize)
{
    struct json_iter it;
    struct json_val v;
    if (json_is_null(root) || json_iter_init(root, &it) != 0) {
        snprintf(err, errsize, "the parameters are not a JSON object of name: value");
        return WT_EPARSE;
    }
    struct bt_scenario tmp = *sc;
    tmp.n = 0;
    int rc = 0;
    while (rc == 0 && json_iter_next(&it, &v)) {
        char name[BT_NAME_MAX], val[BT_VALUE_MAX];
        if (!v.key || v.keylen >= sizeof name) {
            snprintf(err, errsize, "the parameters are not a JSON object of name: value");
            rc = WT_EPARSE;
            break;
        }
        memcpy(name, v.key, v.keylen);
        name[v.keylen] = '\0';
        const char *s;
        size_t sl;
        double x;
        bool b;
        if (json_str(&v, &s, &sl) == 0) {
            if (sl >= sizeof val) {
                snprintf(err, errsize, "%s: the value is too long", name);
                rc = WT_ETOOBIG;
                break;
            }
            memcpy(val, s, sl + 1);
        } else if (json_bool(&v, &b) == 0) {
            str_copy(val, sizeof val, b ? "true" : "false");
        } else if (json_double(&v, &x) == 0) {
            char num[32];
            jw_format_double(x, num);
            str_copy(val, sizeof val, num);
        } else {
            snprintf(err, errsize, "%s: expected a string, number or boolean", name);
            rc = WT_EPARSE;
            break;
        }
        rc = bt_scenario_set(&tmp, name, val, err, errsize);
    }
    if (rc == 0)
        *sc = tmp;
    return rc;
}

int bt_scenario_params_parse(struct bt_scenario *sc, const char *json, size_t len, char *err,
                             size_t errsize)
{
    struct json_doc *d = json_doc_new(64);
    struct json_val root;
    int rc;
    if (json_parse(d, json, len, 0, &root) != 0) {
        snprintf(err, errsize, "the parameters are not a JSON object of name: value");
        rc = WT_EPARSE;
    } else {
        rc = bt_scenario_params_from(sc, &root, err, errsize);
    }
    json_doc_free(d);
    return rc;
}

void bt_setup_init(struct bt_setup *s)
{
    memset(s, 0, sizeof *s);
    engine_params_default(&s->engine);
    s->engine.mode = TRADE_PAPER;
    paper_params_default(&s->paper);
    s->tick_ms = 1000;
}

int bt_settings(const struct config *base, const struct bt_scenario *const *lists, size_t nlists,
                struct config *out, struct bt_setup *setup, char *err, size_t errsize)
{
    config_copy(out, base);
    for (size_t l = 0; l < nlists; l++) {
        if (!lists[l])
            continue;
        for (size_t i = 0; i < lists[l]->n; i++) {
            const struct bt_override *o = &lists[l]->o[i];
            if (config_set(out, o->name, o->value, CONFIG_SRC_CLI) != 0) {
                snprintf(err, errsize, "%s", config_errmsg(out));
                config_release(out);
                return WT_EINVAL;
            }
        }
    }
    char why[256];
    if (engine_params_from_config(out, &setup->engine, why, sizeof why) != 0) {
        snprintf(err, errsize, "these settings do not work together: %s", why);
        config_release(out);
        return WT_EINVAL;
    }
    paper_params_from_config(out, &setup->paper);
    setup->tick_ms = config_int(out, CFG_ENGINE_TICK_MS);
    return 0;
}

void bt_settings_json(const struct config *cfg, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    for (int i = 0; i < CFG_COUNT; i++) {
        const struct config_def *d = config_def_of((enum config_id)i);
        if (bt_setting_known(d->name))
            jw_kstr(&w, d->name, config_str(cfg, (enum config_id)i));
    }
    jw_obj_end(&w);
    jw_finish(&w);
}

/* ---- the store ----------------------------------------------------------- */

static int find_row(struct store *st, const char *name, struct backtest_scenario_row *row)
{
    struct row_query q = {.key = name, .limit = 1};
    size_t n = 0;
    int rc = store_list_scenario(st, &q, row, &n);
    if (rc)
        return rc;
    return n ? 0 : WT_ENOTFOUND;
}

int bt_scenario_load(struct store *st, const char *name, struct bt_scenario *out, int64_t *id,
                     char *err, size_t errsize)
{
    if (id)
        *id = 0;
    struct backtest_scenario_row *row = xcalloc(1, sizeof *row);
    if (!row)
        return WT_ENOMEM;
    int rc;
    if (bt_scenario_builtin(name, out) == 0) {
        if (id && find_row(st, name, row) == 0)
            *id = row->id;
        rc = 0;
        goto out;
    }
    rc = find_row(st, name, row);
    if (rc == WT_ENOTFOUND) {
        snprintf(err, errsize,
                 "no scenario called '%s' (built in: conservative, default, "
                 "aggressive; `walltrack backtest scenario list`)",
                 name);
        goto out;
    }
    if (rc) {
        snprintf(err, errsize, "reading the scenarios: %s", wt_strerror(rc));
        goto out;
    }
    memset(out, 0, sizeof *out);
    str_copy(out->name, sizeof out->name, row->name);
    char why[256];
    if (bt_scenario_params_parse(out, row->params, strlen(row->params), why, sizeof why) != 0) {
        snprintf(err, errsize, "stored scenario '%s' no longer validates: %s", name, why);
        rc = WT_EPARSE;
        goto out;
    }
    if (id)
        *id = row->id;
out:
    free(row);
    return rc;
}

static int put_row(struct store *st, const struct bt_scenario *sc, int64_t now_ms, int64_t *id)
{
    struct backtest_scenario_row *row = xcalloc(1, sizeof *row);
    if (!row)
        return WT_ENOMEM;
    struct buf b;
    buf_init(&b, 0);
    bt_scenario_params_json(sc, &b);
    int rc = WT_EFULL;
    if (b.len < sizeof row->params) {
        str_copy(row->name, sizeof row->name, sc->name);
        memcpy(row->params, b.data, b.len + 1);
        row->created_ms = now_ms;
        rc = store_put_scenario(st, row, id);
    }
    buf_release(&b);
    free(row);
    return rc;
}

int bt_scenario_save(struct store *st, const struct bt_scenario *sc, int64_t now_ms, int64_t *id)
{
    struct bt_scenario x;
    if (!bt_name_valid(sc->name) || sc->builtin || bt_scenario_builtin(sc->name, &x) == 0)
        return WT_EINVAL;
    return put_row(st, sc, now_ms, id);
}

int bt_scenario_row_id(struct store *st, const struct bt_scenario *sc, int64_t now_ms, int64_t *id)
{
    struct backtest_scenario_row *row = xcalloc(1, sizeof *row);
    if (!row)
        return WT_ENOMEM;
    int rc = find_row(st, sc->name, row);
    if (rc == 0)
        *id = row->id;
    else if (rc == WT_ENOTFOUND)
        rc = put_row(st, sc, now_ms, id);
    free(row);
    return rc;
}

/* ---- time ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at s into *v. */
static bool digits(const char *s, int n, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return true;
}

int bt_time_parse(const char *s, int64_t *ms)
{
    if (!s || !*s)
        return WT_EPARSE;
    size_t n = strlen(s);
    if (n > 4 && s[4] != '-') {
        int64_t v;
        if (str_to_i64(s, &v) != 0 || v < 0)
            return WT_EPARSE;
        *ms = v;
        return 0;
    }
    unsigned y, mo, d, h = 0, mi = 0, se = 0, milli = 0;
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return WT_EPARSE;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
            return WT_EPARSE;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &se))
                return WT_EPARSE;
            p += 3;
            if (*p == '.') {
                if (!digits(p + 1, 3, &milli))
                    return WT_EPARSE;
                p += 4;
            }
        }
        if (*p == 'Z')
            p++;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
        return WT_EPARSE;
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return WT_EPARSE;
    *ms = days_from_civil(y, mo, d) * MS_PER_DAY + (int64_t)h * MS_PER_HOUR +
          (int64_t)mi * MS_PER_MINUTE + (int64_t)se * MS_PER_SECOND + milli;
    return 0;
}
