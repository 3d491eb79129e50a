/* SPDX-License-Identifier: MIT */
/*
 * console.c: the console's route table, its embedded web files, and the checks its API calls
 * pass as phases of the pipeline: same origin (state-changing calls), session cookie (all but
 * session and sign-in) and CSRF token (state-changing calls with a session). The project
 * calls run the REST API's own handlers for the session's account, in the REST API's rate
 * classes. Every console response carries a strict Content-Security-Policy (no inline script
 * or style), X-Frame-Options: DENY, Referrer-Policy: no-referrer and nosniff; API responses
 * are never cached.
 */
#include "console/console.h"

#include "app.h"
#include "common/alloc.h"
#include "console/api.h"
#include "console/assets.h"
#include "console/session.h"
#include "handlers/projects.h"
#include "service/accounts.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#define CSP                                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "                    \
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* A call that needs a session; one that also changes state (same origin, CSRF token, JSON). */
#define SIGNED_IN (ROUTE_CONSOLE | ROUTE_SESSION)
#define CHANGE (SIGNED_IN | ROUTE_SAME_ORIGIN | ROUTE_CSRF | ROUTE_BODY | ROUTE_EMPTY_BODY_OK)
#define PROJECTS (ROUTE_RATED)

static const struct route api_routes[] = {
    {"GET", "/console/api/session", ROUTE_CONSOLE, NULL, api_session},
    {"POST", "/console/api/signin",
     ROUTE_CONSOLE | ROUTE_SAME_ORIGIN | ROUTE_BODY | ROUTE_EMPTY_BODY_OK, NULL, api_signin},
    {"POST", "/console/api/signout", CHANGE, NULL, api_signout},
    {"GET", "/console/api/projects", SIGNED_IN | PROJECTS, "projects.list", projects_list},
    {"POST", "/console/api/projects", CHANGE | PROJECTS, "project.create", projects_create},
    {"POST", "/console/api/projects/status", CHANGE | PROJECTS, "project.status", projects_status},
    {"POST", "/console/api/projects/signkey", CHANGE | PROJECTS, "project.signkey",
     projects_signkey},
    {"POST", "/console/api/projects/reset_signkey", CHANGE | PROJECTS, "project.reset_signkey",
     projects_reset_signkey},
    {"GET", "/console/api/credentials", SIGNED_IN, NULL, api_creds_list},
    {"POST", "/console/api/credentials", CHANGE, NULL, api_creds_add},
    {"POST", "/console/api/credentials/download", CHANGE, NULL, api_creds_download},
    {"POST", "/console/api/credentials/delete", CHANGE, NULL, api_creds_delete},
    {"POST", "/console/api/credentials/disable", CHANGE, NULL, api_creds_disable},
    {"POST", "/console/api/credentials/enable", CHANGE, NULL, api_creds_enable},
    {"POST", "/console/api/credentials/expire", CHANGE, NULL, api_creds_expire},
    {"POST", "/console/api/credentials/roll", CHANGE, NULL, api_creds_roll},
    {"GET", "/console/api/audit", SIGNED_IN, NULL, api_audit},
    {"GET", "/console/api/revocation", SIGNED_IN, NULL, api_revocation},
};
#define NROUTES (sizeof(api_routes) / sizeof(api_routes[0]))

static void serve_asset(struct request *req);
static void not_found(struct request *req);
static void method_not_allowed(struct request *req);

/* Web files and refusals need nothing but the header section. */
#define AT_HEAD (ROUTE_CONSOLE | ROUTE_AT_HEAD)
static const struct route asset_route = {"GET", "/console/", AT_HEAD, NULL, serve_asset};
static const struct route not_found_route = {"", "/console/", AT_HEAD, NULL, not_found};
static const struct route not_allowed_route = {"", "/console/", AT_HEAD, NULL, method_not_allowed};

const struct route *
console_route(const char *method, const char *path, size_t len)
{
    if (len < 8 || memcmp(path, "/console", 8) != 0 || (len > 8 && path[8] != '/'))
        return NULL;
    bool known = false;
    const struct route *r = router_match(api_routes, NROUTES, method, path, len, &known);
    if (r != NULL)
        return r;
    bool api = (len >= 13 && memcmp(path, "/console/api/", 13) == 0) ||
               (len == 12 && memcmp(path, "/console/api", 12) == 0);
    bool get = router_method_takes("GET", method);
    if (!api && get)
        return &asset_route;
    return known || (!api && !get) ? &not_allowed_route : &not_found_route;
}

void
console_fail(struct reply *out, int status, const char *msg)
{
    reply_message(out, status, msg);
    out->www_auth = false;
}

static void
not_found(struct request *req)
{
    console_fail(&req->reply, 404, "Not found");
}

static void
method_not_allowed(struct request *req)
{
    console_fail(&req->reply, 405, "Method not allowed");
}

/* Serve the web file the path names ("/console" and "/console/" name index.html). */
static void
serve_asset(struct request *req)
{
    size_t len = 0;
    const char *path = router_path(req->target, &len);
    const char *name = path + 8; /* after "/console" */
    size_t n = len - 8;
    if (n > 0 && *name == '/') {
        name++;
        n--;
    }
    if (n == 0) {
        name = "index.html";
        n = strlen(name);
    }
    for (size_t i = 0; i < console_assets_count; i++) {
        const struct console_asset *a = &console_assets[i];
        if (strlen(a->name) == n && memcmp(a->name, name, n) == 0) {
            reply_static(&req->reply, 200, (const char *)a->data, a->len);
            req->reply.content_type = a->type;
            return;
        }
    }
    not_found(req);
}

void
console_decorate(struct request *req)
{
    struct reply *r = &req->reply;
    bool file = req->route == &asset_route && r->status == 200;
    r->www_auth = false;
    reply_add_header(r, "Content-Security-Policy", CSP, false);
    reply_add_header(r, "X-Frame-Options", "DENY", false);
    reply_add_header(r, "Referrer-Policy", "no-referrer", false);
    reply_add_header(r, "X-Content-Type-Options", "nosniff", false);
    reply_add_header(r, "Cache-Control", file ? "no-cache" : "no-store", false);
}

int
console_check_origin(struct request *req)
{
    const char *origin = request_field(req, "Origin");
    const char *host = request_field(req, "Host");
    const char *site = request_field(req, "Sec-Fetch-Site");
    const char *scheme = req->tls ? "https://" : "http://";
    size_t n = strlen(scheme);
    bool ok = (site == NULL || strcasecmp(site, "same-origin") == 0) &&
              (origin == NULL || (host != NULL && strncasecmp(origin, scheme, n) == 0 &&
                                  strcasecmp(origin + n, host) == 0));
    if (ok)
        return 0;
    console_fail(&req->reply, 403, "This request came from another site and was refused.");
    return -1;
}

int
console_check_session(struct request *req)
{
    bool presented = false;
    const struct app *app = req->app;
    if (session_find(app, request_field(req, "Cookie"), app_now_s(app), &req->session, &presented) <
        0) {
        console_fail(&req->reply, 401,
                     "You are not signed in, or your session has ended. Please sign in again.");
        if (presented)
            reply_add_header(&req->reply, "Set-Cookie", session_clear_cookie(), false);
        return -1;
    }
    req->account_id = req->session.account_id;
    req->acct = accounts_get(app->accounts, req->account_id);
    return req->acct != NULL ? 0 : -1;
}

int
console_check_csrf(struct request *req)
{
    if (session_csrf_ok(&req->session, request_field(req, "X-CSRF-Token")))
        return 0;
    console_fail(&req->reply, 403,
                 "This page is out of date (its security token is missing or wrong). "
                 "Reload the page and try again.");
    return -1;
}
