/* Integration test: secrets stay out of the log and the files walltrack
 * creates are its own (issue 13, item 7).
 *
 * The daemon runs with RPC and alert-webhook URLs that carry their keys
 * in the path (QuickNode, Alchemy, a chat-service hook), pointing at a
 * local server that fails every request, so the failures are logged; the
 * log holds the hosts and none of the keys. The database, its WAL, the
 * log file and a backup are created mode 0600 even under umask 022. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"

#define QN_KEY  "qn5f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9"
#define ALC_KEY "alcX7yZ0aB1cD2eF3gH4iJ5kL6m"
#define HOOK_T  "T0HOOKTOKEN9876543210zyxw"

static void fail_all(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    (void)req;
    resp->status = 500;
    resp->body = "{\"error\":\"down\"}";
    resp->body_len = strlen(resp->body);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void read_all(const char *path, struct buf *out)
{
    buf_reset(out);
    if (harness_read_file(path, out) != 0)
        fail_msg("cannot read %s", path);
}

static void test_secret_urls_not_logged(void **state)
{
    (void)state;
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, fail_all, NULL), 0);
    char rpc[512], hook[256];
    snprintf(rpc, sizeof rpc, "WALLTRACK_RPC_URLS=%s/" QN_KEY "/,%s/v2/" ALC_KEY, srv.url, srv.url);
    snprintf(hook, sizeof hook, "WALLTRACK_ALERT_WEBHOOK_URL=%s/services/T000/B000/" HOOK_T,
             srv.url);
    const char *env[] = {rpc, hook, NULL};
    struct daemon d;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    char logfile[600];
    snprintf(logfile, sizeof logfile, "log.file=%s/walltrack.log", d.dir);
    /* a watched wallet, so the RPC poller has something to ask about */
    const char *add[] = {"wallets", "add",  "5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1",
                         "--data",  "data", NULL};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(d.dir, add, NULL, 30, &out), 0);
    const char *args[] = {"--set", "alert.min_severity=info",  "--set", "ingest.poll_silence_s=1",
                          "--set", "ingest.poll_interval_s=5", "--set", logfile,
                          NULL};
    assert_int_equal(daemon_start_cmd(&d, "serve", args, env), 0);
    /* an alert, pushed to the failing hook */
    assert_int_equal(http_request(d.port, "POST", "/v1/control/pause", NULL, "{}", 2, NULL), 200);
    /* wait for both kinds of failure to reach the log */
    char path[700];
    snprintf(path, sizeof path, "%s/walltrack.log", d.dir);
    bool rpc_seen = false, hook_seen = false;
    for (int i = 0; i < 300 && !(rpc_seen && hook_seen); i++) {
        sleep_ms(100);
        read_all(path, &out);
        rpc_seen = strstr(out.data, "rpcpoll") && strstr(out.data, "getSignaturesForAddress");
        hook_seen = strstr(out.data, "webhook notifier failed") != NULL;
    }
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    read_all(path, &out);
    if (!rpc_seen || !hook_seen)
        fail_msg("the failures were not logged:\n%s", out.data);
    assert_true(fakesrv_count(&srv) > 0);
    /* the hosts are there, so the lines say where it failed ... */
    assert_non_null(strstr(out.data, srv.url));
    /* ... the keys are not, in the log file nor on standard error */
    static const char *const keys[] = {QN_KEY, ALC_KEY, HOOK_T, "qn5f3c2a", "alcX7yZ0", "T0HOOK"};
    struct buf err;
    buf_init(&err, 0);
    daemon_log(&d, &err);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (strstr(out.data, keys[i]))
            fail_msg("key %s in the log:\n%s", keys[i], out.data);
        if (err.data && strstr(err.data, keys[i]))
            fail_msg("key %s on stderr:\n%s", keys[i], err.data);
    }
    /* `walltrack config` shows neither */
    const char *cfg[] = {"config", "--data", "data", NULL};
    buf_reset(&err);
    assert_int_equal(harness_run(d.dir, cfg, env, 30, &err), 0);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strstr(err.data, keys[i]))
            fail_msg("key %s in `walltrack config`:\n%s", keys[i], err.data);
    buf_release(&err);
    buf_release(&out);
    fakesrv_stop(&srv);
    harness_rmdir(d.dir);
}

/* Appends to bad what is wrong with path's mode (nothing when it is 0600). */
static void check_mode_0600(const char *path, char *bad, size_t size)
{
    struct stat st;
    size_t n = strlen(bad);
    if (stat(path, &st) != 0)
        snprintf(bad + n, size - n, "%s does not exist; ", path);
    else if ((st.st_mode & 0777) != 0600)
        snprintf(bad + n, size - n, "%s has mode %03o, want 600; ", path,
                 (unsigned)(st.st_mode & 0777));
}

static void test_files_are_private(void **state)
{
    (void)state;
    umask(022); /* the usual default: what an operator's shell hands down */
    struct daemon d;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    char logfile[600];
    snprintf(logfile, sizeof logfile, "log.file=%s/walltrack.log", d.dir);
    const char *args[] = {"--set", logfile, NULL};
    assert_int_equal(daemon_start_cmd(&d, "serve", args, NULL), 0);
    /* a write, so the WAL holds something */
    const char *pause = "{}";
    assert_int_equal(http_request(d.port, "POST", "/v1/control/pause", NULL, pause, 2, NULL), 200);
    char p[700], bad[2048] = "";
    snprintf(p, sizeof p, "%s/data/walltrack.db", d.dir);
    check_mode_0600(p, bad, sizeof bad);
    snprintf(p, sizeof p, "%s/data/walltrack.db-wal", d.dir);
    check_mode_0600(p, bad, sizeof bad);
    snprintf(p, sizeof p, "%s/walltrack.log", d.dir);
    check_mode_0600(p, bad, sizeof bad);
    /* a backup taken while it runs */
    const char *bk[] = {"backup", "--to", "copy.db", "--data", "data", NULL};
    struct buf out;
    buf_init(&out, 0);
    int rc = harness_run(d.dir, bk, NULL, 60, &out);
    snprintf(p, sizeof p, "%s/copy.db", d.dir);
    check_mode_0600(p, bad, sizeof bad);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    if (rc != 0)
        fail_msg("backup: %d %s", rc, out.data ? out.data : "");
    if (bad[0])
        fail_msg("%s", bad);
    buf_release(&out);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_urls_not_logged),
        cmocka_unit_test(test_files_are_private),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
