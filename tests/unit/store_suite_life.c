/* SPDX-License-Identifier: MIT */
/*
 * store_suite_life.c: the credential lifecycle on every backend (part of the test_store
 * program, store_suite.h): disable, enable and expiry with the last-pair rules and their
 * audit entry in the same transaction, the feed rows the changed columns make, roll and the
 * pair limit, the audit log, usage counts.
 */
#include "store/store.h"

#include "harness.h"
#include "store_fixture.h"
#include "store_suite.h"

#include <errno.h>

static const unsigned char zero_hash[STORE_HASH_LEN];

struct entries {
    int n;
    struct store_audit e[16];
};

static int
keep_entry(void *ctx, const struct store_audit *a)
{
    struct entries *x = ctx;
    if (x->n < 16)
        x->e[x->n] = *a;
    x->n++;
    return 0;
}

/* The audit entries of the account (-1: all), newest first. */
static int
entries_of(struct store *st, int64_t account, struct entries *x)
{
    struct store_audit_query q = {.account_id = account, .limit = 100};
    memset(x, 0, sizeof(*x));
    return st->ops->audit_list(st->priv, &q, keep_entry, x);
}

static void
entry(struct store_audit *e, int64_t account, const char *action, const char *target, int64_t t)
{
    memset(e, 0, sizeof(*e));
    e->account_id = account;
    e->time = t;
    snprintf(e->actor, sizeof(e->actor), "cli");
    snprintf(e->action, sizeof(e->action), "%s", action);
    snprintf(e->target, sizeof(e->target), "%s", target);
}

static int64_t
head_of(struct store *st)
{
    int64_t head = -1;
    ASSERT_EQ_INT(st->ops->feed_head(st->priv, &head), 0);
    return head;
}

static void
test_update_and_last_pair(void)
{
    struct store st;
    struct store_cred c;
    struct store_audit e;
    struct entries x;
    if (suite_open(&st, "life.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    int64_t a = add_account(&st, "alice"), b = add_account(&st, "bob");
    add_cred(&st, "a1", a, 1, zero_hash);
    add_cred(&st, "a2", a, 1, zero_hash);
    cred_init(&c, "trip", a, FIXTURE_CREATED);
    c.tripwire = true;
    ASSERT_EQ_INT(o->cred_add(st.priv, &c, -1), 0);
    ASSERT_EQ_INT(o->cred_get(st.priv, "trip", &c), 0);
    ASSERT_TRUE(c.tripwire && c.expires_at == 0);

    /* Disable a1 (its feed row and its audit entry), then a2 is the last enabled pair. */
    int64_t head = head_of(&st);
    struct store_cred_update off = {.status = 0, .now = 2000};
    entry(&e, a, "credential.disable", "a1", 2000);
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a1", &off, &e, &c), 0);
    ASSERT_EQ_INT(c.status, 0);
    ASSERT_TRUE(head_of(&st) > head);
    ASSERT_EQ_INT(entries_of(&st, a, &x), 0);
    ASSERT_EQ_INT(x.n, 1);
    ASSERT_EQ_STR(x.e[0].action, "credential.disable");
    ASSERT_EQ_STR(x.e[0].account, "alice");
    entry(&e, a, "credential.disable", "a2", 2001);
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a2", &off, &e, NULL), -EBUSY);
    ASSERT_EQ_INT(o->cred_delete(st.priv, "a2", false), -EBUSY); /* last enabled */
    ASSERT_EQ_INT(entries_of(&st, a, &x), 0);
    ASSERT_EQ_INT(x.n, 1); /* a refused change leaves no entry */
    ASSERT_EQ_INT(o->cred_update(st.priv, b, "a2", &off, NULL, NULL), -ENOENT); /* not bob's */
    ASSERT_EQ_INT(o->cred_update(st.priv, -1, "nope", &off, NULL, NULL), -ENOENT);

    /* An expiry of the last enabled pair needs force, unless another pair outlives it. */
    struct store_cred_update exp = {
        .status = -1, .set_expiry = true, .expires_at = 5000, .now = 2000};
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a2", &exp, NULL, NULL), -EBUSY);
    struct store_cred_update on = {
        .status = 1, .set_expiry = true, .expires_at = 6000, .now = 2000};
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a1", &on, NULL, &c), 0); /* enabled until 6000 */
    ASSERT_EQ_INT(c.expires_at, 6000);
    head = head_of(&st);
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a2", &exp, NULL, NULL), 0); /* a1 outlives it */
    ASSERT_TRUE(head_of(&st) > head); /* the expiry is a feed row: every node applies it */
    exp.expires_at = 7000;
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a1", &exp, NULL, NULL), -EBUSY); /* a2 ends first */
    exp.force = true;
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a1", &exp, NULL, NULL), 0);
    /* Once a1 has expired (at 8000), a2 is the only enabled pair: deleting a1 is fine. */
    off.now = 8000;
    ASSERT_EQ_INT(o->cred_update(st.priv, a, "a2", &off, NULL, NULL), 0); /* nothing left */
    ASSERT_EQ_INT(o->cred_delete(st.priv, "trip", false), 0);             /* not enabled */
    ASSERT_EQ_INT(o->cred_get(st.priv, "a2", &c), 0);
    ASSERT_TRUE(!store_cred_enabled(&c, 2000) && c.expires_at == 5000);
    store_close(&st);
}

static void
test_roll(void)
{
    struct store st;
    struct store_cred fresh, old;
    struct store_audit e;
    struct entries x;
    if (suite_open(&st, "roll.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    int64_t a = add_account(&st, "alice"), b = add_account(&st, "bob");
    add_cred(&st, "a1", a, 1, zero_hash);
    add_cred(&st, "a2", a, 1, zero_hash);
    cred_init(&fresh, "a3", a, 2000);
    entry(&e, a, "credential.roll", "a1", 2000);
    ASSERT_EQ_INT(o->cred_roll(st.priv, &fresh, 3, "a1", 2100, &e, &old), 0);
    ASSERT_EQ_STR(old.customer_id, "a1");
    ASSERT_EQ_INT(old.expires_at, 2100);
    ASSERT_EQ_INT(o->cred_get(st.priv, "a3", &fresh), 0);
    ASSERT_EQ_INT(entries_of(&st, a, &x), 0);
    ASSERT_TRUE(x.n == 1 && strcmp(x.e[0].target, "a1") == 0);
    /* Three pairs that have not expired: the limit of 3 is reached at 2050, not at 2100. */
    cred_init(&fresh, "a4", a, 2050);
    ASSERT_EQ_INT(o->cred_roll(st.priv, &fresh, 3, "a2", 9000, NULL, NULL), -EDQUOT);
    ASSERT_EQ_INT(o->cred_add(st.priv, &fresh, 3), -EDQUOT);
    cred_init(&fresh, "a4", a, 2100);
    ASSERT_EQ_INT(o->cred_add(st.priv, &fresh, 3), 0);
    /* A later overlap never pushes an earlier expiry back. */
    cred_init(&fresh, "a5", a, 2200);
    ASSERT_EQ_INT(o->cred_roll(st.priv, &fresh, 10, "a1", 9999, NULL, &old), 0);
    ASSERT_EQ_INT(old.expires_at, 2100);
    cred_init(&fresh, "a6", a, 2200);
    ASSERT_EQ_INT(o->cred_roll(st.priv, &fresh, 10, "b-none", 9999, NULL, NULL), -ENOENT);
    add_cred(&st, "b1", b, 1, zero_hash);
    ASSERT_EQ_INT(o->cred_roll(st.priv, &fresh, 10, "b1", 9999, NULL, NULL), -ENOENT);
    cred_init(&old, "tw", a, 2200);
    old.tripwire = true;
    ASSERT_EQ_INT(o->cred_add(st.priv, &old, -1), 0);
    ASSERT_EQ_INT(o->cred_roll(st.priv, &fresh, 10, "tw", 9999, NULL, NULL), -EPERM);
    ASSERT_EQ_INT(o->cred_get(st.priv, "a6", &fresh), -ENOENT); /* nothing was added */
    store_close(&st);
}

static void
test_audit_log(void)
{
    struct store st;
    struct store_audit e;
    struct entries x;
    if (suite_open(&st, "audit.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    int64_t a = add_account(&st, "alice"), b = add_account(&st, "bob");
    for (int i = 0; i < 5; i++) {
        entry(&e, i % 2 ? b : a, "credential.create", "t", 1000 + i);
        if (i == 4) {
            snprintf(e.address, sizeof(e.address), "192.0.2.7");
            e.alert = true;
        }
        ASSERT_EQ_INT(o->audit_add(st.priv, &e), 0);
    }
    entry(&e, 0, "console.signin_failed", "", 1005); /* no account */
    ASSERT_EQ_INT(o->audit_add(st.priv, &e), 0);
    ASSERT_EQ_INT(entries_of(&st, -1, &x), 0);
    ASSERT_EQ_INT(x.n, 6);
    ASSERT_TRUE(x.e[0].id > x.e[1].id && x.e[0].account[0] == '\0');
    ASSERT_EQ_INT(entries_of(&st, a, &x), 0);
    ASSERT_EQ_INT(x.n, 3);
    ASSERT_EQ_STR(x.e[0].address, "192.0.2.7");
    ASSERT_TRUE(x.e[0].alert && !x.e[1].alert && x.e[1].address[0] == '\0');
    struct store_audit_query q = {.account_id = a, .before = x.e[0].id, .limit = 1};
    int64_t second = x.e[1].id;
    ASSERT_EQ_INT(o->audit_list(st.priv, &q, keep_entry, memset(&x, 0, sizeof(x))), 0);
    ASSERT_TRUE(x.n == 1 && x.e[0].id == second);
    q = (struct store_audit_query){.account_id = -1, .since = 1003, .limit = 10};
    ASSERT_EQ_INT(o->audit_list(st.priv, &q, keep_entry, memset(&x, 0, sizeof(x))), 0);
    ASSERT_EQ_INT(x.n, 3);
    ASSERT_EQ_INT(o->audit_prune(st.priv, 1004), 0);
    ASSERT_EQ_INT(entries_of(&st, -1, &x), 0);
    ASSERT_EQ_INT(x.n, 2);
    memset(e.actor, 'x', sizeof(e.actor) - 1);
    e.actor[sizeof(e.actor) - 1] = 'x'; /* no terminator within the bound */
    ASSERT_EQ_INT(o->audit_add(st.priv, &e), -EINVAL);
    store_close(&st);
}

struct days {
    int n;
    struct store_usage u[16];
};

static int
keep_day(void *ctx, const struct store_usage *u)
{
    struct days *d = ctx;
    if (d->n < 16)
        d->u[d->n] = *u;
    d->n++;
    return 0;
}

static void
test_usage(void)
{
    struct store st;
    struct days d = {0};
    if (suite_open(&st, "usage.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    int64_t a = add_account(&st, "alice"), b = add_account(&st, "bob");
    add_cred(&st, "a1", a, 1, zero_hash);
    add_cred(&st, "a2", a, 1, zero_hash);
    add_cred(&st, "b1", b, 1, zero_hash);
    int64_t day = 86400 * 20000;
    struct store_usage u[] = {
        {"a1", "projects.list", day, 3},         {"a1", "project.get", day + 3600, 4},
        {"a1", "projects.list", day + 86400, 5}, {"a2", "projects.list", day, 1},
        {"b1", "projects.list", day, 7},
    };
    ASSERT_EQ_INT(o->usage_add(st.priv, u, 5), 0);
    ASSERT_EQ_INT(o->usage_add(st.priv, u, 1), 0); /* adds to the same hour */
    ASSERT_EQ_INT(o->usage_daily(st.priv, a, day, keep_day, &d), 0);
    ASSERT_EQ_INT(d.n, 3);
    ASSERT_TRUE(strcmp(d.u[0].customer_id, "a1") == 0 && d.u[0].hour == day);
    ASSERT_EQ_INT(d.u[0].count, 10); /* 3 + 3 + 4 */
    ASSERT_TRUE(d.u[1].hour == day + 86400 && d.u[1].count == 5);
    ASSERT_TRUE(strcmp(d.u[2].customer_id, "a2") == 0 && d.u[2].count == 1);
    memset(&d, 0, sizeof(d));
    ASSERT_EQ_INT(o->usage_daily(st.priv, a, day + 86400, keep_day, &d), 0);
    ASSERT_EQ_INT(d.n, 1);
    /* Deleting a pair deletes its counts; pruning drops the old hours. */
    ASSERT_EQ_INT(o->cred_delete(st.priv, "a2", true), 0);
    ASSERT_EQ_INT(o->usage_prune(st.priv, day + 3600), 0);
    memset(&d, 0, sizeof(d));
    ASSERT_EQ_INT(o->usage_daily(st.priv, -1, 0, keep_day, &d), 0);
    ASSERT_EQ_INT(d.n, 2);
    ASSERT_TRUE(d.u[0].count == 4 && d.u[1].count == 5);
    store_close(&st);
}

void
suite_life(int *checks, int *failures)
{
    RUN(test_update_and_last_pair);
    RUN(test_roll);
    RUN(test_audit_log);
    RUN(test_usage);
    *checks += harness_checks;
    *failures += harness_failures;
}
