/* SPDX-License-Identifier: MIT */
/*
 * test_b64.c: strict base64 as the project uses it. Decoding goes through basic_decode_token68
 * (server/auth/basic.c), the very call basic_parse makes; encoding goes through libsodium's
 * sodium_bin2base64 sized as src/client/transport.c sizes it. Covered: RFC 4648 section 10
 * vectors in both directions, every strictness rule of the decoder, the capacity checks of both
 * directions, each strictness rule again through basic_parse, and the decoder against
 * libsodium's strict decoder over every last quantum of one and two symbols.
 */
#include "auth/basic.h"

#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#define VARIANT sodium_base64_VARIANT_ORIGINAL
/* Bytes needed to encode `n` bytes, including the terminating NUL. */
#define ENC_LEN(n) sodium_base64_ENCODED_LEN((n), VARIANT)

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decode a NUL-terminated string exactly as basic_parse decodes a token68. */
static long
dec(const char *s, unsigned char *out, size_t cap)
{
    return basic_decode_token68(s, strlen(s), out, cap);
}

/*
 * Encode `len` bytes into `out` (capacity `outcap`, NUL-terminated) with libsodium. It aborts
 * the process on a buffer shorter than ENC_LEN(len) (see test_encode_short_buffer_aborts), so a
 * short capacity is answered here with -ENOSPC, nothing written, before it is called. Returns
 * the length of the string libsodium wrote.
 */
static long
enc(const unsigned char *in, size_t len, char *out, size_t outcap)
{
    size_t need = ENC_LEN(len);
    if (outcap < need)
        return -ENOSPC;
    sodium_bin2base64(out, need, in, len, VARIANT);
    return (long)strlen(out);
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
        long n = enc((const unsigned char *)plain, strlen(plain), out, sizeof(out));
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
    char e[1];
    ASSERT_EQ_INT(basic_decode_token68("", 0, out, 0), 0);
    ASSERT_EQ_INT(enc((const unsigned char *)"", 0, e, sizeof(e)), 0);
    ASSERT_EQ_STR(e, "");
}

/* All 256 byte values and every length 0..64 survive a round trip. */
static void
test_round_trip_all_bytes(void)
{
    unsigned char in[256], back[256];
    char e[ENC_LEN(256)];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)(255 - i);
    for (size_t len = 0; len <= 64; len++) {
        long n = enc(in, len, e, sizeof(e));
        ASSERT_EQ_INT(n, ENC_LEN(len) - 1);
        ASSERT_EQ_INT(basic_decode_token68(e, (size_t)n, back, sizeof(back)), len);
        ASSERT_EQ_MEM(back, in, len);
    }
    long n = enc(in, sizeof(in), e, sizeof(e));
    ASSERT_EQ_INT(n, sizeof(e) - 1);
    ASSERT_EQ_INT(basic_decode_token68(e, (size_t)n, back, sizeof(back)), sizeof(in));
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
    ASSERT_EQ_INT(basic_decode_token68("Zm\0v", 4, out, sizeof(out)), -EINVAL);
    /* Every byte outside the alphabet is rejected in every position of a quantum. */
    for (int c = 0; c < 256; c++) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/')
            continue;
        for (int pos = 0; pos < 4; pos++) {
            char q[9] = "QUJDQUJD";
            q[pos] = (char)c;
            q[4 + pos] = (char)c;
            ASSERT_EQ_INT(basic_decode_token68(q, 8, out, sizeof(out)), -EINVAL);
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
    int accepted = 0;
    for (int v = 0; v < 64; v++) {
        char q[5] = {'Z', alphabet[v], '=', '=', '\0'};
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
    /* basic_parse wipes its whole buffer after decoding. That covers every byte a refused
     * token68 may leave, as long as nothing is written past its decoded size. */
    memset(out, 0xaa, sizeof(out));
    ASSERT_EQ_INT(dec("Zm9.YmF=", out, 5), -EINVAL);
    ASSERT_EQ_INT(out[5], 0xaa);
    memset(out, 0xaa, sizeof(out));
    ASSERT_EQ_INT(dec("Zm9vYR==", out, 4), -EINVAL);
    ASSERT_EQ_INT(out[4], 0xaa);
}

/*
 * Decode `t` (length `len`) with libsodium's strict decoder; -1 when it refuses. Bytes
 * 0x80-0xFF are refused up front: released libsodium reads them as '/' (see
 * test_parse_bad_chars).
 */
static long
sodium_dec(const char *t, size_t len, unsigned char *out, size_t cap)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)t[i] & 0x80)
            return -1;
    size_t n = 0;
    int rc = sodium_base642bin(out, cap, t, len, NULL, &n, NULL, VARIANT);
    return rc == 0 ? (long)n : -1;
}

/* Both decoders on t[0..len): same acceptance, same bytes. Returns 1 when accepted. */
static int
agree_with_libsodium(const char *t, size_t len)
{
    unsigned char a[32], b[32];
    long ours = basic_decode_token68(t, len, a, sizeof(a));
    long theirs = sodium_dec(t, len, b, sizeof(b));
    if ((ours < 0) != (theirs < 0) ||
        (ours >= 0 && (ours != theirs || memcmp(a, b, (size_t)ours) != 0))) {
        fprintf(stderr, "disagree on %.*s: %ld vs %ld\n", (int)len, t, ours, theirs);
        ASSERT_TRUE(0);
    }
    return ours >= 0;
}

/* The decoder agrees with libsodium's on "Zm9v" followed by every "XY==" and every "XYZ="
 * with Z from a set of edge bytes: same acceptance, same bytes. */
static void
test_decode_matches_libsodium(void)
{
    static const unsigned char third[] = {'A', 'B', 'C', 'D', 'P', 'Q',  'Z',  'a',  'z', '0', '9',
                                          '+', '/', '=', '.', 0,   0x7f, 0x80, 0xff, '-', '_'};
    long agree = 0;
    for (int x = 0; x < 256; x++) {
        for (int y = 0; y < 256; y++) {
            for (size_t z = 0; z <= sizeof(third); z++) {
                char t[9] = "Zm9vXY==";
                t[4] = (char)x;
                t[5] = (char)y;
                if (z < sizeof(third))
                    t[6] = (char)third[z];
                agree += agree_with_libsodium(t, 8);
            }
        }
    }
    /* Accepted: "XY==" with the low 4 bits of Y zero (64 * 4, met twice: Z left '=' and Z
     * '='), and "XYZ=" for the three of Z whose low 2 bits are zero (A, Q, 0: 3 * 64 * 64). */
    ASSERT_EQ_INT(agree, 2 * 64 * 4 + 3 * 64 * 64);
}

/* Full blocks of eight symbols are decoded eight lanes at a time: every pair of bytes at two
 * places of the first and the second block of a 24-symbol token, against libsodium. */
static void
test_decode_blocks_match_libsodium(void)
{
    static const size_t places[][2] = {{0, 7}, {3, 4}, {9, 14}, {8, 15}, {16, 23}};
    for (size_t k = 0; k < sizeof(places) / sizeof(places[0]); k++) {
        long agree = 0;
        for (int x = 0; x < 256; x++) {
            for (int y = 0; y < 256; y++) {
                char t[] = "Zm9vYmFyLzor+/09AZaz0123";
                t[places[k][0]] = (char)x;
                t[places[k][1]] = (char)y;
                agree += agree_with_libsodium(t, 24);
            }
        }
        ASSERT_EQ_INT(agree, 64 * 64); /* any two symbols of the alphabet, nothing else */
    }
}

static void
test_encode_capacity(void)
{
    char out[16];
    const unsigned char *in = (const unsigned char *)"foobar";
    memset(out, 'x', sizeof(out));
    ASSERT_EQ_INT(enc(in, 6, out, 8), -ENOSPC); /* no room for the NUL */
    ASSERT_EQ_INT(out[0], 'x');
    ASSERT_EQ_INT(enc(in, 6, out, 9), 8);
    ASSERT_EQ_STR(out, "Zm9vYmFy");
    ASSERT_EQ_INT(out[9], 'x'); /* libsodium writes nothing past the size it is given */
    ASSERT_EQ_INT(enc(in, 1, out, 4), -ENOSPC);
    ASSERT_EQ_INT(enc(in, 1, out, 5), 4);
    ASSERT_EQ_STR(out, "Zg==");
    ASSERT_EQ_INT(enc(in, 0, out, 0), -ENOSPC);
    ASSERT_EQ_INT(ENC_LEN(0), 1);
    ASSERT_EQ_INT(ENC_LEN(1), 5);
    ASSERT_EQ_INT(ENC_LEN(3), 5);
    ASSERT_EQ_INT(ENC_LEN(4), 9);
}

/* Why enc() and transport.c size the buffer exactly: libsodium aborts on a short one. */
static void
test_encode_short_buffer_aborts(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        char out[8];
        sodium_bin2base64(out, sizeof(out), (const unsigned char *)"foobar", 6, VARIANT);
        _exit(0);
    }
    int st = 0;
    ASSERT_TRUE(pid > 0);
    ASSERT_EQ_INT(waitpid(pid, &st, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

/* ---- The same rules through basic_parse ------------------------------------------------- */

/* base64("demo:~~~?~>"): a valid user-pass whose encoding holds both '+' and '/'. */
#define GOOD "ZGVtbzp+fn4/fj4="
#define GOOD_ID "demo"
#define GOOD_SECRET "~~~?~>"
/* base64("demo:p@55w0rd"), which ends in a one-byte quantum. */
#define GOOD2 "ZGVtbzpwQDU1dzByZA=="

static struct basic_cred cred;

static bool
cred_is_zero(void)
{
    static const struct basic_cred zero;
    return memcmp(&cred, &zero, sizeof(cred)) == 0;
}

/* basic_parse("Basic " + tok[0..len)) into cred, which is first filled with a marker byte. */
static int
parse_token(const char *tok, size_t len)
{
    char hdr[64];
    if (len > sizeof(hdr) - 6)
        return 99;
    memcpy(hdr, "Basic ", 6);
    memcpy(hdr + 6, tok, len);
    memset(&cred, 0x5a, sizeof(cred));
    return basic_parse(hdr, 6 + len, &cred);
}

#define ASSERT_REFUSED_LEN(tok, len)                                                               \
    do {                                                                                           \
        ASSERT_EQ_INT(parse_token((tok), (len)), BASIC_INVALID);                                   \
        ASSERT_TRUE(cred_is_zero());                                                               \
    } while (0)
#define ASSERT_REFUSED(tok) ASSERT_REFUSED_LEN((tok), strlen(tok))

/* The canonical tokens parse, so each refusal below is down to the rule it breaks. */
static void
test_parse_canonical_controls(void)
{
    ASSERT_EQ_INT(parse_token(GOOD, strlen(GOOD)), BASIC_OK);
    ASSERT_EQ_STR(cred.id, GOOD_ID);
    ASSERT_EQ_STR(cred.secret, GOOD_SECRET);
    ASSERT_EQ_INT(parse_token(GOOD2, strlen(GOOD2)), BASIC_OK);
    ASSERT_EQ_STR(cred.id, "demo");
    ASSERT_EQ_STR(cred.secret, "p@55w0rd");
}

static void
test_parse_bad_length(void)
{
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4");     /* 15 */
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZ");   /* 17 */
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZA="); /* 19 */
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=Z");   /* 17 */
}

static void
test_parse_bad_chars(void)
{
    ASSERT_REFUSED("ZGVtbzp-fn4_fj4="); /* URL-safe alphabet */
    ASSERT_REFUSED("ZGVtbzp+fn4.fj4=");
    ASSERT_REFUSED_LEN("ZGVtbzp+\0n4/fj4=", 16);
    /* Each byte outside the alphabet in place of the '/', the '+' and the first symbol. Bytes
     * 0x80-0xFF in place of '/' are those that libsodium itself would read as '/'. */
    static const size_t at[] = {11, 6, 0};
    for (int c = 0; c < 256; c++) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/')
            continue;
        for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
            char t[] = GOOD;
            t[at[i]] = (char)c;
            ASSERT_REFUSED_LEN(t, sizeof(t) - 1);
        }
    }
}

static void
test_parse_padding_in_the_middle(void)
{
    ASSERT_REFUSED("ZGVtbw==OnBANTV3MHJk"); /* base64("demo") + base64(":p@55w0rd") */
    ASSERT_REFUSED("ZGVtbzp+=n4/fj4=");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4==fj4");
    ASSERT_REFUSED("=GVtbzp+fn4/fj4=");
}

static void
test_parse_missing_or_extra_padding(void)
{
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZA");
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZA=");
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZA===");
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZA====");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4==");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=====");
}

/*
 * Put each alphabet symbol at tok[at] of the canonical token `tok` and count the spellings that
 * basic_parse accepts; every refused one must leave the struct wiped.
 */
static int
count_accepted_variants(const char *tok, size_t at)
{
    int accepted = 0;
    for (int v = 0; v < 64; v++) {
        char t[32];
        size_t len = strlen(tok);
        memcpy(t, tok, len);
        t[at] = alphabet[v];
        if (parse_token(t, len) == BASIC_OK)
            accepted++;
        else
            ASSERT_TRUE(cred_is_zero());
    }
    return accepted;
}

/* Every other spelling of the last symbol (non-zero unused bits) is refused: only the symbols
 * with zero unused bits remain, each its own user-pass. */
static void
test_parse_non_canonical_bits(void)
{
    /* "...ZA==": the low 4 bits of the 'A' are unused. */
    ASSERT_EQ_INT(count_accepted_variants(GOOD2, strlen(GOOD2) - 3), 4);
    /* "...fj4=": the low 2 bits of the '4' are unused. */
    ASSERT_EQ_INT(count_accepted_variants(GOOD, strlen(GOOD) - 2), 16);
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZB==");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj5=");
}

static void
test_parse_whitespace(void)
{
    /* SP and HTAB around the whole value are OWS; inside the token68 nothing is. */
    static const char ws[] = " \t\r\n\v\f";
    for (size_t i = 0; i < sizeof(ws) - 1; i++) {
        char t[32];
        memcpy(t, "ZGVt", 4);
        t[4] = ws[i];
        memcpy(t + 5, &GOOD[4], sizeof(GOOD) - 4);
        ASSERT_REFUSED_LEN(t, sizeof(GOOD));
    }
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=\r\n");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=\n");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=\v");
    ASSERT_REFUSED("\rZGVtbzp+fn4/fj4=");
    ASSERT_REFUSED("ZGVtbzpw\r\n QDU1dzByZA==");
}

static void
test_parse_trailing_data(void)
{
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=AAAA");
    ASSERT_REFUSED("ZGVtbzpwQDU1dzByZA==ZGVt");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=,");
    ASSERT_REFUSED("ZGVtbzp+fn4/fj4=;x");
    ASSERT_REFUSED_LEN("ZGVtbzp+fn4/fj4=\0", 17);
    ASSERT_REFUSED_LEN("ZGVtbzp+fn4/fj4=\0\0\0\0", 20);
}

/* A refusal is reported by the result alone; errno is left as it was. */
static void
test_parse_keeps_errno(void)
{
    errno = EBADF;
    ASSERT_REFUSED("ZGVtbzp+fn4.fj4="); /* reaches the decoder, which refuses the '.' */
    ASSERT_EQ_INT(errno, EBADF);
    unsigned char out[8];
    ASSERT_EQ_INT(dec("Zm9vYmFy", out, 5), -ENOSPC);
    ASSERT_EQ_INT(dec("Zm9.", out, sizeof(out)), -EINVAL);
    ASSERT_EQ_INT(errno, EBADF);
}

static void
test_parse_empty_token(void)
{
    ASSERT_REFUSED("");
    ASSERT_REFUSED("  ");
    ASSERT_REFUSED("\t");
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
    RUN(test_decode_matches_libsodium);
    RUN(test_decode_blocks_match_libsodium);
    RUN(test_encode_capacity);
    RUN(test_encode_short_buffer_aborts);
    RUN(test_parse_canonical_controls);
    RUN(test_parse_bad_length);
    RUN(test_parse_bad_chars);
    RUN(test_parse_padding_in_the_middle);
    RUN(test_parse_missing_or_extra_padding);
    RUN(test_parse_non_canonical_bits);
    RUN(test_parse_whitespace);
    RUN(test_parse_trailing_data);
    RUN(test_parse_empty_token);
    RUN(test_parse_keeps_errno);
    return harness_done();
}
