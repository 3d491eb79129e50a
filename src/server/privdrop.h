/* SPDX-License-Identifier: MIT */
/*
 * privdrop.h: serve --user: leaving root once everything that needs it is open (the listening
 * socket, the server key, the TLS pair, the store and the access log).
 */
#ifndef RA_SERVER_PRIVDROP_H
#define RA_SERVER_PRIVDROP_H

#include "config.h"

/*
 * Become user `name`: its supplementary groups (initgroups), its group, then its user id,
 * and check that root cannot be regained. When the process does not run as root and already
 * is that user, nothing is done. 0, or a negative code after logging why (the process must
 * then stop: it may have changed some of its ids).
 */
int privdrop_switch(const char *name);

/*
 * After a switch: check that an SQLite store (cfg->store) and its folder are writable, since
 * SQLite writes its -wal and -shm files next to the database. 0, or -EACCES after logging
 * what to change. Other stores: 0.
 */
int privdrop_check_store(const struct config *cfg);

#endif
