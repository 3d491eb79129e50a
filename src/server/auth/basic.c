/* SPDX-License-Identifier: MIT */
/*
 * basic.c: parser for the value of an `Authorization` header in the Basic scheme (RFC 7617).
 *
 * Pure and allocation-free, since it runs on every request: the value is trimmed of OWS, the
 * scheme is matched case-insensitively, the token68 is decoded strictly (libsodium's
 * sodium_base642bin behind a few explicit checks, see basic_decode_token68) into a stack buffer
 * sized for the longest acceptable user-pass, and one scan of the decoded bytes finds the first
 * colon and rejects CTLs. The stack copy is wiped before returning, and `out` is wiped on every
 * failure, so no partial secret survives a rejected request.
 */
#include "auth/basic.h"

#include "common/alloc.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

/* Longest decoded user-pass that can be valid: id, colon, secret. */
#define USERPASS_MAX (BASIC_MAX_ID + 1 + BASIC_MAX_SECRET)

static inline bool
is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static inline bool
is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/*
 * Match the scheme at the start of the trimmed value [p, e). Returns BASIC_OK and sets *tok to
 * the first byte of the token68 when the value is "Basic" + 1*(SP / HTAB) + something;
 * BASIC_INVALID for a bare "Basic"; BASIC_ABSENT for any other scheme or none.
 */
static int
match_scheme(const unsigned char *p, const unsigned char *e, const unsigned char **tok)
{
    size_t n = (size_t)(e - p);
    /* ORing 0x20 lowercases ASCII letters and maps no other byte onto a lowercase letter. */
    if (n < 5 || (p[0] | 0x20) != 'b' || (p[1] | 0x20) != 'a' || (p[2] | 0x20) != 's' ||
        (p[3] | 0x20) != 'i' || (p[4] | 0x20) != 'c')
        return BASIC_ABSENT;
    if (n == 5)
        return BASIC_INVALID;
    if (!is_ows(p[5]))
        return BASIC_ABSENT; /* "Basicfoo" is another scheme, not a malformed Basic. */
    p += 6;
    while (is_ows(*p))
        p++; /* Stops before e: the value was trimmed of trailing OWS. */
    *tok = p;
    return BASIC_OK;
}

/*
 * Split the decoded user-pass dec[0..n) at its first colon into out, enforcing non-empty,
 * bounded, CTL-free id and secret. Returns BASIC_OK or BASIC_INVALID (out untouched then).
 */
static int
split_userpass(const unsigned char *dec, size_t n, struct basic_cred *out)
{
    size_t colon = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = dec[i];
        if (is_ctl(c))
            return BASIC_INVALID;
        if (c == ':' && colon == n)
            colon = i;
    }
    if (colon == n)
        return BASIC_INVALID;
    size_t id_len = colon, secret_len = n - colon - 1;
    if (id_len == 0 || id_len > BASIC_MAX_ID || secret_len == 0 || secret_len > BASIC_MAX_SECRET)
        return BASIC_INVALID;
    memcpy(out->id, dec, id_len);
    out->id[id_len] = '\0';
    out->id_len = id_len;
    memcpy(out->secret, dec + colon + 1, secret_len);
    out->secret[secret_len] = '\0';
    out->secret_len = secret_len;
    return BASIC_OK;
}

/*
 * Strict base64 decode of a token68; see basic.h for the contract. libsodium is called with no
 * ignored characters, no end pointer (so all of the input must be consumed) and the original
 * variant (standard alphabet, padding required), which on its own refuses a length that is not
 * a multiple of 4, every ASCII byte outside the alphabet, misplaced, missing or extra padding,
 * non-zero unused bits, whitespace and trailing data. Three rules are checked here first:
 * - the length (libsodium refuses it too; here it makes the decoded size below well defined);
 * - the capacity: libsodium notices a full buffer only after filling it, and reports it like
 *   malformed input, so the exact decoded size (length and padding) is compared up front;
 * - bytes 0x80-0xFF: released libsodium (up to 1.0.22 at least) reads each of them as '/' where
 *   char is signed, so "Zm9v\x80\x80\x80\x80" would decode like "Zm9v////". The scan ORs the
 *   bytes together, without a branch per byte.
 */
long
basic_decode_token68(const char *tok, size_t len, unsigned char *out, size_t outcap)
{
    if (len % 4 != 0 || len > (size_t)LONG_MAX)
        return -EINVAL;
    const unsigned char *p = (const unsigned char *)tok;
    size_t pad = len == 0 || p[len - 1] != '=' ? 0 : p[len - 2] != '=' ? 1 : 2;
    if (len / 4 * 3 - pad > outcap)
        return -ENOSPC;
    unsigned char high = 0;
    for (size_t i = 0; i < len; i++)
        high |= p[i];
    if (high & 0x80)
        return -EINVAL;
    size_t n = 0;
    int saved_errno = errno; /* libsodium sets errno on failure; the result says it all */
    int rc = sodium_base642bin(out, outcap, tok, len, NULL /* nothing ignored */, &n,
                               NULL /* all input consumed */, sodium_base64_VARIANT_ORIGINAL);
    errno = saved_errno;
    return rc == 0 ? (long)n : -EINVAL;
}

/*
 * Parse one Authorization field value; see basic.h for the rules. Length is capped before
 * decoding; the scheme is still identified first so that an over-long "Bearer ..." stays
 * BASIC_ABSENT. On any result but BASIC_OK, `out` is wiped.
 */
int
basic_parse(const char *value, size_t len, struct basic_cred *out)
{
    if (value == NULL || len == 0) {
        basic_cred_wipe(out);
        return BASIC_ABSENT;
    }
    const unsigned char *p = (const unsigned char *)value;
    const unsigned char *e = p + len;
    while (p < e && is_ows(*p))
        p++;
    while (e > p && is_ows(e[-1]))
        e--;

    const unsigned char *tok = NULL;
    int rc = match_scheme(p, e, &tok);
    if (rc == BASIC_OK && len > BASIC_MAX_VALUE)
        rc = BASIC_INVALID;
    if (rc != BASIC_OK) {
        basic_cred_wipe(out);
        return rc;
    }

    size_t toklen = (size_t)(e - tok);
    unsigned char dec[USERPASS_MAX];
    long n = basic_decode_token68((const char *)tok, toklen, dec, sizeof(dec));
    rc = n > 0 ? split_userpass(dec, (size_t)n, out) : BASIC_INVALID;

    /* Wipe all of dec, even on failure: libsodium can stop part-way, anywhere in the buffer. */
    ra_wipe(dec, sizeof(dec));
    if (rc != BASIC_OK)
        basic_cred_wipe(out);
    return rc;
}

void
basic_cred_wipe(struct basic_cred *c)
{
    ra_wipe(c, sizeof(*c));
}
