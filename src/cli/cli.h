/* The command-line interface: `walltrack <command> [options]`.
 *
 * cli.c holds the command table; each command lives in cmd_<name>.c and
 * exports `int cmd_<name>(int argc, char **argv)` (argv[0] is the command
 * name) returning the process exit status: 0 success, 1 failure, 2 usage
 * error. Commands parse their options with cli_parse(), which also handles
 * the options every command shares and builds the configuration from
 * defaults < config file < environment < command line. Only cli/ and
 * start-up code may exit the process. */
#ifndef WT_CLI_CLI_H
#define WT_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"

#define CLI_MAX_OPTS 32

/* A command-specific option. */
struct cli_opt {
    const char *name;    /* "--listen" */
    const char *arg;     /* name of its value ("HOST:PORT"), NULL for a flag */
    const char *setting; /* config setting it sets, or NULL to keep its value */
    const char *help;
};

struct cli_spec {
    const char *name;           /* "serve" */
    const char *args;           /* positional arguments for the usage line, "" if none */
    const char *summary;        /* one line */
    const char *details;        /* paragraph for --help, or NULL */
    int min_pos, max_pos;       /* bounds on positional arguments (-1: no upper bound) */
    const struct cli_opt *opts; /* terminated by a zero row; may be NULL */
};

/* The parsed command line. */
struct cli_args {
    struct config cfg;
    int npos;
    char **pos;                    /* positional arguments (point into argv) */
    const char *val[CLI_MAX_OPTS]; /* value of opts[i], NULL if absent */
    bool set[CLI_MAX_OPTS];        /* opts[i] was given */
};

/* Parses argv for spec. Returns true when the command should run (then
 * release args with cli_args_release). Returns false when the command is
 * done, with the exit status in *status: 0 after --help, 2 after a usage
 * error (message printed, naming the bad option or value), 1 when the
 * configuration cannot be loaded. */
bool cli_parse(int argc, char **argv, const struct cli_spec *spec, struct cli_args *args,
               int *status);
void cli_args_release(struct cli_args *args);
/* The shape of every command: parses argv for spec (cli_parse) and, when
 * the command should run, calls body with the parsed command line,
 * releases it and returns body's exit status; otherwise returns
 * cli_parse's status (0 after --help, 2 usage error, 1 configuration).
 * body owns nothing in args; it may keep pointers into it only for the
 * call. Main thread. */
int cli_run(int argc, char **argv, const struct cli_spec *spec, int (*body)(struct cli_args *args));
/* The configuration file the last cli_parse read (or would have read: the
 * default walltrack.conf of the data folder when it did not exist), or
 * NULL when there was none to look for; *explicit_ tells whether it was
 * named (--config, $WALLTRACK_CONFIG), so that its absence is an error.
 * For a reload, which reads the same file again. Main thread. */
const char *cli_config_file(bool *explicit_);
/* The value of the option named `name` ("--to"), or NULL. */
const char *cli_opt_value(const struct cli_spec *spec, const struct cli_args *args,
                          const char *name);
bool cli_opt_given(const struct cli_spec *spec, const struct cli_args *args, const char *name);
/* The subcommand word of a command that takes one of two: 0 when word is
 * a or b, else prints "walltrack CMD: unknown subcommand 'word' (expected
 * a or b)" and returns 2, the usage error's status. */
int cli_sub_of_two(const char *cmd, const char *word, const char *a, const char *b);
/* Prints "walltrack CMD: message" to stderr and returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Applies log.level and log.file from the configuration. Returns 0 or 1
 * (message printed). */
int cli_setup_logging(const struct config *cfg);

struct buf;
struct jw;
/* A command's JSON answer on standard output. cli_json_begin initialises
 * b (empty) and w writing into it; the caller writes one value.
 * cli_json_print finishes w and, when the document is complete, prints it
 * and a newline to standard output; it releases b either way and returns
 * whether it printed (false only when the document overflowed its cap). */
void cli_json_begin(struct jw *w, struct buf *b);
bool cli_json_print(struct jw *w, struct buf *b);
/* A command's answer that a function already wrote into b: r is that
 * function's result. When r is 0, prints b and a newline to standard
 * output; otherwise prints "walltrack CMD: <error of r>" to standard error.
 * Releases b either way. Returns 0 when it printed b, else 1. */
int cli_print_doc(const char *cmd, int r, struct buf *b);

struct store;
/* Creates the data folder if needed and opens the database of cfg: db.url
 * when set, else walltrack.db in data.dir. Prints the reason and returns 1
 * on failure, 0 with *out otherwise. */
int cli_open_store(const struct config *cfg, struct store **out);
/* Applies the live settings stored through PUT /v1/config (source
 * "database") over cfg, at start. The command line wins: a setting given
 * there keeps its value for this run (the stored one is kept in the
 * database and named in the log). A stored value that no longer validates
 * (an older build let it through, or the table changed) is ignored with a
 * warning naming it, and the default/file/environment value stays; it
 * never stops the start. Sets the log level when it came from the
 * database. Logs; start-up only. */
void cli_apply_stored_settings(struct config *cfg, struct store *st);
/* mkdir -p with mode 0700. Returns 0 or -1 (errno set). */
int cli_make_dirs(const char *path);

struct buf;
/* Appends the whole of FILE, or standard input for "-", to b. max > 0
 * refuses more than max bytes. Prints "walltrack CMD: ..." and returns 1
 * on failure, 0 otherwise. */
int cli_read_input(const char *cmd, const char *path, size_t max, struct buf *b);

struct httpc_resp;
/* One request to the running daemon's HTTP API (--url, else
 * server.listen), with the API token when one is configured: the way the
 * operator commands (status, pause, exits, ...) reach the engine, which
 * only the daemon owns. Returns 0 when it answered 200 (its JSON in resp),
 * else 1 after printing why; 2 for a server.listen without a port. */
int cli_daemon_call(const struct cli_spec *spec, const struct cli_args *args, const char *method,
                    const char *path, const char *body, struct httpc_resp *resp);
/* The option rows of the commands that call the daemon: --url, which
 * cli_daemon_call reads, and --json for those that print its answer as
 * it is. The --json row of the commands that print a result as JSON
 * instead of text (cli_json_begin/cli_json_print). */
/* clang-format off */
#define CLI_DAEMON_URL_OPT \
    {"--url", "URL", NULL, "the daemon's base URL (default: http://<server.listen>)"}
#define CLI_DAEMON_JSON_OPT {"--json", NULL, NULL, "print the daemon's JSON answer as is"}
#define CLI_JSON_OPT {"--json", NULL, NULL, "print the result as JSON"}
/* clang-format on */

int cli_main(int argc, char **argv);

struct buf;
/* The i-th row of the command table (name and one-line summary); false
 * past the end. For the generated documents (cli_gen.h). */
bool cli_command_at(size_t i, const char **name, const char **summary);
/* Appends what `walltrack NAME --help` prints to out (captured from
 * standard output). Returns 0, or -1 for an unknown name or when the
 * output cannot be captured. Single-threaded start-up only (it swaps the
 * process's standard output for the call). */
int cli_command_help(const char *name, struct buf *out);

#endif
