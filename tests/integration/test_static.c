/* Integration tests of the dashboard's static routes: the real binary
 * serving web.dir at / and the whitelisted node_modules files at /vendor/,
 * with the right Content-Type, no token needed, and no way out of either
 * folder: "..", its percent-encoded forms, hidden files, symlinks and
 * non-whitelisted npm files all get 404. Requests are written on a raw
 * socket so that nothing (curl normalises "/../") cleans the path first. */
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
#include <sys/stat.h>
#include <unistd.h>

#include "api/routes.h"
#include "harness.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Sends "GET <target> HTTP/1.1" verbatim; returns the status, and the whole
 * response (headers and body) in out. */
static int raw_get(unsigned port, const char *target, const char *auth, struct buf *out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sConnection: close\r\n\r\n",
                     target, auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "");
    assert_true(n > 0 && (size_t)n < sizeof req);
    assert_int_equal(write(fd, req, (size_t)n), n);
    buf_reset(out);
    char chunk[4096];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        assert_int_equal(buf_append(out, chunk, (size_t)r), 0);
    close(fd);
    int status = 0;
    if (sscanf(out->data ? out->data : "", "HTTP/1.%*d %d", &status) != 1)
        return -1;
    return status;
}

struct fixture {
    char dir[256];
    char web[512];
    char mods[512];
    struct daemon d;
};

static void make_tree(struct fixture *f)
{
    harness_tmpdir(f->dir, sizeof f->dir);
    char p[1024];
    snprintf(f->web, sizeof f->web, "%s/web", f->dir);
    snprintf(f->mods, sizeof f->mods, "%s/mods", f->dir);
    assert_int_equal(mkdir(f->web, 0755), 0);
    snprintf(p, sizeof p, "%s/app", f->web);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/index.html", f->web);
    write_file(p, "<!doctype html><title>INDEX-MARK</title><script type=\"importmap\">{}"
                  "</script><script type=\"module\" src=\"/app/main.js\"></script>");
    snprintf(p, sizeof p, "%s/app/main.js", f->web);
    write_file(p, "export const MAIN_MARK = 1;");
    snprintf(p, sizeof p, "%s/app/style.css", f->web);
    write_file(p, "body{}");
    snprintf(p, sizeof p, "%s/app/.hidden.js", f->web);
    write_file(p, "HIDDEN-MARK");
    snprintf(p, sizeof p, "%s/app/notes.bin", f->web);
    write_file(p, "BIN-MARK");
    snprintf(p, sizeof p, "%s/secret.txt", f->dir);
    write_file(p, "SECRET-MARK");
    char target[1024];
    snprintf(target, sizeof target, "%s/secret.txt", f->dir);
    snprintf(p, sizeof p, "%s/app/link.js", f->web);
    assert_int_equal(symlink(target, p), 0);

    assert_int_equal(mkdir(f->mods, 0755), 0);
    const char *dirs[] = {"preact", "preact/dist", "uplot", "uplot/dist", NULL};
    for (int i = 0; dirs[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", f->mods, dirs[i]);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    snprintf(p, sizeof p, "%s/preact/dist/preact.module.js", f->mods);
    write_file(p, "export const PREACT_MARK = 1;");
    snprintf(p, sizeof p, "%s/preact/package.json", f->mods);
    write_file(p, "{\"PKG\":\"MARK\"}");
    snprintf(p, sizeof p, "%s/uplot/dist/uPlot.min.css", f->mods);
    write_file(p, ".uplot{}");
}

static void start(struct fixture *f, const char *const *env)
{
    char setweb[600], setmods[600];
    snprintf(setweb, sizeof setweb, "web.dir=%s", f->web);
    snprintf(setmods, sizeof setmods, "web.modules_dir=%s", f->mods);
    const char *args[] = {"--set", setweb, "--set", setmods, NULL};
    assert_int_equal(daemon_start(&f->d, args, env), 0);
}

static void stop(struct fixture *f)
{
    assert_int_equal(daemon_stop(&f->d, SIGTERM), 0);
    harness_rmdir(f->d.dir);
    harness_rmdir(f->dir);
}

static void test_serves_files_with_types(void **state)
{
    (void)state;
    struct fixture f;
    make_tree(&f);
    start(&f, NULL);
    struct buf r;
    buf_init(&r, 0);
    unsigned port = f.d.port;

    assert_int_equal(raw_get(port, "/", NULL, &r), 200);
    assert_non_null(strstr(r.data, "INDEX-MARK"));
    assert_non_null(strstr(r.data, "Content-Type: text/html; charset=utf-8"));
    /* The dashboard may not be framed, sniffed or made to run foreign
     * scripts: the policy allows 'self' plus the page's inline scripts by
     * hash (the browser test proves the real page works under it). */
    assert_non_null(strstr(r.data, "X-Content-Type-Options: nosniff"));
    assert_non_null(strstr(r.data, "Content-Security-Policy: default-src 'none'; script-src "
                                   "'self' 'sha256-"));
    assert_non_null(strstr(r.data, "frame-ancestors 'none'"));
    assert_null(strstr(r.data, "unsafe-inline"));
    assert_null(strstr(r.data, "unsafe-eval"));
    assert_int_equal(raw_get(port, "/index.html", NULL, &r), 200);
    assert_non_null(strstr(r.data, "INDEX-MARK"));
    assert_int_equal(raw_get(port, "/app/main.js", NULL, &r), 200);
    assert_non_null(strstr(r.data, "MAIN_MARK"));
    assert_non_null(strstr(r.data, "Content-Type: text/javascript"));
    assert_non_null(strstr(r.data, "frame-ancestors 'none'"));
    assert_non_null(strstr(r.data, "X-Content-Type-Options: nosniff"));
    assert_int_equal(raw_get(port, "/app/style.css", NULL, &r), 200);
    assert_non_null(strstr(r.data, "Content-Type: text/css"));
    /* A query string does not change the file. */
    assert_int_equal(raw_get(port, "/app/main.js?v=2", NULL, &r), 200);

    assert_int_equal(raw_get(port, "/vendor/preact/dist/preact.module.js", NULL, &r), 200);
    assert_non_null(strstr(r.data, "PREACT_MARK"));
    assert_non_null(strstr(r.data, "Content-Type: text/javascript"));
    assert_int_equal(raw_get(port, "/vendor/uplot/dist/uPlot.min.css", NULL, &r), 200);
    assert_non_null(strstr(r.data, "Content-Type: text/css"));
    /* Whitelisted but not installed: 404, not a crash. */
    assert_int_equal(raw_get(port, "/vendor/htm/dist/htm.module.js", NULL, &r), 404);
    buf_release(&r);
    stop(&f);
}

static void test_no_way_out(void **state)
{
    (void)state;
    struct fixture f;
    make_tree(&f);
    start(&f, NULL);
    struct buf r;
    buf_init(&r, 0);
    unsigned port = f.d.port;
    const char *bad[] = {
        "/app/../../secret.txt",
        "/app/%2e%2e/%2e%2e/secret.txt",
        "/app/%2E%2E/%2E%2E/secret.txt",
        "/app/..%2f..%2fsecret.txt",
        "/app/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/app/..%5c..%5csecret.txt",
        "/app/%252e%252e/%252e%252e/secret.txt",
        "/app//../secret.txt",
        "/app/.hidden.js",
        "/app/link.js",   /* a symlink out of the folder */
        "/app/notes.bin", /* no known content type */
        "/app/",
        "/app",
        "/vendor/preact/package.json",
        "/vendor/preact/dist/../package.json",
        "/vendor/preact/dist/%2e%2e/package.json",
        "/vendor/../web/index.html",
        "/vendor/",
        NULL,
    };
    for (int i = 0; bad[i]; i++) {
        int st = raw_get(port, bad[i], NULL, &r);
        if (st != 404 && st != 400)
            fail_msg("%s answered %d", bad[i], st);
        assert_null(strstr(r.data, "SECRET-MARK"));
        assert_null(strstr(r.data, "HIDDEN-MARK"));
        assert_null(strstr(r.data, "PKG"));
        assert_null(strstr(r.data, "BIN-MARK"));
    }
    /* libmicrohttpd decodes %00 into a NUL that would silently cut the
     * path to main.js: refused before any route sees it (issue 13). */
    assert_int_equal(raw_get(port, "/app/main.js%00.css", NULL, &r), 400);
    assert_null(strstr(r.data, "MAIN_MARK"));
    assert_non_null(strstr(r.data, "Content-Type: application/json"));
    buf_release(&r);
    stop(&f);
}

/* With an API token set the page and libraries still load without it,
 * while the API refuses a request without it. */
static void test_static_needs_no_token(void **state)
{
    (void)state;
    struct fixture f;
    make_tree(&f);
    const char *env[] = {"WALLTRACK_API_TOKEN=tok-123", NULL}; /* loopback: any length */
    start(&f, env);
    struct buf r;
    buf_init(&r, 0);
    assert_int_equal(raw_get(f.d.port, "/", NULL, &r), 200);
    assert_int_equal(raw_get(f.d.port, "/app/main.js", NULL, &r), 200);
    assert_int_equal(raw_get(f.d.port, "/vendor/preact/dist/preact.module.js", NULL, &r), 200);
    assert_int_equal(raw_get(f.d.port, "/v1/config", NULL, &r), 401);
    assert_int_equal(raw_get(f.d.port, "/v1/config", "Bearer tok-123", &r), 200);
    buf_release(&r);
    stop(&f);
}

/* The pure checks, without a server. */
static void test_path_rules(void **state)
{
    (void)state;
    assert_int_equal(routes_static_path_ok("index.html"), 0);
    assert_int_equal(routes_static_path_ok("app/pages/live.js"), 0);
    assert_int_equal(routes_static_path_ok("a..b.js"), 0);
    const char *bad[] = {"",           "..",         "../x", "app/../x", "app/..",
                         "app//x",     "/x",         "app/", ".env",     "app/.git/config",
                         "app\\..\\x", "app/x y.js", "-x",   NULL};
    for (int i = 0; bad[i]; i++)
        if (routes_static_path_ok(bad[i]) == 0)
            fail_msg("'%s' accepted", bad[i]);
    assert_string_equal(routes_static_type("app/a.js"), "text/javascript; charset=utf-8");
    assert_string_equal(routes_static_type("a.css"), "text/css; charset=utf-8");
    assert_null(routes_static_type("app.d/README"));
    assert_null(routes_static_type("x.exe"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_rules),
        cmocka_unit_test(test_serves_files_with_types),
        cmocka_unit_test(test_no_way_out),
        cmocka_unit_test(test_static_needs_no_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
