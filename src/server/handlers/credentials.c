/* SPDX-License-Identifier: MIT */
/*
 * credentials.c: GET /dev/v1/credentials, the caller's pairs with their status, expiry, last
 * use and the daily request counts of the last 30 days (handlers/cred_json.c).
 */
#include "handlers/credentials.h"

#include "app.h"
#include "common/buf.h"
#include "handlers/cred_json.h"

#include <errno.h>

void
credentials_list(struct request *req)
{
    const struct app *app = req->app;
    struct ra_buf b;
    ra_buf_init(&b, 1024 * 1024);
    ra_buf_puts(&b, "{\"credentials\":");
    int rc = cred_json_list(&b, app, req->account_id, app_now_s(app), CRED_JSON_REST);
    ra_buf_putc(&b, '}');
    if (rc < 0 || b.failed) {
        ra_buf_cleanup(&b);
        if (rc == -ENOTCONN)
            reply_unavailable(&req->reply);
        else
            reply_message(&req->reply, 500, "An unexpected error occurred");
        return;
    }
    size_t len = 0;
    char *body = ra_buf_steal(&b, &len);
    reply_json(&req->reply, 200, body, len);
}
