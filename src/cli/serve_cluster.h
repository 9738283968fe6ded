/* `serve` with several daemons on one PostgreSQL database
 * (store/leader.h, docs/operations.md "Several daemons on one
 * PostgreSQL").
 *
 * On PostgreSQL the runner starts as a standby (no engine) and this module
 * promotes it when the node takes the trading lock, restoring the engine
 * from the store as a background start does, behind a fence
 * (runner_promote: each stored event counted once), and demotes it
 * the moment the lock is lost. Events this node stores while it is a
 * standby go to the leader as notifications; the leader hands the ones it
 * receives to its engine. On SQLite there is no cluster: one daemon per
 * database (the lock file), role "single". */
#ifndef WT_CLI_SERVE_CLUSTER_H
#define WT_CLI_SERVE_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "event/event.h"
#include "store/leader.h"

struct runner;
struct store;
struct serve_cluster;

/* Whether this configuration runs as one of several nodes (PostgreSQL). */
bool serve_cluster_wanted(const struct config *cfg);
/* This node's id: cluster.node_id, or hostname:pid. */
void serve_cluster_node_id(const struct config *cfg, char *out, size_t size);
/* Starts the lock session for st and runner (started with standby set);
 * mode names the engine's mode in the logs. Returns 0, or 2 on bad
 * settings, 1 when the thread cannot start (logged). */
int serve_cluster_start(const struct config *cfg, struct store *st, struct runner *runner,
                        const char *mode, struct serve_cluster **out);
/* The inbox's after_commit: to the engine here, or to the leader while
 * this node is a standby. c may be NULL (single node). */
void serve_cluster_after_commit(struct serve_cluster *c, struct runner *r, const struct event *ev,
                                size_t n, const uint8_t *inserted);
/* api_env.cluster (ctx is the serve_cluster). */
void serve_cluster_status(void *ctx, struct leader_status *out);
/* Whether this node holds the trading lock now (ctx: the serve_cluster):
 * the gate of the scheduled jobs only one node runs (sched_gate). Any
 * thread; quick. */
bool serve_cluster_leads(void *ctx);
/* Stops the lock session's thread (the lock is kept until
 * serve_cluster_free, after the engine stopped cleanly). NULL allowed. */
void serve_cluster_stop(struct serve_cluster *c);
void serve_cluster_free(struct serve_cluster *c);

/* Logs what the engine restored (at a start, and at a promotion). */
void serve_log_restored(struct runner *r, const char *mode);

/* The notification payload of events ev[0..n): "e1:<sizeof event>:" and
 * the events in base64. Encodes as many as fit and returns how many. */
size_t serve_cluster_encode(const struct event *ev, size_t n, char *out, size_t outsize);
/* Decodes a payload into ev (room for max). Returns how many, or 0 for a
 * payload of another version or build. */
size_t serve_cluster_decode(const char *payload, size_t len, struct event *ev, size_t max);

#endif
