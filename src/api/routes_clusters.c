/* The wallet graph's clusters over HTTP (docs/api.md, "Clusters"):
 * GET /v1/clusters (filters, sorting and paging like the wallet list),
 * GET /v1/clusters/{id} (members, the edges among them, leader, metrics),
 * and the cluster and edges of a wallet for its detail. Blacklisting a
 * cluster is POST /v1/blacklist/clusters (routes_watch.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "solana/pubkey.h"
#include "store/store.h"

#define PREFIX       "/v1/clusters/"
#define LIMIT_MAX    100
#define LIMIT_DEF    20
#define PAGE_MAX     1000000
#define EDGES_MAX    1000
#define WALLET_EDGES 50
#define MEMBERS_MAX  1000

static void bad_param(struct httpd_resp *resp, const char *param, const char *msg, const char *got)
{
    char text[256];
    snprintf(text, sizeof text, "%s, got '%.40s'", msg, got);
    api_param_error(resp, param, text);
}

static void store_failed(struct httpd_resp *resp, int rc)
{
    api_store_unavailable(resp, "clusters", rc);
}

static void cluster_fields(struct jw *w, const struct cluster_row *c)
{
    jw_ki64(w, "id", c->id);
    jw_kstr(w, "label", c->label);
    jw_kstr(w, "leader", c->leader);
    jw_kstr(w, "leaderRule", c->leader_rule);
    jw_ki64(w, "size", c->size);
    jw_kdouble(w, "cohesion", c->cohesion);
    jw_kdouble(w, "insiderLikelihood", c->insider);
    jw_kdouble(w, "pnlSol", c->pnl_sol);
    jw_ki64(w, "tokensTogether", c->tokens);
    jw_kbool(w, "blacklisted", c->blacklisted);
    jw_ki64(w, "createdMs", c->created_ms);
    jw_ki64(w, "updatedMs", c->updated_ms);
}

static void edge_fields(struct jw *w, const struct graph_edge_row *e)
{
    jw_obj_begin(w);
    jw_kstr(w, "src", e->src);
    jw_kstr(w, "dst", e->dst);
    jw_kstr(w, "kind", e->kind);
    jw_kdouble(w, "weight", e->weight);
    jw_ki64(w, "count", e->count);
    jw_ki64(w, "firstMs", e->first_ms);
    jw_ki64(w, "lastMs", e->last_ms);
    jw_obj_end(w);
}

static bool int_param(struct httpd_req *req, struct httpd_resp *resp, const char *name, int64_t lo,
                      int64_t hi, int64_t def, int64_t *out)
{
    return api_int_arg(resp, name, httpd_query(req, name), lo, hi, def, out);
}

static void list(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    struct cluster_filter f = {.sort = CLUSTER_SORT_SIZE};
    int64_t min_size, page, limit;
    if (!int_param(req, resp, "minSize", 0, 1000000, 0, &min_size) ||
        !int_param(req, resp, "page", 1, PAGE_MAX, 1, &page) ||
        !int_param(req, resp, "limit", 1, LIMIT_MAX, LIMIT_DEF, &limit))
        return;
    f.min_size = (int32_t)min_size;
    f.page = (uint32_t)page;
    f.limit = (uint32_t)limit;
    const char *v;
    if ((v = httpd_query(req, "minInsider")) != NULL) {
        char *end = NULL;
        double x = strtod(v, &end);
        if (!*v || *end || !(x >= 0 && x <= 1)) {
            bad_param(resp, "minInsider", "minInsider must be a number from 0 to 1", v);
            return;
        }
        f.min_insider = x;
    }
    if ((v = httpd_query(req, "blacklisted")) != NULL) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
            bad_param(resp, "blacklisted", "blacklisted must be true or false", v);
            return;
        }
        f.has_blacklisted = true;
        f.blacklisted = strcmp(v, "true") == 0;
    }
    struct pubkey k;
    if ((v = httpd_query(req, "member")) != NULL) {
        if (pubkey_parse(v, &k) != 0) {
            bad_param(resp, "member", "member must be a wallet address", v);
            return;
        }
        f.member = v;
    }
    if ((v = httpd_query(req, "sortBy")) != NULL) {
        static const char *const sorts[] = {"size", "insider", "pnl", "tokens", "updated"};
        size_t i;
        for (i = 0; i < sizeof sorts / sizeof *sorts; i++)
            if (strcmp(v, sorts[i]) == 0)
                break;
        if (i == sizeof sorts / sizeof *sorts) {
            bad_param(resp, "sortBy", "sortBy must be size, insider, pnl, tokens or updated", v);
            return;
        }
        f.sort = (enum cluster_sort)i;
    }
    if ((v = httpd_query(req, "sortOrder")) != NULL) {
        if (strcmp(v, "asc") != 0 && strcmp(v, "desc") != 0) {
            bad_param(resp, "sortOrder", "sortOrder must be asc or desc", v);
            return;
        }
        f.ascending = strcmp(v, "asc") == 0;
    }
    struct cluster_row *rows = xcalloc(f.limit, sizeof *rows);
    size_t n = 0;
    int64_t total = 0;
    int rc = store_clusters_query(ctx->env->store, &f, rows, &n, &total);
    if (rc != 0) {
        free(rows);
        store_failed(resp, rc);
        return;
    }
    struct jw w;
    api_list_begin(&w, resp, "data");
    for (size_t i = 0; i < n; i++) {
        jw_obj_begin(&w);
        cluster_fields(&w, &rows[i]);
        jw_obj_end(&w);
    }
    api_list_end_page(&w, f.page, f.limit, total);
    free(rows);
    api_finish(&w, resp);
}

struct members {
    int64_t id;
    VEC(char *) v;
};

static int on_member(void *ctx, int64_t cluster_id, const char *wallet)
{
    struct members *m = ctx;
    if (cluster_id == m->id && m->v.len < MEMBERS_MAX)
        vec_push(&m->v, xstrdup(wallet));
    return 0;
}

static bool is_member(const struct members *m, const char *w)
{
    for (size_t i = 0; i < m->v.len; i++)
        if (strcmp(m->v.v[i], w) == 0)
            return true;
    return false;
}

static void get_one(struct api_ctx *ctx, const char *idtext, struct httpd_resp *resp)
{
    int64_t id;
    if (str_to_i64(idtext, &id) != 0 || id <= 0) {
        httpd_resp_error(resp, 400, "a cluster id is a positive integer, got '%.40s'", idtext);
        return;
    }
    struct cluster_row c;
    int rc = store_cluster_get(ctx->env->store, id, &c);
    if (rc == WT_ENOTFOUND) {
        httpd_resp_error(resp, 404, "no cluster %lld", (long long)id);
        return;
    }
    struct members m = {.id = id};
    if (rc == 0)
        rc = store_cluster_members_scan(ctx->env->store, false, on_member, &m);
    struct graph_edge_row *e = xcalloc(WALLET_EDGES, sizeof *e);
    VEC(struct graph_edge_row) inside = {0};
    /* The edges among the members: each member's edges, kept when both
     * ends are members, each once (from its src). */
    for (size_t i = 0; rc == 0 && i < m.v.len && inside.len < EDGES_MAX; i++) {
        size_t n = 0;
        rc = store_edges_of(ctx->env->store, m.v.v[i], e, WALLET_EDGES, &n);
        for (size_t k = 0; rc == 0 && k < n; k++)
            if (strcmp(e[k].src, m.v.v[i]) == 0 && is_member(&m, e[k].dst))
                vec_push(&inside, e[k]);
    }
    free(e);
    if (rc != 0) {
        store_failed(resp, rc);
    } else {
        struct jw w;
        api_json_begin(&w, resp);
        cluster_fields(&w, &c);
        jw_karr_begin(&w, "members");
        for (size_t i = 0; i < m.v.len; i++) {
            jw_obj_begin(&w);
            jw_kstr(&w, "wallet", m.v.v[i]);
            jw_kstr(&w, "role", strcmp(m.v.v[i], c.leader) == 0 ? "leader" : "follower");
            jw_obj_end(&w);
        }
        jw_arr_end(&w);
        jw_karr_begin(&w, "edges");
        for (size_t i = 0; i < inside.len; i++)
            edge_fields(&w, &inside.v[i]);
        jw_arr_end(&w);
        api_json_end(&w, resp);
    }
    vec_free(&inside);
    for (size_t i = 0; i < m.v.len; i++)
        free(m.v.v[i]);
    vec_free(&m.v);
}

void routes_clusters(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    const char *path = req->path;
    if (strcmp(path, "/v1/clusters") == 0) {
        list(ctx, req, resp);
        return;
    }
    const char *rest = path + strlen(PREFIX);
    if (!*rest || strchr(rest, '/')) {
        httpd_resp_error(resp, 404, "no such resource");
        return;
    }
    get_one(ctx, rest, resp);
}

int routes_clusters_of_wallet(struct jw *w, struct store *st, const char *address)
{
    struct cluster_filter f = {.member = address, .page = 1, .limit = 10};
    struct cluster_row c[10];
    size_t n = 0;
    int64_t total = 0;
    int rc = store_clusters_query(st, &f, c, &n, &total);
    struct graph_edge_row *e = xcalloc(WALLET_EDGES, sizeof *e);
    size_t ne = 0;
    if (rc == 0)
        rc = store_edges_of(st, address, e, WALLET_EDGES, &ne);
    if (rc == 0) {
        jw_key(w, "cluster");
        if (n > 0) {
            jw_obj_begin(w);
            cluster_fields(w, &c[0]);
            jw_kstr(w, "role", strcmp(c[0].leader, address) == 0 ? "leader" : "follower");
            jw_obj_end(w);
        } else {
            jw_null(w);
        }
        jw_karr_begin(w, "edges");
        for (size_t i = 0; i < ne; i++)
            edge_fields(w, &e[i]);
        jw_arr_end(w);
    }
    free(e);
    return rc;
}
