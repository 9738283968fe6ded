/* Typed configuration driven by the one table in config_table.h.
 *
 * Values are validated on the way in, so the rest of walltrack reads them
 * without checks. Layers apply in order (defaults, file, environment,
 * command line); each layer overwrites what came before. A layer that fails
 * is rejected whole: a bad line in a config file leaves the configuration
 * exactly as it was. */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"

#define CONFIG_ROW_(id, name_, env_, type_, def_, min_, max_, flags_, help_)                       \
    {name_, env_, CONFIG_##type_, def_, min_, max_, flags_, help_},
static const struct config_def defs[CFG_COUNT] = {CONFIG_TABLE(CONFIG_ROW_)};
#undef CONFIG_ROW_

#define CONFIG_CHOICE_(id, list_) [CFG_##id] = list_,
static const char *const choices[CFG_COUNT] = {CONFIG_CHOICES(CONFIG_CHOICE_)};
#undef CONFIG_CHOICE_

static const char *const source_names[] = {"default", "file", "env", "command line", "database"};

const struct config_def *config_def_of(enum config_id id)
{
    return (unsigned)id < CFG_COUNT ? &defs[id] : NULL;
}

const struct config_def *config_def_find(const char *name, enum config_id *id)
{
    for (int i = 0; i < CFG_COUNT; i++) {
        if (strcmp(defs[i].name, name) == 0) {
            if (id)
                *id = (enum config_id)i;
            return &defs[i];
        }
    }
    return NULL;
}

const char *config_choices(enum config_id id)
{
    return (unsigned)id < CFG_COUNT ? choices[id] : NULL;
}

/* Writes the choices as "a, b, c" into out. */
static void choices_text(const char *list, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = list; *p && o + 3 < size; p++) {
        if (*p == ',') {
            out[o++] = ',';
            out[o++] = ' ';
        } else {
            out[o++] = *p;
        }
        out[o] = '\0';
    }
}

/* The word of list equal to text regardless of case, copied to out; 0, or
 * WT_EINVAL when there is none. */
static int match_choice(const char *list, const char *text, char *out, size_t size)
{
    size_t tl = strlen(text);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == tl && n < size && strncasecmp(p, text, n) == 0) {
            memcpy(out, p, n);
            out[n] = '\0';
            return 0;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return WT_EINVAL;
}

const char *config_source_name(enum config_source s)
{
    return (unsigned)s <= CONFIG_SRC_DB ? source_names[s] : "?";
}

const char *config_type_name(enum config_type t)
{
    switch (t) {
    case CONFIG_BOOL:
        return "bool";
    case CONFIG_INT:
        return "int";
    case CONFIG_DOUBLE:
        return "double";
    case CONFIG_STRING:
        return "string";
    }
    return "?";
}

static void seterr(struct config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(struct config *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

/* Validates text for a row and fills *out (text owned by out). */
static int parse_value(struct config *c, const struct config_def *d, const char *text,
                       struct config_value *out)
{
    struct config_value v = {0};
    char canon[64];
    const char *keep = text;
    switch (d->type) {
    case CONFIG_BOOL: {
        bool b;
        if (str_to_bool(text, &b)) {
            seterr(c, "%s: '%s' is not a boolean (use true or false)", d->name, text);
            return WT_EPARSE;
        }
        v.i = b;
        keep = b ? "true" : "false";
        break;
    }
    case CONFIG_INT: {
        int64_t i;
        int rc = str_to_i64(text, &i);
        if (rc) {
            seterr(c, "%s: '%s' is not an integer", d->name, text);
            return rc == WT_ERANGE ? WT_ERANGE : WT_EPARSE;
        }
        if ((double)i < d->min || (double)i > d->max) {
            seterr(c, "%s: %lld is out of range [%.17g, %.17g]", d->name, (long long)i, d->min,
                   d->max);
            return WT_ERANGE;
        }
        v.i = i;
        snprintf(canon, sizeof canon, "%lld", (long long)i);
        keep = canon;
        break;
    }
    case CONFIG_DOUBLE: {
        double x;
        int rc = str_to_double(text, &x);
        if (rc) {
            seterr(c, "%s: '%s' is not a number", d->name, text);
            return rc;
        }
        if (x < d->min || x > d->max) {
            seterr(c, "%s: %.17g is out of range [%.17g, %.17g]", d->name, x, d->min, d->max);
            return WT_ERANGE;
        }
        v.d = x;
        break;
    }
    case CONFIG_STRING: {
        if (strlen(text) > 4096) {
            seterr(c, "%s: value longer than 4096 bytes", d->name);
            return WT_ERANGE;
        }
        const char *list = choices[d - defs];
        if (list) {
            if (match_choice(list, text, canon, sizeof canon) != 0) {
                char words[256];
                choices_text(list, words, sizeof words);
                seterr(c, "%s: '%.64s' is not one of %s", d->name, text, words);
                return WT_EINVAL;
            }
            keep = canon;
        }
        break;
    }
    }
    v.text = xstrdup(keep);
    *out = v;
    return 0;
}

static void store_value(struct config *c, enum config_id id, struct config_value *v,
                        enum config_source src)
{
    free(c->v[id].text);
    v->source = src;
    c->v[id] = *v;
    /* A secret URL is registered by its URLs and their keys, not whole: the
     * whole of a bare "https://host" is what log lines name it by. */
    if ((defs[id].flags & CONFIG_SECRET_URL) && v->text[0])
        log_add_secret_url(v->text);
    else if ((defs[id].flags & CONFIG_SECRET) && v->text[0])
        log_add_secret(v->text);
}

void config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < CFG_COUNT; i++) {
        struct config_value v;
        if (parse_value(c, &defs[i], defs[i].def, &v) != 0) {
            /* A default that fails its own row's validation is a bug in the
             * table; the unit test walks every row, so this never ships. */
            fprintf(stderr, "walltrack: bad default for %s: %s\n", defs[i].name, c->err);
            abort();
        }
        store_value(c, (enum config_id)i, &v, CONFIG_SRC_DEFAULT);
    }
}

void config_release(struct config *c)
{
    for (int i = 0; i < CFG_COUNT; i++) {
        if (c->v[i].text && (defs[i].flags & CONFIG_SECRET))
            mem_wipe(c->v[i].text, strlen(c->v[i].text));
        free(c->v[i].text);
        c->v[i].text = NULL;
    }
}

void config_copy(struct config *dst, const struct config *src)
{
    *dst = *src;
    for (int i = 0; i < CFG_COUNT; i++)
        dst->v[i].text = xstrdup(src->v[i].text);
}

int config_set(struct config *c, const char *name, const char *value, enum config_source src)
{
    enum config_id id;
    const struct config_def *d = config_def_find(name, &id);
    if (!d) {
        seterr(c, "unknown setting '%s' (see `walltrack config`)", name);
        return WT_ENOTFOUND;
    }
    if ((d->flags & CONFIG_SECRET) && src == CONFIG_SRC_CLI) {
        seterr(c,
               "%s is a secret: set it in the environment (%s or %s_FILE) or a config file "
               "with mode 0600, not on the command line",
               d->name, d->env ? d->env : "-", d->env ? d->env : "-");
        return WT_EAUTH;
    }
    struct config_value v;
    int rc = parse_value(c, d, value, &v);
    if (rc)
        return rc;
    store_value(c, id, &v, src);
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Reads a whole small file (secret files, config files) into a buffer. */
static int read_small_file(const char *path, struct buf *out, struct stat *st)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return WT_EIO;
    int rc = 0;
    if (fstat(fileno(fp), st) != 0) {
        rc = WT_EIO;
        goto out;
    }
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        rc = buf_append(out, chunk, n);
        if (rc)
            goto out;
    }
    if (ferror(fp))
        rc = WT_EIO;
out:
    fclose(fp);
    return rc;
}

int config_load_file(struct config *c, const char *path)
{
    struct buf text;
    buf_init(&text, 1 << 20);
    struct stat st;
    int rc = read_small_file(path, &text, &st);
    if (rc) {
        seterr(c, "%s: cannot read: %s", path,
               rc == WT_EFULL ? "larger than 1 MiB" : strerror(errno));
        buf_release(&text);
        return rc == WT_EFULL ? WT_ETOOBIG : WT_EIO;
    }
    /* Validate into a scratch copy so a bad line changes nothing. */
    struct config scratch;
    config_copy(&scratch, c);
    int lineno = 0;
    for (char *line = text.data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            seterr(c, "%s:%d: expected 'name = value'", path, lineno);
            rc = WT_EPARSE;
            break;
        }
        *eq = '\0';
        char *name = trim(s), *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        enum config_id id;
        const struct config_def *d = config_def_find(name, &id);
        if (d && (d->flags & CONFIG_SECRET) && (st.st_mode & 077)) {
            seterr(c, "%s:%d: %s is a secret but the file is readable by others; chmod 600 %s",
                   path, lineno, name, path);
            rc = WT_EAUTH;
            break;
        }
        rc = config_set(&scratch, name, value, CONFIG_SRC_FILE);
        if (rc) {
            seterr(c, "%s:%d: %s", path, lineno, scratch.err);
            break;
        }
    }
    if (rc == 0) {
        config_release(c);
        *c = scratch;
        c->err[0] = '\0';
    } else {
        config_release(&scratch);
    }
    buf_release(&text);
    return rc;
}

static const char *process_getenv(const char *name)
{
    return getenv(name);
}

int config_load_env(struct config *c, const char *(*getenv_fn)(const char *name))
{
    if (!getenv_fn)
        getenv_fn = process_getenv;
    struct config scratch;
    config_copy(&scratch, c);
    int rc = 0;
    for (int i = 0; i < CFG_COUNT && rc == 0; i++) {
        const struct config_def *d = &defs[i];
        if (!d->env)
            continue;
        const char *val = getenv_fn(d->env);
        struct buf filebuf;
        buf_init(&filebuf, 64 * 1024);
        if (!val && (d->flags & CONFIG_SECRET)) {
            char fenv[128];
            snprintf(fenv, sizeof fenv, "%s_FILE", d->env);
            const char *fpath = getenv_fn(fenv);
            if (fpath) {
                struct stat st;
                if (read_small_file(fpath, &filebuf, &st) != 0) {
                    seterr(c, "%s: cannot read %s", fenv, fpath);
                    rc = WT_EIO;
                } else if (st.st_mode & 077) {
                    seterr(c, "%s: %s is readable by others; chmod 600 %s", fenv, fpath, fpath);
                    rc = WT_EAUTH;
                } else {
                    /* A trailing newline from `echo secret > file` is not
                     * part of the secret. */
                    while (filebuf.len && (filebuf.data[filebuf.len - 1] == '\n' ||
                                           filebuf.data[filebuf.len - 1] == '\r'))
                        buf_truncate(&filebuf, filebuf.len - 1);
                    val = filebuf.data ? filebuf.data : "";
                }
            }
        }
        if (rc == 0 && val) {
            rc = config_set(&scratch, d->name, val, CONFIG_SRC_ENV);
            if (rc)
                seterr(c, "%s: %s", d->env, scratch.err);
        }
        if (filebuf.data)
            mem_wipe(filebuf.data, filebuf.len);
        buf_release(&filebuf);
    }
    if (rc == 0) {
        config_release(c);
        *c = scratch;
        c->err[0] = '\0';
    } else {
        config_release(&scratch);
    }
    return rc;
}

const char *config_errmsg(const struct config *c)
{
    return c->err;
}

bool config_bool(const struct config *c, enum config_id id)
{
    return c->v[id].i != 0;
}

int64_t config_int(const struct config *c, enum config_id id)
{
    return c->v[id].i;
}

double config_double(const struct config *c, enum config_id id)
{
    return c->v[id].d;
}

const char *config_str(const struct config *c, enum config_id id)
{
    return c->v[id].text;
}

const char *config_display(const struct config *c, enum config_id id)
{
    if (defs[id].flags & CONFIG_SECRET)
        return c->v[id].text[0] ? "********" : "";
    return c->v[id].text;
}

enum config_source config_source_of(const struct config *c, enum config_id id)
{
    return c->v[id].source;
}

int config_print(const struct config *c, struct buf *out)
{
    int rc = 0;
    for (int i = 0; i < CFG_COUNT && rc == 0; i++) {
        const char *shown = config_display(c, (enum config_id)i);
        bool quote = defs[i].type == CONFIG_STRING;
        rc = buf_printf(out, "%-28s = %s%s%s  # %s\n", defs[i].name, quote ? "\"" : "", shown,
                        quote ? "\"" : "", config_source_name(c->v[i].source));
    }
    return rc;
}

int config_markdown(struct buf *out)
{
    int rc =
        buf_puts(out, "# Configuration reference\n\n"
                      "Generated from `src/base/config_table.h` by `walltrack config --markdown`; "
                      "a unit test fails when this file and the table disagree.\n\n"
                      "Values apply in this order, later ones winning: defaults, the config file "
                      "(`--config FILE`, or `walltrack.conf` in the data folder when present), "
                      "environment variables, command-line options (`--set name=value` and the "
                      "per-command flags). Secrets come only from the environment (or "
                      "`<VARIABLE>_FILE` naming a file with mode 0600) or a config file that only "
                      "its owner can read; they are never printed, logged or stored. A secret "
                      "URL (\"yes (URL)\") may carry its key in the path or the query "
                      "(QuickNode, Alchemy, chat hooks): log lines name it by scheme and host "
                      "only. Settings with a list of words in the range column take one of "
                      "them, in any case.\n\n"
                      "| setting | environment | type | default | range | live | secret | "
                      "description |\n|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < CFG_COUNT && rc == 0; i++) {
        const struct config_def *d = &defs[i];
        char range[256] = "";
        if (d->type == CONFIG_INT || d->type == CONFIG_DOUBLE)
            snprintf(range, sizeof range, "%.17g – %.17g", d->min, d->max);
        else if (choices[i])
            choices_text(choices[i], range, sizeof range);
        rc = buf_printf(out, "| `%s` | %s%s%s | %s | %s%s%s | %s | %s | %s | %s |\n", d->name,
                        d->env ? "`" : "", d->env ? d->env : "", d->env ? "`" : "",
                        config_type_name(d->type), d->def[0] ? "`" : "", d->def,
                        d->def[0] ? "`" : "", range, (d->flags & CONFIG_LIVE) ? "yes" : "",
                        (d->flags & CONFIG_SECRET_URL) ? "yes (URL)"
                        : (d->flags & CONFIG_SECRET)   ? "yes"
                                                       : "",
                        d->help);
    }
    return rc;
}
