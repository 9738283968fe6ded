/* The small simulated market of the serve-path integration tests (src/sim:
 * seed 4242, 300 tokens a day, the minimum wallets plus 200) starting at
 * now_ms, and its watchlist posted to a daemon. Included (as the other
 * support files are) by the tests that need it; the includer includes
 * cmocka first, then harness.h and sim/sim.h. */
#include <stdio.h>
#include <string.h>

static struct sim *sim_market_now(int64_t now_ms)
{
    struct scenario sc;
    scenario_default(&sc);
    sc.seed = 4242;
    sc.days = 1;
    sc.tokens_per_day = 300;
    scenario_scale_wallets(&sc, (uint32_t)scenario_min_wallets(&sc) + 200);
    sc.start_time = now_ms / 1000;
    struct sim *s;
    char err[256];
    assert_int_equal(sim_new(&sc, &s, err, sizeof err), 0);
    return s;
}

/* Watches the skilled wallets with prior 90 through POST /v1/watchlist,
 * with all_smart also the fading ones (90) and the snipers (70). Returns
 * how many. */
static size_t sim_watch(unsigned port, struct sim *s, bool all_smart)
{
    struct buf body;
    buf_init(&body, 0);
    size_t watched = 0;
    for (uint32_t w = 0; w < sim_wallet_count(s); w++) {
        enum sim_wallet_type t = sim_wallet_type(s, w);
        if (t != SIM_SKILLED && (!all_smart || (t != SIM_FADING && t != SIM_SNIPER)))
            continue;
        char req[256];
        snprintf(req, sizeof req, "{\"wallet\":\"%s\",\"score\":%d}", sim_wallet_address(s, w),
                 t == SIM_SNIPER ? 70 : 90);
        buf_reset(&body);
        assert_int_equal(http_request(port, "POST", "/v1/watchlist", NULL, req, strlen(req), &body),
                         200);
        watched++;
    }
    buf_release(&body);
    return watched;
}
