/* Every command of the table has examples in `walltrack help COMMAND`, and
 * every option an example uses is one its --help lists (an example can not
 * drift from the command it shows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "cli/cli_examples.h"

static void test_every_command_has_working_examples(void **state)
{
    (void)state;
    const char *name, *summary;
    size_t n = 0;
    for (size_t i = 0; cli_command_at(i, &name, &summary); i++, n++) {
        const char *ex = cli_examples_of(name);
        if (!ex)
            fail_msg("walltrack %s has no examples (src/cli/cli_examples.c)", name);
        char want[64];
        snprintf(want, sizeof want, "walltrack %s", name);
        assert_non_null(strstr(ex, want));
        struct buf help;
        buf_init(&help, 0);
        assert_int_equal(cli_command_help(name, &help), 0);
        assert_non_null(strstr(help.data, "examples:"));
        /* Each --option of the examples is in the help. */
        for (const char *p = ex; (p = strstr(p, " --")) != NULL; p += 3) {
            char opt[64];
            size_t len = strspn(p + 1, "-abcdefghijklmnopqrstuvwxyz");
            snprintf(opt, sizeof opt, "  %.*s ", (int)len, p + 1);
            char opt2[64];
            snprintf(opt2, sizeof opt2, "%.*s", (int)len, p + 1);
            if (!strstr(help.data, opt) && !strstr(help.data, opt2))
                fail_msg("an example of %s uses %.*s, which its help does not list", name, (int)len,
                         p + 1);
        }
        /* Each --set NAME=... names a setting. */
        for (const char *p = ex; (p = strstr(p, "--set ")) != NULL; p += 6) {
            char setting[128];
            size_t len = strcspn(p + 6, "=");
            snprintf(setting, sizeof setting, "%.*s", (int)len, p + 6);
            enum config_id id;
            if (!config_def_find(setting, &id))
                fail_msg("an example of %s sets %s, which is no setting", name, setting);
        }
        buf_release(&help);
    }
    assert_true(n > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_has_working_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
