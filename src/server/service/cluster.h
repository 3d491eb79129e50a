/* SPDX-License-Identifier: MIT */
/*
 * cluster.h: this process as one node of a cluster sharing one store: it keeps its memory in
 * step with the store's change feed, reports itself in the nodes table, takes its share of
 * the cluster-wide limits, and tells how far a change has reached the other nodes.
 *
 * A node applies only the feed rows after the last one it applied; the whole credential
 * table is loaded only at start, or when the node finds that the rows it needs were pruned.
 * Every node writes a heartbeat with its applied row once a second; a node whose heartbeat is
 * older than CLUSTER_LIVE_MS is not counted.
 */
#ifndef RA_SERVER_SERVICE_CLUSTER_H
#define RA_SERVER_SERVICE_CLUSTER_H

#include "app.h"

#define CLUSTER_BEAT_MS 1000
#define CLUSTER_LIVE_MS 3000
/* Feed rows kept after they were written (pruned once an hour), and dead nodes' rows. */
#define CLUSTER_FEED_RETENTION_S (24 * 3600)
#define CLUSTER_FORGET_NODE_MS (3600 * 1000)

/* Name this node ("host/pid") and note its start; call once before cluster_load. */
void cluster_init(struct app *app);

/* Load everything from the store: note the feed's head first, then rebuild the credential
 * table and drop cached project lists; rows after the head are applied by cluster_step.
 * 0 or the store's error. */
int cluster_load(struct app *app);

/* Apply the feed rows after the last applied one. Returns how many were applied, or the
 * store's error (then nothing more is applied until the next call). Reloads on -ESTALE. */
int cluster_step(struct app *app);

/* Write this node's heartbeat and read the others': the live count and this node's rank,
 * which cluster_share uses. 0 or the store's error (the last view is kept). */
int cluster_beat(struct app *app);

/*
 * This node's share of a cluster-wide `limit` (0 = unlimited stays 0): the limit divided
 * among the live nodes, the remainder going to the first ranks, so that the shares add up to
 * the limit. Returns -1 when the share is nothing at all (refuse), else the share.
 */
long cluster_share(const struct app *app, long limit);

/* How far a change (feed row `seq`) has reached the live nodes. */
#define CLUSTER_REPORT_MAX 16
struct cluster_report {
    int live;      /* live nodes */
    int confirmed; /* live nodes that have applied seq */
    int npending;  /* ids below: live nodes that have not (at most CLUSTER_REPORT_MAX) */
    char pending[CLUSTER_REPORT_MAX][STORE_NODE_ID_MAX + 1];
};

/* Fill *r for feed row `seq` at now_ms. 0 or the store's error. */
int cluster_report(const struct app *app, int64_t seq, int64_t now_ms, struct cluster_report *r);

/* The feed's newest row, to wait for after a write. 0 or the store's error. */
int cluster_head(const struct app *app, int64_t *seq);

#endif
