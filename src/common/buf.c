/* SPDX-License-Identifier: MIT */
/*
 * buf.c: bounded growable buffer.
 */
#include "common/buf.h"

#include "common/alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
ra_buf_init(struct ra_buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void
ra_buf_init_secret(struct ra_buf *b, size_t max)
{
    ra_buf_init(b, max);
    b->secret = true;
}

void
ra_buf_init_storage(struct ra_buf *b, char *storage, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->data = storage;
    b->cap = cap;
    b->max = cap > 0 ? cap - 1 : 0;
    b->borrowed = true;
    b->failed = cap == 0;
    if (cap > 0)
        storage[0] = '\0';
}

void
ra_buf_cleanup(struct ra_buf *b)
{
    if (!b->borrowed && b->secret)
        ra_free_secret(b->data, b->cap);
    else if (!b->borrowed)
        ra_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
    b->borrowed = false;
    b->secret = false;
}

/* Make room for n more bytes plus a NUL. Returns 0, or -ENOSPC / -ENOMEM (and marks failed). */
static int
reserve(struct ra_buf *b, size_t n)
{
    if (b->failed)
        return -ENOSPC;
    if (n > b->max || b->len > b->max - n) {
        b->failed = true;
        return -ENOSPC;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = b->secret ? ra_malloc(cap) : ra_realloc(b->data, cap);
    if (p == NULL) {
        b->failed = true;
        return -ENOMEM;
    }
    if (b->secret && b->data != NULL) {
        memcpy(p, b->data, b->len + 1);
        ra_free_secret(b->data, b->cap);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int
ra_buf_append_grow(struct ra_buf *b, const void *p, size_t n)
{
    int rc = reserve(b, n);
    if (rc < 0)
        return rc;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int
ra_buf_put_int(struct ra_buf *b, int64_t v)
{
    char digits[24];
    size_t at = sizeof(digits);
    uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[--at] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (v < 0)
        digits[--at] = '-';
    return ra_buf_append(b, digits + at, sizeof(digits) - at);
}

int
ra_buf_printf(struct ra_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    if ((size_t)n < sizeof(tmp))
        return ra_buf_append(b, tmp, (size_t)n);
    int rc = reserve(b, (size_t)n);
    if (rc < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *
ra_buf_steal(struct ra_buf *b, size_t *len)
{
    if (b->borrowed)
        return NULL;
    if (b->failed) {
        ra_buf_cleanup(b);
        return NULL;
    }
    if (b->data == NULL) {
        if (reserve(b, 0) < 0)
            return NULL;
        b->data[0] = '\0';
    }
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
