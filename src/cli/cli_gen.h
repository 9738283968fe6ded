/* Documents generated from the command table: the man page
 * (`walltrack help --man`) and the bash completion
 * (`walltrack help --bash-completion`). The build runs both
 * (cmake/dist.cmake) and installs their output, so a command added to the
 * table of cli.c is in both without any other edit. CLI only. */
#ifndef WT_CLI_CLI_GEN_H
#define WT_CLI_CLI_GEN_H

#include <stdio.h>

/* Writes the roff man page walltrack(1) to fp: every command with its
 * --help text, the common options, the environment variables of the
 * config table, the files. Returns 0, or 1 when a command's help cannot be
 * captured. */
int cli_gen_man(FILE *fp);
/* Writes a bash completion script to fp: commands, each command's options
 * (from its --help) and subcommand words (the first lower-case word of each
 * alternative of its usage line), the names of settings after --set. Same
 * return as cli_gen_man. */
int cli_gen_bash(FILE *fp);

#endif
