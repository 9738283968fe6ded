/* A bounded, thread-safe queue of events: many producers, one consumer.
 *
 * The engine thread is the one consumer (trade/runner.h); the producers are
 * the inbox's commit thread (committed market events, in commit order),
 * the timer thread (ticks), the HTTP pool (operator commands) and a live
 * executor (fills). A full queue makes a waiting producer wait: back
 * pressure up to the webhook, which answers only once its events are
 * queued. Events are copied in and out; the order of one producer's events
 * is kept.
 *
 * Threads: every function is thread-safe. */
#ifndef WT_INGEST_EVQ_H
#define WT_INGEST_EVQ_H

#include <stdbool.h>
#include <stddef.h>

#include "event/event.h"

struct evq;

/* A queue of cap events (>= 1). Never NULL. */
struct evq *evq_new(size_t cap);
/* Frees the queue; no thread may be using it. NULL is allowed. */
void evq_free(struct evq *q);

/* Appends ev[0..n). With wait, blocks while the queue is full; without,
 * appends what fits. Returns the number appended (n when waiting, unless
 * the queue was closed meanwhile). */
size_t evq_push(struct evq *q, const struct event *ev, size_t n, bool wait);
/* Takes up to max events into out, waiting up to timeout_ms (< 0: forever)
 * for the first. Returns the number taken; 0 on timeout, or when the queue
 * is closed and empty. */
size_t evq_pop(struct evq *q, struct event *out, size_t max, int timeout_ms);
/* Refuses further pushes and wakes everyone; what is queued can still be
 * popped. */
void evq_close(struct evq *q);
/* Takes pushes again after evq_close, with what was queued dropped (an
 * engine that stopped and starts again from the store). No consumer may
 * be popping. */
void evq_reopen(struct evq *q);
/* Events queued now, and the most ever queued at once. */
size_t evq_len(struct evq *q, size_t *high_water);

#endif
