/* Helius webhook <-> watchlist sync. See hooksync.h.
 *
 * Both sides are read into sorted arrays of base58 addresses and compared
 * as sets; the update sends the store's whole set (Helius's edit replaces
 * the address list), sorted, so the same watchlist always produces the
 * same request body. */
#include "ingest/hooksync.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "base/waiter.h"
#include "ingest/helius_api.h"

/* How often a node that may not sync (a standby) asks again. */
#define GATE_POLL_MS 1000

struct addrs {
    VEC(char *) v;
};

struct hooksync {
    struct store *st;
    struct hooksync_opts o;
    char *api_url, *api_key, *webhook_url, *auth_header;
    struct httpc_opts http;
    bool has_http;
    pthread_mutex_t run_mu; /* one run at a time */
    struct waiter w;        /* its mutex guards everything below */
    struct hooksync_status s;
    bool pending;
    int64_t first_notify_ms, last_notify_ms, next_check_ms; /* monotonic */
    pthread_t thread;
    bool running;
};

static int64_t mono_ms(void)
{
    return clock_mono_ns() / NS_PER_MS;
}

static void addrs_free(struct addrs *a)
{
    for (size_t i = 0; i < a->v.len; i++)
        free(a->v.v[i]);
    vec_free(&a->v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops repeats. */
static void addrs_normalise(struct addrs *a)
{
    if (a->v.len > 1)
        qsort(a->v.v, a->v.len, sizeof *a->v.v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < a->v.len; i++) {
        if (k && strcmp(a->v.v[k - 1], a->v.v[i]) == 0) {
            free(a->v.v[i]);
            continue;
        }
        a->v.v[k++] = a->v.v[i];
    }
    a->v.len = k;
}

static bool addrs_equal(const struct addrs *a, const struct addrs *b)
{
    if (a->v.len != b->v.len)
        return false;
    for (size_t i = 0; i < a->v.len; i++)
        if (strcmp(a->v.v[i], b->v.v[i]) != 0)
            return false;
    return true;
}

static int add_watched(void *ctx, const struct wallet *w)
{
    struct addrs *a = ctx;
    if (strcmp(w->chain, "solana") == 0)
        vec_push(&a->v, xstrdup(w->address));
    return 0;
}

struct hooksync *hooksync_new(struct store *st, const struct hooksync_opts *o)
{
    struct hooksync *h = xcalloc(1, sizeof *h);
    h->st = st;
    h->o = *o;
    h->api_url = xstrdup(o->api_url ? o->api_url : "");
    h->api_key = xstrdup(o->api_key ? o->api_key : "");
    h->webhook_url = xstrdup(o->webhook_url ? o->webhook_url : "");
    h->auth_header = xstrdup(o->auth_header ? o->auth_header : "");
    if (o->http) {
        h->http = *o->http;
        h->has_http = true;
    }
    if (!h->o.debounce_ms)
        h->o.debounce_ms = 2000;
    if (!h->o.retry_s)
        h->o.retry_s = 30;
    if (pthread_mutex_init(&h->run_mu, NULL) != 0 || waiter_init(&h->w) != 0)
        abort(); /* out of resources, like xmalloc */
    return h;
}

void hooksync_free(struct hooksync *h)
{
    if (!h)
        return;
    hooksync_stop(h);
    pthread_mutex_destroy(&h->run_mu);
    waiter_release(&h->w);
    mem_wipe(h->api_key, strlen(h->api_key));
    free(h->api_url);
    free(h->api_key);
    free(h->webhook_url);
    mem_wipe(h->auth_header, strlen(h->auth_header));
    free(h->auth_header);
    free(h);
}

/* What one run found and did, written into the status at its end. */
struct run {
    struct helius_api *api;
    uint64_t requests, updates;
    char id[128];
    size_t registered;
    bool auth_differs; /* our webhook's authHeader is not the secret we expect */
    char err[256];
};

static void run_err(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void run_err(struct run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    log_redact(r->err, sizeof r->err);
}

/* Lists the webhooks and finds ours (the first whose webhookURL is ours):
 * its id into r->id ("" when there is none), its addresses, sorted, and
 * whether its authHeader differs from the secret deliveries must carry (a
 * rotated webhook secret: Helius would go on sending the old one, and
 * every delivery would be refused). */
static int read_ours(struct hooksync *h, struct run *r, struct addrs *out)
{
    struct buf body;
    buf_init(&body, 0);
    r->requests++;
    int rc = helius_api_webhook_list(r->api, &body);
    if (rc) {
        run_err(r, "listing the webhooks: %s", helius_api_errmsg(r->api));
        buf_release(&body);
        return rc;
    }
    r->id[0] = '\0';
    r->auth_differs = false;
    struct json_doc *d = json_doc_new(0);
    struct json_val root, hook, arr, a;
    buf_reserve(&body, JSON_PADDING);
    if (json_parse(d, body.data ? body.data : "", body.len, body.cap, &root) != 0 ||
        json_type_of(&root) != JSON_ARRAY) {
        run_err(r, "the webhook list is not a JSON array");
        rc = WT_EPARSE;
        goto out;
    }
    for (size_t i = 0; i < json_size(&root); i++) {
        const char *url, *id;
        size_t ulen, idlen;
        if (json_index(&root, i, &hook) != 0 ||
            json_get_str(&hook, "webhookURL", &url, &ulen) != 0 || strlen(h->webhook_url) != ulen ||
            memcmp(url, h->webhook_url, ulen) != 0)
            continue;
        if (json_get_str(&hook, "webhookID", &id, &idlen) != 0 || idlen == 0 ||
            idlen >= sizeof r->id) {
            run_err(r, "our webhook in the list has no usable webhookID");
            rc = WT_EPARSE;
            goto out;
        }
        memcpy(r->id, id, idlen);
        r->id[idlen] = '\0';
        const char *auth = "";
        size_t alen = 0;
        if (json_opt_str(&hook, "authHeader", &auth, &alen) != 0)
            alen = 0;
        r->auth_differs = alen != strlen(h->auth_header) || memcmp(auth, h->auth_header, alen);
        if (json_find(&hook, "accountAddresses", &arr) == 0 && !json_is_null(&arr)) {
            if (json_type_of(&arr) != JSON_ARRAY) {
                run_err(r, "accountAddresses of webhook %s is not an array", r->id);
                rc = WT_EPARSE;
                goto out;
            }
            for (size_t k = 0; k < json_size(&arr); k++) {
                const char *s;
                size_t n;
                if (json_index(&arr, k, &a) != 0 || json_str(&a, &s, &n) != 0) {
                    run_err(r, "accountAddresses of webhook %s holds a non-string", r->id);
                    rc = WT_EPARSE;
                    goto out;
                }
                char *c = xmalloc(n + 1);
                memcpy(c, s, n);
                c[n] = '\0';
                vec_push(&out->v, c);
            }
        }
        break;
    }
    addrs_normalise(out);
out:
    json_doc_free(d);
    buf_release(&body);
    return rc;
}

/* The run proper; fills r, returns 0 when verified. */
static int sync_once(struct hooksync *h, struct run *r, size_t *n_watched)
{
    struct addrs want = {0}, have = {0};
    struct wallet_filter f;
    memset(&f, 0, sizeof f);
    f.status = WALLET_WATCH;
    int rc = store_wallet_scan(h->st, &f, add_watched, &want);
    if (rc) {
        run_err(r, "reading the watched wallets: %s", wt_strerror(rc));
        goto out;
    }
    addrs_normalise(&want);
    *n_watched = want.v.len;
    if ((rc = read_ours(h, r, &have)) != 0)
        goto out;
    if (!addrs_equal(&want, &have) || (!r->id[0] && want.v.len) ||
        (r->id[0] && want.v.len && r->auth_differs)) {
        struct helius_webhook_spec spec = {
            .url = h->webhook_url,
            .addresses = (const char *const *)want.v.v,
            .n_addresses = want.v.len,
            .auth_header = h->auth_header,
        };
        const char *what;
        if (!r->id[0]) {
            what = "creating";
            r->requests++;
            rc = helius_api_webhook_create(r->api, &spec, r->id, NULL);
        } else if (want.v.len == 0) {
            what = "deleting";
            r->requests++;
            rc = helius_api_webhook_delete(r->api, r->id);
        } else {
            what = "updating";
            r->requests++;
            rc = helius_api_webhook_update(r->api, r->id, &spec, NULL);
        }
        if (rc) {
            run_err(r, "%s the webhook: %s", what, helius_api_errmsg(r->api));
            goto out;
        }
        r->updates++;
        log_info("hooksync", "%s the Helius webhook: %zu watched, %zu were registered", what,
                 want.v.len, have.v.len);
        /* Read back: Helius must now hold exactly the watched set. */
        addrs_free(&have);
        if ((rc = read_ours(h, r, &have)) != 0)
            goto out;
        if (!addrs_equal(&want, &have) || (want.v.len && (!r->id[0] || r->auth_differs))) {
            run_err(r,
                    "read back after %s: Helius holds %zu address(es) for %s%s, the watchlist "
                    "has %zu",
                    what, have.v.len, h->webhook_url,
                    r->auth_differs ? " with another authHeader" : "", want.v.len);
            rc = WT_EREMOTE;
            goto out;
        }
    }
out:
    r->registered = have.v.len;
    addrs_free(&want);
    addrs_free(&have);
    return rc;
}

int hooksync_run(struct hooksync *h)
{
    pthread_mutex_lock(&h->run_mu);
    struct run r;
    memset(&r, 0, sizeof r);
    size_t n_watched = 0;
    int rc;
    if (!h->api_key[0] || !h->webhook_url[0]) {
        run_err(&r, "needs helius.api_key and helius.webhook_url");
        rc = WT_EINVAL;
    } else {
        r.api = helius_api_new(h->api_url, h->api_key, h->has_http ? &h->http : NULL);
        rc = sync_once(h, &r, &n_watched);
        helius_api_free(r.api);
    }
    struct clock c;
    clock_init_real(&c);
    int64_t now = clock_now_ms(&c);
    pthread_mutex_lock(&h->w.mu);
    bool was = h->s.in_sync, ran_before = h->s.ran;
    h->s.ran = true;
    h->s.in_sync = rc == 0;
    h->s.watched = n_watched;
    h->s.registered = r.registered;
    memcpy(h->s.webhook_id, r.id, sizeof r.id);
    h->s.last_run_ms = now;
    if (rc == 0)
        h->s.last_ok_ms = now;
    h->s.runs++;
    h->s.failures += rc != 0;
    h->s.updates += r.updates;
    h->s.requests += r.requests;
    snprintf(h->s.error, sizeof h->s.error, "%s", rc ? r.err : "");
    struct hooksync_status snap = h->s;
    pthread_mutex_unlock(&h->w.mu);
    if (rc)
        log_warn("hooksync", "the Helius webhook is not in line with the watchlist: %s", r.err);
    if ((!ran_before || was != (rc == 0)) && h->o.on_state)
        h->o.on_state(h->o.ctx, &snap);
    pthread_mutex_unlock(&h->run_mu);
    return rc;
}

static void replace_secret(char **at, const char *v)
{
    mem_wipe(*at, strlen(*at));
    free(*at);
    *at = xstrdup(v);
}

void hooksync_set_keys(struct hooksync *h, const char *api_key, const char *auth_header)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->run_mu); /* runs read the keys under it */
    if (api_key)
        replace_secret(&h->api_key, api_key);
    if (auth_header)
        replace_secret(&h->auth_header, auth_header);
    pthread_mutex_unlock(&h->run_mu);
    hooksync_notify(h); /* bring the webhook in line with the new values */
}

void hooksync_notify(struct hooksync *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->w.mu);
    int64_t now = mono_ms();
    if (!h->pending)
        h->first_notify_ms = now;
    h->pending = true;
    h->last_notify_ms = now;
    pthread_mutex_unlock(&h->w.mu);
    waiter_wake(&h->w);
}

void hooksync_status(struct hooksync *h, struct hooksync_status *out)
{
    pthread_mutex_lock(&h->w.mu);
    *out = h->s;
    pthread_mutex_unlock(&h->w.mu);
}

/* When the next run is due (monotonic ms), or INT64_MAX for none. Called
 * with the mutex held. */
static int64_t due_locked(const struct hooksync *h)
{
    int64_t due = h->next_check_ms ? h->next_check_ms : INT64_MAX;
    if (h->pending) {
        int64_t quiet = h->last_notify_ms + h->o.debounce_ms;
        int64_t cap = h->first_notify_ms + 10 * (int64_t)h->o.debounce_ms;
        int64_t d = quiet < cap ? quiet : cap;
        if (d < due)
            due = d;
    }
    return due;
}

static void *thread_main(void *arg)
{
    struct hooksync *h = arg;
    waiter_lock(&h->w);
    while (!h->w.stop) {
        int64_t now = mono_ms(), due = due_locked(h);
        if (now < due) {
            waiter_wait_locked_ms(&h->w, due == INT64_MAX ? -1 : due - now);
            continue;
        }
        if (h->o.may_run && !h->o.may_run(h->o.gate_ctx)) {
            h->s.standby = true; /* put off; asked again in a second */
            waiter_wait_locked_ms(&h->w, GATE_POLL_MS);
            continue;
        }
        h->s.standby = false;
        h->pending = false;
        waiter_unlock(&h->w);
        int rc = hooksync_run(h);
        waiter_lock(&h->w);
        int64_t after = mono_ms();
        if (rc)
            h->next_check_ms = after + (int64_t)h->o.retry_s * 1000;
        else
            h->next_check_ms = h->o.interval_s ? after + (int64_t)h->o.interval_s * 1000 : 0;
    }
    waiter_unlock(&h->w);
    return NULL;
}

int hooksync_start(struct hooksync *h)
{
    if (h->running)
        return WT_ESTATE;
    hooksync_notify(h); /* the first sync, after the debounce */
    if (pthread_create(&h->thread, NULL, thread_main, h) != 0)
        return WT_EIO;
    h->running = true;
    return 0;
}

void hooksync_stop(struct hooksync *h)
{
    if (!h->running)
        return;
    waiter_stop(&h->w);
    pthread_join(h->thread, NULL);
    h->running = false;
}
