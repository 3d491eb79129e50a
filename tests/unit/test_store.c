/* SPDX-License-Identifier: MIT */
/*
 * test_store.c: the store test suite, run on every backend through store.h alone (see
 * store_suite.h for the command line): accounts, credentials and projects here; the console's
 * operations, the change feed, the nodes table and the PostgreSQL-only tests in the
 * store_suite_*.c files linked into the same program. Every test uses a fresh database.
 */
#include "store/store.h"

#include "harness.h"
#include "store_fixture.h"
#include "store_suite.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Names collected by the list callbacks, in call order; `stop_at` > 0 stops at that call. */
struct seen {
    int n;
    int stop_at;
    char names[64][STORE_ACCOUNT_NAME_MAX + 1];
    int64_t ids[64];
};

static int
seen_account(void *ctx, const struct store_account *a)
{
    struct seen *s = ctx;
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", a->name);
    s->ids[s->n] = a->id;
    return ++s->n == s->stop_at ? 7 : 0;
}

static int
seen_cred(void *ctx, const struct store_cred *c)
{
    struct seen *s = ctx;
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", c->customer_id);
    return ++s->n == s->stop_at ? 7 : 0;
}

static int
seen_project(void *ctx, const struct store_project *p)
{
    struct seen *s = ctx;
    if (s->n < 64)
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", p->id);
    return ++s->n == s->stop_at ? 7 : 0;
}

static void
test_accounts(void)
{
    struct store st;
    struct store_account a, b, x;
    struct seen seen = {0};
    char longname[STORE_ACCOUNT_NAME_MAX + 2];

    if (suite_open(&st, "acc.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    ASSERT_EQ_INT(o->account_add(st.priv, "alice", 100, &a), 0);
    ASSERT_EQ_INT(o->account_add(st.priv, "bob", 101, &b), 0);
    ASSERT_TRUE(a.id > 0 && b.id > a.id);
    ASSERT_EQ_STR(a.name, "alice");
    ASSERT_EQ_INT(a.created, 100);
    ASSERT_EQ_INT(o->account_add(st.priv, "alice", 102, &x), -EEXIST);
    ASSERT_EQ_INT(o->account_add(st.priv, "", 102, &x), -EINVAL);
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ASSERT_EQ_INT(o->account_add(st.priv, longname, 102, &x), -EINVAL);
    ASSERT_EQ_INT(o->account_by_name(st.priv, longname, &x), -ENOENT);
    longname[STORE_ACCOUNT_NAME_MAX] = '\0'; /* exactly the maximum is fine */
    ASSERT_EQ_INT(o->account_add(st.priv, longname, 103, &x), 0);

    ASSERT_EQ_INT(o->account_by_name(st.priv, "bob", &x), 0);
    ASSERT_EQ_INT(x.id, b.id);
    ASSERT_EQ_STR(x.name, "bob");
    ASSERT_EQ_INT(x.created, 101);
    ASSERT_EQ_INT(o->account_by_name(st.priv, "carol", &x), -ENOENT);

    ASSERT_EQ_INT(o->account_list(st.priv, seen_account, &seen), 0);
    ASSERT_EQ_INT(seen.n, 3);
    ASSERT_EQ_STR(seen.names[0], "alice");
    ASSERT_EQ_STR(seen.names[1], "bob");
    ASSERT_EQ_INT(seen.ids[1], b.id);
    memset(&seen, 0, sizeof(seen));
    seen.stop_at = 1;
    ASSERT_EQ_INT(o->account_list(st.priv, seen_account, &seen), 7);
    ASSERT_EQ_INT(seen.n, 1);
    store_close(&st);
}

static void
make_cred(struct store_cred *c, const char *id, int64_t account, int64_t created)
{
    cred_init(c, id, account, created);
    memset(c->hash, id[0], sizeof(c->hash));
    c->hash[0] = 0; /* a NUL inside the blob must survive */
}

/* Add three credentials to `a` (created 200, 100, 200) and one to `b` (150) under quotas. */
static void
cred_setup(struct store *st, int64_t a, int64_t b)
{
    const struct store_ops *o = st->ops;
    struct store_cred c;

    make_cred(&c, "c1", a, 200);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 3), 0);
    make_cred(&c, "c2", a, 100);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 3), 0);
    make_cred(&c, "c3", a, 200);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 3), 0);
    make_cred(&c, "c4", a, 300);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 3), -EDQUOT);
    make_cred(&c, "b1", b, 150);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 0), -EDQUOT);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 1), 0);
    make_cred(&c, "c1", b, 150);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 10), -EAGAIN);
    make_cred(&c, "orphan", 99999, 150);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 10), -ENOENT);
    make_cred(&c, "", a, 150);
    ASSERT_EQ_INT(o->cred_add(st->priv, &c, 10), -EINVAL);
}

static void
test_creds(void)
{
    struct store st;
    struct store_account a, b;
    struct store_cred c, want;
    struct seen seen = {0};

    if (suite_open(&st, "cred.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    new_account(&st, "a", &a);
    new_account(&st, "b", &b);
    cred_setup(&st, a.id, b.id);

    make_cred(&want, "c1", a.id, 200);
    ASSERT_EQ_INT(o->cred_get(st.priv, "c1", &c), 0);
    ASSERT_EQ_STR(c.customer_id, "c1");
    ASSERT_EQ_INT(c.account_id, a.id);
    ASSERT_EQ_MEM(c.hash, want.hash, STORE_HASH_LEN);
    ASSERT_EQ_INT(c.created, 200);
    ASSERT_EQ_INT(c.last_used, 0);
    ASSERT_EQ_INT(c.status, 1);
    ASSERT_EQ_INT(o->cred_get(st.priv, "nope", &c), -ENOENT);
    ASSERT_EQ_INT(o->cred_get(st.priv, "0123456789abcdef0123456789abcdef0", &c), -ENOENT);

    /* Ordered by created, then insertion. */
    ASSERT_EQ_INT(o->cred_list(st.priv, a.id, seen_cred, &seen), 0);
    ASSERT_EQ_INT(seen.n, 3);
    ASSERT_EQ_STR(seen.names[0], "c2");
    ASSERT_EQ_STR(seen.names[1], "c1");
    ASSERT_EQ_STR(seen.names[2], "c3");
    memset(&seen, 0, sizeof(seen));
    ASSERT_EQ_INT(o->cred_list(st.priv, -1, seen_cred, &seen), 0);
    ASSERT_EQ_INT(seen.n, 4);
    ASSERT_EQ_STR(seen.names[1], "b1");
    memset(&seen, 0, sizeof(seen));
    seen.stop_at = 2;
    ASSERT_EQ_INT(o->cred_list(st.priv, -1, seen_cred, &seen), 7);
    ASSERT_EQ_INT(seen.n, 2);
    memset(&seen, 0, sizeof(seen));
    ASSERT_EQ_INT(o->cred_list(st.priv, 99999, seen_cred, &seen), 0);
    ASSERT_EQ_INT(seen.n, 0);
    store_close(&st);
}

static void
test_cred_touch_delete(void)
{
    struct store st;
    struct store_account a, b;
    struct store_cred c;

    if (suite_open(&st, "touch.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    new_account(&st, "a", &a);
    new_account(&st, "b", &b);
    cred_setup(&st, a.id, b.id);

    struct store_touch t1[] = {{"c1", 500}};
    struct store_touch t2[] = {
        {"c1", 300}, {"c2", 50}, {"ffffffffffffffffffffffffffffffff", 9}, {"c3", 10}, {"c3", 5}};
    ASSERT_EQ_INT(o->cred_touch(st.priv, t1, 1), 0);
    ASSERT_EQ_INT(o->cred_touch(st.priv, t2, sizeof(t2) / sizeof(t2[0])), 0);
    ASSERT_EQ_INT(o->cred_touch(st.priv, NULL, 0), 0);
    ASSERT_EQ_INT(o->cred_get(st.priv, "c1", &c), 0);
    ASSERT_EQ_INT(c.last_used, 500); /* never moves backwards */
    ASSERT_EQ_INT(o->cred_get(st.priv, "c2", &c), 0);
    ASSERT_EQ_INT(c.last_used, 50);
    ASSERT_EQ_INT(o->cred_get(st.priv, "c3", &c), 0);
    ASSERT_EQ_INT(c.last_used, 10);

    ASSERT_EQ_INT(o->cred_delete(st.priv, "c1", false), 0);
    ASSERT_EQ_INT(o->cred_delete(st.priv, "c1", false), -ENOENT);
    ASSERT_EQ_INT(o->cred_delete(st.priv, "c2", false), 0);
    ASSERT_EQ_INT(o->cred_delete(st.priv, "c3", false), -EBUSY);
    ASSERT_EQ_INT(o->cred_get(st.priv, "c3", &c), 0);
    ASSERT_EQ_INT(o->cred_delete(st.priv, "b1", false), -EBUSY);
    ASSERT_EQ_INT(o->cred_delete(st.priv, "c3", true), 0);
    ASSERT_EQ_INT(o->cred_get(st.priv, "c3", &c), -ENOENT);
    ASSERT_EQ_INT(o->cred_delete(st.priv, "nope", true), -ENOENT);
    ASSERT_EQ_INT(o->cred_get(st.priv, "b1", &c), 0);

    /* The freed quota can be used again. */
    make_cred(&c, "c5", a.id, 600);
    ASSERT_EQ_INT(o->cred_add(st.priv, &c, 1), 0);
    make_cred(&c, "c6", a.id, 600);
    ASSERT_EQ_INT(o->cred_add(st.priv, &c, 1), -EDQUOT);
    store_close(&st);
}

static void
make_project(struct store_project *p, const char *id, int64_t account, const char *name,
             int64_t created)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->id, sizeof(p->id), "%s", id);
    p->account_id = account;
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->vendor_key, sizeof(p->vendor_key), "%032d", (int)created);
    snprintf(p->sign_key, sizeof(p->sign_key), "%032x", (unsigned)created);
    p->status = 1;
    p->created = created;
}

/* List projects of `account` with the filters into *seen (cleared first). */
static int
list(struct store *st, int64_t account, const char *id, const char *name, struct seen *seen)
{
    memset(seen, 0, sizeof(*seen));
    return st->ops->project_list(st->priv, account, id, name, seen_project, seen);
}

/* Create p1 "one" (100), p2 "two" (50), p3 "three" (100) in A, b1 "one" in B. */
static void
project_setup(struct store *st, int64_t a, int64_t b)
{
    const struct store_ops *o = st->ops;
    struct store_project p;

    make_project(&p, "p1", a, "one", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 3), 0);
    make_project(&p, "p2", a, "two", 50);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 3), 0);
    make_project(&p, "p3", a, "three", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 3), 0);
    make_project(&p, "p4", a, "four", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 3), -EDQUOT);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, -1), 0); /* negative: no quota */
    ASSERT_EQ_INT(o->project_delete(st->priv, a, "p4"), 0);
    make_project(&p, "p9", a, "one", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), -EEXIST);
    make_project(&p, "p2", a, "one", 100); /* a taken name is found before a taken id */
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), -EEXIST);
    make_project(&p, "b1", b, "one", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), 0);
    make_project(&p, "p1", a, "other", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), -EAGAIN);
    make_project(&p, "b1", a, "other", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), -EAGAIN);
    make_project(&p, "p4", a, "other", 100); /* a deleted project's id stays taken */
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), -EAGAIN);
    make_project(&p, "px", 99999, "other", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), -ENOENT);
    make_project(&p, "", a, "other", 100);
    ASSERT_EQ_INT(o->project_create(st->priv, &p, 10), -EINVAL);
}

static void
test_projects_list(void)
{
    struct store st;
    struct store_account a, b;
    struct seen seen;

    if (suite_open(&st, "proj.db") != 0)
        return;
    new_account(&st, "a", &a);
    new_account(&st, "b", &b);
    project_setup(&st, a.id, b.id);

    ASSERT_EQ_INT(list(&st, a.id, NULL, NULL, &seen), 0);
    ASSERT_EQ_INT(seen.n, 3);
    ASSERT_EQ_STR(seen.names[0], "p2");
    ASSERT_EQ_STR(seen.names[1], "p1");
    ASSERT_EQ_STR(seen.names[2], "p3");
    ASSERT_EQ_INT(list(&st, a.id, "p3", NULL, &seen), 0);
    ASSERT_TRUE(seen.n == 1 && strcmp(seen.names[0], "p3") == 0);
    ASSERT_EQ_INT(list(&st, a.id, NULL, "one", &seen), 0);
    ASSERT_TRUE(seen.n == 1 && strcmp(seen.names[0], "p1") == 0);
    ASSERT_EQ_INT(list(&st, a.id, "p1", "one", &seen), 0);
    ASSERT_EQ_INT(seen.n, 1);
    ASSERT_EQ_INT(list(&st, a.id, "p1", "two", &seen), 0);
    ASSERT_EQ_INT(seen.n, 0);
    ASSERT_EQ_INT(list(&st, a.id, "b1", NULL, &seen), 0); /* B's project is invisible to A */
    ASSERT_EQ_INT(seen.n, 0);
    ASSERT_EQ_INT(list(&st, a.id, "p4", NULL, &seen), 0); /* deleted */
    ASSERT_EQ_INT(seen.n, 0);
    ASSERT_EQ_INT(list(&st, a.id, "much-too-long-project-id", NULL, &seen), 0);
    ASSERT_EQ_INT(seen.n, 0);
    ASSERT_EQ_INT(list(&st, b.id, NULL, "one", &seen), 0);
    ASSERT_TRUE(seen.n == 1 && strcmp(seen.names[0], "b1") == 0);
    seen.stop_at = 2;
    seen.n = 0;
    ASSERT_EQ_INT(st.ops->project_list(st.priv, a.id, NULL, NULL, seen_project, &seen), 7);
    ASSERT_EQ_INT(seen.n, 2);
    store_close(&st);
}

/* Project get/update/delete by the owner and by another account. */
static void
project_tenancy(struct store *st, int64_t a, int64_t b)
{
    const struct store_ops *o = st->ops;
    struct store_project p, q;

    ASSERT_EQ_INT(o->project_get(st->priv, a, "p1", &p), 0);
    make_project(&q, "p1", a, "one", 100);
    ASSERT_EQ_STR(p.id, "p1");
    ASSERT_EQ_INT(p.account_id, a);
    ASSERT_EQ_STR(p.name, "one");
    ASSERT_EQ_STR(p.vendor_key, q.vendor_key);
    ASSERT_EQ_STR(p.sign_key, q.sign_key);
    ASSERT_TRUE(!p.has_recording_server && p.recording_server[0] == '\0');
    ASSERT_EQ_INT(p.status, 1);
    ASSERT_EQ_INT(p.created, 100);

    ASSERT_EQ_INT(o->project_get(st->priv, b, "p1", &q), -ENOENT);
    q = p;
    q.account_id = b;
    q.status = 0;
    ASSERT_EQ_INT(o->project_update(st->priv, &q), -ENOENT);
    ASSERT_EQ_INT(o->project_delete(st->priv, b, "p1"), -ENOENT);
    ASSERT_EQ_INT(o->project_get(st->priv, a, "p1", &q), 0);
    ASSERT_EQ_INT(q.status, 1);
    ASSERT_EQ_INT(o->project_get(st->priv, a, "nope", &q), -ENOENT);

    /* Update writes status, sign_key and recording_server only. */
    p.status = 0;
    p.sign_key[0] = '\0';
    p.has_recording_server = true;
    snprintf(p.recording_server, sizeof(p.recording_server), "10.0.0.1:8080");
    snprintf(p.name, sizeof(p.name), "renamed");
    ASSERT_EQ_INT(o->project_update(st->priv, &p), 0);
    ASSERT_EQ_INT(o->project_get(st->priv, a, "p1", &q), 0);
    ASSERT_EQ_INT(q.status, 0);
    ASSERT_EQ_STR(q.sign_key, "");
    ASSERT_TRUE(q.has_recording_server);
    ASSERT_EQ_STR(q.recording_server, "10.0.0.1:8080");
    ASSERT_EQ_STR(q.name, "one");
    p.has_recording_server = false;
    ASSERT_EQ_INT(o->project_update(st->priv, &p), 0);
    ASSERT_EQ_INT(o->project_get(st->priv, a, "p1", &q), 0);
    ASSERT_TRUE(!q.has_recording_server);
}

static void
test_projects_rw(void)
{
    struct store st;
    struct store_account a, b;
    struct store_project p;
    struct seen seen;

    if (suite_open(&st, "proj2.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    new_account(&st, "a", &a);
    new_account(&st, "b", &b);
    project_setup(&st, a.id, b.id);
    project_tenancy(&st, a.id, b.id);

    /* Deleting frees the name and the quota; the project is gone everywhere. */
    ASSERT_EQ_INT(o->project_delete(st.priv, a.id, "p1"), 0);
    ASSERT_EQ_INT(o->project_delete(st.priv, a.id, "p1"), -ENOENT);
    ASSERT_EQ_INT(o->project_get(st.priv, a.id, "p1", &p), -ENOENT);
    ASSERT_EQ_INT(o->project_get(st.priv, a.id, "p1", &p), -ENOENT);
    make_project(&p, "p1", a.id, "one", 100);
    ASSERT_EQ_INT(o->project_update(st.priv, &p), -ENOENT);
    ASSERT_EQ_INT(list(&st, a.id, NULL, "one", &seen), 0);
    ASSERT_EQ_INT(seen.n, 0);
    make_project(&p, "p5", a.id, "one", 200);
    ASSERT_EQ_INT(o->project_create(st.priv, &p, 3), 0);
    make_project(&p, "p6", a.id, "six", 200);
    ASSERT_EQ_INT(o->project_create(st.priv, &p, 3), -EDQUOT);
    ASSERT_EQ_INT(list(&st, a.id, NULL, "one", &seen), 0);
    ASSERT_TRUE(seen.n == 1 && strcmp(seen.names[0], "p5") == 0);

    /* The longest name and recording server round-trip. */
    make_project(&p, "p7", b.id, "", 300);
    memset(p.name, 'x', STORE_PROJECT_NAME_BYTES);
    p.has_recording_server = true;
    memset(p.recording_server, 'r', STORE_RECSRV_MAX);
    ASSERT_EQ_INT(o->project_create(st.priv, &p, 10), 0);
    struct store_project q;
    ASSERT_EQ_INT(o->project_get(st.priv, b.id, "p7", &q), 0);
    ASSERT_EQ_STR(q.name, p.name);
    ASSERT_EQ_STR(q.recording_server, p.recording_server);
    store_close(&st);
}

struct worker {
    struct store *st;
    int64_t account;
    char tag; /* first letter of the project ids, which are unique across accounts */
    int index;
    int max;
    int ok, quota, other;
};

/* Create 10 projects named after the worker, counting the outcomes. */
static void *
worker_run(void *arg)
{
    struct worker *w = arg;
    struct store_project p;
    char id[STORE_PROJECT_ID_MAX + 1], name[32];

    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof(id), "%c%d-%d", w->tag, w->index, i);
        snprintf(name, sizeof(name), "name %d %d", w->index, i);
        make_project(&p, id, w->account, name, 1000 + i);
        int rc = w->st->ops->project_create(w->st->priv, &p, w->max);
        struct store_touch t = {"t", 1000 + i};
        w->st->ops->cred_touch(w->st->priv, &t, 1);
        if (rc == 0)
            w->ok++;
        else if (rc == -EDQUOT)
            w->quota++;
        else
            w->other++;
    }
    return NULL;
}

/* Run 4 workers, alternating between the two stores; return the totals in *sum. */
static void
run_workers(struct store *s1, struct store *s2, int64_t account, int max, struct worker *sum)
{
    static char tag = 'v';
    struct worker w[4];
    pthread_t th[4];

    memset(sum, 0, sizeof(*sum));
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){
            .st = i % 2 ? s2 : s1, .account = account, .tag = tag, .index = i, .max = max};
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    tag++;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        sum->ok += w[i].ok;
        sum->quota += w[i].quota;
        sum->other += w[i].other;
    }
}

static void
test_concurrency(void)
{
    struct store s1, s2;
    struct store_account a, b;
    struct worker sum;
    struct seen seen;

    if (suite_open(&s1, "conc.db") != 0)
        return;
    if (suite_open(&s2, "conc.db") != 0) {
        store_close(&s1);
        return;
    }
    new_account(&s1, "many", &a);
    new_account(&s1, "few", &b);

    /* Threads sharing one handle. */
    run_workers(&s1, &s1, a.id, -1, &sum);
    ASSERT_EQ_INT(sum.ok, 40);
    ASSERT_EQ_INT(sum.other, 0);
    ASSERT_EQ_INT(list(&s2, a.id, NULL, NULL, &seen), 0);
    ASSERT_EQ_INT(seen.n, 40);

    /* Two connections racing for a quota of 8: exactly 8 win. */
    ASSERT_EQ_INT(s1.ops->project_delete(s1.priv, a.id, "v0-0"), 0);
    run_workers(&s1, &s2, b.id, 8, &sum);
    ASSERT_EQ_INT(sum.ok, 8);
    ASSERT_EQ_INT(sum.quota, 32);
    ASSERT_EQ_INT(sum.other, 0);
    store_close(&s2);
    store_close(&s1);
}

/* A write acknowledged just before the process is killed is there afterwards. */
static void
test_kill(void)
{
    struct store st;
    struct store_account a;
    char url[PATH_MAX];

    suite_url(url, sizeof(url), "kill.db");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (store_open(url, &st) != 0 || st.ops->account_add(st.priv, "durable", 9, &a) != 0)
            _exit(3);
        raise(SIGKILL);
        _exit(4);
    }
    int status = 0;
    ASSERT_TRUE(pid > 0 && waitpid(pid, &status, 0) == pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    if (suite_open(&st, "kill.db") != 0)
        return;
    ASSERT_EQ_INT(st.ops->account_by_name(st.priv, "durable", &a), 0);
    ASSERT_EQ_INT(a.created, 9);
    store_close(&st);
}

int
main(int argc, char **argv)
{
    int checks = 0, failures = 0;
    if (suite_begin(argc, argv) < 0)
        return 1;
    RUN(test_accounts);
    RUN(test_creds);
    RUN(test_cred_touch_delete);
    RUN(test_projects_list);
    RUN(test_projects_rw);
    RUN(test_concurrency);
    RUN(test_kill);
    suite_console(&checks, &failures);
    suite_feed(&checks, &failures);
    suite_life(&checks, &failures);
    if (suite_is_pg())
        suite_pg(&checks, &failures);
    suite_end();
    harness_checks += checks;
    harness_failures += failures;
    return harness_done();
}
