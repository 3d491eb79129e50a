/* SPDX-License-Identifier: MIT */
/*
 * audit_req.c: the actor and address of a request, for the audit log.
 */
#include "handlers/audit_req.h"

#include "common/alloc.h"

#include <stdio.h>

const struct audit_who *
request_who(const struct request *req, struct request_who *w)
{
    const struct app *app = req->app;
    w->actor[0] = '\0';
    if (req->customer_id[0] != '\0') {
        snprintf(w->actor, sizeof(w->actor), "%s", req->customer_id);
    } else if (req->account_id > 0) {
        struct store_login l;
        if (app->store->ops->login_by_id(app->store->priv, req->account_id, &l) == 0)
            snprintf(w->actor, sizeof(w->actor), "%s", l.email[0] != '\0' ? l.email : l.name);
        ra_wipe(&l, sizeof(l)); /* it holds the password hash */
    }
    audit_address(req->peer, w->address, sizeof(w->address));
    w->who.actor = w->actor;
    w->who.address = w->address;
    return &w->who;
}

void
request_audit(const struct request *req, const char *action, const char *target)
{
    struct request_who w;
    audit_record(req->app, req->account_id, request_who(req, &w), action, target);
}
