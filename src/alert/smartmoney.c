/* Smart-money activity alerts (see smartmoney.h).
 *
 * Why a module of its own beside the engine: the engine's signals are
 * gated by its own rules (watch status at the time, breakers, pauses,
 * open positions), and an operator wants to hear that three watched
 * wallets are buying the same token whether or not the engine copies
 * them. So this sits on the inbox's commit hook next to the engine and
 * sees every newly stored swap.
 *
 * State: the watched wallets interned to ids (with their verified flag
 * and group), and per token bought by a watched wallet the buys of the
 * last window (group, wallet, time, SOL) and the time of its last alert.
 * A token's list is pruned each time it is touched, so memory is bounded
 * by the watched wallets' buys within one window. */
#include "alert/smartmoney.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/intern.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/vec.h"
#include "solana/pubkey.h"

void sm_params_default(struct sm_params *p)
{
    p->min_wallets = 3;
    p->window_ms = 30 * MS_PER_MINUTE;
    p->big_buy_sol = 10;
    p->quiet_from = -1;
    p->quiet_to = -1;
    p->cooldown_ms = 60 * MS_PER_MINUTE;
}

static int hour_of(const char *s, size_t n, int *out)
{
    if (n == 0 || n > 2)
        return WT_EINVAL;
    int h = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return WT_EINVAL;
        h = h * 10 + (s[i] - '0');
    }
    if (h > 23)
        return WT_EINVAL;
    *out = h;
    return 0;
}

int sm_parse_quiet(const char *s, int *from, int *to)
{
    if (s[0] == '\0') {
        *from = *to = -1;
        return 0;
    }
    const char *dash = strchr(s, '-');
    int f, t;
    if (!dash || hour_of(s, (size_t)(dash - s), &f) != 0 ||
        hour_of(dash + 1, strlen(dash + 1), &t) != 0 || f == t)
        return WT_EINVAL;
    *from = f;
    *to = t;
    return 0;
}

int sm_params_from_config(const struct config *cfg, struct sm_params *p, char *err, size_t errsize)
{
    sm_params_default(p);
    p->min_wallets = (uint32_t)config_int(cfg, CFG_SM_MIN_WALLETS);
    p->window_ms = config_int(cfg, CFG_SM_WINDOW_MIN) * MS_PER_MINUTE;
    p->big_buy_sol = config_double(cfg, CFG_SM_BIG_BUY_SOL);
    p->cooldown_ms = config_int(cfg, CFG_SM_COOLDOWN_MIN) * MS_PER_MINUTE;
    const char *q = config_str(cfg, CFG_SM_QUIET_HOURS);
    if (sm_parse_quiet(q, &p->quiet_from, &p->quiet_to) != 0) {
        snprintf(err, errsize,
                 "alert.smart_quiet_hours: '%s' is not HH-HH (UTC hours, e.g. 22-07) or empty", q);
        return WT_EINVAL;
    }
    return 0;
}

/* ------------------------------------------------------------ state */

struct watch {
    struct intern ids;
    VEC(bool) verified;
    VEC(int64_t) group;
};

/* A buy of the window. The wallet's key, not its id: the watchlist (and
 * its ids) may be replaced between two buys. */
struct buy {
    int64_t ts_ms;
    int64_t group; /* cluster id, 0 for a wallet on its own */
    double sol;
    uint8_t key[32];
};

static bool same_wallet(const struct buy *a, const struct buy *b)
{
    return memcmp(a->key, b->key, 32) == 0;
}

/* Same group: one cluster, or the same wallet. */
static bool same_group(const struct buy *a, const struct buy *b)
{
    return a->group != 0 ? a->group == b->group : b->group == 0 && same_wallet(a, b);
}

struct token {
    VEC(struct buy) buys; /* in time order, within the window */
    int64_t last_alert_ms;
    bool alerted;
};

struct smartmoney {
    struct sm_params p;
    struct alerter *a;
    struct sse_hub *hub;
    pthread_mutex_t mu; /* guards w */
    struct watch *w;
    struct intern mints;
    VEC(struct token) tokens;
};

static void watch_free(struct watch *w)
{
    if (!w)
        return;
    intern_release(&w->ids);
    vec_free(&w->verified);
    vec_free(&w->group);
    free(w);
}

struct smartmoney *sm_new(const struct sm_params *p, struct alerter *a, struct sse_hub *hub)
{
    struct smartmoney *s = xcalloc(1, sizeof *s);
    if (p)
        s->p = *p;
    else
        sm_params_default(&s->p);
    s->a = a;
    s->hub = hub;
    pthread_mutex_init(&s->mu, NULL);
    s->w = xcalloc(1, sizeof *s->w);
    intern_init(&s->w->ids, 16);
    intern_init(&s->mints, 64);
    return s;
}

void sm_free(struct smartmoney *s)
{
    if (!s)
        return;
    watch_free(s->w);
    intern_release(&s->mints);
    for (size_t i = 0; i < s->tokens.len; i++)
        vec_free(&s->tokens.v[i].buys);
    vec_free(&s->tokens);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void sm_set_watchlist(struct smartmoney *s, const struct sm_wallet *w, size_t n)
{
    struct watch *nw = xcalloc(1, sizeof *nw);
    intern_init(&nw->ids, (uint32_t)(n + 16));
    for (size_t i = 0; i < n; i++) {
        uint32_t id = intern_put(&nw->ids, w[i].key.b);
        if (id == nw->verified.len) {
            vec_push(&nw->verified, w[i].verified);
            vec_push(&nw->group, w[i].group);
        }
    }
    pthread_mutex_lock(&s->mu);
    struct watch *old = s->w;
    s->w = nw;
    pthread_mutex_unlock(&s->mu);
    watch_free(old);
}

size_t sm_watched(struct smartmoney *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->w->ids.count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ------------------------------------------------------------ refresh */

struct load {
    VEC(struct sm_wallet) w;
};

static int on_wallet(void *ctx, const struct wallet *x)
{
    struct load *ld = ctx;
    struct sm_wallet w = {.verified = x->verified};
    if (pubkey_parse(x->address, &w.key) == 0)
        vec_push(&ld->w, w);
    return 0;
}

static int on_member(void *ctx, const void *row)
{
    const struct cluster_member_row *r = row;
    struct load *ld = ctx;
    struct pubkey k;
    if (pubkey_parse(r->wallet, &k) != 0 || r->cluster_id <= 0)
        return 0;
    for (size_t j = 0; j < ld->w.len; j++)
        if (ld->w.v[j].group == 0 && memcmp(ld->w.v[j].key.b, k.b, 32) == 0)
            ld->w.v[j].group = r->cluster_id;
    return 0;
}

/* Cluster ids of the loaded wallets from cluster_members (a wallet in
 * several clusters keeps the first). */
static int load_groups(struct store *st, struct load *ld)
{
    return store_row_each(st, STORE_T_CLUSTER_MEMBERS, NULL, on_member, ld);
}

int sm_refresh(struct smartmoney *s, struct store *st)
{
    struct load ld = {0};
    struct wallet_filter f = {.status = WALLET_WATCH};
    int rc = store_wallet_scan(st, &f, on_wallet, &ld);
    if (rc == 0 && ld.w.len > 0)
        rc = load_groups(st, &ld);
    if (rc == 0)
        sm_set_watchlist(s, ld.w.v, ld.w.len);
    vec_free(&ld.w);
    return rc;
}

/* ------------------------------------------------------------ feed */

/* The SOL a buy paid: its wSOL leg, else tokens x price_sol; 0 unknown. */
static double buy_sol(const struct swap_event *ev)
{
    static struct pubkey wsol;
    static bool init;
    if (!init) {
        pubkey_parse(MINT_WSOL, &wsol);
        init = true;
    }
    if (memcmp(ev->quote_mint.b, wsol.b, 32) == 0 && ev->quote_amount > 0)
        return (double)ev->quote_amount / pow(10, ev->quote_decimals);
    if (ev->price_sol > 0)
        return (double)ev->token_amount / pow(10, ev->decimals) * ev->price_sol;
    return 0;
}

static bool in_quiet(const struct sm_params *p, int64_t ts_ms)
{
    if (p->quiet_from < 0)
        return false;
    int64_t ms = ts_ms % MS_PER_DAY;
    if (ms < 0)
        ms += MS_PER_DAY;
    int h = (int)(ms / MS_PER_HOUR);
    return p->quiet_from < p->quiet_to ? h >= p->quiet_from && h < p->quiet_to
                                       : h >= p->quiet_from || h < p->quiet_to;
}

void sm_alert_json(const struct sm_alert *a, struct buf *b)
{
    struct jw w;
    jw_init(&w, b);
    char k[BASE58_KEY_MAX];
    jw_obj_begin(&w);
    jw_kstr(&w, "rule", a->rule == SM_GROUP_BUY ? "group_buy" : "big_buy");
    jw_ki64(&w, "ts_ms", a->ts_ms);
    jw_kstr(&w, "mint", pubkey_format(&a->mint, k));
    jw_ku64(&w, "groups", a->n_groups);
    jw_ku64(&w, "wallets_count", a->n_wallets);
    jw_karr_begin(&w, "wallets");
    for (uint32_t i = 0; i < a->n_wallets && i < SM_MAX_LISTED; i++)
        jw_str(&w, pubkey_format(&a->wallets[i], k));
    jw_arr_end(&w);
    jw_kdouble(&w, "sol", a->sol);
    jw_kbool(&w, "quiet", a->quiet);
    jw_obj_end(&w);
    (void)jw_finish(&w);
}

static void send(struct smartmoney *s, const struct sm_alert *x)
{
    char mint[BASE58_KEY_MAX], w0[BASE58_KEY_MAX];
    pubkey_format(&x->mint, mint);
    pubkey_format(&x->wallets[0], w0);
    struct alert_msg m;
    memset(&m, 0, sizeof m);
    snprintf(m.kind, sizeof m.kind, "smart_money");
    m.severity = ALERT_WARN;
    m.ts_ms = x->ts_ms;
    if (x->rule == SM_GROUP_BUY) {
        snprintf(m.title, sizeof m.title, "Smart money: %u watched wallets buying %.8s…",
                 x->n_groups, mint);
        snprintf(m.text, sizeof m.text,
                 "%u distinct watched wallets/clusters (%u wallets) bought %s within %lld min, "
                 "%.3f SOL in all; first %s",
                 x->n_groups, x->n_wallets, mint, (long long)(s->p.window_ms / MS_PER_MINUTE),
                 x->sol, w0);
    } else {
        snprintf(m.title, sizeof m.title, "Smart money: verified wallet bought %.3f SOL of %.8s…",
                 x->sol, mint);
        snprintf(m.text, sizeof m.text, "verified wallet %s bought %.3f SOL of %s", w0, x->sol,
                 mint);
    }
    log_info("alert", "%s%s", m.text, x->quiet ? " (quiet hours: not pushed)" : "");
    if (s->a && !x->quiet)
        alerter_post(s->a, &m);
    if (s->hub) {
        struct buf b;
        buf_init(&b, 0);
        sm_alert_json(x, &b);
        sse_hub_publish(s->hub, "smart_money", b.data, b.len);
        buf_release(&b);
    }
}

size_t sm_feed(struct smartmoney *s, const struct swap_event *ev, struct sm_alert out[2])
{
    if (ev->side != SIDE_BUY)
        return 0;
    pthread_mutex_lock(&s->mu);
    const struct watch *w = s->w;
    uint32_t id = intern_find(&w->ids, ev->wallet.b);
    bool verified = false;
    int64_t group = 0;
    if (id != INTERN_NONE) {
        verified = w->verified.v[id];
        group = w->group.v[id] > 0 ? w->group.v[id] : 0;
    }
    pthread_mutex_unlock(&s->mu);
    if (id == INTERN_NONE)
        return 0;

    uint32_t m = intern_put(&s->mints, ev->mint.b);
    while (s->tokens.len <= m)
        (void)vec_push_zero(&s->tokens);
    struct token *t = &s->tokens.v[m];
    /* age out what left the window, then add this buy */
    size_t keep = 0;
    for (size_t i = 0; i < t->buys.len; i++)
        if (t->buys.v[i].ts_ms > ev->ts_ms - s->p.window_ms)
            t->buys.v[keep++] = t->buys.v[i];
    t->buys.len = keep;
    double sol = buy_sol(ev);
    struct buy nb = {ev->ts_ms, group, sol, {0}};
    memcpy(nb.key, ev->wallet.b, 32);
    vec_push(&t->buys, nb);

    size_t n = 0;
    bool cooling = t->alerted && ev->ts_ms - t->last_alert_ms < s->p.cooldown_ms;
    if (cooling)
        return 0;
    bool quiet = in_quiet(&s->p, ev->ts_ms);
    if (s->p.min_wallets > 0) {
        /* distinct groups and wallets of the window (a window holds few
         * buys: quadratic is fine) */
        struct sm_alert *a = &out[n];
        memset(a, 0, sizeof *a);
        double total = 0;
        for (size_t i = 0; i < t->buys.len; i++) {
            const struct buy *b = &t->buys.v[i];
            total += b->sol;
            bool new_group = true, new_wallet = true;
            for (size_t j = 0; j < i; j++) {
                new_group &= !same_group(b, &t->buys.v[j]);
                new_wallet &= !same_wallet(b, &t->buys.v[j]);
            }
            a->n_groups += new_group;
            if (new_wallet) {
                if (a->n_wallets < SM_MAX_LISTED)
                    memcpy(a->wallets[a->n_wallets].b, b->key, 32);
                a->n_wallets++;
            }
        }
        if (a->n_groups >= s->p.min_wallets) {
            a->rule = SM_GROUP_BUY;
            a->ts_ms = ev->ts_ms;
            a->mint = ev->mint;
            a->sol = total;
            a->quiet = quiet;
            n++;
        }
    }
    if (verified && s->p.big_buy_sol > 0 && sol >= s->p.big_buy_sol) {
        struct sm_alert *a = &out[n];
        memset(a, 0, sizeof *a);
        a->rule = SM_BIG_BUY;
        a->ts_ms = ev->ts_ms;
        a->mint = ev->mint;
        a->n_groups = a->n_wallets = 1;
        a->wallets[0] = ev->wallet;
        a->sol = sol;
        a->quiet = quiet;
        n++;
    }
    if (n > 0) {
        t->alerted = true;
        t->last_alert_ms = ev->ts_ms;
        for (size_t i = 0; i < n; i++)
            send(s, &out[i]);
    }
    return n;
}

void sm_after_commit(void *ctx, const struct event *ev, size_t n, const uint8_t *inserted)
{
    struct smartmoney *s = ctx;
    struct sm_alert out[2];
    for (size_t i = 0; i < n; i++)
        if (inserted[i] && ev[i].kind == EVENT_SWAP)
            (void)sm_feed(s, &ev[i].u.swap, out);
}
