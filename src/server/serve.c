/* SPDX-License-Identifier: MIT */
/*
 * serve.c: start-up, the housekeeping loop and shutdown.
 *
 * The main thread owns housekeeping while the engine's threads serve requests: every sync
 * interval it asks the store whether another process changed it (then the credential table is
 * rebuilt and cached project lists dropped), once a second it flushes the access log, and once
 * a minute it writes last-used times and deletes expired console sessions. SIGTERM/SIGINT end
 * the loop: the server stops accepting, lets in-flight requests finish, writes what is pending
 * and exits 0.
 */
#include "serve.h"

#include "admin.h"
#include "app.h"
#include "service/credtab.h"
#include "common/alloc.h"
#include "common/log.h"
#include "http/server.h"
#include "request/body.h"
#include "service/accesslog.h"
#include "service/accounts.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#define FLUSH_LAST_USED_S 60
#define GRACE_MS 10000

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Rebuild the credential table if the store changed behind our back. */
static void
sync_changes(struct app *app, int64_t *version)
{
    struct store *st = app->store;
    int64_t v = 0;
    if (st->ops->changes == NULL || st->ops->changes(st->priv, &v) < 0 || v == *version)
        return;
    if (credtab_flush_last_used(app->creds, st) < 0 || credtab_reload(app->creds, st) < 0)
        return; /* retried at the next interval */
    accounts_invalidate_all(app->accounts);
    *version = v;
}

/* Wait for a stop signal, doing housekeeping meanwhile. */
static void
housekeeping_loop(struct app *app, const sigset_t *stop)
{
    const struct config *cfg = app->cfg;
    struct store *st = app->store;
    int64_t version = 0;
    if (st->ops->changes != NULL)
        st->ops->changes(st->priv, &version);
    int64_t last_flush = mono_ms(), last_touch = mono_ms();
    struct timespec tick = {cfg->sync_interval_ms / 1000, (cfg->sync_interval_ms % 1000) * 1000000};
    for (;;) {
        int sig = sigtimedwait(stop, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            return;
        sync_changes(app, &version);
        int64_t now = mono_ms();
        if (now - last_flush >= 1000) {
            accesslog_flush(app->log);
            last_flush = now;
        }
        if (now - last_touch >= FLUSH_LAST_USED_S * 1000) {
            if (credtab_flush_last_used(app->creds, st) < 0)
                ra_log(RA_LOG_WARN, "could not record last-used times; will retry");
            st->ops->session_purge(st->priv, app_now_s(app), cfg->session_idle_s);
            last_touch = now;
        }
    }
}

/* Everything after the store is open: the app, the listener, the loop, shutdown. */
static int
run_with_store(const struct config *cfg, struct store *st, const unsigned char *key)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);
    body_wipe_parser_memory();

    struct app app;
    int rc = app_open(&app, cfg, st, key);
    struct http_server *http = NULL;
    if (rc == 0)
        rc = http_server_start(&app, &http);
    if (rc == 0) {
        ra_log(RA_LOG_INFO, "%zu credential pairs loaded", credtab_size(app.creds));
        housekeeping_loop(&app, &stop);
        ra_log(RA_LOG_INFO, "stopping: finishing in-flight requests");
        http_server_stop(http, GRACE_MS);
        credtab_flush_last_used(app.creds, st);
    }
    app_cleanup(&app);
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
