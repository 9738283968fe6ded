/* Open-addressing intern table for 32-byte keys. See intern.h.
 *
 * Public keys are uniformly random bytes, so the first 8 bytes mixed once
 * make a good hash; a multiplicative mix still guards against structured
 * test keys (all zero but one byte). */
#include "base/intern.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static uint64_t hash32(const uint8_t *k)
{
    uint64_t a, b;
    memcpy(&a, k, 8);
    memcpy(&b, k + 24, 8);
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 31);
}

static void rehash(struct intern *t, uint32_t slot_count)
{
    free(t->slots);
    t->slots = xmalloc((size_t)slot_count * sizeof *t->slots);
    memset(t->slots, 0xff, (size_t)slot_count * sizeof *t->slots);
    t->mask = slot_count - 1;
    for (uint32_t id = 0; id < t->count; id++) {
        uint64_t i = hash32(t->keys[id]) & t->mask;
        while (t->slots[i] != INTERN_NONE)
            i = (i + 1) & t->mask;
        t->slots[i] = id;
    }
}

void intern_init(struct intern *t, uint32_t expected)
{
    uint32_t slots = 16;
    while (slots < 0x80000000u && (uint64_t)slots * 3 / 4 <= expected)
        slots *= 2;
    t->keys = NULL;
    t->count = 0;
    t->key_cap = 0;
    t->slots = NULL;
    rehash(t, slots);
}

void intern_release(struct intern *t)
{
    free(t->keys);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

uint32_t intern_find(const struct intern *t, const uint8_t key[32])
{
    uint64_t i = hash32(key) & t->mask;
    for (;;) {
        uint32_t id = t->slots[i];
        if (id == INTERN_NONE)
            return INTERN_NONE;
        if (memcmp(t->keys[id], key, 32) == 0)
            return id;
        i = (i + 1) & t->mask;
    }
}

uint32_t intern_put(struct intern *t, const uint8_t key[32])
{
    uint64_t i = hash32(key) & t->mask;
    for (;;) {
        uint32_t id = t->slots[i];
        if (id == INTERN_NONE)
            break;
        if (memcmp(t->keys[id], key, 32) == 0)
            return id;
        i = (i + 1) & t->mask;
    }
    if (t->count == INTERN_NONE - 1 || t->mask >= 0x7fffffffu)
        return INTERN_NONE;
    if (t->count == t->key_cap) {
        t->key_cap = t->key_cap ? t->key_cap * 2 : 64;
        t->keys = xreallocarray(t->keys, t->key_cap, sizeof *t->keys);
    }
    uint32_t id = t->count++;
    memcpy(t->keys[id], key, 32);
    t->slots[i] = id;
    if ((uint64_t)t->count * 4 >= (uint64_t)(t->mask + 1) * 3)
        rehash(t, (t->mask + 1) * 2);
    /* Debug builds verify the whole table each time count reaches a power
     * of two: O(count + slots) at doubling counts, O(1) per put amortised. */
    assert((t->count & (t->count - 1)) != 0 || intern_ok(t));
    return id;
}

const uint8_t *intern_key(const struct intern *t, uint32_t id)
{
    return id < t->count ? t->keys[id] : NULL;
}

bool intern_ok(const struct intern *t)
{
    uint32_t slot_count = t->mask + 1, seen = 0;
    if ((slot_count & t->mask) != 0)
        return false;
    if ((uint64_t)t->count * 4 >= (uint64_t)slot_count * 3)
        return false;
    for (uint32_t i = 0; i < slot_count; i++) {
        uint32_t id = t->slots[i];
        if (id == INTERN_NONE)
            continue;
        if (id >= t->count || intern_find(t, t->keys[id]) != id)
            return false;
        seen++;
    }
    return seen == t->count;
}
