/* SPDX-License-Identifier: MIT */
/*
 * jsonw.c: compact JSON output helpers.
 */
#include "common/jsonw.h"

#include <string.h>

int
ra_jsonw_str(struct ra_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    ra_buf_putc(b, '"');
    size_t run = 0; /* start of the current run of bytes that need no escape */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c == 0x7f) {
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            u[6] = '\0';
            esc = u;
        }
        if (esc == NULL)
            continue;
        ra_buf_append(b, s + run, i - run);
        ra_buf_puts(b, esc);
        run = i + 1;
    }
    ra_buf_append(b, s + run, len - run);
    return ra_buf_putc(b, '"');
}

int
ra_jsonw_key(struct ra_buf *b, const char *key)
{
    ra_buf_putc(b, '"');
    ra_buf_puts(b, key);
    return ra_buf_puts(b, "\":");
}

/* Decimal digits by hand: this runs for every number of every reply and log line, where
 * printf's format parsing cost more than the digits. */
int
ra_jsonw_int(struct ra_buf *b, int64_t v)
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
