/* `serve` with several daemons on one PostgreSQL (see serve_cluster.h). */
#include "cli/serve_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/base64.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/store.h"
#include "trade/runner.h"

#define PAYLOAD_TAG "e1:"

struct serve_cluster {
    struct runner *runner;
    const char *mode;
    char node_id[64];
    struct store_leader *leader;
};

bool serve_cluster_wanted(const struct config *cfg)
{
    return config_str(cfg, CFG_DB_URL)[0] != '\0';
}

void serve_cluster_node_id(const struct config *cfg, char *out, size_t size)
{
    const char *id = config_str(cfg, CFG_CLUSTER_NODE_ID);
    if (id[0]) {
        snprintf(out, size, "%s", id);
        return;
    }
    char host[64];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(out, size, "%.40s:%ld", host, (long)getpid());
}

void serve_log_restored(struct runner *r, const char *mode)
{
    struct runner_health rh;
    runner_health(r, &rh);
    if (rh.warming) {
        log_info("serve",
                 "engine (%s) warming up in the background: %zu stored swaps to replay (up to id "
                 "%lld); deliveries are taken meanwhile",
                 mode, rh.warm_total, (long long)rh.warm_fence);
        return;
    }
    log_info("serve",
             "engine (%s) restored: %s, %zu open positions, %zu closed trades, %zu swaps "
             "warmed, %zu watched, %zu blacklisted, %zu orders cancelled",
             mode, rh.restore.state_found ? "state found" : "fresh account", rh.restore.positions,
             rh.restore.trades, rh.restore.swaps_warmed, rh.restore.watched, rh.restore.blacklisted,
             rh.restore.orders_cancelled);
}

size_t serve_cluster_encode(const struct event *ev, size_t n, char *out, size_t outsize)
{
    char head[32];
    int hl = snprintf(head, sizeof head, PAYLOAD_TAG "%zu:", sizeof *ev);
    size_t k = n;
    while (k > 0 && (size_t)hl + BASE64_ENCODED_LEN(k * sizeof *ev) + 1 > outsize)
        k--;
    if (k == 0)
        return 0;
    memcpy(out, head, (size_t)hl);
    if (base64_encode((const uint8_t *)ev, k * sizeof *ev, out + hl, outsize - (size_t)hl) != 0)
        return 0;
    return k;
}

size_t serve_cluster_decode(const char *payload, size_t len, struct event *ev, size_t max)
{
    char head[32];
    int hl = snprintf(head, sizeof head, PAYLOAD_TAG "%zu:", sizeof *ev);
    if (len < (size_t)hl || memcmp(payload, head, (size_t)hl) != 0)
        return 0;
    size_t got = 0;
    if (base64_decode(payload + hl, len - (size_t)hl, (uint8_t *)ev, max * sizeof *ev, &got) != 0 ||
        got % sizeof *ev != 0)
        return 0;
    return got / sizeof *ev;
}

/* ---- the lock session's callbacks (its thread) ------------------------------------ */

static int on_promote(void *ctx)
{
    struct serve_cluster *c = ctx;
    char err[512];
    if (runner_promote(c->runner, err, sizeof err) != 0) {
        log_error("cluster", "%s took the trading lock but cannot start the engine: %s", c->node_id,
                  err);
        return 1; /* the lock goes back: another node may start one */
    }
    serve_log_restored(c->runner, c->mode);
    return 0;
}

/* The promotion's background warm-up failed: the engine does not run. */
static bool on_failed(void *ctx)
{
    struct serve_cluster *c = ctx;
    struct runner_health h;
    runner_health(c->runner, &h);
    return h.warm_failed;
}

static void on_demote(void *ctx, const char *why)
{
    struct serve_cluster *c = ctx;
    (void)why;
    runner_demote(c->runner);
}

static void on_message(void *ctx, const char *payload, size_t len)
{
    struct serve_cluster *c = ctx;
    enum { MAX = STORE_LEADER_PAYLOAD_MAX / 4 * 3 / sizeof(struct event) + 1 };
    struct event ev[MAX];
    size_t n = serve_cluster_decode(payload, len, ev, MAX);
    if (n == 0) {
        log_warn("cluster", "a notification from another node could not be read (another "
                            "version of walltrack?): its events are stored, not traded on");
        return;
    }
    runner_after_notify(c->runner, ev, n);
}

int serve_cluster_start(const struct config *cfg, struct store *st, struct runner *runner,
                        const char *mode, struct serve_cluster **out)
{
    *out = NULL;
    struct serve_cluster *c = xcalloc(1, sizeof *c);
    c->runner = runner;
    c->mode = mode;
    serve_cluster_node_id(cfg, c->node_id, sizeof c->node_id);
    struct leader_opts o = {
        .node_id = c->node_id,
        .poll_ms = config_int(cfg, CFG_CLUSTER_LEADER_POLL_MS),
        .session_timeout_s = (int)config_int(cfg, CFG_CLUSTER_SESSION_TIMEOUT_S),
        .promote = on_promote,
        .failed = on_failed,
        .demote = on_demote,
        .message = on_message,
        .ctx = c,
    };
    char err[512];
    int rc = store_leader_start(st, &o, &c->leader, err, sizeof err);
    if (rc) {
        log_error("cluster", "%s", err);
        free(c);
        return rc == WT_EINVAL ? 2 : 1;
    }
    log_info("cluster",
             "node %s: every node ingests and serves the API; the one holding the trading lock "
             "runs the engine (standbys try every %lld ms)",
             c->node_id, (long long)o.poll_ms);
    /* A node that can take the lock at once leads before its API answers:
     * a lone daemon on PostgreSQL never answers its first requests as a
     * standby. The first attempt is one connection and one query. */
    if (!store_leader_wait_first(c->leader, 5 * MS_PER_SECOND))
        log_warn("cluster", "no answer to the first attempt at the trading lock within 5 s; "
                            "serving as a standby until it comes");
    *out = c;
    return 0;
}

void serve_cluster_after_commit(struct serve_cluster *c, struct runner *r, const struct event *ev,
                                size_t n, const uint8_t *inserted)
{
    if (c != NULL && !runner_active(r)) {
        /* A standby: the newly stored events go to the leader's engine. */
        char payload[STORE_LEADER_PAYLOAD_MAX];
        struct event batch[16];
        size_t i = 0;
        while (i < n) {
            size_t k = 0;
            for (; i < n && k < sizeof batch / sizeof batch[0]; i++)
                if (inserted[i])
                    batch[k++] = ev[i];
            for (size_t done = 0; done < k;) {
                size_t m = serve_cluster_encode(batch + done, k - done, payload, sizeof payload);
                if (m == 0 || store_leader_send(c->leader, payload, strlen(payload)) != 0) {
                    log_warn("cluster",
                             "%zu stored event(s) could not be forwarded to the "
                             "leader (queue full): stored, not traded on",
                             k - done);
                    break;
                }
                done += m;
            }
        }
    }
    /* Counted here either way; a standby's engine queue drops them. */
    runner_after_commit(r, ev, n, inserted);
}

void serve_cluster_status(void *ctx, struct leader_status *out)
{
    struct serve_cluster *c = ctx;
    store_leader_status(c->leader, out);
}

bool serve_cluster_leads(void *ctx)
{
    struct serve_cluster *c = ctx;
    return store_leader_is_leader(c->leader);
}

void serve_cluster_stop(struct serve_cluster *c)
{
    if (c != NULL)
        store_leader_stop(c->leader);
}

void serve_cluster_free(struct serve_cluster *c)
{
    if (c == NULL)
        return;
    store_leader_free(c->leader);
    free(c);
}
