/* SPDX-License-Identifier: MIT */
/*
 * store_pg_feed.c: the change feed and the nodes table of the PostgreSQL backend (store.h).
 *
 * The feed's rows are written by the triggers of store_pg_schema.c, never here. Their seq
 * order is their commit order (the triggers' advisory lock), so reading the rows after the
 * last seq seen never misses one. feed_read looks at the pruned horizon and at the rows in
 * one statement, hence in one snapshot: rows pruned between the two cannot go unnoticed.
 */
#include "store/store_pg_priv.h"

#include <stdio.h>

int
pgf_feed_head(void *priv, int64_t *seq)
{
    struct store_pg_query q = {.sql = "SELECT coalesce((SELECT max(seq) FROM changes),"
                                      " (SELECT pruned FROM feed_meta), 0)",
                               .what = "feed_head"};
    if (priv == NULL || seq == NULL)
        return -EINVAL;
    int rc = store_pg_query(priv, &q);
    if (rc == 0 && PQntuples(q.res) != 1)
        rc = -EIO;
    if (rc == 0)
        *seq = store_pg_i64(q.res, 0, 0);
    PQclear(q.res);
    return rc;
}

static int
read_change(const PGresult *r, int row, struct store_change *c)
{
    memset(c, 0, sizeof(*c));
    c->seq = store_pg_i64(r, row, 1);
    c->kind = (int)store_pg_i64(r, row, 2);
    c->account_id = store_pg_i64(r, row, 3);
    c->at = store_pg_i64(r, row, 5);
    return store_pg_text(r, row, 4, c->customer_id, sizeof(c->customer_id));
}

int
pgf_feed_read(void *priv, int64_t after, int max, store_change_fn fn, void *ctx)
{
    /* One row per change, each with the horizon; one row of NULLs when there is none. */
    struct store_pg_query q = {.sql = "SELECT m.pruned, c.seq, c.kind, c.account_id,"
                                      " c.customer_id, c.at FROM feed_meta m"
                                      " LEFT JOIN LATERAL (SELECT * FROM changes WHERE seq > $1"
                                      " ORDER BY seq LIMIT $2) c ON true ORDER BY c.seq",
                               .what = "feed_read"};
    struct store_change ch;
    if (priv == NULL || fn == NULL || max <= 0)
        return -EINVAL;
    store_pg_arg_i64(&q.args, after);
    store_pg_arg_i64(&q.args, max);
    int rc = store_pg_query(priv, &q);
    if (rc == 0 && PQntuples(q.res) < 1)
        rc = -EIO; /* feed_meta always has its row */
    if (rc == 0 && store_pg_i64(q.res, 0, 0) > after)
        rc = -ESTALE;
    for (int i = 0; rc == 0 && i < PQntuples(q.res) && !PQgetisnull(q.res, i, 1); i++) {
        rc = read_change(q.res, i, &ch);
        if (rc == 0)
            rc = fn(ctx, &ch);
    }
    PQclear(q.res);
    return rc;
}

/* Delete the rows written before `before` except the newest row, and raise the horizon to
 * the highest seq deleted (greatest() ignores the NULL of "nothing deleted"). */
int
pgf_feed_prune(void *priv, int64_t before)
{
    struct store_pg_query q = {.sql = "WITH d AS (DELETE FROM changes WHERE at < $1"
                                      " AND seq < (SELECT max(seq) FROM changes) RETURNING seq)"
                                      " UPDATE feed_meta SET pruned = greatest(pruned,"
                                      " (SELECT max(seq) FROM d))",
                               .what = "feed_prune"};
    if (priv == NULL)
        return -EINVAL;
    store_pg_arg_i64(&q.args, before);
    return store_pg_write(priv, &q);
}

int
pgf_feed_wait(void *priv, int timeout_ms)
{
    if (priv == NULL)
        return -EINVAL;
    return store_pg_listen_wait(priv, timeout_ms);
}

int
pgf_node_beat(void *priv, const struct store_node *n)
{
    struct store_pg_query q = {.sql = "INSERT INTO nodes (id, started, heartbeat, applied)"
                                      " VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE"
                                      " SET started = EXCLUDED.started,"
                                      " heartbeat = EXCLUDED.heartbeat,"
                                      " applied = EXCLUDED.applied",
                               .what = "node_beat"};
    if (priv == NULL || n == NULL || !fits(n->id, STORE_NODE_ID_MAX) || n->id[0] == '\0')
        return -EINVAL;
    store_pg_arg_text(&q.args, n->id);
    store_pg_arg_i64(&q.args, n->started);
    store_pg_arg_i64(&q.args, n->heartbeat);
    store_pg_arg_i64(&q.args, n->applied);
    return store_pg_write(priv, &q);
}

/* Ordered by the bytes of the id (COLLATE "C"), as SQLite orders text. */
int
pgf_node_list(void *priv, store_node_fn fn, void *ctx)
{
    struct store_pg_query q = {.sql = "SELECT id, started, heartbeat, applied FROM nodes"
                                      " ORDER BY id COLLATE \"C\"",
                               .what = "node_list"};
    struct store_node n;
    if (priv == NULL || fn == NULL)
        return -EINVAL;
    int rc = store_pg_query(priv, &q);
    for (int i = 0; rc == 0 && i < PQntuples(q.res); i++) {
        memset(&n, 0, sizeof(n));
        rc = store_pg_text(q.res, i, 0, n.id, sizeof(n.id));
        n.started = store_pg_i64(q.res, i, 1);
        n.heartbeat = store_pg_i64(q.res, i, 2);
        n.applied = store_pg_i64(q.res, i, 3);
        if (rc == 0)
            rc = fn(ctx, &n);
    }
    PQclear(q.res);
    return rc;
}

int
pgf_node_forget(void *priv, int64_t before)
{
    struct store_pg_query q = {.sql = "DELETE FROM nodes WHERE heartbeat < $1",
                               .what = "node_forget"};
    if (priv == NULL)
        return -EINVAL;
    store_pg_arg_i64(&q.args, before);
    return store_pg_write(priv, &q);
}
