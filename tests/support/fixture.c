/* Test helpers shared by the solana and net tests: reading fixture files
 * with JSON padding, and hex decoding. Included into a test's .c
 * (#include "../support/fixture.c"), so every function is static. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

/* Reads WT_FIXTURES/rel into a malloc'd buffer with JSON_PADDING spare
 * bytes and a NUL. Aborts the test run when the file is missing. */
__attribute__((unused)) static char *fixture_read(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WT_FIXTURES, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "missing fixture %s\n", path);
        abort();
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = calloc(1, (size_t)n + JSON_PADDING + 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n)
        abort();
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Decodes a hex string into out (at most cap bytes). Returns the length or
 * aborts on bad hex. */
__attribute__((unused)) static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap)
        abort();
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            abort();
        out[i] = (uint8_t)v;
    }
    return n / 2;
}
