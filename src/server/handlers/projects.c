/* SPDX-License-Identifier: MIT */
/*
 * projects.c: project endpoints. Each handler validates its input fields, calls the store and
 * writes the documented body; every change drops the account's cached project list.
 */
#include "handlers/projects.h"

#include "app.h"
#include "common/alloc.h"
#include "common/rand.h"
#include "handlers/audit_req.h"
#include "handlers/project_json.h"
#include "service/accounts.h"
#include "service/metrics.h"

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

/* Reply with a store error that is not specific to one handler (counted for /metrics: this
 * is where the project handlers' store failures meet). */
static void
reply_store_error(const struct app *app, struct reply *out, int rc)
{
    metrics_store_result(app->metrics, rc);
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
        reply_store_error(req->app, &req->reply, rc);
        return -1;
    }
    return 0;
}

/* Save a changed project, record `action` in the audit log and reply with it (201). */
static void
save_and_reply(struct request *req, struct store_project *p, const char *action)
{
    int rc = req->app->store->ops->project_update(req->app->store->priv, p);
    acct_invalidate(req->acct);
    if (rc < 0) {
        reply_store_error(req->app, &req->reply, rc);
        return;
    }
    request_audit(req, action, p->id);
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
        reply_store_error(req->app, &req->reply, rc);
    else {
        request_audit(req, "project.create", p.id);
        size_t len = 0;
        char *body = project_json_single(&p, &len);
        reply_json(&req->reply, 201, body, len);
    }
}

/* An account's whole project list being built from the store, with where each object lies. */
struct list_ctx {
    struct ra_buf buf;
    struct project_cache cache; /* items grow here; json is taken from buf at the end */
    size_t cap;
    int err;
};

/* store_project_fn: append one project to a {"projects":[...]} body and note where it is. */
static int
append_project(void *arg, const struct store_project *p)
{
    struct list_ctx *l = arg;
    if (l->cache.n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct cached_project *v = ra_realloc(l->cache.items, cap * sizeof(*v));
        if (v == NULL)
            return -ENOMEM;
        l->cache.items = v;
        l->cap = cap;
    }
    if (l->cache.n > 0)
        ra_buf_putc(&l->buf, ',');
    struct cached_project *item = &l->cache.items[l->cache.n];
    item->off = l->buf.len;
    project_json_write(&l->buf, p, PROJECT_ORDER_LIST);
    item->len = l->buf.len - item->off;
    memcpy(item->id, p->id, sizeof(item->id));
    item->name = ra_strdup(p->name);
    if (item->name == NULL)
        return -ENOMEM;
    l->cache.n++;
    return l->buf.failed ? -ENOMEM : 0;
}

/* Build the account's whole {"projects":[...]} list into *c. Returns the store's code. */
static int
build_list(struct request *req, struct project_cache *c)
{
    struct list_ctx l = {.cap = 0};
    ra_buf_init(&l.buf, 64u * 1024 * 1024);
    ra_buf_puts(&l.buf, "{\"projects\":[");
    int rc = req->app->store->ops->project_list(req->app->store->priv, req->acct->id, NULL, NULL,
                                                append_project, &l);
    ra_buf_puts(&l.buf, "]}");
    if (rc == 0 && l.buf.failed)
        rc = -ENOMEM;
    if (rc == 0)
        l.cache.json = ra_buf_steal(&l.buf, &l.cache.len);
    if (rc == 0 && l.cache.json == NULL)
        rc = -ENOMEM;
    ra_buf_cleanup(&l.buf);
    if (rc < 0)
        project_cache_clear(&l.cache);
    *c = l.cache;
    return rc;
}

/* The success status of a GET: --get-status for REST clients; a browser wants 200. */
static int
get_status(const struct request *req)
{
    return (req->route->flags & ROUTE_CONSOLE) ? 200 : (int)req->app->cfg->get_status;
}

/* What a GET asks of a project list: all of it, or the projects matching id and/or name. */
struct pick {
    const char *id;   /* NULL: any */
    const char *name; /* NULL: any */
    bool all;
    struct ra_buf out;
    size_t count;
};

/* Write the projects of c that p asks for, as a {"projects":[...]} body, into p->out. */
static int
pick_projects(void *ctx, const struct project_cache *c)
{
    struct pick *p = ctx;
    if (p->all) {
        p->count = c->n;
        return ra_buf_append(&p->out, c->json, c->len);
    }
    ra_buf_puts(&p->out, "{\"projects\":[");
    for (size_t i = 0; i < c->n; i++) {
        const struct cached_project *item = &c->items[i];
        if ((p->id != NULL && strcmp(p->id, item->id) != 0) ||
            (p->name != NULL && strcmp(p->name, item->name) != 0))
            continue;
        if (p->count++ > 0)
            ra_buf_putc(&p->out, ',');
        ra_buf_append(&p->out, c->json + item->off, item->len);
    }
    ra_buf_puts(&p->out, "]}");
    return p->out.failed ? -ENOMEM : 0;
}

/*
 * Answer a GET from the account's cached list, building and caching it first when there is
 * none: after the first GET, project GETs read nothing from the store (the change feed drops
 * the cache when the account's projects change), and keep working while the store is down.
 */
static void
reply_from_list(struct request *req, struct pick *p)
{
    uint64_t gen = 0;
    ra_buf_init(&p->out, 64u * 1024 * 1024);
    int rc = acct_cache_with(req->acct, pick_projects, p, &gen);
    if (rc == -ENOENT) {
        struct project_cache built;
        rc = build_list(req, &built);
        if (rc == 0)
            rc = pick_projects(p, &built);
        if (rc == 0)
            acct_cache_put(req->acct, &built, gen); /* takes what it holds */
        else
            project_cache_clear(&built);
    }
    if (rc == 0 && !p->all && p->count == 0)
        rc = -ENOENT;
    size_t len = 0;
    char *body = rc == 0 ? ra_buf_steal(&p->out, &len) : NULL;
    ra_buf_cleanup(&p->out);
    if (rc < 0)
        reply_store_error(req->app, &req->reply, rc);
    else
        reply_json(&req->reply, get_status(req), body, len);
}

void
projects_list(struct request *req)
{
    struct pick p = {.all = true};
    reply_from_list(req, &p);
}

void
projects_get(struct request *req)
{
    struct pick p = {.id = request_query(req, "id"), .name = request_query(req, "name")};
    if (p.id == NULL && p.name == NULL) {
        reply_error(&req->reply, 400, "id or name is required");
        return;
    }
    reply_from_list(req, &p);
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
    save_and_reply(req, &p, "project.update");
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
    save_and_reply(req, &p, "project.update");
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
    save_and_reply(req, &p, "project.update");
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
    save_and_reply(req, &p, "project.reset_signkey");
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
        reply_store_error(req->app, &req->reply, rc);
    } else {
        request_audit(req, "project.delete", id);
        static const char legacy_ok[] = "{\"success\":true}";
        reply_static(&req->reply, 200, legacy_ok, sizeof(legacy_ok) - 1);
    }
}
