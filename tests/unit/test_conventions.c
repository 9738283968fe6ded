/* One convention each (issue 14 item 6), checked over the source tree.
 *
 * Each test reads the files under src/ (or tests/) as text and fails with
 * the file and line of every place that breaks a convention:
 *   - time units come from base/clock.h (MS_PER_HOUR, NS_PER_MS, ...): no
 *     literal 60000 / 3600000 / 86400000 and no local #define of a unit;
 *   - every runner_command() waits COMMAND_WAIT_MS, defined once;
 *   - struct wallet is defined once;
 *   - the CLI allocates through base/mem.h (xmalloc, xcalloc, ...);
 *   - a test that skips says so through cmocka's skip(), not a bare return;
 *   - invariant checks are named *_ok (bool), input checks *_validate.
 * Comments and string literals are blanked before matching, so prose and
 * messages may still say "60000". */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/mem.h"

typedef void (*file_fn)(const char *rel, char *text, void *arg);

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, n);
    fclose(fp);
    buf_append(&b, "", 1);
    return buf_detach(&b, NULL);
}

static bool is_source(const char *name)
{
    size_t n = strlen(name);
    return (n > 2 && (strcmp(name + n - 2, ".c") == 0 || strcmp(name + n - 2, ".h") == 0)) ||
           (n > 3 && strcmp(name + n - 3, ".cc") == 0);
}

/* Calls fn on every .c/.h/.cc file under WT_SOURCE_DIR/rel, recursively. */
static void walk(const char *rel, file_fn fn, void *arg)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WT_SOURCE_DIR, rel);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024], full[1200];
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        snprintf(full, sizeof full, "%s/%s", WT_SOURCE_DIR, sub);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(sub, fn, arg);
        } else if (S_ISREG(st.st_mode) && is_source(e->d_name)) {
            char *text = slurp(full);
            assert_non_null(text);
            fn(sub, text, arg);
            free(text);
        }
    }
    closedir(d);
}

/* Blanks comments and the insides of string and character literals with
 * spaces, keeping newlines, so line numbers stay right. */
static void blank_comments_strings(char *s)
{
    for (char *p = s; *p;) {
        if (p[0] == '/' && p[1] == '*') {
            p[0] = p[1] = ' ';
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) {
                if (*p != '\n')
                    *p = ' ';
                p++;
            }
            if (*p) {
                p[0] = p[1] = ' ';
                p += 2;
            }
        } else if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                *p++ = ' ';
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (*p && *p != q && *p != '\n') {
                if (*p == '\\' && p[1] && p[1] != '\n')
                    *p++ = ' ';
                *p++ = ' ';
            }
            if (*p == q)
                p++;
        } else {
            p++;
        }
    }
}

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

struct scan {
    regex_t re;
    const char *const *skip; /* files (relative paths) exempt */
    int hits;
    struct buf report;
};

static void scan_file(const char *rel, char *text, void *arg)
{
    struct scan *sc = arg;
    for (const char *const *s = sc->skip; s && *s; s++)
        if (strcmp(rel, *s) == 0)
            return;
    blank_comments_strings(text);
    regmatch_t m;
    const char *p = text;
    while (regexec(&sc->re, p, 1, &m, p == text ? 0 : REG_NOTBOL) == 0) {
        const char *at = p + m.rm_so;
        const char *eol = strchr(at, '\n');
        int len = (int)(eol ? eol - at : (ptrdiff_t)strlen(at));
        buf_printf(&sc->report, "  %s:%d: %.*s\n", rel, line_of(text, at), len > 80 ? 80 : len, at);
        sc->hits++;
        p += m.rm_eo > m.rm_so ? m.rm_eo : m.rm_so + 1;
        if (*p == '\0')
            break;
    }
}

/* Runs pattern over the tree under rel; returns the number of matches and
 * prints each one. */
static int scan_tree(const char *rel, const char *pattern, const char *const *skip,
                     const char *what)
{
    struct scan sc = {.skip = skip};
    assert_int_equal(regcomp(&sc.re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
    buf_init(&sc.report, 0);
    walk(rel, scan_file, &sc);
    if (sc.hits)
        print_message("%s (%d):\n%s", what, sc.hits, sc.report.data);
    regfree(&sc.re);
    buf_release(&sc.report);
    return sc.hits;
}

/* (a) One set of time units, in base/clock.h. */
static void test_time_units_come_from_clock_h(void **state)
{
    (void)state;
    static const char *const skip[] = {"src/base/clock.h", "src/base/config_table.h", NULL};
    int n = scan_tree("src",
                      "(^|[^0-9A-Za-z_.])(60000|3600000|86400000|86399999)(LL|L|ULL|UL|U|u|\\.0)?"
                      "([^0-9A-Za-z_.]|$)",
                      skip, "time-unit literals outside base/clock.h");
    n +=
        scan_tree("src",
                  "^[ \t]*#[ \t]*define[ \t]+[A-Z_]+[ \t]+\\(?(1000|60000|3600000|86400000|1000000|"
                  "1000000000)(LL|L)\\)?[ \t]*$",
                  skip, "local definitions of a time unit");
    n += scan_tree("src", "clock_mono_ns\\(\\)[^;]*/ *(1000000|1000000000)([^0-9]|$)", skip,
                   "nanosecond conversions written as literals");
    assert_int_equal(n, 0);
}

/* (b) The engine's command wait is one constant. */
static int own_waits;
static void wait_file(const char *rel, char *text, void *arg)
{
    (void)arg;
    if (strncmp(rel, "src/trade/runner.", 17) == 0)
        return;
    blank_comments_strings(text);
    for (char *p = text; (p = strstr(p, "runner_command(")) != NULL; p++) {
        /* the third top-level argument */
        char *a = p + strlen("runner_command("), *start = NULL, *end = NULL;
        int depth = 0, arg_no = 0;
        for (char *q = a; *q && depth >= 0; q++) {
            if (*q == '(')
                depth++;
            else if (*q == ')')
                depth--;
            else if (*q == ',' && depth == 0) {
                arg_no++;
                if (arg_no == 2)
                    start = q + 1;
                else if (arg_no == 3) {
                    end = q;
                    break;
                }
            }
        }
        if (start == NULL || end == NULL)
            continue; /* the declaration's own text, or a call split oddly */
        while (start < end && (*start == ' ' || *start == '\n' || *start == '\t'))
            start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) != strlen("COMMAND_WAIT_MS") ||
            strncmp(start, "COMMAND_WAIT_MS", (size_t)(end - start)) != 0) {
            print_message("  %s:%d: runner_command waits %.*s\n", rel, line_of(text, p),
                          (int)(end - start), start);
            own_waits++;
        }
    }
}

static void test_command_wait_is_one_constant(void **state)
{
    (void)state;
    own_waits = 0;
    walk("src", wait_file, NULL);
    assert_int_equal(own_waits, 0);
    assert_int_equal(scan_tree("src", "#[ \t]*define[ \t]+COMMAND_WAIT_MS[ \t]", NULL,
                               "definitions of COMMAND_WAIT_MS"),
                     1);
}

/* (c) struct wallet is defined once. */
static void test_struct_wallet_defined_once(void **state)
{
    (void)state;
    assert_int_equal(scan_tree("src", "^struct wallet \\{", NULL, "definitions of struct wallet"),
                     1);
}

/* (d) The CLI allocates through base/mem.h. */
static void test_cli_allocates_through_mem_h(void **state)
{
    (void)state;
    assert_int_equal(scan_tree("src/cli",
                               "(^|[^A-Za-z0-9_])(malloc|calloc|realloc|strdup)[ \t]*\\(", NULL,
                               "unchecked allocations in src/cli"),
                     0);
}

/* (e) A test that skips calls skip(): a message then a bare return counts
 * as a pass and hides the skip from the test summary. The message text is
 * blanked with the other strings, so the pattern looks for the print call
 * followed by return. */
static int silent_skips;
static void skip_file(const char *rel, char *text, void *arg)
{
    (void)arg;
    for (char *p = text; (p = strstr(p, "skipped")) != NULL; p++) {
        char *call = p;
        while (call > text && call[-1] != '\n')
            call--;
        if (strstr(call, "print") == NULL || strstr(call, "print") > p)
            continue;
        char *after = strchr(p, ';');
        if (after == NULL)
            continue;
        after++;
        while (*after == ' ' || *after == '\n' || *after == '\t')
            after++;
        if (strncmp(after, "return;", 7) == 0) {
            print_message("  %s:%d: a skip that returns without skip()\n", rel, line_of(text, p));
            silent_skips++;
        }
    }
}

static void test_skips_go_through_cmocka(void **state)
{
    (void)state;
    silent_skips = 0;
    walk("tests/unit", skip_file, NULL);
    walk("tests/integration", skip_file, NULL);
    assert_int_equal(silent_skips, 0);
}

/* (g) *_check names: invariants are *_ok (bool), input checks *_validate
 * (0 or WT_E*). Left as they are: the `wallet check` command
 * (cmd_wallet.c) and the simulator's EV_CHECK handler (on_check). */
static int check_names;
static void names_file(const char *rel, char *text, void *arg)
{
    (void)arg;
    blank_comments_strings(text);
    regex_t re;
    assert_int_equal(
        regcomp(&re, "^[a-z][a-z0-9_ *]*[ *]([a-z0-9_]+_check)\\(", REG_EXTENDED | REG_NEWLINE), 0);
    regmatch_t m[2];
    const char *p = text;
    while (regexec(&re, p, 2, m, p == text ? 0 : REG_NOTBOL) == 0) {
        int len = (int)(m[1].rm_eo - m[1].rm_so);
        const char *name = p + m[1].rm_so;
        bool allowed = (len == 12 && strncmp(name, "wallet_check", 12) == 0) ||
                       (len == 8 && strncmp(name, "on_check", 8) == 0);
        if (!allowed) {
            print_message("  %s:%d: %.*s\n", rel, line_of(text, name), len, name);
            check_names++;
        }
        p += m[0].rm_eo;
    }
    regfree(&re);
}

static void test_check_names_say_what_they_return(void **state)
{
    (void)state;
    check_names = 0;
    walk("src", names_file, NULL);
    assert_int_equal(check_names, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_units_come_from_clock_h),
        cmocka_unit_test(test_command_wait_is_one_constant),
        cmocka_unit_test(test_struct_wallet_defined_once),
        cmocka_unit_test(test_cli_allocates_through_mem_h),
        cmocka_unit_test(test_skips_go_through_cmocka),
        cmocka_unit_test(test_check_names_say_what_they_return),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
