/* SPDX-License-Identifier: MIT */
/*
 * console.h: the web console, served by restauthd itself under /console: its embedded web
 * files and its JSON API under /console/api/.
 *
 * The console's routes go through the same pipeline as the REST API (gate/gate.c), with the
 * checks below as its phases. Console requests authenticate with a session cookie, never
 * with Basic credentials; the REST API ignores cookies.
 */
#ifndef RA_SERVER_CONSOLE_CONSOLE_H
#define RA_SERVER_CONSOLE_CONSOLE_H

#include "request/request.h"

#include <stdbool.h>

/* The console's request bodies are a few fields; anything larger is refused. */
#define CONSOLE_MAX_BODY 8192

/*
 * The console's route for a path as router_path() gives it (`len` bytes, not necessarily
 * NUL-terminated there), or NULL when the path is not the console's ("/console" and what is
 * under "/console/"). An unknown path or method under /console gets a route whose handler
 * answers 404 or 405; a web file, one that serves it.
 */
const struct route *console_route(const char *method, const char *path, size_t len);

/* Phase: a state-changing call must come from this server's own pages (Origin and
 * Sec-Fetch-Site, when sent). 0, or -1 after a 403. */
int console_check_origin(struct request *req);

/* Phase: a live session named by the cookie; sets req->session, req->account_id and
 * req->acct. 0, or -1 after a 401 (that also clears a stale cookie). */
int console_check_session(struct request *req);

/* Phase: the session's CSRF token in X-CSRF-Token. 0, or -1 after a 403. */
int console_check_csrf(struct request *req);

/* The console's security headers on a decided reply (once per request). */
void console_decorate(struct request *req);

#endif
