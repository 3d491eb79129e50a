/* SPDX-License-Identifier: MIT */
/*
 * admin.h: the administration commands of restauthd (init, account, secret, cluster).
 * Each returns a process exit code: 0 ok, 1 failure, 2 usage.
 */
#ifndef RA_SERVER_ADMIN_H
#define RA_SERVER_ADMIN_H

#include "config.h"

int admin_init(const struct config *cfg);
int admin_account(const struct config *cfg, int argc, char **argv);
int admin_secret(const struct config *cfg, int argc, char **argv);
/* cluster status: the nodes with their applied feed row, lag and last heartbeat. */
int admin_cluster(const struct config *cfg, int argc, char **argv);

/* Open the store named by cfg and load the server key; prints why on failure. */
struct store;
int admin_open(const struct config *cfg, struct store *st, unsigned char *key);

#endif
