/* SPDX-License-Identifier: MIT */
/*
 * alloc.h: the one place where restauth allocates memory.
 *
 * Every allocation in the project goes through these wrappers so that tests can make the
 * Nth allocation fail and so that secrets are wiped before their memory is returned.
 * None of them aborts: a failure returns NULL and the caller reports RA_ENOMEM.
 */
#ifndef RA_COMMON_ALLOC_H
#define RA_COMMON_ALLOC_H

#include <stddef.h>

void *ra_malloc(size_t n);
void *ra_calloc(size_t count, size_t n);
void *ra_realloc(void *p, size_t n);
char *ra_strdup(const char *s);
char *ra_strndup(const char *s, size_t n);
void ra_free(void *p);

/* Overwrite n bytes at p in a way the compiler cannot elide. */
void ra_wipe(void *p, size_t n);

/* Wipe n bytes at p, then free p. Accepts NULL. */
void ra_free_secret(void *p, size_t n);

/* Test hook: make the allocation numbered `nth` (1-based, counted from now) fail; 0 disables. */
void ra_alloc_fail_at(unsigned long nth);

#endif
