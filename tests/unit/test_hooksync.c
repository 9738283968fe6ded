/* Tests of the Helius webhook <-> watchlist sync (ingest/hooksync.h)
 * against a stateful fake of Helius's webhook endpoints on a real HTTP
 * server on loopback, through the production client (ingest/helius_api):
 * create, add, remove, idempotence, delete when empty, another URL's
 * webhook left alone, the read-back catching an update Helius did not
 * apply, a refused update, the state callback on failure and recovery,
 * and the thread's debounce turning a burst of changes into one update. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>

#include "../support/fakesrv.c"
#include "../support/fakehelius.c"

#include "base/err.h"
#include "ingest/hooksync.h"
#include "store/store.h"

#define KEY  "test-key-hooksync"
#define HOOK "https://walltrack.example.org/webhooks/helius"
#define A    "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY"
#define B    "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
#define C    "CuieVDEDtLo7FypA9SbLM9saXFdb1dsshEkyErMqkRQq"

static struct fakehelius fh;
static struct fakesrv srv;
static char dir[64];
static struct store *st;

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    if (!strstr(req->url, "api-key=" KEY)) {
        resp->status = 401;
        resp->body = "{\"error\":\"invalid api key\"}";
        resp->body_len = strlen(resp->body);
        return;
    }
    if (!fakehelius_handle(&fh, req, resp)) {
        resp->status = 404;
        resp->body = "{}";
        resp->body_len = 2;
    }
}

struct states {
    int calls;
    bool last_in_sync;
    size_t last_registered;
};

static void on_state(void *ctx, const struct hooksync_status *s)
{
    struct states *x = ctx;
    x->calls++;
    x->last_in_sync = s->in_sync;
    x->last_registered = s->registered;
}

static int setup(void **state)
{
    (void)state;
    fh_init(&fh);
    snprintf(dir, sizeof dir, "/tmp/wt-hooksync-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char err[256];
    if (store_open(dir, NULL, &st, err, sizeof err) != 0)
        return -1;
    return fakesrv_start(&srv, handler, NULL);
}

static int teardown(void **state)
{
    (void)state;
    fakesrv_stop(&srv);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return -1;
    fh_release(&fh);
    return 0;
}

static void set_status(const char *addr, enum wallet_status status)
{
    struct wallet w;
    memset(&w, 0, sizeof w);
    if (store_wallet_get(st, addr, &w) != 0) {
        memset(&w, 0, sizeof w);
        snprintf(w.address, sizeof w.address, "%s", addr);
        snprintf(w.chain, sizeof w.chain, "solana");
    }
    w.status = status;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
}

/* may_run: NULL, or the gate of several nodes (hooksync_opts). */
static struct hooksync *new_sync_gated(struct states *x, unsigned debounce_ms,
                                       bool (*may_run)(void *))
{
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.retries = 0;
    struct hooksync_opts ho = {
        .api_url = srv.url,
        .api_key = KEY,
        .webhook_url = HOOK,
        .auth_header = "hook-secret",
        .http = &o,
        .debounce_ms = debounce_ms,
        .on_state = on_state,
        .ctx = x,
        .may_run = may_run,
    };
    return hooksync_new(st, &ho);
}

static struct hooksync *new_sync(struct states *x, unsigned debounce_ms)
{
    return new_sync_gated(x, debounce_ms, NULL);
}

static struct fh_hook *ours(void)
{
    return fh_find_url(&fh, HOOK);
}

static void test_create_add_remove_idempotent(void **state)
{
    (void)state;
    struct states x = {0};
    struct hooksync *h = new_sync(&x, 0);
    /* someone else's webhook on the same key is never touched */
    const char *other[] = {C};
    fh_add(&fh, "https://other.example.org/hook", other, 1);

    set_status(B, WALLET_WATCH);
    set_status(A, WALLET_WATCH);
    set_status(C, WALLET_CANDIDATE); /* not watched: not registered */
    fakesrv_reset(&srv);
    assert_int_equal(hooksync_run(h), 0);
    /* list, create, list again (the read-back) */
    assert_int_equal(fakesrv_count(&srv), 3);
    assert_string_equal(srv.recorded[1].method, "POST");
    assert_non_null(ours());
    assert_int_equal(ours()->n, 2);
    assert_true(fh_has(ours(), A) && fh_has(ours(), B) && !fh_has(ours(), C));
    assert_string_equal(ours()->auth, "hook-secret");
    struct hooksync_status s;
    hooksync_status(h, &s);
    assert_true(s.in_sync);
    assert_int_equal(s.watched, 2);
    assert_int_equal(s.registered, 2);
    assert_string_equal(s.webhook_id, ours()->id);
    assert_int_equal(s.requests, 3);
    assert_int_equal(x.calls, 1); /* the first outcome is reported */

    /* nothing changed: one list, nothing sent */
    fakesrv_reset(&srv);
    assert_int_equal(hooksync_run(h), 0);
    assert_int_equal(fakesrv_count(&srv), 1);
    assert_string_equal(srv.recorded[0].method, "GET");
    assert_int_equal(fh.puts, 0);

    /* add C: one PUT with the whole sorted set, then the read-back */
    set_status(C, WALLET_WATCH);
    fakesrv_reset(&srv);
    assert_int_equal(hooksync_run(h), 0);
    assert_int_equal(fakesrv_count(&srv), 3);
    assert_string_equal(srv.recorded[1].method, "PUT");
    assert_non_null(strstr(srv.recorded[1].url, ours()->id));
    assert_non_null(
        strstr(srv.recorded[1].body, "\"accountAddresses\":[\"" A "\",\"" B "\",\"" C "\"]"));
    assert_int_equal(ours()->n, 3);

    /* remove A (blacklisted) */
    set_status(A, WALLET_BLACKLISTED);
    assert_int_equal(hooksync_run(h), 0);
    assert_int_equal(ours()->n, 2);
    assert_false(fh_has(ours(), A));
    assert_true(fh_has(ours(), B) && fh_has(ours(), C));
    /* the other URL's webhook still holds what it held */
    assert_int_equal(fh_find_url(&fh, "https://other.example.org/hook")->n, 1);

    /* an address added on Helius's side (by hand) is taken away again */
    pthread_mutex_lock(&fh.mu);
    ours()->addrs[ours()->n++] = strdup(A);
    pthread_mutex_unlock(&fh.mu);
    assert_int_equal(hooksync_run(h), 0);
    assert_false(fh_has(ours(), A));

    /* an empty watchlist: the webhook is deleted, not left watching */
    set_status(B, WALLET_CANDIDATE);
    set_status(C, WALLET_CANDIDATE);
    assert_int_equal(hooksync_run(h), 0);
    assert_null(ours());
    assert_int_equal(fh.deletes, 1);
    hooksync_status(h, &s);
    assert_true(s.in_sync);
    assert_int_equal(s.registered, 0);
    assert_int_equal(x.calls, 1); /* never flipped */
    hooksync_free(h);
}

static void test_verify_and_failure_then_recovery(void **state)
{
    (void)state;
    struct states x = {0};
    struct hooksync *h = new_sync(&x, 0);
    set_status(A, WALLET_WATCH);
    assert_int_equal(hooksync_run(h), 0);
    assert_int_equal(x.calls, 1);
    assert_true(x.last_in_sync);

    /* Helius answers 200 to the update but does not apply it: the
     * read-back says so */
    set_status(B, WALLET_WATCH);
    fh.drop_updates = true;
    assert_int_equal(hooksync_run(h), WT_EREMOTE);
    struct hooksync_status s;
    hooksync_status(h, &s);
    assert_false(s.in_sync);
    assert_int_equal(s.watched, 2);
    assert_int_equal(s.registered, 1);
    assert_non_null(strstr(s.error, "read back"));
    assert_int_equal(x.calls, 2);
    assert_false(x.last_in_sync);

    /* Helius refuses the update: still failing, no new state call */
    fh.drop_updates = false;
    fh.fail_status = 500;
    snprintf(fh.fail_method, sizeof fh.fail_method, "PUT");
    assert_int_equal(hooksync_run(h), WT_EREMOTE);
    hooksync_status(h, &s);
    assert_non_null(strstr(s.error, "500"));
    assert_null(strstr(s.error, KEY)); /* the key never reaches a message */
    assert_int_equal(s.failures, 2);
    assert_int_equal(x.calls, 2);

    /* Helius works again: in line, and the recovery is reported */
    fh.fail_status = 0;
    assert_int_equal(hooksync_run(h), 0);
    assert_int_equal(x.calls, 3);
    assert_true(x.last_in_sync);
    assert_int_equal(x.last_registered, 2);
    assert_true(fh_has(ours(), B));
    hooksync_free(h);
}

static void test_debounce_one_update_for_a_burst(void **state)
{
    (void)state;
    struct states x = {0};
    /* a long debounce: the burst below takes microseconds */
    struct hooksync *h = new_sync(&x, 400);
    set_status(A, WALLET_WATCH);
    set_status(B, WALLET_CANDIDATE);
    set_status(C, WALLET_CANDIDATE);
    assert_int_equal(hooksync_run(h), 0);
    unsigned puts0 = fh.puts;
    assert_int_equal(hooksync_start(h), 0); /* its first sync finds nothing to do */
    set_status(B, WALLET_WATCH);
    hooksync_notify(h);
    set_status(C, WALLET_WATCH);
    hooksync_notify(h);
    hooksync_notify(h);
    struct hooksync_status s;
    for (int i = 0; i < 3000; i++) {
        hooksync_status(h, &s);
        if (s.runs >= 2)
            break;
        fake_sleep_ms(5);
    }
    hooksync_status(h, &s);
    assert_int_equal(s.runs, 2); /* the manual run and one for the start and the burst */
    assert_int_equal(fh.puts - puts0, 1);
    assert_int_equal(ours()->n, 3);
    assert_true(s.in_sync);
    hooksync_stop(h);
    hooksync_free(h);
}

/* Several nodes: the thread syncs only while may_run says this node leads. */
static atomic_bool leads;

static bool node_leads(void *ctx)
{
    (void)ctx;
    return atomic_load(&leads);
}

static void test_standby_puts_off_until_it_leads(void **state)
{
    (void)state;
    struct states x = {0};
    atomic_store(&leads, false);
    struct hooksync *h = new_sync_gated(&x, 20, node_leads);
    set_status(A, WALLET_WATCH);
    assert_int_equal(hooksync_start(h), 0);
    hooksync_notify(h);
    struct hooksync_status s;
    for (int i = 0; i < 400; i++) { /* the first sync falls due after 20 ms */
        hooksync_status(h, &s);
        if (s.standby)
            break;
        fake_sleep_ms(5);
    }
    fake_sleep_ms(300);
    hooksync_status(h, &s);
    assert_true(s.standby);
    assert_int_equal(s.runs, 0);
    assert_int_equal(s.requests, 0); /* Helius never heard from a standby */
    assert_null(ours());

    atomic_store(&leads, true); /* it takes the lock: the put-off sync runs */
    for (int i = 0; i < 600; i++) {
        hooksync_status(h, &s);
        if (s.runs >= 1)
            break;
        fake_sleep_ms(5);
    }
    hooksync_status(h, &s);
    assert_int_equal(s.runs, 1);
    assert_false(s.standby);
    assert_true(s.in_sync);
    assert_non_null(ours());
    assert_int_equal(ours()->n, 1);
    hooksync_stop(h);
    hooksync_free(h);
}

static void test_needs_key_and_url(void **state)
{
    (void)state;
    struct states x = {0};
    struct hooksync_opts ho = {
        .api_url = srv.url, .api_key = KEY, .webhook_url = "", .on_state = on_state, .ctx = &x};
    struct hooksync *h = hooksync_new(st, &ho);
    fakesrv_reset(&srv);
    assert_int_equal(hooksync_run(h), WT_EINVAL);
    assert_int_equal(fakesrv_count(&srv), 0);
    assert_int_equal(x.calls, 1);
    assert_false(x.last_in_sync);
    hooksync_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_add_remove_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_and_failure_then_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debounce_one_update_for_a_burst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standby_puts_off_until_it_leads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_needs_key_and_url, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
