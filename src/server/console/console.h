/* SPDX-License-Identifier: MIT */
/*
 * console.h: the web console, served by restauthd itself under /console: its embedded web
 * files and its JSON API under /console/api/.
 *
 * The REST API never reaches this module: request.c only asks console_owns() about a path
 * that matched no REST route. Console requests authenticate with a session cookie, never
 * with Basic credentials; the REST API ignores cookies.
 */
#ifndef RA_SERVER_CONSOLE_CONSOLE_H
#define RA_SERVER_CONSOLE_CONSOLE_H

#include "http/request.h"

#include <stdbool.h>

/* True when the request target is the console's: "/console" or anything under "/console/". */
bool console_owns(const char *url);

/*
 * Begin a console request once its header section is in (after the strict header checks):
 * serve a web file, or refuse an unknown path or method, an oversized body or a body that is
 * not JSON, deciding the reply; or note the API route (req->console) and make room for the
 * body. Nothing is queued here.
 */
void console_begin(struct request *req, struct MHD_Connection *conn);

/* Run the API call noted by console_begin once the body is in; decides the reply. */
void console_run(struct request *req, struct MHD_Connection *conn);

/* Add the console's security headers to a reply decided outside this module (a 413). */
void console_decorate(struct reply *r);

#endif
