/* Tests of trade/exits.h: the default strategies, every validation rule
 * with its message, the JSON form (round trip, strictness, error paths)
 * and the exit book with its score overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "trade/exits.h"

static void test_defaults_valid(void **state)
{
    (void)state;
    struct exit_strategy s;
    char err[EXIT_ERR_MAX];
    exit_strategy_default(&s);
    assert_int_equal(exit_strategy_validate(&s, err, sizeof err), 0);
    assert_string_equal(s.name, "default");
    /* sell 50% at 2x, the rest rides */
    assert_int_equal(s.n_tp, 1);
    assert_true(s.tp[0].multiple == 2.0 && s.tp[0].fraction == 0.5);
    assert_true(s.moonbag == 0.5);
    exit_strategy_runner(&s);
    assert_int_equal(exit_strategy_validate(&s, err, sizeof err), 0);
    assert_string_equal(s.name, "runner");
}

/* Applies a change to the default strategy and expects validation to fail
 * with a message containing `field`. */
static void expect_invalid(void (*mutate)(struct exit_strategy *), const char *field)
{
    struct exit_strategy s;
    char err[EXIT_ERR_MAX] = "";
    exit_strategy_default(&s);
    mutate(&s);
    assert_int_equal(exit_strategy_validate(&s, err, sizeof err), WT_EINVAL);
    if (!strstr(err, field))
        fail_msg("message \"%s\" does not name %s", err, field);
}

static void m_name_empty(struct exit_strategy *s)
{
    s->name[0] = '\0';
}
static void m_name_space(struct exit_strategy *s)
{
    memcpy(s->name, "a b", 4);
}
static void m_stop_one(struct exit_strategy *s)
{
    s->stop_loss = 1.0;
}
static void m_stop_neg(struct exit_strategy *s)
{
    s->stop_loss = -0.1;
}
static void m_stop_nan(struct exit_strategy *s)
{
    s->stop_loss = NAN;
}
static void m_tp_multiple_low(struct exit_strategy *s)
{
    s->tp[0].multiple = 1.0;
}
static void m_tp_not_ascending(struct exit_strategy *s)
{
    s->n_tp = 2;
    s->tp[0] = (struct exit_tp){3.0, 0.2};
    s->tp[1] = (struct exit_tp){3.0, 0.2};
    s->moonbag = 0.5;
}
static void m_tp_fraction_zero(struct exit_strategy *s)
{
    s->tp[0].fraction = 0;
}
static void m_tp_fraction_big(struct exit_strategy *s)
{
    s->tp[0].fraction = 1.5;
}
static void m_sum_over_one(struct exit_strategy *s)
{
    s->moonbag = 0.500001;
}
static void m_moonbag_neg(struct exit_strategy *s)
{
    s->moonbag = -0.5;
}
static void m_too_many_tp(struct exit_strategy *s)
{
    s->n_tp = EXIT_TP_MAX + 1;
}
static void m_trail_activation(struct exit_strategy *s)
{
    s->trail_activation = 0.5;
}
static void m_trail_distance(struct exit_strategy *s)
{
    s->trail_distance = 1.0;
}
static void m_trail_half_off(struct exit_strategy *s)
{
    s->trail_distance = 0;
}
static void m_max_hold(struct exit_strategy *s)
{
    s->max_hold_ms = -1;
}
static void m_stag_band(struct exit_strategy *s)
{
    s->stagnation_band = 0;
}
static void m_stag_ms(struct exit_strategy *s)
{
    s->stagnation_ms = 0;
}

static void test_validation_messages(void **state)
{
    (void)state;
    expect_invalid(m_name_empty, "name");
    expect_invalid(m_name_space, "name");
    expect_invalid(m_stop_one, "stop_loss");
    expect_invalid(m_stop_neg, "stop_loss");
    expect_invalid(m_stop_nan, "stop_loss");
    expect_invalid(m_tp_multiple_low, "take_profits[0].multiple");
    expect_invalid(m_tp_not_ascending, "take_profits[1].multiple");
    expect_invalid(m_tp_fraction_zero, "take_profits[0].fraction");
    expect_invalid(m_tp_fraction_big, "take_profits[0].fraction");
    expect_invalid(m_sum_over_one, "take_profits + moonbag");
    expect_invalid(m_moonbag_neg, "moonbag");
    expect_invalid(m_too_many_tp, "take_profits");
    expect_invalid(m_trail_activation, "trailing_activation");
    expect_invalid(m_trail_distance, "trailing_distance");
    expect_invalid(m_trail_half_off, "trailing_distance");
    expect_invalid(m_max_hold, "max_hold_ms");
    expect_invalid(m_stag_band, "stagnation_band");
    expect_invalid(m_stag_ms, "stagnation_ms");
    /* fractions summing to exactly 1 are fine despite double rounding */
    struct exit_strategy s;
    exit_strategy_default(&s);
    s.n_tp = 2;
    s.tp[0] = (struct exit_tp){2.0, 0.3};
    s.tp[1] = (struct exit_tp){3.0, 0.2};
    s.moonbag = 0.5;
    assert_int_equal(exit_strategy_validate(&s, NULL, 0), 0);
    s.moonbag = 0;
    s.trail_activation = 0;
    s.trail_distance = 0;
    s.stagnation_band = 0;
    s.stagnation_ms = 0;
    s.stop_loss = 0;
    s.max_hold_ms = 0;
    assert_int_equal(exit_strategy_validate(&s, NULL, 0), 0); /* everything off is allowed */
}

static void test_json_round_trip(void **state)
{
    (void)state;
    struct exit_strategy s, t;
    exit_strategy_runner(&s);
    s.tp[0].fraction = 0.1 + 0.12; /* a double with a long expansion */
    s.moonbag_from_entry = true;
    struct buf a, b;
    buf_init(&a, 0);
    buf_init(&b, 0);
    assert_int_equal(exit_strategy_format(&s, &a), 0);
    char err[EXIT_ERR_MAX];
    memset(&t, 0x55, sizeof t);
    assert_int_equal(exit_strategy_parse(a.data, a.len, &t, err, sizeof err), 0);
    assert_int_equal(memcmp(&s, &t, sizeof s), 0); /* both zero-filled, so padding matches */
    assert_int_equal(exit_strategy_format(&t, &b), 0);
    assert_string_equal(a.data, b.data);
    buf_release(&a);
    buf_release(&b);

    /* moonbag_from_entry may be left out */
    const char *j = "{\"name\":\"x\",\"stop_loss\":0.2,\"take_profits\":[{\"multiple\":2,"
                    "\"fraction\":0.5}],\"moonbag\":0.5,\"trailing_activation\":0,"
                    "\"trailing_distance\":0,\"max_hold_ms\":3600000,\"stagnation_band\":0,"
                    "\"stagnation_ms\":0,\"exit_on_wallet_sell\":true}";
    assert_int_equal(exit_strategy_parse(j, strlen(j), &t, err, sizeof err), 0);
    assert_string_equal(t.name, "x");
    assert_false(t.moonbag_from_entry);
    assert_true(t.exit_on_wallet_sell);
    assert_int_equal(t.max_hold_ms, 3600000);
}

static void expect_parse_error(const char *json, int code, const char *needle)
{
    struct exit_strategy s, before;
    exit_strategy_default(&s);
    before = s;
    char err[EXIT_ERR_MAX] = "";
    int rc = exit_strategy_parse(json, strlen(json), &s, err, sizeof err);
    if (rc != code)
        fail_msg("%s: rc %d, expected %d (%s)", json, rc, code, err);
    if (!strstr(err, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err, needle);
    assert_int_equal(memcmp(&s, &before, sizeof s), 0);
}

static void test_json_errors(void **state)
{
    (void)state;
    struct buf a;
    buf_init(&a, 0);
    struct exit_strategy s;
    exit_strategy_default(&s);
    assert_int_equal(exit_strategy_format(&s, &a), 0);
    /* a misspelt field is refused rather than ignored */
    char *bad = strdup(a.data);
    memcpy(strstr(bad, "stop_loss"), "stop_lose", 9);
    expect_parse_error(bad, WT_EINVAL, "stop_lose");
    free(bad);
    /* a missing field */
    expect_parse_error("{\"name\":\"x\"}", WT_ENOTFOUND, "stop_loss");
    /* wrong type: the JSON layer names the path */
    expect_parse_error("{\"name\":\"x\",\"stop_loss\":0.2,\"take_profits\":[],\"moonbag\":0.5,"
                       "\"trailing_activation\":0,\"trailing_distance\":0,\"max_hold_ms\":\"1h\","
                       "\"stagnation_band\":0,\"stagnation_ms\":0,\"exit_on_wallet_sell\":true}",
                       WT_EPARSE, "max_hold_ms");
    expect_parse_error("{\"name\":\"x\",\"stop_loss\":\"0.2\",\"take_profits\":[],\"moonbag\":0.5,"
                       "\"trailing_activation\":0,\"trailing_distance\":0,\"max_hold_ms\":0,"
                       "\"stagnation_band\":0,\"stagnation_ms\":0,\"exit_on_wallet_sell\":true}",
                       WT_ETYPE, "stop_loss");
    char *v;
    /* valid JSON, invalid strategy */
    bad = strdup(a.data);
    v = strstr(bad, "\"stop_loss\":") + strlen("\"stop_loss\":");
    *v = '1'; /* 0.3 -> 1.3 */
    expect_parse_error(bad, WT_EINVAL, "stop_loss");
    free(bad);
    expect_parse_error("{\"name\":", WT_EPARSE, "");
    expect_parse_error("[]", WT_ETYPE, "object");
    expect_parse_error("{\"name\":\"x\",\"stop_loss\":0.2,\"take_profits\":{},\"moonbag\":0.5,"
                       "\"trailing_activation\":0,\"trailing_distance\":0,\"max_hold_ms\":0,"
                       "\"stagnation_band\":0,\"stagnation_ms\":0,\"exit_on_wallet_sell\":true}",
                       WT_ETYPE, "take_profits");
    expect_parse_error(
        "{\"name\":\"x\",\"stop_loss\":0.2,\"take_profits\":[{\"multiple\":2}],\"moonbag\":0.5,"
        "\"trailing_activation\":0,\"trailing_distance\":0,\"max_hold_ms\":0,"
        "\"stagnation_band\":0,\"stagnation_ms\":0,\"exit_on_wallet_sell\":true}",
        WT_ENOTFOUND, "take_profits[0]: missing field \"fraction\"");
    expect_parse_error(
        "{\"name\":\"0123456789012345678901234567890123\",\"stop_loss\":0.2,\"take_profits\":[],"
        "\"moonbag\":0.5,\"trailing_activation\":0,\"trailing_distance\":0,\"max_hold_ms\":0,"
        "\"stagnation_band\":0,\"stagnation_ms\":0,\"exit_on_wallet_sell\":true}",
        WT_ERANGE, "name");
    buf_release(&a);
}

static void test_book_select_and_overrides(void **state)
{
    (void)state;
    struct exit_book b;
    char err[EXIT_ERR_MAX];
    exit_book_init_default(&b);
    assert_int_equal(exit_book_validate(&b, err, sizeof err), 0);
    assert_string_equal(exit_book_select(&b, 0.70)->name, "default");
    assert_string_equal(exit_book_select(&b, 0.8499)->name, "default");
    assert_string_equal(exit_book_select(&b, 0.85)->name, "runner");
    assert_string_equal(exit_book_select(&b, 1.0)->name, "runner");

    /* A third tier; the highest matching min_score wins. */
    struct exit_strategy s;
    exit_strategy_default(&s);
    memcpy(s.name, "moon", 5);
    s.moonbag = 0.5;
    assert_int_equal(exit_book_put(&b, &s, err, sizeof err), 0);
    assert_int_equal(exit_book_set_override(&b, 0.95, "moon"), 0);
    assert_string_equal(exit_book_select(&b, 0.9)->name, "runner");
    assert_string_equal(exit_book_select(&b, 0.95)->name, "moon");
    assert_int_equal(exit_book_set_override(&b, 0.95, "runner"), 0); /* replaces */
    assert_int_equal(b.n_overrides, 2);
    assert_string_equal(exit_book_select(&b, 0.95)->name, "runner");
    assert_int_equal(exit_book_set_override(&b, 0.5, "nope"), WT_ENOTFOUND);
    assert_int_equal(exit_book_set_override(&b, 1.5, "moon"), WT_EINVAL);

    /* put replaces by name; an invalid strategy is refused */
    s.stop_loss = 0.1;
    assert_int_equal(exit_book_put(&b, &s, err, sizeof err), 0);
    assert_int_equal(b.n, 3);
    assert_true(exit_book_find(&b, "moon")->stop_loss == 0.1);
    s.stop_loss = 2;
    assert_int_equal(exit_book_put(&b, &s, err, sizeof err), WT_EINVAL);
    assert_true(exit_book_find(&b, "moon")->stop_loss == 0.1);

    assert_int_equal(exit_book_set_default(&b, "moon"), 0);
    assert_string_equal(exit_book_select(&b, 0.1)->name, "moon");
    assert_int_equal(exit_book_set_default(&b, "nope"), WT_ENOTFOUND);

    /* validation of a hand-built book */
    memcpy(b.overrides[0].strategy, "gone", 5);
    assert_int_equal(exit_book_validate(&b, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "gone"));
    exit_book_init_default(&b);
    b.s[1] = b.s[0];
    assert_int_equal(exit_book_validate(&b, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "twice"));
    /* full book */
    exit_book_init_default(&b);
    for (int i = 0; b.n < EXIT_BOOK_MAX; i++) {
        exit_strategy_default(&s);
        snprintf(s.name, sizeof s.name, "s%d", i);
        assert_int_equal(exit_book_put(&b, &s, err, sizeof err), 0);
    }
    memcpy(s.name, "one_more", 9);
    assert_int_equal(exit_book_put(&b, &s, err, sizeof err), WT_EFULL);
}

static void test_overrides_setting(void **state)
{
    (void)state;
    struct exit_book b;
    char err[EXIT_ERR_MAX], out[256];
    exit_book_init_default(&b);
    /* Spaces are allowed; the form is SCORE:NAME, comma-separated. */
    assert_int_equal(exit_overrides_parse(" 0.95:moon , 0.85:runner ", &b, err, sizeof err), 0);
    assert_int_equal(b.n_overrides, 2);
    assert_true(b.overrides[0].min_score == 0.95);
    assert_string_equal(b.overrides[0].strategy, "moon");
    /* Written back by ascending score, each number in its shortest form. */
    assert_int_equal(exit_overrides_format(&b, out, sizeof out), 0);
    assert_string_equal(out, "0.85:runner,0.95:moon");
    assert_int_equal(exit_overrides_format(&b, out, 12), WT_EFULL);
    /* The names are the book's business: "moon" is not in it. */
    assert_int_equal(exit_book_validate(&b, err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "moon"));
    /* "" and "none" clear them. */
    assert_int_equal(exit_overrides_parse("", &b, err, sizeof err), 0);
    assert_int_equal(b.n_overrides, 0);
    assert_int_equal(exit_overrides_format(&b, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(exit_overrides_parse("0.85:runner", &b, err, sizeof err), 0);
    assert_int_equal(exit_overrides_parse("none", &b, err, sizeof err), 0);
    assert_int_equal(b.n_overrides, 0);

    /* Each bad form is refused with the pair named, the book unchanged. */
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"0.85runner", "'0.85runner' is not SCORE:NAME"},
        {"1.5:runner", "'1.5:runner': the score must be a number in [0, 1]"},
        {"-0.1:runner", "must be a number in [0, 1]"},
        {"x:runner", "'x:runner': the score"},
        {"0.8 5:runner", "the score"},
        {"0.85:", "expected a strategy name"},
        {"0.85:run ner", "expected a strategy name"},
        {"0.85:runner,", "a trailing comma"},
        {"0.85:runner,0.85:default", "the score 0.85 appears twice"},
        {"0.1:a,0.2:a,0.3:a,0.4:a,0.5:a,0.6:a,0.7:a,0.8:a,0.9:a", "at most 8 overrides"},
    };
    exit_book_init_default(&b);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(exit_overrides_parse(bad[i].text, &b, err, sizeof err), WT_EINVAL);
        if (!strstr(err, bad[i].msg))
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, err, bad[i].msg);
        assert_int_equal(b.n_overrides, 1);
        assert_string_equal(b.overrides[0].strategy, "runner");
    }
}

static void test_book_remove(void **state)
{
    (void)state;
    struct exit_book b;
    char err[EXIT_ERR_MAX];
    exit_book_init_default(&b);
    struct exit_strategy s;
    exit_strategy_default(&s);
    snprintf(s.name, sizeof s.name, "tight");
    s.stop_loss = 0.1;
    assert_int_equal(exit_book_put(&b, &s, err, sizeof err), 0);
    snprintf(s.name, sizeof s.name, "loose");
    assert_int_equal(exit_book_put(&b, &s, err, sizeof err), 0);
    assert_int_equal(b.n, 4);

    /* Built-in, default, used by an override, unknown: refused, kept. */
    assert_int_equal(exit_book_remove(&b, "runner", err, sizeof err), WT_EINVAL);
    assert_non_null(strstr(err, "built in"));
    assert_true(exit_strategy_builtin("default") && !exit_strategy_builtin("tight"));
    assert_int_equal(exit_book_set_default(&b, "tight"), 0);
    assert_int_equal(exit_book_remove(&b, "tight", err, sizeof err), WT_ESTATE);
    assert_non_null(strstr(err, "default strategy"));
    assert_int_equal(exit_book_set_override(&b, 0.9, "loose"), 0);
    assert_int_equal(exit_book_remove(&b, "loose", err, sizeof err), WT_ESTATE);
    assert_non_null(strstr(err, "override for scores >= 0.9"));
    assert_int_equal(exit_book_remove(&b, "nope", err, sizeof err), WT_ENOTFOUND);
    assert_int_equal(b.n, 4);

    /* Free of references, it goes; the others keep their order. */
    assert_int_equal(exit_book_set_default(&b, "default"), 0);
    assert_int_equal(exit_book_remove(&b, "tight", err, sizeof err), 0);
    assert_int_equal(b.n, 3);
    assert_null(exit_book_find(&b, "tight"));
    assert_string_equal(b.s[2].name, "loose");
    assert_int_equal(exit_book_validate(&b, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_valid),
        cmocka_unit_test(test_validation_messages),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_book_select_and_overrides),
        cmocka_unit_test(test_overrides_setting),
        cmocka_unit_test(test_book_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
