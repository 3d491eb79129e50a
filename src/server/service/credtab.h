/* SPDX-License-Identifier: MIT */
/*
 * credtab.h: the in-memory replica of every credential, so that authenticating a request
 * never touches the database.
 *
 * The table is loaded from the store at start (credtab_reload) and then kept in step one
 * Customer ID at a time (credtab_refresh), for changes made by this process at once and for
 * changes made elsewhere as the change feed reports them. Pending pairs (no secret issued yet) are
 * never loaded. Verification always computes the keyed hash, against a dummy when the Customer ID
 * is unknown, and compares in constant time, so timing does not tell which IDs exist. Last-used
 * times are kept in memory to the second and written in batches.
 */
#ifndef RA_SERVER_SERVICE_CREDTAB_H
#define RA_SERVER_SERVICE_CREDTAB_H

#include "service/accounts.h"
#include "auth/basic.h"
#include "auth/secret.h"
#include "store/store.h"

#include <stdint.h>

struct credtab;

/* Create an empty table that hashes with `key` (copied) and finds each credential's account
 * state in `accounts`. 0 or -ENOMEM. */
int credtab_new(const unsigned char key[SECRET_KEY_LEN], struct accounts *accounts,
                struct credtab **out);
void credtab_free(struct credtab *t);

/* Replace the contents with every credential in the store, keeping unsaved last-used times.
 * Returns 0 or the store's error (the old contents stay then). */
int credtab_reload(struct credtab *t, struct store *st);

/* Number of credentials held. */
size_t credtab_size(struct credtab *t);

/* True when the table holds Customer ID id[0..len), whatever its state. For the failure
 * counts of /metrics; called on the failure path only, for known and unknown IDs alike. */
bool credtab_has(struct credtab *t, const char *id, size_t len);

/*
 * Check a parsed Basic credential. On success returns 0, sets *acct to the owning account's
 * state and copies the Customer ID to customer_id (33 bytes). A wrong secret or an unknown ID
 * is -EACCES; the right secret of a disabled pair is -EKEYREVOKED, of one expired at `now`
 * (unix seconds: expires_at <= now) -EKEYEXPIRED; the caller refuses all three alike and
 * tells them apart only in its counts. The right secret of a live tripwire pair is -EPERM,
 * with *acct and customer_id set so that the caller can report it (and refuse it exactly as
 * -EACCES). `now` also feeds the last-used time.
 */
int credtab_verify(struct credtab *t, const struct basic_cred *c, int64_t now, struct acct **acct,
                   char *customer_id);

/*
 * Add one credential that this process has just stored (a secret issued by the console), so
 * that it authenticates at once. Returns 0, -EINVAL for a pending pair or a bad ID, -ENOMEM,
 * or -ENOSPC when the table is too full to take it in place (then credtab_reload instead).
 */
int credtab_add(struct credtab *t, const struct store_cred *c);

/* Forget one Customer ID at once (after this process deleted it). */
void credtab_forget(struct credtab *t, const char *customer_id);

/*
 * Make the entry of one Customer ID match the store: add or update it from the stored row, or
 * forget it when the store has no usable pair (deleted, or pending). Idempotent, and right in
 * any order: every change to a pair, made by this process or learnt from the change feed,
 * reaches the table this way. Changes of the contents are serialised with reloads, so a
 * change made during a reload is never undone by it. 0 or the store's error (the table is
 * unchanged then; call again later).
 */
int credtab_refresh(struct credtab *t, struct store *st, const char *customer_id);

/* The last-used time this process holds for a Customer ID (0 = never, or unknown). */
int64_t credtab_last_used(struct credtab *t, const char *customer_id);

/* Write last-used times that changed since the previous flush. 0 or the store's error. */
int credtab_flush_last_used(struct credtab *t, struct store *st);

#endif
