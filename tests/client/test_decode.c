/* SPDX-License-Identifier: MIT */
/*
 * test_decode.c: decoding response bodies into projects, lists and error texts; the mapping
 * from HTTP status to error code; behaviour when allocations fail.
 */
#include "harness.h"

#include "client_internal.h"
#include "common/alloc.h"
#include "decode.h"

#define P_SINGLE                                                                                   \
    "{\"id\":\"7sdnf3xRH\",\"name\":\"project1\",\"vendor_key\":"                                  \
    "\"4855898a22ae4102a29b81ba76f2eae2\",\"sign_key\":\"2c01da6d6f6741df88ec47005f08572b\","      \
    "\"recording_server\":null,\"status\":1,\"created\":1464165672}"
#define P_LIST                                                                                     \
    "{\"id\":\"rxxxxxxj5u\",\"name\":\"p2\",\"sign_key\":\"\",\"vendor_key\":"                     \
    "\"eb00cd2b222a4eeaa24fc6046d90b227\",\"recording_server\":\"10.12.1.5:8080\","                \
    "\"status\":0,\"created\":1637153755}"

static enum ra_err
project(const char *body, struct ra_project **p, char *why)
{
    return ra__decode_project(body, strlen(body), p, why, 200);
}

static void
test_single(void)
{
    struct ra_project *p = NULL;
    char why[200];
    CHECK_INT(project("{\"project\":" P_SINGLE "}", &p, why), RA_OK);
    if (p != NULL) {
        CHECK_STR(p->id, "7sdnf3xRH");
        CHECK_STR(p->name, "project1");
        CHECK_STR(p->vendor_key, "4855898a22ae4102a29b81ba76f2eae2");
        CHECK_STR(p->sign_key, "2c01da6d6f6741df88ec47005f08572b");
        CHECK(p->recording_server == NULL);
        CHECK_INT(p->status, 1);
        CHECK_INT(p->created, 1464165672);
    }
    ra_project_free(p);
    /* The legacy and CN docs wrap the object in a one-element array. */
    CHECK_INT(project("{\"project\":[" P_LIST "]}", &p, why), RA_OK);
    if (p != NULL) {
        CHECK_STR(p->sign_key, "");
        CHECK_STR(p->recording_server, "10.12.1.5:8080");
        CHECK_INT(p->status, 0);
    }
    ra_project_free(p);
    /* Absent or null sign_key reads as "", absent recording_server as NULL; extras ignored. */
    CHECK_INT(project("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\","
                      "\"sign_key\":null,\"status\":1,\"created\":5,\"extra\":[1]},\"x\":2}",
                      &p, why),
              RA_OK);
    if (p != NULL) {
        CHECK_STR(p->sign_key, "");
        CHECK(p->recording_server == NULL);
    }
    ra_project_free(p);
    CHECK_INT(project("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\","
                      "\"status\":1,\"created\":5}}",
                      &p, why),
              RA_OK);
    if (p != NULL)
        CHECK_STR(p->sign_key, "");
    ra_project_free(p);
    CHECK_INT(project("{\"project\":{\"id\":\"\\u00e9t\\u00e9\",\"name\":\"\\ud83d\\ude00\","
                      "\"vendor_key\":\"v\",\"status\":1,\"created\":-1}}",
                      &p, why),
              RA_OK);
    if (p != NULL) {
        CHECK_STR(p->id, "\xc3\xa9t\xc3\xa9");
        CHECK_STR(p->name, "\xf0\x9f\x98\x80");
        CHECK_INT(p->created, -1);
    }
    ra_project_free(p);
}

/* Expect body to be refused with a reason containing `has`. */
static void
bad_single(const char *body, const char *has)
{
    struct ra_project *p = (struct ra_project *)&p;
    char why[200] = "";
    CHECK_INT(project(body, &p, why), RA_EPROTOCOL);
    CHECK(p == NULL);
    t_checks++;
    if (strstr(why, has) == NULL)
        T_FAIL("decoding %s: reason \"%s\" lacks \"%s\"", body, why, has);
}

static void
test_single_rejects(void)
{
    bad_single("", "not JSON");
    bad_single("not json", "not JSON");
    bad_single("[1]", "not a JSON object");
    bad_single("{}", "no `project`");
    bad_single("{\"project\":[]}", "not a JSON object");
    bad_single("{\"project\":[" P_SINGLE "," P_SINGLE "]}", "not a JSON object");
    bad_single("{\"project\":{\"name\":\"n\",\"vendor_key\":\"v\",\"status\":1,\"created\":1}}",
               "`id` is missing");
    bad_single("{\"project\":{\"id\":7,\"name\":\"n\",\"vendor_key\":\"v\",\"status\":1,"
               "\"created\":1}}",
               "`id` is missing or not a string");
    bad_single("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\",\"status\":\"1\","
               "\"created\":1}}",
               "`status`");
    bad_single("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\",\"status\":1,"
               "\"created\":1.5}}",
               "`created`");
    bad_single("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\",\"status\":1}}",
               "`created`");
    bad_single("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\",\"status\":1,"
               "\"created\":1,\"sign_key\":false}}",
               "`sign_key` is not a string or null");
    bad_single("{\"project\":{\"id\":\"a\",\"name\":\"n\\u0000x\",\"vendor_key\":\"v\","
               "\"status\":1,\"created\":1}}",
               "not JSON"); /* jansson refuses \u0000 */
    bad_single("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\",\"status\":1,"
               "\"status\":0,\"created\":1}}",
               "not JSON");
    bad_single("{\"project\":{\"id\":\"a\",\"name\":\"n\",\"vendor_key\":\"v\","
               "\"status\":99999999999,\"created\":1}}",
               "`status` is out of range");
}

static void
test_lists(void)
{
    struct ra_projects *l = NULL;
    char why[200] = "";
    const char *body = "{\"projects\":[" P_SINGLE "," P_LIST "]}";
    CHECK_INT(ra__decode_projects(body, strlen(body), &l, why, sizeof(why)), RA_OK);
    if (l != NULL) {
        CHECK_INT(l->count, 2);
        CHECK_STR(l->items[0].id, "7sdnf3xRH");
        CHECK_STR(l->items[1].recording_server, "10.12.1.5:8080");
    }
    ra_projects_free(l);
    body = "{\"projects\":[]}";
    CHECK_INT(ra__decode_projects(body, strlen(body), &l, why, sizeof(why)), RA_OK);
    if (l != NULL) {
        CHECK_INT(l->count, 0);
        CHECK(l->items == NULL);
    }
    ra_projects_free(l);
    body = "{\"project\":[" P_LIST "]}"; /* the key used by the 2020-07 docs */
    CHECK_INT(ra__decode_projects(body, strlen(body), &l, why, sizeof(why)), RA_OK);
    if (l != NULL)
        CHECK_INT(l->count, 1);
    ra_projects_free(l);
    const char *bad[] = {"{\"projects\":{}}", "{}", "{\"projects\":[" P_SINGLE ",3]}",
                         "{\"projects\":[" P_SINGLE ",{\"id\":\"x\"}]}", "null"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        l = (struct ra_projects *)&l;
        CHECK_INT(ra__decode_projects(bad[i], strlen(bad[i]), &l, why, sizeof(why)), RA_EPROTOCOL);
        CHECK(l == NULL);
    }
}

static void
test_success_and_errors(void)
{
    char why[200], msg[64];
    CHECK_INT(ra__decode_success("{\"success\":true}", 16, why, sizeof(why)), RA_OK);
    CHECK_INT(ra__decode_success("{\"success\":false}", 17, why, sizeof(why)), RA_EPROTOCOL);
    CHECK_INT(ra__decode_success("{}", 2, why, sizeof(why)), RA_EPROTOCOL);
    CHECK_INT(ra__decode_success("", 0, why, sizeof(why)), RA_EPROTOCOL);
    const char *b = "{\"status\":\"error\",\"message\":\"project not exist\"}";
    ra__error_text(b, strlen(b), msg, sizeof(msg));
    CHECK_STR(msg, "project not exist");
    b = "{\"error_msg\":\"project not exist\"}";
    ra__error_text(b, strlen(b), msg, sizeof(msg));
    CHECK_STR(msg, "project not exist");
    b = "{\"message\":\"two\\nlines\\u001b[31m\"}";
    ra__error_text(b, strlen(b), msg, sizeof(msg));
    CHECK_STR(msg, "two?lines?[31m");
    b = "{\"message\":7}";
    ra__error_text(b, strlen(b), msg, sizeof(msg));
    CHECK_STR(msg, "");
    b = "<html>502</html>";
    ra__error_text(b, strlen(b), msg, sizeof(msg));
    CHECK_STR(msg, "");
    ra__error_text(NULL, 0, msg, sizeof(msg));
    CHECK_STR(msg, "");
    char small[6];
    b = "{\"message\":\"API rate limit exceeded\"}";
    ra__error_text(b, strlen(b), small, sizeof(small));
    CHECK_STR(small, "API r");
}

static void
test_status_map(void)
{
    CHECK_INT(ra__status_err(200), RA_OK);
    CHECK_INT(ra__status_err(201), RA_OK);
    CHECK_INT(ra__status_err(204), RA_OK);
    CHECK_INT(ra__status_err(400), RA_EREQUEST);
    CHECK_INT(ra__status_err(401), RA_EAUTH);
    CHECK_INT(ra__status_err(403), RA_EFORBIDDEN);
    CHECK_INT(ra__status_err(404), RA_ENOTFOUND);
    CHECK_INT(ra__status_err(413), RA_EREQUEST);
    CHECK_INT(ra__status_err(415), RA_EREQUEST);
    CHECK_INT(ra__status_err(429), RA_ERATELIMIT);
    CHECK_INT(ra__status_err(500), RA_ESERVER);
    CHECK_INT(ra__status_err(503), RA_ESERVER);
    CHECK_INT(ra__status_err(302), RA_EPROTOCOL);
    CHECK_INT(ra__status_err(0), RA_EPROTOCOL);
}

/* Fail each allocation of a list decode in turn: RA_ENOMEM or success, and no leak. */
static void
test_alloc_failures(void)
{
    const char *body = "{\"projects\":[" P_SINGLE "," P_LIST "]}";
    int oom = 0;
    for (unsigned long nth = 1; nth <= 20; nth++) {
        struct ra_projects *l = NULL;
        char why[200];
        ra_alloc_fail_at(nth);
        enum ra_err e = ra__decode_projects(body, strlen(body), &l, why, sizeof(why));
        ra_alloc_fail_at(0);
        CHECK(e == RA_OK || e == RA_ENOMEM);
        CHECK((e == RA_OK) == (l != NULL));
        oom += e == RA_ENOMEM;
        ra_projects_free(l);
    }
    /* The list, its items, four strings of the first project (recording_server is null) and
     * five of the second. */
    CHECK_INT(oom, 2 + 4 + 5);
}

int
main(void)
{
    RUN(test_single);
    RUN(test_single_rejects);
    RUN(test_lists);
    RUN(test_success_and_errors);
    RUN(test_status_map);
    RUN(test_alloc_failures);
    return tests_done();
}
