/* The examples `walltrack help COMMAND` and `walltrack COMMAND --help`
 * print, one block per command of the table in cli.c (a test checks that
 * every command has one, so a new command needs its examples here). Kept
 * apart from the table so its rows stay one line each. */
#include "cli/cli_examples.h"

#include <string.h>

static const struct {
    const char *cmd;
    const char *text;
} examples[] = {
    {"demo", "walltrack demo\n"
             "walltrack demo --speed 120 --seed 7 --listen 127.0.0.1:9090\n"},
    {"serve", "walltrack serve --data /var/lib/walltrack\n"
              "WALLTRACK_API_TOKEN=$(openssl rand -hex 24) walltrack serve --listen 0.0.0.0:8080\n"
              "walltrack serve --live --config /etc/walltrack/walltrack.conf\n"},
    {"status", "walltrack status\nwalltrack status --json --url http://10.0.0.5:8080\n"},
    {"pause", "walltrack pause --reason \"RPC provider maintenance\"\n"},
    {"resume", "walltrack resume\n"},
    {"reload", "walltrack reload\nsystemctl reload walltrack   # the same, through SIGHUP\n"},
    {"exits", "walltrack exits list\n"
              "walltrack exits put strategy.json\n"
              "walltrack exits default runner\n"
              "walltrack exits overrides 0.85:runner,0.95:moon\n"},
    {"report", "walltrack report --days 7\nwalltrack report --mode live --json\n"},
    {"recalibrate", "walltrack recalibrate\nwalltrack recalibrate --json > proposal.json\n"},
    {"import", "walltrack import history.json\ncat deliveries.ndjson | walltrack import -\n"},
    {"backfill", "walltrack backfill 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU --days 30\n"},
    {"helius", "walltrack helius webhook list\n"
               "walltrack helius webhook create 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU\n"},
    {"decode", "walltrack decode tests/fixtures/real/helius_enhanced_swap_jupiter_sol_to_usdc_"
               "multihop.json\n"},
    {"discover", "walltrack discover\nwalltrack discover --csv candidates.csv\n"
                 "walltrack discover --chain --budget 2000 --dry-run\n"},
    {"wallets",
     "walltrack wallets list --min-score 70 --sort roi\n"
     "walltrack wallets list --status watch --format csv > watchlist.csv\n"
     "walltrack wallets add 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU --name alpha\n"},
    {"backtest",
     "walltrack backtest run --from 2026-11-01 --to 2026-12-01 --scenario conservative\n"
     "walltrack backtest batch --from 2026-11-01 --to 2026-12-01 default aggressive\n"
     "walltrack backtest grid --from 2026-11-01 --to 2026-12-01 "
     "signal.threshold=0.5:0.8:0.05 --objective expectancy --min-trades 30\n"
     "walltrack backtest compare 4 5 6 --json\n"},
    {"graph", "walltrack graph build\n"
              "walltrack graph evaluate --truth /tmp/market/truth.json\n"
              "walltrack graph export --format neo4j-csv --out /tmp/graph\n"},
    {"clusters", "walltrack clusters list --sort insider --min-insider 0.5\n"
                 "walltrack clusters show 12\nwalltrack clusters blacklist 12\n"},
    {"model", "walltrack model train --seeds 1,2,3,4\nwalltrack model evaluate --json\n"
              "walltrack model show\n"},
    {"sim", "walltrack sim generate --out /tmp/market\n"
            "walltrack sim evaluate --truth /tmp/market/truth.json\n"
            "walltrack sim chain --seed 7 --days 3 --listen 127.0.0.1:8899\n"},
    {"db", "walltrack db migrate\nwalltrack db check --db postgresql://walltrack@/walltrack\n"},
    {"backup", "walltrack backup --to /var/backups/walltrack-$(date +%F).db\n"},
    {"wallet", "walltrack wallet show\nwalltrack wallet check\n"},
    {"config", "walltrack config\nwalltrack config --set trade.max_positions=8\n"
               "walltrack config --markdown > docs/config.md\n"},
    {"version", "walltrack version\n"},
    {"help", "walltrack help\nwalltrack help wallets\nwalltrack help --man > walltrack.1\n"
             "walltrack help --bash-completion > /etc/bash_completion.d/walltrack\n"},
};

const char *cli_examples_of(const char *cmd)
{
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        if (strcmp(examples[i].cmd, cmd) == 0)
            return examples[i].text;
    return NULL;
}
