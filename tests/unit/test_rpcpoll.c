/* Tests of the RPC-polling fallback (ingest/rpcpoll.h) against a loopback
 * fake Solana RPC answering getTransaction with a real recorded mainnet
 * response, into a real inbox on a real SQLite file; and the fallback
 * still starts after the webhook's silence when the wall clock is set
 * back an hour (issue 14 item 4). */
#include "wallshift.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#include "base/err.h"
#include "ingest/inbox.h"
#include "ingest/rpcpoll.h"
#include "store/store.h"

/* Fee payer and signature of rpc_getTransaction_json_v0_agavesim_1.json. */
#define WALLET "98QXkwe6DThTsTq7tukKF4g9Wc6WnRbZyTBZ1iBupY39"
#define TX_SIG                                                                                     \
    "2cd7QQSByKy6Y6eddUmQzVwZp5hfrbyhz4osnsf9gmi2EhoScvBoCs5hgJ8WpADH7zhxtQqUcCwBok49KWJ4iJPw"
/* A newer signature whose transaction failed: must never be fetched. */
#define FAILED_SIG                                                                                 \
    "5h6xBEauJ3PK6SWCZ1PGjBvj8vDdWG3KpwATGy1ARAXFSDwt8GFXM7W5Ncn16wmqokgpiKRLuS83KUxyZyv2sUYv"

static char *tx_body;
static size_t tx_len;
static int tx_requests, failed_requests;

/* getSignaturesForAddress in the documented shape (newest first). */
static const char sigs_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":["
    "{\"signature\":\"" FAILED_SIG "\",\"slot\":376411700,\"err\":{\"InstructionError\":[0,"
    "{\"Custom\":1}]},\"memo\":null,\"blockTime\":1761676480,\"confirmationStatus\":\"confirmed\"},"
    "{\"signature\":\"" TX_SIG "\",\"slot\":376411673,\"err\":null,\"memo\":null,"
    "\"blockTime\":1761676473,\"confirmationStatus\":\"finalized\"}]}";

static void handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)s;
    const char *b = req->body ? req->body : "";
    if (strstr(b, "getSignaturesForAddress")) {
        resp->body =
            strstr(b, "\"until\"") ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[]}" : sigs_body;
    } else if (strstr(b, "getTransaction") && strstr(b, TX_SIG)) {
        tx_requests++;
        resp->body = tx_body;
        resp->body_len = tx_len;
        return;
    } else if (strstr(b, "getTransaction")) {
        failed_requests++;
        resp->body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}";
    } else {
        resp->status = 400;
        resp->body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,"
                     "\"message\":\"Method not found\"}}";
    }
    resp->body_len = strlen(resp->body);
}

static void test_poll_stores_new_successful_transactions(void **state)
{
    (void)state;
    tx_body = fixture_read("real/rpc_getTransaction_json_v0_agavesim_1.json", &tx_len);
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, handler, NULL), 0);
    char dir[] = "/tmp/wt-rpcpoll-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    struct wallet w = {0};
    snprintf(w.address, sizeof w.address, "%s", WALLET);
    snprintf(w.chain, sizeof w.chain, "solana");
    w.status = WALLET_WATCH;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
    struct inbox *ib;
    assert_int_equal(inbox_start(st, NULL, &ib), 0);
    int64_t before = inbox_last_delivery_ms(ib);

    const char *urls[] = {srv.url};
    struct rpcpoll_opts o = {.rpc_urls = urls, .n_urls = 1, .silence_s = 60, .interval_s = 30};
    struct rpcpoll *p = rpcpoll_new(st, ib, &o);
    assert_int_equal(rpcpoll_once(p), 0);
    struct rpcpoll_stats s;
    rpcpoll_get_stats(p, &s);
    assert_int_equal(s.wallets, 1);
    assert_int_equal(s.transactions, 1);
    assert_int_equal(s.failed_skipped, 1);
    assert_int_equal(tx_requests, 1);
    assert_int_equal(failed_requests, 0);

    /* the swap is stored, and polled data does not count as a delivery */
    int64_t swaps, transfers, prices;
    assert_int_equal(store_count_events(st, &swaps, &transfers, &prices), 0);
    assert_int_equal(swaps, 1);
    assert_int_equal(inbox_last_delivery_ms(ib), before);

    /* second round asks only for what is newer than the newest seen */
    int n_before = fakesrv_count(&srv);
    assert_int_equal(rpcpoll_once(p), 0);
    assert_int_equal(fakesrv_count(&srv), n_before + 1);
    assert_non_null(strstr(srv.recorded[n_before].body, "\"until\":\"" FAILED_SIG "\""));
    assert_int_equal(tx_requests, 1);

    /* an unreachable RPC is an error of the round, not a crash */
    char dead[64];
    fake_refused_url(dead, sizeof dead);
    const char *dead_urls[] = {dead};
    struct rpcpoll_opts od = o;
    od.rpc_urls = dead_urls;
    struct rpcpoll *q = rpcpoll_new(st, ib, &od);
    assert_true(rpcpoll_once(q) != 0);
    rpcpoll_get_stats(q, &s);
    assert_int_equal(s.errors, 1);
    rpcpoll_free(q);

    rpcpoll_free(p);
    inbox_stop(ib);
    store_close(st);
    fakesrv_stop(&srv);
    free(tx_body);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The wall clock is set back an hour after the last delivery: the silence
 * is still measured, and the polling starts after silence_s (1 s), checked
 * every interval_s (1 s), not an hour later. */
static void test_silence_across_wall_clock_jump_back(void **state)
{
    (void)state;
    tx_body = fixture_read("real/rpc_getTransaction_json_v0_agavesim_1.json", &tx_len);
    struct fakesrv srv;
    assert_int_equal(fakesrv_start(&srv, handler, NULL), 0);
    char dir[] = "/tmp/wt-rpcpoll-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *st;
    char err[256];
    assert_int_equal(store_open(dir, NULL, &st, err, sizeof err), 0);
    struct wallet w = {0};
    snprintf(w.address, sizeof w.address, "%s", WALLET);
    snprintf(w.chain, sizeof w.chain, "solana");
    w.status = WALLET_WATCH;
    assert_int_equal(store_wallet_upsert(st, &w), 0);
    struct inbox *ib;
    assert_int_equal(inbox_start(st, NULL, &ib), 0); /* the start counts as the last delivery */
    atomic_store(&wallshift_ms, -3600000);           /* then the clock is set back an hour */
    const char *urls[] = {srv.url};
    struct rpcpoll_opts o = {.rpc_urls = urls, .n_urls = 1, .silence_s = 1, .interval_s = 1};
    struct rpcpoll *p = rpcpoll_new(st, ib, &o);
    assert_int_equal(rpcpoll_start(p), 0);
    struct rpcpoll_stats s = {0};
    for (int i = 0; i < 300 && s.polls == 0; i++) { /* up to 15 s */
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        rpcpoll_get_stats(p, &s);
    }
    rpcpoll_free(p);
    atomic_store(&wallshift_ms, 0);
    inbox_stop(ib);
    store_close(st);
    fakesrv_stop(&srv);
    free(tx_body);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    assert_true(s.polls >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poll_stores_new_successful_transactions),
        cmocka_unit_test(test_silence_across_wall_clock_jump_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
