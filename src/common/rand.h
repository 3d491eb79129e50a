/* SPDX-License-Identifier: MIT */
/*
 * rand.h: identifiers and secrets from the operating system's CSPRNG (libsodium).
 */
#ifndef RA_COMMON_RAND_H
#define RA_COMMON_RAND_H

#include <stddef.h>

/* Must be called once before any other function here; returns 0 or -1. */
int ra_rand_init(void);
/* Fill out[0..2*nbytes) with lowercase hex of nbytes random bytes, NUL-terminated
 * (out must hold 2*nbytes+1). */
void ra_rand_hex(char *out, size_t nbytes);
/* Fill out[0..n) with uniformly random [0-9A-Za-z], NUL-terminated (out holds n+1). */
void ra_rand_alnum(char *out, size_t n);

#endif
