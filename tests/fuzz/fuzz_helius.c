/* libFuzzer target for the Helius decoder: any byte string is fed to
 * helius_decode as a body, and the result is checked against the event
 * invariants (no event without a transaction, amounts and prices positive,
 * sides valid). A crash, a sanitizer report or a broken invariant is a
 * finding. Seeds: tests/fixtures/real/ (helius_* and rpc_getTransaction_*). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "ingest/helius.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct helius_decoder *d;
    static struct helius_out out;
    static struct helius_counters c;
    if (!d)
        d = helius_decoder_new();
    char *p = malloc(size + JSON_PADDING);
    memcpy(p, data, size);
    memset(p + size, 0, JSON_PADDING);
    helius_out_clear(&out);
    int rc = helius_decode(d, p, size, size + JSON_PADDING, &out, &c);
    if (rc && (out.txs.len || out.events.len))
        abort(); /* a refused body must leave nothing behind */
    size_t sum = 0;
    for (size_t i = 0; i < out.txs.len; i++) {
        const struct helius_tx *r = &out.txs.v[i];
        if ((r->n_events == 0) != (r->skip != SKIP_NONE) || r->first_event != sum)
            abort();
        sum += r->n_events;
    }
    if (sum != out.events.len)
        abort();
    for (size_t i = 0; i < out.events.len; i++) {
        const struct event *e = &out.events.v[i];
        if (e->kind == EVENT_SWAP) {
            const struct swap_event *s = &e->u.swap;
            if ((s->side != SIDE_BUY && s->side != SIDE_SELL) || !s->token_amount ||
                !s->quote_amount || !(s->price_sol > 0 || s->price_usd > 0))
                abort();
        } else if (e->kind != EVENT_TRANSFER || !e->u.transfer.amount) {
            abort();
        }
    }
    struct buf b;
    buf_init(&b, 0);
    helius_write_jsonl(&out, 0, &b);
    buf_release(&b);
    free(p);
    return 0;
}
