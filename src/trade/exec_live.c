/* The live executor: turns the engine's orders into real Jupiter swaps and
 * reports what actually happened on chain as fill events.
 *
 * Why the checks between Jupiter and the signature: Jupiter builds the
 * transaction we sign with the trading key, so a bug or a compromise there
 * could make us sign something else (another fee payer, a second signer, a
 * transfer of our SOL, a delegation of our tokens, a swap into another
 * mint, a worse price than quoted). Everything that can be read from the
 * wire bytes is checked before signing (trade/live_policy.h); what lives
 * in address lookup tables cannot be, and docs/live.md says so.
 *
 * Why the fill comes from getTransaction: the quote says what we might
 * get; the confirmed transaction's balance changes say what we got. The
 * ingest decoder (the same net-balance rules as for tracked wallets) turns
 * them into amounts.
 *
 * Threads: submit() (engine thread) only copies the order into a queue;
 * the I/O thread owns the RPC and Jupiter clients, the keypair and the
 * daily counter, and is the only caller of sink.emit. */
#include "trade/exec_live.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/base64.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/waiter.h"
#include "ingest/helius.h"
#include "market/jupiter.h"
#include "solana/keypair.h"
#include "solana/rpc.h"
#include "solana/tx.h"
#include "trade/live_policy.h"

#define LAMPORTS_PER_SOL 1000000000ull
/* lastValidBlockHeight = block height + 150 (MAX_PROCESSING_AGE), so the
 * current height is the latest blockhash's last valid height minus 150. */
#define BLOCKHASH_VALID_BLOCKS 150
/* Jupiter's SlippageToleranceExceeded (custom program error 0x1771). */
#define JUP_SLIPPAGE_ERROR 6001
#define QUEUE_MAX          1024

struct queued {
    struct exec_order o;
};

/* Invariants: q_len <= QUEUE_MAX; only the I/O thread touches rpc, jup,
 * kp, dec, day and spent (spent is also read under mu). */
struct exec_live {
    struct executor base; /* first: the engine holds a struct executor * */
    struct exec_live_opts o;
    char **urls;
    char *jup_url, *jup_key;
    struct keypair *kp;
    struct pubkey me;
    struct rpc *rpc;
    struct jupiter *jup;
    struct helius_decoder *dec;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
    struct queued q[QUEUE_MAX];
    size_t q_head, q_len;
    int64_t day;    /* UTC day number of `spent` */
    uint64_t spent; /* lamports spent on buys that day */
};

/* The outcome of one attempt. */
enum attempt_rc { ATT_FILLED, ATT_RETRY, ATT_FAIL };

struct attempt {
    char why[96];
    struct signature sig;
    bool has_sig;
};

static void why(struct attempt *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why(struct attempt *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->why, sizeof a->why, fmt, ap);
    va_end(ap);
}

/* ---- configuration and arming ------------------------------------------- */

static uint64_t sol_to_lamports(double sol)
{
    if (!(sol > 0))
        return 0;
    return (uint64_t)llround(sol * (double)LAMPORTS_PER_SOL);
}

int exec_live_urls_parse(const char *list, struct exec_live_urls *u)
{
    memset(u, 0, sizeof *u);
    u->buf = xstrdup(list);
    char *save = NULL;
    for (char *t = strtok_r(u->buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        t = str_trim(t);
        if (!*t)
            continue;
        if (u->n == EXEC_LIVE_MAX_URLS)
            return WT_ERANGE;
        u->v[u->n++] = t;
    }
    return 0;
}

void exec_live_urls_release(struct exec_live_urls *u)
{
    free(u->buf);
    memset(u, 0, sizeof *u);
}

void exec_live_opts_from_config(const struct config *cfg, struct exec_live_opts *o)
{
    o->max_trade_lamports = sol_to_lamports(config_double(cfg, CFG_LIVE_MAX_TRADE_SOL));
    o->max_daily_lamports = sol_to_lamports(config_double(cfg, CFG_LIVE_MAX_DAILY_SOL));
    o->slippage_bps = (uint16_t)config_int(cfg, CFG_LIVE_SLIPPAGE_BPS);
    o->priority_fee_max = (uint64_t)config_int(cfg, CFG_LIVE_PRIORITY_FEE_MAX);
    o->retries = (int)config_int(cfg, CFG_LIVE_RETRIES);
    o->simulate = config_bool(cfg, CFG_LIVE_SIMULATE);
    o->skip_preflight = config_bool(cfg, CFG_LIVE_SKIP_PREFLIGHT);
    o->send_max_retries = (int)config_int(cfg, CFG_LIVE_SEND_MAX_RETRIES);
    o->confirm_poll_ms = (unsigned)config_int(cfg, CFG_LIVE_CONFIRM_POLL_MS);
    o->max_polls = (unsigned)config_int(cfg, CFG_LIVE_MAX_POLLS);
}

int exec_live_load_keypair(const struct config *cfg, struct keypair **out, char *err,
                           size_t errsize)
{
    const char *path = config_str(cfg, CFG_LIVE_KEYPAIR_PATH);
    char e[256] = "";
    int rc;
    *out = NULL;
    if (path[0]) {
        rc = keypair_load_file(path, out, e, sizeof e);
        if (rc)
            snprintf(err, errsize, "keypair file (live.keypair_path): %s", e);
        return rc;
    }
    rc = keypair_load_env(EXEC_LIVE_KEY_ENV, out, e, sizeof e);
    if (rc == WT_ENOTFOUND)
        snprintf(err, errsize, "no keypair: set live.keypair_path or %s", EXEC_LIVE_KEY_ENV);
    else if (rc)
        snprintf(err, errsize, "keypair in %s: %s", EXEC_LIVE_KEY_ENV, e);
    return rc;
}

int exec_live_arm_validate(const struct config *cfg, bool live_flag, char *reason,
                           size_t reason_size)
{
    struct keypair *kp = NULL;
    int rc;
    if (!live_flag) {
        snprintf(reason, reason_size, "the --live flag was not given");
        return WT_ESTATE;
    }
    if (!config_bool(cfg, CFG_LIVE_ENABLED)) {
        snprintf(reason, reason_size, "live.enabled is false");
        return WT_ESTATE;
    }
    struct exec_live_urls u;
    rc = exec_live_urls_parse(config_str(cfg, CFG_RPC_URLS), &u);
    size_t n_urls = u.n;
    exec_live_urls_release(&u);
    if (rc || n_urls == 0) {
        snprintf(reason, reason_size, "rpc.urls %s", rc ? "lists too many URLs" : "is empty");
        return WT_ESTATE;
    }
    if (sol_to_lamports(config_double(cfg, CFG_LIVE_MAX_TRADE_SOL)) == 0 ||
        sol_to_lamports(config_double(cfg, CFG_LIVE_MAX_DAILY_SOL)) == 0) {
        snprintf(reason, reason_size, "live.max_trade_sol and live.max_daily_sol must be above 0");
        return WT_ESTATE;
    }
    if ((rc = exec_live_load_keypair(cfg, &kp, reason, reason_size)))
        return rc;
    keypair_free(kp);
    reason[0] = '\0';
    return 0;
}

/* ---- the I/O thread ------------------------------------------------------ */

static bool stopping(struct exec_live *x)
{
    pthread_mutex_lock(&x->mu);
    bool s = x->stopping;
    pthread_mutex_unlock(&x->mu);
    return s;
}

/* Sleeps ms unless stopping. Returns false when stopping. */
static bool nap(struct exec_live *x, unsigned ms)
{
    struct timespec ts;
    deadline_after_ms(&ts, ms); /* x->cv is on CLOCK_MONOTONIC */
    pthread_mutex_lock(&x->mu);
    while (!x->stopping && pthread_cond_timedwait(&x->cv, &x->mu, &ts) != ETIMEDOUT)
        ;
    bool go = !x->stopping;
    pthread_mutex_unlock(&x->mu);
    return go;
}

static bool retryable_tx_err(const struct rpc_tx_err *e)
{
    if (!e->set)
        return false;
    if (strcmp(e->text, "BlockhashNotFound") == 0 || strstr(e->text, "BlockhashNotFound"))
        return true;
    return e->has_custom && e->custom == JUP_SLIPPAGE_ERROR;
}

/* Reads our fill from the confirmed transaction. */
static bool read_fill(struct exec_live *x, const struct exec_order *o, const char *sig,
                      struct fill_event *f, struct attempt *a)
{
    struct httpc_resp body;
    struct helius_out out;
    bool ok = false;
    int rc = WT_ENOTFOUND;
    httpc_resp_init(&body);
    memset(&out, 0, sizeof out);
    /* A node may answer null for a moment after the status says confirmed. */
    for (unsigned i = 0; i < 10 && rc == WT_ENOTFOUND; i++) {
        rc = rpc_get_transaction(x->rpc, sig, RPC_CONFIRMED, &body);
        if (rc == WT_ENOTFOUND && !nap(x, x->o.confirm_poll_ms))
            break;
    }
    if (rc) {
        why(a, "confirmed, but getTransaction failed: %s", rpc_last_error(x->rpc)->message);
        goto out;
    }
    if (helius_decode(x->dec, body.body.data, body.body.len, body.body.cap, &out, NULL)) {
        why(a, "confirmed, but the transaction did not decode: %.40s", helius_errmsg(x->dec));
        goto out;
    }
    struct pubkey wsol;
    pubkey_parse(MINT_WSOL, &wsol);
    for (size_t i = 0; i < out.events.len; i++) {
        const struct event *e = &out.events.v[i];
        if (e->kind != EVENT_SWAP)
            continue;
        const struct swap_event *s = &e->u.swap;
        if (!pubkey_eq(&s->wallet, &x->me) || !pubkey_eq(&s->mint, &o->mint) ||
            s->side != o->side || !pubkey_eq(&s->quote_mint, &wsol))
            continue;
        f->token_amount = s->token_amount;
        f->sol_amount = s->quote_amount;
        f->fee_lamports = s->fee_lamports;
        f->price_sol = s->price_sol;
        if (!(f->price_sol > 0) && s->token_amount)
            f->price_sol = ((double)s->quote_amount / (double)LAMPORTS_PER_SOL) /
                           ((double)s->token_amount / pow(10.0, s->decimals));
        ok = true;
        break;
    }
    if (!ok) {
        const char *skip = out.txs.len ? skip_reason_name(out.txs.v[0].skip) : "empty";
        why(a, "confirmed, but no swap of ours in it (%s)", skip);
    }
out:
    helius_out_release(&out);
    httpc_resp_release(&body);
    return ok;
}

/* One attempt: quote, build, check, sign, simulate, send, confirm, read. */
static enum attempt_rc attempt_once(struct exec_live *x, const struct exec_order *o,
                                    struct fill_event *f, struct attempt *a)
{
    struct jup_quote q;
    struct jup_swap *sw = xcalloc(1, sizeof *sw);
    struct tx *tx = xmalloc(sizeof *tx);
    enum attempt_rc res = ATT_FAIL;
    bool buy = o->side == SIDE_BUY;
    uint16_t slip = o->slippage_bps ? o->slippage_bps : x->o.slippage_bps;
    char sig[BASE58_SIG_MAX];
    int rc;
    memset(&q, 0, sizeof q);

    struct jup_quote_req qr = {.amount = buy ? o->sol_in : o->token_in, .slippage_bps = slip};
    pubkey_parse(MINT_WSOL, buy ? &qr.input_mint : &qr.output_mint);
    if (buy)
        qr.output_mint = o->mint;
    else
        qr.input_mint = o->mint;
    if ((rc = jupiter_quote(x->jup, &qr, &q))) {
        const struct jup_error *e = jupiter_last_error(x->jup);
        why(a, "quote: %s", e->message);
        res = (e->kind == JUP_ERR_RATE_LIMITED || e->kind == JUP_ERR_SERVER || rc == WT_ENET ||
               rc == WT_ETIMEOUT)
                  ? ATT_RETRY
                  : ATT_FAIL;
        goto out;
    }
    if (!live_policy_quote_allowed(o, &q, slip, a->why, sizeof a->why)) {
        res = ATT_RETRY;
        goto out;
    }
    struct jup_swap_req sr = {.user = x->me,
                              .wrap_unwrap_sol = true,
                              .dynamic_cu_limit = true,
                              .priority_fee_max = x->o.priority_fee_max};
    if ((rc = jupiter_swap(x->jup, &q, &sr, sw))) {
        const struct jup_error *e = jupiter_last_error(x->jup);
        why(a, "swap: %s", e->message);
        res = e->kind == JUP_ERR_NO_ROUTE || e->kind == JUP_ERR_NOT_TRADABLE ||
                      e->kind == JUP_ERR_BAD_REQUEST || e->kind == JUP_ERR_UNAUTHORIZED
                  ? ATT_FAIL
                  : ATT_RETRY;
        goto out;
    }
    if ((rc = tx_decode(sw->wire, sw->len, tx))) {
        why(a, "swap transaction does not decode: %s", wt_strerror(rc));
        goto out;
    }
    if (!live_policy_tx_allowed(tx, &x->me, &q, buy, a->why, sizeof a->why))
        goto out;
    if ((rc = tx_sign(tx, sw->wire, x->kp))) {
        why(a, "signing: %s", wt_strerror(rc));
        goto out;
    }
    memcpy(a->sig.b, tx->sigs, 64);
    a->has_sig = true;
    tx_signature_id(tx, sig, sizeof sig);

    if (x->o.simulate) {
        struct rpc_sim_result sim;
        memset(&sim, 0, sizeof sim);
        buf_init(&sim.logs, 0);
        rc = rpc_simulate(x->rpc, sw->wire, sw->len, true, false, RPC_CONFIRMED, &sim);
        bool retry = retryable_tx_err(&sim.err);
        if (rc)
            why(a, "simulate: %s", rpc_last_error(x->rpc)->message);
        else if (sim.err.set)
            why(a, "simulation failed: %s", sim.err.text);
        buf_release(&sim.logs);
        if (rc || sim.err.set) {
            a->has_sig = false; /* never sent */
            res = (rc && rc != WT_EREMOTE) || retry ? ATT_RETRY : ATT_FAIL;
            goto out;
        }
    }

    struct rpc_send_opts so = {.skip_preflight = x->o.skip_preflight,
                               .max_retries = x->o.send_max_retries,
                               .preflight_commitment = RPC_CONFIRMED};
    char got[BASE58_SIG_MAX];
    if ((rc = rpc_send_transaction(x->rpc, sw->wire, sw->len, &so, got))) {
        const struct rpc_error *e = rpc_last_error(x->rpc);
        why(a, "send: %s", e->message);
        res = rc == WT_EREMOTE && !retryable_tx_err(&e->err) ? ATT_FAIL : ATT_RETRY;
        /* A preflight refusal means it was not broadcast; a network error
         * may have sent it, so we keep confirming in that case below. */
        if (rc == WT_EREMOTE) {
            a->has_sig = false;
            goto out;
        }
    } else if (strcmp(got, sig) != 0) {
        log_warn("live", "node returned signature %s for %s", got, sig);
    }
    log_info("live", "order %llu: sent %s (%s %llu)", (unsigned long long)o->id, sig,
             buy ? "buy, lamports" : "sell, raw units", (unsigned long long)qr.amount);

    /* Confirm: poll until confirmed or the blockhash has expired. */
    for (unsigned poll = 0;; poll++) {
        struct rpc_sig_status st;
        const char *sigs[1] = {sig};
        if (rpc_get_signature_statuses(x->rpc, sigs, 1, false, &st) == 0 && st.found) {
            if (st.err.set) {
                why(a, "failed on chain: %s", st.err.text);
                res = retryable_tx_err(&st.err) ? ATT_RETRY : ATT_FAIL;
                goto out;
            }
            if (st.status == RPC_CONF_CONFIRMED || st.status == RPC_CONF_FINALIZED)
                break;
        }
        uint8_t bh[32];
        uint64_t lvbh = 0, slot = 0;
        if (rpc_get_latest_blockhash(x->rpc, RPC_CONFIRMED, bh, &lvbh, &slot) == 0 &&
            lvbh > BLOCKHASH_VALID_BLOCKS &&
            lvbh - BLOCKHASH_VALID_BLOCKS > sw->last_valid_block_height) {
            /* One last look: it may have landed in the final blocks. */
            if (rpc_get_signature_statuses(x->rpc, sigs, 1, true, &st) == 0 && st.found &&
                !st.err.set && st.status >= RPC_CONF_CONFIRMED)
                break;
            why(a, "expired unconfirmed (block height passed %llu)",
                (unsigned long long)sw->last_valid_block_height);
            res = ATT_RETRY;
            goto out;
        }
        if (poll + 1 >= x->o.max_polls) {
            why(a, "not confirmed after %u polls; check %.20s…", x->o.max_polls, sig);
            goto out;
        }
        if (!nap(x, x->o.confirm_poll_ms)) {
            why(a, "stopped while confirming %.20s…", sig);
            goto out;
        }
    }
    if (!read_fill(x, o, sig, f, a))
        goto out;
    log_info("live", "order %llu: confirmed %s, %llu raw units for %llu lamports",
             (unsigned long long)o->id, sig, (unsigned long long)f->token_amount,
             (unsigned long long)f->sol_amount);
    res = ATT_FILLED;
out:
    jup_quote_release(&q);
    free(sw);
    free(tx);
    return res;
}

static int64_t utc_day(int64_t ms)
{
    return ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
}

static void handle(struct exec_live *x, const struct exec_order *o)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_FILL;
    struct fill_event *f = &ev.u.fill;
    f->order_id = o->id;
    f->side = o->side;
    f->mint = o->mint;
    f->live = true;
    f->status = FILL_FAILED;
    struct attempt a;
    memset(&a, 0, sizeof a);

    int64_t today = utc_day(clock_now_ms(x->o.clock));
    pthread_mutex_lock(&x->mu);
    if (today != x->day) {
        x->day = today;
        x->spent = 0;
    }
    uint64_t spent = x->spent;
    pthread_mutex_unlock(&x->mu);

    bool buy = o->side == SIDE_BUY;
    if ((buy && o->sol_in == 0) || (!buy && o->token_in == 0) ||
        (o->side != SIDE_BUY && o->side != SIDE_SELL)) {
        why(&a, "empty order");
    } else if (buy && o->sol_in > x->o.max_trade_lamports) {
        why(&a, "over the per-trade cap: %.4f SOL > live.max_trade_sol %.4f",
            (double)o->sol_in / 1e9, (double)x->o.max_trade_lamports / 1e9);
    } else if (buy && spent + o->sol_in > x->o.max_daily_lamports) {
        why(&a, "over the daily cap: %.4f SOL spent today + %.4f > live.max_daily_sol %.4f",
            (double)spent / 1e9, (double)o->sol_in / 1e9, (double)x->o.max_daily_lamports / 1e9);
    } else {
        for (int i = 0; i <= x->o.retries; i++) {
            memset(&a, 0, sizeof a);
            enum attempt_rc r = attempt_once(x, o, f, &a);
            if (r == ATT_FILLED) {
                f->status = FILL_FILLED;
                break;
            }
            log_warn("live", "order %llu attempt %d of %d: %s", (unsigned long long)o->id, i + 1,
                     x->o.retries + 1, a.why);
            if (r == ATT_FAIL || stopping(x))
                break;
        }
    }
    if (a.has_sig)
        f->sig = a.sig;
    if (f->status == FILL_FILLED) {
        if (buy) {
            pthread_mutex_lock(&x->mu);
            x->spent += f->sol_amount;
            pthread_mutex_unlock(&x->mu);
        }
    } else {
        str_copy(f->error, sizeof f->error, a.why);
        log_error("live", "order %llu failed: %s", (unsigned long long)o->id, a.why);
    }
    f->ts_ms = clock_now_ms(x->o.clock);
    x->base.sink.emit(x->base.sink.ctx, &ev);
}

static void emit_failed(struct exec_live *x, const struct exec_order *o, const char *reason)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = EVENT_FILL;
    ev.u.fill.order_id = o->id;
    ev.u.fill.side = o->side;
    ev.u.fill.mint = o->mint;
    ev.u.fill.live = true;
    ev.u.fill.status = FILL_FAILED;
    ev.u.fill.ts_ms = clock_now_ms(x->o.clock);
    str_copy(ev.u.fill.error, sizeof ev.u.fill.error, reason);
    x->base.sink.emit(x->base.sink.ctx, &ev);
}

static void *io_main(void *arg)
{
    struct exec_live *x = arg;
    for (;;) {
        struct exec_order o;
        pthread_mutex_lock(&x->mu);
        while (!x->stopping && x->q_len == 0)
            pthread_cond_wait(&x->cv, &x->mu);
        if (x->stopping) {
            pthread_mutex_unlock(&x->mu);
            break;
        }
        o = x->q[x->q_head].o;
        x->q_head = (x->q_head + 1) % QUEUE_MAX;
        x->q_len--;
        pthread_mutex_unlock(&x->mu);
        handle(x, &o);
    }
    /* Exactly one fill per order: what is still queued fails. */
    pthread_mutex_lock(&x->mu);
    while (x->q_len) {
        struct exec_order o = x->q[x->q_head].o;
        x->q_head = (x->q_head + 1) % QUEUE_MAX;
        x->q_len--;
        pthread_mutex_unlock(&x->mu);
        emit_failed(x, &o, "live executor stopped before sending");
        pthread_mutex_lock(&x->mu);
    }
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* ---- the executor interface --------------------------------------------- */

static int live_submit(struct executor *base, const struct exec_order *o)
{
    struct exec_live *x = (struct exec_live *)base;
    int rc = 0;
    pthread_mutex_lock(&x->mu);
    if (x->stopping) {
        rc = WT_ECLOSED;
    } else if (x->q_len == QUEUE_MAX) {
        rc = WT_EFULL;
    } else {
        x->q[(x->q_head + x->q_len) % QUEUE_MAX].o = *o;
        x->q_len++;
        pthread_cond_broadcast(&x->cv);
    }
    pthread_mutex_unlock(&x->mu);
    return rc;
}

static void live_free(struct executor *base)
{
    struct exec_live *x = (struct exec_live *)base;
    if (x->started) {
        pthread_mutex_lock(&x->mu);
        x->stopping = true;
        pthread_cond_broadcast(&x->cv);
        pthread_mutex_unlock(&x->mu);
        pthread_join(x->thread, NULL);
    }
    keypair_free(x->kp);
    rpc_free(x->rpc);
    jupiter_free(x->jup);
    helius_decoder_free(x->dec);
    for (size_t i = 0; i < x->o.n_rpc; i++)
        free(x->urls[i]);
    free(x->urls);
    free(x->jup_url);
    free(x->jup_key);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    free(x);
}

static const struct executor_ops live_ops = {
    .name = "live",
    .mode = EXEC_LIVE,
    .submit = live_submit,
    .free = live_free,
};

int exec_live_new(const struct exec_live_opts *o, struct keypair *kp, struct exec_sink sink,
                  struct executor **out, char *err, size_t errsize)
{
    *out = NULL;
    if (!kp || !o->n_rpc || !o->rpc_urls || !o->jupiter_url || !o->jupiter_url[0] || !o->clock ||
        !sink.emit || o->max_trade_lamports == 0 || o->max_daily_lamports == 0 ||
        o->slippage_bps > 10000 || o->retries < 0 || o->max_polls == 0) {
        snprintf(err, errsize,
                 "live executor: missing keypair, RPC URL, Jupiter URL, clock, "
                 "sink or caps, or a bad slippage/retry/poll setting");
        keypair_free(kp);
        return WT_EINVAL;
    }
    struct exec_live *x = xcalloc(1, sizeof *x);
    x->base.ops = &live_ops;
    x->base.sink = sink;
    x->o = *o;
    x->urls = xcalloc(o->n_rpc, sizeof *x->urls);
    for (size_t i = 0; i < o->n_rpc; i++)
        x->urls[i] = xstrdup(o->rpc_urls[i]);
    x->o.rpc_urls = (const char *const *)x->urls;
    x->jup_url = xstrdup(o->jupiter_url);
    x->jup_key = xstrdup(o->jupiter_key ? o->jupiter_key : "");
    x->o.jupiter_url = x->jup_url;
    x->o.jupiter_key = x->jup_key;
    x->o.http = NULL; /* used below only */
    x->kp = kp;
    keypair_pubkey(kp, &x->me);
    x->rpc = rpc_new(x->o.rpc_urls, o->n_rpc, o->http);
    x->jup = jupiter_new(x->jup_url, x->jup_key, o->http);
    x->dec = helius_decoder_new();
    x->day = utc_day(clock_now_ms(o->clock));
    pthread_mutex_init(&x->mu, NULL);
    cond_init_monotonic(&x->cv);
    if (pthread_create(&x->thread, NULL, io_main, x) != 0) {
        snprintf(err, errsize, "live executor: cannot start its thread");
        live_free(&x->base);
        return WT_EIO;
    }
    x->started = true;
    char me[BASE58_KEY_MAX];
    log_info("live",
             "live executor armed for wallet %s: caps %.4f SOL per trade, %.4f SOL per "
             "day",
             pubkey_format(&x->me, me), (double)o->max_trade_lamports / 1e9,
             (double)o->max_daily_lamports / 1e9);
    *out = &x->base;
    return 0;
}

uint64_t exec_live_spent_today(struct executor *base)
{
    struct exec_live *x = (struct exec_live *)base;
    pthread_mutex_lock(&x->mu);
    uint64_t s = x->spent;
    pthread_mutex_unlock(&x->mu);
    return s;
}
