/* SPDX-License-Identifier: MIT */
/*
 * api.h: the handlers of the console's own JSON API (/console/api/...), reached through the
 * console's route table (console.c) once the origin, the session and the CSRF token have
 * been checked as each route requires. The project calls use the REST handlers instead.
 */
#ifndef RA_SERVER_CONSOLE_API_H
#define RA_SERVER_CONSOLE_API_H

#include "request/request.h"

/* Reply {"message":"<msg>"}, without the Basic challenge a REST 401 carries. */
void console_fail(struct reply *out, int status, const char *msg);

void api_session(struct request *req);
void api_signin(struct request *req);
void api_signout(struct request *req);
void api_creds_list(struct request *req);
void api_creds_add(struct request *req);
void api_creds_download(struct request *req);
void api_creds_delete(struct request *req);
void api_revocation(struct request *req);

#endif
