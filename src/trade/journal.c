/* The engine journal's encodings (see journal.h). */
#include "trade/journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/str.h"
#include "solana/base58.h"
#include "solana/pubkey.h"
#include "trade/engine.h"
#include "trade/exits.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t journal_event_hash(uint64_t h, const struct event *ev)
{
    switch (ev->kind) {
    case EVENT_SWAP:
        h = fnv(h, ev->u.swap.sig.b, sizeof ev->u.swap.sig.b);
        return fnv(h, &ev->u.swap.leg, sizeof ev->u.swap.leg);
    case EVENT_TRANSFER:
        h = fnv(h, ev->u.transfer.sig.b, sizeof ev->u.transfer.sig.b);
        return fnv(h, &ev->u.transfer.leg, sizeof ev->u.transfer.leg);
    case EVENT_PRICE:
        h = fnv(h, ev->u.price.mint.b, 32);
        h = fnv(h, &ev->u.price.ts_ms, sizeof ev->u.price.ts_ms);
        return fnv(h, ev->u.price.source, strlen(ev->u.price.source));
    default:
        return h;
    }
}

void journal_event_retime(struct event *ev, int64_t ts_ms)
{
    if (ev->kind == EVENT_SWAP)
        ev->u.swap.ts_ms = ts_ms;
    else if (ev->kind == EVENT_TRANSFER)
        ev->u.transfer.ts_ms = ts_ms;
    else if (ev->kind == EVENT_PRICE)
        ev->u.price.ts_ms = ts_ms;
}

static const struct {
    enum event_kind k;
    const char *run, *one;
} kinds[] = {
    {EVENT_SWAP, "swaps", "swap"},
    {EVENT_TRANSFER, "transfers", "transfer"},
    {EVENT_PRICE, "prices", "price"},
};

const char *journal_run_kind(enum event_kind k, bool one)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].k == k)
            return one ? kinds[i].one : kinds[i].run;
    return NULL;
}

int journal_ticks_parse(int64_t first_ms, int64_t n, const char *body, int64_t *out, char *err,
                        size_t errsize)
{
    if (n < 1 || n > JOURNAL_TICKS_MAX) {
        snprintf(err, errsize, "a ticks row of %lld ticks (1 to %d)", (long long)n,
                 JOURNAL_TICKS_MAX);
        return WT_EPARSE;
    }
    const char *p = body ? body : "";
    out[0] = first_ms;
    for (int64_t i = 1; i < n; i++) {
        char *end;
        errno = 0;
        long long gap = strtoll(p, &end, 10);
        if (end == p || errno || (*end != ',' && i + 1 < n) || (*end != '\0' && i + 1 == n) ||
            __builtin_add_overflow(out[i - 1], (int64_t)gap, &out[i])) {
            snprintf(err, errsize, "a ticks row of %lld ticks whose gaps do not parse: %.60s",
                     (long long)n, body ? body : "");
            return WT_EPARSE;
        }
        p = *end ? end + 1 : end;
    }
    if (n == 1 && *p) {
        snprintf(err, errsize, "a ticks row of one tick with gaps: %.60s", p);
        return WT_EPARSE;
    }
    return 0;
}

enum event_kind journal_kind_event(const char *kind, bool *one)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kind, kinds[i].run) == 0 || strcmp(kind, kinds[i].one) == 0) {
            *one = strcmp(kind, kinds[i].one) == 0;
            return kinds[i].k;
        }
    }
    return 0;
}

static bool zero_key(const struct pubkey *k)
{
    static const struct pubkey z;
    return memcmp(k->b, z.b, sizeof z.b) == 0;
}

void journal_command_json(const struct command_event *c, struct buf *out)
{
    struct jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_ki64(&w, "kind", (int64_t)c->kind);
    jw_ku64(&w, "id", c->id);
    jw_kdouble(&w, "value", c->value);
    if (c->kind == CMD_EXIT_PUT) {
        struct exit_strategy s;
        memcpy(&s, c->payload, sizeof s);
        jw_key(&w, "strategy");
        exit_strategy_write(&s, &w);
    } else {
        if (!zero_key(&c->wallet)) {
            char k[BASE58_KEY_MAX];
            base58_encode(c->wallet.b, 32, k, sizeof k);
            jw_kstr(&w, "wallet", k);
        }
        jw_kstr(&w, "name", c->name);
        jw_kstr(&w, "text", c->text);
    }
    jw_obj_end(&w);
    jw_finish(&w);
}

static int copy_field(const struct json_val *o, const char *key, char *dst, size_t n)
{
    const char *s = "";
    size_t len = 0;
    int rc = json_opt_str(o, key, &s, &len);
    if ((rc != 0 && rc != WT_ENOTFOUND) || len >= n)
        return WT_EPARSE;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

int journal_command_parse(const char *json, size_t len, int64_t ts_ms, struct command_event *c,
                          char *err, size_t errsize)
{
    memset(c, 0, sizeof *c);
    struct json_doc *d = json_doc_new(16);
    struct json_val root;
    int64_t kind = 0;
    int rc = WT_EPARSE;
    if (json_parse(d, json, len, 0, &root) != 0 || json_get_i64(&root, "kind", &kind) != 0 ||
        kind < CMD_PAUSE || kind > CMD_CLUSTER_MEMBER || json_get_u64(&root, "id", &c->id) != 0 ||
        json_get_double(&root, "value", &c->value) != 0) {
        snprintf(err, errsize, "a recorded command does not parse: %.80s", json);
        goto out;
    }
    c->kind = (enum command_kind)kind;
    c->ts_ms = ts_ms;
    if (c->kind == CMD_EXIT_PUT) {
        struct json_val sv;
        struct exit_strategy s;
        if (json_get(&root, "strategy", &sv) != 0 ||
            exit_strategy_from_json(&sv, &s, err, errsize) != 0)
            goto out;
        uint64_t id = c->id;
        double value = c->value;
        engine_command_exit_put(c, &s);
        c->ts_ms = ts_ms;
        c->id = id;
        c->value = value;
        rc = 0;
        goto out;
    }
    const char *k = NULL;
    size_t kl = 0;
    int wrc = json_opt_str(&root, "wallet", &k, &kl);
    if ((wrc != 0 && wrc != WT_ENOTFOUND) || (k && pubkey_parse_n(k, kl, &c->wallet)) ||
        copy_field(&root, "name", c->name, sizeof c->name) ||
        copy_field(&root, "text", c->text, sizeof c->text)) {
        snprintf(err, errsize, "a recorded command does not parse: %.80s", json);
        goto out;
    }
    rc = 0;
out:
    json_doc_free(d);
    return rc;
}
