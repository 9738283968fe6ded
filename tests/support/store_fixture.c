/* A store for a test group: SQLite in a fresh temporary folder, or the
 * throwaway PostgreSQL of WALLTRACK_TEST_PG_URL (tests/store/with_pg.sh).
 * Included into a test's .c (#include "../support/store_fixture.c"), so
 * every function is static. */
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

/* Opens *st; dir is a mkdtemp template ("/tmp/wt-x-XXXXXX"), made here.
 * Returns 0 or -1 (said on stderr). */
__attribute__((unused)) static int store_fixture_open(char *dir, struct store **st)
{
    if (!mkdtemp(dir))
        return -1;
    char err[256];
    const char *pg = getenv("WALLTRACK_TEST_PG_URL");
    if (store_open(pg && *pg ? pg : dir, NULL, st, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    print_message("store: %s\n", store_backend(*st));
    return 0;
}

/* Closes st and removes dir. Returns 0 or -1. */
__attribute__((unused)) static int store_fixture_close(const char *dir, struct store *st)
{
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}
