/* `walltrack helius webhook create|list|delete|sync`: manage the Helius
 * webhook that delivers the watched wallets' swaps and transfers to
 * POST /webhooks/helius. Needs helius.api_key; `create` and `sync` also
 * need helius.webhook_url and send helius.webhook_secret as the
 * Authorization header Helius will send back. `sync` brings the webhook's
 * addresses in line with the store's watched wallets, once, with the same
 * code `serve` runs after every watchlist change (ingest/hooksync.h). */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ingest/helius_api.h"
#include "ingest/hooksync.h"
#include "store/store.h"

static const struct cli_opt opts[] = {
    {"--url", "URL", "helius.webhook_url", "public URL of this daemon's /webhooks/helius"},
    {0},
};

static const struct cli_spec spec = {
    .name = "helius",
    .args = "webhook create ADDRESS... | webhook list | webhook delete ID | webhook sync",
    .summary = "Manage the Helius webhook that feeds walltrack.",
    .details = "create: registers an enhanced webhook for SWAP and TRANSFER transactions of the "
               "given addresses, delivering to helius.webhook_url with helius.webhook_secret as "
               "its Authorization header. list: prints this API key's webhooks as JSON. delete: "
               "removes one by id. sync: makes the webhook's addresses (the one delivering to "
               "helius.webhook_url; created if missing) equal to the watched wallets in the "
               "database, in one update, and reads it back to verify; prints registered vs "
               "watched and exits 1 when they differ. Needs WALLTRACK_HELIUS_API_KEY.",
    .min_pos = 2,
    .max_pos = -1,
    .opts = opts,
};

static int webhook_sync(const struct config *cfg)
{
    const char *url = config_str(cfg, CFG_HELIUS_WEBHOOK_URL);
    if (!url[0])
        return cli_usage_error("helius", "set helius.webhook_url (or --url) to this daemon's "
                                         "public https://.../webhooks/helius");
    struct store *st = NULL;
    if (cli_open_store(cfg, &st) != 0)
        return 1;
    struct hooksync_opts ho = {
        .api_url = config_str(cfg, CFG_HELIUS_API_URL),
        .api_key = config_str(cfg, CFG_HELIUS_API_KEY),
        .webhook_url = url,
        .auth_header = config_str(cfg, CFG_WEBHOOK_SECRET),
    };
    struct hooksync *hs = hooksync_new(st, &ho);
    int err = hooksync_run(hs);
    struct hooksync_status s;
    hooksync_status(hs, &s);
    if (err)
        fprintf(stderr, "walltrack helius: webhook sync failed: %s\n", s.error);
    printf("webhook %s: %zu registered, %zu watched, %s (%llu request(s), %llu update(s))\n",
           s.webhook_id[0] ? s.webhook_id : "(none)", s.registered, s.watched,
           err ? "NOT in line" : "in line", (unsigned long long)s.requests,
           (unsigned long long)s.updates);
    hooksync_free(hs);
    store_close(st);
    return err ? 1 : 0;
}

static int run_helius(struct cli_args *a)
{
    int rc = 0;
    struct helius_api *h = NULL;
    struct buf body;
    buf_init(&body, 0);
    const char *verb = a->npos >= 2 ? a->pos[1] : "";
    rc = 2;
    if (strcmp(a->pos[0], "webhook") != 0) {
        rc = cli_usage_error("helius", "unknown subcommand '%s' (expected webhook)", a->pos[0]);
        goto out;
    }
    if (strcmp(verb, "create") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "delete") != 0 &&
        strcmp(verb, "sync") != 0) {
        rc = cli_usage_error("helius", "unknown action '%s' (create, list, delete or sync)", verb);
        goto out;
    }
    if ((strcmp(verb, "create") == 0 && a->npos < 3) ||
        (strcmp(verb, "delete") == 0 && a->npos != 3) ||
        ((strcmp(verb, "list") == 0 || strcmp(verb, "sync") == 0) && a->npos != 2)) {
        rc = cli_usage_error("helius", "wrong arguments for 'webhook %s'", verb);
        goto out;
    }
    const char *key = config_str(&a->cfg, CFG_HELIUS_API_KEY);
    if (!key[0]) {
        fprintf(stderr, "walltrack helius: no Helius API key: set WALLTRACK_HELIUS_API_KEY\n");
        rc = 1;
        goto out;
    }
    if (cli_setup_logging(&a->cfg) != 0) {
        rc = 1;
        goto out;
    }
    if (strcmp(verb, "sync") == 0) {
        rc = webhook_sync(&a->cfg);
        goto out;
    }
    h = helius_api_new(config_str(&a->cfg, CFG_HELIUS_API_URL), key, NULL);
    int err = 0;
    if (strcmp(verb, "create") == 0) {
        const char *url = config_str(&a->cfg, CFG_HELIUS_WEBHOOK_URL);
        if (!url[0]) {
            rc = cli_usage_error("helius", "set helius.webhook_url (or --url) to this daemon's "
                                           "public https://.../webhooks/helius");
            goto out;
        }
        struct helius_webhook_spec ws = {
            .url = url,
            .addresses = (const char *const *)a->pos + 2,
            .n_addresses = (size_t)a->npos - 2,
            .auth_header = config_str(&a->cfg, CFG_WEBHOOK_SECRET),
        };
        char id[128];
        err = helius_api_webhook_create(h, &ws, id, &body);
        if (!err)
            printf("created webhook %s for %zu address(es)\n", id, ws.n_addresses);
    } else if (strcmp(verb, "list") == 0) {
        err = helius_api_webhook_list(h, &body);
        if (!err)
            printf("%s\n", body.data ? body.data : "[]");
    } else {
        err = helius_api_webhook_delete(h, a->pos[2]);
        if (!err)
            printf("deleted webhook %s\n", a->pos[2]);
    }
    if (err)
        fprintf(stderr, "walltrack helius: %s\n", helius_api_errmsg(h));
    rc = err ? 1 : 0;
out:
    helius_api_free(h);
    buf_release(&body);
    return rc;
}

int cmd_helius(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_helius);
}
