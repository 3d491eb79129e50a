/* SPDX-License-Identifier: MIT */
/*
 * creds.c: the credential service over the store and the in-memory credential table.
 */
#include "service/creds.h"

#include "service/credtab.h"
#include "common/alloc.h"
#include "common/rand.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Attempts at a fresh random Customer ID before giving up (a clash is all but impossible). */
#define ID_ATTEMPTS 5

/*
 * Bring this process's credential table in line with a change the store has just committed:
 * the same refresh the change feed applies for changes made elsewhere. A no-op in an admin
 * app (running servers learn the change from the feed).
 */
static void
apply_to_table(const struct app *app, const char *customer_id)
{
    if (app->creds != NULL)
        credtab_refresh(app->creds, app->store, customer_id);
}

bool
creds_id_ok(const char *id)
{
    if (id == NULL || strlen(id) != SECRET_HEX_LEN)
        return false;
    for (size_t i = 0; i < SECRET_HEX_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

const char *
creds_status_name(const struct store_cred *c)
{
    return c->pending ? "pending" : c->status == 1 ? "active" : "disabled";
}

void
creds_new(const struct app *app, int64_t account_id, int64_t now, struct store_cred *c,
          char *secret)
{
    memset(c, 0, sizeof(*c));
    c->account_id = account_id;
    c->created = now;
    c->status = 1;
    secret_generate(c->customer_id, secret);
    secret_hash(&app->hasher, c->customer_id, SECRET_HEX_LEN, secret, SECRET_HEX_LEN, c->hash);
}

int
creds_add(const struct app *app, const struct store_cred *c)
{
    int rc = app->store->ops->cred_add(app->store->priv, c, (int)app->cfg->max_secrets);
    if (rc == 0)
        apply_to_table(app, c->customer_id);
    return rc;
}

int
creds_add_pending(const struct app *app, int64_t account_id, int64_t now, struct store_cred *c)
{
    memset(c, 0, sizeof(*c));
    c->account_id = account_id;
    c->created = now;
    c->status = 1;
    c->pending = true;
    int rc = -EAGAIN;
    for (int attempt = 0; attempt < ID_ATTEMPTS && rc == -EAGAIN; attempt++) {
        ra_rand_hex(c->customer_id, SECRET_HEX_LEN / 2);
        rc = app->store->ops->cred_add(app->store->priv, c, (int)app->cfg->max_secrets);
    }
    return rc; /* a pending pair never authenticates: nothing for the table */
}

int
creds_issue(const struct app *app, int64_t account_id, const char *customer_id, int64_t now,
            char *secret)
{
    if (!creds_id_ok(customer_id))
        return -ENOENT;
    struct store_cred c = {.account_id = account_id, .status = 1, .created = now};
    memcpy(c.customer_id, customer_id, SECRET_HEX_LEN + 1);
    ra_rand_hex(secret, SECRET_HEX_LEN / 2);
    secret_hash(&app->hasher, c.customer_id, SECRET_HEX_LEN, secret, SECRET_HEX_LEN, c.hash);
    int rc = app->store->ops->cred_issue(app->store->priv, account_id, customer_id, c.hash, now);
    if (rc == 0)
        apply_to_table(app, c.customer_id); /* it works before the secret is handed out */
    else
        ra_wipe(secret, SECRET_HEX_LEN + 1);
    ra_wipe(&c, sizeof(c));
    return rc;
}

int
creds_delete(const struct app *app, int64_t account_id, const char *customer_id, bool force)
{
    const struct store_ops *o = app->store->ops;
    struct store_cred c;
    int rc = creds_id_ok(customer_id) ? o->cred_get(app->store->priv, customer_id, &c) : -ENOENT;
    if (rc == 0 && account_id >= 0 && c.account_id != account_id)
        rc = -ENOENT;
    if (rc == 0)
        rc = o->cred_delete(app->store->priv, customer_id, force);
    if (rc == 0)
        apply_to_table(app, customer_id);
    ra_wipe(&c, sizeof(c));
    return rc;
}

const char *
creds_message(const struct app *app, int rc, char *buf, size_t cap)
{
    switch (rc) {
    case -EDQUOT:
        snprintf(buf, cap,
                 "This account already has %ld credential pairs, the most it can have. "
                 "Delete a pair before adding a new one.",
                 app->cfg->max_secrets);
        return buf;
    case -EBUSY:
        snprintf(buf, cap,
                 "This is the account's last credential pair, so it cannot be "
                 "deleted: the account would be locked out of the REST API. "
                 "Add a new pair first.");
        return buf;
    case -EALREADY:
        snprintf(buf, cap,
                 "The Customer Secret of this pair was already downloaded, and a "
                 "secret can be downloaded only once. If you no longer have it, "
                 "delete this pair and add a new one.");
        return buf;
    case -ENOENT:
        snprintf(buf, cap, "This account has no such credential pair.");
        return buf;
    default:
        return NULL;
    }
}
