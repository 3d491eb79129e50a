/* SPDX-License-Identifier: MIT */
/*
 * uri.c: one spelling per path. Two passes over the output buffer: the escapes are decoded
 * into it, then its segments are rewritten in place (the write position never passes the read
 * position, since every rewrite only shortens).
 */
#include "request/uri.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool
is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static bool
is_unreserved(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int
uri_hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Where the path of target[0..len) starts (*start) and ends (*end), or -EINVAL. An
 * absolute-form target with an empty path gives an empty range (the path is then "/").
 */
static int
locate_path(const char *target, size_t len, size_t *start, size_t *end)
{
    size_t i = 0;
    if (len > 0 && target[0] != '/') {
        /* scheme ":" "//" authority, the authority running to the next "/", "?" or "#" */
        if (!is_alpha(target[0]))
            return -EINVAL;
        while (i < len && (is_alpha(target[i]) || is_digit(target[i]) || target[i] == '+' ||
                           target[i] == '-' || target[i] == '.'))
            i++;
        if (len - i < 3 || memcmp(target + i, "://", 3) != 0)
            return -EINVAL;
        i += 3;
        while (i < len && target[i] != '/' && target[i] != '?' && target[i] != '#')
            i++;
    } else if (len == 0) {
        return -EINVAL;
    }
    *start = i;
    while (i < len && target[i] != '?' && target[i] != '#')
        i++;
    *end = i;
    return 0;
}

/* Copy in[0..n) into out with the escapes normalised; the length, or -ENAMETOOLONG. */
static int
decode(const char *in, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = -1, lo = -1;
        if (in[i] == '%' && i + 2 < n) {
            hi = uri_hex_value(in[i + 1]);
            lo = uri_hex_value(in[i + 2]);
        }
        bool escape = hi >= 0 && lo >= 0;
        if (!escape && in[i] == '%') {
            hi = 2; /* a stray "%" is written "%25": otherwise it could form an escape */
            lo = 5; /* with the characters after it once those are decoded ("%e%37") */
        }
        char d = hi >= 0 ? (char)(hi * 16 + lo) : in[i];
        size_t need = hi < 0 || is_unreserved(d) ? 1 : 3;
        if (o + need >= cap)
            return -ENAMETOOLONG;
        if (need == 1) {
            out[o++] = d;
        } else {
            out[o++] = '%';
            out[o++] = hex[hi];
            out[o++] = hex[lo];
        }
        i += escape ? 2 : 0;
    }
    return (int)o;
}

/*
 * Rewrite the path p[0..n) in place as "/seg" pieces without empty, "." and ".." segments
 * (".." drops the piece before it, if any), then the trailing "/" the path had or that a last
 * "." or ".." stands for. Returns the new length (at least 1: "/").
 */
static size_t
remove_dots(char *p, size_t n)
{
    size_t r = 0, w = 0;
    bool trailing = false;
    while (r < n) {
        while (r < n && p[r] == '/')
            r++;
        size_t s = r;
        while (r < n && p[r] != '/')
            r++;
        size_t seg = r - s;
        bool dot = seg == 1 && p[s] == '.';
        bool dotdot = seg == 2 && p[s] == '.' && p[s + 1] == '.';
        trailing = seg == 0 || ((dot || dotdot) && r == n);
        if (seg == 0 || dot)
            continue;
        if (dotdot) {
            while (w > 0 && p[w - 1] != '/')
                w--;
            w -= w > 0;
            continue;
        }
        p[w++] = '/'; /* w < s: at least one "/" was read before the segment */
        memmove(p + w, p + s, seg);
        w += seg;
    }
    if (w == 0 || trailing)
        p[w++] = '/';
    return w;
}

int
uri_clean_path(const char *target, size_t len, char *out, size_t cap)
{
    size_t start = 0, end = 0;
    int rc = locate_path(target, len, &start, &end);
    if (rc < 0)
        return rc;
    if (cap < 2)
        return -ENAMETOOLONG;
    int n = decode(target + start, end - start, out, cap);
    if (n < 0)
        return n;
    n = (int)remove_dots(out, (size_t)n);
    out[n] = '\0';
    return n;
}

int
uri_split_target(const char *target, size_t len, char *out, size_t cap, const char **query,
                 size_t *query_len)
{
    size_t start = 0, end = 0;
    int rc = locate_path(target, len, &start, &end);
    if (rc < 0)
        return rc;
    *query = NULL;
    *query_len = 0;
    if (end < len && target[end] == '?') {
        const char *hash = memchr(target + end + 1, '#', len - end - 1);
        *query = target + end + 1;
        *query_len = hash != NULL ? (size_t)(hash - *query) : len - end - 1;
    }
    if (start == end) { /* "http://host" names the root */
        target = "/";
        start = 0;
        end = 1;
    }
    size_t o = 0;
    for (size_t i = start; i < end; i++, o++) {
        char c = target[i];
        if (c == '%') {
            int hi = end - i > 2 ? uri_hex_value(target[i + 1]) : -1;
            int lo = end - i > 2 ? uri_hex_value(target[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -EINVAL;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0')
            return -EINVAL;
        if (o + 1 >= cap)
            return -ENAMETOOLONG;
        out[o] = c;
    }
    out[o] = '\0';
    return (int)o;
}
