/* SPDX-License-Identifier: MIT */
/*
 * routes.c: every endpoint of the Console REST API, one line each: method, path, how it is
 * admitted (every one by Basic credentials, each counted in its own rate class), whether it
 * takes a JSON body, and its handler. The console's project calls share these rate classes
 * (console/console.c).
 */
#include "handlers/routes.h"

#include "handlers/credentials.h"
#include "handlers/projects.h"

#define REST (ROUTE_BASIC | ROUTE_RATED)

const struct route rest_routes[] = {
    {"GET", "/dev/v1/projects", REST, "projects.list", projects_list},
    {"GET", "/dev/v1/project", REST, "project.get", projects_get},
    {"POST", "/dev/v1/project", REST | ROUTE_BODY, "project.create", projects_create},
    {"POST", "/dev/v1/project_status", REST | ROUTE_BODY, "project.status", projects_status},
    {"POST", "/dev/v1/recording_config", REST | ROUTE_BODY, "project.recording",
     projects_recording},
    {"POST", "/dev/v1/signkey", REST | ROUTE_BODY, "project.signkey", projects_signkey},
    {"POST", "/dev/v1/reset_signkey", REST | ROUTE_BODY, "project.reset_signkey",
     projects_reset_signkey},
    {"GET", "/dev/v1/credentials", REST, "credentials.list", credentials_list},
    {"DELETE", "/dev/v1/project", REST | ROUTE_BODY | ROUTE_BODY_OPTIONAL, "project.delete",
     projects_delete_legacy},
};

const size_t rest_routes_count = sizeof(rest_routes) / sizeof(rest_routes[0]);
