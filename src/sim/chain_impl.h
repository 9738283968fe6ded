/* Private to the simulated chain (sim/chain.c, sim/chain_rpc.c): its
 * constants, its structs and the helpers both files use. chain.c builds the
 * indexes, answers Helius and runs the server; chain_rpc.c answers Solana
 * RPC and DexScreener. Everyone else uses sim/chain.h. */
#ifndef WT_SIM_CHAIN_IMPL_H
#define WT_SIM_CHAIN_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/intern.h"
#include "base/vec.h"
#include "net/httpd.h"
#include "sim/chain.h"
#include "sim/sim_impl.h"
#include "solana/base58.h"

#define TOKEN_PROGRAM "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
/* pump.fun's migration account, the fee payer of every graduation (the
 * "RAYDIUM_MIGRATION_ADDRESS" of trevorwjudice/indexer,
 * src/programs/pumpfun/deployments.go). */
#define MIGRATION_ACCOUNT "39azUYFWPz3VHgKCf3VChUwbpURdCHRxjWVowf5jUJjg"
#define PUMP_PROGRAM      "6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P"
#define SIM_TX_MIGRATION  3    /* a chain-only kind: a graduation's migration */
#define MIGRATION_FEE     5000 /* lamports */
#define WSOL_MINT         "So11111111111111111111111111111111111111112"
#define RAW_BASE          (1000 * SOL) /* native balance before every change */
#define SOL_USD           150.0        /* DexScreener's priceUsd: a fixed SOL price */
#define TOKEN_SUPPLY      1e9          /* pump.fun mints: whole tokens */
#define MAX_HOOKS         16
#define MAX_PARSE_SIGS    100
#define COMPUTE_UNITS     42000 /* meta.computeUnitsConsumed: a typical swap's */

struct idlist {
    VEC(uint32_t) v;
};

struct sigent {
    uint8_t sig[64];
    uint32_t tx;
};

struct hook {
    bool used;
    char id[40];
    char *url, *auth;
    VEC(char *) addrs;
};

struct simchain {
    struct sim *sim;
    struct simchain_opts o;
    char *api_key;
    VEC(struct sim_tx) txs;
    struct sigent *sigs; /* sorted by signature */
    struct intern addr;  /* 32-byte key -> list id */
    VEC(struct idlist) lists;
    struct httpd *http;
    pthread_mutex_t mu; /* counts, fault generator, webhooks */
    struct simchain_counts n;
    uint64_t fault_state;
    struct hook hooks[MAX_HOOKS];
    unsigned next_hook;
    uint64_t *seen; /* hashes of the history queries answered (open addressing) */
    size_t seen_cap, seen_len;
};

/* The transaction with base58 signature s[0..n), or -1. */
int64_t chain_find_sig(const struct simchain *c, const char *s, size_t n);
/* The transactions of base58 address s[0..n) in time order, or NULL. */
const struct idlist *chain_find_addr(const struct simchain *c, const char *s, size_t n);
/* The first position of l whose transaction id is >= tx. */
size_t chain_lower(const struct idlist *l, uint32_t tx);
/* The base58 signature of tx ("" if it cannot be written). */
void chain_sig_b58(const struct sim_tx *tx, char out[BASE58_SIG_MAX]);
/* tx as a Helius enhanced transaction (JSON) appended to out. */
int chain_enhanced_json(const struct simchain *c, const struct sim_tx *tx, struct buf *out);
/* Counts the request under *field (and the total) and draws its fault:
 * 429, 503, or 0 (answer it). Any thread. */
int chain_count_and_fault(struct simchain *c, uint64_t *field);
/* Answers a drawn fault (rpc: as a JSON-RPC error body). */
void chain_answer_fault(struct httpd_resp *resp, int fault, bool rpc);
/* POST / (Solana JSON-RPC): getSignaturesForAddress, getTransaction. */
void chain_rpc(struct simchain *c, struct httpd_req *req, struct httpd_resp *resp);
/* DexScreener's pairs of the comma-separated mints in list (at most 30):
 * /tokens/v1/solana/ (one false) or, for the first mint only,
 * /token-pairs/v1/solana/ (one true). */
void chain_dex(struct simchain *c, struct httpd_resp *resp, const char *list, bool one);
/* DexScreener's search (/latest/dex/search?q=): the pairs of the tokens
 * launched before the chain's end whose name ("Sim Token N"), symbol
 * ("SIMN") or mint contains q (any case), the most liquid first (pools by
 * their SOL, then curves by theirs), at most DEX_SEARCH_PAIRS, in the
 * envelope {"schemaVersion", "pairs"}. */
#define DEX_SEARCH_PAIRS 30
void chain_dex_search(struct simchain *c, struct httpd_resp *resp, const char *q);

#endif
