/* SPDX-License-Identifier: MIT */
/*
 * router.h: what a route is, and matching a request against a table of routes.
 *
 * A route table sits next to the handlers it names (handlers/routes.c for the REST API,
 * console/console.c for the web console): one line per endpoint says its method and path,
 * how the request is admitted (the flags below, read by the pipeline in gate/gate.c), its
 * rate-limit class and its handler. The router itself only matches.
 */
#ifndef RA_SERVER_REQUEST_ROUTER_H
#define RA_SERVER_REQUEST_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

struct request;

/* A route's handler: reads the request, decides req->reply. Never fails without a reply. */
typedef void (*route_handler_fn)(struct request *req);

/* How a request on the route is admitted; each flag turns on phases of the pipeline. */
enum route_flag {
    ROUTE_BASIC = 1u << 0,         /* Basic credentials (REST API) */
    ROUTE_SESSION = 1u << 1,       /* a signed-in console session (cookie) */
    ROUTE_SAME_ORIGIN = 1u << 2,   /* state-changing: Origin and Sec-Fetch-Site must be ours */
    ROUTE_CSRF = 1u << 3,          /* the session's CSRF token in X-CSRF-Token */
    ROUTE_BODY = 1u << 4,          /* takes a JSON body (Content-Type checked, size bounded) */
    ROUTE_BODY_OPTIONAL = 1u << 5, /* with ROUTE_BODY: a request without a body is fine too */
    ROUTE_EMPTY_BODY_OK = 1u << 6, /* with ROUTE_BODY: a zero-length body means no fields */
    ROUTE_CONSOLE = 1u << 7,       /* the web console: its headers and error bodies */
    ROUTE_RATED = 1u << 8,         /* counted against the per-account rate limit */
    ROUTE_AT_HEAD = 1u << 9,       /* answered once the header section is in (a body is not read) */
    ROUTE_PREFIX = 1u << 10,       /* the path and every path under it ("/a" takes "/a/b") */
    ROUTE_ORIGINAL = 1u << 11,     /* forward authentication: about a request a proxy received */
};

struct route {
    const char *method; /* "*": every method */
    const char *path;
    unsigned flags;         /* enum route_flag */
    const char *rate_class; /* with ROUTE_RATED: routes sharing a class share a limit */
    route_handler_fn handler;
};

/*
 * Strip what the router ignores from a request target: the "scheme://authority" of an
 * absolute-form target and one trailing slash. Sets *len to the length of the path that
 * remains and returns its start, or NULL for a malformed absolute-form target.
 */
const char *router_path(const char *target, size_t *len);

/* True when a route of method `route_method` takes a request of `method`: the same method,
 * any method for "*", and HEAD wherever GET is taken (RFC 9110 section 9.3.2). */
bool router_method_takes(const char *route_method, const char *method);

/*
 * The route of (method, path) in table[0..n), or NULL: the first entry that matches. `path` is
 * as router_path() returns it; matching is case-sensitive, and exact unless the route has
 * ROUTE_PREFIX, when it also takes every path that continues the route's path with "/" (or
 * every path that starts with it, when the route's path ends with "/"). A
 * route whose method is "*" takes every method, a GET route HEAD too. *path_known (may be NULL)
 * tells whether some route has that path under another method (then the answer is 405 rather than
 * 404 where the caller distinguishes them).
 */
const struct route *router_match(const struct route *table, size_t n, const char *method,
                                 const char *path, size_t len, bool *path_known);

#endif
