/* Decode-batch-append loop shared by the bulk loaders. See loader.h. */
#include "ingest/loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

void loader_init(struct loader *l, struct store *st, size_t batch_events)
{
    memset(l, 0, sizeof *l);
    l->st = st;
    l->dec = helius_decoder_new();
    l->batch_events = batch_events ? batch_events : 5000;
}

void loader_release(struct loader *l)
{
    helius_out_release(&l->out);
    helius_decoder_free(l->dec);
    l->dec = NULL;
}

int loader_flush(struct loader *l)
{
    if (l->out.events.len) {
        struct store_append_stats s = {0};
        int rc = store_append_events(l->st, l->out.events.v, l->out.events.len, &s);
        if (rc)
            return rc;
        l->totals.swaps += s.swaps;
        l->totals.swaps_dup += s.swaps_dup;
        l->totals.transfers += s.transfers;
        l->totals.transfers_dup += s.transfers_dup;
        l->totals.prices += s.prices;
        l->totals.prices_dup += s.prices_dup;
    }
    helius_out_clear(&l->out);
    return 0;
}

int loader_flush_reversed(struct loader *l)
{
    struct helius_out *o = &l->out;
    size_t covered = 0;
    for (size_t i = 0; i < o->txs.len; i++)
        covered += o->txs.v[i].n_events;
    if (o->txs.len > 1 && covered == o->events.len) {
        struct event *tmp = xmalloc(o->events.len * sizeof *tmp);
        size_t n = 0;
        for (size_t i = o->txs.len; i-- > 0;) {
            const struct helius_tx *t = &o->txs.v[i];
            memcpy(tmp + n, o->events.v + t->first_event, t->n_events * sizeof *tmp);
            n += t->n_events;
        }
        memcpy(o->events.v, tmp, n * sizeof *tmp);
        free(tmp);
    }
    return loader_flush(l);
}

int loader_add(struct loader *l, const char *body, size_t len, size_t cap, char *err,
               size_t errsize)
{
    if (errsize)
        err[0] = '\0';
    if (helius_decode(l->dec, body, len, cap, &l->out, &l->counters) != 0) {
        l->bad_bodies++;
        snprintf(err, errsize, "%s", helius_errmsg(l->dec));
        return 0;
    }
    return l->out.events.len >= l->batch_events ? loader_flush(l) : 0;
}

int loader_summary(const struct loader *l, struct buf *out)
{
    uint64_t skipped = 0;
    for (int r = 0; r < SKIP__COUNT; r++)
        skipped += l->counters.skipped[r];
    int rc = buf_printf(out,
                        "%llu transactions: %zu swaps and %zu transfers stored, %zu duplicates "
                        "already present, %llu transactions skipped",
                        (unsigned long long)l->counters.txs, l->totals.swaps, l->totals.transfers,
                        l->totals.swaps_dup + l->totals.transfers_dup, (unsigned long long)skipped);
    const char *sep = " (";
    for (int r = 1; r < SKIP__COUNT && rc == 0; r++) {
        if (l->counters.skipped[r]) {
            rc = buf_printf(out, "%s%s: %llu", sep, skip_reason_name((enum skip_reason)r),
                            (unsigned long long)l->counters.skipped[r]);
            sep = ", ";
        }
    }
    if (rc == 0 && sep[0] == ',')
        rc = buf_puts(out, ")");
    if (rc == 0 && l->bad_bodies)
        rc = buf_printf(out, "; %zu documents were not Helius payloads", l->bad_bodies);
    return rc;
}
