/* The engine journal as `serve` records it (trade/journal.h has the
 * format): the engine's input hook turns each input into a row, stored
 * events into runs with a hash of their keys, and the runner writes the
 * rows about once a second (ticks alone, once a minute). Private to
 * trade/runner.c and its test; everything here runs on the engine's
 * thread (jrec_start: the caller of runner_start). */
#ifndef WT_TRADE_RUNNER_JOURNAL_H
#define WT_TRADE_RUNNER_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/vec.h"
#include "event/event.h"
#include "store/store.h"
#include "trade/runner.h"

/* The journal being recorded (trade/journal.h), on the engine's thread
 * (during runner_start: the caller's). run_* is the run of stored events
 * being counted; ticks_* the run of timer ticks (a "ticks" row), at most
 * one of the two open, each closed into its row before any later row;
 * moved says the next stored event's time was moved. */
struct jrec {
    VEC(struct journal_row) rows;
    VEC(char *) bodies;
    enum event_kind run_kind;
    int64_t run_n, run_ts;
    uint64_t run_hash;
    int64_t ticks_n, ticks_first, ticks_last;
    int64_t ticks_since; /* wall clock of the run's first tick */
    struct buf ticks_gaps;
    bool moved, failed; /* failed: the last write was refused */
    int64_t wall;
    int64_t stored_ts;  /* the moved event's own time */
    int64_t last_write; /* wall clock of the last write */
    bool urgent;        /* a command is waiting: write with this batch */
};

/* Appends a row of kind at ts (n events, hash; body: a string the
 * recorder owns from now on, or NULL), after the run of ticks if one is
 * open. */
void jrec_push(struct jrec *j, const char *kind, int64_t ts, int64_t n, uint64_t hash, char *body);
/* Ends the run of stored events being counted with its row. */
void jrec_close_run(struct jrec *j);
/* The engine's input hook (engine_set_input_hook); ctx is the jrec. */
void jrec_input(void *ctx, const struct event *ev);
/* Writes the rows to st when due (or at once with force): rows wait at
 * most JOURNAL_WRITE_MS; a run of ticks with nothing else (an idle engine)
 * waits up to JOURNAL_TICKS_WRITE_MS, so that it costs a row a minute. */
void jrec_flush(struct jrec *j, struct store *st, bool force);
/* Records the start row of a run of the engine o describes; the stored
 * swaps it counted go to *counted_swaps. */
int jrec_start(struct jrec *j, const struct runner_opts *o, int64_t created_ms,
               int64_t *counted_swaps, char *err, size_t errsize);
void jrec_release(struct jrec *j);

#endif
