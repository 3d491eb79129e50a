/* SPDX-License-Identifier: MIT */
/*
 * throttle.c: a set-associative table of (address, window, failures) under striped locks.
 */
#include "auth/throttle.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#define WINDOW_S 60
#define BUCKETS 1024
#define WAYS 4
#define STRIPES 64

struct entry {
    unsigned char addr[16];
    int64_t window; /* start of the minute; 0 = empty */
    long failures;
};

static struct entry table[BUCKETS][WAYS];
static pthread_mutex_t stripes[STRIPES] = {[0 ... STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER};
/* Failures recorded in the current process lifetime; while 0, checks are free. */
static atomic_long any_failures;

/* Canonical 16-byte form of the client address (IPv4 as v4-mapped). False if unknown. */
static bool
addr_key(const struct sockaddr *sa, unsigned char out[16])
{
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

static size_t
bucket_of(const unsigned char key[16])
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 1099511628211ull;
    return (size_t)(h % BUCKETS);
}

int
throttle_check(const struct sockaddr *sa, long limit, int64_t now_s)
{
    unsigned char key[16];
    if (limit <= 0 || atomic_load_explicit(&any_failures, memory_order_relaxed) == 0 ||
        !addr_key(sa, key))
        return 0;
    size_t b = bucket_of(key);
    int64_t window = now_s - now_s % WINDOW_S;
    int wait = 0;
    pthread_mutex_lock(&stripes[b % STRIPES]);
    for (int w = 0; w < WAYS; w++) {
        struct entry *e = &table[b][w];
        if (e->window == window && memcmp(e->addr, key, 16) == 0 && e->failures >= limit)
            wait = (int)(window + WINDOW_S - now_s);
    }
    pthread_mutex_unlock(&stripes[b % STRIPES]);
    return wait > 0 ? wait : 0;
}

void
throttle_fail(const struct sockaddr *sa, int64_t now_s)
{
    unsigned char key[16];
    if (!addr_key(sa, key))
        return;
    atomic_fetch_add_explicit(&any_failures, 1, memory_order_relaxed);
    size_t b = bucket_of(key);
    int64_t window = now_s - now_s % WINDOW_S;
    pthread_mutex_lock(&stripes[b % STRIPES]);
    struct entry *victim = &table[b][0];
    for (int w = 0; w < WAYS; w++) {
        struct entry *e = &table[b][w];
        if (memcmp(e->addr, key, 16) == 0 && e->window != 0) {
            victim = e;
            break;
        }
        if (e->window < victim->window)
            victim = e;
    }
    if (memcmp(victim->addr, key, 16) != 0 || victim->window != window) {
        memcpy(victim->addr, key, 16);
        victim->window = window;
        victim->failures = 0;
    }
    victim->failures++;
    pthread_mutex_unlock(&stripes[b % STRIPES]);
}
