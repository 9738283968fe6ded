/* `walltrack status`, `walltrack pause`, `walltrack resume`: the operator
 * API's controls from the command line.
 *
 * They talk to the running daemon over its HTTP API (server.listen, or
 * --url), with the API token when one is configured, exactly as the
 * dashboard does: the daemon owns the engine, so the CLI never touches its
 * state directly. `status` prints a summary (or the raw JSON with --json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/err.h"
#include "base/json.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "net/httpc.h"

static const struct cli_opt opts[] = {
    CLI_DAEMON_URL_OPT,
    CLI_DAEMON_JSON_OPT,
    {"--reason", "TEXT", NULL, "pause: why (shown in the status and the alert)"},
    {0},
};

static const struct cli_spec status_spec = {
    .name = "status",
    .args = "",
    .summary =
        "Show the trading engine's state: mode, running or paused, equity, breakers, inputs.",
    .details = "Asks the running daemon (GET /v1/status).",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

static const struct cli_spec pause_spec = {
    .name = "pause",
    .args = "",
    .summary = "Pause new entries (open positions keep their exits).",
    .details = "POST /v1/control/pause on the running daemon; `walltrack resume` lifts it.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

static const struct cli_spec resume_spec = {
    .name = "resume",
    .args = "",
    .summary = "Lift an operator pause (a tripped breaker needs a reset).",
    .details = "POST /v1/control/resume on the running daemon.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

static double sol(const struct json_val *o, const char *k)
{
    uint64_t v = 0;
    json_get_u64(o, k, &v);
    return (double)v / 1e9;
}

/* A human summary of GET /v1/status. */
static void print_status(const struct httpc_resp *resp)
{
    struct json_doc *d = json_doc_new(32);
    struct json_val o, eq, br, b, pos, in, x, cnt;
    if (json_parse(d, resp->body.data, resp->body.len, resp->body.cap, &o) != 0) {
        printf("%s\n", resp->body.data);
        json_doc_free(d);
        return;
    }
    const char *mode = "", *state = "", *s;
    json_get_str(&o, "mode", &mode, NULL);
    json_get_str(&o, "state", &state, NULL);
    printf("mode        %s\nstate       %s\n", mode, state);
    if (json_get(&o, "equity", &eq) == 0)
        printf("equity      %.6f SOL (peak %.6f, cash %.6f, in positions %.6f)\n",
               sol(&eq, "equity_lamports"), sol(&eq, "peak_equity_lamports"),
               sol(&eq, "cash_lamports"), sol(&eq, "open_value_lamports"));
    if (json_get(&o, "positions", &pos) == 0) {
        uint64_t open = 0, max = 0, pend = 0;
        json_get_u64(&pos, "open", &open);
        json_get_u64(&pos, "max", &max);
        json_get_u64(&pos, "pending_orders", &pend);
        printf("positions   %llu open of %llu, %llu orders in flight\n", (unsigned long long)open,
               (unsigned long long)max, (unsigned long long)pend);
    }
    if (json_get(&o, "breakers", &br) == 0) {
        struct json_iter it;
        int active = 0;
        json_iter_init(&br, &it);
        while (json_iter_next(&it, &b)) {
            bool on = false;
            json_get_bool(&b, "active", &on);
            if (!on)
                continue;
            json_get_str(&b, "reason", &s, NULL);
            printf("breaker     %.*s: %s\n", (int)b.keylen, b.key, s);
            active++;
        }
        if (!active)
            printf("breakers    none active\n");
    }
    if (json_get(&o, "counters", &cnt) == 0) {
        uint64_t sig = 0, tr = 0, w = 0, l = 0;
        json_get_u64(&cnt, "signals", &sig);
        json_get_u64(&cnt, "traded", &tr);
        json_get_u64(&cnt, "wins", &w);
        json_get_u64(&cnt, "losses", &l);
        printf("signals     %llu (%llu traded), closed trades %llu won / %llu lost\n",
               (unsigned long long)sig, (unsigned long long)tr, (unsigned long long)w,
               (unsigned long long)l);
    }
    if (json_get(&o, "inputs", &in) == 0) {
        struct json_iter it;
        json_iter_init(&in, &it);
        while (json_iter_next(&it, &x)) {
            json_get_str(&x, "status", &s, NULL);
            printf("input       %.*s: %s\n", (int)x.keylen, x.key, s);
        }
    }
    json_doc_free(d);
}

static int run(int argc, char **argv, const struct cli_spec *spec, const char *method,
               const char *path)
{
    struct cli_args args;
    int rc;
    if (!cli_parse(argc, argv, spec, &args, &rc))
        return rc;
    char body[512] = "{}";
    const char *reason = cli_opt_value(spec, &args, "--reason");
    if (reason) {
        /* A JSON string: escape quotes and backslashes. */
        size_t k = 0;
        k += (size_t)snprintf(body, sizeof body, "{\"reason\":\"");
        for (const char *p = reason; *p && k < sizeof body - 4; p++) {
            if (*p == '"' || *p == '\\')
                body[k++] = '\\';
            body[k++] = (unsigned char)*p < 0x20 ? ' ' : *p;
        }
        snprintf(body + k, sizeof body - k, "\"}");
    }
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    rc = cli_daemon_call(spec, &args, method, path, strcmp(method, "POST") == 0 ? body : NULL,
                         &resp);
    if (rc == 0) {
        if (cli_opt_given(spec, &args, "--json"))
            printf("%s\n", resp.body.data);
        else
            print_status(&resp);
    }
    httpc_resp_release(&resp);
    cli_args_release(&args);
    return rc;
}

int cmd_status(int argc, char **argv)
{
    return run(argc, argv, &status_spec, "GET", "/v1/status");
}

int cmd_pause(int argc, char **argv)
{
    return run(argc, argv, &pause_spec, "POST", "/v1/control/pause");
}

int cmd_resume(int argc, char **argv)
{
    return run(argc, argv, &resume_spec, "POST", "/v1/control/resume");
}
