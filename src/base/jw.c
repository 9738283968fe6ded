/* Streaming JSON writer. See jw.h. */
#include "base/jw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"

void jw_init(struct jw *w, struct buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->first[0] = true;
}

int jw_finish(struct jw *w)
{
    if (w->err)
        return w->err;
    if (w->depth != 0 || w->after_key)
        return WT_ESTATE;
    return 0;
}

static void put(struct jw *w, const char *s, size_t n)
{
    if (!w->err) {
        int rc = buf_append(w->out, s, n);
        if (rc)
            w->err = rc;
    }
}

/* Called before every value: a comma between array elements, nothing after
 * a key. A value directly inside an object without a key is misuse. */
static bool before_value(struct jw *w)
{
    if (w->err)
        return false;
    if (w->after_key) {
        w->after_key = false;
        return true;
    }
    if (w->depth > 0 && w->in_obj[w->depth]) {
        w->err = WT_ESTATE;
        return false;
    }
    if (w->depth == 0 && !w->first[0]) {
        w->err = WT_ESTATE; /* only one top-level value */
        return false;
    }
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
    return true;
}

static void open(struct jw *w, char c, bool obj)
{
    if (!before_value(w))
        return;
    if (w->depth >= JW_MAX_DEPTH) {
        w->err = WT_EFULL;
        return;
    }
    put(w, &c, 1);
    w->depth++;
    w->first[w->depth] = true;
    w->in_obj[w->depth] = obj;
}

static void close_(struct jw *w, char c, bool obj)
{
    if (w->err)
        return;
    if (w->depth == 0 || w->in_obj[w->depth] != obj || w->after_key) {
        w->err = WT_ESTATE;
        return;
    }
    put(w, &c, 1);
    w->depth--;
}

void jw_obj_begin(struct jw *w)
{
    open(w, '{', true);
}
void jw_obj_end(struct jw *w)
{
    close_(w, '}', true);
}
void jw_arr_begin(struct jw *w)
{
    open(w, '[', false);
}
void jw_arr_end(struct jw *w)
{
    close_(w, ']', false);
}

void jw_keyn(struct jw *w, const char *key, size_t n)
{
    if (w->err)
        return;
    if (w->depth == 0 || !w->in_obj[w->depth] || w->after_key) {
        w->err = WT_ESTATE;
        return;
    }
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
    int rc = jw_escape(w->out, key, n);
    if (rc && !w->err)
        w->err = rc;
    put(w, ":", 1);
    w->after_key = true;
}

void jw_key(struct jw *w, const char *key)
{
    jw_keyn(w, key, strlen(key));
}

int jw_escape(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = buf_reserve(out, n + 2);
    if (rc)
        return rc;
    rc = buf_putc(out, '"');
    size_t run = 0; /* start of the current run of bytes needing no escape */
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[6];
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        default:
            if (c < 0x20) {
                u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0';
                u[4] = hex[c >> 4], u[5] = hex[c & 15];
            }
        }
        if (!esc && c >= 0x20)
            continue;
        rc = buf_append(out, s + run, i - run);
        if (!rc)
            rc = esc ? buf_puts(out, esc) : buf_append(out, u, 6);
        run = i + 1;
    }
    if (!rc)
        rc = buf_append(out, s + run, n - run);
    if (!rc)
        rc = buf_putc(out, '"');
    return rc;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
    if (!before_value(w))
        return;
    int rc = jw_escape(w->out, s, n);
    if (rc)
        w->err = rc;
}

void jw_str(struct jw *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

void jw_u64(struct jw *w, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    if (before_value(w))
        put(w, tmp, (size_t)n);
}

void jw_i64(struct jw *w, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    if (before_value(w))
        put(w, tmp, (size_t)n);
}

int jw_format_double(double v, char out[32])
{
    if (!isfinite(v)) {
        memcpy(out, "null", 5);
        return 4;
    }
    if (v == 0) { /* also -0.0: JSON readers disagree on "-0" */
        memcpy(out, "0", 2);
        return 1;
    }
    /* Integral values up to 2^53 print as integers, like JavaScript. */
    if (fabs(v) < 9007199254740992.0 && v == (double)(int64_t)v)
        return snprintf(out, 32, "%" PRId64, (int64_t)v);
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return n;
}

void jw_double(struct jw *w, double v)
{
    char tmp[32];
    int n = jw_format_double(v, tmp);
    if (before_value(w))
        put(w, tmp, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
    if (before_value(w))
        put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
    if (before_value(w))
        put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
    if (before_value(w))
        put(w, json, n);
}

void jw_kobj_begin(struct jw *w, const char *key)
{
    jw_key(w, key);
    jw_obj_begin(w);
}

void jw_karr_begin(struct jw *w, const char *key)
{
    jw_key(w, key);
    jw_arr_begin(w);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    if (s)
        jw_str(w, s);
    else
        jw_null(w);
}

void jw_ku64(struct jw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_u64(w, v);
}

void jw_ki64(struct jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_i64(w, v);
}

void jw_kdouble(struct jw *w, const char *key, double v)
{
    jw_key(w, key);
    jw_double(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}

void jw_json(struct jw *w, const struct json_val *v)
{
    struct json_iter it;
    struct json_val x;
    switch (json_type_of(v)) {
    case JSON_NULL:
        jw_null(w);
        return;
    case JSON_BOOL: {
        bool b = false;
        (void)json_bool(v, &b);
        jw_bool(w, b);
        return;
    }
    case JSON_INT: {
        int64_t i = 0;
        (void)json_i64(v, &i);
        jw_i64(w, i);
        return;
    }
    case JSON_UINT: {
        uint64_t u = 0;
        (void)json_u64(v, &u);
        jw_u64(w, u);
        return;
    }
    case JSON_DOUBLE: {
        double d = 0;
        (void)json_double(v, &d);
        jw_double(w, d);
        return;
    }
    case JSON_STRING: {
        const char *s = "";
        size_t n = 0;
        (void)json_str(v, &s, &n);
        jw_strn(w, s, n);
        return;
    }
    case JSON_ARRAY:
        jw_arr_begin(w);
        if (json_iter_init(v, &it) == 0)
            while (json_iter_next(&it, &x))
                jw_json(w, &x);
        jw_arr_end(w);
        return;
    case JSON_OBJECT:
        jw_obj_begin(w);
        if (json_iter_init(v, &it) == 0)
            while (json_iter_next(&it, &x)) {
                jw_keyn(w, x.key, x.keylen);
                jw_json(w, &x);
            }
        jw_obj_end(w);
        return;
    }
}
