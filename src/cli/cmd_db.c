/* `walltrack db migrate|check` and `walltrack backup --to FILE`: the
 * store's maintenance commands.
 *
 * The database is --db / WALLTRACK_DB / db.url when set (a SQLite path or a
 * postgresql:// URL), else walltrack.db in the data folder. `db check`
 * opens without migrating, so it reports a pending migration instead of
 * applying it. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

static const struct cli_spec db_spec = {
    .name = "db",
    .args = "migrate|check",
    .summary = "Apply pending schema migrations, or check the database's integrity and version.",
    .details = "migrate: applies the numbered migrations this build knows (also done at "
               "start-up). check: SQLite PRAGMA integrity_check (PostgreSQL: reads every table) "
               "and compares the schema version with this build's; exit status 1 if anything "
               "is wrong.",
    .min_pos = 1,
    .max_pos = 1,
    .opts = NULL,
};

static const struct cli_opt backup_opts[] = {
    {"--to", "FILE", NULL, "write the backup to FILE (must not exist)"},
    {0},
};

static const struct cli_spec backup_spec = {
    .name = "backup",
    .args = "",
    .summary = "Write a consistent copy of the database to a file, safe while serving.",
    .details = "SQLite: the online backup API. PostgreSQL: runs pg_dump --format=custom when it "
               "is installed, else prints the command to run.",
    .min_pos = 0,
    .max_pos = 0,
    .opts = backup_opts,
};

/* The database named by the configuration: db.url, else
 * <data.dir>/walltrack.db (the folder is created when `create`). */
static const char *db_target(const struct config *cfg, bool create, char *buf, size_t size)
{
    const char *url = config_str(cfg, CFG_DB_URL);
    if (url != NULL && url[0] != '\0')
        return url;
    const char *dir = config_str(cfg, CFG_DATA_DIR);
    if (create)
        (void)mkdir(dir, 0700);
    snprintf(buf, size, "%s/walltrack.db", dir);
    return buf;
}

static int open_store(const struct config *cfg, bool migrate, struct store **st)
{
    struct store_opts o = {.readers = 1, .no_migrate = !migrate};
    char err[512], path[4096];
    int rc = store_open(db_target(cfg, migrate, path, sizeof path), &o, st, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "walltrack: cannot open the database: %s (%s)\n", err, wt_strerror(rc));
    return rc;
}

static int run_db(struct cli_args *args)
{
    const char *sub = args->pos[0];
    int status = cli_sub_of_two("db", sub, "migrate", "check");
    if (status != 0)
        return status;
    if (cli_setup_logging(&args->cfg) != 0)
        return 1;
    struct store *st = NULL;
    if (strcmp(sub, "migrate") == 0) {
        /* Opening applies the pending migrations (each is logged). */
        if (open_store(&args->cfg, true, &st) != 0)
            return 1;
        int v = 0;
        if (store_schema_version(st, &v) == 0)
            printf("%s database at schema version %d (this build: %d)\n", store_backend(st), v,
                   store_schema_latest(st));
        status = 0;
    } else {
        if (open_store(&args->cfg, false, &st) != 0 && st == NULL)
            return 1; /* a pending migration or a newer database is itself the answer */
        char msg[512];
        int rc = store_verify(st, msg, sizeof msg);
        printf("%s: %s\n", store_backend(st), msg);
        status = rc == 0 ? 0 : 1;
    }
    store_close(st);
    return status;
}

int cmd_db(int argc, char **argv)
{
    return cli_run(argc, argv, &db_spec, run_db);
}

static int run_backup(struct cli_args *args)
{
    const char *to = cli_opt_value(&backup_spec, args, "--to");
    if (to == NULL || to[0] == '\0')
        return cli_usage_error("backup", "--to FILE is required");
    struct store *st;
    if (cli_setup_logging(&args->cfg) != 0 || open_store(&args->cfg, true, &st) != 0)
        return 1;
    char msg[1024];
    int rc = store_backup(st, to, msg, sizeof msg);
    fprintf(rc == 0 ? stdout : stderr, "%s%s\n", rc == 0 ? "" : "walltrack backup: ", msg);
    store_close(st);
    return rc == 0 ? 0 : 1;
}

int cmd_backup(int argc, char **argv)
{
    return cli_run(argc, argv, &backup_spec, run_backup);
}
