/* SPDX-License-Identifier: MIT */
/*
 * test_store_sqlite.c: what only the SQLite backend has: its store URLs and file modes, its
 * migrations (PRAGMA user_version, the WAL journal) and PRAGMA data_version (ops.changes), on
 * throwaway database files in a temporary directory (removed at the end). The behaviour every
 * backend shares is tested by test_store.c, on SQLite and on PostgreSQL.
 */
#include "store/store.h"
#include "store/store_sqlite.h"

#include "harness.h"
#include "store_fixture.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Evaluate a one-integer query on the file NAME through a raw SQLite connection. */
static int64_t
raw_int(const char *name, const char *sql)
{
    char path[PATH_MAX];
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    int64_t v = INT64_MIN;
    store_path(path, sizeof(path), name);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static bool
file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void
test_url(void)
{
    struct store st;
    char url[PATH_MAX], path[PATH_MAX], cwd[PATH_MAX];
    struct stat sb;

    ASSERT_EQ_INT(store_open(path_in(url, sizeof(url), "sqlite:", "u1.db"), &st), 0);
    ASSERT_TRUE(st.ops == &store_sqlite_ops);
    store_close(&st);
    store_close(&st); /* closing twice is harmless */
    ASSERT_TRUE(stat(path_in(path, sizeof(path), "", "u1.db"), &sb) == 0);
    ASSERT_EQ_INT(sb.st_mode & 0777, 0600);

    ASSERT_EQ_INT(store_open(path_in(url, sizeof(url), "sqlite://", "u2.db"), &st), 0);
    store_close(&st);
    ASSERT_TRUE(file_exists(path_in(path, sizeof(path), "", "u2.db")));
    ASSERT_EQ_INT(store_open(path_in(url, sizeof(url), "SQLite:", "u2.db"), &st), 0);
    store_close(&st);

    ASSERT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL);
    ASSERT_EQ_INT(chdir(tmpdir), 0);
    ASSERT_EQ_INT(store_open("sqlite:rel1.db", &st), 0);
    store_close(&st);
    ASSERT_EQ_INT(store_open("sqlite://rel2.db", &st), 0);
    store_close(&st);
    ASSERT_TRUE(file_exists("rel1.db") && file_exists("rel2.db"));
    ASSERT_EQ_INT(chdir(cwd), 0);

    const char *bad[] = {"", "sqlite", "sqlite:", "sqlite://", "nosuch:/tmp/x.db", ":x.db"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        st.ops = &store_sqlite_ops;
        ASSERT_EQ_INT(store_open(bad[i], &st), -EINVAL);
        ASSERT_TRUE(st.ops == NULL && st.priv == NULL);
    }
    ASSERT_EQ_INT(store_open(NULL, &st), -EINVAL);
    ASSERT_EQ_INT(store_open(path_in(url, sizeof(url), "sqlite:", "nodir/x.db"), &st), -EINVAL);
}

static void
test_migrations(void)
{
    struct store st;
    struct store_account a;
    char path[PATH_MAX];

    if (open_store(&st, "m.db") != 0)
        return;
    ASSERT_EQ_INT(st.ops->account_add(st.priv, "kept", 10, &a), 0);
    store_close(&st);
    if (open_store(&st, "m.db") != 0) /* second open: nothing to migrate, data intact */
        return;
    ASSERT_EQ_INT(st.ops->account_by_name(st.priv, "kept", &a), 0);
    store_close(&st);

    ASSERT_EQ_INT(raw_int("m.db", "PRAGMA user_version"), STORE_SQLITE_SCHEMA_VERSION);
    ASSERT_EQ_INT(raw_int("m.db", "SELECT count(*) FROM sqlite_master WHERE name IN"
                                  " ('accounts', 'credentials', 'projects', 'projects_live_name')"),
                  4);
    ASSERT_EQ_INT(raw_int("m.db", "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);

    /* A database from a newer program is refused. */
    if (open_store(&st, "newer.db") != 0)
        return;
    store_close(&st);
    ASSERT_EQ_INT(raw_int("newer.db", "PRAGMA user_version = 99"), INT64_MIN);
    ASSERT_EQ_INT(raw_int("newer.db", "PRAGMA user_version"), 99);
    ASSERT_EQ_INT(store_open(path_in(path, sizeof(path), "sqlite:", "newer.db"), &st), -EIO);
    ASSERT_TRUE(st.ops == NULL);
}

static void
test_data_version(void)
{
    struct store s1, s2;
    struct store_account a;
    int64_t v1 = 0, v2 = 0, v3 = 0, v4 = 0, raw = 0;

    if (open_store(&s1, "dv.db") != 0)
        return;
    if (open_store(&s2, "dv.db") != 0) {
        store_close(&s1);
        return;
    }
    ASSERT_TRUE(s1.ops->changes != NULL);
    ASSERT_EQ_INT(s1.ops->changes(s1.priv, &v1), 0);
    ASSERT_EQ_INT(s2.ops->account_add(s2.priv, "other-process", 5, &a), 0);
    ASSERT_EQ_INT(s1.ops->changes(s1.priv, &v2), 0);
    ASSERT_TRUE(v2 != v1);
    ASSERT_EQ_INT(s1.ops->changes(s1.priv, &v3), 0);
    ASSERT_EQ_INT(v3, v2); /* nothing new */
    ASSERT_EQ_INT(s1.ops->account_add(s1.priv, "self", 5, &a), 0);
    ASSERT_EQ_INT(s1.ops->changes(s1.priv, &v4), 0);
    ASSERT_EQ_INT(v4, v3); /* own commits do not count */
    ASSERT_EQ_INT(store_sqlite_data_version(s1.priv, &raw), 0);
    ASSERT_EQ_INT(raw, v4);
    ASSERT_EQ_INT(s2.ops->account_by_name(s2.priv, "self", &a), 0);
    store_close(&s2);
    store_close(&s1);
}

/* Messages name a store without its user, password or parameters. */
static void
test_describe(void)
{
    char buf[128];
    ASSERT_EQ_STR(
        store_describe("postgresql://u:pw@db.example:5432/ra?sslmode=disable", buf, sizeof(buf)),
        "postgresql://db.example:5432/ra");
    ASSERT_EQ_STR(store_describe("postgres://u@h/d", buf, sizeof(buf)), "postgres://h/d");
    ASSERT_EQ_STR(store_describe("postgresql://h:1/d#x", buf, sizeof(buf)), "postgresql://h:1/d");
    ASSERT_EQ_STR(store_describe("sqlite:var/restauth.db", buf, sizeof(buf)),
                  "sqlite:var/restauth.db");
    ASSERT_TRUE(strstr(store_describe("postgresql://a:secret@h/d", buf, sizeof(buf)), "secret") ==
                NULL);
    ASSERT_EQ_STR(store_describe("weird", buf, sizeof(buf)), "(a store)");
    ASSERT_EQ_STR(store_describe(NULL, buf, sizeof(buf)), "(a store)");
}

int
main(void)
{
    if (fixture_begin("store") < 0)
        return 1;
    RUN(test_describe);
    RUN(test_url);
    RUN(test_migrations);
    RUN(test_data_version);
    return harness_done();
}
