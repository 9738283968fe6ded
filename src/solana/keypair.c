/* The trading keypair: the one place the secret key exists.
 *
 * walltrack signs swap transactions with the operator's Solana key, so this
 * module is written to keep that key from spreading: the 64 secret bytes go
 * straight from the input buffer into guarded sodium_malloc memory, every
 * temporary copy is wiped, the guarded page is made inaccessible between
 * signatures, and nothing here ever prints key material (error messages
 * name the file and the problem, never a value).
 *
 * The keypair file is parsed by a small strict reader instead of base/json.h
 * on purpose: simdjson keeps every number in its tape and frees the tape
 * without wiping it, which would leave the secret bytes in freed heap. The
 * accepted grammar is exactly what solana-keygen writes, a JSON array of 64
 * integers 0..255 with optional whitespace. */
#include "solana/keypair.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "solana/base58.h"

/* Invariant: sk points to 64 sodium_malloc'd bytes (seed || public key),
 * kept PROT_NONE except inside keypair_sign; pub equals sk[32..64). */
struct keypair {
    unsigned char *sk;
    struct pubkey pub;
};

#define KEYPAIR_FILE_MAX 4096

static void set_err(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errsize, const char *fmt, ...)
{
    if (!err || !errsize)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
}

static int sodium_ready(void)
{
    return sodium_init() < 0 ? WT_ECRYPTO : 0;
}

/* Reads a JSON array of exactly 64 integers 0..255 into out. */
static int parse_json_array(const char *s, size_t len, uint8_t out[64], char *err, size_t errsize)
{
    size_t i = 0, n = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i >= len || s[i] != '[') {
        set_err(err, errsize, "not a JSON array");
        return WT_EPARSE;
    }
    i++;
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            i++;
        if (i < len && s[i] == ']' && n == 0)
            break;
        if (i >= len || s[i] < '0' || s[i] > '9') {
            set_err(err, errsize, "bad JSON: expected a number at element %zu", n);
            return WT_EPARSE;
        }
        unsigned v = 0;
        size_t digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (v <= 255)
                v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            digits++;
        }
        if (digits > 1 && s[i - digits] == '0') {
            set_err(err, errsize, "bad JSON: leading zero at element %zu", n);
            return WT_EPARSE;
        }
        if (i < len && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) {
            set_err(err, errsize, "element %zu is not an integer", n);
            return WT_EPARSE;
        }
        if (v > 255) {
            set_err(err, errsize, "element %zu is out of the byte range 0..255", n);
            return WT_ERANGE;
        }
        if (n == 64) {
            set_err(err, errsize, "more than 64 values (a keypair is 64 bytes)");
            return WT_ERANGE;
        }
        out[n++] = (uint8_t)v;
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            i++;
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        if (i < len && s[i] == ']')
            break;
        set_err(err, errsize, "bad JSON: expected ',' or ']' after element %zu", n - 1);
        return WT_EPARSE;
    }
    i++;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i != len) {
        set_err(err, errsize, "bad JSON: trailing bytes after the array");
        return WT_EPARSE;
    }
    if (n != 64) {
        set_err(err, errsize, "%zu values, a keypair is 64 bytes", n);
        return WT_ERANGE;
    }
    return 0;
}

/* Builds a keypair from the 64 bytes, checking the public half. */
static int from_bytes(const uint8_t bytes[64], struct keypair **out, char *err, size_t errsize)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char *sk = NULL;
    int rc = sodium_ready();
    if (rc) {
        set_err(err, errsize, "libsodium failed to initialise");
        return rc;
    }
    sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    if (!sk) {
        set_err(err, errsize, "out of secure memory");
        return WT_ENOMEM;
    }
    if (crypto_sign_seed_keypair(pk, sk, bytes) != 0) {
        set_err(err, errsize, "key derivation failed");
        rc = WT_ECRYPTO;
        goto out;
    }
    if (sodium_memcmp(pk, bytes + 32, 32) != 0) {
        set_err(err, errsize,
                "the public half does not match the key derived from the seed "
                "(corrupt or tampered keypair)");
        rc = WT_ECRYPTO;
        goto out;
    }
    struct keypair *kp = xcalloc(1, sizeof *kp);
    memcpy(kp->pub.b, pk, 32);
    kp->sk = sk;
    sodium_mprotect_noaccess(sk);
    sk = NULL;
    *out = kp;
out:
    if (sk)
        sodium_free(sk); /* sodium_free wipes before unmapping */
    return rc;
}

int keypair_from_text(const char *text, size_t len, struct keypair **out, char *err, size_t errsize)
{
    uint8_t bytes[64];
    int rc;
    *out = NULL;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
        i++;
    if (i == len) {
        set_err(err, errsize, "empty");
        rc = WT_EPARSE;
    } else if (text[i] == '[') {
        rc = parse_json_array(text, len, bytes, err, errsize);
    } else {
        size_t end = len;
        while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r'))
            end--;
        rc = end - i > 180 ? WT_ERANGE : base58_decode(text + i, end - i, bytes, 64);
        if (rc == WT_EPARSE)
            set_err(err, errsize, "neither a JSON array nor base58");
        else if (rc)
            set_err(err, errsize, "base58 value is not 64 bytes");
    }
    if (rc == 0)
        rc = from_bytes(bytes, out, err, errsize);
    sodium_memzero(bytes, sizeof bytes);
    return rc;
}

int keypair_load_file(const char *path, struct keypair **out, char *err, size_t errsize)
{
    char text[KEYPAIR_FILE_MAX];
    size_t len = 0;
    int rc = 0;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT ? WT_ENOTFOUND : WT_EIO;
        set_err(err, errsize, "keypair file %s: %s", path, strerror(errno));
        return rc;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        set_err(err, errsize, "keypair file %s: %s", path, strerror(errno));
        rc = WT_EIO;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, errsize, "keypair file %s is not a regular file", path);
        rc = WT_EINVAL;
        goto out;
    }
    if (st.st_mode & 077) {
        set_err(err, errsize,
                "keypair file %s has mode %04o: it must not be accessible by group or others "
                "(run chmod 600 %s)",
                path, (unsigned)(st.st_mode & 07777), path);
        rc = WT_EAUTH;
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, text + len, sizeof text - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_err(err, errsize, "keypair file %s: %s", path, strerror(errno));
            rc = WT_EIO;
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof text) {
            set_err(err, errsize, "keypair file %s is too large to be a keypair", path);
            rc = WT_ETOOBIG;
            goto out;
        }
    }
    rc = keypair_from_text(text, len, out, err, errsize);
    if (rc) {
        /* Prefix the path to the reason, keeping the reason. */
        char reason[160];
        snprintf(reason, sizeof reason, "%s", err && errsize ? err : "");
        set_err(err, errsize, "keypair file %s: %s", path, reason);
    }
out:
    sodium_memzero(text, sizeof text);
    close(fd);
    return rc;
}

int keypair_load_env(const char *name, struct keypair **out, char *err, size_t errsize)
{
    *out = NULL;
    const char *v = getenv(name);
    if (!v || !*v) {
        set_err(err, errsize, "environment variable %s is not set", name);
        return WT_ENOTFOUND;
    }
    int rc = keypair_from_text(v, strlen(v), out, err, errsize);
    if (rc) {
        char reason[160];
        snprintf(reason, sizeof reason, "%s", err && errsize ? err : "");
        set_err(err, errsize, "environment variable %s: %s", name, reason);
    }
    return rc;
}

int keypair_from_seed(const uint8_t seed[32], struct keypair **out)
{
    uint8_t bytes[64];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    *out = NULL;
    int rc = sodium_ready();
    if (rc)
        return rc;
    crypto_sign_seed_keypair(bytes + 32, sk, seed);
    memcpy(bytes, seed, 32);
    rc = from_bytes(bytes, out, NULL, 0);
    sodium_memzero(bytes, sizeof bytes);
    sodium_memzero(sk, sizeof sk);
    return rc;
}

void keypair_pubkey(const struct keypair *kp, struct pubkey *out)
{
    *out = kp->pub;
}

int keypair_sign(struct keypair *kp, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    sodium_mprotect_readonly(kp->sk);
    int rc = crypto_sign_detached(sig, NULL, msg, len, kp->sk);
    sodium_mprotect_noaccess(kp->sk);
    return rc == 0 ? 0 : WT_ECRYPTO;
}

void keypair_free(struct keypair *kp)
{
    if (!kp)
        return;
    sodium_mprotect_readwrite(kp->sk);
    sodium_free(kp->sk); /* wipes, then unmaps with its guard pages */
    sodium_memzero(kp, sizeof *kp);
    free(kp);
}

bool ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const struct pubkey *pk)
{
    if (sodium_ready())
        return false;
    return crypto_sign_verify_detached(sig, msg, len, pk->b) == 0;
}
