/* SPDX-License-Identifier: MIT */
/*
 * admin.h: the administration commands of restauthd (init, account, secret, cluster).
 * Each returns a process exit code: 0 ok, 1 failure, 2 usage.
 */
#ifndef RA_SERVER_ADMIN_H
#define RA_SERVER_ADMIN_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

int admin_init(const struct config *cfg);
int admin_account(const struct config *cfg, int argc, char **argv);
/* secret add|list|delete|disable|enable|expire|roll (admin_secret.c) */
int admin_secret(const struct config *cfg, int argc, char **argv);
/* audit list: the audit log as JSON lines, newest first (admin_secret.c) */
int admin_audit(const struct config *cfg, int argc, char **argv);
/* cluster status: the nodes with their applied feed row, lag and last heartbeat. */
int admin_cluster(const struct config *cfg, int argc, char **argv);

/* Open the store named by cfg and load the server key; prints why on failure. */
struct store;
int admin_open(const struct config *cfg, struct store *st, unsigned char *key);

/* Shared by the admin files. */
struct app;
struct store_account;
/* Open the store and an admin app over it (the server key is wiped once hashed into it).
 * 0, or a negative code after printing why. */
int admin_app_open(const struct config *cfg, struct store *st, struct app *app);
void admin_app_close(struct app *app);
/* ISO-8601 UTC into buf, or "never" for 0. */
void admin_format_time(int64_t t, char *buf, size_t len);
/* Create a pair for the account (with cfg's --expires-in/--expires-at and --tripwire) and
 * hand its secret out once: into `out` (created exclusively, mode 0600, before the pair is
 * stored, and removed again if storing fails) or on stdout. 0 or a negative code, printed. */
int admin_create_pair(const struct app *app, const struct store_account *acc, const char *out);

#endif
