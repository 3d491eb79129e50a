/* SPDX-License-Identifier: MIT */
/*
 * acct.h: per-account runtime state shared by the request threads: the rate-limit windows and
 * the cached body of GET /dev/v1/projects.
 *
 * Entries are created on first use and live until acct_registry_free() at exit, so a pointer
 * to one stays valid for the life of the process.
 */
#ifndef RA_SERVER_ACCT_H
#define RA_SERVER_ACCT_H

#include "router.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct acct {
    int64_t id;
    pthread_mutex_t lock;           /* guards everything below */
    int64_t rl_window[ROUTE_COUNT]; /* the second each counter belongs to */
    long rl_count[ROUTE_COUNT];
    char *projects_json; /* cached list body, NULL when stale */
    size_t projects_len;
    uint64_t gen;      /* bumped by every invalidation */
    struct acct *next; /* registry chain */
};

/* The state of account `id`, created if needed; NULL only when out of memory. */
struct acct *acct_get(int64_t id);

/*
 * Count one request of `route` in the current second. Returns 0 if it is within `limit`
 * (limit 0 = unlimited), else -EBUSY (answer 429).
 */
int acct_rate_take(struct acct *a, enum route route, long limit, int64_t now_s);

/* Drop the account's cached project list (after any change to its projects). */
void acct_invalidate(struct acct *a);
/* Drop every account's cache (after changes made by another process). */
void acct_invalidate_all(void);

/*
 * Copy the cached project list into a new buffer (ra_free) at *out. Returns 0, -ENOENT when
 * nothing is cached (then *gen receives the generation to pass to acct_cache_put), or -ENOMEM.
 */
int acct_cache_get(struct acct *a, char **out, size_t *len, uint64_t *gen);
/* Store a freshly built list unless the account changed since `gen`. Takes ownership. */
void acct_cache_put(struct acct *a, char *json, size_t len, uint64_t gen);

void acct_registry_free(void);

#endif
