/* SPDX-License-Identifier: MIT */
/*
 * decode.h: turning response bodies into the public structs, and error bodies into text.
 *
 * Decoders are strict about types and tolerant about the variants the API has shipped:
 * `project` as an object or a one-element array, `projects` or `project` for the list of
 * GET /dev/v1/project, `sign_key` null or absent (read as ""), `recording_server` absent
 * (read as NULL). A string with an embedded NUL is rejected.
 */
#ifndef RA_CLIENT_DECODE_H
#define RA_CLIENT_DECODE_H

#include "restauth/ra_project.h"

#include <stddef.h>

/*
 * Decode {"project":{...}}. On success *out is a new project (ra_project_free). Returns
 * RA_OK, RA_EPROTOCOL (with the reason in why) or RA_ENOMEM.
 */
enum ra_err ra__decode_project(const char *body, size_t len, struct ra_project **out, char *why,
                               size_t whylen);

/* Decode {"projects":[...]} (or {"project":[...]}) into a new list (ra_projects_free). */
enum ra_err ra__decode_projects(const char *body, size_t len, struct ra_projects **out, char *why,
                                size_t whylen);

/* Check the legacy success body {"success":true}. */
enum ra_err ra__decode_success(const char *body, size_t len, char *why, size_t whylen);

/*
 * The server's explanation in an error body: `message`, else `error_msg`, else "" (also for
 * a body that is not JSON), copied into out with control characters replaced.
 */
void ra__error_text(const char *body, size_t len, char *out, size_t outlen);

#endif
