/* docs/openapi.json: it parses, is OpenAPI 3, every $ref resolves, every
 * route of the API's table (api.c) is documented with its method and every
 * documented operation is a route, and the embedded copy served at
 * GET /v1/openapi.json is byte for byte the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/json.h"

extern const unsigned char wt_openapi_json[];
extern const size_t wt_openapi_json_len;

static struct buf doc_text;
static struct json_doc *doc;
static struct json_val root;

static int setup(void **state)
{
    (void)state;
    buf_init(&doc_text, 0);
    FILE *fp = fopen(WT_SOURCE_DIR "/docs/openapi.json", "rb");
    if (!fp)
        return -1;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&doc_text, chunk, n);
    fclose(fp);
    buf_reserve(&doc_text, JSON_PADDING);
    doc = json_doc_new(0);
    return json_parse(doc, doc_text.data, doc_text.len, doc_text.cap, &root) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_doc_free(doc);
    buf_release(&doc_text);
    return 0;
}

static void test_is_openapi3(void **state)
{
    (void)state;
    const char *v;
    assert_int_equal(json_get_str(&root, "openapi", &v, NULL), 0);
    assert_true(strncmp(v, "3.", 2) == 0);
    struct json_val info, paths;
    assert_int_equal(json_get(&root, "info", &info), 0);
    assert_int_equal(json_get_str(&info, "title", &v, NULL), 0);
    assert_int_equal(json_get(&root, "paths", &paths), 0);
    assert_int_equal(json_type_of(&paths), JSON_OBJECT);
}

/* Walks every value; each "$ref" must name an existing schema. */
static void check_refs(const struct json_val *v, const struct json_val *schemas, int *refs)
{
    enum json_type t = json_type_of(v);
    if (t != JSON_OBJECT && t != JSON_ARRAY)
        return;
    struct json_iter it;
    struct json_val c;
    assert_int_equal(json_iter_init(v, &it), 0);
    while (json_iter_next(&it, &c)) {
        if (t == JSON_OBJECT && c.keylen == 4 && memcmp(c.key, "$ref", 4) == 0) {
            const char *r;
            assert_int_equal(json_str(&c, &r, NULL), 0);
            const char *pre = "#/components/schemas/";
            assert_true(strncmp(r, pre, strlen(pre)) == 0);
            struct json_val target;
            if (json_find(schemas, r + strlen(pre), &target) != 0)
                fail_msg("unresolved $ref %s", r);
            (*refs)++;
        }
        check_refs(&c, schemas, refs);
    }
}

static void test_refs_resolve(void **state)
{
    (void)state;
    struct json_val comp, schemas;
    assert_int_equal(json_get(&root, "components", &comp), 0);
    assert_int_equal(json_get(&comp, "schemas", &schemas), 0);
    int refs = 0;
    check_refs(&root, &schemas, &refs);
    assert_true(refs > 10);
}

static void lower(const char *in, char *out, size_t n)
{
    size_t i = 0;
    for (; in[i] && i + 1 < n; i++)
        out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
    out[i] = '\0';
}

/* Whether the document has `method` on a path equal to `path`, or, for a
 * prefix route, on a path starting with it. */
static bool documented(const char *method, const char *path)
{
    struct json_val paths, p, op;
    assert_int_equal(json_get(&root, "paths", &paths), 0);
    char m[16];
    lower(method, m, sizeof m);
    size_t n = strlen(path);
    bool prefix = path[n - 1] == '/';
    struct json_iter it;
    json_iter_init(&paths, &it);
    while (json_iter_next(&it, &p)) {
        bool hit = prefix ? p.keylen > n && strncmp(p.key, path, n) == 0
                          : p.keylen == n && strncmp(p.key, path, n) == 0;
        if (hit && json_find(&p, m, &op) == 0)
            return true;
    }
    return false;
}

static void test_every_route_documented(void **state)
{
    (void)state;
    const char *method, *path;
    size_t n = 0;
    for (size_t i = 0; api_route_at(i, &method, &path); i++, n++)
        if (!documented(method, path))
            fail_msg("route %s %s is not in docs/openapi.json", method, path);
    assert_true(n >= 9);
}

/* The other way: every documented operation is served by some route. */
static void test_every_operation_routed(void **state)
{
    (void)state;
    struct json_val paths, p, op;
    assert_int_equal(json_get(&root, "paths", &paths), 0);
    struct json_iter it, it2;
    json_iter_init(&paths, &it);
    int ops = 0;
    while (json_iter_next(&it, &p)) {
        char path[256];
        snprintf(path, sizeof path, "%.*s", (int)p.keylen, p.key);
        json_iter_init(&p, &it2);
        while (json_iter_next(&it2, &op)) {
            char m[16];
            snprintf(m, sizeof m, "%.*s", (int)op.keylen, op.key);
            bool found = false;
            const char *rm, *rp;
            for (size_t i = 0; api_route_at(i, &rm, &rp); i++) {
                char lm[16];
                lower(rm, lm, sizeof lm);
                size_t n = strlen(rp);
                bool hit = rp[n - 1] == '/' ? strncmp(path, rp, n) == 0 : strcmp(path, rp) == 0;
                if (hit && strcmp(lm, m) == 0)
                    found = true;
            }
            if (!found)
                fail_msg("%s %s is documented but not routed", m, path);
            ops++;
        }
    }
    assert_true(ops >= 15);
}

static void test_embedded_copy_is_the_file(void **state)
{
    (void)state;
    assert_int_equal(wt_openapi_json_len, doc_text.len);
    assert_memory_equal(wt_openapi_json, doc_text.data, doc_text.len);
    assert_int_equal(wt_openapi_json[wt_openapi_json_len], 0);
}

/* The query parameters documented for an operation, space-separated
 * (after a leading space), into out. */
static void documented_params(const struct json_val *op, char *out, size_t size)
{
    struct json_val params, x;
    out[0] = '\0';
    if (json_get(op, "parameters", &params) != 0)
        return;
    for (size_t i = 0; json_index(&params, i, &x) == 0; i++) {
        const char *in, *name;
        if (json_get_str(&x, "in", &in, NULL) != 0 || strcmp(in, "query") != 0)
            continue;
        assert_int_equal(json_get_str(&x, "name", &name, NULL), 0);
        size_t used = strlen(out);
        snprintf(out + used, size - used, " %s", name);
    }
}

/* Whether the space-separated lists a and b hold the same names. */
static bool same_names(const char *a, const char *b)
{
    char word[64];
    for (int pass = 0; pass < 2; pass++) {
        const char *from = pass ? b : a, *other = pass ? a : b;
        for (const char *p = from; *p;) {
            while (*p == ' ')
                p++;
            size_t n = strcspn(p, " ");
            if (n == 0)
                break;
            snprintf(word, sizeof word, " %.*s ", (int)n, p);
            char padded[512];
            snprintf(padded, sizeof padded, " %s ", other);
            if (!strstr(padded, word))
                return false;
            p += n;
        }
    }
    return true;
}

/* Every route that declares its query parameters (api.c refuses any
 * other) documents exactly those on each of its operations. */
static void test_query_parameters_match_the_table(void **state)
{
    (void)state;
    struct json_val paths, p, op;
    assert_int_equal(json_get(&root, "paths", &paths), 0);
    const char *method, *path;
    int checked = 0;
    for (size_t i = 0; api_route_at(i, &method, &path); i++) {
        const char *want = api_route_params(i);
        if (!want)
            continue;
        char m[16];
        lower(method, m, sizeof m);
        size_t n = strlen(path);
        bool prefix = path[n - 1] == '/';
        struct json_iter it;
        json_iter_init(&paths, &it);
        while (json_iter_next(&it, &p)) {
            bool hit = prefix ? p.keylen > n && strncmp(p.key, path, n) == 0
                              : p.keylen == n && strncmp(p.key, path, n) == 0;
            if (!hit || json_find(&p, m, &op) != 0)
                continue;
            char got[512];
            documented_params(&op, got, sizeof got);
            if (!same_names(got, want))
                fail_msg("%s %.*s: documented query parameters '%s', the route takes '%s'", method,
                         (int)p.keylen, p.key, got, want);
            checked++;
        }
    }
    assert_true(checked >= 20);
}

/* The smart-money list parameters are exactly the spec's. */
static void test_list_parameters_are_the_specs(void **state)
{
    (void)state;
    static const char *const want[] = {"chains", "minScore",  "verified", "walletType",
                                       "sortBy", "sortOrder", "page",     "limit"};
    struct json_val paths, p, get, params, x;
    assert_int_equal(json_get(&root, "paths", &paths), 0);
    assert_int_equal(json_get(&paths, "/v1/smart-money/wallets", &p), 0);
    assert_int_equal(json_get(&p, "get", &get), 0);
    assert_int_equal(json_get(&get, "parameters", &params), 0);
    assert_int_equal(json_size(&params), 8);
    for (size_t i = 0; i < 8; i++) {
        const char *name;
        assert_int_equal(json_index(&params, i, &x), 0);
        assert_int_equal(json_get_str(&x, "name", &name, NULL), 0);
        assert_string_equal(name, want[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_openapi3),
        cmocka_unit_test(test_refs_resolve),
        cmocka_unit_test(test_every_route_documented),
        cmocka_unit_test(test_every_operation_routed),
        cmocka_unit_test(test_embedded_copy_is_the_file),
        cmocka_unit_test(test_list_parameters_are_the_specs),
        cmocka_unit_test(test_query_parameters_match_the_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
