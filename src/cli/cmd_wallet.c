/* `walltrack wallet show|check`: the trading wallet as the live executor
 * will see it.
 *
 * show: the public key, the SOL balance and every token account under
 * both token programs (getBalance, getTokenAccountsByOwner).
 * check: the pre-flight for live trading, one line per check, exit status
 * 1 naming the first failing one: the key loads (file mode, the public half
 * re-derived from the seed matches), the RPC answers, the balance is at
 * least live.min_balance_sol.
 *
 * The key is live.keypair_path or $WALLTRACK_KEYPAIR, as for `serve
 * --live`; only its public half is ever printed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "net/httpc.h"
#include "solana/keypair.h"
#include "solana/rpc.h"
#include "trade/exec_live.h"

static const struct cli_spec spec = {
    .name = "wallet",
    .args = "show|check",
    .summary = "Show the trading wallet's balances, or check it is ready for live trading.",
    .details = "The key comes from live.keypair_path (a Solana CLI id.json with mode 0600) or "
               "from $WALLTRACK_KEYPAIR; the RPC endpoints from rpc.urls. show: SOL and token "
               "balances (both token programs). check: key loads and matches, RPC reachable, "
               "balance >= live.min_balance_sol; exit status 1 names the failing check.",
    .min_pos = 1,
    .max_pos = 1,
    .opts = NULL,
};

/* Writes raw / 10^dec exactly. */
static void print_amount(uint64_t raw, unsigned dec)
{
    if (dec == 0 || dec > 19) {
        printf("%" PRIu64, raw);
        return;
    }
    uint64_t p = 1;
    for (unsigned i = 0; i < dec; i++)
        p *= 10;
    printf("%" PRIu64 ".%0*" PRIu64, raw / p, (int)dec, raw % p);
}

static struct rpc *open_rpc(const struct config *cfg, struct exec_live_urls *u)
{
    if (exec_live_urls_parse(config_str(cfg, CFG_RPC_URLS), u) != 0 || u->n == 0)
        return NULL;
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.retries = 1;
    return rpc_new(u->v, u->n, &o);
}

static int wallet_show(const struct config *cfg)
{
    struct keypair *kp = NULL;
    struct exec_live_urls u;
    struct rpc *r = NULL;
    struct rpc_token_list toks = {0};
    char err[256], me58[BASE58_KEY_MAX];
    struct pubkey me;
    uint64_t lamports = 0, slot = 0;
    int status = 1;
    memset(&u, 0, sizeof u);
    if (exec_live_load_keypair(cfg, &kp, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack wallet: %s\n", err);
        goto out;
    }
    keypair_pubkey(kp, &me);
    keypair_free(kp); /* only the public key is needed from here on */
    kp = NULL;
    if (!(r = open_rpc(cfg, &u))) {
        fprintf(stderr, "walltrack wallet: rpc.urls names no endpoint\n");
        goto out;
    }
    if (rpc_get_balance(r, &me, RPC_CONFIRMED, &lamports, &slot) != 0 ||
        rpc_get_token_accounts(r, &me, NULL, RPC_CONFIRMED, &toks) != 0) {
        fprintf(stderr, "walltrack wallet: RPC: %s\n", rpc_last_error(r)->message);
        goto out;
    }
    printf("wallet  %s\n", pubkey_format(&me, me58));
    printf("SOL     ");
    print_amount(lamports, 9);
    printf(" (%" PRIu64 " lamports, slot %" PRIu64 ")\n", lamports, slot);
    printf("tokens  %zu account%s\n", toks.len, toks.len == 1 ? "" : "s");
    for (size_t i = 0; i < toks.len; i++) {
        const struct rpc_token_account *t = &toks.v[i];
        char mint[BASE58_KEY_MAX], prog[BASE58_KEY_MAX];
        printf("  %-44s ", pubkey_format(&t->mint, mint));
        print_amount(t->amount, t->decimals);
        pubkey_format(&t->program, prog);
        printf("  (raw %" PRIu64 ", %u decimals, %s%s)\n", t->amount, t->decimals,
               strcmp(prog, TOKEN_2022_PROGRAM_ID) == 0 ? "token-2022" : "token",
               t->frozen ? ", frozen" : "");
    }
    status = 0;
out:
    free(toks.v);
    rpc_free(r);
    exec_live_urls_release(&u);
    keypair_free(kp);
    return status;
}

static int wallet_check(const struct config *cfg)
{
    struct keypair *kp = NULL;
    struct exec_live_urls u;
    struct rpc *r = NULL;
    char err[256], me58[BASE58_KEY_MAX];
    struct pubkey me;
    int status = 1;
    memset(&u, 0, sizeof u);
    if (exec_live_load_keypair(cfg, &kp, err, sizeof err) != 0) {
        printf("FAIL  key      %s\n", err);
        goto out;
    }
    keypair_pubkey(kp, &me);
    keypair_free(kp);
    kp = NULL;
    printf("ok    key      loads; public key matches its seed: %s\n", pubkey_format(&me, me58));
    if (!(r = open_rpc(cfg, &u))) {
        printf("FAIL  rpc      rpc.urls names no endpoint\n");
        goto out;
    }
    uint8_t bh[32];
    uint64_t lvbh = 0, slot = 0, lamports = 0;
    if (rpc_get_latest_blockhash(r, RPC_CONFIRMED, bh, &lvbh, &slot) != 0) {
        printf("FAIL  rpc      not reachable: %s\n", rpc_last_error(r)->message);
        goto out;
    }
    printf("ok    rpc      reachable (%zu endpoint%s, slot %" PRIu64 ")\n", u.n,
           u.n == 1 ? "" : "s", slot);
    if (rpc_get_balance(r, &me, RPC_CONFIRMED, &lamports, &slot) != 0) {
        printf("FAIL  balance  cannot read: %s\n", rpc_last_error(r)->message);
        goto out;
    }
    double min = config_double(cfg, CFG_LIVE_MIN_BALANCE_SOL);
    uint64_t min_l = (uint64_t)(min * 1e9 + 0.5);
    printf("%s  balance  ", lamports >= min_l ? "ok  " : "FAIL");
    print_amount(lamports, 9);
    printf(" SOL %s live.min_balance_sol %g\n", lamports >= min_l ? ">=" : "<", min);
    status = lamports >= min_l ? 0 : 1;
out:
    rpc_free(r);
    exec_live_urls_release(&u);
    keypair_free(kp);
    return status;
}

static int run_wallet(struct cli_args *args)
{
    const char *sub = args->pos[0];
    int status = cli_sub_of_two("wallet", sub, "show", "check");
    if (status != 0 || (status = cli_setup_logging(&args->cfg)) != 0)
        return status;
    status = strcmp(sub, "show") == 0 ? wallet_show(&args->cfg) : wallet_check(&args->cfg);
    log_close();
    return status;
}

int cmd_wallet(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_wallet);
}
