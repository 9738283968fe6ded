/* Integration tests of the HTTP server against slow and greedy clients
 * (issue 13, item 6): 2,000 connections trickling their headers must not
 * take the webhook or /healthz offline; a request trickled byte by byte
 * is cut at server.request_timeout_s however often a byte arrives; one
 * address holds at most server.max_connections_per_ip connections (a
 * loopback client is exempt, so the per-address test needs a non-loopback
 * address of this machine and is skipped without one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define SECRET "slowloris-test-secret"
#define NSLOW  2000

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int connect_to(const char *ip, unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, ip, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const char *s)
{
    size_t n = strlen(s);
    return send(fd, s, n, MSG_NOSIGNAL) == (ssize_t)n;
}

/* Whether the server closed fd (end of stream or reset), waiting at most
 * wait_ms for it. */
static bool closed_by_server(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, wait_ms) <= 0)
        return false;
    char c[256];
    ssize_t r = recv(fd, c, sizeof c, MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* Every slow connection needs a descriptor here too. */
static void raise_nofile(void)
{
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < NSLOW + 256)
        skip();
}

/* 2,000 unauthenticated connections that send half a request and then a
 * byte now and then; meanwhile /healthz and an authenticated delivery
 * must still be answered, and the slow connections stay open (the server
 * took them all, it did not just refuse them). */
static void test_many_slow_connections(void **state)
{
    (void)state;
    raise_nofile();
    struct daemon d;
    /* A long deadline: this test is about capacity, not the deadline. */
    const char *args[] = {"--set", "server.request_timeout_s=600", NULL};
    const char *env[] = {"WALLTRACK_WEBHOOK_SECRET=" SECRET, NULL};
    assert_int_equal(daemon_start(&d, args, env), 0);
    static int fds[NSLOW];
    for (int i = 0; i < NSLOW; i++) {
        fds[i] = connect_to("127.0.0.1", d.port);
        assert_true(fds[i] >= 0);
        assert_true(send_all(fds[i], "POST /webhooks/helius HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    }
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < NSLOW; i++)
            send_all(fds[i], "a");
        sleep_ms(300);
    }
    struct buf body;
    buf_init(&body, 0);
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, &body), 200);
    assert_int_equal(
        http_request(d.port, "POST", "/webhooks/helius", "Authorization: " SECRET, "[]", 2, NULL),
        200);
    for (int i = 0; i < NSLOW; i++)
        send_all(fds[i], "b");
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    int closed = 0;
    for (int i = 0; i < NSLOW; i++)
        closed += closed_by_server(fds[i], 0);
    assert_int_equal(closed, 0);
    for (int i = 0; i < NSLOW; i++)
        close(fds[i]);
    buf_release(&body);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

/* A request trickled a byte every 300 ms never completes: it is cut at
 * the 2 s deadline, though libmicrohttpd's idle timeout (60 s) is reset
 * by every byte. The bound of the loop (20 s) is far from both. */
static void test_trickle_cut_at_deadline(void **state)
{
    (void)state;
    struct daemon d;
    const char *args[] = {"--set", "server.request_timeout_s=2", NULL};
    assert_int_equal(daemon_start(&d, args, NULL), 0);
    int fd = connect_to("127.0.0.1", d.port);
    assert_true(fd >= 0);
    assert_true(send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    bool cut = false;
    int sent = 0;
    for (int i = 0; i < 66 && !cut; i++) {
        if (!send_all(fd, "z")) {
            cut = true;
            break;
        }
        sent++;
        cut = closed_by_server(fd, 300);
    }
    close(fd);
    if (!cut)
        fail_msg("a connection trickling a byte every 300 ms was still open after %d bytes", sent);
    assert_true(sent >= 2); /* it did trickle before the cut */
    /* The server is fine, and a normal request is not cut. */
    assert_int_equal(http_request(d.port, "GET", "/healthz", NULL, NULL, 0, NULL), 200);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

/* A non-loopback IPv4 address of this machine, or false. */
static bool local_address(char *out, size_t size)
{
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) != 0)
        return false;
    bool found = false;
    for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        const struct sockaddr_in *in = (const struct sockaddr_in *)i->ifa_addr;
        if ((ntohl(in->sin_addr.s_addr) >> 24) == 127)
            continue;
        found = inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size) != NULL;
    }
    freeifaddrs(ifs);
    return found;
}

static void test_per_address_limit(void **state)
{
    (void)state;
    char ip[INET_ADDRSTRLEN];
    if (!local_address(ip, sizeof ip))
        skip();
    char listen[64];
    snprintf(listen, sizeof listen, "%s:0", ip);
    struct daemon d;
    const char *args[] = {"--listen", listen, "--set", "server.max_connections_per_ip=8", NULL};
    const char *env[] = {"WALLTRACK_API_TOKEN=per-address-test-token-0123", NULL};
    assert_int_equal(daemon_start(&d, args, env), 0);
    /* Eight half-sent requests, then a ninth connection from the same
     * address. Exactly one of the nine is refused at once: the ninth, or,
     * when the server's workers (which accept concurrently) took the
     * ninth before one of the first eight, that one. */
    int fds[9];
    for (int i = 0; i < 8; i++) {
        fds[i] = connect_to(ip, d.port);
        assert_true(fds[i] >= 0);
        assert_true(send_all(fds[i], "GET /healthz HTTP/1.1\r\nHost: x\r\n"));
    }
    fds[8] = connect_to(ip, d.port);
    assert_true(fds[8] >= 0);
    send_all(fds[8], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    int refused = -1;
    for (int t = 0; t < 100 && refused < 0; t++) {
        for (int i = 0; i < 9 && refused < 0; i++)
            if (closed_by_server(fds[i], 0))
                refused = i;
        if (refused < 0)
            sleep_ms(100);
    }
    assert_true(refused >= 0);
    /* The other eight are still open, and a half-sent one finishes
     * normally. */
    for (int i = 0; i < 9; i++)
        if (i != refused)
            assert_false(closed_by_server(fds[i], 0));
    int slow = refused == 0 ? 1 : 0;
    assert_true(send_all(fds[slow], "Connection: close\r\n\r\n"));
    char resp[64] = {0};
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fds[slow], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_true(recv(fds[slow], resp, sizeof resp - 1, 0) > 0);
    assert_non_null(strstr(resp, " 200 "));
    for (int i = 0; i < 9; i++)
        close(fds[i]);
    /* Once they are closed the address may connect again. */
    bool ok = false;
    for (int tries = 0; tries < 50 && !ok; tries++) {
        int fd = connect_to(ip, d.port);
        assert_true(fd >= 0);
        send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        memset(resp, 0, sizeof resp);
        ok = recv(fd, resp, sizeof resp - 1, 0) > 0 && strstr(resp, " 200 ");
        close(fd);
        if (!ok)
            sleep_ms(100);
    }
    assert_true(ok);
    assert_int_equal(daemon_stop(&d, SIGTERM), 0);
    harness_rmdir(d.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trickle_cut_at_deadline),
        cmocka_unit_test(test_per_address_limit),
        cmocka_unit_test(test_many_slow_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
