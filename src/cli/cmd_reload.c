/* `walltrack reload`: asks the running daemon to re-read its settings
 * (POST /v1/reload, the same as SIGHUP or `systemctl reload walltrack`)
 * and prints what it applied, refused and why, and what needs a restart. */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "net/httpc.h"

static const struct cli_opt opts[] = {
    CLI_DAEMON_URL_OPT,
    CLI_DAEMON_JSON_OPT,
    {0},
};

static const struct cli_spec spec = {
    .name = "reload",
    .args = "",
    .summary = "Make the running daemon re-read its config file and secrets, without a restart.",
    .details = "POST /v1/reload, the same as SIGHUP (`systemctl reload walltrack`). The API "
               "token, webhook secret, Helius key, rpc.urls, notifier settings and log.level "
               "apply to the requests that start from now; a refused value keeps the old one "
               "and says why; other changed settings need a restart. In live mode the trading "
               "keypair is never reloaded. Exits 1 when something was refused.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

/* Prints one list of the report; returns how many entries it had. */
static size_t print_list(const struct json_val *o, const char *key, const char *label)
{
    struct json_val arr, x;
    struct json_iter it;
    size_t n = 0;
    if (json_get(o, key, &arr) != 0 || json_iter_init(&arr, &it) != 0)
        return 0;
    while (json_iter_next(&it, &x)) {
        const char *name = "", *why = NULL;
        if (json_str(&x, &name, NULL) != 0) {
            json_get_str(&x, "name", &name, NULL);
            json_get_str(&x, "why", &why, NULL);
        }
        printf("%-15s %s%s%s\n", n ? "" : label, name, why ? ": " : "", why ? why : "");
        n++;
    }
    return n;
}

static int run_reload(struct cli_args *args)
{
    int rc = 0;
    struct httpc_resp resp;
    httpc_resp_init(&resp);
    rc = cli_daemon_call(&spec, args, "POST", "/v1/reload", "{}", &resp);
    if (rc == 0) {
        if (cli_opt_given(&spec, args, "--json")) {
            printf("%s\n", resp.body.data);
        } else {
            struct json_doc *d = json_doc_new(16);
            struct json_val o;
            buf_reserve(&resp.body, JSON_PADDING);
            if (json_parse(d, resp.body.data, resp.body.len, resp.body.cap, &o) == 0) {
                size_t a = print_list(&o, "applied", "applied");
                size_t r = print_list(&o, "refused", "refused");
                size_t s = print_list(&o, "restart_needed", "needs restart");
                if (!a && !r && !s)
                    printf("nothing changed\n");
                rc = r ? 1 : 0;
            } else {
                printf("%s\n", resp.body.data);
            }
            json_doc_free(d);
        }
    }
    httpc_resp_release(&resp);
    return rc;
}

int cmd_reload(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_reload);
}
