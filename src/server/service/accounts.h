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

struct acct {
    int64_t id;
    /* The account's name, recorded once (names never change) before any credential of the
     * account is published in the credential table (service/credtab.c); NULL until then. */
    _Atomic(const char *) name;
    pthread_mutex_t lock; /* guards everything below */
    char *projects_json;  /* cached list body, NULL when stale */
    size_t projects_len;
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
 * Copy the cached project list into a new buffer (ra_free) at *out. Returns 0, -ENOENT when
 * nothing is cached (then *gen receives the generation to pass to acct_cache_put), or -ENOMEM.
 */
int acct_cache_get(struct acct *a, char **out, size_t *len, uint64_t *gen);
/* Store a freshly built list unless the account changed since `gen`. Takes ownership. */
void acct_cache_put(struct acct *a, char *json, size_t len, uint64_t gen);

#endif
