/* `walltrack backtest scenario ...`: named settings for backtests, listed,
 * shown, created, edited, unset and copied (FR62-FR63; docs/backtest.md).
 * Dispatched by cmd_backtest (cli/cmd_backtest.c). */
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "backtest/batch.h"
#include "backtest/grid.h"
#include "backtest/replay.h"
#include "backtest/runs.h"
#include "backtest/scenario.h"
#include "backtest/tape.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/jw.h"
#include "base/mem.h"
#include "base/str.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "net/httpc.h"
#include "store/store.h"
#include "trade/engine_store.h"

/* ---- scenarios -------------------------------------------------------------- */

static void scenario_print(const struct bt_scenario *sc, bool json)
{
    if (json) {
        struct buf b;
        buf_init(&b, 0);
        bt_scenario_params_json(sc, &b);
        printf("{\"name\":\"%s\",\"builtin\":%s,\"params\":%s}\n", sc->name,
               sc->builtin ? "true" : "false", b.data);
        buf_release(&b);
        return;
    }
    printf("%s%s\n", sc->name, sc->builtin ? " (built in)" : "");
    if (sc->n == 0)
        printf("  (no overrides: the configuration as it is)\n");
    for (size_t i = 0; i < sc->n; i++)
        printf("  %s = %s\n", sc->o[i].name, sc->o[i].value);
}

struct slist {
    VEC(struct backtest_scenario_row) v;
};

int cmd_backtest_scenario(struct store *st, int n, char **pos, bool json)
{
    const char *sub = n > 0 ? pos[0] : "list";
    char err[512];
    struct bt_scenario sc;
    if (strcmp(sub, "list") == 0 && json) {
        struct buf b;
        buf_init(&b, 0);
        return cli_print_doc("backtest", bt_scenarios_list_json(st, &b), &b);
    }
    if (strcmp(sub, "list") == 0) {
        int k = 0;
        for (const char *const *b = bt_builtin_names; *b; b++, k++) {
            bt_scenario_builtin(*b, &sc);
            printf("%-24s built in, %zu settings\n", sc.name, sc.n);
        }
        struct backtest_scenario_row *rows = xcalloc(100, sizeof *rows);
        int64_t after = 0;
        int r = 0;
        for (;;) {
            struct row_query q = {.after_id = after, .limit = 100};
            size_t got = 0;
            if ((r = store_list_scenario(st, &q, rows, &got)))
                break;
            for (size_t i = 0; i < got; i++)
                if (bt_scenario_builtin(rows[i].name, &sc) != 0) /* not a preset's row */
                    printf("%-24s %s\n", rows[i].name, rows[i].params);
            if (got < 100)
                break;
            after = rows[got - 1].id;
        }
        free(rows);
        if (r)
            fprintf(stderr, "walltrack backtest: %s\n", wt_strerror(r));
        return r ? 1 : 0;
    }
    if (n < 2)
        return cli_usage_error("backtest", "scenario %s needs a NAME", sub);
    const char *name = pos[1];
    if (strcmp(sub, "show") == 0) {
        if (bt_scenario_load(st, name, &sc, NULL, err, sizeof err) != 0)
            return cli_usage_error("backtest", "%s", err);
        scenario_print(&sc, json);
        return 0;
    }
    bool create = strcmp(sub, "create") == 0, copy = strcmp(sub, "copy") == 0,
         unset = strcmp(sub, "unset") == 0, edit = unset || strcmp(sub, "edit") == 0;
    if (!create && !edit && !copy)
        return cli_usage_error(
            "backtest", "scenario: unknown '%s' (list, show, create, edit, unset, copy)", sub);
    const char *target = copy ? (n > 2 ? pos[2] : NULL) : name;
    if (!target)
        return cli_usage_error("backtest", "scenario copy needs FROM and TO");
    if (!bt_name_valid(target))
        return cli_usage_error("backtest", "'%s' is not a scenario name (1 to 63 of a-z 0-9 _ - .)",
                               target);
    struct bt_scenario tmp;
    if (bt_scenario_builtin(target, &tmp) == 0)
        return cli_usage_error("backtest", "'%s' is built in and read-only; copy it to change it",
                               target);
    bool exists = bt_scenario_load(st, target, &tmp, NULL, err, sizeof err) == 0;
    if (create && exists)
        return cli_usage_error("backtest", "a scenario called '%s' exists; use edit", target);
    if (copy && exists)
        return cli_usage_error("backtest", "a scenario called '%s' exists", target);
    if (edit && !exists)
        return cli_usage_error("backtest", "no scenario called '%s' (create it first)", target);
    if (copy) {
        if (bt_scenario_load(st, name, &sc, NULL, err, sizeof err) != 0)
            return cli_usage_error("backtest", "%s", err);
    } else if (edit) {
        sc = tmp;
    } else {
        memset(&sc, 0, sizeof sc);
    }
    str_copy(sc.name, sizeof sc.name, target);
    sc.builtin = false;
    for (int i = copy ? 3 : 2; i < n; i++) {
        if (unset) {
            if (bt_scenario_unset(&sc, pos[i]) != 0)
                return cli_usage_error("backtest", "'%s' is not set in '%s'", pos[i], target);
            continue;
        }
        if (bt_scenario_set_arg(&sc, pos[i], err, sizeof err) != 0)
            return cli_usage_error("backtest", "%s", err);
    }
    int r = bt_scenario_save(st, &sc, clock_wall_ms(), NULL);
    if (r) {
        fprintf(stderr, "walltrack backtest: saving the scenario: %s\n", wt_strerror(r));
        return 1;
    }
    if (json)
        scenario_print(&sc, true);
    else
        printf("scenario %s saved\n", sc.name);
    return 0;
}
