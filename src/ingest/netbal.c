/* The net-balance rules that turn one Solana transaction into swap and
 * transfer events, shared by the enhanced and the raw Helius decoders.
 *
 * Why balances and not Helius' own labels: real payloads show `type:
 * TRANSFER` or `UNKNOWN` (even TOKEN_MINT) on real swaps, `events.swap`
 * missing or inverted, and SOL moving as native lamports or as wSOL
 * through a temporary account. What the fee payer's balances did is the
 * only thing every format agrees on, so that decides; `events.swap` is
 * only compared against the result and disagreements are counted.
 *
 * The wallet's SOL change is: its own lamport change, plus the fee it
 * paid, plus the lamport change of every token account it owns that
 * appears in the token balance changes. The last term nets out the rent of
 * a token account it opened in the transaction (the lamports stay the
 * wallet's) and counts wSOL held in its own wSOL accounts exactly once, so
 * wSOL token changes of the wallet are not counted again. The rules, the
 * fixtures that show each one, and the token-to-token rule are written up
 * in docs/internals/ingest.md. */
#include "ingest/netbal.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "solana/base58.h"
#include "solana/pubkey.h"

/* At most this many distinct mints per wallet per transaction are
 * tracked; more is SKIP_AMBIGUOUS (no swap has that many legs). */
#define MAX_MINTS 8

typedef __int128 i128; /* signed sums of u64 amounts cannot overflow it */

struct mint_delta {
    struct nb_str mint;
    i128 delta;
    uint8_t decimals;
};

enum quote_kind { Q_NONE = 0, Q_SOL, Q_USDC, Q_USDT };

bool nb_eq(struct nb_str a, struct nb_str b)
{
    return a.n == b.n && a.n > 0 && memcmp(a.p, b.p, a.n) == 0;
}

bool nb_eqz(struct nb_str a, const char *z)
{
    size_t n = strlen(z);
    return a.n == n && (n == 0 || memcmp(a.p, z, n) == 0);
}

void netbal_tx_clear(struct netbal_tx *t)
{
    t->sig = t->fee_payer = t->type = t->source = (struct nb_str){0};
    t->slot = t->fee = 0;
    t->ts_ms = 0;
    t->failed = t->has_xfer_lists = t->helius_swap = false;
    t->xcheck_sol = 0;
    t->dex = NULL;
    t->dex_rank = 0;
    vec_clear(&t->natives);
    vec_clear(&t->tokens);
    vec_clear(&t->xfers);
}

void netbal_tx_release(struct netbal_tx *t)
{
    vec_free(&t->natives);
    vec_free(&t->tokens);
    vec_free(&t->xfers);
}

/* Program ids of the venues walltrack labels, aggregator first: a
 * Jupiter route through Raydium is a JUPITER trade. */
static const struct {
    const char *id;
    const char *label;
} dex_programs[] = {
    {"JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4", "JUPITER"},
    {"JUP4Fb2cqiRUcaTHdrPC8h2gNsA2ETXiPDD33WcGuJB", "JUPITER"},
    {"6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P", "PUMP_FUN"},
    {"pAMMBay6oceH9fJKBRHGP5D4bD4sWpmSwMn52FMfXEA", "PUMP_AMM"},
    {"675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8", "RAYDIUM"},
    {"CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK", "RAYDIUM"},
    {"CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C", "RAYDIUM"},
    {"LanMV9sAd7wArD4vJFi2qDdfnVhFxYSUg6eADduJ3uj", "RAYDIUM"},
    {"dbcij3LWUppWqq96dh6gJWwBifmcGfLSB5D4DuSMaqN", "METEORA"},
    {"LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo", "METEORA"},
    {"Eo7WjKq67rjJQSZxS6z3YkapzY3eMj6Xy8X5EQVn5UaB", "METEORA"},
    {"cpamdpZCGKUy5JxQXB4dcpGPiikHawvSWAd6mEn1sGG", "METEORA"},
    {"whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc", "ORCA"},
};

void netbal_dex_note(struct netbal_tx *t, struct nb_str key)
{
    /* Program ids are 32-44 characters; cheap reject before the table. */
    if (key.n < 32 || key.n > 44)
        return;
    size_t n = sizeof dex_programs / sizeof dex_programs[0];
    for (size_t i = 0; i < n; i++) {
        int rank = (int)(n - i);
        if (rank <= t->dex_rank)
            return;
        if (key.p[0] == dex_programs[i].id[0] && nb_eqz(key, dex_programs[i].id)) {
            t->dex = dex_programs[i].label;
            t->dex_rank = rank;
            return;
        }
    }
}

static enum quote_kind quote_of(struct nb_str mint)
{
    if (nb_eqz(mint, MINT_WSOL))
        return Q_SOL;
    if (nb_eqz(mint, MINT_USDC))
        return Q_USDC;
    if (nb_eqz(mint, MINT_USDT))
        return Q_USDT;
    return Q_NONE;
}

static i128 tok_delta(const struct nb_token *k)
{
    return k->neg ? -(i128)k->mag : (i128)k->mag;
}

static int sign_of(i128 v)
{
    return (v > 0) - (v < 0);
}

/* Magnitude of a delta as u64; 0 when it does not fit (treated as absent
 * by callers, which then skip rather than emit a wrong amount). */
static uint64_t mag_u64(i128 v)
{
    if (v < 0)
        v = -v;
    if (v > (i128)UINT64_MAX)
        return 0;
    return (uint64_t)v;
}

static double pow10d(unsigned d)
{
    double p = 1.0;
    while (d--)
        p *= 10.0;
    return p;
}

static bool is_token_account(const struct netbal_tx *t, struct nb_str acct)
{
    for (size_t i = 0; i < t->tokens.len; i++)
        if (nb_eq(t->tokens.v[i].account, acct))
            return true;
    for (size_t i = 0; i < t->xfers.len; i++) {
        const struct nb_xfer *x = &t->xfers.v[i];
        if (!x->native && (nb_eq(x->from_acct, acct) || nb_eq(x->to_acct, acct)))
            return true;
    }
    return false;
}

/* An account may be listed more than once: the sum is an i128 so that
 * hostile repeats cannot overflow it (each change is bounded by
 * netbal_validate, not their sum). */
static i128 native_of(const struct netbal_tx *t, struct nb_str acct)
{
    i128 sum = 0;
    for (size_t i = 0; i < t->natives.len; i++)
        if (nb_eq(t->natives.v[i].account, acct))
            sum += t->natives.v[i].delta;
    return sum;
}

/* The wallet's net picture: SOL change (fee added back, own token
 * accounts' lamports included) and per-mint token changes without wSOL. */
struct wallet_view {
    i128 sol;
    struct mint_delta mints[MAX_MINTS];
    size_t n_mints;
    bool too_many;
    bool any_token; /* the wallet had any token change, wSOL included */
};

static void wallet_view_build(const struct netbal_tx *t, struct wallet_view *w)
{
    memset(w, 0, sizeof *w);
    struct nb_str wallet = t->fee_payer;
    w->sol = native_of(t, wallet) + (i128)t->fee;
    for (size_t i = 0; i < t->tokens.len; i++) {
        const struct nb_token *k = &t->tokens.v[i];
        if (!nb_eq(k->owner, wallet))
            continue;
        w->any_token = true;
        /* Add each owned account's lamports once, at its first change. */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = nb_eq(t->tokens.v[j].account, k->account) && nb_eq(t->tokens.v[j].owner, wallet);
        if (!seen && !nb_eq(k->account, wallet))
            w->sol += native_of(t, k->account);
        if (quote_of(k->mint) == Q_SOL)
            continue;
        size_t m = 0;
        while (m < w->n_mints && !nb_eq(w->mints[m].mint, k->mint))
            m++;
        if (m == w->n_mints) {
            if (w->n_mints == MAX_MINTS) {
                w->too_many = true;
                continue;
            }
            w->mints[m].mint = k->mint;
            w->mints[m].decimals = k->decimals;
            w->n_mints++;
        }
        w->mints[m].delta += tok_delta(k);
    }
}

static const struct mint_delta *find_mint(const struct wallet_view *w, enum quote_kind q)
{
    for (size_t i = 0; i < w->n_mints; i++)
        if (quote_of(w->mints[i].mint) == q && w->mints[i].delta != 0)
            return &w->mints[i];
    return NULL;
}

/* Helius did not call this a swap: require that someone the wallet paid
 * also paid the wallet (the pool, the bonding curve, the router), which
 * separates a DBC buy labelled TRANSFER from an airdrop claim whose only
 * SOL outflow is rent for a receipt account. */
static bool has_counterparty(const struct netbal_tx *t)
{
    struct nb_str wallet = t->fee_payer;
    for (size_t i = 0; i < t->xfers.len; i++) {
        const struct nb_xfer *out = &t->xfers.v[i];
        if (!nb_eq(out->from, wallet) || nb_eq(out->to, wallet) || out->to.n == 0)
            continue;
        for (size_t j = 0; j < t->xfers.len; j++) {
            const struct nb_xfer *in = &t->xfers.v[j];
            if (nb_eq(in->to, wallet) && nb_eq(in->from, out->to))
                return true;
        }
    }
    return false;
}

/* A quote leg: what the wallet paid or received against the token. */
struct leg {
    struct nb_str mint;
    uint8_t decimals;
    enum side side;
    uint64_t amount;
    enum quote_kind quote;
    struct nb_str quote_mint;
    uint8_t quote_decimals;
    uint64_t quote_amount;
};

/* The source label: Helius' own unless it names no venue (a swap typed
 * TRANSFER comes with SYSTEM_PROGRAM), then the DEX program seen. */
static void copy_source(char dst[EVENT_SOURCE_MAX], const struct netbal_tx *t)
{
    struct nb_str s = t->source;
    memset(dst, 0, EVENT_SOURCE_MAX);
    bool generic = s.n == 0 || nb_eqz(s, "UNKNOWN") || nb_eqz(s, "SYSTEM_PROGRAM") ||
                   nb_eqz(s, "SOLANA_PROGRAM_LIBRARY");
    if (generic && t->dex) {
        s = (struct nb_str){t->dex, strlen(t->dex)};
    } else if (s.n == 0) {
        memcpy(dst, "UNKNOWN", 7);
        return;
    }
    size_t n = s.n < EVENT_SOURCE_MAX - 1 ? s.n : EVENT_SOURCE_MAX - 1;
    memcpy(dst, s.p, n);
}

static int parse_key(struct nb_str s, struct pubkey *out)
{
    if (s.n == 0)
        return WT_EPARSE;
    return base58_decode(s.p, s.n, out->b, sizeof out->b) ? WT_EPARSE : 0;
}

static int fill_swap(const struct netbal_tx *t, const struct leg *l, uint16_t legno,
                     struct event *e)
{
    memset(e, 0, sizeof *e);
    e->kind = EVENT_SWAP;
    struct swap_event *s = &e->u.swap;
    if (base58_decode(t->sig.p, t->sig.n, s->sig.b, sizeof s->sig.b))
        return WT_EPARSE;
    if (parse_key(t->fee_payer, &s->wallet) || parse_key(l->mint, &s->mint) ||
        parse_key(l->quote_mint, &s->quote_mint))
        return WT_EPARSE;
    s->leg = legno;
    s->slot = t->slot;
    s->ts_ms = t->ts_ms;
    s->side = l->side;
    s->decimals = l->decimals;
    s->quote_decimals = l->quote_decimals;
    s->token_amount = l->amount;
    s->quote_amount = l->quote_amount;
    s->fee_lamports = t->fee;
    double tokens = (double)l->amount / pow10d(l->decimals);
    double quote = (double)l->quote_amount / pow10d(l->quote_decimals);
    if (l->quote == Q_SOL)
        s->price_sol = quote / tokens;
    else
        s->price_usd = quote / tokens;
    if (quote_of(l->mint) == Q_SOL)
        s->price_sol = 1.0;
    copy_source(s->source, t);
    return 0;
}

static int fill_transfer(const struct netbal_tx *t, struct nb_str from, struct nb_str to,
                         struct nb_str mint, uint8_t decimals, uint64_t amount, uint16_t legno,
                         struct event *e)
{
    memset(e, 0, sizeof *e);
    e->kind = EVENT_TRANSFER;
    struct transfer_event *x = &e->u.transfer;
    if (base58_decode(t->sig.p, t->sig.n, x->sig.b, sizeof x->sig.b))
        return WT_EPARSE;
    if (parse_key(from, &x->from) || parse_key(to, &x->to))
        return WT_EPARSE;
    if (mint.n && parse_key(mint, &x->mint))
        return WT_EPARSE;
    x->leg = legno;
    x->slot = t->slot;
    x->ts_ms = t->ts_ms;
    x->decimals = decimals;
    x->amount = amount;
    return 0;
}

/* Sum of the increases (in) and decreases (out) of `q` in accounts the
 * wallet does not own: the quote asset passing through a route. */
static void passthrough(const struct netbal_tx *t, enum quote_kind q, uint64_t *in, uint64_t *out,
                        struct nb_str *mint, uint8_t *decimals)
{
    i128 pos = 0, neg = 0;
    for (size_t i = 0; i < t->tokens.len; i++) {
        const struct nb_token *k = &t->tokens.v[i];
        if (quote_of(k->mint) != q || nb_eq(k->owner, t->fee_payer))
            continue;
        *mint = k->mint;
        *decimals = k->decimals;
        if (k->neg)
            neg += k->mag;
        else
            pos += k->mag;
    }
    *in = mag_u64(pos);
    *out = mag_u64(neg);
}

/* Works out the swap legs. Returns the number of legs (0 when this is no
 * swap) or sets *skip for a definite refusal. */
static size_t swap_legs(const struct netbal_tx *t, const struct wallet_view *w, struct leg legs[2],
                        enum skip_reason *skip)
{
    static const char wsol[] = MINT_WSOL;
    const struct nb_str sol_mint = {wsol, sizeof wsol - 1};
    *skip = SKIP_NONE;
    if (w->too_many) {
        *skip = SKIP_AMBIGUOUS;
        return 0;
    }
    const struct mint_delta *usdc = find_mint(w, Q_USDC), *usdt = find_mint(w, Q_USDT);
    const struct mint_delta *tok[MAX_MINTS];
    size_t nt = 0;
    for (size_t i = 0; i < w->n_mints; i++)
        if (quote_of(w->mints[i].mint) == Q_NONE && w->mints[i].delta != 0)
            tok[nt++] = &w->mints[i];
    memset(legs, 0, 2 * sizeof legs[0]);

    if (nt == 0) {
        /* Only quote assets moved: SOL against a stablecoin makes SOL the
         * token; USDT against USDC makes USDT the token. */
        const struct mint_delta *stable = NULL, *other = NULL;
        if (usdc && usdt && sign_of(usdc->delta) != sign_of(usdt->delta)) {
            stable = usdc;
            other = usdt;
        } else if ((usdc != NULL) != (usdt != NULL)) {
            stable = usdc ? usdc : usdt;
            if (w->sol == 0 || sign_of(w->sol) == sign_of(stable->delta))
                return 0;
        } else {
            return 0;
        }
        struct leg *l = &legs[0];
        i128 tok_delta_v = other ? other->delta : w->sol;
        l->mint = other ? other->mint : sol_mint;
        l->decimals = other ? other->decimals : 9;
        l->side = tok_delta_v > 0 ? SIDE_BUY : SIDE_SELL;
        l->amount = mag_u64(tok_delta_v);
        l->quote = quote_of(stable->mint);
        l->quote_mint = stable->mint;
        l->quote_decimals = stable->decimals;
        l->quote_amount = mag_u64(stable->delta);
        return l->amount && l->quote_amount ? 1 : 0;
    }

    if (nt >= 2) {
        /* Tokens that all went one way with no quote asset against them are
         * transfers (sending several NFTs), not a confusing swap. */
        int s0 = sign_of(tok[0]->delta);
        bool same = true;
        for (size_t i = 1; i < nt; i++)
            same = same && sign_of(tok[i]->delta) == s0;
        bool quote_opp = sign_of(w->sol) == -s0 || (usdc && sign_of(usdc->delta) == -s0) ||
                         (usdt && sign_of(usdt->delta) == -s0);
        if (same && !quote_opp)
            return 0;
    }

    if (nt == 1) {
        const struct mint_delta *m = tok[0];
        int s = sign_of(m->delta);
        bool usdc_opp = usdc && sign_of(usdc->delta) == -s;
        bool usdt_opp = usdt && sign_of(usdt->delta) == -s;
        struct leg *l = &legs[0];
        if (usdc_opp && usdt_opp) {
            *skip = SKIP_AMBIGUOUS;
            return 0;
        }
        if (usdc_opp || usdt_opp) {
            const struct mint_delta *q = usdc_opp ? usdc : usdt;
            l->quote = quote_of(q->mint);
            l->quote_mint = q->mint;
            l->quote_decimals = q->decimals;
            l->quote_amount = mag_u64(q->delta);
        } else if (sign_of(w->sol) == -s) {
            l->quote = Q_SOL;
            l->quote_mint = sol_mint;
            l->quote_decimals = 9;
            l->quote_amount = mag_u64(w->sol);
        } else {
            return 0; /* a token moved with nothing against it: a transfer */
        }
        if (m->decimals == 0) {
            *skip = SKIP_NFT;
            return 0;
        }
        l->mint = m->mint;
        l->decimals = m->decimals;
        l->side = s > 0 ? SIDE_BUY : SIDE_SELL;
        l->amount = mag_u64(m->delta);
        return l->amount && l->quote_amount ? 1 : 0;
    }

    if (nt == 2 && sign_of(tok[0]->delta) != sign_of(tok[1]->delta)) {
        /* Token to token: two legs, sell the one given and buy the one
         * received, each priced by the quote asset that passed through the
         * route (what the pools paid out for the sale, what they took in
         * for the purchase). */
        const struct mint_delta *sold = tok[0]->delta < 0 ? tok[0] : tok[1];
        const struct mint_delta *bought = sold == tok[0] ? tok[1] : tok[0];
        static const enum quote_kind order[] = {Q_SOL, Q_USDC, Q_USDT};
        for (size_t i = 0; i < 3; i++) {
            uint64_t in = 0, out = 0;
            struct nb_str qm = {0};
            uint8_t qd = 0;
            passthrough(t, order[i], &in, &out, &qm, &qd);
            if (in == 0 || out == 0)
                continue;
            if (sold->decimals == 0 || bought->decimals == 0) {
                *skip = SKIP_NFT;
                return 0;
            }
            legs[0] = (struct leg){
                sold->mint, sold->decimals, SIDE_SELL, mag_u64(sold->delta), order[i], qm, qd, out};
            legs[1] = (struct leg){bought->mint, bought->decimals,
                                   SIDE_BUY,     mag_u64(bought->delta),
                                   order[i],     qm,
                                   qd,           in};
            return legs[0].amount && legs[1].amount ? 2 : 0;
        }
        *skip = SKIP_UNSUPPORTED_QUOTE;
        return 0;
    }
    *skip = SKIP_AMBIGUOUS;
    return 0;
}

/* Exact raw amount of a token transfer: the increase of its destination
 * account, usable only when no other transfer of that mint lands there. */
static bool xfer_amount(const struct netbal_tx *t, const struct nb_xfer *x, uint64_t *amount,
                        uint8_t *decimals)
{
    size_t same = 0;
    for (size_t i = 0; i < t->xfers.len; i++) {
        const struct nb_xfer *y = &t->xfers.v[i];
        if (!y->native && nb_eq(y->to_acct, x->to_acct) && nb_eq(y->mint, x->mint))
            same++;
    }
    if (same != 1)
        return false;
    for (size_t i = 0; i < t->tokens.len; i++) {
        const struct nb_token *k = &t->tokens.v[i];
        if (nb_eq(k->account, x->to_acct) && nb_eq(k->mint, x->mint) && !k->neg) {
            *amount = k->mag;
            *decimals = k->decimals;
            return true;
        }
    }
    return false;
}

static int emit_transfers(const struct netbal_tx *t, const struct wallet_view *w,
                          struct event_vec *events, uint16_t *n)
{
    *n = 0;
    if (t->has_xfer_lists) {
        for (size_t i = 0; i < t->xfers.len; i++) {
            const struct nb_xfer *x = &t->xfers.v[i];
            if (x->from.n == 0 || x->to.n == 0 || nb_eq(x->from, x->to))
                continue;
            uint64_t amount = x->amount;
            uint8_t decimals = 9;
            struct nb_str mint = {0};
            if (x->native) {
                if (is_token_account(t, x->from) || is_token_account(t, x->to))
                    continue; /* rent or wrapping, not a payment */
            } else {
                if (!xfer_amount(t, x, &amount, &decimals))
                    continue;
                mint = x->mint;
            }
            if (amount == 0)
                continue;
            struct event *e = vec_push_zero(events);
            if (fill_transfer(t, x->from, x->to, mint, decimals, amount, *n, e))
                return WT_EPARSE;
            (*n)++;
        }
        return 0;
    }
    /* Raw format: no transfer list. A fee payer whose SOL went down, with no
     * token change of its own, paid exactly the accounts whose lamports
     * went up (when the sums agree to the lamport). */
    if (w->any_token || w->sol >= 0)
        return 0;
    i128 paid = 0;
    for (size_t i = 0; i < t->natives.len; i++) {
        const struct nb_native *a = &t->natives.v[i];
        if (a->delta > 0 && !nb_eq(a->account, t->fee_payer) && !is_token_account(t, a->account))
            paid += a->delta;
    }
    if (paid != -w->sol)
        return 0;
    for (size_t i = 0; i < t->natives.len; i++) {
        const struct nb_native *a = &t->natives.v[i];
        if (a->delta <= 0 || nb_eq(a->account, t->fee_payer) || is_token_account(t, a->account))
            continue;
        struct event *e = vec_push_zero(events);
        if (fill_transfer(t, t->fee_payer, a->account, (struct nb_str){0}, 9, (uint64_t)a->delta,
                          *n, e))
            return WT_EPARSE;
        (*n)++;
    }
    return 0;
}

static bool nft_type(struct nb_str type)
{
    return (type.n >= 4 && memcmp(type.p, "NFT_", 4) == 0) ||
           (type.n >= 15 && memcmp(type.p, "COMPRESSED_NFT_", 15) == 0);
}

int netbal_decide(const struct netbal_tx *t, struct event_vec *events, struct netbal_result *res)
{
    size_t mark = events->len;
    memset(res, 0, sizeof *res);
    if (t->failed) {
        res->skip = SKIP_FAILED;
        return 0;
    }
    if (nft_type(t->type)) {
        res->skip = SKIP_NFT;
        return 0;
    }
    struct wallet_view w;
    wallet_view_build(t, &w);
    struct leg legs[2];
    enum skip_reason why = SKIP_NONE;
    size_t n = swap_legs(t, &w, legs, &why);
    if (n && t->has_xfer_lists && !t->helius_swap && !has_counterparty(t))
        n = 0, why = SKIP_NONE; /* not corroborated: look for transfers */
    if (n) {
        for (size_t i = 0; i < n; i++) {
            struct event *e = vec_push_zero(events);
            if (fill_swap(t, &legs[i], (uint16_t)i, e))
                goto bad;
        }
        res->n_swaps = (uint16_t)n;
        /* events.swap cross-check on the SOL side of the trade. */
        int sol_dir = 0;
        if (legs[0].quote == Q_SOL)
            sol_dir = legs[0].side == SIDE_BUY ? -1 : 1;
        else if (quote_of(legs[0].mint) == Q_SOL)
            sol_dir = legs[0].side == SIDE_BUY ? 1 : -1;
        res->xcheck_mismatch = n == 1 && sol_dir && t->xcheck_sol && sol_dir != t->xcheck_sol;
        return 0;
    }
    if (why != SKIP_NONE) {
        res->skip = why;
        return 0;
    }
    uint16_t nx = 0;
    if (emit_transfers(t, &w, events, &nx))
        goto bad;
    if (nx) {
        res->n_transfers = nx;
        return 0;
    }
    res->skip = (w.sol == 0 && !w.any_token) ? SKIP_NO_BALANCE_CHANGE : SKIP_NOT_A_SWAP;
    return 0;
bad:
    events->len = mark;
    memset(res, 0, sizeof *res);
    res->skip = SKIP_MALFORMED;
    return WT_EPARSE;
}

/* ---- bounds ---------------------------------------------------------------- */

static int range_err(char *err, size_t errsize, const char *what, bool neg, uint64_t v,
                     const char *why)
{
    if (err && errsize &&
        snprintf(err, errsize, "%s %s%llu %s", what, neg ? "-" : "", (unsigned long long)v, why) <
            0)
        err[0] = '\0';
    return WT_ERANGE;
}

static uint64_t mag_i64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

int netbal_validate(const struct netbal_tx *t, const struct netbal_limits *lim, char *err,
                    size_t errsize)
{
    int64_t horizon = lim->now_ms + (lim->max_future_ms > 0 ? lim->max_future_ms : 0);
    /* 0 is "no block time" (absent or null), accepted as before. */
    if (t->ts_ms != 0 && t->ts_ms < NETBAL_GENESIS_MS)
        return range_err(err, errsize, "timestamp", false, (uint64_t)(t->ts_ms / 1000),
                         "is before Solana's genesis (2020-03-16)");
    if (t->ts_ms > horizon)
        return range_err(err, errsize, "timestamp", false, (uint64_t)(t->ts_ms / 1000),
                         "is in the future (beyond ingest.max_future_s)");
    uint64_t max_slot = horizon > NETBAL_GENESIS_MS
                            ? (uint64_t)(horizon - NETBAL_GENESIS_MS) / 1000 * NETBAL_SLOTS_PER_S
                            : 0;
    if (t->slot > max_slot) /* max_slot is far below 2^63 */
        return range_err(err, errsize, "slot", false, t->slot, "cannot exist yet");
    if (t->fee > NETBAL_MAX_FEE)
        return range_err(err, errsize, "fee", false, t->fee, "lamports is above the 1000 SOL cap");
    for (size_t i = 0; i < t->natives.len; i++) {
        int64_t d = t->natives.v[i].delta;
        if (mag_i64(d) > NETBAL_MAX_LAMPORTS)
            return range_err(err, errsize, "balance change", d < 0, mag_i64(d),
                             "lamports is beyond the total SOL supply");
    }
    for (size_t i = 0; i < t->xfers.len; i++) {
        const struct nb_xfer *x = &t->xfers.v[i];
        if (x->native && x->amount > NETBAL_MAX_LAMPORTS)
            return range_err(err, errsize, "native transfer", false, x->amount,
                             "lamports is beyond the total SOL supply");
    }
    /* A mint has one number of decimals: two changes of one mint that
     * disagree cannot both be right (their amounts would be in different
     * units). Quadratic, but a transaction has a handful of token changes. */
    for (size_t i = 0; i < t->tokens.len; i++)
        for (size_t j = 0; j < i; j++)
            if (t->tokens.v[j].decimals != t->tokens.v[i].decimals &&
                nb_eq(t->tokens.v[j].mint, t->tokens.v[i].mint))
                return range_err(err, errsize, "a mint with", false, t->tokens.v[i].decimals,
                                 "decimals in one change and another number in another");
    return 0;
}

int netbal_validate_events(const struct event_vec *events, size_t first, char *err, size_t errsize)
{
    for (size_t i = first; i < events->len; i++) {
        const struct event *e = &events->v[i];
        /* The quote is SOL, USDC or USDT: 1e18 raw units is beyond the
         * supply of each (1e12 dollars for the stablecoins). */
        if (e->kind == EVENT_SWAP && e->u.swap.quote_amount > NETBAL_MAX_LAMPORTS)
            return range_err(err, errsize, "quote amount", false, e->u.swap.quote_amount,
                             "is beyond the total supply of the quote asset");
        if (e->kind == EVENT_TRANSFER && pubkey_is_zero(&e->u.transfer.mint) &&
            e->u.transfer.amount > NETBAL_MAX_LAMPORTS)
            return range_err(err, errsize, "transfer of", false, e->u.transfer.amount,
                             "lamports is beyond the total SOL supply");
    }
    return 0;
}
