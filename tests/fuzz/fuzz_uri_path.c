/* SPDX-License-Identifier: MIT */
/*
 * fuzz_uri_path.c: libFuzzer target for uri_clean_path (server/request/uri.c).
 *
 * Besides memory safety, it aborts when a promise breaks: a result starts with "/", fits its
 * buffer with its NUL at its length, holds no empty, "." or ".." segment, no "%" that starts no
 * escape, no escape of an unreserved character and no lower-case escape; cleaning it again
 * changes nothing; and a
 * target in origin form is never refused (only a lack of room may fail it).
 */
#include "request/uri.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
    if (!ok)
        abort();
}

static int
hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* Every segment of p[0..n) (p starts with "/"), with the escapes it holds, is canonical. */
static void
check_segments(const char *p, size_t n)
{
    size_t i = 1;
    while (i < n) {
        size_t s = i;
        while (i < n && p[i] != '/')
            i++;
        size_t seg = i - s;
        check(seg > 0 || i == n);
        check(!(seg == 1 && p[s] == '.') && !(seg == 2 && p[s] == '.' && p[s + 1] == '.'));
        i++;
    }
    for (size_t k = 0; k < n; k++) {
        if (p[k] != '%')
            continue;
        check(k + 2 < n && hex(p[k + 1]) && hex(p[k + 2])); /* every "%" starts an escape */
        check(!(p[k + 1] >= 'a' && p[k + 1] <= 'f') && !(p[k + 2] >= 'a' && p[k + 2] <= 'f'));
        int v = (int)strtol((char[]){p[k + 1], p[k + 2], '\0'}, NULL, 16);
        check(!((v >= 'A' && v <= 'Z') || (v >= 'a' && v <= 'z') || (v >= '0' && v <= '9') ||
                v == '-' || v == '.' || v == '_' || v == '~'));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[512], again[512];
    size_t cap = size > 0 ? 2 + data[0] % (sizeof(out) - 2) : sizeof(out);
    const char *target = size > 0 ? (const char *)data + 1 : "";
    size_t len = size > 0 ? size - 1 : 0;
    if (memchr(target, '\0', len) != NULL)
        return 0; /* header values hold no NUL */
    int n = uri_clean_path(target, len, out, cap);
    if (n < 0) {
        check(n == -EINVAL || n == -ENAMETOOLONG);
        check(n != -EINVAL || len == 0 || target[0] != '/');
        return 0;
    }
    check((size_t)n < cap && out[n] == '\0' && strlen(out) == (size_t)n && out[0] == '/');
    check_segments(out, (size_t)n);
    int m = uri_clean_path(out, (size_t)n, again, sizeof(again));
    check(m == n && memcmp(out, again, (size_t)n + 1) == 0);
    return 0;
}
