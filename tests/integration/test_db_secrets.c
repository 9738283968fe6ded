/* Integration tests of how the real binary handles the database's name and
 * its secrets:
 *   - a libpq keyword/value string ("host=... password=...") is refused, not
 *     taken as a SQLite path (no file named after it);
 *   - `db check` never creates a database file;
 *   - a malformed postgresql:// URL is refused without echoing the password
 *     (libpq's own message quotes it);
 *   - `--db` refuses a URL with a password (it would sit in the process list
 *     and the shell history) and says to use WALLTRACK_DB / WALLTRACK_DB_FILE;
 *   - `walltrack backup` on PostgreSQL gives pg_dump a connection string
 *     without the password on its command line; the password reaches it in
 *     a 0600 passfile (PGPASSFILE) that is removed afterwards. A fake
 *     pg_dump first on PATH records its argv and environment. Needs the
 *     throwaway server of tests/store/with_pg.sh (cmake/tests_store.cmake);
 *     skipped without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "hunter2Zq9"

/* Entries of dir other than the harness's own output files. */
static int count_other_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "run.out") == 0 || strcmp(e->d_name, "run.err") == 0 ||
            strcmp(e->d_name, "bin") == 0)
            continue;
        print_message("unexpected file: %s\n", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

static void test_keyword_string_refused(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    const char *env[] = {"WALLTRACK_DB=host=localhost password=" PASSWORD " dbname=walltrack",
                         NULL};
    const char *cmds[][2] = {{"db", "check"}, {"db", "migrate"}};
    for (size_t i = 0; i < 2; i++) {
        struct buf out;
        buf_init(&out, 0);
        const char *argv[] = {cmds[i][0], cmds[i][1], NULL};
        int rc = harness_run(dir, argv, env, 30, &out);
        /* no file named after the string */
        assert_int_equal(count_other_files(dir), 0);
        assert_int_not_equal(rc, 0);
        assert_null(strstr(out.data ? out.data : "", PASSWORD));
        /* it says what is accepted */
        assert_non_null(strstr(out.data, "postgresql://"));
        buf_release(&out);
    }
    harness_rmdir(dir);
}

static void test_check_creates_nothing(void **state)
{
    (void)state;
    char dir[256], db[512], arg[600];
    harness_tmpdir(dir, sizeof dir);
    snprintf(db, sizeof db, "%s/none.db", dir);
    snprintf(arg, sizeof arg, "%s", db);
    struct buf out;
    buf_init(&out, 0);
    const char *argv[] = {"db", "check", "--db", arg, NULL};
    int rc = harness_run(dir, argv, NULL, 30, &out);
    struct stat sb;
    assert_int_not_equal(stat(db, &sb), 0);
    assert_int_equal(count_other_files(dir), 0);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out.data, "no database"));
    buf_release(&out);
    harness_rmdir(dir);
}

static void test_malformed_url_not_echoed(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    const char *env[] = {"WALLTRACK_DB=postgresql://walltrack:" PASSWORD "%zz@localhost/db", NULL};
    const char *cmds[][2] = {{"db", "check"}, {"db", "migrate"}};
    for (size_t i = 0; i < 2; i++) {
        struct buf out;
        buf_init(&out, 0);
        const char *argv[] = {cmds[i][0], cmds[i][1], NULL};
        int rc = harness_run(dir, argv, env, 30, &out);
        assert_int_not_equal(rc, 0);
        if (strstr(out.data, PASSWORD) != NULL)
            fail_msg("the password is in the output: %s", out.data);
        assert_non_null(strstr(out.data, "malformed"));
        buf_release(&out);
    }
    harness_rmdir(dir);
}

/* libpq's connection errors quote parts of the URL (here the socket
 * folder): whatever they quote, the password never reaches the output. The
 * password is chosen to appear in the folder's name so that libpq's message
 * does contain it. */
static void test_connect_error_redacted(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    const char *env[] = {
        "WALLTRACK_DB=postgresql://walltrack:" PASSWORD "@/db?host=/nonexistent/" PASSWORD, NULL};
    struct buf out;
    buf_init(&out, 0);
    const char *argv[] = {"db", "check", NULL};
    int rc = harness_run(dir, argv, env, 30, &out);
    assert_int_not_equal(rc, 0);
    if (strstr(out.data, PASSWORD) != NULL)
        fail_msg("the password is in the output: %s", out.data);
    assert_non_null(strstr(out.data, "[REDACTED]"));
    buf_release(&out);
    harness_rmdir(dir);
}

static void test_db_option_refuses_password(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    const char *urls[] = {
        "postgresql://walltrack:" PASSWORD "@localhost/db",
        "postgres://walltrack@localhost/db?password=" PASSWORD,
    };
    for (size_t i = 0; i < 2; i++) {
        struct buf out;
        buf_init(&out, 0);
        const char *argv[] = {"db", "check", "--db", urls[i], NULL};
        int rc = harness_run(dir, argv, NULL, 30, &out);
        assert_int_equal(rc, 2); /* a usage error, before any connection */
        assert_null(strstr(out.data, PASSWORD));
        assert_non_null(strstr(out.data, "WALLTRACK_DB"));
        buf_release(&out);
    }
    harness_rmdir(dir);
}

/* with_pg.sh's URL is postgresql://walltrack@/postgres?host=...: the same
 * with a password (the server trusts local connections, so any works). */
static void url_with_password(const char *url, char *out, size_t size)
{
    const char *at = strstr(url, "walltrack@");
    assert_non_null(at);
    snprintf(out, size, "%.*swalltrack:%s%s", (int)(at - url), url, PASSWORD,
             at + strlen("walltrack"));
}

static void test_backup_password_not_on_argv(void **state)
{
    (void)state;
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (pg == NULL) {
        print_message("backup on PostgreSQL: skipped: WALLTRACK_TEST_PG_URL is not set (ctest "
                      "runs this under tests/store/with_pg.sh)\n");
        skip();
    }
    char dir[256], bin[300], tool[400], rec[400], url[1200], dbenv[1300], pathenv[600], to[400];
    harness_tmpdir(dir, sizeof dir);
    snprintf(bin, sizeof bin, "%s/bin", dir);
    assert_int_equal(mkdir(bin, 0700), 0);
    snprintf(tool, sizeof tool, "%s/pg_dump", bin);
    snprintf(rec, sizeof rec, "%s/record", bin);
    FILE *fp = fopen(tool, "w");
    assert_non_null(fp);
    fprintf(fp,
            "#!/bin/sh\n"
            "out='%s'\n"
            "for a in \"$@\"; do printf 'ARG %%s\\n' \"$a\"; done > \"$out\"\n"
            "printf 'PGPASSWORD=%%s\\n' \"$PGPASSWORD\" >> \"$out\"\n"
            "if [ -n \"$PGPASSFILE\" ]; then\n"
            "  printf 'PASSFILE %%s\\n' \"$PGPASSFILE\" >> \"$out\"\n"
            "  printf 'MODE %%s\\n' \"$(stat -c %%a \"$PGPASSFILE\")\" >> \"$out\"\n"
            "  cat \"$PGPASSFILE\" >> \"$out\"\n"
            "fi\n"
            "for a in \"$@\"; do case \"$a\" in --file=*) : > \"${a#--file=}\";; esac; done\n"
            "exit 0\n",
            rec);
    fclose(fp);
    assert_int_equal(chmod(tool, 0755), 0);

    url_with_password(pg, url, sizeof url);
    snprintf(dbenv, sizeof dbenv, "WALLTRACK_DB=%s", url);
    snprintf(pathenv, sizeof pathenv, "PATH=%s:/usr/local/bin:/usr/bin:/bin", bin);
    snprintf(to, sizeof to, "%s/backup.dump", dir);
    const char *env[] = {dbenv, pathenv, NULL};
    const char *argv[] = {"backup", "--to", to, NULL};
    struct buf out, r;
    buf_init(&out, 0);
    buf_init(&r, 0);
    assert_int_equal(harness_run(dir, argv, env, 60, &out), 0);
    assert_null(strstr(out.data, PASSWORD));
    assert_int_equal(harness_read_file(rec, &r), 0);
    print_message("pg_dump saw:\n%s", r.data);
    /* No argument holds the password... */
    for (char *line = r.data; line != NULL && *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, "ARG ", 4) == 0) {
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            char one[2048];
            snprintf(one, sizeof one, "%.*s", (int)n, line);
            if (strstr(one, PASSWORD) != NULL)
                fail_msg("pg_dump's command line holds the password: %s", one);
        }
        line = nl ? nl + 1 : NULL;
    }
    /* ...nor the environment, which other local users' ps cannot see but a
     * core dump or /proc/PID/environ of the same user can: the passfile. */
    assert_non_null(strstr(r.data, "PGPASSWORD=\n"));
    assert_non_null(strstr(r.data, "MODE 600\n"));
    assert_non_null(strstr(r.data, PASSWORD)); /* it did reach pg_dump, in the file */
    /* and the passfile is gone */
    const char *pf = strstr(r.data, "PASSFILE ");
    assert_non_null(pf);
    char pfpath[1024];
    snprintf(pfpath, sizeof pfpath, "%.*s", (int)strcspn(pf + 9, "\n"), pf + 9);
    struct stat sb;
    assert_int_not_equal(stat(pfpath, &sb), 0);
    buf_release(&out);
    buf_release(&r);
    harness_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_string_refused),
        cmocka_unit_test(test_check_creates_nothing),
        cmocka_unit_test(test_malformed_url_not_echoed),
        cmocka_unit_test(test_connect_error_redacted),
        cmocka_unit_test(test_db_option_refuses_password),
        cmocka_unit_test(test_backup_password_not_on_argv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
