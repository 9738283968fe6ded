/* The simulated chain behind the production API shapes. See chain.h.
 *
 * Everything indexed at the start is read-only afterwards: the
 * transactions in time order (their position is their id), a sorted
 * signature table, and per address the ids of its transactions in time
 * order, so a page `before` a signature is a binary search and a walk
 * down. Answers are rendered on demand with the simulator's own writer
 * (sim_tx_json), so a history page holds exactly the bytes a webhook
 * delivery of the same transaction would. */
#include "sim/chain.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/intern.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "net/httpd.h"
#include "sim/chain_impl.h"
#include "sim/sim_impl.h"
#include "solana/base58.h"

/* ---- building ------------------------------------------------------------ */

static uint32_t list_of(struct simchain *c, const struct b58addr *a)
{
    uint8_t k[32];
    if (base58_decode(a->s, a->len, k, 32) != 0)
        return UINT32_MAX;
    uint32_t id = intern_put(&c->addr, k);
    while (c->lists.len <= id)
        vec_push_zero(&c->lists);
    return id;
}

static void index_tx(struct simchain *c, uint32_t i, const uint32_t *aid, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (aid[k] == UINT32_MAX)
            continue;
        struct idlist *l = &c->lists.v[aid[k]];
        if (l->v.len && l->v.v[l->v.len - 1] == i)
            continue; /* the same address twice in one transaction */
        vec_push(&l->v, i);
    }
}

static int cmp_sig(const void *a, const void *b)
{
    return memcmp(((const struct sigent *)a)->sig, ((const struct sigent *)b)->sig, 64);
}

static uint64_t splitmix(uint64_t *x);

static int cmp_time(const void *a, const void *b)
{
    const struct sim_tx *x = a, *y = b;
    if (x->ts_ms != y->ts_ms)
        return x->ts_ms < y->ts_ms ? -1 : 1;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    /* the migration after the buy that completed the curve */
    return (x->kind == SIM_TX_MIGRATION) - (y->kind == SIM_TX_MIGRATION);
}

/* A graduation's migration: a transaction of pump.fun's migration account
 * moving the curve's reserves to the new pool, one slot after the buy
 * that completed the curve. Its signature is derived from the seed and
 * the token. */
static void add_migration(struct simchain *c, const struct sim_tx *buy)
{
    struct sim_tx m;
    memset(&m, 0, sizeof m);
    m.kind = (enum sim_tx_kind)SIM_TX_MIGRATION;
    m.ts_ms = buy->ts_ms;
    m.slot = buy->slot + 1;
    m.fee = MIGRATION_FEE;
    m.wallet = SIM_NONE;
    m.token = buy->token;
    m.venue = c->sim->tokens.v[buy->token].venue;
    m.reserve_sol = buy->reserve_sol;
    m.reserve_tokens = buy->reserve_tokens;
    uint64_t x = c->sim->sc.seed ^ (0x6d696772ULL << 32) ^ buy->token;
    for (int i = 0; i < 8; i++) {
        uint64_t r = splitmix(&x);
        memcpy(m.sig.b + 8 * i, &r, 8);
    }
    vec_push(&c->txs, m);
}

static int build(struct simchain *c, const struct scenario *sc, char *err, size_t errsize)
{
    int rc = sim_new(sc, &c->sim, err, errsize);
    if (rc)
        return rc;
    struct sim *s = c->sim;
    intern_init(&c->addr, 4096);
    struct sim_tx tx;
    while (sim_next(s, &tx) == 1 && (!c->o.until_ms || tx.ts_ms < c->o.until_ms)) {
        vec_push(&c->txs, tx);
        if (tx.kind == SIM_TX_SWAP && tx.graduated)
            add_migration(c, &tx);
    }
    if (c->txs.len > 1)
        qsort(c->txs.v, c->txs.len, sizeof *c->txs.v, cmp_time);
    /* The addresses of wallets and tokens, interned once. */
    uint32_t nw = (uint32_t)s->wallets.len;
    uint32_t *waid = xcalloc(nw ? nw : 1, sizeof *waid);
    for (uint32_t w = 0; w < nw; w++)
        waid[w] = list_of(c, &s->wallets.v[w].addr);
    struct b58addr mig = {.len = (uint8_t)strlen(MIGRATION_ACCOUNT)};
    memcpy(mig.s, MIGRATION_ACCOUNT, mig.len);
    uint32_t mig_aid = list_of(c, &mig);
    VEC(uint32_t) taid = {0}; /* token -> mint, curve, pool list ids (3 each) */
    for (uint32_t i = 0; i < c->txs.len; i++) {
        const struct sim_tx *t = &c->txs.v[i];
        uint32_t a[5];
        size_t n = 0;
        a[n++] = t->wallet < nw ? waid[t->wallet] : UINT32_MAX;
        if (t->kind == SIM_TX_TRANSFER) {
            a[n++] = t->to < nw ? waid[t->to] : UINT32_MAX;
        } else {
            while (taid.len < 3 * ((size_t)t->token + 1))
                vec_push(&taid, UINT32_MAX);
            uint32_t *ta = &taid.v[3 * (size_t)t->token];
            const struct token *T = &s->tokens.v[t->token];
            if (ta[0] == UINT32_MAX) {
                ta[0] = list_of(c, &T->mint);
                ta[1] = list_of(c, &T->curve_acct);
            }
            if (T->graduated && ta[2] == UINT32_MAX)
                ta[2] = list_of(c, &T->pool_acct);
            a[n++] = ta[0];
            if ((int)t->kind == SIM_TX_MIGRATION) {
                a[n++] = ta[1];
                a[n++] = ta[2];
                a[n++] = mig_aid;
            } else {
                a[n++] = t->venue == SIM_PUMP_FUN ? ta[1] : ta[2];
            }
        }
        index_tx(c, i, a, n);
    }
    free(waid);
    vec_free(&taid);
    c->sigs = xcalloc(c->txs.len ? c->txs.len : 1, sizeof *c->sigs);
    for (size_t i = 0; i < c->txs.len; i++) {
        memcpy(c->sigs[i].sig, c->txs.v[i].sig.b, 64);
        c->sigs[i].tx = (uint32_t)i;
    }
    if (c->txs.len > 1)
        qsort(c->sigs, c->txs.len, sizeof *c->sigs, cmp_sig);
    return 0;
}

/* ---- lookups ------------------------------------------------------------- */

/* The transaction of a base58 signature, or -1. */
int64_t chain_find_sig(const struct simchain *c, const char *s, size_t n)
{
    struct sigent key;
    if (!s || base58_decode(s, n, key.sig, 64) != 0)
        return -1;
    const struct sigent *e = bsearch(&key, c->sigs, c->txs.len, sizeof key, cmp_sig);
    return e ? (int64_t)e->tx : -1;
}

/* The transactions of a base58 address (time order), or NULL. */
const struct idlist *chain_find_addr(const struct simchain *c, const char *s, size_t n)
{
    uint8_t k[32];
    if (base58_decode(s, n, k, 32) != 0)
        return NULL;
    uint32_t id = intern_find(&c->addr, k);
    return id == INTERN_NONE || id >= c->lists.len ? NULL : &c->lists.v[id];
}

/* First position in l whose transaction id is >= tx. */
size_t chain_lower(const struct idlist *l, uint32_t tx)
{
    size_t lo = 0, hi = l->v.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v.v[mid] < tx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void chain_sig_b58(const struct sim_tx *tx, char out[BASE58_SIG_MAX])
{
    if (base58_encode(tx->sig.b, 64, out, BASE58_SIG_MAX) < 0)
        out[0] = '\0';
}

/* The enhanced form of a migration, in the shape of the simulator's
 * transactions: the curve's SOL and tokens move to the new pool, the
 * migration account pays the fee. Helius types a pump.fun migration it
 * does not parse "UNKNOWN"; the decoder skips it (not a swap of the fee
 * payer). */
static void migration_json(const struct simchain *c, const struct sim_tx *tx, struct buf *out)
{
    const struct token *T = &c->sim->tokens.v[tx->token];
    char sig[BASE58_SIG_MAX];
    chain_sig_b58(tx, sig);
    struct jw w;
    jw_init(&w, out);
    jw_arr_begin(&w);
    jw_obj_begin(&w);
    char desc[160];
    snprintf(desc, sizeof desc, "%s migrated %s to a pool", MIGRATION_ACCOUNT, T->mint.s);
    jw_kstr(&w, "description", desc);
    jw_kstr(&w, "type", "UNKNOWN");
    jw_kstr(&w, "source", "PUMP_FUN");
    jw_ku64(&w, "fee", tx->fee);
    jw_kstr(&w, "feePayer", MIGRATION_ACCOUNT);
    jw_kstr(&w, "signature", sig);
    jw_ku64(&w, "slot", tx->slot);
    jw_ki64(&w, "timestamp", tx->ts_ms / 1000);
    uint64_t sol = tx->reserve_sol, tokens = tx->reserve_tokens;
    jw_karr_begin(&w, "tokenTransfers");
    jw_obj_begin(&w);
    jw_kstr(&w, "fromTokenAccount", T->curve_vault.s);
    jw_kstr(&w, "toTokenAccount", T->pool_vault.s);
    jw_kstr(&w, "fromUserAccount", T->curve_acct.s);
    jw_kstr(&w, "toUserAccount", T->pool_acct.s);
    jw_kdouble(&w, "tokenAmount", (double)tokens / 1e6);
    jw_kstr(&w, "mint", T->mint.s);
    jw_kstr(&w, "tokenStandard", "Fungible");
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_karr_begin(&w, "nativeTransfers");
    jw_obj_begin(&w);
    jw_kstr(&w, "fromUserAccount", T->curve_acct.s);
    jw_kstr(&w, "toUserAccount", T->pool_acct.s);
    jw_ku64(&w, "amount", sol);
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_karr_begin(&w, "accountData");
    struct {
        const char *acct;
        int64_t native;
        const char *owner;
        int64_t tokens;
    } rows[] = {
        {MIGRATION_ACCOUNT, -(int64_t)tx->fee, NULL, 0},
        {T->curve_acct.s, -(int64_t)sol, NULL, 0},
        {T->pool_acct.s, (int64_t)sol, NULL, 0},
        {T->curve_vault.s, 0, T->curve_acct.s, -(int64_t)tokens},
        {T->pool_vault.s, 0, T->pool_acct.s, (int64_t)tokens},
        {PUMP_PROGRAM, 0, NULL, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        jw_obj_begin(&w);
        jw_kstr(&w, "account", rows[i].acct);
        jw_ki64(&w, "nativeBalanceChange", rows[i].native);
        jw_karr_begin(&w, "tokenBalanceChanges");
        if (rows[i].owner) {
            char amt[32];
            snprintf(amt, sizeof amt, "%lld", (long long)rows[i].tokens);
            jw_obj_begin(&w);
            jw_kstr(&w, "userAccount", rows[i].owner);
            jw_kstr(&w, "tokenAccount", rows[i].acct);
            jw_kobj_begin(&w, "rawTokenAmount");
            jw_kstr(&w, "tokenAmount", amt);
            jw_ku64(&w, "decimals", 6);
            jw_obj_end(&w);
            jw_kstr(&w, "mint", T->mint.s);
            jw_obj_end(&w);
        }
        jw_arr_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_key(&w, "transactionError");
    jw_null(&w);
    jw_karr_begin(&w, "instructions");
    jw_obj_begin(&w);
    jw_karr_begin(&w, "accounts");
    jw_str(&w, MIGRATION_ACCOUNT);
    jw_str(&w, T->curve_acct.s);
    jw_str(&w, T->pool_acct.s);
    jw_str(&w, T->mint.s);
    jw_arr_end(&w);
    jw_kstr(&w, "data", "");
    jw_kstr(&w, "programId", PUMP_PROGRAM);
    jw_karr_begin(&w, "innerInstructions");
    jw_arr_end(&w);
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_kobj_begin(&w, "events");
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_finish(&w);
}

/* The webhook body of any transaction on the chain ("[{...}]"). */
int chain_enhanced_json(const struct simchain *c, const struct sim_tx *tx, struct buf *out)
{
    if ((int)tx->kind == SIM_TX_MIGRATION) {
        migration_json(c, tx, out);
        return 0;
    }
    return sim_tx_json(c->sim, tx, out);
}

/* Appends the enhanced transaction object (without the webhook body's
 * brackets) to out. */
static void put_enhanced(const struct simchain *c, const struct sim_tx *tx, struct buf *out)
{
    struct buf one;
    buf_init(&one, 0);
    if (chain_enhanced_json(c, tx, &one) == 0 && one.len >= 2)
        buf_append(out, one.data + 1, one.len - 2);
    buf_release(&one);
}

/* ---- faults and counting ---------------------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *x)
{
    return (double)(splitmix(x) >> 11) * (1.0 / 9007199254740992.0);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Counts the request under *field; returns 429, 503 or 0 (answer it). */
int chain_count_and_fault(struct simchain *c, uint64_t *field)
{
    pthread_mutex_lock(&c->mu);
    c->n.total++;
    (*field)++;
    int fault = 0;
    double u = uniform(&c->fault_state);
    if (u < c->o.p429) {
        fault = 429;
        c->n.r429++;
    } else if (u < c->o.p429 + c->o.p5xx) {
        fault = 503;
        c->n.r5xx++;
    }
    pthread_mutex_unlock(&c->mu);
    if (c->o.latency_ms)
        sleep_ms(c->o.latency_ms);
    return fault;
}

void chain_answer_fault(struct httpd_resp *resp, int fault, bool rpc)
{
    if (fault == 429) {
        httpd_resp_header(resp, "Retry-After", "1");
        if (rpc) {
            static const char b[] = "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32429,\"message\":"
                                    "\"rate limit exceeded\"},\"id\":1}";
            httpd_resp_json(resp, 429, b, sizeof b - 1);
        } else {
            httpd_resp_error(resp, 429, "rate limit exceeded");
        }
    } else {
        httpd_resp_error(resp, 503, "service unavailable");
    }
}

/* ---- Helius -------------------------------------------------------------------- */

static bool key_ok(const struct simchain *c, const struct httpd_req *req)
{
    if (!c->api_key[0])
        return true;
    const char *k = httpd_query(req, "api-key");
    return k && strcmp(k, c->api_key) == 0;
}

static bool parse_u64_q(const struct httpd_req *req, const char *name, uint64_t def, uint64_t max,
                        uint64_t *out)
{
    const char *v = httpd_query(req, name);
    if (!v) {
        *out = def;
        return true;
    }
    int64_t x;
    if (str_to_i64(v, &x) != 0 || x < 0 || (uint64_t)x > max)
        return false;
    *out = (uint64_t)x;
    return true;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return (h ^ '|') * 0x100000001b3ULL;
}

/* Records an answered history query; counts it when it was answered
 * before (a crawl fetching the same page twice). */
static void note_answered(struct simchain *c, struct httpd_req *req, const char *addr, size_t alen)
{
    char a[BASE58_KEY_MAX + 1];
    snprintf(a, sizeof a, "%.*s", (int)(alen < BASE58_KEY_MAX ? alen : BASE58_KEY_MAX), addr);
    static const char *const q[] = {"before-signature", "until-signature", "type",
                                    "gte-time",         "lte-time",        "limit"};
    uint64_t h = fnv(0xcbf29ce484222325ULL, a);
    for (size_t i = 0; i < sizeof q / sizeof *q; i++)
        h = fnv(h, httpd_query(req, q[i]));
    h |= 1; /* 0 marks an empty slot */
    pthread_mutex_lock(&c->mu);
    if (2 * (c->seen_len + 1) > c->seen_cap) {
        size_t cap = c->seen_cap ? 2 * c->seen_cap : 1024;
        uint64_t *t = xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < c->seen_cap; i++)
            if (c->seen[i])
                for (size_t j = c->seen[i] & (cap - 1);; j = (j + 1) & (cap - 1))
                    if (!t[j]) {
                        t[j] = c->seen[i];
                        break;
                    }
        free(c->seen);
        c->seen = t;
        c->seen_cap = cap;
    }
    for (size_t j = h & (c->seen_cap - 1);; j = (j + 1) & (c->seen_cap - 1)) {
        if (c->seen[j] == h) {
            c->n.history_repeated++;
            break;
        }
        if (!c->seen[j]) {
            c->seen[j] = h;
            c->seen_len++;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

static void history(struct simchain *c, struct httpd_req *req, struct httpd_resp *resp,
                    const char *addr, size_t alen)
{
    uint64_t limit, gte, lte;
    if (!parse_u64_q(req, "limit", 100, 100, &limit) || limit == 0 ||
        !parse_u64_q(req, "gte-time", 0, INT64_MAX, &gte) ||
        !parse_u64_q(req, "lte-time", INT64_MAX, INT64_MAX, &lte)) {
        httpd_resp_error(resp, 400, "invalid limit (1-100), gte-time or lte-time");
        return;
    }
    const char *type = httpd_query(req, "type");
    int want = 0;
    if (type && strcmp(type, "SWAP") == 0)
        want = SIM_TX_SWAP;
    else if (type && strcmp(type, "TRANSFER") == 0)
        want = SIM_TX_TRANSFER;
    else if (type)
        want = -1; /* a type the simulator never produces */
    const struct idlist *l = chain_find_addr(c, addr, alen);
    size_t hi = l ? l->v.len : 0, lo = 0;
    const char *before = httpd_query(req, "before-signature");
    const char *until = httpd_query(req, "until-signature");
    if (before) {
        int64_t t = chain_find_sig(c, before, strlen(before));
        if (t < 0) {
            httpd_resp_error(resp, 400, "unknown before-signature");
            return;
        }
        hi = l ? chain_lower(l, (uint32_t)t) : 0;
    }
    if (until) {
        int64_t t = chain_find_sig(c, until, strlen(until));
        if (t < 0) {
            httpd_resp_error(resp, 400, "unknown until-signature");
            return;
        }
        lo = l ? chain_lower(l, (uint32_t)t + 1) : 0;
    }
    unsigned window = c->o.search_window ? c->o.search_window : 500;
    struct buf *out = &resp->body;
    buf_putc(out, '[');
    size_t found = 0, scanned = 0;
    const struct sim_tx *last_scanned = NULL;
    for (size_t k = hi; k-- > lo && found < limit;) {
        const struct sim_tx *tx = &c->txs.v[l->v.v[k]];
        int64_t ts = tx->ts_ms / 1000;
        if ((uint64_t)ts > lte)
            continue;
        if ((uint64_t)ts < gte)
            break;
        if (want && (int)tx->kind != want) {
            last_scanned = tx;
            if (++scanned >= window && found == 0)
                break;
            continue;
        }
        scanned++;
        if (found++)
            buf_putc(out, ',');
        put_enhanced(c, tx, out);
    }
    buf_putc(out, ']');
    note_answered(c, req, addr, alen);
    if (found == 0 && scanned >= window && last_scanned) {
        /* The documented answer of a type filter that found nothing in the
         * period it searched (fixture helius_enhanced_api_error_search_period). */
        char sig[BASE58_SIG_MAX];
        chain_sig_b58(last_scanned, sig);
        buf_reset(out);
        httpd_resp_error(resp, 404,
                         "Failed to find events within the search period. To continue search, "
                         "query the API again with the `before-signature` parameter set to %s.",
                         sig);
        return;
    }
    resp->status = 200;
}

static void parse_txs(struct simchain *c, struct httpd_req *req, struct httpd_resp *resp)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, v;
    if (json_parse(d, req->body.data ? req->body.data : "", req->body.len, req->body.cap, &root) !=
            0 ||
        json_get(&root, "transactions", &arr) != 0 || json_type_of(&arr) != JSON_ARRAY ||
        json_size(&arr) == 0 || json_size(&arr) > MAX_PARSE_SIGS) {
        httpd_resp_error(resp, 400, "expected {\"transactions\": [1 to 100 signatures]}");
        json_doc_free(d);
        return;
    }
    struct buf *out = &resp->body;
    buf_putc(out, '[');
    size_t found = 0;
    for (size_t i = 0; i < json_size(&arr); i++) {
        const char *s;
        size_t n;
        if (json_index(&arr, i, &v) != 0 || json_str(&v, &s, &n) != 0) {
            buf_reset(out);
            httpd_resp_error(resp, 400, "transactions[%zu] is not a string", i);
            json_doc_free(d);
            return;
        }
        int64_t t = chain_find_sig(c, s, n);
        if (t < 0)
            continue;
        if (found++)
            buf_putc(out, ',');
        put_enhanced(c, &c->txs.v[t], out);
    }
    buf_putc(out, ']');
    resp->status = 200;
    json_doc_free(d);
}

static void hook_clear(struct hook *h)
{
    free(h->url);
    free(h->auth);
    for (size_t i = 0; i < h->addrs.len; i++)
        free(h->addrs.v[i]);
    vec_free(&h->addrs);
    memset(h, 0, sizeof *h);
}

static void hook_json(struct jw *w, const struct hook *h)
{
    jw_obj_begin(w);
    jw_kstr(w, "webhookID", h->id);
    jw_kstr(w, "wallet", "SimOwner11111111111111111111111111111111111");
    jw_kstr(w, "webhookURL", h->url);
    jw_karr_begin(w, "transactionTypes");
    jw_str(w, "SWAP");
    jw_str(w, "TRANSFER");
    jw_arr_end(w);
    jw_karr_begin(w, "accountAddresses");
    for (size_t i = 0; i < h->addrs.len; i++)
        jw_str(w, h->addrs.v[i]);
    jw_arr_end(w);
    jw_kstr(w, "webhookType", "enhanced");
    if (h->auth && h->auth[0])
        jw_kstr(w, "authHeader", h->auth);
    jw_obj_end(w);
}

/* Reads a create/edit body into h (cleared first). Returns false on a bad body. */
static bool hook_read(struct httpd_req *req, struct hook *h)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, arr, v;
    const char *s;
    size_t n;
    bool ok = json_parse(d, req->body.data ? req->body.data : "", req->body.len, req->body.cap,
                         &root) == 0 &&
              json_get_str(&root, "webhookURL", &s, &n) == 0 &&
              json_get(&root, "accountAddresses", &arr) == 0 && json_type_of(&arr) == JSON_ARRAY;
    if (ok) {
        h->url = xstrndup(s, n);
        if (json_opt_str(&root, "authHeader", &s, &n) == 0)
            h->auth = xstrndup(s, n);
        for (size_t i = 0; ok && i < json_size(&arr); i++) {
            uint8_t k[32];
            ok = json_index(&arr, i, &v) == 0 && json_str(&v, &s, &n) == 0 &&
                 base58_decode(s, n, k, 32) == 0;
            if (ok)
                vec_push(&h->addrs, xstrndup(s, n));
        }
    }
    json_doc_free(d);
    return ok;
}

static void webhooks(struct simchain *c, struct httpd_req *req, struct httpd_resp *resp,
                     const char *id)
{
    pthread_mutex_lock(&c->mu);
    struct hook *h = NULL;
    for (int i = 0; id && i < MAX_HOOKS; i++)
        if (c->hooks[i].used && strcmp(c->hooks[i].id, id) == 0)
            h = &c->hooks[i];
    struct jw w;
    jw_init(&w, &resp->body);
    resp->status = 200;
    if (id && !h) {
        httpd_resp_error(resp, 404, "webhook not found");
    } else if (!id && strcmp(req->method, "GET") == 0) {
        jw_arr_begin(&w);
        for (int i = 0; i < MAX_HOOKS; i++)
            if (c->hooks[i].used)
                hook_json(&w, &c->hooks[i]);
        jw_arr_end(&w);
        jw_finish(&w);
    } else if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
        struct hook tmp;
        memset(&tmp, 0, sizeof tmp);
        if (!hook_read(req, &tmp)) {
            hook_clear(&tmp);
            httpd_resp_error(resp, 400, "invalid webhook body");
        } else {
            if (!h) {
                for (int i = 0; i < MAX_HOOKS && !h; i++)
                    if (!c->hooks[i].used)
                        h = &c->hooks[i];
            }
            if (!h || (id == NULL) != (strcmp(req->method, "POST") == 0)) {
                hook_clear(&tmp);
                httpd_resp_error(resp, h ? 405 : 429,
                                 h ? "use POST to create, PUT to edit" : "webhook limit reached");
            } else {
                char keep[40];
                if (h->used)
                    memcpy(keep, h->id, sizeof keep);
                else
                    snprintf(keep, sizeof keep, "sim-%08x-%04u", 0x5eedu, ++c->next_hook);
                hook_clear(h);
                *h = tmp;
                h->used = true;
                memcpy(h->id, keep, sizeof h->id);
                hook_json(&w, h);
                jw_finish(&w);
            }
        }
    } else if (strcmp(req->method, "DELETE") == 0 && h) {
        hook_clear(h);
        resp->status = 200;
    } else {
        httpd_resp_error(resp, 405, "method not allowed");
    }
    pthread_mutex_unlock(&c->mu);
}

/* ---- the server ------------------------------------------------------------------- */

static void stats_json(struct simchain *c, struct httpd_resp *resp)
{
    struct simchain_counts n;
    simchain_counts(c, &n);
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_ku64(&w, "transactions", c->txs.len);
    jw_kobj_begin(&w, "requests");
    jw_ku64(&w, "total", n.total);
    jw_ku64(&w, "helius_history", n.history);
    jw_ku64(&w, "helius_parse", n.parse);
    jw_ku64(&w, "helius_webhooks", n.webhooks);
    jw_ku64(&w, "rpc_getSignaturesForAddress", n.rpc_signatures);
    jw_ku64(&w, "rpc_getTransaction", n.rpc_transaction);
    jw_ku64(&w, "rpc_other", n.rpc_other);
    jw_ku64(&w, "dexscreener", n.dex);
    jw_ku64(&w, "not_found", n.not_found);
    jw_ku64(&w, "helius_history_repeated", n.history_repeated);
    jw_obj_end(&w);
    jw_kobj_begin(&w, "faults");
    jw_ku64(&w, "429", n.r429);
    jw_ku64(&w, "5xx", n.r5xx);
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_finish(&w);
    resp->status = 200;
}

static int on_headers(void *user, struct httpd_req *req, struct httpd_resp *resp)
{
    (void)user;
    (void)resp;
    httpd_set_max_body(req, 4 << 20);
    return 0;
}

static void on_request(void *user, struct httpd_req *req, struct httpd_resp *resp)
{
    struct simchain *c = user;
    const char *p = req->path;
    bool get = strcmp(req->method, "GET") == 0;
    if (get && strcmp(p, "/sim/stats") == 0) {
        stats_json(c, resp);
        return;
    }
    if (get && strcmp(p, "/sim/truth") == 0) {
        if (sim_truth_json(c->sim, &resp->body) != 0)
            httpd_resp_error(resp, 500, "truth.json too large");
        else
            resp->status = 200;
        return;
    }
    if (strncmp(p, "/v0/", 4) == 0) {
        uint64_t *field = &c->n.not_found;
        const char *sub = NULL;
        size_t alen = 0;
        if (strncmp(p, "/v0/addresses/", 14) == 0) {
            sub = p + 14;
            alen = strcspn(sub, "/");
            if (get && strcmp(sub + alen, "/transactions") == 0)
                field = &c->n.history;
        } else if (strcmp(p, "/v0/transactions") == 0 && !get) {
            field = &c->n.parse;
        } else if (strncmp(p, "/v0/webhooks", 12) == 0 && (p[12] == '\0' || p[12] == '/')) {
            field = &c->n.webhooks;
        }
        int fault = chain_count_and_fault(c, field);
        if (!key_ok(c, req))
            httpd_resp_error(resp, 401, "invalid api key");
        else if (fault)
            chain_answer_fault(resp, fault, false);
        else if (field == &c->n.history)
            history(c, req, resp, sub, alen);
        else if (field == &c->n.parse)
            parse_txs(c, req, resp);
        else if (field == &c->n.webhooks)
            webhooks(c, req, resp, p[12] == '/' && p[13] ? p + 13 : NULL);
        else
            httpd_resp_error(resp, 404, "not found");
        return;
    }
    bool pairs = strncmp(p, "/token-pairs/v1/solana/", 23) == 0;
    if (get && (strncmp(p, "/tokens/v1/solana/", 18) == 0 || pairs)) {
        int fault = chain_count_and_fault(c, &c->n.dex);
        if (fault)
            chain_answer_fault(resp, fault, false);
        else
            chain_dex(c, resp, p + (pairs ? 23 : 18), pairs);
        return;
    }
    if (get && strcmp(p, "/latest/dex/search") == 0) {
        int fault = chain_count_and_fault(c, &c->n.dex);
        if (fault)
            chain_answer_fault(resp, fault, false);
        else
            chain_dex_search(c, resp, httpd_query(req, "q"));
        return;
    }
    if (strcmp(req->method, "POST") == 0) {
        chain_rpc(c, req, resp);
        return;
    }
    chain_count_and_fault(c, &c->n.not_found);
    httpd_resp_error(resp, 404, "not found: %s %.200s", req->method, p);
}

int simchain_start(const struct scenario *sc, const struct simchain_opts *o, const char *host,
                   unsigned port, struct simchain **out, char *err, size_t errsize)
{
    *out = NULL;
    if (o->p429 < 0 || o->p5xx < 0 || o->p429 + o->p5xx > 1) {
        snprintf(err, errsize, "fault probabilities must be between 0 and 1 in all");
        return WT_EINVAL;
    }
    struct simchain *c = xcalloc(1, sizeof *c);
    c->o = *o;
    c->api_key = xstrdup(o->api_key ? o->api_key : "");
    c->fault_state = o->fault_seed;
    if (pthread_mutex_init(&c->mu, NULL) != 0)
        abort();
    int rc = build(c, sc, err, errsize);
    if (rc == 0) {
        struct httpd_opts ho = {
            .host = host,
            .port = port,
            .threads = o->threads ? o->threads : 4,
            .max_body = 4 << 20,
            .on_headers = on_headers,
            .on_request = on_request,
            .user = c,
        };
        rc = httpd_start(&ho, &c->http, err, errsize);
    }
    if (rc) {
        simchain_stop(c);
        return rc;
    }
    *out = c;
    return 0;
}

unsigned simchain_port(const struct simchain *c)
{
    return httpd_port(c->http);
}

void simchain_counts(struct simchain *c, struct simchain_counts *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->n;
    pthread_mutex_unlock(&c->mu);
}

size_t simchain_tx_count(const struct simchain *c)
{
    return c->txs.len;
}

void simchain_stop(struct simchain *c)
{
    if (!c)
        return;
    if (c->http)
        httpd_stop(c->http);
    for (int i = 0; i < MAX_HOOKS; i++)
        hook_clear(&c->hooks[i]);
    for (size_t i = 0; i < c->lists.len; i++)
        vec_free(&c->lists.v[i].v);
    vec_free(&c->lists);
    intern_release(&c->addr);
    free(c->sigs);
    free(c->seen);
    vec_free(&c->txs);
    sim_free(c->sim);
    free(c->api_key);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
