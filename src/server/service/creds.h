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
 *
 * The lifecycle: a pair may be disabled and enabled again, given an expiry (or none), rolled
 * (a new pair for the same account while the old one expires after an overlap), or be a
 * tripwire. The last-pair rules (store.h, store_cred_enabled) live in the store's
 * transactions; their refusal is -EBUSY, explained by creds_message. Every change is recorded
 * in the audit log with `who` (NULL: not recorded), in the change's own transaction where the
 * store operation takes the entry (disable, enable, expiry, roll), else right after it.
 */
#ifndef RA_SERVER_SERVICE_CREDS_H
#define RA_SERVER_SERVICE_CREDS_H

#include "app.h"
#include "service/audit.h"
#include "service/usage.h"

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

/* Store a pair made by creds_new (the caller may set its expires_at or tripwire first); its
 * secret is being shown, so credential.create and credential.issue are recorded. 0, -EDQUOT
 * (the account has cfg->max_secrets pairs that have not expired), or the store's error. */
int creds_add(const struct app *app, const struct store_cred *c, const struct audit_who *who);

/* Store a new pending pair (no secret yet) for the account into *c, expiring at expires_at
 * (0 = never). 0, -EDQUOT or the store's error. */
int creds_add_pending(const struct app *app, int64_t account_id, int64_t now, int64_t expires_at,
                      struct store_cred *c, const struct audit_who *who);

/*
 * The one download of a pending pair's secret: generate it, store its hash and mark the pair
 * issued in one transaction, then make it work at once. `secret` (SECRET_HEX_LEN + 1 bytes)
 * receives it; the caller hands it out and wipes it. 0, -ENOENT (the account has no such
 * pair), -EALREADY (already issued) or the store's error.
 */
int creds_issue(const struct app *app, int64_t account_id, const char *customer_id, int64_t now,
                char *secret, const struct audit_who *who);

/*
 * Delete a pair. With account_id >= 0 only that account's pair is found (the console); with
 * -1 any account's (the CLI). Deleting the account's last pair is -EBUSY unless `force`.
 * 0, -ENOENT, -EBUSY or the store's error.
 */
int creds_delete(const struct app *app, int64_t account_id, const char *customer_id, bool force,
                 const struct audit_who *who);

/*
 * Disable (enabled false) or enable a pair; with account_id >= 0 only that account's pair.
 * Disabling the account's last enabled pair is -EBUSY unless `force`. *out (may be NULL)
 * receives the pair as changed. 0, -ENOENT, -EBUSY or the store's error.
 */
int creds_set_enabled(const struct app *app, int64_t account_id, const char *customer_id,
                      bool enabled, bool force, const struct audit_who *who,
                      struct store_cred *out);

/*
 * Set when a pair expires (unix seconds; 0 = never; a time already past revokes it). An
 * expiry that leaves the account no enabled pair once it passes (none other outlives it) is
 * -EBUSY unless `force`. 0, -ENOENT, -EBUSY or the store's error.
 */
int creds_set_expiry(const struct app *app, int64_t account_id, const char *customer_id,
                     int64_t expires_at, bool force, const struct audit_who *who,
                     struct store_cred *out);

/*
 * Roll the pair old_id of fresh->account_id: store `fresh` (made by creds_new, or a pending
 * template whose id this draws at random) and have the old pair expire overlap_s seconds from
 * now (0: at once), unless it expires sooner already, in one transaction. The old pair counts
 * toward the pair limit until it expires. *old_out (may be NULL) receives the old pair.
 * 0, -ENOENT, -EPERM (a tripwire), -EDQUOT or the store's error.
 */
int creds_roll(const struct app *app, const char *old_id, int64_t overlap_s,
               struct store_cred *fresh, const struct audit_who *who, struct store_cred *old_out);

/* Set *fresh to a pending pair of the account made now, with no id yet (creds_roll draws it). */
void creds_pending_template(int64_t account_id, int64_t now, struct store_cred *fresh);

/* A duration as the CLI and the console take it: a whole number followed by d, h or m ("90d",
 * "24h", "30m"), or "0". 0 with *seconds set, or -EINVAL. */
int creds_parse_duration(const char *text, int64_t *seconds);

/* An RFC 3339 time ("2030-01-31T12:00:00Z", "2030-01-31T13:00:00+01:00", fractions of a
 * second ignored) as unix seconds. 0, or -EINVAL. */
int creds_parse_time(const char *text, int64_t *t);

/* The daily request counts of an account's pairs over the USAGE_DAYS UTC days that end today. */
struct creds_usage {
    int64_t first_day; /* unix seconds at the start of the first day */
    struct store_usage *rows;
    size_t n, cap;
};

/* Load the stored counts of the account's pairs. 0 or the store's error. */
int creds_usage_load(const struct app *app, int64_t account_id, int64_t now, struct creds_usage *u);

/* The days of one pair: the stored counts plus those this process has not written yet. */
void creds_usage_of(const struct app *app, const struct creds_usage *u, const char *customer_id,
                    int64_t days[USAGE_DAYS]);

void creds_usage_free(struct creds_usage *u);

/* The last-used time of a pair: the store's, or this process's when it is newer. */
int64_t creds_last_used(const struct app *app, const struct store_cred *c);

/* True for a Customer ID as the server makes them: 32 lowercase hex characters. */
bool creds_id_ok(const char *id);

/* The status word of a pair at `now`, in this precedence: "pending", "tripwire", "disabled",
 * "expired" (expires_at <= now), "active". */
const char *creds_status_name(const struct store_cred *c, int64_t now);

/*
 * The sentence that explains a refusal of one of the calls above to a person (the console
 * shows it, the CLI prints it), into buf; NULL when rc is not one of the refusals (-EDQUOT,
 * -EBUSY, -EALREADY, -ENOENT, -EPERM).
 */
const char *creds_message(const struct app *app, int rc, char *buf, size_t cap);

#endif
