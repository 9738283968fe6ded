/* GET /v1/config: every setting with its effective value (secrets masked),
 * where the value came from, its type, default, bounds, whether it can be
 * changed while running, and its help text. The dashboard's settings form
 * is built from this. */
#include "api/routes.h"

#include "base/config.h"
#include "base/jw.h"

void routes_config_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    const struct config *c = ctx->env->cfg;
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_key(&w, "settings");
    jw_arr_begin(&w);
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
    resp->status = jw_finish(&w) == 0 ? 200 : 500;
}
