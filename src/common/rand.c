/* SPDX-License-Identifier: MIT */
/*
 * rand.c: random hex and alphanumeric strings over libsodium's randombytes.
 */
#include "common/rand.h"

#include <sodium.h>

int
ra_rand_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void
ra_rand_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[64];
    while (nbytes > 0) {
        size_t n = nbytes < sizeof(b) ? nbytes : sizeof(b);
        randombytes_buf(b, n);
        for (size_t i = 0; i < n; i++) {
            *out++ = hex[b[i] >> 4];
            *out++ = hex[b[i] & 15];
        }
        nbytes -= n;
    }
    sodium_memzero(b, sizeof(b));
    *out = '\0';
}

void
ra_rand_alnum(char *out, size_t n)
{
    static const char set[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (size_t i = 0; i < n; i++)
        out[i] = set[randombytes_uniform(sizeof(set) - 1)];
    out[n] = '\0';
}
