/* The outage watch: see outage.h. Each condition is owned by one job (the
 * local checks or the probes), which alone changes its level; the mutex
 * only makes the levels readable from other threads. */
#include "alert/outage.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/sched.h"
#include "market/jupiter.h"
#include "market/tokenfeed.h"
#include "solana/pubkey.h"
#include "solana/rpc.h"
#include "store/store.h"
#include "trade/runner.h"

#define MAX_RPC 16

struct outage_watch {
    struct outage_opts o;
    char *rpc_urls[MAX_RPC];
    struct rpc *rpc[MAX_RPC]; /* one client per endpoint: each probed alone */
    struct jupiter *jup;
    char *data_dir;
    struct clock clock;
    int64_t start_ms;
    pthread_mutex_t mu;
    int level[OUTAGE_N];
    /* New endpoints (outage_set_rpc_urls), taken by the next probe round;
     * under mu. */
    char *pending_urls[MAX_RPC];
    size_t n_pending;
    bool has_pending;
    struct httpc_opts probe_http;
};

static const char *const names[OUTAGE_N] = {"webhook", "rpc", "dex", "jupiter", "disk"};

const char *outage_cond_name(enum outage_cond c)
{
    return (unsigned)c < OUTAGE_N ? names[c] : "?";
}

bool outage_transition(int was, int now, enum alert_severity *sev, bool *recovered)
{
    if (was == now)
        return false;
    *recovered = now < was;
    if (now == 0)
        *sev = ALERT_INFO;
    else
        *sev = now >= 2 ? ALERT_CRITICAL : ALERT_WARN;
    return true;
}

static int statvfs_free(void *ctx, const char *dir, uint64_t *out)
{
    (void)ctx;
    struct statvfs sv;
    if (statvfs(dir, &sv) != 0)
        return -1;
    *out = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
    return 0;
}

struct outage_watch *outage_new(const struct outage_opts *o)
{
    struct outage_watch *w = xcalloc(1, sizeof *w);
    w->o = *o;
    clock_init_real(&w->clock);
    w->start_ms = clock_now_ms(&w->clock);
    pthread_mutex_init(&w->mu, NULL);
    struct httpc_opts ho;
    httpc_opts_default(&ho);
    ho.retries = 0;
    ho.timeout_ms = o->probe_timeout_ms > 0 ? o->probe_timeout_ms : 5000;
    ho.connect_timeout_ms = ho.timeout_ms < 3000 ? ho.timeout_ms : 3000;
    w->probe_http = ho;
    size_t n = o->n_rpc < MAX_RPC ? o->n_rpc : MAX_RPC;
    for (size_t i = 0; i < n; i++) {
        w->rpc_urls[i] = xstrdup(o->rpc_urls[i]);
        const char *u = w->rpc_urls[i];
        w->rpc[i] = rpc_new(&u, 1, &ho);
    }
    w->o.n_rpc = n;
    w->o.rpc_urls = NULL;
    if (o->live && o->jupiter_url && o->jupiter_url[0])
        w->jup = jupiter_new(o->jupiter_url, o->jupiter_key, &ho);
    w->o.jupiter_url = w->o.jupiter_key = NULL;
    w->data_dir = xstrdup(o->data_dir ? o->data_dir : ".");
    w->o.data_dir = NULL;
    if (!w->o.disk_free)
        w->o.disk_free = statvfs_free;
    return w;
}

void outage_free(struct outage_watch *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->o.n_rpc; i++) {
        rpc_free(w->rpc[i]);
        free(w->rpc_urls[i]);
    }
    for (size_t i = 0; i < w->n_pending; i++)
        free(w->pending_urls[i]);
    jupiter_free(w->jup);
    free(w->data_dir);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

int outage_level(struct outage_watch *w, enum outage_cond c)
{
    pthread_mutex_lock(&w->mu);
    int l = w->level[c];
    pthread_mutex_unlock(&w->mu);
    return l;
}

/* Moves c to level now; on a change, one alert (pushed and stored) saying
 * what happened: title per level, why the operator's sentence. */
static void set_level(struct outage_watch *w, enum outage_cond c, int now, const char *title,
                      const char *why)
{
    pthread_mutex_lock(&w->mu);
    int was = w->level[c];
    w->level[c] = now;
    pthread_mutex_unlock(&w->mu);
    enum alert_severity sev;
    bool recovered;
    if (!outage_transition(was, now, &sev, &recovered))
        return;
    struct alert_msg m;
    memset(&m, 0, sizeof m);
    snprintf(m.kind, sizeof m.kind, "%s", c == OUTAGE_DISK ? "store" : "input_outage");
    m.severity = sev;
    snprintf(m.title, sizeof m.title, "%s", title);
    snprintf(m.text, sizeof m.text, "%s", why);
    m.ts_ms = clock_now_ms(&w->clock);
    snprintf(m.mode, sizeof m.mode, "%s", w->o.mode ? w->o.mode : "paper");
    if (sev == ALERT_INFO)
        log_info("outage", "%s: %s", title, why);
    else if (sev == ALERT_WARN)
        log_warn("outage", "%s: %s", title, why);
    else
        log_error("outage", "%s: %s", title, why);
    alerter_post(w->o.alerter, &m);
    if (w->o.store) {
        struct alert_row r;
        memset(&r, 0, sizeof r);
        r.ts_ms = m.ts_ms;
        snprintf(r.kind, sizeof r.kind, "%.23s", m.kind);
        snprintf(r.severity, sizeof r.severity, "%s", alert_severity_name(sev));
        snprintf(r.mode, sizeof r.mode, "%s", m.mode);
        snprintf(r.message, sizeof r.message, "%s: %s", title, why);
        snprintf(r.data, sizeof r.data,
                 "{\"condition\":\"%s\",\"level\":%d,\"was\":%d,\"recovered\":%s}",
                 outage_cond_name(c), now, was, recovered ? "true" : "false");
        int64_t id;
        if (store_put_alert(w->o.store, &r, &id) != 0)
            log_warn("outage", "could not store the %s alert (the store is failing)",
                     outage_cond_name(c));
    }
}

static void check_webhook(struct outage_watch *w, int64_t now)
{
    if (!w->o.runner || w->o.webhook_silence_ms <= 0)
        return;
    const struct runner_snap *s = runner_snapshot(w->o.runner);
    size_t watched = s ? s->n_watchlist : 0;
    if (s)
        runner_snapshot_release(w->o.runner, s);
    struct runner_health h;
    runner_health(w->o.runner, &h);
    int64_t last = h.webhook_last_wall_ms > w->start_ms ? h.webhook_last_wall_ms : w->start_ms;
    int64_t silent_ms = now - last;
    char why[400];
    if (watched > 0 && silent_ms > w->o.webhook_silence_ms) {
        snprintf(why, sizeof why,
                 "no webhook delivery for %lld s while %zu wallet(s) are watched (threshold "
                 "alert.webhook_silence_s = %lld); check the Helius webhook (walltrack helius "
                 "webhook list) and its URL",
                 (long long)(silent_ms / 1000), watched,
                 (long long)(w->o.webhook_silence_ms / 1000));
        set_level(w, OUTAGE_WEBHOOK, 1, "Webhook silent", why);
    } else if (outage_level(w, OUTAGE_WEBHOOK) != 0) {
        snprintf(why, sizeof why, "%s",
                 watched ? "webhook deliveries arrive again"
                         : "no wallet is watched any more, so silence is expected");
        set_level(w, OUTAGE_WEBHOOK, 0, "Webhook deliveries resumed", why);
    }
}

static void check_dex(struct outage_watch *w, int64_t now)
{
    if (!w->o.feed)
        return;
    struct tokenfeed_health h;
    tokenfeed_health(w->o.feed, &h);
    char detail[300], why[400];
    enum tokenfeed_state st = tokenfeed_state(&h, now, detail, sizeof detail);
    int level = st == TOKENFEED_DOWN ? 2 : st == TOKENFEED_DEGRADED ? 1 : 0;
    snprintf(why, sizeof why, "DexScreener %s: %s", tokenfeed_state_name(st), detail);
    set_level(w, OUTAGE_DEX, level,
              level == 2   ? "DexScreener down"
              : level == 1 ? "DexScreener degraded"
                           : "DexScreener answers again",
              why);
}

static void check_disk(struct outage_watch *w)
{
    if (w->o.disk_min_free == 0)
        return;
    uint64_t free_b = 0;
    char why[400];
    if (w->o.disk_free(w->o.disk_ctx, w->data_dir, &free_b) != 0) {
        log_debug("outage", "cannot read the free space of %s: %s", w->data_dir, strerror(errno));
        return;
    }
    bool low = free_b < w->o.disk_min_free;
    snprintf(why, sizeof why, "%llu MB free in the data folder %s (alert.disk_min_free_mb = %llu)",
             (unsigned long long)(free_b >> 20), w->data_dir,
             (unsigned long long)(w->o.disk_min_free >> 20));
    set_level(w, OUTAGE_DISK, low ? 2 : 0, low ? "Disk space low" : "Disk space sufficient again",
              why);
}

void outage_check_local(struct outage_watch *w)
{
    int64_t now = clock_now_ms(&w->clock);
    check_webhook(w, now);
    check_dex(w, now);
    check_disk(w);
}

static void check_rpc(struct outage_watch *w)
{
    if (w->o.n_rpc == 0)
        return;
    size_t down = 0;
    char hosts[300] = "";
    for (size_t i = 0; i < w->o.n_rpc; i++) {
        uint8_t bh[32];
        uint64_t lvbh, slot;
        if (rpc_get_latest_blockhash(w->rpc[i], RPC_CONFIRMED, bh, &lvbh, &slot) == 0)
            continue;
        down++;
        char origin[128];
        size_t used = strlen(hosts);
        /* Bounded: each endpoint's reason is cut at 80 characters, and
         * what does not fit in hosts is cut off. */
        snprintf(hosts + used, sizeof hosts - used, "%s%s (%.80s)", used ? ", " : "",
                 log_url_origin(w->rpc_urls[i], origin, sizeof origin),
                 rpc_last_error(w->rpc[i])->message);
    }
    char why[400];
    if (down == w->o.n_rpc) {
        snprintf(why, sizeof why, "every RPC endpoint fails: %s", hosts);
        set_level(w, OUTAGE_RPC, 2, "Solana RPC down", why);
    } else if (down) {
        snprintf(why, sizeof why, "%zu of %zu RPC endpoints fail, using the others: %s", down,
                 w->o.n_rpc, hosts);
        set_level(w, OUTAGE_RPC, 1, "Solana RPC failing over", why);
    } else {
        snprintf(why, sizeof why, "all %zu RPC endpoint(s) answer", w->o.n_rpc);
        set_level(w, OUTAGE_RPC, 0, "Solana RPC answers again", why);
    }
}

static void check_jupiter(struct outage_watch *w)
{
    if (!w->jup)
        return;
    struct jup_quote_req req = {.amount = 100, .slippage_bps = 100}; /* 100 lamports */
    (void)pubkey_parse(MINT_WSOL, &req.input_mint);
    (void)pubkey_parse(MINT_USDC, &req.output_mint);
    struct jup_quote q;
    char why[400];
    if (jupiter_quote(w->jup, &req, &q) == 0) {
        jup_quote_release(&q);
        set_level(w, OUTAGE_JUPITER, 0, "Jupiter quotes again",
                  "a SOL->USDC quote was answered; live orders can be placed");
        return;
    }
    const struct jup_error *e = jupiter_last_error(w->jup);
    snprintf(why, sizeof why,
             "Jupiter refuses quotes (%s, HTTP %ld: %s): live orders cannot be placed",
             jup_err_kind_name(e->kind), e->http_status, e->message);
    set_level(w, OUTAGE_JUPITER, 2, "Jupiter refuses quotes", why);
}

void outage_set_rpc_urls(struct outage_watch *w, const char *const *urls, size_t n)
{
    pthread_mutex_lock(&w->mu);
    for (size_t i = 0; i < w->n_pending; i++)
        free(w->pending_urls[i]);
    w->n_pending = n < MAX_RPC ? n : MAX_RPC;
    for (size_t i = 0; i < w->n_pending; i++)
        w->pending_urls[i] = xstrdup(urls[i]);
    w->has_pending = true;
    pthread_mutex_unlock(&w->mu);
}

/* Takes the endpoints of a reload, on the probes' thread (the only user
 * of the clients). */
static void take_pending(struct outage_watch *w)
{
    pthread_mutex_lock(&w->mu);
    if (!w->has_pending) {
        pthread_mutex_unlock(&w->mu);
        return;
    }
    for (size_t i = 0; i < w->o.n_rpc; i++) {
        rpc_free(w->rpc[i]);
        free(w->rpc_urls[i]);
    }
    w->o.n_rpc = w->n_pending;
    for (size_t i = 0; i < w->n_pending; i++) {
        w->rpc_urls[i] = w->pending_urls[i];
        const char *u = w->rpc_urls[i];
        w->rpc[i] = rpc_new(&u, 1, &w->probe_http);
    }
    w->n_pending = 0;
    w->has_pending = false;
    pthread_mutex_unlock(&w->mu);
}

void outage_check_probes(struct outage_watch *w)
{
    take_pending(w);
    check_rpc(w);
    check_jupiter(w);
}

static void local_job(void *arg)
{
    outage_check_local(arg);
}

static void probe_job(void *arg)
{
    outage_check_probes(arg);
}

int outage_schedule(struct outage_watch *w, struct sched *s)
{
    int rc = sched_add(s, "outage checks", 1000, 1000, SCHED_INLINE, local_job, w);
    if (rc < 0)
        return rc;
    if (w->o.probe_ms > 0) { /* also without endpoints: a reload may add some */
        rc = sched_add(s, "outage probes", 0, w->o.probe_ms, SCHED_WORKER, probe_job, w);
        if (rc < 0)
            return rc;
    }
    return 0;
}
