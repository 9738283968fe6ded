/* walltrack's entry point: dispatches to the command table in cli.c.
 *
 * Every file walltrack creates is its owner's alone: the database (SQLite
 * creates it 0644 less the umask, and its -wal and -shm files with the
 * database's mode), backups, archives, the log, exports. The umask set
 * here, before anything runs, covers all of them, including the files
 * libraries create; places that open files themselves also pass 0600
 * (base/log.c, base/bulkfile.c). */
#include <sys/stat.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    umask(077);
    return cli_main(argc, argv);
}
