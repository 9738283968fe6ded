/* The systemd notification protocol: see sdnotify.h for why it is ours.
 * One unconnected AF_UNIX datagram socket per call (calls are rare: once at
 * start and stop, every few seconds for the watchdog), closed at once, so
 * no descriptor outlives a call or leaks into a child. */
#include "base/sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/err.h"

int sdnotify_send(const char *state)
{
    const char *name = getenv("NOTIFY_SOCKET");
    if (!name || !name[0])
        return 0;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strlen(name);
    if ((name[0] != '/' && name[0] != '@') || n >= sizeof sa.sun_path)
        return WT_EINVAL;
    memcpy(sa.sun_path, name, n);
    if (name[0] == '@')
        sa.sun_path[0] = '\0'; /* the abstract namespace */
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return WT_EIO;
    size_t sl = strlen(state);
    ssize_t w;
    do
        w = sendto(fd, state, sl, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
    while (w < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return w == (ssize_t)sl ? 0 : WT_EIO;
}

uint64_t sdnotify_watchdog_usec(void)
{
    const char *us = getenv("WATCHDOG_USEC");
    if (!us || !us[0])
        return 0;
    const char *pid = getenv("WATCHDOG_PID");
    if (pid && pid[0]) {
        char *end;
        errno = 0;
        long long p = strtoll(pid, &end, 10);
        if (errno || *end || p != (long long)getpid())
            return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(us, &end, 10);
    if (errno || *end || us[0] == '-')
        return 0;
    return (uint64_t)v;
}
