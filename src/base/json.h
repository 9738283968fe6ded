/* JSON parsing: a small C binding over simdjson's DOM parser.
 *
 * Why simdjson: on real Helius payloads it parses at several GB/s, 40x the
 * C DOM libraries (DESIGN §11). This header is the only way walltrack code
 * reads JSON; json.cc is the only C++ file in the project.
 *
 * Usage:
 *     struct json_doc *d = json_doc_new(0);
 *     struct json_val root, tx, fee;
 *     if (json_parse(d, body, len, cap, &root)) log(json_errmsg(d));
 *     json_index(&root, 0, &tx);
 *     uint64_t lamports;
 *     if (json_get_u64(&tx, "fee", &lamports)) log(json_errmsg(d));
 *         -> "at $[0].fee: expected an unsigned integer, got string"
 *
 * Ownership and lifetime: a json_doc owns the parsed document. Every
 * json_val and every string returned from it point into that document and
 * stay valid until the next json_parse on the same doc or json_doc_free.
 * A json_val also points at the json_val it was reached from (for error
 * paths), so walk with values on the stack, parents outliving children.
 *
 * Threads: a doc and its values belong to one thread at a time. Use one
 * doc per thread; reuse it across parses to keep its buffers.
 *
 * Errors: every function returns 0 or a negative WT_E* code; the failing
 * call writes a message with the JSON path into the doc (json_errmsg). */
#ifndef WT_BASE_JSON_H
#define WT_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes that must follow the document in the caller's buffer for an
 * in-place parse (simdjson's SIMDJSON_PADDING). */
#define JSON_PADDING 64

enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_INT,    /* a negative integer, or any integer fitting in i64 */
    JSON_UINT,   /* an integer above INT64_MAX */
    JSON_DOUBLE, /* a number with a fraction or exponent */
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_doc;

/* A position in a parsed document. Treat as opaque. */
struct json_val {
    uint64_t elem_[2]; /* simdjson::dom::element */
    struct json_doc *doc;
    const struct json_val *parent; /* for error paths; NULL at the root */
    const char *key;               /* key in the parent object, or NULL */
    uint32_t keylen;
    uint32_t index; /* index in the parent array */
};

struct json_iter {
    uint64_t cur_[2], end_[2];
    const struct json_val *parent;
    uint32_t index;
    bool is_object;
};

/* Creates a reusable parser. max_depth limits nesting (0: 1024).
 * Never NULL. */
struct json_doc *json_doc_new(uint32_t max_depth);
void json_doc_free(struct json_doc *d);

/* Parses data[0..len). When cap >= len + JSON_PADDING the bytes after len
 * are readable memory of the caller's and the parse happens in place with
 * no copy; otherwise the input is copied first. Returns 0 and the root, or
 * WT_EPARSE (invalid JSON, too deep) / WT_ETOOBIG with the message in
 * json_errmsg. */
int json_parse(struct json_doc *d, const char *data, size_t len, size_t cap, struct json_val *root);

/* The message of the last failure on this doc ("" if none). */
const char *json_errmsg(const struct json_doc *d);

enum json_type json_type_of(const struct json_val *v);
const char *json_type_name(enum json_type t);
bool json_is_null(const struct json_val *v);
/* Number of elements of an array or members of an object; 0 otherwise. */
size_t json_size(const struct json_val *v);

/* Writes the path of v ("$[0].events.swap") into out, truncated to fit. */
void json_path(const struct json_val *v, char *out, size_t outsize);

/* Looks up key in an object. json_find returns WT_ENOTFOUND quietly when the
 * key is absent; json_get records "missing field" as an error. Both return
 * WT_ETYPE when obj is not an object. */
int json_find(const struct json_val *obj, const char *key, struct json_val *out);
int json_get(const struct json_val *obj, const char *key, struct json_val *out);
/* Element i of an array: WT_ENOTFOUND past the end, WT_ETYPE if no array. */
int json_index(const struct json_val *arr, size_t i, struct json_val *out);

/* Iterates an array or an object in document order. For objects out->key
 * and out->keylen give the member's key. Returns WT_ETYPE for scalars. */
int json_iter_init(const struct json_val *v, struct json_iter *it);
bool json_iter_next(struct json_iter *it, struct json_val *out);

/* Conversions of a value. On failure they record an error naming the path
 * and leave *out untouched.
 * json_u64: a non-negative integer or a string of decimal digits, exact to
 *   18446744073709551615 (Helius sends raw token amounts as strings);
 *   WT_ERANGE when negative or too big, WT_ETYPE otherwise.
 * json_i64: an integer or a decimal string with optional sign.
 * json_double: any number.
 * json_str: a string; *s is NUL-terminated and lives as long as the doc.
 *   len may be NULL. */
int json_u64(const struct json_val *v, uint64_t *out);
int json_i64(const struct json_val *v, int64_t *out);
int json_double(const struct json_val *v, double *out);
int json_bool(const struct json_val *v, bool *out);
int json_str(const struct json_val *v, const char **s, size_t *len);

/* Member shortcuts: json_get_* fail with WT_ENOTFOUND (recorded) when the
 * key is absent; json_opt_* return WT_ENOTFOUND quietly when the key is
 * absent or its value is null, and still fail on a wrong type. */
int json_get_u64(const struct json_val *obj, const char *key, uint64_t *out);
int json_get_i64(const struct json_val *obj, const char *key, int64_t *out);
int json_get_double(const struct json_val *obj, const char *key, double *out);
int json_get_bool(const struct json_val *obj, const char *key, bool *out);
int json_get_str(const struct json_val *obj, const char *key, const char **s, size_t *len);
int json_opt_u64(const struct json_val *obj, const char *key, uint64_t *out);
int json_opt_i64(const struct json_val *obj, const char *key, int64_t *out);
int json_opt_double(const struct json_val *obj, const char *key, double *out);
int json_opt_bool(const struct json_val *obj, const char *key, bool *out);
int json_opt_str(const struct json_val *obj, const char *key, const char **s, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
