/* SPDX-License-Identifier: MIT */
/*
 * cluster.c: the change feed applied, the heartbeat, the limit shares and revocation reports.
 */
#include "service/cluster.h"

#include "common/alloc.h"
#include "common/log.h"
#include "service/accounts.h"
#include "service/credtab.h"
#include "service/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Feed rows read per call of feed_read. */
#define FEED_BATCH 512

void
cluster_init(struct app *app)
{
    char host[STORE_NODE_ID_MAX - 12] = "node";
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(app->node.id, sizeof(app->node.id), "%s/%ld", host, (long)getpid());
    app->node.started = app_now_ms(app);
    atomic_store(&app->node.applied, 0);
    atomic_store(&app->node.live, 1);
    atomic_store(&app->node.rank, 0);
    atomic_store(&app->node.synced_ms, 0);
}

int
cluster_load(struct app *app)
{
    struct store *st = app->store;
    int64_t head = 0;
    int rc = st->ops->feed_head(st->priv, &head);
    if (rc == 0)
        credtab_flush_last_used(app->creds, st); /* a failure is retried at the next flush */
    if (rc == 0)
        rc = credtab_reload(app->creds, st);
    if (rc < 0)
        return rc;
    accounts_invalidate_all(app->accounts);
    atomic_store(&app->node.applied, head);
    return 0;
}

/* store_change_fn: apply one feed row; a non-zero return stops before the row. */
static int
apply_change(void *ctx, const struct store_change *c)
{
    struct app *app = ctx;
    if (c->kind == STORE_CHANGE_CRED) {
        int rc = credtab_refresh(app->creds, app->store, c->customer_id);
        if (rc < 0)
            return rc;
    } else if (c->kind == STORE_CHANGE_PROJECTS) {
        struct acct *a = accounts_get(app->accounts, c->account_id);
        if (a == NULL)
            return -ENOMEM;
        acct_invalidate(a);
    }
    atomic_store(&app->node.applied, c->seq);
    return 0;
}

int
cluster_step(struct app *app)
{
    struct store *st = app->store;
    int total = 0;
    for (;;) {
        int64_t before = atomic_load(&app->node.applied);
        int rc = st->ops->feed_read(st->priv, before, FEED_BATCH, apply_change, app);
        if (rc == -ESTALE) {
            ra_log(RA_LOG_WARN, "the change feed was pruned past this node; reloading");
            rc = cluster_load(app);
        }
        if (rc < 0)
            return metrics_store_result(app->metrics, rc);
        int64_t after = atomic_load(&app->node.applied);
        total += (int)(after - before > 0 ? after - before : 0);
        if (after - before < FEED_BATCH) {
            atomic_store(&app->node.synced_ms, app_now_ms(app));
            return total;
        }
    }
}

struct view {
    const char *self;
    int64_t now;
    int live;
    int rank;
};

/* store_node_fn: count live nodes, and those ordered before this one. */
static int
count_node(void *ctx, const struct store_node *n)
{
    struct view *v = ctx;
    if (n->heartbeat < v->now - CLUSTER_LIVE_MS)
        return 0;
    if (strcmp(n->id, v->self) < 0)
        v->rank++;
    if (strcmp(n->id, v->self) != 0)
        v->live++;
    return 0;
}

int
cluster_beat(struct app *app)
{
    struct store *st = app->store;
    struct store_node me = {.started = app->node.started, .heartbeat = app_now_ms(app)};
    memcpy(me.id, app->node.id, sizeof(me.id));
    me.applied = atomic_load(&app->node.applied);
    int rc = st->ops->node_beat(st->priv, &me);
    struct view v = {.self = me.id, .now = me.heartbeat, .live = 1, .rank = 0};
    if (rc == 0)
        rc = st->ops->node_list(st->priv, count_node, &v);
    if (rc < 0)
        return metrics_store_result(app->metrics, rc);
    atomic_store(&app->node.live, v.live);
    atomic_store(&app->node.rank, v.rank < v.live ? v.rank : v.live - 1);
    return 0;
}

long
cluster_share(const struct app *app, long limit)
{
    if (limit <= 0)
        return limit;
    long live = atomic_load_explicit(&app->node.live, memory_order_relaxed);
    long rank = atomic_load_explicit(&app->node.rank, memory_order_relaxed);
    if (live <= 1)
        return limit;
    long share = limit / live + (rank < limit % live ? 1 : 0);
    return share > 0 ? share : -1;
}

struct reach {
    struct cluster_report *r;
    int64_t seq;
    int64_t now;
};

/* store_node_fn: sort one node into confirmed or pending. */
static int
reach_node(void *ctx, const struct store_node *n)
{
    struct reach *x = ctx;
    struct cluster_report *r = x->r;
    if (n->heartbeat < x->now - CLUSTER_LIVE_MS)
        return 0;
    r->live++;
    if (n->applied >= x->seq)
        r->confirmed++;
    else if (r->npending < CLUSTER_REPORT_MAX)
        memcpy(r->pending[r->npending++], n->id, sizeof(n->id));
    return 0;
}

int
cluster_report(const struct app *app, int64_t seq, int64_t now_ms, struct cluster_report *r)
{
    memset(r, 0, sizeof(*r));
    struct reach x = {r, seq, now_ms};
    return app->store->ops->node_list(app->store->priv, reach_node, &x);
}

int
cluster_head(const struct app *app, int64_t *seq)
{
    return app->store->ops->feed_head(app->store->priv, seq);
}
