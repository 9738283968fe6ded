/* signal_evaluate's formulas (docs/engine.md, "Signal factors"): the token
 * factor's components and gates, the context factor, the cluster factor
 * (owners, a leader followed, insider gate and penalty), the weights
 * (30/25/25/20, renormalised when the cluster factor is off); and through
 * the engine, one owner one vote and amplification (cluster memberships
 * by CMD_CLUSTER_MEMBER, the buys counted in the cluster window). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "signal/signal.h"
#include "trade/engine.h"
#include "trade/engine_out.h"

#define EPS 1e-12

static void neutral(struct signal_inputs *in)
{
    memset(in, 0, sizeof *in);
    in->prior_score = 0.8;
    in->age_ms = 30 * MS_PER_MINUTE;
    in->liquidity_sol = 50;
    in->mcap_sol = 1000;
    in->holders = 10;
    in->concentration = 0.05;
    in->move = 0;
    in->cluster_owners = 1;
}

static void test_weights_default(void **state)
{
    (void)state;
    struct signal_params p;
    signal_params_default(&p);
    assert_true(p.cluster_available);
    assert_float_equal(p.weight[SF_WALLET], 0.30, EPS);
    assert_float_equal(p.weight[SF_CLUSTER], 0.25, EPS);
    assert_float_equal(p.weight[SF_TOKEN], 0.25, EPS);
    assert_float_equal(p.weight[SF_CONTEXT], 0.20, EPS);
    struct signal_inputs in;
    neutral(&in);
    struct signal_factors f;
    signal_evaluate(&p, &in, &f);
    double sum = 0;
    for (int i = 0; i < SF_COUNT; i++)
        sum += f.weight_eff[i];
    assert_float_equal(sum, 1, EPS);
    assert_float_equal(f.weight_eff[SF_CLUSTER], 0.25, EPS);
    assert_float_equal(f.score,
                       0.30 * f.f[SF_WALLET] + 0.25 * f.f[SF_CLUSTER] + 0.25 * f.f[SF_TOKEN] +
                           0.20 * f.f[SF_CONTEXT],
                       EPS);
    /* off: its weight is shared out in proportion */
    p.cluster_available = false;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.weight_eff[SF_CLUSTER], 0, EPS);
    assert_float_equal(f.f[SF_CLUSTER], 0, EPS);
    assert_float_equal(f.weight_eff[SF_WALLET], 0.30 / 0.75, EPS);
}

static void test_token_formula(void **state)
{
    (void)state;
    struct signal_params p;
    signal_params_default(&p);
    struct signal_inputs in;
    neutral(&in);
    struct signal_factors f;
    /* age: < 1 min 0.7; 30 min (<= 2 h) 1.0; 13 h halfway to 0.4 */
    in.age_ms = 30 * MS_PER_SECOND;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_age, 0.7, EPS);
    in.age_ms = 30 * MS_PER_MINUTE;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_age, 1.0, EPS);
    in.age_ms = 780 * MS_PER_MINUTE;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_age, 0.7, 1e-9);
    /* liquidity: log scale from 5 SOL (0) to 200 SOL (1); unknown 0.5 */
    in.liquidity_sol = sqrt(5.0 * 200.0);
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_liquidity, 0.5, 1e-9);
    in.liquidity_sol = 0;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_liquidity, 0.5, EPS);
    /* mcap: 1 - log10(mcap / 100) / 2; 1,000 SOL is 0.5 */
    assert_float_equal(f.t_mcap, 0.5, 1e-9);
    /* concentration: ignored below 5 holders; 0.275 halfway */
    in.concentration = 0.275;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_concentration, 0.5, 1e-9);
    in.holders = 4;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_concentration, 0.5, EPS);
    in.holders = 10;
    in.concentration = 0.6;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_concentration, 0, EPS);
    /* move: 1 up to +10 %, 0 at +100 % */
    in.move = 0.55;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.t_move, 0.5, 1e-9);
    assert_float_equal(f.f[SF_TOKEN],
                       0.2 * f.t_age + 0.25 * f.t_liquidity + 0.15 * f.t_mcap +
                           0.2 * f.t_concentration + 0.2 * f.t_move,
                       EPS);
    /* gates, in order: liquidity, move, age */
    assert_int_equal(f.gate, SIGNAL_GATE_OK);
    in.liquidity_sol = 4;
    in.move = 2;
    signal_evaluate(&p, &in, &f);
    assert_int_equal(f.gate, SIGNAL_GATE_LIQUIDITY);
    in.liquidity_sol = 50;
    signal_evaluate(&p, &in, &f);
    assert_int_equal(f.gate, SIGNAL_GATE_MOVE);
    in.move = 0;
    p.max_age_ms = MS_PER_HOUR;
    in.age_ms = 2 * MS_PER_HOUR;
    signal_evaluate(&p, &in, &f);
    assert_int_equal(f.gate, SIGNAL_GATE_AGE);
}

static void test_context_formula(void **state)
{
    (void)state;
    struct signal_params p;
    signal_params_default(&p);
    struct signal_inputs in;
    neutral(&in);
    struct signal_factors f;
    /* no data: the 0.5 priors; no exposure: 1 */
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.c_hour, 0.5, EPS);
    assert_float_equal(f.c_recent, 0.5, EPS);
    assert_float_equal(f.c_exposure, 1, EPS);
    assert_float_equal(f.f[SF_CONTEXT], 0.35 * 0.5 + 0.35 * 0.5 + 0.3, EPS);
    /* 8 of 8 wins at this hour, shrunk by 4 pseudo-trades at 0.5: 10/12 */
    in.hour_n = 8;
    in.hour_wins = 8;
    in.recent_n = 4;
    in.recent_wins = 0;
    in.exposure = 0.25;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.c_hour, 10.0 / 12.0, EPS);
    assert_float_equal(f.c_recent, 2.0 / 8.0, EPS);
    assert_float_equal(f.c_exposure, 0.75, EPS);
    assert_float_equal(f.f[SF_CONTEXT], 0.35 * (10.0 / 12) + 0.35 * 0.25 + 0.3 * 0.75, EPS);
}

static void test_cluster_formula(void **state)
{
    (void)state;
    struct signal_params p;
    signal_params_default(&p);
    struct signal_inputs in;
    neutral(&in);
    struct signal_factors f;
    /* one owner alone 0.3; two 0.65; three or more 1 */
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.f[SF_CLUSTER], 0.3, EPS);
    double alone = f.score;
    in.cluster_owners = 0; /* taken as 1 */
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.f[SF_CLUSTER], 0.3, EPS);
    in.cluster_owners = 2;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.f[SF_CLUSTER], 0.65, EPS);
    assert_float_equal(f.score - alone, 0.25 * 0.35, EPS);
    in.cluster_owners = 5;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.f[SF_CLUSTER], 1, EPS);
    /* a member following its leader +0.3; members together +0.15 */
    in.cluster_owners = 1;
    in.in_cluster = true;
    in.members_together = true;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.f[SF_CLUSTER], 0.45, EPS);
    in.leader_followed = true;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.f[SF_CLUSTER], 0.6, EPS);
    in.cluster_owners = 3;
    signal_evaluate(&p, &in, &f);
    assert_float_equal(f.f[SF_CLUSTER], 1, EPS); /* clamped */
    /* insider: gate (default) */
    in.cluster_owners = 1;
    in.insider_token = true;
    signal_evaluate(&p, &in, &f);
    assert_int_equal(f.gate, SIGNAL_GATE_INSIDER);
    assert_string_equal(signal_gate_name(f.gate), "insider");
    double gated = f.score;
    /* penalty: no gate, cluster factor 0 and the score times 0.5 */
    p.insider_penalty = true;
    signal_evaluate(&p, &in, &f);
    assert_int_equal(f.gate, SIGNAL_GATE_OK);
    assert_float_equal(f.f[SF_CLUSTER], 0, EPS);
    assert_float_equal(f.score, 0.5 * (gated - 0.25 * 0.6), EPS); /* without the 0.6 cluster part */
    /* a token gate comes first */
    p.insider_penalty = false;
    in.liquidity_sol = 1;
    signal_evaluate(&p, &in, &f);
    assert_int_equal(f.gate, SIGNAL_GATE_LIQUIDITY);
    /* bad parameters */
    char err[128];
    p.insider_mult = 2;
    assert_int_equal(signal_params_validate(&p, err, sizeof err), WT_EINVAL);
}

/* ---- through the engine ---- */

struct sigs {
    struct engine_out base;
    double cluster[16];
    uint32_t owners[16];
    bool follow[16], insider[16];
    const char *gate[16];
    int n;
};

static void on_signal(struct engine_out *o, const struct engine_signal *s)
{
    struct sigs *x = (struct sigs *)o;
    if (x->n < 16) {
        x->cluster[x->n] = s->f->f[SF_CLUSTER];
        x->owners[x->n] = s->in->cluster_owners;
        x->follow[x->n] = s->in->leader_followed;
        x->insider[x->n] = s->in->insider_token;
        x->gate[x->n] = signal_gate_name(s->f->gate);
        x->n++;
    }
}

static void nothing_free(struct engine_out *o)
{
    (void)o;
}

static const struct engine_out_ops sig_ops = {.signal = on_signal, .free = nothing_free};

static struct pubkey wkey(unsigned kind, unsigned i)
{
    struct pubkey k;
    memset(&k, 0, sizeof k);
    k.b[0] = (uint8_t)kind;
    k.b[1] = (uint8_t)i;
    k.b[31] = 9;
    return k;
}

static unsigned nsig;

static struct event buy(unsigned w, unsigned m, int64_t ts)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_SWAP;
    nsig++;
    memcpy(e.u.swap.sig.b, &nsig, sizeof nsig);
    e.u.swap.ts_ms = ts;
    e.u.swap.slot = (uint64_t)(ts / 400);
    e.u.swap.wallet = wkey(1, w);
    e.u.swap.mint = wkey(2, m);
    e.u.swap.side = SIDE_BUY;
    e.u.swap.decimals = 6;
    e.u.swap.quote_decimals = 9;
    e.u.swap.token_amount = 1000000;
    e.u.swap.quote_amount = 1000000;
    e.u.swap.price_sol = 0.001;
    snprintf(e.u.swap.source, sizeof e.u.swap.source, "RAYDIUM");
    return e;
}

static struct event cmd(enum command_kind k, unsigned w, double value, const char *name, int64_t ts)
{
    struct event e;
    memset(&e, 0, sizeof e);
    e.kind = EVENT_COMMAND;
    e.u.command.kind = k;
    e.u.command.ts_ms = ts;
    e.u.command.wallet = wkey(1, w);
    e.u.command.value = value;
    if (name)
        snprintf(e.u.command.name, sizeof e.u.command.name, "%s", name);
    return e;
}

static void feed(struct engine *e, struct event ev)
{
    assert_int_equal(engine_handle(e, &ev), 0);
}

static void test_engine_one_owner_one_vote(void **state)
{
    (void)state;
    struct sigs *x = xcalloc(1, sizeof *x);
    x->base.ops = &sig_ops;
    struct engine_params p;
    engine_params_default(&p);
    char err[256];
    const int64_t t0 = 1767225600000LL;
    struct engine *e = engine_new(&p, &x->base, t0, err, sizeof err);
    assert_non_null(e);
    for (unsigned w = 1; w <= 6; w++)
        feed(e, cmd(CMD_WATCH, w, 50, NULL, t0));
    /* cluster 7: leader 1, followers 2 and 3; 4, 5 and 6 on their own */
    feed(e, cmd(CMD_CLUSTER_MEMBER, 1, 7, "leader", t0));
    feed(e, cmd(CMD_CLUSTER_MEMBER, 2, 7, "follower", t0));
    feed(e, cmd(CMD_CLUSTER_MEMBER, 3, 7, "follower", t0));
    int64_t t = t0 + 1000;
    feed(e, buy(99, 1, t));        /* someone unwatched makes the first trade */
    feed(e, buy(1, 1, t += 1000)); /* the leader: one owner */
    feed(e, buy(2, 1, t += 1000)); /* a follower: still one owner, leader followed */
    feed(e, buy(3, 1, t += 1000)); /* another: one owner */
    feed(e, buy(4, 1, t += 1000)); /* an independent wallet: two owners */
    feed(e, buy(5, 1, t += 1000)); /* three */
    assert_int_equal(x->n, 5);
    assert_int_equal(x->owners[0], 1);
    assert_float_equal(x->cluster[0], 0.3, EPS);
    assert_false(x->follow[0]);
    assert_int_equal(x->owners[1], 1);
    assert_true(x->follow[1]);
    assert_float_equal(x->cluster[1], 0.6, EPS);
    assert_int_equal(x->owners[2], 1);
    assert_int_equal(x->owners[3], 2);
    assert_float_equal(x->cluster[3], 0.65, EPS);
    assert_int_equal(x->owners[4], 3);
    assert_float_equal(x->cluster[4], 1, EPS);
    assert_false(x->insider[4]);
    /* past the window (30 min) the old buys no longer count */
    feed(e, buy(6, 1, t + 31 * MS_PER_MINUTE));
    assert_int_equal(x->owners[5], 1);
    /* a mint whose first trade is the cluster's: an insider signal, gated */
    feed(e, buy(2, 2, t + 32 * MS_PER_MINUTE));
    assert_true(x->insider[6]);
    assert_string_equal(x->gate[6], "insider");
    /* a reset forgets the clusters */
    feed(e, cmd(CMD_CLUSTER_RESET, 0, 0, NULL, t + 33 * MS_PER_MINUTE));
    feed(e, buy(3, 2, t + 34 * MS_PER_MINUTE));
    assert_false(x->insider[7]);
    assert_int_equal(x->owners[7], 2); /* 2 and 3 are two owners now */
    /* a bad cluster id is refused */
    struct event bad = cmd(CMD_CLUSTER_MEMBER, 4, 0, "leader", t + 35 * MS_PER_MINUTE);
    assert_int_equal(engine_handle(e, &bad), WT_EINVAL);
    engine_free(e);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_default),           cmocka_unit_test(test_token_formula),
        cmocka_unit_test(test_context_formula),           cmocka_unit_test(test_cluster_formula),
        cmocka_unit_test(test_engine_one_owner_one_vote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
