/* SPDX-License-Identifier: MIT */
/*
 * restauth.h: librestauth, a C client for Agora's Console RESTful API and for restauthd.
 *
 * The one header applications include. Typical use:
 *
 *     ra_global_init();
 *     struct ra_client *c;
 *     if (ra_client_new(&c) == RA_OK && ra_client_load_env(c) == RA_OK &&
 *         ra_client_load_credentials_env(c) == RA_OK) {
 *         struct ra_projects *list;
 *         if (ra_project_list(c, &list) == RA_OK)
 *             ...use list->items[0 .. list->count)...; ra_projects_free(list);
 *         else
 *             fprintf(stderr, "%s\n", ra_client_errmsg(c));
 *     }
 *     ra_client_free(c);
 *     ra_global_cleanup();
 *
 * Link with `pkg-config --libs restauth`. See librestauth(3).
 */
#ifndef RESTAUTH_RESTAUTH_H
#define RESTAUTH_RESTAUTH_H

#include "ra_version.h"
#include "ra_error.h"
#include "ra_client.h"
#include "ra_project.h"
#include "ra_credential.h"

#endif
