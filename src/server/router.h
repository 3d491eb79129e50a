/* SPDX-License-Identifier: MIT */
/*
 * router.h: (method, path) -> route of the Console REST API.
 */
#ifndef RA_SERVER_ROUTER_H
#define RA_SERVER_ROUTER_H

enum route {
    ROUTE_PROJECT_CREATE, /* POST   /dev/v1/project */
    ROUTE_PROJECT_GET,    /* GET    /dev/v1/project?id=&name= */
    ROUTE_PROJECTS_LIST,  /* GET    /dev/v1/projects */
    ROUTE_PROJECT_STATUS, /* POST   /dev/v1/project_status */
    ROUTE_RECORDING,      /* POST   /dev/v1/recording_config */
    ROUTE_SIGNKEY,        /* POST   /dev/v1/signkey */
    ROUTE_RESET_SIGNKEY,  /* POST   /dev/v1/reset_signkey */
    ROUTE_PROJECT_DELETE, /* DELETE /dev/v1/project (legacy) */
    ROUTE_COUNT,
    ROUTE_NONE = -1,
};

/*
 * Match a request. `path` may be origin-form ("/dev/v1/projects", query already removed) or
 * absolute-form ("https://host:port/dev/v1/projects"); one trailing slash is ignored; matching
 * is case-sensitive. Returns the route or ROUTE_NONE.
 */
enum route router_match(const char *method, const char *path);

/* True when the route takes a JSON request body. */
int router_has_body(enum route r);

#endif
