/* SPDX-License-Identifier: MIT */
/*
 * server.c: the engine adapter over libmicrohttpd: set-up, TLS, and the request life cycle.
 * This folder is the only place that knows libmicrohttpd; everything above it sees the
 * engine-neutral struct request (request/request.h) and the pipeline (gate/gate.h).
 *
 * libmicrohttpd calls on_request at least twice per request: first once the header section is
 * in (the pipeline's head stage runs, but nothing is queued, which keeps keep-alive working),
 * then with each piece of body, then once more with no data, when the response is queued.
 * on_completed ends the request (access-log line) and frees it.
 */
#include "http/server.h"

#include "common/alloc.h"
#include "common/log.h"
#include "gate/gate.h"
#include "http/listen.h"
#include "http/queue.h"
#include "http/tls.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* How much of an over-limit chunked body is read and dropped before the connection is cut. */
#define DRAIN_MAX (1024 * 1024)

/* Connections waiting to be accepted. */
#define LISTEN_BACKLOG 1024

struct http_server {
    struct MHD_Daemon *mhd;
    struct app *app;
    char *tls_cert;
    char *tls_key;
    atomic_long inflight;
    int unix_fd;                  /* the Unix socket bound here, or -1 */
    struct listen_file unix_file; /* its file, removed at stop */
};

/*
 * A request as this adapter allocates it: the engine-neutral request, what each_field needs
 * of the connection, and the request-target copied as received (libmicrohttpd decodes its own
 * copy in place once the URI log callback has run).
 */
struct mhd_request {
    struct request req;
    struct MHD_Connection *conn;
    const char *head_end; /* the byte after the header section in the read buffer, or NULL */
    char raw_target[];
};

struct field_scan {
    request_field_fn fn;
    void *ctx;
    const char *key; /* the field held back until the next one shows where it ends */
    size_t key_size;
    const char *value;
    bool held;
    bool stop;
};

/*
 * The length of a value as received. libmicrohttpd 0.9.75 parses header lines in place in its
 * read buffer, overwrites each line's CR and LF with NUL and gives a value's length up to its
 * first NUL, so a NUL inside a value would silently cut it. The line really runs on to `next`
 * (the next field's name, or the end of the header section), less the NULs of its line end
 * (`ends` at most: 2 for CRLF, 4 with the empty line that closes the section). A NUL just before
 * a bare LF cannot be told from a CR and is not seen.
 */
static size_t
received_length(const char *value, const char *next, size_t ends)
{
    size_t len = strlen(value);
    if (next == NULL || (uintptr_t)next <= (uintptr_t)value + len)
        return len;
    size_t n = (size_t)((uintptr_t)next - (uintptr_t)value);
    for (size_t t = 0; t < ends && n > len && value[n - 1] == '\0'; t++)
        n--;
    return n;
}

/* Hand the field held back in scan, which ends before `next`, to the pipeline's callback. */
static void
release_field(struct field_scan *scan, const char *next, size_t ends)
{
    if (!scan->held || scan->stop)
        return;
    size_t n = received_length(scan->value, next, ends);
    scan->stop = scan->fn(scan->ctx, scan->key, scan->key_size, scan->value, n) != 0;
    scan->held = false;
}

/* MHD_KeyValueIteratorN: the previous field ends where this one starts; hold this one. */
static enum MHD_Result
pass_field(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
           size_t value_size)
{
    (void)kind;
    (void)value_size;
    struct field_scan *scan = cls;
    release_field(scan, key, 2);
    *scan = (struct field_scan){scan->fn, scan->ctx, key, key_size, value, true, scan->stop};
    return scan->stop ? MHD_NO : MHD_YES;
}

static void
each_field(void *engine, request_field_fn fn, void *ctx)
{
    struct mhd_request *m = engine;
    struct field_scan scan = {.fn = fn, .ctx = ctx};
    MHD_get_connection_values_n(m->conn, MHD_HEADER_KIND, pass_field, &scan);
    release_field(&scan, m->head_end, 4);
}

struct field_find {
    const char *name;
    const char *value;
    int count;
};

/* MHD_KeyValueIterator: count the fields named f->name, keeping the first value. */
static enum MHD_Result
find_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct field_find *f = cls;
    if (strcasecmp(key, f->name) == 0 && f->count++ == 0)
        f->value = value;
    return MHD_YES;
}

static const char *
field(void *engine, const char *name, int *count)
{
    struct mhd_request *m = engine;
    struct field_find f = {name, NULL, 0};
    MHD_get_connection_values(m->conn, MHD_HEADER_KIND, find_field, &f);
    if (count != NULL)
        *count = f.count;
    return f.value;
}

static const struct request_io mhd_io = {each_field, field};

/* MHD_ContentReaderFreeCallback for a NUL-terminated body that holds a secret. */
static void
free_wiped(void *body)
{
    ra_free_secret(body, strlen(body));
}

enum MHD_Result
http_queue_reply(struct MHD_Connection *conn, struct request *req)
{
    struct reply *r = &req->reply;
    struct MHD_Response *resp =
        r->static_body ? MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_PERSISTENT)
                       : MHD_create_response_from_buffer_with_free_callback(
                             r->len, r->body, r->wipe_body ? free_wiped : ra_free);
    if (resp == NULL)
        return MHD_NO;
    r->body = NULL; /* now owned by the response (or static) */
    r->static_body = false;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : "application/json");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    if (r->www_auth)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Basic realm=\"restauth\", charset=\"UTF-8\"");
    if (r->retry_after > 0) {
        char v[16];
        snprintf(v, sizeof(v), "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned int)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/*
 * MHD_OPTION_URI_LOG_CALLBACK: a new request whose request line is in. Its request-target is
 * copied as received, before libmicrohttpd splits and decodes it; the request becomes the
 * connection's con_cls. NULL when out of memory (libmicrohttpd then closes the connection).
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    size_t n = strlen(uri);
    struct mhd_request *m = ra_calloc(1, sizeof(*m) + n + 1);
    if (m == NULL)
        return NULL;
    memcpy(m->raw_target, uri, n + 1);
    m->conn = conn;
    m->req.raw_target = m->raw_target;
    m->req.raw_target_len = n;
    return m;
}

/* The header section is in: fill the rest of the engine view, run the head stage. */
static void
begin(struct http_server *s, struct mhd_request *m, const char *method, const char *version)
{
    struct request *req = &m->req;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(m->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const union MHD_ConnectionInfo *hs =
        MHD_get_connection_info(m->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    m->head_end = hs != NULL ? method + hs->header_size : NULL; /* the request line starts
                                                                 * with the method */
    req->method = method;
    req->version = version;
    req->peer = ci ? ci->client_addr : NULL;
    req->tls = s->tls_cert != NULL;
    req->io = &mhd_io;
    req->engine = m;
    gate_head(s->app, req);
}

/* Metrics: one TLS handshake per TLS connection, counted at its first request, when the
 * connection's flag (its socket context, made by on_connection) is still clear. */
static void
count_handshake(struct http_server *s, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    bool *counted = ci != NULL ? ci->socket_context : NULL;
    if (counted == NULL || *counted)
        return;
    *counted = true;
    gate_tls_handshake(s->app);
}

/* MHD_NotifyConnectionCallback: count connections opened and closed, for metrics; a TLS
 * connection gets a flag for count_handshake (none when metrics are off). */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode code)
{
    (void)conn;
    struct http_server *s = cls;
    bool tls = s->tls_cert != NULL;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = tls && s->app->metrics != NULL ? ra_calloc(1, sizeof(bool)) : NULL;
        gate_conn_open(s->app, tls);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        ra_free(*socket_context);
        *socket_context = NULL;
        gate_conn_close(s->app, tls);
    }
}

/*
 * libmicrohttpd sends no body with the reply to a HEAD request (it keeps the Content-Length
 * of the body it would have sent), so a HEAD reply needs nothing here.
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)url; /* decoded by libmicrohttpd: the pipeline decodes raw_target itself */
    struct http_server *s = cls;
    struct mhd_request *m = *con_cls;
    if (m == NULL)
        return MHD_NO;
    struct request *req = &m->req;
    if (req->app == NULL) {
        count_handshake(s, conn);
        begin(s, m, method, version);
        atomic_fetch_add(&s->inflight, 1);
        /* Refused before its body: answer now (the gate closes) rather than read the body. */
        if (req->reply.status != 0 && req->has_body)
            return http_queue_reply(conn, req);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* libmicrohttpd 0.9.75 cannot answer in the middle of a body: a chunked body that breaks
         * the limit is drained (not stored) and answered at its end, unless it goes on far past
         * the limit, when the connection is simply closed. */
        if (req->reply.status == 0)
            gate_body(req, upload_data, *upload_data_size);
        else if ((req->drained += *upload_data_size) > DRAIN_MAX)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    gate_run(req);
    return http_queue_reply(conn, req);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct http_server *s = cls;
    struct mhd_request *m = *con_cls;
    *con_cls = NULL;
    if (m == NULL)
        return;
    if (m->req.app != NULL) { /* the pipeline ran: its log line, its memory */
        gate_finish(&m->req);
        atomic_fetch_sub(&s->inflight, 1);
    }
    ra_free(m);
}

/* libmicrohttpd's own diagnostics, at debug level: they may quote client input. */
__attribute__((format(printf, 2, 0))) static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    ra_log(RA_LOG_DEBUG, "http: %s", line);
}

static void
free_server(struct http_server *s)
{
    if (s->unix_fd >= 0) {
        close(s->unix_fd);
        listen_unix_remove(&s->unix_file);
    }
    ra_free(s->tls_cert);
    if (s->tls_key != NULL)
        ra_free_secret(s->tls_key, strlen(s->tls_key));
    ra_free(s);
}

/*
 * Start the daemon on an already parsed address, or on the Unix socket bound in s->unix_fd.
 * libmicrohttpd runs at strictness level 0: at level 1, 0.9.75 answers a request without Host
 * with its HTML error twice, so the RFC 9112 checks are made in request.c instead, with JSON
 * bodies.
 */
static struct MHD_Daemon *
start_daemon(struct http_server *s, const struct config *cfg, const struct listen_addr *la)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                         MHD_USE_TURBO | MHD_USE_ERROR_LOG;
    if (la->family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem where[] = {
        s->unix_fd >= 0 ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, s->unix_fd, NULL}
                        : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)&la->u.sa},
        {MHD_OPTION_END, 0, NULL},
    };
    if (s->tls_cert != NULL)
        flags |= MHD_USE_TLS;
    long threads = cfg->threads > 0 ? cfg->threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t pool = (size_t)cfg->max_header + 8192;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key},
        {MHD_OPTION_HTTPS_PRIORITIES, 0,
         (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, where, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)(threads > 0 ? threads : 1), MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)cfg->max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned int)cfg->max_conns_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)cfg->idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
        MHD_OPTION_STRICT_FOR_CLIENT, (int)0, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
        NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned int)LISTEN_BACKLOG, MHD_OPTION_ARRAY,
        s->tls_cert != NULL ? tls_opts : &tls_opts[3], MHD_OPTION_END);
}

/*
 * Check what cfg asks of the listener at la: plain HTTP only on loopback (unless
 * --insecure-http) or on a Unix socket, which takes no TLS and is the only one to take a
 * --socket-mode (parsed into *mode). 0, or a negative code after logging why.
 */
static int
check_listener(const struct config *cfg, const struct listen_addr *la, mode_t *mode)
{
    bool local = la->family == AF_UNIX;
    if (local && (cfg->tls_cert != NULL || cfg->tls_key != NULL)) {
        ra_log(RA_LOG_ERR,
               "--listen %s: a Unix socket serves plain HTTP to local processes; "
               "drop --tls-cert and --tls-key",
               cfg->listen);
        return -EINVAL;
    }
    if (!local && config_given(cfg, "--socket-mode")) {
        ra_log(RA_LOG_ERR, "--socket-mode applies only to --listen unix:PATH");
        return -EINVAL;
    }
    if (local && listen_mode_parse(cfg->socket_mode, mode) < 0) {
        ra_log(RA_LOG_ERR, "--socket-mode %s: expected an octal mode such as 0660",
               cfg->socket_mode);
        return -EINVAL;
    }
    if (cfg->tls_cert == NULL && !la->loopback && !local && !cfg->insecure_http) {
        ra_log(RA_LOG_ERR,
               "refusing plain HTTP on %s: Basic credentials would cross the "
               "network in the clear; give --tls-cert and --tls-key "
               "(or --insecure-http)",
               cfg->listen);
        return -EPERM;
    }
    return 0;
}

/* Bind the Unix socket of la into s->unix_fd; 0, or a negative code after logging why. */
static int
bind_unix(struct http_server *s, const struct listen_addr *la, mode_t mode)
{
    int fd = listen_unix(la, mode, LISTEN_BACKLOG, &s->unix_file);
    if (fd < 0) {
        ra_log(RA_LOG_ERR, "cannot listen on %s: %s", s->app->cfg->listen,
               fd == -EADDRINUSE ? "another process listens on it"
               : fd == -EEXIST   ? "a file that is not a socket is in the way"
                                 : strerror(-fd));
        return fd;
    }
    s->unix_fd = fd;
    return 0;
}

int
http_server_start(struct app *app, struct http_server **out)
{
    const struct config *cfg = app->cfg;
    struct listen_addr la;
    mode_t mode = 0;
    int rc = listen_parse(cfg->listen, &la);
    if (rc < 0) {
        ra_log(RA_LOG_ERR, "--listen %s: expected ADDR:PORT or unix:PATH", cfg->listen);
        return rc;
    }
    if ((rc = check_listener(cfg, &la, &mode)) < 0)
        return rc;
    struct http_server *s = ra_calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->app = app;
    s->unix_fd = -1;
    if ((rc = tls_load(cfg, &s->tls_cert, &s->tls_key)) < 0 ||
        (la.family == AF_UNIX && (rc = bind_unix(s, &la, mode)) < 0)) {
        free_server(s);
        return rc;
    }
    gate_ids_init(app);
    s->mhd = start_daemon(s, cfg, &la);
    if (s->mhd == NULL) {
        ra_log(RA_LOG_ERR, "cannot listen on %s", cfg->listen);
        free_server(s);
        return -EADDRINUSE;
    }
    char host[sizeof(la.u.un.sun_path) + 8];
    listen_host(&la, host, sizeof(host));
    if (la.family == AF_UNIX) {
        fprintf(stderr, "restauthd: listening on %s (http)\n", host);
    } else {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
        fprintf(stderr, "restauthd: listening on %s://%s:%u\n", s->tls_cert ? "https" : "http",
                host, info ? info->port : 0);
    }
    fflush(stderr);
    *out = s;
    return 0;
}

void
http_server_stop(struct http_server *s, int grace_ms)
{
    if (s == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->mhd);
    if (fd != MHD_INVALID_SOCKET && fd != s->unix_fd)
        close(fd);
    if (s->unix_fd >= 0) { /* no new connections: the socket and its file go now */
        close(s->unix_fd);
        listen_unix_remove(&s->unix_file);
        s->unix_fd = -1;
    }
    for (int waited = 0; waited < grace_ms && atomic_load(&s->inflight) > 0; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->mhd);
    free_server(s);
}
