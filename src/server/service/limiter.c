/* SPDX-License-Identifier: MIT */
/*
 * limiter.c: a fixed set-associative table of (key, window end, count) entries under striped
 * mutexes, with per-limiter random hash keys.
 *
 * Invariants, all under the stripe lock of the bucket:
 *   - an entry is empty when its key is 0; a key stands in at most one way of its bucket;
 *   - a non-empty entry holds a window that opened at end_ms - window_ms and at least one unit
 *     (refunding the last unit empties the entry);
 *   - the window is live while now_ms < end_ms; an entry whose window has ended counts for
 *     nothing and is the first to be replaced (it ends before every live one).
 * `counted` turns true the first time any window opens and never turns back, so that
 * limiter_peek() can answer without a lock while nothing was ever counted.
 */
#include "service/limiter.h"

#include "common/alloc.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#define WAYS 4
#define STRIPES_MAX 256
/* Data up to this many bytes (the kind byte included) is hashed from a stack copy. */
#define INLINE_MAX 256
#define CACHE_LINE 64

struct entry {
    uint64_t key;   /* 0 = empty */
    int64_t end_ms; /* the first millisecond after the window */
    long count;     /* units taken in the window, >= 1 when key != 0 */
};

/* One mutex per cache line, so that threads on neighbouring stripes do not slow each other. */
union stripe {
    pthread_mutex_t lock;
    unsigned char pad[CACHE_LINE];
};
_Static_assert(sizeof(pthread_mutex_t) <= CACHE_LINE, "a stripe holds one mutex");

struct limiter {
    unsigned char sip_key[crypto_shorthash_KEYBYTES];
    unsigned char long_key[crypto_generichash_KEYBYTES];
    int64_t window_ms;
    size_t bucket_mask; /* buckets - 1, buckets a power of two */
    size_t stripe_mask; /* stripes - 1, stripes a power of two dividing buckets */
    atomic_bool counted;
    struct entry *table; /* buckets * WAYS entries, bucket b at table[b * WAYS] */
    union stripe *stripes;
};

/* The smallest power of two >= n (n >= 1, n <= SIZE_MAX / 2). */
static size_t
pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Allocate the table and initialise the stripe mutexes; 0 or -ENOMEM (nothing left over). */
static int
alloc_table(struct limiter *l, size_t buckets, size_t stripes)
{
    l->table = ra_calloc(buckets * WAYS, sizeof(*l->table));
    l->stripes = ra_calloc(stripes, sizeof(*l->stripes));
    size_t ready = 0;
    if (l->table != NULL && l->stripes != NULL)
        while (ready < stripes && pthread_mutex_init(&l->stripes[ready].lock, NULL) == 0)
            ready++;
    if (ready == stripes)
        return 0;
    while (ready > 0)
        pthread_mutex_destroy(&l->stripes[--ready].lock);
    ra_free(l->table);
    ra_free(l->stripes);
    return -ENOMEM;
}

int
limiter_new(size_t slots, int64_t window_ms, struct limiter **out)
{
    if (slots == 0 || slots > LIMITER_SLOTS_MAX || window_ms <= 0 ||
        window_ms > (int64_t)INT_MAX * 1000)
        return -EINVAL;
    if (sodium_init() < 0)
        return -EIO;
    struct limiter *l = ra_calloc(1, sizeof(*l));
    if (l == NULL)
        return -ENOMEM;
    size_t buckets = pow2_at_least((slots + WAYS - 1) / WAYS);
    size_t stripes = buckets < STRIPES_MAX ? buckets : STRIPES_MAX;
    if (alloc_table(l, buckets, stripes) < 0) {
        ra_free(l);
        return -ENOMEM;
    }
    randombytes_buf(l->sip_key, sizeof(l->sip_key));
    randombytes_buf(l->long_key, sizeof(l->long_key));
    l->window_ms = window_ms;
    l->bucket_mask = buckets - 1;
    l->stripe_mask = stripes - 1;
    atomic_init(&l->counted, false);
    *out = l;
    return 0;
}

void
limiter_free(struct limiter *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i <= l->stripe_mask; i++)
        pthread_mutex_destroy(&l->stripes[i].lock);
    ra_free(l->stripes);
    ra_free(l->table);
    ra_free_secret(l, sizeof(*l));
}

size_t
limiter_slots(const struct limiter *l)
{
    return (l->bucket_mask + 1) * WAYS;
}

uint64_t
limiter_key(const struct limiter *l, char kind, const void *data, size_t len)
{
    unsigned char h[crypto_generichash_BYTES_MIN];
    if (len < INLINE_MAX) {
        unsigned char buf[INLINE_MAX];
        buf[0] = (unsigned char)kind;
        if (len > 0)
            memcpy(buf + 1, data, len);
        crypto_shorthash(h, buf, len + 1, l->sip_key);
    } else {
        crypto_generichash_state st;
        crypto_generichash_init(&st, l->long_key, sizeof(l->long_key), sizeof(h));
        crypto_generichash_update(&st, (const unsigned char *)&kind, 1);
        crypto_generichash_update(&st, data, len);
        crypto_generichash_final(&st, h, sizeof(h));
        ra_wipe(&st, sizeof(st));
    }
    uint64_t k;
    memcpy(&k, h, sizeof(k));
    return k != 0 ? k : 1;
}

bool
limiter_addr_bytes(const struct sockaddr *sa, unsigned char out[16])
{
    static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        memcpy(out, v4_mapped, sizeof(v4_mapped));
        memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out, ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, 16);
        return true;
    }
    return false;
}

uint64_t
limiter_addr_key(const struct limiter *l, const struct sockaddr *sa)
{
    static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    unsigned char a[16];
    if (!limiter_addr_bytes(sa, a))
        return 0;
    if (memcmp(a, v4_mapped, sizeof(v4_mapped)) == 0)
        return limiter_key(l, LIMITER_KIND_ADDR, a + 12, 4);
    return limiter_key(l, LIMITER_KIND_ADDR, a, 8); /* the /64 prefix */
}

/* Lock the stripe of key's bucket and return the bucket's first way; *lock receives the mutex
 * to unlock. */
static struct entry *
lock_bucket(struct limiter *l, uint64_t key, pthread_mutex_t **lock)
{
    size_t b = (size_t)key & l->bucket_mask;
    *lock = &l->stripes[b & l->stripe_mask].lock;
    pthread_mutex_lock(*lock);
    return &l->table[b * WAYS];
}

/* The way of the bucket holding key, live or not, or NULL. */
static struct entry *
find(struct entry *bucket, uint64_t key)
{
    for (int w = 0; w < WAYS; w++)
        if (bucket[w].key == key)
            return &bucket[w];
    return NULL;
}

/* The way to give a new key: an empty one if any, else the one whose window ends (so also
 * started, all windows being equally long) earliest. Any expired entry ends before every live
 * one, so expired entries are reused before a live count is lost. */
static struct entry *
victim(struct entry *bucket)
{
    struct entry *v = &bucket[0];
    for (int w = 0; w < WAYS; w++) {
        if (bucket[w].key == 0)
            return &bucket[w];
        if (bucket[w].end_ms < v->end_ms)
            v = &bucket[w];
    }
    return v;
}

/* Whole seconds from now_ms to end_ms, rounded up; the caller ensures now_ms < end_ms. The
 * difference is taken in unsigned arithmetic, where it cannot overflow. */
static int
wait_s(int64_t end_ms, int64_t now_ms)
{
    uint64_t ms = (uint64_t)end_ms - (uint64_t)now_ms;
    uint64_t s = ms / 1000 + (ms % 1000 != 0);
    return s > INT_MAX ? INT_MAX : (int)s;
}

int
limiter_take(struct limiter *l, uint64_t key, long limit, int64_t now_ms)
{
    if (limit <= 0 || key == 0)
        return 0;
    int wait = 0;
    pthread_mutex_t *lock;
    struct entry *bucket = lock_bucket(l, key, &lock);
    struct entry *e = find(bucket, key);
    if (e != NULL && now_ms < e->end_ms) {
        if (e->count >= limit)
            wait = wait_s(e->end_ms, now_ms);
        else
            e->count++;
    } else {
        if (e == NULL)
            e = victim(bucket);
        e->key = key;
        e->end_ms = now_ms > INT64_MAX - l->window_ms ? INT64_MAX : now_ms + l->window_ms;
        e->count = 1;
        if (!atomic_load_explicit(&l->counted, memory_order_relaxed))
            atomic_store_explicit(&l->counted, true, memory_order_relaxed);
    }
    pthread_mutex_unlock(lock);
    return wait;
}

int
limiter_peek(struct limiter *l, uint64_t key, long limit, int64_t now_ms)
{
    if (limit <= 0 || key == 0 || !atomic_load_explicit(&l->counted, memory_order_relaxed))
        return 0;
    int wait = 0;
    pthread_mutex_t *lock;
    struct entry *e = find(lock_bucket(l, key, &lock), key);
    if (e != NULL && now_ms < e->end_ms && e->count >= limit)
        wait = wait_s(e->end_ms, now_ms);
    pthread_mutex_unlock(lock);
    return wait;
}

void
limiter_refund(struct limiter *l, uint64_t key, int64_t now_ms)
{
    if (key == 0)
        return;
    pthread_mutex_t *lock;
    struct entry *e = find(lock_bucket(l, key, &lock), key);
    if (e != NULL && now_ms < e->end_ms && e->count > 0 && --e->count == 0)
        *e = (struct entry){.key = 0};
    pthread_mutex_unlock(lock);
}

void
limiter_forget(struct limiter *l, uint64_t key)
{
    if (key == 0)
        return;
    pthread_mutex_t *lock;
    struct entry *e = find(lock_bucket(l, key, &lock), key);
    if (e != NULL)
        *e = (struct entry){.key = 0};
    pthread_mutex_unlock(lock);
}
