/* The engine's warm-up in the background (engine.warmup_background,
 * docs/operations.md "Restart time"), against the real daemon: a restart
 * whose warm-up is held (engine.warmup_hold_file) already listens,
 * /healthz answers 200, the webhook acknowledges deliveries (more events
 * than the engine's queue holds: they wait in the backlog) and they are
 * in the store, /v1/status shows the warm-up held with the deliveries in
 * its backlog, and the engine's routes answer 503 "warming up". Once the
 * hold goes, the engine has replayed exactly the swaps stored before the
 * restart (not those that came meanwhile: they are not counted twice) and
 * handled each of those as an event exactly once (its swap counter, read
 * until it settles); a later start replays every stored swap. The numbers
 * equal those of a daemon that warmed up first and took the same
 * deliveries after it. engine.warmup_backlog bounds that backlog: a
 * delivery past it waits, unanswered, until the warm-up goes on. SQLite only: on PostgreSQL the
 * engine starts when this node takes the trading lock (cli/serve_cluster.h), after the server
 * listens, behind the same fence: test_promote_pg.c checks it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "harness.h"

#define SECRET "whsec-warmup-test"
#define AUTH   "Authorization: " SECRET
#define QUEUE  "engine.queue_size=1024" /* the smallest engine queue */
#define LATER  1100u                    /* transactions delivered after the restart */

static const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};

/* What a scenario ends with (after a clean stop and a plain start). */
struct outcome {
    int64_t stored;       /* swaps in the store */
    int64_t handled;      /* counters.swaps of the restarted run: swaps handled as events */
    int64_t warmed_final; /* swaps_warmed of the last start */
    int64_t warmed_held;  /* swaps_warmed of the held (or first) restart */
};

static void post(unsigned port, unsigned first, unsigned n)
{
    assert_int_equal(harness_post_swaps(port, AUTH, first, n), 200);
}

/* GET /v1/status, parsed; the caller frees *doc. */
static void status(unsigned port, struct json_doc **doc, struct json_val *root, struct buf *b)
{
    if (harness_status(port, doc, root, b) != 0)
        fail_msg("GET /v1/status failed: %s", b->data ? b->data : "");
}

static int64_t num_at(const struct json_val *root, const char *obj, const char *key)
{
    int64_t v;
    if (harness_i64_at(root, obj, key, &v) != 0)
        fail_msg("status: no %s.%s", obj ? obj : "", key);
    return v;
}

static const char *warm_state(const struct json_val *root)
{
    struct json_val o;
    const char *s;
    if (json_get(root, "warmup", &o) != 0 || json_get_str(&o, "state", &s, NULL) != 0)
        fail_msg("status: no warmup.state");
    return s;
}

static int64_t stored_swaps(const struct daemon *d)
{
    char db[600];
    snprintf(db, sizeof db, "%s/data", d->dir);
    int64_t n = harness_swaps_stored(db);
    assert_true(n >= 0);
    return n;
}

/* Waits (at most 30 s) for the warm-up to be done. */
static void wait_done(unsigned port)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 3000; i++) {
        struct json_doc *doc;
        struct json_val root;
        status(port, &doc, &root, &b);
        bool done = strcmp(warm_state(&root), "done") == 0;
        json_doc_free(doc);
        if (done) {
            buf_release(&b);
            return;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the warm-up did not finish in 30 s");
}

/* The engine's counters.swaps once it has reached want (at most 15 s) and
 * a further 1.5 s have passed (more would be a swap handled twice). */
static int64_t handled_settled(unsigned port, int64_t want)
{
    struct buf b;
    buf_init(&b, 0);
    int64_t n = -1;
    for (int i = 0; i < 1650; i++) {
        struct json_doc *doc;
        struct json_val root;
        status(port, &doc, &root, &b);
        n = num_at(&root, "counters", "swaps");
        json_doc_free(doc);
        if (n >= want && i < 1500)
            i = 1500; /* then 150 more polls */
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    buf_release(&b);
    return n;
}

/* Starts a daemon (args may be NULL), stores 60 transactions and stops
 * it cleanly; returns the swaps stored. */
static int64_t seed_and_stop(struct daemon *d, const char **args)
{
    assert_int_equal(daemon_start(d, args, env), 0);
    post(d->port, 1000, 60);
    assert_int_equal(daemon_stop(d, SIGTERM), 0);
    int64_t before = stored_swaps(d);
    assert_true(before >= 60);
    return before;
}

/* Restarts d with its warm-up held (the hold file d->dir/hold, written
 * into hold) and the smallest engine queue, plus `extra` ("name=value")
 * when not NULL. Returns once the server listens. */
static void restart_held(struct daemon *d, const char *extra, char *hold, size_t holdsize)
{
    char hold_set[700];
    snprintf(hold, holdsize, "%s/hold", d->dir);
    snprintf(hold_set, sizeof hold_set, "engine.warmup_hold_file=%s", hold);
    FILE *f = fopen(hold, "w");
    assert_non_null(f);
    fclose(f);
    const char *args[] = {"--set", hold_set, "--set", QUEUE, extra ? "--set" : NULL, extra, NULL};
    harness_wait_warm = false;
    assert_int_equal(daemon_restart(d, args, env), 0);
    harness_wait_warm = true;
}

/* 60 transactions, a clean stop; a restart (with background: the warm-up
 * held while LATER more are delivered, more events than the engine's
 * queue holds); a clean stop and a start. */
static void scenario(bool background, struct outcome *out)
{
    struct daemon d;
    const char *bg_args[] = {"--set", "engine.warmup_background=false", NULL};
    int64_t before = seed_and_stop(&d, background ? NULL : bg_args);

    char hold[600];
    struct buf b;
    buf_init(&b, 0);
    struct json_doc *doc;
    struct json_val root;
    if (background) {
        restart_held(&d, NULL, hold, sizeof hold);
        /* Listening, healthy, taking deliveries; the engine not yet. */
        assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
        post(d.port, 2000, LATER);
        assert_int_equal(stored_swaps(&d), before + LATER * (before / 60));
        status(d.port, &doc, &root, &b);
        assert_string_equal(warm_state(&root), "held");
        assert_int_equal(num_at(&root, "warmup", "swaps_total"), before);
        assert_int_equal(num_at(&root, "warmup", "backlog"), LATER * (before / 60));
        assert_true(num_at(&root, "warmup", "backlog") > 1024); /* past the queue */
        json_doc_free(doc);
        buf_reset(&b);
        assert_int_equal(http_request(d.port, "GET", "/v1/positions", NULL, NULL, 0, &b), 503);
        assert_non_null(strstr(b.data, "warming up"));
        buf_reset(&b);
        const char *cmd = "{\"wallet\":\"11111111111111111111111111111111\"}";
        assert_int_equal(http_request(d.port, "POST", "/v1/watchlist", NULL, cmd, strlen(cmd), &b),
                         503);
        assert_int_equal(unlink(hold), 0);
        wait_done(d.port);
    } else {
        const char *args[] = {"--set", "engine.warmup_background=false", "--set", QUEUE, NULL};
        assert_int_equal(daemon_restart(&d, args, env), 0);
        post(d.port, 2000, LATER);
    }
    int64_t later = LATER * (before / 60);
    out->handled = handled_settled(d.port, later);
    status(d.port, &doc, &root, &b);
    out->warmed_held = num_at(&root, "restore", "swaps_warmed");
    json_doc_free(doc);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);

    assert_int_equal(daemon_restart(&d, NULL, env), 0);
    status(d.port, &doc, &root, &b);
    out->warmed_final = num_at(&root, "restore", "swaps_warmed");
    json_doc_free(doc);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    out->stored = stored_swaps(&d);
    print_message("%s: %lld swaps stored before the restart, %lld replayed by it; %lld stored, "
                  "%lld handled as events, %lld replayed at the last start\n",
                  background ? "background warm-up" : "warm-up first", (long long)before,
                  (long long)out->warmed_held, (long long)out->stored, (long long)out->handled,
                  (long long)out->warmed_final);
    /* The restart replayed what was stored before it, nothing that came
     * after; every stored swap was handled as an event exactly once. */
    assert_int_equal(out->warmed_held, before);
    assert_int_equal(out->stored, before + LATER * (before / 60));
    assert_int_equal(out->warmed_final, out->stored);
    assert_int_equal(out->handled, later);
    buf_release(&b);
    harness_rmdir(d.dir);
}

static void test_background_equals_first(void **state)
{
    (void)state;
    struct outcome bg, first;
    scenario(true, &bg);
    scenario(false, &first);
    assert_memory_equal(&bg, &first, sizeof bg);
}

/* engine.warmup_backlog bounds the events waiting for a held warm-up: a
 * delivery that would pass it is stored but not answered (the commit
 * thread waits for room, which holds the webhook back) while the backlog
 * sits exactly at the bound; when the warm-up goes on, the delivery gets
 * its 200 and the engine handles every event once. */
static void test_backlog_bound(void **state)
{
    (void)state;
    enum { CAP = 1024 }; /* the smallest bound the setting takes */
    struct daemon d;
    int64_t before = seed_and_stop(&d, NULL);
    int64_t per_tx = before / 60;
    assert_true(per_tx >= 1);

    char hold[600], cap_set[64];
    snprintf(cap_set, sizeof cap_set, "engine.warmup_backlog=%d", CAP);
    restart_held(&d, cap_set, hold, sizeof hold);

    /* LATER transactions are more events than the bound: sent by a child,
     * whose exit status says whether it got its 200. */
    assert_true(LATER * per_tx > CAP);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(harness_post_swaps(d.port, AUTH, 2000, LATER) == 200 ? 0 : 1);
    struct buf b;
    buf_init(&b, 0);
    int64_t backlog = -1;
    for (int i = 0; i < 3000 && backlog < CAP; i++) {
        struct json_doc *doc;
        struct json_val root;
        status(d.port, &doc, &root, &b);
        backlog = num_at(&root, "warmup", "backlog");
        json_doc_free(doc);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* A moment longer: a bound that did not hold would show here. */
    struct timespec settle = {0, 300 * 1000 * 1000};
    nanosleep(&settle, NULL);
    struct json_doc *doc;
    struct json_val root;
    status(d.port, &doc, &root, &b);
    backlog = num_at(&root, "warmup", "backlog");
    int64_t high = num_at(&root, "warmup", "backlog_high");
    assert_string_equal(warm_state(&root), "held");
    json_doc_free(doc);
    int st;
    pid_t done = waitpid(child, &st, WNOHANG);
    print_message("held warm-up, bound %d: backlog %lld, highest %lld, delivery %s\n", CAP,
                  (long long)backlog, (long long)high, done == 0 ? "waiting" : "answered");
    assert_int_equal(backlog, CAP);
    assert_int_equal(high, CAP);
    assert_int_equal(done, 0); /* not answered while its events cannot be queued */

    assert_int_equal(unlink(hold), 0);
    assert_int_equal(waitpid(child, &st, 0), child);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    wait_done(d.port);
    assert_int_equal(handled_settled(d.port, LATER * per_tx), LATER * per_tx);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    assert_int_equal(stored_swaps(&d), before + LATER * per_tx);
    buf_release(&b);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_background_equals_first),
        cmocka_unit_test(test_backlog_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
