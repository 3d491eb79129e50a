/* SPDX-License-Identifier: MIT */
/*
 * test_cluster.c: this node in a cluster (service/cluster.c) over a real SQLite store: the
 * change feed applied one row at a time (a pair added, deleted, a project list dropped), a
 * feed pruned past the node making it reload, the heartbeat and the live-node view with other
 * nodes' rows, the shares of a cluster-wide limit, and revocation reports.
 */
#include "app.h"
#include "auth/basic.h"
#include "common/alloc.h"
#include "common/rand.h"
#include "service/accounts.h"
#include "service/cluster.h"
#include "service/credtab.h"
#include "service/creds.h"

#include "harness.h"
#include "store_fixture.h"

#include <sodium.h>

static int64_t clock_now = 1800000000000;

static int64_t
test_clock(void)
{
    return clock_now;
}

static struct config cfg;
static struct store st;
static struct app app;

/* Does the table accept the pair (id, secret) now? */
static bool
accepted(const char *id, const char *secret)
{
    struct basic_cred c = {0};
    snprintf(c.id, sizeof(c.id), "%s", id);
    c.id_len = strlen(c.id);
    snprintf(c.secret, sizeof(c.secret), "%s", secret);
    c.secret_len = strlen(c.secret);
    struct acct *a = NULL;
    char cid[STORE_HEX32 + 1];
    return credtab_verify(app.creds, &c, clock_now / 1000, &a, cid) == 0;
}

/* A pair written to the store by "another process": straight through the store, so only the
 * feed can tell this node. */
static void
outside_pair(int64_t account, char *id, char *secret)
{
    unsigned char h[SECRET_HASH_LEN];
    secret_generate(id, secret);
    secret_hash(&app.hasher, id, strlen(id), secret, strlen(secret), h);
    add_cred(&st, id, account, 1, h);
}

static void
test_feed_applied_row_by_row(void)
{
    int64_t account = add_account(&st, "feed");
    char id[SECRET_HEX_LEN + 1], secret[SECRET_HEX_LEN + 1];
    char id2[SECRET_HEX_LEN + 1], secret2[SECRET_HEX_LEN + 1];
    outside_pair(account, id, secret);
    outside_pair(account, id2, secret2);
    ASSERT_TRUE(!accepted(id, secret)); /* not applied yet */
    int64_t before = atomic_load(&app.node.applied);
    ASSERT_TRUE(cluster_step(&app) >= 2);
    ASSERT_TRUE(atomic_load(&app.node.applied) > before);
    ASSERT_TRUE(accepted(id, secret) && accepted(id2, secret2));
    ASSERT_EQ_INT(cluster_step(&app), 0); /* nothing new */
    ASSERT_EQ_INT(st.ops->cred_delete(st.priv, id, false), 0);
    ASSERT_TRUE(accepted(id, secret));
    ASSERT_EQ_INT(cluster_step(&app), 1);
    ASSERT_TRUE(!accepted(id, secret) && accepted(id2, secret2));
    int64_t head = 0;
    ASSERT_EQ_INT(cluster_head(&app, &head), 0);
    ASSERT_EQ_INT(atomic_load(&app.node.applied), head);
}

static void
test_projects_row_drops_the_cache(void)
{
    int64_t account = add_account(&st, "cache");
    struct acct *a = accounts_get(app.accounts, account);
    ASSERT_TRUE(a != NULL);
    if (a == NULL)
        return;
    cluster_step(&app);
    struct project_cache c = {.json = ra_strdup("{\"projects\":[]}"), .len = 15};
    uint64_t gen = a->gen;
    acct_cache_put(a, &c, gen);
    ASSERT_TRUE(a->projects.json != NULL);
    struct store_project p = {.account_id = account, .status = 1, .created = 5};
    snprintf(p.id, sizeof(p.id), "prj1");
    snprintf(p.name, sizeof(p.name), "one");
    snprintf(p.vendor_key, sizeof(p.vendor_key), "%032d", 0);
    ASSERT_EQ_INT(st.ops->project_create(st.priv, &p, 10), 0);
    ASSERT_TRUE(a->projects.json != NULL);
    ASSERT_EQ_INT(cluster_step(&app), 1);
    ASSERT_TRUE(a->projects.json == NULL);
}

/* A node that finds the rows it needs pruned reloads everything, and is right afterwards. */
static void
test_pruned_feed_reloads(void)
{
    int64_t account = add_account(&st, "pruned");
    char id[SECRET_HEX_LEN + 1], secret[SECRET_HEX_LEN + 1];
    char id2[SECRET_HEX_LEN + 1], secret2[SECRET_HEX_LEN + 1];
    outside_pair(account, id, secret);
    outside_pair(account, id2, secret2);
    ASSERT_EQ_INT(st.ops->cred_delete(st.priv, id, false), 0);
    /* Every row but the newest goes; this node had applied none of them. */
    ASSERT_EQ_INT(st.ops->feed_prune(st.priv, INT64_MAX), 0);
    ASSERT_TRUE(!accepted(id2, secret2));
    ASSERT_TRUE(cluster_step(&app) >= 0);
    ASSERT_TRUE(accepted(id2, secret2) && !accepted(id, secret));
    int64_t head = 0;
    ASSERT_EQ_INT(cluster_head(&app, &head), 0);
    ASSERT_EQ_INT(atomic_load(&app.node.applied), head);
}

/* The live view counts fresh heartbeats only, and ranks this node among them by id. */
static void
test_beat_and_shares(void)
{
    ASSERT_EQ_INT(cluster_beat(&app), 0);
    ASSERT_EQ_INT(atomic_load(&app.node.live), 1);
    ASSERT_EQ_INT(cluster_share(&app, 10), 10);
    struct store_node other = {.started = clock_now, .heartbeat = clock_now, .applied = 0};
    snprintf(other.id, sizeof(other.id), "~after"); /* '~' sorts after any host name */
    ASSERT_EQ_INT(st.ops->node_beat(st.priv, &other), 0);
    snprintf(other.id, sizeof(other.id), "!before");
    ASSERT_EQ_INT(st.ops->node_beat(st.priv, &other), 0);
    snprintf(other.id, sizeof(other.id), "!gone");
    other.heartbeat = clock_now - CLUSTER_LIVE_MS - 1;
    ASSERT_EQ_INT(st.ops->node_beat(st.priv, &other), 0);
    ASSERT_EQ_INT(cluster_beat(&app), 0);
    ASSERT_EQ_INT(atomic_load(&app.node.live), 3);
    ASSERT_EQ_INT(atomic_load(&app.node.rank), 1);
    /* 10 among 3: 4, 3, 3; this node is second. */
    ASSERT_EQ_INT(cluster_share(&app, 10), 3);
    atomic_store(&app.node.rank, 0);
    ASSERT_EQ_INT(cluster_share(&app, 10), 4);
    atomic_store(&app.node.rank, 2);
    ASSERT_EQ_INT(cluster_share(&app, 10), 3);
    ASSERT_EQ_INT(cluster_share(&app, 2), -1); /* nothing left for the third */
    ASSERT_EQ_INT(cluster_share(&app, 0), 0);  /* off stays off */
    atomic_store(&app.node.rank, 1);
    ASSERT_EQ_INT(cluster_share(&app, 2), 1);

    /* The report of a feed row: who has applied it. */
    struct cluster_report r;
    ASSERT_EQ_INT(cluster_report(&app, 1, clock_now, &r), 0);
    ASSERT_EQ_INT(r.live, 3);
    ASSERT_EQ_INT(r.confirmed, 1); /* this node only: the others applied 0 */
    ASSERT_EQ_INT(r.npending, 2);
    ASSERT_EQ_STR(r.pending[0], "!before");
    ASSERT_EQ_STR(r.pending[1], "~after");
    ASSERT_EQ_INT(st.ops->node_forget(st.priv, clock_now + 1), 0);
    ASSERT_EQ_INT(cluster_report(&app, 1, clock_now, &r), 0);
    ASSERT_EQ_INT(r.live, 0);
}

int
main(void)
{
    if (ra_rand_init() != 0 || fixture_begin("cluster") < 0)
        return 1;
    unsigned char key[SECRET_KEY_LEN];
    randombytes_buf(key, sizeof(key));
    config_defaults(&cfg);
    cfg.access_log = "off";
    if (open_store(&st, "cluster.db") != 0 || app_open(&app, &cfg, &st, key) != 0)
        return 1;
    app.clock_ms = test_clock;
    RUN(test_feed_applied_row_by_row);
    RUN(test_projects_row_drops_the_cache);
    RUN(test_pruned_feed_reloads);
    RUN(test_beat_and_shares);
    app_cleanup(&app);
    store_close(&st);
    return harness_done();
}
