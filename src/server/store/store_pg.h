/* SPDX-License-Identifier: MIT */
/*
 * store_pg.h: extras of the PostgreSQL backend (store_pg_ops is declared in store.h).
 */
#ifndef RA_SERVER_STORE_STORE_PG_H
#define RA_SERVER_STORE_STORE_PG_H

/* Current schema version: the number of migrations in store_pg_schema.c, recorded in the
 * table schema_version. */
#define STORE_PG_SCHEMA_VERSION 2

/* The feed triggers NOTIFY this channel (feed_wait LISTENs on it). */
#define STORE_PG_FEED_CHANNEL "restauth_feed"

#endif
