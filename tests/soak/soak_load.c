/* Load generator and sampler for the soak campaign (tests/soak/run.sh).
 *
 * Unlike bench/ingest/bench_webhook.c, which only counts, this tool keeps
 * the evidence a durability check needs: every transaction the daemon
 * acknowledged (HTTP 200) is written to a file as the hex of its 64-byte
 * signature, flushed before the next body is sent, so the campaign can
 * compare "acknowledged" with "stored" after a kill -9 or a database
 * restart. It also samples the daemon (RSS, open files) and its data
 * folder (walltrack.db, walltrack.db-wal, free space) once a second, and
 * stops on its own when the volume runs low, so a WAL that grows without
 * bound cannot fill a shared disk.
 *
 *   soak_load load URL [--conns N] [--seconds S] [--tx-per-body N]
 *             [--rate BODIES_PER_S] [--first-id N] [--acks FILE]
 *             [--pid PID] [--data DIR] [--samples FILE] [--min-free-mb N]
 *             [--timeout S]
 *   soak_load slowloris HOST:PORT [--conns N] [--seconds S] [--first-id N]
 *             [--acks FILE]
 *
 * The webhook secret comes from WALLTRACK_WEBHOOK_SECRET, never argv.
 * Bodies are real Helius transactions (the two Jupiter swap fixtures,
 * alternating), each copy with a distinct valid signature. `load` runs
 * until --seconds pass (0: until SIGTERM/SIGINT) and prints one line of
 * key=value results; an outage (failures followed by a success) is
 * reported on stderr as "outage start_ms=… end_ms=… failed=…" (Unix ms).
 * `slowloris` holds N half-open connections that trickle a byte a second
 * each and meanwhile probes GET /healthz and POST /webhooks/helius once a
 * second, then prints how many probes succeeded. */
#include <curl/curl.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "solana/base58.h"

#define SIG_LEN   88 /* both fixtures' signatures are 88 base58 characters */
#define MAX_CONNS 256

/* One transaction template: a minified Helius transaction object and the
 * offset of its signature. Invariant: data[sig_at..sig_at+SIG_LEN) is the
 * signature, whose leading digit keeps every variant below 2^512. */
struct tmpl {
    struct buf data;
    size_t sig_at;
};

static const char *const fixtures[] = {
    "helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json",
    "helius_enhanced_swap_jupiter_usdc_to_sol_via_raydium_clmm.json",
};
#define NTMPL (sizeof fixtures / sizeof fixtures[0])
static struct tmpl tmpls[NTMPL];

static const char *url, *secret;
static double seconds;
static unsigned conns = 4, tx_per_body = 100;
static double rate; /* bodies per second over all connections; 0 = unlimited */
static long timeout_s = 30;
static atomic_ullong next_id;
static atomic_int stop;
static atomic_ullong acked_tx, failed_bodies;
static FILE *acks_fp;
static pthread_mutex_t acks_mu = PTHREAD_MUTEX_INITIALIZER;

/* Pacing: the next send time (monotonic ns) shared by all connections. */
static pthread_mutex_t pace_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t pace_next;

/* Outage tracking (Unix ms): the first failure since the last success. */
static pthread_mutex_t outage_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t outage_start;
static unsigned long long outage_failed;
static unsigned outages;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stop, 1);
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    nanosleep(&ts, NULL);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int load_template(struct tmpl *t, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/real/%s", WT_FIXTURES, name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    struct buf raw;
    buf_init(&raw, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&raw, chunk, n);
    fclose(fp);
    /* Minify (whitespace outside strings) and drop the enclosing [ ]. */
    buf_init(&t->data, 0);
    bool in_str = false, esc = false;
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.data[i];
        if (in_str) {
            buf_putc(&t->data, c);
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
            buf_putc(&t->data, c);
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            buf_putc(&t->data, c);
        }
    }
    buf_release(&raw);
    char *open_ = strchr(t->data.data, '{'), *close_ = strrchr(t->data.data, '}');
    if (!open_ || !close_)
        return -1;
    memmove(t->data.data, open_, (size_t)(close_ - open_ + 1));
    buf_truncate(&t->data, (size_t)(close_ - open_ + 1));
    static const char key[] = "\"signature\":\"";
    char *s = strstr(t->data.data, key);
    if (!s || s[sizeof key - 1 + SIG_LEN] != '"')
        return -1;
    t->sig_at = (size_t)(s - t->data.data) + sizeof key - 1;
    return 0;
}

/* Builds a body of n transactions with fresh ids; the 64-byte signatures
 * go to sigs[0..n). The last 10 base58 digits carry the id. */
static void make_body(struct buf *b, unsigned n, uint8_t (*sigs)[64])
{
    static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    buf_reset(b);
    buf_putc(b, '[');
    for (unsigned i = 0; i < n; i++) {
        unsigned long long id = atomic_fetch_add(&next_id, 1);
        const struct tmpl *t = &tmpls[id % NTMPL];
        if (i)
            buf_putc(b, ',');
        size_t at = b->len + t->sig_at;
        buf_append(b, t->data.data, t->data.len);
        for (int k = 0; k < 10; k++) {
            b->data[at + SIG_LEN - 1 - (size_t)k] = alphabet[id % 58];
            id /= 58;
        }
        if (base58_decode(b->data + at, SIG_LEN, sigs[i], 64) != 0) {
            fprintf(stderr, "soak_load: a generated signature does not decode\n");
            abort();
        }
    }
    buf_putc(b, ']');
}

static void record_acks(uint8_t (*sigs)[64], unsigned n)
{
    if (!acks_fp)
        return;
    static const char hex[] = "0123456789ABCDEF";
    char line[130];
    pthread_mutex_lock(&acks_mu);
    for (unsigned i = 0; i < n; i++) {
        for (int k = 0; k < 64; k++) {
            line[2 * k] = hex[sigs[i][k] >> 4];
            line[2 * k + 1] = hex[sigs[i][k] & 15];
        }
        line[128] = '\n';
        fwrite(line, 1, 129, acks_fp);
    }
    fflush(acks_fp);
    pthread_mutex_unlock(&acks_mu);
}

static void note_result(bool ok)
{
    pthread_mutex_lock(&outage_mu);
    if (!ok) {
        if (!outage_failed)
            outage_start = wall_ms();
        outage_failed++;
    } else if (outage_failed) {
        fprintf(stderr, "outage start_ms=%lld end_ms=%lld failed=%llu\n", (long long)outage_start,
                (long long)wall_ms(), outage_failed);
        outage_failed = 0;
        outages++;
    }
    pthread_mutex_unlock(&outage_mu);
}

static void pace(void)
{
    if (rate <= 0)
        return;
    int64_t step = (int64_t)(1e9 / rate);
    pthread_mutex_lock(&pace_mu);
    int64_t now = clock_mono_ns();
    if (pace_next < now)
        pace_next = now;
    int64_t at = pace_next;
    pace_next += step;
    pthread_mutex_unlock(&pace_mu);
    sleep_ns(at - now);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

static CURL *webhook_handle(const char *to, struct curl_slist **h, long timeout)
{
    CURL *c = curl_easy_init();
    char auth[512];
    snprintf(auth, sizeof auth, "Authorization: %s", secret);
    *h = curl_slist_append(NULL, auth);
    *h = curl_slist_append(*h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, to);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, *h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 5 ? timeout : 5L);
    return c;
}

/* How a body failed: the connection was refused (the daemon was not
 * listening, nothing was sent), cut (sent, then the connection broke or
 * timed out with no answer: the body was in flight), or answered with a
 * status other than 200. */
static atomic_ullong refused_bodies, cut_bodies, status_bodies;

/* POSTs one body; true when the daemon answered 200 (its acks recorded). */
static bool post_body(CURL *c, struct buf *body, unsigned n, uint8_t (*sigs)[64], double *ms)
{
    make_body(body, n, sigs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    int64_t t0 = clock_mono_ns();
    CURLcode rc = curl_easy_perform(c);
    *ms = (double)(clock_mono_ns() - t0) / 1e6;
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_COULDNT_CONNECT)
        atomic_fetch_add(&refused_bodies, 1);
    else if (rc != CURLE_OK)
        atomic_fetch_add(&cut_bodies, 1);
    else if (status != 200)
        atomic_fetch_add(&status_bodies, 1);
    if (rc != CURLE_OK || status != 200)
        return false;
    record_acks(sigs, n);
    return true;
}

/* One connection's state. lat_ms holds the latency of every acknowledged
 * body (n of cap). */
struct worker {
    pthread_t t;
    double *lat_ms;
    size_t n, cap;
    unsigned long long tx, errors;
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    struct curl_slist *h;
    CURL *c = webhook_handle(url, &h, timeout_s);
    struct buf body;
    buf_init(&body, 0);
    uint8_t(*sigs)[64] = malloc(tx_per_body * sizeof *sigs);
    while (!atomic_load(&stop)) {
        pace();
        if (atomic_load(&stop))
            break;
        double ms;
        bool ok = post_body(c, &body, tx_per_body, sigs, &ms);
        note_result(ok);
        if (!ok) {
            w->errors++;
            atomic_fetch_add(&failed_bodies, 1);
            sleep_ns(20 * 1000000LL); /* no busy loop against a dead daemon */
            continue;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat_ms = realloc(w->lat_ms, w->cap * sizeof *w->lat_ms);
        }
        w->lat_ms[w->n++] = ms;
        w->tx += tx_per_body;
        atomic_fetch_add(&acked_tx, tx_per_body);
    }
    free(sigs);
    buf_release(&body);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

/* What the sampler saw: first and last values and maxima. Sizes in bytes,
 * RSS in KiB; -1 when not measured. anon is RssAnon, the process's own
 * memory: RSS also counts file pages mapped in, and SQLite maps the
 * database (mmap_size), so RSS grows with walltrack.db while those pages
 * stay the kernel's to reclaim. */
struct samples {
    long long rss_first, rss_last, rss_max;
    long long anon_first, anon_last, anon_max;
    long long fds_first, fds_last, fds_max;
    long long db_first, db_last, wal_max, wal_last;
    long long free_min_mb;
    bool first_taken;
};

static long long file_size(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* A "Key:   N kB" line of /proc/PID/status, in KiB; -1 when absent. */
static long long proc_status_kb(long pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    long long kb = -1;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, fp))
        if (!strncmp(line, key, klen) && line[klen] == ':')
            kb = strtoll(line + klen + 1, NULL, 10);
    fclose(fp);
    return kb;
}

static long long proc_fds(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long long n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void max_ll(long long *m, long long v)
{
    if (v > *m)
        *m = v;
}

/* Takes one sample; returns false when the data volume is below
 * min_free_mb (the caller then stops the load). */
static bool sample(struct samples *s, long pid, const char *data, FILE *out, double t,
                   long long min_free_mb)
{
    long long rss = pid > 0 ? proc_status_kb(pid, "VmRSS") : -1;
    long long anon = pid > 0 ? proc_status_kb(pid, "RssAnon") : -1;
    long long fds = pid > 0 ? proc_fds(pid) : -1;
    long long db = data ? file_size(data, "walltrack.db") : -1;
    long long wal = data ? file_size(data, "walltrack.db-wal") : -1;
    long long free_mb = -1;
    struct statvfs vfs;
    if (data && statvfs(data, &vfs) == 0)
        free_mb = (long long)((unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20);
    if (!s->first_taken) {
        s->rss_first = rss;
        s->fds_first = fds;
        s->db_first = db;
        s->free_min_mb = free_mb;
        s->rss_max = rss;
        s->anon_first = anon;
        s->anon_max = anon;
        s->fds_max = fds;
        s->wal_max = wal;
        s->first_taken = true;
    }
    s->rss_last = rss;
    s->anon_last = anon;
    s->fds_last = fds;
    s->db_last = db;
    s->wal_last = wal;
    max_ll(&s->rss_max, rss);
    max_ll(&s->anon_max, anon);
    max_ll(&s->fds_max, fds);
    max_ll(&s->wal_max, wal);
    if (free_mb >= 0 && (s->free_min_mb < 0 || free_mb < s->free_min_mb))
        s->free_min_mb = free_mb;
    if (out) {
        fprintf(out, "%.1f\t%lld\t%lld\t%lld\t%lld\t%lld\t%llu\t%llu\t%lld\n", t, rss, fds, db, wal,
                free_mb, (unsigned long long)atomic_load(&acked_tx),
                (unsigned long long)atomic_load(&failed_bodies), anon);
        fflush(out);
    }
    return !(min_free_mb > 0 && free_mb >= 0 && free_mb < min_free_mb);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *opt(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 0; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return dflt;
}

static int cmd_load(int argc, char **argv)
{
    url = argv[2];
    conns = (unsigned)strtoul(opt(argc, argv, "--conns", "4"), NULL, 10);
    seconds = strtod(opt(argc, argv, "--seconds", "10"), NULL);
    tx_per_body = (unsigned)strtoul(opt(argc, argv, "--tx-per-body", "100"), NULL, 10);
    rate = strtod(opt(argc, argv, "--rate", "0"), NULL);
    timeout_s = strtol(opt(argc, argv, "--timeout", "30"), NULL, 10);
    atomic_store(&next_id, strtoull(opt(argc, argv, "--first-id", "0"), NULL, 10));
    long pid = strtol(opt(argc, argv, "--pid", "0"), NULL, 10);
    const char *data = opt(argc, argv, "--data", NULL);
    const char *samples_path = opt(argc, argv, "--samples", NULL);
    long long min_free_mb = strtoll(opt(argc, argv, "--min-free-mb", "10240"), NULL, 10);
    const char *acks_path = opt(argc, argv, "--acks", NULL);
    if (conns < 1 || conns > MAX_CONNS || tx_per_body < 1 || tx_per_body > 10000 || seconds < 0 ||
        rate < 0 || timeout_s < 1) {
        fprintf(stderr, "soak_load: bad arguments\n");
        return 2;
    }
    if (acks_path && !(acks_fp = fopen(acks_path, "a"))) {
        perror(acks_path);
        return 2;
    }
    FILE *samples_fp = NULL;
    if (samples_path) {
        if (!(samples_fp = fopen(samples_path, "w"))) {
            perror(samples_path);
            return 2;
        }
        fprintf(samples_fp,
                "t_s\trss_kb\tfds\tdb_bytes\twal_bytes\tfree_mb\tacked_tx\tfailed\tanon_kb\n");
    }
    struct worker *w = calloc(conns, sizeof *w);
    struct samples s = {0};
    int64_t t0 = clock_mono_ns();
    for (unsigned i = 0; i < conns; i++)
        pthread_create(&w[i].t, NULL, run_worker, &w[i]);
    const char *why = "time";
    for (int64_t tick = 1;; tick++) {
        if (!sample(&s, pid, data, samples_fp, (double)(clock_mono_ns() - t0) / 1e9, min_free_mb)) {
            why = "disk";
            break;
        }
        int64_t next = t0 + tick * 1000000000LL;
        while (!atomic_load(&stop) && clock_mono_ns() < next)
            sleep_ns(50 * 1000000LL);
        if (atomic_load(&stop)) {
            why = "signal";
            break;
        }
        if (seconds > 0 && (double)(clock_mono_ns() - t0) / 1e9 >= seconds)
            break;
    }
    atomic_store(&stop, 1);
    unsigned long long tx = 0, errors = 0;
    size_t n = 0;
    for (unsigned i = 0; i < conns; i++) {
        pthread_join(w[i].t, NULL);
        tx += w[i].tx;
        errors += w[i].errors;
        n += w[i].n;
    }
    double elapsed = (double)(clock_mono_ns() - t0) / 1e9;
    sample(&s, pid, data, samples_fp, elapsed, 0);
    double *all = malloc((n ? n : 1) * sizeof *all);
    size_t k = 0;
    for (unsigned i = 0; i < conns; i++) {
        memcpy(all + k, w[i].lat_ms, w[i].n * sizeof *all);
        k += w[i].n;
        free(w[i].lat_ms);
    }
    qsort(all, n, sizeof *all, cmp_double);
    if (outage_failed)
        fprintf(stderr, "outage start_ms=%lld end_ms=- failed=%llu\n", (long long)outage_start,
                outage_failed);
    printf("bodies=%zu tx=%llu tx_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%llu refused=%llu "
           "cut=%llu non200=%llu seconds=%.1f "
           "stopped=%s outages=%u rss_first_kb=%lld rss_last_kb=%lld rss_max_kb=%lld "
           "fds_first=%lld fds_last=%lld fds_max=%lld db_first=%lld db_last=%lld wal_max=%lld "
           "wal_last=%lld free_min_mb=%lld anon_first_kb=%lld anon_last_kb=%lld anon_max_kb=%lld\n",
           n, tx, (double)tx / elapsed, n ? all[n / 2] : 0.0, n ? all[(n * 99) / 100] : 0.0, errors,
           (unsigned long long)atomic_load(&refused_bodies),
           (unsigned long long)atomic_load(&cut_bodies),
           (unsigned long long)atomic_load(&status_bodies), elapsed, why, outages, s.rss_first,
           s.rss_last, s.rss_max, s.fds_first, s.fds_last, s.fds_max, s.db_first, s.db_last,
           s.wal_max, s.wal_last, s.free_min_mb, s.anon_first, s.anon_last, s.anon_max);
    free(all);
    free(w);
    if (samples_fp)
        fclose(samples_fp);
    if (acks_fp)
        fclose(acks_fp);
    return 0;
}

/* --- slowloris ----------------------------------------------------------- */

/* One slow connection. Invariant: fd >= 0 while open; connected once the
 * request head went out; trickled counts the bytes sent since (the
 * trickle never completes the request). */
struct slow {
    int fd;
    bool connected;
    unsigned long long trickled;
};

static struct sockaddr_in slow_addr;
static char host_port[128];

static int slow_open(struct slow *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    c->connected = false;
    c->trickled = 0;
    if (c->fd < 0)
        return -1;
    if (connect(c->fd, (struct sockaddr *)&slow_addr, sizeof slow_addr) != 0 &&
        errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static void slow_close(struct slow *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->connected = false;
}

/* The request head every slow connection starts with: an unfinished
 * header block, then one header byte a second. (A slow body needs the
 * secret first: without it the webhook answers 401 at once.) */
static void slow_start(struct slow *c)
{
    char head[256];
    int n =
        snprintf(head, sizeof head, "POST /webhooks/helius HTTP/1.1\r\nHost: %s\r\n", host_port);
    if (send(c->fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
        slow_close(c);
}

/* What one prober saw: n probes, ok of them answered 200 in time. */
struct probe_stats {
    bool webhook; /* POST /webhooks/helius with one transaction, else GET /healthz */
    unsigned ok, n;
};

/* One probe a second (or one per timeout while the daemon does not
 * answer), each on a fresh connection: a kept-alive one would dodge the
 * accept queue the attack is filling. */
static void *run_probes(void *arg)
{
    struct probe_stats *p = arg;
    char health_url[256];
    snprintf(health_url, sizeof health_url, "http://%s/healthz", host_port);
    struct curl_slist *h = NULL;
    CURL *c;
    if (p->webhook) {
        c = webhook_handle(url, &h, 5);
    } else { /* no secret in a request that does not need it */
        c = curl_easy_init();
        curl_easy_setopt(c, CURLOPT_URL, health_url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    }
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    struct buf body;
    buf_init(&body, 0);
    uint8_t sigs[1][64];
    while (!atomic_load(&stop)) {
        int64_t t0 = clock_mono_ns();
        bool ok;
        if (p->webhook) {
            double ms;
            ok = post_body(c, &body, 1, sigs, &ms);
        } else {
            long status = 0;
            if (curl_easy_perform(c) == CURLE_OK)
                curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            ok = status == 200;
        }
        p->n++;
        p->ok += ok;
        sleep_ns(t0 + 1000000000LL - clock_mono_ns());
    }
    buf_release(&body);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int cmd_slowloris(int argc, char **argv)
{
    snprintf(host_port, sizeof host_port, "%s", argv[2]);
    char *colon = strrchr(host_port, ':');
    if (!colon)
        return 2;
    *colon = '\0';
    memset(&slow_addr, 0, sizeof slow_addr);
    slow_addr.sin_family = AF_INET;
    slow_addr.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
    if (inet_pton(AF_INET, host_port, &slow_addr.sin_addr) != 1) {
        fprintf(stderr, "soak_load: slowloris needs an IPv4 HOST:PORT\n");
        return 2;
    }
    *colon = ':';
    char wurl[256];
    snprintf(wurl, sizeof wurl, "http://%s/webhooks/helius", host_port);
    url = wurl;
    unsigned n = (unsigned)strtoul(opt(argc, argv, "--conns", "2000"), NULL, 10);
    seconds = strtod(opt(argc, argv, "--seconds", "60"), NULL);
    atomic_store(&next_id, strtoull(opt(argc, argv, "--first-id", "0"), NULL, 10));
    const char *acks_path = opt(argc, argv, "--acks", NULL);
    if (n < 1 || n > 60000 || seconds <= 0)
        return 2;
    if (acks_path && !(acks_fp = fopen(acks_path, "a"))) {
        perror(acks_path);
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct slow *c = calloc(n, sizeof *c);
    struct pollfd *pf = calloc(n, sizeof *pf);
    for (unsigned i = 0; i < n; i++)
        slow_open(&c[i]);
    struct probe_stats ps[2] = {{.webhook = false}, {.webhook = true}};
    pthread_t probe[2];
    bool probing = false;
    unsigned long long closed_by_server = 0, reopened = 0;
    unsigned max_open = 0, min_open = n;
    int64_t t0 = clock_mono_ns();
    int64_t probe_from = t0 + 3000000000LL; /* let the connections land first */
    int64_t end = probe_from + (int64_t)(seconds * 1e9);
    while (!atomic_load(&stop) && clock_mono_ns() < end) {
        int64_t tick = clock_mono_ns();
        if (!probing && tick >= probe_from) {
            for (int k = 0; k < 2; k++)
                pthread_create(&probe[k], NULL, run_probes, &ps[k]);
            probing = true;
        }
        /* Which connections finished connecting, were answered or closed. */
        for (unsigned i = 0; i < n; i++) {
            pf[i].fd = c[i].fd;
            pf[i].events = c[i].connected ? POLLIN : POLLOUT;
            pf[i].revents = 0;
        }
        poll(pf, n, 0);
        unsigned open_now = 0;
        for (unsigned i = 0; i < n; i++) {
            if (c[i].fd < 0) {
                if (slow_open(&c[i]) == 0)
                    reopened++;
                continue;
            }
            short re = pf[i].revents;
            if (!c[i].connected && (re & POLLOUT)) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) {
                    slow_close(&c[i]);
                    continue;
                }
                c[i].connected = true;
                slow_start(&c[i]);
            } else if (c[i].connected && (re & (POLLIN | POLLHUP | POLLERR))) {
                /* The server answered (an error, a timeout) or hung up:
                 * either way it let go of this connection. */
                closed_by_server++;
                slow_close(&c[i]);
                continue;
            } else if (c[i].connected) {
                static const char line[] = "X-Trickle: aaaaaaa\r\n";
                char b = line[c[i].trickled % (sizeof line - 1)];
                if (send(c[i].fd, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
                    c[i].trickled++;
                else if (errno != EAGAIN) {
                    closed_by_server++;
                    slow_close(&c[i]);
                    continue;
                }
            }
            open_now += c[i].connected;
        }
        if (tick >= probe_from) {
            if (open_now > max_open)
                max_open = open_now;
            if (open_now < min_open)
                min_open = open_now;
        }
        sleep_ns(tick + 1000000000LL - clock_mono_ns());
    }
    atomic_store(&stop, 1);
    for (int k = 0; probing && k < 2; k++)
        pthread_join(probe[k], NULL);
    for (unsigned i = 0; i < n; i++)
        slow_close(&c[i]);
    printf("slow_conns=%u held_min=%u held_max=%u closed_by_server=%llu reopened=%llu "
           "healthz_ok=%u healthz_n=%u webhook_ok=%u webhook_n=%u\n",
           n, probing ? min_open : 0, max_open, closed_by_server, reopened, ps[0].ok, ps[0].n,
           ps[1].ok, ps[1].n);
    free(pf);
    free(c);
    if (acks_fp)
        fclose(acks_fp);
    return 0;
}

int main(int argc, char **argv)
{
    secret = getenv("WALLTRACK_WEBHOOK_SECRET");
    if (argc < 3 || !secret || !*secret) {
        fprintf(stderr, "usage: WALLTRACK_WEBHOOK_SECRET=... soak_load load URL [options]\n"
                        "       WALLTRACK_WEBHOOK_SECRET=... soak_load slowloris HOST:PORT "
                        "[options]\n(see tests/soak/soak_load.c)\n");
        return 2;
    }
    for (size_t i = 0; i < NTMPL; i++)
        if (load_template(&tmpls[i], fixtures[i]) != 0) {
            fprintf(stderr, "soak_load: fixture %s missing or unexpected\n", fixtures[i]);
            return 2;
        }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = !strcmp(argv[1], "load")        ? cmd_load(argc, argv)
             : !strcmp(argv[1], "slowloris") ? cmd_slowloris(argc, argv)
                                             : 2;
    curl_global_cleanup();
    for (size_t i = 0; i < NTMPL; i++)
        buf_release(&tmpls[i].data);
    return rc;
}
