/* SPDX-License-Identifier: MIT */
/*
 * b64.c: strict RFC 4648 section 4 base64, table-driven, no allocation.
 *
 * The decoder accepts exactly one spelling of each byte string: the length is a multiple of 4,
 * every character is in the standard alphabet, '=' appears only as the one or two final
 * characters, and the bits a padded final quantum does not use are zero. Anything else is
 * -EINVAL. Checking the capacity first (the decoded size follows from the length and the
 * padding alone) means a too-small buffer is reported before anything is written.
 */
#include "common/b64.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>

static const char enc_alphabet[65] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Sextet value of each byte, or BAD for anything outside the alphabet ('=' included). */
#define BAD 0xff
static const uint8_t dec_table[256] = {
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  0x3e, BAD,  BAD,  BAD,  0x3f,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
    BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,  BAD,
};

/*
 * Decode the final quantum q[0..3], which may end in "=" or "==", into out. The caller has
 * checked that out has room for the 1..3 bytes this quantum yields given its padding.
 * Returns the number of bytes written or -EINVAL.
 */
static long
decode_last(const unsigned char *q, unsigned char *out)
{
    uint32_t a = dec_table[q[0]], b = dec_table[q[1]];
    if ((a | b) & 0x80)
        return -EINVAL;
    if (q[2] == '=') {
        /* "xx==": one byte; the low 4 bits of the second sextet must be zero. */
        if (q[3] != '=' || (b & 0x0f) != 0)
            return -EINVAL;
        out[0] = (unsigned char)(a << 2 | b >> 4);
        return 1;
    }
    uint32_t c = dec_table[q[2]];
    if (c & 0x80)
        return -EINVAL;
    if (q[3] == '=') {
        /* "xxx=": two bytes; the low 2 bits of the third sextet must be zero. */
        if ((c & 0x03) != 0)
            return -EINVAL;
        uint32_t v = a << 18 | b << 12 | c << 6;
        out[0] = (unsigned char)(v >> 16);
        out[1] = (unsigned char)(v >> 8);
        return 2;
    }
    uint32_t d = dec_table[q[3]];
    if (d & 0x80)
        return -EINVAL;
    uint32_t v = a << 18 | b << 12 | c << 6 | d;
    out[0] = (unsigned char)(v >> 16);
    out[1] = (unsigned char)(v >> 8);
    out[2] = (unsigned char)v;
    return 3;
}

/*
 * Strict decode; see b64.h for the contract. The capacity is checked against the exact decoded
 * size before any byte is written; on -EINVAL, `out` may hold a partial result, which callers
 * handling secrets must wipe.
 */
long
ra_b64_decode(const char *in, size_t len, unsigned char *out, size_t outcap)
{
    if (len == 0)
        return 0;
    if (len % 4 != 0 || len > (size_t)LONG_MAX)
        return -EINVAL;
    const unsigned char *p = (const unsigned char *)in;
    size_t pad = p[len - 1] != '=' ? 0 : p[len - 2] != '=' ? 1 : 2;
    size_t total = len / 4 * 3 - pad;
    if (total > outcap)
        return -ENOSPC;

    /* Every quantum but the last is four alphabet characters: no padding check needed. */
    const unsigned char *last = p + len - 4;
    unsigned char *o = out;
    for (; p < last; p += 4, o += 3) {
        uint32_t a = dec_table[p[0]], b = dec_table[p[1]];
        uint32_t c = dec_table[p[2]], d = dec_table[p[3]];
        if ((a | b | c | d) & 0x80)
            return -EINVAL;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        o[0] = (unsigned char)(v >> 16);
        o[1] = (unsigned char)(v >> 8);
        o[2] = (unsigned char)v;
    }
    long n = decode_last(last, o);
    if (n < 0)
        return n;
    return (long)total;
}

/*
 * Encode with '=' padding and a terminating NUL; see b64.h. Returns the number of characters
 * written (without the NUL), or -ENOSPC if `outcap` cannot hold RA_B64_ENCODED_SIZE(len) bytes
 * (nothing is written then).
 */
long
ra_b64_encode(const unsigned char *in, size_t len, char *out, size_t outcap)
{
    /* Keep RA_B64_ENCODED_SIZE(len) and the result representable. */
    if (len > (size_t)LONG_MAX / 4 * 3 - 3 || len > SIZE_MAX / 4 * 3 - 3)
        return -ENOSPC;
    size_t need = RA_B64_ENCODED_SIZE(len);
    if (outcap < need)
        return -ENOSPC;

    char *o = out;
    size_t i = 0;
    for (; len - i >= 3; i += 3, o += 4) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        o[0] = enc_alphabet[v >> 18];
        o[1] = enc_alphabet[(v >> 12) & 0x3f];
        o[2] = enc_alphabet[(v >> 6) & 0x3f];
        o[3] = enc_alphabet[v & 0x3f];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        o[0] = enc_alphabet[v >> 18];
        o[1] = enc_alphabet[(v >> 12) & 0x3f];
        o[2] = '=';
        o[3] = '=';
        o += 4;
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        o[0] = enc_alphabet[v >> 18];
        o[1] = enc_alphabet[(v >> 12) & 0x3f];
        o[2] = enc_alphabet[(v >> 6) & 0x3f];
        o[3] = '=';
        o += 4;
    }
    *o = '\0';
    return (long)(o - out);
}
