/* Exit strategies: the named rule sets that decide when a position sells.
 *
 * A strategy is plain data (no pointers), so it can be copied into a
 * position, stored as JSON and compared byte for byte. The rules and their
 * precedence are described in docs/exits.md; position.c evaluates them.
 *
 * An exit book holds the named strategies, the default one, and the
 * score-based overrides ("score >= 0.85 -> runner"). All functions are pure
 * and may be called from any thread on data the caller owns. */
#ifndef WT_TRADE_EXITS_H
#define WT_TRADE_EXITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/jw.h"

#define EXIT_NAME_MAX      32 /* bytes including the NUL */
#define EXIT_TP_MAX        8  /* take-profit levels per strategy */
#define EXIT_BOOK_MAX      16 /* strategies in a book */
#define EXIT_OVERRIDE_MAX  8  /* score overrides in a book */
#define EXIT_ERR_MAX       160
#define EXIT_JSON_MAX_SIZE 4096

/* One take-profit level: when the price reaches multiple x entry, sell
 * fraction of the ORIGINAL token amount. */
struct exit_tp {
    double multiple; /* > 1 */
    double fraction; /* (0, 1] */
};

/* A named exit strategy. A value of 0 disables a rule (stop_loss,
 * trail_activation, max_hold_ms, stagnation_ms).
 * Invariants (exit_strategy_validate): name is non-empty, NUL-terminated,
 * made of [A-Za-z0-9_.-]; 0 <= stop_loss < 1; tp[0..n_tp) have strictly
 * ascending multiples > 1 and fractions in (0, 1]; the sum of the tp
 * fractions plus moonbag is <= 1; 0 <= moonbag <= 1; trailing is either
 * disabled (activation 0 and distance 0) or activation >= 1 and distance in
 * (0, 1); stagnation is either disabled (band 0 and ms 0) or band in (0, 1)
 * and ms > 0; max_hold_ms >= 0. */
struct exit_strategy {
    char name[EXIT_NAME_MAX];
    double stop_loss; /* sell when price <= entry * (1 - stop_loss) */
    uint32_t n_tp;
    struct exit_tp tp[EXIT_TP_MAX];
    /* Fraction of the original amount that only the trailing stop and the
     * maximum hold may sell. It is locked once a take-profit has sold
     * something, or from entry when moonbag_from_entry is set. */
    double moonbag;
    bool moonbag_from_entry;
    double trail_activation;  /* arm when peak >= entry * activation */
    double trail_distance;    /* then sell when price <= peak * (1 - distance) */
    int64_t max_hold_ms;      /* sell everything when held this long */
    double stagnation_band;   /* price within +-band of the window's anchor... */
    int64_t stagnation_ms;    /* ...for this long: sell */
    bool exit_on_wallet_sell; /* sell when the copied wallet sells the mint */
};

/* Fills s with the default strategy "default": stop-loss 30%, sell 50% at
 * 2x, the other 50% is the moonbag; trailing stop armed at 2x with 30%
 * distance; maximum hold 24 h; stagnation +-5% for 60 min; no wallet exit. */
void exit_strategy_default(struct exit_strategy *s);
/* Fills s with "runner", the strategy for high-conviction signals:
 * stop-loss 35%, sell 25% at 3x and 25% at 5x, 50% moonbag; trailing armed
 * at 3x with 35% distance; maximum hold 72 h; no stagnation exit; exit when
 * the copied wallet sells. */
void exit_strategy_runner(struct exit_strategy *s);

/* Checks the invariants above. Returns 0, or WT_EINVAL with a sentence
 * naming the field in err (may be NULL). */
int exit_strategy_validate(const struct exit_strategy *s, char *err, size_t errsize);

/* Writes s as one JSON object value (the writer may be inside an array or
 * after a key). */
void exit_strategy_write(const struct exit_strategy *s, struct jw *w);
/* Appends the JSON of s to out. Returns 0 or WT_EFULL. */
int exit_strategy_format(const struct exit_strategy *s, struct buf *out);
/* Parses the JSON object produced by exit_strategy_format. Every field is
 * required except moonbag_from_entry (default false); unknown fields are
 * rejected so a misspelt rule is not silently disabled. The result is
 * validated. Returns 0 and fills *out; WT_EPARSE, WT_ETYPE, WT_ENOTFOUND,
 * WT_ERANGE or WT_EINVAL with a message naming the field in err, leaving
 * *out unchanged. */
int exit_strategy_parse(const char *json, size_t len, struct exit_strategy *out, char *err,
                        size_t errsize);
struct json_val;
/* Same, from an already parsed object (for embedding in larger documents).
 * Messages from the JSON layer carry the path of the bad field. */
int exit_strategy_from_json(const struct json_val *obj, struct exit_strategy *out, char *err,
                            size_t errsize);

/* Use `strategy` for signals whose score is >= min_score. */
struct exit_override {
    double min_score;
    char strategy[EXIT_NAME_MAX];
};

/* The strategies an engine knows, the default and the score overrides.
 * Invariants (exit_book_validate): names are unique and valid strategies;
 * default_name and every override name exist in the book; override
 * min_scores are in [0, 1] and distinct. */
struct exit_book {
    uint32_t n;
    struct exit_strategy s[EXIT_BOOK_MAX];
    char default_name[EXIT_NAME_MAX];
    uint32_t n_overrides;
    struct exit_override overrides[EXIT_OVERRIDE_MAX];
};

/* A book with "default" and "runner" and the override score >= 0.85 ->
 * "runner". */
void exit_book_init_default(struct exit_book *b);
/* Adds s or replaces the strategy of the same name. Returns 0, WT_EINVAL
 * (invalid strategy, message in err) or WT_EFULL. */
int exit_book_put(struct exit_book *b, const struct exit_strategy *s, char *err, size_t errsize);
/* The strategy named name, or NULL. The pointer is valid until the book
 * changes. */
const struct exit_strategy *exit_book_find(const struct exit_book *b, const char *name);
/* Adds or replaces (same min_score) an override. Returns 0, WT_ENOTFOUND
 * (no such strategy), WT_EINVAL (score out of [0, 1]) or WT_EFULL. */
int exit_book_set_override(struct exit_book *b, double min_score, const char *name);
/* Sets the default strategy. Returns 0 or WT_ENOTFOUND. */
int exit_book_set_default(struct exit_book *b, const char *name);
/* The strategy for a signal of this score: the override with the highest
 * min_score <= score, else the default. Never NULL on a valid book. */
const struct exit_strategy *exit_book_select(const struct exit_book *b, double score);
/* Checks the book invariants. Returns 0 or WT_EINVAL with a message. */
int exit_book_validate(const struct exit_book *b, char *err, size_t errsize);

/* Whether name is one of the built-in strategies ("default", "runner"):
 * they may be edited but not removed, so the default configuration always
 * names strategies that exist. */
bool exit_strategy_builtin(const char *name);
/* Removes the strategy called name. Refused, with a message naming the
 * reason: WT_ENOTFOUND (no such strategy), WT_EINVAL (built in), WT_ESTATE
 * (it is the default or an override uses it). Open positions keep their
 * own copy of a removed strategy. */
int exit_book_remove(struct exit_book *b, const char *name, char *err, size_t errsize);

/* Parses the score overrides of the setting trade.exit_overrides:
 * "SCORE:NAME" pairs separated by commas (spaces allowed), e.g.
 * "0.85:runner, 0.95:moon"; "" or "none" for none. Replaces b's overrides
 * on success. The names are checked for their form only: whether each
 * strategy exists is the book's invariant (exit_book_validate). Returns 0
 * or WT_EINVAL with a message naming the bad pair in err, b unchanged. */
int exit_overrides_parse(const char *text, struct exit_book *b, char *err, size_t errsize);
/* Writes b's overrides in the form exit_overrides_parse reads, by
 * ascending score ("" when there are none). Returns 0 or WT_EFULL. */
int exit_overrides_format(const struct exit_book *b, char *out, size_t outsize);

#endif
