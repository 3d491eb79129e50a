/* SPDX-License-Identifier: MIT */
/*
 * acct.c: the account registry (a small chained hash table under one mutex, touched only when
 * the credential table is rebuilt) and the per-account rate limit and project-list cache.
 */
#include "acct.h"

#include "common/alloc.h"

#include <errno.h>
#include <string.h>

#define REGISTRY_BUCKETS 1024

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct acct *registry[REGISTRY_BUCKETS];

struct acct *
acct_get(int64_t id)
{
    size_t b = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 54) % REGISTRY_BUCKETS;
    pthread_mutex_lock(&registry_lock);
    struct acct *a = registry[b];
    while (a != NULL && a->id != id)
        a = a->next;
    if (a == NULL) {
        a = ra_calloc(1, sizeof(*a));
        if (a != NULL) {
            a->id = id;
            pthread_mutex_init(&a->lock, NULL);
            a->next = registry[b];
            registry[b] = a;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return a;
}

int
acct_rate_take(struct acct *a, enum route route, long limit, int64_t now_s)
{
    if (limit <= 0)
        return 0;
    int rc = 0;
    pthread_mutex_lock(&a->lock);
    if (a->rl_window[route] != now_s) {
        a->rl_window[route] = now_s;
        a->rl_count[route] = 0;
    }
    if (a->rl_count[route] >= limit)
        rc = -EBUSY;
    else
        a->rl_count[route]++;
    pthread_mutex_unlock(&a->lock);
    return rc;
}

/* Drop the cache; the caller holds a->lock. */
static void
invalidate_locked(struct acct *a)
{
    ra_free(a->projects_json);
    a->projects_json = NULL;
    a->projects_len = 0;
    a->gen++;
}

void
acct_invalidate(struct acct *a)
{
    pthread_mutex_lock(&a->lock);
    invalidate_locked(a);
    pthread_mutex_unlock(&a->lock);
}

void
acct_invalidate_all(void)
{
    pthread_mutex_lock(&registry_lock);
    for (size_t b = 0; b < REGISTRY_BUCKETS; b++)
        for (struct acct *a = registry[b]; a != NULL; a = a->next)
            acct_invalidate(a);
    pthread_mutex_unlock(&registry_lock);
}

int
acct_cache_get(struct acct *a, char **out, size_t *len, uint64_t *gen)
{
    int rc = 0;
    pthread_mutex_lock(&a->lock);
    if (a->projects_json == NULL) {
        *gen = a->gen;
        rc = -ENOENT;
    } else {
        *out = ra_malloc(a->projects_len);
        if (*out == NULL) {
            rc = -ENOMEM;
        } else {
            memcpy(*out, a->projects_json, a->projects_len);
            *len = a->projects_len;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

void
acct_cache_put(struct acct *a, char *json, size_t len, uint64_t gen)
{
    pthread_mutex_lock(&a->lock);
    if (a->gen == gen && a->projects_json == NULL) {
        a->projects_json = json;
        a->projects_len = len;
        json = NULL;
    }
    pthread_mutex_unlock(&a->lock);
    ra_free(json);
}

void
acct_registry_free(void)
{
    pthread_mutex_lock(&registry_lock);
    for (size_t b = 0; b < REGISTRY_BUCKETS; b++) {
        struct acct *a = registry[b];
        while (a != NULL) {
            struct acct *next = a->next;
            ra_free(a->projects_json);
            pthread_mutex_destroy(&a->lock);
            ra_free(a);
            a = next;
        }
        registry[b] = NULL;
    }
    pthread_mutex_unlock(&registry_lock);
}
