/* SPDX-License-Identifier: MIT */
/*
 * test_query.c: the request-target as the pipeline reads it, whatever engine parsed the
 * request line: the query parameters (request/query.c: names case-sensitive, "+" and escapes
 * decoded as before, a stray "%" kept, an encoded NUL refused) and the path split from the
 * target and decoded (uri_split_target in request/uri.c: a bad escape or an encoded NUL
 * refused, the authority of an absolute-form target, userinfo included, dropped).
 */
#include "request/query.h"
#include "request/uri.h"

#include "harness.h"

#include <errno.h>

/* The value of `name` in the query text s, through a fresh parse; "(absent)" for NULL, and
 * "(refused)" when the query is refused. Copied into out. */
static const char *
value_of(const char *s, const char *name, char *out, size_t cap)
{
    struct query q = {0};
    int rc = query_parse(&q, s, strlen(s));
    const char *v = rc == 0 ? query_get(&q, name) : NULL;
    snprintf(out, cap, "%s", rc < 0 ? "(refused)" : v != NULL ? v : "(absent)");
    query_cleanup(&q);
    return out;
}

static void
test_query_values(void)
{
    char b[128];
    ASSERT_EQ_STR(value_of("id=abc&name=x", "id", b, sizeof(b)), "abc");
    ASSERT_EQ_STR(value_of("id=abc&name=x", "name", b, sizeof(b)), "x");
    ASSERT_EQ_STR(value_of("id=1&id=2", "id", b, sizeof(b)), "1"); /* the first one */
    ASSERT_EQ_STR(value_of("id=", "id", b, sizeof(b)), "");
    ASSERT_EQ_STR(value_of("id", "id", b, sizeof(b)), "(absent)"); /* no "=": no value */
    ASSERT_EQ_STR(value_of("a=1&&id=2", "id", b, sizeof(b)), "2");
    ASSERT_EQ_STR(value_of("", "id", b, sizeof(b)), "(absent)");
    ASSERT_EQ_STR(value_of("id=a=b", "id", b, sizeof(b)), "a=b");
    ASSERT_EQ_STR(value_of("=v&id=w", "", b, sizeof(b)), "v");
}

/* Names are compared as sent: URLs are case-sensitive. */
static void
test_query_case(void)
{
    char b[64];
    ASSERT_EQ_STR(value_of("ID=abc", "id", b, sizeof(b)), "(absent)");
    ASSERT_EQ_STR(value_of("Name=abc", "name", b, sizeof(b)), "(absent)");
    ASSERT_EQ_STR(value_of("ID=abc&id=def", "id", b, sizeof(b)), "def");
    ASSERT_EQ_STR(value_of("ID=abc&id=def", "ID", b, sizeof(b)), "abc");
}

/* "+" is a space, "%2B" a plus, escapes of either case decode, a stray "%" stays. */
static void
test_query_decoding(void)
{
    char b[64];
    ASSERT_EQ_STR(value_of("name=a+b", "name", b, sizeof(b)), "a b");
    ASSERT_EQ_STR(value_of("name=a%2Bb", "name", b, sizeof(b)), "a+b");
    ASSERT_EQ_STR(value_of("name=%e2%82%ac", "name", b, sizeof(b)), "\xe2\x82\xac");
    ASSERT_EQ_STR(value_of("name=100%", "name", b, sizeof(b)), "100%");
    ASSERT_EQ_STR(value_of("name=%zz%4", "name", b, sizeof(b)), "%zz%4");
    ASSERT_EQ_STR(value_of("name=%26%3D", "name", b, sizeof(b)), "&=");
    ASSERT_EQ_STR(value_of("na%6De=x", "name", b, sizeof(b)), "x");
    ASSERT_EQ_STR(value_of("my+name=x", "my name", b, sizeof(b)), "x");
}

/* An encoded NUL anywhere, in a name or a value, of any parameter, refuses the whole query. */
static void
test_query_nul(void)
{
    char b[64];
    ASSERT_EQ_STR(value_of("name=x%00junk", "name", b, sizeof(b)), "(refused)");
    ASSERT_EQ_STR(value_of("name=x&other=%00", "name", b, sizeof(b)), "(refused)");
    ASSERT_EQ_STR(value_of("na%00me=x", "name", b, sizeof(b)), "(refused)");
    ASSERT_EQ_STR(value_of("name=%00", "name", b, sizeof(b)), "(refused)");
    struct query q = {0};
    ASSERT_EQ_INT(query_parse(&q, "name=a\0b", 8), -EINVAL); /* a raw NUL as well */
    ASSERT_TRUE(q.buf == NULL);
    ASSERT_EQ_STR(value_of("name=%000", "name", b, sizeof(b)), "(refused)");
    ASSERT_EQ_STR(value_of("name=%0", "name", b, sizeof(b)), "%0"); /* not an escape */
}

/* The buffer bound holds for the densest queries (many empty parameters). */
static void
test_query_dense(void)
{
    char s[4001];
    for (size_t i = 0; i < 4000; i += 2) {
        s[i] = '=';
        s[i + 1] = '&';
    }
    s[3999] = '=';
    s[4000] = '\0';
    char b[16];
    ASSERT_EQ_STR(value_of(s, "", b, sizeof(b)), "");
    for (size_t i = 0; i < 4000; i += 2)
        s[i] = 'x';
    ASSERT_EQ_STR(value_of(s, "x", b, sizeof(b)), "(absent)"); /* the first "x" has no "=" */
}

/* The decoded path of target, its query text, or "(refused)". */
static void
split(const char *target, char *path, size_t cap, char *query, size_t qcap)
{
    const char *q = NULL;
    size_t qlen = 0;
    int n = uri_split_target(target, strlen(target), path, cap, &q, &qlen);
    if (n < 0) {
        snprintf(path, cap, "(refused %d)", n);
        snprintf(query, qcap, "-");
        return;
    }
    ASSERT_EQ_INT((size_t)n, strlen(path));
    snprintf(query, qcap, "%.*s", q != NULL ? (int)qlen : 6, q != NULL ? q : "(none)");
}

static void
test_split(void)
{
    static const struct {
        const char *target, *path, *query;
    } cases[] = {
        {"/dev/v1/project?id=1", "/dev/v1/project", "id=1"},
        {"/dev/v1/project", "/dev/v1/project", "(none)"},
        {"/dev/v1/project?", "/dev/v1/project", ""},
        {"/a%2Fb%20c?x=%00", "/a/b c", "x=%00"}, /* the query is query.c's to refuse */
        {"/a?b=1#frag", "/a", "b=1"},
        {"/A/%41", "/A/A", "(none)"},
        {"/a+b", "/a+b", "(none)"},
        {"https://id:secret@host:8443/dev/v1/projects?x=1", "/dev/v1/projects", "x=1"},
        {"http://host", "/", "(none)"},
        {"http://id:secret@host?x", "/", "x"},
        {"/dev/v1/reset_signkey%00.json", "(refused -22)", "-"},
        {"/console/%00", "(refused -22)", "-"},
        {"/a%0", "(refused -22)", "-"},
        {"/a%", "(refused -22)", "-"},
        {"/a%zz", "(refused -22)", "-"},
        {"/a%g0", "(refused -22)", "-"},
        {"*", "(refused -22)", "-"},
        {"", "(refused -22)", "-"},
        {"dev/v1", "(refused -22)", "-"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[128], query[64];
        split(cases[i].target, path, sizeof(path), query, sizeof(query));
        ASSERT_EQ_STR(path, cases[i].path);
        ASSERT_EQ_STR(query, cases[i].query);
    }
}

/* A raw NUL in the path is refused as "%00" is; a short buffer is -ENAMETOOLONG. */
static void
test_split_limits(void)
{
    char out[8];
    const char *q;
    size_t qlen;
    ASSERT_EQ_INT(uri_split_target("/a\0b", 4, out, sizeof(out), &q, &qlen), -EINVAL);
    ASSERT_EQ_INT(uri_split_target("/abcdefg", 8, out, sizeof(out), &q, &qlen), -ENAMETOOLONG);
    ASSERT_EQ_INT(uri_split_target("/abcdef", 7, out, sizeof(out), &q, &qlen), 7);
    ASSERT_EQ_STR(out, "/abcdef");
    ASSERT_EQ_INT(uri_split_target("/%41%42%43%44%45%46%47", 22, out, sizeof(out), &q, &qlen),
                  -ENAMETOOLONG);
}

int
main(void)
{
    RUN(test_query_values);
    RUN(test_query_case);
    RUN(test_query_decoding);
    RUN(test_query_nul);
    RUN(test_query_dense);
    RUN(test_split);
    RUN(test_split_limits);
    return harness_done();
}
