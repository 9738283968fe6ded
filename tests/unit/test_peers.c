/* Unit tests of net/peers: the per-address connection limit (loopback
 * exempt, an IPv6 /64 counted as one address) and the per-minute count of
 * failed authentications. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "net/peers.h"

static struct sockaddr_storage addr(const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1)
        in4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1)
        in6->sin6_family = AF_INET6;
    else
        fail_msg("bad address %s", ip);
    return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static void test_conn_limit(void **state)
{
    (void)state;
    struct peers *p = peers_new(2, 0);
    struct sockaddr_storage a = addr("192.0.2.7"), b = addr("192.0.2.8");
    struct sockaddr_storage lo = addr("127.0.0.1"), lo6 = addr("::1");
    assert_true(peers_conn_allowed(p, SA(a)));
    peers_conn_open(p, SA(a));
    peers_conn_open(p, SA(a));
    assert_false(peers_conn_allowed(p, SA(a)));
    assert_true(peers_conn_allowed(p, SA(b))); /* another address is not affected */
    peers_conn_close(p, SA(a));
    assert_true(peers_conn_allowed(p, SA(a)));
    assert_int_equal(peers_conns(p, SA(a)), 1);
    peers_conn_close(p, SA(a));
    assert_int_equal(peers_conns(p, SA(a)), 0);
    /* Loopback is counted but never refused. */
    for (int i = 0; i < 10; i++) {
        peers_conn_open(p, SA(lo));
        peers_conn_open(p, SA(lo6));
    }
    assert_int_equal(peers_conns(p, SA(lo)), 10);
    assert_true(peers_conn_allowed(p, SA(lo)));
    assert_true(peers_conn_allowed(p, SA(lo6)));
    for (int i = 0; i < 10; i++) {
        peers_conn_close(p, SA(lo));
        peers_conn_close(p, SA(lo6));
    }
    peers_free(p);
}

/* Admission checks and counts in one step: the limit holds exactly. */
static void test_admit_exact(void **state)
{
    (void)state;
    struct peers *p = peers_new(2, 0);
    struct sockaddr_storage a = addr("192.0.2.7"), lo = addr("127.0.0.1");
    assert_true(peers_conn_admit(p, SA(a)));
    assert_true(peers_conn_admit(p, SA(a)));
    assert_false(peers_conn_admit(p, SA(a)));
    assert_int_equal(peers_conns(p, SA(a)), 2);
    peers_conn_close(p, SA(a));
    assert_true(peers_conn_admit(p, SA(a)));
    for (int i = 0; i < 5; i++)
        assert_true(peers_conn_admit(p, SA(lo)));
    assert_int_equal(peers_conns(p, SA(lo)), 5);
    peers_free(p);
}

/* One host owns its /64: two addresses of one /64 share the limit, a
 * neighbouring /64 does not. A v4-mapped address counts as its IPv4. */
static void test_ipv6_prefix(void **state)
{
    (void)state;
    struct peers *p = peers_new(2, 0);
    struct sockaddr_storage x1 = addr("2001:db8:1:2::1"), x2 = addr("2001:db8:1:2:ffff::9");
    struct sockaddr_storage y = addr("2001:db8:1:3::1");
    peers_conn_open(p, SA(x1));
    peers_conn_open(p, SA(x2));
    assert_false(peers_conn_allowed(p, SA(x1)));
    assert_false(peers_conn_allowed(p, SA(x2)));
    assert_true(peers_conn_allowed(p, SA(y)));
    struct sockaddr_storage v4 = addr("198.51.100.4"), mapped = addr("::ffff:198.51.100.4");
    peers_conn_open(p, SA(v4));
    peers_conn_open(p, SA(mapped));
    assert_false(peers_conn_allowed(p, SA(v4)));
    struct sockaddr_storage lo_mapped = addr("::ffff:127.0.0.9");
    assert_true(peers_is_loopback(SA(lo_mapped)));
    assert_false(peers_is_loopback(SA(mapped)));
    peers_free(p); /* frees entries still open */
}

static void test_auth_failures(void **state)
{
    (void)state;
    struct peers *p = peers_new(0, 3);
    struct sockaddr_storage a = addr("203.0.113.5"), b = addr("203.0.113.6");
    int64_t t = 1000000;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(peers_retry_after_ms(p, SA(a), t), 0);
        peers_auth_failed(p, SA(a), t + i * 1000);
    }
    /* The third failure started the lockout: until the minute of the first
     * one ends. */
    assert_int_equal(peers_retry_after_ms(p, SA(a), t + 3000), PEERS_FAIL_WINDOW_MS - 3000);
    assert_int_equal(peers_retry_after_ms(p, SA(b), t + 3000), 0);
    assert_int_equal(peers_retry_after_ms(p, SA(a), t + PEERS_FAIL_WINDOW_MS), 0);
    /* A new window counts from zero. */
    peers_auth_failed(p, SA(a), t + PEERS_FAIL_WINDOW_MS + 1);
    assert_int_equal(peers_retry_after_ms(p, SA(a), t + PEERS_FAIL_WINDOW_MS + 2), 0);
    peers_free(p);
    /* 0 failures allowed means no throttling at all. */
    p = peers_new(0, 0);
    for (int i = 0; i < 100; i++)
        peers_auth_failed(p, SA(a), t);
    assert_int_equal(peers_retry_after_ms(p, SA(a), t), 0);
    peers_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_limit),
        cmocka_unit_test(test_admit_exact),
        cmocka_unit_test(test_ipv6_prefix),
        cmocka_unit_test(test_auth_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
