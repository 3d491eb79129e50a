/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite.c: the SQLite backend of the store (store_sqlite_ops): accounts, credentials
 * and projects. The console's operations (sign-in data, sessions, the once-only secret issue)
 * are in store_sqlite_console.c; the helpers both use are in store_sqlite_priv.h.
 *
 * A store is one connection, opened with SQLITE_OPEN_FULLMUTEX and, on top of that, guarded
 * by a pthread mutex so that each backend call (including a multi-statement transaction) has
 * the connection to itself. Every statement is prepared once at open and reset as soon as a
 * call is done with it: a statement left un-reset would keep a read transaction open and pin
 * an old snapshot of the database.
 *
 * Checks that span statements (quotas, duplicate names, the last-credential rule) run inside
 * BEGIN IMMEDIATE, which takes the database write lock first, so another process sharing the
 * file (the admin CLI) cannot slip a write in between. Durability comes from the WAL journal
 * with synchronous=FULL: a commit has reached the disk when the call returns.
 *
 * List calls copy the rows into a private array and drop the lock before they run the
 * caller's callback, so a callback may call back into the store.
 *
 * Projects are never removed: deleting one sets deleted = 1, which hides it from every query
 * here and frees its name; its id stays taken. A negative `max` means no quota.
 */
#include "store/store_sqlite.h"
#include "store/store.h"

#include "store/store_sqlite_priv.h"

#include <time.h>

#define ACCOUNT_COLS "id, name, created"
#define PROJECT_COLS "id, account_id, name, vendor_key, sign_key, recording_server, status, created"

static const char *const sql[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_ACCOUNT_ADD] = "INSERT INTO accounts (name, created) VALUES (?1, ?2)",
    [Q_ACCOUNT_BY_NAME] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?1",
    [Q_ACCOUNT_LIST] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY id",
    [Q_CRED_COUNT] = "SELECT count(*) FROM credentials WHERE account_id = ?1",
    [Q_CRED_ADD] = "INSERT INTO credentials (" CRED_COLS ")"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [Q_CRED_GET] = "SELECT " CRED_COLS " FROM credentials WHERE customer_id = ?1",
    [Q_CRED_LIST] = "SELECT " CRED_COLS " FROM credentials WHERE account_id = ?1"
                    " ORDER BY created, rowid",
    [Q_CRED_LIST_ALL] = "SELECT " CRED_COLS " FROM credentials ORDER BY created, rowid",
    [Q_CRED_DELETE] = "DELETE FROM credentials WHERE customer_id = ?1",
    [Q_CRED_TOUCH] = "UPDATE credentials SET last_used = max(last_used, ?2)"
                     " WHERE customer_id = ?1",
    [Q_PROJECT_COUNT] = "SELECT count(*) FROM projects WHERE account_id = ?1 AND deleted = 0",
    [Q_PROJECT_NAME_USED] = "SELECT 1 FROM projects"
                            " WHERE account_id = ?1 AND name = ?2 AND deleted = 0",
    [Q_PROJECT_ID_USED] = "SELECT 1 FROM projects WHERE id = ?1",
    [Q_PROJECT_ADD] = "INSERT INTO projects (" PROJECT_COLS ")"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_PROJECT_GET] = "SELECT " PROJECT_COLS " FROM projects"
                      " WHERE account_id = ?1 AND id = ?2 AND deleted = 0",
    [Q_PROJECT_LIST] = "SELECT " PROJECT_COLS " FROM projects"
                       " WHERE account_id = ?1 AND deleted = 0"
                       " AND (?2 IS NULL OR id = ?2) AND (?3 IS NULL OR name = ?3)"
                       " ORDER BY created, seq",
    [Q_PROJECT_UPDATE] = "UPDATE projects SET status = ?3, sign_key = ?4, recording_server = ?5"
                         " WHERE account_id = ?1 AND id = ?2 AND deleted = 0",
    [Q_PROJECT_DELETE] = "UPDATE projects SET deleted = 1"
                         " WHERE account_id = ?1 AND id = ?2 AND deleted = 0",
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_LOGIN_SET_EMAIL] = "UPDATE accounts SET email = ?2 WHERE id = ?1",
    [Q_LOGIN_SET_PWHASH] = "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
    [Q_LOGIN_BY_EMAIL] = "SELECT " LOGIN_COLS " FROM accounts WHERE email = ?1 COLLATE NOCASE",
    [Q_LOGIN_BY_ID] = "SELECT " LOGIN_COLS " FROM accounts WHERE id = ?1",
    [Q_CRED_ISSUE] = "UPDATE credentials SET hash = ?3, issued = ?4"
                     " WHERE customer_id = ?1 AND account_id = ?2 AND hash IS NULL",
    [Q_SESSION_ADD] = "INSERT INTO sessions (" SESSION_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_SESSION_GET] = "SELECT " SESSION_COLS " FROM sessions WHERE token_hash = ?1",
    [Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen = max(last_seen, ?2) WHERE token_hash = ?1",
    [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
    [Q_SESSION_DELETE_ACCOUNT] = "DELETE FROM sessions WHERE account_id = ?1",
    [Q_SESSION_PURGE] = "DELETE FROM sessions WHERE expires <= ?1 OR last_seen <= ?1 - ?2",
    [Q_SESSION_TRIM] = "DELETE FROM sessions WHERE account_id = ?1 AND rowid NOT IN (SELECT rowid "
                       "FROM sessions WHERE account_id = ?1 ORDER BY created DESC, rowid DESC "
                       "LIMIT ?2)",
    [Q_FEED_HEAD] = "SELECT coalesce(max(seq), 0) FROM changes",
    [Q_FEED_READ] = "SELECT seq, kind, account_id, customer_id, at FROM changes WHERE seq > ?1"
                    " ORDER BY seq LIMIT ?2",
    [Q_FEED_HORIZON] = "SELECT pruned_upto FROM feed_meta WHERE id = 1",
    [Q_FEED_PRUNE_UPTO] = "SELECT coalesce(max(seq), 0) FROM changes WHERE at < ?1"
                          " AND seq < (SELECT max(seq) FROM changes)",
    [Q_FEED_PRUNE] = "DELETE FROM changes WHERE seq <= ?1",
    [Q_FEED_SET_HORIZON] = "UPDATE feed_meta SET pruned_upto = max(pruned_upto, ?1) WHERE id = 1",
    [Q_NODE_BEAT] = "INSERT INTO nodes (id, started, heartbeat, applied) VALUES (?1, ?2, ?3, ?4)"
                    " ON CONFLICT (id) DO UPDATE SET started = excluded.started,"
                    " heartbeat = excluded.heartbeat, applied = excluded.applied",
    [Q_NODE_LIST] = "SELECT id, started, heartbeat, applied FROM nodes ORDER BY id",
    [Q_NODE_FORGET] = "DELETE FROM nodes WHERE heartbeat < ?1",
    [Q_CRED_COUNT_LIVE] = "SELECT count(*) FROM credentials WHERE account_id = ?1"
                          " AND (expires_at = 0 OR expires_at > ?2)",
    [Q_CRED_ENABLED_OTHERS] = "SELECT count(*) FROM credentials WHERE account_id = ?1"
                              " AND customer_id <> ?2 AND status = 1 AND tripwire = 0"
                              " AND (expires_at = 0 OR expires_at > max(?3, ?4))",
    [Q_CRED_SET_STATE] = "UPDATE credentials SET status = ?2, expires_at = ?3"
                         " WHERE customer_id = ?1",
    [Q_AUDIT_ADD] = "INSERT INTO audit (account_id, time, actor, action, target, address, alert)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_AUDIT_LIST] = "SELECT a.id, a.account_id, coalesce(c.name, ''), a.time, a.actor, a.action,"
                     " a.target, a.address, a.alert FROM audit a"
                     " LEFT JOIN accounts c ON c.id = a.account_id"
                     " WHERE (?1 < 0 OR a.account_id = ?1) AND a.time >= ?2"
                     " AND (?3 <= 0 OR a.id < ?3) ORDER BY a.id DESC LIMIT ?4",
    [Q_AUDIT_PRUNE] = "DELETE FROM audit WHERE time < ?1",
    [Q_USAGE_ADD] = "INSERT INTO usage (customer_id, endpoint, hour, count) VALUES (?1, ?2, ?3, ?4)"
                    " ON CONFLICT (customer_id, hour, endpoint)"
                    " DO UPDATE SET count = count + excluded.count",
    [Q_USAGE_DAILY] = "SELECT u.customer_id, (u.hour / 86400) * 86400 AS day, sum(u.count)"
                      " FROM usage u JOIN credentials c ON c.customer_id = u.customer_id"
                      " WHERE (?1 < 0 OR c.account_id = ?1) AND u.hour >= ?2"
                      " GROUP BY u.customer_id, day ORDER BY u.customer_id, day",
    [Q_USAGE_PRUNE] = "DELETE FROM usage WHERE hour < ?1",
    [Q_USAGE_DELETE] = "DELETE FROM usage WHERE customer_id = ?1",
};

int
store_sqlite_error(sqlite3 *db, const char *what)
{
    fprintf(stderr, "restauthd: store: %s: %s (sqlite code %d)\n", what, sqlite3_errmsg(db),
            sqlite3_extended_errcode(db));
    return -EIO;
}

static int
read_account(sqlite3_stmt *st, void *out)
{
    struct store_account *a = out;
    a->id = sqlite3_column_int64(st, 0);
    a->created = sqlite3_column_int64(st, 2);
    return col_text(st, 1, a->name, sizeof(a->name));
}

/* A NULL hash is a pending pair (console "Add a secret" before the download). */
int
store_sqlite_read_cred(sqlite3_stmt *st, void *out)
{
    struct store_cred *c = out;
    int rc = col_text(st, 0, c->customer_id, sizeof(c->customer_id));
    if (rc != 0)
        return rc;
    c->account_id = sqlite3_column_int64(st, 1);
    c->pending = sqlite3_column_type(st, 2) == SQLITE_NULL;
    const void *hash = sqlite3_column_blob(st, 2);
    if (!c->pending && (hash == NULL || sqlite3_column_bytes(st, 2) != STORE_HASH_LEN)) {
        fprintf(stderr, "restauthd: store: a credential hash has the wrong length\n");
        return -EIO;
    }
    if (c->pending)
        memset(c->hash, 0, STORE_HASH_LEN);
    else
        memcpy(c->hash, hash, STORE_HASH_LEN);
    c->created = sqlite3_column_int64(st, 3);
    c->last_used = sqlite3_column_int64(st, 4);
    c->status = sqlite3_column_int(st, 5);
    c->issued = sqlite3_column_int64(st, 6);
    c->expires_at = sqlite3_column_int64(st, 7);
    c->tripwire = sqlite3_column_int(st, 8) != 0;
    return 0;
}

static int
read_project(sqlite3_stmt *st, void *out)
{
    struct store_project *p = out;
    int rc = col_text(st, 0, p->id, sizeof(p->id));
    p->account_id = sqlite3_column_int64(st, 1);
    if (rc == 0)
        rc = col_text(st, 2, p->name, sizeof(p->name));
    if (rc == 0)
        rc = col_text(st, 3, p->vendor_key, sizeof(p->vendor_key));
    if (rc == 0)
        rc = col_text(st, 4, p->sign_key, sizeof(p->sign_key));
    p->has_recording_server = sqlite3_column_type(st, 5) != SQLITE_NULL;
    if (rc == 0)
        rc = col_text(st, 5, p->recording_server, sizeof(p->recording_server));
    p->status = sqlite3_column_int(st, 6);
    p->created = sqlite3_column_int64(st, 7);
    return rc;
}

static int
sq_account_add(void *priv, const char *name, int64_t now, struct store_account *out)
{
    struct sq *s = priv;
    if (s == NULL || !fits(name, STORE_ACCOUNT_NAME_MAX) || name[0] == '\0')
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_ACCOUNT_ADD];
    int rc = bound(s, bind_text(st, 1, name) | sqlite3_bind_int64(st, 2, now));
    if (rc == 0)
        rc = step(s, st, "account_add");
    if (rc == 0 && out != NULL) {
        out->id = sqlite3_last_insert_rowid(s->db);
        snprintf(out->name, sizeof(out->name), "%s", name);
        out->created = now;
    }
    put(st);
    unlock(s);
    return rc;
}

static int
sq_account_by_name(void *priv, const char *name, struct store_account *out)
{
    struct sq *s = priv;
    if (s == NULL || name == NULL || out == NULL)
        return -EINVAL;
    if (!fits(name, STORE_ACCOUNT_NAME_MAX))
        return -ENOENT;
    lock(s);
    sqlite3_stmt *st = s->q[Q_ACCOUNT_BY_NAME];
    int rc = bound(s, bind_text(st, 1, name));
    if (rc == 0)
        rc = fetch_one(s, st, read_account, out, "account_by_name");
    put(st);
    unlock(s);
    return rc;
}

static int
sq_account_list(void *priv, store_account_fn fn, void *ctx)
{
    struct sq *s = priv;
    struct rows r = {.size = sizeof(struct store_account)};
    if (s == NULL || fn == NULL)
        return -EINVAL;
    lock(s);
    int rc = collect(s, s->q[Q_ACCOUNT_LIST], &r, read_account, "account_list");
    unlock(s);
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = fn(ctx, (const struct store_account *)(const void *)(r.v + i * r.size));
    ra_free(r.v);
    return rc;
}

/* Insert credential c (without a hash when pending). A taken customer id is -EAGAIN (ids are
 * generated at random). */
static int
insert_cred(struct sq *s, const struct store_cred *c)
{
    sqlite3_stmt *st = s->q[Q_CRED_ADD];
    int64_t issued = c->pending ? 0 : c->issued != 0 ? c->issued : c->created;
    int hash_rc = c->pending ? sqlite3_bind_null(st, 3)
                             : sqlite3_bind_blob(st, 3, c->hash, STORE_HASH_LEN, SQLITE_STATIC);
    int rc =
        bound(s, bind_text(st, 1, c->customer_id) | sqlite3_bind_int64(st, 2, c->account_id) |
                     hash_rc | sqlite3_bind_int64(st, 4, c->created) |
                     sqlite3_bind_int64(st, 5, c->last_used) | sqlite3_bind_int(st, 6, c->status) |
                     sqlite3_bind_int64(st, 7, issued) | sqlite3_bind_int64(st, 8, c->expires_at) |
                     sqlite3_bind_int(st, 9, c->tripwire ? 1 : 0));
    if (rc == 0)
        rc = step(s, st, "cred_add");
    put(st);
    return rc == -EEXIST ? -EAGAIN : rc;
}

int
store_sqlite_add_cred(struct sq *s, const struct store_cred *c, int max)
{
    int64_t n = 0;
    sqlite3_stmt *st = s->q[Q_CRED_COUNT_LIVE];
    int rc =
        bound(s, sqlite3_bind_int64(st, 1, c->account_id) | sqlite3_bind_int64(st, 2, c->created));
    if (rc == 0)
        rc = scalar(s, st, &n, "cred count");
    else
        put(st);
    if (rc == 0 && max >= 0 && n >= max)
        rc = -EDQUOT;
    if (rc == 0)
        rc = insert_cred(s, c);
    return rc;
}

static int
sq_cred_add(void *priv, const struct store_cred *c, int max)
{
    struct sq *s = priv;
    if (s == NULL || c == NULL || !fits(c->customer_id, STORE_HEX32) || c->customer_id[0] == '\0')
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    if (rc == 0)
        rc = store_sqlite_add_cred(s, c, max);
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

int
store_sqlite_cred_lookup(struct sq *s, const char *customer_id, struct store_cred *out)
{
    if (!fits(customer_id, STORE_HEX32))
        return -ENOENT;
    sqlite3_stmt *st = s->q[Q_CRED_GET];
    int rc = bound(s, bind_text(st, 1, customer_id));
    if (rc == 0)
        rc = fetch_one(s, st, store_sqlite_read_cred, out, "cred_get");
    put(st);
    return rc;
}

static int
sq_cred_get(void *priv, const char *customer_id, struct store_cred *out)
{
    struct sq *s = priv;
    if (s == NULL || customer_id == NULL || out == NULL)
        return -EINVAL;
    lock(s);
    int rc = store_sqlite_cred_lookup(s, customer_id, out);
    unlock(s);
    return rc;
}

static int
sq_cred_list(void *priv, int64_t account_id, store_cred_fn fn, void *ctx)
{
    struct sq *s = priv;
    struct rows r = {.size = sizeof(struct store_cred)};
    if (s == NULL || fn == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[account_id < 0 ? Q_CRED_LIST_ALL : Q_CRED_LIST];
    int rc = account_id < 0 ? 0 : bound(s, sqlite3_bind_int64(st, 1, account_id));
    if (rc == 0)
        rc = collect(s, st, &r, store_sqlite_read_cred, "cred_list");
    put(st);
    unlock(s);
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = fn(ctx, (const struct store_cred *)(const void *)(r.v + i * r.size));
    ra_free_secret(r.v, r.cap * r.size);
    return rc;
}

static int
sq_cred_delete(void *priv, const char *customer_id, bool force)
{
    struct sq *s = priv;
    struct store_cred c = {.account_id = 0};
    int64_t n = 0;
    if (s == NULL || customer_id == NULL)
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    if (rc == 0)
        rc = store_sqlite_cred_lookup(s, customer_id, &c);
    if (rc == 0 && !force)
        rc = count_of(s, Q_CRED_COUNT, c.account_id, &n);
    if (rc == 0 && !force && n <= 1)
        rc = -EBUSY;
    if (rc == 0 && !force)
        rc = sql_last_pair_check(s, &c, (int64_t)time(NULL), 0);
    for (int k = 0; k < 2 && rc == 0; k++) {
        sqlite3_stmt *st = s->q[k == 0 ? Q_CRED_DELETE : Q_USAGE_DELETE];
        rc = bound(s, bind_text(st, 1, customer_id));
        if (rc == 0)
            rc = step(s, st, "cred_delete");
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

static int
sq_cred_touch(void *priv, const struct store_touch *t, size_t n)
{
    struct sq *s = priv;
    if (s == NULL || (t == NULL && n > 0))
        return -EINVAL;
    if (n == 0)
        return 0;
    lock(s);
    int rc = tx_begin(s);
    sqlite3_stmt *st = s->q[Q_CRED_TOUCH];
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!fits(t[i].customer_id, STORE_HEX32))
            continue; /* cannot name a stored credential */
        rc = bound(s,
                   bind_text(st, 1, t[i].customer_id) | sqlite3_bind_int64(st, 2, t[i].last_used));
        if (rc == 0)
            rc = step(s, st, "cred_touch");
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

/* True if every string of p fits its column and the id is not empty. */
static bool
project_valid(const struct store_project *p)
{
    return fits(p->id, STORE_PROJECT_ID_MAX) && p->id[0] != '\0' &&
           fits(p->name, STORE_PROJECT_NAME_BYTES) && fits(p->vendor_key, STORE_HEX32) &&
           fits(p->sign_key, STORE_HEX32) &&
           (!p->has_recording_server || fits(p->recording_server, STORE_RECSRV_MAX));
}

/* Step the existence query st (already bound): 1 if it has a row, 0 if not, or an error. */
static int
exists(struct sq *s, sqlite3_stmt *st, int bind_rc)
{
    int rc = bound(s, bind_rc);
    if (rc == 0)
        rc = step(s, st, "project check");
    put(st);
    return rc;
}

/* Check, inside the write transaction, that p can be inserted: quota, name, then id. */
static int
project_check(struct sq *s, const struct store_project *p, int max)
{
    int64_t n = 0;
    int rc = count_of(s, Q_PROJECT_COUNT, p->account_id, &n);
    if (rc == 0 && max >= 0 && n >= max)
        return -EDQUOT;
    sqlite3_stmt *st = s->q[Q_PROJECT_NAME_USED];
    if (rc == 0)
        rc = exists(s, st, sqlite3_bind_int64(st, 1, p->account_id) | bind_text(st, 2, p->name));
    if (rc == 1)
        return -EEXIST;
    st = s->q[Q_PROJECT_ID_USED];
    if (rc == 0)
        rc = exists(s, st, bind_text(st, 1, p->id));
    return rc == 1 ? -EAGAIN : rc;
}

static int
sq_project_create(void *priv, const struct store_project *p, int max)
{
    struct sq *s = priv;
    if (s == NULL || p == NULL || !project_valid(p))
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    if (rc == 0)
        rc = project_check(s, p, max);
    if (rc == 0) {
        sqlite3_stmt *st = s->q[Q_PROJECT_ADD];
        const char *rec = p->has_recording_server ? p->recording_server : NULL;
        rc = bound(s, bind_text(st, 1, p->id) | sqlite3_bind_int64(st, 2, p->account_id) |
                          bind_text(st, 3, p->name) | bind_text(st, 4, p->vendor_key) |
                          bind_text(st, 5, p->sign_key) | bind_text(st, 6, rec) |
                          sqlite3_bind_int(st, 7, p->status) |
                          sqlite3_bind_int64(st, 8, p->created));
        if (rc == 0)
            rc = step(s, st, "project_create");
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

static int
sq_project_get(void *priv, int64_t account_id, const char *id, struct store_project *out)
{
    struct sq *s = priv;
    if (s == NULL || id == NULL || out == NULL)
        return -EINVAL;
    if (!fits(id, STORE_PROJECT_ID_MAX))
        return -ENOENT;
    lock(s);
    sqlite3_stmt *st = s->q[Q_PROJECT_GET];
    int rc = bound(s, sqlite3_bind_int64(st, 1, account_id) | bind_text(st, 2, id));
    if (rc == 0)
        rc = fetch_one(s, st, read_project, out, "project_get");
    put(st);
    unlock(s);
    return rc;
}

static int
sq_project_list(void *priv, int64_t account_id, const char *id, const char *name,
                store_project_fn fn, void *ctx)
{
    struct sq *s = priv;
    struct rows r = {.size = sizeof(struct store_project)};
    if (s == NULL || fn == NULL)
        return -EINVAL;
    /* A filter longer than any stored value matches nothing. */
    if ((id != NULL && !fits(id, STORE_PROJECT_ID_MAX)) ||
        (name != NULL && !fits(name, STORE_PROJECT_NAME_BYTES)))
        return 0;
    lock(s);
    sqlite3_stmt *st = s->q[Q_PROJECT_LIST];
    int rc = bound(s, sqlite3_bind_int64(st, 1, account_id) | bind_text(st, 2, id) |
                          bind_text(st, 3, name));
    if (rc == 0)
        rc = collect(s, st, &r, read_project, "project_list");
    put(st);
    unlock(s);
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = fn(ctx, (const struct store_project *)(const void *)(r.v + i * r.size));
    ra_free(r.v);
    return rc;
}

/*
 * Run the single-row write `id` on the live project (account_id ?1, project id ?2), binding
 * the rest from p when p is not NULL. Returns 0, -ENOENT when no live project matched, or
 * another negative code.
 */
static int
project_write(struct sq *s, enum q id, int64_t account_id, const char *pid,
              const struct store_project *p)
{
    sqlite3_stmt *st = s->q[id];
    lock(s);
    int any = sqlite3_bind_int64(st, 1, account_id) | bind_text(st, 2, pid);
    if (p != NULL)
        any |= sqlite3_bind_int(st, 3, p->status) | bind_text(st, 4, p->sign_key) |
               bind_text(st, 5, p->has_recording_server ? p->recording_server : NULL);
    int rc = bound(s, any);
    if (rc == 0)
        rc = step(s, st, "project write");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = -ENOENT;
    put(st);
    unlock(s);
    return rc;
}

static int
sq_project_update(void *priv, const struct store_project *p)
{
    if (priv == NULL || p == NULL || !project_valid(p))
        return -EINVAL;
    return project_write(priv, Q_PROJECT_UPDATE, p->account_id, p->id, p);
}

static int
sq_project_delete(void *priv, int64_t account_id, const char *id)
{
    if (priv == NULL || id == NULL)
        return -EINVAL;
    if (!fits(id, STORE_PROJECT_ID_MAX))
        return -ENOENT;
    return project_write(priv, Q_PROJECT_DELETE, account_id, id, NULL);
}

int
store_sqlite_data_version(void *priv, int64_t *out)
{
    struct sq *s = priv;
    if (s == NULL || out == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_DATA_VERSION];
    int rc = step(s, st, "data_version");
    if (rc == 1) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = -EIO;
    }
    put(st);
    unlock(s);
    return rc;
}

static void
sq_close(void *priv)
{
    struct sq *s = priv;
    if (s == NULL)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->q[i]);
    if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
        store_sqlite_error(s->db, "close");
    pthread_mutex_destroy(&s->lock);
    ra_free(s);
}

/* Open the connection of s (file, settings, schema) and prepare every statement. */
static int
db_connect(struct sq *s, const char *path)
{
    int rc = store_sqlite_connect(path, &s->db);
    for (int i = 0; rc == 0 && i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) !=
            SQLITE_OK)
            rc = store_sqlite_error(s->db, "prepare");
    }
    return rc;
}

/* `location` is a file path; "//PATH" (from "sqlite://PATH" or "sqlite:///abs") is PATH. */
static int
sq_open(const char *location, void **priv)
{
    if (location == NULL || priv == NULL)
        return -EINVAL;
    *priv = NULL;
    const char *path = strncmp(location, "//", 2) == 0 ? location + 2 : location;
    if (path[0] == '\0')
        return -EINVAL;
    struct sq *s = ra_calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        ra_free(s);
        return -ENOMEM;
    }
    int rc = db_connect(s, path);
    if (rc != 0) {
        sq_close(s);
        return rc;
    }
    *priv = s;
    return 0;
}

const struct store_ops store_sqlite_ops = {
    .scheme = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .account_add = sq_account_add,
    .account_by_name = sq_account_by_name,
    .account_list = sq_account_list,
    .cred_add = sq_cred_add,
    .cred_get = sq_cred_get,
    .cred_list = sq_cred_list,
    .cred_delete = sq_cred_delete,
    .cred_touch = sq_cred_touch,
    .project_create = sq_project_create,
    .project_get = sq_project_get,
    .project_list = sq_project_list,
    .project_update = sq_project_update,
    .project_delete = sq_project_delete,
    .changes = store_sqlite_data_version,
    .login_set = sqc_login_set,
    .login_by_email = sqc_login_by_email,
    .login_by_id = sqc_login_by_id,
    .cred_issue = sqc_cred_issue,
    .session_add = sqc_session_add,
    .session_get = sqc_session_get,
    .session_touch = sqc_session_touch,
    .session_delete = sqc_session_delete,
    .session_purge = sqc_session_purge,
    .feed_head = sqf_feed_head,
    .feed_read = sqf_feed_read,
    .feed_prune = sqf_feed_prune,
    .feed_wait = NULL,
    .node_beat = sqf_node_beat,
    .node_list = sqf_node_list,
    .node_forget = sqf_node_forget,
    .cred_update = sql_cred_update,
    .cred_roll = sql_cred_roll,
    .audit_add = sql_audit_add,
    .audit_list = sql_audit_list,
    .audit_prune = sql_audit_prune,
    .usage_add = sql_usage_add,
    .usage_daily = sql_usage_daily,
    .usage_prune = sql_usage_prune,
};
