/* Per-address connection counts and authentication failures of the HTTP
 * server. See peers.h.
 *
 * Why our own table and not libmicrohttpd's MHD_OPTION_PER_IP_CONNECTION_
 * LIMIT: that one counts loopback like any address, so with a reverse
 * proxy on the same host (or the integration tests) every client would
 * share one small limit; it counts each IPv6 address separately; and it
 * has no notion of failed authentication. A chained hash table keyed by
 * the 16-byte address is small and does all three. */
#include "net/peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

#define NBUCKETS 1024

/* One address. Invariant: an entry exists while conns > 0 or its failure
 * window may still matter (fails > 0); it is removed when both lapse. */
struct entry {
    uint8_t key[16];
    unsigned conns;
    unsigned fails;
    int64_t window_start_ms; /* start of the minute fails counts in */
    struct entry *next;
};

struct peers {
    pthread_mutex_t mu;
    unsigned max_conns;
    unsigned max_failures;
    unsigned nentries;
    struct entry *bucket[NBUCKETS];
};

bool peers_is_loopback(const struct sockaddr *sa)
{
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return true;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            return in6->sin6_addr.s6_addr[12] == 127;
    }
    return false;
}

/* The key: IPv4 (also v4-mapped IPv6) as ::ffff:a.b.c.d, IPv6 as its /64
 * prefix. Returns false for other families (never counted). */
static bool make_key(const struct sockaddr *sa, uint8_t key[16])
{
    memset(key, 0, 16);
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            memcpy(key, in6->sin6_addr.s6_addr, 16);
        else
            memcpy(key, in6->sin6_addr.s6_addr, 8);
        return true;
    }
    return false;
}

static unsigned hash(const uint8_t key[16])
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++) {
        h ^= key[i];
        h *= 16777619u;
    }
    return h % NBUCKETS;
}

/* The entry of key, created when create (and there is room), or NULL. */
static struct entry *find(struct peers *p, const uint8_t key[16], bool create)
{
    struct entry **slot = &p->bucket[hash(key)];
    for (struct entry *e = *slot; e; e = e->next)
        if (memcmp(e->key, key, 16) == 0)
            return e;
    if (!create || p->nentries >= PEERS_MAX_ENTRIES)
        return NULL;
    struct entry *e = xcalloc(1, sizeof *e);
    memcpy(e->key, key, 16);
    e->next = *slot;
    *slot = e;
    p->nentries++;
    return e;
}

/* Removes key's entry when it holds nothing worth keeping at now_ms (a
 * negative now_ms: only when it has no failures at all). */
static void maybe_drop(struct peers *p, const uint8_t key[16], int64_t now_ms)
{
    for (struct entry **slot = &p->bucket[hash(key)]; *slot; slot = &(*slot)->next) {
        struct entry *e = *slot;
        if (memcmp(e->key, key, 16) != 0)
            continue;
        bool lapsed =
            e->fails == 0 || (now_ms >= 0 && now_ms - e->window_start_ms >= PEERS_FAIL_WINDOW_MS);
        if (e->conns == 0 && lapsed) {
            *slot = e->next;
            free(e);
            p->nentries--;
        }
        return;
    }
}

/* Drops every entry with no connection and a lapsed failure window: run
 * when the table is full, so stale failures of many addresses cannot keep
 * new ones from being recorded. */
static void sweep(struct peers *p, int64_t now_ms)
{
    for (unsigned i = 0; i < NBUCKETS; i++) {
        struct entry **slot = &p->bucket[i];
        while (*slot) {
            struct entry *e = *slot;
            if (e->conns == 0 && now_ms - e->window_start_ms >= PEERS_FAIL_WINDOW_MS) {
                *slot = e->next;
                free(e);
                p->nentries--;
            } else {
                slot = &e->next;
            }
        }
    }
}

struct peers *peers_new(unsigned max_conns, unsigned max_failures)
{
    struct peers *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->max_conns = max_conns;
    p->max_failures = max_failures;
    return p;
}

void peers_free(struct peers *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < NBUCKETS; i++) {
        struct entry *e = p->bucket[i];
        while (e) {
            struct entry *next = e->next;
            free(e);
            e = next;
        }
    }
    pthread_mutex_destroy(&p->mu);
    free(p);
}

bool peers_conn_allowed(struct peers *p, const struct sockaddr *sa)
{
    uint8_t key[16];
    if (p->max_conns == 0 || peers_is_loopback(sa) || !make_key(sa, key))
        return true;
    pthread_mutex_lock(&p->mu);
    struct entry *e = find(p, key, false);
    bool ok = !e || e->conns < p->max_conns;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

bool peers_conn_admit(struct peers *p, const struct sockaddr *sa)
{
    uint8_t key[16];
    if (!make_key(sa, key))
        return true;
    bool exempt = p->max_conns == 0 || peers_is_loopback(sa);
    pthread_mutex_lock(&p->mu);
    struct entry *e = find(p, key, false);
    bool ok = exempt || !e || e->conns < p->max_conns;
    if (ok && !e)
        e = find(p, key, true);
    if (ok && e)
        e->conns++;
    pthread_mutex_unlock(&p->mu);
    return ok;
}

void peers_conn_open(struct peers *p, const struct sockaddr *sa)
{
    uint8_t key[16];
    if (!make_key(sa, key))
        return;
    pthread_mutex_lock(&p->mu);
    struct entry *e = find(p, key, true);
    if (e)
        e->conns++;
    pthread_mutex_unlock(&p->mu);
}

void peers_conn_close(struct peers *p, const struct sockaddr *sa)
{
    uint8_t key[16];
    if (!make_key(sa, key))
        return;
    pthread_mutex_lock(&p->mu);
    struct entry *e = find(p, key, false);
    if (e && e->conns > 0) {
        e->conns--;
        maybe_drop(p, key, -1);
    }
    pthread_mutex_unlock(&p->mu);
}

unsigned peers_conns(struct peers *p, const struct sockaddr *sa)
{
    uint8_t key[16];
    if (!make_key(sa, key))
        return 0;
    pthread_mutex_lock(&p->mu);
    struct entry *e = find(p, key, false);
    unsigned n = e ? e->conns : 0;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void peers_auth_failed(struct peers *p, const struct sockaddr *sa, int64_t now_ms)
{
    uint8_t key[16];
    if (p->max_failures == 0 || !make_key(sa, key))
        return;
    pthread_mutex_lock(&p->mu);
    if (p->nentries >= PEERS_MAX_ENTRIES)
        sweep(p, now_ms);
    struct entry *e = find(p, key, true);
    if (e) {
        if (e->fails == 0 || now_ms - e->window_start_ms >= PEERS_FAIL_WINDOW_MS) {
            e->fails = 0;
            e->window_start_ms = now_ms;
        }
        if (e->fails < UINT32_MAX)
            e->fails++;
    }
    pthread_mutex_unlock(&p->mu);
}

int64_t peers_retry_after_ms(struct peers *p, const struct sockaddr *sa, int64_t now_ms)
{
    uint8_t key[16];
    if (p->max_failures == 0 || !make_key(sa, key))
        return 0;
    int64_t wait = 0;
    pthread_mutex_lock(&p->mu);
    struct entry *e = find(p, key, false);
    if (e && e->fails >= p->max_failures) {
        int64_t left = e->window_start_ms + PEERS_FAIL_WINDOW_MS - now_ms;
        if (left > 0)
            wait = left;
    }
    if (e && wait == 0)
        maybe_drop(p, key, now_ms);
    pthread_mutex_unlock(&p->mu);
    return wait;
}
