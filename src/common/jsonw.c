/* SPDX-License-Identifier: MIT */
/*
 * jsonw.c: compact JSON output helpers.
 */
#include "common/jsonw.h"

#include "common/swar.h"

#include <stdbool.h>
#include <string.h>

/* True for the bytes a JSON string cannot hold as they are: '"', '\\', controls, and DEL. */
static inline bool
needs_escape(unsigned char c)
{
    return (c < 0x20) | (c == '"') | (c == '\\') | (c == 0x7f);
}

/* 0x80 in each lane of x that needs_escape (bytes 0x80-0xFF never do). */
static inline uint64_t
escape_lanes(uint64_t x)
{
    return ra_lanes_ctl(x) | ra_lanes_eq(x, '"') | ra_lanes_eq(x, '\\');
}

int
ra_jsonw_str(struct ra_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    ra_buf_putc(b, '"');
    size_t run = 0; /* start of the current run of bytes that need no escape */
    for (size_t i = 0;; i++) {
        /* Skip bytes that need no escape: eight at a time while none of them does, then with
         * one combined test per byte. */
        while (i + 8 <= len && escape_lanes(ra_lanes_load(s + i)) == 0)
            i += 8;
        while (i < len && !needs_escape((unsigned char)s[i]))
            i++;
        ra_buf_append(b, s + run, i - run);
        if (i == len)
            break;
        unsigned char c = (unsigned char)s[i];
        char u[7] = {'\\', (char)c, '\0'}; /* '"' and '\\' are escaped as themselves */
        if (c == '\n' || c == '\r' || c == '\t') {
            u[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c != '"' && c != '\\') {
            memcpy(u + 1, "u00", 3);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            u[6] = '\0';
        }
        ra_buf_puts(b, u);
        run = i + 1;
    }
    return ra_buf_putc(b, '"');
}

int
ra_jsonw_key(struct ra_buf *b, const char *key)
{
    ra_buf_putc(b, '"');
    ra_buf_puts(b, key);
    return ra_buf_puts(b, "\":");
}

int
ra_jsonw_int(struct ra_buf *b, int64_t v)
{
    return ra_buf_put_int(b, v);
}
