/* SPDX-License-Identifier: MIT */
/*
 * test_throttle.c: failed-authentication throttling per client IP (server/auth/throttle.c):
 * the limit, the wait until the end of the minute, per-address isolation for IPv4 and IPv6,
 * the window reset, a flood of addresses and concurrent failures.
 *
 * The table is process-wide, so each test uses its own addresses and its own minutes.
 */
#include "auth/throttle.h"

#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/un.h>

/* Start of a minute well away from the others used here: minute(k) = 60 * (28333334 + k). */
static int64_t
minute(int k)
{
    return (int64_t)60 * (28333334 + k);
}

static struct sockaddr_in
v4(const char *text)
{
    struct sockaddr_in in;
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons(40000);
    if (inet_pton(AF_INET, text, &in.sin_addr) != 1)
        HARNESS_FAIL("bad test address %s", text);
    return in;
}

static struct sockaddr_in6
v6(const char *text)
{
    struct sockaddr_in6 in6;
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(40000);
    if (inet_pton(AF_INET6, text, &in6.sin6_addr) != 1)
        HARNESS_FAIL("bad test address %s", text);
    return in6;
}

#define SA(x) ((const struct sockaddr *)&(x))

static void
fail_n(const struct sockaddr *sa, int n, int64_t now)
{
    for (int i = 0; i < n; i++)
        throttle_fail(sa, now);
}

/* Before the first failure of the process nothing is throttled. */
static void
test_fresh(void)
{
    struct sockaddr_in a = v4("192.0.2.1");
    struct sockaddr_in6 b = v6("2001:db8::1");
    ASSERT_EQ_INT(throttle_check(SA(a), 1, minute(0)), 0);
    ASSERT_EQ_INT(throttle_check(SA(b), 1, minute(0)), 0);
    ASSERT_EQ_INT(throttle_check(NULL, 1, minute(0)), 0);
}

static void
test_limit_zero(void)
{
    struct sockaddr_in a = v4("192.0.2.10");
    fail_n(SA(a), 500, minute(1) + 5);
    ASSERT_EQ_INT(throttle_check(SA(a), 0, minute(1) + 5), 0);
    ASSERT_EQ_INT(throttle_check(SA(a), -1, minute(1) + 5), 0);
    /* The same failures do count under a real limit. */
    ASSERT_TRUE(throttle_check(SA(a), 30, minute(1) + 5) > 0);
}

static void
test_ipv4(void)
{
    struct sockaddr_in a = v4("198.51.100.7");
    struct sockaddr_in other = v4("198.51.100.8");
    int64_t t0 = minute(2);

    fail_n(SA(a), 4, t0 + 10);
    ASSERT_EQ_INT(throttle_check(SA(a), 5, t0 + 10), 0); /* below the limit */
    throttle_fail(SA(a), t0 + 10);
    ASSERT_EQ_INT(throttle_check(SA(a), 5, t0 + 10), 50); /* at the limit: wait to the minute */
    ASSERT_EQ_INT(throttle_check(SA(a), 6, t0 + 10), 0);  /* a higher limit not reached */
    ASSERT_EQ_INT(throttle_check(SA(a), 1, t0 + 10), 50);

    /* The wait counts down to the end of the minute, always between 1 and 60. */
    ASSERT_EQ_INT(throttle_check(SA(a), 5, t0), 60);
    ASSERT_EQ_INT(throttle_check(SA(a), 5, t0 + 1), 59);
    ASSERT_EQ_INT(throttle_check(SA(a), 5, t0 + 30), 30);
    ASSERT_EQ_INT(throttle_check(SA(a), 5, t0 + 59), 1);
    int out_of_range = 0;
    for (int s = 0; s < 60; s++) {
        int w = throttle_check(SA(a), 5, t0 + s);
        out_of_range += w < 1 || w > 60 || w != 60 - s;
    }
    ASSERT_EQ_INT(out_of_range, 0);

    /* Another address (even the neighbour) is not affected. */
    ASSERT_EQ_INT(throttle_check(SA(other), 5, t0 + 10), 0);
    ASSERT_EQ_INT(throttle_check(SA(other), 1, t0 + 10), 0);
    /* The port does not matter: it is the same client. */
    struct sockaddr_in a2 = a;
    a2.sin_port = htons(1234);
    ASSERT_EQ_INT(throttle_check(SA(a2), 5, t0 + 10), 50);

    /* The next minute starts afresh, and counts from zero. */
    ASSERT_EQ_INT(throttle_check(SA(a), 5, t0 + 60), 0);
    ASSERT_EQ_INT(throttle_check(SA(a), 1, t0 + 61), 0);
    throttle_fail(SA(a), t0 + 61);
    ASSERT_EQ_INT(throttle_check(SA(a), 2, t0 + 61), 0);
    ASSERT_EQ_INT(throttle_check(SA(a), 1, t0 + 61), 59);
    /* And the old minute's count is not added: 4 + 1 failures straddling the boundary. */
    struct sockaddr_in c = v4("198.51.100.9");
    fail_n(SA(c), 4, t0 + 59);
    throttle_fail(SA(c), t0 + 60);
    ASSERT_EQ_INT(throttle_check(SA(c), 5, t0 + 60), 0);
    ASSERT_EQ_INT(throttle_check(SA(c), 1, t0 + 60), 60);
}

static void
test_ipv6(void)
{
    struct sockaddr_in6 a = v6("2001:db8:1::42");
    struct sockaddr_in6 other = v6("2001:db8:1::43");
    struct sockaddr_in6 lo = v6("::1");
    int64_t t0 = minute(4);

    fail_n(SA(a), 2, t0 + 45);
    ASSERT_EQ_INT(throttle_check(SA(a), 3, t0 + 45), 0);
    throttle_fail(SA(a), t0 + 45);
    ASSERT_EQ_INT(throttle_check(SA(a), 3, t0 + 45), 15);
    ASSERT_EQ_INT(throttle_check(SA(a), 3, t0 + 59), 1);
    ASSERT_EQ_INT(throttle_check(SA(other), 3, t0 + 45), 0);
    ASSERT_EQ_INT(throttle_check(SA(lo), 3, t0 + 45), 0);
    ASSERT_EQ_INT(throttle_check(SA(a), 3, t0 + 60), 0);

    /* An IPv6 address whose last 4 bytes equal an IPv4 address is a different client. */
    struct sockaddr_in v = v4("203.0.113.5");
    struct sockaddr_in6 w = v6("2001:db8::cb00:7105"); /* ...:203.0.113.5 */
    fail_n(SA(v), 3, t0 + 5);
    ASSERT_EQ_INT(throttle_check(SA(v), 3, t0 + 5), 55);
    ASSERT_EQ_INT(throttle_check(SA(w), 3, t0 + 5), 0);
    struct sockaddr_in6 compat = v6("::203.0.113.5");
    ASSERT_EQ_INT(throttle_check(SA(compat), 3, t0 + 5), 0);

    /* A v4-mapped IPv6 address (a dual-stack socket) is the same client as the IPv4 one. */
    struct sockaddr_in6 mapped = v6("::ffff:203.0.113.5");
    ASSERT_EQ_INT(throttle_check(SA(mapped), 3, t0 + 5), 55);
}

/* Addresses of another family are never throttled and never counted. */
static void
test_other_family(void)
{
    struct sockaddr_un un;
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    snprintf(un.sun_path, sizeof(un.sun_path), "%s", "/tmp/x.sock");
    fail_n(SA(un), 10, minute(6));
    ASSERT_EQ_INT(throttle_check(SA(un), 1, minute(6)), 0);
    throttle_fail(NULL, minute(6));
    ASSERT_EQ_INT(throttle_check(NULL, 1, minute(6)), 0);
    /* The unspecified addresses are ordinary keys, not "empty slot" markers. */
    struct sockaddr_in6 any6 = v6("::");
    struct sockaddr_in any4 = v4("0.0.0.0");
    fail_n(SA(any6), 2, minute(6) + 1);
    ASSERT_EQ_INT(throttle_check(SA(any6), 2, minute(6) + 1), 59);
    ASSERT_EQ_INT(throttle_check(SA(any4), 1, minute(6) + 1), 0);
}

/* A flood of distinct addresses: no crash, the table does not remember them all, the latest
 * ones are throttled, and the next minute forgets everything. */
static void
test_flood(void)
{
    enum { N = 200000 };
    int64_t t0 = minute(8);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    int wrong_wait = 0;
    for (uint32_t i = 0; i < N; i++) {
        a.sin_addr.s_addr = htonl(0x0a000000u + i); /* 10.0.0.0/8 */
        fail_n(SA(a), 2, t0 + 20);
        int w = throttle_check(SA(a), 2, t0 + 20);
        wrong_wait += w != 40; /* just recorded: throttled right now */
    }
    ASSERT_EQ_INT(wrong_wait, 0);

    int still = 0, bad_range = 0;
    for (uint32_t i = 0; i < N; i++) {
        a.sin_addr.s_addr = htonl(0x0a000000u + i);
        int w = throttle_check(SA(a), 2, t0 + 30);
        if (w != 0) {
            still++;
            bad_range += w != 30;
        }
    }
    ASSERT_EQ_INT(bad_range, 0);
    /* Bounded: far fewer entries than addresses survive (the table holds a few thousand). */
    ASSERT_TRUE(still > 0);
    ASSERT_TRUE(still < N / 8);
    /* The most recent address is still there. */
    a.sin_addr.s_addr = htonl(0x0a000000u + N - 1);
    ASSERT_EQ_INT(throttle_check(SA(a), 2, t0 + 30), 30);

    int after = 0;
    for (uint32_t i = 0; i < N; i += 7) {
        a.sin_addr.s_addr = htonl(0x0a000000u + i);
        after += throttle_check(SA(a), 1, t0 + 60) != 0;
    }
    ASSERT_EQ_INT(after, 0);

    /* A new address after the flood is counted normally. */
    struct sockaddr_in6 x = v6("2001:db8:ffff::1");
    fail_n(SA(x), 3, t0 + 70);
    ASSERT_EQ_INT(throttle_check(SA(x), 3, t0 + 70), 50);
    ASSERT_EQ_INT(throttle_check(SA(x), 4, t0 + 70), 0);
}

struct worker {
    struct sockaddr_in addr;
    int64_t now;
    int n;
};

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    fail_n(SA(w->addr), w->n, w->now);
    return NULL;
}

/* Failures from many threads are all counted (no lost updates). */
static void
test_concurrent(void)
{
    enum { T = 8, PER = 2000 };
    pthread_t th[T];
    struct worker w = {.addr = v4("192.0.2.77"), .now = minute(12) + 3, .n = PER};
    for (int i = 0; i < T; i++)
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, worker_main, &w), 0);
    for (int i = 0; i < T; i++)
        pthread_join(th[i], NULL);
    ASSERT_EQ_INT(throttle_check(SA(w.addr), T * PER, w.now), 57);
    ASSERT_EQ_INT(throttle_check(SA(w.addr), T * PER + 1, w.now), 0);
}

int
main(void)
{
    RUN(test_fresh);
    RUN(test_limit_zero);
    RUN(test_ipv4);
    RUN(test_ipv6);
    RUN(test_other_family);
    RUN(test_flood);
    RUN(test_concurrent);
    return harness_done();
}
