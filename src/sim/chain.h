/* A simulated chain behind the production API shapes (`walltrack sim
 * chain`).
 *
 * simchain_start() runs a whole scenario in memory (sim/sim.h), indexes
 * its transactions by signature and by address (the fee payer, the
 * recipient of a transfer, a swap's mint, its bonding-curve account and
 * its pool account), and serves over HTTP what the crawler and the daemon
 * read in production, in the shapes of the real services:
 *
 *   Helius   GET  /v0/addresses/{a}/transactions  enhanced transactions of
 *                 an address, newest first (limit, before-signature,
 *                 until-signature, type, gte-time, lte-time); a type
 *                 filter that finds nothing within `search_window`
 *                 transactions answers the documented search-period
 *                 error body naming where to continue
 *            POST /v0/transactions                parse up to 100
 *                 signatures
 *            POST/GET /v0/webhooks, PUT/DELETE /v0/webhooks/{id}
 *   RPC      POST (any other path)  getSignaturesForAddress (limit
 *                 <= 1000, before, until), getTransaction (`json`
 *                 encoding), getHealth, getSlot
 *   DexScreener GET /tokens/v1/solana/{mints,...} and
 *                 /token-pairs/v1/solana/{mint}: pair objects as of the
 *                 end of the simulated period; GET /latest/dex/search?q=
 *                 the 30 most liquid pairs of the tokens whose name
 *                 ("Sim Token N"), symbol ("SIMN") or mint contains q
 *   the simulator GET /sim/stats (requests counted per endpoint, and
 *                 history queries answered twice: the same address and
 *                 parameters) and
 *                 /sim/truth (truth.json: who is who)
 *
 * The chain is the market at the end of the simulated period: every
 * transaction is already confirmed. Faults are injected on the counted
 * endpoints (all but /sim/...): a fixed latency, and with the given
 * probabilities a 429 (Retry-After: 1) or a 503, drawn from a generator
 * seeded by fault_seed (the same seed and the same request order give the
 * same faults).
 *
 * Raw transactions (getTransaction) are built from the enhanced ones:
 * the accounts of accountData in order (the fee payer first), a base of
 * 1,000 SOL before every native balance change (the simulator keeps no
 * per-transaction balances; the decoders read differences), token balances
 * from tokenBalanceChanges. Both formats decode to the same events
 * (tests/unit/test_simchain.c).
 *
 * Threads: the server answers on its own pool; everything it reads after
 * the start is immutable except the webhooks and counters (locked). */
#ifndef WT_SIM_CHAIN_H
#define WT_SIM_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

struct simchain;

struct simchain_opts {
    unsigned latency_ms;    /* added to every counted answer */
    double p429, p5xx;      /* probabilities per counted request, 0..1 */
    uint64_t fault_seed;    /* of the fault generator */
    const char *api_key;    /* required as api-key on /v0 paths; NULL or "": any */
    unsigned search_window; /* type-filtered history: transactions scanned (0: 500) */
    unsigned threads;       /* HTTP pool (0: 4) */
    int64_t until_ms;       /* the chain ends before this block time (ms); 0: the whole period */
};

struct simchain_counts {
    uint64_t total;    /* counted requests */
    uint64_t history;  /* GET /v0/addresses/.../transactions */
    uint64_t parse;    /* POST /v0/transactions */
    uint64_t webhooks; /* /v0/webhooks... */
    uint64_t rpc_signatures, rpc_transaction, rpc_other;
    uint64_t dex;              /* DexScreener */
    uint64_t not_found;        /* counted requests on no known endpoint */
    uint64_t history_repeated; /* history queries answered that had been answered before */
    uint64_t r429, r5xx;       /* faults injected */
};

/* Simulates sc, then listens on host:port (0: any free port). Returns 0,
 * WT_EINVAL (scenario, options) or WT_EIO (cannot listen) with err. */
int simchain_start(const struct scenario *sc, const struct simchain_opts *o, const char *host,
                   unsigned port, struct simchain **out, char *err, size_t errsize);
unsigned simchain_port(const struct simchain *c);
void simchain_counts(struct simchain *c, struct simchain_counts *out);
/* Transactions on the chain. */
size_t simchain_tx_count(const struct simchain *c);
void simchain_stop(struct simchain *c);

#endif
