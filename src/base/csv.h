/* CSV exports of JSON lists: what `--format csv` (CLI) and `?format=csv`
 * (API) write, from the JSON the same command or route answers, so every
 * list (including the ones added later) exports with no code of its own.
 *
 * The rows are the objects of the list: the top-level array, or else the
 * first member of the top-level object whose value is an array of objects
 * ({"signals": [...]}, {"wallets": [...], "total": 12}). The columns are the
 * keys of the rows in order of first appearance, a nested object's keys
 * flattened as "outer.inner"; a row without a key has an empty cell.
 * Strings are written as they are, numbers as in the JSON, booleans as
 * true/false, null as empty, an array as its JSON text. RFC 4180: fields with a comma, quote, CR or
 * LF are quoted, quotes doubled, lines end with CRLF. A string cell starting with = + - @ (or a
 * tab/CR) gets a leading ' so that a spreadsheet does not run it as a formula (CSV injection);
 * numbers are never altered.
 *
 * base/: no logging. Any thread. */
#ifndef WT_BASE_CSV_H
#define WT_BASE_CSV_H

#include <stddef.h>

#include "base/buf.h"

/* Appends the CSV of the JSON json[0..len) (cap as json_parse) to out.
 * Returns 0, WT_EPARSE (not JSON) or WT_ENOTFOUND (no list of objects in
 * it), with the reason in err. */
int csv_from_json(const char *json, size_t len, size_t cap, struct buf *out, char *err,
                  size_t errsize);

#endif
