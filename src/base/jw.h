/* Streaming JSON writer into a struct buf.
 *
 * No DOM: callers emit values in order and the writer adds commas, colons
 * and escaping. Integers are exact (u64 up to 18446744073709551615),
 * doubles use the shortest form that reads back to the same value, and
 * non-finite doubles become null (JSON has no NaN).
 *
 *     struct jw w; jw_init(&w, &out);
 *     jw_obj_begin(&w);
 *       jw_key(&w, "status"); jw_str(&w, "ok");
 *       jw_key(&w, "uptime"); jw_i64(&w, 12);
 *     jw_obj_end(&w);
 *     if (jw_finish(&w)) ... buffer full or unbalanced
 *
 * Errors are sticky: after the first failure (buffer cap, depth past
 * JW_MAX_DEPTH, misuse) every call is a no-op and jw_finish returns the
 * error. Not thread-safe; one writer per buffer. */
#ifndef WT_BASE_JW_H
#define WT_BASE_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define JW_MAX_DEPTH 64

struct jw {
    struct buf *out;
    int err;
    uint32_t depth;
    bool after_key; /* a key was written; the value comes next */
    /* Indexed by depth, 0 (top level) to JW_MAX_DEPTH inclusive. */
    bool first[JW_MAX_DEPTH + 1];  /* no element written yet at this depth */
    bool in_obj[JW_MAX_DEPTH + 1]; /* container at this depth is an object */
};

void jw_init(struct jw *w, struct buf *out);
/* Returns 0 when the output is complete (all containers closed) and no
 * error happened; otherwise the first error (WT_EFULL, WT_ESTATE). */
int jw_finish(struct jw *w);

void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
/* A key of n bytes (need not be NUL-terminated). */
void jw_keyn(struct jw *w, const char *key, size_t n);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Writes already-encoded JSON as one value (trusted input). */
void jw_raw(struct jw *w, const char *json, size_t n);
/* Writes a parsed value (base/json.h) again as compact JSON, nested arrays
 * and objects included; numbers keep the type they were parsed as. */
struct json_val;
void jw_json(struct jw *w, const struct json_val *v);

/* key + value in one call. jw_kstr with s == NULL writes null. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_ku64(struct jw *w, const char *key, uint64_t v);
void jw_ki64(struct jw *w, const char *key, int64_t v);
void jw_kdouble(struct jw *w, const char *key, double v);
void jw_kbool(struct jw *w, const char *key, bool v);
/* key + the opening of an object or array, closed by jw_obj_end/jw_arr_end. */
void jw_kobj_begin(struct jw *w, const char *key);
void jw_karr_begin(struct jw *w, const char *key);

/* Appends s[0..n) to out as a quoted, escaped JSON string. */
int jw_escape(struct buf *out, const char *s, size_t n);
/* Formats v in the shortest form that strtod reads back exactly; writes at
 * most 32 bytes including the NUL. Returns the length. Non-finite: "null". */
int jw_format_double(double v, char out[32]);

#endif
