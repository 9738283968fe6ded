/* GET /v1/config: every setting with its effective value (secrets masked),
 * where the value came from, its type, default, bounds, whether it can be
 * changed while running, and its help text. The dashboard's settings form
 * is built from this.
 *
 * PUT /v1/config: changes live-editable settings. Every setting of the
 * request is checked against the config table (exists, live, type and
 * bounds) and the engine's settings together against the engine's own
 * rules (high_score >= threshold, ...) before anything changes; a bad one
 * gets 400 naming it and nothing is applied. Then the engine applies them
 * (as commands, so a recorded stream replays them), each is stored with
 * its history (store settings, actor "api"), and the server's copy of the
 * configuration is updated; at the next start the stored values win over
 * the file's and the environment's (source "database"), not over the
 * command line's (cli_apply_stored_settings). Enumerated settings take
 * only their words (CONFIG_CHOICES), checked by the same config_set. */
#include "api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/store.h"
#include "trade/runner.h"

void routes_config_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    pthread_mutex_lock(&ctx->cfg_mu);
    const struct config *c = &ctx->cfg;
    struct jw w;
    api_list_begin(&w, resp, "settings");
    for (int i = 0; i < CFG_COUNT; i++) {
        enum config_id id = (enum config_id)i;
        const struct config_def *d = config_def_of(id);
        jw_obj_begin(&w);
        jw_kstr(&w, "name", d->name);
        jw_kstr(&w, "type", config_type_name(d->type));
        bool secret = d->flags & CONFIG_SECRET;
        jw_kbool(&w, "secret", secret);
        if (secret) {
            jw_kbool(&w, "set", config_str(c, id)[0] != '\0');
        } else {
            jw_key(&w, "value");
            switch (d->type) {
            case CONFIG_BOOL:
                jw_bool(&w, config_bool(c, id));
                break;
            case CONFIG_INT:
                jw_i64(&w, config_int(c, id));
                break;
            case CONFIG_DOUBLE:
                jw_double(&w, config_double(c, id));
                break;
            case CONFIG_STRING:
                jw_str(&w, config_str(c, id));
                break;
            }
            jw_kstr(&w, "default", d->def);
        }
        if (d->type == CONFIG_INT || d->type == CONFIG_DOUBLE) {
            jw_kdouble(&w, "min", d->min);
            jw_kdouble(&w, "max", d->max);
        }
        jw_kstr(&w, "source", config_source_name(config_source_of(c, id)));
        jw_kbool(&w, "live", d->flags & CONFIG_LIVE);
        jw_kstr(&w, "help", d->help);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    pthread_mutex_unlock(&ctx->cfg_mu);
    api_finish(&w, resp);
}

/* ---- PUT /v1/config ---------------------------------------------------------- */

struct change {
    enum config_id id;
    const struct config_def *def;
    char value[SETTING_VALUE_MAX];
    char old[SETTING_VALUE_MAX];
};

#define MAX_CHANGES 64

/* The text form of a JSON value for config_set. */
static int value_text(const struct json_val *v, char *out, size_t n)
{
    const char *s;
    size_t len;
    int64_t i;
    double d;
    bool b;
    switch (json_type_of(v)) {
    case JSON_STRING:
        json_str(v, &s, &len);
        return str_copy(out, n, s);
    case JSON_BOOL:
        json_bool(v, &b);
        return str_copy(out, n, b ? "true" : "false");
    case JSON_INT:
        json_i64(v, &i);
        snprintf(out, n, "%lld", (long long)i);
        return 0;
    case JSON_DOUBLE:
    case JSON_UINT: {
        char num[32];
        json_double(v, &d);
        jw_format_double(d, num);
        return str_copy(out, n, num);
    }
    default:
        return WT_ETYPE;
    }
}

void routes_config_put(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    struct json_val root, set, m;
    struct json_doc *d = api_body_object(req, resp, false, &root);
    if (!d)
        return;
    if (json_find(&root, "settings", &set) != 0)
        set = root;
    struct change *ch = xcalloc(MAX_CHANGES, sizeof *ch);
    size_t n = 0;
    struct config scratch;
    struct json_iter it;
    pthread_mutex_lock(&ctx->cfg_mu);
    config_copy(&scratch, &ctx->cfg);
    if (json_type_of(&set) != JSON_OBJECT || json_iter_init(&set, &it) != 0 ||
        json_size(&set) == 0) {
        httpd_resp_error(resp, 400, "expected {\"<setting>\": <value>, ...}");
        goto out;
    }
    /* 1. Every setting exists, is live-editable and its value is valid. */
    while (json_iter_next(&it, &m)) {
        char name[SETTING_KEY_MAX];
        if (m.keylen >= sizeof name || n == MAX_CHANGES) {
            httpd_resp_error(resp, 400, "too many settings or a name too long");
            goto out;
        }
        memcpy(name, m.key, m.keylen);
        name[m.keylen] = '\0';
        struct change *c = &ch[n];
        c->def = config_def_find(name, &c->id);
        if (!c->def) {
            httpd_resp_error(resp, 400, "%s: no such setting", name);
            goto out;
        }
        if (!(c->def->flags & CONFIG_LIVE)) {
            httpd_resp_error(resp, 400,
                             "%s cannot be changed while running: set it in the configuration "
                             "file or with --set %s=... and restart",
                             name, name);
            goto out;
        }
        if (value_text(&m, c->value, sizeof c->value) != 0) {
            httpd_resp_error(resp, 400, "%s: expected a %s value", name,
                             config_type_name(c->def->type));
            goto out;
        }
        str_copy(c->old, sizeof c->old, config_str(&scratch, c->id));
        if (config_set(&scratch, name, c->value, CONFIG_SRC_DB) != 0) {
            httpd_resp_error(resp, 400, "%s", config_errmsg(&scratch));
            goto out;
        }
        str_copy(c->value, sizeof c->value, config_str(&scratch, c->id)); /* canonical */
        n++;
    }
    /* 2. The engine's settings together (cross-field rules). */
    bool engine = false;
    for (size_t i = 0; i < n; i++)
        engine |= engine_param_known(ch[i].def->name);
    if (engine) {
        if (!api_need_runner(ctx, resp))
            goto out;
        struct engine_params p;
        runner_params(ctx->env->runner, &p);
        char why[256];
        for (size_t i = 0; i < n; i++)
            if (engine_param_known(ch[i].def->name) &&
                engine_params_set(&p, ch[i].def->name, ch[i].value, false, why, sizeof why) != 0) {
                httpd_resp_error(resp, 400, "%s", why);
                goto out;
            }
        if (engine_params_validate(&p, why, sizeof why) != 0) {
            /* A rule between settings: name the ones of this request. */
            struct buf names;
            buf_init(&names, 1024);
            for (size_t i = 0; i < n; i++)
                if (engine_param_known(ch[i].def->name))
                    buf_printf(&names, "%s%s = %s", names.len ? ", " : "", ch[i].def->name,
                               ch[i].value);
            httpd_resp_error(resp, 400, "%s: %s", names.data ? names.data : "", why);
            buf_release(&names);
            goto out;
        }
    }
    size_t last_engine = n;
    for (size_t i = 0; i < n; i++)
        if (engine_param_known(ch[i].def->name))
            last_engine = i;
    /* 3. Apply: the engine, the log level, the history, the live copy. */
    for (size_t i = 0; i < n; i++) {
        const char *name = ch[i].def->name;
        if (engine_param_known(name)) {
            struct command_event c;
            memset(&c, 0, sizeof c);
            c.kind = CMD_SET;
            c.value = i == last_engine ? 0 : 1; /* validated together with the last */
            str_copy(c.name, sizeof c.name, name);
            str_copy(c.text, sizeof c.text, ch[i].value);
            char msg[256];
            int rc = runner_command(ctx->env->runner, &c, COMMAND_WAIT_MS, msg, sizeof msg);
            if (!api_command_result(resp, rc, msg))
                goto out;
        } else if (ch[i].id == CFG_LOG_LEVEL) {
            enum log_level lv;
            if (log_level_parse(ch[i].value, &lv) == 0)
                log_set_level(lv);
        }
        if (ctx->env->store &&
            store_setting_set(ctx->env->store, name, ch[i].value, api_now_ms(), "api") != 0)
            log_error("api", "setting %s = %s applied but not stored", name, ch[i].value);
        log_info("api", "setting %s: %s -> %s", name, ch[i].old, ch[i].value);
    }
    config_release(&ctx->cfg);
    ctx->cfg = scratch;
    memset(&scratch, 0, sizeof scratch);
    struct jw w;
    api_list_begin(&w, resp, "applied");
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(&w);
        jw_kstr(&w, "name", ch[i].def->name);
        jw_kstr(&w, "old", ch[i].old);
        jw_kstr(&w, "value", ch[i].value);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    api_json_end(&w, resp);
out:
    config_release(&scratch);
    pthread_mutex_unlock(&ctx->cfg_mu);
    free(ch);
    json_doc_free(d);
}
