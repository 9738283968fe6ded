/* The engine journal's recorder in `serve` (runner_journal.h). */
#include "trade/runner_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "trade/engine_store.h"
#include "trade/journal.h"

static void push_row(struct jrec *j, const char *kind, int64_t ts, int64_t n, uint64_t hash,
                     char *body)
{
    struct journal_row *x = vec_push_zero(&j->rows);
    x->ts_ms = ts;
    x->wall_ms = j->wall;
    str_copy(x->kind, sizeof x->kind, kind);
    x->n = n;
    x->hash = hash;
    x->body = body ? body : "";
    if (body)
        vec_push(&j->bodies, body);
}

/* Ends the run of ticks with its row: "tick" for one (as before runs
 * existed), "ticks" with the gaps for more. */
static void close_ticks(struct jrec *j)
{
    if (j->ticks_n == 1)
        push_row(j, "tick", j->ticks_first, 0, 0, NULL);
    else if (j->ticks_n > 1)
        push_row(j, "ticks", j->ticks_first, j->ticks_n, 0,
                 xstrdup(j->ticks_gaps.data ? j->ticks_gaps.data : ""));
    j->ticks_n = 0;
    buf_reset(&j->ticks_gaps);
}

void jrec_push(struct jrec *j, const char *kind, int64_t ts, int64_t n, uint64_t hash, char *body)
{
    close_ticks(j);
    push_row(j, kind, ts, n, hash, body);
}

/* A timer tick: into the open run of ticks, or a new one. */
static void add_tick(struct jrec *j, int64_t ts)
{
    jrec_close_run(j);
    if (j->ticks_n == JOURNAL_TICKS_MAX)
        close_ticks(j);
    if (j->ticks_n == 0) {
        j->ticks_first = ts;
        j->ticks_since = j->wall;
    } else {
        char gap[24];
        int len = snprintf(gap, sizeof gap, "%s%lld", j->ticks_n > 1 ? "," : "",
                           (long long)(ts - j->ticks_last));
        buf_append(&j->ticks_gaps, gap, (size_t)len);
    }
    j->ticks_last = ts;
    j->ticks_n++;
}

void jrec_close_run(struct jrec *j)
{
    if (j->run_n)
        jrec_push(j, journal_run_kind(j->run_kind, false), j->run_ts, j->run_n, j->run_hash, NULL);
    j->run_n = 0;
}

static char *j_body(struct buf *b)
{
    char *s = xstrdup(b->data ? b->data : "");
    buf_release(b);
    return s;
}

/* The engine's input hook: each input as a row, stored events as runs. */
void jrec_input(void *ctx, const struct event *ev)
{
    struct jrec *j = ctx;
    int64_t ts = event_ts_ms(ev);
    switch (ev->kind) {
    case EVENT_SWAP:
    case EVENT_TRANSFER:
    case EVENT_PRICE:
        if (j->moved) {
            struct event stored = *ev; /* the key as the store has it */
            journal_event_retime(&stored, j->stored_ts);
            jrec_close_run(j);
            jrec_push(j, journal_run_kind(ev->kind, true), ts, 1,
                      journal_event_hash(JOURNAL_HASH_INIT, &stored), NULL);
            j->moved = false;
            return;
        }
        if (j->run_n && j->run_kind != ev->kind)
            jrec_close_run(j);
        if (j->run_n == 0) {
            j->run_kind = ev->kind;
            j->run_ts = ts;
            j->run_hash = JOURNAL_HASH_INIT;
        }
        j->run_hash = journal_event_hash(j->run_hash, ev);
        j->run_n++;
        return;
    case EVENT_TICK:
        add_tick(j, ts);
        return;
    case EVENT_COMMAND: {
        jrec_close_run(j);
        struct buf b;
        buf_init(&b, 0);
        journal_command_json(&ev->u.command, &b);
        jrec_push(j, "command", ts, 0, 0, j_body(&b));
        j->urgent = true;
        return;
    }
    case EVENT_FILL:
        /* A live executor's answer: recorded as seen, not replayable (an
         * as-recorded backtest refuses a live session). */
        jrec_close_run(j);
        jrec_push(j, "fill", ts, 0, 0, NULL);
        return;
    }
}

/* Writes what was recorded (one transaction): with force, after a
 * command, or once JOURNAL_WRITE_MS has passed since the last write (or
 * JOURNAL_ROWS_MAX rows wait), so that a busy market costs one journal
 * transaction a second, not one a batch. A failure is logged once and the
 * rows are dropped: trading goes on, the journal gets a gap row that an
 * as-recorded backtest stops at. A crash loses what waits (at most a
 * second; a minute of ticks when nothing else happened): the run then has
 * no stop row and a replay ends at its last recorded input. */
#define JOURNAL_WRITE_MS       1000
#define JOURNAL_TICKS_WRITE_MS MS_PER_MINUTE
#define JOURNAL_ROWS_MAX       8192
void jrec_flush(struct jrec *j, struct store *st, bool force)
{
    if (!force && !j->urgent && j->rows.len < JOURNAL_ROWS_MAX &&
        j->wall - j->last_write < JOURNAL_WRITE_MS)
        return;
    /* Only ticks since the last write: they wait, up to a minute. */
    bool ticks_due = j->ticks_n && j->wall - j->ticks_since >= JOURNAL_TICKS_WRITE_MS;
    if (!force && !j->urgent && j->rows.len == 0 && j->run_n == 0 && !ticks_due)
        return;
    j->last_write = j->wall;
    j->urgent = false;
    jrec_close_run(j);
    if (force || ticks_due)
        close_ticks(j);
    bool lost = j->rows.len && store_journal_append(st, j->rows.v, j->rows.len) != 0;
    if (lost && !j->failed)
        log_warn("engine", "the engine journal could not be written; as-recorded backtests "
                           "will refuse to replay past the gap");
    j->failed = lost;
    int64_t ts = lost ? j->rows.v[j->rows.len - 1].ts_ms : 0;
    for (size_t i = 0; i < j->bodies.len; i++)
        free(j->bodies.v[i]);
    j->bodies.len = 0;
    j->rows.len = 0;
    if (lost) /* the next write starts by saying so, before ticks that came since */
        push_row(j, "gap", ts, 0, 0, NULL);
}

void jrec_release(struct jrec *j)
{
    buf_release(&j->ticks_gaps);
    for (size_t i = 0; i < j->bodies.len; i++)
        free(j->bodies.v[i]);
    vec_free(&j->bodies);
    vec_free(&j->rows);
}

/* [0] the closed trades, [1] the last one's id. */
static int count_trade(void *ctx, const struct closed_trade_row *t)
{
    int64_t *c = ctx;
    c[0]++;
    c[1] = t->id;
    return 0;
}

/* The start row: what the restore is about to read (the state row, the
 * open positions, how many closed trades, the last event ids for the
 * warm-up), the settings, the exit book and the engine's creation time.
 * Before engine_store_restore, so that the restore's commands follow it. */
int jrec_start(struct jrec *j, const struct runner_opts *o, int64_t created_ms,
               int64_t *counted_swaps, char *err, size_t errsize)
{
    struct store *st = o->store;
    const char *mname = trade_mode_name(o->params.mode);
    buf_release(&j->ticks_gaps); /* a run of ticks of an earlier activation */
    buf_init(&j->ticks_gaps, 0);
    j->ticks_n = 0;
    int64_t ids[3] = {0, 0, 0}, trades[2] = {0, 0};
    struct buf state, b;
    buf_init(&state, 0);
    buf_init(&b, 0);
    size_t np = 0;
    struct position_row *rows = xcalloc(4096, sizeof *rows);
    int64_t n_swaps = 0, n_tr = 0, n_pr = 0;
    int rc = store_events_max_ids(st, ids);
    if (rc == 0)
        rc = store_count_events(st, &n_swaps, &n_tr, &n_pr);
    int grc = rc ? rc : store_state_get(st, engine_store_state_key(o->params.mode), &state);
    if (rc == 0 && grc != 0 && grc != WT_ENOTFOUND)
        rc = grc;
    if (rc == 0)
        rc = store_positions_open(st, mname, rows, 4096, &np);
    if (rc == 0)
        rc = store_closed_trades_scan(st, mname, 0, count_trade, trades);
    if (rc) {
        snprintf(err, errsize, "the engine journal: reading the start state: %s", wt_strerror(rc));
        goto out;
    }
    struct jw w;
    jw_init(&w, &b);
    jw_obj_begin(&w);
    jw_kstr(&w, "mode", mname);
    jw_ki64(&w, "created_ms", created_ms);
    jw_kbool(&w, "warm", o->warm);
    jw_ki64(&w, "swaps", n_swaps); /* the warm-up's count, checked by a replay */
    *counted_swaps = n_swaps;
    jw_karr_begin(&w, "event_ids");
    for (int i = 0; i < 3; i++)
        jw_i64(&w, ids[i]);
    jw_arr_end(&w);
    jw_key(&w, "settings");
    jw_raw(&w, o->journal_settings ? o->journal_settings : "{}",
           strlen(o->journal_settings ? o->journal_settings : "{}"));
    jw_karr_begin(&w, "exits");
    for (uint32_t i = 0; i < o->params.book.n; i++)
        exit_strategy_write(&o->params.book.s[i], &w);
    jw_arr_end(&w);
    jw_key(&w, "state");
    if (grc == 0)
        jw_str(&w, state.data ? state.data : "");
    else
        jw_null(&w);
    jw_karr_begin(&w, "positions");
    for (size_t i = 0; i < np; i++)
        jw_str(&w, rows[i].state);
    jw_arr_end(&w);
    jw_ki64(&w, "trades", trades[0]);
    jw_ki64(&w, "last_trade_id", trades[1]);
    jw_obj_end(&w);
    jw_finish(&w);
    jrec_push(j, "start", created_ms, 0, 0, j_body(&b));
out:
    free(rows);
    buf_release(&state);
    buf_release(&b);
    return rc;
}
