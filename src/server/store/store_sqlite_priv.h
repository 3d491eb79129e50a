/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite_priv.h: the internals shared by the files of the SQLite backend
 * (store_sqlite.c: accounts, credentials, projects; store_sqlite_console.c: console sign-in,
 * sessions and the once-only secret download). Not for use outside src/server/store/.
 *
 * The helpers are static inline so that each file gets its own copy and no short name
 * (step, put, lock...) leaks out of the backend as a global symbol.
 */
#ifndef RA_SERVER_STORE_STORE_SQLITE_PRIV_H
#define RA_SERVER_STORE_STORE_SQLITE_PRIV_H

#include "store/store.h"
#include "store/store_sqlite.h"

#include "common/alloc.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
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
    Q_LOGIN_SET_EMAIL,
    Q_LOGIN_SET_PWHASH,
    Q_LOGIN_BY_EMAIL,
    Q_LOGIN_BY_ID,
    Q_CRED_ISSUE,
    Q_SESSION_ADD,
    Q_SESSION_GET,
    Q_SESSION_TOUCH,
    Q_SESSION_DELETE,
    Q_SESSION_DELETE_ACCOUNT,
    Q_SESSION_PURGE,
    Q_SESSION_TRIM,
    Q_FEED_HEAD,
    Q_FEED_READ,
    Q_FEED_HORIZON,
    Q_FEED_PRUNE_UPTO,
    Q_FEED_PRUNE,
    Q_FEED_SET_HORIZON,
    Q_NODE_BEAT,
    Q_NODE_LIST,
    Q_NODE_FORGET,
    Q_CRED_COUNT_LIVE,
    Q_CRED_ENABLED_OTHERS,
    Q_CRED_SET_STATE,
    Q_AUDIT_ADD,
    Q_AUDIT_LIST,
    Q_AUDIT_PRUNE,
    Q_USAGE_ADD,
    Q_USAGE_DAILY,
    Q_USAGE_PRUNE,
    Q_USAGE_DELETE,
    Q_COUNT
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

static inline void
lock(struct sq *s)
{
    (void)pthread_mutex_lock(&s->lock);
}

static inline void
unlock(struct sq *s)
{
    (void)pthread_mutex_unlock(&s->lock);
}

/* True if v is a string of at most max bytes. */
static inline bool
fits(const char *v, size_t max)
{
    return v != NULL && strnlen(v, max + 1) <= max;
}

/* Release statement st for the next call: end its scan and drop its bindings, which may
 * point into the caller's memory. */
static inline void
put(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Check the OR of several sqlite3_bind_* results. Returns 0 or -EIO (logged). */
static inline int
bound(struct sq *s, int any)
{
    return any == SQLITE_OK ? 0 : store_sqlite_error(s->db, "bind");
}

/* Bind a string (NULL binds SQL NULL) as text that SQLite does not copy. */
static inline int
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
static inline int
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
static inline int
run(struct sq *s, enum q id, const char *what)
{
    int rc = step(s, s->q[id], what);
    put(s->q[id]);
    return rc;
}

/* Start a write transaction; the write lock is taken now, waiting up to the busy timeout. */
static inline int
tx_begin(struct sq *s)
{
    return run(s, Q_BEGIN, "begin");
}

/* End the transaction: commit if rc is 0, else roll back. Returns rc or the commit error. */
static inline int
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

/* Step the bound statement st for its one row and store its first column in *out; st is
 * released. Returns 0, -EIO when there is no row, or the step's error (logged as `what`). */
static inline int
scalar(struct sq *s, sqlite3_stmt *st, int64_t *out, const char *what)
{
    int rc = step(s, st, what);
    if (rc == 1) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = -EIO;
    }
    put(st);
    return rc;
}

/* Run counting statement `id` (account id as ?1) and store the count in *n. */
static inline int
count_of(struct sq *s, enum q id, int64_t account_id, int64_t *n)
{
    sqlite3_stmt *st = s->q[id];
    int rc = bound(s, sqlite3_bind_int64(st, 1, account_id));
    if (rc < 0) {
        put(st);
        return rc;
    }
    return scalar(s, st, n, "count");
}

/* Copy text column `col` into dst (cap bytes with the NUL); SQL NULL becomes "". */
static inline int
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

/* Step st for at most one row and read it into out. Returns 0, -ENOENT or another error. */
static inline int
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
static inline void *
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
static inline int
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
/* The console's operations (store_sqlite_console.c), for the ops table. */
int sqc_login_set(void *priv, int64_t account_id, const char *email, const char *pwhash);
int sqc_login_by_email(void *priv, const char *email, struct store_login *out);
int sqc_login_by_id(void *priv, int64_t account_id, struct store_login *out);
int sqc_cred_issue(void *priv, int64_t account_id, const char *customer_id,
                   const unsigned char hash[STORE_HASH_LEN], int64_t now);
int sqc_session_add(void *priv, const struct store_session *ss);
int sqc_session_get(void *priv, const unsigned char token_hash[STORE_HASH_LEN],
                    struct store_session *out);
int sqc_session_touch(void *priv, const unsigned char token_hash[STORE_HASH_LEN], int64_t now);
int sqc_session_delete(void *priv, const unsigned char token_hash[STORE_HASH_LEN]);
int sqc_session_purge(void *priv, int64_t now, int64_t idle_s);

/* The change feed and the nodes table (store_sqlite_feed.c), for the ops table. */
int sqf_feed_head(void *priv, int64_t *seq);
int sqf_feed_read(void *priv, int64_t after, int max, store_change_fn fn, void *ctx);
int sqf_feed_prune(void *priv, int64_t before);
int sqf_node_beat(void *priv, const struct store_node *n);
int sqf_node_list(void *priv, store_node_fn fn, void *ctx);
int sqf_node_forget(void *priv, int64_t before);

/* The credential lifecycle, the audit log and usage (store_sqlite_life.c). */
int sql_cred_update(void *priv, int64_t account_id, const char *customer_id,
                    const struct store_cred_update *u, const struct store_audit *audit,
                    struct store_cred *out);
int sql_cred_roll(void *priv, const struct store_cred *fresh, int max, const char *old_id,
                  int64_t old_expires, const struct store_audit *audit, struct store_cred *old_out);
int sql_audit_add(void *priv, const struct store_audit *a);
int sql_audit_list(void *priv, const struct store_audit_query *q, store_audit_fn fn, void *ctx);
int sql_audit_prune(void *priv, int64_t before);
int sql_usage_add(void *priv, const struct store_usage *u, size_t n);
int sql_usage_daily(void *priv, int64_t account_id, int64_t since, store_usage_fn fn, void *ctx);
int sql_usage_prune(void *priv, int64_t before);
/* Inside a write transaction: the last-pair rule (struct store_cred_update) for turning c,
 * as it is stored, into a pair that is no longer enabled and is enabled at most until
 * `until` (0 = no longer at all, as a deletion or a disable). 0 or -EBUSY. */
int sql_last_pair_check(struct sq *s, const struct store_cred *c, int64_t now, int64_t until);

/* Read the credential `customer_id` into out; the caller holds the lock. 0, -ENOENT or
 * another error. */
int store_sqlite_cred_lookup(struct sq *s, const char *customer_id, struct store_cred *out);

/* Inside a write transaction: check the quota (pairs not expired at c->created) and insert
 * c. 0, -EDQUOT, -EAGAIN (id taken) or another error. */
int store_sqlite_add_cred(struct sq *s, const struct store_cred *c, int max);

/* Read a credential row (the columns of CRED_COLS) into a struct store_cred. */
int store_sqlite_read_cred(sqlite3_stmt *st, void *out);

#define CRED_COLS                                                                                  \
    "customer_id, account_id, hash, created, last_used, status, issued, expires_at, tripwire"
#define LOGIN_COLS "id, name, email, password_hash"
#define SESSION_COLS "token_hash, account_id, csrf, created, last_seen, expires"

#endif
