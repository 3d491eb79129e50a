/* SPDX-License-Identifier: MIT */
/*
 * forward.c: the /auth/verify endpoint of forward authentication (see forward.h): its route,
 * the phase that reads the original request, the answer for the upstream.
 */
#include "handlers/forward.h"

#include "app.h"
#include "handlers/forward_rules.h"
#include "request/uri.h"
#include "service/accounts.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define VERIFY_PATH "/auth/verify"

/* The longest original path read, after request/uri.h has rewritten it. */
#define ORIGINAL_PATH_MAX 2048

const struct route forward_routes[] = {
    {"*", VERIFY_PATH, ROUTE_PREFIX | ROUTE_ORIGINAL | ROUTE_BASIC | ROUTE_RATED | ROUTE_AT_HEAD,
     "forward", forward_verify},
};

const size_t forward_routes_count = sizeof(forward_routes) / sizeof(forward_routes[0]);

/* One place the original request may be named in. */
struct origin {
    const char *method; /* NULL: the request's own */
    const char *target; /* NULL: this source is absent */
    char path[ORIGINAL_PATH_MAX];
};

/* The path after the route's own in the request line ("" when there is none). */
static const char *
line_suffix(const struct request *req)
{
    size_t len = 0;
    const char *path = router_path(req->target, &len);
    size_t n = strlen(req->route->path);
    return path != NULL && strlen(path) > n ? path + n : "";
}

/* Fill the sources of the original request, in the order they are preferred. */
static void
find_origins(const struct request *req, struct origin o[3])
{
    o[0].target = request_field(req, "X-Original-URI");
    o[0].method = request_field(req, "X-Original-Method");
    o[1].target = request_field(req, "X-Forwarded-Uri");
    o[1].method = request_field(req, "X-Forwarded-Method");
    const char *suffix = line_suffix(req);
    o[2].target = suffix[0] != '\0' ? suffix : NULL;
    o[2].method = NULL;
    for (int i = 0; i < 3; i++)
        if (o[i].method == NULL)
            o[i].method = req->method;
}

/*
 * The original request: the first source present, provided every other one present names the
 * same method and path. NULL when they disagree or one cannot be read; *fallback is set when
 * no source is present (then the original is this request itself, path "/").
 */
static const struct origin *
original(const struct request *req, struct origin o[3], bool *fallback)
{
    find_origins(req, o);
    const struct origin *chosen = NULL;
    for (int i = 0; i < 3; i++) {
        if (o[i].target == NULL)
            continue;
        if (!forward_method_ok(o[i].method, strlen(o[i].method)) ||
            uri_clean_path(o[i].target, strlen(o[i].target), o[i].path, sizeof(o[i].path)) < 0)
            return NULL;
        if (chosen == NULL)
            chosen = &o[i];
        else if (strcmp(chosen->method, o[i].method) != 0 || strcmp(chosen->path, o[i].path) != 0)
            return NULL;
    }
    *fallback = chosen == NULL;
    return chosen;
}

/* Copy s into dst[0..cap), truncating, always NUL-terminated. */
static void
put(char *dst, size_t cap, const char *s)
{
    size_t n = strnlen(s, cap - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

int
forward_original(struct request *req)
{
    struct origin o[3];
    bool fallback = false;
    const struct origin *orig = original(req, o, &fallback);
    if (orig == NULL && !fallback) {
        req->message = "Bad Request";
        reply_message(&req->reply, 400, req->message);
        return -1;
    }
    const char *method = orig != NULL ? orig->method : req->method;
    const char *path = orig != NULL ? orig->path : "/";
    put(req->log_method, sizeof(req->log_method), method);
    put(req->log_path, sizeof(req->log_path), path);
    const struct forward_rule *rule = forward_rules_match(req->app->forward, method, path);
    req->rate_class = rule->key;
    if (rule->limit >= 0) /* else --rate-limit, as the route set it */
        req->rate_limit = rule->limit;
    /* the rules live as long as the app: no copy */
    reply_add_header(&req->reply, "X-Restauth-Rate-Class", rule->name, false);
    return 0;
}

void
forward_verify(struct request *req)
{
    struct reply *r = &req->reply;
    const char *name = acct_name(req->acct);
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)req->account_id);
    /* A credential is published only once its account's name is known (service/credtab.c):
     * without one, refuse rather than send the upstream an empty name. */
    if (name[0] == '\0' ||
        reply_add_header(r, "X-Restauth-Customer-Id", req->customer_id, true) < 0 ||
        reply_add_header(r, "X-Restauth-Account", name, false) < 0 ||
        reply_add_header(r, "X-Restauth-Account-Id", id, true) < 0) {
        req->message = "An unexpected error occurred";
        reply_message(r, 500, req->message);
        return;
    }
    reply_static(r, 200, "", 0);
}

void
forward_decorate(struct request *req)
{
    if (req->reply.status >= 400 && req->message != NULL)
        reply_add_header(&req->reply, "X-Restauth-Message", req->message, false);
}
