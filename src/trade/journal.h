/* The engine journal: what `serve` hands its engine, recorded so that a
 * backtest replays a past window exactly (docs/backtest.md "Fidelity").
 *
 * The engine is a pure function of its parameters and its ordered inputs
 * (engine.h). The stored events (swaps, transfers, prices) are in the
 * database already, each table in the order the engine got them (ids are
 * given in commit order and only newly stored events reach the engine);
 * what is not stored anywhere is recorded here, in the engine's order:
 *
 *   start     a runner started: its settings (body) and the engine clock
 *   tick      a timer tick, with the time the engine saw (the runner
 *             rewrites ticks and bounds future times before the engine)
 *   ticks     n timer ticks in a row (nothing else between them): ts_ms
 *             the first's time, body the n - 1 gaps in ms from each to
 *             the next, comma-separated (journal_ticks_parse); an idle
 *             engine writes a row a minute instead of one a second
 *   command   an operator or curation command (watch, blacklist, a live
 *             setting from PUT /v1/config, pause, exit strategies, ...):
 *             body is journal_command_json's object
 *   swaps / transfers / prices
 *             a run of n stored events of one table handed on between two
 *             of the rows above, with journal_event_hash of their keys (a
 *             replay checks it: an event stored by another writer in
 *             between, or one removed since, is found, never replayed)
 *   swap / transfer / price
 *             one stored event whose time the runner moved (ts_ms: the
 *             time the engine saw; the hash is of its stored key)
 *   ready     the restore is over; ts_ms: the engine's clock, where the
 *             run's span of engine time begins
 *   clock_limit  the restored clock was moved back to ts_ms
 *   gap       the database refused the journal's rows of a batch: they
 *             are lost, a replay stops here
 *   fill      a live executor's fill (not replayable)
 *   stop      the runner stopped cleanly: every input is recorded
 *
 * Pure; any thread on data the caller owns. */
#ifndef WT_TRADE_JOURNAL_H
#define WT_TRADE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "event/event.h"

#define JOURNAL_HASH_INIT 14695981039346656037ULL

/* Folds the key of a stored event (swap, transfer: signature and leg;
 * price: mint, time and source) into h (FNV-1a). */
uint64_t journal_event_hash(uint64_t h, const struct event *ev);

/* Sets the time of a stored event (swap, transfer, price). */
void journal_event_retime(struct event *ev, int64_t ts_ms);

/* The row kind of a run of stored events of ev's kind ("swaps", ...), or
 * of one moved event ("swap", ...); NULL for other kinds. */
const char *journal_run_kind(enum event_kind k, bool one);
/* The event kind of a run row's kind (either form), 0 for none. */
enum event_kind journal_kind_event(const char *kind, bool *one);

/* The most ticks one "ticks" row holds. */
#define JOURNAL_TICKS_MAX 600

/* The times of a "ticks" row's n ticks (first_ms, then each gap of body
 * added) into out[0..n), n <= JOURNAL_TICKS_MAX. Returns 0, or WT_EPARSE
 * with err when body is not exactly n - 1 comma-separated integers. */
int journal_ticks_parse(int64_t first_ms, int64_t n, const char *body, int64_t *out, char *err,
                        size_t errsize);

/* A command as a JSON object (appended to out): kind, id, value, wallet,
 * name, text; an exit strategy for CMD_EXIT_PUT. seq is not kept. */
void journal_command_json(const struct command_event *c, struct buf *out);
/* Reads it back (ts_ms set to ts_ms). Returns 0 or WT_EPARSE with err. */
int journal_command_parse(const char *json, size_t len, int64_t ts_ms, struct command_event *c,
                          char *err, size_t errsize);

#endif
