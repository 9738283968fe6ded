/* Integration test of the exit-book API (FR49-FR51) against the real
 * daemon on a real SQLite file:
 *
 *   * GET /v1/exits lists the built-in strategies, the default and the
 *     override;
 *   * PUT /v1/exits/strategies/{name}: an invalid strategy (a bad value, an
 *     unknown field, a missing one, a name that differs from the path) gets
 *     400 naming the field and changes nothing; a good one is added, then
 *     edited;
 *   * the default and the overrides move to it through PUT /v1/config; a
 *     name that is not in the book is refused;
 *   * DELETE refuses a built-in strategy and the default; the changes are
 *     in GET /v1/config/history;
 *   * after a restart the strategy, the default and the overrides are
 *     back; then the strategy is removed and stays removed;
 *   * `walltrack exits list|show|put|delete` does the same from the
 *     command line, a bad file named before anything is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "harness.h"

#define TIGHT                                                                                      \
    "{\"name\":\"tight\",\"stop_loss\":0.1,\"take_profits\":[{\"multiple\":1.5,\"fraction\":0.5}]" \
    ","                                                                                            \
    "\"moonbag\":0.2,\"moonbag_from_entry\":false,\"trailing_activation\":1.5,"                    \
    "\"trailing_distance\":0.1,\"max_hold_ms\":3600000,\"stagnation_band\":0,\"stagnation_ms\":0," \
    "\"exit_on_wallet_sell\":true}"

static long call(unsigned port, const char *method, const char *path, const char *json,
                 struct buf *body)
{
    buf_reset(body);
    return http_request(port, method, path, NULL, json, json ? strlen(json) : 0, body);
}

/* The names of the book's strategies, "a,b,c", and its default. */
static void book(unsigned port, char *names, size_t n, char *def, size_t defn)
{
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(call(port, "GET", "/v1/exits", NULL, &body), 200);
    struct json_doc *d = json_doc_new(64);
    struct json_val root, arr, item, s;
    assert_int_equal(json_parse(d, body.data, body.len, 0, &root), 0);
    const char *str;
    size_t len;
    assert_int_equal(json_get_str(&root, "default", &str, &len), 0);
    snprintf(def, defn, "%.*s", (int)len, str);
    names[0] = '\0';
    assert_int_equal(json_find(&root, "strategies", &arr), 0);
    struct json_iter it;
    assert_int_equal(json_iter_init(&arr, &it), 0);
    while (json_iter_next(&it, &item)) {
        assert_int_equal(json_find(&item, "strategy", &s), 0);
        assert_int_equal(json_get_str(&s, "name", &str, &len), 0);
        snprintf(names + strlen(names), n - strlen(names), "%s%.*s", names[0] ? "," : "", (int)len,
                 str);
    }
    json_doc_free(d);
    buf_release(&body);
}

static void test_exit_book_api(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    struct buf body;
    buf_init(&body, 0);
    char names[256], def[64];

    assert_int_equal(call(d.port, "GET", "/v1/exits", NULL, &body), 200);
    assert_non_null(strstr(body.data, "\"overrides_setting\":\"0.85:runner\""));
    assert_non_null(strstr(body.data, "\"builtin\":true"));
    book(d.port, names, sizeof names, def, sizeof def);
    assert_string_equal(names, "default,runner");
    assert_string_equal(def, "default");

    /* Invalid: 400 naming the field, nothing added. */
    static const struct {
        const char *from, *to, *msg; /* TIGHT with from replaced by to */
    } bad[] = {
        {"\"stop_loss\":0.1,", "\"stop_loss\":1.1,", "stop_loss: 1.1 is not a fraction"},
        {"\"stop_loss\":0.1,", "\"stop_lose\":0.1,", "stop_lose"},
        {"\"moonbag\":0.2,", "", "missing field \\\"moonbag\\\""},
        {"\"moonbag\":0.2,", "\"moonbag\":0.6,", "moonbag"},
        {"{\"multiple\":1.5,", "{\"multiple\":0.5,", "multiple"},
        {"{\"name\":\"tight\"", "[{\"name\":\"tight\"", ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char json[1024];
        const char *at = strstr(TIGHT, bad[i].from);
        assert_non_null(at);
        snprintf(json, sizeof json, "%.*s%s%s", (int)(at - TIGHT), TIGHT, bad[i].to,
                 at + strlen(bad[i].from));
        assert_int_equal(call(d.port, "PUT", "/v1/exits/strategies/tight", json, &body), 400);
        if (!strstr(body.data, bad[i].msg))
            fail_msg("%s: %s lacks %s", json, body.data, bad[i].msg);
    }
    assert_int_equal(call(d.port, "PUT", "/v1/exits/strategies/other", TIGHT, &body), 400);
    assert_non_null(strstr(body.data, "differs from the strategy in the path"));
    book(d.port, names, sizeof names, def, sizeof def);
    assert_string_equal(names, "default,runner");

    /* Added, then edited in place. */
    assert_int_equal(call(d.port, "PUT", "/v1/exits/strategies/tight", TIGHT, &body), 200);
    assert_non_null(strstr(body.data, "\"name\":\"tight\",\"stop_loss\":0.1,"));
    char json[1024];
    snprintf(json, sizeof json, "%s", TIGHT);
    memcpy(strstr(json, "\"stop_loss\":0.1,"), "\"stop_loss\":0.2,", 16);
    assert_int_equal(call(d.port, "PUT", "/v1/exits/strategies/tight", json, &body), 200);
    assert_non_null(strstr(body.data, "\"name\":\"tight\",\"stop_loss\":0.2,"));
    book(d.port, names, sizeof names, def, sizeof def);
    assert_string_equal(names, "default,runner,tight");

    /* The default and an override name it; unknown names are refused. */
    assert_int_equal(
        call(d.port, "PUT", "/v1/config", "{\"trade.default_strategy\":\"nope\"}", &body), 400);
    assert_non_null(strstr(body.data, "is not in the book, which has: default, runner, tight"));
    assert_int_equal(call(d.port, "PUT", "/v1/config",
                          "{\"trade.exit_overrides\":\"0.9:runner,0.8:gone\"}", &body),
                     400);
    assert_non_null(strstr(body.data, "'gone'"));
    assert_int_equal(call(d.port, "PUT", "/v1/config",
                          "{\"trade.default_strategy\":\"tight\","
                          "\"trade.exit_overrides\":\"0.95:runner, 0.8:tight\"}",
                          &body),
                     200);

    /* DELETE: built-in and default refused, with the reason. */
    assert_int_equal(call(d.port, "DELETE", "/v1/exits/strategies/runner", NULL, &body), 400);
    assert_non_null(strstr(body.data, "built in"));
    assert_int_equal(call(d.port, "DELETE", "/v1/exits/strategies/tight", NULL, &body), 409);
    assert_non_null(strstr(body.data, "default strategy"));
    assert_int_equal(call(d.port, "DELETE", "/v1/exits/strategies/nope", NULL, &body), 404);

    /* The history has the strategy's two versions. */
    assert_int_equal(
        call(d.port, "GET", "/v1/config/history?name=exits.strategy.tight", NULL, &body), 200);
    assert_non_null(strstr(body.data, "\\\"stop_loss\\\":0.2"));
    assert_non_null(strstr(body.data, "\\\"stop_loss\\\":0.1"));
    assert_int_equal(call(d.port, "GET", "/v1/config/history", NULL, &body), 200);
    assert_non_null(strstr(body.data, "\"name\":\"exits.strategy.tight\""));
    assert_non_null(strstr(body.data, "\"name\":\"trade.exit_overrides\""));

    /* A restart brings it all back. */
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(daemon_restart(&d, NULL, NULL), 0);
    book(d.port, names, sizeof names, def, sizeof def);
    assert_string_equal(names, "default,runner,tight");
    assert_string_equal(def, "tight");
    assert_int_equal(call(d.port, "GET", "/v1/exits", NULL, &body), 200);
    assert_non_null(strstr(body.data, "\"overrides_setting\":\"0.8:tight,0.95:runner\""));
    assert_non_null(strstr(body.data, "\"name\":\"tight\",\"stop_loss\":0.2,"));

    /* Freed of its references it can go, and stays gone. */
    assert_int_equal(call(d.port, "PUT", "/v1/config",
                          "{\"trade.default_strategy\":\"default\","
                          "\"trade.exit_overrides\":\"0.85:runner\"}",
                          &body),
                     200);
    assert_int_equal(call(d.port, "DELETE", "/v1/exits/strategies/tight", NULL, &body), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(daemon_restart(&d, NULL, NULL), 0);
    book(d.port, names, sizeof names, def, sizeof def);
    assert_string_equal(names, "default,runner");
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    harness_rmdir(d.dir);
}

/* `walltrack exits ...` against the daemon: output in *out, exit status. */
static int cli(const struct daemon *d, struct buf *out, const char *a1, const char *a2)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", d->port);
    const char *argv[6] = {"exits", a1};
    int n = 2;
    if (a2)
        argv[n++] = a2;
    argv[n++] = "--url";
    argv[n++] = url;
    buf_reset(out);
    return harness_run(d->dir, argv, NULL, 30, out);
}

static void test_exits_cli(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(cli(&d, &out, "list", NULL), 0);
    assert_non_null(strstr(out.data, "default strategy: default"));
    assert_non_null(strstr(out.data, "runner               stop 35%, sell 25% at 3x"));

    /* show -> edit -> put: a new strategy from a built-in one. */
    assert_int_equal(cli(&d, &out, "show", "default"), 0);
    assert_non_null(strstr(out.data, "{\"name\":\"default\",\"stop_loss\":0.3,"));
    char path[512], json[1024];
    snprintf(path, sizeof path, "%s/tight.json", d.dir);
    snprintf(json, sizeof json, "%s", TIGHT);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
    assert_int_equal(cli(&d, &out, "put", path), 0);
    assert_non_null(strstr(out.data, "saved exit strategy tight"));
    assert_int_equal(cli(&d, &out, "list", NULL), 0);
    assert_non_null(
        strstr(out.data, "tight                stop 10%, sell 50% at 1.5x, moonbag 20%"));

    /* The default and the overrides, and a name not in the book. */
    assert_int_equal(cli(&d, &out, "default", "tight"), 0);
    assert_int_equal(cli(&d, &out, "overrides", "0.9:runner, 0.8:tight"), 0);
    assert_int_equal(cli(&d, &out, "list", NULL), 0);
    assert_non_null(strstr(out.data, "default strategy: tight"));
    assert_non_null(strstr(out.data, "score overrides:  0.8:tight,0.9:runner"));
    assert_int_equal(cli(&d, &out, "default", "nope"), 1);
    assert_non_null(strstr(out.data, "is not in the book"));
    assert_int_equal(cli(&d, &out, "default", "a\"b"), 2);
    assert_int_equal(cli(&d, &out, "overrides", "0.85:runner"), 0);
    assert_int_equal(cli(&d, &out, "default", "default"), 0);

    /* A misspelt field is named; the daemon is not asked. */
    f = fopen(path, "w");
    fputs("{\"name\":\"bad\",\"stop_lose\":0.1}", f);
    fclose(f);
    assert_int_equal(cli(&d, &out, "put", path), 1);
    assert_non_null(strstr(out.data, "unknown field \"stop_lose\""));
    /* Refusals of the daemon come back with its message. */
    assert_int_equal(cli(&d, &out, "delete", "runner"), 1);
    assert_non_null(strstr(out.data, "built in"));
    assert_int_equal(cli(&d, &out, "delete", "tight"), 0);
    assert_int_equal(cli(&d, &out, "show", "tight"), 1);
    assert_non_null(strstr(out.data, "no exit strategy named 'tight'"));
    assert_int_equal(cli(&d, &out, "frob", "x"), 2);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&out);
    harness_rmdir(d.dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_book_api),
        cmocka_unit_test(test_exits_cli),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
