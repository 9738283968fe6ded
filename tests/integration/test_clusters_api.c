/* The wallet graph through the real binary and HTTP: a simulated market's
 * first 22 hours imported, `walltrack graph build`, then `serve`:
 * GET /v1/clusters (filters, sort, paging, bad parameters), GET
 * /v1/clusters/{id} (members and the edges among them), `walltrack
 * clusters list`; then an insider of a detected cluster is watched, its
 * cluster blacklisted through the API, and its later buys posted to the
 * webhook: every one of its signals is blocked with reason
 * blacklisted_cluster. Last, the edges kept current between rebuilds
 * (graph.live_s 1, no scheduled rebuild): a transfer from that insider
 * to a wallet never seen, posted to the webhook, gives the insider's
 * wallet detail the new FUNDED_BY edge within seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/vec.h"
#include "harness.h"
#include "sim/sim.h"
#include "solana/base58.h"

#define SECRET "whsec-clusters-test"
#define AUTH   "Authorization: " SECRET

static const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};

struct later {
    uint32_t wallet, to;
    enum side side;
    enum sim_tx_kind kind;
    char *json;
};

static long get(unsigned port, const char *path, struct buf *body)
{
    buf_reset(body);
    return http_request(port, "GET", path, NULL, NULL, 0, body);
}

static long send_json(unsigned port, const char *method, const char *path, const char *json,
                      struct buf *body)
{
    buf_reset(body);
    return http_request(port, method, path, NULL, json, strlen(json), body);
}

/* hay with every needle replaced by with (malloc'd). */
static char *replace_all(const char *hay, const char *needle, const char *with)
{
    struct buf b;
    buf_init(&b, 0);
    size_t nl = strlen(needle);
    for (const char *p = hay;;) {
        const char *f = strstr(p, needle);
        if (!f) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(f - p));
        buf_puts(&b, with);
        p = f + nl;
    }
    char *r = strdup(b.data);
    buf_release(&b);
    return r;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void test_clusters_and_blacklist(void **state)
{
    (void)state;
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = 77;
    sc.days = 1;
    scenario_scale_wallets(&sc, (uint32_t)scenario_min_wallets(&sc) + 300);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000;
    sc.start_time = now / 1000 - 24 * 3600;
    int64_t cut = now - 2 * 3600 * 1000;
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);

    struct daemon d;
    harness_tmpdir(d.dir, sizeof d.dir);
    char path[512], data[512];
    snprintf(path, sizeof path, "%s/first.ndjson", d.dir);
    snprintf(data, sizeof data, "%s/data", d.dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    struct buf one;
    buf_init(&one, 0);
    VEC(struct later) rest = {0};
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1 && tx.ts_ms <= now) {
        buf_reset(&one);
        assert_int_equal(sim_tx_json(s, &tx, &one), 0);
        if (tx.ts_ms < cut) {
            fwrite(one.data, 1, one.len, fp);
            fputc('\n', fp);
        } else {
            struct later l = {tx.wallet, tx.to, tx.side, tx.kind, strdup(one.data)};
            vec_push(&rest, l);
        }
    }
    fclose(fp);
    struct buf out;
    buf_init(&out, 0);
    const char *imp[] = {"import", "--data", data, path, NULL};
    assert_int_equal(harness_run(d.dir, imp, env, 120, &out), 0);
    const char *build[] = {"graph", "build", "--data", data, NULL};
    assert_int_equal(harness_run(d.dir, build, env, 120, &out), 0);
    assert_non_null(strstr(out.data, "clusters:"));
    buf_reset(&out);
    const char *list[] = {"clusters", "list", "--data", data, "--sort", "insider", NULL};
    assert_int_equal(harness_run(d.dir, list, env, 60, &out), 0);
    assert_non_null(strstr(out.data, "funding_root"));

    const char *args[] = {"--set", "graph.interval_min=0", "--set", "graph.live_s=1", NULL};
    assert_int_equal(daemon_start_cmd(&d, "serve", args, env), 0);
    struct buf body;
    buf_init(&body, 0);

    /* The list: sorted by insider likelihood, paged, filtered. */
    assert_int_equal(get(d.port, "/v1/clusters?sortBy=insider&limit=3", &body), 200);
    assert_non_null(strstr(body.data, "\"pagination\":{\"page\":1,\"limit\":3,\"total\":"));
    assert_int_equal(count_of(body.data, "\"label\":"), 3);
    assert_non_null(strstr(body.data, "\"leaderRule\":\"funding_root\""));
    assert_int_equal(get(d.port, "/v1/clusters?minInsider=0.99&minSize=1000", &body), 200);
    assert_non_null(strstr(body.data, "\"data\":[]"));
    assert_int_equal(get(d.port, "/v1/clusters?sortBy=bogus", &body), 400);
    assert_non_null(strstr(body.data, "\"parameter\":\"sortBy\""));
    assert_int_equal(get(d.port, "/v1/clusters?minInsider=2", &body), 400);
    assert_int_equal(get(d.port, "/v1/clusters?nope=1", &body), 400);
    assert_int_equal(get(d.port, "/v1/clusters/999999", &body), 404);
    assert_int_equal(get(d.port, "/v1/clusters/abc", &body), 400);

    /* An insider of a detected cluster that buys after the cut. */
    const char *who = NULL;
    char q[256];
    for (size_t i = 0; i < rest.len && !who; i++) {
        const struct later *l = &rest.v[i];
        if (l->kind != SIM_TX_SWAP || l->side != SIDE_BUY ||
            sim_wallet_type(s, l->wallet) != SIM_INSIDER)
            continue;
        snprintf(q, sizeof q, "/v1/clusters?member=%s", sim_wallet_address(s, l->wallet));
        assert_int_equal(get(d.port, q, &body), 200);
        if (!strstr(body.data, "\"total\":0"))
            who = sim_wallet_address(s, l->wallet);
    }
    assert_non_null(who);
    /* its cluster: id and label */
    const char *idp = strstr(body.data, "\"id\":");
    const char *lp = strstr(body.data, "\"label\":\"");
    assert_non_null(idp);
    assert_non_null(lp);
    long id = strtol(idp + 5, NULL, 10);
    char label[64];
    snprintf(label, sizeof label, "%.*s", (int)strcspn(lp + 9, "\""), lp + 9);
    snprintf(q, sizeof q, "/v1/clusters/%ld", id);
    assert_int_equal(get(d.port, q, &body), 200);
    assert_non_null(strstr(body.data, who));
    assert_non_null(strstr(body.data, "\"members\":["));
    assert_non_null(strstr(body.data, "\"kind\":\"FUNDED_BY\""));

    /* Watch it, blacklist its cluster, post its later buys. */
    char req[256];
    snprintf(req, sizeof req, "{\"wallet\":\"%s\",\"score\":95}", who);
    assert_int_equal(send_json(d.port, "POST", "/v1/watchlist", req, &body), 200);
    snprintf(req, sizeof req, "{\"label\":\"%s\"}", label);
    assert_int_equal(send_json(d.port, "POST", "/v1/blacklist/clusters", req, &body), 200);
    assert_int_equal(get(d.port, "/v1/clusters?blacklisted=true", &body), 200);
    assert_non_null(strstr(body.data, label));
    size_t posted = 0;
    for (size_t i = 0; i < rest.len; i++) {
        const struct later *l = &rest.v[i];
        if (strcmp(sim_wallet_address(s, l->wallet), who) != 0)
            continue;
        long st =
            http_request(d.port, "POST", "/webhooks/helius", AUTH, l->json, strlen(l->json), &body);
        assert_int_equal(st, 200);
        posted += l->kind == SIM_TX_SWAP && l->side == SIDE_BUY;
    }
    assert_true(posted >= 1);
    snprintf(q, sizeof q, "/v1/signals?wallet=%s&limit=100", who);
    int signals = 0;
    for (int i = 0; i < 100 && signals < (int)posted; i++) {
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        assert_int_equal(get(d.port, q, &body), 200);
        signals = count_of(body.data, "\"reason\":");
    }
    assert_int_equal(signals, (int)posted);
    assert_int_equal(count_of(body.data, "\"reason\":\"blacklisted_cluster\""), (int)posted);

    /* A later transfer of the market, re-addressed: from the insider to a
     * wallet never seen, with a signature of its own. */
    const struct later *xl = NULL;
    for (size_t i = 0; i < rest.len && !xl; i++)
        if (rest.v[i].kind == SIM_TX_TRANSFER && rest.v[i].wallet != rest.v[i].to)
            xl = &rest.v[i];
    assert_non_null(xl);
    char *body1 = replace_all(xl->json, sim_wallet_address(s, xl->wallet), who);
    uint8_t fk[32];
    memset(fk, 0x4c, sizeof fk);
    char fresh[64];
    assert_true(base58_encode(fk, 32, fresh, sizeof fresh) > 0);
    char *body2 = replace_all(body1, sim_wallet_address(s, xl->to), fresh);
    const char *sigp = strstr(body2, "\"signature\":\"");
    assert_non_null(sigp);
    char *sgc = (char *)sigp + strlen("\"signature\":\"") + 3;
    *sgc = *sgc == 'z' ? 'y' : 'z';
    snprintf(q, sizeof q, "/v1/smart-money/wallets/%s", who);
    assert_int_equal(get(d.port, q, &body), 200);
    assert_null(strstr(body.data, fresh));
    long st = http_request(d.port, "POST", "/webhooks/helius", AUTH, body2, strlen(body2), &body);
    assert_int_equal(st, 200);
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        nanosleep(&(struct timespec){0, 100000000}, NULL);
        assert_int_equal(get(d.port, q, &body), 200);
        const char *e = strstr(body.data, fresh);
        seen = e && strstr(body.data, "\"kind\":\"FUNDED_BY\"");
    }
    assert_true(seen);
    free(body1);
    free(body2);

    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    for (size_t i = 0; i < rest.len; i++)
        free(rest.v[i].json);
    vec_free(&rest);
    buf_release(&one);
    buf_release(&out);
    buf_release(&body);
    sim_free(s);
    harness_rmdir(d.dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clusters_and_blacklist),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
