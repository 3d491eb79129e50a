/* SPDX-License-Identifier: MIT */
/*
 * test_project_json.c: the project object as the Console API prints it: exact bytes in both
 * field orders, recording_server null vs string, an empty sign_key, escaping of the name, and
 * a jansson parse of the output compared field by field (including the key order).
 */
#include "common/alloc.h"
#include "common/buf.h"
#include "handlers/project_json.h"

#include "harness.h"

#include <jansson.h>
#include <stdlib.h>

#define VKEY "0123456789abcdef0123456789abcdef"
#define SKEY "fedcba9876543210fedcba9876543210"

static const char *const single_order[] = {
    "id", "name", "vendor_key", "sign_key", "recording_server", "status", "created"};
static const char *const list_order[] = {
    "id", "name", "sign_key", "vendor_key", "recording_server", "status", "created"};

/* A project with simple values. */
static void
sample(struct store_project *p)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->id, sizeof(p->id), "%s", "AbC123xyz");
    p->account_id = 7;
    snprintf(p->name, sizeof(p->name), "%s", "my-project");
    snprintf(p->vendor_key, sizeof(p->vendor_key), "%s", VKEY);
    snprintf(p->sign_key, sizeof(p->sign_key), "%s", SKEY);
    p->has_recording_server = false;
    p->status = 1;
    p->created = 1700000000;
}

/* project_json_write into a fresh buffer; the caller frees the result with ra_free. */
static char *
write_one(const struct store_project *p, enum project_order o, size_t *len)
{
    struct ra_buf b;
    ra_buf_init(&b, 1 << 16);
    project_json_write(&b, p, o);
    return ra_buf_steal(&b, len);
}

/* The keys of object v, in order, equal `keys`. */
static void
check_key_order(json_t *v, const char *const *keys, size_t n)
{
    const char *k;
    json_t *val;
    size_t i = 0;
    ASSERT_EQ_INT(json_object_size(v), n);
    json_object_foreach(v, k, val)
    {
        (void)val;
        if (i < n)
            ASSERT_EQ_STR(k, keys[i]);
        i++;
    }
    ASSERT_EQ_INT(i, n);
}

/* The keys appear in the raw text in this order (for values that cannot contain them). */
static void
check_raw_order(const char *text, const char *const *keys, size_t n)
{
    const char *prev = text;
    char quoted[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(quoted, sizeof(quoted), "\"%s\":", keys[i]);
        const char *at = strstr(text, quoted);
        ASSERT_TRUE(at != NULL && at >= prev);
        if (at == NULL)
            return;
        ASSERT_TRUE(strstr(at + 1, quoted) == NULL); /* exactly once */
        prev = at;
    }
}

/* Parse text and compare every field with p. */
static void
check_fields(json_t *o, const struct store_project *p)
{
    ASSERT_TRUE(json_is_object(o));
    ASSERT_EQ_STR(json_string_value(json_object_get(o, "id")), p->id);
    ASSERT_EQ_STR(json_string_value(json_object_get(o, "name")), p->name);
    ASSERT_EQ_STR(json_string_value(json_object_get(o, "vendor_key")), p->vendor_key);
    ASSERT_EQ_STR(json_string_value(json_object_get(o, "sign_key")), p->sign_key);
    json_t *rs = json_object_get(o, "recording_server");
    ASSERT_TRUE(rs != NULL);
    if (p->has_recording_server)
        ASSERT_EQ_STR(json_string_value(rs), p->recording_server);
    else
        ASSERT_TRUE(json_is_null(rs));
    ASSERT_TRUE(json_is_integer(json_object_get(o, "status")));
    ASSERT_EQ_INT(json_integer_value(json_object_get(o, "status")), p->status);
    ASSERT_TRUE(json_is_integer(json_object_get(o, "created")));
    ASSERT_EQ_INT(json_integer_value(json_object_get(o, "created")), p->created);
    /* account_id is internal and never printed. */
    ASSERT_TRUE(json_object_get(o, "account_id") == NULL);
}

static json_t *
parse(const char *text, size_t len)
{
    json_error_t err;
    json_t *v = json_loadb(text, len, 0, &err);
    if (v == NULL)
        HARNESS_FAIL("jansson: %s in %s", err.text, text);
    return v;
}

static void
test_single_exact(void)
{
    struct store_project p;
    size_t len = 0;
    sample(&p);
    char *s = project_json_single(&p, &len);
    const char *want = "{\"project\":{\"id\":\"AbC123xyz\",\"name\":\"my-project\","
                       "\"vendor_key\":\"" VKEY "\",\"sign_key\":\"" SKEY "\","
                       "\"recording_server\":null,\"status\":1,\"created\":1700000000}}";
    ASSERT_EQ_STR(s, want);
    ASSERT_EQ_INT(len, strlen(want));
    json_t *v = s ? parse(s, len) : NULL;
    if (v != NULL) {
        check_key_order(v, (const char *const[]){"project"}, 1);
        json_t *o = json_object_get(v, "project");
        check_fields(o, &p);
        check_key_order(o, single_order, 7);
    }
    if (s != NULL)
        check_raw_order(s, single_order, 7);
    json_decref(v);
    ra_free(s);

    /* project_json_write alone, single order: the inner object only. */
    s = write_one(&p, PROJECT_ORDER_SINGLE, &len);
    ASSERT_EQ_STR(s, "{\"id\":\"AbC123xyz\",\"name\":\"my-project\","
                     "\"vendor_key\":\"" VKEY "\",\"sign_key\":\"" SKEY "\","
                     "\"recording_server\":null,\"status\":1,\"created\":1700000000}");
    ra_free(s);

    /* len is optional. */
    s = project_json_single(&p, NULL);
    ASSERT_EQ_STR(s, want);
    ra_free(s);
}

static void
test_list_exact(void)
{
    struct store_project p;
    size_t len = 0;
    sample(&p);
    char *s = write_one(&p, PROJECT_ORDER_LIST, &len);
    const char *want = "{\"id\":\"AbC123xyz\",\"name\":\"my-project\","
                       "\"sign_key\":\"" SKEY "\",\"vendor_key\":\"" VKEY "\","
                       "\"recording_server\":null,\"status\":1,\"created\":1700000000}";
    ASSERT_EQ_STR(s, want);
    ASSERT_EQ_INT(len, strlen(want));
    json_t *v = s ? parse(s, len) : NULL;
    if (v != NULL) {
        check_fields(v, &p);
        check_key_order(v, list_order, 7);
    }
    if (s != NULL)
        check_raw_order(s, list_order, 7);
    json_decref(v);
    ra_free(s);

    /* Two items appended into one list body, as the list handler does. */
    struct store_project q;
    sample(&q);
    snprintf(q.id, sizeof(q.id), "%s", "second");
    snprintf(q.name, sizeof(q.name), "%s", "other");
    q.status = 0;
    q.created = 1700000001;
    q.has_recording_server = true;
    snprintf(q.recording_server, sizeof(q.recording_server), "%s", "10.0.0.1:8080");
    struct ra_buf b;
    ra_buf_init(&b, 1 << 16);
    ra_buf_puts(&b, "{\"projects\":[");
    project_json_write(&b, &p, PROJECT_ORDER_LIST);
    ra_buf_putc(&b, ',');
    project_json_write(&b, &q, PROJECT_ORDER_LIST);
    ra_buf_puts(&b, "]}");
    ASSERT_TRUE(!b.failed);
    v = parse(b.data, b.len);
    json_t *arr = json_object_get(v, "projects");
    ASSERT_EQ_INT(json_array_size(arr), 2);
    if (json_array_size(arr) == 2) {
        check_fields(json_array_get(arr, 0), &p);
        check_fields(json_array_get(arr, 1), &q);
        check_key_order(json_array_get(arr, 1), list_order, 7);
    }
    json_decref(v);
    ra_buf_cleanup(&b);
}

static void
test_recording_server(void)
{
    struct store_project p;
    size_t len;
    sample(&p);
    p.has_recording_server = true;
    snprintf(p.recording_server, sizeof(p.recording_server), "%s", "192.168.1.10:5080");
    char *s = project_json_single(&p, &len);
    ASSERT_TRUE(s != NULL && strstr(s, ",\"recording_server\":\"192.168.1.10:5080\",") != NULL);
    ASSERT_TRUE(s != NULL && strstr(s, "null") == NULL);
    json_t *v = s ? parse(s, len) : NULL;
    if (v != NULL)
        check_fields(json_object_get(v, "project"), &p);
    json_decref(v);
    ra_free(s);

    /* The flag decides, not the text: a leftover string with the flag off prints null. */
    p.has_recording_server = false;
    s = write_one(&p, PROJECT_ORDER_LIST, &len);
    ASSERT_TRUE(s != NULL && strstr(s, "\"recording_server\":null,") != NULL);
    ASSERT_TRUE(s != NULL && strstr(s, "192.168") == NULL);
    ra_free(s);

    /* An empty recording server with the flag on is the string "". */
    p.has_recording_server = true;
    p.recording_server[0] = '\0';
    s = write_one(&p, PROJECT_ORDER_SINGLE, &len);
    ASSERT_TRUE(s != NULL && strstr(s, "\"recording_server\":\"\",") != NULL);
    ra_free(s);
}

static void
test_empty_sign_key(void)
{
    struct store_project p;
    size_t len;
    sample(&p);
    p.sign_key[0] = '\0';
    p.status = 0;
    p.created = 0;
    char *s = project_json_single(&p, &len);
    ASSERT_EQ_STR(s, "{\"project\":{\"id\":\"AbC123xyz\",\"name\":\"my-project\","
                     "\"vendor_key\":\"" VKEY "\",\"sign_key\":\"\","
                     "\"recording_server\":null,\"status\":0,\"created\":0}}");
    json_t *v = s ? parse(s, len) : NULL;
    if (v != NULL) {
        json_t *o = json_object_get(v, "project");
        check_fields(o, &p);
        ASSERT_TRUE(json_is_string(json_object_get(o, "sign_key")));
        ASSERT_EQ_INT(json_string_length(json_object_get(o, "sign_key")), 0);
    }
    json_decref(v);
    ra_free(s);

    s = write_one(&p, PROJECT_ORDER_LIST, &len);
    ASSERT_EQ_STR(s, "{\"id\":\"AbC123xyz\",\"name\":\"my-project\",\"sign_key\":\"\","
                     "\"vendor_key\":\"" VKEY "\",\"recording_server\":null,"
                     "\"status\":0,\"created\":0}");
    ra_free(s);
}

static void
test_name_escaping(void)
{
    struct store_project p;
    size_t len;
    sample(&p);
    /* Quotes, a backslash, a tab, a newline, é, 日本, 😀 and a fullwidth colon. */
    snprintf(
        p.name, sizeof(p.name), "%s",
        "say \"hi\" \\ \t\n caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\xef\xbc\x9a");
    char *s = project_json_single(&p, &len);
    ASSERT_TRUE(s != NULL &&
                strstr(s, "\"name\":\"say \\\"hi\\\" \\\\ \\t\\n caf\xc3\xa9 "
                          "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\xef\xbc\x9a\",") != NULL);
    json_t *v = s ? parse(s, len) : NULL;
    if (v != NULL) {
        check_fields(json_object_get(v, "project"), &p);
        check_key_order(json_object_get(v, "project"), single_order, 7);
    }
    json_decref(v);
    ra_free(s);

    /* A name that looks like JSON keys must not be able to inject fields. */
    snprintf(p.name, sizeof(p.name), "%s", "x\",\"status\":9,\"sign_key\":\"evil");
    s = write_one(&p, PROJECT_ORDER_LIST, &len);
    v = s ? parse(s, len) : NULL;
    if (v != NULL) {
        check_fields(v, &p);
        check_key_order(v, list_order, 7);
        ASSERT_EQ_INT(json_integer_value(json_object_get(v, "status")), 1);
    }
    json_decref(v);
    ra_free(s);

    /* Control characters in the name come out escaped. */
    snprintf(p.name, sizeof(p.name), "%s",
             "a\x01"
             "b\x7f"
             "c\x1f");
    s = write_one(&p, PROJECT_ORDER_SINGLE, &len);
    ASSERT_TRUE(s != NULL && strstr(s, "\"name\":\"a\\u0001b\\u007fc\\u001f\",") != NULL);
    ra_free(s);
}

/* The largest fields the store allows fit in the single-object buffer, even when every byte
 * of the name needs a six-byte escape. */
static void
test_large(void)
{
    struct store_project p;
    size_t len;
    sample(&p);
    memset(p.name, 0x01, STORE_PROJECT_NAME_BYTES);
    p.name[STORE_PROJECT_NAME_BYTES] = '\0';
    p.has_recording_server = true;
    memset(p.recording_server, '9', STORE_RECSRV_MAX);
    p.recording_server[STORE_RECSRV_MAX] = '\0';
    p.created = INT64_MAX;
    char *s = project_json_single(&p, &len);
    ASSERT_TRUE(s != NULL);
    json_t *v = s ? parse(s, len) : NULL;
    if (v != NULL)
        check_fields(json_object_get(v, "project"), &p);
    json_decref(v);
    ra_free(s);

    /* 340 three-byte characters: 1020 bytes of UTF-8, verbatim. */
    p.name[0] = '\0';
    for (int i = 0; i < 340; i++)
        strcat(p.name, "\xe6\x97\xa5");
    ASSERT_EQ_INT(strlen(p.name), STORE_PROJECT_NAME_BYTES);
    p.created = 1;
    s = project_json_single(&p, &len);
    v = s ? parse(s, len) : NULL;
    if (v != NULL)
        check_fields(json_object_get(v, "project"), &p);
    json_decref(v);
    ra_free(s);
}

int
main(void)
{
    RUN(test_single_exact);
    RUN(test_list_exact);
    RUN(test_recording_server);
    RUN(test_empty_sign_key);
    RUN(test_name_escaping);
    RUN(test_large);
    return harness_done();
}
