/* SPDX-License-Identifier: MIT */
/*
 * alloc.c: allocation wrappers with a failure-injection hook for tests and a secret wipe.
 */
#include "common/alloc.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong fail_countdown;

static int
should_fail(void)
{
    unsigned long cur = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (cur == 0)
        return 0;
    cur = atomic_fetch_sub(&fail_countdown, 1);
    return cur == 1;
}

void
ra_alloc_fail_at(unsigned long nth)
{
    atomic_store(&fail_countdown, nth);
}

void *
ra_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *
ra_calloc(size_t count, size_t n)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, n ? n : 1);
}

void *
ra_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *
ra_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = ra_malloc(len + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *
ra_strdup(const char *s)
{
    return ra_strndup(s, strlen(s));
}

void
ra_free(void *p)
{
    free(p);
}

void
ra_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        sodium_memzero(p, n);
}

void
ra_free_secret(void *p, size_t n)
{
    if (p == NULL)
        return;
    ra_wipe(p, n);
    free(p);
}
