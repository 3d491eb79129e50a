/* SPDX-License-Identifier: MIT */
/*
 * projects.h: the Console REST API's project endpoints (agora-console-api.md sections 3.1 to
 * 3.7 and the legacy delete of 3.9), over the store interface.
 */
#ifndef RA_SERVER_HANDLERS_PROJECTS_H
#define RA_SERVER_HANDLERS_PROJECTS_H

#include "acct.h"
#include "app.h"
#include "http/reply.h"
#include "router.h"

#include <jansson.h>

struct handler_ctx {
    const struct app *app;
    struct acct *acct; /* the authenticated account */
    json_t *body;      /* the request's JSON object, or NULL for GET */
    const char *q_id;  /* query parameters, NULL when absent */
    const char *q_name;
};

/* Run the handler of `route` and fill `out`. Never fails without a reply. */
void projects_handle(enum route route, struct handler_ctx *ctx, struct reply *out);

/*
 * Create a project for an account (shared by the REST API, the demo seeding and the console).
 * Returns 0 and fills *p, or -EEXIST (duplicate name), -EDQUOT (quota), -EINVAL (bad name) or
 * another store error.
 */
int projects_create(const struct app *app, int64_t account_id, const char *name,
                    bool enable_sign_key, struct store_project *p);

/* Validate a project name: 1-255 UTF-8 characters, no control characters. */
bool projects_name_ok(const char *name, size_t len);

#endif
