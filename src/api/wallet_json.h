/* JSON views of smart-money wallets, shared by the REST API
 * (routes_wallets.c) and the CLI (`walltrack wallets list|show --json`), so
 * both print the same shapes. The shapes are documented in docs/api.md and
 * docs/openapi.json; the list item is exactly the smart-money spec's.
 *
 * Functions write one JSON value into a jw (base/jw.h). Any thread. */
#ifndef WT_API_WALLET_JSON_H
#define WT_API_WALLET_JSON_H

#include "base/jw.h"
#include "intel/profile.h"
#include "store/store.h"

/* One item of GET /v1/smart-money/wallets: walletAddress, chainId,
 * walletName, walletType, verified, scoring, performance, activity,
 * behavioral (the spec's shape, nothing else). */
void wallet_json_item(struct jw *w, const struct wallet *x);

/* {"wallets": [<item>, ...], "pagination": {"page", "limit", "total"}}:
 * one page of GET /v1/smart-money/wallets and of `wallets list --json`. */
void wallet_json_page(struct jw *w, const struct wallet_page *pg, uint64_t page, uint64_t limit);

/* "similar": [{"distance": d, "wallet": <item>}, ...] for the n wallets
 * of rows at dist[i] (a member of the open object): the answer of
 * /v1/smart-money/wallets/{address}/similar and `wallets similar --json`. */
void wallet_json_similar(struct jw *w, const struct wallet *rows, const double *dist, size_t n);

/* The item plus status, discoveryMethod, firstSeenTimestamp,
 * updatedTimestamp, and performance.sortinoRatio / volatility. Leaves the
 * object open so the caller can add members; close it with jw_obj_end. */
void wallet_json_detail_begin(struct jw *w, const struct wallet *x);

/* "openPositions": [...] and "realizedPnlSol" / "unrealizedPnlSol" of a
 * wallet's replayed history, valued at each mint's last traded price in
 * the store (members of the open object). Returns 0 or WT_ESTORE. */
int wallet_json_positions(struct jw *w, struct store *st, struct wallet_history *h);

/* One trade of a wallet's history (index i of h->swaps / its fills). */
void wallet_json_trade(struct jw *w, const struct wallet_history *h, size_t i);

/* A performance snapshot and a trade pattern row. */
void wallet_json_snapshot(struct jw *w, const struct wallet_snapshot_row *s);
void wallet_json_pattern(struct jw *w, const struct trade_pattern_row *p);

/* ISO 8601 of ms, or NULL (JSON null) for 0. */
void wallet_json_time(struct jw *w, const char *key, int64_t ms);

#endif
