/* Several daemons on one PostgreSQL database: which one trades.
 *
 * Every node ingests and serves the API; one node, the leader, runs the
 * trading engine. The leader is the node whose lock session holds the
 * session-level advisory lock STORE_LEADER_LOCK_KEY (pg_try_advisory_lock):
 * a connection of its own, outside the store's writer and reader pool,
 * opened with TCP keepalives on both ends. The lock lasts as long as that
 * session: when the leader's process dies (a crash, kill -9) the kernel
 * closes its socket and the server ends the session at once; when its
 * host or network goes silent, the server's keepalives end it within
 * about 2/3 of cluster.session_timeout_s. A standby tries the lock every
 * cluster.leader_poll_ms, so it takes over within one poll of the session
 * ending.
 *
 * The leader checks its session every poll with a query that must answer
 * within a third of the session timeout; when it does not (or the
 * connection breaks), it calls demote before anything else, then drops the
 * connection, so it has stopped trading before the server can free the
 * lock for another node (store_leader_check_timing says when that holds).
 *
 * Events a standby stores reach the leader's engine as notifications on
 * the channel "walltrack_engine" (store_leader_send; NOTIFY is delivered
 * at once to the sessions listening, and the leader's lock session
 * listens). A notification sent while no node leads is lost for trading
 * (the events are stored): the same as a delivery stored while a single
 * daemon restarts its engine.
 *
 * Who leads: the lock session's application_name is "walltrack:<node id>",
 * so pg_locks joined with pg_stat_activity names the holder; each node
 * reads it every poll (store_leader_status). No table is written.
 *
 * SQLite is single-node (serve's lock file); store_leader_start refuses it.
 *
 * Threads: the callbacks run on the leader's own thread, one at a time;
 * the other functions from any thread. */
#ifndef WT_STORE_LEADER_H
#define WT_STORE_LEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_leader;

/* 'wall' 'trak': the advisory lock's 64-bit key (pg_locks shows it as
 * classid 2002873452, objid 1953653099, objsubid 1). */
#define STORE_LEADER_LOCK_KEY "8602275976320278891"
#define STORE_LEADER_CHANNEL  "walltrack_engine"
/* NOTIFY payloads are shorter than 8000 bytes. */
#define STORE_LEADER_PAYLOAD_MAX 7900

enum leader_role { LEADER_SINGLE, LEADER_STANDBY, LEADER_LEADER };

const char *leader_role_name(enum leader_role r);

struct leader_opts {
    const char *node_id;
    int64_t poll_ms;       /* cluster.leader_poll_ms */
    int session_timeout_s; /* cluster.session_timeout_s */
    /* The lock is ours: start the engine (restored from the store).
     * Nonzero: it could not start; the lock is given up (the session is
     * closed) so that another node may take it, and tried again later. */
    int (*promote)(void *ctx);
    /* Optional, asked every poll while leading: true when the engine
     * stopped for good after all (its background warm-up failed); the
     * lock is then given up as after a failed promote. */
    bool (*failed)(void *ctx);
    /* The lock is lost: stop trading now; why says what happened. */
    void (*demote)(void *ctx, const char *why);
    /* A payload another node sent (store_leader_send), while leading. */
    void (*message)(void *ctx, const char *payload, size_t len);
    void *ctx;
};

struct leader_status {
    enum leader_role role;
    char node_id[64];
    char leader_id[64];               /* the lock holder's node id; "" unknown or none */
    int64_t since_ms;                 /* wall clock of the last role change */
    uint64_t promotions;              /* times this node took the lock */
    uint64_t demotions;               /* times it lost it */
    uint64_t sent, received, dropped; /* notifications */
    char error[256];                  /* the lock session's last error, "" none */
};

/* Whether poll_ms and timeout_s keep a leader's own stop ahead of the
 * server freeing its lock. Returns 0, or WT_EINVAL with why in err. */
int store_leader_check_timing(int64_t poll_ms, int timeout_s, char *err, size_t errsize);

/* Starts the lock session's thread for the PostgreSQL store st (which
 * must outlive it). The first attempt at the lock happens on the thread,
 * at once. Returns 0 and *out, WT_EUNSUPPORTED for another backend, WT_EINVAL
 * for bad timings (err says why). */
int store_leader_start(struct store *st, const struct leader_opts *o, struct store_leader **out,
                       char *err, size_t errsize);
/* Waits until the thread has made its first attempt at the lock (won or
 * not), at most timeout_ms. Returns whether it has. `serve` waits so that
 * a node that can lead leads before its API answers. */
bool store_leader_wait_first(struct store_leader *l, int64_t timeout_ms);

/* Stops the thread; the session and its lock stay until
 * store_leader_free, so the owner can stop its engine cleanly, still
 * holding the lock, in between. demote is not called. NULL is allowed. */
void store_leader_stop(struct store_leader *l);
/* Stops the thread if needed, closes the lock session (the lock goes with
 * it) and frees. NULL is allowed. */
void store_leader_free(struct store_leader *l);
void store_leader_status(struct store_leader *l, struct leader_status *out);
bool store_leader_is_leader(struct store_leader *l);
/* Queues payload (len < STORE_LEADER_PAYLOAD_MAX, no NUL) for the leader;
 * the thread sends it as a notification at once, or hands it to message
 * itself if this node leads by then. Never waits on the network. Returns
 * 0, WT_EINVAL (too long), WT_EFULL (queue full: dropped, counted). */
int store_leader_send(struct store_leader *l, const char *payload, size_t len);

#endif
