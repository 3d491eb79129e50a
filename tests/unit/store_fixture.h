/* SPDX-License-Identifier: MIT */
/*
 * store_fixture.h: the set-up shared by the unit tests that open SQLite stores. Each test
 * program gets one temporary directory, removed when the program exits; store files are named
 * within it, and accounts and credentials are added with their results checked.
 *
 * Include it after the harness (it defines `tmpdir` and includes tmpdir.h). Usage:
 *   static void test_x(void) { struct store st; if (open_store(&st, "x.db") != 0) return; ... }
 *   int main(void) { if (fixture_begin("NAME") < 0) return 1; RUN(test_x); return harness_done(); }
 */
#ifndef RA_TESTS_STORE_FIXTURE_H
#define RA_TESTS_STORE_FIXTURE_H

#include "store/store.h"

#include "harness.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "/tmp/ra-test-NAME-XXXXXX" once fixture_begin() has made the directory. */
static char tmpdir[96];
#include "tmpdir.h"

/* Creation time of the accounts and credentials that the helpers below add. */
#define FIXTURE_CREATED 1000

/* The process that made the directory: forked children must not remove it at their exit. */
static pid_t fixture_owner;

/* At exit: remove the directory and its files. A directory that cannot be removed (a test
 * left something behind) turns the exit status into 1, after flushing what was printed. */
static inline void
fixture_cleanup(void)
{
    if (getpid() != fixture_owner)
        return;
    int before = harness_failures;
    tmpdir_remove();
    if (harness_failures != before) {
        fflush(NULL);
        _exit(1);
    }
}

/* Make this program's directory "/tmp/ra-test-NAME-XXXXXX" and have it removed at exit.
 * Call it first in main(); 0, or -1 after printing why. */
static inline int
fixture_begin(const char *name)
{
    int n = snprintf(tmpdir, sizeof(tmpdir), "/tmp/ra-test-%s-XXXXXX", name);
    if (n < 0 || (size_t)n >= sizeof(tmpdir)) {
        fprintf(stderr, "fixture name too long: %s\n", name);
        return -1;
    }
    if (tmpdir_make() < 0)
        return -1;
    fixture_owner = getpid();
    if (atexit(fixture_cleanup) != 0) {
        tmpdir_remove();
        return -1;
    }
    return 0;
}

/* Fill buf with the store URL "sqlite:<tmpdir>/NAME" and return it. */
static inline const char *
store_url(char *buf, size_t n, const char *name)
{
    return path_in(buf, n, "sqlite:", name);
}

/* Fill buf with the file path "<tmpdir>/NAME" (for raw SQLite connections) and return it. */
static inline const char *
store_path(char *buf, size_t n, const char *name)
{
    return path_in(buf, n, "", name);
}

/* Open the store file NAME of the directory (made and migrated if new); 0, or the error of
 * store_open(), which is a test failure. */
static inline int
open_store(struct store *st, const char *name)
{
    char url[PATH_MAX];
    int rc = store_open(store_url(url, sizeof(url), name), st);
    ASSERT_EQ_INT(rc, 0);
    return rc;
}

/* Add the account NAME, created at FIXTURE_CREATED, and return it in *a; 0, or the store's
 * error, which is a test failure (then a->id is 0). */
static inline int
new_account(struct store *st, const char *name, struct store_account *a)
{
    memset(a, 0, sizeof(*a));
    int rc = st->ops->account_add(st->priv, name, FIXTURE_CREATED, a);
    ASSERT_EQ_INT(rc, 0);
    return rc;
}

/* Add the account NAME as new_account() does; returns its id (0 on failure). */
static inline int64_t
add_account(struct store *st, const char *name)
{
    struct store_account a;
    new_account(st, name, &a);
    return a.id;
}

/* Fill *c as the active (status 1), not pending pair ID of ACCOUNT created at CREATED, with
 * an all-zero hash and never used. */
static inline void
cred_init(struct store_cred *c, const char *id, int64_t account, int64_t created)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->customer_id, sizeof(c->customer_id), "%s", id);
    c->account_id = account;
    c->created = created;
    c->status = 1;
}

/* Add the pair ID of ACCOUNT with STATUS and the known stored hash HASH (STORE_HASH_LEN
 * bytes), created at FIXTURE_CREATED, outside any quota; 0, or the store's error, which is a
 * test failure. */
static inline int
add_cred(struct store *st, const char *id, int64_t account, int status, const unsigned char *hash)
{
    struct store_cred c;
    cred_init(&c, id, account, FIXTURE_CREATED);
    c.status = status;
    memcpy(c.hash, hash, STORE_HASH_LEN);
    int rc = st->ops->cred_add(st->priv, &c, -1);
    ASSERT_EQ_INT(rc, 0);
    return rc;
}

#endif
