/* SPDX-License-Identifier: MIT */
/*
 * store.h: the storage interface of restauthd.
 *
 * A backend is one const table of function pointers (struct store_ops). store_open() picks
 * it from the URL scheme ("sqlite:PATH", "postgresql://..." or "postgres://...") so that
 * handlers never know which database is behind them. Every backend function is safe to call from
 * any thread (the backend serialises as it needs) and every write is durable when it returns 0.
 *
 * Return convention: 0 on success, a negative errno-style code on failure:
 *   -ENOENT  no such row          -EEXIST  unique name already taken
 *   -EDQUOT  a per-account limit  -EBUSY   refused: would delete an account's last credential
 *   -EAGAIN  generated id clashed (caller retries with a new id)
 *   -EALREADY refused: the secret of that credential was issued already
 *   -EIO     database error (logged by the backend without any secret)
 *   -ENOTCONN the database cannot be reached now; nothing was written (the caller answers 503
 *            and the client may retry)
 *   -ESTALE  feed_read: the rows after `after` were pruned (the caller reloads everything)
 *   -ENOMEM  out of memory        -EINVAL  bad location or argument
 */
#ifndef RA_SERVER_STORE_STORE_H
#define RA_SERVER_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_ACCOUNT_NAME_MAX 64
#define STORE_EMAIL_MAX 254
#define STORE_HEX32 32    /* customer id, vendor_key, sign_key: 32 lowercase hex */
#define STORE_HASH_LEN 32 /* keyed hash of a customer secret */
#define STORE_PROJECT_ID_MAX 16
#define STORE_PROJECT_NAME_BYTES 1020 /* 255 characters of UTF-8 */
#define STORE_RECSRV_MAX 255
#define STORE_PWHASH_MAX 127 /* an argon2id string from crypto_pwhash_str (STRBYTES - 1) */
/* Console sessions one account may hold at once (sign-ins on many browsers). */
#define STORE_SESSIONS_PER_ACCOUNT 20
#define STORE_CSRF_LEN 43 /* 32 random bytes as unpadded base64url */

struct store_account {
    int64_t id;
    char name[STORE_ACCOUNT_NAME_MAX + 1];
    int64_t created; /* unix seconds */
};

struct store_cred {
    char customer_id[STORE_HEX32 + 1];
    int64_t account_id;
    unsigned char hash[STORE_HASH_LEN]; /* keyed hash of the secret, never the secret */
    int64_t created;                    /* unix seconds */
    int64_t last_used;                  /* unix seconds, 0 = never */
    int status;                         /* 1 = active, 0 = disabled */
    /* A pending pair (added in the console, secret not downloaded yet) has no hash: it never
     * authenticates. Its secret is generated at the one download (cred_issue). */
    bool pending;
    int64_t issued; /* unix seconds the secret left the server; 0 while pending (cred_add
                     * takes `created` when this is 0 and the pair is not pending) */
};

/* What the console's sign-in needs to know about an account. */
struct store_login {
    int64_t account_id;
    char name[STORE_ACCOUNT_NAME_MAX + 1];
    char email[STORE_EMAIL_MAX + 1];   /* "" when none is set */
    char pwhash[STORE_PWHASH_MAX + 1]; /* argon2id string; "" when no password is set */
};

/* A console session. Only a hash of the token is stored, never the token. */
struct store_session {
    unsigned char token_hash[STORE_HASH_LEN];
    int64_t account_id;
    char csrf[STORE_CSRF_LEN + 1]; /* the session's CSRF token */
    int64_t created;               /* unix seconds */
    int64_t last_seen;             /* unix seconds of the last request */
    int64_t expires;               /* absolute expiry, unix seconds */
};

struct store_project {
    char id[STORE_PROJECT_ID_MAX + 1];
    int64_t account_id;
    char name[STORE_PROJECT_NAME_BYTES + 1];
    char vendor_key[STORE_HEX32 + 1];
    char sign_key[STORE_HEX32 + 1]; /* "" when the primary certificate is disabled */
    bool has_recording_server;      /* false: JSON null */
    char recording_server[STORE_RECSRV_MAX + 1];
    int status;      /* 1 = enabled, 0 = disabled */
    int64_t created; /* unix seconds */
};

/* One pending last-used update, applied in batches. */
struct store_touch {
    char customer_id[STORE_HEX32 + 1];
    int64_t last_used;
};

/*
 * The change feed: one row per write that changes what a running node holds in memory,
 * appended in the same transaction as the write (the backends do it with triggers, so no
 * write can forget it), numbered in commit order. A node applies the rows after the last one
 * it applied: a credential row means "make the in-memory entry of this Customer ID match the
 * store" (refresh it, or forget it when the store has no usable pair), which is idempotent
 * and does not depend on what the node believed before; a projects row drops the account's
 * cached project list. Last-used updates do not append rows.
 */
enum store_change_kind {
    STORE_CHANGE_CRED = 1,     /* a pair of customer_id was added, issued, changed or deleted */
    STORE_CHANGE_PROJECTS = 2, /* a project of account_id was created, changed or deleted */
    STORE_CHANGE_ACCOUNT = 3,  /* account_id was added or its sign-in changed */
};

struct store_change {
    int64_t seq; /* > 0, increasing in commit order */
    int kind;    /* enum store_change_kind */
    int64_t account_id;
    char customer_id[STORE_HEX32 + 1]; /* STORE_CHANGE_CRED; "" otherwise */
    int64_t at;                        /* unix seconds of the write */
};

#define STORE_NODE_ID_MAX 64

/* A running server, as it reports itself in the nodes table. */
struct store_node {
    char id[STORE_NODE_ID_MAX + 1]; /* e.g. "host:port:pid", unique while it runs */
    int64_t started;                /* unix milliseconds */
    int64_t heartbeat;              /* unix milliseconds of its last report */
    int64_t applied;                /* the last feed row it has applied */
};

/* Row callbacks: return 0 to continue, non-zero to stop (that value is returned). */
typedef int (*store_account_fn)(void *ctx, const struct store_account *a);
typedef int (*store_cred_fn)(void *ctx, const struct store_cred *c);
typedef int (*store_project_fn)(void *ctx, const struct store_project *p);
typedef int (*store_change_fn)(void *ctx, const struct store_change *c);
typedef int (*store_node_fn)(void *ctx, const struct store_node *n);

struct store_ops {
    const char *scheme; /* URL scheme this backend serves, e.g. "sqlite" */

    /* Open the database at `location` (SQLite: the URL without "scheme:"; PostgreSQL: the
     * whole URL), creating it if needed (SQLite), and apply every pending schema migration.
     * -ENOTCONN when the database server cannot be reached. */
    int (*open)(const char *location, void **priv);
    void (*close)(void *priv);

    /* Accounts. Names are unique. */
    int (*account_add)(void *priv, const char *name, int64_t now, struct store_account *out);
    int (*account_by_name)(void *priv, const char *name, struct store_account *out);
    int (*account_list)(void *priv, store_account_fn fn, void *ctx); /* ordered by id */

    /* Credentials. cred_add fails with -EDQUOT when the account already has `max` pairs. */
    int (*cred_add)(void *priv, const struct store_cred *c, int max);
    int (*cred_get)(void *priv, const char *customer_id, struct store_cred *out);
    /* account_id < 0 lists every account's credentials; ordered by created, then insertion. */
    int (*cred_list)(void *priv, int64_t account_id, store_cred_fn fn, void *ctx);
    /* Deleting an account's last credential is -EBUSY unless `force`. */
    int (*cred_delete)(void *priv, const char *customer_id, bool force);
    /* Apply n last-used updates in one transaction (never moving a time backwards). */
    int (*cred_touch)(void *priv, const struct store_touch *t, size_t n);

    /* Projects, always scoped by account. project_create stores *p as given (the caller fills
     * id, keys, status, created); -EEXIST if the account has a live project with that name,
     * -EAGAIN if the id is taken, -EDQUOT if the account already has `max` live projects. */
    int (*project_create)(void *priv, const struct store_project *p, int max);
    int (*project_get)(void *priv, int64_t account_id, const char *id, struct store_project *out);
    /* Live projects of the account, ordered by created then insertion. `id` and `name` are
     * optional filters (NULL = any); both given means both must match. */
    int (*project_list)(void *priv, int64_t account_id, const char *id, const char *name,
                        store_project_fn fn, void *ctx);
    /* Write status, sign_key and recording_server of the live project (account_id, id). */
    int (*project_update)(void *priv, const struct store_project *p);
    /* Delete a live project; its name becomes free again. */
    int (*project_delete)(void *priv, int64_t account_id, const char *id);

    /* Optional (NULL if the backend cannot tell): *version becomes a number that changes
     * whenever another connection or process committed a change since the previous call.
     * Changes committed through this same store do not move it. */
    int (*changes)(void *priv, int64_t *version);

    /* Console sign-in. login_set sets the account's e-mail (unique, compared ignoring ASCII
     * case; -EEXIST if another account has it) and/or password hash; a NULL argument leaves
     * that field as it is. A new password hash also ends every session of the account.
     * -ENOENT if there is no such account. */
    int (*login_set)(void *priv, int64_t account_id, const char *email, const char *pwhash);
    /* Find an account by e-mail (ignoring ASCII case), or by id. -ENOENT if none. */
    int (*login_by_email)(void *priv, const char *email, struct store_login *out);
    int (*login_by_id)(void *priv, int64_t account_id, struct store_login *out);

    /* Issue the secret of a pending pair of the account: store its hash and the issue time
     * in one write transaction. -ENOENT if the account has no such pair, -EALREADY if its
     * secret was issued already (so it can never be issued twice). */
    int (*cred_issue)(void *priv, int64_t account_id, const char *customer_id,
                      const unsigned char hash[STORE_HASH_LEN], int64_t now);

    /* Console sessions, keyed by the hash of their token. session_get does not judge expiry;
     * session_touch records activity; session_purge deletes every session past its absolute
     * expiry or idle for idle_s seconds or more. session_add keeps at most
     * STORE_SESSIONS_PER_ACCOUNT sessions per account: the oldest ones beyond that end. */
    int (*session_add)(void *priv, const struct store_session *s);
    int (*session_get)(void *priv, const unsigned char token_hash[STORE_HASH_LEN],
                       struct store_session *out);
    int (*session_touch)(void *priv, const unsigned char token_hash[STORE_HASH_LEN], int64_t now);
    int (*session_delete)(void *priv, const unsigned char token_hash[STORE_HASH_LEN]);
    int (*session_purge)(void *priv, int64_t now, int64_t idle_s);

    /* The change feed (see struct store_change). feed_head gives the newest row's seq (0 when
     * the feed is empty). feed_read calls fn for the rows with seq > after, in order, at most
     * max of them; -ESTALE when some of those rows were pruned. feed_prune deletes the rows
     * written before `before` (unix seconds) but always keeps the newest one, and remembers
     * the highest seq it deleted, which is what feed_read compares with. */
    int (*feed_head)(void *priv, int64_t *seq);
    int (*feed_read)(void *priv, int64_t after, int max, store_change_fn fn, void *ctx);
    int (*feed_prune)(void *priv, int64_t before);

    /* Optional (NULL when the backend has no push): wait up to timeout_ms for a sign that the
     * feed has new rows (PostgreSQL: LISTEN/NOTIFY on its own session). Returns 1 when woken,
     * 0 on timeout, or a negative code (then the caller falls back to polling). Only one
     * thread may wait. */
    int (*feed_wait)(void *priv, int timeout_ms);

    /* The nodes table. node_beat inserts or updates the node's row; node_list calls fn for
     * every row, ordered by id; node_forget deletes rows whose heartbeat is older than
     * `before` (unix milliseconds). */
    int (*node_beat)(void *priv, const struct store_node *n);
    int (*node_list)(void *priv, store_node_fn fn, void *ctx);
    int (*node_forget)(void *priv, int64_t before);
};

struct store {
    const struct store_ops *ops;
    void *priv;
};

/* Open the store named by `url` ("sqlite:PATH", or a PostgreSQL connection URI such as
 * "postgresql://user@host:5432/db?sslmode=verify-full&pool_size=8"). Returns 0 or a negative
 * code. */
int store_open(const char *url, struct store *st);
void store_close(struct store *st);

/* A store URL fit for a message: without its user, password and parameters
 * ("postgresql://db.example:5432/restauth"); an SQLite URL as it is. Writes into buf. */
const char *store_describe(const char *url, char *buf, size_t cap);

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops; /* "postgresql" and "postgres" */

#endif
