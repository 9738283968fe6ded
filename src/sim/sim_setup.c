/* The simulator's setup: building a run from its scenario (the
 * exchanges, the typed wallet population with its clusters, funders,
 * leaders and followers, the tokens with their hidden fates and launch
 * times, and the first actions on the heap), freeing it, and the
 * read-only accessors and names the writers and the CLI use.
 *
 * Kept apart from the market model (sim.c) because setup runs once and
 * decides who exists, while the model decides what they do; the model's
 * rules can be read without the population code, and a change to the
 * population cannot change a rule. Both draw from the same seeded stream
 * in a fixed order, so a run stays a pure function of its scenario. */

#include "base/err.h"
#include <stdlib.h>

#include "base/mem.h"
#include "base/vec.h"
#include "sim/sim_impl.h"

/* ---- construction ---- */

static uint32_t add_wallet(struct sim *s, enum sim_wallet_type type, uint32_t source)
{
    struct sim_wallet *W = vec_push_zero(&s->wallets);
    uint32_t w = (uint32_t)(s->wallets.len - 1);
    W->type = (uint8_t)type;
    W->cluster = -1;
    W->funder = SIM_NONE;
    W->source = source;
    sim_derive_address(s, SIM_DOMAIN_WALLET, w, 0, &W->addr);
    struct rng *r = &s->rng;
    switch (type) {
    case SIM_EXCHANGE:
        W->lamports = EXCHANGE_FLOAT;
        break;
    case SIM_FUNDER:
        W->funding = sim_lamports_of(rng_range(r, 60, 150));
        break;
    case SIM_INSIDER:
        W->funding = sim_lamports_of(rng_range(r, 2, 5));
        W->prio = (uint64_t)rng_range(r, 100000, 1000000);
        break;
    case SIM_SKILLED:
    case SIM_FADING:
        W->skill = rng_range(r, s->sc.skill_min, s->sc.skill_max);
        W->size_sol = rng_lognormal(r, 1.5, 0.4);
        W->funding = sim_lamports_of(rng_range(r, 20, 60));
        W->prio = (uint64_t)rng_range(r, 50000, 300000);
        if (type == SIM_FADING)
            W->fade_ms =
                s->start_ms + (int64_t)(rng_range(r, 0.2, 0.8) * (double)(s->end_ms - s->start_ms));
        break;
    case SIM_SNIPER:
        W->size_sol = rng_range(r, 0.3, 1.5);
        W->funding = sim_lamports_of(rng_range(r, 20, 50));
        W->prio = (uint64_t)rng_range(r, 1000000, 5000000);
        break;
    case SIM_COPY:
        W->size_sol = rng_lognormal(r, 0.5, 0.4);
        W->funding = sim_lamports_of(rng_range(r, 5, 20));
        W->prio = (uint64_t)rng_range(r, 20000, 200000);
        W->delay_ms = (uint32_t)rng_range(r, 2000, 30000);
        break;
    case SIM_BAITER:
        W->size_sol = rng_range(r, 2, 5);
        W->funding = sim_lamports_of(rng_range(r, 20, 40));
        W->prio = (uint64_t)rng_range(r, 50000, 500000);
        break;
    case SIM_CREATOR:
        W->funding = sim_lamports_of(rng_range(r, 10, 30));
        W->prio = (uint64_t)rng_range(r, 10000, 100000);
        break;
    case SIM_RETAIL: {
        W->size_sol = rng_lognormal(r, s->sc.retail_buy_sol, 0.7);
        double f = rng_lognormal(r, 3.0, 0.7);
        W->funding = sim_lamports_of(f < 0.5 ? 0.5 : f);
        W->prio = (uint64_t)rng_range(r, 0, 50000);
        break;
    }
    default:
        break;
    }
    return w;
}

static void make_token(struct sim *s, int64_t t)
{
    struct rng *r = &s->rng;
    struct token *T = vec_push_zero(&s->tokens);
    uint32_t tok = (uint32_t)(s->tokens.len - 1);
    T->launch_slot = sim_slot_of(s, t);
    t = s->start_ms + (int64_t)(T->launch_slot - s->sc.start_slot) * 400 +
        (int64_t)rng_range(r, 0, 40);
    T->launch_ms = t;
    T->cluster = -1;
    T->venue = SIM_PUMP_FUN;
    double u = rng_unit(r);
    int f = 0;
    while (f < SIM_NFATES - 1 && u >= s->fate_cum[f])
        f++;
    T->fate = (uint8_t)f;
    double pump_ms, decay_ms;
    switch (f) {
    case SIM_RUG:
        T->hype = rng_range(r, 0.5, 2);
        T->growth = 0.5;
        pump_ms = rng_range(r, 3, 15) * MS_PER_MINUTE;
        decay_ms = rng_range(r, 2, 8) * MS_PER_MINUTE;
        break;
    case SIM_RUNNER:
        T->hype = rng_range(r, 1.5, 3);
        T->growth = rng_range(r, 1.5, 3);
        pump_ms = rng_range(r, 1, 6) * MS_PER_HOUR;
        decay_ms = rng_range(r, 1, 4) * MS_PER_HOUR;
        break;
    case SIM_PUMP_DUMP:
        T->hype = rng_range(r, 2, 5);
        T->growth = 1;
        pump_ms = rng_range(r, 5, 30) * MS_PER_MINUTE;
        decay_ms = rng_range(r, 3, 10) * MS_PER_MINUTE;
        break;
    default:
        T->hype = rng_range(r, 0.3, 1.5);
        T->growth = 0;
        /* Dead on arrival: the bots buy, nobody follows. */
        if (s->sc.fizzle_dead_share > 0 && rng_chance(r, s->sc.fizzle_dead_share))
            T->hype = 0;
        pump_ms = rng_range(r, 2, 20) * MS_PER_MINUTE;
        decay_ms = rng_range(r, 5, 30) * MS_PER_MINUTE;
        break;
    }
    T->pump_end_ms = t + (int64_t)pump_ms;
    T->decay_ms = decay_ms;
    T->death_ms = T->pump_end_ms + (int64_t)(6 * decay_ms);
    if (T->death_ms > t + 36 * MS_PER_HOUR)
        T->death_ms = t + 36 * MS_PER_HOUR;
    if (f == SIM_PUMP_DUMP) {
        uint32_t c = (uint32_t)rng_below(r, s->sc.insider_clusters);
        uint32_t lo = s->cluster_off.v[c], hi = s->cluster_off.v[c + 1];
        T->cluster = (int32_t)c;
        T->creator = s->cluster_members.v[lo + rng_below(r, hi - lo)];
        /* The funder arms the cluster shortly before the launch. */
        uint32_t funder = s->cluster_funder.v[c];
        for (uint32_t i = lo; i < hi; i++) {
            uint32_t m = s->cluster_members.v[i];
            double sol = rng_range(r, 2, 5) + (m == T->creator ? 2 : 0);
            sim_push(s, t - (int64_t)rng_range(r, 2 * MS_PER_MINUTE, 20 * MS_PER_MINUTE),
                     s->start_ms, EV_FUND, funder, m, sim_lamports_of(sol));
        }
    } else {
        T->creator = s->creators.v[rng_below(r, s->creators.len)];
    }
    sim_derive_address(s, SIM_DOMAIN_MINT, tok, 0, &T->mint);
    sim_derive_address(s, SIM_DOMAIN_CURVE, tok, 0, &T->curve_acct);
    sim_derive_address(s, SIM_DOMAIN_CURVEVAULT, tok, 0, &T->curve_vault);
    sim_derive_address(s, SIM_DOMAIN_POOL, tok, 0, &T->pool_acct);
    sim_derive_address(s, SIM_DOMAIN_POOLVAULT, tok, 0, &T->pool_vault);
    sim_derive_address(s, SIM_DOMAIN_POOLWSOL, tok, 0, &T->pool_wsol);
    sim_push(s, t, s->start_ms, EV_LAUNCH, tok, 0, 0);
}

int sim_new(const struct scenario *sc, struct sim **out, char *err, size_t errsize)
{
    if (scenario_validate(sc, err, errsize))
        return WT_EINVAL;
    struct sim *s = xcalloc(1, sizeof *s);
    s->sc = *sc;
    rng_seed(&s->rng, sc->seed);
    struct rng *r = &s->rng;
    s->start_ms = sc->start_time * MS_PER_SECOND;
    s->end_ms = s->start_ms + (int64_t)sc->days * MS_PER_DAY;

    double odds[SIM_NFATES] = {sc->odds_rug, sc->odds_fizzle, sc->odds_runner, sc->odds_pump_dump};
    double sum = 0, acc = 0;
    for (int i = 0; i < SIM_NFATES; i++)
        sum += odds[i];
    for (int i = 0; i < SIM_NFATES; i++) {
        acc += odds[i] / sum;
        s->fate_cum[i] = acc;
    }
    s->fate_cum[SIM_NFATES - 1] = 1.0;

    for (uint32_t i = 0; i < sc->exchanges; i++)
        add_wallet(s, SIM_EXCHANGE, SIM_NONE);
#define EXCH(i) ((uint32_t)((i) % sc->exchanges))
    for (uint32_t c = 0; c < sc->insider_clusters; c++) {
        uint32_t funder = add_wallet(s, SIM_FUNDER, EXCH(s->wallets.len));
        s->wallets.v[funder].cluster = (int32_t)c;
        vec_push(&s->cluster_funder, funder);
        vec_push(&s->cluster_off, (uint32_t)s->cluster_members.len);
        uint32_t n = sc->cluster_size_min +
                     (uint32_t)rng_below(r, sc->cluster_size_max - sc->cluster_size_min + 1);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t m = add_wallet(s, SIM_INSIDER, funder);
            s->wallets.v[m].cluster = (int32_t)c;
            s->wallets.v[m].funder = funder;
            vec_push(&s->cluster_members, m);
        }
    }
    vec_push(&s->cluster_off, (uint32_t)s->cluster_members.len);
    for (uint32_t i = 0; i < sc->skilled; i++)
        vec_push(&s->skilled, add_wallet(s, SIM_SKILLED, EXCH(s->wallets.len)));
    for (uint32_t i = 0; i < sc->fading; i++)
        vec_push(&s->skilled, add_wallet(s, SIM_FADING, EXCH(s->wallets.len)));
    for (uint32_t i = 0; i < sc->snipers; i++)
        vec_push(&s->snipers, add_wallet(s, SIM_SNIPER, EXCH(s->wallets.len)));
    uint32_t copy0 = (uint32_t)s->wallets.len;
    for (uint32_t i = 0; i < sc->copy_traders; i++)
        add_wallet(s, SIM_COPY, EXCH(s->wallets.len));
    for (uint32_t i = 0; i < sc->baiters; i++)
        vec_push(&s->baiters, add_wallet(s, SIM_BAITER, EXCH(s->wallets.len)));
    for (uint32_t i = 0; i < sc->creators; i++)
        vec_push(&s->creators, add_wallet(s, SIM_CREATOR, EXCH(s->wallets.len)));
    while (s->wallets.len < (size_t)sc->exchanges + sc->wallets)
        vec_push(&s->retail, add_wallet(s, SIM_RETAIL, EXCH(s->wallets.len)));
    if (s->retail.len == 0) /* the crowd needs someone; check guarantees room */
        vec_push(&s->retail, add_wallet(s, SIM_RETAIL, EXCH(s->wallets.len)));
#undef EXCH

    /* Copy-traders pick leaders among skilled, fading and baiter wallets;
     * baiters draw more than their share. */
    size_t nlead = s->skilled.len + s->baiters.len;
    for (uint32_t i = 0; i < sc->copy_traders && nlead; i++) {
        struct sim_wallet *C = &s->wallets.v[copy0 + i];
        uint32_t n = 1 + (uint32_t)rng_below(r, SIM_MAX_LEADERS);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t l;
            if (s->baiters.len && (s->skilled.len == 0 || rng_chance(r, 0.4)))
                l = s->baiters.v[rng_below(r, s->baiters.len)];
            else
                l = s->skilled.v[rng_below(r, s->skilled.len)];
            bool dup = false;
            for (uint32_t j = 0; j < C->nleaders; j++)
                dup |= C->leader[j] == l;
            if (!dup)
                C->leader[C->nleaders++] = l;
        }
    }
    for (size_t w = 0; w < s->wallets.len; w++)
        for (uint32_t j = 0; j < s->wallets.v[w].nleaders; j++)
            s->wallets.v[s->wallets.v[w].leader[j]].fol_n++;
    uint32_t off = 0;
    for (size_t w = 0; w < s->wallets.len; w++) {
        s->wallets.v[w].fol_off = off;
        off += s->wallets.v[w].fol_n;
        s->wallets.v[w].fol_n = 0;
    }
    vec_reserve(&s->followers, off);
    s->followers.len = off;
    for (size_t w = 0; w < s->wallets.len; w++)
        for (uint32_t j = 0; j < s->wallets.v[w].nleaders; j++) {
            struct sim_wallet *L = &s->wallets.v[s->wallets.v[w].leader[j]];
            s->followers.v[L->fol_off + L->fol_n++] = (uint32_t)w;
        }

    /* Opening balances: everyone but insiders (armed by their funder before
     * each launch) is funded in the first ten minutes. */
    for (size_t w = 0; w < s->wallets.len; w++) {
        const struct sim_wallet *W = &s->wallets.v[w];
        if (W->type == SIM_EXCHANGE || W->type == SIM_INSIDER)
            continue;
        sim_push(s, s->start_ms + (int64_t)rng_range(r, 0, 10 * MS_PER_MINUTE), s->start_ms,
                 EV_FUND, W->source, (uint32_t)w, W->funding);
    }

    /* Launches: a Poisson process from the fifteenth minute on. */
    double gap = (double)MS_PER_DAY / sc->tokens_per_day;
    for (double t = (double)(s->start_ms + 15 * MS_PER_MINUTE);;) {
        t += rng_exp(r, gap);
        if (t >= (double)s->end_ms)
            break;
        make_token(s, (int64_t)t);
    }
    *out = s;
    return 0;
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->tokens.len; i++)
        vec_free(&s->tokens.v[i].holders);
    vec_free(&s->wallets);
    vec_free(&s->tokens);
    vec_free(&s->retail);
    vec_free(&s->skilled);
    vec_free(&s->snipers);
    vec_free(&s->baiters);
    vec_free(&s->creators);
    vec_free(&s->followers);
    vec_free(&s->cluster_funder);
    vec_free(&s->cluster_members);
    vec_free(&s->cluster_off);
    vec_free(&s->holdings);
    vec_free(&s->free_holdings);
    vec_free(&s->heap);
    free(s->map_keys);
    free(s->map_vals);
    free(s);
}

/* ---- accessors ---- */

void sim_stats(const struct sim *s, struct sim_stats *out)
{
    *out = s->stats;
}

const struct scenario *sim_scenario(const struct sim *s)
{
    return &s->sc;
}

uint32_t sim_wallet_count(const struct sim *s)
{
    return (uint32_t)s->wallets.len;
}

const char *sim_wallet_address(const struct sim *s, uint32_t w)
{
    return s->wallets.v[w].addr.s;
}

enum sim_wallet_type sim_wallet_type(const struct sim *s, uint32_t w)
{
    return (enum sim_wallet_type)s->wallets.v[w].type;
}

uint32_t sim_token_count(const struct sim *s)
{
    return (uint32_t)s->tokens.len;
}

const char *sim_token_mint(const struct sim *s, uint32_t t)
{
    return s->tokens.v[t].mint.s;
}

enum sim_fate sim_token_fate(const struct sim *s, uint32_t t)
{
    return (enum sim_fate)s->tokens.v[t].fate;
}

const char *sim_wallet_type_name(enum sim_wallet_type t)
{
    static const char *const names[SIM_NTYPES] = {
        "exchange", "funder",      "insider", "skilled", "fading",
        "sniper",   "copy_trader", "baiter",  "creator", "retail",
    };
    return (unsigned)t < SIM_NTYPES ? names[t] : "unknown";
}

const char *sim_fate_name(enum sim_fate f)
{
    static const char *const names[SIM_NFATES] = {"rug", "fizzle", "runner", "pump_dump"};
    return (unsigned)f < SIM_NFATES ? names[f] : "unknown";
}

const char *sim_venue_name(enum sim_venue v)
{
    switch (v) {
    case SIM_PUMP_FUN:
        return "PUMP_FUN";
    case SIM_RAYDIUM:
        return "RAYDIUM";
    case SIM_PUMP_AMM:
        return "PUMP_AMM";
    }
    return "UNKNOWN";
}
