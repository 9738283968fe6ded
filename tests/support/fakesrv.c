/* A real HTTP server on 127.0.0.1 (ephemeral port) for client tests,
 * on libmicrohttpd, one thread per connection so a slow answer does not
 * hold up others. Tests stand it in for Solana RPC, Jupiter and friends:
 * a handler callback sees each request (method, URL with query, headers,
 * body) and fills the answer, usually a real recorded body from
 * tests/fixtures/real. Every request is also recorded so tests can assert
 * what the client sent.
 *
 * Include into a test (#include "../support/fakesrv.c"); all functions are
 * static. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FAKE_MAX_RECORDED 64
#define FAKE_MAX_BODY     (1 << 20)

struct fake_req {
    char method[16];
    char url[1024];    /* path and query string */
    char api_key[256]; /* x-api-key header, if any */
    char content_type[128];
    char authorization[256];
    char title[256]; /* ntfy headers */
    char priority[32];
    char tags[128];
    char *body; /* NUL-terminated */
    size_t body_len;
};

struct fake_resp {
    unsigned status;
    const char *body; /* not copied: must outlive the server's answer */
    size_t body_len;
    const char *retry_after;  /* Retry-After header value or NULL */
    unsigned delay_ms;        /* sleep before answering */
    const char *content_type; /* default application/json */
};

struct fakesrv;
typedef void (*fake_handler)(struct fakesrv *s, const struct fake_req *req, struct fake_resp *resp);

struct fakesrv {
    struct MHD_Daemon *d;
    unsigned short port;
    char url[64]; /* "http://127.0.0.1:<port>" */
    fake_handler handler;
    void *ud;
    pthread_mutex_t lock;
    int n_requests;
    struct fake_req recorded[FAKE_MAX_RECORDED];
};

struct fake_conn {
    char *body;
    size_t len;
    bool too_big;
};

static void fake_sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void fake_copy_header(struct MHD_Connection *conn, const char *name, char *out, size_t size)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    snprintf(out, size, "%s", v ? v : "");
}

static int fake_append_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    char *url = cls;
    size_t n = strlen(url);
    snprintf(url + n, 1024 - n, "%s%s=%s", strchr(url, '?') ? "&" : "?", key, value ? value : "");
    return MHD_YES;
}

static enum MHD_Result fake_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_size, void **con_cls)
{
    (void)version;
    struct fakesrv *s = cls;
    struct fake_conn *fc = *con_cls;
    if (!fc) {
        fc = calloc(1, sizeof *fc);
        *con_cls = fc;
        return MHD_YES;
    }
    if (*upload_size) {
        if (fc->len + *upload_size > FAKE_MAX_BODY) {
            fc->too_big = true;
        } else {
            fc->body = realloc(fc->body, fc->len + *upload_size + 1);
            memcpy(fc->body + fc->len, upload_data, *upload_size);
            fc->len += *upload_size;
            fc->body[fc->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    struct fake_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.method, sizeof req.method, "%s", method);
    snprintf(req.url, sizeof req.url, "%s", url);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, (MHD_KeyValueIterator)fake_append_query,
                              req.url);
    fake_copy_header(conn, "x-api-key", req.api_key, sizeof req.api_key);
    fake_copy_header(conn, "Content-Type", req.content_type, sizeof req.content_type);
    fake_copy_header(conn, "Authorization", req.authorization, sizeof req.authorization);
    fake_copy_header(conn, "Title", req.title, sizeof req.title);
    fake_copy_header(conn, "Priority", req.priority, sizeof req.priority);
    fake_copy_header(conn, "Tags", req.tags, sizeof req.tags);
    req.body = fc->body ? fc->body : "";
    req.body_len = fc->len;

    struct fake_resp resp = {200, "{}", 2, NULL, 0, NULL};
    if (fc->too_big)
        resp = (struct fake_resp){413, "too big", 7, NULL, 0, "text/plain"};
    else
        s->handler(s, &req, &resp);

    pthread_mutex_lock(&s->lock);
    if (s->n_requests < FAKE_MAX_RECORDED) {
        struct fake_req *r = &s->recorded[s->n_requests];
        *r = req;
        r->body = malloc(req.body_len + 1);
        memcpy(r->body, req.body, req.body_len + 1);
    }
    s->n_requests++;
    pthread_mutex_unlock(&s->lock);

    if (resp.delay_ms)
        fake_sleep_ms(resp.delay_ms);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(resp.body_len, (void *)resp.body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type",
                            resp.content_type ? resp.content_type : "application/json");
    if (resp.retry_after)
        MHD_add_response_header(r, "Retry-After", resp.retry_after);
    enum MHD_Result ret = MHD_queue_response(conn, resp.status, r);
    MHD_destroy_response(r);
    return ret;
}

static void fake_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct fake_conn *fc = *con_cls;
    if (fc) {
        free(fc->body);
        free(fc);
        *con_cls = NULL;
    }
}

/* Starts a server on 127.0.0.1 with an ephemeral port. Returns 0 or -1. */
static int fakesrv_start(struct fakesrv *s, fake_handler handler, void *ud)
{
    memset(s, 0, sizeof *s);
    s->handler = handler;
    s->ud = ud;
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, fake_access, s, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
        fake_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!s->d)
        return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || !info->port)
        return -1;
    s->port = info->port;
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", (unsigned)s->port);
    return 0;
}

static void fakesrv_reset(struct fakesrv *s)
{
    pthread_mutex_lock(&s->lock);
    int n = s->n_requests < FAKE_MAX_RECORDED ? s->n_requests : FAKE_MAX_RECORDED;
    for (int i = 0; i < n; i++)
        free(s->recorded[i].body);
    s->n_requests = 0;
    pthread_mutex_unlock(&s->lock);
}

static int fakesrv_count(struct fakesrv *s)
{
    pthread_mutex_lock(&s->lock);
    int n = s->n_requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void fakesrv_stop(struct fakesrv *s)
{
    if (s->d)
        MHD_stop_daemon(s->d);
    s->d = NULL;
    fakesrv_reset(s);
    pthread_mutex_destroy(&s->lock);
}

/* A loopback URL where nothing listens: bind an ephemeral port, close it. */
__attribute__((unused)) static void fake_refused_url(char *out, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
        abort();
    close(fd);
    snprintf(out, size, "http://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
}
