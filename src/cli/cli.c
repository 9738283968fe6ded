/* Command table and dispatch. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "version") == 0) {
        printf("walltrack %s\n", WT_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: walltrack <command> [options]\n");
    return 2;
}
