/* SPDX-License-Identifier: MIT */
/*
 * test_store_sqlite_console.c: what only the SQLite backend has for the console: migration 2
 * of a database made by the first release. The console's operations themselves are tested on
 * every backend by store_suite_console.c (the test_store program).
 */
#include "store/store.h"
#include "store/store_sqlite.h"

#include "harness.h"
#include "store_fixture.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

/* Run SQL on the file NAME through a raw connection; returns the SQLite result code. */
static int
raw_exec(const char *name, const char *sql)
{
    char path[PATH_MAX];
    sqlite3 *db = NULL;
    store_path(path, sizeof(path), name);
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* A database made by the first release (schema version 1) keeps its pairs through
 * migration 2; they count as issued when they were created. */
static void
test_migration_from_v1(void)
{
    struct store st;
    struct store_cred c;
    struct store_login l;
    int rc = raw_exec("v1.db", "PRAGMA journal_mode = WAL;"
                               "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL"
                               " UNIQUE, created INTEGER NOT NULL);"
                               "CREATE TABLE credentials (customer_id TEXT NOT NULL PRIMARY KEY,"
                               " account_id INTEGER NOT NULL REFERENCES accounts (id),"
                               " hash BLOB NOT NULL, created INTEGER NOT NULL,"
                               " last_used INTEGER NOT NULL DEFAULT 0,"
                               " status INTEGER NOT NULL DEFAULT 1);"
                               "CREATE INDEX credentials_by_account ON credentials"
                               " (account_id, created);"
                               "CREATE TABLE projects (seq INTEGER PRIMARY KEY, id TEXT NOT NULL"
                               " UNIQUE, account_id INTEGER NOT NULL REFERENCES accounts (id),"
                               " name TEXT NOT NULL, vendor_key TEXT NOT NULL, sign_key TEXT NOT"
                               " NULL DEFAULT '', recording_server TEXT, status INTEGER NOT NULL"
                               " DEFAULT 1, created INTEGER NOT NULL, deleted INTEGER NOT NULL"
                               " DEFAULT 0);"
                               "INSERT INTO accounts VALUES (1, 'old', 5);"
                               "INSERT INTO credentials VALUES ('c2', 1, zeroblob(32), 7, 9, 1);"
                               "INSERT INTO credentials VALUES ('c1', 1, randomblob(32), 7, 0, 1);"
                               "PRAGMA user_version = 1;");
    ASSERT_EQ_INT(rc, SQLITE_OK);
    if (open_store(&st, "v1.db") != 0)
        return;
    ASSERT_EQ_INT(st.ops->cred_get(st.priv, "c2", &c), 0);
    ASSERT_TRUE(!c.pending);
    ASSERT_EQ_INT(c.issued, 7);
    ASSERT_EQ_INT(c.last_used, 9);
    ASSERT_EQ_INT(st.ops->login_by_id(st.priv, 1, &l), 0);
    ASSERT_EQ_STR(l.name, "old");
    ASSERT_EQ_STR(l.email, "");
    ASSERT_EQ_STR(l.pwhash, "");
    ASSERT_EQ_INT(st.ops->cred_get(st.priv, "c1", &c), 0);
    ASSERT_TRUE(!c.pending);
    store_close(&st);
    /* The insertion order still breaks the tie of equal `created`: c2 first. */
    char path[PATH_MAX];
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    ASSERT_EQ_INT(sqlite3_open(path_in(path, sizeof(path), "", "v1.db"), &db), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_prepare_v2(db,
                                     "SELECT customer_id FROM credentials ORDER BY created, rowid",
                                     -1, &q, NULL),
                  SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    ASSERT_EQ_STR((const char *)sqlite3_column_text(q, 0), "c2");
    sqlite3_finalize(q);
    ASSERT_EQ_INT(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    ASSERT_EQ_INT(sqlite3_column_int(q, 0), STORE_SQLITE_SCHEMA_VERSION);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

int
main(void)
{
    if (fixture_begin("store-console") < 0)
        return 1;
    RUN(test_migration_from_v1);
    return harness_done();
}
