/* SPDX-License-Identifier: MIT */
/*
 * test_router.c: router_match() over every (method, path) pair of the Console API, trailing
 * slashes, absolute-form targets, case sensitivity, unknown and malformed targets, and
 * router_has_body().
 */
#include "router.h"

#include "harness.h"

#include <stdlib.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const methods[] = {"GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"};

/* The documented routes; every other (method, path) combination must be ROUTE_NONE. */
static const struct {
    const char *method;
    const char *path;
    enum route route;
} known[] = {
    {"POST", "/dev/v1/project", ROUTE_PROJECT_CREATE},
    {"GET", "/dev/v1/project", ROUTE_PROJECT_GET},
    {"GET", "/dev/v1/projects", ROUTE_PROJECTS_LIST},
    {"POST", "/dev/v1/project_status", ROUTE_PROJECT_STATUS},
    {"POST", "/dev/v1/recording_config", ROUTE_RECORDING},
    {"POST", "/dev/v1/signkey", ROUTE_SIGNKEY},
    {"POST", "/dev/v1/reset_signkey", ROUTE_RESET_SIGNKEY},
    {"DELETE", "/dev/v1/project", ROUTE_PROJECT_DELETE},
};

static const char *const paths[] = {
    "/dev/v1/project",          "/dev/v1/projects", "/dev/v1/project_status",
    "/dev/v1/recording_config", "/dev/v1/signkey",  "/dev/v1/reset_signkey",
};

/* The route expected for (method, path) according to the table above. */
static enum route
expected(const char *method, const char *path)
{
    for (size_t i = 0; i < N_ELEMS(known); i++)
        if (strcmp(known[i].method, method) == 0 && strcmp(known[i].path, path) == 0)
            return known[i].route;
    return ROUTE_NONE;
}

/* Every path under every method, in origin form, with and without one trailing slash. */
static void
test_matrix(void)
{
    char buf[256];
    int matched = 0;
    for (size_t p = 0; p < N_ELEMS(paths); p++) {
        for (size_t m = 0; m < N_ELEMS(methods); m++) {
            enum route want = expected(methods[m], paths[p]);
            if (want != ROUTE_NONE)
                matched++;
            ASSERT_EQ_INT(router_match(methods[m], paths[p]), want);
            snprintf(buf, sizeof(buf), "%s/", paths[p]);
            ASSERT_EQ_INT(router_match(methods[m], buf), want);
        }
    }
    /* Each documented route was reached exactly once by the matrix. */
    ASSERT_EQ_INT(matched, (int)N_ELEMS(known));
}

/* Each route explicitly, so that a table mix-up is reported by name. */
static void
test_each_route(void)
{
    ASSERT_EQ_INT(router_match("POST", "/dev/v1/project"), ROUTE_PROJECT_CREATE);
    ASSERT_EQ_INT(router_match("GET", "/dev/v1/project"), ROUTE_PROJECT_GET);
    ASSERT_EQ_INT(router_match("GET", "/dev/v1/projects"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(router_match("POST", "/dev/v1/project_status"), ROUTE_PROJECT_STATUS);
    ASSERT_EQ_INT(router_match("POST", "/dev/v1/recording_config"), ROUTE_RECORDING);
    ASSERT_EQ_INT(router_match("POST", "/dev/v1/signkey"), ROUTE_SIGNKEY);
    ASSERT_EQ_INT(router_match("POST", "/dev/v1/reset_signkey"), ROUTE_RESET_SIGNKEY);
    ASSERT_EQ_INT(router_match("DELETE", "/dev/v1/project"), ROUTE_PROJECT_DELETE);
    /* The route values are distinct and below ROUTE_COUNT. */
    int seen[ROUTE_COUNT] = {0};
    for (size_t i = 0; i < N_ELEMS(known); i++) {
        ASSERT_TRUE(known[i].route >= 0 && known[i].route < ROUTE_COUNT);
        if (known[i].route >= 0 && known[i].route < ROUTE_COUNT)
            seen[known[i].route]++;
    }
    for (int r = 0; r < ROUTE_COUNT; r++)
        ASSERT_EQ_INT(seen[r], 1);
}

static void
test_trailing_slash(void)
{
    ASSERT_EQ_INT(router_match("GET", "/dev/v1/projects/"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(router_match("DELETE", "/dev/v1/project/"), ROUTE_PROJECT_DELETE);
    /* Only one slash is ignored. */
    ASSERT_EQ_INT(router_match("GET", "/dev/v1/projects//"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("POST", "/dev/v1/signkey///"), ROUTE_NONE);
    /* A slash elsewhere is not ignored. */
    ASSERT_EQ_INT(router_match("GET", "//dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("GET", "/dev//v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("GET", "/dev/v1//projects"), ROUTE_NONE);
}

static void
test_absolute_form(void)
{
    ASSERT_EQ_INT(router_match("GET", "http://example.com/dev/v1/projects"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(router_match("GET", "https://example.com/dev/v1/projects"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(router_match("GET", "https://127.0.0.1:8443/dev/v1/projects/"),
                  ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(router_match("POST", "https://[::1]:8443/dev/v1/project"), ROUTE_PROJECT_CREATE);
    ASSERT_EQ_INT(router_match("GET", "http://h:80/dev/v1/project"), ROUTE_PROJECT_GET);
    ASSERT_EQ_INT(router_match("POST", "https://api.example.com/dev/v1/project_status/"),
                  ROUTE_PROJECT_STATUS);
    ASSERT_EQ_INT(router_match("POST", "http://x/dev/v1/recording_config"), ROUTE_RECORDING);
    ASSERT_EQ_INT(router_match("POST", "https://x/dev/v1/signkey"), ROUTE_SIGNKEY);
    ASSERT_EQ_INT(router_match("POST", "https://x/dev/v1/reset_signkey"), ROUTE_RESET_SIGNKEY);
    ASSERT_EQ_INT(router_match("DELETE", "https://x/dev/v1/project/"), ROUTE_PROJECT_DELETE);

    /* The method still matters in absolute form. */
    ASSERT_EQ_INT(router_match("PUT", "https://x/dev/v1/project"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("POST", "https://x/dev/v1/projects"), ROUTE_NONE);
    /* The path still has to match exactly after the authority. */
    ASSERT_EQ_INT(router_match("GET", "https://x/dev/v1/projectsx"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("GET", "https://x/api/dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("GET", "https://x/dev/v1/projects//"), ROUTE_NONE);
}

static void
test_malformed_absolute(void)
{
    const char *bad[] = {
        "http://",                           /* no authority, no path */
        "https://",                          /* same */
        "https://example.com",               /* authority without a path */
        "http://example.com:8443",           /* same, with a port */
        "https:/dev/v1/projects",            /* one slash: not absolute, not origin form */
        "https:dev/v1/projects",             /* no slashes */
        "ftp://example.com/dev/v1/projects", /* another scheme */
        "httpx://example.com/dev/v1/projects",
        "example.com/dev/v1/projects", /* authority without a scheme */
        "dev/v1/projects",             /* relative */
        "://x/dev/v1/projects",
        "https://x/", /* path "/" */
        "*",          /* asterisk-form */
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        ASSERT_EQ_INT(router_match("GET", bad[i]), ROUTE_NONE);
        ASSERT_EQ_INT(router_match("POST", bad[i]), ROUTE_NONE);
    }
}

static void
test_case_sensitive(void)
{
    ASSERT_EQ_INT(router_match("get", "/dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("Get", "/dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("post", "/dev/v1/project"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("Delete", "/dev/v1/project"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("GET", "/DEV/V1/PROJECTS"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("GET", "/dev/v1/Projects"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("GET", "/Dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("POST", "/dev/V1/signkey"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("POST", "/dev/v1/SignKey"), ROUTE_NONE);
    ASSERT_EQ_INT(router_match("POST", "https://x/dev/v1/Project"), ROUTE_NONE);
}

static void
test_unknown(void)
{
    const char *bad_paths[] = {
        "",
        "/",
        "/dev",
        "/dev/",
        "/dev/v1",
        "/dev/v1/",
        "/dev/v2/projects",
        "/dev/v1/projectsx",
        "/dev/v1/project_",
        "/dev/v1/projec",
        "/dev/v1/project_statu",
        "/dev/v1/project_statuses",
        "/dev/v1/projects/extra",
        "/dev/v1/project/1",
        "/dev/v1/sign_key",
        "/dev/v1/resetsignkey",
        "/dev/v1/recording",
        "/dev/v1/project.json",
        "/dev/v1/project?id=1", /* the caller removes the query; it is not ignored here */
        "/dev/v1/../v1/projects",
        "/dev/v1/./projects",
        "/dev/v1/projects%2F",
        " /dev/v1/projects",
        "/dev/v1/projects ",
        "dev/v1/projects",
    };
    for (size_t i = 0; i < N_ELEMS(bad_paths); i++)
        for (size_t m = 0; m < N_ELEMS(methods); m++)
            ASSERT_EQ_INT(router_match(methods[m], bad_paths[i]), ROUTE_NONE);

    const char *bad_methods[] = {"", "GE", "GETS", "POST ", " POST", "DELET", "CONNECT", "TRACE"};
    for (size_t i = 0; i < N_ELEMS(bad_methods); i++)
        for (size_t p = 0; p < N_ELEMS(paths); p++)
            ASSERT_EQ_INT(router_match(bad_methods[i], paths[p]), ROUTE_NONE);
}

static void
test_has_body(void)
{
    ASSERT_EQ_INT(router_has_body(ROUTE_PROJECT_CREATE), 1);
    ASSERT_EQ_INT(router_has_body(ROUTE_PROJECT_STATUS), 1);
    ASSERT_EQ_INT(router_has_body(ROUTE_RECORDING), 1);
    ASSERT_EQ_INT(router_has_body(ROUTE_SIGNKEY), 1);
    ASSERT_EQ_INT(router_has_body(ROUTE_RESET_SIGNKEY), 1);
    ASSERT_EQ_INT(router_has_body(ROUTE_PROJECT_DELETE), 1);
    ASSERT_EQ_INT(router_has_body(ROUTE_PROJECT_GET), 0);
    ASSERT_EQ_INT(router_has_body(ROUTE_PROJECTS_LIST), 0);
    ASSERT_EQ_INT(router_has_body(ROUTE_NONE), 0);
    ASSERT_EQ_INT(router_has_body(ROUTE_COUNT), 0);
    /* Consistent with the methods: GET routes never take a body, the others always do. */
    for (size_t i = 0; i < N_ELEMS(known); i++)
        ASSERT_EQ_INT(router_has_body(known[i].route), strcmp(known[i].method, "GET") != 0);
}

int
main(void)
{
    RUN(test_matrix);
    RUN(test_each_route);
    RUN(test_trailing_slash);
    RUN(test_absolute_form);
    RUN(test_malformed_absolute);
    RUN(test_case_sensitive);
    RUN(test_unknown);
    RUN(test_has_body);
    return harness_done();
}
