/* SPDX-License-Identifier: MIT */
/*
 * router.c: matching over a route table. The tables are small, so a linear scan of strings is
 * the fastest and simplest matcher.
 */
#include "request/router.h"

#include <string.h>

const char *
router_path(const char *target, size_t *len)
{
    const char *p = target;
    if (strncmp(p, "http://", 7) == 0)
        p = strchr(p + 7, '/');
    else if (strncmp(p, "https://", 8) == 0)
        p = strchr(p + 8, '/');
    if (p == NULL)
        return NULL;
    size_t n = strlen(p);
    if (n > 1 && p[n - 1] == '/')
        n--;
    *len = n;
    return p;
}

/* True when route r takes the path[0..len): the same, or under it for a prefix route. */
static bool
path_matches(const struct route *r, const char *path, size_t len)
{
    size_t n = strlen(r->path);
    if (n > len || memcmp(r->path, path, n) != 0)
        return false;
    return n == len ||
           ((r->flags & ROUTE_PREFIX) != 0 && (path[n] == '/' || r->path[n - 1] == '/'));
}

bool
router_method_takes(const char *route_method, const char *method)
{
    return strcmp(route_method, "*") == 0 || strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

const struct route *
router_match(const struct route *table, size_t n, const char *method, const char *path, size_t len,
             bool *path_known)
{
    bool known = false;
    const struct route *found = NULL;
    for (size_t i = 0; i < n && found == NULL; i++) {
        const struct route *r = &table[i];
        if (!path_matches(r, path, len))
            continue;
        known = true;
        if (router_method_takes(r->method, method))
            found = r;
    }
    if (path_known != NULL)
        *path_known = known;
    return found;
}
