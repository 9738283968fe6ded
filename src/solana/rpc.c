/* Solana JSON-RPC client: the calls the live executor and the wallet
 * commands need, with errors decoded into something an operator can act on.
 *
 * The node's answers have quirks this module absorbs in one place: ids come
 * back as numbers or strings; u64 values (rentEpoch) exceed a double;
 * transaction errors are null, a bare string or a nested object; preflight
 * failures carry the simulation logs inside error.data. Requests are written
 * with the streaming JSON writer and answers parsed in place (httpc pads
 * bodies for simdjson). Transport, retries and endpoint failover belong to
 * net/httpc. */
#include "solana/rpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/vec.h"
#include "solana/tx.h"

#define RPC_REQ_MAX  (64 * 1024)
#define RPC_LOGS_MAX (64 * 1024)

/* Invariant: resp and doc hold the last answer; values returned by call()
 * point into doc and live until the next call. */
struct rpc {
    struct httpc *http;
    struct json_doc *doc;
    struct httpc_resp resp;
    struct buf req;
    struct jw w;
    struct json_val root; /* parent of every result value (json.h error paths) */
    uint64_t next_id;
    struct rpc_error last;
};

static const char *commitment_name(enum rpc_commitment c)
{
    switch (c) {
    case RPC_PROCESSED:
        return "processed";
    case RPC_CONFIRMED:
        return "confirmed";
    case RPC_FINALIZED:
    default:
        return "finalized";
    }
}

static enum rpc_confirmation confirmation_of(const char *s)
{
    if (!s)
        return RPC_CONF_NONE;
    if (strcmp(s, "processed") == 0)
        return RPC_CONF_PROCESSED;
    if (strcmp(s, "confirmed") == 0)
        return RPC_CONF_CONFIRMED;
    if (strcmp(s, "finalized") == 0)
        return RPC_CONF_FINALIZED;
    return RPC_CONF_NONE;
}

struct rpc *rpc_new(const char *const *urls, size_t n, const struct httpc_opts *opts)
{
    struct rpc *r = xcalloc(1, sizeof *r);
    r->http = httpc_new(urls, n, opts);
    httpc_set_service(r->http, "rpc");
    r->doc = json_doc_new(0);
    httpc_resp_init(&r->resp);
    buf_init(&r->req, RPC_REQ_MAX);
    buf_init(&r->last.logs, RPC_LOGS_MAX);
    r->next_id = 1;
    return r;
}

void rpc_free(struct rpc *r)
{
    if (!r)
        return;
    httpc_free(r->http);
    json_doc_free(r->doc);
    httpc_resp_release(&r->resp);
    buf_release(&r->req);
    buf_release(&r->last.logs);
    free(r);
}

const struct rpc_error *rpc_last_error(const struct rpc *r)
{
    return &r->last;
}

struct httpc *rpc_http(struct rpc *r)
{
    return r->http;
}

int rpc_tx_err_decode(const struct json_val *v, struct rpc_tx_err *out)
{
    memset(out, 0, sizeof *out);
    out->instr_index = -1;
    if (json_is_null(v))
        return 0;
    enum json_type t = json_type_of(v);
    if (t == JSON_STRING) {
        const char *s;
        json_str(v, &s, NULL);
        out->set = true;
        snprintf(out->text, sizeof out->text, "%s", s);
        return 0;
    }
    if (t != JSON_OBJECT)
        return WT_ETYPE;
    out->set = true;
    struct buf b;
    struct jw w;
    buf_init(&b, 4096);
    jw_init(&w, &b);
    jw_json(&w, v); /* compact, for display only */
    /* A truncated rendering still says what kind of error it was. */
    snprintf(out->text, sizeof out->text, "%s", b.data ? b.data : "{}");
    buf_release(&b);

    struct json_val ie, idx, detail;
    if (json_find(v, "InstructionError", &ie) == 0 && json_type_of(&ie) == JSON_ARRAY &&
        json_index(&ie, 0, &idx) == 0 && json_index(&ie, 1, &detail) == 0) {
        int64_t i;
        if (json_i64(&idx, &i) == 0 && i >= 0 && i < 256)
            out->instr_index = (int)i;
        if (json_type_of(&detail) == JSON_STRING) {
            const char *s;
            json_str(&detail, &s, NULL);
            snprintf(out->instr_err, sizeof out->instr_err, "%s", s);
        } else if (json_type_of(&detail) == JSON_OBJECT) {
            struct json_iter it;
            struct json_val m;
            if (json_iter_init(&detail, &it) == 0 && json_iter_next(&it, &m)) {
                snprintf(out->instr_err, sizeof out->instr_err, "%.*s", (int)m.keylen, m.key);
                uint64_t code;
                if (strcmp(out->instr_err, "Custom") == 0 && json_u64(&m, &code) == 0 &&
                    code <= UINT32_MAX) {
                    out->has_custom = true;
                    out->custom = (uint32_t)code;
                }
            }
        }
    }
    return 0;
}

/* Joins an array of strings into b, one per line. */
static void join_logs(const struct json_val *arr, struct buf *b)
{
    struct json_iter it;
    struct json_val e;
    if (json_type_of(arr) != JSON_ARRAY || json_iter_init(arr, &it) != 0)
        return;
    while (json_iter_next(&it, &e)) {
        const char *s;
        size_t n;
        if (json_str(&e, &s, &n) != 0)
            continue;
        if (buf_append(b, s, n) != 0 || buf_putc(b, '\n') != 0)
            break; /* cap reached: keep what fits */
    }
}

static void set_message(struct rpc *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_message(struct rpc *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->last.message, sizeof r->last.message, fmt, ap);
    va_end(ap);
}

/* Starts a request: {"jsonrpc":"2.0","id":N,"method":m,"params":[ */
/* 0 when v is an array; else "unexpected result: <what>" and WT_EPARSE. */
static int want_array(struct rpc *r, const struct json_val *v, const char *what)
{
    if (json_type_of(v) == JSON_ARRAY)
        return 0;
    set_message(r, "unexpected result: %s", what);
    return WT_EPARSE;
}

static struct jw *req_begin(struct rpc *r, const char *method)
{
    buf_reset(&r->req);
    jw_init(&r->w, &r->req);
    jw_obj_begin(&r->w);
    jw_kstr(&r->w, "jsonrpc", "2.0");
    jw_ku64(&r->w, "id", r->next_id++);
    jw_kstr(&r->w, "method", method);
    jw_karr_begin(&r->w, "params");
    return &r->w;
}

/* Closes the request, posts it, and returns the "result" value. */
static int req_send(struct rpc *r, struct json_val *result)
{
    static const struct httpc_header hdr[] = {{"Content-Type", "application/json"}};
    struct json_val *root = &r->root, err;
    int rc;

    memset(&r->last.err, 0, sizeof r->last.err);
    r->last.err.instr_index = -1;
    r->last.code = 0;
    r->last.http_status = 0;
    r->last.message[0] = '\0';
    r->last.has_units = false;
    buf_reset(&r->last.logs);

    jw_arr_end(&r->w);
    jw_obj_end(&r->w);
    if ((rc = jw_finish(&r->w))) {
        set_message(r, "request too large");
        return rc;
    }
    struct httpc_req req = {.method = "POST",
                            .path = "",
                            .headers = hdr,
                            .n_headers = 1,
                            .body = r->req.data,
                            .body_len = r->req.len,
                            .retries = -1};
    if ((rc = httpc_do(r->http, &req, &r->resp))) {
        set_message(r, "%s", wt_strerror(rc));
        return rc;
    }
    r->last.http_status = r->resp.status;
    rc = json_parse(r->doc, r->resp.body.data, r->resp.body.len, r->resp.body.cap, root);
    if (rc || json_type_of(root) != JSON_OBJECT) {
        if (r->resp.status != 200) {
            set_message(r, "HTTP %ld", r->resp.status);
            return WT_EREMOTE;
        }
        set_message(r, "invalid JSON-RPC response: %s", rc ? json_errmsg(r->doc) : "not an object");
        return WT_EPARSE;
    }
    if (json_find(root, "error", &err) == 0 && !json_is_null(&err)) {
        const char *msg = "";
        struct json_val data, v;
        if (json_get_i64(&err, "code", &r->last.code) != 0 ||
            json_get_str(&err, "message", &msg, NULL) != 0) {
            set_message(r, "malformed JSON-RPC error: %s", json_errmsg(r->doc));
            return WT_EREMOTE;
        }
        set_message(r, "%s", msg);
        if (json_find(&err, "data", &data) == 0 && json_type_of(&data) == JSON_OBJECT) {
            if (json_find(&data, "err", &v) == 0)
                rpc_tx_err_decode(&v, &r->last.err);
            if (json_find(&data, "logs", &v) == 0)
                join_logs(&v, &r->last.logs);
            if (json_opt_u64(&data, "unitsConsumed", &r->last.units_consumed) == 0)
                r->last.has_units = true;
        }
        return WT_EREMOTE;
    }
    if (r->resp.status != 200) {
        set_message(r, "HTTP %ld without a JSON-RPC error", r->resp.status);
        return WT_EREMOTE;
    }
    if (json_get(root, "result", result) != 0) {
        set_message(r, "%s", json_errmsg(r->doc));
        return WT_EPARSE;
    }
    return 0;
}

/* Records a decoding failure of the result. */
static int bad_result(struct rpc *r, int rc)
{
    set_message(r, "unexpected result: %s", json_errmsg(r->doc));
    return rc;
}

static void commitment_obj(struct jw *w, enum rpc_commitment c)
{
    jw_obj_begin(w);
    jw_kstr(w, "commitment", commitment_name(c));
    jw_obj_end(w);
}

/* result = {"context":{"slot":N},"value":...} */
static int context_value(struct rpc *r, const struct json_val *result, struct json_val *value,
                         uint64_t *slot)
{
    struct json_val ctx;
    int rc;
    if ((rc = json_get(result, "context", &ctx)) || (rc = json_get_u64(&ctx, "slot", slot)) ||
        (rc = json_get(result, "value", value)))
        return bad_result(r, rc);
    return 0;
}

int rpc_get_balance(struct rpc *r, const struct pubkey *account, enum rpc_commitment c,
                    uint64_t *lamports, uint64_t *slot)
{
    char addr[BASE58_KEY_MAX];
    struct jw *w = req_begin(r, "getBalance");
    jw_str(w, pubkey_format(account, addr));
    commitment_obj(w, c);
    struct json_val result, value;
    uint64_t s, v;
    int rc = req_send(r, &result);
    if (rc || (rc = context_value(r, &result, &value, &s)))
        return rc;
    if ((rc = json_u64(&value, &v)))
        return bad_result(r, rc);
    *lamports = v;
    if (slot)
        *slot = s;
    return 0;
}

static int parse_key(struct rpc *r, const struct json_val *obj, const char *key, struct pubkey *out)
{
    const char *s;
    size_t n;
    int rc = json_get_str(obj, key, &s, &n);
    if (rc)
        return bad_result(r, rc);
    if (pubkey_parse_n(s, n, out)) {
        set_message(r, "unexpected result: field %s is not a public key", key);
        return WT_EPARSE;
    }
    return 0;
}

static int token_accounts_one(struct rpc *r, const struct pubkey *owner, const char *program,
                              enum rpc_commitment c, struct rpc_token_list *out)
{
    char addr[BASE58_KEY_MAX];
    struct jw *w = req_begin(r, "getTokenAccountsByOwner");
    jw_str(w, pubkey_format(owner, addr));
    jw_obj_begin(w);
    jw_kstr(w, "programId", program);
    jw_obj_end(w);
    jw_obj_begin(w);
    jw_kstr(w, "encoding", "jsonParsed");
    jw_kstr(w, "commitment", commitment_name(c));
    jw_obj_end(w);
    struct json_val result, value, item, acct, data, parsed, info, amt;
    uint64_t slot;
    size_t start = out->len;
    int rc = req_send(r, &result);
    if (rc || (rc = context_value(r, &result, &value, &slot)) ||
        (rc = want_array(r, &value, "value is not an array")))
        return rc;
    for (size_t i = 0; json_index(&value, i, &item) == 0; i++) {
        struct rpc_token_account a;
        memset(&a, 0, sizeof a);
        const char *state = NULL;
        uint64_t dec;
        if ((rc = parse_key(r, &item, "pubkey", &a.address)) ||
            (rc = json_get(&item, "account", &acct)) ||
            (rc = parse_key(r, &acct, "owner", &a.program)) ||
            (rc = json_get_u64(&acct, "lamports", &a.lamports)) ||
            (rc = json_get_u64(&acct, "rentEpoch", &a.rent_epoch)) ||
            (rc = json_get(&acct, "data", &data)) || (rc = json_get(&data, "parsed", &parsed)) ||
            (rc = json_get(&parsed, "info", &info)) ||
            (rc = parse_key(r, &info, "mint", &a.mint)) ||
            (rc = parse_key(r, &info, "owner", &a.owner)) ||
            (rc = json_get(&info, "tokenAmount", &amt)) ||
            (rc = json_get_u64(&amt, "amount", &a.amount)) ||
            (rc = json_get_u64(&amt, "decimals", &dec))) {
            out->len = start; /* all or nothing */
            return r->last.message[0] ? rc : bad_result(r, rc);
        }
        if (dec > 255) {
            out->len = start;
            set_message(r, "unexpected result: decimals %llu", (unsigned long long)dec);
            return WT_EPARSE;
        }
        a.decimals = (uint8_t)dec;
        json_opt_bool(&info, "isNative", &a.is_native);
        if (json_opt_str(&info, "state", &state, NULL) == 0)
            a.frozen = strcmp(state, "frozen") == 0;
        vec_push(out, a);
    }
    return 0;
}

int rpc_get_token_accounts(struct rpc *r, const struct pubkey *owner, const char *program,
                           enum rpc_commitment c, struct rpc_token_list *out)
{
    if (program)
        return token_accounts_one(r, owner, program, c, out);
    size_t start = out->len;
    int rc = token_accounts_one(r, owner, TOKEN_PROGRAM_ID, c, out);
    if (rc == 0)
        rc = token_accounts_one(r, owner, TOKEN_2022_PROGRAM_ID, c, out);
    if (rc)
        out->len = start;
    return rc;
}

int rpc_get_latest_blockhash(struct rpc *r, enum rpc_commitment c, uint8_t blockhash[32],
                             uint64_t *last_valid_block_height, uint64_t *slot)
{
    struct jw *w = req_begin(r, "getLatestBlockhash");
    commitment_obj(w, c);
    struct json_val result, value;
    uint64_t s, h;
    const char *bh;
    size_t n;
    uint8_t hash[32];
    int rc = req_send(r, &result);
    if (rc || (rc = context_value(r, &result, &value, &s)))
        return rc;
    if ((rc = json_get_str(&value, "blockhash", &bh, &n)) ||
        (rc = json_get_u64(&value, "lastValidBlockHeight", &h)))
        return bad_result(r, rc);
    if (base58_decode(bh, n, hash, 32)) {
        set_message(r, "unexpected result: blockhash is not 32 bytes of base58");
        return WT_EPARSE;
    }
    memcpy(blockhash, hash, 32);
    *last_valid_block_height = h;
    if (slot)
        *slot = s;
    return 0;
}

/* Begins a request whose first parameter is the transaction wire, as a
 * base64 string, and opens its options object with "encoding": "base64";
 * the caller adds its options and closes the object. Returns 0 (*w set) or
 * WT_EINVAL for a transaction of 0 or more than TX_MAX_SIZE bytes. */
static int req_begin_wire(struct rpc *r, const char *method, const uint8_t *wire, size_t len,
                          struct jw **w)
{
    char b64[BASE64_ENCODED_LEN(TX_MAX_SIZE) + 1];
    *w = req_begin(r, method);
    if (len == 0 || len > TX_MAX_SIZE) {
        set_message(r, "transaction of %zu bytes (1..%d allowed)", len, TX_MAX_SIZE);
        return WT_EINVAL;
    }
    base64_encode(wire, len, b64, sizeof b64);
    jw_str(*w, b64);
    jw_obj_begin(*w);
    jw_kstr(*w, "encoding", "base64");
    return 0;
}

int rpc_simulate(struct rpc *r, const uint8_t *wire, size_t len, bool sig_verify,
                 bool replace_blockhash, enum rpc_commitment c, struct rpc_sim_result *out)
{
    struct jw *w;
    int rc = req_begin_wire(r, "simulateTransaction", wire, len, &w);
    if (rc)
        return rc;
    jw_kbool(w, "sigVerify", sig_verify);
    jw_kbool(w, "replaceRecentBlockhash", replace_blockhash);
    jw_kstr(w, "commitment", commitment_name(c));
    jw_obj_end(w);
    struct json_val result, value, v;
    uint64_t slot;
    if ((rc = req_send(r, &result)) || (rc = context_value(r, &result, &value, &slot)))
        return rc;
    struct rpc_tx_err err;
    if ((rc = json_get(&value, "err", &v)) || (rc = rpc_tx_err_decode(&v, &err)))
        return bad_result(r, rc ? rc : WT_ETYPE);
    out->slot = slot;
    out->err = err;
    out->has_units = json_opt_u64(&value, "unitsConsumed", &out->units_consumed) == 0;
    buf_reset(&out->logs);
    if (json_find(&value, "logs", &v) == 0)
        join_logs(&v, &out->logs);
    return 0;
}

int rpc_send_transaction(struct rpc *r, const uint8_t *wire, size_t len,
                         const struct rpc_send_opts *o, char sig[BASE58_SIG_MAX])
{
    struct jw *w;
    int rc = req_begin_wire(r, "sendTransaction", wire, len, &w);
    if (rc)
        return rc;
    jw_kbool(w, "skipPreflight", o->skip_preflight);
    jw_kstr(w, "preflightCommitment", commitment_name(o->preflight_commitment));
    if (o->max_retries >= 0)
        jw_ku64(w, "maxRetries", (uint64_t)o->max_retries);
    jw_obj_end(w);
    struct json_val result;
    const char *s;
    size_t n;
    uint8_t raw[64];
    if ((rc = req_send(r, &result)))
        return rc;
    if ((rc = json_str(&result, &s, &n)))
        return bad_result(r, rc);
    if (base58_decode(s, n, raw, 64)) {
        set_message(r, "unexpected result: not a base58 signature");
        return WT_EPARSE;
    }
    snprintf(sig, BASE58_SIG_MAX, "%s", s);
    return 0;
}

int rpc_get_signature_statuses(struct rpc *r, const char *const *sigs, size_t n,
                               bool search_history, struct rpc_sig_status *out)
{
    if (n == 0 || n > 256) {
        set_message(r, "%zu signatures (1..256 allowed)", n);
        return WT_EINVAL;
    }
    struct jw *w = req_begin(r, "getSignatureStatuses");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        jw_str(w, sigs[i]);
    jw_arr_end(w);
    jw_obj_begin(w);
    jw_kbool(w, "searchTransactionHistory", search_history);
    jw_obj_end(w);
    struct json_val result, value, item, v;
    uint64_t slot;
    int rc = req_send(r, &result);
    if (rc || (rc = context_value(r, &result, &value, &slot)))
        return rc;
    if (json_type_of(&value) != JSON_ARRAY || json_size(&value) != n) {
        set_message(r, "unexpected result: %zu statuses for %zu signatures", json_size(&value), n);
        return WT_EPARSE;
    }
    for (size_t i = 0; i < n; i++) {
        struct rpc_sig_status st;
        memset(&st, 0, sizeof st);
        st.err.instr_index = -1;
        json_index(&value, i, &item);
        if (!json_is_null(&item)) {
            const char *cs = NULL;
            st.found = true;
            if ((rc = json_get_u64(&item, "slot", &st.slot)) || (rc = json_get(&item, "err", &v)) ||
                (rc = rpc_tx_err_decode(&v, &st.err)))
                return bad_result(r, rc);
            rc = json_opt_u64(&item, "confirmations", &st.confirmations);
            if (rc && rc != WT_ENOTFOUND)
                return bad_result(r, rc);
            st.has_confirmations = rc == 0;
            rc = json_opt_str(&item, "confirmationStatus", &cs, NULL);
            if (rc && rc != WT_ENOTFOUND)
                return bad_result(r, rc);
            st.status = confirmation_of(cs);
        }
        out[i] = st;
    }
    return 0;
}

int rpc_get_signatures_for_address(struct rpc *r, const struct pubkey *address,
                                   const struct rpc_sigs_query *q, struct rpc_sig_list *out)
{
    char addr[BASE58_KEY_MAX];
    struct jw *w = req_begin(r, "getSignaturesForAddress");
    jw_str(w, pubkey_format(address, addr));
    jw_obj_begin(w);
    if (q->limit)
        jw_ku64(w, "limit", q->limit);
    if (q->before)
        jw_kstr(w, "before", q->before);
    if (q->until)
        jw_kstr(w, "until", q->until);
    jw_kstr(w, "commitment", commitment_name(q->commitment));
    jw_obj_end(w);
    struct json_val result, item, v;
    size_t start = out->len;
    int rc = req_send(r, &result);
    if (rc || (rc = want_array(r, &result, "not an array")))
        return rc;
    for (size_t i = 0; json_index(&result, i, &item) == 0; i++) {
        struct rpc_sig_info si;
        memset(&si, 0, sizeof si);
        const char *s = NULL, *cs = NULL;
        size_t n;
        uint8_t raw[64];
        if ((rc = json_get_str(&item, "signature", &s, &n)) ||
            (rc = json_get_u64(&item, "slot", &si.slot)) || (rc = json_get(&item, "err", &v)) ||
            (rc = rpc_tx_err_decode(&v, &si.err)))
            goto bad;
        if (base58_decode(s, n, raw, 64)) {
            out->len = start;
            set_message(r, "unexpected result: not a base58 signature");
            return WT_EPARSE;
        }
        snprintf(si.signature, sizeof si.signature, "%s", s);
        rc = json_opt_i64(&item, "blockTime", &si.block_time);
        if (rc && rc != WT_ENOTFOUND)
            goto bad;
        si.has_block_time = rc == 0;
        rc = json_opt_str(&item, "confirmationStatus", &cs, NULL);
        if (rc && rc != WT_ENOTFOUND)
            goto bad;
        si.status = confirmation_of(cs);
        vec_push(out, si);
    }
    return 0;
bad:
    out->len = start;
    return bad_result(r, rc ? rc : WT_ETYPE);
}

int rpc_get_transaction(struct rpc *r, const char *signature, enum rpc_commitment c,
                        struct httpc_resp *body)
{
    struct jw *w = req_begin(r, "getTransaction");
    jw_str(w, signature);
    jw_obj_begin(w);
    jw_kstr(w, "encoding", "json");
    jw_ku64(w, "maxSupportedTransactionVersion", 0);
    jw_kstr(w, "commitment", commitment_name(c));
    jw_obj_end(w);
    struct json_val result;
    int rc = req_send(r, &result);
    if (rc)
        return rc;
    if (json_is_null(&result)) {
        set_message(r, "transaction not found");
        return WT_ENOTFOUND;
    }
    if (json_type_of(&result) != JSON_OBJECT) {
        set_message(r, "unexpected result: not an object");
        return WT_EPARSE;
    }
    /* Hand the raw body over; the client gets a fresh buffer. */
    httpc_resp_release(body);
    *body = r->resp;
    httpc_resp_init(&r->resp);
    return 0;
}
