/* The engine's broadcaster: decisions as server-sent events (see
 * engine_out.h). It formats on the engine thread and hands the bytes to
 * the hub, which copies them to each client's backlog; a slow client never
 * slows the engine down, it only loses old messages (net/sse.h). */
#include <stdlib.h>

#include "base/jw.h"
#include "base/mem.h"
#include "net/sse.h"
#include "trade/engine_out.h"

struct bcast {
    struct engine_json_out base;
    struct sse_hub *hub;
    struct buf b;
};

/* One event named type: the record, or {"change", "position": the
 * record} for a position; nothing is formatted while nobody listens. */
static void b_emit(struct engine_json_out *e, const char *type,
                   void (*write)(const void *, struct jw *), const void *rec, const char *change)
{
    struct bcast *x = (struct bcast *)e;
    if (sse_hub_subscribers(x->hub) == 0)
        return;
    buf_reset(&x->b);
    struct jw w;
    jw_init(&w, &x->b);
    if (change) {
        jw_obj_begin(&w);
        jw_kstr(&w, "change", change);
        jw_key(&w, type);
        write(rec, &w);
        jw_obj_end(&w);
    } else {
        write(rec, &w);
    }
    if (jw_finish(&w) == 0)
        sse_hub_publish(x->hub, type, x->b.data, x->b.len);
}

static void b_free(struct engine_json_out *e)
{
    struct bcast *x = (struct bcast *)e;
    buf_release(&x->b);
    free(x);
}

struct engine_out *engine_broadcaster_new(struct sse_hub *hub)
{
    struct bcast *x = xcalloc(1, sizeof *x);
    engine_json_out_init(&x->base, false, b_emit, b_free);
    x->hub = hub;
    buf_init(&x->b, 0);
    return &x->base.base;
}
