/* SPDX-License-Identifier: MIT */
/*
 * ra_project.h: typed calls for every project endpoint of the Console RESTful API.
 *
 * Part of librestauth's public API; include <restauth/restauth.h> rather than this file.
 *
 * Ownership: a call that succeeds hands the caller a newly allocated result, released with
 * ra_project_free() or ra_projects_free(); on failure the output is set to NULL. Every string
 * in a result belongs to the result. An output pointer may be NULL when the caller does not
 * want the result. Every call needs credentials (RA_ENOCRED otherwise) and follows the
 * handle's retry policy; ids and names are sent as given (they are JSON- or URL-escaped).
 */
#ifndef RESTAUTH_RA_PROJECT_H
#define RESTAUTH_RA_PROJECT_H

#include "ra_client.h"
#include "ra_error.h"
#include "ra_version.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One project, as the API returns it. */
struct ra_project {
    char *id;               /* the project ID (an opaque string) */
    char *name;             /* 1-255 characters */
    char *vendor_key;       /* the App ID (32 hex) */
    char *sign_key;         /* the primary App Certificate; "" when it is disabled */
    char *recording_server; /* "ip:port" of the on-premise recording server, NULL when unset */
    int status;             /* 1 enabled, 0 disabled */
    long long created;      /* creation time, Unix seconds */
};

/* A list of projects. */
struct ra_projects {
    size_t count;
    struct ra_project *items; /* count entries; NULL when count is 0 */
};

/** Release a project returned by this API (and its strings). Accepts NULL. */
RA_EXTERN void ra_project_free(struct ra_project *p);

/** Release a list returned by this API (and every project in it). Accepts NULL. */
RA_EXTERN void ra_projects_free(struct ra_projects *list);

/**
 * POST /dev/v1/project: create project `name`, with the primary certificate when
 * `enable_sign_key`. Not safe to repeat (see enum ra_unsafe_retry). RA_EREQUEST for a
 * duplicate name or the quota.
 */
RA_EXTERN enum ra_err ra_project_create(struct ra_client *c, const char *name, bool enable_sign_key,
                                        struct ra_project **out);

/**
 * GET /dev/v1/project?id=&name=: the project with this id and/or name (either may be NULL,
 * not both). RA_ENOTFOUND when nothing matches.
 */
RA_EXTERN enum ra_err ra_project_get(struct ra_client *c, const char *id, const char *name,
                                     struct ra_projects **out);

/** GET /dev/v1/projects: every project of the account, disabled ones included. */
RA_EXTERN enum ra_err ra_project_list(struct ra_client *c, struct ra_projects **out);

/** POST /dev/v1/project_status: enable (status 1) or disable (status 0) a project. */
RA_EXTERN enum ra_err ra_project_set_status(struct ra_client *c, const char *id, bool enabled,
                                            struct ra_project **out);

/** POST /dev/v1/recording_config: set the recording server "ip:port" of a project. */
RA_EXTERN enum ra_err ra_project_set_recording_server(struct ra_client *c, const char *id,
                                                      const char *recording_server,
                                                      struct ra_project **out);

/** POST /dev/v1/signkey: enable or disable the primary App Certificate. */
RA_EXTERN enum ra_err ra_project_set_sign_key(struct ra_client *c, const char *id, bool enable,
                                              struct ra_project **out);

/**
 * POST /dev/v1/reset_signkey: replace the primary App Certificate (enabling it if it was
 * off). Not safe to repeat: a repeat would replace the certificate again.
 */
RA_EXTERN enum ra_err ra_project_reset_sign_key(struct ra_client *c, const char *id,
                                                struct ra_project **out);

/**
 * DELETE /dev/v1/project (the legacy endpoint): delete a project. Not safe to repeat: a
 * repeat of a delete that succeeded answers 404.
 */
RA_EXTERN enum ra_err ra_project_delete(struct ra_client *c, const char *id);

#ifdef __cplusplus
}
#endif

#endif
