/* Base64 encode and strict decode. Solana wire transactions travel as
 * base64 in RPC requests and in Jupiter's swap responses; a strict decoder
 * means a transaction we check is byte for byte the one we sign. */
#include "base/base64.h"

#include "base/err.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
    size_t need = BASE64_ENCODED_LEN(n) + 1;
    if (n > ((size_t)-1) / 2 || outsize < need) {
        if (outsize)
            out[0] = '\0';
        return WT_EFULL;
    }
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = ALPHABET[(v >> 6) & 63];
        out[o++] = ALPHABET[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = ALPHABET[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return 0;
}

static int value_of(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int base64_decode(const char *s, size_t len, uint8_t *out, size_t outsize, size_t *outlen)
{
    /* Strip correct padding: at most two '=' and only on a 4-aligned input. */
    size_t pad = 0;
    if (len % 4 == 0 && len >= 4) {
        if (s[len - 1] == '=')
            pad++;
        if (pad && s[len - 2] == '=')
            pad++;
    }
    size_t n = len - pad;
    if (n % 4 == 1)
        return WT_EPARSE; /* 6 bits cannot end a byte string */
    size_t total = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (total > outsize)
        return WT_EFULL;
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = value_of(s[i]);
        if (v < 0)
            return WT_EPARSE;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return WT_EPARSE; /* non-zero leftover bits: not canonical */
    *outlen = o;
    return 0;
}
