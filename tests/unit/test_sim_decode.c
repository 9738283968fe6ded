/* The simulator's output goes through the real ingest decoder: every
 * transaction of a small market decodes, with no skip and no events.swap
 * mismatch, into exactly the trade the simulator recorded — wallet, side,
 * mint, token amount, SOL amount (the decoder's quote amount is what the
 * wallet paid or received, fees apart), fee and time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ingest/helius.h"
#include "sim/sim.h"
#include "solana/pubkey.h"

static void test_every_sim_tx_decodes_to_its_trade(void **state)
{
    (void)state;
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = 20261121;
    sc.tokens_per_day = 40;
    scenario_scale_wallets(&sc, (uint32_t)scenario_min_wallets(&sc) + 200);
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);

    struct helius_decoder *d = helius_decoder_new();
    struct helius_out out = {0};
    struct helius_counters c = {0};
    struct buf json;
    buf_init(&json, 0);
    struct sim_tx tx;
    size_t swaps = 0, transfers = 0;
    while (sim_next(s, &tx) == 1) {
        buf_reset(&json);
        assert_int_equal(sim_tx_json(s, &tx, &json), 0);
        helius_out_clear(&out);
        if (helius_decode(d, json.data, json.len, 0, &out, &c) != 0)
            fail_msg("decode failed: %s\n%s", helius_errmsg(d), json.data);
        assert_int_equal(out.txs.len, 1);
        const struct helius_tx *t = &out.txs.v[0];
        if (t->skip != SKIP_NONE)
            fail_msg("skipped (%s): %s", skip_reason_name(t->skip), json.data);
        assert_false(t->xcheck_mismatch);
        assert_int_equal(out.events.len, 1);
        const struct event *e = &out.events.v[0];
        struct pubkey wallet;
        assert_int_equal(pubkey_parse(sim_wallet_address(s, tx.wallet), &wallet), 0);
        if (tx.kind == SIM_TX_SWAP) {
            const struct swap_event *sw = &e->u.swap;
            struct pubkey mint;
            assert_int_equal(pubkey_parse(sim_token_mint(s, tx.token), &mint), 0);
            assert_int_equal(e->kind, EVENT_SWAP);
            assert_true(pubkey_eq(&sw->wallet, &wallet));
            assert_true(pubkey_eq(&sw->mint, &mint));
            assert_int_equal(sw->side, tx.side);
            assert_int_equal(sw->token_amount, tx.tokens);
            assert_int_equal(sw->quote_amount, tx.sol);
            assert_int_equal(sw->fee_lamports, tx.fee);
            assert_int_equal(sw->decimals, 6);
            assert_memory_equal(sw->sig.b, tx.sig.b, 64);
            assert_int_equal(sw->ts_ms / 1000, tx.ts_ms / 1000);
            swaps++;
        } else {
            const struct transfer_event *tr = &e->u.transfer;
            struct pubkey to;
            assert_int_equal(pubkey_parse(sim_wallet_address(s, tx.to), &to), 0);
            assert_int_equal(e->kind, EVENT_TRANSFER);
            assert_true(pubkey_eq(&tr->from, &wallet));
            assert_true(pubkey_eq(&tr->to, &to));
            assert_int_equal(tr->amount, tx.sol);
            assert_true(pubkey_is_zero(&tr->mint));
            transfers++;
        }
    }
    assert_true(swaps > 1000);
    assert_true(transfers > 50);
    assert_int_equal(c.swaps, swaps);
    assert_int_equal(c.transfers, transfers);
    print_message("%zu swaps and %zu transfers decoded exactly\n", swaps, transfers);
    buf_release(&json);
    helius_out_release(&out);
    helius_decoder_free(d);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sim_tx_decodes_to_its_trade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
