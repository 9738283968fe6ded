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

static int run_config(struct cli_args *args)
{
    int rc = 0;
    struct buf out;
    buf_init(&out, 0);
    if (cli_opt_given(&spec, args, "--markdown"))
        rc = config_markdown(&out);
    else
        rc = config_print(&args->cfg, &out);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    buf_release(&out);
    return rc ? 1 : 0;
}

int cmd_config(int argc, char **argv)
{
    return cli_run(argc, argv, &spec, run_config);
}
