/* SPDX-License-Identifier: MIT */
/*
 * admin.c: the admin listener over libmicrohttpd: a second daemon, plain HTTP, one thread per
 * connection (a slow readiness probe of the store never holds up /healthz) and a small
 * connection limit. Each request is answered once it is complete, by gate_admin(); a body is
 * read and dropped.
 */
#include "http/admin.h"

#include "common/alloc.h"
#include "common/log.h"
#include "gate/gate.h"
#include "http/listen.h"
#include "http/queue.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ADMIN_CONNS 32
#define ADMIN_TIMEOUT_S 10
#define ADMIN_POOL (16 * 1024)

struct http_admin {
    struct MHD_Daemon *mhd;
    struct app *app;
};

static const char *
no_field(void *engine, const char *name, int *count)
{
    (void)engine;
    (void)name;
    if (count != NULL)
        *count = 0;
    return NULL;
}

static void
no_fields(void *engine, request_field_fn fn, void *ctx)
{
    (void)engine;
    (void)fn;
    (void)ctx;
}

/* The admin routes read no header field. */
static const struct request_io admin_io = {no_fields, no_field};

static enum MHD_Result
on_admin_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                 const char *version, const char *upload_data, size_t *upload_data_size,
                 void **con_cls)
{
    (void)upload_data;
    struct http_admin *a = cls;
    if (*con_cls == NULL) { /* the header section: wait for the end of any body */
        *con_cls = a;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct request req = {
        .method = method, .target = url, .version = version, .io = &admin_io, .engine = conn};
    gate_admin(a->app, &req);
    enum MHD_Result ret = http_queue_reply(conn, &req);
    reply_cleanup(&req.reply);
    return ret;
}

/* Check and parse cfg->admin_listen into *la; 0 or -EINVAL after logging why. */
static int
admin_address(const struct config *cfg, struct listen_addr *la)
{
    if (listen_parse(cfg->admin_listen, la) < 0 || la->family == AF_UNIX) {
        ra_log(RA_LOG_ERR, "--admin-listen %s: expected ADDR:PORT", cfg->admin_listen);
        return -EINVAL;
    }
    if (!la->loopback)
        ra_log(RA_LOG_WARN,
               "--admin-listen %s is not a loopback address: anyone who can reach it reads "
               "/metrics and /readyz without credentials; keep it on a private network",
               cfg->admin_listen);
    return 0;
}

int
http_admin_start(struct app *app, struct http_admin **out)
{
    struct listen_addr la;
    int rc = admin_address(app->cfg, &la);
    if (rc < 0)
        return rc;
    struct http_admin *a = ra_calloc(1, sizeof(*a));
    if (a == NULL)
        return -ENOMEM;
    a->app = app;
    unsigned int flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    if (la.family == AF_INET6)
        flags |= MHD_USE_IPv6;
    a->mhd =
        MHD_start_daemon(flags, 0, NULL, NULL, on_admin_request, a, MHD_OPTION_SOCK_ADDR, &la.u.sa,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned int)ADMIN_CONNS,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)ADMIN_TIMEOUT_S,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)ADMIN_POOL, MHD_OPTION_END);
    if (a->mhd == NULL) {
        ra_log(RA_LOG_ERR, "cannot listen on --admin-listen %s", app->cfg->admin_listen);
        ra_free(a);
        return -EADDRINUSE;
    }
    char host[64];
    listen_host(&la, host, sizeof(host));
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "restauthd: admin listening on http://%s:%u\n", host, info ? info->port : 0);
    fflush(stderr);
    *out = a;
    return 0;
}

void
http_admin_stop(struct http_admin *a)
{
    if (a == NULL)
        return;
    MHD_stop_daemon(a->mhd);
    ra_free(a);
}
