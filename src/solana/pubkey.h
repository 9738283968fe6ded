/* Solana public keys (wallets, mints, programs): 32 bytes, printed in
 * base58. Pure functions, any thread. */
#ifndef WT_SOLANA_PUBKEY_H
#define WT_SOLANA_PUBKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solana/base58.h"

struct pubkey {
    uint8_t b[32];
};

/* Well-known mints, as base58 strings. */
#define MINT_WSOL "So11111111111111111111111111111111111111112"
#define MINT_USDC "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
#define MINT_USDT "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"

/* Parses a base58 public key. Returns 0, WT_EPARSE or WT_ERANGE (not 32
 * bytes). The _n form takes a length. */
int pubkey_parse(const char *s, struct pubkey *out);
int pubkey_parse_n(const char *s, size_t len, struct pubkey *out);
/* Writes the base58 form into out (BASE58_KEY_MAX bytes). Returns out. */
char *pubkey_format(const struct pubkey *k, char out[BASE58_KEY_MAX]);
bool pubkey_eq(const struct pubkey *a, const struct pubkey *b);
bool pubkey_is_zero(const struct pubkey *k);

#endif
