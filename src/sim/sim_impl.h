/* Private to src/sim: the simulator's state, shared by the market model
 * (sim.c), its setup (sim_setup.c) and the output writers (simjson.c).
 * Not for other modules. */
#ifndef WT_SIM_SIM_IMPL_H
#define WT_SIM_SIM_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/vec.h"
#include "sim/curve.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "solana/base58.h"

#define SIM_NONE        UINT32_MAX
#define SIM_MAX_LEADERS 3
#define SIM_EARLY       5 /* first buyers examined for bots (truth.json) */

/* A base58 address with its length. Invariant: s[len] == '\0' and the
 * bytes after it are zero, so the JSON writer may copy the whole array
 * (a fixed size, no strlen) and keep len bytes of it. */
struct b58addr {
    uint8_t len;
    char s[BASE58_KEY_MAX];
};

/* Invariants: lamports never underflows (every debit is checked first);
 * cluster >= 0 exactly for funders and insiders; funder != SIM_NONE
 * exactly for insiders; fol_n followers start at sim->followers[fol_off]. */
struct sim_wallet {
    struct b58addr addr;
    uint8_t type;
    bool topup_pending;
    uint8_t nleaders;
    int32_t cluster;
    uint32_t funder;
    uint32_t source; /* who tops it up: an exchange, or the cluster's funder */
    uint32_t leader[SIM_MAX_LEADERS];
    uint32_t fol_off, fol_n;
    double skill;
    int64_t fade_ms; /* fading wallets: skilled before this time; else 0 */
    uint64_t lamports;
    uint64_t funding;  /* size of an opening or top-up transfer */
    uint64_t prio;     /* priority fee per transaction */
    double size_sol;   /* typical buy */
    uint32_t delay_ms; /* reaction delay of a copy-trader */
    /* Outcome so far (truth.json, `sim stats`): swaps made, lamports paid
     * for buys (DEX fee included), received from sells, network fees. */
    uint32_t swaps;
    uint64_t spent, received, fees;
};

/* A wallet's position in a token. Invariant: amount > 0 while listed in its
 * token's holder list (at holders.v[vpos]) and in the holding map. */
struct holding {
    uint32_t wallet, token;
    uint32_t vpos;
    uint8_t stage; /* managed exits: 0 before the first take-profit */
    bool checking; /* a CHECK event is pending */
    uint64_t amount;
    int64_t entry_ms;
    double entry_price; /* price paid on the first buy */
    double max_price;   /* highest price seen while held */
};

/* Invariants: venue == SIM_PUMP_FUN until graduated; then curve.complete
 * and pool holds the reserves; peak_price >= every price after launch. */
struct token {
    struct b58addr mint;
    struct b58addr curve_acct;
    struct b58addr curve_vault;
    struct b58addr pool_acct;
    struct b58addr pool_vault;
    struct b58addr pool_wsol;
    uint8_t fate, venue;
    bool launched, graduated;
    uint32_t creator;
    int32_t cluster;
    int64_t launch_ms, pump_end_ms, death_ms, grad_ms, peak_ms, last_trade_ms;
    uint64_t launch_slot;
    double hype;   /* crowd trades per minute at launch */
    double growth; /* extra multiple of hype reached at pump_end */
    double decay_ms;
    double launch_price, peak_price, ref_price;
    int64_t bait_until_ms;
    struct curve curve;
    struct pool pool;
    uint64_t pool_sol0, pool_tokens0;
    uint64_t swaps;
    uint8_t early_buyers;  /* distinct buyers after the creator, counted up to SIM_EARLY */
    uint8_t early_bots;    /* snipers and insiders among them */
    VEC(uint32_t) holders; /* holding indices */
};

struct ev {
    int64_t t;
    uint64_t seq;
    uint64_t x;
    uint32_t a, b;
    uint8_t kind;
};

struct sim {
    struct scenario sc;
    struct rng rng;
    int64_t start_ms, end_ms;
    VEC(struct sim_wallet) wallets;
    VEC(struct token) tokens;
    VEC(uint32_t) retail;
    VEC(uint32_t) skilled; /* skilled and fading */
    VEC(uint32_t) snipers;
    VEC(uint32_t) baiters;
    VEC(uint32_t) creators;
    VEC(uint32_t) followers;
    VEC(uint32_t) cluster_funder;  /* by cluster id */
    VEC(uint32_t) cluster_members; /* members of cluster c at [cluster_off[c], cluster_off[c+1]) */
    VEC(uint32_t) cluster_off;
    VEC(struct holding) holdings;
    VEC(uint32_t) free_holdings;
    uint64_t *map_keys; /* (wallet << 32 | token) + 1; 0 is empty */
    uint32_t *map_vals;
    size_t map_cap, map_len;
    VEC(struct ev) heap;
    uint64_t seq;
    double fate_cum[SIM_NFATES];
    struct sim_stats stats;
};

/* Derives a 32-byte key from (seed, domain, a, b) and writes its base58
 * form; used for every simulated address. */
void sim_derive_address(const struct sim *s, uint64_t domain, uint64_t a, uint64_t b,
                        struct b58addr *out);

#define SIM_DOMAIN_WALLET     1
#define SIM_DOMAIN_MINT       2
#define SIM_DOMAIN_CURVE      3
#define SIM_DOMAIN_CURVEVAULT 4
#define SIM_DOMAIN_POOL       5
#define SIM_DOMAIN_POOLVAULT  6
#define SIM_DOMAIN_POOLWSOL   7
#define SIM_DOMAIN_ATA        8
#define SIM_DOMAIN_WSOLTMP    9

/* ---- the model's internals, shared by sim.c and sim_setup.c ----------- */

/* The kinds of action on the heap and their operands. */
enum ev_kind {
    EV_FUND = 1, /* a=from b=to x=lamports */
    EV_LAUNCH,   /* a=token */
    EV_FLOW,     /* a=token: the crowd's next trade */
    EV_BUY,      /* a=wallet b=token x=lamports | reason << 56 */
    EV_SELL,     /* a=wallet b=token x=ppm of the position | reason << 56 */
    EV_CHECK,    /* a=wallet b=token: managed exit rules */
    EV_SWEEP,    /* a=insider b=funder */
    EV_GC,       /* a=token: forget the positions of a long-dead token */
};

#define SOL            1000000000ULL
#define PPM            1000000ULL
#define BASE_FEE       5000ULL
#define KEEP_LAMPORTS  2000000ULL /* left for rent and fees */
#define REASON_SHIFT   56
#define AMOUNT_MASK    ((1ULL << REASON_SHIFT) - 1)
#define EXCHANGE_FLOAT (100000000ULL * SOL)

/* Lamports of an amount in SOL. */
uint64_t sim_lamports_of(double sol);
/* Schedules an action of kind at time t (never before now): a, b and x
 * are its operands, as the kinds above describe them. */
void sim_push(struct sim *s, int64_t t, int64_t now, uint8_t kind, uint32_t a, uint32_t b,
              uint64_t x);
/* The slot of time t on the simulated chain (400 ms slots from the
 * scenario's start slot). */
uint64_t sim_slot_of(const struct sim *s, int64_t t);

#endif
