/* SPDX-License-Identifier: MIT */
/*
 * signin_limit.c: a set-associative table of (key, window, failures) under one mutex; sign-ins
 * are rare next to REST requests, so one lock is plenty.
 */
#include "console/signin_limit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#define BUCKETS 1024
#define WAYS 4

struct entry {
    uint64_t key;   /* 0 = empty */
    int64_t window; /* start of the window */
    long failures;
};

static struct entry table[BUCKETS][WAYS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static unsigned char sip_key[crypto_shorthash_KEYBYTES];

static void
make_key(void)
{
    randombytes_buf(sip_key, sizeof(sip_key));
}

/* The key of an e-mail ('a' + lowercased) or of an address ('i' + 16 bytes, IPv4-mapped). */
static uint64_t
key_of(char kind, const void *data, size_t len)
{
    unsigned char buf[1 + 256];
    uint64_t k = 0;
    pthread_once(&key_once, make_key);
    if (len > sizeof(buf) - 1)
        len = sizeof(buf) - 1;
    buf[0] = (unsigned char)kind;
    memcpy(buf + 1, data, len);
    if (kind == 'a')
        for (size_t i = 1; i <= len; i++)
            if (buf[i] >= 'A' && buf[i] <= 'Z')
                buf[i] = (unsigned char)(buf[i] - 'A' + 'a');
    crypto_shorthash((unsigned char *)&k, buf, len + 1, sip_key);
    return k == 0 ? 1 : k;
}

static uint64_t
email_key(const char *email)
{
    return key_of('a', email, strlen(email));
}

/* The key of a client address, or 0 when it is unknown. */
static uint64_t
ip_key(const struct sockaddr *sa)
{
    unsigned char a[16] = {0};
    if (sa != NULL && sa->sa_family == AF_INET) {
        a[10] = a[11] = 0xff;
        memcpy(a + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        memcpy(a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    } else {
        return 0;
    }
    return key_of('i', a, sizeof(a));
}

/* The live entry of key in the current window, or NULL; the caller holds the lock. */
static struct entry *
lookup(uint64_t key, int64_t window)
{
    struct entry *b = table[key % BUCKETS];
    for (int w = 0; w < WAYS; w++)
        if (b[w].key == key && b[w].window == window)
            return &b[w];
    return NULL;
}

int
signin_limit_check(const char *email, const struct sockaddr *peer, long account_limit,
                   long ip_limit, int64_t now)
{
    int64_t window = now - now % SIGNIN_WINDOW_S;
    uint64_t ik = ip_key(peer);
    pthread_mutex_lock(&table_lock);
    struct entry *a = lookup(email_key(email), window);
    struct entry *i = ik != 0 ? lookup(ik, window) : NULL;
    bool blocked =
        (a != NULL && a->failures >= account_limit) || (i != NULL && i->failures >= ip_limit);
    pthread_mutex_unlock(&table_lock);
    return blocked ? (int)(window + SIGNIN_WINDOW_S - now) : 0;
}

/* Add one failure to key's entry, replacing the oldest entry of the bucket if needed. */
static void
count(uint64_t key, int64_t window)
{
    struct entry *b = table[key % BUCKETS];
    struct entry *e = lookup(key, window);
    if (e == NULL) {
        e = &b[0];
        for (int w = 0; w < WAYS; w++) {
            if (b[w].key == key) {
                e = &b[w];
                break;
            }
            if (b[w].window < e->window)
                e = &b[w];
        }
        *e = (struct entry){.key = key, .window = window, .failures = 0};
    }
    e->failures++;
}

void
signin_limit_fail(const char *email, const struct sockaddr *peer, int64_t now)
{
    int64_t window = now - now % SIGNIN_WINDOW_S;
    uint64_t ek = email_key(email), ik = ip_key(peer);
    pthread_mutex_lock(&table_lock);
    count(ek, window);
    if (ik != 0)
        count(ik, window);
    pthread_mutex_unlock(&table_lock);
}

void
signin_limit_clear(const char *email)
{
    uint64_t key = email_key(email);
    pthread_mutex_lock(&table_lock);
    struct entry *b = table[key % BUCKETS];
    for (int w = 0; w < WAYS; w++)
        if (b[w].key == key)
            b[w] = (struct entry){0};
    pthread_mutex_unlock(&table_lock);
}
