/* Tests of solana/keypair.h: RFC 8032 §7.1 vectors through Solana id.json
 * files, the environment-variable forms, and every kind of bad keypair file
 * (loose mode, wrong length, bad JSON, values above 255, a public half that
 * does not match the seed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/json.h"
#include "solana/base58.h"
#include "solana/keypair.h"

#include "../support/fixture.c"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/wt_keypair_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to tmpdir/name with the given mode; returns the path. */
static const char *write_file(const char *name, const char *text, mode_t mode)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    unlink(path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

/* Formats 64 bytes as a solana-keygen JSON array. */
static void to_json_array(const uint8_t b[64], char *out, size_t size)
{
    size_t o = 0;
    o += (size_t)snprintf(out + o, size - o, "[");
    for (int i = 0; i < 64; i++)
        o += (size_t)snprintf(out + o, size - o, "%s%u", i ? "," : "", b[i]);
    snprintf(out + o, size - o, "]");
}

struct vec8032 {
    uint8_t seed[32], pub[32], sig[64], msg[64];
    size_t msglen;
    char file_json[600];
    char address[64];
};

static int load_vectors(struct vec8032 *v, int max)
{
    size_t len;
    char *text = fixture_read("real/solana_wire_test_vectors.json", &len);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, e, x;
    assert_int_equal(json_parse(d, text, len, len + JSON_PADDING, &root), 0);
    assert_int_equal(json_get(&root, "rfc8032_ed25519", &arr), 0);
    int n = 0;
    for (size_t i = 0; json_index(&arr, i, &e) == 0 && n < max; i++, n++) {
        const char *s;
        assert_int_equal(json_get_str(&e, "secret_seed_hex", &s, NULL), 0);
        hex_decode(s, v[n].seed, 32);
        assert_int_equal(json_get_str(&e, "public_key_hex", &s, NULL), 0);
        hex_decode(s, v[n].pub, 32);
        assert_int_equal(json_get_str(&e, "signature_hex", &s, NULL), 0);
        hex_decode(s, v[n].sig, 64);
        assert_int_equal(json_get_str(&e, "message_hex", &s, NULL), 0);
        v[n].msglen = hex_decode(s, v[n].msg, sizeof v[n].msg);
        assert_int_equal(json_get_str(&e, "solana_address_base58", &s, NULL), 0);
        snprintf(v[n].address, sizeof v[n].address, "%s", s);
        /* Rebuild the id.json text from the array in the vectors file. */
        assert_int_equal(json_get(&e, "solana_keypair_file_json", &x), 0);
        assert_int_equal(json_size(&x), 64);
        uint8_t bytes[64];
        struct json_val b;
        for (size_t k = 0; k < 64; k++) {
            uint64_t u;
            assert_int_equal(json_index(&x, k, &b), 0);
            assert_int_equal(json_u64(&b, &u), 0);
            bytes[k] = (uint8_t)u;
        }
        to_json_array(bytes, v[n].file_json, sizeof v[n].file_json);
    }
    json_doc_free(d);
    free(text);
    return n;
}

static void test_rfc8032_vectors_from_files(void **state)
{
    (void)state;
    struct vec8032 v[3];
    assert_int_equal(load_vectors(v, 3), 3);
    for (int i = 0; i < 3; i++) {
        const char *path = write_file("id.json", v[i].file_json, 0600);
        struct keypair *kp = NULL;
        char err[256] = "";
        assert_int_equal(keypair_load_file(path, &kp, err, sizeof err), 0);
        struct pubkey pk;
        keypair_pubkey(kp, &pk);
        assert_memory_equal(pk.b, v[i].pub, 32);
        char addr[BASE58_KEY_MAX];
        assert_string_equal(pubkey_format(&pk, addr), v[i].address);
        uint8_t sig[64];
        assert_int_equal(keypair_sign(kp, v[i].msg, v[i].msglen, sig), 0);
        assert_memory_equal(sig, v[i].sig, 64); /* Ed25519 is deterministic */
        assert_true(ed25519_verify(sig, v[i].msg, v[i].msglen, &pk));
        /* A changed message or signature does not verify. */
        uint8_t msg2[65];
        memcpy(msg2, v[i].msg, v[i].msglen);
        msg2[v[i].msglen] = 0x42;
        assert_false(ed25519_verify(sig, msg2, v[i].msglen + 1, &pk));
        sig[5] ^= 1;
        assert_false(ed25519_verify(sig, v[i].msg, v[i].msglen, &pk));
        keypair_free(kp);

        /* The seed alone gives the same key. */
        assert_int_equal(keypair_from_seed(v[i].seed, &kp), 0);
        keypair_pubkey(kp, &pk);
        assert_memory_equal(pk.b, v[i].pub, 32);
        keypair_free(kp);
    }
}

static void test_env_json_and_base58(void **state)
{
    (void)state;
    struct vec8032 v[3];
    assert_int_equal(load_vectors(v, 3), 3);
    struct keypair *kp = NULL;
    struct pubkey pk;
    char err[256] = "";

    assert_int_equal(setenv("WT_TEST_KEYPAIR", v[1].file_json, 1), 0);
    assert_int_equal(keypair_load_env("WT_TEST_KEYPAIR", &kp, err, sizeof err), 0);
    keypair_pubkey(kp, &pk);
    assert_memory_equal(pk.b, v[1].pub, 32);
    keypair_free(kp);

    uint8_t bytes[64];
    memcpy(bytes, v[2].seed, 32);
    memcpy(bytes + 32, v[2].pub, 32);
    char b58[BASE58_SIG_MAX];
    assert_true(base58_encode(bytes, 64, b58, sizeof b58) > 0);
    assert_int_equal(setenv("WT_TEST_KEYPAIR", b58, 1), 0);
    assert_int_equal(keypair_load_env("WT_TEST_KEYPAIR", &kp, err, sizeof err), 0);
    keypair_pubkey(kp, &pk);
    assert_memory_equal(pk.b, v[2].pub, 32);
    keypair_free(kp);

    /* base58 of a mismatched pair is refused like the file form. */
    bytes[63] ^= 0x01;
    assert_true(base58_encode(bytes, 64, b58, sizeof b58) > 0);
    assert_int_equal(setenv("WT_TEST_KEYPAIR", b58, 1), 0);
    assert_int_equal(keypair_load_env("WT_TEST_KEYPAIR", &kp, err, sizeof err), WT_ECRYPTO);
    assert_null(kp);
    assert_non_null(strstr(err, "WT_TEST_KEYPAIR"));
    assert_null(strstr(err, b58));

    /* base58 of 32 bytes (a public key) is not a keypair. */
    assert_int_equal(setenv("WT_TEST_KEYPAIR", v[0].address, 1), 0);
    assert_int_equal(keypair_load_env("WT_TEST_KEYPAIR", &kp, err, sizeof err), WT_ERANGE);
    assert_int_equal(setenv("WT_TEST_KEYPAIR", "not-base58-0OIl", 1), 0);
    assert_int_equal(keypair_load_env("WT_TEST_KEYPAIR", &kp, err, sizeof err), WT_EPARSE);

    unsetenv("WT_TEST_KEYPAIR");
    assert_int_equal(keypair_load_env("WT_TEST_KEYPAIR", &kp, err, sizeof err), WT_ENOTFOUND);
    assert_null(kp);
}

static void expect_file_error(const char *text, mode_t mode, int want, const char *needle)
{
    const char *path = write_file("bad.json", text, mode);
    struct keypair *kp = (struct keypair *)&kp; /* must be reset to NULL */
    char err[256] = "";
    int rc = keypair_load_file(path, &kp, err, sizeof err);
    if (rc != want)
        fprintf(stderr, "rc %d (%s), err: %s\n", rc, wt_strerror(rc), err);
    assert_int_equal(rc, want);
    assert_null(kp);
    assert_non_null(strstr(err, "bad.json"));
    if (needle && !strstr(err, needle))
        fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_bad_files(void **state)
{
    (void)state;
    struct vec8032 v[1];
    assert_int_equal(load_vectors(v, 1), 1);

    /* A good keypair with loose modes. */
    expect_file_error(v[0].file_json, 0644, WT_EAUTH, "chmod 600");
    expect_file_error(v[0].file_json, 0640, WT_EAUTH, "0640");
    expect_file_error(v[0].file_json, 0601, WT_EAUTH, "group or others");
    /* 0400 is fine. */
    const char *path = write_file("ro.json", v[0].file_json, 0400);
    struct keypair *kp = NULL;
    assert_int_equal(keypair_load_file(path, &kp, NULL, 0), 0);
    keypair_free(kp);

    /* Wrong lengths. */
    char text[700];
    snprintf(text, sizeof text, "%s", v[0].file_json);
    char *last = strrchr(text, ',');
    snprintf(last, sizeof text - (size_t)(last - text), "]"); /* 63 values */
    expect_file_error(text, 0600, WT_ERANGE, "63 values");
    snprintf(text, sizeof text, "%s", v[0].file_json);
    text[strlen(text) - 1] = '\0';
    snprintf(text + strlen(text), sizeof text - strlen(text), ",1]"); /* 65 values */
    expect_file_error(text, 0600, WT_ERANGE, "more than 64");
    expect_file_error("[]", 0600, WT_ERANGE, "0 values");
    expect_file_error("", 0600, WT_EPARSE, NULL);

    /* Bad JSON. */
    snprintf(text, sizeof text, "%s", v[0].file_json);
    text[strlen(text) - 1] = '\0'; /* no closing bracket */
    expect_file_error(text, 0600, WT_EPARSE, "bad JSON");
    expect_file_error("{\"key\":[1,2]}", 0600, WT_EPARSE, NULL);
    expect_file_error("[1,,2]", 0600, WT_EPARSE, "bad JSON");
    expect_file_error("[1.5]", 0600, WT_EPARSE, "not an integer");
    expect_file_error("[-1]", 0600, WT_EPARSE, NULL);
    expect_file_error("[01]", 0600, WT_EPARSE, "leading zero");
    snprintf(text, sizeof text, "%s x", v[0].file_json);
    expect_file_error(text, 0600, WT_EPARSE, "trailing");

    /* A value above 255 (first element 157 -> 256, and a huge number). */
    snprintf(text, sizeof text, "[256%s", strchr(v[0].file_json, ','));
    expect_file_error(text, 0600, WT_ERANGE, "0..255");
    snprintf(text, sizeof text, "[99999999999999999999%s", strchr(v[0].file_json, ','));
    expect_file_error(text, 0600, WT_ERANGE, "0..255");

    /* A public half that does not match the seed: last byte 26 -> 27. */
    snprintf(text, sizeof text, "%s", v[0].file_json);
    char *p = strstr(text, ",26]");
    assert_non_null(p);
    memcpy(p, ",27]", 4);
    expect_file_error(text, 0600, WT_ECRYPTO, "does not match");

    /* Missing file and a directory. */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/none.json", tmpdir);
    char err[256];
    assert_int_equal(keypair_load_file(missing, &kp, err, sizeof err), WT_ENOTFOUND);
    assert_null(kp);
    assert_int_equal(keypair_load_file(tmpdir, &kp, err, sizeof err), WT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032_vectors_from_files),
        cmocka_unit_test(test_env_json_and_base58),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
