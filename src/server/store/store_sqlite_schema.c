/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite_schema.c: opening a connection of the SQLite backend: file creation,
 * connection settings and schema migrations.
 *
 * The schema is the result of applying, in order, the SQL scripts in migrations[]. The number
 * of scripts applied is kept in the database header (PRAGMA user_version), so each open only
 * runs the scripts it has not seen yet. Each script runs in its own BEGIN IMMEDIATE
 * transaction together with the user_version bump, and the version is re-read once the write
 * lock is held, so two processes opening a fresh file at the same time apply each script
 * exactly once. A database whose version is higher than this program knows is refused rather
 * than used with a schema we do not understand.
 *
 * Rules for later migrations: never edit a script that has shipped; append a new one. Prefer
 * ALTER TABLE ... ADD COLUMN (with a default) and new indexes; queries name their columns, so
 * added columns do not disturb older code. A script that must rebuild a table (the 12-step
 * ALTER procedure) needs foreign_keys OFF outside the transaction, which the runner below would
 * then have to learn.
 */
#include "store/store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000

/*
 * migrations[i] brings the schema from version i to version i + 1.
 *
 * Migration 1, the base schema:
 * - accounts: one row per tenant; the name is the unique handle used by the admin CLI. Later
 *   columns (e-mail, password hash for the console) are meant to be added by migration 2.
 * - credentials: one row per Customer ID / keyed-hash pair. The implicit rowid records the
 *   insertion order, used to break ties between equal `created` times.
 * - projects: `seq` is the insertion order; `id` is the public identifier and stays unique
 *   forever, including over deleted rows, so an id is never reused. Deletion is soft
 *   (deleted = 1); the unique index on (account_id, name) covers live rows only, so a
 *   deleted project's name can be used again. recording_server NULL means "none".
 */
/* A trigger that appends one feed row of `kind` after `event`. */
#define FEED_TRIGGER(name, event, kind, account, customer)                                         \
    "CREATE TRIGGER feed_" name " AFTER " event " BEGIN"                                           \
    "  INSERT INTO changes (kind, account_id, customer_id, at) VALUES (" #kind ", " account        \
    ", " customer ", CAST(strftime('%s', 'now') AS INTEGER));"                                     \
    " END;"

static const char *const migrations[] = {
    "CREATE TABLE accounts ("
    "  id      INTEGER PRIMARY KEY,"
    "  name    TEXT    NOT NULL UNIQUE,"
    "  created INTEGER NOT NULL"
    ");"
    "CREATE TABLE credentials ("
    "  customer_id TEXT    NOT NULL PRIMARY KEY,"
    "  account_id  INTEGER NOT NULL REFERENCES accounts (id),"
    "  hash        BLOB    NOT NULL,"
    "  created     INTEGER NOT NULL,"
    "  last_used   INTEGER NOT NULL DEFAULT 0,"
    "  status      INTEGER NOT NULL DEFAULT 1"
    ");"
    "CREATE INDEX credentials_by_account ON credentials (account_id, created);"
    "CREATE TABLE projects ("
    "  seq              INTEGER PRIMARY KEY,"
    "  id               TEXT    NOT NULL UNIQUE,"
    "  account_id       INTEGER NOT NULL REFERENCES accounts (id),"
    "  name             TEXT    NOT NULL,"
    "  vendor_key       TEXT    NOT NULL,"
    "  sign_key         TEXT    NOT NULL DEFAULT '',"
    "  recording_server TEXT,"
    "  status           INTEGER NOT NULL DEFAULT 1,"
    "  created          INTEGER NOT NULL,"
    "  deleted          INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE UNIQUE INDEX projects_live_name ON projects (account_id, name) WHERE deleted = 0;"
    "CREATE INDEX projects_by_account ON projects (account_id, deleted, created, seq);",

    "ALTER TABLE accounts ADD COLUMN email TEXT;"
    "ALTER TABLE accounts ADD COLUMN password_hash TEXT;"
    "CREATE UNIQUE INDEX accounts_email ON accounts (email COLLATE NOCASE)"
    "  WHERE email IS NOT NULL;"
    "CREATE TABLE credentials_v2 ("
    "  customer_id TEXT    NOT NULL PRIMARY KEY,"
    "  account_id  INTEGER NOT NULL REFERENCES accounts (id),"
    "  hash        BLOB,"
    "  created     INTEGER NOT NULL,"
    "  last_used   INTEGER NOT NULL DEFAULT 0,"
    "  status      INTEGER NOT NULL DEFAULT 1,"
    "  issued      INTEGER NOT NULL DEFAULT 0"
    ");"
    "INSERT INTO credentials_v2 (customer_id, account_id, hash, created, last_used, status, issued)"
    "  SELECT customer_id, account_id, hash, created, last_used, status, created"
    "  FROM credentials ORDER BY rowid;"
    "DROP TABLE credentials;"
    "ALTER TABLE credentials_v2 RENAME TO credentials;"
    "CREATE INDEX credentials_by_account ON credentials (account_id, created);"
    "CREATE TABLE sessions ("
    "  token_hash BLOB    NOT NULL PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts (id),"
    "  csrf       TEXT    NOT NULL,"
    "  created    INTEGER NOT NULL,"
    "  last_seen  INTEGER NOT NULL,"
    "  expires    INTEGER NOT NULL"
    ");"
    "CREATE INDEX sessions_by_account ON sessions (account_id);",

    /* 3: the change feed, written by triggers so that no write can forget it, and the nodes
     * table. Last-used updates touch no column the triggers watch. */
    "CREATE TABLE changes ("
    "  seq         INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  kind        INTEGER NOT NULL,"
    "  account_id  INTEGER NOT NULL,"
    "  customer_id TEXT    NOT NULL DEFAULT '',"
    "  at          INTEGER NOT NULL"
    ");"
    "CREATE TABLE feed_meta (id INTEGER PRIMARY KEY CHECK (id = 1), pruned_upto INTEGER NOT NULL);"
    "INSERT INTO feed_meta (id, pruned_upto) VALUES (1, 0);"
    "CREATE TABLE nodes ("
    "  id        TEXT    NOT NULL PRIMARY KEY,"
    "  started   INTEGER NOT NULL,"
    "  heartbeat INTEGER NOT NULL,"
    "  applied   INTEGER NOT NULL"
    ");" FEED_TRIGGER("cred_added", "INSERT ON credentials", 1, "NEW.account_id", "NEW.customer_id")
        FEED_TRIGGER("cred_changed", "UPDATE OF account_id, hash, status, issued ON credentials", 1,
                     "NEW.account_id",
                     "NEW.customer_id") FEED_TRIGGER("cred_deleted", "DELETE ON credentials", 1,
                                                     "OLD.account_id", "OLD.customer_id")
            FEED_TRIGGER("project_added", "INSERT ON projects", 2, "NEW.account_id", "''")
                FEED_TRIGGER("project_changed", "UPDATE ON projects", 2, "NEW.account_id", "''")
                    FEED_TRIGGER("project_deleted", "DELETE ON projects", 2, "OLD.account_id", "''")
                        FEED_TRIGGER("account_added", "INSERT ON accounts", 3, "NEW.id", "''")
                            FEED_TRIGGER("account_changed", "UPDATE ON accounts", 3, "NEW.id",
                                         "''"),

    /* 4: the credential lifecycle. A pair may expire (expires_at, 0 = never) or be a
     * tripwire; the feed trigger of changed pairs also watches these columns, so every node
     * applies a disable, an enable or an expiry. The audit log (never a secret; address NULL
     * when none) and per-pair usage, counted per endpoint (rate class) and hour. */
    "ALTER TABLE credentials ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE credentials ADD COLUMN tripwire INTEGER NOT NULL DEFAULT 0;"
    "DROP TRIGGER feed_cred_changed;" FEED_TRIGGER(
        "cred_changed",
        "UPDATE OF account_id, hash, status, issued, expires_at, tripwire ON credentials", 1,
        "NEW.account_id",
        "NEW.customer_id") "CREATE TABLE audit ("
                           "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
                           "  account_id INTEGER NOT NULL,"
                           "  time       INTEGER NOT NULL,"
                           "  actor      TEXT    NOT NULL,"
                           "  action     TEXT    NOT NULL,"
                           "  target     TEXT    NOT NULL,"
                           "  address    TEXT,"
                           "  alert      INTEGER NOT NULL DEFAULT 0"
                           ");"
                           "CREATE INDEX audit_by_account ON audit (account_id, id);"
                           "CREATE INDEX audit_by_time ON audit (time);"
                           "CREATE TABLE usage ("
                           "  customer_id TEXT    NOT NULL,"
                           "  hour        INTEGER NOT NULL,"
                           "  endpoint    TEXT    NOT NULL,"
                           "  count       INTEGER NOT NULL,"
                           "  PRIMARY KEY (customer_id, hour, endpoint)"
                           ") WITHOUT ROWID;"
                           "CREATE INDEX usage_by_hour ON usage (hour);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SQLITE_SCHEMA_VERSION,
               "STORE_SQLITE_SCHEMA_VERSION must equal the number of migrations");

/* Run one or more SQL statements that return no rows. Returns 0 or -EIO (logged as `what`). */
static int
exec(sqlite3 *db, const char *sql, const char *what)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_sqlite_error(db, what);
    return 0;
}

/*
 * Run a PRAGMA that answers one row and store its first column: as an integer into *num when
 * num is not NULL, as text into txt (txt_cap bytes, truncated) when txt is not NULL.
 * Returns 0 or -EIO (logged).
 */
static int
pragma(sqlite3 *db, const char *sql, int64_t *num, char *txt, size_t txt_cap)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sqlite_error(db, sql);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (num != NULL)
            *num = sqlite3_column_int64(st, 0);
        if (txt != NULL)
            snprintf(txt, txt_cap, "%s", t != NULL ? (const char *)t : "");
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        fprintf(stderr, "restauthd: store: %s: no answer\n", sql);
        rc = -EIO;
    } else {
        rc = store_sqlite_error(db, sql);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Turn on the WAL journal (persistent in the file) and check that it took effect. An
 * in-memory database, which has no file to journal, keeps its "memory" journal. */
static int
use_wal(sqlite3 *db)
{
    char mode[16];
    int rc = pragma(db, "PRAGMA journal_mode = WAL", NULL, mode, sizeof(mode));
    if (rc != 0)
        return rc;
    if (strcmp(mode, "wal") == 0)
        return 0;
    const char *file = sqlite3_db_filename(db, "main");
    if (strcmp(mode, "memory") == 0 && (file == NULL || file[0] == '\0'))
        return 0;
    fprintf(stderr, "restauthd: store: cannot enable the WAL journal (mode is %s)\n", mode);
    return -EIO;
}

/*
 * Configure a freshly opened connection: busy timeout, defensive mode, foreign keys,
 * synchronous=FULL (each commit is fsynced) and the WAL journal. Returns 0 or -EIO (logged).
 */
static int
configure(sqlite3 *db)
{
    int on = -1;
    int64_t fk = 0, sync = 0;

    sqlite3_extended_result_codes(db, 1);
    if (sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS) != SQLITE_OK)
        return store_sqlite_error(db, "busy_timeout");
    /* Defensive mode forbids writes that could corrupt the file (writable_schema and such). */
    if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK || on != 1)
        return store_sqlite_error(db, "defensive mode");
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    /* Our schema has no views or triggers that would need functions with side effects. */
    if (sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK)
        return store_sqlite_error(db, "trusted_schema");
#endif
    int rc = exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL", "pragmas");
    if (rc == 0)
        rc = pragma(db, "PRAGMA foreign_keys", &fk, NULL, 0);
    if (rc == 0)
        rc = pragma(db, "PRAGMA synchronous", &sync, NULL, 0);
    if (rc == 0 && (fk != 1 || sync != 2)) {
        fprintf(stderr, "restauthd: store: foreign_keys or synchronous=FULL not in effect\n");
        rc = -EIO;
    }
    if (rc == 0)
        rc = use_wal(db);
    return rc;
}

/* Log and refuse a schema version this program cannot work with. */
static int
bad_version(int64_t v)
{
    fprintf(stderr,
            "restauthd: store: database schema version %" PRId64 " is not supported "
            "(this program knows versions 0 to %d)\n",
            v, STORE_SQLITE_SCHEMA_VERSION);
    return -EIO;
}

/*
 * Apply the next pending migration, if any, inside its own write transaction. Sets *done
 * when the schema is already current. Returns 0 or -EIO (logged); on failure nothing of the
 * migration remains.
 */
static int
migrate_one(sqlite3 *db, bool *done)
{
    int64_t v = -1;
    char bump[64];

    int rc = exec(db, "BEGIN IMMEDIATE", "migration begin");
    if (rc != 0)
        return rc;
    rc = pragma(db, "PRAGMA user_version", &v, NULL, 0);
    if (rc == 0 && (v < 0 || v > STORE_SQLITE_SCHEMA_VERSION))
        rc = bad_version(v);
    if (rc == 0 && v == STORE_SQLITE_SCHEMA_VERSION)
        *done = true;
    if (rc == 0 && !*done) {
        rc = exec(db, migrations[v], "migration");
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %" PRId64, v + 1);
        if (rc == 0)
            rc = exec(db, bump, "migration version");
    }
    if (rc == 0)
        return exec(db, "COMMIT", "migration commit");
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/*
 * Bring the schema of db up to STORE_SQLITE_SCHEMA_VERSION. Returns 0 or -EIO (logged).
 */
static int
migrate(sqlite3 *db)
{
    int64_t v = -1;
    bool done = false;

    /* Fast path without the write lock: an up-to-date database needs nothing. */
    int rc = pragma(db, "PRAGMA user_version", &v, NULL, 0);
    if (rc != 0)
        return rc;
    if (v == STORE_SQLITE_SCHEMA_VERSION)
        return 0;
    if (v < 0 || v > STORE_SQLITE_SCHEMA_VERSION)
        return bad_version(v);
    while (rc == 0 && !done)
        rc = migrate_one(db, &done);
    return rc;
}

/*
 * Create the database file if it is missing, readable by its owner only (SQLite creates its
 * -wal and -shm files with the same mode). An existing file is left as it is.
 * Returns 0, -EINVAL (no such directory, or a directory) or -EIO (logged).
 */
static int
precreate(const char *path)
{
    if (strcmp(path, ":memory:") == 0)
        return 0;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    int e = errno;
    fprintf(stderr, "restauthd: store: cannot open %s: %s\n", path, strerror(e));
    return e == ENOENT || e == ENOTDIR || e == EISDIR || e == ENAMETOOLONG ? -EINVAL : -EIO;
}

int
store_sqlite_connect(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
#ifdef SQLITE_OPEN_EXRESCODE
    flags |= SQLITE_OPEN_EXRESCODE;
#endif

    *out = NULL;
    int rc = precreate(path);
    if (rc != 0)
        return rc;
    int src = sqlite3_open_v2(path, &db, flags, NULL);
    if (src != SQLITE_OK && db == NULL) {
        fprintf(stderr, "restauthd: store: open: %s\n", sqlite3_errstr(src));
        return -ENOMEM;
    }
    if (src != SQLITE_OK)
        rc = store_sqlite_error(db, "open");
    if (rc == 0)
        rc = configure(db);
    if (rc == 0)
        rc = migrate(db);
    if (rc != 0) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}
