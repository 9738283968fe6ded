/* Reload without restart (NFR S2): what `serve` does on SIGHUP and on
 * POST /v1/reload (`walltrack reload`).
 *
 * The settings are built again as at start (defaults < the config file <
 * the environment, with the secret files of WALLTRACK_<NAME>_FILE read
 * again), keeping what the command line and the database (PUT /v1/config)
 * set. Every changed key is then one of:
 *   applied         API token, webhook secret, Helius key, rpc.urls,
 *                   the notifiers (alert.*), log.level: used by the
 *                   requests, probes, polls and alerts that start from now;
 *   refused         a value that does not validate (a weak API token on a
 *                   non-loopback address, an empty webhook secret, bad
 *                   rpc.urls, an incomplete notifier): the old value stays
 *                   and the report says why; in live mode the trading
 *                   keypair is never reloaded (it needs the arming checks
 *                   of a restart with --live);
 *   restart_needed  everything else (listen address, database, engine
 *                   settings from the file, ...): the old value stays.
 * A config file that does not parse refuses the whole reload.
 *
 * Secrets never appear in the report or the log: only their names.
 * Threads: serve_reload_run from any thread (one reload at a time). */
#ifndef WT_CLI_SERVE_RELOAD_H
#define WT_CLI_SERVE_RELOAD_H

#include <pthread.h>
#include <stdbool.h>

#include "base/buf.h"
#include "base/config.h"

struct api;
struct alerter;
struct rpcpoll;
struct hooksync;
struct outage_watch;

struct serve_reload {
    pthread_mutex_t mu;
    const struct config *boot; /* serve's settings at start */
    struct api *api;
    struct alerter *alerter;
    struct rpcpoll *poll;        /* NULL: no poller running */
    struct hooksync *hooksync;   /* NULL: the webhook is not managed */
    struct outage_watch *outage; /* NULL: none */
    bool live;
    char host[256]; /* the listen address, for the token check */
};

void serve_reload_init(struct serve_reload *r);
void serve_reload_release(struct serve_reload *r);
/* Reloads (see above) and appends the report to out:
 * {"applied":[names],"refused":[{"name","why"}],"restart_needed":[names]}
 * plus "error" when nothing could be read. Returns 0 (a report, even with
 * refusals) or WT_EINVAL when the file or the environment did not parse
 * (then out holds {"error": why} and nothing changed). Logs what it did. */
int serve_reload_run(struct serve_reload *r, struct buf *out);

#endif
