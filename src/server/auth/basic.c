/* SPDX-License-Identifier: MIT */
/*
 * basic.c: parser for the value of an `Authorization` header in the Basic scheme (RFC 7617).
 *
 * Pure and allocation-free, since it runs on every request: the value is trimmed of OWS, the
 * scheme is matched case-insensitively, the token68 is decoded strictly and in constant time
 * (see basic_decode_token68) into a stack buffer
 * sized for the longest acceptable user-pass, and one scan of the decoded bytes finds the first
 * colon and rejects CTLs. The stack copy is wiped before returning, and `out` is wiped on every
 * failure, so no partial secret survives a rejected request.
 */
#include "auth/basic.h"

#include "common/alloc.h"
#include "common/swar.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
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
    size_t colon = n, i = 0;
    uint64_t ctl = 0;
    for (; i + 8 <= n; i += 8) { /* eight bytes at a time, then one by one */
        uint64_t x = ra_lanes_load(dec + i);
        ctl |= ra_lanes_ctl(x);
        uint64_t colons = ra_lanes_eq(x, ':');
        if (colons != 0 && colon == n)
            colon = i + (size_t)__builtin_ctzll(colons) / 8; /* lane 0 is the first byte */
    }
    for (; i < n; i++) {
        unsigned char c = dec[i];
        ctl |= is_ctl(c);
        if (c == ':' && colon == n)
            colon = i;
    }
    if (ctl != 0 || colon == n)
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
 * All ones when lo <= c <= hi, else zero, without a branch or a table: (lo - 1 - c) and
 * (c - hi - 1) are both negative exactly when c is in range, so the AND of the two has its sign
 * bit set then. c, lo and hi are below 256, so nothing wraps past the sign bit.
 */
static inline uint32_t
in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
    return 0u - ((((lo - 1) - c) & (c - (hi + 1))) >> 31);
}

/*
 * The 6-bit value of one base64 symbol, computed in constant time (the symbols of a token68
 * carry the secret, and a table lookup indexed by them would leave a cache footprint). A byte
 * outside the standard alphabet, '=' and bytes 0x80-0xFF included, sets the low bit of *bad.
 */
static inline uint32_t
symbol_value(unsigned char ch, uint32_t *bad)
{
    uint32_t c = ch;
    uint32_t upper = in_range(c, 'A', 'Z'), lower = in_range(c, 'a', 'z');
    uint32_t digit = in_range(c, '0', '9');
    uint32_t plus = in_range(c, '+', '+'), slash = in_range(c, '/', '/');
    *bad |= ~(upper | lower | digit | plus | slash) & 1u;
    return ((upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52)) |
            (plus & 62u) | (slash & 63u)) &
           63u;
}

/*
 * The 6-bit values of eight symbols at once, one per lane, computed in constant time like
 * symbol_value (the same ranges, eight lanes wide): a lane outside the alphabet sets its top bit
 * in *bad. Each subtraction runs on lanes with their top bit set, so no lane borrows from its
 * neighbour; the digits' addition stays below 0x84.
 */
static inline uint64_t
block_values(uint64_t x, uint64_t *bad)
{
    *bad |= x & RA_LANES_HIGH; /* bytes 0x80-0xFF; their lanes are read without the top bit */
    x &= ~RA_LANES_HIGH;
    uint64_t upper = ra_lanes_in(x, 'A', 'Z'), lower = ra_lanes_in(x, 'a', 'z');
    uint64_t digit = ra_lanes_in(x, '0', '9');
    uint64_t plus = ra_lanes_in(x, '+', '+'), slash = ra_lanes_in(x, '/', '/');
    *bad |= ~(upper | lower | digit | plus | slash) & RA_LANES_HIGH;
    uint64_t top = x | RA_LANES_HIGH;
    return (((top - RA_LANES('A')) & ra_lanes_widen(upper)) |
            ((top - RA_LANES('a' - 26)) & ra_lanes_widen(lower)) |
            ((x + RA_LANES(52 - '0')) & ra_lanes_widen(digit)) |
            (RA_LANES(62) & ra_lanes_widen(plus)) | (RA_LANES(63) & ra_lanes_widen(slash))) &
           RA_LANES(0x3F);
}

/* Decode the eight symbols at p into six bytes at out; errors go to *bad as in block_values. */
static inline void
decode_block(const unsigned char *p, unsigned char *out, uint64_t *bad)
{
    uint64_t v = block_values(ra_lanes_load(p), bad);
    /* Pairs of lanes into 12 bits, then pairs of those into the 24 bits of a quantum. */
    uint64_t t = ((v & 0x003F003F003F003Full) << 6) | ((v >> 8) & 0x003F003F003F003Full);
    uint64_t q = ((t & 0x00000FFF00000FFFull) << 12) | ((t >> 16) & 0x00000FFF00000FFFull);
    out[0] = (unsigned char)(q >> 16);
    out[1] = (unsigned char)(q >> 8);
    out[2] = (unsigned char)q;
    out[3] = (unsigned char)(q >> 48);
    out[4] = (unsigned char)(q >> 40);
    out[5] = (unsigned char)(q >> 32);
}

/*
 * Strict base64 decode of a token68; see basic.h for the contract. The length and the padding
 * (both public: they follow from the length of the header) are checked with branches; the
 * symbols only through decode_block, eight at a time, and symbol_value, whose error bits are
 * ORed together and looked at once, at the end. The capacity is checked before anything is
 * written.
 */
long
basic_decode_token68(const char *tok, size_t len, unsigned char *out, size_t outcap)
{
    if (len % 4 != 0 || len > (size_t)LONG_MAX)
        return -EINVAL;
    if (len == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)tok;
    size_t pad = p[len - 1] != '=' ? 0 : p[len - 2] != '=' ? 1 : 2;
    size_t n = len / 4 * 3 - pad;
    if (n > outcap)
        return -ENOSPC;
    uint32_t bad = 0;
    uint64_t bad_lanes = 0;
    size_t full = pad == 0 ? len : len - 4, o = 0, i = 0;
    for (; i + 8 <= full; i += 8, o += 6)
        decode_block(p + i, out + o, &bad_lanes);
    bad |= bad_lanes != 0;
    for (; i < full; i += 4, o += 3) {
        uint32_t v = symbol_value(p[i], &bad) << 18 | symbol_value(p[i + 1], &bad) << 12 |
                     symbol_value(p[i + 2], &bad) << 6 | symbol_value(p[i + 3], &bad);
        out[o] = (unsigned char)(v >> 16);
        out[o + 1] = (unsigned char)(v >> 8);
        out[o + 2] = (unsigned char)v;
    }
    if (pad != 0) {
        const unsigned char *q = p + full;
        uint32_t v = symbol_value(q[0], &bad) << 18 | symbol_value(q[1], &bad) << 12;
        if (pad == 1) {
            uint32_t last = symbol_value(q[2], &bad);
            bad |= (last & 3u) != 0; /* the unused bits must be zero: one spelling only */
            v |= last << 6;
            out[o + 1] = (unsigned char)(v >> 8);
        } else {
            bad |= ((v >> 12) & 15u) != 0;
        }
        out[o] = (unsigned char)(v >> 16);
    }
    return bad ? -EINVAL : (long)n;
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

    /* Wipe all of dec, even on failure: a malformed token68 still writes part of its bytes. */
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
