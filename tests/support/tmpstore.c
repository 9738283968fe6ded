/* A store in a fresh temporary directory for a test, and its removal.
 * Include into a test (#include "../support/tmpstore.c"); all functions
 * are static. */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

/* Opens a SQLite store in a new /tmp/wt-test-XXXXXX, named into dir.
 * Returns 0 or -1. */
__attribute__((unused)) static int tmpstore_open(char dir[64], struct store **st)
{
    snprintf(dir, 64, "/tmp/wt-test-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char err[256];
    return store_open(dir, NULL, st, err, sizeof err) != 0 ? -1 : 0;
}

/* Closes st and removes dir. Returns 0 or -1. */
__attribute__((unused)) static int tmpstore_close(const char *dir, struct store *st)
{
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}
