/* Client of the Helius REST API: address history (backfill), transactions
 * by signature, and webhook management. It returns the raw JSON bodies;
 * decoding into events is the decoder's job (ingest/helius.h), so history
 * pages and webhook deliveries go through exactly the same code.
 *
 * The API key travels as the `api-key` query parameter, as Helius expects;
 * it is registered for log redaction and masked in every logged URL.
 *
 * Threads: like net/httpc, one struct helius_api per thread; calls block. */
#ifndef WT_INGEST_HELIUS_API_H
#define WT_INGEST_HELIUS_API_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "net/httpc.h"
#include "solana/base58.h"

struct helius_api;

/* base_url e.g. "https://api-mainnet.helius-rpc.com" (no trailing slash
 * needed); api_key must be non-empty. opts may be NULL. Never NULL. */
struct helius_api *helius_api_new(const char *base_url, const char *api_key,
                                  const struct httpc_opts *opts);
void helius_api_free(struct helius_api *h);
/* The message of the last failure ("" if none), secrets redacted. */
const char *helius_api_errmsg(const struct helius_api *h);
/* The HTTP status of the last answer (0 when none arrived: a network
 * error), so a caller can tell a 429 from a 5xx from a refusal. */
long helius_api_last_status(const struct helius_api *h);

struct helius_history_query {
    const char *address; /* base58 wallet or mint */
    const char *before;  /* continue before this signature, or NULL */
    const char *type;    /* "SWAP", "TRANSFER", ... or NULL for all */
    unsigned limit;      /* 1..100; 0 means 100 */
    int64_t gte_time_s;  /* only transactions at or after (Unix s); 0 none */
};

/* Fetches one page of an address's history, newest first. On success
 * returns 0 with the JSON array in *body (padded for json_parse), *count
 * the number of transactions in it, and next_before the signature to pass
 * as `before` for the next page ("" when the history is exhausted). When
 * Helius answers a type-filtered query with its "Failed to find events
 * within the search period" error, this is not a failure: *body is "[]",
 * *count 0 and next_before is the signature the error names.
 * Errors: WT_EINVAL (bad query), WT_EREMOTE (an error status or body; the
 * message says which), WT_EPARSE (not a JSON array), or httpc's codes. */
int helius_api_history_page(struct helius_api *h, const struct helius_history_query *q,
                            struct buf *body, size_t *count, char next_before[BASE58_SIG_MAX]);

/* POST /v0/transactions for up to 100 signatures: the enhanced
 * transactions as a JSON array in *body. */
int helius_api_transactions(struct helius_api *h, const char *const *sigs, size_t n,
                            struct buf *body);

struct helius_webhook_spec {
    const char *url;              /* where Helius should POST */
    const char *const *addresses; /* accounts to watch */
    size_t n_addresses;
    const char *auth_header; /* sent back in Authorization; may be "" */
};

/* Creates an enhanced webhook for SWAP and TRANSFER transactions of the
 * given addresses. Returns 0 with the new webhook's id in id (up to 127
 * characters) and the raw answer in *body. */
int helius_api_webhook_create(struct helius_api *h, const struct helius_webhook_spec *spec,
                              char id[128], struct buf *body);
/* Replaces the addresses (and URL, auth header) of an existing webhook. */
int helius_api_webhook_update(struct helius_api *h, const char *id,
                              const struct helius_webhook_spec *spec, struct buf *body);
/* GET /v0/webhooks: the JSON array of this key's webhooks in *body. */
int helius_api_webhook_list(struct helius_api *h, struct buf *body);
/* DELETE /v0/webhooks/{id}. */
int helius_api_webhook_delete(struct helius_api *h, const char *id);

#endif
