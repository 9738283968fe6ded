/* `walltrack backtest` through the real binary on a real database: a
 * simulated market imported and discovered, then every bad input refused
 * with a message naming it and nothing saved, then runs saved, listed,
 * shown, compared and deleted, and scenarios created, copied, edited;
 * and Ctrl-C during a long grid search: it stops, exits 130, saves
 * nothing, after showing its progress as plain lines (stderr is a file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "harness.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    harness_tmpdir(dir, sizeof dir);
    const char *gen[] = {"sim", "generate",         "--out", "sim", "--days", "2", "--wallets",
                         "400", "--tokens-per-day", "80",    NULL};
    const char *imp[] = {"import", "--data", "data", "--quiet", "sim/transactions.ndjson", NULL};
    const char *disc[] = {"discover", "--data", "data", NULL};
    if (harness_run(dir, gen, NULL, 120, NULL) != 0 ||
        harness_run(dir, imp, NULL, 120, NULL) != 0 || harness_run(dir, disc, NULL, 120, NULL) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_rmdir(dir);
    return 0;
}

/* Runs `walltrack backtest ARGS... --data data`; returns the status. */
static int bt(struct buf *out, const char *const *args)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = "backtest";
    for (size_t i = 0; args[i] && n < 28; i++)
        argv[n++] = args[i];
    argv[n++] = "--data";
    argv[n++] = "data";
    argv[n++] = "--log-level";
    argv[n++] = "warn";
    argv[n] = NULL;
    buf_reset(out);
    return harness_run(dir, argv, NULL, 120, out);
}

static void expect_refused(const char *const *args, const char *message)
{
    struct buf out;
    buf_init(&out, 0);
    int rc = bt(&out, args);
    if (rc != 2 || !strstr(out.data, message))
        fail_msg("expected status 2 and '%s', got %d: %s", message, rc, out.data);
    buf_release(&out);
}

static void test_bad_input_starts_nothing(void **state)
{
    (void)state;
    expect_refused((const char *[]){"run", "--from", "2025-01-02", "--to", "2025-01-01", NULL},
                   "empty or inverted window");
    expect_refused((const char *[]){"run", "--from", "2025-01-02", "--to", "2025-01-02", NULL},
                   "empty or inverted window");
    expect_refused((const char *[]){"run", "--from", "2025-02-30", "--to", "2025-03-01", NULL},
                   "--from: '2025-02-30' is not an ISO 8601");
    expect_refused((const char *[]){"run", "--to", "2025-03-01", NULL}, "needs --from and --to");
    expect_refused((const char *[]){"run", "--from", "2025-01-01", "--to", "2025-01-03", "--set",
                                    "signal.tresh=0.5", NULL},
                   "unknown setting 'signal.tresh'");
    expect_refused((const char *[]){"run", "--from", "2025-01-01", "--to", "2025-01-03", "--set",
                                    "trade.max_positions=5000", NULL},
                   "trade.max_positions: 5000 is out of range [1, 1000]");
    expect_refused((const char *[]){"run", "--from", "2025-01-01", "--to", "2025-01-03", "--set",
                                    "signal.threshold=0.95", NULL},
                   "high_score");
    expect_refused((const char *[]){"run", "--from", "2025-01-01", "--to", "2025-01-03",
                                    "--scenario", "missing", NULL},
                   "no scenario called 'missing'");
    expect_refused((const char *[]){"scenario", "create", "x", "server.listen=0.0.0.0:1", NULL},
                   "unknown parameter 'server.listen'");
    expect_refused((const char *[]){"scenario", "create", "x", "breakers.max_drawdown=2", NULL},
                   "breakers.max_drawdown: 2 is out of range");
    expect_refused((const char *[]){"scenario", "edit", "aggressive", "signal.threshold=0.7", NULL},
                   "built in and read-only");
    expect_refused((const char *[]){"grid", "--from", "2025-01-01", "--to", "2025-01-03",
                                    "signal.threshold=0.5:0.84:0.02", "trade.max_positions=1:30:1",
                                    NULL},
                   "the grid has 540 points, more than backtest.max_grid_points (500)");
    expect_refused((const char *[]){"grid", "--from", "2025-01-01", "--to", "2025-01-03", "--set",
                                    "backtest.max_grid_points=2", "trade.max_positions=1,2,3",
                                    NULL},
                   "the grid has 3 points, more than backtest.max_grid_points (2)");
    expect_refused((const char *[]){"grid", "--from", "2025-01-01", "--to", "2025-01-03",
                                    "trade.max_positions=0,2", NULL},
                   "trade.max_positions: 0 is out of range");
    expect_refused((const char *[]){"grid", "--from", "2025-01-01", "--to", "2025-01-03",
                                    "--objective", "luck", "trade.max_positions=2", NULL},
                   "--objective: 'luck'");
    expect_refused((const char *[]){"batch", "--from", "2025-01-01", "--to", "2025-01-03",
                                    "default", "nope", NULL},
                   "no scenario called 'nope'");
    /* Nothing was run or stored. */
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(bt(&out, (const char *[]){"list", "--json", NULL}), 0);
    assert_non_null(strstr(out.data, "[]"));
    assert_int_equal(bt(&out, (const char *[]){"scenario", "show", "x", NULL}), 2);
    buf_release(&out);
}

static void test_runs_and_scenarios(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out, 0);
    /* The simulation starts 2025-01-01; discovery chose on both days. */
    assert_int_equal(bt(&out, (const char *[]){"scenario", "copy", "aggressive", "mine", NULL}), 0);
    assert_int_equal(bt(&out, (const char *[]){"scenario", "edit", "mine", "paper.latency_ms=4000",
                                               "signal.threshold=0.65", NULL}),
                     0);
    assert_int_equal(
        bt(&out, (const char *[]){"scenario", "unset", "mine", "trade.high_multiplier", NULL}), 0);
    assert_int_equal(bt(&out, (const char *[]){"scenario", "show", "mine", "--json", NULL}), 0);
    assert_non_null(strstr(out.data, "\"paper.latency_ms\":\"4000\""));
    assert_non_null(strstr(out.data, "\"signal.threshold\":\"0.65\""));
    assert_null(strstr(out.data, "high_multiplier"));

    assert_int_equal(bt(&out, (const char *[]){"run", "--from", "2025-01-02", "--to", "2025-01-03",
                                               "--json", NULL}),
                     0);
    assert_non_null(strstr(out.data, "\"id\":1,\"scenario\":\"default\""));
    assert_int_equal(
        bt(&out, (const char *[]){"run", "--from", "2025-01-02", "--to", "2025-01-03T00:00:00Z",
                                  "--scenario", "mine", "--set", "trade.max_positions=4", NULL}),
        0);
    assert_non_null(strstr(out.data, "run 2: scenario mine"));
    assert_int_equal(bt(&out, (const char *[]){"show", "2", "--json", NULL}), 0);
    assert_non_null(strstr(out.data, "\"trade.max_positions\":\"4\""));
    assert_non_null(strstr(out.data, "\"paper.latency_ms\":\"4000\""));
    assert_non_null(strstr(out.data, "\"curve\":[["));
    assert_int_equal(bt(&out, (const char *[]){"list", NULL}), 0);
    assert_non_null(strstr(out.data, "mine"));
    assert_int_equal(bt(&out, (const char *[]){"compare", "1", "2", "--json", NULL}), 0);
    assert_non_null(strstr(out.data, "\"id\":1"));
    assert_non_null(strstr(out.data, "\"id\":2"));
    assert_int_equal(bt(&out, (const char *[]){"compare", "1", "9", NULL}), 1);
    /* A batch: saved together, compared. */
    assert_int_equal(bt(&out, (const char *[]){"batch", "--from", "2025-01-02", "--to",
                                               "2025-01-03", "conservative", "mine", NULL}),
                     0);
    assert_non_null(strstr(out.data, "conservative"));
    assert_non_null(strstr(out.data, "Sharpe"));
    /* A walk-forward grid: out-of-sample, folds saved as runs. */
    assert_int_equal(bt(&out, (const char *[]){"grid", "--from", "2025-01-02", "--to", "2025-01-03",
                                               "--folds", "2", "--json", "signal.threshold=0.6,0.7",
                                               "trade.max_positions=3,8", NULL}),
                     0);
    assert_non_null(strstr(out.data, "\"sample\":\"out-of-sample\""));
    assert_non_null(strstr(out.data, "\"points\":4"));
    assert_int_equal(bt(&out, (const char *[]){"list", NULL}), 0);
    assert_non_null(strstr(out.data, "out-of-sample 2/2"));
    assert_int_equal(bt(&out, (const char *[]){"grid", "--from", "2025-01-02", "--to", "2025-01-03",
                                               "--in-sample", "signal.threshold=0.6,0.7", NULL}),
                     0);
    assert_non_null(strstr(out.data, "IN-SAMPLE"));
    /* Apply asks first. */
    assert_int_equal(bt(&out, (const char *[]){"apply", "2", NULL}), 1);
    assert_non_null(strstr(out.data, "trade.max_positions = 4"));
    assert_non_null(strstr(out.data, "add --yes"));
    assert_int_equal(bt(&out, (const char *[]){"delete", "1", NULL}), 0);
    assert_int_equal(bt(&out, (const char *[]){"show", "1", NULL}), 1);
    assert_non_null(strstr(out.data, "no run 1"));
    assert_int_equal(bt(&out, (const char *[]){"list", "--json", NULL}), 0);
    assert_null(strstr(out.data, "\"id\":1,"));
    assert_non_null(strstr(out.data, "\"id\":2,"));
    buf_release(&out);
}

static size_t runs_listed(void)
{
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(bt(&out, (const char *[]){"list", "--json", NULL}), 0);
    size_t n = 0;
    for (const char *p = out.data; (p = strstr(p, "\"scenario\":")); p++)
        n++;
    buf_release(&out);
    return n;
}

static void test_ctrl_c_saves_nothing(void **state)
{
    (void)state;
    size_t before = runs_listed();
    char errpath[512];
    snprintf(errpath, sizeof errpath, "%s/ctrlc.err", dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_WRONLY);
        if (fd < 0 || nul < 0)
            _exit(127);
        dup2(nul, 1);
        dup2(fd, 2);
        /* 2000 points: far longer than the wait for its first line. */
        execl(harness_binary, "walltrack", "backtest", "grid", "--from", "2025-01-02", "--to",
              "2025-01-03", "--set", "backtest.max_grid_points=5000", "--data", "data",
              "signal.threshold=0.5:0.69:0.01", "trade.max_positions=1:20:1",
              "paper.latency_ms=0:4000:1000", (char *)NULL);
        _exit(127);
    }
    /* Wait for the first progress line: the search is running. */
    struct buf err;
    buf_init(&err, 0);
    bool started = false;
    int status = 0;
    for (int i = 0; i < 1200 && !started && waitpid(pid, &status, WNOHANG) == 0; i++) {
        buf_reset(&err);
        harness_read_file(errpath, &err);
        started = err.data && strstr(err.data, " runs\n");
        if (!started)
            nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    if (!started) {
        kill(pid, SIGKILL); /* no orphan left running */
        waitpid(pid, &status, 0);
        fail_msg("no progress line: %s", err.data ? err.data : "");
    }
    assert_int_equal(kill(pid, SIGINT), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    buf_reset(&err);
    harness_read_file(errpath, &err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 130)
        fail_msg("status %d: %s", status, err.data);
    assert_non_null(strstr(err.data, "cancelled; nothing was saved"));
    /* Plain lines, no carriage returns: stderr is not a terminal. */
    assert_null(strchr(err.data, '\r'));
    assert_non_null(strstr(err.data, "/2000 runs\n"));
    buf_release(&err);
    assert_int_equal(runs_listed(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_starts_nothing),
        cmocka_unit_test(test_runs_and_scenarios),
        cmocka_unit_test(test_ctrl_c_saves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
