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
 *   -EDQUOT  a per-account limit  -EBUSY   refused: would delete an account's last credential,
 *            or leave it without an enabled one (see struct store_cred_update)
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
    int64_t issued;     /* unix seconds the secret left the server; 0 while pending (cred_add
                         * takes `created` when this is 0 and the pair is not pending) */
    int64_t expires_at; /* unix seconds; 0 = never. Expired when expires_at <= now */
    bool tripwire;      /* never meant to be used: any use is refused and recorded as an alert */
};

/*
 * A pair is *enabled* when it is not disabled, not a tripwire and not expired at `now`
 * (a pending pair counts: it is about to be used). The last-pair rules keep at least one
 * enabled pair per account: a change that would turn the account's last enabled pair into
 * one that is not is -EBUSY unless forced.
 */
static inline bool
store_cred_enabled(const struct store_cred *c, int64_t now)
{
    return c->status == 1 && !c->tripwire && (c->expires_at == 0 || c->expires_at > now);
}

/* A change to one pair (cred_update): its status, its expiry, or both. */
struct store_cred_update {
    int status;         /* -1 = unchanged, 0 = disabled, 1 = enabled */
    bool set_expiry;    /* write expires_at */
    int64_t expires_at; /* with set_expiry: unix seconds, 0 = never */
    int64_t now;        /* what "expired" is judged against */
    bool force;         /* skip the last-pair rule */
};

#define STORE_ACTION_MAX 40
#define STORE_TARGET_MAX 64
#define STORE_ADDRESS_MAX 63

/*
 * One entry of the audit log: who (a console user's e-mail, "cli", or a Customer ID) did what
 * (e.g. "credential.disable") to which target (a Customer ID, project id or account name),
 * when and from where. Never a secret.
 */
struct store_audit {
    int64_t id;         /* set by the store, increasing */
    int64_t account_id; /* 0 when no account is known (a sign-in with an unknown e-mail) */
    char account[STORE_ACCOUNT_NAME_MAX + 1]; /* audit_list fills it; "" when none */
    int64_t time;                             /* unix seconds */
    char actor[STORE_EMAIL_MAX + 1];
    char action[STORE_ACTION_MAX + 1];
    char target[STORE_TARGET_MAX + 1];
    char address[STORE_ADDRESS_MAX + 1]; /* client address; "" when none (the CLI) */
    bool alert;
};

/* Which audit entries audit_list gives, newest first. */
struct store_audit_query {
    int64_t account_id; /* < 0: every account */
    int64_t since;      /* only entries at or after this time (unix seconds) */
    int64_t before;     /* > 0: only entries whose id is below it (paging) */
    int limit;          /* at most this many */
};

#define STORE_ENDPOINT_MAX 64

/* Requests of one pair in one rate class (endpoint) during one hour. */
struct store_usage {
    char customer_id[STORE_HEX32 + 1];
    char endpoint[STORE_ENDPOINT_MAX + 1];
    int64_t hour; /* unix seconds at the start of the hour (usage_daily: of the UTC day) */
    int64_t count;
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
typedef int (*store_audit_fn)(void *ctx, const struct store_audit *a);
typedef int (*store_usage_fn)(void *ctx, const struct store_usage *u);

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

    /* Credentials. cred_add fails with -EDQUOT when the account already has `max` pairs that
     * have not expired at c->created (expired pairs stay listed but do not count). */
    int (*cred_add)(void *priv, const struct store_cred *c, int max);
    int (*cred_get)(void *priv, const char *customer_id, struct store_cred *out);
    /* account_id < 0 lists every account's credentials; ordered by created, then insertion. */
    int (*cred_list)(void *priv, int64_t account_id, store_cred_fn fn, void *ctx);
    /* Deleting an account's last credential, or its last enabled one, is -EBUSY unless
     * `force`. The pair's usage rows go with it. */
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

    /*
     * The credential lifecycle. cred_update changes the status and/or expiry of the pair
     * (of the account when account_id >= 0, else of any account) and, in the same transaction,
     * appends `audit` (may be NULL); *out (may be NULL) receives the pair as changed. A change
     * that turns the account's last enabled pair into one that is not (a disable; an expiry
     * while no other enabled pair outlives it) is -EBUSY unless u->force. -ENOENT if no such
     * pair.
     */
    int (*cred_update)(void *priv, int64_t account_id, const char *customer_id,
                       const struct store_cred_update *u, const struct store_audit *audit,
                       struct store_cred *out);
    /*
     * Roll a pair in one transaction: add `fresh` (same account as the old pair; quota `max`
     * as cred_add, judged at fresh->created), set the old pair's expiry to `old_expires`
     * (unless it already expires sooner) and append `audit` (may be NULL). *old_out (may be
     * NULL) receives the old pair as changed. -ENOENT (no such pair of fresh->account_id),
     * -EPERM (a tripwire is never rolled), -EDQUOT, -EAGAIN (fresh's id is taken).
     */
    int (*cred_roll)(void *priv, const struct store_cred *fresh, int max, const char *old_id,
                     int64_t old_expires, const struct store_audit *audit,
                     struct store_cred *old_out);

    /* The audit log: append one entry; list entries newest first; delete entries older than
     * `before` (unix seconds). */
    int (*audit_add)(void *priv, const struct store_audit *a);
    int (*audit_list)(void *priv, const struct store_audit_query *q, store_audit_fn fn, void *ctx);
    int (*audit_prune)(void *priv, int64_t before);

    /* Per-pair usage: add n counts (to what is stored for the same pair, endpoint and hour) in
     * one transaction; call fn with the daily totals (hour = start of the UTC day, endpoint
     * "") of the pairs of the account (every account when account_id < 0) from `since` on,
     * ordered by pair and day; delete the hours before `before`. */
    int (*usage_add)(void *priv, const struct store_usage *u, size_t n);
    int (*usage_daily)(void *priv, int64_t account_id, int64_t since, store_usage_fn fn, void *ctx);
    int (*usage_prune)(void *priv, int64_t before);
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
