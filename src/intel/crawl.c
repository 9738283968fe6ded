/* The chain crawl. See crawl.h.
 *
 * One loop per phase over the pending items the store lists; each page is
 * one request through fetch(), which owns the budget, the rate limit and
 * the retries, and whose count is written with the item's next cursor. */
#include "intel/crawl.h"
#include "intel/crawl_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "ingest/helius_api.h"
#include "ingest/loader.h"
#include "solana/pubkey.h"

#define EST_TOKEN_PAGES   3 /* a dry run's guess before any token was crawled */
#define EST_WALLET_PAGES  2
#define EST_WALLETS_TOKEN 25 /* early buyers with a hit per token, before any is known */

void crawl_opts_default(struct crawl_opts *o)
{
    memset(o, 0, sizeof *o);
    o->rps = 10;
    o->max_retries = 5;
    o->backoff_ms = 500;
    o->backfill_days = 30;
    o->jitter_seed = 1;
    o->migration_account = "39azUYFWPz3VHgKCf3VChUwbpURdCHRxjWVowf5jUJjg";
    o->graduation_hours = 0;
    o->dex_min_liquidity_usd = 10000;
    o->dex_max_age_hours = 72;
    o->dex_rps = 4; /* DexScreener allows 300 a minute on these endpoints */
    o->rpc_rps = 10;
    discovery_params_default(&o->disc);
}

void crawl_opts_from_config(struct crawl_opts *o, const struct config *cfg)
{
    o->helius_url = config_str(cfg, CFG_HELIUS_API_URL);
    o->helius_key = config_str(cfg, CFG_HELIUS_API_KEY);
    o->budget = (uint64_t)config_int(cfg, CFG_DISC_REQUEST_BUDGET);
    discovery_params_from_config(cfg, &o->disc);
    o->backfill_days = (uint32_t)config_int(cfg, CFG_DISC_BACKFILL_DAYS);
    o->graduation_hours = (uint32_t)config_int(cfg, CFG_DISC_GRADUATION_HOURS);
    o->migration_account = config_str(cfg, CFG_DISC_MIGRATION_ACCOUNT);
    o->rps = config_double(cfg, CFG_HELIUS_RPS);
    o->max_retries = (unsigned)config_int(cfg, CFG_HELIUS_MAX_RETRIES);
    o->dex_url = config_str(cfg, CFG_DEXSCREENER_API_URL);
    o->dex_queries = config_str(cfg, CFG_DISC_DEX_QUERIES);
    o->dex_min_multiple = config_double(cfg, CFG_DISC_DEX_MIN_MULTIPLE);
    o->dex_min_liquidity_usd = config_double(cfg, CFG_DISC_DEX_MIN_LIQUIDITY);
    o->dex_max_age_hours = (uint32_t)config_int(cfg, CFG_DISC_DEX_MAX_AGE_H);
    o->dex_rps = config_double(cfg, CFG_DISC_DEX_RPS);
    o->rpc_urls = config_str(cfg, CFG_RPC_URLS);
    o->rpc_rps = config_double(cfg, CFG_DISC_RPC_RPS);
    o->token_window_hours = (uint32_t)config_int(cfg, CFG_DISC_TOKEN_WINDOW_H);
}

void cr_err(struct crawler *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errsize, fmt, ap);
    va_end(ap);
    log_redact(c->err, c->errsize);
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Stored by index (crawl_counters run_phase): append, never reorder. */
static const char *const PHASES[] = {"",        "graduations", "tokens", "candidates",
                                     "wallets", "done",        "budget", "dexscreener"};
static const char *const STATES[] = {"idle", "running", "done", "budget", "failed"};
#define N_PHASES      (sizeof PHASES / sizeof PHASES[0])
#define N_STATES      (sizeof STATES / sizeof STATES[0])
#define LIVE_EVERY_NS NS_PER_SECOND /* live progress written at most once a second */

static int64_t code_of(const char *const *tab, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(tab[i], name) == 0)
            return (int64_t)i;
    return 0;
}

static const char *const LIVE_NAMES[] = {"run_state",       "run_phase",     "run_requests",
                                         "run_budget",      "run_eta_ms",    "run_tokens",
                                         "run_tokens_done", "run_wallets",   "run_wallets_done",
                                         "run_started_ms",  "run_updated_ms"};
#define N_LIVE (sizeof LIVE_NAMES / sizeof LIVE_NAMES[0])

/* The run's progress into crawl_counters, for GET /v1/discovery in any
 * process: at every phase change and at most once a second between. */
static void live_write(struct crawler *c, const char *state, bool force)
{
    int64_t now_ns = clock_mono_ns();
    if (!force && c->live_phase == c->p.phase && now_ns - c->live_ns < LIVE_EVERY_NS)
        return;
    c->live_ns = now_ns;
    c->live_phase = c->p.phase;
    struct clock clk;
    clock_init_real(&clk);
    int64_t vals[N_LIVE] = {code_of(STATES, N_STATES, state),
                            code_of(PHASES, N_PHASES, c->p.phase),
                            (int64_t)c->p.requests,
                            (int64_t)c->p.budget,
                            c->p.eta_s < 0 ? -1 : (int64_t)(c->p.eta_s * 1000.0),
                            (int64_t)c->p.tokens,
                            (int64_t)c->p.tokens_done,
                            (int64_t)c->p.wallets,
                            (int64_t)c->p.wallets_done,
                            c->started_ms,
                            clock_now_ms(&clk)};
    int rc = store_crawl_set_counters(c->st, LIVE_NAMES, vals, N_LIVE);
    if (rc)
        log_warn("crawl", "writing the crawl's progress: %s", wt_strerror(rc));
}

static void report(struct crawler *c)
{
    c->p.elapsed_s = (double)(clock_mono_ns() - c->start_ns) / 1e9;
    size_t items = c->p.tokens + c->p.wallets, done = c->p.tokens_done + c->p.wallets_done;
    c->p.eta_s = done && items > done ? c->p.elapsed_s / (double)done * (double)(items - done)
                 : items == done      ? 0
                                      : -1;
    live_write(c, "running", false);
    if (c->o->progress)
        c->o->progress(c->o->ctx, &c->p);
}

int crawl_live_read(struct store *st, struct crawl_live *out)
{
    int64_t v[N_LIVE];
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < N_LIVE; i++) {
        int rc = store_crawl_counter(st, LIVE_NAMES[i], &v[i]);
        if (rc)
            return rc;
    }
    out->state = v[0] >= 0 && (size_t)v[0] < N_STATES ? STATES[v[0]] : "idle";
    out->phase = v[1] >= 0 && (size_t)v[1] < N_PHASES ? PHASES[v[1]] : "";
    out->requests = v[2];
    out->budget = v[3];
    out->eta_ms = v[4];
    out->tokens = v[5];
    out->tokens_done = v[6];
    out->wallets = v[7];
    out->wallets_done = v[8];
    out->started_ms = v[9];
    out->updated_ms = v[10];
    if (strcmp(out->state, "running") == 0) {
        struct clock clk;
        clock_init_real(&clk);
        if (clock_now_ms(&clk) - out->updated_ms > CRAWL_LIVE_STALE_MS)
            out->state = "interrupted";
    }
    return 0;
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Backoff before retry `attempt` (0-based): base x 2^attempt, +-50%. */
static void backoff(struct crawler *c, unsigned attempt)
{
    double base = (double)c->o->backoff_ms * (double)(1u << (attempt < 16 ? attempt : 16));
    double j = 0.5 + (double)(splitmix(&c->jitter) >> 11) * (1.0 / 9007199254740992.0);
    sleep_ns((int64_t)(base * j * 1e6));
}

int fetch_with(struct crawler *c, struct svc *s, const char *what, attempt_fn fn, void *ctx)
{
    int rc = WT_EREMOTE;
    const char *msg = "";
    for (unsigned attempt = 0; attempt <= c->o->max_retries; attempt++) {
        if (c->o->budget && c->p.requests >= c->o->budget) {
            c->p.budget_exhausted = true;
            return BUDGET_STOP;
        }
        if (s->rps > 0) {
            int64_t gap = (int64_t)(1e9 / s->rps);
            sleep_ns(s->last_send_ns + gap - clock_mono_ns());
        }
        s->last_send_ns = clock_mono_ns();
        c->p.requests++;
        c->unsaved++;
        long status = 0;
        rc = fn(c, ctx, &status, &msg);
        report(c);
        if (rc == 0)
            return 0;
        if (rc == WT_EPARSE) {
            c->p.malformed++;
            log_warn("crawl", "%s: malformed answer, skipped: %s", what, msg);
            return rc;
        }
        if (status == 429)
            c->p.r429++;
        else if (status >= 500 || status == 0)
            c->p.r5xx++;
        else
            break; /* a refusal (401, 400, ...): retrying will not help */
        if (attempt < c->o->max_retries) {
            c->p.retries++;
            backoff(c, attempt);
        }
    }
    cr_err(c, "%s: %s", what, msg);
    return rc;
}

struct history_req {
    const struct helius_history_query *q;
    struct buf *body;
    size_t *count;
    char *next;
};

static int history_attempt(struct crawler *c, void *ctx, long *status, const char **msg)
{
    struct history_req *h = ctx;
    int rc = helius_api_history_page(c->api, h->q, h->body, h->count, h->next);
    *status = helius_api_last_status(c->api);
    *msg = helius_api_errmsg(c->api);
    return rc;
}

/* One Helius history page (see fetch_with). */
static int fetch(struct crawler *c, const struct helius_history_query *q, struct buf *body,
                 size_t *count, char next[BASE58_SIG_MAX])
{
    struct history_req h = {q, body, count, next};
    return fetch_with(c, &c->helius, q->address, history_attempt, &h);
}

/* The oldest and newest block times of a page (s). */
static void page_times(const struct buf *body, int64_t *oldest, int64_t *newest)
{
    struct json_doc *d = json_doc_new(0);
    struct json_val root, tx;
    *oldest = 0;
    *newest = 0;
    if (json_parse(d, body->data, body->len, body->cap, &root) == 0 &&
        json_type_of(&root) == JSON_ARRAY)
        for (size_t i = 0; i < json_size(&root); i++) {
            int64_t ts;
            if (json_index(&root, i, &tx) == 0 && json_get_i64(&tx, "timestamp", &ts) == 0) {
                if (!*oldest || ts < *oldest)
                    *oldest = ts;
                if (ts > *newest)
                    *newest = ts;
            }
        }
    json_doc_free(d);
}

int crawl_save(struct crawler *c, struct crawl_item *it)
{
    struct clock clk;
    clock_init_real(&clk);
    it->updated_ms = clock_now_ms(&clk);
    int rc = store_crawl_put(c->st, it, c->unsaved);
    if (rc)
        cr_err(c, "writing the crawl state: %s", wt_strerror(rc));
    else
        c->unsaved = 0;
    return rc;
}

/* Pages one item's history until it is exhausted, the budget is spent, or
 * (top-up) a page reaches stop_ts. gte_s bounds the history (0: to the
 * beginning). */
static int crawl_item(struct crawler *c, struct crawl_item *it, int64_t gte_s, int64_t stop_ts)
{
    struct buf body;
    buf_init(&body, 0);
    int rc = 0;
    while (strcmp(it->state, "pending") == 0) {
        struct helius_history_query q = {.address = it->key,
                                         .before = it->cursor[0] ? it->cursor : NULL,
                                         .limit = PAGE_LIMIT,
                                         .gte_time_s = gte_s};
        size_t n;
        char next[BASE58_SIG_MAX];
        rc = fetch(c, &q, &body, &n, next);
        if (rc == BUDGET_STOP) {
            rc = 0; /* a clean stop: the item stays pending at its cursor */
            break;
        }
        if (rc == WT_EPARSE) {
            snprintf(it->state, sizeof it->state, "skipped");
            rc = 0;
        } else if (rc) {
            /* Refused or still failing after the retries: it stays pending
             * with its cursor (the next run goes on) and the crawl goes on
             * with the next item. */
            c->p.failed++;
            log_warn("crawl", "%s left for the next run: %s", it->key, c->err);
            rc = 0;
            break;
        } else {
            char lerr[256];
            /* newest first on the page: stored oldest first */
            if ((rc = loader_add(&c->ld, body.data, body.len, body.cap, lerr, sizeof lerr)) ||
                (rc = loader_flush_reversed(&c->ld))) {
                cr_err(c, "storing %s's page: %s", it->key, wt_strerror(rc));
                break;
            }
            int64_t oldest, newest;
            page_times(&body, &oldest, &newest);
            if (oldest && (!it->first_ts || oldest < it->first_ts))
                it->first_ts = oldest;
            if (newest > it->newest_ts && stop_ts == 0)
                it->newest_ts = newest;
            it->pages++;
            memcpy(it->cursor, next, sizeof it->cursor);
            /* A page shorter than asked for (no type filter, so no
             * search window) is the end of the history: no empty page
             * needed to learn it. */
            if (!next[0] || n < PAGE_LIMIT || (stop_ts && oldest && oldest <= stop_ts))
                snprintf(it->state, sizeof it->state, "done");
        }
        if ((rc = crawl_save(c, it)) != 0)
            break;
    }
    buf_release(&body);
    return rc;
}

#define WSOL_MINT "So11111111111111111111111111111111111111112"

/* One page of the migration account's history from Helius (see
 * grad_page_rpc for the contract). */
static int grad_page_helius(struct crawler *c, const char *acct, const char *cursor,
                            int64_t floor_ts, int64_t prev, struct grad_page *out)
{
    struct helius_history_query q = {
        .address = acct, .before = cursor, .limit = PAGE_LIMIT, .gte_time_s = floor_ts};
    struct buf body;
    buf_init(&body, 0);
    int rc = fetch(c, &q, &body, &out->n, out->next);
    struct json_doc *d = json_doc_new(0);
    struct json_val root, tx, tt, x;
    if (rc == 0 && (json_parse(d, body.data, body.len, body.cap, &root) != 0 ||
                    json_type_of(&root) != JSON_ARRAY)) {
        c->p.malformed++;
        rc = WT_EPARSE;
    }
    for (size_t i = 0; rc == 0 && i < json_size(&root); i++) {
        struct grad_ent e = {0};
        if (json_index(&root, i, &tx) != 0 || json_get_i64(&tx, "timestamp", &e.ts) != 0)
            continue;
        if (e.ts > prev && json_get(&tx, "tokenTransfers", &tt) == 0)
            for (size_t k = 0; k < json_size(&tt); k++) {
                const char *mint;
                struct pubkey key;
                if (json_index(&tt, k, &x) != 0 || json_get_str(&x, "mint", &mint, NULL) != 0 ||
                    strcmp(mint, WSOL_MINT) == 0 || pubkey_parse(mint, &key) != 0)
                    continue;
                snprintf(e.mint, sizeof e.mint, "%s", mint);
                break; /* one mint per migration */
            }
        vec_push(out, e);
    }
    json_doc_free(d);
    buf_release(&body);
    return rc;
}

/* The graduations source: lists the migration account's history from the
 * newest transaction back graduation_hours (or to the newest seen by an
 * earlier run), and adds the mint each migration moved as a token. */
static int crawl_graduations(struct crawler *c)
{
    const char *acct = c->o->migration_account;
    struct crawl_item it;
    int rc = store_crawl_get(c->st, "source", acct, &it);
    if (rc == WT_ENOTFOUND) {
        memset(&it, 0, sizeof it);
        snprintf(it.kind, sizeof it.kind, "source");
        snprintf(it.key, sizeof it.key, "%s", acct);
        snprintf(it.source, sizeof it.source, "graduations");
        rc = 0;
    }
    if (rc)
        return rc;
    int64_t prev = it.newest_ts, floor_ts = 0, newest = 0;
    bool complete = false; /* listed down to the floor: the mark may move */
    char cursor[BASE58_SIG_MAX] = "";
    struct grad_page pg = {0};
    struct clock clk;
    clock_init_real(&clk);
    for (bool more = true; more;) {
        pg.len = 0;
        pg.n = 0;
        pg.next[0] = '\0';
        int prc = c->rpc
                      ? grad_page_rpc(c, acct, cursor[0] ? cursor : NULL, floor_ts, prev, &pg)
                      : grad_page_helius(c, acct, cursor[0] ? cursor : NULL, floor_ts, prev, &pg);
        if (prc && prc != BUDGET_STOP && prc != WT_EPARSE) {
            /* the graduations are listed again next run; the tokens known
             * so far are crawled now */
            c->p.failed++;
            log_warn("crawl", "listing graduations: %s", c->err);
        }
        int64_t oldest = INT64_MAX;
        for (size_t i = 0; rc == 0 && i < pg.len; i++) {
            const struct grad_ent *e = &pg.v[i];
            oldest = e->ts < oldest ? e->ts : oldest;
            newest = e->ts > newest ? e->ts : newest;
            if (e->ts <= prev || !e->mint[0])
                continue;
            bool added;
            rc = store_crawl_add(c->st, "token", e->mint, "graduation", clock_now_ms(&clk), &added);
            if (added) {
                c->p.graduations++;
                c->p.tokens++;
            }
        }
        if (prc)
            break;
        if (!floor_ts && newest) {
            floor_ts = newest - (int64_t)c->o->graduation_hours * 3600;
            if (prev > floor_ts)
                floor_ts = prev;
        }
        memcpy(cursor, pg.next, sizeof cursor);
        more = rc == 0 && pg.next[0] && pg.n == PAGE_LIMIT && oldest > floor_ts;
        complete = rc == 0 && !more;
    }
    vec_free(&pg);
    if (rc == 0) {
        /* Only a complete listing moves the mark: an interrupted one is
         * listed again from the newest next run (the tokens it added are
         * known and not added twice). */
        if (complete && newest > it.newest_ts)
            it.newest_ts = newest;
        snprintf(it.state, sizeof it.state, "done");
        rc = crawl_save(c, &it);
    }
    return rc;
}

/* ---- DexScreener --------------------------------------------------------- */

#define DEX_SEARCH_MAX 100 /* mints kept of one search answer (DexScreener gives 30 pairs) */

bool crawl_dex_success(const struct dex_token *t, const struct crawl_opts *o, int64_t now_ms,
                       double *multiple)
{
    double mcap_usd = t->mcap_usd > 0 ? t->mcap_usd : t->fdv_usd;
    double mcap_sol = 0;
    if (t->found && t->price_sol > 0 && t->price_usd > 0 && mcap_usd > 0)
        mcap_sol = mcap_usd * t->price_sol / t->price_usd;
    double mult = mcap_sol / CRAWL_PUMP_LAUNCH_MCAP_SOL;
    if (multiple)
        *multiple = mult;
    if (mcap_sol <= 0)
        return false;
    const struct discovery_params *d = &o->disc;
    double min_mult = o->dex_min_multiple > 0 ? o->dex_min_multiple : d->min_multiple;
    bool ok =
        (min_mult > 0 && mult >= min_mult) || (d->min_mcap_sol > 0 && mcap_sol >= d->min_mcap_sol);
    if (!ok || t->liquidity_usd < o->dex_min_liquidity_usd)
        return false;
    if (o->dex_max_age_hours &&
        (t->created_ms <= 0 ||
         now_ms - t->created_ms > (int64_t)o->dex_max_age_hours * MS_PER_HOUR))
        return false;
    return true;
}

struct dex_req {
    const char *path;
    /* a lookup (mints != NULL) or a search */
    const struct pubkey *mints;
    size_t n;
    struct dex_token *out;
    struct pubkey *found;
    size_t n_found;
    char msg[256];
};

static int dex_attempt(struct crawler *c, void *ctx, long *status, const char **msg)
{
    struct dex_req *r = ctx;
    struct httpc_req req = {.method = "GET", .path = r->path, .retries = 0};
    int rc = httpc_do(c->dex_http, &req, &c->dex_resp);
    *msg = r->msg;
    *status = c->dex_resp.status;
    if (rc || c->dex_resp.status != 200) {
        if (rc)
            snprintf(r->msg, sizeof r->msg, "DexScreener: %s", wt_strerror(rc));
        else
            snprintf(r->msg, sizeof r->msg, "DexScreener: HTTP %ld", c->dex_resp.status);
        return rc ? rc : WT_EREMOTE;
    }
    const struct buf *b = &c->dex_resp.body;
    if (r->mints)
        rc = dex_parse_pairs(b->data, b->len, r->mints, r->n, 0, r->out, r->msg, sizeof r->msg);
    else
        rc = dex_parse_search(b->data, b->len, r->found, DEX_SEARCH_MAX, &r->n_found, r->msg,
                              sizeof r->msg);
    return rc ? WT_EPARSE : 0;
}

static int newest_of(void *ctx, const struct crawl_item *it)
{
    int64_t *m = ctx;
    if (it->newest_ts > *m)
        *m = it->newest_ts;
    return 0;
}

/* "Now" on the chain: the newest block time the crawl has seen (the
 * graduations' listing, the crawled tokens), else the wall clock. */
static int64_t chain_now_ms(struct crawler *c)
{
    int64_t newest = 0;
    store_crawl_scan(c->st, "source", NULL, newest_of, &newest);
    store_crawl_scan(c->st, "token", NULL, newest_of, &newest);
    if (newest)
        return newest * MS_PER_SECOND;
    struct clock clk;
    clock_init_real(&clk);
    return clock_now_ms(&clk);
}

/* The search path of one query: letters and digits as they are, every
 * other byte %-escaped. */
static void search_path(struct buf *path, const char *q, size_t n)
{
    buf_reset(path);
    buf_puts(path, "/latest/dex/search?q=");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)q[i];
        if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
            buf_putc(path, (char)ch);
        else
            buf_printf(path, "%%%02X", ch);
    }
}

struct mints {
    VEC(struct pubkey) v;
};

/* The DexScreener source (crawl.h): searches, lookups, the rule. */
static int crawl_dexscreener(struct crawler *c)
{
    int64_t now_ms = chain_now_ms(c);
    struct clock clk;
    clock_init_real(&clk);
    struct mints cand = {0};
    struct buf path;
    buf_init(&path, 0);
    struct pubkey found[DEX_SEARCH_MAX];
    int rc = 0;
    for (const char *q = c->o->dex_queries; *q && rc == 0 && !c->p.budget_exhausted;) {
        size_t n = strcspn(q, ",");
        const char *w = q;
        size_t wn = n;
        while (wn && (*w == ' ' || *w == '\t'))
            w++, wn--;
        while (wn && (w[wn - 1] == ' ' || w[wn - 1] == '\t'))
            wn--;
        q += n;
        if (*q == ',')
            q++;
        if (!wn)
            continue;
        search_path(&path, w, wn);
        struct dex_req r = {.path = path.data, .found = found};
        int frc = fetch_with(c, &c->dex, "DexScreener search", dex_attempt, &r);
        if (frc == BUDGET_STOP || frc == WT_EPARSE)
            continue;
        if (frc) {
            c->p.failed++;
            log_warn("crawl", "DexScreener search '%.*s' left for the next run: %s", (int)wn, w,
                     c->err);
            continue;
        }
        for (size_t i = 0; i < r.n_found; i++) {
            char key[BASE58_KEY_MAX];
            struct crawl_item it;
            bool dup = false;
            c->p.dex_listed++;
            for (size_t k = 0; k < cand.v.len && !dup; k++)
                dup = pubkey_eq(&cand.v.v[k], &found[i]);
            int grc = store_crawl_get(c->st, "token", pubkey_format(&found[i], key), &it);
            if (grc != 0 && grc != WT_ENOTFOUND)
                rc = grc;
            else if (!dup && grc == WT_ENOTFOUND)
                vec_push(&cand.v, found[i]);
        }
    }
    for (size_t i = 0; rc == 0 && i < cand.v.len && !c->p.budget_exhausted; i += DEX_BATCH) {
        size_t k = cand.v.len - i < DEX_BATCH ? cand.v.len - i : DEX_BATCH;
        char key[BASE58_KEY_MAX];
        buf_reset(&path);
        buf_puts(&path, "/tokens/v1/solana/");
        for (size_t j = 0; j < k; j++)
            buf_printf(&path, "%s%s", j ? "," : "", pubkey_format(&cand.v.v[i + j], key));
        struct dex_token got[DEX_BATCH];
        struct dex_req r = {.path = path.data, .mints = &cand.v.v[i], .n = k, .out = got};
        int frc = fetch_with(c, &c->dex, "DexScreener tokens", dex_attempt, &r);
        if (frc == BUDGET_STOP || frc == WT_EPARSE)
            continue;
        if (frc) {
            c->p.failed++;
            log_warn("crawl", "DexScreener lookup left for the next run: %s", c->err);
            continue;
        }
        for (size_t j = 0; rc == 0 && j < k; j++) {
            if (!crawl_dex_success(&got[j], c->o, now_ms, NULL))
                continue;
            bool added;
            rc = store_crawl_add(c->st, "token", pubkey_format(&got[j].mint, key), "dexscreener",
                                 clock_now_ms(&clk), &added);
            if (rc == 0 && added) {
                c->p.dex_added++;
                c->p.tokens++;
            }
        }
    }
    /* The requests wrote no item: counted now. */
    if (rc == 0 && c->unsaved && (rc = store_crawl_add_requests(c->st, c->unsaved)) == 0)
        c->unsaved = 0;
    buf_release(&path);
    vec_free(&cand.v);
    return rc;
}

struct items {
    VEC(struct crawl_item) v;
};

static int collect(void *ctx, const struct crawl_item *it)
{
    struct items *l = ctx;
    vec_push(&l->v, *it);
    return 0;
}

static int count_items(struct crawler *c, const char *kind, size_t *all, size_t *done,
                       struct items *pending, int64_t *pages_done, size_t *n_done_items)
{
    struct items l = {0};
    int rc = store_crawl_scan(c->st, kind, NULL, collect, &l);
    *all = *done = 0;
    if (pages_done)
        *pages_done = 0;
    if (n_done_items)
        *n_done_items = 0;
    for (size_t i = 0; rc == 0 && i < l.v.len; i++) {
        (*all)++;
        if (strcmp(l.v.v[i].state, "pending") != 0) {
            (*done)++;
            if (pages_done && strcmp(l.v.v[i].state, "done") == 0) {
                *pages_done += l.v.v[i].pages;
                (*n_done_items)++;
            }
        } else if (pending) {
            vec_push(&pending->v, l.v.v[i]);
        }
    }
    vec_free(&l.v);
    return rc;
}

/* Early buyers of the crawled tokens that qualify become pending wallets;
 * a done wallet that qualifies again is topped up when the chain moved on
 * past the time its last backfill ended (kept in first_ts). */
static int add_candidates(struct crawler *c, int64_t now_s)
{
    struct profile_params pp;
    profile_params_default(&pp);
    struct profile_state *ps = NULL;
    int rc = profile_load(c->st, &pp.intel, &ps);
    if (rc) {
        cr_err(c, "reading the crawled swaps: %s", wt_strerror(rc));
        return rc;
    }
    struct discovery_result res = {0};
    rc = discovery_find(ps, &c->o->disc, ps->last_ms, &res);
    profile_state_free(ps);
    if (rc)
        return rc;
    struct clock clk;
    clock_init_real(&clk);
    int64_t now_ms = clock_now_ms(&clk);
    uint32_t min_hits = c->o->disc.min_hits ? c->o->disc.min_hits : 1;
    for (size_t i = 0; rc == 0 && i < res.c.len; i++) {
        const struct discovery_candidate *d = &res.c.v[i];
        /* The one selection rule that the winning tokens' swaps can
         * already judge: hits. Bot-likeness, copy-trading, entry timing,
         * score, round trips and scalping are shares and means over the
         * wallet's whole history, which is what the backfill is for:
         * judged on its few winning buys alone, a wallet whose later
         * history clears them was dropped here (session-5 market, seed
         * 101: 8 of full information's 45 wallets, as copy-traders
         * following 1 of 2 or 3 buys). */
        if (d->early == 0 || d->hits < min_hits)
            continue;
        bool added;
        rc = store_crawl_add(c->st, "wallet", d->address, "early_buyer", now_ms, &added);
        if (rc || added)
            continue;
        struct crawl_item it;
        if ((rc = store_crawl_get(c->st, "wallet", d->address, &it)) != 0)
            break;
        if (strcmp(it.state, "done") == 0 && it.first_ts < now_s) {
            snprintf(it.state, sizeof it.state, "pending"); /* top-up */
            it.cursor[0] = '\0';
            it.updated_ms = now_ms;
            rc = store_crawl_put(c->st, &it, 0);
        }
    }
    discovery_result_release(&res);
    return rc;
}

int crawl_add_tokens_file(struct store *st, const char *path, size_t *added, char *err,
                          size_t errsize)
{
    *added = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
        return WT_EIO;
    }
    VEC(char *) mints = {0};
    char line[512];
    int rc = 0, lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "#\r\n")] = '\0';
        char *s = str_trim(line);
        if (!*s)
            continue;
        struct pubkey k;
        if (pubkey_parse(s, &k) != 0) {
            snprintf(err, errsize, "%s:%d: '%.60s' is not a Solana address", path, lineno, s);
            rc = WT_EINVAL;
        } else {
            vec_push(&mints, xstrdup(s));
        }
    }
    fclose(f);
    struct clock clk;
    clock_init_real(&clk);
    for (size_t i = 0; rc == 0 && i < mints.len; i++) {
        bool a;
        rc = store_crawl_add(st, "token", mints.v[i], "operator", clock_now_ms(&clk), &a);
        *added += a;
        if (rc)
            snprintf(err, errsize, "storing the tokens: %s", wt_strerror(rc));
    }
    for (size_t i = 0; i < mints.len; i++)
        free(mints.v[i]);
    vec_free(&mints);
    return rc;
}

static int64_t max_newest(const struct items *l)
{
    int64_t m = 0;
    for (size_t i = 0; i < l->v.len; i++)
        if (l->v.v[i].newest_ts > m)
            m = l->v.v[i].newest_ts;
    return m;
}

int crawl_run(struct store *st, const struct crawl_opts *o, struct crawl_progress *out, char *err,
              size_t errsize)
{
    struct crawler c;
    memset(&c, 0, sizeof c);
    c.st = st;
    c.o = o;
    c.err = err;
    c.errsize = errsize;
    c.jitter = o->jitter_seed;
    c.start_ns = clock_mono_ns();
    struct clock wall;
    clock_init_real(&wall);
    c.started_ms = clock_now_ms(&wall);
    c.p.budget = o->budget;
    c.helius.rps = o->rps;
    c.dex.rps = o->dex_rps;
    c.rpcsvc.rps = o->rpc_rps;
    bool grad_on = o->graduation_hours && o->migration_account && o->migration_account[0];
    bool dex_on = o->dex_queries && o->dex_queries[0] && o->dex_url && o->dex_url[0];
    err[0] = '\0';
    bool helius_on = o->helius_key && o->helius_key[0] && o->helius_url && o->helius_url[0];
    bool rpc_on = !helius_on && o->rpc_urls && o->rpc_urls[0];
    if (!o->dry_run && !helius_on && !rpc_on) {
        snprintf(err, errsize, "the crawl needs helius.api_key and helius.api_url, or rpc.urls");
        return WT_EINVAL;
    }
    struct items toks = {0}, all_toks = {0}, wals = {0};
    int64_t tok_pages = 0, wal_pages = 0;
    size_t tok_done_n = 0, wal_done_n = 0;
    int rc =
        count_items(&c, "token", &c.p.tokens, &c.p.tokens_done, &toks, &tok_pages, &tok_done_n);
    if (rc == 0)
        rc = count_items(&c, "wallet", &c.p.wallets, &c.p.wallets_done, &wals, &wal_pages,
                         &wal_done_n);
    if (rc == 0)
        rc = store_crawl_counter(st, "requests", &c.p.requests_stored);
    if (rc) {
        cr_err(&c, "reading the crawl state: %s", wt_strerror(rc));
        goto out;
    }
    if (o->dry_run) {
        double tp = tok_done_n ? (double)tok_pages / (double)tok_done_n : EST_TOKEN_PAGES;
        double wp = wal_done_n ? (double)wal_pages / (double)wal_done_n : EST_WALLET_PAGES;
        double per_tok = tok_done_n ? (double)c.p.wallets / (double)tok_done_n : EST_WALLETS_TOKEN;
        double est =
            (double)toks.v.len * tp + (double)wals.v.len * wp + (double)toks.v.len * per_tok * wp;
        /* RPC only: a page is a getSignaturesForAddress and at most a
         * getTransaction for each of its signatures (an upper bound) */
        if (rpc_on)
            est *= 1 + PAGE_LIMIT;
        /* DexScreener: a search and a lookup a query (30 pairs: one lookup) */
        for (const char *q = dex_on ? o->dex_queries : ""; *q; q++)
            est += q == o->dex_queries || q[-1] == ',' ? 2 : 0;
        c.p.estimate = (uint64_t)ceil(est);
        c.p.phase = "done";
        goto out;
    }
    struct httpc_opts http;
    if (o->http)
        http = *o->http;
    else
        httpc_opts_default(&http);
    http.retries = 0; /* the crawl retries itself, counting every request */
    if (rpc_on) {
        /* the RPC-only path (crawl_rpc.c): rpc.urls, tried in order */
        char *list = xstrdup(o->rpc_urls);
        const char *urls[8];
        size_t n_urls = 0;
        for (char *save = NULL, *u = strtok_r(list, ", ", &save); u && n_urls < 8;
             u = strtok_r(NULL, ", ", &save))
            urls[n_urls++] = u;
        c.rpc = rpc_new(urls, n_urls, &http);
        free(list);
    } else {
        c.api = helius_api_new(o->helius_url, o->helius_key, &http);
    }
    loader_init(&c.ld, st, 0);

    if (grad_on) {
        c.p.phase = "graduations";
        report(&c);
        if ((rc = crawl_graduations(&c)) != 0) {
            cr_err(&c, "listing graduations: %s", wt_strerror(rc));
            goto done;
        }
        if (c.p.budget_exhausted)
            goto done;
    }
    if (dex_on) {
        c.p.phase = "dexscreener";
        report(&c);
        const char *urls[1] = {o->dex_url};
        c.dex_http = httpc_new(urls, 1, &http);
        httpc_set_service(c.dex_http, "dexscreener");
        httpc_resp_init(&c.dex_resp);
        if ((rc = crawl_dexscreener(&c)) != 0) {
            cr_err(&c, "the DexScreener source: %s", wt_strerror(rc));
            goto done;
        }
        if (c.p.budget_exhausted)
            goto done;
    }
    if (grad_on || dex_on) {
        vec_free(&toks.v);
        size_t all, done_n;
        if ((rc = count_items(&c, "token", &all, &done_n, &toks, NULL, NULL)) != 0)
            goto done;
        c.p.tokens = all;
    }
    c.p.phase = "tokens";
    report(&c);
    for (size_t i = 0; rc == 0 && i < toks.v.len && !c.p.budget_exhausted; i++) {
        rc = c.rpc ? crawl_item_rpc(&c, &toks.v.v[i], 0, 0) : crawl_item(&c, &toks.v.v[i], 0, 0);
        if (strcmp(toks.v.v[i].state, "pending") != 0)
            c.p.tokens_done++;
        report(&c);
    }
    if (rc || c.p.budget_exhausted)
        goto done;
    /* The newest block time crawled: "now" on the chain. */
    rc = store_crawl_scan(st, "token", "done", collect, &all_toks);
    int64_t now_s = max_newest(&all_toks);
    c.p.phase = "candidates";
    report(&c);
    if (rc == 0)
        rc = add_candidates(&c, now_s);
    vec_free(&wals.v);
    size_t wd = 0;
    if (rc == 0)
        rc = count_items(&c, "wallet", &c.p.wallets, &wd, &wals, NULL, NULL);
    c.p.wallets_done = wd;
    c.p.phase = "wallets";
    report(&c);
    int64_t gte = now_s ? now_s - (int64_t)o->backfill_days * 86400 : 0;
    for (size_t i = 0; rc == 0 && i < wals.v.len && !c.p.budget_exhausted; i++) {
        struct crawl_item *it = &wals.v.v[i];
        /* A top-up pages from the newest until what it already has. */
        int64_t stop = it->pages ? it->newest_ts : 0;
        if (stop)
            it->newest_ts = now_s;
        rc = c.rpc ? crawl_item_rpc(&c, it, gte, stop) : crawl_item(&c, it, gte, stop);
        if (rc == 0 && strcmp(it->state, "done") == 0) {
            it->first_ts = now_s; /* the chain time this backfill reached */
            if (!stop && now_s > it->newest_ts)
                it->newest_ts = now_s;
            rc = store_crawl_put(st, it, 0);
        }
        if (strcmp(it->state, "pending") != 0)
            c.p.wallets_done++;
        report(&c);
    }
done:
    /* Requests that wrote no item (the budget stopped a retry loop, a
     * refusal) count all the same. */
    if (c.unsaved && store_crawl_add_requests(st, c.unsaved) == 0)
        c.unsaved = 0;
    store_crawl_counter(st, "requests", &c.p.requests_stored);
    c.p.phase = c.p.budget_exhausted ? "budget" : "done";
    report(&c);
    live_write(&c, rc ? "failed" : c.p.budget_exhausted ? "budget" : "done", true);
    loader_release(&c.ld);
    helius_api_free(c.api);
    rpc_free(c.rpc);
    if (c.dex_http) {
        httpc_resp_release(&c.dex_resp);
        httpc_free(c.dex_http);
    }
out:
    vec_free(&toks.v);
    vec_free(&all_toks.v);
    vec_free(&wals.v);
    if (out)
        *out = c.p;
    return rc;
}
