/* The watchlist and the blacklists (wallets and clusters): what the engine
 * copies and what it must never copy. Shapes in docs/api.md, "Operator
 * API".
 *
 * Each change is made twice: in the store (the wallet's status, a
 * cluster's blacklisted flag), so that the next start loads it, and in the
 * engine, as a command the handler waits for. The store is written first:
 * a change the engine has but the database lacks would vanish at the next
 * restart, the reverse is only late by one command.
 *
 * Wallet statuses: watch (copied), blacklisted (never copied), flagged
 * (neither: what an unwatched wallet becomes). Lifting a blacklist watches
 * the wallet again. */
#include "api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/snap_json.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "solana/pubkey.h"
#include "store/store.h"
#include "trade/runner.h"

static bool ready(struct api_ctx *ctx, struct httpd_resp *resp)
{
    if (!api_need_runner(ctx, resp))
        return false;
    if (!ctx->env->store) {
        httpd_resp_error(resp, 503, "no database");
        return false;
    }
    return true;
}

/* Sets the wallet's stored status, creating a minimal row (discovery
 * "manual") when the wallet is not known yet. *score receives its stored
 * score (0..100), or -1 for a new row without one. Returns 0 or the
 * store's error. */
static int store_status(struct api_ctx *ctx, const char *address, enum wallet_status status,
                        double new_score, double *score)
{
    struct wallet w;
    int rc = store_wallet_get(ctx->env->store, address, &w);
    int64_t now = api_now_ms();
    if (rc == 0) {
        *score = w.score;
        return store_wallet_set_status(ctx->env->store, address, status, now);
    }
    if (rc != WT_ENOTFOUND)
        return rc;
    memset(&w, 0, sizeof w);
    str_copy(w.address, sizeof w.address, address);
    str_copy(w.chain, sizeof w.chain, "solana");
    str_copy(w.discovery, sizeof w.discovery, "manual");
    str_copy(w.confidence, sizeof w.confidence, "low");
    w.score = new_score >= 0 ? new_score : 0;
    w.status = status;
    w.first_seen_ms = now;
    w.updated_ms = now;
    *score = new_score;
    return store_wallet_upsert(ctx->env->store, &w);
}

/* store_status for a route: false with 500 written when the store fails. */
static bool set_status(struct api_ctx *ctx, struct httpd_resp *resp, const char *address,
                       enum wallet_status status, double new_score, double *score)
{
    int rc = store_status(ctx, address, status, new_score, score);
    if (rc)
        httpd_resp_error(resp, 500, "storing the wallet failed: %s", wt_strerror(rc));
    return rc == 0;
}

static bool command(struct api_ctx *ctx, struct httpd_resp *resp, enum command_kind k,
                    const struct pubkey *wallet, double value, const char *text)
{
    struct command_event c;
    memset(&c, 0, sizeof c);
    c.kind = k;
    c.wallet = *wallet;
    c.value = value;
    if (text)
        str_copy(c.text, sizeof c.text, text);
    char msg[256];
    int rc = runner_command(ctx->env->runner, &c, COMMAND_WAIT_MS, msg, sizeof msg);
    return api_command_result(resp, rc, msg);
}

/* The non-empty string member key of a JSON object body, copied into out
 * (size bytes). Returns the doc (free it) with its root, or NULL with 400
 * written: msg when the member is missing, empty or too long. */
static struct json_doc *body_str(struct httpd_req *req, struct httpd_resp *resp, const char *key,
                                 char *out, size_t size, const char *msg, struct json_val *root)
{
    struct json_doc *d = api_body_object(req, resp, false, root);
    if (!d)
        return NULL;
    const char *s;
    size_t len;
    if (json_get_str(root, key, &s, &len) != 0 || !len || str_copy(out, size, s) != 0) {
        httpd_resp_error(resp, 400, "%s", msg);
        json_doc_free(d);
        return NULL;
    }
    return d;
}

/* The wallet of a body {"wallet": "...", "score": S?}, checked; *score is
 * -1 when absent. Returns false with 400 written. */
static bool body_wallet(struct httpd_req *req, struct httpd_resp *resp, char *address,
                        struct pubkey *pk, double *score)
{
    static const char bad[] = "wallet: expected a base58 Solana address";
    struct json_val root;
    struct json_doc *d = body_str(req, resp, "wallet", address, BASE58_KEY_MAX, bad, &root);
    if (!d)
        return false;
    bool ok = pubkey_parse(address, pk) == 0;
    if (!ok)
        httpd_resp_error(resp, 400, "%s", bad);
    *score = -1;
    if (ok && json_opt_double(&root, "score", score) != WT_ENOTFOUND &&
        !(*score >= 0 && *score <= 100)) {
        httpd_resp_error(resp, 400, "score: expected a number in [0, 100]");
        ok = false;
    }
    json_doc_free(d);
    return ok;
}

/* A wallet POSTed as {"wallet": ADDRESS, "score": S?} (score -1 when
 * absent) and its score as stored before (-1 for a new row). */
struct posted_wallet {
    char address[BASE58_KEY_MAX];
    struct pubkey pk;
    double score, stored;
};

/* Reads the POSTed wallet and sets its stored status. Returns false with
 * 400 (bad body) or 500 (store) written. */
static bool post_wallet(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp,
                        enum wallet_status status, struct posted_wallet *p)
{
    return body_wallet(req, resp, p->address, &p->pk, &p->score) &&
           set_status(ctx, resp, p->address, status, p->score, &p->stored);
}

/* The cluster label of a body {"label": "..."}, checked (not empty, fits
 * in size). Returns false with 400 written. */
static bool body_label(struct httpd_req *req, struct httpd_resp *resp, char *label, size_t size)
{
    struct json_val root;
    struct json_doc *d =
        body_str(req, resp, "label", label, size, "label: expected a cluster label", &root);
    bool ok = d != NULL;
    json_doc_free(d);
    return ok;
}

static void ok_wallet(struct httpd_resp *resp, const char *address, const char *status,
                      double score)
{
    struct jw w;
    api_json_begin(&w, resp);
    jw_kstr(&w, "wallet", address);
    jw_kstr(&w, "status", status);
    jw_kdouble(&w, "score", score);
    api_json_end(&w, resp);
}

enum entry_flag { FLAG_WATCHED, FLAG_BLACKLISTED, FLAG_CLUSTER_BLACKLISTED };

static bool has_flag(const struct engine_watch *x, enum entry_flag f)
{
    switch (f) {
    case FLAG_WATCHED:
        return x->watched;
    case FLAG_BLACKLISTED:
        return x->blacklisted;
    case FLAG_CLUSTER_BLACKLISTED:
        return x->cluster_blacklisted;
    }
    return false;
}

/* The snapshot's watchlist entries with flag f. */
static void write_entries(struct api_ctx *ctx, enum entry_flag f, struct jw *w)
{
    const struct runner_snap *s = runner_snapshot(ctx->env->runner);
    jw_arr_begin(w);
    for (size_t i = 0; i < s->n_watchlist; i++) {
        const struct engine_watch *x = &s->watchlist[i];
        if (has_flag(x, f))
            snap_json_watch_entry(w, x);
    }
    jw_arr_end(w);
    runner_snapshot_release(ctx->env->runner, s);
}

void routes_watchlist(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!ready(ctx, resp))
        return;
    if (strcmp(req->method, "GET") == 0) {
        struct jw w;
        api_json_begin(&w, resp);
        jw_key(&w, "wallets");
        write_entries(ctx, FLAG_WATCHED, &w);
        api_json_end(&w, resp);
        return;
    }
    struct posted_wallet p;
    if (!post_wallet(ctx, req, resp, WALLET_WATCH, &p))
        return;
    double prior = p.score >= 0 ? p.score : p.stored;
    if (!command(ctx, resp, CMD_WATCH, &p.pk, prior, NULL))
        return;
    ok_wallet(resp, p.address, "watch", prior);
}

void routes_watchlist_item(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!ready(ctx, resp))
        return;
    const char *address = req->path + strlen("/v1/watchlist/");
    struct pubkey pk;
    if (pubkey_parse(address, &pk) != 0) {
        httpd_resp_error(resp, 400, "expected /v1/watchlist/<base58 address>");
        return;
    }
    int rc = store_wallet_set_status(ctx->env->store, address, WALLET_FLAGGED, api_now_ms());
    if (rc && rc != WT_ENOTFOUND) {
        httpd_resp_error(resp, 500, "storing the wallet failed: %s", wt_strerror(rc));
        return;
    }
    if (!command(ctx, resp, CMD_UNWATCH, &pk, -1, NULL))
        return;
    ok_wallet(resp, address, "flagged", -1);
}

void routes_blacklist(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!ready(ctx, resp))
        return;
    struct jw w;
    api_json_begin(&w, resp);
    jw_key(&w, "wallets");
    write_entries(ctx, FLAG_BLACKLISTED, &w);
    jw_key(&w, "cluster_members");
    write_entries(ctx, FLAG_CLUSTER_BLACKLISTED, &w);
    jw_karr_begin(&w, "clusters");
    struct cluster_row *cl = xcalloc(1000, sizeof *cl);
    int64_t after = 0;
    for (;;) {
        struct row_query q = {.after_id = after, .limit = 1000};
        size_t n = 0;
        if (store_list_cluster(ctx->env->store, &q, cl, &n) != 0)
            break;
        for (size_t i = 0; i < n; i++) {
            if (!cl[i].blacklisted)
                continue;
            jw_obj_begin(&w);
            jw_kstr(&w, "label", cl[i].label);
            jw_ki64(&w, "size", cl[i].size);
            jw_kstr(&w, "leader", cl[i].leader);
            jw_obj_end(&w);
        }
        if (n < 1000)
            break;
        after = cl[n - 1].id;
    }
    free(cl);
    jw_arr_end(&w);
    api_json_end(&w, resp);
}

/* Blacklists or lifts a cluster: its flag in the store, then a command per
 * member. */
static void cluster(struct api_ctx *ctx, struct httpd_resp *resp, const char *label, bool on)
{
    struct cluster_row cl;
    size_t n = 0;
    struct row_query q = {.key = label, .limit = 1};
    int rc = store_list_cluster(ctx->env->store, &q, &cl, &n);
    if (rc || n == 0) {
        httpd_resp_error(resp, rc ? 500 : 404, "no cluster labelled '%s'", label);
        return;
    }
    cl.blacklisted = on;
    cl.updated_ms = api_now_ms();
    if ((rc = store_update_cluster(ctx->env->store, &cl)) != 0) {
        httpd_resp_error(resp, 500, "storing the cluster failed: %s", wt_strerror(rc));
        return;
    }
    struct cluster_member_row *m = xcalloc(1000, sizeof *m);
    int64_t after = 0;
    size_t members = 0;
    bool ok = true;
    for (;;) {
        struct row_query mq = {.key_id = cl.id, .after_id = after, .limit = 1000};
        size_t nm = 0;
        if (store_list_cluster_member(ctx->env->store, &mq, m, &nm) != 0)
            break;
        for (size_t i = 0; i < nm && ok; i++) {
            struct pubkey pk;
            if (pubkey_parse(m[i].wallet, &pk) != 0)
                continue;
            ok = command(ctx, resp, on ? CMD_CLUSTER_BLACKLIST : CMD_CLUSTER_UNBLACKLIST, &pk, -1,
                         label);
            members += ok;
        }
        if (!ok || nm < 1000)
            break;
        after = m[nm - 1].id;
    }
    free(m);
    if (!ok)
        return;
    struct jw w;
    api_json_begin(&w, resp);
    jw_kstr(&w, "label", label);
    jw_kbool(&w, "blacklisted", on);
    jw_ku64(&w, "members", members);
    api_json_end(&w, resp);
}

/* POST /v1/blacklist/wallets {"wallet"}, DELETE /v1/blacklist/wallets/<w>,
 * POST /v1/blacklist/clusters {"label"}, DELETE /v1/blacklist/clusters/<label>. */
void routes_blacklist_item(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    if (!ready(ctx, resp))
        return;
    const char *rest = req->path + strlen("/v1/blacklist/");
    bool post = strcmp(req->method, "POST") == 0;
    if (post && strcmp(rest, "wallets") == 0) {
        struct posted_wallet p;
        if (!post_wallet(ctx, req, resp, WALLET_BLACKLISTED, &p))
            return;
        if (command(ctx, resp, CMD_BLACKLIST, &p.pk, -1, NULL))
            ok_wallet(resp, p.address, "blacklisted", p.stored);
        return;
    }
    if (!post && str_starts_with(rest, "wallets/")) {
        const char *address = rest + strlen("wallets/");
        struct pubkey pk;
        if (pubkey_parse(address, &pk) != 0) {
            httpd_resp_error(resp, 400, "expected /v1/blacklist/wallets/<base58 address>");
            return;
        }
        double stored = -1;
        if (!set_status(ctx, resp, address, WALLET_WATCH, -1, &stored))
            return;
        if (command(ctx, resp, CMD_UNBLACKLIST, &pk, -1, NULL) &&
            command(ctx, resp, CMD_WATCH, &pk, stored, NULL))
            ok_wallet(resp, address, "watch", stored);
        return;
    }
    if (post && strcmp(rest, "clusters") == 0) {
        char label[64];
        if (body_label(req, resp, label, sizeof label))
            cluster(ctx, resp, label, true);
        return;
    }
    if (!post && str_starts_with(rest, "clusters/") && rest[strlen("clusters/")]) {
        cluster(ctx, resp, rest + strlen("clusters/"), false);
        return;
    }
    httpd_resp_error(resp, 404,
                     "expected /v1/blacklist/wallets[/<w>] or /v1/blacklist/clusters[/<label>]");
}
