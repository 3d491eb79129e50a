/* SPDX-License-Identifier: MIT */
/*
 * creds.h: the credential service: the one place where Customer ID and Customer Secret
 * pairs are made, issued, deleted and described, for the admin CLI and the web console alike.
 *
 * A pair is either made with its secret at once (creds_new + creds_add: the CLI's "secret
 * add", which shows the secret once) or made pending (creds_add_pending: the console's "Add
 * a secret") and given its secret at its one download (creds_issue). The store keeps only the
 * keyed hash. Every change this process makes reaches its in-memory credential table through
 * one function, right after the store has it; an admin app has no table, and running servers
 * see its changes through the store's change detection.
 */
#ifndef RA_SERVER_SERVICE_CREDS_H
#define RA_SERVER_SERVICE_CREDS_H

#include "app.h"

#include <stdbool.h>
#include <stddef.h>

/* Room for a message of creds_message(). */
#define CREDS_MESSAGE_MAX 256

/*
 * A new pair for the account, not stored yet: a random Customer ID and secret (32 lowercase
 * hex characters each, `secret` holds SECRET_HEX_LEN + 1 bytes) and the keyed hash in *c.
 * The caller hands the secret out once (and wipes it), then calls creds_add.
 */
void creds_new(const struct app *app, int64_t account_id, int64_t now, struct store_cred *c,
               char *secret);

/* Store a pair made by creds_new. 0, -EDQUOT (the account has cfg->max_secrets pairs), or
 * the store's error. */
int creds_add(const struct app *app, const struct store_cred *c);

/* Store a new pending pair (no secret yet) for the account into *c. 0, -EDQUOT or the
 * store's error. */
int creds_add_pending(const struct app *app, int64_t account_id, int64_t now, struct store_cred *c);

/*
 * The one download of a pending pair's secret: generate it, store its hash and mark the pair
 * issued in one transaction, then make it work at once. `secret` (SECRET_HEX_LEN + 1 bytes)
 * receives it; the caller hands it out and wipes it. 0, -ENOENT (the account has no such
 * pair), -EALREADY (already issued) or the store's error.
 */
int creds_issue(const struct app *app, int64_t account_id, const char *customer_id, int64_t now,
                char *secret);

/*
 * Delete a pair. With account_id >= 0 only that account's pair is found (the console); with
 * -1 any account's (the CLI). Deleting the account's last pair is -EBUSY unless `force`.
 * 0, -ENOENT, -EBUSY or the store's error.
 */
int creds_delete(const struct app *app, int64_t account_id, const char *customer_id, bool force);

/* True for a Customer ID as the server makes them: 32 lowercase hex characters. */
bool creds_id_ok(const char *id);

/* The status word of a pair: "pending", "active" or "disabled". */
const char *creds_status_name(const struct store_cred *c);

/*
 * The sentence that explains a refusal of creds_add, creds_add_pending, creds_issue or
 * creds_delete to a person (the console shows it, the CLI prints it), into buf; NULL when rc
 * is not one of the refusals (-EDQUOT, -EBUSY, -EALREADY, -ENOENT).
 */
const char *creds_message(const struct app *app, int rc, char *buf, size_t cap);

#endif
