/* SPDX-License-Identifier: MIT */
/*
 * api.h: the calls of the console's JSON API (/console/api/...), dispatched by console.c once
 * the origin, the session and the CSRF token have been checked as each route requires.
 */
#ifndef RA_SERVER_CONSOLE_API_H
#define RA_SERVER_CONSOLE_API_H

#include "app.h"
#include "http/reply.h"
#include "router.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>

struct console_call {
    const struct app *app;
    struct MHD_Connection *conn;
    struct reply *out;
    json_t *body;            /* the request's JSON object, NULL when it had none */
    const char *cookie;      /* the Cookie header, NULL when absent */
    struct store_session ss; /* the caller's session, for routes that need one */
    enum route rest_route;   /* the REST route a project call shares */
    int64_t now;             /* unix seconds */
};

typedef void (*console_api_fn)(struct console_call *c);

/* Reply {"message":"<msg>"}, without the Basic challenge a REST 401 carries. */
void console_fail(struct reply *out, int status, const char *msg);

void api_session(struct console_call *c);
void api_signin(struct console_call *c);
void api_signout(struct console_call *c);
void api_project(struct console_call *c);
void api_creds_list(struct console_call *c);
void api_creds_add(struct console_call *c);
void api_creds_download(struct console_call *c);
void api_creds_delete(struct console_call *c);

#endif
