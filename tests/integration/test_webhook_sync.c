/* Integration test: the daemon keeps the Helius webhook's addresses in
 * line with the watchlist (ingest/hooksync.h). One loopback server stands
 * in for Helius's webhook endpoints (a stateful fake), Solana RPC and an
 * alert receiver. The operator's wallets are registered at start; watch
 * and blacklist through the smart-money API reach Helius; /v1/status shows
 * registered vs watched; when Helius refuses the update an alert goes out
 * and RPC polling covers the watched wallets (with ingest.poll_silence_s =
 * 0, which otherwise never polls) until a retry succeeds, which is
 * announced too. A webhook secret rotated in its file and reloaded (SIGHUP)
 * is registered with Helius, whose deliveries would otherwise carry the
 * old one and be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fakehelius.c"

#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "harness.h"

#define KEY  "hooksync-itest-key"
#define HOOK "https://walltrack.example.org/webhooks/helius"
#define A    "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"
#define B    "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
#define C    "CuieVDEDtLo7FypA9SbLM9saXFdb1dsshEkyErMqkRQq"

static struct fakehelius fh;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int rpc_sigs_c, rpc_sigs_other, alerts_fail, alerts_ok;

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    if (strncmp(req->url, "/v0/webhooks", 12) == 0) {
        if (!strstr(req->url, "api-key=" KEY)) {
            resp->status = 401;
            resp->body = "{\"error\":\"invalid api key\"}";
        } else if (fakehelius_handle(&fh, req, resp)) {
            return;
        }
    } else if (strncmp(req->url, "/rpc", 4) == 0) {
        pthread_mutex_lock(&mu);
        if (strstr(req->body, "getSignaturesForAddress") && strstr(req->body, C))
            rpc_sigs_c++;
        else
            rpc_sigs_other++;
        pthread_mutex_unlock(&mu);
        resp->body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}";
    } else if (strncmp(req->url, "/alerts", 7) == 0) {
        pthread_mutex_lock(&mu);
        if (strstr(req->body, "\"kind\":\"webhook_sync\"") &&
            strstr(req->body, "not in line with the watchlist"))
            alerts_fail++;
        else if (strstr(req->body, "\"kind\":\"webhook_sync\""))
            alerts_ok++;
        pthread_mutex_unlock(&mu);
        resp->body = "{}";
    } else {
        resp->status = 404;
        resp->body = "{}";
    }
    resp->body_len = strlen(resp->body);
}

/* A secret file (mode 0600), replaced whole as an operator's tool would. */
static void write_secret(const char *path, const char *text)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(tmp, 0600), 0);
    assert_int_equal(rename(tmp, path), 0);
}

static void nap(void)
{
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (bounded) until our webhook holds exactly the n addresses. */
static bool wait_hook(const char *const *addrs, size_t n)
{
    for (int i = 0; i < 400; i++) {
        pthread_mutex_lock(&fh.mu);
        struct fh_hook *h = fh_find_url(&fh, HOOK);
        bool ok = h && h->n == n;
        for (size_t k = 0; ok && k < n; k++)
            ok = fh_has(h, addrs[k]);
        pthread_mutex_unlock(&fh.mu);
        if (ok)
            return true;
        nap();
    }
    return false;
}

static int counter(int *c)
{
    pthread_mutex_lock(&mu);
    int v = *c;
    pthread_mutex_unlock(&mu);
    return v;
}

/* The helius_webhook object of /v1/status: status, registered, watched. */
static void hook_status(unsigned port, char *status, size_t size, int64_t *registered,
                        int64_t *watched)
{
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(port, "GET", "/v1/status", NULL, NULL, 0, &body), 200);
    buf_reserve(&body, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, inputs, hw;
    const char *s;
    size_t n;
    assert_int_equal(json_parse(d, body.data, body.len, body.cap, &root), 0);
    assert_int_equal(json_get(&root, "inputs", &inputs), 0);
    assert_int_equal(json_get(&inputs, "helius_webhook", &hw), 0);
    assert_int_equal(json_get_str(&hw, "status", &s, &n), 0);
    snprintf(status, size, "%.*s", (int)n, s);
    *registered = *watched = -1;
    json_opt_i64(&hw, "registered", registered);
    json_opt_i64(&hw, "watched", watched);
    json_doc_free(d);
    buf_release(&body);
}

static void post_curation(unsigned port, const char *addr, const char *what)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/smart-money/wallets/%s/%s", addr, what);
    assert_int_equal(http_request(port, "POST", path, NULL, "{}", 2, NULL), 200);
}

static void test_webhook_follows_the_watchlist(void **state)
{
    (void)state;
    fh_init(&fh);
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, handler, NULL), 0);
    char e_url[128], e_rpc[128], e_alert[128];
    snprintf(e_url, sizeof e_url, "WALLTRACK_HELIUS_API_URL=%s", srv.url);
    snprintf(e_rpc, sizeof e_rpc, "WALLTRACK_RPC_URLS=%s/rpc", srv.url);
    snprintf(e_alert, sizeof e_alert, "WALLTRACK_ALERT_WEBHOOK_URL=%s/alerts", srv.url);
    /* the operator's wallets, before the daemon runs */
    struct daemon d;
    memset(&d, 0, sizeof d);
    harness_tmpdir(d.dir, sizeof d.dir);
    char secret[300], e_secret[340];
    snprintf(secret, sizeof secret, "%s/webhook.secret", d.dir);
    write_secret(secret, "itest-hook-secret\n");
    snprintf(e_secret, sizeof e_secret, "WALLTRACK_WEBHOOK_SECRET_FILE=%s", secret);
    const char *env[] = {"WALLTRACK_HELIUS_API_KEY=" KEY,
                         "WALLTRACK_HELIUS_WEBHOOK_URL=" HOOK,
                         e_secret,
                         e_url,
                         e_rpc,
                         e_alert,
                         NULL};
    const char *args[] = {
        "--set", "alert.min_severity=info",       "--set", "helius.webhook_sync_debounce_ms=100",
        "--set", "helius.webhook_sync_retry_s=1", "--set", "ingest.poll_silence_s=0",
        "--set", "ingest.poll_interval_s=5",      NULL};

    const char *add_a[] = {"wallets", "add", A, "--data", "data", NULL};
    const char *add_b[] = {"wallets", "add", B, "--data", "data", NULL};
    assert_int_equal(harness_run(d.dir, add_a, NULL, 60, NULL), 0);
    assert_int_equal(harness_run(d.dir, add_b, NULL, 60, NULL), 0);
    assert_int_equal(daemon_restart(&d, args, env), 0);

    /* registered at start */
    const char *ab[] = {A, B};
    assert_true(wait_hook(ab, 2));
    char st[32];
    int64_t reg, watched;
    for (int i = 0; i < 100; i++) {
        hook_status(d.port, st, sizeof st, &reg, &watched);
        if (strcmp(st, "in_sync") == 0)
            break;
        nap();
    }
    assert_string_equal(st, "in_sync");
    assert_int_equal(reg, 2);
    assert_int_equal(watched, 2);
    assert_string_equal(fh_find_url(&fh, HOOK)->auth, "itest-hook-secret");

    /* curation through the API reaches Helius */
    post_curation(d.port, C, "watch");
    const char *abc[] = {A, B, C};
    assert_true(wait_hook(abc, 3));
    post_curation(d.port, A, "blacklist");
    const char *bc[] = {B, C};
    assert_true(wait_hook(bc, 2));
    /* webhook in line: no polling (silence 0 never polls), no alert */
    assert_int_equal(counter(&rpc_sigs_c), 0);
    assert_int_equal(counter(&alerts_fail), 0);

    /* Helius refuses updates: alert, status failing, polling covers C */
    pthread_mutex_lock(&fh.mu);
    fh.fail_status = 503;
    snprintf(fh.fail_method, sizeof fh.fail_method, "PUT");
    pthread_mutex_unlock(&fh.mu);
    post_curation(d.port, B, "unwatch");
    for (int i = 0; i < 400 && (counter(&alerts_fail) < 1 || counter(&rpc_sigs_c) < 1); i++)
        nap();
    assert_int_equal(counter(&alerts_fail), 1);
    assert_true(counter(&rpc_sigs_c) >= 1);
    hook_status(d.port, st, sizeof st, &reg, &watched);
    assert_string_equal(st, "failing");
    assert_int_equal(reg, 2);
    assert_int_equal(watched, 1);

    /* Helius works again: the retry brings it in line, announced */
    pthread_mutex_lock(&fh.mu);
    fh.fail_status = 0;
    pthread_mutex_unlock(&fh.mu);
    const char *c_only[] = {C};
    assert_true(wait_hook(c_only, 1));
    for (int i = 0; i < 400 && counter(&alerts_ok) < 1; i++)
        nap();
    assert_int_equal(counter(&alerts_ok), 1);
    hook_status(d.port, st, sizeof st, &reg, &watched);
    assert_string_equal(st, "in_sync");
    assert_int_equal(reg, 1);
    assert_int_equal(watched, 1);
    assert_int_equal(counter(&alerts_fail), 1);

    /* The webhook secret rotates: Helius is given the new authHeader. */
    write_secret(secret, "itest-rotated-secret\n");
    assert_int_equal(kill(d.pid, SIGHUP), 0);
    bool rotated = false;
    for (int i = 0; i < 400 && !rotated; i++) {
        pthread_mutex_lock(&fh.mu);
        struct fh_hook *h = fh_find_url(&fh, HOOK);
        rotated = h && strcmp(h->auth, "itest-rotated-secret") == 0 && h->n == 1;
        pthread_mutex_unlock(&fh.mu);
        if (!rotated)
            nap();
    }
    assert_true(rotated);

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    struct buf log;
    buf_init(&log, 0);
    daemon_log(&d, &log);
    assert_non_null(strstr(log.data, "Helius webhook sync on"));
    assert_null(strstr(log.data, KEY)); /* the key never reaches the log */
    buf_release(&log);

    /* `walltrack helius webhook sync` (the CLI, same code): in line, one
     * request (the list) */
    unsigned gets0 = fh.gets, puts0 = fh.puts;
    const char *sync[] = {"helius", "webhook", "sync", "--data", "data", NULL};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(harness_run(d.dir, sync, env, 60, &out), 0);
    assert_non_null(strstr(out.data, "1 registered, 1 watched, in line"));
    assert_int_equal(fh.gets - gets0, 1);
    assert_int_equal(fh.puts - puts0, 0);
    /* a change made while no daemon runs: the CLI sync registers it */
    const char *add_b2[] = {"wallets", "add", B, "--data", "data", NULL};
    assert_int_equal(harness_run(d.dir, add_b2, NULL, 60, NULL), 0);
    buf_reset(&out);
    assert_int_equal(harness_run(d.dir, sync, env, 60, &out), 0);
    assert_non_null(strstr(out.data, "2 registered, 2 watched, in line"));
    assert_true(wait_hook(bc, 2));
    /* Helius failing: exit 1 and the reason */
    fh.fail_status = 500;
    snprintf(fh.fail_method, sizeof fh.fail_method, "GET");
    buf_reset(&out);
    assert_int_equal(harness_run(d.dir, sync, env, 60, &out), 1);
    assert_non_null(strstr(out.data, "webhook sync failed"));
    assert_non_null(strstr(out.data, "500"));
    buf_release(&out);
    assert_true(fakesrv_count(&srv) > 0);

    fakesrv_stop(&srv);
    fh_release(&fh);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_follows_the_watchlist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
