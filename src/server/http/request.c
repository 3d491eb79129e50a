/* SPDX-License-Identifier: MIT */
/*
 * request.c: the checks every request passes before a handler runs, in this order: a strict
 * look at the header section (RFC 9112 rejections, duplicate Authorization, size), the route,
 * the per-IP failure throttle, Basic authentication against the in-memory credential table,
 * the per-account rate limit, and the media type of a body. A path that matches no REST route
 * may be the web console's (console/console.c), which authenticates by session instead.
 */
#include "http/request.h"

#include "accesslog.h"
#include "auth/basic.h"
#include "auth/throttle.h"
#include "common/alloc.h"
#include "common/rand.h"
#include "console/console.h"
#include "handlers/projects.h"
#include "http/body.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static _Atomic uint64_t request_counter;

struct header_scan {
    int auth_count;
    const char *auth;
    size_t auth_len;
    int cl_count;
    const char *cl_value;
    bool cl_conflict;
    bool has_te;
    bool has_host;
    bool bad_name;
    size_t bytes;
    const char *content_type;
};

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec;
}

/* MHD_KeyValueIteratorN: note what the strict checks need about one header field. */
static enum MHD_Result
scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
            size_t value_size)
{
    (void)kind;
    struct header_scan *h = cls;
    h->bytes += key_size + value_size + 4;
    for (size_t i = 0; i < key_size; i++)
        if (key[i] == ' ' || key[i] == '\t')
            h->bad_name = true;
    if (key_size == 13 && strncasecmp(key, "Authorization", 13) == 0) {
        h->auth_count++;
        h->auth = value;
        h->auth_len = value_size;
    } else if (key_size == 14 && strncasecmp(key, "Content-Length", 14) == 0) {
        if (h->cl_count++ > 0 && strcmp(h->cl_value, value) != 0)
            h->cl_conflict = true;
        h->cl_value = value;
    } else if (key_size == 17 && strncasecmp(key, "Transfer-Encoding", 17) == 0) {
        h->has_te = true;
    } else if (key_size == 4 && strncasecmp(key, "Host", 4) == 0) {
        h->has_host = true;
    } else if (key_size == 12 && strncasecmp(key, "Content-Type", 12) == 0) {
        h->content_type = value;
    }
    return MHD_YES;
}

/* Copy s into dst (capacity cap), truncating, always NUL-terminated. */
static void
copy_bounded(char *dst, size_t cap, const char *s)
{
    size_t n = strnlen(s, cap - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Decide an error reply with a gateway-style body. */
static void
fail(struct request *req, int status, const char *msg, bool close)
{
    reply_message(&req->reply, status, msg);
    req->reply.close = close;
}

bool
request_is_json(const char *ct)
{
    if (ct == NULL)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, "application/json", 16) != 0)
        return false;
    char c = ct[16];
    return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

/* The header section against RFC 9112 and the size limit; true if acceptable. */
static bool
check_headers(struct request *req, const struct header_scan *h, const char *version)
{
    bool http11 = strcmp(version, MHD_HTTP_VERSION_1_1) == 0;
    if (h->bad_name || h->auth_count > 1 || h->cl_conflict || (h->has_te && h->cl_count > 0) ||
        (http11 && !h->has_host)) {
        fail(req, 400, "Bad Request", true);
        return false;
    }
    if (h->bytes > (size_t)req->app->cfg->max_header) {
        fail(req, 431, "Request header fields too large", true);
        return false;
    }
    return true;
}

/* Throttle, then authenticate; true when the caller is a known, active customer. */
static bool
authenticate(struct request *req, struct MHD_Connection *conn, const struct header_scan *h)
{
    const struct config *cfg = req->app->cfg;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *peer = ci ? ci->client_addr : NULL;
    int64_t now = now_s();
    int wait = throttle_check(peer, cfg->auth_fail_limit, now);
    if (wait > 0) {
        fail(req, 429, "Too many failed authentication attempts", false);
        req->reply.retry_after = wait;
        return false;
    }
    struct basic_cred cred;
    int rc = basic_parse(h->auth ? h->auth : "", h->auth ? h->auth_len : 0, &cred);
    if (rc == BASIC_ABSENT) {
        fail(req, 401, "Unauthorized", false);
        return false;
    }
    if (rc == BASIC_OK)
        rc = credtab_verify(req->app->creds, &cred, now, &req->acct, req->customer_id);
    basic_cred_wipe(&cred);
    if (rc != 0) {
        throttle_fail(peer, now);
        fail(req, 401, "Invalid authentication credentials", false);
        return false;
    }
    if (acct_rate_take(req->acct, req->route, cfg->rate_limit, now) < 0) {
        fail(req, 429, "API rate limit exceeded", false);
        req->reply.retry_after = 1;
        return false;
    }
    return true;
}

/* Limits and media type of a request that carries (or may carry) a body. */
static void
check_body_headers(struct request *req, const struct header_scan *h, const char *method)
{
    long max = req->app->cfg->max_body;
    if (h->cl_value != NULL) {
        char *end = NULL;
        unsigned long long n = strtoull(h->cl_value, &end, 10);
        if (n > (unsigned long long)max) {
            fail(req, 413, "Request body too large", true);
            return;
        }
        if (n == 0 && strcmp(method, "DELETE") == 0)
            return; /* legacy delete may pass the id in the query */
    } else if (!h->has_te && strcmp(method, "DELETE") == 0) {
        return;
    }
    if (!request_is_json(h->content_type)) {
        reply_error(&req->reply, 415, "Content-Type must be application/json");
        return;
    }
    ra_buf_init(&req->body, (size_t)max);
}

struct request *
request_new(const struct app *app, struct MHD_Connection *conn, const char *url, const char *method,
            const char *version)
{
    struct request *req = ra_calloc(1, sizeof(*req));
    if (req == NULL)
        return NULL;
    req->app = app;
    req->start_ns = now_ns();
    uint64_t n = atomic_fetch_add_explicit(&request_counter, 1, memory_order_relaxed);
    for (int i = 15; i >= 0; i--, n >>= 4)
        req->id[i] = "0123456789abcdef"[n & 15];
    copy_bounded(req->method, sizeof(req->method), method);
    copy_bounded(req->path, sizeof(req->path), url);

    struct header_scan h = {0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &h);
    req->has_body = h.has_te || (h.cl_value != NULL && strcmp(h.cl_value, "0") != 0);
    if (!check_headers(req, &h, version))
        return req;
    req->route = router_match(method, url);
    if (req->route == ROUTE_NONE) {
        if (console_owns(url))
            console_begin(req, conn);
        else
            fail(req, 404, "no Route matched with those values", false);
        return req;
    }
    if (!authenticate(req, conn, &h))
        return req;
    if (router_has_body(req->route))
        check_body_headers(req, &h, method);
    return req;
}

void
request_body(struct request *req, const char *data, size_t len)
{
    if (ra_buf_append(&req->body, data, len) < 0) {
        ra_buf_cleanup(&req->body);
        fail(req, 413, "Request body too large", true);
        if (req->console)
            console_decorate(&req->reply);
    }
}

void
request_run(struct request *req, struct MHD_Connection *conn)
{
    if (req->console) {
        console_run(req, conn);
        return;
    }
    struct handler_ctx ctx = {.app = req->app, .acct = req->acct};
    if (req->route == ROUTE_PROJECT_GET || req->route == ROUTE_PROJECT_DELETE) {
        ctx.q_id = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "id");
        ctx.q_name = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "name");
    }
    if (router_has_body(req->route) && (req->body.len > 0 || req->route != ROUTE_PROJECT_DELETE)) {
        const char *why = NULL;
        if (body_parse_object(req->body.data ? req->body.data : "", req->body.len, &ctx.body,
                              &why) < 0) {
            reply_error(&req->reply, 400, why);
            return;
        }
    }
    projects_handle(req->route, &ctx, &req->reply);
    json_decref(ctx.body);
}

void
request_finish(struct request *req)
{
    struct accesslog_entry e = {
        .request_id = req->id,
        .customer_id = req->customer_id,
        .method = req->method,
        .path = req->path,
        .status = req->reply.status,
        .micros = (int64_t)((now_ns() - req->start_ns) / 1000),
    };
    accesslog_write(&e);
    ra_buf_cleanup(&req->body);
    reply_cleanup(&req->reply);
    ra_free(req);
}

/* Seed request ids with random high bits so ids differ across restarts. */
void
request_ids_init(void)
{
    uint32_t hi;
    char hex[9];
    ra_rand_hex(hex, 4);
    hi = (uint32_t)strtoul(hex, NULL, 16);
    atomic_store(&request_counter, (uint64_t)hi << 32);
}
