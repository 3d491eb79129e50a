/* SPDX-License-Identifier: MIT */
/*
 * cred_json.h: a credential pair as JSON, for the REST API (GET /dev/v1/credentials), the
 * console's API and `restauthd secret list --json`. Never a secret: the store has none.
 */
#ifndef RA_SERVER_HANDLERS_CRED_JSON_H
#define RA_SERVER_HANDLERS_CRED_JSON_H

#include "app.h"
#include "common/buf.h"
#include "service/creds.h"

enum cred_json_style {
    /* {"customer_id","status","created_at","expires_at","last_used_at","usage"} */
    CRED_JSON_REST,
    /* the REST fields, plus "created" and "last_used" (0 = never), "issued" (bool) and
     * "tripwire", in the console's order */
    CRED_JSON_FULL,
};

/*
 * Append the object of pair c at `now` to b. `usage` holds the account's daily counts
 * (creds_usage_load); the object's "usage" is {"days":[USAGE_DAYS counts, oldest first, the
 * last is today UTC],"first_day":"YYYY-MM-DD","total":N}. Times are unix seconds, null for
 * never. Returns 0 or -ENOMEM (b failed).
 */
int cred_json_write(struct ra_buf *b, const struct app *app, const struct store_cred *c,
                    const struct creds_usage *usage, int64_t now, enum cred_json_style style);

/* Append the JSON array of every pair of the account, ordered by creation, to b. 0, -ENOMEM
 * or the store's error. */
int cred_json_list(struct ra_buf *b, const struct app *app, int64_t account_id, int64_t now,
                   enum cred_json_style style);

#endif
