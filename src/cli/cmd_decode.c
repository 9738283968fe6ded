/* `walltrack decode FILE|-`: decode Helius payloads offline and print the
 * events as JSON lines, one per event, and one line per skipped
 * transaction with its reason (docs/internals/ingest.md). Accepts a JSON
 * array or object (webhook body, address-history page, RPC
 * getTransaction response) or NDJSON (one transaction or one array per
 * line). It is the way to check what the decoder makes of a payload
 * before it reaches the daemon. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ingest/helius.h"

static const struct cli_opt opts[] = {
    {"--stats", NULL, NULL, "print the decode counters (metrics format) to stderr at the end"},
    {0},
};

static const struct cli_spec spec = {
    .name = "decode",
    .args = "FILE|-",
    .summary = "Decode Helius transactions (enhanced or raw) into swap/transfer JSON lines.",
    .details = "FILE holds a JSON array of transactions, one transaction or RPC response, or "
               "NDJSON with one transaction or array per line; - reads standard input. Each "
               "event prints as one JSON object per line; a skipped transaction prints "
               "{\"skipped\":true,\"reason\":...}. Exit status 1 when a body cannot be decoded.",
    .min_pos = 1,
    .max_pos = 1,
    .opts = opts,
};

static int read_all(const char *path, struct buf *b)
{
    if (cli_read_input("decode", path, 0, b))
        return 1;
    /* simdjson reads up to JSON_PADDING bytes past the end. */
    if (buf_reserve(b, JSON_PADDING)) {
        fprintf(stderr, "walltrack decode: out of buffer space for %s\n", path);
        return 1;
    }
    return 0;
}

/* Decodes one body and prints its lines. Returns 0 or 1. */
static int one(struct helius_decoder *d, struct helius_out *out, struct helius_counters *c,
               const char *p, size_t len, size_t cap, const char *where)
{
    helius_out_clear(out);
    int rc = helius_decode(d, p, len, cap, out, c);
    if (rc) {
        fprintf(stderr, "walltrack decode: %s: %s\n", where, helius_errmsg(d));
        return 1;
    }
    struct buf lines;
    buf_init(&lines, 0);
    rc = helius_write_jsonl(out, 0, &lines);
    if (!rc && lines.len && fwrite(lines.data, 1, lines.len, stdout) != lines.len)
        rc = WT_EIO;
    buf_release(&lines);
    if (rc) {
        fprintf(stderr, "walltrack decode: cannot write the output\n");
        return 1;
    }
    return 0;
}

static int run_decode(struct cli_args *a)
{
    int rc = 0;
    struct buf in;
    buf_init(&in, 0);
    struct helius_decoder *d = helius_decoder_new();
    struct helius_out out = {0};
    struct helius_counters c = {0};
    const char *path = a->pos[0];
    rc = read_all(path, &in);
    if (rc)
        goto out;
    /* Count the non-blank lines: more than one and the whole is not one
     * JSON document means NDJSON. */
    size_t lines = 0;
    for (size_t i = 0, start = 0; i <= in.len; i++) {
        if (i == in.len || in.data[i] == '\n') {
            for (size_t k = start; k < i; k++)
                if (in.data[k] != ' ' && in.data[k] != '\t' && in.data[k] != '\r') {
                    lines++;
                    break;
                }
            start = i + 1;
        }
    }
    if (lines == 0) {
        fprintf(stderr, "walltrack decode: %s is empty\n", path);
        rc = 1;
        goto out;
    }
    struct json_doc *probe = json_doc_new(0);
    struct json_val root;
    bool whole = lines == 1 || json_parse(probe, in.data, in.len, in.cap, &root) == 0;
    json_doc_free(probe);
    if (whole) {
        rc = one(d, &out, &c, in.data, in.len, in.cap, path);
    } else {
        rc = 0;
        size_t lineno = 0;
        for (size_t i = 0, start = 0; i <= in.len; i++) {
            if (i < in.len && in.data[i] != '\n')
                continue;
            lineno++;
            size_t s = start, e = i;
            start = i + 1;
            while (s < e && (in.data[s] == ' ' || in.data[s] == '\t' || in.data[s] == '\r'))
                s++;
            if (s == e)
                continue;
            char where[600];
            snprintf(where, sizeof where, "%s line %zu", path, lineno);
            /* Not in place: the bytes after a line are the next line. */
            rc |= one(d, &out, &c, in.data + s, e - s, 0, where);
        }
    }
    if (cli_opt_given(&spec, a, "--stats")) {
        struct buf m;
        buf_init(&m, 0);
        if (helius_counters_write(&c, "walltrack_decode", &m) == 0)
            fputs(m.data, stderr);
        buf_release(&m);
    }
out:
    helius_out_release(&out);
    helius_decoder_free(d);
    buf_release(&in);
    return rc;
}

int cmd_decode(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_decode);
}
