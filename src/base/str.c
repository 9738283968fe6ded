/* Checked string-to-number conversions and bounded copies. See str.h. */
#include "base/str.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

int str_copy(char *dst, size_t dstsize, const char *src)
{
    if (dstsize == 0)
        return WT_EFULL;
    size_t n = strlen(src);
    int rc = 0;
    if (n >= dstsize) {
        n = dstsize - 1;
        rc = WT_EFULL;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return rc;
}

int str_to_u64_n(const char *s, size_t n, uint64_t *out)
{
    if (n == 0)
        return WT_EPARSE;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return WT_EPARSE;
        if (v > (UINT64_MAX - d) / 10)
            return WT_ERANGE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int str_to_u64(const char *s, uint64_t *out)
{
    return str_to_u64_n(s, strlen(s), out);
}

int str_to_i64_n(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    uint64_t u;
    int rc = str_to_u64_n(s, n, &u);
    if (rc)
        return rc;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return WT_ERANGE;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return WT_ERANGE;
        *out = (int64_t)u;
    }
    return 0;
}

int str_to_i64(const char *s, int64_t *out)
{
    return str_to_i64_n(s, strlen(s), out);
}

int str_to_double(const char *s, double *out)
{
    if (!*s || isspace((unsigned char)*s))
        return WT_EPARSE;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0')
        return WT_EPARSE;
    if (errno == ERANGE || !isfinite(v))
        return WT_ERANGE;
    *out = v;
    return 0;
}

bool str_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

int str_to_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (str_ieq(s, yes[i])) {
            *out = true;
            return 0;
        }
        if (str_ieq(s, no[i])) {
            *out = false;
            return 0;
        }
    }
    return WT_EPARSE;
}

bool str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    /* Always walk the expected secret (b) fully, so timing reveals only its
     * length, which is not secret enough to matter. */
    const unsigned char *x = a, *y = b;
    unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < blen; i++)
        diff |= (unsigned char)((i < alen ? x[i] : 0) ^ y[i]);
    return diff == 0;
}

char *str_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}
