/* The REST API: routing, authentication and the handlers behind
 * `walltrack serve`.
 *
 * api_start() starts the HTTP server (net/httpd) with the route table of
 * api.c. Authentication (DESIGN §9): when api.token is set, every route
 * except /healthz requires `Authorization: Bearer <token>`, compared in
 * constant time, checked before the body is read (401 otherwise).
 *
 * Threads: handlers run on the HTTP pool and only read the immutable
 * struct api_env or thread-safe services. */
#ifndef WT_API_API_H
#define WT_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"

struct api;

struct inbox;
struct runner;
struct tokenfeed;
struct hooksync;
struct sse_hub;
struct store;
struct sched;

/* What the API serves from. Owned by the caller; must outlive the api. */
struct leader_status;

struct api_env {
    const struct config *cfg;
    const char *mode;            /* "paper" or "live" */
    struct store *store;         /* thread-safe store; NULL in tests of the bare server */
    struct inbox *inbox;         /* durable webhook inbox; NULL disables the webhook */
    struct runner *runner;       /* the trading engine; NULL: the operator API answers 503 */
    struct sse_hub *hub;         /* GET /v1/stream; NULL: 503 */
    struct tokenfeed *tokenfeed; /* DexScreener token facts; NULL: not configured */
    struct hooksync *hooksync;   /* Helius webhook <-> watchlist sync; NULL: off */
    /* POST /v1/reload: re-reads the settings as SIGHUP does, writing the
     * report (JSON) to out; 0, or an error with the reason in out. NULL:
     * 503. Called on an HTTP thread. */
    int (*reload)(void *ctx, struct buf *out);
    void *reload_ctx;
    /* Several daemons on one PostgreSQL (store/leader.h): this node's role
     * and the leader, for /v1/status and /metrics. NULL: single-node. Any
     * thread. */
    void (*cluster)(void *ctx, struct leader_status *out);
    void *cluster_ctx;
    /* The periodic jobs (base/sched.h), for /metrics once started; NULL:
     * none. */
    struct sched *sched;
    /* More /metrics families from the caller (serve's outage watch and
     * discovery, cli/serve_metrics.h), appended; NULL: none. Returns 0
     * or buf's error. Any thread. */
    int (*metrics)(void *ctx, struct buf *out);
    void *metrics_ctx;
};

/* Starts serving on host:port. Returns 0, or WT_EINVAL / WT_EIO with a
 * message in err. */
int api_start(const struct api_env *env, const char *host, unsigned port, struct api **out,
              char *err, size_t errsize);
unsigned api_port(const struct api *a);
void api_stop(struct api *a);

/* The folder the dashboard is served from: web.dir when set, else the
 * installed copy relative to the running binary
 * (<prefix>/bin/../share/walltrack/web), else the copy the build staged
 * beside it (<build>/web). Writes it to out and returns 0, or WT_ENOTFOUND
 * when there is none (then / answers 404 saying so). Any thread. */
int api_web_dir(const struct config *cfg, char *out, size_t size);

/* Whether token may guard a server on host: 0, WT_EAUTH (none or weak on a
 * non-loopback address; the reason in err) or WT_EINVAL (host is not an
 * IP address). */
int api_check_token(const char *host, const char *token, char *err, size_t errsize);
/* A copy of the settings the API runs with (its live changes and reloads
 * included); release with config_release. Any thread. */
void api_config_copy(struct api *a, struct config *out);
/* A reload: sets the settings ids[0..n) to their values in fresh (their
 * sources kept), for the requests that start from now on (the API token,
 * the webhook secret, and everything the handlers read from the API's
 * settings). Returns 0 or the first config_set error (that key kept). Any
 * thread. */
int api_reload(struct api *a, const struct config *fresh, const enum config_id *ids, size_t n);

/* The route table, for documentation checks (the OpenAPI test): the i-th
 * route's method and path (a path ending in '/' is a prefix). Returns false
 * past the end. Any thread. */
bool api_route_at(size_t i, const char **method, const char **path);
/* The query parameters the i-th route (same numbering) accepts, space-
 * separated ("" for none), or NULL when its handler checks them itself or
 * ignores them. */
const char *api_route_params(size_t i);

/* Splits "HOST:PORT" or "[V6]:PORT" into host and port. Returns 0 or
 * WT_EINVAL. */
int api_parse_listen(const char *listen, char *host, size_t hostsize, unsigned *port);

#endif
