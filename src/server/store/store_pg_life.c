/* SPDX-License-Identifier: MIT */
/*
 * store_pg_life.c: the credential lifecycle of the PostgreSQL backend (disable, enable,
 * expiry, roll, each with its audit entry in the same transaction, under the account's lock
 * like every rule that spans an account's pairs: store_pg.c), the audit log and the per-pair
 * usage counts, with the semantics of the SQLite backend (store_sqlite_life.c).
 */
#include "store/store_pg_priv.h"

#include "common/alloc.h"

#include <stdlib.h>

int
pgl_lock_cred(PGconn *c, const char *customer_id, struct store_cred *out)
{
    struct store_pg_args a = {.n = 0};
    PGresult *r = NULL;
    store_pg_arg_text(&a, customer_id);
    int rc = store_pg_exec(c, "SELECT account_id FROM credentials WHERE customer_id = $1", &a, &r,
                           "cred lock");
    if (rc == 0 && PQntuples(r) == 0)
        rc = -ENOENT;
    int64_t account = rc == 0 ? store_pg_i64(r, 0, 0) : 0;
    PQclear(r);
    r = NULL;
    if (rc == 0)
        rc = store_pg_lock_account(c, account);
    if (rc == 0)
        rc = store_pg_exec(c, "SELECT " CRED_COLS " FROM credentials WHERE customer_id = $1", &a,
                           &r, "cred lock");
    if (rc == 0 && PQntuples(r) == 0)
        rc = -ENOENT; /* deleted meanwhile */
    if (rc == 0) {
        memset(out, 0, sizeof(*out));
        rc = store_pg_read_cred(r, 0, out);
    }
    if (rc == 0 && out->account_id != account)
        rc = STORE_PG_RETRY; /* moved to another account meanwhile: never, but be safe */
    store_pg_wipe_column(r, 2);
    PQclear(r);
    return rc;
}

int
pgl_last_pair_check(PGconn *c, const struct store_cred *cr, int64_t now, int64_t until)
{
    if (!store_cred_enabled(cr, now))
        return 0;
    struct store_pg_args a = {.n = 0};
    PGresult *r = NULL;
    store_pg_arg_i64(&a, cr->account_id);
    store_pg_arg_text(&a, cr->customer_id);
    store_pg_arg_i64(&a, until > now ? until : now);
    int rc = store_pg_exec(c,
                           "SELECT count(*) FROM credentials WHERE account_id = $1"
                           " AND customer_id <> $2 AND status = 1 AND tripwire = 0"
                           " AND (expires_at = 0 OR expires_at > $3)",
                           &a, &r, "enabled pairs");
    if (rc == 0 && store_pg_i64(r, 0, 0) == 0)
        rc = -EBUSY;
    PQclear(r);
    return rc;
}

/* Append audit entry e inside the caller's transaction (NULL: nothing). */
static int
audit_insert(PGconn *c, const struct store_audit *e)
{
    if (e == NULL)
        return 0;
    if (!fits(e->actor, STORE_EMAIL_MAX) || !fits(e->action, STORE_ACTION_MAX) ||
        !fits(e->target, STORE_TARGET_MAX) || !fits(e->address, STORE_ADDRESS_MAX))
        return -EINVAL;
    struct store_pg_args a = {.n = 0};
    store_pg_arg_i64(&a, e->account_id);
    store_pg_arg_i64(&a, e->time);
    store_pg_arg_text(&a, e->actor);
    store_pg_arg_text(&a, e->action);
    store_pg_arg_text(&a, e->target);
    store_pg_arg_text(&a, e->address[0] != '\0' ? e->address : NULL);
    store_pg_arg_i64(&a, e->alert ? 1 : 0);
    return store_pg_exec(c,
                         "INSERT INTO audit (account_id, time, actor, action, target, address,"
                         " alert) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         &a, NULL, "audit_add");
}

/* Write status and expiry of cr as they are in *cr, inside the caller's transaction. */
static int
write_state(PGconn *c, const struct store_cred *cr)
{
    struct store_pg_args a = {.n = 0};
    store_pg_arg_text(&a, cr->customer_id);
    store_pg_arg_i64(&a, cr->status);
    store_pg_arg_i64(&a, cr->expires_at);
    return store_pg_exec(c,
                         "UPDATE credentials SET status = $2, expires_at = $3"
                         " WHERE customer_id = $1",
                         &a, NULL, "cred_update");
}

struct update_job {
    int64_t account_id;
    const char *customer_id;
    const struct store_cred_update *u;
    const struct store_audit *audit;
    struct store_cred c; /* out: the pair as changed */
};

static int
update_job(PGconn *c, void *arg)
{
    struct update_job *j = arg;
    const struct store_cred_update *u = j->u;
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = pgl_lock_cred(c, j->customer_id, &j->c);
    if (rc == 0 && j->account_id >= 0 && j->c.account_id != j->account_id)
        rc = -ENOENT;
    struct store_cred next = j->c;
    if (u->status >= 0)
        next.status = u->status;
    if (u->set_expiry)
        next.expires_at = u->expires_at;
    if (rc == 0 && !u->force && !store_cred_enabled(&next, u->now))
        rc = pgl_last_pair_check(c, &j->c, u->now, 0);
    else if (rc == 0 && !u->force && next.expires_at != 0)
        rc = pgl_last_pair_check(c, &j->c, u->now, next.expires_at);
    if (rc == 0)
        rc = write_state(c, &next);
    if (rc == 0)
        rc = audit_insert(c, j->audit);
    if (rc == 0)
        j->c = next;
    ra_wipe(&next, sizeof(next));
    return store_pg_end(c, rc);
}

int
pgl_cred_update(void *priv, int64_t account_id, const char *customer_id,
                const struct store_cred_update *u, const struct store_audit *audit,
                struct store_cred *out)
{
    struct update_job j = {account_id, customer_id, u, audit, {.account_id = 0}};
    if (priv == NULL || customer_id == NULL || u == NULL || u->status > 1)
        return -EINVAL;
    if (!fits(customer_id, STORE_HEX32))
        return -ENOENT;
    int rc = store_pg_run(priv, update_job, &j);
    if (rc == 0 && out != NULL)
        *out = j.c;
    ra_wipe(&j.c, sizeof(j.c));
    return rc;
}

struct roll_job {
    const struct store_cred *fresh;
    int max;
    const char *old_id;
    int64_t old_expires;
    const struct store_audit *audit;
    struct store_cred old; /* out */
};

static int
roll_job(PGconn *c, void *arg)
{
    struct roll_job *j = arg;
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = pgl_lock_cred(c, j->old_id, &j->old);
    if (rc == 0 && j->old.account_id != j->fresh->account_id)
        rc = -ENOENT;
    if (rc == 0 && j->old.tripwire)
        rc = -EPERM;
    if (rc == 0)
        rc = store_pg_add_cred(c, j->fresh, j->max);
    if (rc == 0 && (j->old.expires_at == 0 || j->old.expires_at > j->old_expires))
        j->old.expires_at = j->old_expires;
    if (rc == 0)
        rc = write_state(c, &j->old);
    if (rc == 0)
        rc = audit_insert(c, j->audit);
    return store_pg_end(c, rc);
}

int
pgl_cred_roll(void *priv, const struct store_cred *fresh, int max, const char *old_id,
              int64_t old_expires, const struct store_audit *audit, struct store_cred *old_out)
{
    struct roll_job j = {fresh, max, old_id, old_expires, audit, {.account_id = 0}};
    if (priv == NULL || fresh == NULL || old_id == NULL || !fits(fresh->customer_id, STORE_HEX32) ||
        fresh->customer_id[0] == '\0')
        return -EINVAL;
    if (!fits(old_id, STORE_HEX32))
        return -ENOENT;
    int rc = store_pg_run(priv, roll_job, &j);
    if (rc == 0 && old_out != NULL)
        *old_out = j.old;
    ra_wipe(&j.old, sizeof(j.old));
    return rc;
}

static int
audit_add_job(PGconn *c, void *arg)
{
    return audit_insert(c, arg); /* one statement: its own transaction */
}

int
pgl_audit_add(void *priv, const struct store_audit *a)
{
    if (priv == NULL || a == NULL)
        return -EINVAL;
    return store_pg_run(priv, audit_add_job, (void *)a);
}

static int
read_audit(const PGresult *r, int row, void *out)
{
    struct store_audit *a = out;
    a->id = store_pg_i64(r, row, 0);
    a->account_id = store_pg_i64(r, row, 1);
    a->time = store_pg_i64(r, row, 3);
    a->alert = store_pg_i64(r, row, 8) != 0;
    int rc = store_pg_text(r, row, 2, a->account, sizeof(a->account));
    if (rc == 0)
        rc = store_pg_text(r, row, 4, a->actor, sizeof(a->actor));
    if (rc == 0)
        rc = store_pg_text(r, row, 5, a->action, sizeof(a->action));
    if (rc == 0)
        rc = store_pg_text(r, row, 6, a->target, sizeof(a->target));
    if (rc == 0)
        rc = store_pg_text(r, row, 7, a->address, sizeof(a->address));
    return rc;
}

int
pgl_audit_list(void *priv, const struct store_audit_query *q, store_audit_fn fn, void *ctx)
{
    struct store_pg_query pq = {
        .sql = "SELECT a.id, a.account_id, coalesce(c.name, ''), a.time, a.actor, a.action,"
               " a.target, a.address, a.alert FROM audit a"
               " LEFT JOIN accounts c ON c.id = a.account_id"
               " WHERE ($1::bigint < 0 OR a.account_id = $1) AND a.time >= $2"
               " AND ($3::bigint <= 0 OR a.id < $3) ORDER BY a.id DESC LIMIT $4",
        .what = "audit_list"};
    struct store_audit a;
    if (priv == NULL || q == NULL || fn == NULL)
        return -EINVAL;
    store_pg_arg_i64(&pq.args, q->account_id);
    store_pg_arg_i64(&pq.args, q->since);
    store_pg_arg_i64(&pq.args, q->before);
    store_pg_arg_i64(&pq.args, q->limit < 0 ? 0 : q->limit);
    int rc = store_pg_query(priv, &pq);
    for (int i = 0; rc == 0 && i < PQntuples(pq.res); i++) {
        memset(&a, 0, sizeof(a));
        rc = read_audit(pq.res, i, &a);
        if (rc == 0)
            rc = fn(ctx, &a);
    }
    PQclear(pq.res);
    return rc;
}

/* Run the one-parameter delete `sql` with `before`. */
static int
prune(void *priv, const char *sql, int64_t before)
{
    struct store_pg_query q = {.sql = sql, .what = "prune"};
    if (priv == NULL)
        return -EINVAL;
    store_pg_arg_i64(&q.args, before);
    return store_pg_write(priv, &q);
}

int
pgl_audit_prune(void *priv, int64_t before)
{
    return prune(priv, "DELETE FROM audit WHERE time < $1", before);
}

struct usage_job {
    const struct store_usage *u;
    size_t n;
};

/* Add the counts in one transaction. The caller sorted them, so that two batches lock the
 * same rows in the same order and cannot deadlock. */
static int
usage_job(PGconn *c, void *arg)
{
    struct usage_job *j = arg;
    int rc = store_pg_begin(c);
    for (size_t i = 0; rc == 0 && i < j->n; i++) {
        struct store_pg_args a = {.n = 0};
        store_pg_arg_text(&a, j->u[i].customer_id);
        store_pg_arg_text(&a, j->u[i].endpoint);
        store_pg_arg_i64(&a, j->u[i].hour);
        store_pg_arg_i64(&a, j->u[i].count);
        rc = store_pg_exec(c,
                           "INSERT INTO usage (customer_id, endpoint, hour, count)"
                           " VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, hour, endpoint)"
                           " DO UPDATE SET count = usage.count + excluded.count",
                           &a, NULL, "usage_add");
    }
    return store_pg_end(c, rc);
}

static int
usage_order(const void *a, const void *b)
{
    const struct store_usage *x = a, *y = b;
    int d = strcmp(x->customer_id, y->customer_id);
    if (d == 0)
        d = x->hour < y->hour ? -1 : x->hour > y->hour;
    return d != 0 ? d : strcmp(x->endpoint, y->endpoint);
}

int
pgl_usage_add(void *priv, const struct store_usage *u, size_t n)
{
    if (priv == NULL || (u == NULL && n > 0))
        return -EINVAL;
    if (n == 0)
        return 0;
    struct store_usage *sorted = ra_malloc(n * sizeof(*sorted));
    if (sorted == NULL)
        return -ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (fits(u[i].customer_id, STORE_HEX32) && fits(u[i].endpoint, STORE_ENDPOINT_MAX))
            sorted[m++] = u[i];
    }
    qsort(sorted, m, sizeof(*sorted), usage_order);
    struct usage_job j = {sorted, m};
    int rc = store_pg_run(priv, usage_job, &j);
    ra_free(sorted);
    return rc;
}

int
pgl_usage_daily(void *priv, int64_t account_id, int64_t since, store_usage_fn fn, void *ctx)
{
    struct store_pg_query q = {
        .sql = "SELECT u.customer_id, (u.hour / 86400) * 86400 AS day, sum(u.count)"
               " FROM usage u JOIN credentials c ON c.customer_id = u.customer_id"
               " WHERE ($1::bigint < 0 OR c.account_id = $1) AND u.hour >= $2"
               " GROUP BY u.customer_id, day ORDER BY u.customer_id, day",
        .what = "usage_daily"};
    struct store_usage u;
    if (priv == NULL || fn == NULL)
        return -EINVAL;
    store_pg_arg_i64(&q.args, account_id);
    store_pg_arg_i64(&q.args, since);
    int rc = store_pg_query(priv, &q);
    for (int i = 0; rc == 0 && i < PQntuples(q.res); i++) {
        memset(&u, 0, sizeof(u));
        u.hour = store_pg_i64(q.res, i, 1);
        u.count = store_pg_i64(q.res, i, 2);
        rc = store_pg_text(q.res, i, 0, u.customer_id, sizeof(u.customer_id));
        if (rc == 0)
            rc = fn(ctx, &u);
    }
    PQclear(q.res);
    return rc;
}

int
pgl_usage_prune(void *priv, int64_t before)
{
    return prune(priv, "DELETE FROM usage WHERE hour < $1", before);
}
