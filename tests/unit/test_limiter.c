/* SPDX-License-Identifier: MIT */
/*
 * test_limiter.c: the windowed limiter (server/service/limiter.c): exact limits and waits,
 * windows anchored at the first unit, unlimited and unkeyed calls, peek, refund and forget,
 * hashed keys and client addresses, the replacement order of a full bucket, a flood of keys,
 * and concurrent takes that must never overshoot.
 */
#include "service/limiter.h"

#include "common/alloc.h"

#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/un.h>

#define MINUTE_MS 60000
/* An arbitrary instant that is not on a second boundary (milliseconds since the epoch). */
#define T0 ((int64_t)1700000000123)

#define SA(x) ((const struct sockaddr *)&(x))

static struct limiter *
make(size_t slots, int64_t window_ms)
{
    struct limiter *l = NULL;
    int rc = limiter_new(slots, window_ms, &l);
    if (rc != 0 || l == NULL)
        HARNESS_FAIL("limiter_new(%zu, %lld) = %d", slots, (long long)window_ms, rc);
    return l;
}

static uint64_t
key_of(const struct limiter *l, const char *text)
{
    return limiter_key(l, 'k', text, strlen(text));
}

/* Take n units; returns how many of them succeeded. */
static int
take_n(struct limiter *l, uint64_t key, long limit, int n, int64_t now)
{
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += limiter_take(l, key, limit, now) == 0;
    return ok;
}

/* One call and the answer it must give: `at` milliseconds after a base instant. */
struct step {
    int64_t at;
    int wait;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Run limiter_take (or limiter_peek) for each step in order and check each answer. */
static void
run_steps(struct limiter *l, uint64_t key, long limit, int64_t base, const struct step *steps,
          size_t n, int (*call)(struct limiter *, uint64_t, long, int64_t))
{
    for (size_t i = 0; i < n; i++) {
        int got = call(l, key, limit, base + steps[i].at);
        harness_checks++;
        if (got != steps[i].wait)
            HARNESS_FAIL("step %zu (at +%lld ms, limit %ld): %d, expected %d", i,
                         (long long)steps[i].at, limit, got, steps[i].wait);
    }
}

/* The wait the contract promises: whole seconds from now to end, rounded up. */
static int
expected_wait(int64_t end, int64_t now)
{
    return (int)((end - now + 999) / 1000);
}

static void
test_new(void)
{
    static int marker;
    struct limiter *const sentinel = (struct limiter *)(void *)&marker;
    struct limiter *l = sentinel; /* must stay untouched when limiter_new fails */
    ASSERT_EQ_INT(limiter_new(0, MINUTE_MS, &l), -EINVAL);
    ASSERT_EQ_INT(limiter_new(16, 0, &l), -EINVAL);
    ASSERT_EQ_INT(limiter_new(16, -1000, &l), -EINVAL);
    ASSERT_EQ_INT(limiter_new(LIMITER_SLOTS_MAX + 1, MINUTE_MS, &l), -EINVAL);
    ASSERT_EQ_INT(limiter_new(16, (int64_t)INT_MAX * 1000 + 1, &l), -EINVAL);
    for (unsigned long nth = 1; nth <= 3; nth++) {
        ra_alloc_fail_at(nth);
        ASSERT_EQ_INT(limiter_new(16, MINUTE_MS, &l), -ENOMEM);
    }
    ra_alloc_fail_at(0);
    ASSERT_TRUE(l == sentinel);

    /* Rounded up to whole buckets of 4 ways, a power of two of them. */
    static const size_t asked[] = {1, 4, 5, 1000, 1024, 1025};
    static const size_t held[] = {4, 4, 8, 1024, 1024, 2048};
    for (size_t i = 0; i < COUNT(asked); i++) {
        l = make(asked[i], MINUTE_MS);
        if (l != NULL)
            ASSERT_EQ_INT(limiter_slots(l), held[i]);
        limiter_free(l);
    }
    limiter_free(NULL);
}

static void
test_limit_exact(void)
{
    struct limiter *l = make(1024, MINUTE_MS);
    uint64_t k = key_of(l, "exact");
    ASSERT_EQ_INT(take_n(l, k, 5, 5, T0), 5);
    /* Then the wait counts down to the end of the window, partial seconds rounded up. */
    static const struct step waits[] = {{0, 60},    {1, 60},     {999, 60},  {1000, 59},
                                        {1001, 59}, {30500, 30}, {59000, 1}, {59999, 1}};
    run_steps(l, k, 5, T0, waits, COUNT(waits), limiter_take);
    int wrong = 0;
    for (int64_t now = T0; now < T0 + MINUTE_MS; now += 7)
        wrong += limiter_take(l, k, 5, now) != expected_wait(T0 + MINUTE_MS, now);
    ASSERT_EQ_INT(wrong, 0);
    /* Refused takes counted nothing: a limit of 6 lets exactly one more through. */
    ASSERT_EQ_INT(take_n(l, k, 6, 10, T0 + 2000), 1);

    /* At the end of the window a new one opens, anchored there. */
    ASSERT_EQ_INT(take_n(l, k, 5, 5, T0 + MINUTE_MS), 5);
    static const struct step next[] = {{0, 60}, {500, 60}, {MINUTE_MS - 1, 1}, {MINUTE_MS, 0}};
    run_steps(l, k, 5, T0 + MINUTE_MS, next, COUNT(next), limiter_take);
    limiter_free(l);
}

/* A burst is counted in one window wherever it starts, even across wall-clock boundaries. */
static void
test_anchored(void)
{
    struct limiter *l = make(1024, 1000);
    uint64_t k = key_of(l, "burst");
    int64_t t = (T0 / 1000) * 1000 + 999; /* 999 ms into a second */
    /* The second take falls in the next wall-clock second, yet in the same window. */
    static const struct step burst[] = {{0, 0}, {1, 0}, {500, 0}, {998, 1}, {999, 1}, {1000, 0}};
    run_steps(l, k, 3, t, burst, COUNT(burst), limiter_take);

    /* The same with minute windows: a burst at 59.999 s is still one window. */
    struct limiter *m = make(1024, MINUTE_MS);
    uint64_t j = key_of(m, "burst");
    int64_t s = (T0 / MINUTE_MS) * MINUTE_MS + 59999;
    static const struct step minute[] = {{0, 0}, {1, 0}, {2, 0}, {2, 0}, {2, 60}, {59000, 1}};
    run_steps(m, j, 4, s, minute, COUNT(minute), limiter_take);
    limiter_free(m);
    limiter_free(l);
}

static void
test_unlimited(void)
{
    struct limiter *l = make(1024, MINUTE_MS);
    uint64_t k = key_of(l, "unlimited");
    ASSERT_EQ_INT(take_n(l, k, 0, 1000, T0), 1000);
    ASSERT_EQ_INT(take_n(l, k, -1, 1000, T0), 1000);
    ASSERT_EQ_INT(take_n(l, k, LONG_MIN, 10, T0), 10);
    /* Nothing was counted by those: a limit of 1 lets exactly one through. */
    ASSERT_EQ_INT(take_n(l, k, 1, 5, T0), 1);
    ASSERT_EQ_INT(limiter_peek(l, k, 0, T0), 0);
    ASSERT_EQ_INT(limiter_peek(l, k, -5, T0), 0);
    ASSERT_EQ_INT(limiter_peek(l, k, 1, T0), 60);

    /* Key 0 is never limited, and is harmless everywhere. */
    ASSERT_EQ_INT(take_n(l, 0, 1, 100, T0), 100);
    ASSERT_EQ_INT(limiter_peek(l, 0, 1, T0), 0);
    limiter_refund(l, 0, T0);
    limiter_forget(l, 0);
    ASSERT_EQ_INT(take_n(l, 0, 1, 100, T0), 100);
    ASSERT_EQ_INT(limiter_peek(l, k, 1, T0), 60);
    limiter_free(l);
}

static void
test_peek(void)
{
    struct limiter *l = make(1024, MINUTE_MS);
    uint64_t k = key_of(l, "peek"), other = key_of(l, "other");
    /* Nothing ever counted: the lock-free answer. */
    ASSERT_EQ_INT(limiter_peek(l, k, 1, T0), 0);
    ASSERT_EQ_INT(limiter_peek(l, other, 1, T0), 0);

    ASSERT_EQ_INT(take_n(l, k, 3, 2, T0), 2);
    ASSERT_EQ_INT(limiter_peek(l, k, 3, T0 + 10), 0);
    ASSERT_EQ_INT(limiter_peek(l, k, 2, T0 + 10), 60);
    ASSERT_EQ_INT(limiter_take(l, k, 3, T0 + 10), 0);
    static const struct step full[] = {{10, 60}, {20500, 40}, {MINUTE_MS - 1, 1}, {MINUTE_MS, 0}};
    run_steps(l, k, 3, T0, full, COUNT(full), limiter_peek);
    ASSERT_EQ_INT(limiter_peek(l, k, 4, T0 + 20500), 0);
    ASSERT_EQ_INT(limiter_peek(l, other, 1, T0 + 10), 0);
    /* Peeking counts nothing: a limit of 4 still lets exactly one more through. */
    for (int i = 0; i < 50; i++)
        limiter_peek(l, k, 4, T0 + 30);
    ASSERT_EQ_INT(take_n(l, k, 4, 3, T0 + 30), 1);
    /* Once the window has ended there is nothing to wait for. */
    ASSERT_EQ_INT(limiter_peek(l, k, 1, T0 + MINUTE_MS - 1), 1);
    ASSERT_EQ_INT(limiter_peek(l, k, 1, T0 + MINUTE_MS), 0);
    limiter_free(l);
}

static void
test_refund(void)
{
    struct limiter *l = make(1024, MINUTE_MS);
    uint64_t k = key_of(l, "refund");
    ASSERT_EQ_INT(take_n(l, k, 2, 3, T0), 2);
    limiter_refund(l, k, T0 + 100);
    ASSERT_EQ_INT(limiter_peek(l, k, 2, T0 + 100), 0);
    ASSERT_EQ_INT(take_n(l, k, 2, 3, T0 + 100), 1);
    /* After the window has ended a refund changes nothing (seen from inside the window). */
    limiter_refund(l, k, T0 + MINUTE_MS);
    ASSERT_EQ_INT(limiter_peek(l, k, 2, T0 + MINUTE_MS - 1), 1);

    /* Never below zero: two refunds of one unit leave room for exactly one take. */
    uint64_t j = key_of(l, "refund twice");
    ASSERT_EQ_INT(limiter_take(l, j, 1, T0), 0);
    limiter_refund(l, j, T0 + 1);
    limiter_refund(l, j, T0 + 2);
    ASSERT_EQ_INT(take_n(l, j, 1, 3, T0 + 3), 1);
    limiter_refund(l, key_of(l, "never taken"), T0);

    /* Refunding the last unit closes the window: the next take anchors a new one. */
    uint64_t m = key_of(l, "refund to zero");
    ASSERT_EQ_INT(limiter_take(l, m, 3, T0), 0);
    limiter_refund(l, m, T0 + 30000);
    ASSERT_EQ_INT(take_n(l, m, 3, 3, T0 + 40000), 3);
    ASSERT_EQ_INT(limiter_take(l, m, 3, T0 + 70000), 30);
    limiter_free(l);
}

static void
test_forget(void)
{
    struct limiter *l = make(1024, MINUTE_MS);
    uint64_t k = key_of(l, "forget"), other = key_of(l, "keep");
    ASSERT_EQ_INT(take_n(l, k, 2, 2, T0), 2);
    ASSERT_EQ_INT(take_n(l, other, 2, 2, T0), 2);
    limiter_forget(l, k);
    ASSERT_EQ_INT(limiter_peek(l, k, 1, T0 + 10000), 0);
    ASSERT_EQ_INT(limiter_peek(l, other, 2, T0 + 10000), 50);
    /* The next window starts at the next take, not at the forgotten one. */
    ASSERT_EQ_INT(take_n(l, k, 2, 3, T0 + 50000), 2);
    ASSERT_EQ_INT(limiter_take(l, k, 2, T0 + 70000), 40);
    limiter_forget(l, key_of(l, "never taken"));
    ASSERT_EQ_INT(limiter_peek(l, other, 2, T0 + 10000), 50);
    limiter_free(l);
}

static void
test_keys(void)
{
    struct limiter *a = make(64, MINUTE_MS), *b = make(64, MINUTE_MS);
    uint64_t ka = limiter_key(a, 'a', "alice", 5);
    ASSERT_EQ_INT(limiter_key(a, 'a', "alice", 5) == ka, 1);
    ASSERT_TRUE(limiter_key(a, 'b', "alice", 5) != ka);
    ASSERT_TRUE(limiter_key(a, 'a', "alicf", 5) != ka);
    /* Only the first len bytes count. */
    ASSERT_EQ_INT(limiter_key(a, 'a', "alice", 4) == limiter_key(a, 'a', "alic", 4), 1);
    ASSERT_TRUE(limiter_key(a, 'a', "alice", 4) != ka);
    ASSERT_TRUE(limiter_key(b, 'a', "alice", 5) != ka); /* each limiter has its own hash key */
    ASSERT_TRUE(limiter_key(a, 'a', NULL, 0) != 0);
    ASSERT_TRUE(limiter_key(a, 'a', NULL, 0) != limiter_key(a, 'b', NULL, 0));

    /* Long data is hashed whole: neither truncated nor confused with its prefix. */
    unsigned char big[1000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (unsigned char)(i * 7);
    uint64_t kb = limiter_key(a, 'a', big, sizeof(big));
    ASSERT_TRUE(kb != 0);
    ASSERT_EQ_INT(limiter_key(a, 'a', big, sizeof(big)) == kb, 1);
    ASSERT_TRUE(limiter_key(a, 'b', big, sizeof(big)) != kb);
    ASSERT_TRUE(limiter_key(b, 'a', big, sizeof(big)) != kb);
    ASSERT_TRUE(limiter_key(a, 'a', big, 255) != limiter_key(a, 'a', big, 256));
    ASSERT_TRUE(limiter_key(a, 'a', big, 300) != limiter_key(a, 'a', big, 299));
    big[sizeof(big) - 1] ^= 1;
    ASSERT_TRUE(limiter_key(a, 'a', big, sizeof(big)) != kb);

    int zeros = 0, same = 0;
    uint64_t prev = 0;
    for (uint32_t i = 0; i < 100000; i++) {
        uint64_t k = limiter_key(a, 'n', &i, sizeof(i));
        zeros += k == 0;
        same += k == prev;
        prev = k;
    }
    ASSERT_EQ_INT(zeros, 0);
    ASSERT_EQ_INT(same, 0);
    limiter_free(a);
    limiter_free(b);
}

static struct sockaddr_in
v4(const char *text, int port)
{
    struct sockaddr_in in;
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, text, &in.sin_addr) != 1)
        HARNESS_FAIL("bad test address %s", text);
    return in;
}

static struct sockaddr_in6
v6(const char *text, int port)
{
    struct sockaddr_in6 in6;
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, text, &in6.sin6_addr) != 1)
        HARNESS_FAIL("bad test address %s", text);
    return in6;
}

static void
test_addresses(void)
{
    struct limiter *l = make(1024, MINUTE_MS), *m = make(1024, MINUTE_MS);
    struct sockaddr_in a = v4("192.0.2.7", 40000), a_port = v4("192.0.2.7", 1234);
    struct sockaddr_in b = v4("192.0.2.8", 40000);
    struct sockaddr_in6 mapped = v6("::ffff:192.0.2.7", 50000);
    struct sockaddr_in6 embedded = v6("2001:db8::c000:207", 40000); /* ...:192.0.2.7 */
    struct sockaddr_in6 compat = v6("::192.0.2.7", 40000);
    uint64_t ka = limiter_addr_key(l, SA(a));
    ASSERT_TRUE(ka != 0);
    ASSERT_EQ_INT(limiter_addr_key(l, SA(mapped)) == ka, 1);
    ASSERT_EQ_INT(limiter_addr_key(l, SA(a_port)) == ka, 1);
    ASSERT_TRUE(limiter_addr_key(l, SA(b)) != ka);
    ASSERT_TRUE(limiter_addr_key(l, SA(embedded)) != ka);
    ASSERT_TRUE(limiter_addr_key(l, SA(compat)) != ka);
    ASSERT_TRUE(limiter_addr_key(m, SA(a)) != ka);

    /* IPv6 clients are grouped by /64. */
    struct sockaddr_in6 p1 = v6("2001:db8:1:2::1", 1), p2 = v6("2001:db8:1:2:ffff:1:2:3", 2);
    struct sockaddr_in6 q = v6("2001:db8:1:3::1", 1), r = v6("2001:db9:1:2::1", 1);
    uint64_t kp = limiter_addr_key(l, SA(p1));
    ASSERT_TRUE(kp != 0);
    ASSERT_EQ_INT(limiter_addr_key(l, SA(p2)) == kp, 1);
    ASSERT_TRUE(limiter_addr_key(l, SA(q)) != kp);
    ASSERT_TRUE(limiter_addr_key(l, SA(r)) != kp);
    ASSERT_TRUE(limiter_addr_key(l, SA(q)) != limiter_addr_key(l, SA(r)));

    /* No address, or not an IP address: no key. */
    struct sockaddr_un un;
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    struct sockaddr_in unspec = a;
    unspec.sin_family = AF_UNSPEC;
    ASSERT_EQ_INT(limiter_addr_key(l, NULL), 0);
    ASSERT_EQ_INT(limiter_addr_key(l, SA(un)), 0);
    ASSERT_EQ_INT(limiter_addr_key(l, SA(unspec)), 0);

    /* Isolation: a throttled address does not throttle its neighbours. */
    ASSERT_EQ_INT(take_n(l, ka, 3, 3, T0), 3);
    ASSERT_EQ_INT(limiter_take(l, limiter_addr_key(l, SA(mapped)), 3, T0), 60);
    ASSERT_EQ_INT(limiter_take(l, limiter_addr_key(l, SA(b)), 3, T0), 0);
    ASSERT_EQ_INT(limiter_take(l, limiter_addr_key(l, SA(embedded)), 3, T0), 0);
    ASSERT_EQ_INT(take_n(l, kp, 2, 2, T0), 2);
    ASSERT_EQ_INT(limiter_peek(l, limiter_addr_key(l, SA(p2)), 2, T0), 60);
    ASSERT_EQ_INT(limiter_peek(l, limiter_addr_key(l, SA(q)), 2, T0), 0);
    limiter_free(m);
    limiter_free(l);
}

/* A single bucket (4 slots) shows the replacement order: expired entries first, then the entry
 * whose window started earliest. */
static void
test_replacement(void)
{
    struct limiter *l = make(4, 1000);
    uint64_t k[6];
    for (int i = 0; i < 6; i++) {
        char name[8] = {'k', (char)('0' + i), 0};
        k[i] = key_of(l, name);
    }
    static const int64_t opened[] = {0, 500, 600, 700};
    for (int i = 0; i < 4; i++)
        ASSERT_EQ_INT(limiter_take(l, k[i], 1, T0 + opened[i]), 0);
    /* k0's window has ended: k4 takes its place and k1..k3 stay. */
    ASSERT_EQ_INT(limiter_take(l, k[4], 1, T0 + 1200), 0);
    for (int i = 1; i <= 4; i++)
        ASSERT_EQ_INT(limiter_peek(l, k[i], 1, T0 + 1200), 1);
    /* All live: k5 replaces k1, the earliest window. */
    ASSERT_EQ_INT(limiter_take(l, k[5], 1, T0 + 1300), 0);
    ASSERT_EQ_INT(limiter_peek(l, k[1], 1, T0 + 1300), 0);
    for (int i = 2; i <= 5; i++)
        ASSERT_EQ_INT(limiter_peek(l, k[i], 1, T0 + 1300), 1);
    limiter_free(l);
}

/* A flood of distinct keys: no crash, no allocation, a bounded number of keys remembered, and
 * the last key (and any key after the flood) counted normally. */
static void
test_flood(void)
{
    enum { N = 100000 };
    struct limiter *l = make(4096, MINUTE_MS);
    if (l == NULL)
        return;
    ra_alloc_fail_at(1); /* the next allocation fails: none may happen in the flood */
    int refused = 0;
    for (uint32_t i = 0; i < N; i++)
        refused += limiter_take(l, limiter_key(l, 'f', &i, sizeof(i)), 1, T0) != 0;
    void *probe = ra_malloc(1);
    ASSERT_TRUE(probe == NULL);
    ra_free(probe);
    ra_alloc_fail_at(0);
    ASSERT_EQ_INT(refused, 0);

    size_t held = 0;
    for (uint32_t i = 0; i < N; i++)
        held += limiter_peek(l, limiter_key(l, 'f', &i, sizeof(i)), 1, T0 + 1) != 0;
    ASSERT_TRUE(held > 0);
    ASSERT_TRUE(held <= limiter_slots(l));
    uint32_t last = N - 1;
    uint64_t kl = limiter_key(l, 'f', &last, sizeof(last));
    ASSERT_EQ_INT(limiter_peek(l, kl, 1, T0 + 1), 60);
    ASSERT_EQ_INT(limiter_take(l, kl, 1, T0 + 1), 60);

    uint64_t after = key_of(l, "after the flood");
    ASSERT_EQ_INT(take_n(l, after, 2, 3, T0 + 2), 2);
    ASSERT_EQ_INT(limiter_peek(l, after, 2, T0 + 2), 60);
    /* And the next window has forgotten the flood. */
    ASSERT_EQ_INT(limiter_peek(l, kl, 1, T0 + MINUTE_MS), 0);
    limiter_free(l);
}

enum { THREADS = 8 };

struct hammer {
    struct limiter *l;
    const uint64_t *keys;
    int nkeys;
    int rounds;
    long limit;
    pthread_barrier_t start; /* all threads begin together, to collide as much as possible */
    atomic_long ok;
    atomic_long wrong_wait;
};

/* Take `rounds` times from every key; count the successes and any refusal with a wrong wait. */
static void *
hammer_main(void *arg)
{
    struct hammer *h = arg;
    long ok = 0, wrong = 0;
    pthread_barrier_wait(&h->start);
    for (int r = 0; r < h->rounds; r++) {
        for (int i = 0; i < h->nkeys; i++) {
            int w = limiter_take(h->l, h->keys[i], h->limit, T0);
            ok += w == 0;
            wrong += w != 0 && w != 60;
        }
    }
    atomic_fetch_add(&h->ok, ok);
    atomic_fetch_add(&h->wrong_wait, wrong);
    return NULL;
}

static void
run_hammer(struct hammer *h)
{
    pthread_t th[THREADS];
    int started = 0;
    atomic_init(&h->ok, 0);
    atomic_init(&h->wrong_wait, 0);
    if (pthread_barrier_init(&h->start, NULL, THREADS) != 0) {
        HARNESS_FAIL("pthread_barrier_init failed");
        return;
    }
    while (started < THREADS && pthread_create(&th[started], NULL, hammer_main, h) == 0)
        started++;
    ASSERT_EQ_INT(started, THREADS);
    if (started < THREADS)
        abort(); /* the started threads wait at the barrier for ever */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&h->start);
}

/* Eight threads on one key, far more attempts than the limit: exactly `limit` succeed. */
static void
test_concurrent_one_key(void)
{
    struct limiter *l = make(1024, MINUTE_MS);
    uint64_t k = key_of(l, "hot");
    struct hammer h = {.l = l, .keys = &k, .nkeys = 1, .rounds = 5000, .limit = 1000};
    run_hammer(&h);
    ASSERT_EQ_INT(atomic_load(&h.ok), 1000);
    ASSERT_EQ_INT(atomic_load(&h.wrong_wait), 0);
    ASSERT_EQ_INT(limiter_peek(l, k, 1000, T0), 60);
    limiter_free(l);
}

/* Eight threads over many keys: every key lets exactly `limit` through. */
static void
test_concurrent_many_keys(void)
{
    enum { KEYS = 256, LIMIT = 50 };
    struct limiter *l = make(1 << 16, MINUTE_MS);
    uint64_t keys[KEYS];
    for (uint32_t i = 0; i < KEYS; i++)
        keys[i] = limiter_key(l, 'm', &i, sizeof(i));
    struct hammer h = {.l = l, .keys = keys, .nkeys = KEYS, .rounds = 20, .limit = LIMIT};
    run_hammer(&h);
    ASSERT_EQ_INT(atomic_load(&h.ok), KEYS * LIMIT);
    ASSERT_EQ_INT(atomic_load(&h.wrong_wait), 0);
    int not_full = 0;
    for (int i = 0; i < KEYS; i++)
        not_full += limiter_peek(l, keys[i], LIMIT, T0) != 60;
    ASSERT_EQ_INT(not_full, 0);
    limiter_free(l);
}

/* Two limiters share nothing: counts, windows, or the lock-free state of peek. */
static void
test_independent(void)
{
    struct limiter *a = make(1024, MINUTE_MS), *b = make(1024, 1000);
    uint64_t k = key_of(a, "shared");
    ASSERT_EQ_INT(take_n(a, k, 2, 2, T0), 2);
    ASSERT_EQ_INT(limiter_peek(a, k, 2, T0), 60);
    ASSERT_EQ_INT(limiter_peek(b, k, 2, T0), 0);
    ASSERT_EQ_INT(take_n(b, k, 2, 3, T0), 2);
    ASSERT_EQ_INT(limiter_peek(b, k, 2, T0 + 500), 1);
    ASSERT_EQ_INT(limiter_peek(b, k, 2, T0 + 1000), 0);
    ASSERT_EQ_INT(limiter_peek(a, k, 2, T0 + 1000), 59);
    limiter_forget(b, k);
    ASSERT_EQ_INT(limiter_peek(a, k, 2, T0 + 1000), 59);
    limiter_free(a);
    limiter_free(b);
}

int
main(void)
{
    RUN(test_new);
    RUN(test_limit_exact);
    RUN(test_anchored);
    RUN(test_unlimited);
    RUN(test_peek);
    RUN(test_refund);
    RUN(test_forget);
    RUN(test_keys);
    RUN(test_addresses);
    RUN(test_replacement);
    RUN(test_flood);
    RUN(test_concurrent_one_key);
    RUN(test_concurrent_many_keys);
    RUN(test_independent);
    return harness_done();
}
