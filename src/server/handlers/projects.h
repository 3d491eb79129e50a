/* SPDX-License-Identifier: MIT */
/*
 * projects.h: the project endpoints of the Console REST API, including the legacy delete
 * (docs/contract.md), over the store interface. Each handler runs for an admitted request:
 * req->acct is the caller's account and req->json its body.
 */
#ifndef RA_SERVER_HANDLERS_PROJECTS_H
#define RA_SERVER_HANDLERS_PROJECTS_H

#include "request/request.h"

#include <stdbool.h>

struct app;

void projects_create(struct request *req);        /* POST /dev/v1/project */
void projects_get(struct request *req);           /* GET /dev/v1/project?id=&name= */
void projects_list(struct request *req);          /* GET /dev/v1/projects */
void projects_status(struct request *req);        /* POST /dev/v1/project_status */
void projects_recording(struct request *req);     /* POST /dev/v1/recording_config */
void projects_signkey(struct request *req);       /* POST /dev/v1/signkey */
void projects_reset_signkey(struct request *req); /* POST /dev/v1/reset_signkey */
void projects_delete_legacy(struct request *req); /* DELETE /dev/v1/project */

/*
 * Create a project for an account (shared by the REST API, the demo seeding and the console).
 * Returns 0 and fills *p, or -EEXIST (duplicate name), -EDQUOT (quota), -EINVAL (bad name) or
 * another store error.
 */
int projects_add(const struct app *app, int64_t account_id, const char *name, bool enable_sign_key,
                 struct store_project *p);

/* Validate a project name: 1-255 UTF-8 characters, no control characters. */
bool projects_name_ok(const char *name, size_t len);

#endif
