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

/* api_creds.c: the credential lifecycle and the audit log. */
void api_creds_disable(struct request *req);
void api_creds_enable(struct request *req);
void api_creds_expire(struct request *req);
void api_creds_roll(struct request *req);
void api_audit(struct request *req);

/* Shared by api.c and api_creds.c. */
struct ra_buf;
struct store_cred;
/* Take a built body as the reply. */
void api_reply_buf(struct reply *out, int status, struct ra_buf *b);
/* Reply to a store failure: 503 when the store cannot be reached now, else 500. */
void api_reply_failure(struct request *req, int rc);
/* Reply with the credential service's sentence for a refusal, or as api_reply_failure. */
void api_reply_refusal(struct request *req, int status, int rc);
/* Reply {"credential":CRED} or, with old, {"credential":CRED,"old":CRED}. */
void api_reply_cred(struct request *req, int status, const struct store_cred *cr,
                    const struct store_cred *old);
/* The expiry of the body into *at (unix seconds; 0 = never): "expires_in" ("90d", units d, h,
 * m), "expires_at" (RFC 3339) or, with allow_never, "never": true. 0 when one was given, 1
 * when none was (*at = 0), -1 after a 400 reply (bad value, or more than one given). */
int api_expiry(struct request *req, bool allow_never, int64_t *at);

#endif
