/* Tests of solana/tx.h with every transaction in solana_wire_test_vectors.json:
 * full decode checked field by field against the offline decoding, the real
 * signatures verify over the message bytes, byte-identical re-encoding, the
 * Jupiter swap transaction from the real /swap response, signing the fee
 * payer slot, and truncated / corrupted input at every position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/json.h"
#include "solana/keypair.h"
#include "solana/tx.h"

#include "../support/fixture.c"

static char *vectors_text;
static struct json_doc *doc;
static struct json_val vroot;

static int setup(void **state)
{
    (void)state;
    size_t len;
    vectors_text = fixture_read("real/solana_wire_test_vectors.json", &len);
    doc = json_doc_new(0);
    return json_parse(doc, vectors_text, len, len + JSON_PADDING, &vroot);
}

static int teardown(void **state)
{
    (void)state;
    json_doc_free(doc);
    free(vectors_text);
    return 0;
}

static uint64_t get_u64(const struct json_val *o, const char *k)
{
    uint64_t v;
    assert_int_equal(json_get_u64(o, k, &v), 0);
    return v;
}

static uint64_t idx_u64(const struct json_val *arr, size_t i)
{
    struct json_val e;
    uint64_t v;
    assert_int_equal(json_index(arr, i, &e), 0);
    assert_int_equal(json_u64(&e, &v), 0);
    return v;
}

static void key_equals(const uint8_t *key, const struct json_val *arr, size_t i)
{
    struct json_val e;
    const char *s;
    assert_int_equal(json_index(arr, i, &e), 0);
    assert_int_equal(json_str(&e, &s, NULL), 0);
    char out[BASE58_KEY_MAX];
    base58_encode(key, 32, out, sizeof out);
    assert_string_equal(out, s);
}

static void test_compact_u16(void **state)
{
    (void)state;
    struct json_val arr, e;
    assert_int_equal(json_get(&vroot, "compact_u16_examples", &arr), 0);
    size_t n = 0;
    for (size_t i = 0; json_index(&arr, i, &e) == 0; i++, n++) {
        uint64_t value = get_u64(&e, "value");
        const char *hex;
        assert_int_equal(json_get_str(&e, "hex", &hex, NULL), 0);
        uint8_t want[3], got[3];
        size_t wlen = hex_decode(hex, want, 3);
        assert_int_equal(compact_u16_encode((uint16_t)value, got), (int)wlen);
        assert_memory_equal(got, want, wlen);
        uint16_t v;
        assert_int_equal(compact_u16_decode(want, wlen, &v), (int)wlen);
        assert_int_equal(v, value);
        /* Every shorter prefix needs more bytes. */
        for (size_t k = 0; k < wlen; k++)
            assert_int_equal(compact_u16_decode(want, k, &v), WT_EAGAIN);
    }
    assert_int_equal(n, 9);
    uint16_t v;
    /* Non-canonical forms and values above 65535 are refused. */
    assert_int_equal(compact_u16_decode((const uint8_t *)"\x80\x00", 2, &v), WT_EPARSE);
    assert_int_equal(compact_u16_decode((const uint8_t *)"\x81\x80\x00", 3, &v), WT_EPARSE);
    assert_int_equal(compact_u16_decode((const uint8_t *)"\xff\xff\x04", 3, &v), WT_EPARSE);
    assert_int_equal(compact_u16_decode((const uint8_t *)"\xff\xff\x83", 3, &v), WT_EPARSE);
}

/* Decodes the base64 wire of vector t into wire (cap TX_MAX_SIZE). */
static size_t wire_of(const struct json_val *t, uint8_t *wire)
{
    const char *b64;
    size_t b64len, len;
    assert_int_equal(json_get_str(t, "wire_base64", &b64, &b64len), 0);
    assert_int_equal(base64_decode(b64, b64len, wire, TX_MAX_SIZE, &len), 0);
    assert_int_equal(len, get_u64(t, "wire_len"));
    /* base64 round trip */
    char back[BASE64_ENCODED_LEN(TX_MAX_SIZE) + 1];
    assert_int_equal(base64_encode(wire, len, back, sizeof back), 0);
    assert_string_equal(back, b64);
    return len;
}

static void check_vector(const struct json_val *t)
{
    uint8_t wire[TX_MAX_SIZE], out[TX_MAX_SIZE];
    size_t len = wire_of(t, wire);
    static struct tx tx;
    assert_int_equal(tx_decode(wire, len, &tx), 0);

    struct json_val dec, arr, e, sub;
    assert_int_equal(json_get(t, "decoded", &dec), 0);
    /* version */
    assert_int_equal(json_get(&dec, "version", &e), 0);
    if (json_type_of(&e) == JSON_STRING)
        assert_int_equal(tx.version, TX_LEGACY);
    else
        assert_int_equal(tx.version, TX_V0);
    assert_int_equal(tx.n_sigs, get_u64(&dec, "numSignatures"));
    assert_int_equal(json_get(&dec, "header", &arr), 0);
    assert_int_equal(tx.n_required, idx_u64(&arr, 0));
    assert_int_equal(tx.n_readonly_signed, idx_u64(&arr, 1));
    assert_int_equal(tx.n_readonly_unsigned, idx_u64(&arr, 2));
    assert_int_equal(json_get(&dec, "accountKeys", &arr), 0);
    assert_int_equal(tx.n_keys, json_size(&arr));
    for (size_t i = 0; i < tx.n_keys; i++)
        key_equals(tx_key(&tx, i), &arr, i);
    const char *s;
    assert_int_equal(json_get_str(&dec, "recentBlockhash", &s, NULL), 0);
    char bh[BASE58_KEY_MAX];
    base58_encode(tx.blockhash, 32, bh, sizeof bh);
    assert_string_equal(bh, s);
    assert_int_equal(json_get(&dec, "instructions", &arr), 0);
    assert_int_equal(tx.n_instrs, json_size(&arr));
    for (size_t i = 0; i < tx.n_instrs; i++) {
        assert_int_equal(json_index(&arr, i, &e), 0);
        assert_int_equal(tx.instrs[i].program_index, get_u64(&e, "programIdIndex"));
        assert_int_equal(json_get(&e, "accounts", &sub), 0);
        assert_int_equal(tx.instrs[i].n_accounts, json_size(&sub));
        for (size_t k = 0; k < tx.instrs[i].n_accounts; k++)
            assert_int_equal(tx.instrs[i].accounts[k], idx_u64(&sub, k));
        assert_int_equal(json_get_str(&e, "data_hex", &s, NULL), 0);
        uint8_t data[TX_MAX_SIZE];
        size_t dlen = hex_decode(s, data, sizeof data);
        assert_int_equal(tx.instrs[i].data_len, dlen);
        assert_memory_equal(tx.instrs[i].data, data, dlen);
    }
    assert_int_equal(json_get(&dec, "addressTableLookups", &arr), 0);
    assert_int_equal(tx.n_lookups, json_size(&arr));
    for (size_t i = 0; i < tx.n_lookups; i++) {
        assert_int_equal(json_index(&arr, i, &e), 0);
        struct json_val key;
        assert_int_equal(json_get(&e, "accountKey", &key), 0);
        const char *ks;
        assert_int_equal(json_str(&key, &ks, NULL), 0);
        char kout[BASE58_KEY_MAX];
        base58_encode(tx.lookups[i].table, 32, kout, sizeof kout);
        assert_string_equal(kout, ks);
        assert_int_equal(json_get(&e, "writableIndexes", &sub), 0);
        assert_int_equal(tx.lookups[i].n_writable, json_size(&sub));
        for (size_t k = 0; k < tx.lookups[i].n_writable; k++)
            assert_int_equal(tx.lookups[i].writable[k], idx_u64(&sub, k));
        assert_int_equal(json_get(&e, "readonlyIndexes", &sub), 0);
        assert_int_equal(tx.lookups[i].n_readonly, json_size(&sub));
        for (size_t k = 0; k < tx.lookups[i].n_readonly; k++)
            assert_int_equal(tx.lookups[i].readonly[k], idx_u64(&sub, k));
    }
    /* The message bytes are exactly what was signed. */
    assert_int_equal(tx.msg_len, get_u64(&dec, "messageLen"));
    assert_int_equal(json_get_str(t, "message_hex", &s, NULL), 0);
    uint8_t msg[TX_MAX_SIZE];
    assert_int_equal(hex_decode(s, msg, sizeof msg), tx.msg_len);
    assert_memory_equal(tx.msg, msg, tx.msg_len);
    /* Signatures: hex, base58 id, verification as recorded. */
    struct json_val sigs_hex, sigs_b58, verified;
    assert_int_equal(json_get(t, "signatures_hex", &sigs_hex), 0);
    assert_int_equal(json_get(&dec, "signatures", &sigs_b58), 0);
    assert_int_equal(json_get(&dec, "sigVerified", &verified), 0);
    for (size_t i = 0; i < tx.n_sigs; i++) {
        assert_int_equal(json_index(&sigs_hex, i, &e), 0);
        assert_int_equal(json_str(&e, &s, NULL), 0);
        uint8_t sig[64];
        hex_decode(s, sig, 64);
        assert_memory_equal(tx.sigs + 64 * i, sig, 64);
        assert_int_equal(json_index(&verified, i, &e), 0);
        if (json_type_of(&e) == JSON_BOOL) {
            assert_true(tx_verify_sig(&tx, i));
        } else {
            static const uint8_t zero[64];
            assert_memory_equal(tx.sigs + 64 * i, zero, 64);
            assert_false(tx_verify_sig(&tx, i));
        }
    }
    char id[BASE58_SIG_MAX];
    assert_true(tx_signature_id(&tx, id, sizeof id) > 0);
    assert_int_equal(json_index(&sigs_b58, 0, &e), 0);
    assert_int_equal(json_str(&e, &s, NULL), 0);
    assert_string_equal(id, s);
    /* Re-encoding gives the identical bytes. */
    size_t olen;
    assert_int_equal(tx_encode(&tx, out, sizeof out, &olen), 0);
    assert_int_equal(olen, len);
    assert_memory_equal(out, wire, len);
    assert_int_equal(tx_encode(&tx, out, len - 1, &olen), WT_EFULL);
}

static void test_all_vectors(void **state)
{
    (void)state;
    struct json_val arr, t;
    assert_int_equal(json_get(&vroot, "transactions", &arr), 0);
    size_t n = 0;
    for (size_t i = 0; json_index(&arr, i, &t) == 0; i++, n++)
        check_vector(&t);
    assert_int_equal(n, 4);
}

/* Finds the vector named name. */
static void vector_named(const char *name, struct json_val *out)
{
    struct json_val arr;
    assert_int_equal(json_get(&vroot, "transactions", &arr), 0);
    for (size_t i = 0; json_index(&arr, i, out) == 0; i++) {
        const char *s;
        assert_int_equal(json_get_str(out, "name", &s, NULL), 0);
        if (strcmp(s, name) == 0)
            return;
    }
    fail_msg("no vector %s", name);
}

static void test_jupiter_swap_response(void **state)
{
    (void)state;
    size_t len;
    char *body = fixture_read("real/jupiter_swap_response_real_full_tx.json", &len);
    struct json_doc *d = json_doc_new(0);
    struct json_val root;
    assert_int_equal(json_parse(d, body, len, len + JSON_PADDING, &root), 0);
    const char *b64;
    size_t b64len, wlen;
    assert_int_equal(json_get_str(&root, "swapTransaction", &b64, &b64len), 0);
    uint8_t wire[TX_MAX_SIZE];
    assert_int_equal(base64_decode(b64, b64len, wire, sizeof wire, &wlen), 0);
    static struct tx tx;
    assert_int_equal(tx_decode(wire, wlen, &tx), 0);
    assert_int_equal(tx.version, TX_V0);
    assert_int_equal(tx.n_keys, 10);
    assert_int_equal(tx.n_instrs, 8);
    assert_int_equal(tx.n_lookups, 1);
    assert_int_equal(tx.n_looked_up, 10);
    /* Header [1,0,7]: the fee payer and two more are writable. */
    assert_true(tx_key_is_writable(&tx, 0));
    assert_true(tx_key_is_writable(&tx, 2));
    assert_false(tx_key_is_writable(&tx, 3));
    assert_false(tx_key_is_writable(&tx, 9));
    assert_false(tx_key_is_writable(&tx, 10));
    /* Same bytes as the vector. */
    struct json_val t;
    vector_named("unsigned_v0_jupiter_swap_with_address_lookup_table", &t);
    uint8_t vwire[TX_MAX_SIZE];
    assert_int_equal(wire_of(&t, vwire), wlen);
    assert_memory_equal(vwire, wire, wlen);

    /* Not our fee payer: refused, nothing written. */
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(i * 7 + 1);
    struct keypair *kp;
    assert_int_equal(keypair_from_seed(seed, &kp), 0);
    assert_int_equal(tx_sign(&tx, wire, kp), WT_EAUTH);
    assert_memory_equal(wire, vwire, wlen);

    /* Put our key in the fee payer slot, sign, verify. */
    struct pubkey pk;
    keypair_pubkey(kp, &pk);
    memcpy(wire + (tx.keys - tx.wire), pk.b, 32);
    assert_int_equal(tx_decode(wire, wlen, &tx), 0);
    assert_false(tx_verify_sig(&tx, 0));
    assert_int_equal(tx_sign(&tx, wire, kp), 0);
    assert_true(tx_verify_sig(&tx, 0));
    assert_true(ed25519_verify(wire + 1, tx.msg, tx.msg_len, &pk));
    /* Only the signature slot and the key we put in changed. */
    size_t key0 = (size_t)(tx.keys - tx.wire);
    assert_int_equal(key0, 1 + 64 + 1 + 3 + 1);
    assert_memory_equal(wire + 65, vwire + 65, key0 - 65);
    assert_memory_equal(wire + key0, pk.b, 32);
    assert_memory_equal(wire + key0 + 32, vwire + key0 + 32, wlen - key0 - 32);
    char id[BASE58_SIG_MAX], want[BASE58_SIG_MAX];
    assert_int_equal(tx_signature_id(&tx, id, sizeof id),
                     base58_encode(wire + 1, 64, want, sizeof want));
    assert_string_equal(id, want);
    /* A changed message no longer verifies. */
    wire[wlen - 1] ^= 1;
    assert_int_equal(tx_decode(wire, wlen, &tx), 0);
    assert_false(tx_verify_sig(&tx, 0));
    keypair_free(kp);
    json_doc_free(d);
    free(body);
}

static void test_truncated_and_corrupted(void **state)
{
    (void)state;
    struct json_val arr, t;
    assert_int_equal(json_get(&vroot, "transactions", &arr), 0);
    static struct tx tx;
    for (size_t v = 0; json_index(&arr, v, &t) == 0; v++) {
        uint8_t wire[TX_MAX_SIZE], bad[TX_MAX_SIZE + 1], out[TX_MAX_SIZE];
        size_t len = wire_of(&t, wire);
        /* Every strict prefix is an error (and never reads past it: ASan
         * checks that on a heap copy of exactly the prefix length). */
        for (size_t k = 0; k < len; k++) {
            uint8_t *p = malloc(k ? k : 1);
            memcpy(p, wire, k);
            int rc = tx_decode(p, k, &tx);
            if (rc >= 0)
                fail_msg("prefix %zu of %zu decoded", k, len);
            free(p);
        }
        /* A trailing byte is an error. */
        memcpy(bad, wire, len);
        bad[len] = 0;
        assert_int_equal(tx_decode(bad, len + 1, &tx), WT_EPARSE);
        /* Corrupt each byte three ways: the decoder never crashes; what it
         * accepts re-encodes identically, and no accepted corruption of a
         * signed message still verifies. */
        static const uint8_t flips[] = {0x01, 0x80, 0xff};
        for (size_t k = 0; k < len; k++) {
            for (size_t f = 0; f < sizeof flips; f++) {
                memcpy(bad, wire, len);
                bad[k] ^= flips[f];
                if (tx_decode(bad, len, &tx) != 0)
                    continue;
                size_t olen;
                assert_int_equal(tx_encode(&tx, out, sizeof out, &olen), 0);
                assert_int_equal(olen, len);
                assert_memory_equal(out, bad, len);
                if (v < 2 && k >= 65)
                    assert_false(tx_verify_sig(&tx, 0));
            }
        }
    }
    /* Version 1 messages are not supported; an oversize input is refused. */
    struct json_val t0;
    vector_named("signed_v0_system_transfer_1_SOL", &t0);
    uint8_t wire[TX_MAX_SIZE];
    size_t len = wire_of(&t0, wire);
    wire[65] = 0x81;
    assert_int_equal(tx_decode(wire, len, &tx), WT_EUNSUPPORTED);
    uint8_t *big = calloc(1, TX_MAX_SIZE + 1);
    assert_int_equal(tx_decode(big, TX_MAX_SIZE + 1, &tx), WT_ETOOBIG);
    free(big);
}

static void test_shape_rules(void **state)
{
    (void)state;
    struct json_val t;
    vector_named("signed_v0_system_transfer_1_SOL", &t);
    uint8_t wire[TX_MAX_SIZE], bad[TX_MAX_SIZE];
    size_t len = wire_of(&t, wire);
    static struct tx tx;
    assert_int_equal(tx_decode(wire, len, &tx), 0);
    size_t hdr = 66; /* 1 + 64 signature bytes + version byte */
    /* Header [1,0,1] over 3 keys. */
    memcpy(bad, wire, len);
    bad[hdr] = 2; /* two required signatures but one present */
    assert_int_equal(tx_decode(bad, len, &tx), WT_EPARSE);
    memcpy(bad, wire, len);
    bad[hdr + 1] = 1; /* the fee payer read-only */
    assert_int_equal(tx_decode(bad, len, &tx), WT_EPARSE);
    memcpy(bad, wire, len);
    bad[hdr + 2] = 3; /* more read-only unsigned than unsigned keys */
    assert_int_equal(tx_decode(bad, len, &tx), WT_EPARSE);
    /* The instruction's program index: byte after the instruction count. */
    size_t ins = hdr + 3 + 1 + 3 * 32 + 32 + 1;
    assert_int_equal(wire[ins], 2);
    memcpy(bad, wire, len);
    bad[ins] = 3; /* past the keys */
    assert_int_equal(tx_decode(bad, len, &tx), WT_EPARSE);
    bad[ins] = 0; /* the fee payer as a program */
    assert_int_equal(tx_decode(bad, len, &tx), WT_EPARSE);
    memcpy(bad, wire, len);
    bad[ins + 3] = 3; /* account index past the keys (no lookups) */
    assert_int_equal(tx_decode(bad, len, &tx), WT_EPARSE);
    /* tx_sign refuses a buffer that is not the decoded one. */
    uint8_t seed[32] = {1};
    struct keypair *kp;
    assert_int_equal(keypair_from_seed(seed, &kp), 0);
    assert_int_equal(tx_decode(wire, len, &tx), 0);
    assert_int_equal(tx_sign(&tx, bad, kp), WT_EINVAL);
    keypair_free(kp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact_u16),
        cmocka_unit_test(test_all_vectors),
        cmocka_unit_test(test_jupiter_swap_response),
        cmocka_unit_test(test_truncated_and_corrupted),
        cmocka_unit_test(test_shape_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
