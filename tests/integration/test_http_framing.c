/* Integration tests of HTTP framing (RFC 9112) and of the query-parameter
 * rule of the API (issue 13, items 10 and 11): exact bytes written on a
 * raw socket to the real daemon, so that no client library fixes the
 * request first. Every refusal must come back as a JSON object
 * {"error": ...} in valid UTF-8, never HTML, a reset or silence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/json.h"
#include "harness.h"

#define SECRET "framing-test-secret"

static struct daemon d;

/* Writes req (len bytes) on a fresh connection and reads until the server
 * closes it or 10 s pass. Returns the status, or -1 for no answer (reset,
 * silence); the whole response is in out. */
static int raw(const char *req, size_t len, struct buf *out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)d.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, req + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    buf_reset(out);
    char chunk[4096];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        assert_int_equal(buf_append(out, chunk, (size_t)r), 0);
    close(fd);
    int status = 0;
    if (!out->data || sscanf(out->data, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    return status;
}

static int raw_str(const char *req, struct buf *out)
{
    return raw(req, strlen(req), out);
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k = c < 0x80                   ? 1
                   : (c >= 0xc2 && c <= 0xdf) ? 2
                   : (c >= 0xe0 && c <= 0xef) ? 3
                   : (c >= 0xf0 && c <= 0xf4) ? 4
                                              : 0;
        if (k == 0 || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

/* The response in r is a JSON error: Content-Type application/json, a
 * body that is valid UTF-8 and a JSON object with a string "error".
 * Returns the body. */
static const char *assert_json_error(const struct buf *r, const char *what)
{
    /* The body follows the last blank line: libmicrohttpd 0.9.75 sends its
     * header block twice when it refuses a malformed Content-Length (a
     * library bug, seen with its HTML pages too). A JSON body holds no
     * CR LF CR LF. */
    const char *body = NULL;
    for (const char *p = r->data; (p = strstr(p, "\r\n\r\n")) != NULL; p += 4)
        body = p + 4;
    if (!body)
        fail_msg("%s: no body in %s", what, r->data);
    if (!strstr(r->data, "Content-Type: application/json"))
        fail_msg("%s: not JSON: %s", what, r->data);
    size_t n = r->len - (size_t)(body - r->data);
    if (!utf8_valid((const unsigned char *)body, n))
        fail_msg("%s: body is not valid UTF-8", what);
    struct json_doc *doc = json_doc_new(0);
    struct json_val root;
    if (json_parse(doc, body, n, 0, &root) != 0)
        fail_msg("%s: body is not JSON: %s", what, body);
    const char *err;
    assert_int_equal(json_get_str(&root, "error", &err, NULL), 0);
    json_doc_free(doc);
    return body;
}

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--set", "helius.webhook_max_body=1024", NULL};
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};
    return daemon_start(&d, args, env);
}

static int teardown(void **state)
{
    (void)state;
    int rc = daemon_stop(&d, SIGTERM);
    harness_rmdir(d.dir);
    return rc;
}

#define HOOK "POST /webhooks/helius HTTP/1.1\r\nHost: x\r\nAuthorization: " SECRET "\r\n"

/* A well-framed delivery is accepted: the refusals below are about the
 * framing, not the route. */
static void test_control(void **state)
{
    (void)state;
    struct buf r;
    buf_init(&r, 0);
    assert_int_equal(raw_str(HOOK "Content-Length: 2\r\nConnection: close\r\n\r\n[]", &r), 200);
    assert_int_equal(raw_str(HOOK "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                  "2\r\n[]\r\n0\r\n\r\n",
                             &r),
                     200);
    /* HTTP/1.0 needs no Host. */
    assert_int_equal(raw_str("GET /healthz HTTP/1.0\r\n\r\n", &r), 200);
    buf_release(&r);
}

static void test_content_length_conflicts(void **state)
{
    (void)state;
    struct buf r;
    buf_init(&r, 0);
    assert_int_equal(raw_str(HOOK "Content-Length: 2\r\nContent-Length: 5\r\n"
                                  "Connection: close\r\n\r\n[]   ",
                             &r),
                     400);
    assert_json_error(&r, "two Content-Lengths");
    assert_int_equal(raw_str(HOOK "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"
                                  "Connection: close\r\n\r\n2\r\n[]\r\n0\r\n\r\n",
                             &r),
                     400);
    assert_json_error(&r, "Content-Length and chunked");
    assert_int_equal(raw_str(HOOK "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n"
                                  "Connection: close\r\n\r\n2\r\n[]\r\n0\r\n\r\n",
                             &r),
                     400);
    buf_release(&r);
}

static void test_host_required(void **state)
{
    (void)state;
    struct buf r;
    buf_init(&r, 0);
    assert_int_equal(raw_str("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", &r), 400);
    assert_json_error(&r, "no Host");
    assert_int_equal(
        raw_str("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", &r),
        400);
    assert_json_error(&r, "two Hosts");
    buf_release(&r);
}

static void test_unknown_transfer_coding(void **state)
{
    (void)state;
    struct buf r;
    buf_init(&r, 0);
    assert_int_equal(raw_str(HOOK "Transfer-Encoding: gzip\r\nConnection: close\r\n\r\nabc", &r),
                     501);
    assert_json_error(&r, "gzip");
    assert_int_equal(raw_str(HOOK "Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n"
                                  "0\r\n\r\n",
                             &r),
                     501);
    assert_json_error(&r, "gzip, chunked");
    buf_release(&r);
}

/* A chunked body past helius.webhook_max_body (1024 here): 413 with a
 * JSON body, not a reset. */
static void test_chunked_over_limit(void **state)
{
    (void)state;
    struct buf req, r;
    buf_init(&req, 0);
    buf_init(&r, 0);
    buf_puts(&req, HOOK "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < 8; i++) {
        buf_puts(&req, "200\r\n"); /* 512 bytes */
        for (int k = 0; k < 512; k++)
            buf_putc(&req, 'x');
        buf_puts(&req, "\r\n");
    }
    buf_puts(&req, "0\r\n\r\n");
    assert_int_equal(raw(req.data, req.len, &r), 413);
    const char *body = assert_json_error(&r, "chunked 4 KB");
    assert_non_null(strstr(body, "1024"));
    buf_release(&req);
    buf_release(&r);
}

/* Errors that echo the request never echo invalid UTF-8. */
static void test_errors_are_utf8(void **state)
{
    (void)state;
    struct buf r;
    buf_init(&r, 0);
    assert_int_equal(raw_str("GET /nope\xff\xfe%ff%c3 HTTP/1.1\r\nHost: x\r\nConnection: close"
                             "\r\n\r\n",
                             &r),
                     404);
    const char *body = assert_json_error(&r, "404 with bad bytes");
    assert_non_null(strstr(body, "/nope"));
    assert_non_null(strstr(body, "\xef\xbf\xbd")); /* U+FFFD in place of the bad bytes */
    /* A parameter name of bad bytes, refused by a route that names it. */
    assert_int_equal(raw_str("GET /v1/smart-money/wallets?%ff%fe=1 HTTP/1.1\r\nHost: x\r\n"
                             "Connection: close\r\n\r\n",
                             &r),
                     400);
    assert_json_error(&r, "bad parameter name (wallets)");
    assert_int_equal(raw_str("GET /v1/signals?%ff%fe=1 HTTP/1.1\r\nHost: x\r\n"
                             "Connection: close\r\n\r\n",
                             &r),
                     400);
    assert_json_error(&r, "bad parameter name (signals)");
    /* A handler's own error without a body still answers JSON (405). */
    assert_int_equal(
        raw_str("DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r), 405);
    assert_json_error(&r, "405");
    buf_release(&r);
}

/* Requests libmicrohttpd refuses itself, before any callback of ours:
 * its fixed pages were HTML; they must be JSON like every other error. */
static void test_library_refusals_are_json(void **state)
{
    (void)state;
    struct buf r, big;
    buf_init(&r, 0);
    buf_init(&big, 0);
    assert_int_equal(raw_str("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n"
                             "Connection: close\r\n\r\n",
                             &r),
                     400);
    assert_json_error(&r, "unparsable Content-Length");
    assert_int_equal(raw_str("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: "
                             "99999999999999999999999\r\nConnection: close\r\n\r\n",
                             &r),
                     413);
    assert_json_error(&r, "Content-Length past 2^64");
    assert_int_equal(raw_str("GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", &r), 505);
    assert_json_error(&r, "HTTP/2.0 over HTTP/1 framing");
    assert_int_equal(raw_str("GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", &r), 400);
    assert_json_error(&r, "header line without a colon");
    assert_int_equal(raw_str(HOOK "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                  "zz\r\n[]\r\n0\r\n\r\n",
                             &r),
                     400);
    assert_json_error(&r, "bad chunk size");
    buf_puts(&big, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    for (int i = 0; i < 200000; i++)
        buf_putc(&big, 'a');
    buf_puts(&big, "\r\nConnection: close\r\n\r\n");
    assert_int_equal(raw(big.data, big.len, &r), 431);
    assert_json_error(&r, "header block too large");
    buf_release(&big);
    buf_release(&r);
}

/* %00 decodes to a NUL that would silently cut the path or a value. */
static void test_nul_refused(void **state)
{
    (void)state;
    struct buf r;
    buf_init(&r, 0);
    const char *bad[] = {
        "/healthz%00.json",
        "/v1/signals?limit=5%00",
        "/v1/trades?wallet=abc%00def",
        "/v1/signals?li%00mit=5",
        NULL,
    };
    for (int i = 0; bad[i]; i++) {
        char req[512];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 bad[i]);
        int st = raw_str(req, &r);
        if (st != 400)
            fail_msg("%s answered %d", bad[i], st);
        assert_json_error(&r, bad[i]);
    }
    buf_release(&r);
}

/* Every route declares its query parameters: unknown, misspelled and
 * repeated ones are 400 naming the parameter (docs/api.md). */
static void test_query_parameters(void **state)
{
    (void)state;
    struct buf r;
    buf_init(&r, 0);
    struct {
        const char *target;
        const char *param;
    } bad[] = {
        {"/v1/signals?limt=5", "limt"},
        {"/v1/signals?limit=5&limit=6", "limit"},
        {"/v1/trades?wallet=a&Wallet=b", "Wallet"},
        {"/v1/alerts?kinds=x", "kinds"},
        {"/v1/status?verbose=1", "verbose"},
        {"/v1/config/history?limit=5&nme=x", "nme"},
        {"/v1/performance?since=0&point=3", "point"},
        {"/healthz?x", "x"},
        {NULL, NULL},
    };
    for (int i = 0; bad[i].target; i++) {
        char req[512];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 bad[i].target);
        int st = raw_str(req, &r);
        if (st != 400)
            fail_msg("%s answered %d", bad[i].target, st);
        assert_json_error(&r, bad[i].target);
        char want[64];
        snprintf(want, sizeof want, "\"parameter\":\"%s\"", bad[i].param);
        if (!strstr(r.data, want))
            fail_msg("%s: the answer does not name %s: %s", bad[i].target, bad[i].param, r.data);
    }
    /* The declared ones still work. */
    const char *good[] = {
        "/v1/signals?limit=5&since=0&before=0&wallet=x&decision=trade&mode=paper",
        "/v1/trades?limit=5&since=0&mode=paper&wallet=x",
        "/v1/alerts?limit=5&kind=x",
        "/v1/config/history?limit=5&name=log.level",
        "/v1/performance?since=0&points=10",
        "/app/main.js?v=2",
        NULL,
    };
    for (int i = 0; good[i]; i++) {
        char req[512];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 good[i]);
        int st = raw_str(req, &r);
        if (st != 200)
            fail_msg("%s answered %d: %s", good[i], st, r.data);
    }
    buf_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_content_length_conflicts),
        cmocka_unit_test(test_host_required),
        cmocka_unit_test(test_unknown_transfer_coding),
        cmocka_unit_test(test_chunked_over_limit),
        cmocka_unit_test(test_errors_are_utf8),
        cmocka_unit_test(test_library_refusals_are_json),
        cmocka_unit_test(test_nul_refused),
        cmocka_unit_test(test_query_parameters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
