/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite_console.c: the SQLite backend's operations for the web console: sign-in data
 * of accounts (e-mail, argon2id password hash), sessions, and the once-only issue of a
 * pending pair's secret.
 *
 * The same rules as store_sqlite.c hold: one lock per call, every statement reset before the
 * lock is dropped, multi-step checks inside BEGIN IMMEDIATE. Session tokens and secrets never
 * reach this file; it sees only their hashes.
 */
#include "store/store_sqlite_priv.h"

static int
read_login(sqlite3_stmt *st, void *out)
{
    struct store_login *l = out;
    l->account_id = sqlite3_column_int64(st, 0);
    int rc = col_text(st, 1, l->name, sizeof(l->name));
    if (rc == 0)
        rc = col_text(st, 2, l->email, sizeof(l->email));
    if (rc == 0)
        rc = col_text(st, 3, l->pwhash, sizeof(l->pwhash));
    return rc;
}

static int
read_session(sqlite3_stmt *st, void *out)
{
    struct store_session *ss = out;
    const void *h = sqlite3_column_blob(st, 0);
    if (h == NULL || sqlite3_column_bytes(st, 0) != STORE_HASH_LEN)
        return -EIO;
    memcpy(ss->token_hash, h, STORE_HASH_LEN);
    ss->account_id = sqlite3_column_int64(st, 1);
    ss->created = sqlite3_column_int64(st, 3);
    ss->last_seen = sqlite3_column_int64(st, 4);
    ss->expires = sqlite3_column_int64(st, 5);
    return col_text(st, 2, ss->csrf, sizeof(ss->csrf));
}

/* Run the single-row write `id` with ?1 = account id and ?2 = text (NULL binds NULL); the
 * caller holds the lock. -ENOENT when no row changed. */
static int
write_account_text(struct sq *s, enum q id, int64_t account_id, const char *v)
{
    sqlite3_stmt *st = s->q[id];
    int rc = bound(s, sqlite3_bind_int64(st, 1, account_id) | bind_text(st, 2, v));
    if (rc == 0)
        rc = step(s, st, "login_set");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = -ENOENT;
    put(st);
    return rc;
}

int
sqc_login_set(void *priv, int64_t account_id, const char *email, const char *pwhash)
{
    struct sq *s = priv;
    if (s == NULL || (email != NULL && (!fits(email, STORE_EMAIL_MAX) || email[0] == '\0')) ||
        (pwhash != NULL && (!fits(pwhash, STORE_PWHASH_MAX) || pwhash[0] == '\0')))
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    if (rc == 0 && email != NULL)
        rc = write_account_text(s, Q_LOGIN_SET_EMAIL, account_id, email);
    if (rc == 0 && pwhash != NULL)
        rc = write_account_text(s, Q_LOGIN_SET_PWHASH, account_id, pwhash);
    if (rc == 0 && pwhash != NULL) {
        /* A new password ends every session signed in with the old one. */
        sqlite3_stmt *st = s->q[Q_SESSION_DELETE_ACCOUNT];
        rc = bound(s, sqlite3_bind_int64(st, 1, account_id));
        if (rc == 0)
            rc = step(s, st, "session revoke");
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

int
sqc_login_by_email(void *priv, const char *email, struct store_login *out)
{
    struct sq *s = priv;
    if (s == NULL || email == NULL || out == NULL)
        return -EINVAL;
    if (!fits(email, STORE_EMAIL_MAX) || email[0] == '\0')
        return -ENOENT;
    lock(s);
    sqlite3_stmt *st = s->q[Q_LOGIN_BY_EMAIL];
    int rc = bound(s, bind_text(st, 1, email));
    if (rc == 0)
        rc = fetch_one(s, st, read_login, out, "login_by_email");
    put(st);
    unlock(s);
    return rc;
}

int
sqc_login_by_id(void *priv, int64_t account_id, struct store_login *out)
{
    struct sq *s = priv;
    if (s == NULL || out == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_LOGIN_BY_ID];
    int rc = bound(s, sqlite3_bind_int64(st, 1, account_id));
    if (rc == 0)
        rc = fetch_one(s, st, read_login, out, "login_by_id");
    put(st);
    unlock(s);
    return rc;
}

/*
 * Inside one write transaction: the pair must belong to the account (-ENOENT) and still be
 * pending (-EALREADY); then its hash and issue time are written. Two concurrent downloads
 * are serialised by the write lock, so exactly one of them sees the pair pending.
 */
int
sqc_cred_issue(void *priv, int64_t account_id, const char *customer_id,
               const unsigned char hash[STORE_HASH_LEN], int64_t now)
{
    struct sq *s = priv;
    struct store_cred c;
    if (s == NULL || customer_id == NULL || hash == NULL)
        return -EINVAL;
    if (!fits(customer_id, STORE_HEX32))
        return -ENOENT;
    lock(s);
    int rc = tx_begin(s);
    sqlite3_stmt *st = s->q[Q_CRED_GET];
    if (rc == 0)
        rc = bound(s, bind_text(st, 1, customer_id));
    if (rc == 0)
        rc = fetch_one(s, st, store_sqlite_read_cred, &c, "cred_issue");
    put(st);
    if (rc == 0 && c.account_id != account_id)
        rc = -ENOENT;
    if (rc == 0 && !c.pending)
        rc = -EALREADY;
    if (rc == 0) {
        st = s->q[Q_CRED_ISSUE];
        rc = bound(s, bind_text(st, 1, customer_id) | sqlite3_bind_int64(st, 2, account_id) |
                          sqlite3_bind_blob(st, 3, hash, STORE_HASH_LEN, SQLITE_STATIC) |
                          sqlite3_bind_int64(st, 4, now));
        if (rc == 0)
            rc = step(s, st, "cred_issue");
        if (rc == 0 && sqlite3_changes(s->db) != 1)
            rc = -EALREADY;
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    ra_wipe(&c, sizeof(c));
    return rc;
}

int
sqc_session_add(void *priv, const struct store_session *ss)
{
    struct sq *s = priv;
    if (s == NULL || ss == NULL || !fits(ss->csrf, STORE_CSRF_LEN))
        return -EINVAL;
    lock(s);
    int rc = tx_begin(s);
    sqlite3_stmt *st = s->q[Q_SESSION_ADD];
    if (rc == 0)
        rc = bound(s, sqlite3_bind_blob(st, 1, ss->token_hash, STORE_HASH_LEN, SQLITE_STATIC) |
                          sqlite3_bind_int64(st, 2, ss->account_id) | bind_text(st, 3, ss->csrf) |
                          sqlite3_bind_int64(st, 4, ss->created) |
                          sqlite3_bind_int64(st, 5, ss->last_seen) |
                          sqlite3_bind_int64(st, 6, ss->expires));
    if (rc == 0)
        rc = step(s, st, "session_add");
    put(st);
    if (rc == 0) {
        /* Bound the account's sessions: the oldest beyond the cap end here. */
        st = s->q[Q_SESSION_TRIM];
        rc = bound(s, sqlite3_bind_int64(st, 1, ss->account_id) |
                          sqlite3_bind_int(st, 2, STORE_SESSIONS_PER_ACCOUNT));
        if (rc == 0)
            rc = step(s, st, "session trim");
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

int
sqc_session_get(void *priv, const unsigned char token_hash[STORE_HASH_LEN],
                struct store_session *out)
{
    struct sq *s = priv;
    if (s == NULL || token_hash == NULL || out == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_SESSION_GET];
    int rc = bound(s, sqlite3_bind_blob(st, 1, token_hash, STORE_HASH_LEN, SQLITE_STATIC));
    if (rc == 0)
        rc = fetch_one(s, st, read_session, out, "session_get");
    put(st);
    unlock(s);
    return rc;
}

/* Run session statement `id` with ?1 = token hash and, when `with_time`, ?2 = t. */
static int
session_write(struct sq *s, enum q id, const unsigned char *token_hash, bool with_time, int64_t t)
{
    if (s == NULL || token_hash == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[id];
    int any = sqlite3_bind_blob(st, 1, token_hash, STORE_HASH_LEN, SQLITE_STATIC);
    if (with_time)
        any |= sqlite3_bind_int64(st, 2, t);
    int rc = bound(s, any);
    if (rc == 0)
        rc = step(s, st, "session write");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = -ENOENT;
    put(st);
    unlock(s);
    return rc;
}

int
sqc_session_touch(void *priv, const unsigned char token_hash[STORE_HASH_LEN], int64_t now)
{
    return session_write(priv, Q_SESSION_TOUCH, token_hash, true, now);
}

int
sqc_session_delete(void *priv, const unsigned char token_hash[STORE_HASH_LEN])
{
    return session_write(priv, Q_SESSION_DELETE, token_hash, false, 0);
}

int
sqc_session_purge(void *priv, int64_t now, int64_t idle_s)
{
    struct sq *s = priv;
    if (s == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_SESSION_PURGE];
    int rc = bound(s, sqlite3_bind_int64(st, 1, now) | sqlite3_bind_int64(st, 2, idle_s));
    if (rc == 0)
        rc = step(s, st, "session_purge");
    put(st);
    unlock(s);
    return rc;
}
