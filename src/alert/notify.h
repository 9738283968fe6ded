/* Push alerts: breaker triggers, execution failures, input outages and
 * "no signal for 48 h" reach the operator's phone or systems.
 *
 * One interface, three implementations (STYLE.md: const ops table plus an
 * instance): a generic webhook (the alert as a JSON POST), the Telegram Bot
 * API (sendMessage) and ntfy (a text POST to a topic URL with Title,
 * Priority and Tags headers). An alerter owns the configured notifiers and
 * a thread that sends each alert to every one of them, so the engine never
 * waits on the network; retries with backoff come from net/httpc.
 *
 * Secrets (Telegram bot token, ntfy topic URL and token) are registered for
 * log redaction when a notifier is made; the Telegram token travels in the
 * URL path, which is therefore never logged unredacted.
 *
 * Threads: notifier_send() blocks the caller (use it from the alerter's
 * thread or a test); alerter_post() may be called from any thread. */
#ifndef WT_ALERT_NOTIFY_H
#define WT_ALERT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "net/httpc.h"

enum alert_severity { ALERT_INFO = 1, ALERT_WARN = 2, ALERT_CRITICAL = 3 };

/* One alert. kind: "breaker", "execution_failure", "input_outage",
 * "no_signal", ... */
struct alert_msg {
    char kind[32];
    enum alert_severity severity;
    char title[128];
    char text[512];
    int64_t ts_ms;
    char mode[8]; /* "paper" or "live" */
};

const char *alert_severity_name(enum alert_severity s);

struct notifier;

struct notifier_ops {
    const char *name; /* "webhook", "telegram", "ntfy" */
    /* Sends one alert. Returns 0, or WT_ENET / WT_ETIMEOUT / WT_EREMOTE with
     * the reason (secrets redacted) in err. */
    int (*send)(struct notifier *n, const struct alert_msg *m, char *err, size_t errsize);
    void (*free)(struct notifier *n);
};

/* The instance; implementations embed it first. */
struct notifier {
    const struct notifier_ops *ops;
};

/* opts may be NULL (httpc defaults: 2 retries with backoff). Never NULL. */
struct notifier *notifier_webhook_new(const char *url, const struct httpc_opts *opts);
struct notifier *notifier_telegram_new(const char *api_base, const char *bot_token,
                                       const char *chat_id, const struct httpc_opts *opts);
/* topic_url: e.g. https://ntfy.sh/my-topic; token may be "" (public topic). */
struct notifier *notifier_ntfy_new(const char *topic_url, const char *token,
                                   const struct httpc_opts *opts);

static inline int notifier_send(struct notifier *n, const struct alert_msg *m, char *err,
                                size_t errsize)
{
    return n->ops->send(n, m, err, errsize);
}

static inline void notifier_free(struct notifier *n)
{
    if (n)
        n->ops->free(n);
}

/* The dispatcher. */
struct alerter;

struct alerter_stats {
    uint64_t posted;  /* alerts accepted by alerter_post */
    uint64_t sent;    /* (alert, notifier) deliveries that succeeded */
    uint64_t failed;  /* deliveries that failed after retries */
    uint64_t dropped; /* alerts dropped because the queue was full */
};

/* Builds the notifiers the settings configure (alert.*) and starts the
 * sending thread. An alerter with no notifier is valid (alerts are only
 * logged). Returns 0, WT_EINVAL (an incomplete setting, message in err) or
 * WT_EIO (thread). */
int alerter_start(const struct config *cfg, struct alerter **out, char *err, size_t errsize);
/* A reload: builds the notifiers cfg configures (new tokens, URLs,
 * minimum severity) and hands them to the sending thread, which uses them
 * from its next alert on and frees the old ones. Returns 0, or WT_EINVAL
 * with the reason in err and nothing changed. Any thread. */
int alerter_reconfigure(struct alerter *a, const struct config *cfg, char *err, size_t errsize);
/* Starts an alerter over the given notifiers (ownership passes to it). */
int alerter_start_with(struct notifier **notifiers, size_t n, enum alert_severity min,
                       struct alerter **out);
/* Queues m (copied) unless below the minimum severity; never blocks. */
void alerter_post(struct alerter *a, const struct alert_msg *m);
/* Sends what is queued, stops the thread, frees the notifiers. */
void alerter_stop(struct alerter *a);
void alerter_get_stats(struct alerter *a, struct alerter_stats *out);
size_t alerter_notifier_count(const struct alerter *a);

#endif
