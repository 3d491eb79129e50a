/* SPDX-License-Identifier: MIT */
/*
 * audit_req.h: who made a request, for the audit log: the Customer ID of a REST call, or the
 * e-mail of the console user whose session made it; and the client's address.
 */
#ifndef RA_SERVER_HANDLERS_AUDIT_REQ_H
#define RA_SERVER_HANDLERS_AUDIT_REQ_H

#include "request/request.h"
#include "service/audit.h"

/* A struct audit_who with room for its strings. */
struct request_who {
    struct audit_who who;
    char actor[STORE_EMAIL_MAX + 1];
    char address[STORE_ADDRESS_MAX + 1];
};

/* Fill *w for req: a verified Customer ID, else the e-mail of the session's account (its name
 * when it has no e-mail). Returns &w->who. */
const struct audit_who *request_who(const struct request *req, struct request_who *w);

/* Record `action` on `target` in the caller's account, as made by req, right after it. */
void request_audit(const struct request *req, const char *action, const char *target);

#endif
