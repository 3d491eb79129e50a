/* SPDX-License-Identifier: MIT */
/*
 * projects.c: project endpoints. Each handler validates its input fields, calls the store and
 * writes the documented body; every change drops the account's cached project list.
 */
#include "handlers/projects.h"

#include "app.h"
#include "common/alloc.h"
#include "common/rand.h"
#include "handlers/project_json.h"
#include "service/accounts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROJECT_ID_LEN 10
#define NOT_FOUND "project not exist"

bool
projects_name_ok(const char *name, size_t len)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f)
            return false;
        if ((c & 0xc0) != 0x80)
            chars++;
    }
    return chars >= 1 && chars <= 255 && len <= STORE_PROJECT_NAME_BYTES;
}

int
projects_add(const struct app *app, int64_t account_id, const char *name, bool enable_sign_key,
             struct store_project *p)
{
    size_t len = strlen(name);
    if (!projects_name_ok(name, len))
        return -EINVAL;
    memset(p, 0, sizeof(*p));
    p->account_id = account_id;
    memcpy(p->name, name, len + 1);
    p->status = 1;
    p->created = (int64_t)time(NULL);
    int rc = -EAGAIN;
    for (int attempt = 0; attempt < 5 && rc == -EAGAIN; attempt++) {
        ra_rand_alnum(p->id, PROJECT_ID_LEN);
        ra_rand_hex(p->vendor_key, STORE_HEX32 / 2);
        if (enable_sign_key)
            ra_rand_hex(p->sign_key, STORE_HEX32 / 2);
        rc = app->store->ops->project_create(app->store->priv, p, (int)app->cfg->max_projects);
    }
    struct acct *a = rc == 0 && app->accounts ? accounts_get(app->accounts, account_id) : NULL;
    if (a != NULL)
        acct_invalidate(a);
    return rc;
}

/* Fetch the string field `name`; NULL (and a 400 reply) if missing or not a string. */
static const char *
want_string(struct request *req, const char *name)
{
    json_t *v = json_object_get(req->json, name);
    if (v == NULL || !json_is_string(v)) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%s is required and must be a string", name);
        reply_error(&req->reply, 400, msg);
        return NULL;
    }
    return json_string_value(v);
}

/* Fetch an optional boolean field into *val (default `def`). -1 and a 400 reply if mistyped. */
static int
want_bool(struct request *req, const char *name, bool def, bool *val)
{
    json_t *v = json_object_get(req->json, name);
    if (v == NULL || json_is_null(v)) {
        *val = def;
        return 0;
    }
    if (!json_is_boolean(v)) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%s must be a boolean", name);
        reply_error(&req->reply, 400, msg);
        return -1;
    }
    *val = json_is_true(v);
    return 0;
}

/* Reply with a store error that is not specific to one handler. */
static void
reply_store_error(struct reply *out, int rc)
{
    if (rc == -ENOENT)
        reply_error(out, 404, NOT_FOUND);
    else if (rc == -ENOTCONN)
        reply_unavailable(out);
    else
        reply_message(out, 500, "An unexpected error occurred");
}

/* Load the account's project named by the body's "id"; replies and returns -1 on failure.
 * With `must_be_enabled`, a disabled project is reported as not existing (legacy rule). */
static int
load_project(struct request *req, bool must_be_enabled, struct store_project *p)
{
    const char *id = want_string(req, "id");
    if (id == NULL)
        return -1;
    int rc = -ENOENT;
    if (strlen(id) <= STORE_PROJECT_ID_MAX)
        rc = req->app->store->ops->project_get(req->app->store->priv, req->acct->id, id, p);
    if (rc == 0 && must_be_enabled && p->status != 1)
        rc = -ENOENT;
    if (rc < 0) {
        reply_store_error(&req->reply, rc);
        return -1;
    }
    return 0;
}

/* Save a changed project and reply with it (201). */
static void
save_and_reply(struct request *req, struct store_project *p)
{
    int rc = req->app->store->ops->project_update(req->app->store->priv, p);
    acct_invalidate(req->acct);
    if (rc < 0) {
        reply_store_error(&req->reply, rc);
        return;
    }
    size_t len = 0;
    char *body = project_json_single(p, &len);
    reply_json(&req->reply, 201, body, len);
}

void
projects_create(struct request *req)
{
    const char *name = want_string(req, "name");
    bool sign = false;
    if (name == NULL || want_bool(req, "enable_sign_key", false, &sign) < 0)
        return;
    struct store_project p;
    int rc = projects_add(req->app, req->acct->id, name, sign, &p);
    if (rc == -EINVAL)
        reply_error(&req->reply, 400,
                    "name must be 1 to 255 characters without control characters");
    else if (rc == -EEXIST)
        reply_error(&req->reply, 400, "project name already exists");
    else if (rc == -EDQUOT)
        reply_error(&req->reply, 400, "number of projects exceeds the maximum limit");
    else if (rc < 0)
        reply_store_error(&req->reply, rc);
    else {
        size_t len = 0;
        char *body = project_json_single(&p, &len);
        reply_json(&req->reply, 201, body, len);
    }
}

struct list_ctx {
    struct ra_buf buf;
    size_t count;
};

/* store_project_fn: append one project to a {"projects":[...]} body. */
static int
append_project(void *arg, const struct store_project *p)
{
    struct list_ctx *l = arg;
    if (l->count++ > 0)
        ra_buf_putc(&l->buf, ',');
    project_json_write(&l->buf, p, PROJECT_ORDER_LIST);
    return l->buf.failed ? -ENOMEM : 0;
}

/* Build {"projects":[...]} for the filters; returns the store's code, fills l. */
static int
build_list(struct request *req, const char *id, const char *name, struct list_ctx *l)
{
    ra_buf_init(&l->buf, 64u * 1024 * 1024);
    l->count = 0;
    ra_buf_puts(&l->buf, "{\"projects\":[");
    int rc = req->app->store->ops->project_list(req->app->store->priv, req->acct->id, id, name,
                                                append_project, l);
    ra_buf_puts(&l->buf, "]}");
    if (rc == 0 && l->buf.failed)
        rc = -ENOMEM;
    return rc;
}

/* The success status of a GET: --get-status for REST clients; a browser wants 200. */
static int
get_status(const struct request *req)
{
    return (req->route->flags & ROUTE_CONSOLE) ? 200 : (int)req->app->cfg->get_status;
}

void
projects_list(struct request *req)
{
    char *body = NULL;
    size_t len = 0;
    uint64_t gen = 0;
    int status = get_status(req);
    if (acct_cache_get(req->acct, &body, &len, &gen) == 0) {
        reply_json(&req->reply, status, body, len);
        return;
    }
    struct list_ctx l;
    int rc = build_list(req, NULL, NULL, &l);
    if (rc < 0) {
        ra_buf_cleanup(&l.buf);
        reply_store_error(&req->reply, rc);
        return;
    }
    body = ra_buf_steal(&l.buf, &len);
    char *copy = body ? ra_malloc(len) : NULL;
    if (copy != NULL) {
        memcpy(copy, body, len);
        acct_cache_put(req->acct, copy, len, gen);
    }
    reply_json(&req->reply, status, body, len);
}

void
projects_get(struct request *req)
{
    const char *id = request_query(req, "id"), *name = request_query(req, "name");
    if (id == NULL && name == NULL) {
        reply_error(&req->reply, 400, "id or name is required");
        return;
    }
    struct list_ctx l;
    int rc = build_list(req, id, name, &l);
    if (rc == 0 && l.count == 0)
        rc = -ENOENT;
    if (rc < 0) {
        ra_buf_cleanup(&l.buf);
        reply_store_error(&req->reply, rc);
        return;
    }
    size_t len = 0;
    char *body = ra_buf_steal(&l.buf, &len);
    reply_json(&req->reply, get_status(req), body, len);
}

void
projects_status(struct request *req)
{
    struct store_project p;
    json_t *v = json_object_get(req->json, "status");
    if (v == NULL || !json_is_integer(v) ||
        (json_integer_value(v) != 0 && json_integer_value(v) != 1)) {
        reply_error(&req->reply, 400, "status is required and must be 0 or 1");
        return;
    }
    if (load_project(req, false, &p) < 0)
        return;
    p.status = (int)json_integer_value(v);
    save_and_reply(req, &p);
}

/* True when s is "IPv4:port" or "[IPv6]:port" with a port from 1 to 65535. */
static bool
address_ok(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s || strlen(s) > STORE_RECSRV_MAX)
        return false;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port < 1 || port > 65535)
        return false;
    char host[STORE_RECSRV_MAX + 1];
    size_t hlen = (size_t)(colon - s);
    unsigned char addr[16];
    if (s[0] == '[' && hlen > 2 && s[hlen - 1] == ']') {
        memcpy(host, s + 1, hlen - 2);
        host[hlen - 2] = '\0';
        return inet_pton(AF_INET6, host, addr) == 1;
    }
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    return inet_pton(AF_INET, host, addr) == 1;
}

void
projects_recording(struct request *req)
{
    struct store_project p;
    const char *addr = want_string(req, "recording_server");
    if (addr == NULL)
        return;
    if (addr[0] != '\0' && !address_ok(addr)) {
        reply_error(&req->reply, 400, "recording_server must be an IP address with a port");
        return;
    }
    if (load_project(req, true, &p) < 0)
        return;
    p.has_recording_server = addr[0] != '\0';
    snprintf(p.recording_server, sizeof(p.recording_server), "%s", addr);
    save_and_reply(req, &p);
}

void
projects_signkey(struct request *req)
{
    struct store_project p;
    bool enable = true;
    if (want_bool(req, "enable", true, &enable) < 0 || load_project(req, true, &p) < 0)
        return;
    if (!enable)
        p.sign_key[0] = '\0';
    else if (p.sign_key[0] == '\0')
        ra_rand_hex(p.sign_key, STORE_HEX32 / 2);
    save_and_reply(req, &p);
}

void
projects_reset_signkey(struct request *req)
{
    struct store_project p;
    if (load_project(req, true, &p) < 0)
        return;
    char fresh[STORE_HEX32 + 1];
    do
        ra_rand_hex(fresh, STORE_HEX32 / 2);
    while (strcmp(fresh, p.sign_key) == 0);
    memcpy(p.sign_key, fresh, sizeof(fresh));
    save_and_reply(req, &p);
}

/* Legacy delete: id from the JSON body or the query; legacy bodies. */
void
projects_delete_legacy(struct request *req)
{
    const char *id = request_query(req, "id");
    json_t *v = req->json ? json_object_get(req->json, "id") : NULL;
    if (v != NULL && json_is_string(v))
        id = json_string_value(v);
    if (id == NULL) {
        reply_error(&req->reply, 400, "id is required and must be a string");
        return;
    }
    int rc = -ENOENT;
    if (strlen(id) <= STORE_PROJECT_ID_MAX)
        rc = req->app->store->ops->project_delete(req->app->store->priv, req->acct->id, id);
    acct_invalidate(req->acct);
    if (rc == -ENOENT) {
        static const char legacy_404[] = "{\"error_msg\":\"project not exist\"}";
        reply_static(&req->reply, 404, legacy_404, sizeof(legacy_404) - 1);
    } else if (rc < 0) {
        reply_store_error(&req->reply, rc);
    } else {
        static const char legacy_ok[] = "{\"success\":true}";
        reply_static(&req->reply, 200, legacy_ok, sizeof(legacy_ok) - 1);
    }
}
