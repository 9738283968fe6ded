/* Manual curation of smart-money wallets: the operator's decisions, shared
 * by the CLI (`walltrack wallets add|remove|verify|name|blacklist`) and the
 * API (POST /v1/smart-money/wallets/{address}/watch|unwatch|verify|
 * blacklist, PUT .../name), so both behave the same.
 *
 *   watch      status watch, discovery "manual" (creates the wallet if new)
 *   unwatch    status removed: off the watchlist, discovery leaves it so
 *   verify     verified = true (or false)
 *   name       name, and optionally the wallet type
 *   blacklist  status blacklisted (creates the wallet if new)
 *
 * Discovery never changes a blacklisted or removed wallet nor one the
 * operator added (intel/discovery.h). Each action is one store statement,
 * so it never undoes a concurrent profile run's numbers. Any thread. */
#ifndef WT_INTEL_CURATION_H
#define WT_INTEL_CURATION_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

enum curation_action {
    CURATE_WATCH = 1,
    CURATE_UNWATCH,
    CURATE_VERIFY,
    CURATE_NAME,
    CURATE_BLACKLIST,
};

struct curation {
    enum curation_action action;
    bool verified;    /* CURATE_VERIFY: the new value */
    const char *name; /* CURATE_NAME: the new name ("" clears it) */
    const char *type; /* CURATE_NAME: the new type, or NULL to keep it */
};

/* Whether s is an acceptable wallet name: at most WALLET_NAME_MAX - 1
 * bytes, no control characters. */
bool curation_name_ok(const char *s);
/* Whether s is a wallet type of the smart-money spec: whale, fund,
 * trader, protocol. */
bool curation_type_ok(const char *s);

/* Applies one decision to the wallet at `address` (a base58 public key) at
 * now_ms; *out (may be NULL) receives the wallet afterwards. Returns 0,
 * WT_EINVAL (bad address, name or type; *what names the bad field:
 * "address", "name" or "walletType"), WT_ENOTFOUND (unwatch, verify or name
 * of a wallet never seen), WT_ESTORE. */
int curation_apply(struct store *st, const char *address, const struct curation *c, int64_t now_ms,
                   struct wallet *out, const char **what);

#endif
