/* Reload without restart: see serve_reload.h. */
#include "cli/serve_reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/notify.h"
#include "alert/outage.h"
#include "api/api.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/sdnotify.h"
#include "cli/cli.h"
#include "ingest/hooksync.h"
#include "ingest/rpcpoll.h"
#include "trade/exec_live.h"

/* The keys a reload applies to a running daemon. */
static const enum config_id reloadable[] = {
    CFG_API_TOKEN,
    CFG_WEBHOOK_SECRET,
    CFG_HELIUS_API_KEY,
    CFG_RPC_URLS,
    CFG_ALERT_WEBHOOK_URL,
    CFG_ALERT_TELEGRAM_API,
    CFG_ALERT_TELEGRAM_TOKEN,
    CFG_ALERT_TELEGRAM_CHAT,
    CFG_ALERT_NTFY_URL,
    CFG_ALERT_NTFY_TOKEN,
    CFG_ALERT_MIN_SEVERITY,
    CFG_LOG_LEVEL,
};

static bool is_reloadable(enum config_id id)
{
    for (size_t i = 0; i < sizeof reloadable / sizeof reloadable[0]; i++)
        if (reloadable[i] == id)
            return true;
    return false;
}

static bool is_alert_key(enum config_id id)
{
    return id == CFG_ALERT_WEBHOOK_URL || id == CFG_ALERT_TELEGRAM_API ||
           id == CFG_ALERT_TELEGRAM_TOKEN || id == CFG_ALERT_TELEGRAM_CHAT ||
           id == CFG_ALERT_NTFY_URL || id == CFG_ALERT_NTFY_TOKEN || id == CFG_ALERT_MIN_SEVERITY;
}

void serve_reload_init(struct serve_reload *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
}

void serve_reload_release(struct serve_reload *r)
{
    pthread_mutex_destroy(&r->mu);
}

struct report {
    enum config_id applied[CFG_COUNT];
    size_t n_applied;
    enum config_id refused[CFG_COUNT];
    char why[CFG_COUNT][320];
    size_t n_refused;
    enum config_id restart[CFG_COUNT];
    size_t n_restart;
};

static void refuse(struct report *rep, enum config_id id, const char *why)
{
    rep->refused[rep->n_refused] = id;
    snprintf(rep->why[rep->n_refused], sizeof rep->why[0], "%s", why);
    rep->n_refused++;
    log_warn("reload", "%s: refused, the old value stays: %s", config_def_of(id)->name, why);
}

/* Builds the settings as at start into fresh: the file and the
 * environment again, the command line's and the database's values from
 * cur. Returns 0 or WT_EINVAL with why. */
static int rebuild(const struct config *cur, struct config *fresh, char *why, size_t whysize)
{
    config_init(fresh);
    bool explicit_;
    const char *path = cli_config_file(&explicit_);
    if (path) {
        int rc = config_load_file(fresh, path);
        if (rc && (explicit_ || rc != WT_EIO)) {
            snprintf(why, whysize, "%s", config_errmsg(fresh));
            return WT_EINVAL;
        }
    }
    if (config_load_env(fresh, NULL) != 0) {
        snprintf(why, whysize, "%s", config_errmsg(fresh));
        return WT_EINVAL;
    }
    for (int i = 0; i < CFG_COUNT; i++) {
        enum config_id id = (enum config_id)i;
        enum config_source src = config_source_of(cur, id);
        if (src != CONFIG_SRC_CLI && src != CONFIG_SRC_DB)
            continue;
        /* Written directly: a secret from the command line (db.url through
         * --db) is refused by config_set, yet stays what it was. */
        struct config_value *v = &fresh->v[id];
        free(v->text);
        v->text = xstrdup(config_str(cur, id));
        v->i = cur->v[id].i;
        v->d = cur->v[id].d;
        v->source = src;
    }
    return 0;
}

/* Checks the changed reloadable keys; moves the ones that fail to
 * refused. */
static void validate(struct serve_reload *r, const struct config *cur, struct config *fresh,
                     const bool *changed, struct report *rep)
{
    char why[320];
    if (changed[CFG_API_TOKEN] &&
        api_check_token(r->host, config_str(fresh, CFG_API_TOKEN), why, sizeof why) != 0)
        refuse(rep, CFG_API_TOKEN, why);
    if (changed[CFG_WEBHOOK_SECRET] && !config_str(fresh, CFG_WEBHOOK_SECRET)[0])
        refuse(rep, CFG_WEBHOOK_SECRET,
               "an empty webhook secret would refuse every Helius delivery");
    if (changed[CFG_RPC_URLS]) {
        struct exec_live_urls u;
        memset(&u, 0, sizeof u);
        bool ok = exec_live_urls_parse(config_str(fresh, CFG_RPC_URLS), &u) == 0;
        for (size_t i = 0; ok && i < u.n; i++)
            ok = strncmp(u.v[i], "http://", 7) == 0 || strncmp(u.v[i], "https://", 8) == 0;
        if (!ok)
            refuse(rep, CFG_RPC_URLS, "not a comma-separated list of http(s) URLs");
        else if (u.n == 0 && (r->live || config_str(cur, CFG_RPC_URLS)[0]))
            refuse(rep, CFG_RPC_URLS, "no endpoint left: the RPC poller and probes need one");
        exec_live_urls_release(&u);
    }
    bool alert_changed = false;
    for (int i = 0; i < CFG_COUNT; i++)
        alert_changed |= changed[i] && is_alert_key((enum config_id)i);
    if (alert_changed) {
        if (alerter_reconfigure(r->alerter, fresh, why, sizeof why) != 0) {
            for (int i = 0; i < CFG_COUNT; i++)
                if (changed[i] && is_alert_key((enum config_id)i))
                    refuse(rep, (enum config_id)i, why);
        }
    }
    enum log_level lv;
    if (changed[CFG_LOG_LEVEL] && log_level_parse(config_str(fresh, CFG_LOG_LEVEL), &lv) != 0)
        refuse(rep, CFG_LOG_LEVEL, "not one of debug, info, warn, error");
}

static bool was_refused(const struct report *rep, enum config_id id)
{
    for (size_t i = 0; i < rep->n_refused; i++)
        if (rep->refused[i] == id)
            return true;
    return false;
}

/* key: ["setting.name", ...] of n settings. */
static void names_json(struct jw *w, const char *key, const enum config_id *ids, size_t n)
{
    jw_karr_begin(w, key);
    for (size_t i = 0; i < n; i++)
        jw_str(w, config_def_of(ids[i])->name);
    jw_arr_end(w);
}

static void write_report(const struct report *rep, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    names_json(&w, "applied", rep->applied, rep->n_applied);
    jw_karr_begin(&w, "refused");
    for (size_t i = 0; i < rep->n_refused; i++) {
        jw_obj_begin(&w);
        jw_kstr(&w, "name", config_def_of(rep->refused[i])->name);
        jw_kstr(&w, "why", rep->why[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    names_json(&w, "restart_needed", rep->restart, rep->n_restart);
    jw_obj_end(&w);
    (void)jw_finish(&w);
}

int serve_reload_run(struct serve_reload *r, struct buf *out)
{
    pthread_mutex_lock(&r->mu);
    if (!r->api) {
        pthread_mutex_unlock(&r->mu);
        buf_puts(out, "the daemon is starting or stopping: try again");
        return WT_ESTATE;
    }
    (void)sdnotify_send("RELOADING=1\nSTATUS=reloading the settings");
    struct config cur, fresh;
    api_config_copy(r->api, &cur);
    char why[600];
    int rc = rebuild(&cur, &fresh, why, sizeof why);
    if (rc) {
        log_error("reload", "refused, nothing changed: %s", why);
        struct jw w;
        jw_init(&w, out);
        jw_obj_begin(&w);
        jw_kstr(&w, "error", why);
        jw_obj_end(&w);
        (void)jw_finish(&w);
        goto out;
    }
    struct report *rep = xcalloc(1, sizeof *rep);
    bool changed[CFG_COUNT] = {false};
    for (int i = 0; i < CFG_COUNT; i++)
        changed[i] =
            strcmp(config_str(&cur, (enum config_id)i), config_str(&fresh, (enum config_id)i)) != 0;
    validate(r, &cur, &fresh, changed, rep);
    for (int i = 0; i < CFG_COUNT; i++) {
        enum config_id id = (enum config_id)i;
        if (!changed[i] || was_refused(rep, id))
            continue;
        if (id == CFG_LIVE_KEYPAIR_PATH && r->live) {
            refuse(rep, id,
                   "the trading keypair is not reloaded in live mode: restart with --live, "
                   "which runs the arming checks again (docs/live.md)");
        } else if (is_reloadable(id)) {
            rep->applied[rep->n_applied++] = id;
        } else {
            rep->restart[rep->n_restart++] = id;
            log_info("reload", "%s changed: it takes effect at the next start",
                     config_def_of(id)->name);
        }
    }
    /* Apply: the API's settings (token, secret, Helius key, ...), then the
     * components holding their own copies. */
    (void)api_reload(r->api, &fresh, rep->applied, rep->n_applied);
    for (size_t i = 0; i < rep->n_applied; i++) {
        enum config_id id = rep->applied[i];
        log_info("reload", "%s: the new value is in use", config_def_of(id)->name);
        if (id == CFG_RPC_URLS) {
            struct exec_live_urls u;
            memset(&u, 0, sizeof u);
            if (exec_live_urls_parse(config_str(&fresh, CFG_RPC_URLS), &u) == 0) {
                if (r->poll && u.n)
                    rpcpoll_set_urls(r->poll, (const char *const *)u.v, u.n);
                if (r->outage)
                    outage_set_rpc_urls(r->outage, (const char *const *)u.v, u.n);
            }
            exec_live_urls_release(&u);
            if (r->live)
                log_warn("reload", "rpc.urls: live orders keep the endpoints they armed with "
                                   "until a restart");
        } else if (id == CFG_HELIUS_API_KEY || id == CFG_WEBHOOK_SECRET) {
            hooksync_set_keys(r->hooksync, id == CFG_HELIUS_API_KEY ? config_str(&fresh, id) : NULL,
                              id == CFG_WEBHOOK_SECRET ? config_str(&fresh, id) : NULL);
        } else if (id == CFG_LOG_LEVEL) {
            enum log_level lv;
            if (log_level_parse(config_str(&fresh, CFG_LOG_LEVEL), &lv) == 0)
                log_set_level(lv);
        }
    }
    log_info("reload", "done: %zu applied, %zu refused, %zu need a restart", rep->n_applied,
             rep->n_refused, rep->n_restart);
    write_report(rep, out);
    free(rep);
out:
    config_release(&cur);
    config_release(&fresh);
    (void)sdnotify_send("READY=1\nSTATUS=serving (settings reloaded)");
    pthread_mutex_unlock(&r->mu);
    return rc;
}
