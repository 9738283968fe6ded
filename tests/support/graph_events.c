/* Hand-made swaps and transfers for the wallet graph's tests (test_graph,
 * test_graph_live): wallet and mint numbers as keys, a fresh signature
 * each. Included into a test's .c (#include "../support/graph_events.c"),
 * so every function is static. Keys are the number's bytes, little-endian:
 * their byte order is not the numbers' order, as with real keys. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event/event.h"

#define SOL 1000000000ULL
#define SEC 1000

__attribute__((unused)) static struct pubkey key(uint32_t i)
{
    struct pubkey k;
    memset(&k, 0, sizeof k);
    memcpy(k.b, &i, sizeof i);
    k.b[31] = 0x5a; /* never the all-zero (SOL) mint */
    return k;
}

static uint64_t sig_counter;

__attribute__((unused)) static struct signature next_sig(void)
{
    struct signature s;
    memset(&s, 0, sizeof s);
    sig_counter++;
    memcpy(s.b, &sig_counter, sizeof sig_counter);
    s.b[63] = 1;
    return s;
}

__attribute__((unused)) static struct swap_event buy(uint32_t w, uint32_t mint, int64_t t)
{
    struct swap_event s;
    memset(&s, 0, sizeof s);
    s.sig = next_sig();
    s.ts_ms = t;
    s.slot = (uint64_t)(t / 400) + 1;
    s.wallet = key(w);
    s.mint = key(100000 + mint);
    s.quote_mint = key(999999);
    s.side = SIDE_BUY;
    s.decimals = 6;
    s.quote_decimals = 9;
    s.token_amount = 1000;
    s.quote_amount = SOL;
    s.price_sol = 1e-6;
    snprintf(s.source, sizeof s.source, "PUMP_FUN");
    return s;
}

__attribute__((unused)) static struct transfer_event sol(uint32_t from, uint32_t to,
                                                         uint64_t lamports, int64_t t)
{
    struct transfer_event x;
    memset(&x, 0, sizeof x);
    x.sig = next_sig();
    x.ts_ms = t;
    x.slot = (uint64_t)(t / 400) + 1;
    x.from = key(from);
    x.to = key(to);
    x.decimals = 9;
    x.amount = lamports;
    return x;
}
