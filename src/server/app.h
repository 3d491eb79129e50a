/* SPDX-License-Identifier: MIT */
/*
 * app.h: the state of one running server, which every phase and handler reaches through
 * struct request: settings, store, credential table, per-account state, limiters, access log
 * and request counter. Nothing of it lives in file-scope globals, so one process can hold
 * several apps (the unit tests build two).
 *
 * The admin commands build a lighter app (app_open_admin): settings, store and the keyed
 * hasher, without a credential table or limiters; changes they make reach running servers
 * through the store's change detection.
 */
#ifndef RA_SERVER_APP_H
#define RA_SERVER_APP_H

#include "auth/secret.h"
#include "config.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct credtab;
struct accounts;
struct limiter;
struct accesslog;
struct forward_rules;
struct metrics;
struct usage;
struct tripwire_queue;

/* Window lengths of the three limiters. */
#define APP_RATE_WINDOW_MS 1000
#define APP_AUTH_FAIL_WINDOW_MS (60 * 1000)
#define APP_SIGNIN_WINDOW_MS (15 * 60 * 1000)

/* This process as a node of the cluster (service/cluster.c). */
struct node_state {
    char id[STORE_NODE_ID_MAX + 1]; /* "host/pid" */
    int64_t started;                /* unix milliseconds */
    _Atomic int64_t applied;        /* the last change-feed row applied */
    _Atomic int live;               /* live nodes, this one included (at least 1) */
    _Atomic int rank;               /* this node's place among them, from 0 */
    _Atomic int64_t synced_ms;      /* unix ms the feed was last read to its end; 0 = never */
};

/* The last readiness probe of the store (handlers/admin_routes.c), kept about a second so
 * that scrapes do not reach the store more often than that. */
struct store_probe {
    _Atomic int64_t at_ms; /* unix ms of the probe; 0 = none yet */
    _Atomic bool up;       /* the store answered */
    _Atomic int64_t head;  /* the change feed's head it read */
};

struct app {
    /* The settings. A reload (reload.c) publishes new ones here while request threads run,
     * hence the atomic pointer: read it as usual (`app->cfg->rate_limit` is an atomic load). */
    const struct config *_Atomic cfg;
    struct store *store;
    struct secret_hasher hasher; /* keyed with the server key */
    struct credtab *creds;       /* NULL in an admin app */
    struct usage *usage;         /* per-pair request counts not yet written; NULL in an admin app */
    struct tripwire_queue *tripwires; /* uses waiting for the audit log; NULL in an admin app */
    struct accounts *accounts;        /* per-account rate state and project-list caches */
    struct limiter *rate;             /* per account and rate class, one-second windows */
    struct limiter *auth_fails;       /* failed authentications per client address */
    struct limiter *signin_fails;     /* console sign-in failures per e-mail and per address */
    struct accesslog *log;            /* NULL when the access log is off */
    /* The rate classes of forward authentication (--forward-limit). */
    struct forward_rules *forward;
    _Atomic uint64_t requests; /* request ids */
    struct metrics *metrics;   /* NULL with --no-metrics: nothing is counted */
    _Atomic bool draining;     /* set at SIGTERM/SIGINT, before the listener stops */
    struct store_probe probe;
    _Atomic uint64_t tripwire_uses; /* uses of tripwire pairs since start (for metrics) */
    struct node_state node;
    bool has_trusted_proxy;          /* --trusted-proxy given */
    unsigned char trusted_proxy[16]; /* its address, canonical (limiter_addr_bytes) */
    int64_t (*clock_ms)(void);       /* unix time in milliseconds; tests may replace it */
};

/*
 * Build a serving app over an open store: the keyed hasher from `key`, the credential table
 * loaded from the store, the registries, the limiters, the rate classes of forward
 * authentication and the access log that cfg names.
 * Returns 0, or a negative code after logging why (then app_cleanup is still safe).
 */
int app_open(struct app *app, const struct config *cfg, struct store *st,
             const unsigned char key[SECRET_KEY_LEN]);

/* An admin app: settings, store and hasher only. */
void app_open_admin(struct app *app, const struct config *cfg, struct store *st,
                    const unsigned char key[SECRET_KEY_LEN]);

/* Note the --trusted-proxy address (text; NULL = none) in canonical form. 0, or -EINVAL after
 * logging why. app_open calls it; a test that changes the setting calls it again. */
int app_set_trusted_proxy(struct app *app, const char *text);

/* Release everything app_open or app_open_admin made (not the store or cfg). */
void app_cleanup(struct app *app);

/* The app's clock, in whole seconds and in milliseconds. */
int64_t app_now_ms(const struct app *app);
int64_t app_now_s(const struct app *app);

#endif
