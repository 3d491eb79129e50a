/* SPDX-License-Identifier: MIT */
/*
 * store_pg_console.c: the PostgreSQL backend's operations for the web console: sign-in data
 * of accounts (e-mail, argon2id password hash), sessions, and the once-only issue of a
 * pending pair's secret, with the semantics of store_sqlite_console.c.
 *
 * E-mail addresses are compared through ra_fold() (store_pg_schema.c), which folds ASCII
 * letters only. Session tokens and secrets never reach this file; it sees only their hashes.
 */
#include "store/store_pg_priv.h"

#include "common/alloc.h"

#define LOGIN_COLS "id, name, email, password_hash"
#define SESSION_COLS "token_hash, account_id, csrf, created, last_seen, expires"

static int
read_login(const PGresult *r, int row, void *out)
{
    struct store_login *l = out;
    l->account_id = store_pg_i64(r, row, 0);
    int rc = store_pg_text(r, row, 1, l->name, sizeof(l->name));
    if (rc == 0)
        rc = store_pg_text(r, row, 2, l->email, sizeof(l->email));
    if (rc == 0)
        rc = store_pg_text(r, row, 3, l->pwhash, sizeof(l->pwhash));
    return rc;
}

static int
read_session(const PGresult *r, int row, void *out)
{
    struct store_session *ss = out;
    int rc = store_pg_bytes(r, row, 0, ss->token_hash, STORE_HASH_LEN);
    if (rc != 0)
        return rc < 0 ? rc : -EIO;
    ss->account_id = store_pg_i64(r, row, 1);
    ss->created = store_pg_i64(r, row, 3);
    ss->last_seen = store_pg_i64(r, row, 4);
    ss->expires = store_pg_i64(r, row, 5);
    return store_pg_text(r, row, 2, ss->csrf, sizeof(ss->csrf));
}

struct login_job {
    int64_t account_id;
    const char *email, *pwhash;
};

/* One UPDATE writes what is given (one feed row); a new password hash also ends the
 * account's sessions, in the same transaction. */
static int
login_set_job(PGconn *c, void *arg)
{
    struct login_job *j = arg;
    struct store_pg_args a = {.n = 0};
    PGresult *r = NULL;
    store_pg_arg_i64(&a, j->account_id);
    store_pg_arg_text(&a, j->email);
    store_pg_arg_text(&a, j->pwhash);
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = store_pg_exec(c,
                           "UPDATE accounts SET email = coalesce($2, email),"
                           " password_hash = coalesce($3, password_hash) WHERE id = $1",
                           &a, &r, "login_set");
    if (rc == 0 && strcmp(PQcmdTuples(r), "0") == 0)
        rc = -ENOENT;
    PQclear(r);
    struct store_pg_args b = {.n = 0};
    store_pg_arg_i64(&b, j->account_id);
    if (rc == 0 && j->pwhash != NULL)
        rc = store_pg_exec(c, "DELETE FROM sessions WHERE account_id = $1", &b, NULL,
                           "session revoke");
    return store_pg_end(c, rc);
}

int
pgc_login_set(void *priv, int64_t account_id, const char *email, const char *pwhash)
{
    struct login_job j = {account_id, email, pwhash};
    if (priv == NULL || (email != NULL && (!fits(email, STORE_EMAIL_MAX) || email[0] == '\0')) ||
        (pwhash != NULL && (!fits(pwhash, STORE_PWHASH_MAX) || pwhash[0] == '\0')))
        return -EINVAL;
    if (email == NULL && pwhash == NULL)
        return 0; /* nothing to write */
    return store_pg_run(priv, login_set_job, &j);
}

int
pgc_login_by_email(void *priv, const char *email, struct store_login *out)
{
    struct store_pg_query q = {.sql = "SELECT " LOGIN_COLS " FROM accounts"
                                      " WHERE ra_fold(email) = ra_fold($1) AND email IS NOT NULL",
                               .what = "login_by_email"};
    if (priv == NULL || email == NULL || out == NULL)
        return -EINVAL;
    if (!fits(email, STORE_EMAIL_MAX) || email[0] == '\0')
        return -ENOENT;
    store_pg_arg_text(&q.args, email);
    return store_pg_fetch_one(priv, &q, read_login, out, 3);
}

int
pgc_login_by_id(void *priv, int64_t account_id, struct store_login *out)
{
    struct store_pg_query q = {.sql = "SELECT " LOGIN_COLS " FROM accounts WHERE id = $1",
                               .what = "login_by_id"};
    if (priv == NULL || out == NULL)
        return -EINVAL;
    store_pg_arg_i64(&q.args, account_id);
    return store_pg_fetch_one(priv, &q, read_login, out, 3);
}

struct issue_job {
    int64_t account_id;
    const char *customer_id;
    const unsigned char *hash;
    int64_t now;
};

/*
 * Lock the pair's row, then: it must belong to the account (-ENOENT) and still be pending
 * (-EALREADY); then its hash and issue time are written. Concurrent downloads, from any
 * process, queue on the row lock, so exactly one of them finds the pair pending.
 */
static int
issue_job(PGconn *c, void *arg)
{
    struct issue_job *j = arg;
    struct store_pg_args a = {.n = 0};
    PGresult *r = NULL;
    store_pg_arg_text(&a, j->customer_id);
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = store_pg_exec(c,
                           "SELECT account_id, hash IS NULL FROM credentials"
                           " WHERE customer_id = $1 FOR UPDATE",
                           &a, &r, "cred_issue");
    if (rc == 0 && (PQntuples(r) == 0 || store_pg_i64(r, 0, 0) != j->account_id))
        rc = -ENOENT;
    if (rc == 0 && strcmp(PQgetvalue(r, 0, 1), "t") != 0)
        rc = -EALREADY;
    PQclear(r);
    r = NULL;
    store_pg_arg_bytes(&a, j->hash, STORE_HASH_LEN);
    store_pg_arg_i64(&a, j->now);
    if (rc == 0)
        rc = store_pg_exec(c,
                           "UPDATE credentials SET hash = $2, issued = $3"
                           " WHERE customer_id = $1 AND hash IS NULL",
                           &a, &r, "cred_issue");
    if (rc == 0 && strcmp(PQcmdTuples(r), "1") != 0)
        rc = -EALREADY;
    PQclear(r);
    return store_pg_end(c, rc);
}

int
pgc_cred_issue(void *priv, int64_t account_id, const char *customer_id,
               const unsigned char hash[STORE_HASH_LEN], int64_t now)
{
    struct issue_job j = {account_id, customer_id, hash, now};
    if (priv == NULL || customer_id == NULL || hash == NULL)
        return -EINVAL;
    if (!fits(customer_id, STORE_HEX32))
        return -ENOENT;
    return store_pg_run(priv, issue_job, &j);
}

/* Insert the session, then end the account's oldest sessions beyond the cap; the account's
 * lock keeps two sign-ins from both keeping one too many. */
static int
session_add_job(PGconn *c, void *arg)
{
    const struct store_session *ss = arg;
    struct store_pg_args a = {.n = 0};
    store_pg_arg_bytes(&a, ss->token_hash, STORE_HASH_LEN);
    store_pg_arg_i64(&a, ss->account_id);
    store_pg_arg_text(&a, ss->csrf);
    store_pg_arg_i64(&a, ss->created);
    store_pg_arg_i64(&a, ss->last_seen);
    store_pg_arg_i64(&a, ss->expires);
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = store_pg_lock_account(c, ss->account_id);
    if (rc == 0)
        rc = store_pg_exec(c,
                           "INSERT INTO sessions (" SESSION_COLS ")"
                           " VALUES ($1, $2, $3, $4, $5, $6)",
                           &a, NULL, "session_add");
    struct store_pg_args t = {.n = 0};
    store_pg_arg_i64(&t, ss->account_id);
    store_pg_arg_i64(&t, STORE_SESSIONS_PER_ACCOUNT);
    if (rc == 0)
        rc = store_pg_exec(c,
                           "DELETE FROM sessions WHERE account_id = $1 AND seq NOT IN"
                           " (SELECT seq FROM sessions WHERE account_id = $1"
                           " ORDER BY created DESC, seq DESC LIMIT $2)",
                           &t, NULL, "session trim");
    return store_pg_end(c, rc);
}

int
pgc_session_add(void *priv, const struct store_session *ss)
{
    if (priv == NULL || ss == NULL || !fits(ss->csrf, STORE_CSRF_LEN))
        return -EINVAL;
    return store_pg_run(priv, session_add_job, (void *)ss);
}

int
pgc_session_get(void *priv, const unsigned char token_hash[STORE_HASH_LEN],
                struct store_session *out)
{
    struct store_pg_query q = {.sql = "SELECT " SESSION_COLS " FROM sessions"
                                      " WHERE token_hash = $1",
                               .what = "session_get"};
    if (priv == NULL || token_hash == NULL || out == NULL)
        return -EINVAL;
    store_pg_arg_bytes(&q.args, token_hash, STORE_HASH_LEN);
    return store_pg_fetch_one(priv, &q, read_session, out, 2);
}

/* Run the session write sql with $1 = token hash and, when `with_time`, $2 = t. -ENOENT when
 * no session matched. */
static int
session_write(void *priv, const char *sql, const unsigned char *token_hash, bool with_time,
              int64_t t)
{
    struct store_pg_query q = {.sql = sql, .what = "session write"};
    if (priv == NULL || token_hash == NULL)
        return -EINVAL;
    store_pg_arg_bytes(&q.args, token_hash, STORE_HASH_LEN);
    if (with_time)
        store_pg_arg_i64(&q.args, t);
    int rc = store_pg_write(priv, &q);
    return rc == 0 && q.affected == 0 ? -ENOENT : rc;
}

int
pgc_session_touch(void *priv, const unsigned char token_hash[STORE_HASH_LEN], int64_t now)
{
    return session_write(priv,
                         "UPDATE sessions SET last_seen = greatest(last_seen, $2)"
                         " WHERE token_hash = $1",
                         token_hash, true, now);
}

int
pgc_session_delete(void *priv, const unsigned char token_hash[STORE_HASH_LEN])
{
    return session_write(priv, "DELETE FROM sessions WHERE token_hash = $1", token_hash, false, 0);
}

int
pgc_session_purge(void *priv, int64_t now, int64_t idle_s)
{
    struct store_pg_query q = {.sql =
                                   "DELETE FROM sessions"
                                   " WHERE expires <= $1 OR last_seen <= $1::bigint - $2::bigint",
                               .what = "session_purge"};
    if (priv == NULL)
        return -EINVAL;
    store_pg_arg_i64(&q.args, now);
    store_pg_arg_i64(&q.args, idle_s);
    return store_pg_write(priv, &q);
}
