/* The simulated chain's Solana RPC (getSignaturesForAddress,
 * getTransaction) and DexScreener answers. Split from sim/chain.c, which
 * builds the indexes, answers Helius and runs the server; see there. */

#include <ctype.h>
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

/* ---- RPC ------------------------------------------------------------------------- */

/* A JSON-RPC answer: rpc_begin opens {"jsonrpc":"2.0","<member>": and
 * the caller writes its value; rpc_end adds the id, closes it and answers
 * 200 (JSON-RPC errors travel in the body). */
static void rpc_begin(struct jw *w, struct httpd_resp *resp, const char *member)
{
    jw_init(w, &resp->body);
    jw_obj_begin(w);
    jw_kstr(w, "jsonrpc", "2.0");
    jw_key(w, member);
}

static void rpc_end(struct jw *w, struct httpd_resp *resp, int64_t id)
{
    jw_ki64(w, "id", id);
    jw_obj_end(w);
    jw_finish(w);
    resp->status = 200;
}

static void rpc_error(struct httpd_resp *resp, int64_t id, int code, const char *msg)
{
    struct jw w;
    rpc_begin(&w, resp, "error");
    jw_obj_begin(&w);
    jw_ki64(&w, "code", code);
    jw_kstr(&w, "message", msg);
    jw_obj_end(&w);
    rpc_end(&w, resp, id);
}

static void rpc_sigs(struct simchain *c, const struct json_val *params, int64_t id,
                     struct httpd_resp *resp)
{
    struct json_val a0, cfg;
    const char *addr, *s;
    size_t alen, n;
    uint64_t limit = 1000;
    if (json_index(params, 0, &a0) != 0 || json_str(&a0, &addr, &alen) != 0) {
        rpc_error(resp, id, -32602, "Invalid params: expected an address");
        return;
    }
    const struct idlist *l = chain_find_addr(c, addr, alen);
    uint8_t k[32];
    if (base58_decode(addr, alen, k, 32) != 0) {
        rpc_error(resp, id, -32602, "Invalid param: Invalid");
        return;
    }
    size_t hi = l ? l->v.len : 0, lo = 0;
    if (json_index(params, 1, &cfg) == 0 && json_type_of(&cfg) == JSON_OBJECT) {
        if (json_opt_u64(&cfg, "limit", &limit) == WT_ETYPE || limit == 0 || limit > 1000) {
            rpc_error(resp, id, -32602, "Invalid limit; max 1000");
            return;
        }
        if (json_opt_str(&cfg, "before", &s, &n) == 0) {
            int64_t t = chain_find_sig(c, s, n);
            if (t < 0) {
                rpc_error(resp, id, -32602, "Invalid param: unknown before signature");
                return;
            }
            hi = l ? chain_lower(l, (uint32_t)t) : 0;
        }
        if (json_opt_str(&cfg, "until", &s, &n) == 0) {
            int64_t t = chain_find_sig(c, s, n);
            if (t < 0) {
                rpc_error(resp, id, -32602, "Invalid param: unknown until signature");
                return;
            }
            lo = l ? chain_lower(l, (uint32_t)t + 1) : 0;
        }
    }
    struct jw w;
    rpc_begin(&w, resp, "result");
    jw_arr_begin(&w);
    size_t got = 0;
    for (size_t k2 = hi; k2-- > lo && got < limit; got++) {
        const struct sim_tx *tx = &c->txs.v[l->v.v[k2]];
        char sig[BASE58_SIG_MAX];
        chain_sig_b58(tx, sig);
        jw_obj_begin(&w);
        jw_kstr(&w, "signature", sig);
        jw_ku64(&w, "slot", tx->slot);
        jw_key(&w, "err");
        jw_null(&w);
        jw_key(&w, "memo");
        jw_null(&w);
        jw_ki64(&w, "blockTime", tx->ts_ms / 1000);
        jw_kstr(&w, "confirmationStatus", "finalized");
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    rpc_end(&w, resp, id);
}

/* One token balance entry of meta.pre/postTokenBalances. */
static void token_balance(struct jw *w, size_t index, const char *mint, size_t mlen,
                          const char *owner, size_t olen, uint64_t amount, int64_t decimals)
{
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)amount);
    double ui = (double)amount / pow(10.0, (double)decimals);
    char uis[64];
    snprintf(uis, sizeof uis, "%.*f", (int)decimals, ui);
    jw_obj_begin(w);
    jw_ku64(w, "accountIndex", index);
    jw_key(w, "mint");
    jw_strn(w, mint, mlen);
    jw_key(w, "owner");
    jw_strn(w, owner, olen);
    jw_kstr(w, "programId", TOKEN_PROGRAM);
    jw_kobj_begin(w, "uiTokenAmount");
    jw_kstr(w, "amount", num);
    jw_ki64(w, "decimals", decimals);
    jw_kdouble(w, "uiAmount", ui);
    jw_kstr(w, "uiAmountString", uis);
    jw_obj_end(w);
    jw_obj_end(w);
}

struct acct {
    const char *s;
    size_t n;
    int64_t native;
};

/* Writes the raw (`json` encoding) form of tx from its enhanced form. */
static int raw_tx(const struct simchain *c, const struct sim_tx *tx, struct jw *w)
{
    struct buf e;
    buf_init(&e, 0);
    if (chain_enhanced_json(c, tx, &e) != 0)
        return WT_EFULL;
    buf_reserve(&e, JSON_PADDING);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, t, data, a, tbc, x, raw;
    int rc = WT_EPARSE;
    struct acct accts[16];
    size_t na = 0;
    if (json_parse(d, e.data, e.len, e.cap, &root) != 0 || json_index(&root, 0, &t) != 0 ||
        json_get(&t, "accountData", &data) != 0)
        goto out;
    for (size_t i = 0; i < json_size(&data) && na < 16; i++, na++)
        if (json_index(&data, i, &a) != 0 ||
            json_get_str(&a, "account", &accts[na].s, &accts[na].n) != 0 ||
            json_get_i64(&a, "nativeBalanceChange", &accts[na].native) != 0)
            goto out;
    char sig[BASE58_SIG_MAX];
    chain_sig_b58(tx, sig);
    jw_obj_begin(w);
    jw_ki64(w, "blockTime", tx->ts_ms / 1000);
    jw_kobj_begin(w, "meta");
    jw_ku64(w, "computeUnitsConsumed", COMPUTE_UNITS);
    jw_key(w, "err");
    jw_null(w);
    jw_ku64(w, "fee", tx->fee);
    jw_karr_begin(w, "innerInstructions");
    jw_arr_end(w);
    jw_kobj_begin(w, "loadedAddresses");
    jw_karr_begin(w, "readonly");
    jw_arr_end(w);
    jw_karr_begin(w, "writable");
    jw_arr_end(w);
    jw_obj_end(w);
    jw_karr_begin(w, "logMessages");
    jw_arr_end(w);
    /* Balances: a base before each change, so none goes negative. */
    for (int post = 0; post < 2; post++) {
        jw_key(w, post ? "postBalances" : "preBalances");
        jw_arr_begin(w);
        for (size_t i = 0; i < na; i++) {
            int64_t pre = (int64_t)RAW_BASE + (accts[i].native < 0 ? -accts[i].native : 0);
            jw_i64(w, post ? pre + accts[i].native : pre);
        }
        jw_arr_end(w);
    }
    for (int post = 0; post < 2; post++) {
        jw_key(w, post ? "postTokenBalances" : "preTokenBalances");
        jw_arr_begin(w);
        for (size_t i = 0; i < na; i++) {
            if (json_index(&data, i, &a) != 0 || json_get(&a, "tokenBalanceChanges", &tbc) != 0)
                continue;
            for (size_t k = 0; k < json_size(&tbc); k++) {
                const char *mint, *owner, *amt;
                size_t ml, ol, al;
                int64_t dec, change;
                if (json_index(&tbc, k, &x) != 0 || json_get_str(&x, "mint", &mint, &ml) != 0 ||
                    json_get_str(&x, "userAccount", &owner, &ol) != 0 ||
                    json_get(&x, "rawTokenAmount", &raw) != 0 ||
                    json_get_str(&raw, "tokenAmount", &amt, &al) != 0 ||
                    json_get_i64(&raw, "decimals", &dec) != 0 ||
                    str_to_i64_n(amt, al, &change) != 0)
                    continue;
                uint64_t pre = change < 0 ? (uint64_t)-change : 0;
                uint64_t val = post ? pre + (uint64_t)change : pre;
                if (!post && pre == 0)
                    continue; /* the account did not hold any before */
                token_balance(w, i, mint, ml, owner, ol, val, dec);
            }
        }
        jw_arr_end(w);
    }
    jw_karr_begin(w, "rewards");
    jw_arr_end(w);
    jw_kobj_begin(w, "status");
    jw_key(w, "Ok");
    jw_null(w);
    jw_obj_end(w);
    jw_obj_end(w); /* meta */
    jw_ku64(w, "slot", tx->slot);
    jw_kobj_begin(w, "transaction");
    jw_kobj_begin(w, "message");
    jw_karr_begin(w, "accountKeys");
    for (size_t i = 0; i < na; i++)
        jw_strn(w, accts[i].s, accts[i].n);
    jw_arr_end(w);
    jw_karr_begin(w, "addressTableLookups");
    jw_arr_end(w);
    jw_kobj_begin(w, "header");
    jw_ku64(w, "numReadonlySignedAccounts", 0);
    jw_ku64(w, "numReadonlyUnsignedAccounts", 1); /* the program, last */
    jw_ku64(w, "numRequiredSignatures", 1);
    jw_obj_end(w);
    jw_karr_begin(w, "instructions");
    jw_obj_begin(w);
    jw_karr_begin(w, "accounts");
    for (size_t i = 0; i + 1 < na; i++)
        jw_u64(w, i);
    jw_arr_end(w);
    jw_kstr(w, "data", "3Bxs4h24hBtQy9rw");
    jw_ku64(w, "programIdIndex", na ? na - 1 : 0);
    jw_key(w, "stackHeight");
    jw_null(w);
    jw_obj_end(w);
    jw_arr_end(w);
    /* A blockhash-shaped value: the simulator has no blocks. */
    jw_kstr(w, "recentBlockhash", "11111111111111111111111111111111");
    jw_obj_end(w); /* message */
    jw_karr_begin(w, "signatures");
    jw_str(w, sig);
    jw_arr_end(w);
    jw_obj_end(w); /* transaction */
    jw_ku64(w, "version", 0);
    jw_obj_end(w);
    rc = 0;
out:
    json_doc_free(d);
    buf_release(&e);
    return rc;
}

static void rpc_tx(struct simchain *c, const struct json_val *params, int64_t id,
                   struct httpd_resp *resp)
{
    struct json_val a0, cfg;
    const char *s;
    size_t n;
    if (json_index(params, 0, &a0) != 0 || json_str(&a0, &s, &n) != 0) {
        rpc_error(resp, id, -32602, "Invalid params: expected a signature");
        return;
    }
    if (json_index(params, 1, &cfg) == 0 && json_type_of(&cfg) == JSON_OBJECT) {
        const char *enc;
        if (json_opt_str(&cfg, "encoding", &enc, NULL) == 0 && strcmp(enc, "json") != 0) {
            rpc_error(resp, id, -32602, "the simulated chain answers the json encoding only");
            return;
        }
    }
    int64_t t = chain_find_sig(c, s, n);
    struct jw w;
    rpc_begin(&w, resp, "result");
    if (t < 0 || raw_tx(c, &c->txs.v[t], &w) != 0)
        jw_null(&w);
    rpc_end(&w, resp, id);
}

void chain_rpc(struct simchain *c, struct httpd_req *req, struct httpd_resp *resp)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, params;
    const char *method;
    int64_t id = 0;
    if (json_parse(d, req->body.data ? req->body.data : "", req->body.len, req->body.cap, &root) !=
            0 ||
        json_type_of(&root) != JSON_OBJECT) {
        chain_count_and_fault(c, &c->n.rpc_other);
        rpc_error(resp, 0, -32700, "Parse error");
        json_doc_free(d);
        return;
    }
    json_opt_i64(&root, "id", &id);
    if (json_get_str(&root, "method", &method, NULL) != 0) {
        chain_count_and_fault(c, &c->n.rpc_other);
        rpc_error(resp, id, -32600, "Invalid request");
        json_doc_free(d);
        return;
    }
    bool has_params =
        json_find(&root, "params", &params) == 0 && json_type_of(&params) == JSON_ARRAY;
    bool sigs = strcmp(method, "getSignaturesForAddress") == 0;
    bool tx = strcmp(method, "getTransaction") == 0;
    int fault = chain_count_and_fault(c, sigs ? &c->n.rpc_signatures
                                         : tx ? &c->n.rpc_transaction
                                              : &c->n.rpc_other);
    if (fault) {
        chain_answer_fault(resp, fault, true);
    } else if ((sigs || tx) && !has_params) {
        rpc_error(resp, id, -32602, "Invalid params");
    } else if (sigs) {
        rpc_sigs(c, &params, id, resp);
    } else if (tx) {
        rpc_tx(c, &params, id, resp);
    } else if (strcmp(method, "getHealth") == 0) {
        static const char b[] = "{\"jsonrpc\":\"2.0\",\"result\":\"ok\",\"id\":1}";
        httpd_resp_json(resp, 200, b, sizeof b - 1);
    } else if (strcmp(method, "getSlot") == 0) {
        char b[128];
        int n = snprintf(b, sizeof b, "{\"jsonrpc\":\"2.0\",\"result\":%llu,\"id\":%lld}",
                         (unsigned long long)(c->txs.len ? c->txs.v[c->txs.len - 1].slot : 0),
                         (long long)id);
        httpd_resp_json(resp, 200, b, (size_t)n);
    } else {
        rpc_error(resp, id, -32601, "Method not found");
    }
    json_doc_free(d);
}

/* ---- DexScreener ---------------------------------------------------------------- */

struct window_stats {
    uint32_t buys[4], sells[4];
    double volume_usd[4];
    double first_price[4]; /* the price before the window, for priceChange */
};

static void pair_json(const struct simchain *c, uint32_t tok, struct jw *w)
{
    const struct sim *s = c->sim;
    const struct token *T = &s->tokens.v[tok];
    static const int64_t span_ms[4] = {5 * MS_PER_MINUTE, MS_PER_HOUR, 6 * MS_PER_HOUR, MS_PER_DAY};
    static const char *const names[4] = {"m5", "h1", "h6", "h24"};
    struct window_stats ws;
    memset(&ws, 0, sizeof ws);
    double price = 0;
    bool seen = false;
    uint8_t k[32];
    const struct idlist *l = NULL;
    if (base58_decode(T->mint.s, T->mint.len, k, 32) == 0) {
        uint32_t id = intern_find(&c->addr, k);
        if (id != INTERN_NONE && id < c->lists.len)
            l = &c->lists.v[id];
    }
    int64_t now = c->o.until_ms ? c->o.until_ms : s->end_ms;
    for (size_t i = l ? l->v.len : 0; i-- > 0;) {
        const struct sim_tx *tx = &c->txs.v[l->v.v[i]];
        if (tx->kind != SIM_TX_SWAP)
            continue;
        if (!seen) {
            price = tx->price;
            seen = true;
        }
        bool any = false;
        for (int j = 0; j < 4; j++) {
            if (now - tx->ts_ms > span_ms[j]) {
                if (ws.first_price[j] == 0)
                    ws.first_price[j] = tx->price;
                continue;
            }
            any = true;
            if (tx->side == SIDE_BUY)
                ws.buys[j]++;
            else
                ws.sells[j]++;
            ws.volume_usd[j] += (double)tx->sol / (double)SOL * SOL_USD;
        }
        if (!any && ws.first_price[3] != 0)
            break;
    }
    char pair[BASE58_KEY_MAX];
    const struct b58addr *pa = T->graduated ? &T->pool_acct : &T->curve_acct;
    snprintf(pair, sizeof pair, "%s", pa->s);
    const char *dex = !T->graduated ? "pumpfun" : T->venue == SIM_PUMP_AMM ? "pumpswap" : "raydium";
    jw_obj_begin(w);
    jw_kstr(w, "chainId", "solana");
    jw_kstr(w, "dexId", dex);
    char url[128];
    snprintf(url, sizeof url, "https://dexscreener.com/solana/%s", pair);
    jw_kstr(w, "url", url);
    jw_kstr(w, "pairAddress", pair);
    jw_kobj_begin(w, "baseToken");
    jw_kstr(w, "address", T->mint.s);
    char name[32];
    snprintf(name, sizeof name, "Sim Token %u", tok);
    jw_kstr(w, "name", name);
    snprintf(name, sizeof name, "SIM%u", tok);
    jw_kstr(w, "symbol", name);
    jw_obj_end(w);
    jw_kobj_begin(w, "quoteToken");
    jw_kstr(w, "address", WSOL_MINT);
    jw_kstr(w, "name", "Wrapped SOL");
    jw_kstr(w, "symbol", "SOL");
    jw_obj_end(w);
    char num[64];
    snprintf(num, sizeof num, "%.12g", price);
    jw_kstr(w, "priceNative", num);
    snprintf(num, sizeof num, "%.12g", price * SOL_USD);
    jw_kstr(w, "priceUsd", num);
    jw_kobj_begin(w, "txns");
    for (int j = 0; j < 4; j++) {
        jw_kobj_begin(w, names[j]);
        jw_ku64(w, "buys", ws.buys[j]);
        jw_ku64(w, "sells", ws.sells[j]);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_kobj_begin(w, "volume");
    for (int j = 3; j >= 0; j--)
        jw_kdouble(w, names[j], floor(ws.volume_usd[j] * 100) / 100);
    jw_obj_end(w);
    jw_kobj_begin(w, "priceChange");
    for (int j = 0; j < 4; j++) {
        double base = ws.first_price[j] > 0 ? ws.first_price[j] : T->launch_price;
        jw_kdouble(w, names[j], base > 0 ? floor((price / base - 1) * 10000) / 100 : 0);
    }
    jw_obj_end(w);
    if (T->graduated) {
        double sol = (double)T->pool.sol / (double)SOL;
        jw_kobj_begin(w, "liquidity");
        jw_kdouble(w, "usd", floor(sol * 2 * SOL_USD * 100) / 100);
        jw_kdouble(w, "base", floor((double)T->pool.tokens / 1e6));
        jw_kdouble(w, "quote", sol);
        jw_obj_end(w);
    }
    double mcap = price * TOKEN_SUPPLY * SOL_USD;
    jw_ku64(w, "fdv", (uint64_t)mcap);
    jw_ku64(w, "marketCap", (uint64_t)mcap);
    jw_ki64(w, "pairCreatedAt", T->graduated ? T->grad_ms : T->launch_ms);
    jw_obj_end(w);
}

/* The token of a base58 mint, or UINT32_MAX. */
static uint32_t token_of(const struct simchain *c, const char *s, size_t n)
{
    const struct sim *sm = c->sim;
    for (uint32_t t = 0; t < sm->tokens.len; t++) {
        const struct token *T = &sm->tokens.v[t];
        if (T->launched && T->mint.len == n && memcmp(T->mint.s, s, n) == 0)
            return t;
    }
    return UINT32_MAX;
}

void chain_dex(struct simchain *c, struct httpd_resp *resp, const char *list, bool one)
{
    struct jw w;
    jw_init(&w, &resp->body);
    jw_arr_begin(&w);
    size_t n_mints = 0;
    for (const char *p = list; *p && n_mints < 30;) {
        size_t n = strcspn(p, ",");
        if (one && n_mints == 1)
            break;
        uint32_t t = token_of(c, p, n);
        if (t != UINT32_MAX)
            pair_json(c, t, &w);
        n_mints++;
        p += n;
        if (*p == ',')
            p++;
    }
    jw_arr_end(&w);
    jw_finish(&w);
    resp->status = 200;
}

/* Case-insensitive: does s contain q[0..n)? */
static bool contains_ci(const char *s, const char *q, size_t n)
{
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)q[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* The liquidity a search ranks by: a pool's SOL, else the curve's (all
 * pools first). */
static uint64_t search_rank(const struct token *T)
{
    return T->graduated ? (UINT64_C(1) << 62) + T->pool.sol : T->curve.real_sol;
}

void chain_dex_search(struct simchain *c, struct httpd_resp *resp, const char *q)
{
    const struct sim *s = c->sim;
    size_t n = q ? strlen(q) : 0;
    uint32_t best[DEX_SEARCH_PAIRS];
    size_t nb = 0;
    int64_t end = c->o.until_ms ? c->o.until_ms : s->end_ms;
    for (uint32_t t = 0; n && t < s->tokens.len; t++) {
        const struct token *T = &s->tokens.v[t];
        if (!T->launched || T->launch_ms >= end)
            continue;
        char name[32], sym[32];
        snprintf(name, sizeof name, "Sim Token %u", t);
        snprintf(sym, sizeof sym, "SIM%u", t);
        if (!contains_ci(name, q, n) && !contains_ci(sym, q, n) && !contains_ci(T->mint.s, q, n))
            continue;
        /* insertion into the best DEX_SEARCH_PAIRS by rank */
        size_t at = nb < DEX_SEARCH_PAIRS ? nb++ : DEX_SEARCH_PAIRS;
        if (at == DEX_SEARCH_PAIRS) {
            if (search_rank(T) <= search_rank(&s->tokens.v[best[at - 1]]))
                continue;
            at--;
        }
        while (at > 0 && search_rank(&s->tokens.v[best[at - 1]]) < search_rank(T)) {
            best[at] = best[at - 1];
            at--;
        }
        best[at] = t;
    }
    struct jw w;
    jw_init(&w, &resp->body);
    jw_obj_begin(&w);
    jw_kstr(&w, "schemaVersion", "1.0.0");
    jw_karr_begin(&w, "pairs");
    for (size_t i = 0; i < nb; i++)
        pair_json(c, best[i], &w);
    jw_arr_end(&w);
    jw_obj_end(&w);
    jw_finish(&w);
    resp->status = 200;
}
