/* Command table, dispatch, and the option parsing every command shares.
 *
 * Options shared by all commands: --config FILE, --data DIR, --db URL,
 * --set NAME=VALUE, --log-level LEVEL, --help. The configuration file is
 * --config, else $WALLTRACK_CONFIG, else walltrack.conf in the data folder
 * when it exists. */
#include "cli/cli.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cli_examples.h"
#include "cli/cli_gen.h"
#include "cli/commands.h"
#include "net/httpc.h"
#include "store/store.h"

struct cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* The command table. Keep it in the order `walltrack help` should list. */
static const struct cli_cmd commands[] = {
    {"demo", "run walltrack on a simulated market: no keys, paper trading, dashboard", cmd_demo},
    {"serve", "run the daemon: HTTP API, webhook, engine, dashboard", cmd_serve},
    {"status", "show the trading engine's state (asks the running daemon)", cmd_status},
    {"pause", "pause new entries (asks the running daemon)", cmd_pause},
    {"resume", "lift an operator pause (asks the running daemon)", cmd_resume},
    {"reload", "make the running daemon re-read its config file and secrets (as SIGHUP)",
     cmd_reload},
    {"exits", "exit strategies of the running daemon: list | show | put | delete | default",
     cmd_exits},
    {"report", "what separates winning trades from losing ones: factors, hours, exits", cmd_report},
    {"recalibrate", "fit the signal weights to our outcomes and propose them (applies nothing)",
     cmd_recalibrate},
    {"backtest", "replay stored events with a scenario's settings: run | list | show | compare",
     cmd_backtest},
    {"import", "load recorded Helius transactions (JSON array or NDJSON) into the database",
     cmd_import},
    {"backfill", "load wallets' recent history from the Helius API: backfill ADDRESS...",
     cmd_backfill},
    {"helius", "manage the Helius webhook: webhook create|list|delete", cmd_helius},
    {"decode", "decode Helius transactions from FILE|- into swap/transfer JSON lines", cmd_decode},
    {"discover", "run wallet discovery once: profile every wallet, update the watchlist",
     cmd_discover},
    {"graph", "wallet graph and clusters: graph build | evaluate --truth FILE | export --format F",
     cmd_graph},
    {"clusters", "the wallet graph's clusters: clusters list | show ID | blacklist ID",
     cmd_clusters},
    {"wallets", "smart-money wallets: wallets list|show|similar|add|remove|verify|name|blacklist",
     cmd_wallets},
    {"model", "the learned score: model train | evaluate | show (not used for scoring yet)",
     cmd_model},
    {"sim",
     "simulated market with ground truth: sim generate --out DIR | stream | evaluate --truth "
     "FILE",
     cmd_sim},
    {"db", "database maintenance: db migrate | db check", cmd_db},
    {"backup", "write a consistent copy of the database: backup --to FILE", cmd_backup},
    {"wallet", "the trading wallet: wallet show (balances) | wallet check (ready for live)",
     cmd_wallet},
    {"config", "print the effective configuration and where each value comes from", cmd_config},
    {"version", "print the version", cmd_version},
    {"help", "list the commands, or explain one: walltrack help COMMAND", cmd_help},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct cli_opt common_opts[] = {
    {"--config", "FILE", NULL, "read settings from FILE (name = value lines)"},
    {"--data", "DIR", "data.dir", "data folder (database, backups)"},
    {"--db", "URL", NULL,
     "database: a SQLite path or postgresql://... without a password (a URL with one: "
     "WALLTRACK_DB)"},
    {"--set", "NAME=VALUE", NULL, "set any setting (see `walltrack config`); repeatable"},
    {"--log-level", "LEVEL", "log.level", "debug, info, warn or error"},
    {"--format", "FORMAT", NULL,
     "table (default), json (as --json) or csv: the rows of a list command's JSON, for "
     "spreadsheets"},
    {"--help", NULL, NULL, "show this help"},
    {0},
};

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "walltrack %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see `walltrack %s --help`)\n", cmd);
    va_end(ap);
    return 2;
}

int cli_sub_of_two(const char *cmd, const char *word, const char *a, const char *b)
{
    if (strcmp(word, a) == 0 || strcmp(word, b) == 0)
        return 0;
    return cli_usage_error(cmd, "unknown subcommand '%s' (expected %s or %s)", word, a, b);
}

static void print_opts(FILE *fp, const struct cli_opt *opts)
{
    for (const struct cli_opt *o = opts; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(fp, "  %-26s %s\n", left, o->help);
    }
}

static void print_examples(FILE *fp, const char *cmd)
{
    const char *ex = cli_examples_of(cmd);
    if (!ex)
        return;
    fprintf(fp, "\nexamples:\n");
    for (const char *p = ex; *p;) {
        size_t n = strcspn(p, "\n");
        fprintf(fp, "  %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

static void print_help(FILE *fp, const struct cli_spec *spec)
{
    fprintf(fp, "usage: walltrack %s [options]%s%s\n\n%s\n", spec->name,
            spec->args && *spec->args ? " " : "", spec->args ? spec->args : "", spec->summary);
    if (spec->details)
        fprintf(fp, "\n%s\n", spec->details);
    if (spec->opts && spec->opts->name) {
        fprintf(fp, "\noptions:\n");
        print_opts(fp, spec->opts);
    }
    fprintf(fp, "\ncommon options:\n");
    print_opts(fp, common_opts);
    print_examples(fp, spec->name);
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, int *index)
{
    for (int i = 0; opts && opts[i].name; i++) {
        if (strcmp(opts[i].name, name) == 0) {
            if (index)
                *index = i;
            return &opts[i];
        }
    }
    return NULL;
}

/* The config file the last cli_parse looked for (cli_config_file). */
static char last_config[4096];
static bool last_config_explicit;

const char *cli_config_file(bool *explicit_)
{
    *explicit_ = last_config_explicit;
    return last_config[0] ? last_config : NULL;
}

/* The config file to read: --config, $WALLTRACK_CONFIG, or walltrack.conf
 * in the data folder when it exists. *explicit_ tells whether a missing
 * file is an error. */
static const char *config_path(int argc, char **argv, char *tmp, size_t tmpsize, bool *explicit_)
{
    const char *data = NULL, *conf = NULL;
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--config") == 0)
            conf = argv[i + 1];
        else if (strcmp(argv[i], "--data") == 0)
            data = argv[i + 1];
    }
    *explicit_ = true;
    if (conf)
        return conf;
    if ((conf = getenv("WALLTRACK_CONFIG")) != NULL)
        return conf;
    *explicit_ = false;
    if (!data)
        data = getenv("WALLTRACK_DATA");
    if (!data)
        data = config_def_of(CFG_DATA_DIR)->def;
    snprintf(tmp, tmpsize, "%s/walltrack.conf", data);
    struct stat st;
    return stat(tmp, &st) == 0 ? tmp : NULL;
}

bool cli_parse(int argc, char **argv, const struct cli_spec *spec, struct cli_args *args,
               int *status)
{
    memset(args, 0, sizeof *args);
    config_init(&args->cfg);
    const char *name = spec->name;
    int rc = 0;

    /* Pass 1: syntax. Every option must be known and have its value. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(stdout, spec);
            rc = 0;
            goto out;
        }
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] != '-' || a[1] == '\0')
            continue;
        int idx;
        const struct cli_opt *o = find_opt(spec->opts, a, &idx);
        if (!o)
            o = find_opt(common_opts, a, NULL);
        if (!o) {
            rc = cli_usage_error(name, "unknown option '%s'", a);
            goto out;
        }
        if (o->arg) {
            /* A value that is itself an option ("--db --help") is a
             * forgotten value, not a file named "--help". */
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                rc = cli_usage_error(name, "option '%s' needs a value (%s)", a, o->arg);
                goto out;
            }
            i++;
        }
    }

    /* Pass 2: configuration layers. */
    char tmp[4096];
    bool explicit_;
    const char *cpath = config_path(argc, argv, tmp, sizeof tmp, &explicit_);
    last_config_explicit = explicit_;
    /* Remembered even when the default file does not exist yet: a reload
     * reads it once it does. */
    snprintf(last_config, sizeof last_config, "%s", cpath ? cpath : tmp);
    if (cpath) {
        int lrc = config_load_file(&args->cfg, cpath);
        if (lrc && (explicit_ || lrc != WT_EIO)) {
            fprintf(stderr, "walltrack %s: %s\n", name, config_errmsg(&args->cfg));
            rc = 1;
            goto out;
        }
    }
    if (config_load_env(&args->cfg, NULL) != 0) {
        fprintf(stderr, "walltrack %s: %s\n", name, config_errmsg(&args->cfg));
        rc = 1;
        goto out;
    }

    /* Pass 3: options in order, positional arguments collected. */
    args->pos = xcalloc((size_t)argc, sizeof *args->pos);
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            args->pos[args->npos++] = argv[i];
            continue;
        }
        int idx = -1;
        const struct cli_opt *o = find_opt(spec->opts, a, &idx);
        bool common = false;
        if (!o) {
            o = find_opt(common_opts, a, NULL);
            common = true;
        }
        const char *val = o->arg ? argv[++i] : "true";
        if (!common) {
            args->val[idx] = val;
            args->set[idx] = true;
        }
        int src = 0;
        if (common && strcmp(a, "--set") == 0) {
            char nm[128];
            const char *eq = strchr(val, '=');
            if (!eq || eq == val || (size_t)(eq - val) >= sizeof nm) {
                rc = cli_usage_error(name, "--set wants NAME=VALUE, got '%s'", val);
                goto out;
            }
            memcpy(nm, val, (size_t)(eq - val));
            nm[eq - val] = '\0';
            src = config_set(&args->cfg, nm, eq + 1, CONFIG_SRC_CLI);
        } else if (common && strcmp(a, "--db") == 0) {
            /* A password on the command line is visible to every local
             * user (ps, /proc) and kept in shell history: refused, as
             * --set db.url= refuses secrets. The URL stays secret-masked. */
            bool has_pw = false;
            char why[512];
            if (store_url_validate(val, &has_pw, why, sizeof why) != 0) {
                rc = cli_usage_error(name, "--db: %s", why);
                goto out;
            }
            if (has_pw) {
                rc = cli_usage_error(name,
                                     "--db: the URL holds a password, which the command line "
                                     "shows to every local user; give the URL in WALLTRACK_DB, "
                                     "or in a file (mode 0600) named by WALLTRACK_DB_FILE, or in "
                                     "a config file only you can read");
                goto out;
            }
            src = config_set(&args->cfg, "db.url", val, CONFIG_SRC_ENV);
            if (!src)
                args->cfg.v[CFG_DB_URL].source = CONFIG_SRC_CLI;
        } else if (o->setting) {
            src = config_set(&args->cfg, o->setting, val, CONFIG_SRC_CLI);
        }
        if (src) {
            rc = cli_usage_error(name, "%s: %s", a, config_errmsg(&args->cfg));
            goto out;
        }
    }
    if (args->npos < spec->min_pos) {
        rc = cli_usage_error(name, "missing argument: %s", spec->args);
        goto out;
    }
    if (spec->max_pos >= 0 && args->npos > spec->max_pos) {
        rc = cli_usage_error(name, "unexpected argument '%s'", args->pos[spec->max_pos]);
        goto out;
    }
    *status = 0;
    return true;
out:
    cli_args_release(args);
    *status = rc;
    return false;
}

void cli_args_release(struct cli_args *args)
{
    config_release(&args->cfg);
    free(args->pos);
    args->pos = NULL;
    args->npos = 0;
}

void cli_json_begin(struct jw *w, struct buf *b)
{
    buf_init(b, 0);
    jw_init(w, b);
}

bool cli_json_print(struct jw *w, struct buf *b)
{
    bool ok = jw_finish(w) == 0;
    if (ok)
        printf("%s\n", b->data);
    buf_release(b);
    return ok;
}

int cli_print_doc(const char *cmd, int r, struct buf *b)
{
    if (r)
        fprintf(stderr, "walltrack %s: %s\n", cmd, wt_strerror(r));
    else
        printf("%s\n", b->data);
    buf_release(b);
    return r ? 1 : 0;
}

int cli_run(int argc, char **argv, const struct cli_spec *spec, int (*body)(struct cli_args *args))
{
    struct cli_args args;
    int status;
    if (!cli_parse(argc, argv, spec, &args, &status))
        return status;
    status = body(&args);
    cli_args_release(&args);
    return status;
}

const char *cli_opt_value(const struct cli_spec *spec, const struct cli_args *args,
                          const char *name)
{
    int idx;
    return find_opt(spec->opts, name, &idx) ? args->val[idx] : NULL;
}

bool cli_opt_given(const struct cli_spec *spec, const struct cli_args *args, const char *name)
{
    int idx;
    return find_opt(spec->opts, name, &idx) ? args->set[idx] : false;
}

int cli_setup_logging(const struct config *cfg)
{
    enum log_level level;
    if (log_level_parse(config_str(cfg, CFG_LOG_LEVEL), &level) != 0) {
        fprintf(stderr, "walltrack: log.level: '%s' is not one of debug, info, warn, error\n",
                config_str(cfg, CFG_LOG_LEVEL));
        return 1;
    }
    const char *file = config_str(cfg, CFG_LOG_FILE);
    if (log_open(*file ? file : NULL, level) != 0) {
        fprintf(stderr, "walltrack: cannot open log file %s\n", file);
        return 1;
    }
    return 0;
}

int cli_make_dirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Counts the entries of dir whose names start with prefix (0 when dir
 * cannot be read). */
static unsigned count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && str_starts_with(e->d_name, prefix))
            n++;
    closedir(d);
    return n;
}

/* A data folder with backups or an archive but no walltrack.db lost its
 * database (deleted by mistake, a volume not mounted): creating an empty
 * one there would hide that, so it takes db.create_new. Returns 0 to go
 * on. */
static int refuse_fresh_database(const struct config *cfg, const char *data)
{
    char path[4096], backups[4096], archive[4096];
    snprintf(path, sizeof path, "%s/walltrack.db", data);
    snprintf(backups, sizeof backups, "%s/backups", data);
    snprintf(archive, sizeof archive, "%s/archive", data);
    struct stat sb;
    if (stat(path, &sb) == 0 || errno != ENOENT || config_bool(cfg, CFG_DB_CREATE_NEW))
        return 0;
    unsigned nb = count_entries(backups, "walltrack-"), na = count_entries(archive, "");
    if (nb == 0 && na == 0)
        return 0;
    fprintf(stderr,
            "walltrack: %s is missing, but this data folder held a database (%u backup(s) in "
            "%s, %u archive file(s) in %s).\n"
            "Restore the newest backup (cp %s/walltrack-<newest>.db %s), or start over with an "
            "empty database with --set db.create_new=true.\n",
            path, nb, backups, na, archive, backups, path);
    return 1;
}

int cli_open_store(const struct config *cfg, struct store **out)
{
    const char *db = config_str(cfg, CFG_DB_URL);
    const char *data = config_str(cfg, CFG_DATA_DIR);
    /* The data folder holds backups and state files even when the
     * database is a PostgreSQL server. */
    if (cli_make_dirs(data) != 0) {
        fprintf(stderr, "walltrack: cannot create the data folder %s: %s\n", data, strerror(errno));
        return 1;
    }
    if (!db[0] && refuse_fresh_database(cfg, data) != 0)
        return 1;
    struct store_opts o = {
        .sync_relaxed = config_bool(cfg, CFG_DB_RELAXED_SYNC),
        .wal_max_bytes = (uint64_t)config_int(cfg, CFG_DB_WAL_MAX_MB) << 20,
    };
    char err[512];
    if (store_open(db[0] ? db : data, &o, out, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack: cannot open the database: %s\n", err);
        return 1;
    }
    return 0;
}

void cli_apply_stored_settings(struct config *cfg, struct store *st)
{
    for (int i = 0; i < CFG_COUNT; i++) {
        enum config_id id = (enum config_id)i;
        const struct config_def *d = config_def_of(id);
        char v[SETTING_VALUE_MAX];
        if (!(d->flags & CONFIG_LIVE) || store_setting_get(st, d->name, v, sizeof v) != 0)
            continue;
        enum config_source was = config_source_of(cfg, id);
        if (was == CONFIG_SRC_CLI) {
            if (strcmp(v, config_str(cfg, id)) != 0)
                log_info("serve",
                         "%s: the command line's '%s' wins over the stored '%s' for this run",
                         d->name, config_str(cfg, id), v);
            continue;
        }
        if (config_set(cfg, d->name, v, CONFIG_SRC_DB) != 0) {
            /* The message starts with the name, which the line has already. */
            const char *why = config_errmsg(cfg);
            size_t nl = strlen(d->name);
            if (strncmp(why, d->name, nl) == 0 && strncmp(why + nl, ": ", 2) == 0)
                why += nl + 2;
            log_warn("serve", "ignoring the stored setting %s: %s; using the %s value '%s'",
                     d->name, why, config_source_name(was), config_str(cfg, id));
        }
    }
    enum log_level level;
    if (config_source_of(cfg, CFG_LOG_LEVEL) == CONFIG_SRC_DB &&
        log_level_parse(config_str(cfg, CFG_LOG_LEVEL), &level) == 0)
        log_set_level(level);
}

static void list_commands(FILE *fp)
{
    fprintf(fp, "usage: walltrack <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n`walltrack <command> --help` explains a command and its options.\n");
}

bool cli_command_at(size_t i, const char **name, const char **summary)
{
    if (i >= NCOMMANDS)
        return false;
    *name = commands[i].name;
    *summary = commands[i].summary;
    return true;
}

int cli_command_help(const char *name, struct buf *out)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        FILE *tmp = tmpfile();
        if (!tmp)
            return -1;
        fflush(stdout);
        int saved = dup(STDOUT_FILENO);
        if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
            fclose(tmp);
            return -1;
        }
        char *sub[] = {(char *)name, "--help", NULL};
        (void)commands[i].run(2, sub);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        rewind(tmp);
        char chunk[4096];
        size_t n;
        int rc = 0;
        while ((n = fread(chunk, 1, sizeof chunk, tmp)) > 0)
            if (buf_append(out, chunk, n) != 0)
                rc = -1;
        fclose(tmp);
        return rc;
    }
    return -1;
}

int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        list_commands(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("usage: walltrack help [COMMAND | --man | --bash-completion]\n\n"
               "List the commands, or explain one.\n\n"
               "options:\n"
               "  --man                      print the man page walltrack(1) (roff)\n"
               "  --bash-completion          print the bash completion script\n");
        print_examples(stdout, "help");
        return 0;
    }
    if (strcmp(argv[1], "--man") == 0)
        return cli_gen_man(stdout);
    if (strcmp(argv[1], "--bash-completion") == 0)
        return cli_gen_bash(stdout);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].name, argv[1]) == 0) {
            char *sub[] = {argv[1], "--help", NULL};
            return commands[i].run(2, sub);
        }
    }
    fprintf(stderr, "walltrack help: unknown command '%s'\n", argv[1]);
    list_commands(stderr);
    return 2;
}

int cmd_version(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: walltrack version\n\nPrint the version.\n");
        print_examples(stdout, "version");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "walltrack version: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    printf("walltrack %s\n", WT_VERSION);
    return 0;
}

/* Runs the command with --format csv: as --json, its standard output
 * captured and written as CSV (base/csv.h). */
static int run_as_csv(const struct cli_cmd *c, int argc, char **argv)
{
    FILE *tmp = tmpfile();
    if (!tmp) {
        fprintf(stderr, "walltrack %s: --format csv: no temporary file: %s\n", c->name,
                strerror(errno));
        return 1;
    }
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
        fclose(tmp);
        return 1;
    }
    int rc = c->run(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    struct buf json;
    buf_init(&json, 0);
    rewind(tmp);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, tmp)) > 0)
        buf_append(&json, chunk, n);
    fclose(tmp);
    if (rc != 0) {
        if (json.len)
            fwrite(json.data, 1, json.len, stdout);
        buf_release(&json);
        return rc;
    }
    struct buf csv;
    buf_init(&csv, 0);
    char err[256];
    buf_reserve(&json, JSON_PADDING);
    if (csv_from_json(json.data ? json.data : "", json.len, json.cap, &csv, err, sizeof err) != 0) {
        fprintf(stderr, "walltrack %s: --format csv: %s\n", c->name, err);
        rc = 1;
    } else {
        fwrite(csv.data ? csv.data : "", 1, csv.len, stdout);
    }
    buf_release(&csv);
    buf_release(&json);
    return rc;
}

/* Runs c with --format FORMAT taken out of argv: table as is, json as
 * --json, csv through run_as_csv. A command without --json refuses it,
 * which then names --format. */
static int run_command(const struct cli_cmd *c, int argc, char **argv)
{
    int at = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--format") == 0) {
            at = i;
            break;
        }
    }
    if (at < 0)
        return c->run(argc, argv);
    if (at + 1 >= argc)
        return cli_usage_error(c->name, "option '--format' needs a value (table, json or csv)");
    const char *fmt = argv[at + 1];
    if (strcmp(fmt, "table") && strcmp(fmt, "json") && strcmp(fmt, "csv"))
        return cli_usage_error(c->name, "--format: expected table, json or csv, not '%s'", fmt);
    char **v = xcalloc((size_t)argc + 1, sizeof *v);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i == at) {
            if (strcmp(fmt, "table") != 0)
                v[n++] = "--json";
            i++;
            continue;
        }
        v[n++] = argv[i];
    }
    int rc;
    if (strcmp(fmt, "csv") == 0)
        rc = run_as_csv(c, n, v);
    else
        rc = c->run(n, v);
    if (rc == 2 && strcmp(fmt, "table") != 0)
        fprintf(stderr,
                "walltrack %s: --format %s works with the commands that print JSON "
                "(--json)\n",
                c->name, fmt);
    free(v);
    return rc;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        list_commands(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(name, "--version") == 0)
        return cmd_version(1, argv + 1);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return run_command(&commands[i], argc - 1, argv + 1);
    fprintf(stderr, "walltrack: unknown command '%s'\n\n", name);
    list_commands(stderr);
    return 2;
}

int cli_daemon_call(const struct cli_spec *spec, const struct cli_args *args, const char *method,
                    const char *path, const char *body, struct httpc_resp *resp)
{
    const struct config *cfg = &args->cfg;
    char base[512];
    const char *url = cli_opt_value(spec, args, "--url");
    if (url) {
        snprintf(base, sizeof base, "%s", url);
    } else {
        char host[256];
        unsigned port;
        if (api_parse_listen(config_str(cfg, CFG_LISTEN), host, sizeof host, &port) != 0 ||
            port == 0)
            return cli_usage_error(spec->name, "server.listen '%s' names no port: use --url",
                                   config_str(cfg, CFG_LISTEN));
        if (strcmp(host, "0.0.0.0") == 0)
            snprintf(host, sizeof host, "127.0.0.1");
        snprintf(base, sizeof base, "http://%s%s%s:%u", strchr(host, ':') ? "[" : "", host,
                 strchr(host, ':') ? "]" : "", port);
    }
    struct httpc_opts o;
    httpc_opts_default(&o);
    o.retries = 0;
    o.timeout_ms = 15000;
    const char *bases[] = {base};
    struct httpc *c = httpc_new(bases, 1, &o);
    char auth[600];
    struct httpc_header h[2];
    size_t nh = 0;
    h[nh++] = (struct httpc_header){"Content-Type", "application/json"};
    const char *token = config_str(cfg, CFG_API_TOKEN);
    if (token[0]) {
        snprintf(auth, sizeof auth, "Bearer %s", token);
        h[nh++] = (struct httpc_header){"Authorization", auth};
    }
    struct httpc_req req = {.method = method,
                            .path = path,
                            .headers = h,
                            .n_headers = nh,
                            .body = body,
                            .body_len = body ? strlen(body) : 0};
    int rc = httpc_do(c, &req, resp);
    httpc_free(c);
    if (rc) {
        fprintf(stderr, "walltrack %s: cannot reach the daemon at %s: %s\n", spec->name, base,
                wt_strerror(rc));
        return 1;
    }
    if (resp->status != 200) {
        fprintf(stderr, "walltrack %s: the daemon answered %ld: %s\n", spec->name, resp->status,
                resp->body.data ? resp->body.data : "");
        return 1;
    }
    return 0;
}

int cli_read_input(const char *cmd, const char *path, size_t max, struct buf *b)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "walltrack %s: cannot open %s: %s\n", cmd, path, strerror(errno));
        return 1;
    }
    char chunk[65536];
    size_t n, start = b->len;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if ((max && b->len - start + n > max) || buf_append(b, chunk, n)) {
            fprintf(stderr, "walltrack %s: %s is too large (at most %zu bytes)\n", cmd, path,
                    max ? max : (size_t)1 << 30);
            rc = 1;
        }
    }
    if (!rc && ferror(f)) {
        fprintf(stderr, "walltrack %s: cannot read %s: %s\n", cmd, path, strerror(errno));
        rc = 1;
    }
    if (f != stdin)
        fclose(f);
    return rc;
}
