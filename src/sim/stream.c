/* Paced replay of a simulated market into a webhook. See stream.h.
 *
 * Pacing: the wall clock starts when the first live transaction is due;
 * transaction t is due at wall_start + (t.ts - sim_start) / speed. Every
 * transaction already due when a body is being built joins that body, so
 * a speed too high for one POST per transaction turns into batching
 * instead of falling behind. */
#include "sim/stream.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "net/httpc.h"

/* Sleeps until the monotonic time mono_ns, on stop when there is one. */
static void sleep_until(int64_t mono_ns, struct waiter *stop)
{
    for (;;) {
        int64_t left = mono_ns - clock_mono_ns();
        if (left <= 0)
            return;
        if (stop) {
            if (waiter_wait_ms(stop, (left + NS_PER_MS - 1) / NS_PER_MS))
                return;
            continue;
        }
        struct timespec ts = {(time_t)(left / NS_PER_SECOND), (long)(left % NS_PER_SECOND)};
        nanosleep(&ts, NULL);
    }
}

/* Appends the transaction objects of a "[{...}]" body to a batch body. */
static void add_to_batch(struct buf *batch, const char *json, size_t len, size_t *count)
{
    /* json is "[ ... ]": keep what is between the brackets. */
    const char *open_ = memchr(json, '[', len);
    const char *close_ = json + len;
    while (close_ > json && close_[-1] != ']')
        close_--;
    if (!open_ || close_ <= open_ + 1)
        return;
    buf_putc(batch, *count ? ',' : '[');
    buf_append(batch, open_ + 1, (size_t)(close_ - 1 - (open_ + 1)));
    (*count)++;
}

static int post(struct httpc *http, const struct sim_stream_opts *o, struct buf *batch,
                struct httpc_resp *resp, struct sim_stream_stats *st, char *err, size_t errsize)
{
    buf_putc(batch, ']');
    struct httpc_header h[2] = {{"Content-Type", "application/json"},
                                {"Authorization", o->secret ? o->secret : ""}};
    struct httpc_req req = {.method = "POST",
                            .path = o->url,
                            .headers = h,
                            .n_headers = o->secret && o->secret[0] ? 2 : 1,
                            .body = batch->data,
                            .body_len = batch->len,
                            .retries = -1};
    int rc = httpc_do(http, &req, resp);
    if (rc) {
        snprintf(err, errsize, "delivery to the webhook failed: %s", wt_strerror(rc));
        return rc;
    }
    if (resp->attempts > 1)
        st->retried++;
    if (resp->status < 200 || resp->status >= 300) {
        snprintf(err, errsize, "the webhook answered %ld: %.200s", resp->status,
                 resp->body.data ? resp->body.data : "");
        return WT_EREMOTE;
    }
    st->bodies++;
    return 0;
}

int sim_stream_run(struct sim *s, const struct sim_stream_opts *o, struct sim_stream_stats *stats,
                   char *err, size_t errsize)
{
    struct sim_stream_stats st = {0};
    struct httpc_opts ho;
    httpc_opts_default(&ho);
    ho.retries = 4;
    struct httpc *http = httpc_new(NULL, 0, &ho);
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    struct buf one, batch;
    buf_init(&one, 0);
    buf_init(&batch, 0);
    size_t max_batch = o->max_batch ? o->max_batch : 100;
    int64_t sim_start = INT64_MIN, wall_start = 0;
    size_t in_batch = 0;
    int rc = 0;
    struct sim_tx tx;
    err[0] = '\0';

    while (!(o->stop && waiter_stopping(o->stop)) && sim_next(s, &tx) == 1) {
        buf_reset(&one);
        if ((rc = sim_tx_json(s, &tx, &one)) != 0)
            break;
        st.last_ts_ms = tx.ts_ms;
        if (tx.ts_ms < o->live_from_ms) {
            st.history_txs++;
            if (o->history && (rc = o->history(o->ctx, &tx, one.data, one.len)) != 0)
                break;
            continue;
        }
        if (sim_start == INT64_MIN) {
            sim_start = tx.ts_ms;
            wall_start = clock_mono_ns();
        }
        int64_t due = o->speed > 0
                          ? wall_start + (int64_t)((double)(tx.ts_ms - sim_start) * 1e6 / o->speed)
                          : 0;
        /* Send what is batched before waiting for a later transaction. */
        if (in_batch && (due > clock_mono_ns() || in_batch >= max_batch)) {
            if ((rc = post(http, o, &batch, &resp, &st, err, errsize)) != 0)
                break;
            st.posted_txs += in_batch;
            in_batch = 0;
            buf_reset(&batch);
        }
        if (o->speed > 0)
            sleep_until(due, o->stop);
        add_to_batch(&batch, one.data, one.len, &in_batch);
    }
    if (rc == 0 && in_batch) {
        rc = post(http, o, &batch, &resp, &st, err, errsize);
        if (rc == 0)
            st.posted_txs += in_batch;
    }
    if (stats)
        *stats = st;
    httpc_resp_release(&resp);
    httpc_free(http);
    buf_release(&one);
    buf_release(&batch);
    return rc;
}
