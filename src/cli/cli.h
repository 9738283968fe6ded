/* The command-line interface: `walltrack <command> [options]`.
 *
 * cli.c holds the command table; each command lives in cmd_<name>.c and
 * exports one `int cmd_<name>(int argc, char **argv)` that returns the
 * process exit status (0 success, 1 failure, 2 usage error). Only cli/ and
 * start-up code may exit the process. */
#ifndef WT_CLI_CLI_H
#define WT_CLI_CLI_H

int cli_main(int argc, char **argv);

#endif
