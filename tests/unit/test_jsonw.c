/* SPDX-License-Identifier: MIT */
/*
 * test_jsonw.c: the bounded buffer (common/buf.h) and the compact JSON writers
 * (common/jsonw.h): escaping, sticky failure at the size limit, ra_buf_steal, printf growth.
 * Escaped output is also decoded with jansson to check it round-trips to the input bytes.
 */
#include "common/alloc.h"
#include "common/buf.h"
#include "common/jsonw.h"

#include "harness.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

/* Escape len bytes of s into a fresh buffer and compare with the expected text. */
static void
check_str(const char *s, size_t len, const char *want)
{
    struct ra_buf b;
    ra_buf_init(&b, 1 << 16);
    ASSERT_EQ_INT(ra_jsonw_str(&b, s, len), 0);
    ASSERT_TRUE(!b.failed);
    ASSERT_EQ_STR(b.data, want);
    ASSERT_EQ_INT(b.len, strlen(want));
    ra_buf_cleanup(&b);
}

/* Escape len bytes of s and decode the result with jansson: same bytes, same length. */
static void
check_roundtrip(const char *s, size_t len)
{
    struct ra_buf b;
    json_error_t err;
    ra_buf_init(&b, 1 << 16);
    ASSERT_EQ_INT(ra_jsonw_str(&b, s, len), 0);
    json_t *v = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    ASSERT_TRUE(v != NULL && json_is_string(v));
    if (v != NULL && json_is_string(v)) {
        ASSERT_EQ_INT(json_string_length(v), len);
        if (json_string_length(v) == len)
            ASSERT_EQ_MEM(json_string_value(v), s, len);
    } else {
        fprintf(stderr, "  jansson: %s (input %s)\n", err.text, b.data ? b.data : "(null)");
    }
    json_decref(v);
    /* Never a raw control byte in the output. */
    for (size_t i = 0; b.data != NULL && i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        if (c < 0x20 || c == 0x7f) {
            HARNESS_FAIL("raw control byte 0x%02x at %zu", c, i);
            break;
        }
    }
    ra_buf_cleanup(&b);
}

static void
test_escape_specials(void)
{
    check_str("", 0, "\"\"");
    check_str("plain text", 10, "\"plain text\"");
    check_str("a\"b", 3, "\"a\\\"b\"");
    check_str("a\\b", 3, "\"a\\\\b\"");
    check_str("\"\\\"", 3, "\"\\\"\\\\\\\"\"");
    check_str("\\\\", 2, "\"\\\\\\\\\"");
    check_str("line1\nline2", 11, "\"line1\\nline2\"");
    check_str("\r\n\t", 3, "\"\\r\\n\\t\"");
    /* '/' and other printable ASCII pass through. */
    check_str("a/b <>&'", 8, "\"a/b <>&'\"");
    check_str(" ~", 2, "\" ~\"");
    /* Only len bytes are written. */
    check_str("abcdef", 3, "\"abc\"");
}

static void
test_escape_controls(void)
{
    char in[1], want[16];
    for (int c = 0; c < 0x20; c++) {
        in[0] = (char)c;
        if (c == '\n')
            snprintf(want, sizeof(want), "\"\\n\"");
        else if (c == '\r')
            snprintf(want, sizeof(want), "\"\\r\"");
        else if (c == '\t')
            snprintf(want, sizeof(want), "\"\\t\"");
        else
            snprintf(want, sizeof(want), "\"\\u%04x\"", c);
        check_str(in, 1, want);
        check_roundtrip(in, 1);
    }
    check_str("\x01", 1, "\"\\u0001\"");
    check_str("\x08\x0c", 2, "\"\\u0008\\u000c\"");
    check_str("\x1f", 1, "\"\\u001f\"");
    check_str("\x1b[0m", 4, "\"\\u001b[0m\"");
    /* DEL is escaped too. */
    check_str("\x7f", 1, "\"\\u007f\"");
    check_str("a\x7f"
              "b",
              3, "\"a\\u007fb\"");
    check_roundtrip("\x7f", 1);
}

static void
test_escape_nul(void)
{
    /* A NUL inside a length-given string is escaped, and the bytes after it are kept. */
    check_str("a\0b", 3, "\"a\\u0000b\"");
    check_str("\0", 1, "\"\\u0000\"");
    check_str("\0\0", 2, "\"\\u0000\\u0000\"");
    check_str("x\0", 2, "\"x\\u0000\"");
    check_roundtrip("a\0b\0c", 5);
}

static void
test_utf8_passthrough(void)
{
    /* é, 日本, 😀 and U+FF1A go through byte for byte, unescaped. */
    check_str("\xc3\xa9", 2, "\"\xc3\xa9\"");
    check_str("\xe6\x97\xa5\xe6\x9c\xac", 6, "\"\xe6\x97\xa5\xe6\x9c\xac\"");
    check_str("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    check_str("key\xef\xbc\x9a\"v\"", 9, "\"key\xef\xbc\x9a\\\"v\\\"\"");
    const char *mixed = "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ \n";
    check_roundtrip(mixed, strlen(mixed));
    /* Every byte >= 0x80 passes unchanged (the caller validated UTF-8). */
    check_str("\x80\xbf\xfe\xff", 4, "\"\x80\xbf\xfe\xff\"");
}

/* All 256 byte values in one string: controls escaped, the rest verbatim, round-trip exact
 * for the ASCII part. */
static void
test_every_byte(void)
{
    char in[128];
    for (int i = 0; i < 128; i++)
        in[i] = (char)i;
    check_roundtrip(in, sizeof(in));

    struct ra_buf b;
    ra_buf_init(&b, 4096);
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    ASSERT_EQ_INT(ra_jsonw_str(&b, all, sizeof(all)), 0);
    /* 2 quotes + 29 \u00XX (6 bytes) + 3 short escapes (\n\r\t) + 2 (\" \\) + DEL as 6 +
     * 256 - 32 - 1 - 2 = 221 verbatim bytes. */
    ASSERT_EQ_INT(b.len, 2 + 29 * 6 + 3 * 2 + 2 * 2 + 6 + 221);
    /* The tail: DEL escaped, then 0x80..0xff verbatim, then the closing quote. */
    int tail_ok =
        b.len == 413 && memcmp(b.data + b.len - 135, "\\u007f", 6) == 0 && b.data[b.len - 1] == '"';
    for (int i = 0; tail_ok && i < 128; i++)
        tail_ok = (unsigned char)b.data[b.len - 129 + i] == 0x80 + i;
    ASSERT_TRUE(tail_ok);
    ra_buf_cleanup(&b);
}

/* Every byte at every place of a string long enough to be scanned eight bytes at a time and
 * then one by one: ASCII round-trips through jansson with the escape's length, 0x80-0xFF
 * passes verbatim. */
static void
test_every_byte_everywhere(void)
{
    for (int c = 0; c < 256; c++) {
        size_t extra = c == '\n' || c == '\r' || c == '\t' || c == '"' || c == '\\' ? 1
                       : c < 0x20 || c == 0x7f                                      ? 5
                                                                                    : 0;
        for (size_t at = 0; at < 19; at++) {
            char in[] = "0123456789abcdefghi";
            in[at] = (char)c;
            struct ra_buf b;
            ra_buf_init(&b, 1 << 10);
            ASSERT_EQ_INT(ra_jsonw_str(&b, in, 19), 0);
            ASSERT_EQ_INT(b.len, 2 + 19 + extra);
            if (c >= 0x80)
                ASSERT_TRUE(memcmp(b.data + 1, in, 19) == 0);
            ra_buf_cleanup(&b);
            if (c < 0x80)
                check_roundtrip(in, 19);
        }
    }
}

static void
test_key_int(void)
{
    struct ra_buf b;
    ra_buf_init(&b, 1024);
    ASSERT_EQ_INT(ra_buf_putc(&b, '{'), 0);
    ASSERT_EQ_INT(ra_jsonw_key(&b, "id"), 0);
    ASSERT_EQ_INT(ra_jsonw_int(&b, 0), 0);
    ASSERT_EQ_INT(ra_buf_putc(&b, ','), 0);
    ASSERT_EQ_INT(ra_jsonw_key(&b, "neg"), 0);
    ASSERT_EQ_INT(ra_jsonw_int(&b, -1), 0);
    ASSERT_EQ_INT(ra_buf_putc(&b, ','), 0);
    ASSERT_EQ_INT(ra_jsonw_key(&b, "max"), 0);
    ASSERT_EQ_INT(ra_jsonw_int(&b, INT64_MAX), 0);
    ASSERT_EQ_INT(ra_buf_putc(&b, ','), 0);
    ASSERT_EQ_INT(ra_jsonw_key(&b, "min"), 0);
    ASSERT_EQ_INT(ra_jsonw_int(&b, INT64_MIN), 0);
    ASSERT_EQ_INT(ra_buf_putc(&b, '}'), 0);
    ASSERT_EQ_STR(b.data, "{\"id\":0,\"neg\":-1,\"max\":9223372036854775807,"
                          "\"min\":-9223372036854775808}");
    json_error_t err;
    json_t *v = json_loads(b.data, 0, &err);
    ASSERT_TRUE(v != NULL);
    ASSERT_EQ_INT(json_integer_value(json_object_get(v, "max")), INT64_MAX);
    ASSERT_EQ_INT(json_integer_value(json_object_get(v, "min")), INT64_MIN);
    json_decref(v);
    ra_buf_cleanup(&b);
}

static void
test_buf_basic(void)
{
    struct ra_buf b;
    ra_buf_init(&b, 100);
    ASSERT_TRUE(b.data == NULL && b.len == 0 && !b.failed); /* lazy allocation */
    ASSERT_EQ_INT(b.max, 100);
    ASSERT_EQ_INT(ra_buf_puts(&b, "abc"), 0);
    ASSERT_EQ_INT(ra_buf_append(&b, "de\0f", 4), 0);
    ASSERT_EQ_INT(ra_buf_putc(&b, 'g'), 0);
    ASSERT_EQ_INT(b.len, 8);
    ASSERT_EQ_MEM(b.data, "abcde\0fg", 9); /* includes the terminating NUL */
    ASSERT_EQ_INT(ra_buf_append(&b, "zzz", 0), 0);
    ASSERT_EQ_INT(b.len, 8);
    ASSERT_TRUE(b.cap >= b.len + 1);
    ra_buf_cleanup(&b);
    ASSERT_TRUE(b.data == NULL && b.len == 0 && b.cap == 0 && !b.failed);
    /* Usable again after cleanup, with the same limit. */
    ASSERT_EQ_INT(ra_buf_puts(&b, "again"), 0);
    ASSERT_EQ_STR(b.data, "again");
    ra_buf_cleanup(&b);

    /* Growth one byte at a time well past the first allocation. */
    ra_buf_init(&b, 100000);
    for (int i = 0; i < 20000; i++)
        if (ra_buf_putc(&b, (char)('a' + i % 26)) != 0)
            break;
    ASSERT_EQ_INT(b.len, 20000);
    ASSERT_TRUE(!b.failed);
    int bad = 0;
    for (int i = 0; b.data != NULL && i < 20000; i++)
        bad += b.data[i] != (char)('a' + i % 26);
    ASSERT_EQ_INT(bad, 0);
    ASSERT_EQ_INT(b.data[20000], '\0');
    ra_buf_cleanup(&b);
}

static void
test_buf_limit(void)
{
    struct ra_buf b;
    ra_buf_init(&b, 10);
    ASSERT_EQ_INT(ra_buf_puts(&b, "12345"), 0);
    ASSERT_EQ_INT(ra_buf_puts(&b, "67890"), 0); /* exactly max: allowed */
    ASSERT_EQ_INT(b.len, 10);
    ASSERT_TRUE(!b.failed);
    ASSERT_EQ_STR(b.data, "1234567890");
    ASSERT_EQ_INT(ra_buf_putc(&b, 'x'), -ENOSPC); /* one past max */
    ASSERT_TRUE(b.failed);
    ASSERT_EQ_INT(b.len, 10);
    ra_buf_cleanup(&b);

    /* Sticky: after one failed append even an empty or small one fails. */
    ra_buf_init(&b, 10);
    ASSERT_EQ_INT(ra_buf_puts(&b, "12345"), 0);
    ASSERT_EQ_INT(ra_buf_puts(&b, "678901"), -ENOSPC);
    ASSERT_TRUE(b.failed);
    ASSERT_EQ_INT(b.len, 5); /* the failed append left nothing behind */
    ASSERT_EQ_INT(ra_buf_putc(&b, 'x'), -ENOSPC);
    ASSERT_EQ_INT(ra_buf_puts(&b, ""), -ENOSPC);
    ASSERT_EQ_INT(ra_buf_append(&b, "y", 1), -ENOSPC);
    ASSERT_EQ_INT(ra_buf_printf(&b, "%d", 1), -ENOSPC);
    ASSERT_TRUE(ra_jsonw_str(&b, "q", 1) < 0);
    ASSERT_TRUE(ra_jsonw_key(&b, "k") < 0);
    ASSERT_TRUE(ra_jsonw_int(&b, 7) < 0);
    ASSERT_TRUE(b.failed);
    ASSERT_EQ_INT(b.len, 5);
    ra_buf_cleanup(&b);

    /* An absurd length fails cleanly instead of wrapping around. */
    ra_buf_init(&b, 10);
    ASSERT_EQ_INT(ra_buf_puts(&b, "ab"), 0);
    ASSERT_EQ_INT(ra_buf_append(&b, "x", SIZE_MAX), -ENOSPC);
    ASSERT_EQ_INT(ra_buf_append(&b, "x", SIZE_MAX - 1), -ENOSPC);
    ASSERT_TRUE(b.failed);
    ra_buf_cleanup(&b);

    /* Max 0 holds nothing at all. */
    ra_buf_init(&b, 0);
    ASSERT_EQ_INT(ra_buf_putc(&b, 'a'), -ENOSPC);
    ASSERT_TRUE(b.failed);
    ra_buf_cleanup(&b);

    /* A JSON string that crosses the limit midway through its escapes fails, and stays so. */
    ra_buf_init(&b, 12);
    ASSERT_TRUE(ra_jsonw_str(&b, "\x01\x02\x03", 3) < 0); /* needs 2 + 18 bytes */
    ASSERT_TRUE(b.failed);
    ASSERT_TRUE(b.len <= 12);
    ASSERT_TRUE(ra_buf_steal(&b, NULL) == NULL);
    ra_buf_cleanup(&b);

    /* A string that exactly fits. */
    ra_buf_init(&b, 8);
    ASSERT_EQ_INT(ra_jsonw_str(&b, "\x01", 1), 0);
    ASSERT_EQ_STR(b.data, "\"\\u0001\"");
    ASSERT_TRUE(!b.failed);
    ra_buf_cleanup(&b);
}

static void
test_buf_steal(void)
{
    struct ra_buf b;
    size_t len = 99;
    ra_buf_init(&b, 64);
    ASSERT_EQ_INT(ra_buf_puts(&b, "hello"), 0);
    char *s = ra_buf_steal(&b, &len);
    ASSERT_TRUE(s != NULL);
    ASSERT_EQ_STR(s, "hello");
    ASSERT_EQ_INT(len, 5);
    /* The buffer is reset and keeps its limit. */
    ASSERT_TRUE(b.data == NULL && b.len == 0 && b.cap == 0 && !b.failed);
    ASSERT_EQ_INT(b.max, 64);
    ASSERT_EQ_INT(ra_buf_puts(&b, "second"), 0);
    ASSERT_EQ_STR(b.data, "second");
    ASSERT_TRUE(b.data != s);
    ra_free(s);
    s = ra_buf_steal(&b, NULL); /* len is optional */
    ASSERT_EQ_STR(s, "second");
    ra_free(s);

    /* Stealing an empty buffer gives an empty string, not NULL. */
    len = 99;
    ra_buf_init(&b, 64);
    /* (Checked through the first byte only: a missing terminator must fail the check, not
     * make the test read past the allocation.) */
    s = ra_buf_steal(&b, &len);
    ASSERT_TRUE(s != NULL);
    ASSERT_EQ_INT(s != NULL ? s[0] : -1, '\0');
    ASSERT_EQ_INT(len, 0);
    ra_free(s);
    ra_buf_init(&b, 0);
    s = ra_buf_steal(&b, &len);
    ASSERT_TRUE(s != NULL);
    ASSERT_EQ_INT(s != NULL ? s[0] : -1, '\0');
    ASSERT_EQ_INT(len, 0);
    ra_free(s);

    /* Stealing a failed buffer gives NULL and frees/reset the buffer. */
    ra_buf_init(&b, 4);
    ASSERT_EQ_INT(ra_buf_puts(&b, "abc"), 0);
    ASSERT_EQ_INT(ra_buf_puts(&b, "de"), -ENOSPC);
    len = 77;
    ASSERT_TRUE(ra_buf_steal(&b, &len) == NULL);
    ASSERT_TRUE(b.data == NULL && b.len == 0 && !b.failed);
    ASSERT_EQ_INT(ra_buf_puts(&b, "ok"), 0); /* usable after the reset */
    ASSERT_EQ_STR(b.data, "ok");
    ra_buf_cleanup(&b);
}

static void
test_buf_printf(void)
{
    struct ra_buf b;
    ra_buf_init(&b, 1 << 20);
    ASSERT_EQ_INT(ra_buf_printf(&b, "%d-%s-%c", 42, "x", 'y'), 0);
    ASSERT_EQ_STR(b.data, "42-x-y");

    /* Longer than the 256-byte stack buffer: the slow path grows the buffer. */
    char big[5001];
    memset(big, 'q', 5000);
    big[5000] = '\0';
    ASSERT_EQ_INT(ra_buf_printf(&b, "<%s|%d>", big, 7), 0);
    ASSERT_EQ_INT(b.len, 6 + 1 + 5000 + 3);
    ASSERT_EQ_INT(strlen(b.data), b.len);
    ASSERT_EQ_MEM(b.data, "42-x-y<qqq", 10);
    ASSERT_EQ_STR(b.data + b.len - 4, "q|7>");
    ASSERT_TRUE(b.cap > b.len);

    /* Boundaries around the stack buffer: 255, 256 and 257 characters. */
    for (int n = 254; n <= 258; n++) {
        struct ra_buf c;
        ra_buf_init(&c, 4096);
        ASSERT_EQ_INT(ra_buf_puts(&c, "P"), 0);
        ASSERT_EQ_INT(ra_buf_printf(&c, "%.*s", n, big), 0);
        ASSERT_EQ_INT(c.len, (size_t)n + 1);
        ASSERT_EQ_INT(strlen(c.data), (size_t)n + 1);
        ASSERT_EQ_INT(c.data[n], 'q');
        ra_buf_cleanup(&c);
    }
    ra_buf_cleanup(&b);

    /* The long path respects the limit and makes the failure sticky. */
    ra_buf_init(&b, 300);
    ASSERT_EQ_INT(ra_buf_printf(&b, "%.*s", 290, big), 0);
    ASSERT_EQ_INT(ra_buf_printf(&b, "%.*s", 20, big), -ENOSPC);
    ASSERT_TRUE(b.failed);
    ASSERT_EQ_INT(b.len, 290);
    ra_buf_cleanup(&b);
    ra_buf_init(&b, 300);
    ASSERT_EQ_INT(ra_buf_printf(&b, "%.*s", 301, big), -ENOSPC);
    ASSERT_TRUE(b.failed);
    ra_buf_cleanup(&b);
    ra_buf_init(&b, 300);
    ASSERT_EQ_INT(ra_buf_printf(&b, "%.*s", 300, big), 0); /* exactly max */
    ASSERT_EQ_INT(b.len, 300);
    ASSERT_TRUE(!b.failed);
    ra_buf_cleanup(&b);
}

/* A buffer over caller storage: bounded by it, never allocates, never freed or stolen. */
static void
test_buf_storage(void)
{
    char storage[16];
    struct ra_buf b;
    ra_buf_init_storage(&b, storage, sizeof(storage));
    ASSERT_TRUE(b.data == storage && b.len == 0 && storage[0] == '\0');
    ra_alloc_fail_at(1); /* any allocation from here on would fail the appends below */
    ASSERT_EQ_INT(ra_buf_puts(&b, "0123456789"), 0);
    ASSERT_EQ_INT(ra_jsonw_str(&b, "ab", 2), 0);
    ASSERT_EQ_STR(storage, "0123456789\"ab\"");
    ASSERT_EQ_INT(ra_buf_putc(&b, 'x'), 0); /* 15 bytes + NUL: full */
    ASSERT_EQ_INT(ra_buf_putc(&b, 'y'), -ENOSPC);
    ASSERT_TRUE(b.failed);
    ASSERT_EQ_INT(ra_buf_puts(&b, ""), -ENOSPC); /* sticky */
    ASSERT_EQ_STR(storage, "0123456789\"ab\"x");
    ra_alloc_fail_at(0);
    ASSERT_TRUE(ra_buf_steal(&b, NULL) == NULL);
    ra_buf_cleanup(&b); /* must not free the stack storage (ASan would report it) */
    ASSERT_TRUE(b.data == NULL && b.len == 0);

    ra_buf_init_storage(&b, storage, 0);
    ASSERT_EQ_INT(ra_buf_putc(&b, 'z'), -ENOSPC);
}

int
main(void)
{
    RUN(test_escape_specials);
    RUN(test_escape_controls);
    RUN(test_escape_nul);
    RUN(test_utf8_passthrough);
    RUN(test_every_byte);
    RUN(test_every_byte_everywhere);
    RUN(test_key_int);
    RUN(test_buf_basic);
    RUN(test_buf_limit);
    RUN(test_buf_steal);
    RUN(test_buf_printf);
    RUN(test_buf_storage);
    return harness_done();
}
