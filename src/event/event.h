/* The events that flow from ingest to the store and the engine.
 *
 * Everything that changes the engine's state is an event with a timestamp
 * (DESIGN §1). This header defines the observed-market events that the
 * decoders produce (swaps, transfers) and price updates. Amounts are
 * integers in base units and are never carried through a double; prices are
 * doubles per whole token (DESIGN §4).
 *
 * A transaction can yield several events; (signature, leg) identifies each
 * one and is the idempotency key of the store (leg = index of the event
 * within its transaction, in decoder order, stable for the same input). */
#ifndef WT_INGEST_EVENT_H
#define WT_INGEST_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "solana/pubkey.h"

enum event_kind {
    EVENT_SWAP = 1,
    EVENT_TRANSFER = 2,
    EVENT_PRICE = 3,
    EVENT_FILL = 4,    /* an executor's answer to one of our orders (trade/executor.h) */
    EVENT_TICK = 5,    /* a timer tick: time rules, breakers, paper latency */
    EVENT_COMMAND = 6, /* an operator or curation command (struct command_event) */
};

enum side {
    SIDE_BUY = 1,  /* the wallet received `mint` and paid the quote asset */
    SIDE_SELL = 2, /* the wallet gave `mint` and received the quote asset */
};

/* A signature: 64 bytes, printed in base58 (up to 88 characters). */
struct signature {
    uint8_t b[64];
};

#define EVENT_SOURCE_MAX 24

/* A swap by `wallet`: side, the token (`mint`) and the quote leg (SOL/wSOL,
 * USDC or USDT; for a token-to-token swap, the decoder emits two legs
 * through the quote asset, see docs/internals/ingest.md).
 * Invariants: token_amount > 0; quote_amount > 0 unless the quote leg is
 * unknown (then price_sol is 0). */
struct swap_event {
    struct signature sig;
    uint16_t leg;
    uint64_t slot;
    int64_t ts_ms; /* block time, Unix milliseconds */
    struct pubkey wallet;
    struct pubkey mint;       /* the token bought or sold */
    struct pubkey quote_mint; /* wSOL mint for native SOL too */
    enum side side;
    uint8_t decimals;              /* of mint */
    uint8_t quote_decimals;        /* 9 for SOL */
    uint64_t token_amount;         /* raw units of mint */
    uint64_t quote_amount;         /* raw units of quote_mint (lamports for SOL) */
    double price_sol;              /* SOL per whole token; 0 when unknown */
    double price_usd;              /* USD per whole token; 0 when unknown */
    uint64_t fee_lamports;         /* network + priority fee paid by the wallet */
    char source[EVENT_SOURCE_MAX]; /* "PUMP_FUN", "RAYDIUM", "JUPITER", ... */
};

/* A transfer of native SOL or of a token between two wallets; funding
 * links (FUNDED_BY) come from these. */
struct transfer_event {
    struct signature sig;
    uint16_t leg;
    uint64_t slot;
    int64_t ts_ms;
    struct pubkey from;
    struct pubkey to;
    struct pubkey mint; /* all zero for native SOL */
    uint8_t decimals;   /* 9 for native SOL */
    uint64_t amount;    /* raw units (lamports for SOL) */
};

/* A price observation of a token from a feed (DexScreener, Jupiter) or
 * implied by a swap. ts_ms is when the feed's data was fetched (an answer
 * served from a cache keeps its fetch time). */
struct price_event {
    struct pubkey mint;
    int64_t ts_ms;
    double price_sol;        /* 0 when unknown (a pair not quoted in SOL) */
    double price_usd;        /* 0 when unknown */
    double liquidity_usd;    /* 0 when unknown */
    double mcap_usd;         /* 0 when unknown */
    int64_t pair_created_ms; /* when the token's pool was created (its age); 0 unknown */
    char source[EVENT_SOURCE_MAX];
};

enum fill_status { FILL_FILLED = 1, FILL_FAILED = 2 };

/* The outcome of one order we sent (paper or live). Amounts are what
 * actually moved: for a live fill, read from the confirmed transaction's
 * balance changes. */
struct fill_event {
    uint64_t order_id;
    int64_t ts_ms; /* when it filled (or finally failed) */
    enum fill_status status;
    enum side side;
    struct pubkey mint;
    uint64_t token_amount; /* raw units received (buy) or sold (sell) */
    uint64_t sol_amount;   /* lamports paid (buy) or received (sell), fees apart */
    uint64_t fee_lamports; /* network + priority fees */
    double price_sol;      /* effective SOL per whole token */
    bool live;             /* from the live executor */
    struct signature sig;  /* live: the transaction; paper: all zero */
    char error[96];        /* FILL_FAILED: why */
};

/* A timer tick: lets the time rules (maximum hold, stagnation, signal
 * silence, paper latency) fire when no market event arrives. */
struct tick_event {
    int64_t ts_ms;
};

/* What an operator (API, CLI) or curation (discovery) asks the engine to do.
 * Commands are events like any other, so a recorded stream replays them at
 * the same place (DESIGN §1). */
enum command_kind {
    CMD_PAUSE = 1,           /* text: optional reason */
    CMD_RESUME,              /* clears the operator pause only */
    CMD_BREAKER_RESET,       /* text: a breaker name, or "" / "all" for every breaker */
    CMD_WATCH,               /* wallet; value: the stored score 0..100 (prior), or < 0 unknown */
    CMD_UNWATCH,             /* wallet */
    CMD_BLACKLIST,           /* wallet */
    CMD_UNBLACKLIST,         /* wallet */
    CMD_CLUSTER_BLACKLIST,   /* wallet (a member); text: the cluster label */
    CMD_CLUSTER_UNBLACKLIST, /* wallet (a member) */
    CMD_SET,                 /* name: a live setting; text: its new value; value 1: more
                                settings follow, validate them all with the last */
    CMD_SET_STRATEGY,        /* id: a position; name: an exit strategy of the book */
    CMD_CLOSE_POSITION,      /* id: a position; sells everything (reason manual) */
    CMD_EXIT_PUT,            /* payload: a struct exit_strategy; adds it to the exit book or
                                replaces the strategy of that name */
    CMD_EXIT_DELETE,         /* name: an exit strategy to remove from the book */
    CMD_CLUSTER_RESET,       /* forget every wallet's cluster and cluster blacklist (a rebuild
                                of the wallet graph follows with the new memberships) */
    CMD_CLUSTER_MEMBER,      /* wallet; value: its cluster's id (> 0); name: "leader" or
                                "follower" */
};

#define COMMAND_NAME_MAX    64
#define COMMAND_TEXT_MAX    160
#define COMMAND_PAYLOAD_MAX 256

/* Invariants: name and text are NUL-terminated (but CMD_EXIT_PUT carries a
 * payload in their place). seq is set by whoever
 * queues the command (0 when nobody waits for it) and is echoed in the
 * engine's published state once the command is applied. */
struct command_event {
    int64_t ts_ms;
    enum command_kind kind;
    uint64_t seq;
    uint64_t id;
    double value;
    union {
        struct {
            struct pubkey wallet;
            char name[COMMAND_NAME_MAX];
            char text[COMMAND_TEXT_MAX];
        };
        /* CMD_EXIT_PUT: the bytes of a struct exit_strategy (trade/exits.h;
         * this layer does not know the type, engine.c checks that it fits).
         * A strategy is plain data, so a command stays a value that can be
         * copied through the queue like every other event. */
        _Alignas(8) unsigned char payload[COMMAND_PAYLOAD_MAX];
    };
};

struct event {
    enum event_kind kind;
    union {
        struct swap_event swap;
        struct transfer_event transfer;
        struct price_event price;
        struct fill_event fill;
        struct tick_event tick;
        struct command_event command;
    } u;
};

/* Every event is copied by value through queues and batches: the union is
 * as large as its largest member, the command (296 bytes); a price event
 * stays well below it. */
_Static_assert(sizeof(struct price_event) <= sizeof(struct command_event),
               "a price event must not grow struct event");

/* Timestamp of any event. */
static inline int64_t event_ts_ms(const struct event *e)
{
    switch (e->kind) {
    case EVENT_SWAP:
        return e->u.swap.ts_ms;
    case EVENT_TRANSFER:
        return e->u.transfer.ts_ms;
    case EVENT_PRICE:
        return e->u.price.ts_ms;
    case EVENT_FILL:
        return e->u.fill.ts_ms;
    case EVENT_TICK:
        return e->u.tick.ts_ms;
    case EVENT_COMMAND:
        return e->u.command.ts_ms;
    }
    return 0;
}

#endif
