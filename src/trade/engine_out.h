/* Where the engine's decisions go: one interface, several outputs.
 *
 * The engine (trade/engine.h) never writes to a database, a socket or a
 * log: every decision leaves through this vtable (STYLE.md: a const table
 * of function pointers plus an instance). Implementations:
 *
 *   * the recorder (engine_recorder_new): one JSON line per call into a
 *     buffer; two replays of the same events must give byte-identical
 *     recordings (the determinism test). It and the broadcaster are JSON
 *     outputs (struct engine_json_out): one emit function for every
 *     record instead of one callback per record;
 *   * the batched store writer (trade/engine_store.h): rows into the store,
 *     one transaction per engine batch;
 *   * the broadcaster (engine_broadcaster_new, in trade/engine_bcast.c):
 *     server-sent events for GET /v1/stream;
 *   * the tee (engine_tee_new): forwards every call to several outputs;
 *   * the runner's forwarder (trade/runner.c): token requests to the token
 *     feed (market/tokenfeed.h), nothing else.
 *
 * The records point into the engine's memory and are valid only during
 * the call. Every callback runs on the engine thread; an output that hands
 * data to another thread copies it. A NULL callback is skipped. */
#ifndef WT_TRADE_ENGINE_OUT_H
#define WT_TRADE_ENGINE_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "event/event.h"
#include "signal/signal.h"
#include "trade/position.h"

struct engine;
struct jw;

/* A signal and its decision. size_lamports and order_id are 0 unless
 * traded. detail is a sentence for the operator ("" when the reason says
 * it all). */
struct engine_signal {
    uint64_t id;
    int64_t ts_ms;
    enum trade_mode mode;
    struct pubkey wallet, mint;
    struct signature swap_sig;
    double price_sol;
    const struct signal_inputs *in;
    const struct signal_factors *f;
    enum signal_reason reason;
    const char *detail;
    uint64_t size_lamports;
    double multiplier;
    uint64_t order_id;
};

enum engine_order_status {
    ORDER_SENT = 1, /* handed to the executor */
    ORDER_FILLED,
    ORDER_FAILED,
    ORDER_CANCELLED, /* dropped at a restart before it filled */
};

/* A new order (status SENT) or a change of its status. For sells, reason
 * is the exit that decided it ("stop_loss", "take_profit_1", ...); for
 * buys, "entry". */
struct engine_order {
    uint64_t id;
    enum trade_mode mode;
    enum side side;
    uint64_t signal_id;
    uint64_t position_id; /* sells; 0 for a buy until it fills */
    struct pubkey mint;
    int64_t ts_ms;      /* when the engine decided it */
    int64_t updated_ms; /* of this status */
    uint64_t amount_in; /* lamports (buy) or raw tokens (sell) */
    double ref_price_sol;
    uint16_t slippage_bps;
    enum engine_order_status status;
    const char *reason;
    const char *error; /* ORDER_FAILED: why ("" otherwise) */
};

/* A fill the engine applied (EVENT_FILL with status FILLED). */
struct engine_fill {
    const struct fill_event *fill;
    enum trade_mode mode;
    uint64_t position_id;
};

enum engine_pos_change {
    POS_OPENED = 1,
    POS_UPDATED, /* a partial sale, a strategy change */
    POS_CLOSED,
};

/* A closed trade with what the feedback loop needs: the signal's score and
 * factors, and the UTC hour of the entry. */
struct engine_trade {
    const struct closed_trade *t;
    double score;
    double f[SF_COUNT];
    int entry_hour;
};

/* An alert: a breaker tripped or cleared, a health problem. */
struct engine_alert {
    int64_t ts_ms;
    enum trade_mode mode;
    const char *kind;     /* "circuit_breaker", "health" */
    const char *severity; /* "info", "warn", "critical" */
    const char *breaker;  /* "drawdown", ... or "" */
    const char *action;   /* "trip", "clear" or "" */
    const char *message;
};

/* A signal waits for token facts (docs/engine.md, "Waiting for token
 * facts"): the engine asks whoever feeds it prices (the token feed in
 * `serve`) for this mint. Answered by an EVENT_PRICE of the mint with
 * reported data, or not at all (the wait expires at deadline_ms). An
 * output that feeds no prices ignores it (a NULL callback). */
struct engine_token_request {
    int64_t ts_ms;
    struct pubkey mint;
    int64_t deadline_ms; /* the parked signals of this mint are scored by then */
    uint32_t parked;     /* signals waiting for this mint */
};

struct engine_out;

struct engine_out_ops {
    void (*signal)(struct engine_out *o, const struct engine_signal *s);
    void (*order)(struct engine_out *o, const struct engine_order *ord);
    void (*fill)(struct engine_out *o, const struct engine_fill *f);
    void (*position)(struct engine_out *o, const struct position *p, enum engine_pos_change c);
    void (*trade)(struct engine_out *o, const struct engine_trade *t);
    void (*alert)(struct engine_out *o, const struct engine_alert *a);
    void (*token_request)(struct engine_out *o, const struct engine_token_request *r);
    /* End of a batch of events: persist or publish what is pending. The
     * engine is passed for its state (engine_state_format, the dirty
     * positions). */
    void (*flush)(struct engine_out *o, struct engine *e);
    void (*free)(struct engine_out *o);
};

/* The instance: implementations embed it as their first member. */
struct engine_out {
    const struct engine_out_ops *ops;
};

void engine_out_free(struct engine_out *o);

/* An output that handles every record the same way, as JSON: the recorder
 * and the broadcaster. Its ops call emit with the record's type name
 * ("signal", "order", "fill", "position", "trade", "alert",
 * "token_request"), the engine_*_write function of the record, the record
 * and, for a position, the change's name (else NULL); token requests
 * reach emit only when token_requests is set. engine_out_free calls
 * release, which frees the instance. Engine thread, like every output. */
struct engine_json_out {
    struct engine_out base;
    bool token_requests;
    void (*emit)(struct engine_json_out *e, const char *type,
                 void (*write)(const void *rec, struct jw *w), const void *rec, const char *change);
    void (*release)(struct engine_json_out *e);
};

void engine_json_out_init(struct engine_json_out *e, bool token_requests,
                          void (*emit)(struct engine_json_out *e, const char *type,
                                       void (*write)(const void *rec, struct jw *w),
                                       const void *rec, const char *change),
                          void (*release)(struct engine_json_out *e));

/* JSON of each record, shared by the recorder, the broadcaster and the API:
 * one object value each. */
void engine_signal_write(const struct engine_signal *s, struct jw *w);
void engine_order_write(const struct engine_order *o, struct jw *w);
void engine_fill_write(const struct engine_fill *f, struct jw *w);
void engine_position_write(const struct position *p, struct jw *w);
void engine_trade_write(const struct engine_trade *t, struct jw *w);
void engine_alert_write(const struct engine_alert *a, struct jw *w);
void engine_token_request_write(const struct engine_token_request *r, struct jw *w);
const char *engine_order_status_name(enum engine_order_status s);
const char *engine_pos_change_name(enum engine_pos_change c);

/* The recorder: appends `{"type":"signal",...}\n` lines to out (which the
 * caller owns and must outlive the recorder). flush appends nothing. */
struct engine_out *engine_recorder_new(struct buf *out);

struct sse_hub;
/* The broadcaster: every decision as a server-sent event on hub (which
 * must outlive it): `signal`, `order`, `fill`, `position` ({"change",
 * "position"}), `trade`, `alert`; data is the record's JSON above. Nothing
 * is formatted while no client is connected. */
struct engine_out *engine_broadcaster_new(struct sse_hub *hub);

/* Forwards every call to outs[0..n) in order; the tee owns them and frees
 * them with itself. n <= 4. */
struct engine_out *engine_tee_new(struct engine_out *const *outs, unsigned n);

#endif
