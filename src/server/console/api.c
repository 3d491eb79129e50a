/* SPDX-License-Identifier: MIT */
/*
 * api.c: the console's JSON API. Sign-in checks an argon2id password after the throttle;
 * credential calls go through the credential service (service/creds.c), as the CLI's do.
 *
 * The Customer Secret of a pair added here does not exist until its one download: that call
 * (creds_issue) generates it, stores its keyed hash and marks the pair issued in one write
 * transaction, makes it work at once, and it is returned in a key_and_secret.txt body marked
 * no-store. No other response ever carries a secret.
 */
#include "console/api.h"

#include "app.h"
#include "auth/secret.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/jsonw.h"
#include "console/password.h"
#include "console/session.h"
#include "console/signin_limit.h"
#include "handlers/audit_req.h"
#include "handlers/cred_json.h"
#include "service/cluster.h"
#include "service/creds.h"
#include "service/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_INTERNAL "Something went wrong on the server. Please try again."
#define MSG_WRONG_PASSWORD "The e-mail address or the password is not correct."

void
api_reply_buf(struct reply *out, int status, struct ra_buf *b)
{
    size_t len = 0;
    char *body = ra_buf_steal(b, &len);
    reply_json(out, status, body, len);
}

/* Reply to a store failure: 503 when the store cannot be reached now, else 500. Counted for
 * /metrics: this is where the console's store failures meet. */
void
api_reply_failure(struct request *req, int rc)
{
    metrics_store_result(req->app->metrics, rc);
    if (rc == -ENOTCONN) {
        reply_unavailable(&req->reply);
        req->reply.www_auth = false;
    } else {
        console_fail(&req->reply, 500, MSG_INTERNAL);
    }
}

void
api_reply_refusal(struct request *req, int status, int rc)
{
    char msg[CREDS_MESSAGE_MAX];
    const char *text = creds_message(req->app, rc, msg, sizeof(msg));
    if (text != NULL)
        console_fail(&req->reply, status, text);
    else
        api_reply_failure(req, rc);
}

/* {"signed_in":true,"account":{"name":..,"email":..},"csrf_token":..,"max_secrets":N,
 *  "session_idle_s":N} for the session's account. */
static void
reply_signed_in(struct request *req, const struct store_session *ss)
{
    const struct app *app = req->app;
    struct store_login l;
    int rc = app->store->ops->login_by_id(app->store->priv, ss->account_id, &l);
    if (rc < 0) {
        api_reply_failure(req, rc);
        return;
    }
    struct ra_buf b;
    ra_buf_init(&b, 4096);
    ra_buf_puts(&b, "{\"signed_in\":true,\"account\":{");
    ra_jsonw_key(&b, "name");
    ra_jsonw_str(&b, l.name, strlen(l.name));
    ra_buf_putc(&b, ',');
    ra_jsonw_key(&b, "email");
    ra_jsonw_str(&b, l.email, strlen(l.email));
    ra_buf_puts(&b, "},");
    ra_jsonw_key(&b, "csrf_token");
    ra_jsonw_str(&b, ss->csrf, strlen(ss->csrf));
    ra_buf_printf(&b, ",\"max_secrets\":%ld,\"session_idle_s\":%ld}", app->cfg->max_secrets,
                  app->cfg->session_idle_s);
    ra_wipe(&l, sizeof(l));
    api_reply_buf(&req->reply, 200, &b);
}

static void
reply_signed_out(struct reply *out)
{
    static const char body[] = "{\"signed_in\":false}";
    reply_static(out, 200, body, sizeof(body) - 1);
}

void
api_session(struct request *req)
{
    bool presented = false;
    const struct app *app = req->app;
    if (session_find(app, request_field(req, "Cookie"), app_now_s(app), &req->session, &presented) <
        0) {
        if (presented)
            reply_add_header(&req->reply, "Set-Cookie", session_clear_cookie(), false);
        reply_signed_out(&req->reply);
        return;
    }
    reply_signed_in(req, &req->session);
}

/* Refuse a throttled sign-in with 429 and the wait; true when refused. */
static bool
throttled(struct request *req, int wait)
{
    if (wait <= 0)
        return false;
    char msg[160];
    int minutes = (wait + 59) / 60;
    snprintf(msg, sizeof(msg),
             "Too many failed sign-in attempts. Please wait %d minute%s and try again.", minutes,
             minutes == 1 ? "" : "s");
    console_fail(&req->reply, 429, msg);
    req->reply.retry_after = wait;
    return true;
}

/* Check the password of `email`; 0 on success (then *account_id is set), else replies and
 * tells through *outcome whether the attempt counts as a failure. */
static int
check_password(struct request *req, const char *email, const char *pw, int64_t *account_id,
               enum signin_outcome *outcome)
{
    const struct app *app = req->app;
    struct store_login l = {.account_id = 0};
    int rc = app->store->ops->login_by_email(app->store->priv, email, &l);
    if (rc == -ENOENT)
        l.name[0] = '\0';
    *outcome = SIGNIN_NOT_TRIED;
    if (rc < 0 && rc != -ENOENT) {
        api_reply_failure(req, rc);
        return rc;
    }
    rc = password_check(rc == 0 ? l.pwhash : NULL, pw, strlen(pw));
    *account_id = l.account_id;
    if (rc != -EBUSY) {
        struct request_who w;
        request_who(req, &w);
        snprintf(w.actor, sizeof(w.actor), "%s", email);
        audit_record(app, l.account_id, &w.who, rc < 0 ? "console.signin_failed" : "console.signin",
                     l.name);
    }
    ra_wipe(&l, sizeof(l));
    if (rc == -EBUSY) {
        console_fail(&req->reply, 503, "The server is busy. Please try again in a moment.");
        req->reply.retry_after = 1;
    } else if (rc < 0) {
        *outcome = SIGNIN_FAILED;
        console_fail(&req->reply, 401, MSG_WRONG_PASSWORD);
    } else {
        *outcome = SIGNIN_OK;
    }
    return rc;
}

/* A new session for the account (the one presented, if any, is revoked) and its cookie. */
static void
start_session(struct request *req, int64_t account_id)
{
    const struct app *app = req->app;
    int64_t now = app_now_s(app);
    struct store_session old;
    bool presented = false;
    if (session_find(app, request_field(req, "Cookie"), now, &old, &presented) == 0)
        session_end(app, &old);
    ra_wipe(&old, sizeof(old));
    char cookie[SESSION_COOKIE_MAX];
    int rc = session_start(app, account_id, now, cookie, &req->session);
    if (rc < 0) {
        api_reply_failure(req, rc);
    } else {
        reply_add_header(&req->reply, "Set-Cookie", cookie, true);
        reply_signed_in(req, &req->session);
    }
    ra_wipe(cookie, sizeof(cookie));
}

void
api_signin(struct request *req)
{
    const char *email = request_json_string(req, "email");
    const char *pw = request_json_string(req, "password");
    int64_t now_ms = app_now_ms(req->app);
    struct signin_keys keys;
    if (email == NULL || pw == NULL || email[0] == '\0' || pw[0] == '\0') {
        console_fail(&req->reply, 400, "Please enter your e-mail address and your password.");
    } else if (strlen(email) > STORE_EMAIL_MAX) {
        console_fail(&req->reply, 401, MSG_WRONG_PASSWORD);
    } else if (!throttled(req, signin_limit_begin(req->app, req, email, now_ms, &keys))) {
        int64_t account_id = 0;
        enum signin_outcome outcome;
        if (check_password(req, email, pw, &account_id, &outcome) == 0)
            start_session(req, account_id);
        signin_limit_done(req->app, &keys, outcome, now_ms);
    }
    if (pw != NULL) /* jansson's copy of the password: wipe it before it is freed */
        ra_wipe((char *)pw, strlen(pw));
}

void
api_signout(struct request *req)
{
    struct store_login l;
    if (req->app->store->ops->login_by_id(req->app->store->priv, req->account_id, &l) == 0)
        request_audit(req, "console.signout", l.name);
    ra_wipe(&l, sizeof(l));
    session_end(req->app, &req->session);
    reply_add_header(&req->reply, "Set-Cookie", session_clear_cookie(), false);
    reply_signed_out(&req->reply);
}

void
api_reply_cred(struct request *req, int status, const struct store_cred *cr,
               const struct store_cred *old)
{
    const struct app *app = req->app;
    int64_t now = app_now_s(app);
    struct creds_usage u;
    int rc = creds_usage_load(app, req->account_id, now, &u);
    struct ra_buf b;
    ra_buf_init(&b, 64 * 1024);
    ra_buf_puts(&b, "{\"credential\":");
    if (rc == 0)
        rc = cred_json_write(&b, app, cr, &u, now, CRED_JSON_FULL);
    if (rc == 0 && old != NULL) {
        ra_buf_puts(&b, ",\"old\":");
        rc = cred_json_write(&b, app, old, &u, now, CRED_JSON_FULL);
    }
    ra_buf_putc(&b, '}');
    creds_usage_free(&u);
    if (rc < 0 || b.failed) {
        ra_buf_cleanup(&b);
        api_reply_failure(req, rc < 0 ? rc : -ENOMEM);
        return;
    }
    api_reply_buf(&req->reply, status, &b);
}

void
api_creds_list(struct request *req)
{
    const struct app *app = req->app;
    struct ra_buf b;
    ra_buf_init(&b, 1024 * 1024);
    ra_buf_puts(&b, "{\"credentials\":");
    int rc = cred_json_list(&b, app, req->account_id, app_now_s(app), CRED_JSON_FULL);
    ra_buf_printf(&b, ",\"max_secrets\":%ld}", app->cfg->max_secrets);
    if (rc < 0 || b.failed) {
        ra_buf_cleanup(&b);
        api_reply_failure(req, rc < 0 ? rc : -ENOMEM);
        return;
    }
    api_reply_buf(&req->reply, 200, &b);
}

void
api_creds_add(struct request *req)
{
    struct store_cred cr;
    struct request_who w;
    int64_t expires = 0;
    if (api_expiry(req, false, &expires) < 0)
        return;
    int rc = creds_add_pending(req->app, req->account_id, app_now_s(req->app), expires, &cr,
                               request_who(req, &w));
    if (rc < 0)
        api_reply_refusal(req, 409, rc);
    else
        api_reply_cred(req, 201, &cr, NULL);
}

/* The reply of a successful download: the key_and_secret.txt text, never stored anywhere. */
static void
reply_secret_file(struct reply *out, const char *id, const char *secret)
{
    char text[SECRET_FILE_MAX];
    long n = secret_file_format(text, sizeof(text), id, secret);
    char *body = n > 0 ? ra_malloc((size_t)n + 1) : NULL;
    if (body != NULL)
        memcpy(body, text, (size_t)n + 1);
    ra_wipe(text, sizeof(text));
    reply_json(out, 200, body, body ? (size_t)n : 0);
    if (body == NULL)
        return;
    out->wipe_body = true;
    out->content_type = "text/plain; charset=utf-8";
    reply_add_header(out, "Content-Disposition", "attachment; filename=\"key_and_secret.txt\"",
                     false);
}

void
api_creds_download(struct request *req)
{
    const char *id = request_json_string(req, "customer_id");
    char secret[SECRET_HEX_LEN + 1];
    struct request_who w;
    int rc = creds_issue(req->app, req->account_id, id, app_now_s(req->app), secret,
                         request_who(req, &w));
    if (rc == 0)
        reply_secret_file(&req->reply, id, secret);
    else
        api_reply_refusal(req, rc == -ENOENT ? 404 : 410, rc);
    ra_wipe(secret, sizeof(secret));
}

/* "seq":S,"live":N,"confirmed":K,"pending":[...] of a change-feed row, into b. */
static int
write_reach(struct request *req, int64_t seq, struct ra_buf *b)
{
    struct cluster_report r;
    int rc = cluster_report(req->app, seq, app_now_ms(req->app), &r);
    if (rc < 0)
        return rc;
    ra_buf_printf(b, "\"seq\":%lld,\"live\":%d,\"confirmed\":%d,\"pending\":[", (long long)seq,
                  r.live, r.confirmed);
    for (int i = 0; i < r.npending; i++) {
        if (i > 0)
            ra_buf_putc(b, ',');
        ra_jsonw_str(b, r.pending[i], strlen(r.pending[i]));
    }
    ra_buf_putc(b, ']');
    return 0;
}

/* The deletion is committed; the reply says how far it has reached the nodes so far, and the
 * page follows it with api_revocation. */
void
api_creds_delete(struct request *req)
{
    const char *id = request_json_string(req, "customer_id");
    struct request_who w;
    int rc = creds_delete(req->app, req->account_id, id, false, request_who(req, &w));
    if (rc < 0) {
        api_reply_refusal(req, rc == -ENOENT ? 404 : 409, rc);
        return;
    }
    int64_t seq = 0;
    struct ra_buf b;
    ra_buf_init(&b, 4096);
    ra_buf_puts(&b, "{\"deleted\":");
    ra_jsonw_str(&b, id, strlen(id));
    if (cluster_head(req->app, &seq) == 0) {
        ra_buf_puts(&b, ",\"revocation\":{");
        if (write_reach(req, seq, &b) < 0)
            ra_buf_printf(&b, "\"seq\":%lld", (long long)seq);
        ra_buf_putc(&b, '}');
    }
    ra_buf_putc(&b, '}');
    api_reply_buf(&req->reply, 200, &b);
}

/* GET /console/api/revocation?seq=S: which live nodes have applied change-feed row S. */
void
api_revocation(struct request *req)
{
    const char *text = request_query(req, "seq");
    char *end = NULL;
    errno = 0;
    long long seq = text != NULL ? strtoll(text, &end, 10) : -1;
    if (text == NULL || *text < '0' || *text > '9' || *end != '\0' || errno != 0 || seq <= 0) {
        console_fail(&req->reply, 400, "seq must be a positive whole number.");
        return;
    }
    struct ra_buf b;
    ra_buf_init(&b, 4096);
    ra_buf_putc(&b, '{');
    int rc = write_reach(req, seq, &b);
    ra_buf_putc(&b, '}');
    if (rc < 0) {
        ra_buf_cleanup(&b);
        api_reply_failure(req, rc);
        return;
    }
    api_reply_buf(&req->reply, 200, &b);
}
