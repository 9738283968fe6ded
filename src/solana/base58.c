/* Base58 encode/decode for Solana keys (32 bytes) and signatures (64).
 *
 * The fast paths work on 32-bit limbs holding five base-58 digits
 * (58^5 < 2^32), about twenty times fewer multiplications and divisions
 * than the byte-at-a-time method; the decoder runs four times per webhook
 * transaction and the simulator encodes every address it prints, so this
 * shows in both profiles (docs/performance.md). Keys and signatures are
 * encoded from a table of powers of two in base 58^5 instead, with no
 * division until the final carries: the simulator prints one signature
 * and one or two derived addresses per transaction, which took half of its
 * JSON rendering time with the word-wise loop. The byte-at-a-time
 * versions stay as base58_*_bytewise: the fallback for unusual sizes, and
 * the independent reference the unit tests compare the fast paths with. */
#include "solana/base58.h"

#include <string.h>

#include "base/err.h"
#include "base/mem.h"

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Writes the encoding: a '1' per leading zero byte, then the nd base-58
 * digits (least significant first in digits), NUL-terminated. Returns its
 * length, or WT_EFULL (out emptied) when it does not fit in outsize. */
static int emit(size_t zeros, const uint8_t *digits, size_t nd, char *out, size_t outsize)
{
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
    return emit(zeros, digits, nd, out, outsize);
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

/* POW2_32[k] is 2^(32k) in base 58^5, least significant limb first
 * (generated with Python; test_table_path checks every row through the
 * byte-wise reference). */
static const uint32_t POW2_32[16][17] = {
    {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {356826688, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {410450016, 537767569, 42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {357132832, 389432875, 127692781, 280, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {21339008, 551597588, 385795061, 324463681, 1833, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {289024608, 247894721, 294005210, 3737691, 486083817, 11997, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {153715680, 413102373, 209184527, 91512303, 118408823, 646269101, 78508, 0, 0, 0, 0, 0, 0, 0, 0,
     0, 0},
    {379377856, 141436834, 214625350, 605448490, 300156666, 437087610, 77223048, 513735, 0, 0, 0, 0,
     0, 0, 0, 0, 0},
    {503769920, 626087230, 136596846, 164019635, 194569730, 513969330, 30977630, 325788598, 3361701,
     0, 0, 0, 0, 0, 0, 0, 0},
    {44963712, 430102516, 160126051, 574729546, 404203788, 210481832, 595017589, 148640294,
     294590275, 21997789, 0, 0, 0, 0, 0, 0, 0},
    {458949280, 424550935, 499113091, 597442702, 199595821, 526964023, 264290972, 535878743,
     281429047, 651677945, 143945778, 0, 0, 0, 0, 0, 0},
    {64504928, 577276849, 36908802, 522665809, 347328982, 117185012, 109507367, 448949512,
     100001224, 379818553, 455976778, 285573662, 1, 0, 0, 0, 0},
    {59100544, 496097732, 74998585, 291820402, 78190744, 176791855, 520263169, 487877412, 413254725,
     372802935, 479690581, 500124311, 256449755, 9, 0, 0, 0},
    {308625792, 104784612, 644355351, 184514320, 45134568, 144614682, 467589845, 453637228,
     212906911, 527697587, 239296485, 517024870, 141201404, 295059608, 61, 0, 0},
    {49699360, 626219915, 136986618, 214020719, 635841659, 398051646, 480359048, 129419325,
     215140626, 337765723, 571208415, 208884256, 266024478, 30641941, 68350375, 402, 0},
    {454901440, 650603058, 526403762, 38066284, 190199623, 366351977, 746799, 492128779, 377738089,
     403284731, 502967496, 221591423, 81912456, 632289089, 577092685, 149457141, 2631},
};

/* Carries so that every limb but the last is below 58^5. */
static void reduce(uint64_t *acc, size_t nl)
{
    for (size_t j = 0; j + 1 < nl; j++) {
        acc[j + 1] += acc[j] / B58_5;
        acc[j] %= B58_5;
    }
}

/* Keys and signatures (n == 32 or 64), without a division per step: each
 * 32-bit word of the input, times its power of two already written in
 * base 58^5, is added into 64-bit limbs, and the carries are done once at
 * the end (Firedancer's fd_base58 does the same). The sums cannot
 * overflow: with every input byte 0xff, the largest column of a 32-byte
 * key stays below 2^64, and a signature is reduced once after its first
 * eight words so that the second half fits too. */
static int encode_table(const uint8_t *in, size_t n, char *out, size_t outsize)
{
    size_t nw = n / 4, nl = n == 32 ? 9 : 18; /* 58^45 > 2^256, 58^90 > 2^512 */
    uint64_t acc[18] = {0};
    for (size_t i = 0; i < nw; i++) {
        uint32_t w = (uint32_t)in[4 * i] << 24 | (uint32_t)in[4 * i + 1] << 16 |
                     (uint32_t)in[4 * i + 2] << 8 | in[4 * i + 3];
        const uint32_t *p = POW2_32[nw - 1 - i];
        for (size_t j = 0; j + 1 < nl; j++) /* 32x32 -> 64: one pmuludq */
            acc[j] += (uint64_t)w * p[j];
        if (nw == 16 && i == 7)
            reduce(acc, nl);
    }
    reduce(acc, nl);
    char tmp[90]; /* the digits as characters, most significant first */
    for (size_t j = 0; j < nl; j++) {
        uint32_t v = (uint32_t)acc[j];
        char *d = tmp + 5 * (nl - 1 - j);
        /* Two digits at a time (58^2 = 3364) shortens the chain of
         * divisions from five to three. */
        uint32_t hi = v / 3364, lo = v % 3364, top = hi / 3364, mid = hi % 3364;
        d[0] = ALPHABET[top];
        d[1] = ALPHABET[mid / 58];
        d[2] = ALPHABET[mid % 58];
        d[3] = ALPHABET[lo / 58];
        d[4] = ALPHABET[lo % 58];
    }
    size_t zeros = 0, lead = 0;
    while (zeros < n && in[zeros] == 0)
        zeros++;
    while (lead < 5 * nl && tmp[lead] == '1')
        lead++;
    /* The leading zero digits are '1's too, and there are at least as many
     * of them as zero bytes: the encoding is the last zeros + digits
     * characters of tmp. */
    size_t len = 5 * nl - lead + zeros;
    if (len + 1 > outsize) {
        if (outsize)
            out[0] = '\0';
        return WT_EFULL;
    }
    /* 16 bytes at a time, the last block overlapping the one before: GCC
     * inlined a memcpy of variable length as rep movsq, a sixth of the
     * time here. len >= n >= 32: each input byte after the zero ones adds
     * at least one digit. */
    const char *src = tmp + 5 * nl - len;
    for (size_t i = 0; i + 16 < len; i += 16)
        memcpy(out + i, src + i, 16);
    memcpy(out + len - 16, src + len - 16, 16);
    out[len] = '\0';
    return (int)len;
}

int base58_encode(const uint8_t *in, size_t n, char *out, size_t outsize)
{
    /* Constant sizes, so that the compiler unrolls each. */
    if (n == 32)
        return encode_table(in, 32, out, outsize);
    if (n == 64)
        return encode_table(in, 64, out, outsize);
    /* The other multiples of four go word by word. */
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
    return emit(zeros, digits, nd, out, outsize);
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
