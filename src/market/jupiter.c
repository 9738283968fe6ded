/* Jupiter client: the quote, swap and price calls the live executor and
 * the price feed need, with Jupiter's error bodies mapped to kinds the
 * executor can act on (retry with a fresh quote, give up on the token,
 * back off).
 *
 * Jupiter's quirks live here: amounts are decimal strings (parsed exactly,
 * never through a double); the swap request must carry the quote object
 * back unchanged, so the quote body is kept verbatim; error bodies are
 * {"error": text, "errorCode": CODE} on 400, sometimes only {"error"} or
 * {"message"}. Transport, retries and failover are net/httpc's. */
#include "market/jupiter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"

#define JUP_REQ_MAX (64 * 1024)

/* Invariant: resp and doc hold the last answer. */
struct jupiter {
    struct httpc *http;
    char *api_key; /* NULL when none */
    struct json_doc *doc;
    struct httpc_resp resp;
    struct buf req;
    struct jup_error last;
};

const char *jup_err_kind_name(enum jup_err_kind k)
{
    switch (k) {
    case JUP_ERR_NONE:
        return "none";
    case JUP_ERR_NO_ROUTE:
        return "no_route";
    case JUP_ERR_NOT_TRADABLE:
        return "not_tradable";
    case JUP_ERR_BAD_REQUEST:
        return "bad_request";
    case JUP_ERR_UNAUTHORIZED:
        return "unauthorized";
    case JUP_ERR_RATE_LIMITED:
        return "rate_limited";
    case JUP_ERR_SERVER:
        return "server_error";
    case JUP_ERR_SIMULATION:
        return "simulation_error";
    case JUP_ERR_OTHER:
        return "other";
    }
    return "other";
}

struct jupiter *jupiter_new(const char *base_url, const char *api_key,
                            const struct httpc_opts *opts)
{
    struct jupiter *j = xcalloc(1, sizeof *j);
    const char *urls[1] = {base_url};
    j->http = httpc_new(urls, 1, opts);
    httpc_set_service(j->http, "jupiter");
    j->api_key = api_key && api_key[0] ? xstrdup(api_key) : NULL;
    j->doc = json_doc_new(0);
    httpc_resp_init(&j->resp);
    buf_init(&j->req, JUP_REQ_MAX);
    return j;
}

void jupiter_free(struct jupiter *j)
{
    if (!j)
        return;
    httpc_free(j->http);
    if (j->api_key) {
        mem_wipe(j->api_key, strlen(j->api_key));
        free(j->api_key);
    }
    json_doc_free(j->doc);
    httpc_resp_release(&j->resp);
    buf_release(&j->req);
    free(j);
}

const struct jup_error *jupiter_last_error(const struct jupiter *j)
{
    return &j->last;
}

static void set_message(struct jupiter *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_message(struct jupiter *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->last.message, sizeof j->last.message, fmt, ap);
    va_end(ap);
}

/* Kind of a Jupiter errorCode. Codes from the quote API's documented list;
 * anything else with a 4xx is a bad request. */
static enum jup_err_kind kind_of_code(const char *code, long status)
{
    static const char *const no_route[] = {
        "NO_ROUTES_FOUND",
        "COULD_NOT_FIND_ANY_ROUTE",
        "ROUTE_PLAN_DOES_NOT_CONSUME_ALL_THE_AMOUNT",
        "CIRCULAR_ARBITRAGE_IS_DISABLED",
    };
    static const char *const not_tradable[] = {"TOKEN_NOT_TRADABLE", "MARKET_NOT_FOUND",
                                               "TOKEN_MINT_NOT_FOUND"};
    for (size_t i = 0; code && i < sizeof no_route / sizeof *no_route; i++)
        if (strcmp(code, no_route[i]) == 0)
            return JUP_ERR_NO_ROUTE;
    for (size_t i = 0; code && i < sizeof not_tradable / sizeof *not_tradable; i++)
        if (strcmp(code, not_tradable[i]) == 0)
            return JUP_ERR_NOT_TRADABLE;
    if (status == 401 || status == 403)
        return JUP_ERR_UNAUTHORIZED;
    if (status == 429)
        return JUP_ERR_RATE_LIMITED;
    if (status >= 500)
        return JUP_ERR_SERVER;
    if (status >= 400)
        return JUP_ERR_BAD_REQUEST;
    return JUP_ERR_OTHER;
}

/* Decodes an error answer (non-200) into j->last. Returns WT_EREMOTE. */
static int remote_error(struct jupiter *j)
{
    struct json_val root;
    const char *code = NULL, *msg = NULL;
    j->last.http_status = j->resp.status;
    if (json_parse(j->doc, j->resp.body.data, j->resp.body.len, j->resp.body.cap, &root) == 0 &&
        json_type_of(&root) == JSON_OBJECT) {
        if (json_opt_str(&root, "errorCode", &code, NULL) != 0)
            code = NULL;
        if (json_opt_str(&root, "error", &msg, NULL) != 0 &&
            json_opt_str(&root, "message", &msg, NULL) != 0)
            msg = NULL;
    }
    str_copy(j->last.code, sizeof j->last.code, code ? code : "");
    j->last.kind = kind_of_code(code, j->resp.status);
    /* Older answers carry only the text ({"error":"No routes found"}). */
    if (!code && msg && j->last.kind == JUP_ERR_BAD_REQUEST &&
        (strstr(msg, "No routes found") || strstr(msg, "Could not find any route")))
        j->last.kind = JUP_ERR_NO_ROUTE;
    if (msg)
        set_message(j, "HTTP %ld: %s", j->resp.status, msg);
    else
        set_message(j, "HTTP %ld", j->resp.status);
    return WT_EREMOTE;
}

/* Performs a request and leaves a 200 answer in j->resp. */
static int request(struct jupiter *j, const char *method, const char *path, const char *body,
                   size_t body_len)
{
    struct httpc_header hdr[2];
    size_t nh = 0;
    int rc;
    memset(&j->last, 0, sizeof j->last);
    if (body)
        hdr[nh++] = (struct httpc_header){"Content-Type", "application/json"};
    if (j->api_key)
        hdr[nh++] = (struct httpc_header){"x-api-key", j->api_key};
    struct httpc_req req = {.method = method,
                            .path = path,
                            .headers = hdr,
                            .n_headers = nh,
                            .body = body,
                            .body_len = body_len,
                            .retries = -1};
    if ((rc = httpc_do(j->http, &req, &j->resp))) {
        set_message(j, "%s", wt_strerror(rc));
        return rc;
    }
    if (j->resp.status != 200)
        return remote_error(j);
    return 0;
}

static int parse_key(const struct json_val *obj, const char *name, struct pubkey *out)
{
    const char *s;
    size_t n;
    int rc = json_get_str(obj, name, &s, &n);
    if (rc)
        return rc;
    return pubkey_parse_n(s, n, out) ? WT_EPARSE : 0;
}

void jup_quote_release(struct jup_quote *q)
{
    free(q->raw);
    memset(q, 0, sizeof *q);
}

/* Fills q from the quote object v (raw not touched). */
static int quote_fields(const struct json_val *v, struct jup_quote *q)
{
    int rc;
    const char *s;
    size_t n;
    uint64_t bps;
    struct json_val plan;
    if ((rc = parse_key(v, "inputMint", &q->input_mint)) ||
        (rc = parse_key(v, "outputMint", &q->output_mint)) ||
        (rc = json_get_u64(v, "inAmount", &q->in_amount)) ||
        (rc = json_get_u64(v, "outAmount", &q->out_amount)) ||
        (rc = json_get_u64(v, "otherAmountThreshold", &q->other_amount_threshold)) ||
        (rc = json_get_u64(v, "slippageBps", &bps)) || (rc = json_get(v, "routePlan", &plan)))
        return rc;
    if (bps > 10000)
        return WT_ERANGE;
    q->slippage_bps = (uint16_t)bps;
    if (json_get_str(v, "swapMode", &s, &n) == 0 && strcmp(s, "ExactIn") != 0)
        return WT_EUNSUPPORTED;
    if (json_type_of(&plan) != JSON_ARRAY || json_size(&plan) == 0)
        return WT_EPARSE;
    q->route_hops = (uint32_t)json_size(&plan);
    if (json_opt_str(v, "priceImpactPct", &s, &n) == 0) {
        if (str_to_double(s, &q->price_impact_pct))
            return WT_EPARSE;
    }
    json_opt_u64(v, "contextSlot", &q->context_slot);
    if (q->other_amount_threshold > q->out_amount)
        return WT_ERANGE;
    return 0;
}

static int quote_from_doc(struct json_doc *doc, const char *body, size_t len, size_t cap,
                          struct jup_quote *q, char *err, size_t errsize)
{
    struct json_val root;
    memset(q, 0, sizeof *q);
    int rc = json_parse(doc, body, len, cap, &root);
    if (!rc && json_type_of(&root) != JSON_OBJECT)
        rc = WT_ETYPE;
    if (!rc)
        rc = quote_fields(&root, q);
    if (rc) {
        const char *m = json_errmsg(doc);
        snprintf(err, errsize, "bad quote: %s", m[0] ? m : wt_strerror(rc));
        memset(q, 0, sizeof *q);
        return WT_EPARSE;
    }
    q->raw = xstrndup(body, len);
    q->raw_len = len;
    return 0;
}

int jup_quote_parse(const char *body, size_t len, struct jup_quote *q, char *err, size_t errsize)
{
    struct json_doc *doc = json_doc_new(0);
    int rc = quote_from_doc(doc, body, len, 0, q, err, errsize);
    json_doc_free(doc);
    return rc;
}

int jupiter_quote(struct jupiter *j, const struct jup_quote_req *req, struct jup_quote *q)
{
    char in[BASE58_KEY_MAX], outm[BASE58_KEY_MAX], path[512];
    int rc;
    memset(q, 0, sizeof *q);
    if (req->amount == 0 || req->slippage_bps > 10000 ||
        pubkey_eq(&req->input_mint, &req->output_mint)) {
        memset(&j->last, 0, sizeof j->last);
        set_message(j, "invalid quote request (zero amount, slippage above 100%% or same mints)");
        return WT_EINVAL;
    }
    snprintf(path, sizeof path,
             "/swap/v1/quote?inputMint=%s&outputMint=%s&amount=%llu&slippageBps=%u"
             "&swapMode=ExactIn&restrictIntermediateTokens=true",
             pubkey_format(&req->input_mint, in), pubkey_format(&req->output_mint, outm),
             (unsigned long long)req->amount, (unsigned)req->slippage_bps);
    if ((rc = request(j, "GET", path, NULL, 0)))
        return rc;
    char err[256];
    if ((rc = quote_from_doc(j->doc, j->resp.body.data, j->resp.body.len, j->resp.body.cap, q, err,
                             sizeof err))) {
        set_message(j, "%s", err);
        return rc;
    }
    if (!pubkey_eq(&q->input_mint, &req->input_mint) ||
        !pubkey_eq(&q->output_mint, &req->output_mint) || q->in_amount != req->amount) {
        set_message(j, "quote does not match the request (mints or amount differ)");
        jup_quote_release(q);
        return WT_EPARSE;
    }
    return 0;
}

int jupiter_swap(struct jupiter *j, const struct jup_quote *q, const struct jup_swap_req *req,
                 struct jup_swap *out)
{
    char user[BASE58_KEY_MAX];
    struct jw w;
    struct json_val root, v;
    const char *b64;
    size_t b64_len;
    int rc;
    memset(out, 0, sizeof *out);
    if (!q->raw) {
        memset(&j->last, 0, sizeof j->last);
        set_message(j, "no quote to swap");
        return WT_EINVAL;
    }
    buf_reset(&j->req);
    jw_init(&w, &j->req);
    jw_obj_begin(&w);
    jw_key(&w, "quoteResponse");
    jw_raw(&w, q->raw, q->raw_len);
    jw_kstr(&w, "userPublicKey", pubkey_format(&req->user, user));
    jw_kbool(&w, "wrapAndUnwrapSol", req->wrap_unwrap_sol);
    jw_kbool(&w, "dynamicComputeUnitLimit", req->dynamic_cu_limit);
    if (req->priority_fee_max) {
        jw_kobj_begin(&w, "prioritizationFeeLamports");
        jw_kobj_begin(&w, "priorityLevelWithMaxLamports");
        jw_ku64(&w, "maxLamports", req->priority_fee_max);
        jw_kstr(&w, "priorityLevel", req->priority_level ? req->priority_level : "veryHigh");
        jw_obj_end(&w);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    if ((rc = jw_finish(&w))) {
        memset(&j->last, 0, sizeof j->last);
        set_message(j, "swap request too large");
        return rc;
    }
    if ((rc = request(j, "POST", "/swap/v1/swap", j->req.data, j->req.len)))
        return rc;
    rc = json_parse(j->doc, j->resp.body.data, j->resp.body.len, j->resp.body.cap, &root);
    if (rc || json_type_of(&root) != JSON_OBJECT) {
        set_message(j, "bad swap answer: %s", rc ? json_errmsg(j->doc) : "not an object");
        return WT_EPARSE;
    }
    if (json_find(&root, "simulationError", &v) == 0 && !json_is_null(&v)) {
        const char *code = NULL, *msg = NULL;
        if (json_type_of(&v) == JSON_OBJECT) {
            if (json_opt_str(&v, "errorCode", &code, NULL))
                code = NULL;
            if (json_opt_str(&v, "error", &msg, NULL))
                msg = NULL;
        }
        j->last.http_status = 200;
        j->last.kind = JUP_ERR_SIMULATION;
        str_copy(j->last.code, sizeof j->last.code, code ? code : "");
        set_message(j, "Jupiter's simulation failed: %s", msg ? msg : "(no message)");
        return WT_EREMOTE;
    }
    if (json_get_str(&root, "swapTransaction", &b64, &b64_len) ||
        json_get_u64(&root, "lastValidBlockHeight", &out->last_valid_block_height)) {
        set_message(j, "bad swap answer: %s", json_errmsg(j->doc));
        return WT_EPARSE;
    }
    json_opt_u64(&root, "prioritizationFeeLamports", &out->priority_fee_lamports);
    json_opt_u64(&root, "computeUnitLimit", &out->compute_unit_limit);
    rc = base64_decode(b64, b64_len, out->wire, sizeof out->wire, &out->len);
    if (rc) {
        set_message(j, "bad swap answer: swapTransaction is %s",
                    rc == WT_EFULL ? "larger than a transaction can be" : "not base64");
        memset(out, 0, sizeof *out);
        return WT_EPARSE;
    }
    return 0;
}

int jupiter_prices(struct jupiter *j, const struct pubkey *mints, size_t n, struct jup_price *out)
{
    struct buf path;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].mint = mints[i];
    }
    buf_init(&path, 0);
    for (size_t at = 0; at < n; at += JUP_PRICE_BATCH) {
        size_t m = n - at < JUP_PRICE_BATCH ? n - at : JUP_PRICE_BATCH;
        char key[BASE58_KEY_MAX];
        struct json_val root, it_v;
        struct json_iter it;
        buf_reset(&path);
        buf_puts(&path, "/price/v3?ids=");
        for (size_t i = 0; i < m; i++) {
            if (i)
                buf_putc(&path, ',');
            buf_puts(&path, pubkey_format(&mints[at + i], key));
        }
        if ((rc = request(j, "GET", path.data, NULL, 0)))
            goto out;
        rc = json_parse(j->doc, j->resp.body.data, j->resp.body.len, j->resp.body.cap, &root);
        if (rc || json_iter_init(&root, &it) || json_type_of(&root) != JSON_OBJECT) {
            set_message(j, "bad price answer: %s", rc ? json_errmsg(j->doc) : "not an object");
            rc = WT_EPARSE;
            goto out;
        }
        while (json_iter_next(&it, &it_v)) {
            struct pubkey k;
            if (pubkey_parse_n(it_v.key, it_v.keylen, &k) != 0 || json_is_null(&it_v))
                continue; /* Jupiter answers null for an unknown mint */
            for (size_t i = 0; i < m; i++) {
                struct jup_price *p = &out[at + i];
                uint64_t dec = 0;
                if (p->found || !pubkey_eq(&k, &p->mint))
                    continue;
                if (json_get_double(&it_v, "usdPrice", &p->usd_price) ||
                    json_opt_u64(&it_v, "blockId", &p->block_id) == WT_ETYPE ||
                    json_opt_double(&it_v, "priceChange24h", &p->price_change_24h) == WT_ETYPE ||
                    json_opt_u64(&it_v, "decimals", &dec) == WT_ETYPE || dec > 255) {
                    set_message(j, "bad price answer: %s", json_errmsg(j->doc));
                    rc = WT_EPARSE;
                    goto out;
                }
                p->decimals = (uint8_t)dec;
                p->found = true;
            }
        }
    }
out:
    buf_release(&path);
    return rc;
}
