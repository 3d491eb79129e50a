/* SPDX-License-Identifier: MIT */
/*
 * api_creds.c: the console's calls of the credential lifecycle (disable, enable, expiry,
 * roll), through the credential service as the CLI's, and its view of the audit log. The
 * console offers no force: a change the last-pair rules refuse is 409 with the service's
 * sentence. A rolled pair is pending: its secret leaves once, through the download call.
 */
#include "console/api.h"

#include "app.h"
#include "common/buf.h"
#include "common/jsonw.h"
#include "console/console.h"
#include "handlers/audit_req.h"
#include "service/creds.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The optional string member `name` of the body: *out is NULL when absent; -1 (400 replied)
 * when present but not a string. */
static int
body_string(struct request *req, const char *name, const char **out)
{
    json_t *v = req->json != NULL ? json_object_get(req->json, name) : NULL;
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        console_fail(&req->reply, 400, "The expiry is not valid.");
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int
api_expiry(struct request *req, bool allow_never, int64_t *at)
{
    const char *in = NULL, *when = NULL;
    json_t *never = req->json != NULL ? json_object_get(req->json, "never") : NULL;
    *at = 0;
    if (body_string(req, "expires_in", &in) < 0 || body_string(req, "expires_at", &when) < 0)
        return -1;
    bool is_never = allow_never && never != NULL && json_is_true(never);
    int64_t d = 0;
    bool bad = (in != NULL) + (when != NULL) + is_never > 1 ||
               (never != NULL && !(allow_never && json_is_boolean(never))) ||
               (in != NULL && creds_parse_duration(in, &d) < 0) ||
               (when != NULL && creds_parse_time(when, at) < 0);
    if (bad) {
        console_fail(&req->reply, 400,
                     "The expiry is not valid: give expires_in as a number followed by d, h or "
                     "m (90d), or expires_at as an RFC 3339 time (2030-01-31T00:00:00Z).");
        return -1;
    }
    if (in != NULL)
        *at = app_now_s(req->app) + d;
    return in != NULL || when != NULL || is_never ? 0 : 1;
}

/* Reply to a lifecycle call: the pair as changed, or the refusal (404, else 409). */
static void
reply_changed(struct request *req, int rc, const struct store_cred *c)
{
    if (rc < 0)
        api_reply_refusal(req, rc == -ENOENT ? 404 : 409, rc);
    else
        api_reply_cred(req, 200, c, NULL);
}

/* disable / enable {"customer_id"} */
static void
set_enabled(struct request *req, bool enabled)
{
    const char *id = request_json_string(req, "customer_id");
    struct request_who w;
    struct store_cred c;
    int rc =
        creds_set_enabled(req->app, req->account_id, id, enabled, false, request_who(req, &w), &c);
    reply_changed(req, rc, &c);
}

void
api_creds_disable(struct request *req)
{
    set_enabled(req, false);
}

void
api_creds_enable(struct request *req)
{
    set_enabled(req, true);
}

void
api_creds_expire(struct request *req)
{
    const char *id = request_json_string(req, "customer_id");
    int64_t at = 0;
    int given = api_expiry(req, true, &at);
    if (given < 0)
        return;
    if (given == 1) {
        console_fail(&req->reply, 400, "Give one of expires_in, expires_at or never.");
        return;
    }
    struct request_who w;
    struct store_cred c;
    int rc = creds_set_expiry(req->app, req->account_id, id, at, false, request_who(req, &w), &c);
    reply_changed(req, rc, &c);
}

void
api_creds_roll(struct request *req)
{
    const char *id = request_json_string(req, "customer_id");
    const char *overlap = request_json_string(req, "overlap");
    int64_t secs = 0;
    if (overlap == NULL || creds_parse_duration(overlap, &secs) < 0) {
        console_fail(&req->reply, 400,
                     "overlap must be 0 or a number followed by d, h or m (24h).");
        return;
    }
    struct request_who w;
    struct store_cred fresh, old;
    creds_pending_template(req->account_id, app_now_s(req->app), &fresh);
    int rc = creds_roll(req->app, id, secs, &fresh, request_who(req, &w), &old);
    if (rc < 0)
        api_reply_refusal(req, rc == -ENOENT ? 404 : 409, rc);
    else
        api_reply_cred(req, 201, &fresh, &old);
}

struct audit_page {
    struct ra_buf b;
    size_t n, max;
    bool more;    /* an entry beyond max exists */
    int64_t last; /* the id of the last entry written */
};

/* store_audit_fn: append one entry, up to max; one more only tells that there is a next. */
static int
page_entry(void *arg, const struct store_audit *a)
{
    struct audit_page *p = arg;
    struct ra_buf *b = &p->b;
    if (p->n == p->max) {
        p->more = true;
        return 0;
    }
    ra_buf_printf(b, "%s{\"id\":%lld,\"time\":%lld,", p->n++ > 0 ? "," : "", (long long)a->id,
                  (long long)a->time);
    ra_jsonw_key(b, "actor");
    ra_jsonw_str(b, a->actor, strlen(a->actor));
    ra_buf_putc(b, ',');
    ra_jsonw_key(b, "action");
    ra_jsonw_str(b, a->action, strlen(a->action));
    ra_buf_putc(b, ',');
    ra_jsonw_key(b, "target");
    ra_jsonw_str(b, a->target, strlen(a->target));
    ra_buf_putc(b, ',');
    ra_jsonw_key(b, "address");
    if (a->address[0] == '\0')
        ra_buf_puts(b, "null");
    else
        ra_jsonw_str(b, a->address, strlen(a->address));
    ra_buf_printf(b, ",\"alert\":%s}", a->alert ? "true" : "false");
    p->last = a->id;
    return b->failed ? -ENOMEM : 0;
}

/* A whole number from the query `name` in [lo, hi], or def when absent; -1 when malformed. */
static long long
query_number(const struct request *req, const char *name, long long def, long long lo, long long hi)
{
    const char *text = request_query(req, name);
    if (text == NULL)
        return def;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return -1;
    return v;
}

/* GET /console/api/audit?limit=50&before=ID: the account's entries, newest first. */
void
api_audit(struct request *req)
{
    long long limit = query_number(req, "limit", 50, 1, 500);
    long long before = query_number(req, "before", 0, 1, INT64_MAX);
    if (limit < 0 || before < 0) {
        console_fail(&req->reply, 400, "limit must be 1 to 500 and before an entry id.");
        return;
    }
    struct store_audit_query q = {
        .account_id = req->account_id, .before = before, .limit = (int)limit + 1};
    struct audit_page out = {.max = (size_t)limit};
    ra_buf_init(&out.b, 1024 * 1024);
    ra_buf_puts(&out.b, "{\"entries\":[");
    int rc = req->app->store->ops->audit_list(req->app->store->priv, &q, page_entry, &out);
    ra_buf_puts(&out.b, "],\"next\":");
    if (out.more)
        ra_buf_printf(&out.b, "%lld}", (long long)out.last);
    else
        ra_buf_puts(&out.b, "null}");
    if (rc < 0 || out.b.failed) {
        ra_buf_cleanup(&out.b);
        api_reply_failure(req, rc < 0 ? rc : -ENOMEM);
        return;
    }
    api_reply_buf(&req->reply, 200, &out.b);
}
