/* HTTP server: a thin layer over libmicrohttpd.
 *
 * Why not ulfius, which DESIGN §11 first named: ulfius reads the whole
 * request body before any callback runs, so it cannot refuse a webhook
 * delivery with a wrong Authorization header before reading its body, nor
 * answer 413 to an oversized one (DESIGN §9). libmicrohttpd, which ulfius
 * wraps, calls us when the headers are in; this layer exposes exactly that:
 *
 *   1. on_headers(req): method, path, query and headers are known; return 0
 *      to read the body, or an HTTP status to answer at once without
 *      reading it (401, 404, 413, ...), with resp filled.
 *   2. The body is read into req->body, at most max_body bytes (413 past
 *      that), with JSON_PADDING spare bytes so it parses in place.
 *   3. on_request(req, resp): fill the response.
 *
 * Framing (RFC 9112) is checked before on_headers: a second Host or a
 * missing one on HTTP/1.1, Content-Length together with Transfer-Encoding,
 * conflicting Content-Lengths and a %00 anywhere in the URL are 400, a
 * transfer coding other than chunked 501. Every answer with a status of
 * 400 or more carries a JSON body {"error": ...} in valid UTF-8 (bytes that
 * are not UTF-8 become U+FFFD).
 *
 * Hostile clients: a global and a per-address connection limit, and a
 * deadline per request that trickling does not extend (httpd_opts).
 *
 * Threads: the callbacks run on the server's thread pool, concurrently;
 * they must only touch thread-safe state. The response is sent after the
 * whole body was read, so keep-alive connections stay open. */
#ifndef WT_NET_HTTPD_H
#define WT_NET_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct httpd;

struct httpd_req {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path without the query */
    struct buf body;    /* request body (padded for json_parse) */
    void *conn_;        /* libmicrohttpd connection */
    void *state;        /* for the handler: set in on_headers, kept until done */
    int64_t start_ns;   /* monotonic time the headers arrived */
};

struct httpd_waker;

/* A response: a complete body, or a stream (server-sent events) fed by a
 * callback until it returns a negative value. */
struct httpd_resp {
    int status;
    const char *content_type; /* default "application/json" */
    struct buf body;
    char headers[512]; /* extra "Name: value\r\n" lines */
    /* Streaming: when set, body is ignored and stream() is called for more
     * bytes; it returns bytes written into out (at most max), 0 when it has
     * nothing now or -1 to end. After a 0 the connection is parked (no
     * polling, no thread held) until httpd_stream_wake() is called on the
     * waker handed to stream_bind() (optional; without it a 0 is retried
     * at once, a busy loop). stream_free(stream_arg) runs when the client
     * is gone; the waker is invalid from then on. */
    long (*stream)(void *arg, char *out, size_t max);
    void (*stream_bind)(void *arg, struct httpd_waker *w);
    void (*stream_free)(void *arg);
    void *stream_arg;
};

struct httpd_opts {
    const char *host; /* IPv4 or IPv6 literal, or "localhost" */
    unsigned port;    /* 0: pick a free port */
    unsigned threads; /* pool size, >= 1 */
    size_t max_body;  /* default body cap (handlers may lower it) */
    /* Hostile clients (see docs/operations.md, "Exposure"): */
    unsigned max_conns;          /* open connections in all (0: 1000) */
    unsigned max_conns_per_addr; /* per non-loopback address or IPv6 /64 (0: no limit) */
    unsigned request_timeout_s;  /* a request must be completely received within this of
                                    the connection's start or the previous response's end,
                                    however slowly bytes trickle in (0: 30) */
    unsigned max_auth_failures;  /* per address per minute before httpd_auth_retry_after_s
                                    says wait (0: never) */
    int (*on_headers)(void *user, struct httpd_req *req, struct httpd_resp *resp);
    void (*on_request)(void *user, struct httpd_req *req, struct httpd_resp *resp);
    void (*on_done)(void *user, struct httpd_req *req); /* optional: free req->state */
    void *user;
};

/* Starts listening. Returns 0 and the server, or WT_EINVAL (bad host),
 * WT_EIO (cannot bind: message in err). */
int httpd_start(const struct httpd_opts *opts, struct httpd **out, char *err, size_t errsize);
/* The port actually bound (useful with port 0). */
unsigned httpd_port(const struct httpd *h);
/* Stops accepting, finishes or aborts connections, frees everything. */
void httpd_stop(struct httpd *h);

/* Records a failed authentication by the request's peer (from on_headers,
 * any pool thread). */
void httpd_auth_failed(const struct httpd_req *req);
/* 0 when the request's peer may authenticate, else the seconds until it
 * may: it failed max_auth_failures times within the current minute. */
unsigned httpd_auth_retry_after_s(const struct httpd_req *req);

/* A request header (case-insensitive name), or NULL. */
const char *httpd_header(const struct httpd_req *req, const char *name);
/* A query-string argument (decoded), or NULL. */
const char *httpd_query(const struct httpd_req *req, const char *name);
/* Calls fn for every query-string argument (decoded name and value; value
 * NULL for a bare `?name`), in order, repeated names included, until fn
 * returns nonzero. Returns the number of arguments visited. */
unsigned httpd_query_each(const struct httpd_req *req,
                          int (*fn)(void *ctx, const char *name, const char *value), void *ctx);
/* Whether the peer address is a loopback address. */
bool httpd_peer_is_loopback(const struct httpd_req *req);
/* Sets body_cap for this request (from on_headers). */
void httpd_set_max_body(struct httpd_req *req, size_t max_body);

/* Response helpers: a JSON body (copied), and a JSON error
 * {"error": message} with the status. */
void httpd_resp_json(struct httpd_resp *resp, int status, const char *json, size_t len);
void httpd_resp_error(struct httpd_resp *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void httpd_resp_header(struct httpd_resp *resp, const char *name, const char *value);

/* Makes a parked stream call its stream() again. Any thread; the caller
 * must guarantee the waker is still valid (stream_free not yet returned),
 * e.g. by waking under the lock that stream_free also takes. A wake that
 * comes before the stream parks cancels that parking. */
void httpd_stream_wake(struct httpd_waker *w);

/* Whether host (an address literal or "localhost") is a loopback address;
 * WT_EINVAL when it is not an address. */
int httpd_host_is_loopback(const char *host, bool *loopback);

#endif
