/* Per-address bookkeeping of the HTTP server: how many connections each
 * client address holds open, and how many times it failed authentication
 * in the current minute.
 *
 * An address is an IPv4 address, or the /64 prefix of an IPv6 address
 * (one host commonly owns a whole /64, so counting single IPv6 addresses
 * would let it open unlimited connections). Loopback addresses are never
 * limited by peers_conn_allowed: everything behind a reverse proxy on the
 * same host, and every local tool, shares them.
 *
 * Thread safety: every function may be called from any thread; one mutex
 * guards the table. Memory: one small entry per address with an open
 * connection or recent failures, at most PEERS_MAX_ENTRIES; past that new
 * failures are not recorded (throttling fails open, connections are still
 * limited by the server's global limit). */
#ifndef WT_NET_PEERS_H
#define WT_NET_PEERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/clock.h"

#define PEERS_MAX_ENTRIES    65536
#define PEERS_FAIL_WINDOW_MS MS_PER_MINUTE /* failures are counted per minute */

struct peers;

/* max_conns: open connections per non-loopback address (0: no limit).
 * max_failures: authentication failures per address per minute before
 * peers_retry_after_ms says wait (0: never). The module allocates. */
struct peers *peers_new(unsigned max_conns, unsigned max_failures);
void peers_free(struct peers *p);

/* Whether a new connection from sa may be accepted: false when sa already
 * holds max_conns connections (and is not loopback). Does not count it:
 * the caller counts accepted connections with peers_conn_open and
 * peers_conn_close, which must pair. A few concurrent accepts may pass
 * the check together; the limit is approximate by that much. */
bool peers_conn_allowed(struct peers *p, const struct sockaddr *sa);
void peers_conn_open(struct peers *p, const struct sockaddr *sa);
/* The check and the count in one step under the lock, so concurrent
 * accepts cannot pass the limit together: returns false (nothing counted)
 * when sa already holds max_conns connections and is not loopback, else
 * counts the connection (pair it with peers_conn_close) and returns true.
 * This is what the server uses, at accept time. */
bool peers_conn_admit(struct peers *p, const struct sockaddr *sa);
void peers_conn_close(struct peers *p, const struct sockaddr *sa);
/* Open connections of sa's address (for tests). */
unsigned peers_conns(struct peers *p, const struct sockaddr *sa);

/* Records one authentication failure of sa at now_ms (a monotonic
 * clock). */
void peers_auth_failed(struct peers *p, const struct sockaddr *sa, int64_t now_ms);
/* 0 when sa may try to authenticate, else the milliseconds until it may:
 * it failed max_failures times in the current one-minute window. */
int64_t peers_retry_after_ms(struct peers *p, const struct sockaddr *sa, int64_t now_ms);

/* Whether sa is a loopback address (127/8, ::1, ::ffff:127/104). */
bool peers_is_loopback(const struct sockaddr *sa);

#endif
