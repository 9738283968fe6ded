/* The backtest event tape (see tape.h): interning, the 64-byte records,
 * the store scan, and the file form.
 *
 * File: "WTTAPE01", then u32 key count, u32 source count, u64 record
 * count, i64 from_ms, to_ms, last_id; the keys (32 bytes each), the
 * sources (EVENT_SOURCE_MAX bytes each), the records as in memory (the
 * file is read on the machine that wrote it: a cache, not an exchange
 * format; the magic carries the record size). */
#include "backtest/tape.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

_Static_assert(sizeof(struct bt_rec) == 64, "a tape record is 64 bytes");

static const char MAGIC[8] = {'W', 'T', 'T', 'A', 'P', 'E', '0', '1'};

void bt_tape_init(struct bt_tape *t)
{
    memset(t, 0, sizeof *t);
    intern_init(&t->keys, 1024);
    t->from_ms = t->to_ms = 0;
}

void bt_tape_release(struct bt_tape *t)
{
    intern_release(&t->keys);
    vec_free(&t->recs);
}

static uint8_t source_of(struct bt_tape *t, const char *s)
{
    if (!s[0])
        return 255;
    for (uint32_t i = 0; i < t->n_sources; i++)
        if (strcmp(t->sources[i], s) == 0)
            return (uint8_t)i;
    if (t->n_sources == BT_SOURCES_MAX)
        return 255;
    str_copy(t->sources[t->n_sources], EVENT_SOURCE_MAX, s);
    return (uint8_t)t->n_sources++;
}

void bt_tape_add(struct bt_tape *t, const struct swap_event *s)
{
    struct bt_rec r;
    memset(&r, 0, sizeof r);
    r.ts_ms = s->ts_ms;
    r.token_amount = s->token_amount;
    r.quote_amount = s->quote_amount;
    r.price_sol = s->price_sol;
    r.price_usd = s->price_usd;
    r.wallet = intern_put(&t->keys, s->wallet.b);
    r.mint = intern_put(&t->keys, s->mint.b);
    r.quote_mint = intern_put(&t->keys, s->quote_mint.b);
    r.fee_lamports = s->fee_lamports > UINT32_MAX ? UINT32_MAX : (uint32_t)s->fee_lamports;
    r.leg = s->leg;
    r.side = (uint8_t)s->side;
    r.decimals = s->decimals;
    r.quote_decimals = s->quote_decimals;
    r.source = source_of(t, s->source);
    vec_push(&t->recs, r);
}

const uint8_t *bt_tape_key(const struct bt_tape *t, uint32_t id)
{
    return intern_key(&t->keys, id);
}

void bt_tape_swap(const struct bt_tape *t, size_t i, struct swap_event *out)
{
    memset(out, 0, sizeof *out);
    bt_tape_swap_over(t, i, out);
}

void bt_tape_swap_over(const struct bt_tape *t, size_t i, struct swap_event *out)
{
    const struct bt_rec *r = &t->recs.v[i];
    out->leg = r->leg;
    out->ts_ms = r->ts_ms;
    memcpy(out->wallet.b, t->keys.keys[r->wallet], 32);
    memcpy(out->mint.b, t->keys.keys[r->mint], 32);
    memcpy(out->quote_mint.b, t->keys.keys[r->quote_mint], 32);
    out->side = (enum side)r->side;
    out->decimals = r->decimals;
    out->quote_decimals = r->quote_decimals;
    out->token_amount = r->token_amount;
    out->quote_amount = r->quote_amount;
    out->price_sol = r->price_sol;
    out->price_usd = r->price_usd;
    out->fee_lamports = r->fee_lamports;
    if (r->source != 255)
        memcpy(out->source, t->sources[r->source], EVENT_SOURCE_MAX);
    else
        memset(out->source, 0, EVENT_SOURCE_MAX);
}

static int add_stored(void *ctx, const struct stored_swap *s)
{
    struct bt_tape *t = ctx;
    bt_tape_add(t, &s->swap);
    t->last_id = s->id;
    return 0;
}

int bt_tape_from_store(struct bt_tape *t, struct store *st, int64_t from_ms, int64_t to_ms)
{
    t->from_ms = t->to_ms = from_ms;
    return bt_tape_extend(t, st, to_ms);
}

int bt_tape_extend(struct bt_tape *t, struct store *st, int64_t to_ms)
{
    if (to_ms <= t->to_ms)
        return 0;
    size_t before = t->recs.len;
    int rc = store_swaps_scan(st, t->to_ms, to_ms, add_stored, t);
    if (rc != 0) {
        t->recs.len = before; /* all or nothing */
        return rc;
    }
    t->to_ms = to_ms;
    return 0;
}

struct hdr {
    char magic[8];
    uint32_t nkeys, nsources;
    uint64_t nrecs;
    int64_t from_ms, to_ms, last_id;
};

int bt_tape_save(const struct bt_tape *t, const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return WT_EIO;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return WT_EIO;
    struct hdr h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, sizeof MAGIC);
    h.nkeys = t->keys.count;
    h.nsources = t->n_sources;
    h.nrecs = t->recs.len;
    h.from_ms = t->from_ms;
    h.to_ms = t->to_ms;
    h.last_id = t->last_id;
    bool ok = fwrite(&h, sizeof h, 1, f) == 1;
    for (uint32_t i = 0; ok && i < h.nkeys; i++)
        ok = fwrite(intern_key(&t->keys, i), 32, 1, f) == 1;
    if (ok && h.nsources)
        ok = fwrite(t->sources, EVENT_SOURCE_MAX, h.nsources, f) == h.nsources;
    if (ok && h.nrecs)
        ok = fwrite(t->recs.v, sizeof *t->recs.v, h.nrecs, f) == h.nrecs;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return WT_EIO;
    }
    return 0;
}

int bt_tape_load(struct bt_tape *t, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? WT_ENOTFOUND : WT_EIO;
    struct hdr h;
    int rc = WT_EPARSE;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, MAGIC, sizeof MAGIC) != 0 ||
        h.nsources > BT_SOURCES_MAX || h.nrecs > (1ull << 34) || h.nkeys > (1u << 30))
        goto out;
    uint8_t k[32];
    for (uint32_t i = 0; i < h.nkeys; i++) {
        if (fread(k, 32, 1, f) != 1 || intern_put(&t->keys, k) != i)
            goto out;
    }
    if (h.nsources && fread(t->sources, EVENT_SOURCE_MAX, h.nsources, f) != h.nsources)
        goto out;
    t->n_sources = h.nsources;
    for (uint32_t i = 0; i < h.nsources; i++)
        t->sources[i][EVENT_SOURCE_MAX - 1] = '\0';
    vec_reserve(&t->recs, h.nrecs);
    if (h.nrecs && fread(t->recs.v, sizeof *t->recs.v, h.nrecs, f) != h.nrecs)
        goto out;
    t->recs.len = h.nrecs;
    for (size_t i = 0; i < t->recs.len; i++) {
        const struct bt_rec *r = &t->recs.v[i];
        if (r->wallet >= h.nkeys || r->mint >= h.nkeys || r->quote_mint >= h.nkeys ||
            (r->source != 255 && r->source >= h.nsources) || (i && r->ts_ms < r[-1].ts_ms))
            goto out;
    }
    t->from_ms = h.from_ms;
    t->to_ms = h.to_ms;
    t->last_id = h.last_id;
    rc = 0;
out:
    fclose(f);
    if (rc) {
        vec_free(&t->recs);
        intern_release(&t->keys);
        intern_init(&t->keys, 1024);
        t->n_sources = 0;
    }
    return rc;
}

/* The end of a tape built up to the present: just past its last record. */
static void close_end(struct bt_tape *t)
{
    t->to_ms = t->recs.len ? t->recs.v[t->recs.len - 1].ts_ms + 1 : INT64_MIN;
}

int bt_tape_cached(struct bt_tape *t, struct store *st, const char *path, const char **how)
{
    int64_t swaps = 0, transfers, prices;
    int rc = store_count_events(st, &swaps, &transfers, &prices);
    if (rc)
        return rc;
    const char *h = "cached";
    bool ok = bt_tape_load(t, path) == 0 && t->from_ms == INT64_MIN;
    if (ok && (int64_t)t->recs.len != swaps) {
        h = "extended";
        size_t before = t->recs.len;
        if ((rc = bt_tape_extend(t, st, INT64_MAX)) != 0)
            return rc;
        ok = (int64_t)t->recs.len == swaps && t->recs.len >= before;
    }
    if (!ok) {
        h = "built";
        bt_tape_release(t);
        bt_tape_init(t);
        if ((rc = bt_tape_from_store(t, st, INT64_MIN, INT64_MAX)) != 0)
            return rc;
    }
    close_end(t);
    if (strcmp(h, "cached") != 0)
        bt_tape_save(t, path); /* best effort: a cache */
    if (how)
        *how = h;
    return 0;
}
