/* Durable inbox: decode with pooled decoders, group-commit, then answer.
 * See inbox.h.
 *
 * Decoders hold simdjson parsers whose buffers grow to the largest body
 * seen, so they are pooled rather than created per request. Counters are
 * kept per decode and added into the shared totals under the lock. */
#include "ingest/inbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zstd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/vec.h"
#include "ingest/helius.h"
#include "store/gcommit.h"

struct inbox {
    struct gcommit *gc;
    pthread_mutex_t lock; /* guards pool, totals, archive */
    VEC(struct helius_decoder *) pool;
    struct store *st;
    struct helius_counters totals;
    uint64_t bodies_ok, bodies_failed, events_inserted, events_duplicate;
    uint64_t txs_stored, txs_duplicate, txs_skipped;
    int64_t last_prune_ms;
    uint64_t skips_since_prune;
    char *archive_dir;
    FILE *archive;
    char archive_day[16]; /* YYYYMMDD of the open archive file */
    int64_t last_delivery_ms;
    int64_t max_future_ms;
};

int64_t inbox_last_delivery_ms(struct inbox *ib)
{
    pthread_mutex_lock(&ib->lock);
    int64_t t = ib->last_delivery_ms;
    pthread_mutex_unlock(&ib->lock);
    return t;
}

int inbox_start(struct store *st, const struct inbox_opts *opts, struct inbox **out)
{
    struct inbox *ib = xcalloc(1, sizeof *ib);
    pthread_mutex_init(&ib->lock, NULL);
    ib->last_delivery_ms = clock_mono_ns() / NS_PER_MS;
    ib->max_future_ms = HELIUS_MAX_FUTURE_MS_DEFAULT;
    ib->st = st;
    struct gcommit_opts go = {0};
    if (opts) {
        go.max_delay_ms = opts->commit_delay_ms;
        go.max_rows = opts->commit_max_rows;
        go.after_commit = opts->after_commit;
        go.after_ctx = opts->after_ctx;
        if (opts->max_future_ms > 0)
            ib->max_future_ms = opts->max_future_ms;
        if (opts->archive_dir && opts->archive_dir[0]) {
            if (mkdir(opts->archive_dir, 0700) != 0 && errno != EEXIST) {
                free(ib);
                return WT_EIO;
            }
            ib->archive_dir = xstrdup(opts->archive_dir);
        }
    }
    int rc = gcommit_start(st, &go, &ib->gc);
    if (rc) {
        free(ib->archive_dir);
        free(ib);
        return rc;
    }
    *out = ib;
    return 0;
}

void inbox_stop(struct inbox *ib)
{
    if (!ib)
        return;
    gcommit_stop(ib->gc);
    for (size_t i = 0; i < ib->pool.len; i++)
        helius_decoder_free(ib->pool.v[i]);
    vec_free(&ib->pool);
    if (ib->archive)
        fclose(ib->archive);
    free(ib->archive_dir);
    pthread_mutex_destroy(&ib->lock);
    free(ib);
}

static struct helius_decoder *take_decoder(struct inbox *ib)
{
    struct helius_decoder *d = NULL;
    pthread_mutex_lock(&ib->lock);
    if (ib->pool.len)
        d = ib->pool.v[--ib->pool.len];
    pthread_mutex_unlock(&ib->lock);
    if (!d) {
        d = helius_decoder_new();
        helius_decoder_set_limits(d, ib->max_future_ms, NULL);
    }
    return d;
}

static void add_counters(struct helius_counters *to, const struct helius_counters *c)
{
    to->bodies += c->bodies;
    to->bodies_bad += c->bodies_bad;
    to->txs += c->txs;
    to->swaps += c->swaps;
    to->transfers += c->transfers;
    to->xcheck_mismatch += c->xcheck_mismatch;
    for (int i = 0; i < SKIP__COUNT; i++)
        to->skipped[i] += c->skipped[i];
}

/* Appends one compressed frame holding the body and a newline to today's
 * archive file. Concatenated zstd frames form a valid stream, so
 * `zstd -dc helius-YYYYMMDD.jsonl.zst` gives one body per line. Caller
 * holds the lock. A failure is reported but does not fail the delivery:
 * the events themselves are already durable in the store. */
static int archive_locked(struct inbox *ib, const char *body, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char day[16];
    strftime(day, sizeof day, "%Y%m%d", &tm);
    if (!ib->archive || strcmp(day, ib->archive_day) != 0) {
        if (ib->archive)
            fclose(ib->archive);
        char path[4096];
        snprintf(path, sizeof path, "%s/helius-%s.jsonl.zst", ib->archive_dir, day);
        ib->archive = fopen(path, "ab");
        if (!ib->archive)
            return WT_EIO;
        memcpy(ib->archive_day, day, sizeof day);
    }
    char *line = xmalloc(len + 1);
    memcpy(line, body, len);
    line[len] = '\n';
    size_t bound = ZSTD_compressBound(len + 1);
    void *frame = xmalloc(bound);
    size_t n = ZSTD_compress(frame, bound, line, len + 1, 3);
    int rc = 0;
    if (ZSTD_isError(n) || fwrite(frame, 1, n, ib->archive) != n || fflush(ib->archive) != 0)
        rc = WT_EIO;
    free(frame);
    free(line);
    return rc;
}

/* Printable ASCII only (the store keeps skip records as plain text, and
 * a hostile signature or JSON path must not fail the shared commit). */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++)
        dst[i] = (unsigned char)src[i] >= 0x20 && (unsigned char)src[i] <= 0x7e ? src[i] : '?';
    dst[i] = '\0';
}

static void skips_of(const struct helius_out *out, int64_t now, struct store_skip *k)
{
    size_t n = 0;
    for (size_t i = 0; i < out->txs.len; i++) {
        const struct helius_tx *r = &out->txs.v[i];
        if (r->skip == SKIP_NONE)
            continue;
        struct store_skip *s = &k[n++];
        copy_text(s->sig, sizeof s->sig, r->sig);
        s->reason = skip_reason_name(r->skip);
        copy_text(s->detail, sizeof s->detail, r->detail);
        s->slot = r->slot;
        s->ts_ms = r->ts_ms;
        s->received_ms = now;
    }
}

/* The skip records are pruned by the first delivery an hour after the
 * last pruning, or after a tenth of INBOX_SKIP_KEEP_MAX new records (a
 * flood of junk does not grow the table for an hour). */
static void maybe_prune(struct inbox *ib, int64_t now, size_t added)
{
    pthread_mutex_lock(&ib->lock);
    ib->skips_since_prune += added;
    bool due =
        now - ib->last_prune_ms >= 3600 * 1000 || ib->skips_since_prune >= INBOX_SKIP_KEEP_MAX / 10;
    if (due) {
        ib->last_prune_ms = now;
        ib->skips_since_prune = 0;
    }
    pthread_mutex_unlock(&ib->lock);
    if (due && store_skips_prune(ib->st, now - (int64_t)INBOX_SKIP_KEEP_DAYS * 86400 * 1000,
                                 INBOX_SKIP_KEEP_MAX) != 0)
        log_warn("inbox", "pruning the skip records failed; tried again in an hour");
}

static int submit(struct inbox *ib, const char *body, size_t len, size_t cap,
                  struct inbox_result *res, char *err, size_t errsize, bool webhook)
{
    memset(res, 0, sizeof *res);
    struct helius_decoder *d = take_decoder(ib);
    struct helius_out out = {0};
    struct helius_counters c = {0};
    int rc = helius_decode(d, body, len, cap, &out, &c);
    if (rc) {
        if (err)
            snprintf(err, errsize, "%s", helius_errmsg(d));
        goto out;
    }
    res->txs = out.txs.len;
    res->events = out.events.len;
    for (size_t i = 0; i < out.txs.len; i++)
        res->skipped += out.txs.v[i].skip != SKIP_NONE;
    struct store_append_stats st = {0};
    if (out.events.len || res->skipped) {
        int64_t now = clock_wall_ms();
        struct store_skip *skips = xcalloc(res->skipped ? res->skipped : 1, sizeof *skips);
        uint8_t *ins = xcalloc(out.events.len ? out.events.len : 1, 1);
        skips_of(&out, now, skips);
        rc = gcommit_submit_ex(ib->gc, out.events.v, out.events.len, skips, res->skipped, ins, &st);
        for (size_t i = 0; rc == 0 && i < out.txs.len; i++) {
            const struct helius_tx *r = &out.txs.v[i];
            if (r->n_events == 0)
                continue;
            bool any = false;
            for (uint32_t k = 0; k < r->n_events && !any; k++)
                any = ins[r->first_event + k] != 0;
            any ? res->txs_stored++ : res->txs_duplicate++;
        }
        free(skips);
        free(ins);
        if (rc) {
            if (err)
                snprintf(err, errsize, "storing the events failed: %s", wt_strerror(rc));
            goto out;
        }
        if (res->skipped)
            maybe_prune(ib, now, res->skipped);
    }
    res->inserted = st.swaps + st.transfers + st.prices;
    res->duplicates = st.swaps_dup + st.transfers_dup + st.prices_dup;
out:
    pthread_mutex_lock(&ib->lock);
    add_counters(&ib->totals, &c);
    if (rc) {
        ib->bodies_failed++;
    } else {
        ib->bodies_ok++;
        if (webhook)
            ib->last_delivery_ms = clock_mono_ns() / NS_PER_MS;
        ib->events_inserted += res->inserted;
        ib->events_duplicate += res->duplicates;
        ib->txs_stored += res->txs_stored;
        ib->txs_duplicate += res->txs_duplicate;
        ib->txs_skipped += res->skipped;
        if (ib->archive_dir)
            archive_locked(ib, body, len);
    }
    vec_push(&ib->pool, d);
    pthread_mutex_unlock(&ib->lock);
    helius_out_release(&out);
    return rc;
}

int inbox_submit(struct inbox *ib, const char *body, size_t len, size_t cap,
                 struct inbox_result *res, char *err, size_t errsize)
{
    return submit(ib, body, len, cap, res, err, errsize, true);
}

int inbox_submit_polled(struct inbox *ib, const char *body, size_t len, size_t cap,
                        struct inbox_result *res, char *err, size_t errsize)
{
    return submit(ib, body, len, cap, res, err, errsize, false);
}

int inbox_submit_events(struct inbox *ib, const struct event *ev, size_t n,
                        struct store_append_stats *st)
{
    struct store_append_stats local = {0};
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    /* The group commit refuses a batch holding an invalid event; one bad
     * price is dropped here, with a warning, so the rest of the answer
     * is kept. */
    struct event *ok = xmalloc((n ? n : 1) * sizeof *ok);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (store_event_valid(&ev[i]))
            ok[k++] = ev[i];
        else
            log_warn("inbox", "dropping an invalid %s event from a feed",
                     ev[i].kind == EVENT_PRICE ? "price" : "market");
    }
    int rc = k ? gcommit_submit(ib->gc, ok, k, st) : 0;
    free(ok);
    if (rc == 0) {
        pthread_mutex_lock(&ib->lock);
        ib->events_inserted += st->swaps + st->transfers + st->prices;
        ib->events_duplicate += st->swaps_dup + st->transfers_dup + st->prices_dup;
        pthread_mutex_unlock(&ib->lock);
    }
    return rc;
}

int inbox_metrics(struct inbox *ib, struct buf *out)
{
    struct gcommit_stats gs;
    gcommit_get_stats(ib->gc, &gs);
    pthread_mutex_lock(&ib->lock);
    struct helius_counters c = ib->totals;
    uint64_t ok = ib->bodies_ok, failed = ib->bodies_failed;
    uint64_t ins = ib->events_inserted, dup = ib->events_duplicate;
    uint64_t tst = ib->txs_stored, tdup = ib->txs_duplicate, tsk = ib->txs_skipped;
    pthread_mutex_unlock(&ib->lock);
    int rc = helius_counters_write(&c, "walltrack_decode", out);
    if (rc == 0)
        rc = buf_printf(out,
                        "# TYPE walltrack_inbox_bodies_total counter\n"
                        "walltrack_inbox_bodies_total{result=\"accepted\"} %llu\n"
                        "walltrack_inbox_bodies_total{result=\"failed\"} %llu\n"
                        "# TYPE walltrack_inbox_transactions_total counter\n"
                        "walltrack_inbox_transactions_total{result=\"stored\"} %llu\n"
                        "walltrack_inbox_transactions_total{result=\"duplicate\"} %llu\n"
                        "walltrack_inbox_transactions_total{result=\"skipped\"} %llu\n"
                        "# TYPE walltrack_inbox_events_total counter\n"
                        "walltrack_inbox_events_total{result=\"inserted\"} %llu\n"
                        "walltrack_inbox_events_total{result=\"duplicate\"} %llu\n"
                        "# TYPE walltrack_store_commits_total counter\n"
                        "walltrack_store_commits_total{result=\"ok\"} %llu\n"
                        "walltrack_store_commits_total{result=\"failed\"} %llu\n",
                        (unsigned long long)ok, (unsigned long long)failed, (unsigned long long)tst,
                        (unsigned long long)tdup, (unsigned long long)tsk, (unsigned long long)ins,
                        (unsigned long long)dup, (unsigned long long)(gs.commits - gs.failed),
                        (unsigned long long)gs.failed);
    return rc;
}
