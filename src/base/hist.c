/* Latency histograms: see hist.h. Buckets are cumulative only when
 * written: each observation increments the one bucket it falls in, and
 * hist_write_all sums them, so an observation costs no loop over bounds
 * beyond finding its bucket. */
#include "base/hist.h"

#include <stddef.h>

/* Upper bounds in seconds: 0.5 ms to 30 s. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                0.25,   0.5,   1,      2.5,   5,    10,    30};
#define NB (sizeof bounds / sizeof bounds[0])

struct hist {
    uint64_t buckets[NB + 1]; /* the last is +Inf */
    uint64_t sum_ns;
    uint64_t count;
};

static struct hist hists[HIST_N];

static const struct {
    const char *name;
    const char *help;
} meta[HIST_N] = {
    {"walltrack_webhook_ack_seconds",
     "Helius deliveries: from the request's headers to the acknowledgement (stored durably)"},
    {"walltrack_store_commit_seconds", "Group commits of webhook events to the database"},
    {"walltrack_signal_to_order_seconds",
     "From the copied wallet's swap (its block time) to the engine's order"},
};

void hist_observe_ns(enum hist_id id, int64_t ns)
{
    if ((unsigned)id >= HIST_N)
        return;
    if (ns < 0)
        ns = 0;
    double s = (double)ns / 1e9;
    size_t b = 0;
    while (b < NB && s > bounds[b])
        b++;
    struct hist *h = &hists[id];
    __atomic_add_fetch(&h->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&h->sum_ns, (uint64_t)ns, __ATOMIC_RELAXED);
    __atomic_add_fetch(&h->count, 1, __ATOMIC_RELAXED);
}

uint64_t hist_count(enum hist_id id)
{
    return (unsigned)id < HIST_N ? __atomic_load_n(&hists[id].count, __ATOMIC_RELAXED) : 0;
}

int hist_write_all(struct buf *out)
{
    int rc = 0;
    for (int id = 0; rc == 0 && id < HIST_N; id++) {
        struct hist *h = &hists[id];
        const char *n = meta[id].name;
        rc = buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", n, meta[id].help, n);
        uint64_t cum = 0;
        for (size_t b = 0; rc == 0 && b <= NB; b++) {
            cum += __atomic_load_n(&h->buckets[b], __ATOMIC_RELAXED);
            if (b < NB)
                rc = buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", n, bounds[b],
                                (unsigned long long)cum);
            else
                rc = buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", n, (unsigned long long)cum);
        }
        /* _count equals the +Inf bucket as written (sum of the buckets read),
         * even while observations land concurrently. */
        if (rc == 0)
            rc = buf_printf(out, "%s_sum %.9f\n%s_count %llu\n", n,
                            (double)__atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED) / 1e9, n,
                            (unsigned long long)cum);
    }
    return rc;
}
