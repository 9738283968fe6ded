/* Store benchmark: event append throughput and wallet-list latency.
 *
 *   bench_store [--append] [DIR]            SQLite in DIR (default: a temp folder);
 *                                           --append: only the append part
 *   tests/store/with_pg.sh bench_store      also PostgreSQL (WALLTRACK_TEST_PG_URL)
 *
 * Append: swaps in batches of 1, 100 and 1000 events, one transaction per
 * batch, events/s. List: GET /v1/smart-money/wallets shape (page of 50,
 * chain + verified + status + minScore filters, sorted by score desc, with
 * the total) over 10k and 100k wallets, median and p99 of 300 queries at
 * random pages. Data is generated with a fixed seed. Results go to
 * docs/performance.md ("Store") by hand, with the command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "solana/pubkey.h"
#include "store/store.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static struct event mkswap(uint64_t n)
{
    struct event e = {.kind = EVENT_SWAP};
    struct swap_event *s = &e.u.swap;
    for (size_t i = 0; i < sizeof s->sig.b; i += 8) {
        uint64_t r = next();
        memcpy(s->sig.b + i, &r, 8);
    }
    s->slot = 300000000 + n;
    s->ts_ms = 1765000000000 + (int64_t)n * 400;
    uint64_t w = next() % 2000, m = next() % 500;
    memset(s->wallet.b, 0, 32);
    memcpy(s->wallet.b, &w, 8);
    memset(s->mint.b, 1, 32);
    memcpy(s->mint.b, &m, 8);
    memset(s->quote_mint.b, 2, 32);
    s->side = n % 2 ? SIDE_BUY : SIDE_SELL;
    s->decimals = 6;
    s->quote_decimals = 9;
    s->token_amount = next() | 1;
    s->quote_amount = next() % 100000000000ULL + 1;
    s->price_sol = 1e-6 * (double)(next() % 1000);
    s->fee_lamports = 5000;
    snprintf(s->source, sizeof s->source, "PUMP_FUN");
    return e;
}

static void bench_append(struct store *st, const char *name)
{
    static const size_t batch[] = {1, 100, 1000};
    static const size_t total[] = {3000, 100000, 300000};
    for (int k = 0; k < 3; k++) {
        size_t n = total[k];
        struct event *ev = malloc(n * sizeof *ev);
        for (size_t i = 0; i < n; i++)
            ev[i] = mkswap(i);
        int64_t t0 = clock_mono_ns();
        for (size_t i = 0; i < n; i += batch[k]) {
            if (store_append_events(st, ev + i, batch[k], NULL) != 0) {
                fprintf(stderr, "append failed\n");
                exit(1);
            }
        }
        double s = (double)(clock_mono_ns() - t0) / 1e9;
        printf("%-10s append batch %4zu: %8zu events in %6.2f s = %9.0f events/s\n", name, batch[k],
               n, s, (double)n / s);
        free(ev);
    }
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void load_wallets(struct store *st, size_t from, size_t to)
{
    enum { CHUNK = 1000 };
    struct wallet *w = calloc(CHUNK, sizeof *w);
    for (size_t i = from; i < to; i += CHUNK) {
        size_t n = to - i < CHUNK ? to - i : CHUNK;
        for (size_t j = 0; j < n; j++) {
            struct wallet *x = &w[j];
            memset(x, 0, sizeof *x);
            struct pubkey k;
            for (int b = 0; b < 32; b += 8) {
                uint64_t r = next();
                memcpy(k.b + b, &r, 8);
            }
            pubkey_format(&k, x->address);
            snprintf(x->chain, sizeof x->chain, "%s", next() % 10 ? "solana" : "base");
            snprintf(x->type, sizeof x->type, "%s", next() % 4 ? "trader" : "whale");
            x->verified = next() % 3 == 0;
            x->score = (double)(next() % 10001) / 100.0;
            x->status = next() % 20 ? WALLET_WATCH : WALLET_FLAGGED;
            x->roi = (double)(next() % 1000) / 100.0 - 1;
            x->total_pnl = (double)(next() % 100000) / 10.0;
            x->total_trades = (int64_t)(next() % 5000);
            x->first_seen_ms = 1765000000000;
        }
        if (store_wallet_upsert_many(st, w, n) != 0) {
            fprintf(stderr, "wallet upsert failed\n");
            exit(1);
        }
    }
    free(w);
}

static void bench_list(struct store *st, const char *name, size_t nwallets)
{
    enum { Q = 300 };
    double lat[Q];
    int64_t total = 0;
    for (int q = 0; q < Q; q++) {
        struct wallet_filter f = {.sort = WALLET_SORT_SCORE,
                                  .limit = 50,
                                  .has_verified = true,
                                  .verified = true,
                                  .status = WALLET_WATCH,
                                  .has_min_score = true,
                                  .min_score = 20};
        f.chains[0] = "solana";
        f.nchains = 1;
        f.page = (uint32_t)(1 + next() % 20);
        struct wallet_page p;
        int64_t t0 = clock_mono_ns();
        if (store_wallet_list(st, &f, &p) != 0) {
            fprintf(stderr, "list failed\n");
            exit(1);
        }
        lat[q] = (double)(clock_mono_ns() - t0) / 1e6;
        total = p.total;
        wallet_page_release(&p);
    }
    qsort(lat, Q, sizeof lat[0], cmpd);
    printf("%-10s list %6zu wallets (page of 50, 4 filters, score desc, total %lld): median "
           "%.3f ms, p99 %.3f ms\n",
           name, nwallets, (long long)total, lat[Q / 2], lat[Q * 99 / 100]);
    struct wallet_filter f = {.sort = WALLET_SORT_SCORE, .limit = 50, .page = 1};
    for (int q = 0; q < Q; q++) {
        struct wallet_page p;
        f.page = (uint32_t)(1 + next() % 20);
        int64_t t0 = clock_mono_ns();
        store_wallet_list(st, &f, &p);
        lat[q] = (double)(clock_mono_ns() - t0) / 1e6;
        wallet_page_release(&p);
    }
    qsort(lat, Q, sizeof lat[0], cmpd);
    printf("%-10s list %6zu wallets (page of 50, no filter, score desc, with total): median "
           "%.3f ms, p99 %.3f ms\n",
           name, nwallets, lat[Q / 2], lat[Q * 99 / 100]);
}

static bool append_only;

static void run(const char *target, const char *name)
{
    struct store *st;
    char err[256];
    if (store_open(target, NULL, &st, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", name, err);
        exit(1);
    }
    bench_append(st, name);
    if (append_only) {
        store_close(st);
        return;
    }
    load_wallets(st, 0, 10000);
    bench_list(st, name, 10000);
    load_wallets(st, 10000, 100000);
    bench_list(st, name, 100000);
    store_close(st);
}

int main(int argc, char **argv)
{
    log_set_level(LOG_WARN);
    if (argc > 1 && strcmp(argv[1], "--append") == 0) {
        append_only = true;
        argv++;
        argc--;
    }
    char dir[256];
    if (argc > 1) {
        snprintf(dir, sizeof dir, "%s", argv[1]);
    } else {
        snprintf(dir, sizeof dir, "/tmp/wt_bench_store_XXXXXX");
        if (mkdtemp(dir) == NULL)
            return 1;
    }
    run(dir, "sqlite");
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (pg != NULL && pg[0] != '\0') {
        /* with_pg.sh gives an empty database. */
        run(pg, "postgresql");
    } else {
        printf("postgresql: skipped (run through tests/store/with_pg.sh)\n");
    }
    if (argc <= 1) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return 0;
}
