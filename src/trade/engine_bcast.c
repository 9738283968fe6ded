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
    struct engine_out base;
    struct sse_hub *hub;
    struct buf b;
};

static struct jw *begin(struct bcast *x, struct jw *w)
{
    buf_reset(&x->b);
    jw_init(w, &x->b);
    return w;
}

static void send(struct bcast *x, struct jw *w, const char *event)
{
    if (jw_finish(w) == 0)
        sse_hub_publish(x->hub, event, x->b.data, x->b.len);
}

static bool idle(struct engine_out *o)
{
    return sse_hub_subscribers(((struct bcast *)o)->hub) == 0;
}

static void b_signal(struct engine_out *o, const struct engine_signal *s)
{
    if (idle(o))
        return;
    struct jw w;
    engine_signal_write(s, begin((struct bcast *)o, &w));
    send((struct bcast *)o, &w, "signal");
}

static void b_order(struct engine_out *o, const struct engine_order *x)
{
    if (idle(o))
        return;
    struct jw w;
    engine_order_write(x, begin((struct bcast *)o, &w));
    send((struct bcast *)o, &w, "order");
}

static void b_fill(struct engine_out *o, const struct engine_fill *f)
{
    if (idle(o))
        return;
    struct jw w;
    engine_fill_write(f, begin((struct bcast *)o, &w));
    send((struct bcast *)o, &w, "fill");
}

static void b_position(struct engine_out *o, const struct position *p, enum engine_pos_change c)
{
    if (idle(o))
        return;
    struct jw w;
    begin((struct bcast *)o, &w);
    jw_obj_begin(&w);
    jw_kstr(&w, "change", engine_pos_change_name(c));
    jw_key(&w, "position");
    engine_position_write(p, &w);
    jw_obj_end(&w);
    send((struct bcast *)o, &w, "position");
}

static void b_trade(struct engine_out *o, const struct engine_trade *t)
{
    if (idle(o))
        return;
    struct jw w;
    engine_trade_write(t, begin((struct bcast *)o, &w));
    send((struct bcast *)o, &w, "trade");
}

static void b_alert(struct engine_out *o, const struct engine_alert *a)
{
    if (idle(o))
        return;
    struct jw w;
    engine_alert_write(a, begin((struct bcast *)o, &w));
    send((struct bcast *)o, &w, "alert");
}

static void b_free(struct engine_out *o)
{
    struct bcast *x = (struct bcast *)o;
    buf_release(&x->b);
    free(x);
}

static const struct engine_out_ops bcast_ops = {
    .signal = b_signal,
    .order = b_order,
    .fill = b_fill,
    .position = b_position,
    .trade = b_trade,
    .alert = b_alert,
    .flush = NULL,
    .free = b_free,
};

struct engine_out *engine_broadcaster_new(struct sse_hub *hub)
{
    struct bcast *x = xcalloc(1, sizeof *x);
    x->base.ops = &bcast_ops;
    x->hub = hub;
    buf_init(&x->b, 0);
    return &x->base;
}
