/* Integration-test harness: child processes, loopback HTTP, temp folders.
 * See harness.h. */
#include "harness.h"

#include <curl/curl.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "solana/base58.h"
#include "store/store.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void harness_tmpdir(char *out, size_t size)
{
    snprintf(out, size, "/tmp/wt-it-XXXXXX");
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        abort();
    }
}

void harness_rmdir(const char *dir)
{
    char cmd[600];
    if (strncmp(dir, "/tmp/wt-it-", 11) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "harness: could not remove %s\n", dir);
}

int harness_read_file(const char *path, struct buf *out)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(out, chunk, n);
    fclose(fp);
    return 0;
}

const char *harness_binary = WT_BINARY;

static pid_t spawn(const char *dir, const char *const *argv, const char *const *env,
                   const char *out_path, const char *err_path)
{
    const char *args[64];
    int n = 0;
    args[n++] = harness_binary;
    for (int i = 0; argv && argv[i] && n < 63; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* child */
    if (chdir(dir) != 0)
        _exit(127);
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fo < 0 || fe < 0)
        _exit(127);
    dup2(fo, 1);
    dup2(fe, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, 0);
    /* A clean environment: only what the test passes, plus PATH and HOME,
     * so a developer's own WALLTRACK_* variables cannot leak in. */
    const char *envp[64];
    int m = 0;
    bool own_path = false; /* the test's PATH= (e.g. a fake tool first) wins */
    for (int i = 0; env && env[i]; i++)
        own_path |= strncmp(env[i], "PATH=", 5) == 0;
    if (!own_path)
        envp[m++] = "PATH=/usr/local/bin:/usr/bin:/bin";
    envp[m++] = "HOME=/tmp";
    /* Sanitizer settings pass through, so CI's choices apply to the
     * daemon too. */
    extern char **environ;
    for (char **e = environ; *e && m < 40; e++)
        if (!strncmp(*e, "ASAN_", 5) || !strncmp(*e, "UBSAN_", 6) || !strncmp(*e, "LSAN_", 5))
            envp[m++] = *e;
    /* No DexScreener unless the test points it somewhere (a fake server):
     * tests never reach the internet. */
    bool dex = false, jup = false;
    for (int i = 0; env && env[i] && m < 61; i++) {
        envp[m++] = env[i];
        dex |= strncmp(env[i], "WALLTRACK_DEXSCREENER_API_URL=", 30) == 0;
        jup |= strncmp(env[i], "WALLTRACK_JUPITER_API_URL=", 26) == 0;
    }
    if (!dex)
        envp[m++] = "WALLTRACK_DEXSCREENER_API_URL=";
    /* Nor Jupiter (the live outage probe would ask it for a quote). */
    if (!jup)
        envp[m++] = "WALLTRACK_JUPITER_API_URL=http://127.0.0.1:9";
    envp[m] = NULL;
    execve(harness_binary, (char *const *)args, (char *const *)envp);
    _exit(127);
}

static int wait_exit(pid_t pid, int timeout_s)
{
    for (int i = 0; i < timeout_s * 100; i++) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

int harness_run(const char *dir, const char *const *argv, const char *const *env, int timeout_s,
                struct buf *out)
{
    char op[512], ep[512];
    snprintf(op, sizeof op, "%s/run.out", dir);
    snprintf(ep, sizeof ep, "%s/run.err", dir);
    pid_t pid = spawn(dir, argv, env, op, ep);
    if (pid < 0)
        return -1;
    int rc = wait_exit(pid, timeout_s);
    if (out) {
        harness_read_file(op, out);
        harness_read_file(ep, out);
    }
    return rc;
}

static int start_in_dir(struct daemon *d, const char *cmd, const char *const *extra_args,
                        const char *const *env);

int daemon_start(struct daemon *d, const char *const *extra_args, const char *const *env)
{
    memset(d, 0, sizeof *d);
    harness_tmpdir(d->dir, sizeof d->dir);
    return start_in_dir(d, "serve", extra_args, env);
}

int daemon_start_cmd(struct daemon *d, const char *cmd, const char *const *extra_args,
                     const char *const *env)
{
    d->pid = 0;
    d->port = 0;
    return start_in_dir(d, cmd, extra_args, env);
}

int daemon_restart(struct daemon *d, const char *const *extra_args, const char *const *env)
{
    d->pid = 0;
    d->port = 0;
    return start_in_dir(d, "serve", extra_args, env);
}

bool harness_wait_warm = true;

/* The engine warms up in the background (engine.warmup_background): waits
 * (at most 60 s) until GET /v1/status no longer says it is warming, so
 * that tests written for an engine ready at start see one. A status that
 * does not answer 200 (a token is needed, another command) waits for
 * nothing. */
static void wait_warm(const struct daemon *d)
{
    for (int i = 0; harness_wait_warm && i < 6000; i++) {
        struct buf b;
        buf_init(&b, 0);
        bool warming =
            http_request(d->port, "GET", "/v1/status", NULL, NULL, 0, &b) == 200 && b.data &&
            (strstr(b.data, "\"state\":\"warming\"") || strstr(b.data, "\"state\":\"held\""));
        buf_release(&b);
        if (!warming)
            return;
        sleep_ms(10);
    }
}

static int start_in_dir(struct daemon *d, const char *cmd, const char *const *extra_args,
                        const char *const *env)
{
    char portfile[512], datadir[512], outpath[512];
    snprintf(portfile, sizeof portfile, "%s/port", d->dir);
    snprintf(datadir, sizeof datadir, "%s/data", d->dir);
    snprintf(outpath, sizeof outpath, "%s/stdout", d->dir);
    snprintf(d->logpath, sizeof d->logpath, "%s/stderr", d->dir);
    unlink(portfile);
    const char *args[48] = {cmd, "--port-file", portfile, "--data", datadir};
    int n = 5;
    bool has_listen = false;
    for (int i = 0; extra_args && extra_args[i] && n < 45; i++) {
        has_listen |= strcmp(extra_args[i], "--listen") == 0;
        args[n++] = extra_args[i];
    }
    if (!has_listen) {
        args[n++] = "--listen";
        args[n++] = "127.0.0.1:0";
    }
    args[n] = NULL;
    d->pid = spawn(d->dir, args, env, outpath, d->logpath);
    for (int i = 0; i < 1500; i++) {
        struct buf b;
        buf_init(&b, 64);
        if (harness_read_file(portfile, &b) == 0 && b.len > 0) {
            d->port = (unsigned)strtoul(b.data, NULL, 10);
            buf_release(&b);
            if (d->port)
                wait_warm(d);
            return d->port ? 0 : -1;
        }
        buf_release(&b);
        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            d->pid = 0;
            return -1;
        }
        sleep_ms(10);
    }
    return -1;
}

int daemon_stop(struct daemon *d, int sig)
{
    if (d->pid <= 0)
        return -1;
    kill(d->pid, sig);
    int rc = wait_exit(d->pid, 15);
    d->pid = 0;
    return rc;
}

void daemon_log(const struct daemon *d, struct buf *out)
{
    harness_read_file(d->logpath, out);
}

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
    struct buf *b = user;
    if (b && buf_append(b, p, size * n) != 0)
        return 0;
    return size * n;
}

long http_request(unsigned port, const char *method, const char *path, const char *header,
                  const char *req_body, size_t req_len, struct buf *body)
{
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    struct curl_slist *hdrs = NULL;
    if (header)
        hdrs = curl_slist_append(hdrs, header);
    if (req_body) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req_body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return status;
}

/* The signature of the real Jupiter multi-hop swap fixture. */
#define SWAP_FIXTURE_SIG                                                                           \
    "3A6AA1o5aF7qdVEyUaKqR4cwPJuG5KFRAyu1tcc7LsfKZEvyaTs75QMG611y5Nkgb82fM6GgA7yGXHq99UHvkfDh"

void harness_sig(unsigned i, char *out)
{
    uint8_t b[64];
    uint64_t x = 0x9E3779B97F4A7C15ull * (i + 1);
    for (int k = 0; k < 64; k++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ull;
        b[k] = (uint8_t)(x >> 56);
    }
    base58_encode(b, 64, out, BASE58_SIG_MAX);
}

int harness_swap_body(struct buf *out, unsigned first, unsigned n)
{
    struct buf raw;
    buf_init(&raw, 0);
    if (harness_read_file(WT_FIXTURES
                          "/real/helius_enhanced_swap_jupiter_sol_to_usdc_multihop.json",
                          &raw) != 0) {
        buf_release(&raw);
        return -1;
    }
    /* The transaction object without the enclosing [ ], split around its
     * signature. */
    const char *open_ = strchr(raw.data, '{'), *close_ = strrchr(raw.data, '}');
    const char *at = strstr(raw.data, SWAP_FIXTURE_SIG);
    size_t siglen = strlen(SWAP_FIXTURE_SIG);
    buf_reset(out);
    buf_putc(out, '[');
    for (unsigned i = 0; i < n; i++) {
        char sig[BASE58_SIG_MAX];
        harness_sig(first + i, sig);
        if (i)
            buf_putc(out, ',');
        buf_append(out, open_, (size_t)(at - open_));
        buf_puts(out, sig);
        buf_append(out, at + siglen, (size_t)(close_ + 1 - (at + siglen)));
    }
    buf_putc(out, ']');
    buf_release(&raw);
    return 0;
}

static int sigset_collect(void *ctx, const struct stored_swap *s)
{
    struct harness_sigset *set = ctx;
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 1024;
        set->sigs = realloc(set->sigs, set->cap * sizeof *set->sigs);
        if (set->sigs == NULL)
            abort();
    }
    base58_encode(s->swap.sig.b, 64, set->sigs[set->n++], BASE58_SIG_MAX);
    return 0;
}

static int sigset_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

int harness_sigset_load(struct harness_sigset *set, const char *db)
{
    memset(set, 0, sizeof *set);
    struct store *st;
    char err[512];
    if (store_open(db, NULL, &st, err, sizeof err) != 0) {
        fprintf(stderr, "harness: cannot open %s: %s\n", db, err);
        return -1;
    }
    int rc = store_swaps_scan(st, INT64_MIN, INT64_MAX, sigset_collect, set);
    store_close(st);
    if (rc != 0)
        return -1;
    qsort(set->sigs, set->n, sizeof *set->sigs, sigset_cmp);
    return 0;
}

bool harness_sigset_has(const struct harness_sigset *set, const char *sig)
{
    return bsearch(sig, set->sigs, set->n, sizeof *set->sigs, sigset_cmp) != NULL;
}

bool harness_sigset_unique(const struct harness_sigset *set)
{
    for (size_t i = 1; i < set->n; i++)
        if (strcmp(set->sigs[i - 1], set->sigs[i]) == 0)
            return false;
    return true;
}

void harness_sigset_release(struct harness_sigset *set)
{
    free(set->sigs);
    memset(set, 0, sizeof *set);
}

long harness_post_swaps(unsigned port, const char *auth, unsigned first, unsigned n)
{
    struct buf body;
    buf_init(&body, 0);
    long st = 200;
    for (unsigned i = 0; i < n && st == 200; i += 10) {
        if (harness_swap_body(&body, first + i, 10) != 0)
            st = -1;
        else
            st = http_request(port, "POST", "/webhooks/helius", auth, body.data, body.len, NULL);
    }
    buf_release(&body);
    return st;
}

int harness_status(unsigned port, struct json_doc **doc, struct json_val *root, struct buf *body)
{
    buf_reset(body);
    long st = http_request(port, "GET", "/v1/status", NULL, NULL, 0, body);
    if (st != 200)
        return st == 0 ? -1 : (int)st;
    *doc = json_doc_new(64);
    if (json_parse(*doc, body->data, body->len, 0, root) != 0) {
        json_doc_free(*doc);
        *doc = NULL;
        return 1;
    }
    return 0;
}

int harness_i64_at(const struct json_val *root, const char *obj, const char *key, int64_t *out)
{
    struct json_val o;
    if (obj && json_get(root, obj, &o) != 0)
        return -1;
    return json_get_i64(obj ? &o : root, key, out) == 0 ? 0 : -1;
}

int64_t harness_swaps_stored(const char *db)
{
    struct harness_sigset set;
    if (harness_sigset_load(&set, db) != 0)
        return -1;
    int64_t n = harness_sigset_unique(&set) ? (int64_t)set.n : -1;
    harness_sigset_release(&set);
    return n;
}
