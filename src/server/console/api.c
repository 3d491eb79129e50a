/* SPDX-License-Identifier: MIT */
/*
 * api.c: the console's JSON API. Sign-in checks an argon2id password after the throttle;
 * project calls run the REST API's own handlers (projects_handle) for the session's account;
 * credential calls use the store and the in-memory credential table like the CLI does.
 *
 * The Customer Secret of a pair added here does not exist until its one download: that call
 * generates it, stores its keyed hash and marks the pair issued in one write transaction
 * (store cred_issue), puts it in the credential table so that it works at once, and returns
 * it in a key_and_secret.txt body marked no-store. No other response ever carries a secret.
 */
#include "console/api.h"

#include "auth/secret.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/jsonw.h"
#include "common/rand.h"
#include "console/password.h"
#include "console/session.h"
#include "console/signin_limit.h"
#include "handlers/projects.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MSG_INTERNAL "Something went wrong on the server. Please try again."
#define MSG_NO_PAIR "This account has no such credential pair."

/* Take a built body as the reply. */
static void
reply_buf(struct reply *out, int status, struct ra_buf *b)
{
    size_t len = 0;
    char *body = ra_buf_steal(b, &len);
    reply_json(out, status, body, len);
}

/* A string field of the body, or NULL when missing or not a string. */
static const char *
field(const struct console_call *c, const char *name)
{
    json_t *v = c->body ? json_object_get(c->body, name) : NULL;
    return v != NULL && json_is_string(v) ? json_string_value(v) : NULL;
}

/* A Customer ID as the server makes them: 32 lowercase hex characters. */
static bool
customer_id_ok(const char *id)
{
    if (id == NULL || strlen(id) != STORE_HEX32)
        return false;
    for (size_t i = 0; i < STORE_HEX32; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

/* {"signed_in":true,"account":{"name":..,"email":..},"csrf_token":..,"max_secrets":N,
 *  "session_idle_s":N} for the session's account. */
static void
reply_signed_in(struct console_call *c, const struct store_session *ss)
{
    struct store_login l;
    if (c->app->store->ops->login_by_id(c->app->store->priv, ss->account_id, &l) < 0) {
        console_fail(c->out, 500, MSG_INTERNAL);
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
    ra_buf_printf(&b, ",\"max_secrets\":%ld,\"session_idle_s\":%ld}", c->app->cfg->max_secrets,
                  c->app->cfg->session_idle_s);
    ra_wipe(&l, sizeof(l));
    reply_buf(c->out, 200, &b);
}

static void
reply_signed_out(struct reply *out)
{
    char *body = ra_strdup("{\"signed_in\":false}");
    reply_json(out, 200, body, body ? strlen(body) : 0);
}

void
api_session(struct console_call *c)
{
    bool presented = false;
    if (session_find(c->app, c->cookie, c->now, &c->ss, &presented) < 0) {
        if (presented)
            reply_add_header(c->out, "Set-Cookie", session_clear_cookie(), false);
        reply_signed_out(c->out);
        return;
    }
    reply_signed_in(c, &c->ss);
}

/* The client address of the call, or NULL. */
static const struct sockaddr *
peer_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? ci->client_addr : NULL;
}

/* Refuse a throttled sign-in with 429 and the wait; true when refused. */
static bool
throttled(struct console_call *c, const char *email)
{
    const struct config *cfg = c->app->cfg;
    int wait = signin_limit_check(email, peer_of(c->conn), cfg->signin_fail_limit,
                                  cfg->signin_ip_fail_limit, c->now);
    if (wait <= 0)
        return false;
    char msg[160];
    int minutes = (wait + 59) / 60;
    snprintf(msg, sizeof(msg),
             "Too many failed sign-in attempts. Please wait %d minute%s and try again.", minutes,
             minutes == 1 ? "" : "s");
    console_fail(c->out, 429, msg);
    c->out->retry_after = wait;
    return true;
}

/* Check the password of `email`; 0 on success (then *account_id is set), else replies. */
static int
check_password(struct console_call *c, const char *email, const char *pw, int64_t *account_id)
{
    struct store_login l = {.account_id = 0};
    int rc = c->app->store->ops->login_by_email(c->app->store->priv, email, &l);
    if (rc < 0 && rc != -ENOENT) {
        console_fail(c->out, 500, MSG_INTERNAL);
        return rc;
    }
    rc = password_check(rc == 0 ? l.pwhash : NULL, pw, strlen(pw));
    *account_id = l.account_id;
    ra_wipe(&l, sizeof(l));
    if (rc == -EBUSY) {
        console_fail(c->out, 503, "The server is busy. Please try again in a moment.");
        c->out->retry_after = 1;
    } else if (rc < 0) {
        signin_limit_fail(email, peer_of(c->conn), c->now);
        console_fail(c->out, 401, "The e-mail address or the password is not correct.");
    }
    return rc;
}

void
api_signin(struct console_call *c)
{
    const char *email = field(c, "email");
    const char *pw = field(c, "password");
    if (email == NULL || pw == NULL || email[0] == '\0' || pw[0] == '\0') {
        console_fail(c->out, 400, "Please enter your e-mail address and your password.");
    } else if (strlen(email) > STORE_EMAIL_MAX) {
        console_fail(c->out, 401, "The e-mail address or the password is not correct.");
    } else if (!throttled(c, email)) {
        int64_t account_id = 0;
        if (check_password(c, email, pw, &account_id) == 0) {
            signin_limit_clear(email);
            /* A fresh token at every sign-in; the one presented, if any, is revoked. */
            struct store_session old;
            bool presented = false;
            if (session_find(c->app, c->cookie, c->now, &old, &presented) == 0)
                session_end(c->app, &old);
            ra_wipe(&old, sizeof(old));
            char cookie[SESSION_COOKIE_MAX];
            if (session_start(c->app, account_id, c->now, cookie, &c->ss) < 0) {
                console_fail(c->out, 500, MSG_INTERNAL);
            } else {
                reply_add_header(c->out, "Set-Cookie", cookie, true);
                reply_signed_in(c, &c->ss);
            }
            ra_wipe(cookie, sizeof(cookie));
        }
    }
    if (pw != NULL) /* jansson's copy of the password: wipe it before it is freed */
        ra_wipe((char *)pw, strlen(pw));
}

void
api_signout(struct console_call *c)
{
    session_end(c->app, &c->ss);
    reply_add_header(c->out, "Set-Cookie", session_clear_cookie(), false);
    reply_signed_out(c->out);
}

void
api_project(struct console_call *c)
{
    struct handler_ctx h = {.app = c->app, .acct = acct_get(c->ss.account_id), .body = c->body};
    if (h.acct == NULL) {
        console_fail(c->out, 500, MSG_INTERNAL);
        return;
    }
    projects_handle(c->rest_route, &h, c->out);
    if (c->rest_route == ROUTE_PROJECTS_LIST && c->out->status == 201)
        c->out->status = 200; /* --get-status is for REST clients; a browser wants 200 */
}

/* Append one credential object (never a secret: the store has none to give). */
static void
write_cred(struct ra_buf *b, const struct store_cred *cr)
{
    ra_buf_putc(b, '{');
    ra_jsonw_key(b, "customer_id");
    ra_jsonw_str(b, cr->customer_id, strlen(cr->customer_id));
    ra_buf_printf(b, ",\"created\":%lld,\"last_used\":%lld,\"issued\":%lld,\"status\":",
                  (long long)cr->created, (long long)cr->last_used, (long long)cr->issued);
    ra_buf_puts(b, cr->pending       ? "\"pending\"}"
                   : cr->status == 1 ? "\"active\"}"
                                     : "\"disabled\"}");
}

struct cred_list {
    struct ra_buf b;
    size_t n;
};

/* store_cred_fn: append one credential to the list body. */
static int
list_cred(void *arg, const struct store_cred *cr)
{
    struct cred_list *l = arg;
    if (l->n++ > 0)
        ra_buf_putc(&l->b, ',');
    write_cred(&l->b, cr);
    return l->b.failed ? -ENOMEM : 0;
}

void
api_creds_list(struct console_call *c)
{
    struct cred_list l = {.n = 0};
    ra_buf_init(&l.b, 1024 * 1024);
    ra_buf_puts(&l.b, "{\"credentials\":[");
    int rc = c->app->store->ops->cred_list(c->app->store->priv, c->ss.account_id, list_cred, &l);
    ra_buf_printf(&l.b, "],\"max_secrets\":%ld}", c->app->cfg->max_secrets);
    if (rc < 0 || l.b.failed) {
        ra_buf_cleanup(&l.b);
        console_fail(c->out, 500, MSG_INTERNAL);
        return;
    }
    reply_buf(c->out, 200, &l.b);
}

void
api_creds_add(struct console_call *c)
{
    struct store_cred cr = {
        .account_id = c->ss.account_id, .created = c->now, .status = 1, .pending = true};
    int rc = -EAGAIN;
    for (int attempt = 0; attempt < 5 && rc == -EAGAIN; attempt++) {
        ra_rand_hex(cr.customer_id, STORE_HEX32 / 2);
        rc = c->app->store->ops->cred_add(c->app->store->priv, &cr, (int)c->app->cfg->max_secrets);
    }
    if (rc == -EDQUOT) {
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "This account already has %ld credential pairs, the most it can have. "
                 "Delete a pair before adding a new one.",
                 c->app->cfg->max_secrets);
        console_fail(c->out, 409, msg);
        return;
    }
    if (rc < 0) {
        console_fail(c->out, 500, MSG_INTERNAL);
        return;
    }
    struct ra_buf b;
    ra_buf_init(&b, 4096);
    ra_buf_puts(&b, "{\"credential\":");
    write_cred(&b, &cr);
    ra_buf_putc(&b, '}');
    reply_buf(c->out, 201, &b);
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
api_creds_download(struct console_call *c)
{
    const char *id = field(c, "customer_id");
    if (!customer_id_ok(id)) {
        console_fail(c->out, 404, MSG_NO_PAIR);
        return;
    }
    char secret[SECRET_HEX_LEN + 1];
    struct store_cred cr = {.account_id = c->ss.account_id, .status = 1, .created = c->now};
    memcpy(cr.customer_id, id, STORE_HEX32 + 1);
    ra_rand_hex(secret, SECRET_HEX_LEN / 2);
    credtab_hash(c->app->creds, cr.customer_id, secret, cr.hash);
    int rc = c->app->store->ops->cred_issue(c->app->store->priv, cr.account_id, cr.customer_id,
                                            cr.hash, c->now);
    if (rc == -ENOENT)
        console_fail(c->out, 404, MSG_NO_PAIR);
    else if (rc == -EALREADY)
        console_fail(c->out, 410,
                     "The Customer Secret of this pair was already downloaded, and a secret can "
                     "be downloaded only once. If you no longer have it, delete this pair and "
                     "add a new one.");
    else if (rc < 0)
        console_fail(c->out, 500, MSG_INTERNAL);
    if (rc == 0) {
        /* Make the pair work at once, before the secret is handed out. */
        if (credtab_add(c->app->creds, &cr) < 0)
            credtab_reload(c->app->creds, c->app->store);
        reply_secret_file(c->out, cr.customer_id, secret);
    }
    ra_wipe(secret, sizeof(secret));
    ra_wipe(&cr, sizeof(cr));
}

void
api_creds_delete(struct console_call *c)
{
    const char *id = field(c, "customer_id");
    struct store_cred cr;
    const struct store_ops *o = c->app->store->ops;
    int rc = customer_id_ok(id) ? o->cred_get(c->app->store->priv, id, &cr) : -ENOENT;
    if (rc == 0 && cr.account_id != c->ss.account_id)
        rc = -ENOENT;
    if (rc == 0)
        rc = o->cred_delete(c->app->store->priv, id, false);
    ra_wipe(&cr, sizeof(cr));
    if (rc == -ENOENT) {
        console_fail(c->out, 404, MSG_NO_PAIR);
    } else if (rc == -EBUSY) {
        console_fail(c->out, 409,
                     "This is the account's last credential pair, so it cannot be "
                     "deleted: the account would be locked out of the REST API. "
                     "Add a new pair first.");
    } else if (rc < 0) {
        console_fail(c->out, 500, MSG_INTERNAL);
    } else {
        credtab_forget(c->app->creds, id);
        struct ra_buf b;
        ra_buf_init(&b, 256);
        ra_buf_puts(&b, "{\"deleted\":");
        ra_jsonw_str(&b, id, strlen(id));
        ra_buf_putc(&b, '}');
        reply_buf(c->out, 200, &b);
    }
}
