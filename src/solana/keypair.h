/* The trading keypair: loading, signing, and Ed25519 verification.
 *
 * A Solana keypair is 64 bytes: the 32-byte Ed25519 seed followed by the
 * 32-byte public key (libsodium's secret-key layout). The secret half never
 * leaves this module: struct keypair is opaque, its secret lives in
 * sodium_malloc'd memory that is inaccessible (sodium_mprotect_noaccess)
 * except while signing, and keypair_free() wipes it.
 *
 * Sources:
 *   - a Solana CLI keypair file (solana-keygen's id.json: a JSON array of 64
 *     byte values). The file must not be readable, writable or executable by
 *     group or others (mode & 077 == 0), like ssh refuses a loose private key;
 *   - an environment variable holding the same JSON array, or the base58
 *     encoding of the 64 bytes (what wallets export).
 * In both cases the public half is re-derived from the seed and compared
 * with the stored one: a mismatch means a corrupt or tampered file and is
 * refused.
 *
 * Errors: loaders return 0 or a negative WT_E* code and write a one-line
 * reason into err (never containing key material): WT_EIO / WT_ENOTFOUND
 * (file), WT_EAUTH (file mode too open), WT_EPARSE (not a 64-value array or
 * base58), WT_ERANGE (a value above 255, wrong length), WT_ECRYPTO (public
 * half mismatch).
 *
 * Threads: loading and verification are safe from any thread. A keypair is
 * used by one thread at a time (keypair_sign toggles the memory protection of
 * its secret), which is how the live executor uses it. */
#ifndef WT_SOLANA_KEYPAIR_H
#define WT_SOLANA_KEYPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solana/pubkey.h"

struct keypair;

/* Loads a keypair file. On success *out is a new keypair the caller frees
 * with keypair_free(). On failure *out is NULL and err (errsize bytes, may
 * be 0) says why. */
int keypair_load_file(const char *path, struct keypair **out, char *err, size_t errsize);

/* Loads from the environment variable `name` (JSON array or base58 of the
 * 64 bytes). WT_ENOTFOUND when the variable is unset or empty. The variable
 * itself is left as it is; callers may unsetenv() it afterwards. */
int keypair_load_env(const char *name, struct keypair **out, char *err, size_t errsize);

/* Parses text[0..len) as a JSON array of 64 byte values or as base58 of the
 * 64 bytes, whichever it is. Same checks and errors as the loaders. */
int keypair_from_text(const char *text, size_t len, struct keypair **out, char *err,
                      size_t errsize);

/* Derives a keypair from a 32-byte seed (tests and key generation). The
 * seed is not kept; the caller wipes its copy. Never fails except on
 * libsodium initialisation (WT_ECRYPTO). */
int keypair_from_seed(const uint8_t seed[32], struct keypair **out);

/* The public key. Never fails. */
void keypair_pubkey(const struct keypair *kp, struct pubkey *out);

/* Signs msg[0..len) with Ed25519 into sig. Returns 0 or WT_ECRYPTO. */
int keypair_sign(struct keypair *kp, const uint8_t *msg, size_t len, uint8_t sig[64]);

/* Wipes the secret and frees the keypair. NULL is allowed. */
void keypair_free(struct keypair *kp);

/* Verifies an Ed25519 signature of msg[0..len) by pk. Returns true when
 * valid. Any thread. */
bool ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const struct pubkey *pk);

#endif
