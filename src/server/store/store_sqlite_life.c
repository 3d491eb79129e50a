/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite_life.c: the credential lifecycle of the SQLite backend (disable, enable,
 * expiry, roll, each with its audit entry in the same transaction), the audit log and the
 * per-pair usage counts. The statements are prepared with the others (store_sqlite.c).
 */
#include "store/store_sqlite_priv.h"

int
sql_last_pair_check(struct sq *s, const struct store_cred *c, int64_t now, int64_t until)
{
    if (!store_cred_enabled(c, now))
        return 0; /* not enabled now: the account loses nothing */
    int64_t n = 0;
    sqlite3_stmt *st = s->q[Q_CRED_ENABLED_OTHERS];
    int rc = bound(s, sqlite3_bind_int64(st, 1, c->account_id) | bind_text(st, 2, c->customer_id) |
                          sqlite3_bind_int64(st, 3, now) | sqlite3_bind_int64(st, 4, until));
    if (rc == 0)
        rc = scalar(s, st, &n, "enabled pairs");
    else
        put(st);
    return rc == 0 && n == 0 ? -EBUSY : rc;
}

/* Append audit entry a inside the caller's transaction (NULL: nothing). */
static int
audit_insert(struct sq *s, const struct store_audit *a)
{
    if (a == NULL)
        return 0;
    if (!fits(a->actor, STORE_EMAIL_MAX) || !fits(a->action, STORE_ACTION_MAX) ||
        !fits(a->target, STORE_TARGET_MAX) || !fits(a->address, STORE_ADDRESS_MAX))
        return -EINVAL;
    sqlite3_stmt *st = s->q[Q_AUDIT_ADD];
    int rc = bound(s, sqlite3_bind_int64(st, 1, a->account_id) |
                          sqlite3_bind_int64(st, 2, a->time) | bind_text(st, 3, a->actor) |
                          bind_text(st, 4, a->action) | bind_text(st, 5, a->target) |
                          bind_text(st, 6, a->address[0] != '\0' ? a->address : NULL) |
                          sqlite3_bind_int(st, 7, a->alert ? 1 : 0));
    if (rc == 0)
        rc = step(s, st, "audit_add");
    put(st);
    return rc;
}

/* Write status and expiry of c as they are in *c, inside the caller's transaction. */
static int
write_state(struct sq *s, const struct store_cred *c)
{
    sqlite3_stmt *st = s->q[Q_CRED_SET_STATE];
    int rc = bound(s, bind_text(st, 1, c->customer_id) | sqlite3_bind_int(st, 2, c->status) |
                          sqlite3_bind_int64(st, 3, c->expires_at));
    if (rc == 0)
        rc = step(s, st, "cred_update");
    put(st);
    return rc;
}

/* The body of cred_update inside its transaction. */
static int
update_locked(struct sq *s, int64_t account_id, const char *customer_id,
              const struct store_cred_update *u, const struct store_audit *audit,
              struct store_cred *c)
{
    int rc = store_sqlite_cred_lookup(s, customer_id, c);
    if (rc == 0 && account_id >= 0 && c->account_id != account_id)
        rc = -ENOENT;
    if (rc < 0)
        return rc;
    struct store_cred next = *c;
    if (u->status >= 0)
        next.status = u->status;
    if (u->set_expiry)
        next.expires_at = u->expires_at;
    /* Losing the pair now (a disable, or an expiry already past) or later (an expiry). */
    if (!u->force && !store_cred_enabled(&next, u->now))
        rc = sql_last_pair_check(s, c, u->now, 0);
    else if (!u->force && next.expires_at != 0)
        rc = sql_last_pair_check(s, c, u->now, next.expires_at);
    if (rc == 0)
        rc = write_state(s, &next);
    if (rc == 0)
        rc = audit_insert(s, audit);
    if (rc == 0)
        *c = next;
    ra_wipe(&next, sizeof(next));
    return rc;
}

int
sql_cred_update(void *priv, int64_t account_id, const char *customer_id,
                const struct store_cred_update *u, const struct store_audit *audit,
                struct store_cred *out)
{
    struct sq *s = priv;
    struct store_cred c;
    if (s == NULL || customer_id == NULL || u == NULL || u->status > 1)
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    if (rc == 0)
        rc = update_locked(s, account_id, customer_id, u, audit, &c);
    rc = tx_end(s, rc);
    unlock(s);
    if (rc == 0 && out != NULL)
        *out = c;
    ra_wipe(&c, sizeof(c));
    return rc;
}

/* The body of cred_roll inside its transaction. */
static int
roll_locked(struct sq *s, const struct store_cred *fresh, int max, const char *old_id,
            int64_t old_expires, const struct store_audit *audit, struct store_cred *old)
{
    int rc = store_sqlite_cred_lookup(s, old_id, old);
    if (rc == 0 && old->account_id != fresh->account_id)
        rc = -ENOENT;
    if (rc == 0 && old->tripwire)
        rc = -EPERM;
    if (rc == 0)
        rc = store_sqlite_add_cred(s, fresh, max);
    if (rc < 0)
        return rc;
    if (old->expires_at == 0 || old->expires_at > old_expires)
        old->expires_at = old_expires;
    rc = write_state(s, old);
    if (rc == 0)
        rc = audit_insert(s, audit);
    return rc;
}

int
sql_cred_roll(void *priv, const struct store_cred *fresh, int max, const char *old_id,
              int64_t old_expires, const struct store_audit *audit, struct store_cred *old_out)
{
    struct sq *s = priv;
    struct store_cred old;
    if (s == NULL || fresh == NULL || old_id == NULL || !fits(fresh->customer_id, STORE_HEX32) ||
        fresh->customer_id[0] == '\0')
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    if (rc == 0)
        rc = roll_locked(s, fresh, max, old_id, old_expires, audit, &old);
    rc = tx_end(s, rc);
    unlock(s);
    if (rc == 0 && old_out != NULL)
        *old_out = old;
    ra_wipe(&old, sizeof(old));
    return rc;
}

int
sql_audit_add(void *priv, const struct store_audit *a)
{
    struct sq *s = priv;
    if (s == NULL || a == NULL)
        return -EINVAL;
    lock(s);
    int rc = audit_insert(s, a);
    unlock(s);
    return rc;
}

static int
read_audit(sqlite3_stmt *st, void *out)
{
    struct store_audit *a = out;
    a->id = sqlite3_column_int64(st, 0);
    a->account_id = sqlite3_column_int64(st, 1);
    a->time = sqlite3_column_int64(st, 3);
    a->alert = sqlite3_column_int(st, 8) != 0;
    int rc = col_text(st, 2, a->account, sizeof(a->account));
    if (rc == 0)
        rc = col_text(st, 4, a->actor, sizeof(a->actor));
    if (rc == 0)
        rc = col_text(st, 5, a->action, sizeof(a->action));
    if (rc == 0)
        rc = col_text(st, 6, a->target, sizeof(a->target));
    if (rc == 0)
        rc = col_text(st, 7, a->address, sizeof(a->address));
    return rc;
}

int
sql_audit_list(void *priv, const struct store_audit_query *q, store_audit_fn fn, void *ctx)
{
    struct sq *s = priv;
    struct rows r = {.size = sizeof(struct store_audit)};
    if (s == NULL || q == NULL || fn == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_AUDIT_LIST];
    int rc =
        bound(s, sqlite3_bind_int64(st, 1, q->account_id) | sqlite3_bind_int64(st, 2, q->since) |
                     sqlite3_bind_int64(st, 3, q->before) | sqlite3_bind_int(st, 4, q->limit));
    if (rc == 0)
        rc = collect(s, st, &r, read_audit, "audit_list");
    else
        put(st);
    unlock(s);
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = fn(ctx, (const struct store_audit *)(const void *)(r.v + i * r.size));
    ra_free(r.v);
    return rc;
}

/* Run the one-parameter delete `id` with `before`. */
static int
prune(void *priv, enum q id, int64_t before)
{
    struct sq *s = priv;
    if (s == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[id];
    int rc = bound(s, sqlite3_bind_int64(st, 1, before));
    if (rc == 0)
        rc = step(s, st, "prune");
    put(st);
    unlock(s);
    return rc;
}

int
sql_audit_prune(void *priv, int64_t before)
{
    return prune(priv, Q_AUDIT_PRUNE, before);
}

int
sql_usage_add(void *priv, const struct store_usage *u, size_t n)
{
    struct sq *s = priv;
    if (s == NULL || (u == NULL && n > 0))
        return -EINVAL;
    if (n == 0)
        return 0;
    lock(s);
    int rc = tx_begin(s);
    sqlite3_stmt *st = s->q[Q_USAGE_ADD];
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!fits(u[i].customer_id, STORE_HEX32) || !fits(u[i].endpoint, STORE_ENDPOINT_MAX))
            continue; /* cannot name a stored pair */
        rc = bound(s, bind_text(st, 1, u[i].customer_id) | bind_text(st, 2, u[i].endpoint) |
                          sqlite3_bind_int64(st, 3, u[i].hour) |
                          sqlite3_bind_int64(st, 4, u[i].count));
        if (rc == 0)
            rc = step(s, st, "usage_add");
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

static int
read_daily(sqlite3_stmt *st, void *out)
{
    struct store_usage *u = out;
    u->hour = sqlite3_column_int64(st, 1);
    u->count = sqlite3_column_int64(st, 2);
    return col_text(st, 0, u->customer_id, sizeof(u->customer_id));
}

int
sql_usage_daily(void *priv, int64_t account_id, int64_t since, store_usage_fn fn, void *ctx)
{
    struct sq *s = priv;
    struct rows r = {.size = sizeof(struct store_usage)};
    if (s == NULL || fn == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_USAGE_DAILY];
    int rc = bound(s, sqlite3_bind_int64(st, 1, account_id) | sqlite3_bind_int64(st, 2, since));
    if (rc == 0)
        rc = collect(s, st, &r, read_daily, "usage_daily");
    else
        put(st);
    unlock(s);
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = fn(ctx, (const struct store_usage *)(const void *)(r.v + i * r.size));
    ra_free(r.v);
    return rc;
}

int
sql_usage_prune(void *priv, int64_t before)
{
    return prune(priv, Q_USAGE_PRUNE, before);
}
