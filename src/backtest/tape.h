/* The event tape of backtests: the stored swaps of a time range in a
 * compact binary form, in replay order ((ts_ms, id) as the store keeps
 * them), built once and read by every run (and every thread of a grid
 * search: a built tape is read-only).
 *
 * One record is 64 bytes (struct bt_rec): wallets, mints and quote mints
 * are interned to 32-bit ids, the DEX source to an 8-bit index. What the
 * tape does not keep: the transaction signature and the slot, which no
 * decision of the engine reads (signals of a backtest carry no swap
 * signature). Transfers are not kept (the engine only counts them); the
 * feeds' price events are not replayed yet (planned).
 *
 * The tape can be written to a file and read back (bt_tape_save /
 * bt_tape_load: a header, the keys, the sources, the records; no JSON) so
 * that it is built from the store once and extended with the events that
 * arrived since (bt_tape_extend). Pure apart from those; one thread per
 * tape while it is built. */
#ifndef WT_BACKTEST_TAPE_H
#define WT_BACKTEST_TAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/intern.h"
#include "base/vec.h"
#include "event/event.h"
#include "store/store.h"

#define BT_SOURCES_MAX 255

/* One swap. side: enum side; source: index into the tape's sources (255:
 * none). fee_lamports saturates at UINT32_MAX (fees are far below). */
struct bt_rec {
    int64_t ts_ms;
    uint64_t token_amount, quote_amount;
    double price_sol, price_usd;
    uint32_t wallet, mint, quote_mint;
    uint32_t fee_lamports;
    uint16_t leg;
    uint8_t side, decimals, quote_decimals, source;
    uint8_t pad_[2];
};

/* Invariants: recs sorted by ts_ms (ties in store order); every id in a
 * record < keys.count; covers [from_ms, to_ms) of the store's swaps:
 * each stored swap with a time in it is in the tape exactly once. */
struct bt_tape {
    struct intern keys;
    VEC(struct bt_rec) recs;
    char sources[BT_SOURCES_MAX][EVENT_SOURCE_MAX];
    uint32_t n_sources;
    int64_t from_ms, to_ms;
    int64_t last_id; /* store id of the last swap read (extension) */
};

void bt_tape_init(struct bt_tape *t);
void bt_tape_release(struct bt_tape *t);
/* Appends one swap (its time must not precede the last record's). */
void bt_tape_add(struct bt_tape *t, const struct swap_event *s);
/* The swap of record i, rebuilt (signature zero, slot 0). */
void bt_tape_swap(const struct bt_tape *t, size_t i, struct swap_event *out);
/* The same into an event bt_tape_swap filled before (its signature, slot
 * and padding still zero): every other field is overwritten, nothing is
 * cleared first (a replay's loop, one event reused). */
void bt_tape_swap_over(const struct bt_tape *t, size_t i, struct swap_event *out);
/* Asks the cache for record i (its 64 bytes) ahead of use, and for its
 * wallet's key (the record is read then). No effect on any result. A
 * macro: GCC deletes calls of a function doing nothing but prefetches
 * (it finds it pure), inlined or not. */
#define BT_TAPE_PREFETCH(t, i)     __builtin_prefetch(&(t)->recs.v[(i)])
#define BT_TAPE_PREFETCH_KEY(t, i) __builtin_prefetch((t)->keys.keys[(t)->recs.v[(i)].wallet])
/* The key of an id. */
const uint8_t *bt_tape_key(const struct bt_tape *t, uint32_t id);

/* Reads the stored swaps with from_ms <= ts < to_ms into an empty tape.
 * Returns 0 or a store error. */
int bt_tape_from_store(struct bt_tape *t, struct store *st, int64_t from_ms, int64_t to_ms);
/* Extends a tape to to_ms with the stored swaps of [t->to_ms, to_ms).
 * Returns 0 or a store error. */
int bt_tape_extend(struct bt_tape *t, struct store *st, int64_t to_ms);

/* Writes the tape to path (atomically: a temporary file renamed). Returns
 * 0 or WT_EIO. */
int bt_tape_save(const struct bt_tape *t, const char *path);
/* Reads a tape written by bt_tape_save into an empty tape. Returns 0,
 * WT_ENOTFOUND (no file), WT_EIO, WT_EPARSE (not a tape, or another
 * version: rebuild it). */
int bt_tape_load(struct bt_tape *t, const char *path);

/* The tape of every stored swap, through a cache file at path: read it,
 * extend it with the swaps stored since, or rebuild it when the store
 * holds swaps it cannot account for (a count check: a swap stored late
 * with an older time, a different database); then write it back when it
 * changed. *how (may be NULL) receives "cached", "extended" or "built".
 * Returns 0 or a store error (a cache file that cannot be written is
 * not an error: the tape in memory is complete). */
int bt_tape_cached(struct bt_tape *t, struct store *st, const char *path, const char **how);

#endif
