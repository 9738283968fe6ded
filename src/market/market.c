/* Token state implied from observed swaps and price events (see market.h).
 *
 * Why this exists: the signal's token factor must work with no price feed
 * configured (the simulator, a first start without keys), and the paper
 * executor needs a pool to fill against. Both come from what the engine
 * sees: every swap is a price, the venue tells which constant-product
 * invariant applies, and the wallets that trade a mint are its observed
 * holders.
 *
 * Holdings live in one open-addressing hash table keyed by (mint, wallet)
 * ids. The Herfindahl index is kept as two 128-bit integer sums (of the
 * holdings and of their squares) in units of 256 raw token units, so it is
 * exact and never drifts however many updates it sees; a holding of 2^64
 * raw units squared still fits with room for 2^16 holders. */
#include "market/market.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/vec.h"

#define QSHIFT 8 /* holdings are counted in units of 2^QSHIFT raw units */

void market_params_default(struct market_params *p)
{
    p->sol_usd = 150;
    p->supply_tokens = 1e9;
    p->curve_k = 30.0 * 1.073e9;
    p->pool_k = 79.0 * 2.069e8;
    p->default_pool_sol = 30;
}

struct holding {
    uint64_t key; /* mint << 32 | wallet; UINT64_MAX = empty */
    uint64_t raw;
    double entry_price; /* first buy price seen, 0 = none */
};

/* Invariants: mints.len is the number of mint ids seen so far (entries of
 * unseen ids are zero); the holding table has a power-of-two size with
 * fewer than 3/4 of its slots used. */
struct market {
    struct market_params p;
    VEC(struct market_mint) mints;
    struct holding *tab;
    size_t mask;
    size_t used;
};

struct market *market_new(const struct market_params *p, uint32_t mints)
{
    struct market *m = xcalloc(1, sizeof *m);
    if (p)
        m->p = *p;
    else
        market_params_default(&m->p);
    vec_reserve(&m->mints, mints ? mints : 64);
    size_t n = 1024;
    m->tab = xmalloc(n * sizeof *m->tab);
    for (size_t i = 0; i < n; i++)
        m->tab[i].key = UINT64_MAX;
    m->mask = n - 1;
    return m;
}

void market_free(struct market *m)
{
    if (!m)
        return;
    vec_free(&m->mints);
    free(m->tab);
    free(m);
}

static size_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

static void grow(struct market *m)
{
    size_t n = (m->mask + 1) * 2;
    struct holding *t = xmalloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++)
        t[i].key = UINT64_MAX;
    for (size_t i = 0; i <= m->mask; i++) {
        if (m->tab[i].key == UINT64_MAX)
            continue;
        size_t j = hash64(m->tab[i].key) & (n - 1);
        while (t[j].key != UINT64_MAX)
            j = (j + 1) & (n - 1);
        t[j] = m->tab[i];
    }
    free(m->tab);
    m->tab = t;
    m->mask = n - 1;
}

static struct holding *find(const struct market *m, uint64_t key)
{
    size_t j = hash64(key) & m->mask;
    while (m->tab[j].key != UINT64_MAX) {
        if (m->tab[j].key == key)
            return &m->tab[j];
        j = (j + 1) & m->mask;
    }
    return NULL;
}

static struct holding *get(struct market *m, uint64_t key)
{
    struct holding *h = find(m, key);
    if (h)
        return h;
    if ((m->used + 1) * 4 > (m->mask + 1) * 3)
        grow(m);
    size_t j = hash64(key) & m->mask;
    while (m->tab[j].key != UINT64_MAX)
        j = (j + 1) & m->mask;
    m->tab[j] = (struct holding){.key = key};
    m->used++;
    return &m->tab[j];
}

static struct market_mint *mint_at(struct market *m, uint32_t mint)
{
    while (m->mints.len <= mint)
        vec_push_zero(&m->mints);
    return &m->mints.v[mint];
}

/* The SOL reserve implied by the price on a pool of invariant k. */
static double implied_reserve(double price, double k)
{
    return price > 0 && k > 0 ? sqrt(price * k) : 0;
}

static void note_price(struct market_mint *mm, double price, int64_t ts)
{
    if (!(price > 0) || !isfinite(price))
        return;
    if (mm->first_price_sol <= 0)
        mm->first_price_sol = price;
    mm->last_price_sol = price;
    if (price > mm->peak_price_sol)
        mm->peak_price_sol = price;
    mm->last_ts_ms = ts;
}

static void see(struct market_mint *mm, int64_t ts)
{
    if (!mm->seen || ts < mm->first_seen_ms)
        mm->first_seen_ms = ts;
    mm->seen = true;
}

bool market_holding_step(struct market_holding *h, enum side side, uint64_t token_amount,
                         double price_sol)
{
    uint64_t before = h->raw;
    bool buyer = false;
    if (side == SIDE_BUY) {
        if (h->entry_price <= 0 && price_sol > 0) {
            h->entry_price = price_sol;
            buyer = true;
        }
        h->raw = before + token_amount < before ? UINT64_MAX : before + token_amount;
    } else {
        h->raw = token_amount >= before ? 0 : before - token_amount;
    }
    return buyer;
}

/* The mint's part of a swap: first seen, prices, liquidity, and the
 * holders' sums from one holding going from before to after. */
static void on_swap_mint(struct market *m, struct market_mint *mm, const struct swap_event *ev,
                         uint64_t before, uint64_t after, bool new_buyer)
{
    see(mm, ev->ts_ms);
    mm->swaps++;
    mm->decimals = ev->decimals;
    mm->decimals_known = true;
    note_price(mm, ev->price_sol, ev->ts_ms);
    if (mm->liq_source != MARKET_LIQ_REPORTED && mm->last_price_sol > 0) {
        if (strcmp(ev->source, "PUMP_FUN") == 0) {
            mm->liquidity_sol = implied_reserve(mm->last_price_sol, m->p.curve_k);
            mm->liq_source = MARKET_LIQ_CURVE;
        } else if (strcmp(ev->source, "RAYDIUM") == 0 || strcmp(ev->source, "PUMP_AMM") == 0) {
            mm->liquidity_sol = implied_reserve(mm->last_price_sol, m->p.pool_k);
            mm->liq_source = MARKET_LIQ_POOL;
        } else if (mm->liq_source == MARKET_LIQ_NONE) {
            mm->liquidity_sol = m->p.default_pool_sol;
            mm->liq_source = MARKET_LIQ_DEFAULT;
        }
    }
    /* Holdings and their Herfindahl sums. */
    mm->buyers += new_buyer;
    unsigned __int128 qb = before >> QSHIFT, qa = after >> QSHIFT;
    mm->hold_sum = mm->hold_sum - qb + qa;
    mm->hold_sq = mm->hold_sq - qb * qb + qa * qa;
    if (before == 0 && after > 0)
        mm->holders++;
    else if (before > 0 && after == 0)
        mm->holders--;
}

void market_on_swap(struct market *m, uint32_t mint, uint32_t wallet, const struct swap_event *ev)
{
    struct market_mint *mm = mint_at(m, mint);
    struct holding *h = get(m, (uint64_t)mint << 32 | wallet);
    struct market_holding x = {h->raw, h->entry_price};
    bool buyer = market_holding_step(&x, ev->side, ev->token_amount, ev->price_sol);
    on_swap_mint(m, mm, ev, h->raw, x.raw, buyer);
    h->raw = x.raw;
    h->entry_price = x.entry_price;
}

void market_on_swap_held(struct market *m, uint32_t mint, const struct swap_event *ev,
                         uint64_t before, bool new_buyer)
{
    struct market_holding x = {.raw = before, .entry_price = 1}; /* only the raw after is used */
    market_holding_step(&x, ev->side, ev->token_amount, ev->price_sol);
    on_swap_mint(m, mint_at(m, mint), ev, before, x.raw, new_buyer);
}

bool market_on_price(struct market *m, uint32_t mint, const struct price_event *ev)
{
    struct market_mint *mm = mint_at(m, mint);
    bool was_seen = mm->seen;
    see(mm, ev->ts_ms);
    bool taken = false;
    if (!was_seen || ev->ts_ms >= mm->last_ts_ms) {
        double before = mm->last_price_sol;
        int64_t before_ts = mm->last_ts_ms;
        note_price(mm, ev->price_sol, ev->ts_ms);
        taken = mm->last_price_sol != before || mm->last_ts_ms != before_ts;
    }
    if (ev->pair_created_ms > 0)
        mm->created_ms = ev->pair_created_ms;
    bool fresh = ev->ts_ms >= mm->reported_ms;
    if (fresh && ev->mcap_usd > 0 && isfinite(ev->mcap_usd)) {
        mm->reported_mcap_usd = ev->mcap_usd;
        mm->reported_ms = ev->ts_ms;
    }
    if (fresh && ev->liquidity_usd > 0 && isfinite(ev->liquidity_usd) && m->p.sol_usd > 0) {
        mm->reported_liq_usd = ev->liquidity_usd;
        mm->liquidity_sol = ev->liquidity_usd / 2 / m->p.sol_usd; /* the SOL side */
        mm->liq_source = MARKET_LIQ_REPORTED;
        mm->reported_ms = ev->ts_ms;
    }
    return taken;
}

int64_t market_age_ms(const struct market_mint *mm, int64_t now_ms, bool *reported)
{
    bool rep = mm->created_ms > 0 && mm->created_ms <= now_ms;
    if (reported)
        *reported = rep;
    return now_ms - (rep ? mm->created_ms : mm->first_seen_ms);
}

const struct market_mint *market_mint(const struct market *m, uint32_t mint)
{
    if (mint >= m->mints.len || !m->mints.v[mint].seen)
        return NULL;
    return &m->mints.v[mint];
}

double market_mcap_sol(const struct market *m, const struct market_mint *mm)
{
    if (mm->reported_mcap_usd > 0 && m->p.sol_usd > 0)
        return mm->reported_mcap_usd / m->p.sol_usd;
    return mm->last_price_sol * m->p.supply_tokens;
}

double market_concentration(const struct market_mint *mm)
{
    if (mm->hold_sum == 0)
        return 0;
    long double s = (long double)mm->hold_sum;
    double c = (double)((long double)mm->hold_sq / (s * s));
    return c > 1 ? 1 : c;
}

double market_entry_price(const struct market *m, uint32_t mint, uint32_t wallet)
{
    const struct holding *h = find(m, (uint64_t)mint << 32 | wallet);
    return h ? h->entry_price : 0;
}

double market_holding(const struct market *m, uint32_t mint, uint32_t wallet)
{
    const struct holding *h = find(m, (uint64_t)mint << 32 | wallet);
    if (!h || mint >= m->mints.len)
        return 0;
    return (double)h->raw / pow(10, m->mints.v[mint].decimals);
}

const char *market_liq_source_name(enum market_liq_source s)
{
    switch (s) {
    case MARKET_LIQ_NONE:
        return "none";
    case MARKET_LIQ_DEFAULT:
        return "default";
    case MARKET_LIQ_CURVE:
        return "curve";
    case MARKET_LIQ_POOL:
        return "pool";
    case MARKET_LIQ_REPORTED:
        return "reported";
    }
    return "none";
}
