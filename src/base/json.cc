// JSON parsing through simdjson's DOM, exposed as the C API of json.h.
//
// This is the only C++ in walltrack. It keeps simdjson's speed (the tape is
// built once, lookups walk it without allocating) and turns its results into
// WT_E* codes plus a message naming the JSON path of the value that was
// missing or had the wrong type, which is what a person debugging a payload
// needs. No exception crosses into C: only simdjson's error-code API is used.
#include "base/json.h"

#include <simdjson.h>

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>
#include <type_traits>

extern "C" {
#include "base/err.h"
#include "base/str.h"
}

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

static_assert(JSON_PADDING == simdjson::SIMDJSON_PADDING, "padding must match simdjson");
static_assert(sizeof(element) <= sizeof(((json_val *)nullptr)->elem_), "element fits");
static_assert(std::is_trivially_copyable<element>::value, "element is copyable");
static_assert(sizeof(array::iterator) <= sizeof(((json_iter *)nullptr)->cur_), "iter fits");
static_assert(sizeof(object::iterator) <= sizeof(((json_iter *)nullptr)->cur_), "iter fits");
static_assert(std::is_trivially_copyable<array::iterator>::value, "iter is copyable");
static_assert(std::is_trivially_copyable<object::iterator>::value, "iter is copyable");

struct json_doc {
    simdjson::dom::parser parser;
    char err[512];
};

static element elem_of(const json_val *v)
{
    element e;
    std::memcpy(static_cast<void *>(&e), v->elem_, sizeof e);
    return e;
}

static void make_val(json_val *out, json_doc *d, element e, const json_val *parent, const char *key,
                     size_t keylen, size_t index)
{
    // Every member is written below: no memset (this runs for every value
    // a walk visits).
    std::memcpy(out->elem_, static_cast<const void *>(&e), sizeof e);
    out->doc = d;
    out->parent = parent;
    out->key = key;
    out->keylen = (uint32_t)keylen;
    out->index = (uint32_t)index;
}

static void set_err(const json_val *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(const json_val *v, const char *fmt, ...)
{
    char path[256];
    json_path(v, path, sizeof path);
    json_doc *d = v->doc;
    int n = snprintf(d->err, sizeof d->err, "at %s: ", path);
    if (n < 0 || (size_t)n >= sizeof d->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err + n, sizeof d->err - (size_t)n, fmt, ap);
    va_end(ap);
}

template <typename It> static bool step(json_iter *it, json_val *out)
{
    It cur, end;
    std::memcpy(static_cast<void *>(&cur), it->cur_, sizeof cur);
    std::memcpy(static_cast<void *>(&end), it->end_, sizeof end);
    if (!(cur != end))
        return false;
    if constexpr (std::is_same<It, object::iterator>::value) {
        std::string_view k = cur.key();
        make_val(out, it->parent->doc, cur.value(), it->parent, k.data(), k.size(), it->index);
    } else {
        make_val(out, it->parent->doc, *cur, it->parent, nullptr, 0, it->index);
    }
    ++cur;
    it->index++;
    std::memcpy(it->cur_, static_cast<const void *>(&cur), sizeof cur);
    return true;
}

extern "C" {

json_doc *json_doc_new(uint32_t max_depth)
{
    json_doc *d = new (std::nothrow) json_doc();
    if (!d) {
        fprintf(stderr, "walltrack: out of memory allocating a JSON parser\n");
        abort();
    }
    d->err[0] = '\0';
    if (max_depth) {
        // Allocating the depth stack now fixes the limit; later capacity
        // growth keeps it (parser::ensure_capacity passes max_depth()).
        if (d->parser.allocate(simdjson::dom::MINIMAL_DOCUMENT_CAPACITY, max_depth) !=
            simdjson::SUCCESS) {
            fprintf(stderr, "walltrack: out of memory allocating a JSON parser\n");
            abort();
        }
    }
    return d;
}

void json_doc_free(json_doc *d)
{
    delete d;
}

const char *json_errmsg(const json_doc *d)
{
    return d->err;
}

int json_parse(json_doc *d, const char *data, size_t len, size_t cap, json_val *root)
{
    d->err[0] = '\0';
    bool in_place = cap >= len && cap - len >= JSON_PADDING;
    element e;
    auto err = d->parser.parse(data, len, !in_place).get(e);
    if (err) {
        snprintf(d->err, sizeof d->err, "invalid JSON: %s", simdjson::error_message(err));
        return err == simdjson::CAPACITY ? WT_ETOOBIG : WT_EPARSE;
    }
    make_val(root, d, e, nullptr, nullptr, 0, 0);
    return 0;
}

enum json_type json_type_of(const json_val *v)
{
    switch (elem_of(v).type()) {
    case element_type::ARRAY:
        return JSON_ARRAY;
    case element_type::OBJECT:
        return JSON_OBJECT;
    case element_type::INT64:
        return JSON_INT;
    case element_type::UINT64:
        return JSON_UINT;
    case element_type::DOUBLE:
        return JSON_DOUBLE;
    case element_type::STRING:
        return JSON_STRING;
    case element_type::BOOL:
        return JSON_BOOL;
    case element_type::NULL_VALUE:
        return JSON_NULL;
    }
    return JSON_NULL;
}

const char *json_type_name(enum json_type t)
{
    switch (t) {
    case JSON_NULL:
        return "null";
    case JSON_BOOL:
        return "boolean";
    case JSON_INT:
        return "integer";
    case JSON_UINT:
        return "integer";
    case JSON_DOUBLE:
        return "number";
    case JSON_STRING:
        return "string";
    case JSON_ARRAY:
        return "array";
    case JSON_OBJECT:
        return "object";
    }
    return "?";
}

bool json_is_null(const json_val *v)
{
    return elem_of(v).is_null();
}

size_t json_size(const json_val *v)
{
    element e = elem_of(v);
    if (e.type() == element_type::ARRAY) {
        array a;
        a = e.get_array().value_unsafe();
        return a.size();
    }
    if (e.type() == element_type::OBJECT) {
        object o;
        o = e.get_object().value_unsafe();
        return o.size();
    }
    return 0;
}

void json_path(const json_val *v, char *out, size_t outsize)
{
    const json_val *chain[64];
    size_t depth = 0;
    for (const json_val *p = v; p && p->parent; p = p->parent) {
        if (depth == 64)
            break;
        chain[depth++] = p;
    }
    size_t n = 0;
    auto put = [&](const char *s, size_t len) {
        for (size_t i = 0; i < len && n + 1 < outsize; i++)
            out[n++] = s[i];
    };
    if (outsize == 0)
        return;
    put("$", 1);
    if (depth == 64)
        put("...", 3);
    while (depth--) {
        const json_val *p = chain[depth];
        if (p->key) {
            put(".", 1);
            put(p->key, p->keylen);
        } else {
            char idx[24];
            int k = snprintf(idx, sizeof idx, "[%" PRIu32 "]", p->index);
            put(idx, (size_t)k);
        }
    }
    out[n] = '\0';
}

static int lookup(const json_val *obj, const char *key, json_val *out, bool record)
{
    element e = elem_of(obj);
    object o;
    if (e.get_object().get(o)) {
        set_err(obj, "expected an object, got %s", json_type_name(json_type_of(obj)));
        return WT_ETYPE;
    }
    // Walk the members ourselves so the key we keep points into the
    // document's string buffer (valid as long as the doc), not into `key`.
    size_t keylen = std::strlen(key);
    for (auto it = o.begin(); it != o.end(); ++it) {
        std::string_view k = it.key();
        if (k.size() == keylen && std::memcmp(k.data(), key, keylen) == 0) {
            make_val(out, obj->doc, it.value(), obj, k.data(), k.size(), 0);
            return 0;
        }
    }
    if (record)
        set_err(obj, "missing field \"%s\"", key);
    return WT_ENOTFOUND;
}

int json_find(const json_val *obj, const char *key, json_val *out)
{
    return lookup(obj, key, out, false);
}

int json_get(const json_val *obj, const char *key, json_val *out)
{
    return lookup(obj, key, out, true);
}

int json_index(const json_val *arr, size_t i, json_val *out)
{
    element e = elem_of(arr);
    array a;
    if (e.get_array().get(a)) {
        set_err(arr, "expected an array, got %s", json_type_name(json_type_of(arr)));
        return WT_ETYPE;
    }
    element item;
    if (a.at(i).get(item)) {
        set_err(arr, "index %zu out of range", i);
        return WT_ENOTFOUND;
    }
    make_val(out, arr->doc, item, arr, nullptr, 0, i);
    return 0;
}

int json_iter_init(const json_val *v, json_iter *it)
{
    element e = elem_of(v);
    std::memset(it, 0, sizeof *it);
    it->parent = v;
    array a;
    object o;
    if (!e.get_array().get(a)) {
        array::iterator b = a.begin(), en = a.end();
        std::memcpy(it->cur_, static_cast<const void *>(&b), sizeof b);
        std::memcpy(it->end_, static_cast<const void *>(&en), sizeof en);
        it->is_object = false;
        return 0;
    }
    if (!e.get_object().get(o)) {
        object::iterator b = o.begin(), en = o.end();
        std::memcpy(it->cur_, static_cast<const void *>(&b), sizeof b);
        std::memcpy(it->end_, static_cast<const void *>(&en), sizeof en);
        it->is_object = true;
        return 0;
    }
    set_err(v, "expected an array or object, got %s", json_type_name(json_type_of(v)));
    return WT_ETYPE;
}

bool json_iter_next(json_iter *it, json_val *out)
{
    if (!it->parent)
        return false;
    return it->is_object ? step<object::iterator>(it, out) : step<array::iterator>(it, out);
}

int json_u64(const json_val *v, uint64_t *out)
{
    element e = elem_of(v);
    switch (e.type()) {
    case element_type::UINT64:
        return *out = e.get_uint64().value_unsafe(), 0;
    case element_type::INT64: {
        int64_t i = 0;
        i = e.get_int64().value_unsafe();
        if (i < 0) {
            set_err(v, "expected an unsigned integer, got %" PRId64, i);
            return WT_ERANGE;
        }
        *out = (uint64_t)i;
        return 0;
    }
    case element_type::STRING: {
        std::string_view s;
        s = e.get_string().value_unsafe();
        int rc = str_to_u64_n(s.data(), s.size(), out);
        if (rc == WT_ERANGE)
            set_err(v, "integer string out of range for u64");
        else if (rc)
            set_err(v, "expected a string of decimal digits");
        return rc;
    }
    default:
        set_err(v, "expected an unsigned integer, got %s", json_type_name(json_type_of(v)));
        return WT_ETYPE;
    }
}

int json_i64(const json_val *v, int64_t *out)
{
    element e = elem_of(v);
    switch (e.type()) {
    case element_type::INT64:
        return *out = e.get_int64().value_unsafe(), 0;
    case element_type::UINT64:
        set_err(v, "integer out of range for i64");
        return WT_ERANGE;
    case element_type::STRING: {
        std::string_view s;
        s = e.get_string().value_unsafe();
        int rc = str_to_i64_n(s.data(), s.size(), out);
        if (rc == WT_ERANGE)
            set_err(v, "integer string out of range for i64");
        else if (rc)
            set_err(v, "expected a string holding an integer");
        return rc;
    }
    default:
        set_err(v, "expected an integer, got %s", json_type_name(json_type_of(v)));
        return WT_ETYPE;
    }
}

int json_double(const json_val *v, double *out)
{
    element e = elem_of(v);
    switch (e.type()) {
    case element_type::DOUBLE:
        return *out = e.get_double().value_unsafe(), 0;
    case element_type::INT64: {
        int64_t i = 0;
        i = e.get_int64().value_unsafe();
        *out = (double)i;
        return 0;
    }
    case element_type::UINT64: {
        uint64_t u = 0;
        u = e.get_uint64().value_unsafe();
        *out = (double)u;
        return 0;
    }
    default:
        set_err(v, "expected a number, got %s", json_type_name(json_type_of(v)));
        return WT_ETYPE;
    }
}

int json_bool(const json_val *v, bool *out)
{
    if (elem_of(v).get_bool().get(*out)) {
        set_err(v, "expected a boolean, got %s", json_type_name(json_type_of(v)));
        return WT_ETYPE;
    }
    return 0;
}

int json_str(const json_val *v, const char **s, size_t *len)
{
    std::string_view sv;
    if (elem_of(v).get_string().get(sv)) {
        set_err(v, "expected a string, got %s", json_type_name(json_type_of(v)));
        return WT_ETYPE;
    }
    // The DOM stores every string NUL-terminated in its string buffer.
    *s = sv.data();
    if (len)
        *len = sv.size();
    return 0;
}

#define WT_JSON_SHORTCUTS(name, type)                                                              \
    int json_get_##name(const json_val *obj, const char *key, type *out)                           \
    {                                                                                              \
        json_val v;                                                                                \
        int rc = json_get(obj, key, &v);                                                           \
        return rc ? rc : json_##name(&v, out);                                                     \
    }                                                                                              \
    int json_opt_##name(const json_val *obj, const char *key, type *out)                           \
    {                                                                                              \
        json_val v;                                                                                \
        int rc = json_find(obj, key, &v);                                                          \
        if (rc == WT_ENOTFOUND || (rc == 0 && json_is_null(&v)))                                   \
            return WT_ENOTFOUND;                                                                   \
        return rc ? rc : json_##name(&v, out);                                                     \
    }

WT_JSON_SHORTCUTS(u64, uint64_t)
WT_JSON_SHORTCUTS(i64, int64_t)
WT_JSON_SHORTCUTS(double, double)
WT_JSON_SHORTCUTS(bool, bool)

int json_get_str(const json_val *obj, const char *key, const char **s, size_t *len)
{
    json_val v;
    int rc = json_get(obj, key, &v);
    return rc ? rc : json_str(&v, s, len);
}

int json_opt_str(const json_val *obj, const char *key, const char **s, size_t *len)
{
    json_val v;
    int rc = json_find(obj, key, &v);
    if (rc == WT_ENOTFOUND || (rc == 0 && json_is_null(&v)))
        return WT_ENOTFOUND;
    return rc ? rc : json_str(&v, s, len);
}

} // extern "C"
