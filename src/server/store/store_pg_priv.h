/* SPDX-License-Identifier: MIT */
/*
 * store_pg_priv.h: the internals shared by the files of the PostgreSQL backend. Not for use
 * outside src/server/store/.
 *
 *   store_pg.c          open/close, accounts, credentials, projects, the ops table
 *   store_pg_console.c  console sign-in, sessions, the once-only secret issue
 *   store_pg_feed.c     the change feed and the nodes table
 *   store_pg_pool.c     the URL, the connection pool, reconnection, the LISTEN session
 *   store_pg_query.c    parameters, statements, transactions, error codes, columns
 *   store_pg_schema.c   the schema and its migrations
 *   store_pg_life.c     the credential lifecycle, the audit log and usage counts
 *
 * Every operation is a job (store_pg_job) run by store_pg_run() on a pooled connection. A job
 * leaves its connection idle (no transaction open) and may be run a second time: after a
 * stale pooled connection is found broken before anything was committed, and after a
 * deadlock or serialization failure (which PostgreSQL rolled back). So a job clears its
 * outputs before it starts.
 */
#ifndef RA_SERVER_STORE_STORE_PG_PRIV_H
#define RA_SERVER_STORE_STORE_PG_PRIV_H

#include "store/store.h"
#include "store/store_pg.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define STORE_PG_POOL_DEFAULT 4 /* connections per process; the URL's pool_size overrides */
#define STORE_PG_POOL_MAX 64

/* Internal code of a job: a deadlock or serialization failure, rolled back; run it again. */
#define STORE_PG_RETRY (-EDEADLK)

#define STORE_PG_ARGS_MAX 10

/* Connection attempts after a failure wait, doubling from the first to the last delay. */
struct store_pg_backoff {
    int64_t retry_at_ms; /* monotonic; no attempt before */
    int64_t delay_ms;    /* 0 while connections succeed */
    bool down;           /* the outage was logged */
};

struct store_pg_slot {
    PGconn *pg; /* NULL until connected, and after the connection broke */
    bool busy;
};

/* The private state behind a `void *priv`. */
struct store_pg {
    pthread_mutex_t lock; /* slots, backoff, listen_backoff */
    pthread_cond_t freed; /* a slot was given back */
    char *conninfo;       /* the URL without pool_size; may hold a password: wiped at close */
    char where[192];      /* "host H port P database D", for log lines; never the URL */
    int size;
    struct store_pg_slot *slots;
    struct store_pg_backoff backoff;

    pthread_mutex_t listen_lock; /* feed_wait's session, separate from the pool */
    PGconn *listen;
    struct store_pg_backoff listen_backoff;
};

/* Statement parameters: text, or binary for bytea; a NULL value is SQL NULL. */
struct store_pg_args {
    int n;
    const char *v[STORE_PG_ARGS_MAX];
    int len[STORE_PG_ARGS_MAX];
    int fmt[STORE_PG_ARGS_MAX];
    char num[STORE_PG_ARGS_MAX][24];
};

typedef int (*store_pg_job)(PGconn *c, void *arg);

/* Copy row `row` of r into *out; 0 or a negative code. */
typedef int (*store_pg_row_fn)(const PGresult *r, int row, void *out);

/* A single statement run by store_pg_query(), inside BEGIN ... COMMIT when `write`. */
struct store_pg_query {
    const char *sql;
    const char *what; /* names the operation in log lines */
    bool write;
    struct store_pg_args args;
    PGresult *res;    /* out: the result, which the caller frees with PQclear */
    int64_t affected; /* out: rows inserted, changed or deleted */
};

/* True if v is a string of at most max bytes. */
static inline bool
fits(const char *v, size_t max)
{
    return v != NULL && strnlen(v, max + 1) <= max;
}

/* store_pg_pool.c */
int store_pg_pool_init(struct store_pg *s, const char *url);
void store_pg_pool_free(struct store_pg *s);
int store_pg_run(struct store_pg *s, store_pg_job job, void *arg);
int store_pg_listen_wait(struct store_pg *s, int timeout_ms);

/* store_pg_query.c */
void store_pg_arg_text(struct store_pg_args *a, const char *v);
void store_pg_arg_i64(struct store_pg_args *a, int64_t v);
void store_pg_arg_bytes(struct store_pg_args *a, const unsigned char *v, size_t n);
int store_pg_exec(PGconn *c, const char *sql, const struct store_pg_args *a, PGresult **out,
                  const char *what);
int store_pg_begin(PGconn *c);
int store_pg_end(PGconn *c, int rc);
int store_pg_lock_account(PGconn *c, int64_t account_id);
int store_pg_count(PGconn *c, const char *sql, int64_t account_id, int64_t *n);
int store_pg_query(struct store_pg *s, struct store_pg_query *q);
int store_pg_write(struct store_pg *s, struct store_pg_query *q);
int store_pg_fetch_one(struct store_pg *s, struct store_pg_query *q, store_pg_row_fn read,
                       void *out, int wipe_col);
int64_t store_pg_i64(const PGresult *r, int row, int col);
int store_pg_text(const PGresult *r, int row, int col, char *dst, size_t cap);
int store_pg_bytes(const PGresult *r, int row, int col, unsigned char *dst, size_t n);
void store_pg_wipe_column(PGresult *r, int col);

/* store_pg.c: the columns of a credential row, read by store_pg_read_cred; inside the
 * caller's transaction, under the account's lock: the quota (pairs not expired at
 * cr->created) and the insert (0, -EDQUOT, -EAGAIN or another error). */
#define CRED_COLS                                                                                  \
    "customer_id, account_id, hash, created, last_used, status, issued, expires_at, tripwire"
int store_pg_read_cred(const PGresult *r, int row, void *out);
int store_pg_add_cred(PGconn *c, const struct store_cred *cr, int max);

/* store_pg_life.c: the credential lifecycle, the audit log, usage */
int pgl_lock_cred(PGconn *c, const char *customer_id, struct store_cred *out);
int pgl_last_pair_check(PGconn *c, const struct store_cred *cr, int64_t now, int64_t until);
int pgl_cred_update(void *priv, int64_t account_id, const char *customer_id,
                    const struct store_cred_update *u, const struct store_audit *audit,
                    struct store_cred *out);
int pgl_cred_roll(void *priv, const struct store_cred *fresh, int max, const char *old_id,
                  int64_t old_expires, const struct store_audit *audit, struct store_cred *old_out);
int pgl_audit_add(void *priv, const struct store_audit *a);
int pgl_audit_list(void *priv, const struct store_audit_query *q, store_audit_fn fn, void *ctx);
int pgl_audit_prune(void *priv, int64_t before);
int pgl_usage_add(void *priv, const struct store_usage *u, size_t n);
int pgl_usage_daily(void *priv, int64_t account_id, int64_t since, store_usage_fn fn, void *ctx);
int pgl_usage_prune(void *priv, int64_t before);

/* store_pg_schema.c */
int store_pg_migrate(PGconn *c);

/* store_pg_console.c, store_pg_feed.c: operations for the ops table */
int pgc_login_set(void *priv, int64_t account_id, const char *email, const char *pwhash);
int pgc_login_by_email(void *priv, const char *email, struct store_login *out);
int pgc_login_by_id(void *priv, int64_t account_id, struct store_login *out);
int pgc_cred_issue(void *priv, int64_t account_id, const char *customer_id,
                   const unsigned char hash[STORE_HASH_LEN], int64_t now);
int pgc_session_add(void *priv, const struct store_session *ss);
int pgc_session_get(void *priv, const unsigned char token_hash[STORE_HASH_LEN],
                    struct store_session *out);
int pgc_session_touch(void *priv, const unsigned char token_hash[STORE_HASH_LEN], int64_t now);
int pgc_session_delete(void *priv, const unsigned char token_hash[STORE_HASH_LEN]);
int pgc_session_purge(void *priv, int64_t now, int64_t idle_s);
int pgf_feed_head(void *priv, int64_t *seq);
int pgf_feed_read(void *priv, int64_t after, int max, store_change_fn fn, void *ctx);
int pgf_feed_prune(void *priv, int64_t before);
int pgf_feed_wait(void *priv, int timeout_ms);
int pgf_node_beat(void *priv, const struct store_node *n);
int pgf_node_list(void *priv, store_node_fn fn, void *ctx);
int pgf_node_forget(void *priv, int64_t before);

#endif
