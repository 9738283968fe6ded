/* Engine and paper parameters from the configuration (base/config.h).
 *
 * engine_params_set and engine_param_known (declared in trade/engine.h)
 * map one setting name to a parameter; these two read every setting of a
 * struct config at once. Pure; any thread on data the caller owns. */
#ifndef WT_TRADE_ENGINE_CONFIG_H
#define WT_TRADE_ENGINE_CONFIG_H

#include <stddef.h>

#include "base/config.h"
#include "trade/engine.h"
#include "trade/paper.h"

/* Applies every engine setting of cfg to p (starting from p's values),
 * then validates the whole. Returns 0, or WT_EINVAL with a message naming
 * the setting in err (p unchanged). */
int engine_params_from_config(const struct config *cfg, struct engine_params *p, char *err,
                              size_t errsize);
/* The paper executor's fees and latency from cfg. */
void paper_params_from_config(const struct config *cfg, struct paper_params *p);

#endif
