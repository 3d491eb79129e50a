/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite.c: the SQLite backend of the store (store_sqlite_ops).
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

#include "common/alloc.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The statements of the backend, prepared at open. */
enum q {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_ACCOUNT_ADD,
    Q_ACCOUNT_BY_NAME,
    Q_ACCOUNT_LIST,
    Q_CRED_COUNT,
    Q_CRED_ADD,
    Q_CRED_GET,
    Q_CRED_LIST,
    Q_CRED_LIST_ALL,
    Q_CRED_DELETE,
    Q_CRED_TOUCH,
    Q_PROJECT_COUNT,
    Q_PROJECT_NAME_USED,
    Q_PROJECT_ID_USED,
    Q_PROJECT_ADD,
    Q_PROJECT_GET,
    Q_PROJECT_LIST,
    Q_PROJECT_UPDATE,
    Q_PROJECT_DELETE,
    Q_DATA_VERSION,
    Q_COUNT
};

#define ACCOUNT_COLS "id, name, created"
#define CRED_COLS "customer_id, account_id, hash, created, last_used, status"
#define PROJECT_COLS "id, account_id, name, vendor_key, sign_key, recording_server, status, created"

static const char *const sql[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_ACCOUNT_ADD] = "INSERT INTO accounts (name, created) VALUES (?1, ?2)",
    [Q_ACCOUNT_BY_NAME] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?1",
    [Q_ACCOUNT_LIST] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY id",
    [Q_CRED_COUNT] = "SELECT count(*) FROM credentials WHERE account_id = ?1",
    [Q_CRED_ADD] = "INSERT INTO credentials (" CRED_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
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
};

/* The private state behind a `void *priv`. */
struct sq {
    pthread_mutex_t lock;
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
};

/* Rows copied out of a result set; `size` is the size of one row. */
struct rows {
    unsigned char *v;
    size_t n, cap, size;
};

typedef int (*row_read_fn)(sqlite3_stmt *st, void *out);

int
store_sqlite_error(sqlite3 *db, const char *what)
{
    fprintf(stderr, "restauthd: store: %s: %s (sqlite code %d)\n", what, sqlite3_errmsg(db),
            sqlite3_extended_errcode(db));
    return -EIO;
}

static void
lock(struct sq *s)
{
    (void)pthread_mutex_lock(&s->lock);
}

static void
unlock(struct sq *s)
{
    (void)pthread_mutex_unlock(&s->lock);
}

/* True if v is a string of at most max bytes. */
static bool
fits(const char *v, size_t max)
{
    return v != NULL && strnlen(v, max + 1) <= max;
}

/* Release statement st for the next call: end its scan and drop its bindings, which may
 * point into the caller's memory. */
static void
put(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Check the OR of several sqlite3_bind_* results. Returns 0 or -EIO (logged). */
static int
bound(struct sq *s, int any)
{
    return any == SQLITE_OK ? 0 : store_sqlite_error(s->db, "bind");
}

/* Bind a string (NULL binds SQL NULL) as text that SQLite does not copy. */
static int
bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v == NULL)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, v, (int)strlen(v), SQLITE_STATIC);
}

/*
 * Step st once. Returns 1 for a row, 0 when done, -EEXIST for a unique violation, -ENOENT for
 * a foreign key violation (a missing account), or -EIO (logged as `what`) otherwise.
 */
static int
step(struct sq *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    switch (rc) {
    case SQLITE_ROW:
        return 1;
    case SQLITE_DONE:
        return 0;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return -EEXIST;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return -ENOENT;
    case SQLITE_NOMEM:
        return -ENOMEM;
    default:
        return store_sqlite_error(s->db, what);
    }
}

/* Run statement `id`, which takes no parameters and returns no rows. */
static int
run(struct sq *s, enum q id, const char *what)
{
    int rc = step(s, s->q[id], what);
    put(s->q[id]);
    return rc;
}

/* Start a write transaction; the write lock is taken now, waiting up to the busy timeout. */
static int
tx_begin(struct sq *s)
{
    return run(s, Q_BEGIN, "begin");
}

/* End the transaction: commit if rc is 0, else roll back. Returns rc or the commit error. */
static int
tx_end(struct sq *s, int rc)
{
    if (rc == 0) {
        rc = run(s, Q_COMMIT, "commit");
        if (rc == 0)
            return 0;
    }
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_step(s->q[Q_ROLLBACK]);
        put(s->q[Q_ROLLBACK]);
    }
    return rc;
}

/* Run counting statement `id` (account id as ?1) and store the count in *n. */
static int
count_of(struct sq *s, enum q id, int64_t account_id, int64_t *n)
{
    sqlite3_stmt *st = s->q[id];
    int rc = bound(s, sqlite3_bind_int64(st, 1, account_id));
    if (rc == 0)
        rc = step(s, st, "count");
    if (rc == 1) {
        *n = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = -EIO;
    }
    put(st);
    return rc;
}

/* Copy text column `col` into dst (cap bytes with the NUL); SQL NULL becomes "". */
static int
col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return 0;
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (t == NULL)
        return -ENOMEM;
    if (n >= cap) {
        fprintf(stderr, "restauthd: store: column %s holds a value longer than %zu bytes\n",
                sqlite3_column_name(st, col), cap - 1);
        return -EIO;
    }
    memcpy(dst, t, n);
    dst[n] = '\0';
    return 0;
}

static int
read_account(sqlite3_stmt *st, void *out)
{
    struct store_account *a = out;
    a->id = sqlite3_column_int64(st, 0);
    a->created = sqlite3_column_int64(st, 2);
    return col_text(st, 1, a->name, sizeof(a->name));
}

static int
read_cred(sqlite3_stmt *st, void *out)
{
    struct store_cred *c = out;
    int rc = col_text(st, 0, c->customer_id, sizeof(c->customer_id));
    if (rc != 0)
        return rc;
    c->account_id = sqlite3_column_int64(st, 1);
    const void *hash = sqlite3_column_blob(st, 2);
    if (hash == NULL || sqlite3_column_bytes(st, 2) != STORE_HASH_LEN) {
        fprintf(stderr, "restauthd: store: a credential hash has the wrong length\n");
        return -EIO;
    }
    memcpy(c->hash, hash, STORE_HASH_LEN);
    c->created = sqlite3_column_int64(st, 3);
    c->last_used = sqlite3_column_int64(st, 4);
    c->status = sqlite3_column_int(st, 5);
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

/* Step st for at most one row and read it into out. Returns 0, -ENOENT or another error. */
static int
fetch_one(struct sq *s, sqlite3_stmt *st, row_read_fn read, void *out, const char *what)
{
    int rc = step(s, st, what);
    if (rc == 1)
        rc = read(st, out);
    else if (rc == 0)
        rc = -ENOENT;
    put(st);
    return rc;
}

/* Append a zeroed row to r. Returns it, or NULL when out of memory. */
static void *
rows_add(struct rows *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        if (cap > SIZE_MAX / r->size)
            return NULL;
        unsigned char *v = ra_realloc(r->v, cap * r->size);
        if (v == NULL)
            return NULL;
        r->v = v;
        r->cap = cap;
    }
    void *row = r->v + r->n++ * r->size;
    memset(row, 0, r->size);
    return row;
}

/* Step st to its end, copying every row into r. Returns 0 or a negative code. */
static int
collect(struct sq *s, sqlite3_stmt *st, struct rows *r, row_read_fn read, const char *what)
{
    int rc;
    while ((rc = step(s, st, what)) == 1) {
        void *row = rows_add(r);
        if (row == NULL) {
            rc = -ENOMEM;
            break;
        }
        rc = read(st, row);
        if (rc != 0)
            break;
    }
    put(st);
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

/* Insert credential c. A taken customer id is -EAGAIN (ids are generated at random). */
static int
insert_cred(struct sq *s, const struct store_cred *c)
{
    sqlite3_stmt *st = s->q[Q_CRED_ADD];
    int rc =
        bound(s, bind_text(st, 1, c->customer_id) | sqlite3_bind_int64(st, 2, c->account_id) |
                     sqlite3_bind_blob(st, 3, c->hash, STORE_HASH_LEN, SQLITE_STATIC) |
                     sqlite3_bind_int64(st, 4, c->created) |
                     sqlite3_bind_int64(st, 5, c->last_used) | sqlite3_bind_int(st, 6, c->status));
    if (rc == 0)
        rc = step(s, st, "cred_add");
    put(st);
    return rc == -EEXIST ? -EAGAIN : rc;
}

static int
sq_cred_add(void *priv, const struct store_cred *c, int max)
{
    struct sq *s = priv;
    int64_t n = 0;
    if (s == NULL || c == NULL || !fits(c->customer_id, STORE_HEX32) || c->customer_id[0] == '\0')
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    if (rc == 0)
        rc = count_of(s, Q_CRED_COUNT, c->account_id, &n);
    if (rc == 0 && max >= 0 && n >= max)
        rc = -EDQUOT;
    if (rc == 0)
        rc = insert_cred(s, c);
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

/* Read the credential `customer_id` into out; the caller holds the lock. */
static int
cred_lookup(struct sq *s, const char *customer_id, struct store_cred *out)
{
    if (!fits(customer_id, STORE_HEX32))
        return -ENOENT;
    sqlite3_stmt *st = s->q[Q_CRED_GET];
    int rc = bound(s, bind_text(st, 1, customer_id));
    if (rc == 0)
        rc = fetch_one(s, st, read_cred, out, "cred_get");
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
    int rc = cred_lookup(s, customer_id, out);
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
        rc = collect(s, st, &r, read_cred, "cred_list");
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
        rc = cred_lookup(s, customer_id, &c);
    if (rc == 0 && !force)
        rc = count_of(s, Q_CRED_COUNT, c.account_id, &n);
    if (rc == 0 && !force && n <= 1)
        rc = -EBUSY;
    if (rc == 0) {
        sqlite3_stmt *st = s->q[Q_CRED_DELETE];
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
};
