/* Solana transaction wire format: legacy and v0 (address-table lookups).
 *
 *   transaction = compact-u16 n, n × 64-byte signatures, message
 *   message     = [0x80 | version]            (absent in legacy)
 *                 header: 3 bytes (required signatures, read-only signed,
 *                         read-only unsigned)
 *                 compact-u16 n, n × 32-byte account keys
 *                 32-byte recent blockhash
 *                 compact-u16 n, n × instruction
 *                 (v0) compact-u16 n, n × lookup
 *   instruction = u8 program index, compact-u16 n + n account indexes,
 *                 compact-u16 n + n data bytes
 *   lookup      = 32-byte table address, compact-u16 n + n writable indexes,
 *                 compact-u16 n + n read-only indexes
 *
 * The decoder never allocates: struct tx points into the caller's wire
 * buffer, which must outlive it. It checks everything the runtime checks
 * about shape (canonical compact-u16, counts, that the signature count
 * equals the header's required signatures, that every index is in range of
 * the static plus looked-up accounts, no trailing bytes), so a decoded
 * transaction re-encodes to the identical bytes.
 *
 * All functions are pure over their arguments; any thread. */
#ifndef WT_SOLANA_TX_H
#define WT_SOLANA_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solana/base58.h"
#include "solana/pubkey.h"

struct keypair;

/* Largest transaction the network accepts (PACKET_DATA_SIZE). */
#define TX_MAX_SIZE 1232
/* Shape limits that follow from TX_MAX_SIZE (an instruction takes at least
 * 3 bytes, a lookup 35, a signature 64). */
#define TX_MAX_INSTRS  410
#define TX_MAX_LOOKUPS 35
#define TX_MAX_SIGS    19
/* Account indexes are u8, so at most 256 accounts in total. */
#define TX_MAX_ACCOUNTS 256

enum tx_version { TX_LEGACY = -1, TX_V0 = 0 };

struct tx_instr {
    uint8_t program_index;
    uint16_t n_accounts;
    uint16_t data_len;
    const uint8_t *accounts; /* n_accounts indexes into the account list */
    const uint8_t *data;
};

struct tx_lookup {
    const uint8_t *table; /* 32-byte address of the lookup table */
    uint16_t n_writable;
    uint16_t n_readonly;
    const uint8_t *writable; /* indexes into the table */
    const uint8_t *readonly;
};

/* A decoded transaction. Invariants after tx_decode: n_sigs == n_required;
 * n_readonly_signed < n_required <= n_keys; n_readonly_unsigned <=
 * n_keys - n_required; every instruction index < n_keys + looked-up count;
 * lookups only in v0. */
struct tx {
    const uint8_t *wire; /* whole transaction */
    size_t len;
    uint16_t n_sigs;
    const uint8_t *sigs; /* n_sigs × 64 bytes, inside wire */
    const uint8_t *msg;  /* the message: what is signed */
    size_t msg_len;
    enum tx_version version;
    uint8_t n_required;
    uint8_t n_readonly_signed;
    uint8_t n_readonly_unsigned;
    uint16_t n_keys;
    const uint8_t *keys; /* n_keys × 32 bytes */
    const uint8_t *blockhash;
    uint16_t n_instrs;
    uint16_t n_lookups;
    uint16_t n_looked_up; /* accounts loaded from tables, writable + read-only */
    struct tx_instr instrs[TX_MAX_INSTRS];
    struct tx_lookup lookups[TX_MAX_LOOKUPS];
};

/* Reads a compact-u16 (1–3 bytes, little-endian base 128) from p[0..len).
 * Returns the number of bytes read, WT_EAGAIN when p ends inside it, or
 * WT_EPARSE for a non-canonical encoding or a value above 65535. */
int compact_u16_decode(const uint8_t *p, size_t len, uint16_t *out);
/* Writes v into out (3 bytes available). Returns the number written. */
int compact_u16_encode(uint16_t v, uint8_t out[3]);

/* Decodes wire[0..len) into *tx (pointing into wire). Returns 0,
 * WT_EAGAIN when the input ends early, WT_EPARSE on malformed input,
 * WT_EUNSUPPORTED for a message version above 0, WT_ETOOBIG when len >
 * TX_MAX_SIZE. On error *tx is unspecified. */
int tx_decode(const uint8_t *wire, size_t len, struct tx *tx);

/* Re-encodes a decoded transaction into out. Returns 0 and *outlen, or
 * WT_EFULL when cap is too small. */
int tx_encode(const struct tx *tx, uint8_t *out, size_t cap, size_t *outlen);

/* Account key i of the static list (i < n_keys). */
static inline const uint8_t *tx_key(const struct tx *tx, size_t i)
{
    return tx->keys + 32 * i;
}

/* True when static account i is writable per the header. */
bool tx_key_is_writable(const struct tx *tx, size_t i);

/* Verifies signature i (i < n_sigs) over the message with key i. Returns
 * true when valid. */
bool tx_verify_sig(const struct tx *tx, size_t i);

/* Signs the fee-payer slot (signature 0) of the transaction in wire, which
 * must be the buffer tx was decoded from (non-const: the signature is
 * written in place, so tx->sigs sees it). Returns 0; WT_EAUTH when the fee
 * payer is not the keypair's public key; WT_EUNSUPPORTED when the message
 * needs more than one signature (Jupiter swaps need exactly ours, so a
 * second signer means a transaction we did not ask for); WT_ECRYPTO when
 * signing fails. The keypair is used by the calling thread only. */
int tx_sign(struct tx *tx, uint8_t *wire, struct keypair *kp);

/* Writes the transaction id (base58 of the first signature) into out.
 * Returns the length or WT_EFULL. */
int tx_signature_id(const struct tx *tx, char *out, size_t outsize);

#endif
