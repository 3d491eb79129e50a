/* SPDX-License-Identifier: MIT */
/*
 * test_credtab.c: the in-memory credential table (server/service/credtab.c) over a real SQLite
 * store in a temporary directory, with the accounts' names known before any of their
 * credentials authenticates (the registry and its cache: test_accounts.c; the rate limit:
 * test_limiter.c, and through the pipeline test_gate.c).
 */
#include "service/accounts.h"
#include "auth/basic.h"
#include "service/credtab.h"
#include "auth/secret.h"
#include "common/alloc.h"
#include "common/rand.h"
#include "store/store.h"

#include "harness.h"
#include "store_fixture.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned char key[SECRET_KEY_LEN];
static struct secret_hasher hasher;
static struct accounts *accounts;

/* Every test's pair: its id and secret as the client would send them. */
struct pair {
    char id[SECRET_HEX_LEN + 1];
    char secret[SECRET_HEX_LEN + 1];
};

/* Create a pair for the account, store its keyed hash, return the pair in *p. */
static void
add_pair(struct store *st, int64_t account_id, int status, struct pair *p)
{
    unsigned char h[SECRET_HASH_LEN];
    secret_generate(p->id, p->secret);
    secret_hash(&hasher, p->id, strlen(p->id), p->secret, strlen(p->secret), h);
    add_cred(st, p->id, account_id, status, h);
}

static void
fill(struct basic_cred *c, const char *id, const char *secret)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->id_len = strlen(c->id);
    snprintf(c->secret, sizeof(c->secret), "%s", secret);
    c->secret_len = strlen(c->secret);
}

/* Verify (id, secret) at `now`; returns the credtab_verify code, *acct and the copied id. */
static int
verify(struct credtab *t, const char *id, const char *secret, int64_t now, struct acct **a,
       char *cid)
{
    struct basic_cred c;
    struct acct *dummy_a = NULL;
    char dummy_id[STORE_HEX32 + 1];
    fill(&c, id, secret);
    int rc = credtab_verify(t, &c, now, a ? a : &dummy_a, cid ? cid : dummy_id);
    basic_cred_wipe(&c);
    return rc;
}

static int64_t
stored_last_used(struct store *st, const char *id)
{
    struct store_cred c;
    if (st->ops->cred_get(st->priv, id, &c) != 0)
        return -1;
    return c.last_used;
}

static void
test_verify(void)
{
    struct store st;
    struct credtab *t = NULL;
    struct pair p1, p2, off, other;
    if (open_store(&st, "verify.db") != 0)
        return;
    int64_t a1 = add_account(&st, "alice");
    int64_t a2 = add_account(&st, "bob");
    add_pair(&st, a1, 1, &p1);
    add_pair(&st, a1, 1, &p2);
    add_pair(&st, a1, 0, &off);
    add_pair(&st, a2, 1, &other);

    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    /* Empty before the first load. */
    ASSERT_EQ_INT(credtab_size(t), 0);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1000, NULL, NULL), -EACCES);

    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(credtab_size(t), 4);

    /* The right pair: the owning account and the copied id. */
    struct acct *a = NULL;
    char cid[STORE_HEX32 + 1];
    memset(cid, 'X', sizeof(cid));
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1000, &a, cid), 0);
    ASSERT_TRUE(a != NULL && a->id == a1);
    ASSERT_TRUE(a == accounts_get(accounts, a1));
    ASSERT_EQ_STR(cid, p1.id);
    a = NULL;
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, &a, cid), 0);
    ASSERT_TRUE(a == accounts_get(accounts, a1));
    ASSERT_EQ_STR(cid, p2.id);
    a = NULL;
    ASSERT_EQ_INT(verify(t, other.id, other.secret, 1000, &a, cid), 0);
    ASSERT_TRUE(a != NULL && a->id == a2);
    ASSERT_TRUE(a == accounts_get(accounts, a2));
    ASSERT_EQ_STR(cid, other.id);

    /* Wrong secrets: another pair's, off by one character, a prefix, an extension, empty. */
    a = NULL;
    memset(cid, 'X', sizeof(cid));
    ASSERT_EQ_INT(verify(t, p1.id, p2.secret, 1000, &a, cid), -EACCES);
    ASSERT_TRUE(a == NULL);     /* untouched on failure */
    ASSERT_EQ_INT(cid[0], 'X'); /* untouched on failure */
    char bad[BASIC_MAX_SECRET + 1];
    snprintf(bad, sizeof(bad), "%s", p1.secret);
    bad[31] = bad[31] == '0' ? '1' : '0';
    ASSERT_EQ_INT(verify(t, p1.id, bad, 1000, NULL, NULL), -EACCES);
    snprintf(bad, sizeof(bad), "%.31s", p1.secret);
    ASSERT_EQ_INT(verify(t, p1.id, bad, 1000, NULL, NULL), -EACCES);
    snprintf(bad, sizeof(bad), "%s0", p1.secret);
    ASSERT_EQ_INT(verify(t, p1.id, bad, 1000, NULL, NULL), -EACCES);
    ASSERT_EQ_INT(verify(t, p1.id, "", 1000, NULL, NULL), -EACCES);
    /* Case matters: the stored pair is lowercase hex. */
    for (size_t i = 0; i < sizeof(bad); i++)
        bad[i] = 0;
    for (size_t i = 0; i < SECRET_HEX_LEN; i++)
        bad[i] =
            (p1.secret[i] >= 'a' && p1.secret[i] <= 'f') ? (char)(p1.secret[i] - 32) : p1.secret[i];
    if (strcmp(bad, p1.secret) != 0)
        ASSERT_EQ_INT(verify(t, p1.id, bad, 1000, NULL, NULL), -EACCES);

    /* The secret of one pair under the id of a pair of another account. */
    ASSERT_EQ_INT(verify(t, other.id, p1.secret, 1000, NULL, NULL), -EACCES);

    /* Unknown ids. */
    ASSERT_EQ_INT(verify(t, "00000000000000000000000000000000", p1.secret, 1000, NULL, NULL),
                  -EACCES);
    ASSERT_EQ_INT(verify(t, "x", p1.secret, 1000, NULL, NULL), -EACCES);
    char longer[BASIC_MAX_ID + 1];
    snprintf(longer, sizeof(longer), "%s0", p1.id); /* 33 characters, a real id as prefix */
    ASSERT_EQ_INT(verify(t, longer, p1.secret, 1000, NULL, NULL), -EACCES);
    memset(longer, 'a', BASIC_MAX_ID);
    longer[BASIC_MAX_ID] = '\0';
    memcpy(longer, p1.id, SECRET_HEX_LEN);
    ASSERT_EQ_INT(verify(t, longer, p1.secret, 1000, NULL, NULL), -EACCES);
    snprintf(longer, sizeof(longer), "%.31s", p1.id); /* a real id minus its last char */
    ASSERT_EQ_INT(verify(t, longer, p1.secret, 1000, NULL, NULL), -EACCES);
    /* id_len is what counts, not the NUL. */
    struct basic_cred c;
    fill(&c, p1.id, p1.secret);
    c.id_len = 31;
    ASSERT_EQ_INT(credtab_verify(t, &c, 1000, &a, cid), -EACCES);
    fill(&c, p1.id, p1.secret);
    c.secret_len = 31;
    ASSERT_EQ_INT(credtab_verify(t, &c, 1000, &a, cid), -EACCES);
    basic_cred_wipe(&c);

    /* A disabled pair never verifies, even with its own secret. */
    ASSERT_EQ_INT(verify(t, off.id, off.secret, 1000, NULL, NULL), -EKEYREVOKED);

    /* The right pair still works after all those failures. */
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1000, NULL, NULL), 0);

    /* A table with another key recognises nothing. */
    unsigned char key2[SECRET_KEY_LEN];
    memcpy(key2, key, sizeof(key2));
    key2[0] ^= 1;
    struct credtab *t2 = NULL;
    ASSERT_EQ_INT(credtab_new(key2, accounts, &t2), 0);
    if (t2 != NULL) {
        ASSERT_EQ_INT(credtab_reload(t2, &st), 0);
        ASSERT_EQ_INT(verify(t2, p1.id, p1.secret, 1000, NULL, NULL), -EACCES);
        credtab_free(t2);
    }

    credtab_free(t);
    store_close(&st);
}

static void
test_forget_and_reload(void)
{
    struct store st;
    struct credtab *t = NULL;
    struct pair p1, p2, p3;
    if (open_store(&st, "forget.db") != 0)
        return;
    int64_t a1 = add_account(&st, "carol");
    add_pair(&st, a1, 1, &p1);
    add_pair(&st, a1, 1, &p2);
    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1000, NULL, NULL), 0);

    /* Forgotten at once, before any reload; the other pair unaffected. */
    credtab_forget(t, p1.id);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1000, NULL, NULL), -EACCES);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), 0);
    credtab_forget(t, "00000000000000000000000000000000"); /* unknown: harmless */
    credtab_forget(t, "");
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), 0);

    /* A pair added to the store is seen after a reload, not before. */
    add_pair(&st, a1, 1, &p3);
    ASSERT_EQ_INT(verify(t, p3.id, p3.secret, 1000, NULL, NULL), -EACCES);
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(credtab_size(t), 3);
    ASSERT_EQ_INT(verify(t, p3.id, p3.secret, 1000, NULL, NULL), 0);

    /* Deleted through the store (as another process would): rejected after the reload. */
    ASSERT_EQ_INT(st.ops->cred_delete(st.priv, p2.id, false), 0);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), 0); /* not reloaded yet */
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), -EACCES);
    ASSERT_EQ_INT(verify(t, p3.id, p3.secret, 1000, NULL, NULL), 0);
    ASSERT_EQ_INT(st.ops->cred_delete(st.priv, p1.id, true), 0);
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(credtab_size(t), 1);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1000, NULL, NULL), -EACCES);

    /* Everything deleted: an empty table rejects all. */
    ASSERT_EQ_INT(st.ops->cred_delete(st.priv, p3.id, true), 0);
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(credtab_size(t), 0);
    ASSERT_EQ_INT(verify(t, p3.id, p3.secret, 1000, NULL, NULL), -EACCES);

    credtab_free(t);
    store_close(&st);
}

/* A pending pair (console "Add a secret", no secret yet) is never loaded and never
 * authenticates; once its secret is issued and added in place, it works without a reload. */
static void
test_pending_and_add(void)
{
    struct store st;
    struct credtab *t = NULL;
    struct pair p1, p2;
    if (open_store(&st, "pending.db") != 0)
        return;
    int64_t a1 = add_account(&st, "dora");
    add_pair(&st, a1, 1, &p1);
    struct store_cred c;
    memset(&c, 0, sizeof(c));
    secret_generate(p2.id, p2.secret);
    memcpy(c.customer_id, p2.id, sizeof(c.customer_id));
    c.account_id = a1;
    c.created = 1000;
    c.status = 1;
    c.pending = true;
    ASSERT_EQ_INT(st.ops->cred_add(st.priv, &c, -1), 0);
    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(credtab_size(t), 1);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), -EACCES);
    /* An all-zero hash (what a pending row reads as) matches nothing either. */
    ASSERT_EQ_INT(verify(t, p2.id, "", 1000, NULL, NULL), -EACCES);
    ASSERT_EQ_INT(credtab_add(t, &c), -EINVAL); /* still pending */

    /* Issue the secret: hash with the server key, store it, add the pair in place (the pair
     * verifying below shows that the table hashes with the same key). */
    unsigned char h[SECRET_HASH_LEN];
    secret_hash(&hasher, p2.id, strlen(p2.id), p2.secret, strlen(p2.secret), h);
    ASSERT_EQ_INT(st.ops->cred_issue(st.priv, a1, p2.id, h, 2000), 0);
    c.pending = false;
    memcpy(c.hash, h, SECRET_HASH_LEN);
    ASSERT_EQ_INT(credtab_add(t, &c), 0);
    ASSERT_EQ_INT(credtab_size(t), 2);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), 0);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1000, NULL, NULL), 0);
    ASSERT_EQ_INT(verify(t, p2.id, p1.secret, 1000, NULL, NULL), -EACCES);
    /* Adding it again overwrites the entry; a reload agrees with the in-place table. */
    ASSERT_EQ_INT(credtab_add(t, &c), 0);
    ASSERT_EQ_INT(credtab_size(t), 2);
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(credtab_size(t), 2);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), 0);
    /* A forgotten pair comes back only through credtab_add. */
    credtab_forget(t, p2.id);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), -EACCES);
    ASSERT_EQ_INT(credtab_add(t, &c), 0);
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1000, NULL, NULL), 0);

    /* A table without room refuses in-place additions (the caller reloads instead). */
    struct credtab *empty = NULL;
    ASSERT_EQ_INT(credtab_new(key, accounts, &empty), 0);
    if (empty != NULL) {
        ASSERT_EQ_INT(credtab_add(empty, &c), -ENOSPC);
        credtab_free(empty);
    }
    credtab_free(t);
    store_close(&st);
}

/* Many pairs: forgetting some keeps every other reachable (probe chains intact), and the
 * last-used flush crosses its batch size. */
static void
test_many(void)
{
    enum { N = 600 };
    static struct pair pairs[N];
    struct store st;
    struct credtab *t = NULL;
    if (open_store(&st, "many.db") != 0)
        return;
    int64_t ids[3] = {add_account(&st, "m1"), add_account(&st, "m2"), add_account(&st, "m3")};
    for (int i = 0; i < N; i++)
        add_pair(&st, ids[i % 3], 1, &pairs[i]);
    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(credtab_size(t), N);

    int wrong = 0;
    for (int i = 0; i < N; i++) {
        struct acct *a = NULL;
        if (verify(t, pairs[i].id, pairs[i].secret, 1700000100 + i % 60, &a, NULL) != 0 ||
            a == NULL || a->id != ids[i % 3])
            wrong++;
    }
    ASSERT_EQ_INT(wrong, 0);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    int bad_time = 0;
    for (int i = 0; i < N; i++)
        bad_time += stored_last_used(&st, pairs[i].id) != 1700000100 + i % 60;
    ASSERT_EQ_INT(bad_time, 0);

    for (int i = 0; i < N; i += 3)
        credtab_forget(t, pairs[i].id);
    int unexpected = 0;
    for (int i = 0; i < N; i++) {
        int rc = verify(t, pairs[i].id, pairs[i].secret, 1700000200, NULL, NULL);
        unexpected += (i % 3 == 0) ? rc != -EACCES : rc != 0;
    }
    ASSERT_EQ_INT(unexpected, 0);

    credtab_free(t);
    store_close(&st);
}

static void
test_last_used(void)
{
    struct store st;
    struct credtab *t = NULL;
    struct pair p1, p2, p3, off;
    if (open_store(&st, "lastused.db") != 0)
        return;
    int64_t a1 = add_account(&st, "dave");
    add_pair(&st, a1, 1, &p1);
    add_pair(&st, a1, 1, &p2);
    add_pair(&st, a1, 1, &p3);
    add_pair(&st, a1, 0, &off);
    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);

    /* Nothing used: a flush writes nothing. */
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 0);

    /* Kept to the second. */
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000125, NULL, NULL), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 0); /* not written before the flush */
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 1700000125);
    ASSERT_EQ_INT(credtab_last_used(t, p1.id), 1700000125);
    ASSERT_EQ_INT(stored_last_used(&st, p2.id), 0);

    /* An older time never moves it back; a later second moves it forward. */
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000000 - 3600, NULL, NULL), 0);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000159, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 1700000159);

    /* The next second moves it forward. */
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000160, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 1700000160);

    /* A later time written by someone else is not overwritten by an older one from here. */
    struct store_touch touch = {.last_used = 1700009000};
    memcpy(touch.customer_id, p1.id, sizeof(touch.customer_id));
    ASSERT_EQ_INT(st.ops->cred_touch(st.priv, &touch, 1), 0);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000300, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 1700009000);
    /* After a reload the table knows the later time and does not go below it either. */
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000400, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 1700009000);

    /* An unsaved time survives a reload and is written by the next flush. */
    ASSERT_EQ_INT(verify(t, p2.id, p2.secret, 1700000242, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p2.id), 0);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p2.id), 1700000242);

    /* A failed authentication is not a use: neither a wrong secret for a known id nor the
     * right secret of a disabled pair may set the pair's last-used time. */
    ASSERT_EQ_INT(verify(t, p3.id, p1.secret, 1700000500, NULL, NULL), -EACCES);
    ASSERT_EQ_INT(verify(t, off.id, off.secret, 1700000500, NULL, NULL), -EKEYREVOKED);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p3.id), 0);
    ASSERT_EQ_INT(stored_last_used(&st, off.id), 0);

    credtab_free(t);
    store_close(&st);
}

/* A fake store whose calls fail, to check that errors keep the old state. */
static int fake_list_calls;
static int fake_list_fail_at;

static int
fake_cred_list(void *priv, int64_t account_id, store_cred_fn fn, void *ctx)
{
    (void)priv;
    (void)account_id;
    (void)fn;
    (void)ctx;
    return ++fake_list_calls >= fake_list_fail_at ? -EIO : 0;
}

static int
fake_cred_touch(void *priv, const struct store_touch *t, size_t n)
{
    (void)priv;
    (void)t;
    (void)n;
    return -EIO;
}

static void
test_errors(void)
{
    static const struct store_ops fake_ops = {
        .scheme = "fake", .cred_list = fake_cred_list, .cred_touch = fake_cred_touch};
    struct store fake = {.ops = &fake_ops, .priv = NULL};
    struct store st;
    struct credtab *t = NULL;
    struct pair p1;
    if (open_store(&st, "errors.db") != 0)
        return;
    int64_t a1 = add_account(&st, "erin");
    add_pair(&st, a1, 1, &p1);
    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);

    /* The first read fails, then the second: the old contents stay both times. */
    fake_list_calls = 0;
    fake_list_fail_at = 1;
    ASSERT_EQ_INT(credtab_reload(t, &fake), -EIO);
    ASSERT_EQ_INT(credtab_size(t), 1);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000000, NULL, NULL), 0);
    fake_list_calls = 0;
    fake_list_fail_at = 2;
    ASSERT_EQ_INT(credtab_reload(t, &fake), -EIO);
    ASSERT_EQ_INT(fake_list_calls, 2);
    ASSERT_EQ_INT(credtab_size(t), 1);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000000, NULL, NULL), 0);

    /* Out of memory while rebuilding: old contents stay. */
    ra_alloc_fail_at(1);
    int rc = credtab_reload(t, &st);
    ra_alloc_fail_at(0);
    ASSERT_TRUE(rc < 0);
    ASSERT_EQ_INT(credtab_size(t), 1);
    ASSERT_EQ_INT(verify(t, p1.id, p1.secret, 1700000000, NULL, NULL), 0);

    /* A failed flush reports the error and the time is written by the next good one. */
    ASSERT_EQ_INT(credtab_flush_last_used(t, &fake), -EIO);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 0);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, p1.id), 1700000000);

    credtab_free(t);
    credtab_free(NULL);
    store_close(&st);
}

/* Readers verifying while the table is rebuilt again and again. */
struct reader {
    struct credtab *t;
    const struct pair *p;
    int failures;
};

static atomic_int readers_stop;

static void *
reader_main(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < 100000 && !atomic_load(&readers_stop); i++)
        if (verify(r->t, r->p->id, r->p->secret, 1700000000 + i, NULL, NULL) != 0)
            r->failures++;
    return NULL;
}

static void
test_concurrent_reload(void)
{
    struct store st;
    struct credtab *t = NULL;
    struct pair p[4];
    if (open_store(&st, "conc.db") != 0)
        return;
    int64_t a1 = add_account(&st, "frank");
    for (int i = 0; i < 4; i++)
        add_pair(&st, a1, 1, &p[i]);
    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    pthread_t th[4];
    struct reader r[4];
    atomic_store(&readers_stop, 0);
    for (int i = 0; i < 4; i++) {
        r[i] = (struct reader){.t = t, .p = &p[i]};
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, reader_main, &r[i]), 0);
    }
    int reload_errors = 0;
    for (int i = 0; i < 100; i++) {
        reload_errors += credtab_reload(t, &st) != 0;
        reload_errors += credtab_flush_last_used(t, &st) != 0;
    }
    atomic_store(&readers_stop, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    ASSERT_EQ_INT(reload_errors, 0);
    for (int i = 0; i < 4; i++)
        ASSERT_EQ_INT(r[i].failures, 0);
    credtab_free(t);
    store_close(&st);
}

/* A fake store for names: cred_get gives the pair `fake_cred`, login_by_id fails with
 * fake_login_rc or names the account "kim". */
static struct store_cred fake_cred;
static int fake_login_rc;

static int
fake_cred_get(void *priv, const char *customer_id, struct store_cred *out)
{
    (void)priv;
    if (strcmp(customer_id, fake_cred.customer_id) != 0)
        return -ENOENT;
    *out = fake_cred;
    return 0;
}

static int
fake_login_by_id(void *priv, int64_t account_id, struct store_login *out)
{
    (void)priv;
    memset(out, 0, sizeof(*out));
    if (fake_login_rc != 0)
        return fake_login_rc;
    out->account_id = account_id;
    snprintf(out->name, sizeof(out->name), "kim");
    return 0;
}

/* Every account whose credential authenticates has its name: from one listing at a reload,
 * from the store before a refreshed pair is published; a name is set once. */
static void
test_names(void)
{
    struct store st;
    struct accounts *reg = NULL;
    struct credtab *t = NULL;
    struct pair g1, g2, h1, j1;
    if (open_store(&st, "names.db") != 0)
        return;
    int64_t g = add_account(&st, "gina");
    int64_t h = add_account(&st, "hal.x@example");
    int64_t ivy = add_account(&st, "ivy");
    add_pair(&st, g, 1, &g1);
    add_pair(&st, g, 1, &g2);
    add_pair(&st, h, 1, &h1);
    ASSERT_EQ_INT(accounts_new(&reg), 0);
    ASSERT_EQ_INT(reg != NULL ? credtab_new(key, reg, &t) : -1, 0);
    if (t == NULL) {
        accounts_free(reg);
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    struct acct *a = NULL;
    ASSERT_EQ_INT(verify(t, g2.id, g2.secret, 1000, &a, NULL), 0);
    ASSERT_EQ_STR(a != NULL ? acct_name(a) : "?", "gina");
    ASSERT_EQ_INT(verify(t, h1.id, h1.secret, 1000, &a, NULL), 0);
    ASSERT_EQ_STR(a != NULL ? acct_name(a) : "?", "hal.x@example");
    /* An account without a credential is not added by the listing (a new entry is nameless). */
    ASSERT_EQ_STR(acct_name(accounts_get(reg, ivy)), "");

    /* A pair of a new account, learnt by a refresh, authenticates with its name. */
    int64_t j = add_account(&st, "jo");
    add_pair(&st, j, 1, &j1);
    ASSERT_EQ_INT(credtab_refresh(t, &st, j1.id), 0);
    ASSERT_EQ_INT(verify(t, j1.id, j1.secret, 1000, &a, NULL), 0);
    ASSERT_EQ_STR(a != NULL ? acct_name(a) : "?", "jo");

    /* Set once: a later name is ignored (racing setters: test_accounts.c). */
    ASSERT_EQ_INT(acct_set_name(a, "other"), 0);
    ASSERT_EQ_STR(acct_name(a), "jo");

    /* The name cannot be read: the pair is not published, and is once it can. */
    static const struct store_ops fake_ops = {
        .scheme = "fake", .cred_get = fake_cred_get, .login_by_id = fake_login_by_id};
    struct store fake = {.ops = &fake_ops, .priv = NULL};
    struct pair k1;
    unsigned char hash[SECRET_HASH_LEN];
    secret_generate(k1.id, k1.secret);
    secret_hash(&hasher, k1.id, strlen(k1.id), k1.secret, strlen(k1.secret), hash);
    cred_init(&fake_cred, k1.id, 940001, FIXTURE_CREATED);
    memcpy(fake_cred.hash, hash, sizeof(hash));
    size_t before = credtab_size(t);
    fake_login_rc = -EIO;
    ASSERT_EQ_INT(credtab_refresh(t, &fake, k1.id), -EIO);
    ASSERT_EQ_INT(credtab_size(t), before);
    ASSERT_EQ_INT(verify(t, k1.id, k1.secret, 1000, NULL, NULL), -EACCES);
    fake_login_rc = 0;
    ASSERT_EQ_INT(credtab_refresh(t, &fake, k1.id), 0);
    ASSERT_EQ_INT(verify(t, k1.id, k1.secret, 1000, &a, NULL), 0);
    ASSERT_TRUE(a != NULL && a->id == 940001);
    ASSERT_EQ_STR(a != NULL ? acct_name(a) : "?", "kim");

    credtab_free(t);
    accounts_free(reg);
    store_close(&st);
}

/* Expiry is judged against the caller's clock to the second, on load and after a refresh;
 * a tripwire's right secret is -EPERM (named for the report), a disabled one's -EACCES. */
static void
test_expiry_and_tripwire(void)
{
    struct store st;
    struct credtab *t = NULL;
    struct pair p, trip;
    struct acct *a = NULL;
    char cid[STORE_HEX32 + 1] = "";
    if (open_store(&st, "expiry.db") != 0)
        return;
    int64_t acc = add_account(&st, "exp");
    add_pair(&st, acc, 1, &p);
    add_pair(&st, acc, 1, &trip);
    struct store_cred_update u = {.status = -1,
                                  .set_expiry = true,
                                  .expires_at = 1700000100,
                                  .now = 1700000000,
                                  .force = true};
    ASSERT_EQ_INT(st.ops->cred_update(st.priv, acc, p.id, &u, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_new(key, accounts, &t), 0);
    if (t == NULL) {
        store_close(&st);
        return;
    }
    ASSERT_EQ_INT(credtab_reload(t, &st), 0);
    ASSERT_EQ_INT(verify(t, p.id, p.secret, 1700000099, NULL, NULL), 0);
    ASSERT_EQ_INT(verify(t, p.id, p.secret, 1700000100, NULL, NULL), -EKEYEXPIRED);
    ASSERT_EQ_INT(verify(t, p.id, p.secret, 1700000101, NULL, NULL), -EKEYEXPIRED);
    /* A later expiry reaches the table through a refresh. */
    u.expires_at = 1700000200;
    ASSERT_EQ_INT(st.ops->cred_update(st.priv, acc, p.id, &u, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_refresh(t, &st, p.id), 0);
    ASSERT_EQ_INT(verify(t, p.id, p.secret, 1700000150, NULL, NULL), 0);
    ASSERT_EQ_INT(verify(t, p.id, p.secret, 1700000200, NULL, NULL), -EKEYEXPIRED);
    u.expires_at = 0; /* never */
    ASSERT_EQ_INT(st.ops->cred_update(st.priv, acc, p.id, &u, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_refresh(t, &st, p.id), 0);
    ASSERT_EQ_INT(verify(t, p.id, p.secret, INT64_MAX / 2, NULL, NULL), 0);

    /* A tripwire pair, loaded by a refresh. */
    struct store_cred c;
    ASSERT_EQ_INT(st.ops->cred_get(st.priv, trip.id, &c), 0);
    ASSERT_EQ_INT(st.ops->cred_delete(st.priv, trip.id, true), 0);
    c.tripwire = true;
    ASSERT_EQ_INT(st.ops->cred_add(st.priv, &c, -1), 0);
    ASSERT_EQ_INT(credtab_refresh(t, &st, trip.id), 0);
    ASSERT_EQ_INT(verify(t, trip.id, trip.secret, 1700000000, &a, cid), -EPERM);
    ASSERT_EQ_STR(cid, trip.id);
    ASSERT_TRUE(a != NULL && a->id == acc);
    ASSERT_EQ_INT(verify(t, trip.id, p.secret, 1700000000, NULL, NULL), -EACCES);
    struct store_cred_update off = {.status = 0, .now = 1700000000, .force = true};
    ASSERT_EQ_INT(st.ops->cred_update(st.priv, acc, trip.id, &off, NULL, NULL), 0);
    ASSERT_EQ_INT(credtab_refresh(t, &st, trip.id), 0);
    ASSERT_EQ_INT(verify(t, trip.id, trip.secret, 1700000000, NULL, NULL), -EKEYREVOKED);
    ASSERT_EQ_INT(credtab_flush_last_used(t, &st), 0);
    ASSERT_EQ_INT(stored_last_used(&st, trip.id), 0); /* a tripwire use is not a use */
    credtab_free(t);
    store_close(&st);
}

int
main(void)
{
    if (ra_rand_init() != 0 || fixture_begin("credtab") < 0 || accounts_new(&accounts) < 0) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    for (int i = 0; i < SECRET_KEY_LEN; i++)
        key[i] = (unsigned char)(0xA0 ^ i);
    secret_hasher_init(&hasher, key);
    RUN(test_verify);
    RUN(test_forget_and_reload);
    RUN(test_pending_and_add);
    RUN(test_many);
    RUN(test_last_used);
    RUN(test_expiry_and_tripwire);
    RUN(test_errors);
    RUN(test_concurrent_reload);
    RUN(test_names);
    secret_hasher_wipe(&hasher);
    accounts_free(accounts);
    return harness_done();
}
