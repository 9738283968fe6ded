/* Integration tests of the install (cmake/dist.cmake, dist/): the tree
 * `cmake --install` lays out under a DESTDIR, moved to another folder, runs
 * and serves the complete dashboard from its own share/walltrack/web (the
 * vendored libraries included, nothing from node_modules/ or the source
 * tree); the man page and the bash completion cover every command of the
 * table and the completion completes; the systemd unit has the restart,
 * watchdog and hardening lines and passes `systemd-analyze verify`; the
 * build refuses npm packages that are not the locked versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "harness.h"

extern const char *const wt_vendor_files[];
extern const size_t wt_vendor_files_n;

/* Runs a shell command line; returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void append_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static bool file_has(const char *path, const char *needle)
{
    struct buf b;
    buf_init(&b, 0);
    bool ok = harness_read_file(path, &b) == 0 && b.data && strstr(b.data, needle);
    buf_release(&b);
    return ok;
}

/* The install, once for all tests: tmp/stage is the DESTDIR, tmp/prefix
 * the installed tree moved out of it (a relocated prefix). */
static char tmp[256], prefix[512];

static int setup(void **state)
{
    (void)state;
    harness_tmpdir(tmp, sizeof tmp);
    if (sh("DESTDIR='%s/stage' '%s' --install '%s' > '%s/install.log' 2>&1", tmp, WT_CMAKE,
           WT_BUILD_DIR, tmp) != 0)
        return -1;
    snprintf(prefix, sizeof prefix, "%s/prefix", tmp);
    return sh("mv '%s/stage%s' '%s'", tmp, WT_INSTALL_PREFIX, prefix);
}

static int teardown(void **state)
{
    (void)state;
    harness_binary = WT_BINARY;
    harness_rmdir(tmp);
    return 0;
}

static void test_installed_tree_serves_the_dashboard(void **state)
{
    (void)state;
    char p[1024], bin[1024];
    const char *files[] = {"bin/walltrack",
                           "share/walltrack/web/index.html",
                           "share/walltrack/web/app/main.js",
                           "share/man/man1/walltrack.1",
                           "share/bash-completion/completions/walltrack",
                           "lib/systemd/system/walltrack.service",
                           NULL};
    for (int i = 0; files[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", prefix, files[i]);
        assert_int_equal(access(p, R_OK), 0);
    }
    /* Marks in the installed copies: what is served must be these. */
    snprintf(p, sizeof p, "%s/share/walltrack/web/index.html", prefix);
    append_file(p, "<!-- INSTALLED-MARK -->\n");
    snprintf(p, sizeof p, "%s/share/walltrack/web/vendor/uplot/dist/uPlot.min.css", prefix);
    append_file(p, "/* VENDOR-MARK */\n");

    snprintf(bin, sizeof bin, "%s/bin/walltrack", prefix);
    harness_binary = bin;
    struct daemon d;
    assert_int_equal(daemon_start(&d, NULL, NULL), 0);
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(d.port, "GET", "/", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "INSTALLED-MARK"));
    buf_reset(&body);
    assert_int_equal(
        http_request(d.port, "GET", "/vendor/uplot/dist/uPlot.min.css", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "VENDOR-MARK"));
    /* Every library the dashboard imports is there. */
    for (size_t i = 0; i < wt_vendor_files_n; i++) {
        char path[512];
        snprintf(path, sizeof path, "/vendor/%s", wt_vendor_files[i]);
        buf_reset(&body);
        assert_int_equal(http_request(d.port, "GET", path, NULL, NULL, 0, &body), 200);
        assert_true(body.len > 0);
    }
    buf_reset(&body);
    daemon_log(&d, &body);
    assert_non_null(strstr(body.data, "dashboard files from"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* Without its share/ folder the installed daemon has no dashboard: it
     * does not fall back to a source tree or node_modules/. */
    assert_int_equal(sh("mv '%s/share/walltrack' '%s/moved'", prefix, tmp), 0);
    assert_int_equal(daemon_restart(&d, NULL, NULL), 0);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/", NULL, NULL, 0, &body), 404);
    assert_non_null(strstr(body.data, "no dashboard files"));
    buf_reset(&body);
    assert_int_equal(
        http_request(d.port, "GET", "/vendor/preact/dist/preact.module.js", NULL, NULL, 0, &body),
        404);
    /* web.dir still points anywhere. */
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    char setweb[600];
    snprintf(setweb, sizeof setweb, "web.dir=%s/moved/web", tmp);
    const char *args[] = {"--set", setweb, NULL};
    assert_int_equal(daemon_restart(&d, args, NULL), 0);
    buf_reset(&body);
    assert_int_equal(http_request(d.port, "GET", "/", NULL, NULL, 0, &body), 200);
    assert_non_null(strstr(body.data, "INSTALLED-MARK"));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(sh("mv '%s/moved' '%s/share/walltrack'", tmp, prefix), 0);
    buf_release(&body);
    harness_rmdir(d.dir);
    harness_binary = WT_BINARY;
}

static void test_man_page_and_completion_cover_every_command(void **state)
{
    (void)state;
    char man[1024], comp[1024];
    snprintf(man, sizeof man, "%s/share/man/man1/walltrack.1", prefix);
    snprintf(comp, sizeof comp, "%s/share/bash-completion/completions/walltrack", prefix);
    assert_true(file_has(man, ".TH WALLTRACK 1"));
    const char *name, *summary;
    size_t n = 0;
    for (size_t i = 0; cli_command_at(i, &name, &summary); i++, n++) {
        char ss[128];
        snprintf(ss, sizeof ss, ".SS %s\n", name);
        assert_true(file_has(man, ss));
        snprintf(ss, sizeof ss, "    %s)\n", name);
        assert_true(file_has(comp, ss));
    }
    assert_true(n > 10);
    /* The completion completes: commands, subcommands, options, settings. */
    struct {
        const char *line; /* the words typed, the last one being completed */
        const char *want; /* a word COMPREPLY must hold */
        const char *not_; /* a word it must not */
    } cases[] = {
        {"walltrack wal", "wallets", "serve"},
        {"walltrack wal", "wallet", "demo"},
        {"walltrack exits s", "show", "list"},
        {"walltrack serve --li", "--listen", "--json"},
        {"walltrack serve --set helius.api", "helius.api_key=", "server.listen="},
        {"walltrack db ", "migrate", "--speed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[1024];
        snprintf(out, sizeof out, "%s/comp.out", tmp);
        /* A trailing space means an empty word to complete. */
        const char *line = cases[i].line;
        bool empty = line[strlen(line) - 1] == ' ';
        assert_int_equal(sh("bash -c 'source \"%s\"; COMP_WORDS=(%s%s); "
                            "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _walltrack; "
                            "printf \"<%%s>\\n\" \"${COMPREPLY[@]}\"' > '%s' 2>&1",
                            comp, line, empty ? "\"\"" : "", out),
                         0);
        char want[128], not_[128];
        snprintf(want, sizeof want, "<%s>", cases[i].want);
        snprintf(not_, sizeof not_, "<%s>", cases[i].not_);
        if (!file_has(out, want) || file_has(out, not_)) {
            struct buf b;
            buf_init(&b, 0);
            harness_read_file(out, &b);
            fail_msg("completing '%s': %s", line, b.data ? b.data : "(nothing)");
        }
    }
}

static void test_systemd_unit(void **state)
{
    (void)state;
    char unit[1024];
    snprintf(unit, sizeof unit, "%s/lib/systemd/system/walltrack.service", prefix);
    const char *lines[] = {"Type=notify\n",
                           "Restart=on-failure\n",
                           "WatchdogSec=",
                           "NotifyAccess=main\n",
                           "ExecReload=/bin/kill -HUP $MAINPID\n",
                           "ProtectSystem=strict\n",
                           "PrivateTmp=yes\n",
                           "NoNewPrivileges=yes\n",
                           "EnvironmentFile=-",
                           "User=walltrack\n",
                           "StateDirectory=walltrack\n",
                           "ExecStart=" WT_INSTALL_PREFIX "/bin/walltrack serve\n",
                           NULL};
    for (int i = 0; lines[i]; i++)
        if (!file_has(unit, lines[i]))
            fail_msg("the unit lacks %s", lines[i]);
    /* The data folder is the only writable path. */
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(harness_read_file(unit, &b), 0);
    const char *rw = strstr(b.data, "\nReadWritePaths=");
    assert_non_null(rw);
    assert_null(strstr(rw + 1, "\nReadWritePaths="));
    assert_int_equal(strncmp(rw + 1, "ReadWritePaths=/", 16), 0);
    assert_non_null(strstr(rw, "/lib/walltrack\n"));
    assert_null(strchr(rw + 16, ' ') < strchr(rw + 16, '\n') ? strchr(rw + 16, ' ') : NULL);
    buf_release(&b);
    if (!WT_SYSTEMD_ANALYZE[0]) {
        print_message("systemd-analyze not found: the unit was not verified\n");
        return;
    }
    /* systemd-analyze checks that ExecStart exists: point it at the
     * installed copy; every other line is verified as shipped (the man
     * page of Documentation= is not installed system-wide: --man=no). */
    char copy[1024], out[1024];
    snprintf(copy, sizeof copy, "%s/walltrack.service", tmp);
    snprintf(out, sizeof out, "%s/verify.out", tmp);
    assert_int_equal(
        sh("sed 's|^ExecStart=[^ ]*|ExecStart=%s/bin/walltrack|' '%s' > '%s'", prefix, unit, copy),
        0);
    int rc = sh("'%s' verify --man=no '%s' > '%s' 2>&1", WT_SYSTEMD_ANALYZE, copy, out);
    struct buf o;
    buf_init(&o, 0);
    harness_read_file(out, &o);
    /* verify exits 0 even for unknown keys, which it only warns about. */
    if (rc != 0 || (o.data && strstr(o.data, "walltrack.service:")))
        fail_msg("systemd-analyze verify: %s", o.data ? o.data : "");
    buf_release(&o);
}

/* cmake/webdist.cmake on a made-up source tree. */
static void test_webdist_wants_the_locked_packages(void **state)
{
    (void)state;
    char src[512], out[512];
    snprintf(src, sizeof src, "%s/src", tmp);
    snprintf(out, sizeof out, "%s/webout", tmp);
    assert_int_equal(sh("mkdir -p '%s/web/app' && echo '<html>' > '%s/web/index.html'", src, src),
                     0);
    /* One package of every vendored file, at its locked version, plus a
     * file nobody listed. */
    assert_int_equal(sh("cd '%s' && printf '{\"packages\":{' > package-lock.json", src), 0);
    for (size_t i = 0; i < wt_vendor_files_n; i++) {
        const char *f = wt_vendor_files[i];
        size_t plen = strcspn(f, "/");
        assert_int_equal(
            sh("cd '%s' && mkdir -p \"node_modules/$(dirname '%s')\" && "
               "echo 'x' > 'node_modules/%s' && "
               "echo '{\"version\":\"1.0.0\"}' > 'node_modules/%.*s/package.json' && "
               "(grep -q '\"node_modules/%.*s\"' package-lock.json || printf "
               "'\"node_modules/%.*s\":{\"version\":\"1.0.0\"},' >> package-lock.json)",
               src, f, f, (int)plen, f, (int)plen, f, (int)plen, f),
            0);
    }
    assert_int_equal(sh("cd '%s' && printf '\"\":{}}}' >> package-lock.json && "
                        "echo secret > node_modules/preact/dist/other.js",
                        src),
                     0);
    const char *run = "'%s' -DSRC='%s' -DOUT='%s' -DLIST='%s/cmake/vendor_files.txt' "
                      "-DSTAMP='%s.stamp' -P '%s/cmake/webdist.cmake' > '%s.log' 2>&1";
    assert_int_equal(sh(run, WT_CMAKE, src, out, WT_SOURCE_DIR, out, WT_SOURCE_DIR, out), 0);
    char p[1024];
    for (size_t i = 0; i < wt_vendor_files_n; i++) {
        snprintf(p, sizeof p, "%s/vendor/%s", out, wt_vendor_files[i]);
        assert_int_equal(access(p, R_OK), 0);
    }
    snprintf(p, sizeof p, "%s/vendor/preact/dist/other.js", out);
    assert_int_not_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/index.html", out);
    assert_int_equal(access(p, R_OK), 0);

    /* node_modules installed from another lock: refused, naming it. */
    assert_int_equal(
        sh("echo '{\"version\":\"9.9.9\"}' > '%s/node_modules/uplot/package.json'", src), 0);
    assert_int_not_equal(sh(run, WT_CMAKE, src, out, WT_SOURCE_DIR, out, WT_SOURCE_DIR, out), 0);
    snprintf(p, sizeof p, "%s.log", out);
    assert_true(file_has(p, "node_modules/uplot is 9.9.9 but package-lock.json pins 1.0.0"));
    /* And no node_modules at all. */
    assert_int_equal(sh("rm -rf '%s/node_modules'", src), 0);
    assert_int_not_equal(sh(run, WT_CMAKE, src, out, WT_SOURCE_DIR, out, WT_SOURCE_DIR, out), 0);
    assert_true(file_has(p, "run scripts/setup.sh"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_installed_tree_serves_the_dashboard),
        cmocka_unit_test(test_man_page_and_completion_cover_every_command),
        cmocka_unit_test(test_systemd_unit),
        cmocka_unit_test(test_webdist_wants_the_locked_packages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
