/* SPDX-License-Identifier: MIT */
/*
 * fuzz_basic.c: libFuzzer target for basic_parse (server/auth/basic.c).
 *
 * Besides memory safety, it checks the parser's promises and aborts on any violation: on
 * BASIC_OK the id and secret are non-empty, within their limits, NUL-terminated at their
 * lengths, free of CTLs, the id has no colon, and the input is exactly the (case-insensitive)
 * scheme, separator OWS and the canonical base64 of "id:secret" (strictness: one spelling
 * only); on any other result the struct is all zero. The input is also decoded on its own as a
 * token68, and the decoder must agree with libsodium's strict one (same acceptance, same bytes;
 * bytes 0x80-0xFF, which released libsodium reads as '/', must be refused).
 */
#include "auth/basic.h"

#include <errno.h>
#include <sodium.h>
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
has_ctl(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 1;
    }
    return 0;
}

static int
is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* The trimmed input must end with base64("id:secret"), preceded by at least one OWS. */
static void
check_canonical(const uint8_t *data, size_t size, const struct basic_cred *c)
{
    char up[BASIC_MAX_ID + 1 + BASIC_MAX_SECRET];
    memcpy(up, c->id, c->id_len);
    up[c->id_len] = ':';
    memcpy(up + c->id_len + 1, c->secret, c->secret_len);
    char enc[sodium_base64_ENCODED_LEN(sizeof(up), sodium_base64_VARIANT_ORIGINAL)];
    size_t uplen = c->id_len + 1 + c->secret_len;
    size_t need = sodium_base64_ENCODED_LEN(uplen, sodium_base64_VARIANT_ORIGINAL);
    check(need <= sizeof(enc));
    sodium_bin2base64(enc, need, (const unsigned char *)up, uplen, sodium_base64_VARIANT_ORIGINAL);
    size_t n = need - 1;
    size_t e = size;
    while (e > 0 && is_ows(data[e - 1]))
        e--;
    check(e >= n + 6);
    check(memcmp(data + e - n, enc, n) == 0);
    check(is_ows(data[e - n - 1]));
}

/* basic_decode_token68 on the whole input against sodium_base642bin. */
static void
check_decoder(const uint8_t *data, size_t size)
{
    unsigned char ours[256], theirs[256];
    if (size > 4 * sizeof(ours) / 3)
        return;
    long n = basic_decode_token68((const char *)data, size, ours, sizeof(ours));
    for (size_t i = 0; i < size; i++) {
        if (data[i] & 0x80) {
            check(n == -EINVAL);
            return;
        }
    }
    size_t m = 0;
    int rc = sodium_base642bin(theirs, sizeof(theirs), (const char *)data, size, NULL, &m, NULL,
                               sodium_base64_VARIANT_ORIGINAL);
    check((rc == 0) == (n >= 0));
    if (rc == 0)
        check((size_t)n == m && memcmp(ours, theirs, m) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_decoder(data, size);
    struct basic_cred c;
    memset(&c, 0xa5, sizeof(c));
    int rc = basic_parse((const char *)data, size, &c);
    if (rc != BASIC_OK) {
        check(rc == BASIC_ABSENT || rc == BASIC_INVALID);
        static const struct basic_cred zero;
        check(memcmp(&c, &zero, sizeof(c)) == 0);
        return 0;
    }
    check(size <= BASIC_MAX_VALUE);
    check(c.id_len >= 1 && c.id_len <= BASIC_MAX_ID);
    check(c.secret_len >= 1 && c.secret_len <= BASIC_MAX_SECRET);
    check(strlen(c.id) == c.id_len);
    check(strlen(c.secret) == c.secret_len);
    check(!has_ctl(c.id, c.id_len) && !has_ctl(c.secret, c.secret_len));
    check(memchr(c.id, ':', c.id_len) == NULL);
    check_canonical(data, size, &c);
    basic_cred_wipe(&c);
    return 0;
}
