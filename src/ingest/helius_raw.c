/* Raw transactions (Solana RPC `getTransaction`, Helius raw webhooks) into
 * the shared netbal_tx form.
 *
 * The raw format has no per-account change list: it has the lamports of
 * every account before and after (meta.preBalances/postBalances, indexed
 * like the account keys) and the token balances before and after with
 * their owner (meta.pre/postTokenBalances, by accountIndex). The loader
 * turns those into the same native and token deltas the enhanced format
 * lists, so one set of rules decides both. Amounts are read from the
 * `amount` strings, never from uiAmount. */
#include "ingest/helius_raw.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

void helius_raw_scratch_release(struct helius_raw_scratch *s)
{
    free(s->keys);
    s->keys = NULL;
    s->cap = 0;
}

bool helius_raw_is_raw(const struct json_val *v)
{
    struct json_val a;
    return json_find(v, "meta", &a) == 0 && json_find(v, "transaction", &a) == 0;
}

static int fail(const struct json_val *v, int rc, char *err, size_t errsize)
{
    if (err && errsize)
        snprintf(err, errsize, "%s", json_errmsg(v->doc));
    return rc;
}

static int fail_msg(const struct json_val *v, const char *what, char *err, size_t errsize)
{
    if (err && errsize) {
        char path[64];
        json_path(v, path, sizeof path);
        if (snprintf(err, errsize, "at %s: %s", path, what) < 0)
            err[0] = '\0';
    }
    return WT_EPARSE;
}

static int push_key(struct helius_raw_scratch *s, size_t *n, const char *p, size_t len)
{
    if (*n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        s->keys = xrealloc(s->keys, cap * sizeof *s->keys);
        s->cap = cap;
    }
    s->keys[(*n)++] = (struct nb_str){p, len};
    return 0;
}

static int load_keys(const struct json_val *msg, const struct json_val *meta,
                     struct helius_raw_scratch *s, size_t *nkeys, char *err, size_t errsize)
{
    struct json_val keys, k;
    struct json_iter it;
    int rc;
    *nkeys = 0;
    if ((rc = json_get(msg, "accountKeys", &keys)) || (rc = json_iter_init(&keys, &it)))
        return fail(msg, rc, err, errsize);
    bool parsed = false;
    while (json_iter_next(&it, &k)) {
        const char *p;
        size_t len;
        if (json_type_of(&k) == JSON_OBJECT) { /* jsonParsed: {pubkey, signer, ...} */
            parsed = true;
            if ((rc = json_get_str(&k, "pubkey", &p, &len)))
                return fail(&k, rc, err, errsize);
        } else if ((rc = json_str(&k, &p, &len))) {
            return fail(&k, rc, err, errsize);
        }
        push_key(s, nkeys, p, len);
    }
    if (parsed)
        return 0;
    /* json encoding of a v0 transaction: loaded addresses follow. */
    struct json_val la;
    if (json_find(meta, "loadedAddresses", &la) || json_is_null(&la))
        return 0;
    static const char *const parts[] = {"writable", "readonly"};
    for (size_t i = 0; i < 2; i++) {
        struct json_val arr;
        if (json_find(&la, parts[i], &arr))
            continue;
        if ((rc = json_iter_init(&arr, &it)))
            return fail(&arr, rc, err, errsize);
        while (json_iter_next(&it, &k)) {
            const char *p;
            size_t len;
            if ((rc = json_str(&k, &p, &len)))
                return fail(&k, rc, err, errsize);
            push_key(s, nkeys, p, len);
        }
    }
    return 0;
}

static int load_balances(const struct json_val *meta, struct netbal_tx *t,
                         const struct helius_raw_scratch *s, size_t nkeys, char *err,
                         size_t errsize)
{
    struct json_val pre, post, a, b;
    int rc;
    if ((rc = json_get(meta, "preBalances", &pre)) || (rc = json_get(meta, "postBalances", &post)))
        return fail(meta, rc, err, errsize);
    if (json_type_of(&pre) != JSON_ARRAY || json_type_of(&post) != JSON_ARRAY ||
        json_size(&pre) != nkeys || json_size(&post) != nkeys)
        return fail_msg(&pre, "balance arrays do not match the account keys", err, errsize);
    struct json_iter ia, ib;
    json_iter_init(&pre, &ia);
    json_iter_init(&post, &ib);
    for (size_t i = 0; json_iter_next(&ia, &a) && json_iter_next(&ib, &b); i++) {
        uint64_t x, y;
        if ((rc = json_u64(&a, &x)))
            return fail(&a, rc, err, errsize);
        if ((rc = json_u64(&b, &y)))
            return fail(&b, rc, err, errsize);
        if (x > INT64_MAX || y > INT64_MAX)
            return fail_msg(&a, "lamports out of range", err, errsize);
        if (x != y)
            vec_push(&t->natives, ((struct nb_native){s->keys[i], (int64_t)y - (int64_t)x}));
    }
    return 0;
}

/* Reads one pre/postTokenBalances entry. */
static int token_entry(const struct json_val *e, const struct helius_raw_scratch *s, size_t nkeys,
                       size_t *idx, struct nb_str *mint, struct nb_str *owner, uint64_t *amount,
                       uint8_t *decimals, char *err, size_t errsize)
{
    uint64_t i, dec;
    struct json_val ui;
    int rc;
    if ((rc = json_get_u64(e, "accountIndex", &i)) ||
        (rc = json_get_str(e, "mint", &mint->p, &mint->n)) ||
        (rc = json_get(e, "uiTokenAmount", &ui)) || (rc = json_get_u64(&ui, "amount", amount)) ||
        (rc = json_get_u64(&ui, "decimals", &dec)))
        return fail(e, rc, err, errsize);
    if (i >= nkeys || dec > 30)
        return fail_msg(e, "accountIndex or decimals out of range", err, errsize);
    *owner = (struct nb_str){0};
    rc = json_opt_str(e, "owner", &owner->p, &owner->n);
    if (rc && rc != WT_ENOTFOUND)
        return fail(e, rc, err, errsize);
    (void)s;
    *idx = (size_t)i;
    *decimals = (uint8_t)dec;
    return 0;
}

static int load_tokens(const struct json_val *meta, struct netbal_tx *t,
                       const struct helius_raw_scratch *s, size_t nkeys, char *err, size_t errsize)
{
    static const char *const lists[] = {"preTokenBalances", "postTokenBalances"};
    for (size_t l = 0; l < 2; l++) {
        struct json_val arr, e;
        struct json_iter it;
        int rc;
        if (json_find(meta, lists[l], &arr) || json_is_null(&arr))
            continue;
        if ((rc = json_iter_init(&arr, &it)))
            return fail(&arr, rc, err, errsize);
        while (json_iter_next(&it, &e)) {
            size_t idx;
            struct nb_str mint, owner;
            uint64_t amount;
            uint8_t dec;
            if ((rc = token_entry(&e, s, nkeys, &idx, &mint, &owner, &amount, &dec, err, errsize)))
                return rc;
            struct nb_str acct = s->keys[idx];
            if (l == 0) { /* before: start from -pre */
                vec_push(&t->tokens, ((struct nb_token){acct, owner, mint, amount, true, dec}));
                continue;
            }
            struct nb_token *k = NULL;
            for (size_t j = 0; j < t->tokens.len && !k; j++)
                if (nb_eq(t->tokens.v[j].account, acct) && nb_eq(t->tokens.v[j].mint, mint))
                    k = &t->tokens.v[j];
            if (!k) {
                vec_push(&t->tokens, ((struct nb_token){acct, owner, mint, amount, false, dec}));
                continue;
            }
            uint64_t before = k->mag; /* still the pre amount, neg set */
            k->neg = amount < before;
            k->mag = k->neg ? before - amount : amount - before;
            if (owner.n)
                k->owner = owner;
        }
    }
    /* Drop unchanged accounts: the invariant is mag > 0. */
    size_t w = 0;
    for (size_t r = 0; r < t->tokens.len; r++)
        if (t->tokens.v[r].mag)
            t->tokens.v[w++] = t->tokens.v[r];
    t->tokens.len = w;
    return 0;
}

int helius_raw_load(const struct json_val *v, struct netbal_tx *t, struct helius_raw_scratch *s,
                    char *err, size_t errsize)
{
    struct json_val meta, tx, msg, sigs, sig0, e;
    int rc;
    netbal_tx_clear(t);
    if (json_type_of(v) != JSON_OBJECT)
        return fail_msg(v, "expected a transaction object", err, errsize);
    if ((rc = json_get(v, "meta", &meta)) || (rc = json_get(v, "transaction", &tx)) ||
        (rc = json_get(&tx, "message", &msg)) || (rc = json_get(&tx, "signatures", &sigs)) ||
        (rc = json_index(&sigs, 0, &sig0)) || (rc = json_str(&sig0, &t->sig.p, &t->sig.n)))
        return fail(v, rc, err, errsize);
    if (json_type_of(&meta) != JSON_OBJECT)
        return fail_msg(&meta, "expected an object", err, errsize);
    t->failed = json_find(&meta, "err", &e) == 0 && !json_is_null(&e);
    if ((rc = json_get_u64(&meta, "fee", &t->fee)))
        return fail(&meta, rc, err, errsize);
    rc = json_opt_u64(v, "slot", &t->slot);
    if (rc && rc != WT_ENOTFOUND)
        return fail(v, rc, err, errsize);
    int64_t bt = 0;
    rc = json_opt_i64(v, "blockTime", &bt);
    if (rc && rc != WT_ENOTFOUND)
        return fail(v, rc, err, errsize);
    if (bt < 0 || bt > INT64_MAX / 1000)
        return fail_msg(v, "blockTime out of range", err, errsize);
    t->ts_ms = bt * 1000;
    size_t nkeys = 0;
    if ((rc = load_keys(&msg, &meta, s, &nkeys, err, errsize)))
        return rc;
    if (nkeys == 0)
        return fail_msg(&msg, "no account keys", err, errsize);
    t->fee_payer = s->keys[0];
    for (size_t i = 0; i < nkeys; i++)
        netbal_dex_note(t, s->keys[i]);
    if ((rc = load_balances(&meta, t, s, nkeys, err, errsize)))
        return rc;
    return load_tokens(&meta, t, s, nkeys, err, errsize);
}
