/* Loading a raw Solana transaction (RPC getTransaction in `json` or
 * `jsonParsed` encoding, or a Helius raw webhook element) into a
 * netbal_tx, so that it goes through the same net-balance rules as the
 * enhanced format.
 *
 * Account keys are the message's static keys followed, for v0
 * transactions in `json` encoding, by meta.loadedAddresses.writable then
 * .readonly (the order the balance arrays use); in `jsonParsed` the key
 * list already holds the loaded addresses. The fee payer is key 0. The
 * DEX source is derived from the program ids among the keys.
 *
 * Threads: as the json_val it reads. */
#ifndef WT_INGEST_HELIUS_RAW_H
#define WT_INGEST_HELIUS_RAW_H

#include <stddef.h>

#include "base/json.h"
#include "ingest/netbal.h"

/* Scratch the loader reuses between transactions (key table). */
struct helius_raw_scratch {
    struct nb_str *keys;
    size_t cap;
};

void helius_raw_scratch_release(struct helius_raw_scratch *s);

/* True when v looks like a raw transaction (has `meta` and `transaction`). */
bool helius_raw_is_raw(const struct json_val *v);

/* Fills t (cleared first) from the raw transaction v. Returns 0, or
 * WT_EPARSE / WT_ETYPE / WT_ENOTFOUND / WT_ERANGE with a message naming
 * the field in err (err may be NULL). Strings in t point into v's
 * document. */
int helius_raw_load(const struct json_val *v, struct netbal_tx *t, struct helius_raw_scratch *s,
                    char *err, size_t errsize);

#endif
