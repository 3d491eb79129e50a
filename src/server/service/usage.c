/* SPDX-License-Identifier: MIT */
/*
 * usage.c: striped open-addressing tables of (pair, endpoint, hour) -> count.
 */
#include "service/usage.h"

#include "common/alloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

struct counter {
    char id[STORE_HEX32 + 1]; /* "" = empty slot */
    char endpoint[STORE_ENDPOINT_MAX + 1];
    int64_t hour;
    int64_t count;
};

struct stripe {
    pthread_mutex_t lock;
    struct counter *slots; /* NULL until the first count */
    size_t cap;            /* a power of two, or 0 */
    size_t n;
};

struct usage {
    struct stripe stripes[USAGE_STRIPES];
    _Atomic uint64_t dropped;
};

int
usage_new(struct usage **out)
{
    struct usage *u = ra_calloc(1, sizeof(*u));
    if (u == NULL)
        return -ENOMEM;
    for (int i = 0; i < USAGE_STRIPES; i++)
        pthread_mutex_init(&u->stripes[i].lock, NULL);
    *out = u;
    return 0;
}

void
usage_free(struct usage *u)
{
    if (u == NULL)
        return;
    for (int i = 0; i < USAGE_STRIPES; i++) {
        ra_free(u->stripes[i].slots);
        pthread_mutex_destroy(&u->stripes[i].lock);
    }
    ra_free(u);
}

/* FNV-1a of the counter's key, for its place inside a stripe. */
static size_t
slot_hash(const char *id, const char *endpoint, int64_t hour)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = endpoint; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (size_t)((h ^ (uint64_t)hour) * 1099511628211ull);
}

/* The slot of the key in s (empty when new), growing the table first when it is half full;
 * NULL when it cannot grow. The caller holds s->lock. */
static struct counter *
slot_of(struct stripe *s, const char *id, const char *endpoint, int64_t hour)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        if (cap > 2 * (size_t)USAGE_STRIPE_MAX)
            return NULL;
        struct counter *grown = ra_calloc(cap, sizeof(*grown));
        if (grown == NULL)
            return NULL;
        for (size_t i = 0; i < s->cap; i++) {
            struct counter *c = &s->slots[i];
            if (c->id[0] == '\0')
                continue;
            size_t k = slot_hash(c->id, c->endpoint, c->hour) & (cap - 1);
            while (grown[k].id[0] != '\0')
                k = (k + 1) & (cap - 1);
            grown[k] = *c;
        }
        ra_free(s->slots);
        s->slots = grown;
        s->cap = cap;
    }
    size_t k = slot_hash(id, endpoint, hour) & (s->cap - 1);
    for (;; k = (k + 1) & (s->cap - 1)) {
        struct counter *c = &s->slots[k];
        if (c->id[0] == '\0' ||
            (c->hour == hour && strcmp(c->id, id) == 0 && strcmp(c->endpoint, endpoint) == 0))
            return c;
    }
}

/* The stripe of a pair's counters: every counter of a pair is in the same one. The pair's
 * hash comes from its ID alone (only verified IDs are counted, so nobody picks them). */
static struct stripe *
stripe_of(struct usage *u, const char *id, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ull;
    return &u->stripes[(h >> 32) % USAGE_STRIPES];
}

/* Add n to the counter of (id, endpoint, hour). */
static void
add(struct usage *u, const char *id, const char *endpoint, int64_t hour, int64_t n)
{
    char ep[STORE_ENDPOINT_MAX + 1];
    size_t len = strnlen(id, STORE_HEX32 + 1);
    if (len == 0 || len > STORE_HEX32)
        return;
    size_t ep_len = endpoint != NULL ? strnlen(endpoint, STORE_ENDPOINT_MAX) : 0;
    memcpy(ep, endpoint != NULL ? endpoint : "", ep_len);
    ep[ep_len] = '\0';
    struct stripe *s = stripe_of(u, id, len);
    pthread_mutex_lock(&s->lock);
    struct counter *c = slot_of(s, id, ep, hour);
    if (c != NULL && c->id[0] == '\0') {
        memcpy(c->id, id, len + 1);
        memcpy(c->endpoint, ep, sizeof(ep));
        c->hour = hour;
        s->n++;
    }
    if (c != NULL)
        c->count += n;
    pthread_mutex_unlock(&s->lock);
    if (c == NULL)
        atomic_fetch_add(&u->dropped, (uint64_t)n);
}

void
usage_count(struct usage *u, const char *customer_id, const char *endpoint, int64_t now)
{
    if (u != NULL)
        add(u, customer_id, endpoint, now - now % 3600, 1);
}

/* Write the n counters of taken[] in batches; on failure put the rest back. */
static int
write_taken(struct usage *u, struct store *st, const struct counter *taken, size_t n)
{
    enum { BATCH = 256 };
    struct store_usage batch[BATCH];
    int rc = 0;
    for (size_t i = 0; i < n; i += BATCH) {
        size_t m = n - i < BATCH ? n - i : BATCH;
        for (size_t k = 0; k < m; k++) {
            const struct counter *c = &taken[i + k];
            memcpy(batch[k].customer_id, c->id, sizeof(c->id));
            memcpy(batch[k].endpoint, c->endpoint, sizeof(c->endpoint));
            batch[k].hour = c->hour;
            batch[k].count = c->count;
        }
        if (rc == 0)
            rc = st->ops->usage_add(st->priv, batch, m);
        for (size_t k = 0; rc < 0 && k < m; k++)
            add(u, taken[i + k].id, taken[i + k].endpoint, taken[i + k].hour, taken[i + k].count);
    }
    return rc;
}

int
usage_flush(struct usage *u, struct store *st)
{
    int rc = 0;
    for (int i = 0; u != NULL && i < USAGE_STRIPES; i++) {
        struct stripe *s = &u->stripes[i];
        pthread_mutex_lock(&s->lock);
        struct counter *slots = s->slots;
        size_t cap = s->cap;
        s->slots = NULL;
        s->cap = s->n = 0;
        pthread_mutex_unlock(&s->lock);
        size_t n = 0;
        for (size_t k = 0; k < cap; k++) /* pack the used slots at the front */
            if (slots[k].id[0] != '\0')
                slots[n++] = slots[k];
        int w = write_taken(u, st, slots, n);
        if (w < 0 && rc == 0)
            rc = w;
        ra_free(slots);
    }
    return rc;
}

void
usage_pending(struct usage *u, const char *customer_id, int64_t first_day, int64_t days[USAGE_DAYS])
{
    size_t len = strnlen(customer_id, STORE_HEX32 + 1);
    if (u == NULL || len == 0 || len > STORE_HEX32)
        return;
    struct stripe *s = stripe_of(u, customer_id, len);
    pthread_mutex_lock(&s->lock);
    for (size_t k = 0; k < s->cap; k++) {
        const struct counter *c = &s->slots[k];
        int64_t d = (c->hour - first_day) / 86400;
        if (c->id[0] != '\0' && c->hour >= first_day && d < USAGE_DAYS &&
            strcmp(c->id, customer_id) == 0)
            days[d] += c->count;
    }
    pthread_mutex_unlock(&s->lock);
}

uint64_t
usage_dropped(struct usage *u)
{
    return atomic_load(&u->dropped);
}
