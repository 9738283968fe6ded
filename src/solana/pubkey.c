/* Base58 public keys. See pubkey.h. */
#include "solana/pubkey.h"

#include <string.h>

int pubkey_parse_n(const char *s, size_t len, struct pubkey *out)
{
    return base58_decode(s, len, out->b, 32);
}

int pubkey_parse(const char *s, struct pubkey *out)
{
    return pubkey_parse_n(s, strlen(s), out);
}

char *pubkey_format(const struct pubkey *k, char out[BASE58_KEY_MAX])
{
    base58_encode(k->b, 32, out, BASE58_KEY_MAX);
    return out;
}

bool pubkey_eq(const struct pubkey *a, const struct pubkey *b)
{
    return memcmp(a->b, b->b, 32) == 0;
}

bool pubkey_is_zero(const struct pubkey *k)
{
    static const uint8_t zero[32];
    return memcmp(k->b, zero, 32) == 0;
}
