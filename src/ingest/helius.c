/* The Helius decoder: payload bodies in, swap and transfer events out.
 *
 * This file owns the body-level work (recognising the payload shape,
 * loading each enhanced transaction into a netbal_tx, counting, printing
 * JSON lines); raw transactions are loaded by helius_raw.c and every
 * transaction is decided by the shared net-balance rules in netbal.c.
 *
 * The enhanced loader reads only what the rules need: signature, slot,
 * timestamp, fee, feePayer, type, source, transactionError, accountData
 * (native and raw token changes with their owner), nativeTransfers and
 * the user/token accounts of tokenTransfers (whose amounts are floats and
 * are never used as amounts), and the SOL side of events.swap for the
 * cross-check. `events` may be an object, an empty object or an empty
 * array; `transactionError` may be absent, null, a string or an object. */
#include "ingest/helius.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "ingest/helius_raw.h"

struct helius_decoder {
    struct json_doc *doc;
    struct netbal_tx tx;
    struct helius_raw_scratch raw;
    struct netbal_limits lim; /* now_ms set at each helius_decode */
    const struct clock *clk;  /* NULL: the wall clock */
    char err[256];
};

struct helius_decoder *helius_decoder_new(void)
{
    struct helius_decoder *d = xcalloc(1, sizeof *d);
    d->doc = json_doc_new(64);
    d->lim.max_future_ms = HELIUS_MAX_FUTURE_MS_DEFAULT;
    return d;
}

void helius_decoder_set_limits(struct helius_decoder *d, int64_t max_future_ms,
                               const struct clock *clk)
{
    d->lim.max_future_ms = max_future_ms;
    d->clk = clk;
}

void helius_decoder_free(struct helius_decoder *d)
{
    if (!d)
        return;
    json_doc_free(d->doc);
    netbal_tx_release(&d->tx);
    helius_raw_scratch_release(&d->raw);
    free(d);
}

const char *helius_errmsg(const struct helius_decoder *d)
{
    return d->err;
}

void helius_out_release(struct helius_out *out)
{
    vec_free(&out->events);
    vec_free(&out->txs);
}

void helius_out_clear(struct helius_out *out)
{
    vec_clear(&out->events);
    vec_clear(&out->txs);
}

/* ---- enhanced format ---------------------------------------------------- */

struct eload {
    char *err;
    size_t errsize;
};

static int efail(struct eload *L, const struct json_val *v, int rc)
{
    snprintf(L->err, L->errsize, "%s", json_errmsg(v->doc));
    return rc;
}

static int emsg(struct eload *L, const struct json_val *v, const char *what)
{
    char path[64];
    json_path(v, path, sizeof path);
    if (snprintf(L->err, L->errsize, "at %s: %s", path, what) < 0)
        L->err[0] = '\0';
    return WT_EPARSE;
}

/* rawTokenAmount.tokenAmount: a decimal string with an optional sign. */
static int signed_amount(struct eload *L, const struct json_val *raw, uint64_t *mag, bool *neg,
                         uint8_t *decimals)
{
    const char *s;
    size_t n;
    uint64_t dec;
    int rc;
    if ((rc = json_get_str(raw, "tokenAmount", &s, &n)) ||
        (rc = json_get_u64(raw, "decimals", &dec)))
        return efail(L, raw, rc);
    if (dec > 30)
        return emsg(L, raw, "decimals out of range");
    *neg = n > 0 && s[0] == '-';
    if (n > 0 && (s[0] == '-' || s[0] == '+'))
        s++, n--;
    if (str_to_u64_n(s, n, mag))
        return emsg(L, raw, "tokenAmount is not an integer string");
    *decimals = (uint8_t)dec;
    return 0;
}

/* Member key test for the one-pass readers below. */
static bool key_is(const struct json_val *m, const char *k, size_t n)
{
    return m->keylen == n && m->key[0] == k[0] && memcmp(m->key, k, n) == 0;
}
#define KEY(m, lit) key_is((m), lit, sizeof lit - 1)

/* A string or null member value into a slice (null and "" mean none). */
static int val_slice(struct eload *L, const struct json_val *m, struct nb_str *s)
{
    *s = (struct nb_str){0};
    if (json_is_null(m))
        return 0;
    int rc = json_str(m, &s->p, &s->n);
    return rc ? efail(L, m, rc) : 0;
}

static int load_token_change(struct eload *L, const struct json_val *ch, struct nb_str acct,
                             struct netbal_tx *t)
{
    struct json_iter it;
    struct json_val m, raw;
    struct nb_token k = {0};
    bool have_raw = false;
    int rc;
    if (json_iter_init(ch, &it) || json_type_of(ch) != JSON_OBJECT)
        return emsg(L, ch, "expected an object");
    while (json_iter_next(&it, &m)) {
        if (KEY(&m, "userAccount"))
            rc = val_slice(L, &m, &k.owner);
        else if (KEY(&m, "tokenAccount"))
            rc = val_slice(L, &m, &k.account);
        else if (KEY(&m, "mint"))
            rc = val_slice(L, &m, &k.mint);
        else if (KEY(&m, "rawTokenAmount"))
            raw = m, have_raw = true, rc = 0;
        else
            rc = 0;
        if (rc)
            return rc;
    }
    if (k.mint.n == 0)
        return emsg(L, ch, "missing field \"mint\"");
    if (!have_raw)
        return emsg(L, ch, "missing field \"rawTokenAmount\"");
    if ((rc = signed_amount(L, &raw, &k.mag, &k.neg, &k.decimals)))
        return rc;
    if (k.account.n == 0)
        k.account = acct;
    if (k.mag)
        vec_push(&t->tokens, k);
    return 0;
}

static int load_account_data(struct eload *L, const struct json_val *arr, struct netbal_tx *t)
{
    struct json_iter it, im, ic;
    struct json_val a, m, chs, ch;
    int rc;
    if (json_type_of(arr) != JSON_ARRAY)
        return emsg(L, arr, "expected an array");
    json_iter_init(arr, &it);
    while (json_iter_next(&it, &a)) {
        struct nb_str acct = {0};
        int64_t nat = 0;
        bool have_chs = false;
        if (json_type_of(&a) != JSON_OBJECT)
            return emsg(L, &a, "expected an object");
        json_iter_init(&a, &im);
        while (json_iter_next(&im, &m)) {
            rc = 0;
            if (KEY(&m, "account"))
                rc = val_slice(L, &m, &acct);
            else if (KEY(&m, "nativeBalanceChange"))
                rc = json_is_null(&m) ? 0 : json_i64(&m, &nat) ? efail(L, &m, WT_ETYPE) : 0;
            else if (KEY(&m, "tokenBalanceChanges"))
                chs = m, have_chs = !json_is_null(&m);
            if (rc)
                return rc;
        }
        if (acct.n == 0)
            return emsg(L, &a, "missing field \"account\"");
        netbal_dex_note(t, acct);
        if (nat)
            vec_push(&t->natives, ((struct nb_native){acct, nat}));
        if (!have_chs)
            continue;
        if (json_type_of(&chs) != JSON_ARRAY)
            return emsg(L, &chs, "expected an array");
        json_iter_init(&chs, &ic);
        while (json_iter_next(&ic, &ch))
            if ((rc = load_token_change(L, &ch, acct, t)))
                return rc;
    }
    return 0;
}

static int load_transfers(struct eload *L, const struct json_val *arr, bool native,
                          struct netbal_tx *t)
{
    struct json_iter it, im;
    struct json_val x, m;
    int rc;
    if (json_is_null(arr))
        return 0;
    if (json_type_of(arr) != JSON_ARRAY)
        return emsg(L, arr, "expected an array");
    json_iter_init(arr, &it);
    while (json_iter_next(&it, &x)) {
        struct nb_xfer f = {.native = native};
        bool have_amount = false;
        if (json_type_of(&x) != JSON_OBJECT)
            return emsg(L, &x, "expected an object");
        json_iter_init(&x, &im);
        while (json_iter_next(&im, &m)) {
            rc = 0;
            if (KEY(&m, "fromUserAccount"))
                rc = val_slice(L, &m, &f.from);
            else if (KEY(&m, "toUserAccount"))
                rc = val_slice(L, &m, &f.to);
            else if (native && KEY(&m, "amount"))
                rc = json_u64(&m, &f.amount) ? efail(L, &m, WT_ETYPE) : 0, have_amount = true;
            else if (!native && KEY(&m, "fromTokenAccount"))
                rc = val_slice(L, &m, &f.from_acct);
            else if (!native && KEY(&m, "toTokenAccount"))
                rc = val_slice(L, &m, &f.to_acct);
            else if (!native && KEY(&m, "mint"))
                rc = val_slice(L, &m, &f.mint);
            if (rc)
                return rc;
        }
        if (native && !have_amount)
            return emsg(L, &x, "missing field \"amount\"");
        vec_push(&t->xfers, f);
    }
    return 0;
}

/* events.swap: which way it says the fee payer's SOL went. */
static void load_swap_event(const struct json_val *events, struct netbal_tx *t)
{
    struct json_val swap, side;
    if (json_type_of(events) != JSON_OBJECT || json_find(events, "swap", &swap) ||
        json_type_of(&swap) != JSON_OBJECT)
        return;
    t->helius_swap = true;
    static const char *const keys[] = {"nativeInput", "nativeOutput"};
    for (int i = 0; i < 2; i++) {
        struct nb_str acct;
        if (json_find(&swap, keys[i], &side) || json_type_of(&side) != JSON_OBJECT ||
            json_get_str(&side, "account", &acct.p, &acct.n))
            continue;
        if (nb_eq(acct, t->fee_payer))
            t->xcheck_sol = i == 0 ? -1 : 1;
    }
}

static int enhanced_load1(const struct json_val *v, struct netbal_tx *t, char *err, size_t errsize)
{
    struct eload L = {err, errsize};
    struct json_iter it;
    struct json_val m, account_data = {0}, natives = {0}, tokens = {0}, events = {0};
    bool have_ad = false, have_nt = false, have_tt = false, have_ev = false, have_fee = false;
    bool have_meta = false, have_txn = false;
    int rc = 0;
    netbal_tx_clear(t);
    if (json_type_of(v) != JSON_OBJECT)
        return emsg(&L, v, "expected a transaction object");
    /* One pass over the members instead of a lookup per field. */
    json_iter_init(v, &it);
    while (json_iter_next(&it, &m)) {
        if (KEY(&m, "signature"))
            rc = json_str(&m, &t->sig.p, &t->sig.n);
        else if (KEY(&m, "feePayer"))
            rc = json_str(&m, &t->fee_payer.p, &t->fee_payer.n);
        else if (KEY(&m, "fee"))
            rc = json_u64(&m, &t->fee), have_fee = true;
        else if (KEY(&m, "slot"))
            rc = json_is_null(&m) ? 0 : json_u64(&m, &t->slot);
        else if (KEY(&m, "timestamp")) {
            int64_t ts = 0;
            rc = json_is_null(&m) ? 0 : json_i64(&m, &ts);
            if (!rc && (ts < 0 || ts > INT64_MAX / 1000))
                return emsg(&L, &m, "timestamp out of range");
            t->ts_ms = ts * 1000;
        } else if (KEY(&m, "type"))
            rc = json_is_null(&m) ? 0 : json_str(&m, &t->type.p, &t->type.n);
        else if (KEY(&m, "source"))
            rc = json_is_null(&m) ? 0 : json_str(&m, &t->source.p, &t->source.n);
        else if (KEY(&m, "transactionError"))
            t->failed = !json_is_null(&m);
        else if (KEY(&m, "accountData"))
            account_data = m, have_ad = true;
        else if (KEY(&m, "nativeTransfers"))
            natives = m, have_nt = true;
        else if (KEY(&m, "tokenTransfers"))
            tokens = m, have_tt = true;
        else if (KEY(&m, "events"))
            events = m, have_ev = true;
        else if (KEY(&m, "meta"))
            have_meta = true;
        else if (KEY(&m, "transaction"))
            have_txn = true;
        if (rc)
            return efail(&L, &m, rc);
    }
    if (have_meta && have_txn)
        return 1;
    /* The copied values keep pointing at v as parent, which outlives them. */
    if (t->sig.n == 0)
        return emsg(&L, v, "missing field \"signature\"");
    if (t->fee_payer.n == 0)
        return emsg(&L, v, "missing field \"feePayer\"");
    if (!have_fee)
        return emsg(&L, v, "missing field \"fee\"");
    if (!have_ad)
        return emsg(&L, v, "missing field \"accountData\"");
    if (t->type.n && nb_eqz(t->type, "SWAP"))
        t->helius_swap = true;
    if ((rc = load_account_data(&L, &account_data, t)))
        return rc;
    t->has_xfer_lists = have_nt || have_tt;
    if (have_nt && (rc = load_transfers(&L, &natives, true, t)))
        return rc;
    if (have_tt && (rc = load_transfers(&L, &tokens, false, t)))
        return rc;
    if (have_ev)
        load_swap_event(&events, t);
    return 0;
}

/* Loads v as an enhanced transaction, or returns 1 without loading it when
 * it is a raw one (helius_raw_is_raw): the pass over the members that
 * reads the enhanced fields notices `meta` and `transaction`, which saves
 * two key lookups per transaction. A member that fails before both were
 * seen is checked with the lookups, as before. */
static int enhanced_load(const struct json_val *v, struct netbal_tx *t, char *err, size_t errsize)
{
    int rc = enhanced_load1(v, t, err, errsize);
    if (rc < 0 && helius_raw_is_raw(v))
        return 1;
    return rc;
}

/* ---- bodies --------------------------------------------------------------- */

static void count(struct helius_counters *c, const struct helius_tx *r)
{
    if (!c)
        return;
    c->txs++;
    if (r->skip != SKIP_NONE)
        c->skipped[r->skip]++;
    if (r->xcheck_mismatch)
        c->xcheck_mismatch++;
}

static void decode_one(struct helius_decoder *d, const struct json_val *v, struct helius_out *out,
                       struct helius_counters *c)
{
    struct helius_tx *r = vec_push_zero(&out->txs);
    r->first_event = (uint32_t)out->events.len;
    int rc = enhanced_load(v, &d->tx, r->detail, sizeof r->detail);
    if (rc == 1) {
        r->raw = true;
        r->detail[0] = '\0';
        rc = helius_raw_load(v, &d->tx, &d->raw, r->detail, sizeof r->detail);
    }
    const struct netbal_tx *t = &d->tx;
    if (t->sig.n && t->sig.n < sizeof r->sig) {
        memcpy(r->sig, t->sig.p, t->sig.n);
        r->sig[t->sig.n] = '\0';
    }
    r->slot = t->slot;
    r->ts_ms = t->ts_ms;
    if (rc == 0)
        rc = netbal_validate(t, &d->lim, r->detail, sizeof r->detail);
    if (rc) {
        r->skip = SKIP_MALFORMED;
        count(c, r);
        return;
    }
    struct netbal_result res;
    if (netbal_decide(t, &out->events, &res)) {
        snprintf(r->detail, sizeof r->detail, "a key is not valid base58 of the right size");
    } else if (netbal_validate_events(&out->events, r->first_event, r->detail, sizeof r->detail)) {
        /* A sum of bounded changes beyond the supply: no event at all. */
        out->events.len = r->first_event;
        res = (struct netbal_result){.skip = SKIP_MALFORMED};
    }
    r->skip = res.skip;
    r->xcheck_mismatch = res.xcheck_mismatch;
    r->n_events = (uint32_t)(out->events.len - r->first_event);
    if (c) {
        c->swaps += res.n_swaps;
        c->transfers += res.n_transfers;
    }
    count(c, r);
}

int helius_decode(struct helius_decoder *d, const char *body, size_t len, size_t cap,
                  struct helius_out *out, struct helius_counters *c)
{
    struct json_val root, v, it_v;
    struct json_iter it;
    size_t ev_mark = out->events.len, tx_mark = out->txs.len;
    struct helius_counters before;
    if (c)
        before = *c;
    d->err[0] = '\0';
    if (d->clk) {
        d->lim.now_ms = clock_now_ms(d->clk);
    } else {
        struct clock wall;
        clock_init_real(&wall);
        d->lim.now_ms = clock_now_ms(&wall);
    }
    int rc = json_parse(d->doc, body, len, cap, &root);
    if (rc) {
        snprintf(d->err, sizeof d->err, "%s", json_errmsg(d->doc));
        goto bad;
    }
    switch (json_type_of(&root)) {
    case JSON_ARRAY:
        json_iter_init(&root, &it);
        while (json_iter_next(&it, &it_v))
            decode_one(d, &it_v, out, c);
        break;
    case JSON_OBJECT: {
        const char *msg;
        size_t n;
        if (json_find(&root, "error", &v) == 0) {
            if (json_str(&v, &msg, &n) && json_get_str(&v, "message", &msg, &n))
                msg = "(no message)";
            snprintf(d->err, sizeof d->err, "error body: %s", msg);
            rc = WT_EREMOTE;
            goto bad;
        }
        if (json_find(&root, "jsonrpc", &v) == 0) {
            if (json_find(&root, "result", &v)) {
                snprintf(d->err, sizeof d->err, "JSON-RPC response without a result");
                rc = WT_EPARSE;
                goto bad;
            }
            if (!json_is_null(&v))
                decode_one(d, &v, out, c);
            break;
        }
        decode_one(d, &root, out, c);
        break;
    }
    default:
        snprintf(d->err, sizeof d->err, "expected a JSON array of transactions, got %s",
                 json_type_name(json_type_of(&root)));
        rc = WT_EPARSE;
        goto bad;
    }
    if (c)
        c->bodies++;
    return 0;
bad:
    out->events.len = ev_mark;
    out->txs.len = tx_mark;
    if (c) {
        *c = before;
        c->bodies_bad++;
    }
    return rc;
}

/* ---- output ---------------------------------------------------------------- */

static void put_key(struct jw *w, const char *k, const struct pubkey *pk)
{
    char s[BASE58_KEY_MAX];
    jw_kstr(w, k, pubkey_format(pk, s));
}

static void put_amount(struct jw *w, const char *k, uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    jw_kstr(w, k, s);
}

static void put_price(struct jw *w, const char *k, double v)
{
    jw_key(w, k);
    if (v > 0)
        jw_double(w, v);
    else
        jw_null(w);
}

static void put_common(struct jw *w, const struct helius_tx *r, const struct signature *sig,
                       uint16_t leg)
{
    char s[BASE58_SIG_MAX];
    if (sig && base58_encode(sig->b, sizeof sig->b, s, sizeof s) > 0)
        jw_kstr(w, "signature", s);
    else
        jw_kstr(w, "signature", r->sig[0] ? r->sig : NULL);
    if (sig)
        jw_ku64(w, "leg", leg);
    jw_ku64(w, "slot", r->slot);
    jw_ki64(w, "timestamp", r->ts_ms / 1000);
}

static void write_event(struct jw *w, const struct helius_tx *r, const struct event *e)
{
    jw_obj_begin(w);
    if (e->kind == EVENT_SWAP) {
        const struct swap_event *s = &e->u.swap;
        put_common(w, r, &s->sig, s->leg);
        jw_kstr(w, "kind", "swap");
        put_key(w, "wallet", &s->wallet);
        jw_kstr(w, "side", s->side == SIDE_BUY ? "buy" : "sell");
        put_key(w, "mint", &s->mint);
        put_amount(w, "token_amount", s->token_amount);
        jw_ku64(w, "decimals", s->decimals);
        put_key(w, "quote_mint", &s->quote_mint);
        put_amount(w, "quote_amount", s->quote_amount);
        jw_ku64(w, "quote_decimals", s->quote_decimals);
        put_price(w, "price_sol", s->price_sol);
        put_price(w, "price_usd", s->price_usd);
        jw_ku64(w, "fee_lamports", s->fee_lamports);
        jw_kstr(w, "source", s->source);
    } else {
        const struct transfer_event *x = &e->u.transfer;
        put_common(w, r, &x->sig, x->leg);
        jw_kstr(w, "kind", "transfer");
        put_key(w, "wallet", &x->from);
        put_key(w, "from", &x->from);
        put_key(w, "to", &x->to);
        if (pubkey_is_zero(&x->mint))
            jw_kstr(w, "mint", NULL);
        else
            put_key(w, "mint", &x->mint);
        put_amount(w, "amount", x->amount);
        jw_ku64(w, "decimals", x->decimals);
    }
    if (r->raw)
        jw_kbool(w, "raw", true);
    jw_obj_end(w);
}

int helius_write_jsonl(const struct helius_out *out, size_t from, struct buf *b)
{
    for (size_t i = from; i < out->txs.len; i++) {
        const struct helius_tx *r = &out->txs.v[i];
        if (r->n_events == 0) {
            struct jw w;
            jw_init(&w, b);
            jw_obj_begin(&w);
            put_common(&w, r, NULL, 0);
            jw_kbool(&w, "skipped", true);
            jw_kstr(&w, "reason", skip_reason_name(r->skip));
            if (r->detail[0])
                jw_kstr(&w, "detail", r->detail);
            jw_obj_end(&w);
            int rc = jw_finish(&w);
            if (rc || buf_putc(b, '\n'))
                return WT_EFULL;
            continue;
        }
        for (uint32_t k = 0; k < r->n_events; k++) {
            struct jw w;
            jw_init(&w, b);
            write_event(&w, r, &out->events.v[r->first_event + k]);
            int rc = jw_finish(&w);
            if (rc || buf_putc(b, '\n'))
                return WT_EFULL;
        }
    }
    return 0;
}

int helius_counters_write(const struct helius_counters *c, const char *prefix, struct buf *b)
{
    /* Each family declared with # TYPE, as the text format wants. */
    const struct {
        const char *suffix;
        uint64_t v;
    } plain[] = {
        {"bodies_total", c->bodies},       {"bodies_rejected_total", c->bodies_bad},
        {"transactions_total", c->txs},    {"swaps_total", c->swaps},
        {"transfers_total", c->transfers}, {"swap_event_mismatch_total", c->xcheck_mismatch},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        rc |= buf_printf(b, "# TYPE %s_%s counter\n%s_%s %llu\n", prefix, plain[i].suffix, prefix,
                         plain[i].suffix, (unsigned long long)plain[i].v);
    rc |= buf_printf(b, "# TYPE %s_skipped_total counter\n", prefix);
    for (int r = SKIP_NONE + 1; r < SKIP__COUNT; r++)
        rc |= buf_printf(b, "%s_skipped_total{reason=\"%s\"} %llu\n", prefix,
                         skip_reason_name((enum skip_reason)r), (unsigned long long)c->skipped[r]);
    return rc ? WT_EFULL : 0;
}
