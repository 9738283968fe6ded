/* Configuration: typed settings from defaults < config file < environment
 * < command line (< database, for live-editable settings at run time).
 *
 * The rows come from config_table.h. A struct config holds one value per
 * row and where it came from. Every setter validates type and bounds and,
 * on failure, changes nothing and leaves a message in config_errmsg().
 * Enumerated settings (CONFIG_CHOICES) take one of their words, any case,
 * stored as listed.
 * Secrets (CONFIG_SECRET) are accepted only from the environment, from a
 * WALLTRACK_..._FILE file with mode 0600 or from a config file with no
 * group/other permissions, never from the command line; they are
 * registered with the log for redaction and printed masked; secret URLs
 * (CONFIG_SECRET_URL) are also registered piece by piece
 * (log_add_secret_url).
 *
 * A struct config is owned by one thread; give other threads a copy
 * (config_copy) or the values they need. */
#ifndef WT_BASE_CONFIG_H
#define WT_BASE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config_table.h"

enum config_type { CONFIG_BOOL, CONFIG_INT, CONFIG_DOUBLE, CONFIG_STRING };

enum config_flags { CONFIG_LIVE = 1, CONFIG_SECRET = 2, CONFIG_SECRET_URL = 4 };

enum config_source {
    CONFIG_SRC_DEFAULT,
    CONFIG_SRC_FILE,
    CONFIG_SRC_ENV,
    CONFIG_SRC_CLI,
    CONFIG_SRC_DB,
};

#define CONFIG_ENUM_(id, ...) CFG_##id,
enum config_id { CONFIG_TABLE(CONFIG_ENUM_) CFG_COUNT };
#undef CONFIG_ENUM_

struct config_def {
    const char *name;
    const char *env;
    enum config_type type;
    const char *def;
    double min, max;
    unsigned flags;
    const char *help;
};

struct config_value {
    char *text; /* canonical text form, owned */
    int64_t i;  /* INT and BOOL */
    double d;   /* DOUBLE */
    enum config_source source;
};

struct config {
    struct config_value v[CFG_COUNT];
    char err[512];
};

/* The row of an id, or of a name (NULL when unknown). */
const struct config_def *config_def_of(enum config_id id);
const struct config_def *config_def_find(const char *name, enum config_id *id);
/* The words an enumerated setting accepts, "a,b,c" (CONFIG_CHOICES in
 * config_table.h), or NULL for a setting that is not enumerated. */
const char *config_choices(enum config_id id);
const char *config_source_name(enum config_source s);
const char *config_type_name(enum config_type t);

/* Fills every setting with its default. */
void config_init(struct config *c);
void config_release(struct config *c);
/* Deep copy of src into dst (dst must not be initialised). */
void config_copy(struct config *dst, const struct config *src);

/* Sets one setting from text. Returns 0, WT_ENOTFOUND (unknown name),
 * WT_EPARSE (not a value of the type), WT_ERANGE (out of bounds),
 * WT_EINVAL (not one of an enumerated setting's words) or
 * WT_EAUTH (a secret from the command line); the message names the
 * setting. Nothing changes on failure. */
int config_set(struct config *c, const char *name, const char *value, enum config_source src);
/* Reads `name = value` lines (# comments, blank lines) from path. The whole
 * file is validated first: on any error nothing changes and the message
 * says "path:line: ...". A file holding a secret must not be readable by
 * group or others. Returns 0, WT_EIO (cannot read) or a config_set code. */
int config_load_file(struct config *c, const char *path);
/* Applies every row's environment variable that is set, and for secrets
 * also <ENV>_FILE (a file with mode 0600 holding the value). getenv is the
 * lookup (pass NULL to use the process environment; tests pass their own).
 * Nothing changes on failure. */
int config_load_env(struct config *c, const char *(*getenv_fn)(const char *name));

const char *config_errmsg(const struct config *c);

bool config_bool(const struct config *c, enum config_id id);
int64_t config_int(const struct config *c, enum config_id id);
double config_double(const struct config *c, enum config_id id);
/* The value as text (never NULL); for secrets this is the real value. */
const char *config_str(const struct config *c, enum config_id id);
/* The value as shown to people: secrets masked ("(set)" or ""). */
const char *config_display(const struct config *c, enum config_id id);
enum config_source config_source_of(const struct config *c, enum config_id id);

/* Appends `name = value  # source` lines for every setting (secrets
 * masked) to out. */
int config_print(const struct config *c, struct buf *out);
/* Appends the Markdown reference of every setting (docs/config.md). */
int config_markdown(struct buf *out);

#endif
