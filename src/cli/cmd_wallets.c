#include "cli/commands.h"
int cmd_wallets(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 2;
}
