/* Interning of 32-byte keys (public keys, mints) into dense u32 ids.
 *
 * Inside the engine every wallet and mint is an id from 0 to count-1, so
 * state lives in arrays indexed by id rather than in maps of strings. This
 * is an open-addressing hash table with linear probing over slots that
 * hold ids; the keys themselves live in one array in id order.
 *
 * Invariants: count < slot_count * 3/4; slot_count is a power of two; every
 * id in [0, count) is in exactly one slot; empty slots hold INTERN_NONE.
 * Not thread-safe: owned by one thread (the engine, or a decoder). */
#ifndef WT_BASE_INTERN_H
#define WT_BASE_INTERN_H

#include <stdbool.h>
#include <stdint.h>

#define INTERN_NONE UINT32_MAX

struct intern {
    uint8_t (*keys)[32]; /* keys[id] */
    uint32_t *slots;     /* slot -> id or INTERN_NONE */
    uint32_t count;
    uint32_t key_cap;
    uint32_t mask; /* slot_count - 1 */
};

/* Initialises an empty table sized for about `expected` keys. */
void intern_init(struct intern *t, uint32_t expected);
void intern_release(struct intern *t);
/* Returns the id of key, or INTERN_NONE when it was never interned. */
uint32_t intern_find(const struct intern *t, const uint8_t key[32]);
/* Returns the id of key, adding it with the next free id if new.
 * Returns INTERN_NONE only when 2^32-1 keys are already interned. */
uint32_t intern_put(struct intern *t, const uint8_t key[32]);
/* Returns the key of an id in [0, count). The pointer is valid until the
 * next intern_put. */
const uint8_t *intern_key(const struct intern *t, uint32_t id);
/* Whether the invariants above hold; for assert(). O(count + slots). Debug
 * builds assert it inside intern_put whenever count reaches a power of two. */
bool intern_ok(const struct intern *t);

#endif
