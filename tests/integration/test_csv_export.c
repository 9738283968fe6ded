/* Integration test of the CSV exports: ?format=csv on the API's lists
 * (same filters as the JSON, Content-Type text/csv, a filename) and
 * `--format csv` on the CLI's lists, from the real daemon and binary.
 * Routes without a list, the event stream and unknown formats are
 * refused with 400. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <string.h>

#include "harness.h"

#define W1 "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
#define W2 "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

/* GET path; the status, the headers and the body. */
static long get(unsigned port, const char *path, struct buf *headers, struct buf *body)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    CURL *c = curl_easy_init();
    buf_reset(headers);
    buf_reset(body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, headers);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    buf_putc(body, '\0');
    body->len--;
    return status;
}

static size_t lines(const char *s)
{
    size_t n = 0;
    for (; s && (s = strstr(s, "\r\n")); s += 2)
        n++;
    return n;
}

static void post(unsigned port, const char *path, const char *json)
{
    assert_int_equal(http_request(port, "POST", path, "Content-Type: application/json", json,
                                  strlen(json), NULL),
                     200);
}

static void test_api_and_cli_exports(void **state)
{
    (void)state;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    post(d.port, "/v1/watchlist", "{\"wallet\":\"" W1 "\"}");
    post(d.port, "/v1/watchlist", "{\"wallet\":\"" W2 "\"}");
    post(d.port, "/v1/control/pause", "{}");
    post(d.port, "/v1/control/resume", "{}");
    struct buf h, b;
    buf_init(&h, 0);
    buf_init(&b, 0);

    /* Alerts: a header and one row per alert, as the JSON has. */
    assert_int_equal(get(d.port, "/v1/alerts?format=csv", &h, &b), 200);
    assert_non_null(strstr(h.data, "Content-Type: text/csv; charset=utf-8"));
    assert_non_null(
        strstr(h.data, "Content-Disposition: attachment; filename=\"walltrack-alerts.csv\""));
    assert_true(strncmp(b.data, "id,", 3) == 0);
    assert_non_null(strstr(b.data, "paused by the operator"));
    assert_int_equal(lines(b.data), 1 + 2);
    /* The same filters: one kind, a limit. */
    assert_int_equal(get(d.port, "/v1/alerts?format=csv&limit=1", &h, &b), 200);
    assert_int_equal(lines(b.data), 1 + 1);
    assert_int_equal(get(d.port, "/v1/alerts?format=json&limit=1", &h, &b), 200);
    assert_non_null(strstr(h.data, "application/json"));

    /* The watchlist and the smart-money wallets (nested objects flattened). */
    assert_int_equal(get(d.port, "/v1/watchlist?format=csv", &h, &b), 200);
    assert_non_null(strstr(b.data, W1));
    assert_non_null(strstr(b.data, W2));
    assert_int_equal(get(d.port, "/v1/smart-money/wallets?format=csv", &h, &b), 200);
    assert_non_null(strstr(h.data, "filename=\"walltrack-smart-money-wallets.csv\""));
    assert_non_null(strstr(b.data, "scoring.smartMoneyScore"));
    assert_int_equal(lines(b.data), 1 + 2);

    /* Refusals. */
    assert_int_equal(get(d.port, "/v1/alerts?format=xml", &h, &b), 400);
    assert_int_equal(get(d.port, "/healthz?format=csv", &h, &b), 400);
    assert_non_null(strstr(b.data, "no list to export"));
    assert_int_equal(get(d.port, "/v1/stream?format=csv", &h, &b), 400);
    assert_int_equal(get(d.port, "/metrics?format=csv", &h, &b), 400);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* The CLI: the same wallets, from the database. */
    char data[512];
    snprintf(data, sizeof data, "%s/data", d.dir);
    const char *argv[] = {"wallets", "list", "--data", data, "--format", "csv", NULL};
    buf_reset(&b);
    assert_int_equal(harness_run(d.dir, argv, NULL, 30, &b), 0);
    assert_true(strncmp(b.data, "walletAddress,", 14) == 0);
    assert_non_null(strstr(b.data, W1));
    assert_int_equal(lines(b.data), 1 + 2);
    const char *bad[] = {"version", "--format", "csv", NULL};
    buf_reset(&b);
    assert_int_equal(harness_run(d.dir, bad, NULL, 30, &b), 2);
    assert_non_null(strstr(b.data, "--format csv works with the commands that print JSON"));
    buf_release(&h);
    buf_release(&b);
    harness_rmdir(d.dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_and_cli_exports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
