/* Integration test of GET /metrics: after deliveries, an operator pause and
 * RPC probes, the daemon's answer holds the engine's counters and gauges
 * (events, signal decisions, breakers as 0/1, paused), the latency
 * histograms (webhook ack, store commit) with cumulative buckets, the
 * external calls by service and outcome, and the SQLite file sizes; and it
 * parses: a strict check of the text format here (every sample's family
 * declared by # TYPE first, no series twice, counters ending in _total,
 * buckets cumulative with +Inf equal to _count), and Debian's
 * python3-prometheus-client parser (prometheus_client.parser). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../support/fakesrv.c"
#include "../support/fixture.c"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SECRET "whsec-metrics-test"
#define AUTH   "Authorization: " SECRET

static void rpc_handler(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp)
{
    (void)req;
    struct buf *b = s->ud;
    resp->body = b->data;
    resp->body_len = b->len;
}

/* The value of the sample named exactly `series` ("name{labels}"), or -1. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return -1;
}

/* The strict check of the exposition format; fails the test on a defect. */
static void check_format(const char *text)
{
    char types[256][96];
    size_t nt = 0;
    char seen[2048][160];
    size_t ns = 0;
    char line[1024];
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl); /* every line ends with \n */
        size_t len = (size_t)(nl - p);
        assert_true(len < sizeof line);
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl + 1;
        if (strncmp(line, "# HELP ", 7) == 0)
            continue;
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char name[96], type[32];
            assert_int_equal(sscanf(line + 7, "%95s %31s", name, type), 2);
            assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                        strcmp(type, "histogram") == 0);
            for (size_t i = 0; i < nt; i++)
                if (strcmp(types[i], name) == 0)
                    fail_msg("family %s declared twice", name);
            if (strcmp(type, "counter") == 0 &&
                (strlen(name) < 6 || strcmp(name + strlen(name) - 6, "_total") != 0))
                fail_msg("counter %s does not end in _total", name);
            snprintf(types[nt++], sizeof types[0], "%s", name);
            continue;
        }
        assert_true(line[0] != '#');
        /* name{labels} value */
        char *sp = strrchr(line, ' ');
        assert_non_null(sp);
        char *end;
        strtod(sp + 1, &end);
        if (*end)
            fail_msg("not a number in: %s", line);
        *sp = '\0';
        for (size_t i = 0; i < ns; i++)
            if (strcmp(seen[i], line) == 0)
                fail_msg("series %s twice", line);
        assert_true(ns < 2048 && strlen(line) < sizeof seen[0]);
        memcpy(seen[ns++], line, strlen(line) + 1);
        size_t nl2 = strcspn(line, "{");
        char fam[96];
        snprintf(fam, sizeof fam, "%.*s", (int)nl2, line);
        bool declared = false;
        for (size_t i = 0; i < nt && !declared; i++) {
            size_t tl = strlen(types[i]);
            declared = strcmp(types[i], fam) == 0 ||
                       (strncmp(types[i], fam, tl) == 0 &&
                        (strcmp(fam + tl, "_bucket") == 0 || strcmp(fam + tl, "_sum") == 0 ||
                         strcmp(fam + tl, "_count") == 0));
        }
        if (!declared)
            fail_msg("sample %s before its # TYPE", line);
    }
}

static void check_histogram(const char *text, const char *name)
{
    char series[160];
    double prev = 0;
    const char *les[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                         "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "30",   "+Inf"};
    for (size_t i = 0; i < sizeof les / sizeof les[0]; i++) {
        snprintf(series, sizeof series, "%s_bucket{le=\"%s\"}", name, les[i]);
        double v = sample(text, series);
        assert_true(v >= prev);
        prev = v;
    }
    snprintf(series, sizeof series, "%s_count", name);
    assert_true(sample(text, series) == prev);
    assert_true(prev >= 1);
}

static void test_metrics_cover_the_service(void **state)
{
    (void)state;
    struct buf rpcbody;
    buf_init(&rpcbody, 0);
    size_t len;
    char *f = fixture_read("real/rpc_getLatestBlockhash_response_helius_example.json", &len);
    buf_append(&rpcbody, f, len);
    free(f);
    struct fakesrv rpc;
    assert_int_equal(fakesrv_start(&rpc, rpc_handler, &rpcbody), 0);
    char rpcs[160];
    /* A second endpoint nothing listens on: the RPC input is degraded. */
    snprintf(rpcs, sizeof rpcs, "WALLTRACK_RPC_URLS=%s,http://127.0.0.1:9", rpc.url);
    const char *env[] = {rpcs, "WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};
    const char *args[] = {"--set", "alert.probe_s=1",         "--set", "ingest.poll_silence_s=0",
                          "--set", "discovery.on_start=true", NULL};
    struct daemon d;
    assert_int_equal(daemon_start(&d, args, env), 0);

    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(harness_swap_body(&body, 1200, 3), 0);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", AUTH, body.data, body.len, NULL), 200);
    assert_int_equal(http_request(d.port, "POST", "/v1/control/pause", NULL, "{}", 2, NULL), 200);
    for (int i = 0; i < 400 && fakesrv_count(&rpc) < 2; i++)
        fake_sleep_ms(50);

    /* The engine handles the swaps on its own thread, discovery runs on a
     * worker, the probes every second: wait for them. */
    double swaps = 0, runs = 0, rpc_level = 0;
    for (int i = 0; i < 400 && (swaps < 3 || runs < 1 || rpc_level != 1); i++) {
        buf_reset(&body);
        assert_int_equal(http_request(d.port, "GET", "/metrics", NULL, NULL, 0, &body), 200);
        swaps = sample(body.data, "walltrack_engine_events_total{kind=\"swap\"}");
        runs = sample(body.data, "walltrack_discovery_runs_total{result=\"ok\"}");
        rpc_level = sample(body.data, "walltrack_input_level{input=\"rpc\"}");
        if (swaps < 3 || runs < 1 || rpc_level != 1)
            fake_sleep_ms(50);
    }
    const char *t = body.data;
    assert_true(swaps >= 3);
    check_format(t);
    assert_true(sample(t, "walltrack_engine_paused") == 1);
    assert_true(sample(t, "walltrack_engine_breaker_active{breaker=\"operator\"}") == 1);
    assert_true(sample(t, "walltrack_engine_breaker_active{breaker=\"drawdown\"}") == 0);
    assert_true(sample(t, "walltrack_engine_signal_decisions_total{decision=\"traded\"}") >= 0);
    assert_true(sample(t, "walltrack_engine_equity_sol") > 0);
    assert_true(sample(t, "walltrack_engine_open_positions") == 0);
    check_histogram(t, "walltrack_webhook_ack_seconds");
    check_histogram(t, "walltrack_store_commit_seconds");
    assert_true(sample(t, "walltrack_signal_to_order_seconds_count") >= 0);
    assert_true(sample(t, "walltrack_external_requests_total{service=\"rpc\",outcome=\"ok\"}") >=
                1);
    assert_true(sample(t, "walltrack_db_bytes{file=\"db\"}") > 0);
    /* A delivery was committed: the writer's cache holds pages. */
    assert_true(sample(t, "walltrack_db_writer_cache_bytes{kind=\"used\"}") > 0);
    assert_true(sample(t, "walltrack_db_writer_cache_bytes{kind=\"limit\"}") == 16000 * 1024);
    /* The periodic jobs; a single node skips none for being a standby. */
    assert_true(sample(t, "walltrack_job_runs_total{job=\"store health\"}") >= 0);
    assert_true(sample(t, "walltrack_job_skipped_total{job=\"discovery\",reason=\"standby\"}") ==
                0);
    assert_true(sample(t, "walltrack_inbox_bodies_total{result=\"accepted\"}") == 1);
    /* The inputs (alert/outage.h): one of the two RPC endpoints down is
     * degraded (1); the disk is fine. */
    assert_true(sample(t, "walltrack_input_level{input=\"rpc\"}") == 1);
    assert_true(sample(t, "walltrack_input_level{input=\"disk\"}") == 0);
    assert_true(sample(t, "walltrack_input_level{input=\"jupiter\"}") == 0);
    /* Discovery ran once at the start (discovery.on_start). */
    assert_true(sample(t, "walltrack_discovery_runs_total{result=\"ok\"}") == 1);
    assert_true(sample(t, "walltrack_discovery_runs_total{result=\"failed\"}") == 0);
    assert_true(sample(t, "walltrack_discovery_last_success_timestamp_seconds") > 1.7e9);
    assert_true(sample(t, "walltrack_discovery_last_run_seconds") > 0);
    assert_true(sample(t, "walltrack_discovery_watchlist") >= 0);
    assert_true(sample(t, "walltrack_discovery_watchlist_changes_total{change=\"added\"}") >= 0);

    /* Every metric docs/grafana.json graphs is served. */
    struct buf g;
    buf_init(&g, 0);
    assert_int_equal(harness_read_file(WT_SOURCE_DIR "/docs/grafana.json", &g), 0);
    size_t used = 0;
    for (const char *q = g.data; (q = strstr(q, "walltrack_")) != NULL; q++) {
        char name[96];
        size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyz_");
        assert_true(n < sizeof name);
        memcpy(name, q, n);
        name[n] = '\0';
        if (strcmp(name, "walltrack") == 0) /* the uid and tags */
            continue;
        char want[110];
        snprintf(want, sizeof want, "\n%s", name);
        if (!strstr(t, want))
            fail_msg("docs/grafana.json graphs %s, which /metrics does not serve", name);
        used++;
    }
    assert_true(used > 15);
    buf_release(&g);

    /* A real parser of the format. */
    char path[512];
    snprintf(path, sizeof path, "%s/metrics.txt", d.dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(t, fp);
    fclose(fp);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys; from prometheus_client.parser import "
             "text_string_to_metric_families as p; fams = list(p(open(sys.argv[1]).read())); "
             "assert len(fams) > 20, len(fams); print(len(fams))' '%s' > '%s.out' 2>&1",
             path, path);
    int rc = system(cmd);
    if (rc != 0) {
        char outp[600];
        snprintf(outp, sizeof outp, "%s.out", path);
        struct buf o;
        buf_init(&o, 0);
        harness_read_file(outp, &o);
        fail_msg("prometheus_client.parser refused /metrics: %s", o.data ? o.data : "");
    }

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    buf_release(&body);
    buf_release(&rpcbody);
    harness_rmdir(d.dir);
    fakesrv_stop(&rpc);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_cover_the_service),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
