/* SPDX-License-Identifier: MIT */
/*
 * store_sqlite_feed.c: the change feed and the nodes table of the SQLite backend.
 *
 * The feed's rows are written by the triggers of migration 3 (store_sqlite_schema.c) inside
 * the transaction of each write, so SQLite's single writer numbers them in commit order.
 * Pruning remembers the highest seq it deleted in feed_meta: a reader asking for rows after
 * an older seq gets -ESTALE and reloads everything.
 */
#include "store/store_sqlite_priv.h"

int
sqf_feed_head(void *priv, int64_t *seq)
{
    struct sq *s = priv;
    if (s == NULL || seq == NULL)
        return -EINVAL;
    lock(s);
    int rc = scalar(s, s->q[Q_FEED_HEAD], seq, "feed_head");
    unlock(s);
    return rc;
}

static int
read_change(sqlite3_stmt *st, void *out)
{
    struct store_change *c = out;
    c->seq = sqlite3_column_int64(st, 0);
    c->kind = sqlite3_column_int(st, 1);
    c->account_id = sqlite3_column_int64(st, 2);
    c->at = sqlite3_column_int64(st, 4);
    return col_text(st, 3, c->customer_id, sizeof(c->customer_id));
}

int
sqf_feed_read(void *priv, int64_t after, int max, store_change_fn fn, void *ctx)
{
    struct sq *s = priv;
    if (s == NULL || fn == NULL || max <= 0)
        return -EINVAL;
    struct rows r = {.size = sizeof(struct store_change)};
    int64_t horizon = 0;
    lock(s);
    int rc = scalar(s, s->q[Q_FEED_HORIZON], &horizon, "feed_horizon");
    if (rc == 0 && after < horizon)
        rc = -ESTALE;
    if (rc == 0) {
        sqlite3_stmt *st = s->q[Q_FEED_READ];
        rc = bound(s, sqlite3_bind_int64(st, 1, after) | sqlite3_bind_int(st, 2, max));
        if (rc == 0)
            rc = collect(s, st, &r, read_change, "feed_read");
        else
            put(st);
    }
    unlock(s);
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = fn(ctx, (const struct store_change *)(r.v + i * r.size));
    ra_free(r.v);
    return rc;
}

int
sqf_feed_prune(void *priv, int64_t before)
{
    struct sq *s = priv;
    if (s == NULL)
        return -EINVAL;
    int64_t upto = 0;
    lock(s);
    int rc = tx_begin(s);
    sqlite3_stmt *st = s->q[Q_FEED_PRUNE_UPTO];
    if (rc == 0 && (rc = bound(s, sqlite3_bind_int64(st, 1, before))) == 0)
        rc = scalar(s, st, &upto, "feed_prune");
    else
        put(st);
    for (enum q id = Q_FEED_PRUNE; rc == 0 && upto > 0 && id <= Q_FEED_SET_HORIZON; id++) {
        st = s->q[id];
        rc = bound(s, sqlite3_bind_int64(st, 1, upto));
        if (rc == 0)
            rc = step(s, st, "feed_prune");
        put(st);
    }
    rc = tx_end(s, rc);
    unlock(s);
    return rc;
}

int
sqf_node_beat(void *priv, const struct store_node *n)
{
    struct sq *s = priv;
    if (s == NULL || n == NULL || n->id[0] == '\0' || !fits(n->id, STORE_NODE_ID_MAX))
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_NODE_BEAT];
    int rc = bound(s, bind_text(st, 1, n->id) | sqlite3_bind_int64(st, 2, n->started) |
                          sqlite3_bind_int64(st, 3, n->heartbeat) |
                          sqlite3_bind_int64(st, 4, n->applied));
    if (rc == 0)
        rc = step(s, st, "node_beat");
    put(st);
    unlock(s);
    return rc < 0 ? rc : 0;
}

static int
read_node(sqlite3_stmt *st, void *out)
{
    struct store_node *n = out;
    n->started = sqlite3_column_int64(st, 1);
    n->heartbeat = sqlite3_column_int64(st, 2);
    n->applied = sqlite3_column_int64(st, 3);
    return col_text(st, 0, n->id, sizeof(n->id));
}

int
sqf_node_list(void *priv, store_node_fn fn, void *ctx)
{
    struct sq *s = priv;
    if (s == NULL || fn == NULL)
        return -EINVAL;
    struct rows r = {.size = sizeof(struct store_node)};
    lock(s);
    int rc = collect(s, s->q[Q_NODE_LIST], &r, read_node, "node_list");
    unlock(s);
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        rc = fn(ctx, (const struct store_node *)(r.v + i * r.size));
    ra_free(r.v);
    return rc;
}

int
sqf_node_forget(void *priv, int64_t before)
{
    struct sq *s = priv;
    if (s == NULL)
        return -EINVAL;
    lock(s);
    sqlite3_stmt *st = s->q[Q_NODE_FORGET];
    int rc = bound(s, sqlite3_bind_int64(st, 1, before));
    if (rc == 0)
        rc = step(s, st, "node_forget");
    put(st);
    unlock(s);
    return rc < 0 ? rc : 0;
}
