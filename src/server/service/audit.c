/* SPDX-License-Identifier: MIT */
/*
 * audit.c: audit entries as the credential service, the console and the REST handlers write
 * them.
 */
#include "service/audit.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

const struct audit_who audit_cli = {"cli", NULL};

void
audit_fill(struct store_audit *e, const struct app *app, int64_t account_id,
           const struct audit_who *who, const char *action, const char *target, bool alert)
{
    memset(e, 0, sizeof(*e));
    e->account_id = account_id;
    e->time = app_now_s(app);
    e->alert = alert;
    snprintf(e->actor, sizeof(e->actor), "%s", who->actor != NULL ? who->actor : "");
    snprintf(e->action, sizeof(e->action), "%s", action);
    snprintf(e->target, sizeof(e->target), "%s", target != NULL ? target : "");
    snprintf(e->address, sizeof(e->address), "%s", who->address != NULL ? who->address : "");
}

int
audit_record(const struct app *app, int64_t account_id, const struct audit_who *who,
             const char *action, const char *target)
{
    if (who == NULL)
        return 0;
    struct store_audit e;
    audit_fill(&e, app, account_id, who, action, target, false);
    int rc = app->store->ops->audit_add(app->store->priv, &e);
    if (rc < 0)
        ra_log(RA_LOG_WARN, "could not record %s of %.64s in the audit log", action,
               target != NULL ? target : "");
    return rc;
}

const char *
audit_address(const struct sockaddr *peer, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (peer == NULL)
        return buf;
    if (peer->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)peer;
        inet_ntop(AF_INET, &in->sin_addr, buf, (socklen_t)cap);
    } else if (peer->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)peer;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, (socklen_t)cap);
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)cap);
    }
    return buf;
}
