/* `walltrack backfill ADDRESS... [--days N]`: loads the recent history of
 * wallets from the Helius address-history API into the database, through
 * the same decoder as the webhook. Pages are followed newest to oldest
 * with `before-signature`, including Helius's "search period" answer that
 * names where to continue; `gte-time` bounds the history server-side. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ingest/helius_api.h"
#include "ingest/loader.h"
#include "solana/pubkey.h"

static const struct cli_opt opts[] = {
    {"--days", "N", NULL, "how far back, in days (default 7)"},
    {"--type", "TYPE", NULL, "only transactions of this Helius type (SWAP, TRANSFER, ...)"},
    {"--max-pages", "N", NULL, "stop after N pages of 100 per address (default 1000)"},
    {0},
};

static const struct cli_spec spec = {
    .name = "backfill",
    .args = "ADDRESS...",
    .summary = "Load wallets' recent history from the Helius API into the database.",
    .details = "Needs WALLTRACK_HELIUS_API_KEY. Re-running is safe: what is already stored is "
               "counted as duplicates.",
    .min_pos = 1,
    .max_pos = -1,
    .opts = opts,
};

static int parse_count(const char *opt, const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (str_to_u64(v, out) != 0 || *out < lo || *out > hi)
        return cli_usage_error("backfill", "%s: bad value '%s' (an integer from %llu to %llu)", opt,
                               v, (unsigned long long)lo, (unsigned long long)hi);
    return 0;
}

static int run_backfill(struct cli_args *a)
{
    int rc = 0;
    struct store *st = NULL;
    struct helius_api *h = NULL;
    struct loader ld;
    bool loader_ready = false;
    struct buf page;
    buf_init(&page, 0);
    uint64_t days = 7, max_pages = 1000;
    const char *v;
    rc = 2;
    if ((v = cli_opt_value(&spec, a, "--days")) && parse_count("--days", v, 1, 3650, &days))
        goto out;
    if ((v = cli_opt_value(&spec, a, "--max-pages")) &&
        parse_count("--max-pages", v, 1, 1000000, &max_pages))
        goto out;
    const char *type = cli_opt_value(&spec, a, "--type");
    for (int i = 0; i < a->npos; i++) {
        struct pubkey k;
        if (pubkey_parse(a->pos[i], &k) != 0) {
            rc = cli_usage_error("backfill", "'%s' is not a Solana address", a->pos[i]);
            goto out;
        }
    }
    rc = 1;
    const char *key = config_str(&a->cfg, CFG_HELIUS_API_KEY);
    if (!key[0]) {
        fprintf(stderr, "walltrack backfill: no Helius API key: set WALLTRACK_HELIUS_API_KEY\n");
        goto out;
    }
    if (cli_setup_logging(&a->cfg) != 0 || cli_open_store(&a->cfg, &st) != 0)
        goto out;
    h = helius_api_new(config_str(&a->cfg, CFG_HELIUS_API_URL), key, NULL);
    loader_init(&ld, st, 0);
    loader_ready = true;
    int64_t since = (int64_t)time(NULL) - (int64_t)days * 86400;
    for (int i = 0; i < a->npos; i++) {
        char before[BASE58_SIG_MAX] = "";
        uint64_t pages = 0;
        bool more = true;
        while (more && pages < max_pages) {
            struct helius_history_query q = {
                .address = a->pos[i],
                .before = before[0] ? before : NULL,
                .type = type,
                .limit = 100,
                .gte_time_s = since,
            };
            size_t count;
            char next[BASE58_SIG_MAX];
            if (helius_api_history_page(h, &q, &page, &count, next) != 0) {
                fprintf(stderr, "walltrack backfill: %s: %s\n", a->pos[i], helius_api_errmsg(h));
                goto out;
            }
            char err[512];
            int lrc = loader_add(&ld, page.data, page.len, page.cap, err, sizeof err);
            if (lrc) {
                fprintf(stderr, "walltrack backfill: storing failed: %s\n", wt_strerror(lrc));
                goto out;
            }
            pages++;
            more = next[0] != '\0'; /* "" when the history is exhausted */
            memcpy(before, next, sizeof before);
        }
        fprintf(stderr, "%s: %llu page(s)%s\n", a->pos[i], (unsigned long long)pages,
                more ? " (stopped at --max-pages)" : "");
    }
    int frc = loader_flush(&ld);
    if (frc) {
        fprintf(stderr, "walltrack backfill: storing failed: %s\n", wt_strerror(frc));
        goto out;
    }
    struct buf sum;
    buf_init(&sum, 0);
    loader_summary(&ld, &sum);
    printf("backfilled %s\n", sum.data);
    buf_release(&sum);
    rc = 0;
out:
    if (loader_ready)
        loader_release(&ld);
    helius_api_free(h);
    store_close(st);
    buf_release(&page);
    return rc;
}

int cmd_backfill(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_backfill);
}
