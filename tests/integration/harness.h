/* Helpers for integration tests: run the real walltrack binary (WT_BINARY)
 * as a child process, talk to it over real HTTP on loopback with libcurl,
 * and stop it. Every test gets its own temporary folder. */
#ifndef WT_TESTS_HARNESS_H
#define WT_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "solana/base58.h"

struct daemon {
    pid_t pid;
    unsigned port;
    char dir[256];     /* temporary folder of this daemon */
    char logpath[512]; /* its stderr */
};

/* The binary harness_run and daemon_start run: WT_BINARY unless a test
 * points it elsewhere (an installed copy). */
extern const char *harness_binary;

/* Creates a fresh temporary folder (removed by harness_rmdir). */
void harness_tmpdir(char *out, size_t size);
void harness_rmdir(const char *dir);

/* Runs WT_BINARY with argv (NULL-terminated, without the program name) and
 * extra environment entries "NAME=value" (NULL-terminated, may be NULL),
 * stdout and stderr to files in dir; waits for it to exit (at most
 * timeout_s). Returns the exit status, or -1 on timeout/crash. The output
 * is in *out (stdout then stderr) when out is not NULL. */
int harness_run(const char *dir, const char *const *argv, const char *const *env, int timeout_s,
                struct buf *out);

/* Starts `walltrack serve --listen 127.0.0.1:0 --port-file ... --data
 * dir/data` plus extra args and env, and waits until it listens. Returns 0,
 * or -1 when it exited or did not listen within 15 s. */
int daemon_start(struct daemon *d, const char *const *extra_args, const char *const *env);
/* Like daemon_start in d->dir (already made) but with another command
 * than `serve` (e.g. "demo"): same port file and data arguments. */
int daemon_start_cmd(struct daemon *d, const char *cmd, const char *const *extra_args,
                     const char *const *env);
/* Starts the daemon again in the same folder (same data), after a stop or
 * a kill. Same return as daemon_start. */
int daemon_restart(struct daemon *d, const char *const *extra_args, const char *const *env);
/* Whether daemon_start and daemon_restart return only once the engine's
 * background warm-up is done (its log says so). Default true; a test of
 * the warm-up itself sets it false. */
extern bool harness_wait_warm;
/* Sends sig and waits for the exit; returns the exit status, or -1 if it
 * did not exit within 15 s (then it is killed) or died from a signal. */
int daemon_stop(struct daemon *d, int sig);
/* Reads the daemon's log so far into out. */
void daemon_log(const struct daemon *d, struct buf *out);

/* One HTTP request to http://127.0.0.1:port/path. header may be NULL
 * ("Name: value"). Returns the status code, or -1 on a transport error.
 * The response body goes to body when not NULL. */
long http_request(unsigned port, const char *method, const char *path, const char *header,
                  const char *req_body, size_t req_len, struct buf *body);

/* The valid base58 signature number i of harness_swap_body's bodies
 * (deterministic: the same i always gives the same signature). out has
 * room for BASE58_SIG_MAX (solana/base58.h) bytes. */
void harness_sig(unsigned i, char *out);
/* A webhook body (a JSON array) of n copies of the real Jupiter swap
 * fixture, each with its own valid signature, numbered first..first+n-1
 * (the same number always gives the same signature). Returns 0, or -1
 * when the fixture cannot be read. */
int harness_swap_body(struct buf *out, unsigned first, unsigned n);
/* POSTs n of harness_swap_body's transactions numbered from first to
 * port's Helius webhook, 10 a body, with header auth ("Authorization:
 * ..."). Returns 200 when every body got it, else the first other
 * status (-1: a transport error). */
long harness_post_swaps(unsigned port, const char *auth, unsigned first, unsigned n);
/* GET /v1/status on port, its text into body (reset first) and parsed
 * into *root; *doc (json_doc_free) is set on success. Returns 0, or the
 * HTTP status (-1: a transport error; 1: not JSON). */
struct json_doc;
struct json_val;
int harness_status(unsigned port, struct json_doc **doc, struct json_val *root, struct buf *body);
/* root.<obj>.<key> (obj NULL: root.<key>) as an integer into *out.
 * Returns 0, or -1 when absent or not an integer. */
int harness_i64_at(const struct json_val *root, const char *obj, const char *key, int64_t *out);
/* The signatures of every stored swap, base58, sorted: what the
 * acknowledged-versus-stored checks compare against. */
struct harness_sigset {
    char (*sigs)[BASE58_SIG_MAX];
    size_t n, cap;
};
/* Opens the store at db (a data folder or a postgresql:// URL), reads every
 * swap, closes it and sorts. Returns 0, or -1 when the store cannot be
 * opened or read. Release with harness_sigset_release. */
int harness_sigset_load(struct harness_sigset *set, const char *db);
/* How many swaps are stored at db (harness_sigset_load), or -1 when the
 * store cannot be read or a signature is stored twice. */
int64_t harness_swaps_stored(const char *db);
/* Whether sig is in the set. */
bool harness_sigset_has(const struct harness_sigset *set, const char *sig);
/* Whether no signature is in the set twice. */
bool harness_sigset_unique(const struct harness_sigset *set);
void harness_sigset_release(struct harness_sigset *set);
/* Reads a whole file into out (appending). Returns 0 or -1. */
int harness_read_file(const char *path, struct buf *out);

#endif
