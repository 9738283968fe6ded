/* Base58 encode/decode for Solana keys (32 bytes) and signatures (64).
 *
 * The fast paths work on 32-bit limbs holding five base-58 digits
 * (58^5 < 2^32), about twenty times fewer multiplications and divisions
 * than the byte-at-a-time method; the decoder runs four times per webhook
 * transaction and the simulator encodes every address it prints, so this
 * shows in both profiles (docs/performance.md). The byte-at-a-time
 * versions stay as base58_*_bytewise: the fallback for unusual sizes, and
 * the independent reference the unit tests compare the fast paths with. */
#include "solana/base58.h"

#include <string.h>

#include "base/err.h"
#include "base/mem.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int base58_encode_bytewise(const uint8_t *in, size_t n, char *out, size_t outsize)
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

int base58_decode_bytewise(const char *s, size_t len, uint8_t *out, size_t want)
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

/* Base58 digit values for ASCII, -1 outside the alphabet. */
static const int8_t DIGIT[128] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,  7,  8,  -1, -1, -1, -1, -1, -1, -1, 9,
    10, 11, 12, 13, 14, 15, 16, -1, 17, 18, 19, 20, 21, -1, 22, 23, 24, 25, 26, 27, 28, 29,
    30, 31, 32, -1, -1, -1, -1, -1, -1, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, -1, 44,
    45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, -1, -1, -1, -1, -1,
};

enum { B58_5 = 656356768 }; /* 58^5: five base-58 digits per 32-bit limb */

int base58_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
    /* The fast path reads whole 32-bit words: keys and signatures. */
    if (n == 0 || n % 4 != 0 || n > 128)
        return base58_encode_bytewise(in, n, out, outsize);
    uint32_t limb[40];
    size_t nl = 0, zeros = 0;
    while (zeros < n && in[zeros] == 0)
        zeros++;
    for (size_t i = 0; i < n; i += 4) {
        uint64_t carry = (uint64_t)in[i] << 24 | (uint64_t)in[i + 1] << 16 |
                         (uint64_t)in[i + 2] << 8 | in[i + 3];
        for (size_t j = 0; j < nl; j++) {
            uint64_t t = (uint64_t)limb[j] << 32 | carry;
            limb[j] = (uint32_t)(t % B58_5);
            carry = t / B58_5;
        }
        while (carry) {
            limb[nl++] = (uint32_t)(carry % B58_5);
            carry /= B58_5;
        }
    }
    uint8_t digits[200]; /* least significant first */
    size_t nd = 0;
    for (size_t j = 0; j < nl; j++) {
        uint32_t v = limb[j];
        for (int k = 0; k < 5; k++) {
            digits[nd++] = (uint8_t)(v % 58);
            v /= 58;
        }
    }
    while (nd > 0 && digits[nd - 1] == 0)
        nd--;
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

int base58_decode(const char *s, size_t n, uint8_t *out, size_t want)
{
    if (n == 0 || n > 90 || want > 64)
        return base58_decode_bytewise(s, n, out, want);
    size_t zeros = 0;
    while (zeros < n && s[zeros] == '1')
        zeros++;
    uint32_t limb[17];
    uint8_t be[sizeof limb];
    size_t nl = 0, i = zeros;
    int rc = 0;
    while (i < n) {
        uint32_t acc = 0, mul = 1;
        for (int k = 0; k < 5 && i < n; k++, i++) {
            unsigned char c = (unsigned char)s[i];
            int d = c < 128 ? DIGIT[c] : -1;
            if (d < 0) {
                rc = WT_EPARSE;
                goto out;
            }
            acc = acc * 58 + (uint32_t)d;
            mul *= 58;
        }
        uint64_t carry = acc;
        for (size_t j = 0; j < nl; j++) {
            uint64_t t = (uint64_t)limb[j] * mul + carry;
            limb[j] = (uint32_t)t;
            carry = t >> 32;
        }
        while (carry) {
            if (nl == sizeof limb / sizeof limb[0]) {
                rc = WT_ERANGE;
                goto out;
            }
            limb[nl++] = (uint32_t)carry;
            carry >>= 32;
        }
    }
    size_t nb = nl * 4;
    for (size_t j = 0; j < nl; j++)
        for (size_t b = 0; b < 4; b++)
            be[nb - 1 - 4 * j - b] = (uint8_t)(limb[j] >> (8 * b));
    size_t lead = 0;
    while (lead < nb && be[lead] == 0)
        lead++;
    if (zeros + (nb - lead) != want) {
        rc = WT_ERANGE;
        goto out;
    }
    memset(out, 0, zeros);
    memcpy(out + zeros, be + lead, nb - lead);
out:
    /* The keypair loader decodes secrets through here: leave no copy. */
    mem_wipe(limb, sizeof limb);
    mem_wipe(be, sizeof be);
    return rc;
}
