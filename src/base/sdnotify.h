/* The systemd notification protocol (sd_notify(3)), the few lines of it a
 * Type=notify service needs: READY=1 once it serves, WATCHDOG=1 while it
 * is alive, RELOADING=1 / STOPPING=1 around a reload or a stop, STATUS=…
 * for `systemctl status`.
 *
 * Why our own and not libsystemd's sd_notify(): the protocol is one
 * datagram of "KEY=value" lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace), and
 * implementing it is shorter than adding a library to the build, the
 * package's dependencies and every developer machine; the same daemon
 * then also runs under any supervisor that speaks the protocol (s6,
 * runit's sd_notify shims, the tests' fake supervisor).
 *
 * Without $NOTIFY_SOCKET every call is a no-op returning 0. Any thread.
 * base/: no logging; callers log the returned errors. */
#ifndef WT_BASE_SDNOTIFY_H
#define WT_BASE_SDNOTIFY_H

#include <stdint.h>

/* Sends state ("READY=1\nSTATUS=…", lines without a trailing newline
 * needed) as one datagram to $NOTIFY_SOCKET. Returns 0 (sent, or no
 * socket configured), WT_EINVAL (a socket name that is not an absolute
 * path or "@name", or too long) or WT_EIO (socket or sendto failed, errno
 * kept). */
int sdnotify_send(const char *state);

/* The watchdog period systemd asked for ($WATCHDOG_USEC, when
 * $WATCHDOG_PID is unset or names this process), in microseconds; 0 when
 * there is none. The service should send WATCHDOG=1 at least twice per
 * period. */
uint64_t sdnotify_watchdog_usec(void);

#endif
