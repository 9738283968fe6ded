/* POST /v1/alerts/{id}/ack and GET /v1/config/history: the operator's
 * acknowledgement of an alert, and the change history of the settings
 * (every PUT /v1/config, wizard save and feedback adjustment is recorded
 * by the store with its old value, time and actor), exit strategies
 * included. */
#include "api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/store.h"

void routes_alert_ack(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!ctx->env->store) {
        httpd_resp_error(resp, 503, "no database");
        return;
    }
    /* /v1/alerts/{id}/ack */
    const char *p = req->path + strlen("/v1/alerts/");
    const char *slash = strchr(p, '/');
    int64_t id;
    if (!slash || strcmp(slash, "/ack") != 0 || str_to_i64_n(p, (size_t)(slash - p), &id) != 0 ||
        id <= 0) {
        httpd_resp_error(resp, 404, "no such endpoint: %s (POST /v1/alerts/{id}/ack)", req->path);
        return;
    }
    int rc = store_alert_ack(ctx->env->store, id, api_now_ms());
    if (rc == WT_ENOTFOUND) {
        httpd_resp_error(resp, 404, "no alert %lld", (long long)id);
        return;
    }
    if (rc) {
        httpd_resp_error(resp, 503, "the database refused: %s", wt_strerror(rc));
        return;
    }
    struct jw w;
    api_json_begin(&w, resp);
    jw_ki64(&w, "id", id);
    jw_ki64(&w, "acked_ms", api_now_ms());
    api_json_end(&w, resp);
}

static int newest_first(const void *a, const void *b)
{
    const struct setting_change *x = a, *y = b;
    if (x->ts_ms != y->ts_ms)
        return x->ts_ms < y->ts_ms ? 1 : -1;
    return x->id < y->id ? 1 : (x->id > y->id ? -1 : 0);
}

/* The setting keys whose history is asked for. */
struct keys {
    char **v;
    size_t n, cap;
};

static void key_add(struct keys *k, const char *key)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 64;
        k->v = xrealloc(k->v, k->cap * sizeof *k->v);
    }
    k->v[k->n++] = xstrdup(key);
}

static int key_seen(void *ctx, const char *key)
{
    key_add(ctx, key);
    return 0;
}

void routes_config_history(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!ctx->env->store) {
        httpd_resp_error(resp, 503, "no database");
        return;
    }
    int64_t limit;
    if (!api_query_i64(req, resp, "limit", 100, 1, 1000, &limit))
        return;
    const char *name = httpd_query(req, "name");
    bool exit_key =
        name && strncmp(name, STORE_EXIT_HISTORY_PREFIX, strlen(STORE_EXIT_HISTORY_PREFIX)) == 0;
    if (name && !exit_key && !config_def_find(name, NULL)) {
        httpd_resp_error(resp, 400, "name: unknown setting '%s'", name);
        return;
    }
    /* Every live-editable setting (those are the ones that change while
     * running) and every exit strategy the operator ever stored, or just the
     * one asked for. */
    struct keys keys = {0};
    int rc = 0;
    if (name) {
        key_add(&keys, name);
    } else {
        for (int i = 0; i < CFG_COUNT; i++) {
            const struct config_def *d = config_def_of((enum config_id)i);
            if (d->flags & CONFIG_LIVE)
                key_add(&keys, d->name);
        }
        rc =
            store_setting_history_keys(ctx->env->store, STORE_EXIT_HISTORY_PREFIX, key_seen, &keys);
    }
    struct setting_change *all = xcalloc((size_t)limit * (keys.n ? keys.n : 1), sizeof *all);
    size_t total = 0;
    for (size_t i = 0; i < keys.n && rc == 0; i++) {
        size_t n = 0;
        rc = store_setting_history(ctx->env->store, keys.v[i], all + total, (size_t)limit, &n);
        total += n;
    }
    for (size_t i = 0; i < keys.n; i++)
        free(keys.v[i]);
    free(keys.v);
    if (rc) {
        free(all);
        httpd_resp_error(resp, 503, "the database refused: %s", wt_strerror(rc));
        return;
    }
    qsort(all, total, sizeof *all, newest_first);
    if (total > (size_t)limit)
        total = (size_t)limit;
    struct jw w;
    api_list_begin(&w, resp, "changes");
    for (size_t i = 0; i < total; i++) {
        const struct setting_change *c = &all[i];
        enum config_id id;
        const struct config_def *d = config_def_find(c->key, &id);
        bool secret = d && (d->flags & CONFIG_SECRET);
        jw_obj_begin(&w);
        jw_kstr(&w, "name", c->key);
        /* Secrets are never stored as settings, but never print one. */
        jw_kstr(&w, "old_value", secret || !c->had_old ? NULL : c->old_value);
        jw_kstr(&w, "value", secret ? "********" : c->value);
        jw_ki64(&w, "ts_ms", c->ts_ms);
        jw_kstr(&w, "actor", c->actor);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    free(all);
    api_finish(&w, resp);
}
