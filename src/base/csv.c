/* CSV from JSON lists: see csv.h. */
#include "base/csv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"

#define MAX_COLS 256
#define COL_NAME 128

/* Appends one field, quoted when it must be. */
static void field(struct buf *out, const char *s, size_t n, bool guard)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    bool formula =
        guard && n > 0 &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
    if (quote)
        buf_putc(out, '"');
    if (formula)
        buf_putc(out, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_putc(out, '"');
        buf_putc(out, s[i]);
    }
    if (quote)
        buf_putc(out, '"');
}

/* One cell: null empty, a string as itself (quoted and formula-guarded as
 * it must be), anything else as its compact JSON text. */
static void cell(struct buf *out, const struct json_val *v)
{
    switch (json_type_of(v)) {
    case JSON_NULL:
        return;
    case JSON_STRING: {
        const char *s = "";
        size_t n = 0;
        (void)json_str(v, &s, &n);
        field(out, s, n, true);
        return;
    }
    case JSON_ARRAY:
    case JSON_OBJECT: {
        struct buf tmp;
        buf_init(&tmp, 0);
        struct jw w;
        jw_init(&w, &tmp);
        jw_json(&w, v);
        if (jw_finish(&w) == 0)
            field(out, tmp.data, tmp.len, false);
        buf_release(&tmp);
        return;
    }
    default: {
        /* A number or a boolean: its JSON text, which needs no quoting. */
        struct jw w;
        jw_init(&w, out);
        jw_json(&w, v);
        return;
    }
    }
}

struct cols {
    char name[MAX_COLS][COL_NAME];
    size_t n;
};

/* Adds the columns of object o under prefix ("" or "outer."). */
static void collect(struct cols *c, const struct json_val *o, const char *prefix)
{
    struct json_iter it;
    struct json_val y;
    if (json_iter_init(o, &it) != 0)
        return;
    while (json_iter_next(&it, &y)) {
        char name[COL_NAME];
        int n = snprintf(name, sizeof name, "%s%.*s", prefix, (int)y.keylen, y.key);
        if (n < 0 || (size_t)n >= sizeof name)
            continue;
        if (json_type_of(&y) == JSON_OBJECT && json_size(&y) > 0) {
            char sub[COL_NAME];
            if (snprintf(sub, sizeof sub, "%s.", name) < (int)sizeof sub)
                collect(c, &y, sub);
            continue;
        }
        size_t k = 0;
        while (k < c->n && strcmp(c->name[k], name) != 0)
            k++;
        if (k == c->n && c->n < MAX_COLS)
            memcpy(c->name[c->n++], name, (size_t)n + 1);
    }
}

/* The value at a column's path ("a.b") in row o: 0, or WT_ENOTFOUND. */
static int lookup(const struct json_val *o, const char *path, struct json_val *out)
{
    struct json_val cur = *o, next;
    char part[COL_NAME];
    for (;;) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(part, sizeof part, "%.*s", (int)n, path);
        /* A key may itself hold a dot: try the rest whole first. */
        if (json_find(&cur, path, out) == 0)
            return 0;
        if (!dot || json_find(&cur, part, &next) != 0 || json_type_of(&next) != JSON_OBJECT)
            return WT_ENOTFOUND;
        cur = next;
        path = dot + 1;
    }
}

static bool is_object_list(const struct json_val *v)
{
    struct json_val first;
    return json_type_of(v) == JSON_ARRAY &&
           (json_size(v) == 0 ||
            (json_index(v, 0, &first) == 0 && json_type_of(&first) == JSON_OBJECT));
}

int csv_from_json(const char *json, size_t len, size_t cap, struct buf *out, char *err,
                  size_t errsize)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, list, x, y;
    struct json_iter it;
    int rc = 0;
    if (json_parse(d, json, len, cap, &root) != 0) {
        snprintf(err, errsize, "not JSON: %s", json_errmsg(d));
        rc = WT_EPARSE;
        goto out;
    }
    bool found = false;
    if (is_object_list(&root)) {
        list = root;
        found = true;
    } else if (json_type_of(&root) == JSON_OBJECT && json_iter_init(&root, &it) == 0) {
        while (!found && json_iter_next(&it, &x))
            if (is_object_list(&x) && json_size(&x) > 0) {
                list = x;
                found = true;
            }
        /* An empty list: the first array member, for its header-less CSV. */
        if (!found && json_iter_init(&root, &it) == 0)
            while (!found && json_iter_next(&it, &x))
                if (json_type_of(&x) == JSON_ARRAY) {
                    list = x;
                    found = true;
                }
    }
    if (!found) {
        snprintf(err, errsize, "the answer holds no list to export");
        rc = WT_ENOTFOUND;
        goto out;
    }
    /* The columns: keys in order of first appearance, a nested object's
     * keys as "outer.inner". */
    struct cols *cols = calloc(1, sizeof *cols);
    if (!cols)
        abort();
    if (json_iter_init(&list, &it) == 0)
        while (json_iter_next(&it, &x))
            if (json_type_of(&x) == JSON_OBJECT)
                collect(cols, &x, "");
    for (size_t k = 0; k < cols->n; k++) {
        if (k)
            buf_putc(out, ',');
        field(out, cols->name[k], strlen(cols->name[k]), true);
    }
    if (cols->n)
        buf_puts(out, "\r\n");
    if (json_iter_init(&list, &it) == 0)
        while (json_iter_next(&it, &x)) {
            for (size_t k = 0; k < cols->n; k++) {
                if (k)
                    buf_putc(out, ',');
                if (lookup(&x, cols->name[k], &y) == 0)
                    cell(out, &y);
            }
            buf_puts(out, "\r\n");
        }
    free(cols);
out:
    json_doc_free(d);
    return rc;
}
