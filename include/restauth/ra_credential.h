/* SPDX-License-Identifier: MIT */
/*
 * ra_credential.h: the caller's own credential pairs (GET /dev/v1/credentials): status,
 * expiry, last use and the request counts of the last 30 days. Never a secret.
 *
 * Part of librestauth's public API; include <restauth/restauth.h> rather than this file.
 * A call that succeeds hands the caller a new list, released with ra_credentials_free(); on
 * failure the output is set to NULL.
 */
#ifndef RESTAUTH_RA_CREDENTIAL_H
#define RESTAUTH_RA_CREDENTIAL_H

#include "ra_client.h"
#include "ra_error.h"
#include "ra_version.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RA_USAGE_DAYS 30

/* One pair of the caller's account. */
struct ra_credential {
    char *customer_id;      /* 32 hex */
    char *status;           /* "pending", "active", "disabled", "expired" or "tripwire" */
    long long created_at;   /* Unix seconds */
    long long expires_at;   /* Unix seconds; 0 = never */
    long long last_used_at; /* Unix seconds; 0 = never */
    long long usage_days[RA_USAGE_DAYS]; /* requests per UTC day, oldest first, today last */
    char *usage_first_day;               /* "YYYY-MM-DD", the day of usage_days[0] */
    long long usage_total;
};

struct ra_credentials {
    size_t count;
    struct ra_credential *items; /* count entries; NULL when count is 0 */
};

/** Release a list returned by ra_credential_list() (and its strings). Accepts NULL. */
RA_EXTERN void ra_credentials_free(struct ra_credentials *list);

/** GET /dev/v1/credentials: every pair of the caller's account, in creation order. */
RA_EXTERN enum ra_err ra_credential_list(struct ra_client *c, struct ra_credentials **out);

#ifdef __cplusplus
}
#endif

#endif
