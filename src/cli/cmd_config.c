/* `walltrack config`: the effective configuration, secrets masked, with
 * the source of each value; `--markdown` prints docs/config.md. */
#include <stdio.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli/commands.h"

static const struct cli_opt opts[] = {
    {"--markdown", NULL, NULL, "print the settings reference (docs/config.md) instead"},
    {0},
};

static const struct cli_spec spec = {
    .name = "config",
    .args = "",
    .summary = "Print the effective configuration and where each value comes from.",
    .details = "Values come from defaults < config file < environment < command line. "
               "Secrets are shown as ******** when set.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = opts,
};

int cmd_config(int argc, char **argv)
{
    struct cli_args args;
    int rc;
    if (!cli_parse(argc, argv, &spec, &args, &rc))
        return rc;
    struct buf out;
    buf_init(&out, 0);
    if (cli_opt_given(&spec, &args, "--markdown"))
        rc = config_markdown(&out);
    else
        rc = config_print(&args.cfg, &out);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    buf_release(&out);
    cli_args_release(&args);
    return rc ? 1 : 0;
}
