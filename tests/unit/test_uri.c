/* SPDX-License-Identifier: MIT */
/*
 * test_uri.c: the canonical path of a request target (server/request/uri.c): both target forms,
 * what is dropped (scheme, authority with its userinfo, query, fragment), the escapes, the dot
 * segments of RFC 3986 section 5.2.4, merged slashes, the rejected forms and the exact fit of
 * the output buffer.
 */
#include "request/uri.h"

#include "harness.h"

#include <errno.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* uri_clean_path of a NUL-terminated target into out (cap bytes); returns the code. */
static int
clean(const char *target, char *out, size_t cap)
{
    return uri_clean_path(target, strlen(target), out, cap);
}

static void
test_paths(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        /* origin form; the query and fragment go */
        {"/", "/"},
        {"/a/b", "/a/b"},
        {"/a/b/", "/a/b/"},
        {"/a/b?x=1&y=/../z", "/a/b"},
        {"/a#frag/..", "/a"},
        {"/?q", "/"},
        /* absolute form: scheme, authority and userinfo go */
        {"https://user:pw@example.com:8443/a/b?q", "/a/b"},
        {"http://h", "/"},
        {"http://h?x", "/"},
        {"http://h#f", "/"},
        {"HTTP://h/A", "/A"},
        {"svn+ssh://h/x", "/x"},
        {"http://user@h/p@q", "/p@q"}, /* an "@" in the path stays */
        /* runs of "/" merge */
        {"//a///b//", "/a/b/"},
        {"///", "/"},
        /* dot segments */
        {"/a/./b", "/a/b"},
        {"/a/../b", "/b"},
        {"/a/b/..", "/a/"},
        {"/a/b/.", "/a/b/"},
        {"/..", "/"},
        {"/../../a", "/a"},
        {"/a/b/c/../../d", "/a/d"},
        {"/a/.b/..c/...", "/a/.b/..c/..."}, /* not dot segments */
        {"/.", "/"},
        {"/a//../b", "/b"},
        /* unreserved characters decoded, other escapes in upper case */
        {"/%61%70%69", "/api"},
        {"/%41%5a%7e%2d%2e%5F", "/AZ~-._"},
        {"/a%2fb", "/a%2Fb"},
        {"/a%2Fb", "/a%2Fb"},
        {"/%20x", "/%20x"},
        {"/%e2%82%ac", "/%E2%82%AC"},
        {"/%2e%2e/secret", "/secret"}, /* an encoded dot segment is one */
        {"/a/%2E/b", "/a/b"},
        {"/%", "/%25"}, /* a "%" that starts no escape is one */
        {"/%4", "/%254"},
        {"/%zz", "/%25zz"},
        {"/a%4g", "/a%254g"},
        {"/%3f", "/%3F"},             /* an escaped "?" is a path character */
        {"/e%z%e%37", "/e%25z%25e7"}, /* never an escape made of a stray "%" and a decoded one */
        {"/%%41", "/%25A"},
        {"/%2541", "/%2541"}, /* "%25" stays: it is not decoded into a new escape either */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char out[256];
        memset(out, 'X', sizeof(out));
        int n = clean(cases[i].in, out, sizeof(out));
        harness_checks++;
        if (n != (int)strlen(cases[i].out) || strcmp(out, cases[i].out) != 0)
            HARNESS_FAIL("uri_clean_path(\"%s\") = %d \"%s\", want \"%s\"", cases[i].in, n,
                         n >= 0 ? out : "", cases[i].out);
    }
    /* Only len bytes are read. */
    char out[64];
    ASSERT_EQ_INT(uri_clean_path("/a/bcd", 4, out, sizeof(out)), 4);
    ASSERT_EQ_STR(out, "/a/b");
    ASSERT_EQ_INT(uri_clean_path("/%41", 3, out, sizeof(out)), 5); /* "/%4": no escape */
    ASSERT_EQ_STR(out, "/%254");
}

static void
test_rejected(void)
{
    static const char *const bad[] = {
        "",        "*",         "a/b",    "../a",        "?x",          "#f",
        "http:/a", "http//h/a", "://h/a", "1http://h/a", "ht tp://h/a", "http:h/a",
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        char out[64];
        int rc = clean(bad[i], out, sizeof(out));
        harness_checks++;
        if (rc != -EINVAL)
            HARNESS_FAIL("uri_clean_path(\"%s\") = %d, want -EINVAL", bad[i], rc);
    }
}

/* The result and its NUL fit exactly, or the answer is -ENAMETOOLONG: never a cut path. */
static void
test_fit(void)
{
    char out[8];
    ASSERT_EQ_INT(clean("/abcdef", out, 8), 7);
    ASSERT_EQ_STR(out, "/abcdef");
    ASSERT_EQ_INT(clean("/abcdefg", out, 8), -ENAMETOOLONG);
    ASSERT_EQ_INT(clean("/ab%2Fd", out, 8), 7);
    ASSERT_EQ_INT(clean("/abc%2Fd", out, 8), -ENAMETOOLONG);
    ASSERT_EQ_INT(clean("/abcd%", out, 8), -ENAMETOOLONG); /* "/abcd%25" */
    ASSERT_EQ_INT(clean("/abc%", out, 8), 7);
    /* Decoding shortens: the escapes of a long input may fit. */
    ASSERT_EQ_INT(clean("/%61%62%63%64%65%66", out, 8), 7);
    ASSERT_EQ_STR(out, "/abcdef");
    /* The fit is judged on the decoded text, before the dot segments go. */
    ASSERT_EQ_INT(clean("/a/../bcdef", out, 8), -ENAMETOOLONG);
    ASSERT_EQ_INT(clean("/", out, 2), 1);
    ASSERT_EQ_INT(clean("/", out, 1), -ENAMETOOLONG);
    ASSERT_EQ_INT(clean("http://h", out, 2), 1);
    ASSERT_EQ_STR(out, "/");
}

int
main(void)
{
    RUN(test_paths);
    RUN(test_rejected);
    RUN(test_fit);
    return harness_done();
}
