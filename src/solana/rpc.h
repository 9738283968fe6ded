/* Solana JSON-RPC client over net/httpc (retries, failover between RPC
 * endpoints, health tracking).
 *
 * Each call builds its request with base/jw.h, posts it, and decodes the
 * answer with base/json.h. Amounts (lamports, raw token amounts, slots,
 * rentEpoch up to u64 max) are read exactly, never through a double.
 * Response ids may be numbers or strings; one request travels per HTTP
 * exchange, so ids are not matched.
 *
 * Errors: every call returns 0 or a negative WT_E* code. WT_EREMOTE means
 * the node answered with a JSON-RPC error (or a non-200 status without
 * one); rpc_last_error() then holds the code, message, preflight logs and
 * the decoded transaction error. WT_EPARSE means the answer was not what
 * the method returns (the message names the JSON path). Network failures
 * pass through from httpc (WT_ENET, WT_ETIMEOUT, WT_ETOOBIG).
 *
 * Threads: a struct rpc belongs to one thread at a time (the I/O thread),
 * like the httpc it owns. Calls block for the request. */
#ifndef WT_SOLANA_RPC_H
#define WT_SOLANA_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/json.h"
#include "net/httpc.h"
#include "solana/base58.h"
#include "solana/pubkey.h"

#define TOKEN_PROGRAM_ID      "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
#define TOKEN_2022_PROGRAM_ID "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"

enum rpc_commitment { RPC_PROCESSED, RPC_CONFIRMED, RPC_FINALIZED };

/* A TransactionError as the RPC reports it: null, a string
 * ("BlockhashNotFound") or an object ({"InstructionError":[2,{"Custom":6022}]},
 * {"InsufficientFundsForRent":{"account_index":0}}). */
struct rpc_tx_err {
    bool set;           /* false when the value was null (no error) */
    char text[256];     /* the string, or the object as compact JSON (truncated) */
    int instr_index;    /* InstructionError's instruction index, else -1 */
    char instr_err[64]; /* InstructionError's kind: "Custom", "InvalidAccountData", ... */
    bool has_custom;    /* InstructionError [i, {"Custom": n}] */
    uint32_t custom;
};

/* The last JSON-RPC failure of a client. logs is owned by the client. */
struct rpc_error {
    long http_status;
    int64_t code; /* JSON-RPC error code; 0 when there was none */
    char message[512];
    struct rpc_tx_err err; /* data.err of a preflight failure */
    struct buf logs;       /* data.logs, one per line */
    bool has_units;
    uint64_t units_consumed;
};

enum rpc_confirmation { RPC_CONF_NONE, RPC_CONF_PROCESSED, RPC_CONF_CONFIRMED, RPC_CONF_FINALIZED };

struct rpc_token_account {
    struct pubkey address;
    struct pubkey mint;
    struct pubkey owner;
    struct pubkey program; /* Tokenkeg… or Token-2022 */
    uint64_t amount;       /* raw units */
    uint8_t decimals;
    bool is_native;
    bool frozen;
    uint64_t lamports;
    uint64_t rent_epoch;
};

/* Growable list (base/vec.h compatible). Free with free(list.v). */
struct rpc_token_list {
    struct rpc_token_account *v;
    size_t len, cap;
};

struct rpc_sim_result {
    uint64_t slot;
    struct rpc_tx_err err;
    bool has_units;
    uint64_t units_consumed;
    struct buf logs; /* one per line; caller releases with buf_release */
};

struct rpc_send_opts {
    bool skip_preflight;
    int max_retries; /* < 0: leave it to the node */
    enum rpc_commitment preflight_commitment;
};

struct rpc_sig_status {
    bool found; /* false when the node does not know the signature */
    uint64_t slot;
    bool has_confirmations; /* null once rooted */
    uint64_t confirmations;
    struct rpc_tx_err err;
    enum rpc_confirmation status;
};

struct rpc_sig_info {
    char signature[BASE58_SIG_MAX];
    uint64_t slot;
    bool has_block_time;
    int64_t block_time;
    struct rpc_tx_err err;
    enum rpc_confirmation status;
};

struct rpc_sig_list {
    struct rpc_sig_info *v;
    size_t len, cap;
};

struct rpc_sigs_query {
    uint32_t limit;     /* 1..1000; 0 means the node's default (1000) */
    const char *before; /* signature or NULL */
    const char *until;  /* signature or NULL */
    enum rpc_commitment commitment;
};

/* Creates a client over n endpoint URLs (failover in that order). opts may
 * be NULL for httpc's defaults. Never NULL. */
struct rpc *rpc_new(const char *const *urls, size_t n, const struct httpc_opts *opts);
void rpc_free(struct rpc *r);

/* The last error (valid until the next call on r). */
const struct rpc_error *rpc_last_error(const struct rpc *r);
/* The underlying HTTP client (endpoint health). */
struct httpc *rpc_http(struct rpc *r);

int rpc_get_balance(struct rpc *r, const struct pubkey *account, enum rpc_commitment c,
                    uint64_t *lamports, uint64_t *slot);

/* Token accounts of owner under one program (program != NULL) or both token
 * programs (NULL), appended to out. */
int rpc_get_token_accounts(struct rpc *r, const struct pubkey *owner, const char *program,
                           enum rpc_commitment c, struct rpc_token_list *out);

int rpc_get_latest_blockhash(struct rpc *r, enum rpc_commitment c, uint8_t blockhash[32],
                             uint64_t *last_valid_block_height, uint64_t *slot);

/* Simulates wire[0..len) (sent as base64). out->logs must be initialised
 * (buf_init) by the caller. A failed simulation is success of the call:
 * out->err.set says the transaction would fail. */
int rpc_simulate(struct rpc *r, const uint8_t *wire, size_t len, bool sig_verify,
                 bool replace_blockhash, enum rpc_commitment c, struct rpc_sim_result *out);

/* Sends a signed transaction (base64). On success writes the signature the
 * node returned into sig. A preflight failure is WT_EREMOTE with
 * rpc_last_error()->err and logs. */
int rpc_send_transaction(struct rpc *r, const uint8_t *wire, size_t len,
                         const struct rpc_send_opts *o, char sig[BASE58_SIG_MAX]);

/* Statuses of n (<= 256) signatures, into out[0..n). */
int rpc_get_signature_statuses(struct rpc *r, const char *const *sigs, size_t n,
                               bool search_history, struct rpc_sig_status *out);

/* Signatures for an address, newest first, appended to out. */
int rpc_get_signatures_for_address(struct rpc *r, const struct pubkey *address,
                                   const struct rpc_sigs_query *q, struct rpc_sig_list *out);

/* getTransaction with encoding json and maxSupportedTransactionVersion 0.
 * On success body holds the whole raw JSON-RPC response (with JSON_PADDING,
 * for the ingest decoder); the caller initialised it with httpc_resp_init
 * and releases it. WT_ENOTFOUND when the result is null (unknown or not yet
 * confirmed). */
int rpc_get_transaction(struct rpc *r, const char *signature, enum rpc_commitment c,
                        struct httpc_resp *body);

/* Decodes a TransactionError value (null, string or object). Returns 0 or
 * WT_ETYPE. Any thread. */
int rpc_tx_err_decode(const struct json_val *v, struct rpc_tx_err *out);

#endif
