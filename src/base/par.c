/* Parallel parts (see par.h).
 *
 * Why: the full recompute of wallet intelligence is a loop over
 * independent wallets on a 2-core machine; this is the one place that
 * starts and joins the threads for such loops, so the intel modules only
 * say how the work splits. */
#include "base/par.h"

#include <pthread.h>
#include <unistd.h>

unsigned par_threads(unsigned want)
{
    if (want == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        want = cores > 0 ? (cores < PAR_MAX ? (unsigned)cores : PAR_MAX) : 1;
    }
    return want > PAR_MAX ? PAR_MAX : want;
}

/* One part as its thread sees it. */
struct part {
    void (*fn)(void *ctx, unsigned part);
    void *ctx;
    unsigned i;
};

static void *part_main(void *arg)
{
    struct part *p = arg;
    p->fn(p->ctx, p->i);
    return NULL;
}

void par_run(unsigned parts, void (*fn)(void *ctx, unsigned part), void *ctx)
{
    if (parts == 0)
        parts = 1;
    if (parts > PAR_MAX)
        parts = PAR_MAX;
    struct part pt[PAR_MAX];
    pthread_t th[PAR_MAX];
    unsigned started = 1;
    for (unsigned i = 0; i < parts; i++)
        pt[i] = (struct part){fn, ctx, i};
    for (; started < parts; started++)
        if (pthread_create(&th[started], NULL, part_main, &pt[started]) != 0)
            break;
    fn(ctx, 0);
    for (unsigned i = started; i < parts; i++) /* could not start: run them here */
        fn(ctx, i);
    for (unsigned i = 1; i < started; i++)
        pthread_join(th[i], NULL);
}
