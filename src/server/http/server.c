/* SPDX-License-Identifier: MIT */
/*
 * server.c: the engine adapter over h2o's library (libh2o-evloop, OpenSSL): the listener,
 * the event loops (one per worker thread), TLS and its reload, the drain at stop. Each
 * connection is served by conn.c; everything above sees the engine-neutral struct request
 * (request/request.h) and the pipeline (gate/gate.h).
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "http/server.h"

#include "common/alloc.h"
#include "http/admin.h"
#include "common/log.h"
#include "gate/gate.h"
#include "http/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Connections waiting to be accepted. */
#define LISTEN_BACKLOG 1024

/* Connections one loop accepts per wake-up: a few, so that new connections spread over the
 * loops and a loop goes back to the handshakes and requests it has. */
#define ACCEPT_BATCH 4

/* How long a loop waits for events before it looks at the drain and stop flags (ms). */
#define LOOP_TICK_MS 50

/* The default number of event loops: one per CPU this process may run on (its affinity mask,
 * which taskset, cpusets and container limits narrow), else one per online CPU. More loops
 * than CPUs only take turns and lengthen every connection's wait. */
static long
default_threads(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

static void
on_accept(h2o_socket_t *listener, const char *err)
{
    struct worker *w = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        conn_accept(w, sock);
    }
}

/* The drain, seen from one loop: stop accepting and close the connections that wait. */
static void
drain(struct worker *w)
{
    if (w->listener != NULL) {
        h2o_socket_read_stop(w->listener);
        h2o_socket_close(w->listener);
        w->listener = NULL;
    }
    conn_close_idle(w);
    if (w->s->tls_on)
        h2o_context_request_shutdown(&w->h2);
    w->drained = true;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct http_server *s = w->s;
    while (!atomic_load(&s->stopping)) {
        h2o_evloop_run(w->loop, LOOP_TICK_MS);
        if (atomic_load(&s->draining) && !w->drained)
            drain(w);
    }
    if (!w->drained)
        drain(w);
    conn_close_all(w);
    for (int i = 0; i < 4; i++) /* let closing sockets finish */
        h2o_evloop_run(w->loop, 0);
    tls13_ciphers_free(&w->ciphers);
    ra_free(w->spare);
    w->spare = NULL;
    /* The loop and its HTTP/2 context stay: h2o 2.2.5 can destroy neither (tests/lsan.supp). */
    return NULL;
}

/* h2o 2.2.5 cannot destroy an event loop: what a loop allocates for itself lives as long as
 * the process. In sanitizer builds those allocations are kept out of the leak report. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RA_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RA_LSAN 1
#endif
#ifdef RA_LSAN
#include <sanitizer/lsan_interface.h>
#define PROCESS_LONG_BEGIN() __lsan_disable()
#define PROCESS_LONG_END() __lsan_enable()
#else
#define PROCESS_LONG_BEGIN() ((void)0)
#define PROCESS_LONG_END() ((void)0)
#endif

/* Set up w's loop and its timeouts. */
static void
loop_init(struct http_server *s, struct worker *w)
{
    const struct config *cfg = s->cfg;
    PROCESS_LONG_BEGIN();
    w->s = s;
    w->loop = h2o_evloop_create();
    h2o_linklist_init_anchor(&w->conns);
    h2o_timeout_init(w->loop, &w->head_timeout, (uint64_t)cfg->header_timeout * 1000);
    h2o_timeout_init(w->loop, &w->body_timeout, (uint64_t)cfg->body_timeout * 1000);
    h2o_timeout_init(w->loop, &w->idle_timeout, (uint64_t)cfg->idle_timeout * 1000);
    if (s->tls_on) {
        h2o_context_init(&w->h2, w->loop, &s->h2);
        w->h2_accept.ctx = &w->h2;
        w->h2_accept.hosts = s->h2.hosts;
        if (tls13_ciphers_init(&w->ciphers) < 0) /* then every connection keeps OpenSSL */
            ra_log(RA_LOG_WARN, "TLS record contexts unavailable; connections keep OpenSSL's");
    }
    PROCESS_LONG_END();
}

/* Set up w's loop and its own duplicate of the listening socket. */
static int
worker_init(struct http_server *s, struct worker *w)
{
    if (s->tls != NULL) { /* the context checked at start goes to the first loop */
        w->tls = s->tls;
        s->tls = NULL;
    } else if (s->tls_on) { /* each loop has its own (tls13.h: its key log is switched per step) */
        int rc = tls_context(s->cfg, &w->tls);
        if (rc == 0) /* and the first loop's ticket keys */
            rc = tls_share_ticket_keys(s->workers[0].tls, w->tls);
        if (rc < 0)
            return rc;
    }
    loop_init(s, w);
    int fd = fcntl(s->listen_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    w->listener = h2o_evloop_socket_create(w->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    w->listener->data = w;
    h2o_socket_read_start(w->listener, on_accept);
    return 0;
}

static void
free_server(struct http_server *s)
{
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->unix_socket)
        listen_unix_remove(&s->unix_file);
    if (s->tls != NULL)
        SSL_CTX_free(s->tls);
    for (int i = 0; s->workers != NULL && i < s->nworkers; i++)
        SSL_CTX_free(s->workers[i].tls);
    if (s->h2_ready)
        h2o_config_dispose(&s->h2);
    peers_cleanup(&s->peers);
    pthread_mutex_destroy(&s->tls_lock);
    ra_free(s->workers);
    ra_free(s);
}

/* Bind the listening socket of la into s->listen_fd; 0 or a negative code after logging. */
static int
bind_listener(struct http_server *s, const struct listen_addr *la, mode_t mode)
{
    if (la->family == AF_UNIX) {
        s->listen_fd = listen_unix_logged(s->cfg, la, mode, LISTEN_BACKLOG, &s->unix_file);
        s->unix_socket = s->listen_fd >= 0;
    } else {
        s->listen_fd = listen_tcp(la, LISTEN_BACKLOG);
        if (s->listen_fd < 0)
            ra_log(RA_LOG_ERR, "cannot listen on %s: %s", s->cfg->listen, strerror(-s->listen_fd));
    }
    return s->listen_fd < 0 ? s->listen_fd : 0;
}

/* Print the listening line (with the port the system chose for port 0). */
static void
announce(const struct http_server *s, const struct listen_addr *la)
{
    char host[sizeof(la->u.un.sun_path) + 8];
    listen_host(la, host, sizeof(host));
    if (la->family == AF_UNIX) {
        fprintf(stderr, "restauthd: listening on %s (http)\n", host);
    } else {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        unsigned port = 0;
        if (getsockname(s->listen_fd, (struct sockaddr *)&ss, &len) == 0)
            port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                  : ((struct sockaddr_in *)&ss)->sin_port);
        fprintf(stderr, "restauthd: %slistening on %s://%s:%u\n", s->admin ? "admin " : "",
                s->tls_on ? "https" : "http", host, port);
    }
    fflush(stderr);
}

/* Raise the soft limit on open files to what --max-conns needs (as far as the hard limit
 * allows), and warn when it stays below. */
static void
raise_nofile(const struct config *cfg)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)cfg->max_conns + 64; /* the listener, the store, the logs */
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < want)
        ra_log(RA_LOG_WARN,
               "--max-conns %ld: the limit on open files is %llu; connections past it are refused",
               cfg->max_conns, (unsigned long long)rl.rlim_cur);
}

/* Start n worker loops; 0 or a negative errno (the started ones are stopped). */
static int
start_workers(struct http_server *s, long n)
{
    s->nworkers = n > 0 ? (int)n : 1;
    s->workers = ra_calloc((size_t)s->nworkers, sizeof(*s->workers));
    if (s->workers == NULL)
        return -ENOMEM;
    for (int i = 0; i < s->nworkers; i++) {
        int rc = worker_init(s, &s->workers[i]);
        if (rc == 0)
            rc = -pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]);
        if (rc < 0) {
            atomic_store(&s->stopping, true);
            for (int j = 0; j < i; j++)
                pthread_join(s->workers[j].thread, NULL);
            return rc;
        }
    }
    return 0;
}

/* A server with nothing open yet: `max_conns` connections, `per_ip` per client address. */
static struct http_server *
new_server(struct app *app, long max_conns, long per_ip)
{
    struct http_server *s = ra_calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->app = app;
    s->cfg = app->cfg;
    s->listen_fd = -1;
    s->max_conns = max_conns;
    pthread_mutex_init(&s->tls_lock, NULL);
    peers_init(&s->peers, per_ip);
    return s;
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
    if ((rc = listen_check(cfg, &la, &mode)) < 0)
        return rc;
    struct http_server *s = new_server(app, cfg->max_conns, cfg->max_conns_per_ip);
    if (s == NULL)
        return -ENOMEM;
    signal(SIGPIPE, SIG_IGN); /* a peer gone mid-write is an error return, not a signal */
    raise_nofile(cfg);
    if ((rc = tls_context(cfg, &s->tls)) < 0 || (rc = bind_listener(s, &la, mode)) < 0) {
        free_server(s);
        return rc;
    }
    s->tls_on = s->tls != NULL;
    if (s->tls_on && (rc = h2_setup(s)) < 0) {
        free_server(s);
        return rc;
    }
    gate_ids_init(app);
    long threads = cfg->threads > 0 ? cfg->threads : default_threads();
    if ((rc = start_workers(s, threads)) < 0) {
        ra_log(RA_LOG_ERR, "cannot start the HTTP workers: %s", strerror(-rc));
        free_server(s);
        return rc;
    }
    announce(s, &la);
    *out = s;
    return 0;
}

int
http_serve_socket(struct app *app, int fd, int timeout_ms)
{
    /* One loop per calling thread, made at its first call and kept (the library's loop
     * cannot be destroyed without leaking its descriptor). */
    static _Thread_local struct worker w;
    static _Thread_local struct http_server *s;
    if (s == NULL) {
        s = new_server(app, app->cfg->max_conns, app->cfg->max_conns_per_ip);
        if (s == NULL) {
            close(fd);
            return -ENOMEM;
        }
        loop_init(s, &w);
    }
    s->app = app;
    conn_accept(&w, h2o_evloop_socket_create(w.loop, fd, 0));
    int waited = 0;
    for (; waited < timeout_ms && w.conns.next != &w.conns; waited += 10)
        h2o_evloop_run(w.loop, 10);
    conn_close_all(&w);
    for (int i = 0; i < 4; i++)
        h2o_evloop_run(w.loop, 0);
    return waited < timeout_ms ? 0 : -ETIMEDOUT;
}

int
http_server_reload_tls(struct http_server *s)
{
    if (s == NULL)
        return -EINVAL;
    if (!s->tls_on)
        return 0; /* plain HTTP: no certificate to read */
    SSL_CTX **fresh = ra_calloc((size_t)s->nworkers, sizeof(*fresh));
    if (fresh == NULL)
        return -ENOMEM;
    int rc = 0;
    for (int i = 0; i < s->nworkers && rc == 0; i++) {
        rc = tls_context(s->cfg, &fresh[i]); /* logged; the current certificate stays */
        if (rc == 0)                         /* sessions resume across the reload */
            rc = tls_share_ticket_keys(s->workers[0].tls, fresh[i]);
    }
    if (rc == 0) {
        pthread_mutex_lock(&s->tls_lock);
        for (int i = 0; i < s->nworkers; i++) {
            SSL_CTX *old = s->workers[i].tls;
            s->workers[i].tls = fresh[i];
            fresh[i] = old;
        }
        pthread_mutex_unlock(&s->tls_lock);
        ra_log(RA_LOG_INFO, "reloaded --tls-cert %s and --tls-key %s", s->cfg->tls_cert,
               s->cfg->tls_key);
    }
    for (int i = 0; i < s->nworkers; i++) /* the old contexts, or the new after a failure; */
        SSL_CTX_free(fresh[i]);           /* connections hold their own references */
    ra_free(fresh);
    return rc;
}

void
http_server_stop(struct http_server *s, int grace_ms)
{
    if (s == NULL)
        return;
    atomic_store(&s->draining, true);
    if (s->unix_socket) { /* no new connections: the socket's file goes now */
        listen_unix_remove(&s->unix_file);
        s->unix_socket = false;
    }
    for (int waited = 0; waited < grace_ms && atomic_load(&s->inflight) > 0; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    atomic_store(&s->stopping, true);
    for (int i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i].thread, NULL);
    free_server(s);
}

/* ---- the admin listener ---- */

/* Connections of the admin listener, and its loops: one slow readiness probe of the store
 * holds up one loop, never the other. */
#define ADMIN_CONNS 32
#define ADMIN_LOOPS 2

struct http_admin {
    struct http_server *s;
};

int
http_admin_start(struct app *app, struct http_admin **out)
{
    struct listen_addr la;
    int rc = listen_admin_parse(app->cfg, &la);
    if (rc < 0)
        return rc;
    struct http_admin *a = ra_calloc(1, sizeof(*a));
    struct http_server *s = a != NULL ? new_server(app, ADMIN_CONNS, ADMIN_CONNS) : NULL;
    if (s == NULL) {
        ra_free(a);
        return -ENOMEM;
    }
    s->admin = true;
    a->s = s;
    if ((s->listen_fd = listen_tcp(&la, LISTEN_BACKLOG)) < 0 ||
        (rc = start_workers(s, ADMIN_LOOPS)) < 0) {
        rc = s->listen_fd < 0 ? s->listen_fd : rc;
        ra_log(RA_LOG_ERR, "cannot listen on --admin-listen %s: %s", app->cfg->admin_listen,
               strerror(-rc));
        free_server(s);
        ra_free(a);
        return rc;
    }
    announce(s, &la);
    *out = a;
    return 0;
}

void
http_admin_stop(struct http_admin *a)
{
    if (a == NULL)
        return;
    http_server_stop(a->s, 0);
    ra_free(a);
}
