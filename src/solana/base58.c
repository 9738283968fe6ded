/* Base58 encode/decode by repeated division, O(n^2) on at most 128 bytes,
 * which is what Solana keys (32) and signatures (64) need. */
#include "solana/base58.h"

#include <string.h>

#include "base/err.h"
#include "base/mem.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int base58_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
    if (n > 128) {
        if (outsize)
            out[0] = '\0';
        return WT_EINVAL;
    }
    size_t zeros = 0;
    while (zeros < n && in[zeros] == 0)
        zeros++;
    uint8_t digits[180]; /* base-58 digits, least significant first */
    size_t nd = 0;
    for (size_t i = zeros; i < n; i++) {
        unsigned carry = in[i];
        for (size_t j = 0; j < nd; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry) {
            digits[nd++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    size_t len = zeros + nd;
    if (len + 1 > outsize) {
        if (outsize)
            out[0] = '\0';
        return WT_EFULL;
    }
    for (size_t i = 0; i < zeros; i++)
        out[i] = '1';
    for (size_t i = 0; i < nd; i++)
        out[zeros + i] = ALPHABET[digits[nd - 1 - i]];
    out[len] = '\0';
    return (int)len;
}

static int digit_of(char c)
{
    const char *p = c ? strchr(ALPHABET, c) : NULL;
    return p ? (int)(p - ALPHABET) : -1;
}

int base58_decode(const char *s, size_t len, uint8_t *out, size_t want)
{
    if (len == 0 || len > 180 || want > 128)
        return len == 0 ? WT_EPARSE : WT_ERANGE;
    size_t zeros = 0;
    while (zeros < len && s[zeros] == '1')
        zeros++;
    uint8_t bytes[160]; /* big number, least significant byte first */
    size_t nb = 0;
    for (size_t i = zeros; i < len; i++) {
        int d = digit_of(s[i]);
        if (d < 0) {
            mem_wipe(bytes, nb);
            return WT_EPARSE;
        }
        unsigned carry = (unsigned)d;
        for (size_t j = 0; j < nb; j++) {
            carry += (unsigned)bytes[j] * 58;
            bytes[j] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
        while (carry) {
            if (nb == sizeof bytes) {
                mem_wipe(bytes, nb);
                return WT_ERANGE;
            }
            bytes[nb++] = (uint8_t)(carry & 0xff);
            carry >>= 8;
        }
    }
    if (zeros + nb != want) {
        mem_wipe(bytes, nb);
        return WT_ERANGE;
    }
    memset(out, 0, zeros);
    for (size_t i = 0; i < nb; i++)
        out[zeros + i] = bytes[nb - 1 - i];
    /* The keypair loader decodes secrets through here: leave no copy. */
    mem_wipe(bytes, nb);
    return 0;
}
