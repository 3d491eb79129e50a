/* SPDX-License-Identifier: MIT */
/*
 * admin_routes.c: /healthz, /readyz and /metrics of the admin listener. Engine-neutral: the
 * adapter (http/admin.c) only fills a struct request and sends the reply these decide.
 */
#include "handlers/admin_routes.h"

#include "common/buf.h"
#include "request/request.h"
#include "service/credtab.h"
#include "service/metrics.h"

#include <stdatomic.h>

#ifndef RA_SERVER_VERSION
#define RA_SERVER_VERSION "unknown"
#endif

/* The exposition of a few dozen routes fits well within this. */
#define METRICS_MAX (1024 * 1024)

/* The probe of the store: one cheap query, at most once per ADMIN_PROBE_MS. */
static bool
probe_store(struct app *app, int64_t now_ms)
{
    struct store_probe *p = &app->probe;
    int64_t at = atomic_load(&p->at_ms);
    if (at != 0 && now_ms - at < ADMIN_PROBE_MS && now_ms >= at)
        return atomic_load(&p->up);
    if (!atomic_compare_exchange_strong(&p->at_ms, &at, now_ms))
        return atomic_load(&p->up); /* another caller probes now */
    int64_t head = 0;
    int rc = app->store->ops->feed_head(app->store->priv, &head);
    if (rc == 0)
        atomic_store(&p->head, head);
    atomic_store(&p->up, rc == 0);
    metrics_store_result(app->metrics, rc);
    return rc == 0;
}

bool
admin_ready(struct app *app, int64_t now_ms, struct admin_readiness *out)
{
    out->serving = !atomic_load(&app->draining);
    out->credentials = app->creds != NULL;
    out->store = probe_store(app, now_ms);
    return out->serving && out->credentials && out->store;
}

/* Take the buffer's text as the reply body. */
static void
reply_text(struct request *req, int status, struct ra_buf *b, const char *content_type)
{
    size_t len = 0;
    char *body = ra_buf_steal(b, &len);
    reply_json(&req->reply, status, body, len);
    if (body != NULL)
        req->reply.content_type = content_type;
}

static void
healthz(struct request *req)
{
    static const char body[] = "{\"status\":\"ok\"}";
    reply_static(&req->reply, 200, body, sizeof(body) - 1);
}

/* Name one failing item of readiness in the JSON array being written. */
static void
failing(struct ra_buf *b, bool ok, const char *name, bool *first)
{
    if (ok)
        return;
    ra_buf_printf(b, "%s\"%s\"", *first ? "" : ",", name);
    *first = false;
}

static void
readyz(struct request *req)
{
    struct app *app = (struct app *)req->app;
    struct admin_readiness r;
    bool ok = admin_ready(app, app_now_ms(app), &r);
    struct ra_buf b;
    ra_buf_init(&b, 256);
    ra_buf_printf(&b, "{\"status\":\"%s\",\"failing\":[", ok ? "ready" : "not ready");
    bool first = true;
    failing(&b, r.store, "store", &first);
    failing(&b, r.credentials, "credentials", &first);
    failing(&b, r.serving, "draining", &first);
    ra_buf_puts(&b, "]}");
    reply_text(req, ok ? 200 : 503, &b, NULL);
}

static void
metrics(struct request *req)
{
    struct app *app = (struct app *)req->app;
    int64_t now = app_now_ms(app);
    bool up = probe_store(app, now);
    int64_t synced = atomic_load(&app->node.synced_ms);
    int64_t lag = atomic_load(&app->probe.head) - atomic_load(&app->node.applied);
    struct metrics_state st = {
        .version = RA_SERVER_VERSION,
        .store = app->store->ops->scheme,
        .credentials = app->creds != NULL ? (int64_t)credtab_size(app->creds) : 0,
        .sync_lag_rows = up ? (lag > 0 ? lag : 0) : -1,
        .sync_age_seconds = synced > 0 && now >= synced ? (double)(now - synced) / 1000.0 : -1,
        .store_up = up,
        .draining = atomic_load(&app->draining),
    };
    struct ra_buf b;
    ra_buf_init(&b, METRICS_MAX);
    if (metrics_render(app->metrics, &st, &b) < 0) {
        ra_buf_cleanup(&b);
        reply_message(&req->reply, 500, "An unexpected error occurred");
        return;
    }
    reply_text(req, 200, &b, "text/plain; version=0.0.4; charset=utf-8");
}

const struct route admin_routes[] = {
    {"GET", "/healthz", 0, NULL, healthz},
    {"GET", "/readyz", 0, NULL, readyz},
    {"GET", "/metrics", 0, NULL, metrics},
};

const size_t admin_routes_count = sizeof(admin_routes) / sizeof(admin_routes[0]);
