/* The live executor: real swaps on Solana through Jupiter, behind
 * trade/executor.h.
 *
 * For each order, on its own I/O thread:
 *   caps -> quote (Jupiter) -> swap transaction -> decode and check it ->
 *   sign (the fee-payer slot, solana/keypair) -> simulate (optional) ->
 *   send -> confirm (poll signature status until confirmed or the
 *   transaction's last valid block height has passed) -> read the real fill
 *   from the confirmed transaction's balance changes (getTransaction through
 *   the ingest decoder) -> exactly one EVENT_FILL through the sink.
 * An expired transaction, a slippage failure (Jupiter's custom error 6001,
 * a stale blockhash, a quote outside the order's slippage) is retried with
 * a fresh quote up to `retries` more times; any final failure is a FILLED
 * event with status FILL_FAILED and the reason, which the engine turns
 * into an alert. docs/live.md has the checks in detail.
 *
 * Arming (DESIGN §9): live trading needs a keypair (live.keypair_path, or
 * the key itself in $WALLTRACK_KEYPAIR), live.enabled = true and the --live
 * flag of `serve`. The per-trade and per-day caps (live.max_trade_sol,
 * live.max_daily_sol) are enforced here, on the I/O thread, so nothing the
 * engine does can get around them. Caps count SOL spent on buys; sells
 * bring SOL in and are not capped.
 *
 * Secrets: the executor owns the keypair it was given and frees (wipes) it
 * when freed; it only ever calls keypair_sign through tx_sign. */
#ifndef WT_TRADE_EXEC_LIVE_H
#define WT_TRADE_EXEC_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/config.h"
#include "net/httpc.h"
#include "trade/executor.h"

struct keypair;

/* Environment variable that may hold the key itself (JSON array or base58
 * of the 64 bytes), used when live.keypair_path is empty. */
#define EXEC_LIVE_KEY_ENV "WALLTRACK_KEYPAIR"

struct exec_live_opts {
    const char *const *rpc_urls; /* failover order; copied */
    size_t n_rpc;
    const char *jupiter_url; /* copied */
    const char *jupiter_key; /* NULL or "" for none; copied */
    uint64_t max_trade_lamports;
    uint64_t max_daily_lamports;
    uint16_t slippage_bps;     /* used when an order gives 0 */
    uint64_t priority_fee_max; /* lamports */
    int retries;               /* fresh-quote retries after the first attempt */
    bool simulate;             /* simulateTransaction before sending */
    bool skip_preflight;
    int send_max_retries;          /* sendTransaction maxRetries; < 0 leaves it to the node */
    unsigned confirm_poll_ms;      /* between status polls */
    unsigned max_polls;            /* give up confirming after this many polls */
    const struct clock *clock;     /* fill times and the daily cap's UTC day; must outlive */
    const struct httpc_opts *http; /* NULL for httpc's defaults */
};

/* A comma-separated URL list (rpc.urls) split in place. */
#define EXEC_LIVE_MAX_URLS 16
struct exec_live_urls {
    char *buf;                         /* owned copy of the list */
    const char *v[EXEC_LIVE_MAX_URLS]; /* point into buf */
    size_t n;
};

/* Splits list at commas, trimming blanks and dropping empty items.
 * Returns 0 (u->n may be 0), or WT_ERANGE past EXEC_LIVE_MAX_URLS. Release
 * u with exec_live_urls_release in both cases. Any thread. */
int exec_live_urls_parse(const char *list, struct exec_live_urls *u);
void exec_live_urls_release(struct exec_live_urls *u);

/* Fills the non-pointer fields of o from cfg (caps, slippage, retries,
 * simulate, ...). Pointer fields are left as they are. */
void exec_live_opts_from_config(const struct config *cfg, struct exec_live_opts *o);

/* Loads the trading keypair: live.keypair_path when set, else
 * $WALLTRACK_KEYPAIR. Returns 0 and *out (the caller frees it), or the
 * loader's error with a reason in err that never contains key material;
 * WT_ENOTFOUND when neither is set. */
int exec_live_load_keypair(const struct config *cfg, struct keypair **out, char *err,
                           size_t errsize);

/* Decides whether `serve` may trade live: live_flag (--live) and
 * live.enabled must both be on, the keypair must load and match, rpc.urls
 * must name an endpoint, and both caps must be above zero. Returns 0 when
 * armed; otherwise WT_ESTATE (or the keypair loader's code) with the first
 * missing condition in reason. Any thread. */
int exec_live_arm_validate(const struct config *cfg, bool live_flag, char *reason,
                           size_t reason_size);

/* Starts a live executor. It takes ownership of kp (freed, wiped, with the
 * executor, or at once on failure). sink.emit is called from the
 * executor's I/O thread. Returns 0 and *out (free with executor_free, which
 * stops the thread; orders still queued then get FAILED fills), or
 * WT_EINVAL with err set when the options are unusable. */
int exec_live_new(const struct exec_live_opts *o, struct keypair *kp, struct exec_sink sink,
                  struct executor **out, char *err, size_t errsize);

/* Lamports spent on buys so far in the current UTC day (for status pages).
 * Any thread. */
uint64_t exec_live_spent_today(struct executor *x);

#endif
