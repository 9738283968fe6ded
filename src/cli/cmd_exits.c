/* `walltrack exits list | show NAME | put FILE | delete NAME | default NAME
 * | overrides TEXT`: the exit
 * book of the running daemon from the command line (FR49-FR51), through
 * the same API as the dashboard's Config page (GET /v1/exits, PUT and
 * DELETE /v1/exits/strategies/{name}; docs/api.md).
 *
 * `put` reads a strategy's JSON (the `strategy` object of `show`, every
 * field required; docs/exits.md) from FILE, or standard input for "-", and
 * creates or replaces the strategy of its name. The daemon validates it
 * whole; its message names the refused field. `default` and `overrides`
 * set the two settings that choose a new position's strategy
 * (trade.default_strategy, trade.exit_overrides such as
 * "0.85:runner,0.95:moon") through PUT /v1/config, kept with their
 * history like a change made on the Config page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "net/httpc.h"
#include "trade/exits.h"

static const struct cli_opt opts[] = {
    CLI_DAEMON_URL_OPT,
    {"--json", NULL, NULL, "list: print the daemon's JSON answer as is"},
    {0},
};

static const struct cli_spec spec = {
    .name = "exits",
    .args = "list | show NAME | put FILE|- | delete NAME | default NAME | overrides TEXT",
    .summary = "The running daemon's exit strategies: list, show, create or edit, remove.",
    .details = "list: every strategy with its rules, the default and the score overrides. "
               "show NAME: the strategy's JSON, ready to edit. put FILE: creates or replaces "
               "the strategy of the JSON's name (FILE - reads standard input). delete NAME: "
               "removes a strategy that is neither built in, the default nor used by an "
               "override. default NAME: the strategy of new positions (trade.default_strategy). "
               "overrides TEXT: score overrides, SCORE:NAME pairs such as '0.85:runner,0.95:moon', "
               "'' for none (trade.exit_overrides). Open positions keep the strategy they opened "
               "with.",
    .min_pos = 1,
    .max_pos = 2,
    .opts = opts,
};

/* "30%" of a fraction, without trailing zeros. */
static void pct(struct buf *b, double f)
{
    buf_printf(b, "%g%%", f * 100);
}

/* One strategy's rules in words, as on the Config page. */
static void describe(const struct exit_strategy *s, struct buf *b)
{
    if (s->stop_loss > 0) {
        buf_puts(b, "stop ");
        pct(b, s->stop_loss);
    } else {
        buf_puts(b, "no stop");
    }
    for (uint32_t i = 0; i < s->n_tp; i++) {
        buf_puts(b, ", sell ");
        pct(b, s->tp[i].fraction);
        buf_printf(b, " at %gx", s->tp[i].multiple);
    }
    if (s->moonbag > 0) {
        buf_puts(b, ", moonbag ");
        pct(b, s->moonbag);
        if (s->moonbag_from_entry)
            buf_puts(b, " from entry");
    }
    if (s->trail_activation > 0) {
        buf_puts(b, ", trail ");
        pct(b, s->trail_distance);
        buf_printf(b, " from %gx", s->trail_activation);
    }
    if (s->max_hold_ms > 0)
        buf_printf(b, ", max %g h", (double)s->max_hold_ms / (double)MS_PER_HOUR);
    if (s->stagnation_ms > 0) {
        buf_puts(b, ", flat +-");
        pct(b, s->stagnation_band);
        buf_printf(b, " for %g min", (double)s->stagnation_ms / (double)MS_PER_MINUTE);
    }
    if (s->exit_on_wallet_sell)
        buf_puts(b, ", exit when the wallet sells");
}

/* Reads the exit book the daemon answered and calls fn for each strategy
 * (with its "builtin" flag) until fn returns nonzero; *root is the book.
 * Returns fn's last return, 0 when every strategy was seen, or -1 (message
 * printed) when the answer is not a book. */
static int each_strategy(const char *json, size_t len,
                         int (*fn)(void *ctx, const struct json_val *root,
                                   const struct exit_strategy *s, bool builtin),
                         void *ctx)
{
    struct json_doc *d = json_doc_new(64);
    struct json_val root, arr, item, sv;
    struct json_iter it;
    int rc = -1;
    if (json_parse(d, json, len, 0, &root) != 0 || json_find(&root, "strategies", &arr) != 0 ||
        json_iter_init(&arr, &it) != 0) {
        fprintf(stderr, "walltrack exits: the daemon's answer is not an exit book\n");
        goto out;
    }
    rc = 0;
    while (rc == 0 && json_iter_next(&it, &item)) {
        struct exit_strategy s;
        bool builtin = false;
        if (json_find(&item, "strategy", &sv) != 0 ||
            exit_strategy_from_json(&sv, &s, NULL, 0) != 0) {
            fprintf(stderr, "walltrack exits: a strategy the daemon sent does not read back\n");
            rc = -1;
            break;
        }
        json_get_bool(&item, "builtin", &builtin);
        rc = fn(ctx, &root, &s, builtin);
    }
out:
    json_doc_free(d);
    return rc;
}

/* list: the default and overrides once, then a line per strategy. */
static int list_one(void *ctx, const struct json_val *root, const struct exit_strategy *s,
                    bool builtin)
{
    struct buf *line = ctx;
    if (line->len == 0) {
        const char *def = "", *ov = "";
        json_get_str(root, "default", &def, NULL);
        json_get_str(root, "overrides_setting", &ov, NULL);
        printf("default strategy: %s\nscore overrides:  %s\n\n", def, ov[0] ? ov : "(none)");
    }
    buf_reset(line);
    describe(s, line);
    printf("%-20s %s%s\n", s->name, line->data, builtin ? " [built in]" : "");
    return 0;
}

/* show: the JSON of the strategy named ctx; 1 once printed. */
static int show_one(void *ctx, const struct json_val *root, const struct exit_strategy *s,
                    bool builtin)
{
    (void)root;
    (void)builtin;
    if (strcmp(s->name, ctx) != 0)
        return 0;
    struct buf out;
    buf_init(&out, 512);
    exit_strategy_format(s, &out);
    printf("%s\n", out.data);
    buf_release(&out);
    return 1;
}

static int print_list(const char *json, size_t len)
{
    struct buf line;
    buf_init(&line, 256);
    int rc = each_strategy(json, len, list_one, &line);
    buf_release(&line);
    return rc == 0 ? 0 : 1;
}

static int print_one(const char *json, size_t len, const char *name)
{
    int rc = each_strategy(json, len, show_one, (void *)name);
    if (rc == 0)
        fprintf(stderr, "walltrack exits: no exit strategy named '%s'\n", name);
    return rc == 1 ? 0 : 1;
}

static int run_exits(struct cli_args *a)
{
    int rc = 0;
    const char *verb = a->pos[0];
    const char *arg = a->npos > 1 ? a->pos[1] : NULL;
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    struct buf body;
    buf_init(&body, 1024);
    if ((strcmp(verb, "list") == 0) != (arg == NULL) ||
        (strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0 && strcmp(verb, "put") != 0 &&
         strcmp(verb, "delete") != 0 && strcmp(verb, "default") != 0 &&
         strcmp(verb, "overrides") != 0)) {
        rc = cli_usage_error("exits", "expected list, show NAME, put FILE, delete NAME, default "
                                      "NAME or overrides TEXT");
        goto out;
    }
    if (strcmp(verb, "default") == 0 || strcmp(verb, "overrides") == 0) {
        /* The daemon checks the value; here only that it fits a JSON string
         * as it is (names and scores have no quotes or backslashes). */
        bool plain = strlen(arg) <= 512 && !strpbrk(arg, "\"\\");
        for (const char *c = arg; plain && *c; c++)
            plain = (unsigned char)*c >= 0x20;
        if (!plain) {
            rc = cli_usage_error("exits", "'%s' is not a strategy name or SCORE:NAME list", arg);
            goto out;
        }
        bool def = strcmp(verb, "default") == 0;
        buf_printf(&body, "{\"%s\":\"%s\"}",
                   def ? "trade.default_strategy" : "trade.exit_overrides", arg);
        rc = cli_daemon_call(&spec, a, "PUT", "/v1/config", body.data, &resp);
        if (rc == 0)
            printf("%s: %s\n", def ? "default strategy" : "score overrides",
                   arg[0] ? arg : "(none)");
        goto out;
    }
    if (strcmp(verb, "list") == 0 || strcmp(verb, "show") == 0) {
        rc = cli_daemon_call(&spec, a, "GET", "/v1/exits", NULL, &resp);
        if (rc == 0 && cli_opt_given(&spec, a, "--json"))
            printf("%s\n", resp.body.data);
        else if (rc == 0)
            rc = arg ? print_one(resp.body.data, resp.body.len, arg)
                     : print_list(resp.body.data, resp.body.len);
        goto out;
    }
    char path[128];
    if (strcmp(verb, "delete") == 0) {
        if (strlen(arg) >= EXIT_NAME_MAX || strchr(arg, '/')) {
            rc = cli_usage_error("exits", "'%s' is not a strategy name", arg);
            goto out;
        }
        snprintf(path, sizeof path, "/v1/exits/strategies/%s", arg);
        rc = cli_daemon_call(&spec, a, "DELETE", path, NULL, &resp);
        if (rc == 0)
            printf("removed exit strategy %s\n", arg);
        goto out;
    }
    /* put: checked here first, so a typo is named before anything is sent. */
    if ((rc = cli_read_input("exits", arg, EXIT_JSON_MAX_SIZE, &body)) != 0)
        goto out;
    struct exit_strategy s;
    char why[EXIT_ERR_MAX];
    if (exit_strategy_parse(body.data ? body.data : "", body.len, &s, why, sizeof why) != 0) {
        fprintf(stderr, "walltrack exits: %s: %s\n", arg, why);
        rc = 1;
        goto out;
    }
    snprintf(path, sizeof path, "/v1/exits/strategies/%s", s.name);
    rc = cli_daemon_call(&spec, a, "PUT", path, body.data, &resp);
    if (rc == 0)
        printf("saved exit strategy %s\n", s.name);
out:
    buf_release(&body);
    httpc_resp_release(&resp);
    return rc;
}

int cmd_exits(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_exits);
}
