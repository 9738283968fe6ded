/* Reading a ledger: counts, ids and keys, the wallet and mint records,
 * positions as views, memory use, and the invariant check. Split from
 * intel/ledger.c, which applies swaps (see there for the shape). */
#include <assert.h>
#include <string.h>

#include "intel/ledger_impl.h"

uint32_t ledger_wallet_count(const struct ledger *l)
{
    return (uint32_t)l->wallets.len;
}

uint32_t ledger_mint_count(const struct ledger *l)
{
    return (uint32_t)l->mints.len;
}

uint32_t ledger_wallet_id(const struct ledger *l, const struct pubkey *wallet)
{
    uint32_t id = intern_find(&l->wallet_ids, wallet->b);
    return id == INTERN_NONE ? LEDGER_NONE : id;
}

uint32_t ledger_mint_id(const struct ledger *l, const struct pubkey *mint)
{
    uint32_t id = intern_find(&l->mint_ids, mint->b);
    return id == INTERN_NONE ? LEDGER_NONE : id;
}

const uint8_t *ledger_wallet_key(const struct ledger *l, uint32_t wallet)
{
    return intern_key(&l->wallet_ids, wallet);
}

const uint8_t *ledger_mint_key(const struct ledger *l, uint32_t mint)
{
    return intern_key(&l->mint_ids, mint);
}

/* The bounds asserted are the capacities: during a background batch flush
 * the adding thread may append (never move) while the flush reads. */
const struct ledger_wallet *ledger_wallet(const struct ledger *l, uint32_t wallet)
{
    assert(wallet < l->wallets.cap);
    return &l->wallets.v[wallet];
}

const struct ledger_mint *ledger_mint(const struct ledger *l, uint32_t mint)
{
    assert(mint < l->mints.cap);
    return &l->mints.v[mint];
}

const char *ledger_source_name(const struct ledger *l, uint8_t source)
{
    return source < l->n_sources ? l->sources[source] : "";
}

/* A closed position holds nothing: its quantity and cost are +0 without
 * the 128-bit conversions (0 / 10^decimals and 0 / 1e9 are +0 for every
 * decimals), and its value stays 0 * the last price, as computed for an
 * open one (NaN when that price is). */
static void pos_view(const struct ledger *l, const struct pos *p, struct ledger_position *out)
{
    const struct ledger_mint *m = &l->mints.v[p->mint];
    memset(out, 0, sizeof *out);
    out->mint = p->mint;
    out->open = p->open != LEDGER_NONE;
    if (out->open) {
        const struct trip_state *o = &l->open.v[p->open];
        u128 cost = 0;
        bool unknown = false;
        for (uint32_t i = o->head; i < o->len; i++) {
            cost += (u128)o->lots[i].cost * o->lots[i].n;
            unknown |= o->lots[i].unknown != 0;
        }
        out->qty_tokens = (double)((long double)o->qty / pow10_of(m->decimals));
        out->cost_sol = ldsol((i128)cost);
        out->unknown_cost = unknown;
    }
    out->value_sol = out->qty_tokens * m->last_price_sol;
    out->unrealized_sol = out->open && !out->unknown_cost ? out->value_sol - out->cost_sol : 0;
    out->first_buy_ms = p->first_buy_ms;
    out->first_buy_price_sol = p->first_buy_price;
    out->buy_rank = p->buy_rank;
    out->bought_sol = p->bought_sol;
}

uint32_t ledger_pos_next(const struct ledger *l, uint32_t wallet, uint32_t cursor,
                         struct ledger_position *out)
{
    assert(wallet < l->wallets.len);
    uint32_t id = cursor == LEDGER_NONE ? l->wallets.v[wallet].first_pos : l->pos.v[cursor].next;
    if (id != LEDGER_NONE && out)
        pos_view(l, &l->pos.v[id], out);
    return id;
}

/* How far ahead ledger_pos_at asks for a position's line, and for its
 * mint's two lines (read from the position, which must have arrived). */
#define POS_AHEAD  8
#define MINT_AHEAD 4

void ledger_pos_at(const struct ledger *l, uint32_t wallet, uint32_t i, struct ledger_position *out)
{
    assert(wallet < l->wallets.len);
    const struct ledger_wallet *w = &l->wallets.v[wallet];
    assert(i < w->pos_ids.len);
    const uint32_t *ids = w->pos_ids.v;
    size_t last = w->pos_ids.len - 1; /* newest first: i counts from the end */
    /* macros, not an inline helper: GCC drops calls of a function doing
     * nothing but __builtin_prefetch (see src/backtest/replay.c) */
    if (i + POS_AHEAD <= last)
        __builtin_prefetch(&l->pos.v[ids[last - i - POS_AHEAD]]);
    if (i + MINT_AHEAD <= last) {
        const char *m = (const char *)&l->mints.v[l->pos.v[ids[last - i - MINT_AHEAD]].mint];
        __builtin_prefetch(m);
        __builtin_prefetch(m + sizeof(struct ledger_mint) - 1);
    }
    pos_view(l, &l->pos.v[ids[last - i]], out);
}

double ledger_unrealized_sol(const struct ledger *l, uint32_t wallet)
{
    double u = 0;
    struct ledger_position v;
    for (uint32_t c = ledger_pos_next(l, wallet, LEDGER_NONE, &v); c != LEDGER_NONE;
         c = ledger_pos_next(l, wallet, c, &v))
        u += v.unrealized_sol;
    return u;
}

void ledger_mem_usage(const struct ledger *l, struct ledger_mem *out)
{
    memset(out, 0, sizeof *out);
    out->wallet_bytes = l->wallets.cap * sizeof(struct ledger_wallet) +
                        l->wallet_ids.key_cap * 32u + (l->wallet_ids.mask + 1u) * 4u;
    out->pos_bytes = l->pos.cap * sizeof(struct pos) + l->open.cap * sizeof(struct trip_state) +
                     (l->map_mask + 1u) * sizeof(struct map_slot);
    out->mint_bytes = l->mints.cap * sizeof(struct ledger_mint) + l->mint_ids.key_cap * 32u +
                      (l->mint_ids.mask + 1u) * 4u;
    for (size_t i = 0; i < l->open.len; i++)
        out->lot_bytes += l->open.v[i].cap * sizeof(struct lot);
    for (size_t i = 0; i < l->wallets.len; i++) {
        out->trip_bytes += l->wallets.v[i].trips.cap * sizeof(struct ledger_trip);
        out->fill_bytes += l->wallets.v[i].fills.cap * sizeof(struct ledger_fill);
        out->pos_bytes += l->wallets.v[i].pos_ids.cap * sizeof(uint32_t);
    }
}

bool ledger_ok(const struct ledger *l)
{
    if (l->wallets.len != l->wallet_ids.count || l->mints.len != l->mint_ids.count)
        return false;
    uint32_t in_use = 0;
    for (size_t i = 0; i < l->pos.len; i++) {
        const struct pos *p = &l->pos.v[i];
        if (map_find(l, p->wallet, p->mint) != i)
            return false;
        if (p->open == LEDGER_NONE)
            continue;
        if (p->open >= l->open.len)
            return false;
        const struct trip_state *o = &l->open.v[p->open];
        u128 q = 0;
        if (o->head > o->len || o->len > o->cap || o->head == o->len)
            return false;
        for (uint32_t j = o->head; j < o->len; j++) {
            if (o->lots[j].qty == 0 || o->lots[j].n == 0)
                return false;
            q += (u128)o->lots[j].qty * o->lots[j].n;
        }
        if (q != o->qty || o->peak_qty < o->qty)
            return false;
        in_use++;
    }
    /* every slot is either used by exactly one position or free */
    uint32_t n_free = 0;
    for (uint32_t f = l->open_free; f != LEDGER_NONE; f = l->open.v[f].next_free)
        if (++n_free > l->open.len)
            return false;
    if (in_use != l->n_open || in_use + n_free != l->open.len)
        return false;
    for (size_t w = 0; w < l->wallets.len; w++) {
        uint32_t n = 0;
        for (uint32_t c = l->wallets.v[w].first_pos; c != LEDGER_NONE; c = l->pos.v[c].next) {
            if (l->pos.v[c].wallet != w || ++n > l->wallets.v[w].n_pos)
                return false;
        }
        if (n != l->wallets.v[w].n_pos || l->wallets.v[w].pos_ids.len != n)
            return false;
        /* the ids, oldest first, are the list read backwards */
        for (uint32_t c = l->wallets.v[w].first_pos; c != LEDGER_NONE; c = l->pos.v[c].next)
            if (l->wallets.v[w].pos_ids.v[--n] != c)
                return false;
    }
    return true;
}
