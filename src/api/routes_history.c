/* POST /v1/alerts/{id}/ack and GET /v1/config/history: the operator's
 * acknowledgement of an alert, and the change history of the settings
 * (every PUT /v1/config, wizard save and feedback adjustment is recorded
 * by the store with its old value, time and actor). */
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
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_ki64(&w, "id", id);
    jw_ki64(&w, "acked_ms", api_now_ms());
    jw_obj_end(&w);
    resp->status = jw_finish(&w) == 0 ? 200 : 500;
}

static int newest_first(const void *a, const void *b)
{
    const struct setting_change *x = a, *y = b;
    if (x->ts_ms != y->ts_ms)
        return x->ts_ms < y->ts_ms ? 1 : -1;
    return x->id < y->id ? 1 : (x->id > y->id ? -1 : 0);
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
    if (name && !config_def_find(name, NULL)) {
        httpd_resp_error(resp, 400, "name: unknown setting '%s'", name);
        return;
    }
    /* Every live-editable setting (those are the ones that change while
     * running), or just the one asked for. */
    struct setting_change *all = xcalloc((size_t)limit * (name ? 1 : CFG_COUNT), sizeof *all);
    size_t total = 0;
    int rc = 0;
    for (int i = 0; i < CFG_COUNT && rc == 0; i++) {
        const struct config_def *d = config_def_of((enum config_id)i);
        if (name ? strcmp(d->name, name) != 0 : !(d->flags & CONFIG_LIVE))
            continue;
        size_t n = 0;
        rc = store_setting_history(ctx->env->store, d->name, all + total, (size_t)limit, &n);
        total += n;
    }
    if (rc) {
        free(all);
        httpd_resp_error(resp, 503, "the database refused: %s", wt_strerror(rc));
        return;
    }
    qsort(all, total, sizeof *all, newest_first);
    if (total > (size_t)limit)
        total = (size_t)limit;
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_key(&w, "changes");
    jw_arr_begin(&w);
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
    resp->status = jw_finish(&w) == 0 ? 200 : 500;
}
