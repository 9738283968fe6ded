/* Base64 (RFC 4648 §4, standard alphabet with '=' padding), as Solana RPC
 * and Jupiter carry wire transactions.
 *
 * Pure functions, any thread, no allocation. */
#ifndef WT_BASE_BASE64_H
#define WT_BASE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Length of the padded encoding of n bytes, without the NUL. */
#define BASE64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)
/* Upper bound of the decoded length of a len-character input. */
#define BASE64_DECODED_MAX(len) (((len) / 4) * 3 + 3)

/* Encodes in[0..n) with padding into out and NUL-terminates. Returns 0, or
 * WT_EFULL when outsize < BASE64_ENCODED_LEN(n) + 1 (out is then ""). */
int base64_encode(const uint8_t *in, size_t n, char *out, size_t outsize);

/* Decodes s[0..len) into out. Padding is optional, but when present it must
 * be correct; whitespace and characters outside the alphabet are refused,
 * and so are non-zero bits after the last byte (non-canonical input), so
 * every accepted string is the encoding of exactly one byte string.
 * Returns 0 and *outlen, WT_EPARSE on malformed input, or WT_EFULL when
 * outsize is too small (out is then unspecified). */
int base64_decode(const char *s, size_t len, uint8_t *out, size_t outsize, size_t *outlen);

#endif
