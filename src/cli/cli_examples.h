/* Examples of use per command (cli_examples.c), printed after a command's
 * help. CLI only. */
#ifndef WT_CLI_CLI_EXAMPLES_H
#define WT_CLI_CLI_EXAMPLES_H

/* The examples of cmd ("walltrack ...\n" lines), or NULL. */
const char *cli_examples_of(const char *cmd);

#endif
