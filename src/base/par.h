/* Parallel parts: a piece of work split into a few independent parts, run
 * on that many threads at once, the caller's thread being one of them.
 *
 *     unsigned parts = par_threads(want);
 *     ... split the work into `parts` ranges ...
 *     par_run(parts, fn, ctx); // fn(ctx, 0) .. fn(ctx, parts - 1)
 *
 * For batch computations whose parts write disjoint state (the intel
 * batch flush, the profile run); threads are started per call and joined
 * before it returns. base/ code: no logging. */
#ifndef WT_BASE_PAR_H
#define WT_BASE_PAR_H

#define PAR_MAX 16 /* most parts of one call */

/* Threads to use when `want` are asked for: want itself (0: one per online
 * core), between 1 and PAR_MAX. Any thread. */
unsigned par_threads(unsigned want);

/* Calls fn(ctx, part) once for every part in [0, parts) (parts is clamped
 * to [1, PAR_MAX]), part 0 on the caller's thread and each other on a
 * thread of its own (on the caller's, after part 0, if one cannot be
 * started); returns when all have returned. fn must only share read-only
 * state between parts. */
void par_run(unsigned parts, void (*fn)(void *ctx, unsigned part), void *ctx);

#endif
