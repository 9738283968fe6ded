/* String and number helpers with explicit error checking.
 *
 * These replace atoi/strtol-without-checks and strcpy/strcat: every
 * conversion rejects empty input, trailing garbage and overflow. All are
 * pure functions, callable from any thread. */
#ifndef WT_BASE_STR_H
#define WT_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies at most dstsize-1 bytes of src and NUL-terminates. Returns 0, or
 * WT_EFULL when src was truncated (dst still holds the truncated copy). */
int str_copy(char *dst, size_t dstsize, const char *src);

/* Parses a whole string of decimal digits into a u64, exact up to
 * 18446744073709551615. Returns 0, WT_EPARSE (empty, sign, non-digit) or
 * WT_ERANGE (overflow). The _n variants take a length instead of a NUL. */
int str_to_u64(const char *s, uint64_t *out);
int str_to_u64_n(const char *s, size_t n, uint64_t *out);
/* Like str_to_u64 with an optional leading '-' or '+'. */
int str_to_i64(const char *s, int64_t *out);
int str_to_i64_n(const char *s, size_t n, int64_t *out);
/* Parses a finite double (strtod syntax, whole string). */
int str_to_double(const char *s, double *out);
/* Parses true/false/yes/no/on/off/1/0 (case-insensitive). */
int str_to_bool(const char *s, bool *out);

/* Case-insensitive ASCII comparison of two NUL-terminated strings. */
bool str_ieq(const char *a, const char *b);
bool str_starts_with(const char *s, const char *prefix);
/* Cuts spaces and tabs from both ends of s, in place (the end by writing
 * NULs). Returns the first byte kept, inside s. */
char *str_trim(char *s);
/* Compares two byte strings in time that depends only on their lengths,
 * for secrets (webhook secret, API token). Returns true when equal. */
bool str_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

#endif
