/* `walltrack wallets list|show|add|remove|verify|name|blacklist`: the
 * smart-money wallets from the command line. list and show read what the
 * last discovery run (or profile) stored; the other subcommands are the
 * operator's curation, applied by intel/curation.c exactly as the API's
 * POST/PUT routes do. --json prints the API's shapes (api/wallet_json.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/wallet_json.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "intel/curation.h"
#include "intel/profile.h"
#include "intel/similar.h"
#include "solana/pubkey.h"
#include "store/store.h"

/* A metric as text, or "n/a" when its data is too thin (docs/metrics.md). */
static void metric_text(char *out, size_t n, const char *fmt, double v, int64_t valid)
{
    if (valid)
        snprintf(out, n, fmt, v);
    else
        snprintf(out, n, "n/a");
}

static const struct cli_opt opts[] = {
    {"--status", "S", NULL,
     "list: watch, flagged, blacklisted, candidate or removed (default: any)"},
    {"--min-score", "X", NULL, "list: only wallets scoring at least X (0-100)"},
    {"--verified", "BOOL", NULL, "list: only verified (true) or unverified (false) wallets"},
    {"--type", "T", NULL, "list: only this wallet type; name: set the type too"},
    {"--chain", "C", NULL, "list: only this chain (solana)"},
    {"--sort", "KEY", NULL, "list: score (default), roi, pnl, trades or copier"},
    {"--asc", NULL, NULL, "list: ascending order (default descending)"},
    {"--page", "N", NULL, "list: page number, from 1"},
    {"--limit", "N", NULL,
     "list: wallets per page, 1-1000 (default 50); similar: 1-50 (default 10)"},
    {"--name", "NAME", NULL, "add: also name the wallet"},
    {"--unverify", NULL, NULL, "verify: clear the verified mark instead"},
    {"--json", NULL, NULL, "list, show, similar: print JSON (the API's shapes)"},
    {0},
};

static const struct cli_spec spec = {
    .name = "wallets",
    .args = "list | show ADDRESS | similar ADDRESS | add ADDRESS | remove ADDRESS | verify ADDRESS "
            "| name ADDRESS NAME | blacklist ADDRESS",
    .summary = "List, inspect and curate the smart-money wallets.",
    .details =
        "list: the stored wallets with filters, best first. show: one wallet with its "
        "open positions (valued at each token's last traded price), latest snapshot and "
        "patterns. similar: the wallets that trade most like it (behaviour vectors, "
        "docs/metrics.md). add: put a wallet on the watchlist (discovery method manual; a new "
        "address is created). remove: take it off the watchlist for good (status "
        "removed; discovery will not re-add it). verify: mark it verified. name: give it "
        "a name (and --type whale|fund|trader|protocol). blacklist: never follow it. "
        "Discovery never changes blacklisted, removed or manually added wallets.",
    .min_pos = 1,
    .max_pos = 3,
    .opts = opts,
};

static int do_list(const struct cli_args *a)
{
    struct wallet_filter f;
    memset(&f, 0, sizeof f);
    f.page = 1;
    f.limit = 50;
    const char *v;
    if ((v = cli_opt_value(&spec, a, "--status")) && wallet_status_parse(v, &f.status) != 0)
        return cli_usage_error("wallets",
                               "--status: '%s' is not watch, flagged, blacklisted, "
                               "candidate or removed",
                               v);
    if ((v = cli_opt_value(&spec, a, "--min-score"))) {
        if (str_to_double(v, &f.min_score) != 0 || !(f.min_score >= 0 && f.min_score <= 100))
            return cli_usage_error("wallets", "--min-score: '%s' is not a number from 0 to 100", v);
        f.has_min_score = true;
    }
    if ((v = cli_opt_value(&spec, a, "--verified"))) {
        if (str_to_bool(v, &f.verified) != 0)
            return cli_usage_error("wallets", "--verified: '%s' is not true or false", v);
        f.has_verified = true;
    }
    if ((v = cli_opt_value(&spec, a, "--type"))) {
        if (!curation_type_ok(v))
            return cli_usage_error("wallets",
                                   "--type: '%s' is not whale, fund, trader or "
                                   "protocol",
                                   v);
        str_copy(f.type, sizeof f.type, v);
    }
    if ((v = cli_opt_value(&spec, a, "--chain"))) {
        if (!*v || strlen(v) >= WALLET_CHAIN_MAX)
            return cli_usage_error("wallets", "--chain: bad chain '%s'", v);
        f.chains[0] = v;
        f.nchains = 1;
    }
    if ((v = cli_opt_value(&spec, a, "--sort"))) {
        static const char *const keys[] = {"score", "roi", "pnl", "trades", "copier"};
        int k = -1;
        for (int i = 0; i < 5; i++)
            if (strcmp(v, keys[i]) == 0)
                k = i;
        if (k < 0)
            return cli_usage_error("wallets",
                                   "--sort: '%s' is not score, roi, pnl, trades or copier", v);
        f.sort = (enum wallet_sort)k;
    }
    f.ascending = cli_opt_given(&spec, a, "--asc");
    uint64_t n;
    if ((v = cli_opt_value(&spec, a, "--page"))) {
        if (str_to_u64(v, &n) != 0 || n < 1 || n > 1000000)
            return cli_usage_error("wallets", "--page: '%s' is not an integer from 1", v);
        f.page = (uint32_t)n;
    }
    if ((v = cli_opt_value(&spec, a, "--limit"))) {
        if (str_to_u64(v, &n) != 0 || n < 1 || n > 1000)
            return cli_usage_error("wallets", "--limit: '%s' is not an integer from 1 to 1000", v);
        f.limit = (uint32_t)n;
    }
    struct store *st;
    if (cli_open_store(&a->cfg, &st) != 0)
        return 1;
    struct wallet_page pg;
    int rc = store_wallet_list(st, &f, &pg);
    if (rc != 0) {
        fprintf(stderr, "walltrack wallets: %s\n", wt_strerror(rc));
        store_close(st);
        return 1;
    }
    if (cli_opt_given(&spec, a, "--json")) {
        struct buf b;
        struct jw w;
        cli_json_begin(&w, &b);
        wallet_json_page(&w, &pg, f.page, f.limit);
        (void)cli_json_print(&w, &b);
    } else {
        printf("%-44s %6s %-6s %-11s %-9s %9s %7s %6s %6s %-8s %s\n", "address", "score", "conf",
               "status", "method", "pnl_sol", "roi", "win", "trades", "style", "name");
        for (size_t i = 0; i < pg.n; i++) {
            const struct wallet *x = &pg.rows[i];
            char win[16];
            metric_text(win, sizeof win, "%.3f", x->win_rate,
                        x->metrics_valid & WALLET_VALID_WIN_RATE);
            printf("%-44s %6.2f %-6s %-11s %-9s %9.3f %7.3f %6s %6lld %-8s %s%s\n", x->address,
                   x->score, x->confidence, wallet_status_name(x->status),
                   x->discovery[0] ? x->discovery : "-", x->total_pnl, x->roi, win,
                   (long long)x->total_trades, x->trading_style, x->name,
                   x->verified ? " (verified)" : "");
        }
        printf("page %u of %lld wallets (%u per page)\n", f.page, (long long)pg.total, f.limit);
    }
    wallet_page_release(&pg);
    store_close(st);
    return 0;
}

static int do_show(const struct cli_args *a, const char *address)
{
    struct pubkey k;
    if (pubkey_parse(address, &k) != 0)
        return cli_usage_error("wallets", "'%s' is not a wallet address", address);
    struct store *st;
    if (cli_open_store(&a->cfg, &st) != 0)
        return 1;
    int rc = 1;
    struct wallet x;
    int r = store_wallet_get(st, address, &x);
    if (r != 0) {
        fprintf(stderr, "walltrack wallets: %s: %s\n", address,
                r == WT_ENOTFOUND ? "unknown wallet (run `walltrack discover` to profile "
                                    "every wallet)"
                                  : wt_strerror(r));
        goto out;
    }
    struct wallet_history h;
    if ((r = profile_wallet_history(st, &k, &h)) != 0) {
        fprintf(stderr, "walltrack wallets: %s\n", wt_strerror(r));
        goto out;
    }
    struct buf b;
    struct jw w;
    cli_json_begin(&w, &b);
    wallet_json_detail_begin(&w, &x);
    r = wallet_json_positions(&w, st, &h);
    jw_ku64(&w, "swaps", h.swaps.len);
    /* The latest snapshot and the patterns, as the API's sub-resources. */
    struct wallet_snapshot_row *snaps = xcalloc(100, sizeof *snaps);
    struct trade_pattern_row *pats = xcalloc(1000, sizeof *pats);
    struct wallet_snapshot_row latest;
    size_t ns = 0, np = 0, total_snaps = 0;
    struct row_query q = {.key = address, .limit = 100};
    while (r == 0) {
        r = store_list_snapshot(st, &q, snaps, &ns);
        if (r != 0 || ns == 0)
            break;
        latest = snaps[ns - 1];
        total_snaps += ns;
        q.after_id = latest.id;
        if (ns < q.limit)
            break;
    }
    q.after_id = 0;
    q.limit = 1000;
    if (r == 0)
        r = store_list_pattern(st, &q, pats, &np);
    jw_key(&w, "latestSnapshot");
    if (total_snaps)
        wallet_json_snapshot(&w, &latest);
    else
        jw_null(&w);
    jw_karr_begin(&w, "patterns");
    for (size_t i = 0; i < np; i++)
        wallet_json_pattern(&w, &pats[i]);
    jw_arr_end(&w);
    jw_obj_end(&w);
    wallet_history_release(&h);
    free(snaps);
    free(pats);
    if (r != 0 || jw_finish(&w) != 0) {
        fprintf(stderr, "walltrack wallets: %s\n", wt_strerror(r ? r : WT_EFULL));
        buf_release(&b);
        goto out;
    }
    if (cli_opt_given(&spec, a, "--json")) {
        printf("%s\n", b.data);
    } else {
        printf("%s%s%s\n", x.address, x.name[0] ? "  " : "", x.name);
        printf("  status %s, discovery %s, %s, type %s, chain %s\n", wallet_status_name(x.status),
               x.discovery[0] ? x.discovery : "-", x.verified ? "verified" : "not verified", x.type,
               x.chain);
        printf("  score %.2f (%s confidence)\n", x.score, x.confidence);
        char win[16], sharpe[16], sortino[16], dd[16], vol[16], asof[40] = "-";
        int64_t v = x.metrics_valid;
        metric_text(win, sizeof win, "%.3f", x.win_rate, v & WALLET_VALID_WIN_RATE);
        metric_text(sharpe, sizeof sharpe, "%.3f", x.sharpe, v & WALLET_VALID_SHARPE);
        metric_text(sortino, sizeof sortino, "%.3f", x.sortino, v & WALLET_VALID_SORTINO);
        metric_text(dd, sizeof dd, "%.4f", x.max_drawdown, v & WALLET_VALID_MAX_DRAWDOWN);
        metric_text(vol, sizeof vol, "%.4f", x.volatility, v & WALLET_VALID_VOLATILITY);
        if (x.unrealized_as_of_ms)
            clock_format_iso(x.unrealized_as_of_ms, asof, sizeof asof);
        printf("  pnl %.4f SOL = realized %.4f + unrealized %.4f (%lld open, prices as of %s)%s\n",
               x.total_pnl, x.realized_pnl, x.unrealized_pnl, (long long)x.open_positions, asof,
               x.metrics_version < WALLET_METRICS_VERSION ? " [old definitions: run discover]"
                                                          : "");
        if (x.copier_buys > 0)
            printf("  copier expectancy %+.5f SOL per copied buy (%+.4f SOL over %lld buys)\n",
                   x.copier_ev, x.copier_pnl, (long long)x.copier_buys);
        else
            printf("  copier expectancy n/a (no buy to copy)\n");
        printf("  roi %.4f, win rate %s, sharpe %s, sortino %s, max drawdown %s (%.4f SOL), "
               "volatility %s, active days %lld\n",
               x.roi, win, sharpe, sortino, dd, x.max_drawdown_sol, vol, (long long)x.active_days);
        char last[40], first[40];
        clock_format_iso(x.last_trade_ms, last, sizeof last);
        clock_format_iso(x.first_seen_ms, first, sizeof first);
        printf("  %lld round trips, avg size %.4f SOL, avg hold %.3f days, first seen %s, last "
               "trade %s\n",
               (long long)x.total_trades, x.avg_trade_size, x.avg_holding_days, first, last);
        printf("  style %s, risk %s, tokens %s, protocols %s\n", x.trading_style, x.risk_profile,
               x.preferred_tokens[0] ? x.preferred_tokens : "[]",
               x.preferred_protocols[0] ? x.preferred_protocols : "[]");
        printf("  %zu patterns, %zu snapshots; open positions and the rest: --json\n", np,
               total_snaps);
    }
    buf_release(&b);
    rc = 0;
out:
    store_close(st);
    return rc;
}

static int do_curate(const struct cli_args *a, const char *sub)
{
    struct curation c = {0};
    int want = 2; /* positional arguments: sub ADDRESS */
    if (strcmp(sub, "add") == 0) {
        c.action = CURATE_WATCH;
    } else if (strcmp(sub, "remove") == 0) {
        c.action = CURATE_UNWATCH;
    } else if (strcmp(sub, "verify") == 0) {
        c.action = CURATE_VERIFY;
        c.verified = !cli_opt_given(&spec, a, "--unverify");
    } else if (strcmp(sub, "name") == 0) {
        c.action = CURATE_NAME;
        want = 3;
    } else if (strcmp(sub, "blacklist") == 0) {
        c.action = CURATE_BLACKLIST;
    } else {
        return cli_usage_error(
            "wallets",
            "unknown subcommand '%s' (list, show, similar, add, remove, verify, name, "
            "blacklist)",
            sub);
    }
    if (a->npos != want)
        return cli_usage_error("wallets", "%s needs %s", sub,
                               want == 3 ? "ADDRESS NAME" : "ADDRESS");
    const char *address = a->pos[1];
    if (c.action == CURATE_NAME) {
        c.name = a->pos[2];
        c.type = cli_opt_value(&spec, a, "--type");
    }
    const char *addname = cli_opt_value(&spec, a, "--name");
    if (addname && (c.action != CURATE_WATCH || !curation_name_ok(addname)))
        return cli_usage_error("wallets", "--name: only with add, at most %d bytes",
                               WALLET_NAME_MAX - 1);
    struct store *st;
    if (cli_open_store(&a->cfg, &st) != 0)
        return 1;
    struct wallet x;
    const char *what = NULL;
    int64_t now = clock_wall_ms();
    int rc = curation_apply(st, address, &c, now, &x, &what);
    if (rc == 0 && addname) {
        struct curation n = {.action = CURATE_NAME, .name = addname};
        rc = curation_apply(st, address, &n, now, &x, &what);
    }
    store_close(st);
    if (rc == WT_EINVAL)
        return cli_usage_error("wallets", "invalid %s", what ? what : "argument");
    if (rc == WT_ENOTFOUND) {
        fprintf(stderr, "walltrack wallets: unknown wallet %s\n", address);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "walltrack wallets: %s\n", wt_strerror(rc));
        return 1;
    }
    printf("%s: status %s, discovery %s, %s%s%s\n", x.address, wallet_status_name(x.status),
           x.discovery[0] ? x.discovery : "-", x.verified ? "verified" : "not verified",
           x.name[0] ? ", name " : "", x.name);
    return 0;
}

static int do_similar(const struct cli_args *a, const char *address)
{
    struct pubkey k;
    if (pubkey_parse(address, &k) != 0)
        return cli_usage_error("wallets", "'%s' is not a wallet address", address);
    uint64_t limit = 10;
    const char *v = cli_opt_value(&spec, a, "--limit");
    if (v && (str_to_u64(v, &limit) != 0 || limit < 1 || limit > 50))
        return cli_usage_error("wallets", "--limit: '%s' is not an integer from 1 to 50", v);
    struct store *st;
    if (cli_open_store(&a->cfg, &st) != 0)
        return 1;
    struct wallet *rows = xcalloc(limit, sizeof *rows);
    double dist[50];
    size_t n = 0, cands = 0;
    int r = similar_from_store(st, address, limit, rows, dist, &n, &cands);
    int rc = 1;
    if (r == WT_ESTATE) {
        fprintf(stderr,
                "walltrack wallets: %s has no behaviour vector: it needs %d closed round trips "
                "and a discovery run since this version\n",
                address, SIMILAR_MIN_TRIPS);
    } else if (r != 0) {
        fprintf(stderr, "walltrack wallets: %s: %s\n", address, wt_strerror(r));
    } else if (cli_opt_given(&spec, a, "--json")) {
        struct buf b;
        struct jw w;
        cli_json_begin(&w, &b);
        jw_obj_begin(&w);
        jw_kstr(&w, "walletAddress", address);
        jw_ku64(&w, "candidates", cands);
        wallet_json_similar(&w, rows, dist, n);
        jw_obj_end(&w);
        (void)cli_json_print(&w, &b);
        rc = 0;
    } else {
        printf("%zu wallets most like %s (of %zu with a behaviour vector):\n", n, address, cands);
        printf("%-44s %8s %6s %-11s %9s %-8s %s\n", "address", "distance", "score", "status",
               "pnl_sol", "style", "name");
        for (size_t i = 0; i < n; i++)
            printf("%-44s %8.3f %6.2f %-11s %9.3f %-8s %s\n", rows[i].address, dist[i],
                   rows[i].score, wallet_status_name(rows[i].status), rows[i].total_pnl,
                   rows[i].trading_style, rows[i].name);
        rc = 0;
    }
    free(rows);
    store_close(st);
    return rc;
}

static int run_wallets(struct cli_args *a)
{
    int rc = 0;
    const char *sub = a->pos[0];
    if (cli_setup_logging(&a->cfg) != 0) {
        rc = 1;
    } else if (strcmp(sub, "list") == 0) {
        rc = a->npos == 1 ? do_list(a) : cli_usage_error("wallets", "list takes no argument");
    } else if (strcmp(sub, "show") == 0) {
        rc =
            a->npos == 2 ? do_show(a, a->pos[1]) : cli_usage_error("wallets", "show needs ADDRESS");
    } else if (strcmp(sub, "similar") == 0) {
        rc = a->npos == 2 ? do_similar(a, a->pos[1])
                          : cli_usage_error("wallets", "similar needs ADDRESS");
    } else {
        rc = do_curate(a, sub);
    }
    return rc;
}

int cmd_wallets(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_wallets);
}
