/* SPDX-License-Identifier: MIT */
/*
 * buf.h: a growable byte buffer with a hard maximum size fixed at init.
 *
 * Appending past the maximum fails (and marks the buffer as failed) rather than growing
 * without bound; once failed, further appends are no-ops, so callers may check once at the end.
 */
#ifndef RA_COMMON_BUF_H
#define RA_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ra_buf {
    char *data; /* NUL-terminated while not failed */
    size_t len;
    size_t cap;
    size_t max;    /* hard limit on len */
    bool failed;   /* an append hit the limit or ran out of memory */
    bool borrowed; /* data is the caller's storage: never grown or freed */
    bool secret;   /* wipe every block before it is released (growth, cleanup) */
};

/* Prepare an empty buffer that may hold at most max bytes. Allocates lazily. */
void ra_buf_init(struct ra_buf *b, size_t max);
/* Like ra_buf_init, for data that may hold a secret: a block is wiped before it is freed,
 * when the buffer grows as when it is cleaned up. */
void ra_buf_init_secret(struct ra_buf *b, size_t max);
/* Prepare an empty buffer over the caller's storage (cap bytes, so at most cap - 1 bytes of
 * data plus the NUL). It never allocates; ra_buf_steal() on it returns NULL. */
void ra_buf_init_storage(struct ra_buf *b, char *storage, size_t cap);
/* Free the storage (unless borrowed; wiped first when secret) and reset to empty. */
void ra_buf_cleanup(struct ra_buf *b);
/* ra_buf_append when the bytes do not fit as it is: grow first (or fail). */
int ra_buf_append_grow(struct ra_buf *b, const void *p, size_t n);

/* Append n bytes of p. Returns 0, or -ENOSPC (past the maximum, or failed before) / -ENOMEM,
 * and then the buffer is failed. Inline: it runs for every piece of every reply. */
static inline int
ra_buf_append(struct ra_buf *b, const void *p, size_t n)
{
    /* Fits with its NUL, below the maximum: cap - len does not wrap (len < cap once there is
     * data, and both are 0 before). */
    if (b->failed || n >= b->cap - b->len || b->len + n > b->max)
        return ra_buf_append_grow(b, p, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static inline int
ra_buf_puts(struct ra_buf *b, const char *s)
{
    return ra_buf_append(b, s, strlen(s));
}

static inline int
ra_buf_putc(struct ra_buf *b, char c)
{
    return ra_buf_append(b, &c, 1);
}

/* Append v in decimal (a '-' first when negative), without printf: numbers are written into
 * every reply head and log line. */
int ra_buf_put_int(struct ra_buf *b, int64_t v);
int ra_buf_printf(struct ra_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take ownership of the data (free with ra_free); the buffer is reset. NULL if failed. */
char *ra_buf_steal(struct ra_buf *b, size_t *len);

#endif
