/* Base58 (Bitcoin alphabet), as Solana prints public keys and signatures.
 *
 * Pure functions, any thread, no allocation. */
#ifndef WT_SOLANA_BASE58_H
#define WT_SOLANA_BASE58_H

#include <stddef.h>
#include <stdint.h>

/* Longest encoding of 64 bytes (a signature) plus the NUL. */
#define BASE58_SIG_MAX 89
/* Longest encoding of 32 bytes (a public key) plus the NUL. */
#define BASE58_KEY_MAX 45

/* Encodes in[0..n) into out (NUL-terminated). Returns the length, or
 * WT_EFULL when outsize is too small (out is then ""). n <= 128. */
int base58_encode(const uint8_t *in, size_t n, char *out, size_t outsize);
/* Decodes s[0..len) into exactly `want` bytes. Returns 0, WT_EPARSE on a
 * character outside the alphabet, WT_ERANGE when the value does not fit in
 * or does not fill exactly `want` bytes (so a 31-byte key is refused).
 * len <= 180. */
int base58_decode(const char *s, size_t len, uint8_t *out, size_t want);

/* The same contracts, one byte at a time: the fallback the functions above
 * use for unusual sizes, and the independent reference their tests compare
 * them with. Prefer base58_encode / base58_decode. */
int base58_encode_bytewise(const uint8_t *in, size_t n, char *out, size_t outsize);
int base58_decode_bytewise(const char *s, size_t len, uint8_t *out, size_t want);

#endif
