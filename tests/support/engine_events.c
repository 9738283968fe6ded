/* Hand-made swaps for the engine's unit tests (test_engine, test_snap_json,
 * test_paper_fail, test_engine_store): wallets and mints by number, a fresh signature each,
 * amounts in whole tokens at a price in SOL. Included into a test's .c
 * (#include "../support/engine_events.c") after event/event.h, so every
 * function is static. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "event/event.h"

/* The key of wallet (kind 1) or mint (kind 2) number i. */
static struct pubkey key(unsigned kind, unsigned i)
{
    struct pubkey k;
    memset(&k, 0, sizeof k);
    k.b[0] = (uint8_t)kind;
    k.b[1] = (uint8_t)(i >> 8);
    k.b[2] = (uint8_t)i;
    k.b[31] = 7;
    return k;
}

static unsigned sig_counter;

/* A swap of `tokens` whole tokens (6 decimals) at `price` SOL per token. */
static struct event swap(unsigned wallet, unsigned mint, enum side side, double tokens,
                         double price, int64_t ts)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_SWAP;
    struct swap_event *s = &e.u.swap;
    sig_counter++;
    memcpy(s->sig.b, &sig_counter, sizeof sig_counter);
    s->ts_ms = ts;
    s->slot = (uint64_t)(ts / 400);
    s->wallet = key(1, wallet);
    s->mint = key(2, mint);
    s->side = side;
    s->decimals = 6;
    s->quote_decimals = 9;
    s->token_amount = (uint64_t)llround(tokens * 1e6);
    s->quote_amount = (uint64_t)llround(tokens * price * 1e9);
    s->price_sol = price;
    snprintf(s->source, sizeof s->source, "RAYDIUM");
    return e;
}
