/* DexScreener client: token market data with a cache that rides out
 * outages and a limiter that keeps walltrack under DexScreener's 300
 * requests per minute.
 *
 * Why a cache with a stale limit: the engine marks positions and filters
 * signals on these numbers every few seconds; one slow or failing request
 * must not leave it blind, but data older than a few minutes is worse than
 * none for a memecoin, so the stale limit bounds how old an answer may be.
 * Why the limiter never sleeps: the caller is an I/O loop with other work;
 * a held-back request is served from the cache like a failed one, and the
 * limiter runs on the injected clock so tests need no sleeps.
 *
 * DexScreener's numbers are JSON numbers or decimal strings (priceNative,
 * priceUsd); both are read. The cache is an open-addressing table keyed by
 * mint, evicting the oldest entry when full. */
#include "market/dexscreener.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/str.h"

#define WINDOW_MS MS_PER_MINUTE

struct entry {
    bool used;
    struct dex_token tok;
};

/* Invariants: cap is a power of two, n_used <= cap / 2; ring holds the send
 * times of the last ring_len requests, oldest at ring_head. */
struct dexscreener {
    struct httpc *http;
    const struct clock *clock;
    struct dexscreener_opts o;
    struct json_doc *doc;
    struct httpc_resp resp;
    struct entry *tab;
    size_t cap, n_used;
    int64_t *ring;
    size_t ring_head, ring_len;
    struct dexscreener_stats st;
    char err[256];
};

void dexscreener_opts_default(struct dexscreener_opts *o)
{
    o->ttl_ms = 30000;
    o->stale_max_ms = 600000;
    o->max_per_minute = 280;
    o->cache_max = 10000;
}

struct dexscreener *dexscreener_new(const char *base_url, const struct clock *clock,
                                    const struct dexscreener_opts *opts,
                                    const struct httpc_opts *http)
{
    struct dexscreener *d = xcalloc(1, sizeof *d);
    const char *urls[1] = {base_url};
    d->http = httpc_new(urls, 1, http);
    httpc_set_service(d->http, "dexscreener");
    d->clock = clock;
    if (opts)
        d->o = *opts;
    else
        dexscreener_opts_default(&d->o);
    if (d->o.max_per_minute == 0)
        d->o.max_per_minute = 1;
    if (d->o.cache_max == 0)
        d->o.cache_max = 1;
    d->doc = json_doc_new(0);
    httpc_resp_init(&d->resp);
    d->cap = 64;
    d->tab = xcalloc(d->cap, sizeof *d->tab);
    d->ring = xcalloc(d->o.max_per_minute, sizeof *d->ring);
    return d;
}

void dexscreener_free(struct dexscreener *d)
{
    if (!d)
        return;
    httpc_free(d->http);
    json_doc_free(d->doc);
    httpc_resp_release(&d->resp);
    free(d->tab);
    free(d->ring);
    free(d);
}

const char *dexscreener_errmsg(const struct dexscreener *d)
{
    return d->err;
}

void dexscreener_stats(const struct dexscreener *d, struct dexscreener_stats *out)
{
    *out = d->st;
}

static void set_err(struct dexscreener *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(struct dexscreener *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof d->err, fmt, ap);
    va_end(ap);
}

/* ---- cache -------------------------------------------------------------- */

static size_t slot_of(const struct pubkey *k, size_t cap)
{
    uint64_t h;
    memcpy(&h, k->b, sizeof h);
    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

static struct entry *cache_find(struct dexscreener *d, const struct pubkey *k)
{
    for (size_t i = slot_of(k, d->cap);; i = (i + 1) & (d->cap - 1)) {
        if (!d->tab[i].used)
            return NULL;
        if (pubkey_eq(&d->tab[i].tok.mint, k))
            return &d->tab[i];
    }
}

static void raw_insert(struct entry *tab, size_t cap, const struct dex_token *t)
{
    size_t i = slot_of(&t->mint, cap);
    while (tab[i].used)
        i = (i + 1) & (cap - 1);
    tab[i].used = true;
    tab[i].tok = *t;
}

/* Rebuilds the table at new_cap, leaving out `skip` (may be NULL). */
static void rehash(struct dexscreener *d, size_t new_cap, const struct entry *skip)
{
    struct entry *nt = xcalloc(new_cap, sizeof *nt);
    size_t n = 0;
    for (size_t i = 0; i < d->cap; i++)
        if (d->tab[i].used && &d->tab[i] != skip) {
            raw_insert(nt, new_cap, &d->tab[i].tok);
            n++;
        }
    free(d->tab);
    d->tab = nt;
    d->cap = new_cap;
    d->n_used = n;
}

static void cache_put(struct dexscreener *d, const struct dex_token *t)
{
    struct entry *e = cache_find(d, &t->mint);
    if (e) {
        e->tok = *t;
        e->tok.stale = false;
        return;
    }
    if (d->n_used >= d->o.cache_max) {
        struct entry *oldest = NULL;
        for (size_t i = 0; i < d->cap; i++)
            if (d->tab[i].used && (!oldest || d->tab[i].tok.fetched_ms < oldest->tok.fetched_ms))
                oldest = &d->tab[i];
        rehash(d, d->cap, oldest); /* deletion in a linear-probe table: rebuild */
    }
    if ((d->n_used + 1) * 2 > d->cap)
        rehash(d, d->cap * 2, NULL);
    raw_insert(d->tab, d->cap, t);
    d->n_used++;
}

/* ---- rate limiter ------------------------------------------------------- */

/* Takes a slot for a request at now, or returns false when max_per_minute
 * requests were sent in the last WINDOW_MS. */
static bool limiter_take(struct dexscreener *d, int64_t now)
{
    uint32_t max = d->o.max_per_minute;
    while (d->ring_len && now - d->ring[d->ring_head] >= WINDOW_MS) {
        d->ring_head = (d->ring_head + 1) % max;
        d->ring_len--;
    }
    if (d->ring_len >= max)
        return false;
    d->ring[(d->ring_head + d->ring_len) % max] = now;
    d->ring_len++;
    return true;
}

/* ---- parsing ------------------------------------------------------------ */

/* A number that may come as a JSON number or a decimal string. */
static int num_field(const struct json_val *obj, const char *key, double *out)
{
    struct json_val v;
    const char *s;
    *out = 0;
    if (json_find(obj, key, &v) != 0 || json_is_null(&v))
        return 0;
    if (json_type_of(&v) == JSON_STRING) {
        if (json_str(&v, &s, NULL) || str_to_double(s, out))
            return WT_EPARSE;
        return 0;
    }
    return json_double(&v, out);
}

static int token_addr(const struct json_val *pair, const char *side, struct pubkey *out)
{
    struct json_val t;
    const char *s;
    size_t n;
    int rc;
    if ((rc = json_get(pair, side, &t)) || (rc = json_get_str(&t, "address", &s, &n)))
        return rc;
    return pubkey_parse_n(s, n, out) ? WT_EPARSE : 0;
}

static int read_activity(const struct json_val *pair, struct dex_activity act[DEX__WINDOWS])
{
    static const char *const names[DEX__WINDOWS] = {"m5", "h1", "h6", "h24"};
    struct json_val txns, vol, w;
    bool has_txns = json_find(pair, "txns", &txns) == 0 && json_type_of(&txns) == JSON_OBJECT;
    bool has_vol = json_find(pair, "volume", &vol) == 0 && json_type_of(&vol) == JSON_OBJECT;
    for (int i = 0; i < DEX__WINDOWS; i++) {
        uint64_t b = 0, s = 0;
        if (has_txns && json_find(&txns, names[i], &w) == 0 && json_type_of(&w) == JSON_OBJECT) {
            if (json_opt_u64(&w, "buys", &b) == WT_ETYPE ||
                json_opt_u64(&w, "sells", &s) == WT_ETYPE || b > UINT32_MAX || s > UINT32_MAX)
                return WT_EPARSE;
        }
        act[i].buys = (uint32_t)b;
        act[i].sells = (uint32_t)s;
        if (has_vol && num_field(&vol, names[i], &act[i].volume_usd))
            return WT_EPARSE;
    }
    return 0;
}

/* Reads one pair into t from the point of view of `mint` (base or quote
 * side). */
static int read_pair(const struct json_val *pair, const struct pubkey *mint, bool is_base,
                     const struct pubkey *other, struct dex_token *t)
{
    struct json_val liq;
    const char *s;
    size_t n;
    double native = 0, usd = 0;
    int rc;
    memset(t, 0, sizeof *t);
    t->mint = *mint;
    t->quote_mint = *other;
    if ((rc = json_get_str(pair, "pairAddress", &s, &n)) || pubkey_parse_n(s, n, &t->pair))
        return rc ? rc : WT_EPARSE;
    if (json_opt_str(pair, "dexId", &s, NULL) == 0)
        str_copy(t->dex_id, sizeof t->dex_id, s);
    if ((rc = num_field(pair, "priceNative", &native)) || (rc = num_field(pair, "priceUsd", &usd)))
        return rc;
    if (is_base) {
        t->price_native = native;
        t->price_usd = usd;
    } else if (native > 0) {
        /* priceNative is the base in quote units; the quote's own price is
         * its inverse, and its USD price is the base's divided by it. */
        t->price_native = 1.0 / native;
        t->price_usd = usd / native;
    }
    struct pubkey wsol;
    pubkey_parse(MINT_WSOL, &wsol);
    if (pubkey_eq(other, &wsol))
        t->price_sol = t->price_native;
    if (json_find(pair, "liquidity", &liq) == 0 && json_type_of(&liq) == JSON_OBJECT &&
        (rc = num_field(&liq, "usd", &t->liquidity_usd)))
        return rc;
    if ((rc = num_field(pair, "fdv", &t->fdv_usd)) ||
        (rc = num_field(pair, "marketCap", &t->mcap_usd)))
        return rc;
    if (json_opt_i64(pair, "pairCreatedAt", &t->created_ms) == WT_ETYPE)
        return WT_ETYPE;
    t->found = true;
    return read_activity(pair, t->act);
}

static int parse_doc(struct json_doc *doc, const char *body, size_t len, size_t cap,
                     const struct pubkey *mints, size_t n, int64_t now_ms, struct dex_token *out,
                     char *err, size_t errsize)
{
    struct json_val root, pair;
    struct json_iter it;
    int rc = json_parse(doc, body, len, cap, &root);
    if (rc || json_type_of(&root) != JSON_ARRAY || json_iter_init(&root, &it)) {
        snprintf(err, errsize, "DexScreener answer is %s",
                 rc ? json_errmsg(doc) : "not a JSON array of pairs");
        return WT_EPARSE;
    }
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].mint = mints[i];
        out[i].fetched_ms = now_ms;
    }
    while (json_iter_next(&it, &pair)) {
        struct pubkey base, quote;
        const char *chain;
        if (json_opt_str(&pair, "chainId", &chain, NULL) == 0 && strcmp(chain, "solana") != 0)
            continue;
        if ((rc = token_addr(&pair, "baseToken", &base)) ||
            (rc = token_addr(&pair, "quoteToken", &quote)))
            goto bad;
        for (size_t i = 0; i < n; i++) {
            bool is_base = pubkey_eq(&mints[i], &base);
            if (!is_base && !pubkey_eq(&mints[i], &quote))
                continue;
            struct dex_token t;
            if ((rc = read_pair(&pair, &mints[i], is_base, is_base ? &quote : &base, &t)))
                goto bad;
            if (!out[i].found || t.liquidity_usd > out[i].liquidity_usd) {
                t.fetched_ms = now_ms;
                out[i] = t;
            }
        }
    }
    return 0;
bad : {
    char path[128];
    json_path(&pair, path, sizeof path);
    const char *m = json_errmsg(doc);
    snprintf(err, errsize, "bad pair at %s: %s", path, m[0] ? m : wt_strerror(rc));
    for (size_t i = 0; i < n; i++)
        out[i].found = false;
    return WT_EPARSE;
}
}

int dex_parse_pairs(const char *body, size_t len, const struct pubkey *mints, size_t n,
                    int64_t now_ms, struct dex_token *out, char *err, size_t errsize)
{
    struct json_doc *doc = json_doc_new(0);
    int rc = parse_doc(doc, body, len, 0, mints, n, now_ms, out, err, errsize);
    json_doc_free(doc);
    return rc;
}

int dex_parse_search(const char *body, size_t len, struct pubkey *out, size_t max, size_t *n,
                     char *err, size_t errsize)
{
    struct json_doc *doc = json_doc_new(0);
    struct json_val root, pairs, pair;
    struct json_iter it;
    int rc = json_parse(doc, body, len, 0, &root);
    *n = 0;
    if (rc || json_type_of(&root) != JSON_OBJECT || json_get(&root, "pairs", &pairs) != 0 ||
        json_iter_init(&pairs, &it)) {
        snprintf(err, errsize, "DexScreener search answer is %s",
                 rc ? json_errmsg(doc) : "not an object with a pairs array");
        json_doc_free(doc);
        return WT_EPARSE;
    }
    while (rc == 0 && json_iter_next(&it, &pair)) {
        struct pubkey base;
        const char *chain;
        if (json_opt_str(&pair, "chainId", &chain, NULL) == 0 && strcmp(chain, "solana") != 0)
            continue;
        if ((rc = token_addr(&pair, "baseToken", &base)) != 0) {
            char path[128];
            json_path(&pair, path, sizeof path);
            snprintf(err, errsize, "bad pair at %s: %s", path, wt_strerror(rc));
            rc = WT_EPARSE;
            break;
        }
        bool dup = false;
        for (size_t i = 0; i < *n && !dup; i++)
            dup = pubkey_eq(&out[i], &base);
        if (!dup && *n < max)
            out[(*n)++] = base;
    }
    json_doc_free(doc);
    return rc;
}

/* ---- requests ----------------------------------------------------------- */

/* Fetches mints[0..n) (n <= DEX_BATCH) and caches the answers. */
static int fetch_batch(struct dexscreener *d, const struct pubkey *mints, size_t n, int64_t now)
{
    struct dex_token got[DEX_BATCH];
    char key[BASE58_KEY_MAX];
    struct buf path;
    int rc;
    if (!limiter_take(d, now)) {
        d->st.limited++;
        set_err(d, "rate limit: %u requests in the last minute", d->o.max_per_minute);
        return WT_EBUSY;
    }
    buf_init(&path, 0);
    buf_puts(&path, "/tokens/v1/solana/");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&path, ',');
        buf_puts(&path, pubkey_format(&mints[i], key));
    }
    struct httpc_req req = {.method = "GET", .path = path.data, .retries = -1};
    d->st.requests++;
    rc = httpc_do(d->http, &req, &d->resp);
    buf_release(&path);
    if (rc) {
        set_err(d, "DexScreener: %s", wt_strerror(rc));
        goto fail;
    }
    if (d->resp.status != 200) {
        set_err(d, "DexScreener: HTTP %ld", d->resp.status);
        rc = WT_EREMOTE;
        goto fail;
    }
    rc = parse_doc(d->doc, d->resp.body.data, d->resp.body.len, d->resp.body.cap, mints, n, now,
                   got, d->err, sizeof d->err);
    if (rc)
        goto fail;
    for (size_t i = 0; i < n; i++)
        cache_put(d, &got[i]);
    return 0;
fail:
    d->st.failures++;
    return rc;
}

int dexscreener_get(struct dexscreener *d, const struct pubkey *mints, size_t n,
                    struct dex_token *out)
{
    int64_t now = clock_now_ms(d->clock);
    int rc = 0;
    struct pubkey miss[DEX_BATCH];
    size_t n_miss = 0;
    d->err[0] = '\0';
    /* Pass 1: fetch what is not fresh, DEX_BATCH at a time. */
    for (size_t i = 0; i <= n; i++) {
        if (i < n) {
            struct entry *e = cache_find(d, &mints[i]);
            if (e && now - e->tok.fetched_ms < d->o.ttl_ms)
                continue;
            bool dup = false;
            for (size_t k = 0; k < n_miss; k++)
                dup = dup || pubkey_eq(&miss[k], &mints[i]);
            if (!dup)
                miss[n_miss++] = mints[i];
        }
        if (n_miss && (n_miss == DEX_BATCH || i == n)) {
            int brc = fetch_batch(d, miss, n_miss, now);
            if (brc && !rc)
                rc = brc;
            n_miss = 0;
        }
    }
    /* Pass 2: answer from the cache, fresh or within the stale limit. */
    int out_rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct entry *e = cache_find(d, &mints[i]);
        memset(&out[i], 0, sizeof out[i]);
        out[i].mint = mints[i];
        if (e && now - e->tok.fetched_ms < d->o.ttl_ms) {
            out[i] = e->tok;
            d->st.hits++;
        } else if (e && now - e->tok.fetched_ms <= d->o.stale_max_ms) {
            out[i] = e->tok;
            out[i].stale = true;
            d->st.stale++;
        } else {
            d->st.unanswered++;
            out_rc = rc ? rc : WT_EREMOTE;
        }
    }
    return out_rc;
}
