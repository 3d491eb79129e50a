/* SPDX-License-Identifier: MIT */
/*
 * admin.h: the admin listener (`serve --admin-listen ADDR:PORT`): plain HTTP, no credentials,
 * /healthz, /readyz and /metrics (handlers/admin_routes.c), on its own socket and threads so
 * that the API's limits and load never hide the server's health.
 */
#ifndef RA_SERVER_HTTP_ADMIN_H
#define RA_SERVER_HTTP_ADMIN_H

#include "app.h"

struct http_admin;

/*
 * Listen on cfg->admin_listen. An address off loopback is allowed (a container's probes and
 * scrapers come from outside it) with a warning, since anyone who reaches it reads the
 * metrics. Prints the listening line to stderr. 0 or a negative code after logging why.
 */
int http_admin_start(struct app *app, struct http_admin **out);

/* Stop it (NULL: nothing to do). */
void http_admin_stop(struct http_admin *a);

#endif
