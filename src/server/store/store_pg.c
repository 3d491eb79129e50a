/* SPDX-License-Identifier: MIT */
/*
 * store_pg.c: the PostgreSQL backend of the store (store_pg_ops): open and close, accounts,
 * credentials and projects, with the semantics and return codes of the SQLite backend
 * (store_sqlite.c). The console's operations are in store_pg_console.c, the change feed and
 * the nodes table in store_pg_feed.c, the connections in store_pg_pool.c.
 *
 * Several server processes share the database, so a rule that spans rows (the pair and
 * project quotas, a live project's unique name, the last pair of an account) is checked and
 * enforced in one transaction that first locks the account's row (store_pg_lock_account):
 * the transactions of one account then run one after another, each seeing what the previous
 * committed, while other accounts go on in parallel. Row locks were chosen over SERIALIZABLE
 * because they make the losers wait instead of fail (no retry loop, no false conflicts
 * between accounts through index pages), and the lock is one cheap primary-key lookup. The
 * unique indexes stay as the last line of defence. The once-only secret issue locks the
 * credential's row instead (store_pg_console.c).
 *
 * Projects are never removed: deleting one sets deleted, which hides it from every query here
 * and frees its name; its id stays taken. A negative `max` means no quota.
 */
#include "store/store.h"

#include "store/store_pg_priv.h"

#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ACCOUNT_COLS "id, name, created"
#define PROJECT_COLS "id, account_id, name, vendor_key, sign_key, recording_server, status, created"

static int
read_account(const PGresult *r, int row, void *out)
{
    struct store_account *a = out;
    a->id = store_pg_i64(r, row, 0);
    a->created = store_pg_i64(r, row, 2);
    return store_pg_text(r, row, 1, a->name, sizeof(a->name));
}

/* A NULL hash is a pending pair (console "Add a secret" before the download). */
int
store_pg_read_cred(const PGresult *r, int row, void *out)
{
    struct store_cred *c = out;
    int rc = store_pg_text(r, row, 0, c->customer_id, sizeof(c->customer_id));
    int h = rc == 0 ? store_pg_bytes(r, row, 2, c->hash, STORE_HASH_LEN) : rc;
    c->account_id = store_pg_i64(r, row, 1);
    c->pending = h == 1;
    c->created = store_pg_i64(r, row, 3);
    c->last_used = store_pg_i64(r, row, 4);
    c->status = (int)store_pg_i64(r, row, 5);
    c->issued = store_pg_i64(r, row, 6);
    c->expires_at = store_pg_i64(r, row, 7);
    c->tripwire = store_pg_i64(r, row, 8) != 0;
    return h < 0 ? h : 0;
}

static int
read_project(const PGresult *r, int row, void *out)
{
    struct store_project *p = out;
    int rc = store_pg_text(r, row, 0, p->id, sizeof(p->id));
    p->account_id = store_pg_i64(r, row, 1);
    if (rc == 0)
        rc = store_pg_text(r, row, 2, p->name, sizeof(p->name));
    if (rc == 0)
        rc = store_pg_text(r, row, 3, p->vendor_key, sizeof(p->vendor_key));
    if (rc == 0)
        rc = store_pg_text(r, row, 4, p->sign_key, sizeof(p->sign_key));
    p->has_recording_server = !PQgetisnull(r, row, 5);
    if (rc == 0)
        rc = store_pg_text(r, row, 5, p->recording_server, sizeof(p->recording_server));
    p->status = (int)store_pg_i64(r, row, 6);
    p->created = store_pg_i64(r, row, 7);
    return rc;
}

static int
pg_account_add(void *priv, const char *name, int64_t now, struct store_account *out)
{
    struct store_pg_query q = {.sql = "INSERT INTO accounts (name, created) VALUES ($1, $2)"
                                      " RETURNING id",
                               .what = "account_add",
                               .write = true};
    if (priv == NULL || !fits(name, STORE_ACCOUNT_NAME_MAX) || name[0] == '\0')
        return -EINVAL;
    store_pg_arg_text(&q.args, name);
    store_pg_arg_i64(&q.args, now);
    int rc = store_pg_query(priv, &q);
    if (rc == 0 && out != NULL) {
        out->id = store_pg_i64(q.res, 0, 0);
        snprintf(out->name, sizeof(out->name), "%s", name);
        out->created = now;
    }
    PQclear(q.res);
    return rc;
}

static int
pg_account_by_name(void *priv, const char *name, struct store_account *out)
{
    struct store_pg_query q = {.sql = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = $1",
                               .what = "account_by_name"};
    if (priv == NULL || name == NULL || out == NULL)
        return -EINVAL;
    if (!fits(name, STORE_ACCOUNT_NAME_MAX))
        return -ENOENT;
    store_pg_arg_text(&q.args, name);
    return store_pg_fetch_one(priv, &q, read_account, out, -1);
}

static int
pg_account_list(void *priv, store_account_fn fn, void *ctx)
{
    struct store_pg_query q = {.sql = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY id",
                               .what = "account_list"};
    struct store_account a;
    if (priv == NULL || fn == NULL)
        return -EINVAL;
    int rc = store_pg_query(priv, &q);
    for (int i = 0; rc == 0 && i < PQntuples(q.res); i++) {
        memset(&a, 0, sizeof(a));
        rc = read_account(q.res, i, &a);
        if (rc == 0)
            rc = fn(ctx, &a);
    }
    PQclear(q.res);
    return rc;
}

int
store_pg_add_cred(PGconn *c, const struct store_cred *cr, int max)
{
    struct store_pg_args a = {.n = 0};
    PGresult *r = NULL;
    store_pg_arg_i64(&a, cr->account_id);
    store_pg_arg_i64(&a, cr->created);
    int rc = store_pg_exec(c,
                           "SELECT count(*) FROM credentials WHERE account_id = $1"
                           " AND (expires_at = 0 OR expires_at > $2)",
                           &a, &r, "cred count");
    if (rc == 0 && max >= 0 && store_pg_i64(r, 0, 0) >= max)
        rc = -EDQUOT;
    PQclear(r);
    a = (struct store_pg_args){.n = 0};
    store_pg_arg_text(&a, cr->customer_id);
    store_pg_arg_i64(&a, cr->account_id);
    if (cr->pending)
        store_pg_arg_text(&a, NULL);
    else
        store_pg_arg_bytes(&a, cr->hash, STORE_HASH_LEN);
    store_pg_arg_i64(&a, cr->created);
    store_pg_arg_i64(&a, cr->last_used);
    store_pg_arg_i64(&a, cr->status);
    store_pg_arg_i64(&a, cr->pending ? 0 : cr->issued != 0 ? cr->issued : cr->created);
    store_pg_arg_i64(&a, cr->expires_at);
    store_pg_arg_i64(&a, cr->tripwire ? 1 : 0);
    if (rc == 0) {
        rc = store_pg_exec(c,
                           "INSERT INTO credentials (" CRED_COLS ")"
                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                           &a, NULL, "cred_add");
        if (rc == -EEXIST)
            rc = -EAGAIN;
    }
    return rc;
}

struct cred_add_job {
    const struct store_cred *c;
    int max;
};

/* In one transaction, under the account's lock: count, check the quota, insert. */
static int
cred_add_job(PGconn *c, void *arg)
{
    struct cred_add_job *j = arg;
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = store_pg_lock_account(c, j->c->account_id);
    if (rc == 0)
        rc = store_pg_add_cred(c, j->c, j->max);
    return store_pg_end(c, rc);
}

static int
pg_cred_add(void *priv, const struct store_cred *c, int max)
{
    struct cred_add_job j = {c, max};
    if (priv == NULL || c == NULL || !fits(c->customer_id, STORE_HEX32) ||
        c->customer_id[0] == '\0')
        return -EINVAL;
    return store_pg_run(priv, cred_add_job, &j);
}

static int
pg_cred_get(void *priv, const char *customer_id, struct store_cred *out)
{
    struct store_pg_query q = {.sql = "SELECT " CRED_COLS " FROM credentials"
                                      " WHERE customer_id = $1",
                               .what = "cred_get"};
    if (priv == NULL || customer_id == NULL || out == NULL)
        return -EINVAL;
    if (!fits(customer_id, STORE_HEX32))
        return -ENOENT;
    store_pg_arg_text(&q.args, customer_id);
    return store_pg_fetch_one(priv, &q, store_pg_read_cred, out, 2);
}

static int
pg_cred_list(void *priv, int64_t account_id, store_cred_fn fn, void *ctx)
{
    struct store_pg_query q = {.sql = "SELECT " CRED_COLS " FROM credentials"
                                      " WHERE $1::bigint < 0 OR account_id = $1"
                                      " ORDER BY created, seq",
                               .what = "cred_list"};
    struct store_cred c;
    if (priv == NULL || fn == NULL)
        return -EINVAL;
    store_pg_arg_i64(&q.args, account_id);
    int rc = store_pg_query(priv, &q);
    for (int i = 0; rc == 0 && i < PQntuples(q.res); i++) {
        memset(&c, 0, sizeof(c));
        rc = store_pg_read_cred(q.res, i, &c);
        if (rc == 0)
            rc = fn(ctx, &c);
    }
    ra_wipe(&c, sizeof(c));
    store_pg_wipe_column(q.res, 2);
    PQclear(q.res);
    return rc;
}

struct cred_delete_job {
    const char *customer_id;
    bool force;
};

/* Lock the pair's account, then apply the last-pair rules and delete it with its usage. */
static int
cred_delete_job(PGconn *c, void *arg)
{
    struct cred_delete_job *j = arg;
    struct store_pg_args a = {.n = 0};
    struct store_cred cr;
    PGresult *r = NULL;
    int64_t n = 0;
    store_pg_arg_text(&a, j->customer_id);
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = pgl_lock_cred(c, j->customer_id, &cr);
    if (rc == 0 && !j->force)
        rc = store_pg_count(c, "SELECT count(*) FROM credentials WHERE account_id = $1",
                            cr.account_id, &n);
    if (rc == 0 && !j->force && n <= 1)
        rc = -EBUSY;
    if (rc == 0 && !j->force)
        rc = pgl_last_pair_check(c, &cr, (int64_t)time(NULL), 0);
    if (rc == 0)
        rc = store_pg_exec(c, "DELETE FROM credentials WHERE customer_id = $1", &a, &r,
                           "cred_delete");
    if (rc == 0 && strcmp(PQcmdTuples(r), "0") == 0)
        rc = -ENOENT; /* deleted by another transaction meanwhile */
    if (rc == 0)
        rc = store_pg_exec(c, "DELETE FROM usage WHERE customer_id = $1", &a, NULL, "cred_delete");
    PQclear(r);
    ra_wipe(&cr, sizeof(cr));
    return store_pg_end(c, rc);
}

static int
pg_cred_delete(void *priv, const char *customer_id, bool force)
{
    struct cred_delete_job j = {customer_id, force};
    if (priv == NULL || customer_id == NULL)
        return -EINVAL;
    if (!fits(customer_id, STORE_HEX32))
        return -ENOENT;
    return store_pg_run(priv, cred_delete_job, &j);
}

struct touch_job {
    const struct store_touch *t;
    size_t n;
};

/* Apply the updates in one transaction. The caller sorted them by customer id, so that two
 * batches touching the same rows lock them in the same order and cannot deadlock. */
static int
touch_job(PGconn *c, void *arg)
{
    struct touch_job *j = arg;
    int rc = store_pg_begin(c);
    for (size_t i = 0; rc == 0 && i < j->n; i++) {
        struct store_pg_args a = {.n = 0};
        store_pg_arg_text(&a, j->t[i].customer_id);
        store_pg_arg_i64(&a, j->t[i].last_used);
        rc = store_pg_exec(c,
                           "UPDATE credentials SET last_used = $2"
                           " WHERE customer_id = $1 AND last_used < $2",
                           &a, NULL, "cred_touch");
    }
    return store_pg_end(c, rc);
}

static int
touch_order(const void *a, const void *b)
{
    const struct store_touch *x = a, *y = b;
    return strcmp(x->customer_id, y->customer_id);
}

static int
pg_cred_touch(void *priv, const struct store_touch *t, size_t n)
{
    if (priv == NULL || (t == NULL && n > 0))
        return -EINVAL;
    if (n == 0)
        return 0;
    struct store_touch *sorted = ra_malloc(n * sizeof(*sorted));
    if (sorted == NULL)
        return -ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (fits(t[i].customer_id, STORE_HEX32)) /* else it cannot name a stored pair */
            sorted[m++] = t[i];
    }
    qsort(sorted, m, sizeof(*sorted), touch_order);
    struct touch_job j = {sorted, m};
    int rc = store_pg_run(priv, touch_job, &j);
    ra_free(sorted);
    return rc;
}

/* True if every string of p fits its column and the id is not empty. */
static bool
project_ok(const struct store_project *p)
{
    const struct {
        const char *v;
        size_t max;
    } field[] = {{p->id, STORE_PROJECT_ID_MAX},
                 {p->name, STORE_PROJECT_NAME_BYTES},
                 {p->vendor_key, STORE_HEX32},
                 {p->sign_key, STORE_HEX32},
                 {p->has_recording_server ? p->recording_server : "", STORE_RECSRV_MAX}};
    for (size_t i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
        if (!fits(field[i].v, field[i].max))
            return false;
    }
    return p->id[0] != '\0';
}

/* 1 if the statement sql (with a) returns a row, 0 if not, or an error. */
static int
any_row(PGconn *c, const char *sql, const struct store_pg_args *a)
{
    PGresult *r = NULL;
    int rc = store_pg_exec(c, sql, a, &r, "project check");
    if (rc == 0)
        rc = PQntuples(r) > 0;
    PQclear(r);
    return rc;
}

/* Check, inside the transaction and under the account's lock, that p can be inserted:
 * quota, name, then id. */
static int
project_check(PGconn *c, const struct store_project *p, int max)
{
    struct store_pg_args a = {.n = 0};
    int64_t n = 0;
    int rc = store_pg_count(c,
                            "SELECT count(*) FROM projects WHERE account_id = $1"
                            " AND NOT deleted",
                            p->account_id, &n);
    if (rc == 0 && max >= 0 && n >= max)
        return -EDQUOT;
    store_pg_arg_i64(&a, p->account_id);
    store_pg_arg_text(&a, p->name);
    if (rc == 0)
        rc = any_row(c,
                     "SELECT 1 FROM projects WHERE account_id = $1 AND name = $2"
                     " AND NOT deleted",
                     &a);
    if (rc == 1)
        return -EEXIST;
    a = (struct store_pg_args){.n = 0};
    store_pg_arg_text(&a, p->id);
    if (rc == 0)
        rc = any_row(c, "SELECT 1 FROM projects WHERE id = $1", &a);
    return rc == 1 ? -EAGAIN : rc;
}

struct project_job {
    const struct store_project *p;
    int max;
};

static int
project_create_job(PGconn *c, void *arg)
{
    struct project_job *j = arg;
    const struct store_project *p = j->p;
    struct store_pg_args a = {.n = 0};
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = store_pg_lock_account(c, p->account_id);
    if (rc == 0)
        rc = project_check(c, p, j->max);
    store_pg_arg_text(&a, p->id);
    store_pg_arg_i64(&a, p->account_id);
    store_pg_arg_text(&a, p->name);
    store_pg_arg_text(&a, p->vendor_key);
    store_pg_arg_text(&a, p->sign_key);
    store_pg_arg_text(&a, p->has_recording_server ? p->recording_server : NULL);
    store_pg_arg_i64(&a, p->status);
    store_pg_arg_i64(&a, p->created);
    /* The name was checked under the account's lock; what can still clash at the insert is
     * the id, with a project another account created meanwhile. */
    if (rc == 0) {
        rc = store_pg_exec(c,
                           "INSERT INTO projects (" PROJECT_COLS ")"
                           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                           &a, NULL, "project_create");
        if (rc == -EEXIST)
            rc = -EAGAIN;
    }
    return store_pg_end(c, rc);
}

static int
pg_project_create(void *priv, const struct store_project *p, int max)
{
    struct project_job j = {p, max};
    if (priv == NULL || p == NULL || !project_ok(p))
        return -EINVAL;
    return store_pg_run(priv, project_create_job, &j);
}

static int
pg_project_get(void *priv, int64_t account_id, const char *id, struct store_project *out)
{
    struct store_pg_query q = {.sql = "SELECT " PROJECT_COLS " FROM projects"
                                      " WHERE account_id = $1 AND id = $2 AND NOT deleted",
                               .what = "project_get"};
    if (priv == NULL || id == NULL || out == NULL)
        return -EINVAL;
    if (!fits(id, STORE_PROJECT_ID_MAX))
        return -ENOENT;
    store_pg_arg_i64(&q.args, account_id);
    store_pg_arg_text(&q.args, id);
    return store_pg_fetch_one(priv, &q, read_project, out, -1);
}

static int
pg_project_list(void *priv, int64_t account_id, const char *id, const char *name,
                store_project_fn fn, void *ctx)
{
    struct store_pg_query q = {.sql = "SELECT " PROJECT_COLS " FROM projects"
                                      " WHERE account_id = $1 AND NOT deleted"
                                      " AND ($2::text IS NULL OR id = $2)"
                                      " AND ($3::text IS NULL OR name = $3)"
                                      " ORDER BY created, seq",
                               .what = "project_list"};
    if (priv == NULL || fn == NULL)
        return -EINVAL;
    /* A filter longer than any stored value matches nothing. */
    if ((id != NULL && !fits(id, STORE_PROJECT_ID_MAX)) ||
        (name != NULL && !fits(name, STORE_PROJECT_NAME_BYTES)))
        return 0;
    store_pg_arg_i64(&q.args, account_id);
    store_pg_arg_text(&q.args, id);
    store_pg_arg_text(&q.args, name);
    struct store_project *p = ra_malloc(sizeof(*p));
    int rc = p != NULL ? store_pg_query(priv, &q) : -ENOMEM;
    for (int i = 0; rc == 0 && i < PQntuples(q.res); i++) {
        memset(p, 0, sizeof(*p));
        rc = read_project(q.res, i, p);
        if (rc == 0)
            rc = fn(ctx, p);
    }
    ra_free(p);
    PQclear(q.res);
    return rc;
}

/* Run the single-row write q on a live project: 0, -ENOENT when none matched, or an error. */
static int
project_write(struct store_pg *s, struct store_pg_query *q)
{
    int rc = store_pg_write(s, q);
    return rc == 0 && q->affected == 0 ? -ENOENT : rc;
}

static int
pg_project_update(void *priv, const struct store_project *p)
{
    struct store_pg_query q = {.sql = "UPDATE projects SET status = $3, sign_key = $4,"
                                      " recording_server = $5"
                                      " WHERE account_id = $1 AND id = $2 AND NOT deleted",
                               .what = "project_update"};
    if (priv == NULL || p == NULL || !project_ok(p))
        return -EINVAL;
    store_pg_arg_i64(&q.args, p->account_id);
    store_pg_arg_text(&q.args, p->id);
    store_pg_arg_i64(&q.args, p->status);
    store_pg_arg_text(&q.args, p->sign_key);
    store_pg_arg_text(&q.args, p->has_recording_server ? p->recording_server : NULL);
    return project_write(priv, &q);
}

static int
pg_project_delete(void *priv, int64_t account_id, const char *id)
{
    struct store_pg_query q = {.sql = "UPDATE projects SET deleted = true"
                                      " WHERE account_id = $1 AND id = $2 AND NOT deleted",
                               .what = "project_delete"};
    if (priv == NULL || id == NULL)
        return -EINVAL;
    if (!fits(id, STORE_PROJECT_ID_MAX))
        return -ENOENT;
    store_pg_arg_i64(&q.args, account_id);
    store_pg_arg_text(&q.args, id);
    return project_write(priv, &q);
}

static void
pg_close(void *priv)
{
    struct store_pg *s = priv;
    if (s == NULL)
        return;
    store_pg_pool_free(s);
    ra_free(s);
}

/* store_pg_job: migrate the schema on the first connection. */
static int
migrate_job(PGconn *c, void *arg)
{
    (void)arg;
    return store_pg_migrate(c);
}

/*
 * `location` is the whole store URL, a libpq connection URI (store_pg_pool.c). Opening
 * connects once and migrates the schema: -EINVAL for a bad URL, -ENOTCONN when the server
 * cannot be reached, -EIO for a schema this program cannot use.
 */
static int
pg_open(const char *location, void **priv)
{
    if (location == NULL || priv == NULL)
        return -EINVAL;
    *priv = NULL;
    if (!PQisthreadsafe()) {
        fprintf(stderr, "restauthd: store: this libpq is not thread-safe\n");
        return -EINVAL;
    }
    struct store_pg *s = ra_calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    int rc = store_pg_pool_init(s, location);
    if (rc == 0)
        rc = store_pg_run(s, migrate_job, NULL);
    if (rc != 0) {
        pg_close(s);
        return rc;
    }
    *priv = s;
    return 0;
}

const struct store_ops store_pg_ops = {
    .scheme = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .account_add = pg_account_add,
    .account_by_name = pg_account_by_name,
    .account_list = pg_account_list,
    .cred_add = pg_cred_add,
    .cred_get = pg_cred_get,
    .cred_list = pg_cred_list,
    .cred_delete = pg_cred_delete,
    .cred_touch = pg_cred_touch,
    .project_create = pg_project_create,
    .project_get = pg_project_get,
    .project_list = pg_project_list,
    .project_update = pg_project_update,
    .project_delete = pg_project_delete,
    .changes = NULL, /* the change feed tells what changed */
    .login_set = pgc_login_set,
    .login_by_email = pgc_login_by_email,
    .login_by_id = pgc_login_by_id,
    .cred_issue = pgc_cred_issue,
    .session_add = pgc_session_add,
    .session_get = pgc_session_get,
    .session_touch = pgc_session_touch,
    .session_delete = pgc_session_delete,
    .session_purge = pgc_session_purge,
    .feed_head = pgf_feed_head,
    .feed_read = pgf_feed_read,
    .feed_prune = pgf_feed_prune,
    .feed_wait = pgf_feed_wait,
    .node_beat = pgf_node_beat,
    .node_list = pgf_node_list,
    .node_forget = pgf_node_forget,
    .cred_update = pgl_cred_update,
    .cred_roll = pgl_cred_roll,
    .audit_add = pgl_audit_add,
    .audit_list = pgl_audit_list,
    .audit_prune = pgl_audit_prune,
    .usage_add = pgl_usage_add,
    .usage_daily = pgl_usage_daily,
    .usage_prune = pgl_usage_prune,
};
