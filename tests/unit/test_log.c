/* Tests of the log sink (base/log.h), writing to a temporary file: level
 * filtering, the exact shape of a line, redaction of registered secrets
 * (repeated, inside longer words, in a buffer, with no room to grow),
 * short secrets ignored, overlong lines, 4 threads writing whole lines
 * concurrently, control characters and invalid UTF-8 escaped (no forged
 * lines), and secret URLs (scheme and host only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"

static char path[64];

/* Each test logs into its own fresh, empty temporary file. */
static int setup(void **state)
{
    (void)state;
    memcpy(path, "/tmp/wt_test_log_XXXXXX", sizeof "/tmp/wt_test_log_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return log_open(path, LOG_DEBUG) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    log_close();
    unlink(path);
    return 0;
}

/* Returns the whole log file as a malloc'ed string. */
static char *slurp(size_t *lenp)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    size_t n;
    while ((n = fread(s + len, 1, cap - len - 1, fp)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            s = realloc(s, cap);
        }
    }
    fclose(fp);
    s[len] = '\0';
    if (lenp)
        *lenp = len;
    return s;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static size_t count_substr(const char *s, const char *sub)
{
    size_t n = 0, k = strlen(sub);
    for (const char *p = s; (p = strstr(p, sub)) != NULL; p += k)
        n++;
    return n;
}

static void test_level_parse_and_name(void **state)
{
    (void)state;
    static const char *const names[] = {"debug", "info", "warn", "error", "off"};
    for (int i = 0; i <= LOG_OFF; i++) {
        enum log_level l = LOG_ERROR;
        assert_int_equal(log_level_parse(names[i], &l), 0);
        assert_int_equal(l, i);
        assert_string_equal(log_level_name((enum log_level)i), names[i]);
    }
    enum log_level l = LOG_INFO;
    assert_int_equal(log_level_parse("WARN", &l), 0);
    assert_int_equal(l, LOG_WARN);
    l = LOG_INFO;
    assert_int_equal(log_level_parse("warning", &l), WT_EINVAL);
    assert_int_equal(log_level_parse("", &l), WT_EINVAL);
    assert_int_equal(log_level_parse("trace", &l), WT_EINVAL);
    assert_int_equal(l, LOG_INFO);
    assert_string_equal(log_level_name((enum log_level)17), "?");
}

static void test_line_format(void **state)
{
    (void)state;
    struct clock c;
    clock_init_real(&c);
    char before[32], after[32];
    clock_format_iso(clock_now_ms(&c), before, sizeof before);
    log_info("http", "hello %d %s", 42, "world");
    log_error(NULL, "no subsystem");
    log_debug("db", "d");
    log_warn("engine", "w");
    clock_format_iso(clock_now_ms(&c), after, sizeof after);

    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), 4);
    char *line = s;
    static const char *const want[] = {" INFO  http: hello 42 world", " ERROR -: no subsystem",
                                       " DEBUG db: d", " WARN  engine: w"};
    for (int i = 0; i < 4; i++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        /* "2023-11-14T22:13:20.123Z" then the rest */
        assert_true(strlen(line) > 24);
        assert_int_equal(line[4], '-');
        assert_int_equal(line[10], 'T');
        assert_int_equal(line[19], '.');
        assert_int_equal(line[23], 'Z');
        char ts[25];
        memcpy(ts, line, 24);
        ts[24] = '\0';
        /* ISO timestamps sort as strings: the line's is between the two */
        assert_true(strcmp(ts, before) >= 0);
        assert_true(strcmp(ts, after) <= 0);
        assert_string_equal(line + 24, want[i]);
        line = nl + 1;
    }
    assert_string_equal(line, "");
    free(s);
}

static void test_level_filtering(void **state)
{
    (void)state;
    assert_int_equal(log_open(path, LOG_WARN), 0);
    assert_int_equal(log_get_level(), LOG_WARN);
    log_debug("t", "debug-1");
    log_info("t", "info-1");
    log_warn("t", "warn-1");
    log_error("t", "error-1");
    log_set_level(LOG_ERROR);
    assert_int_equal(log_get_level(), LOG_ERROR);
    log_warn("t", "warn-2");
    log_error("t", "error-2");
    log_set_level(LOG_OFF);
    log_error("t", "error-3");
    log_set_level(LOG_DEBUG);
    log_debug("t", "debug-4");
    log_msg(LOG_OFF, "t", "off-4"); /* not a level to write at */
    log_msg((enum log_level)99, "t", "bogus-4");
    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), 4);
    assert_null(strstr(s, "debug-1"));
    assert_null(strstr(s, "info-1"));
    assert_non_null(strstr(s, "WARN  t: warn-1\n"));
    assert_non_null(strstr(s, "ERROR t: error-1\n"));
    assert_null(strstr(s, "warn-2"));
    assert_non_null(strstr(s, "ERROR t: error-2\n"));
    assert_null(strstr(s, "error-3"));
    assert_non_null(strstr(s, "DEBUG t: debug-4\n"));
    assert_null(strstr(s, "off-4"));
    assert_null(strstr(s, "bogus-4"));
    free(s);
}

#define SECRET "s3cr3t-T0ken-9f8e7d"

static void test_redaction_in_file(void **state)
{
    (void)state;
    log_add_secret(SECRET);
    log_add_secret(SECRET); /* twice: harmless */
    log_info("auth", "token=%s", SECRET);
    log_info("auth", "twice %s and %s.", SECRET, SECRET);
    log_info("auth", "glued x%sy%sz", SECRET, SECRET);
    log_info("auth", "adjacent %s%s%s", SECRET, SECRET, SECRET);
    log_info("auth", "Bearer%s", SECRET);
    log_info("auth", "near miss s3cr3t-T0ken-9f8e7 and s3cr3t-T0ken-9f8e7D");

    /* A short secret is ignored: redacting "abc" would mangle text. */
    log_add_secret("abc");
    log_add_secret("");
    log_add_secret(NULL);
    log_info("auth", "abc is fine");

    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), 7);
    assert_null(strstr(s, SECRET));
    assert_null(strstr(s, "s3cr3t-T0ken-9f8e7d"));
    assert_non_null(strstr(s, "auth: token=[REDACTED]\n"));
    assert_non_null(strstr(s, "auth: twice [REDACTED] and [REDACTED].\n"));
    assert_non_null(strstr(s, "auth: glued x[REDACTED]y[REDACTED]z\n"));
    assert_non_null(strstr(s, "auth: adjacent [REDACTED][REDACTED][REDACTED]\n"));
    assert_non_null(strstr(s, "auth: Bearer[REDACTED]\n"));
    /* near misses are not secrets and stay as they are */
    assert_non_null(strstr(s, "near miss s3cr3t-T0ken-9f8e7 and s3cr3t-T0ken-9f8e7D\n"));
    assert_non_null(strstr(s, "auth: abc is fine\n"));
    assert_int_equal(count_substr(s, "[REDACTED]"), 1 + 2 + 2 + 3 + 1);
    free(s);
}

static void test_redaction_short_secret_overlaps(void **state)
{
    (void)state;
    /* A 4-byte secret, shorter than its replacement, in a run of itself. */
    log_add_secret("aaaa");
    log_info("t", "aaaaaaaaa!");
    char *s = slurp(NULL);
    assert_null(strstr(s, "aaaa"));
    assert_non_null(strstr(s, "t: [REDACTED][REDACTED]a!\n"));
    free(s);

    /* A secret found inside the replacement text itself: the search must
     * resume after the replacement, not rescan it. */
    log_add_secret("REDACTED");
    char buf[64] = "x REDACTED y";
    log_redact(buf, sizeof buf);
    assert_string_equal(buf, "x [REDACTED] y");
}

static void test_many_secrets(void **state)
{
    (void)state;
    /* Every registered secret is redacted, however many there are. */
    enum { N = 40 };
    char secrets[N][24];
    for (int i = 0; i < N; i++) {
        snprintf(secrets[i], sizeof secrets[i], "key-%02d-%08x", i, 0x9e3779b9u * (unsigned)i);
        log_add_secret(secrets[i]);
    }
    for (int i = 0; i < N; i++)
        log_info("cfg", "secret %d is %s", i, secrets[i]);
    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), N);
    for (int i = 0; i < N; i++)
        if (strstr(s, secrets[i]))
            fail_msg("secret %d (%s) leaked into the log", i, secrets[i]);
    assert_int_equal(count_substr(s, "[REDACTED]"), N);
    free(s);
}

static void test_redact_buffer(void **state)
{
    (void)state;
    log_add_secret(SECRET);
    log_add_secret("pw12"); /* 4 bytes: the minimum that counts */
    char buf[128] = "{\"error\":\"bad token " SECRET "\",\"pw\":\"pw12\"}";
    assert_ptr_equal(log_redact(buf, sizeof buf), buf);
    assert_string_equal(buf, "{\"error\":\"bad token [REDACTED]\",\"pw\":\"[REDACTED]\"}");

    /* No room to grow: the secret is blanked in place, never kept. */
    char tight[] = "x pw12 y pw12";
    log_redact(tight, sizeof tight);
    assert_string_equal(tight, "x **** y ****");
    /* Room for the first replacement but not the second. */
    char some[20] = "pw12 pw12";
    log_redact(some, sizeof some);
    assert_string_equal(some, "[REDACTED] ****");

    /* Nothing to redact: unchanged. */
    char plain[] = "nothing secret here";
    log_redact(plain, sizeof plain);
    assert_string_equal(plain, "nothing secret here");

    /* log_close forgets the secrets. */
    log_close();
    char after[64] = "pw12";
    log_redact(after, sizeof after);
    assert_string_equal(after, "pw12");
    assert_int_equal(log_open(path, LOG_DEBUG), 0);
}

static void test_long_line(void **state)
{
    (void)state;
    /* A message far longer than the line buffer is cut, but still written
     * as exactly one whole line. */
    size_t n = 10000;
    char *big = malloc(n + 1);
    memset(big, 'q', n);
    big[n] = '\0';
    log_info("big", "%s", big);
    log_info("big", "after");
    size_t len;
    char *s = slurp(&len);
    assert_int_equal(count_lines(s), 2);
    char *nl = strchr(s, '\n');
    assert_true((size_t)(nl - s) < 4096);
    assert_true((size_t)(nl - s) > 4000);
    assert_int_equal(nl[-1], 'q');
    assert_non_null(strstr(nl + 1, " INFO  big: after\n"));
    free(s);
    free(big);
}

static void test_secret_cut_at_line_end(void **state)
{
    (void)state;
    /* The line buffer cuts long messages; a secret cut in two at the end
     * must not leave its first characters in the file. Try every cut
     * position around the end of the buffer. */
    const char *secret = "xJ7kP2mQ9wRt";
    log_add_secret(secret);
    char *pad = malloc(4200);
    for (int k = 4000; k < 4100; k++) {
        memset(pad, 'q', (size_t)k);
        pad[k] = '\0';
        log_info("cut", "%s%s", pad, secret);
    }
    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), 100);
    for (char *line = s; *line;) {
        char *nl = strchr(line, '\n');
        char *body = strstr(line, "cut: ");
        assert_non_null(body);
        for (char *c = body + 5; c < nl; c++)
            if (*c != 'q' && *c != '*' && !strchr("[REDACTED]", *c))
                fail_msg("secret character '%c' leaked at column %d", *c, (int)(c - line));
        line = nl + 1;
    }
    free(s);
    free(pad);
}

static void test_secret_prefix_of_another(void **state)
{
    (void)state;
    /* The shorter secret is registered first; the longer one must still be
     * redacted whole. */
    log_add_secret("abcd1234");
    log_add_secret("abcd1234efgh5678");
    log_info("pre", "long=%s short=%s", "abcd1234efgh5678", "abcd1234");
    char *s = slurp(NULL);
    assert_non_null(strstr(s, "long=[REDACTED] short=[REDACTED]\n"));
    assert_null(strstr(s, "efgh"));
    free(s);
}

#define THREADS 4
#define LINES   1000

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < LINES; i++)
        log_info("thr", "thread=%d line=%04d %s pad-%064d", id, i, SECRET, i);
    return NULL;
}

static void test_concurrent_whole_lines(void **state)
{
    (void)state;
    log_add_secret(SECRET);
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);

    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), THREADS * LINES);
    static unsigned char seen[THREADS][LINES];
    memset(seen, 0, sizeof seen);
    char *line = s;
    for (int k = 0; k < THREADS * LINES; k++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        int id = -1, i = -1, pad = -1, used = 0;
        /* each line is whole: exactly one prefix, one message, one pad */
        assert_int_equal(line[23], 'Z');
        assert_int_equal(sscanf(line + 24, " INFO  thr: thread=%d line=%d [REDACTED] pad-%d%n", &id,
                                &i, &pad, &used),
                         3);
        assert_int_equal((size_t)used, strlen(line + 24));
        assert_true(id >= 0 && id < THREADS);
        assert_true(i >= 0 && i < LINES);
        assert_int_equal(pad, i);
        assert_int_equal(seen[id][i], 0);
        seen[id][i] = 1;
        line = nl + 1;
    }
    assert_string_equal(line, "");
    assert_null(strstr(s, SECRET));
    free(s);
}

static void test_open_failure(void **state)
{
    (void)state;
    assert_int_equal(log_open("/nonexistent-dir/x/y.log", LOG_INFO), WT_EIO);
    /* the previous sink is still in place */
    log_info("t", "still here");
    char *s = slurp(NULL);
    assert_non_null(strstr(s, " INFO  t: still here\n"));
    free(s);
}

/* Log injection: a value that reaches a log line (a setting, a header, a
 * token name) cannot start a new line, move the cursor or colour the
 * terminal, and invalid UTF-8 is shown as bytes, never passed through. */
static void test_control_chars_escaped(void **state)
{
    (void)state;
    log_info("api", "setting x: a\n2026-01-01T00:00:00.000Z INFO  api: forged\rCR");
    log_info("esc", "[\x1b[31mred\x1b[0m] del[\x7f] nul-ish[\x01\x1f] tab[\t]");
    log_info("utf", "ok[h\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80] bad[\xff] cut[\xc3] "
                    "overlong[\xc0\xaf] surrogate[\xed\xa0\x80] big[\xf4\x90\x80\x80]");
    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), 3);
    assert_non_null(
        strstr(s, "api: setting x: a\\n2026-01-01T00:00:00.000Z INFO  api: forged\\rCR\n"));
    assert_non_null(
        strstr(s, "esc: [\\x1b[31mred\\x1b[0m] del[\\x7f] nul-ish[\\x01\\x1f] tab[\\t]\n"));
    assert_non_null(strstr(s, "utf: ok[h\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80] bad[\\xff] "
                              "cut[\\xc3] overlong[\\xc0\\xaf] surrogate[\\xed\\xa0\\x80] "
                              "big[\\xf4\\x90\\x80\\x80]\n"));
    /* no raw control byte but the line ends */
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 && *c != '\n')
            fail_msg("raw control byte 0x%02x in the log", (unsigned char)*c);
    free(s);
}

/* A line cut at the buffer's end and full of bytes that expand 4x is
 * still one whole line with nothing raw in it. */
static void test_escape_long_line(void **state)
{
    (void)state;
    char *big = malloc(5001);
    memset(big, '\n', 5000);
    big[5000] = '\0';
    log_info("big", "%s", big);
    log_info("big", "after");
    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), 2);
    assert_non_null(strstr(s, "big: \\n\\n\\n"));
    assert_non_null(strstr(s, " INFO  big: after\n"));
    free(s);
    free(big);
}

/* The one redaction of URLs that are secrets: scheme and host only. */
static void test_url_origin(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"https://x.quiknode.pro/0123456789abcdef0123456789abcdef/", "https://x.quiknode.pro"},
        {"https://solana-mainnet.g.alchemy.com/v2/AbCdEf123456",
         "https://solana-mainnet.g.alchemy.com"},
        {"https://hooks.example.com/services/T000/B000/XXXXXXXX", "https://hooks.example.com"},
        {"https://mainnet.helius-rpc.com/?api-key=abcdef123456", "https://mainnet.helius-rpc.com"},
        {"http://user:pass@rpc.example:8899/path", "http://rpc.example:8899"},
        {"http://[::1]:8899/k3y", "http://[::1]:8899"},
        {"https://ntfy.sh/my-topic#frag", "https://ntfy.sh"},
        {"HTTPS://Host.Example", "HTTPS://Host.Example"},
        {"https://host.example?token=x", "https://host.example"},
        {"not a url with-a-key-inside", "(not a URL)"},
        {"/var/lib/walltrack/db", "(not a URL)"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[128];
        assert_ptr_equal(log_url_origin(cases[i][0], out, sizeof out), out);
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("log_url_origin(%s) = %s, want %s", cases[i][0], out, cases[i][1]);
    }
    /* a small buffer cuts the origin, never overflows */
    char tiny[8];
    log_url_origin("https://x.quiknode.pro/key/", tiny, sizeof tiny);
    assert_string_equal(tiny, "https:/");
}

/* Secret URLs registered with the sink: whatever way a caller logs them
 * (whole, with a path added, the key alone), the key does not appear. */
static void test_secret_urls_redacted(void **state)
{
    (void)state;
    log_add_secret_url("https://x.quiknode.pro/0123456789abcdef0123456789abcdef/, "
                       "https://solana-mainnet.g.alchemy.com/v2/AbCdEf123456xyz,"
                       "https://hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXX");
    log_warn("http", "POST https://x.quiknode.pro/0123456789abcdef0123456789abcdef/: failed");
    log_warn("http", "POST https://solana-mainnet.g.alchemy.com/v2/AbCdEf123456xyz: failed");
    log_warn("http", "POST https://solana-mainnet.g.alchemy.com/v2/AbCdEf123456xyz/x: failed");
    log_warn("http", "key alone 0123456789abcdef0123456789abcdef and AbCdEf123456xyz");
    log_warn("alert", "POST https://hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXX: 500");
    log_warn("http", "GET https://x.quiknode.pro/other: an unrelated path stays");
    /* a URL that is only scheme and host stays nameable */
    log_add_secret_url("https://api.mainnet-beta.solana.com");
    log_warn("http", "POST https://api.mainnet-beta.solana.com: HTTP 500");
    char *s = slurp(NULL);
    assert_int_equal(count_lines(s), 7);
    assert_non_null(strstr(s, "POST https://api.mainnet-beta.solana.com: HTTP 500\n"));
    assert_null(strstr(s, "0123456789abcdef"));
    assert_null(strstr(s, "AbCdEf123456"));
    assert_null(strstr(s, "XXXXXXXXXXXXXXXX"));
    assert_non_null(strstr(s, "GET https://x.quiknode.pro/other: an unrelated path stays\n"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_parse_and_name),
        cmocka_unit_test_setup_teardown(test_line_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_filtering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redaction_in_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redaction_short_secret_overlaps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_cut_at_line_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_prefix_of_another, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_whole_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_chars_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escape_long_line, setup, teardown),
        cmocka_unit_test(test_url_origin),
        cmocka_unit_test_setup_teardown(test_secret_urls_redacted, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    log_close();
    return rc;
}
