/* SPDX-License-Identifier: MIT */
/*
 * app.c: building and releasing the state of one server.
 */
#include "app.h"

#include "service/credtab.h"
#include "service/tripwire.h"
#include "service/usage.h"
#include "common/alloc.h"
#include "common/log.h"
#include "handlers/forward_rules.h"
#include "service/accesslog.h"
#include "service/accounts.h"
#include "service/cluster.h"
#include "service/limiter.h"
#include "service/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

/* Entries of each limiter's table (fixed: a flood of keys evicts, it never grows). */
#define RATE_SLOTS 16384
#define AUTH_FAIL_SLOTS 4096
#define SIGNIN_SLOTS 4096

/* The default clock: unix milliseconds, from the coarse clock (a few ms of resolution is
 * plenty for windows of a second or more, and it is the cheapest to read). */
static int64_t
wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
app_now_ms(const struct app *app)
{
    return app->clock_ms();
}

int64_t
app_now_s(const struct app *app)
{
    return app->clock_ms() / 1000;
}

void
app_open_admin(struct app *app, const struct config *cfg, struct store *st,
               const unsigned char key[SECRET_KEY_LEN])
{
    memset(app, 0, sizeof(*app));
    app->cfg = cfg;
    app->store = st;
    app->clock_ms = wall_ms;
    secret_hasher_init(&app->hasher, key);
}

/* The limiters; 0 or -ENOMEM. */
static int
open_limiters(struct app *app)
{
    int rc = limiter_new(RATE_SLOTS, APP_RATE_WINDOW_MS, &app->rate);
    if (rc == 0)
        rc = limiter_new(AUTH_FAIL_SLOTS, APP_AUTH_FAIL_WINDOW_MS, &app->auth_fails);
    if (rc == 0)
        rc = limiter_new(SIGNIN_SLOTS, APP_SIGNIN_WINDOW_MS, &app->signin_fails);
    return rc;
}

/* The rate classes of forward authentication from --forward-limit; 0, -EINVAL after logging
 * why, or -ENOMEM. */
static int
open_forward(struct app *app)
{
    const struct config *cfg = app->cfg;
    app->forward = ra_calloc(1, sizeof(*app->forward));
    if (app->forward == NULL)
        return -ENOMEM;
    char why[512];
    int rc = forward_rules_build(app->forward, cfg->forward_limits.item, cfg->forward_limits.n, why,
                                 sizeof(why));
    if (rc < 0)
        ra_log(RA_LOG_ERR, "--forward-limit %s", why);
    return rc;
}

int
app_set_trusted_proxy(struct app *app, const char *text)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    app->has_trusted_proxy = false;
    if (text == NULL)
        return 0;
    const struct sockaddr *sa = NULL;
    if (inet_pton(AF_INET, text, &in.sin_addr) == 1)
        sa = (const struct sockaddr *)&in;
    else if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1)
        sa = (const struct sockaddr *)&in6;
    if (sa == NULL || !limiter_addr_bytes(sa, app->trusted_proxy)) {
        ra_log(RA_LOG_ERR, "--trusted-proxy %s: expected an IP address", text);
        return -EINVAL;
    }
    app->has_trusted_proxy = true;
    return 0;
}

int
app_open(struct app *app, const struct config *cfg, struct store *st,
         const unsigned char key[SECRET_KEY_LEN])
{
    app_open_admin(app, cfg, st, key);
    if (app_set_trusted_proxy(app, cfg->trusted_proxy) < 0)
        return -EINVAL;
    int rc = open_forward(app);
    if (rc == 0)
        rc = accounts_new(&app->accounts);
    if (rc == 0)
        rc = open_limiters(app);
    if (rc == 0)
        rc = credtab_new(key, app->accounts, &app->creds);
    if (rc == 0 && !cfg->no_metrics && (app->metrics = metrics_new()) == NULL)
        rc = -ENOMEM;
    if (rc == 0)
        rc = usage_new(&app->usage);
    if (rc == 0)
        rc = tripwire_new(&app->tripwires);
    cluster_init(app);
    if (rc == 0 && (rc = cluster_load(app)) < 0)
        ra_log(RA_LOG_ERR, "cannot load credentials: %s", strerror(-rc));
    if (rc == 0 && (rc = accesslog_open(cfg->access_log, &app->log)) < 0)
        ra_log(RA_LOG_ERR, "cannot open access log %s: %s", cfg->access_log, strerror(-rc));
    if (rc == -ENOMEM)
        ra_log(RA_LOG_ERR, "out of memory");
    return rc;
}

void
app_cleanup(struct app *app)
{
    accesslog_close(app->log);
    credtab_free(app->creds);
    usage_free(app->usage);
    tripwire_free(app->tripwires);
    limiter_free(app->rate);
    limiter_free(app->auth_fails);
    limiter_free(app->signin_fails);
    accounts_free(app->accounts);
    ra_free(app->forward);
    metrics_free(app->metrics);
    app->metrics = NULL;
    secret_hasher_wipe(&app->hasher);
    app->log = NULL;
    app->creds = NULL;
    app->usage = NULL;
    app->tripwires = NULL;
    app->rate = app->auth_fails = app->signin_fails = NULL;
    app->accounts = NULL;
    app->forward = NULL;
}
