/* SPDX-License-Identifier: MIT */
/*
 * app.h: what a request handler can reach: the settings, the store and the credential table.
 */
#ifndef RA_SERVER_APP_H
#define RA_SERVER_APP_H

#include "auth/credtab.h"
#include "config.h"
#include "store/store.h"

struct app {
    const struct config *cfg;
    struct store *store;
    struct credtab *creds;
};

#endif
