/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite.h: extras of the SQLite backend (store_sqlite_ops is declared in store.h).
 *
 * The public part is store_sqlite_data_version(), also reachable generically as
 * store_sqlite_ops.changes. The rest is shared only by store_sqlite.c and
 * store_sqlite_schema.c (which opens the connection and migrates the schema).
 */
#ifndef RA_SERVER_STORE_STORE_SQLITE_H
#define RA_SERVER_STORE_STORE_SQLITE_H

#include <stdint.h>

struct sqlite3;

/* Current schema version: the number of migrations in store_sqlite_schema.c. */
#define STORE_SQLITE_SCHEMA_VERSION 4

/*
 * Store into *out the value of `PRAGMA data_version` of the backend handle `priv` (as returned
 * by store_sqlite_ops.open). The value changes when another connection or process has committed
 * to the database since the previous call; commits made through `priv` itself do not change it.
 * Thread-safe. Returns 0, -EINVAL or -EIO.
 */
int store_sqlite_data_version(void *priv, int64_t *out);

/* Log the last error of `db` ("restauthd: store: WHAT: message") and return -EIO. SQLite's
 * messages name tables and columns, never the values involved. */
int store_sqlite_error(struct sqlite3 *db, const char *what);

/*
 * Open the database file at `path` (creating it, mode 0600, if missing; its directory must
 * exist), apply the connection settings (busy timeout 5 s, foreign keys, synchronous=FULL,
 * WAL journal) and bring the schema up to STORE_SQLITE_SCHEMA_VERSION, one migration per
 * transaction, safely against other processes migrating at the same time. A database newer
 * than this program is refused. On success *db is the open connection (extended result codes
 * on). Returns 0, -EINVAL (no such directory), -ENOMEM or -EIO (logged).
 */
int store_sqlite_connect(const char *path, struct sqlite3 **db);

#endif
