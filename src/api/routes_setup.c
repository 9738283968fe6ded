/* GET /v1/wallet and POST /v1/discovery/run: what the dashboard's setup
 * wizard needs beyond the operator API.
 *
 * GET /v1/wallet reports the trading wallet's public key (never anything
 * secret: the key is loaded, its public half read, and the key wiped) and,
 * when rpc.urls is set, its SOL balance with one short RPC call.
 * POST /v1/discovery/run runs discovery now (profiles every stored wallet,
 * refreshes the watchlist) and brings the engine's watchlist in step. */
#include "api/routes.h"

#include <pthread.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/log.h"
#include "ingest/hooksync.h"
#include "intel/crawl.h"
#include "intel/discovery.h"
#include "solana/keypair.h"
#include "solana/rpc.h"
#include "trade/exec_live.h"
#include "trade/watchsync.h"

void routes_wallet_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    pthread_mutex_lock(&ctx->cfg_mu);
    struct config cfg;
    config_copy(&cfg, &ctx->cfg);
    pthread_mutex_unlock(&ctx->cfg_mu);

    struct keypair *kp = NULL;
    char err[256] = "";
    bool configured = exec_live_load_keypair(&cfg, &kp, err, sizeof err) == 0;
    char pub[BASE58_KEY_MAX] = "";
    bool have_balance = false;
    double balance = 0;
    char detail[640];
    if (configured) {
        struct pubkey pk;
        keypair_pubkey(kp, &pk);
        keypair_free(kp);
        pubkey_format(&pk, pub);
        struct exec_live_urls u;
        if (exec_live_urls_parse(config_str(&cfg, CFG_RPC_URLS), &u) == 0 && u.n > 0) {
            struct httpc_opts ho;
            httpc_opts_default(&ho);
            ho.timeout_ms = 3000;
            ho.retries = 0;
            struct rpc *r = rpc_new(u.v, u.n, &ho);
            uint64_t lamports = 0, slot = 0;
            if (rpc_get_balance(r, &pk, RPC_CONFIRMED, &lamports, &slot) == 0) {
                have_balance = true;
                balance = (double)lamports / 1e9;
                snprintf(detail, sizeof detail, "balance at slot %llu", (unsigned long long)slot);
            } else {
                snprintf(detail, sizeof detail, "the RPC did not answer: %s",
                         rpc_last_error(r)->message);
            }
            rpc_free(r);
        } else {
            snprintf(detail, sizeof detail, "no rpc.urls: the balance cannot be read");
        }
        exec_live_urls_release(&u);
    } else {
        snprintf(detail, sizeof detail, "no trading keypair: %s", err);
    }
    log_redact(detail, sizeof detail);
    config_release(&cfg);

    struct jw w;
    api_json_begin(&w, resp);
    jw_kbool(&w, "configured", configured);
    jw_kstr(&w, "pubkey", configured ? pub : NULL);
    jw_key(&w, "balance_sol");
    if (have_balance)
        jw_double(&w, balance);
    else
        jw_null(&w);
    jw_kstr(&w, "mode", ctx->env->mode);
    jw_kstr(&w, "detail", detail);
    api_json_end(&w, resp);
}

void routes_discovery_run(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!ctx->env->store) {
        httpd_resp_error(resp, 503, "no database");
        return;
    }
    /* One run at a time: a second request waits for the first. */
    pthread_mutex_lock(&ctx->discovery_mu);
    pthread_mutex_lock(&ctx->cfg_mu);
    struct discovery_params dp;
    discovery_params_from_config(&ctx->cfg, &dp);
    pthread_mutex_unlock(&ctx->cfg_mu);
    struct profile_params pp;
    profile_params_from_config(&ctx->cfg, &pp);
    struct discovery_report rep;
    int64_t t0 = clock_mono_ns();
    int rc = discovery_run(ctx->env->store, &dp, &pp, 0, &rep, NULL, NULL);
    if (rc == 0 && ctx->env->runner)
        rc = watchsync_run(ctx->env->runner, ctx->env->store, NULL);
    if (rc == 0)
        hooksync_notify(ctx->env->hooksync);
    pthread_mutex_unlock(&ctx->discovery_mu);
    if (rc) {
        httpd_resp_error(resp, 503, "discovery failed: %s", wt_strerror(rc));
        return;
    }
    struct jw w;
    api_json_begin(&w, resp);
    jw_ku64(&w, "watchlist", rep.apply.watchlist);
    jw_ku64(&w, "candidates", rep.candidates);
    jw_ku64(&w, "added", rep.apply.added);
    jw_ki64(&w, "ms", (clock_mono_ns() - t0) / NS_PER_MS);
    api_json_end(&w, resp);
}

/* GET /v1/discovery: the chain crawl's state (intel/crawl.h) as the store
 * holds it, so a crawl run by `walltrack discover --chain` in another
 * process shows its progress here too. */
struct crawl_counts {
    uint64_t n[2][3]; /* token, wallet x pending, done, skipped */
};

static int count_crawl(void *ctx, const struct crawl_item *it)
{
    struct crawl_counts *c = ctx;
    int k = strcmp(it->kind, "token") == 0 ? 0 : 1;
    int s = strcmp(it->state, "pending") == 0 ? 0 : strcmp(it->state, "done") == 0 ? 1 : 2;
    c->n[k][s]++;
    return 0;
}

void routes_discovery_get(struct api_ctx *ctx, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)req;
    if (!ctx->env->store) {
        httpd_resp_error(resp, 503, "no database");
        return;
    }
    struct crawl_counts c;
    memset(&c, 0, sizeof c);
    int64_t requests = 0;
    int rc = store_crawl_scan(ctx->env->store, "token", NULL, count_crawl, &c);
    if (rc == 0)
        rc = store_crawl_scan(ctx->env->store, "wallet", NULL, count_crawl, &c);
    if (rc == 0)
        rc = store_crawl_counter(ctx->env->store, "requests", &requests);
    struct crawl_live live;
    if (rc == 0)
        rc = crawl_live_read(ctx->env->store, &live);
    if (rc) {
        httpd_resp_error(resp, 503, "reading the crawl state: %s", wt_strerror(rc));
        return;
    }
    struct jw w;
    api_json_begin(&w, resp);
    jw_kobj_begin(&w, "crawl");
    static const char *const kinds[2] = {"tokens", "wallets"};
    for (int k = 0; k < 2; k++) {
        jw_kobj_begin(&w, kinds[k]);
        jw_ku64(&w, "pending", c.n[k][0]);
        jw_ku64(&w, "done", c.n[k][1]);
        jw_ku64(&w, "skipped", c.n[k][2]);
        jw_obj_end(&w);
    }
    jw_ki64(&w, "requests", requests);
    /* the newest run's progress, whichever process runs it */
    jw_kobj_begin(&w, "run");
    jw_kstr(&w, "state", live.state);
    jw_kstr(&w, "phase", live.phase);
    jw_ki64(&w, "requests", live.requests);
    jw_ki64(&w, "budget", live.budget);
    jw_key(&w, "eta_s");
    if (live.eta_ms < 0 || strcmp(live.state, "running") != 0)
        jw_null(&w);
    else
        jw_double(&w, (double)live.eta_ms / 1000.0);
    jw_ki64(&w, "tokens", live.tokens);
    jw_ki64(&w, "tokens_done", live.tokens_done);
    jw_ki64(&w, "wallets", live.wallets);
    jw_ki64(&w, "wallets_done", live.wallets_done);
    jw_ki64(&w, "started_ms", live.started_ms);
    jw_ki64(&w, "updated_ms", live.updated_ms);
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_finish(&w);
    resp->status = 200;
}
