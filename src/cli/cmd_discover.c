/* `walltrack discover`: one discovery run over the stored market. Profiles
 * every wallet (wallets, snapshots, trade patterns), finds the early buyers
 * of successful tokens, and updates the watchlist; prints what it did, or
 * the same as JSON, and optionally every candidate with its evidence as
 * CSV. The work is src/intel/discovery.c; this file turns options into
 * parameters and the report into text. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "intel/crawl.h"
#include "intel/discovery.h"
#include "store/store.h"

static const struct cli_opt opts[] = {
    {"--top-k", "N", "discovery.top_k", "wallets the algorithm keeps on the watchlist"},
    {"--json", NULL, NULL, "print the report as JSON"},
    {"--csv", "FILE", NULL, "write every candidate with its evidence to FILE (CSV)"},
    {"--no-snapshots", NULL, NULL, "do not append performance snapshots"},
    {"--chain", NULL, NULL,
     "crawl the chain first (Helius, else rpc.urls): winning tokens, early buyers, backfill"},
    {"--tokens", "FILE", NULL, "add the mints of FILE (one a line) to the crawl's tokens"},
    {"--budget", "N", "discovery.request_budget",
     "most requests this crawl may send (Helius, RPC, DexScreener)"},
    {"--dry-run", NULL, NULL, "with --chain: print the estimated requests and stop"},
    {0},
};

static const struct cli_spec spec = {
    .name = "discover",
    .args = "",
    .summary = "Run wallet discovery once over the stored swaps and update the watchlist.",
    .details = "Replays every stored swap, writes every wallet's profile (wallets, "
               "wallet_performance_snapshots, trade_patterns), finds the tokens that succeeded "
               "and their early buyers who sold in profit, and makes the best eligible of them "
               "the algorithm's watchlist (discovery.top_k). Blacklisted, removed and manually "
               "added wallets are left as they are. The time of the run is the latest swap's. "
               "Settings: the discovery.* rows of `walltrack config`; docs/intelligence.md. "
               "--chain first crawls Helius (helius.api_key, helius.api_url): the tokens of "
               "pump.fun graduations (discovery.graduation_hours), DexScreener searches "
               "(discovery.dexscreener_queries) and --tokens FILE (and those "
               "left from an earlier crawl) paged back to their "
               "creation, the early buyers that qualify backfilled discovery.backfill_days, "
               "through rpc.urls instead when no Helius key is set (one getTransaction a "
               "transaction), "
               "within --budget requests, resuming where a stopped crawl left off "
               "(docs/intelligence.md, \"The chain crawl\").",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

int discover_write_csv(const char *path, const struct discovery_result *r)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    fprintf(fp, "rank,address,eligible,excluded,entries,early_all,early,hits,hit_pnl_sol,score,"
                "bot,follow,scalp_share,entry_age_min,timing,selection,trades,win_rate,roi,"
                "pnl_sol,decay_flagged\n");
    for (size_t i = 0; i < r->c.len; i++) {
        const struct discovery_candidate *c = &r->c.v[i];
        fprintf(fp,
                "%zu,%s,%d,%s,%u,%u,%u,%u,%.6f,%.4f,%.4f,%.4f,%.4f,%.3f,%.4f,%.4f,%u,%.4f,%.4f,"
                "%.6f,%d\n",
                i + 1, c->address, c->excl == DISC_OK, discovery_excl_name(c->excl), c->entries,
                c->early_all, c->early, c->hits, c->hit_pnl_sol, c->score, c->bot, c->follow,
                c->scalp_share, c->entry_age_min, c->timing, c->selection, c->trades, c->win_rate,
                c->roi, c->pnl_sol, c->decay_flagged);
    }
    return fclose(fp) == 0 ? 0 : -1;
}

static void print_report(const struct discovery_report *rep, bool json)
{
    char when[40];
    clock_format_iso(rep->now_ms, when, sizeof when);
    if (!json) {
        printf("discovery as of %s: %zu swaps replayed, %zu wallets profiled (%zu snapshots, "
               "%zu patterns)\n",
               when, rep->swaps, rep->profile.wallets, rep->profile.snapshots,
               rep->profile.patterns);
        printf("tokens: %u seen, %u succeeded; candidates: %zu early buyers, %zu eligible, ranked "
               "by %s\n",
               rep->tokens, rep->success_tokens, rep->candidates, rep->eligible,
               score_mode_name(rep->scoring));
        printf("watchlist: %zu wallets (%zu added, %zu kept, %zu back from flagged, %zu dropped, "
               "%zu flagged by decay, %zu left to the operator's decision) in %.2f s\n",
               rep->apply.watchlist, rep->apply.added, rep->apply.kept, rep->apply.rewatched,
               rep->apply.dropped, rep->apply.flagged, rep->apply.operator_skipped, rep->seconds);
        return;
    }
    struct buf b;
    struct jw w;
    cli_json_begin(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "asOf", when);
    jw_ku64(&w, "swaps", rep->swaps);
    jw_kobj_begin(&w, "profile");
    jw_ku64(&w, "wallets", rep->profile.wallets);
    jw_ku64(&w, "snapshots", rep->profile.snapshots);
    jw_ku64(&w, "patterns", rep->profile.patterns);
    jw_obj_end(&w);
    jw_ku64(&w, "tokens", rep->tokens);
    jw_ku64(&w, "successTokens", rep->success_tokens);
    jw_ku64(&w, "candidates", rep->candidates);
    jw_ku64(&w, "eligible", rep->eligible);
    jw_kstr(&w, "rankedBy", score_mode_name(rep->scoring));
    jw_kobj_begin(&w, "watchlist");
    jw_ku64(&w, "size", rep->apply.watchlist);
    jw_ku64(&w, "added", rep->apply.added);
    jw_ku64(&w, "kept", rep->apply.kept);
    jw_ku64(&w, "rewatched", rep->apply.rewatched);
    jw_ku64(&w, "dropped", rep->apply.dropped);
    jw_ku64(&w, "flagged", rep->apply.flagged);
    jw_ku64(&w, "operatorSkipped", rep->apply.operator_skipped);
    jw_obj_end(&w);
    jw_kdouble(&w, "seconds", rep->seconds);
    jw_kobj_begin(&w, "steps");
    jw_kdouble(&w, "load", rep->load_s);
    jw_kdouble(&w, "profile", rep->profile_s);
    jw_kdouble(&w, "find", rep->find_s);
    jw_kdouble(&w, "apply", rep->apply_s);
    jw_obj_end(&w);
    jw_obj_end(&w);
    (void)cli_json_print(&w, &b);
}

/* The crawl's progress: a bar that redraws itself on a terminal, a line
 * per phase and every 50 requests otherwise. */
struct bar {
    bool tty;
    const char *phase;
    uint64_t last_line;
};

static void progress(void *ctx, const struct crawl_progress *p)
{
    struct bar *b = ctx;
    bool phase_changed = b->phase != p->phase;
    b->phase = p->phase;
    size_t items = p->tokens + p->wallets, done = p->tokens_done + p->wallets_done;
    char eta[32] = "?";
    if (p->eta_s >= 0)
        snprintf(eta, sizeof eta, "%.0fs", p->eta_s);
    char budget[32] = "";
    if (p->budget)
        snprintf(budget, sizeof budget, "/%llu", (unsigned long long)p->budget);
    if (b->tty) {
        char bar[21];
        size_t fill = items ? done * 20 / items : 0;
        for (size_t i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[20] = '\0';
        fprintf(stderr, "\r[%s] %-10s tokens %zu/%zu wallets %zu/%zu requests %llu%s ETA %s   ",
                bar, p->phase, p->tokens_done, p->tokens, p->wallets_done, p->wallets,
                (unsigned long long)p->requests, budget, eta);
        if (strcmp(p->phase, "done") == 0 || strcmp(p->phase, "budget") == 0)
            fputc('\n', stderr);
        return;
    }
    if (!phase_changed && p->requests < b->last_line + 50)
        return;
    b->last_line = p->requests;
    fprintf(stderr, "crawl: %s: tokens %zu/%zu, wallets %zu/%zu, requests %llu%s, ETA %s\n",
            p->phase, p->tokens_done, p->tokens, p->wallets_done, p->wallets,
            (unsigned long long)p->requests, budget, eta);
}

/* --chain, --tokens, --dry-run: 0 to go on with discovery, 1 on an error,
 * 3 after a dry run (print only). */
static int crawl(const struct cli_args *a, struct store *st, const struct discovery_params *dp)
{
    char err[512];
    const char *file = cli_opt_value(&spec, a, "--tokens");
    if (file) {
        size_t added;
        if (crawl_add_tokens_file(st, file, &added, err, sizeof err) != 0) {
            fprintf(stderr, "walltrack discover: %s\n", err);
            return 1;
        }
        fprintf(stderr, "crawl: %zu new token(s) from %s\n", added, file);
    }
    if (!cli_opt_given(&spec, a, "--chain"))
        return 0;
    struct crawl_opts o;
    crawl_opts_default(&o);
    crawl_opts_from_config(&o, &a->cfg);
    o.dry_run = cli_opt_given(&spec, a, "--dry-run");
    o.disc = *dp;
    struct bar b = {.tty = isatty(2) == 1};
    o.progress = progress;
    o.ctx = &b;
    if (!o.dry_run && !o.helius_key[0] && !o.rpc_urls[0]) {
        fprintf(stderr, "walltrack discover: --chain needs a Helius API key "
                        "(WALLTRACK_HELIUS_API_KEY) or Solana RPC endpoints "
                        "(WALLTRACK_RPC_URLS)\n");
        return 1;
    }
    if (!o.helius_key[0] && !o.dry_run)
        fprintf(stderr, "crawl: no Helius key: crawling through rpc.urls (one getTransaction "
                        "a transaction)\n");
    struct crawl_progress p;
    int rc = crawl_run(st, &o, &p, err, sizeof err);
    if (rc) {
        fprintf(stderr, "walltrack discover: crawl: %s\n", err[0] ? err : wt_strerror(rc));
        return 1;
    }
    if (o.dry_run) {
        printf("dry run: %zu token(s) and %zu wallet(s) pending; about %llu request(s) "
               "(%lld spent by earlier crawls); nothing sent\n",
               p.tokens - p.tokens_done, p.wallets - p.wallets_done, (unsigned long long)p.estimate,
               (long long)p.requests_stored);
        return 3;
    }
    if (p.graduations)
        printf("crawl: %zu new token(s) from pump.fun graduations\n", p.graduations);
    if (o.dex_queries[0])
        printf("crawl: %zu new token(s) from DexScreener (%zu named by its search)\n", p.dex_added,
               p.dex_listed);
    printf("crawl: %llu request(s) (%llu retries: %llu answered 429, %llu 5xx or none; %llu "
           "malformed skipped, %llu failed), %lld in all crawls; tokens %zu/%zu, wallets "
           "%zu/%zu%s\n",
           (unsigned long long)p.requests, (unsigned long long)p.retries,
           (unsigned long long)p.r429, (unsigned long long)p.r5xx, (unsigned long long)p.malformed,
           (unsigned long long)p.failed, (long long)p.requests_stored, p.tokens_done, p.tokens,
           p.wallets_done, p.wallets,
           p.budget_exhausted ? "; stopped at the budget (run again to go on)" : "");
    return 0;
}

static int run_discover(struct cli_args *a)
{
    int rc = 1;
    struct store *st = NULL;
    if (cli_setup_logging(&a->cfg) != 0 || cli_open_store(&a->cfg, &st) != 0)
        goto out;
    struct discovery_params dp;
    discovery_params_from_config(&a->cfg, &dp);
    struct profile_params pp;
    profile_params_from_config(&a->cfg, &pp);
    pp.snapshots = !cli_opt_given(&spec, a, "--no-snapshots");
    int crc = crawl(a, st, &dp);
    if (crc == 3) {
        rc = 0;
        goto out;
    }
    if (crc)
        goto out;
    struct discovery_report rep;
    struct discovery_result res;
    int r = discovery_run(st, &dp, &pp, 0, &rep, NULL, &res);
    if (r != 0) {
        fprintf(stderr, "walltrack discover: %s\n", wt_strerror(r));
        goto out;
    }
    const char *csv = cli_opt_value(&spec, a, "--csv");
    if (csv && discover_write_csv(csv, &res) != 0) {
        fprintf(stderr, "walltrack discover: cannot write %s\n", csv);
        discovery_result_release(&res);
        goto out;
    }
    discovery_result_release(&res);
    print_report(&rep, cli_opt_given(&spec, a, "--json"));
    rc = 0;
out:
    store_close(st);
    return rc;
}

int cmd_discover(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_discover);
}
