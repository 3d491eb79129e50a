/* SPDX-License-Identifier: MIT */
/*
 * console.c: routing under /console, the embedded web files, and the checks every console
 * API call passes before its handler runs, in this order: same origin (state-changing calls),
 * JSON body, session cookie (all but session and sign-in), CSRF token (state-changing calls
 * with a session). Every console response carries a strict Content-Security-Policy (no inline
 * script or style), X-Frame-Options: DENY, Referrer-Policy: no-referrer and nosniff; API
 * responses are never cached.
 */
#include "console/console.h"

#include "common/alloc.h"
#include "console/api.h"
#include "console/assets.h"
#include "console/session.h"
#include "http/body.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The console's request bodies are a few fields; anything larger is refused. */
#define CONSOLE_MAX_BODY 8192

#define CSP                                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "                    \
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

struct console_route {
    const char *method;
    const char *path;
    console_api_fn fn;
    bool session;        /* needs a signed-in session */
    bool state_changing; /* same origin, and the CSRF token when there is a session */
    enum route rest;     /* project calls: the REST route whose handler they share */
};

static const struct console_route routes[] = {
    {"GET", "/console/api/session", api_session, false, false, ROUTE_NONE},
    {"POST", "/console/api/signin", api_signin, false, true, ROUTE_NONE},
    {"POST", "/console/api/signout", api_signout, true, true, ROUTE_NONE},
    {"GET", "/console/api/projects", api_project, true, false, ROUTE_PROJECTS_LIST},
    {"POST", "/console/api/projects", api_project, true, true, ROUTE_PROJECT_CREATE},
    {"POST", "/console/api/projects/status", api_project, true, true, ROUTE_PROJECT_STATUS},
    {"POST", "/console/api/projects/signkey", api_project, true, true, ROUTE_SIGNKEY},
    {"POST", "/console/api/projects/reset_signkey", api_project, true, true, ROUTE_RESET_SIGNKEY},
    {"GET", "/console/api/credentials", api_creds_list, true, false, ROUTE_NONE},
    {"POST", "/console/api/credentials", api_creds_add, true, true, ROUTE_NONE},
    {"POST", "/console/api/credentials/download", api_creds_download, true, true, ROUTE_NONE},
    {"POST", "/console/api/credentials/delete", api_creds_delete, true, true, ROUTE_NONE},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

bool
console_owns(const char *url)
{
    return strncmp(url, "/console", 8) == 0 && (url[8] == '\0' || url[8] == '/');
}

/* Headers of every console response; `api` responses are also never stored. */
static void
decorate(struct reply *r, bool api)
{
    r->www_auth = false;
    reply_add_header(r, "Content-Security-Policy", CSP, false);
    reply_add_header(r, "X-Frame-Options", "DENY", false);
    reply_add_header(r, "Referrer-Policy", "no-referrer", false);
    reply_add_header(r, "X-Content-Type-Options", "nosniff", false);
    reply_add_header(r, "Cache-Control", api ? "no-store" : "no-cache", false);
}

void
console_decorate(struct reply *r)
{
    decorate(r, true);
}

void
console_fail(struct reply *out, int status, const char *msg)
{
    reply_message(out, status, msg);
    out->www_auth = false;
}

/* Serve the web file named by path, if there is one; true when a reply was decided. */
static bool
serve_asset(struct request *req, const char *path)
{
    const char *name = path + 8; /* after "/console" */
    if (*name == '/')
        name++;
    if (*name == '\0')
        name = "index.html";
    for (size_t i = 0; i < console_assets_count; i++) {
        const struct console_asset *a = &console_assets[i];
        if (strcmp(a->name, name) != 0)
            continue;
        reply_static(&req->reply, 200, (const char *)a->data, a->len);
        req->reply.content_type = a->type;
        decorate(&req->reply, false);
        return true;
    }
    return false;
}

/* Refuse an oversized or non-JSON body of a POST; true when a reply was decided. */
static bool
refuse_body(struct request *req, struct MHD_Connection *conn)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl != NULL && (strlen(cl) > 6 || strtol(cl, NULL, 10) > CONSOLE_MAX_BODY)) {
        console_fail(&req->reply, 413, "Request body too large");
        req->reply.close = true;
        return true;
    }
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    if (!request_is_json(ct)) {
        console_fail(&req->reply, 415, "Content-Type must be application/json");
        return true;
    }
    ra_buf_init(&req->body, CONSOLE_MAX_BODY);
    return false;
}

void
console_begin(struct request *req, struct MHD_Connection *conn)
{
    const char *path = req->path;
    bool api = strncmp(path, "/console/api/", 13) == 0 || strcmp(path, "/console/api") == 0;
    bool known = false;
    for (size_t i = 0; i < NROUTES; i++) {
        if (strcmp(routes[i].path, path) != 0)
            continue;
        known = true;
        if (strcmp(routes[i].method, req->method) == 0) {
            req->console = (int)i + 1;
            if (strcmp(req->method, "POST") == 0 && refuse_body(req, conn))
                decorate(&req->reply, true);
            return;
        }
    }
    if (!api && strcmp(req->method, "GET") == 0 && serve_asset(req, path))
        return;
    if (known || (!api && strcmp(req->method, "GET") != 0))
        console_fail(&req->reply, 405, "Method not allowed");
    else
        console_fail(&req->reply, 404, "Not found");
    decorate(&req->reply, true);
}

/* For a state-changing call: Origin, when sent, must be this server, and Sec-Fetch-Site,
 * when sent, must say same-origin. */
static bool
same_origin(const struct app *app, struct MHD_Connection *conn)
{
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
    if (site != NULL && strcasecmp(site, "same-origin") != 0)
        return false;
    if (origin == NULL)
        return true;
    const char *scheme = app->cfg->tls_cert != NULL ? "https://" : "http://";
    size_t n = strlen(scheme);
    return host != NULL && strncasecmp(origin, scheme, n) == 0 && strcasecmp(origin + n, host) == 0;
}

/* Parse the body (if any) into c->body, wiping the raw bytes, which may hold a password.
 * False (and a 400) when it is not a JSON object. */
static bool
parse_body(struct request *req, struct console_call *c)
{
    if (req->body.len == 0)
        return true;
    const char *why = NULL;
    int rc = body_parse_object(req->body.data, req->body.len, &c->body, &why);
    ra_wipe(req->body.data, req->body.len);
    if (rc < 0) {
        console_fail(c->out, 400, why != NULL ? why : "request body is not valid JSON");
        return false;
    }
    return true;
}

/* The checks a route asks for; false when a reply (403/401) was decided. */
static bool
admit(const struct console_route *r, struct console_call *c)
{
    if (r->state_changing && !same_origin(c->app, c->conn)) {
        console_fail(c->out, 403, "This request came from another site and was refused.");
        return false;
    }
    if (!r->session)
        return true;
    bool presented = false;
    if (session_find(c->app, c->cookie, c->now, &c->ss, &presented) < 0) {
        console_fail(c->out, 401,
                     "You are not signed in, or your session has ended. "
                     "Please sign in again.");
        if (presented)
            reply_add_header(c->out, "Set-Cookie", session_clear_cookie(), false);
        return false;
    }
    const char *token = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    if (r->state_changing && !session_csrf_ok(&c->ss, token)) {
        console_fail(c->out, 403,
                     "This page is out of date (its security token is missing or "
                     "wrong). Reload the page and try again.");
        return false;
    }
    return true;
}

void
console_run(struct request *req, struct MHD_Connection *conn)
{
    const struct console_route *r = &routes[req->console - 1];
    struct console_call c = {
        .app = req->app,
        .conn = conn,
        .out = &req->reply,
        .cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie"),
        .rest_route = r->rest,
        .now = (int64_t)time(NULL),
    };
    if (parse_body(req, &c) && admit(r, &c))
        r->fn(&c);
    json_decref(c.body);
    ra_wipe(&c.ss, sizeof(c.ss));
    decorate(&req->reply, true);
}
