/* SPDX-License-Identifier: MIT */
/*
 * store_suite.h: the store test suite (the test_store program), which runs the same tests
 * on every backend through store.h alone:
 *
 *   test_store sqlite:         a fresh SQLite file per test, in a temporary directory
 *   test_store URI             PostgreSQL: a fresh database per test, made through URI (a
 *                              connection URI whose user may create databases)
 *   test_store @FILE           the URI is the first line of FILE (tests/pg/pg-server.sh
 *                              writes DIR/uri); the PostgreSQL-only tests may then stop and
 *                              start that server with $RA_TEST_PG_SERVER halt|resume DIR
 *
 * The program is made of test_store.c (main; accounts, credentials, projects),
 * store_suite_console.c, store_suite_feed.c, store_suite_life.c, store_suite_pg.c and store_suite.c (the
 * databases and the forked children). Each file has its own harness counters (harness.h
 * keeps them per file) and hands them to main at the end.
 */
#ifndef RA_TESTS_STORE_SUITE_H
#define RA_TESTS_STORE_SUITE_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read the backend from the command line (see above) and make the temporary directory;
 * 0, or -1 after printing why. Call it first in main. */
int suite_begin(int argc, char **argv);

/* Drop the PostgreSQL databases of this run (not at exit: libpq's TLS library may be gone
 * by then). Call it last in main. */
void suite_end(void);

/* True when the suite runs on PostgreSQL. */
bool suite_is_pg(void);

/* Fill buf with the URL of the database NAME of this run and return it; the database is
 * made on first use (PostgreSQL) and dropped by suite_end(). Thread-safe. A forked child may only
 * name databases its parent named before the fork. */
const char *suite_url(char *buf, size_t n, const char *name);

/* Open the database NAME; 0, or store_open's error, which is a test failure. */
int suite_open(struct store *st, const char *name);

/* PostgreSQL only: the URI given to the program, and the server's directory ("" when the
 * URI did not come from a file). */
const char *suite_pg_uri(void);
const char *suite_pg_dir(void);

/* Fork a child that runs fn(arg, i) and _exits with its return value (0..255). Returns the
 * child's pid, or -1. A child calls suite_child_ready() once it is set up (its store open):
 * that waits until the parent calls suite_children_go(), so the children start together. */
pid_t suite_fork(int (*fn)(void *arg, int i), void *arg, int i);
void suite_child_ready(void);
void suite_children_go(void);
/* Wait for the child; its exit status, or -1 if it did not exit normally. */
int suite_wait(pid_t pid);
/* n zeroed bytes shared with the children forked afterwards (never freed). */
void *suite_shared(size_t n);

/* The tests of the other files; each adds its counts to *checks and *failures. */
void suite_console(int *checks, int *failures);
void suite_feed(int *checks, int *failures);
void suite_life(int *checks, int *failures);
void suite_pg(int *checks, int *failures);

#endif
