/* Decoding Helius payloads into swap and transfer events.
 *
 * Accepts every body shape walltrack receives or imports:
 *   - a JSON array of enhanced transactions (webhook body, or the
 *     response of GET /v0/addresses/{a}/transactions);
 *   - a JSON array of raw transactions (raw webhook: RPC `json` encoding
 *     plus indexWithinBlock);
 *   - one transaction object of either format, or a JSON-RPC response
 *     {"jsonrpc","result":{...}} of getTransaction (json or jsonParsed).
 * Each element is recognised by its shape (raw has `meta` and
 * `transaction`), loaded into a netbal_tx and decided by the net-balance
 * rules (netbal.h, docs/internals/ingest.md).
 *
 * Every transaction ends up in out->txs, either with its events in
 * out->events or with a skip reason. Nothing is allocated per field:
 * strings are base58-decoded into fixed-size keys and the decoder's
 * scratch vectors are reused across calls.
 *
 * Threads: a decoder belongs to one thread at a time; use one per thread.
 * Counters are plain integers updated by the caller's thread. */
#ifndef WT_INGEST_HELIUS_H
#define WT_INGEST_HELIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/buf.h"
#include "event/event.h"
#include "ingest/netbal.h"
#include "ingest/skip.h"

/* Totals for /metrics. Monotonic; the caller owns and may share them
 * across decoders of one thread. */
struct helius_counters {
    uint64_t bodies;               /* bodies decoded */
    uint64_t bodies_bad;           /* bodies refused as a whole (invalid JSON, wrong shape) */
    uint64_t txs;                  /* transactions seen in good bodies */
    uint64_t swaps;                /* swap events emitted */
    uint64_t transfers;            /* transfer events emitted */
    uint64_t xcheck_mismatch;      /* events.swap disagreed with the balances */
    uint64_t skipped[SKIP__COUNT]; /* per reason; [SKIP_NONE] stays 0 */
};

#define HELIUS_DETAIL_MAX 96

/* One transaction of a decoded body. Its events are
 * out->events.v[first_event .. first_event + n_events). */
struct helius_tx {
    char sig[BASE58_SIG_MAX]; /* as sent ("" when missing) */
    uint64_t slot;
    int64_t ts_ms;
    enum skip_reason skip; /* SKIP_NONE iff n_events > 0 */
    bool raw;              /* decoded from the raw/RPC format */
    bool xcheck_mismatch;
    uint32_t first_event;
    uint32_t n_events;
    char detail[HELIUS_DETAIL_MAX]; /* for SKIP_MALFORMED: the path and problem */
};

struct helius_out {
    struct event_vec events;
    VEC(struct helius_tx) txs;
};

/* Releases the vectors of out (the struct itself is the caller's). */
void helius_out_release(struct helius_out *out);
/* Empties out, keeping storage. */
void helius_out_clear(struct helius_out *out);

struct helius_decoder;

/* Never NULL (aborts on OOM). */
struct helius_decoder *helius_decoder_new(void);
void helius_decoder_free(struct helius_decoder *d);

/* How far past the wall clock a block time may be by default (the setting
 * ingest.max_future_s overrides it in `serve`). */
#define HELIUS_MAX_FUTURE_MS_DEFAULT MS_PER_MINUTE

struct clock;

/* The bounds of netbal_validate for this decoder: block times at most
 * max_future_ms past clk's now (clk NULL: the wall clock; otherwise it must
 * outlive d). A transaction outside the bounds (netbal.h: time, slot, fee,
 * lamports, decimals) is skipped as malformed with the reason in its
 * detail, and the rest of the body is decoded as usual. */
void helius_decoder_set_limits(struct helius_decoder *d, int64_t max_future_ms,
                               const struct clock *clk);

/* Decodes body[0..len) and appends to out. When cap >= len + JSON_PADDING
 * the parse happens in place (no copy). Returns 0 when the body was a
 * valid payload (individual transactions may still be skipped, including
 * as malformed); WT_EPARSE when it is not JSON or not one of the shapes
 * above, WT_EREMOTE when it is a Helius/RPC error body. On error out is
 * left exactly as it was and helius_errmsg says why. counters may be
 * NULL. */
int helius_decode(struct helius_decoder *d, const char *body, size_t len, size_t cap,
                  struct helius_out *out, struct helius_counters *counters);

/* The message of the last failed helius_decode ("" if none). Lives until
 * the next call on d. */
const char *helius_errmsg(const struct helius_decoder *d);

/* Writes transactions out->txs[from..] as JSON lines (one per event, one
 * per skipped transaction) into b; see docs/internals/ingest.md for the
 * fields. Returns 0 or WT_EFULL when b reached its cap. */
int helius_write_jsonl(const struct helius_out *out, size_t from, struct buf *b);

/* Writes the counters in Prometheus text format, metric names prefixed
 * with `prefix` (e.g. "walltrack_decode"). Returns 0 or WT_EFULL. */
int helius_counters_write(const struct helius_counters *c, const char *prefix, struct buf *b);

#endif
