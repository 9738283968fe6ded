/* Integration test: the chain crawl (`walltrack discover --chain`) against
 * `walltrack sim chain`, both the real binary, over real HTTP. The chain
 * injects 429s and 503s. The operator's token list is the truth file's
 * tokens that reached 10x (the chain's own winners sources are planned).
 * Checked: a dry run sends nothing; the budget stops the crawl at exactly
 * its number of requests; a crawl killed with SIGKILL mid-way resumes and
 * finishes with no history page answered twice except the one in flight;
 * a finished crawl run again sends nothing; the watchlist is built from
 * the crawled swaps; a malformed --tokens file changes nothing; GET
 * /v1/discovery of a daemon on the same data shows the crawl state; with
 * no list, pump.fun graduations read from the migration account's history
 * are every graduated token, and a later run lists only what is newer;
 * `serve` crawls on its discovery schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "harness.h"

static pid_t chain = -1; /* stopped by the teardown even when a check fails */

static int teardown(void **state)
{
    (void)state;
    if (chain > 0) {
        kill(chain, SIGKILL);
        waitpid(chain, NULL, 0);
    }
    return 0;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts WT_BINARY with argv (no program name) in dir, output to dir/name.log. */
static pid_t spawn_in(const char *dir, const char *name, const char *const *argv,
                      const char *const *env)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (chdir(dir) != 0)
        _exit(127);
    char log[512];
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    for (int i = 0; env && env[i]; i++) {
        char kv[512];
        snprintf(kv, sizeof kv, "%s", env[i]);
        char *eq = strchr(kv, '=');
        if (eq) {
            *eq = '\0';
            setenv(kv, eq + 1, 1);
        }
    }
    const char *args[64] = {"walltrack"};
    int n = 1;
    for (int i = 0; argv[i] && n < 63; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    execv(WT_BINARY, (char *const *)args);
    _exit(127);
}

static int64_t stat_of(unsigned port, const char *key)
{
    struct buf b;
    buf_init(&b, 0);
    if (http_request(port, "GET", "/sim/stats", NULL, NULL, 0, &b) != 200) {
        buf_release(&b);
        return -1;
    }
    buf_reserve(&b, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, req;
    int64_t v = -1;
    if (json_parse(d, b.data, b.len, b.cap, &root) == 0 && json_get(&root, "requests", &req) == 0)
        json_get_i64(&req, key, &v);
    json_doc_free(d);
    buf_release(&b);
    return v;
}

/* Writes the mints of the truth's tokens that reached 10x to path. */
static size_t winners_file(unsigned port, const char *path)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(http_request(port, "GET", "/sim/truth", NULL, NULL, 0, &b), 200);
    buf_reserve(&b, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, toks, t;
    assert_int_equal(json_parse(d, b.data, b.len, b.cap, &root), 0);
    assert_int_equal(json_get(&root, "tokens", &toks), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "# winners\n");
    size_t n = 0;
    for (size_t i = 0; i < json_size(&toks); i++) {
        double peak;
        const char *mint;
        assert_int_equal(json_index(&toks, i, &t), 0);
        if (json_get_double(&t, "peak_multiple", &peak) == 0 && peak >= 10 &&
            json_get_str(&t, "mint", &mint, NULL) == 0) {
            fprintf(f, "%s\n", mint);
            n++;
        }
    }
    fclose(f);
    json_doc_free(d);
    buf_release(&b);
    return n;
}

/* Tokens of the truth that graduated (a migration to a pool). */
static size_t graduated_count(unsigned port)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(http_request(port, "GET", "/sim/truth", NULL, NULL, 0, &b), 200);
    buf_reserve(&b, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, toks, t;
    assert_int_equal(json_parse(d, b.data, b.len, b.cap, &root), 0);
    assert_int_equal(json_get(&root, "tokens", &toks), 0);
    size_t n = 0;
    for (size_t i = 0; i < json_size(&toks); i++) {
        bool g = false;
        assert_int_equal(json_index(&toks, i, &t), 0);
        if (json_get_bool(&t, "graduated", &g) == 0 && g)
            n++;
    }
    json_doc_free(d);
    buf_release(&b);
    return n;
}

static void test_crawl_budget_kill_resume(void **state)
{
    (void)state;
    char dir[256];
    harness_tmpdir(dir, sizeof dir);
    char portfile[512];
    snprintf(portfile, sizeof portfile, "%s/chain.port", dir);
    const char *chain_args[] = {"sim", "chain", "--seed", "5",
                                /* the generous market: a one-day market of 120
                                 * launches needs its graduations */
                                "--preset", "bull", "--wallets", "600", "--tokens-per-day", "120",
                                "--listen", "127.0.0.1:0", "--port-file", portfile, "--p429",
                                "0.03", "--p5xx", "0.03", "--latency-ms", "2", "--api-key",
                                "crawl-key", NULL};
    chain = spawn_in(dir, "chain", chain_args, NULL);
    unsigned port = 0;
    for (int i = 0; i < 3000 && !port; i++) {
        struct buf b;
        buf_init(&b, 0);
        if (harness_read_file(portfile, &b) == 0 && b.len)
            port = (unsigned)strtoul(b.data, NULL, 10);
        buf_release(&b);
        if (!port)
            nap_ms(20);
    }
    assert_true(port > 0);
    char tokens[512];
    snprintf(tokens, sizeof tokens, "%s/tokens.txt", dir);
    size_t n_winners = winners_file(port, tokens);
    assert_true(n_winners >= 2);
    char url_env[128];
    snprintf(url_env, sizeof url_env, "WALLTRACK_HELIUS_API_URL=http://127.0.0.1:%u", port);
    const char *env[] = {"WALLTRACK_HELIUS_API_KEY=crawl-key", url_env, NULL};
    struct buf out;
    buf_init(&out, 0);

    /* a bad token file: refused, nothing added, nothing sent */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.txt", dir);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fprintf(f, "86xCnPeV69n6t3DnyGvkKobf9FdN2H9oiVDdaMpo2MMY\nnot-a-mint\n");
    fclose(f);
    const char *bad_args[] = {"discover", "--data", "data", "--tokens", bad, "--chain", NULL};
    assert_int_equal(harness_run(dir, bad_args, env, 60, &out), 1);
    assert_non_null(strstr(out.data, "not-a-mint"));
    assert_int_equal(stat_of(port, "total"), 0);

    /* dry run: an estimate, no request */
    const char *dry[] = {"discover", "--data",  "data",      "--tokens",
                         tokens,     "--chain", "--dry-run", NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, dry, env, 60, &out), 0);
    assert_non_null(strstr(out.data, "dry run:"));
    assert_non_null(strstr(out.data, "nothing sent"));
    assert_int_equal(stat_of(port, "total"), 0);

    /* the budget stops it at exactly that many requests, cleanly */
    const char *budget[] = {"discover", "--data",
                            "data",     "--chain",
                            "--budget", "25",
                            "--set",    "helius.requests_per_second=0",
                            "--set",    "discovery.graduation_hours=0",
                            NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, budget, env, 120, &out), 0);
    assert_non_null(strstr(out.data, "stopped at the budget"));
    assert_int_equal(stat_of(port, "helius_history"), 25);

    /* a crawl killed with SIGKILL mid-way ... */
    const char *run[] = {"discover", "--data",
                         "data",     "--chain",
                         "--set",    "helius.requests_per_second=0",
                         "--set",    "discovery.graduation_hours=0",
                         NULL};
    pid_t pid = spawn_in(dir, "crawl", run, env);
    for (int i = 0; i < 3000 && stat_of(port, "helius_history") < 150; i++)
        nap_ms(10);
    assert_true(stat_of(port, "helius_history") >= 150);
    kill(pid, SIGKILL);
    int ws;
    waitpid(pid, &ws, 0);
    assert_true(WIFSIGNALED(ws));
    int64_t at_kill = stat_of(port, "helius_history");

    /* ... resumes and finishes: no page answered twice but the one in
     * flight at the kill */
    buf_reset(&out);
    assert_int_equal(harness_run(dir, run, env, 300, &out), 0);
    assert_non_null(strstr(out.data, "wallets"));
    assert_null(strstr(out.data, "stopped at the budget"));
    int64_t total = stat_of(port, "helius_history");
    assert_true(total > at_kill);
    assert_true(stat_of(port, "helius_history_repeated") <= 1);
    /* the watchlist comes from the crawled swaps */
    assert_non_null(strstr(out.data, "watchlist: "));
    assert_null(strstr(out.data, "watchlist: 0 wallets"));

    /* finished: running it again sends nothing */
    buf_reset(&out);
    assert_int_equal(harness_run(dir, run, env, 120, &out), 0);
    assert_non_null(strstr(out.data, "crawl: 0 request(s)"));
    assert_int_equal(stat_of(port, "helius_history"), total);

    /* graduations: a fresh crawl with no list finds every graduated token
     * from the migration account's history */
    size_t n_grad = graduated_count(port);
    assert_true(n_grad >= 1);
    const char *grad[] = {
        "discover", "--data", "grad", "--chain", "--set", "helius.requests_per_second=0", NULL};
    buf_reset(&out);
    assert_int_equal(harness_run(dir, grad, env, 300, &out), 0);
    char want_g[96];
    snprintf(want_g, sizeof want_g, "crawl: %zu new token(s) from pump.fun graduations", n_grad);
    assert_non_null(strstr(out.data, want_g));
    assert_null(strstr(out.data, "watchlist: 0 wallets"));
    /* again: one request (the newest graduations), nothing else */
    int64_t before_again = stat_of(port, "helius_history");
    buf_reset(&out);
    assert_int_equal(harness_run(dir, grad, env, 120, &out), 0);
    assert_non_null(strstr(out.data, "crawl: 1 request(s)"));
    assert_null(strstr(out.data, "from pump.fun graduations"));
    assert_int_equal(stat_of(port, "helius_history"), before_again + 1);

    /* no Helius key, only rpc.urls: the same crawl through RPC, within
     * its budget, not a Helius request */
    char rpc_env[128];
    snprintf(rpc_env, sizeof rpc_env, "WALLTRACK_RPC_URLS=http://127.0.0.1:%u", port);
    const char *renv[] = {rpc_env, NULL};
    const char *rpc[] = {"discover", "--data", "rpc", "--chain", "--set", "discovery.rpc_rps=0",
                         "--budget", "150",    NULL};
    int64_t h0 = stat_of(port, "helius_history"), s0 = stat_of(port, "rpc_getSignaturesForAddress"),
            t0 = stat_of(port, "rpc_getTransaction");
    buf_reset(&out);
    assert_int_equal(harness_run(dir, rpc, renv, 300, &out), 0);
    assert_non_null(strstr(out.data, "crawling through rpc.urls"));
    assert_non_null(strstr(out.data, "crawl: 150 request(s)"));
    assert_non_null(strstr(out.data, "stopped at the budget"));
    assert_int_equal(stat_of(port, "helius_history"), h0);
    int64_t s1 = stat_of(port, "rpc_getSignaturesForAddress") - s0,
            t1 = stat_of(port, "rpc_getTransaction") - t0;
    assert_true(s1 >= 1 && t1 >= 1);
    assert_int_equal(s1 + t1, 150);

    /* DexScreener as the only source: a search and a lookup, then Helius
     * until the budget */
    char dex_env[128];
    snprintf(dex_env, sizeof dex_env, "WALLTRACK_DEXSCREENER_API_URL=http://127.0.0.1:%u", port);
    const char *denv[] = {"WALLTRACK_HELIUS_API_KEY=crawl-key", url_env, dex_env, NULL};
    const char *dex[] = {"discover", "--data",
                         "dex",      "--chain",
                         "--set",    "discovery.graduation_hours=0",
                         "--set",    "discovery.dexscreener_queries=sim",
                         "--set",    "discovery.dexscreener_min_multiple=1",
                         "--set",    "discovery.dexscreener_max_age_hours=0",
                         "--set",    "discovery.dexscreener_rps=0",
                         "--set",    "discovery.dexscreener_min_liquidity_usd=1",
                         "--budget", "6",
                         NULL};
    int64_t d0 = stat_of(port, "dexscreener");
    buf_reset(&out);
    assert_int_equal(harness_run(dir, dex, denv, 120, &out), 0);
    assert_non_null(strstr(out.data, "named by its search)"));
    assert_null(strstr(out.data, "crawl: 0 new token(s) from DexScreener"));
    /* the search and the lookup, with their retries (faults are on) */
    int64_t dn = stat_of(port, "dexscreener") - d0;
    assert_true(dn >= 2 && dn <= 6);

    /* the daemon on the same data shows the crawl in GET /v1/discovery */
    struct daemon d;
    memset(&d, 0, sizeof d);
    snprintf(d.dir, sizeof d.dir, "%s", dir);
    assert_int_equal(daemon_restart(&d, NULL, NULL), 0);
    buf_reset(&out);
    assert_int_equal(http_request(d.port, "GET", "/v1/discovery", NULL, NULL, 0, &out), 200);
    char want[96];
    snprintf(want, sizeof want, "\"tokens\":{\"pending\":0,\"done\":%zu,", n_winners);
    assert_non_null(strstr(out.data, want));
    assert_non_null(strstr(out.data, "\"wallets\":{\"pending\":0,"));
    assert_null(strstr(out.data, "\"requests\":0,\"run\""));
    /* and the newest run's progress: the resumed crawl finished */
    assert_non_null(strstr(out.data, "\"run\":{\"state\":\"done\",\"phase\":\"done\","));
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    /* serve crawls on its discovery schedule (here: at once) */
    struct daemon sd;
    memset(&sd, 0, sizeof sd);
    const char *serve_args[] = {"--set", "discovery.on_start=true", "--set",
                                "helius.requests_per_second=0", NULL};
    assert_int_equal(daemon_start(&sd, serve_args, env), 0);
    snprintf(want, sizeof want, "\"tokens\":{\"pending\":0,\"done\":%zu,", n_grad);
    bool crawled = false;
    for (int i = 0; i < 600 && !crawled; i++) {
        buf_reset(&out);
        if (http_request(sd.port, "GET", "/v1/discovery", NULL, NULL, 0, &out) == 200)
            crawled = strstr(out.data, want) != NULL;
        if (!crawled)
            nap_ms(100);
    }
    assert_true(crawled);
    assert_int_equal(daemon_stop(&sd, SIGTERM), 0);
    struct buf slog;
    buf_init(&slog, 0);
    daemon_log(&sd, &slog);
    assert_non_null(strstr(slog.data, "crawling the chain first"));
    assert_null(strstr(slog.data, "crawl-key")); /* the key never reaches the log */
    buf_release(&slog);
    harness_rmdir(sd.dir);

    buf_release(&out);
    kill(chain, SIGTERM);
    waitpid(chain, &ws, 0);
    chain = -1;
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    harness_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crawl_budget_kill_resume),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
