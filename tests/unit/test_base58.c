/* Tests of solana/base58.h and solana/pubkey.h with the examples and the
 * real signatures and keys of solana_wire_test_vectors.json, plus bad
 * characters, wrong lengths and small output buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "solana/base58.h"
#include "solana/pubkey.h"

#include "../support/fixture.c"

static void test_vector_examples(void **state)
{
    (void)state;
    size_t len;
    char *text = fixture_read("real/solana_wire_test_vectors.json", &len);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, e, sigs, s;
    assert_int_equal(json_parse(d, text, len, len + JSON_PADDING, &root), 0);

    assert_int_equal(json_get(&root, "base58_examples", &arr), 0);
    int n = 0;
    for (size_t i = 0; json_index(&arr, i, &e) == 0; i++, n++) {
        const char *hex, *b58;
        assert_int_equal(json_get_str(&e, "hex", &hex, NULL), 0);
        assert_int_equal(json_get_str(&e, "base58", &b58, NULL), 0);
        uint8_t raw[32], back[32];
        assert_int_equal(hex_decode(hex, raw, 32), 32);
        char out[BASE58_KEY_MAX];
        assert_int_equal(base58_encode(raw, 32, out, sizeof out), (int)strlen(b58));
        assert_string_equal(out, b58);
        assert_int_equal(base58_decode(b58, strlen(b58), back, 32), 0);
        assert_memory_equal(raw, back, 32);
        struct pubkey pk;
        assert_int_equal(pubkey_parse(b58, &pk), 0);
        assert_memory_equal(pk.b, raw, 32);
        assert_string_equal(pubkey_format(&pk, out), b58);
    }
    assert_int_equal(n, 2);

    /* Every signature of every transaction: hex and base58 agree. */
    assert_int_equal(json_get(&root, "transactions", &arr), 0);
    int nsig = 0;
    for (size_t i = 0; json_index(&arr, i, &e) == 0; i++) {
        struct json_val dec, b58s;
        assert_int_equal(json_get(&e, "signatures_hex", &sigs), 0);
        assert_int_equal(json_get(&e, "decoded", &dec), 0);
        assert_int_equal(json_get(&dec, "signatures", &b58s), 0);
        for (size_t k = 0; json_index(&sigs, k, &s) == 0; k++, nsig++) {
            const char *hex, *b58;
            struct json_val s2;
            assert_int_equal(json_str(&s, &hex, NULL), 0);
            assert_int_equal(json_index(&b58s, k, &s2), 0);
            assert_int_equal(json_str(&s2, &b58, NULL), 0);
            uint8_t raw[64], back[64];
            hex_decode(hex, raw, 64);
            char out[BASE58_SIG_MAX];
            assert_true(base58_encode(raw, 64, out, sizeof out) > 0);
            assert_string_equal(out, b58);
            assert_int_equal(base58_decode(b58, strlen(b58), back, 64), 0);
            assert_memory_equal(raw, back, 64);
        }
    }
    assert_int_equal(nsig, 4);
    json_doc_free(d);
    free(text);
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t out[32];
    struct pubkey pk;
    /* 0, O, I and l are not in the alphabet. */
    assert_int_equal(base58_decode("So1111111111111111111111111111111111111111O", 43, out, 32),
                     WT_EPARSE);
    assert_int_equal(pubkey_parse("11111111111111111111111111111l11", &pk), WT_EPARSE);
    assert_int_equal(pubkey_parse("1111111111111111111111111111111 ", &pk), WT_EPARSE);
    /* 31 and 33 bytes are not a key. */
    assert_int_equal(pubkey_parse("1111111111111111111111111111111", &pk), WT_ERANGE);
    assert_int_equal(pubkey_parse("111111111111111111111111111111111", &pk), WT_ERANGE);
    assert_int_equal(pubkey_parse("", &pk), WT_EPARSE);
    /* A value too large for 32 bytes. */
    assert_int_equal(pubkey_parse("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", &pk), WT_ERANGE);
    /* Output too small: WT_EFULL and an empty string. */
    uint8_t raw[32];
    memset(raw, 0xff, sizeof raw);
    char small[10] = "x";
    assert_int_equal(base58_encode(raw, 32, small, sizeof small), WT_EFULL);
    assert_string_equal(small, "");
    assert_true(pubkey_is_zero(&(struct pubkey){{0}}));
    assert_int_equal(pubkey_parse(MINT_WSOL, &pk), 0);
    assert_false(pubkey_is_zero(&pk));
    struct pubkey pk2 = pk;
    assert_true(pubkey_eq(&pk, &pk2));
    pk2.b[31] ^= 1;
    assert_false(pubkey_eq(&pk, &pk2));
}

static void test_roundtrip_leading_zeros(void **state)
{
    (void)state;
    /* Leading zero bytes map to leading '1's, both ways. */
    for (size_t zeros = 0; zeros <= 64; zeros += 7) {
        uint8_t raw[64], back[64];
        memset(raw, 0, zeros);
        for (size_t i = zeros; i < 64; i++)
            raw[i] = (uint8_t)(i * 37 + 11);
        char out[BASE58_SIG_MAX];
        int n = base58_encode(raw, 64, out, sizeof out);
        assert_true(n > 0);
        for (size_t i = 0; i < zeros; i++)
            assert_int_equal(out[i], '1');
        assert_int_equal(base58_decode(out, (size_t)n, back, 64), 0);
        assert_memory_equal(raw, back, 64);
    }
}

/* The fast paths of base58_encode/base58_decode (word-wise) against the
 * byte-wise reference, for every length up to 128 bytes, with leading zero
 * bytes, and back again. */
static void test_fast_paths_match_bytewise(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t n = 0; n <= 128; n++) {
        for (int round = 0; round < 8; round++) {
            uint8_t in[128], back[128], back_ref[128];
            for (size_t k = 0; k < n; k++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                in[k] = (uint8_t)x;
            }
            size_t zeros = n ? (size_t)round % (n + 1) : 0;
            memset(in, 0, zeros < n ? zeros : n);
            char a[200], b[200];
            int la = base58_encode(in, n, a, sizeof a);
            int lb = base58_encode_bytewise(in, n, b, sizeof b);
            assert_int_equal(la, lb);
            assert_string_equal(a, b);
            if (n == 0)
                continue;
            int ra = base58_decode(a, (size_t)la, back, n);
            int rb = base58_decode_bytewise(b, (size_t)lb, back_ref, n);
            assert_int_equal(ra, rb);
            assert_int_equal(ra, 0);
            assert_memory_equal(back, in, n);
            /* one byte more or less than the value holds is refused */
            assert_int_equal(base58_decode(a, (size_t)la, back, n + 1 <= 128 ? n + 1 : n - 1),
                             WT_ERANGE);
        }
    }
    /* too small an output buffer: WT_EFULL and an empty string, both paths */
    uint8_t sig[64];
    memset(sig, 0xff, sizeof sig);
    char small[20] = "x";
    assert_int_equal(base58_encode(sig, 64, small, sizeof small), WT_EFULL);
    assert_string_equal(small, "");
}

/* The table path of base58_encode (32 and 64 bytes) against the byte-wise
 * reference: the largest value (every byte 0xff, where an overflow of the
 * 64-bit sums would show), zero, each single bit (each row of the power
 * table alone), and random values with 0 to 3 leading zero bytes. */
static void test_table_path(void **state)
{
    (void)state;
    static const size_t sizes[] = {32, 64};
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (size_t si = 0; si < 2; si++) {
        size_t n = sizes[si];
        uint8_t in[64];
        char a[100], b[100];
        for (int fill = 0; fill < 2; fill++) {
            memset(in, fill ? 0xff : 0, n);
            assert_int_equal(base58_encode(in, n, a, sizeof a),
                             base58_encode_bytewise(in, n, b, sizeof b));
            assert_string_equal(a, b);
        }
        assert_int_equal((int)strlen(a), n == 32 ? 44 : 88);
        for (size_t bit = 0; bit < 8 * n; bit++) {
            memset(in, 0, n);
            in[bit / 8] = (uint8_t)(0x80 >> (bit % 8));
            assert_int_equal(base58_encode(in, n, a, sizeof a),
                             base58_encode_bytewise(in, n, b, sizeof b));
            assert_string_equal(a, b);
        }
        for (int round = 0; round < 2000; round++) {
            for (size_t k = 0; k < n; k++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                in[k] = (uint8_t)x;
            }
            memset(in, 0, (size_t)round % 4);
            int la = base58_encode(in, n, a, sizeof a);
            assert_int_equal(la, base58_encode_bytewise(in, n, b, sizeof b));
            assert_string_equal(a, b);
            /* exactly the room it needs, and one byte less */
            assert_int_equal(base58_encode(in, n, a, (size_t)la + 1), la);
            assert_int_equal(base58_encode(in, n, a, (size_t)la), WT_EFULL);
            assert_string_equal(a, "");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_paths_match_bytewise), cmocka_unit_test(test_table_path),
        cmocka_unit_test(test_vector_examples),           cmocka_unit_test(test_errors),
        cmocka_unit_test(test_roundtrip_leading_zeros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
