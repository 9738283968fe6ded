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

#include "base/config.h"

struct api;

struct inbox;
struct runner;
struct tokenfeed;
struct sse_hub;
struct store;

/* What the API serves from. Owned by the caller; must outlive the api. */
struct api_env {
    const struct config *cfg;
    const char *mode;            /* "paper" or "live" */
    struct store *store;         /* thread-safe store; NULL in tests of the bare server */
    struct inbox *inbox;         /* durable webhook inbox; NULL disables the webhook */
    struct runner *runner;       /* the trading engine; NULL: the operator API answers 503 */
    struct sse_hub *hub;         /* GET /v1/stream; NULL: 503 */
    struct tokenfeed *tokenfeed; /* DexScreener token facts; NULL: not configured */
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
