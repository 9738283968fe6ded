/* The bridge from the trading engine to push alerts: an engine output
 * (trade/engine_out.h) that turns the engine's alerts (circuit breakers,
 * health such as "no signal for 48 h") and its failed orders (execution
 * failures) into alerter_post() calls. Every other decision is ignored.
 *
 * Threads: called on the engine thread; alerter_post never blocks. */
#ifndef WT_ALERT_ENGINE_ALERTS_H
#define WT_ALERT_ENGINE_ALERTS_H

#include "alert/notify.h"
#include "trade/engine_out.h"

/* The alerter must outlive the output. Never NULL. */
struct engine_out *engine_alerts_new(struct alerter *a);

#endif
