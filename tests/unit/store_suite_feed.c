/* SPDX-License-Identifier: MIT */
/*
 * store_suite_feed.c: the change feed and the nodes table on every backend, and the rules
 * that span rows (quotas, unique names, the last pair) under processes writing at once (part
 * of the test_store program, store_suite.h). Only the contract of store.h is assumed.
 */
#include "store/store.h"

#include "harness.h"
#include "store_fixture.h"
#include "store_suite.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 256

/* Feed rows collected by collect(); `stop_at` > 0 stops at that row with 9. */
struct rows {
    int n;
    int stop_at;
    struct store_change c[MAX_SEEN];
};

static int
collect(void *ctx, const struct store_change *c)
{
    struct rows *r = ctx;
    if (r->n < MAX_SEEN)
        r->c[r->n] = *c;
    return ++r->n == r->stop_at ? 9 : 0;
}

/* Read the rows after `after` (at most max) into *r, cleared first; the store's code. */
static int
read_feed(struct store *st, int64_t after, int max, struct rows *r)
{
    memset(r, 0, sizeof(*r));
    return st->ops->feed_read(st->priv, after, max, collect, r);
}

/* The feed operations are there; a missing one is a failure, reported once per test. */
static bool
has_feed(const struct store *st)
{
    const struct store_ops *o = st->ops;
    if (o->feed_head != NULL && o->feed_read != NULL && o->feed_prune != NULL)
        return true;
    HARNESS_FAIL("the backend has no change feed (feed_head, feed_read or feed_prune is NULL)");
    return false;
}

static bool
has_nodes(const struct store *st)
{
    const struct store_ops *o = st->ops;
    if (o->node_beat != NULL && o->node_list != NULL && o->node_forget != NULL)
        return true;
    HARNESS_FAIL("the backend has no nodes table (node_beat, node_list or node_forget is NULL)");
    return false;
}

static void
project_init(struct store_project *p, const char *id, int64_t account, const char *name)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->id, sizeof(p->id), "%s", id);
    p->account_id = account;
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->vendor_key, sizeof(p->vendor_key), "%032d", 7);
    p->status = 1;
    p->created = 100;
}

/* One expected feed row. */
struct want {
    int kind;
    int64_t account;
    const char *customer_id;
};

/* Writes of every kind, failed writes and last-used touches, as the feed must show them:
 * fills want[] and returns how many rows are expected. */
static int
write_all_kinds(struct store *st, struct want *want)
{
    const struct store_ops *o = st->ops;
    struct store_cred c;
    struct store_project p;
    unsigned char h[STORE_HASH_LEN] = {7};
    int n = 0;
    int64_t a = add_account(st, "feeder");
    want[n++] = (struct want){STORE_CHANGE_ACCOUNT, a, ""};
    int64_t b = add_account(st, "other");
    want[n++] = (struct want){STORE_CHANGE_ACCOUNT, b, ""};
    cred_init(&c, "c1", a, 10);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 5), 0);
    want[n++] = (struct want){STORE_CHANGE_CRED, a, "c1"};
    cred_init(&c, "p1", a, 11);
    c.pending = true;
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 5), 0);
    want[n++] = (struct want){STORE_CHANGE_CRED, a, "p1"};
    cred_init(&c, "c9", b, 12);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 0), -EDQUOT); /* refused: no row */
    struct store_touch t[] = {{"c1", 500}, {"p1", 600}};
    ASSERT_EQ_INT(o->cred_touch(st->priv, t, 2), 0); /* last-used only: no row */
    ASSERT_EQ_INT(o->cred_issue(st->priv, a, "p1", h, 20), 0);
    want[n++] = (struct want){STORE_CHANGE_CRED, a, "p1"};
    project_init(&p, "pr1", b, "one");
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 5), 0);
    want[n++] = (struct want){STORE_CHANGE_PROJECTS, b, ""};
    project_init(&p, "pr2", b, "one");
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 5), -EEXIST); /* refused: no row */
    project_init(&p, "pr1", b, "one");
    p.status = 0;
    ASSERT_EQ_INT(o->project_update(st->priv, &p), 0);
    want[n++] = (struct want){STORE_CHANGE_PROJECTS, b, ""};
    ASSERT_EQ_INT(o->project_delete(st->priv, b, "pr1"), 0);
    want[n++] = (struct want){STORE_CHANGE_PROJECTS, b, ""};
    ASSERT_EQ_INT(o->login_set(st->priv, a, "feeder@example.com", NULL), 0);
    want[n++] = (struct want){STORE_CHANGE_ACCOUNT, a, ""};
    ASSERT_EQ_INT(o->cred_delete(st->priv, "c1", false), 0);
    want[n++] = (struct want){STORE_CHANGE_CRED, a, "c1"};
    return n;
}

static void
test_feed_rows(void)
{
    struct store st;
    struct want want[16];
    struct rows r;
    int64_t head = -1;
    if (suite_open(&st, "feed.db") != 0)
        return;
    if (!has_feed(&st)) {
        store_close(&st);
        return;
    }
    const struct store_ops *o = st.ops;
    ASSERT_EQ_INT(o->feed_head(st.priv, &head), 0);
    ASSERT_EQ_INT(head, 0); /* a new store has an empty feed */
    int64_t t0 = time(NULL);
    int n = write_all_kinds(&st, want);
    int64_t t1 = time(NULL);
    ASSERT_EQ_INT(read_feed(&st, 0, 100, &r), 0);
    ASSERT_EQ_INT(r.n, n);
    for (int i = 0; i < n && i < r.n; i++) {
        ASSERT_EQ_INT(r.c[i].kind, want[i].kind);
        ASSERT_EQ_INT(r.c[i].account_id, want[i].account);
        ASSERT_EQ_STR(r.c[i].customer_id, want[i].customer_id);
        ASSERT_TRUE(r.c[i].at >= t0 - 5 && r.c[i].at <= t1 + 5);
        ASSERT_TRUE(r.c[i].seq > (i > 0 ? r.c[i - 1].seq : 0));
    }
    ASSERT_EQ_INT(o->feed_head(st.priv, &head), 0);
    ASSERT_EQ_INT(head, r.c[n - 1].seq);

    /* max bounds a read; the next read goes on after the last row seen. */
    struct rows part;
    ASSERT_EQ_INT(read_feed(&st, 0, 3, &part), 0);
    ASSERT_EQ_INT(part.n, 3);
    ASSERT_EQ_INT(part.c[2].seq, r.c[2].seq);
    ASSERT_EQ_INT(read_feed(&st, part.c[2].seq, 100, &part), 0);
    ASSERT_EQ_INT(part.n, n - 3);
    ASSERT_EQ_INT(part.c[0].seq, r.c[3].seq);
    ASSERT_EQ_INT(read_feed(&st, head, 100, &part), 0);
    ASSERT_EQ_INT(part.n, 0);
    /* A callback's non-zero answer stops the read and is returned. */
    memset(&part, 0, sizeof(part));
    part.stop_at = 2;
    ASSERT_EQ_INT(o->feed_read(st.priv, 0, 100, collect, &part), 9);
    ASSERT_EQ_INT(part.n, 2);
    store_close(&st);
}

static void
test_feed_prune(void)
{
    struct store st;
    struct rows r;
    int64_t head = 0;
    if (suite_open(&st, "prune.db") != 0)
        return;
    if (!has_feed(&st)) {
        store_close(&st);
        return;
    }
    const struct store_ops *o = st.ops;
    add_account(&st, "one");
    add_account(&st, "two");
    add_account(&st, "three");
    ASSERT_EQ_INT(read_feed(&st, 0, 100, &r), 0);
    ASSERT_EQ_INT(r.n, 3);
    int64_t s1 = r.c[0].seq, s2 = r.c[1].seq, s3 = r.c[2].seq;
    int64_t now = time(NULL);

    ASSERT_EQ_INT(o->feed_prune(st.priv, now - 3600), 0); /* nothing that old */
    ASSERT_EQ_INT(read_feed(&st, 0, 100, &r), 0);
    ASSERT_EQ_INT(r.n, 3);
    ASSERT_EQ_INT(o->feed_prune(st.priv, now + 3600), 0); /* all but the newest */
    ASSERT_EQ_INT(read_feed(&st, 0, 100, &r), -ESTALE);
    ASSERT_EQ_INT(read_feed(&st, s1, 100, &r), -ESTALE); /* s2 is gone */
    ASSERT_EQ_INT(read_feed(&st, s2, 100, &r), 0);
    ASSERT_TRUE(r.n == 1 && r.c[0].seq == s3);
    ASSERT_EQ_INT(read_feed(&st, s3, 100, &r), 0);
    ASSERT_EQ_INT(r.n, 0);
    ASSERT_EQ_INT(o->feed_head(st.priv, &head), 0);
    ASSERT_EQ_INT(head, s3);

    /* The newest row stays, however old; the horizon is remembered. */
    ASSERT_EQ_INT(o->feed_prune(st.priv, now + 7200), 0);
    ASSERT_EQ_INT(read_feed(&st, s2, 100, &r), 0);
    ASSERT_TRUE(r.n == 1 && r.c[0].seq == s3);
    add_account(&st, "four");
    ASSERT_EQ_INT(o->feed_prune(st.priv, 0), 0);
    ASSERT_EQ_INT(read_feed(&st, s1, 100, &r), -ESTALE);
    ASSERT_EQ_INT(read_feed(&st, s2, 100, &r), 0);
    ASSERT_EQ_INT(r.n, 2);
    ASSERT_TRUE(r.n == 2 && r.c[0].seq == s3 && r.c[1].seq > s3);
    ASSERT_EQ_INT(o->feed_head(st.priv, &head), 0);
    ASSERT_EQ_INT(head, r.c[1].seq);
    store_close(&st);
}

/* Node ids collected by seen_node; `stop_at` > 0 stops at that node with 5. */
struct nodes {
    int n;
    int stop_at;
    struct store_node v[8];
};

static int
seen_node(void *ctx, const struct store_node *n)
{
    struct nodes *s = ctx;
    if (s->n < 8)
        s->v[s->n] = *n;
    return ++s->n == s->stop_at ? 5 : 0;
}

static int
list_nodes(struct store *st, struct nodes *s)
{
    memset(s, 0, sizeof(*s));
    return st->ops->node_list(st->priv, seen_node, s);
}

/* An empty id is refused; the longest id is kept whole. */
static void
node_ids(struct store *st)
{
    struct store_node n = {.id = "", .heartbeat = 1};
    struct nodes s;
    ASSERT_EQ_INT(st->ops->node_beat(st->priv, &n), -EINVAL);
    memset(n.id, 'n', STORE_NODE_ID_MAX);
    ASSERT_EQ_INT(st->ops->node_beat(st->priv, &n), 0);
    ASSERT_EQ_INT(list_nodes(st, &s), 0);
    ASSERT_EQ_INT(s.n, 3);
    ASSERT_EQ_STR(s.v[0].id, n.id); /* "nn..." sorts before "node-..." */
}

static void
test_nodes(void)
{
    struct store st;
    struct nodes s;
    const int64_t ms = 1700000000000; /* unix milliseconds need 64 bits */
    struct store_node b2 = {"node-b:2", ms, ms + 100, 0}, B1 = {"node-B:1", ms, ms + 50, 3};
    struct store_node a3 = {"node-a:3", ms + 1, ms + 200, 9};
    if (suite_open(&st, "nodes.db") != 0)
        return;
    if (!has_nodes(&st)) {
        store_close(&st);
        return;
    }
    const struct store_ops *o = st.ops;
    ASSERT_EQ_INT(o->node_beat(st.priv, &b2), 0);
    ASSERT_EQ_INT(o->node_beat(st.priv, &B1), 0);
    ASSERT_EQ_INT(o->node_beat(st.priv, &a3), 0);
    ASSERT_EQ_INT(list_nodes(&st, &s), 0);
    ASSERT_EQ_INT(s.n, 3); /* ordered by the bytes of the id: 'B' < 'a' < 'b' */
    ASSERT_EQ_STR(s.v[0].id, "node-B:1");
    ASSERT_EQ_STR(s.v[1].id, "node-a:3");
    ASSERT_EQ_STR(s.v[2].id, "node-b:2");
    ASSERT_EQ_INT(s.v[1].started, ms + 1);
    ASSERT_EQ_INT(s.v[1].heartbeat, ms + 200);
    ASSERT_EQ_INT(s.v[1].applied, 9);

    b2.heartbeat = ms + 300; /* a beat updates the row */
    b2.applied = 42;
    ASSERT_EQ_INT(o->node_beat(st.priv, &b2), 0);
    ASSERT_EQ_INT(list_nodes(&st, &s), 0);
    ASSERT_EQ_INT(s.n, 3);
    ASSERT_EQ_INT(s.v[2].heartbeat, ms + 300);
    ASSERT_EQ_INT(s.v[2].applied, 42);

    ASSERT_EQ_INT(o->node_forget(st.priv, ms + 150), 0); /* B1 beat last at ms + 50 */
    ASSERT_EQ_INT(list_nodes(&st, &s), 0);
    ASSERT_EQ_INT(s.n, 2);
    ASSERT_EQ_STR(s.v[0].id, "node-a:3");
    ASSERT_EQ_STR(s.v[1].id, "node-b:2");
    memset(&s, 0, sizeof(s));
    s.stop_at = 1;
    ASSERT_EQ_INT(o->node_list(st.priv, seen_node, &s), 5);
    ASSERT_EQ_INT(s.n, 1);
    node_ids(&st);
    store_close(&st);
}

/* What one child of test_fork_quotas saw, in memory shared with the parent. */
struct tally {
    int same_ok, same_exist, own_ok, own_quota, pair_ok, pair_quota, last_ok, last_busy, other;
};

/* One account per rule, so that no rule's outcome depends on how far the other child got:
 * `full` starts with 10 projects, `few` with the two pairs "last0" and "last1". */
struct quota_run {
    char url[PATH_MAX];
    int64_t names, full, pairs, few;
    struct tally t[2];
};

/* Count rc into *ok when 0, into *refused when it is `want`, else into t->other. */
static void
tally(struct tally *t, int rc, int want, int *ok, int *refused)
{
    if (rc == 0)
        (*ok)++;
    else if (rc == want)
        (*refused)++;
    else
        t->other++;
}

/* A child: the same ten names, ten names of its own where ten places are left, eight pairs
 * where ten are allowed, then delete one pair of an account that has two. */
static int
quota_child(void *arg, int i)
{
    struct quota_run *run = arg;
    struct tally *t = &run->t[i];
    struct store st;
    struct store_project p;
    struct store_cred c;
    char id[32], name[32];
    if (store_open(run->url, &st) != 0)
        return 1;
    suite_child_ready();
    const struct store_ops *o = st.ops;
    for (int k = 0; k < 10; k++) {
        snprintf(id, sizeof(id), "s%d-%d", i, k);
        snprintf(name, sizeof(name), "same %d", k);
        project_init(&p, id, run->names, name);
        tally(t, o->project_create(st.priv, &p, 20), -EEXIST, &t->same_ok, &t->same_exist);
    }
    for (int k = 0; k < 10; k++) {
        snprintf(id, sizeof(id), "o%d-%d", i, k);
        snprintf(name, sizeof(name), "own %d %d", i, k);
        project_init(&p, id, run->full, name);
        tally(t, o->project_create(st.priv, &p, 20), -EDQUOT, &t->own_ok, &t->own_quota);
    }
    for (int k = 0; k < 8; k++) {
        snprintf(id, sizeof(id), "k%d-%d", i, k);
        cred_init(&c, id, run->pairs, 50);
        tally(t, o->cred_add(st.priv, &c, 10), -EDQUOT, &t->pair_ok, &t->pair_quota);
    }
    snprintf(id, sizeof(id), "last%d", i);
    tally(t, o->cred_delete(st.priv, id, false), -EBUSY, &t->last_ok, &t->last_busy);
    store_close(&st);
    return 0;
}

static int
count_project(void *ctx, const struct store_project *p)
{
    (void)p;
    (*(int *)ctx)++;
    return 0;
}

static int
count_cred(void *ctx, const struct store_cred *c)
{
    (void)c;
    (*(int *)ctx)++;
    return 0;
}

/* The children's outcomes add up to the rules, and the store holds what they allow. */
static void
check_quotas(struct store *st, const struct quota_run *run)
{
    struct tally sum = {0};
    for (int i = 0; i < 2; i++) {
        const struct tally *t = &run->t[i];
        sum.same_ok += t->same_ok, sum.same_exist += t->same_exist;
        sum.own_ok += t->own_ok, sum.own_quota += t->own_quota;
        sum.pair_ok += t->pair_ok, sum.pair_quota += t->pair_quota;
        sum.last_ok += t->last_ok, sum.last_busy += t->last_busy, sum.other += t->other;
    }
    ASSERT_EQ_INT(sum.same_ok, 10);
    ASSERT_EQ_INT(sum.same_exist, 10);
    ASSERT_EQ_INT(sum.own_ok, 10);
    ASSERT_EQ_INT(sum.own_quota, 10);
    ASSERT_EQ_INT(sum.pair_ok, 10);
    ASSERT_EQ_INT(sum.pair_quota, 6);
    ASSERT_EQ_INT(sum.last_ok, 1);
    ASSERT_EQ_INT(sum.last_busy, 1);
    ASSERT_EQ_INT(sum.other, 0);
    int named = 0, projects = 0, pairs = 0, left = 0;
    const struct store_ops *o = st->ops;
    ASSERT_EQ_INT(o->project_list(st->priv, run->names, NULL, NULL, count_project, &named), 0);
    ASSERT_EQ_INT(named, 10);
    ASSERT_EQ_INT(o->project_list(st->priv, run->full, NULL, NULL, count_project, &projects), 0);
    ASSERT_EQ_INT(projects, 20);
    ASSERT_EQ_INT(st->ops->cred_list(st->priv, run->pairs, count_cred, &pairs), 0);
    ASSERT_EQ_INT(pairs, 10);
    ASSERT_EQ_INT(st->ops->cred_list(st->priv, run->few, count_cred, &left), 0);
    ASSERT_EQ_INT(left, 1);
}

/* Two processes, each with its own store handle, write at once: the quotas (20 projects,
 * 10 pairs), the unique live names and the last-pair rule hold exactly. */
static void
test_fork_quotas(void)
{
    struct store st;
    unsigned char h[STORE_HASH_LEN] = {1};
    struct quota_run *run = suite_shared(sizeof(*run));
    ASSERT_TRUE(run != NULL);
    if (run == NULL || suite_open(&st, "forkq.db") != 0)
        return;
    suite_url(run->url, sizeof(run->url), "forkq.db");
    run->names = add_account(&st, "names");
    run->full = add_account(&st, "full");
    run->pairs = add_account(&st, "pairs");
    run->few = add_account(&st, "few");
    for (int k = 0; k < 10; k++) {
        struct store_project p;
        char id[16];
        snprintf(id, sizeof(id), "f%d", k);
        project_init(&p, id, run->full, id);
        ASSERT_EQ_INT(st.ops->project_create(st.priv, &p, -1), 0);
    }
    add_cred(&st, "last0", run->few, 1, h);
    add_cred(&st, "last1", run->few, 1, h);
    pid_t pid[2];
    for (int i = 0; i < 2; i++)
        pid[i] = suite_fork(quota_child, run, i);
    suite_children_go();
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(suite_wait(pid[i]), 0);
    check_quotas(&st, run);
    store_close(&st);
}

#define WRITERS 4
#define WRITES 40

struct order_run {
    char url[PATH_MAX];
    int64_t account;
};

/* A writer: WRITES project writes (create, then update), each one feed row. */
static int
order_child(void *arg, int i)
{
    struct order_run *run = arg;
    struct store st;
    struct store_project p;
    char id[16], name[16];
    int bad = 0;
    if (store_open(run->url, &st) != 0)
        return 1;
    suite_child_ready();
    for (int k = 0; k < WRITES; k++) {
        snprintf(id, sizeof(id), "w%d-%d", i, k / 2);
        snprintf(name, sizeof(name), "n%d-%d", i, k / 2);
        project_init(&p, id, run->account, name);
        p.status = k % 2 == 0;
        bad += (k % 2 == 0 ? st.ops->project_create(st.priv, &p, -1)
                           : st.ops->project_update(st.priv, &p)) != 0;
    }
    store_close(&st);
    return bad != 0;
}

/* While two processes write, a reader follows the feed in small steps; what it collected
 * must be the whole feed as read at the end: a row committed after a later row was seen
 * would be missed. */
static void
test_feed_order(void)
{
    struct store st;
    static struct rows got, all, step;
    struct order_run *run = suite_shared(sizeof(*run));
    if (run == NULL || suite_open(&st, "order.db") != 0)
        return;
    if (!has_feed(&st)) {
        store_close(&st);
        return;
    }
    suite_url(run->url, sizeof(run->url), "order.db");
    run->account = add_account(&st, "writer");
    memset(&got, 0, sizeof(got));
    pid_t pid[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        pid[i] = suite_fork(order_child, run, i);
    suite_children_go();
    int64_t last = 0;
    for (int rounds = 0; rounds < 100000 && got.n < 1 + WRITERS * WRITES; rounds++) {
        if (read_feed(&st, last, 4, &step) != 0)
            break;
        for (int k = 0; k < step.n && got.n < MAX_SEEN; k++)
            got.c[got.n++] = step.c[k];
        last = step.n > 0 ? step.c[step.n - 1].seq : last;
        if (step.n == 0)
            usleep(100);
    }
    for (int i = 0; i < WRITERS; i++)
        ASSERT_EQ_INT(suite_wait(pid[i]), 0);
    ASSERT_EQ_INT(read_feed(&st, 0, MAX_SEEN, &all), 0);
    ASSERT_EQ_INT(all.n, 1 + WRITERS * WRITES);
    ASSERT_EQ_INT(got.n, all.n);
    int first = -1; /* the first row the reader missed, or saw out of order */
    for (int k = 0; k < got.n && k < all.n && first < 0; k++)
        first = got.c[k].seq != all.c[k].seq ? k : -1;
    ASSERT_EQ_INT(first, -1);
    store_close(&st);
}

void
suite_feed(int *checks, int *failures)
{
    RUN(test_feed_rows);
    RUN(test_feed_prune);
    RUN(test_feed_order);
    RUN(test_nodes);
    RUN(test_fork_quotas);
    *checks += harness_checks;
    *failures += harness_failures;
}
