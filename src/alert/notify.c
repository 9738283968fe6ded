/* Notifiers (webhook, Telegram, ntfy) and the alerter that feeds them from
 * a queue on its own thread. See notify.h. */
#include "alert/notify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/waiter.h"

#define QUEUE_MAX 256

const char *alert_severity_name(enum alert_severity s)
{
    switch (s) {
    case ALERT_INFO:
        return "info";
    case ALERT_WARN:
        return "warn";
    case ALERT_CRITICAL:
        return "critical";
    }
    return "?";
}

/* A notifier over one HTTP client and one destination URL. */
struct http_notifier {
    struct notifier base;
    struct httpc *http;
    char *url;     /* full URL (Telegram: contains the token) */
    char *token;   /* ntfy access token, or NULL */
    char *chat_id; /* Telegram */
};

static struct http_notifier *http_notifier_new(const struct notifier_ops *ops, const char *url,
                                               const struct httpc_opts *opts)
{
    struct http_notifier *h = xcalloc(1, sizeof *h);
    h->base.ops = ops;
    h->http = httpc_new(NULL, 0, opts);
    httpc_set_service(h->http, "alerts");
    h->url = xstrdup(url);
    return h;
}

static void http_notifier_free(struct notifier *n)
{
    struct http_notifier *h = (struct http_notifier *)n;
    httpc_free(h->http);
    mem_wipe(h->url, strlen(h->url));
    free(h->url);
    if (h->token)
        mem_wipe(h->token, strlen(h->token));
    free(h->token);
    free(h->chat_id);
    free(h);
}

/* POSTs and turns a non-2xx answer into WT_EREMOTE. */
static int post(struct http_notifier *h, const struct httpc_header *hdr, size_t nhdr,
                const char *body, size_t len, struct httpc_resp *resp, char *err, size_t errsize)
{
    struct httpc_req req = {.method = "POST",
                            .path = h->url,
                            .headers = hdr,
                            .n_headers = nhdr,
                            .body = body,
                            .body_len = len,
                            .retries = -1};
    int rc = httpc_do(h->http, &req, resp);
    if (rc) {
        snprintf(err, errsize, "%s", wt_strerror(rc));
        return rc;
    }
    if (resp->status < 200 || resp->status >= 300) {
        snprintf(err, errsize, "answered %ld: %.160s", resp->status,
                 resp->body.data ? resp->body.data : "");
        log_redact(err, errsize);
        return WT_EREMOTE;
    }
    return 0;
}

/* A JSON object body: json_body_begin initialises body and w and opens
 * the object; post_json closes it and POSTs it as application/json (resp
 * initialised by the caller, released by it). Returns as post. */
static void json_body_begin(struct jw *w, struct buf *body)
{
    buf_init(body, 0);
    jw_init(w, body);
    jw_obj_begin(w);
}

static int post_json(struct http_notifier *h, struct jw *w, const struct buf *body,
                     struct httpc_resp *resp, char *err, size_t errsize)
{
    static const struct httpc_header hdr[] = {{"Content-Type", "application/json"}};
    jw_obj_end(w);
    int rc = jw_finish(w);
    if (rc == 0)
        rc = post(h, hdr, 1, body->data, body->len, resp, err, errsize);
    return rc;
}

static int webhook_send(struct notifier *n, const struct alert_msg *m, char *err, size_t errsize)
{
    struct http_notifier *h = (struct http_notifier *)n;
    struct buf body;
    struct jw w;
    json_body_begin(&w, &body);
    jw_kstr(&w, "source", "walltrack");
    jw_kstr(&w, "kind", m->kind);
    jw_kstr(&w, "severity", alert_severity_name(m->severity));
    jw_kstr(&w, "title", m->title);
    jw_kstr(&w, "text", m->text);
    jw_ki64(&w, "ts_ms", m->ts_ms);
    jw_kstr(&w, "mode", m->mode);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = post_json(h, &w, &body, &resp, err, errsize);
    httpc_resp_release(&resp);
    buf_release(&body);
    return rc;
}

static int telegram_send(struct notifier *n, const struct alert_msg *m, char *err, size_t errsize)
{
    struct http_notifier *h = (struct http_notifier *)n;
    char text[768];
    snprintf(text, sizeof text, "[%s] %s%s\n%s", m->mode[0] ? m->mode : "paper", m->title,
             m->severity == ALERT_CRITICAL ? " (critical)" : "", m->text);
    struct buf body;
    struct jw w;
    json_body_begin(&w, &body);
    jw_kstr(&w, "chat_id", h->chat_id);
    jw_kstr(&w, "text", text);
    jw_kbool(&w, "disable_web_page_preview", true);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = post_json(h, &w, &body, &resp, err, errsize);
    if (rc == 0) {
        /* The Bot API answers {"ok":true,...}; anything else is a failure
         * even with a 2xx status. */
        struct json_doc *doc = json_doc_new(0);
        struct json_val root;
        bool ok = false;
        if (json_parse(doc, resp.body.data, resp.body.len, resp.body.cap, &root) != 0 ||
            json_get_bool(&root, "ok", &ok) != 0 || !ok) {
            snprintf(err, errsize, "Telegram did not confirm the message");
            rc = WT_EREMOTE;
        }
        json_doc_free(doc);
    }
    httpc_resp_release(&resp);
    buf_release(&body);
    return rc;
}

static int ntfy_send(struct notifier *n, const struct alert_msg *m, char *err, size_t errsize)
{
    struct http_notifier *h = (struct http_notifier *)n;
    static const char *const prio[] = {"", "default", "high", "urgent"};
    char title[200], auth[300];
    snprintf(title, sizeof title, "walltrack %s: %s", m->mode[0] ? m->mode : "paper", m->title);
    /* HTTP header values must stay on one line. */
    for (char *p = title; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    struct httpc_header hdr[5] = {
        {"Content-Type", "text/plain; charset=utf-8"},
        {"Title", title},
        {"Priority",
         prio[m->severity >= ALERT_INFO && m->severity <= ALERT_CRITICAL ? m->severity : 1]},
        {"Tags", m->kind},
    };
    size_t nh = 4;
    if (h->token && h->token[0]) {
        snprintf(auth, sizeof auth, "Bearer %s", h->token);
        hdr[nh++] = (struct httpc_header){"Authorization", auth};
    }
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    int rc = post(h, hdr, nh, m->text, strlen(m->text), &resp, err, errsize);
    httpc_resp_release(&resp);
    mem_wipe(auth, sizeof auth);
    return rc;
}

static const struct notifier_ops webhook_ops = {"webhook", webhook_send, http_notifier_free};
static const struct notifier_ops telegram_ops = {"telegram", telegram_send, http_notifier_free};
static const struct notifier_ops ntfy_ops = {"ntfy", ntfy_send, http_notifier_free};

struct notifier *notifier_webhook_new(const char *url, const struct httpc_opts *opts)
{
    return &http_notifier_new(&webhook_ops, url, opts)->base;
}

struct notifier *notifier_telegram_new(const char *api_base, const char *bot_token,
                                       const char *chat_id, const struct httpc_opts *opts)
{
    log_add_secret(bot_token);
    char url[1024];
    snprintf(url, sizeof url, "%s/bot%s/sendMessage", api_base, bot_token);
    struct http_notifier *h = http_notifier_new(&telegram_ops, url, opts);
    mem_wipe(url, sizeof url);
    h->chat_id = xstrdup(chat_id);
    return &h->base;
}

struct notifier *notifier_ntfy_new(const char *topic_url, const char *token,
                                   const struct httpc_opts *opts)
{
    /* The topic is the password of a public ntfy topic. */
    log_add_secret(topic_url);
    log_add_secret(token);
    struct http_notifier *h = http_notifier_new(&ntfy_ops, topic_url, opts);
    h->token = xstrdup(token ? token : "");
    return &h->base;
}

/* ---------------------------------------------------------------- alerter */

struct alerter {
    struct notifier **n;
    size_t nn;
    enum alert_severity min;
    struct waiter w;               /* its mutex guards the queue, stats and pending */
    struct alert_msg q[QUEUE_MAX]; /* ring: head..head+len */
    size_t head, len;
    pthread_t thread;
    struct alerter_stats stats;
    /* Notifiers of a reload (alerter_reconfigure), taken by the thread
     * before its next alert; under w's mutex. */
    struct notifier **pending;
    size_t n_pending;
    bool has_pending;
    size_t configured; /* notifiers configured (the last reload's); atomic */
};

static void free_notifiers(struct notifier **n, size_t nn)
{
    for (size_t i = 0; i < nn; i++)
        notifier_free(n[i]);
    free(n);
}

static void *alerter_run(void *arg)
{
    struct alerter *a = arg;
    waiter_lock(&a->w);
    for (;;) {
        while (a->len == 0 && !a->w.stop && !a->has_pending)
            waiter_wait_locked_ms(&a->w, -1);
        if (a->has_pending) { /* only this thread sends through a->n */
            struct notifier **old = a->n;
            size_t nold = a->nn;
            a->n = a->pending;
            a->nn = a->n_pending;
            a->pending = NULL;
            a->has_pending = false;
            waiter_unlock(&a->w);
            free_notifiers(old, nold);
            waiter_lock(&a->w);
            continue;
        }
        if (a->len == 0 && a->w.stop)
            break;
        struct alert_msg m = a->q[a->head];
        a->head = (a->head + 1) % QUEUE_MAX;
        a->len--;
        waiter_unlock(&a->w);
        for (size_t i = 0; i < a->nn; i++) {
            char err[256];
            int rc = notifier_send(a->n[i], &m, err, sizeof err);
            if (rc)
                log_warn("alert", "%s notifier failed for '%s': %s", a->n[i]->ops->name, m.title,
                         err);
            waiter_lock(&a->w);
            rc ? a->stats.failed++ : a->stats.sent++;
            waiter_unlock(&a->w);
        }
        waiter_lock(&a->w);
    }
    waiter_unlock(&a->w);
    return NULL;
}

int alerter_start_with(struct notifier **notifiers, size_t n, enum alert_severity min,
                       struct alerter **out)
{
    struct alerter *a = xcalloc(1, sizeof *a);
    a->n = xcalloc(n ? n : 1, sizeof *a->n);
    memcpy(a->n, notifiers, n * sizeof *a->n);
    a->nn = n;
    a->configured = n;
    a->min = min;
    if (waiter_init(&a->w) != 0) {
        free_notifiers(a->n, n);
        free(a);
        return WT_EIO;
    }
    if (pthread_create(&a->thread, NULL, alerter_run, a) != 0) {
        waiter_release(&a->w);
        free_notifiers(a->n, n);
        free(a);
        return WT_EIO;
    }
    *out = a;
    return 0;
}

/* The notifiers and the minimum severity a configuration asks for. */
struct notifier_set {
    struct notifier *n[3]; /* n[0..nn): webhook, Telegram, ntfy, those configured */
    size_t nn;
    enum alert_severity sev;
};

/* Builds the set cfg configures. Returns 0, or WT_EINVAL with err set
 * (nothing built). */
static int build_notifiers(const struct config *cfg, struct notifier_set *set, char *err,
                           size_t errsize)
{
    struct notifier **n = set->n;
    size_t *nn = &set->nn;
    enum alert_severity *sev = &set->sev;
    *nn = 0;
    const char *hook = config_str(cfg, CFG_ALERT_WEBHOOK_URL);
    const char *tg = config_str(cfg, CFG_ALERT_TELEGRAM_TOKEN);
    const char *chat = config_str(cfg, CFG_ALERT_TELEGRAM_CHAT);
    const char *ntfy = config_str(cfg, CFG_ALERT_NTFY_URL);
    if (tg[0] != '\0' && chat[0] == '\0') {
        snprintf(err, errsize, "alert.telegram_chat_id is needed with alert.telegram_token");
        return WT_EINVAL;
    }
    if ((hook[0] && strncmp(hook, "http", 4) != 0) || (ntfy[0] && strncmp(ntfy, "http", 4) != 0)) {
        snprintf(err, errsize, "alert.webhook_url and alert.ntfy_url must be http(s) URLs");
        return WT_EINVAL;
    }
    const char *min = config_str(cfg, CFG_ALERT_MIN_SEVERITY);
    if (strcmp(min, "critical") && strcmp(min, "warn") && strcmp(min, "info")) {
        snprintf(err, errsize, "alert.min_severity: '%s' is not info, warn or critical", min);
        return WT_EINVAL;
    }
    *sev = strcmp(min, "critical") == 0 ? ALERT_CRITICAL
           : strcmp(min, "warn") == 0   ? ALERT_WARN
                                        : ALERT_INFO;
    if (hook[0])
        n[(*nn)++] = notifier_webhook_new(hook, NULL);
    if (tg[0])
        n[(*nn)++] = notifier_telegram_new(config_str(cfg, CFG_ALERT_TELEGRAM_API), tg, chat, NULL);
    if (ntfy[0])
        n[(*nn)++] = notifier_ntfy_new(ntfy, config_str(cfg, CFG_ALERT_NTFY_TOKEN), NULL);
    return 0;
}

int alerter_start(const struct config *cfg, struct alerter **out, char *err, size_t errsize)
{
    struct notifier_set set;
    int rc = build_notifiers(cfg, &set, err, errsize);
    return rc ? rc : alerter_start_with(set.n, set.nn, set.sev, out);
}

int alerter_reconfigure(struct alerter *a, const struct config *cfg, char *err, size_t errsize)
{
    struct notifier_set set;
    int rc = build_notifiers(cfg, &set, err, errsize);
    if (rc)
        return rc;
    size_t nn = set.nn;
    struct notifier **v = xcalloc(nn ? nn : 1, sizeof *v);
    memcpy(v, set.n, nn * sizeof *v);
    waiter_lock(&a->w);
    struct notifier **old = a->has_pending ? a->pending : NULL;
    size_t nold = a->n_pending;
    a->pending = v;
    a->n_pending = nn;
    a->has_pending = true;
    a->min = set.sev;
    a->configured = nn;
    waiter_unlock(&a->w);
    waiter_wake(&a->w);
    if (old)
        free_notifiers(old, nold);
    return 0;
}

void alerter_post(struct alerter *a, const struct alert_msg *m)
{
    log_msg(m->severity == ALERT_CRITICAL ? LOG_ERROR : LOG_WARN, "alert", "%s: %s", m->title,
            m->text);
    waiter_lock(&a->w);
    if (m->severity < a->min) {
        waiter_unlock(&a->w);
        return;
    }
    a->stats.posted++;
    if (a->len == QUEUE_MAX) {
        /* Drop the oldest: the newest state matters most to an operator. */
        a->head = (a->head + 1) % QUEUE_MAX;
        a->len--;
        a->stats.dropped++;
    }
    a->q[(a->head + a->len) % QUEUE_MAX] = *m;
    a->len++;
    waiter_unlock(&a->w);
    waiter_wake(&a->w);
}

void alerter_stop(struct alerter *a)
{
    if (!a)
        return;
    waiter_stop(&a->w);
    pthread_join(a->thread, NULL);
    free_notifiers(a->n, a->nn);
    if (a->has_pending)
        free_notifiers(a->pending, a->n_pending);
    waiter_release(&a->w);
    free(a);
}

void alerter_get_stats(struct alerter *a, struct alerter_stats *out)
{
    waiter_lock(&a->w);
    *out = a->stats;
    waiter_unlock(&a->w);
}

size_t alerter_notifier_count(const struct alerter *a)
{
    return __atomic_load_n(&a->configured, __ATOMIC_RELAXED);
}
