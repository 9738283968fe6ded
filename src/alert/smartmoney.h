/* Smart-money activity alerts (issue 19, item 5; spec: alerts on
 * smart-money activity).
 *
 * Two rules over every newly stored swap, independent of whether the
 * engine trades it:
 *   * group buy: at least min_wallets watched wallets — distinct
 *     clusters, where the graph module has put wallets in clusters —
 *     buy the same token within window_ms;
 *   * big buy: a verified watched wallet buys at least big_buy_sol.
 * An alert goes to the push notifiers (alert/notify.h, kind
 * "smart_money", severity warn so the default alert.min_severity lets it
 * through) and to the event stream (SSE event "smart_money"). Outside
 * quiet hours only for the push; the stream always gets it. No second
 * alert for the same token within cooldown_ms (both rules together).
 *
 * Times are the swaps' own (ts_ms), never the wall clock, so a replayed
 * or simulated market alerts exactly as it would have live. Quiet hours
 * are UTC hours of the swap.
 *
 * Threads: sm_feed and sm_after_commit on one thread (the inbox's commit
 * thread in `serve`); sm_set_watchlist and sm_refresh from any thread
 * (the watchlist is swapped under a mutex). */
#ifndef WT_ALERT_SMARTMONEY_H
#define WT_ALERT_SMARTMONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/notify.h"
#include "base/config.h"
#include "event/event.h"
#include "net/sse.h"
#include "store/store.h"

struct sm_params {
    uint32_t min_wallets; /* group buy from this many distinct wallets/clusters; 0 off */
    int64_t window_ms;    /* ... buying within this long */
    double big_buy_sol;   /* a verified wallet's buy of at least this; 0 off */
    int quiet_from;       /* UTC hour quiet hours start (inclusive), -1 none */
    int quiet_to;         /* UTC hour they end (exclusive) */
    int64_t cooldown_ms;  /* no repeat for a token within this */
};

/* min_wallets 3, window 30 min, big buy 10 SOL, no quiet hours, cooldown
 * 60 min. */
void sm_params_default(struct sm_params *p);
/* From the settings alert.smart_*. Returns 0, or WT_EINVAL with a message
 * in err (alert.smart_quiet_hours not "" nor "HH-HH"). */
int sm_params_from_config(const struct config *cfg, struct sm_params *p, char *err, size_t errsize);
/* Parses "22-07" (from 22:00 to 07:00 UTC) or "" (none). Returns 0 or
 * WT_EINVAL (nothing changed). */
int sm_parse_quiet(const char *s, int *from, int *to);

/* A watched wallet. group: its cluster id (> 0), or 0 when it belongs to
 * none (then it counts on its own). */
struct sm_wallet {
    struct pubkey key;
    bool verified;
    int64_t group;
};

enum sm_rule { SM_GROUP_BUY = 1, SM_BIG_BUY = 2 };

/* One alert. wallets: the distinct buyers of the window (group buy, up to
 * SM_MAX_LISTED) or the buyer (big buy). */
#define SM_MAX_LISTED 8
struct sm_alert {
    enum sm_rule rule;
    int64_t ts_ms;
    struct pubkey mint;
    uint32_t n_groups;  /* distinct wallets/clusters in the window */
    uint32_t n_wallets; /* distinct wallets in the window */
    struct pubkey wallets[SM_MAX_LISTED];
    double sol; /* big buy: its size; group buy: the window's SOL bought */
    bool quiet; /* inside quiet hours: not pushed */
};

struct smartmoney;

/* a and hub may be NULL (no push, no stream: sm_feed still returns the
 * alerts). Never NULL. */
struct smartmoney *sm_new(const struct sm_params *p, struct alerter *a, struct sse_hub *hub);
void sm_free(struct smartmoney *s);

/* Replaces the watched wallets (copied). */
void sm_set_watchlist(struct smartmoney *s, const struct sm_wallet *w, size_t n);
/* Loads the watchlist from the store: wallets with status watch, their
 * verified flag and their cluster (cluster_members, when any). Returns 0
 * or the store's error (the old watchlist stays). */
int sm_refresh(struct smartmoney *s, struct store *st);
size_t sm_watched(struct smartmoney *s);

/* Feeds one swap. Returns how many alerts it raised (0..2) into out[] and
 * sends them (push unless quiet, stream). Sells and unwatched wallets
 * only age the state out. */
size_t sm_feed(struct smartmoney *s, const struct swap_event *ev, struct sm_alert out[2]);

/* The inbox hook (store/gcommit.h after_commit, ctx the smartmoney):
 * feeds the newly stored swaps. */
void sm_after_commit(void *ctx, const struct event *ev, size_t n, const uint8_t *inserted);

/* The alert as JSON text (the stream's data), into b. */
void sm_alert_json(const struct sm_alert *a, struct buf *b);

#endif
