/* SPDX-License-Identifier: MIT */
/*
 * test_b64.c: strict base64 (common/b64.c): RFC 4648 section 10 vectors in both directions,
 * every strictness rule of the decoder, and the capacity checks of both directions.
 */
#include "common/b64.h"

#include "harness.h"

#include <errno.h>

/* Decode a NUL-terminated string with a generous buffer. */
static long
dec(const char *s, unsigned char *out, size_t cap)
{
    return ra_b64_decode(s, strlen(s), out, cap);
}

static const struct {
    const char *plain;
    const char *coded;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void
test_rfc4648_vectors_encode(void)
{
    for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        char out[32];
        const char *plain = rfc4648[i].plain;
        long n = ra_b64_encode((const unsigned char *)plain, strlen(plain), out, sizeof(out));
        ASSERT_EQ_INT(n, strlen(rfc4648[i].coded));
        ASSERT_EQ_STR(out, rfc4648[i].coded);
    }
}

static void
test_rfc4648_vectors_decode(void)
{
    for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        unsigned char out[32];
        long n = dec(rfc4648[i].coded, out, sizeof(out));
        ASSERT_EQ_INT(n, strlen(rfc4648[i].plain));
        if (n > 0)
            ASSERT_EQ_MEM(out, rfc4648[i].plain, (size_t)n);
    }
}

static void
test_empty(void)
{
    unsigned char out[1];
    char enc[1];
    ASSERT_EQ_INT(ra_b64_decode("", 0, out, 0), 0);
    ASSERT_EQ_INT(ra_b64_encode((const unsigned char *)"", 0, enc, sizeof(enc)), 0);
    ASSERT_EQ_STR(enc, "");
}

/* All 256 byte values and every length 0..64 survive a round trip. */
static void
test_round_trip_all_bytes(void)
{
    unsigned char in[256], back[256];
    char enc[RA_B64_ENCODED_SIZE(256)];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(255 - i);
    for (size_t len = 0; len <= 64; len++) {
        long n = ra_b64_encode(in, len, enc, sizeof(enc));
        ASSERT_EQ_INT(n, RA_B64_ENCODED_SIZE(len) - 1);
        ASSERT_EQ_INT(ra_b64_decode(enc, (size_t)n, back, sizeof(back)), len);
        ASSERT_EQ_MEM(back, in, len);
    }
    long n = ra_b64_encode(in, sizeof(in), enc, sizeof(enc));
    ASSERT_EQ_INT(n, sizeof(enc) - 1);
    ASSERT_EQ_INT(ra_b64_decode(enc, (size_t)n, back, sizeof(back)), sizeof(in));
    ASSERT_EQ_MEM(back, in, sizeof(in));
}

static void
test_alphabet_edges(void)
{
    unsigned char out[8];
    /* "+/+/" is 0xfb 0xff 0xbf; "////" is three 0xff. */
    ASSERT_EQ_INT(dec("+/+/", out, sizeof(out)), 3);
    ASSERT_EQ_MEM(out, "\xfb\xff\xbf", 3);
    ASSERT_EQ_INT(dec("////", out, sizeof(out)), 3);
    ASSERT_EQ_MEM(out, "\xff\xff\xff", 3);
    ASSERT_EQ_INT(dec("AAAA", out, sizeof(out)), 3);
    ASSERT_EQ_MEM(out, "\0\0\0", 3);
    ASSERT_EQ_INT(dec("AA==", out, sizeof(out)), 1);
    ASSERT_EQ_INT(out[0], 0);
}

static void
test_bad_length(void)
{
    unsigned char out[16];
    ASSERT_EQ_INT(dec("Z", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zg", out, sizeof(out)), -EINVAL); /* stripped padding */
    ASSERT_EQ_INT(dec("Zg=", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm8", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9vY", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9vYmFyZ", out, sizeof(out)), -EINVAL);
}

static void
test_bad_chars(void)
{
    unsigned char out[16];
    /* URL-safe alphabet and other token68 characters are not standard base64. */
    ASSERT_EQ_INT(dec("-_-_", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9.", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9~", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm*v", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9v\x80\x81\x82\x83", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(ra_b64_decode("Zm\0v", 4, out, sizeof(out)), -EINVAL);
    /* Every byte outside the alphabet is rejected in every position of a quantum. */
    for (int c = 0; c < 256; c++) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/')
            continue;
        for (int pos = 0; pos < 4; pos++) {
            char q[9] = "QUJDQUJD";
            q[pos] = (char)c;
            q[4 + pos] = (char)c;
            ASSERT_EQ_INT(ra_b64_decode(q, 8, out, sizeof(out)), -EINVAL);
        }
    }
}

static void
test_whitespace(void)
{
    unsigned char out[16];
    ASSERT_EQ_INT(dec(" Zm9v", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9v ", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9v\nYmFy", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9 vYmF", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9v\r\nYmFy", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm\t9v", out, sizeof(out)), -EINVAL);
}

static void
test_padding_placement(void)
{
    unsigned char out[16];
    ASSERT_EQ_INT(dec("Zg==Zg==", out, sizeof(out)), -EINVAL); /* padding in the middle */
    ASSERT_EQ_INT(dec("Zm8=Zm8=", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zg==Zm9v", out, sizeof(out)), -EINVAL); /* data after padding */
    ASSERT_EQ_INT(dec("Zm9v====", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("====", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Z===", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("=Zm9", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm=9", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Z=g=", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zg=A", out, sizeof(out)), -EINVAL);
}

/* Non-zero unused bits in the final symbol would let several strings decode to the same bytes. */
static void
test_non_canonical_bits(void)
{
    unsigned char out[16];
    ASSERT_EQ_INT(dec("QQ==", out, sizeof(out)), 1);
    ASSERT_EQ_INT(out[0], 'A');
    ASSERT_EQ_INT(dec("QR==", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("QX==", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("QUI=", out, sizeof(out)), 2);
    ASSERT_EQ_MEM(out, "AB", 2);
    ASSERT_EQ_INT(dec("QUJ=", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("QUL=", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9vZh==", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(dec("Zm9vZm9=", out, sizeof(out)), -EINVAL);
    /* Each of the 15 non-zero low-nibble variants of "Zg==" is refused. */
    const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int accepted = 0;
    for (int v = 0; v < 64; v++) {
        char q[5] = {'Z', alpha[v], '=', '=', '\0'};
        if (dec(q, out, sizeof(out)) == 1)
            accepted++;
    }
    ASSERT_EQ_INT(accepted, 4);
}

static void
test_decode_capacity(void)
{
    unsigned char out[8];
    memset(out, 0xaa, sizeof(out));
    ASSERT_EQ_INT(dec("Zm9vYmFy", out, 5), -ENOSPC);
    ASSERT_EQ_INT(out[0], 0xaa); /* nothing written when the capacity is short */
    ASSERT_EQ_INT(dec("Zm9vYmFy", out, 6), 6);
    ASSERT_EQ_INT(dec("Zm9vYg==", out, 3), -ENOSPC);
    ASSERT_EQ_INT(dec("Zm9vYg==", out, 4), 4); /* exact size suffices, not the upper bound */
    ASSERT_EQ_INT(dec("Zm9vYmE=", out, 5), 5);
    ASSERT_EQ_INT(dec("Zg==", out, 0), -ENOSPC);
    ASSERT_EQ_INT(dec("Zg==", out, 1), 1);
    ASSERT_TRUE(RA_B64_DECODED_MAX(8) >= 6);
}

static void
test_encode_capacity(void)
{
    char out[16];
    const unsigned char *in = (const unsigned char *)"foobar";
    memset(out, 'x', sizeof(out));
    ASSERT_EQ_INT(ra_b64_encode(in, 6, out, 8), -ENOSPC); /* no room for the NUL */
    ASSERT_EQ_INT(out[0], 'x');
    ASSERT_EQ_INT(ra_b64_encode(in, 6, out, 9), 8);
    ASSERT_EQ_STR(out, "Zm9vYmFy");
    ASSERT_EQ_INT(ra_b64_encode(in, 1, out, 4), -ENOSPC);
    ASSERT_EQ_INT(ra_b64_encode(in, 1, out, 5), 4);
    ASSERT_EQ_INT(ra_b64_encode(in, 0, out, 0), -ENOSPC);
    ASSERT_EQ_INT(RA_B64_ENCODED_SIZE(0), 1);
    ASSERT_EQ_INT(RA_B64_ENCODED_SIZE(1), 5);
    ASSERT_EQ_INT(RA_B64_ENCODED_SIZE(3), 5);
    ASSERT_EQ_INT(RA_B64_ENCODED_SIZE(4), 9);
}

int
main(void)
{
    RUN(test_rfc4648_vectors_encode);
    RUN(test_rfc4648_vectors_decode);
    RUN(test_empty);
    RUN(test_round_trip_all_bytes);
    RUN(test_alphabet_edges);
    RUN(test_bad_length);
    RUN(test_bad_chars);
    RUN(test_whitespace);
    RUN(test_padding_placement);
    RUN(test_non_canonical_bits);
    RUN(test_decode_capacity);
    RUN(test_encode_capacity);
    return harness_done();
}
