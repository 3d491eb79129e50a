/* SPDX-License-Identifier: MIT */
/*
 * test_basic.c: the Authorization header parser (server/auth/basic.c): every rule of basic.h
 * and every parsing pitfall of RFC 7617 and RFC 7235 (docs/contract.md).
 */
#include "auth/basic.h"

#include "harness.h"

#include <sodium.h>
#include <stdbool.h>

/* A struct filled with a marker byte, so a test can tell "wiped" from "untouched". */
static struct basic_cred cred;

static int
parse(const char *value)
{
    memset(&cred, 0x5a, sizeof(cred));
    return basic_parse(value, strlen(value), &cred);
}

static int
parse_len(const char *value, size_t len)
{
    memset(&cred, 0x5a, sizeof(cred));
    return basic_parse(value, len, &cred);
}

static bool
cred_is_zero(void)
{
    const unsigned char *p = (const unsigned char *)&cred;
    for (size_t i = 0; i < sizeof(cred); i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

/* Build "<prefix>base64(userpass[0..n))<suffix>" into out (NUL-terminated). */
static size_t
make_header(char *out, size_t cap, const char *prefix, const void *userpass, size_t n,
            const char *suffix)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    if (pl + need + sl > cap)
        return 0;
    memcpy(out, prefix, pl);
    sodium_bin2base64(out + pl, need, userpass, n, sodium_base64_VARIANT_ORIGINAL);
    size_t m = need - 1;
    memcpy(out + pl + m, suffix, sl + 1);
    return pl + m + sl;
}

/* Parse "Basic " + base64(userpass) and return the status. */
static int
parse_userpass(const void *userpass, size_t n)
{
    char hdr[4096];
    size_t len = make_header(hdr, sizeof(hdr), "Basic ", userpass, n, "");
    return parse_len(hdr, len);
}

#define ASSERT_OK_CRED(want_id, want_secret)                                                       \
    do {                                                                                           \
        ASSERT_EQ_STR(cred.id, (want_id));                                                         \
        ASSERT_EQ_INT(cred.id_len, strlen(want_id));                                               \
        ASSERT_EQ_STR(cred.secret, (want_secret));                                                 \
        ASSERT_EQ_INT(cred.secret_len, strlen(want_secret));                                       \
    } while (0)

#define ASSERT_FAILS(expr, status)                                                                 \
    do {                                                                                           \
        ASSERT_EQ_INT((expr), (status));                                                           \
        ASSERT_TRUE(cred_is_zero());                                                               \
    } while (0)

/* The example from Agora's RESTful authentication page. */
static void
test_agora_example(void)
{
    ASSERT_EQ_INT(parse("Basic ZGVtbzpwQDU1dzByZA=="), BASIC_OK);
    ASSERT_OK_CRED("demo", "p@55w0rd");
}

static void
test_scheme_case_insensitive(void)
{
    const char *schemes[] = {"Basic", "basic", "BASIC", "bAsIc", "BaSiC"};
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        char hdr[64];
        snprintf(hdr, sizeof(hdr), "%s ZGVtbzpwQDU1dzByZA==", schemes[i]);
        ASSERT_EQ_INT(parse(hdr), BASIC_OK);
        ASSERT_OK_CRED("demo", "p@55w0rd");
    }
}

static void
test_separator_whitespace(void)
{
    ASSERT_EQ_INT(parse("Basic ZGVtbzpwQDU1dzByZA=="), BASIC_OK);
    ASSERT_EQ_INT(parse("Basic     ZGVtbzpwQDU1dzByZA=="), BASIC_OK); /* http-auth#121 */
    ASSERT_OK_CRED("demo", "p@55w0rd");
    ASSERT_EQ_INT(parse("Basic\tZGVtbzpwQDU1dzByZA=="), BASIC_OK);
    ASSERT_OK_CRED("demo", "p@55w0rd");
    ASSERT_EQ_INT(parse("Basic \t \tZGVtbzpwQDU1dzByZA=="), BASIC_OK);
    ASSERT_OK_CRED("demo", "p@55w0rd");
    /* Only SP and HTAB separate; other whitespace glues the scheme to something else. */
    ASSERT_FAILS(parse("Basic\nZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
    ASSERT_FAILS(parse("Basic\rZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
    ASSERT_FAILS(parse("Basic\vZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
}

static void
test_no_separator_is_another_scheme(void)
{
    ASSERT_FAILS(parse("BasicZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
    ASSERT_FAILS(parse("Basicxyz"), BASIC_ABSENT);
    ASSERT_FAILS(parse("Basic:ZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
    ASSERT_FAILS(parse("Basics ZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
}

static void
test_other_schemes_absent(void)
{
    ASSERT_FAILS(parse("Bearer abc.def.ghi"), BASIC_ABSENT);
    ASSERT_FAILS(parse("Digest username=\"demo\", realm=\"x\""), BASIC_ABSENT);
    ASSERT_FAILS(parse("Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag"), BASIC_ABSENT);
    ASSERT_FAILS(parse("ZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT); /* token68 without a scheme */
    ASSERT_FAILS(parse("Basi ZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
    ASSERT_FAILS(parse("Bas"), BASIC_ABSENT);
    ASSERT_FAILS(parse("Ba\xc3\x9fic ZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
    /* A byte that is not a letter must not match one through case folding. */
    ASSERT_FAILS(parse_len("B\0sic ZGVtbzpwQDU1dzByZA==", 26), BASIC_ABSENT);
    ASSERT_FAILS(parse("B\x01sic ZGVtbzpwQDU1dzByZA=="), BASIC_ABSENT);
}

static void
test_empty_and_bare_scheme(void)
{
    ASSERT_FAILS(parse(""), BASIC_ABSENT);
    ASSERT_FAILS(parse_len(NULL, 0), BASIC_ABSENT);
    ASSERT_FAILS(parse("   "), BASIC_ABSENT);
    ASSERT_FAILS(parse("\t"), BASIC_ABSENT);
    ASSERT_FAILS(parse("Basic"), BASIC_INVALID);
    ASSERT_FAILS(parse("basic"), BASIC_INVALID);
    ASSERT_FAILS(parse("Basic "), BASIC_INVALID);
    ASSERT_FAILS(parse("Basic \t  "), BASIC_INVALID);
    ASSERT_FAILS(parse("  Basic  "), BASIC_INVALID);
}

static void
test_surrounding_ows(void)
{
    ASSERT_EQ_INT(parse(" Basic ZGVtbzpwQDU1dzByZA=="), BASIC_OK);
    ASSERT_OK_CRED("demo", "p@55w0rd");
    ASSERT_EQ_INT(parse("Basic ZGVtbzpwQDU1dzByZA== "), BASIC_OK); /* Furl#76 */
    ASSERT_OK_CRED("demo", "p@55w0rd");
    ASSERT_EQ_INT(parse("\t \tBasic ZGVtbzpwQDU1dzByZA==\t \t"), BASIC_OK);
    ASSERT_OK_CRED("demo", "p@55w0rd");
    /* OWS is stripped around the whole value only, not inside the token68. */
    ASSERT_FAILS(parse("Basic ZGVt bzpwQDU1dzByZA=="), BASIC_INVALID);
    ASSERT_FAILS(parse("Basic ZGVtbzpwQDU1dzByZA==\r\n"), BASIC_INVALID);
}

static void
test_first_colon_split(void)
{
    ASSERT_EQ_INT(parse_userpass("demo:pa:ss:word", 15), BASIC_OK); /* passport-http#20 */
    ASSERT_OK_CRED("demo", "pa:ss:word");
    ASSERT_EQ_INT(parse_userpass("foo:::bar", 9), BASIC_OK); /* yaws#477 */
    ASSERT_OK_CRED("foo", "::bar");
    ASSERT_EQ_INT(parse_userpass("a::", 3), BASIC_OK);
    ASSERT_OK_CRED("a", ":");
    ASSERT_EQ_INT(parse_userpass("a:b", 3), BASIC_OK);
    ASSERT_OK_CRED("a", "b");
}

static void
test_colon_and_empty_parts(void)
{
    ASSERT_FAILS(parse_userpass("demo", 4), BASIC_INVALID);     /* no colon */
    ASSERT_FAILS(parse_userpass(":secret", 7), BASIC_INVALID);  /* empty id */
    ASSERT_FAILS(parse_userpass("demo:", 5), BASIC_INVALID);    /* empty secret */
    ASSERT_FAILS(parse_userpass(":", 1), BASIC_INVALID);        /* both empty */
    ASSERT_FAILS(parse_userpass("::secret", 8), BASIC_INVALID); /* empty id, colon first */
    ASSERT_FAILS(parse("Basic ZGVtbw=="), BASIC_INVALID);       /* "demo" */
    ASSERT_FAILS(parse("Basic OnNlY3JldA=="), BASIC_INVALID);   /* ":secret" */
}

static void
test_ctl_rejected(void)
{
    static const unsigned char ctls[] = {0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f};
    for (size_t i = 0; i < sizeof(ctls); i++) {
        char up[16];
        memcpy(up, "de?o:se?ret", 11);
        up[2] = (char)ctls[i]; /* in the id */
        ASSERT_FAILS(parse_userpass(up, 11), BASIC_INVALID);
        memcpy(up, "demo:se?ret", 11);
        up[7] = (char)ctls[i]; /* in the secret */
        ASSERT_FAILS(parse_userpass(up, 11), BASIC_INVALID);
        memcpy(up, "demo:secret?", 12);
        up[11] = (char)ctls[i]; /* at the very end */
        ASSERT_FAILS(parse_userpass(up, 12), BASIC_INVALID);
    }
    /* The printable neighbours of the CTL range are fine, and so are non-ASCII bytes. */
    ASSERT_EQ_INT(parse_userpass(" d~:\x20s\x7e", 7), BASIC_OK);
    ASSERT_OK_CRED(" d~", " s~");
    ASSERT_EQ_INT(parse_userpass("j\xc3\xb6rg:p\xc3\xa4ss", 11), BASIC_OK);
    ASSERT_OK_CRED("j\xc3\xb6rg", "p\xc3\xa4ss");
}

static void
test_strict_base64(void)
{
    ASSERT_FAILS(parse("Basic ZGVtbzpwQDU1dzByZA"), BASIC_INVALID); /* pyoidc#199 */
    ASSERT_FAILS(parse("Basic ZGVtbzpwQDU1dzByZA="), BASIC_INVALID);
    ASSERT_FAILS(parse("Basic ZGVtbzpwQDU1dzByZA==ZGVt"), BASIC_INVALID); /* pnpm#14261 */
    ASSERT_FAILS(parse("Basic ZGVtbzpwQDU1dzByZA===="), BASIC_INVALID);
    ASSERT_FAILS(parse("Basic ZGVtbzpwQDU1dzByZB=="), BASIC_INVALID); /* non-canonical bits */
    ASSERT_FAILS(parse("Basic ZGVtbzpwQDU1dzByZA-_"), BASIC_INVALID); /* URL-safe alphabet */
    ASSERT_FAILS(parse("Basic ZGVtbzpw.DU1dzByZA=="), BASIC_INVALID);
    ASSERT_FAILS(parse("Basic realm=\"x\""), BASIC_INVALID); /* auth-param form */
    ASSERT_FAILS(parse("Basic ===="), BASIC_INVALID);
    ASSERT_FAILS(parse_len("Basic Zm9v\0Zm9v", 15), BASIC_INVALID);
}

static void
test_value_length_cap(void)
{
    char hdr[BASIC_MAX_VALUE + 64];
    /* A valid header padded with OWS up to exactly the cap parses... */
    size_t len = make_header(hdr, sizeof(hdr), "Basic ", "demo:p@55w0rd", 13, "");
    memset(hdr + len, ' ', BASIC_MAX_VALUE - len);
    ASSERT_EQ_INT(parse_len(hdr, BASIC_MAX_VALUE), BASIC_OK);
    ASSERT_OK_CRED("demo", "p@55w0rd");
    /* ...and one byte more is refused without decoding. */
    hdr[BASIC_MAX_VALUE] = ' ';
    ASSERT_FAILS(parse_len(hdr, BASIC_MAX_VALUE + 1), BASIC_INVALID);
    /* Same with the length taken by separator spaces rather than trailing ones. */
    memset(hdr, ' ', sizeof(hdr));
    memcpy(hdr, "Basic", 5);
    memcpy(hdr + BASIC_MAX_VALUE + 1 - 20, "ZGVtbzpwQDU1dzByZA==", 20);
    ASSERT_FAILS(parse_len(hdr, BASIC_MAX_VALUE + 1), BASIC_INVALID);
    ASSERT_EQ_INT(parse_len(hdr + 1, BASIC_MAX_VALUE), BASIC_ABSENT); /* "asic ..." */
    /* An over-long value in another scheme stays ABSENT. */
    memset(hdr, 'x', sizeof(hdr));
    memcpy(hdr, "Bearer ", 7);
    ASSERT_FAILS(parse_len(hdr, sizeof(hdr)), BASIC_ABSENT);
    /* A long but well-formed token68 of 'A's: over the cap is INVALID. */
    memset(hdr, 'A', sizeof(hdr));
    memcpy(hdr, "Basic ", 6);
    ASSERT_FAILS(parse_len(hdr, 6 + 1020), BASIC_INVALID);
    /* Within the cap but decoding to more than any valid id:secret (no room to decode). */
    ASSERT_FAILS(parse_len(hdr, 6 + 1016), BASIC_INVALID);
}

static void
test_id_and_secret_limits(void)
{
    char up[BASIC_MAX_ID + BASIC_MAX_SECRET + 8];
    /* id of exactly BASIC_MAX_ID and secret of exactly BASIC_MAX_SECRET are accepted. */
    memset(up, 'i', BASIC_MAX_ID);
    up[BASIC_MAX_ID] = ':';
    memset(up + BASIC_MAX_ID + 1, 's', BASIC_MAX_SECRET);
    size_t n = BASIC_MAX_ID + 1 + BASIC_MAX_SECRET;
    ASSERT_EQ_INT(parse_userpass(up, n), BASIC_OK);
    ASSERT_EQ_INT(cred.id_len, BASIC_MAX_ID);
    ASSERT_EQ_INT(cred.secret_len, BASIC_MAX_SECRET);
    ASSERT_EQ_INT(strlen(cred.id), BASIC_MAX_ID);
    ASSERT_EQ_INT(strlen(cred.secret), BASIC_MAX_SECRET);
    ASSERT_EQ_INT(cred.secret[BASIC_MAX_SECRET - 1], 's');

    /* One more byte of secret. */
    up[n] = 's';
    ASSERT_FAILS(parse_userpass(up, n + 1), BASIC_INVALID);

    /* One more byte of id (secret short). */
    memset(up, 'i', BASIC_MAX_ID + 1);
    memcpy(up + BASIC_MAX_ID + 1, ":s", 2);
    ASSERT_FAILS(parse_userpass(up, BASIC_MAX_ID + 3), BASIC_INVALID);
    memcpy(up + BASIC_MAX_ID, ":s", 2);
    ASSERT_EQ_INT(parse_userpass(up, BASIC_MAX_ID + 2), BASIC_OK);
    ASSERT_EQ_INT(cred.id_len, BASIC_MAX_ID);
    char want_id[BASIC_MAX_ID + 1];
    memset(want_id, 'i', BASIC_MAX_ID);
    want_id[BASIC_MAX_ID] = '\0';
    ASSERT_OK_CRED(want_id, "s");
}

static void
test_wipe(void)
{
    ASSERT_EQ_INT(parse("Basic ZGVtbzpwQDU1dzByZA=="), BASIC_OK);
    basic_cred_wipe(&cred);
    ASSERT_TRUE(cred_is_zero());
    /* A failure after a success leaves nothing of the earlier secret behind. */
    struct basic_cred c;
    const char *ok = "Basic ZGVtbzpwQDU1dzByZA==";
    ASSERT_EQ_INT(basic_parse(ok, strlen(ok), &c), BASIC_OK);
    const char *bad = "Basic ZGVtbzpwQDU1dzByZA";
    ASSERT_EQ_INT(basic_parse(bad, strlen(bad), &c), BASIC_INVALID);
    static const struct basic_cred zero;
    ASSERT_EQ_MEM(&c, &zero, sizeof(c));
}

/*
 * Every byte at every place of a 19-byte user-pass, split eight bytes at a time and then one by
 * one: refused exactly for the CTLs; a colon splits at its first place only.
 */
static void
test_every_byte_everywhere(void)
{
    for (int c = 0; c < 256; c++) {
        bool ctl = c < 0x20 || c == 0x7f;
        for (size_t at = 0; at < 19; at++) {
            char up[] = "abcdefghi:klmnopqrs"; /* the colon at 9 */
            up[at] = (char)c;
            int rc = parse_userpass(up, 19);
            if (ctl || (at == 9 && c != ':')) { /* a CTL, or no colon left */
                ASSERT_EQ_INT(rc, BASIC_INVALID);
                continue;
            }
            size_t colon = c == ':' && at < 9 ? at : 9;               /* the first colon splits */
            ASSERT_EQ_INT(rc, colon == 0 ? BASIC_INVALID : BASIC_OK); /* an empty id */
            if (rc == BASIC_OK) {
                ASSERT_EQ_INT(cred.id_len, colon);
                ASSERT_EQ_MEM(cred.id, up, colon);
                ASSERT_EQ_INT(cred.secret_len, 18 - colon);
                ASSERT_EQ_MEM(cred.secret, up + colon + 1, 18 - colon);
            }
        }
    }
}

int
main(void)
{
    RUN(test_agora_example);
    RUN(test_scheme_case_insensitive);
    RUN(test_separator_whitespace);
    RUN(test_no_separator_is_another_scheme);
    RUN(test_other_schemes_absent);
    RUN(test_empty_and_bare_scheme);
    RUN(test_surrounding_ows);
    RUN(test_first_colon_split);
    RUN(test_colon_and_empty_parts);
    RUN(test_ctl_rejected);
    RUN(test_strict_base64);
    RUN(test_value_length_cap);
    RUN(test_id_and_secret_limits);
    RUN(test_wipe);
    RUN(test_every_byte_everywhere);
    return harness_done();
}
