/* SPDX-License-Identifier: MIT */
/*
 * query.c: one pass over the query writes the decoded entries into one buffer. Decoding only
 * shortens, and an entry is at most two bytes longer than the text it comes from (a NUL after
 * the name and one after the value, where "=" was already a byte); a parameter's text is at
 * least one byte with its "&", so twice the query's length plus two always suffices.
 */
#include "request/query.h"

#include "common/alloc.h"
#include "request/uri.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/*
 * Decode the component s[0..n) (a name or a value) onto out: "+" is a space, "%XY" is that
 * byte, a "%" that starts no escape stays. Returns the bytes written, or -EINVAL when a byte
 * would be NUL.
 */
static long
decode_part(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int hi = -1, lo = -1;
        if (c == '%' && n - i > 2) {
            hi = uri_hex_value(s[i + 1]);
            lo = uri_hex_value(s[i + 2]);
        }
        if (hi >= 0 && lo >= 0) {
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == '\0')
            return -EINVAL;
        out[o++] = c;
    }
    return (long)o;
}

int
query_parse(struct query *q, const char *s, size_t len)
{
    char *buf = ra_malloc(2 * len + 2);
    if (buf == NULL)
        return -ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i <= len;) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        const char *eq = memchr(s + i, '=', end - i);
        size_t name_end = eq != NULL ? (size_t)(eq - s) : end;
        long n = decode_part(s + i, name_end - i, buf + w);
        long v = n < 0 || eq == NULL ? 0 : decode_part(eq + 1, end - name_end - 1, buf + w + n + 2);
        if (n < 0 || v < 0) {
            ra_free(buf);
            return -EINVAL;
        }
        if (n > 0 || eq != NULL) { /* "&&" adds nothing */
            w += (size_t)n;
            buf[w++] = '\0';
            if (eq != NULL) {
                buf[w++] = '=';
                w += (size_t)v;
            }
            buf[w++] = '\0';
        }
        i = end + 1;
    }
    q->buf = buf;
    q->len = w;
    return 0;
}

const char *
query_get(const struct query *q, const char *name)
{
    size_t i = 0;
    while (i < q->len) {
        const char *entry = q->buf + i;
        size_t n = strlen(entry);
        const char *value = entry + n + 1;
        bool has_value = *value == '=';
        if (strcmp(entry, name) == 0)
            return has_value ? value + 1 : NULL;
        i += n + 1 + strlen(value) + 1;
    }
    return NULL;
}

void
query_cleanup(struct query *q)
{
    ra_free(q->buf);
    q->buf = NULL;
    q->len = 0;
}
