/* SPDX-License-Identifier: MIT */
/*
 * accounts.h: per-account runtime state shared by the request threads: the account's name and
 * the cached body of GET /dev/v1/projects. (Rate limits are counted by the limiter,
 * service/limiter.h.)
 *
 * Entries are created on first use and live until accounts_free(), so a pointer to one stays
 * valid for the life of the registry.
 */
#ifndef RA_SERVER_SERVICE_ACCOUNTS_H
#define RA_SERVER_SERVICE_ACCOUNTS_H

#include "store/store.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* One project of a cached list: where its object lies in the body, and what filters match. */
struct cached_project {
    size_t off, len;
    char id[STORE_PROJECT_ID_MAX + 1];
    char *name; /* owned */
};

/* The cached {"projects":[...]} body of an account and its projects, in order. */
struct project_cache {
    char *json; /* NULL when nothing is cached */
    size_t len;
    struct cached_project *items; /* owned, with their names */
    size_t n;
};

struct acct {
    int64_t id;
    /* The account's name, recorded once (names never change) before any credential of the
     * account is published in the credential table (service/credtab.c); NULL until then. */
    _Atomic(const char *) name;
    pthread_mutex_t lock; /* guards everything below */
    struct project_cache projects;
    uint64_t gen;      /* bumped by every invalidation */
    struct acct *next; /* registry chain */
};

struct accounts;

/* An empty registry. 0 or -ENOMEM. */
int accounts_new(struct accounts **out);
void accounts_free(struct accounts *r);

/* The state of account `id`, created if needed; NULL only when out of memory. */
struct acct *accounts_get(struct accounts *r, int64_t id);

/* The account's name, or "" while it is not known. Lock-free. */
const char *acct_name(struct acct *a);

/* Record the account's name (copied) unless one is recorded already. 0 or -ENOMEM. */
int acct_set_name(struct acct *a, const char *name);

/*
 * Record the names of the registry's accounts that have none yet, from one listing of the
 * store's accounts (accounts not in the registry are not added). 0 or the store's error.
 */
int accounts_load_names(struct accounts *r, struct store *st);

/* Drop every account's cache (after changes made by another process). */
void accounts_invalidate_all(struct accounts *r);

/* Drop the account's cached project list (after any change to its projects). */
void acct_invalidate(struct acct *a);

/*
 * Run fn over the cached project list, under the account's lock (fn must be quick and must
 * not call back into the account). Returns fn's value, or -ENOENT when nothing is cached
 * (then *gen receives the generation to pass to acct_cache_put).
 */
int acct_cache_with(struct acct *a, int (*fn)(void *ctx, const struct project_cache *c), void *ctx,
                    uint64_t *gen);
/* Store a freshly built list unless the account changed since `gen`. Takes ownership of c's
 * contents (freed at once if not stored). */
void acct_cache_put(struct acct *a, struct project_cache *c, uint64_t gen);
/* Free what a project_cache owns and empty it. */
void project_cache_clear(struct project_cache *c);

#endif
