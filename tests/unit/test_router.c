/* SPDX-License-Identifier: MIT */
/*
 * test_router.c: router_path() and route_of() over the REST route table
 * (handlers/routes.c): every (method, path) pair of the Console API, trailing slashes,
 * absolute-form targets, case sensitivity, unknown and malformed targets; which routes take a
 * body; the rate classes; the console's project routes sharing the REST handlers and rate
 * classes; prefix routes and routes for every method, on a table of the test's own and on
 * forward authentication's (handlers/forward.c).
 */
#include "console/console.h"
#include "handlers/credentials.h"
#include "handlers/forward.h"
#include "handlers/projects.h"
#include "handlers/routes.h"
#include "request/router.h"

#include "harness.h"

#include <stdlib.h>

/* Names for the documented endpoints, bound below to the handler each must reach. */
enum endpoint {
    ROUTE_PROJECT_CREATE,
    ROUTE_PROJECT_GET,
    ROUTE_PROJECTS_LIST,
    ROUTE_PROJECT_STATUS,
    ROUTE_RECORDING,
    ROUTE_SIGNKEY,
    ROUTE_RESET_SIGNKEY,
    ROUTE_PROJECT_DELETE,
    ROUTE_CREDENTIALS_LIST,
    ROUTE_COUNT,
    ROUTE_NONE = -1,
};

static const route_handler_fn handler_of[ROUTE_COUNT] = {
    [ROUTE_PROJECT_CREATE] = projects_create,       [ROUTE_PROJECT_GET] = projects_get,
    [ROUTE_PROJECTS_LIST] = projects_list,          [ROUTE_PROJECT_STATUS] = projects_status,
    [ROUTE_RECORDING] = projects_recording,         [ROUTE_SIGNKEY] = projects_signkey,
    [ROUTE_RESET_SIGNKEY] = projects_reset_signkey, [ROUTE_PROJECT_DELETE] = projects_delete_legacy,
    [ROUTE_CREDENTIALS_LIST] = credentials_list,
};

/* The table entry a target reaches, or NULL. */
static const struct route *
entry(const char *method, const char *target)
{
    size_t len = 0;
    const char *path = router_path(target, &len);
    return path ? router_match(rest_routes, rest_routes_count, method, path, len, NULL) : NULL;
}

/* The endpoint a target reaches, named by the handler of its table entry. */
static enum endpoint
route_of(const char *method, const char *target)
{
    const struct route *r = entry(method, target);
    for (int i = 0; r != NULL && i < ROUTE_COUNT; i++)
        if (r->handler == handler_of[i])
            return (enum endpoint)i;
    return ROUTE_NONE;
}

/* 1 when the endpoint's table entry takes a JSON body, else 0 (also for no endpoint). */
static int
takes_body(enum endpoint want)
{
    for (size_t i = 0; want >= 0 && want < ROUTE_COUNT && i < rest_routes_count; i++)
        if (rest_routes[i].handler == handler_of[want])
            return (rest_routes[i].flags & ROUTE_BODY) != 0;
    return 0;
}

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const methods[] = {"GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"};

/* The documented routes; every other (method, path) combination must be ROUTE_NONE, except
 * HEAD, which every GET route takes too (RFC 9110 section 9.3.2). */
static const struct {
    const char *method;
    const char *path;
    enum endpoint route;
} known[] = {
    {"POST", "/dev/v1/project", ROUTE_PROJECT_CREATE},
    {"GET", "/dev/v1/project", ROUTE_PROJECT_GET},
    {"GET", "/dev/v1/projects", ROUTE_PROJECTS_LIST},
    {"POST", "/dev/v1/project_status", ROUTE_PROJECT_STATUS},
    {"POST", "/dev/v1/recording_config", ROUTE_RECORDING},
    {"POST", "/dev/v1/signkey", ROUTE_SIGNKEY},
    {"POST", "/dev/v1/reset_signkey", ROUTE_RESET_SIGNKEY},
    {"DELETE", "/dev/v1/project", ROUTE_PROJECT_DELETE},
    {"GET", "/dev/v1/credentials", ROUTE_CREDENTIALS_LIST},
};

static const char *const paths[] = {
    "/dev/v1/project",          "/dev/v1/projects", "/dev/v1/project_status",
    "/dev/v1/recording_config", "/dev/v1/signkey",  "/dev/v1/reset_signkey",
    "/dev/v1/credentials",
};

/* The route expected for (method, path) according to the table above. */
static enum endpoint
expected(const char *method, const char *path)
{
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
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
            enum endpoint want = expected(methods[m], paths[p]);
            if (want != ROUTE_NONE && strcmp(methods[m], "HEAD") != 0)
                matched++;
            ASSERT_EQ_INT(route_of(methods[m], paths[p]), want);
            snprintf(buf, sizeof(buf), "%s/", paths[p]);
            ASSERT_EQ_INT(route_of(methods[m], buf), want);
        }
    }
    /* Each documented route was reached exactly once by the matrix. */
    ASSERT_EQ_INT(matched, (int)N_ELEMS(known));
}

/* Each route explicitly, so that a table mix-up is reported by name. */
static void
test_each_route(void)
{
    ASSERT_EQ_INT(route_of("POST", "/dev/v1/project"), ROUTE_PROJECT_CREATE);
    ASSERT_EQ_INT(route_of("GET", "/dev/v1/project"), ROUTE_PROJECT_GET);
    ASSERT_EQ_INT(route_of("GET", "/dev/v1/projects"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(route_of("HEAD", "/dev/v1/project"), ROUTE_PROJECT_GET);
    ASSERT_EQ_INT(route_of("HEAD", "/dev/v1/projects"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(route_of("HEAD", "/dev/v1/signkey"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("POST", "/dev/v1/project_status"), ROUTE_PROJECT_STATUS);
    ASSERT_EQ_INT(route_of("POST", "/dev/v1/recording_config"), ROUTE_RECORDING);
    ASSERT_EQ_INT(route_of("POST", "/dev/v1/signkey"), ROUTE_SIGNKEY);
    ASSERT_EQ_INT(route_of("POST", "/dev/v1/reset_signkey"), ROUTE_RESET_SIGNKEY);
    ASSERT_EQ_INT(route_of("DELETE", "/dev/v1/project"), ROUTE_PROJECT_DELETE);
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
    ASSERT_EQ_INT(route_of("GET", "/dev/v1/projects/"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(route_of("DELETE", "/dev/v1/project/"), ROUTE_PROJECT_DELETE);
    /* Only one slash is ignored. */
    ASSERT_EQ_INT(route_of("GET", "/dev/v1/projects//"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("POST", "/dev/v1/signkey///"), ROUTE_NONE);
    /* A slash elsewhere is not ignored. */
    ASSERT_EQ_INT(route_of("GET", "//dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("GET", "/dev//v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("GET", "/dev/v1//projects"), ROUTE_NONE);
}

static void
test_absolute_form(void)
{
    ASSERT_EQ_INT(route_of("GET", "http://example.com/dev/v1/projects"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(route_of("GET", "https://example.com/dev/v1/projects"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(route_of("GET", "https://127.0.0.1:8443/dev/v1/projects/"), ROUTE_PROJECTS_LIST);
    ASSERT_EQ_INT(route_of("POST", "https://[::1]:8443/dev/v1/project"), ROUTE_PROJECT_CREATE);
    ASSERT_EQ_INT(route_of("GET", "http://h:80/dev/v1/project"), ROUTE_PROJECT_GET);
    ASSERT_EQ_INT(route_of("POST", "https://api.example.com/dev/v1/project_status/"),
                  ROUTE_PROJECT_STATUS);
    ASSERT_EQ_INT(route_of("POST", "http://x/dev/v1/recording_config"), ROUTE_RECORDING);
    ASSERT_EQ_INT(route_of("POST", "https://x/dev/v1/signkey"), ROUTE_SIGNKEY);
    ASSERT_EQ_INT(route_of("POST", "https://x/dev/v1/reset_signkey"), ROUTE_RESET_SIGNKEY);
    ASSERT_EQ_INT(route_of("DELETE", "https://x/dev/v1/project/"), ROUTE_PROJECT_DELETE);

    /* The method still matters in absolute form. */
    ASSERT_EQ_INT(route_of("PUT", "https://x/dev/v1/project"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("POST", "https://x/dev/v1/projects"), ROUTE_NONE);
    /* The path still has to match exactly after the authority. */
    ASSERT_EQ_INT(route_of("GET", "https://x/dev/v1/projectsx"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("GET", "https://x/api/dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("GET", "https://x/dev/v1/projects//"), ROUTE_NONE);
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
        ASSERT_EQ_INT(route_of("GET", bad[i]), ROUTE_NONE);
        ASSERT_EQ_INT(route_of("POST", bad[i]), ROUTE_NONE);
    }
}

static void
test_case_sensitive(void)
{
    ASSERT_EQ_INT(route_of("get", "/dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("Get", "/dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("post", "/dev/v1/project"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("Delete", "/dev/v1/project"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("GET", "/DEV/V1/PROJECTS"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("GET", "/dev/v1/Projects"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("GET", "/Dev/v1/projects"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("POST", "/dev/V1/signkey"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("POST", "/dev/v1/SignKey"), ROUTE_NONE);
    ASSERT_EQ_INT(route_of("POST", "https://x/dev/v1/Project"), ROUTE_NONE);
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
            ASSERT_EQ_INT(route_of(methods[m], bad_paths[i]), ROUTE_NONE);

    const char *bad_methods[] = {"", "GE", "GETS", "POST ", " POST", "DELET", "CONNECT", "TRACE"};
    for (size_t i = 0; i < N_ELEMS(bad_methods); i++)
        for (size_t p = 0; p < N_ELEMS(paths); p++)
            ASSERT_EQ_INT(route_of(bad_methods[i], paths[p]), ROUTE_NONE);
}

static void
test_has_body(void)
{
    ASSERT_EQ_INT(takes_body(ROUTE_PROJECT_CREATE), 1);
    ASSERT_EQ_INT(takes_body(ROUTE_PROJECT_STATUS), 1);
    ASSERT_EQ_INT(takes_body(ROUTE_RECORDING), 1);
    ASSERT_EQ_INT(takes_body(ROUTE_SIGNKEY), 1);
    ASSERT_EQ_INT(takes_body(ROUTE_RESET_SIGNKEY), 1);
    ASSERT_EQ_INT(takes_body(ROUTE_PROJECT_DELETE), 1);
    ASSERT_EQ_INT(takes_body(ROUTE_PROJECT_GET), 0);
    ASSERT_EQ_INT(takes_body(ROUTE_PROJECTS_LIST), 0);
    ASSERT_EQ_INT(takes_body(ROUTE_NONE), 0);
    ASSERT_EQ_INT(takes_body(ROUTE_COUNT), 0);
    /* Consistent with the methods: GET routes never take a body, the others always do. */
    for (size_t i = 0; i < N_ELEMS(known); i++)
        ASSERT_EQ_INT(takes_body(known[i].route), strcmp(known[i].method, "GET") != 0);
}

/* Every REST route is authenticated by Basic credentials and rate-limited in a class of its
 * own; only the legacy delete may come without its body. */
static void
test_admission(void)
{
    ASSERT_EQ_INT(rest_routes_count, ROUTE_COUNT);
    for (size_t i = 0; i < rest_routes_count; i++) {
        const struct route *r = &rest_routes[i];
        ASSERT_TRUE((r->flags & ROUTE_BASIC) && (r->flags & ROUTE_RATED));
        ASSERT_TRUE(r->rate_class != NULL && r->handler != NULL);
        ASSERT_TRUE(!(r->flags & (ROUTE_SESSION | ROUTE_CONSOLE | ROUTE_CSRF)));
        ASSERT_EQ_INT((r->flags & ROUTE_BODY_OPTIONAL) != 0, r->handler == projects_delete_legacy);
        for (size_t k = 0; k < i; k++)
            ASSERT_TRUE(strcmp(rest_routes[k].rate_class, r->rate_class) != 0);
    }
}

/* The console's project calls run the REST handler of the same name, in its rate class, for
 * a signed-in session; its other calls are never rate-limited by account. */
static void
test_console_shares_rest(void)
{
    static const struct {
        const char *method, *path;
        enum endpoint rest;
    } calls[] = {
        {"GET", "/console/api/projects", ROUTE_PROJECTS_LIST},
        {"POST", "/console/api/projects", ROUTE_PROJECT_CREATE},
        {"POST", "/console/api/projects/status", ROUTE_PROJECT_STATUS},
        {"POST", "/console/api/projects/signkey", ROUTE_SIGNKEY},
        {"POST", "/console/api/projects/reset_signkey", ROUTE_RESET_SIGNKEY},
    };
    for (size_t i = 0; i < N_ELEMS(calls); i++) {
        const struct route *c =
            console_route(calls[i].method, calls[i].path, strlen(calls[i].path));
        const struct route *r = NULL;
        for (size_t k = 0; k < rest_routes_count; k++)
            if (rest_routes[k].handler == handler_of[calls[i].rest])
                r = &rest_routes[k];
        ASSERT_TRUE(c != NULL && r != NULL);
        if (c == NULL || r == NULL)
            continue;
        ASSERT_TRUE(c->handler == r->handler);
        ASSERT_TRUE((c->flags & ROUTE_RATED) && (c->flags & ROUTE_SESSION));
        ASSERT_TRUE((c->flags & ROUTE_CONSOLE) && !(c->flags & ROUTE_BASIC));
        ASSERT_EQ_STR(c->rate_class, r->rate_class);
    }
    const struct route *s = console_route("POST", "/console/api/signin", 19);
    ASSERT_TRUE(s != NULL && !(s->flags & (ROUTE_RATED | ROUTE_SESSION | ROUTE_CSRF)));
    ASSERT_TRUE(s != NULL && (s->flags & ROUTE_SAME_ORIGIN));
    ASSERT_TRUE(console_route("GET", "/dev/v1/projects", 16) == NULL);
    ASSERT_TRUE(console_route("GET", "/consoles", 9) == NULL);
}

/* The route of table[0..n) that (method, target) reaches, or NULL; *known as router_match. */
static const struct route *
match_in(const struct route *table, size_t n, const char *method, const char *target,
         bool *path_known)
{
    size_t len = 0;
    const char *path = router_path(target, &len);
    return path ? router_match(table, n, method, path, len, path_known) : NULL;
}

static void
dummy_handler(struct request *req)
{
    (void)req;
}

/* ROUTE_PREFIX takes the path and the paths below it, never a longer name; "*" every method;
 * the first matching entry wins; an exact route is not a prefix. */
static void
test_prefix_and_any_method(void)
{
    static const struct route table[] = {
        {"GET", "/a/b", 0, "exact", dummy_handler},
        {"*", "/a", ROUTE_PREFIX, "prefix", dummy_handler},
        {"POST", "/c", ROUTE_PREFIX, "post-only", dummy_handler},
        {"*", "/", ROUTE_PREFIX, "root", dummy_handler},
    };
    static const struct {
        const char *method, *target, *want; /* want: the rate class, NULL for none */
        bool known;
    } cases[] = {
        {"GET", "/a/b", "exact", true},
        {"POST", "/a/b", "prefix", true}, /* the exact route is GET only: the prefix takes it */
        {"GET", "/a", "prefix", true},
        {"DELETE", "/a/", "prefix", true},
        {"PROPFIND", "/a/x/y/z", "prefix", true},
        {"GET", "/a/b/c", "prefix", true},
        {"GET", "/ab", "root", true}, /* not under /a */
        {"POST", "/c/d", "post-only", true},
        {"GET", "/c/d", "root", true},
        {"GET", "/cd", "root", true},
        {"GET", "/", "root", true},
        {"GET", "https://h/a/q", "prefix", true},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        bool seen = !cases[i].known;
        const struct route *r =
            match_in(table, N_ELEMS(table), cases[i].method, cases[i].target, &seen);
        harness_checks++;
        if ((r == NULL) != (cases[i].want == NULL) ||
            (r != NULL && strcmp(r->rate_class, cases[i].want) != 0) || seen != cases[i].known)
            HARNESS_FAIL("%s %s: %s (known %d), want %s", cases[i].method, cases[i].target,
                         r ? r->rate_class : "none", seen, cases[i].want ? cases[i].want : "none");
    }
    /* Without the catch-all: a POST-only prefix is known but not matched for GET. */
    bool seen = false;
    ASSERT_TRUE(match_in(table, 3, "GET", "/c/x", &seen) == NULL && seen);
    ASSERT_TRUE(match_in(table, 3, "GET", "/cx", &seen) == NULL && !seen);
    /* A method named "*" in the request is only a method like another. */
    ASSERT_TRUE(match_in(table, 1, "*", "/a/b", &seen) == NULL && seen);
}

/* Forward authentication answers at /auth/verify and below, for every method, and nowhere
 * else; the REST routes stay exact. */
static void
test_forward_route(void)
{
    ASSERT_EQ_INT(forward_routes_count, 1);
    const struct route *f = &forward_routes[0];
    ASSERT_TRUE((f->flags & ROUTE_PREFIX) && (f->flags & ROUTE_ORIGINAL) &&
                (f->flags & ROUTE_BASIC) && (f->flags & ROUTE_RATED) && (f->flags & ROUTE_AT_HEAD));
    ASSERT_TRUE(!(f->flags & (ROUTE_BODY | ROUTE_SESSION | ROUTE_CONSOLE)));
    static const char *const under[] = {"/auth/verify",    "/auth/verify/",
                                        "/auth/verify/x",  "/auth/verify/dev/v1/projects",
                                        "/auth/verify//x", "http://h/auth/verify/y"};
    static const char *const outside[] = {"/auth/verifyx",    "/auth/verif",  "/auth",
                                          "/auth/",           "/Auth/verify", "/x/auth/verify",
                                          "/auth/verify.json"};
    for (size_t m = 0; m < N_ELEMS(methods); m++) {
        for (size_t i = 0; i < N_ELEMS(under); i++)
            ASSERT_TRUE(
                match_in(forward_routes, forward_routes_count, methods[m], under[i], NULL) == f);
        for (size_t i = 0; i < N_ELEMS(outside); i++)
            ASSERT_TRUE(match_in(forward_routes, forward_routes_count, methods[m], outside[i],
                                 NULL) == NULL);
    }
    for (size_t i = 0; i < rest_routes_count; i++)
        ASSERT_TRUE((rest_routes[i].flags & (ROUTE_PREFIX | ROUTE_ORIGINAL)) == 0);
    ASSERT_EQ_INT(route_of("GET", "/dev/v1/projects/auth/verify"), ROUTE_NONE);
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
    RUN(test_admission);
    RUN(test_console_shares_rest);
    RUN(test_prefix_and_any_method);
    RUN(test_forward_route);
    return harness_done();
}
