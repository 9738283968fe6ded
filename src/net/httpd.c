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
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/waiter.h"
#include "net/peers.h"

/* A body over the limit whose length was not announced (chunked) is read
 * and discarded up to this many more bytes, so that the 413 reaches the
 * client: closing a socket with unread input makes the kernel send a
 * reset that can destroy the answer. Past this the connection is closed. */
#define DRAIN_MAX (16u << 20)

/* libmicrohttpd's memory per connection (its default is 32 KB): the read
 * buffer is what is left of it after the headers, so this sets how much
 * of a body one recv takes. 64 KB used 2.5 % less CPU per webhook
 * transaction than 32 KB in 6 of 7 alternated runs, and 256 KB or 1 MB
 * more (docs/performance.md, "Ingest"): the kernel's copy and ours must
 * both stay in the core's L2. Pages of it that a connection never fills
 * (a slow or idle one) are never touched. */
#define CONN_MEMORY (64u << 10)

/* One TCP connection (libmicrohttpd's socket context), from accept to
 * close. Invariant: on the server's list exactly while libmicrohttpd owns
 * the socket (NOTIFY_CONNECTION STARTED to CLOSED), so the sweeper may
 * shut fd down under the list's lock without racing its close. */
struct track {
    struct track *prev, *next;
    int fd;
    struct sockaddr_storage addr;
    int64_t since_ns; /* accept, or the end of the previous response */
    bool receiving;   /* the current request is not completely received */
    bool cut;         /* shut down by the sweeper */
};

struct httpd {
    struct MHD_Daemon *daemon;
    struct httpd_opts opts;
    unsigned port;
    struct peers *peers;
    struct waiter w; /* the sweeper sleeps on it; its mutex guards tracks (and their fields) */
    struct track *tracks;
    bool sweeper_running;
    pthread_t sweeper;
};

/* Per-request state, from the URI callback (or the first handler call)
 * to the completion callback. */
struct conn {
    struct httpd_req req;
    struct httpd_resp resp;
    struct httpd *h;
    struct track *track;
    size_t max_body;
    size_t drained;  /* body bytes discarded past max_body */
    bool started;    /* the headers were seen (first handler call) */
    bool nul_in_uri; /* the raw URI held %00 */
    bool over;       /* the body exceeded max_body: answer 413 at its end */
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

bool httpd_peer_is_loopback(const struct httpd_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn_, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci && peers_is_loopback(ci->client_addr);
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

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Replaces every byte that does not start a valid UTF-8 sequence with
 * U+FFFD, so that an error echoing a request's path or parameter name is
 * valid UTF-8 (and so valid JSON) whatever bytes the client sent. */
static void utf8_repair(struct buf *b)
{
    const unsigned char *s = (const unsigned char *)b->data;
    size_t i = 0;
    while (i < b->len) {
        size_t k = utf8_seq(s + i, b->len - i);
        if (k == 0)
            break;
        i += k;
    }
    if (i == b->len)
        return;
    struct buf out;
    buf_init(&out, 0);
    buf_reserve(&out, b->len + 16);
    for (i = 0; i < b->len;) {
        size_t k = utf8_seq(s + i, b->len - i);
        if (k) {
            buf_append(&out, (const char *)s + i, k);
            i += k;
        } else {
            buf_puts(&out, "\xEF\xBF\xBD");
            i++;
        }
    }
    buf_release(b);
    *b = out;
}

/* Every error answer is a JSON object {"error": ...} in valid UTF-8: a
 * handler that set only a status gets the status's reason phrase. */
static void error_body(struct httpd_resp *r)
{
    bool json = r->content_type == NULL || strcmp(r->content_type, "application/json") == 0;
    if (!json || r->body.len == 0) {
        const char *reason = MHD_get_reason_phrase_for((unsigned)r->status);
        httpd_resp_error(r, r->status, "%s", reason && reason[0] ? reason : "error");
    }
    utf8_repair(&r->body);
}

/* libmicrohttpd answers some malformed requests itself, before any
 * callback of ours runs: a broken request line or header, a header block
 * too large for its memory pool, an unparsable Content-Length or chunk
 * size, an unsupported HTTP version. Its bodies are fixed HTML pages and
 * 0.9.75 has no option to change them. It creates them with
 * MHD_create_response_from_buffer(…, MHD_RESPMEM_PERSISTENT) through its
 * PLT, so this definition, exported by the executable, is the one those
 * calls reach (ELF symbol interposition): it builds every buffer response
 * exactly as the library does, except that one of those pages (a
 * persistent buffer starting with "<html><head><title>") becomes
 * {"error": "<its title>"} with a JSON Content-Type. Against a statically
 * linked libmicrohttpd the pages would stay HTML, and test_http_framing
 * would say so. */
static void free_cb(void *p)
{
    free(p);
}

static struct MHD_Response *json_error_page(const char *html, size_t size)
{
    static const char open[] = "<html><head><title>";
    const char *title = html + strlen(open);
    /* The pages are C string literals: NUL-terminated. */
    const char *end = strstr(title, "</title>");
    if (!end || end + 8 > html + size)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "{\"error\":");
    struct buf t;
    buf_init(&t, 0);
    for (const char *p = title; p < end; p++) {
        if (strncmp(p, "&quot;", 6) == 0 && p + 6 <= end) {
            buf_putc(&t, '"');
            p += 5;
        } else {
            buf_putc(&t, *p);
        }
    }
    jw_escape(&b, t.data ? t.data : "", t.len);
    buf_release(&t);
    buf_puts(&b, "}");
    size_t len;
    char *body = buf_detach(&b, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, body, free_cb);
    if (!r) {
        free(body);
        return NULL;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    return r;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
                                                     enum MHD_ResponseMemoryMode mode)
{
    static const char open[] = "<html><head><title>";
    if (mode == MHD_RESPMEM_PERSISTENT && buffer && size > strlen(open) &&
        memcmp(buffer, open, strlen(open)) == 0) {
        struct MHD_Response *r = json_error_page(buffer, size);
        if (r)
            return r;
    }
    switch (mode) {
    case MHD_RESPMEM_PERSISTENT:
        return MHD_create_response_from_buffer_with_free_callback(size, buffer, NULL);
    case MHD_RESPMEM_MUST_FREE:
        return MHD_create_response_from_buffer_with_free_callback(size, buffer, free_cb);
    case MHD_RESPMEM_MUST_COPY:
    default: {
        void *copy = xmalloc(size ? size : 1);
        if (size)
            memcpy(copy, buffer, size);
        struct MHD_Response *r =
            MHD_create_response_from_buffer_with_free_callback(size, copy, free_cb);
        if (!r)
            free(copy);
        return r;
    }
    }
}

static enum MHD_Result send_resp(struct MHD_Connection *mc, struct httpd_resp *r)
{
    struct MHD_Response *mr;
    if (r->status >= 400 && !r->stream)
        error_body(r);
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

/* ---- framing (RFC 9112) --------------------------------------------------- */

struct framing {
    unsigned host, cl, te;
    const char *cl_first;
    bool cl_differ;
    bool te_chunked;
};

static enum MHD_Result framing_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    struct framing *f = cls;
    value = value ? value : "";
    if (strcasecmp(key, "Host") == 0) {
        f->host++;
    } else if (strcasecmp(key, "Content-Length") == 0) {
        if (f->cl++ == 0)
            f->cl_first = value;
        else if (strcmp(value, f->cl_first) != 0)
            f->cl_differ = true;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->te++;
        f->te_chunked = strcasecmp(value, "chunked") == 0;
    }
    return MHD_YES;
}

/* The message framing rules of RFC 9112 that libmicrohttpd 0.9.75 does not
 * enforce, checked before anything else: a request a proxy in front of us
 * could frame differently is refused, never guessed at. Returns 0, or the
 * status with resp filled. */
static int framing_validate(struct conn *c, struct MHD_Connection *mc, const char *version)
{
    struct framing f = {0};
    MHD_get_connection_values(mc, MHD_HEADER_KIND, framing_cb, &f);
    struct httpd_resp *resp = &c->resp;
    if (c->nul_in_uri) {
        httpd_resp_error(resp, 400,
                         "the URL holds %%00 (a NUL byte), which no path or "
                         "parameter may contain");
        return 400;
    }
    if (f.host == 0 && version && strcmp(version, "HTTP/1.1") == 0) {
        httpd_resp_error(resp, 400, "an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)");
        return 400;
    }
    if (f.host > 1) {
        httpd_resp_error(resp, 400, "more than one Host header (RFC 9112 §3.2)");
        return 400;
    }
    if (f.te && f.cl) {
        httpd_resp_error(resp, 400,
                         "both Transfer-Encoding and Content-Length (RFC 9112 §6.1): refused "
                         "rather than guessing where the body ends");
        return 400;
    }
    if (f.te && (f.te > 1 || !f.te_chunked)) {
        httpd_resp_error(resp, 501, "only Transfer-Encoding: chunked is supported");
        return 501;
    }
    if (f.cl_differ) {
        httpd_resp_error(resp, 400, "conflicting Content-Length headers (RFC 9112 §6.3)");
        return 400;
    }
    return 0;
}

/* ---- connections and their deadline ---------------------------------------- */

static struct track *track_of(struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Marks the connection's request as completely received (receiving false:
 * no deadline while the handler works or a stream runs) or as a new one
 * awaited from now (receiving true). */
static void track_set(struct httpd *h, struct track *t, bool receiving)
{
    if (!t)
        return;
    pthread_mutex_lock(&h->w.mu);
    t->receiving = receiving;
    if (receiving)
        t->since_ns = clock_mono_ns();
    pthread_mutex_unlock(&h->w.mu);
}

static void notify_conn_cb(void *cls, struct MHD_Connection *mc, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
    struct httpd *h = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct track *t = xcalloc(1, sizeof *t);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        t->fd = ci ? ci->connect_fd : -1;
        ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr) {
            size_t n = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                              : sizeof(struct sockaddr_in);
            memcpy(&t->addr, ci->client_addr, n);
        }
        t->since_ns = clock_mono_ns();
        t->receiving = true;
        pthread_mutex_lock(&h->w.mu);
        t->next = h->tracks;
        if (h->tracks)
            h->tracks->prev = t;
        h->tracks = t;
        pthread_mutex_unlock(&h->w.mu);
        /* Counted already, by peers_conn_admit in accept_cb. */
        *socket_context = t;
        return;
    }
    struct track *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&h->w.mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        h->tracks = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&h->w.mu);
    peers_conn_close(h->peers, (struct sockaddr *)&t->addr);
    free(t);
    *socket_context = NULL;
}

static enum MHD_Result accept_cb(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addrlen;
    struct httpd *h = cls;
    /* Check and count in one step: with a thread pool, accepts run
     * concurrently, and a check here with the count at the start
     * notification let several pass the limit together. libmicrohttpd
     * calls the start and close notifications for every connection this
     * admits, except when it cannot allocate the connection, which would
     * leave one count behind. */
    return peers_conn_admit(h->peers, addr) ? MHD_YES : MHD_NO;
}

/* Closes every connection whose request is not completely received
 * within request_timeout_s of its start. libmicrohttpd's own
 * CONNECTION_TIMEOUT is an idle timeout that every byte resets, so a
 * client trickling one byte now and then would hold its connection (and
 * with enough of them, the server) forever. shutdown() makes
 * libmicrohttpd's next read see the end and close the connection itself. */
static void *sweeper_main(void *arg)
{
    struct httpd *h = arg;
    int64_t limit_ns = (int64_t)h->opts.request_timeout_s * NS_PER_SECOND;
    pthread_mutex_lock(&h->w.mu);
    while (!waiter_wait_locked_ms(&h->w, 250)) {
        int64_t now = clock_mono_ns();
        for (struct track *t = h->tracks; t; t = t->next) {
            if (t->receiving && !t->cut && t->fd >= 0 && now - t->since_ns > limit_ns) {
                shutdown(t->fd, SHUT_RDWR);
                t->cut = true;
            }
        }
    }
    pthread_mutex_unlock(&h->w.mu);
    return NULL;
}

/* The raw URI, before libmicrohttpd decodes it: a %00 would become a NUL
 * that silently cuts the path or a parameter short, so it is noted here
 * and refused with the headers. Creates the request's state. */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *mc)
{
    struct conn *c = xcalloc(1, sizeof *c);
    c->h = cls;
    c->track = track_of(mc);
    for (const char *p = uri; (p = strchr(p, '%')) != NULL; p++)
        if (p[1] == '0' && p[2] == '0')
            c->nul_in_uri = true;
    return c;
}

static enum MHD_Result respond(struct conn *c, struct MHD_Connection *mc)
{
    c->responded = true;
    track_set(c->h, c->track, false);
    return send_resp(mc, &c->resp);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *mc, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct httpd *h = cls;
    struct conn *c = *con_cls;
    if (!c) {
        c = uri_cb(h, "", mc);
        *con_cls = c;
    }
    if (!c->started) {
        c->started = true;
        c->req.method = method;
        c->req.path = url;
        c->req.conn_ = mc;
        c->req.start_ns = clock_mono_ns();
        c->max_body = h->opts.max_body;
        resp_init(&c->resp);
        int status = framing_validate(c, mc, version);
        if (status == 0 && h->opts.on_headers)
            status = h->opts.on_headers(h->opts.user, &c->req, &c->resp);
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
            return respond(c, mc);
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
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (c->over) {
            c->drained += n;
            if (c->drained > DRAIN_MAX)
                return respond(c, mc); /* enough: answer now and close */
            return MHD_YES;
        }
        if (c->req.body.len + n > c->max_body || buf_append(&c->req.body, upload_data, n) != 0) {
            /* A chunked body (its length unannounced) went past the cap:
             * keep reading and discarding to its end, then answer 413. */
            httpd_resp_error(&c->resp, 413, "body exceeds the limit of %zu bytes", c->max_body);
            c->over = true;
            buf_release(&c->req.body);
            return MHD_YES;
        }
        return MHD_YES;
    }
    if (c->over)
        return respond(c, mc);
    /* Body complete: give the parser its padding, then answer. */
    if (buf_reserve(&c->req.body, JSON_PADDING) == 0)
        memset(c->req.body.data + c->req.body.len, 0, JSON_PADDING);
    track_set(h, c->track, false);
    h->opts.on_request(h->opts.user, &c->req, &c->resp);
    return respond(c, mc);
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
    track_set(h, c->track, true); /* the next request's clock starts now */
    if (c->started && h->opts.on_done)
        h->opts.on_done(h->opts.user, &c->req);
    if (c->resp.stream_free)
        c->resp.stream_free(c->resp.stream_arg);
    buf_release(&c->req.body);
    buf_release(&c->resp.body);
    free(c);
    *con_cls = NULL;
}

static void free_httpd(struct httpd *h)
{
    peers_free(h->peers);
    waiter_release(&h->w);
    free(h);
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
    if (!h->opts.request_timeout_s)
        h->opts.request_timeout_s = 30;
    h->peers = peers_new(opts->max_conns_per_addr, opts->max_auth_failures);
    if (waiter_init(&h->w) != 0)
        abort(); /* out of resources, like xmalloc */
    unsigned limit = opts->max_conns ? opts->max_conns : 1000;
    unsigned threads = opts->threads ? opts->threads : 1;
    if (limit < threads)
        limit = threads;
    h->daemon = MHD_start_daemon(
        flags, (uint16_t)opts->port, accept_cb, h, access_cb, h, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
        MHD_OPTION_NOTIFY_CONNECTION, notify_conn_cb, h, MHD_OPTION_URI_LOG_CALLBACK, uri_cb, h,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errsize, "cannot listen on %s:%u (address in use or not available)",
                 opts->host, opts->port);
        free_httpd(h);
        return WT_EIO;
    }
    if (pthread_create(&h->sweeper, NULL, sweeper_main, h) == 0)
        h->sweeper_running = true;
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
    if (h->sweeper_running) {
        waiter_stop(&h->w);
        pthread_join(h->sweeper, NULL);
    }
    MHD_stop_daemon(h->daemon); /* closes every connection: the list empties */
    free_httpd(h);
}

static const struct sockaddr *peer_addr(const struct httpd_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn_, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? ci->client_addr : NULL;
}

void httpd_auth_failed(const struct httpd_req *req)
{
    const struct conn *c = (const struct conn *)req; /* req is the first member */
    peers_auth_failed(c->h->peers, peer_addr(req), clock_mono_ns() / NS_PER_MS);
}

unsigned httpd_auth_retry_after_s(const struct httpd_req *req)
{
    const struct conn *c = (const struct conn *)req;
    int64_t ms = peers_retry_after_ms(c->h->peers, peer_addr(req), clock_mono_ns() / NS_PER_MS);
    return ms > 0 ? (unsigned)((ms + 999) / 1000) : 0;
}
