/* Solana transaction wire format: decode, re-encode, sign, verify.
 *
 * The live executor receives unsigned swap transactions from Jupiter; before
 * signing one it must know exactly what it signs (fee payer, signers,
 * programs, accounts). This decoder is the one place that reads the wire
 * format. It follows picohttpparser's rules: no allocation, pointers into
 * the caller's buffer, WT_EAGAIN for input that ends early, and strict
 * checks so that only canonical encodings are accepted (a decoded
 * transaction re-encodes to the same bytes, and the message we sign is the
 * message we checked). */
#include "solana/tx.h"

#include <string.h>

#include "base/err.h"
#include "solana/keypair.h"

int compact_u16_decode(const uint8_t *p, size_t len, uint16_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < 3; i++) {
        if (i >= len)
            return WT_EAGAIN;
        uint32_t b = p[i];
        if (i == 2 && b > 3)
            return WT_EPARSE; /* above 65535 */
        v |= (b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            /* A zero final byte after the first is a longer form of a
             * shorter encoding: not canonical. */
            if (i > 0 && b == 0)
                return WT_EPARSE;
            *out = (uint16_t)v;
            return (int)i + 1;
        }
    }
    return WT_EPARSE; /* third byte with the continuation bit */
}

int compact_u16_encode(uint16_t v, uint8_t out[3])
{
    int n = 0;
    uint32_t x = v;
    do {
        uint8_t b = (uint8_t)(x & 0x7f);
        x >>= 7;
        if (x)
            b |= 0x80;
        out[n++] = b;
    } while (x);
    return n;
}

/* A cursor over the input with the decoder's three outcomes. */
struct rd {
    const uint8_t *p;
    size_t len, off;
};

static int rd_u16(struct rd *r, uint16_t *out)
{
    int n = compact_u16_decode(r->p + r->off, r->len - r->off, out);
    if (n < 0)
        return n;
    r->off += (size_t)n;
    return 0;
}

static int rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
    if (r->len - r->off < n)
        return WT_EAGAIN;
    *out = r->p + r->off;
    r->off += n;
    return 0;
}

/* Reads a compact-u16 count followed by count × size bytes. */
static int rd_vec(struct rd *r, size_t size, uint16_t *count, const uint8_t **out)
{
    int rc = rd_u16(r, count);
    if (rc)
        return rc;
    return rd_bytes(r, (size_t)*count * size, out);
}

int tx_decode(const uint8_t *wire, size_t len, struct tx *tx)
{
    if (len > TX_MAX_SIZE)
        return WT_ETOOBIG;
    struct rd r = {wire, len, 0};
    const uint8_t *b;
    int rc;
    memset(tx, 0, offsetof(struct tx, instrs));
    tx->wire = wire;
    tx->len = len;
    if ((rc = rd_vec(&r, 64, &tx->n_sigs, &tx->sigs)))
        return rc;
    tx->msg = wire + r.off;
    if ((rc = rd_bytes(&r, 1, &b)))
        return rc;
    if (b[0] & 0x80) {
        if ((b[0] & 0x7f) != 0)
            return WT_EUNSUPPORTED;
        tx->version = TX_V0;
        if ((rc = rd_bytes(&r, 1, &b)))
            return rc;
    } else {
        tx->version = TX_LEGACY;
    }
    tx->n_required = b[0];
    if ((rc = rd_bytes(&r, 2, &b)))
        return rc;
    tx->n_readonly_signed = b[0];
    tx->n_readonly_unsigned = b[1];
    if ((rc = rd_vec(&r, 32, &tx->n_keys, &tx->keys)))
        return rc;
    if ((rc = rd_bytes(&r, 32, &tx->blockhash)))
        return rc;
    if ((rc = rd_u16(&r, &tx->n_instrs)))
        return rc;
    if (tx->n_instrs > TX_MAX_INSTRS)
        return WT_EPARSE;
    for (uint16_t i = 0; i < tx->n_instrs; i++) {
        struct tx_instr *in = &tx->instrs[i];
        if ((rc = rd_bytes(&r, 1, &b)))
            return rc;
        in->program_index = b[0];
        if ((rc = rd_vec(&r, 1, &in->n_accounts, &in->accounts)))
            return rc;
        if ((rc = rd_vec(&r, 1, &in->data_len, &in->data)))
            return rc;
    }
    if (tx->version == TX_V0) {
        if ((rc = rd_u16(&r, &tx->n_lookups)))
            return rc;
        if (tx->n_lookups > TX_MAX_LOOKUPS)
            return WT_EPARSE;
        uint32_t looked_up = 0;
        for (uint16_t i = 0; i < tx->n_lookups; i++) {
            struct tx_lookup *lk = &tx->lookups[i];
            if ((rc = rd_bytes(&r, 32, &lk->table)))
                return rc;
            if ((rc = rd_vec(&r, 1, &lk->n_writable, &lk->writable)))
                return rc;
            if ((rc = rd_vec(&r, 1, &lk->n_readonly, &lk->readonly)))
                return rc;
            if (lk->n_writable + lk->n_readonly == 0)
                return WT_EPARSE; /* the runtime rejects empty lookups */
            looked_up += (uint32_t)lk->n_writable + lk->n_readonly;
        }
        if (looked_up > TX_MAX_ACCOUNTS)
            return WT_EPARSE;
        tx->n_looked_up = (uint16_t)looked_up;
    }
    if (r.off != len)
        return WT_EPARSE; /* trailing bytes */
    tx->msg_len = len - (size_t)(tx->msg - wire);

    /* Shape rules of the runtime's message sanitizer. */
    uint32_t total = (uint32_t)tx->n_keys + tx->n_looked_up;
    if (tx->n_required == 0 || tx->n_sigs != tx->n_required || tx->n_keys < tx->n_required ||
        tx->n_readonly_signed >= tx->n_required ||
        tx->n_readonly_unsigned > tx->n_keys - tx->n_required || total > TX_MAX_ACCOUNTS)
        return WT_EPARSE;
    for (uint16_t i = 0; i < tx->n_instrs; i++) {
        const struct tx_instr *in = &tx->instrs[i];
        /* Programs are static keys and never the fee payer. */
        if (in->program_index == 0 || in->program_index >= tx->n_keys)
            return WT_EPARSE;
        for (uint16_t k = 0; k < in->n_accounts; k++)
            if (in->accounts[k] >= total)
                return WT_EPARSE;
    }
    return 0;
}

/* An append cursor for the encoder. */
struct wr {
    uint8_t *p;
    size_t cap, off;
    int err;
};

static void wr_bytes(struct wr *w, const void *src, size_t n)
{
    if (w->err || w->cap - w->off < n) {
        w->err = WT_EFULL;
        return;
    }
    if (n)
        memcpy(w->p + w->off, src, n);
    w->off += n;
}

static void wr_u16(struct wr *w, uint16_t v)
{
    uint8_t tmp[3];
    wr_bytes(w, tmp, (size_t)compact_u16_encode(v, tmp));
}

static void wr_u8(struct wr *w, uint8_t v)
{
    wr_bytes(w, &v, 1);
}

int tx_encode(const struct tx *tx, uint8_t *out, size_t cap, size_t *outlen)
{
    struct wr w = {out, cap, 0, 0};
    wr_u16(&w, tx->n_sigs);
    wr_bytes(&w, tx->sigs, (size_t)tx->n_sigs * 64);
    if (tx->version == TX_V0)
        wr_u8(&w, 0x80);
    wr_u8(&w, tx->n_required);
    wr_u8(&w, tx->n_readonly_signed);
    wr_u8(&w, tx->n_readonly_unsigned);
    wr_u16(&w, tx->n_keys);
    wr_bytes(&w, tx->keys, (size_t)tx->n_keys * 32);
    wr_bytes(&w, tx->blockhash, 32);
    wr_u16(&w, tx->n_instrs);
    for (uint16_t i = 0; i < tx->n_instrs; i++) {
        const struct tx_instr *in = &tx->instrs[i];
        wr_u8(&w, in->program_index);
        wr_u16(&w, in->n_accounts);
        wr_bytes(&w, in->accounts, in->n_accounts);
        wr_u16(&w, in->data_len);
        wr_bytes(&w, in->data, in->data_len);
    }
    if (tx->version == TX_V0) {
        wr_u16(&w, tx->n_lookups);
        for (uint16_t i = 0; i < tx->n_lookups; i++) {
            const struct tx_lookup *lk = &tx->lookups[i];
            wr_bytes(&w, lk->table, 32);
            wr_u16(&w, lk->n_writable);
            wr_bytes(&w, lk->writable, lk->n_writable);
            wr_u16(&w, lk->n_readonly);
            wr_bytes(&w, lk->readonly, lk->n_readonly);
        }
    }
    if (w.err)
        return w.err;
    *outlen = w.off;
    return 0;
}

bool tx_key_is_writable(const struct tx *tx, size_t i)
{
    if (i >= tx->n_keys)
        return false;
    if (i < tx->n_required)
        return i < (size_t)(tx->n_required - tx->n_readonly_signed);
    return i < (size_t)(tx->n_keys - tx->n_readonly_unsigned);
}

bool tx_verify_sig(const struct tx *tx, size_t i)
{
    if (i >= tx->n_sigs)
        return false;
    struct pubkey pk;
    memcpy(pk.b, tx_key(tx, i), 32);
    return ed25519_verify(tx->sigs + 64 * i, tx->msg, tx->msg_len, &pk);
}

int tx_sign(struct tx *tx, uint8_t *wire, struct keypair *kp)
{
    if (wire != tx->wire)
        return WT_EINVAL;
    if (tx->n_required != 1)
        return WT_EUNSUPPORTED;
    struct pubkey pk;
    keypair_pubkey(kp, &pk);
    if (memcmp(pk.b, tx_key(tx, 0), 32) != 0)
        return WT_EAUTH;
    uint8_t sig[64];
    int rc = keypair_sign(kp, tx->msg, tx->msg_len, sig);
    if (rc)
        return rc;
    memcpy(wire + (tx->sigs - tx->wire), sig, 64);
    return 0;
}

int tx_signature_id(const struct tx *tx, char *out, size_t outsize)
{
    if (tx->n_sigs == 0) {
        if (outsize)
            out[0] = '\0';
        return WT_EINVAL;
    }
    return base58_encode(tx->sigs, 64, out, outsize);
}
