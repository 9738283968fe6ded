/* Exit strategies: defaults, validation, JSON, and the exit book.
 *
 * Strategies are data that the operator edits through the API and that
 * the store keeps beside each open position, so this module is mostly about
 * refusing bad values with a message that says which field is wrong and
 * why, and about a JSON form that reads back to the identical struct
 * (doubles are written in their shortest exact form by base/jw). The rules
 * themselves are evaluated in position.c. */
#include "trade/exits.h"

#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"

static int fail(char *err, size_t errsize, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errsize, int code, const char *fmt, ...)
{
    if (err && errsize) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The two built-in strategies (exits.h says what each does). */
static const struct exit_strategy preset_default = {
    .name = "default",
    .stop_loss = 0.30,
    .n_tp = 1,
    .tp = {{.multiple = 2.0, .fraction = 0.5}},
    .moonbag = 0.5,
    .trail_activation = 2.0,
    .trail_distance = 0.30,
    .max_hold_ms = 24 * MS_PER_HOUR,
    .stagnation_band = 0.05,
    .stagnation_ms = MS_PER_HOUR,
};

static const struct exit_strategy preset_runner = {
    .name = "runner",
    .stop_loss = 0.35,
    .n_tp = 2,
    .tp = {{.multiple = 3.0, .fraction = 0.25}, {.multiple = 5.0, .fraction = 0.25}},
    .moonbag = 0.5,
    .trail_activation = 3.0,
    .trail_distance = 0.35,
    .max_hold_ms = 72 * MS_PER_HOUR,
    .exit_on_wallet_sell = true,
};

void exit_strategy_default(struct exit_strategy *s)
{
    memcpy(s, &preset_default, sizeof *s);
}

void exit_strategy_runner(struct exit_strategy *s)
{
    memcpy(s, &preset_runner, sizeof *s);
}

static bool name_ok(const char *name, size_t cap)
{
    size_t n = strnlen(name, cap);
    if (n == 0 || n == cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

int exit_strategy_validate(const struct exit_strategy *s, char *err, size_t errsize)
{
    if (!name_ok(s->name, sizeof s->name))
        return fail(err, errsize, WT_EINVAL,
                    "name: must be 1 to %d characters of letters, digits, '_', '-' or '.'",
                    EXIT_NAME_MAX - 1);
    if (!isfinite(s->stop_loss) || s->stop_loss < 0 || s->stop_loss >= 1)
        return fail(err, errsize, WT_EINVAL,
                    "stop_loss: %g is not a fraction in [0, 1) (0 disables the stop-loss)",
                    s->stop_loss);
    if (s->n_tp > EXIT_TP_MAX)
        return fail(err, errsize, WT_EINVAL, "take_profits: %u levels, at most %d", s->n_tp,
                    EXIT_TP_MAX);
    double sum = 0;
    for (uint32_t i = 0; i < s->n_tp; i++) {
        const struct exit_tp *t = &s->tp[i];
        if (!isfinite(t->multiple) || t->multiple <= 1)
            return fail(err, errsize, WT_EINVAL,
                        "take_profits[%u].multiple: %g must be above 1 (a multiple of the entry "
                        "price)",
                        i, t->multiple);
        if (i > 0 && t->multiple <= s->tp[i - 1].multiple)
            return fail(err, errsize, WT_EINVAL,
                        "take_profits[%u].multiple: %g must be above the previous level's %g "
                        "(levels ascend)",
                        i, t->multiple, s->tp[i - 1].multiple);
        if (!isfinite(t->fraction) || t->fraction <= 0 || t->fraction > 1)
            return fail(err, errsize, WT_EINVAL,
                        "take_profits[%u].fraction: %g is not a fraction in (0, 1]", i,
                        t->fraction);
        sum += t->fraction;
    }
    if (!isfinite(s->moonbag) || s->moonbag < 0 || s->moonbag > 1)
        return fail(err, errsize, WT_EINVAL, "moonbag: %g is not a fraction in [0, 1]", s->moonbag);
    /* Compared in ppm, the resolution at which fractions are applied, so
     * that 0.3 + 0.2 + 0.5 is exactly 1. */
    uint64_t ppm = llround(s->moonbag * 1e6);
    for (uint32_t i = 0; i < s->n_tp; i++)
        ppm += (uint64_t)llround(s->tp[i].fraction * 1e6);
    if (ppm > 1000000)
        return fail(err, errsize, WT_EINVAL,
                    "take_profits + moonbag: the fractions sum to %g, more than the whole "
                    "position (1)",
                    sum + s->moonbag);
    bool trail_off = s->trail_activation == 0 && s->trail_distance == 0;
    if (!trail_off) {
        if (!isfinite(s->trail_activation) || s->trail_activation < 1)
            return fail(err, errsize, WT_EINVAL,
                        "trailing_activation: %g must be a multiple of entry >= 1 (or 0 with "
                        "trailing_distance 0 to disable)",
                        s->trail_activation);
        if (!isfinite(s->trail_distance) || s->trail_distance <= 0 || s->trail_distance >= 1)
            return fail(err, errsize, WT_EINVAL,
                        "trailing_distance: %g is not a fraction in (0, 1)", s->trail_distance);
    }
    if (s->max_hold_ms < 0)
        return fail(err, errsize, WT_EINVAL, "max_hold_ms: %lld is negative (0 disables)",
                    (long long)s->max_hold_ms);
    bool stag_off = s->stagnation_band == 0 && s->stagnation_ms == 0;
    if (!stag_off) {
        if (!isfinite(s->stagnation_band) || s->stagnation_band <= 0 || s->stagnation_band >= 1)
            return fail(err, errsize, WT_EINVAL,
                        "stagnation_band: %g is not a fraction in (0, 1) (0 with "
                        "stagnation_ms 0 disables)",
                        s->stagnation_band);
        if (s->stagnation_ms <= 0)
            return fail(err, errsize, WT_EINVAL,
                        "stagnation_ms: %lld must be positive when stagnation_band is set",
                        (long long)s->stagnation_ms);
    }
    return 0;
}

void exit_strategy_write(const struct exit_strategy *s, struct jw *w)
{
    jw_obj_begin(w);
    jw_kstr(w, "name", s->name);
    jw_kdouble(w, "stop_loss", s->stop_loss);
    jw_karr_begin(w, "take_profits");
    for (uint32_t i = 0; i < s->n_tp && i < EXIT_TP_MAX; i++) {
        jw_obj_begin(w);
        jw_kdouble(w, "multiple", s->tp[i].multiple);
        jw_kdouble(w, "fraction", s->tp[i].fraction);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kdouble(w, "moonbag", s->moonbag);
    jw_kbool(w, "moonbag_from_entry", s->moonbag_from_entry);
    jw_kdouble(w, "trailing_activation", s->trail_activation);
    jw_kdouble(w, "trailing_distance", s->trail_distance);
    jw_ki64(w, "max_hold_ms", s->max_hold_ms);
    jw_kdouble(w, "stagnation_band", s->stagnation_band);
    jw_ki64(w, "stagnation_ms", s->stagnation_ms);
    jw_kbool(w, "exit_on_wallet_sell", s->exit_on_wallet_sell);
    jw_obj_end(w);
}

int exit_strategy_format(const struct exit_strategy *s, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    exit_strategy_write(s, &w);
    return jw_finish(&w);
}

static const char *const known_fields[] = {
    "name",
    "stop_loss",
    "take_profits",
    "moonbag",
    "moonbag_from_entry",
    "trailing_activation",
    "trailing_distance",
    "max_hold_ms",
    "stagnation_band",
    "stagnation_ms",
    "exit_on_wallet_sell",
};

static bool known_field(const char *key, uint32_t len)
{
    for (size_t i = 0; i < sizeof known_fields / sizeof known_fields[0]; i++)
        if (strlen(known_fields[i]) == len && memcmp(known_fields[i], key, len) == 0)
            return true;
    return false;
}

/* Copies the JSON layer's message (it names the path) into err. */
static int json_fail(const struct json_val *v, int rc, char *err, size_t errsize)
{
    return fail(err, errsize, rc, "%s", json_errmsg(v->doc));
}

int exit_strategy_from_json(const struct json_val *obj, struct exit_strategy *out, char *err,
                            size_t errsize)
{
    struct exit_strategy s;
    memset(&s, 0, sizeof s);
    if (json_type_of(obj) != JSON_OBJECT)
        return fail(err, errsize, WT_ETYPE, "a strategy must be a JSON object, got %s",
                    json_type_name(json_type_of(obj)));
    struct json_iter it;
    struct json_val m;
    json_iter_init(obj, &it);
    while (json_iter_next(&it, &m)) {
        if (!known_field(m.key, m.keylen))
            return fail(err, errsize, WT_EINVAL, "unknown field \"%.*s\" in strategy",
                        (int)m.keylen, m.key);
    }
    const char *name;
    size_t name_len;
    int rc;
    if ((rc = json_get_str(obj, "name", &name, &name_len)))
        return json_fail(obj, rc, err, errsize);
    if (name_len >= sizeof s.name)
        return fail(err, errsize, WT_ERANGE, "name: longer than %d characters", EXIT_NAME_MAX - 1);
    memcpy(s.name, name, name_len);
    s.name[name_len] = '\0';
    if ((rc = json_get_double(obj, "stop_loss", &s.stop_loss)) ||
        (rc = json_get_double(obj, "moonbag", &s.moonbag)) ||
        (rc = json_get_double(obj, "trailing_activation", &s.trail_activation)) ||
        (rc = json_get_double(obj, "trailing_distance", &s.trail_distance)) ||
        (rc = json_get_i64(obj, "max_hold_ms", &s.max_hold_ms)) ||
        (rc = json_get_double(obj, "stagnation_band", &s.stagnation_band)) ||
        (rc = json_get_i64(obj, "stagnation_ms", &s.stagnation_ms)) ||
        (rc = json_get_bool(obj, "exit_on_wallet_sell", &s.exit_on_wallet_sell)))
        return json_fail(obj, rc, err, errsize);
    rc = json_opt_bool(obj, "moonbag_from_entry", &s.moonbag_from_entry);
    if (rc && rc != WT_ENOTFOUND)
        return json_fail(obj, rc, err, errsize);
    struct json_val tps, tp;
    if ((rc = json_get(obj, "take_profits", &tps)))
        return json_fail(obj, rc, err, errsize);
    if (json_type_of(&tps) != JSON_ARRAY)
        return fail(err, errsize, WT_ETYPE, "take_profits: expected an array, got %s",
                    json_type_name(json_type_of(&tps)));
    if (json_size(&tps) > EXIT_TP_MAX)
        return fail(err, errsize, WT_EINVAL, "take_profits: %zu levels, at most %d",
                    json_size(&tps), EXIT_TP_MAX);
    json_iter_init(&tps, &it);
    while (json_iter_next(&it, &tp)) {
        struct exit_tp *t = &s.tp[s.n_tp];
        if ((rc = json_get_double(&tp, "multiple", &t->multiple)) ||
            (rc = json_get_double(&tp, "fraction", &t->fraction)))
            return json_fail(&tp, rc, err, errsize);
        if (json_size(&tp) != 2)
            return fail(err, errsize, WT_EINVAL,
                        "take_profits[%u]: only \"multiple\" and \"fraction\" are allowed", s.n_tp);
        s.n_tp++;
    }
    if ((rc = exit_strategy_validate(&s, err, errsize)))
        return rc;
    *out = s;
    return 0;
}

int exit_strategy_parse(const char *json, size_t len, struct exit_strategy *out, char *err,
                        size_t errsize)
{
    struct json_doc *d = json_doc_new(16);
    struct json_val root;
    int rc = json_parse(d, json, len, len, &root);
    if (rc) {
        fail(err, errsize, rc, "%s", json_errmsg(d));
        goto out;
    }
    rc = exit_strategy_from_json(&root, out, err, errsize);
out:
    json_doc_free(d);
    return rc;
}

void exit_book_init_default(struct exit_book *b)
{
    memset(b, 0, sizeof *b);
    exit_strategy_default(&b->s[0]);
    exit_strategy_runner(&b->s[1]);
    b->n = 2;
    str_copy(b->default_name, sizeof b->default_name, "default");
    b->n_overrides = 1;
    b->overrides[0].min_score = 0.85;
    str_copy(b->overrides[0].strategy, sizeof b->overrides[0].strategy, "runner");
}

const struct exit_strategy *exit_book_find(const struct exit_book *b, const char *name)
{
    for (uint32_t i = 0; i < b->n; i++)
        if (strncmp(b->s[i].name, name, EXIT_NAME_MAX) == 0)
            return &b->s[i];
    return NULL;
}

int exit_book_put(struct exit_book *b, const struct exit_strategy *s, char *err, size_t errsize)
{
    int rc = exit_strategy_validate(s, err, errsize);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < b->n; i++) {
        if (strncmp(b->s[i].name, s->name, EXIT_NAME_MAX) == 0) {
            b->s[i] = *s;
            return 0;
        }
    }
    if (b->n == EXIT_BOOK_MAX)
        return fail(err, errsize, WT_EFULL, "the book already holds %d strategies", EXIT_BOOK_MAX);
    b->s[b->n++] = *s;
    return 0;
}

int exit_book_set_override(struct exit_book *b, double min_score, const char *name)
{
    if (!isfinite(min_score) || min_score < 0 || min_score > 1)
        return WT_EINVAL;
    if (!exit_book_find(b, name))
        return WT_ENOTFOUND;
    struct exit_override *o = NULL;
    for (uint32_t i = 0; i < b->n_overrides; i++)
        if (b->overrides[i].min_score == min_score)
            o = &b->overrides[i];
    if (!o) {
        if (b->n_overrides == EXIT_OVERRIDE_MAX)
            return WT_EFULL;
        o = &b->overrides[b->n_overrides++];
    }
    o->min_score = min_score;
    str_copy(o->strategy, sizeof o->strategy, name);
    return 0;
}

int exit_book_set_default(struct exit_book *b, const char *name)
{
    if (!exit_book_find(b, name))
        return WT_ENOTFOUND;
    str_copy(b->default_name, sizeof b->default_name, name);
    return 0;
}

const struct exit_strategy *exit_book_select(const struct exit_book *b, double score)
{
    const struct exit_override *best = NULL;
    for (uint32_t i = 0; i < b->n_overrides; i++) {
        const struct exit_override *o = &b->overrides[i];
        if (score >= o->min_score && (!best || o->min_score > best->min_score))
            best = o;
    }
    const struct exit_strategy *s = best ? exit_book_find(b, best->strategy) : NULL;
    return s ? s : exit_book_find(b, b->default_name);
}

int exit_book_validate(const struct exit_book *b, char *err, size_t errsize)
{
    if (b->n > EXIT_BOOK_MAX || b->n_overrides > EXIT_OVERRIDE_MAX)
        return fail(err, errsize, WT_EINVAL, "book: too many strategies or overrides");
    for (uint32_t i = 0; i < b->n; i++) {
        char sub[EXIT_ERR_MAX];
        if (exit_strategy_validate(&b->s[i], sub, sizeof sub))
            return fail(err, errsize, WT_EINVAL, "strategy %u: %s", i, sub);
        for (uint32_t j = 0; j < i; j++)
            if (strncmp(b->s[i].name, b->s[j].name, EXIT_NAME_MAX) == 0)
                return fail(err, errsize, WT_EINVAL, "strategy \"%s\" is defined twice",
                            b->s[i].name);
    }
    if (!exit_book_find(b, b->default_name))
        return fail(err, errsize, WT_EINVAL, "default strategy \"%.*s\" does not exist",
                    EXIT_NAME_MAX, b->default_name);
    for (uint32_t i = 0; i < b->n_overrides; i++) {
        const struct exit_override *o = &b->overrides[i];
        if (!isfinite(o->min_score) || o->min_score < 0 || o->min_score > 1)
            return fail(err, errsize, WT_EINVAL, "override %u: min_score %g not in [0, 1]", i,
                        o->min_score);
        if (!exit_book_find(b, o->strategy))
            return fail(err, errsize, WT_EINVAL, "override %u: strategy \"%.*s\" does not exist", i,
                        EXIT_NAME_MAX, o->strategy);
        for (uint32_t j = 0; j < i; j++)
            if (b->overrides[j].min_score == o->min_score)
                return fail(err, errsize, WT_EINVAL, "override %u: min_score %g is used twice", i,
                            o->min_score);
    }
    return 0;
}

bool exit_strategy_builtin(const char *name)
{
    return strcmp(name, "default") == 0 || strcmp(name, "runner") == 0;
}

int exit_book_remove(struct exit_book *b, const char *name, char *err, size_t errsize)
{
    uint32_t at = b->n;
    for (uint32_t i = 0; i < b->n; i++)
        if (strncmp(b->s[i].name, name, EXIT_NAME_MAX) == 0)
            at = i;
    if (at == b->n)
        return fail(err, errsize, WT_ENOTFOUND, "no exit strategy named '%.*s'", EXIT_NAME_MAX,
                    name);
    if (exit_strategy_builtin(name))
        return fail(err, errsize, WT_EINVAL, "'%s' is built in: it can be edited but not removed",
                    name);
    if (strncmp(b->default_name, name, EXIT_NAME_MAX) == 0)
        return fail(err, errsize, WT_ESTATE,
                    "'%s' is the default strategy (trade.default_strategy): choose another "
                    "default first",
                    name);
    for (uint32_t i = 0; i < b->n_overrides; i++)
        if (strncmp(b->overrides[i].strategy, name, EXIT_NAME_MAX) == 0)
            return fail(err, errsize, WT_ESTATE,
                        "'%s' is used by the override for scores >= %g (trade.exit_overrides): "
                        "remove the override first",
                        name, b->overrides[i].min_score);
    memmove(&b->s[at], &b->s[at + 1], (b->n - at - 1) * sizeof b->s[0]);
    b->n--;
    memset(&b->s[b->n], 0, sizeof b->s[0]);
    return 0;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int exit_overrides_parse(const char *text, struct exit_book *b, char *err, size_t errsize)
{
    struct exit_override ov[EXIT_OVERRIDE_MAX];
    uint32_t n = 0;
    const char *p = skip_spaces(text);
    if (strcmp(p, "none") == 0)
        p += 4;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char pair[96];
        if (len >= sizeof pair)
            return fail(err, errsize, WT_EINVAL, "'%.*s...' is too long for SCORE:NAME", 32, p);
        memcpy(pair, p, len);
        pair[len] = '\0';
        while (len && (pair[len - 1] == ' ' || pair[len - 1] == '\t'))
            pair[--len] = '\0';
        char *colon = strchr(pair, ':');
        if (!colon)
            return fail(err, errsize, WT_EINVAL, "'%s' is not SCORE:NAME (e.g. 0.85:runner)", pair);
        char whole[sizeof pair];
        memcpy(whole, pair, len + 1);
        *colon = '\0';
        char *num_end = NULL;
        double score = strtod(pair, &num_end);
        const char *name = skip_spaces(colon + 1);
        if (num_end == pair || *skip_spaces(num_end) != '\0' || !isfinite(score) || score < 0 ||
            score > 1)
            return fail(err, errsize, WT_EINVAL, "'%s': the score must be a number in [0, 1]",
                        whole);
        if (!name_ok(name, EXIT_NAME_MAX))
            return fail(err, errsize, WT_EINVAL,
                        "'%s': expected a strategy name of 1 to %d letters, digits, '_', '-' or "
                        "'.'",
                        name, EXIT_NAME_MAX - 1);
        for (uint32_t i = 0; i < n; i++)
            if (ov[i].min_score == score)
                return fail(err, errsize, WT_EINVAL, "the score %g appears twice", score);
        if (n == EXIT_OVERRIDE_MAX)
            return fail(err, errsize, WT_EINVAL, "at most %d overrides", EXIT_OVERRIDE_MAX);
        ov[n].min_score = score;
        str_copy(ov[n].strategy, sizeof ov[n].strategy, name);
        n++;
        if (!end)
            break;
        p = skip_spaces(end + 1);
        if (!*p)
            return fail(err, errsize, WT_EINVAL, "a trailing comma: expected SCORE:NAME after it");
    }
    memset(b->overrides, 0, sizeof b->overrides);
    memcpy(b->overrides, ov, n * sizeof ov[0]);
    b->n_overrides = n;
    return 0;
}

static int by_score(const void *a, const void *b)
{
    double x = ((const struct exit_override *)a)->min_score;
    double y = ((const struct exit_override *)b)->min_score;
    return (x > y) - (x < y);
}

int exit_overrides_format(const struct exit_book *b, char *out, size_t outsize)
{
    struct exit_override ov[EXIT_OVERRIDE_MAX];
    uint32_t n = b->n_overrides < EXIT_OVERRIDE_MAX ? b->n_overrides : EXIT_OVERRIDE_MAX;
    memcpy(ov, b->overrides, n * sizeof ov[0]);
    if (n > 1)
        qsort(ov, n, sizeof ov[0], by_score);
    size_t len = 0;
    if (outsize)
        out[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        /* The shortest form that reads back exactly: 0.85, not 0.8499...98. */
        char num[32];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof num, "%.*g", prec, ov[i].min_score);
            if (strtod(num, NULL) == ov[i].min_score)
                break;
        }
        int w = snprintf(out + len, outsize - len, "%s%s:%s", i ? "," : "", num, ov[i].strategy);
        if (w < 0 || (size_t)w >= outsize - len)
            return WT_EFULL;
        len += (size_t)w;
    }
    return 0;
}
