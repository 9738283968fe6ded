/* `walltrack discover`: one discovery run over the stored market. Profiles
 * every wallet (wallets, snapshots, trade patterns), finds the early buyers
 * of successful tokens, and updates the watchlist; prints what it did, or
 * the same as JSON, and optionally every candidate with its evidence as
 * CSV. The work is src/intel/discovery.c; this file turns options into
 * parameters and the report into text. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "intel/discovery.h"
#include "store/store.h"

static const struct cli_opt opts[] = {
    {"--top-k", "N", "discovery.top_k", "wallets the algorithm keeps on the watchlist"},
    {"--json", NULL, NULL, "print the report as JSON"},
    {"--csv", "FILE", NULL, "write every candidate with its evidence to FILE (CSV)"},
    {"--no-snapshots", NULL, NULL, "do not append performance snapshots"},
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
               "Settings: the discovery.* rows of `walltrack config`; docs/intelligence.md.",
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
        printf("tokens: %u seen, %u succeeded; candidates: %zu early buyers, %zu eligible\n",
               rep->tokens, rep->success_tokens, rep->candidates, rep->eligible);
        printf("watchlist: %zu wallets (%zu added, %zu kept, %zu back from flagged, %zu dropped, "
               "%zu flagged by decay, %zu left to the operator's decision) in %.2f s\n",
               rep->apply.watchlist, rep->apply.added, rep->apply.kept, rep->apply.rewatched,
               rep->apply.dropped, rep->apply.flagged, rep->apply.operator_skipped, rep->seconds);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    struct jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "asOf", when);
    jw_ku64(&w, "swaps", rep->swaps);
    jw_key(&w, "profile");
    jw_obj_begin(&w);
    jw_ku64(&w, "wallets", rep->profile.wallets);
    jw_ku64(&w, "snapshots", rep->profile.snapshots);
    jw_ku64(&w, "patterns", rep->profile.patterns);
    jw_obj_end(&w);
    jw_ku64(&w, "tokens", rep->tokens);
    jw_ku64(&w, "successTokens", rep->success_tokens);
    jw_ku64(&w, "candidates", rep->candidates);
    jw_ku64(&w, "eligible", rep->eligible);
    jw_key(&w, "watchlist");
    jw_obj_begin(&w);
    jw_ku64(&w, "size", rep->apply.watchlist);
    jw_ku64(&w, "added", rep->apply.added);
    jw_ku64(&w, "kept", rep->apply.kept);
    jw_ku64(&w, "rewatched", rep->apply.rewatched);
    jw_ku64(&w, "dropped", rep->apply.dropped);
    jw_ku64(&w, "flagged", rep->apply.flagged);
    jw_ku64(&w, "operatorSkipped", rep->apply.operator_skipped);
    jw_obj_end(&w);
    jw_kdouble(&w, "seconds", rep->seconds);
    jw_key(&w, "steps");
    jw_obj_begin(&w);
    jw_kdouble(&w, "load", rep->load_s);
    jw_kdouble(&w, "profile", rep->profile_s);
    jw_kdouble(&w, "find", rep->find_s);
    jw_kdouble(&w, "apply", rep->apply_s);
    jw_obj_end(&w);
    jw_obj_end(&w);
    if (jw_finish(&w) == 0)
        printf("%s\n", b.data);
    buf_release(&b);
}

int cmd_discover(int argc, char **argv)
{
    struct cli_args a;
    int rc;
    if (!cli_parse(argc, argv, &spec, &a, &rc))
        return rc;
    rc = 1;
    struct store *st = NULL;
    if (cli_setup_logging(&a.cfg) != 0 || cli_open_store(&a.cfg, &st) != 0)
        goto out;
    struct discovery_params dp;
    discovery_params_from_config(&a.cfg, &dp);
    struct profile_params pp;
    profile_params_from_config(&a.cfg, &pp);
    pp.snapshots = !cli_opt_given(&spec, &a, "--no-snapshots");
    struct discovery_report rep;
    struct discovery_result res;
    int r = discovery_run(st, &dp, &pp, 0, &rep, NULL, &res);
    if (r != 0) {
        fprintf(stderr, "walltrack discover: %s\n", wt_strerror(r));
        goto out;
    }
    const char *csv = cli_opt_value(&spec, &a, "--csv");
    if (csv && discover_write_csv(csv, &res) != 0) {
        fprintf(stderr, "walltrack discover: cannot write %s\n", csv);
        discovery_result_release(&res);
        goto out;
    }
    discovery_result_release(&res);
    print_report(&rep, cli_opt_given(&spec, &a, "--json"));
    rc = 0;
out:
    store_close(st);
    cli_args_release(&a);
    return rc;
}
