/* SPDX-License-Identifier: MIT */
/*
 * store_suite_console.c: the console's operations on every backend (part of the test_store
 * program, store_suite.h): sign-in data, pending pairs and their once-only secret issue (from
 * threads and from processes), sessions and their cap.
 */
#include "store/store.h"

#include "harness.h"
#include "store_fixture.h"
#include "store_suite.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static void
make_pending(struct store_cred *c, const char *id, int64_t account, int64_t created)
{
    cred_init(c, id, account, created);
    c->pending = true;
}

static void
test_login(void)
{
    struct store st;
    struct store_account a, b;
    struct store_login l;
    if (suite_open(&st, "login.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    new_account(&st, "alice", &a);
    new_account(&st, "bob", &b);
    ASSERT_EQ_INT(o->login_by_email(st.priv, "alice@example.com", &l), -ENOENT);
    ASSERT_EQ_INT(o->login_set(st.priv, a.id, "Alice@Example.com", NULL), 0);
    ASSERT_EQ_INT(o->login_by_email(st.priv, "alice@EXAMPLE.com", &l), 0);
    ASSERT_EQ_INT(l.account_id, a.id);
    ASSERT_EQ_STR(l.name, "alice");
    ASSERT_EQ_STR(l.email, "Alice@Example.com");
    ASSERT_EQ_STR(l.pwhash, "");
    /* E-mail addresses are unique, ignoring case. */
    ASSERT_EQ_INT(o->login_set(st.priv, b.id, "ALICE@example.COM", NULL), -EEXIST);
    ASSERT_EQ_INT(o->login_set(st.priv, b.id, "bob@example.com", "$argon2id$fake"), 0);
    ASSERT_EQ_INT(o->login_by_id(st.priv, b.id, &l), 0);
    ASSERT_EQ_STR(l.pwhash, "$argon2id$fake");
    ASSERT_EQ_STR(l.email, "bob@example.com");
    /* NULL keeps a field; the e-mail of the same account may change its case. */
    ASSERT_EQ_INT(o->login_set(st.priv, b.id, NULL, "$argon2id$other"), 0);
    ASSERT_EQ_INT(o->login_set(st.priv, a.id, "ALICE@example.com", NULL), 0);
    ASSERT_EQ_INT(o->login_by_email(st.priv, "bob@example.com", &l), 0);
    ASSERT_EQ_STR(l.pwhash, "$argon2id$other");
    ASSERT_EQ_INT(o->login_set(st.priv, 9999, "x@example.com", NULL), -ENOENT);
    ASSERT_EQ_INT(o->login_set(st.priv, a.id, "", NULL), -EINVAL);
    ASSERT_EQ_INT(o->login_by_id(st.priv, 9999, &l), -ENOENT);
    ASSERT_EQ_INT(o->login_by_email(st.priv, "", &l), -ENOENT);
    store_close(&st);
}

static void
test_pending_issue(void)
{
    struct store st;
    struct store_account a, b;
    struct store_cred c;
    unsigned char h[STORE_HASH_LEN];
    if (suite_open(&st, "issue.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    new_account(&st, "alice", &a);
    new_account(&st, "bob", &b);
    make_pending(&c, "p1", a.id, 50);
    ASSERT_EQ_INT(o->cred_add(st.priv, &c, 2), 0);
    make_pending(&c, "p2", a.id, 51);
    ASSERT_EQ_INT(o->cred_add(st.priv, &c, 2), 0);
    make_pending(&c, "p3", a.id, 52);
    ASSERT_EQ_INT(o->cred_add(st.priv, &c, 2), -EDQUOT); /* pending pairs count */
    memset(&c, 0x55, sizeof(c));
    ASSERT_EQ_INT(o->cred_get(st.priv, "p1", &c), 0);
    ASSERT_TRUE(c.pending);
    ASSERT_EQ_INT(c.issued, 0);
    static const unsigned char zero[STORE_HASH_LEN];
    ASSERT_EQ_MEM(c.hash, zero, STORE_HASH_LEN);

    memset(h, 0xab, sizeof(h));
    ASSERT_EQ_INT(o->cred_issue(st.priv, b.id, "p1", h, 60), -ENOENT); /* not bob's */
    ASSERT_EQ_INT(o->cred_issue(st.priv, a.id, "nope", h, 60), -ENOENT);
    ASSERT_EQ_INT(o->cred_issue(st.priv, a.id, "p1", h, 60), 0);
    ASSERT_EQ_INT(o->cred_issue(st.priv, a.id, "p1", h, 61), -EALREADY);
    ASSERT_EQ_INT(o->cred_get(st.priv, "p1", &c), 0);
    ASSERT_TRUE(!c.pending);
    ASSERT_EQ_INT(c.issued, 60);
    ASSERT_EQ_MEM(c.hash, h, STORE_HASH_LEN);

    /* A pair made with its secret (the CLI) is issued at creation and cannot be issued. */
    cred_init(&c, "cli", b.id, 70);
    ASSERT_EQ_INT(o->cred_add(st.priv, &c, -1), 0);
    ASSERT_EQ_INT(o->cred_get(st.priv, "cli", &c), 0);
    ASSERT_EQ_INT(c.issued, 70);
    ASSERT_EQ_INT(o->cred_issue(st.priv, b.id, "cli", h, 80), -EALREADY);
    store_close(&st);
}

struct race {
    atomic_int wins;
    atomic_int already;
};

/* Each thread opens its own connection (as separate processes would) and tries to issue the
 * same pending pair. */
static void *
issue_thread(void *arg)
{
    struct race *r = arg;
    struct store st;
    char url[PATH_MAX];
    unsigned char h[STORE_HASH_LEN] = {1};
    if (store_open(suite_url(url, sizeof(url), "race.db"), &st) != 0)
        return NULL;
    int rc = st.ops->cred_issue(st.priv, 1, "race", h, 5);
    if (rc == 0)
        atomic_fetch_add(&r->wins, 1);
    else if (rc == -EALREADY)
        atomic_fetch_add(&r->already, 1);
    store_close(&st);
    return NULL;
}

static void
test_issue_race(void)
{
    struct store st;
    struct store_account a;
    struct store_cred c;
    struct race r = {0};
    pthread_t th[6];
    if (suite_open(&st, "race.db") != 0)
        return;
    new_account(&st, "alice", &a);
    make_pending(&c, "race", a.id, 1);
    ASSERT_EQ_INT(st.ops->cred_add(st.priv, &c, -1), 0);
    store_close(&st);
    for (int i = 0; i < 6; i++)
        pthread_create(&th[i], NULL, issue_thread, &r);
    for (int i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    ASSERT_EQ_INT(atomic_load(&r.wins), 1);
    ASSERT_EQ_INT(atomic_load(&r.already), 5);
}

static void
test_sessions(void)
{
    struct store st;
    struct store_account a;
    struct store_session s1 = {.created = 100, .last_seen = 100, .expires = 1000};
    struct store_session s2, got;
    if (suite_open(&st, "sess.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    new_account(&st, "alice", &a);
    memset(s1.token_hash, 1, STORE_HASH_LEN);
    s1.account_id = a.id;
    snprintf(s1.csrf, sizeof(s1.csrf), "%s", "csrf-one");
    s2 = s1;
    memset(s2.token_hash, 2, STORE_HASH_LEN);
    s2.last_seen = 500;
    ASSERT_EQ_INT(o->session_add(st.priv, &s1), 0);
    ASSERT_EQ_INT(o->session_add(st.priv, &s1), -EEXIST);
    ASSERT_EQ_INT(o->session_add(st.priv, &s2), 0);
    ASSERT_EQ_INT(o->session_get(st.priv, s1.token_hash, &got), 0);
    ASSERT_EQ_INT(got.account_id, a.id);
    ASSERT_EQ_STR(got.csrf, "csrf-one");
    ASSERT_EQ_INT(got.created, 100);
    ASSERT_EQ_INT(got.expires, 1000);
    ASSERT_EQ_INT(o->session_touch(st.priv, s1.token_hash, 150), 0);
    ASSERT_EQ_INT(o->session_touch(st.priv, s1.token_hash, 120), 0); /* never backwards */
    ASSERT_EQ_INT(o->session_get(st.priv, s1.token_hash, &got), 0);
    ASSERT_EQ_INT(got.last_seen, 150);

    /* Purge at 560 with 100 s idle: s1 (last seen 150) goes, s2 (500) stays. */
    ASSERT_EQ_INT(o->session_purge(st.priv, 560, 100), 0);
    ASSERT_EQ_INT(o->session_get(st.priv, s1.token_hash, &got), -ENOENT);
    ASSERT_EQ_INT(o->session_get(st.priv, s2.token_hash, &got), 0);
    /* Past the absolute expiry it goes whatever its activity. */
    ASSERT_EQ_INT(o->session_purge(st.priv, 1000, 100000), 0);
    ASSERT_EQ_INT(o->session_get(st.priv, s2.token_hash, &got), -ENOENT);

    /* Delete, and a new password ends every session of the account. */
    ASSERT_EQ_INT(o->session_add(st.priv, &s1), 0);
    ASSERT_EQ_INT(o->session_delete(st.priv, s1.token_hash), 0);
    ASSERT_EQ_INT(o->session_delete(st.priv, s1.token_hash), -ENOENT);
    ASSERT_EQ_INT(o->session_add(st.priv, &s1), 0);
    ASSERT_EQ_INT(o->session_add(st.priv, &s2), 0);
    ASSERT_EQ_INT(o->login_set(st.priv, a.id, "a@example.com", NULL), 0);
    ASSERT_EQ_INT(o->session_get(st.priv, s1.token_hash, &got), 0); /* e-mail alone: kept */
    ASSERT_EQ_INT(o->login_set(st.priv, a.id, NULL, "$argon2id$new"), 0);
    ASSERT_EQ_INT(o->session_get(st.priv, s1.token_hash, &got), -ENOENT);
    ASSERT_EQ_INT(o->session_get(st.priv, s2.token_hash, &got), -ENOENT);
    s1.account_id = 9999;
    ASSERT_EQ_INT(o->session_add(st.priv, &s1), -ENOENT); /* no such account */
    store_close(&st);
}

/* One account holds at most STORE_SESSIONS_PER_ACCOUNT sessions; the oldest end first and
 * other accounts' sessions are untouched. */
static void
test_session_cap(void)
{
    struct store st;
    struct store_account a, b;
    struct store_session ss = {.last_seen = 1, .expires = 100000}, other, got;
    if (suite_open(&st, "cap.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    new_account(&st, "many", &a);
    new_account(&st, "other", &b);
    snprintf(ss.csrf, sizeof(ss.csrf), "%s", "csrf");
    other = ss;
    other.account_id = b.id;
    memset(other.token_hash, 0xee, STORE_HASH_LEN);
    ASSERT_EQ_INT(o->session_add(st.priv, &other), 0);
    ss.account_id = a.id;
    int total = STORE_SESSIONS_PER_ACCOUNT + 5;
    for (int i = 0; i < total; i++) {
        memset(ss.token_hash, i + 1, STORE_HASH_LEN);
        ss.created = 10 + i;
        ASSERT_EQ_INT(o->session_add(st.priv, &ss), 0);
    }
    for (int i = 0; i < total; i++) {
        memset(ss.token_hash, i + 1, STORE_HASH_LEN);
        int want = i < total - STORE_SESSIONS_PER_ACCOUNT ? -ENOENT : 0;
        ASSERT_EQ_INT(o->session_get(st.priv, ss.token_hash, &got), want);
    }
    ASSERT_EQ_INT(o->session_get(st.priv, other.token_hash, &got), 0);
    store_close(&st);
}

#define ISSUERS 4
#define RACES 10

/* Shared with the children of test_issue_processes: who won each pair. */
struct issue_run {
    char url[PATH_MAX];
    int64_t account;
    int wins[RACES][ISSUERS], already[RACES][ISSUERS];
};

/* The hash child i offers for pair k. */
static void
issue_hash(unsigned char h[STORE_HASH_LEN], int k, int i)
{
    memset(h, 0x10 * (k + 1) + i, STORE_HASH_LEN);
}

/* A child process: open the store and try to issue each pending pair "shared<k>" with a
 * hash of its own. Exits 1 on an outcome other than success or -EALREADY. */
static int
issue_child(void *arg, int i)
{
    struct issue_run *run = arg;
    struct store st;
    unsigned char h[STORE_HASH_LEN];
    char id[16];
    int other = 0;
    if (store_open(run->url, &st) != 0)
        return 1;
    suite_child_ready();
    for (int k = 0; k < RACES; k++) {
        snprintf(id, sizeof(id), "shared%d", k);
        issue_hash(h, k, i);
        int rc = st.ops->cred_issue(st.priv, run->account, id, h, 100 + i);
        run->wins[k][i] = rc == 0;
        run->already[k][i] = rc == -EALREADY;
        other += rc != 0 && rc != -EALREADY;
    }
    store_close(&st);
    return other != 0;
}

/* Check that exactly one child won pair k, and that the stored pair is the winner's. */
static void
check_race(struct store *st, const struct issue_run *run, int k)
{
    struct store_cred c;
    unsigned char want[STORE_HASH_LEN];
    char id[16];
    int wins = 0, already = 0, winner = 0;
    for (int i = 0; i < ISSUERS; i++) {
        wins += run->wins[k][i];
        already += run->already[k][i];
        winner = run->wins[k][i] ? i : winner;
    }
    ASSERT_EQ_INT(wins, 1);
    ASSERT_EQ_INT(already, ISSUERS - 1);
    snprintf(id, sizeof(id), "shared%d", k);
    ASSERT_EQ_INT(st->ops->cred_get(st->priv, id, &c), 0);
    ASSERT_TRUE(!c.pending);
    ASSERT_EQ_INT(c.issued, 100 + winner);
    issue_hash(want, k, winner);
    ASSERT_EQ_MEM(c.hash, want, STORE_HASH_LEN);
}

/* Processes with their own store handles race to download the same pending pairs: each
 * pair is issued exactly once, with the winner's hash and time. */
static void
test_issue_processes(void)
{
    struct store st;
    struct store_cred c;
    char id[16];
    pid_t pid[ISSUERS];
    struct issue_run *run = suite_shared(sizeof(*run));
    ASSERT_TRUE(run != NULL);
    if (run == NULL || suite_open(&st, "issuefork.db") != 0)
        return;
    run->account = add_account(&st, "alice");
    for (int k = 0; k < RACES; k++) {
        snprintf(id, sizeof(id), "shared%d", k);
        make_pending(&c, id, run->account, 1);
        ASSERT_EQ_INT(st.ops->cred_add(st.priv, &c, -1), 0);
    }
    suite_url(run->url, sizeof(run->url), "issuefork.db");
    for (int i = 0; i < ISSUERS; i++)
        pid[i] = suite_fork(issue_child, run, i);
    suite_children_go();
    for (int i = 0; i < ISSUERS; i++)
        ASSERT_EQ_INT(suite_wait(pid[i]), 0);
    for (int k = 0; k < RACES; k++)
        check_race(&st, run, k);
    store_close(&st);
}

void
suite_console(int *checks, int *failures)
{
    RUN(test_login);
    RUN(test_pending_issue);
    RUN(test_issue_race);
    RUN(test_issue_processes);
    RUN(test_sessions);
    RUN(test_session_cap);
    *checks += harness_checks;
    *failures += harness_failures;
}
