/* Manual curation (see curation.h).
 *
 * Why a module of its own: the CLI and the API must apply exactly the same
 * rules (which actions create a wallet, which need it to exist, what the
 * status becomes), and both must leave the profile's numbers alone, so each
 * action is a single field update in the store. */
#include "intel/curation.h"

#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "solana/pubkey.h"

bool curation_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n >= WALLET_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

bool curation_type_ok(const char *s)
{
    static const char *const types[] = {"whale", "fund", "trader", "protocol"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(s, types[i]) == 0)
            return true;
    return false;
}

/* A wallet the store has never seen, added by the operator: no numbers
 * yet (the next profile run fills them in). */
static int create(struct store *st, const char *address, enum wallet_status status,
                  const char *discovery, int64_t now_ms)
{
    struct wallet w;
    memset(&w, 0, sizeof w);
    str_copy(w.address, sizeof w.address, address);
    str_copy(w.chain, sizeof w.chain, "solana");
    str_copy(w.type, sizeof w.type, "trader");
    str_copy(w.discovery, sizeof w.discovery, discovery);
    str_copy(w.confidence, sizeof w.confidence, "low");
    str_copy(w.trading_style, sizeof w.trading_style, "unknown");
    str_copy(w.risk_profile, sizeof w.risk_profile, "unknown");
    str_copy(w.preferred_tokens, sizeof w.preferred_tokens, "[]");
    str_copy(w.preferred_protocols, sizeof w.preferred_protocols, "[]");
    w.status = status;
    w.first_seen_ms = now_ms;
    w.updated_ms = now_ms;
    return store_wallet_upsert_profiles(st, &w, 1);
}

int curation_apply(struct store *st, const char *address, const struct curation *c, int64_t now_ms,
                   struct wallet *out, const char **what)
{
    const char *dummy;
    if (!what)
        what = &dummy;
    *what = NULL;
    struct pubkey k;
    if (!address || pubkey_parse(address, &k) != 0) {
        *what = "address";
        return WT_EINVAL;
    }
    struct wallet w;
    memset(&w, 0, sizeof w);
    unsigned fields = 0;
    bool may_create = false;
    switch (c->action) {
    case CURATE_WATCH:
        w.status = WALLET_WATCH;
        str_copy(w.discovery, sizeof w.discovery, "manual");
        fields = WALLET_F_STATUS | WALLET_F_DISCOVERY;
        may_create = true;
        break;
    case CURATE_UNWATCH:
        w.status = WALLET_REMOVED;
        fields = WALLET_F_STATUS;
        break;
    case CURATE_VERIFY:
        w.verified = c->verified;
        fields = WALLET_F_VERIFIED;
        break;
    case CURATE_NAME:
        if (!c->name || !curation_name_ok(c->name)) {
            *what = "name";
            return WT_EINVAL;
        }
        str_copy(w.name, sizeof w.name, c->name);
        fields = WALLET_F_NAME;
        if (c->type) {
            if (!curation_type_ok(c->type)) {
                *what = "walletType";
                return WT_EINVAL;
            }
            str_copy(w.type, sizeof w.type, c->type);
            fields |= WALLET_F_TYPE;
        }
        break;
    case CURATE_BLACKLIST:
        w.status = WALLET_BLACKLISTED;
        fields = WALLET_F_STATUS;
        may_create = true;
        break;
    default:
        return WT_EINVAL;
    }
    int rc = store_wallet_update_fields(st, address, fields, &w, now_ms);
    if (rc == WT_ENOTFOUND && may_create) {
        rc = create(st, address, w.status, c->action == CURATE_WATCH ? "manual" : "", now_ms);
        /* A profile run may have inserted it meanwhile: set the fields
         * again, which is idempotent. */
        if (rc == 0)
            rc = store_wallet_update_fields(st, address, fields, &w, now_ms);
    }
    if (rc == 0 && out)
        rc = store_wallet_get(st, address, out);
    return rc;
}
