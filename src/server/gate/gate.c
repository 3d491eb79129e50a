/* SPDX-License-Identifier: MIT */
/*
 * gate.c: the request pipeline as one table of phases.
 *
 * Each phase names the stage it runs in (once the header section is in, or once the body is)
 * and the route flags it applies to; a phase returns 0 to let the request go on, or -1 when it
 * has decided the reply. The REST API and the web console go through the same table: a REST
 * route asks for Basic authentication and a rate class, a console route for a session, the
 * same-origin check and the CSRF token, the forward-authentication route (handlers/forward.c)
 * the original request it is asked about and then the REST API's admission. Handlers only
 * ever see admitted requests.
 *
 * Dependencies point one way: the adapter (http/) calls this file; this file calls the route
 * tables and checks of the REST handlers (handlers/) and of the console (console/), and the
 * services below them (auth/, service/).
 */
#include "gate/gate.h"

#include "app.h"
#include "auth/basic.h"
#include "service/audit.h"
#include "service/credtab.h"
#include "service/tripwire.h"
#include "service/usage.h"
#include "common/alloc.h"
#include "common/rand.h"
#include "common/swar.h"
#include "console/console.h"
#include "handlers/admin_routes.h"
#include "handlers/forward.h"
#include "handlers/routes.h"
#include "request/body.h"
#include "request/uri.h"
#include "service/accesslog.h"
#include "service/accounts.h"
#include "service/cluster.h"
#include "service/limiter.h"
#include "service/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum stage { STAGE_HEAD, STAGE_RUN };

struct phase {
    const char *name;
    enum stage stage;
    unsigned needs; /* route flags that must all be set (0: every request) */
    int (*run)(struct request *req);
};

static uint64_t
mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Copy s into dst (capacity cap), truncating, always NUL-terminated. */
static void
copy_bounded(char *dst, size_t cap, const char *s)
{
    size_t n = strnlen(s, cap - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool
is_console(const struct request *req)
{
    return req->route != NULL && (req->route->flags & ROUTE_CONSOLE) != 0;
}

/* Decide a gateway-style error, {"message":...} (msg is a static string); never a Basic
 * challenge on the console. */
static int
fail(struct request *req, int status, const char *msg, bool close)
{
    req->message = msg;
    reply_message(&req->reply, status, msg);
    req->reply.close = close;
    if (is_console(req))
        req->reply.www_auth = false;
    return -1;
}

/* Decide an application error: {"status":"error",...} on the REST API, the console's
 * {"message":...} on the console. */
static int
fail_app(struct request *req, int status, const char *msg)
{
    if (is_console(req))
        return fail(req, status, msg, false);
    reply_error(&req->reply, status, msg);
    return -1;
}

/* True when `value` is exactly the transfer coding "chunked" (any case, trailing blanks). */
static bool
is_chunked(const char *value, size_t len)
{
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    return len == 7 && strncasecmp(value, "chunked", 7) == 0;
}

/* 0x80 in each lane of x that a field value may not hold: a control but HTAB, or DEL (RFC 9110
 * section 5.5). Bytes 0x80-0xFF (obs-text) are allowed. */
static inline uint64_t
ctl_lanes(uint64_t x)
{
    return ra_lanes_ctl(x) & ~ra_lanes_eq(x, '\t');
}

/* request_field_fn: note what the strict checks need about one header field. */
static int
scan_field(void *ctx, const char *name, size_t name_len, const char *value, size_t value_len)
{
    struct request_fields *h = ctx;
    h->bytes += name_len + value_len + 4;
    /* Flags are ORed over the bytes and stored once: a branch and a store per byte cost more
     * than the test, on every field of every request. */
    unsigned blank = 0, ctl = 0;
    for (size_t i = 0; i < name_len; i++)
        blank |= (unsigned)(name[i] == ' ') | (unsigned)(name[i] == '\t');
    size_t i = 0;
    for (; i + 8 <= value_len; i += 8)
        ctl |= ctl_lanes(ra_lanes_load(value + i)) != 0;
    for (; i < value_len; i++) { /* controls but HTAB: RFC 9110 section 5.5 */
        unsigned char c = (unsigned char)value[i];
        ctl |= ((unsigned)(c < 0x20) & (unsigned)(c != '\t')) | (unsigned)(c == 0x7f);
    }
    h->bad_name |= blank != 0;
    h->ctl |= ctl != 0;
    if (name_len == 13 && strncasecmp(name, "Authorization", 13) == 0) {
        h->auth_count++;
        h->auth = value;
        h->auth_len = value_len;
    } else if (name_len == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
        if (h->cl_count++ > 0 && strcmp(h->content_length, value) != 0)
            h->cl_conflict = true;
        h->content_length = value;
    } else if (name_len == 17 && strncasecmp(name, "Transfer-Encoding", 17) == 0) {
        h->te_chunked = !h->has_te && is_chunked(value, value_len); /* a second one adds one */
        h->has_te = true;
    } else if (name_len == 4 && strncasecmp(name, "Host", 4) == 0) {
        h->host_count++;
    } else if (name_len == 12 && strncasecmp(name, "Content-Type", 12) == 0) {
        h->content_type = value;
    } else if (name_len == 15 && strncasecmp(name, "X-Forwarded-For", 15) == 0) {
        h->forwarded_for = value;
    } else if (name_len == 17 && strncasecmp(name, "X-Forwarded-Proto", 17) == 0) {
        h->forwarded_proto = value;
    }
    return 0;
}

/*
 * Phase: the request line and header section against RFC 9112 and the size limit. Only
 * HTTP/1.0 and HTTP/1.1 are spoken (505), and HTTP/2 under HTTP/1.1's rules; a control byte in a
 * field value, a name with a blank, two Authorization or Host fields, no Host in HTTP/1.1,
 * conflicting framing or Transfer-Encoding in HTTP/1.0 are 400; a transfer coding other than a lone
 * "chunked" is 501. Each closes the connection: what follows the header section cannot be trusted.
 */
static int
phase_strict(struct request *req)
{
    struct request_fields *h = &req->fields;
    req->io->each_field(req->engine, scan_field, h);
    req->has_body = h->has_te || (h->content_length != NULL && strcmp(h->content_length, "0") != 0);
    /* HTTP/2 (by ALPN) follows HTTP/1.1's rules here: the adapter makes Host from :authority. */
    bool http11 = strcmp(req->version, "HTTP/1.1") == 0 || strcmp(req->version, "HTTP/2") == 0;
    if (!http11 && strcmp(req->version, "HTTP/1.0") != 0)
        return fail(req, 505, "HTTP Version Not Supported", true);
    if (h->bad_name || h->ctl || h->auth_count > 1 || h->cl_conflict ||
        (h->has_te && (h->cl_count > 0 || !http11)) || h->host_count > 1 ||
        (http11 && h->host_count == 0))
        return fail(req, 400, "Bad Request", true);
    if (h->has_te && !h->te_chunked)
        return fail(req, 501, "Transfer-Encoding not implemented", true);
    if (h->bytes > (size_t)req->app->cfg->max_header)
        return fail(req, 431, "Request header fields too large", true);
    return 0;
}

/*
 * Decode the raw target into req->target (its path) and req->query; the access log names the
 * decoded path, never the scheme, authority (userinfo) or query. A target that cannot be
 * decoded leaves req->target NULL (phase_target refuses it) and logs its raw path when it is
 * in origin form, else "-".
 */
static void
decode_target(struct request *req)
{
    const char *raw = req->raw_target != NULL ? req->raw_target : "";
    size_t len = req->raw_target != NULL ? req->raw_target_len : 0;
    const char *query = NULL;
    size_t query_len = 0;
    int n = -EINVAL;
    req->target_buf = len + 2 <= sizeof(req->target_short) ? req->target_short : ra_malloc(len + 2);
    if (req->target_buf != NULL && len == 1 && raw[0] == '*') {
        memcpy(req->target_buf, "*", 2); /* OPTIONS *: routes nowhere */
        n = 1;
    } else if (req->target_buf != NULL) {
        n = uri_split_target(raw, len, req->target_buf, len + 2, &query, &query_len);
    }
    if (n >= 0 && (query == NULL || query_parse(&req->query, query, query_len) == 0)) {
        req->target = req->target_buf;
        copy_bounded(req->log_path, sizeof(req->log_path), req->target);
        return;
    }
    size_t k = 0;
    while (k < len && k < sizeof(req->log_path) - 1 && raw[0] == '/' && raw[k] != '?')
        k++;
    memcpy(req->log_path, k > 0 ? raw : "-", k > 0 ? k : 1);
    req->log_path[k > 0 ? k : 1] = '\0';
}

/* Release what decode_target() made. */
static void
release_target(struct request *req)
{
    query_cleanup(&req->query);
    if (req->target_buf != req->target_short)
        ra_free(req->target_buf);
    req->target_buf = NULL;
    req->target = NULL;
}

/* Phase: a target that decode_target() could not read (a bad escape, an encoded NUL, a form
 * that is neither origin nor absolute) matches no route and no parameter. */
static int
phase_target(struct request *req)
{
    return req->target == NULL ? fail(req, 400, "Bad Request", true) : 0;
}

/* Parse the IP address text[0..n) (no port) into *out. */
static bool
parse_ip(const char *text, size_t n, struct sockaddr_storage *out)
{
    char buf[INET6_ADDRSTRLEN];
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    memset(out, 0, sizeof(*out));
    struct sockaddr_in *in = (struct sockaddr_in *)out;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, buf, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        return true;
    }
    return false;
}

/* The last address of an X-Forwarded-For value (the one our proxy added) into *out. */
static bool
last_forwarded(const char *value, struct sockaddr_storage *out)
{
    const char *p = strrchr(value, ',');
    p = p != NULL ? p + 1 : value;
    p += strspn(p, " \t");
    size_t n = strcspn(p, " \t");
    return p[n + strspn(p + n, " \t")] == '\0' && parse_ip(p, n, out);
}

/* True when the connection comes from the --trusted-proxy address, or over a Unix socket
 * (only local processes with access to the socket file can connect, such as a proxy). */
static bool
from_trusted_proxy(const struct request *req)
{
    unsigned char peer[16];
    if (req->peer != NULL && req->peer->sa_family == AF_UNIX)
        return true;
    return req->app->has_trusted_proxy && limiter_addr_bytes(req->peer, peer) &&
           memcmp(peer, req->app->trusted_proxy, sizeof(peer)) == 0;
}

/* Phase: behind the --trusted-proxy balancer, the client and scheme it names. */
static int
phase_forwarded(struct request *req)
{
    if (!from_trusted_proxy(req))
        return 0;
    const char *xff = req->fields.forwarded_for; /* noted by the strict phase's one scan */
    if (xff != NULL && last_forwarded(xff, &req->client))
        req->peer = (const struct sockaddr *)&req->client;
    const char *proto = req->fields.forwarded_proto;
    if (proto != NULL)
        req->tls = strcasecmp(proto, "https") == 0;
    return 0;
}

/* Phase: find the route, REST first, then forward authentication's, then the console's; 404
 * for anything else. The route gives the rate class, counted at --rate-limit. */
static int
phase_route(struct request *req)
{
    size_t len = 0;
    const char *path = router_path(req->target, &len);
    if (path != NULL)
        req->route = router_match(rest_routes, rest_routes_count, req->method, path, len, NULL);
    if (req->route == NULL && path != NULL)
        req->route =
            router_match(forward_routes, forward_routes_count, req->method, path, len, NULL);
    if (req->route == NULL && path != NULL)
        req->route = console_route(req->method, path, len);
    if (req->route == NULL)
        return fail(req, 404, "no Route matched with those values", false);
    req->rate_class = req->route->rate_class;
    req->rate_limit = req->app->cfg->rate_limit;
    return 0;
}

/*
 * Take one unit of `limit` for key: this node counts against its share of the cluster-wide
 * limit (service/cluster.c), which is the whole limit on a single node. A share of nothing
 * refuses for `none_wait` seconds. 0, or the seconds to wait.
 */
static int
take(struct limiter *l, uint64_t key, long limit, int64_t now_ms, long share, int none_wait)
{
    if (limit > 0 && share < 0)
        return none_wait;
    return limiter_take(l, key, share, now_ms);
}

/* What a failed authentication counts as in /metrics (only worked out when metrics are on). */
static enum metrics_auth_reason
auth_reason(const struct app *app, const struct basic_cred *cred, bool parsed, int rc)
{
    if (!parsed)
        return METRICS_AUTH_MALFORMED;
    if (app->metrics == NULL || rc == 0)
        return METRICS_AUTH_WRONG_SECRET;
    switch (rc) {
    case -EPERM:
        return METRICS_AUTH_TRIPWIRE;
    case -EKEYREVOKED:
        return METRICS_AUTH_DISABLED;
    case -EKEYEXPIRED:
        return METRICS_AUTH_EXPIRED;
    default:
        return credtab_has(app->creds, cred->id, cred->id_len) ? METRICS_AUTH_WRONG_SECRET
                                                               : METRICS_AUTH_UNKNOWN_ID;
    }
}

/*
 * Phase: Basic authentication against the in-memory credential table. A valid pair always
 * goes through. A failure is counted against the client's address; past --auth-fail-limit
 * failures in a minute, wrong pairs from that address get 429 (and the connection is closed)
 * instead of 401 until the minute is over. Over a Unix socket the address is the one the
 * proxy names in X-Forwarded-For (phase_forwarded); without one, all of the socket's
 * clients count as one.
 */
static int
phase_basic(struct request *req)
{
    const struct app *app = req->app;
    const struct request_fields *h = &req->fields;
    struct basic_cred cred;
    int rc = basic_parse(h->auth ? h->auth : "", h->auth ? h->auth_len : 0, &cred);
    if (rc == BASIC_ABSENT) {
        metrics_auth_failure(app->metrics, METRICS_AUTH_MISSING);
        return fail(req, 401, "Unauthorized", false);
    }
    int64_t now = app_now_s(app);
    bool parsed = rc == BASIC_OK;
    if (parsed)
        rc = credtab_verify(app->creds, &cred, now, &req->acct, req->customer_id);
    enum metrics_auth_reason why = auth_reason(app, &cred, parsed, rc);
    basic_cred_wipe(&cred);
    if (rc == 0) {
        req->account_id = req->acct->id;
        usage_count(app->usage, req->customer_id, req->rate_class, now);
        return 0;
    }
    if (rc == -EPERM) { /* a tripwire: reported, then refused as a wrong secret */
        char addr[STORE_ADDRESS_MAX + 1];
        tripwire_report(app, req->customer_id, req->acct->id,
                        audit_address(req->peer, addr, sizeof(addr)));
        req->customer_id[0] = '\0'; /* not a verified pair: the access log names none */
        req->acct = NULL;
    }
    uint64_t key = limiter_addr_key(app->auth_fails, req->peer);
    if (key == 0 && req->peer != NULL && req->peer->sa_family == AF_UNIX)
        key = limiter_key(app->auth_fails, 'u', "unix", 4); /* no X-Forwarded-For: the proxy
                                                             * behind the socket is one client */
    int wait = take(app->auth_fails, key, app->cfg->auth_fail_limit, app_now_ms(app),
                    cluster_share(app, app->cfg->auth_fail_limit), 60);
    if (wait > 0) {
        metrics_auth_failure(app->metrics, METRICS_AUTH_THROTTLED);
        fail(req, 429, "Too many failed authentication attempts", true);
        req->reply.retry_after = wait;
        return -1;
    }
    metrics_auth_failure(app->metrics, why);
    return fail(req, 401, "Invalid authentication credentials", false);
}

/* Phase: the request's rate class allows so many requests per second per account
 * (--rate-limit, or a --forward-limit rule). */
static int
phase_rate(struct request *req)
{
    const struct app *app = req->app;
    if (req->rate_limit <= 0)
        return 0; /* off: no key to hash */
    unsigned char id[sizeof(int64_t) + 64];
    size_t n = strnlen(req->rate_class, 64);
    memcpy(id, &req->account_id, sizeof(int64_t));
    memcpy(id + sizeof(int64_t), req->rate_class, n);
    uint64_t key = limiter_key(app->rate, 'r', id, sizeof(int64_t) + n);
    int wait = take(app->rate, key, req->rate_limit, app_now_ms(app),
                    cluster_share(app, req->rate_limit), 1);
    if (wait <= 0)
        return 0;
    metrics_rate_limited(app->metrics);
    fail(req, 429, "API rate limit exceeded", false);
    req->reply.retry_after = wait;
    return -1;
}

/* Phase: the size and media type of a body, before any of it is read. */
static int
phase_body_limits(struct request *req)
{
    const struct request_fields *h = &req->fields;
    long max = is_console(req) ? CONSOLE_MAX_BODY : req->app->cfg->max_body;
    if (h->content_length != NULL) {
        char *end = NULL;
        unsigned long long n = strtoull(h->content_length, &end, 10);
        if (n > (unsigned long long)max)
            return fail(req, 413, "Request body too large", true);
    }
    if (!req->has_body && (req->route->flags & ROUTE_BODY_OPTIONAL))
        return 0; /* the legacy delete may pass its id in the query */
    if (!request_is_json(h->content_type))
        return fail_app(req, 415, "Content-Type must be application/json");
    ra_buf_init_secret(&req->body, (size_t)max);
    return 0;
}

/* Phase: decode the JSON body; the raw bytes are wiped (they may hold a password). */
static int
phase_decode(struct request *req)
{
    if (req->body.len == 0 && (req->route->flags & (ROUTE_BODY_OPTIONAL | ROUTE_EMPTY_BODY_OK)))
        return 0;
    const char *why = NULL;
    int rc =
        body_parse_object(req->body.data ? req->body.data : "", req->body.len, &req->json, &why);
    if (req->body.data != NULL)
        ra_wipe(req->body.data, req->body.len);
    if (rc < 0)
        return fail_app(req, 400, why != NULL ? why : "request body is not valid JSON");
    return 0;
}

/* Phase: the route's handler decides the reply. */
static int
phase_dispatch(struct request *req)
{
    req->route->handler(req);
    return -1;
}

static const struct phase phases[] = {
    {"strict headers", STAGE_HEAD, 0, phase_strict},
    {"request target", STAGE_HEAD, 0, phase_target},
    {"forwarded client", STAGE_HEAD, 0, phase_forwarded},
    {"route", STAGE_HEAD, 0, phase_route},
    {"original request", STAGE_HEAD, ROUTE_ORIGINAL, forward_original},
    {"basic authentication and failure throttle", STAGE_HEAD, ROUTE_BASIC, phase_basic},
    {"rate limit", STAGE_HEAD, ROUTE_BASIC | ROUTE_RATED, phase_rate},
    {"body limits", STAGE_HEAD, ROUTE_BODY, phase_body_limits},
    {"dispatch", STAGE_HEAD, ROUTE_AT_HEAD, phase_dispatch},
    {"same origin", STAGE_RUN, ROUTE_SAME_ORIGIN, console_check_origin},
    {"json body", STAGE_RUN, ROUTE_BODY, phase_decode},
    {"session", STAGE_RUN, ROUTE_SESSION, console_check_session},
    {"csrf token", STAGE_RUN, ROUTE_CSRF, console_check_csrf},
    {"rate limit", STAGE_RUN, ROUTE_SESSION | ROUTE_RATED, phase_rate},
    {"dispatch", STAGE_RUN, 0, phase_dispatch},
};

/* Run the phases of `stage` that apply, until one decides the reply. */
static void
run_stage(struct request *req, enum stage stage)
{
    for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]) && req->reply.status == 0; i++) {
        const struct phase *p = &phases[i];
        if (p->stage != stage)
            continue;
        if (p->needs != 0 && (req->route == NULL || (req->route->flags & p->needs) != p->needs))
            continue;
        if (p->run(req) < 0 && req->reply.status == 0)
            fail(req, 500, "An unexpected error occurred", false);
    }
}

/* Last touches of a decided reply, once: the console's headers, forward authentication's. */
static void
seal(struct request *req)
{
    if (is_console(req))
        console_decorate(req);
    else if (req->route != NULL && (req->route->flags & ROUTE_ORIGINAL) != 0)
        forward_decorate(req);
}

void
gate_head(const struct app *app, struct request *req)
{
    req->app = app;
    req->start_ns = mono_ns();
    uint64_t n = atomic_fetch_add_explicit(&((struct app *)app)->requests, 1, memory_order_relaxed);
    for (int i = 15; i >= 0; i--, n >>= 4)
        req->id[i] = "0123456789abcdef"[n & 15];
    copy_bounded(req->log_method, sizeof(req->log_method), req->method);
    decode_target(req);
    run_stage(req, STAGE_HEAD);
    if (req->reply.status != 0 && req->has_body) {
        req->reply.close = true; /* refused before its body: answer now, never read it */
        seal(req);
    }
}

void
gate_body(struct request *req, const char *data, size_t len)
{
    if (ra_buf_append(&req->body, data, len) < 0) {
        ra_buf_cleanup(&req->body);
        fail(req, 413, "Request body too large", true);
    }
}

void
gate_run(struct request *req)
{
    if (req->reply.status == 0)
        run_stage(req, STAGE_RUN);
    seal(req);
}

void
gate_finish(struct request *req)
{
    const struct route *r = req->route;
    int64_t micros = (int64_t)((mono_ns() - req->start_ns) / 1000);
    metrics_request(req->app->metrics, r, r ? r->method : NULL, r ? r->path : NULL,
                    req->reply.status, micros);
    struct accesslog_entry e = {
        .request_id = req->id,
        .customer_id = req->customer_id,
        .method = req->log_method,
        .path = req->log_path,
        .status = req->reply.status,
        .micros = micros,
    };
    accesslog_write(req->app->log, &e);
    json_decref(req->json);
    req->json = NULL;
    ra_buf_cleanup(&req->body);
    reply_cleanup(&req->reply);
    release_target(req);
    ra_wipe(&req->session, sizeof(req->session));
}

void
gate_ids_init(struct app *app)
{
    char hex[9];
    ra_rand_hex(hex, 4);
    uint32_t hi = (uint32_t)strtoul(hex, NULL, 16);
    atomic_store(&app->requests, (uint64_t)hi << 32);
}

void
gate_admin(const struct app *app, struct request *req)
{
    req->app = app;
    size_t len = 0;
    bool known = false;
    decode_target(req);
    const char *path = req->target != NULL ? router_path(req->target, &len) : NULL;
    const struct route *r = path != NULL ? router_match(admin_routes, admin_routes_count,
                                                        req->method, path, len, &known)
                                         : NULL;
    if (req->target == NULL)
        reply_message(&req->reply, 400, "Bad Request");
    else if (r != NULL)
        r->handler(req);
    else if (known)
        reply_message(&req->reply, 405, "Method not allowed");
    else
        reply_message(&req->reply, 404, "no Route matched with those values");
    req->reply.www_auth = false;
    release_target(req);
}

void
gate_conn_open(const struct app *app, bool tls)
{
    metrics_conn_open(app->metrics, tls);
}

void
gate_conn_close(const struct app *app, bool tls)
{
    metrics_conn_close(app->metrics, tls);
}

void
gate_tls_handshake(const struct app *app)
{
    metrics_tls_handshake(app->metrics);
}
