/* SPDX-License-Identifier: MIT */
/*
 * serve.c: start-up, the housekeeping loop and shutdown.
 *
 * Three kinds of threads: the engine's serve requests; a sync thread applies the store's
 * change feed as soon as it is told of new rows (PostgreSQL's NOTIFY) or at least every sync
 * interval, writes the node's heartbeat once a second (service/cluster.c) and writes the
 * queued uses of tripwire pairs to the audit log (service/tripwire.c); the main thread does the
 * rest of the housekeeping: once a second it flushes the access log, once a minute it writes
 * last-used times and usage counts and deletes expired console sessions, once an hour it
 * prunes the feed, the audit log and usage, and forgets long-dead nodes. SIGTERM/SIGINT end the
 * loop: the server stops accepting, lets in-flight requests finish, writes what is pending and
 * exits 0. SIGHUP reloads the settings that can change live and the TLS pair (reload.c); SIGUSR1
 * reopens the access log.
 *
 * With --user, root is left once the ports are bound and the key, the certificate, the store
 * and the access log are open (privdrop.c). Under systemd (Type=notify) the service manager is
 * told when the server is ready, reloading and stopping, with a status line.
 */
#include "serve.h"

#include "admin.h"
#include "app.h"
#include "service/credtab.h"
#include "common/alloc.h"
#include "common/log.h"
#include "http/admin.h"
#include "http/server.h"
#include "privdrop.h"
#include "reload.h"
#include "request/body.h"
#include "service/accesslog.h"
#include "service/cluster.h"
#include "service/metrics.h"
#include "service/tripwire.h"
#include "service/usage.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#define FLUSH_LAST_USED_S 60
#define GRACE_MS 10000

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define PRUNE_EVERY_S 3600

struct sync_thread {
    struct app *app;
    pthread_t tid;
    atomic_bool stop;
};

/* Wait for news of the feed: the store's push when it has one, else the sync interval. */
static void
wait_for_changes(struct app *app)
{
    long interval = app->cfg->sync_interval_ms;
    struct store *st = app->store;
    if (st->ops->feed_wait != NULL &&
        st->ops->feed_wait(st->priv, (int)(interval < CLUSTER_BEAT_MS ? interval : 250)) >= 0)
        return;
    struct timespec ts = {interval / 1000, (interval % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* The sync thread: apply the feed, beat once a second, until told to stop. */
static void *
sync_main(void *arg)
{
    struct sync_thread *t = arg;
    prctl(PR_SET_NAME, "ra-sync", 0, 0, 0); /* so that tools can tell its CPU apart */
    int64_t last_beat = 0;
    int failures = 0, trip_failures = 0;
    while (!atomic_load(&t->stop)) {
        if (cluster_step(t->app) < 0 && failures++ == 0)
            ra_log(RA_LOG_WARN, "cannot read the change feed; will retry");
        else
            failures = 0;
        int64_t now = mono_ms();
        if (now - last_beat >= CLUSTER_BEAT_MS && cluster_beat(t->app) == 0)
            last_beat = now;
        if (tripwire_drain(t->app) < 0 && trip_failures++ == 0)
            ra_log(RA_LOG_WARN, "cannot record tripwire uses in the audit log; will retry");
        else
            trip_failures = 0;
        wait_for_changes(t->app);
    }
    return NULL;
}

/* Tell systemd the status line: serving, and how many credential pairs are loaded. */
static void
notify_status(const struct app *app, const char *state)
{
    sd_notifyf(0, "%s%sSTATUS=serving; %zu credential pairs", state != NULL ? state : "",
               state != NULL ? "\n" : "", credtab_size(app->creds));
}

/* SIGHUP: reload, with systemd told before and after (RELOADING=1 wants the monotonic time
 * of the request). */
static void
reload(struct app *app, struct http_server *http, struct reload_history **history)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
               (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
    reload_settings(app, http, history);
    notify_status(app, "READY=1");
}

/* SIGUSR1: the access log is written to a fresh file at its path (after a rotation). */
static void
reopen_access_log(struct app *app)
{
    int rc = accesslog_reopen(app->log);
    if (rc < 0)
        ra_log(RA_LOG_ERR, "cannot reopen the access log %s: %s; still writing the old file",
               app->cfg->access_log, strerror(-rc));
    else
        ra_log(RA_LOG_INFO, "access log reopened");
}

/* Wait for a stop signal, doing housekeeping meanwhile and answering SIGHUP and SIGUSR1. */
static void
housekeeping_loop(struct app *app, struct http_server *http, const sigset_t *signals,
                  struct reload_history **history)
{
    struct store *st = app->store;
    int64_t last_flush = mono_ms(), last_touch = mono_ms(), last_prune = 0;
    struct timespec tick = {0, 250 * 1000000};
    for (;;) {
        int sig = sigtimedwait(signals, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            return;
        if (sig == SIGHUP)
            reload(app, http, history);
        if (sig == SIGUSR1)
            reopen_access_log(app);
        int64_t now = mono_ms();
        if (now - last_prune >= PRUNE_EVERY_S * 1000) {
            int64_t s_now = app_now_s(app);
            st->ops->feed_prune(st->priv, s_now - CLUSTER_FEED_RETENTION_S);
            st->ops->node_forget(st->priv, app_now_ms(app) - CLUSTER_FORGET_NODE_MS);
            st->ops->audit_prune(st->priv, s_now - app->cfg->audit_retention_days * 86400);
            st->ops->usage_prune(st->priv, s_now - app->cfg->usage_retention_days * 86400);
            last_prune = now;
        }
        if (now - last_flush >= 1000) {
            accesslog_flush(app->log);
            last_flush = now;
        }
        if (now - last_touch >= FLUSH_LAST_USED_S * 1000) {
            if (metrics_store_result(app->metrics, credtab_flush_last_used(app->creds, st)) < 0)
                ra_log(RA_LOG_WARN, "could not record last-used times; will retry");
            if (usage_flush(app->usage, st) < 0)
                ra_log(RA_LOG_WARN, "could not record usage counts; will retry");
            st->ops->session_purge(st->priv, app_now_s(app), app->cfg->session_idle_s);
            notify_status(app, NULL);
            last_touch = now;
        }
    }
}

/* Leave root if --user asks (else warn when serving as root). 0 or a negative code. */
static int
leave_root(const struct config *cfg)
{
    if (cfg->user == NULL) {
        if (geteuid() == 0)
            ra_log(RA_LOG_WARN, "serving as root; --user NAME switches to NAME once listening");
        return 0;
    }
    int rc = privdrop_switch(cfg->user);
    if (rc == 0)
        rc = privdrop_check_store(cfg);
    return rc;
}

/* Everything after the store is open: the app, the listener, the loop, shutdown. */
static int
run_with_store(const struct config *cfg, struct store *st, const unsigned char *key)
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);
    body_wipe_parser_memory();

    struct app app;
    int rc = app_open(&app, cfg, st, key);
    struct http_server *http = NULL;
    struct http_admin *admin = NULL;
    struct sync_thread sync = {.app = &app};
    struct reload_history *history = NULL;
    if (rc == 0)
        rc = http_server_start(&app, &http);
    if (rc == 0 && cfg->admin_listen != NULL && (rc = http_admin_start(&app, &admin)) < 0)
        http_server_stop(http, 0);
    if (rc == 0 && (rc = leave_root(cfg)) < 0) {
        http_admin_stop(admin);
        http_server_stop(http, 0);
    }
    if (rc == 0 && (rc = -pthread_create(&sync.tid, NULL, sync_main, &sync)) < 0) {
        http_admin_stop(admin);
        http_server_stop(http, 0);
    }
    if (rc == 0) {
        ra_log(RA_LOG_INFO, "%zu credential pairs loaded; node %s", credtab_size(app.creds),
               app.node.id);
        notify_status(&app, "READY=1");
        housekeeping_loop(&app, http, &signals, &history);
        atomic_store(&app.draining, true); /* /readyz answers 503 from now on */
        sd_notify(0, "STOPPING=1\nSTATUS=stopping: finishing in-flight requests");
        ra_log(RA_LOG_INFO, "stopping: finishing in-flight requests");
        http_server_stop(http, GRACE_MS);
        http_admin_stop(admin);
        atomic_store(&sync.stop, true);
        pthread_join(sync.tid, NULL);
        credtab_flush_last_used(app.creds, st);
        usage_flush(app.usage, st);
        tripwire_drain(&app);
    }
    app_cleanup(&app);
    reload_history_free(history);
    return rc == 0 ? 0 : 1;
}

int
serve_run(const struct config *cfg)
{
    struct store st;
    unsigned char key[SECRET_KEY_LEN];
    if (admin_open(cfg, &st, key) < 0)
        return 1;
    int code = run_with_store(cfg, &st, key);
    ra_wipe(key, sizeof(key));
    store_close(&st);
    if (code == 0)
        ra_log(RA_LOG_INFO, "stopped");
    return code;
}
