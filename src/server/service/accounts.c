/* SPDX-License-Identifier: MIT */
/*
 * accounts.c: the account registry (a small chained hash table under one mutex, touched only
 * when the credential table is built or a console session names an account), the accounts'
 * names and the per-account project-list cache.
 */
#include "service/accounts.h"

#include "common/alloc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#define REGISTRY_BUCKETS 1024

struct accounts {
    pthread_mutex_t lock;
    struct acct *buckets[REGISTRY_BUCKETS];
};

int
accounts_new(struct accounts **out)
{
    struct accounts *r = ra_calloc(1, sizeof(*r));
    if (r == NULL)
        return -ENOMEM;
    pthread_mutex_init(&r->lock, NULL);
    *out = r;
    return 0;
}

/* The state of account `id`, created if `create` and needed; NULL if absent (or no memory). */
static struct acct *
lookup(struct accounts *r, int64_t id, bool create)
{
    size_t b = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 54) % REGISTRY_BUCKETS;
    pthread_mutex_lock(&r->lock);
    struct acct *a = r->buckets[b];
    while (a != NULL && a->id != id)
        a = a->next;
    if (a == NULL && create) {
        a = ra_calloc(1, sizeof(*a));
        if (a != NULL) {
            a->id = id;
            pthread_mutex_init(&a->lock, NULL);
            a->next = r->buckets[b];
            r->buckets[b] = a;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return a;
}

void
project_cache_clear(struct project_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        ra_free(c->items[i].name);
    ra_free(c->items);
    ra_free(c->json);
    memset(c, 0, sizeof(*c));
}

struct acct *
accounts_get(struct accounts *r, int64_t id)
{
    return lookup(r, id, true);
}

const char *
acct_name(struct acct *a)
{
    const char *name = atomic_load_explicit(&a->name, memory_order_acquire);
    return name != NULL ? name : "";
}

int
acct_set_name(struct acct *a, const char *name)
{
    if (atomic_load_explicit(&a->name, memory_order_acquire) != NULL)
        return 0;
    char *copy = ra_strdup(name);
    if (copy == NULL)
        return -ENOMEM;
    const char *none = NULL;
    if (!atomic_compare_exchange_strong_explicit(&a->name, &none, copy, memory_order_acq_rel,
                                                 memory_order_acquire))
        ra_free(copy); /* another thread recorded it first */
    return 0;
}

/* store_account_fn: record one account's name if the registry holds the account. */
static int
name_one(void *ctx, const struct store_account *sa)
{
    struct acct *a = lookup(ctx, sa->id, false);
    return a != NULL && acct_set_name(a, sa->name) < 0 ? -ENOMEM : 0;
}

int
accounts_load_names(struct accounts *r, struct store *st)
{
    int rc = st->ops->account_list(st->priv, name_one, r);
    return rc > 0 ? -rc : rc;
}

/* Drop the cache; the caller holds a->lock. */
static void
invalidate_locked(struct acct *a)
{
    project_cache_clear(&a->projects);
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
accounts_invalidate_all(struct accounts *r)
{
    pthread_mutex_lock(&r->lock);
    for (size_t b = 0; b < REGISTRY_BUCKETS; b++)
        for (struct acct *a = r->buckets[b]; a != NULL; a = a->next)
            acct_invalidate(a);
    pthread_mutex_unlock(&r->lock);
}

int
acct_cache_with(struct acct *a, int (*fn)(void *ctx, const struct project_cache *c), void *ctx,
                uint64_t *gen)
{
    int rc;
    pthread_mutex_lock(&a->lock);
    if (a->projects.json == NULL) {
        *gen = a->gen;
        rc = -ENOENT;
    } else {
        rc = fn(ctx, &a->projects);
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

void
acct_cache_put(struct acct *a, struct project_cache *c, uint64_t gen)
{
    pthread_mutex_lock(&a->lock);
    if (a->gen == gen && a->projects.json == NULL) {
        a->projects = *c;
        memset(c, 0, sizeof(*c));
    }
    pthread_mutex_unlock(&a->lock);
    project_cache_clear(c);
}

void
accounts_free(struct accounts *r)
{
    if (r == NULL)
        return;
    for (size_t b = 0; b < REGISTRY_BUCKETS; b++) {
        struct acct *a = r->buckets[b];
        while (a != NULL) {
            struct acct *next = a->next;
            project_cache_clear(&a->projects);
            ra_free((char *)atomic_load(&a->name));
            pthread_mutex_destroy(&a->lock);
            ra_free(a);
            a = next;
        }
    }
    pthread_mutex_destroy(&r->lock);
    ra_free(r);
}
