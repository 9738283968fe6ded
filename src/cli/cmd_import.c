/* `walltrack import FILE...`: loads recorded Helius payloads into the
 * database through the same decoder as the webhook.
 *
 * A file (or - for standard input) is either one JSON document (an array of
 * transactions, as the address-history API returns) or NDJSON: one
 * document per line (the simulator's output, or webhook bodies one per
 * line). Events are appended in batches, each batch one transaction, so an
 * interrupted import leaves whole batches and can simply be run again:
 * the store ignores what it already has and counts it as duplicates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ingest/loader.h"
#include "store/store.h"

static const struct cli_opt opts[] = {
    {"--quiet", NULL, NULL, "no progress line, only the summary"},
    {0},
};

static const struct cli_spec spec = {
    .name = "import",
    .args = "FILE...",
    .summary = "Import recorded Helius transactions (JSON array or NDJSON) into the database.",
    .details = "Use - to read standard input. Prints a progress line on a terminal and a "
               "summary: transactions decoded, events inserted, duplicates, and skipped "
               "transactions by reason. Re-importing the same data inserts nothing new.",
    .min_pos = 1,
    .max_pos = -1,
    .opts = opts,
};

struct import {
    struct loader ld;
    uint64_t bytes_done, bytes_total;
    bool progress;
    int64_t last_progress_ns;
};

static void show_progress(struct import *im, bool final)
{
    if (!im->progress)
        return;
    int64_t now = clock_mono_ns();
    if (!final && now - im->last_progress_ns < 200000000)
        return;
    im->last_progress_ns = now;
    size_t stored = im->ld.totals.swaps + im->ld.totals.transfers;
    if (im->bytes_total)
        fprintf(stderr, "\r%5.1f%%  %llu transactions  %zu events stored ",
                100.0 * (double)im->bytes_done / (double)im->bytes_total,
                (unsigned long long)im->ld.counters.txs, stored);
    else
        fprintf(stderr, "\r%llu transactions  %zu events stored ",
                (unsigned long long)im->ld.counters.txs, stored);
    if (final)
        fputc('\n', stderr);
}

/* Decodes one document; a bad document is reported, not fatal. */
static int one_doc(struct import *im, const char *where, const char *data, size_t len, size_t cap)
{
    char err[512];
    size_t bad = im->ld.bad_bodies;
    int rc = loader_add(&im->ld, data, len, cap, err, sizeof err);
    if (rc)
        fprintf(stderr, "walltrack import: storing a batch failed: %s\n", wt_strerror(rc));
    else if (im->ld.bad_bodies != bad)
        fprintf(stderr, "%swalltrack import: %s: skipped a document: %s\n",
                im->progress ? "\n" : "", where, err);
    return rc;
}

/* The format is decided by the first document line: when it is a whole
 * JSON document, the input is NDJSON and every line is decoded on its own
 * (a bad line is reported and skipped); otherwise the whole input is one
 * (pretty-printed) document. */
static int import_stream(struct import *im, const char *name, FILE *fp)
{
    char *line = NULL;
    size_t linecap = 0;
    ssize_t n;
    struct buf doc;
    buf_init(&doc, 0);
    int rc = 0;
    enum { UNKNOWN, NDJSON, SINGLE } mode = UNKNOWN;
    struct json_doc *probe = json_doc_new(0);
    unsigned long lineno = 0;
    while ((n = getline(&line, &linecap, fp)) > 0) {
        lineno++;
        im->bytes_done += (uint64_t)n;
        size_t len = (size_t)n;
        if (mode == SINGLE) {
            buf_append(&doc, line, len);
            continue;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        size_t lead = strspn(line, " \t");
        if (lead == len)
            continue; /* blank line */
        if (mode == UNKNOWN) {
            struct json_val root;
            mode = json_parse(probe, line, len, linecap, &root) == 0 ? NDJSON : SINGLE;
            if (mode == SINGLE) {
                buf_append(&doc, line, (size_t)n);
                continue;
            }
        }
        char where[600];
        snprintf(where, sizeof where, "%s:%lu", name, lineno);
        rc = one_doc(im, where, line, len, linecap);
        if (rc)
            break;
        show_progress(im, false);
    }
    if (rc == 0 && mode == SINGLE) {
        buf_reserve(&doc, JSON_PADDING);
        rc = one_doc(im, name, doc.data, doc.len, doc.cap);
    }
    if (ferror(fp)) {
        fprintf(stderr, "walltrack import: %s: read error: %s\n", name, strerror(errno));
        rc = 1;
    }
    json_doc_free(probe);
    free(line);
    buf_release(&doc);
    return rc;
}

static int run_import(struct cli_args *a)
{
    int rc = 0;
    struct import im = {0};
    struct store *st = NULL;
    rc = 1;
    if (cli_setup_logging(&a->cfg) != 0 || cli_open_store(&a->cfg, &st) != 0)
        goto out;
    loader_init(&im.ld, st, 0);
    im.progress = isatty(2) && !cli_opt_given(&spec, a, "--quiet");
    for (int i = 0; i < a->npos; i++) {
        const char *name = a->pos[i];
        FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
        if (!fp) {
            fprintf(stderr, "walltrack import: cannot open %s: %s\n", name, strerror(errno));
            goto out;
        }
        if (fp != stdin && fseek(fp, 0, SEEK_END) == 0) {
            im.bytes_total += (uint64_t)ftell(fp);
            rewind(fp);
        }
        int frc = import_stream(&im, name, fp);
        if (fp != stdin)
            fclose(fp);
        if (frc)
            goto out;
    }
    int frc = loader_flush(&im.ld);
    if (frc) {
        fprintf(stderr, "walltrack import: storing a batch failed: %s\n", wt_strerror(frc));
        goto out;
    }
    show_progress(&im, true);
    struct buf sum;
    buf_init(&sum, 0);
    loader_summary(&im.ld, &sum);
    printf("imported %s\n", sum.data);
    buf_release(&sum);
    rc = 0;
out:
    if (st)
        loader_release(&im.ld);
    store_close(st);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_import);
}
