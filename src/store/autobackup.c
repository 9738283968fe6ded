/* Scheduled backups with rotation. See autobackup.h. */
#include "store/autobackup.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#define PREFIX "walltrack-"
#define SUFFIX ".db"

struct autobackup {
    struct store *st;
    char *dir;
    unsigned keep;
    pthread_mutex_t mu;
    uint64_t made, failed;
    unsigned seq; /* disambiguates two backups in the same second */
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes all but the newest `keep` backup files (names sort by time). */
static void prune(struct autobackup *b)
{
    DIR *d = opendir(b->dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0 || len < strlen(SUFFIX) ||
            strcmp(e->d_name + len - strlen(SUFFIX), SUFFIX) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xreallocarray(names, cap, sizeof *names);
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i + b->keep < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", b->dir, names[i]);
        if (unlink(path) != 0)
            log_warn("backup", "cannot remove old backup %s: %s", path, strerror(errno));
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int autobackup_run(struct autobackup *b, char *path, size_t pathsize)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32], file[4096], msg[512];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    pthread_mutex_lock(&b->mu);
    unsigned seq = b->seq++;
    pthread_mutex_unlock(&b->mu);
    snprintf(file, sizeof file, "%s/" PREFIX "%s-%03u" SUFFIX, b->dir, stamp, seq % 1000);
    int rc = store_backup(b->st, file, msg, sizeof msg);
    pthread_mutex_lock(&b->mu);
    rc ? b->failed++ : b->made++;
    pthread_mutex_unlock(&b->mu);
    if (rc) {
        log_error("backup", "scheduled backup to %s failed: %s", file, msg);
        return rc;
    }
    log_info("backup", "backed up the database to %s", file);
    if (path)
        snprintf(path, pathsize, "%s", file);
    prune(b);
    return 0;
}

static void job(void *arg)
{
    autobackup_run(arg, NULL, 0);
}

int autobackup_start(struct sched *s, struct store *st, const char *dir, int64_t interval_ms,
                     unsigned keep, struct autobackup **out)
{
    *out = NULL;
    if (interval_ms <= 0 || keep == 0)
        return WT_EINVAL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return WT_EIO;
    struct autobackup *b = xcalloc(1, sizeof *b);
    b->st = st;
    b->dir = xstrdup(dir);
    b->keep = keep;
    pthread_mutex_init(&b->mu, NULL);
    int rc = sched_add(s, "backup", interval_ms, interval_ms, SCHED_WORKER, job, b);
    if (rc < 0) {
        autobackup_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void autobackup_free(struct autobackup *b)
{
    if (!b)
        return;
    pthread_mutex_destroy(&b->mu);
    free(b->dir);
    free(b);
}

void autobackup_counts(struct autobackup *b, uint64_t *made, uint64_t *failed)
{
    pthread_mutex_lock(&b->mu);
    *made = b->made;
    *failed = b->failed;
    pthread_mutex_unlock(&b->mu);
}
