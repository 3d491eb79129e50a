/* SPDX-License-Identifier: MIT */
/*
 * fuzz_query_target.c: libFuzzer target for the request-target as the pipeline reads it:
 * uri_split_target (server/request/uri.c), then query_parse and query_get
 * (server/request/query.c) on the query it finds.
 *
 * Besides memory safety, it aborts when a promise breaks: a decoded path fits its buffer,
 * starts with "/" and holds no NUL; a target whose path holds "%00" is refused; a query
 * holding "%00" is refused whole; a parsed query gives every name it holds the value of its
 * first occurrence, without a NUL.
 */
#include "request/query.h"
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

/* True when s[0..n) holds "%00". */
static int
has_encoded_nul(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == '%' && s[i + 1] == '0' && s[i + 2] == '0')
            return 1;
    return 0;
}

/* Where the entry after the one at q->buf + i starts. */
static size_t
next_entry(const struct query *q, size_t i)
{
    i += strlen(q->buf + i) + 1;
    return i + strlen(q->buf + i) + 1;
}

/* Every entry of q that is the first of its name gives query_get its value ("=" marks one). */
static void
check_entries(const struct query *q)
{
    size_t i = 0;
    while (i < q->len) {
        const char *name = q->buf + i;
        const char *value = name + strlen(name) + 1;
        check(value[0] == '\0' || value[0] == '=');
        int first = 1;
        for (size_t k = 0; k < i; k = next_entry(q, k))
            first &= strcmp(q->buf + k, name) != 0;
        const char *got = query_get(q, name);
        if (first)
            check(value[0] == '\0' ? got == NULL : got != NULL && strcmp(got, value + 1) == 0);
        i = next_entry(q, i);
    }
    check(i == q->len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *target = (const char *)data;
    char *path = malloc(size + 2);
    if (path == NULL)
        return 0;
    const char *query = NULL;
    size_t query_len = 0;
    int n = uri_split_target(target, size, path, size + 2, &query, &query_len);
    size_t path_end = 0;
    while (path_end < size && target[path_end] != '?' && target[path_end] != '#')
        path_end++;
    if (n < 0) {
        free(path);
        return 0;
    }
    check(path[0] == '/' && strlen(path) == (size_t)n && (size_t)n <= size + 1);
    check(target[0] != '/' || !has_encoded_nul(target, path_end));
    if (query != NULL) {
        check(query > target && query + query_len <= target + size && query[-1] == '?');
        struct query q = {0};
        int rc = query_parse(&q, query, query_len);
        check(rc == 0 || rc == -EINVAL);
        check(rc < 0 || !has_encoded_nul(query, query_len));
        if (rc == 0)
            check_entries(&q);
        query_cleanup(&q);
    }
    free(path);
    return 0;
}
