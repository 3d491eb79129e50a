/* SPDX-License-Identifier: MIT */
/*
 * test_body.c: request-body decoding (server/http/body.c): the object-only rule, the depth
 * pre-scan and its handling of strings, and the rejections delegated to jansson.
 */
#include "request/body.h"

#include "harness.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

static json_t *root;
static const char *why;

static int
parse_len(const char *buf, size_t len)
{
    root = (json_t *)&root; /* must be reset to NULL on failure */
    why = "unset";
    int rc = body_parse_object(buf, len, &root, &why);
    if (rc != 0)
        ASSERT_TRUE(root == NULL);
    return rc;
}

static int
parse(const char *s)
{
    return parse_len(s, strlen(s));
}

static void
drop(void)
{
    json_decref(root);
    root = NULL;
}

#define ASSERT_REJECTED(expr, reason)                                                              \
    do {                                                                                           \
        ASSERT_EQ_INT((expr), -EINVAL);                                                            \
        ASSERT_EQ_STR(why, (reason));                                                              \
    } while (0)

/* Build `depth` nested objects {"a":{"a":...{}...}} into a static buffer. */
static const char *
nested_objects(unsigned depth)
{
    static char buf[1024];
    size_t n = 0;
    for (unsigned i = 0; i < depth; i++) {
        if (i > 0) {
            memcpy(buf + n, "\"a\":", 4);
            n += 4;
        }
        buf[n++] = '{';
    }
    for (unsigned i = 0; i < depth; i++)
        buf[n++] = '}';
    buf[n] = '\0';
    return buf;
}

/* Build {"a":[[...[]...]]} with `k` nested arrays (depth k + 1) into a static buffer. */
static const char *
arrays_in_object(unsigned k)
{
    static char buf[256];
    size_t n = 0;
    memcpy(buf, "{\"a\":", 5);
    n += 5;
    for (unsigned i = 0; i < k; i++)
        buf[n++] = '[';
    for (unsigned i = 0; i < k; i++)
        buf[n++] = ']';
    memcpy(buf + n, "}", 2);
    return buf;
}

static void
test_valid_object(void)
{
    ASSERT_EQ_INT(parse("{\"name\":\"ci-key\",\"expires_in\":3600,\"tags\":[\"a\",\"b\"]}"), 0);
    ASSERT_TRUE(json_is_object(root));
    ASSERT_EQ_STR(json_string_value(json_object_get(root, "name")), "ci-key");
    ASSERT_EQ_INT(json_integer_value(json_object_get(root, "expires_in")), 3600);
    drop();
    ASSERT_EQ_INT(parse("{}"), 0);
    ASSERT_EQ_INT(json_object_size(root), 0);
    drop();
    ASSERT_EQ_INT(parse(" \t\r\n{ \"a\" : null } \n\t "), 0); /* surrounding JSON whitespace */
    ASSERT_TRUE(json_is_null(json_object_get(root, "a")));
    drop();
    ASSERT_EQ_INT(parse("{\"n\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\"}"), 0);
    drop();
}

static void
test_top_level_must_be_object(void)
{
    const char *non_objects[] = {"[]",   "[{}]",  "\"str\"", "42",       "-1.5e3",
                                 "true", "false", "null",    " [1,2,3] "};
    for (size_t i = 0; i < sizeof(non_objects) / sizeof(non_objects[0]); i++)
        ASSERT_REJECTED(parse(non_objects[i]), "request body must be a JSON object");
}

static void
test_empty(void)
{
    ASSERT_REJECTED(parse(""), "request body is empty");
    ASSERT_REJECTED(parse_len(NULL, 0), "request body is empty");
    ASSERT_REJECTED(parse(" \r\n\t "), "request body is empty");
}

static void
test_depth_limit(void)
{
    ASSERT_EQ_INT(parse(nested_objects(BODY_MAX_DEPTH)), 0);
    drop();
    ASSERT_REJECTED(parse(nested_objects(BODY_MAX_DEPTH + 1)), "request body nests too deeply");

    /* Arrays count too: an object holding 15 nested arrays is depth 16. */
    ASSERT_EQ_INT(parse(arrays_in_object(BODY_MAX_DEPTH - 1)), 0);
    drop();
    ASSERT_REJECTED(parse(arrays_in_object(BODY_MAX_DEPTH)), "request body nests too deeply");

    /* Depth is the maximum at any point, not the total number of containers. */
    ASSERT_EQ_INT(parse("{\"a\":[],\"b\":[],\"c\":{},\"d\":[[]],\"e\":[{},{},{}]}"), 0);
    drop();

    /* Deep nesting is refused before jansson, even far past its own limit. */
    size_t deep = 100000;
    char *big = malloc(deep * 2 + 1);
    ASSERT_TRUE(big != NULL);
    if (big != NULL) {
        memset(big, '[', deep);
        memset(big + deep, ']', deep);
        big[0] = '{';
        ASSERT_REJECTED(parse_len(big, deep * 2), "request body nests too deeply");
        free(big);
    }
}

static void
test_brackets_in_strings(void)
{
    /* 40 opening brackets inside a string value or key do not nest anything. */
    ASSERT_EQ_INT(parse("{\"k\":\"[[[[[[[[[[{{{{{{{{{{[[[[[[[[[[{{{{{{{{{{\"}"), 0);
    drop();
    ASSERT_EQ_INT(parse("{\"[[[[[[[[[[{{{{{{{{{{[[[[[[[[[[\":1}"), 0);
    drop();
    /* Closing brackets in strings do not lower the depth either. */
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"x\":\"]]]]]]]]]]]]]]]]]]]]\",\"y\":%s}",
             nested_objects(BODY_MAX_DEPTH));
    ASSERT_REJECTED(parse(buf), "request body nests too deeply");
}

static void
test_escaped_quotes(void)
{
    /* An escaped quote does not end the string, so the brackets after it stay inside it. */
    ASSERT_EQ_INT(parse("{\"k\":\"a\\\"[[[[[[[[[[[[[[[[[[[[\\\"b\"}"), 0);
    ASSERT_EQ_STR(json_string_value(json_object_get(root, "k")), "a\"[[[[[[[[[[[[[[[[[[[[\"b");
    drop();
    /* An escaped backslash before the quote does end the string: "\\" then real nesting. */
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"k\":\"\\\\\",\"n\":%s}", nested_objects(BODY_MAX_DEPTH));
    ASSERT_REJECTED(parse(buf), "request body nests too deeply");
    snprintf(buf, sizeof(buf), "{\"k\":\"\\\\\",\"n\":%s}", nested_objects(BODY_MAX_DEPTH - 1));
    ASSERT_EQ_INT(parse(buf), 0);
    drop();
    /* Other escapes, including \u ones, parse. */
    ASSERT_EQ_INT(parse("{\"k\":\"\\t\\n\\/\\u00e9\\ud83d\\udd11\"}"), 0);
    drop();
}

static void
test_duplicate_keys(void)
{
    ASSERT_REJECTED(parse("{\"a\":1,\"a\":2}"), "duplicate key in request body");
    ASSERT_REJECTED(parse("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}"), "duplicate key in request body");
    /* The same key in sibling objects is not a duplicate. */
    ASSERT_EQ_INT(parse("{\"a\":{\"x\":1},\"b\":{\"x\":1}}"), 0);
    drop();
}

static void
test_trailing_data(void)
{
    ASSERT_REJECTED(parse("{}x"), "request body has data after the JSON object");
    ASSERT_REJECTED(parse("{} {}"), "request body has data after the JSON object");
    ASSERT_REJECTED(parse("{\"a\":1}]"), "request body has data after the JSON object");
    ASSERT_EQ_INT(parse("{\"a\":1}\n"), 0); /* trailing whitespace is fine */
    drop();
}

static void
test_syntax_errors(void)
{
    const char *bad[] = {"{",
                         "{\"a\"}",
                         "{\"a\":}",
                         "{\"a\":1,}",
                         "{a:1}",
                         "{'a':1}",
                         "{\"a\":01}",
                         "{\"a\":\"unterminated}",
                         "{\"a\":tru}",
                         "{\"a\":\"\\x\"}",
                         "{\"a\":\"tab\there\"}",
                         "{\"a\":NaN}",
                         "{\"a\" 1}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ASSERT_REJECTED(parse(bad[i]), "request body is not valid JSON");
    ASSERT_REJECTED(parse("{\"a\":123456789012345678901234567890}"),
                    "a number in request body is out of range");
}

static void
test_nul(void)
{
    ASSERT_REJECTED(parse_len("{\"a\":\"x\0y\"}", 11), "request body contains a NUL character");
    ASSERT_REJECTED(parse_len("{}\0", 3), "request body contains a NUL character");
    ASSERT_REJECTED(parse_len("\0{}", 3), "request body contains a NUL character");
    /* The escaped form is refused too: keys and strings stay usable as C strings. */
    ASSERT_REJECTED(parse("{\"a\":\"x\\u0000y\"}"), "request body contains a NUL character");
    ASSERT_EQ_INT(parse("{\"a\\u0000\":1}"), -EINVAL);
}

static void
test_invalid_utf8(void)
{
    const char *bad[] = {
        "{\"a\":\"\xff\"}",             /* never valid */
        "{\"a\":\"\xc3\"}",             /* truncated sequence */
        "{\"a\":\"\xc0\xaf\"}",         /* overlong '/' */
        "{\"a\":\"\xed\xa0\x80\"}",     /* UTF-16 surrogate */
        "{\"a\":\"\xf4\x90\x80\x80\"}", /* above U+10FFFF */
        "{\"\xe9t\xe9\":1}",            /* Latin-1 key */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ASSERT_REJECTED(parse(bad[i]), "request body is not valid UTF-8");
}

static void
test_large_valid_body(void)
{
    /* About 60 KiB: one object of 1,000 members, each a 50-byte string. */
    size_t cap = 64 * 1024;
    char *buf = malloc(cap);
    ASSERT_TRUE(buf != NULL);
    if (buf == NULL)
        return;
    size_t n = 0;
    buf[n++] = '{';
    for (int i = 0; i < 1000; i++) {
        n += (size_t)snprintf(buf + n, cap - n, "%s\"key%04d\":\"%050d\"", i ? "," : "", i, i);
    }
    buf[n++] = '}';
    ASSERT_TRUE(n > 60 * 1000 && n < cap);
    ASSERT_EQ_INT(parse_len(buf, n), 0);
    ASSERT_EQ_INT(json_object_size(root), 1000);
    ASSERT_EQ_STR(json_string_value(json_object_get(root, "key0999")),
                  "00000000000000000000000000000000000000000000000999");
    drop();
    free(buf);
}

static void
test_why_is_optional(void)
{
    json_t *j = NULL;
    ASSERT_EQ_INT(body_parse_object("[]", 2, &j, NULL), -EINVAL);
    ASSERT_TRUE(j == NULL);
    ASSERT_EQ_INT(body_parse_object("{}", 2, &j, NULL), 0);
    ASSERT_TRUE(json_is_object(j));
    json_decref(j);
}

int
main(void)
{
    RUN(test_valid_object);
    RUN(test_top_level_must_be_object);
    RUN(test_empty);
    RUN(test_depth_limit);
    RUN(test_brackets_in_strings);
    RUN(test_escaped_quotes);
    RUN(test_duplicate_keys);
    RUN(test_trailing_data);
    RUN(test_syntax_errors);
    RUN(test_nul);
    RUN(test_invalid_utf8);
    RUN(test_large_valid_body);
    RUN(test_why_is_optional);
    return harness_done();
}
