/* HTTP server over libmicrohttpd. See httpd.h for why we drive
 * libmicrohttpd directly and for the request life cycle.
 *
 * libmicrohttpd calls the access handler several times per request: first
 * with the headers (no body yet), then once per chunk of body, then once
 * with no data when the body is complete. We answer on that last call;
 * answering on the first one makes libmicrohttpd close the connection,
 * which is exactly what we want for rejections (401, 413) and never for
 * normal answers. */
#include "net/httpd.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"

struct httpd {
    struct MHD_Daemon *daemon;
    struct httpd_opts opts;
    unsigned port;
};

/* Per-request state, from the first handler call to the completion
 * callback. */
struct conn {
    struct httpd_req req;
    struct httpd_resp resp;
    size_t max_body;
    bool responded;
};

static void resp_init(struct httpd_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    buf_init(&resp->body, 0);
}

void httpd_resp_json(struct httpd_resp *resp, int status, const char *json, size_t len)
{
    resp->status = status;
    resp->content_type = "application/json";
    buf_reset(&resp->body);
    buf_append(&resp->body, json, len);
}

void httpd_resp_error(struct httpd_resp *resp, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    resp->status = status;
    resp->content_type = "application/json";
    buf_reset(&resp->body);
    buf_puts(&resp->body, "{\"error\":");
    jw_escape(&resp->body, msg, strlen(msg));
    buf_puts(&resp->body, "}");
}

void httpd_resp_header(struct httpd_resp *resp, const char *name, const char *value)
{
    size_t used = strlen(resp->headers);
    snprintf(resp->headers + used, sizeof resp->headers - used, "%s: %s\r\n", name, value);
}

const char *httpd_header(const struct httpd_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn_, MHD_HEADER_KIND, name);
}

const char *httpd_query(const struct httpd_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn_, MHD_GET_ARGUMENT_KIND, name);
}

struct query_each {
    int (*fn)(void *ctx, const char *name, const char *value);
    void *ctx;
};

static enum MHD_Result query_each_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct query_each *q = cls;
    return q->fn(q->ctx, key, value) == 0 ? MHD_YES : MHD_NO;
}

unsigned httpd_query_each(const struct httpd_req *req,
                          int (*fn)(void *ctx, const char *name, const char *value), void *ctx)
{
    struct query_each q = {fn, ctx};
    int n = MHD_get_connection_values(req->conn_, MHD_GET_ARGUMENT_KIND, query_each_cb, &q);
    return n < 0 ? 0 : (unsigned)n;
}

void httpd_set_max_body(struct httpd_req *req, size_t max_body)
{
    struct conn *c = (struct conn *)req; /* req is the first member */
    c->max_body = max_body;
}

static bool sockaddr_is_loopback(const struct sockaddr *sa)
{
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return true;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            return in6->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

bool httpd_peer_is_loopback(const struct httpd_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn_, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci && sockaddr_is_loopback(ci->client_addr);
}

int httpd_host_is_loopback(const char *host, bool *loopback)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (strcmp(host, "localhost") == 0) {
        *loopback = true;
        return 0;
    }
    if (inet_pton(AF_INET, host, &a4) == 1) {
        *loopback = (ntohl(a4.s_addr) >> 24) == 127;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        *loopback = IN6_IS_ADDR_LOOPBACK(&a6);
        return 0;
    }
    return WT_EINVAL;
}

struct httpd_waker {
    struct MHD_Connection *mc;
};

/* A streaming response outliving the request handler: the handler's
 * response and the connection to park and wake. */
struct stream_ctx {
    struct httpd_resp r;
    struct httpd_waker w;
    bool bound;
};

/* Returning 0 from a content reader makes libmicrohttpd call it again at
 * once (a busy loop); the prescribed pattern is to suspend the connection
 * and return 0, and resume it when there is data (MHD_ALLOW_SUSPEND_RESUME). */
static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream_ctx *c = cls;
    long n = c->r.stream(c->r.stream_arg, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n == 0 && c->bound)
        MHD_suspend_connection(c->w.mc);
    return (ssize_t)n;
}

static void stream_free_cb(void *cls)
{
    struct stream_ctx *c = cls;
    if (c->r.stream_free)
        c->r.stream_free(c->r.stream_arg);
    free(c);
}

void httpd_stream_wake(struct httpd_waker *w)
{
    MHD_resume_connection(w->mc);
}

static enum MHD_Result send_resp(struct MHD_Connection *mc, struct httpd_resp *r)
{
    struct MHD_Response *mr;
    if (r->stream) {
        /* The stream outlives this call: hand it a copy of the response. */
        struct stream_ctx *copy = xcalloc(1, sizeof *copy);
        copy->r = *r;
        buf_init(&copy->r.body, 0);
        copy->w.mc = mc;
        if (r->stream_bind) {
            r->stream_bind(r->stream_arg, &copy->w);
            copy->bound = true;
        }
        r->stream = NULL;
        r->stream_bind = NULL;
        r->stream_free = NULL;
        mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_cb, copy,
                                               stream_free_cb);
    } else {
        size_t len;
        char *body = buf_detach(&r->body, &len);
        mr = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    }
    if (!mr)
        return MHD_NO;
    MHD_add_response_header(mr, "Content-Type",
                            r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(mr, "Cache-Control", "no-store");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    /* Extra headers: "Name: value\r\n" lines. */
    char *line = r->headers;
    while (*line) {
        char *end = strstr(line, "\r\n");
        char *colon = strchr(line, ':');
        if (!end || !colon || colon > end)
            break;
        *end = '\0';
        *colon = '\0';
        MHD_add_response_header(mr, line, colon + 2);
        line = end + 2;
    }
    enum MHD_Result ret = MHD_queue_response(mc, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *mc, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct httpd *h = cls;
    struct conn *c = *con_cls;
    if (!c) {
        c = xcalloc(1, sizeof *c);
        *con_cls = c;
        c->req.method = method;
        c->req.path = url;
        c->req.conn_ = mc;
        c->req.start_ns = clock_mono_ns();
        c->max_body = h->opts.max_body;
        resp_init(&c->resp);
        int status = h->opts.on_headers ? h->opts.on_headers(h->opts.user, &c->req, &c->resp) : 0;
        if (status == 0) {
            const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
            uint64_t n;
            if (cl && str_to_u64(cl, &n) == 0 && n > c->max_body) {
                httpd_resp_error(&c->resp, 413, "body of %llu bytes exceeds the limit of %zu",
                                 (unsigned long long)n, c->max_body);
                status = 413;
            }
        }
        if (status) {
            c->resp.status = status;
            c->responded = true;
            return send_resp(mc, &c->resp);
        }
        buf_init(&c->req.body, c->max_body + JSON_PADDING);
        /* Size the body once from Content-Length (already checked against
         * the cap): growing it chunk by chunk copied megabyte bodies over
         * and over (5% of webhook CPU in a profile). */
        const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
        uint64_t want;
        if (cl && str_to_u64(cl, &want) == 0 && want <= c->max_body)
            buf_reserve(&c->req.body, (size_t)want + JSON_PADDING);
        return MHD_YES;
    }
    if (c->responded) {
        *upload_data_size = 0; /* discard the rest of a rejected body */
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (c->req.body.len + *upload_data_size > c->max_body ||
            buf_append(&c->req.body, upload_data, *upload_data_size) != 0) {
            httpd_resp_error(&c->resp, 413, "body exceeds the limit of %zu bytes", c->max_body);
            c->responded = true;
            *upload_data_size = 0;
            return send_resp(mc, &c->resp);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* Body complete: give the parser its padding, then answer. */
    if (buf_reserve(&c->req.body, JSON_PADDING) == 0)
        memset(c->req.body.data + c->req.body.len, 0, JSON_PADDING);
    h->opts.on_request(h->opts.user, &c->req, &c->resp);
    c->responded = true;
    return send_resp(mc, &c->resp);
}

static void completed_cb(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)mc;
    (void)toe;
    struct httpd *h = cls;
    struct conn *c = *con_cls;
    if (!c)
        return;
    if (h->opts.on_done)
        h->opts.on_done(h->opts.user, &c->req);
    if (c->resp.stream_free)
        c->resp.stream_free(c->resp.stream_arg);
    buf_release(&c->req.body);
    buf_release(&c->resp.body);
    free(c);
    *con_cls = NULL;
}

int httpd_start(const struct httpd_opts *opts, struct httpd **out, char *err, size_t errsize)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    const char *host = strcmp(opts->host, "localhost") == 0 ? "127.0.0.1" : opts->host;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)opts->port);
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)opts->port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, errsize, "'%s' is not an IP address (use e.g. 127.0.0.1 or ::1)", opts->host);
        return WT_EINVAL;
    }
    struct httpd *h = xcalloc(1, sizeof *h);
    h->opts = *opts;
    h->daemon = MHD_start_daemon(
        flags, (uint16_t)opts->port, NULL, NULL, access_cb, h, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(opts->threads ? opts->threads : 1),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errsize, "cannot listen on %s:%u (address in use or not available)",
                 opts->host, opts->port);
        free(h);
        return WT_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : opts->port;
    *out = h;
    return 0;
}

unsigned httpd_port(const struct httpd *h)
{
    return h->port;
}

void httpd_stop(struct httpd *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
