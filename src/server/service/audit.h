/* SPDX-License-Identifier: MIT */
/*
 * audit.h: the audit log as the rest of the server writes it: who made a change (a console
 * user's e-mail, "cli", or the Customer ID of a REST call) and from which address. Changes
 * made by a store operation that takes the entry write it in their own transaction; the
 * others call audit_record right after the change. Never a secret.
 */
#ifndef RA_SERVER_SERVICE_AUDIT_H
#define RA_SERVER_SERVICE_AUDIT_H

#include "app.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Who makes a change. */
struct audit_who {
    const char *actor;   /* e-mail, "cli" or a Customer ID */
    const char *address; /* the client address; NULL or "" when none */
};

/* The actor of changes made from the command line. */
extern const struct audit_who audit_cli;

/* Fill *e for `action` on `target` by `who` in the account, at the app's clock. */
void audit_fill(struct store_audit *e, const struct app *app, int64_t account_id,
                const struct audit_who *who, const char *action, const char *target, bool alert);

/* Write one entry now (after the change it records). A failure is logged, never fatal: the
 * change has happened. 0 or the store's error. */
int audit_record(const struct app *app, int64_t account_id, const struct audit_who *who,
                 const char *action, const char *target);

/* The text of a client address ("192.0.2.1", "2001:db8::1"; "" for a Unix socket or none)
 * into buf (at least STORE_ADDRESS_MAX + 1 bytes). IPv4-mapped IPv6 addresses are shown as
 * IPv4. Returns buf. */
const char *audit_address(const struct sockaddr *peer, char *buf, size_t cap);

#endif
