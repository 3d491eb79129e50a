/* SPDX-License-Identifier: MIT */
/*
 * router.c: a fixed table; the path set is small, so a linear scan of exact strings is the
 * fastest and simplest matcher.
 */
#include "router.h"

#include <string.h>

struct route_def {
    const char *method;
    const char *path;
    enum route route;
    int has_body;
};

static const struct route_def routes[] = {
    {"GET", "/dev/v1/projects", ROUTE_PROJECTS_LIST, 0},
    {"GET", "/dev/v1/project", ROUTE_PROJECT_GET, 0},
    {"POST", "/dev/v1/project", ROUTE_PROJECT_CREATE, 1},
    {"POST", "/dev/v1/project_status", ROUTE_PROJECT_STATUS, 1},
    {"POST", "/dev/v1/recording_config", ROUTE_RECORDING, 1},
    {"POST", "/dev/v1/signkey", ROUTE_SIGNKEY, 1},
    {"POST", "/dev/v1/reset_signkey", ROUTE_RESET_SIGNKEY, 1},
    {"DELETE", "/dev/v1/project", ROUTE_PROJECT_DELETE, 1},
};

/* Skip "scheme://authority" of an absolute-form target; NULL if it is malformed. */
static const char *
skip_absolute(const char *path)
{
    const char *p = NULL;
    if (strncmp(path, "http://", 7) == 0)
        p = path + 7;
    else if (strncmp(path, "https://", 8) == 0)
        p = path + 8;
    else
        return path;
    p = strchr(p, '/');
    return p;
}

enum route
router_match(const char *method, const char *path)
{
    path = skip_absolute(path);
    if (path == NULL)
        return ROUTE_NONE;
    size_t len = strlen(path);
    if (len > 1 && path[len - 1] == '/')
        len--;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const struct route_def *r = &routes[i];
        if (strlen(r->path) == len && memcmp(r->path, path, len) == 0 &&
            strcmp(r->method, method) == 0)
            return r->route;
    }
    return ROUTE_NONE;
}

int
router_has_body(enum route r)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        if (routes[i].route == r)
            return routes[i].has_body;
    return 0;
}
